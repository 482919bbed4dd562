"""Validation rules and the row ledger, on the deliberately dirty fixture partnership.

Each row of the *_dirty.csv fixtures breaks one rule (see build_fixtures.py); the expected
row numbers count the header as line 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svsna.pseudonym import MASK, Pseudonymiser
from svsna.sources.contracts import load_contracts
from svsna.sources.readers import RawTable
from svsna.sources.validation import ValidationContext, validate

from .conftest import TEST_KEY

# (source, row in file, column, rule, a fragment of the message)
EXPECTED_REJECTS = [
    ("population", 3, "age", "invalid age band", "'abc' is not an age or band"),
    ("population", 4, "age", "invalid age band", "'20-15' is not an age or band"),
    ("population", 5, "population", "below minimum", "'-5' is below the minimum 0"),
    ("population", 6, "sex", "unknown code", "'X' is not in the allowed values ['M', 'F', 'P']"),
    ("offences", 3, "ho_code", "missing required value", "ho_code is blank but required"),
    ("offences", 4, "committed_from", "invalid date/time", "'2021-02-30 10:00' is not a real date"),
    ("offences", 5, "committed_from", "date in the future", "is after the extract date 2022-01-01"),
    ("offences", 6, "committed_to", "end before start", "'2021-05-01 22:00' is before committed_from"),
    ("offences", 7, "ho_code", "unknown code", "'8X' is not in the ho_offence_codes code list"),
    ("offences", 8, "location_type", "unknown code", "'BEACH' is not in the location_types code list"),
    ("offences", 9, "lsoa", "LSOA not in geography", "'E01999999' is not in the geography lookup"),
    ("offences", 10, "domestic_flag", "not a yes/no value", "'maybe' is not a yes/no value"),
    (
        "offences",
        11,
        "offence_ref",
        "duplicate key",
        "duplicate of row 2 (same offence_ref, ignoring case and spaces); the first row is kept",
    ),
    ("victims", 3, "age", "not a whole number", "'17.5' is not a whole number"),
    ("victims", 4, "age", "age out of range", "'130' is outside 0-110"),
    ("victims", 5, "sex", "unknown code", "'Q' is not in the sex_codes code list"),
    # D3 was rejected (impossible date, line 4), so its victim points at no loaded offence: the message says so.
    (
        "victims",
        6,
        "offence_ref",
        "orphan reference",
        "points at the offence on line 4 of offences_dirty.csv, which was rejected",
    ),
    ("victims", 7, "person_id", "missing required value", "person_id is blank but required"),
    ("victims", 8, "offence_ref, person_id", "duplicate key", "duplicate of row 2 (same offence_ref, person_id"),
    ("admissions", 3, "cause_code", "unknown code", "'W01' is not in the icd10_assault code list"),
]


@pytest.fixture(scope="module")
def rejects(dirty_run):
    _, result = dirty_run
    return pd.read_csv(result.rejects_path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize(("source", "row", "column", "rule", "fragment"), EXPECTED_REJECTS)
def test_each_rule_rejects_its_row_with_a_clear_message(rejects, source, row, column, rule, fragment):
    hit = rejects[(rejects["source"] == source) & (rejects["row_number"] == str(row))]
    assert len(hit) == 1, hit
    line = hit.iloc[0]
    assert (line["column"], line["rule"]) == (column, rule)
    assert fragment in line["message"]
    assert "hint: " in line["message"]


def test_every_reject_is_expected_and_names_its_file(rejects):
    assert len(rejects) == len(EXPECTED_REJECTS)
    assert set(rejects["file"]) == {
        "population_dirty.csv",
        "offences_dirty.csv",
        "victims_dirty.csv",
        "admissions_dirty.csv",
    }


def test_ledger_counts_read_loaded_rejected_per_file(dirty_run):
    _, result = dirty_run
    led = result.ledger
    files = led[led["definition"].isna() & (led["reason"] != "not supplied")]
    totals = files.pivot_table(index="source", columns="outcome", values="rows", aggfunc="sum", fill_value=0)
    # Counted by hand from the dirty fixtures: data rows read, and the rows that break no rule.
    expected = {
        "geography": (2, 2, 0),
        "population": (5, 1, 4),
        "offences": (10, 1, 9),
        "victims": (7, 1, 6),
        "admissions": (2, 1, 1),
    }
    for source, (read, loaded, rejected) in expected.items():
        assert (totals.loc[source, "read"], totals.loc[source, "loaded"], totals.loc[source, "rejected"]) == (
            read,
            loaded,
            rejected,
        ), source
    assert (totals["read"] == totals["loaded"] + totals["rejected"]).all()
    reasons = led[(led["source"] == "offences") & (led["outcome"] == "rejected")].set_index("reason")["rows"]
    assert reasons["unknown code (ho_code)"] == 1
    assert reasons["duplicate key (offence_ref)"] == 1
    not_supplied = set(led.loc[led["reason"] == "not supplied", "source"])
    assert not_supplied == {"suspects", "ae_attendances", "ambulance", "indicators", "survey_responses"}


def test_rejects_and_ledger_tables_are_in_the_warehouse(dirty_run):
    from svsna.engine import open_warehouse

    _, result = dirty_run
    wh = open_warehouse(result.workspace, read_only=True)
    try:
        assert wh.execute(wh.table("rejects").count()) == len(EXPECTED_REJECTS)
        ledger = wh.execute(wh.table("ledger"))
        assert list(ledger.columns) == ["source", "file", "outcome", "reason", "rows", "definition"]
        # The one clean offence survives; the duplicate D1 on row 11 was dropped, row 2 kept. Its reference is
        # stored as the keyed pseudonym of "D1", never as "D1".
        off = wh.execute(wh.table("offences"))
        assert off["offence_ref"].tolist() == [Pseudonymiser(TEST_KEY.encode())("D1")]
        assert off["lsoa"].tolist() == ["E01000001"]
    finally:
        wh.close()


def test_person_identifier_is_masked_in_rejects(dirty_run, rejects):
    _, result = dirty_run
    text = Path(result.rejects_path).read_text()
    assert "SECRET-ID" not in text
    assert MASK in set(rejects["value"].str.split(" | ", regex=False).explode())


def _validate(source: str, columns: dict[str, list[str | None]], **ctx):
    contract = load_contracts()[source]
    n = len(next(iter(columns.values())))
    data = {"_row": list(range(2, n + 2))}
    for f in contract.fields:
        data[f.name] = columns.get(f.name, [None] * n)
    frame = pl.DataFrame(data, schema_overrides={"_row": pl.Int64})
    raw = RawTable(Path(f"{source}.csv"), source, "csv", "utf-8", frame)
    ctx.setdefault("as_of", dt.date(2022, 1, 1))
    ctx.setdefault("pseudonymiser", Pseudonymiser(TEST_KEY.encode()))
    return validate(raw, contract, ValidationContext(**ctx))


def test_codes_are_normalised():
    res = _validate(
        "victims",
        {
            "offence_ref": ["A", "B", "C", "D", "E"],
            "person_id": ["p1", "p2", "p3", "p4", "p5"],
            "sex": ["male", "2", "9", "f", None],
            "ethnicity": ["ic3", "h", "Z", None, "a"],
            "mental_health_flag": ["Yes", "n", "TRUE", "0", None],
        },
        pseudonymiser=Pseudonymiser(TEST_KEY.encode()),
    )
    out = res.loaded
    # sex_codes.csv: 2 = Female, 9 = Indeterminate (-> U); words and case are accepted.
    assert out["sex"].to_list() == ["M", "F", "U", "F", None]
    assert out["ethnicity"].to_list() == ["IC3", "H", "Z", None, "A"]
    assert out["mental_health_flag"].to_list() == [True, False, True, False, None]
    assert "person_id" not in out.columns and out["person_key"].null_count() == 0


def test_icd10_fourth_character_is_dropped():
    res = _validate(
        "admissions",
        {
            "admission_id": ["1", "2", "3", "4"],
            "admission_date": ["2021-01-01"] * 4,
            "age": ["30"] * 4,
            "sex": ["M"] * 4,
            "cause_code": ["Y04.0", "x991", "Y09", "Y10"],
        },
    )
    assert res.loaded["cause_code"].to_list() == ["Y04", "X99", "Y09"]
    assert res.rejects["value"].to_list() == ["Y10"]  # Y10 is outside X85-Y09


def test_population_ages_become_age_from_and_age_to():
    res = _validate(
        "population",
        {
            "area_code": ["A"] * 4,
            "year": ["2020"] * 4,
            "age": ["15-19", "17", "90+", "0"],
            "sex": ["M", "F", "p", "M"],
            "population": ["10", "12,034", "3", "0"],
        },
    )
    out = res.loaded
    assert list(zip(out["age_from"], out["age_to"], strict=True)) == [(15, 19), (17, 17), (90, 120), (0, 0)]
    assert out["sex"].to_list() == ["M", "F", "P", "M"]
    assert out["population"].to_list() == [10, 12034, 3, 0]


def test_dates_in_uk_and_iso_forms_and_future_relative_to_extract_date():
    res = _validate(
        "admissions",
        {
            "admission_id": ["1", "2", "3"],
            "admission_date": ["31/12/2021", "2021-12-31", "2022-01-02"],
            "age": ["30"] * 3,
            "sex": ["M"] * 3,
            "cause_code": ["Y04"] * 3,
        },
        as_of=dt.date(2022, 1, 1),
    )
    assert res.loaded["admission_date"].to_list() == [dt.date(2021, 12, 31)] * 2
    assert res.reasons == {"date in the future (admission_date)": 1}


def test_a_row_with_several_problems_is_counted_once_under_its_first_reason():
    res = _validate(
        "admissions",
        {
            "admission_id": ["1"],
            "admission_date": ["2021-13-01"],
            "age": ["-1"],
            "sex": ["M"],
            "cause_code": ["nope"],
        },
    )
    assert res.read == 1 and res.loaded.height == 0
    assert res.reasons == {"invalid date (admission_date)": 1}
    assert res.rejects["rule"].to_list() == ["invalid date", "age out of range", "unknown code"]


def test_age_boundaries_0_and_110_are_accepted():
    res = _validate(
        "admissions",
        {
            "admission_id": ["1", "2", "3", "4"],
            "admission_date": ["2021-01-01"] * 4,
            "age": ["0", "110", "111", "17.0"],
            "sex": ["M"] * 4,
            "cause_code": ["Y04"] * 4,
        },
    )
    assert res.loaded["age"].to_list() == [0, 110, 17]
    assert res.reasons == {"age out of range (age)": 1}


def test_blank_row_is_one_reject_with_its_own_reason(tmp_path):
    from svsna.sources.readers import read_source

    f = tmp_path / "admissions.csv"
    f.write_text("admission_id,admission_date,age,sex,cause_code\nA1,2021-02-11,37,M,Y04\n\nA2,2021-02-11,37,M,Y04\n")
    p = Pseudonymiser(TEST_KEY.encode())
    res = validate(
        read_source(f, load_contracts()["admissions"]),
        load_contracts()["admissions"],
        ValidationContext(as_of=dt.date(2022, 1, 1), pseudonymiser=p),
    )
    assert res.reasons == {"blank row": 1}
    assert res.rejects.select("row_number", "column", "rule").rows() == [(3, "", "blank row")]
    assert res.loaded["admission_id"].to_list() == [p("A1"), p("A2")]  # record references are pseudonymised


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A1", "A2", "A3", None, ""]),
            st.sampled_from(["2021-02-11", "2021-02-30", "11/02/2021", "2099-01-01", "soon", None]),
            st.sampled_from(["0", "37", "110", "111", "-1", "17.5", "x", None]),
            st.sampled_from(["M", "f", "2", "Q", None]),
            st.sampled_from(["Y04", "Y04.1", "X999", "W01", None]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_property_every_row_is_loaded_or_rejected(rows):
    """Whatever the values, read == loaded + rejected and rejects name only rejected rows."""
    cols = list(zip(*rows, strict=True))
    res = _validate(
        "admissions",
        {
            "admission_id": [v or None for v in cols[0]],
            "admission_date": list(cols[1]),
            "age": list(cols[2]),
            "sex": list(cols[3]),
            "cause_code": list(cols[4]),
        },
    )
    assert res.read == len(rows) == res.loaded.height + res.rejected
    rejected_rows = set(res.rejects["row_number"].to_list())
    assert len(rejected_rows) == res.rejected
    assert rejected_rows.isdisjoint(res.loaded["_row"].to_list())


def test_end_before_start_and_a_bare_end_date():
    res = _validate(
        "offences",
        {
            "offence_ref": ["1", "2", "3", "4"],
            "ho_code": ["8N"] * 4,
            "offence_description": ["x"] * 4,
            "committed_from": ["2021-05-01 23:00"] * 4,
            # same day (bare date) is fine; the day before is not; 22:59 the same day is not
            "committed_to": ["2021-05-01", "2021-04-30", "2021-05-01 22:59", "2021-05-02 00:10"],
            "location_type": ["STREET"] * 4,
            "lsoa": ["E01000001"] * 4,
            "domestic_flag": ["N"] * 4,
        },
    )
    p = Pseudonymiser(TEST_KEY.encode())
    assert res.loaded["offence_ref"].to_list() == [p("1"), p("4")]
    assert res.reasons == {"end before start (committed_to)": 2}
