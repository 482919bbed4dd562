"""Statistical disclosure control for published tables of counts.

Named rule sets (see :func:`rule_set`):

``nhsd_2018``
    NHS Digital disclosure control for HES and ECDS (from 13 September 2018): counts of 1-7
    are suppressed and all other counts are rounded to the nearest 5.
``fingertips_1_5``
    OHID Fingertips HES indicators: counts of 1-5 are suppressed, with secondary suppression.
``fewer_than_10``
    Counts of 1-9 suppressed, with secondary suppression (a common local and TRE rule).

All three apply **secondary suppression** to tables whose totals are published. Further
cells are hidden until

1. no hidden small count can be worked out **exactly** from the row, column or grand totals
   by any combination of additions and subtractions (a null-space test on the table's
   equations), and
2. no hidden small count is **pinned** to one value by those equations together with what a
   reader knows about ranges: each hidden small count lies in [from, to] (e.g. 1-7) and every
   other hidden cell is >= 0. This is checked per line first and then for the whole table by
   minimising and maximising each hidden small count with a linear programme
   (``scipy.optimize.linprog``). Example: two hidden cells that add to 2 must both be 1.

Secondary cells are chosen cheaply: for two-way tables with both margins, each exposed small
count is put on the cheapest *rectangle* of hidden cells (the classic hypercube idea; a cell on
a cycle of hidden cells cannot be solved for); otherwise the smallest other non-zero cell in
the same line. Totals and zeros are hidden only when nothing cheaper works.

Limits of the guarantee: the audit assumes a reader who knows which hidden cells are small
counts (the ``words`` say so) but not the stronger fact that a secondary cell is either 0 or
above the threshold; tables published together are not audited jointly; and for
``nhsd_2018`` shown counts are treated as exact although they are rounded (conservative).
For ``nhsd_2018`` svsna adds secondary suppression although NHS Digital relies on rounding
(pass ``secondary=False`` to follow NHS Digital exactly).

Zeros are never suppressed: they are treated as structural or genuine zeros, as in NHS
Digital's rules. A secondary cell is chosen among the smallest non-zero cells first; a zero
or a total is hidden only when nothing else protects the small count.

Rates and confidence intervals must be computed by the caller on the **unrounded** counts
(NHS Digital: complex calculations need no disclosure control); :func:`disclose` only says
what may be shown. Crude rates whose denominator is published reveal their count, so blank
them where ``result.suppressed`` is True.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from svsna.stats._common import StatsInputError
from svsna.stats.secondary_suppression import secondary_suppress, table_lines

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RULE_SETS", "DisclosureResult", "RuleSet", "disclose", "rule_set", "safe_count"]

MISSING_DISPLAY = "[x]"


@dataclass(frozen=True)
class RuleSet:
    """A named disclosure rule: which counts are suppressed and how the rest are rounded.

    Attributes
    ----------
    name : str
        Machine name, e.g. ``"nhsd_2018"``.
    suppress_from, suppress_to : int
        Counts in this inclusive range are suppressed (primary suppression). Zero never is.
    rounding_base : int or None
        Shown counts are rounded to the nearest multiple of this (None: not rounded).
    secondary : bool
        Whether secondary suppression protects suppressed cells from subtraction.
    symbol : str
        What a suppressed cell shows in a table (GSS "[c]" = confidential by default).
    description, source : str
        Plain-English rule and where it comes from.
    """

    name: str
    suppress_from: int
    suppress_to: int
    rounding_base: int | None
    secondary: bool
    symbol: str
    description: str
    source: str

    @property
    def small_words(self) -> str:
        """Screen-reader wording of a suppressed small count, e.g. ``"fewer than 8"``."""
        return f"fewer than {self.suppress_to + 1}"

    @property
    def primary_reason(self) -> str:
        return f"primary: count {self.suppress_from}-{self.suppress_to}"

    def is_small(self, n: float) -> bool:
        return self.suppress_from <= n <= self.suppress_to

    @property
    def protection(self) -> int:
        """How many possible values a withheld count must keep for a reader of everything published.

        Half the suppressed range (rounded up), and never fewer than the rounding base: a withheld
        count is never known better than a published rounded count is. The joint audit
        (:mod:`svsna.stats.audit`) fails a release in which a reader can narrow a withheld small
        count to fewer values than this.

        >>> [rule_set(r).protection for r in ("nhsd_2018", "fewer_than_10", "fingertips_1_5")]
        [5, 5, 3]
        """
        half = -(-(self.suppress_to - self.suppress_from + 1) // 2)
        return max(half, self.rounding_base or 0)

    def shown_interval(self, shown: float) -> tuple[float, float]:
        """The true counts a published count ``shown`` can stand for (what a reader knows).

        >>> rule_set("nhsd_2018").shown_interval(10), rule_set("nhsd_2018").shown_interval(0)
        ((8.0, 12.0), (0.0, 0.0))
        >>> rule_set("fewer_than_10").shown_interval(12)
        (12.0, 12.0)
        """
        s = float(shown)
        if s == 0 or not self.rounding_base:
            return s, s
        half = (self.rounding_base - 1) // 2
        return max(s - half, float(self.suppress_to + 1)), s + half

    def round(self, n: float) -> float:
        """Round a shown count (half up) to the rule's base."""
        if self.rounding_base is None or np.isnan(n):
            return n
        b = self.rounding_base
        return float(np.floor(n / b + 0.5) * b)


