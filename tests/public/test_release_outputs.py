"""The written release of a small partnership run end to end (Marshfield and the Vale, with formula
payloads in its names): the output layout, owner-only files, protective marking, the manifest,
no restricted detail in the public edition, no formulas in any spreadsheet or CSV, and every
number printed in the public documents accounted for by the audited public table.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import stat
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from svsna.cells import FORMULA_TRIGGERS

PUBLIC_FILES = ("sna-summary.html", "sna-summary.pdf", "sna-public-tables.xlsx", "indicators-public.csv")
PUBLIC_FILES += ("indicators-public.parquet", "release.json")
RESTRICTED_FILES = ("sna-full.html", "sna-full.pdf", "sna-tables.xlsx", "report-metadata.json")


class _Text(HTMLParser):
    """Visible text and alt text of an HTML document (no style, no data URIs)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        for k, v in attrs:
            if k in ("alt", "title", "aria-label") and v:
                self.parts.append(v)

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _html_text(path: Path) -> str:
    p = _Text()
    p.feed(path.read_text(encoding="utf-8"))
    return "\n".join(p.parts)


def _pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _xlsx_cells(path: Path) -> list[list]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [[c for row in ws.iter_rows() for c in row] for ws in wb.worksheets]


def test_layout_and_owner_only_permissions(marshfield):
    out = marshfield.out
    for name in PUBLIC_FILES:
        assert (out / "public" / name).is_file(), name
    for name in RESTRICTED_FILES:
        assert (out / "restricted" / name).is_file(), name
    (history,) = list((out / "history").iterdir())
    assert re.fullmatch(r"\d{8}T\d{6}Z", history.name)
    assert sorted(p.name for p in history.iterdir()) == [
        "indicators-public.parquet",
        "indicators.parquet",
        "release.json",
    ]
    for folder in (out, out / "public", out / "restricted", out / "history", history):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for folder in (out / "public", out / "restricted", history):
        for f in folder.iterdir():
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert not list(out.rglob(".svsna-tmp-*"))  # no half-written files left


