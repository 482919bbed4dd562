"""Charts, maps and tables on small hand-made inputs, with expected values worked out by hand."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from svsna.outputs import charts, theme
from svsna.outputs.content import Cell, Section, TableBlock

CSS = Path(__file__).resolve().parents[2] / "src/svsna/outputs/templates/report.css"


def _wcag(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast, written out here independently of svsna.outputs.theme."""

    def lum(hex_colour: str) -> float:
        h = hex_colour.lstrip("#")[:6]
        out = []
        for i in (0, 2, 4):
            c = int(h[i : i + 2], 16) / 255
            out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]

    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _bars(sigs, values=(2.0, 1.5, 0.2, None)):
    n = len(values)
    return pd.DataFrame(
        {
            "breakdown_value": [f"Area {i}" for i in range(n)],
            "value": list(values),
            "lower": [None if v is None else v * 0.8 for v in values],
            "upper": [None if v is None else v * 1.2 for v in values],
            "significance": list(itertools.islice(itertools.cycle(sigs), n)),
            "comparator_value": [1.0] * n,
        }
    )


def test_value_labels_meet_wcag_aa_contrast():
    """Every value label printed on a chart, in every significance colour, reads at 4.5:1 or better."""
    drawn = [
        charts.bar_ci(_bars(["Higher", "Lower", "Similar", "Worse"]), value_label="Rate", title_noun="area"),
        charts.bar_ci(
            _bars(["Better", ""]),
            value_label="Rate",
            title_noun="year",
            horizontal=False,
            annualised=[False, False, True, False],
        ),
        charts.ratio_chart(_bars(["", ""], (2.6, 0.0, 1.1, None)), value_label="Rate ratio", title_noun="type"),
    ]
    labels = [lab for c in drawn for lab in c.labels]
    assert len(labels) >= 12
    for text, fg, bg in labels:
        assert _wcag(fg, bg) >= 4.5, (text, fg, bg)
    assert theme.contrast_ratio("#0072B2", "#FFFFFF") == pytest.approx(_wcag("#0072B2", "#FFFFFF"))


def test_report_css_text_colours_meet_wcag_aa():
    css = CSS.read_text(encoding="utf-8")
    var = dict(re.findall(r"--([a-z0-9]+):\s*(#[0-9a-fA-F]{6})", css))
    white, panel = "#ffffff", var["panel"]
    for name in ("ink", "muted", "accent", "accent2"):
        for bg in (white, panel, "#fdf6f1", "#fbe3d6"):
            assert _wcag(var[name], bg) >= 4.5, (name, bg)
    for cell_bg in re.findall(r"td\.sig-\w+[^{]*\{\s*background:\s*(#[0-9a-fA-F]{6})", css):
        assert _wcag(var["ink"], cell_bg) >= 4.5


def test_a_ratio_axis_is_not_set_by_one_huge_interval():
    # murder 4.35 (0.23 to 256.5) against ratios near 1.6: the axis stops well short of 256 and
    # the interval is drawn cut, with an arrow (the alt text says so); a zero ratio is listed, not drawn
    lo, hi = charts.ratio_limits([1.6, 2.6, 4.35], [1.4, 1.55, 0.23], [1.8, 4.5, 256.5])
    assert hi < 20 and lo > 0.2  # 4.35 x 1.6 x 2.5 = 17.4; 1 / 1.6 / 2.5 = 0.25
    rows = pd.DataFrame(
        {
            "breakdown_value": ["Assault", "Robbery", "Murder", "Manslaughter"],
            "value": [1.6, 2.6, 4.35, 0.0],
            "lower": [1.4, 1.55, 0.23, 0.0],
            "upper": [1.8, 4.5, 256.5, 84.8],
        }
    )
    c = charts.ratio_chart(rows, value_label="Rate ratio (times)", title_noun="offence type")
    assert "logarithmic scale with a line at 1" in c.alt and "cut at its edge" in c.alt
    assert "Murder 4.35 (0.23 to 256.50)" in c.alt
    assert ("0 (no events in one group)", theme.TEXT_COLOUR, "#FFFFFF") in c.labels


