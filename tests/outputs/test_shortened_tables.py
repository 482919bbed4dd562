"""Long tables the full SNA prints shortened (the highest rows of a long list, single years of age
in five-year bands, the row ledger by file, sex by age band with the sexes across): nothing is
lost. Every row the PDF no longer prints is in the restricted workbook, in the sheet the table's
note names, and both agree with the indicator table and the ledger, worked out here from the raw
rows (``demo``: the synthetic partnership, assessed and reported by the real pipeline).
"""

from __future__ import annotations

import html as htmlmod
import re

import pandas as pd
import pytest
from tests.outputs._html import parse, pdf_pages, squash

NOTE = re.compile(r"All ([\d,]+) rows of (Table \d+) are in the workbook (\S+), sheet '([^']+)'\.")


def _blocks(path) -> dict[str, dict]:
    """Every table of the HTML by its id: caption (as text), the workbook note's figures, and its rows."""
    text = path.read_text(encoding="utf-8")
    parsed = {t["caption"]: t for t in parse(path).tables}
    out = {}
    for m in re.finditer(r'<div class="table-wrap[^"]*" id="([^"]+)"(.*?)</div>', text, re.S):
        body = m.group(2)
        caption = htmlmod.unescape(re.sub(r"<[^>]+>", "", re.search(r"<caption[^>]*>(.*?)</caption>", body, re.S)[1]))
        caption = " ".join(caption.split())
        note = re.search(r'<p class="source whole">(.*?)</p>', body, re.S)
        found = NOTE.search(htmlmod.unescape(note[1])) if note else None
        table = parsed[caption]
        out[m.group(1)] = {
            "caption": caption,
            "head": table["head"],
            "rows": table["rows"],
            "note": found.groups() if found else None,
        }
    return out


