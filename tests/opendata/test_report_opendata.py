"""The open-data edition's HTML/PDF/workbook report, built by the real svsna.outputs.

Checked by reading the output HTML (text and attribute values, as a reader or screen reader
gets them), not by trusting the code path:

- the title is "<force> police.uk open-data profile: Open-data edition";
- the proxy statement is in the introduction and the phrase "serious violence" appears
  nowhere except in the sentence saying police.uk cannot isolate it;
- every proxy group (combined, vso, robbery, weapons) is shown;
- the public summary is disclosure-controlled (nhsd_2018: counts 1-7 suppressed, others
  rounded to the nearest 5) while the full edition has exact counts.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svsna.opendata.assessment import run_opendata

GROUP_LABELS = ("Combined (all three groups)", "Violence and sexual offences", "Robbery", "Possession of weapons")


class _Text(HTMLParser):
    """Visible text plus alt/title/aria-label attribute values; style and script skipped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        for k, v in attrs:
            if k in ("alt", "title", "aria-label") and v:
                self.parts.append(v + ".")
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag in ("p", "li", "td", "th", "h1", "h2", "h3", "caption", "figcaption", "title"):
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)
            if self._cell is not None:
                self._cell.append(data)


def parse(html: str) -> _Text:
    p = _Text()
    p.feed(html)
    return p


def sentences(text: str) -> list[str]:
    out = []
    for block in text.split("\n"):
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(block.split())) if s.strip()]
    return out


def misuses_of_serious_violence(html: str) -> list[str]:
    """Sentences naming serious violence other than the one saying the data cannot isolate it."""
    text = "".join(parse(html).parts)
    return [
        s for s in sentences(text) if "serious violence" in s.lower() and "cannot isolate serious violence" not in s
    ]


def test_helper_catches_a_misuse():
    bad = "<p>Serious violence rose by 5%. police.uk cannot isolate serious violence, so nothing is called that.</p>"
    assert misuses_of_serious_violence(bad) == ["Serious violence rose by 5%."]
    assert misuses_of_serious_violence('<img alt="Serious violence by month">') == ["Serious violence by month."]


#: The report's files under --out (restricted/ and public/, docs/disclosure.md).
FILES = (
    "restricted/sna-full.html",
    "public/sna-summary.html",
    "restricted/sna-full.pdf",
    "public/sna-summary.pdf",
    "restricted/sna-tables.xlsx",
)


def _table_with(p: _Text, heading: str) -> list[list[str]]:
    for t in p.tables:
        if t and any(heading in c for c in t[0]):
            return t
    raise AssertionError(f"no table headed {heading!r}")


