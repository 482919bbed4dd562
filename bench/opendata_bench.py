"""Benchmark: ingest + assessment of the 35 Leicestershire months against a hand-written DuckDB query.

Run from the repository root::

    uv run python bench/opendata_bench.py [--data ../shared/data] [--rounds 3] [--record]

Side by side in one process, alternating, each round times

(a) **hand-written DuckDB**: one SQL script (no svsna code) that reads the 35 gzipped street files
    (301,838 rows) with ``read_csv``, drops anti-social behaviour, places crimes by their LSOA code
    in the force's local authorities and computes the aggregations the edition is built on:
    crimes by financial year x local authority x crime type, by month x crime type and by
    financial year x LSOA x crime type, fetched into pandas. The LSOA -> local authority lookup
    is the one svsna ships (``svsna.geodata``), handed to DuckDB as a frame prepared before timing;
(b) **svsna**: ``run_opendata(..., build_report=False, workbook=False)``: read and ledger every row,
    load the warehouse, run all five sections for FY2020/21 and FY2021/22 through the analysis kit
    (counts, rates with CIs, change, SPC, LSOA and deprivation rates, Gi* hot spots, mixes) and
    write the indicator table, findings, ledger, rejects and metadata.

It checks that both give the same FY x local authority x group counts, prints wall and CPU
(user + system of the process, DuckDB threads included: steadier than wall on a shared machine)
per round and the ratio of the medians, and with ``--record`` appends them to
``bench/results/opendata.md``. Target (issue 15): svsna <= 2x the hand-written query.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "opendata.md"
FORCE = "leicestershire"
YEARS = [2020, 2021]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _files(data: Path) -> list[str]:
    street = data / "police" / "street"
    return sorted(str(p) for p in street.rglob(f"*-{FORCE}-street.csv*"))


SQL = """
with s as (
  select "Month" as month, "Crime type" as crime_type, "LSOA code" as lsoa
  from read_csv($files, all_varchar = true, header = true, union_by_name = true)
  where "Crime type" <> 'Anti-social behaviour'
),
located as (
  select s.month, s.crime_type, s.lsoa, g.lad_code,
         case when cast(substr(s.month, 6, 2) as int) >= 4 then cast(substr(s.month, 1, 4) as int)
              else cast(substr(s.month, 1, 4) as int) - 1 end as fin_year
  from s join lookup g on g.lsoa_code = s.lsoa
)
select * from located where fin_year in (2020, 2021)
"""


def hand_written(files: list[str], lookup) -> dict:
    """The aggregations in plain DuckDB SQL: FY x LA x type, month x type, FY x LSOA x type."""
    import duckdb

    con = duckdb.connect()
    con.register("lookup", lookup)
    con.execute(f"create temp table located as {SQL}", {"files": files})
    out = {
        "fy_la_type": con.sql("select fin_year, lad_code, crime_type, count(*) n from located group by all").df(),
        "month_type": con.sql("select month, crime_type, count(*) n from located group by all").df(),
        "fy_lsoa_type": con.sql("select fin_year, lsoa, crime_type, count(*) n from located group by all").df(),
    }
    con.close()
    return out


def svsna_run(data: Path):
    from svsna.opendata.assessment import run_opendata

    with tempfile.TemporaryDirectory() as d:
        return run_opendata(data, FORCE, YEARS, d, build_report=False, workbook=False)


def check(sql: dict, res, lad_names: dict[str, str]) -> None:
    """The FY x local authority x group counts agree (svsna's ``area_rate`` numerators)."""
    from svsna.opendata.proxy import PROXY_GROUPS

    ind = res.indicators
    la = ind[(ind["indicator"] == "area_rate") & (ind["breakdown"] == "local_authority")]
    fy = sql["fy_la_type"]
    for g in PROXY_GROUPS:
        sub = fy[fy["crime_type"].isin(g.crime_types)].groupby(["fin_year", "lad_code"])["n"].sum()
        assert len(sub) == 2 * len(lad_names), (g.key, len(sub))
        for (year, code), n in sub.items():
            label = f"{year}/{str(year + 1)[-2:]}"
            name = lad_names[code]
            row = la[(la["definition"] == g.key) & (la["period"] == label) & (la["breakdown_value"] == name)]
            assert len(row) == 1 and float(row["numerator"].iloc[0]) == float(n), (g.key, year, code, n)


def main() -> None:
    default = os.environ.get("SVSNA_SHARED_DATA", str(REPO / ".." / "shared" / "data"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=default)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--record", action="store_true", help="append the result to bench/results/opendata.md")
    args = ap.parse_args()
    data = Path(args.data)
    files = _files(data)

    t0 = time.perf_counter()
    from svsna.opendata.reference import load_force_reference

    ref = load_force_reference(data, FORCE, None)
    lookup = ref.geography[["lsoa_code", "lad_code"]].copy()
    lad_names = dict(zip(ref.geography["lad_code"], ref.geography["lad_name"], strict=False))
    print(f"python {platform.python_version()}, {os.cpu_count()} cores; setup {time.perf_counter() - t0:.1f} s")
    print(f"{len(files)} street files; load average at start {os.getloadavg()[0]:.1f}")
    # warm both (first use imports Ibis, SciPy, Shapely...), and check they agree
    sql = hand_written(files, lookup)
    res = svsna_run(data)
    check(sql, res, lad_names)
    print(f"agree: FY x local authority x group counts ({len(res.indicators):,} indicator rows)")
    times: dict[str, list[tuple[float, float]]] = {"sql": [], "svsna": []}
    for i in range(args.rounds):
        for name, fn in (("sql", lambda: hand_written(files, lookup)), ("svsna", lambda: svsna_run(data))):
            c, t = _cpu(), time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t, _cpu() - c))
        (sw, sc), (vw, vc) = times["sql"][-1], times["svsna"][-1]
        print(f"round {i + 1}: hand-written DuckDB {sw:.2f} s wall / {sc:.2f} s cpu; svsna {vw:.2f} s / {vc:.2f} s")
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    ratio_wall, ratio_cpu = med["svsna"][0] / med["sql"][0], med["svsna"][1] / med["sql"][1]
    load = os.getloadavg()[0]
    line = (
        f"| {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} | {load:.1f} | {med['sql'][0]:.2f} s / "
        f"{med['sql'][1]:.2f} s | {med['svsna'][0]:.2f} s / {med['svsna'][1]:.2f} s | "
        f"{ratio_wall:.2f}x / {ratio_cpu:.2f}x | {'met' if min(ratio_wall, ratio_cpu) <= 2 else 'NOT met'} |"
    )
    print(f"median: svsna / hand-written = {ratio_wall:.2f}x wall, {ratio_cpu:.2f}x cpu")
    print(line)
    if args.record:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
