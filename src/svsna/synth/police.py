"""Police recorded crime for one month: offences, victims and suspects.

In-definition offences (public place violence with injury and robbery, not domestic)
follow the scenario's mix, districts, NPAs, locations, knife share and timing; the
force also supplies out-of-definition violence (domestic, dwellings, other codes) in the
scenario's proportions. Suspects are one-off offenders, pairs (two offences each) or
members of the chronic repeat-offender cohort; victims include the cohort's scheduled
victimisations so that people link across roles and years.

Examples
--------
>>> DESCRIPTIONS["8N_ABH"]
'S47 - Assault occasioning actual bodily harm'
>>> "8N" in IN_DEFINITION and "105A" not in IN_DEFINITION
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from svsna.synth.people import age_at, allocate, exact_flags
from svsna.synth.table import Table, concat
from svsna.synth.timeline import WEEKDAYS, sample_datetimes

if TYPE_CHECKING:
    import pandas as pd

    from svsna.synth.people import ChronicCohort, IdCounter, PopulationModel
    from svsna.synth.scenario import Scenario

__all__ = ["DESCRIPTIONS", "IN_DEFINITION", "MonthPolice", "PoliceModel"]

#: Offence descriptions as a records system prints them (8N and 8P split s.47 / s.20).
DESCRIPTIONS: dict[str, str] = {
    "1": "Murder",
    "2": "Attempted murder",
    "4/1": "Manslaughter",
    "5D": "S18 - Wounding with intent to do grievous bodily harm",
    "5E": "Endangering life",
    "8N_ABH": "S47 - Assault occasioning actual bodily harm",
    "8N_GBH": "S20 - Wounding or inflicting grievous bodily harm",
    "8P_ABH": "Racially or religiously aggravated ABH",
    "8P_GBH": "Racially or religiously aggravated GBH",
    "34A": "Robbery of business property",
    "34B": "Robbery of personal property",
    "105A": "Common assault and battery (no injury)",
    "105B": "Racially or religiously aggravated common assault",
    "104": "Assault without injury on a constable",
    "8S": "Assault with injury on a constable",
    "8L": "Harassment",
    "8Q": "Stalking",
    "3B": "Threats to kill",
    "11A": "Cruelty to and neglect of children",
    "36": "Kidnapping",
    "4/4": "Causing death or serious injury by dangerous driving",
}
#: Windows-1252 flourishes appended to a few descriptions (venue names, curly quotes, dashes).
CP1252_SUFFIXES = (
    " – outside Café Désirée",
    " – at Zoë’s Bar, High Street",
    " – near the Crêperie, Market Place",
    " – victim’s phone taken outside Café Noël",
)
IN_DEFINITION = ("1", "4/1", "2", "5D", "5E", "8N", "8P", "34A", "34B")
PUBLIC_OTHER = ("STREET", "PARK", "CAR_PARK", "SHOP", "HOSPITALITY", "TRANSPORT", "OTHER")


def _choice(rng, weights: dict, n: int) -> np.ndarray:
    keys = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(keys, size=n, p=p / p.sum())


def _yn(flag: np.ndarray) -> np.ndarray:
    return np.where(flag, "Y", "N").astype(object)


def _fmt_dt(values: np.ndarray) -> np.ndarray:
    if len(values) == 0:
        return np.empty(0, dtype=object)
    return np.char.replace(np.datetime_as_string(values, unit="m"), "T", " ").astype(object)


@dataclass
class MonthPolice:
    """One month's police rows (string columns, contract order) and linkage details."""

    offences: Table
    victims: Table
    suspects: Table
    links: dict[str, np.ndarray]  # in-definition victims, for health linkage
    cp1252_rows: np.ndarray  # offence rows whose description has Windows-1252 characters


