"""Health section: A&E assault attendances, admissions for assault and ambulance call-outs.

For each health source present in the warehouse (``ae_attendances``, ``admissions``,
``ambulance``) the section reports counts and change per financial year, rates per
``config.rate_multiplier`` residents overall and by age group (with the under-25 rate ratio),
rates by five-year age band, by A&E diagnosis and admissions diagnosis group, ambulance
chief complaints and conveyance, and timing profiles (hour, weekday, month). It ends with a
comparison of the health peak hours with the police peak hour for the definition assessed.

Queries are Ibis expressions (a handful per source, each returning at most a few hundred
rows); every figure is computed by :mod:`svsna.stats`. The indicator names and finding keys
are listed in ``docs/indicators-health.md``.

Examples
--------
>>> SOURCES[0].key, SOURCES[0].table
('ae', 'ae_attendances')
>>> hour_label(7)
'07:00-07:59'
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from svsna.indicators import Finding, SectionResult, concat_indicators, indicator_rows

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.analyses._base import AnalysisContext
    from svsna.config import Period

__all__ = ["REQUIRES", "SECTION", "SOURCES", "WEEKDAYS", "HealthSource", "hour_label", "police_peak_hour", "run"]

SECTION = "health"
#: Warehouse tables the runner checks before running the section (health tables are optional).
REQUIRES: tuple[str, ...] = ("geography", "population")
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class HealthSource:
    """How one health table is read: its date column, whether it has a time, its category."""

    key: str
    table: str
    label: str
    when: str
    timed: bool
    category: str
    category_breakdown: str


_SOURCE_SPECS = (
    # key, table, label, date/time column, timed, category column, category breakdown
    ("ae", "ae_attendances", "A&E assault attendances", "arrival_datetime", True, "diagnosis_description", "diagnosis"),
    ("admissions", "admissions", "hospital admissions for assault", "admission_date", False, "diagnosis_group",
     "diagnosis_group"),
    ("ambulance", "ambulance", "ambulance call-outs", "call_datetime", True, "chief_complaint_description",
     "chief_complaint"),
)  # fmt: skip
SOURCES: tuple[HealthSource, ...] = tuple(HealthSource(*spec) for spec in _SOURCE_SPECS)


def hour_label(hour: int) -> str:
    """The reference's label for a clock hour, e.g. ``15:00-15:59``."""
    return f"{hour:02d}:00-{hour:02d}:59"


# --------------------------------------------------------------------------- queries
def _union(parts: list[ibis.Table]) -> ibis.Table:
    import ibis

    return parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)


def _counts_by_age(ctx: AnalysisContext, src: HealthSource, periods: list[Period]) -> pd.DataFrame:
    """Events per period and single year of age (age may be missing): columns period, age, n."""
    import ibis

    t = ctx.table(src.table)
    parts = []
    for p in periods:
        sub = ctx.in_period(t, src.when, p)
        parts.append(
            sub.group_by(age=sub.age.cast("int64")).aggregate(n=sub.count()).mutate(period=ibis.literal(p.label))
        )
    out = ctx.wh.execute(_union(parts))
    out["n"] = out["n"].astype(int)
    return out


def _profile(ctx: AnalysisContext, src: HealthSource) -> ibis.Table:
    return ctx.in_period(ctx.table(src.table), src.when, ctx.profile)


def _counts_by(ctx: AnalysisContext, t: ibis.Table, **keys: Any) -> pd.DataFrame:
    out = ctx.wh.execute(t.group_by(**keys).aggregate(n=t.count()))
    out["n"] = out["n"].astype(int)
    return out


def _timing(ctx: AnalysisContext, src: HealthSource) -> pd.DataFrame:
    """Profile-period events by hour (if timed), weekday (0 = Monday) and month (YYYYMM)."""
    t = _profile(ctx, src)
    ts = t[src.when].cast("timestamp")
    keys: dict[str, Any] = {
        "weekday": ts.day_of_week.index().cast("int64"),
        "month": (ts.year() * 100 + ts.month()).cast("int64"),
    }
    if src.timed:
        keys["hour"] = ts.hour().cast("int64")
    return _counts_by(ctx, t, **keys)


