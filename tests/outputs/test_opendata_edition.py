"""Pieces of the open-data edition (svsna.outputs.opendata) and the public-summary rules it relies on.

The end-to-end report on real police.uk data is tested in tests/opendata/test_report_opendata.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from svsna.indicators import INDICATOR_COLUMNS
from svsna.outputs.public import public_indicators, unsafe_numbers
from svsna.outputs.report import EDITION_TITLES, _in_definitions, shown_definitions


def _row(**kw) -> dict:
    base = dict.fromkeys(INDICATOR_COLUMNS)
    base["statistic"] = "count" if kw.get("breakdown") == "month" else None
    base.update(
        section="od_trend",
        indicator="monthly_crimes",
        period="2021-04",
        area="Leicestershire",
        breakdown="all",
        breakdown_value="all",
        method="XmR chart (Making Data Count)",
        confidence=0.95,
        suppressed=False,
        definition="vso",
    )
    base.update(kw)
    return base


def test_report_rows_keep_data_as_data():
    """The kit's rows reach the report unchanged (no SPC renaming, no LSOA codes parsed from labels);
    only the rows the run metadata name as too fine for a report (``report_omits``) are left to the workbook."""
    t = pd.DataFrame(
        [
            _row(indicator="offences_monthly", period="2020/21 to 2021/22", breakdown="month",
                 breakdown_value="2021-04", numerator=3100, value=3100, significance="Common cause"),
            _row(indicator="offences_monthly", period="2020/21 to 2021/22", breakdown="month",
                 breakdown_value="2021-05", numerator=3600, value=3600, significance="Special cause - high"),
            _row(section="od_hotspots", indicator="hotspot_gi", period="2021/22", breakdown="lsoa",
                 breakdown_value="E01013600", value=3.2, significance="Higher", confidence=0.99),
            _row(section="od_geography", indicator="area_rate", breakdown="lsoa",
                 breakdown_value="E01013600", value=1.0),
            _row(section="od_hotspots", indicator="hotspot_years", breakdown="lsoa",
                 breakdown_value="E01013600", value=2),
        ]
    )  # fmt: skip
    meta = {
        "shown_definitions": ["combined", "vso"],
        "report_omits": [["area_rate", "lsoa"], ["hotspot_years", "lsoa"]],
    }
    out = _in_definitions(t, shown_definitions(meta, "llr"), meta["report_omits"])
    months = out[out["indicator"] == "offences_monthly"]
    assert months["significance"].tolist() == ["Common cause", "Special cause - high"]
    assert months["breakdown_value"].tolist() == ["2021-04", "2021-05"]
    assert out.loc[out["indicator"] == "hotspot_gi", "breakdown_value"].tolist() == ["E01013600"]
    assert set(out["indicator"]) == {"offences_monthly", "hotspot_gi"}  # LSOA rates and years: in the workbook


def test_layout_and_groups_come_from_the_run_metadata():
    """The report has no edition branches: the run metadata name the layout and the groups shown
    (the open-data run writes them; tests/opendata/test_report_opendata.py checks the rendered title);
    without them the partner defaults apply, and an unknown layout is a loud error."""
    from svsna.errors import InputDataError
    from svsna.outputs.opendata import build_opendata_sections
    from svsna.outputs.report import _layout
    from svsna.outputs.sections import build_sections

    assert shown_definitions({}, "llr") == ["llr"]
    assert shown_definitions({"shown_definitions": ["combined", "vso"]}, "llr") == ["combined", "vso"]
    assert _layout({}) is build_sections and _layout({"layout": "opendata"}) is build_opendata_sections
    with pytest.raises(InputDataError, match="unknown layout 'police'"):
        _layout({"layout": "police"})
    assert EDITION_TITLES == {"full": "Full assessment (restricted)", "public": "Public summary"}


def test_public_monthly_counts_rounded_and_process_limits_from_the_rounded_series():
    # nhsd_2018: counts 1-7 suppressed, others to the nearest 5 (3,103 -> 3,105; 6 -> suppressed).
    # XmR limits are recomputed from the published (rounded) months: mean ± 2.66 × average moving range.
    # Published 3105, 3600, 3400: mean 3368.33, moving ranges 495 and 200 (average 347.5), so the
    # limits are 3368.33 ± 924.35. The limits of an annual count would reveal it and are blanked.
    months = [("2021-04", 3103), ("2021-05", 3598), ("2021-06", 3402)]
    t = pd.DataFrame(
        [
            _row(breakdown="month", breakdown_value=m, numerator=n, value=n, lower=2700.5, upper=3500.5)
            for m, n in months
        ]
        + [
            _row(
                section="od_extent",
                indicator="crimes",
                period="2021/22",
                numerator=6,
                value=6,
                lower=2.2,
                upper=13.1,
                method="Count",
            ),
        ]
    )
    pub = public_indicators(t, "nhsd_2018")
    assert pub.loc[:2, "value"].tolist() == [3105, 3600, 3400]
    mean, amr = (3105 + 3600 + 3400) / 3, (495 + 200) / 2
    assert pub.loc[0, "lower"] == pytest.approx(mean - 2.66 * amr) and pub.loc[0, "upper"] == pytest.approx(
        mean + 2.66 * amr
    )
    assert pd.isna(pub.loc[3, "value"]) and pd.isna(pub.loc[3, "lower"]) and pd.isna(pub.loc[3, "upper"])


def test_n_in_a_financial_year_is_a_count():
    # "714 in 2020/21" is a count in a year, not a "1 in 10" ratio, so it must be checked.
    assert unsafe_numbers("'Robbery' went from 714 in 2020/21 to 684 in 2021/22.", "nhsd_2018") == ["714", "684"]
    assert unsafe_numbers("Around 715 in 2020/21; 1 in 10 offences; 3 in 4 victims.", "nhsd_2018") == []


def test_deciles_are_not_counts():
    # "IMD decile 1" names a category, it counts nothing; the 7 is still a count.
    text = "The rate in the most deprived LSOAs (IMD decile 1) was 5.1 times that in decile 10; 7 crimes."
    assert unsafe_numbers(text, "nhsd_2018") == ["7"]
