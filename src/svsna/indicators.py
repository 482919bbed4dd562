"""The indicator table and structured findings: the contract between analyses and outputs.

Every figure svsna publishes is one row of the **indicator table**, which describes
itself: what it measures, for which period, area and breakdown, its numerator and
denominator, value and confidence interval, the method, the comparator and the result
of the significance test, and whether (and why) it is suppressed in public outputs.

Every sentence the report writes comes from a **finding**: a fact with its numbers
and significance, keyed to the indicator rows that support it.

Columns of the indicator table
------------------------------
section            SNA section (``extent``, ``nature``, ``timing``, ``nte``, ``geography``,
                   ``perpetrators``, ``victims``, ``cohorts``, ``health``, ``risk_factors``,
                   ``surveys``, ``data_quality`` ...)
indicator          machine name, e.g. ``offences``, ``rate_per_1000``, ``share_knife``
period             period label, e.g. ``2020/21``, ``2021/22 (Apr-Sep)``, ``Apr 2020 - Sep 2021``
area               area name (``LLR`` for the whole area)
breakdown          what the rows are split by (``all``, ``age_group``, ``district`` ...)
breakdown_value    the category (``all``, ``Under 25``, ``Charnwood`` ...)
numerator          count behind the value (may be missing for non-count indicators)
denominator        population or total behind the value
value              the statistic (rate, proportion as a percentage, ratio, count)
statistic          what ``value`` is, one of :data:`STATISTICS` (``count``, ``rate``,
                   ``percentage``, ``percent_change``, ``ratio``, ``mean``, ``median``,
                   ``z``, ``score``, ``value``); disclosure control and formatting read
                   this, never the indicator's name
unit               the unit in words: what a count counts (``offences``, ``people``),
                   ``per 1,000 residents`` for a rate, ``%``, ``times``, ``years``
lower, upper       confidence limits (missing where not applicable)
method             how the value and limits were computed (``Byar's``, ``Exact Poisson``,
                   ``Wilson``, ``Rate ratio (exact conditional)``, ``Count`` ...)
confidence         confidence level of the limits, e.g. 0.95
comparator_value   the value compared against (England, the whole area, last year)
significance       a :class:`Significance` value: ``Higher``, ``Lower``, ``Similar``,
                   ``Better``, ``Worse``, ``Increase``, ``Decrease``, ``No significant
                   change``, ``Special cause - high``, ``Special cause - low``,
                   ``Common cause``, ``Not compared``
suppressed         True where public outputs must not show the figure
suppression_reason why (``count 1-7 (nhsd_2018)``, ``secondary suppression`` ...)
definition         serious-violence definition the row belongs to (blank if none)

Examples
--------
>>> from svsna.indicators import empty_indicator_table, INDICATOR_COLUMNS
>>> list(empty_indicator_table().columns) == list(INDICATOR_COLUMNS)
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "INDICATOR_COLUMNS",
    "STATISTICS",
    "Finding",
    "SectionResult",
    "Significance",
    "concat_indicators",
    "empty_indicator_table",
    "fill_statistic_and_unit",
    "findings_from_json",
    "findings_to_json",
    "indicator_rows",
    "infer_statistic",
    "infer_unit",
    "typed_frame",
]

INDICATOR_COLUMNS: tuple[str, ...] = (
    "section",
    "indicator",
    "period",
    "area",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "statistic",
    "unit",
    "lower",
    "upper",
    "method",
    "confidence",
    "comparator_value",
    "significance",
    "suppressed",
    "suppression_reason",
    "definition",
)

_DTYPES: dict[str, str] = {
    "section": "object",
    "indicator": "object",
    "period": "object",
    "area": "object",
    "breakdown": "object",
    "breakdown_value": "object",
    "numerator": "float64",
    "denominator": "float64",
    "value": "float64",
    "statistic": "object",
    "unit": "object",
    "lower": "float64",
    "upper": "float64",
    "method": "object",
    "confidence": "float64",
    "comparator_value": "float64",
    "significance": "object",
    "suppressed": "bool",
    "suppression_reason": "object",
    "definition": "object",
}


#: What an indicator's ``value`` can be (the ``statistic`` column).
STATISTICS: tuple[str, ...] = (
    "count",
    "rate",
    "percentage",
    "percent_change",
    "ratio",
    "mean",
    "median",
    "z",
    "score",
    "value",
)


class Significance(StrEnum):
    """The result of a comparison, as stored in the ``significance`` column.

    A ``StrEnum``: members compare equal to their text, so tables keep plain strings.

    >>> Significance("Higher") is Significance.HIGHER, Significance.HIGHER == "Higher"
    (True, True)
    >>> Significance.SPECIAL_HIGH.is_significant, Significance.SIMILAR.is_significant
    (True, False)
    """

    HIGHER = "Higher"
    LOWER = "Lower"
    SIMILAR = "Similar"
    BETTER = "Better"
    WORSE = "Worse"
    INCREASE = "Increase"
    DECREASE = "Decrease"
    NO_CHANGE = "No significant change"
    SPECIAL_HIGH = "Special cause - high"
    SPECIAL_LOW = "Special cause - low"
    COMMON_CAUSE = "Common cause"
    NOT_COMPARED = "Not compared"

    @property
    def is_significant(self) -> bool:
        """Whether the test found a difference (or a special cause)."""
        return self in _SIGNIFICANT

    @property
    def direction(self) -> int:
        """+1 higher/increase/worse-high, -1 lower/decrease, 0 none."""
        return _DIRECTION.get(self, 0)


_SIGNIFICANT = frozenset(
    {
        Significance.HIGHER,
        Significance.LOWER,
        Significance.BETTER,
        Significance.WORSE,
        Significance.INCREASE,
        Significance.DECREASE,
        Significance.SPECIAL_HIGH,
        Significance.SPECIAL_LOW,
    }
)
_DIRECTION = {
    Significance.HIGHER: 1,
    Significance.INCREASE: 1,
    Significance.SPECIAL_HIGH: 1,
    Significance.LOWER: -1,
    Significance.DECREASE: -1,
    Significance.SPECIAL_LOW: -1,
}


def infer_statistic(indicator: str, method: str | None = None) -> str:
    """A fallback guess of the ``statistic`` of rows that do not state it.

    Analyses state ``statistic`` explicitly; this exists only for indicator tables written
    by older versions (and is what those rows are read as).

    >>> infer_statistic("rate_ratio_under25", "Rate ratio (exact conditional)")
    'ratio'
    >>> infer_statistic("offences", "Count"), infer_statistic("offences_change", "Period change")
    ('count', 'percent_change')
    >>> infer_statistic("knife_share", "Wilson"), infer_statistic("gi_star_z", "Getis-Ord Gi*")
    ('percentage', 'z')
    """
    name = (indicator or "").lower()
    meth = (method or "").lower()
    if meth == "count" or meth.startswith("count"):
        return "count"
    if name.endswith(("_change", "_change_pct")) or "change" in meth:
        return "percent_change"
    if "rate ratio" in meth or name.endswith(("_ratio", "ratio_age", "ratio_under25")):
        return "ratio"
    if meth.startswith("mean"):
        return "mean"
    if meth.startswith("median"):
        return "median"
    if "wilson" in meth or "proportion" in meth:
        return "percentage"
    if "byar" in meth or "exact poisson" in meth or "crude" in meth or "dsr" in meth or "standardised" in meth:
        return "rate"
    if "gi" in meth or "gi_star" in name or "hotspot_gi" in name or name.endswith("_z"):
        return "z"
    if "ratio" in name:
        return "ratio"
    if name in ("offences", "victims", "suspects", "population") or name.startswith(
        ("offences_", "count", "n_", "attendances", "admissions_count", "callouts")
    ):
        return "count"
    if name.endswith("_pct") or "share" in name or "percent" in name or "proportion" in name:
        return "percentage"
    if "rate" in name or "per_1000" in name:
        return "rate"
    if "score" in name:
        return "score"
    return "value"


def infer_unit(statistic: str, indicator: str = "", multiplier: int = 1000) -> str:
    """A fallback ``unit`` for a statistic (analyses state the unit themselves).

    >>> infer_unit("rate"), infer_unit("percentage"), infer_unit("count", "offences")
    ('per 1,000 residents', '%', 'offences')
    """
    if statistic == "rate":
        return f"per {multiplier:,} residents"
    if statistic in ("percentage", "percent_change"):
        return "%"
    if statistic == "ratio":
        return "times"
    if statistic == "z":
        return "z-score"
    if statistic == "count":
        name = (indicator or "").lower()
        for word in ("offences", "victims", "suspects", "people", "attendances", "admissions", "callouts"):
            if word in name:
                return word
        return "count"
    return ""


def empty_indicator_table() -> pd.DataFrame:
    """An indicator table with no rows and the standard columns and dtypes."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=_DTYPES[c]) for c in INDICATOR_COLUMNS})


