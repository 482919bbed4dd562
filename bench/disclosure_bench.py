"""Benchmark: the public release (disclosure control + joint audit) against the previous per-breakdown loop.

Target: the public release of the demo in a few seconds (it cost about 25 s of `svsna report`
as 4,960 `linprog` calls in `public_indicators` before the joint audit), with at most a handful
of values withheld that were shown before.

Usage::

    uv run python bench/disclosure_bench.py [OUTPUT_FOLDER_OF_AN_ASSESSED_AREA] [--scale S]

With a folder (the ``output`` of an area already assessed, e.g. ``svsna-demo/data/output``) it
reads ``indicators.parquet`` and ``findings.json`` from it (``restricted/`` first); otherwise it
generates the demo at ``--scale`` (default 1) in a temporary folder, ingests and assesses it.
For each rule set it times :func:`svsna.outputs.report.public_release_for` (step by step) and the
previous implementation (``public_indicators`` as on main before the joint audit, read from git
when available), counts the values each withholds, and runs the attacks of
``tests/public/attacks.py`` on both. Results are recorded in bench/results/disclosure.md.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREVIOUS = "0f7ecea"  # main before the joint audit


def _previous_public():
    src = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{PREVIOUS}:src/svsna/outputs/public.py"], capture_output=True, text=True
    )
    if src.returncode != 0:
        return None
    spec = importlib.util.spec_from_loader("previous_public", loader=None)
    mod = importlib.util.module_from_spec(spec)
    exec(src.stdout, mod.__dict__)
    return mod


def _assessed(argv: list[str]) -> Path:
    if argv and not argv[0].startswith("--"):
        return Path(argv[0])
    from svsna.config import load_area_config
    from svsna.pipeline.ingest import ingest
    from svsna.pipeline.run import assess
    from svsna.synth import generate

    scale = float(argv[argv.index("--scale") + 1]) if "--scale" in argv else 1.0
    folder = Path(tempfile.mkdtemp(prefix="svsna-disclosure-bench-"))
    t = time.perf_counter()
    generate(folder, scale=scale)
    config = load_area_config(folder / "area.yaml")
    ingest(config, demo=True, progress=False)
    assess(config)
    print(f"demo at scale {scale}: synth + ingest + assess {time.perf_counter() - t:.1f} s")
    return config.output_dir


def main(argv: list[str]) -> None:
    import pandas as pd

    sys.path.insert(0, str(ROOT))
    from tests.public.attacks import all_attacks

    from svsna.config import load_area_config
    from svsna.indicators import findings_from_json
    from svsna.outputs.public import featured_indicators, public_scope, ratio_partner_rows
    from svsna.outputs.report import _in_definition, _indicator_frame, assessment_inputs, public_release_for

    out = _assessed(argv)
    config = load_area_config(out.parent / "area.yaml")
    found = assessment_inputs(out)
    findings = findings_from_json(found.findings.read_text(encoding="utf-8"))
    table = _in_definition(_indicator_frame(found.indicators), config.primary_definition)
    previous = _previous_public()
    print(f"{len(table):,} indicator rows, {len(findings):,} findings")
    for rules in ("nhsd_2018", "fewer_than_10"):
        cfg = config.model_copy(update={"disclosure": config.disclosure.model_copy(update={"rules": rules})})
        t = time.perf_counter()
        rel = public_release_for(table, findings, config=cfg)
        seconds = time.perf_counter() - t
        pub = rel.published()
        facts = rel.summary()
        attacks = {k: len(v) for k, v in all_attacks(pub, table, rules).items()}
        z = pub["statistic"] == "z"
        withheld = int(pub.loc[~z, "value"].isna().sum())
        print(
            f"\n{rules}: public release {seconds:.1f} s ({facts['seconds_by_step']}); "
            f"{facts['linear_programmes']} linear programmes; withheld values {withheld}; "
            f"small counts {facts['primary']}, further counts {facts['secondary']}, folded {facts['folded']}, "
            f"left out as sparse {facts['sparse']}; attacks {attacks}"
        )
        if previous is None:
            continue
        scope = ratio_partner_rows(table, public_scope(table, featured_indicators(findings, config.primary_definition)))
        t = time.perf_counter()
        old = previous.public_indicators(table[scope], rules)
        old_seconds = time.perf_counter() - t
        key = ["section", "indicator", "period", "area", "breakdown", "breakdown_value", "definition"]
        both = pub.merge(old[[*key, "value"]], on=key, suffixes=("", "_before"))
        newly = both[both["value"].isna() & both["value_before"].notna() & (both["statistic"] != "z")]
        old_z = old["statistic"].astype(str) == "z"
        old_attacks = {k: len(v) for k, v in all_attacks(old, table, rules).items()}
        print(
            f"  before: {old_seconds:.1f} s; withheld values {int(old.loc[~old_z, 'value'].isna().sum())}; "
            f"withheld now but shown before {len(newly)}: "
            + "; ".join(f"{r.indicator} {r.breakdown_value}" for r in newly.itertuples(index=False))
            + f"; attacks {old_attacks}"
        )
    del pd


if __name__ == "__main__":
    main(sys.argv[1:])
