"""Disclosure control: primary and secondary suppression, rounding, words, and a recovery audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svsna.stats import StatsInputError, disclose, rule_set, safe_count


def recoverable_cells(result, small_only: bool = True) -> list[tuple]:
    """Independent audit: which suppressed small counts follow exactly from what is shown?

    Builds the linear system 'inner cells of each row/column add up to its total' over the
    result's full grid, moves shown cells to the right-hand side, and calls a hidden cell
    recoverable when its unit vector lies in the row space of the constraint matrix
    (rank test with numpy, not the null-space routine used by the code under test).
    """
    supp = result.suppressed.to_numpy()
    idx, cols = list(result.suppressed.index), list(result.suppressed.columns)
    has_total_col = cols[-1] == "Total"
    has_total_row = idx[-1] == "Total"
    nr = len(idx) - has_total_row
    nc = len(cols) - has_total_col
    lines = []
    if has_total_col:
        for i in range(len(idx)):
            lines.append([((i, j), 1.0) for j in range(nc)] + [((i, nc), -1.0)])
    if has_total_row:
        for j in range(len(cols)):
            lines.append([((i, j), 1.0) for i in range(nr)] + [((nr, j), -1.0)])
    unknown = [tuple(c) for c in np.argwhere(supp)]
    if not unknown or not lines:
        return []
    pos = {c: k for k, c in enumerate(unknown)}
    a = np.zeros((len(lines), len(unknown)))
    for li, line in enumerate(lines):
        for cell, coef in line:
            if cell in pos:
                a[li, pos[cell]] += coef
    base = np.linalg.matrix_rank(a)
    out = []
    rs = result.rules
    counts = result.counts.to_numpy()
    for cell, k in pos.items():
        if small_only and not (rs.suppress_from <= counts[cell] <= rs.suppress_to):
            continue
        e = np.zeros(len(unknown))
        e[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == base:
            out.append(cell)
    return out


def pinned_by_bounds(result) -> list[tuple]:
    """Independent interval audit: an intruder who knows every shown cell and total, that a
    hidden small count lies in [from, to] and that other hidden cells are >= 0, minimises and
    maximises each hidden small count with a linear programme. Returns those fixed to one value.
    """
    from scipy.optimize import linprog

    supp = result.suppressed.to_numpy()
    counts = result.counts.to_numpy()
    rs = result.rules
    idx, cols = list(result.suppressed.index), list(result.suppressed.columns)
    tc, tr = cols[-1] == "Total", idx[-1] == "Total"
    nr, nc = len(idx) - tr, len(cols) - tc
    eqs = []
    if tc:
        eqs += [[((i, j), 1.0) for j in range(nc)] + [((i, nc), -1.0)] for i in range(len(idx))]
    if tr:
        eqs += [[((i, j), 1.0) for i in range(nr)] + [((nr, j), -1.0)] for j in range(len(cols))]
    unknown = [tuple(c) for c in np.argwhere(supp)]
    if not unknown or not eqs:
        return []
    pos = {c: k for k, c in enumerate(unknown)}
    a = np.zeros((len(eqs), len(unknown)))
    b = np.zeros(len(eqs))
    for li, eq in enumerate(eqs):
        for cell, coef in eq:
            if cell in pos:
                a[li, pos[cell]] += coef
            else:
                b[li] -= coef * counts[cell]

    def small(v):
        return rs.suppress_from <= v <= rs.suppress_to

    bounds = [(rs.suppress_from, rs.suppress_to) if small(counts[c]) else (0, None) for c in unknown]
    out = []
    for cell, k in pos.items():
        if not small(counts[cell]):
            continue
        e = np.zeros(len(unknown))
        e[k] = 1
        lo = linprog(e, A_eq=a, b_eq=b, bounds=bounds)
        hi = linprog(-e, A_eq=a, b_eq=b, bounds=bounds)
        if -hi.fun - lo.fun < 1e-6:
            out.append(cell)
    return out


def test_rule_sets_expose_thresholds():
    nhsd = rule_set("nhsd_2018")
    assert (nhsd.suppress_from, nhsd.suppress_to, nhsd.rounding_base) == (1, 7, 5)
    assert (rule_set("fingertips_1_5").suppress_to, rule_set("fingertips_1_5").rounding_base) == (5, None)
    assert rule_set("fewer_than_10").suppress_to == 9
    with pytest.raises(StatsInputError, match="unknown disclosure rule set 'x'"):
        rule_set("x")


def test_safe_count_nhsd_rounding_and_words():
    # NHS Digital 2018: 1-7 suppressed; 8 and above rounded to the nearest 5 (8 -> 10, 12 -> 10, 13 -> 15)
    assert safe_count(7) == ("fewer than 8", True, "primary: count 1-7")
    assert [safe_count(n)[0] for n in (8, 12, 13, 0, 1002)] == ["10", "10", "15", "0", "1,000"]
    assert safe_count(5, "fingertips_1_5")[1] is True and safe_count(6, "fingertips_1_5") == ("6", False, "")
    assert safe_count(None) == ("not available", False, "missing")


def test_one_way_breakdown_with_total_hand_worked():
    # fingertips 1-5: 'Knife' 4 suppressed; with the total shown, 4 = 60 - (6 + 50) -> also hide the
    # next smallest non-zero cell (6). The zero is shown.
    s = pd.Series({"Knife": 4, "Blunt": 6, "Body": 50, "Other": 0}, name="victims")
    r = disclose(s, "fingertips_1_5")
    assert r.display["victims"].tolist() == ["[c]", "[c]", "50", "0", "60"]
    assert r.reasons.loc["Knife", "victims"] == "primary: count 1-5"
    assert r.reasons.loc["Blunt", "victims"] == "secondary: protects a suppressed cell in the same breakdown"
    assert r.words.loc["Knife", "victims"] == "fewer than 6"
    assert r.values["victims"].isna().tolist() == [True, True, False, False, False]
    assert recoverable_cells(r) == []
    # without a published total no secondary suppression is needed
    r2 = disclose(s, "fingertips_1_5", margins=False)
    assert r2.suppressed["victims"].tolist() == [True, False, False, False]


def test_two_way_table_rectangle_and_rounding():
    t = pd.DataFrame({"A": [3, 20, 40], "B": [25, 30, 12], "C": [50, 0, 8]}, index=["x", "y", "z"])
    r = disclose(t, "nhsd_2018")
    # the 3 needs a rectangle of four hidden cells to survive row and column totals
    assert int(r.suppressed.to_numpy().sum()) == 4
    assert r.suppressed.loc["x", "A"] and r.reasons.loc["x", "A"] == "primary: count 1-7"
    assert recoverable_cells(r) == [] and pinned_by_bounds(r) == []
    # shown counts rounded to nearest 5 (12 -> 10, 8 -> 10); totals from unrounded sums (188 -> 190)
    assert r.display.loc["z", "C"] == "10" and r.display.loc["Total", "Total"] == "190"
    assert r.counts.loc["Total", "Total"] == 188
    assert "rounded to the nearest 5" in r.note()
    long = r.to_long()
    assert len(long) == 16 and set(long.columns) == {
        "row",
        "column",
        "value",
        "display",
        "words",
        "suppressed",
        "reason",
    }


def test_pinned_small_counts_are_protected():
    # Two hidden 1s in a column whose other cell and total are shown: they add to 2 and each is
    # at least 1, so both would be known. The code must hide more.
    t = pd.DataFrame({"A": [1, 1, 40], "B": [25, 30, 12]}, index=["x", "y", "z"])
    r = disclose(t, "fewer_than_10")
    assert recoverable_cells(r) == []
    assert pinned_by_bounds(r) == []
    col_a_hidden = r.suppressed["A"].iloc[:3].sum()
    assert col_a_hidden == 3 or r.suppressed.loc["Total", "A"]


def test_totals_that_are_small_are_suppressed_and_missing_cells():
    t = pd.DataFrame({"A": [2, 0], "B": [0, 30]}, index=["x", "y"])
    r = disclose(t, "fewer_than_10")
    assert r.reasons.loc["x", "Total"] == "primary: count 1-9"  # the row total is 2
    assert recoverable_cells(r) == []
    m = disclose(pd.Series([np.nan, 20, 30]), "fewer_than_10")
    assert m.display["count"].tolist() == ["[x]", "20", "30", "[x]"]
    assert m.reasons.iloc[0, 0] == "missing"


def test_disclose_errors():
    with pytest.raises(StatsInputError, match="already has a 'Total'"):
        disclose(pd.DataFrame({"A": [1], "Total": [1]}))
    with pytest.raises(StatsInputError, match=r"cell \(0, 'A'\) = -1"):
        disclose(pd.DataFrame({"A": [-1]}))
    with pytest.raises(StatsInputError, match="non-numeric"):
        disclose(pd.DataFrame({"name": ["a"], "A": [1]}))


tables = st.integers(1, 5).flatmap(
    lambda nr: st.integers(1, 5).flatmap(
        lambda nc: st.lists(
            st.lists(st.one_of(st.integers(0, 9), st.integers(0, 60)), min_size=nc, max_size=nc),
            min_size=nr,
            max_size=nr,
        )
    )
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=tables,
    rules=st.sampled_from(["nhsd_2018", "fingertips_1_5", "fewer_than_10"]),
    margins=st.sampled_from([True, True, "rows", "columns"]),
)
def test_property_no_small_cell_recoverable_from_totals(rows, rules, margins):
    t = pd.DataFrame(rows, columns=[f"c{j}" for j in range(len(rows[0]))])
    r = disclose(t, rules, margins=margins)
    rs = rule_set(rules)
    counts = r.counts.to_numpy()
    supp = r.suppressed.to_numpy()
    # every small count is suppressed, zeros and shown cells are not small
    small = (counts >= rs.suppress_from) & (counts <= rs.suppress_to)
    assert (supp[small]).all()
    # no suppressed cell (small or protecting one) can be recovered by adding and subtracting totals
    assert recoverable_cells(r) == []
    # nor pinned to a single value by the totals plus the known range of small counts
    assert pinned_by_bounds(r) == []
    assert (r.display.to_numpy()[supp] == rs.symbol).all()


@settings(max_examples=50, deadline=None)
@given(cells=st.lists(st.integers(0, 30), min_size=1, max_size=8))
def test_property_one_way_never_recoverable(cells):
    r = disclose(pd.Series(cells), "nhsd_2018")
    v = r.counts["count"].to_numpy()
    hidden = r.suppressed["count"].to_numpy()
    assert hidden[(v >= 1) & (v <= 7)].all()
    # a single hidden entry in a line with its total shown would be recoverable
    assert hidden.sum() != 1
    assert recoverable_cells(r) == []


def test_interval_attack_found_by_search_is_blocked():
    # Found by a 3,000-table search before the bounds audit existed: with 7 and 6 hidden in
    # column B and 1 hidden in row 2, the totals plus "each hidden small count is 1-7" fixed
    # every hidden value. The bounds audit must now prevent it.
    t = pd.DataFrame([[57, 7, 49], [24, 6, 1]])
    r = disclose(t, "nhsd_2018")
    assert recoverable_cells(r) == [] and pinned_by_bounds(r) == []
