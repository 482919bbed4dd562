"""End-to-end: build_reports on what the analyses produce, then check the files by parsing them.

Nothing here trusts the code path: the HTML is parsed for references and numbers, the PDF
is read back with pypdf, the workbook with openpyxl.
"""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from tests.outputs._html import parse, pdf_pages

from svsna.outputs.public import count_rule


def _svg_texts(parsed) -> list[str]:
    out = []
    for img in parsed.imgs:
        src = img.get("src", "")
        if src.startswith("data:image/svg+xml;base64,"):
            svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
            out += re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return out


@pytest.mark.parametrize("edition", ["full_html", "public_html"])
def test_html_is_self_contained(tiny, edition):
    parsed = parse(getattr(tiny.paths, edition))
    assert parsed.urls, "expected anchors"
    for url in parsed.urls:
        assert url.startswith(("data:", "#", "mailto:")), f"external reference {url[:80]!r}"
    for css in parsed.styles:
        for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
            assert u.startswith(("data:", "#")), f"external url() {u!r}"
        assert "@import" not in css


def test_public_summary_obeys_the_disclosure_rule(tiny):
    """Every count the public summary prints is one the rule (nhsd_2018) could publish, and no exact
    count of the indicator table that the rule changes appears in it, while the full edition shows them."""
    public = parse(tiny.paths.public_html)
    full = parse(tiny.paths.full_html)
    for t in public.tables:
        for j, head in enumerate(t["head"]):
            if "rounded" in head.lower() or head.startswith("Number"):
                for row in t["rows"]:
                    cell = row[j].replace(",", "")
                    if cell in ("[c]", "[x]", "[z]", "0", ""):
                        continue
                    n = int(float(cell))
                    assert n >= 10 and n % 5 == 0, f"unsafe count {row[j]!r} in column {head!r}"
    rule = count_rule("nhsd_2018")
    ind = tiny.indicators
    counts = ind[(ind["statistic"] == "count") & ind["value"].notna()]["value"].astype(float)
    changed = sorted({int(v) for v in counts if v >= 1 and rule(v) != v and v >= 8})

    def figures(parsed) -> str:  # without section numbers ("8. Night-time economy") and offence codes ("(8N)")
        text = " ".join([parsed.all_text(), *_svg_texts(parsed)])
        return re.sub(r"\b\d+\.\s+[A-Z]|\(\d+[A-Z]?(?:/\d+)?\)", " ", text)

    pub_text = figures(public)
    full_text = figures(full)
    assert changed, "the fixture should have counts the rule rounds"
    shown_in_full = [n for n in changed if re.search(rf"(?<![\d,.]){n:,}(?![\d,]|\.\d)", full_text)]
    assert shown_in_full, "the full edition should show exact counts (else this test cannot fail)"
    for n in shown_in_full:
        assert not re.search(rf"(?<![\d,.:/-]){n:,}(?![\d,%:]|\.\d|-\d)", pub_text), f"exact count {n} in public"
    assert "rounded to the nearest 5" in pub_text


def test_no_raw_identifiers_in_any_output(tiny):
    for path in (tiny.paths.full_html, tiny.paths.public_html):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b[0-9a-f]{64}\b", text.replace("ab" * 32, "")), "a pseudonym-like key leaked"
        assert "person_key" not in text and "offence_ref" not in text
        for ref in ("X01", "O01", "P1", "Q2"):  # offence references and person keys of the fixture warehouse
            assert not re.search(rf"\b{ref}\b", text)


def test_significant_only_where_a_test_says_so(tiny):
    """No sentence calls a difference significant unless its finding records a significant test."""
    from svsna.outputs.narrative import sentence

    for f in tiny.findings:
        text = (sentence(f).text or "").replace("statistically significant hot spots", "hot spots")
        if (
            "statistically significant" in text
            and "not a statistically significant" not in text
            and ("not statistically significant" not in text)
        ):
            sig = str(f.significance or "").lower()
            assert sig not in ("", "similar", "no significant change", "not compared"), (f.key, text)


