"""Health section on the hand-built warehouses of conftest.py (expected values worked by hand)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from scipy.stats import binomtest

from svsna.analyses import health
from svsna.stats import european_standard_population

PROFILE = "Apr 2020 - Mar 2021"
Z = 1.959964


def byar_lower(o: float) -> float:
    """Byar's approximation to the exact Poisson lower limit (O >= 10): O (1 - 1/(9O) - z/(3 sqrt O))^3."""
    return o * (1 - 1 / (9 * o) - Z / (3 * math.sqrt(o))) ** 3


def byar_upper(o: float) -> float:
    """(O + 1) (1 - 1/(9(O + 1)) + z/(3 sqrt(O + 1)))^3."""
    return (o + 1) * (1 - 1 / (9 * (o + 1)) + Z / (3 * math.sqrt(o + 1))) ** 3


def wilson(x: float, n: float) -> tuple[float, float]:
    """Wilson score limits in %: (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))."""
    root = Z * math.sqrt(Z * Z + 4 * x * (1 - x / n))
    return 100 * (2 * x + Z * Z - root) / (2 * (n + Z * Z)), 100 * (2 * x + Z * Z + root) / (2 * (n + Z * Z))


@pytest.fixture(scope="module")
def result(tmp_path_factory, builders_module):
    b = builders_module
    events = [{"date": "2020-11-05", "end": "2020-12-02", "label": "Second national lockdown"}]
    ctx = b.make_context(tmp_path_factory.mktemp("health"), b.health_tables(), events=events)
    yield health.run(ctx)
    ctx.wh.close()


def _row(res, indicator, period=PROFILE, breakdown="all", value="all"):
    t = res.indicators
    sel = t[
        (t.indicator == indicator) & (t.period == period) & (t.breakdown == breakdown) & (t.breakdown_value == value)
    ]
    assert len(sel) == 1, (indicator, period, breakdown, value, len(sel))
    return sel.iloc[0]


def _finding(res, key, **nums):
    hits = [f for f in res.findings if f.key == key and all(f.numbers.get(k) == v for k, v in nums.items())]
    assert len(hits) == 1, (key, nums, [f.numbers for f in res.findings if f.key == key])
    return hits[0]


def test_counts_per_year(result):
    assert _row(result, "ae_count", "2019/20").value == 10
    assert _row(result, "ae_count", "2020/21").value == 20
    assert _row(result, "admissions_count", "2020/21").value == 5
    assert _row(result, "ambulance_count", "2020/21").value == 10
    r = _row(result, "ae_count", "2020/21")
    assert (r.statistic, r.unit) == ("count", "attendances")


def test_change_is_percent_with_exact_conditional_ci(result):
    r = _row(result, "ae_change", "2020/21")
    assert r.value == pytest.approx(100.0)  # (20 - 10) / 10
    # conditional on 30 events, 20 fall in 2020/21: Clopper-Pearson CI of p = 20/30 (scipy),
    # rate ratio = p / (1 - p); % change limits = 100 (RR - 1)
    ci = binomtest(20, 30).proportion_ci(confidence_level=0.95, method="exact")
    assert r.lower == pytest.approx(100 * (ci.low / (1 - ci.low) - 1), rel=1e-6)
    assert r.upper == pytest.approx(100 * (ci.high / (1 - ci.high) - 1), rel=1e-6)
    assert r.significance == "No significant change"  # 0.5 is inside (0.47, 0.83)
    assert (r.statistic, r.unit) == ("percent_change", "%")
    f = _finding(result, "health_count_change", source="ae")
    n = f.numbers
    assert (n["value"], n["comparator"], n["comparator_value"], n["n"], n["denominator"], n["unit"]) == (
        100.0,
        "2019/20",
        10,
        20,
        10,
        "%",
    )
    assert (n["statistic"], n["previous_count"]) == ("percent_change", 10)
    assert n["significance"] == "No significant change" and n["latest"] is True
    assert n["lower"] == pytest.approx(r.lower) and n["upper"] == pytest.approx(r.upper)
    assert f.headline  # the latest financial year's A&E change is a headline figure
    assert "not significant" in f.text
    # admissions had no events in 2019/20: change cannot be computed, no finding
    assert not [f for f in result.findings if f.key == "health_count_change" and f.numbers["source"] == "admissions"]


