"""Definitions as data and the classifier: every listed code and every location type.

Expected reasons are written out by hand from the two shipped definitions
(llr_vrn: the LLR SNA 2022 "public place violence resulting in significant physical injury";
llr_broadened: the same offences in any location, including dwellings and domestic abuse) and
location_types.csv (which locations are public places and which are dwellings).
"""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from svsna.definitions.classifier import classify
from svsna.definitions.definition import list_definitions, load_definition, load_definitions
from svsna.errors import ConfigError

LISTED_CODES = ["1", "4/1", "2", "5D", "5E", "8N", "8P", "34A", "34B"]
# location_types.csv, by hand: public_place true / dwelling / neither
PUBLIC = ["STREET", "PARK", "CAR_PARK", "SHOP", "HOSPITALITY", "EDUCATION", "TRANSPORT", "HEALTH", "LEISURE",
          "COMMERCIAL", "OTHER"]  # fmt: skip
DWELLINGS = ["DWELLING", "DWELLING_COMMUNAL"]
NEITHER = ["PRISON", "UNKNOWN"]


def _decide(rows: list[tuple[str, str, bool]], names: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["ho_code", "location_type", "domestic_flag"])
    df.insert(0, "offence_ref", [f"R{i}" for i in range(len(df))])
    expr = classify(ibis.memtable(df), load_definitions(names))
    out = ibis.duckdb.connect().execute(expr)
    return out.merge(df, on="offence_ref")


def test_location_list_covers_the_code_list():
    from svsna.codelists import code_values

    assert set(PUBLIC + DWELLINGS + NEITHER) == code_values("location_types")


@pytest.mark.parametrize("code", LISTED_CODES)
def test_every_listed_code_in_every_location(code):
    rows = [(code, loc, dom) for loc in PUBLIC + DWELLINGS + NEITHER for dom in (False, True)]
    out = _decide(rows, ["llr_vrn", "llr_broadened"])
    vrn = out[out["definition"] == "llr_vrn"]
    for r in vrn.itertuples():
        if r.location_type in DWELLINGS:
            expected = "excluded: private dwelling"
        elif r.location_type in NEITHER:
            expected = "excluded: location not a public place"
        elif r.domestic_flag:
            expected = "excluded: domestic"
        else:
            expected = "in definition"
        assert (r.reason, r.included) == (expected, expected == "in definition"), r
    broad = out[out["definition"] == "llr_broadened"]
    assert len(broad) == len(rows)
    assert (broad["reason"] == "in definition").all() and broad["included"].all()


@pytest.mark.parametrize("code", ["8S", "105A", "3B", "17", "4/2", "8F"])
def test_other_codes_are_out_of_both_definitions(code):
    out = _decide([(code, "STREET", False), (code, "DWELLING", True)], ["llr_vrn", "llr_broadened"])
    assert (out["reason"] == "excluded: offence code not in definition").all()
    assert not out["included"].any()


def test_null_location_or_domestic_flag():
    out = _decide([("8N", None, False), ("8N", "STREET", None)], ["llr_vrn"]).sort_values("offence_ref")
    # An unknown location cannot be shown to be public; an unknown domestic flag is not domestic.
    assert out["reason"].tolist() == ["excluded: location not a public place", "in definition"]


def test_shipped_definitions_load():
    assert {"llr_vrn", "llr_broadened"} <= set(list_definitions())
    d = load_definition("llr_broadened")
    assert d.criteria.offence_codes == LISTED_CODES
    assert not d.criteria.public_place_only and not d.criteria.exclude_domestic


def _write(path, **over):
    body = {
        "kind": "serious_violence_definition",
        "format_version": 1,
        "name": path.stem,
        "title": "t",
        "version": "1",
        "source": "test",
        "crime_groups": ["Robbery"],
        "criteria": {"offence_codes": ["34A", "34B"], "public_place_only": False},
    }
    body.update(over)
    import yaml

    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return path


def test_user_definition_folder_from_env(monkeypatch, tmp_path):
    _write(tmp_path / "robbery_only.yaml")
    monkeypatch.setenv("SVSNA_DEFINITIONS", str(tmp_path))
    assert "robbery_only" in list_definitions()
    out = _decide([("34B", "DWELLING", True), ("8N", "STREET", False)], ["robbery_only"]).sort_values("offence_ref")
    assert out["reason"].tolist() == ["in definition", "excluded: offence code not in definition"]


def test_definition_given_as_a_path(tmp_path):
    _write(tmp_path / "mine.yaml")
    assert load_definition("mine.yaml", base_dir=tmp_path).name == "mine"


def test_criteria_order_decides_the_reason(tmp_path):
    # exclude_domestic before public_place_only: a domestic offence in a dwelling is "domestic".
    p = _write(
        tmp_path / "dom_first.yaml",
        criteria={"offence_codes": ["8N"], "exclude_domestic": True, "public_place_only": True},
    )
    out = _decide([("8N", "DWELLING", True)], [str(p)])
    assert out["reason"].tolist() == ["excluded: domestic"]


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"kind": "something"}, "kind is 'something'"),
        ({"format_version": 2}, "format_version 2 is not supported"),
        ({"criteria": {"offence_codes": ["8N", "99Z"]}}, r"offence code\(s\) \['99Z'\] not in the ho_offence_codes"),
        ({"criteria": {"offence_codes": ["8N"], "weapon_only": True}}, r"unknown criteria \['weapon_only'\]"),
        ({"crime_groups": ["Burglary"]}, r"unknown crime group\(s\) \['Burglary'\]"),
        ({"title": None}, "invalid definition: title"),
    ],
)
def test_invalid_definitions_give_clear_errors(tmp_path, over, message):
    p = _write(tmp_path / "bad.yaml", **over)
    with pytest.raises(ConfigError, match=message):
        load_definition(str(p))


def test_unknown_definition_and_duplicate_names(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown definition 'nope'; known: .*llr_vrn"):
        load_definition("nope")
    with pytest.raises(ConfigError, match="used twice"):
        load_definitions(["llr_vrn", "llr_vrn"])


def test_other_yaml_files_in_a_definitions_folder_are_not_listed(monkeypatch, tmp_path):
    (tmp_path / "recommendation_rules.yaml").write_text("kind: recommendation_rules\nrules: []\n")
    _write(tmp_path / "mine.yaml")
    monkeypatch.setenv("SVSNA_DEFINITIONS", str(tmp_path))
    names = list_definitions()
    assert "mine" in names and "recommendation_rules" not in names
    with pytest.raises(ConfigError, match="kind is 'recommendation_rules'"):
        load_definition("recommendation_rules")
