"""A reader's attacks on a public release, written independently of svsna's own audit.

The attacker holds only the public indicator table (``public/indicators-public.csv``), the
public populations printed in it, the geography (which districts make a county) and the
rule set. For each attack, every count that is truly small (taken from the exact table, which
the attacker never sees: the test uses it only to score the attack) gets the interval the
attacker can narrow it to. A count is *recovered* when that interval holds fewer whole numbers
than the rule set's protection (5 under nhsd_2018 and fewer_than_10).

The attacks are the ones the issue reproduced against svsna before the joint audit:

- ``rate_times_population``: a rate, share or interval computed from an unrounded count gives
  the count back (rate x population; Wilson/Byar interval solved for n);
- ``group_size_from_means``: a mean of whole numbers (ages, offences per person) printed to many
  decimal places is ``S / n``; the smallest ``n`` that makes ``mean x n`` whole is the group size;
- ``margins``: a total minus its shown parts, within an indicator and across indicators that
  print the same margin (``sex|age_band`` against ``sex``), county against its districts.
  The attack assumes the parts add up to the total; it is scored only where they truly do
  (where they do not, e.g. people of unknown age, svsna's audit protects that remainder too).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from svsna.stats import rule_set

KEY = ["section", "indicator", "period", "area", "breakdown", "breakdown_value", "definition"]


def _frame(t: pd.DataFrame) -> pd.DataFrame:
    t = t.copy()
    for c in KEY:
        t[c] = t[c].astype(object).where(t[c].notna(), "").astype(str)
    return t


def with_truth(public: pd.DataFrame, exact: pd.DataFrame) -> pd.DataFrame:
    """The public table with the exact numerator (``true``) of each row, for scoring only, and the
    ONS population of each rate row (``population``: public anyway, taken from the exact table)."""
    p, e = _frame(public), _frame(exact)
    e = e.drop_duplicates(KEY)
    e = e.assign(population=e["denominator"].where(e["statistic"] == "rate"))
    e = e[[*KEY, "numerator", "value", "population"]].rename(columns={"numerator": "true", "value": "true_value"})
    out = p.merge(e, on=KEY, how="left")
    out["true"] = out["true"].where(out["true"].notna(), out["true_value"])
    return out


def known(row: pd.Series, rules: str, rates_exact: bool = False) -> tuple[float, float]:
    """What the attacker knows about the count of a row: an interval.

    A published count stands for its rounding interval. A rate with a public population
    (``row["population"]``, from ONS) gives ``rate x population`` back: if that is a whole number
    other than the published count, the rate was computed from the exact count and gives it away
    (and once one rate does, ``rates_exact``: every rate gives its exact count).
    """
    rs = rule_set(rules)
    n = row["numerator"]
    if isinstance(n, float) and math.isnan(n) and row["statistic"] == "count":
        n = row["value"]
    pop, val = row.get("population", math.nan), row.get("value", math.nan)
    if row["statistic"] == "rate" and pop == pop and val == val and pop > 0:
        unit = str(row.get("unit") or "")
        mult = float(unit.split("per ", 1)[1].split()[0].replace(",", "")) if "per " in unit else 1000.0
        x = val * pop / mult
        if abs(x - round(x)) < 1e-6 and (rates_exact or n is None or n != n or round(x) != n):
            return float(round(x)), float(round(x))
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return float(rs.suppress_from), float(rs.suppress_to)  # assume the worst: it is a small count
    lo, hi = rs.shown_interval(float(n))
    return lo, hi


def _public_data(r) -> bool:
    """Rows of data published elsewhere already (ONS populations, Fingertips), shown as they are."""
    return r.section in ("population", "interventions") or "fingertips" in str(r.method or "").lower()


def values_in(lo: float, hi: float, rules: str) -> int:
    rs = rule_set(rules)
    lo, hi = max(lo, rs.suppress_from), min(hi, rs.suppress_to)
    return max(0, math.floor(hi + 1e-6) - math.ceil(lo - 1e-6) + 1)


def rate_times_population(public: pd.DataFrame, rules: str) -> list[str]:
    """Rows whose rate, share or interval reveals more than their published counts.

    For a rate, ``value x denominator / multiplier`` must be the published numerator (a rate from
    an unrounded count gives that count back); a share must be published numerator / published
    denominator; its Wilson interval must be the one of the published counts (else solving the
    interval for n gives the exact group size back). A value next to a withheld count is a leak.
    """
    from svsna.stats import crude_rate, proportion

    t = _frame(public)
    residents = t[(t["section"] == "population") & (t["statistic"] == "count")]
    printed_population = dict(zip(residents["breakdown_value"], residents["value"], strict=False))
    leaks = []
    for r in t.itertuples(index=False):
        stat, num, den, val = r.statistic, r.numerator, r.denominator, r.value
        if _public_data(r):
            continue
        if stat not in ("rate", "percentage", "count") or math.isnan(val):
            continue
        where = f"{r.indicator} {r.breakdown_value} ({r.period})"
        if stat == "count":
            if not math.isnan(num) and num != val:
                leaks.append(f"{where}: count value {val} differs from its numerator {num}")
            continue
        if str(r.method or "").lower().startswith("weighted"):
            continue  # weighted survey percentages: no counts published
        if math.isnan(den) and stat == "rate":  # the population is printed elsewhere in the release
            den = printed_population.get(r.breakdown_value, math.nan)
        if math.isnan(num):
            leaks.append(f"{where}: {stat} {val} published next to a withheld count")
            continue
        if math.isnan(den) or den <= 0:
            continue
        mult = 10 ** round(math.log10(val * den / num)) if num > 0 and val > 0 else None
        if mult is None:
            continue
        implied = val * den / mult
        if abs(implied - num) > 1e-6 * max(1.0, num):
            leaks.append(f"{where}: {stat} x denominator gives {implied:.3f}, published count {num:g}")
        if not math.isnan(r.lower):
            ci = crude_rate(num, den, multiplier=mult) if stat == "rate" else proportion(num, den, multiplier=mult)
            if abs(float(ci.loc[0, "lower"]) - r.lower) > 1e-6 * max(1.0, abs(r.lower)):
                leaks.append(f"{where}: its interval is not the one of the published counts")
    return leaks


def _margin_attack(
    parts: pd.DataFrame, total: tuple[float, float], rules: str, rates_exact: bool = False
) -> dict[int, tuple[float, float]]:
    """Intervals of the hidden parts given the total interval and the shown parts' intervals."""
    rs = rule_set(rules)
    out = {}
    hidden = parts[parts["numerator"].isna()]
    if hidden.empty:
        return out
    shown = parts[parts["numerator"].notna()]
    s_lo = sum(known(r, rules, rates_exact)[0] for _, r in shown.iterrows())
    s_hi = sum(known(r, rules, rates_exact)[1] for _, r in shown.iterrows())
    rest_lo, rest_hi = total[0] - s_hi, total[1] - s_lo  # what the hidden parts add up to
    for i in hidden.index:
        others = hidden.drop(index=i)
        # the other hidden cells: at least 1 if they are small, at most anything
        o_lo = sum(rs.suppress_from if rs.is_small(t) else 0 for t in others["true"].fillna(0))
        o_hi = sum(rs.suppress_to if rs.is_small(t) else math.inf for t in others["true"].fillna(0))
        out[i] = (rest_lo - o_hi, rest_hi - o_lo)
    return out


