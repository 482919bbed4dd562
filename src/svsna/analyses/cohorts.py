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
  prior victimisation and domestic-abuse flag. It does not depend on the definition, so it
  is computed once per run.
* **Victim-offender overlap**: the share of the profile period's perpetrators who were a
  victim of any offence dated **before** their first offence in the period (and, separately,
  at any date), and the share of victims who were ever a suspect.

Whether a perpetrator had been a victim is known only through a person key shared by the
``victims`` and ``suspects`` tables. When **no** key appears in both (e.g. the partners' victim
IDs ``V...`` and suspect IDs ``S...`` come from separate systems) a 0 % would be an artefact of
the identifiers, not a finding: the overlap and the cohorts' "had been a victim" shares are then
withheld, with a ``no_shared_person_keys`` warning. The M/AM look-back never claims a period
before the first offence in the warehouse: its label starts at the data, with a
``mam_lookback_clipped`` warning.

Each person's history is summarised in the engine with window functions and grouped
aggregates (first record by date, any flag, earliest victimisation, offences before a
date); only one row per cohort member comes back. Every profile finding carries its group
size ``n`` so a public edition can withhold profiles of small groups.

Examples
--------
>>> SECTION, REPEAT, FREQUENT, MAM_CODES
('cohorts', 2, 3, ('1', '2'))
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from typing import TYPE_CHECKING

from svsna.analyses._base import POLICE_REQUIRES, sex_label
from svsna.analyses._figures import (
    count_rows,
    finding,
    fmt,
    mean_rows,
    numbers_from,
    plain,
    share_rows,
    top_items,
)
from svsna.analyses.extent import period_counts
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.analyses._base import AnalysisContext
    from svsna.config import Period

__all__ = [
    "FLAGS",
    "FREQUENT",
    "MAM_CODES",
    "MAM_YEARS",
    "REPEAT",
    "REQUIRES",
    "SECTION",
    "data_start",
    "people_linked",
    "person_summary",
    "run",
]

REQUIRES = (*POLICE_REQUIRES, "suspects")
SECTION = "cohorts"
REPEAT = 2
FREQUENT = 3
MAM_CODES: tuple[str, ...] = ("1", "2")
MAM_YEARS = 5
MIN_PUBLIC = 10
FLAGS: tuple[str, ...] = ("knife_carrier", "mental_health", "drugs", "domestic_abuse")


def _records(ctx: AnalysisContext, role: str, persons: ibis.Table) -> ibis.Table:
    """Every ``role`` record of the persons in ``persons`` (column ``person_key``) with its offence's
    date, time and type."""
    o = ctx.table("offences")
    o = o.select("offence_ref", "offence_date", "committed_from", sub=o.sub_offence.fill_null(o.ho_description))
    p = ctx.table(role)
    flags = [f"{f}_flag" for f in FLAGS if f"{f}_flag" in p.columns]
    p = p.select("offence_ref", "person_key", "age", *flags).semi_join(persons, "person_key")
    return p.join(o, "offence_ref")