RULE_SETS: dict[str, RuleSet] = {
    "nhsd_2018": RuleSet(
        name="nhsd_2018",
        suppress_from=1,
        suppress_to=7,
        rounding_base=5,
        secondary=True,
        symbol="[c]",
        description="Counts of 1 to 7 are not shown; other counts are rounded to the nearest 5.",
        source="NHS Digital, Disclosure control methodology for HES and ECDS (from 13 September 2018)",
    ),
    "fingertips_1_5": RuleSet(
        name="fingertips_1_5",
        suppress_from=1,
        suppress_to=5,
        rounding_base=None,
        secondary=True,
        symbol="[c]",
        description="Counts of 1 to 5 are not shown, with secondary suppression.",
        source="OHID Fingertips HES indicators (e.g. hospital admissions for violence), counts 1-5 suppressed",
    ),
    "fewer_than_10": RuleSet(
        name="fewer_than_10",
        suppress_from=1,
        suppress_to=9,
        rounding_base=None,
        secondary=True,
        symbol="[c]",
        description="Counts of 1 to 9 are not shown, with secondary suppression.",
        source="Common local rule for police and partner data (counts under 10 withheld)",
    ),
}


def rule_set(name: str | RuleSet) -> RuleSet:
    """Look up a rule set by name (a :class:`RuleSet` is returned unchanged).

    Examples
    --------
    >>> r = rule_set("nhsd_2018")
    >>> r.suppress_from, r.suppress_to, r.rounding_base, r.small_words
    (1, 7, 5, 'fewer than 8')
    """
    if isinstance(name, RuleSet):
        return name
    try:
        return RULE_SETS[name]
    except KeyError:
        raise StatsInputError(f"unknown disclosure rule set {name!r}; choose one of {sorted(RULE_SETS)}") from None


def _fmt(n: float) -> str:
    return f"{round(n):,}"


def safe_count(n: Any, rules: str | RuleSet = "nhsd_2018") -> tuple[str, bool, str]:
    """Disclosure-controlled text for one count quoted on its own (e.g. in a sentence).

    Returns ``(display_text, suppressed, reason)``. A suppressed count reads in words
    (``"fewer than 8"``), so it works in prose and for screen readers. No secondary
    suppression is possible for a lone number: do not quote it next to totals that would
    reveal it.

    Examples
    --------
    >>> safe_count(3), safe_count(23), safe_count(0), safe_count(1234, "fewer_than_10")
    (('fewer than 8', True, 'primary: count 1-7'), ('25', False, ''), ('0', False, ''), ('1,234', False, ''))
    """
    rs = rule_set(rules)
    if n is None or (isinstance(n, float) and np.isnan(n)):
        return "not available", False, "missing"
    v = float(n)
    if v < 0:
        raise StatsInputError(f"safe_count: negative count {v:g}")
    if rs.is_small(v):
        return rs.small_words, True, rs.primary_reason
    return _fmt(rs.round(v)), False, ""


