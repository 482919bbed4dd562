"""Nature of serious violence: offence mix, sub-offences, rates by age group, knives.

All figures are for the profile period: the share and rate of each offence type (the
warehouse ``ho_description``, e.g. *Assault with injury*), the split of each type into
sub-offences (ABH vs GBH within assault with injury), rates by offence type for under 25s
and those 25 and over and their ratio, rates by district, and the share of offences
involving a knife or sharp object (overall, by age group, and where they happened: the share
of knife offences in each district, and the knife share of each district's offences).

Examples
--------
>>> SECTION
'nature'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svsna.analyses._base import POLICE_REQUIRES
from svsna.analyses._figures import (
    finding,
    fmt,
    numbers_from,
    plain,
    rate_rows,
    ratio_rows,
    separated,
    share_rows,
    top_items,
)
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = ["REQUIRES", "SECTION", "offence_cube", "run"]

REQUIRES = POLICE_REQUIRES
SECTION = "nature"
#: Offence types with fewer events than this in either age group are left out of the
#: "greatest difference between age groups" finding: a ratio of two tiny counts is noise
#: (the same threshold below which Fingertips does not publish standardised rates).
MIN_EVENTS_FOR_RATIO_FINDING = 10


def offence_cube(ctx: AnalysisContext) -> pd.DataFrame:
    """Profile-period offence counts by type, sub-offence, age group, district and knife/weapon flags."""
    f = ctx.window(ctx.offence_facts_all(), ctx.profile)
    f = f.mutate(sub=f.sub_offence.fill_null(f.ho_description))
    keys = ["ho_description", "sub", "age_group", "district_name", "knife_flag", "weapon_flag"]
    df = ctx.shared_counts("nature_cube", f, keys)
    df["n"] = df["n"].astype(int)
    return df


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the nature section for one definition."""
    prof = ctx.profile
    label = prof.label
    cube = offence_cube(ctx)
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    total = int(cube["n"].sum())
    u, o = ctx.under_label, ctx.over_label
    pop_all = ctx.population(prof)
    pop_u = ctx.population(prof, age_to=ctx.under - 1)
    pop_o = ctx.population(prof, age_from=ctx.under)

    by_type = cube.groupby("ho_description")["n"].sum()
    by_type = by_type.loc[sorted(by_type.index, key=lambda t: (-int(by_type[t]), str(t)))]
    types = list(by_type.index)
    share = share_rows(ctx, SECTION, "offence_type_share", label, "offence_type", types, by_type.values, total)
    rows.append(share)
    rows.append(rate_rows(ctx, SECTION, "offence_type_rate", label, "offence_type", types, by_type.values, pop_all))
    age = cube.groupby(["ho_description", "age_group"])["n"].sum()
    cu = [int(age.get((t, u), 0)) for t in types]
    co = [int(age.get((t, o), 0)) for t in types]
    rows.append(
        rate_rows(
            ctx,
            SECTION,
            "offence_type_rate",
            label,
            "offence_type|age_group",
            [f"{t}|{u}" for t in types] + [f"{t}|{o}" for t in types],
            cu + co,
            [pop_u] * len(types) + [pop_o] * len(types),
        )
    )
    rr = (
        ratio_rows(ctx, SECTION, "offence_type_rate_ratio_age", label, "offence_type", types, cu, pop_u, co, pop_o)
        if types
        else None
    )
    if rr is not None:
        rows.append(rr)
    district_pop = ctx.population_levels(prof, "district") or {}
    if district_pop:
        dist = cube.groupby(["district_name", "ho_description"])["n"].sum()
        keys = [(d, t) for d in sorted(district_pop) for t in types]
        rows.append(
            rate_rows(
                ctx,
                SECTION,
                "offence_type_rate",
                label,
                "district|offence_type",
                [f"{d}|{t}" for d, t in keys],
                [int(dist.get(k, 0)) for k in keys],
                [district_pop[d] for d, _ in keys],
            )
        )

    sub = cube.groupby(["ho_description", "sub"])["n"].sum()
    sub_vals = [f"{t}|{s}" for t, s in sub.index]
    sub_den = [int(by_type[t]) for t, _ in sub.index]
    sub_rows = share_rows(
        ctx, SECTION, "sub_offence_share", label, "offence_type|sub_offence", sub_vals, sub.values, sub_den
    )
    rows.append(sub_rows)

    knife = _flag_shares(ctx, cube, "knife_flag", label)
    rows.extend(knife[0])
    weapon = _flag_shares(ctx, cube, "weapon_flag", label, by_age=False)
    rows.extend(weapon[0])

    if total:
        findings.append(_top_type_finding(ctx, share, label))
        if types:
            top = types[0]
            keys = list(sub.index)  # (offence type, sub-offence) of each row, in row order
            pos = [i for i, (t, _s) in enumerate(keys) if t == top]
            mine = sub_rows.iloc[pos].sort_values("value", ascending=False, kind="stable")
            if len(mine):
                r = mine.iloc[0]
                name = keys[int(mine.index[0])][1]
                findings.append(
                    finding(
                        ctx,
                        SECTION,
                        "sub_offence_majority",
                        f"Most offences within '{top}' were '{name}' ({fmt(r.value)} %).",
                        numbers_from(
                            r,
                            offence_type=top,
                            sub_offence=name,
                            share=plain(r.value),
                            count=int(r.numerator),
                            total=int(r.denominator),
                            separated=separated(r, mine.iloc[1]) if len(mine) > 1 else True,
                        ),
                        period=label,
                        indicators=("sub_offence_share",),
                    )
                )
        if rr is not None:
            findings.extend(_age_ratio_finding(ctx, rr, types, cu, co, pop_u, pop_o, label))
        if knife[1] is not None:
            findings.append(knife[1])
    return SectionResult(SECTION, concat_indicators(rows), findings)