def indicator_rows(stats: pd.DataFrame | None = None, **columns: Any) -> pd.DataFrame:
    """Build indicator-table rows from a statistics frame plus constant or per-row columns.

    ``stats`` is typically the output of an ``svsna.stats`` function (columns ``value``,
    ``lower``, ``upper``, ``method``, ``confidence`` and possibly ``numerator``,
    ``denominator``, ``significance``, ``comparator_value``). Keyword arguments give the
    remaining columns, either a scalar (repeated) or a sequence (one per row). Missing
    columns are filled with blanks; ``suppressed`` defaults to False.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"value": [5.0], "lower": [4.0], "upper": [6.0]})
    >>> rows = indicator_rows(s, section="extent", indicator="rate", area="LLR")
    >>> print(rows.loc[0, "section"], rows.loc[0, "value"], rows.loc[0, "suppressed"])
    extent 5.0 False
    """
    import numpy as np
    import pandas as pd

    if stats is not None:
        n = len(stats)
        cols: dict[str, Any] = {c: stats[c].to_numpy() for c in stats.columns if c in INDICATOR_COLUMNS}
    else:
        lengths = {len(v) for v in columns.values() if isinstance(v, Sequence) and not isinstance(v, str)}
        n = max(lengths) if lengths else 1
        cols = {}
    for name, val in columns.items():
        if isinstance(val, Sequence | pd.Series | np.ndarray) and not isinstance(val, str):
            cols[name] = list(val)
        else:
            cols[name] = [val] * n
    for name in INDICATOR_COLUMNS:
        if name not in cols:
            cols[name] = np.zeros(n, dtype=bool) if name == "suppressed" else [None] * n
    _fill_lists(cols, n)
    return typed_frame(cols, n)


