"""Cohorts of people linked by ``person_key`` across victims and suspects over all history.

* **Repeat offenders**: persons suspected of 2 or more in-definition offences in the profile
  period, and the share of offences (all, and by under 25s) with at least one of them.
* **Most frequent repeat perpetrators**: persons with 3 or more; their home NPA, sex, age
  group, flags (knife carrier, mental health, drugs, domestic abuse: true on any of their
  records), prior victimisation (ever, and before their first offence), the type of and age
  at their first offence (earliest suspect record of any offence in the warehouse).
* **Murder / attempted murder**: persons under 25 suspected of murder (HO 1) or attempted
  murder (HO 2), anywhere, in the five years to the end of the profile period: home area,
  age at the offence and at their first offence, years and offences between the two, flags,
  prior victimisation and domestic-abuse flag.
* **Victim-offender overlap**: the share of the profile period's perpetrators who have been a
  victim of any offence in the warehouse (and the reverse).

Examples
--------
>>> SECTION, REPEAT, FREQUENT, MAM_CODES
('cohorts', 2, 3, ('1', '2'))
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from svsna.analyses._base import POLICE_REQUIRES, sex_label
from svsna.analyses._figures import count_rows, mean_rows, share_rows, top_items
from svsna.analyses.extent import period_counts
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = ["FLAGS", "FREQUENT", "MAM_CODES", "MAM_YEARS", "REPEAT", "REQUIRES", "SECTION", "person_history", "run"]

REQUIRES = (*POLICE_REQUIRES, "suspects")
SECTION = "cohorts"
REPEAT = 2
FREQUENT = 3
MAM_CODES: tuple[str, ...] = ("1", "2")
MAM_YEARS = 5
MIN_PUBLIC = 10
FLAGS: tuple[str, ...] = ("knife_carrier", "mental_health", "drugs", "domestic_abuse")


def person_history(ctx: AnalysisContext, persons: ibis.Table) -> pd.DataFrame:
    """Every victim and suspect record (any offence, any date) of the persons in ``persons``
    (a table with a ``person_key`` column), with the offence's date and type."""
    import ibis

    o = ctx.table("offences")
    o = o.select(
        "offence_ref", "offence_date", "committed_from", "ho_code", sub=o.sub_offence.fill_null(o.ho_description)
    )
    parts = []
    for role in ("suspects", "victims"):
        if not ctx.has(role):
            continue
        p = ctx.table(role)
        cols = ["offence_ref", "person_key", "age", "sex", "home_npa", *[f"{f}_flag" for f in FLAGS]]
        p = p.select(*cols).semi_join(persons, "person_key")
        parts.append(p.join(o, "offence_ref").mutate(role=ibis.literal(role)))
    if not parts:
        import pandas as pd

        return pd.DataFrame()
    u = parts[0] if len(parts) == 1 else parts[0].union(parts[1])
    df = ctx.fetch(u)
    import pandas as pd

    df["offence_date"] = pd.to_datetime(df["offence_date"]).dt.date
    return df


def _flags(hist: pd.DataFrame) -> pd.DataFrame:
    """Per person: each flag true on any record."""
    g = hist.assign(**{f: hist[f"{f}_flag"].fillna(False).astype(bool) for f in FLAGS}).groupby("person_key")
    return g[list(FLAGS)].any()


def _victimisation(hist: pd.DataFrame, first_offence: pd.Series) -> tuple[pd.Series, pd.Series]:
    vict = hist[hist.role == "victims"].groupby("person_key")["offence_date"].min()
    ever = first_offence.index.to_series().map(lambda k: k in vict.index)
    before = first_offence.index.to_series().map(lambda k: k in vict.index and vict[k] < first_offence[k])
    return ever, before


