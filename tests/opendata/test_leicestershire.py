"""The open-data edition on the real Leicestershire files (FY2020/21 and FY2021/22).

Every expected figure is recomputed here from the raw files with the ``csv`` module
(fixtures in ``conftest.py``), independently of svsna's loader; the headline VSO counts
are also the ones published in ``shared/data/PROVENANCE.md`` (34,712 and 40,761).
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

VSO, ROB, WEAP, ASB = "Violence and sexual offences", "Robbery", "Possession of weapons", "Anti-social behaviour"
LADS = {
    "E06000016": "Leicester",
    "E06000017": "Rutland",
    "E07000129": "Blaby",
    "E07000130": "Charnwood",
    "E07000131": "Harborough",
    "E07000132": "Hinckley and Bosworth",
    "E07000133": "Melton",
    "E07000134": "North West Leicestershire",
    "E07000135": "Oadby and Wigston",
}


def fy(month: str) -> int:
    y, m = int(month[:4]), int(month[5:7])
    return y if m >= 4 else y - 1


def located(rows, lookup):
    """Crimes (not ASB) with an LSOA in LLR: what svsna loads."""
    return [r for r in rows if r["Crime type"] != ASB and r["LSOA code"] in lookup]


def byars(o: float, z: float = 1.959963985) -> tuple[float, float]:
    lo = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lo, hi


def mye2_persons(shared: Path, year: int) -> dict[str, int]:
    with (shared / "population" / f"ons_mye2_sya_mid{year}_llr.csv").open(encoding="utf-8") as fh:
        return {r["Code"]: int(r["All ages"]) for r in csv.DictReader(fh) if r["Sex"] == "Persons"}


def one(ind: pd.DataFrame, **where) -> pd.Series:
    sel = ind
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, (where, len(sel))
    return sel.iloc[0]


def test_ledger_matches_the_raw_files(leics_run, raw_street_rows, llr_lsoa_to_lad):
    rows = raw_street_rows
    assert len(rows) == 301_838  # PROVENANCE.md
    blank = sum(1 for r in rows if r["LSOA code"] == "")
    outside = sum(1 for r in rows if r["LSOA code"] and r["LSOA code"] not in llr_lsoa_to_lad)
    asb = sum(1 for r in rows if r["LSOA code"] in llr_lsoa_to_lad and r["Crime type"] == ASB)
    assert outside == 583  # PROVENANCE.md: 583 rows carry an LSOA outside LLR
    led = leics_run.ledger
    totals = led.groupby("outcome")["rows"].sum().to_dict()
    assert totals["read"] == 301_838
    assert totals["read"] == totals["loaded"] + totals["excluded"] + totals.get("rejected", 0)
    assert totals["loaded"] == len(located(rows, llr_lsoa_to_lad))
    by_reason = led.groupby("reason")["rows"].sum()
    assert by_reason["excluded: no location (blank LSOA code)"] == blank
    assert by_reason["excluded: outside force area (an LSOA of another police force area)"] == 583
    assert by_reason["excluded: anti-social behaviour (an incident, not a crime)"] == asb
    per_file = Counter(r["_file"] for r in rows)
    got = led[led["outcome"] == "read"].set_index("file")["rows"].to_dict()
    assert got == dict(per_file)
    written = pd.read_csv(leics_run.files["ledger"])
    assert int(written.loc[written["outcome"] == "read", "rows"].sum()) == 301_838


def test_vso_counts_by_financial_year(leics_run, raw_street_rows, llr_lsoa_to_lad):
    ext = leics_run.indicators[leics_run.indicators["section"] == "od_extent"]
    assert one(ext, indicator="crimes_recorded", definition="vso", period="2020/21")["value"] == 34_712
    assert one(ext, indicator="crimes_recorded", definition="vso", period="2021/22")["value"] == 40_761
    loc = located(raw_street_rows, llr_lsoa_to_lad)
    for year, label in ((2020, "2020/21"), (2021, "2021/22")):
        in_year = [r for r in loc if fy(r["Month"]) == year]
        counts = Counter(r["Crime type"] for r in in_year)
        assert one(ext, indicator="offences", definition="vso", period=label)["value"] == counts[VSO]
        assert one(ext, indicator="offences", definition="robbery", period=label)["value"] == counts[ROB]
        assert one(ext, indicator="offences", definition="weapons", period=label)["value"] == counts[WEAP]
        comb = counts[VSO] + counts[ROB] + counts[WEAP]
        assert one(ext, indicator="offences", definition="combined", period=label)["value"] == comb
        share = one(ext, indicator="share_of_all_crime", definition="vso", period=label)
        assert share["value"] == pytest.approx(100 * counts[VSO] / len(in_year))


def test_rates_by_local_authority_against_the_force(leics_run, raw_street_rows, llr_lsoa_to_lad, shared_data):
    pop = mye2_persons(shared_data, 2020)
    force_pop = sum(pop[c] for c in LADS)
    loc = [r for r in located(raw_street_rows, llr_lsoa_to_lad) if fy(r["Month"]) == 2020 and r["Crime type"] == VSO]
    force_rate = 1000 * len(loc) / force_pop
    ind = leics_run.indicators
    fr = one(ind, section="od_extent", indicator="rate", definition="vso", period="2020/21")
    assert fr["value"] == pytest.approx(force_rate)
    lo, hi = byars(len(loc))
    assert (fr["lower"], fr["upper"]) == pytest.approx((1000 * lo / force_pop, 1000 * hi / force_pop), rel=1e-7)
    by_la = Counter(llr_lsoa_to_lad[r["LSOA code"]] for r in loc)
    la = ind[(ind["indicator"] == "area_rate") & (ind["breakdown"] == "local_authority")]
    la = la[(la["definition"] == "vso") & (la["period"] == "2020/21")]
    assert len(la) == 9
    for code, name in LADS.items():
        row = one(la, breakdown_value=name)
        rate = 1000 * by_la[name] / pop[code]
        assert row["numerator"] == by_la[name]
        assert row["value"] == pytest.approx(rate)
        lo, hi = (1000 * x / pop[code] for x in byars(by_la[name]))
        expected = "Higher" if lo > force_rate else "Lower" if hi < force_rate else "Similar"  # Fingertips CI overlap
        assert row["significance"] == expected, name
        assert row["comparator_value"] == pytest.approx(force_rate)
    assert one(la, breakdown_value="Leicester")["significance"] == "Higher"


def test_year_on_year_change(leics_run, raw_street_rows, llr_lsoa_to_lad):
    loc = located(raw_street_rows, llr_lsoa_to_lad)
    a = sum(1 for r in loc if r["Crime type"] == VSO and fy(r["Month"]) == 2020)
    b = sum(1 for r in loc if r["Crime type"] == VSO and fy(r["Month"]) == 2021)
    tr = leics_run.indicators[leics_run.indicators["section"] == "od_trend"]
    pct = one(tr, indicator="offences_change", definition="vso")
    assert pct["value"] == pytest.approx(100 * (b / a - 1))
    assert (pct["numerator"], pct["denominator"]) == (b, a)
    # log-normal approximation to the CI of a ratio of two large Poisson counts, for a sanity bound
    se = math.sqrt(1 / a + 1 / b)
    assert pct["lower"] == pytest.approx(100 * (b / a * math.exp(-1.96 * se) - 1), rel=2e-2)
    assert pct["significance"] == "Increase"
    assert (pct["statistic"], pct["unit"]) == ("percent_change", "%")


def test_monthly_series(leics_run, raw_street_rows, llr_lsoa_to_lad):
    loc = located(raw_street_rows, llr_lsoa_to_lad)
    months = Counter(r["Month"] for r in loc if r["Crime type"] == VSO and fy(r["Month"]) in (2020, 2021))
    tr = leics_run.indicators
    m = tr[(tr["indicator"] == "offences_monthly") & (tr["definition"] == "vso")]
    assert set(m["breakdown"]) == {"month"} and set(m["period"]) == {"2020/21 to 2021/22"}
    m = m.set_index("breakdown_value")
    assert len(m) == 24
    assert m["value"].to_dict() == {k: float(v) for k, v in months.items()}
    mean = sum(months.values()) / 24
    assert m["comparator_value"].iloc[0] == pytest.approx(mean)
    # XmR limits worked out here: mean +/- 2.66 x the mean moving range, moving ranges of at least
    # 3.267 x that mean screened out first (Making Data Count / NHSRplotthedots)
    series = [months[k] for k in sorted(months)]
    ranges = [abs(x - y) for x, y in zip(series[1:], series[:-1], strict=True)]
    amr = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < 3.267 * amr]
    mr = sum(kept) / len(kept)
    assert m["upper"].iloc[0] == pytest.approx(mean + 2.66 * mr)
    assert m["lower"].iloc[0] == pytest.approx(mean - 2.66 * mr)
    assert set(m["significance"]) <= {"Special cause - high", "Special cause - low", "Common cause"}
    above = {k for k, v in months.items() if v > mean + 2.66 * mr}
    assert above <= set(m.index[m["significance"] == "Special cause - high"])


def test_deprivation_rate_ratio(leics_run, raw_street_rows, llr_lsoa_to_lad, shared_data):
    with (shared_data / "deprivation" / "imd2019_lsoa11_domains_llr.csv").open(encoding="utf-8") as fh:
        decile = {r["lsoa11_code"]: int(r["IMD_decile"]) for r in csv.DictReader(fh)}
    with (shared_data / "population" / "population20_lsoa11_llr.csv").open(encoding="utf-8") as fh:
        pop = {r["lsoa11_code"]: int(r["total_population"]) for r in csv.DictReader(fh)}
    loc = [r for r in located(raw_street_rows, llr_lsoa_to_lad) if r["Crime type"] == VSO and fy(r["Month"]) == 2021]
    n = Counter(decile[r["LSOA code"]] for r in loc)
    p = Counter()
    for code, d in decile.items():
        p[d] += pop[code]
    expected = (n[1] / p[1]) / (n[10] / p[10])
    geo = leics_run.indicators
    rr = one(geo, indicator="deprivation_rate_ratio", definition="vso", period="2021/22")
    assert rr["value"] == pytest.approx(expected)
    assert rr["significance"] == "Higher"
    assert rr["breakdown_value"] == "1 vs 10"
    d1 = one(geo, indicator="deprivation_rate", breakdown_value="1", definition="vso", period="2021/22")
    assert d1["value"] == pytest.approx(1000 * n[1] / p[1])


def test_hotspots_agree_with_esda(leics_run, shared_data):
    """Gi* z-scores of FY2020/21 VSO LSOA rates equal PySAL esda's on libpysal queen weights."""
    import geopandas as gpd
    import numpy as np
    from esda.getisord import G_Local
    from libpysal.weights import Queen

    ind = leics_run.indicators
    rates = ind[(ind["indicator"] == "area_rate") & (ind["breakdown"] == "lsoa") & (ind["definition"] == "vso")]
    rates = rates[rates["period"] == "2020/21"].set_index("breakdown_value")["value"]
    gdf = gpd.read_file(shared_data / "geography" / "boundaries" / "lsoa11_llr.geojson")
    gdf = gdf.sort_values("lsoa11_code").reset_index(drop=True)
    w = Queen.from_dataframe(gdf, use_index=False, silence_warnings=True)
    w.transform = "B"
    g = G_Local(rates.loc[gdf["lsoa11_code"]].to_numpy(), w, transform="B", star=True, permutations=0)
    gi = ind[(ind["indicator"] == "hotspot_gi") & (ind["definition"] == "vso") & (ind["period"] == "2020/21")]
    z = gi.set_index("breakdown_value")["value"].loc[gdf["lsoa11_code"]].to_numpy()
    assert np.allclose(z, g.Zs, rtol=1e-6, atol=1e-9)


