"""Section ``od_geography``: where crimes happen, per resident, against the force area.

Made by the partner SNA's analysis kit (:mod:`svsna.analyses._figures`) under its indicator names
(all rates per 1,000 residents with Byar's / exact Poisson CIs):

``area_rate``
    for the force area (``breakdown`` ``all``), by ``local_authority`` and
    ``community_safety_partnership`` (``breakdown_value`` = the area's name) and by ``lsoa``
    (``breakdown_value`` = the 2011 LSOA code); areas are compared with the force area rate:
    Higher / Similar / Lower when the force rate lies outside / inside the area's 95% CI, the
    Fingertips single-overlapping-CI method (``comparator_value`` = the force rate).
``deprivation_rate``
    by ``imd_decile`` (IMD 2019 national decile of the LSOA; 1 = most deprived 10% of England).
``deprivation_rate_ratio``
    rate in the most deprived decile present divided by the rate in the least deprived decile
    present (``breakdown_value`` ``'1 vs 10'``; exact conditional CI).

LSOA and decile denominators are ONS LSOA estimates (the latest year not after the
financial year's start); local authority, CSP and force denominators are ONS MYE2.

Examples
--------
>>> [b for b, *_ in _LEVELS]
['local_authority', 'community_safety_partnership']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svsna.analyses._figures import rate_rows, rates, ratio_rows
from svsna.indicators import Finding, SectionResult, Significance, concat_indicators
from svsna.opendata.context import GROUP_KEYS, OpenDataContext
from svsna.opendata.findings import od_finding
from svsna.opendata.proxy import group_for
from svsna.opendata.trend import UNIT

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["area_rates", "geography_section"]

_LEVELS = (
    ("local_authority", "lad_code", "lad_name", "lad"),
    ("community_safety_partnership", "csp_code", "csp_name", "csp"),
)


def area_rates(ctx: OpenDataContext, code_col: str, level: str, year: int) -> pd.DataFrame:
    """Counts, populations and rates for every area of ``level`` in ``year``.

    Returns ``area_code, group, count, population, value, lower, upper, method, confidence``.
    """
    import pandas as pd

    pop = ctx.population(level, year)
    key = f"counts_by_{code_col}"
    if key not in ctx._cache:  # one query for every year and area, reused across years and sections
        ctx._cache[key] = ctx.group_counts(["fin_year", code_col])
    allc = ctx._cache[key]
    counts = allc[allc["fin_year"] == year].drop(columns="fin_year")
    # every area of the level, with or without a population estimate (those without get no rate)
    grid = pd.MultiIndex.from_product([ctx.ref.areas(level), GROUP_KEYS], names=[code_col, "group"])
    counts = counts.set_index([code_col, "group"])["count"].reindex(grid, fill_value=0).reset_index()
    counts.insert(0, "fin_year", year)
    df = counts.rename(columns={code_col: "area_code"}).merge(pop, on="area_code", how="left")
    rate = rates(ctx, df["count"].to_numpy(), df["population"].to_numpy(float))
    return df.reset_index(drop=True).join(rate[["value", "lower", "upper", "method", "confidence"]])


def geography_section(ctx: OpenDataContext) -> SectionResult:
    """Rates by local authority, CSP, LSOA and IMD decile, with significance against the force area."""
    from svsna import stats

    geo = ctx.ref.geography
    parts, findings = [], []
    for year in ctx.years:
        period = ctx.label(year)
        force = area_rates(ctx, "pfa_code", "pfa", year)
        bench = force.set_index("group")["value"]
        # the force area's own row: the comparator of every area below (as the partner SNA's whole-area row)
        parts.append(
            rate_rows(
                ctx, "od_geography", "area_rate", period, "all", "all", force["count"].to_numpy(),
                force["population"].to_numpy(float), what=UNIT, definition=list(force["group"]),
            )
        )  # fmt: skip
        levels = [*_LEVELS, ("lsoa", "lsoa_code", "lsoa_name", "lsoa")] if ctx.has_population("lsoa") else _LEVELS
        for breakdown, code_col, name_col, level in levels:
            r = area_rates(ctx, code_col, level, year)
            names = geo.drop_duplicates(code_col).set_index(code_col)[name_col]
            # local authorities and CSPs by name (as the partner SNA's districts); LSOAs by code
            values = list(r["area_code"]) if level == "lsoa" else [names.get(c, c) for c in r["area_code"]]
            force_rate = r["group"].map(bench).to_numpy(float)
            cmp = stats.compare_to_benchmark(r["value"], r["lower"], r["upper"], force_rate, polarity="not_applicable")
            rows = rate_rows(
                ctx, "od_geography", "area_rate", period, breakdown, values,
                r["count"].to_numpy(), r["population"].to_numpy(float), what=UNIT, definition=list(r["group"]),
                significance=cmp["significance"].to_numpy(), comparator_value=force_rate,
            )  # fmt: skip
            parts.append(rows)
            if breakdown == "local_authority":
                findings.extend(_area_findings(r.assign(significance=cmp["significance"]), names, period, ctx))
        dec_rows, dec_findings = _deprivation(ctx, year) if ctx.has_population("lsoa") else ([], [])
        parts.extend(dec_rows)
        findings.extend(dec_findings)
    if not ctx.has_population("lsoa"):
        findings.append(
            od_finding("od_geography", "lsoa_rates_not_run", area=ctx.area, needs="lsoa_population")
        )  # fmt: skip
    return SectionResult("od_geography", concat_indicators(parts), findings)


def _area_findings(r: pd.DataFrame, names: pd.Series, period: str, ctx: OpenDataContext) -> list[Finding]:
    out = []
    for key in ("vso", "combined"):
        sub = r[r["group"] == key]
        hi = sub[sub["significance"] == Significance.HIGHER].sort_values("value", ascending=False)
        top = sub.sort_values("value", ascending=False).iloc[0]
        higher = [names.get(c, c) for c in hi["area_code"]]
        out.append(
            od_finding(
                "od_geography", "od_highest_local_authority", area=ctx.area, period=period, definition=key,
                value=float(top["value"]), unit=f"{UNIT} per {ctx.multiplier:,} residents", statistic="rate",
                significance=(Significance.HIGHER if higher else Significance.SIMILAR).value,
                comparator=ctx.area, indicators=("area_rate",), multiplier=ctx.multiplier,
                group=group_for(key).label, top_area=names.get(top["area_code"], top["area_code"]),
                significantly_higher=higher,
            )
        )  # fmt: skip
    return out


def _deprivation(ctx: OpenDataContext, year: int) -> tuple[list[pd.DataFrame], list[Finding]]:
    """Rates by IMD decile and the most-vs-least deprived rate ratio."""
    geo = ctx.ref.geography.dropna(subset=["imd_decile"])
    if geo.empty:
        return [], []
    period = ctx.label(year)
    r = area_rates(ctx, "lsoa_code", "lsoa", year)
    r = r.merge(geo[["lsoa_code", "imd_decile"]], left_on="area_code", right_on="lsoa_code")
    r = r[r["population"].notna()]  # an LSOA without an estimate adds neither crimes nor residents
    if r.empty:
        return [], []
    d = r.groupby(["imd_decile", "group"], as_index=False)[["count", "population"]].sum()
    parts = [
        rate_rows(
            ctx, "od_geography", "deprivation_rate", period, "imd_decile", [str(int(x)) for x in d["imd_decile"]],
            d["count"].to_numpy(), d["population"].to_numpy(float), what=UNIT, definition=list(d["group"]),
        )
    ]  # fmt: skip
    most, least = int(d["imd_decile"].min()), int(d["imd_decile"].max())
    a = d[d["imd_decile"] == most].set_index("group")
    b = d[d["imd_decile"] == least].set_index("group")
    findings = []
    for key in GROUP_KEYS:
        rr = ratio_rows(
            ctx.for_group(key), "od_geography", "deprivation_rate_ratio", period, "imd_decile", f"{most} vs {least}",
            int(a.at[key, "count"]), float(a.at[key, "population"]), int(b.at[key, "count"]),
            float(b.at[key, "population"]),
        )  # fmt: skip
        parts.append(rr)
        row = rr.iloc[0]
        if key not in ("vso", "combined"):
            continue
        findings.append(
            od_finding(
                "od_geography", "od_deprivation_ratio", area=ctx.area, period=period, definition=key,
                value=float(row.value), lower=float(row.lower), upper=float(row.upper), unit="times",
                statistic="ratio", significance=Significance(row.significance).value,
                comparator=f"decile {least}", indicators=("deprivation_rate_ratio", "deprivation_rate"),
                headline=key == "combined" and year == ctx.years[-1], confidence=ctx.confidence,
                group=group_for(key).label, rate_ratio=float(row.value), most_deprived_decile=most,
                least_deprived_decile=least,
            )
        )  # fmt: skip
    return parts, findings
