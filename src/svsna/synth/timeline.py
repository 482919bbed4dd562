"""Calendar of the synthetic partnership: months, monthly volumes, dates and times.

Annual targets are split over months by a seasonal profile and named-month factors
(lockdown dips, summer peaks); each financial year's total is exact, months vary by
multinomial noise.

Examples
--------
>>> import numpy as np
>>> from svsna.synth.scenario import load_scenario
>>> sc = load_scenario()
>>> ms = month_starts(sc)
>>> str(ms[0]), str(ms[-1]), len(ms)
('2012-04', '2021-09', 114)
>>> counts = monthly_totals(sc, {2020: 3529}, None, np.random.default_rng(1), 1.0)
>>> int(counts[(ms >= np.datetime64("2020-04")) & (ms <= np.datetime64("2021-03"))].sum())
3529
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from svsna.synth.scenario import Scenario

__all__ = ["WEEKDAYS", "month_starts", "monthly_totals", "sample_datetimes"]

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def month_starts(scenario: Scenario) -> np.ndarray:
    """Every month generated, as ``datetime64[M]``: April of the first history year to the end."""
    years = scenario.all_years()
    start = np.datetime64(f"{years[0]}-04", "M")
    latest = scenario.area.latest
    end = np.datetime64(str(latest["end"])[:7], "M") if latest else np.datetime64(f"{years[-1] + 1}-03", "M")
    return np.arange(start, end + 1, dtype="datetime64[M]")


def _month_weights(scenario: Scenario, months: np.ndarray) -> np.ndarray:
    days = ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype(int)
    cal = months.astype(int) % 12  # 0 = January
    fy_index = (cal - 3) % 12  # 0 = April
    season = np.asarray(scenario.volumes.seasonality)[fy_index]
    factors = np.array([scenario.volumes.month_factors.get(str(m), 1.0) for m in months])
    return days * season * factors


def monthly_totals(
    scenario: Scenario,
    per_year: dict,
    part_year: float | None,
    rng: np.random.Generator,
    scale: float,
) -> np.ndarray:
    """Split annual totals (``{start_year: n}``) and the part-year total over the months.

    Years missing from ``per_year`` get the nearest year's total. Returns integer counts
    aligned with :func:`month_starts`.
    """
    months = month_starts(scenario)
    weights = _month_weights(scenario, months)
    cal_year = months.astype("datetime64[Y]").astype(int) + 1970
    fy = np.where(months.astype(int) % 12 >= 3, cal_year, cal_year - 1)
    counts = np.zeros(len(months), dtype=np.int64)
    years = {int(k): v for k, v in per_year.items() if str(k).isdigit()}
    last_full = max(scenario.all_years())
    for y in np.unique(fy):
        sel = fy == y
        if y > last_full:
            total = part_year if part_year is not None else 0
        else:
            total = years[y] if y in years else years[min(years, key=lambda k: abs(k - y))]
        n = round(total * scale)
        p = weights[sel] / weights[sel].sum()
        counts[sel] = rng.multinomial(n, p)
    return counts


def sample_datetimes(
    rng: np.random.Generator,
    month: np.datetime64,
    n: int,
    hour_weights: np.ndarray,
    nte_hours: set[int],
    nte_weekday: np.ndarray,
    day_weekday: np.ndarray,
) -> np.ndarray:
    """``n`` start times in ``month`` (``datetime64[m]``): hour first, then a weekday
    drawn from the NTE or the daytime weekday profile, then a date with that weekday."""
    hw = np.asarray(hour_weights, dtype=float)
    hours = rng.choice(24, size=n, p=hw / hw.sum())
    in_nte = np.isin(hours, list(nte_hours))
    wd = np.where(
        in_nte,
        rng.choice(7, size=n, p=nte_weekday / nte_weekday.sum()),
        rng.choice(7, size=n, p=day_weekday / day_weekday.sum()),
    )
    first = month.astype("datetime64[D]")
    ndays = int(((month + 1).astype("datetime64[D]") - first).astype(int))
    first_wd = (first.astype(int) + 3) % 7  # 1970-01-01 was a Thursday (Mon = 0)
    offset = (wd - first_wd) % 7  # first day in the month with that weekday
    count = (ndays - offset + 6) // 7  # how many such days the month has
    k = np.floor(rng.random(n) * count).astype(int)
    days = first + (offset + 7 * k).astype("timedelta64[D]")
    minutes = rng.integers(0, 60, size=n)
    return days.astype("datetime64[m]") + (hours * 60 + minutes).astype("timedelta64[m]")