def test_rates_by_age_group_by_hand(result):
    # population: 19 bands x 1,000; under 25 = 5,000; 25 and over = 14,000
    assert _row(result, "ae_rate").value == pytest.approx(20 / 19000 * 1000)
    u = _row(result, "ae_rate", breakdown="age_group", value="Under 25")
    o = _row(result, "ae_rate", breakdown="age_group", value="25 and over")
    assert (u.numerator, u.denominator, u.value) == (8, 5000, pytest.approx(1.6))
    assert (o.numerator, o.denominator, o.value) == (12, 14000, pytest.approx(12 / 14))
    assert o.lower == pytest.approx(byar_lower(12) / 14000 * 1000, rel=1e-5)
    assert (u.statistic, u.unit) == ("rate", "attendances per 1,000 residents")


def test_rate_ratio_not_significantly_different_is_not_called_similar(result):
    r = _row(result, "ae_rate_ratio_under25", breakdown="age_group", value="Under 25")
    assert r.value == pytest.approx(1.6 / (12 / 14))  # 1.8667
    # exact conditional CI: 8 of 20 events under 25 -> Clopper-Pearson on p, RR = p/(1-p) x 14000/5000
    ci = binomtest(8, 20).proportion_ci(method="exact")
    assert r.lower == pytest.approx(ci.low / (1 - ci.low) * 14000 / 5000, rel=1e-6)
    assert r.upper == pytest.approx(ci.high / (1 - ci.high) * 14000 / 5000, rel=1e-6)
    assert (r.significance, r.statistic, r.unit, r.comparator_value) == ("Similar", "ratio", "times", 1.0)
    f = _finding(result, "health_rate_ratio_under25", source="ae")
    n = f.numbers
    assert (n["count_under"], n["count_over"], n["n"], n["denominator"], n["standardised"]) == (8, 12, 8, 5000, False)
    assert (n["comparator"], n["comparator_value"], n["statistic"]) == ("25 and over", pytest.approx(12 / 14), "ratio")
    assert n["significance"] == "Similar" and "not significantly different" in f.text
    comparison = _finding(result, "health_age_comparison")
    assert comparison.numbers["not_different"] == [
        "A&E assault attendances",
        "hospital admissions for assault",
        "ambulance call-outs",
    ]
    for f in result.findings:  # "Similar" only means the CI includes 1: never "very similar" or "similar to"
        assert "similar" not in f.text.lower(), f.text


def test_diagnosis_rates_carry_their_counts(result):
    r = _row(result, "ae_rate", breakdown="diagnosis", value="Contusion/abrasion")
    assert (r.numerator, r.value) == (8, pytest.approx(8 / 19000 * 1000))
    assert _row(result, "ae_share", breakdown="diagnosis", value="Laceration").value == pytest.approx(30.0)  # 6 / 20
    f = _finding(result, "ae_top_diagnoses")
    items = f.numbers["items"]
    assert [(i["diagnosis"], i["count"]) for i in items] == [
        ("Contusion/abrasion", 8),
        ("Laceration", 6),
        ("Dislocation/fracture/joint injury/amputation", 4),
        ("Head injury", 2),
    ]
    assert (f.numbers["n"], f.numbers["value"]) == (8, pytest.approx(8 / 19000 * 1000))
    g = _finding(result, "admissions_top_diagnosis_groups")
    assert [(i["diagnosis_group"], i["count"], i["share"]) for i in g.numbers["items"]] == [
        ("Assault by bodily force", 3, pytest.approx(60.0)),
        ("Assault by sharp object", 2, pytest.approx(40.0)),
    ]
    assert g.numbers["items"][0]["rate"] == pytest.approx(3 / 19000 * 1000)


