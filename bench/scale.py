"""synth -> ingest -> assess at growing scale: wall time, CPU time and peak memory per step.

For each scale (default 1, 10, 30, 100 times the LLR partnership) the script writes a fresh
synthetic partnership and runs the three steps, each as a fresh ``svsna`` process:

1. ``svsna synth --out <work>/scale-<s> --scale <s>``
2. ``svsna ingest --area .../area.yaml --demo -q`` (``-q --new-key`` when ``SVSNA_PSEUDONYM_KEY`` is set)
3. ``svsna assess --area .../area.yaml``

and records, per step, wall time, CPU time (user + system of the process tree it waited for,
all threads), the peak RSS of the largest process (``ru_maxrss``), the peak memory of the whole
process tree (sum of PSS, sampled every 0.5 s) and the load average. It is bounded and stops by
itself: a watchdog kills a step whose process tree goes over ``--mem-cap`` (default 14 GB) or
runs longer than ``--timeout`` (default 3 h) and records that; the later steps of that scale are
not run, and a scale that would not fit on the disk is skipped with a note. Each scale's folder
is deleted after it is measured unless ``--keep``.

Usage::

    uv run python bench/scale.py                      # 1, 10, 30, 100
    uv run python bench/scale.py --scales 1,10 --keep
    uv run python bench/scale.py --scales 100 --mem-cap 6   # the target: < 6 GB at 100x
    nice -n 10 uv run python bench/scale.py --scales 1,10,30 --work /tmp/svsna-bench --reuse  # data made earlier

Results are appended to ``bench/results/scale.md`` (``--no-record`` only prints). Exit status 1
when a step fails or is killed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as H

RESULTS = H.RESULTS / "scale.md"
KEY_ENV = "SVSNA_PSEUDONYM_KEY"
STEPS = ("synth", "ingest", "assess")
#: disk needed per unit of scale (CSV ~35 MB + warehouse ~15 MB + outputs, with room to spare)
DISK_PER_SCALE = 120 * 1024**2

HEADER = """# Scale: synth -> ingest -> assess, 1x to 100x

