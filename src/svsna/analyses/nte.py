"""Night-time economy (NTE) cohort: serious violence starting in the NTE window.

The cohort is every in-definition offence in the profile period whose start hour lies in
``config.night_time_economy`` (default 22:00-05:00). For it the section gives the offence
mix (by sub-offence, so ABH and GBH are apart), the weekday and hour profile, and who was
involved: perpetrators' and victims' sex, ethnicity and home NPA and ward (persons, first
involvement each) and their single-year ages (involvements), from which the peak ages are
read. Offences whose time is not known are not in the NTE (``AnalysisContext.offence_facts``).
Every profile finding carries its group size ``n`` (persons or offences) so that a public
edition can withhold profiles of small groups.

Examples
--------
>>> SECTION
'nte'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svsna.analyses._base import POLICE_REQUIRES
from svsna.analyses._figures import count_rows, finding, fmt, numbers_from, plain, separated, share_rows, top_items
from svsna.analyses.people import ROLES, person_profile
from svsna.analyses.timing import WEEKDAY_NAMES, WEEKDAYS, hour_label
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = ["REQUIRES", "SECTION", "run"]

REQUIRES = POLICE_REQUIRES
SECTION = "nte"


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the NTE cohort section for one definition."""
    prof = ctx.profile
    label = prof.label
    f = ctx.window(ctx.offence_facts_all(), prof)
    f = f.filter(f.nte)
    f = f.mutate(sub=f.sub_offence.fill_null(f.ho_description))
    cube = ctx.shared_counts("nte_cube", f, ["sub", "weekday", "hour", "age_group"])
    cube["n"] = cube["n"].astype(int)
    total = int(cube["n"].sum())
    rows: list[pd.DataFrame] = [count_rows(ctx, SECTION, "nte_offences", label, "all", "all", total, unit="offences")]
    findings: list[Finding] = []

    def add(key: str, text: str, numbers: dict, indicators: tuple[str, ...]) -> None:
        findings.append(finding(ctx, SECTION, key, text, numbers, period=label, indicators=indicators))

    mix = cube.groupby("sub")["n"].sum()
    subs = sorted(mix.index, key=lambda s: (-int(mix[s]), s))
    mix_rows = share_rows(
        ctx, SECTION, "nte_offence_mix", label, "sub_offence", subs, [int(mix[s]) for s in subs], total
    )
    rows.append(mix_rows)
    wd = cube.groupby("weekday")["n"].sum()
    wd_counts = [int(wd.get(i, 0)) for i in range(7)]
    wd_rows = share_rows(ctx, SECTION, "nte_weekday_share", label, "weekday", list(WEEKDAYS), wd_counts, total)
    rows.append(wd_rows)
    # Friday to Sunday together: a share of its own (the public summary states it, so it must be a row)
    fri_sun = share_rows(ctx, SECTION, "nte_friday_to_sunday_share", label, "all", "all", [sum(wd_counts[4:7])], total)
    rows.append(fri_sun)
    hours = ctx.config.night_time_economy.hours
    order = sorted(hours, key=lambda h: (h < ctx.config.night_time_economy.start.hour, h))
    hr = cube.groupby("hour")["n"].sum()
    hr_rows = share_rows(
        ctx,
        SECTION,
        "nte_hour_share",
        label,
        "hour",
        [f"{h:02d}" for h in order],
        [int(hr.get(h, 0)) for h in order],
        total,
    )
    rows.append(hr_rows)
    ag = cube.groupby("age_group")["n"].sum()
    groups = [ctx.under_label, ctx.over_label, "Unknown"]
    rows.append(
        share_rows(ctx, SECTION, "nte_age_group_share", label, "age_group", groups, [int(ag.get(g, 0)) for g in groups],
                   total)
    )  # fmt: skip
    if total:
        ranked = mix_rows.sort_values(["value", "breakdown_value"], ascending=[False, True])
        top = ranked.iloc[0]
        add(
            "nte_offence_mix",
            f"The most common NTE offence was '{subs[0]}' ({fmt(top.value)} % of {total} NTE offences).",
            numbers_from(
                top,
                offence=top.breakdown_value,
                top=top_items(subs, list(mix_rows.value), 3),
                separated=separated(top, ranked.iloc[1]) if len(ranked) > 1 else True,
            ),
            ("nte_offence_mix",),
        )
        wranked = sorted(range(7), key=lambda i: (-wd_counts[i], i))
        w0 = wd_rows.iloc[wranked[0]]
        add(
            "nte_weekday",
            f"{WEEKDAY_NAMES[wranked[0]]} had the most NTE offences ({fmt(w0.value)} %), then "
            f"{WEEKDAY_NAMES[wranked[1]]} ({fmt(wd_rows.iloc[wranked[1]].value)} %) and "
            f"{WEEKDAY_NAMES[wranked[2]]} ({fmt(wd_rows.iloc[wranked[2]].value)} %).",
            numbers_from(
                w0,
                weekday=WEEKDAYS[wranked[0]],
                weekday_name=WEEKDAY_NAMES[wranked[0]],
                separated=separated(w0, wd_rows.iloc[wranked[1]]),
                weekend_share=plain(100.0 * (wd_counts[5] + wd_counts[6]) / total),
                friday_to_sunday_share=plain(fri_sun.iloc[0].value),
                top=[
                    {"name": WEEKDAYS[i], "day": WEEKDAY_NAMES[i], "share": plain(wd_rows.iloc[i].value),
                     "lower": plain(wd_rows.iloc[i].lower), "upper": plain(wd_rows.iloc[i].upper)}
                    for i in wranked[:3]
                ],
            ),
            ("nte_weekday_share", "nte_friday_to_sunday_share"),
        )  # fmt: skip
        hranked = hr_rows.sort_values(["value", "breakdown_value"], ascending=[False, True])
        h0 = hranked.iloc[0]
        add(
            "nte_peak_hours",
            f"{hour_label(int(h0.breakdown_value))} was the peak NTE hour ({fmt(h0.value)} %).",
            numbers_from(
                h0,
                hour=int(h0.breakdown_value),
                label=hour_label(int(h0.breakdown_value)),
                separated=separated(h0, hranked.iloc[1]) if len(hranked) > 1 else True,
                top=[
                    {"hour": int(r.breakdown_value), "label": hour_label(int(r.breakdown_value)),
                     "share": plain(r.value)}
                    for r in hranked.head(2).itertuples()
                ],
            ),
            ("nte_hour_share",),
        )  # fmt: skip

    # every role's and definition's NTE involvements: the persons, and the ages, in one query each
    roles = tuple(r for r in ROLES if ctx.has(r))
    everys = {}
    for role in roles:
        every = ctx.involvements_all(role, prof)
        everys[role] = every.filter(every.nte)
    known = {r: t.filter(t.age.notnull()) for r, t in everys.items()}
    for role in roles:
        noun = ROLES[role][1]
        inv = ctx.involvements(role, prof)
        inv = inv.filter(inv.nte)
        prow, nums = person_profile(
            ctx, inv, SECTION, f"nte_{noun}_", label, wards=True, role=role, every=(("nte", roles, prof), everys)
        )
        rows.extend(prow)
        ages = ctx.role_counts(("nte_ages", roles, prof), known, ["age"], role=role)
        ages = ages.sort_values("age")
        rows.append(
            count_rows(
                ctx,
                SECTION,
                f"nte_{noun}_age",
                label,
                "age",
                [str(int(a)) for a in ages["age"]],
                ages["n"].astype(int).tolist(),
                unit="involvements",
            )
        )
        peak = sorted(zip(ages["age"], ages["n"], strict=True), key=lambda t: (-int(t[1]), int(t[0])))[:3]
        nums["peak_ages"] = [int(a) for a, _ in peak]
        known_n = int(ages["n"].sum())
        under = int(ages.loc[ages["age"] < ctx.under, "n"].sum())
        nums["under25_involvement_share"] = plain(100.0 * under / known_n) if known_n else None
        nums["involvements_known_age"] = known_n
        if nums["persons"]:
            sex = prow[0]
            male = sex[sex.breakdown_value == "Male"].iloc[0]
            add(
                f"nte_{noun}s",
                f"{fmt(male.value, 0)} % of {nums['persons']} NTE {noun}s were male.",
                numbers_from(male, **nums),
                (f"nte_{noun}_sex_share", f"nte_{noun}_ethnicity_share", f"nte_{noun}_age", f"nte_{noun}_home_share"),
            )
    return SectionResult(SECTION, concat_indicators(rows), findings)
