"""Attack: the column-wise CSV/XLSX formula neutralising equals ``neutralise`` cell by cell.

``svsna.cells.neutralise_frame`` neutralises a text column with pandas' string methods rather
than one Python call per cell. These tests put hostile text (every formula trigger, after spaces
and no-break spaces, unicode look-alikes, line breaks), missing values and numbers in object,
``str`` and categorical columns, and assert that every cell is exactly what :func:`neutralise`
gives for it, that no written CSV cell starts a formula, and that the CSV text is the one the
cell-by-cell form writes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svsna.cells import FORMULA_TRIGGERS, is_formula_like, neutralise, neutralise_frame

_PIECES = [*FORMULA_TRIGGERS, " ", "\u00a0", "\u2003", "'", '"', ",", "A1", "cmd|' /C calc'!A0", "é", "𝔸", "\x00", "1"]
TEXT = st.lists(st.sampled_from(_PIECES), max_size=6).map("".join) | st.text(max_size=8)
NON_TEXT = st.sampled_from([None, math.nan, pd.NA, 0, -1, -2.5, 3.0, True, b"=1+1", ("=x",)])
CELL = TEXT | NON_TEXT


def _is_text_column(series: pd.Series) -> bool:
    return series.dtype == object or str(series.dtype).startswith(("string", "str", "category"))


def _mapped(frame: pd.DataFrame) -> pd.DataFrame:
    """The form used before: ``Series.map(neutralise)`` on every text column (its CSV is the reference)."""
    out = frame.copy()
    for col in out.columns:
        if _is_text_column(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _same(a: object, b: object) -> bool:
    if a is pd.NA or b is pd.NA:
        return a is b
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _check(frame: pd.DataFrame) -> None:
    before = frame.copy()
    got = neutralise_frame(frame)
    assert list(got.columns) == [neutralise(c) for c in frame.columns]
    for g, col in zip(got.columns, frame.columns, strict=True):
        cells = frame[col].tolist()
        if isinstance(frame[col].dtype, pd.CategoricalDtype) or not _is_text_column(frame[col]):
            continue
        want = [neutralise(v) for v in cells]  # the reference: neutralise, cell by cell
        assert all(_same(x, y) for x, y in zip(got[g].tolist(), want, strict=True)), (g, got[g].tolist(), want)
        assert not any(is_formula_like(v) for v in got[g].tolist())
        assert got[g].dtype == frame[col].dtype
    reference = frame.copy()
    for col in reference.columns:
        if isinstance(reference[col].dtype, pd.CategoricalDtype):
            reference[col] = reference[col].map(neutralise)
        elif _is_text_column(reference[col]):
            cells = [neutralise(v) for v in reference[col].tolist()]
            reference[col] = pd.Series(cells, index=reference.index, dtype=reference[col].dtype)
    reference.columns = [neutralise(c) for c in reference.columns]
    assert got.to_csv(index=False) == reference.to_csv(index=False)
    if all(isinstance(v, str) or v is None or v is pd.NA or v != v for c in frame for v in frame[c] if c != "n"):
        # text and blanks only: the CSV is also byte for byte the one Series.map(neutralise) wrote
        # (with numbers in an object column, map re-inferred the dtype, e.g. writing 0 as 0.0)
        assert got.to_csv(index=False) == _mapped(frame).to_csv(index=False)
    pd.testing.assert_frame_equal(frame, before)  # the input is not changed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CELL, min_size=0, max_size=25))
def test_object_column_equals_cell_by_cell(cells):
    frame = pd.DataFrame({"text": pd.Series(cells, dtype=object), "n": np.arange(len(cells), dtype=float) - 3})
    _check(frame)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT | st.none(), min_size=1, max_size=25))
def test_str_and_category_columns_equal_cell_by_cell(cells):
    frame = pd.DataFrame({"s": pd.Series(cells, dtype="str"), "c": pd.Series(cells, dtype="category")})
    _check(frame)
    cats = neutralise_frame(frame)["c"].tolist()
    assert all(_same(x, y) for x, y in zip(cats, [neutralise(v) for v in frame["c"].tolist()], strict=True))


@settings(max_examples=100, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=5, unique=True))
def test_column_names_are_neutralised(names):
    frame = pd.DataFrame([list(range(len(names)))], columns=names)
    got = neutralise_frame(frame)
    assert list(got.columns) == [neutralise(n) for n in names]


def test_known_payloads_every_trigger():
    payloads = [f"{lead}{t}cmd|' /C calc'!A0" for t in FORMULA_TRIGGERS for lead in ("", " ", "\u00a0 ", "  ")]
    harmless = ["Charnwood", "a=1", "\u2003=1", "'=already", "", "-"[1:], "é=1", "O'Neil"]
    frame = pd.DataFrame({"t": payloads + harmless + [None, math.nan, -12, 3.5]})
    out = neutralise_frame(frame)["t"].tolist()
    assert out[: len(payloads)] == ["'" + p for p in payloads]
    assert out[len(payloads) : len(payloads) + len(harmless)] == harmless
    assert out[-4] is None and math.isnan(out[-3]) and out[-2:] == [-12, 3.5]


def test_columns_without_text_are_left_as_they_are():
    frame = pd.DataFrame({"o": pd.Series([1.5, None, -2.0], dtype=object), "b": pd.Series([b"=1", b"x", None])})
    out = neutralise_frame(frame)
    assert out["o"].tolist() == [1.5, None, -2.0] and out["b"].tolist() == [b"=1", b"x", None]