def police_peak_hour(ctx: AnalysisContext) -> tuple[int, int, int] | None:
    """Peak clock hour of in-definition offences in the profile period: (hour, count, total).

    None when the warehouse has no offences (health-only assessments).
    """
    if not (ctx.has("offences") and ctx.has("offence_decisions")):
        return None
    o = ctx.in_period(ctx.offences(), "committed_from", ctx.profile)
    o = o.filter(o.hour.notnull())
    by_hour = _counts_by(ctx, o, hour=o.hour.cast("int64"))
    if by_hour.empty:
        return None
    by_hour = by_hour.sort_values(["n", "hour"], ascending=[False, True])
    return int(by_hour["hour"].iloc[0]), int(by_hour["n"].iloc[0]), int(by_hour["n"].sum())


# ------------------------------------------------------------------------- helpers
def _age_group(age: Any, under: int) -> str | None:
    import pandas as pd

    if age is None or pd.isna(age):
        return None
    return f"Under {under}" if int(age) < under else f"{under} and over"


def _age_bands() -> list[tuple[str, int, int]]:
    from svsna.codelists import load_codelist

    bands = load_codelist("age_bands")
    return [(r.band, int(r.age_from), int(r.age_to)) for r in bands.itertuples()]


def _rows(ctx: AnalysisContext, stats: pd.DataFrame | None = None, **cols: Any) -> pd.DataFrame:
    base: dict[str, Any] = {"section": SECTION, "area": ctx.area_label, "definition": ctx.definition}
    base.update(cols)
    return indicator_rows(stats, **base)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fmt(x: float, nd: int = 1) -> str:
    return f"{x:,.{nd}f}"


