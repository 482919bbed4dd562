"""A small hand-built warehouse for the analysis tests.

Everything here is written directly in the documented warehouse schema
(CONTRIBUTING.md "Warehouse tables"); derived offence columns (weekday, hour, month,
district ...) are filled from the two small lookups below with the standard library,
not by svsna's ingest code. The expected values in the tests are worked out by hand
from the tables in this file; see the comments next to each offence.

Area: two counties. City (a unitary: district = county, LSOAs L1 and L2) and Shire
(districts Northtown, LSOA L3, and Southvale, LSOA L4; Southvale has no offences).

Population (every year 2018-2021, district rows, 19 five-year bands x M/F):
City 200 per band per sex (7,600; under 25: 2,000), Northtown and Southvale 100 per band
per sex (3,800 each; under 25: 1,000). Whole area 15,200; under 25 4,000; 25+ 11,200;
every five-year band 800 persons (400 M, 400 F).

Periods: 2019/20, 2020/21 and 2021/22 (Apr-Sep); profile Apr 2020 - Sep 2021.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from svsna.config import AreaConfig
from svsna.engine import open_warehouse

L1, L2, L3, L4 = "E01000001", "E01000002", "E01000003", "E01000004"

GEO = pd.DataFrame(
    {
        "lsoa_code": [L1, L2, L3, L4],
        "lsoa_name": ["City 001A", "City 001B", "Northtown 001A", "Southvale 001A"],
        "ward_code": ["E05000001", "E05000002", "E05000003", "E05000004"],
        "ward_name": ["Riverside", "Castle", "Northgate", "Southgate"],
        "npa": ["City West", "City East", "North", "South"],
        "district_code": ["E06000001", "E06000001", "E07000001", "E07000002"],
        "district_name": ["City", "City", "Northtown", "Southvale"],
        "county_code": ["E06000001", "E06000001", "E10000001", "E10000001"],
        "county_name": ["City", "City", "Shire", "Shire"],
        "imd_decile": [1, 2, 5, 10],
        "longitude": [-1.10, -1.09, -1.20, -1.00],
        "latitude": [52.60, 52.61, 52.70, 52.50],
    }
)

HO = {  # ho_code -> (ho_description, crime_group)
    "8N": ("Assault with injury", "Violence with injury"),
    "34B": ("Robbery of personal property", "Robbery"),
    "2": ("Attempted murder", "Violence with injury"),
    "5D": ("Assault with intent to cause serious harm", "Violence with injury"),
    "105A": ("Assault without injury", "Violence without injury"),
}
SUB = {  # short name -> (sub_offence, harm_rank)
    "ABH": ("S47 - Assault occasioning actual bodily harm (ABH)", 2),
    "GBH": ("S20 - Wounding or inflicting grievous bodily harm (GBH)", 3),
    "ROB": ("Robbery of personal property", 3),
    "AM": ("Attempted murder", 5),
    "S18": ("S18 - Wounding or GBH with intent", 4),
    "CA": (None, 1),
}
SETTING = {"STREET": "Public/open place", "HOSPITALITY": "Hospitality", "SHOP": "Shop", "EDUCATION": "Education"}

# ref, date, hour, ho_code, sub, lsoa, location, knife, included
OFFENCES = [
    # 2019/20: ten in-definition assaults at 14:00 in L1 (X01-X06 by Q2 aged 20, X07-X10 by Q1 aged 30)
    *[
        (f"X{i:02d}", dt.date(2019, 5, 3) + dt.timedelta(days=30 * (i - 1)), 14, "8N", "ABH", L1, "STREET", False, True)
        for i in range(1, 11)
    ],
    # history before the configured periods (not in the definition)
    ("H00", dt.date(2018, 1, 10), 12, "8N", "ABH", L4, "DWELLING", False, False),  # P1 a victim
    ("H01", dt.date(2018, 6, 1), 16, "105A", "CA", L1, "STREET", False, False),  # P1's first offence, aged 15
    # profile period: 2020/21 (O01-O08) and 2021/22 Apr-Sep (O09-O12)
    ("O01", dt.date(2020, 4, 4), 23, "8N", "ABH", L1, "STREET", False, True),  # Sat
    ("O02", dt.date(2020, 5, 9), 15, "8N", "GBH", L1, "HOSPITALITY", True, True),  # Sat
    ("O03", dt.date(2020, 8, 15), 22, "34B", "ROB", L2, "STREET", True, True),  # Sat
    ("O04", dt.date(2020, 10, 5), 15, "8N", "ABH", L3, "SHOP", False, True),  # Mon
    ("O05", dt.date(2020, 12, 1), 1, "2", "AM", L2, "STREET", True, True),  # Tue
    ("O06", dt.date(2021, 1, 20), 15, "8N", "ABH", L3, "STREET", None, True),  # Wed, knife not recorded
    ("O07", dt.date(2021, 2, 14), 23, "8N", "ABH", L1, "STREET", False, True),  # Sun
    ("O08", dt.date(2021, 3, 10), 10, "5D", "S18", L1, "STREET", False, True),  # Wed, no suspect
    ("O09", dt.date(2021, 5, 1), 23, "8N", "ABH", L2, "STREET", False, True),  # Sat
    ("O10", dt.date(2021, 6, 5), 15, "8N", "ABH", L3, "EDUCATION", False, True),  # Sat
    ("O11", dt.date(2021, 7, 4), 2, "34B", "ROB", L1, "STREET", True, True),  # Sun
    ("O12", dt.date(2021, 9, 30), 15, "8N", "ABH", L1, "SHOP", False, True),  # Thu
    # a domestic assault excluded from the definition
    ("E01", dt.date(2020, 7, 1), 20, "8N", "ABH", L2, "STREET", False, False),
]

# offence_ref, person_key, age, sex, ethnicity_group, home_lsoa, flags (mental, drugs, knife_carrier, da)
SUSPECTS = [
    *[(f"X{i:02d}", "Q2", 20, "M", "White", L1, None) for i in range(1, 7)],
    *[(f"X{i:02d}", "Q1", 30, "M", "White", L3, None) for i in range(7, 11)],
    ("H01", "P1", 15, "M", "White", L1, None),
    ("O01", "P1", 17, "M", "White", L1, (True, False, False, False)),
    ("O02", "P1", 17, "M", "White", L1, None),
    ("O03", "P1", 17, "M", "White", L1, None),
    ("O03", "P5", 22, "M", "Black", L2, None),
    ("O04", "P2", 30, "F", "Asian", L3, None),
    ("O05", "P1", 17, "M", "White", L1, None),
    ("O06", "P2", 31, "F", "Asian", L3, None),
    ("O07", "P4", None, "U", "Unknown", None, None),
    ("O09", "P3", 40, "M", "Black", L2, None),
    ("O10", "P6", 14, "F", "White", L3, None),
    ("O11", "P1", 18, "M", "White", L1, (False, False, True, False)),
    ("O12", "P3", 40, "M", "Black", L2, None),
    ("E01", "P7", 35, "M", "White", L2, None),
]
VICTIMS = [
    *[(f"X{i:02d}", f"W{i:02d}", 25, "M", "White", L1, None) for i in range(1, 11)],
    ("H00", "P1", 14, "M", "White", L1, (False, False, False, True)),
    ("H01", "V0", 40, "M", "White", L1, None),
    ("O01", "V1", 18, "M", "White", L2, None),
    ("O02", "V2", 30, "F", "Asian", L3, None),
    ("O03", "V3", 16, "M", "Black", L2, None),
    ("O04", "V4", 29, "F", "White", L3, None),
    ("O05", "V1", 18, "M", "White", L2, None),
    ("O06", "V5", 31, "F", "White", L3, None),
    ("O07", "V6", 40, "M", "Unknown", None, None),
    ("O08", "V7", 22, "M", "White", L1, None),
    ("O09", "P1", 18, "M", "White", L1, None),
    ("O10", "V8", 14, "F", "White", L3, None),
    ("O11", "V9", 19, "M", "Asian", L1, None),
    ("O12", "V10", 45, "M", "White", L4, None),
    ("E01", "V11", 33, "F", "White", L2, None),
]


def _geo_row(lsoa: str) -> dict:
    return GEO.set_index("lsoa_code").loc[lsoa].to_dict()


def offences_frame() -> pd.DataFrame:
    rows = []
    for ref, day, hour, ho, sub, lsoa, loc, knife, _inc in OFFENCES:
        g = _geo_row(lsoa)
        when = dt.datetime.combine(day, dt.time(hour, 30))
        desc, group = HO[ho]
        sub_offence, harm = SUB[sub]
        rows.append(
            {
                "offence_ref": ref,
                "ho_code": ho,
                "offence_description": sub_offence or desc,
                "committed_from": when,
                "committed_to": when + dt.timedelta(minutes=10),
                "location_type": loc,
                "lsoa": lsoa,
                "weapon_flag": knife,
                "knife_flag": knife,
                "domestic_flag": ref == "E01",
                "ho_description": desc,
                "crime_group": group,
                "sub_offence": sub_offence,
                "harm_rank": harm,
                "setting": SETTING.get(loc, "Dwelling"),
                "public_place": loc != "DWELLING",
                "offence_date": day,
                "hour": hour,
                "weekday": day.weekday(),
                "month_start": day.replace(day=1),
                "fin_year": day.year if day.month >= 4 else day.year - 1,
                "ward_name": g["ward_name"],
                "npa": g["npa"],
                "district_code": g["district_code"],
                "district_name": g["district_name"],
                "county_name": g["county_name"],
            }
        )
    df = pd.DataFrame(rows)
    for c in ("weapon_flag", "knife_flag"):
        df[c] = df[c].astype("boolean")
    return df


def people_frame(rows: list[tuple]) -> pd.DataFrame:
    out = []
    for ref, key, age, sex, eth, home, flags in rows:
        g = _geo_row(home) if home else {}
        mh, dr, kc, da = flags or (False, False, False, False)
        out.append(
            {
                "offence_ref": ref,
                "person_key": key,
                "age": age,
                "sex": sex,
                "ethnicity_code": {"White": "A", "Asian": "H", "Black": "N"}.get(eth, "Z"),
                "ethnicity_group": eth,
                "home_lsoa": home,
                "home_ward_name": g.get("ward_name"),
                "home_npa": g.get("npa"),
                "home_district_name": g.get("district_name"),
                "mental_health_flag": mh,
                "drugs_flag": dr,
                "knife_carrier_flag": kc,
                "domestic_abuse_flag": da,
            }
        )
    df = pd.DataFrame(out)
    df["age"] = df["age"].astype("Int64")
    return df


def population_frame(level: str = "district") -> pd.DataFrame:
    """District rows, or (``level="lsoa"``) the same people as LSOA rows: City's 200 per band
    and sex split 100/100 between L1 and L2; L3 = Northtown, L4 = Southvale."""
    rows = []
    areas = (
        (("E06000001", 200), ("E07000001", 100), ("E07000002", 100))
        if level == "district"
        else ((L1, 100), (L2, 100), (L3, 100), (L4, 100))
    )
    for code, per in areas:
        for year in (2018, 2019, 2020, 2021):
            for lo in range(0, 95, 5):
                hi = 120 if lo == 90 else lo + 4
                for sex in ("M", "F"):
                    rows.append(
                        {"area_code": code, "year": year, "age_from": lo, "age_to": hi, "sex": sex, "population": per}
                    )
    return pd.DataFrame(rows)


def decisions_frame(definitions: tuple[str, ...] = ("llr_vrn",)) -> pd.DataFrame:
    rows = []
    for d in definitions:
        for ref, *_rest, inc in OFFENCES:
            rows.append(
                {
                    "offence_ref": ref,
                    "definition": d,
                    "included": inc,
                    "reason": "in definition"
                    if inc
                    else ("excluded: domestic" if ref == "E01" else "excluded: offence code not in definition"),
                }
            )
    return pd.DataFrame(rows)


def build_warehouse(
    path, *, suspects: bool = True, definitions: tuple[str, ...] = ("llr_vrn",), population: str = "district"
):
    wh = open_warehouse(path)
    wh.write_table("geography", GEO)
    wh.write_table("population", population_frame(population))
    wh.write_table("offences", offences_frame())
    wh.write_table("offence_decisions", decisions_frame(definitions))
    wh.write_table("victims", people_frame(VICTIMS))
    if suspects:
        wh.write_table("suspects", people_frame(SUSPECTS))
    return wh


def make_config(**overrides) -> AreaConfig:
    cfg = {
        "name": "Testshire",
        "short_name": "TS",
        "financial_years": [2019, 2020],
        "latest": {"start": "2021-04-01", "end": "2021-09-30"},
        "events": [{"date": "2020-03-23", "label": "First lockdown"}],
    }
    cfg.update(overrides)
    return AreaConfig.model_validate(cfg)


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory):
    wh = build_warehouse(tmp_path_factory.mktemp("wh"))
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def config():
    return make_config()


@pytest.fixture
def ctx(warehouse, config):
    from svsna.analyses._base import AnalysisContext

    return AnalysisContext(warehouse, config, "llr_vrn")


def value(rows: pd.DataFrame, indicator: str, breakdown: str = "all", breakdown_value: str = "all", period=None):
    """The single value of an indicator row (fails loudly when absent or ambiguous)."""
    sel = rows[
        (rows.indicator == indicator) & (rows.breakdown == breakdown) & (rows.breakdown_value == breakdown_value)
    ]
    if period is not None:
        sel = sel[sel.period == period]
    assert len(sel) == 1, f"{indicator} {breakdown}={breakdown_value} period={period}: {len(sel)} rows"
    return sel.iloc[0]


@pytest.fixture(name="value", scope="session")
def _value_fixture():
    return value


@pytest.fixture(name="build", scope="session")
def _build_fixture():
    return build_warehouse


@pytest.fixture(name="make_cfg", scope="session")
def _make_cfg_fixture():
    return make_config
