"""Area-level extracts: population denominators, risk-factor indicators and surveys.

Examples
--------
>>> wilson(45, 100)
(35.6, 54.8)
>>> byar(10, 1000, 1000)
(4.8, 18.4)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from svsna.synth.scenario import AGE_BANDS

if TYPE_CHECKING:
    import pandas as pd

    from svsna.synth.scenario import Scenario

__all__ = ["byar", "indicators_frame", "population_frame", "surveys_frame", "wilson"]

Z95 = 1.959963984540054


def wilson(count: float, n: float, multiplier: float = 100) -> tuple[float, float]:
    """Wilson score 95% interval of ``count / n`` times ``multiplier`` (1 decimal place)."""
    p = count / n
    centre = p + Z95**2 / (2 * n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n))
    denom = 1 + Z95**2 / n
    return round((centre - half) / denom * multiplier, 1), round((centre + half) / denom * multiplier, 1)


def byar(count: float, denominator: float, multiplier: float) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson 95% interval of a rate (1 decimal place)."""
    o = count
    lo = o * (1 - 1 / (9 * o) - Z95 / (3 * math.sqrt(o))) ** 3 if o > 0 else 0.0
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z95 / (3 * math.sqrt(o + 1))) ** 3
    return round(lo / denominator * multiplier, 1), round(hi / denominator * multiplier, 1)


def population_frame(scenario: Scenario, geo: pd.DataFrame, scale: float, years: list[int]) -> pd.DataFrame:
    """District rows (sex M and F, five-year bands) and LSOA rows (sex P, five-year bands)
    for each mid-``year``; mid-2020 is the scenario's ONS estimate, other years apply each
    district's growth rate. Populations are multiplied by ``scale``."""
    import pandas as pd

    frames = []
    pop_cols = [c for c in geo.columns if c.startswith("pop_")]
    growth = {d.name: d.growth for d in scenario.districts}
    for year in years:
        for d in scenario.districts:
            f = (1 + d.growth) ** (year - 2020) * scale
            for sex, values in (("M", d.male), ("F", d.female)):
                frames.append(
                    pd.DataFrame(
                        {
                            "area_code": d.code,
                            "year": year,
                            "age": list(AGE_BANDS),
                            "sex": sex,
                            "population": np.round(np.asarray(values) * f).astype(int),
                        }
                    )
                )
        f = np.array([(1 + growth[n]) ** (year - 2020) * scale for n in geo["district_name"]])
        vals = np.round(geo[pop_cols].to_numpy() * f[:, None]).astype(int)
        frames.append(
            pd.DataFrame(
                {
                    "area_code": np.repeat(geo["lsoa_code"].to_numpy(), len(AGE_BANDS)),
                    "year": year,
                    "age": np.tile(np.array(AGE_BANDS, dtype=object), len(geo)),
                    "sex": "P",
                    "population": vals.reshape(-1),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def indicators_frame(scenario: Scenario) -> pd.DataFrame:
    """The Fingertips-style indicator extract (``indicators`` contract)."""
    import pandas as pd

    spec = scenario.indicators
    rows = []
    for ind in spec.list:
        for area, (value, denom) in ind.values.items():
            count = round(value * denom / ind.multiplier)
            if ind.unit == "%":
                lo, hi = wilson(count, denom, ind.multiplier)
            else:
                lo, hi = byar(count, denom, ind.multiplier)
            rows.append(
                {
                    "indicator_id": ind.id,
                    "indicator_name": ind.name,
                    "area_code": spec.areas[area],
                    "area_name": area,
                    "period": spec.period,
                    "value": value,
                    "lower": lo,
                    "upper": hi,
                    "count": count,
                    "denominator": int(denom) if float(denom).is_integer() else denom,
                    "england_value": ind.england,
                    "polarity": ind.polarity,
                    "unit": ind.unit,
                }
            )
    return pd.DataFrame(rows)


AGREE = ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree", "Don't know")


def surveys_frame(scenario: Scenario, rng: np.random.Generator) -> pd.DataFrame:
    """Long-format survey responses; each question's positive share is exact among the
    respondents (answers are assigned independently of the weights)."""
    import pandas as pd

    districts = [d.name for d in scenario.districts]
    dpop = np.array([d.population() for d in scenario.districts])
    frames = []
    for sv in scenario.surveys:
        n = sv.respondents
        rid = np.char.add(f"{sv.prefix}", np.char.zfill(np.arange(1, n + 1).astype(str), 5))
        weight = np.round(rng.lognormal(-(sv.weight_sd**2) / 2, sv.weight_sd, n), 3)
        area = rng.choice(np.array(districts, dtype=object), size=n, p=dpop / dpop.sum())
        groups = np.array(list(sv.age_groups), dtype=object)
        gp = np.array(list(sv.age_groups.values()), float)
        age_group = rng.choice(groups, size=n, p=gp / gp.sum())
        for q in sv.questions:
            k = round(q.positive * n)
            positive = np.zeros(n, bool)
            positive[rng.choice(n, size=k, replace=False)] = True
            if q.scale == "agree":
                pos = np.where(rng.random(n) < 0.3, AGREE[0], AGREE[1])
                neg = rng.choice(np.array(AGREE[2:], dtype=object), size=n, p=[0.3, 0.35, 0.25, 0.1])
            else:
                pos = np.full(n, "Yes", dtype=object)
                neg = np.where(rng.random(n) < 0.9, "No", "Don't know")
            frames.append(
                pd.DataFrame(
                    {
                        "survey": sv.name,
                        "respondent_id": rid,
                        "question": q.question,
                        "answer": np.where(positive, pos, neg),
                        "weight": weight,
                        "area": area,
                        "age_group": age_group,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)
