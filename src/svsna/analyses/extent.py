"""Extent of serious violence: volumes, change, run rate, rates and who is involved.

Reproduces the "Extent of Serious Violence" figures of an SNA: offences per financial
year and part year, the year-on-year change with a rate-ratio test, the part year's run
rate against the last full year, rates per 1,000 for all ages, under 25s and 25 and
over, the under/over-25 rate ratio, the share of residents who were victims or
perpetrators in the profile period, and the share of offences by under 25s that had an
under-25 victim. Indicator names and finding keys are catalogued in docs/indicators.md.

Examples
--------
>>> SECTION
'extent'
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from svsna.analyses._base import POLICE_REQUIRES
from svsna.analyses._figures import count_rows, rate_rows, share_rows, stat_rows
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext
    from svsna.config import Period

__all__ = ["REQUIRES", "SECTION", "daily_counts", "period_counts", "run"]

REQUIRES = POLICE_REQUIRES
SECTION = "extent"


def daily_counts(ctx: AnalysisContext) -> pd.DataFrame:
    """In-definition offences per day, offence age group and NTE flag (``offence_date, age_group, nte, n``).

    Cached on the context: the timing section reuses it for monthly series.
    """
    key = "daily_counts"
    if key not in ctx._cache:
        f = ctx.offence_facts()
        q = f.group_by("offence_date", "age_group", "nte").aggregate(n=f.count())
        df = ctx.fetch(q)
        import pandas as pd

        df["offence_date"] = pd.to_datetime(df["offence_date"]).dt.date
        df["n"] = df["n"].astype(int)
        ctx._cache[key] = df
    return ctx._cache[key]


def period_counts(ctx: AnalysisContext, period: Period) -> dict[str, int]:
    """Offences in ``period`` by offence age group, plus ``"all"``."""
    d = daily_counts(ctx)
    d = d[(d["offence_date"] >= period.start) & (d["offence_date"] <= period.end)]
    out = {g: int(v) for g, v in d.groupby("age_group")["n"].sum().items()}
    out["all"] = int(d["n"].sum())
    for g in (ctx.under_label, ctx.over_label, "Unknown"):
        out.setdefault(g, 0)
    return out


def _volumes(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding], dict[str, dict[str, int]]]:
    from svsna.stats import period_change

    groups = ["all", ctx.under_label, ctx.over_label]
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    counts = {p.label: period_counts(ctx, p) for p in ctx.periods}
    for p in ctx.periods:
        c = counts[p.label]
        labels = ["all", ctx.under_label, ctx.over_label, "Unknown"]
        rows.append(
            count_rows(
                ctx,
                SECTION,
                "offences",
                p.label,
                ["all", "age_group", "age_group", "age_group"],
                labels,
                [c[g] for g in labels],
            )
        )
    years = [p for p in ctx.periods if p.kind == "financial_year"]
    for prev, cur in itertools.pairwise(years):
        now = [counts[cur.label][g] for g in groups]
        before = [counts[prev.label][g] for g in groups]
        ch = period_change(now, before, confidence=ctx.confidence)
        rows.append(_change_rows(ctx, "offences_change", cur.label, groups, ch, now, before))
    if len(years) >= 2:
        prev, cur = years[-2], years[-1]
        now = [counts[cur.label][g] for g in groups]
        before = [counts[prev.label][g] for g in groups]
        ch = period_change(now, before, confidence=ctx.confidence)
        findings.append(
            Finding(
                SECTION,
                "offences_latest_year",
                f"{now[0]:,} offences were recorded in {cur.label}, a change of {ch.loc[0, 'pct_change']:+.1f}% "
                f"on {prev.label} ({before[0]:,}).",
                {
                    "offences": now[0],
                    "period": cur.label,
                    "previous_offences": before[0],
                    "previous_period": prev.label,
                    "change_pct": _f(ch.loc[0, "pct_change"]),
                    "lower": _pct(ch.loc[0, "lower"]),
                    "upper": _pct(ch.loc[0, "upper"]),
                },
                significance=str(ch.loc[0, "significance"]),
                period=cur.label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("offences", "offences_change"),
                headline=True,
            )
        )
        findings.append(
            Finding(
                SECTION,
                "change_year_on_year",
                f"Offences changed by {ch.loc[0, 'pct_change']:+.1f}% between {prev.label} and {cur.label} "
                f"({ch.loc[0, 'significance'].lower()}).",
                {
                    "change_pct": _f(ch.loc[0, "pct_change"]),
                    "lower": _pct(ch.loc[0, "lower"]),
                    "upper": _pct(ch.loc[0, "upper"]),
                    "current": now[0],
                    "previous": before[0],
                    "current_period": cur.label,
                    "previous_period": prev.label,
                },
                significance=str(ch.loc[0, "significance"]),
                period=cur.label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("offences_change",),
            )
        )
        findings.append(
            Finding(
                SECTION,
                "change_by_age_group",
                f"Offences by under {ctx.under}s changed by {ch.loc[1, 'pct_change']:+.1f}% and by those "
                f"{ctx.under} and over by {ch.loc[2, 'pct_change']:+.1f}% ({prev.label} to {cur.label}).",
                {
                    "under_change_pct": _f(ch.loc[1, "pct_change"]),
                    "under_current": now[1],
                    "under_previous": before[1],
                    "under_significance": str(ch.loc[1, "significance"]),
                    "over_change_pct": _f(ch.loc[2, "pct_change"]),
                    "over_current": now[2],
                    "over_previous": before[2],
                    "over_significance": str(ch.loc[2, "significance"]),
                    "period": cur.label,
                },
                period=cur.label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("offences_change",),
            )
        )
    part = [p for p in ctx.periods if p.kind == "part_year"]
    if part and years:
        p, last = part[-1], years[-1]
        now = [counts[p.label][g] for g in groups]
        before = [counts[last.label][g] for g in groups]
        rows.append(_ratio_rows(ctx, p.label, groups, now, before))
        ch = period_change(now, before, exposure_now=p.months, exposure_before=last.months, confidence=ctx.confidence)
        rows.append(_change_rows(ctx, "run_rate_change", p.label, groups, ch, now, before))
        share = 100.0 * now[0] / before[0] if before[0] else float("nan")
        findings.append(
            Finding(
                SECTION,
                "part_year_run_rate",
                f"Offences in {p.label} were {share:.1f}% of the {last.label} total over {p.months} months; "
                f"the monthly rate changed by {ch.loc[0, 'pct_change']:+.1f}%.",
                {
                    "part_year_offences": now[0],
                    "last_year_offences": before[0],
                    "share_pct": _f(share),
                    "monthly_change_pct": _f(ch.loc[0, "pct_change"]),
                    "lower": _pct(ch.loc[0, "lower"]),
                    "upper": _pct(ch.loc[0, "upper"]),
                    "part_year_period": p.label,
                    "last_year_period": last.label,
                    "months": p.months,
                },
                significance=str(ch.loc[0, "significance"]),
                period=p.label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("part_year_vs_last_year", "run_rate_change"),
            )
        )
    return rows, findings, counts


def _ratio_rows(ctx: AnalysisContext, label: str, groups: list[str], now: list[int], before: list[int]):
    """Part-year count as a % of the last full year's count (a count ratio, no interval)."""
    import pandas as pd

    vals = [100.0 * n / b if b else float("nan") for n, b in zip(now, before, strict=True)]
    stats = pd.DataFrame({"numerator": now, "denominator": before, "value": vals, "method": "Count ratio"})
    return stat_rows(
        ctx,
        SECTION,
        "part_year_vs_last_year",
        stats,
        label,
        ["all", "age_group", "age_group"],
        groups,
        comparator_value=[float(b) for b in before],
    )