Script: `bench/scale.py` (a fresh `svsna` process per step; memory watchdog). Targets (issue 16):
100x partnership (about 16M offences) ingest + assess complete with peak memory < 6 GB; time
growing close to linearly from 1x to 100x. Newest runs at the bottom.
"""


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _warehouse_counts(area: Path) -> dict[str, int]:
    import duckdb

    from svsna.config import load_area_config
    from svsna.engine import WAREHOUSE_FILE

    db = load_area_config(area).workspace_dir / WAREHOUSE_FILE
    if not db.exists():
        return {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = {r[0] for r in con.sql("show tables").fetchall()}
        out = {
            t: con.sql(f"select count(*) from {t}").fetchone()[0]
            for t in ("offences", "victims", "suspects")
            if t in names
        }
    finally:
        con.close()
    out["warehouse_bytes"] = db.stat().st_size
    return out


def run_scale(scale: float, args: argparse.Namespace) -> dict:
    folder = args.work / f"scale-{scale:g}"
    reuse = args.reuse and (folder / "area.yaml").exists() and (folder / "synth-manifest.json").exists()
    if folder.exists() and not reuse:
        shutil.rmtree(folder)
    args.work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.work).free
    need = int(DISK_PER_SCALE * scale)
    res: dict = {"scale": scale, "steps": {}, "note": None}
    if free < need:
        res["note"] = f"skipped: {H.fmt_bytes(free)} free under {args.work}, about {H.fmt_bytes(need)} needed"
        print(f"  {res['note']}", flush=True)
        return res
    area = folder / "area.yaml"
    commands = {
        "synth": H.svsna_cmd("synth", "--out", str(folder), "--scale", f"{scale:g}"),
        # the demo key only accepts files this checkout's `svsna synth` made; a key in the
        # environment also ingests partnerships made by an earlier version (--reuse)
        "ingest": H.svsna_cmd(
            "ingest", "--area", str(area), "-q", *(["--new-key"] if os.environ.get(KEY_ENV) else ["--demo"])
        ),
        "assess": H.svsna_cmd("assess", "--area", str(area)),
    }
    try:
        for step in args.steps:
            if step == "synth" and reuse:
                res["csv_bytes"] = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
                res["reused"] = True
                print(f"  {scale:g}x synth: reusing {folder}", flush=True)
                continue
            print(f"  {scale:g}x {step} ...", flush=True)
            m = H.run_measured(commands[step], mem_cap=args.mem_cap, timeout=args.timeout)
            res["steps"][step] = m
            print(
                f"  {scale:g}x {step}: wall {m.wall:.1f} s, CPU {m.cpu:.1f} s, peak RSS {H.fmt_bytes(m.maxrss)}, "
                f"tree {H.fmt_bytes(m.tree_rss)}, load {m.load_before:.1f}->{m.load_after:.1f}"
                + ("" if m.ok else f"  FAILED: {m.killed or f'exit {m.returncode}'}"),
                flush=True,
            )
            if step == "synth" and m.ok:
                res["csv_bytes"] = _folder_bytes(folder)
            if step == "ingest" and m.ok:
                res["counts"] = _warehouse_counts(area)
            if not m.ok:
                res["note"] = f"{step} {m.killed or f'failed (exit {m.returncode}): {m.stderr.strip()[-300:]}'}"
                break
    finally:
        if not (args.keep or reuse) and folder.exists():
            shutil.rmtree(folder)
    return res


def _cell(m: H.Measured | None, reused: bool = False) -> str:
    if m is None:
        return "reused (made by an earlier `svsna synth`)" if reused else "not run"
    text = f"{m.wall:.1f} s / {m.cpu:.1f} s / {H.fmt_bytes(m.maxrss)} / {H.fmt_bytes(m.tree_rss)}"
    if m.killed:
        return f"**killed** ({m.killed}); {text}"
    if m.returncode:
        return f"**failed** (exit {m.returncode}); {text}"
    return text


def report(results: list[dict], args: argparse.Namespace) -> str:
    scales = ", ".join(f"{r['scale']:g}x" for r in results)
    lines = [f"## {H.now()}: scales {scales}", ""]
    lines.append(f"- command: `{H.command_line()}`")
    lines.append(f"- code: {H.git_commit()}; {H.versions('duckdb', 'pandas', 'polars', 'ibis-framework', 'pyarrow')}")
    lines.append(f"- machine: {H.machine()}")
    lines.append(
        f"- memory cap {args.mem_cap / H.GB:g} GB (process tree, PSS), timeout {args.timeout:.0f} s per step; "
        "each cell: wall / CPU (user + system) / peak RSS of the largest process / peak memory of the process "
        "tree (PSS sum); load = 1-minute load average at start -> end of the step"
    )
    lines.append("")
    lines.append("| scale | CSV | offences / victims / suspects | warehouse | step | wall / CPU / RSS / tree | load |")
    lines.append("|---|---:|---|---:|---|---|---|")
    for r in results:
        c = r.get("counts", {})
        rows = " / ".join(f"{c[t]:,}" for t in ("offences", "victims", "suspects") if t in c) or "–"
        first = True
        for step in args.steps:
            m = r["steps"].get(step)
            load = f"{m.load_before:.1f} -> {m.load_after:.1f}" if m else ""
            head = (
                f"| {r['scale']:g}x | {H.fmt_bytes(r.get('csv_bytes'))} | {rows} | "
                f"{H.fmt_bytes(c.get('warehouse_bytes'))} "
                if first
                else "| | | | "
            )
            lines.append(f"{head}| {step} | {_cell(m, step == 'synth' and r.get('reused', False))} | {load} |")
            first = False
        if r["note"]:
            lines.append(f"| | | | | note | {r['note']} | |")
    base = next((r for r in results if r["scale"] == min(x["scale"] for x in results)), None)
    if base and len(results) > 1:
        lines.append("")
        lines.append("Growth of CPU time against the smallest scale (linear would equal the scale ratio):")
        lines.append("")
        for step in args.steps:
            b = base["steps"].get(step)
            if b is None or not b.ok:
                continue
            parts = []
            for r in results:
                m = r["steps"].get(step)
                if r is base or m is None or not m.ok:
                    continue
                parts.append(f"{r['scale'] / base['scale']:g}x data -> {m.cpu / b.cpu:.1f}x CPU")
            if parts:
                lines.append(f"- {step}: " + "; ".join(parts))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="1,10,30,100", help="comma-separated synth scales (default 1,10,30,100)")
    ap.add_argument("--steps", default=",".join(STEPS), help="steps to run, in order (default synth,ingest,assess)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "svsna-scale")
    ap.add_argument("--mem-cap", type=float, default=14.0, help="GB; a step over it is killed (default 14)")
    ap.add_argument("--timeout", type=float, default=3 * 3600.0, help="seconds per step (default 10800)")
    ap.add_argument("--keep", action="store_true", help="keep each scale's folder (default: delete it)")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="reuse a scale's folder already made by `svsna synth` (skip the synth step; kept afterwards)",
    )
    ap.add_argument("--no-record", action="store_true", help="print only; do not append to results/scale.md")
    args = ap.parse_args(argv)
    args.mem_cap = int(args.mem_cap * H.GB)
    args.steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    if bad := [s for s in args.steps if s not in STEPS]:
        ap.error(f"unknown step(s) {', '.join(bad)}; choose from {', '.join(STEPS)}")
    if args.steps[0] != "synth":
        ap.error("the steps start with synth (each scale's folder is made fresh)")
    scales = [float(s) for s in args.scales.split(",")]
    results = []
    for s in scales:
        print(f"== {s:g}x", flush=True)
        results.append(run_scale(s, args))
    block = report(results, args)
    print("\n" + block)
    if not args.no_record:
        H.append_result(RESULTS, HEADER, block)
    ok = all(r["note"] is None or r["note"].startswith("skipped") for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
