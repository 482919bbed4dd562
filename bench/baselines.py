"""Core extent indicators: svsna against hand-written DuckDB SQL and pandas, side by side in one run.

Three independent implementations compute the same numbers from the same warehouse
(``<workspace>/warehouse.duckdb`` after ``svsna ingest``), for every definition:

* ``fy_district``: in-definition offences by period (each financial year and the part-year
  ``latest`` period) x district, with the rate per 1,000 residents;
* ``area_fy``: the whole area's count and rate per 1,000 for the same periods;
* ``profile_district``: district counts and rates for the profile period;
* ``monthly``: offences by calendar month over the trend window (first period start to last
  period end), months without offences as 0;
* ``victims_sex_band``: victim involvements (victim rows of in-definition offences) in the
  profile period by sex (M, F) x five-year age band (0-4 ... 85-89, 90+), rate per 1,000.

Rules (the hand-written scripts follow them; svsna must give the same numbers):

* an offence is in a period when its ``offence_date`` lies in it (both ends inclusive) and it is
  in a definition when ``offence_decisions`` has ``included`` for it;
* the population year of a period is the year it starts in, or the latest earlier year in the
  table (the earliest year when the table starts later);
* persons are an area-year's ``P`` rows where it has them, else the sum of its ``M`` and ``F`` rows;
* district populations are the district-code rows when the table has rows for every district of
  the geography, otherwise the district's LSOA rows; the whole area is the sum over districts;
* the rate is ``1000 * count / population``.

Implementations: ``sql`` (one DuckDB connection, plain SQL), ``pandas`` (columns read with DuckDB,
everything else in pandas), ``kit`` (svsna computing only the compared numbers through its analysis
kit: the like-for-like figure, :func:`run_kit`), ``svsna`` (``run_assessment`` of the whole sections
that produce the compared indicators, :data:`SVSNA_SECTIONS`: they also compute every geography
level, Gi* hot spots, deprivation, prevalence, first involvements and perpetrator profiles, so
this figure is not like for like) and ``assess`` (the whole ``svsna assess`` CLI). Each
run is a fresh process, the implementations alternate (the order rotates every round), and the
medians of ``--rounds`` (default 3) are recorded with wall time, CPU time (user + system, all
threads), peak RSS, the time inside the process after imports (``compute``) and the load average.

The comparison with svsna's indicator table goes through :data:`MAPPING`, the one place that says
which svsna indicator holds each baseline number (the names are changing: update it there).

Usage::

    uv run python bench/baselines.py --scales 1,10            # synthesises + ingests when needed
    uv run python bench/baselines.py --area path/to/area.yaml  # an existing ingested partnership
    uv run python bench/baselines.py --scales 1 --rounds 1 --impl sql,pandas,svsna --no-record

Partnerships are made under ``--work`` (default ``$TMPDIR/svsna-bench``) with ``svsna synth
--scale S`` and ``svsna ingest --demo`` and reused by later runs. Results are appended to
``bench/results/baselines.md`` (``--no-record`` only prints). Exit status 1 when any number
differs or an implementation fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

import _harness as H

RESULTS = H.RESULTS / "baselines.md"
TABLES = ("fy_district", "area_fy", "profile_district", "monthly", "victims_sex_band")
KEYS = {  # each canonical table's key columns (besides ``definition``)
    "fy_district": ["period", "district"],
    "area_fy": ["period"],
    "profile_district": ["period", "district"],
    "monthly": ["month"],
    "victims_sex_band": ["sex", "band"],
}
BANDS = [(f"{lo}-{lo + 4}", lo, lo + 4) for lo in range(0, 90, 5)] + [("90+", 90, 120)]
SEX_LABEL = {"M": "Male", "F": "Female"}


# =====================================================================================================
# Where svsna keeps each number: the ONE place to update when indicator names change.
# =====================================================================================================
@dataclass(frozen=True)
class Spec:
    """Rows of svsna's indicator table holding one canonical table.

    ``periods``: ``"periods"`` (financial years + latest), ``"profile"`` or ``"trend"`` (the label of
    the trend window). ``key``: how ``breakdown_value`` splits into the canonical key columns.
    ``fields``: canonical column -> indicator-table column to compare.
    """

    section: str
    indicator: str
    breakdown: str
    periods: str
    key: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]


_RATE = (("n", "numerator"), ("pop", "denominator"), ("rate", "value"))

#: canonical table -> candidate locations in svsna's indicator table, first present wins.
MAPPING: dict[str, list[Spec]] = {
    # FY x district: the kit branch's geography section (every level x period); absent on older code.
    "fy_district": [Spec("geography", "area_rate", "district", "periods", ("district",), _RATE)],
    # whole area per period: geography's area level when it has every period, else extent's rate.
    "area_fy": [
        Spec("geography", "area_rate", "all", "periods", (), _RATE),
        Spec("extent", "rate", "all", "periods", (), _RATE),
    ],
    "profile_district": [Spec("geography", "area_rate", "district", "profile", ("district",), _RATE)],
    "monthly": [Spec("timing", "offences_monthly", "month", "trend", ("month",), (("n", "value"),))],
    "victims_sex_band": [Spec("victims", "age_band_rate", "sex|age_band", "profile", ("sex", "band"), _RATE)],
}
#: the sections ``run_assessment`` runs for the ``svsna`` implementation (they emit every candidate).
SVSNA_SECTIONS = ("extent", "timing", "geography", "people")


# =====================================================================================================
# The job every implementation gets (written by the parent, read by the child: no svsna import needed)
# =====================================================================================================
def make_job(area: Path) -> dict:
    from svsna.config import load_area_config
    from svsna.engine import WAREHOUSE_FILE

    cfg = load_area_config(area)
    periods = cfg.periods()
    prof = cfg.profile()
    if not periods:
        raise SystemExit(f"{area}: the baselines need financial_years")
    db = cfg.workspace_dir / WAREHOUSE_FILE
    if not db.exists():
        raise SystemExit(f"no warehouse at {db}: run `svsna ingest --area {area}` first")

    def key(p) -> str:
        return f"{p.start}..{p.end}"

    return {
        "area": str(area),
        "warehouse": str(db),
        "definitions": list(cfg.definitions),
        "periods": [key(p) for p in periods],
        "profile": key(prof),
        "trend": f"{periods[0].start}..{periods[-1].end}",
        # svsna's period labels, for reading its indicator table only
        "labels": {key(p): p.label for p in [*periods, prof]},
        "trend_label": f"{periods[0].start:%b %Y} - {periods[-1].end:%b %Y}",
    }


def _span(key: str) -> tuple[str, str]:
    a, b = key.split("..")
    return a, b


def _pop_year(years: list[int], start: str) -> int:
    y = int(start[:4])
    usable = [v for v in sorted(years) if v <= y]
    return usable[-1] if usable else min(years)


# =====================================================================================================
# (a) hand-written DuckDB SQL
# =====================================================================================================
def run_sql(job: dict) -> dict:
    import duckdb

    con = duckdb.connect(job["warehouse"], read_only=True)
    years = [r[0] for r in con.sql("select distinct year from population").fetchall()]
    missing = con.sql(
        "select count(*) from (select distinct district_code from geography where district_code is not null) g "
        "where district_code not in (select distinct area_code from population)"
    ).fetchone()[0]
    district_source = "district" if missing == 0 else "lsoa"
    pids = [*job["periods"], job["profile"]]
    values = ", ".join(
        f"('{k}', date '{_span(k)[0]}', date '{_span(k)[1]}', {_pop_year(years, _span(k)[0])})" for k in pids
    )
    persons = """
        persons as (
          select area_code, year, age_from, age_to, population::double as population from population where sex = 'P'
          union all
          select area_code, year, age_from, age_to, sum(population)::double from population m
          where sex in ('M', 'F')
            and not exists (select 1 from population q where q.area_code = m.area_code and q.year = m.year
                            and q.sex = 'P')
          group by all
        )"""
    if district_source == "district":
        dpop = "dpop as (select area_code as district_code, year, sum(population) as pop from persons group by all)"
        sexpop = (
            "sexpop as (select area_code, year, age_from, age_to, sex, population::double as population "
            "from population where sex in ('M', 'F') and area_code in (select district_code from dist))"
        )
    else:
        dpop = (
            "dpop as (select g.district_code, p.year, sum(p.population) as pop from persons p "
            "join geography g on g.lsoa_code = p.area_code group by all)"
        )
        sexpop = (
            "sexpop as (select area_code, year, age_from, age_to, sex, population::double as population "
            "from population where sex in ('M', 'F') and area_code in (select lsoa_code from geography))"
        )
    band_case = " ".join(f"when v.age between {lo} and {hi} then '{b}'" for b, lo, hi in BANDS)
    pop_band = " ".join(f"when age_from >= {lo} and age_to <= {hi} then '{b}'" for b, lo, hi in BANDS)
    trend_a, trend_b = _span(job["trend"])
    prof_a, prof_b = _span(job["profile"])
    prof_year = _pop_year(years, prof_a)
    out: dict[str, list] = {t: [] for t in TABLES}
    for d in job["definitions"]:
        d_sql = d.replace("'", "''")
        inc = (
            f"inc as (select offence_ref, offence_date, district_name from offences where offence_ref in "
            f"(select offence_ref from offence_decisions where definition = '{d_sql}' and included))"
        )
        head = (
            f"with periods(pid, a, b, pop_year) as (values {values}), {persons}, {inc}, "
            f"dist as (select distinct district_code, district_name from geography where district_code is not null), "
            f"{dpop}"
        )
        by_district = con.sql(
            f"""{head},
            c as (select p.pid, i.district_name, count(*) as n from inc i
                  join periods p on i.offence_date between p.a and p.b group by all)
            select p.pid as period, dist.district_name as district, coalesce(c.n, 0) as n, dp.pop,
                   1000.0 * coalesce(c.n, 0) / dp.pop as rate
            from periods p cross join dist
            left join c on c.pid = p.pid and c.district_name = dist.district_name
            left join dpop dp on dp.district_code = dist.district_code and dp.year = p.pop_year
            """
        ).df()
        area = con.sql(
            f"""{head},
            c as (select p.pid, count(i.offence_ref) as n from periods p
                  left join inc i on i.offence_date between p.a and p.b group by all),
            ap as (select year, sum(pop) as pop from dpop where district_code in (select district_code from dist)
                   group by all)
            select p.pid as period, c.n, ap.pop, 1000.0 * c.n / ap.pop as rate
            from periods p join c on c.pid = p.pid left join ap on ap.year = p.pop_year
            """
        ).df()
        monthly = con.sql(
            f"""{head},
            months as (select strftime(m, '%Y-%m') as month from
                       range(date '{trend_a}', date '{trend_b}' + interval 1 day, interval 1 month) t(m)),
            c as (select strftime(offence_date, '%Y-%m') as month, count(*) as n from inc
                  where offence_date between date '{trend_a}' and date '{trend_b}' group by all)
            select months.month, coalesce(c.n, 0) as n from months left join c using (month)
            """
        ).df()
        victims = con.sql(
            f"""with {inc}, dist as (select distinct district_code from geography where district_code is not null),
            {sexpop},
            inv as (select v.sex, case {band_case} end as band from victims v join inc i using (offence_ref)
                    where i.offence_date between date '{prof_a}' and date '{prof_b}' and v.sex in ('M', 'F')),
            c as (select sex, band, count(*) as n from inv where band is not null group by all),
            p as (select sex, case {pop_band} end as band, sum(population) as pop from sexpop
                  where year = {prof_year} group by all)
            select p.sex, p.band, coalesce(c.n, 0) as n, p.pop, 1000.0 * coalesce(c.n, 0) / p.pop as rate
            from p left join c using (sex, band) where p.band is not null
            """
        ).df()
        victims["sex"] = victims["sex"].map(SEX_LABEL)
        for name, frame in (
            ("fy_district", by_district[by_district["period"] != job["profile"]]),
            ("profile_district", by_district[by_district["period"] == job["profile"]]),
            ("area_fy", area[area["period"] != job["profile"]]),
            ("monthly", monthly),
            ("victims_sex_band", victims),
        ):
            out[name].append(frame.assign(definition=d))
    n_off = con.sql("select count(*) from offences").fetchone()[0]
    con.close()
    return {"tables": out, "offences": n_off}


# =====================================================================================================
# (b) pandas (columns read with DuckDB; joins, filters and group-bys in pandas)
# =====================================================================================================
def run_pandas(job: dict) -> dict:
    import duckdb
    import numpy as np
    import pandas as pd

    con = duckdb.connect(job["warehouse"], read_only=True)
    off = con.sql("select offence_ref, offence_date, district_name from offences").df()
    dec = con.sql("select offence_ref, definition, included from offence_decisions").df()
    vic = con.sql("select offence_ref, sex, age from victims").df()
    pop = con.sql("select area_code, year, age_from, age_to, sex, population from population").df()
    geo = con.sql("select lsoa_code, district_code, district_name from geography").df()
    con.close()

    off["offence_date"] = pd.to_datetime(off["offence_date"])
    years = sorted(pop["year"].unique().tolist())
    pop["population"] = pop["population"].astype("float64")
    has_p = pop.loc[pop["sex"] == "P", ["area_code", "year"]].drop_duplicates().assign(_p=True)
    mf = pop[pop["sex"].isin(["M", "F"])].merge(has_p, on=["area_code", "year"], how="left")
    mf = mf[mf["_p"].isna()].groupby(["area_code", "year", "age_from", "age_to"], as_index=False)["population"].sum()
    persons = pd.concat([pop.loc[pop["sex"] == "P", ["area_code", "year", "age_from", "age_to", "population"]], mf])
    dist = geo.dropna(subset=["district_code"])[["district_code", "district_name"]].drop_duplicates()
    if set(dist["district_code"]) <= set(pop["area_code"]):
        dpop = persons[persons["area_code"].isin(dist["district_code"])].rename(columns={"area_code": "district_code"})
        sexpop = pop[pop["sex"].isin(["M", "F"]) & pop["area_code"].isin(dist["district_code"])]
    else:
        dpop = persons.merge(geo[["lsoa_code", "district_code"]], left_on="area_code", right_on="lsoa_code")
        sexpop = pop[pop["sex"].isin(["M", "F"]) & pop["area_code"].isin(geo["lsoa_code"])]
    dpop = dpop.groupby(["district_code", "year"])["population"].sum()
    names = dict(zip(dist["district_code"], dist["district_name"], strict=True))

    def band_of(lo: pd.Series, hi: pd.Series) -> pd.Series:
        out = pd.Series(None, index=lo.index, dtype="object")
        for b, a, z in BANDS:
            out[(lo >= a) & (hi <= z) & out.isna()] = b
        return out

    prof_a, prof_b = _span(job["profile"])
    prof_year = _pop_year(years, prof_a)
    sp = sexpop[sexpop["year"] == prof_year].assign(band=lambda f: band_of(f["age_from"], f["age_to"]))
    sex_band_pop = sp.dropna(subset=["band"]).groupby(["sex", "band"])["population"].sum()
    age_bins = [b for _, b, _ in BANDS] + [121]
    trend_a, trend_b = _span(job["trend"])
    months = pd.period_range(trend_a, trend_b, freq="M")

    out: dict[str, list] = {t: [] for t in TABLES}
    for d in job["definitions"]:
        # joins, not Series.isin: with pandas 3's Arrow-backed strings a merge is ~4x faster at 10x
        keep = dec["definition"].eq(d) & dec["included"].fillna(False).astype(bool)
        inc = off.merge(dec.loc[keep, ["offence_ref"]].drop_duplicates(), on="offence_ref")
        fy_rows, area_rows, prof_rows = [], [], []
        for k in [*job["periods"], job["profile"]]:
            a, b = _span(k)
            year = _pop_year(years, a)
            sel = inc[(inc["offence_date"] >= a) & (inc["offence_date"] <= b)]
            counts = sel["district_name"].value_counts()
            rows = []
            for code, name in names.items():
                n = int(counts.get(name, 0))
                p = float(dpop.get((code, year), np.nan))
                rows.append({"period": k, "district": name, "n": n, "pop": p, "rate": 1000.0 * n / p})
            (prof_rows if k == job["profile"] else fy_rows).extend(rows)
            if k != job["profile"]:
                ap = float(sum(dpop.get((c, year), np.nan) for c in names))
                area_rows.append({"period": k, "n": len(sel), "pop": ap, "rate": 1000.0 * len(sel) / ap})
        out["fy_district"].append(pd.DataFrame(fy_rows).assign(definition=d))
        out["profile_district"].append(pd.DataFrame(prof_rows).assign(definition=d))
        out["area_fy"].append(pd.DataFrame(area_rows).assign(definition=d))
        tr = inc[(inc["offence_date"] >= trend_a) & (inc["offence_date"] <= trend_b)]
        per = tr["offence_date"].dt.to_period("M").value_counts()
        out["monthly"].append(
            pd.DataFrame(
                {"month": [m.strftime("%Y-%m") for m in months], "n": [int(per.get(m, 0)) for m in months]}
            ).assign(definition=d)
        )
        prof_refs = inc.loc[(inc["offence_date"] >= prof_a) & (inc["offence_date"] <= prof_b), ["offence_ref"]]
        v = vic.merge(prof_refs.drop_duplicates(), on="offence_ref")
        v = v[v["sex"].isin(["M", "F"]) & v["age"].notna()]
        v = v[(v["age"] >= 0) & (v["age"] <= 120)]
        labels = [b for b, _, _ in BANDS]
        v_band = pd.cut(v["age"].astype("int64"), bins=age_bins, right=False, labels=labels)
        c = v.assign(band=v_band.astype("object")).groupby(["sex", "band"]).size()
        rows = []
        for (sex, band), p in sex_band_pop.items():
            n = int(c.get((sex, band), 0))
            rows.append({"sex": SEX_LABEL[sex], "band": band, "n": n, "pop": float(p), "rate": 1000.0 * n / p})
        out["victims_sex_band"].append(pd.DataFrame(rows).assign(definition=d))
    return {"tables": out, "offences": len(off)}


# =====================================================================================================
# (c) svsna: run_assessment of the sections that emit the compared indicators
# =====================================================================================================
def run_svsna(job: dict) -> dict:
    from svsna.analyses import run_assessment
    from svsna.config import load_area_config
    from svsna.engine import open_warehouse

    cfg = load_area_config(job["area"])
    wh = open_warehouse(cfg.workspace_dir, read_only=True)
    try:
        res = run_assessment(wh, cfg, sections=list(SVSNA_SECTIONS), boundaries=cfg.boundaries_path)
    finally:
        wh.close()
    return {"indicators": res.indicators}


def run_kit(job: dict) -> dict:
    """svsna computing only the compared numbers, through the analysis kit the sections use.

    The like-for-like figure against the SQL: the same grouped queries the sections send (offence
    counts by period x LSOA; victim involvements by age x sex), the run's population denominators,
    and the kit's rows and statistics (rates with Byar's/exact limits, shares and changes of the
    area and district levels, monthly counts with SPC limits, victim rates by sex x age band),
    with the geography levels limited to the area and districts. It leaves out what the sections
    add beyond the SQL: LSOA, ward and NPA levels, Gi* hot spots, deprivation, prevalence and
    first involvements, perpetrator profiles, and every other table. Like ``run_assessment``, one
    run serves every definition: the run-wide tables (offence facts, involvements) are built once
    for all of them, with the offence columns the sections drawn on read, and released at the end.
    """
    from svsna.analyses import extent, fact_columns, geography, people, timing
    from svsna.analyses._base import AnalysisContext, RunShared
    from svsna.config import load_area_config
    from svsna.definitions.definition import resolve_definition_names
    from svsna.engine import open_warehouse
    from svsna.indicators import concat_indicators

    cfg = load_area_config(job["area"]).model_copy(update={"geography_levels": ["area", "district"]})
    wh = open_warehouse(cfg.workspace_dir, read_only=True)
    # the run's definitions, as run_assessment gives them: their tables are built once for all of them
    names = resolve_definition_names(list(cfg.definitions), cfg.base_dir, load_names=False)
    # the offence columns the sections it draws on read (timing's monthly counts are extent's daily ones)
    shared = RunShared(wh, cfg, definitions=names, fact_columns=fact_columns([extent, geography, people, timing]))
    rows = []
    try:
        for definition in names:
            ctx = AnalysisContext(wh, cfg, definition, shared=shared)
            rows += geography._levels(ctx, geography._counts(ctx))[0]
            rows += timing._monthly(ctx)[0]
            cube = people._involvement_cube(ctx, "victims")
            rows += people._band_rates(ctx, "victims", "age_band_rate", ctx.profile.label, cube, sexes=("M", "F"))[0]
    finally:
        shared.release()
        wh.close()
    return {"indicators": concat_indicators(rows)}


def _preimport(impl: str) -> None:
    """Imports paid before ``compute`` starts (they are in the process times)."""
    import duckdb  # noqa: F401

    if impl in ("pandas", "svsna", "kit"):
        import pandas  # noqa: F401
    if impl in ("svsna", "kit"):
        import importlib

        if impl == "svsna":  # the whole sections read the boundaries (hot spots); the kit has no geometry
            import geopandas  # noqa: F401
        import scipy.special  # noqa: F401  (svsna.stats' distributions; scipy.stats is not imported)

        import svsna.analyses

        for s in svsna.analyses.SECTIONS:
            with contextlib.suppress(ImportError):
                importlib.import_module(f"svsna.analyses.{s}")


IMPLS = {"sql": run_sql, "pandas": run_pandas, "kit": run_kit, "svsna": run_svsna}
DESCRIBE = {
    "sql": "hand-written DuckDB SQL",
    "pandas": "pandas (columns read with DuckDB)",
    "kit": "svsna kit: the compared numbers only (like for like)",
    "svsna": "svsna whole sections " + ", ".join(SVSNA_SECTIONS) + " (far more than the SQL)",
    "assess": "svsna assess (whole CLI)",
}


def child(impl: str, job_file: Path, out_dir: Path) -> None:
    """One implementation in this (fresh) process: results as Parquet, timings as JSON."""
    job = json.loads(job_file.read_text(encoding="utf-8"))
    _preimport(impl)
    t, c = time.perf_counter(), time.process_time()
    res = IMPLS[impl](job)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    import pandas as pd

    if "tables" in res:
        for name, frames in res["tables"].items():
            pd.concat(frames, ignore_index=True).to_parquet(out_dir / f"{name}.parquet")
    else:
        res["indicators"].to_parquet(out_dir / "indicators.parquet")
    meta = {"compute_wall": wall, "compute_cpu": cpu, "offences": res.get("offences")}
    (out_dir / "timing.json").write_text(json.dumps(meta), encoding="utf-8")


# =====================================================================================================
# Comparison
# =====================================================================================================
def svsna_tables(ind, job: dict) -> tuple[dict, dict]:
    """The canonical tables read out of an svsna indicator table through :data:`MAPPING`.

    Returns ``(tables, used)``: ``used[name]`` is the Spec found (or None when no candidate has rows).
    """
    import pandas as pd

    label_to_key = {v: k for k, v in job["labels"].items()}
    tables, used = {}, {}
    for name, specs in MAPPING.items():
        used[name] = None
        for spec in specs:
            sel = ind[(ind["section"] == spec.section) & (ind["indicator"] == spec.indicator)]
            sel = sel[sel["breakdown"] == spec.breakdown]
            if spec.periods == "trend":
                sel = sel[sel["period"] == job["trend_label"]]
                periods = None
            else:
                wanted = job["periods"] if spec.periods == "periods" else [job["profile"]]
                sel = sel[sel["period"].map(label_to_key).isin(wanted)]
                periods = set(sel["period"].map(label_to_key))
                if periods != set(wanted):
                    continue  # this candidate lacks some periods: try the next
            if sel.empty:
                continue
            frame = pd.DataFrame({"definition": sel["definition"].to_numpy()})
            if spec.periods != "trend":
                frame["period"] = sel["period"].map(label_to_key).to_numpy()
            parts = sel["breakdown_value"].astype(str).str.split("|", expand=True) if spec.key else None
            for i, col in enumerate(spec.key):
                frame[col] = parts[i].to_numpy()
            for canon, col in spec.fields:
                frame[canon] = sel[col].to_numpy()
            tables[name], used[name] = frame, spec
            break
    return tables, used


def compare(a, b, name: str) -> tuple[int, int, list[str]]:
    """Rows of ``a`` (reference) compared with ``b``; counts exact, populations exact, rates to 1e-9."""
    keys = ["definition", *KEYS[name]]
    fields = [c for c in ("n", "pop", "rate") if c in a.columns and c in b.columns]
    m = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b"), indicator="side")
    bad = []
    for row in m.to_dict("records"):
        where = " ".join(str(row[k]) for k in keys)
        if row["side"] != "both":
            bad.append(f"{name} {where}: only in {'first' if row['side'] == 'left_only' else 'second'}")
            continue
        for f in fields:
            x, y = row[f"{f}_a"], row[f"{f}_b"]
            same = abs(float(x) - float(y)) <= 1e-09 * max(1.0, abs(float(x))) if f == "rate" else float(x) == float(y)
            if not same:
                bad.append(f"{name} {where}: {f} {x} != {y}")
    return len(m), len({b.split(":")[0] for b in bad}), bad


# =====================================================================================================
# The parent: prepare, run alternately, compare, record
# =====================================================================================================
def run_one(impl: str, job: dict, job_file: Path, work: Path, rnd: int) -> tuple[H.Measured, Path]:
    out_dir = work / f"{impl}-{rnd}"
    out_dir.mkdir(parents=True, exist_ok=True)
    if impl == "assess":
        cmd = H.svsna_cmd("assess", "--area", job["area"], "--out", str(out_dir / "out"))
    else:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", impl, str(job_file), str(out_dir)]
    m = H.run_measured(cmd)
    if m.ok and impl != "assess":
        m.extra = json.loads((out_dir / "timing.json").read_text(encoding="utf-8"))
    return m, out_dir


def read_result(impl: str, out_dir: Path, job: dict) -> tuple[dict, dict | None]:
    import pandas as pd

    if impl in ("sql", "pandas"):
        return {t: pd.read_parquet(out_dir / f"{t}.parquet") for t in TABLES}, None
    if impl in ("svsna", "kit"):
        path = out_dir / "indicators.parquet"
    else:
        cands = [out_dir / "out" / "restricted" / "indicators.parquet", out_dir / "out" / "indicators.parquet"]
        path = next((p for p in cands if p.exists()), cands[-1])
    return svsna_tables(pd.read_parquet(path), job)


def bench_area(area: Path, label: str, impls: list[str], rounds: int, prep: dict, record: bool) -> bool:
    job = make_job(area)
    print(f"\n== {label}: {area}", flush=True)
    with tempfile.TemporaryDirectory(prefix="svsna-baselines-") as tmp:
        work = Path(tmp)
        job_file = work / "job.json"
        job_file.write_text(json.dumps(job), encoding="utf-8")
        runs: dict[str, list[H.Measured]] = {i: [] for i in impls}
        outputs: dict[str, Path] = {}
        failed: list[str] = []
        for rnd in range(rounds):
            order = impls[rnd % len(impls) :] + impls[: rnd % len(impls)]
            for impl in order:
                m, out_dir = run_one(impl, job, job_file, work, rnd)
                print(
                    f"  round {rnd + 1} {impl:7s} wall {m.wall:7.2f} s  cpu {m.cpu:7.2f} s"
                    f"  rss {H.fmt_bytes(m.peak_rss)}"
                    f"  load {m.load_before:.1f}->{m.load_after:.1f}"
                    + ("" if m.ok else f"  FAILED {m.killed or m.returncode}"),
                    flush=True,
                )
                if not m.ok:
                    failed.append(f"{impl} round {rnd + 1}: {m.killed or f'exit {m.returncode}'}: {m.stderr[-600:]}")
                    continue
                runs[impl].append(m)
                outputs.setdefault(impl, out_dir)

        # ---- agreement
        checks: list[tuple[str, str, str, int, int]] = []
        problems: list[str] = []
        results = {i: read_result(i, outputs[i], job) for i in outputs}
        ref_name = "sql" if "sql" in results else None
        ref = results[ref_name][0] if ref_name else None
        if ref is not None:
            # internal consistency: the districts add up to the whole area
            fy = ref["fy_district"].groupby(["definition", "period"])["n"].sum().sort_index()
            area_n = ref["area_fy"].set_index(["definition", "period"])["n"].sort_index()
            if not (fy.to_numpy() == area_n.to_numpy()).all() or list(fy.index) != list(area_n.index):
                problems.append("sql: district counts do not add up to the whole-area counts")
            if "pandas" in results:
                for t in TABLES:
                    n, d, bad = compare(ref[t], results["pandas"][0][t], t)
                    checks.append(("pandas vs SQL", t, "–", n, d))
                    problems += bad[:5]
            for impl in ("kit", "svsna", "assess"):
                if impl not in results:
                    continue
                tables, used = results[impl]
                for t in TABLES:
                    spec = used[t]
                    if spec is None:
                        checks.append((f"{impl} vs SQL", t, "not in svsna's table on this commit", 0, 0))
                        continue
                    where = f"{spec.section}.{spec.indicator}[{spec.breakdown}]"
                    n, d, bad = compare(ref[t], tables[t], t)
                    checks.append((f"{impl} vs SQL", t, where, n, d))
                    problems += [f"{impl}: {b}" for b in bad[:5]]
        agree = not problems and not failed

        # ---- timings
        def med(vals: list[float]) -> float:
            return statistics.median(vals) if vals else float("nan")

        summary = {}
        for impl, ms in runs.items():
            summary[impl] = {
                "wall": med([m.wall for m in ms]),
                "wall_min": min((m.wall for m in ms), default=float("nan")),
                "wall_max": max((m.wall for m in ms), default=float("nan")),
                "cpu": med([m.cpu for m in ms]),
                "rss": max((m.peak_rss for m in ms), default=0),
                "cwall": med([m.extra.get("compute_wall", float("nan")) for m in ms]) if impl != "assess" else None,
                "ccpu": med([m.extra.get("compute_cpu", float("nan")) for m in ms]) if impl != "assess" else None,
                "load": (min((m.load_before for m in ms), default=0), max((m.load_after for m in ms), default=0)),
                "n": len(ms),
            }
        n_off = next((m.extra.get("offences") for m in runs.get("sql", []) if m.extra.get("offences")), None)

    # ---- report
    lines = [f"## {H.now()}: {label}" + (f", {n_off:,} offences" if n_off else "")]
    lines.append("")
    lines.append(f"- command: `{H.command_line()}`; area `{area}`")
    lines.append(f"- code: {H.git_commit()}; {H.versions('duckdb', 'pandas', 'ibis-framework', 'numpy')}")
    lines.append(f"- machine: {H.machine()}")
    if prep:
        lines.append(
            "- partnership made by this run: "
            + "; ".join(
                f"{k} {m.wall:.0f} s wall / {m.cpu:.0f} s CPU / {H.fmt_bytes(m.peak_rss)}" for k, m in prep.items()
            )
        )
    lines.append(
        f"- {rounds} round(s), fresh process per run, order rotated each round; medians. CPU = user + system of the "
        "process and its threads; compute = inside the process after imports. Load = 1-minute load average "
        "(lowest at a start .. highest at an end)."
    )
    lines.append("")
    lines.append("| implementation | wall median [min–max] | CPU | compute wall / CPU | peak RSS | load | runs |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for impl in impls:
        s = summary[impl]
        comp = "–" if s["cwall"] is None else f"{s['cwall']:.2f} s / {s['ccpu']:.2f} s"
        lines.append(
            f"| {DESCRIBE[impl]} | {s['wall']:.2f} s [{s['wall_min']:.2f}–{s['wall_max']:.2f}] | {s['cpu']:.2f} s "
            f"| {comp} | {H.fmt_bytes(s['rss'])} | {s['load'][0]:.1f}–{s['load'][1]:.1f} | {s['n']} |"
        )
    lines.append("")
    for impl, what in (
        ("kit", "like for like (the same numbers)"),
        ("svsna", "whole sections (the four sections compute far more than the SQL)"),
    ):
        if "sql" not in summary or impl not in summary:
            continue
        s, q = summary[impl], summary["sql"]
        ratio = s["cpu"] / q["cpu"]
        lines.append(
            f"- {impl} / SQL, {what}: {ratio:.1f}x CPU, {s['wall'] / q['wall']:.1f}x wall, "
            f"{s['ccpu'] / q['ccpu']:.1f}x compute CPU (target ≤ 1.5x: {'met' if ratio <= 1.5 else 'not met'}, on CPU)"
        )
        if "pandas" in summary:
            p = summary["pandas"]
            speed = p["cpu"] / s["cpu"]
            lines.append(
                f"- pandas / {impl}: {speed:.2f}x CPU, {p['wall'] / s['wall']:.2f}x wall, "
                f"{p['ccpu'] / s['ccpu']:.2f}x compute CPU (target: svsna ≥ 5x faster: "
                f"{'met' if speed >= 5 else 'not met'}, on CPU)"
            )
    if "pandas" in summary and "sql" in summary:
        lines.append(
            f"- pandas / SQL: {summary['pandas']['cpu'] / summary['sql']['cpu']:.2f}x CPU: the most any "
            "implementation can be faster than pandas while staying within the SQL's time"
        )
    if "assess" in summary and "sql" in summary:
        lines.append(f"- whole assess / SQL: {summary['assess']['cpu'] / summary['sql']['cpu']:.1f}x CPU")
    lines.append("")
    lines.append("| check | table | svsna indicator | rows compared | rows that differ |")
    lines.append("|---|---|---|---:|---:|")
    for who, t, where, n, d in checks:
        lines.append(f"| {who} | {t} | {where} | {n} | {d} |")
    if failed or problems:
        lines.append("")
        lines.append("Problems:")
        lines += [f"- {p}" for p in (failed + problems)[:30]]
    block = "\n".join(lines)
    print("\n" + block, flush=True)
    if record:
        H.append_result(RESULTS, HEADER, block)
    return agree


HEADER = """# Core extent indicators: svsna against hand-written DuckDB SQL and pandas

