"""Build the full SNA and the public executive summary as offline HTML and PDF.

:func:`build_reports` is the public entry point. From the indicator table, the
findings, the ingest ledger and the run metadata it writes, into ``out_dir``:

- ``sna-full.html`` / ``sna-full.pdf``: the full SNA for partners (restricted);
- ``sna-summary.html`` / ``sna-summary.pdf``: the public executive summary, every
  figure of which comes from the disclosure-controlled view
  (:func:`svsna.outputs.public.public_indicators`);
- ``sna-tables.xlsx``: every table, plus the indicator table, ledger and methods;
- ``indicators.csv`` / ``indicators.parquet``: the indicator table.

Each HTML file is self-contained: styles inline, charts as SVG and maps as PNG in
``data:`` URIs, no fonts or scripts fetched from anywhere. The PDF is rendered by
WeasyPrint from the same HTML with the print stylesheet (page numbers, contents with
page numbers, numbered figures and tables).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.errors import InputDataError
from svsna.indicators import INDICATOR_COLUMNS, Finding, findings_from_json
from svsna.outputs.catalogue import SECTION_TITLES
from svsna.outputs.content import FigureBlock, Section, TableBlock, number_blocks
from svsna.outputs.narrative import Callout, Sentence, callout, sentence
from svsna.outputs.provenance import collect_metadata, methods_section
from svsna.outputs.sections import Inputs, build_sections
from svsna.outputs.views import ViewContext

if TYPE_CHECKING:
    import pandas as pd

    from svsna.config import AreaConfig
    from svsna.outputs.maps import Boundaries

__all__ = ["EDITIONS", "ReportPaths", "build_reports", "render_edition"]

EDITIONS: tuple[str, ...] = ("full", "public")
LEDGER_COLUMNS: tuple[str, ...] = ("source", "file", "outcome", "reason", "rows", "definition")


@dataclass(frozen=True)
class ReportPaths:
    """Where :func:`build_reports` wrote each output."""

    full_html: Path
    full_pdf: Path
    public_html: Path
    public_pdf: Path
    workbook: Path
    indicators_csv: Path
    indicators_parquet: Path

    def items(self) -> list[tuple[str, Path]]:
        return [(k, getattr(self, k)) for k in self.__dataclass_fields__]


@dataclass
class Edition:
    """One rendered edition: its sections (for the workbook and tests) and its HTML."""

    name: str
    sections: list[Section]
    html: str
    table: pd.DataFrame
    withheld: list[Sentence]
    print_html: str = ""


def _indicator_frame(indicators: Any) -> pd.DataFrame:
    import pandas as pd

    from svsna.indicators import concat_indicators

    if isinstance(indicators, str | Path):
        path = Path(indicators)
        if not path.exists():
            from svsna.errors import MissingInputError

            raise MissingInputError(f"{path}: indicator table not found (hint: run `svsna assess` first)")
        frame = (
            pd.read_parquet(path)
            if path.suffix == ".parquet"
            else pd.read_csv(path, dtype={"period": str, "breakdown_value": str, "area": str})
        )
    else:
        frame = pd.DataFrame(indicators)
    for col in ("statistic", "unit"):  # tables written before these columns existed
        if col not in frame.columns:
            frame[col] = None
    missing = [c for c in INDICATOR_COLUMNS if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"indicator table: missing column(s) {missing} (hint: the columns are svsna.indicators.INDICATOR_COLUMNS)"
        )
    frame = frame.copy()
    for col in (
        "section",
        "indicator",
        "period",
        "area",
        "breakdown",
        "breakdown_value",
        "definition",
        "significance",
        "method",
        "suppression_reason",
    ):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["suppressed"] = frame["suppressed"].map(lambda v: str(v).strip().lower() in ("true", "1", "yes"))
    for col in ("section", "indicator", "period", "area", "breakdown", "breakdown_value"):
        frame[col] = frame[col].map(lambda v: "" if v is None else str(v))
    return concat_indicators([frame]) if len(frame) else frame


def _findings(findings: Any) -> list[Finding]:
    if findings is None:
        return []
    if isinstance(findings, str | Path) and Path(findings).exists():
        return findings_from_json(Path(findings).read_text(encoding="utf-8"))
    if isinstance(findings, str):
        return findings_from_json(findings)
    return list(findings)


def _ledger(ledger: Any) -> pd.DataFrame | None:
    import pandas as pd

    if ledger is None:
        return None
    frame = pd.read_csv(ledger) if isinstance(ledger, str | Path) else pd.DataFrame(ledger)
    missing = [c for c in LEDGER_COLUMNS if c not in frame.columns]
    if missing:
        raise InputDataError(f"ledger: missing column(s) {missing}; expected {list(LEDGER_COLUMNS)}")
    return frame


def _in_definition(table: pd.DataFrame, definition: str) -> pd.DataFrame:
    d = table["definition"].fillna("").astype(str)
    return table[(d == definition) | (d == "")].reset_index(drop=True)


def _labels(findings: Sequence[Finding], field: str = "name") -> dict[str, str]:
    """Readable names (or units, ``field="unit"``) of indicators given by their findings
    (e.g. risk-factor catalogue names)."""
    out = {}
    for f in findings:
        ind, name = f.numbers.get("indicator_id"), f.numbers.get(field)
        if ind is not None and isinstance(name, str):
            out[str(ind)] = name
    return out


def _public_keep(table: pd.DataFrame, findings: Sequence[Finding]) -> pd.Series:
    """Rows the public summary may draw on: its views, the indicators its findings cite, context sections."""
    from svsna.outputs.views import PUBLIC_VIEWS

    names = {i for specs in PUBLIC_VIEWS.values() for v in specs for i in v.indicators}
    names |= {str(i) for f in findings for i in f.indicators}
    return table["indicator"].astype(str).isin(names) | table["section"].isin(
        ["risk_factors", "surveys", "population", "interventions"]
    )


def render_edition(
    edition: str,
    table: pd.DataFrame,
    findings: Sequence[Finding],
    *,
    config: AreaConfig,
    ledger: pd.DataFrame | None,
    metadata: dict[str, Any],
    boundaries: Boundaries | None,
    chart_cache: dict[str, Any] | None = None,
    progress: Any = None,
) -> Edition:
    """Build one edition's sections and HTML (no files written).

    ``progress``, when given, is called as ``progress(stage, detail)`` while charts and maps
    are drawn (``"chart"``/``"map"``), so the CLI can show a progress bar.
    """
    from svsna.outputs.opendata import adapt_methods, build_opendata_sections, is_opendata
    from svsna.outputs.public import count_rule, public_indicators, unsafe_numbers
    from svsna.outputs.views import monthly_to_quarters

    rules = config.disclosure.rules
    public = edition == "public"
    rule = count_rule(rules) if public else None
    check = partial(unsafe_numbers, rules=rules) if public else None
    definition = config.primary_definition
    od = is_opendata(metadata)  # police.uk proxy groups: every group is shown
    mine = [f for f in findings if od or not f.definition or f.definition == definition]
    on_chart = None
    if progress is not None:

        def on_chart(name: str) -> None:
            progress("map" if name in ("choropleth", "hotspot_map") else "chart", name)

    view = ViewContext(
        config, edition, boundaries, cache=chart_cache if chart_cache is not None else {}, on_chart=on_chart
    )
    if public:
        if od:
            view.featured = {str(i) for f in mine if f.public for i in f.indicators}
            keep = table["indicator"].astype(str).notna()
        else:
            keep = _public_keep(table, mine)
        small = count_rule(rules)
        base = table[keep] if od else monthly_to_quarters(table[keep], lambda v: v > 0 and small(v) is None)
        view_table = public_indicators(base, rules)
    else:
        view_table = table.assign(public_note="")
    sentences: dict[str, list[Sentence]] = {}
    withheld: list[Sentence] = []
    headline: list[Callout] = []
    for f in mine:
        s = sentence(
            f,
            rule=rule,
            check=check,
            table=view_table,
            overrides=config.report.overrides,
            multiplier=config.rate_multiplier,
            confidence=config.confidence,
            area=config.label,
            base_dir=config.base_dir,
            under=config.age_focus_under,
        )
        sentences.setdefault(f.section, []).append(s)
        if s.text is None:
            withheld.append(s)
        elif f.headline:
            c = callout(f, s.text)
            if check is None or not check(c.figure):
                headline.append(c)
    inp = Inputs(view_table, config, view, sentences, ledger, metadata, _labels(findings), _labels(findings, "unit"))
    sections = build_opendata_sections(inp, headline) if od else build_sections(inp, headline)
    if not public or od:
        methods = methods_section(inp, withheld, view_table["public_note"] if public else None)
        if od:
            adapt_methods(methods, inp)
        sections.append(methods)
    from svsna.outputs.sections import contact_section

    contact = contact_section(inp)
    kept = [
        s
        for s in sections
        if s.blocks
        or s.sentences
        or s.paragraphs
        or s.html_extra
        or s.html_lead
        or any(n.startswith("Not available in this assessment") for n in s.notes)
    ]
    if contact is not None:
        kept.append(contact)
    dropped = [s.title for s in sections if s not in kept]
    if dropped and kept:
        kept[0].notes.append("Left out because no data were supplied for them: " + "; ".join(dropped) + ".")
    number_blocks(kept)
    _distinct_captions(kept)
    html = _render_html(edition, kept, headline, config, metadata)
    print_html = _render_html(edition, kept, headline, config, metadata, for_print=True)
    return Edition(edition, kept, html, view_table, withheld, print_html)


def _distinct_captions(sections: list[Section]) -> None:
    """No two figures or tables share a caption: a repeat says which section it belongs to."""
    seen: dict[str, int] = {}
    for s in sections:
        for b in s.blocks:
            key = f"{b.kind}:{b.caption}"
            if key in seen:
                b.caption = f"{b.caption} [{s.title}]"
                key = f"{b.kind}:{b.caption}"
                if key in seen:
                    b.caption = f"{b.caption} ({b.label})"
            seen[f"{b.kind}:{b.caption}"] = 1


def how_to_read(config: AreaConfig, public: bool) -> list[str]:
    """The "how to read this report" box."""
    ci = f"{config.confidence:.0%}"
    items = [
        f"Rates are per {config.rate_multiplier:,} residents of the area (ONS population estimates), so areas and "
        "groups of different sizes can be compared.",
        f"A {ci} confidence interval (CI) shows the range within which the true value is likely to lie; narrow "
        "intervals mean more certain figures.",
        "'Statistically significant' is used only where a test was made and found a difference; figures whose "
        "intervals overlap are given as estimates, not ranked.",
        "In tables, ▲ and ▼ mark values significantly higher or lower than the comparator (England or the whole "
        "area), ✗ and ✓ significantly worse or better, and ● no significant difference.",
        "Monthly charts use statistical process control: dashed lines are the usual range of variation, and "
        "triangles mark months outside it (special cause).",
        "A part-year bar among full years is annualised (scaled to twelve months) and hatched with dots.",
        "[c] marks a value suppressed to protect privacy, [x] a value that is not available and [z] a combination "
        "that does not apply; hatched white areas on charts and maps are suppressed.",
    ]
    if public:
        items.append(
            "Counts are rounded to the nearest 5 and small numbers are not shown, so totals may not add up; "
            "'around' marks a rounded count."
        )
    return items


def _logo_uri(config: AreaConfig) -> str:
    path = config.logo_path
    if path is None:
        return ""
    if not path.is_file():
        from svsna.errors import MissingInputError

        raise MissingInputError(f"{path}: report.logo not found (hint: give the logo's path relative to area.yaml)")
    import base64

    mime = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
    return f"data:{mime[path.suffix.lower()]};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _render_html(
    edition: str,
    sections: list[Section],
    headline: list[Callout],
    config: AreaConfig,
    meta: dict[str, Any],
    *,
    for_print: bool = False,
) -> str:
    import datetime as dt

    import jinja2

    from svsna.outputs.opendata import is_opendata, report_title

    tdir = resources.files("svsna.outputs") / "templates"
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string((tdir / "report.html.j2").read_text(encoding="utf-8"))
    figures = [b for s in sections for b in s.blocks if isinstance(b, FigureBlock)]
    tables = [b for s in sections for b in s.blocks if isinstance(b, TableBlock)]
    try:
        prof = config.profile()
        period_text = f"Profile period {prof.start:%B %Y} to {prof.end:%B %Y}"
    except Exception:
        period_text = ""
    if is_opendata(meta) and meta.get("financial_years"):
        years = list(meta["financial_years"])
        joined = " and ".join([", ".join(years[:-1]), years[-1]]) if len(years) > 1 else years[0]
        period_text = ("Financial years " if len(years) > 1 else "Financial year ") + joined
    numbers = {s.key: (s.number, s.key) for s in sections}
    for alias, key in (("interventions", "prevention"),):
        if key in numbers:
            numbers[alias] = numbers[key]
    rep = config.report
    return template.render(
        css=(tdir / "report.css").read_text(encoding="utf-8"),
        title=report_title(meta, config.label) if is_opendata(meta) else rep.title,
        edition=edition,
        edition_title=_edition_title(edition, is_opendata(meta)),
        opendata=is_opendata(meta),
        area_name=config.name,
        partnership=config.partnership,
        edition_date=rep.edition or dt.date.today().strftime("%B %Y"),
        logo=_logo_uri(config),
        logo_alt=rep.logo_alt or f"{config.partnership} logo",
        period_text=period_text,
        meta=meta,
        sections=sections,
        headline=headline,
        section_numbers=numbers,
        figures=figures,
        tables=tables,
        how_to_read=how_to_read(config, edition == "public"),
        for_print=for_print,
    )


def _edition_title(edition: str, opendata: bool) -> str:
    if opendata:
        return "Full edition" if edition == "full" else "Public summary"
    return "Full assessment (restricted)" if edition == "full" else "Public summary"


def write_pdf(html: str, path: Path) -> None:
    """Render HTML to a tagged PDF (PDF/UA-1) with WeasyPrint; no network, every resource is a data: URI.

    The document title and language come from the HTML (``<title>``, ``<html lang>``); figures
    carry their alt text and tables their header cells into the PDF's structure tree.
    """
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    from weasyprint.urls import URLFetcher

    # Only data: URIs may be read; anything else stops the rendering (reports are self-contained).
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    HTML(string=html, url_fetcher=fetcher).write_pdf(path, pdf_variant="pdf/ua-1")


def _write_pdfs(jobs: list[tuple[str, Path]], say: Callable[[str, str], None] | None = None) -> None:
    """Typeset the PDFs, the two editions in parallel processes when there is more than one core."""
    import multiprocessing
    import os

    say = say or (lambda _stage, _detail: None)
    # fork (POSIX) does not re-run the caller's script, so this is safe from unguarded scripts too
    parallel = (
        len(jobs) > 1
        and (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and os.environ.get("SVSNA_SERIAL_PDF") != "1"
    )
    if parallel:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {}
            for html, path in jobs:
                say("pdf", path.name)
                futures[pool.submit(write_pdf, html, path)] = path
            for fut in as_completed(futures):
                fut.result()
                say("pdf-done", futures[fut].name)
        return
    for html, path in jobs:
        say("pdf", path.name)
        write_pdf(html, path)
        say("pdf-done", path.name)


def check_report_settings(config: AreaConfig) -> None:
    """``report.commentary`` must name sections of the report (a typo would silently drop the text)."""
    from svsna.errors import ConfigError
    from svsna.outputs.sections import COMMENTARY_KEYS

    bad = sorted(set(config.report.commentary) - set(COMMENTARY_KEYS))
    if bad:
        raise ConfigError(
            f"report.commentary: unknown section(s) {bad}",
            hint=f"use the section keys {', '.join(COMMENTARY_KEYS)}",
        )


def build_reports(
    indicators: Any,
    findings: Iterable[Finding] | str | Path | None,
    *,
    config: AreaConfig,
    ledger: Any = None,
    metadata: dict[str, Any] | None = None,
    out_dir: str | Path,
    boundaries: Any = None,
    pdf: bool = True,
    svg_charts: bool = False,
    progress: Callable[[str, str], None] | None = None,
) -> ReportPaths:
    """Write the full SNA, the public summary, the workbook and the indicator files.

    Parameters
    ----------
    indicators : DataFrame or path
        The indicator table (``svsna.indicators.INDICATOR_COLUMNS``), or a CSV/Parquet file of it.
    findings : list of Finding, JSON text or path to ``findings.json``
    config : AreaConfig
        The area configuration (label, periods, events, disclosure rule set).
    ledger : DataFrame or path, optional
        The ingest ledger (``source, file, outcome, reason, rows, definition``).
    metadata : dict, optional
        ``input_hashes`` (name -> SHA-256), ``svsna_version``, ``definitions``, ``periods``,
        ``generated``; anything missing is filled in from ``config``.
    out_dir : path
        Folder to write into (created if needed).
    boundaries : path, GeoDataFrame or mapping, optional
        LSOA polygons, or ``{"lsoa": ..., "district": ..., "lookup": frame}`` (``lookup`` has
        ``lsoa_code`` and ``district_name``, used to dissolve districts from LSOAs).
    pdf : bool
        Write the PDFs (default True).
    svg_charts : bool
        Also draw charts as SVG for the HTML (searchable text, sharp at any zoom; slower).
        By default charts are PNG in both HTML and PDF.
    progress : callable, optional
        Called as ``progress(stage, detail)`` as the work goes: ``("edition", name)``,
        ``("chart", kind)`` and ``("map", kind)`` for each chart and map drawn, ``("pdf", file)``
        before typesetting and ``("pdf-done", file)`` after, ``("workbook", file)``.

    Returns
    -------
    ReportPaths
    """
    from svsna.outputs.theme import SVG_CHARTS

    token = SVG_CHARTS.set(svg_charts)
    try:
        return _build(indicators, findings, config, ledger, metadata, Path(out_dir), boundaries, pdf, progress)
    finally:
        SVG_CHARTS.reset(token)


def _build(
    indicators: Any,
    findings: Any,
    config: AreaConfig,
    ledger: Any,
    metadata: dict[str, Any] | None,
    out: Path,
    boundaries: Any,
    pdf: bool,
    progress: Callable[[str, str], None] | None = None,
) -> ReportPaths:
    from svsna.outputs.workbook import write_indicator_files, write_workbook

    say = progress or (lambda _stage, _detail: None)
    check_report_settings(config)

    out.mkdir(parents=True, exist_ok=True)
    table = _indicator_frame(indicators)
    found = _findings(findings)
    led = _ledger(ledger)
    from svsna.outputs.opendata import is_opendata, opendata_metadata, prepare_table

    od = is_opendata(metadata)
    meta = collect_metadata(config, opendata_metadata(metadata) if od and metadata else metadata)
    bounds = None
    if od and boundaries is not None and isinstance(boundaries, str | Path):
        from svsna.outputs.opendata import district_lookup

        lookup_frame = district_lookup(meta)
        if lookup_frame is not None:  # local authority outlines on the maps
            boundaries = {"lsoa": boundaries, "lookup": lookup_frame}
    if boundaries is not None:
        from collections.abc import Mapping

        from svsna.outputs.maps import load_boundaries

        lookup = boundaries.get("lookup") if isinstance(boundaries, Mapping) else None
        if isinstance(boundaries, Mapping):
            boundaries = {k: v for k, v in boundaries.items() if k != "lookup"}
        if lookup is None and not od:  # wards and NPAs name the hot spots
            from svsna.outputs.maps import geography_lookup

            lookup = geography_lookup(config)
        bounds = load_boundaries(boundaries, lookup)
    scoped = prepare_table(table) if od else _in_definition(table, config.primary_definition)
    paths = ReportPaths(
        full_html=out / "sna-full.html",
        full_pdf=out / "sna-full.pdf",
        public_html=out / "sna-summary.html",
        public_pdf=out / "sna-summary.pdf",
        workbook=out / "sna-tables.xlsx",
        indicators_csv=out / "indicators.csv",
        indicators_parquet=out / "indicators.parquet",
    )
    editions = {}
    cache: dict[str, Any] = {}
    jobs = []
    for name in EDITIONS:
        say("edition", name)
        ed = render_edition(
            name,
            scoped,
            found,
            config=config,
            ledger=led,
            metadata=meta,
            boundaries=bounds,
            chart_cache=cache,
            progress=progress,
        )
        editions[name] = ed
        html_path = paths.full_html if name == "full" else paths.public_html
        html_path.write_text(ed.html, encoding="utf-8")
        if pdf:
            jobs.append((ed.print_html or ed.html, paths.full_pdf if name == "full" else paths.public_pdf))
    _write_pdfs(jobs, say)
    say("workbook", paths.workbook.name)
    write_workbook(paths.workbook, editions["full"].sections, table, led, meta)
    same_file = (
        Path(indicators).resolve() == paths.indicators_csv.resolve() if isinstance(indicators, str | Path) else False
    )
    write_indicator_files(table, paths.indicators_csv, paths.indicators_parquet, overwrite_csv=not same_file)
    (out / "report-metadata.json").write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
    return paths


def section_title(key: str) -> str:
    """The heading of a section key (for messages)."""
    return SECTION_TITLES.get(key, key)