def _change_rows(ctx, indicator, label, groups, ch, now, before) -> pd.DataFrame:
    import pandas as pd

    stats = pd.DataFrame(
        {
            "numerator": now,
            "denominator": before,
            "value": ch["pct_change"],
            "lower": 100.0 * (ch["lower"] - 1.0),
            "upper": 100.0 * (ch["upper"] - 1.0),
            "method": "% change; " + ch["method"].astype(str),
            "confidence": ch["confidence"],
            "significance": ch["significance"],
            "comparator_value": [float(b) for b in before],
        }
    )
    return stat_rows(ctx, SECTION, indicator, stats, label, ["all", "age_group", "age_group"], groups)


def _rates(ctx: AnalysisContext, counts: dict[str, dict[str, int]]) -> tuple[list[pd.DataFrame], list[Finding]]:
    from svsna.stats import rate_ratio

    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    ratios = []
    for p in ctx.periods:
        c = counts[p.label]
        pops = [ctx.population(p), ctx.population(p, age_to=ctx.under - 1), ctx.population(p, age_from=ctx.under)]
        groups = ["all", ctx.under_label, ctx.over_label]
        rows.append(
            rate_rows(
                ctx, SECTION, "rate", p.label, ["all", "age_group", "age_group"], groups, [c[g] for g in groups], pops
            )
        )
        rr = rate_ratio(c[ctx.under_label], pops[1], c[ctx.over_label], pops[2], confidence=ctx.confidence)
        rows.append(
            stat_rows(
                ctx,
                SECTION,
                "rate_ratio_age",
                rr.drop(columns=["count_a", "pop_a", "count_b", "pop_b"]),
                p.label,
                "age_group",
                f"{ctx.under_label} vs {ctx.over_label}",
            )
        )
        ratios.append((p, rr, pops, c))
    full = [r for r in ratios if r[0].kind == "financial_year"] or ratios
    if full:
        p, rr, pops, c = full[-1]
        prev = full[-2] if len(full) > 1 else None
        rate_u = ctx.multiplier * c[ctx.under_label] / pops[1] if pops[1] else float("nan")
        rate_o = ctx.multiplier * c[ctx.over_label] / pops[2] if pops[2] else float("nan")
        findings.append(
            Finding(
                SECTION,
                "rate_ratio_under25",
                f"The rate for under {ctx.under}s was {rr.loc[0, 'value']:.1f} times the rate for those "
                f"{ctx.under} and over in {p.label}.",
                {
                    "ratio": _f(rr.loc[0, "value"]),
                    "lower": _f(rr.loc[0, "lower"]),
                    "upper": _f(rr.loc[0, "upper"]),
                    "rate_under": _f(rate_u),
                    "rate_over": _f(rate_o),
                    "period": p.label,
                    "previous_ratio": _f(prev[1].loc[0, "value"]) if prev else None,
                    "previous_period": prev[0].label if prev else None,
                },
                significance=str(rr.loc[0, "significance"]),
                period=p.label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("rate", "rate_ratio_age"),
                headline=True,
            )
        )
    return rows, findings


