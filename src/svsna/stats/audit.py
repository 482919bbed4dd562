"""Joint disclosure audit: can a withheld count be narrowed down from everything published together?

A public release publishes many numbers that all rest on hidden true counts. A reader who
holds every published number, knows the rule set and knows how the counts relate (a total
is the sum of its parts, a count printed in two tables is one count, a share is a count out
of its total) knows each true count only within bounds. :func:`audit` states that knowledge
as a linear programme and finds, for each count that must stay protected, the smallest and
largest value the reader cannot rule out; a count the reader can narrow to fewer than
``protection`` possible values fails. :func:`protect` hides further counts until every
protected count passes (greedy secondary suppression driven by the audit itself).

The reader's knowledge (an :class:`AuditProblem`) is

- **bounds** per count: a published count ``s`` rounded to base 5 lies in ``[s-2, s+2]``;
  an unrounded published count is exact; a withheld small count lies in the rule's range
  (e.g. 1-7); any other withheld count is >= 0;
- **equalities** ``sum(coef * x) = rhs`` (margins: parts plus an unpublished remainder add up
  to their total);
- **inequalities** ``sum(coef * x) <= rhs`` (a value published from an unrounded count, such
  as a rate shown to two decimals, bounds that count from both sides).

The audit works on the *linear-programming relaxation*: the interval it reports for a count
contains every integer a reader could deduce, and equals it for tables of up to two
dimensions (their constraint matrices are totally unimodular). It is fast because it

1. splits the counts into connected components (counts linked by a relation), so each
   linear programme is small; counts in no relation are decided from their bounds;
2. solves a single equation in closed form (interval arithmetic is exact there);
3. proves protection from feasible points first: the true counts are one such point, and two
   programmes per component (push every unresolved count up, then down) usually spread all of
   them far enough; only counts still unresolved get their own minimise/maximise pair.

Examples
--------
Two hidden cells of a one-way table whose total is published: the small count (3) cannot be
told apart from anything in 1-7 while the other hidden cell (12) absorbs the difference.

>>> import numpy as np
>>> p = AuditProblem(
...     names=["small", "other", "shown", "total"],
...     truth=np.array([3.0, 12.0, 40.0, 55.0]),
...     lower=np.array([1.0, 0.0, 40.0, 55.0]),
...     upper=np.array([7.0, np.inf, 40.0, 55.0]),
...     target=np.array([True, False, False, False]),
...     equalities=[(np.array([0, 1, 2, 3]), np.array([1.0, 1.0, 1.0, -1.0]), 0.0)],
... )
>>> r = audit(p, protection=5)
>>> r.ok, r.intervals[0]
(True, (1.0, 7.0))

If the other hidden cell were shown, the small count would follow exactly:

>>> p2 = p.with_bounds([1], lower=12.0, upper=12.0)
>>> r2 = audit(p2, protection=5)
>>> r2.ok, r2.failures, r2.intervals[0]
(False, [0], (3.0, 3.0))
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from svsna.stats._common import StatsInputError

__all__ = ["AuditModelError", "AuditProblem", "AuditResult", "audit", "possible_values", "protect"]

Constraint = tuple[np.ndarray, np.ndarray, float]

_TOL = 1e-6


class AuditModelError(StatsInputError):
    """The true counts do not satisfy the relations stated about them (inconsistent inputs)."""


def possible_values(lo: float, hi: float) -> float:
    """How many whole numbers lie in ``[lo, hi]`` (``inf`` when unbounded).

    >>> possible_values(1, 7), possible_values(2.5, 3.4), possible_values(0, float("inf"))
    (7, 1, inf)
    """
    if math.isinf(hi) or math.isinf(lo):
        return math.inf
    return max(0, math.floor(hi + _TOL) - math.ceil(lo - _TOL) + 1)


@dataclass(frozen=True)
class AuditProblem:
    """What a reader knows about the hidden true counts (see the module docstring).

    Attributes
    ----------
    names : list of str
        A label per count, used in messages.
    truth : ndarray
        The true counts (never published; used to check the model and as a feasible point).
    lower, upper : ndarray
        Bounds the reader knows (``upper`` may be ``inf``).
    target : ndarray of bool
        Counts that must stay protected.
    equalities, inequalities : list of (indices, coefficients, rhs)
        ``sum(coef * x[idx]) = rhs`` and ``sum(coef * x[idx]) <= rhs``.
    """

    names: list[str]
    truth: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    target: np.ndarray
    equalities: list[Constraint] = field(default_factory=list)
    inequalities: list[Constraint] = field(default_factory=list)

    def with_bounds(self, idx: Sequence[int] | np.ndarray, *, lower: Any, upper: Any) -> AuditProblem:
        """A copy with the bounds of ``idx`` replaced (e.g. when a count is hidden)."""
        lo, hi = self.lower.copy(), self.upper.copy()
        lo[np.asarray(idx, dtype=int)] = lower
        hi[np.asarray(idx, dtype=int)] = upper
        return replace(self, lower=lo, upper=hi)

    def check(self) -> None:
        """Raise :class:`AuditModelError` when the true counts break a bound or a relation."""
        n = len(self.truth)
        for arr, what in ((self.lower, "lower"), (self.upper, "upper"), (self.target, "target")):
            if len(arr) != n:
                raise StatsInputError(f"audit: {what} has {len(arr)} entries for {n} counts")
        bad = np.flatnonzero((self.truth < self.lower - _TOL) | (self.truth > self.upper + _TOL))
        if bad.size:
            i = int(bad[0])
            raise AuditModelError(
                f"{self.names[i]}: true count {self.truth[i]:g} lies outside what is published about it "
                f"[{self.lower[i]:g}, {self.upper[i]:g}]"
            )
        for kind, cons in (("=", self.equalities), ("<=", self.inequalities)):
            for idx, coef, rhs in cons:
                lhs = float(np.dot(coef, self.truth[idx]))
                off = lhs - rhs
                if (kind == "=" and abs(off) > _TOL * max(1.0, abs(rhs))) or (
                    kind == "<=" and off > _TOL * max(1.0, abs(rhs))
                ):
                    terms = " + ".join(f"{c:g}*{self.names[j]}" for j, c in zip(idx[:6], coef[:6], strict=False))
                    raise AuditModelError(
                        f"the counts do not add up: {terms}{' + ...' if len(idx) > 6 else ''} = {lhs:g}, "
                        f"but the relation says {kind} {rhs:g}"
                    )


@dataclass
class AuditResult:
    """What :func:`audit` found.

    Attributes
    ----------
    intervals : dict
        Target index -> ``(lowest, highest)`` value a reader cannot rule out. For a target that
        passes this is a range it is *proved* to have at least (it may be wider); for a failure
        it is exact.
    failures : list of int
        Targets a reader can narrow to fewer than ``protection`` possible values.
    protection : int
    targets, components, solves : int
        Protected counts, linked groups that hold one, linear programmes solved.
    seconds : float
    """

    intervals: dict[int, tuple[float, float]]
    failures: list[int]
    protection: int
    targets: int = 0
    components: int = 0
    solves: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures

    def describe(self, names: Sequence[str], limit: int = 8) -> str:
        """One line naming the failing counts and what a reader can narrow them to."""
        parts = []
        for i in self.failures[:limit]:
            lo, hi = self.intervals[i]
            rng = f"{lo:g}" if abs(hi - lo) < _TOL else f"{lo:g} to {hi:g}"
            parts.append(f"{names[i]} (can be narrowed to {rng})")
        more = f" and {len(self.failures) - limit} more" if len(self.failures) > limit else ""
        return "; ".join(parts) + more


# ----------------------------------------------------------------------------------------- components


def _components(n: int, constraints: list[Constraint]) -> np.ndarray:
    """Component label of every count (union-find over the counts each constraint links)."""
    parent = np.arange(n)

    def find(a: int) -> int:
        root = a
        while parent[root] != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return root

    for idx, _, _ in constraints:
        if len(idx) < 2:
            continue
        r0 = find(int(idx[0]))
        for j in idx[1:]:
            rj = find(int(j))
            if rj != r0:
                parent[rj] = r0
    return np.array([find(i) for i in range(n)])


@dataclass
class _Component:
    members: np.ndarray  # global indices
    eq: list[Constraint]
    ub: list[Constraint]


def _group(problem: AuditProblem) -> tuple[list[_Component], np.ndarray]:
    n = len(problem.truth)
    labels = _components(n, problem.equalities + problem.inequalities)
    by_label: dict[int, _Component] = {}
    for lab in np.unique(labels[problem.target]) if problem.target.any() else []:
        by_label[int(lab)] = _Component(np.flatnonzero(labels == lab), [], [])
    for kind, cons in (("eq", problem.equalities), ("ub", problem.inequalities)):
        for c in cons:
            if not len(c[0]):
                continue
            comp = by_label.get(int(labels[c[0][0]]))
            if comp is not None:
                getattr(comp, kind).append(c)
    return list(by_label.values()), labels


# ----------------------------------------------------------------------------------------- solving


class _Counter:
    solves = 0


def _need(protection: int) -> Callable[[float, float], bool]:
    return lambda lo, hi: possible_values(lo, hi) >= protection


def _closed_form(comp: _Component, p: AuditProblem, protection: int) -> dict[int, tuple[float, float]]:
    """Exact bounds for the targets of a component that is a single equation."""
    idx, coef, rhs = comp.eq[0]
    lo, hi = p.lower[idx], p.upper[idx]
    t_lo = np.where(coef > 0, coef * lo, coef * hi)
    t_hi = np.where(coef > 0, coef * hi, coef * lo)
    s_lo, s_hi = float(np.sum(t_lo)), float(np.sum(t_hi))
    out = {}
    for k, g in enumerate(idx):
        if not p.target[g]:
            continue
        # coef_k * x_k = rhs - sum_{j != k} coef_j x_j
        rest_lo = s_lo - t_lo[k] if np.isfinite(t_lo[k]) else _sum_without(t_lo, k)
        rest_hi = s_hi - t_hi[k] if np.isfinite(t_hi[k]) else _sum_without(t_hi, k)
        a, b = (rhs - rest_hi) / coef[k], (rhs - rest_lo) / coef[k]
        x_lo, x_hi = (a, b) if coef[k] > 0 else (b, a)
        out[int(g)] = (max(float(p.lower[g]), _nan_to(x_lo, -np.inf)), min(float(p.upper[g]), _nan_to(x_hi, np.inf)))
    return out


def _sum_without(arr: np.ndarray, k: int) -> float:
    return float(np.sum(np.delete(arr, k)))


def _nan_to(x: float, default: float) -> float:
    return default if x != x else float(x)


def _lp_intervals(
    comp: _Component, p: AuditProblem, protection: int, counter: _Counter, only: set[int] | None = None
) -> dict[int, tuple[float, float]]:
    """Bounds of the component's targets by linear programming (see the module docstring)."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    members = comp.members
    fixed = np.abs(p.upper[members] - p.lower[members]) < _TOL
    free = members[~fixed]
    local = {int(g): k for k, g in enumerate(free)}
    nf = len(free)
    targets = [int(g) for g in members if p.target[g] and (only is None or int(g) in only)]
    if nf == 0:
        return {g: (float(p.truth[g]), float(p.truth[g])) for g in targets}

    def matrix(cons: list[Constraint]) -> tuple[Any, np.ndarray]:
        rows, cols, vals, rhs = [], [], [], []
        r = 0
        for idx, coef, b in cons:
            b2 = float(b)
            used = False
            for g, c in zip(idx, coef, strict=True):
                k = local.get(int(g))
                if k is None:
                    b2 -= c * float(p.lower[g])  # fixed count: move to the right-hand side
                else:
                    rows.append(r)
                    cols.append(k)
                    vals.append(c)
                    used = True
            if used:
                rhs.append(b2)
                r += 1
        if not r:
            return None, np.zeros(0)
        return csr_matrix((vals, (rows, cols)), shape=(r, nf)), np.array(rhs)

    a_eq, b_eq = matrix(comp.eq)
    a_ub, b_ub = matrix(comp.ub)
    bounds = [(float(p.lower[g]), None if math.isinf(p.upper[g]) else float(p.upper[g])) for g in free]
    need = _need(protection)

    obs_lo = {g: float(p.truth[g]) for g in targets}
    obs_hi = dict(obs_lo)
    exact: dict[int, tuple[float, float]] = {}

    def solve(c: np.ndarray) -> np.ndarray | None:
        counter.solves += 1
        res = linprog(
            c,
            A_ub=a_ub,
            b_ub=b_ub if a_ub is not None else None,
            A_eq=a_eq,
            b_eq=b_eq if a_eq is not None else None,
            bounds=bounds,
            method="highs",
        )
        if res.status == 2:
            raise AuditModelError("the published relations contradict each other (no counts satisfy them)")
        if res.status == 3:
            return None  # unbounded in this direction
        if res.status != 0:  # pragma: no cover - time or iteration limits
            raise AuditModelError(f"the disclosure audit could not be solved: {res.message}")
        return res.x

    def observe(x: np.ndarray | None) -> None:
        if x is None:
            return
        for g in targets:
            k = local.get(g)
            if k is not None:
                v = float(x[k])
                obs_lo[g] = min(obs_lo[g], v)
                obs_hi[g] = max(obs_hi[g], v)

    def unresolved() -> list[int]:
        return [g for g in targets if g in local and not need(obs_lo[g], obs_hi[g])]

    todo = unresolved()
    if len(todo) > 1:
        weight = np.zeros(nf)
        for g in todo:
            weight[local[g]] = 1.0
        for sign in (-1.0, 1.0):  # push all unresolved counts up, then down
            x = solve(sign * weight)
            if x is None:
                for g in todo:
                    (obs_hi if sign < 0 else obs_lo)[g] = np.inf if sign < 0 else -np.inf
            observe(x)
        todo = unresolved()
        rng = np.random.default_rng(len(todo))
        while len(todo) > 3:  # random directions spread counts that compete with each other
            weight = np.zeros(nf)
            for g in todo:
                weight[local[g]] = rng.choice((-1.0, 1.0)) * rng.uniform(0.5, 1.5)
            observe(solve(weight))
            observe(solve(-weight))
            before, todo = len(todo), unresolved()
            if len(todo) > 0.8 * before:
                break
    for g in todo:
        if need(obs_lo[g], obs_hi[g]):
            continue
        e = np.zeros(nf)
        e[local[g]] = 1.0
        x_max = solve(-e)
        hi = np.inf if x_max is None else float(x_max[local[g]])
        observe(x_max)
        obs_hi[g] = max(obs_hi[g], hi)
        if need(obs_lo[g], obs_hi[g]):
            continue
        x_min = solve(e)
        lo = -np.inf if x_min is None else float(x_min[local[g]])
        observe(x_min)
        exact[g] = (max(lo, float(p.lower[g])), min(hi, float(p.upper[g])))
    out = {g: (float(p.truth[g]), float(p.truth[g])) for g in targets if g not in local}
    for g in targets:
        if g in local:
            out[g] = exact.get(g, (obs_lo[g], obs_hi[g]))
    return out


