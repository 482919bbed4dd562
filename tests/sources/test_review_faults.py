"""Faults a new user met (review of 2026-12-04): each test first reproduces the reviewer's case.

Expected values are worked out by hand from the small files written here.
"""

from __future__ import annotations

import json

import pytest

from svsna.errors import InputDataError

from .conftest import GEO_CSV, OFFENCE_HEADER, VICTIM_HEADER, cli, ingest_area

GEO_HEADER = "lsoa_code,lsoa_name,npa,district_code,district_name,county_code,county_name,imd_decile\n"
GEO_ROWS = (
    "E01000001,Alpha 001A,North NPA,E07000001,Alpha,E10000001,Testshire,1\n"
    "E01000002,Beta 001A,South NPA,E07000002,Beta,E10000001,Testshire,11\n"  # line 3: decile 11 > 10
)
OFFENCES = (
    "R1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\n"  # line 2
    "R2,8N,ABH,2021-05-02 23:15,STREET,E01000002,N\n"  # line 3: in the LSOA whose geography row is bad
)
VICTIMS = "R1,P1,20,M,E01000002\n"  # lives in E01000002


def _area(folder, geography: str = GEO_HEADER + GEO_ROWS, population: str | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "geography.csv").write_text(geography)
    (folder / "offences.csv").write_text(OFFENCE_HEADER + OFFENCES)
    (folder / "victims.csv").write_text(VICTIM_HEADER + VICTIMS)
    inputs = "  geography: geography.csv\n  offences: offences.csv\n  victims: victims.csv\n"
    if population is not None:
        (folder / "population.csv").write_text(population)
        inputs += "  population: population.csv\n"
    area = folder / "area.yaml"
    area.write_text(f"name: Mini\nfinancial_years: [2020]\ninputs:\n{inputs}")
    return area


# -- finding 1: a bad optional value on a geography row ---------------------------------------------


def test_a_bad_geography_row_stops_ingest_naming_file_line_column_value_and_rule(tmp_path, key_env):
    area = _area(tmp_path / "a")
    with pytest.raises(InputDataError) as exc:
        ingest_area(area)
    msg = str(exc.value)
    assert exc.value.exit_code == 4
    assert msg.startswith("geography.csv: line 3, column imd_decile: ")
    assert "'11' is above the maximum 10" in msg and "(rule: above maximum)" in msg
    assert "hint: " in msg and "\n" not in msg
    # Nothing was loaded: no warehouse, so no victim was moved "outside the area".
    assert not (tmp_path / "a" / "workspace" / "warehouse.duckdb").exists()


def test_every_bad_geography_row_is_counted_in_the_one_line(tmp_path, key_env):
    geo = GEO_HEADER + GEO_ROWS + "E0100000X,Gamma,South NPA,E07000002,Beta,E10000001,Testshire,2\n"  # line 4
    with pytest.raises(InputDataError) as exc:
        ingest_area(_area(tmp_path / "a", geo))
    msg = str(exc.value)
    assert msg.startswith("geography.csv: line 3, column imd_decile: ")
    assert "1 more problem: line 4 lsoa_code (pattern mismatch)" in msg


def test_a_duplicate_geography_row_is_a_file_fault_too(tmp_path, key_env):
    geo = GEO_CSV + "E01000001,Alpha 001A again,North NPA,E07000001,Alpha,E10000001,Testshire\n"  # line 4
    with pytest.raises(InputDataError, match=r"^geography.csv: line 4, column lsoa_code: .*\(rule: duplicate key\)"):
        ingest_area(_area(tmp_path / "a", geo))


def test_a_blank_line_in_the_geography_is_only_a_rejected_row(tmp_path, key_env):
    geo = GEO_CSV.replace("\nE01000002", "\n\nE01000002")  # line 3 blank
    res = ingest_area(_area(tmp_path / "a", geo))
    led = res.ledger[(res.ledger["source"] == "geography") & res.ledger["definition"].isna()]
    assert dict(zip(led["outcome"] + ":" + led["reason"], led["rows"], strict=True)) == {
        "read:csv; encoding utf-8": 3,
        "loaded:": 2,
        "rejected:blank row": 1,
    }
    assert res.tables["victims"] == 1 and res.tables["offences"] == 2


# -- finding 7: `svsna check` lists every unusable file ---------------------------------------------


