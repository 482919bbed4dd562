"""Time `build_reports` (both editions, PDFs, workbook) on an assessment already written by `svsna assess`.

Run:  uv run python bench/report_bench.py AREA_YAML [--no-pdf] [--repeat N]
      uv run python bench/report_bench.py AREA_YAML --full-pdf [--repeat N]

e.g. after `svsna demo`:  uv run python bench/report_bench.py svsna-demo/data/area.yaml

It reads ``indicators.parquet``, ``findings.json`` and ``ledger.csv`` from the area's output
folder (``restricted/``) and writes the reports to a temporary folder. It prints wall time and CPU time (this
process plus the PDF worker processes: on a shared machine CPU time is the steadier measure)
for the whole run and, when ``build_reports`` reports progress, for each stage: the full
edition (its charts and maps), the public edition (disclosure control, its charts), the PDFs,
the workbook and indicator files. Recorded results: ``bench/results/report.md``.

``--full-pdf`` times only the report's critical path: the full SNA's edition is built once, then its
print HTML is typeset to a PDF (WeasyPrint layout, then the PDF/UA file) in this process, ``--repeat``
times; it prints the CPU of each run, the pages, the tables and their rows.

To time another version of svsna with the same script, put its ``src`` first on the path:
``PYTHONPATH=/path/to/other/src uv run python bench/report_bench.py AREA_YAML``.
"""

from __future__ import annotations

import inspect
import itertools
import resource
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_once(area: Path, pdf: bool) -> dict[str, tuple[float, float]]:
    from svsna.config import load_area_config
    from svsna.outputs import build_reports
    from svsna.outputs.report import assessment_inputs

    cfg = load_area_config(area)
    found = assessment_inputs(cfg.output_dir)  # restricted/ (or the folder itself, older layouts)
    stages: dict[str, tuple[float, float]] = {}
    marks = [("start", time.perf_counter(), _cpu())]

    def progress(stage: str, detail: str) -> None:
        # the main process's steps; the full SNA's PDF and workbook run in the background beside them
        # (their CPU is counted when they are waited for, in the last step)
        if stage == "edition" or (stage in ("pdf", "workbook") and detail.startswith(("sna-summary", "sna-public"))):
            marks.append((f"{stage} {detail}".strip(), time.perf_counter(), _cpu()))
        elif stage == "workbook-done" and detail.startswith("sna-public"):
            marks.append(("wait for the background PDFs and workbook", time.perf_counter(), _cpu()))

    kwargs = {}
    if "progress" in inspect.signature(build_reports).parameters:
        kwargs["progress"] = progress
    with tempfile.TemporaryDirectory() as out:
        build_reports(
            found.indicators,
            found.findings,
            config=cfg,
            ledger=found.ledger,
            out_dir=out,
            boundaries=cfg.boundaries_path,
            pdf=pdf,
            **kwargs,
        )
    marks.append(("end", time.perf_counter(), _cpu()))
    for (name, w0, c0), (_next, w1, c1) in itertools.pairwise(marks):
        label = {"start": "load inputs and boundaries"}.get(name, name)
        stages[label] = (w1 - w0, c1 - c0)
    stages["total"] = (marks[-1][1] - marks[0][1], marks[-1][2] - marks[0][2])
    return stages


def full_pdf(area: Path, repeat: int) -> None:
    """Typeset the full SNA's print HTML ``repeat`` times in this process (CPU of layout and writing)."""
    import re

    from weasyprint import HTML

    from svsna.config import load_area_config
    from svsna.outputs.maps import geography_lookup, load_boundaries
    from svsna.outputs.report import (
        _findings,
        _in_definitions,
        _indicator_frame,
        _ledger,
        assessment_inputs,
        collect_metadata,
        definition_name,
        render_edition,
        shown_definitions,
    )

    cfg = load_area_config(area)
    found = assessment_inputs(cfg.output_dir)
    meta = collect_metadata(cfg, None)
    bounds = load_boundaries(cfg.boundaries_path, geography_lookup(cfg)) if cfg.boundaries_path else None
    table = _in_definitions(_indicator_frame(found.indicators), shown_definitions(meta, definition_name(cfg)))
    full = render_edition(
        "full",
        table,
        _findings(found.findings),
        config=cfg,
        ledger=_ledger(found.ledger),
        metadata=meta,
        boundaries=bounds,
    )
    html = full.print_html or full.html
    tables = html.count("<table>")
    rows = len(re.findall(r"<tr>", html)) - len(re.findall(r"<thead><tr>", html))
    print(f"full SNA print HTML: {len(html) / 1e6:.1f} MB, {tables} tables (parts), {rows} body rows")
    for i in range(repeat):
        c0, w0 = _self_cpu(), time.perf_counter()
        doc = HTML(string=html).render()
        c1 = _self_cpu()
        with tempfile.TemporaryDirectory() as out:
            doc.write_pdf(Path(out) / "full.pdf", pdf_variant="pdf/ua-1")
        c2 = _self_cpu()
        print(
            f"run {i + 1}: {len(doc.pages)} pages; layout cpu {c1 - c0:.1f} s, write cpu {c2 - c1:.1f} s, "
            f"total cpu {c2 - c0:.1f} s (wall {time.perf_counter() - w0:.1f} s)"
        )


def _self_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not args:
        raise SystemExit(__doc__)
    pdf = "--no-pdf" not in sys.argv
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    t0, c0 = time.perf_counter(), _cpu()
    import svsna.outputs  # noqa: F401 - the import cost is reported separately

    print(f"imports: wall {time.perf_counter() - t0:.1f} s, cpu {_cpu() - c0:.1f} s")
    with open("/proc/loadavg") as fh:
        print(f"load average at start: {fh.read().split()[0]}")
    if "--full-pdf" in sys.argv:
        full_pdf(Path(args[0]), repeat)
        return
    for i in range(repeat):
        stages = run_once(Path(args[0]), pdf)
        print(f"run {i + 1}:")
        for name, (wall, cpu) in stages.items():
            print(f"  {name:40} wall {wall:6.1f} s   cpu {cpu:6.1f} s")


if __name__ == "__main__":
    main()