def person_summary(
    ctx: AnalysisContext, persons: ibis.Table, until: dt.date | None = None, before: str | None = None
) -> pd.DataFrame:
    """One row per person of ``persons`` (a table with ``person_key``) summarising their history in
    the warehouse, computed in the engine:

    ``first_date, first_age, first_sub`` (earliest suspect record by time, then reference),
    ``latest_age`` (latest suspect record up to ``until``), ``<flag>`` (true on any victim or
    suspect record) and ``first_victim_date`` (earliest victimisation, null if never). With
    ``before`` (a date column of ``persons``, one row per person), ``persons``' other columns are
    carried along and ``offences_before`` counts the person's suspect offences dated before it.
    """
    import ibis

    # suspect records: the first (by time, then reference) and the latest up to ``until`` are each
    # marked by a row number over the same partition, then every summary of a person's suspect
    # records is one grouped aggregate; victim records are another; no union of the two
    sus = _records(ctx, "suspects", persons)
    first_w = ibis.window(group_by=sus.person_key, order_by=[sus.committed_from, sus.offence_ref])
    sus = sus.mutate(_first=ibis.row_number().over(first_w) == 0)
    latest = {}
    if until is not None:  # the latest record up to ``until``: first in descending order, in-range rows first
        in_range = (sus.offence_date <= ibis.date(until)).fill_null(False)
        order = [in_range.desc(), sus.committed_from.desc(), sus.offence_ref.desc()]
        sus = sus.mutate(_late=(ibis.row_number().over(group_by=sus.person_key, order_by=order) == 0) & in_range)
        latest["latest_age"] = sus.age.max(where=sus._late)
    if before is not None:
        sus = sus.join(persons.select("person_key", _before=persons[before]), "person_key")
        latest["offences_before"] = sus.offence_ref.nunique(where=(sus.offence_date < sus._before).fill_null(False))
    flag_cols = [f"{f}_flag" for f in FLAGS]

    def any_flags(t: ibis.Table, prefix: str) -> dict[str, ibis.Value]:
        return {
            f"{prefix}{f}": t[c].fill_null(False).any() for f, c in zip(FLAGS, flag_cols, strict=True) if c in t.columns
        }

    per_sus = sus.group_by("person_key").aggregate(
        first_date=sus.offence_date.max(where=sus._first),
        first_age=sus.age.max(where=sus._first),
        first_sub=sus.sub.max(where=sus._first),
        **latest,
        **any_flags(sus, "_s_"),
    )
    out = persons if before is not None else persons.select("person_key").distinct()
    out = out.left_join(per_sus, "person_key").drop("person_key_right")
    sources = ["_s_"]
    if ctx.has("victims"):
        vic = _records(ctx, "victims", persons)
        per_vic = vic.group_by("person_key").aggregate(
            first_victim_date=vic.offence_date.min(), **any_flags(vic, "_v_")
        )
        out = out.left_join(per_vic, "person_key").drop("person_key_right")
        sources.append("_v_")
    flags = {}
    for f in FLAGS:
        parts = [out[p + f].fill_null(False) for p in sources if p + f in out.columns]
        flags[f] = ibis.literal(False) if not parts else functools.reduce(operator.or_, parts)
    out = out.mutate(**flags).drop(*[c for c in out.columns if c.startswith(("_s_", "_v_"))])
    df = ctx.fetch(out)
    import pandas as pd

    for c in ("first_date", "first_victim_date", before):
        if c in df.columns:
            df[c] = pd.to_datetime(df[c]).dt.date
    if "first_victim_date" not in df.columns:
        df["first_victim_date"] = None
    for f in FLAGS:
        df[f] = df[f].fillna(False).astype(bool)
    return df.set_index("person_key")


def _offences_per_suspect(ctx: AnalysisContext) -> ibis.Table:
    """Per person of the profile period's suspect involvements, ``_k0`` ...: the number of offences
    of each definition of the run the person is a suspect in."""
    every = ctx.involvements_all("suspects", ctx.profile)
    ks = {f"_k{i}": every.offence_ref.nunique(where=every[f]) for i, f in enumerate(ctx.definition_flags)}
    return every.group_by("person").aggregate(**ks)


def _suspect_offences(ctx: AnalysisContext) -> ibis.Table:
    """The profile period's suspect involvements of every definition of the run, each with
    ``_k0`` ... (:func:`_offences_per_suspect`)."""
    return ctx.involvements_all("suspects", ctx.profile).join(_offences_per_suspect(ctx), "person")


