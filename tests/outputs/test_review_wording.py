"""Findings of the December 2026 review of the published outputs (sections, views, charts, tables).

Each test states what a reader saw, and checks the fixed output against values worked out by hand.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from svsna.outputs.content import Section
from svsna.outputs.sections import _data_sources


def _ledger(rows):
    return pd.DataFrame(rows, columns=["source", "file", "outcome", "reason", "rows", "definition"])


def test_data_sources_list_only_what_was_supplied_and_used():
    """B7: the small area's table listed A&E, admissions, ambulance and survey data it never had."""
    ledger = _ledger(
        [
            ("offences", "o.csv", "read", "", 640, ""),
            ("offences", "o.csv", "loaded", "", 590, ""),
            ("ae_attendances", "", "read", "not supplied", 0, ""),
            ("ambulance", "", "read", "not supplied", 0, ""),
            ("survey_responses", "s.csv", "read", "", 12, ""),
            ("survey_responses", "s.csv", "rejected", "bad date", 12, ""),
        ]
    )
    for public in (True, False):
        sec = Section("data_sources", "Data sources")
        _data_sources(SimpleNamespace(ledger=ledger, public=public), sec)
        (table,) = sec.blocks
        assert [r[0] for r in table.rows] == ["Police recorded crime - offences"]
        assert "ingest ledger" not in table.source and "svsna" not in table.source
        text = " ".join(sec.paragraphs)
        assert "Not supplied, so not used in this document: A&E assault attendances and Ambulance incidents." in text
        assert "Supplied, but with no rows that could be used: Survey responses." in text


def test_demo_row_ledger_figures_name_their_sources_in_words(demo):
    """D22: the appendix's row-ledger tables were credited to "Police recorded crime" and labelled
    "Ae attendances", "excluded: offence code not in definition"."""
    from tests.outputs._html import parse

    page = parse(demo.paths.full_html)
    text = " ".join(page.all_text().split())
    ledger = [
        t for t in page.tables if re.match(r"Table \d+: Rows (rejected by source|of the input files)", t["caption"])
    ]
    assert len(ledger) == 2
    labels = [r[0] for t in ledger for r in t["rows"]]
    assert "A&E assault attendances" in labels and "Survey responses" in labels and "Police offences" in labels
    assert not any(lab in ("Ae attendances", "ae_attendances", "offences") for lab in labels)
    assert "excluded: offence code" not in text and "Excluded: offence code not in definition" in text
    # the appendix's ledger figures and tables, from the excluded offences to the input rows
    start = text.index("Excluded: offence code not in definition")  # the table, after the list of figures
    end = text.rindex("Rows dated inside the assessment's periods")
    assert "Police recorded crime" not in text[start:end]
    assert text[start:end].count("Source: Partnership data supplied for this assessment") >= 4
    assert "svsna ingest ledger" not in text


def _drawn(monkeypatch) -> list:
    """The matplotlib figures the charts draw, kept as they are rendered."""
    from svsna.outputs import theme

    figs: list = []
    real = theme.render_both

    def keep(fig):
        figs.append(fig)
        return real(fig)

    monkeypatch.setattr(theme, "render_both", keep)
    return figs


def _diamonds(ax):
    return [ln for ln in ax.get_lines() if ln.get_marker() == "D" and ln.get_markerfacecolor() == "none"]


def test_suppressed_pyramid_bands_have_no_bar(monkeypatch):
    """D16: suppressed bands were hatched bars 12% of the axis long, read as rates of about 3."""
    from svsna.outputs import charts

    figs = _drawn(monkeypatch)
    rows = pd.DataFrame(
        {
            "breakdown_value": ["Male|15-19", "Male|20-24", "Female|15-19", "Female|20-24"],
            "value": [4.0, None, 2.0, 8.0],
        }
    )
    chart = charts.pyramid(rows, value_label="Rate per 1,000 residents", who="victims")
    (ax,) = figs[0].axes
    # bars: male 15-19 at -4, female 15-19 at 2 and 20-24 at 8; the suppressed male 20-24 is 0 long
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == [-4.0, 0.0, 2.0, 8.0]
    assert not any(p.get_hatch() for p in ax.patches)
    (mark,) = _diamonds(ax)
    lim = 8.0 * 1.1  # the axis: the largest value and a tenth
    assert list(mark.get_ydata()) == [1] and list(mark.get_xdata()) == [pytest.approx(-lim * 0.035)]
    assert "Suppressed (no value shown)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert "1 suppressed age-sex group has no bar" in chart.alt


