"""Perpetrators and victims: who is involved in serious violence, by age, sex, ethnicity and home.

One module, two sections of indicator rows (``perpetrators`` for suspects, ``victims`` for
victims), all for the profile period:

* rates of involvement per 1,000 residents by five-year age band (overall and by sex; the
  peak band is found from the data), by sex and by home district;
* shares of persons by sex and ethnicity (ethnicity as shares only: the population table
  has no ethnicity denominators) and of involvements by home NPA and district;
* the female cohort's differences: its peak age band, same-sex pairing of perpetrators and
  victims, and the harm profile (``harm_rank``) compared with males;
* for victims, the rate by age band of being a victim of an offence by under 25s;
* home-district rates both crude and directly age-standardised (``stats.dsr``, 2013 European
  Standard Population), because districts differ in age structure.

Counting rules (involvements, persons) are in docs/indicators.md.

Examples
--------
>>> SECTION, ROLES["suspects"]
('people', ('perpetrators', 'perpetrator'))
>>> age_band(17), age_band(93), age_band(None)
('15-19', '90+', None)
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from svsna.analyses._base import POLICE_REQUIRES, sex_label
from svsna.analyses._figures import (
    finding,
    fmt,
    numbers_from,
    plain,
    rate_rows,
    rate_unit,
    separated,
    share_rows,
    stat_rows,
    top_items,
)
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    from collections.abc import Mapping

    import ibis
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = ["HIGH_HARM", "REQUIRES", "ROLES", "SECTION", "age_band", "age_bands", "person_profile", "run"]

REQUIRES = POLICE_REQUIRES
SECTION = "people"
#: Offence columns this section reads from the run-wide offence facts and involvements
#: (besides ``CORE_FACT_COLUMNS``; and the involved persons' own columns).
FACT_COLUMNS: tuple[str, ...] = ("harm_rank",)
#: warehouse table -> (section of its rows, singular noun)
ROLES: dict[str, tuple[str, str]] = {"suspects": ("perpetrators", "perpetrator"), "victims": ("victims", "victim")}
#: harm_rank at or above which an offence is "higher harm" (s.18, endangering life, homicide, attempted murder)
HIGH_HARM = 4


@lru_cache(maxsize=1)
def age_bands() -> tuple[tuple[str, int, int], ...]:
    """``(band, age_from, age_to)`` from the ``age_bands`` code list."""
    from svsna.codelists import load_codelist

    df = load_codelist("age_bands")
    return tuple((str(b), int(f), int(t)) for b, f, t in zip(df["band"], df["age_from"], df["age_to"], strict=True))


def age_band(age: Any) -> str | None:
    """The five-year band of an age (None when unknown)."""
    import pandas as pd

    if age is None or pd.isna(age):
        return None
    a = int(age)
    for band, lo, hi in age_bands():
        if lo <= a <= hi:
            return band
    return None


def _persons(
    ctx: AnalysisContext,
    inv: ibis.Table,
    role: str | None = None,
    every: tuple[Any, Mapping[str, ibis.Table]] | None = None,
) -> pd.DataFrame:
    """Persons (first involvement in ``inv``) counted by sex, ethnicity and home area; with ``role``,
    ``inv`` is that role's profile-period involvements and the run's first involvements are reused;
    with ``every`` (a key and, per role, the run-wide rows ``inv`` is this definition's part of),
    the persons of every definition and role are counted in one query."""
    keys = ["sex", "ethnicity_group", "home_npa", "home_ward_name", "person_age_group"]
    if role:  # every definition's and role's first involvements counted in one query
        if every is not None:
            key, tables = every[0], {r: ctx.with_first_flags(t) for r, t in every[1].items()}
        else:
            roles = tuple(r for r in ROLES if ctx.has(r))
            key, tables = ("persons", roles, ctx.profile), {r: ctx.involvements_all(r, ctx.profile) for r in roles}
        return ctx.role_counts(key, tables, keys, first=True, role=role)
    first = ctx.first_per_person(inv)
    df = ctx.fetch(first.group_by(keys).aggregate(n=first.count()))
    df["n"] = df["n"].astype(int)
    return df


def person_profile(
    ctx: AnalysisContext,
    inv: ibis.Table,
    section: str,
    prefix: str,
    label: str,
    *,
    wards: bool = False,
    role: str | None = None,
    every: tuple[Any, Mapping[str, ibis.Table]] | None = None,
) -> tuple[list[pd.DataFrame], dict[str, Any]]:
    """Sex, ethnicity (and, with ``wards``, home NPA and ward) shares of the persons in ``inv``.

    Each person counts once, with the attributes of their first involvement. Returns the
    indicator rows (``{prefix}sex_share``, ``{prefix}ethnicity_share``, ``{prefix}home_share``)
    and the numbers for a finding (``persons`` = the group size ``n``).
    """
    p = _persons(ctx, inv, role, every)
    rows: list[pd.DataFrame] = []
    total = int(p["n"].sum())
    sex = p.assign(s=[sex_label(x) for x in p["sex"]]).groupby("s")["n"].sum()
    sexes = ["Male", "Female", "Unknown"]
    sex_rows = share_rows(
        ctx, section, f"{prefix}sex_share", label, "sex", sexes, [int(sex.get(s, 0)) for s in sexes], total
    )
    rows.append(sex_rows)
    eth = p[p["ethnicity_group"].notna() & (p["ethnicity_group"] != "Unknown")].groupby("ethnicity_group")["n"].sum()
    eth_names = sorted(eth.index, key=lambda g: (-int(eth[g]), g))
    eth_rows = share_rows(
        ctx,
        section,
        f"{prefix}ethnicity_share",
        label,
        "ethnicity",
        eth_names,
        [int(eth[g]) for g in eth_names],
        int(eth.sum()),
    )
    rows.append(eth_rows)
    homes = {}
    for col, bd in (("home_npa", "npa"), ("home_ward_name", "ward")) if wards else ():
        h = p[p[col].notna()].groupby(col)["n"].sum()
        names = sorted(h.index, key=lambda g: (-int(h[g]), g))
        r = share_rows(ctx, section, f"{prefix}home_share", label, bd, names, [int(h[g]) for g in names], int(h.sum()))
        rows.append(r)
        homes[bd] = top_items(names, list(r.value), 5 if bd == "ward" else 3)
    ag = p.groupby("person_age_group")["n"].sum()
    numbers = {
        "persons": total,
        "n": total,
        "male_share": plain(100.0 * int(sex.get("Male", 0)) / total) if total else None,
        "female_share": plain(100.0 * int(sex.get("Female", 0)) / total) if total else None,
        "unknown_sex_share": plain(100.0 * int(sex.get("Unknown", 0)) / total) if total else None,
        "under25_share": plain(100.0 * int(ag.get(ctx.under_label, 0)) / total) if total else None,
        "ethnicity": {g: plain(v) for g, v in zip(eth_rows.breakdown_value, eth_rows.value, strict=True)},
        "ethnicity_known": int(eth.sum()),
        "top_npa": homes.get("npa", []),
    }
    if wards:
        numbers["top_wards"] = [w["name"] for w in homes.get("ward", [])]
    return rows, numbers


def _involvement_cube(ctx: AnalysisContext, role: str) -> pd.DataFrame:
    """Profile-period involvements of ``role`` by age, sex, harm, home area and offence age group
    (every definition and role of the run counted in one query)."""
    roles = tuple(r for r in ROLES if ctx.has(r))
    tables = {r: ctx.involvements_all(r, ctx.profile, firsts=False) for r in roles}
    keys = ["age", "sex", "harm_rank", "home_npa", "home_district_name", "age_group"]
    df = ctx.role_counts(("involvement_cube", roles, ctx.profile), tables, keys, role=role)
    df["band"] = [age_band(a) for a in df["age"]]
    df["sex_label"] = [sex_label(s) for s in df["sex"]]
    return df


def _band_rates(ctx, section, indicator, label, cube, sexes=("P", "M", "F")):
    prof = ctx.profile
    rows, peaks = [], {}
    bands = age_bands()
    for sex in sexes:
        sub = cube if sex == "P" else cube[cube["sex"] == sex]
        counts = sub.groupby("band")["n"].sum()
        pops = [ctx.population(prof, age_from=lo, age_to=hi, sex=sex) for _, lo, hi in bands]
        values = [b for b, _, _ in bands] if sex == "P" else [f"{sex_label(sex)}|{b}" for b, _, _ in bands]
        r = rate_rows(
            ctx,
            section,
            indicator,
            label,
            "age_band" if sex == "P" else "sex|age_band",
            values,
            [int(counts.get(b, 0)) for b, _, _ in bands],
            pops,
            what="involvements",
        )
        rows.append(r)
        order = r.dropna(subset=["value"]).sort_values(["value", "numerator"], ascending=False)
        order = order[order.numerator > 0]
        if len(order):
            top = order.iloc[0]
            second = order.iloc[1] if len(order) > 1 else None
            peaks[sex] = numbers_from(
                top,
                band=bands[int(top.name)][0],
                rate=plain(top.value),
                second_band=bands[int(second.name)][0] if second is not None else None,
                second_rate=plain(second.value) if second is not None else None,
                second_lower=plain(second.lower) if second is not None else None,
                second_upper=plain(second.upper) if second is not None else None,
                separated=separated(top, second),
                counts="involvements",
            )
    return rows, peaks


def _pairs(ctx: AnalysisContext) -> pd.DataFrame:
    """Perpetrator-victim pairs in the profile period by the two sexes (``s_sex, v_sex, n``)."""
    every = ctx.involvements_all("suspects", ctx.profile, firsts=False)
    s = every.select("offence_ref", *ctx.definition_flags, s_sex=every.sex)
    v = ctx.table("victims").select("offence_ref", v_sex="sex")
    j = s.join(v, "offence_ref")
    return ctx.shared_counts(("pairs", ctx.profile), j, ["s_sex", "v_sex"])


def _home_dsr(
    ctx: AnalysisContext, section: str, label: str, cube: pd.DataFrame, names: list[str]
) -> pd.DataFrame | None:
    """Involvements per 1,000 residents of the home district, directly age-standardised to the 2013
    European Standard Population (``stats.dsr``); involvements of unknown age are left out."""
    import pandas as pd

    from svsna.stats import dsr

    bands = age_bands()
    year = ctx.population_year(ctx.profile)
    pops = {b: ctx.denominators.by_unit(year, "district", age_from=lo, age_to=hi) or {} for b, lo, hi in bands}
    known = cube[cube["band"].notna() & cube["home_district_name"].notna()]
    counts = known.groupby(["home_district_name", "band"])["n"].sum()
    data = pd.DataFrame(
        [
            {"district": d, "age_band": b, "count": int(counts.get((d, b), 0)), "population": pops[b].get(d, 0.0)}
            for d in names
            for b, _, _ in bands
        ]
    )
    from svsna.stats import StatsInputError

    try:
        out = dsr(data, by="district", multiplier=ctx.multiplier, confidence=ctx.confidence)
    except StatsInputError as exc:  # e.g. district populations not in five-year bands
        ctx.warn(
            "dsr_not_computed",
            f"age-standardised home-district rates were not computed: {exc} (district populations are needed in "
            "five-year age bands)",
        )
        return None
    out = out.set_index("district").loc[names].reset_index()
    out["method"] = [
        f"Directly age-standardised rate ({m}; 2013 European Standard Population)" if m == "Dobson" else m
        for m in out["method"]
    ]
    return stat_rows(
        ctx,
        section,
        "home_district_rate_dsr",
        out.drop(columns=["district", "standard"]),
        label,
        "district",
        names,
        statistic="rate",
        unit=rate_unit(ctx, "involvements") + " (age-standardised)",
    )


def _role(ctx: AnalysisContext, role: str, pairs: pd.DataFrame | None) -> tuple[list[pd.DataFrame], list[Finding]]:
    from svsna.stats import compare_to_benchmark

    section, noun = ROLES[role]
    prof = ctx.profile
    label = prof.label
    inv = ctx.involvements(role, prof)
    cube = _involvement_cube(ctx, role)
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []

    def add(key: str, text: str, numbers: dict, indicators: tuple[str, ...]) -> None:
        findings.append(finding(ctx, section, key, text, numbers, period=label, indicators=indicators))

    band_rows, peaks = _band_rates(ctx, section, "age_band_rate", label, cube)
    rows.extend(band_rows)
    for sex, key in (("P", "peak_age_band"), ("F", "peak_age_band_female"), ("M", "peak_age_band_male")):
        if sex in peaks:
            who = {"P": f"{noun}s", "F": f"female {noun}s", "M": f"male {noun}s"}[sex]
            add(
                key,
                f"The peak age band for {who} was {peaks[sex]['band']} "
                f"({fmt(peaks[sex]['rate'], 2)} involvements per {ctx.multiplier:,} residents).",
                peaks[sex],
                ("age_band_rate",),
            )

    sx = cube.groupby("sex")["n"].sum()
    rows.append(
        rate_rows(
            ctx,
            section,
            "sex_rate",
            label,
            "sex",
            ["Male", "Female"],
            [int(sx.get("M", 0)), int(sx.get("F", 0))],
            [ctx.population(prof, sex="M"), ctx.population(prof, sex="F")],
            what="involvements",
        )
    )

    prow, pnums = person_profile(ctx, inv, section, "", label, role=role)
    rows.extend(prow)
    male = prow[0].iloc[0]
    add(
        "sex_share",
        f"{fmt(pnums['male_share'])} % of {pnums['persons']} {noun}s were male.",
        numbers_from(
            male,
            male_share=pnums["male_share"],
            female_share=pnums["female_share"],
            persons=pnums["persons"],
            female_lower=plain(prow[0].iloc[1].lower),
            female_upper=plain(prow[0].iloc[1].upper),
        ),
        ("sex_share",),
    )
    eth = prow[1]
    if len(eth):
        top = eth.iloc[0]
        add(
            "ethnicity_share",
            f"{fmt(top.value)} % of {noun}s of known ethnicity were {top.breakdown_value}.",
            numbers_from(
                top,
                shares=pnums["ethnicity"],
                top=top.breakdown_value,
                persons=pnums["persons"],
                ethnicity_known=pnums["ethnicity_known"],
            ),
            ("ethnicity_share",),
        )
    npa = cube[cube["home_npa"].notna()].groupby("home_npa")["n"].sum()
    npas = sorted(npa.index, key=lambda g: (-int(npa[g]), g))
    npa_rows = share_rows(
        ctx, section, "home_npa_share", label, "npa", npas, [int(npa[g]) for g in npas], int(npa.sum())
    )
    rows.append(npa_rows)
    if npas:
        top = top_items(npas, list(npa_rows.value), 3)
        add(
            "top_home_areas",
            f"{noun.capitalize()}s most often lived in {top[0]['name']} ({fmt(top[0]['share'])} % of involvements).",
            numbers_from(
                npa_rows.iloc[0],
                top=top,
                name=top[0]["name"],
                separated=separated(npa_rows.iloc[0], npa_rows.iloc[1]) if len(npa_rows) > 1 else True,
                counts="involvements",
                top_two_share=plain(sum(t["share"] for t in top[:2])),
            ),
            ("home_npa_share",),
        )

    home = cube[cube["home_district_name"].notna()].groupby("home_district_name")["n"].sum()
    district_pop = ctx.population_levels(prof, "district") or {}
    names = sorted(set(district_pop) | set(home.index))
    rows.append(
        share_rows(
            ctx,
            section,
            "home_district_share",
            label,
            "district",
            names,
            [int(home.get(d, 0)) for d in names],
            int(home.sum()),
        )
    )
    if district_pop:
        dnames = sorted(district_pop)
        crude = rate_rows(
            ctx,
            section,
            "home_district_rate",
            label,
            "district",
            dnames,
            [int(home.get(d, 0)) for d in dnames],
            [district_pop[d] for d in dnames],
            what="involvements",
        )
        rows.append(crude)
        std = _home_dsr(ctx, section, label, cube, dnames)
        if std is not None:
            rows.append(std)
        valid = std.dropna(subset=["value"]) if std is not None else std
        if valid is not None and len(valid):
            ranked = valid.sort_values(["value", "breakdown_value"], ascending=[False, True])
            top = ranked.iloc[0]
            crow = crude[crude.breakdown_value == top.breakdown_value].iloc[0]
            add(
                "home_district_rate_standardised",
                f"Age-standardised, {top.breakdown_value} residents had the highest rate of {noun} involvements "
                f"({fmt(top.value, 2)} per {ctx.multiplier:,}; crude {fmt(crow.value, 2)}).",
                numbers_from(
                    top,
                    district=top.breakdown_value,
                    crude_value=plain(crow.value),
                    crude_lower=plain(crow.lower),
                    crude_upper=plain(crow.upper),
                    separated=separated(top, ranked.iloc[1]) if len(ranked) > 1 else True,
                    next_district=ranked.iloc[1].breakdown_value if len(ranked) > 1 else None,
                    next_value=plain(ranked.iloc[1].value) if len(ranked) > 1 else None,
                    standard="2013 European Standard Population",
                ),
                ("home_district_rate_dsr", "home_district_rate"),
            )

    if pairs is not None and len(pairs):
        mine, other = ("s_sex", "v_sex") if role == "suspects" else ("v_sex", "s_sex")
        known = pairs[pairs[mine].isin(["M", "F"]) & pairs[other].isin(["M", "F"])]
        nums, dens = [], []
        for s in ("M", "F"):
            k = known[known[mine] == s]
            nums.append(int(k.loc[k[other] == s, "n"].sum()))
            dens.append(int(k["n"].sum()))
        same = share_rows(ctx, section, "same_sex_share", label, "sex", ["Male", "Female"], nums, dens)
        rows.append(same)
        add(
            "same_sex",
            f"{fmt(same.loc[0, 'value'])} % of male and {fmt(same.loc[1, 'value'])} % of female "
            f"{noun}s' offences involved a {'victim' if role == 'suspects' else 'perpetrator'} of the same sex.",
            numbers_from(
                same.iloc[0],
                male_share=plain(same.loc[0, "value"]),
                female_share=plain(same.loc[1, "value"]),
                female_lower=plain(same.loc[1, "lower"]),
                female_upper=plain(same.loc[1, "upper"]),
                female_n=int(same.loc[1, "numerator"]),
                female_denominator=int(same.loc[1, "denominator"]),
                counts="perpetrator-victim pairs",
            ),
            ("same_sex_share",),
        )

    harm = cube[cube["sex"].isin(["M", "F"]) & cube["harm_rank"].notna()]
    hh = share_rows(
        ctx,
        section,
        "high_harm_share",
        label,
        "sex",
        ["Male", "Female"],
        [int(harm.loc[(harm.sex == s) & (harm.harm_rank >= HIGH_HARM), "n"].sum()) for s in ("M", "F")],
        [int(harm.loc[harm.sex == s, "n"].sum()) for s in ("M", "F")],
    )
    cmp = compare_to_benchmark(
        hh["value"].iloc[::-1].to_numpy(),
        hh["lower"].iloc[::-1].to_numpy(),
        hh["upper"].iloc[::-1].to_numpy(),
        hh["value"].to_numpy(),
    )
    hh["comparator_value"] = hh["value"].iloc[::-1].to_numpy()
    hh["significance"] = cmp["significance"].iloc[::-1].to_numpy()
    rows.append(hh)
    fem = hh.iloc[1]
    add(
        "high_harm_by_sex",
        f"{fmt(hh.loc[0, 'value'])} % of male and {fmt(hh.loc[1, 'value'])} % of female "
        f"{noun} involvements were in higher-harm offences ({fem.significance}).",
        numbers_from(
            fem,
            comparator="Male",
            male_share=plain(hh.loc[0, "value"]),
            male_lower=plain(hh.loc[0, "lower"]),
            male_upper=plain(hh.loc[0, "upper"]),
            female_share=plain(hh.loc[1, "value"]),
            male_n=int(hh.loc[0, "numerator"]),
            male_denominator=int(hh.loc[0, "denominator"]),
            counts="involvements",
        ),
        ("high_harm_share",),
    )
    ranks = harm.groupby(["sex", "harm_rank"])["n"].sum()
    keys = sorted(ranks.index, key=lambda k: (k[0] != "M", int(k[1])))
    rows.append(
        share_rows(
            ctx,
            section,
            "harm_rank_share",
            label,
            "sex|harm_rank",
            [f"{sex_label(s)}|{int(r)}" for s, r in keys],
            [int(ranks[k]) for k in keys],
            [int(harm.loc[harm.sex == k[0], "n"].sum()) for k in keys],
        )
    )

    if role == "victims":
        vu = cube[cube["age_group"] == ctx.under_label]
        vrows, vpeaks = _band_rates(ctx, section, "victims_of_under25_age_band_rate", label, vu, sexes=("P",))
        rows.extend(vrows)
        known_n = int(vu.loc[vu["band"].notna(), "n"].sum())
        by_band = vu.groupby("band")["n"].sum()
        bands = [b for b, _, _ in age_bands()]
        rows.append(
            share_rows(
                ctx,
                section,
                "victims_of_under25_age_band_share",
                label,
                "age_band",
                bands,
                [int(by_band.get(b, 0)) for b in bands],
                known_n,
            )
        )
        if "P" in vpeaks:
            sh = rows[-1]
            under_victims = int(sum(by_band.get(b, 0) for b, lo, hi in age_bands() if hi < ctx.under))
            add(
                "victims_of_under25_peak",
                f"Victims of offences by under {ctx.under}s were most often aged {vpeaks['P']['band']}.",
                {
                    **vpeaks["P"],
                    "band_share": plain(sh[sh.breakdown_value == vpeaks["P"]["band"]].iloc[0].value),
                    "victims_known_age": known_n,
                    "under25_victim_share": plain(100.0 * under_victims / known_n) if known_n else None,
                    "shares": {b: plain(v) for b, v in zip(sh.breakdown_value, sh.value, strict=True)},
                },
                ("victims_of_under25_age_band_rate", "victims_of_under25_age_band_share"),
            )
    return rows, findings


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the perpetrator and victim profiles (rows carry section ``perpetrators`` or ``victims``)."""
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    pairs = _pairs(ctx) if ctx.has("suspects") and ctx.has("victims") else None
    for role in ROLES:
        if ctx.has(role):
            r, f = _role(ctx, role, pairs)
            rows.extend(r)
            findings.extend(f)
    return SectionResult(SECTION, concat_indicators(rows), findings)
