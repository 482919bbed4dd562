"""Small hand-built warehouses for the health, risk-factor, survey and recommendation tests.

Every number in these fixtures is chosen so that the expected results can be worked out
by hand in the tests (populations are round numbers, counts are small).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from svsna.analyses._base import AnalysisContext
from svsna.config import AreaConfig
from svsna.engine import open_warehouse

BANDS = [(a, a + 4) for a in range(0, 90, 5)] + [(90, 120)]


def population_frame() -> pd.DataFrame:
    """District D1: 1,000 persons in each of the 19 five-year bands in 2019 and 2020.

    All ages = 19,000; under 25 (bands 0-4..20-24) = 5,000; 25 and over = 14,000.
    """
    rows = [
        {"area_code": "D1", "year": y, "age_from": lo, "age_to": hi, "sex": "P", "population": 1000}
        for y in (2019, 2020)
        for lo, hi in BANDS
    ]
    return pd.DataFrame(rows)


def geography_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002"],
            "lsoa_name": ["Town 001A", "Town 001B"],
            "ward_code": ["W1", "W1"],
            "ward_name": ["Ward One", "Ward One"],
            "npa": ["North", "North"],
            "district_code": ["D1", "D1"],
            "district_name": ["Town", "Town"],
            "county_code": ["C1", "C1"],
            "county_name": ["Shire", "Shire"],
            "imd_decile": [1, 5],
            "longitude": [-1.1, -1.2],
            "latitude": [52.6, 52.7],
        }
    )


def ae_frame() -> pd.DataFrame:
    """A&E: 10 attendances in 2019/20, 20 in 2020/21.

    2020/21: ages 17..24 (8 under 25) and 12 aged 30-89; diagnoses CONTUSION 8, LACERATION 6,
    FRACTURE 4, HEAD_INJURY 2; 9 arrive at 11:00-11:59 (the peak), the rest spread one per hour
    from 00:00 upwards (hours 0-10); dates: 6 on Saturday 2020-08-01, the rest on Mondays.
    """
    rows = []
    diags = ["CONTUSION"] * 8 + ["LACERATION"] * 6 + ["FRACTURE"] * 4 + ["HEAD_INJURY"] * 2
    desc = {
        "CONTUSION": "Contusion/abrasion",
        "LACERATION": "Laceration",
        "FRACTURE": "Dislocation/fracture/joint injury/amputation",
        "HEAD_INJURY": "Head injury",
    }
    ages = [17, 18, 19, 20, 21, 22, 23, 24, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 89]
    hours = [11] * 9 + list(range(11))
    for i in range(20):
        day = dt.date(2020, 8, 1) if i < 6 else dt.date(2020, 9, 7) + dt.timedelta(weeks=i)
        rows.append(
            {
                "attendance_id": f"A{i}",
                "arrival_datetime": dt.datetime.combine(day, dt.time(hours[i], 30)),
                "age": ages[i],
                "sex": "M",
                "home_lsoa": "E01000001",
                "home_district_name": "Town",
                "diagnosis": diags[i],
                "diagnosis_description": desc[diags[i]],
                "assault_location_type": "STREET",
                "assault_method": "BODY",
                "person_key": "k",
            }
        )
    for i in range(10):  # 2019/20
        rows.append(
            {
                **rows[0],
                "attendance_id": f"B{i}",
                "arrival_datetime": dt.datetime(2019, 6, 3, 11, 0),
                "age": 40,
            }
        )
    return pd.DataFrame(rows)


def admissions_frame() -> pd.DataFrame:
    """Admissions in 2020/21: 3 'Assault by bodily force' (Y04), 2 'Assault by sharp object' (X99)."""
    causes = [("Y04", "Assault by bodily force")] * 3 + [("X99", "Assault by sharp object")] * 2
    return pd.DataFrame(
        {
            "admission_id": [f"H{i}" for i in range(5)],
            "admission_date": [dt.date(2020, 7, 4 + i) for i in range(5)],
            "age": [19, 22, 30, 40, 50],
            "sex": ["M"] * 5,
            "home_lsoa": ["E01000001"] * 5,
            "home_district_name": ["Town"] * 5,
            "cause_code": [c for c, _ in causes],
            "cause_description": [d for _, d in causes],
            "diagnosis_group": [d for _, d in causes],
            "mental_health_flag": [True, False, False, None, True],
            "person_key": ["k"] * 5,
        }
    )


def ambulance_frame() -> pd.DataFrame:
    """Ambulance 2020/21: 10 call-outs, 7 at 23:00, 3 at 18:00.

    Chief complaints: 6 stab (27), 4 assault (4). Conveyed: 6 (ages 16, 18, 20, 22, 40, 50:
    4 under 25), not conveyed: 4.
    """
    return pd.DataFrame(
        {
            "incident_id": [f"E{i}" for i in range(10)],
            "call_datetime": [dt.datetime(2020, 10, 3 + i, 23 if i < 7 else 18, 5) for i in range(10)],
            "chief_complaint": ["27"] * 6 + ["4"] * 4,
            "chief_complaint_description": ["Stab / Gunshot / Penetrating Trauma"] * 6
            + ["Assault / Sexual Assault"] * 4,
            "age": [16, 18, 20, 22, 40, 50, 30, 30, 30, None],
            "sex": ["M"] * 10,
            "conveyed": [True] * 6 + [False] * 4,
            "lsoa": ["E01000001"] * 10,
            "district_name": ["Town"] * 10,
            "person_key": ["k"] * 10,
        }
    )


def offences_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Police: 5 in-definition offences in 2020/21, 3 at 15:00 and 2 at 20:00; one excluded at 11:00."""
    hours = [15, 15, 15, 20, 20, 11]
    off = pd.DataFrame(
        {
            "offence_ref": [f"O{i}" for i in range(6)],
            "committed_from": [dt.datetime(2020, 5, 1 + i, h, 10) for i, h in enumerate(hours)],
            "offence_date": [dt.date(2020, 5, 1 + i) for i in range(len(hours))],
            "hour": hours,
        }
    )
    dec = pd.DataFrame(
        {
            "offence_ref": [f"O{i}" for i in range(6)],
            "definition": ["test_def"] * 6,
            "included": [True] * 5 + [False],
            "reason": ["in definition"] * 5 + ["excluded: domestic"],
        }
    )
    return off, dec


