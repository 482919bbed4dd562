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


def run_ingest(folder: Path, area: str, monkeypatch_env: dict[str, str] | None = None):
    import os

    from svsna.config import load_area_config
    from svsna.pipeline.ingest import ingest

    old = os.environ.get("SVSNA_PSEUDONYM_KEY")
    os.environ["SVSNA_PSEUDONYM_KEY"] = TEST_KEY
    try:
        return ingest(load_area_config(folder / area), progress=False, as_of=EXTRACT_DATE)
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
