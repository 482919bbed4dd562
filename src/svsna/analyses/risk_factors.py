"""Risk and protective factors: area indicators compared with England, by domain.

Reads the warehouse table ``area_indicators`` (the ``indicators`` data contract: one row
per indicator, area and period with value, 95% limits and, optionally, the England value)
and the **indicator catalogue** that places each indicator in one of the four domains the
reference SNA uses (individual, relationship, community, societal) with its polarity.
Each area value is compared with England by :func:`svsna.stats.compare_to_benchmark`
(Fingertips comparator 1: similar when England lies inside the area's 95% CI) and written
the way the reference writes it ("significantly higher proportion of ...", "below the
national average", "similar to England"). Values without limits or without an England
value are shown as "Not compared".

England may be given either as ``england_value`` on each row or as rows of its own
(``area_code`` ``E92000001`` or ``area_name`` ``England``), as in a Fingertips download.

An extract row is matched to the catalogue by ``indicator_id``, else by its name (ignoring
case, punctuation and parenthetical notes) against the catalogue ``name`` and the optional
``aliases`` column (alternative names separated by ``;``); unmatched indicators are still
shown, in the domain ``uncategorised``. The extract's own indicator name is used in the text.

The catalogue (``indicator_id, name, domain, risk_or_protective, polarity, source, unit``
and optional ``aliases``)
is shipped in ``svsna/definitions/data/indicator_catalogue.csv``; an analyst extends or
overrides it with ``indicator_catalogue.csv`` next to ``area.yaml`` or a file named by
``$SVSNA_INDICATOR_CATALOGUE`` (rows with the same ``indicator_id`` replace shipped rows).

Examples
--------
>>> cat = load_catalogue([])
>>> sorted(set(cat["domain"])) == sorted(DOMAINS)
True
>>> describe("Pupil absence", "%", "Leicester", "Worse", 5.1, 4.6)
'Leicester has a significantly higher proportion of pupil absence than England (5.1 vs 4.6)'
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from svsna.errors import ConfigError
from svsna.indicators import Finding, SectionResult, empty_indicator_table, indicator_rows

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = [
    "CATALOGUE_COLUMNS",
    "DOMAINS",
    "ENGLAND_CODE",
    "REQUIRES",
    "SECTION",
    "admissions_mental_health",
    "catalogue_paths",
    "compare_indicators",
    "describe",
    "load_catalogue",
    "normalise_name",
    "run",
]

SECTION = "risk_factors"
#: Area indicators and surveys do not depend on the serious-violence definition: run once.
PER_DEFINITION = False
REQUIRES: tuple[str, ...] = ()  # area_indicators and admissions are each optional
DOMAINS: tuple[str, ...] = ("individual", "relationship", "community", "societal")
CATALOGUE_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "name",
    "domain",
    "risk_or_protective",
    "polarity",
    "source",
    "unit",
)
ENGLAND_CODE = "E92000001"
_POLARITIES = ("low_is_good", "high_is_good", "not_applicable")
METHOD = "England inside the area's 95% CI -> similar (Fingertips single overlapping CI)"


def _shipped_catalogue() -> Path:
    return Path(str(resources.files("svsna"))) / "definitions" / "data" / "indicator_catalogue.csv"


def catalogue_paths(base_dir: Path | None) -> list[Path]:
    """User catalogue files that extend the shipped one, in the order they are applied."""
    out = []
    if base_dir is not None and (Path(base_dir) / "indicator_catalogue.csv").exists():
        out.append(Path(base_dir) / "indicator_catalogue.csv")
    env = os.environ.get("SVSNA_INDICATOR_CATALOGUE")
    if env:
        if not Path(env).exists():
            raise ConfigError(f"SVSNA_INDICATOR_CATALOGUE points to {env}, which does not exist")
        out.append(Path(env))
    return out


def _read_catalogue(path: Path) -> pd.DataFrame:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CATALOGUE_COLUMNS if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"{path}: indicator catalogue lacks column(s) {missing}; "
            f"hint: the header must be {','.join(CATALOGUE_COLUMNS)}"
        )
    checks = {"domain": DOMAINS, "polarity": _POLARITIES, "risk_or_protective": ("risk", "protective")}
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        if not row.indicator_id.strip():
            raise ConfigError(f"{path}: row {i}: column indicator_id is blank; hint: give the Fingertips or local id")
        for col, allowed in checks.items():
            val = getattr(row, col)
            if val not in allowed:
                raise ConfigError(
                    f"{path}: row {i}: column {col} has value {val!r}, which is not one of {list(allowed)}; "
                    f"hint: fix the value for indicator {row.indicator_id}"
                )
    if "aliases" not in frame.columns:
        frame["aliases"] = ""
    return frame[[*CATALOGUE_COLUMNS, "aliases"]]


def load_catalogue(extra: list[Path] | None = None) -> pd.DataFrame:
    """The shipped catalogue, extended and overridden (by ``indicator_id``) by ``extra`` files."""
    import pandas as pd

    frame = _read_catalogue(_shipped_catalogue())
    for path in extra or []:
        user = _read_catalogue(path)
        frame = pd.concat([frame[~frame["indicator_id"].isin(user["indicator_id"])], user], ignore_index=True)
    return frame.reset_index(drop=True)


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


def _kind(unit: str) -> str:
    u = (unit or "").strip().lower()
    if u in ("%", "percent", "percentage", "proportion"):
        return "proportion"
    if u.startswith("per ") or "rate" in u:
        return "rate"
    return "value"


def _num(x: float | None) -> str:
    import math

    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:,.1f}"


def describe(name: str, unit: str, area: str, significance: str, value: float, england: float | None) -> str:
    """The reference's wording for one comparison (the sentence without a final full stop)."""
    label = name[:1].lower() + name[1:] if not name[:2].isupper() else name
    figures = f"({_num(value)} vs {_num(england)})"
    if significance == "Not compared":
        return f"{area}: {name} {_num(value)} (England {_num(england)}), not compared with England"
    if significance == "Similar":
        return f"{area} is similar to England for {label} {figures}"
    higher = england is not None and value > england
    if higher:
        return f"{area} has a significantly higher {_kind(unit)} of {label} than England {figures}"
    return f"{area} is significantly below the national average for {label} {figures}"