def test_heat_map_hatches_only_suppressed_cells_and_is_skipped_when_all_are():
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    keys = [f"{d}|{h:02d}" for d in days for h in range(24)]
    values = [float(i % 9 + 1) for i in range(168)]
    for i in (5, 6, 50):
        values[i] = float("nan")
    c = charts.heatmap_weekday_hour(pd.DataFrame({"breakdown_value": keys, "value": values}), value_label="Offences")
    assert c is not None and "3 suppressed cells are white with grey hatching" in c.alt
    assert "Monday" in c.alt or "day is" in c.alt
    empty = pd.DataFrame({"breakdown_value": keys, "value": [float("nan")] * 168})
    assert charts.heatmap_weekday_hour(empty, value_label="Offences") is None


def test_part_year_bars_are_annualised_on_a_chart_of_years():
    from svsna.config import AreaConfig
    from svsna.outputs.views import ViewContext, _period_view

    cfg = AreaConfig.model_validate(
        {"name": "X", "financial_years": [2019, 2020], "latest": {"start": "2021-04-01", "end": "2021-09-30"}}
    )
    rows = pd.DataFrame(
        {
            "section": "extent",
            "indicator": "rate",
            "period": ["2019/20", "2020/21", "2021/22 (Apr-Sep)", "Apr 2020 - Sep 2021"],
            "area": "X",
            "breakdown": "all",
            "breakdown_value": "all",
            "numerator": [40.0, 30.0, 20.0, 50.0],
            "value": [4.0, 3.0, 2.0, 5.0],
            "lower": [3.0, 2.0, 1.5, 4.0],
            "upper": [5.0, 4.0, 2.5, 6.0],
            "statistic": "rate",
            "unit": "per 1,000 residents",
            "significance": None,
            "method": "Byar",
        }
    )
    sec = Section("extent", "Extent")
    _period_view(sec, rows, "rate", "rate", "Rate", "Police", "k", ViewContext(cfg, "full"))
    fig = sec.figures[0]
    # six months at 2.0 per 1,000 is 4.00 a year; the 18-month window is left off the chart
    assert "2021/22 (Apr-Sep) annualised 4.00 (annualised)" in fig.alt
    assert "Apr 2020 - Sep 2021" not in fig.alt and "Apr 2020 - Sep 2021" in fig.notes
    assert sec.tables[0].rows[-1][0] == "Apr 2020 - Sep 2021"  # the table keeps every period as it is
    # the captions name what each shows: the chart its years, the table its years and then the window
    assert fig.caption == "Rate, X (2019/20 to 2021/22 (Apr-Sep))"
    assert sec.tables[0].caption == "Rate, X (2019/20 to 2021/22 (Apr-Sep); Apr 2020 - Sep 2021)"
    # the same years in a later section (the whole area's rate in geography) are not drawn twice
    ctx = ViewContext(cfg, "full")
    extent, geography = Section("extent", "Extent"), Section("geography", "Geography")
    _period_view(extent, rows, "rate", "rate", "Rate", "Police", "k", ctx)
    _period_view(geography, rows.assign(indicator="area_rate"), "area_rate", "rate", "Rate", "Police", "g", ctx)
    assert len(extent.figures) == 1 and geography.figures == []
    assert geography.tables[0].rows == extent.tables[0].rows
    assert "The years are drawn as a chart in 'Extent of serious violence'." in geography.tables[0].notes
    other = rows.assign(value=[4.0, 3.0, 2.5, 5.0])  # another series: drawn
    _period_view(geography, other, "area_rate", "rate", "Rate", "Police", "g2", ctx)
    assert len(geography.figures) == 1


def test_a_table_of_suppressed_cells_becomes_one_sentence():
    from svsna.config import AreaConfig
    from svsna.outputs.views import ViewContext, _table

    rows = pd.DataFrame(
        {
            "breakdown_value": ["A", "B"],
            "value": [float("nan")] * 2,
            "lower": [float("nan")] * 2,
            "upper": [float("nan")] * 2,
            "numerator": [float("nan")] * 2,
            "significance": [None, None],
            "comparator_value": [float("nan")] * 2,
            "indicator": ["x", "x"],
            "statistic": ["percentage"] * 2,
            "unit": ["%"] * 2,
            "suppressed": [False, False],
            "public_note": ["numerator suppressed: primary", "numerator suppressed: secondary"],
        }
    )
    sec = Section("nature", "Nature")
    ctx = ViewContext(AreaConfig.model_validate({"name": "X"}), "public")
    assert _table("k", "Share by setting, X (P)", rows, "percent", ctx, "Police", "Setting", sec) is None
    assert sec.notes == [
        "Share by setting, X (P): every value is suppressed in this summary because the numbers are small."
    ]
    # one shown value: a table, with [c] for the suppressed one and the symbol explained
    rows.loc[0, ["value", "public_note"]] = [12.5, ""]
    t = _table("k", "Share by setting, X (P)", rows, "percent", ctx, "Police", "Setting", sec)
    assert [r[1].text for r in t.cells()] == ["12.5%", "[c]"] and "[c] suppressed" in t.notes