def _two_bad_files(folder):
    """The reviewer's area-two: suspects without person_id and an empty ambulance file (plus good files)."""
    area = _area(folder, GEO_CSV)
    (folder / "suspects.csv").write_text("offence_ref,age,sex\nR1,30,M\n")
    (folder / "ambulance.csv").write_text("")
    area.write_text(area.read_text() + "  suspects: suspects.csv\n  ambulance: ambulance.csv\n")
    return area


def test_check_names_every_unusable_file_and_gives_the_ledger_of_the_others(monkeypatch, capsys, tmp_path, key_env):
    area = _two_bad_files(tmp_path / "a")
    code, out, err = cli(monkeypatch, capsys, "check", "--area", str(area), "--extract-date", "2022-01-01")
    assert code == 4
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 2, err
    assert errors[0].startswith("error: suspects.csv: required column 'person_id' not found")
    assert errors[1].startswith("error: ambulance.csv: the file is empty")
    assert "offences.csv" in out and "victims.csv" in out  # the usable files' ledger is still shown
    assert "2 file(s) cannot be used" in out


def test_check_json_prints_the_file_faults(monkeypatch, capsys, tmp_path, key_env):
    area = _two_bad_files(tmp_path / "a")
    code, out, _ = cli(monkeypatch, capsys, "check", "--area", str(area), "--json", "--extract-date", "2022-01-01")
    report = json.loads(out)
    assert code == 4 and report["ok"] is False
    assert [(f["source"], f["file"]) for f in report["file_faults"]] == [
        ("suspects", "suspects.csv"),
        ("ambulance", "ambulance.csv"),
    ]
    assert all(f["exit_code"] == 4 and "hint:" in f["message"] for f in report["file_faults"])
    # Offences: 2 read, 2 would load; victims: 1 read, 1 would load (hand-counted from OFFENCES and VICTIMS).
    by = {f["source"]: (f["read"], f["would_load"]) for f in report["files"]}
    assert by == {"geography": (2, 2), "offences": (2, 2), "victims": (1, 1)}


def test_check_reports_a_bad_geography_and_still_checks_the_other_files(monkeypatch, capsys, tmp_path, key_env):
    area = _area(tmp_path / "a")
    code, out, _ = cli(monkeypatch, capsys, "check", "--area", str(area), "--json", "--extract-date", "2022-01-01")
    report = json.loads(out)
    assert code == 4
    assert [f["source"] for f in report["file_faults"]] == ["geography"]
    assert report["file_faults"][0]["message"].startswith("geography.csv: line 3, column imd_decile:")
    by = {f["source"]: (f["read"], f["would_load"]) for f in report["files"]}
    assert by == {"offences": (2, 2), "victims": (1, 1)}
    assert any("not checked against the geography" in w for w in report["warnings"])


def test_ingest_still_stops_at_the_first_unusable_file(monkeypatch, capsys, tmp_path, key_env):
    area = _two_bad_files(tmp_path / "a")
    code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(area), "-q", "--extract-date", "2022-01-01")
    assert code == 4
    assert err.count("error:") == 1 and "suspects.csv: required column 'person_id'" in err
    assert "svsna check" in err  # it says how to list them all


def test_check_lists_an_undecodable_file_with_the_others(monkeypatch, capsys, tmp_path, key_env):
    area = _two_bad_files(tmp_path / "a")
    (tmp_path / "a" / "victims.csv").write_bytes((VICTIM_HEADER + VICTIMS).encode() + b"R1,P2,\x81,M,\n")  # line 3
    code, out, _ = cli(monkeypatch, capsys, "check", "--area", str(area), "--json", "--extract-date", "2022-01-01")
    report = json.loads(out)
    assert code == 4
    faults = {f["source"]: f["message"] for f in report["file_faults"]}
    assert list(faults) == ["victims", "suspects", "ambulance"]  # in load order
    assert faults["victims"].startswith("victims.csv: line 3: byte 0x81 cannot be decoded")


# -- finding 11: faults in a workbook name the sheet ------------------------------------------------


def test_a_new_template_names_each_empty_sheet_with_a_hint_that_fits(monkeypatch, capsys, tmp_path, key_env):
    code, _, _ = cli(monkeypatch, capsys, "init", str(tmp_path / "p"))
    assert code == 0
    area = str(tmp_path / "p" / "area.yaml")
    code, out, err = cli(monkeypatch, capsys, "check", "--area", area)
    assert code == 4
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: extracts.xlsx, sheet {s}: has a header but no data rows; hint: fill in the sheet (a new "
        "template's sheets are empty), or if it was exported, check its date range"
        for s in ("geography", "offences")
    ]
    code, out, _ = cli(monkeypatch, capsys, "check", "--area", area, "--json")
    assert [f["file"] for f in json.loads(out)["file_faults"]] == [
        "extracts.xlsx, sheet geography",
        "extracts.xlsx, sheet offences",
    ]


