"""Shared fixtures: one default synthetic partnership (scale 1, seed 20220131) per session.

Everything the tests check is computed straight from the generated files with pandas,
never through svsna's own analyses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
CODELISTS = REPO / "src" / "svsna" / "definitions" / "codelists"
LLR_VRN_CODES = ["1", "4/1", "2", "5D", "5E", "8N", "8P", "34A", "34B"]  # LLR SNA 2022 definition, p.3


@dataclass
class Synth:
    path: Path
    manifest: dict

    def read(self, source: str) -> pd.DataFrame:
        info = self.manifest["files"][source]
        return pd.read_csv(self.path / info["path"], dtype=str, keep_default_na=False, encoding=info["encoding"])


def public_locations() -> set[str]:
    loc = pd.read_csv(CODELISTS / "location_types.csv", dtype=str)
    return set(loc.loc[loc["public_place"] == "true", "code"])


def in_definition(offences: pd.DataFrame) -> pd.DataFrame:
    """llr_vrn offences: code in the definition, public place, not domestic (first copy of each ref,
    rows with a parseable start time)."""
    off = offences.drop_duplicates("offence_ref").copy()
    off["t"] = pd.to_datetime(off["committed_from"], format="%Y-%m-%d %H:%M", errors="coerce")
    keep = (
        off["ho_code"].isin(LLR_VRN_CODES)
        & off["location_type"].isin(public_locations())
        & (off["domestic_flag"] == "N")
        & off["t"].notna()
    )
    return off[keep]


def between(frame: pd.DataFrame, start: str, end: str, col: str = "t") -> pd.DataFrame:
    return frame[(frame[col] >= start) & (frame[col] < end)]


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synth:
    from svsna.synth import generate

    out = tmp_path_factory.mktemp("synth_default")
    generate(out)
    return Synth(out, json.loads((out / "synth-manifest.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def offences(synth) -> pd.DataFrame:
    return synth.read("offences")


@pytest.fixture(scope="session")
def sv(offences) -> pd.DataFrame:
    return in_definition(offences)


@pytest.fixture(scope="session")
def profile(sv) -> pd.DataFrame:
    """In-definition offences in the profile period, April 2020 - September 2021 (SNA p.5)."""
    return between(sv, "2020-04-01", "2021-10-01")


@pytest.fixture(scope="session")
def h():
    """Helpers for the test modules (conftest is not importable under --import-mode=importlib)."""
    from types import SimpleNamespace

    return SimpleNamespace(CODELISTS=CODELISTS, between=between, in_definition=in_definition, LLR_VRN=LLR_VRN_CODES)