def _age_ratio_finding(ctx, rr, types, cu, co, pop_u, pop_o, label) -> list[Finding]:
    """The offence type with the largest under-25 / 25-and-over rate ratio, among types with at least
    :data:`MIN_EVENTS_FOR_RATIO_FINDING` offences in each age group; ``separated`` says whether its
    interval lies wholly above the next type's (only then may the report call it "the greatest")."""
    enough = [
        k
        for k, (a, b) in enumerate(zip(cu, co, strict=True))
        if a >= MIN_EVENTS_FOR_RATIO_FINDING and b >= MIN_EVENTS_FOR_RATIO_FINDING
    ]
    ok = rr.iloc[enough] if len(rr) else rr
    ok = ok[ok["significance"] != "Not compared"] if len(ok) else ok  # a ratio was calculated
    if not len(ok):
        return []
    ranked = ok.sort_values(["value", "breakdown_value"], ascending=[False, True])
    top = ranked.iloc[0]
    nxt = ranked.iloc[1] if len(ranked) > 1 else None
    i = types.index(top.breakdown_value)
    # point estimates, as an SNA states them ("higher across all crime groups except ...")
    not_higher = [t for t, a, b in zip(types, cu, co, strict=True) if a / pop_u <= b / pop_o]
    return [
        finding(
            ctx,
            SECTION,
            "offence_type_age_ratio",
            f"Largest under-{ctx.under} / {ctx.under}-and-over rate ratio: '{types[i]}' ({fmt(top.value, 2)}).",
            numbers_from(
                top,
                comparator=ctx.over_label,
                comparator_value=ctx.multiplier * co[i] / pop_o if pop_o else None,
                rate_under=ctx.multiplier * cu[i] / pop_u if pop_u else None,
                max_offence_type=types[i],
                max_ratio=plain(top.value),
                max_lower=plain(top.lower),
                max_upper=plain(top.upper),
                separated=separated(top, nxt),
                next_offence_type=None if nxt is None else nxt.breakdown_value,
                next_ratio=None if nxt is None else plain(nxt.value),
                next_lower=None if nxt is None else plain(nxt.lower),
                next_upper=None if nxt is None else plain(nxt.upper),
                ranked=[
                    {"offence_type": r.breakdown_value, "ratio": plain(r.value), "lower": plain(r.lower),
                     "upper": plain(r.upper), "significance": r.significance}
                    for r in ranked.itertuples()
                ],
                under25_offences=cu[i],
                over25_offences=co[i],
                not_higher_for_under25=not_higher,
                min_events=MIN_EVENTS_FOR_RATIO_FINDING,
            ),
            period=label,
            indicators=("offence_type_rate", "offence_type_rate_ratio_age"),
        )
    ]  # fmt: skip


