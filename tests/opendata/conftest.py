"""Fixtures for the open-data tests: the real Leicestershire files and a hand-made second force.

The real files live outside the repository (``../shared/data`` from the repo root, or
``$SVSNA_SHARED_DATA``); tests that need them are skipped when they are absent.
"""

from __future__ import annotations

import csv
import gzip
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path | None:
    env = os.environ.get("SVSNA_SHARED_DATA")
    for cand in ([Path(env)] if env else []) + [REPO / ".." / "shared" / "data"]:
        if (cand / "police" / "street").is_dir():
            return cand.resolve()
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = shared_data_dir()
    if d is None:
        pytest.skip("shared Leicestershire data not found (set SVSNA_SHARED_DATA or put it in ../shared/data)")
    return d


@pytest.fixture(scope="session")
def raw_street_rows(shared_data: Path) -> list[dict[str, str]]:
    """Every row of the 35 street files, read with the csv module (independently of svsna)."""
    rows = []
    for f in sorted((shared_data / "police" / "street").glob("*-leicestershire-street.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                r["_file"] = f.name
                rows.append(r)
    return rows


@pytest.fixture(scope="session")
def llr_lsoa_to_lad(shared_data: Path) -> dict[str, str]:
    with (shared_data / "geography" / "lookups" / "lookup_lsoa11_ltla21_llr.csv").open(encoding="utf-8") as fh:
        return {r["lsoa11_code"]: r["ltla21_name"] for r in csv.DictReader(fh)}


@pytest.fixture(scope="session")
def leics_run(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """One full open-data run on Leicestershire, FY2020/21 and FY2021/22 (shared by the tests)."""
    from svsna.opendata.assessment import run_opendata

    out = tmp_path_factory.mktemp("leics")
    return run_opendata(shared_data, "leicestershire", [2020, 2021], out, build_report=False)


@pytest.fixture(scope="session")
def avon_rows(shared_data: Path) -> list[dict[str, str]]:
    """Every row of the 12 Avon and Somerset street files (PROVENANCE.md section 1b), read with csv."""
    rows = []
    files = sorted((shared_data / "police" / "street").glob("*-avon-and-somerset-street.csv.gz"))
    if len(files) != 12:
        pytest.skip("the 12 Avon and Somerset street files are not in the shared data folder")
    for f in files:
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                r["_file"] = f.name
                rows.append(r)
    return rows


@pytest.fixture(scope="session")
def avon_street_only(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding only Avon and Somerset's 12 street files (links to the shared copies)."""
    root = tmp_path_factory.mktemp("avon") / "data"
    street = root / "police" / "street"
    street.mkdir(parents=True)
    for f in sorted((shared_data / "police" / "street").glob("*-avon-and-somerset-street.csv.gz")):
        (street / f.name).symlink_to(f)
    return root


@pytest.fixture(scope="session")
def avon_run(avon_street_only: Path, tmp_path_factory: pytest.TempPathFactory):
    """One open-data run on Avon and Somerset 2021/22 from the street files alone (no report)."""
    from svsna.opendata.assessment import run_opendata

    out = tmp_path_factory.mktemp("avon_out")
    return run_opendata(avon_street_only, "avon-and-somerset", [2021], out, build_report=False, workbook=False)


# --------------------------------------------------------------------------------------------
# A hand-made third force: West Yorkshire (another region than either real force), FY2021/22,
# street files only. The LSOA codes are real 2011 LSOAs: three in Leeds, two in Bradford.
# --------------------------------------------------------------------------------------------
WY_LSOAS = {
    # code: (name as ONS names it, lad_code, lad_name, IMD 2019 decile)
    "E01011264": ("Leeds 011A", "E08000035", "Leeds", 5),
    "E01011265": ("Leeds 009A", "E08000035", "Leeds", 7),
    "E01011266": ("Leeds 008A", "E08000035", "Leeds", 10),
    "E01010568": ("Bradford 016A", "E08000032", "Bradford", 8),
    "E01010569": ("Bradford 016B", "E08000032", "Bradford", 2),
}
OUTSIDE_LSOA = "E01013606"  # Leicester 008A: a 2011 LSOA of another force (Leicestershire)
TAUNTON_LSOA = "E01029276"  # Taunton Deane 002A: another force (Avon and Somerset), now in Somerset
NOT_LSOA11 = "E01035224"  # not a 2011 LSOA code (a 2021-style code)
# Each month: (LSOA, crime type); "" = no location.
WY_MONTH_ROWS = [
    ("E01011264", "Violence and sexual offences"),
    ("E01011264", "Violence and sexual offences"),
    ("E01011264", "Violence and sexual offences"),
    ("E01011264", "Robbery"),
    ("E01011264", "Anti-social behaviour"),
    ("E01011265", "Violence and sexual offences"),
    ("E01011266", "Violence and sexual offences"),
    ("E01010568", "Violence and sexual offences"),
    ("E01010568", "Violence and sexual offences"),
    ("E01010568", "Possession of weapons"),
    ("E01010569", "Burglary"),
    ("", "Violence and sexual offences"),
    (OUTSIDE_LSOA, "Violence and sexual offences"),
]
WY_MONTHS = [f"2021-{m:02d}" for m in range(4, 13)] + [f"2022-{m:02d}" for m in range(1, 4)]
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)
_NAMES = {OUTSIDE_LSOA: "Leicester 008A", TAUNTON_LSOA: "Taunton Deane 002A", NOT_LSOA11: "Leeds 111Z"}


def _row(i: int, month: str, lsoa: str, crime_type: str, lon: str = "-1.5", lat: str = "53.8") -> str:
    asb = crime_type == "Anti-social behaviour"
    crime_id = "" if asb else f"{i:064x}"
    outcome = "" if asb else "Unable to prosecute suspect"
    name = (WY_LSOAS[lsoa][0] if lsoa in WY_LSOAS else _NAMES[lsoa]) if lsoa else ""
    if not lsoa:
        lon = lat = ""
    return (
        f"{crime_id},{month},West Yorkshire Police,West Yorkshire Police,{lon},{lat},On or near Park Lane,"
        f"{lsoa},{name},{crime_type},{outcome},"
    )


def make_west_yorkshire(root: Path) -> Path:
    """Write the hand-made West Yorkshire data folder under ``root`` and return it: street files only.

    Street files: 2021-04..2021-09 in the archive layout (plain CSV), 2021-10..2022-03 loose
    and gzipped. 2021-05 also has five bad rows: month 2021-13, month 2021-06 (differs from
    the file), crime type "Knife crime", longitude "abc", and a row with too few fields; and
    2021-06 has two more rows: a robbery in Taunton Deane 002A (Avon and Somerset) and a VSO
    whose LSOA code is not a 2011 LSOA.
    """
    street = root / "police" / "street"
    i = 0
    for month in WY_MONTHS:
        lines = [HEADER]
        for lsoa, ctype in WY_MONTH_ROWS:
            i += 1
            lines.append(_row(i, month, lsoa, ctype))
        if month == "2021-05":
            lines.append(_row(9001, "2021-13", "E01011264", "Robbery"))
            lines.append(_row(9002, "2021-06", "E01011264", "Robbery"))
            lines.append(_row(9003, month, "E01011264", "Knife crime"))
            lines.append(_row(9004, month, "E01011264", "Robbery", lon="abc"))
            lines.append("deadbeef,2021-05,West Yorkshire Police")
        if month == "2021-06":
            lines.append(_row(9005, month, TAUNTON_LSOA, "Robbery"))
            lines.append(_row(9006, month, NOT_LSOA11, "Violence and sexual offences"))
        text = "\n".join(lines) + "\n"
        name = f"{month}-west-yorkshire-street.csv"
        if month < "2021-10":
            (street / month).mkdir(parents=True, exist_ok=True)
            (street / month / name).write_text(text, encoding="utf-8")
        else:
            street.mkdir(parents=True, exist_ok=True)
            with gzip.open(street / f"{name}.gz", "wt", encoding="utf-8") as fh:
                fh.write(text)
    return root


def add_lsoa_population(root: Path, populations: dict[str, int], year: int = 2021) -> Path:
    """Add an ONS-style LSOA population file (``population<YY>_lsoa11_wy.csv``) to the data folder."""
    pop = root / "population"
    pop.mkdir(exist_ok=True)
    rows = ['"lsoa11_name","lsoa11_code","total_population"']
    rows += [f'"{WY_LSOAS[k][0]}","{k}",{v}' for k, v in populations.items()]
    f = pop / f"population{year % 100:02d}_lsoa11_wy.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return f


def ons_population_2020(shared: Path) -> dict[str, int]:
    """ONS mid-2020 persons by local authority (April 2021 codes), read from the shared data file."""
    with (shared / "population" / "population20_ltla21.csv").open(encoding="utf-8") as fh:
        return {r["ltla21_code"]: int(r["total_population"]) for r in csv.DictReader(fh)}


@pytest.fixture
def west_yorkshire(tmp_path: Path) -> Path:
    return make_west_yorkshire(tmp_path / "data")


@pytest.fixture(scope="session")
def west_yorkshire_shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made West Yorkshire folder, built once per session (do not modify it)."""
    return make_west_yorkshire(tmp_path_factory.mktemp("wy") / "data")