def _repeat_counts(ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """This definition's offences with a repeat suspect by offence age group (``age_group, n``), its
    persons by age group with their repeat and frequent numbers (``person_age_group, reps, freq``)
    and its frequent perpetrators' first involvements (``person, k, sex, home_npa,
    person_age_group, age``): three queries per run, each for every definition of the run."""
    key = ("repeat_counts", ctx.run_definitions, ctx.profile)
    n = len(ctx.definition_flags)
    rs, fs = [f"_r{i}" for i in range(n)], [f"_f{i}" for i in range(n)]
    firsts = ["_first" + f[3:] for f in ctx.definition_flags]
    if key not in ctx.run.cache:
        j = _suspect_offences(ctx)
        ks = [j[f"_k{i}"] for i in range(n)]
        # offences with a suspect who is a repeat offender in the definition
        offs = j.group_by("offence_ref", "age_group").aggregate(
            **{r: (j[f] & (k >= REPEAT)).any() for r, f, k in zip(rs, ctx.definition_flags, ks, strict=True)}
        )
        oc = ctx.fetch(offs.group_by("age_group", *rs).aggregate(n=offs.count()))
        # each person once (first involvement in the definition), repeat and frequent or not
        first = j.filter(functools.reduce(operator.or_, [j[f] for f in firsts]))
        pc = ctx.fetch(
            first.group_by(
                "person_age_group",
                *firsts,
                **{r: k >= REPEAT for r, k in zip(rs, ks, strict=True)},
                **{f: k >= FREQUENT for f, k in zip(fs, ks, strict=True)},
            ).aggregate(n=first.count())
        )
        frequent = functools.reduce(operator.or_, [j[f] & (k >= FREQUENT) for f, k in zip(firsts, ks, strict=True)])
        cohort = ctx.fetch(
            j.filter(frequent).select("person", "sex", "home_npa", "person_age_group", "age", *firsts, *ks)
        )
        ctx.run.cache[key] = (oc, pc, cohort)
    oc, pc, cohort = ctx.run.cache[key]
    i = ctx.run_definitions.index(ctx.definition)
    r, f, fi, k = rs[i], fs[i], firsts[i], f"_k{i}"
    mine = oc[oc[r].astype(bool)].groupby("age_group", as_index=False)["n"].sum()
    p = pc[pc[fi].astype(bool)]
    p = p.assign(reps=p["n"].where(p[r].astype(bool), 0), freq=p["n"].where(p[f].astype(bool), 0))
    p = p.groupby("person_age_group", as_index=False)[["reps", "freq"]].sum()
    c = cohort[cohort[fi].astype(bool) & (cohort[k] >= FREQUENT)]
    c = c.assign(k=c[k]).sort_values("person")[["person", "k", "sex", "home_npa", "person_age_group", "age"]]
    return mine, p, c.reset_index(drop=True)


def _repeat(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding], pd.DataFrame]:
    prof = ctx.profile
    label = prof.label
    oc, pc, cohort = _repeat_counts(ctx)
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
        count_rows(ctx, SECTION, "repeat_offenders", label, bd, groups, n_rep, unit="people"),
        count_rows(ctx, SECTION, "frequent_perpetrators", label, "all", "all", n_freq, unit="people"),
    ]
    findings = []
    if dens[0]:
        u = share.iloc[1]
        findings.append(
            finding(
                ctx,
                SECTION,
                "repeat_offender_share",
                f"Repeat offenders were suspects in {fmt(share.loc[0, 'value'], 0)} % of offences in {label} and "
                f"{fmt(u.value, 0)} % of offences by under {ctx.under}s.",
                numbers_from(
                    share.iloc[0],
                    under25_value=plain(u.value),
                    under25_lower=plain(u.lower),
                    under25_upper=plain(u.upper),
                    under25_n=int(u.numerator),
                    under25_denominator=int(u.denominator),
                    repeat_offenders=n_rep[0],
                    min_offences=REPEAT,
                ),
                period=label,
                indicators=("repeat_offender_offence_share", "repeat_offenders"),
                headline=True,
            )
        )
    return rows, findings, cohort


