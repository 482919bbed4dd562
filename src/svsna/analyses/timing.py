"""Timing of serious violence: monthly trend with SPC, day of week, hour, night-time economy.

The monthly series runs over the whole trend window (first configured period to the
last) with XmR limits and Making Data Count special-cause signals (``stats.spc``) and the
configured events for annotation. Day-of-week, hour-of-day and hour x weekday profiles are
for the profile period, each also split by the offence's age group; the share of offences
starting in the night-time-economy window is given for every period.

Examples
--------
>>> SECTION
'timing'
>>> WEEKDAYS[5], hour_label(15)
('Sat', '15:00-15:59')
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from svsna.analyses._base import POLICE_REQUIRES
from svsna.analyses._figures import count_rows, rate_rows, share_rows, stat_rows
from svsna.analyses.extent import daily_counts
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext
    from svsna.config import Period

__all__ = ["REQUIRES", "SECTION", "WEEKDAYS", "hour_label", "months_between", "run"]

REQUIRES = POLICE_REQUIRES
SECTION = "timing"
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
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
    import pandas as pd

    from svsna.config import Period
    from svsna.stats.spc import spc  # the submodule shares the name; import the function explicitly

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
        pops.append(ctx.population(Period(label="m", start=dt.date(fy, 4, 1), end=dt.date(fy, 4, 1))))
    rows.append(rate_rows(ctx, SECTION, "rate_monthly", win.label, "month", labels, counts, pops))
    if len(months) >= 2:
        chart = spc(counts, dates=labels, improvement="decrease")
        stats = pd.DataFrame(
            {
                "numerator": counts,
                "value": counts,
                "lower": chart["lower_limit"],
                "upper": chart["upper_limit"],
                "method": SPC_METHOD,
                "significance": chart["point_type"],
                "comparator_value": chart["mean"],
            }
        )
        rows.append(stat_rows(ctx, SECTION, "offences_monthly", stats, win.label, "month", labels))
        high = [lab for lab, t in zip(labels, chart["point_type"], strict=True) if "high" in str(t)]
        low = [lab for lab, t in zip(labels, chart["point_type"], strict=True) if "low" in str(t)]
        peak = max(range(len(counts)), key=lambda i: (counts[i], -i))
        trough = min(range(len(counts)), key=lambda i: (counts[i], i))
        findings.append(
            Finding(
                SECTION,
                "spc_signals",
                f"Monthly offences peaked in {labels[peak]} ({counts[peak]}); special-cause high months: "
                f"{', '.join(high) or 'none'}; low months: {', '.join(low) or 'none'}.",
                {
                    "months_high": high,
                    "months_low": low,
                    "peak_month": labels[peak],
                    "peak_count": counts[peak],
                    "trough_month": labels[trough],
                    "trough_count": counts[trough],
                },
                significance="Special cause" if high or low else "Common cause",
                period=win.label,
                area=ctx.area_label,
                definition=ctx.definition,
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
                method="Count (too few months for SPC)",
            )
        )
    events = [
        {"date": e.date.isoformat(), "end": e.end.isoformat() if e.end else None, "label": e.label}
        for e in ctx.config.events
    ]
    findings.append(
        Finding(
            SECTION,
            "trend_events",
            f"{len(events)} event(s) annotated on the trend chart.",
            {"events": events},
            period=win.label,
            area=ctx.area_label,
            definition=ctx.definition,
            indicators=("offences_monthly",),
            public=True,
        )
    )
    return rows, findings


def _profile_cube(ctx: AnalysisContext) -> pd.DataFrame:
    f = ctx.window(ctx.offence_facts(), ctx.profile)
    df = ctx.fetch(f.group_by("age_group", "weekday", "hour").aggregate(n=f.count()))
    df["n"] = df["n"].astype(int)
    return df


def _profiles(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    label = ctx.profile.label
    cube = _profile_cube(ctx)
    rows: list[pd.DataFrame] = []
    groups = [
        ("all", cube),
        (ctx.under_label, cube[cube.age_group == ctx.under_label]),
        (ctx.over_label, cube[cube.age_group == ctx.over_label]),
    ]
    peaks: dict[str, int | None] = {}
    weekend: dict[str, float | None] = {}
    wd_all = None
    for g, sub in groups:
        total = int(sub["n"].sum())
        wd = sub.groupby("weekday")["n"].sum()
        hr = sub.groupby("hour")["n"].sum()
        wd_counts = [int(wd.get(i, 0)) for i in range(7)]
        hr_counts = [int(hr.get(h, 0)) for h in range(24)]
        pre = "" if g == "all" else f"{g}|"
        bd = "" if g == "all" else "age_group|"
        rows.append(
            share_rows(
                ctx, SECTION, "weekday_share", label, f"{bd}weekday", [pre + w for w in WEEKDAYS], wd_counts, total
            )
        )
        rows.append(
            share_rows(
                ctx, SECTION, "hour_share", label, f"{bd}hour", [f"{pre}{h:02d}" for h in range(24)], hr_counts, total
            )
        )
        peaks[g] = max(range(24), key=lambda h: (hr_counts[h], -h)) if total else None
        weekend[g] = 100.0 * (wd_counts[5] + wd_counts[6]) / total if total else None
        if g == "all":
            wd_all = (wd_counts, total, hr_counts)
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
        )
    )
    findings: list[Finding] = []
    wd_counts, total, hr_counts = wd_all
    if total:
        h = peaks["all"]
        u, o = peaks[ctx.under_label], peaks[ctx.over_label]
        findings.append(
            Finding(
                SECTION,
                "peak_hour",
                f"Offences were most frequent at {hour_label(h)} ({100.0 * hr_counts[h] / total:.1f}%).",
                {
                    "hour": h,
                    "label": hour_label(h),
                    "share": 100.0 * hr_counts[h] / total,
                    "count": hr_counts[h],
                    "under25_hour": u,
                    "under25_label": hour_label(u) if u is not None else None,
                    "over25_hour": o,
                    "over25_label": hour_label(o) if o is not None else None,
                },
                period=label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("hour_share",),
            )
        )
        w = max(range(7), key=lambda i: (wd_counts[i], -i))
        findings.append(
            Finding(
                SECTION,
                "peak_weekday",
                f"{WEEKDAYS[w]} was the busiest day ({100.0 * wd_counts[w] / total:.1f}%); "
                f"{weekend['all']:.1f}% of offences were at the weekend.",
                {
                    "weekday": WEEKDAYS[w],
                    "share": 100.0 * wd_counts[w] / total,
                    "weekend_share": weekend["all"],
                    "under25_weekend_share": weekend[ctx.under_label],
                    "over25_weekend_share": weekend[ctx.over_label],
                },
                period=label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("weekday_share",),
            )
        )
    return rows, findings


def _nte(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    d = daily_counts(ctx)
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
            nums.append(int(s.loc[s.nte.astype(bool), "n"].sum()))
            dens.append(int(s["n"].sum()))
        r = share_rows(ctx, SECTION, "nte_share", p.label, ["all", "age_group", "age_group"], groups, nums, dens)
        rows.append(r)
        results.append((p, r))
    findings: list[Finding] = []
    latest = [(p, r) for p, r in results if p.kind != "window"]
    p, r = (latest or results)[-1]
    if r.loc[0, "denominator"] > 0:
        win = ctx.config.night_time_economy.label
        findings.append(
            Finding(
                SECTION,
                "nte_share",
                f"{r.loc[0, 'value']:.1f}% of serious violence in {p.label} was in the night-time economy ({win}).",
                {
                    "value": float(r.loc[0, "value"]),
                    "lower": float(r.loc[0, "lower"]),
                    "upper": float(r.loc[0, "upper"]),
                    "count": int(r.loc[0, "numerator"]),
                    "total": int(r.loc[0, "denominator"]),
                    "period": p.label,
                    "window": win,
                },
                period=p.label,
                area=ctx.area_label,
                definition=ctx.definition,
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
