"""Risk and protective factors: area indicators compared with England, by domain.

Reads the warehouse table ``area_indicators`` (the ``indicators`` data contract: one row per
indicator, area and period with value, 95% limits and, optionally, the England value) and the
**indicator catalogue** (:func:`svsna.definitions.evidence.load_catalogue`) that places each
indicator in one of the four domains the reference SNA uses (individual, relationship,
community, societal) with its unit and polarity. Each area value is compared with England by
:func:`svsna.stats.compare_to_benchmark` (Fingertips comparator 1: similar when England lies
inside the area's 95% CI).

Polarity decides the words: ``low_is_good`` / ``high_is_good`` give Better/Worse;
``not_applicable`` (no better direction) and ``neutral`` (a direction exists but is deliberately
not judged, with the reason recorded in the catalogue: a lower rate of children in need, of
child protection plans or of recorded domestic abuse may reflect under-identification) give
Higher/Lower.

A value is **not compared** (significance ``Not compared``, never a marker) when it is missing,
when it has no confidence interval, or when no England value is available; the finding says
which (``not_compared_reason``) and a missing England value is "not available", not suppressed.

England may be given either as ``england_value`` on each row or as rows of its own
(``area_code`` ``E92000001`` or ``area_name`` ``England``), as in a Fingertips download. An
extract row is matched to the catalogue by ``indicator_id``, else by its name (ignoring case,
punctuation and parenthetical notes) against the catalogue ``name`` and ``aliases``; unmatched
indicators are still shown, in the domain ``uncategorised``.

The section does not depend on the serious-violence definition (``PER_DEFINITION = False``).
It also reports the share of people admitted for assault with a mental-health flag (from the
``admissions`` table), which the reference lists among the individual risk factors.

Examples
--------
>>> phrase("Worse", True, "low_is_good"), phrase("Higher", True, "neutral"), phrase("Not compared", False, "")
('significantly worse than England', 'significantly higher than England', 'not compared with England')
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from svsna.analyses._figures import shares, stat_rows
from svsna.analyses._health_kit import make_finding, numbers
from svsna.definitions.evidence import (
    DOMAINS,
    catalogue_paths,
    load_catalogue,
    unit_statistic,
    unit_words,
)
from svsna.indicators import Finding, SectionResult, Significance, concat_indicators, empty_indicator_table

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = [
    "DOMAINS",
    "ENGLAND_CODE",
    "PER_DEFINITION",
    "REQUIRES",
    "REQUIRES_ANY",
    "SECTION",
    "admissions_mental_health",
    "catalogue_paths",
    "compare_indicators",
    "load_catalogue",
    "normalise_name",
    "phrase",
    "run",
]

SECTION = "risk_factors"
#: Area indicators do not depend on the serious-violence definition: run once.
PER_DEFINITION = False
REQUIRES: tuple[str, ...] = ()  # area_indicators and admissions are each optional
#: ... but one of them is needed (without either the section is "not supplied", not a run with nothing)
REQUIRES_ANY: tuple[str, ...] = ("area_indicators", "admissions")
ENGLAND_CODE = "E92000001"
METHOD = "Compared with England: similar when England lies inside the area's 95% CI (Fingertips method)"
_DATA_POLARITIES = ("low_is_good", "high_is_good", "not_applicable")
#: Why a value is not compared, by reason code.
NOT_COMPARED = {
    "value_missing": "Not compared: value missing or suppressed at source",
    "no_ci": "Not compared: no confidence interval",
    "no_england": "Not compared: England value not available",
}


def normalise_name(name: str) -> str:
    """Indicator name without case, punctuation or parenthetical notes, for matching.

    >>> normalise_name("Suspensions (per 100 pupils)") == normalise_name("suspensions")
    True
    >>> normalise_name("Domestic abuse-related incidents and crimes")
    'domestic abuse related incidents and crimes'
    """
    text = re.sub(r"\([^)]*\)", " ", name.lower())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _name_index(catalogue: pd.DataFrame) -> dict[str, str]:
    """Normalised catalogue name or alias -> catalogue indicator_id (ids win over names)."""
    out: dict[str, str] = {}
    for r in catalogue.itertuples(index=False):
        names = [r.name, *[a for a in str(getattr(r, "aliases", "") or "").split(";") if a.strip()]]
        for n in names:
            out.setdefault(normalise_name(n), r.indicator_id)
    return out


def phrase(significance: str, higher: bool, polarity: str) -> str:
    """The comparison in words (no "better" or "worse" unless the polarity judges it)."""
    sig = Significance(significance) if significance in {s.value for s in Significance} else None
    if sig is None or sig == Significance.NOT_COMPARED:
        return "not compared with England"
    if sig == Significance.SIMILAR:
        return "similar to England"
    if sig in (Significance.BETTER, Significance.WORSE):
        return f"significantly {sig.value.lower()} than England"
    return "significantly higher than England" if higher else "significantly lower than England"


def _period_key(period: str) -> tuple[int, str]:
    m = re.search(r"(?:19|20)\d{2}", period)
    return (int(m.group(0)) if m else 0, period)


def compare_indicators(data: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Latest period per indicator and area, joined to the catalogue and compared with England.

    Returns one row per (indicator, area) with the catalogue fields, ``england_value``,
    ``significance``, ``not_compared_reason`` (blank when compared), ``unit_words``,
    ``statistic`` and ``phrase``.
    """
    import numpy as np
    import pandas as pd

    from svsna.stats import compare_to_benchmark

    d = data.copy()
    for col in ("lower", "upper", "count", "denominator", "england_value"):
        if col not in d.columns:
            d[col] = np.nan
    for col in ("polarity", "unit"):
        if col not in d.columns:
            d[col] = None
    for col in ("value", "lower", "upper", "count", "denominator", "england_value"):
        d[col] = pd.to_numeric(d[col], errors="coerce").astype(float)
    d["indicator_id"] = d["indicator_id"].astype(str)
    is_eng = (d["area_code"].astype(str) == ENGLAND_CODE) | (d["area_name"].astype(str).str.lower() == "england")
    eng = d[is_eng].set_index(["indicator_id", "period"])["value"]
    areas = d[~is_eng].copy()
    if areas.empty:
        return areas
    from_rows = [eng.get((i, p), np.nan) for i, p in zip(areas["indicator_id"], areas["period"], strict=True)]
    areas["england_value"] = areas["england_value"].fillna(pd.Series(from_rows, index=areas.index, dtype=float))
    areas["_key"] = [_period_key(str(p)) for p in areas["period"]]
    areas = areas.sort_values("_key").groupby(["indicator_id", "area_code"], as_index=False).tail(1)
    cat = catalogue.set_index("indicator_id")
    by_name = _name_index(catalogue)
    areas["_cat"] = [
        i if i in cat.index else by_name.get(normalise_name(str(n)))
        for i, n in zip(areas["indicator_id"], areas["indicator_name"], strict=True)
    ]
    known = areas["_cat"].notna().to_numpy()
    data_name = areas["indicator_name"].fillna("").astype(str)
    areas["name"] = np.where(data_name.str.strip() != "", data_name, areas["_cat"].map(cat["name"]))
    areas["domain"] = np.where(known, areas["_cat"].map(cat["domain"]), "uncategorised")
    areas["risk_or_protective"] = np.where(known, areas["_cat"].map(cat["risk_or_protective"]), "")
    row_pol = areas["polarity"].where(areas["polarity"].isin(_DATA_POLARITIES), "not_applicable")
    areas["polarity"] = np.where(known, areas["_cat"].map(cat["polarity"]), row_pol)
    areas["polarity_reason"] = np.where(known, areas["_cat"].map(cat["polarity_reason"]), "")
    areas["unit"] = np.where(known, areas["_cat"].map(cat["unit"]), areas["unit"].fillna(""))
    areas["source"] = np.where(known, areas["_cat"].map(cat["source"]), "")
    areas["unit_words"] = [unit_words(u) for u in areas["unit"]]
    areas["statistic"] = [unit_statistic(u) for u in areas["unit"]]
    stats_polarity = areas["polarity"].replace({"neutral": "not_applicable"}).tolist()
    cmp = compare_to_benchmark(
        areas["value"], areas["lower"], areas["upper"], areas["england_value"], polarity=stats_polarity
    )
    areas["significance"] = cmp["significance"].to_numpy()
    reason = np.select(
        [areas["value"].isna(), areas["england_value"].isna(), areas["lower"].isna() | areas["upper"].isna()],
        ["value_missing", "no_england", "no_ci"],
        default="",
    )
    areas["not_compared_reason"] = reason
    areas["method"] = [NOT_COMPARED.get(r, METHOD) for r in reason]
    higher = (areas["value"] > areas["england_value"]).to_numpy()
    areas["phrase"] = [
        phrase(s, h, p) for s, h, p in zip(areas["significance"], higher, areas["polarity"], strict=True)
    ]
    order = {d: i for i, d in enumerate((*DOMAINS, "uncategorised"))}
    areas["_order"] = areas["domain"].map(order)
    return areas.sort_values(["_order", "indicator_id", "area_name"]).drop(columns=["_key", "_order", "_cat"])


