"""Core extent indicators: svsna against a hand-written DuckDB SQL script, side by side in one run.

The baseline computes, for every definition, straight from the warehouse tables:

* offences by financial year x district with the rate per 1,000 (district mid-year estimates of the
  year each financial year starts, persons = P rows or M + F);
* monthly offence counts over the trend window;
* victim involvements in the profile window by sex x five-year age band with the rate per 1,000.

It checks that the numbers agree with svsna's indicator table (``area_rate`` by district for the
financial years, ``offences_monthly``, ``age_band_rate`` by ``sex|age_band``) and times, in the same
process and alternating, (a) the SQL script, (b) svsna computing the same aggregations through its
analysis kit (the functions the sections call: one grouped query each, the run's denominators, rows
built by the kit), (c) the three sections that produce them in full (``timing``, ``geography`` with
every level and hot spots, ``people``) and (d) svsna's whole assessment. Times are wall
and CPU (user + system of the process, DuckDB threads included: steadier on a shared machine).

Usage::

    uv run python bench/kit_vs_sql.py AREA_YAML [--rounds 3] [--label 10x]

Results are appended to bench/results/assess.md.
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "assess.md"
BANDS = [(f"{lo}-{lo + 4}" if lo < 90 else "90+", lo, lo + 4 if lo < 90 else 120) for lo in range(0, 95, 5)]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _sql(con, cfg, definition: str) -> dict:
    """The three aggregations in plain DuckDB SQL (no svsna code)."""
    fys = list(cfg.financial_years)
    d = definition.replace("'", "''")
    fy = con.sql(
        f"""
        with o as (
          select o.fin_year, o.district_name from offences o
          join offence_decisions d on d.offence_ref = o.offence_ref and d.definition = '{d}' and d.included
          where o.fin_year in ({",".join(map(str, fys))})
        ),
        c as (select fin_year, district_name, count(*) n from o group by all),
        dist as (select distinct district_code, district_name from geography),
        p as (
          select year, area_code, sum(population) pop from (
            select year, area_code, sex, population from population
            where area_code in (select district_code from dist)
          ) x
          where sex = 'P' or not exists (
            select 1 from population q where q.area_code = x.area_code and q.year = x.year and q.sex = 'P')
          group by all
        ),
        grid as (select fy.fin_year, dist.district_name, dist.district_code from
                 (select unnest([{",".join(map(str, fys))}]) fin_year) fy cross join dist)
        select g.fin_year, g.district_name, coalesce(c.n, 0) n, p.pop,
               1000.0 * coalesce(c.n, 0) / p.pop rate
        from grid g left join c on c.fin_year = g.fin_year and c.district_name = g.district_name
        left join p on p.area_code = g.district_code and p.year = (
            select max(year) from population where year <= g.fin_year)
        """
    ).df()
    start, end = cfg.periods()[0].start, cfg.periods()[-1].end
    monthly = con.sql(
        f"""
        select strftime(o.offence_date, '%Y-%m') as month, count(*) as n from offences o
        join offence_decisions d on d.offence_ref = o.offence_ref and d.definition = '{d}' and d.included
        where o.offence_date between date '{start}' and date '{end}'
        group by all
        """
    ).df()
    prof = cfg.profile()
    py = con.sql(f"select max(year) from population where year <= {prof.start.year}").fetchone()[0]
    cases = " ".join(f"when v.age between {lo} and {hi} then '{b}'" for b, lo, hi in BANDS)
    pops = " ".join(f"when p.age_from >= {lo} and p.age_to <= {hi} then '{b}'" for b, lo, hi in BANDS)
    victims = con.sql(
        f"""
        with inv as (
          select case v.sex when 'M' then 'Male' when 'F' then 'Female' end sex, case {cases} end band
          from victims v join offences o on o.offence_ref = v.offence_ref
          join offence_decisions d on d.offence_ref = o.offence_ref and d.definition = '{d}' and d.included
          where o.offence_date between date '{prof.start}' and date '{prof.end}' and v.sex in ('M', 'F')
        ),
        c as (select sex, band, count(*) n from inv where band is not null group by all),
        p as (
          select case p.sex when 'M' then 'Male' else 'Female' end sex, case {pops} end band,
                 sum(p.population) pop
          from population p where p.year = {py} and p.sex in ('M', 'F')
            and p.area_code in (select distinct district_code from geography)
          group by all
        )
        select p.sex, p.band, coalesce(c.n, 0) n, p.pop, 1000.0 * coalesce(c.n, 0) / p.pop rate
        from p left join c using (sex, band) where p.band is not null
        """
    ).df()
    return {"fy": fy, "monthly": monthly, "victims": victims}


def _compare(base: dict, ind, definition: str, cfg) -> tuple[int, int]:
    """Rows compared and rows that differ between the SQL results and svsna's indicator table."""
    from svsna.config import financial_year

    rows = ind[ind["definition"] == definition]
    compared = differ = 0
    rate = rows[(rows.indicator == "area_rate") & (rows.breakdown == "district")]
    for r in base["fy"].itertuples():
        s = rate[(rate.period == financial_year(int(r.fin_year)).label) & (rate.breakdown_value == r.district_name)]
        compared += 1
        if len(s) != 1 or s.numerator.iloc[0] != r.n or abs(s.value.iloc[0] - r.rate) > 1e-9 * max(1, r.rate):
            differ += 1
    monthly = rows[rows.indicator == "offences_monthly"].set_index("breakdown_value")["value"]
    for r in base["monthly"].itertuples():
        compared += 1
        if monthly.get(r.month) != r.n:
            differ += 1
    band = rows[(rows.indicator == "age_band_rate") & (rows.breakdown == "sex|age_band") & (rows.section == "victims")]
    band = band.set_index("breakdown_value")
    for r in base["victims"].itertuples():
        compared += 1
        key = f"{r.sex}|{r.band}"
        if key not in band.index or band.at[key, "numerator"] != r.n or abs(band.at[key, "value"] - r.rate) > 1e-9:
            differ += 1
    return compared, differ


