"""Indicator rows to figures and tables, chosen by the shape of the rows.

A group of rows (one indicator, one breakdown) is shown according to its breakdown and
``statistic``, never by its name, so any indicator an analysis adds appears in the full
SNA without a code change (:data:`VIEWS` is the registry):

==================  ==========================================================
breakdown           shown as
==================  ==========================================================
``month``           SPC trend chart (limits in lower/upper, point type in significance)
``quarter``         line by quarter (monthly series with suppressed months, public)
``weekday|hour``    hour x weekday heat map, plus a day x four-hour table (full SNA)
``hour``            hour-of-day lines, one per source (drawn once, in Timings)
``sex|age_band``    age-band pyramid by sex, plus a table (full SNA)
``lsoa``            hot-spot map of Gi* classes with a city inset, and the hot spots by area
``district``        bar chart with CIs, district choropleth (Geography), table
``all`` by period   bar chart of full years with CIs, a part year annualised (rates); table
``all`` single      a row in the section's key-figures table (full SNA)
ratios              points and CIs on a log axis with a line at 1
two-way ``a|b``     cross-tab table (full SNA), split into parts when too wide
anything else       bar chart with CIs (where limits exist) and a table
==================  ==========================================================

The public summary does not show everything: :data:`PUBLIC_VIEWS` names the views it
draws (the reference summary's charts and tables); the rest are in the full SNA.

Every table says its unit (from the indicator table's ``unit`` column), shows suppressed
values as ``[c]`` and values that do not exist as ``[x]`` (GSS symbols), writes category
codes in words (:func:`svsna.outputs.catalogue.display_value`), and a table whose cells
are all suppressed becomes one sentence.

Examples
--------
>>> fmt_value(9.4712, "rate"), fmt_value(78.43, "percent"), fmt_value(3529.0, "count"), fmt_value(None, "rate")
('9.47', '78.4%', '3,529', '[x]')
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svsna.outputs import charts, maps, theme
from svsna.outputs.catalogue import (
    SECTION_TITLES,
    breakdown_label,
    breakdown_words,
    display_value,
    group_words,
    in_text,
    indicator_kind,
    indicator_label,
    kind_of,
    series_name,
    source_line,
    source_publishers,
    value_heading,
)
from svsna.outputs.content import Cell, FigureBlock, Section, TableBlock, cell_text
from svsna.outputs.theme import SIGNIFICANCE_STYLE
from svsna.outputs.wording import fmt_count, fmt_number, fmt_pct, fmt_rate, hour_range, join_words, month_words

if TYPE_CHECKING:
    import pandas as pd

    from svsna.config import AreaConfig

__all__ = [
    "CORE_BREAKDOWNS",
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "PUBLIC_VIEWS",
    "SUPPRESSED",
    "PublicView",
    "ViewContext",
    "add_indicator_views",
    "add_public_views",
    "age_band_rows",
    "fmt_value",
    "hour_series",
    "monthly_to_quarters",
]

SUPPRESSED = "[c]"  # GSS symbol: confidential (suppressed under the disclosure rules)
NOT_AVAILABLE = "[x]"  # GSS symbol: not available (missing or not calculated)
NOT_APPLICABLE = "[z]"  # GSS symbol: not applicable (a combination that cannot occur)
_PLOTTED = ("breakdown_value", "label", "period", "value", "lower", "upper", "significance", "comparator_value")


@dataclass
class ViewContext:
    """What the views need besides the rows."""

    config: AreaConfig
    edition: str  # "full" or "public"
    boundaries: maps.Boundaries | None = None
    seen: set[str] = field(default_factory=set)
    #: series over years already drawn in this edition (values, periods and unit) -> the section's key: the
    #: same series in a later section (the whole area's rate in extent and in geography) is not drawn again
    drawn: dict[tuple[Any, ...], str] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    featured: set[str] | None = None
    max_public_figures: int = 3
    max_figures: int = 6
    on_chart: Callable[[str], None] | None = None  # called once per chart or map drawn (progress)
    noun: str = "offences"  # what the table's crime counts count (catalogue.counted_noun): "offences", "crimes"

    def draw(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a chart or map function, reusing the result for identical data (editions share most charts)."""
        import hashlib
        import pickle

        import pandas as pd

        parts = [fn.__name__, repr(sorted(kwargs.items(), key=lambda kv: kv[0]))]
        for a in args:
            if isinstance(a, pd.DataFrame):
                cols = [c for c in _PLOTTED if c in a.columns]
                parts.append(a[cols].to_json(orient="split", default_handler=str))
            elif isinstance(a, dict):
                parts += [
                    f"{k}:{v[[c for c in _PLOTTED if c in v.columns]].to_json(orient='split')}" for k, v in a.items()
                ]
            else:
                parts.append(str(id(a)))
        key = hashlib.sha256(pickle.dumps(parts)).hexdigest()
        if key not in self.cache:
            self.cache[key] = fn(*args, **kwargs)
            if self.on_chart is not None:
                self.on_chart(fn.__name__)
        return self.cache[key]

    @property
    def public(self) -> bool:
        return self.edition == "public"

    @property
    def area(self) -> str:
        return self.config.label

    @property
    def ci_label(self) -> str:
        """``95% CI`` at the configured confidence level."""
        return f"{self.config.confidence:.0%} CI"

    @property
    def ci_words(self) -> str:
        return f"{self.config.confidence:.0%} confidence intervals"

    @property
    def period_months(self) -> dict[str, int]:
        """Length in months of every configured period, by label (financial years, part year, profile)."""
        out = {p.label: p.months for p in self.config.periods()}
        try:
            prof = self.config.profile()
            out.setdefault(prof.label, prof.months)
        except Exception:
            pass
        return out

    @property
    def profile_label(self) -> str | None:
        try:
            return self.config.profile().label
        except Exception:
            return None

    @property
    def baseline_label(self) -> str:
        """The label of the baseline financial year (``baseline_year``), "" when none is set."""
        from svsna.config import financial_year

        year = self.config.baseline_year
        return "" if year is None else financial_year(year).label

    def label(self, indicator: str, breakdown: str = "") -> str:
        """An indicator's label in this report: :func:`indicator_label` with the report's counted
        noun and its baseline year named."""
        return indicator_label(indicator, self.noun, breakdown, baseline=self.baseline_label)


def _isnan(x: Any) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def fmt_value(v: Any, kind: str, missing: str = NOT_AVAILABLE, dp: int | None = None) -> str:
    """A value formatted for its kind; ``missing`` (``[x]``, or ``[c]`` when suppressed) when absent.
    ``dp`` gives a rate's or other number's decimal places when not the kind's own."""
    if _isnan(v):
        return missing
    v = float(v)
    if dp is not None and kind not in ("percent", "count"):
        return fmt_number(v, dp)
    if kind == "percent":
        return fmt_pct(v)
    if kind == "rate":
        return fmt_rate(v)
    if kind == "count":
        return fmt_count(v)
    return fmt_number(v, 2)


def value_cell(
    v: Any, kind: str, missing: str = NOT_AVAILABLE, cls: str | None = None, marker: str = "", dp: int | None = None
) -> Cell:
    """A table cell showing ``v`` as :func:`fmt_value` writes it, and carrying the number itself.

    >>> c = value_cell(1234.0, "count")
    >>> c.text, c.value, c.cls
    ('1,234', 1234.0, 'num count')
    >>> value_cell(None, "rate", SUPPRESSED).value is None
    True
    """
    shown = None if _isnan(v) else float(v)
    cls = cls if cls is not None else ("num count" if kind == "count" else "num")
    return Cell(fmt_value(v, kind, missing, dp), cls, marker, value=shown, kind=kind, dp=dp)


def supplied_decimals(values: Any, most: int = 2) -> int | None:
    """The fewest decimal places (up to ``most - 1``) that show every value exactly: the precision an
    indicator was published at (first-time entrants per 100,000 are whole numbers), so it is not
    printed with made-up decimals ("169.00"); None when they need ``most`` or more, or there are none.

    >>> supplied_decimals([169.0, 251.0, 118.0]), supplied_decimals([5.5, 4.0]), supplied_decimals([0.123])
    (0, 1, None)
    """
    finite = [float(v) for v in values if not _isnan(v)]
    if not finite:
        return None
    for dp in range(most):
        if all(abs(v * 10**dp - round(v * 10**dp)) < 1e-6 for v in finite):
            return dp
    return None


def rounded(rows: pd.DataFrame, ctx: ViewContext) -> bool:
    """Whether the counts of ``rows`` are shown rounded: in the public edition, unless every row is public
    data shown as published (population estimates are not rounded)."""
    from svsna.outputs.public import PUBLIC_DATA_NOTE

    if not ctx.public:
        return False
    notes = rows["public_note"] if "public_note" in rows.columns else None
    return notes is None or not bool(notes.eq(PUBLIC_DATA_NOTE).all())


def _was_suppressed(row: Any) -> bool:
    note = getattr(row, "public_note", "")
    return bool(getattr(row, "suppressed", False)) or (isinstance(note, str) and "suppress" in note)


def missing_symbol(row: Any) -> str:
    """``[c]`` for a value withheld under the disclosure rules, ``[x]`` for one that does not exist."""
    return SUPPRESSED if _was_suppressed(row) else NOT_AVAILABLE


def _ci(row: Any, kind: str) -> str:
    if _isnan(row.lower) or _isnan(row.upper) or _isnan(row.value):
        return ""
    return f"{fmt_value(row.lower, kind)} to {fmt_value(row.upper, kind)}"


