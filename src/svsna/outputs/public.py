"""The public release: one disclosure-controlled indicator table, proved safe by a joint audit.

Everything under ``<output>/public/`` (the summary HTML and PDF, the public workbook, the
public indicator table) is drawn from the table :func:`public_release` returns. It is built
from the exact indicator table in five steps (docs/disclosure.md):

1. **Scope and group size.** Only rows the summary can show are published. A group profile
   (a share or mean of a cohort, subgroup or diagnosis) of fewer than ``min_group_size``
   people is withheld and replaced by one sentence; nominal breakdowns with small categories
   fold them into ``Other`` so no small category is named.
2. **Counts.** Every count shown anywhere (a count row, the numerator of a rate or share, the
   denominator of a share, the counts of a change or ratio) is one variable, whichever rows
   print it. Small counts (the rule's range) are withheld, the others rounded by the rule.
3. **Relations.** The relations a reader can use are collected across the whole table:
   margins of every one-, two- and three-way breakdown (with an unpublished remainder where
   parts do not add up to the total, itself protected when small), totals that equal a sum
   printed elsewhere, months that add up to a financial year, a share's count and its
   complement, counts printed in two tables.
4. **Joint audit and secondary suppression.** :func:`svsna.stats.protect` hides further counts
   until no withheld small count can be narrowed by a reader to fewer than the rule set's
   ``protection`` values; :func:`svsna.stats.audit.audit` then proves it on the final table.
5. **Derived figures follow their counts.** Rates, shares, changes, ratios, confidence limits,
   significance and process-control limits are recomputed from the *published* counts and the
   public populations, so they reveal nothing the counts do not; each is published only when
   every count it rests on is. A significance marker is never shown next to a withheld value.

Examples
--------
>>> unsafe_numbers("There were 6 murders and 3,530 assaults in 2020/21 (14.6%).", "nhsd_2018")
['6']
>>> unsafe_numbers("1 in 10 offences; 15-19 year olds; 22:00-05:00; under 25s; 1.6 times.", "nhsd_2018")
[]
>>> unsafe_numbers("Robbery went from 714 in 2020/21 to 684 in 2021/22.", "nhsd_2018")
['714', '684']
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from svsna.indicators import INDICATOR_COLUMNS
from svsna.outputs.catalogue import breakdown_words

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from svsna.stats import RuleSet
    from svsna.stats.audit import AuditProblem, AuditResult

__all__ = [
    "EXTERNAL_SECTIONS",
    "SHOWN_CROSSTABS",
    "PublicRelease",
    "count_rule",
    "featured_indicators",
    "is_safe_count",
    "mean_decimals",
    "public_finding",
    "public_indicators",
    "public_release",
    "public_scope",
    "ratio_partner_rows",
    "suppression_symbol",
    "too_small_to_profile",
    "unsafe_numbers",
    "withheld_what",
]

#: Sections built only from data that are public anyway (ONS population estimates and IMD; the
#: YEF Toolkit): published as they are, and used as known constants by the audit.
EXTERNAL_SECTIONS: frozenset[str] = frozenset({"population", "interventions"})

#: One published breakdown. Indicator names repeat across sections (``age_band_rate`` of victims
#: and of perpetrators), so the section is part of it.
_KEY = ["section", "indicator", "period", "area", "definition", "breakdown"]
#: Breakdowns that are places on a map or ordered scales: never folded into "Other".
_NOT_NOMINAL = frozenset(
    {"all", "age", "age_band", "age_group", "hour", "weekday", "month", "imd_decile", "district", "county", "lsoa"}
    | {"area", "field", "measure", "domain", "approach"}
)
OTHER = "Other"
#: A published breakdown for grouping, where a monthly series whose rows each carry their month as
#: the period (the open-data edition) is one series.
_GKEY = ["section", "indicator", "gperiod", "area", "definition", "breakdown"]


#: The public note of a row of public data (population estimates, Fingertips ...): shown as published,
#: neither rounded nor suppressed.
PUBLIC_DATA_NOTE = "public data, shown as published"
#: The public note of a mean (an average age ...): its value is shown, its group size and sum are not
#: figures of the public table at all (neither published nor withheld).
MEAN_NOTE = "mean of a group of at least the minimum size"


#: Cohorts of people counted by the assessment (``analyses/cohorts.py``) and the indicators that
#: describe a cohort without counting its people (the share of offences with a member as suspect).
#: A cohort of fewer than ``min_group_size`` people is not profiled: neither its breakdown (a zero
#: "25 and over" beside a withheld total says every member is under 25) nor those indicators,
#: whatever their own denominators.
COHORT_PROFILES: dict[str, tuple[str, ...]] = {
    "repeat_offenders": ("repeat_offender_offence_share",),
    "frequent_perpetrators": (),  # its shares and means have the cohort's size as their denominator
    "mam_cohort": (),
}


def too_small_to_profile(n: float, min_group_size: int, rules: str | RuleSet = "nhsd_2018") -> bool:
    """Whether a group of ``n`` is too small to profile: fewer than ``min_group_size``, or a size whose
    published (rounded) count stands for sizes below it.

    Under ``nhsd_2018`` 8 to 12 all print as 10: a profile withheld at 8 or 9 but published at 10 to
    12 would tell a reader who sees "10" and no profile that the group is 8 or 9, narrowing the rounded
    count to two values. So a profile needs every size its printed count stands for to be at least
    ``min_group_size``.

    >>> [n for n in range(6, 16) if too_small_to_profile(n, 10)]
    [6, 7, 8, 9, 10, 11, 12]
    >>> [n for n in range(6, 16) if too_small_to_profile(n, 10, "fewer_than_10")]
    [6, 7, 8, 9]
    """
    from svsna.stats import rule_set

    if math.isnan(n) or n < min_group_size:
        return True
    rs = rule_set(rules)
    return rs.shown_interval(rs.round(n))[0] < min_group_size


def _small_cohorts(t: pd.DataFrame, min_group_size: int, rs: RuleSet) -> np.ndarray:
    """Rows that profile a cohort of fewer than ``min_group_size`` people (:data:`COHORT_PROFILES`):
    the cohort's own breakdown rows and its describing indicators, for the period and definition
    whose whole-cohort count is small (or missing)."""
    import numpy as np

    out = np.zeros(len(t), dtype=bool)
    ind = t["indicator"].astype(str)
    for cohort, describing in COHORT_PROFILES.items():
        whole = t[(ind == cohort) & (t["breakdown"] == "all")]
        size = {
            (str(r.period), str(r.definition)): _f(r.numerator) if not math.isnan(_f(r.numerator)) else _f(r.value)
            for r in whole.itertuples(index=False)
        }
        rows = ((ind == cohort) & (t["breakdown"] != "all")) | ind.isin(describing)
        for i in np.flatnonzero(rows.to_numpy()):
            n = size.get((str(t["period"].iat[i]), str(t["definition"].iat[i])), math.nan)
            if too_small_to_profile(n, min_group_size, rs):
                out[i] = True
    return out


def withheld_what(name: str, period: str, by: str = "") -> str:
    """What a "Not published: ..." sentence names: the figure, its period and breakdown, each once.

    A name that has a breakdown of its own ("... by age band") takes the fuller one instead of a
    second "by"; a name ending in brackets ("(%)") takes the period inside them.

    >>> withheld_what("Rate per 1,000 population by age band", "Apr 2020 - Sep 2021", "sex and age band")
    'Rate per 1,000 population by sex and age band (Apr 2020 - Sep 2021)'
    >>> withheld_what("Hot spots persisting into the next year (%)", "2020/21")
    'Hot spots persisting into the next year (%, 2020/21)'
    >>> withheld_what("Repeat offenders", "2020/21", "age group")
    'Repeat offenders (2020/21) by age group'
    >>> withheld_what("Offences by under 25s against under 25s", "2020/21", "district")
    'Offences by under 25s against under 25s (2020/21) by district'
    """
    if by and " by " in name and name.rsplit(" by ", 1)[1].lower() in by.lower():
        name = f"{name.rsplit(' by ', 1)[0]} by {by}"
        by = ""
    head = f"{name[:-1]}, {period})" if name.endswith(")") else f"{name} ({period})"
    return f"{head} by {by}" if by and by.lower() not in name.lower() else head


def mean_decimals(min_group_size: int) -> int:
    """Decimal places of a published mean or median: few enough that it cannot give its group's size back.

    A mean of whole numbers (ages in years, offences per person) over ``n`` people is ``S / n``
    for a whole sum ``S``. Printed exactly, the smallest ``n`` for which ``mean x n`` is whole is
    the group size (18.04255319148936 = 848 / 47), which undoes the rounding of the group's count
    and can expose a small remainder (one member of no known age). Printed to ``d`` decimal places,
    the mean stands for an interval ``10**-d`` wide; ``S`` then lies in an interval ``n x 10**-d``
    wide, which holds a whole number for every ``n >= 10**d``. With ``d <= log10(min_group_size)``
    every group size a profile may have fits the printed mean, so it says nothing about ``n``.
    At most one decimal place is printed.

    >>> mean_decimals(10), mean_decimals(5), mean_decimals(100)
    (1, 0, 1)
    """
    return 0 if min_group_size < 10 else 1


def _with_group_period(t: pd.DataFrame) -> pd.DataFrame:
    monthly = (t["breakdown"] == "month") & (t["period"] == t["breakdown_value"])
    return t.assign(gperiod=t["period"].where(~monthly, "(monthly)"))


def count_rule(rules: str | RuleSet) -> Callable[[float | None], float | None]:
    """The function mapping a true count to what may be published (None = suppressed).

    >>> rule = count_rule("nhsd_2018")
    >>> rule(3), rule(23), rule(0), rule(3529)
    (None, 25.0, 0.0, 3530.0)
    """
    from svsna.stats import rule_set

    rs = rule_set(rules)

    def rule(n: float | None) -> float | None:
        if n is None or (isinstance(n, float) and math.isnan(n)):
            return None
        if rs.is_small(float(n)):
            return None
        return float(rs.round(float(n)))

    return rule


def suppression_symbol(rules: str) -> str:
    """What a suppressed cell shows (GSS ``[c]``)."""
    from svsna.stats import rule_set

    return rule_set(rules).symbol


def is_safe_count(n: float, rules: str) -> bool:
    """Whether ``n`` could have been published under ``rules`` (a fixed point of the rule).

    >>> is_safe_count(10, "nhsd_2018"), is_safe_count(12, "nhsd_2018"), is_safe_count(0, "nhsd_2018")
    (True, False, True)
    """
    rule = count_rule(rules)
    return rule(n) == n


# ============================================================================================ scope


def public_scope(table: pd.DataFrame, featured: set[str] | None, *, every_row: bool = False) -> pd.Series:
    """Rows of the exact table that the public release may contain (a boolean mask).

    The indicators a public finding refers to (``featured``; None: all), the summary's views
    (:data:`svsna.outputs.views.PUBLIC_VIEWS`), the core views (monthly trend, day-and-hour,
    hour of day, districts, age pyramids, hot-spot classes) and
    the context sections; only breakdowns the summary draws: one-way breakdowns, the
    ``sex|age_band`` pyramid and the ``weekday|hour`` heat map (other cross-tabulations are in the
    full edition only: each would add small cells to protect). LSOA counts and rates are never
    published (hot-spot classes are).
    """
    import pandas as pd

    from svsna.outputs.views import CORE_BREAKDOWNS, PUBLIC_VIEWS

    ind = table["indicator"].astype(str)
    bd = table["breakdown"].astype(str)
    drawn = pd.Series(False, index=table.index)
    for specs in PUBLIC_VIEWS.values():  # the summary's own tables and charts
        for spec in specs:
            drawn |= ind.isin(list(spec.indicators)) & bd.isin([spec.breakdown, *spec.extra])
    keep = (
        drawn
        | bd.isin(list(CORE_BREAKDOWNS))
        | table["section"].isin(["risk_factors", "surveys", "data_quality", "population"])
        | (ind.isin(featured) if featured is not None else True)
    )
    if every_row:  # run metadata ``public_scope: all`` (every proxy group of the open-data edition)
        keep = keep | True
    shown_shape = ~bd.str.contains("|", regex=False) | bd.isin(list(SHOWN_CROSSTABS))
    stat = table["statistic"].astype(str)
    return keep & shown_shape & ((bd != "lsoa") | (stat == "z"))


#: Two-way breakdowns the public summary draws (the others are in the full SNA only).
SHOWN_CROSSTABS: frozenset[str] = frozenset({"sex|age_band", "age_band|sex", "weekday|hour"})


def ratio_partner_rows(table: pd.DataFrame, scope: pd.Series) -> pd.Series:
    """Rows a scoped rate ratio rests on: the rate rows of both groups (found by exact value).

    A published ratio reveals the count of its comparison group, so that count must be in the
    public table (and pass the audit) for the ratio to be published at all.
    """
    import numpy as np

    stat = table["statistic"].astype(str).to_numpy()
    num = table["numerator"].astype(float).to_numpy()
    den = table["denominator"].astype(float).to_numpy()
    val = table["value"].astype(float).to_numpy()
    keys = list(zip(table["period"], table["area"], table["definition"], strict=True))
    rates: dict[tuple, list[int]] = {}
    for j in np.flatnonzero((stat == "rate") & (num > 0) & (den > 0)):
        rates.setdefault(keys[j], []).append(int(j))
    extra = np.zeros(len(table), dtype=bool)
    for i in np.flatnonzero(scope.to_numpy() & (stat == "ratio") & (num > 0) & (den > 0) & (val > 0)):
        for want in (num[i] / den[i], (num[i] / den[i]) / val[i]):
            for j in rates.get(keys[i], []):
                if abs(num[j] / den[j] - want) <= 1e-9 * want:
                    extra[j] = True
                    break
    return scope | extra


def featured_indicators(findings: Iterable[Any], definition: str) -> set[str]:
    """Indicators that public findings of ``definition`` (or of no definition) refer to."""
    out: set[str] = set()
    for f in findings:
        if f.public and (not f.definition or f.definition == definition):
            out |= {str(i) for i in f.indicators}
    return out


# ============================================================================================ release


@dataclass
class PublicRelease:
    """The public indicator table and the audit that proves it (see the module docstring).

    Attributes
    ----------
    table : DataFrame
        :data:`svsna.indicators.INDICATOR_COLUMNS` plus ``public_note`` (what was done to the
        row) and ``source_row`` (the row of the exact table it comes from; -1 for an ``Other``
        row). :meth:`published` keeps only the contract's columns (the file written to ``public/``).
    audit : AuditResult
        The final joint audit (``audit.ok`` is True: a release that fails is never returned).
    rules : RuleSet
    min_group_size : int
    withheld_groups : list of (section, sentence)
        One sentence per group profile withheld because the group is too small.
    counts : dict
        ``primary`` (small counts withheld), ``secondary`` (further counts withheld to protect
        them), ``group_size`` (rows withheld as too-small profiles), ``folded`` (small categories
        combined into Other), ``derived_withheld`` (rates, shares ... withheld with their count),
        ``published_counts``, ``rows``, ``relations``, ``variables``.
    """

    table: pd.DataFrame
    audit: AuditResult
    rules: RuleSet
    min_group_size: int
    withheld_groups: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    problem: AuditProblem | None = None
    names: list[str] = field(default_factory=list)

    @cached_property
    def by_source_row(self) -> pd.DataFrame:
        """The published figures by the exact row they come from (:func:`published_by_source_row`)."""
        return published_by_source_row(self.table)

    def published(self) -> pd.DataFrame:
        """The table as written to ``public/`` (the indicator contract's columns only)."""
        return self.table[list(INDICATOR_COLUMNS)].copy()

    def summary(self) -> dict[str, Any]:
        """Audit facts for ``release.json`` and the methods appendix."""
        a = self.audit
        return {
            "passed": a.ok,
            "protection": a.protection,
            "protected_counts": a.targets,
            "linked_groups": a.components,
            "linear_programmes": a.solves,
            "audit_seconds": round(a.seconds, 3),
            "release_seconds": round(self.seconds, 3),
            "seconds_by_step": dict(self.timings),
            **{k: int(v) for k, v in self.counts.items()},
        }


class _Vars:
    """Count variables of the audit, unified by position and true value."""

    def __init__(self) -> None:
        self.truth: list[float] = []
        self.names: list[str] = []
        self.index: dict[tuple, int] = {}
        self.by_position: dict[tuple, list[int]] = {}
        self.sections: list[set[str]] = []

    def get(self, key: tuple, truth: float, name: str, section: str, position: tuple | None = None) -> int:
        full = (*key, round(float(truth), 6))
        v = self.index.get(full)
        if v is None:
            v = len(self.truth)
            self.index[full] = v
            self.truth.append(float(truth))
            self.names.append(name)
            self.sections.append(set())
            if position is not None:
                self.by_position.setdefault(position, []).append(v)
        self.sections[v].add(section)
        return v

    def new(self, truth: float, name: str) -> int:
        v = len(self.truth)
        self.truth.append(float(truth))
        self.names.append(name)
        self.sections.append(set())
        return v

    def find(self, key: tuple, truth: float) -> int | None:
        return self.index.get((*key, round(float(truth), 6)))


def _f(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _kind(row: Any) -> str:
    """How a row is treated (never guessed from its name: ``statistic``, ``method``, ``section``)."""
    stat = str(row.statistic or "")
    method = str(row.method or "").lower()
    num, den, val = _f(row.numerator), _f(row.denominator), _f(row.value)
    if bool(row.suppressed):
        return "withheld"
    if str(row.section) in EXTERNAL_SECTIONS or "fingertips" in method:
        return "external"
    if stat == "count":
        if math.isnan(num) or (not math.isnan(val) and abs(num - val) < 1e-9):
            return "count" if not (math.isnan(val) and math.isnan(num)) else "other"
        return "other"
    if stat == "rate":
        if "standardis" in method or "dsr" in method or math.isnan(num) or not den > 0:
            return "other"
        return "rate"
    if stat == "percentage":
        if method.startswith("weighted"):
            return "survey"
        if math.isnan(num) or not den > 0:
            return "other"
        return "share"
    if stat == "percent_change":
        return "change" if not (math.isnan(num) or math.isnan(den)) else "other"
    if stat == "ratio":
        return "ratio" if not (math.isnan(num) or not den > 0) else "other"
    if stat in ("mean", "median"):
        return "mean"
    if stat == "z":
        return "z"
    return "other"


def _is_whole(x: float) -> bool:
    return not math.isnan(x) and abs(x - round(x)) < 1e-6 and x >= 0


def _multiplier(value: float, num: float, den: float) -> float:
    """The multiplier a rate or share was computed with (1, 100, 1,000, 100,000 ...)."""
    if not (den > 0) or math.isnan(value) or num <= 0:
        return math.nan
    raw = value * den / num
    return float(10 ** round(math.log10(raw))) if raw > 0 else math.nan


def _parts(breakdown: str) -> list[str]:
    return breakdown.split("|") if breakdown and breakdown != "all" else []


def _month_key(label: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})", label.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def public_release(
    table: pd.DataFrame,
    rules: str | RuleSet = "nhsd_2018",
    *,
    min_group_size: int = 10,
    confidence: float = 0.95,
    periods: Sequence[tuple[str, Any, Any]] = (),
    labels: Callable[[str], str] | None = None,
) -> PublicRelease:
    """Build the public indicator table from the exact one and prove it with the joint audit.

    Parameters
    ----------
    table : DataFrame
        The exact indicator table (``INDICATOR_COLUMNS``), already limited to the rows the
        public edition may contain (:func:`public_scope`) and to one definition.
    rules : str or RuleSet
        Disclosure rule set (``nhsd_2018``, ``fingertips_1_5``, ``fewer_than_10``).
    min_group_size : int, default 10
        Fewest people a group profile (share, mean) may describe.
    confidence : float
        Level of the recomputed confidence intervals.
    periods : sequence of (label, start, end)
        Named periods (financial years ...): their months add up to them.
    labels : callable, optional
        Indicator name -> readable label (for the withheld-profile sentences).

    Raises
    ------
    DisclosureAuditError
        When further suppression cannot protect every small count (names the counts).
    InputDataError
        When the counts contradict each other or the population (e.g. district populations
        that do not add up to the area's).
    """
    import numpy as np

    from svsna.errors import DisclosureAuditError
    from svsna.stats import rule_set
    from svsna.stats.audit import audit

    started = time.perf_counter()
    timings: dict[str, float] = {}
    clock = [started]

    def lap(name: str) -> None:  # steps 2-5 may run more than once: their times add up
        now = time.perf_counter()
        timings[name] = round(timings.get(name, 0.0) + now - clock[0], 3)
        clock[0] = now

    rs = rule_set(rules)
    label = labels or (lambda s: s.replace("_", " "))
    from svsna.indicators import fill_statistic_and_unit

    t = table.reset_index(drop=True).copy()
    t["source_row"] = list(table.index)
    for col in ("statistic", "unit"):
        if col not in t.columns:
            t[col] = None
    t = fill_statistic_and_unit(t)  # tables written before statistic/unit existed
    for col in ("section", "indicator", "period", "area", "breakdown", "breakdown_value", "definition"):
        t[col] = t[col].astype(object).where(t[col].notna(), "").astype(str)
    _check_populations(t)
    kinds = [_kind(r) for r in t.itertuples(index=False)]
    t["xkind"] = kinds
    notes = [""] * len(t)
    counts = dict.fromkeys(("primary", "secondary", "group_size", "sparse", "folded", "derived_withheld"), 0)

    # ---- 1. group size: profiles of small groups are withheld (one sentence each)
    withheld_groups: list[tuple[str, str]] = []
    small_group = _small_cohorts(t, min_group_size, rs)
    for i, r in enumerate(t.itertuples(index=False)):
        if r.xkind in ("share", "mean", "survey") and too_small_to_profile(_f(r.denominator), min_group_size, rs):
            small_group[i] = True
    if small_group.any():
        grp = t[small_group].groupby(["section", "indicator", "period"], sort=False)
        for (_sec, ind, per), g in grp:
            bds = sorted({str(b) for b in g["breakdown"] if b != "all"})
            by = ", ".join(breakdown_words(b) for b in bds)
            what = withheld_what(label(str(ind)), str(per), by)
            withheld_groups.append(
                (
                    str(g["section"].iloc[0]),
                    f"Not published: {what}, because it describes a group of fewer than {min_group_size} "
                    "(or one whose rounded count could stand for fewer, or of a size that is not known).",
                )
            )
        t.loc[small_group, "xkind"] = "group"
        counts["group_size"] = int(small_group.sum())

    lap("scope_and_group_size")
    # ---- 2-5. fold, variables, relations, bounds, secondary suppression; a breakdown whose small
    #      counts cannot be protected (or that is mostly small counts) is withheld whole, then again
    sparse = _sparse_groups(_fold_small_categories(t.copy(), rs)[0], rs)  # after folding into Other
    for _attempt in range(6):
        if sparse:
            keys = _with_group_period(t)[_GKEY].apply(tuple, axis=1)
            mask = keys.isin(sparse) & t["xkind"].isin(["count", "rate", "share"])
            t.loc[mask, "xkind"] = "sparse"
        st = _protected(t, rs, periods, lap)
        if st.result.ok:
            break
        more = _groups_holding(st, st.result.failures) - sparse
        if not more:
            break
        sparse |= more
    several = t.loc[t["definition"] != "", "definition"].nunique() > 1  # e.g. the open-data edition's proxy groups
    for key in sorted(sparse):
        sec, ind, per, _area, dfn, bd = key
        per = "by month" if per == "(monthly)" else per
        per = f"{dfn}, {per}" if several and dfn else per
        what = withheld_what(label(str(ind)), per, "" if bd == "all" else breakdown_words(bd))
        withheld_groups.append(
            (sec, f"Not published: {what}, because too many of its counts are small to show them safely.")
        )
    counts["sparse"] = int((t["xkind"] == "sparse").sum())
    t, num_var, den_var = st.t, st.num_var, st.den_var
    truth, names, n, total_n = st.truth, st.names, st.n, len(st.truth)
    shown, small, problem, hidden, result = st.shown, st.small, st.problem, st.hidden, st.result
    counts["folded"] = st.folded
    counts["primary"] = int((small & shown).sum())
    notes = [""] * len(t)
    if not result.ok:
        raise DisclosureAuditError(
            "public release: the disclosure audit failed and no further suppression can protect "
            + result.describe(names),
            hint="see docs/disclosure.md (what the audit checks, and how to publish less detail)",
        )
    counts["secondary"] = len(hidden)
    hidden_set = set(hidden)
    published = np.zeros(total_n, dtype=bool)
    published[:n] = shown[:n] & ~small[:n]
    for v in hidden_set:
        published[v] = False

    # ---- 6. the public rows
    pub = _public_rows(
        t, num_var, den_var, truth, published, small, hidden_set, rs, confidence, notes, counts, min_group_size
    )

    # a monthly series with nothing left to show is left out (one sentence), not drawn empty
    gp = _with_group_period(pub)
    months = gp[gp["breakdown"] == "month"]
    for key, g in months.groupby(_GKEY, sort=False):
        if g["value"].isna().all() and (g["statistic"].astype(str) != "z").all():
            pub = pub.drop(index=g.index)
            sec, ind, dfn = key[0], key[1], key[4]
            several = pub.loc[pub["definition"] != "", "definition"].nunique() > 1  # open-data proxy groups
            which = f" ({dfn})" if several and dfn else ""
            text = f"Not published: {label(str(ind))}{which} by month, because its counts are small."
            if (sec, text) not in withheld_groups:  # the summary is of one definition: no code names it
                withheld_groups.append((sec, text))
    pub = pub.reset_index(drop=True)
    lap("public_rows")
    # ---- 7. proof: audit the final state from scratch
    final = audit(problem, protection=rs.protection)
    lap("audit")
    if not final.ok:  # pragma: no cover - protect() returned only when it passed
        raise DisclosureAuditError("public release: " + final.describe(names))
    counts["published_counts"] = int(published.sum())
    counts["rows"] = len(pub)
    counts["relations"] = st.relations
    counts["variables"] = total_n
    return PublicRelease(
        table=pub,
        audit=final,
        rules=rs,
        min_group_size=min_group_size,
        withheld_groups=withheld_groups,
        counts=counts,
        seconds=time.perf_counter() - started,
        timings=timings,
        problem=problem,
        names=names,
    )