def test_ambulance_chief_complaint_and_conveyance(result):
    top = _finding(result, "ambulance_top_chief_complaint").numbers
    assert (top["value"], top["n"], top["denominator"], top["total"]) == (pytest.approx(60.0), 6, 10, 10)
    # 6 of 10 (Wilson 31.3-83.2%) against 4 of 10 (16.8-68.7%): the intervals overlap
    assert top["separated"] is False
    assert _row(result, "ambulance_share_conveyed").value == pytest.approx(60.0)
    r = _row(result, "ambulance_conveyed_share_under25")
    assert (r.numerator, r.denominator) == (4, 6)
    lo, hi = wilson(4, 6)
    assert (r.lower, r.upper) == (pytest.approx(lo, rel=1e-5), pytest.approx(hi, rel=1e-5))
    f = _finding(result, "ambulance_conveyed_under25_share").numbers
    assert (f["value"], f["n"], f["denominator"], f["numerator"]) == (pytest.approx(400 / 6), 4, 6, 4)


def test_hour_and_weekday_use_the_timing_encodings(result):
    assert _finding(result, "health_peak_hour", source="ae").numbers["hour"] == 11  # 9 of 20
    assert _finding(result, "health_peak_hour", source="ambulance").numbers["hour"] == 23  # 7 of 10
    assert _row(result, "ae_share", breakdown="hour", value="11").value == pytest.approx(45.0)
    assert _row(result, "ae_share", breakdown="hour", value="00").value == pytest.approx(5.0)  # one at 00:30
    assert set(result.indicators.loc[result.indicators.breakdown == "hour", "breakdown_value"]) == {
        f"{h:02d}" for h in range(24)
    }
    assert _row(result, "ae_share", breakdown="weekday", value="Sat").value == pytest.approx(30.0)
    wk = _finding(result, "health_peak_weekday", source="ae").numbers
    assert (wk["weekday"], wk["weekday_index"], wk["count"]) == ("Mon", 0, 14)  # 2020-08-01 (Sat) x6, Mondays x14
    # Mondays 14/20 (Wilson lower 48.1%) against Saturdays 6/20 (upper 51.9%): not a clear peak
    assert wilson(14, 20)[0] < wilson(6, 20)[1]
    assert wk["separated"] is False
    assert "Mondays" in _finding(result, "health_peak_weekday", source="ae").text
    # the weekend: the six Saturday attendances of 20, a row of its own (the public summary states it)
    weekend = _row(result, "ae_weekend_share", breakdown="all", value="all")
    assert (weekend.numerator, weekend.denominator, weekend.value) == (6, 20, pytest.approx(30.0))
    assert wk["weekend_share"] == pytest.approx(30.0)
    # no hour profile for admissions (date only)
    assert not [f for f in result.findings if f.key == "health_peak_hour" and f.numbers["source"] == "admissions"]


def test_police_peak_per_definition(result):
    cmp = _finding(result, "police_health_peak_hours")
    # police: 3 in-definition offences at 15:00, 2 at 20:00; the excluded offence at 11:00 does not count
    n = cmp.numbers
    assert (n["police_hour"], n["ae_hour"], n["ambulance_hour"], n["differ"]) == (15, 11, 23, True)
    assert (n["n"], n["denominator"], n["police_count"]) == (3, 5, 3)
    assert cmp.definition == "test_def"


def test_peak_age_bands(result):
    f = _finding(result, "health_peak_age_band", source="ae").numbers
    # 2020/21 ages 20-24: 20, 21, 22, 23, 24 -> 5 per 1,000 in the band; next 15-19 (17, 18, 19): 3 per 1,000
    assert (f["band"], f["count"], f["value"], f["second_band"], f["second_value"]) == (
        "20-24",
        5,
        pytest.approx(5.0),
        "15-19",
        pytest.approx(3.0),
    )
    assert f["separated"] is False  # 5 and 3 events: exact Poisson intervals overlap
    # admissions 2020/21: ages 19, 22, 30, 40, 50, one per band: a tie goes to the youngest band
    assert _finding(result, "health_peak_age_band", source="admissions").numbers["band"] == "15-19"