def _sig_cell(sig: Any, value: Any = 0.0) -> Cell:
    if _isnan(value) or not isinstance(sig, str) or not sig or sig.strip().lower() == "not compared":
        return Cell("")  # no symbol next to a suppressed value
    style = SIGNIFICANCE_STYLE.get(sig.lower())
    if style:
        return Cell(f"{style['symbol']} {style['label']}", cls=f"sig sig-{sig.lower()}")
    return Cell(display_value(sig))


def _kind(rows: pd.DataFrame) -> str:
    r = rows.iloc[0]
    return kind_of(r.get("statistic"), str(r["indicator"]), r.get("method"))


def _unit(rows: pd.DataFrame) -> str:
    u = rows.iloc[0].get("unit") if "unit" in rows.columns else None
    return u if isinstance(u, str) else ""


def _chart_unit(kind: str) -> str:
    return {"percent": "%", "count": "count", "ratio": "ratio"}.get(kind, "rate")


def _symbols_note(out: list[list[Cell | str]]) -> str:
    texts = {cell_text(c) for line in out for c in line}
    notes = []
    if SUPPRESSED in texts:
        notes.append(f"{SUPPRESSED} suppressed under the disclosure rules (small numbers)")
    if NOT_AVAILABLE in texts:
        notes.append(f"{NOT_AVAILABLE} not available")
    if NOT_APPLICABLE in texts:
        notes.append(f"{NOT_APPLICABLE} not applicable")
    return ("; ".join(notes) + ".") if notes else ""


def _all_suppressed(out: list[list[Cell | str]], value_cols: list[int]) -> bool:
    cells = [line[j] for line in out for j in value_cols if j < len(line)]
    texts = [cell_text(c) for c in cells]
    return bool(texts) and all(t in (SUPPRESSED, "") for t in texts) and SUPPRESSED in texts


def _labelled(rows: pd.DataFrame, breakdown: str) -> pd.DataFrame:
    return rows.assign(label=[display_value(v, breakdown) for v in rows["breakdown_value"]])


def _measures(rows: pd.DataFrame, kind: str) -> tuple[bool, bool, bool]:
    """Which columns beside its value a table of ``rows`` shows: confidence interval, number
    (numerator) and comparison; a table of counts shows none of them."""
    has_ci = rows["lower"].notna().any() and kind != "count"
    has_num = rows["numerator"].notna().any() and kind != "count"
    sigs = rows["significance"].fillna("").astype(str).str.strip().str.lower()
    has_sig = sigs.isin(list(SIGNIFICANCE_STYLE)).any() and kind != "count"
    return bool(has_ci), bool(has_num), bool(has_sig)


def _measure_cells(r: Any, kind: str, has_ci: bool, has_num: bool, has_sig: bool, *, public: bool) -> list[Cell]:
    """One row's cells of a table (:func:`_measures`): the value, then its confidence interval,
    number and comparison where the table shows them. A missing number is ``[c]`` in the
    public summary (suppressed), ``[x]`` in the full SNA."""
    line = [value_cell(r.value, kind, missing_symbol(r))]
    if has_ci:
        line.append(Cell(_ci(r, kind), "num"))
    if has_num:
        line.append(value_cell(r.numerator, "count", SUPPRESSED if public else NOT_AVAILABLE))
    if has_sig:
        line.append(_sig_cell(r.significance, r.value))
    return line


def _table(
    key: str,
    caption: str,
    rows: pd.DataFrame,
    kind: str,
    ctx: ViewContext,
    source: str,
    first: str,
    section: Section | None = None,
) -> TableBlock | None:
    """A one-way table (category, value, CI, number, comparison); None, with a sentence, if all suppressed."""
    unit = _unit(rows)
    has_ci, has_num, has_sig = _measures(rows, kind)
    shown_rounded = rounded(rows, ctx)
    columns = [first, value_heading(kind, unit, public=shown_rounded)]
    if has_ci:
        columns.append(ctx.ci_label)
    if has_num:
        columns.append("Number (rounded)" if shown_rounded else "Number")
    if has_sig:
        columns.append(_comparison_heading(rows, kind))
    out: list[list[Cell | str]] = []
    labels = rows["label"] if "label" in rows.columns else [display_value(v) for v in rows["breakdown_value"]]
    for r, lab in zip(rows.itertuples(index=False), labels, strict=True):
        out.append([str(lab), *_measure_cells(r, kind, has_ci, has_num, has_sig, public=ctx.public)])
    if _all_suppressed(out, [1]):
        if section is not None:
            section.notes.append(f"{caption}: every value is suppressed in this summary because the numbers are small.")
        return None
    counts = tuple(i for i, c in enumerate(columns) if c.startswith("Number") or (i == 1 and kind == "count"))
    return TableBlock(key, caption, columns, out, source, notes=_symbols_note(out), count_columns=counts)


#: A one-way table longer than this is printed shortened in the full SNA; every row is in the workbook.
_PRINT_MAX = 20
#: How many rows of a long list without a natural order the full SNA prints: the highest values.
_PRINT_TOP = 15


def _for_reading(
    t: TableBlock, rows: pd.DataFrame, breakdown: str, kind: str, ctx: ViewContext, top: int = _PRINT_TOP
) -> TableBlock:
    """The form of a long one-way table the full SNA prints; every row stays in the workbook (``t.whole``).

    ``rows`` are the table's rows in its order. A list without a natural order (wards, areas,
    offences) prints its ``top`` highest values; single years of age with counts print as
    five-year bands (sums of the same counts). A shorter table, a naturally ordered one (hours,
    deciles) and the public summary's tables are printed as they are.
    """
    n = len(t.rows)
    if ctx.public or n <= max(_PRINT_MAX, top):
        return t
    if _order_key(rows, breakdown) is None:
        return t.shorten(t.rows[:top], f"the {top} highest of {n:,}")
    if breakdown == "age" and kind == "count":
        banded = age_band_rows(rows)
        if banded is not None:
            out = [[r.label, value_cell(r.value, kind, cls="num count")] for r in banded.itertuples(index=False)]
            return t.shorten(
                out,
                f"in five-year age bands (sums of the {n:,} single years of age)",
                columns=["Age band", t.columns[1]],
                notes=_symbols_note(out),
                count_columns=(1,),
            )
    return t


#: What a band row keeps of its single years' rows: what they are, not their figures or notes.
_BAND_CARRIES = ("section", "indicator", "period", "area", "definition", "statistic", "unit", "method", "confidence")


def age_band_rows(rows: pd.DataFrame) -> pd.DataFrame | None:
    """Counts by single year of age summed to the five-year bands of the ``age_bands`` code list
    (``"15-19"`` ... ``"85-89"``, ``"90+"``, as ONS and the analyses' age bands): the one banding of
    single ages that both the full SNA's tables and its charts print.

    One row per band from the youngest age's band to the oldest's, a band with no one in it
    being 0 (a single year of age absent from the rows counted no one), so that a chart of
    the bands has the shape of the ages. A band holding a missing count is missing. The rows
    keep what the single years are (indicator, period, statistic, unit), with no confidence
    limits, comparator or notes. None when an age is not a whole number in a band.

    Exact counts only: a public edition's single years are disclosure-controlled one by one,
    and summing rounded or suppressed cells is not a controlled band.

    >>> import pandas as pd
    >>> b = age_band_rows(pd.DataFrame({"breakdown_value": ["17", "18", "31", "19"], "value": [1.0, 2.0, 4.0, 8.0]}))
    >>> list(zip(b["label"], b["value"]))
    [('15-19', 11.0), ('20-24', 0.0), ('25-29', 0.0), ('30-34', 4.0)]
    >>> list(age_band_rows(pd.DataFrame({"breakdown_value": ["88", "93", "101"], "value": [1.0, 2.0, 3.0]}))["label"])
    ['85-89', '90+']
    """
    import pandas as pd

    from svsna.codelists import load_codelist

    ages = rows["breakdown_value"].astype(str)
    if not len(rows) or not ages.str.fullmatch(r"\d+").all():
        return None
    table = load_codelist("age_bands")
    bands = list(zip(table["band"], table["age_from"].astype(int), table["age_to"].astype(int), strict=True))

    def band_of(age: int) -> int | None:
        return next((i for i, (_b, lo, hi) in enumerate(bands) if lo <= age <= hi), None)

    where = [band_of(a) for a in ages.astype(int)]
    if None in where:
        return None
    first, last = min(where), max(where)  # type: ignore[type-var]
    sums: dict[int, float | None] = dict.fromkeys(range(first, last + 1), 0.0)
    for i, v in zip(where, rows["value"], strict=True):
        have = sums[i]
        sums[i] = None if have is None or _isnan(v) else have + float(v)
    labels = [bands[i][0] for i in sums]
    head = rows.iloc[0]
    nan = float("nan")
    return pd.DataFrame(
        {
            **{c: head[c] for c in _BAND_CARRIES if c in rows.columns},
            "breakdown": "age_band",
            "breakdown_value": labels,
            "label": labels,
            "value": [nan if v is None else v for v in sums.values()],
            **dict.fromkeys(("lower", "upper", "numerator", "comparator_value"), nan),
            "significance": None,
        },
        index=range(len(labels)),
    )


