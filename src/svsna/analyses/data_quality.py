"""Data quality: how complete are the fields the other sections rely on?

For the in-definition offences of the profile period and their victim and suspect rows,
the share of rows where each field used by the analyses is missing or unknown, the share
of offences with no suspect recorded, and the number of offences excluded from the
definition by reason. A finding is written for each field missing in 5% or more of rows,
naming the indicators it affects, so that the report can qualify those figures.

Examples
--------
>>> SECTION, THRESHOLD
('data_quality', 5.0)
>>> AFFECTS["suspects.age"][:2]
('rate', 'rate_ratio_age')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svsna.analyses._base import POLICE_REQUIRES
from svsna.analyses._figures import count_rows, share_rows
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = ["AFFECTS", "REQUIRES", "SECTION", "THRESHOLD", "run"]

REQUIRES = POLICE_REQUIRES
SECTION = "data_quality"
THRESHOLD = 5.0

_PEOPLE = {
    "age": ("age_band_rate", "victim_prevalence", "perpetrator_prevalence"),
    "sex": ("sex_share", "sex_rate", "same_sex_share", "high_harm_share"),
    "ethnicity_group": ("ethnicity_share",),
    "home_lsoa": (
        "home_npa_share",
        "home_district_share",
        "home_district_rate",
        "victim_prevalence",
        "perpetrator_prevalence",
    ),
    "person_key": ("repeat_offenders", "victim_offender_overlap", "perpetrator_prevalence"),
}
#: field -> indicator names whose figures it affects
AFFECTS: dict[str, tuple[str, ...]] = {
    "suspects.age": ("rate", "rate_ratio_age", "offences_change", "offence_type_rate", "age_band_rate"),
    **{f"suspects.{k}": v for k, v in _PEOPLE.items() if k != "age"},
    **{f"victims.{k}": v for k, v in _PEOPLE.items()},
    "offences.knife_flag": ("knife_share", "knife_offences_district_share"),
    "offences.weapon_flag": ("weapon_share",),
    "offences.location_type": ("setting_share",),
    "offences.sub_offence": ("sub_offence_share", "nte_offence_mix"),
    "offences.hour": ("hour_share", "nte_share", "weekday_hour_offences"),
}


def _missing(t: ibis.Table, col: str):
    c = t[col]
    miss = c.isnull()
    if col == "sex":
        miss = miss | (c == "U")
    elif col == "ethnicity_group":
        miss = miss | (c == "Unknown")
    elif col == "location_type":
        miss = miss | (c == "UNKNOWN")
    elif col == "hour" and "time_known" in t.columns:  # a date without a time: hour not known
        miss = miss | ~t.time_known.fill_null(True)
    return miss.cast("int64").sum()


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the data-quality checks for one definition."""
    prof = ctx.profile
    label = prof.label
    rows: list[pd.DataFrame] = []
    fields, nums, dens = [], [], []
    f = ctx.window(ctx.offence_facts(), prof)
    ocols = [c for c in ("knife_flag", "weapon_flag", "location_type", "sub_offence", "hour") if c in f.columns]
    df = ctx.fetch(f.aggregate(rows=f.count(), **{c: _missing(f, c) for c in ocols}))
    total = int(df["rows"].iloc[0])
    for c in ocols:
        fields.append(f"offences.{c}")
        nums.append(int(df[c].fillna(0).iloc[0]))
        dens.append(total)
    for role in ("suspects", "victims"):
        if not ctx.has(role):
            continue
        inv = ctx.involvements(role, prof)
        cols = [c for c in _PEOPLE if c in inv.columns]
        d = ctx.fetch(inv.aggregate(rows=inv.count(), **{c: _missing(inv, c) for c in cols}))
        for c in cols:
            fields.append(f"{role}.{c}")
            nums.append(int(d[c].fillna(0).iloc[0]))
            dens.append(int(d["rows"].iloc[0]))
    miss = share_rows(ctx, SECTION, "missing_share", label, "field", fields, nums, dens)
    rows.append(miss)
    findings: list[Finding] = []
    for r in miss.itertuples():
        if r.denominator and r.value >= THRESHOLD:
            findings.append(
                Finding(
                    SECTION,
                    "missing_field",
                    f"{r.breakdown_value} is missing or unknown in {r.value:.1f}% of rows; figures that use it "
                    "describe only the rows where it is known.",
                    {
                        "field": r.breakdown_value,
                        "value": float(r.value),
                        "missing": int(r.numerator),
                        "rows": int(r.denominator),
                        "affects": list(AFFECTS.get(r.breakdown_value, ())),
                    },
                    period=label,
                    area=ctx.area_label,
                    definition=ctx.definition,
                    indicators=("missing_share",),
                )
            )
    if ctx.has("suspects"):
        s = ctx.table("suspects").select("offence_ref")
        f2 = f.mutate(has=f.offence_ref.isin(s.offence_ref))
        d = ctx.fetch(f2.aggregate(none=(~f2.has.fill_null(False)).cast("int64").sum()))
        none = int(d["none"].fillna(0).iloc[0])
    else:
        none = total
    ns = share_rows(ctx, SECTION, "offences_without_suspect", label, "all", "all", none, total)
    rows.append(ns)
    if total:
        findings.append(
            Finding(
                SECTION,
                "offences_without_suspect",
                f"{ns.loc[0, 'value']:.1f}% of offences had no suspect recorded; their age group is unknown.",
                {
                    "value": float(ns.loc[0, "value"]),
                    "count": none,
                    "total": total,
                    "affects": ["rate", "rate_ratio_age", "offences_change", "repeat_offender_offence_share"],
                },
                period=label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("offences_without_suspect",),
            )
        )
    dec = ctx.table("offence_decisions")
    o = ctx.window(ctx.table("offences"), prof).select("offence_ref")
    dec = dec.filter(dec.definition == ctx.definition).semi_join(o, "offence_ref")
    reasons = ctx.fetch(dec.group_by("reason").aggregate(n=dec.count())).sort_values("reason")
    rows.append(
        count_rows(
            ctx,
            SECTION,
            "offences_excluded",
            label,
            "reason",
            reasons["reason"].tolist(),
            reasons["n"].astype(int).tolist(),
        )
    )
    return SectionResult(SECTION, concat_indicators(rows), findings)
