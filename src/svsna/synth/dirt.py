"""Dirty data: faults injected into the event extracts, each recorded for the manifest.

Every faulty row carries exactly one fault, so the ingest ledger's primary rejection
reason for that row is the rule in :data:`FAULT_RULES` (the rule names of
``svsna.sources.validation``). Rejecting an offence also rejects its victim and suspect
rows (their ``offence_ref`` then matches no loaded offence): those *knock-on* rows are
never given a fault of their own and are reported separately.

Examples
--------
>>> import numpy as np
>>> from svsna.synth.table import Table
>>> t = Table({"admission_id": ["A1", "A2", "A3"], "admission_date": ["2021-02-01"] * 3,
...     "age": ["30", "31", "32"], "sex": ["M", "F", "M"], "home_lsoa": [""] * 3, "cause_code": ["Y04"] * 3,
...     "mental_health_flag": ["N"] * 3, "person_id": ["P1", "P2", "P3"]})
>>> out, faults = inject("admissions", t, np.random.default_rng(0), 0.34, {"bad_age": 1})
>>> len(faults), faults[0].kind, out["age"][faults[0].position] in ("140", "-1", "999")
(1, 'bad_age', True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from svsna.synth.table import Table, concat

__all__ = ["FAULT_RULES", "TARGETS", "Fault", "inject"]

#: Fault kind -> the svsna ingest rule expected to reject the row (None: not rejected).
FAULT_RULES: dict[str, str | None] = {
    "bad_code": "unknown code",
    "impossible_date": "invalid date/time",  # "invalid date" for date-only fields
    "bad_age": "age out of range",
    "duplicate_key": "duplicate key",
    "orphan_reference": "orphan reference",
    "missing_required": "missing required value",
    "unknown_lsoa": "LSOA not in geography",
    "windows_1252": None,  # decoded by the reader; the ledger notes the encoding
}

#: Source -> fault kind -> columns the fault may be put in.
TARGETS: dict[str, dict[str, tuple[str, ...]]] = {
    "offences": {
        "bad_code": ("ho_code", "location_type"),
        "impossible_date": ("committed_from",),
        "missing_required": (
            "ho_code",
            "offence_description",
            "committed_from",
            "location_type",
            "lsoa",
            "domestic_flag",
        ),
        "unknown_lsoa": ("lsoa",),
        "duplicate_key": ("offence_ref",),
    },
    "victims": {
        "bad_code": ("sex", "ethnicity"),
        "bad_age": ("age",),
        "orphan_reference": ("offence_ref",),
        "missing_required": ("offence_ref", "person_id"),
        "unknown_lsoa": ("home_lsoa",),
        "duplicate_key": ("offence_ref", "person_id"),
    },
    "ae_attendances": {
        "bad_code": ("diagnosis", "sex", "assault_method"),
        "impossible_date": ("arrival_datetime",),
        "bad_age": ("age",),
        "missing_required": ("arrival_datetime", "age", "sex", "diagnosis"),
        "unknown_lsoa": ("home_lsoa",),
        "duplicate_key": ("attendance_id",),
    },
    "admissions": {
        "bad_code": ("cause_code", "sex"),
        "impossible_date": ("admission_date",),
        "bad_age": ("age",),
        "missing_required": ("admission_date", "age", "sex", "cause_code"),
        "unknown_lsoa": ("home_lsoa",),
        "duplicate_key": ("admission_id",),
    },
    "ambulance": {
        "bad_code": ("chief_complaint",),
        "impossible_date": ("call_datetime",),
        "bad_age": ("age",),
        "missing_required": ("call_datetime", "chief_complaint", "conveyed"),
        "unknown_lsoa": ("lsoa",),
        "duplicate_key": ("incident_id",),
    },
}
TARGETS["suspects"] = TARGETS["victims"]

_BAD_CODES: dict[str, tuple[str, ...]] = {
    "ho_code": ("8X", "99Z", "ABH"),
    "location_type": ("GARDEN", "NIGHTCLUB", "Street corner"),
    "sex": ("Q", "7"),
    "ethnicity": ("IC9", "W9"),
    "diagnosis": ("BRUISE", "CUT"),
    "assault_method": ("FIST", "SPOON"),
    "cause_code": ("Z99", "W25"),
    "chief_complaint": ("88", "26"),
}


@dataclass(frozen=True)
class Fault:
    """One injected fault: the row's position in the (returned) chunk, kind and column."""

    kind: str
    position: int
    column: str
    value: str

    @property
    def rule(self) -> str | None:
        return FAULT_RULES[self.kind]


def _impossible(value: str, rng: np.random.Generator) -> str:
    year = value[:4] if value[:4].isdigit() else "2021"
    rest = value[10:]  # " HH:MM" or ""
    day = rng.choice(["02-30", "04-31", "13-01", "06-31", "02-29" if int(year) % 4 else "11-31"])
    return f"{year}-{day}{rest}"


def inject(
    source: str,
    frame: Table,
    rng: np.random.Generator,
    rate: float,
    kinds: dict[str, float],
    exclude: np.ndarray | None = None,
) -> tuple[Table, list[Fault]]:
    """Put one fault in about ``rate`` of the rows of ``frame`` (a chunk of ``source``).

    ``exclude`` marks rows that must stay untouched (e.g. knock-on rows). Duplicated rows
    are appended at the end of the chunk; their positions are those of the copies.
    """
    targets = TARGETS.get(source, {})
    usable = {k: w for k, w in kinds.items() if k in targets and w > 0}
    n = len(frame)
    if not usable or rate <= 0 or n == 0:
        return frame, []
    k = int(rng.binomial(n, rate))
    candidates = np.arange(n) if exclude is None else np.flatnonzero(~exclude)
    k = min(k, len(candidates))
    if k == 0:
        return frame, []
    names = list(usable)
    p = np.array([usable[x] for x in names], float)
    chosen = rng.choice(names, size=k, p=p / p.sum())
    rows = rng.choice(candidates, size=k, replace=False)
    out = frame.copy()
    faults: list[Fault] = []
    dup_rows: list[int] = []
    for kind, row in zip(chosen, rows, strict=True):
        cols = targets[kind]
        col = cols[int(rng.integers(len(cols)))]
        if kind == "duplicate_key":
            dup_rows.append(int(row))
            continue
        old = str(out[col][row])
        if kind == "bad_code":
            value = str(rng.choice(_BAD_CODES[col]))
        elif kind == "impossible_date":
            value = _impossible(old, rng)
        elif kind == "bad_age":
            value = str(rng.choice(["140", "-1", "999"]))
        elif kind == "orphan_reference":
            value = f"LP/99/{int(rng.integers(900000, 999999))}"
        elif kind == "missing_required":
            value = ""
        elif kind == "unknown_lsoa":
            num = int(rng.integers(90000, 99999))
            # An offence LSOA outside the area is rejected; a home LSOA outside the area is kept (as outside the
            # area), so a home fault is a code that is no LSOA at all.
            value = f"E01{num:06d}" if col == "lsoa" else f"E01{num:05d}X"
        else:  # pragma: no cover - kinds are checked above
            raise ValueError(kind)
        out[col][row] = value
        faults.append(Fault(str(kind), int(row), col, value))
    if dup_rows:
        out = concat([out, frame.take(np.array(dup_rows))])
        for j, row in enumerate(dup_rows):
            faults.append(Fault("duplicate_key", n + j, ",".join(targets["duplicate_key"]), f"copy of row {row}"))
    return out, faults