def typed_frame(cols: Mapping[str, Any], n: int) -> pd.DataFrame:
    """An indicator frame with the standard dtypes from one array or list per column.

    Each column is converted once to its final dtype (floats, bool, or objects holding what
    pandas' own constructor and cast would hold: a text column's missing values become NaN, as
    pandas' string inference makes them), and the frame is assembled from the typed arrays without
    a second round of inference; :func:`concat_indicators` then has nothing to cast. This is the
    one place the analyses' rows become a frame (a few hundred frames per assessment).

    >>> f = typed_frame({c: [None] for c in INDICATOR_COLUMNS} | {"value": [2], "unit": ["%"]}, 1)
    >>> f.dtypes.astype(str).to_dict() == _DTYPES, float(f.loc[0, "value"]), bool(f.loc[0, "suppressed"])
    (True, 2.0, False)
    """
    import numpy as np
    import pandas as pd

    arrays = []
    for c in INDICATOR_COLUMNS:
        kind = _DTYPES[c]
        if kind == "float64":
            arrays.append(_float_array(cols[c], n))
        elif kind == "bool":
            flags = np.array(cols[c], dtype=bool)
            if flags.shape != (n,):
                raise ValueError(f"indicator rows: column {c} has {flags.size} values, expected {n}")
            arrays.append(flags)
        else:
            arrays.append(_object_array(cols[c], n))
    try:  # pandas' own assembly from typed arrays: no inference, no cast
        return pd.DataFrame._from_arrays(
            arrays, columns=_column_index(), index=pd.RangeIndex(n), verify_integrity=False
        )
    except (AttributeError, TypeError):  # a pandas without it: the public constructor, then one cast
        return pd.DataFrame(dict(zip(INDICATOR_COLUMNS, arrays, strict=True)), index=pd.RangeIndex(n)).astype(_DTYPES)