def admissions_mental_health(ctx: AnalysisContext) -> tuple[pd.DataFrame, list[Finding]]:
    """Share of assault admissions (profile period) with a mental-health flag, overall and by age group.

    The reference: "A third of under 25s admitted to hospital for an assault-related injury had
    a mental health flag". Admissions with the flag not recorded are left out of the denominator.
    """
    if not ctx.has("admissions"):
        return empty_indicator_table(), []
    t = ctx.in_period(ctx.table("admissions"), "admission_date", ctx.profile)
    t = t.filter(t.mental_health_flag.notnull())
    c = ctx.fetch(t.group_by(age=t.age.cast("int64"), flag=t.mental_health_flag).aggregate(n=t.count()))
    if c.empty:
        return empty_indicator_table(), []
    under = ctx.under
    labels = ["all", ctx.under_label, ctx.over_label]
    known_age = c["age"].notna()
    sel = [c.index == c.index, known_age & (c["age"] < under), known_age & (c["age"] >= under)]
    num = [int(c.loc[m & c["flag"].astype(bool), "n"].sum()) for m in sel]
    den = [int(c.loc[m, "n"].sum()) for m in sel]
    st = shares(ctx, num, den)
    rows = stat_rows(
        ctx,
        SECTION,
        "admissions_mental_health_share",
        st,
        ctx.profile.label,
        ["all", "age_group", "age_group"],
        labels,
        statistic="percentage",
        unit="%",
    )
    r = st.loc[1]
    if r["method"] != "Wilson":
        return rows, []
    finding = make_finding(
        SECTION,
        "admissions_mental_health_under25",
        f"{r['value']:.0f}% ({r['lower']:.0f}% to {r['upper']:.0f}%) of the {den[1]:,} people under {under} admitted "
        "to hospital for an assault-related injury (with the flag recorded) had a mental health flag.",
        numbers(
            value=r["value"],
            lower=r["lower"],
            upper=r["upper"],
            unit="%",
            statistic="percentage",
            period=ctx.profile.label,
            n=num[1],
            denominator=den[1],
            numerator=num[1],
            all_ages_value=st.loc[0, "value"],
            all_ages_n=den[0],
            under=under,
        ),
        area=ctx.area_label,
        definition=ctx.definition,
        indicators=["admissions_mental_health_share"],
    )
    return rows, [finding]


