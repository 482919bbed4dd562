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
(which declares ``SUPPORTS_OPENDATA = True``; without it ``REPORT_NOT_BUILT.txt`` says what is missing).

Examples
--------
>>> TITLE
'Open-data edition'
>>> "Open Government Licence" in ATTRIBUTION
True
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.indicators import Finding, SectionResult, concat_indicators, findings_to_json
from svsna.opendata.context import OpenDataContext
from svsna.opendata.proxy import PROXY_GROUPS, PROXY_STATEMENT
from svsna.opendata.street import StreetLoad

if TYPE_CHECKING:
    import pandas as pd

    from svsna.engine import Warehouse
    from svsna.opendata.reference import ForceReference

__all__ = ["ATTRIBUTION", "REPORT_NOTE", "TITLE", "OpenDataResult", "assess", "run_opendata"]

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


def _ledger_finding(load: StreetLoad, area: str) -> Finding:
    led = load.ledger
    by_reason = led[led["outcome"] != "read"].groupby("reason")["rows"].sum()
    return Finding(
        section="od_data_quality",
        key="row_ledger",
        text=(
            f"{load.read:,} rows were read from {len(load.files)} monthly police.uk files ({load.months[0]} to "
            f"{load.months[-1]}): {load.loaded:,} crimes loaded, {load.excluded:,} excluded "
            f"(anti-social behaviour, no location, or outside {area}) and {load.rejected:,} rejected."
        ),
        numbers={
            "read": load.read,
            "loaded": load.loaded,
            "excluded": load.excluded,
            "rejected": load.rejected,
            "by_reason": {str(k): int(v) for k, v in by_reason.items()},
        },
        area=area,
        public=True,
    )


def _metadata(ref: ForceReference, years: list[int], load: StreetLoad, ctx: OpenDataContext) -> dict[str, Any]:
    return {
        "title": TITLE,
        "subtitle": f"{ref.pfa_name} police force area, from public data only",
        "edition": "opendata",
        "area": ref.pfa_name,
        "pfa_code": ref.pfa_code,
        "force_slug": ref.slug,
        "financial_years": [ctx.label(y) for y in years],
        "proxy_definition": PROXY_STATEMENT,
        "proxy_groups": {g.key: {"label": g.label, "crime_types": list(g.crime_types)} for g in PROXY_GROUPS},
        "serious_violence": False,
        "disclosure": "data.police.uk data are already published and anonymised; no further suppression applied",
        "populations": (
            "Rates per 1,000 residents. Local authority, CSP and force denominators: ONS mid-year estimates (MYE2) "
            "of the year each financial year starts; LSOA and IMD-decile denominators: ONS LSOA estimates, latest "
            "year not after the financial year's start."
        ),
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
) -> OpenDataResult:
    """Load ``force``'s police.uk files and public reference data, assess ``years``, write the outputs.

    Parameters
    ----------
    data_dir : path
        Data folder (layout in ``docs/opendata.md``); street files default to ``data_dir/police/street``.
    force : str
        data.police.uk force name (``leicestershire``, ``west-yorkshire``) or PFA code.
    years : list of int
        Financial years by starting year (2020 = April 2020 to March 2021); each must be complete.
    out_dir : path
        Where the outputs are written (created if needed).
    street_dir, workspace : path, optional
        Override the street-file folder and the warehouse workspace (default ``out_dir/workspace``).
    engine : {"duckdb", "spark"}
        Backend running the Ibis expressions.
    build_report : bool
        Also build the HTML/PDF/workbook report when ``svsna.outputs`` supports the open-data
        edition (``SUPPORTS_OPENDATA``); otherwise write ``REPORT_NOT_BUILT.txt``.
    workbook : bool
        Also write ``opendata-tables.xlsx`` (a few seconds for ~9,000 indicator rows).
    """
    from svsna.engine import open_warehouse
    from svsna.opendata.reference import load_force_reference
    from svsna.opendata.street import discover_street_files, load_street_files

    years = sorted(set(years))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ref = load_force_reference(data_dir, force)
    files = discover_street_files(Path(street_dir) if street_dir else Path(data_dir) / "police" / "street", ref.slug)
    ws = Path(workspace) if workspace else out / "workspace"
    wh: Warehouse = open_warehouse(ws)
    try:
        load = load_street_files(wh, files, ref)
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
    findings.append(_ledger_finding(load, ref.pfa_name))
    metadata = _metadata(ref, years, load, ctx)
    written = {
        "indicators_csv": out / "indicators.csv",
        "indicators_parquet": out / "indicators.parquet",
        "findings": out / "findings.json",
        "ledger": out / "ledger.csv",
        "rejects": out / "rejects.csv",
        "metadata": out / "metadata.json",
    }
    indicators.to_csv(written["indicators_csv"], index=False)
    indicators.to_parquet(written["indicators_parquet"], index=False)
    written["findings"].write_text(findings_to_json(findings), encoding="utf-8")
    load.ledger.to_csv(written["ledger"], index=False)
    rejects.to_csv(written["rejects"], index=False)
    written["metadata"].write_text(json.dumps(metadata, indent=1, ensure_ascii=False), encoding="utf-8")
    if workbook:
        from svsna.opendata.workbook import write_workbook

        written["workbook"] = write_workbook(
            out / "opendata-tables.xlsx", indicators, findings, load.ledger, rejects, metadata
        )
    result = OpenDataResult(indicators, findings, load.ledger, metadata, load, out, written)
    if build_report:
        result.files.update(_build_report(result, ref))
    return result