def _workbook(path, sheets: dict[str, str]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, text in sheets.items():
        ws = book.create_sheet(name)
        for line in text.splitlines():
            ws.append(line.split(","))
    book.save(path)


def test_rejects_and_ledger_of_a_workbook_name_the_sheet(tmp_path, key_env):
    import pandas as pd

    folder = tmp_path / "w"
    folder.mkdir()
    offences = OFFENCE_HEADER + OFFENCES.replace("R2,8N", "R2,8X")  # sheet line 3: unknown HO code
    _workbook(folder / "extracts.xlsx", {"geography": GEO_CSV, "offences": offences})
    area = folder / "area.yaml"
    area.write_text(
        'name: W\nfinancial_years: [2020]\ninputs:\n  geography: "extracts.xlsx#geography"\n'
        '  offences: "extracts.xlsx#offences"\n'
    )
    res = ingest_area(area)
    rejects = pd.read_csv(res.rejects_path, dtype=str)
    assert rejects[["file", "row_number", "column", "rule"]].values.tolist() == [
        ["extracts.xlsx, sheet offences", "3", "ho_code", "unknown code"]
    ]
    files = set(res.ledger.loc[res.ledger["reason"] != "not supplied", "file"])
    assert files == {"extracts.xlsx, sheet geography", "extracts.xlsx, sheet offences"}


def test_the_first_sheet_of_a_workbook_with_several_is_named_too(tmp_path, key_env):
    folder = tmp_path / "w"
    folder.mkdir()
    _workbook(folder / "offences.xlsx", {"Crimes": OFFENCE_HEADER, "Notes": "a\nb\n"})
    (folder / "geography.csv").write_text(GEO_CSV)
    area = folder / "area.yaml"
    area.write_text(
        "name: W\nfinancial_years: [2020]\ninputs:\n  geography: geography.csv\n  offences: offences.xlsx\n"
    )
    with pytest.raises(InputDataError, match=r"^offences.xlsx, sheet Crimes: has a header but no data rows"):
        ingest_area(area)


# -- finding 4: population age bands other than single years and five-year bands --------------------


def test_population_bands_must_be_single_years_five_year_bands_or_an_open_band_from_90():
    import datetime as dt

    import polars as pl

    from svsna.sources.contracts import load_contracts
    from svsna.sources.readers import RawTable
    from svsna.sources.validation import ValidationContext, validate

    ages = ["0-14", "15-24", "25-64", "65+", "85+", "3-7", "15-19", "17", "90+", "85-89", "95+", "20-15"]
    raw = RawTable(
        path=__import__("pathlib").Path("pop.csv"), source="population", format="csv", encoding=None,
        data=pl.DataFrame({"_row": list(range(2, 2 + len(ages))), "area_code": ["E1"] * len(ages),
                           "year": ["2020"] * len(ages), "age": ages, "sex": ["F"] * len(ages),
                           "population": ["10"] * len(ages)}),
    )  # fmt: skip
    res = validate(raw, load_contracts()["population"], ValidationContext(as_of=dt.date(2022, 1, 1)))
    got = {ages[r - 2]: rule for r, rule in res.rejects.select("row_number", "rule").rows()}
    # By hand: 0-14, 15-24, 25-64 are wider than five years; 3-7 does not start at a multiple of 5;
    # 65+ and 85+ are open below 90 (the standard population has 85-89 and 90+); 20-15 is no band at all.
    assert got == {
        "0-14": "not a single year or five-year band",
        "15-24": "not a single year or five-year band",
        "25-64": "not a single year or five-year band",
        "65+": "not a single year or five-year band",
        "85+": "not a single year or five-year band",
        "3-7": "not a single year or five-year band",
        "20-15": "invalid age band",
    }
    loaded = sorted(res.loaded.select("age_from", "age_to").rows())
    assert loaded == [(15, 19), (17, 17), (85, 89), (90, 120), (95, 120)]
    message = res.rejects.filter(pl.col("row_number") == 2)["message"][0]
    assert message == (
        "age '0-14' is not a single year or a five-year band; hint: use single years (17), five-year bands that "
        "start at a multiple of 5 (15-19) and 90+ for the top (as ONS mid-year estimates give them)"
    )


# -- finding 5: XLSX cells holding a formula with no saved value ------------------------------------


def test_a_formula_with_no_saved_value_is_named_as_such_not_as_blank(tmp_path, key_env):
    import openpyxl
    import pandas as pd

    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "geography.csv").write_text(GEO_CSV)
    book = openpyxl.Workbook()  # written by openpyxl: formulas have no cached value, as the reviewer's file
    ws = book.active
    ws.title = "AE"
    ws.append(OFFENCE_HEADER.strip().split(","))
    ws.append(OFFENCES.splitlines()[0].split(","))  # line 2: plain values
    ws.append(["R2", "8N", "ABH", "=TODAY()", "STREET", "E01000001", "N"])  # line 3: committed_from (D3)
    ws.append(["R3", "8N", "ABH", "2021-05-03", "STREET", "E01000001", "=1=1"])  # line 4: domestic_flag (G4)
    ws.append(["R4", "8N", '=HYPERLINK("x")', "=NOW()", "STREET", "E01000001", "N"])  # line 5: two formulas
    book.save(folder / "offences.xlsx")
    area = folder / "area.yaml"
    area.write_text(
        "name: F\nfinancial_years: [2020]\ninputs:\n  geography: geography.csv\n  offences: offences.xlsx\n"
    )
    res = ingest_area(area)
    rejects = pd.read_csv(res.rejects_path, dtype=str, keep_default_na=False)
    got = rejects[["row_number", "column", "value", "rule"]].values.tolist()
    # rejects.csv shows a value beginning with "=" as text ('=...), so a spreadsheet does not run it.
    assert got == [
        ["3", "committed_from", "'=TODAY()", "formula with no saved value"],
        ["4", "domestic_flag", "'=1=1", "formula with no saved value"],
        ["5", "offence_description", '\'=HYPERLINK("x")', "formula with no saved value"],
        ["5", "committed_from", "'=NOW()", "formula with no saved value"],
    ]
    assert rejects["message"].iloc[0] == (
        "cell D3 holds a formula with no saved value (=TODAY()); hint: in Excel, copy the column and Paste "
        "Special > Values, or open and save the file in Excel so the values are stored"
    )
    # 4 rows read, 1 loaded, 3 rejected: the row with two formulas is one rejected row, counted under its
    # first problem in field order (offence_description comes before committed_from).
    led = res.ledger[(res.ledger["source"] == "offences") & res.ledger["definition"].isna()]
    assert dict(zip(led["outcome"] + ":" + led["reason"], led["rows"], strict=True)) == {
        "read:xlsx": 4,
        "loaded:": 1,
        "rejected:formula with no saved value (committed_from)": 1,
        "rejected:formula with no saved value (domestic_flag)": 1,
        "rejected:formula with no saved value (offence_description)": 1,
    }


