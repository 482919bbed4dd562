"""Health extracts for one month: A&E assault attendances, admissions and ambulance call-outs.

A share of in-definition police victims also appear in each health source under the
same ``person_id`` (arriving at A&E hours after the offence, admitted that day or the
next, the ambulance called minutes after); the rest of each month's target volume is
people who never reached the police (most assault patients do not report).

Examples
--------
>>> HEALTH_SOURCES
('ae_attendances', 'admissions', 'ambulance')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from svsna.synth.people import IdCounter
from svsna.synth.table import Table

if TYPE_CHECKING:
    import pandas as pd

    from svsna.synth.people import PopulationModel
    from svsna.synth.scenario import Scenario

__all__ = ["HEALTH_SOURCES", "HealthModel"]

HEALTH_SOURCES: tuple[str, ...] = ("ae_attendances", "admissions", "ambulance")


def _choice(rng, weights: dict, n: int, drop: tuple = ()) -> np.ndarray:
    items = {k: v for k, v in weights.items() if k not in drop}
    keys = np.array(list(items), dtype=object)
    p = np.array(list(items.values()), dtype=float)
    return rng.choice(keys, size=n, p=p / p.sum())


def _fmt_dt(values: np.ndarray) -> np.ndarray:
    if len(values) == 0:
        return np.empty(0, dtype=object)
    return np.char.replace(np.datetime_as_string(values, unit="m"), "T", " ").astype(object)


class HealthModel:
    """Generates the three health extracts month by month."""

    def __init__(self, scenario: Scenario, geo: pd.DataFrame, pop: PopulationModel, ids: IdCounter) -> None:
        self.sc, self.pop, self.ids = scenario, pop, ids
        self.h = scenario.health
        self.lsoa_codes = geo["lsoa_code"].to_numpy().astype(object)
        self.counters = {
            "ae_attendances": IdCounter("AE", 8),
            "admissions": IdCounter("APC", 8),
            "ambulance": IdCounter("EMAS", 8),
        }

    def _people(self, rng, src, links, linked, n_new):
        """Age, sex, home LSOA index and person id for linked then new patients."""
        age = np.concatenate([links["age"][linked], rng.choice(101, size=n_new, p=self._age_p(src))])
        fill = age < 0
        age[fill] = rng.choice(101, size=int(fill.sum()), p=self._age_p(src))
        sex = np.concatenate(
            [links["sex"][linked], np.where(rng.random(n_new) < self.h.male_share[src], "M", "F")]
        ).astype(object)
        k = len(self.pop.district_names)
        d = rng.choice(k, size=n_new, p=self.pop.district_pop / self.pop.district_pop.sum())
        home = np.concatenate([links["home"][linked], self.pop.sample_lsoa_in(rng, d, self.pop.residence, 0.04)])
        pid = np.concatenate([links["person_id"][linked], self.ids.take(n_new)]).astype(object)
        return age, sex, home, pid

    def _age_p(self, src):
        w = self.pop.health_weights[src]
        return w / w.sum()

    def _times(self, rng, month, n, hour_weights):
        first = month.astype("datetime64[D]")
        ndays = int(((month + 1).astype("datetime64[D]") - first).astype(int))
        days = first + rng.integers(0, ndays, n).astype("timedelta64[D]")
        hw = np.asarray(hour_weights, float)
        mins = rng.choice(24, size=n, p=hw / hw.sum()) * 60 + rng.integers(0, 60, n)
        return days.astype("datetime64[m]") + mins.astype("timedelta64[m]")

    def _home(self, home):
        return np.where(home < 0, "", self.lsoa_codes[np.maximum(home, 0)])

    def generate(
        self, rng: np.random.Generator, month: np.datetime64, targets: dict[str, int], links: dict[str, np.ndarray]
    ) -> dict[str, Table]:
        """The month's rows for each health source (string columns, contract order)."""
        out: dict[str, Table] = {}
        knife = links["knife"]
        serious = np.isin(links["code"], ["1", "2", "5D", "5E", "4/1"])
        m_end = (month + 1).astype("datetime64[m]")
        for src in HEALTH_SOURCES:
            factor = {"ae_attendances": 2.0, "admissions": 4.0, "ambulance": 2.5}[src]
            p = self.h.linked_share[src] * np.where(knife | serious, factor, 1.0)
            linked = np.flatnonzero(rng.random(len(knife)) < p)
            n_new = max(int(targets[src]) - len(linked), 0)
            age, sex, home, pid = self._people(rng, src, links, linked, n_new)
            n = len(age)
            lk = np.zeros(n, bool)
            lk[: len(linked)] = True
            kn = np.concatenate([knife[linked], np.zeros(n_new, bool)])
            ids = self.counters[src].take(n)
            if src == "ae_attendances":
                delay = np.minimum(rng.lognormal(np.log(150), 0.8, len(linked)), 20 * 60).astype(int)
                when = np.concatenate(
                    [
                        links["when"][linked] + delay.astype("timedelta64[m]"),
                        self._times(rng, month, n_new, self.h.ae_hour_weights),
                    ]
                )
                when = np.minimum(when, m_end - np.timedelta64(1, "m"))
                diag = _choice(rng, self.h.ae_diagnosis, n)
                diag = np.where(kn, np.where(rng.random(n) < 0.5, "STAB", "LACERATION"), diag)
                method = np.where(kn, "KNIFE", _choice(rng, self.h.ae_method, n, drop=("KNIFE",)))
                loc = np.concatenate([links["location"][linked], _choice(rng, self.h.ae_location, n_new)])
                loc = np.where(rng.random(n) < 0.08, "", loc)
                frame = Table(
                    {
                        "attendance_id": ids,
                        "arrival_datetime": _fmt_dt(when),
                        "age": age.astype(str),
                        "sex": sex,
                        "home_lsoa": self._home(home),
                        "diagnosis": diag,
                        "assault_location_type": loc,
                        "assault_method": method,
                        "person_id": pid,
                    }
                )
            elif src == "admissions":
                day = np.concatenate(
                    [
                        links["when"][linked].astype("datetime64[D]")
                        + (rng.random(len(linked)) < 0.2).astype("timedelta64[D]"),
                        self._times(rng, month, n_new, np.ones(24)).astype("datetime64[D]"),
                    ]
                )
                day = np.minimum(day, (month + 1).astype("datetime64[D]") - np.timedelta64(1, "D"))
                cause = np.where(kn, "X99", _choice(rng, self.h.admission_cause, n, drop=("X99",)))
                cause = np.where(~lk, _choice(rng, self.h.admission_cause, n), cause)
                mh = self.h.admission_mental_health_flag
                flag = rng.random(n) < np.where(age < 25, mh["under25"], mh["over25"])
                frame = Table(
                    {
                        "admission_id": ids,
                        "admission_date": np.datetime_as_string(day, unit="D").astype(object),
                        "age": age.astype(str),
                        "sex": sex,
                        "home_lsoa": self._home(home),
                        "cause_code": cause,
                        "mental_health_flag": np.where(flag, "Y", "N"),
                        "person_id": pid,
                    }
                )
            else:
                delay = rng.integers(2, 25, len(linked))
                when = np.concatenate(
                    [
                        links["when"][linked] + delay.astype("timedelta64[m]"),
                        self._times(rng, month, n_new, self.h.ambulance_hour_weights),
                    ]
                )
                when = np.minimum(when, m_end - np.timedelta64(1, "m"))
                complaint = np.where(kn, "27", _choice(rng, self.h.ambulance_complaint, n))
                conv = self.h.ambulance_conveyed
                conveyed = rng.random(n) < np.where(age < 25, conv["under25"], conv["over25"])
                k = len(self.pop.district_names)
                d = rng.choice(k, size=n_new, p=self.pop.district_pop / self.pop.district_pop.sum())
                lsoa = np.concatenate([links["lsoa"][linked], self.pop.sample_lsoa_in(rng, d, self.pop.residence)])
                age_s = np.where(rng.random(n) < 0.06, "", age.astype(str))
                sex_s = np.where(rng.random(n) < 0.03, "", sex)
                pid = np.where(~lk & (rng.random(n) < 0.2), "", pid)
                frame = Table(
                    {
                        "incident_id": ids,
                        "call_datetime": _fmt_dt(when),
                        "chief_complaint": complaint,
                        "age": age_s,
                        "sex": sex_s,
                        "conveyed": np.where(conveyed, "Y", "N"),
                        "lsoa": self._home(lsoa),
                        "person_id": pid,
                    }
                )
            frame = frame.take(np.argsort(frame[frame.columns[1]], kind="stable"))
            frame[frame.columns[0]] = ids
            out[src] = frame
        return out