def _phrase(significance: str, higher: bool) -> str:
    if significance == "Not compared":
        return "not compared with England"
    if significance == "Similar":
        return "similar to England"
    return "significantly higher than England" if higher else "significantly below the national average"


def _period_key(period: str) -> tuple[int, str]:
    m = re.search(r"(?:19|20)\d{2}", period)
    return (int(m.group(0)) if m else 0, period)


def compare_indicators(data: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Latest period per indicator and area, joined to the catalogue and compared with England.

    Returns one row per (indicator, area) with the catalogue fields, ``england_value``,
    ``significance`` and ``phrase``.
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
    d["indicator_id"] = d["indicator_id"].astype(str)
    is_eng = (d["area_code"].astype(str) == ENGLAND_CODE) | (d["area_name"].astype(str).str.lower() == "england")
    eng = d[is_eng].set_index(["indicator_id", "period"])["value"]
    areas = d[~is_eng].copy()
    if areas.empty:
        return areas
    from_rows = [eng.get((i, p), np.nan) for i, p in zip(areas["indicator_id"], areas["period"], strict=True)]
    areas["england_value"] = areas["england_value"].astype(float).fillna(pd.Series(from_rows, index=areas.index))
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
    row_pol = areas["polarity"].where(areas["polarity"].isin(_POLARITIES), "not_applicable")
    areas["polarity"] = np.where(known, areas["_cat"].map(cat["polarity"]), row_pol)
    areas["unit"] = np.where(known, areas["_cat"].map(cat["unit"]), areas["unit"].fillna(""))
    cmp = compare_to_benchmark(
        areas["value"].astype(float),
        areas["lower"].astype(float),
        areas["upper"].astype(float),
        areas["england_value"].astype(float),
        polarity=areas["polarity"].tolist(),
    )
    areas["significance"] = cmp["significance"].to_numpy()
    higher = (areas["value"].astype(float) > areas["england_value"].astype(float)).to_numpy()
    areas["phrase"] = [_phrase(s, h) for s, h in zip(areas["significance"], higher, strict=True)]
    order = {d: i for i, d in enumerate((*DOMAINS, "uncategorised"))}
    areas["_order"] = areas["domain"].map(order)
    return areas.sort_values(["_order", "indicator_id", "area_name"]).drop(columns=["_key", "_order", "_cat"])


def admissions_mental_health(ctx: AnalysisContext) -> tuple[pd.DataFrame, list[Finding]]:
    """Share of assault admissions (profile period) with a mental-health flag, overall and by age group.

    The reference: "A third of under 25s admitted to hospital for an assault-related injury had
    a mental health flag". Admissions with the flag not recorded are left out of the denominator.
    """
    from svsna.stats import proportion

    if not ctx.has("admissions"):
        return empty_indicator_table(), []
    t = ctx.in_period(ctx.table("admissions"), "admission_date", ctx.profile)
    t = t.filter(t.mental_health_flag.notnull())
    c = ctx.wh.execute(t.group_by(age=t.age.cast("int64"), flag=t.mental_health_flag).aggregate(n=t.count()))
    if c.empty:
        return empty_indicator_table(), []
    under = ctx.under
    c["group"] = [None if a != a else (f"Under {under}" if a < under else f"{under} and over") for a in c["age"]]
    labels = ["all", f"Under {under}", f"{under} and over"]
    sel = [c.index == c.index, c["group"] == labels[1], c["group"] == labels[2]]
    num = [int(c.loc[m & c["flag"].astype(bool), "n"].sum()) for m in sel]
    den = [int(c.loc[m, "n"].sum()) for m in sel]
    st = proportion(num, den, confidence=ctx.confidence, multiplier=100)
    rows = indicator_rows(
        st,
        section=SECTION,
        indicator="admissions_mental_health_share",
        period=ctx.profile.label,
        area=ctx.area_label,
        breakdown=["all", "age_group", "age_group"],
        breakdown_value=labels,
        definition=ctx.definition,
    )
    r = st.loc[1]
    if r["method"] != "Wilson":
        return rows, []
    finding = Finding(
        section=SECTION,
        key="admissions_mental_health_under25",
        text=f"{r['value']:.0f}% ({r['lower']:.0f}-{r['upper']:.0f}%) of people under {under} admitted to hospital "
        "for an assault-related injury had a mental health flag.",
        numbers={"value": float(r["value"]), "lower": float(r["lower"]), "upper": float(r["upper"]),
                 "numerator": num[1], "denominator": den[1], "all_ages_value": float(st.loc[0, "value"])},
        period=ctx.profile.label,
        area=ctx.area_label,
        definition=ctx.definition,
        indicators=["admissions_mental_health_share"],
    )  # fmt: skip
    return rows, [finding]


def run(ctx: AnalysisContext) -> SectionResult:
    """Compare every area indicator with England, summarise by domain, and report the
    mental-health flag among people admitted for assault."""
    from svsna.indicators import concat_indicators

    mh_rows, mh_findings = admissions_mental_health(ctx)
    if not ctx.has("area_indicators"):
        return SectionResult(section=SECTION, indicators=mh_rows, findings=mh_findings)
    result = _compare_section(ctx)
    result.indicators = concat_indicators([result.indicators, mh_rows])
    result.findings.extend(mh_findings)
    return result


def _compare_section(ctx: AnalysisContext) -> SectionResult:
    data = ctx.wh.execute(ctx.table("area_indicators"))
    catalogue = load_catalogue(catalogue_paths(ctx.config.base_dir))
    res = compare_indicators(data, catalogue)
    if res.empty:
        return SectionResult(section=SECTION, indicators=empty_indicator_table(), findings=[])
    rows = indicator_rows(
        None,
        section=SECTION,
        indicator=res["indicator_id"].tolist(),
        period=res["period"].astype(str).tolist(),
        area=res["area_name"].astype(str).tolist(),
        breakdown="domain",
        breakdown_value=res["domain"].tolist(),
        numerator=res["count"].astype(float).tolist(),
        denominator=res["denominator"].astype(float).tolist(),
        value=res["value"].astype(float).tolist(),
        lower=res["lower"].astype(float).tolist(),
        upper=res["upper"].astype(float).tolist(),
        method=METHOD,
        confidence=0.95,
        comparator_value=res["england_value"].astype(float).tolist(),
        significance=res["significance"].tolist(),
        definition=ctx.definition,
    )
    findings = []
    for r in res.itertuples(index=False):
        eng = None if r.england_value != r.england_value else float(r.england_value)
        findings.append(
            Finding(
                section=SECTION,
                key="risk_factor_comparison",
                text=describe(r.name, r.unit, r.area_name, r.significance, float(r.value), eng) + ".",
                numbers={
                    "indicator_id": r.indicator_id,
                    "name": r.name,
                    "domain": r.domain,
                    "risk_or_protective": r.risk_or_protective,
                    "polarity": r.polarity,
                    "area": r.area_name,
                    "period": str(r.period),
                    "value": float(r.value),
                    "lower": _none(r.lower),
                    "upper": _none(r.upper),
                    "england_value": eng,
                    "unit": r.unit,
                    "significance": r.significance,
                    "phrase": r.phrase,
                },
                significance=r.significance,
                period=str(r.period),
                area=r.area_name,
                definition=ctx.definition,
                indicators=[r.indicator_id],
            )
        )
    for domain, grp in res.groupby("domain", sort=False):
        counts = grp["significance"].value_counts().to_dict()

        def names(label: str, grp: pd.DataFrame = grp) -> list[str]:
            return grp.loc[grp["significance"] == label, "name"].unique().tolist()

        findings.append(
            Finding(
                section=SECTION,
                key="risk_factor_domain_summary",
                text=f"{domain.capitalize()} factors: {len(grp)} comparisons, "
                f"{counts.get('Worse', 0)} significantly worse than England, {counts.get('Better', 0)} better, "
                f"{counts.get('Higher', 0) + counts.get('Lower', 0)} higher or lower (no judgement), "
                f"{counts.get('Similar', 0)} similar.",
                numbers={
                    "domain": domain,
                    "worse": names("Worse"),
                    "better": names("Better"),
                    "higher": names("Higher"),
                    "lower": names("Lower"),
                    "similar": names("Similar"),
                    "not_compared": names("Not compared"),
                    "counts": {str(k): int(v) for k, v in counts.items()},
                },
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=grp["indicator_id"].unique().tolist(),
            )
        )
    return SectionResult(section=SECTION, indicators=rows, findings=findings)


def _none(x: float) -> float | None:
    return None if x is None or x != x else float(x)