# -------------------------------------------------------------------------- parts
class _SourceAnalysis:
    """All rows and findings for one health source."""

    def __init__(self, ctx: AnalysisContext, src: HealthSource, populations: dict | None = None) -> None:
        self.ctx = ctx
        self.src = src
        self._populations = {} if populations is None else populations
        self.rows: list[pd.DataFrame] = []
        self.findings: list[Finding] = []
        self.similar: bool | None = None
        self.rate_ratio: float | None = None
        self.peak_hour: int | None = None

    def population(self, period: Period, age_from: int = 0, age_to: int = 200) -> float:
        """Residents of the whole area aged ``age_from``..``age_to`` (memoised across sources)."""
        key = (period.label, age_from, age_to)
        if key not in self._populations:
            self._populations[key] = self.ctx.population(period, age_from=age_from, age_to=age_to)
        return self._populations[key]

    def finding(self, key: str, text: str, numbers: dict[str, Any], **kw: Any) -> None:
        nums = {"source": self.src.key, "label": self.src.label, **numbers}
        kw.setdefault("period", self.ctx.profile.label)
        kw.setdefault("definition", self.ctx.definition)
        self.findings.append(Finding(section=SECTION, key=key, text=text, numbers=nums, area=self.ctx.area_label, **kw))

    # counts, change, rates by age group
    def volumes_and_rates(self) -> None:
        from svsna.stats import crude_rate, period_change, rate_ratio

        ctx, src, under = self.ctx, self.src, self.ctx.under
        periods = [*ctx.periods, ctx.profile]
        by_age = _counts_by_age(ctx, src, periods)
        by_age["age_group"] = [_age_group(a, under) for a in by_age["age"]]
        totals = {p.label: int(by_age.loc[by_age["period"] == p.label, "n"].sum()) for p in periods}
        self.rows.append(
            _rows(
                ctx,
                None,
                indicator=f"{src.key}_count",
                period=[p.label for p in periods],
                breakdown="all",
                breakdown_value="all",
                numerator=[float(totals[p.label]) for p in periods],
                value=[float(totals[p.label]) for p in periods],
                method="Count",
            )
        )
        # change between consecutive financial years
        fys = [p for p in ctx.periods if p.kind == "financial_year"]
        for before, now in itertools.pairwise(fys):
            ch = period_change(totals[now.label], totals[before.label], confidence=ctx.confidence)
            r = ch.loc[0]
            stats = ch.assign(
                value=ch["pct_change"],
                lower=100 * (ch["lower"] - 1),
                upper=100 * (ch["upper"] - 1),
                numerator=ch["count_now"],
                denominator=ch["count_before"],
                comparator_value=ch["count_before"],
            )
            self.rows.append(
                _rows(
                    ctx, stats, indicator=f"{src.key}_change", period=now.label, breakdown="all", breakdown_value="all"
                )
            )
            if r["significance"] == "Not compared":  # e.g. no events in the earlier year
                continue
            word = "an increase" if r["pct_change"] > 0 else "a decrease"
            sig = "statistically significant" if r["significance"] in ("Increase", "Decrease") else "not significant"
            self.finding(
                "health_count_change",
                f"In {now.label} there were {totals[now.label]:,} {src.label}, {word} of "
                f"{_fmt(abs(r['pct_change']))}% on {before.label} ({sig}).",
                {
                    "count": totals[now.label],
                    "previous_count": totals[before.label],
                    "previous_period": before.label,
                    "change_pct": float(r["pct_change"]),
                    "lower": float(100 * (r["lower"] - 1)),
                    "upper": float(100 * (r["upper"] - 1)),
                },
                significance=str(r["significance"]),
                period=now.label,
                indicators=[f"{src.key}_change"],
                headline=now is fys[-1] and src.key in ("ae", "admissions"),
            )
        # rates: all ages and by age group, and the under-25 rate ratio
        groups = [f"Under {under}", f"{under} and over"]
        g_counts, g_pops, g_period, g_label = [], [], [], []
        for p in periods:
            g_period.append(p.label)
            g_label.append("all")
            g_counts.append(totals[p.label])
            g_pops.append(self.population(p))
            for g, (lo, hi) in zip(groups, [(0, under - 1), (under, 200)], strict=True):
                g_period.append(p.label)
                g_label.append(g)
                sel = (by_age["period"] == p.label) & (by_age["age_group"] == g)
                g_counts.append(int(by_age.loc[sel, "n"].sum()))
                g_pops.append(self.population(p, lo, hi))
        rates = crude_rate(g_counts, g_pops, multiplier=ctx.multiplier, confidence=ctx.confidence)
        self.rows.append(
            _rows(
                ctx,
                rates,
                indicator=f"{src.key}_rate",
                period=g_period,
                breakdown=["all" if v == "all" else "age_group" for v in g_label],
                breakdown_value=g_label,
            )
        )
        rr = rate_ratio(
            [g_counts[i] for i in range(1, len(g_counts), 3)],
            [g_pops[i] for i in range(1, len(g_pops), 3)],
            [g_counts[i] for i in range(2, len(g_counts), 3)],
            [g_pops[i] for i in range(2, len(g_pops), 3)],
            confidence=ctx.confidence,
        )
        self.rows.append(
            _rows(
                ctx,
                rr,
                indicator=f"{src.key}_rate_ratio_under25",
                period=[p.label for p in periods],
                breakdown="age_group",
                breakdown_value=groups[0],
            )
        )
        last = rr.iloc[-1]  # the profile period
        prof_rates = rates.iloc[-3:].reset_index(drop=True)
        if last["significance"] != "Not compared":
            self.similar = bool(last["significance"] == "Similar")
            self.rate_ratio = float(last["value"])
            how = "similar to" if self.similar else ("higher than" if last["value"] > 1 else "lower than")
            self.finding(
                "health_rate_ratio_under25",
                f"The rate of {src.label} for people under {under} ({_fmt(prof_rates.loc[1, 'value'], 2)} per "
                f"{ctx.multiplier:,}) is {how} the rate for people {under} and over "
                f"({_fmt(prof_rates.loc[2, 'value'], 2)}); rate ratio {_fmt(last['value'], 2)} "
                f"({_fmt(last['lower'], 2)}-{_fmt(last['upper'], 2)}).",
                {
                    "rate_under": float(prof_rates.loc[1, "value"]),
                    "rate_over": float(prof_rates.loc[2, "value"]),
                    "rate_ratio": float(last["value"]),
                    "lower": float(last["lower"]),
                    "upper": float(last["upper"]),
                    "similar": self.similar,
                },
                significance=str(last["significance"]),
                indicators=[f"{src.key}_rate_ratio_under25"],
            )
        self._age_bands(by_age[by_age["period"] == ctx.profile.label])

    def _age_bands(self, prof: pd.DataFrame) -> None:
        from svsna.stats import crude_rate

        ctx, src = self.ctx, self.src
        bands = _age_bands()
        counts = [int(prof.loc[(prof["age"] >= lo) & (prof["age"] <= hi), "n"].sum()) for _, lo, hi in bands]
        pops = [self.population(ctx.profile, lo, hi) for _, lo, hi in bands]
        rates = crude_rate(counts, pops, multiplier=ctx.multiplier, confidence=ctx.confidence)
        self.rows.append(
            _rows(
                ctx,
                rates,
                indicator=f"{src.key}_rate",
                period=ctx.profile.label,
                breakdown="age_band",
                breakdown_value=[b for b, _, _ in bands],
            )
        )
        if rates["value"].notna().any() and sum(counts):
            i = int(rates["value"].fillna(-1).to_numpy().argmax())
            r = rates.loc[i]
            self.finding(
                "health_peak_age_band",
                f"{_cap(src.label)} have the highest rate among people aged {bands[i][0]} "
                f"({_fmt(r['value'], 2)} per {ctx.multiplier:,}).",
                {
                    "band": bands[i][0],
                    "rate": float(r["value"]),
                    "lower": float(r["lower"]),
                    "upper": float(r["upper"]),
                    "count": counts[i],
                },
                indicators=[f"{src.key}_rate"],
            )

    # categories: A&E diagnosis, admissions diagnosis group, ambulance chief complaint
    def categories(self) -> None:
        from svsna.stats import crude_rate, proportion

        ctx, src = self.ctx, self.src
        t = _profile(ctx, src)
        cats = _counts_by(ctx, t, category=t[src.category])
        total = int(cats["n"].sum())  # unrecorded categories stay in the denominator of shares
        cats = cats.dropna(subset=["category"])
        if cats.empty:
            return
        cats = cats.sort_values(["n", "category"], ascending=[False, True]).reset_index(drop=True)
        ind = f"{src.key}_share" if src.key == "ambulance" else f"{src.key}_rate"
        if src.key == "ambulance":
            stats = proportion(cats["n"], total, confidence=ctx.confidence, multiplier=100)
        else:
            stats = crude_rate(
                cats["n"], self.population(ctx.profile), multiplier=ctx.multiplier, confidence=ctx.confidence
            )
        self.rows.append(
            _rows(
                ctx,
                stats,
                indicator=ind,
                period=ctx.profile.label,
                breakdown=src.category_breakdown,
                breakdown_value=cats["category"].astype(str).tolist(),
            )
        )
        top_n = {"ae": 5, "admissions": 2, "ambulance": 1}[src.key]
        items = [
            {
                src.category_breakdown if src.key != "ae" else "diagnosis": str(cats.loc[i, "category"]),
                "count": int(cats.loc[i, "n"]),
                "rate": float(stats.loc[i, "value"]),
                "lower": float(stats.loc[i, "lower"]),
                "upper": float(stats.loc[i, "upper"]),
            }
            for i in range(min(top_n, len(cats)))
        ]
        if src.key == "ambulance":
            top = items[0]
            self.finding(
                "ambulance_top_chief_complaint",
                f"The most common chief complaint for ambulance call-outs was '{top['chief_complaint']}' "
                f"({_fmt(top['rate'])}% of call-outs).",
                {
                    "chief_complaint": top["chief_complaint"],
                    "count": top["count"],
                    "share": top["rate"],
                    "lower": top["lower"],
                    "upper": top["upper"],
                },
                indicators=[ind],
            )
        else:
            key = "ae_top_diagnoses" if src.key == "ae" else "admissions_top_diagnosis_groups"
            name = "diagnosis" if src.key == "ae" else "diagnosis_group"
            listed = ", ".join(f"{it[name]} ({_fmt(it['rate'], 2)})" for it in items)
            self.finding(
                key,
                f"Highest rates of {src.label} per {ctx.multiplier:,} residents by {name.replace('_', ' ')}: {listed}.",
                {"items": items, "multiplier": ctx.multiplier},
                indicators=[ind],
            )

    def conveyance(self) -> None:
        from svsna.stats import proportion

        ctx, under = self.ctx, self.ctx.under
        t = _profile(ctx, self.src)
        c = _counts_by(ctx, t, conveyed=t.conveyed, age=t.age.cast("int64"))
        known = c[c["conveyed"].notna()]
        conveyed = known[known["conveyed"].astype(bool)]
        share = proportion(int(conveyed["n"].sum()), int(known["n"].sum()), confidence=ctx.confidence, multiplier=100)
        self.rows.append(
            _rows(
                ctx,
                share,
                indicator="ambulance_share_conveyed",
                period=ctx.profile.label,
                breakdown="all",
                breakdown_value="all",
            )
        )
        aged = conveyed[conveyed["age"].notna()]
        n_under = int(aged.loc[aged["age"] < under, "n"].sum())
        u = proportion(n_under, int(aged["n"].sum()), confidence=ctx.confidence, multiplier=100)
        self.rows.append(
            _rows(
                ctx,
                u,
                indicator="ambulance_conveyed_share_under25",
                period=ctx.profile.label,
                breakdown="all",
                breakdown_value="all",
            )
        )
        r = u.loc[0]
        if r["method"] == "Wilson":
            self.finding(
                "ambulance_conveyed_under25_share",
                f"People under {under} account for {_fmt(r['value'])}% ({_fmt(r['lower'])}-{_fmt(r['upper'])}%) "
                "of ambulance call-outs that resulted in conveyance to hospital.",
                {
                    "value": float(r["value"]),
                    "lower": float(r["lower"]),
                    "upper": float(r["upper"]),
                    "numerator": int(r["numerator"]),
                    "denominator": int(r["denominator"]),
                },
                indicators=["ambulance_conveyed_share_under25"],
            )

    def timing(self) -> None:
        from svsna.stats import proportion

        ctx, src = self.ctx, self.src
        tm = _timing(ctx, src)
        total = int(tm["n"].sum())
        if total == 0:
            return
        dims: list[tuple[str, list[int], list[str]]] = [("weekday", list(range(7)), list(WEEKDAYS))]
        if src.timed:
            dims.insert(0, ("hour", list(range(24)), [str(h) for h in range(24)]))
        for dim, keys, labels in dims:
            counts = tm.groupby(dim)["n"].sum().reindex(keys, fill_value=0)
            sh = proportion(counts.to_numpy(), total, confidence=ctx.confidence, multiplier=100)
            self.rows.append(
                _rows(
                    ctx,
                    sh,
                    indicator=f"{src.key}_share",
                    period=ctx.profile.label,
                    breakdown=dim,
                    breakdown_value=labels,
                )
            )
            i = int(counts.to_numpy().argmax())
            nums = {"count": int(counts.iloc[i]), "share": float(sh.loc[i, "value"])}
            if dim == "hour":
                self.peak_hour = i
                self.finding(
                    "health_peak_hour",
                    f"{_cap(src.label)} peak between {hour_label(i)}.",
                    {"hour": i, "hour_label": hour_label(i), **nums},
                    indicators=[f"{src.key}_share"],
                )
            else:
                self.finding(
                    "health_peak_weekday",
                    f"{_cap(src.label)} are most frequent on {WEEKDAYS[i]}s.",
                    {"weekday": WEEKDAYS[i], **nums},
                    indicators=[f"{src.key}_share"],
                )
        months = tm.groupby("month")["n"].sum().sort_index()
        labels = [f"{m // 100}-{m % 100:02d}" for m in months.index]
        self.rows.append(
            _rows(
                ctx,
                None,
                indicator=f"{src.key}_count",
                period=ctx.profile.label,
                breakdown="month",
                breakdown_value=labels,
                numerator=months.astype(float).tolist(),
                value=months.astype(float).tolist(),
                method="Count",
            )
        )
        j = int(months.to_numpy().argmax())
        self.finding(
            "health_peak_month",
            f"{_cap(src.label)} peaked in {labels[j]}.",
            {"month": labels[j], "count": int(months.iloc[j])},
            indicators=[f"{src.key}_count"],
        )


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the health section on every health source present in the warehouse."""
    done: list[_SourceAnalysis] = []
    populations: dict = {}
    for src in SOURCES:
        if not ctx.has(src.table):
            continue
        a = _SourceAnalysis(ctx, src, populations)
        a.volumes_and_rates()
        a.categories()
        if src.key == "ambulance":
            a.conveyance()
        a.timing()
        done.append(a)
    rows = [r for a in done for r in a.rows]
    findings = [f for a in done for f in a.findings]
    compared = [a for a in done if a.similar is not None]
    if compared and all(a.similar for a in compared):
        findings.append(
            Finding(
                section=SECTION,
                key="health_rates_similar_by_age",
                text=f"Rates for patients under {ctx.under} and {ctx.under} and over are very similar "
                f"({', '.join(a.src.label for a in compared)}).",
                numbers={
                    "sources": [a.src.key for a in compared],
                    "rate_ratios": {a.src.key: a.rate_ratio for a in compared},
                },
                significance="Similar",
                period=ctx.profile.label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=[f"{a.src.key}_rate_ratio_under25" for a in compared],
            )
        )
    findings.extend(_peak_comparison(ctx, done))
    return SectionResult(section=SECTION, indicators=concat_indicators(rows), findings=findings)


def _peak_comparison(ctx: AnalysisContext, done: list[_SourceAnalysis]) -> list[Finding]:
    timed = {a.src.key: a.peak_hour for a in done if a.peak_hour is not None}
    police = police_peak_hour(ctx) if timed else None
    if police is None:
        return []
    hour = police[0]
    differ = any(h != hour for h in timed.values())
    names = {"ae": "A&E attendances", "ambulance": "ambulance call-outs"}
    parts = [f"police data peak at {hour_label(hour)}"] + [f"{names[k]} at {hour_label(h)}" for k, h in timed.items()]
    lead = "Police and health peaks differ: " if differ else "Police and health data peak at the same hour: "
    return [
        Finding(
            section=SECTION,
            key="police_health_peak_hours",
            text=lead + "; ".join(parts) + ".",
            numbers={
                "police_hour": hour,
                "ae_hour": timed.get("ae"),
                "ambulance_hour": timed.get("ambulance"),
                "differ": differ,
            },
            period=ctx.profile.label,
            area=ctx.area_label,
            definition=ctx.definition,
            indicators=[f"{k}_share" for k in timed],
        )
    ]
