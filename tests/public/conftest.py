"""Partnerships run end to end for the public-release tests (built once per session).

- ``marshfield``: the hand-built small partnership (tests/public/partnership.py) with formula
  payloads in its names and file names, ingest -> assess -> report with PDFs, under nhsd_2018;
- ``synth5``: ``svsna synth --scale 0.05`` (the demo scenario at 5%), ingest -> assess -> the
  public release only;
- the full-size demo is the suite's ``demo`` fixture (tests/conftest.py), also used by tests/outputs;
  :func:`release_of` builds its public release again for the attacks.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from svsna.config import AreaConfig, load_area_config


@dataclass
class Run:
    config: AreaConfig
    out: Path
    exact: pd.DataFrame

    @property
    def public(self) -> Path:
        return self.out / "public"

    @property
    def restricted(self) -> Path:
        return self.out / "restricted"

    def public_table(self) -> pd.DataFrame:
        return pd.read_parquet(self.public / "indicators-public.parquet")


@pytest.fixture(scope="session", autouse=True)
def _pseudonym_key():
    """A real random key for the hand-built partnership (never the public demo key)."""
    old = os.environ.get("SVSNA_PSEUDONYM_KEY")
    os.environ["SVSNA_PSEUDONYM_KEY"] = secrets.token_hex(32)
    yield
    if old is None:
        os.environ.pop("SVSNA_PSEUDONYM_KEY", None)
    else:
        os.environ["SVSNA_PSEUDONYM_KEY"] = old


def _exact(out: Path) -> pd.DataFrame:
    from svsna.outputs.report import assessment_inputs

    return pd.read_parquet(assessment_inputs(out).indicators)


def run_partnership(area: Path, *, demo: bool = False, report: bool = True, pdf: bool = False) -> Run:
    from svsna.pipeline.ingest import ingest
    from svsna.pipeline.run import assess
    from svsna.pipeline.run import report as write_reports

    config = load_area_config(area)
    ingest(config, demo=demo, progress=False)
    assess(config)
    if report:
        write_reports(config, pdf=pdf)
    return Run(config, config.output_dir, _exact(config.output_dir))


@pytest.fixture(scope="session")
def marshfield(tmp_path_factory) -> Run:
    from tests.public.partnership import write

    return run_partnership(write(tmp_path_factory.mktemp("marshfield"), payload=True), pdf=True)


def release_of(config: AreaConfig):
    """The exact table of an assessed partnership's primary definition and its public release."""
    from svsna.indicators import findings_from_json
    from svsna.outputs.report import _in_definitions, _indicator_frame, assessment_inputs, public_release_for

    found = assessment_inputs(config.output_dir)
    findings = findings_from_json(found.findings.read_text(encoding="utf-8"))
    table = _in_definitions(_indicator_frame(found.indicators), [config.primary_definition])
    return table, public_release_for(table, findings, config=config)


def _release_only(data: Path):
    """Ingest and assess a synthetic partnership, then build its public release (no documents)."""
    run = run_partnership(data / "area.yaml", demo=True, report=False)
    return (run, *release_of(run.config))


@pytest.fixture(scope="session")
def synth5(tmp_path_factory):
    """The demo scenario at 5%: its exact table and public release (no documents are rendered)."""
    from svsna.synth import generate

    data = tmp_path_factory.mktemp("synth5")
    generate(data, scale=0.05)
    return _release_only(data)