def test_missing_values_are_not_available_not_confidential():
    from svsna.outputs.views import fmt_value, missing_symbol

    class Row:
        suppressed = False
        public_note = ""

    assert fmt_value(None, "rate") == "[x]" and missing_symbol(Row()) == "[x]"
    Row.public_note = "count suppressed: primary (nhsd_2018)"
    assert missing_symbol(Row()) == "[c]"


def test_monthly_series_with_small_months_go_by_quarter():
    from svsna.outputs.views import monthly_to_quarters

    months = [f"2021-{m:02d}" for m in range(1, 7)]
    base = {
        "section": "health",
        "period": "P",
        "area": "X",
        "breakdown": "month",
        "statistic": "count",
        "definition": "",
        "significance": None,
        "lower": np.nan,
        "upper": np.nan,
        "comparator_value": np.nan,
        "method": "Count",
    }
    small = pd.DataFrame(
        [
            {**base, "indicator": "ae_count", "breakdown_value": m, "value": v, "numerator": v}
            for m, v in zip(months, [12, 3, 20, 9, 9, 40], strict=True)
        ]
    )
    big = pd.DataFrame(
        [
            {**base, "indicator": "offences_monthly", "breakdown_value": m, "value": 100.0, "numerator": 100.0}
            for m in months
        ]
    )
    out = monthly_to_quarters(pd.concat([small, big], ignore_index=True), lambda v: 1 <= v <= 7)
    q = out[out["breakdown"] == "quarter"].set_index("breakdown_value")["value"]
    assert q.to_dict() == {"2021Q1": 35.0, "2021Q2": 58.0}  # 12 + 3 + 20; 9 + 9 + 40
    assert (out[out["indicator"] == "offences_monthly"]["breakdown"] == "month").all()  # no small month: kept


def test_wide_tables_split_into_parts_that_keep_every_column():
    cols = ["Question", *[f"District number {i}" for i in range(12)]]
    t = TableBlock("t", "Wide", cols, [["Feel safe", *[Cell("12.3%", "num")] * 12]], "Survey")
    parts = t.print_parts()
    assert len(parts) >= 2
    assert all(p[0] == 0 for p in parts)  # the row labels repeat on every part
    assert sorted({j for p in parts for j in p}) == list(range(len(cols)))
    assert math.isclose(sum(t.col_widths()), 100, abs_tol=0.5)
    narrow = TableBlock("n", "Narrow", ["A", "B"], [["x", "1"]], "")
    assert narrow.print_parts() == [[0, 1]]


def test_natural_breaks_match_a_brute_force_search():
    from svsna.outputs.maps import jenks_breaks

    rng = np.random.default_rng(7)
    for _ in range(5):
        x = sorted(np.round(rng.gamma(2.0, 2.0, size=8), 2))
        for k in (2, 3, 4):
            best = None
            for cuts in itertools.combinations(range(1, len(x)), k - 1):
                groups = np.split(np.array(x), cuts)
                ssd = sum(((g - g.mean()) ** 2).sum() for g in groups)
                if best is None or ssd < best[0] - 1e-12:
                    best = (ssd, [float(x[0])] + [float(g[-1]) for g in groups])
            assert jenks_breaks(x, k) == pytest.approx(best[1])
    # the reference's district rates: Leicester (9.47) is a class of its own
    edges = jenks_breaks([9.47, 4.22, 3.89, 3.62, 3.58, 3.02, 2.94, 2.84, 2.16], 4)
    assert edges[-2] < 9.47 and edges[-2] >= 4.22