# ============================================================================================ helpers


@dataclass
class _State:
    """One pass of steps 2-5 of :func:`public_release`."""

    t: pd.DataFrame
    num_var: np.ndarray
    den_var: np.ndarray
    truth: np.ndarray
    names: list[str]
    n: int
    shown: np.ndarray
    small: np.ndarray
    problem: AuditProblem
    hidden: list[int]
    result: AuditResult
    relations: int
    folded: int
    parts_of: dict[int, list[int]]


def _protected(
    t: pd.DataFrame, rs: RuleSet, periods: Sequence[tuple[str, Any, Any]], lap: Callable[[str], None]
) -> _State:
    """Fold, build the count variables and relations, and protect (see :func:`public_release`)."""
    import numpy as np

    from svsna.errors import InputDataError
    from svsna.stats import protect
    from svsna.stats.audit import AuditModelError, AuditProblem

    t, folded_into = _fold_small_categories(t.copy(), rs)
    vs = _Vars()
    num_var = np.full(len(t), -1)
    den_var = np.full(len(t), -1)
    for i, r in enumerate(t.itertuples(index=False)):
        if r.xkind not in ("count", "rate", "share", "change", "ratio"):
            continue
        x = _f(r.numerator) if r.xkind != "count" or not math.isnan(_f(r.numerator)) else _f(r.value)
        if not _is_whole(x):
            t.at[i, "xkind"] = "other"  # a "count" that is not a whole number cannot be audited
            continue
        pos = (r.period, r.area, r.definition, r.breakdown_value)
        name = f"{r.indicator} {r.breakdown_value} ({r.period})".replace(" all ", " ")
        num_var[i] = vs.get(("pos", *pos), x, name, r.section, position=pos)
    for i, r in enumerate(t.itertuples(index=False)):
        if r.xkind not in ("share", "change"):
            continue
        d = _f(r.denominator)
        if not _is_whole(d):
            t.at[i, "xkind"] = "other"
            num_var[i] = -1
            continue
        cand = None
        if r.xkind == "change":
            for (per, area, dfn, bv), vlist in vs.by_position.items():
                if area == r.area and dfn == r.definition and bv == r.breakdown_value and per != r.period:
                    cand = next((v for v in vlist if abs(vs.truth[v] - d) < 1e-6), cand)
        else:
            cand = vs.find(("pos", r.period, r.area, r.definition, r.breakdown_value), d)
            if cand is None:
                cand = vs.find(("pos", r.period, r.area, r.definition, "all"), d)
        if cand is None:
            cand = vs.get(
                ("den", r.indicator, r.period, r.area, r.definition, r.breakdown)
                + ((r.breakdown_value,) if r.xkind == "change" else ("",)),
                d,
                f"{r.indicator} denominator {r.breakdown_value} ({r.period})",
                r.section,
            )
        den_var[i] = cand
    lap("fold_and_variables")
    folded_vars = {
        other_i: [
            vs.get(("pos", p, a, d, bv), x, f"{ind} {bv} ({p})", sec, position=(p, a, d, bv))
            for (ind, p, a, d, bv, x, sec) in members
        ]
        for other_i, members in folded_into.items()
    }
    rel = _Relations(vs, rs)
    _margin_relations(t, num_var, den_var, vs, rel)
    _share_relations(t, num_var, den_var, rel)
    _month_relations(t, num_var, vs, rel, periods)
    for other_i, mvars in folded_vars.items():
        if num_var[other_i] >= 0:
            rel.add(mvars, int(num_var[other_i]), residual=False)
    lap("relations")

    n = len(vs.truth)
    truth = np.array(vs.truth + rel.residual_truth, dtype=float)
    names = vs.names + rel.residual_names
    total_n = len(truth)
    shown = np.zeros(total_n, dtype=bool)
    for i, k in enumerate(t["xkind"]):
        if k in ("count", "rate", "share", "change", "ratio") and num_var[i] >= 0:
            shown[num_var[i]] = True
        if k in ("share", "change") and den_var[i] >= 0:
            shown[den_var[i]] = True
    small = (truth >= rs.suppress_from) & (truth <= rs.suppress_to)
    lower = np.zeros(total_n)
    upper = np.full(total_n, np.inf)
    hideable = np.zeros(total_n, dtype=bool)
    for v in range(total_n):
        if v >= n and truth[v] == 0:  # an unpublished remainder of a margin that is empty
            lower[v] = upper[v] = 0.0
        elif small[v]:
            lower[v], upper[v] = rs.suppress_from, rs.suppress_to
        elif shown[v] and v < n:
            lower[v], upper[v] = rs.shown_interval(rs.round(truth[v]))
            hideable[v] = True
    is_total = np.zeros(total_n, dtype=bool)
    parts_of: dict[int, list[int]] = {}
    for k, (parts, total, res) in enumerate(rel.items):
        is_total[total] = True
        if res is not None:
            parts_of[n + res] = [*parts, total]
        del k
    cost = truth + 1e6 * is_total + 1e9 * (truth == 0)
    problem = AuditProblem(
        names=names, truth=truth, lower=lower, upper=upper, target=small.copy(), equalities=rel.constraints()
    )
    try:
        problem, hidden, result = protect(
            problem,
            protection=rs.protection,
            hideable=hideable,
            cost=cost,
            hidden_lower=0.0,
            hidden_upper=np.inf,
            useful=float(rs.protection),
        )
    except AuditModelError as exc:
        raise InputDataError(
            f"indicator table: {exc}",
            hint="the indicator table contradicts itself; rerun `svsna assess` and report this if it persists",
        ) from None
    lap("secondary_suppression")
    return _State(
        t,
        num_var,
        den_var,
        truth,
        names,
        n,
        shown,
        small,
        problem,
        hidden,
        result,
        len(rel.items),
        sum(len(m) for m in folded_into.values()),
        parts_of,
    )


