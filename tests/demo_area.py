"""The demo partnership as ``svsna demo`` makes it, reported with PDFs: one build per test session.

:func:`build_demo` is behind the session fixture ``demo`` (tests/conftest.py), which tests/outputs
(the documents) and tests/public (the disclosure attacks on the demo's public release) share, so
the suite builds the demo once. The only additions to ``svsna demo`` are a partnership ``report:``
block with a logo, so that the report's cover, contact page and commentary are exercised.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from svsna.config import AreaConfig

# a 1x1 PNG (transparent), standing in for a partnership's logo
LOGO_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@dataclass
class Built:
    """One report run: the paths written, the config, the inputs and the rendered editions."""

    paths: Any
    config: AreaConfig
    indicators: pd.DataFrame
    findings: list
    out: Path


def _demo_report_block(base: Path) -> dict:
    (base / "logo.png").write_bytes(LOGO_PNG)
    return {
        "partnership": "Synthetic Violence Reduction Partnership",
        "edition": "January 2022",
        "logo": "logo.png",
        "logo_alt": "Synthetic Violence Reduction Partnership logo",
        "contact": "Email **svrp@example.org** for questions about this summary.",
        "commentary": {"geography": "The partnership's own note on where violence happens."},
    }


def build_demo(base: Path) -> Built:
    """``svsna synth`` with the demo's seed and scale into ``base``, then ingest, assess and report with PDFs."""
    from svsna.config import load_area_config
    from svsna.indicators import findings_from_json
    from svsna.outputs.report import assessment_inputs
    from svsna.pipeline.run import run_pipeline
    from svsna.synth import DEFAULT_SEED, generate

    generate(base, seed=DEFAULT_SEED)
    area = base / "area.yaml"
    raw = yaml.safe_load(area.read_text(encoding="utf-8"))
    raw["report"] = _demo_report_block(base)
    area.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    config = load_area_config(area)
    result = run_pipeline(config, demo=True, pdf=True, progress=False)
    written = assessment_inputs(config.output_dir)
    ind = pd.read_parquet(written.indicators)
    found = findings_from_json(written.findings.read_text(encoding="utf-8"))
    return Built(result.reports, config, ind, found, base)
