"""Timing section against hand counts of the fixture (tests/analyses/conftest.py).

Profile offences by start hour: 15:00 O02 O04 O06 O10 O12 = 5 (peak); 23:00 O01 O07 O09 = 3;
22:00 O03; 01:00 O05; 02:00 O11; 10:00 O08. NTE (22:00-05:00): O01 O03 O05 O07 O09 O11 = 6 of 12.
Weekdays: Sat O01 O02 O03 O09 O10 = 5, Sun O07 O11 = 2, Mon 1, Tue 1, Wed 2, Thu 1.
"""

from __future__ import annotations

import numpy as np
import pytest

from svsna.analyses import timing


@pytest.fixture(scope="module")
def result(warehouse, config):
    from svsna.analyses._base import AnalysisContext

    return timing.run(AnalysisContext(warehouse, config, "llr_vrn"))


def test_hour_and_weekday_profiles(result, value):
    rows = result.indicators
    assert value(rows, "hour_share", "hour", "15").numerator == 5
    assert value(rows, "hour_share", "hour", "15").value == pytest.approx(500 / 12)
    assert value(rows, "hour_share", "hour", "03").value == 0
    assert value(rows, "weekday_share", "weekday", "Sat").numerator == 5
    # under 25s (O01 O02 O03 O05 O10 O11): Saturday 4 of 6
    assert value(rows, "weekday_share", "age_group|weekday", "Under 25|Sat").value == pytest.approx(400 / 6)
    assert value(rows, "weekday_hour_offences", "weekday|hour", "Sat|23").value == 2  # O01, O09
    assert len(rows[rows.indicator == "weekday_hour_offences"]) == 168
    f = next(f for f in result.findings if f.key == "peak_hour")
    assert (f.numbers["hour"], f.numbers["label"]) == (15, "15:00-15:59")
    w = next(f for f in result.findings if f.key == "peak_weekday")
    assert w.numbers["weekday"] == "Sat" and w.numbers["weekend_share"] == pytest.approx(700 / 12)
    assert w.numbers["under25_weekend_share"] == pytest.approx(500 / 6)  # Sat 4 + Sun O11


def test_nte_share_by_period(result, value):
    rows = result.indicators
    assert value(rows, "nte_share", period="2019/20").value == 0  # all at 14:00
    assert value(rows, "nte_share", period="2020/21").numerator == 4  # O01 O03 O05 O07
    assert value(rows, "nte_share", period="Apr 2020 - Sep 2021").value == pytest.approx(50.0)
    # under 25s: O01 O03 O05 O11 of 6; 25 and over: O09 of 4
    assert value(rows, "nte_share", "age_group", "Under 25", "Apr 2020 - Sep 2021").numerator == 4
    assert value(rows, "nte_share", "age_group", "25 and over", "Apr 2020 - Sep 2021").value == pytest.approx(25.0)
    f = next(f for f in result.findings if f.key == "nte_share")
    assert f.numbers["period"] == "2021/22 (Apr-Sep)" and (f.numbers["count"], f.numbers["total"]) == (2, 4)


def test_monthly_series_and_xmr_limits(result):
    m = result.indicators[result.indicators.indicator == "offences_monthly"].reset_index(drop=True)
    assert list(m.breakdown_value[:2]) == ["2019-04", "2019-05"] and m.breakdown_value.iloc[-1] == "2021-09"
    assert len(m) == 30 and m.value.sum() == 22  # 10 + 8 + 4 in-definition offences
    assert m.set_index("breakdown_value").loc["2019-08", "value"] == 2  # X04 (1 Aug) and X05 (31 Aug)
    assert m.method.iloc[0] == "XmR (Making Data Count)"
    # XmR limits from the Making Data Count formula (domain-notes 4.6): mean +/- 2.66 x AMR, moving ranges of
    # at least 3.267 x AMR screened out before the final AMR
    y = m.value.to_numpy()
    mr = np.abs(np.diff(y))
    amr = mr.mean()
    amr = mr[mr < 3.267 * amr].mean()
    assert m.upper.iloc[0] == pytest.approx(y.mean() + 2.66 * amr)
    assert m.lower.iloc[0] == pytest.approx(y.mean() - 2.66 * amr)
    ev = next(f for f in result.findings if f.key == "trend_events")
    assert ev.numbers["events"] == [{"date": "2020-03-23", "end": None, "label": "First lockdown"}]
