"""The joint disclosure audit (svsna.stats.audit), checked against brute-force enumeration.

An independent reader's attack: enumerate every integer assignment of the hidden cells that
is consistent with what is published (bounds and relations) and collect the values each
protected cell can take. The audit's intervals must agree with that enumeration on small
tables (two-way tables are totally unimodular, so the LP bounds are exact there).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svsna.stats import AuditModelError, AuditProblem, protect, rule_set
from svsna.stats.audit import audit, possible_values


def _brute(problem: AuditProblem, cap: int = 40) -> dict[int, set[int]]:
    """Values each target can take over all integer solutions (unbounded cells capped at ``cap``)."""
    n = len(problem.truth)
    ranges = [
        range(int(problem.lower[i]), int(cap if np.isinf(problem.upper[i]) else problem.upper[i]) + 1) for i in range(n)
    ]
    out: dict[int, set[int]] = {i: set() for i in range(n) if problem.target[i]}
    for x in itertools.product(*ranges):
        xv = np.array(x, dtype=float)
        if all(abs(np.dot(c, xv[idx]) - b) < 1e-9 for idx, c, b in problem.equalities):
            for i in out:
                out[i].add(x[i])
    return out


def _line(values, shown, small_range=(1, 7)) -> AuditProblem:
    """A one-way table: cells plus their total (last), ``shown`` says which cells are published exactly."""
    v = np.array([*values, sum(values)], dtype=float)
    shown = np.array([*shown, True])
    small = (v >= small_range[0]) & (v <= small_range[1]) & ~shown
    lower = np.where(shown, v, np.where(small, small_range[0], 0.0))
    upper = np.where(shown, v, np.where(small, small_range[1], np.inf))
    idx = np.arange(len(v))
    coef = np.array([1.0] * len(values) + [-1.0])
    return AuditProblem([f"c{i}" for i in idx], v, lower, upper, small, [(idx, coef, 0.0)])


def test_one_hidden_cell_with_its_total_is_recovered_exactly():
    # 3 + 40 + 12 = 55 with only the 3 hidden: a reader computes 55 - 40 - 12 = 3.
    p = _line([3, 40, 12], [False, True, True])
    r = audit(p, protection=5)
    assert r.failures == [0] and r.intervals[0] == (3.0, 3.0)


def test_two_small_hidden_cells_narrow_each_other():
    # 3 + 2 hidden, 40 shown, total 45: the hidden pair adds to 5, each in 1-7, so each is 1-4 (4 values).
    p = _line([3, 2, 40], [False, False, True])
    r = audit(p, protection=5)
    assert r.intervals[0] == (1.0, 4.0) and r.intervals[1] == (1.0, 4.0)
    assert r.failures == [0, 1]
    assert _brute(p) == {0: {1, 2, 3, 4}, 1: {1, 2, 3, 4}}


def test_rounded_margin_at_its_edge_pins_a_small_count():
    # nhsd_2018 (from the demo): Under 25 = 11 shown as 10 (so 8-12), 25 and over = 7 hidden,
    # total 18 shown as 20 (so 18-22). 25 and over = total - under 25 lies in 18-12 .. 22-8 = 6..14,
    # and a hidden small count is at most 7: only 6 or 7 remain.
    rs = rule_set("nhsd_2018")
    truth = np.array([11.0, 7.0, 18.0])
    lo_u, hi_u = rs.shown_interval(rs.round(11))
    lo_t, hi_t = rs.shown_interval(rs.round(18))
    assert (lo_u, hi_u, lo_t, hi_t) == (8.0, 12.0, 18.0, 22.0)
    p = AuditProblem(
        ["under 25", "25 and over", "total"],
        truth,
        np.array([lo_u, 1.0, lo_t]),
        np.array([hi_u, 7.0, hi_t]),
        np.array([False, True, False]),
        [(np.array([0, 1, 2]), np.array([1.0, 1.0, -1.0]), 0.0)],
    )
    r = audit(p, protection=rs.protection)
    assert r.intervals[1] == (6.0, 7.0) and r.failures == [1]
    assert _brute(p) == {1: {6, 7}}
    fixed, hidden, res = protect(p, protection=5, hideable=np.array([True, False, True]), cost=truth)
    assert res.ok and hidden == [0]  # hiding the under-25 count leaves 1-7 open
    assert _brute(fixed, cap=30)[1] == {1, 2, 3, 4, 5, 6, 7}


def test_two_way_table_pinned_only_by_the_whole_table():
    # rows a, b; columns x, y; both margins published. Hidden: a|x = 2 (small), a|y = 30, b|x = 25.
    # Each line alone leaves a|x free (its partner is hidden), but b|y is shown, so the column and
    # row equations together give a|x = (a total) - a|y = (a total) - ((y total) - b|y).
    #            x    y   total
    #   a        2   30     32
    #   b       25   40     65
    #   total   27   70     97
    cells = ["a|x", "a|y", "b|x", "b|y", "a", "b", "x", "y", "all"]
    truth = np.array([2, 30, 25, 40, 32, 65, 27, 70, 97], dtype=float)
    hidden = np.array([True, True, True, False, False, False, False, False, False])
    target = np.array([True] + [False] * 8)
    lower = np.where(hidden, 0.0, truth)
    lower[0] = 1.0
    upper = np.where(hidden, np.inf, truth)
    upper[0] = 7.0
    eq = [
        (np.array([0, 1, 4]), np.array([1.0, 1.0, -1.0]), 0.0),
        (np.array([2, 3, 5]), np.array([1.0, 1.0, -1.0]), 0.0),
        (np.array([0, 2, 6]), np.array([1.0, 1.0, -1.0]), 0.0),
        (np.array([1, 3, 7]), np.array([1.0, 1.0, -1.0]), 0.0),
        (np.array([4, 5, 8]), np.array([1.0, 1.0, -1.0]), 0.0),
        (np.array([6, 7, 8]), np.array([1.0, 1.0, -1.0]), 0.0),
    ]
    p = AuditProblem(cells, truth, lower, upper, target, eq)
    r = audit(p, protection=5)
    assert r.failures == [0] and r.intervals[0] == pytest.approx((2.0, 2.0))
    is_total = np.array([False] * 4 + [True] * 5)
    cost = truth + 1000 * is_total  # hide inner cells before totals (as svsna.outputs.public does)
    fixed, hid, res = protect(p, protection=5, hideable=~hidden, cost=cost)
    assert res.ok and hid == [3]  # the fourth corner of the rectangle: b|y
    assert len(_brute(fixed, cap=45)[0]) >= 5


def test_inconsistent_counts_are_refused():
    p = _line([3, 40, 12], [False, True, True])
    bad = AuditProblem(p.names, p.truth + np.array([0, 0, 0, 1.0]), p.lower, p.upper + 1, p.target, p.equalities)
    with pytest.raises(AuditModelError, match="do not add up"):
        audit(bad, protection=5)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=14), min_size=3, max_size=5),
    st.sampled_from(["nhsd_2018", "fewer_than_10", "fingertips_1_5"]),
)
def test_property_protected_one_way_tables_leave_enough_values(values, rules):
    """After protect(), brute force finds at least `protection` values for every small cell."""
    rs = rule_set(rules)
    v = np.array([*values, sum(values)], dtype=float)
    small = (v >= rs.suppress_from) & (v <= rs.suppress_to)
    rounded = np.array([rs.round(x) for x in v])
    shown_lo = np.array([rs.shown_interval(s)[0] for s in rounded])
    shown_hi = np.array([rs.shown_interval(s)[1] for s in rounded])
    lower = np.where(small, rs.suppress_from, shown_lo)
    upper = np.where(small, rs.suppress_to, shown_hi)
    idx = np.arange(len(v))
    p = AuditProblem(
        [f"c{i}" for i in idx], v, lower, upper, small, [(idx, np.array([1.0] * len(values) + [-1.0]), 0.0)]
    )
    fixed, _, res = protect(p, protection=rs.protection, hideable=~small, cost=v, useful=rs.protection)
    if not small.any():
        return
    if not res.ok:  # only when everything that could be hidden already is
        assert not (~small & (fixed.upper < np.inf)).any()
        return
    found = _brute(fixed, cap=int(v.max()) + 12)
    for i, vals in found.items():
        assert len(vals) >= rs.protection, (values, rules, i, sorted(vals))
        assert possible_values(*res.intervals[i]) >= rs.protection
