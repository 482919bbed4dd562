"""A small partnership that is not LLR, built from scratch, with its raw rows and faults.

The Tamar Vale Serious Violence Partnership is invented: four districts of its own (names and
codes) laid over twelve real 2011 LSOA codes, two upper-tier areas, its own definition. Each
partner sends its extract its own way, as partners do:

- the council's geography lookup: a Windows-1252 CSV with its own column names (and a
  non-ASCII district name, Brélade);
- the police offences: a UTF-8 CSV exported from Excel (with a BOM), partner column names,
  dd/mm/yyyy dates, some date-only values;
- victims and suspects: the ``victims`` and ``suspects`` sheets of the workbook written by
  ``svsna init``, filled in under the template's own header;
- A&E assault attendances (ISTV-style CSV, partner names) and HES-style admissions (EPIKEY,
  ADMIDATE, STARTAGE, SEX 1/2, LSOA11, 4-character CAUSE);
- ONS populations by district, five-year band and sex.

Every row is kept here as the text written to the file (:class:`Row`), with the fault it
carries, if any (:class:`Fault`). The expected figures of the end-to-end test are worked
out from these raw rows with the standard library only (``expected_*`` functions): they
parse the text, apply the definition's rules as written in docs/definitions.md and count.
Nothing here calls svsna.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

NAME = "Tamar Vale Serious Violence Partnership"
SHORT = "TVSVP"
YEARS = (2021, 2022, 2023)  # financial years by starting year
EXTRACT_DATE = dt.date(2024, 6, 30)
KEY = "tamar-vale-test-key-not-for-real-data-0123456789"
MULTIPLIER = 1000
NTE_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4})  # 22:00-05:00, end exclusive

# district code -> (name, upper-tier code, upper-tier name, NPA, [(LSOA code, ward code, ward name)])
DISTRICTS: dict[str, tuple[str, str, str, str, list[tuple[str, str, str]]]] = {
    "TV001": (
        "Brélade",
        "TVN",
        "North Tamar",
        "Brélade and Coast",
        [("E01014370", "TVW01", "Anse"), ("E01014371", "TVW01", "Anse"), ("E01014372", "TVW02", "Quennevais")],
    ),
    "TV002": (
        "Kingsmead",
        "TVN",
        "North Tamar",
        "Kingsmead",
        [("E01014485", "TVW03", "Abbey"), ("E01014486", "TVW03", "Abbey"), ("E01014487", "TVW04", "Lansdown")],
    ),
    "TV003": (
        "Redcliffe Quay",
        "TVS",
        "South Tamar",
        "Quayside",
        [("E01014737", "TVW05", "Docks"), ("E01014738", "TVW05", "Docks"), ("E01014739", "TVW06", "Temple")],
    ),
    "TV004": (
        "Weston Levels",
        "TVS",
        "South Tamar",
        "Levels",
        [("E01014861", "TVW07", "Moor"), ("E01014862", "TVW07", "Moor"), ("E01014863", "TVW08", "Rhyne")],
    ),
}
LSOA_DISTRICT = {lsoa: d for d, (*_, lsoas) in DISTRICTS.items() for lsoa, _, _ in lsoas}
OUTSIDE_LSOA = "E01029018"  # a real 2011 LSOA, but not in this partnership
LLR_WORDS = ("LLR", "Leicester", "Leicestershire", "Rutland", "VRN", "Violence Reduction Network")

DEFINITION_NAME = "tamar_sv"
DEFINITION_YAML = """\
kind: serious_violence_definition
format_version: 1
name: tamar_sv
title: "Tamar Vale serious violence: injury, weapon and robbery offences in public places"
version: "2024.1"
source: "Tamar Vale Serious Violence Partnership strategy 2024 (invented for the svsna partner test)"
crime_groups: [Homicide, Violence with injury, Robbery]
criteria:
  offence_codes: ["1", "4/1", "2", "5D", "5E", "8N", "8P", "8S", "34A", "34B"]
  public_place_only: true
  exclude_domestic: true
