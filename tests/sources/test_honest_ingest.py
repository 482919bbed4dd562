"""Ingest changes nothing quietly (issue 13, item 3): each reproduction failed on the old code.

Expected values are worked out by hand from the rows written in each test.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from svsna.engine.state import WAREHOUSE_FILE
from svsna.pseudonym import Pseudonymiser

from .conftest import TEST_KEY, ingest_area, mini_area


def _table(result, name: str) -> pd.DataFrame:
    con = duckdb.connect(str(result.workspace / WAREHOUSE_FILE), read_only=True)
    try:
        return con.execute(f'SELECT * FROM "{name}"').df()
    finally:
        con.close()


def _rejects(result) -> pd.DataFrame:
    return pd.read_csv(result.rejects_path, dtype=str, keep_default_na=False)


def test_a_date_without_a_time_is_kept_with_time_known_false_and_no_hour(tmp_path, key_env):
    # Old code: "2021-05-01" loaded as 00:00 (hour 0), counted in the night-time economy.
    area = mini_area(
        tmp_path,
        "R1,8N,ABH,2021-05-01,STREET,E01000001,N\nR2,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\n"
        "R3,8N,ABH,01/05/2021 00:00,STREET,E01000001,N\n",
    )
    res = ingest_area(area)
    off = _table(res, "offences").sort_values("committed_from")
    p = Pseudonymiser(TEST_KEY.encode())
    by_ref = off.set_index("offence_ref")
    assert by_ref.loc[p("R1"), "time_known"] == False  # noqa: E712 - numpy bool
    assert pd.isna(by_ref.loc[p("R1"), "hour"])  # left out of hour-of-day and NTE figures
    assert by_ref.loc[p("R1"), "weekday"] == 5  # Saturday 1 May 2021: the day is still known
    assert by_ref.loc[p("R2"), ["time_known", "hour"]].tolist() == [True, 23]
    assert by_ref.loc[p("R3"), ["time_known", "hour"]].tolist() == [True, 0]  # a real midnight stays midnight
    assert res.tables["offences"] == 3  # nothing rejected


def test_a_home_outside_the_area_is_kept_as_outside_area(tmp_path, key_env):
    # Old code: the victim whose home LSOA (a real code) is outside the geography lost the whole row.
    area = mini_area(
        tmp_path,
        "R1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\n",
        "R1,P1,17,M,E01099999\nR1,P2,18,F,E01000002\nR1,P3,19,F,NOT-AN-LSOA\n",
    )
    res = ingest_area(area)
    vic = _table(res, "victims").sort_values("age")
    assert vic["home_district_name"].tolist() == ["Outside area", "Beta"]
    assert vic["home_lsoa"].tolist() == ["E01099999", "E01000002"]
    rej = _rejects(res)
    assert rej[["row_number", "rule"]].values.tolist() == [["4", "LSOA not in geography"]]  # not an LSOA at all
    assert "is not an LSOA code" in rej["message"][0]


def test_the_orphan_of_a_rejected_offence_names_the_offence_line(tmp_path, key_env):
    area = mini_area(
        tmp_path,
        "R1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\nR2,ZZ,bad code,2021-05-01 23:15,STREET,E01000001,N\n",
        "R2,P1,17,M,\nR9,P2,18,F,\n",
    )
    rej = _rejects(ingest_area(area))
    vic = rej[rej["source"] == "victims"].set_index("row_number")
    assert "points at the offence on line 3 of offences.csv, which was rejected" in vic.loc["2", "message"]
    assert "matches no loaded offences row in offences.csv" in vic.loc["3", "message"]  # never existed
    assert "supply the offence" not in vic.loc["2", "message"]


def test_suggestions_are_only_format_variants_that_cannot_change_meaning(tmp_path, key_env):
    from svsna.sources.contracts import load_contracts
    from svsna.sources.validation import code_suggestion

    cause = load_contracts()["admissions"].field("cause_code")
    ho = load_contracts()["offences"].field("ho_code")
    assert code_suggestion(cause, "W01") is None  # a fall is never "corrected" to an assault (Y01)
    assert code_suggestion(ho, "8X") is None  # 8N? 8S? A different code is a different offence
    assert code_suggestion(ho, "8 n") == "8N" and code_suggestion(ho, "8-N") == "8N"
    area = mini_area(tmp_path, "R1,8X,ABH,2021-05-01 23:15,STREET,E01000001,N\n")
    msg = _rejects(ingest_area(area))["message"][0]
    assert "did you mean" not in msg and "data-contracts.md" in msg


def test_a_near_miss_optional_column_is_a_warning_with_the_mapping_to_add(tmp_path, key_env):
    # Old code: "Weapon Used" was dropped without a word, so weapon data showed as 100% missing.
    area = mini_area(tmp_path, "")
    (tmp_path / "offences.csv").write_text(
        "offence_ref,ho_code,offence_description,committed_from,location_type,lsoa,domestic_flag,Weapon Used\n"
        "R1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N,Y\n"
    )
    res = ingest_area(area)
    assert any(
        "'Weapon Used' was not loaded but looks like the optional field 'weapon_flag'" in w
        and 'columns: {offences: {weapon_flag: "Weapon Used"}}' in w
        for w in res.warnings
    )
    assert _table(res, "offences")["weapon_flag"].isna().all()
    # With the mapping the column loads.
    area.write_text(area.read_text() + 'columns:\n  offences: {weapon_flag: "Weapon Used"}\n')
    res = ingest_area(area)
    assert _table(res, "offences")["weapon_flag"].tolist() == [True]
    assert not res.warnings


@pytest.mark.parametrize("placeholder", ["1900-01-01 00:00", "0001-01-01 00:00", "1899-12-30", "1753-01-01"])
def test_placeholder_dates_are_rejected(tmp_path, key_env, placeholder):
    area = mini_area(tmp_path, f"R1,8N,ABH,{placeholder},STREET,E01000001,N\n")
    res = ingest_area(area)
    rej = _rejects(res)
    assert rej[["column", "rule"]].values.tolist() == [["committed_from", "placeholder date"]]
    assert res.tables["offences"] == 0


def test_reference_keys_ignore_case_and_spaces_before_duplicate_checks(tmp_path, key_env):
    # Old code: lp/12/000001 and LP/12/000001 loaded as two offences.
    area = mini_area(
        tmp_path,
        "LP/12/000001,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\n"
        "lp/12/000001,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\n"
        " LP/12/ 000001,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\n",
        "lp/12/000001,P1,17,M,\n",
    )
    res = ingest_area(area)
    assert res.tables["offences"] == 1 and res.tables["victims"] == 1  # the victim still joins its offence
    rej = _rejects(res)
    assert rej[["row_number", "rule"]].values.tolist() == [["3", "duplicate key"], ["4", "duplicate key"]]
    assert "duplicate of row 2" in rej["message"][0] and "ignoring case and spaces" in rej["message"][0]