def _workbook_table(path, sheet: str, label: str) -> tuple[list[str], list[tuple]]:
    """The header and data rows the workbook holds under ``label`` ("Table 12") in ``sheet``."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith(f"{label}: "))
    head = [c for c in rows[start + 1] if c is not None]
    data = []
    for r in rows[start + 2 :]:
        if isinstance(r[0], str) and r[0].startswith("(Source: "):
            break
        data.append(tuple(r[: len(head)]))
    wb.close()
    return head, data


def _number(text: str) -> float:
    """A printed figure as a number: "1,234" -> 1234, "3.8%" -> 3.8."""
    return float(text.replace(",", "").rstrip("%"))


@pytest.fixture(scope="module")
def demo_tables(demo):
    return _blocks(demo.paths.full_html)


@pytest.fixture(scope="module")
def demo_rows(demo):
    """The indicator rows the full SNA shows (its definition) in the profile period."""
    from svsna.outputs.report import definition_name

    ind = demo.indicators
    return ind[(ind["definition"] == definition_name(demo.config)) & (ind["period"] == demo.config.profile().label)]


def test_demo_every_shortened_table_names_the_workbook_sheet_that_holds_all_its_rows(demo, demo_tables):
    shortened = {k: t for k, t in demo_tables.items() if t["note"]}
    # the row ledger, the ward tables and the single years of age are the long ones of the demo
    assert "ledger" in shortened
    assert sum(k.endswith("-ward-t") for k in shortened) >= 4
    assert any(k.endswith("-age-t") for k in shortened)
    pdf_text = squash(" ".join(pdf_pages(demo.paths.full_pdf)))
    for t in shortened.values():
        n, label, book, sheet = t["note"]
        assert t["caption"].startswith(f"{label}: ")
        assert book == demo.paths.workbook.name
        _head, data = _workbook_table(demo.paths.workbook, sheet, label)
        assert len(data) == int(n.replace(",", "")) > len(t["rows"]), t["caption"]
        assert squash(f"All {n} rows of {label} are in the workbook") in pdf_text  # the reader is told


def test_demo_a_long_list_prints_its_highest_rows_and_the_workbook_has_every_ward(demo, demo_tables, demo_rows):
    wards = {k: t for k, t in demo_tables.items() if k.endswith("-ward-t") and k.startswith("geography-")}
    assert len(wards) == 4
    for key, t in wards.items():
        indicator = key.removeprefix("geography-").removesuffix("-ward-t")
        raw = demo_rows[(demo_rows["indicator"] == indicator) & (demo_rows["breakdown"] == "ward")]
        n, label, _book, sheet = t["note"]
        assert int(n.replace(",", "")) == len(raw) > 20  # every ward of the indicator table
        assert re.search(rf"the {len(t['rows'])} highest of {len(raw)}$", t["caption"])
        head, data = _workbook_table(demo.paths.workbook, sheet, label)
        assert head == t["head"]
        assert {r[0] for r in data} == set(raw["breakdown_value"].astype(str))
        # the printed rows are the workbook's first rows, and those are the highest values
        assert [r[0] for r in data[: len(t["rows"])]] == [r[0] for r in t["rows"]]
        by_ward = raw.set_index(raw["breakdown_value"].astype(str))["value"]
        printed = by_ward[[r[0] for r in t["rows"]]]
        assert printed.min() >= by_ward.drop(printed.index).max()
        # each workbook figure is the indicator table's value as printed (rates 2 dp, shares 1 dp of %)
        for r in data:
            want = float(by_ward[r[0]])
            if want != want:  # no value (a change from a baseline of 0): not available
                assert r[1] == "[x]", (label, r)
                continue
            got, pct = float(r[1]), head[1].startswith("Percentage")
            assert abs((got * 100 if pct else got) - want) <= (0.05 if pct else 0.005) + 1e-9, (label, r)


def test_demo_single_years_of_age_print_as_bands_summing_the_same_counts(demo, demo_tables, demo_rows):
    ages = {k: t for k, t in demo_tables.items() if k.endswith("-age-t") and t["note"]}
    assert ages
    for key, t in ages.items():
        indicator = key.split("-")[1]
        raw = demo_rows[(demo_rows["indicator"] == indicator) & (demo_rows["breakdown"] == "age")]
        years = dict(zip(raw["breakdown_value"].astype(int), raw["value"].astype(float), strict=True))
        n, label, _book, sheet = t["note"]
        assert int(n.replace(",", "")) == len(years)
        assert t["head"][0] == "Age band"
        printed = {}
        for band, count in t["rows"]:
            if band == "90+":  # the ONS bands' top band: 90 and over
                lo, hi = 90, max(years)
            else:
                lo, hi = (int(x) for x in band.split("-"))
                assert hi - lo == 4 and lo % 5 == 0 and hi < 90
            printed[lo] = _number(count)
            assert printed[lo] == sum(v for a, v in years.items() if lo <= a <= hi), (label, band)
        assert sum(printed.values()) == sum(years.values())  # every involvement is in a band
        _head, data = _workbook_table(demo.paths.workbook, sheet, label)
        assert {int(r[0]): float(r[1]) for r in data} == years  # and every single year is in the workbook


def test_demo_the_ledger_prints_one_row_per_file_and_the_workbook_every_reason(demo, demo_tables):
    from svsna.outputs.report import assessment_inputs

    ledger = pd.read_csv(assessment_inputs(demo.config.output_dir).ledger, keep_default_na=False)
    t = demo_tables["ledger"]
    n, label, _book, sheet = t["note"]
    assert int(n.replace(",", "")) == len(ledger)
    _head, data = _workbook_table(demo.paths.workbook, sheet, label)
    as_written = [(str(r[0]), str(r[1]), str(r[2]), str(r[3] or ""), int(r[4])) for r in data]
    assert as_written == [(r.source, r.file, r.outcome, r.reason, int(r.rows)) for r in ledger.itertuples(index=False)]
    files = ledger[["source", "file"]].drop_duplicates()
    assert [tuple(r[:2]) for r in t["rows"]] == list(files.itertuples(index=False, name=None))
    head = t["head"]
    for row in t["rows"]:
        mine = ledger[(ledger["source"] == row[0]) & (ledger["file"] == row[1])]
        for j, col in enumerate(head[2:], start=2):
            if col.startswith("Excluded (definition "):
                d = col.removeprefix("Excluded (definition ").removesuffix(")")
                rows = mine[(mine["outcome"] == "excluded") & (mine["definition"] == d)]
            else:
                rows = mine[mine["outcome"] == col.lower()]
            want = rows["rows"].sum()
            assert (_number(row[j]) if row[j] else 0) == want, (row[0], col)
        read, loaded, rejected = (_number(row[head.index(c)]) for c in ("Read", "Loaded", "Rejected"))
        assert read == loaded + rejected  # the ledger reconciles file by file


def test_demo_sex_by_age_band_tables_have_the_sexes_across_and_every_figure(demo, demo_tables, demo_rows):
    from svsna.outputs.catalogue import display_value

    pivots = {k: t for k, t in demo_tables.items() if k.endswith("-sex-age_band-t")}
    assert len(pivots) >= 3  # residents, perpetrators and victims
    for key, t in pivots.items():
        section, indicator = key.split("-")[:2]
        raw = demo_rows[
            (demo_rows["section"] == section)
            & (demo_rows["indicator"] == indicator)
            & (demo_rows["breakdown"] == "sex|age_band")
        ]
        if not len(raw):  # the residents' table is the population estimates' year, not the profile period
            raw = demo.indicators[
                (demo.indicators["indicator"] == indicator) & (demo.indicators["breakdown"] == "sex|age_band")
            ]
            raw = raw[raw["period"] == raw["period"].iloc[-1]]
        sexes = list(dict.fromkeys(raw["breakdown_value"].str.split("|").str[0]))
        assert t["head"][0] == "Age band" and t["note"] is None  # nothing left out: no workbook note
        assert len(t["rows"]) * len(sexes) == len(raw)
        for sex in sexes:
            col = next(j for j, h in enumerate(t["head"]) if h.startswith(f"{display_value(sex, 'sex')}: number"))
            for row in t["rows"]:
                want = raw.loc[raw["breakdown_value"] == f"{sex}|{row[0]}", "numerator"]
                assert len(want) == 1 and _number(row[col]) == float(want.iloc[0]), (key, sex, row[0])
