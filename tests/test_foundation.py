"""Tests of the shared foundation: configuration, code lists, indicator table, engine."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from svsna.codelists import code_values, list_codelists, load_codelist
from svsna.config import AreaConfig, financial_year, load_area_config
from svsna.engine import open_warehouse
from svsna.errors import ConfigError, MissingInputError, UsageError
from svsna.indicators import INDICATOR_COLUMNS, Finding, findings_from_json, findings_to_json


def test_financial_year_runs_april_to_march():
    p = financial_year(2020)
    assert (p.label, p.start, p.end) == ("2020/21", dt.date(2020, 4, 1), dt.date(2021, 3, 31))
    assert p.months == 12


def test_periods_and_profile_window():
    cfg = AreaConfig.model_validate(
        {
            "name": "Testshire",
            "financial_years": [2019, 2020],
            "latest": {"start": "2021-04-01", "end": "2021-09-30"},
        }
    )
    labels = [p.label for p in cfg.periods()]
    assert labels == ["2019/20", "2020/21", "2021/22 (Apr-Sep)"]
    prof = cfg.profile()
    assert (prof.start, prof.end) == (dt.date(2020, 4, 1), dt.date(2021, 9, 30))
    assert prof.months == 18


def test_night_time_window_wraps_midnight():
    cfg = AreaConfig(name="x")
    assert cfg.night_time_economy.hours == [0, 1, 2, 3, 4, 22, 23]


def test_area_config_errors_name_field_and_hint(tmp_path):
    f = tmp_path / "area.yaml"
    f.write_text("name: X\nfinancial_years: [20]\nrate_multiplier: -5\nbogus: 1\n")
    with pytest.raises(ConfigError) as exc:
        load_area_config(f)
    msg = str(exc.value)
    assert "financial_years" in msg and "rate_multiplier" in msg and "bogus" in msg
    assert "hint:" in msg


def test_missing_area_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_area_config(tmp_path / "nope.yaml")


def test_every_codelist_has_code_and_source_columns():
    for name in list_codelists():
        df = load_codelist(name)
        assert "source" in df.columns, name
        assert df["source"].str.len().gt(0).all(), name
        key = {"age_bands": ["band"], "sub_offences": ["ho_code", "pattern"]}.get(name, ["code"])
        assert not df.duplicated(key).any(), name


def test_llr_codes_are_in_the_offence_codelist():
    codes = code_values("ho_offence_codes")
    assert {"1", "4/1", "2", "5D", "5E", "8N", "8P", "34A", "34B"} <= codes


def test_findings_round_trip_through_json():
    f = Finding(section="extent", key="change", text="x", numbers={"pct": 14.6}, significance="Decrease")
    assert findings_from_json(findings_to_json([f])) == [
        Finding(section="extent", key="change", text="x", numbers={"pct": 14.6}, significance="Decrease")
    ]


def test_indicator_columns_are_the_documented_contract():
    assert INDICATOR_COLUMNS[:2] == ("section", "indicator")
    assert "suppression_reason" in INDICATOR_COLUMNS and "definition" in INDICATOR_COLUMNS


def test_warehouse_round_trip_and_missing_table(tmp_path):
    wh = open_warehouse(tmp_path)
    wh.write_table("t", pd.DataFrame({"a": [1, 2, 3]}))
    assert wh.list_tables() == ["t"]
    assert int(wh.execute(wh.table("t").a.sum())) == 6
    with pytest.raises(MissingInputError, match="svsna ingest"):
        wh.table("offences")
    wh.close()


def test_unknown_engine_is_refused(tmp_path):
    with pytest.raises(UsageError, match="unknown engine"):  # exit 2: a usage error (issue 14)
        open_warehouse(tmp_path, engine="oracle")


def test_a_yaml_syntax_error_is_one_line_with_its_place_and_a_hint(tmp_path):
    """It was printed as a Python repr with literal ``\\n`` and no hint (review finding 8)."""
    f = tmp_path / "area.yaml"
    f.write_text('name: "x\nbad: [\n')
    with pytest.raises(ConfigError) as exc:
        load_area_config(f)
    msg = str(exc.value)
    assert "\n" not in msg and "\\n" not in msg and "<unicode string>" not in msg
    assert msg.startswith(f"{f}: not valid YAML at line ")
    assert "line 1, column 7" in msg  # where the unclosed quote opened
    assert "; hint: " in msg


def test_an_unknown_setting_is_named_with_the_setting_it_may_be(tmp_path):
    f = tmp_path / "area.yaml"
    f.write_text("name: X\nconfidense: 0.95\nreport: {logoo: a.png}\nfinancial_years: [20255]\n")
    with pytest.raises(ConfigError) as exc:
        load_area_config(f)
    msg = str(exc.value)
    assert "unknown setting 'confidense' (did you mean 'confidence'?)" in msg
    assert "unknown setting 'report.logoo' (did you mean 'report.logo'?)" in msg
    assert "Extra inputs are not permitted" not in msg
    assert "financial_years: financial year 20255" in msg and "Value error" not in msg


def test_a_missing_area_file_hints_at_init_like_every_other_fault(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_area_config(tmp_path / "nope.yaml")
    msg = str(exc.value)
    assert "; hint: " in msg and "(hint:" not in msg
    assert "svsna init" in msg and "svsna demo" in msg
