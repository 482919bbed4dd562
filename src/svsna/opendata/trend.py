"""Sections ``od_extent`` (how much) and ``od_trend`` (how it changes) of the open-data edition.

Indicators (``definition`` = the proxy group key: ``vso``, ``robbery``, ``weapons``, ``combined``):

od_extent
    ``crimes_recorded`` (every crime row in the force's files for the financial year, including
    those with no location or located outside the force area: the force's own total),
    ``crimes`` (count per financial year of crimes located in the force area; all other
    indicators use these), ``rate_per_1000`` (per 1,000 residents of the
    force area, ONS mid-year estimate of the year the financial year starts; Byar's /
    exact Poisson CI), ``share_of_all_crime`` (% of all crimes loaded, Wilson CI).
od_trend
    ``rate_ratio_vs_previous_year`` (count ratio with exact conditional CI; significance
    Increase / Decrease / No significant change), ``pct_change_vs_previous_year`` (the same
    as a percentage), ``monthly_crimes`` (``period`` = the month ``YYYY-MM``; value = the count,
    ``lower``/``upper`` = the XmR process limits, ``comparator_value`` = the mean, and the SPC signal
    in ``significance``: ``Higher``/``Lower`` special cause above/below the mean, ``Similar`` common cause).
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


def _recorded_counts(ctx: OpenDataContext) -> dict[int, dict[str, int]]:
    """Crime rows per financial year and group, whatever their location (from ``od_street``)."""
    import ibis

    s = ctx.wh.table("od_street")
    month = s.month.substr(5, 2).cast("int32")
    year = s.month.substr(0, 4).cast("int32")
    s = s.filter(s.outcome != "rejected", s.crime_type != "Anti-social behaviour")
    s = s.mutate(fin_year=ibis.ifelse(month >= 4, year, year - 1))
    s = s.filter(s.fin_year.isin(ctx.years))
    raw = ctx.wh.execute(s.group_by(["fin_year", "crime_type"]).agg(n=s.count()))
    out: dict[int, dict[str, int]] = {}
    for key in GROUP_KEYS:
        types = group_for(key).crime_types
        for y, n in raw[raw["crime_type"].isin(types)].groupby("fin_year")["n"].sum().items():
            out.setdefault(int(y), {})[key] = int(n)
    return out


def extent_section(ctx: OpenDataContext) -> SectionResult:
    """Counts, rates and shares per financial year for each proxy group."""
    import pandas as pd

    from svsna import stats

    counts = _fy_counts(ctx)
    recorded = _recorded_counts(ctx)
    t = ctx.crimes()
    totals = ctx.wh.execute(t.group_by("fin_year").agg(all_crimes=t.count()))
    totals = dict(zip(totals["fin_year"], totals["all_crimes"], strict=True))
    parts, findings = [], []
    for year in ctx.years:
        c = counts[counts["fin_year"] == year].set_index("group").loc[list(GROUP_KEYS), "count"]
        pop = ctx.force_population(year)
        common = {"section": "od_extent", "period": ctx.label(year), "area": ctx.area, "breakdown": "all"}
        common |= {"breakdown_value": "all", "definition": list(GROUP_KEYS), "significance": "Not compared"}
        rec = recorded.get(year, {})
        rec_values = [float(rec.get(k, 0)) for k in GROUP_KEYS]
        parts.append(
            indicator_rows(
                pd.DataFrame({"numerator": rec_values, "value": rec_values}),
                indicator="crimes_recorded",
                method="Count (all crime rows, with or without a location in the force area)",
                **common,
            )
        )
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
                        f"In {ctx.label(year)} police.uk published {int(n):,} crimes of '{label}' "
                        f"located in {ctx.area} "
                        f"({r.value:.1f} per 1,000 residents, {ctx.ci_label} {r.lower:.1f} to {r.upper:.1f})."
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
                        f"{row.value:.2f}, {ctx.ci_label} {row.lower:.2f} to {row.upper:.2f}): {word}."
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


_SPC_WORDS = {"Common cause": "Similar", "Special cause - high": "Higher", "Special cause - low": "Lower"}


def _span(months: list[str]) -> str:
    """Months as runs of consecutive months.

    >>> _span(["2020-04", "2020-05", "2020-06", "2020-09", "2021-01", "2021-02"])
    '2020-04 to 2020-06, 2020-09, 2021-01 to 2021-02'
    """

    def index(m: str) -> int:
        return int(m[:4]) * 12 + int(m[5:7])

    runs: list[list[str]] = []
    for m in sorted(months):
        if runs and index(m) == index(runs[-1][-1]) + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs)


def _monthly(ctx: OpenDataContext) -> tuple[pd.DataFrame, list[Finding]]:
    """Monthly counts per group with Making Data Count XmR signals (``stats.spc``)."""
    from svsna import stats

    months = sorted(ctx.wh.execute(ctx.crimes().select("month").distinct())["month"])
    counts = ctx.group_counts(["month"], index={"month": months})
    parts, findings = [], []
    for key in GROUP_KEYS:
        s = counts[counts["group"] == key].sort_values("month")
        chart = stats.spc(s["count"].to_numpy(float), dates=list(s["month"]), improvement="decrease")
        signal = chart["point_type"].map(_SPC_WORDS).fillna("Similar").to_numpy()
        mean = float(chart["mean"].iloc[0])
        parts.append(
            indicator_rows(
                chart[["value"]].assign(
                    numerator=s["count"].to_numpy(float),
                    lower=chart["lower_limit"].to_numpy(float),
                    upper=chart["upper_limit"].to_numpy(float),
                    comparator_value=chart["mean"].to_numpy(float),
                ),
                section="od_trend",
                indicator="monthly_crimes",
                period=list(s["month"]),
                area=ctx.area,
                breakdown="all",
                breakdown_value="all",
                definition=key,
                method="XmR chart (Making Data Count): limits = mean ± 2.66 × mean moving range",
                significance=list(signal),
            )
        )
        special = chart[chart["special_cause"].astype(bool)]
        months_hi = [str(m) for m, t in zip(special["date"], special["point_type"], strict=True) if t.endswith("high")]
        months_lo = [str(m) for m, t in zip(special["date"], special["point_type"], strict=True) if t.endswith("low")]
        bits = []
        if months_hi:
            bits.append(f"above the mean in {len(months_hi)} month(s) ({_span(months_hi)})")
        if months_lo:
            bits.append(f"below the mean in {len(months_lo)} month(s) ({_span(months_lo)})")
        findings.append(
            Finding(
                section="od_trend",
                key=f"spc_{key}",
                text=(
                    f"Monthly '{group_for(key).label}' crimes averaged {mean:.0f} from {months[0]} to {months[-1]}; "
                    + (
                        "special-cause variation: " + "; ".join(bits) + "."
                        if bits
                        else "every month was within common-cause variation."
                    )
                ),
                numbers={"mean": mean, "special_cause_high": months_hi, "special_cause_low": months_lo},
                significance="Increase" if months_hi and not months_lo else None,
                period=f"{months[0]} to {months[-1]}",
                area=ctx.area,
                definition=key,
                indicators=("monthly_crimes",),
            )
        )
    return concat_indicators(parts), findings