def _cohort_shares(
    ctx, indicator, label, cohort: pd.DataFrame, summary: pd.DataFrame, age_groups: bool = True, linked: bool = True
):
    """Shares of a cohort (one row per person: ``person, sex, home_npa, person_age_group``) by home
    NPA, sex, age group, flag and victimisation, and the matching finding numbers. Without ``linked``
    (no person key shared by victims and suspects: :func:`people_linked`) victimisation is not known:
    no victimisation rows, and the victim shares are None."""
    n = len(cohort)
    s = summary.reindex(cohort["person"])
    rows = []
    npa = cohort["home_npa"].dropna().value_counts()
    npas = sorted(npa.index, key=lambda t: (-int(npa[t]), t))
    npa_rows = share_rows(ctx, SECTION, indicator, label, "home_npa", npas, [int(npa[t]) for t in npas], n)
    rows.append(npa_rows)
    sexes = cohort["sex"].map(sex_label).value_counts()
    sex_rows = share_rows(
        ctx,
        SECTION,
        indicator,
        label,
        "sex",
        ["Male", "Female"],
        [int(sexes.get("Male", 0)), int(sexes.get("Female", 0))],
        n,
    )
    rows.append(sex_rows)
    ag = cohort["person_age_group"].value_counts()
    if age_groups:
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
    flag_counts = [int(s[f].fillna(False).astype(bool).sum()) for f in FLAGS]
    flag_rows = share_rows(ctx, SECTION, indicator, label, "flag", list(FLAGS), flag_counts, n)
    rows.append(flag_rows)
    ever = s["first_victim_date"].notna()
    before = [
        bool(v is not None and f is not None and v == v and f == f and v < f)
        for v, f in zip(s["first_victim_date"], s["first_date"], strict=True)
    ]
    vcounts = [int(ever.sum()), int(sum(before))]
    if linked:
        vict_rows = share_rows(
            ctx, SECTION, indicator, label, "victimisation", ["ever", "before_first_offence"], vcounts, n
        )
        rows.append(vict_rows)
    top = top_items(npas, list(npa_rows.value), 2)
    shares = {f"{f}_share": plain(100.0 * c / n) for f, c in zip(FLAGS, flag_counts, strict=True)}
    nums = {
        "persons": n,
        "n": n,
        "top_npa": top[0]["name"] if top else None,
        "top_npa_share": top[0]["share"] if top else None,
        "second_npa": top[1]["name"] if len(top) > 1 else None,
        "second_npa_share": top[1]["share"] if len(top) > 1 else None,
        "male_share": plain(100.0 * int(sexes.get("Male", 0)) / n),
        "under25_share": plain(100.0 * int(ag.get(ctx.under_label, 0)) / n),
        "knife_carrier_share": shares["knife_carrier_share"],
        "mental_health_share": shares["mental_health_share"],
        "drugs_share": shares["drugs_share"],
        "domestic_abuse_share": shares["domestic_abuse_share"],
        "victim_ever_share": plain(100.0 * vcounts[0] / n) if linked else None,
        "victim_before_first_share": plain(100.0 * vcounts[1] / n) if linked else None,
    }
    return rows, nums


#: Columns of :func:`_histories` that only the M/AM cohort's people have (their first M/AM record).
MAM_COLUMNS: tuple[str, ...] = ("mam_date", "age", "sex", "home_npa", "offences_before")


def _histories(ctx: AnalysisContext) -> pd.DataFrame:
    """:func:`person_summary` (latest age up to the end of the profile period) of every person a cohort
    of the run looks at: the frequent perpetrators of **every** definition and the M/AM cohort, in
    one query per run (a person's history depends on neither the definition nor the cohort); each
    cohort reads its own people's rows. The M/AM cohort's people carry their first M/AM record and
    the offences they were suspected of before it (:data:`MAM_COLUMNS`, null for everyone else)."""
    import ibis

    key = ("cohort_histories", ctx.run_definitions, ctx.profile, ctx.under)
    if key not in ctx.run.cache:
        per = _offences_per_suspect(ctx)
        frequent = functools.reduce(operator.or_, [per[f"_k{i}"] >= FREQUENT for i in range(len(ctx.definition_flags))])
        persons = per.filter(frequent & per.person.notnull()).select(person_key="person")
        firsts = _mam_firsts(ctx)
        persons = ibis.union(persons, firsts.select("person_key"), distinct=True)
        persons = persons.left_join(firsts, "person_key").drop("person_key_right")
        ctx.run.cache[key] = person_summary(ctx, persons, until=ctx.profile.end, before="mam_date")
    return ctx.run.cache[key]