@dataclass(frozen=True)
class DisclosureResult:
    """What :func:`disclose` returns. All frames share the index and columns of the table
    (with ``Total`` row/column added when margins are published).

    Attributes
    ----------
    counts : DataFrame
        The unrounded counts including computed totals. **Not for publication.**
    values : DataFrame
        Publishable numbers: rounded where the rule rounds, NaN where suppressed or missing.
    display : DataFrame
        Strings for the table: ``"1,235"``, ``"0"``, the rule's symbol (``"[c]"``) or ``"[x]"``
        (missing input).
    words : DataFrame
        Screen-reader text: ``"fewer than 8"`` for small counts, ``"not shown, to protect a
        small count"`` for secondary suppression, the number otherwise.
    suppressed : DataFrame of bool
        True where the cell must not be shown.
    reasons : DataFrame of str
        ``"primary: count 1-7"``, ``"secondary: protects a suppressed cell in the same row"``
        (or column/breakdown), ``"missing"`` or ``""``.
    rules : RuleSet
        The rule set applied.
    """

    counts: pd.DataFrame
    values: pd.DataFrame
    display: pd.DataFrame
    words: pd.DataFrame
    suppressed: pd.DataFrame
    reasons: pd.DataFrame
    rules: RuleSet

    def note(self) -> str:
        """A sentence to print under the table explaining what was done."""
        rs = self.rules
        parts = [f"Counts from {rs.suppress_from} to {rs.suppress_to} are not shown ({rs.symbol})."]
        if rs.rounding_base:
            parts.append(
                f"Other counts are rounded to the nearest {rs.rounding_base}, "
                "so totals may not equal the sum of their parts."
            )
        if self.reasons.apply(lambda c: c.str.startswith("secondary")).to_numpy().any():
            parts.append("Some other cells are also hidden so that small counts cannot be worked out from the totals.")
        parts.append("Zeros are shown.")
        return " ".join(parts)

    def to_long(self) -> pd.DataFrame:
        """One row per cell: ``row, column, value, display, words, suppressed, reason``."""
        import pandas as pd

        rows = []
        for r in self.display.index:
            for c in self.display.columns:
                rows.append(
                    {
                        "row": r,
                        "column": c,
                        "value": self.values.loc[r, c],
                        "display": self.display.loc[r, c],
                        "words": self.words.loc[r, c],
                        "suppressed": bool(self.suppressed.loc[r, c]),
                        "reason": self.reasons.loc[r, c],
                    }
                )
        return pd.DataFrame(rows)


