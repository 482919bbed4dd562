"""Vectorised parsers for the contract field types (raw text in, typed values out).

Each parser takes a polars expression over raw text and returns an expression of the
typed value, null where the text does not parse. Validation compares "not blank" with
"parsed" to find bad values, so nothing is silently coerced.

Examples
--------
>>> import polars as pl
>>> df = pl.DataFrame({"d": ["2021-02-28", "28/02/2021", "2021-02-30", None]})
>>> df.select(parse_date(pl.col("d"))).to_series().to_list()
[datetime.date(2021, 2, 28), datetime.date(2021, 2, 28), None, None]
>>> df = pl.DataFrame({"t": ["2021-03-31 23:15", "31/03/2021 23:15:30", "2021-03-31T23:15:30.5Z", "2021-03-31",
...                         "2021-02-30 10:00", None]})
>>> [str(v) for v in df.select(parse_datetime(pl.col("t"))).to_series().to_list()]
['2021-03-31 23:15:00', '2021-03-31 23:15:30', '2021-03-31 23:15:30.500000', '2021-03-31 00:00:00', 'None', 'None']
>>> df = pl.DataFrame({"b": ["Y", "no", "1", "maybe"]})
>>> df.select(parse_boolean(pl.col("b"))).to_series().to_list()
[True, False, True, None]
>>> df = pl.DataFrame({"a": ["15-19", "17", "90+", "x"]})
>>> df.select(parse_age_band(pl.col("a")).alias("band")).unnest("band").rows()
[(15, 19), (17, 17), (90, 120), (None, None)]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "FALSE_VALUES",
    "OPEN_BAND_TOP",
    "TRUE_VALUES",
    "parse_age_band",
    "parse_boolean",
    "parse_date",
    "parse_datetime",
    "parse_integer",
    "parse_number",
    "parse_time",
]

TRUE_VALUES = ("Y", "YES", "TRUE", "T", "1")
FALSE_VALUES = ("N", "NO", "FALSE", "F", "0")
OPEN_BAND_TOP = 120
"""The top age of an open band such as ``90+``."""

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
_INTEGER = r"^[+-]?[0-9]+(\.0+)?$"


def _first_match(expr: pl.Expr, parsers: list[Callable[[pl.Series], pl.Series]], dtype: pl.DataType) -> pl.Expr:
    """The first parser's non-null result, like ``pl.coalesce`` over the parsers, but each later
    parser only runs on the values every earlier one failed on (usually none: one format fits)."""

    def first(text: pl.Series) -> pl.Series:
        out = parsers[0](text)
        for parse in parsers[1:]:
            todo = (out.is_null() & text.is_not_null()).arg_true()
            if todo.len() == 0:
                break
            out = out.scatter(todo, parse(text.gather(todo)))
        return out

    return expr.map_batches(first, return_dtype=dtype, is_elementwise=True)


def _date_parsers() -> list[Callable[[pl.Series], pl.Series]]:
    """One parser per accepted date format, in :data:`_DATE_FORMATS` order."""
    return [lambda s, f=f: s.str.to_date(f, strict=False) for f in _DATE_FORMATS]


def parse_date(expr: pl.Expr) -> pl.Expr:
    """Dates as ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (a midnight time part is allowed)."""
    import polars as pl

    text = expr.str.replace(r"[T ]00:00(:00(\.0+)?)?$", "")
    return _first_match(text, _date_parsers(), pl.Date())


def parse_datetime(expr: pl.Expr) -> pl.Expr:
    """Datetimes (ISO with space or T, or UK ``DD/MM/YYYY HH:MM``); a bare date is midnight."""
    import polars as pl

    text = expr.str.replace("T", " ", literal=True).str.strip_suffix("Z")
    parsers = [lambda s, f=f: s.str.to_datetime(f, strict=False, time_unit="us") for f in _DATETIME_FORMATS]
    parsers += [lambda s, p=p: p(s).cast(pl.Datetime("us")) for p in _date_parsers()]
    return _first_match(text, parsers, pl.Datetime("us"))


def parse_time(expr: pl.Expr) -> pl.Expr:
    """Clock times ``HH:MM`` or ``HH:MM:SS``."""
    import polars as pl

    parsers = [lambda s, f=f: s.str.to_time(f, strict=False) for f in ("%H:%M:%S", "%H:%M")]
    return _first_match(expr, parsers, pl.Time())


def parse_integer(expr: pl.Expr) -> pl.Expr:
    """Whole numbers (``17``, ``17.0`` or ``12,034``); ``17.5`` and text give null."""
    import polars as pl

    text = expr.str.replace_all(r"(\d),(\d{3})", "$1$2")
    return pl.when(text.str.contains(_INTEGER)).then(text.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))


def parse_number(expr: pl.Expr) -> pl.Expr:
    """Decimal numbers (a thousands comma is allowed: ``12,034``)."""
    import polars as pl

    return expr.str.replace_all(r"(\d),(\d{3})", "$1$2").cast(pl.Float64, strict=False)


def parse_boolean(expr: pl.Expr) -> pl.Expr:
    """Y/N, Yes/No, True/False, T/F, 1/0 (any case); anything else is null."""
    import polars as pl

    up = expr.str.to_uppercase()
    return pl.when(up.is_in(TRUE_VALUES)).then(True).when(up.is_in(FALSE_VALUES)).then(False).otherwise(None)


def parse_age_band(expr: pl.Expr) -> pl.Expr:
    """Population ages: ``"17"`` -> 17..17, ``"15-19"`` -> 15..19, ``"90+"`` -> 90..120 (a struct)."""
    import polars as pl

    single = expr.str.extract(r"^(\d{1,3})$", 1).cast(pl.Int64, strict=False)
    band_from = expr.str.extract(r"^(\d{1,3})\s*-\s*\d{1,3}$", 1).cast(pl.Int64, strict=False)
    band_to = expr.str.extract(r"^\d{1,3}\s*-\s*(\d{1,3})$", 1).cast(pl.Int64, strict=False)
    open_from = expr.str.extract(r"^(\d{1,3})\s*\+$", 1).cast(pl.Int64, strict=False)
    age_from = pl.coalesce([single, band_from, open_from])
    age_to = pl.coalesce([single, band_to, pl.when(open_from.is_not_null()).then(pl.lit(OPEN_BAND_TOP))])
    return pl.struct(age_from.alias("age_from"), age_to.alias("age_to"))