@pytest.fixture(scope="module")
def wy_report(west_yorkshire_shared, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wy_report")
    # no PDFs: the Leicestershire CLI run below is the one that typesets the open-data edition
    run_opendata(west_yorkshire_shared, "west-yorkshire", [2021], out, workbook=False, pdf=False)
    return out


def test_second_force_report_title_proxy_groups(wy_report):
    # one workbook per run for each edition: the report's (no separate opendata-tables.xlsx)
    assert sorted(p.relative_to(wy_report).as_posix() for p in wy_report.rglob("*.xlsx")) == [
        "public/sna-public-tables.xlsx",
        "restricted/sna-tables.xlsx",
    ]
    for name in FILES:
        if name.endswith(".pdf"):
            assert not (wy_report / name).exists(), name
        else:
            assert (wy_report / name).stat().st_size > 0, name
    for name in ("restricted/sna-full.html", "public/sna-summary.html"):
        html = (wy_report / name).read_text(encoding="utf-8")
        p = parse(html)
        text = " ".join("".join(p.parts).split())
        assert "West Yorkshire police.uk open-data profile: Open-data edition" in text
        assert "Serious Violence Strategic Needs Assessment" not in html
        assert "police.uk cannot isolate serious violence" in text  # the proxy statement, in the introduction
        intro = html[html.index('id="sec-introduction"') : html.index('id="sec-data_sources"')]
        assert "cannot isolate serious violence" in " ".join("".join(parse(intro).parts).split())
        assert misuses_of_serious_violence(html) == [], name
        for label in GROUP_LABELS:
            assert label in text, (name, label)
        # the population year used (mid-2021 is not shipped) and the geography vintage are said in the report
        assert "use mid-2020 estimates, because mid-2021 estimates are not available for every area" in text
        assert "Rates for 2021/22 use mid-2020 population estimates" in text
        assert "in the local authorities of 1 April 2024 (the current ones)" in text
        # one monthly SPC chart per proxy group; in the public summary, a group whose months are all
        # small is left out with one sentence instead (docs/disclosure.md)
        # police.uk records crimes: every table, chart and sentence says "Crimes", never "Offences"
        charts = re.findall(r"Crimes per month(?: with statistical process control limits)?, ", text)
        left_out = re.findall(r"Not published: Crimes per month[^.]*, because", text)
        assert not re.search(r"\bOffences (?:per month|\(rounded\))", text), name
        assert len(charts) >= 4 if name.startswith("restricted") else len(charts) + len(left_out) >= 4


def test_second_force_public_summary_is_disclosure_controlled(wy_report):
    # Hand count (test_second_force.py): per month 7 VSO, 1 robbery, 1 weapons located in the force area,
    # so FY2021/22: VSO 84, robbery 12, weapons 12, combined 108. nhsd_2018 rounds to the nearest 5:
    # 84 -> 85, 12 -> 10, 108 -> 110.
    full = parse((wy_report / "restricted" / "sna-full.html").read_text(encoding="utf-8"))
    public = parse((wy_report / "public" / "sna-summary.html").read_text(encoding="utf-8"))
    ft = _table_with(full, "Crimes")
    pt = _table_with(public, "Crimes (rounded)")
    col_f = ft[0].index("Crimes")
    col_p = pt[0].index("Crimes (rounded)")
    got_f = {r[0]: r[col_f] for r in ft[1:]}
    got_p = {r[0]: r[col_p] for r in pt[1:]}
    assert got_f == {
        "Combined (all three groups)": "108",
        "Violence and sexual offences": "84",
        "Robbery": "12",
        "Possession of weapons": "12",
    }
    assert got_p == {
        "Combined (all three groups)": "110",
        "Violence and sexual offences": "85",
        "Robbery": "10",
        "Possession of weapons": "10",
    }
    # no written finding in the public summary quotes an exact count that the rule would change
    text = " ".join("".join(public.parts).split())
    assert not re.search(r"\b(84|108)\b crimes", text)


LEICS_LAS = (
    "Blaby",
    "Charnwood",
    "Harborough",
    "Hinckley and Bosworth",
    "Melton",
    "North West Leicestershire",
    "Oadby and Wigston",
    "Leicester",
    "Rutland",
)


def test_leicestershire_cli_report_end_to_end(shared_data, llr_lsoa_to_lad, tmp_path):
    from svsna.cli import app

    out = tmp_path / "od"
    res = CliRunner().invoke(
        app,
        [
            "opendata",
            "report",
            "--data",
            str(shared_data),
            "--force",
            "leicestershire",
            "--years",
            "2020",
            "2021",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    for name in FILES:
        assert (out / name).stat().st_size > 0, name
    full_html = (out / "restricted" / "sna-full.html").read_text(encoding="utf-8")
    full = " ".join("".join(parse(full_html).parts).split())
    assert "Leicestershire police.uk open-data profile: Open-data edition" in full
    # local authority names from the ONS lookup file, read independently of svsna
    assert set(LEICS_LAS) == set(llr_lsoa_to_lad.values())
    for la in sorted(set(llr_lsoa_to_lad.values())):
        assert la in full, la
    # FY2020/21 'Violence and sexual offences' recorded by the force: 34,712 (shared/data/PROVENANCE.md,
    # counted independently from the raw files); the public summary rounds it to the nearest 5 (34,710).
    assert "34,712" in full
    public_html = (out / "public" / "sna-summary.html").read_text(encoding="utf-8")
    public = parse(public_html)
    assert "34,712" not in public_html
    t = _table_with(public, "Crimes recorded by the force (rounded)")
    col = t[0].index("Crimes recorded by the force (rounded)")
    vso = {r[1]: r[col] for r in t[1:] if r[0] == "Violence and sexual offences"}
    assert vso["2020/21"] == "34,710"
    for html in (full_html, public_html):
        assert misuses_of_serious_violence(html) == []
        for label in GROUP_LABELS:
            assert label in html
        text = " ".join("".join(parse(html).parts).split())
        # an interval follows the figure it belongs to ("5.1 times (95% CI ...) that in the least deprived
        # (decile 10)"), never another bracket, which it would seem to qualify
        assert re.findall(r".{0,80}\)\s*\(\d+% CI", text) == []
        # the annual-rate chart, and a Gi* map for every assessed year of both hot-spot groups
        assert "Rate per 1,000 residents by proxy group and financial year" in text
        for year in ("2020/21", "2021/22"):
            pattern = r"(Violence and sexual offences|Combined \(all three groups\)): (?:Hot|Hot and cold) spots? "
            maps = re.findall(pattern + rf"\(Getis-Ord Gi\*\) by LSOA, [^(]*\({year}\)", text)
            assert set(maps) == {"Violence and sexual offences", "Combined (all three groups)"}, (year, maps)
    # the appendix's ledger summary: docs/opendata.md (checked against the raw files in test_leicestershire.py);
    # the public summary rounds each count to the nearest 5.
    expected = {
        ("read", ""): (301_838, 301_840),
        ("loaded", ""): (260_517, 260_515),
        ("excluded", "anti-social behaviour (an incident, not a crime)"): (33_275, 33_275),
        ("excluded", "no location (blank LSOA code)"): (7_463, 7_465),
        ("excluded", "outside force area (an LSOA of another police force area)"): (583, 585),
    }
    for which, html in ((0, full_html), (1, public_html)):
        led = _table_with(parse(html), "Reason")
        got = {(r[0], r[1]): int(r[2].replace(",", "")) for r in led[1:]}
        assert got == {k: v[which] for k, v in expected.items()}
    # the workbook never names the figures serious violence either
    import openpyxl

    wb = openpyxl.load_workbook(out / "restricted" / "sna-tables.xlsx", read_only=True)
    assert {"3 Extent", "4 Trend", "5 Geography and deprivation", "6 Hot spots"} <= set(wb.sheetnames)
    cells = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert not [v for v in cells if "serious violence" in v.lower() and "cannot isolate serious violence" not in v]
    wb.close()
    # the ledger the report shows adds up: read = loaded + excluded + rejected (docs/opendata.md: 301,838)
    with (out / "ledger.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sum(int(r["rows"]) for r in rows if r["outcome"] == "read") == 301_838