def test_a_suppressed_hour_is_marked_and_said(monkeypatch):
    """D17: a suppressed hour was a silent gap in the hour-of-day line."""
    from svsna.outputs import charts

    figs = _drawn(monkeypatch)
    rows = pd.DataFrame({"breakdown_value": [f"{h:02d}" for h in range(24)], "value": [5.0] * 21 + [None, 6.0, 5.0]})
    chart = charts.hour_lines({"Police recorded crime": rows}, value_label="Share of offences (%)")
    (ax,) = figs[0].axes
    (mark,) = _diamonds(ax)
    assert list(mark.get_xdata()) == [21] and list(mark.get_ydata()) == [0]
    assert "Suppressed hour (gap)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert chart.alt.endswith("Suppressed, so the line has a gap: Police recorded crime 21:00-21:59.")


def test_log_axis_tick_labels_are_one_size(monkeypatch):
    """D19: the labels 2 and 5 were smaller than 1 and 10 on the forest plots."""
    from svsna.outputs import charts

    figs = _drawn(monkeypatch)
    rows = pd.DataFrame({"breakdown_value": ["A", "B"], "value": [1.5, 2.9], "lower": [1.1, 1.4], "upper": [2.0, 6.1]})
    charts.ratio_chart(rows, value_label="Rate ratio", title_noun="offence type")
    (ax,) = figs[0].axes
    figs[0].canvas.draw()
    shown = [t for t in [*ax.get_xticklabels(), *ax.get_xticklabels(minor=True)] if t.get_text()]
    texts = {t.get_text() for t in shown}
    assert {"1", "2", "5"} <= texts
    assert len({t.get_fontsize() for t in shown}) == 1


def test_bar_whiskers_stay_on_the_axis(monkeypatch):
    """D20: a fall whose interval reached +31% ran off an axis that stopped at +5%."""
    from svsna.outputs import charts

    figs = _drawn(monkeypatch)
    rows = pd.DataFrame(
        {"breakdown_value": ["A", "B"], "value": [-10.0, 3.0], "lower": [-20.0, 1.0], "upper": [31.0, 5.0]}
    )
    charts.bar_ci(rows, value_label="Change (%)", title_noun="area", unit="%")
    (ax,) = figs[0].axes
    lo, hi = ax.get_xlim()
    assert lo <= -20.0 and hi >= 31.0


def test_spc_mean_line_is_drawn_from_the_limits_when_no_centre_is_given(monkeypatch):
    """B8: the public chart's note spoke of a mean line that was not drawn (its centre is blank)."""
    from svsna.outputs import charts

    figs = _drawn(monkeypatch)
    months = [f"2020-{m:02d}" for m in range(1, 7)]
    rows = pd.DataFrame(
        {"breakdown_value": months, "value": [320.0, 350, 400, 300, 330, 310], "lower": 214.85, "upper": 457.37}
    )
    charts.spc_trend(rows, value_label="Offences")
    (ax,) = figs[0].axes
    (mean,) = [ln for ln in ax.get_lines() if ln.get_label() == "Mean"]
    assert list(mean.get_ydata()) == pytest.approx([336.11] * 6)  # (214.85 + 457.37) / 2


def test_demo_public_spc_note_says_the_limits_come_from_the_rounded_counts(demo):
    from tests.outputs._html import parse

    text = " ".join(parse(demo.paths.public_html).all_text().split())
    assert "computed on unrounded counts" not in text
    assert (
        "Monthly counts are rounded to the nearest 5; the mean and limits are computed from these rounded counts."
        in text
    )