def _frequent(
    ctx: AnalysisContext, cohort: pd.DataFrame, linked: bool = True
) -> tuple[list[pd.DataFrame], list[Finding]]:
    label = ctx.profile.label
    n = len(cohort)
    if n == 0:
        return [], []
    summary = _histories(ctx).drop(columns=list(MAM_COLUMNS))
    rows, nums = _cohort_shares(ctx, "frequent_perpetrator_share", label, cohort, summary, linked=linked)
    s = summary.reindex(cohort["person"])
    ft = s["first_sub"].fillna("Unknown")
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
    means = mean_rows(
        ctx,
        SECTION,
        "frequent_perpetrator_mean",
        label,
        "measure",
        ["age_at_first_offence", "age_at_latest_offence", "offences_in_window"],
        [s["first_age"].tolist(), s["latest_age"].tolist(), cohort["k"].tolist()],
        unit=["years", "years", "offences"],
    )
    rows.append(means)
    nums.update(
        {
            "mean_age_first_offence": plain(means.loc[0, "value"]),
            "mean_age_latest_offence": plain(means.loc[1, "value"]),
            "mean_offences_in_window": plain(means.loc[2, "value"]),
            "most_common_first_offence": tnames[0] if tnames else None,
            "most_common_first_offence_share": plain(100.0 * int(types[tnames[0]]) / n) if tnames else None,
            "min_offences": FREQUENT,
        }
    )
    male = rows[1].iloc[0]
    findings = [
        finding(
            ctx,
            SECTION,
            "frequent_perpetrators",
            f"{n} people were suspected of {FREQUENT} or more offences; {fmt(nums['male_share'], 0)} % were male.",
            numbers_from(male, **nums),
            period=label,
            indicators=("frequent_perpetrator_share", "frequent_perpetrator_mean"),
            public=n >= MIN_PUBLIC,
        )
    ]
    return rows, findings


def _mam_window(ctx: AnalysisContext) -> tuple[dt.date, dt.date, str]:
    """The M/AM look-back: the :data:`MAM_YEARS` years to the end of the profile period, and its label,
    which starts no earlier than the data (:func:`data_start`)."""
    end = ctx.profile.end
    try:
        start = dt.date(end.year - MAM_YEARS, end.month, end.day) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        start = dt.date(end.year - MAM_YEARS, 3, 1)
    first = data_start(ctx)
    shown = first if first is not None and start < first <= end else start
    return start, end, f"{shown:%b %Y} - {end:%b %Y}"


def data_start(ctx: AnalysisContext) -> dt.date | None:
    """The date of the first offence in the warehouse (any definition; None when there is none): no
    history before it is known (one query per run)."""
    key = ("offences_data_start",)
    if key not in ctx.run.cache:
        import pandas as pd

        o = ctx.table("offences")
        first = ctx.fetch(o.aggregate(first=o.offence_date.min()))["first"].iloc[0]
        ctx.run.cache[key] = None if pd.isna(first) else pd.Timestamp(first).date()
    return ctx.run.cache[key]