def test_choropleth_legend_counts_and_scale_and_licence():
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    from svsna.outputs.maps import ATTRIBUTION, choropleth, hotspot_areas, load_boundaries

    lsoas = gpd.GeoDataFrame(
        {"LSOA11CD": ["E01000001", "E01000002", "E01000003"], "LSOA11NM": ["Alpha 001A", "Alpha 001B", "Beta 002A"]},
        geometry=[box(-1.2, 52.6, -1.1, 52.7), box(-1.1, 52.6, -1.0, 52.7), box(-1.0, 52.6, -0.9, 52.7)],
        crs=4326,
    )
    lookup = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002", "E01000003"],
            "district_name": ["Alpha"] * 2 + ["Beta"],
            "ward_name": ["North", "South", "East"],
            "npa": ["Alpha NPA"] * 2 + [None],
        }
    )
    b = load_boundaries(lsoas, lookup)
    assert sorted(b.district["district_name"]) == ["Alpha", "Beta"] and b.lsoa.crs.to_epsg() == 27700
    rows = pd.DataFrame({"breakdown_value": ["Alpha", "Beta"], "value": [4.5, float("nan")]})
    png, alt = choropleth(b.district, rows, value_label="Rate per 1,000")
    assert png[1:4] == b"PNG" and "highest Alpha (4.50)" in alt and "suppressed or without data: Beta" in alt
    assert "Open Government Licence v3.0" in ATTRIBUTION and "Crown copyright" in ATTRIBUTION
    hot = pd.DataFrame({"breakdown_value": ["E01000001", "E01000002", "E01000003"]})
    # hot spots are named by their neighbourhood policing area, else their district, with their wards
    assert hotspot_areas(hot, b.lsoa) == [("Alpha NPA", 2, ["North", "South"]), ("Beta", 1, ["East"])]
    # without boundaries, the geography lookup alone names them the same way (not "Area not known")
    assert hotspot_areas(hot, lookup) == [("Alpha NPA", 2, ["North", "South"]), ("Beta", 1, ["East"])]


def test_boundaries_without_lsoa_codes_are_a_clear_error():
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    from svsna.errors import InputDataError
    from svsna.outputs.maps import load_boundaries

    bad = gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    with pytest.raises(InputDataError, match="no column holds LSOA codes"):
        load_boundaries(bad)


def test_codes_are_written_in_words():
    from svsna.outputs.catalogue import display_value, humanise

    assert display_value("Mon|00", "weekday|hour") == "Monday 00:00-00:59"
    assert display_value("knife_carrier", "flag") == "Habitual knife carrier"
    assert display_value("age_at_mam", "measure") == "Age at the murder or attempted murder (years)"
    assert display_value("ever", "victimisation") == "Ever a victim"
    assert display_value(float("nan")) == "Not known" and display_value("nan") == "Not known"
    assert humanise("some_new_code") == "Some new code"


