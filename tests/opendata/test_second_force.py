"""The open-data edition on a second force (hand-made West Yorkshire files), with no code changes.

All expected values are worked out by hand from the rows written in ``conftest.py``:
each of the 12 months of FY2021/22 has 13 rows -- in the force: 7 violence and sexual
offences (VSO: 3 in E01011264, 1 in E01011265, 1 in E01011266, 2 in E01010564), 1 robbery
(E01011264), 1 possession of weapons (E01010564), 1 burglary (E01010565); excluded: 1 ASB,
1 VSO with no location, 1 VSO in a Leicester LSOA. 2021-05 has 5 more, bad, rows.
Populations (mid-2020 LSOA): 1000, 2000, 1500 (Leeds) and 1200, 1800 (Bradford) = 7,500.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from svsna.opendata.assessment import run_opendata


@pytest.fixture(scope="module")
def wy_run(west_yorkshire_shared, tmp_path_factory):
    out = tmp_path_factory.mktemp("wy_out")
    return run_opendata(west_yorkshire_shared, "west-yorkshire", [2021], out, build_report=False)


def _one(ind: pd.DataFrame, **where) -> pd.Series:
    sel = ind
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, (where, len(sel))
    return sel.iloc[0]


def _byars(o: float, z: float = 1.959964) -> tuple[float, float]:
    # PHE Technical Guide: Confidence Intervals (2018), Byar's method
    lo = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lo, hi


def test_ledger_accounts_for_every_row(wy_run):
    led = wy_run.ledger
    totals = led.groupby("outcome")["rows"].sum().to_dict()
    # 12 months x 13 rows + 5 bad rows; loaded 12 x 10; excluded 12 x 3; rejected 5
    assert totals == {"read": 161, "loaded": 120, "excluded": 36, "rejected": 5}
    by_reason = led[led["outcome"] != "read"].groupby("reason")["rows"].sum()
    assert by_reason["excluded: anti-social behaviour (an incident, not a crime)"] == 12
    assert by_reason["excluded: no location (blank LSOA code)"] == 12
    assert by_reason["excluded: outside force area (LSOA not in the force's local authorities)"] == 12
    for reason in (
        "rejected: month not YYYY-MM",
        "rejected: month differs from the file name",
        "rejected: unknown crime type",
        "rejected: coordinates not numeric",
        "rejected: wrong number of fields",
    ):
        assert by_reason[reason] == 1
    # per file: 2021-05 read 18 rows
    may = led[(led["file"] == "2021-05-west-yorkshire-street.csv") & (led["outcome"] == "read")]
    assert int(may["rows"].iloc[0]) == 18


def test_rejects_name_file_line_column_value_and_rule(wy_run):
    rej = pd.read_csv(wy_run.files["rejects"], dtype=str, keep_default_na=False)
    assert len(rej) == 5
    assert set(rej["file"]) == {"2021-05-west-yorkshire-street.csv"}
    # header is line 1, the 13 good rows lines 2-14, then the bad rows in the order written
    got = {(r.row_number, r.column, r.value) for r in rej.itertuples()}
    assert ("15", "Month", "2021-13") in got
    assert ("16", "Month", "2021-06") in got
    assert ("17", "Crime type", "Knife crime") in got
    assert ("18", "Longitude/Latitude", "abc,53.8") in got
    assert any(r.row_number == "19" and r.rule == "rejected: wrong number of fields" for r in rej.itertuples())


def test_counts_rates_and_shares(wy_run):
    ind = wy_run.indicators
    ext = ind[ind["section"] == "od_extent"]
    # located crimes: VSO 7 x 12 = 84, robbery 12, weapons 12, combined 108
    for key, n in {"vso": 84, "robbery": 12, "weapons": 12, "combined": 108}.items():
        assert _one(ext, indicator="crimes", definition=key)["value"] == n
    # recorded (all locations): VSO 9 x 12 = 108; combined 132
    assert _one(ext, indicator="crimes_recorded", definition="vso")["value"] == 108
    assert _one(ext, indicator="crimes_recorded", definition="combined")["value"] == 132
    r = _one(ext, indicator="rate_per_1000", definition="vso")
    assert r["value"] == pytest.approx(84 / 7500 * 1000)  # 11.2
    lo, hi = _byars(84)
    assert r["lower"] == pytest.approx(lo / 7500 * 1000, rel=1e-7)
    assert r["upper"] == pytest.approx(hi / 7500 * 1000, rel=1e-7)
    share = _one(ext, indicator="share_of_all_crime", definition="vso")
    assert share["value"] == pytest.approx(70.0)  # 84 of the 120 located crimes


def test_local_authority_and_deprivation(wy_run):
    geo = wy_run.indicators[wy_run.indicators["section"] == "od_geography"]
    la = geo[(geo["indicator"] == "rate_per_1000") & (geo["breakdown"] == "local_authority")]
    leeds = _one(la, breakdown_value="Leeds (E08000035)", definition="vso")
    brad = _one(la, breakdown_value="Bradford (E08000032)", definition="vso")
    assert leeds["value"] == pytest.approx(60 / 4500 * 1000)  # 5 a month in Leeds
    assert brad["value"] == pytest.approx(24 / 3000 * 1000)  # 2 a month in Bradford
    assert leeds["comparator_value"] == pytest.approx(11.2)
    csp = geo[(geo["indicator"] == "rate_per_1000") & (geo["breakdown"] == "community_safety_partnership")]
    assert _one(csp, breakdown_value="Leeds (E22000210)", definition="vso")["value"] == pytest.approx(60 / 4.5)
    rr = _one(geo, indicator="rate_ratio_most_vs_least_deprived", definition="vso")
    # decile 1 = E01011264 + E01010564: (36 + 24) / 2,200; decile 10 = E01011266: 12 / 1,500
    assert rr["value"] == pytest.approx((60 / 2200) / (12 / 1500))
    assert rr["breakdown_value"] == "decile 1 vs decile 10"


def test_hotspots_use_contiguity_of_the_boundaries(wy_run):
    import numpy as np

    hs = wy_run.indicators
    gi = hs[(hs["indicator"] == "gi_star_z") & (hs["definition"] == "vso")]
    # rates per 1,000 in square order 0..4: 36, 6, 8, 20, 0; squares in a row, so neighbours are i-1, i+1
    x = np.array([36.0, 6.0, 8.0, 20.0, 0.0])
    n = len(x)
    w = np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)  # Gi*: self included, binary
    xbar, s = x.mean(), math.sqrt((x**2).mean() - x.mean() ** 2)
    wi, s1 = w.sum(1), (w**2).sum(1)
    z = (w @ x - xbar * wi) / (s * np.sqrt((n * s1 - wi**2) / (n - 1)))  # Ord & Getis (1995) eq. 14
    order = ["E01011264", "E01011265", "E01011266", "E01010564", "E01010565"]
    got = gi.set_index(gi["breakdown_value"].str[-10:-1])["value"].loc[order].to_numpy()
    assert got == pytest.approx(z, rel=1e-9)


def test_metadata_states_the_proxy(wy_run):
    meta = wy_run.metadata
    assert meta["title"] == "Open-data edition"
    assert meta["area"] == "West Yorkshire" and meta["pfa_code"] == "E23000010"
    assert "cannot isolate serious violence" in meta["proxy_definition"]
    assert meta["serious_violence"] is False
    keys = [f.key for f in wy_run.findings]
    assert keys[0] == "proxy_definition"
    assert not any("serious" in i for i in wy_run.indicators["indicator"].unique())


def test_incomplete_year_is_refused(west_yorkshire, tmp_path):
    from svsna.errors import ConfigError

    with pytest.raises(ConfigError, match=r"2020/21 has 0 of 12 months"):
        run_opendata(west_yorkshire, "west-yorkshire", [2020, 2021], tmp_path / "o", build_report=False)


def test_workbook_titled_open_data_edition(wy_run):
    from openpyxl import load_workbook

    wb = load_workbook(wy_run.files["workbook"], read_only=True)
    assert wb.sheetnames == ["About", "Indicators", "Findings", "Ledger", "Rejects"]
    about = wb["About"]
    assert about["A1"].value == "Open-data edition"
    details = [r[1] for r in about.iter_rows(min_row=4, values_only=True)]
    assert any("cannot isolate serious violence" in str(d) for d in details)
    rows = list(wb["Indicators"].iter_rows(values_only=True))
    assert len(rows) == len(wy_run.indicators) + 1
    header = rows[0]
    vso = [r for r in rows[1:] if r[header.index("indicator")] == "crimes" and r[header.index("definition")] == "vso"]
    assert [r[header.index("value")] for r in vso] == [84]  # 7 a month located in the force
    assert len(list(wb["Rejects"].iter_rows(values_only=True))) == 5 + 1  # the five bad rows of 2021-05
    wb.close()


def test_la_rates_from_mye2_when_no_lsoa_population(west_yorkshire, tmp_path):
    """Without an LSOA population file, LA rates use MYE2 and LSOA-level analyses say why they are absent."""
    (west_yorkshire / "population" / "population20_lsoa11_wy.csv").unlink()
    (west_yorkshire / "population" / "ons_mye2_sya_mid2021_wy.csv").write_text(
        "Sex,Code,Name,Geography,All ages\n"
        "Persons,E08000035,Leeds,Metropolitan District,5000\n"
        "Males,E08000035,Leeds,Metropolitan District,2400\n"
        "Persons,E08000032,Bradford,Metropolitan District,2500\n",
        encoding="utf-8",
    )
    res = run_opendata(west_yorkshire, "west-yorkshire", [2021], tmp_path / "o", build_report=False, workbook=False)
    ind = res.indicators
    la = ind[(ind["indicator"] == "rate_per_1000") & (ind["breakdown"] == "local_authority")]
    assert _one(la, breakdown_value="Leeds (E08000035)", definition="vso")["value"] == pytest.approx(60 / 5000 * 1000)
    assert _one(la, breakdown_value="Bradford (E08000032)", definition="vso")["value"] == pytest.approx(
        24 / 2500 * 1000
    )
    assert not (ind["breakdown"] == "lsoa").any() and not (ind["section"] == "od_hotspots").any()
    keys = {f.key for f in res.findings}
    assert {"lsoa_rates_not_run", "hotspots_not_run"} <= keys


def test_lsoa_without_population_is_not_compared(west_yorkshire, tmp_path):
    import numpy as np

    f = west_yorkshire / "population" / "population20_lsoa11_wy.csv"
    f.write_text("".join(line for line in f.read_text().splitlines(True) if "E01010565" not in line))
    res = run_opendata(west_yorkshire, "west-yorkshire", [2021], tmp_path / "o", build_report=False, workbook=False)
    ind = res.indicators
    gi = ind[(ind["indicator"] == "gi_star_z") & (ind["definition"] == "vso")]
    gi = gi.set_index(gi["breakdown_value"].str[-10:-1])
    assert gi.loc["E01010565", "significance"] == "Not compared"
    # the other four form a chain 0-1-2-3 with rates 36, 6, 8, 20 per 1,000 (Ord & Getis 1995, eq. 14)
    x = np.array([36.0, 6.0, 8.0, 20.0])
    n = len(x)
    w = np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    s = math.sqrt((x**2).mean() - x.mean() ** 2)
    z = (w @ x - x.mean() * w.sum(1)) / (s * np.sqrt((n * (w**2).sum(1) - w.sum(1) ** 2) / (n - 1)))
    got = gi.loc[["E01011264", "E01011265", "E01011266", "E01010564"], "value"].to_numpy()
    assert got == pytest.approx(z, rel=1e-9)