def run(ctx: AnalysisContext) -> SectionResult:
    """Compare every area indicator with England, summarise by domain, and report the
    mental-health flag among people admitted for assault."""
    mh_rows, mh_findings = admissions_mental_health(ctx)
    if not ctx.has("area_indicators"):
        return SectionResult(section=SECTION, indicators=mh_rows, findings=mh_findings)
    result = _compare_section(ctx)
    result.indicators = concat_indicators([result.indicators, mh_rows])
    result.findings.extend(mh_findings)
    return result


def _text(r: Any) -> str:
    eng = "England not available" if r.england_value != r.england_value else f"England {r.england_value:,.1f}"
    value = "missing" if r.value != r.value else f"{r.value:,.1f} {r.unit_words}".replace(" %", "%")
    return f"{r.area_name}: {r.name}, {value} ({eng}); {r.phrase}."


def _compare_section(ctx: AnalysisContext) -> SectionResult:
    data = ctx.fetch(ctx.table("area_indicators"))
    catalogue = load_catalogue(catalogue_paths(ctx.config.base_dir))
    res = compare_indicators(data, catalogue)
    if res.empty:
        return SectionResult(section=SECTION, indicators=empty_indicator_table(), findings=[])
    from svsna.indicators import indicator_rows

    rows = indicator_rows(
        None,
        section=SECTION,
        indicator=res["indicator_id"].tolist(),
        period=res["period"].astype(str).tolist(),
        area=res["area_name"].astype(str).tolist(),
        breakdown="domain",
        breakdown_value=res["domain"].tolist(),
        numerator=res["count"].tolist(),
        denominator=res["denominator"].tolist(),
        value=res["value"].tolist(),
        statistic=res["statistic"].tolist(),
        unit=res["unit_words"].tolist(),
        lower=res["lower"].tolist(),
        upper=res["upper"].tolist(),
        method=res["method"].tolist(),
        confidence=0.95,
        comparator_value=res["england_value"].tolist(),
        significance=res["significance"].tolist(),
        definition=ctx.definition,
    )
    findings = []
    for r in res.itertuples(index=False):
        findings.append(
            make_finding(
                SECTION,
                "risk_factor_comparison",
                _text(r),
                numbers(
                    value=r.value,
                    lower=r.lower,
                    upper=r.upper,
                    unit=r.unit_words,
                    statistic=r.statistic,
                    period=str(r.period),
                    significance=r.significance,
                    comparator="England",
                    comparator_value=r.england_value,
                    n=r.count,
                    denominator=r.denominator,
                    comparator_status="available" if r.england_value == r.england_value else "not available",
                    not_compared_reason=r.not_compared_reason or None,
                    indicator_id=r.indicator_id,
                    name=r.name,
                    domain=r.domain,
                    risk_or_protective=r.risk_or_protective,
                    polarity=r.polarity,
                    polarity_reason=r.polarity_reason or None,
                    area=r.area_name,
                    england_value=r.england_value,
                    phrase=r.phrase,
                    source=r.source or None,
                ),
                area=r.area_name,
                definition=ctx.definition,
                indicators=[r.indicator_id],
            )
        )
    findings.extend(_domain_summaries(ctx, res))
    return SectionResult(section=SECTION, indicators=rows, findings=findings)