def test_printed_column_headings_keep_their_words_whole(tmp_path):
    """A wide table's headings in the PDF: no word broken across lines ("Charnwoo / d", "Harboroug / h" in
    the demo's survey table), every heading word whole on one line of the extracted text."""
    import subprocess

    from svsna.config import AreaConfig
    from svsna.outputs.report import _render_html, write_pdf

    places = ["Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Leicester", "Melton",
              "North West Leicestershire", "Oadby and Wigston", "Rutland"]  # fmt: skip
    cols = ["Statement or question", "All respondents", "16-24", "25-44", "45-64", "65+", *places]
    rows = [[q, *[Cell("67.2%", "num")] * (len(cols) - 1)] for q in ("Feel safe at home at night", "Trust police")]
    section = Section("surveys", "Community and young people's insights")
    section.add_table(TableBlock("survey-0", "Survey: respondents agreeing (%)", cols, rows, "Survey"))
    config = AreaConfig.model_validate({"name": "X"})
    html = _render_html("full", [section], [], config, {"svsna_version": "test"}, for_print=True)
    pdf = tmp_path / "t.pdf"
    write_pdf(html, pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = set(re.findall(r"[A-Za-z][A-Za-z-]*", text))
    for heading in cols:
        for word in re.findall(r"[A-Za-z]+", heading):
            assert word in words, f"{word!r} of the heading {heading!r} is broken in the PDF"


def test_public_counts_say_rounded_unless_they_are_published_data_shown_as_published():
    """Population estimates are public data, printed as published (1,107,597): their heading must not say
    "(rounded)". Counts of the partnership's own data are rounded to 5 in the public summary and say so."""
    from svsna.config import AreaConfig
    from svsna.outputs.public import PUBLIC_DATA_NOTE
    from svsna.outputs.views import ViewContext, _table

    def rows(note: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "breakdown_value": ["A", "B"],
                "value": [354036.0, 188416.0],
                "lower": [float("nan")] * 2,
                "upper": [float("nan")] * 2,
                "numerator": [354036.0, 188416.0],
                "significance": [None, None],
                "comparator_value": [float("nan")] * 2,
                "indicator": ["residents"] * 2,
                "statistic": ["count"] * 2,
                "unit": ["residents"] * 2,
                "suppressed": [False, False],
                "public_note": [note] * 2,
            }
        )

    cfg = AreaConfig.model_validate({"name": "X"})
    public, full = ViewContext(cfg, "public"), ViewContext(cfg, "full")
    sec = Section("population", "Population")
    published = _table("k", "Residents", rows(PUBLIC_DATA_NOTE), "count", public, "ONS", "District", sec)
    assert published.columns[1] == "Residents" and published.cells()[0][1].text == "354,036"
    own = _table("k", "Residents", rows("rounded to 5"), "count", public, "ONS", "District", sec)
    assert own.columns[1] == "Residents (rounded)"
    assert _table("k", "Residents", rows(""), "count", full, "ONS", "District", sec).columns[1] == "Residents"


def test_the_day_and_hour_table_says_its_blocks_where_the_figure_says_its_hours():
    from svsna.config import AreaConfig
    from svsna.outputs.views import ViewContext, _day_block_table

    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    rows = pd.DataFrame(
        {
            "breakdown_value": [f"{d}|{h:02d}" for d in days for h in range(24)],
            "value": [1.0] * 168,
            "unit": "offences",
        }
    )
    sec = Section("timing", "Timings")
    ctx = ViewContext(AreaConfig.model_validate({"name": "X"}), "full")
    _day_block_table(sec, rows, "count", "Offences by day and hour, X (Apr 2020 - Sep 2021)", "Police", "k", ctx)
    table = sec.tables[0]
    assert table.caption == "Offences by day and four-hour block, X (Apr 2020 - Sep 2021)"
    assert table.rows[0][1].text == "4" and table.rows[0][-1].text == "24"  # four hours of one; the whole day


def test_the_day_by_block_table_prints_whole_with_its_day_names_unbroken(tmp_path):
    """The table of offences by day and four-hour block was split over two parts (the second holding only
    "Whole day") with "Wednesda / y" broken: it fits one portrait page, every day name whole."""
    import subprocess

    from svsna.config import AreaConfig
    from svsna.outputs.report import _render_html, write_pdf
    from svsna.outputs.views import ViewContext, _day_block_table

    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    rows = pd.DataFrame(
        {"breakdown_value": [f"{d}|{h:02d}" for d in days for h in range(24)], "value": [41.0] * 168, "unit": "x"}
    )
    section = Section("timing", "Timings")
    config = AreaConfig.model_validate({"name": "X"})
    _day_block_table(
        section, rows, "count", "Offences by day and hour, X (P)", "Police", "k", ViewContext(config, "full")
    )
    assert section.tables[0].print_parts() == [list(range(8))]
    html = _render_html("full", [section], [], config, {"svsna_version": "test"}, for_print=True)
    pdf = tmp_path / "t.pdf"
    write_pdf(html, pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = set(re.findall(r"[A-Za-z]+", text))
    assert {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"} <= words
    assert "part 2" not in text


def test_the_reading_guide_says_only_rates_are_annualised():
    """A part-year share is drawn as it is (a share of its own months); the guide must not say every
    part-year bar is annualised."""
    from svsna.config import AreaConfig
    from svsna.outputs.report import how_to_read

    (line,) = [x for x in how_to_read(AreaConfig.model_validate({"name": "X"}), False) if "part-year" in x]
    assert "a rate there is annualised" in line and "a share is not" in line