def _repeat(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding], ibis.Table, ibis.Table]:
    prof = ctx.profile
    label = prof.label
    inv = ctx.involvements("suspects", prof)
    per = inv.group_by("person").aggregate(k=inv.offence_ref.nunique())
    rep = per.filter(per.k >= REPEAT)
    offs = inv.semi_join(rep, "person").select("offence_ref", "age_group").distinct()
    oc = ctx.fetch(offs.group_by("age_group").aggregate(n=offs.count()))
    first = ctx.first_per_person(inv).join(per, "person")
    pc = ctx.fetch(
        first.group_by("person_age_group").aggregate(
            reps=(first.k >= REPEAT).cast("int64").sum(), freq=(first.k >= FREQUENT).cast("int64").sum()
        )
    )
    totals = period_counts(ctx, prof)
    by_off = dict(zip(oc["age_group"], oc["n"].astype(int), strict=True))
    groups = ["all", ctx.under_label, ctx.over_label]
    nums = [sum(by_off.values()), by_off.get(ctx.under_label, 0), by_off.get(ctx.over_label, 0)]
    dens = [totals["all"], totals[ctx.under_label], totals[ctx.over_label]]
    bd = ["all", "age_group", "age_group"]
    share = share_rows(ctx, SECTION, "repeat_offender_offence_share", label, bd, groups, nums, dens)
    reps = dict(zip(pc["person_age_group"], pc["reps"].fillna(0).astype(int), strict=True))
    n_rep = [sum(reps.values()), reps.get(ctx.under_label, 0), reps.get(ctx.over_label, 0)]
    n_freq = int(pc["freq"].fillna(0).sum())
    rows = [
        share,
        count_rows(ctx, SECTION, "repeat_offenders", label, bd, groups, n_rep),
        count_rows(ctx, SECTION, "frequent_perpetrators", label, "all", "all", n_freq),
    ]
    findings = []
    if dens[0]:
        findings.append(
            Finding(
                SECTION,
                "repeat_offender_share",
                f"Repeat offenders contributed to {share.loc[0, 'value']:.0f}% of serious violence in {label} "
                f"and {share.loc[1, 'value']:.0f}% of serious violence by under {ctx.under}s.",
                {
                    "value": _f(share.loc[0, "value"]),
                    "lower": _f(share.loc[0, "lower"]),
                    "upper": _f(share.loc[0, "upper"]),
                    "under25_value": _f(share.loc[1, "value"]),
                    "under25_lower": _f(share.loc[1, "lower"]),
                    "under25_upper": _f(share.loc[1, "upper"]),
                    "repeat_offenders": n_rep[0],
                },
                period=label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("repeat_offender_offence_share", "repeat_offenders"),
                headline=True,
            )
        )
    freq = per.filter((per.k >= FREQUENT) & per.person.notnull())
    return rows, findings, freq, first


def _frequent(ctx: AnalysisContext, freq: ibis.Table, first: ibis.Table) -> tuple[list[pd.DataFrame], list[Finding]]:
    label = ctx.profile.label
    keys = freq.select(person_key="person")
    cohort = ctx.fetch(
        first.semi_join(freq, "person").select("person", "k", "sex", "home_npa", "person_age_group", "age")
    )
    n = len(cohort)
    if n == 0:
        return [], []
    hist = person_history(ctx, keys)
    sus = hist[hist.role == "suspects"].sort_values(["person_key", "committed_from", "offence_ref"])
    firsts = sus.groupby("person_key").head(1).set_index("person_key")
    flags = _flags(hist).reindex(cohort["person"]).fillna(False)
    ever, before = _victimisation(hist, firsts["offence_date"].reindex(cohort["person"]))
    rows, nums = _cohort_shares(ctx, "frequent_perpetrator_share", label, cohort, flags, ever, before)
    ft = firsts["sub"].reindex(cohort["person"]).fillna("Unknown")
    types = ft.value_counts()
    tnames = sorted(types.index, key=lambda t: (-int(types[t]), t))
    rows.append(
        share_rows(
            ctx,
            SECTION,
            "frequent_perpetrator_share",
            label,
            "first_offence",
            tnames,
            [int(types[t]) for t in tnames],
            n,
        )
    )
    age_first = firsts["age"].reindex(cohort["person"]).tolist()
    latest = sus[sus["offence_date"] <= ctx.profile.end].groupby("person_key")["age"].last()
    rows.append(
        mean_rows(
            ctx,
            SECTION,
            "frequent_perpetrator_mean",
            label,
            "measure",
            ["age_at_first_offence", "age_at_latest_offence", "offences_in_window"],
            [age_first, latest.reindex(cohort["person"]).tolist(), cohort["k"].tolist()],
        )
    )
    mean_first = rows[-1].loc[0, "value"]
    nums.update(
        {
            "persons": n,
            "mean_age_first_offence": _f(mean_first),
            "most_common_first_offence": tnames[0] if tnames else None,
        }
    )
    findings = [
        Finding(
            SECTION,
            "frequent_perpetrators",
            f"{n} people were suspected of {FREQUENT} or more offences; {nums['male_share']:.0f}% were male.",
            nums,
            period=label,
            area=ctx.area_label,
            definition=ctx.definition,
            indicators=("frequent_perpetrator_share", "frequent_perpetrator_mean"),
            public=n >= MIN_PUBLIC,
        )
    ]
    return rows, findings