def _sex_by_age_table(
    key: str,
    caption: str,
    rows: pd.DataFrame,
    kind: str,
    ctx: ViewContext,
    source: str,
    breakdown: str,
    section: Section,
) -> TableBlock | None:
    """A sex by age-band breakdown as one row per age band with the sexes across (value, CI, number
    and comparison for each): the same figures as the one-way table, in half the rows or fewer.
    A combination with no row is ``[z]``."""
    from svsna.outputs.charts import _band_start

    parts = rows["breakdown_value"].astype(str).str.split("|", n=1, expand=True)
    if parts.shape[1] < 2:
        return _table(key, caption, rows, kind, ctx, source, breakdown_label(breakdown), section)
    sex_first = breakdown.split("|", 1)[0] == "sex"
    sexes, bands = (parts[0], parts[1]) if sex_first else (parts[1], parts[0])
    frame = rows.assign(sex_part=sexes.to_numpy(), band_part=bands.to_numpy())
    sex_order = list(dict.fromkeys(frame["sex_part"]))
    band_order = sorted(dict.fromkeys(frame["band_part"]), key=_band_start)
    unit = _unit(rows)
    has_ci, has_num, has_sig = _measures(rows, kind)
    heading = value_heading(kind, unit)
    short = heading.split(" (", 1)[0].lower()  # "rate": the unit is in the note
    compared = _comparison_heading(rows, kind)
    columns = ["Age band"]
    counts: list[int] = []
    for sex in sex_order:
        who = display_value(sex, "sex")
        columns.append(f"{who}: {short}")
        if kind == "count":
            counts.append(len(columns) - 1)
        if has_ci:
            columns.append(f"{who}: {ctx.ci_label}")
        if has_num:
            columns.append(f"{who}: number")
            counts.append(len(columns) - 1)
        if has_sig:
            columns.append(f"{who}: {compared[:1].lower()}{compared[1:]}")
    by = {(str(r.sex_part), str(r.band_part)): r for r in frame.itertuples(index=False)}
    out: list[list[Cell | str]] = []
    for band in band_order:
        line: list[Cell | str] = [display_value(band, "age_band")]
        for sex in sex_order:
            r = by.get((sex, band))
            if r is None:
                line += [Cell(NOT_APPLICABLE, "num")] * (1 + has_ci + has_num) + ([Cell("")] if has_sig else [])
                continue
            line += _measure_cells(r, kind, has_ci, has_num, has_sig, public=ctx.public)
        out.append(line)
    values = [j for j, c in enumerate(columns) if j and not c.endswith((ctx.ci_label, "number"))]
    if _all_suppressed(out, values):
        section.notes.append(f"{caption}: every value is suppressed because the numbers are small.")
        return None
    across = join_words([display_value(x, "sex").lower() for x in sex_order])
    note = f"{heading}: one row per age band, {across} across. "
    return TableBlock(
        key, caption, columns, out, source, notes=(note + _symbols_note(out)).strip(), count_columns=tuple(counts)
    )


def _comparison_heading(rows: pd.DataFrame, kind: str = "") -> str:
    """The heading of a table's comparison column: what its rows' significance compares them with.

    A rate ratio is tested against 1 (its ``comparator_value``): the two rates are compared with
    each other ("equal rates"), not with the whole area.
    """
    comp = rows["comparator_value"].dropna() if "comparator_value" in rows.columns else []
    if kind == "ratio" and len(comp) and bool((comp == 1).all()):
        return "Compared with equal rates"
    return "Compared with the whole area" if len(comp) else "Compared with benchmark"


SUBJECTS: dict[str, str] = {"perpetrators": "Perpetrators", "victims": "Victims"}


#: Breakdowns that classify an indicator rather than divide its rows: each indicator has one value
#: (the indicator catalogue's domain of an area indicator).
CLASSIFYING_BREAKDOWNS: frozenset[str] = frozenset({"domain"})


def label_unit(label: str) -> tuple[str, str]:
    """A label split before its unit in brackets at the end (``""`` when it has none).

    >>> label_unit("Share of offences by district (%)"), label_unit("Offences per month")
    (('Share of offences by district', ' (%)'), ('Offences per month', ''))
    """
    head, unit = re.fullmatch(r"(.*?)((?: \([^()]*\))?)", label).groups()
    return head, unit


#: Words that join the parts of a group's name ("Under 25s compared with 25 and over") rather
#: than name the group, left out when asking whether a label names the group.
_JOINING_WORDS: frozenset[str] = frozenset({"compared", "with", "vs", "against", "to", "and", "the", "s"})


def _name_words(text: str) -> set[str]:
    """The words of a label or group name, in small letters, "25s" as "25", joining words left out."""
    return {re.sub(r"^(\d+)s$", r"\1", w) for w in re.findall(r"[a-z0-9&]+", text.lower())} - _JOINING_WORDS


def by_breakdown(label: str, breakdown: str, values: Iterable[str] = ()) -> str:
    """``label`` saying what it is broken down by: "by ..." added to a label without one (before its
    unit; not when the label already names a one-way breakdown, as "per month" does), and the
    parts of a two-way breakdown that the label's own "by ..." leaves out, so that an indicator's
    one-way and two-way tables have different captions. A left-out part that has one value
    among the rows' ``values`` (``a|b`` breakdown values) is named by that value instead.

    >>> by_breakdown("Residents", "district"), by_breakdown("Offences by LSOA", "lsoa")
    ('Residents by district', 'Offences by LSOA')
    >>> by_breakdown("Offences in the night-time economy (%)", "age_group"), by_breakdown("Offences per month", "month")
    ('Offences in the night-time economy by age group (%)', 'Offences per month')
    >>> by_breakdown("Share of offences by day of week (%)", "age_group|weekday")
    'Share of offences by day of week and age group (%)'
    >>> by_breakdown("Rate per 1,000 population by offence type", "district|offence_type")
    'Rate per 1,000 population by offence type and district'
    >>> by_breakdown("Share of offences by district (%)", "age_group|district", ["Under 25|Melton", "Under 25|Blaby"])
    'Share of offences by district (%): Under 25 only'

    A breakdown that classifies an indicator rather than dividing its rows
    (:data:`CLASSIFYING_BREAKDOWNS`: an area indicator's domain) and has one value among the rows'
    ``values`` is not said: "by domain" would promise groups the rows do not have.

    >>> by_breakdown("Children in need (per 10,000)", "domain", ["relationship", "relationship"])
    'Children in need (per 10,000)'

    Nor is a one-way breakdown with one group among the ``values``: the group is named instead
    (:func:`group_words`), unless the label already names it (a rate ratio of under 25s to 25 and
    over, whose one group is "Under 25").

    >>> by_breakdown("Residents who were victims (%)", "age_group", ["Under 25"])
    'Residents who were victims for under 25s (%)'
    >>> by_breakdown("A&E attendances: rate ratio, under 25s to 25 and over", "age_group", ["Under 25"])
    'A&E attendances: rate ratio, under 25s to 25 and over'
    """
    if breakdown == "all":
        return label
    groups = {str(v) for v in values}
    if breakdown in CLASSIFYING_BREAKDOWNS and len(groups) == 1:
        return label
    names = breakdown.split("|")
    head, unit = label_unit(label)
    if len(names) == 1 and len(groups) == 1 and " by " not in label.lower():
        (group,) = groups
        if group.lower() == "all" or _name_words(display_value(group, breakdown)) <= _name_words(label):
            return label  # the label names its one group (or the one group is everyone)
        return f"{head} for {group_words(group, breakdown)}{unit}"
    if " by " not in label.lower():
        if len(names) == 1 and re.search(rf"\b{re.escape(breakdown_words(breakdown).lower())}\b", label.lower()):
            return label  # "Offences per month" by month
        return f"{head} by {breakdown_words(breakdown)}{unit}"
    said = label.lower().split(" by ", 1)[1]
    missing = [n for n in names if not re.search(rf"\b{re.escape(breakdown_words(n).lower())}\b", said)]
    if not missing or len(missing) == len(names):
        return label  # a one-way breakdown the label names, or a "by" that is not the breakdown's
    found: dict[str, set[str]] = {n: set() for n in names}
    for v in values:
        for n, part in zip(names, str(v).split("|", len(names) - 1), strict=False):
            found[n].add(part)
    if all(len(found[n]) == 1 for n in missing):
        only = [display_value(found[n].pop(), n) for n in missing]
        return f"{label}: {join_words(only)} only"
    return f"{head} and {join_words([breakdown_words(n) for n in missing])}{unit}"


def _rows_section(key: str, rows: pd.DataFrame) -> str:
    """The analysis section the rows come from (their ``section``), else the report section's key:
    a report section that shows another section's rows (the appendix's row-ledger figures) credits
    their source, not its own."""
    if "section" in rows.columns and len(rows):
        return str(rows["section"].iloc[0])
    return key


def _caption(
    label: str, breakdown: str, ctx: ViewContext, period: str, section_key: str = "", values: Iterable[str] = ()
) -> str:
    subject = SUBJECTS.get(section_key)
    text = by_breakdown(label, breakdown, values)
    if subject and not text.lower().startswith(subject.lower()):
        text = f"{subject}: {in_text(text)}"
    return f"{text}, {ctx.area}" + (f" ({period})" if period else "")  # a run's totals have no period


def _fig(key: str, caption: str, chart: charts.Chart, source: str, **kw: Any) -> FigureBlock:
    png = theme.fig_data_uri(chart.png, "png")
    if chart.svg:
        return FigureBlock(key, caption, theme.fig_data_uri(chart.svg, "svg"), chart.alt, source, print_uri=png, **kw)
    return FigureBlock(key, caption, png, chart.alt, source, **kw)


