"""The assessment runner, file outputs, the CLI and edge cases (empty period, missing tables)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from svsna.analyses import SECTIONS, run_assessment, write_assessment
from svsna.indicators import INDICATOR_COLUMNS, findings_from_json

POLICE = ("extent", "nature", "timing", "nte", "geography", "people", "cohorts", "data_quality")


@pytest.fixture(scope="module")
def assessed(warehouse, config):
    return run_assessment(warehouse, config, sections=POLICE)


def test_every_section_runs_and_rows_are_well_formed(assessed):
    rows = assessed.indicators
    assert list(rows.columns) == list(INDICATOR_COLUMNS)
    assert set(rows.section) == {
        "extent",
        "nature",
        "timing",
        "nte",
        "geography",
        "perpetrators",
        "victims",
        "cohorts",
        "data_quality",
    }
    # data quality's ledger and coverage rows are about the inputs, not a definition
    inputs = (rows.section == "data_quality") & (rows.definition == "")
    assert (rows.area == "TS").all() and ((rows.definition == "llr_vrn") | inputs).all()
    assert not rows.suppressed.any()
    # shares are percentages between 0 and 100
    shares = rows[rows.method == "Wilson"]
    assert shares.value.between(0, 100).all()
    # one row per (section, indicator, period, breakdown, value, definition)
    key = ["section", "indicator", "period", "breakdown", "breakdown_value", "definition"]
    assert not rows.duplicated(key).any(), rows[rows.duplicated(key, keep=False)][key]
    assert assessed.skipped == []


def test_catalogue_names_every_indicator_and_finding(assessed):
    """docs/indicators.md is the contract with the report: every name emitted is catalogued there."""
    from pathlib import Path

    docs = Path(__file__).parents[2] / "docs"
    doc = "".join((docs / f).read_text(encoding="utf-8") for f in ("indicators.md", "indicators-health.md"))
    contract = (docs / "findings.md").read_text(encoding="utf-8")
    for name in sorted(set(assessed.indicators.indicator)):
        assert f"`{name}`" in doc, name
    for key in sorted({f.key for f in assessed.findings}):
        assert f"`{key}`" in doc or f"`{key}`" in contract, key


def test_every_indicator_emitted_has_a_written_label(assessed):
    """A new indicator gets a label in svsna.outputs.catalogue, or readers see its machine name."""
    from svsna.outputs.catalogue import has_label

    assert [n for n in sorted(set(assessed.indicators.indicator)) if not has_label(n)] == []


def test_write_assessment_round_trips(assessed, tmp_path):
    paths = write_assessment(assessed, tmp_path)
    csv = pd.read_csv(paths["indicators_csv"])
    pq = pd.read_parquet(paths["indicators_parquet"])
    assert len(csv) == len(pq) == len(assessed.indicators)
    back = findings_from_json(paths["findings"].read_text(encoding="utf-8"))
    assert [f.key for f in back] == [f.key for f in assessed.findings]
    manifest = json.loads(paths["manifest"].read_text(encoding="utf-8"))
    assert manifest["definitions"] == ["llr_vrn"]


def test_two_definitions_and_missing_suspects(tmp_path, build, make_cfg, value):
    wh = build(tmp_path, suspects=False, definitions=("llr_vrn", "llr_broadened"))
    try:
        cfg = make_cfg(definitions=["llr_vrn", "llr_broadened"])
        res = run_assessment(wh, cfg, sections=("extent", "cohorts", "health"))
    finally:
        wh.close()
    assert set(res.indicators.definition) == {"llr_vrn", "llr_broadened"}
    skipped = {(s["definition"], s["section"]) for s in res.skipped}
    assert ("llr_vrn", "cohorts") in skipped  # no suspects table
    # without suspects every offence's age group is unknown
    rows = res.indicators[res.indicators.definition == "llr_broadened"]
    assert value(rows, "offences", "age_group", "Unknown", "2020/21").value == 8
    assert "health" in SECTIONS


def test_an_empty_period_gives_zeros_not_errors(warehouse, make_cfg, value):
    # 2016/17 and 2017/18 have no offences at all; the profile window is empty too
    cfg = make_cfg(financial_years=[2016, 2017], latest=None)
    res = run_assessment(warehouse, cfg, sections=POLICE)
    rows = res.indicators
    assert value(rows, "offences", period="2017/18").value == 0
    change = value(rows, "offences_change", period="2017/18")
    assert change.significance == "Not compared"  # nothing to compare with
    for period in ("2016/17", "2017/18", "Apr 2017 - Mar 2018"):
        assert value(rows, "area_rate", "district", "City", period).value == 0
    assert not [f for f in res.findings if f.key in ("top_offence_type", "peak_hour", "repeat_offender_share")]


def test_cli_assess_writes_outputs(tmp_path, build):
    import yaml
    from typer.testing import CliRunner

    from svsna.cli import app

    ws = tmp_path / "workspace"
    build(ws).close()
    area = tmp_path / "area.yaml"
    area.write_text(
        yaml.safe_dump(
            {"name": "Testshire", "financial_years": [2019, 2020], "workspace": "workspace", "output": "out"}
        )
    )
    res = CliRunner().invoke(app, ["assess", "--area", str(area)])
    assert res.exit_code == 0, res.output
    restricted = tmp_path / "out" / "restricted"
    assert (restricted / "indicators.csv").exists() and (restricted / "findings.json").exists()
    assert oct(restricted.stat().st_mode & 0o777) == "0o700"
    assert oct((restricted / "indicators.parquet").stat().st_mode & 0o777) == "0o600"
    missing = CliRunner().invoke(app, ["assess", "--area", str(tmp_path / "nope.yaml")])
    assert missing.exit_code != 0


def test_population_that_misses_a_district_is_a_clear_error(tmp_path, build, make_cfg):
    from svsna.analyses import extent
    from svsna.analyses._base import AnalysisContext
    from svsna.errors import InputDataError

    wh = build(tmp_path)
    try:
        pop = wh.execute(wh.table("population"))
        wh.write_table("population", pop[pop.area_code != "E07000002"])  # Southvale missing
        with pytest.raises(InputDataError, match="does not cover the whole area"):
            extent.run(AnalysisContext(wh, make_cfg(), "llr_vrn"))
    finally:
        wh.close()