def margins(
    public: pd.DataFrame, exact: pd.DataFrame, rules: str, *, districts_of: dict[str, list[str]] | None = None
) -> list[str]:
    """Small counts recovered by a total minus its shown parts (see the module docstring)."""
    rs = rule_set(rules)
    t = with_truth(public, exact)
    t = t[
        t["statistic"].isin(["count", "rate", "percentage"])
        & ~t["method"].fillna("").str.lower().str.startswith("weighted")
    ]
    found: list[str] = []
    rates_exact = any(
        known(r, rules)[0] == known(r, rules)[1] != r["numerator"] and r["numerator"] == r["numerator"]
        for _, r in t[t["statistic"] == "rate"].iterrows()
    )

    def kn(row: pd.Series) -> tuple[float, float]:
        return known(row, rules, rates_exact)

    def score(parts: pd.DataFrame, total_row: pd.Series, what: str) -> None:
        # the attack assumes the parts add up to the total: score it only where that is true
        if abs(parts["true"].sum() - total_row["true"]) > 1e-6:
            return
        total_iv = kn(total_row)
        for i, (lo, hi) in _margin_attack(parts, total_iv, rules, rates_exact).items():
            truth = parts.at[i, "true"]
            if not rs.is_small(truth) or not (lo - 1e-6 <= truth <= hi + 1e-6):
                continue
            if values_in(lo, hi, rules) < rs.protection:
                r = parts.loc[i]
                cell = f"{r['indicator']} {r['breakdown_value']} ({r['period']})"
                found.append(f"{what}: {cell} = {truth:g} narrowed to {lo:g}..{hi:g}")

    for _, g in t.groupby(["period", "area", "definition"], sort=False):
        alls = g[g["breakdown"] == "all"]
        for (sec, ind, bd), parts in g[g["breakdown"] != "all"].groupby(
            ["section", "indicator", "breakdown"], sort=False
        ):
            if "|" in bd:
                a, b = bd.split("|", 1)
                split = parts["breakdown_value"].str.split("|", n=1, expand=True)
                for axis, name in ((0, a), (1, b)):
                    for val, sub in parts.groupby(split[axis].to_numpy(), sort=False):
                        # any row of the same section and period that prints this margin (any indicator)
                        cands = g[(g["breakdown"] == name) & (g["breakdown_value"] == val) & (g["section"] == sec)]
                        for _, c in cands.iterrows():
                            score(sub, c, f"cross-table {bd} vs {c['indicator']} {name}")
                continue
            own_total = alls[(alls["indicator"] == ind) & (alls["section"] == sec)]
            for _, c in own_total.iterrows():
                score(parts, c, f"margin of {ind} by {bd}")
            if bd == "district" and districts_of:
                counties = g[(g["indicator"] == ind) & (g["section"] == sec) & (g["breakdown"] == "county")]
                for _, c in counties.iterrows():
                    members = districts_of.get(c["breakdown_value"], [])
                    sub = parts[parts["breakdown_value"].isin(members)]
                    if len(sub) == len(members) and len(members) > 1:
                        score(sub, c, f"county {c['breakdown_value']} vs its districts")
    return found


