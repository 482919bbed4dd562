"""The worked example of docs/definitions.md runs as written.

The definition YAML and the table of eight offences are read from the document itself, so
the page and the code cannot drift apart. The decisions in the table and the counts below
were worked out by hand from the criteria (see the page); nothing expected here comes from
svsna's own output.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from svsna.config import AreaConfig
from svsna.definitions.classifier import classify
from svsna.definitions.definition import load_definition
from svsna.engine import open_warehouse

DOC = Path(__file__).resolve().parents[2] / "docs" / "definitions.md"
LSOA = "E01014370"  # a real 2011 LSOA code; the area below is invented
DISTRICT = ("HB01", "Harbour")
HO = {  # HO code -> (description, crime group), from the Home Office counting rules
    "8N": ("Assault with injury", "Violence with injury"),
    "8S": ("Assault with injury on a constable", "Violence with injury"),
    "34B": ("Robbery of personal property", "Robbery"),
    "105A": ("Assault without injury", "Violence without injury"),
    "5D": ("Assault with intent to cause serious harm", "Violence with injury"),
}
SETTING = {  # location type -> (setting, public place)
    "STREET": ("Public/open place", True),
    "SHOP": ("Shop", True),
    "PARK": ("Public/open place", True),
    "DWELLING": ("Dwelling", False),
    "HOSPITALITY": ("Hospitality", True),
    "PRISON": ("Other non-public", False),
}

# Worked out by hand from the page's table: harbour_sv keeps A1, A2, A3 (2022/23) and A6 (2023/24).
HARBOUR_COUNTS = {"2022/23": 3, "2023/24": 1}
LLR_VRN_COUNTS = {"2022/23": 2, "2023/24": 0}
RESIDENTS, UNDER_25 = 10_000, 3_000


def _doc_block(marker: str) -> str:
    """The text after the HTML comment ``worked-example:<marker>`` up to the next blank line after it."""
    text = DOC.read_text(encoding="utf-8")
    at = text.index(f"<!-- worked-example:{marker}")
    rest = text[text.index("\n", at) + 1 :]
    if rest.startswith("```"):
        return rest.split("```", 2)[1].removeprefix("yaml\n")
    return rest.split("\n\n", 1)[0]


def _doc_offences() -> pd.DataFrame:
    lines = [ln for ln in _doc_block("offences").splitlines() if ln.startswith("|")]
    cells = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    header, body = cells[0], cells[2:]
    assert len(body) == 8, "the page's worked example has eight offences"
    frame = pd.DataFrame(body, columns=header)
    return frame.rename(
        columns={
            "offence": "offence_ref",
            "committed": "committed_from",
            "HO code": "ho_code",
            "location": "location_type",
            "`harbour_sv` decides": "harbour_sv",
            "`llr_vrn` decides": "llr_vrn",
        }
    )


@pytest.fixture(scope="module")
def definition_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("area") / "definitions"
    folder.mkdir()
    path = folder / "harbour_sv.yaml"
    path.write_text(_doc_block("definition"), encoding="utf-8")
    return path


def _offences_table(doc: pd.DataFrame) -> pd.DataFrame:
    """The warehouse ``offences`` table (CONTRIBUTING.md schema) for the page's offences, by hand."""
    rows = []
    for r in doc.itertuples(index=False):
        when = dt.datetime.fromisoformat(r.committed_from)
        rows.append(
            {
                "offence_ref": r.offence_ref,
                "ho_code": r.ho_code,
                "offence_description": f"worked example {r.offence_ref}",
                "committed_from": when,
                "committed_to": None,
                "location_type": r.location_type,
                "lsoa": LSOA,
                "weapon_flag": None,
                "knife_flag": None,
                "domestic_flag": r.domestic == "Y",
                "ho_description": HO[r.ho_code][0],
                "crime_group": HO[r.ho_code][1],
                "sub_offence": HO[r.ho_code][0],
                "harm_rank": None,
                "setting": SETTING[r.location_type][0],
                "public_place": SETTING[r.location_type][1],
                "offence_date": when.date(),
                "hour": when.hour,
                "weekday": when.weekday(),
                "month_start": when.date().replace(day=1),
                "fin_year": when.year if when.month >= 4 else when.year - 1,
                "ward_name": "Quayside",
                "npa": "Harbour",
                "district_code": DISTRICT[0],
                "district_name": DISTRICT[1],
                "county_name": "Harbour",
            }
        )
    df = pd.DataFrame(rows)
    for col in ("weapon_flag", "knife_flag"):
        df[col] = df[col].astype("boolean")
    df["committed_to"] = pd.to_datetime(df["committed_to"])
    df["harm_rank"] = df["harm_rank"].astype("Int64")
    return df