Script: `bench/baselines.py` (see its docstring for the indicators, the rules and the mapping to
svsna's indicator table). Targets at 10x (`svsna synth --scale 10`): svsna ≤ 1.5x the DuckDB SQL
and ≥ 5x faster than pandas. Newest runs at the bottom.
"""


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        child(argv[1], Path(argv[2]), Path(argv[3]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="1,10", help="comma-separated synth scales (default 1,10)")
    ap.add_argument("--area", type=Path, action="append", help="an ingested area.yaml instead of --scales")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "svsna-bench")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--impl", default="sql,pandas,kit,svsna,assess", help="which implementations (default all five)")
    ap.add_argument("--no-record", action="store_true", help="print only; do not append to results/baselines.md")
    args = ap.parse_args(argv)
    impls = [i.strip() for i in args.impl.split(",") if i.strip()]
    unknown = set(impls) - set(DESCRIBE)
    if unknown:
        ap.error(f"unknown --impl {', '.join(sorted(unknown))}; choose from {', '.join(DESCRIBE)}")
    ok = True
    if args.area:
        for area in args.area:
            ok &= bench_area(area.resolve(), area.parent.name, impls, args.rounds, {}, not args.no_record)
    else:
        for s in [float(x) for x in args.scales.split(",")]:
            area, prep = H.ensure_partnership(args.work, s)
            ok &= bench_area(area, f"scale {s:g}x", impls, args.rounds, prep, not args.no_record)
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    sys.exit(main(sys.argv[1:]))