def test_demo_public_tables_show_values_at_their_precision_and_numbers_as_numbers(demo):
    """E23/E24: "[x] not available" for the area's own share of all offences; "169.00" per 100,000;
    the workbook's area values text with their mark ("251.00 ✗"); a sheet name cut after "people's"."""
    from openpyxl import load_workbook
    from tests.outputs._html import parse

    page = parse(demo.paths.public_html)
    (share,) = [t for t in page.tables if "Share of all offences" in t["caption"] and "by district" in t["caption"]]
    area = share["rows"][0]
    j = next(k for k, h in enumerate(share["head"]) if h.startswith("Share of all offences"))
    assert area[0] == "LLR" and area[j] == "[z]"  # the whole area's share of its own offences does not apply
    (fte,) = [r for t in page.tables for r in t["rows"] if r and r[0].startswith("First time entrants")]
    # the extract gives whole numbers per 100,000: printed whole, as England's (the demo's figures)
    england, areas = fte[3], fte[4:]
    assert re.fullmatch(r"\d+", england), fte
    assert all(re.fullmatch(r"\d+( [✗✓●▲▼])?", a) for a in areas), fte

    wb = load_workbook(demo.paths.public_workbook, read_only=True)
    assert "14 Community and youth insights" in wb.sheetnames
    assert not any(name.endswith(("people's", " and", " of")) for name in wb.sheetnames)
    rows = [list(r) for r in wb["13 Risk and protective factors"].iter_rows(values_only=True)]
    head = next(r for r in rows if r and r[0] == "Indicator")
    line = next(r for r in rows if r and str(r[0]).startswith("First time entrants"))
    at = head.index("Leicester")
    assert isinstance(line[at], int | float) and head[at + 1] == "Leicester: compared"
    assert line[at + 1] in ("✗", "✓", "●", "▲", "▼")
    assert float(line[at]) == float(areas[0].split()[0])


def test_survey_questions_keep_a_capital_i():
    """F26: "...the most common crime i have experienced" in the survey table."""
    from svsna.outputs.sections import _question

    inp = SimpleNamespace(labels={})
    slug = "survey_street_based_violence_is_the_most_common_crime_i_have_experienced"
    assert _question(slug, inp) == "Street based violence is the most common crime I have experienced"
    assert _question("survey_i_feel_safe", inp) == "I feel safe"


def test_settings_are_named_as_written():
    """F26: "73.8% of offences were in a public/open place setting, followed by Other public place (7.1%)"."""
    from svsna.indicators import Finding
    from svsna.outputs.sentences import render

    top = [{"name": "Public/open place", "share": 73.8}, {"name": "Other public place", "share": 7.1}]
    f = Finding("geography", "top_setting", "", {"top": top})
    assert (
        render(f).text
        == "By setting, 73.8% of offences were in Public/open place, followed by Other public place (7.1%)."
    )


def test_the_night_time_economy_tile_points_to_its_section():
    """F29: the NTE tile said "Section 7" (Timings, where the share is worked out), not the NTE section."""
    from svsna.indicators import Finding
    from svsna.outputs.narrative import callout

    c = callout(Finding("timing", "nte_share", "", {"value": 32.1}, indicators=("nte_share",)), "32.1% ...")
    assert c.target({"timing": (7, "timing"), "nte": (8, "nte")}) == "nte"
    assert c.target({"timing": (7, "timing")}) == "timing"  # no NTE section in this edition: its own
    other = callout(Finding("extent", "rate_ratio_under25", "", {"ratio": 1.6}), "...")
    assert other.target({"extent": (4, "extent"), "nte": (8, "nte")}) == "extent"


def test_demo_full_report_says_the_part_year_in_a_table_is_not_annualised(demo):
    """D21: Fig 8 drew 2021/22 annualised (4.25) over Table 16's 2.13, with no word why they differ."""
    from tests.outputs._html import parse

    text = " ".join(parse(demo.paths.full_html).all_text().split())
    assert "2021/22 (Apr-Sep) is given for its own months, not annualised (the chart scales it to a full year)." in text
