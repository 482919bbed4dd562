"""The open-data edition on the real Avon and Somerset files (2021/22), from the street files alone.

The data folder handed to svsna holds nothing but the 12 street files (``conftest.avon_street_only``).
Every expected figure is counted here from the raw CSVs with the ``csv`` module. LSOAs are placed in
authorities independently of svsna: MHCLG's IoD2019 File 1 (shared/data, PROVENANCE.md section 4)
gives each English 2011 LSOA its local authority of April 2019; the April 2023 mergers
(the structural-changes orders for Somerset, North Yorkshire and Cumbria) are written out below.
Avon and Somerset's LSOA names still carry pre-2019 districts (``Taunton Deane 001A``,
``West Somerset 003B``): those areas were Somerset West and Taunton from 2019 and are Somerset
since 2023. Populations: ONS mid-2020 by authority (April 2021 codes; shared/data PROVENANCE §2b).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from .conftest import ons_population_2020

VSO, ROB, WEAP, ASB = "Violence and sexual offences", "Robbery", "Possession of weapons", "Anti-social behaviour"
GROUPS = {"vso": (VSO,), "robbery": (ROB,), "weapons": (WEAP,), "combined": (VSO, ROB, WEAP)}
# Avon and Somerset's authorities in April 2019-March 2023 (ONS codes)
AS_2021 = {
    "E06000022": "Bath and North East Somerset",
    "E06000023": "Bristol, City of",
    "E06000024": "North Somerset",
    "E06000025": "South Gloucestershire",
    "E07000187": "Mendip",
    "E07000188": "Sedgemoor",
    "E07000189": "South Somerset",
    "E07000246": "Somerset West and Taunton",
}
# Mergers after April 2019: 1 April 2020 The Buckinghamshire (Structural Changes) Order 2019; 1 April 2021
# The Northamptonshire (Structural Changes) Order 2020; 1 April 2023 The Somerset / North Yorkshire / Cumbria
# (Structural Changes) Orders 2022
MERGED_SINCE_2019 = {
    **dict.fromkeys(("E07000004", "E07000005", "E07000006", "E07000007"), "E06000060"),  # Buckinghamshire
    **dict.fromkeys(("E07000150", "E07000152", "E07000153", "E07000156"), "E06000061"),  # North Northamptonshire
    **dict.fromkeys(("E07000151", "E07000154", "E07000155"), "E06000062"),  # West Northamptonshire
    **dict.fromkeys(("E07000187", "E07000188", "E07000189", "E07000246"), "E06000066"),  # Somerset
    **dict.fromkeys(
        ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169"), "E06000065"
    ),
    **dict.fromkeys(("E07000026", "E07000028", "E07000029"), "E06000063"),  # Cumberland
    **dict.fromkeys(("E07000027", "E07000030", "E07000031"), "E06000064"),  # Westmorland and Furness
}
AS_NOW = {c: n for c, n in AS_2021.items() if c.startswith("E06")} | {"E06000066": "Somerset"}


@pytest.fixture(scope="module")
def lad19(shared_data: Path) -> dict[str, tuple[str, str]]:
    """English 2011 LSOA -> (local authority code, name) of April 2019, from IoD2019 File 1."""
    with (shared_data / "deprivation" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv").open(
        encoding="utf-8"
    ) as fh:
        return {
            r["LSOA code (2011)"]: (
                r["Local Authority District code (2019)"],
                r["Local Authority District name (2019)"],
            )
            for r in csv.DictReader(fh)
        }


@pytest.fixture(scope="module")
def located(avon_rows, lad19) -> list[dict[str, str]]:
    """Crimes (not ASB) whose LSOA is in one of Avon and Somerset's authorities: what svsna loads."""
    return [r for r in avon_rows if r["Crime type"] != ASB and lad19.get(r["LSOA code"], ("",))[0] in AS_2021]


def one(ind: pd.DataFrame, **where) -> pd.Series:
    sel = ind
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, (where, len(sel))
    return sel.iloc[0]


def test_folder_holds_only_street_files(avon_street_only):
    files = list((avon_street_only).rglob("*"))
    assert {p.name for p in files if p.is_file() or p.is_symlink()} == {
        f"{m}-avon-and-somerset-street.csv.gz"
        for m in [f"2021-{i:02d}" for i in range(4, 13)] + ["2022-01", "2022-02", "2022-03"]
    }


