"""End-to-end: build_reports on the fixture, then check the files by parsing them.

Nothing here trusts the code path: the HTML is parsed for references and numbers, the PDF
is read back with pypdf, the workbook with openpyxl.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from tests.outputs.conftest import FIXTURES, SHARED_LSOA, fixture_config

# Raw counts of the fixture (tests/outputs/fixtures/make_fixture.py) that nhsd_2018 must change:
# not multiples of 5, so a public edition that shows them is leaking unrounded figures.
RAW_COUNTS = ["3,529", "4,021", "4,132", "2,389", "2,024", "3,297", "2,021", "4,778"]


class _Parsed(HTMLParser):
    """Collects every URL-bearing attribute, inline style, image, table and text node."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.styles: list[str] = []
        self.imgs: list[dict[str, str]] = []
        self.tables: list[dict] = []
        self.text: list[str] = []
        self._stack: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        for k in ("src", "href", "data", "poster", "srcset", "action", "xlink:href"):
            if k in a:
                self.urls.append(a[k])
        if "style" in a:
            self.styles.append(a["style"])
        if tag == "img":
            self.imgs.append(a)
        if tag == "style":
            self._in_style = True
        if tag == "table":
            self.tables.append({"head": [], "rows": []})
        if tag == "tr":
            self._row = []
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None and self.tables:
            t = self.tables[-1]
            if not t["head"]:
                t["head"] = self._row
            else:
                t["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parse(path: Path) -> _Parsed:
    p = _Parsed()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _svg_texts(parsed: _Parsed) -> list[str]:
    out = []
    for img in parsed.imgs:
        src = img.get("src", "")
        if src.startswith("data:image/svg+xml;base64,"):
            svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
            out += re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return out


@pytest.mark.parametrize("edition", ["full_html", "public_html"])
def test_html_is_self_contained(built, edition):
    parsed = _parse(getattr(built, edition))
    assert parsed.urls, "expected images and anchors"
    for url in parsed.urls:
        assert url.startswith(("data:", "#")), f"external reference {url[:80]!r}"
    for css in parsed.styles:
        for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
            assert u.startswith(("data:", "#")), f"external url() {u!r}"
        assert "@import" not in css
    assert "http://" not in "".join(parsed.text) and "https://" not in "".join(parsed.text)


@pytest.mark.parametrize("edition", ["full_html", "public_html"])
def test_every_image_has_alt_text_and_is_embedded(built, edition):
    parsed = _parse(getattr(built, edition))
    assert len(parsed.imgs) >= (15 if edition == "full_html" else 8)
    for img in parsed.imgs:
        assert len(img.get("alt", "")) > 20, img.get("alt")
        assert img["src"].startswith(("data:image/svg+xml;base64,", "data:image/png;base64,"))


def test_public_summary_obeys_the_disclosure_rule(built):
    public = _parse(built.public_html)
    full = _parse(built.full_html)
    # 1. every cell of a "Number" column is [c], 0 or a multiple of 5 of at least 10 (nhsd_2018)
    checked = 0
    for t in public.tables:
        for j, head in enumerate(t["head"]):
            if head.startswith("Number"):
                for row in t["rows"]:
                    cell = row[j].replace(",", "")
                    if cell in ("[c]", "0", ""):
                        continue
                    n = int(cell)
                    assert n >= 10 and n % 5 == 0, f"unsafe count {row[j]!r} in column {head!r}"
                    checked += 1
    assert checked > 20
    # 2. no raw fixture count appears anywhere in the public text or chart labels, while the
    #    full edition does show them (so this check can fail)
    pub_text = " ".join(public.text + _svg_texts(public))
    full_text = " ".join(full.text + _svg_texts(full))
    for raw in RAW_COUNTS:
        assert re.search(rf"(?<![\d,.]){re.escape(raw)}(?![\d,]|\.\d)", full_text), f"{raw} missing from full"
        assert not re.search(rf"(?<![\d,.]){re.escape(raw)}(?![\d,]|\.\d)", pub_text), f"{raw} leaked to public"
    # 3. the small counts of the fixture (murder 6, manslaughter 3): exact in the full table; on the
    #    public chart they are combined into "Other" and not named (a small category is never named)
    mix = next(t for t in full.tables if t["rows"] and any(r[0] == "Murder" for r in t["rows"]))
    assert "6" in next(r for r in mix["rows"] if r[0] == "Murder")
    crime_alt = next(a["alt"] for a in public.imgs if "crime group" in a["alt"])
    assert "Other" in crime_alt and "Murder" not in crime_alt and "Manslaughter" not in crime_alt
    # 4. the finding "There were 6 murders" is withheld, and not-public findings are absent
    assert "6 murders" in full_text and "murders" not in pub_text
    assert "most frequent repeat perpetrators" in full_text and "most frequent repeat perpetrators" not in pub_text
    # 5. the public edition says what was done
    assert "nhsd_2018" in pub_text and "rounded to the nearest 5" in pub_text


def test_no_raw_identifiers_in_any_output(built):
    for path in (built.full_html, built.public_html):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b[0-9a-f]{64}\b", text.replace("ab" * 32, "")), "a pseudonym-like key leaked"
        assert "person_key" not in text and "offence_ref" not in text


def test_significant_only_where_the_finding_says_so(built):
    text = " ".join(_parse(built.full_html).text)
    # the fixture's Melton finding claims significance but its test said "Similar"
    assert "Melton's rate (3.89 per 1,000) was different from LLR's (the difference is not statistically" in text
    assert "was significantly different" not in text


def test_pdfs_have_page_numbers_contents_and_numbered_captions(built):
    from pypdf import PdfReader

    for pdf in (built.full_pdf, built.public_pdf):
        reader = PdfReader(pdf)
        n = len(reader.pages)
        assert n >= 8
        pages = [p.extract_text() or "" for p in reader.pages]
        assert f"Page 2 of {n}" in pages[1] and f"Page {n} of {n}" in pages[-1]
        contents = pages[1]
        entries = re.findall(r"^(\d+)\. ([A-Z][^\n]*?)[ .]*?(\d+)\s*$", contents, flags=re.M)
        assert len(entries) >= 10, contents[:500]
        for num, title, page in entries:
            title = title.rstrip(" .")
            target = pages[int(page) - 1]
            assert f"{num}. {title}" in target.replace("\n", " "), f"contents says {num}. {title} is on page {page}"
        body = " ".join(pages)
        assert "Figure 1:" in body and "Table 1:" in body and "(Source: Police recorded crime)" in body


def test_charts_and_maps_for_every_section_present(built):
    html = built.full_html.read_text(encoding="utf-8")
    table = pd.read_csv(FIXTURES / "indicators.csv")
    # every fixture section with a chartable breakdown (cohorts has only a two-row share: a table)
    shown = {"extent", "nature", "health", "timing", "nte", "geography", "perpetrators", "victims"}
    assert shown <= set(table["section"])
    for key in shown:
        part = html.split(f'id="sec-{key}"', 1)[1].split('<section class="sna-section"', 1)[0]
        assert "<img " in part, f"no chart in section {key}"
    if SHARED_LSOA.exists():
        maps = [a for a in _parse(built.full_html).imgs if a["src"].startswith("data:image/png")]
        alts = " ".join(a["alt"] for a in maps)
        assert "Map of 9 districts" in alts and "Getis-Ord Gi*" in alts


def test_workbook_and_indicator_files(built):
    from openpyxl import load_workbook

    wb = load_workbook(built.workbook, read_only=True)
    names = wb.sheetnames
    assert {"Indicators", "Ledger", "Methods"} <= set(names)
    assert any("Geography" in n for n in names)
    ind = wb["Indicators"]
    first, header = (list(r) for r in ind.iter_rows(max_row=2, values_only=True))
    assert first[0] == "OFFICIAL-SENSITIVE"  # the protective marking heads every sheet of the restricted workbook
    assert header[:3] == ["section", "indicator", "period"]
    fixture = pd.read_csv(FIXTURES / "indicators.csv")
    assert sum(1 for _ in ind.iter_rows()) == len(fixture) + 2
    back = pd.read_parquet(built.indicators_parquet)
    assert len(back) == len(fixture) and list(back.columns)[:2] == ["section", "indicator"]
    assert pd.read_csv(built.indicators_csv)["value"].sum() == pytest.approx(fixture["value"].sum())


def test_absent_sections_are_left_out_with_a_note(tmp_path):
    from svsna.outputs import build_reports

    table = pd.read_csv(FIXTURES / "indicators.csv")
    table = table[~table["section"].isin(["geography", "victims", "risk_factors"])]
    paths = build_reports(table, [], config=fixture_config(), out_dir=tmp_path, pdf=False)
    text = " ".join(_parse(paths.full_html).text)
    assert "Left out because no data were supplied for them" in text
    assert "Geography of serious violence" in text.split("Left out")[1][:400]
    assert 'id="sec-geography"' not in paths.full_html.read_text(encoding="utf-8")
    assert 'id="sec-extent"' in paths.full_html.read_text(encoding="utf-8")


def test_bad_indicator_table_names_the_missing_columns(tmp_path):
    from svsna.errors import InputDataError
    from svsna.outputs import build_reports

    with pytest.raises(InputDataError, match=r"missing column\(s\) \['period', 'area'"):
        build_reports(
            pd.DataFrame({"section": ["extent"], "indicator": ["x"]}),
            [],
            config=fixture_config(),
            out_dir=tmp_path,
            pdf=False,
        )
