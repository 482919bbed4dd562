"""People of the synthetic partnership: attribute samplers and the repeat-offender cohort.

Most people appear once (a one-off victim or suspect). A *chronic* cohort offends
repeatedly over a career of several years; its members keep one ``person_id``, birth
date, sex, ethnicity, home and flags across police victim and suspect records and the
health extracts, and have scheduled victimisations (some before their first offence).

Examples
--------
>>> import numpy as np
>>> from svsna.synth.scenario import load_scenario
>>> from svsna.synth.geography import lsoa_geography
>>> sc = load_scenario()
>>> pop = PopulationModel(sc, lsoa_geography(sc))
>>> ages = pop.sample_ages(np.random.default_rng(0), pop.perpetrator_weights, np.ones(1000, bool))
>>> bool(ages.min() >= 10 and ages.max() <= 24)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from svsna.synth.scenario import AGE_BANDS, band_bounds

if TYPE_CHECKING:
    import pandas as pd

    from svsna.synth.scenario import Scenario

__all__ = ["ChronicCohort", "IdCounter", "PopulationModel", "age_at", "allocate", "exact_flags"]

DAYS_PER_YEAR = 365.25


def age_at(day: np.ndarray, birth: np.ndarray) -> np.ndarray:
    """Age in whole years on ``day`` for people born on ``birth`` (day numbers)."""
    return np.floor((np.asarray(day) - np.asarray(birth)) / DAYS_PER_YEAR).astype(int)


def exact_flags(rng: np.random.Generator, eligible: np.ndarray, p: float) -> np.ndarray:
    """Flag ``p`` of the eligible elements exactly (stochastic rounding), at random.

    >>> int(exact_flags(np.random.default_rng(0), np.ones(1000, bool), 0.25).sum())
    250
    """
    idx = np.flatnonzero(eligible)
    k = int(np.floor(len(idx) * p + rng.random()))
    out = np.zeros(len(eligible), bool)
    out[rng.choice(idx, size=min(k, len(idx)), replace=False)] = True
    return out


def allocate(rng: np.random.Generator, n: int, p: np.ndarray) -> np.ndarray:
    """``n`` category indices in proportions ``p`` as exactly as whole numbers allow
    (floors, then the remainders by chance), in random order.

    >>> np.bincount(allocate(np.random.default_rng(0), 10, np.array([0.5, 0.3, 0.2])), minlength=3).tolist()
    [5, 3, 2]
    """
    p = np.asarray(p, float) / np.sum(p)
    counts = np.floor(n * p).astype(int)
    rest = n - counts.sum()
    if rest > 0:
        frac = n * p - counts
        counts += np.bincount(rng.choice(len(p), size=rest, replace=False, p=frac / frac.sum()), minlength=len(p))
    return rng.permutation(np.repeat(np.arange(len(p)), counts))


class IdCounter:
    """Sequential identifiers, e.g. ``P00000001``."""

    def __init__(self, prefix: str, width: int = 8) -> None:
        self.prefix, self.width, self.next = prefix, width, 1

    def take(self, n: int) -> np.ndarray:
        ids = np.arange(self.next, self.next + n)
        self.next += n
        if n == 0:
            return np.empty(0, dtype=object)
        return np.char.add(self.prefix, np.char.zfill(ids.astype(str), self.width))


def _single_year_weights(rates: dict[str, float], pop_by_band: np.ndarray) -> np.ndarray:
    """Weights for single years 0..100 from per-band relative rates x band population."""
    w = np.zeros(101)
    for i, band in enumerate(AGE_BANDS):
        r = rates.get(band, 0.0)
        lo, hi = band_bounds(band)
        hi = min(hi, 100)
        w[lo : hi + 1] = r * pop_by_band[i] / (hi - lo + 1)
    return w


class PopulationModel:
    """Age, sex, ethnicity and home-area samplers shaped by the scenario."""

    def __init__(self, scenario: Scenario, geo: pd.DataFrame) -> None:
        self.sc = scenario
        males = np.sum([d.male for d in scenario.districts], axis=0).astype(float)
        females = np.sum([d.female for d in scenario.districts], axis=0).astype(float)
        p = scenario.people
        self.perpetrator_weights = _single_year_weights(p.perpetrator_rate, males + females)
        self.victim_weights = {
            "M": _single_year_weights(p.victim_rate_male, males),
            "F": _single_year_weights(p.victim_rate_female, females),
        }
        self.health_weights = {
            src: _single_year_weights(getattr(scenario.health, f"{key}_age_rate"), males + females)
            for src, key in (("ae_attendances", "ae"), ("admissions", "admission"), ("ambulance", "ambulance"))
        }
        # Ethnicity: group then NHS letter code.
        self._eth_codes, self._eth_p = {}, {}
        for role, shares in (("suspect", p.perpetrator_ethnicity), ("victim", p.victim_ethnicity)):
            codes, probs = [], []
            for group, gshare in shares.items():
                within = p.ethnicity_codes[group]
                tot = sum(within.values())
                for code, s in within.items():
                    codes.append(code)
                    probs.append(gshare * s / tot)
            self._eth_codes[role] = np.array(codes)
            self._eth_p[role] = np.array(probs) / sum(probs)
        # Residence weights: population x deprivation gradient, within each district.
        dep = ((11 - geo["imd_decile"].to_numpy()) / 5.5) ** 1.2
        self.residence = geo["population"].to_numpy() * dep
        self.lsoa_codes = geo["lsoa_code"].to_numpy()
        self.lsoa_district = geo["district_name"].to_numpy()
        self.district_names = np.array([d.name for d in scenario.districts])
        self.district_pop = np.array([d.population() for d in scenario.districts])
        self._district_index = {n: i for i, n in enumerate(self.district_names)}
        self.lsoa_district_idx = np.array([self._district_index[n] for n in self.lsoa_district])
        self._by_district = [np.flatnonzero(self.lsoa_district_idx == i) for i in range(len(self.district_names))]

    def sample_ages(self, rng: np.random.Generator, weights: np.ndarray, under25: np.ndarray) -> np.ndarray:
        """One age per element, under 25 where ``under25`` is true, else 25 or over."""
        out = np.empty(len(under25), dtype=int)
        for flag in (True, False):
            sel = under25 == flag
            k = int(sel.sum())
            if not k:
                continue
            w = weights.copy()
            if flag:
                w[25:] = 0
            else:
                w[:25] = 0
            out[sel] = rng.choice(101, size=k, p=w / w.sum())
        return out

    def sample_ethnicity(self, rng: np.random.Generator, role: str, n: int) -> np.ndarray:
        codes = rng.choice(self._eth_codes[role], size=n, p=self._eth_p[role]).astype(object)
        codes[rng.random(n) < self.sc.people.ethnicity_not_stated] = "Z"
        return codes

    def sample_home(self, rng: np.random.Generator, district_idx: np.ndarray, same_district: float) -> np.ndarray:
        """Home LSOA index: in ``district_idx`` with probability ``same_district``, else
        anywhere (population weighted); -1 (blank) for the scenario's missing share."""
        n = len(district_idx)
        d = np.where(
            rng.random(n) < same_district,
            district_idx,
            rng.choice(len(self.district_names), size=n, p=self.district_pop / self.district_pop.sum()),
        )
        return self.sample_lsoa_in(rng, d, self.residence, missing=self.sc.people.home_lsoa_missing)

    def sample_lsoa_in(
        self, rng: np.random.Generator, district_idx: np.ndarray, weights: np.ndarray, missing: float = 0.0
    ) -> np.ndarray:
        out = np.full(len(district_idx), -1, dtype=int)
        for i, members in enumerate(self._by_district):
            sel = np.flatnonzero(district_idx == i)
            if len(sel):
                w = weights[members]
                out[sel] = rng.choice(members, size=len(sel), p=w / w.sum())
        if missing:
            out[rng.random(len(out)) < missing] = -1
        return out


