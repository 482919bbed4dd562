"""Night-time economy (NTE) cohort: serious violence starting in the NTE window.

The cohort is every in-definition offence in the profile period whose start hour lies in
``config.night_time_economy`` (default 22:00-05:00). For it the section gives the offence
mix (by sub-offence, so ABH and GBH are apart), the weekday and hour profile, and who was
involved: perpetrators' and victims' sex, ethnicity and home NPA and ward (persons, first
involvement each) and their single-year ages (involvements), from which the peak ages are
read.

Examples
--------
>>> SECTION
'nte'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svsna.analyses._base import POLICE_REQUIRES
from svsna.analyses._figures import count_rows, share_rows, top_items
from svsna.analyses.people import ROLES, person_profile
from svsna.analyses.timing import WEEKDAYS, hour_label
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
    f = ctx.window(ctx.offence_facts(), prof)
    f = f.filter(f.nte)
    f = f.mutate(sub=f.sub_offence.fill_null(f.ho_description))
    cube = ctx.fetch(f.group_by("sub", "weekday", "hour").aggregate(n=f.count()))
    cube["n"] = cube["n"].astype(int)
    total = int(cube["n"].sum())
    rows: list[pd.DataFrame] = [count_rows(ctx, SECTION, "nte_offences", label, "all", "all", total)]
    findings: list[Finding] = []

    def finding(key: str, text: str, numbers: dict, indicators: tuple[str, ...]) -> None:
        findings.append(
            Finding(
                SECTION,
                key,
                text,
                numbers,
                period=label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=indicators,
            )
        )

    mix = cube.groupby("sub")["n"].sum()
    subs = sorted(mix.index, key=lambda s: (-int(mix[s]), s))
    mix_rows = share_rows(
        ctx, SECTION, "nte_offence_mix", label, "sub_offence", subs, [int(mix[s]) for s in subs], total
    )
    rows.append(mix_rows)
    wd = cube.groupby("weekday")["n"].sum()
    wd_rows = share_rows(
        ctx,
        SECTION,
        "nte_weekday_share",
        label,
        "weekday",
        list(WEEKDAYS),
        [int(wd.get(i, 0)) for i in range(7)],
        total,
    )
    rows.append(wd_rows)
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
    if total:
        finding(
            "nte_offence_mix",
            f"The most common NTE offence was '{subs[0]}'.",
            {"top": top_items(subs, list(mix_rows.value), 3)},
            ("nte_offence_mix",),
        )
        finding(
            "nte_weekday",
            "NTE offences by day of the week.",
            {"top": top_items(list(WEEKDAYS), list(wd_rows.value), 3)},
            ("nte_weekday_share",),
        )
        peaks = top_items([int(h) for h in order], list(hr_rows.value), 2)
        finding(
            "nte_peak_hours",
            f"{hour_label(peaks[0]['name'])} was the peak NTE hour.",
            {"top": [{"hour": p["name"], "label": hour_label(p["name"]), "share": p["share"]} for p in peaks]},
            ("nte_hour_share",),
        )

    for role, (_section, noun) in ROLES.items():
        if not ctx.has(role):
            continue
        inv = ctx.involvements(role, prof)
        inv = inv.filter(inv.nte)
        prow, nums = person_profile(ctx, inv, SECTION, f"nte_{noun}_", label, wards=True)
        rows.extend(prow)
        known = inv.filter(inv.age.notnull())
        ages = ctx.fetch(known.group_by("age").aggregate(n=known.count()))
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
            )
        )
        peak = sorted(zip(ages["age"], ages["n"], strict=True), key=lambda t: (-int(t[1]), int(t[0])))[:3]
        nums["peak_ages"] = [int(a) for a, _ in peak]
        if nums["persons"]:
            finding(
                f"nte_{noun}s",
                f"{nums['male_share']:.0f}% of NTE {noun}s were male.",
                nums,
                (f"nte_{noun}_sex_share", f"nte_{noun}_ethnicity_share", f"nte_{noun}_age", f"nte_{noun}_home_share"),
            )
    return SectionResult(SECTION, concat_indicators(rows), findings)
