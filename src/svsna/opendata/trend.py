"""Sections ``od_extent`` (how much) and ``od_trend`` (how it changes) of the open-data edition.

Indicators (``definition`` = the proxy group key: ``vso``, ``robbery``, ``weapons``, ``combined``):

od_extent
    ``crimes`` (count per financial year), ``rate_per_1000`` (per 1,000 residents of the
    force area, ONS mid-year estimate of the year the financial year starts; Byar's /
    exact Poisson CI), ``share_of_all_crime`` (% of all crimes loaded, Wilson CI).
od_trend
    ``rate_ratio_vs_previous_year`` (count ratio with exact conditional CI; significance
    Increase / Decrease / No significant change), ``pct_change_vs_previous_year`` (the same
    as a percentage), ``monthly_crimes`` (``breakdown`` = ``month``; one row per group and month
    with the SPC signal in ``significance``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svsna.indicators import Finding, SectionResult, concat_indicators, indicator_rows
from svsna.opendata.context import GROUP_KEYS, OpenDataContext
from svsna.opendata.proxy import PROXY_STATEMENT, group_for

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["extent_section", "trend_section"]


def _fy_counts(ctx: OpenDataContext) -> pd.DataFrame:
    return ctx.group_counts(["fin_year"], index={"fin_year": ctx.years})


def extent_section(ctx: OpenDataContext) -> SectionResult:
    """Counts, rates and shares per financial year for each proxy group."""
    import pandas as pd

    from svsna import stats

    counts = _fy_counts(ctx)
    t = ctx.crimes()
    totals = ctx.wh.execute(t.group_by("fin_year").agg(all_crimes=t.count()))
    totals = dict(zip(totals["fin_year"], totals["all_crimes"], strict=True))
    parts, findings = [], []
    for year in ctx.years:
        c = counts[counts["fin_year"] == year].set_index("group").loc[list(GROUP_KEYS), "count"]
        pop = ctx.force_population(year)
        common = {"section": "od_extent", "period": ctx.label(year), "area": ctx.area, "breakdown": "all"}
        common |= {"breakdown_value": "all", "definition": list(GROUP_KEYS), "significance": "Not compared"}
        parts.append(
            indicator_rows(
                pd.DataFrame({"numerator": c.to_numpy(float), "value": c.to_numpy(float)}),
                indicator="crimes",
                method="Count",
                **common,
            )
        )
        rate = stats.crude_rate(c.to_numpy(), pop, multiplier=ctx.multiplier, confidence=ctx.confidence)
        parts.append(indicator_rows(rate, indicator="rate_per_1000", **common))
        share = stats.proportion(c.to_numpy(), totals.get(year, 0), confidence=ctx.confidence, multiplier=100)
        parts.append(indicator_rows(share, indicator="share_of_all_crime", **common))
        for key, n, r in zip(GROUP_KEYS, c.to_numpy(), rate.itertuples(), strict=True):
            label = group_for(key).label
            findings.append(
                Finding(
                    section="od_extent",
                    key=f"count_{key}",
                    text=(
                        f"In {ctx.label(year)} police.uk recorded {int(n):,} crimes of '{label}' in {ctx.area} "
                        f"({r.value:.1f} per 1,000 residents, 95% CI {r.lower:.1f} to {r.upper:.1f})."
                    ),
                    numbers={"count": int(n), "rate": float(r.value), "lower": float(r.lower), "upper": float(r.upper)},
                    period=ctx.label(year),
                    area=ctx.area,
                    definition=key,
                    indicators=("crimes", "rate_per_1000"),
                    headline=key in ("vso", "combined") and year == ctx.years[-1],
                )
            )
    findings.insert(
        0,
        Finding(
            section="od_extent",
            key="proxy_definition",
            text=PROXY_STATEMENT,
            numbers={"groups": {g: list(group_for(g).crime_types) for g in GROUP_KEYS}},
            area=ctx.area,
            headline=True,
        ),
    )
    return SectionResult("od_extent", concat_indicators(parts), findings)


def trend_section(ctx: OpenDataContext) -> SectionResult:
    """Year-on-year change and the monthly series with SPC signals."""
    from svsna import stats

    counts = _fy_counts(ctx)
    parts, findings = [], []
    for before, now in zip(ctx.years, ctx.years[1:], strict=False):
        cb = counts[counts["fin_year"] == before].set_index("group").loc[list(GROUP_KEYS), "count"].to_numpy()
        cn = counts[counts["fin_year"] == now].set_index("group").loc[list(GROUP_KEYS), "count"].to_numpy()
        ch = stats.period_change(cn, cb, confidence=ctx.confidence)
        common = {
            "section": "od_trend",
            "period": f"{ctx.label(now)} vs {ctx.label(before)}",
            "area": ctx.area,
            "breakdown": "all",
            "breakdown_value": "all",
            "definition": list(GROUP_KEYS),
        }
        rr = ch[["value", "lower", "upper", "method", "confidence", "significance"]].assign(
            numerator=cn.astype(float), denominator=cb.astype(float), comparator_value=cb.astype(float)
        )
        parts.append(indicator_rows(rr, indicator="rate_ratio_vs_previous_year", **common))
        pct = rr.assign(value=100 * (rr["value"] - 1), lower=100 * (rr["lower"] - 1), upper=100 * (rr["upper"] - 1))
        parts.append(indicator_rows(pct, indicator="pct_change_vs_previous_year", **common))
        for key, row in zip(GROUP_KEYS, ch.itertuples(), strict=True):
            word = {"Increase": "a significant increase", "Decrease": "a significant decrease"}.get(
                row.significance, "not a significant change"
            )
            findings.append(
                Finding(
                    section="od_trend",
                    key=f"change_{key}",
                    text=(
                        f"'{group_for(key).label}' went from {int(row.count_before):,} in {ctx.label(before)} to "
                        f"{int(row.count_now):,} in {ctx.label(now)} ({row.pct_change:+.1f}%; rate ratio "
                        f"{row.value:.2f}, 95% CI {row.lower:.2f} to {row.upper:.2f}): {word}."
                    ),
                    numbers={
                        "before": int(row.count_before),
                        "now": int(row.count_now),
                        "pct_change": float(row.pct_change),
                        "rate_ratio": float(row.value),
                        "lower": float(row.lower),
                        "upper": float(row.upper),
                    },
                    significance=str(row.significance),
                    period=f"{ctx.label(now)} vs {ctx.label(before)}",
                    area=ctx.area,
                    definition=key,
                    indicators=("rate_ratio_vs_previous_year", "pct_change_vs_previous_year"),
                    headline=key == "combined",
                )
            )
    monthly, spc_findings = _monthly(ctx)
    parts.append(monthly)
    findings.extend(spc_findings)
    return SectionResult("od_trend", concat_indicators(parts), findings)


def _monthly(ctx: OpenDataContext) -> tuple[pd.DataFrame, list[Finding]]:
    """Monthly counts per group with Making Data Count XmR signals (``stats.spc``)."""
    from svsna import stats

    months = sorted(ctx.wh.execute(ctx.crimes().select("month").distinct())["month"])
    counts = ctx.group_counts(["month"], index={"month": months})
    parts, findings = [], []
    for key in GROUP_KEYS:
        s = counts[counts["group"] == key].sort_values("month")
        chart = stats.spc(s["count"].to_numpy(float), improvement="down")
        signal = chart["signal"].to_numpy()
        parts.append(
            indicator_rows(
                chart[["value", "lower", "upper"]].assign(numerator=s["count"].to_numpy(float)),
                section="od_trend",
                indicator="monthly_crimes",
                period=list(s["month"]),
                area=ctx.area,
                breakdown="all",
                breakdown_value="all",
                definition=key,
                method="XmR (Making Data Count): mean and process limits",
                comparator_value=chart["centre"].to_numpy(float),
                significance=list(signal),
            )
        )
        special = [m for m, sig in zip(s["month"], signal, strict=True) if sig != "Common cause"]
        findings.append(
            Finding(
                section="od_trend",
                key=f"spc_{key}",
                text=(
                    f"Monthly '{group_for(key).label}' crimes averaged {float(chart['centre'].iloc[0]):.0f}; "
                    + (
                        f"{len(special)} month(s) showed special-cause variation ({', '.join(special)})."
                        if special
                        else "every month was within common-cause variation."
                    )
                ),
                numbers={"mean": float(chart["centre"].iloc[0]), "special_cause_months": special},
                period=f"{months[0]} to {months[-1]}",
                area=ctx.area,
                definition=key,
                indicators=("monthly_crimes",),
            )
        )
    return concat_indicators(parts), findings