@dataclass
class ChronicCohort:
    """Arrays describing the repeat-offender cohort (one element per person)."""

    person_id: np.ndarray
    birth: np.ndarray  # day numbers (days since 1970-01-01)
    sex: np.ndarray
    ethnicity: np.ndarray
    home: np.ndarray  # LSOA index
    flags: dict[str, np.ndarray]
    start: np.ndarray  # first offence day
    end: np.ndarray
    weight: np.ndarray
    vict_person: np.ndarray  # scheduled victimisations: person index and day
    vict_day: np.ndarray

    @classmethod
    def create(
        cls,
        scenario: Scenario,
        pop: PopulationModel,
        geo: pd.DataFrame,
        rng: np.random.Generator,
        ids: IdCounter,
        first_day: int,
        last_day: int,
        concurrent: float,
    ) -> ChronicCohort:
        """Make a cohort with about ``concurrent`` members active at any time."""
        r = scenario.repeat
        lmin, lmax = r.career_years["min"], r.career_years["max"]
        span_years = (last_day - first_day) / DAYS_PER_YEAR + lmax
        n = max(round(concurrent / ((lmin + lmax) / 2) * span_years), 4)
        career = rng.uniform(lmin, lmax, n) * DAYS_PER_YEAR
        start = (last_day - rng.random(n) * span_years * DAYS_PER_YEAR).astype(int)
        early = rng.random(n) < r.early_starter_share
        fo = r.first_offence_age
        age0 = np.where(
            early,
            np.maximum(rng.normal(fo["mean"], fo["sd"], n), fo["min"]),
            rng.uniform(r.adult_first_offence_age["min"], r.adult_first_offence_age["max"], n),
        )
        birth = (start - age0 * DAYS_PER_YEAR).astype(int)
        sex = np.where(rng.random(n) < r.male_share, "M", "F").astype(object)
        eth = pop.sample_ethnicity(rng, "suspect", n)
        # Homes: the scenario's NPA shares, the rest anywhere by residence weight.
        npa = geo["npa"].to_numpy()
        home = np.empty(n, dtype=int)
        names = [k for k in r.home_npa if (npa == k).any()]  # NPAs the area actually has
        probs = np.array([r.home_npa[k] for k in names])
        pick = rng.choice(len(names) + 1, size=n, p=np.append(probs, max(0.0, 1 - probs.sum())))
        for j in range(len(names) + 1):
            sel = np.flatnonzero(pick == j)
            members = np.flatnonzero(npa == names[j]) if j < len(names) else np.arange(len(npa))
            w = pop.residence[members]
            home[sel] = rng.choice(members, size=len(sel), p=w / w.sum())
        flags = {k: rng.random(n) < v for k, v in r.flags.items()}
        weight = rng.lognormal(0.0, 0.5, n)
        # Scheduled victimisations: ever (during the career) and before the first offence.
        ever = rng.random(n) < r.victim_ever
        k = np.where(ever, 1 + rng.poisson(2.5, n), 0)
        vp = np.repeat(np.arange(n), k)
        span = np.maximum(np.minimum(start + career, last_day) - start - 30, 1)
        vd = start[vp] + 30 + (rng.random(len(vp)) * span[vp]).astype(int)
        before = np.flatnonzero(rng.random(n) < r.victim_before_first_offence)
        bd = start[before] - rng.integers(60, 3 * 365, len(before))
        bd = np.maximum(bd, birth[before] + 8 * 365)
        ok = bd < start[before] - 45
        vp = np.concatenate([vp, before[ok]])
        vd = np.concatenate([vd, bd[ok]])
        order = np.argsort(vd, kind="stable")
        return cls(
            person_id=ids.take(n),
            birth=birth,
            sex=sex,
            ethnicity=eth,
            home=home,
            flags=flags,
            start=start,
            end=(start + career).astype(int),
            weight=weight,
            vict_person=vp[order],
            vict_day=vd[order],
        )

    def __len__(self) -> int:
        return len(self.person_id)

    def pick(
        self,
        rng: np.random.Generator,
        day: int,
        under25: bool,
        n: int,
        first_day: int,
        last_day: int,
        prefer_new: bool = True,
    ) -> np.ndarray:
        """Indices of ``n`` members (with replacement) active around ``day`` whose age then
        is in the group; members whose career starts in ``[first_day, last_day]`` come
        first. Fewer than ``n`` (possibly none) when nobody is eligible."""
        if n <= 0:
            return np.empty(0, dtype=int)
        age = age_at(day, self.birth)
        in_group = (age < 25) if under25 else (age >= 25)
        eligible = np.flatnonzero(in_group & (self.start <= last_day) & (self.end >= first_day) & (age >= 10))
        if not len(eligible):
            return np.empty(0, dtype=int)
        starting = eligible[self.start[eligible] >= first_day] if prefer_new else eligible[:0]
        starting = rng.permutation(starting)[:n]
        rest = n - len(starting)
        w = self.weight[eligible]
        more = rng.choice(eligible, size=rest, p=w / w.sum()) if rest > 0 else eligible[:0]
        return np.concatenate([starting, more])

    def victimisations(self, first_day: int, last_day: int) -> np.ndarray:
        """Members scheduled to be victimised between the two days (inclusive)."""
        lo, hi = np.searchsorted(self.vict_day, [first_day, last_day + 1])
        return self.vict_person[lo:hi]