def _sparse_groups(t: pd.DataFrame, rs: RuleSet) -> set[tuple]:
    """Breakdowns made mostly of small counts: withheld whole rather than shown as a wall of [c].

    A breakdown (one indicator, period, area, definition) of six or more counts is withheld when
    at least four of its counts are small and they are more than half of its non-zero counts
    (after small nominal categories are folded into Other).
    """
    out: set[tuple] = set()
    t = _with_group_period(t)
    counted = t[t["xkind"].isin(["count", "rate", "share"]) & (t["breakdown"] != "all")]
    for key, g in counted.groupby(_GKEY, sort=False):
        x = g["numerator"].astype(float).where(g["numerator"].notna(), g["value"].astype(float))
        nonzero = int((x > 0).sum())
        n_small = int(x.between(rs.suppress_from, rs.suppress_to).sum())
        if len(g) >= 6 and n_small >= 4 and n_small > 0.5 * nonzero:
            out.add(tuple(key))
    return out


def _groups_holding(st: _State, failures: Iterable[int]) -> set[tuple]:
    """Breakdowns whose rows show the failing counts (or the parts of a failing remainder)."""
    want: set[int] = set()
    for v in failures:
        want |= set(st.parts_of.get(v, [v]))
    out: set[tuple] = set()
    t = _with_group_period(st.t)
    for i in range(len(t)):
        if st.num_var[i] in want or st.den_var[i] in want:
            r = t.iloc[i]
            if r["xkind"] in ("count", "rate", "share"):
                out.add(tuple(r[c] for c in _GKEY))
    return out