def test_restricted_outputs_carry_the_marking_everywhere(marshfield):
    mark = marshfield.config.disclosure.protective_marking
    assert mark == "OFFICIAL-SENSITIVE"
    r = marshfield.restricted
    html = (r / "sna-full.html").read_text(encoding="utf-8")
    assert html.count('<p class="marking') == 2 and f"<title>{mark} –" in html  # top and bottom of the page
    pages = _pdf_pages(r / "sna-full.pdf")
    assert len(pages) > 5
    for i, page in enumerate(pages, start=1):
        assert page.count(mark) >= 2, f"page {i} lacks the running header and footer"
    info = subprocess.run(["pdfinfo", str(r / "sna-full.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"Keywords:\s+{mark}", info) and re.search(rf"Title:\s+{mark}", info)
    from openpyxl import load_workbook

    wb = load_workbook(r / "sna-tables.xlsx", read_only=True)
    for ws in wb.worksheets:
        assert next(ws.iter_rows(max_row=1, values_only=True))[0] == mark, ws.title
    assert wb.properties.keywords == mark and wb.properties.category == mark
    # the public edition is not marked as restricted
    assert mark not in (marshfield.public / "sna-summary.html").read_text(encoding="utf-8")


def test_public_edition_has_no_file_names_hashes_or_ledger(marshfield):
    text = _html_text(marshfield.public / "sna-summary.html")
    pdf = "\n".join(_pdf_pages(marshfield.public / "sna-summary.pdf"))
    for doc in (text, pdf):
        assert not re.search(r"\b[0-9a-f]{64}\b", doc)
        assert ".csv" not in doc and "geography.csv" not in doc and 'HYPERLINK("http:__evil' not in doc
        assert "Row ledger" not in doc and "ignored column" not in doc.lower() and "SHA-256" not in doc
    full = _html_text(marshfield.restricted / "sna-full.html")
    assert "Row ledger" in full and "SHA-256" in full  # ... which the restricted edition does carry
    from openpyxl import load_workbook

    sheets = load_workbook(marshfield.public / "sna-public-tables.xlsx", read_only=True).sheetnames
    assert "Ledger" not in sheets and "Methods" not in sheets and {"Indicators", "About"} <= set(sheets)


def test_no_caption_needs_the_section_name_to_be_distinct(marshfield):
    """The small area's captions say what distinguishes them (no "[Timings]" appended by the
    report's caption de-duplication), in both editions."""
    from tests.outputs._html import disambiguated, parse

    for path in (marshfield.restricted / "sna-full.html", marshfield.public / "sna-summary.html"):
        parsed = parse(path)
        assert parsed.captions, path.name
        assert disambiguated(parsed) == [], path.name


def test_release_manifest(marshfield):
    pub = marshfield.public
    rel = json.loads((pub / "release.json").read_text(encoding="utf-8"))
    assert rel["schema"] == 1 and re.fullmatch(r"\d{8}T\d{6}Z", rel["assessment_id"])
    assert rel["area"] == {"name": "Marshfield and the Vale", "label": "MV"} and rel["definition"] == "llr_vrn"
    assert rel["rule_set"]["name"] == "nhsd_2018" and rel["rule_set"]["protection"] == 5
    assert rel["rule_set"]["min_group_size"] == 10
    assert rel["audit"]["passed"] is True and rel["audit"]["protected_counts"] > 0
    files = {f["name"]: f for f in rel["files"]}
    assert set(files) == set(PUBLIC_FILES) - {"release.json"}
    for name, f in files.items():
        data = (pub / name).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["bytes"] == len(data)
    table = pd.read_parquet(pub / rel["table"]["file"])
    assert list(table.columns) == rel["table"]["columns"] and len(table) == rel["table"]["rows"]
    history = marshfield.out / "history" / rel["assessment_id"]
    assert json.loads((history / "release.json").read_text(encoding="utf-8")) == rel


def _spreadsheets(out: Path) -> list[Path]:
    return sorted(out.rglob("*.xlsx"))


def test_no_formula_in_any_workbook(marshfield):
    books = _spreadsheets(marshfield.out)
    assert len(books) == 2
    payload_seen = 0
    for book in books:
        for cells in _xlsx_cells(book):
            for c in cells:
                assert c.data_type != "f", f"{book.name}: formula in {c.coordinate}: {c.value!r}"
                if isinstance(c.value, str):
                    assert not c.value.lstrip(" \u00a0").startswith(FORMULA_TRIGGERS), (book.name, c.value)
                    payload_seen += "cmd|" in c.value or "HYPERLINK" in c.value
        with zipfile.ZipFile(book) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), (book.name, name)
    assert payload_seen > 0  # the payloads did reach the workbooks, as text


def test_no_csv_cell_starts_with_a_formula_trigger(marshfield):
    files = sorted(marshfield.out.rglob("*.csv"))
    assert {f.name for f in files} >= {"indicators-public.csv", "indicators.csv"}
    for f in files:
        if f.parent == marshfield.out:
            continue  # ingest and assess write their own CSVs there (checked by their tests)
        with f.open(encoding="utf-8", newline="") as fh:
            for line_no, row in enumerate(csv.reader(fh), start=1):
                for cell in row:
                    try:
                        float(cell)
                        continue  # a number (a negative change is a number, not a formula)
                    except ValueError:
                        pass
                    assert not cell.lstrip(" \u00a0").startswith(FORMULA_TRIGGERS), (f.name, line_no, cell)


def _allowed(marshfield) -> tuple[set, set]:
    """What the public documents may print: figures of the public table, and context numbers."""
    from svsna.outputs.public import published_numbers
    from svsna.outputs.sections import definition_info
    from svsna.stats import rule_set

    table = marshfield.public_table()
    rel = json.loads((marshfield.public / "release.json").read_text(encoding="utf-8"))
    cfg = marshfield.config
    rs = rule_set(cfg.disclosure.rules)
    codes = (definition_info(cfg.primary_definition).get("criteria") or {}).get("offence_codes") or []
    extra = {float(cfg.rate_multiplier), cfg.confidence * 100, float(cfg.age_focus_under)}
    extra |= {2.66, 99.0, 99.9}  # method constants in notes: XmR limits, hot-spot confidence classes
    extra |= {float(cfg.disclosure.min_group_size), float(rs.suppress_from), float(rs.suppress_to)}
    extra |= {float(rs.rounding_base or 0), float(rs.protection)}
    extra |= {float(c) for c in codes if str(c).isdigit()}
    version = str(definition_info(cfg.primary_definition).get("version", ""))
    extra |= {float(version)} if re.fullmatch(r"\d+(\.\d+)?", version) else set()  # "2022.1"
    extra |= {float(v) for v in rel["audit"].values() if isinstance(v, int | float) and not isinstance(v, bool)}
    extra |= {float(n) for n in table.groupby(["indicator", "breakdown", "period"]).size()}  # e.g. "Map of 4 districts"
    return published_numbers(table), extra


def test_every_number_in_the_public_documents_is_in_the_public_table(marshfield):
    from svsna.outputs.public import unaccounted_numbers

    allowed, extra = _allowed(marshfield)
    html = _html_text(marshfield.public / "sna-summary.html")
    # section, figure and table numbers, and the count of withheld findings, are structure, not data
    structure = {float(n) for n in re.findall(r"^\s*(\d+)\.\s", html, flags=re.M)}
    structure |= {float(n) for n in re.findall(r"(\d+) written findings were withheld", html)}
    bad = unaccounted_numbers(html, allowed, extra | structure)
    assert not bad, f"numbers in the public HTML that are not in the public table: {bad[:20]}"

    pages = _pdf_pages(marshfield.public / "sna-summary.pdf")
    n_pages = len(pages)
    for i, page in enumerate(pages, start=1):
        page = re.sub(r"Page \d+ of \d+", " ", page)
        numbers = structure | {float(k) for k in range(1, n_pages + 1)} if i <= 2 else structure  # contents page
        bad = unaccounted_numbers(page, allowed, extra | numbers)
        assert not bad, f"page {i} of the public PDF prints {bad[:20]}"

    from openpyxl import load_workbook

    for ws in load_workbook(marshfield.public / "sna-public-tables.xlsx").worksheets:
        cells = [c for row in ws.iter_rows() for c in row]
        for c in cells:
            if isinstance(c.value, int | float) and not isinstance(c.value, bool):
                v = float(c.value)
                ok = any((round(v, d), d) in allowed or (round(v * 100, d), d) in allowed for d in range(4))
                assert ok or v in extra, f"workbook cell {c.coordinate} = {v} is not in the public table"
            elif isinstance(c.value, str) and ws.title != "Indicators":  # (its text cells are identifiers)
                bad = unaccounted_numbers(c.value, allowed, extra | structure)
                assert not bad, f"workbook cell {c.coordinate} = {c.value!r}"


def test_public_table_shows_no_small_count(marshfield):
    table = marshfield.public_table()
    for col in ("numerator", "denominator"):
        shown = table.loc[table["statistic"].isin(["count", "rate", "percentage"]), col].dropna()
        shown = shown[table["section"] != "population"]
        assert not shown.between(1, 7).any(), col
        assert (shown % 5 == 0).all(), col  # nhsd_2018: every shown count is rounded to the nearest 5


def test_small_area_hour_chart_names_its_one_source_and_its_gaps(marshfield):
    """D17: "Hour of day by data source" with one source, and a suppressed hour a silent gap."""
    text = " ".join(_html_text(marshfield.public / "sna-summary.html").split())
    assert "Hour of day by data source" not in text
    assert "Hour of day (Police), MV" in text
    exact = marshfield.exact
    hours = exact[(exact["indicator"] == "hour_share") & (exact["breakdown"] == "hour")]
    public = pd.read_csv(marshfield.public / "indicators-public.csv", dtype={"breakdown_value": str})
    shown = public[(public["indicator"] == "hour_share") & (public["breakdown"] == "hour")]
    gaps = sorted(int(h) for h, v in zip(shown["breakdown_value"], shown["value"], strict=True) if pd.isna(v))
    assert len(hours)  # the hours were worked out
    if gaps:  # every suppressed hour is named in the note under the chart
        named = re.search(r"left as a gap in its line, marked ◇ on the axis \(Police: ([^)]*)\)", text)
        assert named, "no note of the suppressed hours"
        for h in gaps:
            assert f"{h:02d}:00-{h:02d}:59" in named.group(1)
