"""Health section: A&E assault attendances, admissions for assault and ambulance call-outs.

For each health source present in the warehouse (``ae_attendances``, ``admissions``,
``ambulance``) the section reports counts and change per financial year; crude rates per
``config.rate_multiplier`` residents overall and by age group, with the under-25 rate ratio
(a crude comparison: the two groups are compared on their own ages); rates by five-year age
band; rates by district, crude and directly age-standardised (``stats.dsr``, 2013 European
Standard Population), each compared with the whole area; rates and shares by A&E diagnosis
and admissions diagnosis group; ambulance chief complaints and conveyance; hour and weekday
profiles; and the monthly series over the trend window with XmR limits (``stats.spc``), read
against the configured events (lockdowns). It ends with the police peak hour of each
definition next to the health peak hours.

The section does not depend on the serious-violence definition (``PER_DEFINITION = False``):
it runs once and its rows carry the context's definition (blank when the runner runs it).
All counts come from **one** grouped query over the health tables (plus one for the police
peak hours), so that Spark runs two jobs, not dozens. Every figure is computed by
:mod:`svsna.stats`. Indicator names: ``docs/indicators-health.md``; finding keys and their
numbers: ``docs/findings.md``.

Examples
--------
>>> SOURCES[0].key, SOURCES[0].table, SOURCES[2].unit
('ae', 'ae_attendances', 'call-outs')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svsna.analyses._health_kit import make_finding, numbers
from svsna.analyses.health import _profiles, _rates
from svsna.analyses.health._common import SECTION, SOURCES, HealthSource, _fmt, _Populations, _Slice
from svsna.analyses.health._query import _query, police_peak_hours
from svsna.analyses.timing import hour_label
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    from svsna.analyses._base import AnalysisContext

__all__ = [
    "PER_DEFINITION",
    "REQUIRES",
    "REQUIRES_ANY",
    "SECTION",
    "SOURCES",
    "HealthSource",
    "police_peak_hours",
    "run",
]

#: The health tables do not depend on the serious-violence definition: run once.
PER_DEFINITION = False
#: Warehouse tables the runner checks before running the section (each health table is optional).
REQUIRES: tuple[str, ...] = ("geography", "population")
#: The section needs at least one health source (without one it is "not supplied", not a run with nothing).
REQUIRES_ANY: tuple[str, ...] = tuple(s.table for s in SOURCES)


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the health section on every health source present in the warehouse."""
    sources = [s for s in SOURCES if ctx.has(s.table)]
    if not sources:
        return SectionResult(section=SECTION, indicators=concat_indicators([]), findings=[])
    periods = list({p.label: p for p in [*ctx.periods, ctx.profile]}.values())
    q = _query(ctx, sources, periods)
    pops = _Populations(ctx)
    done: list[_Slice] = []
    for src in sources:
        a = _Slice(ctx, src, q, pops)
        totals = _rates.counts_and_change(a, periods)
        _rates.age_group_rates(a, periods, totals)
        _rates.age_band_rates(a)
        _rates.district_rates(a)
        _profiles.categories(a)
        if src.key == "ambulance":
            _profiles.conveyance(a)
        _profiles.timing(a)
        _profiles.monthly(a)
        done.append(a)
    rows = [r for a in done for r in a.rows]
    findings = [f for a in done for f in a.findings]
    findings.extend(_age_comparison(ctx, done))
    findings.extend(_peak_comparison(ctx, done))
    return SectionResult(section=SECTION, indicators=concat_indicators(rows), findings=findings)


def _age_comparison(ctx: AnalysisContext, done: list[_Slice]) -> list[Finding]:
    """One finding comparing the under-25 rate ratios of the sources (no 'very similar': Similar
    only means the confidence interval of the ratio includes 1)."""
    compared = [a.rate_ratio for a in done if a.rate_ratio is not None]
    if not compared:
        return []
    groups = {s: [c["label"] for c in compared if c["significance"] == s] for s in ("Higher", "Lower", "Similar")}
    parts = []
    if groups["Similar"]:
        parts.append(
            f"not significantly different from the rate for {ctx.under} and over for {', '.join(groups['Similar'])}"
        )
    for c in compared:
        if c["significance"] != "Similar":
            parts.append(f"{_fmt(c['value'], 2)} times the rate for {c['label']}")
    return [
        make_finding(
            SECTION,
            "health_age_comparison",
            f"The crude rate for people under {ctx.under} was " + "; ".join(parts) + ".",
            numbers(
                unit="times",
                statistic="ratio",
                period=ctx.profile.label,
                comparator=ctx.over_label,
                sources=compared,
                higher=groups["Higher"],
                lower=groups["Lower"],
                not_different=groups["Similar"],
                under=ctx.under,
                standardised=False,
            ),
            area=ctx.area_label,
            definition=ctx.definition,
            indicators=[f"{c['source']}_rate_ratio_under25" for c in compared],
        )
    ]


def _peak_comparison(ctx: AnalysisContext, done: list[_Slice]) -> list[Finding]:
    """The police peak hour of each definition next to the health peak hours (one query for all)."""
    timed = {a.src.key: a.peak_hour for a in done if a.peak_hour is not None}
    if not timed:
        return []
    # one definition, or (run once by the runner) every definition classified at ingest
    police = police_peak_hours(ctx, [ctx.definition] if ctx.definition else None)
    out = []
    names = {"ae": "A&E attendances", "ambulance": "ambulance call-outs"}
    for definition, (hour, count, total) in sorted(police.items()):
        differ = any(h != hour for h in timed.values())
        parts = [f"police-recorded offences at {hour_label(hour)}"] + [
            f"{names[k]} at {hour_label(h)}" for k, h in timed.items()
        ]
        lead = "Peak hours differ between sources: " if differ else "Police and health data peak at the same hour: "
        out.append(
            make_finding(
                SECTION,
                "police_health_peak_hours",
                lead + "; ".join(parts) + ".",
                numbers(
                    value=hour,
                    unit="hour of the day",
                    period=ctx.profile.label,
                    n=count,
                    denominator=total,
                    police_hour=hour,
                    police_hour_label=hour_label(hour),
                    police_count=count,
                    ae_hour=timed.get("ae"),
                    ambulance_hour=timed.get("ambulance"),
                    differ=differ,
                ),
                area=ctx.area_label,
                definition=definition,
                indicators=[f"{k}_share" for k in timed],
            )
        )
    return out