def test_ledger_matches_the_raw_files(avon_run, avon_rows, lad19):
    rows = avon_rows
    assert len(rows) == 166_832  # PROVENANCE.md 1b
    blank = sum(1 for r in rows if r["LSOA code"] == "")
    assert blank == 10_676 and round(100 * blank / len(rows), 1) == 6.4  # PROVENANCE.md 1b
    inside = [r for r in rows if lad19.get(r["LSOA code"], ("",))[0] in AS_2021]
    outside = sum(1 for r in rows if r["LSOA code"] and lad19.get(r["LSOA code"], ("",))[0] not in AS_2021)
    asb = sum(1 for r in inside if r["Crime type"] == ASB)
    led = avon_run.ledger
    totals = led.groupby("outcome")["rows"].sum().to_dict()
    assert totals == {"read": len(rows), "loaded": len(inside) - asb, "excluded": blank + outside + asb}
    by_reason = led[led["outcome"] != "read"].groupby("reason")["rows"].sum()
    assert by_reason["excluded: no location (blank LSOA code)"] == blank
    assert by_reason["excluded: outside force area (an LSOA of another police force area)"] == outside
    assert by_reason["excluded: anti-social behaviour (an incident, not a crime)"] == asb
    assert "excluded: not a 2011 LSOA code (not in the national lookup of England and Wales)" not in by_reason
    got = led[led["outcome"] == "read"].set_index("file")["rows"].to_dict()
    assert got == dict(Counter(r["_file"] for r in rows))


def test_outside_rows_by_authority_today(avon_run, avon_rows, lad19):
    """Each outside row is listed under its authority of today; Welsh LSOAs under the authority their name gives."""
    expected: Counter[str] = Counter()
    for r in avon_rows:
        code = r["LSOA code"]
        if not code or lad19.get(code, ("",))[0] in AS_2021:
            continue
        if code.startswith("W01"):
            name = r["LSOA name"].rsplit(" ", 1)[0]
            expected["name:" + {"The Vale of Glamorgan": "Vale of Glamorgan"}.get(name, name)] += 1
        else:
            la = lad19[code][0]
            expected[MERGED_SINCE_2019.get(la, la)] += 1
    out = pd.read_csv(avon_run.files["outside_force"], dtype={"rows": int})
    got: Counter[str] = Counter()
    for r in out.itertuples():
        got[("name:" + r.lad_name) if r.lad_code.startswith("W06") else r.lad_code] += r.rows
    assert got == expected
    assert "Avon and Somerset" not in set(out["pfa_name"])
    assert len(out) == 130  # other authorities under today's codes (139 under the 2011 districts)
    text = next(f for f in avon_run.findings if f.key == "row_ledger").text
    assert f"{sum(expected.values()):,} rows located in 130 local authorities of other force areas" in text
    assert "10,676 rows with no location (6.4% of rows" in text


def test_force_totals_by_group(avon_run, avon_rows, located):
    ext = avon_run.indicators[avon_run.indicators["section"] == "od_extent"]
    types = Counter(r["Crime type"] for r in located)
    recorded = Counter(r["Crime type"] for r in avon_rows)
    for key, members in GROUPS.items():
        assert one(ext, indicator="offences", definition=key)["value"] == sum(types[t] for t in members), key
        assert one(ext, indicator="crimes_recorded", definition=key)["value"] == sum(recorded[t] for t in members)
    share = one(ext, indicator="share_of_all_crime", definition="vso")
    assert share["value"] == pytest.approx(100 * types[VSO] / len(located))