def hour_series(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Hour-of-day rows per source (police, A&E, ambulance, admissions), shares preferred."""
    hours = table[(table["breakdown"] == "hour") & ~table["indicator"].astype(str).str.startswith("nte_")]
    out: dict[str, pd.DataFrame] = {}
    for ind, rows in hours.groupby("indicator", sort=False):
        name = series_name(str(ind))
        kind = _kind(rows)
        if name in out and kind != "percent":
            continue
        latest = rows[rows["period"] == rows["period"].iloc[-1]]
        out[name] = latest
    return out


#: Breakdowns always shown in the full SNA, beyond the figure cap (the reference's core charts).
CORE_BREAKDOWNS: frozenset[str] = frozenset({"month", "weekday|hour", "hour", "district", "lsoa", "sex|age_band"})
_SMALL = 3  # categorical groups of this many rows or fewer go into the key-figures table
#: Sections where a core breakdown is core (a monthly series is core in Timings, districts in Geography).
_CORE_SECTIONS: dict[str, frozenset[str]] = {
    "month": frozenset({"timing"}),
    "district": frozenset({"geography"}),
}


def is_core(section: str, breakdown: str) -> bool:
    """Whether a view is always shown (beyond the figure cap).

    >>> is_core("geography", "district"), is_core("victims", "district"), is_core("victims", "sex|age_band")
    (True, False, True)
    """
    if breakdown not in CORE_BREAKDOWNS:
        return False
    return section in _CORE_SECTIONS.get(breakdown, frozenset({section}))


def _pick_period(grp: pd.DataFrame, ctx: ViewContext) -> str:
    """The period a one-period view shows: the profile window when present (the findings use it), else the last."""
    periods = list(dict.fromkeys(grp["period"].astype(str)))
    prof = ctx.profile_label
    return prof if prof in periods else periods[-1]


def add_indicator_views(section: Section, rows: pd.DataFrame, table: pd.DataFrame, ctx: ViewContext) -> None:
    """Add a figure and/or table for every indicator group of ``rows`` to ``section`` (full SNA).

    Small groups (up to three categories, or changes over periods) become rows of the
    section's key-figures table rather than charts.
    """
    singles = []
    pyramids = set(rows.loc[rows["breakdown"].isin(["sex|age_band", "age_band|sex"]), "indicator"])
    limited = set(rows.loc[(rows["breakdown"] == "month") & rows["lower"].notna(), "indicator"])
    for (ind, breakdown), grp in rows.groupby(["indicator", "breakdown"], sort=False):
        ind, breakdown = str(ind), str(breakdown)
        core = is_core(section.key, breakdown)
        if ctx.featured is not None and not core and ind not in ctx.featured:
            continue
        kind = _kind(grp)
        label = ctx.label(ind, breakdown)
        src = source_line(_rows_section(section.key, grp), ind)
        key = f"{section.key}-{ind}-{breakdown}".replace("|", "-")
        periods = list(dict.fromkeys(grp["period"].astype(str)))
        if breakdown == "all":
            if len(periods) > 1 and grp["area"].nunique() == 1 and kind in ("rate", "count", "percent", "ratio"):
                _period_view(section, grp, ind, kind, label, src, key, ctx)
            else:
                singles.append(grp)
            continue
        if breakdown == "month":
            if grp["lower"].notna().any() or not limited:
                _month_view(section, grp, kind, label, src, key, ctx)
            continue
        if breakdown == "quarter":
            _quarter_view(section, grp, kind, label, src, key, ctx)
            continue
        period = _pick_period(grp, ctx)
        latest = _labelled(grp[grp["period"].astype(str) == period], breakdown)
        caption = _caption(label, breakdown, ctx, period, section.key, latest["breakdown_value"].astype(str))
        if breakdown == "age_band" and ind in pyramids:
            continue
        if breakdown.count("|") >= 2:
            continue  # three-way breakdowns are in the workbook's Indicators sheet (see the appendix)
        if len(latest) <= _SMALL and not core and "|" not in breakdown and kind != "ratio":
            singles.append(latest)
            continue
        crowded = len(section.figures) >= (ctx.max_public_figures if ctx.public else ctx.max_figures)
        if crowded and not core and "|" not in breakdown and breakdown not in ("field",):
            if ctx.public:
                continue
            t = _table(
                f"{key}-t",
                caption,
                natural_order(latest, breakdown),
                kind,
                ctx,
                src,
                breakdown_label(breakdown),
                section,
            )
            if t is not None:
                section.add_table(_for_reading(t, latest, breakdown, kind, ctx))
            continue
        view = VIEWS.get(breakdown)
        if view is not None:
            view(section, latest, table, ind, kind, caption, src, key, ctx, breakdown)
        elif "|" in breakdown:
            if not ctx.public:
                _crosstab_view(section, latest, kind, caption, src, key, breakdown, ctx)
        elif kind == "ratio":
            _ratio_view(section, latest, table, ind, kind, caption, src, key, ctx, breakdown)
        else:
            _category_view(section, latest, table, ind, kind, caption, src, key, ctx, breakdown)
    if singles:
        _key_figures(section, singles, ctx)


def _too_sparse(values: Any, least: int = 2) -> bool:
    """Whether a chart of ``values`` would show nothing: fewer than ``least`` values shown, or all equal."""
    import numpy as np

    arr = np.array([float(v) for v in values if not _isnan(v)], dtype=float)
    return len(arr) < least or (len(arr) > 1 and bool(np.all(arr == arr[0])))


def _sparse_note(section: Section, caption: str) -> None:
    section.notes.append(
        f"{caption}: not drawn, because too few of its values can be shown (small numbers are suppressed) "
        "or they do not vary."
    )


def _weekday_hour_view(section, latest, table, ind, kind, caption, src, key, ctx, breakdown) -> None:
    value_label = value_heading(kind, _unit(latest))
    if _too_sparse(latest["value"], 8):
        _sparse_note(section, caption)
        return
    chart = ctx.draw(charts.heatmap_weekday_hour, latest, value_label=value_label)
    if chart is None:
        section.notes.append(f"{caption}: every cell is suppressed in this summary because the numbers are small.")
        return
    notes = "White hatched cells are suppressed (small numbers)." if latest["value"].isna().any() else ""
    section.add_figure(_fig(key, caption, chart, src, notes=notes))
    if not ctx.public:
        _day_block_table(section, latest, kind, caption, src, key, ctx)


def _day_block_table(section, rows, kind, caption, src, key, ctx) -> None:
    """Day of week by four-hour block: the heat map's figures in a table that fits a page."""
    import numpy as np

    grid = np.full((7, 24), np.nan)
    for v, val in zip(rows["breakdown_value"], rows["value"], strict=True):
        day, _, hour = str(v).partition("|")
        if day[:3].title() in charts.WEEKDAYS and hour.strip().isdigit() and not _isnan(val):
            grid[charts.WEEKDAYS.index(day[:3].title()), int(hour)] = float(val)
    if kind not in ("count", "percent"):
        return  # rates and scores do not add up over hours
    blocks = [(h, h + 4) for h in range(0, 24, 4)]
    out = []
    for d, name in enumerate(charts.DAY_NAMES):
        line: list[Cell | str] = [name]
        for a, b in blocks:
            cells = grid[d, a:b]
            line.append(value_cell(np.nansum(cells) if np.isfinite(cells).any() else None, kind, cls="num"))
        line.append(value_cell(np.nansum(grid[d]) if np.isfinite(grid[d]).any() else None, kind, cls="num"))
        out.append(line)
    # "00:00 to 03:59": a heading that can wrap between its times, so the table fits a portrait page whole
    cols = ["Day", *[f"{a:02d}:00 to {b - 1:02d}:59" for a, b in blocks], "Whole day"]
    blocked = caption.replace(" by day and hour,", " by day and four-hour block,", 1)
    section.add_table(
        TableBlock(
            f"{key}-t",
            blocked if blocked != caption else f"{caption}, by four-hour block",
            cols,
            out,
            src,
            notes=f"{value_heading(kind, _unit(rows))}. " + _symbols_note(out),
        )
    )


def _hour_view(section, latest, table, ind, kind, caption, src, key, ctx, breakdown) -> None:
    if ind.startswith("nte_"):
        _category_view(section, latest, table, ind, kind, caption, src, key, ctx, breakdown)
        return
    if "hour-lines" in ctx.seen:
        return
    ctx.seen.add("hour-lines")
    series = {k: v for k, v in hour_series(table).items() if not _too_sparse(v["value"], 4)}
    if not series:
        _sparse_note(section, f"Hour of day by data source, {ctx.area}")
        return
    chart = ctx.draw(charts.hour_lines, series, value_label="Share of the day's total (%)")
    sources = ", ".join(
        sorted({source_line(str(r["section"].iloc[0]), str(r["indicator"].iloc[0])) for r in series.values()})
    )
    period = latest["period"].iloc[0]
    gaps = []
    for name, r in series.items():
        shown = {
            int(h) for h, v in zip(r["breakdown_value"], r["value"], strict=True) if str(h).isdigit() and not _isnan(v)
        }
        missing = [hour_range(h) for h in range(24) if h not in shown]
        if missing:
            gaps.append(f"{name}: {join_words(missing)}")
    note = (
        f"An hour whose count is suppressed is left as a gap in its line, marked ◇ on the axis ({'; '.join(gaps)})."
        if gaps
        else ""
    )
    # one source: no "by data source" (there is nothing to compare)
    what = "Hour of day by data source" if len(series) > 1 else f"Hour of day ({next(iter(series))})"
    section.add_figure(_fig("hour-lines", f"{what}, {ctx.area} ({period})", chart, sources, notes=note))


def _pyramid_view(section, latest, table, ind, kind, caption, src, key, ctx, breakdown) -> None:
    who = {"perpetrators": "perpetrators", "victims": "victims", "population": "residents"}.get(
        section.key, section.title.lower()
    )
    if _too_sparse(latest["value"], 4):
        _sparse_note(section, caption)
    else:
        chart = ctx.draw(charts.pyramid, latest, value_label=value_heading(kind, _unit(latest)), who=who)
        section.add_figure(_fig(key, caption, chart, src))
    if not ctx.public:
        t = _sex_by_age_table(f"{key}-t", caption, latest, kind, ctx, src, breakdown, section)
        if t is not None:
            section.add_table(t)


def _period_view(section, grp, ind, kind, label, src, key, ctx) -> None:
    """Values over periods: full years as bars, a part year annualised (rates), other windows left out."""
    months = ctx.period_months
    shown = grp.assign(breakdown_value=grp["period"].astype(str))
    lengths = [months.get(p) for p in shown["breakdown_value"]]
    years = [m == 12 for m in lengths]
    series = {p.label for p in ctx.config.periods()}
    first = ""  # the section that drew these years first (this one when it draws them)
    scaled = False  # a part year's rate annualised in the chart
    caption = f"{label}, {ctx.area} ({period_span(list(shown['breakdown_value']), series)})"
    if kind in ("rate", "percent", "ratio") and not _too_sparse(grp["value"]) and sum(years) >= 2:
        # a part year is drawn beside full years: a rate annualised, a share as it is (a share of the part
        # year's own months compares with a year's as it stands); a ratio of rates and other windows are not
        annualise = kind == "rate"
        keep = [
            y or (kind in ("rate", "percent") and m is not None and m < 12) for y, m in zip(years, lengths, strict=True)
        ]
        bars = shown[keep].copy()
        part = [not y for y, k in zip(years, keep, strict=True) if k]
        scale = [
            12 / m if p and m and annualise else 1.0
            for p, m in zip(part, [m for m, k in zip(lengths, keep, strict=True) if k], strict=True)
        ]
        for col in ("value", "lower", "upper"):
            bars[col] = bars[col].astype(float) * scale
        words = "annualised" if annualise else ""
        scaled = annualise and any(part)
        bars["label"] = [f"{p} {words}".strip() if a else p for p, a in zip(bars["breakdown_value"], part, strict=True)]
        left_out = [p for p, k in zip(shown["breakdown_value"], keep, strict=True) if not k]
        notes = []
        if any(part):
            notes.append(
                "The part-year bar is annualised (its rate scaled to a full year) so that it compares with full years."
                if annualise
                else "The part-year bar is hatched: a share of the part year's own months, which compares with full "
                "years as it stands."
            )
        if left_out:
            notes.append(f"Not drawn here, being a different length: {join_words(left_out)} (see the table).")
        drawn_values = ((p, round(float(v), 9)) for p, v in zip(bars["label"], bars["value"], strict=True))
        first = ctx.drawn.setdefault((kind, _unit(grp), *drawn_values), section.key)
        if first == section.key:
            chart = ctx.draw(
                charts.bar_ci,
                bars,
                value_label=value_heading(kind, _unit(grp)),
                title_noun="year",
                unit=_chart_unit(kind),
                horizontal=False,
                annualised=part,
                ci_label=ctx.ci_words,
                part_words=words,
            )
            drawn = f"{label}, {ctx.area} ({period_span(list(bars['breakdown_value']), series)})"
            section.add_figure(_fig(key, drawn, chart, src, notes=" ".join(notes)))
        if ctx.public:
            return
    t = _table(f"{key}-t", caption, shown.assign(label=shown["breakdown_value"]), kind, ctx, src, "Period", section)
    if t is not None:
        part_years = [p for p, m in zip(shown["breakdown_value"], lengths, strict=True) if m is not None and m < 12]
        if part_years and scaled:  # the chart annualises it; the table gives it as recorded
            t.notes = " ".join(
                x
                for x in (
                    t.notes,
                    f"{join_words(part_years)} is given for its own months, not annualised "
                    "(the chart scales it to a full year).",
                )
                if x
            )
        if first not in ("", section.key):  # the same years drawn already: say where
            title = SECTION_TITLES.get(first, first)
            t.notes = " ".join(x for x in (t.notes, f"The years are drawn as a chart in '{title}'.") if x)
        section.add_table(t)


def period_span(periods: list[str], series: Collection[str] | None = None) -> str:
    """The periods of a table or chart for its caption: those of the ``series`` (the configured years and
    part year; every period when None) as a range, and any other window (the profile period) after a
    semicolon.

    >>> period_span(["2017/18", "2020/21", "2021/22 (Apr-Sep)"])
    '2017/18 to 2021/22 (Apr-Sep)'
    >>> period_span(["2017/18", "2020/21", "Apr 2020 - Sep 2021"], {"2017/18", "2020/21"})
    '2017/18 to 2020/21; Apr 2020 - Sep 2021'
    >>> period_span(["Apr 2020 - Sep 2021"], set())
    'Apr 2020 - Sep 2021'
    """
    run = [p for p in periods if series is None or p in series]
    other = [p for p in periods if p not in run]
    if not run:
        return join_words(other)
    span = run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}"
    return "; ".join([span, *other])