def _check_populations(t: pd.DataFrame) -> None:
    """Public populations must agree with themselves and with the rates that use them.

    Districts (or counties) whose residents add up to more than half a percent away from the
    area's, or a rate with events but no residents, mean the population file does not belong
    to this geography (InputDataError, exit 4).
    """
    from svsna.errors import InputDataError

    pop = t[(t["section"] == "population") & (t["statistic"].astype(str) == "count")]
    for (ind, per, _area), g in pop.groupby(["indicator", "period", "area"], sort=False):
        total = g[g["breakdown"] == "all"]
        if total.empty:
            continue
        whole = _f(total["value"].iloc[0])
        for bd, part in g[g["breakdown"] != "all"].groupby("breakdown", sort=False):
            if "|" in str(bd):
                continue
            s = float(part["value"].astype(float).sum())
            tol = 0.005 * whole  # estimates rounded at different levels may differ by a few people
            if s > whole + tol or (bd in ("district", "county") and abs(s - whole) > tol):
                raise InputDataError(
                    f"population: {ind} by {bd} ({per}) adds up to {s:,.0f} but the area's population is {whole:,.0f}",
                    hint="the population file disagrees with the geography; check it and re-run ingest",
                )
    rates = t[(t["statistic"].astype(str) == "rate") & ~t["suppressed"].astype(bool)]
    bad = rates[(rates["numerator"].astype(float) > 0) & (rates["denominator"].astype(float) <= 0)]
    if len(bad):
        r = bad.iloc[0]
        raise InputDataError(
            f"population: {r['indicator']} for {r['breakdown_value']} ({r['period']}) counts "
            f"{_f(r['numerator']):g} but its population is {_f(r['denominator']):g}",
            hint="the population file has no residents where the data have events; check the population input",
        )


def _fold_small_categories(t: pd.DataFrame, rs: RuleSet) -> tuple[pd.DataFrame, dict[int, list[tuple]]]:
    """Combine small categories of nominal one-way breakdowns into one ``Other`` row.

    A breakdown is folded when it has two or more small categories, or when it profiles a
    group of people (a share) and has any: a small category is then never named. Categories
    are added from the smallest until ``Other`` is no longer small. Returns the new table and,
    per new row, the folded rows' identities (for the audit's ``Other = sum of parts``).
    """
    import pandas as pd

    drop: list[int] = []
    new_rows: list[dict[str, Any]] = []
    members_of: list[list[tuple]] = []
    for _, g in t.groupby(_KEY, sort=False):
        bd = str(g["breakdown"].iloc[0])
        kind = str(g["xkind"].iloc[0])
        if bd in _NOT_NOMINAL or "|" in bd or len(g) < 3 or kind not in ("count", "share", "rate"):
            continue
        if not (g["xkind"] == kind).all():
            continue
        x = g["numerator"].astype(float).where(g["numerator"].notna(), g["value"].astype(float))
        if x.isna().any() or (x < 0).any():
            continue
        if kind in ("share", "rate") and g["denominator"].astype(float).nunique() != 1:
            continue
        is_small = x.between(rs.suppress_from, rs.suppress_to)
        if not ((is_small.sum() >= 2) or (kind == "share" and is_small.any())):
            continue
        order = x[~is_small & (x > 0)].sort_values()
        chosen = list(x[is_small].index)
        existing_other = [i for i in g.index if str(g.at[i, "breakdown_value"]).strip().lower() == "other"]
        chosen += [i for i in existing_other if i not in chosen]
        total = float(x[chosen].sum())
        extra = [i for i in order.index if i not in chosen]
        while (total <= rs.suppress_to or len(chosen) < 2) and extra:
            i = extra.pop(0)
            chosen.append(i)
            total += float(x[i])
        if len(chosen) == len(g) or len(chosen) < 2:
            continue  # folding everything (or one category) would hide nothing
        first = g.loc[chosen[0]].to_dict()
        row = dict(first)
        row.update(
            source_row=-1,
            breakdown_value=OTHER,
            numerator=total,
            value=total if kind == "count" else math.nan,
            lower=math.nan,
            upper=math.nan,
            significance=None,
            comparator_value=math.nan,
        )
        drop += chosen
        new_rows.append(row)
        members_of.append(
            [
                (
                    str(g.at[i, "indicator"]),
                    str(g.at[i, "period"]),
                    str(g.at[i, "area"]),
                    str(g.at[i, "definition"]),
                    str(g.at[i, "breakdown_value"]),
                    float(x[i]),
                    str(g.at[i, "section"]),
                )
                for i in chosen
            ]
        )
    if not new_rows:
        return t, {}
    kept = t.drop(index=drop)
    base = len(kept)
    out = pd.concat([kept, pd.DataFrame(new_rows)], ignore_index=True)
    return out, {base + k: m for k, m in enumerate(members_of)}


class _Relations:
    """Equalities ``sum(parts) + remainder = total`` among the count variables."""

    def __init__(self, vs: _Vars, rs: RuleSet) -> None:
        self.vs = vs
        self.rs = rs
        self.items: list[tuple[list[int], int, int | None]] = []
        self.residual_truth: list[float] = []
        self.residual_names: list[str] = []
        self._seen: set[tuple] = set()

    def add(self, parts: list[int], total: int, *, residual: bool = True) -> bool:
        """Add ``sum(parts) (+ remainder) = total`` if it holds for the true counts."""
        if total < 0 or any(p < 0 for p in parts) or not parts:
            return False
        tv = self.vs.truth
        s = sum(tv[p] for p in parts)
        r = tv[total] - s
        if r < -1e-6:
            return False  # parts overlap (a person in several categories): not a margin
        key = (tuple(sorted(parts)), total)
        if key in self._seen:
            return False
        if len(parts) == 1 and parts[0] == total:
            return False
        self._seen.add(key)
        res = None
        if abs(r) > 1e-6:
            if not residual:
                return False
            res = len(tv) + len(self.residual_truth)
            self.residual_truth.append(float(round(r)))
            self.residual_names.append(f"remainder of {self.vs.names[total]} not in its breakdown")
        self.items.append((list(parts), total, res))
        return True

    def constraints(self) -> list[tuple[np.ndarray, np.ndarray, float]]:
        import numpy as np

        out = []
        for parts, total, res in self.items:
            coef: dict[int, float] = {}
            for p in parts:
                coef[p] = coef.get(p, 0.0) + 1.0
            if res is not None:
                coef[res] = coef.get(res, 0.0) + 1.0
            coef[total] = coef.get(total, 0.0) - 1.0
            idx = np.array([k for k, c in coef.items() if c != 0], dtype=int)
            out.append((idx, np.array([coef[k] for k in idx]), 0.0))
        return out


def _margin_relations(t: pd.DataFrame, num_var: np.ndarray, den_var: np.ndarray, vs: _Vars, rel: _Relations) -> None:
    """Margins of every breakdown: remove one part and sum over it."""
    counted = t["xkind"].isin(["count", "rate", "share"]).to_numpy() & (num_var >= 0)
    sub = t[counted]
    # index: (section, indicator, period, area, definition, breakdown, breakdown_value) -> row
    where = {
        (r.section, r.indicator, r.period, r.area, r.definition, r.breakdown, r.breakdown_value): i
        for i, r in zip(sub.index, sub.itertuples(index=False), strict=True)
    }
    for (sec, ind, per, area, dfn, bd), g in sub.groupby(_KEY, sort=False):
        parts = _parts(str(bd))
        if not parts:
            continue
        values = g["breakdown_value"].astype(str).str.split("|")
        ok = values.map(len) == len(parts)
        g, values = g[ok], values[ok]
        for k in range(len(parts)):
            rest = parts[:k] + parts[k + 1 :]
            rest_bd = "|".join(rest) if rest else "all"
            keys = values.map(lambda v, k=k: "|".join(v[:k] + v[k + 1 :]) if len(v) > 1 else "all")
            for mval, h in g.groupby(keys.to_numpy(), sort=False):
                pvars = [int(num_var[i]) for i in h.index]
                s = sum(vs.truth[v] for v in pvars)
                total_i = where.get((sec, ind, per, area, dfn, rest_bd, mval))
                if total_i is not None:
                    rel.add(pvars, int(num_var[total_i]))
                    continue
                kinds = set(h["xkind"])
                if kinds == {"share"} and len({int(den_var[i]) for i in h.index}) == 1 and not rest:
                    continue  # handled with the shares (parts of the shared denominator)
                found = vs.find(("pos", per, area, dfn, mval), s)
                if found is not None:
                    rel.add(pvars, found, residual=False)
                    continue
                # a total printed elsewhere in the same section that exceeds the parts by a small remainder
                for v in vs.by_position.get((per, area, dfn, mval), []):
                    gap = vs.truth[v] - s
                    if 0 < gap <= rel.rs.suppress_to and sec in vs.sections[v]:
                        rel.add(pvars, v)
                        break


def _share_relations(t: pd.DataFrame, num_var: np.ndarray, den_var: np.ndarray, rel: _Relations) -> None:
    """A share's count and the rest of its denominator: ``count + complement = denominator``.

    Rows of one breakdown with one denominator are its parts (``sum + remainder = denominator``);
    when their counts exceed the denominator (a person in several categories) each row is its
    own pair.
    """
    mask = (t["xkind"] == "share").to_numpy() & (num_var >= 0) & (den_var >= 0)
    for _, g in t[mask].groupby(_KEY, sort=False):
        rows = g.index.to_numpy()
        dv = den_var[rows]
        for d in dict.fromkeys(dv.tolist()):
            pvars = [int(num_var[i]) for i in rows[dv == d]]
            if len(pvars) > 1 and rel.add(pvars, int(d)):
                continue
            for p in pvars:
                rel.add([p], int(d))


def _month_relations(
    t: pd.DataFrame, num_var: np.ndarray, vs: _Vars, rel: _Relations, periods: Sequence[tuple[str, Any, Any]]
) -> None:
    """Months of a monthly series add up to each named period they cover."""
    import datetime as dt

    months = t[(t["breakdown"] == "month") & t["xkind"].isin(["count", "rate"]).to_numpy() & (num_var >= 0)]
    if months.empty or not periods:
        return
    for _, g in months.groupby(["section", "indicator", "area", "definition"], sort=False):
        by_month = {}
        for i, r in zip(g.index, g.itertuples(index=False), strict=True):
            mk = _month_key(str(r.breakdown_value))
            if mk is not None:
                by_month[mk] = int(num_var[i])
        area, dfn = str(g["area"].iloc[0]), str(g["definition"].iloc[0])
        for plabel, start, end in periods:
            s, e = _as_date(start), _as_date(end)
            if s is None or e is None:
                continue
            wanted = []
            y, m = s.year, s.month
            while dt.date(y, m, 1) <= e:
                wanted.append((y, m))
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            if not wanted or any(w not in by_month for w in wanted):
                continue
            pvars = [by_month[w] for w in wanted]
            total = sum(vs.truth[v] for v in pvars)
            found = vs.find(("pos", str(plabel), area, dfn, "all"), total)
            if found is not None:
                rel.add(pvars, found, residual=False)


def _as_date(x: Any) -> Any:
    import datetime as dt

    if isinstance(x, dt.date):
        return x
    try:
        return dt.date.fromisoformat(str(x)[:10])
    except ValueError:
        return None


_DISCLOSURE_NOTE = "withheld by disclosure control ({rules})"