class PoliceModel:
    """Generates police extracts month by month with a shared person population."""

    def __init__(
        self,
        scenario: Scenario,
        geo: pd.DataFrame,
        pop: PopulationModel,
        cohort: ChronicCohort,
        ids: IdCounter,
    ) -> None:
        self.sc, self.geo, self.pop, self.cohort, self.ids = scenario, geo, pop, cohort, ids
        p = scenario.people
        self.lsoa_codes = geo["lsoa_code"].to_numpy().astype(object)
        self.refs: dict[int, int] = {}
        shares = scenario.district_shares()
        self.district_p = np.array([shares[n] for n in pop.district_names])
        # Offence-location weights: deprivation x a fixed hot-spot factor per LSOA.
        hot = np.random.default_rng(7).lognormal(0.0, 0.8, len(geo))
        dep = ((11 - geo["imd_decile"].to_numpy()) / 5.5) ** 1.5
        self.offence_w = geo["population"].to_numpy() * dep * hot
        npa = geo["npa"].to_numpy()
        for name, share in scenario.npas.leicester_offence_share.items():
            sel = npa == name
            if sel.any():
                self.offence_w[sel] = self.offence_w[sel] / self.offence_w[sel].sum() * share
        self.leicester = (
            int(np.flatnonzero(pop.district_names == "Leicester")[0]) if "Leicester" in set(pop.district_names) else -1
        )
        # Under-25 share of offences with suspects from the rate ratio: q/(1-q) = R * Pu/Po.
        pu = sum(sum(d.male[:5]) + sum(d.female[:5]) for d in scenario.districts)
        po = sum(d.population() for d in scenario.districts) - pu
        odds = p.under25_rate_ratio * pu / po
        self.q_u25 = odds / (1 + odds)
        r = scenario.repeat
        ns = p.no_suspect_share
        self.p_rep_u25 = min(1.0, r.under25_offence_share * 1.04)
        self.p_rep_o25 = float(
            np.clip((r.offence_share / (1 - ns) - self.q_u25 * r.under25_offence_share) / (1 - self.q_u25) * 1.04, 0, 1)
        )
        # Of the repeat slots, the share taken by the chronic cohort (the rest are pairs with
        # exactly two offences): most frequent perpetrators are young (SNA: 79% under 25).
        self.chronic_fraction = {True: 0.70, False: 0.25}
        self._part, self._parts = 0, 1
        tm = scenario.timing
        self.hour_w = np.asarray(tm.hour_weights, float)
        self.nte = set(tm.nte_hours)
        self.nte_wd = np.array([tm.nte_weekday[d] for d in WEEKDAYS])
        self.day_wd = np.array([tm.day_weekday[d] for d in WEEKDAYS])
        # Victim sex given a male suspect so that victims are victim_male_share male overall.
        pm, fv = p.perpetrator_male_share, p.female_perpetrator_female_victim
        self.victim_male_given_male = float(np.clip((p.victim_male_share - (1 - pm) * (1 - fv)) / pm, 0, 1))

    # ------------------------------------------------------------------ offences
    def _offences(self, rng, month, n_in):
        sc, ood = self.sc, self.sc.out_of_definition
        violence = {k: v for k, v in sc.offence_mix.items() if k not in ("34A", "34B", "8P")}
        parts = [("in", n_in, sc.offence_mix)]
        parts.append(("dom", rng.poisson(n_in * ood.in_definition_codes_domestic), violence))
        parts.append(("dwell", rng.poisson(n_in * ood.in_definition_codes_dwelling), violence))
        parts.append(("nonpub", rng.poisson(n_in * ood.in_definition_codes_non_public), sc.offence_mix))
        parts.append(("other", rng.poisson(n_in * sum(ood.other_codes.values())), ood.other_codes))
        kinds, codes = [], []
        for kind, n, mix in parts:
            kinds.append(np.full(n, kind, dtype=object))
            keys = np.array(list(mix), dtype=object)
            codes.append(keys[allocate(rng, n, np.array(list(mix.values())))] if kind == "in" else _choice(rng, mix, n))
        kind = np.concatenate(kinds)
        code = np.concatenate(codes).astype(object)
        n = len(kind)
        domestic = (kind == "dom") | ((kind == "other") & (rng.random(n) < ood.domestic_share_other_codes))
        loc = _choice(rng, sc.locations, n)
        loc_keys = np.array(list(sc.locations), dtype=object)
        loc[:n_in] = loc_keys[allocate(rng, n_in, np.array(list(sc.locations.values())))]
        dwelling = _choice(rng, {"DWELLING": 0.88, "DWELLING_COMMUNAL": 0.04, "STREET": 0.06, "CAR_PARK": 0.02}, n)
        loc = np.where(domestic | (kind == "dwell"), dwelling, loc)
        loc = np.where(kind == "dwell", np.where(rng.random(n) < 0.85, "DWELLING", "DWELLING_COMMUNAL"), loc)
        loc = np.where(kind == "nonpub", np.where(rng.random(n) < 0.6, "PRISON", "UNKNOWN"), loc)
        other_nd = (kind == "other") & ~domestic
        loc = np.where(other_nd & (rng.random(n) < 0.45), "DWELLING", loc)
        # Where: in-definition by SV district shares and hot spots; others by residence.
        is_in = kind == "in"
        k = len(self.pop.district_names)
        district = rng.choice(k, size=n, p=self.pop.district_pop / self.pop.district_pop.sum())
        district[:n_in] = allocate(rng, n_in, self.district_p)
        lsoa = np.where(
            is_in,
            self.pop.sample_lsoa_in(rng, district, self.offence_w),
            self.pop.sample_lsoa_in(rng, district, self.pop.residence),
        )
        # Knife: relative likelihood by code, calibrated so the month hits the share and
        # the Leicester share of knife offences exactly in expectation.
        kn = self.sc.knife
        rel = np.array([kn.relative.get(c, 0.0) for c in code])
        p_knife = np.where(np.isin(code, list(IN_DEFINITION)), 0.02, 0.004)
        if is_in.any():
            in_l = is_in & (district == self.leicester)
            in_o = is_in & (district != self.leicester)
            target = kn.share * is_in.sum()
            a = kn.leicester_share * target / max(rel[in_l].sum(), 1e-9)
            b = (1 - kn.leicester_share) * target / max(rel[in_o].sum(), 1e-9)
            p_knife = np.where(in_l, rel * a, np.where(in_o, rel * b, p_knife))
        knife = rng.random(n) < np.clip(p_knife, 0, 0.95)
        weapon = knife | (rng.random(n) < self.sc.weapon_share_non_knife)
        when = sample_datetimes(rng, month, n, self.hour_w, self.nte, self.nte_wd, self.day_wd)
        order = np.argsort(when, kind="stable")
        cols = {
            "kind": kind,
            "code": code,
            "domestic": domestic,
            "loc": loc,
            "district": district,
            "lsoa": lsoa,
            "knife": knife,
            "weapon": weapon,
            "when": when,
        }
        return {k2: v[order] for k2, v in cols.items()}

    def _descriptions(self, rng, code):
        n = len(code)
        desc = np.array([DESCRIPTIONS.get(c, c) for c in code], dtype=object)
        abh = rng.random(n) < self.sc.abh_share_of_8n
        desc = np.where(code == "8N", np.where(abh, DESCRIPTIONS["8N_ABH"], DESCRIPTIONS["8N_GBH"]), desc)
        desc = np.where(code == "8P", np.where(abh, DESCRIPTIONS["8P_ABH"], DESCRIPTIONS["8P_GBH"]), desc)
        fancy = rng.random(n) < 0.004
        if fancy.any():
            suffix = rng.choice(np.array(CP1252_SUFFIXES, dtype=object), size=int(fancy.sum()))
            desc[fancy] = desc[fancy] + suffix
        return desc, fancy

    def _refs(self, when):
        years = when.astype("datetime64[Y]").astype(int) + 1970
        refs = np.empty(len(when), dtype=object)
        for y in np.unique(years):
            sel = np.flatnonzero(years == y)
            start = self.refs.get(int(y), 0)
            seq = np.arange(start + 1, start + 1 + len(sel))
            self.refs[int(y)] = start + len(sel)
            refs[sel] = np.char.add(f"LP/{y % 100:02d}/", np.char.zfill(seq.astype(str), 6))
        return refs

    # ------------------------------------------------------------------ people
    def generate(
        self, rng: np.random.Generator, month: np.datetime64, n_in: int, part: int = 0, parts: int = 1
    ) -> MonthPolice:
        """Police rows for ``month`` with ``n_in`` in-definition offences.

        Large months are generated in ``parts`` (this is part ``part``) to bound memory;
        the cohort's scheduled victimisations are shared out between the parts."""
        self._part, self._parts = part, parts
        o = self._offences(rng, month, n_in)
        n = len(o["code"])
        refs = self._refs(o["when"])
        desc, fancy = self._descriptions(rng, o["code"])
        to = o["when"] + rng.integers(0, 90, n).astype("timedelta64[m]")
        to_s = np.where(rng.random(n) < 0.3, "", _fmt_dt(to))
        offences = Table(
            {
                "offence_ref": refs,
                "ho_code": o["code"],
                "offence_description": desc,
                "committed_from": _fmt_dt(o["when"]),
                "committed_to": to_s,
                "location_type": o["loc"],
                "lsoa": self.lsoa_codes[o["lsoa"]],
                "weapon_flag": _yn(o["weapon"]),
                "knife_flag": _yn(o["knife"]),
                "domestic_flag": _yn(o["domestic"]),
            }
        )
        day = o["when"].astype("datetime64[D]").astype(int)
        first_day = int(month.astype("datetime64[D]").astype(int))
        last_day = int((month + 1).astype("datetime64[D]").astype(int)) - 1
        susp, offence_u25, prim_sex = self._suspects(rng, o, day, first_day, last_day)
        vict, links = self._victims(rng, o, day, offence_u25, prim_sex, first_day, last_day)
        for frame in (susp, vict):
            frame.insert_first("offence_ref", refs[frame.pop("_offence").astype(int)])
        links["offence_ref"] = refs[links["offence"]]
        return MonthPolice(offences, vict, susp, links, np.flatnonzero(fancy))

    def _person_frame(self, rng, off_idx, pid, age, sex, eth, home, flags, role):
        n = len(off_idx)
        age_s = np.where((age < 0) | (rng.random(n) < self.sc.people.age_missing), "", age.astype(str)).astype(object)
        return Table(
            {
                "_offence": off_idx,
                "person_id": pid,
                "age": age_s,
                "sex": sex,
                "ethnicity": eth,
                "home_lsoa": np.where(home < 0, "", self.lsoa_codes[np.maximum(home, 0)]),
                "mental_health_flag": _yn(flags["mental_health"]),
                "drugs_flag": _yn(flags["drugs"]),
                "knife_carrier_flag": _yn(flags["knife_carrier"]),
                "domestic_abuse_flag": _yn(flags["domestic_abuse"]),
            }
        )

    def _suspects(self, rng, o, day, first_day, last_day):
        p, n = self.sc.people, len(o["code"])
        kind, domestic = o["kind"], o["domestic"]
        is_in = kind == "in"
        has = rng.random(n) < np.where(domestic, 0.95, np.where(is_in, 1 - p.no_suspect_share, 0.75))
        u25 = (
            exact_flags(rng, has & is_in, self.q_u25)
            | (has & ~is_in & ~domestic & (rng.random(n) < self.q_u25))
            | (has & domestic & (rng.random(n) < 0.15))
        )
        extra = np.zeros(n, dtype=int)
        for k, share in p.extra_suspects.items():
            extra[rng.random(n) < share] = int(k)
        extra = np.where(has & ~domestic, extra, 0)
        prim = np.flatnonzero(has)
        # Who is the primary suspect: chronic member, one of a pair, or a one-off.
        role = np.full(n, "one", dtype=object)
        rep = rng.random(n) < np.where(u25, self.p_rep_u25, self.p_rep_o25)
        chronic = np.where(
            is_in,
            rep & (rng.random(n) < np.where(u25, self.chronic_fraction[True], self.chronic_fraction[False])),
            ~domestic & (rng.random(n) < self.sc.repeat.out_of_definition_share),
        )
        role[has & chronic] = "chronic"
        role[has & is_in & rep & ~chronic] = "pair"
        # Murder / attempted murder (SNA: under-25 rate about double the 25+ rate): young
        # suspects are long-career cohort members; domestic ones are adults.
        homicide = has & np.isin(o["code"], ["1", "2"])
        u25[homicide] = ~domestic[homicide] & (rng.random(int(homicide.sum())) < 0.6)
        mam = homicide & u25
        role[mam] = "chronic"
        pid = np.empty(n, dtype=object)
        birth = np.zeros(n, dtype=int)
        sex = np.empty(n, dtype=object)
        eth = np.empty(n, dtype=object)
        home = np.full(n, -1, dtype=int)
        flags = {k: np.zeros(n, bool) for k in ("mental_health", "drugs", "knife_carrier", "domestic_abuse")}
        c = self.cohort
        mid = (first_day + last_day) // 2

        def assign(slots, members):
            role[slots[len(members) :]] = "one"
            slots = slots[: len(members)]
            pid[slots], birth[slots], sex[slots] = c.person_id[members], c.birth[members], c.sex[members]
            eth[slots], home[slots] = c.ethnicity[members], c.home[members]
            for f in flags:
                flags[f][slots] = c.flags[f][members]

        for grp in (True, False):
            want = rng.permutation(np.flatnonzero((role == "chronic") & (u25 == grp) & ~mam))
            assign(want, c.pick(rng, mid, grp, len(want), first_day, last_day, prefer_new=self._part == 0))
        mam_slots = np.flatnonzero(mam)
        if len(mam_slots):  # murder / attempted murder: long-career young male members
            age_mid = age_at(mid, c.birth)
            long_m = np.flatnonzero(
                (c.sex == "M")
                & (c.start <= first_day - 4 * 365)
                & (c.end >= first_day)
                & (age_mid >= 16)
                & (age_mid < 25)
            )
            if len(long_m):
                assign(mam_slots, rng.choice(long_m, size=len(mam_slots)))
            else:
                assign(mam_slots, c.pick(rng, mid, True, len(mam_slots), first_day, last_day))
        # Pairs: consecutive pair slots of the same age group share one new person.
        for grp in (True, False):
            slots = rng.permutation(np.flatnonzero((role == "pair") & (u25 == grp)))
            if len(slots) % 2:
                role[slots[-1]] = "one"
                slots = slots[:-1]
            if len(slots):
                a, b = slots[0::2], slots[1::2]
                role[b] = "pair2"
                pid[b] = a  # temporary: index of the partner slot
        new = np.flatnonzero(has & ((role == "one") | (role == "pair")))
        pid[new] = self.ids.take(len(new))
        ages = self.pop.sample_ages(rng, self.pop.perpetrator_weights, u25[new])
        birth[new] = day[new] - (ages * 365.25 + rng.integers(0, 365, len(new))).astype(int)
        male = np.where(domestic[new], 0.8, p.perpetrator_male_share)
        sex[new] = np.where(rng.random(len(new)) < male, "M", "F")
        eth[new] = self.pop.sample_ethnicity(rng, "suspect", len(new))
        home[new] = self.pop.sample_home(rng, o["district"][new], p.suspect_same_district)
        for f, share in p.flags_one_off.items():
            flags[f][new] = rng.random(len(new)) < share
        b = np.flatnonzero(role == "pair2")
        a = pid[b].astype(int)
        pid[b], birth[b], sex[b], eth[b], home[b] = pid[a], birth[a], sex[a], eth[a], home[a]
        for f in flags:
            flags[f][b] = flags[f][a]
        age = np.where(has, age_at(day, birth), -1)
        frame = self._person_frame(
            rng,
            prim,
            pid[prim],
            age[prim],
            sex[prim],
            eth[prim],
            home[prim],
            {k: v[prim] for k, v in flags.items()},
            "suspect",
        )
        # Co-suspects: one-offs in the offence's age group (under-25 offences may have older co-suspects).
        co = np.repeat(np.arange(n), extra)
        if len(co):
            co_u25 = np.where(u25[co], rng.random(len(co)) < 0.85, False)
            co_age = self.pop.sample_ages(rng, self.pop.perpetrator_weights, co_u25)
            co_flags = {f: rng.random(len(co)) < s for f, s in p.flags_one_off.items()}
            frame = concat(
                [
                    frame,
                    self._person_frame(
                        rng,
                        co,
                        self.ids.take(len(co)),
                        co_age,
                        np.where((rng.random(len(co)) < p.perpetrator_male_share) | homicide[co], "M", "F").astype(
                            object
                        ),
                        self.pop.sample_ethnicity(rng, "suspect", len(co)),
                        self.pop.sample_home(rng, o["district"][co], p.suspect_same_district),
                        co_flags,
                        "suspect",
                    ),
                ]
            )
        return frame, u25, np.where(has, sex, None)

    def _victims(self, rng, o, day, offence_u25, prim_sex, first_day, last_day):
        p, n = self.sc.people, len(o["code"])
        k = np.ones(n, dtype=int)
        for extra, share in p.extra_victims.items():
            k[rng.random(n) < share] += int(extra)
        off = np.repeat(np.arange(n), k)
        m = len(off)
        has_s = prim_sex[off] != None  # noqa: E711 - object array comparison
        dom = o["domestic"][off]
        p_u25 = np.where(
            ~has_s,
            p.under25_victim_no_suspect,
            np.where(offence_u25[off], p.under25_victim_given_under25_suspect, p.under25_victim_given_over25_suspect),
        )
        p_u25 = np.where(dom, 0.15, p_u25)
        u25 = rng.random(m) < p_u25
        p_male = np.where(
            ~has_s,
            p.victim_male_share,
            np.where(prim_sex[off] == "F", 1 - p.female_perpetrator_female_victim, self.victim_male_given_male),
        )
        p_male = np.where(dom, 0.25, p_male)
        sex = np.where(rng.random(m) < p_male, "M", "F").astype(object)
        age = np.empty(m, dtype=int)
        for s in ("M", "F"):
            sel = sex == s
            age[sel] = self.pop.sample_ages(rng, self.pop.victim_weights[s], u25[sel])
        birth = day[off] - (age * 365.25 + rng.integers(0, 365, m)).astype(int)
        pid = self.ids.take(m).astype(object)
        eth = self.pop.sample_ethnicity(rng, "victim", m)
        home = self.pop.sample_home(rng, o["district"][off], 0.85)
        flags = {
            "mental_health": rng.random(m) < 0.06,
            "drugs": rng.random(m) < 0.05,
            "knife_carrier": rng.random(m) < 0.01,
            "domestic_abuse": dom | (rng.random(m) < 0.05),
        }
        # Chronic members scheduled to be victimised this month take random first-victim slots.
        c = self.cohort
        members = c.victimisations(first_day, last_day)[self._part :: self._parts]
        first_slot = np.flatnonzero((np.r_[True, off[1:] != off[:-1]]) & ~dom)
        if len(members) and len(first_slot):
            slots = rng.choice(first_slot, size=min(len(members), len(first_slot)), replace=False)
            members = members[: len(slots)]
            pid[slots], birth[slots], sex[slots] = c.person_id[members], c.birth[members], c.sex[members]
            eth[slots], home[slots] = c.ethnicity[members], c.home[members]
            for f in flags:
                flags[f][slots] = c.flags[f][members]
            age[slots] = age_at(day[off[slots]], birth[slots])
        frame = self._person_frame(rng, off, pid, age, sex, eth, home, flags, "victim")
        is_in = o["kind"][off] == "in"
        links = {
            "offence": off[is_in],
            "person_id": pid[is_in],
            "age": age[is_in],
            "sex": sex[is_in],
            "home": home[is_in],
            "when": o["when"][off[is_in]],
            "lsoa": o["lsoa"][off[is_in]],
            "knife": o["knife"][off[is_in]],
            "location": o["loc"][off[is_in]],
            "code": o["code"][off[is_in]],
        }
        return frame, links
