"""Directly standardised rates (DSR) with Dobson confidence limits.

Method: OHID Fingertips / PHEindicatormethods ``calculate_dsr`` (independent events):

DSR = sum_i(w_i x_i / n_i) / sum_i(w_i) x multiplier, with age-specific counts x_i,
populations n_i and standard-population weights w_i;
Var(DSR) = sum_i(w_i^2 x_i / n_i^2) / (sum_i w_i)^2; with O = sum_i x_i the Dobson limits are
DSR + sqrt(Var / O) (O_L - O) and DSR + sqrt(Var / O) (O_U - O), where (O_L, O_U) are Byar's
Poisson limits for O (Dobson et al. 1991, Stat Med 10:457-462). A DSR is not calculated
when O < 10 (PHE Technical Guide "Confidence intervals", 2018).

The standard population shipped is the 2013 European Standard Population (19 five-year bands,
0-4 ... 90+), file ``svsna/stats/data/esp2013.csv`` with its source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from svsna.stats._common import StatsInputError, byars_limits, check_confidence

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["dsr", "european_standard_population", "normalise_age_band"]

MIN_EVENTS = 10


def european_standard_population() -> pd.DataFrame:
    """The 2013 European Standard Population: ``age_band, age_from, age_to, population, source``.

    Examples
    --------
    >>> esp = european_standard_population()
    >>> len(esp), int(esp["population"].sum()), esp["age_band"].iloc[-1]
    (19, 100000, '90+')
    """
    from importlib.resources import files

    import pandas as pd

    with files("svsna.stats").joinpath("data/esp2013.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"age_band": str})


def normalise_age_band(label: Any) -> str:
    """Canonical age-band label: ``'00 - 04'`` -> ``'0-4'``, ``'90 and over'`` -> ``'90+'``.

    Examples
    --------
    >>> [normalise_age_band(x) for x in ["00 - 04", "5–9", "90 and over", "90plus", "85-89"]]
    ['0-4', '5-9', '90+', '90+', '85-89']
    """
    s = str(label).strip().lower()
    nums = re.findall(r"\d+", s)
    if len(nums) == 1 and re.search(r"\+|plus|over|and above", s):
        return f"{int(nums[0])}+"
    if len(nums) == 2:
        return f"{int(nums[0])}-{int(nums[1])}"
    return str(label).strip()


def _standard_weights(standard: Any) -> tuple[dict[str, float], str]:
    import pandas as pd

    if isinstance(standard, str):
        if standard.lower() != "esp2013":
            raise StatsInputError(f"unknown standard population {standard!r}; use 'esp2013' or pass band weights")
        esp = european_standard_population()
        return dict(zip(esp["age_band"], esp["population"].astype(float), strict=True)), "ESP2013"
    if isinstance(standard, pd.DataFrame):
        if not {"age_band", "population"} <= set(standard.columns):
            raise StatsInputError("a standard population DataFrame needs columns 'age_band' and 'population'")
        standard = dict(zip(standard["age_band"], standard["population"], strict=True))
    if isinstance(standard, pd.Series):
        standard = standard.to_dict()
    if not isinstance(standard, Mapping):
        raise StatsInputError("standard must be 'esp2013', a mapping age_band -> weight, or a DataFrame")
    weights = {normalise_age_band(k): float(v) for k, v in standard.items()}
    if any(not w >= 0 for w in weights.values()):
        raise StatsInputError("standard population weights must be non-negative numbers")
    return weights, "custom standard"


def dsr(
    data: pd.DataFrame,
    count: str = "count",
    population: str = "population",
    age_band: str = "age_band",
    by: str | Sequence[str] | None = None,
    standard: Any = "esp2013",
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Directly age-standardised rates by group, with Dobson confidence limits.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per (group, age band) with event counts and populations. Several rows for
        the same band (e.g. males and females) are summed. Every band of the standard must
        be present for every group (give count 0 where no events occurred).
    count, population, age_band : str
        Column names in ``data``. Age bands are matched to the standard after normalising
        (``'00-04'``, ``'0 - 4'`` and ``'0-4'`` are the same; ``'90 and over'`` is ``'90+'``).
    by : str or list of str, optional
        Grouping columns (area, year, sex ...). One output row per group.
    standard : "esp2013", mapping, Series or DataFrame, default "esp2013"
        Standard population weights by age band.
    multiplier : float, default 100000
        Rate per this many people.
    confidence : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``numerator`` (total events O), ``denominator`` (total
        population), ``value, lower, upper, method, confidence, standard``. ``method`` is
        ``"Dobson"`` or ``"Not calculated: fewer than 10 events"`` (or another reason), with
        NaN value and limits.

    Raises
    ------
    StatsInputError
        (a ``ValueError``) for missing columns, unknown or missing age bands, negative values
        or events in a band with zero population.

    Notes
    -----
    Dobson, A. J. et al. (1991) Stat Med 10:457-462; PHE Technical Guide "Confidence
    intervals" (2018); PHEindicatormethods ``calculate_dsr``; Eurostat (2013) ESP.

    Examples
    --------
    >>> import pandas as pd
    >>> esp = european_standard_population()
    >>> df = pd.DataFrame({"age_band": esp["age_band"], "count": 2, "population": 1000})
    >>> r = dsr(df)  # every age-specific rate is 2 per 1,000, so the DSR is 200 per 100,000
    >>> round(float(r.loc[0, "value"]), 6), r.loc[0, "method"], int(r.loc[0, "numerator"])
    (200.0, 'Dobson', 38)
    """
    import pandas as pd

    conf = check_confidence(confidence)
    by_cols = [by] if isinstance(by, str) else list(by or [])
    missing = [c for c in (count, population, age_band, *by_cols) if c not in data.columns]
    if missing:
        raise StatsInputError(f"dsr: column(s) {missing} not in data (columns are {list(data.columns)})")
    weights, std_name = _standard_weights(standard)
    bands = list(weights)

    frame = pd.DataFrame(
        {
            "_band": [normalise_age_band(v) for v in data[age_band]],
            "_x": pd.to_numeric(data[count], errors="raise").astype(float),
            "_n": pd.to_numeric(data[population], errors="raise").astype(float),
        }
    )
    for c in by_cols:
        frame[c] = data[c].to_numpy()
    unknown = sorted(set(frame["_band"]) - set(bands))
    if unknown:
        raise StatsInputError(
            f"dsr: age band(s) {unknown} in column {age_band!r} are not in the {std_name} "
            f"(expected {bands}); re-band the data to the standard's bands"
        )
    for col, nm in (("_x", count), ("_n", population)):
        neg = frame.index[frame[col] < 0]
        if len(neg):
            raise StatsInputError(f"dsr: negative {nm} {frame.loc[neg[0], col]:g} in row {neg[0]}")

    keys = [*by_cols, "_band"]
    frame["_x_na"] = frame["_x"].isna()
    frame["_n_na"] = frame["_n"].isna()
    agg = frame.groupby(keys, dropna=False, sort=True)[["_x", "_n", "_x_na", "_n_na"]].sum()
    # a band with any missing count (or population) is missing, not a partial sum
    agg.loc[agg["_x_na"] > 0, "_x"] = np.nan
    agg.loc[agg["_n_na"] > 0, "_n"] = np.nan
    agg = agg[["_x", "_n"]]
    groups = agg.groupby(level=list(range(len(by_cols))), dropna=False, sort=True) if by_cols else [((), agg)]
    w_all = np.array([weights[b] for b in bands])
    rows = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        g = g.reset_index().set_index("_band").reindex(bands)
        present = set(g.dropna(how="all").index)
        absent = [b for b in bands if b not in present]
        label = dict(zip(by_cols, key, strict=True))
        if absent:
            raise StatsInputError(
                f"dsr: group {label or 'all'} has no rows for age band(s) {absent}; "
                "add them with their population and count 0"
            )
        x = g["_x"].to_numpy(float)
        n = g["_n"].to_numpy(float)
        o = float(np.sum(x)) if not np.isnan(x).any() else np.nan
        pop = float(np.sum(n)) if not np.isnan(n).any() else np.nan
        bad = (n == 0) & (x > 0)
        if bad.any():
            b = bands[int(np.flatnonzero(bad)[0])]
            raise StatsInputError(f"dsr: group {label or 'all'} has events but zero population in age band {b!r}")
        row = {**label, "numerator": o, "denominator": pop, "value": np.nan, "lower": np.nan, "upper": np.nan}
        if np.isnan(x).any():
            row["method"] = "Not calculated: count missing"
        elif np.isnan(n).any():
            row["method"] = "Not calculated: population missing"
        elif o < MIN_EVENTS:
            row["method"] = f"Not calculated: fewer than {MIN_EVENTS} events"
        else:
            safe_n = np.where(n > 0, n, 1.0)
            wsum = w_all.sum()
            rate = float(np.sum(w_all * x / safe_n) / wsum)
            var = float(np.sum(w_all**2 * x / safe_n**2) / wsum**2)
            o_lo, o_hi = byars_limits(np.array([o]), conf)
            sd = np.sqrt(var / o)
            row.update(
                value=rate * multiplier,
                lower=(rate + sd * (float(o_lo[0]) - o)) * multiplier,
                upper=(rate + sd * (float(o_hi[0]) - o)) * multiplier,
                method="Dobson",
            )
        row.update(confidence=conf, standard=std_name)
        rows.append(row)
    cols = [*by_cols, "numerator", "denominator", "value", "lower", "upper", "method", "confidence", "standard"]
    return pd.DataFrame(rows, columns=cols)