def test_a_formula_with_a_saved_value_loads_its_value(tmp_path):
    import zipfile

    import openpyxl

    from svsna.sources.contracts import load_contracts
    from svsna.sources.readers import read_source

    path = tmp_path / "pop.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["area_code", "year", "age", "sex", "population"])
    ws.append(["E1", 2020, "15-19", "F", "=5+5"])
    ws.append(["E1", 2020, "20-24", "F", '=""'])  # a text formula whose saved value is empty
    book.save(path)
    # Give the formula a saved value, as Excel does when it saves (<v>10</v> after <f>5+5</f>).
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert b"<f>5+5</f><v /></c>" in parts[sheet]
    parts[sheet] = parts[sheet].replace(b"<f>5+5</f><v /></c>", b"<f>5+5</f><v>10</v></c>")
    assert b'<c r="E3"><f>""</f><v /></c>' in parts[sheet]
    parts[sheet] = parts[sheet].replace(b'<c r="E3"><f>""</f><v /></c>', b'<c r="E3" t="str"><f>""</f><v></v></c>')
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    raw = read_source(path, load_contracts()["population"])
    assert raw.faults == [] and raw.data["population"].to_list() == ["10", None]  # the empty text is blank


# -- finding 12: rejects.csv lists a rejected row's orphan reference too ----------------------------


