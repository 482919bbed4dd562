"""Section ``od_geography``: where crimes happen, per resident, against the force area.

Indicators (all per 1,000 residents with Byar's / exact Poisson CIs):

``rate_per_1000``
    by ``local_authority`` and ``community_safety_partnership`` (compared with the force area
    rate: Higher / Similar / Lower when the force rate lies outside / inside the area's 95% CI,
    the Fingertips single-overlapping-CI method), by ``lsoa`` (compared with the force
    area the same way) and by ``imd_decile`` (IMD 2019 national decile of the LSOA; 1 = most
    deprived 10% of England).
``rate_ratio_most_vs_least_deprived``
    rate in the most deprived decile present divided by the rate in the least deprived decile
    present (exact conditional CI).

LSOA and decile denominators are ONS LSOA estimates (the latest year not after the
financial year's start); local authority, CSP and force denominators are ONS MYE2.

Examples
--------
>>> [b for b, *_ in _LEVELS]
['local_authority', 'community_safety_partnership']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svsna.indicators import Finding, SectionResult, concat_indicators, indicator_rows
from svsna.opendata.context import GROUP_KEYS, OpenDataContext
from svsna.opendata.proxy import group_for

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

    from svsna import stats

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
    rate = stats.crude_rate(df["count"].to_numpy(), df["population"].to_numpy(float), ctx.multiplier, ctx.confidence)
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
        levels = [*_LEVELS, ("lsoa", "lsoa_code", "lsoa_name", "lsoa")] if ctx.has_population("lsoa") else _LEVELS
        for breakdown, code_col, name_col, level in levels:
            r = area_rates(ctx, code_col, level, year)
            names = geo[[code_col, name_col]].drop_duplicates().set_index(code_col)[name_col]
            cmp = stats.compare_to_benchmark(
                r["value"], r["lower"], r["upper"], r["group"].map(bench).to_numpy(float), polarity="not_applicable"
            )
            stats_frame = r[["value", "lower", "upper", "method", "confidence"]].assign(
                numerator=r["count"].astype(float),
                denominator=r["population"].astype(float),
                comparator_value=cmp["comparator_value"].to_numpy(),
                significance=cmp["significance"].to_numpy(),
            )
            parts.append(
                indicator_rows(
                    stats_frame,
                    section="od_geography",
                    indicator="rate_per_1000" if breakdown != "lsoa" else "lsoa_rate_per_1000",
                    period=period,
                    area=ctx.area,
                    breakdown=breakdown,
                    breakdown_value=[f"{names.get(c, c)} ({c})" for c in r["area_code"]],
                    definition=list(r["group"]),
                )
            )
            if breakdown == "local_authority":
                findings.extend(_area_findings(r.assign(significance=cmp["significance"]), names, period, ctx))
        dec_rows, dec_findings = _deprivation(ctx, year) if ctx.has_population("lsoa") else ([], [])
        parts.extend(dec_rows)
        findings.extend(dec_findings)
    if not ctx.has_population("lsoa"):
        findings.append(
            Finding(
                section="od_geography",
                key="lsoa_rates_not_run",
                text="LSOA and deprivation-decile rates were not computed: they need ONS LSOA population "
                "estimates, which svsna does not ship; none were found for the force in the data folder "
                "(population/population<YY>_lsoa11*.csv).",
                area=ctx.area,
                public=False,
            )
        )
    return SectionResult("od_geography", concat_indicators(parts), findings)


def _area_findings(r: pd.DataFrame, names: pd.Series, period: str, ctx: OpenDataContext) -> list[Finding]:
    out = []
    for key in ("vso", "combined"):
        sub = r[r["group"] == key]
        hi = sub[sub["significance"] == "Higher"].sort_values("value", ascending=False)
        top = sub.sort_values("value", ascending=False).iloc[0]
        higher = [names.get(c, c) for c in hi["area_code"]]
        out.append(
            Finding(
                section="od_geography",
                key=f"highest_local_authority_{key}",
                text=(
                    f"In {period}, {names.get(top['area_code'], top['area_code'])} had the highest rate of "
                    f"'{group_for(key).label}' ({top['value']:.1f} per 1,000). "
                    + (
                        f"Rates significantly higher than the {ctx.area} force area: {', '.join(higher)}."
                        if higher
                        else f"No local authority was significantly higher than the {ctx.area} force area."
                    )
                ),
                numbers={
                    "top_area": names.get(top["area_code"], top["area_code"]),
                    "top_rate": float(top["value"]),
                    "significantly_higher": higher,
                },
                significance="Higher" if higher else "Similar",
                period=period,
                area=ctx.area,
                definition=key,
                indicators=("rate_per_1000",),
            )
        )
    return out


def _deprivation(ctx: OpenDataContext, year: int) -> tuple[list[pd.DataFrame], list[Finding]]:
    """Rates by IMD decile and the most-vs-least deprived rate ratio."""
    from svsna import stats

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
    rate = stats.crude_rate(d["count"].to_numpy(), d["population"].to_numpy(float), ctx.multiplier, ctx.confidence)
    parts = [
        indicator_rows(
            rate,
            section="od_geography",
            indicator="rate_per_1000",
            period=period,
            area=ctx.area,
            breakdown="imd_decile",
            breakdown_value=[str(int(x)) for x in d["imd_decile"]],
            definition=list(d["group"]),
            significance="Not compared",
        )
    ]
    most, least = int(d["imd_decile"].min()), int(d["imd_decile"].max())
    a = d[d["imd_decile"] == most].set_index("group").loc[list(GROUP_KEYS)]
    b = d[d["imd_decile"] == least].set_index("group").loc[list(GROUP_KEYS)]
    rr = stats.rate_ratio(
        a["count"].to_numpy(), a["population"].to_numpy(float), b["count"].to_numpy(), b["population"].to_numpy(float)
    )
    parts.append(
        indicator_rows(
            rr[["numerator", "denominator", "value", "lower", "upper", "method", "confidence", "significance"]],
            section="od_geography",
            indicator="rate_ratio_most_vs_least_deprived",
            period=period,
            area=ctx.area,
            breakdown="imd_decile",
            breakdown_value=f"decile {most} vs decile {least}",
            definition=list(GROUP_KEYS),
        )
    )
    findings = []
    for key, row in zip(GROUP_KEYS, rr.itertuples(), strict=True):
        if key not in ("vso", "combined"):
            continue
        findings.append(
            Finding(
                section="od_geography",
                key=f"deprivation_rate_ratio_{key}",
                text=(
                    f"In {period} the rate of '{group_for(key).label}' in the most deprived LSOAs (IMD decile {most}) "
                    f"was {row.value:.1f} times that in the least deprived (decile {least}) "
                    f"({ctx.ci_label} {row.lower:.1f} to {row.upper:.1f})."
                ),
                numbers={
                    "rate_ratio": float(row.value),
                    "lower": float(row.lower),
                    "upper": float(row.upper),
                    "most_deprived_decile": most,
                    "least_deprived_decile": least,
                },
                significance=str(row.significance),
                period=period,
                area=ctx.area,
                definition=key,
                indicators=("rate_ratio_most_vs_least_deprived", "rate_per_1000"),
                headline=key == "combined" and year == ctx.years[-1],
            )
        )
    return parts, findings
