"""Build the full SNA and the public release as offline HTML, PDF, workbooks and tables.

:func:`build_reports` is the public entry point. From the indicator table, the findings,
the ingest ledger and the run metadata it writes the output layout shared with ingest,
assess and the web SNA (docs/disclosure.md):

``<out>/restricted/`` (exact figures, owner-only, protective marking on every page and sheet)
    ``sna-full.html`` / ``sna-full.pdf`` (the full SNA), ``sna-tables.xlsx`` (every table, the
    exact indicator table, the ledger and input hashes), ``report-metadata.json``, and
    ``indicators.csv`` / ``indicators.parquet`` when they are not already there (assess
    writes them).
``<out>/public/`` (the public release: everything from ONE disclosure-controlled table)
    ``sna-summary.html`` / ``sna-summary.pdf``, ``sna-public-tables.xlsx``,
    ``indicators-public.csv`` / ``indicators-public.parquet`` and ``release.json`` (the
    manifest: files and SHA-256, rule set, audit result, area, periods, baseline year, definition).
``<out>/history/<id>/`` (one folder per run, ``id`` = UTC ``YYYYMMDDTHHMMSSZ``)
    ``indicators-public.parquet``, ``indicators.parquet`` and ``release.json``.

The public release is built by :func:`svsna.outputs.public.public_release` and proved by its
joint audit before anything public is written. When the audit fails the restricted outputs are
still written and :class:`svsna.errors.DisclosureAuditError` (exit 4) names the counts; the
previous public release, if any, is left as it was.

Each HTML file is self-contained: styles inline, charts as SVG and maps as PNG in
``data:`` URIs, no fonts or scripts fetched from anywhere. The PDF is rendered by
WeasyPrint from the same HTML with the print stylesheet (page numbers, contents with
page numbers, numbered figures and tables). Every file is written atomically and
owner-only (:mod:`svsna.files`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from svsna.errors import InputDataError
from svsna.indicators import INDICATOR_COLUMNS, Finding, findings_from_json
from svsna.outputs.catalogue import SECTION_TITLES, counted_noun
from svsna.outputs.content import FigureBlock, Section, TableBlock, number_blocks
from svsna.outputs.narrative import Callout, Sentence, callout, sentence
from svsna.outputs.provenance import about_section, collect_metadata, methods_section
from svsna.outputs.sections import SHOWN_FROM_ROWS, Inputs, build_sections
from svsna.outputs.views import ViewContext
from svsna.outputs.wording import nest_brackets

if TYPE_CHECKING:
    import pandas as pd

    from svsna.config import AreaConfig
    from svsna.outputs.maps import Boundaries
    from svsna.outputs.public import PublicRelease

__all__ = [
    "EDITIONS",
    "AssessmentInputs",
    "ReportPaths",
    "assessment_inputs",
    "build_reports",
    "check_assessment_basis",
    "check_report_settings",
    "render_edition",
]

EDITIONS: tuple[str, ...] = ("full", "public")
LEDGER_COLUMNS: tuple[str, ...] = ("source", "file", "outcome", "reason", "rows", "definition")


@dataclass(frozen=True)
class ReportPaths:
    """Where :func:`build_reports` wrote each output (see the module docstring for the layout)."""

    full_html: Path
    full_pdf: Path
    public_html: Path
    public_pdf: Path
    workbook: Path
    indicators_csv: Path
    indicators_parquet: Path
    public_workbook: Path
    public_csv: Path
    public_parquet: Path
    release: Path
    metadata: Path
    history: Path
    #: for the analyst, not a file: what the public summary left out of a finding, or withheld, because
    #: a number is neither a figure of the public table nor declared context (no values: keys only)
    warnings: tuple[str, ...] = ()

    #: Each output's name for people, and whether it is public (safe to publish) or restricted
    #: (exact figures, for partners); the one labelling the CLI summaries use.
    LABELS: ClassVar[dict[str, tuple[str, bool]]] = {
        "full_html": ("Full SNA", False),
        "full_pdf": ("Full SNA (PDF)", False),
        "workbook": ("Workbook of exact figures", False),
        "indicators_csv": ("Indicator table (CSV)", False),
        "indicators_parquet": ("Indicator table (Parquet)", False),
        "metadata": ("Report metadata", False),
        "history": ("Archive of this run", False),
        "public_html": ("Public executive summary", True),
        "public_pdf": ("Public executive summary (PDF)", True),
        "public_workbook": ("Public workbook", True),
        "public_csv": ("Public indicator table (CSV)", True),
        "public_parquet": ("Public indicator table (Parquet)", True),
        "release": ("Release manifest (release.json)", True),
    }

    @classmethod
    def under(cls, out: Path, assessment_id: str) -> ReportPaths:
        r, p = out / "restricted", out / "public"
        return cls(
            full_html=r / "sna-full.html",
            full_pdf=r / "sna-full.pdf",
            public_html=p / "sna-summary.html",
            public_pdf=p / "sna-summary.pdf",
            workbook=r / "sna-tables.xlsx",
            indicators_csv=r / "indicators.csv",
            indicators_parquet=r / "indicators.parquet",
            public_workbook=p / "sna-public-tables.xlsx",
            public_csv=p / "indicators-public.csv",
            public_parquet=p / "indicators-public.parquet",
            release=p / "release.json",
            metadata=r / "report-metadata.json",
            history=out / "history" / assessment_id,
        )

    def items(self) -> list[tuple[str, Path]]:
        import dataclasses

        # fields() leaves out LABELS: __dataclass_fields__ also lists class variables
        return [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self) if f.name != "warnings"]

    def described(self, names: Iterable[str] | None = None) -> list[tuple[str, bool, Path]]:
        """``(label, public, path)`` of the outputs ``names`` (default: all) that exist, public first.

        >>> paths = ReportPaths.under(Path("/nonexistent"), "20260101T000000Z")
        >>> paths.described()
        []
        """
        chosen = list(self.LABELS) if names is None else list(names)
        rows = [(*self.LABELS[n], getattr(self, n)) for n in chosen if getattr(self, n).exists()]
        return sorted(rows, key=lambda row: not row[1])

    @property
    def public_files(self) -> list[Path]:
        """The files of the public release (those listed in ``release.json``)."""
        return [self.public_html, self.public_pdf, self.public_workbook, self.public_csv, self.public_parquet]


@dataclass(frozen=True)
class AssessmentInputs:
    """The files ``svsna report`` reads (see :func:`assessment_inputs`)."""

    indicators: Path
    findings: Path
    ledger: Path | None


def assessment_inputs(folder: Path, *, area: str = "area.yaml") -> AssessmentInputs:
    """Find the assessment in an output folder: ``restricted/`` first, then the folder itself
    (where versions before the public/restricted layout wrote it). ``area`` is the area file as
    the user named it, for the hint.

    Raises
    ------
    MissingInputError
        When there is no indicator table or no ``findings.json`` (hint: run ``svsna assess``).
    """
    from svsna.errors import MissingInputError

    places = [folder / "restricted", folder]
    for place in places:  # the first folder holding both an indicator table and its findings
        indicators = next((place / n for n in ("indicators.parquet", "indicators.csv") if (place / n).is_file()), None)
        if indicators is not None and (place / "findings.json").is_file():
            break
    else:
        indicators = next(
            (p / n for p in places for n in ("indicators.parquet", "indicators.csv") if (p / n).is_file()), None
        )
        if indicators is None:
            raise MissingInputError(
                f"{folder}: no indicators.parquet or indicators.csv in {folder / 'restricted'}",
                hint=f"run `svsna assess --area {area}` first",
            )
        raise MissingInputError(
            f"{indicators.parent / 'findings.json'}: findings not found",
            hint=f"run `svsna assess --area {area}` first",
        )
    findings = indicators.parent / "findings.json"
    ledger = next((p / "ledger.csv" for p in places if (p / "ledger.csv").is_file()), None)
    return AssessmentInputs(indicators, findings, ledger)


def check_assessment_basis(
    found: AssessmentInputs, config: AreaConfig, ingest_run: str | None, *, area: str = "area.yaml"
) -> str | None:
    """Refuse to report an assessment made from other settings or other data than the report would
    describe; a warning (returned) when the assessment does not say what it was made from.

    The report labels the figures from ``area.yaml`` (periods, baseline year, age focus, night-time
    hours ...): an assessment made with other values would be printed under the wrong labels. A
    re-ingest after the assessment changes the data and the row ledger the report prints beside it.

    Parameters
    ----------
    found : AssessmentInputs
        The assessment (its ``assessment.json`` lies beside the indicator table).
    config : AreaConfig
        The area as the report reads it now.
    ingest_run : str or None
        The ingest run the warehouse holds now (None: no warehouse here, not checked).
    area : str
        How to name the area file in a hint.

    Raises
    ------
    ConfigError
        A setting the analyses read (:data:`svsna.config.ANALYSIS_SETTINGS`) has changed since the
        assessment (exit 3).
    MissingInputError
        The warehouse holds data ingested after the assessment (exit 5).
    """
    from svsna.config import ANALYSIS_SETTINGS
    from svsna.errors import ConfigError, MissingInputError, quote_value

    manifest = found.indicators.parent / "assessment.json"
    basis = {}
    if manifest.is_file():  # written by every svsna since the basis was recorded; damaged is a fault
        basis = _read_assessment_file(manifest, lambda p: json.loads(p.read_text(encoding="utf-8")).get("basis")) or {}
    if not basis.get("settings"):
        return (
            f"{manifest.name} does not say which settings and data the assessment was made from (an older svsna): "
            f"run `svsna assess --area {area}` again if area.yaml or the data changed since"
        )
    then, now = basis["settings"], config.analysis_settings()
    changed = [k for k in ANALYSIS_SETTINGS if k in then and then.get(k) != now.get(k)]
    if changed:

        def said(v: Any) -> str:
            return "not set" if v is None else quote_value(json.dumps(v))

        shown = {k: (said(then.get(k)), said(now.get(k))) for k in changed}
        what = "; ".join(f"{k} {a} then, {b} now" for k, (a, b) in shown.items())
        raise ConfigError(
            f"{area}: changed since the assessment in {manifest.parent} was made ({what}): the report would label "
            "its figures with the new settings",
            hint=f"run `svsna assess --area {area}` again, or set {changed[0]} back",
        )
    made_from = basis.get("ingest_run")
    if made_from and ingest_run and made_from != ingest_run:
        raise MissingInputError(
            f"{manifest}: the assessment was made from ingest run {made_from}, but the warehouse now holds run "
            f"{ingest_run}: the report would print old figures beside the new data's row ledger",
            hint=f"run `svsna assess --area {area}` again",
        )
    return None


@dataclass
class Edition:
    """One rendered edition: its sections (for the workbook and tests) and its HTML."""

    name: str
    sections: list[Section]
    html: str
    table: pd.DataFrame
    withheld: list[Sentence]
    print_html: str = ""
    release: PublicRelease | None = None
    #: for the analyst (restricted): numbers of findings the public edition left out, or findings it
    #: withheld, because a number is neither a figure of the public table nor declared context
    warnings: list[str] = field(default_factory=list)


def damaged_assessment(path: Path, exc: BaseException, by: str = "assess") -> Exception:
    """The fault for an assessment file ``svsna assess`` (or ``by``) wrote that can no longer be read
    (exit 7, as a damaged warehouse): one line naming the file, what the reader said, and the hint to
    run the command that writes it again.

    >>> print(damaged_assessment(Path("out/restricted/findings.json"), ValueError("Expecting value")))
    ... # doctest: +NORMALIZE_WHITESPACE
    out/restricted/findings.json: the assessment file is damaged and cannot be read (ValueError: Expecting
    value); hint: run `svsna assess` again to write it afresh
    """
    from svsna.errors import WarehouseStateError

    said = " ".join(str(exc).split())
    said = said if len(said) <= 160 else said[:160] + "…"
    return WarehouseStateError(
        f"{path}: the assessment file is damaged and cannot be read ({type(exc).__name__}: {said})",
        hint=f"run `svsna {by}` again to write it afresh",
    )


def _read_assessment_file(path: Path, read: Callable[[Path], Any], by: str = "assess") -> Any:
    """``read(path)``, with a file that cannot be parsed (truncated, overwritten, not svsna's) reported
    as a damaged assessment file (:func:`damaged_assessment`); file-system faults pass through."""
    import pyarrow as pa

    try:
        return read(path)
    except OSError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, pa.ArrowException) as exc:
        raise damaged_assessment(path, exc, by) from exc


def _indicator_frame(indicators: Any) -> pd.DataFrame:
    import pandas as pd

    from svsna.indicators import concat_indicators

    if isinstance(indicators, str | Path):
        path = Path(indicators)
        if not path.exists():
            from svsna.errors import MissingInputError

            raise MissingInputError(f"{path}: indicator table not found (hint: run `svsna assess` first)")
        frame = _read_assessment_file(
            path,
            pd.read_parquet
            if path.suffix == ".parquet"
            else lambda p: pd.read_csv(p, dtype={"period": str, "breakdown_value": str, "area": str}),
        )
    else:
        frame = pd.DataFrame(indicators)
    from svsna.indicators import standardise_indicators

    frame = standardise_indicators(
        frame, source=str(indicators) if isinstance(indicators, str | Path) else "indicator table"
    )
    return concat_indicators([frame]) if len(frame) else frame[list(INDICATOR_COLUMNS)]


def _findings(findings: Any) -> list[Finding]:
    if findings is None:
        return []
    if isinstance(findings, str | Path) and Path(findings).exists():
        return _read_assessment_file(Path(findings), lambda p: findings_from_json(p.read_text(encoding="utf-8")))
    if isinstance(findings, str):
        return findings_from_json(findings)
    return list(findings)


def _ledger(ledger: Any) -> pd.DataFrame | None:
    import pandas as pd

    if ledger is None:
        return None
    frame = (
        _read_assessment_file(Path(ledger), pd.read_csv, by="ingest")
        if isinstance(ledger, str | Path)
        else pd.DataFrame(ledger)
    )
    missing = [c for c in LEDGER_COLUMNS if c not in frame.columns]
    if missing:
        raise InputDataError(f"ledger: missing column(s) {missing}; expected {list(LEDGER_COLUMNS)}")
    return frame


def definition_name(config: AreaConfig) -> str:
    """The ``name`` of the area's first definition, as the indicator table and findings carry it.

    ``area.yaml`` may list a definition by name (``llr_vrn``) or by the path of its YAML
    (``definitions/my_def.yaml``, relative to the area file); ingest and the analyses record
    rows under the YAML's ``name``, so the report must filter on that name, never on the path.

    Raises
    ------
    ConfigError
        When the entry is a path that cannot be loaded as a definition.
    """
    from svsna.definitions.definition import resolve_definition_names

    return resolve_definition_names([config.primary_definition], config.base_dir, load_names=False)[0]


def _in_definitions(
    table: pd.DataFrame, definitions: Sequence[str], omits: Iterable[Any] | None = None
) -> pd.DataFrame:
    """Rows of the shown ``definitions`` (and of none), less the ``(indicator, breakdown)`` pairs of
    ``omits`` (run metadata ``report_omits``: rows too fine for a report, kept in the workbook)."""
    import pandas as pd

    d = table["definition"].fillna("").astype(str)
    keep = d.isin([*definitions, ""])
    if omits:
        pairs = pd.MultiIndex.from_tuples([(str(i), str(b)) for i, b in omits])
        rows = pd.MultiIndex.from_arrays([table["indicator"].astype(str), table["breakdown"].astype(str)])
        keep &= ~rows.isin(pairs)
    return table[keep].reset_index(drop=True)


def _labels(findings: Sequence[Finding], field: str = "name") -> dict[str, str]:
    """Readable names (or units, ``field="unit"``, or printed sources, ``field="source"``) of
    indicators given by their findings (e.g. risk-factor catalogue names)."""
    out = {}
    for f in findings:
        ind, name = f.numbers.get("indicator_id"), f.numbers.get(field)
        if ind is not None and isinstance(name, str):
            out[str(ind)] = name
    return out


def public_release_for(
    table: pd.DataFrame, findings: Sequence[Finding], *, config: AreaConfig, every_row: bool = False
) -> PublicRelease:
    """The public release of one assessment: scope, disclosure control and joint audit.

    ``every_row`` (run metadata ``public_scope: all``) lets every row the disclosure control passes
    into the release, not only the indicators the public findings rely on and the summary's views.
    """
    from svsna.outputs.public import featured_indicators, public_release, public_scope, ratio_partner_rows

    _check_rule_set(config)
    featured = None if every_row else featured_indicators(findings, definition_name(config))
    scope = ratio_partner_rows(table, public_scope(table, featured, every_row=every_row))
    periods = [(p.label, p.start, p.end) for p in config.periods()]
    try:
        prof = config.profile()
        periods.append((prof.label, prof.start, prof.end))
    except ValueError:  # no periods configured
        pass
    return public_release(
        table[scope],
        config.disclosure.rules,
        min_group_size=config.disclosure.min_group_size,
        confidence=config.confidence,
        periods=periods,
        labels=ViewContext(config, "public", noun=counted_noun(table)).label,
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
    release: PublicRelease | None = None,
    progress: Any = None,
) -> Edition:
    """Build one edition's sections and HTML (no files written).

    The public edition draws everything from ``release.table`` (built here when not given):
    tables, charts, alt text, call-outs and sentences. A finding is printed only when every
    number in it is a figure of that table (:func:`svsna.outputs.public.public_finding`).
    ``progress``, when given, is called as ``progress(stage, detail)`` while charts and maps
    are drawn (``"chart"``/``"map"``), so the CLI can show a progress bar.
    """
    from svsna.outputs.public import (
        NOT_A_FIGURE,
        NUMBER_HINT,
        FindingRows,
        about_finding,
        add_warning,
        public_finding,
        published_numbers,
        unaccounted_numbers,
        verified_tallies,
    )
    from svsna.outputs.sentences import TEMPLATES

    public = edition == "public"
    definition = definition_name(config)
    groups_shown = shown_definitions(metadata, definition)
    if public and release is None:
        release = public_release_for(table, findings, config=config, every_row=metadata.get("public_scope") == "all")
    allowed = published_numbers(release.table) if public and release is not None else set()
    mine = [f for f in findings if not f.definition or f.definition in groups_shown]
    on_chart = None
    if progress is not None:

        def on_chart(name: str) -> None:
            progress("map" if name in ("choropleth", "hotspot_map") else "chart", name)

    view = ViewContext(
        config,
        edition,
        boundaries,
        cache=chart_cache if chart_cache is not None else {},
        on_chart=on_chart,
        noun=counted_noun(table),
    )
    view_table = release.table if public and release is not None else table.assign(public_note="")
    words: dict[str, Any] = {
        "table": view_table,
        "overrides": config.report.overrides,
        "multiplier": config.rate_multiplier,
        "confidence": config.confidence,
        "area": config.label,
        "base_dir": config.base_dir,
        "under": config.age_focus_under,
    }
    sentences: dict[str, list[Sentence]] = {}
    withheld: list[Sentence] = []
    warnings: list[str] = []
    headline: list[Callout] = []
    finding_rows = FindingRows(table, release.table, release.by_source_row) if public and release is not None else None
    for f in mine:
        shown = f
        if public and release is not None:
            # a recommendation prints its rule's words (its figures are rewritten); others are templated
            templated = f.key != "recommendation" and (f.key in TEMPLATES or f.key in config.report.overrides)
            dropped: dict[str, Any] = {}
            # a finding shown from its rows (a table) is never printed as a sentence: nothing to warn of
            heard = warnings if f.key not in SHOWN_FROM_ROWS else []
            pf, why = public_finding(
                f,
                table,
                release.table,
                rules=config.disclosure.rules,
                templated=templated,
                by_row=release.by_source_row,
                rows=finding_rows,
                warnings=heard,
                dropped=dropped,
            )
            exact = sentence(f, **words) if pf is None else None
            if exact is not None and exact.missing:  # a number never supplied: "not available", in both editions
                s = Sentence(f, None, exact.withheld, exact.missing, exact.topic)
            elif pf is None:
                s = Sentence(f, None, why)
            else:
                shown = pf
                # a templated finding already holds published figures: its counts print as they are,
                # in the public wording (``rule`` given)
                s = sentence(pf, **words, rule=_as_published) if templated else sentence(pf, **words)
                _note_dropped(
                    heard, dropped, s, lambda n, pf=pf: sentence(replace(pf, numbers=n), **words, rule=_as_published)
                )
                if s.missing and s.missing in f.numbers:  # dropped by disclosure control, not missing
                    s = Sentence(f, None, f"'{s.missing}' is not a figure of the public table", topic=s.topic)
                elif f.key == "recommendation":  # its number and level order both editions alike
                    s = Sentence(f, s.text, s.withheld, s.missing, s.topic)
                # a finding about public data only (population estimates, the YEF Toolkit) comes back
                # as it was and may state its own figures; any other sentence states public figures only
                bad = [] if pf is f else unaccounted_numbers(s.text or "", allowed, verified_tallies(f, release.table))
                if bad:
                    s = Sentence(f, None, f"sentence states {', '.join(bad)}, not in the public table")
                    said = f"is withheld: its sentence states a number that is {NOT_A_FIGURE} ({NUMBER_HINT})"
                    add_warning(heard, f"{about_finding(f)} {said}")
        else:
            s = sentence(f, **words)
        sentences.setdefault(f.section, []).append(s)
        if s.text is None:
            withheld.append(s)
        elif f.headline:
            c = callout(shown, s.text)
            if not public or not unaccounted_numbers(c.figure, allowed):
                headline.append(c)
    if public and release is not None and metadata.get("public_views") == "featured":
        # A summary of generic views (the open-data edition) shows the indicators its printed findings
        # rely on, the core views and the context sections; the partnership summary draws its curated
        # views (PUBLIC_VIEWS). Both draw from the public table only.
        view.featured = {str(i) for ss in sentences.values() for x in ss if x.text for i in x.finding.indicators}
    inp = Inputs(
        view_table,
        config,
        view,
        sentences,
        ledger,
        metadata,
        _labels(findings),
        _labels(findings, "unit"),
        _labels(findings, "source"),
    )
    sections = _layout(metadata)(inp, headline)
    if public and release is not None:
        merge = metadata.get("withheld_sentences") != "each"
        _add_withheld_groups(sections, release.withheld_groups, merge=merge)
    if public and release is not None and not metadata.get("inputs_public"):
        # the public summary's short "About these figures"; the technical appendix is restricted
        sections.append(about_section(inp, withheld, release))
    else:  # the appendix; inputs that are public data themselves keep it in the public summary too
        sections.append(methods_section(inp, withheld, release if public else None))
    from svsna.outputs.sections import contact_section

    contact = contact_section(inp)
    kept = [
        s
        for s in sections
        if s.blocks
        or s.sentences
        or s.callouts
        or s.paragraphs
        or s.html_extra
        or s.html_lead
        or any(n.startswith("Not available in this assessment") for n in s.notes)
    ]
    if contact is not None:
        kept.append(contact)
    if kept:
        kept[0].notes += _left_out_notes([s for s in sections if s not in kept], inp)
    number_blocks(kept)
    _distinct_captions(kept)
    _point_to_workbook(kept, public)
    marking = None if public else config.disclosure.protective_marking
    html = _render_html(edition, kept, headline, config, metadata, marking=marking)
    print_html = _render_html(edition, kept, headline, config, metadata, for_print=True, marking=marking)
    return Edition(edition, kept, html, view_table, withheld, print_html, release if public else None, warnings)


def _note_dropped(warnings: list[str], dropped: dict[str, Any], said: Sentence, say: Callable[[Any], Sentence]) -> None:
    """Warn (for the analyst) of each number the public edition left out of a finding whose sentence it
    changes: ``dropped`` maps each warning to the finding's numbers with that number kept
    (:func:`svsna.outputs.public.public_finding`), ``say`` writes the sentence of such numbers (only
    compared, never published) and ``said`` is the public sentence. A number the sentence does not use is
    left out silently: nothing of the summary is lost."""
    from svsna.outputs.public import add_warning

    for line, numbers in dropped.items():
        kept = say(numbers)
        if (kept.text, kept.missing) != (said.text, said.missing):
            add_warning(warnings, line)


def _as_published(n: float | None) -> float | None:
    """The count rule of a finding whose numbers are already published figures: each stays as it is."""
    return n


def _add_withheld_groups(sections: list[Section], groups: list[tuple[str, str]], *, merge: bool = True) -> None:
    """What was withheld whole (a profile, a breakdown, a monthly series), in the section it belongs
    to: one sentence per reason, listing what it applies to (not a wall of sentences); with
    ``merge=False`` (the open-data edition, a sentence per proxy group) one sentence each."""
    import re

    from svsna.outputs.sections import SECTION_ORDER
    from svsna.outputs.wording import join_words

    home = {t: key for key, tabs in SECTION_ORDER for t in tabs}
    by_key = {s.key: s for s in sections}
    grouped: dict[str, dict[str, list[str]]] = {}
    for section, text in groups:
        key = home.get(section, section)
        if not merge:
            target = by_key.get(key)
            if target is not None and text not in target.notes:
                target.notes.append(text)
            continue
        m = re.fullmatch(r"Not published: (.+?), because (.+?)\.", text)
        what, why = (m.group(1), m.group(2)) if m else (text, "")
        items = grouped.setdefault(key, {}).setdefault(why, [])
        if what not in items:
            items.append(what)
    for key, reasons in grouped.items():
        target = by_key.get(key)
        if target is None:
            continue
        for why, items in reasons.items():
            if not why:
                target.notes += [i for i in items if i not in target.notes]
                continue
            if len(items) == 1:
                target.notes.append(f"Not published: {items[0]}, because {why}.")
                continue
            why = why.replace("its counts", "their counts").replace("it describes", "they describe")
            target.notes.append(
                f"Not published, because {why}: " + join_words([i[:1].lower() + i[1:] for i in items]) + "."
            )


def _point_to_workbook(sections: list[Section], public: bool) -> None:
    """A table printed shortened names the workbook and sheet that hold all its rows."""
    from svsna.outputs.workbook import section_sheets

    names = ReportPaths.under(Path(), "")
    book = (names.public_workbook if public else names.workbook).name
    for sec, sheet in section_sheets(sections):
        for t in sec.tables:
            if t.whole is not None:
                t.sheet, t.book = sheet, book


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
        "A part-year bar among full years is hatched with dots; a rate there is annualised (scaled to twelve months), "
        "a share is not (it is already a share of its own months).",
        "[c] marks a value suppressed to protect privacy, [x] a value that is not available and [z] a combination "
        "that does not apply; hatched white areas on charts and maps are suppressed.",
    ]
    if public:
        from svsna.stats import RULE_SETS

        rs = RULE_SETS.get(config.disclosure.rules)
        base = getattr(rs, "rounding_base", 1) or 1
        items.append(
            (
                f"Counts in this summary are rounded to the nearest {base} and small numbers are not shown"
                if base > 1
                else "Small counts are not shown in this summary"
            )
            + ", so totals may not add up; rates and percentages are worked out from the published counts."
        )
    return items


def _check_rule_set(config: AreaConfig) -> None:
    """``disclosure.rules`` must name a rule set (:data:`svsna.stats.RULE_SETS`)."""
    from svsna.errors import ConfigError
    from svsna.stats import RULE_SETS

    if config.disclosure.rules not in RULE_SETS:
        raise ConfigError(
            f"disclosure.rules: unknown disclosure rule set {config.disclosure.rules!r}",
            hint=f"choose one of {', '.join(sorted(RULE_SETS))} (docs/disclosure.md)",
        )


def _check_logo(config: AreaConfig) -> None:
    """``report.logo``, when set, must be a file."""
    path = config.logo_path
    if path is not None and not path.is_file():
        from svsna.errors import MissingInputError

        raise MissingInputError(
            f"{path}: report.logo not found", hint="give the logo's path relative to area.yaml, or remove the setting"
        )


def _left_out_notes(dropped: list[Any], inp: Any) -> list[str]:
    """Why sections with nothing to show were left out: data supplied that could not be used (every
    row rejected at ingest, or unusable for the analysis: the assessment's section statuses, from the
    ``data_quality`` ``section_status`` findings, statuses only, no counts, so the public edition can
    say it too); rows in the edition's table none of which could be shown (the public summary: figures
    too small to publish); otherwise no data supplied."""
    from svsna.analyses import people
    from svsna.outputs.sections import SECTION_ORDER

    status: dict[str, set[str]] = {"unusable": set(), "not_supplied": set()}
    for x in inp.sentences.get("data_quality", []):
        if x.finding.key == "section_status" and x.finding.numbers.get("status") in status:
            status[str(x.finding.numbers["status"])].add(str(x.finding.numbers.get("section")))
    shows = dict(SECTION_ORDER)  # a report section -> the indicator sections it shows
    # indicator section -> the analysis writing it (people writes the perpetrators and victims sections)
    made_by = {section: people.SECTION for section, _noun in people.ROLES.values()}

    def was(key: str, what: str) -> bool:
        names = {key, *shows.get(key, ())}
        return bool((names | {made_by.get(n, n) for n in names}) & status[what])

    def has_rows(key: str) -> bool:  # rows in this edition's table, all of them withheld or not shown
        names = shows.get(key, ())
        return bool(names) and bool(len(inp.rows(tuple(names))))

    bad = [s.title for s in dropped if was(s.key, "unusable")]
    other = [s.title for s in dropped if s.title not in bad and not was(s.key, "not_supplied") and has_rows(s.key)]
    none = [s.title for s in dropped if s.title not in bad and s.title not in other]
    notes = []
    if bad:
        notes.append(
            "Left out because the data supplied for them could not be used (see the data-quality notes of the "
            "full assessment): " + "; ".join(bad) + "."
        )
    if none:
        notes.append("Left out because no data were supplied for them: " + "; ".join(none) + ".")
    if other:
        why = (
            "none of their figures can be published safely (they rest on small numbers)"
            if inp.public
            else "there was nothing to show for them"
        )
        notes.append(f"Left out because {why}: " + "; ".join(other) + ".")
    return notes


def _logo_uri(config: AreaConfig) -> str:
    path = config.logo_path
    if path is None:
        return ""
    _check_logo(config)
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
    marking: str | None = None,
) -> str:
    import datetime as dt

    import jinja2

    tdir = resources.files("svsna.outputs") / "templates"
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["nest"] = nest_brackets
    template = env.from_string((tdir / "report.html.j2").read_text(encoding="utf-8"))
    figures = [b for s in sections for b in s.blocks if isinstance(b, FigureBlock)]
    tables = [b for s in sections for b in s.blocks if isinstance(b, TableBlock)]
    try:
        prof = config.profile()
        period_text = f"Profile period {prof.start:%B %Y} to {prof.end:%B %Y}"
    except Exception:
        period_text = ""
    period_text = str(meta.get("period_text") or period_text)
    numbers = {s.key: (s.number, s.key) for s in sections}
    for alias, key in (("interventions", "prevention"),):
        if key in numbers:
            numbers[alias] = numbers[key]
    rep = config.report
    return template.render(
        css=(tdir / "report.css").read_text(encoding="utf-8"),
        title=str(meta.get("report_title") or rep.title),
        edition=edition,
        edition_title=str((meta.get("edition_titles") or EDITION_TITLES)[edition]),
        banner=str(meta.get("full_edition_banner") or ""),
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
        marking=marking,
        marking_css=_css_string(marking) if marking else "",
    )


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for the running header of the restricted PDF)."""
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 32:
            out.append(f"\\{ord(ch):X} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


#: Edition titles unless the run metadata give their own (``edition_titles``).
EDITION_TITLES: dict[str, str] = {"full": "Full assessment (restricted)", "public": "Public summary"}


def shown_definitions(metadata: Mapping[str, Any] | None, definition: str) -> list[str]:
    """The definitions whose rows and findings the report shows: the run metadata's
    ``shown_definitions`` (the open-data edition's proxy groups), else the primary ``definition``.

    >>> shown_definitions({}, "llr"), shown_definitions({"shown_definitions": ["vso", "robbery"]}, "x")
    (['llr'], ['vso', 'robbery'])
    """
    return [str(d) for d in (metadata or {}).get("shown_definitions") or [definition]]


def _layout(metadata: Mapping[str, Any] | None) -> Callable[[Inputs, list[Callout]], list[Section]]:
    """The section builder the run metadata's ``layout`` names (``partner`` by default)."""
    name = str((metadata or {}).get("layout") or "partner")
    if name == "opendata":
        from svsna.outputs.opendata import build_opendata_sections

        return build_opendata_sections
    if name != "partner":
        raise InputDataError(f"report metadata: unknown layout {name!r}", hint="use 'partner' or 'opendata'")
    return build_sections


def write_pdf(html: str, path: Path, marking: str | None = None) -> None:
    """Render HTML to a tagged PDF (PDF/UA-1) with WeasyPrint; no network, every resource is a data: URI.

    The document title and language come from the HTML (``<title>``, ``<html lang>``); figures
    carry their alt text and tables their header cells into the PDF's structure tree. Written
    atomically and owner-only. ``marking`` (restricted edition) also goes into the PDF's
    metadata (keywords and subject).
    """
    import logging

    from weasyprint import HTML

    from svsna.files import atomic_path

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    from weasyprint.urls import URLFetcher

    # Only data: URIs may be read; anything else stops the rendering (reports are self-contained).
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    doc = HTML(string=html, url_fetcher=fetcher).render()
    if marking:
        doc.metadata.keywords = [marking]
        doc.metadata.description = f"{marking}: restricted; contains unrounded figures; do not publish."
    with atomic_path(path) as tmp:
        doc.write_pdf(tmp, pdf_variant="pdf/ua-1")


def _run_forked(send: Any, fn: Callable[..., Any], args: tuple[Any, ...], keep: bool = False) -> None:
    """The body of a :class:`_Background` process: run ``fn(*args)`` and send back ``None`` (``keep``:
    ``(fn's result,)``) or the exception (as itself when it survives pickling, else as a
    ``RuntimeError`` naming it)."""
    import pickle

    try:
        value = fn(*args)
        send.send((value,) if keep else None)
    except BaseException as exc:  # every failure goes back to the parent
        try:
            pickle.loads(pickle.dumps(exc))
            send.send(exc)
        except Exception:  # an exception that cannot cross processes
            send.send(RuntimeError(f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _run_prepared(jobs: Any, send: Any, warm: Callable[[], None]) -> None:
    """The body of a process forked before its job exists (:meth:`_Background.prepare`): the slow set-up
    (``warm``: importing WeasyPrint) runs while the parent builds what the job writes; then the one
    job it is sent runs as in :func:`_run_forked` (``None``, or the parent going away: nothing to do)."""
    import contextlib
    import os

    parent = os.getppid()
    with contextlib.suppress(Exception):  # the job itself meets and reports the same failure
        warm()
    job = None
    try:
        while not jobs.poll(1.0):
            if os.getppid() != parent:  # the report was killed: nobody will send a job
                break
        else:
            job = jobs.recv()
    except EOFError:
        pass
    finally:
        jobs.close()
    if job is None:
        send.close()
        return
    fn, args = job
    _run_forked(send, fn, args)


def _answer(proc: Any, recv: Any, doing: str) -> Any:
    """What a forked process of :class:`_Background` sent back (see :func:`_run_forked`), or a
    ``RuntimeError`` when it died before answering (killed, out of memory?); waits for it to end."""
    try:
        return recv.recv()
    except EOFError:
        proc.join()
        return RuntimeError(f"{doing} stopped without a result (exit code {proc.exitcode})")
    finally:
        recv.close()
        proc.join()


def _warm_pdf() -> None:
    """Import WeasyPrint (about 2 s of CPU) ahead of the first PDF."""
    import weasyprint.urls  # noqa: F401 (imports weasyprint too)


class _Background:
    """Writes files (the PDFs, the workbooks) in forked processes while the rest of the report is
    written.

    Each job is forked as soon as its inputs exist: the full SNA is typeset, and its workbook
    written, while the public release and edition are built. :meth:`finish` waits for them and
    raises the first failure (an ``OSError`` or :class:`svsna.errors.SvsnaError` comes back as
    itself). A process forked for a job shares the parent's pages until it writes them, so its
    inputs are not copied; a process forked ahead (:meth:`prepare`) is sent its job through a pipe
    (pickled: for a PDF, the document's HTML). With one core, without ``fork`` or with
    ``SVSNA_SERIAL_PDF=1`` the jobs run one after the other in :meth:`finish`.
    """

    def __init__(self, say: Callable[[str, str], None]) -> None:
        import multiprocessing
        import os

        self.say = say
        # fork (POSIX) does not re-run the caller's script, so this is safe from unguarded scripts too
        self.parallel = (
            (os.cpu_count() or 1) > 1
            and "fork" in multiprocessing.get_all_start_methods()
            and os.environ.get("SVSNA_SERIAL_PDF") != "1"
        )
        self.running: list[tuple[Any, Any, str, str]] = []
        self.waiting: list[tuple[Callable[..., Any], tuple[Any, ...], str, str]] = []
        self.prepared: dict[str, list[tuple[Any, Any, Any]]] = {}  # stage -> (process, job end, result end)
        self.computing: list[Any] = []  # processes of compute() whose result was not asked for yet

    def prepare(self, stage: str, count: int, warm: Callable[[], None]) -> None:
        """Fork ``count`` processes for jobs of ``stage`` now, each running ``warm`` (slow imports) while
        the parent works; :meth:`submit` hands a job to one of them instead of forking then.
        Nothing happens in serial mode."""
        if not self.parallel:
            return
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        for _ in range(count):
            jobs_recv, jobs_send = ctx.Pipe(duplex=False)
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(
                target=_run_prepared, args=(jobs_recv, send, warm), name=f"svsna-{stage}-ready", daemon=True
            )
            proc.start()
            jobs_recv.close()
            send.close()
            self.prepared.setdefault(stage, []).append((proc, jobs_send, recv))

    def _release_prepared(self) -> None:
        """Tell the prepared processes that were given no job to stop, and wait for them."""
        import contextlib

        for ready in self.prepared.values():
            for proc, jobs_send, recv in ready:
                with contextlib.suppress(OSError):  # it has already gone
                    jobs_send.send(None)
                jobs_send.close()
                recv.close()
                proc.join()
        self.prepared.clear()

    def __enter__(self) -> _Background:
        return self

    def submit(self, stage: str, name: str, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` in the background; ``stage`` (``"pdf"``, ``"workbook"``) and ``name``
        are reported to ``say`` when it starts and (``"<stage>-done"``) when it ends."""
        if not self.parallel:
            self.waiting.append((fn, args, stage, name))
            return
        ready = self.prepared.get(stage)
        if ready:
            proc, jobs_send, recv = ready.pop(0)
            self.say(stage, name)
            jobs_send.send((fn, args))
            jobs_send.close()
            self.running.append((proc, recv, stage, name))
            return
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_run_forked, args=(send, fn, args), name=f"svsna-{stage}-{name}")
        self.say(stage, name)
        proc.start()
        send.close()
        self.running.append((proc, recv, stage, name))

    def submit_pdf(self, html: str, path: Path, marking: str | None) -> None:
        self.submit("pdf", path.name, write_pdf, html, path, marking)

    def compute(self, fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        """Start ``fn(*args)`` in a forked process (for a computation whose result the parent needs
        later, and which it would otherwise wait for: the public release, while the full edition is
        built); the returned function waits for the result and returns it, or raises the failure as
        :meth:`finish` would. In serial mode ``fn`` runs when the result is asked for."""
        if not self.parallel:
            return partial(fn, *args)
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_run_forked, args=(send, fn, args, True), name="svsna-compute", daemon=True)
        proc.start()
        send.close()
        self.computing.append(proc)

        def result() -> Any:
            answer = _answer(proc, recv, f"computing {getattr(fn, '__name__', 'a result')}")
            self.computing.remove(proc)
            if isinstance(answer, tuple):
                return answer[0]
            raise answer

        return result

    def _wait(self) -> BaseException | None:
        """Wait for every running job; the first failure (not raised)."""
        failure: BaseException | None = None
        for proc, recv, stage, name in self.running:
            result = _answer(proc, recv, f"writing {name}")
            if result is None:
                self.say(f"{stage}-done", name)
            elif failure is None:
                failure = result
        self.running.clear()
        return failure

    def finish(self) -> None:
        self._release_prepared()
        failure = self._wait()
        if failure is not None:
            raise failure
        for fn, args, stage, name in self.waiting:
            self.say(stage, name)
            fn(*args)
            self.say(f"{stage}-done", name)
        self.waiting.clear()

    def __exit__(self, *exc: object) -> None:
        # on an error, jobs not yet started are not started; running ones are waited for (a process
        # killed half-way would leave its temporary file behind)
        self.waiting.clear()
        for proc in self.computing:  # a result nobody will ask for (the report failed): stop it
            proc.terminate()
            proc.join()
        self.computing.clear()
        self._release_prepared()
        self._wait()


def check_report_settings(config: AreaConfig, *, rule_set: bool = True) -> None:
    """Refuse the settings only the report reads, before any work: ``disclosure.rules`` must name a
    rule set, ``report.commentary`` must name sections of the report (a typo would silently drop the
    text) and ``report.logo`` must be a file. ``svsna check`` and ``svsna assess`` call it too.

    ``rule_set=False`` leaves the rule set to :func:`public_release_for` (:func:`build_reports`
    still writes the restricted outputs when only the public release cannot be made).

    Raises
    ------
    ConfigError
        An unknown rule set or commentary section (exit code 3).
    MissingInputError
        The logo file is missing (exit code 5).
    """
    from svsna.errors import ConfigError
    from svsna.outputs.sections import COMMENTARY_KEYS

    if rule_set:
        _check_rule_set(config)
    _check_logo(config)
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
    """Write the restricted full SNA and the public release (see the module docstring).

    Parameters
    ----------
    indicators : DataFrame or path
        The indicator table (``svsna.indicators.INDICATOR_COLUMNS``), or a CSV/Parquet file of it.
    findings : list of Finding, JSON text or path to ``findings.json``
    config : AreaConfig
        The area configuration (label, periods, events, disclosure rule set, protective marking).
    ledger : DataFrame or path, optional
        The ingest ledger (``source, file, outcome, reason, rows, definition``).
    metadata : dict, optional
        ``input_hashes`` (name -> SHA-256), ``svsna_version``, ``definitions``, ``periods``,
        ``generated``; anything missing is filled in from ``config``.
    out_dir : path
        The output folder: ``restricted/``, ``public/`` and ``history/`` are written under it
        (created owner-only).
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
        before typesetting and ``("pdf-done", file)`` after, ``("workbook", file)`` and
        ``("workbook-done", file)`` (the PDFs and workbooks are written in the background while the
        rest is built, so their stages interleave with it).

    Returns
    -------
    ReportPaths

    Raises
    ------
    DisclosureAuditError
        The public release failed its audit: the restricted outputs were written, nothing public.
    """
    from svsna.outputs.theme import SVG_CHARTS

    token = SVG_CHARTS.set(svg_charts)
    try:
        return _build(indicators, findings, config, ledger, metadata, Path(out_dir), boundaries, pdf, progress)
    finally:
        SVG_CHARTS.reset(token)


def _assessment_id(history: Path) -> tuple[str, dt.datetime]:
    """A new run id: the UTC time ``YYYYMMDDTHHMMSSZ`` (one second later if taken)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    while (history / now.strftime("%Y%m%dT%H%M%SZ")).exists():
        now += dt.timedelta(seconds=1)
    return now.strftime("%Y%m%dT%H%M%SZ"), now


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
    from svsna.errors import ConfigError, SvsnaError
    from svsna.files import atomic_write_text, private_dir
    from svsna.outputs.workbook import write_indicator_files, write_workbook

    say = progress or (lambda _stage, _detail: None)
    check_report_settings(config, rule_set=False)  # an unknown rule set stops the public release only
    # the assessment is read before anything is made, so a damaged file leaves no empty run folder behind
    table = _indicator_frame(indicators)
    found = _findings(findings)
    led = _ledger(ledger)
    private_dir(out)  # history/ is made with this run's folder there, only when the release is written
    assessment_id, generated = _assessment_id(out / "history")
    paths = ReportPaths.under(out, assessment_id)
    private_dir(paths.full_html.parent)
    meta = collect_metadata(config, metadata)
    meta.setdefault("generated", generated.strftime("%d %B %Y %H:%M UTC"))
    bounds = None
    if boundaries is not None and isinstance(boundaries, str | Path):
        from svsna.outputs.opendata import district_lookup

        lookup_frame = district_lookup(meta)
        if lookup_frame is not None:  # local authority outlines on the maps
            boundaries = {"lsoa": boundaries, "lookup": lookup_frame}
    if boundaries is not None:
        from svsna.outputs.maps import load_boundaries

        lookup = boundaries.get("lookup") if isinstance(boundaries, Mapping) else None
        if isinstance(boundaries, Mapping):
            boundaries = {k: v for k, v in boundaries.items() if k != "lookup"}
        if lookup is None:  # wards and NPAs name the hot spots
            from svsna.outputs.maps import geography_lookup

            lookup = geography_lookup(config)
        bounds = load_boundaries(boundaries, lookup)
    scoped = _in_definitions(table, shown_definitions(meta, definition_name(config)), meta.get("report_omits"))

    marking = config.disclosure.protective_marking
    cache: dict[str, Any] = {}
    render = partial(
        render_edition,
        table=scoped,
        findings=found,
        config=config,
        ledger=led,
        metadata=meta,
        boundaries=bounds,
        chart_cache=cache,
        progress=progress,
    )
    # The full SNA is typeset, and its workbook written, in the background while the public edition is built;
    # the PDF processes are forked first, to import WeasyPrint while the full edition is built.
    failure: SvsnaError | None = None
    release = None
    warnings: list[str] = []
    with _Background(say) as background:
        if pdf:
            background.prepare("pdf", 2, _warm_pdf)
        # the public release (disclosure control and its audit) needs nothing of the full edition
        public_for = background.compute(
            partial(public_release_for, config=config, every_row=meta.get("public_scope") == "all"), scoped, found
        )
        say("edition", "full")
        full = render("full")
        atomic_write_text(paths.full_html, full.html)
        if pdf:
            background.submit_pdf(full.print_html or full.html, paths.full_pdf, marking)
        else:  # an earlier run's PDF would sit beside this run's HTML and disagree with it
            paths.full_pdf.unlink(missing_ok=True)
        background.submit(
            "workbook",
            paths.workbook.name,
            partial(write_workbook, marking=marking, edition="full"),
            paths.workbook,
            full.sections,
            table,
            led,
            meta,
        )
        # The exact indicator table is assess's output: when report reads it from restricted/, only a
        # missing format is added; a table given from elsewhere is copied there in both formats.
        from_restricted = isinstance(indicators, str | Path) and Path(indicators).resolve().parent == (
            paths.indicators_csv.parent.resolve()
        )
        write_indicator_files(
            table,
            None if from_restricted and paths.indicators_csv.exists() else paths.indicators_csv,
            None if from_restricted and paths.indicators_parquet.exists() else paths.indicators_parquet,
        )
        atomic_write_text(paths.metadata, json.dumps({**meta, "protective_marking": marking}, indent=1, default=str))

        # A failure of the public release must not stop the restricted outputs.
        try:
            release = public_for()
        except (ConfigError, InputDataError) as exc:  # unknown rule set, contradictory counts, failed audit
            failure = exc
        if release is not None:
            private_dir(paths.public_html.parent)
            say("edition", "public")
            public = render("public", release=release)
            warnings = public.warnings
            atomic_write_text(paths.public_html, public.html)
            if pdf:
                background.submit_pdf(public.print_html or public.html, paths.public_pdf, None)
            else:  # not part of this release, so not left to be listed in release.json or served
                paths.public_pdf.unlink(missing_ok=True)
            published = release.published()
            background.submit(
                "workbook",
                paths.public_workbook.name,
                partial(write_workbook, edition="public", about=_about_rows(release, config)),
                paths.public_workbook,
                public.sections,
                published,
                None,
                {k: v for k, v in meta.items() if k != "input_hashes"},
            )
            write_indicator_files(published, paths.public_csv, paths.public_parquet)
        background.finish()
    if release is not None:
        _write_release(paths, release, config, meta, assessment_id, generated, table)
    if failure is not None:
        message = str(failure).split("; hint: ")[0]
        raise type(failure)(
            f"{message} (the restricted outputs were written to {paths.full_html.parent}; "
            "the public release was not written and any earlier one is left as it was)",
            hint=failure.hint,
        )
    return replace(paths, warnings=tuple(warnings))


def _about_rows(release: PublicRelease, config: AreaConfig) -> list[tuple[str, str]]:
    rs = release.rules
    facts = release.summary()
    return [
        ("Disclosure rule", rs.description),
        ("Source of the rule", rs.source),
        ("Minimum group size for a profile", str(release.min_group_size)),
        (
            "Joint audit",
            f"passed: no withheld count can be narrowed to fewer than {rs.protection} possible values "
            f"({facts['protected_counts']} withheld counts checked, {facts['secondary']} further counts withheld)",
        ),
        ("Derived figures", "rates, shares, changes, ratios and intervals are computed from the published counts"),
    ]


def _write_release(
    paths: ReportPaths,
    release: PublicRelease,
    config: AreaConfig,
    meta: dict[str, Any],
    assessment_id: str,
    generated: dt.datetime,
    exact: pd.DataFrame,
) -> None:
    """``public/release.json`` (the manifest the web SNA reads) and this run's ``history/<id>/``."""
    import shutil

    from svsna import __version__
    from svsna.files import atomic_path, atomic_write_text, private_dir
    from svsna.outputs.provenance import file_sha256

    rs = release.rules
    baseline = ViewContext(config, "public").baseline_label
    files = [
        {"name": p.name, "sha256": file_sha256(p), "bytes": p.stat().st_size} for p in paths.public_files if p.exists()
    ]
    manifest = {
        "schema": 1,
        "assessment_id": assessment_id,
        "generated": generated.isoformat().replace("+00:00", "Z"),
        "svsna_version": __version__,
        "area": {"name": config.name, "label": config.label},
        "definition": definition_name(config),
        "periods": list(meta.get("periods", [])),
        # the year "against the baseline year" means, so the web SNA can name it as the report does
        "baseline": None if config.baseline_year is None else {"year": config.baseline_year, "label": baseline},
        "rule_set": {
            "name": rs.name,
            "description": rs.description,
            "source": rs.source,
            "suppress_from": rs.suppress_from,
            "suppress_to": rs.suppress_to,
            "rounding_base": rs.rounding_base,
            "symbol": rs.symbol,
            "protection": rs.protection,
            "min_group_size": release.min_group_size,
        },
        "audit": release.summary(),
        "table": {"file": paths.public_parquet.name, "columns": list(INDICATOR_COLUMNS), "rows": len(release.table)},
        "files": files,
    }
    text = json.dumps(manifest, indent=1, default=str)
    private_dir(paths.history.parent)  # history/ itself owner-only too (made here, on the first release)
    hist = private_dir(paths.history)
    for src in (paths.public_parquet,):
        with atomic_path(hist / src.name) as tmp:
            shutil.copyfile(src, tmp)
    with atomic_path(hist / "indicators.parquet") as tmp:
        exact.to_parquet(tmp, index=False)
    atomic_write_text(hist / "release.json", text)
    atomic_write_text(paths.release, text)


def section_title(key: str) -> str:
    """The heading of a section key (for messages)."""
    return SECTION_TITLES.get(key, key)