"""
# The definition's rules, written out by hand from the YAML above and docs/definitions.md.
DEF_CODES = frozenset({"1", "4/1", "2", "5D", "5E", "8N", "8P", "8S", "34A", "34B"})
PUBLIC_PLACES = frozenset(
    {"STREET", "PARK", "CAR_PARK", "SHOP", "HOSPITALITY", "EDUCATION", "TRANSPORT", "HEALTH", "LEISURE", "COMMERCIAL"}
    | {"OTHER"}
)

# The partners' own column names, mapped in area.yaml `columns:` (field -> partner column).
GEOGRAPHY_COLUMNS = {
    "lsoa_code": "LSOA11CD",  # an accepted alias: needs no mapping
    "lsoa_name": "LSOA11NM",
    "ward_code": "Ward Code",
    "ward_name": "Ward Name",
    "npa": "Beat Area",
    "district_code": "Council Code",
    "district_name": "Council",
    "county_code": "Upper Tier Code",
    "county_name": "Upper Tier",
    "longitude": "Lon",
    "latitude": "Lat",
}
OFFENCE_COLUMNS = {
    "offence_ref": "Crime Number",
    "ho_code": "HOCR Code",
    "offence_description": "Offence Title",
    "committed_from": "Date From",
    "committed_to": "Date To",
    "location_type": "Location Category",
    "lsoa": "LSOA 2011",
    "weapon_flag": "Weapon Used",
    "knife_flag": "Bladed Article",
    "domestic_flag": "Domestic Abuse Marker",
}
AE_COLUMNS = {
    "attendance_id": "Attendance Ref",
    "arrival_datetime": "Arrived",
    "age": "Age",
    "sex": "Gender",
    "home_lsoa": "Patient LSOA",
    "diagnosis": "Injury Group",
    "assault_location_type": "Where Assaulted",
    "assault_method": "Weapon",
}
ADMISSION_COLUMNS = {  # HES APC field names; all but EPIKEY are accepted aliases
    "admission_id": "EPIKEY",
    "admission_date": "ADMIDATE",
    "age": "STARTAGE",
    "sex": "SEX",
    "home_lsoa": "LSOA11",
    "cause_code": "CAUSE",
}
MAPPINGS = {
    "geography": {k: v for k, v in GEOGRAPHY_COLUMNS.items() if k not in ("lsoa_code", "lsoa_name")},
    "offences": OFFENCE_COLUMNS,
    "ae_attendances": {k: v for k, v in AE_COLUMNS.items() if k not in ("attendance_id", "age")},
    "admissions": {"admission_id": "EPIKEY"},
}
PERSON_FIELDS = (
    "offence_ref",
    "person_id",
    "age",
    "sex",
    "ethnicity",
    "home_lsoa",
    "mental_health_flag",
    "drugs_flag",
    "knife_carrier_flag",
    "domestic_abuse_flag",
)
BANDS = [(lo, lo + 4) for lo in range(0, 90, 5)] + [(90, 120)]
BASE_POP = {"TV001": 300, "TV002": 500, "TV003": 400, "TV004": 250}  # per band, per sex, in 2021


@dataclass(frozen=True)
class Fault:
    """A deliberate fault: the column it is in and the rule it breaks.

    ``loaded`` says whether the row should end up loaded under the honest-ingest rules of
    issue 13 (a date-only time, an out-of-area home); ``today`` is the rule today's ingest
    gives where it differs (None: today's ingest loads the row).
    """

    column: str
    rule: str
    loaded: bool = False
    honest: bool = False
    """A rule from issue 13's "honest ingest" (handled differently before the ingest branch lands)."""


@dataclass
class Row:
    """One row as written to a partner file (text cells, by contract field) and its fault."""

    cells: dict[str, str]
    fault: Fault | None = None
    line: int = 0
    """The row number as the file shows it (header = 1), set when the file is written."""

    @property
    def loads(self) -> bool:
        return self.fault is None or self.fault.loaded


@dataclass
class Partnership:
    geography: list[Row] = field(default_factory=list)
    population: list[Row] = field(default_factory=list)
    offences: list[Row] = field(default_factory=list)
    victims: list[Row] = field(default_factory=list)
    suspects: list[Row] = field(default_factory=list)
    ae_attendances: list[Row] = field(default_factory=list)
    admissions: list[Row] = field(default_factory=list)

    def rows(self, source: str) -> list[Row]:
        return getattr(self, source)

    @property
    def sources(self) -> tuple[str, ...]:
        return ("geography", "population", "offences", "victims", "suspects", "ae_attendances", "admissions")


# ------------------------------------------------------------------------------------ building


def _fy_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


def _uk(when: dt.datetime) -> str:
    return when.strftime("%d/%m/%Y %H:%M")


def _random_time(rng: random.Random, year: int) -> dt.datetime:
    start = dt.datetime(year, 4, 1)
    minutes = rng.randrange(0, 365 * 24 * 60)
    when = start + dt.timedelta(minutes=minutes)
    if rng.random() < 0.4:  # night-time economy is busy
        when = when.replace(hour=rng.choice([22, 23, 0, 1, 2]))
    return when


def build() -> Partnership:
    """The partnership's raw rows, faults placed among the good rows."""
    rng = random.Random(20240630)
    p = Partnership()

    # -- geography (13 rows: 12 LSOAs and a blank line)
    for code, (name, ut_code, ut_name, npa, lsoas) in DISTRICTS.items():
        for i, (lsoa, ward_code, ward_name) in enumerate(lsoas):
            p.geography.append(
                Row(
                    {
                        "lsoa_code": lsoa,
                        "lsoa_name": f"{name} 00{i + 1}A",
                        "ward_code": ward_code,
                        "ward_name": ward_name,
                        "npa": npa,
                        "district_code": code,
                        "district_name": name,
                        "county_code": ut_code,
                        "county_name": ut_name,
                        "longitude": f"{-2.9 + 0.05 * len(p.geography):.4f}",
                        "latitude": f"{51.3 + 0.03 * len(p.geography):.4f}",
                    }
                )
            )
    # A geography row that breaks a rule makes the whole lookup unusable (ingest stops, see
    # docs/ingest.md); the one fault a usable lookup may carry is a blank line.
    p.geography.insert(5, Row(dict.fromkeys(GEOGRAPHY_COLUMNS, ""), Fault("", "blank row")))

    # -- population: 4 districts x 3 years x 19 bands x 2 sexes, and two bad rows for 2020
    for code, base in BASE_POP.items():
        for year in YEARS:
            for b, (lo, hi) in enumerate(BANDS):
                for s, sex in enumerate(("M", "F")):
                    n = base + 7 * (year - 2021) + 3 * b - 2 * s - (base // 2 if lo >= 75 else 0)
                    age = "90+" if lo == 90 else f"{lo}-{hi}"
                    p.population.append(
                        Row({"area_code": code, "year": str(year), "age": age, "sex": sex, "population": str(n)})
                    )
    p.population.insert(
        40,
        Row(
            {"area_code": "TV001", "year": "2020", "age": "0-4", "sex": "M", "population": "-5"},
            Fault("population", "below minimum"),
        ),
    )
    p.population.insert(
        90,
        Row(
            {"area_code": "TV002", "year": "2020", "age": "15 to 19", "sex": "F", "population": "410"},
            Fault("age", "invalid age band"),
        ),
    )

    # -- offences: in and out of the definition, every year and district
    codes_in = ["8N", "8N", "8N", "8N", "5D", "34B", "34B", "2", "8S", "8P"]
    places = ["STREET", "STREET", "HOSPITALITY", "PARK", "SHOP", "TRANSPORT", "CAR_PARK", "EDUCATION"]
    words = {
        "8N": "Assault – ABH (s.47)",
        "5D": "Wounding with intent (s.18)",
        "34B": "Robbery – personal property",
        "2": "Attempted murder",
        "8S": "Assault on a constable – ABH",
        "8P": "Racially aggravated ABH",
        "105A": "Common assault",
        "8L": "Harassment",
    }
    in_counts = {2021: (5, 7, 4, 3), 2022: (6, 9, 5, 2), 2023: (4, 8, 6, 4)}
    seq = 0

    def offence(when: dt.datetime | dt.date, ho: str, place: str, lsoa: str, domestic: str, **kw: str) -> Row:
        nonlocal seq
        seq += 1
        ref = f"TV/{when:%y}/{seq:06d}"
        timed = isinstance(when, dt.datetime)
        to = ""
        if timed and rng.random() < 0.6:
            to = _uk(when + dt.timedelta(minutes=rng.choice([5, 20, 45])))
        cells = {
            "offence_ref": ref,
            "ho_code": ho,
            "offence_description": words[ho],
            "committed_from": _uk(when) if timed else when.strftime("%d/%m/%Y"),
            "committed_to": to,
            "location_type": place,
            "lsoa": lsoa,
            "weapon_flag": rng.choice(["Y", "N", "N", ""]),
            "knife_flag": rng.choice(["Y", "N", "N", "N"]),
            "domestic_flag": domestic,
        }
        cells.update(kw)
        return Row(cells)

    for year, per_district in in_counts.items():
        for (_code, (*_, lsoas)), n in zip(DISTRICTS.items(), per_district, strict=True):
            for _ in range(n):
                lsoa = rng.choice(lsoas)[0]
                p.offences.append(offence(_random_time(rng, year), rng.choice(codes_in), rng.choice(places), lsoa, "N"))
            # out of the definition: a code it leaves out, a dwelling, a domestic assault in the street
            p.offences.append(offence(_random_time(rng, year), "105A", "STREET", lsoas[0][0], "N"))
            p.offences.append(offence(_random_time(rng, year), "8N", "DWELLING", lsoas[1][0], "N"))
            p.offences.append(offence(_random_time(rng, year), "8N", "STREET", lsoas[2][0], "Y"))
    rng.shuffle(p.offences)
    # edges: the first minute of the first year, the last minute of the last, before and after the years
    p.offences.append(offence(dt.datetime(2021, 4, 1, 0, 30), "8N", "STREET", "E01014370", "N"))
    p.offences.append(offence(dt.datetime(2024, 3, 31, 23, 59), "34B", "PARK", "E01014863", "N"))
    p.offences.append(offence(dt.datetime(2021, 3, 31, 23, 0), "8N", "STREET", "E01014485", "N"))
    p.offences.append(offence(dt.datetime(2024, 4, 2, 1, 0), "8N", "STREET", "E01014485", "N"))
    # date-only values (no time): counted in their year, left out of the hour and NTE figures
    p.offences.append(offence(dt.date(2022, 7, 14), "8N", "STREET", "E01014486", "N"))
    p.offences.append(offence(dt.date(2022, 12, 3), "34B", "SHOP", "E01014738", "N"))
    p.offences[-2].fault = Fault("committed_from", "date without a time", loaded=True, honest=True)
    p.offences[-1].fault = Fault("committed_from", "date without a time", loaded=True, honest=True)

    def bad(column: str, rule: str, honest: bool = False, **cells: str) -> Row:
        base = offence(dt.datetime(2022, 10, 1, 12, 0), "8N", "STREET", "E01014737", "N")
        base.cells.update(cells)
        base.fault = Fault(column, rule, honest=honest)
        return base

    good = [r for r in p.offences if r.fault is None]
    dup_of, case_of = good[10], good[-7]
    case_of.cells.update(ho_code="105A", offence_description=words["105A"])  # out of the definition
    faults = [
        bad("ho_code", "unknown code", ho_code="99Z"),
        bad("committed_from", "invalid date/time", committed_from="31/02/2022 14:00", committed_to=""),
        bad("committed_from", "date in the future", committed_from="15/09/2024 10:00", committed_to=""),
        bad("lsoa", "LSOA not in geography", lsoa=OUTSIDE_LSOA),
        bad("location_type", "missing required value", location_type=""),
        bad("location_type", "unknown code", location_type="BEACH"),
        Row(dict(dup_of.cells), Fault("offence_ref", "duplicate key")),
        bad("domestic_flag", "not a yes/no value", domestic_flag="maybe"),
        bad("committed_to", "end before start", committed_from="01/10/2022 12:00", committed_to="30/09/2022 23:00"),
        Row(dict.fromkeys(OFFENCE_COLUMNS, ""), Fault("", "blank row")),
        bad("offence_ref", "missing required value", offence_ref=""),
        bad(
            "committed_from",
            "placeholder date",
            honest=True,
            committed_from="01/01/1900 00:00",
            committed_to="",
            ho_code="105A",
        ),
        Row(
            dict(case_of.cells, offence_ref=case_of.cells["offence_ref"].lower() + " "),
            Fault("offence_ref", "duplicate key", honest=True),
        ),
    ]
    for i, row in enumerate(faults):  # spread through the file
        if row.fault.rule != "duplicate key":
            p.offences.insert(min(len(p.offences), 12 + 9 * i), row)
    for first, again in ((dup_of, faults[6]), (case_of, faults[12])):  # a repeat comes after its first
        p.offences.insert(p.offences.index(first) + 3, again)

    # -- victims and suspects (people with a fixed home, some involved more than once)
    loaded_offences = [r for r in p.offences if r.loads]
    lsoas = sorted(LSOA_DISTRICT)

    def person(prefix: str, i: int) -> dict[str, str]:
        prng = random.Random(f"{prefix}{i}")
        return {
            "person_id": f"{prefix}{i:05d}",
            "age": str(prng.choice([14, 16, 17, 19, 21, 23, 26, 31, 38, 45, 52, 67])),
            "sex": prng.choice(["M", "M", "F", "1", "2"]),
            "ethnicity": prng.choice(["A", "A", "C", "H", "N", "IC1", "Z"]),
            "home_lsoa": "" if i % 11 == 0 else prng.choice(lsoas),
            "mental_health_flag": prng.choice(["Y", "N", ""]),
            "drugs_flag": prng.choice(["Y", "N", ""]),
            "knife_carrier_flag": prng.choice(["N", "N", "Y"]),
            "domestic_abuse_flag": prng.choice(["N", ""]),
        }

    victims_pool = [person("VN", i) for i in range(1, 80)]
    suspects_pool = [person("SN", i) for i in range(1, 60)]
    for r in loaded_offences:
        ref = r.cells["offence_ref"]
        for _ in range(1 if rng.random() < 0.85 else 2):
            who = rng.choice(victims_pool)
            if any(v.cells["offence_ref"] == ref and v.cells["person_id"] == who["person_id"] for v in p.victims):
                continue
            p.victims.append(Row({"offence_ref": ref, **who}))
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            who = rng.choice(suspects_pool)
            if any(s.cells["offence_ref"] == ref and s.cells["person_id"] == who["person_id"] for s in p.suspects):
                continue
            p.suspects.append(Row({"offence_ref": ref, **who}))
    rejected_parent = faults[0].cells["offence_ref"]  # the offence with HO code 99Z
    out_of_def = next(r for r in loaded_offences if r.cells["ho_code"] == "105A" and r.fault is None)
    v0 = p.victims[3].cells
    victim_faults = [
        Row(dict(v0, offence_ref="TV/22/999999", person_id="VN09990"), Fault("offence_ref", "orphan reference")),
        Row(
            dict(v0, offence_ref=rejected_parent, person_id="VN09991"),
            Fault("offence_ref", "orphan reference", honest=True),
        ),
        Row(dict(v0, person_id="VN09992", age="150"), Fault("age", "age out of range")),
        Row(dict(v0, person_id="VN09993", sex="Q"), Fault("sex", "unknown code")),
        Row(dict(p.victims[8].cells), Fault("offence_ref, person_id", "duplicate key")),
        Row(dict(v0, person_id=""), Fault("person_id", "missing required value")),
        Row(
            dict(v0, offence_ref=out_of_def.cells["offence_ref"], person_id="VN09994", home_lsoa=OUTSIDE_LSOA),
            Fault("home_lsoa", "outside the area", loaded=True, honest=True),
        ),
    ]
    for i, row in enumerate(victim_faults):
        p.victims.insert(20 + 7 * i, row)
    s0 = p.suspects[2].cells
    suspect_faults = [
        Row(dict(s0, person_id="SN09990", ethnicity="ZZ"), Fault("ethnicity", "unknown code")),
        Row(dict(s0, person_id="SN09991", age="twenty"), Fault("age", "not a whole number")),
        Row(dict(s0, offence_ref="TV/23/888888", person_id="SN09992"), Fault("offence_ref", "orphan reference")),
    ]
    for i, row in enumerate(suspect_faults):
        p.suspects.insert(15 + 11 * i, row)

    # -- A&E attendances and HES admissions
    diagnoses = ["CONTUSION", "LACERATION", "FRACTURE", "HEAD_INJURY", "STAB"]
    for i in range(27):
        year = YEARS[i % 3]
        when = _random_time(rng, year)
        p.ae_attendances.append(
            Row(
                {
                    "attendance_id": f"ED{i + 1:06d}",
                    "arrival_datetime": _uk(when),
                    "age": str(16 + (i * 7) % 50),
                    "sex": ["M", "F", "1", "2"][i % 4],
                    "home_lsoa": "" if i % 9 == 0 else lsoas[i % 12],
                    "diagnosis": diagnoses[i % 5],
                    "assault_location_type": ["STREET", "HOSPITALITY", ""][i % 3],
                    "assault_method": ["BODY", "KNIFE", "BOTTLE", ""][i % 4],
                }
            )
        )
    p.ae_attendances.append(
        Row(dict(p.ae_attendances[0].cells, attendance_id="ED900001", arrival_datetime="01/04/2024 00:10"))
    )  # after the last year
    p.ae_attendances.insert(
        5,
        Row(
            dict(p.ae_attendances[1].cells, attendance_id="ED900002", diagnosis="BRUISE"),
            Fault("diagnosis", "unknown code"),
        ),
    )
    p.ae_attendances.insert(
        12,
        Row(
            dict(p.ae_attendances[2].cells, attendance_id="ED900003", arrival_datetime="2023-13-01 10:00"),
            Fault("arrival_datetime", "invalid date/time"),
        ),
    )
    p.ae_attendances.insert(
        20,
        Row(dict(p.ae_attendances[3].cells, attendance_id="ED900004", age=""), Fault("age", "missing required value")),
    )
    causes = ["Y04.0", "X99", "Y090", "Y08", "X99.1", "Y04"]
    for i in range(19):
        year = YEARS[i % 3]
        day = dt.date(year, 4, 1) + dt.timedelta(days=(i * 53) % 365)
        p.admissions.append(
            Row(
                {
                    "admission_id": f"{7000000 + i * 13}",
                    "admission_date": day.strftime("%d/%m/%Y"),
                    "age": str(17 + (i * 5) % 60),
                    "sex": ["1", "2", "1"][i % 3],
                    "home_lsoa": "" if i % 7 == 3 else lsoas[(i * 5) % 12],
                    "cause_code": causes[i % 6],
                }
            )
        )
    p.admissions.insert(
        4,
        Row(dict(p.admissions[0].cells, admission_id="7999001", cause_code="W01"), Fault("cause_code", "unknown code")),
    )
    p.admissions.insert(
        9,
        Row(
            dict(p.admissions[1].cells, admission_id="7999002", admission_date="20/08/2024"),
            Fault("admission_date", "date in the future"),
        ),
    )
    p.admissions.insert(15, Row(dict(p.admissions[6].cells), Fault("admission_id", "duplicate key")))
    return p


# ------------------------------------------------------------------------------------- writing


def _csv_text(rows: list[Row], names: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(names.values()))
    for line, row in enumerate(rows, start=2):
        row.line = line
        writer.writerow([row.cells.get(f, "") for f in names])
    return out.getvalue()


def write_files(p: Partnership, folder: Path, workbook: Path) -> dict[str, str]:
    """Write every partner file into ``folder`` and fill ``workbook``; returns ``inputs`` for area.yaml."""
    import openpyxl

    data = folder / "data"
    data.mkdir()
    (data / "council_geography.csv").write_bytes(_csv_text(p.geography, GEOGRAPHY_COLUMNS).encode("cp1252"))
    (data / "police_crimes.csv").write_bytes(_csv_text(p.offences, OFFENCE_COLUMNS).encode("utf-8-sig"))
    pop_names = {f: f for f in ("area_code", "year", "age", "sex", "population")}
    (data / "ons_population.csv").write_text(_csv_text(p.population, pop_names), encoding="utf-8")
    (data / "ed_assaults.csv").write_text(_csv_text(p.ae_attendances, AE_COLUMNS), encoding="utf-8")
    (data / "hes_apc_assault.csv").write_text(_csv_text(p.admissions, ADMISSION_COLUMNS), encoding="utf-8")

    book = openpyxl.load_workbook(workbook)
    for sheet in ("victims", "suspects"):
        ws = book[sheet]
        header = [c.value for c in ws[1]]
        for line, row in enumerate(p.rows(sheet), start=2):
            row.line = line
            for col, name in enumerate(header, start=1):
                value: str | int = row.cells.get(name, "")
                if name == "age" and value.isdigit():
                    value = int(value)  # typed into Excel as a number
                if value != "":
                    ws.cell(row=line, column=col, value=value)
    book.save(workbook)
    return {
        "geography": "data/council_geography.csv",
        "population": "data/ons_population.csv",
        "offences": "data/police_crimes.csv",
        "victims": f"{workbook.name}#victims",
        "suspects": f"{workbook.name}#suspects",
        "ae_attendances": "data/ed_assaults.csv",
        "admissions": "data/hes_apc_assault.csv",
    }


FILES = {
    "geography": "council_geography.csv",
    "population": "ons_population.csv",
    "offences": "police_crimes.csv",
    "victims": "extracts.xlsx, sheet victims",
    "suspects": "extracts.xlsx, sheet suspects",
    "ae_attendances": "ed_assaults.csv",
    "admissions": "hes_apc_assault.csv",
}


# ------------------------------------------------------- expected values, from the raw rows only


def _when(text: str) -> tuple[dt.datetime, bool]:
    """A dd/mm/yyyy [HH:MM] cell as a datetime and whether it carried a time."""
    if " " in text.strip():
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y %H:%M"), True
    return dt.datetime.strptime(text.strip(), "%d/%m/%Y"), False


def _fin_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def in_definition(p: Partnership) -> list[dict]:
    """Loaded offences the definition keeps: code listed, public place, not domestic."""
    out = []
    for r in p.offences:
        if not r.loads:
            continue
        c = r.cells
        if c["ho_code"] in DEF_CODES and c["location_type"] in PUBLIC_PLACES and c["domestic_flag"] != "Y":
            when, timed = _when(c["committed_from"])
            out.append({"ref": c["offence_ref"], "when": when, "timed": timed, "district": LSOA_DISTRICT[c["lsoa"]]})
    return out


def population(p: Partnership, year: int, district: str | None = None) -> int:
    return sum(
        int(r.cells["population"])
        for r in p.population
        if r.loads and int(r.cells["year"]) == year and (district is None or r.cells["area_code"] == district)
    )


def offences_by_year(p: Partnership) -> dict[str, int]:
    counts = Counter(_fin_year(o["when"].date()) for o in in_definition(p))
    return {_fy_label(y): counts.get(y, 0) for y in YEARS}


def offences_by_year_and_district(p: Partnership) -> dict[tuple[str, str], int]:
    counts = Counter((_fin_year(o["when"].date()), o["district"]) for o in in_definition(p))
    return {(_fy_label(y), DISTRICTS[d][0]): counts.get((y, d), 0) for y in YEARS for d in DISTRICTS}


def nte_by_year(p: Partnership) -> dict[str, tuple[int, int]]:
    """``period -> (NTE offences, offences with a known time)``; date-only offences are left out of both."""
    num: Counter = Counter()
    den: Counter = Counter()
    for o in in_definition(p):
        if not o["timed"]:
            continue
        y = _fin_year(o["when"].date())
        den[y] += 1
        num[y] += o["when"].hour in NTE_HOURS
    return {_fy_label(y): (num[y], den[y]) for y in YEARS}


def date_only_years(p: Partnership) -> set[str]:
    return {_fy_label(_fin_year(o["when"].date())) for o in in_definition(p) if not o["timed"]}


def _in_year(day: dt.date, year: int) -> bool:
    return dt.date(year, 4, 1) <= day <= dt.date(year + 1, 3, 31)


def health_by_year(p: Partnership, source: str) -> dict[str, int]:
    column = "arrival_datetime" if source == "ae_attendances" else "admission_date"
    out = {}
    for y in YEARS:
        days = [_when(r.cells[column])[0].date() for r in p.rows(source) if r.loads]
        out[_fy_label(y)] = sum(_in_year(d, y) for d in days)
    return out


def victims_by_home_district(p: Partnership, year: int) -> dict[str, int]:
    """Victim involvements in the year's in-definition offences, by the victim's home district."""
    refs = {o["ref"] for o in in_definition(p) if _in_year(o["when"].date(), year)}
    counts: Counter = Counter()
    for v in p.victims:
        if v.loads and v.cells["offence_ref"] in refs and v.cells["home_lsoa"] in LSOA_DISTRICT:
            counts[DISTRICTS[LSOA_DISTRICT[v.cells["home_lsoa"]]][0]] += 1
    return {DISTRICTS[d][0]: counts.get(DISTRICTS[d][0], 0) for d in DISTRICTS}


def resident_victims(p: Partnership, year: int) -> int:
    """Distinct victims (person_id) of the year's in-definition offences who live in the area."""
    refs = {o["ref"] for o in in_definition(p) if _in_year(o["when"].date(), year)}
    return len(
        {
            v.cells["person_id"]
            for v in p.victims
            if v.loads and v.cells["offence_ref"] in refs and v.cells["home_lsoa"] in LSOA_DISTRICT
        }
    )


def ledger(p: Partnership) -> dict[str, dict[str, object]]:
    """Per source: rows read, loaded and rejected, and rejected rows by reason, under issue 13's rules."""
    out = {}
    for source in p.sources:
        rows = p.rows(source)
        reasons: Counter = Counter()
        for r in rows:
            if not r.loads:
                reasons[r.fault.rule if r.fault.rule == "blank row" else f"{r.fault.rule} ({r.fault.column})"] += 1
        out[source] = {
            "read": len(rows),
            "loaded": sum(r.loads for r in rows),
            "rejected": sum(not r.loads for r in rows),
            "reasons": dict(reasons),
        }
    return out


def faults(p: Partnership) -> list[tuple[str, Row]]:
    return [(s, r) for s in p.sources for r in p.rows(s) if r.fault is not None]


def count_faults(p: Partnership) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for source, _ in faults(p):
        counts[source] += 1
    return dict(counts)