def people_linked(ctx: AnalysisContext) -> bool:
    """Whether any person key appears in both the ``victims`` and the ``suspects`` tables (one query per
    run). When none does, whether a perpetrator had been a victim cannot be told (the partners may
    identify people differently): a ``no_shared_person_keys`` warning is recorded and False returned."""
    import ibis

    key = ("people_linked",)
    if key not in ctx.run.cache:
        if not (ctx.has("victims") and ctx.has("suspects")):
            ctx.run.cache[key] = False
            return False
        vk = ctx.table("victims").filter(lambda t: t.person_key.notnull()).select("person_key").distinct()
        sk = ctx.table("suspects").filter(lambda t: t.person_key.notnull()).select("person_key").distinct()
        both = sk.semi_join(vk, "person_key")
        parts = [t.aggregate(n=t.count().cast("int64")).mutate(w=ibis.literal(w)) for t, w in
                 ((vk, "victims"), (sk, "suspects"), (both, "shared"))]  # fmt: skip
        got = ctx.fetch(ibis.union(*parts, distinct=False)).set_index("w")["n"].astype(int).to_dict()
        nv, ns, shared = got.get("victims", 0), got.get("suspects", 0), got.get("shared", 0)
        ctx.run.cache[key] = shared > 0
        if not shared:
            ctx.run.warn(
                "",
                SECTION,
                "no_shared_person_keys",
                f"no person identifier appears in both the victims ({nv:,} people) and the suspects ({ns:,} "
                "people), as when partners identify people differently (e.g. victim and suspect IDs from separate "
                "systems): whether perpetrators had been victims cannot be told, so the victim-offender overlap "
                "and the cohorts' shares who had been a victim are withheld; hint: give a person the same "
                "person_id in the victims and suspects extracts",
                victim_keys=nv,
                suspect_keys=ns,
                shared_keys=shared,
            )
    return ctx.run.cache[key]


def _mam_firsts(ctx: AnalysisContext) -> ibis.Table:
    """Each person under the focus age suspected of M/AM in the window: their first M/AM record
    (``person_key, mam_date, age, sex, home_npa``)."""
    import ibis

    start, end, _label = _mam_window(ctx)
    o = ctx.table("offences")
    o = o.filter(
        o.ho_code.isin(list(MAM_CODES)) & (o.offence_date >= ibis.date(start)) & (o.offence_date <= ibis.date(end))
    )
    s = ctx.table("suspects")
    m = s.filter((s.age < ctx.under) & s.person_key.notnull()).join(
        o.select("offence_ref", "offence_date", "committed_from"), "offence_ref"
    )
    w = ibis.window(group_by=m.person_key, order_by=[m.committed_from, m.offence_ref])
    return (
        m.mutate(_rn=ibis.row_number().over(w))
        .filter(lambda t: t._rn == 0)
        .select("person_key", mam_date="offence_date", age="age", sex="sex", home_npa="home_npa")
    )


def _mam_people(ctx: AnalysisContext) -> pd.DataFrame:
    """One row per person under the focus age suspected of M/AM in the window (definition-independent,
    computed once per run): their first M/AM record and a summary of their history."""
    key = ("mam_people", ctx.profile, ctx.under)
    if key in ctx.run.cache:
        return ctx.run.cache[key]
    # the people and their first M/AM record come with their histories (one query per run)
    h = _histories(ctx)
    h = h[h["mam_date"].notna()]
    df = h[list(MAM_COLUMNS)].reset_index().fillna({"offences_before": 0})
    df = df.astype({"age": "int64", "offences_before": "int64"})
    if len(df):
        df = df.join(h.drop(columns=["latest_age", *MAM_COLUMNS]), on="person_key")
    df = df.rename(columns={"person_key": "person"}).sort_values("person").reset_index(drop=True)
    ctx.run.cache[key] = df
    return df