def make_context(tmp_path, tables: dict[str, pd.DataFrame], engine: str = "duckdb", **cfg) -> AnalysisContext:
    wh = open_warehouse(tmp_path)
    for name, frame in tables.items():
        wh.write_table(name, frame)
    if engine != "duckdb":
        wh.close()
        wh = open_warehouse(tmp_path, engine=engine)
    config = AreaConfig.model_validate(
        {"name": "Testshire", "short_name": "TS", "financial_years": [2019, 2020], **cfg}
    )
    return AnalysisContext(wh=wh, config=config, definition="test_def")


def health_tables() -> dict[str, pd.DataFrame]:
    off, dec = offences_frames()
    return {
        "geography": geography_frame(),
        "population": population_frame(),
        "ae_attendances": ae_frame(),
        "admissions": admissions_frame(),
        "ambulance": ambulance_frame(),
        "offences": off,
        "offence_decisions": dec,
    }


def district_tables() -> dict[str, pd.DataFrame]:
    """Two districts for the age-standardised (DSR) comparison, worked by hand in test_health.py.

    North (D1, LSOA L1): 1,000 persons in each of the 19 five-year bands; South (D2, LSOA L2):
    2,000 in each band. Whole area 3,000 per band (57,000). 2020/21 A&E attendances, all aged 22
    (band 20-24): 40 from North, 10 from South, 5 with no home district (outside the area).
    """
    geo = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002"],
            "lsoa_name": ["North 001A", "South 001A"],
            "ward_code": ["W1", "W2"],
            "ward_name": ["Ward One", "Ward Two"],
            "npa": ["North", "South"],
            "district_code": ["D1", "D2"],
            "district_name": ["North", "South"],
            "county_code": ["C1", "C1"],
            "county_name": ["Shire", "Shire"],
            "imd_decile": [1, 5],
            "longitude": [-1.1, -1.2],
            "latitude": [52.6, 52.7],
        }
    )
    pop = pd.DataFrame(
        [
            {"area_code": code, "year": y, "age_from": lo, "age_to": hi, "sex": "P", "population": per_band}
            for code, per_band in (("D1", 1000), ("D2", 2000))
            for y in (2019, 2020)
            for lo, hi in BANDS
        ]
    )
    homes = ["North"] * 40 + ["South"] * 10 + [None] * 5
    ae = pd.DataFrame(
        {
            "attendance_id": [f"A{i}" for i in range(len(homes))],
            "arrival_datetime": [dt.datetime(2020, 6, 1 + i % 28, 12, 0) for i in range(len(homes))],
            "age": [22] * len(homes),
            "sex": ["M"] * len(homes),
            "home_lsoa": ["E01000001" if h == "North" else "E01000002" if h == "South" else None for h in homes],
            "home_district_name": homes,
            "diagnosis": ["CONTUSION"] * len(homes),
            "diagnosis_description": ["Contusion/abrasion"] * len(homes),
            "assault_location_type": ["STREET"] * len(homes),
            "assault_method": ["BODY"] * len(homes),
            "person_key": ["k"] * len(homes),
        }
    )
    return {"geography": geo, "population": pop, "ae_attendances": ae}