def test_monthly_series_against_events(result, builders_module):
    ae = builders_module.health_tables()["ae_attendances"]
    per_month = ae.groupby(ae["arrival_datetime"].dt.strftime("%Y-%m")).size()
    rows = result.indicators[result.indicators.indicator == "ae_monthly"]
    assert set(rows.period) == {"Apr 2019 - Mar 2021"}
    # the series runs from the extract's first month with data (2019-06) to its last (2021-01)
    assert rows.breakdown_value.tolist()[0] == "2019-06" and rows.breakdown_value.tolist()[-1] == "2021-01"
    assert len(rows) == 20
    got = dict(zip(rows.breakdown_value, rows.value, strict=True))
    for month, n in per_month.items():
        assert got[month] == n
    assert sum(got.values()) == len(ae)
    f = _finding(result, "health_monthly_pattern", source="ae").numbers
    # limits from the months before the first event (2019-06 .. 2020-10: 17 months)
    assert f["baseline_months"] == 17 and "first 17 months" in rows.method.iloc[0]
    ev = f["events"][0]
    # the event runs from 5 November to 2 December 2020: it covers both months
    assert (ev["label"], ev["months"]) == ("Second national lockdown", ["2020-11", "2020-12"])
    assert ev["counts"] == [per_month["2020-11"], per_month["2020-12"]]
    assert (f["peak_month"], f["peak_count"], f["n"], f["denominator"]) == ("2019-06", 10, 10, 30)
    assert (f["comparator"], f["statistic"]) == ("process mean", "count")


def test_district_dsr_by_hand(tmp_path, builders):
    ctx = builders.make_context(tmp_path, builders.district_tables())
    res = health.run(ctx)
    ctx.wh.close()
    w = european_standard_population().set_index("age_band")["population"]["20-24"]  # ESP 2013 weight of 20-24
    total_w = 100_000
    # every event is aged 22 (band 20-24): DSR = w x (x / n) / sum(w) x 1,000
    # the whole area counts every attendance, the 5 without a home district too (as its crude rate does)
    north, south, area = w * 40 / 1000 / total_w * 1000, w * 10 / 2000 / total_w * 1000, w * 55 / 3000 / total_w * 1000
    assert (north, south, area) == (pytest.approx(2.4), pytest.approx(0.3), pytest.approx(1.1))
    n = _row(res, "ae_dsr", PROFILE, "district", "North")
    s = _row(res, "ae_dsr", PROFILE, "district", "South")
    a = _row(res, "ae_dsr", PROFILE, "all", "all")
    assert (n.value, s.value, a.value) == (pytest.approx(north), pytest.approx(south), pytest.approx(area))
    # Dobson: DSR + sqrt(Var / O) (O_L - O), Var = w^2 x / n^2 / W^2 (one band) -> sqrt(Var / O) = w / (n W)
    step_n = w / 1000 / total_w * 1000
    assert n.lower == pytest.approx(north + step_n * (byar_lower(40) - 40), rel=1e-6)
    step_s = w / 2000 / total_w * 1000
    assert s.upper == pytest.approx(south + step_s * (byar_upper(10) - 10), rel=1e-6)
    # North's lower limit (1.71) is above the area's 1.1: Higher; South's upper (0.55) below it: Lower
    assert (n.significance, s.significance, n.comparator_value) == ("Higher", "Lower", pytest.approx(area))
    assert (n.statistic, n.unit) == ("rate", "attendances per 1,000 residents, age-standardised")
    # crude rates alongside: 40 / 19,000 and 10 / 38,000 per 1,000; the 5 attendances without a home
    # district count in the whole area's crude rate (55 / 57,000) but in no district's
    c = _row(res, "ae_rate", PROFILE, "district", "North")
    assert (c.numerator, c.value) == (40, pytest.approx(40 / 19000 * 1000))
    assert _row(res, "ae_rate").value == pytest.approx(55 / 57000 * 1000)
    f = _finding(res, "health_district_rates").numbers
    assert (f["district"], f["measure"], f["higher"], f["lower_districts"]) == ("North", "dsr", ["North"], ["South"])
    assert f["separated"] is True  # 1.71 > 0.55
    assert (f["comparator"], f["comparator_value"], f["n"], f["denominator"]) == ("TS", pytest.approx(area), 40, 19000)