def _public_rows(
    t: pd.DataFrame,
    num_var: np.ndarray,
    den_var: np.ndarray,
    truth: np.ndarray,
    published: np.ndarray,
    small: np.ndarray,
    hidden: set[int],
    rs: RuleSet,
    confidence: float,
    notes: list[str],
    counts: dict[str, int],
    min_group_size: int = 10,
) -> pd.DataFrame:
    """Every row as published: counts rounded or withheld, derived figures from published counts,
    means and medians to :func:`mean_decimals` places."""
    import numpy as np

    from svsna.stats import crude_rate, period_change, proportion, rate_ratio

    out = t.copy()
    n = len(out)
    col = {c: out[c].astype(float).to_numpy() for c in ("numerator", "denominator", "value", "lower", "upper")}
    col["comparator_value"] = out["comparator_value"].astype(float).to_numpy()
    kind = out["xkind"].to_numpy()
    sig_in = list(out["significance"])
    reason_in = list(out["suppression_reason"])
    breakdown = out["breakdown"].to_numpy()
    reason_supp = _DISCLOSURE_NOTE.format(rules=rs.name)
    rounded = np.array([float(rs.round(x)) for x in truth]) if len(truth) else np.zeros(0)

    def pub(v: int) -> float:
        return float(rounded[v]) if v >= 0 and published[v] else math.nan

    vals = np.full(n, np.nan)
    lows = np.full(n, np.nan)
    ups = np.full(n, np.nan)
    nums = np.full(n, np.nan)
    dens = np.full(n, np.nan)
    comps = np.full(n, np.nan)
    sigs: list[Any] = [None] * n
    methods = list(out["method"])
    supp = np.zeros(n, dtype=bool)
    reasons: list[Any] = [None] * n
    notes = [""] * n
    batch: dict[str, list[int]] = {"rate": [], "share": [], "change": [], "ratio": []}
    other_count: list[float] = [math.nan] * n  # denominator of a share, earlier count of a change, b of a ratio
    mults = _multipliers(out)
    partners = _ratio_partners(out, num_var)

    def withhold(i: int, why: str, note: str) -> None:
        supp[i], reasons[i], notes[i] = True, why, note

    for i in range(n):
        k = kind[i]
        num, den, val = col["numerator"][i], col["denominator"][i], col["value"][i]
        if k == "external":
            vals[i], lows[i], ups[i], nums[i], dens[i] = val, col["lower"][i], col["upper"][i], num, den
            comps[i], sigs[i] = col["comparator_value"][i], sig_in[i]
            notes[i] = PUBLIC_DATA_NOTE
        elif k == "withheld":
            withhold(i, reason_in[i] or "withheld by the analysis", "withheld by the analysis")
        elif k == "group":
            withhold(i, "group too small to profile", "group too small to profile")
        elif k == "sparse":
            withhold(i, "breakdown of mostly small counts", "breakdown withheld: mostly small counts")
        elif k == "other":
            withhold(i, "not published: the counts it rests on cannot be checked", "not auditable")
        elif k == "z":
            sigs[i], notes[i] = sig_in[i], "class shown, value withheld"
        elif k == "mean":
            places = mean_decimals(min_group_size)
            vals[i], lows[i], ups[i] = (round(float(x), places) for x in (val, col["lower"][i], col["upper"][i]))
            sigs[i], notes[i] = sig_in[i], MEAN_NOTE
        elif k == "survey":
            if den >= 0 and min(num, den - num) > rs.suppress_to:
                vals[i], lows[i], ups[i], sigs[i] = val, col["lower"][i], col["upper"][i], sig_in[i]
                notes[i] = "weighted survey percentage"
            else:
                withhold(i, reason_supp, "survey answer from too few respondents")
        else:
            a = pub(int(num_var[i]))
            if k == "count":
                vals[i] = nums[i] = a
                if not math.isnan(a):
                    sigs[i] = sig_in[i] if breakdown[i] != "month" else None
                    notes[i] = "count rounded" if a != truth[num_var[i]] else ""
                continue
            if math.isnan(a):
                withhold(i, reason_supp, "withheld: its count is withheld")
                counts["derived_withheld"] += 1
                continue
            nums[i] = a
            if k == "rate":
                dens[i] = den
            elif k in ("share", "change"):
                b = pub(int(den_var[i]))
                if math.isnan(b) or b <= 0:
                    withhold(i, reason_supp, "withheld: the count it is compared with is withheld")
                    counts["derived_withheld"] += 1
                    continue
                other_count[i] = b
            elif k == "ratio":
                j = partners.get(i)
                b = pub(int(num_var[j])) if j is not None else math.nan
                if math.isnan(b):
                    withhold(i, reason_supp, "withheld: the comparison count is withheld or not identified")
                    counts["derived_withheld"] += 1
                    continue
                other_count[i] = b
            batch[k].append(i)

    oc = np.array(other_count)
    if batch["rate"]:
        idx = np.array(batch["rate"])
        for m in np.unique(mults[idx]):
            sel = idx[mults[idx] == m]
            cr = crude_rate(nums[sel], col["denominator"][sel], multiplier=float(m), confidence=confidence)
            vals[sel], lows[sel], ups[sel] = (cr[c].to_numpy(dtype=float) for c in ("value", "lower", "upper"))
            for j, meth in zip(sel, cr["method"], strict=True):
                methods[j] = str(meth)
    if batch["share"]:
        idx = np.array(batch["share"])
        nums[idx] = np.minimum(nums[idx], oc[idx])  # rounding can push a part past its total
        dens[idx] = oc[idx]
        for m in np.unique(mults[idx]):
            sel = idx[mults[idx] == m]
            pr = proportion(nums[sel], dens[sel], multiplier=float(m), confidence=confidence)
            vals[sel], lows[sel], ups[sel] = (pr[c].to_numpy(dtype=float) for c in ("value", "lower", "upper"))
    if batch["change"]:
        idx = np.array(batch["change"])
        ratio_true = 1.0 + col["value"][idx] / 100.0
        with np.errstate(divide="ignore", invalid="ignore"):
            exposure = (col["numerator"][idx] / col["denominator"][idx]) / ratio_true
        exposure = np.where(np.isfinite(exposure) & (exposure > 0), exposure, 1.0)
        pc = period_change(nums[idx], oc[idx], exposure_now=exposure, exposure_before=1.0, confidence=confidence)
        vals[idx] = pc["pct_change"].to_numpy(dtype=float)
        lows[idx] = 100.0 * (pc["lower"].to_numpy(dtype=float) - 1.0)
        ups[idx] = 100.0 * (pc["upper"].to_numpy(dtype=float) - 1.0)
        dens[idx] = comps[idx] = oc[idx]
        for j, sg in zip(idx, pc["significance"], strict=True):
            sigs[j] = str(sg)
    if batch["ratio"]:
        idx = np.array(batch["ratio"])
        pb = np.array([col["denominator"][partners[i]] for i in idx])
        rr = rate_ratio(nums[idx], col["denominator"][idx], oc[idx], pb, confidence=confidence)
        vals[idx], lows[idx], ups[idx] = (rr[c].to_numpy(dtype=float) for c in ("value", "lower", "upper"))
        dens[idx] = col["denominator"][idx]
        for j, sg in zip(idx, rr["significance"], strict=True):
            sigs[j] = str(sg)
    for k in ("rate", "share", "change", "ratio"):
        for i in batch[k]:
            notes[i] = "computed from published counts"
            if k in ("rate", "share"):
                sigs[i], comps[i] = sig_in[i], col["comparator_value"][i]

    _public_comparators(out, vals, comps, sigs, lows, ups)
    _public_spc(out, vals, lows, ups, sigs, notes)
    out["numerator"] = nums
    out["denominator"] = dens
    out["value"] = vals
    out["lower"] = lows
    out["upper"] = ups
    out["comparator_value"] = comps
    out["method"] = methods
    blank = np.isnan(vals)
    # a withheld value keeps no marker, except a Gi* z-score: its hot/cold class is published, its value never
    out["significance"] = [None if b and k != "z" else s for s, b, k in zip(sigs, blank, kind, strict=True)]
    derived = np.isin(kind, ["count", "rate", "share", "change", "ratio"])
    out["suppressed"] = supp | (blank & derived)
    out["suppression_reason"] = [
        (why or reason_supp) if s else None for s, why in zip(out["suppressed"], reasons, strict=True)
    ]
    out["public_note"] = notes
    # rows of a withheld profile or breakdown are left out (one sentence in the report says so)
    out = out[~np.isin(kind, ["sparse", "group"])]
    res = out[[*INDICATOR_COLUMNS, "public_note", "source_row"]].reset_index(drop=True)
    res["suppressed"] = res["suppressed"].astype(bool)
    return res


