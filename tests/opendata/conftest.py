"""Fixtures for the open-data tests: the real Leicestershire files and a hand-made second force.

The real files live outside the repository (``../shared/data`` from the repo root, or
``$SVSNA_SHARED_DATA``); tests that need them are skipped when they are absent.
"""

from __future__ import annotations

import csv
import gzip
import json
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


# --------------------------------------------------------------------------------------------
# A hand-made second force: West Yorkshire, five LSOAs in Leeds and Bradford, FY2021/22.
# --------------------------------------------------------------------------------------------
WY_LSOAS = {
    # code: (name, lad_code, lad_name, population mid-2020, IMD decile, x position of a unit square)
    "E01011264": ("Leeds 001A", "E08000035", "Leeds", 1000, 1, 0),
    "E01011265": ("Leeds 001B", "E08000035", "Leeds", 2000, 3, 1),
    "E01011266": ("Leeds 001C", "E08000035", "Leeds", 1500, 10, 2),
    "E01010564": ("Bradford 001A", "E08000032", "Bradford", 1200, 1, 3),
    "E01010565": ("Bradford 001B", "E08000032", "Bradford", 1800, 5, 4),
}
OUTSIDE_LSOA = "E01013606"  # Leicester 008A: in the LSOA lookup but in another force
# Each month: (LSOA, crime type); "" = no location.
WY_MONTH_ROWS = [
    ("E01011264", "Violence and sexual offences"),
    ("E01011264", "Violence and sexual offences"),
    ("E01011264", "Violence and sexual offences"),
    ("E01011264", "Robbery"),
    ("E01011264", "Anti-social behaviour"),
    ("E01011265", "Violence and sexual offences"),
    ("E01011266", "Violence and sexual offences"),
    ("E01010564", "Violence and sexual offences"),
    ("E01010564", "Violence and sexual offences"),
    ("E01010564", "Possession of weapons"),
    ("E01010565", "Burglary"),
    ("", "Violence and sexual offences"),
    (OUTSIDE_LSOA, "Violence and sexual offences"),
]
WY_MONTHS = [f"2021-{m:02d}" for m in range(4, 13)] + [f"2022-{m:02d}" for m in range(1, 4)]
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)


def _row(i: int, month: str, lsoa: str, crime_type: str, lon: str = "-1.5", lat: str = "53.8") -> str:
    asb = crime_type == "Anti-social behaviour"
    crime_id = "" if asb else f"{i:064x}"
    outcome = "" if asb else "Unable to prosecute suspect"
    name = WY_LSOAS.get(lsoa, ("Leicester 008A",))[0] if lsoa else ""
    if not lsoa:
        lon = lat = ""
    return (
        f"{crime_id},{month},West Yorkshire Police,West Yorkshire Police,{lon},{lat},On or near Park Lane,"
        f"{lsoa},{name},{crime_type},{outcome},"
    )


def make_west_yorkshire(root: Path) -> Path:
    """Write the hand-made West Yorkshire data folder under ``root`` and return it.

    Street files: 2021-04..2021-09 in the archive layout (plain CSV), 2021-10..2022-03 loose
    and gzipped. 2021-05 also has five bad rows: month 2021-13, month 2021-06 (differs from
    the file), crime type "Knife crime", longitude "abc", and a row with too few fields.
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
        text = "\n".join(lines) + "\n"
        name = f"{month}-west-yorkshire-street.csv"
        if month < "2021-10":
            (street / month).mkdir(parents=True, exist_ok=True)
            (street / month / name).write_text(text, encoding="utf-8")
        else:
            street.mkdir(parents=True, exist_ok=True)
            with gzip.open(street / f"{name}.gz", "wt", encoding="utf-8") as fh:
                fh.write(text)
    look = root / "geography" / "lookups"
    look.mkdir(parents=True)
    (look / "lookup_ltla24_csp24_pfa24_wy.csv").write_text(
        '"ltla24_code","ltla24_name","csp24_code","csp24_name","pfa24_code","pfa24_name"\n'
        '"E08000035","Leeds","E22000210","Leeds","E23000010","West Yorkshire"\n'
        '"E08000032","Bradford","E22000207","Bradford","E23000010","West Yorkshire"\n'
        '"E06000016","Leicester","E22000168","Leicester","E23000021","Leicestershire"\n',
        encoding="utf-8",
    )
    lk = ['"lsoa11_name","lsoa11_code","ltla21_name","ltla21_code"']
    lk += [f'"{v[0]}","{k}","{v[2]}","{v[1]}"' for k, v in WY_LSOAS.items()]
    lk.append(f'"Leicester 008A","{OUTSIDE_LSOA}","Leicester","E06000016"')
    (look / "lookup_lsoa11_ltla21_wy.csv").write_text("\n".join(lk) + "\n", encoding="utf-8")
    pop = root / "population"
    pop.mkdir()
    rows = ['"lsoa11_name","lsoa11_code","total_population"']
    rows += [f'"{v[0]}","{k}",{v[3]}' for k, v in WY_LSOAS.items()]
    (pop / "population20_lsoa11_wy.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    dep = root / "deprivation"
    dep.mkdir()
    rows = [
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
        "Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,"
        "Index of Multiple Deprivation (IMD) Decile"
    ]
    rows += [f"{k},{v[0]},{v[1]},{v[2]},{1000 * v[4]},{v[4]}" for k, v in WY_LSOAS.items()]
    (dep / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    bnd = root / "geography" / "boundaries"
    bnd.mkdir()
    feats = []
    for k, v in WY_LSOAS.items():
        x = v[5]
        ring = [[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]
        feats.append(
            {
                "type": "Feature",
                "properties": {"lsoa11_code": k, "lsoa11_name": v[0]},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    (bnd / "lsoa11_wy.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return root


@pytest.fixture
def west_yorkshire(tmp_path: Path) -> Path:
    return make_west_yorkshire(tmp_path / "data")


@pytest.fixture(scope="session")
def west_yorkshire_shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made West Yorkshire folder, built once per session (do not modify it)."""
    return make_west_yorkshire(tmp_path_factory.mktemp("wy") / "data")