def _cohort_shares(ctx, indicator, label, cohort, flags, ever, before, extra_victim=None):
    n = len(cohort)
    rows = []
    npa = cohort["home_npa"].dropna().value_counts()
    npas = sorted(npa.index, key=lambda t: (-int(npa[t]), t))
    npa_rows = share_rows(ctx, SECTION, indicator, label, "home_npa", npas, [int(npa[t]) for t in npas], n)
    rows.append(npa_rows)
    sexes = cohort["sex"].map(sex_label).value_counts()
    rows.append(
        share_rows(
            ctx,
            SECTION,
            indicator,
            label,
            "sex",
            ["Male", "Female"],
            [int(sexes.get("Male", 0)), int(sexes.get("Female", 0))],
            n,
        )
    )
    ag = cohort["person_age_group"].value_counts()
    rows.append(
        share_rows(
            ctx,
            SECTION,
            indicator,
            label,
            "age_group",
            [ctx.under_label, ctx.over_label],
            [int(ag.get(ctx.under_label, 0)), int(ag.get(ctx.over_label, 0))],
            n,
        )
    )
    rows.append(
        share_rows(ctx, SECTION, indicator, label, "flag", list(FLAGS), [int(flags[f].sum()) for f in FLAGS], n)
    )
    vict = ["ever", "before_first_offence"]
    vcounts = [int(ever.sum()), int(before.sum())]
    rows.append(share_rows(ctx, SECTION, indicator, label, "victimisation", vict, vcounts, n))
    top = top_items(npas, list(npa_rows.value), 2)
    nums = {
        "top_npa": top[0]["name"] if top else None,
        "top_npa_share": top[0]["share"] if top else None,
        "second_npa": top[1]["name"] if len(top) > 1 else None,
        "second_npa_share": top[1]["share"] if len(top) > 1 else None,
        "male_share": 100.0 * int(sexes.get("Male", 0)) / n,
        "under25_share": 100.0 * int(ag.get(ctx.under_label, 0)) / n,
        "knife_carrier_share": 100.0 * int(flags["knife_carrier"].sum()) / n,
        "mental_health_share": 100.0 * int(flags["mental_health"].sum()) / n,
        "drugs_share": 100.0 * int(flags["drugs"].sum()) / n,
        "victim_ever_share": 100.0 * vcounts[0] / n,
        "victim_before_first_share": 100.0 * vcounts[1] / n,
    }
    return rows, nums