def test_every_authority_under_current_codes(avon_run, located, lad19, shared_data):
    """Five authorities today; Somerset holds the Taunton Deane and West Somerset LSOAs."""
    pop20 = ons_population_2020(shared_data)
    pop_now = {c: pop20[c] for c in AS_NOW if c in pop20}
    pop_now["E06000066"] = sum(pop20[c] for c in ("E07000187", "E07000188", "E07000189", "E07000246"))
    ind = avon_run.indicators
    la = ind[(ind["indicator"] == "area_rate") & (ind["breakdown"] == "local_authority")]
    assert sorted(la["breakdown_value"].unique()) == sorted(AS_NOW.values())
    for key, members in GROUPS.items():
        counts = Counter(
            MERGED_SINCE_2019.get(lad19[r["LSOA code"]][0], lad19[r["LSOA code"]][0])
            for r in located
            if r["Crime type"] in members
        )
        for code, name in AS_NOW.items():
            row = one(la, breakdown_value=name, definition=key)
            assert row["numerator"] == counts[code], (key, name)
            assert row["denominator"] == pop_now[code]
            assert row["value"] == pytest.approx(1000 * counts[code] / pop_now[code])
    # the LSOAs named after the districts abolished in 2019 are counted, in Somerset
    td_ws = sum(
        1 for r in located if r["LSOA name"].startswith(("Taunton Deane", "West Somerset")) and r["Crime type"] == VSO
    )
    assert td_ws > 1000
    geo = pd.read_csv(avon_run.files["geography"], dtype=str)
    old_names = geo[geo["lsoa_name"].str.startswith(("Taunton Deane", "West Somerset"))]
    assert len(old_names) == sum(1 for v in lad19.values() if v[0] == "E07000246")  # every SWT LSOA
    assert set(old_names["lad_name"]) == {"Somerset"}
    # CSPs (ONS December 2024): one per authority in this force
    csp = ind[(ind["indicator"] == "area_rate") & (ind["breakdown"] == "community_safety_partnership")]
    assert (
        one(csp, breakdown_value="Somerset", definition="vso")["numerator"]
        == one(la, breakdown_value="Somerset", definition="vso")["numerator"]
    )


def test_force_rate_and_population_year_said(avon_run, located, shared_data):
    pop20 = ons_population_2020(shared_data)
    force_pop = sum(pop20[c] for c in AS_2021)
    vso = sum(1 for r in located if r["Crime type"] == VSO)
    fr = one(avon_run.indicators, section="od_extent", indicator="rate", definition="vso")
    assert fr["denominator"] == force_pop
    assert fr["value"] == pytest.approx(1000 * vso / force_pop)
    meta = avon_run.metadata
    assert meta["population_fallback"] is True
    assert {(c["level"], c["used_mid_year"]) for c in meta["population_years"]} == {
        ("lad", 2020),
        ("csp", 2020),
        ("pfa", 2020),
    }
    assert "mid-2021 estimates are not available" in meta["populations"]
    keys = {f.key for f in avon_run.findings}
    assert {"population_year_fallback", "lsoa_rates_not_run", "hotspots_not_run"} <= keys


@pytest.fixture(scope="module")
def avon_run_2021_geography(avon_street_only, tmp_path_factory):
    from svsna.opendata.assessment import run_opendata

    out = tmp_path_factory.mktemp("avon2021")
    return run_opendata(
        avon_street_only, "avon-and-somerset", [2021], out, build_report=False, workbook=False, geography_year=2021
    )


def test_authorities_of_2021_include_somerset_west_and_taunton(avon_run_2021_geography, located, lad19, shared_data):
    pop20 = ons_population_2020(shared_data)
    ind = avon_run_2021_geography.indicators
    la = ind[(ind["indicator"] == "area_rate") & (ind["breakdown"] == "local_authority")]
    assert sorted(la["breakdown_value"].unique()) == sorted(AS_2021.values())
    counts = Counter(lad19[r["LSOA code"]][0] for r in located if r["Crime type"] in GROUPS["combined"])
    for code, name in AS_2021.items():
        row = one(la, breakdown_value=name, definition="combined")
        assert (row["numerator"], row["denominator"]) == (counts[code], pop20[code]), name
    assert "1 April 2021" in avon_run_2021_geography.metadata["geography"]


def test_the_public_summary_says_why_hot_spots_are_missing(avon_run):
    """With no LSOA population for the force, hot spots and LSOA rates cannot be computed. The public
    summary left its hot-spot section with a heading and no word of why (the finding was restricted
    because it named the data folder); both editions now say it, the summary without the folder."""
    from svsna.outputs.public import count_rule
    from svsna.outputs.sentences import render

    for key, what in (("hotspots_not_run", "Hot spots"), ("lsoa_rates_not_run", "LSOA and deprivation-decile rates")):
        (f,) = [f for f in avon_run.findings if f.key == key]
        assert f.public
        public = render(f, rule=count_rule("nhsd_2018")).text
        assert public == (
            f"{what} were not computed: they need ONS LSOA population estimates, which were not available for "
            "this edition."
        )
        full = render(f).text
        assert full.startswith(f"{what} were not computed: they need ONS LSOA population estimates; svsna does")
        assert "population/population<YY>_lsoa11*.csv" in full
