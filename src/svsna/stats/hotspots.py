"""Hot spots: Getis-Ord Gi* local statistics with false-discovery-rate control.

Method: Ord & Getis (1995) *Geographical Analysis* 27(4):286-306, the Gi* form (each area
counts as its own neighbour). For values x_1..x_n with mean xbar and S = sqrt(sum x^2 / n -
xbar^2), and weights w_ij (w_ii > 0):

    z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n sum_j w_ij^2 - W_i^2) / (n - 1))),  W_i = sum_j w_ij

Two-sided p-values come from the standard normal. Because one test is run per area,
p-values are adjusted with the Benjamini-Hochberg (1995) false discovery rate procedure
before areas are classed as hot or cold spots (the choice sfhotspot and spdep users make with
``p.adjust(method = "BH")``; the more conservative Benjamini-Yekutieli variant is not used
because Gi* tests on overlapping neighbourhoods are positively dependent, for which BH
controls the FDR: Benjamini & Yekutieli 2001, Theorem 1.2).

With binary weights the z-scores equal PySAL esda ``G_Local(star=True, transform="B")``
(checked in the tests). For row-standardised weights esda uses a simpler variance; svsna
uses the full Ord-Getis variance above, which is what ArcGIS reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from svsna.stats._common import StatsInputError, as_float_array, norm_sf

if TYPE_CHECKING:
    import pandas as pd
    from scipy import sparse

__all__ = ["benjamini_hochberg", "contiguity_weights", "getis_ord_gi_star", "grid_weights"]


def benjamini_hochberg(p: Any) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN entries are ignored and kept NaN.

    The same numbers as ``scipy.stats.false_discovery_control(method="bh")`` (tests compare them), NaN-aware,
    without importing scipy.stats: p x m / rank, then the running minimum from the largest p down,
    capped at 1.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    >>> benjamini_hochberg([0.02, float("nan")]).tolist()
    [0.02, nan]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    ps = p[ok]
    if ps.size and not ((ps >= 0) & (ps <= 1)).all():
        raise ValueError("p-values must be between 0 and 1")
    if ps.size <= 1:
        out[ok] = ps
        return out
    m = ps.size
    order = np.argsort(ps, kind="stable")
    adj = ps[order] * (m / np.arange(1, m + 1, dtype=float))
    np.minimum.accumulate(adj[::-1], out=adj[::-1])
    back = np.empty_like(adj)
    back[order] = adj
    out[ok] = np.clip(back, 0.0, 1.0)
    return out


def grid_weights(nrows: int, ncols: int, queen: bool = True) -> sparse.csr_matrix:
    """Binary contiguity weights for a regular grid, cells numbered row by row (id = row x ncols + col).

    Examples
    --------
    >>> w = grid_weights(3, 3)
    >>> int(w[4].sum()), int(w[0].sum()), int(grid_weights(3, 3, queen=False)[4].sum())
    (8, 3, 4)
    """
    from scipy import sparse

    if nrows < 1 or ncols < 1:
        raise StatsInputError(f"grid_weights: nrows and ncols must be >= 1, got {nrows} x {ncols}")
    offsets = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if queen:
        offsets += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    r, c = np.divmod(np.arange(nrows * ncols), ncols)
    rows, cols = [], []
    for dr, dc in offsets:
        rr, cc = r + dr, c + dc
        ok = (rr >= 0) & (rr < nrows) & (cc >= 0) & (cc < ncols)
        rows.append((r * ncols + c)[ok])
        cols.append((rr * ncols + cc)[ok])
    i, j = np.concatenate(rows), np.concatenate(cols)
    n = nrows * ncols
    return sparse.csr_matrix((np.ones(len(i)), (i, j)), shape=(n, n))


def contiguity_weights(geometries: Any) -> sparse.csr_matrix:
    """Queen contiguity (areas sharing at least one boundary point) as a binary sparse matrix.

    Parameters
    ----------
    geometries : sequence of shapely geometries or a geopandas GeoSeries
        Polygons in any projected or geographic CRS; order defines the matrix rows.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> w = contiguity_weights([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 1, 3, 2), box(5, 5, 6, 6)])
    >>> w.toarray().astype(int).tolist()
    [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]]
    """
    from scipy import sparse
    from shapely import STRtree

    geoms = list(geometries.values if hasattr(geometries, "values") else geometries)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            raise StatsInputError(f"contiguity_weights: geometry {i} is missing or empty")
    tree = STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left != right
    n = len(geoms)
    w = sparse.csr_matrix((np.ones(int(keep.sum())), (left[keep], right[keep])), shape=(n, n))
    w = ((w + w.T) > 0).astype(float)
    return sparse.csr_matrix(w)


def _as_sparse(weights: Any, n: int, labels: Sequence[Any] | None) -> sparse.csr_matrix:
    from scipy import sparse

    if hasattr(weights, "sparse") and not sparse.issparse(weights):  # libpysal W
        weights = weights.sparse
    if isinstance(weights, Mapping):
        pos = {lab: i for i, lab in enumerate(labels)} if labels is not None else None
        rows, cols = [], []
        for key, neigh in weights.items():
            try:
                i = pos[key] if pos is not None else int(key)
                js = [pos[j] if pos is not None else int(j) for j in neigh]
            except KeyError as e:
                raise StatsInputError(
                    f"getis_ord_gi_star: neighbour key {e.args[0]!r} is not a label of values"
                ) from None
            rows += [i] * len(js)
            cols += js
        if (rows and (max(rows) >= n or min(rows) < 0)) or (cols and (max(cols) >= n or min(cols) < 0)):
            raise StatsInputError(f"getis_ord_gi_star: neighbour positions must be between 0 and {n - 1}")
        w = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    elif sparse.issparse(weights):
        w = sparse.csr_matrix(weights, dtype=float)
    else:
        w = sparse.csr_matrix(np.asarray(weights, dtype=float))
    if w.shape != (n, n):
        raise StatsInputError(f"getis_ord_gi_star: weights have shape {w.shape}, expected ({n}, {n}) for {n} values")
    if (w.data < 0).any():
        raise StatsInputError("getis_ord_gi_star: weights must be non-negative")
    return w


def getis_ord_gi_star(
    values: Any,
    weights: Any,
    transform: str = "binary",
    alpha: float = 0.05,
    fdr: bool = True,
) -> pd.DataFrame:
    """Getis-Ord Gi* z-scores, p-values and hot/cold-spot classes for areas or grid cells.

    Parameters
    ----------
    values : array-like
        One value per area (counts or rates). A pandas Series' index labels may be used as
        keys in a neighbour dict.
    weights : scipy sparse matrix, dense array, dict of neighbour lists or libpysal ``W``
        Spatial neighbours (the diagonal is ignored: each area is always its own neighbour).
    transform : {"binary", "row"}, default "binary"
        ``"binary"``: w_ij = 1 for neighbours and self; ``"row"``: those weights divided by
        the number of neighbours plus one.
    alpha : float, default 0.05
        Significance level after adjustment. Classes are given at the 99% and 95% levels (and at
        ``1 - alpha`` when alpha is above 0.05).
    fdr : bool, default True
        Adjust p-values with Benjamini-Hochberg before classing.

    Returns
    -------
    pandas.DataFrame
        One row per area: ``value, neighbours`` (including self), ``z, p_value`` (two-sided),
        ``p_adjusted``, ``classification`` (``"Hot spot (99%)"``, ``"Hot spot (95%)"``,
        ``"Cold spot (99%)"``, ``"Cold spot (95%)"``, ``"Not significant"``) and ``method``.
        z is NaN (not significant) when all values are equal or an area neighbours every area.

    Notes
    -----
    Ord, J. K. & Getis, A. (1995) Geographical Analysis 27:286-306; Benjamini, Y. & Hochberg, Y.
    (1995) JRSS B 57:289-300. Cross-checked against PySAL esda ``G_Local(star=True)``.

    Examples
    --------
    >>> r = getis_ord_gi_star([1, 2, 6, 1], {0: [1], 1: [0, 2], 2: [1, 3], 3: [2]}, fdr=False)
    >>> r["z"].round(4).tolist()
    [-0.8402, 0.7276, 0.7276, 0.8402]
    """
    import pandas as pd

    labels = list(values.index) if isinstance(values, pd.Series) else None
    x = as_float_array(values, "values")
    n = len(x)
    if np.isnan(x).any():
        raise StatsInputError(
            f"getis_ord_gi_star: value missing at position {int(np.flatnonzero(np.isnan(x))[0])}; "
            "give 0 for areas with no events"
        )
    if n < 3:
        raise StatsInputError("getis_ord_gi_star: need at least 3 areas")
    if transform not in ("binary", "row"):
        raise StatsInputError(f"getis_ord_gi_star: transform must be 'binary' or 'row', got {transform!r}")
    if not 0 < alpha < 1:
        raise StatsInputError(f"getis_ord_gi_star: alpha must be between 0 and 1, got {alpha!r}")
    from scipy import sparse

    coo = _as_sparse(weights, n, labels).tocoo()
    keep = (coo.row != coo.col) & (coo.data > 0)  # binary neighbours; self is added below
    w = sparse.csr_matrix((np.ones(int(keep.sum())), (coo.row[keep], coo.col[keep])), shape=(n, n))
    w.data[:] = 1.0  # duplicates summed by the constructor count once
    w = w + sparse.identity(n, format="csr")
    k = np.asarray(w.sum(axis=1)).ravel()  # neighbours including self
    if transform == "row":
        w = sparse.diags(1.0 / k) @ w
    wi = np.asarray(w.sum(axis=1)).ravel()
    wi2 = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    xbar = x.mean()
    s = np.sqrt(max((x**2).mean() - xbar**2, 0.0))
    num = w @ x - xbar * wi
    den = s * np.sqrt(np.maximum(n * wi2 - wi**2, 0.0) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(den > 1e-12 * max(s, 1.0), num / den, np.nan)
    p = 2.0 * norm_sf(np.abs(z))
    q = benjamini_hochberg(p) if fdr else p
    cls = np.full(n, "Not significant", dtype=object)
    levels = sorted({0.01, 0.05, alpha}, reverse=True)  # loosest first, so stricter levels overwrite
    for level in levels:
        if level > alpha:
            continue
        hit = ~np.isnan(q) & (q < level)
        pct = f"{100 * (1 - level):g}%"
        cls[hit & (z > 0)] = f"Hot spot ({pct})"
        cls[hit & (z < 0)] = f"Cold spot ({pct})"
    method = "Getis-Ord Gi* (" + transform + " weights" + (", Benjamini-Hochberg FDR)" if fdr else ", unadjusted)")
    return pd.DataFrame(
        {
            "value": x,
            "neighbours": k.astype(int),
            "z": z,
            "p_value": p,
            "p_adjusted": q,
            "classification": cls,
            "method": method,
        }
    )