def test_pdfs_have_page_numbers_contents_and_numbered_captions(tiny):
    for pdf in (tiny.paths.full_pdf, tiny.paths.public_pdf):
        pages = pdf_pages(pdf)
        n = len(pages)
        assert n >= 6
        assert f"Page 2 of {n}" in pages[1] and f"Page {n} of {n}" in pages[-1]
        contents = pages[1]
        entries = re.findall(r"^(\d+)\. ([A-Z][^\n]*?)[ .]*?(\d+)\s*$", contents, flags=re.M)
        assert len(entries) >= 8, contents[:500]
        for num, title, page in entries:
            title = title.rstrip(" .")
            target = pages[int(page) - 1]
            assert f"{num}. {title}" in target.replace("\n", " "), f"contents says {num}. {title} is on page {page}"
        body = " ".join(pages)
        assert "Table 1:" in body and "(Source: Police recorded crime)" in body


def test_charts_are_printed_at_their_drawn_size_or_smaller(tiny):
    """Charts are drawn at 120 dpi; a chart narrower than the page was printed at 96 dpi (one image
    pixel per CSS pixel), i.e. enlarged by a quarter, and a chart of one row cropped narrow came out
    with larger lettering than its neighbours. poppler's ``pdfimages -list`` gives each image's
    printed resolution: none is below the drawn 120 dpi."""
    import subprocess

    seen = 0
    for pdf in (tiny.paths.full_pdf, tiny.paths.public_pdf):  # the small area's summary may have none
        listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True)
        rows = [line.split() for line in listing.stdout.splitlines()[2:]]
        ppi = [int(r[12]) for r in rows if len(r) > 13 and r[2] == "image"]  # not the soft masks
        seen += len(ppi)
        assert min(ppi, default=120) >= 119, f"{pdf.name}: printed at {sorted(set(ppi))} dpi"
    assert seen >= 5


def test_workbook_and_indicator_files(tiny):
    from openpyxl import load_workbook

    wb = load_workbook(tiny.paths.workbook, read_only=True)
    names = wb.sheetnames
    assert {"Indicators", "Ledger", "Methods"} <= set(names)
    ind = wb["Indicators"]
    first, header = (list(r) for r in ind.iter_rows(max_row=2, values_only=True))
    assert first[0] == "OFFICIAL-SENSITIVE"  # the protective marking heads every sheet of the restricted workbook
    assert header[:3] == ["section", "indicator", "period"]
    assert sum(1 for _ in ind.iter_rows()) == len(tiny.indicators) + 2
    back = pd.read_parquet(tiny.paths.indicators_parquet)
    assert len(back) == len(tiny.indicators)


def test_absent_sections_are_left_out_with_a_note(tiny, tmp_path):
    from svsna.outputs import build_reports

    table = tiny.indicators[~tiny.indicators["section"].isin(["geography", "victims"])]
    found = [f for f in tiny.findings if f.section not in ("geography", "victims")]
    paths = build_reports(table, found, config=tiny.config, out_dir=tmp_path, pdf=False)
    text = parse(paths.full_html).all_text()
    assert "Left out because no data were supplied for them" in text
    assert "Geography of serious violence" in text.split("Left out")[1][:400]
    html = paths.full_html.read_text(encoding="utf-8")
    assert 'id="sec-geography"' not in html and 'id="sec-extent"' in html


def test_bad_indicator_table_names_the_missing_columns(tiny, tmp_path):
    from svsna.errors import InputDataError
    from svsna.outputs import build_reports

    with pytest.raises(InputDataError, match=r"missing column\(s\) \['period', 'area'"):
        build_reports(
            pd.DataFrame({"section": ["extent"], "indicator": ["x"]}),
            [],
            config=tiny.config,
            out_dir=tmp_path,
            pdf=False,
        )