def test_one_grouped_query_for_all_sources(tmp_path, builders):
    """Three sources, three periods: the section still sends one query for the health tables and one
    for the police peak hours (plus the two small lookups every context makes once)."""
    ctx = builders.make_context(tmp_path, builders.health_tables())
    for p in [*ctx.periods, ctx.profile]:  # the context's denominators are shared by every section
        ctx.population(p)
        ctx.population_levels(p, "district")
    calls = []
    original = ctx.wh.execute
    ctx.wh.execute = lambda expr, *a, **k: calls.append(expr) or original(expr, *a, **k)
    health.run(ctx)
    ctx.wh.close()
    assert len(calls) == 2  # the health query and the police query


def test_health_runs_once_for_every_definition(tmp_path, builders):
    from svsna.analyses import run_assessment

    tables = builders.health_tables()
    dec = tables["offence_decisions"]
    tables["offence_decisions"] = pd.concat([dec, dec.assign(definition="other_def", included=True)])
    ctx = builders.make_context(tmp_path, tables, definitions=["test_def", "other_def"])
    res = run_assessment(ctx.wh, ctx.config, sections=("health",))
    ctx.wh.close()
    rows = res.indicators
    assert set(rows.loc[rows.section == "health", "definition"].fillna("")) == {""}
    assert not rows.duplicated(["indicator", "period", "breakdown", "breakdown_value"]).any()
    peaks = {f.definition: f.numbers["police_hour"] for f in res.findings if f.key == "police_health_peak_hours"}
    # other_def includes the offence at 11:00 too: 15:00 x3, 20:00 x2, 11:00 x1 -> still 15
    assert peaks == {"test_def": 15, "other_def": 15}


def test_time_unknown_offences_do_not_set_the_police_peak(tmp_path, builders):
    tables = builders.health_tables()
    off = tables["offences"]
    extra = pd.DataFrame(
        {
            "offence_ref": [f"X{i}" for i in range(4)],
            "committed_from": [dt.datetime(2020, 6, 1 + i, 0, 0) for i in range(4)],
            "hour": [0] * 4,
        }
    )
    tables["offences"] = pd.concat([off.assign(time_known=True), extra.assign(time_known=False)], ignore_index=True)
    tables["offence_decisions"] = pd.concat(
        [
            tables["offence_decisions"],
            pd.DataFrame({"offence_ref": extra.offence_ref, "definition": "test_def", "included": True, "reason": "x"}),
        ]
    )
    ctx = builders.make_context(tmp_path, tables)
    res = health.run(ctx)
    ctx.wh.close()
    # four offences at 00:00 with an unknown time would otherwise be the peak (4 > 3)
    assert _finding(res, "police_health_peak_hours").numbers["police_hour"] == 15


def test_missing_sources_are_skipped(tmp_path, builders):
    b = builders
    ctx = b.make_context(tmp_path, {"geography": b.geography_frame(), "population": b.population_frame()})
    res = health.run(ctx)
    assert res.indicators.empty and res.findings == []
    ctx.wh.close()


@pytest.mark.spark
def test_spark_parity(tmp_path, builders):
    make_context, health_tables = builders.make_context, builders.health_tables
    duck = make_context(tmp_path / "d", health_tables())
    a = health.run(duck)
    duck.wh.close()
    spark = make_context(tmp_path / "s", health_tables(), engine="spark")
    b = health.run(spark)
    cols = ["indicator", "period", "breakdown", "breakdown_value", "numerator", "value"]
    left = a.indicators[cols].sort_values(cols[:4]).reset_index(drop=True)
    right = b.indicators[cols].sort_values(cols[:4]).reset_index(drop=True)
    assert left.equals(right)
    assert [f.numbers for f in a.findings] == [f.numbers for f in b.findings]
