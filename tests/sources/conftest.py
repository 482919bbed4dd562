"""Shared fixtures: copies of the hand-built fixture partnership, ingested once per module."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TEST_KEY = "test-key-0123456789-not-for-real-data"
EXTRACT_DATE = dt.date(2022, 1, 1)


def copy_fixtures(dest: Path) -> Path:
    """Copy the fixture files (not outputs of earlier runs) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for p in FIXTURES.iterdir():
        if p.is_file():
            shutil.copy(p, dest / p.name)
    return dest


def run_ingest(folder: Path, area: str, monkeypatch_env: dict[str, str] | None = None, **kwargs):
    import os

    from svsna.config import load_area_config
    from svsna.pipeline.ingest import ingest

    old = os.environ.get("SVSNA_PSEUDONYM_KEY")
    os.environ["SVSNA_PSEUDONYM_KEY"] = TEST_KEY
    try:
        return ingest(load_area_config(folder / area), progress=False, as_of=EXTRACT_DATE, **kwargs)
    finally:
        if old is None:
            del os.environ["SVSNA_PSEUDONYM_KEY"]
        else:
            os.environ["SVSNA_PSEUDONYM_KEY"] = old


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    folder = copy_fixtures(tmp_path_factory.mktemp("clean"))
    return folder, run_ingest(folder, "area.yaml")


@pytest.fixture(scope="module")
def dirty_run(tmp_path_factory):
    folder = copy_fixtures(tmp_path_factory.mktemp("dirty"))
    return folder, run_ingest(folder, "area_dirty.yaml")


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv("SVSNA_PSEUDONYM_KEY", TEST_KEY)
    return TEST_KEY


GEO_CSV = (
    "lsoa_code,lsoa_name,npa,district_code,district_name,county_code,county_name\n"
    "E01000001,Alpha 001A,North NPA,E07000001,Alpha,E10000001,Testshire\n"
    "E01000002,Beta 001A,South NPA,E07000002,Beta,E10000001,Testshire\n"
)
OFFENCE_HEADER = "offence_ref,ho_code,offence_description,committed_from,location_type,lsoa,domestic_flag\n"
VICTIM_HEADER = "offence_ref,person_id,age,sex,home_lsoa\n"


def mini_area(folder: Path, offences: str, victims: str | None = None, extra: str = "") -> Path:
    """A tiny hand-built area (two LSOAs) with the given offence (and victim) rows; returns area.yaml.

    ``offences`` and ``victims`` are CSV data lines (the headers are :data:`OFFENCE_HEADER`,
    :data:`VICTIM_HEADER`); ``extra`` is appended to area.yaml.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "geography.csv").write_text(GEO_CSV)
    (folder / "offences.csv").write_text(OFFENCE_HEADER + offences)
    inputs = "  geography: geography.csv\n  offences: offences.csv\n"
    if victims is not None:
        (folder / "victims.csv").write_text(VICTIM_HEADER + victims)
        inputs += "  victims: victims.csv\n"
    area = folder / "area.yaml"
    area.write_text(f"name: Mini\nfinancial_years: [2020]\ninputs:\n{inputs}{extra}")
    return area


def ingest_area(area: Path, **kwargs):
    """Ingest ``area`` with the test key in the environment (the caller sets it) at the fixture extract date."""
    from svsna.config import load_area_config
    from svsna.pipeline.ingest import ingest

    kwargs.setdefault("as_of", EXTRACT_DATE)
    return ingest(load_area_config(area), progress=False, **kwargs)


def cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run ``svsna <args>`` in-process; returns (exit code, stdout, stderr)."""
    import sys

    from svsna.cli import main

    monkeypatch.setattr(sys, "argv", ["svsna", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err