def _multipliers(t: pd.DataFrame) -> np.ndarray:
    """The multiplier each rate or share row was computed with (1, 100, 1,000, 100,000 ...).

    From the row's own value, numerator and denominator; a row with a zero count takes its
    indicator's multiplier; 1,000 for a rate and 100 for a share when nothing says otherwise.
    """
    import numpy as np

    num = t["numerator"].astype(float).to_numpy()
    den = t["denominator"].astype(float).to_numpy()
    val = t["value"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = val * den / num
    ok = np.isfinite(raw) & (raw > 0)
    mult = np.full(len(t), np.nan)
    mult[ok] = 10.0 ** np.round(np.log10(raw[ok]))
    by_ind: dict[str, float] = {}
    for ind, m in zip(t["indicator"], mult, strict=True):
        if not np.isnan(m):
            by_ind.setdefault(ind, m)
    default = np.where(t["statistic"].astype(str).to_numpy() == "rate", 1000.0, 100.0)
    fill = np.array([by_ind.get(ind, d) for ind, d in zip(t["indicator"], default, strict=True)])
    return np.where(np.isnan(mult), fill, mult)


def _ratio_partners(t: pd.DataFrame, num_var: np.ndarray) -> dict[int, int]:
    """For each rate-ratio row, the rate row of its comparison group, found by exact value.

    ``value = (a / pop_a) / (b / pop_b)``: the comparison row is the rate row of the same
    period, area and definition whose true ``b / pop_b`` is the group's rate divided by the
    ratio (never guessed from names).
    """
    import numpy as np

    kind = t["xkind"].to_numpy()
    num = t["numerator"].astype(float).to_numpy()
    den = t["denominator"].astype(float).to_numpy()
    val = t["value"].astype(float).to_numpy()
    keys = list(zip(t["period"], t["area"], t["definition"], strict=True))
    rates: dict[tuple, list[int]] = {}
    for j in np.flatnonzero(kind == "rate"):
        if den[j] > 0 and num[j] > 0 and num_var[j] >= 0:
            rates.setdefault(keys[j], []).append(int(j))
    out = {}
    for i in np.flatnonzero(kind == "ratio"):
        if not (val[i] > 0 and num[i] > 0 and den[i] > 0):
            continue
        want = (num[i] / den[i]) / val[i]
        for j in rates.get(keys[i], []):
            if abs(num[j] / den[j] - want) <= 1e-9 * want and not (num[j] == num[i] and den[j] == den[i]):
                out[int(i)] = j
                break
    return out


def _public_comparators(
    out: pd.DataFrame, vals: np.ndarray, comps: np.ndarray, sigs: list, lows: np.ndarray, ups: np.ndarray
) -> None:
    """Comparisons of a rate or share with the whole area, re-tested on the published figures.

    The comparator must be the value of the indicator's ``all`` row (then its public value is
    used and Higher/Lower/Similar recomputed from the published interval); any other
    comparator computed from the data is not published, and neither is its significance.
    """
    allrows: dict[tuple, list[int]] = {}
    for i, r in enumerate(out.itertuples(index=False)):
        if r.breakdown == "all":
            allrows.setdefault((r.section, r.indicator, r.period, r.area, r.definition), []).append(i)
    for i, r in enumerate(out.itertuples(index=False)):
        if r.xkind not in ("rate", "share"):
            continue
        if not (isinstance(sigs[i], str) and sigs[i] in ("Higher", "Lower", "Similar")):
            comps[i] = math.nan
            continue
        comp_true = _f(r.comparator_value)
        match = [
            j
            for j in allrows.get((r.section, r.indicator, r.period, r.area, r.definition), [])
            if abs(_f(out.at[j, "value"]) - comp_true) < 1e-9 and j != i
        ]
        if not match or math.isnan(vals[match[0]]) or math.isnan(lows[i]) or math.isnan(ups[i]):
            comps[i] = math.nan
            sigs[i] = None
            continue
        c = comps[i] = vals[match[0]]
        sigs[i] = "Higher" if lows[i] > c else "Lower" if ups[i] < c else "Similar"


def _public_spc(
    out: pd.DataFrame, vals: np.ndarray, lows: np.ndarray, ups: np.ndarray, sigs: list, notes: list[str]
) -> None:
    """XmR limits and special causes of a monthly count series, from its published counts."""
    import numpy as np

    from svsna.stats import spc

    months = out[(out["breakdown"] == "month") & (out["xkind"] == "count")]
    for _, g in months.groupby(["section", "indicator", "period", "area", "definition"], sort=False):
        had_limits = g["lower"].notna().any()
        idx = list(g.sort_values("breakdown_value").index)
        y = vals[idx]
        if not had_limits or len(idx) < 2 or np.isnan(y).any():
            for j in idx:
                lows[j] = ups[j] = math.nan
                if had_limits:
                    sigs[j] = None
            continue
        res = spc(y)
        for j, (_, s) in zip(idx, res.iterrows(), strict=True):
            lows[j], ups[j] = float(s["lower_limit"]), float(s["upper_limit"])
            sigs[j] = str(s["point_type"])
            notes[j] = (notes[j] + "; " if notes[j] else "") + "limits from published counts"


def public_indicators(table: pd.DataFrame, rules: str, **kwargs: Any) -> pd.DataFrame:
    """The public table of :func:`public_release` (with ``public_note``), for callers that need only it."""
    return public_release(table, rules, **kwargs).table


# ============================================================================================ numbers in text


# Numbers that are not statistics: years and financial years, clock times, age bands and ages
# ("15-19", "under 25"), "1 in 10", ordinals, month days, rates ("per 1,000"), figure/table numbers.
_CONTEXT = [
    r"\b(?:19|20)\d\d/\d\d\b",
    r"\b\d{1,2}:\d\d\b",
    r"(?<![\d.,])\d+\s*(?:-|–|to)\s*\d+(?![.,]?\d)(?=\s*(?:year|yr|\)|$|,|\.|;|\s))",
    r"\b\d+\s+(?:months?|weeks?|days?|hours?|years?)\b",
    r"\b\d+\s+or\s+more\b",
    r"\b(?:under|over|aged|age|ages|than)\s+\d+(?:\s*(?:-|–|to)\s*\d+)?",
    r"\b\d+\s*(?:and over|\+)",
    r"\b\d+\s+in\s+(?:(?!(?:19|20)\d\d)\d+(?![\d/])|ten)\b",
    r"\b\d+(?:st|nd|rd|th)\b",
    r"\bper\s+\d[\d,]*",
    r"\b(?:deciles?|quintiles?)\s+\d+",
    r"\b(?:Figure|Table|Section|page|Page|step|Step)\s+\d+",
    r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b",
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(?:19|20)\d\d\b",
    r"\b(?:19|20)\d\d-\d\d(?:-\d\d)?\b",
    r"\b(?:19|20)\d\d\b",
    r"\b[A-Z]\d+[A-Z0-9/]*\b",
    r"\bE0\d{7}\b",
    r"\bsvsna\s+\d+(?:\.\d+)*",
    r"\b\d{2}(?:\.\d+)?%\s*(?:CI\b|confidence\b)",
    # the even spread a share is set against (a day of the week, an hour, the NTE window's hours): arithmetic
    r"\b\d+(?:\.\d+)?%\s+(?:a day\s+)?if\s+(?:offences\s+were\s+)?spread\s+evenly\b",
    r"\bunder-\d+\b",
    r"\b\d+-and-over\b",
]
_NOT_COUNTS = [
    *_CONTEXT[:2],
    r"\b\d+(?:\.\d+)?\s*%",
    r"\b\d[\d,]*\.\d+\b",
    *_CONTEXT[2:],
]
_NOT_COUNT_RE = re.compile("|".join(f"(?:{p})" for p in _NOT_COUNTS))
_CONTEXT_RE = re.compile("|".join(f"(?:{p})" for p in _CONTEXT))
_INTEGER_RE = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w.]|,\d)|(?<![\w.,])\d+(?![\w.]|,\d)")
#: A number as written in the report: optional minus, thousands separators, decimals.
NUMBER_RE = re.compile(r"(?<![\w.,])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w]|[.,]\d)")


def unsafe_numbers(text: str, rules: str) -> list[str]:
    """Whole numbers in ``text`` that could be counts and would fail ``rules``.

    Numbers in non-count contexts (years, times, percentages, decimals, age bands,
    "1 in 10", ordinals, rates "per 1,000") are ignored; every other whole number must
    be one the rule could have published (under ``nhsd_2018``: 0 or a multiple of 5
    of at least 10).
    """
    cleaned = _NOT_COUNT_RE.sub(" ", text)
    bad = []
    for m in _INTEGER_RE.finditer(cleaned):
        n = float(m.group(0).replace(",", ""))
        if not is_safe_count(n, rules):
            bad.append(m.group(0))
    return bad


def number_tokens(text: str) -> list[tuple[str, float, int]]:
    """Statistics written in ``text``: ``(as written, value, decimals)``, context numbers removed.

    >>> number_tokens("Around 3,530 offences in 2020/21, 14.6% fewer; 1 in 10 at 22:00.")
    [('3,530', 3530.0, 0), ('14.6', 14.6, 1)]
    """
    cleaned = _CONTEXT_RE.sub(lambda m: " " * len(m.group(0)), text)
    out = []
    for m in NUMBER_RE.finditer(cleaned):
        s = m.group(0)
        plain = s.replace(",", "").replace("−", "-")
        dec = len(plain.split(".", 1)[1]) if "." in plain else 0
        out.append((s, float(plain), dec))
    return out


def published_numbers(table: pd.DataFrame) -> set[tuple[float, int]]:
    """Every number of the public table as it can be written: ``(rounded value, decimals)`` for 0-3 decimals."""
    import numpy as np

    vals: list[float] = []
    for c in ("value", "lower", "upper", "numerator", "denominator", "comparator_value"):
        v = table[c].astype(float).to_numpy()
        vals += [float(x) for x in v[~np.isnan(v)]]
    out: set[tuple[float, int]] = set()
    for x in vals:
        for d in range(4):
            out.add((round(x, d), d))
            out.add((round(abs(x), d), d))
        if abs(x) >= 1000:  # "about 349,000", "1.1 million": coarser than the figure itself
            for k in (-2, -3, -4):
                out.add((float(round(abs(x), k)), 0))
            for d in (1, 2):
                out.add((round(abs(x) / 1e6, d), d))
                out.add((round(abs(x) / 1e3, d), d))
    return out


def unaccounted_numbers(text: str, allowed: set[tuple[float, int]], extra: Iterable[float] = ()) -> list[str]:
    """Statistics in ``text`` that are neither in the public table (``allowed``) nor in ``extra``.

    >>> allowed = {(3530.0, 0), (14.6, 1)}
    >>> unaccounted_numbers("Around 3,530 offences, 14.6% fewer, 9.45 per 1,000.", allowed)
    ['9.45']
    """
    extra_set = {float(x) for x in extra}
    bad = []
    for s, v, d in number_tokens(text):
        if (round(v, d), d) in allowed or (round(abs(v), d), d) in allowed or v in extra_set:
            continue
        bad.append(s)
    return bad


# ============================================================================================ findings

_FIELDS = ("value", "numerator", "denominator", "lower", "upper", "comparator_value")


def _spans(text: str) -> list[tuple[int, int, str, float, int]]:
    cleaned = _CONTEXT_RE.sub(lambda m: " " * len(m.group(0)), text)
    out = []
    for m in NUMBER_RE.finditer(cleaned):
        s = m.group(0)
        plain = s.replace(",", "").replace("−", "-")
        dec = len(plain.split(".", 1)[1]) if "." in plain else 0
        out.append((m.start(), m.end(), s, float(plain), dec))
    return out


def _decimals(v: float) -> int:
    """Decimal places of a number as stored (at most 6): 78.4 -> 1, 3529.0 -> 0."""
    text = f"{v:.6f}".rstrip("0")
    return len(text.split(".", 1)[1]) if "." in text else 0


def _fmt_like(original: str, value: float, dec: int) -> str:
    v = abs(value) if not original.startswith(("-", "−")) else value
    commas = "," in original or (abs(v) >= 10_000 and dec == 0)
    return f"{v:,.{dec}f}" if commas else f"{v:.{dec}f}"


#: Keys the headline call-out reads (svsna.outputs.narrative.callout): a call-out shows only public values.
_CALLOUT_KEYS = frozenset(
    {"share_pct", "pct", "percentage", "share", "value", "ratio", "rate_ratio", "change_pct", "rate"}
)


def _leaves(numbers: Any, prefix: str = "") -> list[tuple[str, float]]:
    """Every numeric leaf of a finding's numbers (nested lists and mappings flattened)."""
    out: list[tuple[str, float]] = []
    items = numbers.items() if isinstance(numbers, dict) else enumerate(numbers)
    for k, v in items:
        key = f"{prefix}{k}"
        if isinstance(v, bool):
            continue
        if isinstance(v, int | float):
            if math.isfinite(v):
                out.append((key, float(v)))
        elif isinstance(v, dict | list | tuple):
            out += _leaves(v, key + ".")
    return out


def verified_tallies(finding: Any, public: pd.DataFrame) -> list[float]:
    """Values of a hot-spot finding that tally LSOAs by their published class (see :func:`public_finding`)."""
    keys = _hotspot_tallies(finding, public)
    return [v for k, v in _leaves(finding.numbers) if k in keys]


def _hotspot_tallies(finding: Any, public: pd.DataFrame) -> set[str]:
    """Keys of a hot-spot finding's numbers that only count LSOAs by their published class.

    The class (hot, cold, not significant) of every LSOA is in the public table, so a tally of
    the hot-spot LSOAs, overall or by area, is public as well: but only when the finding's hot
    spots are exactly the LSOAs the public table classes as hot (checked here), never assumed.
    """
    if "hotspot_gi" not in {str(i) for i in finding.indicators}:
        return set()
    codes = finding.numbers.get("hot_lsoa_codes")
    if not isinstance(codes, list | tuple):
        return set()
    z = public[(public["indicator"].astype(str) == "hotspot_gi") & (public["breakdown"].astype(str) == "lsoa")]
    period = finding.period or str(finding.numbers.get("period", ""))
    z = z[z["period"].astype(str) == period]
    if finding.definition:
        z = z[z["definition"].astype(str).isin([finding.definition, ""])]
    sig = z["significance"].astype(str)
    hot = set(z.loc[sig == "Higher", "breakdown_value"].astype(str))
    if not len(z) or hot != {str(c) for c in codes}:
        return set()
    tallies = {"hot": len(hot), "value": len(hot), "n": len(hot), "lsoas": len(z), "denominator": len(z)}
    tallies["cold"] = int((sig == "Lower").sum())
    out = set()
    for key, v in _leaves(finding.numbers):
        if key.startswith(("hot_by_", "cold_by_")) or (key in ("hot_95", "hot_99", "hot_999")):
            out.add(key)  # tallies of the published hot LSOAs by area or by level
        elif key in tallies and tallies[key] == v:
            out.add(key)
    return out