def _month_view(section, grp, kind, label, src, key, ctx) -> None:
    months = grp.sort_values("breakdown_value")
    first, last = str(months["breakdown_value"].iloc[0]), str(months["breakdown_value"].iloc[-1])
    if _too_sparse(months["value"], 6):
        _sparse_note(
            section, f"{by_breakdown(label, 'month')}, {ctx.area} ({month_words(first)} to {month_words(last)})"
        )
        return
    events = [(e.date.strftime("%Y-%m"), e.label) for e in ctx.config.events]
    unit_text = value_heading(kind, _unit(grp))
    chart = ctx.draw(charts.spc_trend, months, value_label=unit_text, events=events)
    has_limits = months["lower"].notna().any()
    shown = f"{label} with statistical process control limits" if has_limits else by_breakdown(label, "month")
    caption = f"{shown}, {ctx.area} ({month_words(first)} to {month_words(last)})"
    notes = (
        "Mean and process limits (mean ± 2.66 × average moving range) from the XmR method of NHS "
        "'Making Data Count'; triangles mark special-cause months."
        if has_limits
        else ""
    )
    if ctx.public and kind == "count":
        notes += (
            " Monthly counts are rounded to the nearest 5; the mean and limits are computed from these rounded counts."
            if has_limits
            else " Monthly counts are rounded to the nearest 5."
        )
    section.add_figure(_fig(key, caption, chart, src, notes=notes.strip(), wide=True))


def _quarter_view(section, grp, kind, label, src, key, ctx) -> None:
    rows = grp.sort_values("breakdown_value")
    rows = rows.assign(label=[_quarter_label(v) for v in rows["breakdown_value"]])
    if _too_sparse(rows["value"], 3):
        _sparse_note(section, f"{label} by quarter, {ctx.area}")
        return
    chart = ctx.draw(charts.period_lines, rows, value_label=value_heading(kind, _unit(rows)), unit=_chart_unit(kind))
    caption = f"{label} by quarter, {ctx.area} ({rows['label'].iloc[0]} to {rows['label'].iloc[-1]})"
    notes = "Shown by quarter because some monthly numbers are too small to publish."
    section.add_figure(_fig(key, caption, chart, src, notes=notes, wide=True))


def _quarter_label(value: object) -> str:
    text = str(value)
    if len(text) == 7 and text[4] == "Q":
        return f"{text[:4]} Q{text[-1]}"
    return text


def monthly_to_quarters(table: pd.DataFrame, small: Callable[[float], bool]) -> pd.DataFrame:
    """Monthly count series holding a small month, re-cut by calendar quarter (``breakdown="quarter"``).

    Used before disclosure control in the public summary: a month that would be suppressed
    leaves a gap in a monthly chart, so the series is summed exactly to quarters first
    (``2021Q3``). Rates and series without small months are left as they are.
    """
    import pandas as pd

    months = table[(table["breakdown"] == "month") & (table["statistic"].astype(str) == "count")]
    if not len(months):
        return table
    drop = []
    add = []
    for _, grp in months.groupby(["section", "indicator", "period", "area", "definition"], sort=False, dropna=False):
        vals = grp["value"].astype(float)
        if not vals.map(lambda v: v == v and small(v)).any():
            continue
        drop += list(grp.index)
        q = pd.PeriodIndex(grp["breakdown_value"].astype(str), freq="M").asfreq("Q").astype(str)
        summed = grp.assign(_q=list(q)).groupby("_q", sort=True).agg(value=("value", "sum"), n=("value", "size"))
        base = grp.iloc[0]
        for quarter, r in summed.iterrows():
            row = base.copy()
            row["breakdown"] = "quarter"
            row["breakdown_value"] = str(quarter)
            row["value"] = float(r["value"])
            row["numerator"] = float(r["value"])
            row["lower"] = row["upper"] = row["comparator_value"] = float("nan")
            row["significance"] = None
            row["method"] = "Count"
            add.append(row)
    if not drop:
        return table
    return pd.concat([table.drop(index=drop), pd.DataFrame(add)], ignore_index=True)


def _district_view(section, rows, table, ind, kind, caption, src, key, ctx, breakdown) -> None:
    ordered = rows.sort_values("value", ascending=False, na_position="last")
    geo = section.key == "geography"
    if kind != "count" and not _too_sparse(ordered["value"]):
        comp = _comparator_label(ordered, ctx)
        chart = ctx.draw(
            charts.ratio_chart if kind == "ratio" else charts.bar_ci,
            ordered,
            value_label=value_heading(kind, _unit(rows)),
            title_noun="district",
            **({} if kind == "ratio" else {"unit": _chart_unit(kind), "comparator_label": comp}),
            ci_label=ctx.ci_words,
        )
        section.add_figure(_fig(key, caption, chart, src))
        if ctx.boundaries is not None and ctx.boundaries.district is not None and kind == "rate" and geo:
            _district_map(section, ordered, kind, caption, src, key, ctx)
    if ctx.public and not geo and kind != "count":
        return
    t = _table(f"{key}-t", caption, ordered, kind, ctx, src, "District", section)
    if t is not None:
        section.add_table(_for_reading(t, ordered, breakdown, kind, ctx))


