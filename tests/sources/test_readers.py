"""Readers: CSV encodings, XLSX sheets, Parquet, column matching and file-level errors."""

from __future__ import annotations

import pytest

from svsna.errors import InputDataError, MissingInputError
from svsna.sources.contracts import load_contracts
from svsna.sources.readers import read_source

from .conftest import FIXTURES

CONTRACTS = load_contracts()


def test_windows_1252_csv_is_detected_and_decoded():
    raw = read_source(FIXTURES / "offences.csv", CONTRACTS["offences"])
    assert raw.encoding == "windows-1252"
    # Row 3 of offences.csv (header = line 1) holds "Désirée", written as the byte 0xE9 for é.
    row = raw.data.filter(raw.data["_row"] == 3).row(0, named=True)
    assert row["offence_description"] == "S20 Wounding - victim Désirée"
    assert raw.describe == "csv; encoding windows-1252"


def test_utf8_bom_csv_is_detected_and_bom_not_in_column_name():
    raw = read_source(FIXTURES / "ae_attendances.csv", CONTRACTS["ae_attendances"])
    assert raw.encoding == "utf-8-sig"
    assert raw.column_map["attendance_id"] == "attendance_id"
    assert raw.data["attendance_id"].to_list() == ["AE1", "AE2"]


def test_plain_utf8_csv(tmp_path):
    f = tmp_path / "g.csv"
    f.write_text("lsoa,lsoa_name,npa,lad_code,lad_name,utla_code,utla_name\nE01000001,Zoë 1,N,D,Dn,C,Cn\n", "utf-8")
    raw = read_source(f, CONTRACTS["geography"])
    assert raw.encoding == "utf-8"
    assert raw.data["lsoa_name"].to_list() == ["Zoë 1"]
    assert raw.data["ward_name"].to_list() == [None]  # optional column absent -> null


def test_xlsx_named_sheet_reads_values_as_text():
    raw = read_source(f"{FIXTURES / 'victims.xlsx'}#Victims", CONTRACTS["victims"])
    assert raw.format == "xlsx sheet 'Victims'"
    assert raw.rows == 5
    first = raw.data.row(0, named=True)
    # The Excel cell holds the number 17: it is read as the text "17".
    assert (first["_row"], first["offence_ref"], first["age"], first["sex"]) == (2, "LP/21/0001", "17", "Male")
    assert raw.data["age"].to_list()[3] is None  # empty cell


def test_xlsx_first_sheet_is_used_by_default_and_missing_sheet_has_hint():
    # The first sheet ("Notes") is not the data: the required columns are missing.
    with pytest.raises(InputDataError, match="required column 'offence_ref' not found"):
        read_source(FIXTURES / "victims.xlsx", CONTRACTS["victims"])
    with pytest.raises(InputDataError, match="sheet 'Victim' not found; did you mean 'Victims'"):
        read_source(f"{FIXTURES / 'victims.xlsx'}#Victim", CONTRACTS["victims"])


def test_parquet_values_are_cast_to_text():
    raw = read_source(FIXTURES / "suspects.parquet", CONTRACTS["suspects"])
    assert raw.format == "parquet" and raw.encoding is None
    assert raw.data["age"].to_list() == ["19", "16", "30"]  # int64 in the file
    assert raw.data["mental_health_flag"].to_list() == ["false", "true", None]  # bool in the file


def test_missing_required_column_names_file_column_and_close_match(tmp_path):
    f = tmp_path / "offences.csv"
    f.write_text(
        "offence_ref,HO Cde,offence_description,committed_from,location_type,lsoa,domestic_flag\n"
        "X,8N,d,2021-01-01 10:00,STREET,E01000001,N\n"
    )
    with pytest.raises(InputDataError) as exc:
        read_source(f, CONTRACTS["offences"])
    assert "offences.csv: required column 'ho_code' not found; did you mean 'HO Cde'?" in str(exc.value)


def test_semicolon_file_is_refused_with_a_clear_message(tmp_path):
    f = tmp_path / "offences.csv"
    f.write_text("offence_ref;ho_code;offence_description\nX;8N;d\n")
    with pytest.raises(InputDataError, match=r"only one column found .* looks semicolon-delimited"):
        read_source(f, CONTRACTS["offences"])


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "population.csv"
    empty.write_text("\n  \n")
    with pytest.raises(InputDataError, match=r"population.csv: the file is empty"):
        read_source(empty, CONTRACTS["population"])
    header = tmp_path / "pop2.csv"
    header.write_text("area_code,year,age,sex,population\n")
    with pytest.raises(InputDataError, match=r"pop2.csv: has a header but no data rows"):
        read_source(header, CONTRACTS["population"])


def test_two_columns_for_one_field_and_unknown_type_and_missing_file(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("area_code,Area Code,year,age,sex,population\nA,A,2020,1,M,1\n")
    with pytest.raises(InputDataError, match="both match field 'area_code'"):
        read_source(f, CONTRACTS["population"])
    g = tmp_path / "p.json"
    g.write_text("{}")
    with pytest.raises(InputDataError, match=r"unsupported file type '\.json'"):
        read_source(g, CONTRACTS["population"])
    with pytest.raises(MissingInputError, match="not found"):
        read_source(tmp_path / "absent.csv", CONTRACTS["population"])


def test_row_numbers_count_the_header_as_line_1_and_blanks_are_null(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("area_code,year,age,sex,population\nA,2020,1,M,1\n  ,2020,2,M,  \nNull,2020,3,M,NULL\n")
    raw = read_source(f, CONTRACTS["population"])
    assert raw.data["_row"].to_list() == [2, 3, 4]
    assert raw.data["area_code"].to_list() == ["A", None, None]
    assert raw.data["population"].to_list() == ["1", None, None]


def test_quoted_newline_keeps_file_line_numbers(tmp_path):
    f = tmp_path / "s.csv"
    # Line 2 holds a quoted answer spanning lines 2-3, so the next record starts on line 4.
    f.write_text('survey,respondent_id,question,answer\nS,R1,Q,"two\nlines"\nS,R2,Q,one\n')
    raw = read_source(f, CONTRACTS["survey_responses"])
    assert raw.data["_row"].to_list() == [2, 4]
    assert raw.data["answer"].to_list() == ["two\nlines", "one"]


def test_xlsx_first_sheet_with_date_cells(tmp_path):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Admission ID", "AdmiDate", "StartAge", "Sex", "Cause"])
    ws.append(["APC9", dt.datetime(2021, 2, 11), 37, "M", "Y04.0"])
    book.save(tmp_path / "adm.xlsx")
    raw = read_source(tmp_path / "adm.xlsx", CONTRACTS["admissions"])
    assert raw.format == "xlsx"
    row = raw.data.row(0, named=True)
    # An Excel date cell at midnight arrives as a bare date (its time is not known), which the date rule accepts.
    assert (row["admission_id"], row["admission_date"], row["age"], row["cause_code"]) == (
        "APC9",
        "2021-02-11",
        "37",
        "Y04.0",
    )