def _public_numbers(
    numbers: dict[str, Any],
    mapped: dict[str, tuple[float, float]],
    withheld: dict[str, str],
    context: Sequence[str],
) -> dict[str, Any]:
    """A templated finding's numbers with published values only (see :func:`public_finding`).

    A mapped number takes its published value and a context number (one of the ``context``
    paths the finding declares) stays; any other number is a statistic that is not a figure of
    the public table, and is dropped (a template then leaves out the clause, or the finding is
    withheld). Inside lists (``items``, ``top``), a list entry holding a withheld figure or such a
    statistic is dropped whole. When any figure is withheld, lists of names (special-cause
    months ...) are dropped as well.
    """
    import copy

    from svsna.analyses.findings_catalogue import is_context

    def walk(obj: Any, prefix: str) -> tuple[Any, bool]:
        """(the object with published values, whether it held a figure that may not be published);
        :data:`_DROPPED` for a number that may not be published."""
        if isinstance(obj, bool):
            return obj, False
        if isinstance(obj, int | float):
            if prefix in mapped:
                return mapped[prefix][1], False
            if is_context(prefix, context) and prefix not in withheld:
                return obj, False
            return _DROPPED, True
        if isinstance(obj, dict):
            out, bad = {}, False
            for k, v in obj.items():
                nv, b = walk(v, f"{prefix}.{k}")
                if nv is not _DROPPED:
                    out[k] = nv
                bad = bad or b
            return out, bad
        if isinstance(obj, list | tuple):
            kept = []
            for i, v in enumerate(obj):
                nv, b = walk(v, f"{prefix}.{i}")
                if not b:
                    kept.append(nv)
            return kept, False
        return copy.deepcopy(obj), False

    out: dict[str, Any] = {}
    for k, v in numbers.items():
        if isinstance(v, int | float) and not isinstance(v, bool):
            if k in mapped:
                out[k] = mapped[k][1]
            elif is_context(k, context) and k not in withheld:
                out[k] = v
            continue
        if withheld and isinstance(v, list | tuple) and not any(isinstance(x, dict) for x in v):
            # a list of names worked out from the finding's counts (special-cause months, ranked
            # places): not published when any of those counts is withheld
            continue
        out[k] = walk(v, k)[0]
    return out


#: A number of a finding that may not be published (see :func:`_public_numbers`).
_DROPPED = object()


def published_by_source_row(public: pd.DataFrame) -> pd.DataFrame:
    """The published figures (:data:`_FIELDS`, as floats) of a public table by the exact row they
    come from (``source_row``; ``Other`` rows, -1, left out)."""
    import pandas as pd

    rows = public[public["source_row"] >= 0]
    rows = rows[~rows["source_row"].duplicated()]
    table = rows[list(_FIELDS)].apply(pd.to_numeric, errors="coerce").astype(float)
    table.index = rows["source_row"].to_numpy()
    return table


class FindingRows:
    """The exact table and its public table indexed for :func:`public_finding`: the figures of
    every exact row as floats with their published values beside them, and the row positions of
    each indicator and section. Built once for all the findings of a report (each finding then
    looks up a few rows instead of filtering the whole table)."""

    def __init__(self, exact: pd.DataFrame, public: pd.DataFrame, by_row: pd.DataFrame | None = None) -> None:
        import numpy as np
        import pandas as pd

        self.values = exact[list(_FIELDS)].apply(pd.to_numeric, errors="coerce").to_numpy(float, copy=True)
        if "public_note" in public:
            # a mean's group size and sum are not figures of the public table (its value is): a number
            # alike to one of them is not thereby alike to a withheld figure
            means = public.loc[(public["source_row"] >= 0) & public["public_note"].eq(MEAN_NOTE), "source_row"]
            at = exact.index.get_indexer(means.to_numpy())
            at = at[at >= 0]
            self.values[at, _FIELDS.index("numerator")] = np.nan
            self.values[at, _FIELDS.index("denominator")] = np.nan
        by_row = published_by_source_row(public) if by_row is None else by_row
        self.shown = by_row.reindex(exact.index).to_numpy(float)
        self.section = exact["section"].astype(str).to_numpy()
        self.definition = exact["definition"].astype(str).to_numpy()
        self.by_indicator = _positions(exact["indicator"].astype(str))
        self.by_section = _positions(exact["section"].astype(str))
        # a breakdown's total (denominator) or comparator repeated on each of its rows is one figure:
        # the rows of an indicator, period, breakdown and definition whose field holds one value
        keys = exact[["indicator", "period", "breakdown", "definition"]].astype(str)
        self.group = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
        self.repeated = {
            col: pd.Series(self.values[:, col]).groupby(self.group).nunique(dropna=False).eq(1).to_numpy()
            for col in (_FIELDS.index("denominator"), _FIELDS.index("comparator_value"))
        }
        # a comparator that is the value of one other row of its indicator, period and definition (the
        # other category, the whole area) is that row's value
        own = (
            exact["indicator"].astype(str).fillna("")
            + "|"
            + exact["period"].astype(str).fillna("")
            + "|"
            + exact["definition"].astype(str).fillna("")
        ).to_numpy()
        holders: dict[tuple[str, str], list[int]] = {}
        for i, (k, v) in enumerate(zip(own, self.values[:, 0].tolist(), strict=True)):
            if not math.isnan(v):  # alike to 12 significant digits (the same figure worked out twice)
                holders.setdefault((k, f"{v:.12g}"), []).append(i)
        self.comparator_of = {
            i: rows[0]
            for i, (k, c) in enumerate(zip(own, self.values[:, 5].tolist(), strict=True))
            if not math.isnan(c) and len(rows := holders.get((k, f"{c:.12g}"), [])) == 1 and rows[0] != i
        }
        # per public indicator: whether every one of its rows is public data shown as published
        note = (
            public["public_note"].eq(PUBLIC_DATA_NOTE)
            if "public_note" in public
            else public["indicator"].isna()  # no notes: no row is public data
        )
        self.public_data = note.groupby(public["indicator"].astype(str).to_numpy()).all().to_dict()

    def rows(self, indicators: Iterable[str], definitions: list[str] | None, section: str) -> tuple[Any, Any]:
        """Positions of the finding's own rows (of its section when it has any there) and of its
        section's rows, in table order, within ``definitions`` when given."""
        import numpy as np

        empty = np.array([], dtype=np.intp)
        own = np.sort(np.concatenate([self.by_indicator.get(i, empty) for i in indicators] or [empty]))
        sec = self.by_section.get(section, empty)
        if definitions is not None:
            own = own[np.isin(self.definition[own], definitions)]
            sec = sec[np.isin(self.definition[sec], definitions)]
        in_section = self.section[own] == section
        return (own[in_section] if in_section.any() else own), sec

    def figure(self, position: int, col: int) -> tuple[Any, ...]:
        """Which figure the field ``col`` of the row at ``position`` is: a total or comparator repeated on
        every row of its breakdown is one figure (withheld on a row withheld whole, published on the others),
        and a comparator that is the value of one other row of its indicator is that row's value."""
        if col == 5 and position in self.comparator_of:
            return (self.comparator_of[position], 0)
        repeated = self.repeated.get(col)
        if repeated is not None and repeated[self.group[position]]:
            return ("repeated", int(self.group[position]), col)
        return (position, col)

    def pairs(self, positions: Any) -> list[tuple[float, float]]:
        """(exact, published) of every figure of the rows at ``positions``, row by row (NaN: not published)."""
        return [(tv, pv) for _, _, tv, pv in self.figures(positions)]

    def figures(self, positions: Any) -> list[tuple[int, int, float, float]]:
        """(row position, field, exact, published) of every figure of the rows at ``positions``, row by
        row; ``field`` indexes :data:`_FIELDS` (published NaN: not published)."""
        import numpy as np

        positions = np.asarray(positions, dtype=np.intp)
        exact_values, shown = self.values[positions], self.shown[positions]
        rows, fields = np.nonzero(~np.isnan(exact_values))
        return list(
            zip(
                positions[rows].tolist(),
                fields.tolist(),
                exact_values[rows, fields].tolist(),
                shown[rows, fields].tolist(),
                strict=True,
            )
        )


def _positions(column: pd.Series) -> dict[str, Any]:
    """Row positions of each value of a text column (in table order)."""
    import numpy as np

    return {str(k): np.asarray(v) for k, v in column.reset_index(drop=True).groupby(column.to_numpy()).indices.items()}


#: What the analyst can do about a number the public summary cannot print (:func:`public_finding`).
NUMBER_HINT = (
    "declare it as context in findings.yaml if it is an hour, an age or a threshold, or point it at a published figure"
)
_LEFT_OUT = f"so the public summary leaves it out ({NUMBER_HINT})"
NOT_A_FIGURE = "neither a figure of the public table nor declared context"
_ALIKE = "matches figures of the public table with different published values"

#: The standard numbers of a finding (:func:`svsna.analyses._figures.numbers_from`) by the field of
#: :data:`_FIELDS` of the row they are taken from.
_STANDARD_FIELDS = {"value": 0, "n": 1, "numerator": 1, "denominator": 2, "lower": 3, "upper": 4, "comparator_value": 5}


def add_warning(warnings: list[str] | None, line: str) -> None:
    """Add a line for the analyst to ``warnings`` (when given), once."""
    if warnings is not None and line not in warnings:
        warnings.append(line)


def about_finding(finding: Any) -> str:
    """How a warning names a finding of the public summary: its key and section, never its values."""
    return f"public summary: finding '{finding.key}' ({finding.section})"


def _one_published(shown: Sequence[float]) -> float | None:
    """The one published value of figures alike (NaN: withheld), or None when they differ (a withheld
    figure differs from any number)."""
    values = {round(p, 9): p for p in shown if not math.isnan(p)}
    withheld = any(math.isnan(p) for p in shown)
    if len(values) + withheld != 1:
        return None
    return next(iter(values.values())) if values else math.nan


def _headline_rows(numbers: Any, index: FindingRows, own_rows: Any) -> set[int]:
    """The finding's own rows that hold all of its standard numbers at once (``value`` and at least one of
    ``lower``, ``upper``, ``n``, ``denominator``, each in its own field): the row the finding is made from
    (:func:`svsna.analyses._figures.numbers_from`). Empty when the finding states fewer of them."""
    import numpy as np

    if not isinstance(numbers, Mapping):
        return set()
    std = [
        (_STANDARD_FIELDS[k], float(x))
        for k in ("value", "lower", "upper", "n", "denominator")
        if isinstance(x := numbers.get(k), int | float) and not isinstance(x, bool) and math.isfinite(x)
    ]
    if len(std) < 2 or std[0][0] != 0:
        return set()
    keep = np.ones(len(own_rows), dtype=bool)
    for col, x in std:
        keep &= np.abs(index.values[own_rows, col] - x) <= 1e-9 * max(1.0, abs(x))
    return set(np.asarray(own_rows)[keep].tolist())