def _district_map(section, rows, kind, caption, src, key, ctx) -> None:
    b = ctx.boundaries
    png, alt = ctx.draw(
        maps.choropleth,
        b.district,
        rows,
        value_label=value_heading(kind, _unit(rows)),
        attribution=maps.attribution(ctx.config),
    )
    section.add_figure(
        FigureBlock(
            f"{key}-map",
            f"Map: {in_text(caption)}",
            theme.fig_data_uri(png, "png"),
            alt,
            f"{src}; {maps.attribution(ctx.config)}",
            wide=True,  # printed as large as the hot-spot map: district names and rates are on it
        )
    )


def _gi_class(significance: object, confidence: object) -> str:
    """Map label of a Gi* row: the analyses give ``Higher``/``Lower``/``Similar`` and the level in ``confidence``.

    >>> _gi_class("Higher", 0.99), _gi_class("Lower", 0.95), _gi_class("Similar", 0.95)
    ('Hot spot (99%)', 'Cold spot (95%)', 'Not significant')
    """
    level = f"{100 * float(confidence):g}%" if isinstance(confidence, int | float) and confidence == confidence else ""
    if significance == "Higher":
        return f"Hot spot ({level})"
    if significance == "Lower":
        return f"Cold spot ({level})"
    return "Not significant" if significance in ("Similar", "Not compared") else str(significance)


def _comparator_label(rows: pd.DataFrame, ctx: ViewContext) -> str:
    comp = rows["comparator_value"].dropna() if "comparator_value" in rows.columns else []
    return f"{ctx.area} average" if len(comp) else ""


def _lsoa_view(section, rows, table, ind, kind, caption, src, key, ctx, breakdown) -> None:
    if ind == "hotspot_gi":
        rows = rows.assign(
            significance=[_gi_class(s, c) for s, c in zip(rows.significance, rows.confidence, strict=True)]
        )
    classes = rows["significance"].fillna("").astype(str).str.lower()
    if not classes.str.startswith(("hot", "cold")).any():
        return  # counts or rates by LSOA are too fine-grained for the report: see the workbook
    period = str(rows["period"].iloc[0])
    hot = rows[classes.str.startswith("hot")]
    b = ctx.boundaries
    if b is not None and b.lsoa is not None:
        png, alt = ctx.draw(
            maps.hotspot_map, b.lsoa, rows, district=b.district, attribution=maps.attribution(ctx.config)
        )
        method = "rates per 1,000 residents" if "rate" in str(rows["method"].iloc[0]).lower() else "LSOA figures"
        present = sorted({str(s) for s in rows["significance"].dropna() if str(s).lower().startswith(("hot", "cold"))})
        notes = (
            f"Getis-Ord Gi* statistic on {method}; shaded LSOAs are statistically significant hot or cold spots "
            f"({join_words(present)}). Classes are shown, not counts."
        )
        what = "Hot spots" if not classes.str.startswith("cold").any() else "Hot and cold spots"
        section.add_figure(
            FigureBlock(
                f"{key}-map",
                f"{what} (Getis-Ord Gi*) by LSOA, {ctx.area} ({period})",
                theme.fig_data_uri(png, "png"),
                alt,
                f"{src}; {maps.attribution(ctx.config)}",
                notes=notes,
                wide=True,
            )
        )
    if not len(hot):
        section.notes.append(f"No LSOA was in a significant hot spot in {period}.")
        return
    # without boundaries the geography input still names each LSOA's area and ward
    named = maps.hotspot_areas(hot, b.lsoa if b is not None else maps.geography_lookup(ctx.config))
    out = [[area, value_cell(n, "count", cls="num"), ", ".join(wards)] for area, n, wards in named]
    area_head = "Area (neighbourhood policing area or district)"
    t = TableBlock(
        f"{key}-t",
        f"LSOAs in significant hot spots by area, {ctx.area} ({period})",
        [area_head, "Hot-spot LSOAs", "Wards"],
        out,
        src,
        notes="" if b is not None else "No boundaries were supplied, so the hot-spot map is not drawn.",
    )
    section.add_table(t)


_WEEKDAY_ORDER = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}


def _order_key(rows: pd.DataFrame, breakdown: str) -> pd.Series | None:
    """A sort key for categories with a natural order (weekdays, numbers, age bands), else None."""
    from svsna.outputs.charts import _band_start

    vals = rows["breakdown_value"].astype(str)
    if vals.str[:3].str.lower().isin(list(_WEEKDAY_ORDER)).all():
        return vals.str[:3].str.lower().map(_WEEKDAY_ORDER)
    if vals.str.fullmatch(r"\d+(\.\d+)?").all():
        nums = vals.astype(float)
        if breakdown == "hour" and nums.max() >= 22 and nums.min() <= 4 and not nums.between(8, 17).any():
            return nums.where(nums >= 12, nums + 24)  # a night window (22:00-05:00) reads from evening to morning
        return nums
    if (
        breakdown in ("age_band", "age_group")
        or vals.str.match(r"^(\d+\s*-\s*\d+|\d+\+|under|\d+ and over)", case=False).all()
    ):
        return vals.map(_band_start)
    return None


def natural_order(rows: pd.DataFrame, breakdown: str) -> pd.DataFrame:
    """Rows in the natural order of their categories: weekdays, hours, ages, bands, deciles;
    other categories by value, largest first."""
    key = _order_key(rows, breakdown)
    if key is None:
        return rows.sort_values("value", ascending=False, na_position="last")
    return rows.assign(_k=key.to_numpy()).sort_values("_k").drop(columns="_k")


def _crosstab_view(section, rows, kind, caption, src, key, breakdown, ctx) -> None:
    """A two-way breakdown (``a|b``) as a table: first part down, second part across.

    Combinations absent from the rows are ``[z]`` (not applicable); the table is split into
    parts by the PDF when it is too wide for the page, never cut.
    """
    parts = rows["breakdown_value"].astype(str).str.split("|", n=1, expand=True)
    if parts.shape[1] < 2:
        return
    a_name, b_name = breakdown.split("|", 1)
    frame = rows.assign(_a=parts[0].to_numpy(), _b=parts[1].to_numpy())
    if _nested_view(section, frame, kind, caption, src, key, (a_name, b_name)):
        return
    cols = list(dict.fromkeys(frame["_b"]))
    if len(cols) > len(dict.fromkeys(frame["_a"])) and len(cols) > 8:
        frame = frame.rename(columns={"_a": "_b", "_b": "_a"})
        cols = list(dict.fromkeys(frame["_b"]))
        a_name, b_name = b_name, a_name
    if len(cols) > 24:
        return  # too wide to read as a table: it is in the workbook's Indicators sheet
    out = []
    for a, grp in frame.groupby("_a", sort=False):
        by_b = dict(zip(grp["_b"], grp.itertuples(index=False), strict=True))
        line: list[Cell | str] = [display_value(a, a_name)]
        for b in cols:
            r = by_b.get(b)
            line.append(
                Cell(NOT_APPLICABLE, "num") if r is None else value_cell(r.value, kind, missing_symbol(r), "num")
            )
        out.append(line)
    if _all_suppressed(out, list(range(1, len(cols) + 1))):
        section.notes.append(f"{caption}: every value is suppressed because the numbers are small.")
        return
    heads = [display_value(b, b_name) for b in cols]
    note = f"{value_heading(kind, _unit(rows))}; columns: {breakdown_words(b_name)}. " + _symbols_note(out)
    section.add_table(TableBlock(f"{key}-t", caption, [breakdown_label(a_name), *heads], out, src, notes=note.strip()))


def _nested_view(section, frame, kind, caption, src, key, names: tuple[str, str]) -> bool:
    """A two-way breakdown whose second part lies within its first (each offence is of one offence
    type) as a list, the inner categories under their outer one: as a cross-table nearly every cell
    would be ``[z]``. False (nothing added) when the parts cross."""
    a, b = "_a", "_b"
    if frame.groupby(b)[a].nunique().max() > 1:  # the first part may be the inner one
        if frame.groupby(a)[b].nunique().max() > 1:
            return False
        a, b, names = b, a, (names[1], names[0])
    if frame[a].nunique() == len(frame) or 2 * len(frame) > frame[a].nunique() * frame[b].nunique():
        return False  # one inner category each, or one outer category: a cross-table has few empty cells
    outer_order = {v: i for i, v in enumerate(dict.fromkeys(frame[a]))}
    ordered = frame.assign(_o=frame[a].map(outer_order)).sort_values(
        ["_o", "value"], ascending=[True, False], na_position="last", kind="stable"
    )
    out: list[list[Cell | str]] = [
        [
            display_value(r[a], names[0]),
            display_value(r[b], names[1]),
            value_cell(r["value"], kind, missing_symbol(r), "num"),
        ]
        for _, r in ordered.iterrows()
    ]
    if _all_suppressed(out, [2]):
        section.notes.append(f"{caption}: every value is suppressed because the numbers are small.")
        return True
    heads = [breakdown_label(names[0]), breakdown_label(names[1]), value_heading(kind, _unit(frame))]
    note = _symbols_note(out)
    section.add_table(TableBlock(f"{key}-t", caption, heads, out, src, notes=note.strip()))
    return True


_TOP = 12