def disclose(
    table: Any,
    rules: str | RuleSet = "nhsd_2018",
    *,
    margins: bool | str = True,
    total_label: str = "Total",
    secondary: bool | None = None,
) -> DisclosureResult:
    """Apply a disclosure rule set, with secondary suppression, to a table of counts.

    Parameters
    ----------
    table : pandas.Series or DataFrame
        Counts only (inner cells): a Series for a one-way breakdown, a DataFrame for a two-way
        table with row labels in the index. Counts must be non-negative whole numbers;
        missing cells are allowed (shown as ``"[x]"``).
    rules : str or RuleSet, default "nhsd_2018"
        ``"nhsd_2018"``, ``"fingertips_1_5"``, ``"fewer_than_10"`` or a custom :class:`RuleSet`.
    margins : bool or {"rows", "columns"}, default True
        Which totals are published (and added to the result): ``True`` adds a total for a Series,
        and row totals, column totals and a grand total for a DataFrame; ``"rows"`` only a total
        column (each row's total), ``"columns"`` only a total row; ``False`` none. Pass the
        margins that will be published anywhere alongside the table, so secondary suppression
        accounts for them.
    total_label : str, default "Total"
        Label of the added total row/column.
    secondary : bool, optional
        Override the rule set's secondary suppression.

    Returns
    -------
    DisclosureResult
        ``values``, ``display``, ``words``, ``suppressed``, ``reasons`` (DataFrames; a Series
        input becomes a one-column frame) plus ``counts`` (unrounded, not for publication),
        ``rules``, ``note()`` and ``to_long()``.

    Notes
    -----
    NHS Digital (2018) Disclosure control methodology for HES and ECDS; UKHSA (2022)
    "Disclosure control for aggregate data" (statistics-production-knowledge-hub), which
    recommends words such as "fewer than 5" for screen readers; GSS symbol "[c]".

    Examples
    --------
    >>> import pandas as pd
    >>> r = disclose(pd.Series({"Under 18": 3, "18-24": 41, "25+": 108}), "fewer_than_10")
    >>> r.display["count"].tolist()
    ['[c]', '[c]', '108', '152']
    >>> r.reasons["count"].tolist()[:2]
    ['primary: count 1-9', 'secondary: protects a suppressed cell in the same breakdown']
    >>> r.words.loc["Under 18", "count"]
    'fewer than 10'
    """
    import pandas as pd

    rs = rule_set(rules)
    do_secondary = rs.secondary if secondary is None else bool(secondary)
    is_series = isinstance(table, pd.Series)
    if is_series:
        frame = table.to_frame(name=table.name if table.name is not None else "count")
        row_totals, col_totals = False, bool(margins)
        kind_word = {"row": "row", "column": "breakdown"}.get
    elif isinstance(table, pd.DataFrame):
        frame = table.copy()
        if margins not in (True, False, "rows", "columns"):
            raise StatsInputError(f"margins must be True, False, 'rows' or 'columns', got {margins!r}")
        row_totals = margins is True or margins == "rows"
        col_totals = margins is True or margins == "columns"
        kind_word = {"row": "row", "column": "column"}.get
    else:
        raise StatsInputError("disclose: table must be a pandas Series or DataFrame of counts")
    if total_label in frame.index or total_label in frame.columns:
        raise StatsInputError(
            f"disclose: the table already has a {total_label!r} row or column; pass the inner cells only "
            "and let margins=True add the totals"
        )
    try:
        inner = (
            np.column_stack(
                [pd.to_numeric(frame[c], errors="raise").to_numpy(dtype=float, na_value=np.nan) for c in frame.columns]
            )
            if frame.shape[1]
            else np.zeros((len(frame), 0))
        )
    except (TypeError, ValueError) as e:
        raise StatsInputError(
            f"disclose: non-numeric column in table ({e}); put row labels in the index and keep only counts"
        ) from None
    bad = np.argwhere(~np.isnan(inner) & ((inner < 0) | (inner != np.round(inner))))
    if bad.size:
        i, j = bad[0]
        raise StatsInputError(
            f"disclose: cell ({frame.index[i]!r}, {frame.columns[j]!r}) = {inner[i, j]:g}; "
            "counts must be non-negative whole numbers (compute rates separately)"
        )
    nr, nc = inner.shape
    ext = np.full((nr + 1, nc + 1), np.nan)
    ext[:nr, :nc] = inner
    ext[:nr, nc] = np.sum(inner, axis=1) if nc else 0.0  # NaN propagates: a row with a missing cell has no total
    ext[nr, :nc] = np.sum(inner, axis=0)
    ext[nr, nc] = np.sum(inner)
    keep_r = nr + 1 if col_totals else nr
    keep_c = nc + 1 if row_totals else nc
    counts = ext[:keep_r, :keep_c]
    is_total = np.zeros(counts.shape, dtype=bool)
    if col_totals:
        is_total[nr, :] = True
    if row_totals:
        is_total[:, nc] = True

    missing = np.isnan(counts)
    primary = ~missing & (counts >= rs.suppress_from) & (counts <= rs.suppress_to)
    supp = primary.copy()
    reasons_map: dict[tuple[int, int], str] = {}
    if do_secondary and (row_totals or col_totals):
        lines = table_lines(nr, nc, row_totals, col_totals)
        # a line with a missing cell has no published total: drop it from the constraints
        lines = [ln for ln in lines if not missing[ln[2]]]
        reasons_map = secondary_suppress(
            lines, supp, np.nan_to_num(counts), primary, missing, is_total, rs, kind_word, row_totals and col_totals
        )

    index = list(frame.index) + ([total_label] if col_totals else [])
    columns = list(frame.columns) + ([total_label] if row_totals else [])
    values = np.where(supp | missing, np.nan, np.vectorize(rs.round, otypes=[float])(counts))
    display = np.empty(counts.shape, dtype=object)
    words = np.empty(counts.shape, dtype=object)
    reasons = np.full(counts.shape, "", dtype=object)
    for i, j in np.ndindex(counts.shape):
        if missing[i, j]:
            display[i, j], words[i, j], reasons[i, j] = MISSING_DISPLAY, "not available", "missing"
        elif primary[i, j]:
            display[i, j], words[i, j], reasons[i, j] = rs.symbol, rs.small_words, rs.primary_reason
        elif supp[i, j]:
            display[i, j], words[i, j] = rs.symbol, "not shown, to protect a small count"
            reasons[i, j] = reasons_map[(i, j)]
        else:
            display[i, j] = words[i, j] = _fmt(values[i, j])

    def mk(a: np.ndarray, dtype: Any = None) -> pd.DataFrame:
        return pd.DataFrame(a, index=index, columns=columns, dtype=dtype)

    return DisclosureResult(
        counts=mk(counts, float),
        values=mk(values, float),
        display=mk(display, object),
        words=mk(words, object),
        suppressed=mk(supp, bool),
        reasons=mk(reasons, object),
        rules=rs,
    )
