"""Benchmark: time `svsna.pipeline.ingest.ingest` on a generated force-sized extract.

Usage: ``uv run python bench/ingest_bench.py [n_offences]`` (default 200,000 offences with
1.5 victims each and 1% dirty rows). Results are recorded in bench/ingest_results.md.
"""

from __future__ import annotations

import datetime as dt
import os
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


def main() -> None:
    from svsna.config import load_area_config
    from svsna.pipeline.ingest import ingest

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    os.environ.setdefault("SVSNA_PSEUDONYM_KEY", "bench-key-0123456789-not-secret")
    with tempfile.TemporaryDirectory() as d:
        area = make_partnership(Path(d), n)
        t0 = time.perf_counter()
        res = ingest(load_area_config(area), progress=False, as_of=dt.date(2023, 1, 1))
        elapsed = time.perf_counter() - t0
    read = int(res.ledger.loc[res.ledger["outcome"] == "read", "rows"].sum())
    print(f"{n} offences, {read} rows read, {res.rejects} rejects: {elapsed:.1f} s ({read / elapsed:,.0f} rows/s)")


if __name__ == "__main__":
    main()