def _audit_component(
    comp: _Component, p: AuditProblem, protection: int, counter: _Counter, only: set[int] | None = None
) -> dict[int, tuple[float, float]]:
    if not comp.eq and not comp.ub:
        out = {int(g): (float(p.lower[g]), float(p.upper[g])) for g in comp.members if p.target[g]}
    elif len(comp.eq) == 1 and not comp.ub:
        out = _closed_form(comp, p, protection)
    else:
        return _lp_intervals(comp, p, protection, counter, only)
    return out if only is None else {g: iv for g, iv in out.items() if g in only}


def audit(problem: AuditProblem, *, protection: int, check: bool = True) -> AuditResult:
    """Find how far a reader can narrow each protected count (see the module docstring).

    Parameters
    ----------
    problem : AuditProblem
    protection : int
        A protected count passes when a reader cannot narrow it to fewer than this many
        possible whole numbers.
    check : bool, default True
        First check that the true counts satisfy the stated bounds and relations
        (:class:`AuditModelError` otherwise: the inputs contradict each other).

    Returns
    -------
    AuditResult
    """
    started = time.perf_counter()
    if check:
        problem.check()
    comps, _ = _group(problem)
    counter = _Counter()
    intervals: dict[int, tuple[float, float]] = {}
    for comp in comps:
        intervals.update(_audit_component(comp, problem, protection, counter))
    failures = sorted(g for g, (lo, hi) in intervals.items() if possible_values(lo, hi) < protection)
    return AuditResult(
        intervals=intervals,
        failures=failures,
        protection=protection,
        targets=int(problem.target.sum()),
        components=len(comps),
        solves=counter.solves,
        seconds=time.perf_counter() - started,
    )