REPORT_NOTE = """The HTML/PDF/workbook report was not built.

{reason}

The indicator table, findings, ledger, rejects and metadata in this folder are complete.

Integration (for svsna.outputs): the open-data edition calls

    build_reports(indicators, findings, config=config, ledger=ledger, metadata=metadata,
                  out_dir=out_dir, boundaries=<LSOA 2011 GeoJSON>)

with config.definitions == ["combined", "vso", "robbery", "weapons"] and
metadata["edition"] == "opendata", metadata["title"] == "Open-data edition" and
metadata["proxy_definition"] holding the statement that police.uk cannot isolate serious violence.
It does so once svsna.outputs sets SUPPORTS_OPENDATA = True, meaning the report
  * uses metadata["title"] as the title (never "Serious Violence Strategic Needs Assessment"),
  * introduces the proxy with metadata["proxy_definition"] instead of the serious-violence wording,
  * renders the sections od_extent, od_trend, od_geography, od_hotspots, od_mix (indicator names in
    docs/opendata.md) and shows the rows of every proxy group (the definition column), not only the
    primary definition.
"""


def _build_report(result: OpenDataResult, ref: ForceReference) -> dict[str, Path]:
    """Hand the results to ``svsna.outputs.build_reports`` when it supports the open-data edition.

    Building the partner-SNA report from these results would title them "Serious Violence
    Strategic Needs Assessment", which the open-data edition must never claim; so the report is
    built only when :mod:`svsna.outputs` declares ``SUPPORTS_OPENDATA = True``. Otherwise a
    ``REPORT_NOT_BUILT.txt`` note says why and what the report needs.
    """
    note = result.out_dir / "REPORT_NOT_BUILT.txt"
    try:
        outputs = importlib.import_module("svsna.outputs")
    except ImportError:
        note.write_text(REPORT_NOTE.format(reason="svsna.outputs is not installed."), encoding="utf-8")
        return {"report_note": note}
    if not getattr(outputs, "SUPPORTS_OPENDATA", False):
        reason = (
            "svsna.outputs does not declare SUPPORTS_OPENDATA = True: its report would call these police.uk "
            "proxy figures 'serious violence', which the open-data edition must not do."
        )
        note.write_text(REPORT_NOTE.format(reason=reason), encoding="utf-8")
        return {"report_note": note}
    from svsna.config import AreaConfig

    config = AreaConfig(
        name=f"{ref.pfa_name} police force area",
        short_name=ref.pfa_name,
        financial_years=[int(p.split("/")[0]) for p in result.metadata["financial_years"]],
        definitions=["combined", "vso", "robbery", "weapons"],
        disclosure={"rules": "nhsd_2018"},
        output=result.out_dir,
    )
    made = outputs.build_reports(
        result.indicators,
        result.findings,
        config=config,
        ledger=result.ledger,
        metadata=result.metadata,
        out_dir=result.out_dir,
        boundaries=ref.boundaries,
    )
    items = made.items() if hasattr(made, "items") else []
    return {f"report_{k}": Path(v) for k, v in items}