def _mam(ctx: AnalysisContext, linked: bool = True) -> tuple[list[pd.DataFrame], list[Finding]]:
    start, end, label = _mam_window(ctx)
    first = data_start(ctx)
    if first is not None and start < first <= end:
        ctx.run.warn(
            "",
            SECTION,
            "mam_lookback_clipped",
            f"the murder and attempted murder cohort looks back {MAM_YEARS} years, to {start:%b %Y}, but the "
            f"offences start on {first.day} {first:%b %Y}: the cohort covers {label}, and histories before "
            f"{first.day} {first:%b %Y} (earlier offences, age at first offence) are not known; hint: supply offences, "
            f"victims and suspects from {start.day} {start:%b %Y} for the full look-back",
            window_start=start.isoformat(),
            data_start=first.isoformat(),
            period=label,
        )
    mam = _mam_people(ctx)
    n = len(mam)
    rows = [count_rows(ctx, SECTION, "mam_cohort", label, "all", "all", n, unit="people")]
    if mam.empty:
        return rows, []
    cohort = mam.assign(person_age_group=ctx.under_label)
    summary = mam.set_index("person")
    share_r, nums = _cohort_shares(ctx, "mam_cohort_share", label, cohort, summary, age_groups=False, linked=linked)
    kept = []
    for r in share_r:
        if r["breakdown"].iloc[0] == "victimisation":
            r = r[r.breakdown_value == "ever"]
        kept.append(r)
    da = share_rows(
        ctx, SECTION, "mam_cohort_share", label, "victimisation", "domestic_abuse", int(mam["domestic_abuse"].sum()), n
    )
    rows += [*kept, da]
    years = [
        (m - f).days / 365.25 if f is not None and f == f else None
        for m, f in zip(mam["mam_date"], mam["first_date"], strict=True)
    ]
    means = mean_rows(
        ctx,
        SECTION,
        "mam_cohort_mean",
        label,
        "measure",
        ["age_at_mam", "age_at_first_offence", "years_first_offence_to_mam", "offences_before_mam"],
        [mam["age"].tolist(), mam["first_age"].tolist(), years, mam["offences_before"].tolist()],
        unit=["years", "years", "years", "offences"],
    )
    rows.append(means)
    v = means["value"].tolist()
    out = {
        "persons": n,
        "n": n,
        "top_npa": nums["top_npa"],
        "top_npa_share": nums["top_npa_share"],
        "second_npa": nums["second_npa"],
        "second_npa_share": nums["second_npa_share"],
        "mean_age_at_mam": plain(v[0]),
        "mean_age_first_offence": plain(v[1]),
        "mean_years_to_mam": plain(v[2]),
        "mean_offences_before_mam": plain(v[3]),
        "male_share": nums["male_share"],
        "mental_health_share": nums["mental_health_share"],
        "drugs_share": nums["drugs_share"],
        "knife_carrier_share": nums["knife_carrier_share"],
        "victim_ever_share": nums["victim_ever_share"],
        "victim_before_first_share": nums["victim_before_first_share"],
        "domestic_abuse_share": plain(100.0 * int(mam["domestic_abuse"].sum()) / n),
        "under": ctx.under,
        "years": MAM_YEARS,
    }
    f = finding(
        ctx,
        SECTION,
        "mam_cohort",
        f"{n} people under {ctx.under} were suspected of murder or attempted murder in {label}.",
        numbers_from(rows[0].iloc[0], **out),
        period=label,
        indicators=("mam_cohort", "mam_cohort_share", "mam_cohort_mean"),
        public=n >= MIN_PUBLIC,
    )
    return rows, [f]


def _overlap_counts(ctx: AnalysisContext, period: Period) -> pd.DataFrame:
    """Each person's first involvement in ``period``, counted for every definition of the run in one
    query (``role, person_age_group, before, ever, both, n``; this definition's rows): suspects by
    whether they were the victim of an offence dated before it (``before``) or ever (``ever``),
    victims by whether they were ever a suspect (``both``)."""
    import ibis

    # perpetrators: victim of an offence dated before their first offence in the period (and ever)
    first = ctx.involvements_all("suspects", period)
    v = ctx.table("victims").filter(lambda t: t.person_key.notnull()).select("offence_ref", "person_key")
    o = ctx.table("offences").select("offence_ref", v_date="offence_date")
    vo = v.join(o, "offence_ref")
    vd = vo.group_by("person_key").aggregate(first_v=vo.v_date.min())
    j = first.left_join(vd, first.person_key == vd.person_key)
    firsts = ["_first" + f[3:] for f in ctx.definition_flags]
    j = j.select(
        *firsts,
        role=ibis.literal("suspects"),
        person_age_group=j.person_age_group,
        before=(j.first_v.notnull() & (j.first_v < j.offence_date)).fill_null(False),
        ever=j.first_v.notnull(),
        both=ibis.literal(False),
    )
    # victims who were ever a suspect
    vf = ctx.involvements_all("victims", period)
    sk = ctx.table("suspects").select("person_key").filter(lambda t: t.person_key.notnull())
    vf = vf.select(
        *firsts,
        role=ibis.literal("victims"),
        person_age_group=vf.person_age_group,
        before=ibis.literal(False),
        ever=ibis.literal(False),
        both=vf.person_key.isin(sk.person_key).fill_null(False),
    )
    t = ibis.union(j, vf, distinct=False)
    keys = ["role", "person_age_group", "before", "ever", "both"]
    return ctx.shared_counts(("overlap", period), t, keys, first=True)