def _at(numbers: Any, path: str) -> Any:
    """The mapping at ``path`` (``triggered_by.0.numbers``) of a finding's numbers ("" the numbers
    themselves); None when there is none."""
    for part in path.split(".") if path else ():
        if isinstance(numbers, Mapping):
            numbers = numbers.get(part)
        elif isinstance(numbers, list | tuple) and part.isdigit() and int(part) < len(numbers):
            numbers = numbers[int(part)]
        else:
            return None
    return numbers


def _published(hits: list[tuple[int, int, float, float]], index: FindingRows) -> list[float]:
    """The published values of the figures ``hits`` are, one per figure (:meth:`FindingRows.figure`):
    a figure repeated on several rows is published when any of them shows it."""
    by_figure: dict[tuple[Any, ...], list[float]] = {}
    for position, col, _, pv in hits:
        by_figure.setdefault(index.figure(position, col), []).append(pv)
    out: list[float] = []
    for values in by_figure.values():
        out += [p for p in values if not math.isnan(p)] or [math.nan]
    return out


def _narrowed(
    key: str, hits: list[tuple[int, int, float, float]], headline: set[int]
) -> list[tuple[int, int, float, float]]:
    """The figures a number may be, narrowed by data: a standard number (``value``, ``n`` ...) of a finding
    whose row is known (:func:`_headline_rows`) is that row's figure of the same field, when it is among
    ``hits``; any other number keeps every figure alike."""
    col = _STANDARD_FIELDS.get(key)
    if col is None or not headline:
        return hits
    return [h for h in hits if h[0] in headline and h[1] == col] or hits


def public_finding(
    finding: Any,
    exact: pd.DataFrame,
    public: pd.DataFrame,
    *,
    rules: str | RuleSet = "nhsd_2018",
    templated: bool = False,
    by_row: pd.DataFrame | None = None,
    rows: FindingRows | None = None,
    warnings: list[str] | None = None,
    dropped: dict[str, Any] | None = None,
) -> tuple[Any | None, str]:
    """The finding as the public release may state it, or None with the reason it is withheld.

    Each number the finding states is looked up among the figures of the exact table's rows
    (those of ``finding.indicators`` first, then, for an exact match, any row of its section)
    and replaced by the published value of the same figure; the sentence is rewritten with
    those values (a count that was rounded reads "around ..."). A finding about public data
    only (population estimates, the YEF Toolkit, Fingertips) is printed as it is. Only the
    numbers the finding declares as context (:func:`svsna.analyses.findings_catalogue.context_of`:
    an hour, an age, a threshold, a rank) are printed as they are; every other number is a
    statistic, whatever its name.

    Which figure a number is, is never guessed: when the figures alike have different published
    values (a withheld one counts as different), the number is not published, unless data settle
    it: a standard number (``value``, ``n``, ``denominator``, ``lower``, ``upper``,
    ``comparator_value``) of a finding, or of a finding it cites, whose row holds all its standard
    numbers at once is that row's figure; a total or comparator repeated on every row of a breakdown
    is one figure; a comparator that is the value of one other row of its indicator is that value
    (:meth:`FindingRows.figure`). A number of the sentence is rewritten likewise, by the paths the
    finding names in ``numbers["printed"]`` (a recommendation's placeholders) when it names them.

    The finding is withheld when it is marked not public, when a number it prints rests on a
    figure withheld by disclosure control or cannot be told from another figure, or when its
    sentence prints a statistic that is not a figure of the public table (so a sentence cannot
    carry a number past the audit). Numbers it carries but does not print are dropped unless they
    are public figures.

    ``warnings`` (for the analyst, restricted; keys, never values) gets a line for a finding
    withheld because its sentence states a number that is neither a public figure nor declared
    context, or that cannot be told from another figure. ``dropped``, for a templated finding, gets
    for each number left out for either reason its warning line and the finding's numbers with that
    number kept, so the caller can warn only when the sentence would have used it.

    ``public`` is :attr:`PublicRelease.table` (its ``source_row`` column points into ``exact``);
    ``by_row`` is its :func:`published_by_source_row` (:attr:`PublicRelease.by_source_row`, made once
    for all the findings of a report), worked out here when not given; ``rows`` is the
    :class:`FindingRows` of ``exact`` and ``public`` (made once for all the findings of a report),
    worked out here when not given.

    ``templated``: the finding is written by a template from its numbers (not from its
    analysis sentence). Its numbers are then replaced by their published values, and those that
    rest on a withheld figure or are not figures of the public table are dropped, so the
    template writes only what may be published (an optional clause is left out; a sentence
    that needs a dropped number is withheld). The caller checks the written sentence again
    (:func:`unaccounted_numbers`).
    """
    import dataclasses

    import numpy as np

    from svsna.analyses.findings_catalogue import context_of, is_context
    from svsna.outputs.narrative import count_numbers

    if not finding.public:
        return None, "marked not for public release"
    inds = {str(i) for i in finding.indicators}
    defs = [finding.definition, ""] if finding.definition else None
    index = FindingRows(exact, public, by_row) if rows is None else rows
    published_here = [index.public_data[i] for i in inds if i in index.public_data]
    if published_here and all(published_here):
        return finding, ""  # about public data only (population estimates, the YEF Toolkit, Fingertips)
    own_rows, section_rows = index.rows(inds, defs, str(finding.section))
    own_figures = index.figures(own_rows)
    own_exact = np.array([tv for _, _, tv, _ in own_figures], dtype=float)
    sec_figures: list[tuple[int, int, float, float]] | None = None
    headline: dict[str, set[int]] = {}
    counts_keys = set(count_numbers(finding.numbers))
    mapped: dict[str, tuple[float, float]] = {}
    withheld: dict[str, str] = {}
    ambiguous: set[str] = set()  # figures alike with different published values: which one is not known
    unmatched: list[str] = []  # neither a figure of the finding's rows nor declared context
    context: set[float] = set()
    tallies = _hotspot_tallies(finding, public)
    declared = context_of(finding)  # declared where the finding is made: nothing is guessed from names
    for key, v in _leaves(finding.numbers):
        if key in tallies:
            mapped[key] = (v, v)
            continue
        if is_context(key, declared):
            context.add(v)
            continue
        tol = 1e-9 * max(1.0, abs(v))
        hits = [own_figures[i] for i in np.flatnonzero(np.abs(own_exact - v) <= tol)]
        if not hits and not float(v).is_integer():  # a count must be one of the finding's own rows
            if sec_figures is None:
                sec_figures = index.figures(section_rows)
            hits = [c for c in sec_figures if abs(c[2] - v) <= tol]
        if not hits and not float(v).is_integer():  # stated rounded (78.4 for 78.43...)
            d = _decimals(v)
            hits = [c for c in own_figures if round(c[2], d) == round(v, d)]
        if not hits:
            unmatched.append(key)
            continue
        parent, _, leaf = key.rpartition(".")
        if parent not in headline:  # the row a (cited) finding's standard numbers are taken from
            headline[parent] = _headline_rows(_at(finding.numbers, parent), index, own_rows)
        published = _published(_narrowed(leaf, hits, headline[parent]), index)
        shown = _one_published(published)
        if shown is None:  # never guessed: not published (and withheld when a figure alike is)
            if any(math.isnan(pv) for pv in published):
                withheld[key] = f"'{key}' may rest on a figure withheld by disclosure control"
            else:
                ambiguous.add(key)
        elif math.isnan(shown):
            withheld[key] = f"'{key}' rests on a figure withheld by disclosure control"
        else:
            mapped[key] = (v, shown)
    about = about_finding(finding)
    leaves = dict(_leaves(finding.numbers))
    if templated:
        if dropped is not None:  # each number left out, and the numbers as they would be with it kept
            for key in [*unmatched, *sorted(ambiguous)]:
                why = _ALIKE if key in ambiguous else f"is {NOT_A_FIGURE}"
                kept = {**mapped, key: (leaves[key], leaves[key])}
                dropped[f"{about}: number '{key}' {why}, {_LEFT_OUT}"] = _public_numbers(
                    finding.numbers, kept, withheld, declared
                )
        return dataclasses.replace(finding, numbers=_public_numbers(finding.numbers, mapped, withheld, declared)), ""
    text = finding.text
    # the numbers the sentence prints, when the finding says (a recommendation: its rule's placeholders)
    printed = finding.numbers.get("printed")
    printed = {p for p in printed if isinstance(p, str)} if isinstance(printed, list | tuple) else set()
    pieces = []
    last = 0
    for start, end, s, x, d in _spans(text):

        def alike(tv: float, x: float = x, d: int = d) -> bool:
            return round(tv, d) == round(x, d) or round(abs(tv), d) == round(abs(x), d)

        keyed = [k for k, (tv, _) in mapped.items() if alike(tv)]
        held = [k for k in withheld if alike(leaves[k])]
        unsure = [k for k in sorted(ambiguous) if alike(leaves[k])]
        if printed & {*keyed, *held, *unsure}:  # the sentence's number is one the finding says it prints
            keyed, held, unsure = ([k for k in ks if k in printed] for ks in (keyed, held, unsure))
        options = set()  # the sentence's number as each figure alike would print it
        for k in keyed:
            tv, pv = mapped[k]
            new = _fmt_like(s, pv, d)
            if k in counts_keys and d == 0 and round(pv) != round(tv):
                before = text[max(0, start - 7) : start].lower()
                new = new if "around" in before else f"around {new}"
            options.add(new)
        if not options and not held and not unsure:  # a figure of the finding's own rows, printed without a key
            cands = _published([c for c in own_figures if round(c[2], d) == round(abs(x), d)], index)
            pv = _one_published(cands) if cands else 0.0
            if pv is None:
                unsure.append("")
            elif math.isnan(pv):
                held.append("")
            elif cands:
                options.add(_fmt_like(s, pv, d))
        if x in context and d == 0 and options <= {s}:
            continue  # context, printed as it is (no figure alike would print otherwise)
        if len(options) == 1 and not held and not unsure:
            pieces.append(text[last:start])
            pieces.append(options.pop())
            last = end
            continue
        if held:
            return None, withheld.get(held[0], "the sentence states a figure withheld by disclosure control")
        if options or unsure:  # figures alike would print different published values
            named = next((f"'{k}'" for k in unsure if k), "a number without a key")
            add_warning(
                warnings,
                f"{about} is withheld: its sentence states {named}, which matches figures of the public "
                f"table with different published values ({NUMBER_HINT})",
            )
            return None, "the sentence states a number that matches figures with different published values"
        named = next((f"'{k}'" for k in unmatched if alike(leaves[k])), "a number without a key")
        add_warning(
            warnings,
            f"{about} is withheld: its sentence states {named}, which is neither a figure of the public "
            f"table nor declared context ({NUMBER_HINT})",
        )
        return None, f"the sentence states {s}, which is not a figure of the public indicator table"
    pieces.append(text[last:])
    numbers = {
        k: v
        for k, v in finding.numbers.items()
        if not (isinstance(v, int | float) and not isinstance(v, bool)) or k in mapped or is_context(k, declared)
    }
    for k, (_, pv) in mapped.items():
        if "." not in k:
            numbers[k] = pv
    for k in _CALLOUT_KEYS & set(finding.numbers):
        if k not in mapped:
            numbers.pop(k, None)
    return dataclasses.replace(finding, text="".join(pieces), numbers=numbers), ""