def dq_tables() -> dict[str, pd.DataFrame]:
    """Police tables for the data-quality checks (profile Apr 2020 - Mar 2021), worked by hand.

    Offences O0-O9 in 2020/21 (O8 and O9 excluded from test_def: domestic); O10 in 2018 (outside
    the periods of 2019/20-2020/21). In test_def (O0-O7, 8 offences): knife_flag missing on O0,
    O1 (2 of 8); time_known false on O2 (1 of 8); suspects on O0-O5 only (2 of 8 without one).
    Suspects (6 rows, O0-O5): ethnicity Unknown on 3 (50%), sex U on 1; victims (8 rows, O0-O7):
    age missing on 1. Ledger: offences read 13 = loaded 11 + rejected 2; victims read 9, loaded 8,
    rejected 0 (does not reconcile); 2 offences excluded from test_def. A&E attendances: 3 rows,
    all in 2015 (outside the periods).
    """
    n = 11
    dates = [dt.datetime(2020, 5, 1 + i, 15, 0) for i in range(10)] + [dt.datetime(2018, 5, 1, 15, 0)]
    off = pd.DataFrame(
        {
            "offence_ref": [f"O{i}" for i in range(n)],
            "committed_from": dates,
            "offence_date": [d.date() for d in dates],
            "hour": [d.hour for d in dates],
            "knife_flag": [None, None] + [False] * (n - 2),
            "weapon_flag": [False] * n,
            "location_type": ["STREET"] * n,
            "sub_offence": ["ABH"] * n,
            "time_known": [True, True, False] + [True] * (n - 3),
        }
    )
    dec = pd.DataFrame(
        {
            "offence_ref": [f"O{i}" for i in range(n)],
            "definition": ["test_def"] * n,
            "included": [True] * 8 + [False, False, True],
            "reason": ["in definition"] * 8 + ["excluded: domestic"] * 2 + ["in definition"],
        }
    )

    def people(refs: list[str], **cols: list) -> pd.DataFrame:
        k = len(refs)
        base = {
            "offence_ref": refs,
            "person_key": [f"p{i}" for i in range(k)],
            "age": [30] * k,
            "sex": ["M"] * k,
            "ethnicity_group": ["White"] * k,
            "home_lsoa": ["E01000001"] * k,
        }
        base.update(cols)
        return pd.DataFrame(base)

    sus = people([f"O{i}" for i in range(6)], ethnicity_group=["Unknown"] * 3 + ["White"] * 3, sex=["U"] + ["M"] * 5)
    vic = people([f"O{i}" for i in range(8)], age=[None] + [30] * 7)
    ledger = pd.DataFrame(
        {
            "source": ["offences"] * 5 + ["victims", "victims"],
            "file": ["offences.csv"] * 5 + ["victims.csv"] * 2,
            "outcome": ["read", "loaded", "rejected", "rejected", "excluded", "read", "loaded"],
            "reason": ["csv", "", "invalid date (committed_from)", "unknown code (ho_code)",
                       "excluded by definition test_def: domestic", "csv", ""],
            "rows": [13, 11, 1, 1, 2, 9, 8],
            "definition": ["", "", "", "", "test_def", "", ""],
        }
    )  # fmt: skip
    ae = ae_frame().head(3).assign(arrival_datetime=[dt.datetime(2015, 1, 5, 10, 0)] * 3)
    return {
        "geography": geography_frame(),
        "population": population_frame(),
        "offences": off,
        "offence_decisions": dec,
        "suspects": sus,
        "victims": vic,
        "ledger": ledger,
        "ae_attendances": ae,
    }


def _builders():
    import types

    return types.SimpleNamespace(
        make_context=make_context,
        health_tables=health_tables,
        geography_frame=geography_frame,
        population_frame=population_frame,
        district_tables=district_tables,
        dq_tables=dq_tables,
    )


@pytest.fixture
def builders():
    """The fixture builders, for tests that assemble their own warehouse."""
    return _builders()


@pytest.fixture(scope="module")
def builders_module():
    """The same builders for module-scoped fixtures."""
    return _builders()