def _overlap(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    prof = ctx.profile
    label = prof.label
    rows: list[pd.DataFrame] = []
    counts = _overlap_counts(ctx, prof)
    df = counts[counts["role"] == "suspects"]
    by_n = df.groupby("person_age_group")["n"].sum().astype(int).to_dict()
    by_b = df[df["before"].astype(bool)].groupby("person_age_group")["n"].sum().astype(int).to_dict()
    by_e = df[df["ever"].astype(bool)].groupby("person_age_group")["n"].sum().astype(int).to_dict()
    groups = ["all", ctx.under_label, ctx.over_label]
    dens = [sum(by_n.values()), by_n.get(ctx.under_label, 0), by_n.get(ctx.over_label, 0)]
    bd = ["all", "age_group", "age_group"]
    nums_b = [sum(by_b.values()), by_b.get(ctx.under_label, 0), by_b.get(ctx.over_label, 0)]
    nums_e = [sum(by_e.values()), by_e.get(ctx.under_label, 0), by_e.get(ctx.over_label, 0)]
    before = share_rows(ctx, SECTION, "victim_offender_overlap", label, bd, groups, nums_b, dens)
    ever = share_rows(ctx, SECTION, "victim_offender_overlap_ever", label, bd, groups, nums_e, dens)
    rows += [before, ever]
    d2 = counts[counts["role"] == "victims"]
    d2 = {"n": [int(d2["n"].sum())], "b": [int(d2.loc[d2["both"].astype(bool), "n"].sum())]}
    rev = share_rows(
        ctx,
        SECTION,
        "offender_victim_overlap",
        label,
        "all",
        "all",
        d2["b"][0],
        d2["n"][0],
    )
    rows.append(rev)
    if not dens[0]:
        return rows, []
    top = before.iloc[0]
    f = finding(
        ctx,
        SECTION,
        "victim_offender_overlap",
        f"{fmt(top.value)} % of perpetrators had been a victim of an offence before their first offence in "
        f"{label} ({fmt(ever.iloc[0].value)} % at any date).",
        numbers_from(
            top,
            persons=int(top.numerator),
            counts="victimisation before the person's first offence in the period",
            ever_value=plain(ever.iloc[0].value),
            ever_lower=plain(ever.iloc[0].lower),
            ever_upper=plain(ever.iloc[0].upper),
            ever_n=int(ever.iloc[0].numerator),
            under25_value=plain(before.iloc[1].value),
            under25_n=int(before.iloc[1].numerator),
            under25_denominator=int(before.iloc[1].denominator),
            reverse_value=plain(rev.iloc[0].value),
            reverse_n=int(rev.iloc[0].numerator),
            reverse_denominator=int(rev.iloc[0].denominator),
        ),
        period=label,
        indicators=("victim_offender_overlap", "victim_offender_overlap_ever", "offender_victim_overlap"),
    )
    return rows, [f]


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the cohort analyses for one definition (needs the ``suspects`` table)."""
    rows, findings, cohort = _repeat(ctx)
    linked = people_linked(ctx)  # False (with a warning) when no person key is in both victims and suspects
    r2, f2 = _frequent(ctx, cohort, linked)
    r3, f3 = _mam(ctx, linked)
    r4, f4 = _overlap(ctx) if linked else ([], [])
    return SectionResult(SECTION, concat_indicators([*rows, *r2, *r3, *r4]), [*findings, *f2, *f3, *f4])
