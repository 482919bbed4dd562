"""Extent of serious violence: volumes, change, run rate, rates and who is involved.

Reproduces the "Extent of Serious Violence" figures of an SNA: offences per financial
year and part year, the year-on-year change with a rate-ratio test, the change against the
configured ``baseline_year``, the part year's run rate against the last full year, rates
per 1,000 for all ages, under 25s and those 25 and over, the under/over-25 rate ratio, the
share of residents who were victims or perpetrators in the profile period, and the share of
offences by under 25s that had an under-25 victim. Indicator names and finding keys are
catalogued in docs/indicators.md and docs/findings.md.

All offence counts come from one grouped query (:func:`daily_counts`: offences per day,
offence age group, NTE flag and whether the time is known), shared with the timing section.

Examples
--------
>>> SECTION
'extent'
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from svsna.analyses._base import POLICE_REQUIRES
from svsna.analyses._figures import (
    change_rows,
    count_rows,
    finding,
    fmt,
    numbers_from,
    plain,
    rate_rows,
    ratio_rows,
    share_rows,
    stat_rows,
)
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext
    from svsna.config import Period

__all__ = ["REQUIRES", "SECTION", "daily_counts", "period_counts", "run"]

REQUIRES = POLICE_REQUIRES
SECTION = "extent"
#: Offence columns this section reads from the run-wide offence facts and involvements
#: (besides ``CORE_FACT_COLUMNS``; dates, suspects' age group, NTE and time known only).
FACT_COLUMNS: tuple[str, ...] = ()
OFFENCES = "offences"


def daily_counts(ctx: AnalysisContext) -> pd.DataFrame:
    """In-definition offences per day, offence age group, NTE flag and time known
    (``offence_date, age_group, nte, time_known, n``): one grouped query for every definition of the
    run (:meth:`~svsna.analyses._base.AnalysisContext.shared_counts`), cached on the context."""
    key = "daily_counts"
    if key not in ctx._cache:
        import pandas as pd

        f = ctx.offence_facts_all()
        df = ctx.shared_counts("daily_counts", f, ["offence_date", "age_group", "nte", "time_known"])
        df["offence_date"] = pd.to_datetime(df["offence_date"]).dt.date
        df["n"] = df["n"].astype(int)
        df["nte"] = df["nte"].astype(bool)
        df["time_known"] = df["time_known"].astype(bool)
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
    groups = ["all", ctx.under_label, ctx.over_label]
    bd3 = ["all", "age_group", "age_group"]
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    periods = ctx.all_periods
    counts = {p.label: period_counts(ctx, p) for p in periods}
    for p in ctx.periods:
        c = counts[p.label]
        labels = [*groups, "Unknown"]
        rows.append(
            count_rows(
                ctx, SECTION, "offences", p.label, [*bd3, "age_group"], labels, [c[g] for g in labels], unit=OFFENCES
            )
        )
    years = ctx.financial_years
    changes: dict[str, pd.DataFrame] = {}
    for prev, cur in itertools.pairwise(years):
        now = [counts[cur.label][g] for g in groups]
        before = [counts[prev.label][g] for g in groups]
        r = change_rows(ctx, SECTION, "offences_change", cur.label, bd3, groups, now, before)
        r["comparator_value"] = [float(b) for b in before]
        rows.append(r)
        changes[cur.label] = r
    base = ctx.baseline
    vs_base: dict[str, pd.DataFrame] = {}
    if base is not None:
        later = [p for p in ctx.periods if p.label != base.label and p.start > base.start]
        for p in later:
            now = [counts[p.label][g] for g in groups]
            before = [counts[base.label][g] for g in groups]
            vs_base[p.label] = change_rows(
                ctx,
                SECTION,
                "offences_baseline_change",
                p.label,
                bd3,
                groups,
                now,
                before,
                exposure_now=p.months,
                exposure_before=base.months,
                basis=f"offences per month against {base.label}",
            )
            rows.append(vs_base[p.label])
    if len(years) >= 2:
        prev, cur = years[-2], years[-1]
        r = changes[cur.label]
        top = r.iloc[0]
        common = {
            "previous_period": prev.label,
            "current_period": cur.label,
        }
        nums = numbers_from(
            top,
            comparator=prev.label,
            offences=int(top.numerator),
            previous_offences=int(top.denominator),
            change_pct=plain(top.value),
            **common,
        )
        findings.append(
            finding(
                ctx,
                SECTION,
                "offences_latest_year",
                f"{int(top.numerator):,} offences were recorded in {cur.label} ({int(top.denominator):,} in "
                f"{prev.label}; change {fmt(top.value)} %, {top.significance}).",
                nums,
                period=cur.label,
                indicators=("offences", "offences_change"),
                headline=True,
            )
        )
        findings.append(
            finding(
                ctx,
                SECTION,
                "change_year_on_year",
                f"Offences {prev.label} to {cur.label}: change {fmt(top.value)} % ({top.significance}).",
                numbers_from(
                    top,
                    comparator=prev.label,
                    change_pct=plain(top.value),
                    current=int(top.numerator),
                    previous=int(top.denominator),
                    **common,
                ),
                period=cur.label,
                indicators=("offences_change",),
            )
        )
        u, o = r.iloc[1], r.iloc[2]
        findings.append(
            finding(
                ctx,
                SECTION,
                "change_by_age_group",
                f"Offences by under {ctx.under}s changed by {fmt(u.value)} % ({u.significance}) and by those "
                f"{ctx.under} and over by {fmt(o.value)} % ({o.significance}), {prev.label} to {cur.label}.",
                numbers_from(
                    u,
                    comparator=prev.label,
                    under_change_pct=plain(u.value),
                    under_lower=plain(u.lower),
                    under_upper=plain(u.upper),
                    under_current=int(u.numerator),
                    under_previous=int(u.denominator),
                    under_significance=str(u.significance),
                    over_change_pct=plain(o.value),
                    over_lower=plain(o.lower),
                    over_upper=plain(o.upper),
                    over_current=int(o.numerator),
                    over_previous=int(o.denominator),
                    over_significance=str(o.significance),
                    **common,
                ),
                period=cur.label,
                indicators=("offences_change",),
            )
        )
    if base is not None and ctx.periods:
        latest = [p for p in ctx.periods if p.start > base.start]
        if latest:
            p = [q for q in latest if q.kind == "financial_year"] or latest
            p = p[-1]
            top = vs_base[p.label].iloc[0]
            findings.append(
                finding(
                    ctx,
                    SECTION,
                    "change_vs_baseline",
                    f"Offences per month in {p.label} compared with the baseline {base.label}: change "
                    f"{fmt(top.value)} % ({top.significance}).",
                    numbers_from(
                        top,
                        comparator=base.label,
                        baseline_period=base.label,
                        baseline_offences=int(top.denominator),
                        offences=int(top.numerator),
                        months=p.months,
                        baseline_months=base.months,
                    ),
                    period=p.label,
                    indicators=("offences_baseline_change",),
                )
            )
    part = ctx.part_year
    if part is not None and years:
        last = years[-1]
        now = [counts[part.label][g] for g in groups]
        before = [counts[last.label][g] for g in groups]
        rows.append(_ratio_rows(ctx, part.label, groups, now, before))
        ch = change_rows(
            ctx,
            SECTION,
            "run_rate_change",
            part.label,
            bd3,
            groups,
            now,
            before,
            exposure_now=part.months,
            exposure_before=last.months,
            basis="offences per month",
        )
        rows.append(ch)
        top = ch.iloc[0]
        share = 100.0 * now[0] / before[0] if before[0] else None
        projected = now[0] * 12.0 / part.months if part.months else None
        findings.append(
            finding(
                ctx,
                SECTION,
                "part_year_run_rate",
                f"{part.label} ({part.months} months): {now[0]:,} offences, {fmt(share)} % of {last.label}'s "
                f"{before[0]:,}; at this monthly rate the year would change by {fmt(top.value)} % "
                f"({top.significance}).",
                numbers_from(
                    top,
                    comparator=last.label,
                    part_year_offences=now[0],
                    last_year_offences=before[0],
                    share_pct=plain(share),
                    monthly_change_pct=plain(top.value),
                    projected_change_pct=plain(top.value),
                    projected_offences=plain(projected),
                    part_year_period=part.label,
                    last_year_period=last.label,
                    months=part.months,
                ),
                period=part.label,
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
        statistic="percentage",
        unit="%",
        comparator_value=[float(b) for b in before],
    )


def _rates(ctx: AnalysisContext, counts: dict[str, dict[str, int]]) -> tuple[list[pd.DataFrame], list[Finding]]:
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    ratios = []
    groups = ["all", ctx.under_label, ctx.over_label]
    for p in ctx.periods:
        c = counts[p.label]
        pops = [ctx.population(p), ctx.population(p, age_to=ctx.under - 1), ctx.population(p, age_from=ctx.under)]
        rows.append(
            rate_rows(
                ctx, SECTION, "rate", p.label, ["all", "age_group", "age_group"], groups, [c[g] for g in groups], pops
            )
        )
        rr = ratio_rows(
            ctx,
            SECTION,
            "rate_ratio_age",
            p.label,
            "age_group",
            f"{ctx.under_label} vs {ctx.over_label}",
            c[ctx.under_label],
            pops[1],
            c[ctx.over_label],
            pops[2],
        )
        rows.append(rr)
        ratios.append((p, rr, pops, c))
    full = [r for r in ratios if r[0].kind == "financial_year"] or ratios
    if full:
        p, rr, pops, c = full[-1]
        prev = full[-2] if len(full) > 1 else None
        rate_u = ctx.multiplier * c[ctx.under_label] / pops[1] if pops[1] else None
        rate_o = ctx.multiplier * c[ctx.over_label] / pops[2] if pops[2] else None
        top = rr.iloc[0]
        findings.append(
            finding(
                ctx,
                SECTION,
                "rate_ratio_under25",
                f"Rate for under {ctx.under}s / rate for {ctx.under} and over in {p.label}: {fmt(top.value)} "
                f"({top.significance}).",
                numbers_from(
                    top,
                    comparator=ctx.over_label,
                    comparator_value=rate_o,
                    ratio=plain(top.value),
                    rate_under=plain(rate_u),
                    rate_over=plain(rate_o),
                    rate_unit=ctx.rate_unit,
                    previous_ratio=plain(prev[1].iloc[0].value) if prev else None,
                    previous_period=prev[0].label if prev else None,
                    trend=[
                        {
                            "period": q.label,
                            "ratio": plain(x.iloc[0].value),
                            "lower": plain(x.iloc[0].lower),
                            "upper": plain(x.iloc[0].upper),
                        }
                        for q, x, _, _ in full
                    ],
                ),
                period=p.label,
                indicators=("rate", "rate_ratio_age"),
                headline=True,
            )
        )
    return rows, findings


def _resident_persons(ctx: AnalysisContext, roles: list[str], period: Period) -> pd.DataFrame:
    """Resident persons (the home LSOA of their first involvement lies in the area's geography) per
    ``role`` and ``person_age_group`` in ``period``, counted for every role and definition of the
    run in one query (``role, person_age_group, n``; this definition's rows)."""
    import pandas as pd

    if not roles:
        return pd.DataFrame({"role": [], "person_age_group": [], "n": []})
    lsoas = ctx.table("geography").lsoa_code
    tables = {}
    for role in roles:
        inv = ctx.involvements_all(role, period)
        tables[role] = inv.filter(inv.home_lsoa.isin(lsoas))
    return ctx.role_counts(("resident_persons", tuple(roles), period), tables, ["person_age_group"], first=True)


def _prevalence(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    prof = ctx.profile
    pop_all = ctx.population(prof)
    pop_u = ctx.population(prof, age_to=ctx.under - 1)
    roles = [(role, name) for role, name in (("victims", "victim"), ("suspects", "perpetrator")) if ctx.has(role)]
    counts = _resident_persons(ctx, [role for role, _ in roles], prof)
    for role, name in roles:
        df = counts[counts["role"] == role]
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
            finding(
                ctx,
                SECTION,
                f"{name}_prevalence",
                f"{fmt(r.loc[0, 'value'])} % of residents were a {name} of serious violence in {prof.label} "
                f"({fmt(r.loc[1, 'value'])} % of under {ctx.under}s).",
                numbers_from(
                    r.iloc[0],
                    persons=total,
                    population=pop_all,
                    under25_value=plain(r.loc[1, "value"]),
                    under25_lower=plain(r.loc[1, "lower"]),
                    under25_upper=plain(r.loc[1, "upper"]),
                    under25_persons=under,
                    under25_population=pop_u,
                ),
                period=prof.label,
                indicators=(f"{name}_prevalence",),
                headline=True,
            )
        )
    return rows, findings


def _under25_victims(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    if not (ctx.has("victims") and ctx.has("suspects")):
        return [], []
    prof = ctx.profile
    # per offence by under 25s (every definition of the run in one query; the flags are per offence)
    inv = ctx.involvements_all("victims", prof, firsts=False)
    inv = inv.filter(inv.age_group == ctx.under_label)
    per = inv.group_by(["offence_ref", *ctx.definition_flags]).aggregate(
        u=(inv.age < ctx.under).any().fill_null(False), k=inv.age.notnull().any().fill_null(False)
    )
    df = ctx.shared_counts(("under25_victims", prof), per, ["u", "k"])
    num = int(df.loc[df["u"].astype(bool), "n"].sum())
    den = int(df.loc[df["k"].astype(bool), "n"].sum())
    r = share_rows(ctx, SECTION, "under25_offences_with_under25_victim", prof.label, "all", "all", num, den)
    f = finding(
        ctx,
        SECTION,
        "under25_offences_with_under25_victim",
        f"{fmt(r.loc[0, 'value'])} % of offences by under {ctx.under}s were against a person also under {ctx.under}.",
        numbers_from(r.iloc[0], numerator=num, denominator=den),
        period=prof.label,
        indicators=("under25_offences_with_under25_victim",),
    )
    return [r], [f]


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the extent section for one definition."""
    rows, findings, counts = _volumes(ctx)
    r2, f2 = _rates(ctx, counts)
    r3, f3 = _prevalence(ctx)
    r4, f4 = _under25_victims(ctx)
    return SectionResult(SECTION, concat_indicators([*rows, *r2, *r3, *r4]), [*findings, *f2, *f3, *f4])