def _prevalence(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    prof = ctx.profile
    pop_all = ctx.population(prof)
    pop_u = ctx.population(prof, age_to=ctx.under - 1)
    for role, name in (("victims", "victim"), ("suspects", "perpetrator")):
        if not ctx.has(role):
            continue
        firsts = ctx.first_per_person(ctx.involvements(role, prof))
        # residents only: the home LSOA (at the first involvement) lies in the area's geography
        firsts = firsts.filter(firsts.home_lsoa.isin(ctx.table("geography").lsoa_code))
        df = ctx.fetch(firsts.group_by("person_age_group").aggregate(n=firsts.count()))
        by = dict(zip(df["person_age_group"], df["n"].astype(int), strict=True))
        total, under = sum(by.values()), by.get(ctx.under_label, 0)
        r = share_rows(
            ctx,
            SECTION,
            f"{name}_prevalence",
            prof.label,
            ["all", "age_group"],
            ["all", ctx.under_label],
            [total, under],
            [pop_all, pop_u],
        )
        rows.append(r)
        findings.append(
            Finding(
                SECTION,
                f"{name}_prevalence",
                f"{r.loc[0, 'value']:.1f}% of residents were a {name} of serious violence in {prof.label} "
                f"({r.loc[1, 'value']:.1f}% of under {ctx.under}s).",
                {
                    "value": _f(r.loc[0, "value"]),
                    "lower": _f(r.loc[0, "lower"]),
                    "upper": _f(r.loc[0, "upper"]),
                    "persons": total,
                    "population": pop_all,
                    "under25_value": _f(r.loc[1, "value"]),
                    "under25_persons": under,
                    "under25_population": pop_u,
                },
                period=prof.label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=(f"{name}_prevalence",),
                headline=True,
            )
        )
    return rows, findings


def _under25_victims(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    if not (ctx.has("victims") and ctx.has("suspects")):
        return [], []
    prof = ctx.profile
    inv = ctx.involvements("victims", prof)
    inv = inv.filter(inv.age_group == ctx.under_label)
    per = inv.group_by("offence_ref").aggregate(
        u=(inv.age < ctx.under).any().fill_null(False), k=inv.age.notnull().any().fill_null(False)
    )
    df = ctx.fetch(per.aggregate(num=per.u.cast("int64").sum(), den=per.k.cast("int64").sum()))
    num = int(df["num"].fillna(0).iloc[0])
    den = int(df["den"].fillna(0).iloc[0])
    r = share_rows(ctx, SECTION, "under25_offences_with_under25_victim", prof.label, "all", "all", num, den)
    f = Finding(
        SECTION,
        "under25_offences_with_under25_victim",
        f"{r.loc[0, 'value']:.1f}% of offences by under {ctx.under}s were against a person also under {ctx.under}.",
        {
            "value": _f(r.loc[0, "value"]),
            "lower": _f(r.loc[0, "lower"]),
            "upper": _f(r.loc[0, "upper"]),
            "numerator": num,
            "denominator": den,
        },
        period=prof.label,
        area=ctx.area_label,
        definition=ctx.definition,
        indicators=("under25_offences_with_under25_victim",),
    )
    return [r], [f]


def _f(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def _pct(ratio) -> float | None:
    v = _f(ratio)
    return None if v is None else 100.0 * (v - 1.0)


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the extent section for one definition."""
    rows, findings, counts = _volumes(ctx)
    r2, f2 = _rates(ctx, counts)
    r3, f3 = _prevalence(ctx)
    r4, f4 = _under25_victims(ctx)
    return SectionResult(SECTION, concat_indicators([*rows, *r2, *r3, *r4]), [*findings, *f2, *f3, *f4])
