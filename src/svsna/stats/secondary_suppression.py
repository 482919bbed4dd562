"""Secondary suppression: hide further cells so that small counts cannot be worked out.

The engine behind :func:`svsna.stats.disclose`. A table (with its published margins) is a
set of *lines*: each row's cells add up to the row total, each column's to the column total.
Given the primary-suppressed cells, :func:`secondary_suppress` hides more cells until

1. no hidden small count is determinable from the lines (null-space test), and
2. no hidden small count is pinned to one value by the lines plus the known ranges (a hidden
   small count lies in the rule's range, any other hidden cell is >= 0): checked per line,
   then over the whole table with a linear programme.

Cells are chosen cheaply: the cheapest rectangle of hidden cells for two-way tables with both
margins (a cell on a cycle of hidden cells cannot be solved for), else the smallest other
non-zero cell of the same line; totals and zeros last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from svsna.stats.disclosure import RuleSet

__all__ = ["Line", "secondary_suppress", "table_lines"]

Line = tuple[str, list[tuple[int, int]], tuple[int, int]]


def table_lines(nr: int, nc: int, row_totals: bool, col_totals: bool) -> list[Line]:
    """The equations of a table with margins: ``(kind, inner cells, total cell)`` per line.

    Cells index the *extended* table, whose row ``nr`` holds column totals and whose column
    ``nc`` holds row totals (present only when those totals are published).

    Examples
    --------
    >>> table_lines(2, 2, True, True)[0]
    ('row', [(0, 0), (0, 1)], (0, 2))
    >>> len(table_lines(2, 2, True, True)), len(table_lines(2, 2, False, True))
    (6, 2)
    """
    lines = []
    R, C = nr, nc  # index of total row / column in the extended table
    if row_totals:
        last = nr + 1 if col_totals else nr
        for i in range(last):
            lines.append(("row", [(i, j) for j in range(nc)], (i, C)))
    if col_totals:
        last = nc + 1 if row_totals else nc
        for j in range(last):
            lines.append(("column", [(i, j) for i in range(nr)], (R, j)))
    return lines


def _determinable(lines, supp: np.ndarray) -> set[tuple[int, int]]:
    """Suppressed cells whose value follows exactly from the published totals and shown cells."""
    from scipy.linalg import null_space

    cells = [tuple(x) for x in np.argwhere(supp)]
    if not cells or not lines:
        return set()
    pos = {c: k for k, c in enumerate(cells)}
    a = np.zeros((len(lines), len(cells)))
    for li, (_, inner, total) in enumerate(lines):
        for c in inner:
            if c in pos:
                a[li, pos[c]] += 1.0
        if total in pos:
            a[li, pos[total]] -= 1.0
    ns = null_space(a)
    if ns.size == 0:
        return set(cells)
    free = np.linalg.norm(ns, axis=1) > 1e-9
    return {c for c, f in zip(cells, free, strict=True) if not f}


def _pinned_lines(lines, supp, counts, primary, rs: RuleSet, known: set) -> list[int]:
    """Lines whose hidden small counts are pinned by their known range.

    ``known`` holds hidden cells that can be worked out anyway (they count as shown). In a
    line whose total is known, the unknown hidden cells add up to a known sum S; a small count
    lies in [suppress_from, suppress_to] and any other hidden cell in [0, inf). A small count
    is pinned when those bounds leave it a single possible value (e.g. two hidden 1s adding to 2).
    """
    out = []
    for li, (_, inner, total) in enumerate(lines):
        if supp[total] and total not in known:
            continue
        hidden = [c for c in inner if supp[c] and c not in known]
        if not hidden:
            continue
        s = sum(counts[c] for c in hidden)
        lo = [float(rs.suppress_from) if primary[c] else 0.0 for c in hidden]
        hi = [float(rs.suppress_to) if primary[c] else np.inf for c in hidden]
        for k, c in enumerate(hidden):
            if not primary[c]:
                continue
            low = max(lo[k], s - (sum(hi) - hi[k]))
            high = min(hi[k], s - (sum(lo) - lo[k]))
            if low >= high:
                out.append(li)
                break
    return out


def _bound_pinned(lines, supp, counts, primary, rs: RuleSet) -> list[tuple[int, int]]:
    """Hidden small counts whose value is fixed by the totals and the known ranges (linear programme).

    An intruder who knows the published cells and totals, that each hidden small count lies in
    [suppress_from, suppress_to] and that other hidden cells are >= 0, can bound every hidden
    cell by minimising and maximising it subject to the table's equations. A small count whose
    lower and upper bounds coincide is disclosed.
    """
    from scipy.optimize import linprog

    cells = [tuple(int(v) for v in x) for x in np.argwhere(supp)]
    if not cells or not lines:
        return []
    pos = {c: k for k, c in enumerate(cells)}
    a = np.zeros((len(lines), len(cells)))
    b = np.zeros(len(lines))
    for li, (_, inner, total) in enumerate(lines):
        for c, coef in [*((x, 1.0) for x in inner), (total, -1.0)]:
            if c in pos:
                a[li, pos[c]] += coef
            else:
                b[li] -= coef * counts[c]
    used = np.abs(a).sum(axis=1) > 0
    a, b = a[used], b[used]
    if not len(a):
        return []
    bounds = [(rs.suppress_from, rs.suppress_to) if primary[c] else (0, None) for c in cells]
    out = []
    for c, k in pos.items():
        if not primary[c]:
            continue
        e = np.zeros(len(cells))
        e[k] = 1.0
        lo = linprog(e, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        hi = linprog(-e, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        if lo.status == 0 and hi.status == 0 and (-hi.fun - lo.fun) < 0.5:
            out.append(c)
    return out


def _cost(cells, counts, is_total) -> tuple:
    """Cost of hiding extra cells: totals last, then zeros, then the smallest sum of values."""
    return (
        sum(bool(is_total[c]) for c in cells),
        sum(counts[c] == 0 for c in cells),
        float(sum(counts[c] for c in cells)),
        len(cells),
    )


def _line_reason(lines, cell, targets, kind_word) -> str:
    for kind, inner, total in lines:
        members = [*inner, total]
        if cell in members and any(t in members for t in targets):
            return f"secondary: protects a suppressed cell in the same {kind_word(kind)}"
    return "secondary: protects suppressed cells elsewhere in the table"


def secondary_suppress(
    lines: list[Line],
    supp: np.ndarray,
    counts: np.ndarray,
    primary: np.ndarray,
    missing: np.ndarray,
    is_total: np.ndarray,
    rs: RuleSet,
    kind_word: Callable[[str], str | None],
    two_way: bool,
) -> dict[tuple[int, int], str]:
    """Hide further cells until no small count can be worked out or pinned from the totals.

    ``supp`` (bool, extended table) is updated in place; the return value maps each newly
    hidden cell to its reason. ``counts`` are the unrounded counts (no NaN), ``primary`` marks
    small counts, ``missing`` cells that are not available, ``is_total`` margin cells;
    ``kind_word`` turns a line kind (``"row"``/``"column"``) into the word used in reasons.

    Two-way tables with both margins: each exposed small count is put on a *rectangle* of
    hidden cells (rows i, i' and columns j, j' of the table including its margins), the
    cheapest available; a cell on a cycle of hidden cells cannot be solved for. Tables with
    one set of totals (or one-way breakdowns): the cheapest other cell of the same line.
    Pinned lines get one more hidden cell. The loop re-audits the whole table each time.
    """
    reasons: dict[tuple[int, int], str] = {}
    nrow, ncol = supp.shape

    def audit() -> tuple[list, list]:
        known = _determinable(lines, supp)
        exact = sorted(c for c in known if primary[c])
        return exact, _pinned_lines(lines, supp, counts, primary, rs, known)

    def hide(cells, targets) -> None:
        for c in cells:
            supp[c] = True
        for c in cells:
            reasons[c] = _line_reason(lines, c, targets, kind_word)

    exact, pinned = audit()
    for _ in range(supp.size + 1):
        if not exact and not pinned:
            # cheap checks pass: confirm with the full bounds audit (linear programming)
            exact = _bound_pinned(lines, supp, counts, primary, rs)
            if not exact:
                return reasons
        options: list[list[tuple[int, int]]] = []
        if exact:
            i, j = target = exact[0]
            if two_way:
                for i2 in range(nrow):
                    for j2 in range(ncol):
                        if i2 == i or j2 == j:
                            continue
                        rect = [(i, j2), (i2, j), (i2, j2)]
                        if any(missing[c] for c in rect):
                            continue
                        new = [c for c in rect if not supp[c]]
                        if new:
                            options.append(new)
            if not options:
                for _kind, inner, total in lines:
                    members = [*inner, total]
                    if target in members:
                        options += [[c] for c in members if not supp[c] and not missing[c]]
            targets = [target]
        else:
            _kind, inner, total = lines[pinned[0]]
            options = [[c] for c in [*inner, total] if not supp[c] and not missing[c]]
            targets = [c for c in inner if supp[c] and primary[c]]
        if not options:  # nothing left in the target's lines: widen to any visible cell
            options = [[tuple(c)] for c in np.argwhere(~supp & ~missing)]
        if not options:  # pragma: no cover - everything is already hidden
            raise RuntimeError("secondary suppression could not protect a cell; please report this table")
        best = min(options, key=lambda cells: _cost(cells, counts, is_total))
        hide(best, targets)
        exact, pinned = audit()
    raise RuntimeError("secondary suppression did not converge")  # pragma: no cover