def _top_type_finding(ctx: AnalysisContext, share: pd.DataFrame, label: str) -> Finding:
    s = share.sort_values(["value", "breakdown_value"], ascending=[False, True]).reset_index(drop=True)
    top = top_items(list(s.breakdown_value), list(s.value), 3)
    r = s.iloc[0]
    extra = {
        "offence_type": r.breakdown_value,
        "share": plain(r.value),
        "count": int(r.numerator),
        "total": int(r.denominator),
        "separated": separated(r, s.iloc[1]) if len(s) > 1 else True,
    }
    for i, name in ((1, "second"), (2, "third")):
        extra[name] = top[i]["name"] if len(top) > i else None
        extra[f"{name}_share"] = top[i]["share"] if len(top) > i else None
    return finding(
        ctx,
        SECTION,
        "top_offence_type",
        f"'{r.breakdown_value}' makes up {fmt(r.value)} % of serious violence offences.",
        numbers_from(r, **extra),
        period=label,
        indicators=("offence_type_share",),
    )


def _flag_shares(ctx: AnalysisContext, cube: pd.DataFrame, flag: str, label: str, by_age: bool = True):
    name = flag.replace("_flag", "")
    rec = cube[cube[flag].notna()]
    yes = rec[rec[flag].astype(bool)]
    groups = ["all"]
    nums = [int(yes["n"].sum())]
    dens = [int(rec["n"].sum())]
    if by_age:
        for g in (ctx.under_label, ctx.over_label):
            groups.append(g)
            nums.append(int(yes.loc[yes.age_group == g, "n"].sum()))
            dens.append(int(rec.loc[rec.age_group == g, "n"].sum()))
    rows = [
        share_rows(
            ctx, SECTION, f"{name}_share", label, ["all"] + ["age_group"] * (len(groups) - 1), groups, nums, dens
        )
    ]
    if flag != "knife_flag":
        return rows, None
    names = sorted(set(ctx.geography_frame["district_name"].dropna()))
    dist = yes.groupby("district_name")["n"].sum()
    counts = [int(dist.get(d, 0)) for d in names]
    drows = share_rows(ctx, SECTION, "knife_offences_district_share", label, "district", names, counts, nums[0])
    rows.append(drows)
    rec_d = rec.groupby("district_name")["n"].sum()
    within = share_rows(
        ctx, SECTION, "knife_share", label, "district", names, counts, [int(rec_d.get(d, 0)) for d in names]
    )
    rows.append(within)
    r = rows[0].iloc[0]
    if not dens[0]:
        return rows, None
    ranked = drows.sort_values(["value", "breakdown_value"], ascending=[False, True])
    top = ranked.iloc[0]
    pops = ctx.population_levels(ctx.profile, "district") or {}
    largest = max(pops, key=lambda d: (pops[d], d)) if pops else None
    lrow = drows[drows.breakdown_value == largest].iloc[0] if largest in set(drows.breakdown_value) else None
    one_in = round(100.0 / r.value) if r.value else None
    f = finding(
        ctx,
        SECTION,
        "knife_share",
        f"{fmt(r.value)} % of offences involved a knife or sharp object; {fmt(top.value)} % of them were in "
        f"{top.breakdown_value}."
        if one_in
        else "No offence with a knife or sharp object was recorded.",
        numbers_from(
            r,
            share=plain(r.value),
            one_in_n=one_in,
            count=nums[0],
            total=dens[0],
            top_district=top.breakdown_value if nums[0] else None,
            top_district_share=plain(top.value) if nums[0] else None,
            top_district_lower=plain(top.lower) if nums[0] else None,
            top_district_upper=plain(top.upper) if nums[0] else None,
            top_district_n=int(top.numerator),
            top_district_separated=separated(top, ranked.iloc[1]) if len(ranked) > 1 else True,
            largest_district=largest,
            largest_district_share=None if lrow is None else plain(lrow.value),
            largest_district_lower=None if lrow is None else plain(lrow.lower),
            largest_district_upper=None if lrow is None else plain(lrow.upper),
            largest_district_n=None if lrow is None else int(lrow.numerator),
            under25_share=plain(rows[0].iloc[1].value) if len(rows[0]) > 1 else None,
            over25_share=plain(rows[0].iloc[2].value) if len(rows[0]) > 2 else None,
        ),
        period=label,
        indicators=("knife_share", "knife_offences_district_share"),
        headline=True,
    )
    return rows, f
