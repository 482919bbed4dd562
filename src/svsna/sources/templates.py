"""Starting files for a new partnership: a commented ``area.yaml`` and blank extract templates.

``svsna init DIR`` writes what this module generates:

- :func:`area_yaml_text` - an ``area.yaml`` with every setting of
  :class:`svsna.config.AreaConfig`, each with a one-line comment pointing at
  ``docs/area-config.md``, sensible defaults, and instructions for the pseudonymisation
  key that never put the key in the file;
- :func:`write_extract_templates` - one Excel workbook with a ``notes`` sheet for data
  owners (what each column means, its format and codes, what happens to bad rows), one
  sheet per source whose header row is the contract's field names, drop-down lists for
  coded and yes/no columns, and a ``codes`` sheet with every code and its meaning.

Column names, types, rules and code lists all come from the data contracts
(``contracts.yaml``) and the code lists: nothing is restated here, so a template can
never disagree with what ``svsna ingest`` accepts. Every text cell goes through
:func:`svsna.cells.neutralise`, so nothing in a template is a formula.

Examples
--------
>>> import datetime as dt, yaml
>>> text = area_yaml_text("Wessex Coast VRP", today=dt.date(2026, 12, 2))
>>> cfg = yaml.safe_load(text)
>>> cfg["name"], cfg["financial_years"], cfg["baseline_year"]
('Wessex Coast VRP', [2023, 2024, 2025], 2023)
>>> cfg["inputs"]
{'geography': 'extracts.xlsx#geography', 'offences': 'extracts.xlsx#offences'}
>>> cfg["pseudonymisation"]  # the name of the variable that holds the key, never the key
{'key_env': 'SVSNA_PSEUDONYM_KEY'}
>>> [s for s in template_sheets()][:3]
['geography', 'population', 'offences']
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.cells import neutralise

if TYPE_CHECKING:
    from svsna.sources.contracts import FieldContract, SourceContract

__all__ = [
    "AREA_FILE",
    "BOOLEAN_CHOICES",
    "CODES_SHEET",
    "NOTES_SHEET",
    "REQUIRED_INPUTS",
    "WORKBOOK_FILE",
    "area_yaml_text",
    "default_financial_years",
    "template_sheets",
    "write_extract_templates",
]

AREA_FILE = "area.yaml"
WORKBOOK_FILE = "extracts.xlsx"
NOTES_SHEET = "notes"
CODES_SHEET = "codes"
#: The values offered in the drop-down of a yes/no column (the contracts accept more spellings).
BOOLEAN_CHOICES: tuple[str, ...] = ("Y", "N")
#: Sources ``svsna ingest`` cannot run without; the others are optional and start commented out.
REQUIRED_INPUTS: tuple[str, ...] = ("geography", "offences")

_DOC = "docs/area-config.md"
_TEMPLATE_ROWS = 100_000
"""Rows of each sheet covered by the drop-down lists (no cells are written)."""


# ---------------------------------------------------------------------------------- area.yaml


def default_financial_years(today: dt.date, count: int = 3) -> list[int]:
    """The last ``count`` complete financial years before ``today`` (by starting year).

    >>> default_financial_years(dt.date(2026, 12, 2)), default_financial_years(dt.date(2026, 3, 31))
    ([2023, 2024, 2025], [2022, 2023, 2024])
    """
    current = today.year if today.month >= 4 else today.year - 1  # the financial year today is in
    return list(range(current - count, current))


def _q(value: str) -> str:
    """A YAML scalar for ``value`` (JSON strings are valid YAML and escape everything)."""
    return json.dumps(value, ensure_ascii=False)


def _setting_blocks(name: str, today: dt.date, workbook: str) -> dict[str, list[str]]:
    """Setting -> its lines (comment first). Order is the order written."""
    from svsna.config import SOURCE_NAMES, AreaConfig

    defaults = AreaConfig(name="x")
    years = default_financial_years(today)
    ntel = defaults.night_time_economy
    input_lines = []
    for source in SOURCE_NAMES:
        path = f"{workbook}#{source}"
        if source in REQUIRED_INPUTS:
            input_lines.append(f"  {source}: {_q(path)}")
        else:
            input_lines.append(f"  # {source}: {_q(path)}")
    part_start = dt.date(years[-1] + 1, 4, 1)
    return {
        "name": [
            f"# Full name of the partnership, used in report titles. See {_DOC}#settings",
            f"name: {_q(name)}",
        ],
        "short_name": [
            "# Short label for charts and file names (optional; `name` is used when it is absent).",
            "# short_name: ABC",
        ],
        "financial_years": [
            "# Financial years to assess, each by its STARTING year (2024 = April 2024 - March 2025).",
            f"financial_years: [{', '.join(str(y) for y in years)}]",
        ],
        "latest": [
            "# A part year after the last full financial year (optional), e.g. April to September.",
            f"# latest: {{start: {part_start.isoformat()}, end: {dt.date(part_start.year, 9, 30).isoformat()}}}",
        ],
        "profile_period": [
            "# The window for profile analyses (who, where, when); default: last full year plus `latest`.",
            f"# profile_period: {{start: {dt.date(years[-1], 4, 1).isoformat()}, "
            f"end: {dt.date(years[-1] + 1, 3, 31).isoformat()}}}",
        ],
        "baseline_year": [
            "# The financial year (starting year) that changes are measured against.",
            f"baseline_year: {years[0]}",
        ],
        "geography_levels": [
            "# Geography levels to report: any of lsoa, ward, npa, district, county, area.",
            f"geography_levels: [{', '.join(defaults.geography_levels)}]",
        ],
        "definitions": [
            "# Serious-violence definitions, the first is the primary one: shipped llr_vrn, llr_broadened,",
            "# or your own YAML file (docs/definitions.md explains them and how to write one).",
            f"definitions: [{', '.join(defaults.definitions)}]",
        ],
        "age_focus_under": [
            "# The 'young people' cut-off: ages below it are the focus group.",
            f"age_focus_under: {defaults.age_focus_under}",
        ],
        "night_time_economy": [
            "# The night-time-economy window (24-hour clock; it may wrap midnight; the end is exclusive).",
            f'night_time_economy: {{start: "{ntel.start:%H:%M}", end: "{ntel.end:%H:%M}"}}',
        ],
        "rate_multiplier": [
            "# Rates are per this many residents (1000; use 100000 for rare events).",
            f"rate_multiplier: {defaults.rate_multiplier}",
        ],
        "confidence": [
            "# Confidence level of intervals and significance tests.",
            f"confidence: {defaults.confidence}",
        ],
        "events": [
            "# Dated events to mark on trend charts, e.g. - {date: 2020-03-23, label: First lockdown}",
            "events: []",
        ],
        "inputs": [
            "# Where each partner extract is: .csv (UTF-8 or Windows-1252), .xlsx (`file.xlsx#Sheet`) or .parquet.",
            f"# geography and offences are required; uncomment the others once their sheet in {workbook} is",
            "# filled (or point them at the partner's own file). Paths are relative to this file.",
            "inputs:",
            *input_lines,
        ],
        "columns": [
            '# Partner column names unlike the data contracts: source -> {contract field: "their column"}, e.g.',
            '#   offences: {offence_ref: "Crime Number", committed_from: "Date From"}',
            "columns: {}",
        ],
        "boundaries": [
            "# LSOA (2011) boundaries as GeoJSON for maps and contiguity hot spots (optional).",
            "# boundaries: lsoa_boundaries.geojson",
        ],
        "output": [
            "# Where results go: restricted/ (exact figures) and public/ (the disclosure-controlled release).",
            f"output: {defaults.output.as_posix()}",
        ],
        "workspace": [
            "# Where the warehouse lives (pseudonymised data only).",
            f"workspace: {defaults.workspace.as_posix()}",
        ],
        "disclosure": [
            "# Small-number suppression for published figures: nhsd_2018, fingertips_1_5 or fewer_than_10.",
            f"disclosure: {{rules: {defaults.disclosure.rules}}}",
        ],
        "report": [
            "# The partnership's own words in the report, all optional (`name` is used where they are absent):",
            "# report:",
            f"#   partnership: {_q(name)}",
            '#   edition: "January 2025"',
            "#   logo: logo.png                  # PNG, JPEG or SVG, relative to this file",
            f"#   logo_alt: {_q(name + ' logo')}",
            '#   foreword: "A few sentences from the chair (Markdown)."',
            '#   contact: "Who to ask about this assessment (Markdown)."',
        ],
        "pseudonymisation": [
            "# Person identifiers are replaced at ingest by a keyed pseudonym. The KEY NEVER GOES IN THIS FILE.",
            "# Make one with:  python -c 'import secrets; print(secrets.token_hex(32))'",
            "# and either export it in the variable named by key_env before each run",
            f"#   (export {defaults.pseudonymisation.key_env}=...), or save it in a file outside this folder's",
            "#   workspace and output and name that file in key_file. Keep it secret, backed up and unchanged.",
            "pseudonymisation:",
            f"  key_env: {defaults.pseudonymisation.key_env}",
            "  # key_file: ../keys/svsna.key",
        ],
    }


def area_yaml_text(name: str, *, today: dt.date | None = None, workbook: str = WORKBOOK_FILE, model: Any = None) -> str:
    """A commented ``area.yaml`` for a new partnership called ``name``.

    Every setting of :class:`~svsna.config.AreaConfig` appears, set to its default or
    commented out with an example, after a one-line comment; a setting this module does
    not know yet (added to the configuration later) is listed commented out with a
    pointer to ``docs/area-config.md``. The file loads with
    :func:`svsna.config.load_area_config` as written. ``model`` is the configuration class
    whose settings are listed (default :class:`~svsna.config.AreaConfig`).
    """
    from svsna.config import AreaConfig

    model = model or AreaConfig
    today = today or dt.date.today()
    blocks = _setting_blocks(name, today, workbook)
    lines = [
        "# area.yaml: what svsna assesses and where the partner data are.",
        f"# Written by `svsna init` on {today.isoformat()}. Every setting: {_DOC} (relative paths are",
        "# resolved against this file's folder). Next steps:",
        f"#   1. Fill the sheets of {workbook} (its `notes` sheet says what each column means),",
        "#      or point `inputs` at the partners' own files; map other column names under `columns`",
        "#      where your version of svsna has that setting.",
        "#   2. Set the pseudonymisation key (see `pseudonymisation` at the end; never in this file).",
        "#   3. svsna check --area area.yaml     (validates everything, writes nothing)",
        "#   4. svsna ingest --area area.yaml && svsna assess --area area.yaml && svsna report --area area.yaml",
        "",
    ]
    for field_name, info in model.model_fields.items():
        if field_name == "base_dir":  # set by load_area_config, never written by hand
            continue
        lines += [*(blocks.get(field_name) or _default_block(field_name, info)), ""]
    return "\n".join(lines)


def _default_block(field_name: str, info: Any) -> list[str]:
    """A setting this module has no words for: its description (if any) and its default, commented out."""
    import yaml
    from pydantic import BaseModel

    default = info.get_default(call_default_factory=True)
    if isinstance(default, BaseModel):
        default = default.model_dump(mode="json")
    about = (info.description or "").strip().splitlines()
    comment = f"# {about[0]}" if about else f"# {field_name.replace('_', ' ').capitalize()}."
    if default is None or default == {} or default == []:
        shown = f"# {field_name}:"
    else:
        shown = f"# {field_name}: " + yaml.safe_dump(default, default_flow_style=True, width=10_000).strip()
    return [f"{comment} Left at its default; see {_DOC}", shown]


# ------------------------------------------------------------------------------- the workbook


def template_sheets() -> list[str]:
    """The data sheets of the template workbook, one per source, in loading order."""
    from svsna.sources.contracts import load_contracts

    return list(load_contracts())


def _code_list_key(f: FieldContract) -> str | None:
    """The name under which ``f``'s codes appear in the codes sheet (None if it has none)."""
    if f.codes:
        return f.codes
    if f.allowed is not None:
        return f"{f.name} (allowed values)"
    if f.type == "boolean":
        return "yes/no"
    return None


