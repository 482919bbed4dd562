"""Population profile: who lives in the area, by district, age, sex and deprivation.

Reproduces the "Population Profile" of an SNA from the warehouse ``population`` (ONS
mid-year estimates) and ``geography`` tables, for the mid-year estimate used by the
profile period (:meth:`AnalysisContext.population_year`): residents of the whole area,
of each district and county (and their share of the area), the share aged under
``config.age_focus_under`` by district (Wilson interval, compared with the whole area),
the age-sex structure (five-year bands by sex, a pyramid) and, when the geography has
IMD deciles and the population table has LSOA rows, residents by IMD decile and the
share living in the most deprived 10% and 20% of LSOAs nationally, by district.

The section does not depend on the serious-violence definition (``PER_DEFINITION =
False``): it runs once and its rows carry a blank ``definition``. Indicator names and
finding keys are catalogued in docs/indicators.md ("Population profile").

Examples
--------
>>> SECTION, PER_DEFINITION, REQUIRES
('population', False, ('geography', 'population'))
>>> plain_count(1_100_423), plain_count(15_200), plain_count(712_345), plain_count(87)
('about 1.1 million', 'about 15,200', 'about 712,000', '87')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from svsna.analyses._base import sex_label
from svsna.analyses._figures import count_rows, numbers_from, plain, separated, share_rows, stat_rows
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = ["PER_DEFINITION", "REQUIRES", "SECTION", "plain_count", "run"]

SECTION = "population"
PER_DEFINITION = False
REQUIRES: tuple[str, ...] = ("geography", "population")

#: Method of percentages of residents that carry no interval (the estimates are the population).
SHARE_METHOD = "Proportion of residents (population estimate: no interval)"


def plain_count(n: float) -> str:
    """A resident count in plain words: millions to one decimal place, six-figure counts to the
    nearest thousand, four- and five-figure counts to the nearest hundred, smaller counts exactly.

    >>> plain_count(2_000_000), plain_count(3_800), plain_count(0)
    ('about 2 million', 'about 3,800', '0')
    """
    n = float(n)
    if n >= 999_500:
        m = f"{n / 1e6:.1f}".removesuffix(".0")
        return f"about {m} million"
    if n >= 100_000:
        return f"about {round(n, -3):,.0f}"
    if n >= 1_000:
        return f"about {round(n, -2):,.0f}"
    return f"{n:,.0f}"


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def _note(ctx: AnalysisContext, key: str, text: str, period: str) -> Finding:
    return Finding(
        SECTION,
        key,
        text,
        numbers_from(None, period=period, reason=text),
        period=period,
        area=ctx.area_label,
        definition=ctx.definition,
        public=False,
    )


def _straddles(pop: pd.DataFrame, cut: int) -> bool:
    """Whether some population row spans ages on both sides of ``cut`` (e.g. a 16-64 band for 25)."""
    return bool(((pop["age_from"] < cut) & (pop["age_to"] >= cut)).any())


def _year_rows(ctx: AnalysisContext, year: int) -> pd.DataFrame:
    pop = ctx.population_frame
    return pop[pop["year"] == year]


# ------------------------------------------------------------------ residents by area
def _residents(ctx: AnalysisContext, period: str, total: float) -> tuple[list[pd.DataFrame], list[Finding]]:
    import pandas as pd

    rows = [count_rows(ctx, SECTION, "residents", period, "all", "all", [total], unit="residents", denominator=total)]
    findings = [
        Finding(
            SECTION,
            "total_residents",
            f"{ctx.config.name} has {plain_count(total)} residents ({period.lower()} estimate).",
            numbers_from(rows[0].iloc[0], residents=total, population_year=period),
            period=period,
            area=ctx.area_label,
            definition=ctx.definition,
            indicators=("residents",),
            headline=True,
        )
    ]
    for level in ("district", "county"):
        by = ctx.population_levels(ctx.profile, level)
        if not by or (level == "county" and len(by) < 2):
            continue
        names = sorted(by)
        counts = [by[n] for n in names]
        rows.append(
            count_rows(ctx, SECTION, "residents", period, level, names, counts, unit="residents", denominator=total)
        )
        stats = pd.DataFrame(
            {
                "numerator": counts,
                "denominator": total,
                "value": [100.0 * c / total if total else float("nan") for c in counts],
                "method": SHARE_METHOD,
            }
        )
        shares = stat_rows(
            ctx, SECTION, "share_of_residents", stats, period, level, names, statistic="percentage", unit="%"
        )
        rows.append(shares)
        if level == "district" and len(names) > 1 and total:
            big = max(names, key=lambda n: (by[n], n))
            share = 100.0 * by[big] / total
            findings.append(
                Finding(
                    SECTION,
                    "largest_district",
                    f"{big} is the most populous district, with {plain_count(by[big])} residents "
                    f"({share:.1f}% of the area).",
                    numbers_from(
                        shares.iloc[names.index(big)],
                        comparator=ctx.area_label,
                        district=big,
                        residents=by[big],
                        share_pct=share,
                        districts=len(names),
                    ),
                    period=period,
                    area=ctx.area_label,
                    definition=ctx.definition,
                    indicators=("residents", "share_of_residents"),
                )
            )
    return rows, findings


# ------------------------------------------------------------------ young residents
def _young(ctx: AnalysisContext, period: str, total: float) -> tuple[list[pd.DataFrame], list[Finding]]:
    from svsna.stats import compare_to_benchmark

    prof, under = ctx.profile, ctx.under
    year_rows = _year_rows(ctx, ctx.population_year(prof))
    if _straddles(year_rows, under):
        return [], [
            _note(
                ctx,
                "share_under_focus_not_computed",
                f"The share of residents under {under} cannot be computed: the population table has an age band "
                f"that spans age {under} (supply five-year or single-year bands).",
                period,
            )
        ]
    young = ctx.population(prof, age_to=under - 1)
    area = share_rows(ctx, SECTION, "share_under_focus", period, "all", "all", [young], [total])
    rows = [area]
    area_value = _f(area.loc[0, "value"])
    findings = [
        Finding(
            SECTION,
            "share_under_focus",
            f"{area_value:.1f}% of residents are under {under} ({plain_count(young)} people)."
            if area_value is not None
            else f"The share of residents under {under} cannot be computed (no residents).",
            numbers_from(area.iloc[0], residents=young, population=total),
            period=period,
            area=ctx.area_label,
            definition=ctx.definition,
            indicators=("share_under_focus",),
        )
    ]
    by_all = ctx.population_levels(prof, "district")
    by_young = ctx.population_levels(prof, "district", age_to=under - 1)
    if not by_all or not by_young or len(by_all) < 2:
        return rows, findings
    names = sorted(by_all)
    stats = share_rows(
        ctx, SECTION, "share_under_focus", period, "district", names, [by_young.get(n, 0.0) for n in names],
        [by_all[n] for n in names],
    )  # fmt: skip
    cmp = compare_to_benchmark(stats["value"], stats["lower"], stats["upper"], area_value)
    stats["significance"] = cmp["significance"].to_numpy()
    stats["comparator_value"] = cmp["comparator_value"].to_numpy()
    rows.append(stats)
    valid = stats.dropna(subset=["value"]).sort_values(["value", "breakdown_value"], ascending=[False, True])
    if len(valid):
        top = valid.iloc[0]
        sig = str(top["significance"])
        if sig == "Higher":
            text = (
                f"{top['breakdown_value']} has the youngest population: {top['value']:.1f}% of its residents are "
                f"under {under}, significantly more than across the area ({area_value:.1f}%)."
            )
        else:
            text = (
                f"No district has a significantly higher share of residents under {under} than the area "
                f"({area_value:.1f}%); the highest is {top['breakdown_value']} ({top['value']:.1f}%)."
            )
        higher = stats.loc[stats["significance"] == "Higher", "breakdown_value"].tolist()
        lower = stats.loc[stats["significance"] == "Lower", "breakdown_value"].tolist()
        findings.append(
            Finding(
                SECTION,
                "youngest_district",
                text,
                numbers_from(
                    top,
                    comparator=ctx.area_label,
                    comparator_value=area_value,
                    district=str(top["breakdown_value"]),
                    area_value=area_value,
                    districts_higher=higher,
                    districts_lower=lower,
                    separated=separated(top, valid.iloc[1]) if len(valid) > 1 else True,
                ),
                significance=sig,
                period=period,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("share_under_focus",),
            )
        )
    return rows, findings


# ------------------------------------------------------------------ age-sex structure
def _age_sex(ctx: AnalysisContext, period: str, total: float) -> tuple[list[pd.DataFrame], list[Finding]]:
    import pandas as pd

    from svsna.analyses.people import age_bands

    prof = ctx.profile
    bands = age_bands()
    males, females = ctx.population(prof, sex="M"), ctx.population(prof, sex="F")
    if males + females <= 0:
        return [], [
            _note(
                ctx,
                "age_sex_not_computed",
                "The age-sex structure cannot be shown: the population table has no rows by sex (M/F).",
                period,
            )
        ]
    values, counts, keys = [], [], []
    for sex in ("M", "F"):
        for band, lo, hi in bands:
            values.append(f"{sex_label(sex)}|{band}")
            keys.append((sex_label(sex), band))
            counts.append(ctx.population(prof, age_from=lo, age_to=hi, sex=sex))
    if abs(sum(counts) - (males + females)) > 0.5:
        return [], [
            _note(
                ctx,
                "age_sex_not_computed",
                "The age-sex structure cannot be shown: the population table's age bands do not nest inside "
                "five-year bands (0-4, 5-9, ..., 90+).",
                period,
            )
        ]
    denom = males + females
    stats = pd.DataFrame(
        {
            "numerator": counts,
            "denominator": denom,
            "value": [100.0 * c / denom for c in counts],
            "method": SHARE_METHOD,
        }
    )
    rows = [
        stat_rows(
            ctx,
            SECTION,
            "residents_by_age_sex",
            stats,
            period,
            "sex|age_band",
            values,
            statistic="percentage",
            unit="%",
        )
    ]
    peak = max(range(len(values)), key=lambda i: (counts[i], -i))
    sex, band = keys[peak]
    finding = Finding(
        SECTION,
        "age_sex_structure",
        f"{100.0 * females / denom:.1f}% of residents are female; the largest age-sex group is "
        f"{sex.lower()}s aged {band} ({100.0 * counts[peak] / denom:.1f}% of residents).",
        numbers_from(
            None,
            period=period,
            value=100.0 * females / denom,
            unit="%",
            statistic="percentage",
            n=females,
            denominator=denom,
            female_pct=100.0 * females / denom,
            male_pct=100.0 * males / denom,
            largest_group_sex=sex,
            largest_group_band=band,
            largest_group_pct=100.0 * counts[peak] / denom,
        ),
        period=period,
        area=ctx.area_label,
        definition=ctx.definition,
        indicators=("residents_by_age_sex",),
    )
    return rows, [finding]


# ------------------------------------------------------------------ deprivation
def _deprivation(ctx: AnalysisContext, period: str) -> tuple[list[pd.DataFrame], list[Finding]]:
    import pandas as pd

    from svsna.stats import compare_to_benchmark

    geo = ctx.geography_frame
    if "imd_decile" not in geo.columns or geo["imd_decile"].isna().all():
        return [], [
            _note(
                ctx,
                "deprivation_not_computed",
                "Residents by deprivation cannot be computed: the geography has no IMD deciles.",
                period,
            )
        ]
    by_lsoa = ctx.population_levels(ctx.profile, "lsoa")
    if not by_lsoa:
        return [], [
            _note(
                ctx,
                "deprivation_not_computed",
                "Residents by deprivation cannot be computed: the population table has no LSOA rows "
                "(supply LSOA mid-year estimates to show how many residents live in deprived areas).",
                period,
            )
        ]
    g = geo[["lsoa_code", "district_name", "imd_decile"]].dropna(subset=["lsoa_code"]).drop_duplicates("lsoa_code")
    g = g.assign(pop=g["lsoa_code"].map(by_lsoa).fillna(0.0).astype(float))
    known = g.dropna(subset=["imd_decile"]).assign(imd_decile=lambda d: d["imd_decile"].astype(int))
    total = float(known["pop"].sum())
    by_dec = known.groupby("imd_decile")["pop"].sum().reindex(range(1, 11), fill_value=0.0)
    stats = pd.DataFrame(
        {
            "numerator": by_dec.to_numpy(),
            "denominator": total,
            "value": [100.0 * v / total if total else float("nan") for v in by_dec],
            "method": SHARE_METHOD,
        }
    )
    rows = [
        stat_rows(
            ctx,
            SECTION,
            "residents_by_imd_decile",
            stats,
            period,
            "imd_decile",
            [str(d) for d in by_dec.index],
            statistic="percentage",
            unit="%",
        )
    ]
    findings: list[Finding] = []
    districts = sorted(known["district_name"].dropna().unique().tolist())
    for indicator, top in (("share_in_most_deprived_decile", 1), ("share_in_most_deprived_quintile", 2)):
        deprived = known[known["imd_decile"] <= top]
        area = share_rows(ctx, SECTION, indicator, period, "all", "all", [float(deprived["pop"].sum())], [total])
        rows.append(area)
        area_value = _f(area.loc[0, "value"])
        if len(districts) < 2:
            continue
        num = [float(deprived.loc[deprived["district_name"] == d, "pop"].sum()) for d in districts]
        den = [float(known.loc[known["district_name"] == d, "pop"].sum()) for d in districts]
        by = share_rows(ctx, SECTION, indicator, period, "district", districts, num, den)
        cmp = compare_to_benchmark(by["value"], by["lower"], by["upper"], area_value)
        by["significance"] = cmp["significance"].to_numpy()
        by["comparator_value"] = cmp["comparator_value"].to_numpy()
        rows.append(by)
        if top != 1:
            continue
        valid = by.dropna(subset=["value"]).sort_values(["value", "breakdown_value"], ascending=[False, True])
        if not len(valid) or not valid.iloc[0]["value"] > 0:
            continue
        best = valid.iloc[0]
        sig = str(best["significance"])
        compared = "significantly more than" if sig == "Higher" else "compared with"
        findings.append(
            Finding(
                SECTION,
                "most_deprived_district",
                f"{best['value']:.1f}% of {best['breakdown_value']}'s residents live in the most deprived 10% of "
                f"neighbourhoods (LSOAs) in England, {compared} {area_value:.1f}% across the area.",
                numbers_from(
                    best,
                    comparator=ctx.area_label,
                    comparator_value=area_value,
                    district=str(best["breakdown_value"]),
                    area_value=area_value,
                    residents=_f(best["numerator"]),
                    separated=separated(best, valid.iloc[1]) if len(valid) > 1 else True,
                ),
                significance=sig,
                period=period,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("share_in_most_deprived_decile",),
            )
        )
    return rows, findings


# ------------------------------------------------------------------ deprivation rank and ethnicity
def _deprivation_rank(ctx: AnalysisContext, period: str) -> tuple[list[pd.DataFrame], list[Finding]]:
    """Districts ranked by deprivation from the geography's LSOA IMD deciles.

    The official IoD 2019 local-authority ranks (1 of 317 ...) need the national LSOA scores, which
    the geography does not carry; what the deciles allow is the IoD's own "proportion of LSOAs in
    the most deprived 10% nationally" and a population-weighted mean decile, ranked within the area
    (1 = most deprived). The finding says which measure was used.
    """
    import pandas as pd

    geo = ctx.geography_frame.drop_duplicates("lsoa_code")
    if "imd_decile" not in geo.columns or geo["imd_decile"].isna().all() or "district_name" not in geo.columns:
        return [], []
    known = geo.dropna(subset=["imd_decile", "district_name"])
    districts = sorted(known["district_name"].unique().tolist())
    if len(districts) < 2:
        return [], []
    lsoas = known.groupby("district_name")["lsoa_code"].count()
    in_first = known[known["imd_decile"].astype(int) == 1].groupby("district_name")["lsoa_code"].count()
    rows = [
        share_rows(
            ctx,
            SECTION,
            "lsoas_in_most_deprived_decile",
            period,
            "district",
            districts,
            [int(in_first.get(d, 0)) for d in districts],
            [int(lsoas[d]) for d in districts],
        )
    ]
    by_lsoa = ctx.population_levels(ctx.profile, "lsoa")
    weights = known["lsoa_code"].map(by_lsoa) if by_lsoa else pd.Series(1.0, index=known.index)
    k = known.assign(w=weights.fillna(0.0).astype(float), d=known["imd_decile"].astype(float))
    means = []
    for d in districts:
        g = k[k["district_name"] == d]
        means.append(float((g["w"] * g["d"]).sum() / g["w"].sum()) if g["w"].sum() else float("nan"))
    measure = (
        "population-weighted mean national IMD 2019 decile of the district's LSOAs"
        if by_lsoa
        else "mean national IMD 2019 decile of the district's LSOAs (unweighted: no LSOA populations)"
    )
    stats = pd.DataFrame({"denominator": [float(lsoas[d]) for d in districts], "value": means, "method": measure})
    rows.append(
        stat_rows(
            ctx, SECTION, "mean_imd_decile", stats, period, "district", districts, statistic="mean", unit="decile"
        )
    )
    order = sorted(range(len(districts)), key=lambda i: (means[i], districts[i]))
    ranking = [
        {
            "rank": r + 1,
            "district": districts[i],
            "mean_decile": plain(means[i]),
            "lsoas_in_most_deprived_decile_pct": plain(rows[0].iloc[i].value),
        }
        for r, i in enumerate(order)
    ]
    top = rows[1].iloc[order[0]]
    finding = Finding(
        SECTION,
        "deprivation_rank",
        f"{districts[order[0]]} is the most deprived district of the area by the {measure}.",
        numbers_from(
            top,
            district=districts[order[0]],
            measure=measure,
            national_rank_available=False,
            national_rank_note="national local-authority ranks need the IoD 2019 local-authority summaries, "
            "which the geography table does not carry",
            ranking=ranking,
        ),
        period=period,
        area=ctx.area_label,
        definition=ctx.definition,
        indicators=("mean_imd_decile", "lsoas_in_most_deprived_decile"),
    )
    return rows, [finding]


def _ethnicity(ctx: AnalysisContext, period: str) -> tuple[list[pd.DataFrame], list[Finding]]:
    """Residents by ethnic group where the population table has an ``ethnicity_group`` column;
    otherwise a note (the ONS mid-year estimates carry none)."""
    pop = ctx.table("population")
    if "ethnicity_group" not in pop.columns:
        return [], [
            _note(
                ctx,
                "population_ethnicity_not_computed",
                "The ethnicity of residents cannot be shown: the population table (mid-year estimates) has no "
                "ethnic group; perpetrator and victim ethnicity are shown without a resident comparison.",
                period,
            )
        ]
    year = ctx.population_year(ctx.profile)
    sub = pop.filter(pop.year == year)
    df = ctx.fetch(sub.group_by("ethnicity_group").aggregate(n=sub.population.sum()))
    df = df[df["ethnicity_group"].notna()].sort_values(["n", "ethnicity_group"], ascending=[False, True])
    total = float(df["n"].sum())
    names = df["ethnicity_group"].astype(str).tolist()
    import pandas as pd

    stats = pd.DataFrame(
        {"numerator": df["n"].astype(float).to_numpy(), "denominator": total,
         "value": 100.0 * df["n"].astype(float).to_numpy() / total if total else float("nan"), "method": SHARE_METHOD}
    )  # fmt: skip
    r = stat_rows(
        ctx, SECTION, "residents_by_ethnicity", stats, period, "ethnicity", names, statistic="percentage", unit="%"
    )
    top = r.iloc[0]
    f = Finding(
        SECTION,
        "population_ethnicity",
        f"{top.value:.1f}% of residents are {top.breakdown_value}.",
        numbers_from(top, shares={n: plain(v) for n, v in zip(names, r.value, strict=True)}),
        period=period,
        area=ctx.area_label,
        definition=ctx.definition,
        indicators=("residents_by_ethnicity",),
    )
    return [r], [f]


def run(ctx: AnalysisContext) -> SectionResult:
    """Compute the population profile for the profile period's mid-year estimate.

    Parameters
    ----------
    ctx : AnalysisContext
        The context (normally with a blank definition: the section runs once).

    Returns
    -------
    SectionResult
        Indicator rows (``residents``, ``share_of_residents``, ``share_under_focus``,
        ``residents_by_age_sex``, ``residents_by_imd_decile``, ``share_in_most_deprived_decile``,
        ``share_in_most_deprived_quintile``) and findings; a note finding replaces any part
        the data cannot support.
    """
    year = ctx.population_year(ctx.profile)
    period = f"Mid-{year}"
    total = ctx.population(ctx.profile)
    parts: list[pd.DataFrame] = []
    findings: list[Finding] = []
    for step in (_residents, _young, _age_sex):
        r, f = step(ctx, period, total)
        parts += r
        findings += f
    for step2 in (_deprivation, _deprivation_rank, _ethnicity):
        r, f = step2(ctx, period)
        parts += r
        findings += f
    return SectionResult(SECTION, concat_indicators(parts), findings)
