"""The night-time economy section's people views: ages drawn by the five-year bands the table
prints (readable however many single years of age an area has), and home-area figures and
tables at two geography levels captioned by their level (no "[Night-time economy]" suffix
from the report's caption de-duplication).

The rows are what :mod:`svsna.analyses.nte` writes (single years of age as counts of
involvements; home shares by ``npa`` and ``ward``), made here from ages and homes drawn in
the test; the expected bands are summed here from those ages.
"""

from __future__ import annotations

import io
import itertools
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.outputs._html import parse

from svsna.config import AreaConfig
from svsna.outputs.content import Section

PERIOD = "Apr 2020 - Sep 2021"
CSS = Path(__file__).resolve().parents[2] / "src/svsna/outputs/templates/report.css"


def _frame(indicator: str, breakdown: str, values: dict[str, float], statistic: str, unit: str) -> pd.DataFrame:
    n = len(values)
    total = sum(values.values())
    share = statistic == "percentage"
    return pd.DataFrame(
        {
            "section": "nte",
            "indicator": indicator,
            "period": PERIOD,
            "area": "MV",
            "breakdown": breakdown,
            "breakdown_value": list(values),
            "numerator": list(values.values()) if share else [np.nan] * n,
            "denominator": [total if share else np.nan] * n,
            "value": [100.0 * v / total if share else v for v in values.values()],
            "statistic": statistic,
            "unit": unit,
            "lower": [np.nan] * n,
            "upper": [np.nan] * n,
            "method": "Wilson" if share else "Count",
            "comparator_value": [np.nan] * n,
            "significance": [None] * n,
            "definition": "vrn",
        }
    )


def _ages(seed: int, people: int) -> Counter:
    """Ages of a small area's NTE perpetrators, spread from 10 to 84 (as the hand-built partnership's)."""
    rng = np.random.default_rng(seed)
    return Counter(int(min(84, max(10, a))) for a in rng.gamma(4.0, 7.0, size=people))


def _context(edition: str = "full"):
    from svsna.outputs.views import ViewContext

    return ViewContext(AreaConfig.model_validate({"name": "MV"}), edition)


def _nte_views(rows: pd.DataFrame, edition: str = "full") -> Section:
    from svsna.outputs.views import add_indicator_views

    section = Section("nte", "Night-time economy")
    add_indicator_views(section, rows, rows, _context(edition))
    return section


def test_a_small_areas_age_chart_is_drawn_by_the_five_year_bands_its_table_prints():
    ages = _ages(7, 85)
    assert len(ages) > 20  # more single years than a chart or table can show one by one
    rows = _frame(
        "nte_perpetrator_age", "age", {str(a): float(n) for a, n in sorted(ages.items())}, "count", "involvements"
    )
    section = _nte_views(rows)
    # the bands, summed here: every five years from the youngest age's band to the oldest's,
    # an empty band (no one of those ages) being 0
    first, last = min(ages) // 5 * 5, max(ages) // 5 * 5
    bands = {f"{lo}-{lo + 4}": sum(n for a, n in ages.items() if lo <= a <= lo + 4) for lo in range(first, last + 5, 5)}
    assert 0 in bands.values()  # the area has a gap in its ages: the chart keeps its shape
    [figure] = section.figures
    assert figure.caption.endswith(": in five-year age bands")
    listed = re.search(r"five-year bands: (.*)\.$", figure.alt)[1]
    assert listed == "; ".join(f"{band} {n:,}" for band, n in bands.items())
    # the printed table is the same bands with the same counts
    [table] = section.tables
    assert table.columns[0] == "Age band"
    assert [(r[0], r[1].text) for r in table.rows] == [(band, f"{n:,}") for band, n in bands.items()]
    assert len(table.whole.rows) == len(ages)  # every single year is kept for the workbook