def test_hotspot_persistence_is_consistent(leics_run):
    ind = leics_run.indicators
    gi = ind[(ind["indicator"] == "hotspot_gi") & (ind["definition"] == "combined")]
    assert set(gi["period"]) == {"2020/21", "2021/22"}  # a Gi* map for every assessed year
    hot = gi[gi["significance"] == "Higher"]
    both = hot.groupby("breakdown_value")["period"].nunique()
    persistent = one(ind, indicator="persistent_hotspot_lsoas", definition="combined")
    assert persistent["value"] == int((both == 2).sum())
    assert persistent["value"] > 0
    assert (hot["value"] > 0).all()
    first = set(hot.loc[hot["period"] == "2020/21", "breakdown_value"])
    share = one(ind, indicator="hotspot_persistence", definition="combined", period="2021/22")
    assert share["value"] == pytest.approx(100 * int((both == 2).sum()) / len(first))
    years = ind[(ind["indicator"] == "hotspot_years") & (ind["definition"] == "combined")]
    assert years.set_index("breakdown_value")["value"].to_dict() == {
        c: float(both.get(c, 0)) for c in years["breakdown_value"]
    }


def test_crime_type_and_outcome_mix(leics_run, raw_street_rows, llr_lsoa_to_lad):
    loc = [r for r in located(raw_street_rows, llr_lsoa_to_lad) if fy(r["Month"]) == 2021]
    types = Counter(r["Crime type"] for r in loc)
    mix = leics_run.indicators
    ct = mix[(mix["indicator"] == "crime_type_share") & (mix["period"] == "2021/22")].set_index("breakdown_value")
    assert ct["numerator"].to_dict() == {k: float(v) for k, v in types.items()}
    assert ct["value"].sum() == pytest.approx(100.0)
    outcomes = Counter(r["Last outcome category"] or "No outcome recorded" for r in loc if r["Crime type"] == VSO)
    oc = mix[(mix["indicator"] == "outcome_share") & (mix["period"] == "2021/22") & (mix["definition"] == "vso")]
    assert oc.set_index("breakdown_value")["numerator"].to_dict() == {k: float(v) for k, v in outcomes.items()}