def _category_view(section, rows, table, ind, kind, caption, src, key, ctx, breakdown) -> None:
    everything = ordered = natural_order(rows, breakdown)
    top = 0
    if len(ordered) > _TOP and _order_key(rows, breakdown) is None:
        ordered, top = ordered.head(_TOP), _TOP
    shown = f"{caption}, largest {top}" if top else caption  # what the chart (and the public table) shows
    bands = age_band_rows(ordered) if breakdown == "age" and kind == "count" and not ctx.public else None
    if bands is not None and not _too_sparse(bands["value"]):
        _age_band_chart(section, bands, kind, caption, src, key, ctx)
    elif len(ordered) <= 40 and not _too_sparse(ordered["value"]) and kind in ("rate", "percent", "count"):
        chart = ctx.draw(
            charts.bar_ci,
            ordered,
            value_label=value_heading(kind, _unit(rows)),
            title_noun=breakdown_words(breakdown),
            unit=_chart_unit(kind),
            comparator_label=_comparator_label(ordered, ctx),
            ci_label=ctx.ci_words,
        )
        section.add_figure(_fig(key, shown, chart, src))
        if ctx.public:
            return
    if ctx.public:  # the public summary's table is as short as its chart (no workbook note)
        t = _table(f"{key}-t", shown, ordered.head(40), kind, ctx, src, breakdown_label(breakdown), section)
        if t is not None:
            section.add_table(t)
        return
    t = _table(f"{key}-t", caption, everything, kind, ctx, src, breakdown_label(breakdown), section)
    if t is not None:
        section.add_table(_for_reading(t, everything, breakdown, kind, ctx, top=top or _PRINT_TOP))


def _age_band_chart(section, bands, kind, caption, src, key, ctx) -> None:
    """Counts by single year of age drawn as columns of five-year bands on an axis of age
    (:func:`age_band_rows`, the bands the printed table sums): one column per band, however
    many single ages an area has, and axis labels of a few digits that never overlap."""
    chart = ctx.draw(
        charts.age_band_columns, bands, value_label=value_heading(kind, _unit(bands)), unit=_chart_unit(kind)
    )
    section.add_figure(_fig(key, f"{caption}: in five-year age bands", chart, src))


def _ratio_view(section, rows, table, ind, kind, caption, src, key, ctx, breakdown) -> None:
    ordered = natural_order(rows, breakdown)
    if not _too_sparse(ordered["value"], 1):
        chart = ctx.draw(
            charts.ratio_chart,
            ordered,
            value_label=value_heading(kind, _unit(rows)),
            title_noun=breakdown_words(breakdown),
            ci_label=ctx.ci_words,
        )
        section.add_figure(_fig(key, caption, chart, src))
        if ctx.public:
            return
    t = _table(f"{key}-t", caption, ordered, kind, ctx, src, breakdown_label(breakdown), section)
    if t is not None:
        section.add_table(_for_reading(t, ordered, breakdown, kind, ctx))


def _field_view(section, rows, table, ind, kind, caption, src, key, ctx, breakdown) -> None:
    t = _table(f"{key}-t", caption, rows, kind, ctx, src, breakdown_label(breakdown), section)
    if t is not None:
        section.add_table(t)


#: View functions by breakdown (anything else: cross-tab for ``a|b``, ratio chart, or category chart).
VIEWS: dict[str, Callable[..., None]] = {
    "weekday|hour": _weekday_hour_view,
    "hour": _hour_view,
    "sex|age_band": _pyramid_view,
    "age_band|sex": _pyramid_view,
    "lsoa": _lsoa_view,
    "district": _district_view,
    "field": _field_view,
}


def _key_figures(section: Section, groups: list[pd.DataFrame], ctx: ViewContext) -> None:
    import pandas as pd

    if section.key == "risk_factors":
        section.add_table(risk_factor_table(groups, ctx))
        return
    out = []
    for grp in groups:
        kind = _kind(grp)
        unit = _unit(grp)
        for r in grp.itertuples(index=False):
            group = "" if str(r.breakdown_value) == "all" else display_value(r.breakdown_value, str(r.breakdown))
            line: list[Cell | str] = [
                ctx.label(str(r.indicator), str(r.breakdown)),
                group,
                str(r.period),
                value_cell(r.value, kind, missing_symbol(r)),
                _unit_words(kind, unit),
                Cell(_ci(r, kind), "num"),
                _sig_cell(r.significance, r.value),
            ]
            out.append(line)
    src = table_sources(pd.concat(groups, ignore_index=True), source_publishers(ctx.config.base_dir))
    columns = ["Indicator", "Group", "Period", "Value", "Unit", ctx.ci_label, "Compared with"]
    periods = {str(g) for grp in groups for g in grp["period"]}
    span = f" ({next(iter(periods))})" if len(periods) == 1 and "" not in periods else ""
    # "Appendix: methods and data quality" -> "methods and data quality" (one colon in a caption)
    caption = f"Figures for the whole area: {section.title.rsplit(': ', 1)[-1].lower()}, {ctx.area}{span}"
    if span:  # one period for every row: said once, in the caption
        columns, out = _without_column(columns, out, columns.index("Period"))
    for name in ("Compared with", ctx.ci_label, "Group"):  # a column no row fills is left out
        j = columns.index(name)
        if all(not cell_text(r[j]).strip() for r in out):
            columns, out = _without_column(columns, out, j)
    section.add_table(TableBlock(f"{section.key}-key", caption, columns, out, src, notes=_symbols_note(out)))


def _without_column(
    columns: list[str], rows: list[list[Cell | str]], j: int
) -> tuple[list[str], list[list[Cell | str]]]:
    return columns[:j] + columns[j + 1 :], [r[:j] + r[j + 1 :] for r in rows]


def _unit_words(kind: str, unit: str) -> str:
    if kind == "percent":
        return "%"
    if kind == "ratio":
        return "times"
    if kind == "score":
        return "z-score"
    return unit if unit and unit != "count" else ("number" if kind == "count" else "")


def risk_factor_table(
    groups: list[pd.DataFrame],
    ctx: ViewContext,
    subject: str = "Risk and protective factors",
    *,
    england_key: bool = True,
) -> TableBlock:
    """Fingertips-style table: one row per indicator, one column per area, marked by significance.

    Its caption is ``subject``, "compared with England" when its rows have England's values (a
    partner's own rows have none: no England column then), and the area. ``england_key``: the
    notes explain the symbols of the comparison with England (said once, under the first table).

    A row is named by the rows' ``label`` column when they have one (an area indicator's name
    from its extract, an indicator's label with its group), else by :func:`indicator_label`. The
    source line names the source of every indicator shown (:func:`table_sources`).
    """
    import pandas as pd

    rows = pd.concat(groups, ignore_index=True)
    if "label" not in rows.columns:
        rows = rows.assign(label=[ctx.label(str(i)) for i in rows["indicator"]])
    areas = list(dict.fromkeys(rows["area"].astype(str)))
    # rows from partners' data (hospital admissions by group) have no England value: no England column
    england = bool(rows["comparator_value"].notna().any())
    out = []
    for label, grp in rows.groupby("label", sort=False):
        kind = _kind(grp)
        comp = grp["comparator_value"].dropna()
        # a rate or score at the precision it was published at, England's and the areas' alike
        dp = supplied_decimals([*grp["value"], *comp]) if kind not in ("percent", "count") else None
        line: list[Cell | str] = [str(label), _risk_unit(kind, _unit(grp)), str(grp["period"].iloc[0])]
        if england:
            line.append(value_cell(comp.iloc[0] if len(comp) else None, kind, cls="num", dp=dp))
        by_area = {str(r.area): r for r in grp.itertuples(index=False)}
        for a in areas:
            r = by_area.get(a)
            if r is None:
                line.append(Cell(NOT_AVAILABLE, "num"))
                continue
            sig = str(r.significance).lower() if isinstance(r.significance, str) else ""
            style = SIGNIFICANCE_STYLE.get(sig) if not _isnan(r.value) else None
            marker = style["symbol"] if style else ""
            cls = f"num sig sig-{sig}" if style else "num"
            line.append(value_cell(r.value, kind, missing_symbol(r), cls, marker, dp))
        out.append(line)
    legend = (
        "▲ significantly higher than England; ▼ significantly lower; ✗ significantly worse; ✓ significantly "
        f"better; ● not significantly different (England's value inside the area's {ctx.ci_label}). "
        if england and england_key
        else ""
    ) + _symbols_note(out)
    return TableBlock(
        "risk-factors",
        f"{subject}{' compared with England' if england else ''}, {ctx.area}",
        ["Indicator", "Unit", "Period", *(["England"] if england else []), *areas],
        out,
        table_sources(rows, source_publishers(ctx.config.base_dir)),
        notes=legend.strip(),
    )


def table_sources(rows: pd.DataFrame, publishers: Mapping[str, str] | None = None) -> str:
    """The sources of a table's rows for its "(Source: ...)" line, each source once, in the order
    of the rows: a row's own ``source`` when the rows have that column and it is not blank (an area
    indicator's source from its finding, which reads the area's indicator catalogue), else
    :func:`source_line` of the row's section and indicator."""
    own = rows["source"] if "source" in rows.columns else [None] * len(rows)
    lines = (
        str(o).strip() if isinstance(o, str) and o.strip() else source_line(str(s), str(i))
        for s, i, o in zip(rows["section"], rows["indicator"], own, strict=True)
    )
    return by_publisher(list(dict.fromkeys(lines)), publishers)