def profiles_of_small_groups(public: pd.DataFrame, exact: pd.DataFrame, min_group_size: int) -> list[str]:
    """Shares or means published for a group of fewer than ``min_group_size`` people."""
    t = with_truth(public, exact)
    e = _frame(exact).drop_duplicates(KEY).set_index(KEY)
    leaks = []
    for r in t.itertuples(index=False):
        if r.statistic not in ("percentage", "mean", "median") or math.isnan(r.value):
            continue
        if str(r.method or "").lower().startswith(("weighted", "proportion of residents")) or r.section == "population":
            continue
        key = tuple(getattr(r, k) for k in KEY)
        n = e.loc[key, "denominator"] if key in e.index else np.nan
        if isinstance(n, pd.Series):
            n = n.iloc[0]
        if r.breakdown_value == "Other":
            continue
        if not (float(n) >= min_group_size):
            leaks.append(f"{r.indicator} {r.breakdown_value} ({r.period}): {r.statistic} of a group of {n}")
    return leaks


def _decimals(x: float) -> int:
    """Decimal places a reader sees in a published float (its shortest round-trip form)."""
    text = repr(float(x))
    if "e" in text or "E" in text:
        return 17
    frac = text.split(".")[1] if "." in text else ""
    return len(frac.rstrip("0"))


def sizes_fitting(mean: float, decimals: int, largest: int) -> list[int]:
    """Every group size n <= ``largest`` for which some whole sum S gives ``mean`` when S / n is
    printed to ``decimals`` places (the reader's candidates for the group size).

    >>> sizes_fitting(18.04255319148936, 14, 100)
    [47, 94]
    >>> len(sizes_fitting(18.0, 1, 100)) >= 91  # every n from 10 up fits a mean shown as 18.0
    True
    """
    half = 0.5 * 10.0**-decimals + 1e-12
    return [
        n for n in range(1, largest + 1) if math.ceil(n * (mean - half) - 1e-9) <= math.floor(n * (mean + half) + 1e-9)
    ]


def group_size_from_means(public: pd.DataFrame, exact: pd.DataFrame) -> list[str]:
    """Means or medians whose printed digits give their group's exact size back.

    The reader takes each published mean as printed (CSV: full float precision) and lists the group
    sizes up to twice the true one it fits (:func:`sizes_fitting`). The size is recovered when
    at most two sizes fit (the true one and a multiple): the count of the group, published rounded or
    withheld, is then known exactly, and so is any small remainder between two means of one group.
    """
    t = with_truth(public, exact)
    e = _frame(exact).drop_duplicates(KEY).set_index(KEY)
    leaks = []
    for r in t.itertuples(index=False):
        if r.statistic not in ("mean", "median") or math.isnan(r.value) or _public_data(r):
            continue  # a mean of public data (the IMD deciles of a district's LSOAs) is public anyway
        key = tuple(getattr(r, k) for k in KEY)
        n = e.loc[key, "denominator"] if key in e.index else np.nan
        if isinstance(n, pd.Series):
            n = n.iloc[0]
        if not (float(n) >= 1):
            continue
        fits = sizes_fitting(float(r.value), _decimals(r.value), 2 * int(n))
        if int(n) in fits and len(fits) <= 2:
            leaks.append(f"{r.indicator} {r.breakdown_value} ({r.period}): {r.value!r} gives n = {int(n)}")
    return leaks


def markers_next_to_withheld(public: pd.DataFrame) -> list[str]:
    t = _frame(public)
    sig = t["significance"].fillna("").astype(str)
    # a hot-spot class is published instead of its z value; any other marker needs its value
    bad = t[t["value"].isna() & sig.str.len().gt(0) & (sig != "Not compared") & (t["statistic"] != "z")]
    return [f"{r.indicator} {r.breakdown_value}: {r.significance}" for r in bad.itertuples(index=False)]


def all_attacks(
    public: pd.DataFrame,
    exact: pd.DataFrame,
    rules: str,
    *,
    min_group_size: int = 10,
    districts_of: dict[str, list[str]] | None = None,
) -> dict[str, list[str]]:
    """Every attack above; each list should be empty."""
    return {
        "rate_times_population": rate_times_population(public, rules),
        "margins": margins(public, exact, rules, districts_of=districts_of),
        "profiles_of_small_groups": profiles_of_small_groups(public, exact, min_group_size),
        "group_size_from_means": group_size_from_means(public, exact),
        "markers_next_to_withheld": markers_next_to_withheld(public),
    }


def names(items: Iterable[str], limit: int = 10) -> str:
    items = list(items)
    return "; ".join(items[:limit]) + (f" (+{len(items) - limit} more)" if len(items) > limit else "")