def test_outputs_written_and_proxy_stated(leics_run):
    from svsna.indicators import INDICATOR_COLUMNS, findings_from_json

    files = leics_run.files
    for key in ("indicators_csv", "indicators_parquet", "findings", "ledger", "rejects", "metadata", "workbook"):
        assert files[key].exists(), key
    table = pd.read_parquet(files["indicators_parquet"])
    assert list(table.columns) == list(INDICATOR_COLUMNS)
    assert set(table["section"]) == {"od_extent", "od_trend", "od_geography", "od_hotspots", "od_mix"}
    findings = findings_from_json(files["findings"].read_text(encoding="utf-8"))
    proxy = next(f for f in findings if f.key == "proxy_definition")
    assert "cannot isolate serious violence" in proxy.text
    assert "Violence and sexual offences" in proxy.text and "Possession of weapons" in proxy.text


def test_csp_rates_equal_la_rates_in_llr(leics_run, shared_data):
    """In LLR each local authority is its own CSP (lookup_ltla24_csp24_pfa24.csv, PROVENANCE.md 3b)."""
    with (shared_data / "geography" / "lookups" / "lookup_ltla24_csp24_pfa24.csv").open(encoding="utf-8") as fh:
        csp_of = {r["ltla24_code"]: (r["csp24_code"], r["csp24_name"]) for r in csv.DictReader(fh)}
    ind = leics_run.indicators
    rates = ind[(ind["indicator"] == "area_rate") & (ind["definition"] == "combined")]
    for code, name in LADS.items():
        csp_code, csp_name = csp_of[code]
        for period in ("2020/21", "2021/22"):
            la = one(rates, breakdown="local_authority", breakdown_value=name, period=period)
            cs = one(rates, breakdown="community_safety_partnership", breakdown_value=csp_name, period=period)
            assert csp_code.startswith("E22")
            assert (cs["numerator"], cs["denominator"], cs["significance"]) == (
                la["numerator"],
                la["denominator"],
                la["significance"],
            )