def test_a_rejected_row_also_lists_its_orphan_reference(tmp_path, key_env):
    import pandas as pd

    from .conftest import mini_area

    area = mini_area(
        tmp_path / "o",
        "R1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\n",
        "TV/99999,P1,17.5,M,E01000001\n"  # line 2: no such offence, and a bad age
        "R1,P2,20,M,E01000001\n",  # line 3: fine
    )
    res = ingest_area(area)
    rejects = pd.read_csv(res.rejects_path, dtype=str, keep_default_na=False)
    mine = rejects[rejects["source"] == "victims"]
    assert mine[["row_number", "column", "rule"]].values.tolist() == [
        ["2", "age", "not a whole number"],
        ["2", "offence_ref", "orphan reference"],
    ]
    # The ledger still counts the row once, under its first row-rule problem: 2 read, 1 loaded, 1 rejected.
    led = res.ledger[(res.ledger["source"] == "victims") & res.ledger["definition"].isna()]
    assert dict(zip(led["outcome"] + ":" + led["reason"], led["rows"], strict=True)) == {
        "read:csv; encoding utf-8": 2,
        "loaded:": 1,
        "rejected:not a whole number (age)": 1,
    }
    assert res.rejects == 2  # problems, not rows


# -- finding 14: a UTF-8 file with a stray Windows-1252 byte ---------------------------------------


def test_a_utf8_file_with_one_windows_1252_byte_keeps_its_pound_signs_and_warns_naming_the_line(tmp_path, key_env):
    from svsna.engine import open_warehouse

    from .conftest import mini_area

    area = mini_area(tmp_path / "m", "")
    text = (
        OFFENCE_HEADER.encode()
        + "R1,8N,Robbery of £50 cash,2021-05-01 23:15,STREET,E01000001,N\n".encode()  # line 2: UTF-8 £ (C2 A3)
        + b"R2,8N,Victim\x92s phone,2021-05-02 23:15,STREET,E01000001,N\n"  # line 3: a cp1252 right quote
        + "R3,8N,Café brawl,2021-05-03 23:15,STREET,E01000001,N\n".encode()  # line 4: UTF-8 é
    )
    (tmp_path / "m" / "offences.csv").write_bytes(text)
    res = ingest_area(area)
    wh = open_warehouse(res.workspace, read_only=True)
    try:
        off = wh.execute(wh.table("offences").order_by("committed_from"))
    finally:
        wh.close()
    assert off["offence_description"].tolist() == ["Robbery of £50 cash", "Victim\u2019s phone", "Café brawl"]
    summary = next(f for f in res.files if f.source == "offences")
    assert summary.encoding == "utf-8, with Windows-1252 bytes on 1 line (line 3)"
    assert (
        "offences.csv: mostly UTF-8, but 1 line (line 3) holds bytes that are not UTF-8; they were read as "
        "Windows-1252 and the rest as UTF-8; hint: check those values, and save the file as CSV UTF-8"
    ) in res.warnings


def test_a_pure_windows_1252_file_is_still_read_as_such_without_a_warning(tmp_path, key_env):
    from .conftest import mini_area

    area = mini_area(tmp_path / "m", "")
    (tmp_path / "m" / "offences.csv").write_bytes(
        (OFFENCE_HEADER + "R1,8N,Robbery of £50 in the Café,2021-05-01 23:15,STREET,E01000001,N\n").encode("cp1252")
    )
    res = ingest_area(area)
    assert next(f for f in res.files if f.source == "offences").encoding == "windows-1252"
    assert not [w for w in res.warnings if "UTF-8" in w]


def test_the_lines_of_odd_bytes_are_counted_and_the_first_three_named(tmp_path):
    from svsna.sources.readers import scan_csv_encoding

    lines = ["a,b", "£1,x"] + [f"{i},y" for i in range(3, 11)]  # lines 1..10; line 2 is UTF-8 £
    for n in (4, 6, 7, 9):  # a cp1252 byte on lines 4, 6, 7 and 9
        lines[n - 1] = lines[n - 1] + "\x92"
    data = "\n".join(lines).encode("utf-8").replace("\x92".encode(), b"\x92") + b"\n"
    (tmp_path / "m.csv").write_bytes(data)
    reported, codec = scan_csv_encoding(tmp_path / "m.csv")
    assert reported == "utf-8, with Windows-1252 bytes on 4 lines (line 4, line 6, line 7, ...)"
    assert (tmp_path / "m.csv").read_text(encoding=codec).splitlines()[8] == "9,y\u2019"