def _svsna_core(wh, cfg) -> None:
    """svsna computing the same three aggregations through the analysis kit, as the sections do: one
    grouped query per aggregation, population denominators from the run's table, rows built by the kit."""
    from svsna.analyses import geography, people, timing
    from svsna.analyses._base import AnalysisContext, RunShared

    core = cfg.model_copy(update={"geography_levels": ["area", "district"]})
    shared = RunShared(wh, core)
    try:
        for d in core.definitions:
            ctx = AnalysisContext(wh, core, d, shared=shared)
            counts = ctx.period_counts_by(ctx.offence_facts(), ["lsoa"], periods=ctx.financial_years)
            geography._levels(ctx, counts)
            timing._monthly(ctx)
            cube = people._involvement_cube(ctx, "victims")
            people._band_rates(ctx, "victims", "age_band_rate", ctx.profile.label, cube, sexes=("M", "F"))
            ctx.release()
    finally:
        shared.release()


def main(argv: list[str]) -> None:
    import duckdb

    from svsna.analyses import run_assessment
    from svsna.config import load_area_config
    from svsna.engine import WAREHOUSE_FILE, open_warehouse

    area = argv[0]
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 3
    label = argv[argv.index("--label") + 1] if "--label" in argv else Path(area).parent.name
    cfg = load_area_config(area)
    import geopandas  # noqa: F401  - imports paid before any timing
    import scipy.stats  # noqa: F401

    db = str(cfg.workspace_dir / WAREHOUSE_FILE)
    times: dict[str, list[tuple[float, float]]] = {"sql": [], "kit": [], "core": [], "whole": []}
    result = None
    n_off = None
    for _ in range(rounds):
        t, c = time.perf_counter(), _cpu()
        con = duckdb.connect(db, read_only=True)
        base = {d: _sql(con, cfg, d) for d in cfg.definitions}
        n_off = con.sql("select count(*) from offences").fetchone()[0]
        con.close()
        times["sql"].append((time.perf_counter() - t, _cpu() - c))
        t, c = time.perf_counter(), _cpu()
        wh = open_warehouse(cfg.workspace_dir, read_only=True)
        _svsna_core(wh, cfg)
        wh.close()
        times["kit"].append((time.perf_counter() - t, _cpu() - c))
        for name, sections in (("core", ("timing", "geography", "people")), ("whole", None)):
            t, c = time.perf_counter(), _cpu()
            wh = open_warehouse(cfg.workspace_dir, read_only=True)
            res = run_assessment(wh, cfg, sections=sections, boundaries=cfg.boundaries_path)
            wh.close()
            times[name].append((time.perf_counter() - t, _cpu() - c))
            if name == "whole":
                result = res
    compared = differ = 0
    for d in cfg.definitions:
        a, b = _compare(base[d], result.indicators, d, cfg)
        compared, differ = compared + a, differ + b
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    line = (
        f"| {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} | {label} | {n_off:,} | {med['sql'][0]:.2f} / {med['sql'][1]:.2f} "
        f"| {med['kit'][0]:.2f} / {med['kit'][1]:.2f} "
        f"| {med['core'][0]:.2f} / {med['core'][1]:.2f} | {med['whole'][0]:.2f} / {med['whole'][1]:.2f} "
        f"| {med['kit'][0] / med['sql'][0]:.1f} / {med['kit'][1] / med['sql'][1]:.1f} "
        f"| {compared} compared, {differ} differ | {rounds} |"
    )
    print(line)
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