def _text_boxes(svg: bytes) -> list[tuple[str, float, float, float, float]]:
    """Every unrotated text of a chart's SVG as (text, x0, x1, y0, y1) in points, measured with
    the chart's font (DejaVu Sans) at the size the SVG gives."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure = TextToPath()
    out = []
    for el in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"):
        if (el.get("transform") or "").startswith("rotate(-90"):
            continue  # the value axis title
        style = {k.strip(): v.strip() for k, v in (p.split(":", 1) for p in el.get("style", "").split(";") if ":" in p)}
        size = float(style["font-size"].strip().removesuffix("px"))
        anchor = style.get("text-anchor", "start").strip()
        width, _height, _descent = measure.get_text_width_height_descent(
            el.text or "", FontProperties(family="DejaVu Sans", size=size), ismath=False
        )
        x, y = float(el.get("x")), float(el.get("y"))
        x0 = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
        out.append((el.text or "", x0, x0 + width, y - 0.75 * size, y + 0.25 * size))
    return out


@pytest.mark.parametrize(
    ("youngest", "oldest", "count"),
    [(10, 84, 7), (18, 30, 3), (0, 104, 12_345), (10, 64, 1_234), (16, 97, 999)],
)
def test_no_two_labels_of_an_age_chart_overlap_and_they_print_at_a_readable_size(youngest, oldest, count):
    """From one band to all nineteen (ages 0 to 104: 0-4 ... 85-89 and 90+), with counts of one to
    five digits a year of age."""
    from PIL import Image

    from svsna.outputs import charts, theme
    from svsna.outputs.views import age_band_rows

    rng = np.random.default_rng(youngest + oldest)
    years = {str(a): float(count + int(rng.integers(0, 3))) for a in range(youngest, oldest + 1)}
    rows = age_band_rows(_frame("nte_victim_age", "age", years, "count", "involvements"))
    assert (rows["label"].iloc[-1] == "90+") == (oldest >= 90)
    token = theme.SVG_CHARTS.set(True)
    try:
        chart = charts.age_band_columns(rows, value_label="Involvements")
    finally:
        theme.SVG_CHARTS.reset(token)
    boxes = _text_boxes(chart.svg)
    edges = {str(a) for a in range(youngest // 5 * 5, min(oldest, 90) + 5, 5)}
    assert len([b for b in boxes if b[0] in edges]) >= 2  # the age axis is labelled
    for i, (a, ax0, ax1, ay0, ay1) in enumerate(boxes):
        for b, bx0, bx1, by0, by1 in boxes[i + 1 :]:
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, f"{a!r} overlaps {b!r}"
    # the PDF prints a chart no taller than the stylesheet's figure box: its smallest text stays readable
    box_cm = float(re.search(r"figure img \{ max-height: ([\d.]+)cm", CSS.read_text())[1])
    with Image.open(io.BytesIO(chart.png)) as png:
        height_in = png.height / png.info["dpi"][1]
    scale = min(1.0, box_cm / 2.54 / height_in)
    smallest = min(float(x) for x in re.findall(r"font-size: ([\d.]+)px", chart.svg.decode()))
    assert smallest * scale >= 6.5, (smallest, scale)


def test_home_area_figures_and_tables_are_captioned_by_their_geography_level():
    from svsna.outputs.report import _distinct_captions

    rng = np.random.default_rng(3)
    npas = {f"NPA {c}": float(rng.integers(5, 40)) for c in "ABCDE"}
    wards = {f"Ward {i}": float(rng.integers(1, 20)) for i in range(1, 16)}
    rows = pd.concat(
        [
            _frame("nte_victim_home_share", "npa", npas, "percentage", "%"),
            _frame("nte_victim_home_share", "ward", wards, "percentage", "%"),
        ],
        ignore_index=True,
    )
    section = _nte_views(rows)
    _distinct_captions([section])
    captions = [b.caption for b in section.blocks]
    assert len(section.figures) == 2 and len(section.tables) == 2
    assert not [c for c in captions if "[" in c]  # nothing for the de-duplication to add
    by_npa = [c for c in captions if "by home neighbourhood policing area (%), MV" in c]
    by_ward = [c for c in captions if "by home ward (%), MV" in c]
    assert len(by_npa) == 2 and len(by_ward) == 2  # a figure and a table at each level
    assert all(c.startswith("Night-time economy victims by home ") for c in captions)


def test_a_small_areas_home_npas_in_the_key_figures_table_say_their_level():
    rows = _frame("nte_perpetrator_home_share", "npa", {"Central": 20.0, "East": 9.0, "West": 5.0}, "percentage", "%")
    [table] = _nte_views(rows).tables
    assert {r[0] for r in table.rows} == {"Night-time economy perpetrators by home neighbourhood policing area (%)"}


def test_the_public_summary_never_bands_single_years_of_age():
    """Banded public counts would have to come from the disclosure-controlled table: the public
    edition does not sum its rounded or suppressed single years into bands."""
    ages = _ages(11, 60)
    rows = _frame(
        "nte_perpetrator_age", "age", {str(a): float(n) for a, n in sorted(ages.items())}, "count", "involvements"
    )
    section = _nte_views(rows, "public")
    assert not any("five-year" in b.caption for b in section.blocks)
    assert not any("five-year" in f.alt for f in section.figures)


def test_the_overlap_check_finds_the_labels_a_column_per_band_chart_overprints():
    """The check above can fail: fifteen bands as categories on a column chart (a label per band,
    "10-14" ... "80-84") overprint each other, as the night-time economy chart did."""
    from svsna.outputs import charts, theme

    rows = pd.DataFrame({"breakdown_value": [f"{a}-{a + 4}" for a in range(10, 85, 5)], "value": 5.0})
    token = theme.SVG_CHARTS.set(True)
    try:
        chart = charts.bar_ci(rows, value_label="Involvements", title_noun="age band", unit="count", horizontal=False)
    finally:
        theme.SVG_CHARTS.reset(token)
    boxes = [b for b in _text_boxes(chart.svg) if re.fullmatch(r"\d+-\d+", b[0])]
    assert any(a[2] > b[1] for a, b in itertools.pairwise(boxes))  # a label ends after the next one starts


def _demo_captions(path) -> list[str]:
    page = parse(path)
    return [*page.captions, *page.figcaptions]


def test_demo_nte_home_area_captions_name_their_level_with_no_section_suffix(demo):
    captions = _demo_captions(demo.paths.full_html)
    assert not [c for c in captions if "[Night-time economy]" in c]
    for who in ("perpetrators", "victims"):
        home = [c for c in captions if f"Night-time economy {who} by home " in c]
        assert any("by home neighbourhood policing area (%)" in c for c in home), home
        assert any("by home ward (%)" in c for c in home), home
        assert len(home) == len(set(home))


def test_demo_public_summary_shows_no_nte_ages_it_would_have_to_band(demo):
    """The public summary draws its NTE section from the controlled table without the ages:
    no figure or table of NTE ages, banded or not (their single years are in the public
    workbook only as the disclosure control left them)."""
    captions = _demo_captions(demo.paths.public_html)
    assert not [c for c in captions if re.search(r"Night-time economy (perpetrators|victims) by age", c)]
    assert not [c for c in captions if "five-year age bands" in c]
    # nor single years of age in its sentences (they came out as rounded counts: "15, 15 and 15")
    assert "most common ages" not in parse(demo.paths.public_html).all_text()
    assert "most common ages" in parse(demo.paths.full_html).all_text()


def test_the_nte_profile_names_the_most_common_ages_in_the_full_sna_only():
    from svsna.indicators import Finding
    from svsna.outputs.public import count_rule
    from svsna.outputs.sentences import render

    f = Finding(
        "nte",
        "nte_victims",
        "",
        {"persons": 212, "n": 212, "male_share": 69.2, "peak_ages": [19, 20, 18]},
        period=PERIOD,
    )
    assert render(f).text == "69.2% of night-time-economy victims were male; the most common ages were 19, 20 and 18."
    public = render(f, rule=count_rule("nhsd_2018")).text
    assert public == "69.2% of night-time-economy victims were male."