def _code_tables(contracts: dict[str, SourceContract]) -> dict[str, list[tuple[str, str]]]:
    """Code list name -> ``[(code, meaning)]`` for every coded or yes/no field of the contracts."""
    from svsna.codelists import load_codelist

    out: dict[str, list[tuple[str, str]]] = {}
    for contract in contracts.values():
        for f in contract.fields:
            key = _code_list_key(f)
            if key is None or key in out:
                continue
            if f.codes:
                table = load_codelist(f.codes)
                meaning = table["description"] if "description" in table.columns else table["code"]
                out[key] = [(str(c), str(m)) for c, m in zip(table["code"], meaning, strict=True)]
            elif f.allowed is not None:
                out[key] = [(str(v), f.description or "") for v in f.allowed]
            else:
                out[key] = [("Y", "yes"), ("N", "no")]
    return out


def _format_text(f: FieldContract) -> str:
    from svsna.sources.contracts import _rules_cell  # the same wording as docs/data-contracts.md

    return _rules_cell(f)


_BAD_ROWS = (
    "Every row is either loaded or rejected. A row with any value that breaks its column's rule (blank "
    "required value, unreadable or impossible date, date after the extract date, unknown code, an offence "
    "location outside the geography, reference to a row that was not loaded, repeated key) is rejected as a "
    "whole and listed in rejects.csv with its row number as Excel shows it (the header is row 1), the column, "
    "the value, the rule and a hint, so it can be corrected at source and supplied again. The row ledger "
    "(ledger.csv) counts the rows read, loaded and rejected for every file and reason."
)