def _float_array(values: Any, n: int) -> Any:
    import numpy as np
    import pandas as pd

    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):  # pandas.NA and the like: pandas' cast
        arr = pd.Series(list(values), dtype=object).astype("float64").to_numpy()
    if arr.shape != (n,):
        raise ValueError(f"indicator rows: a column has {arr.size} values, expected {n}")
    return arr.copy()


def _object_array(values: Any, n: int) -> Any:
    """``values`` as an object array holding what ``pd.DataFrame(...).astype(object)`` would hold."""
    import numpy as np
    import pandas as pd

    if isinstance(values, np.ndarray) and values.dtype == object:
        arr = values.copy()
    else:
        values = values if isinstance(values, list) else list(values)
        if len(values) != n:
            raise ValueError(f"indicator rows: a column has {len(values)} values, expected {n}")
        arr = np.fromiter(values, dtype=object, count=n)
    if arr.shape != (n,):
        raise ValueError(f"indicator rows: a column has {arr.size} values, expected {n}")
    kind = pd.api.types.infer_dtype(arr, skipna=True)
    if kind == "string":
        if _pandas_infers_str():  # its missing values are NaN
            arr[pd.isna(arr)] = np.nan
        return arr
    if kind in ("empty", "mixed"):
        return arr
    # numbers, booleans, dates ...: exactly what the constructor and the cast make of them
    return pd.Series(list(arr)).astype(object).to_numpy()


@cache
def _column_index() -> pd.Index:
    """The indicator table's column index (an Index is immutable: one for every frame)."""
    import pandas as pd

    return pd.Index(INDICATOR_COLUMNS)


@cache
def _pandas_infers_str() -> bool:
    """Whether this pandas infers a ``str`` dtype for text (pandas 3), rather than ``object``."""
    import pandas as pd

    return pd.Series(["a", None]).dtype != object


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v == ""


def _fill_lists(cols: dict[str, Any], n: int) -> None:
    """Infer blank ``statistic``/``unit`` entries of column lists in place (memoised per name)."""
    stat, unit = list(cols["statistic"]), list(cols["unit"])
    ind, meth = list(cols["indicator"]), list(cols["method"])
    memo: dict[tuple[str, Any, Any], tuple[str, str]] = {}
    for k in range(n):
        if _blank(stat[k]) or unit[k] is None or (isinstance(unit[k], float) and unit[k] != unit[k]):
            key = (str(ind[k]), meth[k] if isinstance(meth[k], str) else None, None if _blank(stat[k]) else stat[k])
            if key not in memo:
                st = key[2] or infer_statistic(key[0], key[1])
                memo[key] = (st, infer_unit(st, key[0]))
            st, un = memo[key]
            if _blank(stat[k]):
                stat[k] = st
            if unit[k] is None or (isinstance(unit[k], float) and unit[k] != unit[k]):
                unit[k] = un
    cols["statistic"], cols["unit"] = stat, unit


