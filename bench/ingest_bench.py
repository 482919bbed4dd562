"""Benchmark: time `svsna ingest` on a generated force-sized extract or on the synthetic partnership.

Usage::

    uv run python bench/ingest_bench.py [n_offences]     # generated extract (default 200,000 offences)
    uv run python bench/ingest_bench.py --synth [scale]  # `svsna synth` partnership (default scale 1)
    uv run python bench/ingest_bench.py --synth --cli    # ... timed as the `svsna ingest` command

The generated extract has 1.5 victims per offence and 1% unknown HO codes. ``--synth`` ingests
the default synthetic partnership (about 460,000 rows at scale 1 over ten files) and checks that
the ledger rejects exactly the faults the synth manifest injected. Wall time and CPU time (all
threads; the machine is shared, so CPU is the steadier number) are printed; ``--cli`` times a
fresh ``svsna ingest --demo -q`` process instead (imports included). Results are recorded in
bench/results/ingest.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_partnership(folder: Path, n: int, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    lsoas = [f"E01{i:06d}" for i in range(1000)]
    pd.DataFrame(
        {
            "lsoa_code": lsoas,
            "lsoa_name": [f"Area {i}" for i in range(1000)],
            "npa": [f"NPA {i % 7}" for i in range(1000)],
            "district_code": [f"E0700000{i % 9}" for i in range(1000)],
            "district_name": [f"District {i % 9}" for i in range(1000)],
            "county_code": "E10000001",
            "county_name": "Benchshire",
        }
    ).to_csv(folder / "geography.csv", index=False)
    codes = np.array(["8N", "8N", "8N", "105A", "105A", "34B", "5D", "8P", "1", "8S"])
    locs = np.array(["STREET", "DWELLING", "HOSPITALITY", "SHOP", "PARK", "UNKNOWN", "PRISON"])
    start = pd.Timestamp("2017-04-01")
    minutes = rng.integers(0, 5 * 365 * 24 * 60, n)
    committed = (start + pd.to_timedelta(minutes, unit="min")).strftime("%Y-%m-%d %H:%M")
    off = pd.DataFrame(
        {
            "offence_ref": [f"LP/{i:08d}" for i in range(n)],
            "ho_code": rng.choice(codes, n),
            "offence_description": rng.choice(["S47 ABH", "S20 GBH", "Common assault", "Robbery"], n),
            "committed_from": committed,
            "location_type": rng.choice(locs, n),
            "lsoa": rng.choice(lsoas, n),
            "domestic_flag": rng.choice(["Y", "N", "N", "N"], n),
        }
    )
    dirty = rng.random(n) < 0.01
    off.loc[dirty, "ho_code"] = "XX"
    off.to_csv(folder / "offences.csv", index=False)
    m = int(n * 1.5)
    pd.DataFrame(
        {
            "offence_ref": [f"LP/{i:08d}" for i in rng.integers(0, n, m)],
            "person_id": [f"P{i:09d}" for i in rng.integers(0, n, m)],
            "age": rng.integers(0, 95, m),
            "sex": rng.choice(["M", "F", "U"], m),
            "ethnicity": rng.choice(["A", "H", "M", "Z", "IC1"], m),
            "home_lsoa": rng.choice(lsoas, m),
        }
    ).to_csv(folder / "victims.csv", index=False)
    (folder / "area.yaml").write_text(
        "name: Benchshire\ndefinitions: [llr_vrn, llr_broadened]\n"
        "inputs: {geography: geography.csv, offences: offences.csv, victims: victims.csv}\n"
    )
    return folder / "area.yaml"


def _rows_read(ledger: pd.DataFrame) -> int:
    return int(ledger.loc[ledger["outcome"] == "read", "rows"].sum())


def _time_cli(area: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, all threads) of a fresh `svsna ingest --demo -q` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    cmd = [sys.executable, "-c", "from svsna.cli import main; main()", "ingest", "--area", str(area), "--demo", "-q"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_synth(scale: float, cli: bool) -> None:
    from svsna.config import load_area_config
    from svsna.synth import generate

    with tempfile.TemporaryDirectory() as d:
        manifest = generate(d, scale=scale)
        area = Path(d) / "area.yaml"
        if cli:
            wall, cpu = _time_cli(area)
            print(f"synth scale {scale:g}: `svsna ingest --demo -q` {wall:.1f} s wall, {cpu:.1f} s CPU")
            return
        from svsna.pipeline.ingest import ingest

        t0, c0 = time.perf_counter(), time.process_time()
        res = ingest(load_area_config(area), demo=True, progress=False)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    led = res.ledger
    rejected = led[led["outcome"] == "rejected"].assign(rule=led["reason"].str.replace(r" \(.*\)$", "", regex=True))
    got = {(s, r): int(n) for (s, r), n in rejected.groupby(["source", "rule"])["rows"].sum().items()}
    want = {(s, r): n for s, rules in manifest.expected_rejections.items() for r, n in rules.items()}
    check = "ledger rejects == manifest faults" if got == want else f"LEDGER MISMATCH: got {got}, want {want}"
    read = _rows_read(led)
    print(
        f"synth scale {scale:g}: {read} rows read, {res.rejects} rejects: {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"({read / wall:,.0f} rows/s); {check}"
    )


def bench_generated(n: int) -> None:
    from svsna.config import load_area_config
    from svsna.pipeline.ingest import ingest

    os.environ.setdefault("SVSNA_PSEUDONYM_KEY", "bench-key-0123456789-not-secret")
    with tempfile.TemporaryDirectory() as d:
        area = make_partnership(Path(d), n)
        t0, c0 = time.perf_counter(), time.process_time()
        res = ingest(load_area_config(area), progress=False, as_of=dt.date(2023, 1, 1))
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    read = _rows_read(res.ledger)
    print(
        f"{n} offences, {read} rows read, {res.rejects} rejects: {elapsed:.1f} s wall, {cpu:.1f} s CPU "
        f"({read / elapsed:,.0f} rows/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=float, help="offences (generated) or scale (--synth)")
    parser.add_argument("--synth", action="store_true", help="ingest the `svsna synth` partnership")
    parser.add_argument("--cli", action="store_true", help="with --synth: time the `svsna ingest` command")
    args = parser.parse_args()
    if args.synth:
        bench_synth(args.n if args.n is not None else 1.0, args.cli)
    else:
        bench_generated(int(args.n) if args.n is not None else 200_000)


if __name__ == "__main__":
    main()
