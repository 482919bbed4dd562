"""Shared fixtures: the report built once from the fixture tables (tests/outputs/fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from svsna.config import AreaConfig

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_LSOA = Path(__file__).resolve().parents[2].parent / "shared/data/geography/boundaries/lsoa11_llr.geojson"


def fixture_config(**extra) -> AreaConfig:
    """The LLR configuration the fixture figures belong to (periods as in the reference)."""
    data = {
        "name": "Leicester, Leicestershire and Rutland",
        "short_name": "LLR",
        "financial_years": [2017, 2018, 2019, 2020],
        "latest": {"start": "2021-04-01", "end": "2021-09-30"},
        "profile_period": {"start": "2020-04-01", "end": "2021-09-30"},
        "events": [
            {"date": "2020-03-23", "label": "Lockdown 1"},
            {"date": "2020-11-05", "label": "Lockdown 2"},
            {"date": "2021-01-06", "label": "Lockdown 3"},
        ],
    }
    data.update(extra)
    return AreaConfig.model_validate(data)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """build_reports on the fixture, with real LSOA boundaries when the shared copy exists."""
    from svsna.outputs import build_reports

    out = tmp_path_factory.mktemp("report")
    paths = build_reports(
        FIXTURES / "indicators.csv",
        FIXTURES / "findings.json",
        config=fixture_config(),
        ledger=FIXTURES / "ledger.csv",
        metadata={"input_hashes": {"offences: offences.csv": "ab" * 32}},
        out_dir=out,
        boundaries=SHARED_LSOA if SHARED_LSOA.exists() else None,
        svg_charts=True,  # SVG charts carry their labels as text, which the disclosure test reads
    )
    return paths
