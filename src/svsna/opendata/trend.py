"""Sections ``od_extent`` (how much) and ``od_trend`` (how it changes) of the open-data edition.

Every figure is made by the analysis kit the partner SNA uses (:mod:`svsna.analyses._figures`:
``count_rows``, ``rate_rows``, ``share_rows``, ``change_rows``, ``spc_rows``), under the partner
SNA's indicator names. ``definition`` = the proxy group key (``vso``, ``robbery``, ``weapons``,
``combined``); the unit of every count is ``crimes``.

od_extent
    ``crimes_recorded`` (every crime row in the force's files for the financial year, including
    those with no location or located outside the force area: the force's own total),
    ``offences`` (crimes per financial year located in the force area; all other indicators use
    these), ``rate`` (per 1,000 residents of the force area, ONS mid-year estimate of the year the
    financial year starts; Byar's / exact Poisson CI), ``share_of_all_crime`` (% of all crimes
    loaded, Wilson CI).
od_trend
    ``offences_change`` (% change on the previous year with the rate-ratio CI; significance
    ``Increase`` / ``Decrease`` / ``No significant change``), ``offences_monthly`` (``breakdown`` =
    ``month``, ``breakdown_value`` = ``YYYY-MM``, ``period`` = the assessed window; value = the
    count, ``lower``/``upper`` = the XmR process limits, ``comparator_value`` = the mean and the
    SPC point type in ``significance``: ``Special cause - high`` / ``Special cause - low`` /
    ``Common cause``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svsna.analyses._figures import change_rows, count_rows, rate_rows, share_rows, spc_rows
from svsna.indicators import Finding, SectionResult, Significance, concat_indicators
from svsna.opendata.context import GROUP_KEYS, OpenDataContext
from svsna.opendata.findings import od_finding
from svsna.opendata.proxy import PROXY_STATEMENT, group_for

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["extent_section", "trend_section"]

UNIT = "crimes"


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
    counts = _fy_counts(ctx)
    recorded = _recorded_counts(ctx)
    totals = {int(k): int(v) for k, v in ctx.type_counts().groupby("fin_year")["count"].sum().items()}
    parts, findings = [], []
    for year in ctx.years:
        c = counts[counts["fin_year"] == year].set_index("group").loc[list(GROUP_KEYS), "count"].to_numpy()
        pop = ctx.force_population(year)
        period = ctx.label(year)
        groups = {"definition": list(GROUP_KEYS)}
        rec = recorded.get(year, {})
        parts.append(
            count_rows(
                ctx, "od_extent", "crimes_recorded", period, "all", "all", [rec.get(k, 0) for k in GROUP_KEYS],
                unit=UNIT, method="Count (all crime rows, with or without a location in the force area)", **groups,
            )
        )  # fmt: skip
        parts.append(count_rows(ctx, "od_extent", "offences", period, "all", "all", c, unit=UNIT, **groups))
        rate = rate_rows(ctx, "od_extent", "rate", period, "all", "all", c, pop, what=UNIT, **groups)
        parts.append(rate)
        total = totals.get(year, 0)
        parts.append(share_rows(ctx, "od_extent", "share_of_all_crime", period, "all", "all", c, total, **groups))
        for key, n, r in zip(GROUP_KEYS, c, rate.itertuples(), strict=True):
            findings.append(
                od_finding(
                    "od_extent", "od_group_count", area=ctx.area, period=period, definition=key,
                    value=float(r.value), lower=float(r.lower), upper=float(r.upper), unit=str(r.unit),
                    statistic="rate", n=int(n), denominator=float(pop), indicators=("offences", "rate"),
                    headline=key in ("vso", "combined") and year == ctx.years[-1], confidence=ctx.confidence,
                    multiplier=ctx.multiplier, group=group_for(key).label, crimes=int(n), rate=float(r.value),
                )
            )  # fmt: skip
    findings.insert(
        0,
        od_finding(
            "od_extent", "proxy_definition", area=ctx.area, headline=True, statement=PROXY_STATEMENT,
            groups={g: list(group_for(g).crime_types) for g in GROUP_KEYS},
        ),
    )  # fmt: skip
    return SectionResult("od_extent", concat_indicators(parts), findings)


def trend_section(ctx: OpenDataContext) -> SectionResult:
    """Year-on-year change and the monthly series with SPC signals."""
    counts = _fy_counts(ctx)
    parts, findings = [], []
    for before, now in zip(ctx.years, ctx.years[1:], strict=False):
        cb = counts[counts["fin_year"] == before].set_index("group").loc[list(GROUP_KEYS), "count"].to_numpy()
        cn = counts[counts["fin_year"] == now].set_index("group").loc[list(GROUP_KEYS), "count"].to_numpy()
        period = f"{ctx.label(now)} vs {ctx.label(before)}"
        for key, n_now, n_before in zip(GROUP_KEYS, cn, cb, strict=True):
            ch = change_rows(ctx.for_group(key), "od_trend", "offences_change", period, "all", "all", n_now, n_before)
            parts.append(ch)
            row = next(ch.itertuples())
            findings.append(
                od_finding(
                    "od_trend", "od_group_change", area=ctx.area, period=period, definition=key,
                    value=float(row.value), lower=float(row.lower), upper=float(row.upper), unit="%",
                    statistic="percent_change", significance=Significance(row.significance).value,
                    comparator=ctx.label(before), comparator_value=float(row.denominator), n=int(row.numerator),
                    denominator=float(row.denominator), indicators=("offences_change",), headline=key == "combined",
                    confidence=ctx.confidence, group=group_for(key).label, current=int(row.numerator),
                    previous=int(row.denominator), change_pct=float(row.value), current_period=ctx.label(now),
                    previous_period=ctx.label(before),
                )
            )  # fmt: skip
    monthly, spc_findings = _monthly(ctx)
    parts.append(monthly)
    findings.extend(spc_findings)
    return SectionResult("od_trend", concat_indicators(parts), findings)


def _monthly(ctx: OpenDataContext) -> tuple[pd.DataFrame, list[Finding]]:
    """Monthly counts per group with Making Data Count XmR signals (the kit's ``spc_rows``)."""
    months = sorted(ctx.type_counts()["month"].unique())
    counts = ctx.group_counts(["month"], index={"month": months})
    parts, findings = [], []
    for key in GROUP_KEYS:
        s = counts[counts["group"] == key].sort_values("month")
        labels = [str(m) for m in s["month"]]
        kit = ctx.for_group(key)
        rows, chart = spc_rows(kit, "od_trend", "offences_monthly", ctx.window, labels, s["count"], unit=UNIT)
        parts.append(rows)
        kinds = [Significance(str(t)) for t in chart["point_type"]]
        months_hi = [m for m, t in zip(labels, kinds, strict=True) if t is Significance.SPECIAL_HIGH]
        months_lo = [m for m, t in zip(labels, kinds, strict=True) if t is Significance.SPECIAL_LOW]
        mean = float(chart["mean"].iloc[0])
        sig = (
            Significance.SPECIAL_HIGH
            if months_hi
            else Significance.SPECIAL_LOW
            if months_lo
            else Significance.COMMON_CAUSE
        )
        findings.append(
            od_finding(
                "od_trend", "od_group_spc", area=ctx.area, period=ctx.window, definition=key, value=mean,
                unit=UNIT, statistic="mean", significance=sig.value, n=float(s["count"].sum()),
                indicators=("offences_monthly",), group=group_for(key).label, first_month=months[0],
                last_month=months[-1], special_cause_high=months_hi, special_cause_low=months_lo,
            )
        )  # fmt: skip
    return concat_indicators(parts), findings
