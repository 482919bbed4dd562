"""Timing of serious violence: monthly trend with SPC, day of week, hour, night-time economy.

The monthly series runs over the whole trend window (first configured period to the
last) with XmR limits and Making Data Count special-cause signals (``stats.spc``) and the
configured events for annotation. Day-of-week, hour-of-day and hour x weekday profiles are
for the profile period, each also split by the offence's age group; the share of offences
starting in the night-time-economy window is given for every period.

Offences whose date is known but whose time is not (``offences.time_known`` false) are
counted by day and month but left out of every hour, weekday x hour and NTE figure; their
number is an indicator (``time_unknown_offences``) and a warning in the assessment.

Examples
--------
>>> SECTION
'timing'
>>> WEEKDAYS[5], WEEKDAY_NAMES[5], hour_label(15)
('Sat', 'Saturday', '15:00-15:59')
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from svsna.analyses._base import POLICE_REQUIRES
from svsna.analyses._figures import (
    count_rows,
    finding,
    fmt,
    numbers_from,
    plain,
    rate_rows,
    separated,
    share_rows,
    spc_rows,
)
from svsna.analyses.extent import daily_counts
from svsna.indicators import Finding, SectionResult, Significance, concat_indicators

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext
    from svsna.config import Period

__all__ = ["REQUIRES", "SECTION", "WEEKDAYS", "WEEKDAY_NAMES", "hour_label", "months_between", "run"]

REQUIRES = POLICE_REQUIRES
SECTION = "timing"
#: Offence columns this section reads from the run-wide offence facts and involvements
#: (besides ``CORE_FACT_COLUMNS``; and the start hour, always carried).
FACT_COLUMNS: tuple[str, ...] = ("weekday",)
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SPC_METHOD = "XmR (Making Data Count)"


def hour_label(hour: int) -> str:
    """``'15:00-15:59'`` for hour 15."""
    return f"{hour:02d}:00-{hour:02d}:59"


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from ``start``'s month to ``end``'s month.

    >>> [m.isoformat() for m in months_between(dt.date(2020, 11, 5), dt.date(2021, 1, 31))]
    ['2020-11-01', '2020-12-01', '2021-01-01']
    """
    out, m = [], start.replace(day=1)
    while m <= end:
        out.append(m)
        m = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _monthly(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    from svsna.config import financial_year

    win = ctx.trend_window
    d = daily_counts(ctx)
    d = d[(d["offence_date"] >= win.start) & (d["offence_date"] <= win.end)]
    months = months_between(win.start, win.end)
    per = d.assign(m=[x.replace(day=1) for x in d["offence_date"]]).groupby("m")["n"].sum()
    counts = [int(per.get(m, 0)) for m in months]
    labels = [f"{m:%Y-%m}" for m in months]
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    pops = []
    for m in months:
        fy = m.year if m.month >= 4 else m.year - 1
        pops.append(ctx.population(financial_year(fy)))
    rows.append(rate_rows(ctx, SECTION, "rate_monthly", win.label, "month", labels, counts, pops))
    if len(months) >= 2:
        r, chart = spc_rows(ctx, SECTION, "offences_monthly", win.label, labels, counts)
        rows.append(r)
        kinds = [Significance(str(t)) for t in chart["point_type"]]
        high = [lab for lab, t in zip(labels, kinds, strict=True) if t is Significance.SPECIAL_HIGH]
        low = [lab for lab, t in zip(labels, kinds, strict=True) if t is Significance.SPECIAL_LOW]
        peak = max(range(len(counts)), key=lambda i: (counts[i], -i))
        trough = min(range(len(counts)), key=lambda i: (counts[i], i))
        sig = Significance.SPECIAL_HIGH if high else Significance.SPECIAL_LOW if low else Significance.COMMON_CAUSE
        findings.append(
            finding(
                ctx,
                SECTION,
                "spc_signals",
                f"Monthly offences peaked in {labels[peak]} ({counts[peak]}); special-cause high months: "
                f"{', '.join(high) or 'none'}; low months: {', '.join(low) or 'none'}.",
                numbers_from(
                    None,
                    period=win.label,
                    significance=sig,
                    value=counts[peak],
                    unit="offences",
                    statistic="count",
                    comparator="process mean",
                    comparator_value=float(chart["mean"].iloc[peak]),
                    n=sum(counts),
                    months=len(months),
                    months_high=high,
                    months_low=low,
                    peak_month=labels[peak],
                    peak_count=counts[peak],
                    trough_month=labels[trough],
                    trough_count=counts[trough],
                    mean=plain(chart["mean"].iloc[0]),
                    lower_limit=plain(chart["lower_limit"].iloc[0]),
                    upper_limit=plain(chart["upper_limit"].iloc[0]),
                ),
                period=win.label,
                indicators=("offences_monthly",),
            )
        )
    else:
        rows.append(
            count_rows(
                ctx,
                SECTION,
                "offences_monthly",
                win.label,
                "month",
                labels,
                counts,
                unit="offences",
                method="Count (too few months for SPC)",
            )
        )
    events = [
        {"date": e.date.isoformat(), "end": e.end.isoformat() if e.end else None, "label": e.label}
        for e in ctx.config.events
    ]
    findings.append(
        finding(
            ctx,
            SECTION,
            "trend_events",
            ("Events marked on the monthly trend: " + "; ".join(e["label"] for e in events) + ".")
            if events
            else "No events are marked on the monthly trend.",
            numbers_from(None, period=win.label, n=len(events), events=events),
            period=win.label,
            indicators=("offences_monthly",),
        )
    )
    return rows, findings


def _profile_cube(ctx: AnalysisContext) -> pd.DataFrame:
    f = ctx.window(ctx.offence_facts_all(), ctx.profile)
    df = ctx.shared_counts("timing_profile", f, ["age_group", "weekday", "hour", "time_known"])
    df["n"] = df["n"].astype(int)
    df["time_known"] = df["time_known"].astype(bool)
    return df


def _profiles(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    label = ctx.profile.label
    every = _profile_cube(ctx)
    cube = every[every["time_known"]]
    rows: list[pd.DataFrame] = []
    u, o = ctx.under_label, ctx.over_label
    groups = [("all", every, cube), (u, every[every.age_group == u], cube[cube.age_group == u]),
              (o, every[every.age_group == o], cube[cube.age_group == o])]  # fmt: skip
    peaks: dict[str, int | None] = {}
    wd_by: dict[str, list[int]] = {}
    hr_by: dict[str, list[int]] = {}
    for g, sub_all, sub in groups:
        wd = sub_all.groupby("weekday")["n"].sum()
        hr = sub.groupby("hour")["n"].sum()
        wd_counts = [int(wd.get(i, 0)) for i in range(7)]
        hr_counts = [int(hr.get(h, 0)) for h in range(24)]
        pre = "" if g == "all" else f"{g}|"
        bd = "" if g == "all" else "age_group|"
        rows.append(
            share_rows(
                ctx, SECTION, "weekday_share", label, f"{bd}weekday", [pre + w for w in WEEKDAYS], wd_counts,
                sum(wd_counts),
            )
        )  # fmt: skip
        rows.append(
            share_rows(
                ctx, SECTION, "hour_share", label, f"{bd}hour", [f"{pre}{h:02d}" for h in range(24)], hr_counts,
                sum(hr_counts),
            )
        )  # fmt: skip
        peaks[g] = max(range(24), key=lambda h: (hr_counts[h], -h)) if sum(hr_counts) else None
        wd_by[g], hr_by[g] = wd_counts, hr_counts
    weekend = share_rows(
        ctx,
        SECTION,
        "weekend_share",
        label,
        ["all", "age_group", "age_group"],
        ["all", u, o],
        [wd_by[g][5] + wd_by[g][6] for g in ("all", u, o)],
        [sum(wd_by[g]) for g in ("all", u, o)],
    )
    rows.append(weekend)
    wh = cube.groupby(["weekday", "hour"])["n"].sum()
    keys = [(w, h) for w in range(7) for h in range(24)]
    rows.append(
        count_rows(
            ctx,
            SECTION,
            "weekday_hour_offences",
            label,
            "weekday|hour",
            [f"{WEEKDAYS[w]}|{h:02d}" for w, h in keys],
            [int(wh.get(k, 0)) for k in keys],
            unit="offences",
        )
    )
    wha = cube.groupby(["age_group", "weekday", "hour"])["n"].sum()
    for g in (u, o):
        rows.append(
            count_rows(
                ctx,
                SECTION,
                "weekday_hour_offences",
                label,
                "age_group|weekday|hour",
                [f"{g}|{WEEKDAYS[w]}|{h:02d}" for w, h in keys],
                [int(wha.get((g, w, h), 0)) for w, h in keys],
                unit="offences",
            )
        )
    unknown = int(every.loc[~every["time_known"], "n"].sum())
    total_all = int(every["n"].sum())
    rows.append(share_rows(ctx, SECTION, "time_unknown_offences", label, "all", "all", unknown, total_all))
    if unknown:
        ctx.warn(
            "time_unknown",
            f"{unknown} of {total_all} offences in {label} have a date without a time; they are left out of the "
            "hour, day-and-hour and night-time-economy figures",
            period=label,
            n=unknown,
            denominator=total_all,
        )
    findings: list[Finding] = []
    hr_counts, timed = hr_by["all"], sum(hr_by["all"])
    if timed:
        h = peaks["all"]
        hr_rows = rows[1]
        hrow = hr_rows.iloc[h]
        nxt = sorted(range(24), key=lambda k: (-hr_counts[k], k))[1]
        findings.append(
            finding(
                ctx,
                SECTION,
                "peak_hour",
                f"Offences were most frequent at {hour_label(h)} ({fmt(hrow.value)} %).",
                numbers_from(
                    hrow,
                    hour=h,
                    label=hour_label(h),
                    share=plain(hrow.value),
                    count=hr_counts[h],
                    separated=separated(hrow, hr_rows.iloc[nxt]),
                    next_hour=nxt,
                    next_share=plain(hr_rows.iloc[nxt].value),
                    under25_hour=peaks[u],
                    under25_label=hour_label(peaks[u]) if peaks[u] is not None else None,
                    over25_hour=peaks[o],
                    over25_label=hour_label(peaks[o]) if peaks[o] is not None else None,
                    time_unknown=unknown,
                ),
                period=label,
                indicators=("hour_share",),
            )
        )
    wd_counts = wd_by["all"]
    if sum(wd_counts):
        w = max(range(7), key=lambda i: (wd_counts[i], -i))
        wd_rows = rows[0]
        nxt = sorted(range(7), key=lambda k: (-wd_counts[k], k))[1]
        findings.append(
            finding(
                ctx,
                SECTION,
                "peak_weekday",
                f"{WEEKDAY_NAMES[w]} was the busiest day ({fmt(wd_rows.iloc[w].value)} %); "
                f"{fmt(weekend.iloc[0].value)} % of offences were at the weekend.",
                numbers_from(
                    wd_rows.iloc[w],
                    weekday=WEEKDAYS[w],
                    weekday_name=WEEKDAY_NAMES[w],
                    share=plain(wd_rows.iloc[w].value),
                    separated=separated(wd_rows.iloc[w], wd_rows.iloc[nxt]),
                    next_weekday=WEEKDAY_NAMES[nxt],
                    next_share=plain(wd_rows.iloc[nxt].value),
                    weekend_share=plain(weekend.iloc[0].value),
                    under25_weekend_share=plain(weekend.iloc[1].value),
                    over25_weekend_share=plain(weekend.iloc[2].value),
                ),
                period=label,
                indicators=("weekday_share", "weekend_share"),
            )
        )
        wu, wo = weekend.iloc[1], weekend.iloc[2]
        if wu.denominator and wo.denominator:
            apart = separated(wu, wo, highest=bool(wu.value >= wo.value))
            sig = (
                Significance.SIMILAR
                if not apart
                else (Significance.HIGHER if wu.value > wo.value else Significance.LOWER)
            )
            findings.append(
                finding(
                    ctx,
                    SECTION,
                    "weekend_share_by_age",
                    f"{fmt(wu.value)} % of offences by under {ctx.under}s and {fmt(wo.value)} % of offences by "
                    f"those {ctx.under} and over were at the weekend.",
                    numbers_from(
                        wu,
                        comparator=o,
                        comparator_value=plain(wo.value),
                        significance=sig,
                        separated=apart,
                        comparator_lower=plain(wo.lower),
                        comparator_upper=plain(wo.upper),
                        comparator_n=int(wo.numerator),
                        comparator_denominator=int(wo.denominator),
                        weekday_spread={
                            g: [plain(100.0 * c / sum(wd_by[g])) if sum(wd_by[g]) else None for c in wd_by[g]]
                            for g in (u, o)
                        },
                    ),
                    period=label,
                    indicators=("weekend_share", "weekday_share"),
                )
            )
    return rows, findings


def _nte(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    d = daily_counts(ctx)
    d = d[d["time_known"]]
    rows: list[pd.DataFrame] = []
    periods: list[Period] = [*ctx.periods]
    if ctx.profile.label not in {p.label for p in periods}:
        periods.append(ctx.profile)
    results = []
    for p in periods:
        sub = d[(d["offence_date"] >= p.start) & (d["offence_date"] <= p.end)]
        groups, nums, dens = [], [], []
        for g in ("all", ctx.under_label, ctx.over_label):
            s = sub if g == "all" else sub[sub.age_group == g]
            groups.append(g)
            nums.append(int(s.loc[s.nte, "n"].sum()))
            dens.append(int(s["n"].sum()))
        r = share_rows(ctx, SECTION, "nte_share", p.label, ["all", "age_group", "age_group"], groups, nums, dens)
        rows.append(r)
        results.append((p, r))
    findings: list[Finding] = []
    latest = [(p, r) for p, r in results if p.kind != "window"]
    p, r = (latest or results)[-1]
    prof_row = results[-1][1].iloc[0]
    if r.loc[0, "denominator"] > 0:
        win = ctx.config.night_time_economy.label
        findings.append(
            finding(
                ctx,
                SECTION,
                "nte_share",
                f"{fmt(r.loc[0, 'value'])} % of serious violence in {p.label} was in the night-time economy ({win}).",
                numbers_from(
                    r.iloc[0],
                    count=int(r.loc[0, "numerator"]),
                    total=int(r.loc[0, "denominator"]),
                    window=win,
                    window_hours=len(ctx.config.night_time_economy.hours),
                    part_year=p.kind == "part_year",
                    profile_period=ctx.profile.label,
                    profile_value=plain(prof_row.value),
                    profile_lower=plain(prof_row.lower),
                    profile_upper=plain(prof_row.upper),
                    trend=[{"period": q.label, "value": plain(x.iloc[0].value), "kind": q.kind} for q, x in results],
                ),
                period=p.label,
                indicators=("nte_share",),
                headline=True,
            )
        )
    return rows, findings


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the timing section for one definition."""
    r1, f1 = _monthly(ctx)
    r2, f2 = _profiles(ctx)
    r3, f3 = _nte(ctx)
    return SectionResult(SECTION, concat_indicators([*r1, *r2, *r3]), [*f1, *f2, *f3])