def _domain_summaries(ctx: AnalysisContext, res: pd.DataFrame) -> list[Finding]:
    out = []
    for domain, grp in res.groupby("domain", sort=False):
        counts = {str(k): int(v) for k, v in grp["significance"].value_counts().items()}

        def names(label: str, grp: pd.DataFrame = grp) -> list[str]:
            return grp.loc[grp["significance"] == label, "name"].unique().tolist()

        worse = grp[grp["significance"] == "Worse"]
        # furthest from England first: the largest relative difference of any area
        rel = (worse["value"] / worse["england_value"] - 1).abs()
        priority = (
            worse.assign(_rel=rel).groupby("name")["_rel"].max().sort_values(ascending=False, kind="stable").index
        )
        text = (
            f"{str(domain).capitalize()} factors: {len(grp)} comparisons with England; "
            f"{counts.get('Worse', 0)} significantly worse, {counts.get('Better', 0)} significantly better, "
            f"{counts.get('Higher', 0) + counts.get('Lower', 0)} significantly higher or lower (not judged), "
            f"{counts.get('Similar', 0)} similar and {counts.get('Not compared', 0)} not compared."
        )
        out.append(
            make_finding(
                SECTION,
                "risk_factor_domain_summary",
                text,
                numbers(
                    value=counts.get("Worse", 0),
                    unit="comparisons",
                    statistic="count",
                    n=counts.get("Worse", 0),
                    denominator=len(grp),
                    domain=domain,
                    worse=names("Worse"),
                    worse_priority=list(priority[:3]),
                    better=names("Better"),
                    higher=names("Higher"),
                    lower=names("Lower"),
                    similar=names("Similar"),
                    not_compared=names("Not compared"),
                    counts=counts,
                ),
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=grp["indicator_id"].unique().tolist(),
            )
        )
    return out
