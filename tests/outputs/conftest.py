"""Report fixtures built from what the analyses actually produce.

- ``tiny``: the hand-built warehouse of ``tests/analyses/conftest.py`` (a two-county area,
  "Testshire", 12 offences in the profile period), assessed by ``svsna.analyses`` and
  reported in both editions with PDFs. Nearly every public count is suppressed: the small-area
  case. Its ``report:`` block is a non-LLR partnership's (foreword, contact, commentary, an
  override), so the report must not borrow LLR's words.
- ``demo`` (tests/conftest.py, built by :mod:`tests.demo_area`): the demo partnership as
  ``svsna demo`` makes it, reported with PDFs, shared with tests/public.

Both are session fixtures; each builds once (tiny in about 15 s, demo in about a minute).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from tests.demo_area import Built

from svsna.config import AreaConfig

SHARED_LSOA = Path(__file__).resolve().parents[2].parent / "shared/data/geography/boundaries/lsoa11_llr.geojson"
TINY_REPORT = {
    "partnership": "Testshire Violence Prevention Partnership",
    "edition": "March 2022",
    "foreword": "Welcome to **our** assessment. <script>alert(1)</script>",
    "contact": "Write to [the partnership](mailto:team@testshire.example) or call 01234 567890.",
    "commentary": {"extent": "Local note: our *own* reading of the trend, inserted verbatim."},
    "overrides": {"peak_weekday": "Override: {weekday:day} was the busiest day ({share:pct})."},
}


def tiny_config(base: Path, **extra) -> AreaConfig:
    data = {
        "name": "Testshire",
        "short_name": "TS",
        "financial_years": [2019, 2020],
        "latest": {"start": "2021-04-01", "end": "2021-09-30"},
        "events": [{"date": "2020-03-23", "label": "First lockdown"}],
        "report": TINY_REPORT,
        "base_dir": str(base),
    }
    data.update(extra)
    return AreaConfig.model_validate(data)


def tiny_ledger() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["offences", "offences", "victims", "suspects"],
            "file": ["offences.csv", "offences.csv", "victims.csv", "suspects.csv"],
            "outcome": ["loaded", "rejected", "loaded", "loaded"],
            "reason": ["", "missing required value (domestic_flag)", "", ""],
            "rows": [23, 1, 23, 22],
            "definition": ["", "", "", ""],
        }
    )


def assess_tiny(tmp: Path):
    """Run every analysis on the hand-built warehouse (tests/analyses/conftest.py)."""
    from tests.analyses.conftest import build_warehouse, make_config

    from svsna.analyses import run_assessment

    wh = build_warehouse(tmp / "wh")
    try:
        return run_assessment(wh, make_config())
    finally:
        wh.close()


@pytest.fixture(scope="session")
def tiny_assessment(tmp_path_factory):
    return assess_tiny(tmp_path_factory.mktemp("tiny-wh"))


@pytest.fixture(scope="session")
def tiny(tmp_path_factory, tiny_assessment) -> Built:
    from svsna.outputs import build_reports

    out = tmp_path_factory.mktemp("tiny-report")
    config = tiny_config(out)
    paths = build_reports(
        tiny_assessment.indicators,
        tiny_assessment.findings,
        config=config,
        ledger=tiny_ledger(),
        metadata={"input_hashes": {"offences: offences.csv": "ab" * 32}},
        out_dir=out / "output",
        svg_charts=True,  # SVG charts carry their labels as text, which the disclosure test reads
    )
    return Built(paths, config, tiny_assessment.indicators, tiny_assessment.findings, out)


def today_edition() -> str:
    return dt.date.today().strftime("%B %Y")