def fill_statistic_and_unit(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill blank ``statistic``/``unit`` cells by :func:`infer_statistic` / :func:`infer_unit`."""
    if not len(frame):
        return frame
    for col in ("statistic", "unit"):
        if col not in frame.columns:
            frame[col] = None
    blank_stat = frame["statistic"].isna() | (frame["statistic"].astype(str) == "")
    if blank_stat.any():
        memo: dict[tuple[str, Any], str] = {}
        frame.loc[blank_stat, "statistic"] = [
            memo.setdefault((str(i), m), infer_statistic(str(i), m if isinstance(m, str) else None))
            for i, m in zip(frame.loc[blank_stat, "indicator"], frame.loc[blank_stat, "method"], strict=True)
        ]
    blank_unit = frame["unit"].isna()
    if blank_unit.any():
        memo2: dict[tuple[str, str], str] = {}
        frame.loc[blank_unit, "unit"] = [
            memo2.setdefault((str(st), str(i)), infer_unit(str(st), str(i)))
            for st, i in zip(frame.loc[blank_unit, "statistic"], frame.loc[blank_unit, "indicator"], strict=True)
        ]
    return frame


#: Columns that identify an indicator row: a missing value reads as "" (never None or NaN).
KEY_COLUMNS: tuple[str, ...] = ("section", "indicator", "period", "area", "breakdown", "breakdown_value")


def standardise_indicators(
    frame: pd.DataFrame, *, source: str = "indicator table", blank: str | None = None
) -> pd.DataFrame:
    """An indicator table as read from a file (Parquet, CSV or a frame), in the standard form.

    Key columns (:data:`KEY_COLUMNS`) become strings with ``""`` for missing; other text columns
    (``statistic``, ``unit``, ``method``, ``significance``... and any extra text column, such as the
    public table's ``public_note``) get ``blank`` for missing; numbers become floats (text that is not
    a number becomes NaN); ``suppressed`` becomes a bool (``True``, ``"true"``, ``"1"``, ``"yes"``).
    A blank ``statistic`` or ``unit`` (tables written before those columns existed) is inferred.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    source : str
        What it was read from, for the message of a missing column.
    blank : str or None
        What a missing value of a non-key text column becomes.

    Raises
    ------
    InputDataError
        When a column of :data:`INDICATOR_COLUMNS` (other than ``statistic`` and ``unit``) is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> row = dict.fromkeys(INDICATOR_COLUMNS)
    >>> row.update(section="trend", indicator="offences", period=2021, value="12", suppressed="TRUE")
    >>> out = standardise_indicators(pd.DataFrame([row]), blank="")
    >>> r = out.iloc[0]
    >>> r["period"], r["area"], float(r["value"]), bool(r["suppressed"]), r["method"], r["statistic"]
    ('2021', '', 12.0, True, '', 'count')
    """
    import pandas as pd

    from svsna.errors import InputDataError

    out = frame.copy()
    for col in ("statistic", "unit"):  # tables written before these columns existed
        if col not in out.columns:
            out[col] = None
    missing = [c for c in INDICATOR_COLUMNS if c not in out.columns]
    if missing:
        raise InputDataError(
            f"{source}: not an indicator table (missing column(s) {missing}); "
            "hint: the columns are svsna.indicators.INDICATOR_COLUMNS"
        )
    numbers = [c for c, d in _DTYPES.items() if d == "float64"]
    for col in numbers:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["suppressed"] = out["suppressed"].map(lambda v: str(v).strip().lower() in ("true", "1", "yes")).astype(bool)
    extra = [c for c in out.columns if c not in INDICATOR_COLUMNS]
    texts = [c for c, d in _DTYPES.items() if d == "object"]
    texts += [c for c in extra if out[c].dtype == object or pd.api.types.is_string_dtype(out[c])]
    for col in texts:
        text = out[col].astype(object)
        out[col] = text.where(text.notna(), None).map(lambda v: v if v is None else str(v)).astype(object)
    out = fill_statistic_and_unit(out)  # only blank cells are inferred
    for col in texts:
        fill = "" if col in KEY_COLUMNS else blank
        out[col] = out[col].where(out[col].notna(), fill).astype(object)
    return out[[*INDICATOR_COLUMNS, *extra]].reset_index(drop=True)


def concat_indicators(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate indicator frames, keeping the standard column order and dtypes."""
    import pandas as pd

    frames = [p for p in parts if p is not None and len(p)]
    if not frames:
        return empty_indicator_table()
    cols = list(INDICATOR_COLUMNS)
    frames = [f if {"statistic", "unit"} <= set(f.columns) else fill_statistic_and_unit(f.copy()) for f in frames]
    # select columns only where the order differs, and cast only the columns whose dtype differs (once)
    out = pd.concat([f if list(f.columns) == cols else f[cols] for f in frames], ignore_index=True)
    cast = {c: t for c, t in _DTYPES.items() if out[c].dtype != t}
    return out.astype(cast) if cast else out


@dataclass(frozen=True)
class Finding:
    """One structured fact from which the report writes a sentence.

    Parameters
    ----------
    section : str
        SNA section, as in the indicator table.
    key : str
        Stable machine name of the kind of finding, e.g. ``change_year_on_year``,
        ``peak_hour``, ``rate_ratio_under25``; the report's sentence templates are keyed
        on it.
    text : str
        A plain-English default sentence (the report may rewrite it in house style).
    numbers : dict
        The figures the sentence uses, by name (``{"value": 14.6, "lower": ...}``).
    significance : str or None
        The test result the sentence may rely on (``Increase``, ``Decrease``,
        ``No significant change``, ``Higher``, ``Lower``, ``Similar``...). The report says
        "significant" only when this says so.
    period, area, definition : str
        What the finding is about.
    indicators : list of str
        ``indicator`` names of the supporting rows.
    public : bool
        Whether the finding may appear in the public summary (after disclosure control).
    headline : bool
        Whether it belongs in the headline panel of key figures.
    context : tuple of str or None
        Paths of the ``numbers`` that are context, not statistics (an hour, a year, an age
        threshold, a rank ...): the public edition prints them as they are, while every other
        number is a statistic that must be a published figure. A path names a number
        (``hour``), a number inside a mapping (``top.hour``: list positions are left out, so it
        covers every item of a list) or a whole list (``peak_ages``); a position may also be
        named (``triggered_by.0.numbers.hour``). None: not declared by the finding itself (and in
        ``findings.json`` written before it existed): the findings contract's declaration for
        ``key`` applies (:func:`svsna.analyses.findings_catalogue.context_of`).
    """

    section: str
    key: str
    text: str
    numbers: Mapping[str, Any] = field(default_factory=dict)
    significance: str | None = None
    period: str = ""
    area: str = ""
    definition: str = ""
    indicators: Sequence[str] = ()
    public: bool = True
    headline: bool = False
    context: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["numbers"] = dict(self.numbers)
        d["indicators"] = list(self.indicators)
        d["context"] = None if self.context is None else list(self.context)
        return d


@dataclass
class SectionResult:
    """What one analysis section returns: its indicator rows and its findings."""

    section: str
    indicators: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)


def findings_to_json(findings: Iterable[Finding]) -> str:
    """Serialise findings as a JSON array (numbers must be JSON-serialisable)."""

    def _default(o: Any) -> Any:
        if hasattr(o, "item"):
            return o.item()
        if hasattr(o, "isoformat"):
            return o.isoformat()
        raise TypeError(f"not JSON serialisable: {type(o).__name__}")

    return json.dumps([f.to_dict() for f in findings], indent=1, default=_default)


def findings_from_json(text: str) -> list[Finding]:
    """Inverse of :func:`findings_to_json`."""
    out = []
    for d in json.loads(text):
        d["indicators"] = tuple(d.get("indicators", ()))
        if d.get("context") is not None:  # absent from findings.json written before it was declared
            d["context"] = tuple(d["context"])
        out.append(Finding(**d))
    return out