def by_publisher(sources: list[str], publishers: Mapping[str, str] | None = None) -> str:
    """Sources for one "(Source: ...)" line, a publisher that gives several of them named once.

    ``publishers`` maps a source to its publisher, the way the source begins (default: the indicator
    catalogue's ``publisher`` column, :func:`~svsna.outputs.catalogue.source_publishers`); the rest
    of the source, out of its brackets, is the dataset. Sources sharing a publisher are joined after
    it, in the order first met; a source with no publisher, or the only one of its publisher, is
    printed as it is.

    >>> pubs = {"OHID Fingertips (Local Alcohol Profiles)": "OHID Fingertips",
    ...         "OHID Fingertips (Child and maternal health)": "OHID Fingertips",
    ...         "DfE Key stage 4 performance": "DfE", "DfE Pupil absence": "DfE", "ONS population": "ONS"}
    >>> by_publisher(["OHID Fingertips (Local Alcohol Profiles)", "DfE Key stage 4 performance",
    ...               "OHID Fingertips (Child and maternal health)", "DfE Pupil absence"], pubs)
    'OHID Fingertips: Local Alcohol Profiles, Child and maternal health; DfE: Key stage 4 performance, Pupil absence'
    >>> by_publisher(["Police recorded crime", "A&E assault attendances (acute trusts / CSU)", "ONS population"], pubs)
    'Police recorded crime; A&E assault attendances (acute trusts / CSU); ONS population'
    """
    if publishers is None:
        from svsna.outputs.catalogue import source_publishers

        publishers = source_publishers()
    count: dict[str, int] = {}
    for src in sources:
        if src in publishers:
            count[publishers[src]] = count.get(publishers[src], 0) + 1
    groups: dict[str, list[str]] = {}
    for src in sources:
        pub = publishers.get(src, "")
        if pub and count[pub] > 1:
            dataset = src[len(pub) :].strip()
            if dataset.startswith("(") and dataset.endswith(")"):
                dataset = dataset[1:-1]
            groups.setdefault(pub, []).append(dataset)
        else:
            groups.setdefault(src, [])
    return "; ".join(f"{key}: {', '.join(datasets)}" if datasets else key for key, datasets in groups.items())


def _risk_unit(kind: str, unit: str) -> str:
    if unit and unit.lower() not in ("nan", "count"):
        return unit.replace("per 100000", "per 100,000").replace("per 1000", "per 1,000")
    return {"percent": "%", "rate": "rate", "ratio": "times", "count": "number"}.get(kind, "")


# --- the public summary ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicView:
    """One view the public summary draws: indicators with one breakdown, and how.

    ``form`` is ``auto`` (the full SNA's view for the breakdown), ``table`` (a table of
    the first indicator, ``top`` rows), or ``combined`` (one table with a column per
    indicator, rows for the whole area and ``extra`` breakdowns first).
    """

    indicators: tuple[str, ...]
    breakdown: str
    form: str = "auto"
    top: int = 0
    extra: tuple[str, ...] = ()


#: What the public summary shows, by section (the reference summary's charts and tables).
PUBLIC_VIEWS: dict[str, tuple[PublicView, ...]] = {
    "population": (
        PublicView(
            ("residents", "share_under_focus", "share_in_most_deprived_decile"), "district", "combined", extra=("all",)
        ),
    ),
    "extent": (PublicView(("rate",), "all"),),
    "nature": (
        PublicView(("offence_type_share",), "offence_type"),
        PublicView(("offence_type_rate_ratio_age",), "offence_type"),
    ),
    "health": (PublicView(("ae_rate",), "diagnosis", "table", top=5),),
    "timing": (
        PublicView(("offences_monthly", "rate_monthly"), "month"),
        PublicView(("offences_monthly", "rate_monthly"), "quarter"),
        PublicView(("weekday_hour_offences",), "weekday|hour"),
        PublicView(("hour_share",), "hour"),
    ),
    "geography": (
        PublicView(("area_rate", "area_share"), "district", "combined", extra=("all", "county")),
        PublicView(("deprivation_rate",), "imd_decile"),
        PublicView(("hotspot_gi",), "lsoa"),
    ),
    "perpetrators": (PublicView(("age_band_rate",), "sex|age_band"),),
    "victims": (PublicView(("age_band_rate",), "sex|age_band"),),
}


def add_public_views(section: Section, rows: pd.DataFrame, table: pd.DataFrame, ctx: ViewContext) -> None:
    """The public summary's views of ``section`` (:data:`PUBLIC_VIEWS`); absent indicators are skipped."""
    for spec in PUBLIC_VIEWS.get(section.key, ()):
        sel = rows[rows["indicator"].astype(str).isin(spec.indicators) & (rows["breakdown"] == spec.breakdown)]
        if not len(sel):
            continue
        if spec.form == "combined":
            _combined_table(section, rows, spec, ctx)
            continue
        first = next(i for i in spec.indicators if (sel["indicator"] == i).any())
        grp = sel[sel["indicator"] == first]
        if spec.form == "table":
            kind = _kind(grp)
            period = _pick_period(grp, ctx)
            latest = _labelled(grp[grp["period"].astype(str) == period], spec.breakdown)
            latest = natural_order(latest, spec.breakdown)
            if spec.top:
                latest = latest.head(spec.top)
            label = ctx.label(first, spec.breakdown)
            caption = _caption(label, spec.breakdown, ctx, period, section.key)
            if spec.top:
                caption = caption.replace(f"{label}", f"{label}, the {spec.top} highest", 1)
            t = _table(
                f"{section.key}-{first}-{spec.breakdown}-t".replace("|", "-"),
                caption,
                latest,
                kind,
                ctx,
                source_line(_rows_section(section.key, latest), first),
                breakdown_label(spec.breakdown),
                section,
            )
            if t is not None:
                section.add_table(t)
            continue
        add_indicator_views(section, grp, table, ctx)


def _combined_table(section: Section, rows: pd.DataFrame, spec: PublicView, ctx: ViewContext) -> None:
    """One table with a column per indicator (value and CI), areas down: the whole area first."""
    breakdowns = [*spec.extra, spec.breakdown]
    sel = rows[rows["indicator"].astype(str).isin(spec.indicators) & rows["breakdown"].isin(breakdowns)]
    main = sel[sel["breakdown"] == spec.breakdown]
    period = _pick_period(main, ctx)
    sel = sel[sel["period"].astype(str) == period]
    present = [i for i in spec.indicators if (sel["indicator"] == i).any()]
    kinds = {i: _kind(sel[sel["indicator"] == i]) for i in present}
    units = {i: _unit(sel[sel["indicator"] == i]) for i in present}
    first = present[0]
    columns = ["Area"]
    value_cols = []
    for i in present:
        head = ctx.label(i)
        if kinds[i] == "count" and rounded(sel[sel["indicator"] == i], ctx):
            head += " (rounded)"
        columns.append(head)
        value_cols.append(len(columns) - 1)
        if sel.loc[sel["indicator"] == i, "lower"].notna().any() and kinds[i] not in ("count",):
            columns.append(f"{ctx.ci_label}")
    sig_rows = sel[
        (sel["indicator"] == first) & sel["significance"].fillna("").str.lower().isin(list(SIGNIFICANCE_STYLE))
    ]
    if len(sig_rows):
        columns.append(f"Compared with {ctx.area}")
    names = set(main["breakdown_value"].astype(str))
    sel = sel[(sel["breakdown"] == spec.breakdown) | ~sel["breakdown_value"].astype(str).isin(names)]
    order = (
        sel[sel["indicator"] == first]
        .assign(_b=lambda d: d["breakdown"].map({b: k for k, b in enumerate(breakdowns)}))
        .sort_values(["_b", "value"], ascending=[True, False])
    )
    out = []
    for r in order.itertuples(index=False):
        area = ctx.area if str(r.breakdown) == "all" else display_value(r.breakdown_value, str(r.breakdown))
        line: list[Cell | str] = [Cell(area, "strong" if str(r.breakdown) != spec.breakdown else "")]
        for i in present:
            match = sel[
                (sel["indicator"] == i)
                & (sel["breakdown"] == r.breakdown)
                & (sel["breakdown_value"].astype(str) == str(r.breakdown_value))
            ]
            m = next(match.itertuples(index=False), None)
            kind = kinds[i]
            # no row, and the indicator has none at this level (a district's share of the area's
            # offences, for the whole area): the combination does not apply, [z]; else not available
            level = (sel["indicator"] == i) & (sel["breakdown"] == r.breakdown)
            absent = NOT_AVAILABLE if level.any() else NOT_APPLICABLE
            line.append(
                Cell(absent, "num count" if kind == "count" else "num")
                if m is None
                else value_cell(m.value, kind, missing_symbol(m))
            )
            if sel.loc[sel["indicator"] == i, "lower"].notna().any() and kind != "count":
                line.append(Cell("" if m is None else _ci(m, kind), "num"))
        if len(sig_rows):
            line.append(_sig_cell(r.significance, r.value) if str(r.breakdown) == spec.breakdown else Cell(""))
        out.append(line)
    said = {i: _unit_words(kinds[i], units[i]) or value_heading(kinds[i], units[i]) for i in present}
    # a unit the column's heading already says ("Residents": residents, "... (%)": %) is not said again
    unit_notes = "; ".join(f"{ctx.label(i)}: {said[i]}" for i in present if said[i].lower() not in ctx.label(i).lower())
    key = f"{section.key}-{'-'.join(present)}-{spec.breakdown}-t".replace("|", "-")
    caption = (
        f"{join_words([ctx.label(i) for i in present])} by {breakdown_words(spec.breakdown)}, {ctx.area} ({period})"
    )
    src = source_line(section.key, first)
    section.add_table(
        TableBlock(
            key,
            caption,
            columns,
            out,
            src,
            notes=(f"Units: {unit_notes}. " if unit_notes else "") + _symbols_note(out),
            count_columns=(),
        )
    )
    if (
        section.key == "geography"
        and kinds[first] == "rate"
        and ctx.boundaries is not None
        and ctx.boundaries.district is not None
    ):
        rates = _labelled(sel[(sel["indicator"] == first) & (sel["breakdown"] == spec.breakdown)], spec.breakdown)
        _district_map(
            section,
            rates,
            kinds[first],
            _caption(ctx.label(first), spec.breakdown, ctx, period),
            src,
            key[:-2],
            ctx,
        )


def indicator_kind_of(rows: pd.DataFrame) -> str:
    """The formatting kind of a group of rows (``statistic`` first, then the name)."""
    return _kind(rows) if len(rows) else indicator_kind("")