def _population() -> pd.DataFrame:
    rows = []
    for year in (2022, 2023):
        rows.append({"area_code": DISTRICT[0], "year": year, "age_from": 0, "age_to": 24, "sex": "P"})
        rows[-1]["population"] = UNDER_25
        rows.append({"area_code": DISTRICT[0], "year": year, "age_from": 25, "age_to": 120, "sex": "P"})
        rows[-1]["population"] = RESIDENTS - UNDER_25
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, definition_file):
    doc = _doc_offences()
    wh = open_warehouse(tmp_path_factory.mktemp("workspace"))
    wh.write_table(
        "geography",
        pd.DataFrame(
            {
                "lsoa_code": [LSOA],
                "lsoa_name": ["Harbour 001A"],
                "ward_code": ["HBW1"],
                "ward_name": ["Quayside"],
                "npa": ["Harbour"],
                "district_code": [DISTRICT[0]],
                "district_name": [DISTRICT[1]],
                "county_code": [DISTRICT[0]],
                "county_name": [DISTRICT[1]],
            }
        ),
    )
    wh.write_table("population", _population())
    wh.write_table("offences", _offences_table(doc))
    definitions = [load_definition(str(definition_file)), load_definition("llr_vrn")]
    decisions = wh.execute(classify(wh.table("offences"), definitions))
    wh.write_table("offence_decisions", decisions)
    yield wh
    wh.close()


def test_the_example_definition_loads_with_its_own_name_and_order(definition_file):
    d = load_definition(str(definition_file))
    assert d.name == "harbour_sv" and d.format_version == 1
    assert d.criteria.order == ("public_place_only", "offence_codes")
    assert "8S" in d.criteria.offence_codes and not d.criteria.exclude_domestic


@pytest.mark.parametrize("definition", ["harbour_sv", "llr_vrn"])
def test_every_decision_in_the_page_table_is_what_the_classifier_decides(warehouse, definition):
    doc = _doc_offences().set_index("offence_ref")[definition]
    got = warehouse.execute(warehouse.table("offence_decisions"))
    got = got[got["definition"] == definition].set_index("offence_ref")["reason"]
    assert got.sort_index().to_dict() == doc.sort_index().to_dict()


def _extent(warehouse, config: AreaConfig, definitions: list[str] | None = None) -> pd.DataFrame:
    from svsna.analyses import run_assessment

    return run_assessment(warehouse, config, definitions, sections=["extent"]).indicators


def _config(definitions: list[str], base_dir: Path) -> AreaConfig:
    return AreaConfig.model_validate(
        {"name": "Harbour", "financial_years": [2022, 2023], "definitions": definitions, "base_dir": base_dir}
    )


def _counts_and_rates(rows: pd.DataFrame, definition: str) -> tuple[dict[str, float], dict[str, float]]:
    sel = rows[(rows["definition"] == definition) & (rows["breakdown"] == "all")]
    counts = sel[sel["indicator"] == "offences"].set_index("period")["value"].to_dict()
    rates = sel[sel["indicator"] == "rate"].set_index("period")["value"].to_dict()
    return counts, rates


def test_the_example_is_assessed_by_name_from_the_definitions_folder(warehouse, definition_file, monkeypatch):
    monkeypatch.setenv("SVSNA_DEFINITIONS", str(definition_file.parent))
    config = _config(["harbour_sv", "llr_vrn"], definition_file.parent.parent)
    rows = _extent(warehouse, config)
    counts, rates = _counts_and_rates(rows, "harbour_sv")
    assert counts == HARBOUR_COUNTS
    assert rates == pytest.approx({p: n / RESIDENTS * 1000 for p, n in HARBOUR_COUNTS.items()})
    assert rates == pytest.approx({"2022/23": 0.30, "2023/24": 0.10})  # the page's figures
    assert _counts_and_rates(rows, "llr_vrn")[0] == LLR_VRN_COUNTS


def test_the_example_is_assessed_when_area_yaml_names_it_by_path(warehouse, definition_file):
    """Issue 13 / review H1: `definitions: [definitions/harbour_sv.yaml]` must not assess zero offences."""
    config = _config(["definitions/harbour_sv.yaml"], definition_file.parent.parent)
    rows = _extent(warehouse, config)
    counts, _ = _counts_and_rates(rows, "harbour_sv")
    assert counts == HARBOUR_COUNTS, f"by path the analyses counted {counts}"


def test_the_page_counts_match_the_table():
    """The sentence under the table states the counts the table implies (read both from the page)."""
    doc = _doc_offences()
    doc["fy"] = [
        f"{y}/{str(y + 1)[-2:]}" for y in (int(c[:4]) - (1 if int(c[5:7]) < 4 else 0) for c in doc["committed_from"])
    ]
    by_fy = doc[doc["harbour_sv"] == "in definition"].groupby("fy").size().to_dict()
    assert by_fy == HARBOUR_COUNTS
    text = DOC.read_text(encoding="utf-8")
    assert re.search(r"counts \*\*3\*\* offences in 2022/23 .* \*\*1\*\* in 2023/24", text)