# ----------------------------------------------------------------------------------------- protection


def protect(
    problem: AuditProblem,
    *,
    protection: int,
    hideable: np.ndarray,
    cost: np.ndarray,
    hidden_lower: np.ndarray | float = 0.0,
    hidden_upper: np.ndarray | float = np.inf,
    useful: float = 0.0,
    max_rounds: int = 10_000,
) -> tuple[AuditProblem, list[int], AuditResult]:
    """Hide further counts until every protected count passes :func:`audit`.

    Greedy secondary suppression driven by the audit:

    1. **Lines first.** Each equation on its own is solved in closed form; a protected count
       that fails on one line fails overall (one line gives wider bounds than all of them), so
       the cheapest ``hideable`` count of that line is hidden, until every line passes alone.
    2. **Whole components.** Then each component is audited by linear programming; for every
       failing count the cheapest hideable count is hidden among those on its lines or on the
       lines of the withheld counts linked to it (so a two-way table gets the fourth corner of
       a rectangle), else any of its component; only the counts that failed are audited again:
       hiding a count only widens what a reader cannot rule out, so a count that passed keeps
       passing.

    "Cheapest" is the lowest ``cost``, preferring counts whose true value is at least
    ``useful`` (they can absorb the difference). A hidden count's bounds become
    ``[hidden_lower, hidden_upper]``.

    Returns
    -------
    (problem, hidden, result)
        The problem with the new bounds, the indices hidden (in order) and the audit of the final
        state: its intervals prove every passing count. ``result.ok`` is False only when nothing
        more could be hidden.
    """
    started = time.perf_counter()
    problem.check()
    n = len(problem.truth)
    hid_lo = np.broadcast_to(np.asarray(hidden_lower, dtype=float), (n,))
    hid_hi = np.broadcast_to(np.asarray(hidden_upper, dtype=float), (n,))
    lower, upper = problem.lower.copy(), problem.upper.copy()
    can_hide = np.asarray(hideable, dtype=bool).copy()
    cost = np.asarray(cost, dtype=float)
    hidden: list[int] = []

    def current() -> AuditProblem:
        return replace(problem, lower=lower, upper=upper)

    def hide(pool: Iterable[int], avoid: int) -> int | None:
        cands = [int(g) for g in pool if can_hide[g] and g != avoid]
        if not cands:
            return None
        good = [g for g in cands if problem.truth[g] >= useful] or cands
        best = min(good, key=lambda g: (float(cost[g]), g))
        lower[best], upper[best] = hid_lo[best], hid_hi[best]
        can_hide[best] = False
        hidden.append(best)
        return best

    # 1. lines on their own (closed form)
    for _ in range(max_rounds):
        changed = False
        for idx, coef, rhs in problem.equalities:
            if not problem.target[idx].any():
                continue
            line = _Component(idx, [(idx, coef, rhs)], [])
            for g, (lo, hi) in _closed_form(line, current(), protection).items():
                if possible_values(lo, hi) < protection and hide(idx, g) is not None:
                    changed = True
                    break
        if not changed:
            break

    # 2. components (linear programming); re-audit only what failed
    comps, labels = _group(problem)
    comp_of = {int(labels[c.members[0]]): c for c in comps}
    lines_of: dict[int, list[list[int]]] = {}
    for idx, _, _ in problem.equalities + problem.inequalities:
        members = [int(g) for g in idx]
        for g in members:
            lines_of.setdefault(g, []).append(members)

    def near(g: int) -> set[int]:
        """Counts on the lines of ``g`` or of the withheld counts linked to it through withheld counts."""
        seen, todo, out = {g}, [g], set()
        while todo:
            h = todo.pop()
            for members in lines_of.get(h, []):
                for m in members:
                    out.add(m)
                    if m not in seen and not can_hide[m] and upper[m] - lower[m] > _TOL:
                        seen.add(m)
                        todo.append(m)
        return out

    counter = _Counter()
    intervals: dict[int, tuple[float, float]] = {}
    for c in comps:
        intervals.update(_audit_component(c, current(), protection, counter))
    for _ in range(max_rounds):
        failing = [g for g, (lo, hi) in intervals.items() if possible_values(lo, hi) < protection]
        if not failing:
            break
        changed: set[int] = set()
        done_now: set[int] = set()
        for g in sorted(failing, key=lambda g: possible_values(*intervals[g])):
            pool = near(g)
            if pool & done_now:
                continue  # a count hidden this round already sits near it: audit first
            lab = int(labels[g])
            best = hide(pool, g)
            if best is None:
                best = hide(comp_of[lab].members, g)
            if best is not None:
                done_now.add(best)
                changed.add(lab)
        if not changed:
            break
        again = set(failing)
        for lab in changed:
            intervals.update(_audit_component(comp_of[lab], current(), protection, counter, only=again))
    failures = sorted(g for g, (lo, hi) in intervals.items() if possible_values(lo, hi) < protection)
    result = AuditResult(
        intervals=intervals,
        failures=failures,
        protection=protection,
        targets=int(problem.target.sum()),
        components=len(comps),
        solves=counter.solves,
        seconds=time.perf_counter() - started,
    )
    return current(), hidden, result