_GENERAL_NOTES: tuple[str, ...] = (
    "How to fill this workbook",
    "One row per record, from row 2 down; keep the header row as it is (or tell the analyst your own column "
    "names so they can be mapped). Do not merge cells, add totals or leave blank rows in the middle.",
    "Blank cells (and the text NULL) mean 'not known'. Extra columns are ignored.",
    "Dates: DD/MM/YYYY or YYYY-MM-DD; date and time: DD/MM/YYYY HH:MM (24-hour clock). Give the time when it is known.",
    "Coded columns have a drop-down list; the `codes` sheet gives every code and its meaning. Codes are "
    "matched ignoring case.",
    "Person identifiers (person_id) are replaced by a keyed pseudonym when the data are loaded and are never stored.",
    _BAD_ROWS,
    "A sheet you cannot fill can stay empty: the analyst leaves that source out of area.yaml.",
)

_NOTES_HEADER = (
    "sheet",
    "column",
    "required",
    "format and rules",
    "allowed codes",
    "example",
    "other accepted names",
    "what it means",
)


def _codes_cell(f: FieldContract, tables: dict[str, list[tuple[str, str]]]) -> str:
    key = _code_list_key(f)
    if key is None:
        if f.type == "lsoa":
            return "a 2011 LSOA code in the geography sheet"
        if f.references:
            return f"must match a loaded {f.references.replace('.', ' ')}"
        return ""
    codes = [c for c, _ in tables[key]]
    shown = ", ".join(codes[:30]) + (f" ... ({len(codes)} codes)" if len(codes) > 30 else "")
    return f"{shown} (see the {CODES_SHEET} sheet: {key})"