def _mam(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    import ibis

    prof = ctx.profile
    end = prof.end
    try:
        start = dt.date(end.year - MAM_YEARS, end.month, end.day) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        start = dt.date(end.year - MAM_YEARS, 3, 1)
    label = f"{start:%b %Y} - {end:%b %Y}"
    o = ctx.table("offences")
    o = o.filter(
        o.ho_code.isin(list(MAM_CODES)) & (o.offence_date >= ibis.date(start)) & (o.offence_date <= ibis.date(end))
    )
    s = ctx.table("suspects")
    m = s.filter((s.age < ctx.under) & s.person_key.notnull()).join(
        o.select("offence_ref", "offence_date", "committed_from"), "offence_ref"
    )
    mam = ctx.fetch(m.select("person_key", "offence_ref", "offence_date", "committed_from", "age", "sex", "home_npa"))
    rows = [count_rows(ctx, SECTION, "mam_cohort", label, "all", "all", mam["person_key"].nunique())]
    if mam.empty:
        return rows, []
    import pandas as pd

    mam["offence_date"] = pd.to_datetime(mam["offence_date"]).dt.date
    mam = mam.sort_values(["person_key", "committed_from", "offence_ref"]).groupby("person_key").head(1)
    mam = mam.rename(columns={"person_key": "person"}).reset_index(drop=True)
    n = len(mam)
    hist = person_history(ctx, m.select("person_key").distinct())
    sus = hist[hist.role == "suspects"].sort_values(["person_key", "committed_from", "offence_ref"])
    firsts = sus.groupby("person_key").head(1).set_index("person_key")
    flags = _flags(hist).reindex(mam["person"]).fillna(False)
    first_date = firsts["offence_date"].reindex(mam["person"])
    ever, _before = _victimisation(hist, first_date)
    mam["person_age_group"] = ctx.under_label
    share_r, nums = _cohort_shares(ctx, "mam_cohort_share", label, mam, flags, ever, _before)
    share_r = [r for r in share_r if r.breakdown.iloc[0] != "age_group"]
    for r in share_r:
        if r.breakdown.iloc[0] == "victimisation":
            keep = r.breakdown_value == "ever"
            r.drop(index=r.index[~keep], inplace=True)
    da = share_rows(
        ctx,
        SECTION,
        "mam_cohort_share",
        label,
        "victimisation",
        "domestic_abuse",
        int(flags["domestic_abuse"].sum()),
        n,
    )
    rows += [*share_r, da]
    years, before_n = [], []
    for _, r in mam.iterrows():
        f = first_date.get(r.person)
        years.append((r.offence_date - f).days / 365.25 if f is not None and not pd.isna(f) else None)
        ps = sus[sus.person_key == r.person]
        before_n.append(int(ps.loc[ps.offence_date < r.offence_date, "offence_ref"].nunique()))
    rows.append(
        mean_rows(
            ctx,
            SECTION,
            "mam_cohort_mean",
            label,
            "measure",
            ["age_at_mam", "age_at_first_offence", "years_first_offence_to_mam", "offences_before_mam"],
            [mam["age"].tolist(), firsts["age"].reindex(mam["person"]).tolist(), years, before_n],
        )
    )
    means = rows[-1]["value"].tolist()
    nums = {
        "persons": n,
        "top_npa": nums["top_npa"],
        "top_npa_share": nums["top_npa_share"],
        "mean_age_at_mam": _f(means[0]),
        "mean_age_first_offence": _f(means[1]),
        "mean_years_to_mam": _f(means[2]),
        "mean_offences_before_mam": _f(means[3]),
        "male_share": nums["male_share"],
        "mental_health_share": nums["mental_health_share"],
        "victim_ever_share": nums["victim_ever_share"],
        "domestic_abuse_share": 100.0 * int(flags["domestic_abuse"].sum()) / n,
    }
    f = Finding(
        SECTION,
        "mam_cohort",
        f"{n} people under {ctx.under} were suspected of murder or attempted murder in {label}.",
        nums,
        period=label,
        area=ctx.area_label,
        definition=ctx.definition,
        indicators=("mam_cohort", "mam_cohort_share", "mam_cohort_mean"),
        public=n >= MIN_PUBLIC,
    )
    return rows, [f]


def _overlap(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    prof = ctx.profile
    label = prof.label
    rows: list[pd.DataFrame] = []
    out: dict[str, Any] = {}
    for role, other, name in (
        ("suspects", "victims", "victim_offender_overlap"),
        ("victims", "suspects", "offender_victim_overlap"),
    ):
        first = ctx.first_per_person(ctx.involvements(role, prof))
        others = ctx.table(other).select("person_key").filter(lambda t: t.person_key.notnull())
        first = first.mutate(both=first.person_key.isin(others.person_key).fill_null(False))
        df = ctx.fetch(first.group_by("person_age_group").aggregate(n=first.count(), b=first.both.cast("int64").sum()))
        by_n = dict(zip(df["person_age_group"], df["n"].astype(int), strict=True))
        by_b = dict(zip(df["person_age_group"], df["b"].fillna(0).astype(int), strict=True))
        if name == "victim_offender_overlap":
            groups = ["all", ctx.under_label, ctx.over_label]
            nums = [sum(by_b.values()), by_b.get(ctx.under_label, 0), by_b.get(ctx.over_label, 0)]
            dens = [sum(by_n.values()), by_n.get(ctx.under_label, 0), by_n.get(ctx.over_label, 0)]
            r = share_rows(ctx, SECTION, name, label, ["all", "age_group", "age_group"], groups, nums, dens)
        else:
            r = share_rows(ctx, SECTION, name, label, "all", "all", sum(by_b.values()), sum(by_n.values()))
        rows.append(r)
        out[name] = r
    v = out["victim_offender_overlap"]
    if v.loc[0, "denominator"] > 0:
        f = Finding(
            SECTION,
            "victim_offender_overlap",
            f"{v.loc[0, 'value']:.1f}% of perpetrators had also been a victim.",
            {
                "value": _f(v.loc[0, "value"]),
                "lower": _f(v.loc[0, "lower"]),
                "upper": _f(v.loc[0, "upper"]),
                "persons": int(v.loc[0, "numerator"]),
                "reverse_value": _f(out["offender_victim_overlap"].loc[0, "value"]),
            },
            period=label,
            area=ctx.area_label,
            definition=ctx.definition,
            indicators=("victim_offender_overlap", "offender_victim_overlap"),
        )
        return rows, [f]
    return rows, []


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the cohort analyses for one definition (needs the ``suspects`` table)."""
    rows, findings, freq, first = _repeat(ctx)
    r2, f2 = _frequent(ctx, freq, first)
    r3, f3 = _mam(ctx)
    r4, f4 = _overlap(ctx) if ctx.has("victims") else ([], [])
    return SectionResult(SECTION, concat_indicators([*rows, *r2, *r3, *r4]), [*findings, *f2, *f3, *f4])
