"""Benchmark: `svsna ingest` wall time, CPU and peak memory at 1x, 10x, 30x, 100x a partnership.

Usage::

    uv run python bench/ingest_scale.py 1 10 30 100          # synth each scale (if absent) then ingest it
    uv run python bench/ingest_scale.py --root /data/bench 100

Each scale is made once with ``svsna synth --out <root>/scale<N> --scale N`` and then
ingested by a fresh ``svsna ingest --area ... -q --new-key`` process under ``/usr/bin/time -v``
(wall, user + system CPU, peak RSS of the process). The key comes from ``SVSNA_PSEUDONYM_KEY``
(a bench key is set if absent). Prints one Markdown row per scale, to paste into
``bench/results/ingest.md``. Targets (issue 16): 1x a few seconds; 100x (about 16M offences,
17M victims, 15M suspects) with peak RSS under 6 GB.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path


def _time_v(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    err = done.stderr

    def grab(label: str) -> str:
        m = re.search(rf"{re.escape(label)}: (.+)", err)
        return m.group(1).strip() if m else "0"

    wall = grab("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** (len(parts) - 1 - i) for i, p in enumerate(parts))
    return {
        "wall": seconds,
        "cpu": float(grab("User time (seconds)")) + float(grab("System time (seconds)")),
        "rss_gb": int(grab("Maximum resident set size (kbytes)")) / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scales", nargs="*", type=float, default=[1.0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/svsna-bench"))
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("SVSNA_PSEUDONYM_KEY", "bench-key-3f9a1c7e5b2d8f4a6c0e9b1d")
    print("| scale | offences rows | input MB | ingest wall | CPU (user+sys) | peak RSS | command |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for scale in args.scales:
        folder = args.root / f"scale{scale:g}"
        if not (folder / "area.yaml").exists():
            subprocess.run(["svsna", "synth", "--out", str(folder), "--scale", f"{scale:g}"], check=True, env=env,
                           capture_output=True)  # fmt: skip
        size = sum(p.stat().st_size for p in folder.glob("*.csv")) / 1e6
        with open(folder / "offences.csv", "rb") as fh:
            rows = sum(1 for _ in fh) - 1
        cmd = ["svsna", "ingest", "--area", str(folder / "area.yaml"), "-q", "--new-key"]
        r = _time_v(cmd, env)
        print(
            f"| {scale:g}x | {rows:,} | {size:,.0f} | {r['wall']:.1f} s | {r['cpu']:.1f} s | {r['rss_gb']:.2f} GB | "
            f"`{' '.join(cmd[:2])} --area scale{scale:g}/area.yaml -q --new-key` |",
            flush=True,
        )


if __name__ == "__main__":
    main()