def write_extract_templates(path: str | Path) -> Path:
    """Write the blank extract workbook to ``path`` (owner-only, atomically); returns ``path``.

    Sheets: ``notes`` (for data owners), one per source (header row = the contract's field
    names, drop-down lists on coded and yes/no columns, a comment on each header cell),
    and ``codes`` (every code list used, with meanings). No data rows are written, so a
    sheet reads as empty until someone fills it.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from svsna.files import atomic_path
    from svsna.sources.contracts import load_contracts

    contracts = load_contracts()
    tables = _code_tables(contracts)
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFE9D8A6")
    wrap = Alignment(wrap_text=True, vertical="top")

    wb = Workbook()
    notes = wb.active
    notes.title = NOTES_SHEET
    row = 1
    for i, text in enumerate(_GENERAL_NOTES):
        cell = notes.cell(row=row, column=1, value=neutralise(text))
        cell.font = Font(bold=True, size=13) if i == 0 else Font()
        row += 1
    row += 1
    for col, head in enumerate(_NOTES_HEADER, start=1):
        notes.cell(row=row, column=col, value=head).font = bold
    notes.freeze_panes = notes.cell(row=row + 1, column=1)
    for contract in contracts.values():
        row += 1
        notes.cell(row=row, column=1, value=neutralise(contract.name)).font = bold
        notes.cell(row=row, column=8, value=neutralise(f"{contract.title}: {contract.description.strip()}"))
        notes.cell(row=row, column=8).alignment = wrap
        for f in contract.fields:
            row += 1
            values = (
                contract.name,
                f.name,
                "yes" if f.required else "no",
                _format_text(f),
                _codes_cell(f, tables),
                "" if f.example is None else str(f.example),
                ", ".join(f.aliases),
                f.description or "",
            )
            for col, value in enumerate(values, start=1):
                notes.cell(row=row, column=col, value=neutralise(value)).alignment = wrap
    for col, width in enumerate((18, 24, 9, 48, 40, 22, 30, 60), start=1):
        notes.column_dimensions[get_column_letter(col)].width = width

    # The codes sheet first (in memory), so the data sheets' drop-downs can point at its ranges.
    codes_ws = wb.create_sheet(CODES_SHEET)
    for col, head in enumerate(("code list", "code", "meaning"), start=1):
        codes_ws.cell(row=1, column=col, value=head).font = bold
    ranges: dict[str, str] = {}
    r = 2
    for key, rows in tables.items():
        first = r
        for code, meaning in rows:
            codes_ws.cell(row=r, column=1, value=neutralise(key))
            codes_ws.cell(row=r, column=2, value=neutralise(code)).number_format = "@"
            codes_ws.cell(row=r, column=3, value=neutralise(meaning))
            r += 1
        ranges[key] = f"{_sheet_ref(CODES_SHEET)}!$B${first}:$B${r - 1}"
    codes_ws.freeze_panes = "A2"
    for col, width in enumerate((28, 12, 60), start=1):
        codes_ws.column_dimensions[get_column_letter(col)].width = width

    for contract in contracts.values():
        ws = wb.create_sheet(contract.name, index=len(wb.sheetnames) - 1)  # before `codes`
        for col, f in enumerate(contract.fields, start=1):
            letter = get_column_letter(col)
            cell = ws.cell(row=1, column=col, value=neutralise(f.name))
            cell.font = bold
            if f.required:
                cell.fill = required_fill
            note = f"{'Required' if f.required else 'Optional'}. {_format_text(f)}."
            if f.description:
                note += f" {f.description}."
            if f.example is not None:
                note += f" Example: {f.example}"
            cell.comment = Comment(neutralise(note), "svsna")
            ws.column_dimensions[letter].width = max(12, len(f.name) + 4)
            if f.type not in ("integer", "number", "age"):
                ws.column_dimensions[letter].number_format = "@"  # keep codes, LSOAs and dates as typed
            key = _code_list_key(f)
            if key is None:
                continue
            dv = DataValidation(
                type="list",
                formula1=ranges[key],
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=f"{f.name}: not a listed code"[:32],
                error=(
                    f"{f.name} takes one of the codes on the {CODES_SHEET} sheet ({key}); "
                    "svsna rejects a row whose value it does not recognise."
                )[:255],
                showInputMessage=True,
                promptTitle=f.name[:32],
                prompt=f"{'Required' if f.required else 'Optional'}: choose from the list ({key}).",
            )
            dv.add(f"{letter}2:{letter}{_TEMPLATE_ROWS}")
            ws.add_data_validation(dv)
        ws.freeze_panes = "A2"

    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _sheet_ref(name: str) -> str:
    """A sheet name as a formula reference (quoted when it needs to be)."""
    return name if name.isidentifier() else "'" + name.replace("'", "''") + "'"
