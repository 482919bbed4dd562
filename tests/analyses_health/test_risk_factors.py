"""Risk and protective factors: England comparisons against hand-worked benchmarks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from svsna.analyses import risk_factors
from svsna.errors import ConfigError


def _indicators() -> pd.DataFrame:
    """Area rows with 95% limits worked by hand (Wilson, z = 1.96) and the England value.

    * 10301 pupil absence (low is good), Leicester: 600 of 10,000 = 6.0%;
      Wilson limits 5.55-6.48%
      (2x + z^2 = 1203.84, z sqrt(z^2 + 4x(1 - x/n)) = 93.17, 2(n + z^2) = 20007.68);
      England 4.6% lies below the lower limit -> Worse.
    * 10301, Rutland: 45 of 1,000 = 4.5%; Wilson 3.38-5.97%; 4.6 inside -> Similar.
    * SYN002 school readiness (id not in the catalogue, matched by name; high is good), Leicester:
      680 of 1,000 = 68.0%; Wilson 65.05-70.82%;
      England 71.8% above the upper limit -> Worse (lower than England, high is good).
    * mhclg_imd_score deprivation score: no limits -> Not compared.
    * dfe_learning_disability (not_applicable), Leicester 40.1 per 1,000 (36.0-44.5), England 33.0 -> Higher.
    * dfe_children_in_need (neutral in the catalogue), Leicester 280 per 10,000 (260-300), England 320:
      the CI is below England -> Lower (never Better: a lower rate may reflect under-identification).
    * 10401 first time entrants (low is good, per 100,000), Leicester 251 (220-285), England 169 -> Worse.
    * dfe_suspensions: no England value anywhere -> Not compared, England "not available".
    England is given both as england_value (10301) and as an England row (SYN002, dfe_learning_disability).
    """
    rows = [
        ("10301", "Pupil absence", "E06000016", "Leicester", "2020/21", 6.0, 5.55, 6.48, 4.6),
        ("10301", "Pupil absence", "E06000016", "Leicester", "2019/20", 9.9, 9.0, 10.8, 4.7),  # older: ignored
        ("10301", "Pupil absence", "E06000017", "Rutland", "2020/21", 4.5, 3.38, 5.97, 4.6),
        (
            "SYN002",
            "School readiness: good level of development at the end of Reception",
            "E06000016",
            "Leicester",
            "2020/21",
            68.0,
            65.05,
            70.82,
            np.nan,
        ),
        (
            "SYN002",
            "School readiness: good level of development at the end of Reception",
            "E92000001",
            "England",
            "2020/21",
            71.8,
            71.6,
            72.0,
            np.nan,
        ),
        (
            "mhclg_imd_score",
            "Deprivation score (IMD 2019)",
            "E06000016",
            "Leicester",
            "2019",
            32.9,
            np.nan,
            np.nan,
            21.7,
        ),
        (
            "dfe_learning_disability",
            "Learning disability",
            "E06000016",
            "Leicester",
            "2020/21",
            40.1,
            36.0,
            44.5,
            np.nan,
        ),
        (
            "dfe_learning_disability",
            "Learning disability",
            "E92000001",
            "England",
            "2020/21",
            33.0,
            np.nan,
            np.nan,
            np.nan,
        ),
        ("X1", "Local indicator not in the catalogue", "E06000016", "Leicester", "2020/21", 5.0, 4.0, 6.0, 5.5),
        ("dfe_children_in_need", "Children in need", "E06000016", "Leicester", "2020/21", 280.0, 260.0, 300.0, 320.0),
        (
            "10401",
            "First time entrants to the youth justice system",
            "E06000016",
            "Leicester",
            "2020/21",
            251.0,
            220.0,
            285.0,
            169.0,
        ),
        ("dfe_suspensions", "Suspensions", "E06000016", "Leicester", "2020/21", 4.0, 3.5, 4.5, np.nan),
    ]
    cols = ["indicator_id", "indicator_name", "area_code", "area_name", "period", "value", "lower", "upper"]
    df = pd.DataFrame([r[:8] for r in rows], columns=cols)
    df["england_value"] = [r[8] for r in rows]
    df["count"] = np.nan
    df["denominator"] = np.nan
    df["polarity"] = [None] * 8 + ["high_is_good"] + [None] * 3
    df["unit"] = "%"
    return df


def test_wilson_limits_in_fixture_are_right():
    # guard the hand-worked limits used above (Wilson, z = 1.959964)
    from svsna.stats import proportion

    p = proportion([600, 45, 680], [10000, 1000, 1000], multiplier=100)
    assert p["lower"].tolist() == pytest.approx([5.55, 3.38, 65.05], abs=0.006)
    assert p["upper"].tolist() == pytest.approx([6.48, 5.97, 70.82], abs=0.006)


@pytest.fixture(scope="module")
def result(tmp_path_factory, builders_module):
    ctx = builders_module.make_context(tmp_path_factory.mktemp("rf"), {"area_indicators": _indicators()})
    yield risk_factors.run(ctx)
    ctx.wh.close()


def _sig(res, indicator, area):
    t = res.indicators
    row = t[(t.indicator == indicator) & (t.area == area)]
    assert len(row) == 1
    return row.iloc[0]


def _finding(res, indicator, area):
    hits = [
        f
        for f in res.findings
        if f.key == "risk_factor_comparison" and f.numbers["indicator_id"] == indicator and f.area == area
    ]
    assert len(hits) == 1
    return hits[0]


def test_significance_labels(result):
    assert _sig(result, "10301", "Leicester").significance == "Worse"
    assert _sig(result, "10301", "Leicester").period == "2020/21"  # latest period only
    assert _sig(result, "10301", "Rutland").significance == "Similar"
    r = _sig(result, "SYN002", "Leicester")
    assert r.breakdown_value == "individual"  # matched to the catalogue by name
    assert (r.significance, r.comparator_value) == ("Worse", 71.8)  # England from its own row
    assert _sig(result, "mhclg_imd_score", "Leicester").significance == "Not compared"
    assert _sig(result, "dfe_learning_disability", "Leicester").significance == "Higher"
    # not in the catalogue: uncategorised, polarity from the data row (high is good), England inside CI
    x = _sig(result, "X1", "Leicester")
    assert (x.breakdown_value, x.significance) == ("uncategorised", "Similar")
    assert "England" not in set(result.indicators.area)


def test_neutral_polarity_is_never_better(result):
    r = _sig(result, "dfe_children_in_need", "Leicester")
    assert r.significance == "Lower"  # England (320) above the CI (260-300), but not "Better"
    f = _finding(result, "dfe_children_in_need", "Leicester").numbers
    assert f["polarity"] == "neutral" and "under-identification" in f["polarity_reason"]
    assert f["phrase"] == "significantly lower than England"
    for f in result.findings:
        if f.key == "risk_factor_comparison" and f.numbers["polarity"] in ("neutral", "not_applicable"):
            assert f.significance not in ("Better", "Worse"), f.numbers["name"]


def test_units_and_statistics_are_stated(result):
    r = _sig(result, "10401", "Leicester")
    assert (r.statistic, r.unit, r.value, r.comparator_value, r.significance) == (
        "rate",
        "per 100,000",
        251.0,
        169.0,
        "Worse",
    )
    assert (_sig(result, "10301", "Leicester").statistic, _sig(result, "10301", "Leicester").unit) == (
        "percentage",
        "%",
    )
    assert _sig(result, "dfe_children_in_need", "Leicester").unit == "per 10,000"
    f = _finding(result, "10401", "Leicester")
    n = f.numbers
    assert (n["value"], n["comparator_value"], n["unit"], n["significance"], n["lower"], n["upper"]) == (
        251.0,
        169.0,
        "per 100,000",
        "Worse",
        220.0,
        285.0,
    )
    assert "251.0 per 100,000" in f.text and "England 169.0" in f.text


def test_missing_england_is_not_available_not_suppressed(result):
    r = _sig(result, "dfe_suspensions", "Leicester")
    assert r.significance == "Not compared" and math.isnan(r.comparator_value)
    assert r.method == "Not compared: England value not available"
    n = _finding(result, "dfe_suspensions", "Leicester").numbers
    assert (n["comparator_value"], n["comparator_status"], n["not_compared_reason"]) == (
        None,
        "not available",
        "no_england",
    )
    assert "England not available" in _finding(result, "dfe_suspensions", "Leicester").text
    imd = _finding(result, "mhclg_imd_score", "Leicester").numbers  # England 21.7 but no CI
    assert (imd["not_compared_reason"], imd["comparator_status"]) == ("no_ci", "available")
    # a marker never sits on a value that was not compared
    assert all(
        f.significance == "Not compared"
        for f in result.findings
        if f.key == "risk_factor_comparison" and f.numbers["not_compared_reason"]
    )


def test_domains_and_summaries(result):
    assert _sig(result, "10301", "Leicester").breakdown_value == "individual"
    assert _sig(result, "mhclg_imd_score", "Leicester").breakdown_value == "societal"
    assert _finding(result, "SYN002", "Leicester").numbers["phrase"] == "significantly worse than England"
    assert _finding(result, "10301", "Rutland").numbers["phrase"] == "similar to England"
    summary = {f.numbers["domain"]: f.numbers for f in result.findings if f.key == "risk_factor_domain_summary"}
    ind = summary["individual"]
    assert set(ind["worse"]) == {
        "Pupil absence",
        "School readiness: good level of development at the end of Reception",
        "First time entrants to the youth justice system",
    }
    # furthest from England first: FTE 251/169 - 1 = 0.485; absence 6.0/4.6 - 1 = 0.304;
    # readiness |68.0/71.8 - 1| = 0.053
    assert ind["worse_priority"] == [
        "First time entrants to the youth justice system",
        "Pupil absence",
        "School readiness: good level of development at the end of Reception",
    ]
    # individual comparisons: absence (Leicester, Rutland), readiness, learning disability, FTE, suspensions
    assert (ind["value"], ind["n"], ind["denominator"]) == (3, 3, 6)
    assert summary["relationship"]["lower"] == ["Children in need"]


def test_catalogue_override_and_errors(tmp_path):
    good = tmp_path / "indicator_catalogue.csv"
    good.write_text(
        "indicator_id,name,domain,risk_or_protective,polarity,source,unit\n"
        "X1,Local knife-carrying survey,community,risk,low_is_good,local,%\n"
    )
    cat = risk_factors.load_catalogue(risk_factors.catalogue_paths(tmp_path))
    assert cat.loc[cat.indicator_id == "X1", "domain"].item() == "community"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator_id,name,domain,risk_or_protective,polarity,source,unit\nX2,Y,family,risk,low_is_good,s,%\n"
    )
    with pytest.raises(ConfigError, match=r"bad\.csv: row 2: column domain has value 'family'"):
        risk_factors.load_catalogue([bad])
    bad.write_text(
        "indicator_id,name,domain,risk_or_protective,polarity,source,unit\nX3,Y,community,risk,neutral,s,%\n"
    )
    with pytest.raises(ConfigError, match=r"row 2.*polarity 'neutral' needs a polarity_reason"):
        risk_factors.load_catalogue([bad])
    bad.write_text("indicator_id,name,domain,risk_or_protective,polarity,source,unit,colour\n")
    with pytest.raises(ConfigError, match=r"unknown column\(s\) \['colour'\]"):
        risk_factors.load_catalogue([bad])


def test_shipped_catalogue_records_why_polarity_is_neutral():
    cat = risk_factors.load_catalogue()
    neutral = cat[cat.polarity == "neutral"].set_index("indicator_id")
    assert {"dfe_children_in_need", "dfe_child_protection_plans", "ohid_domestic_abuse"} <= set(neutral.index)
    assert (neutral["polarity_reason"].str.len() > 20).all()


def test_no_table_gives_empty_section(tmp_path, builders):
    ctx = builders.make_context(tmp_path, {"population": builders.population_frame()})
    res = risk_factors.run(ctx)
    assert res.indicators.empty and res.findings == []
    ctx.wh.close()


def test_admissions_mental_health_share_by_hand(tmp_path, builders):
    ctx = builders.make_context(tmp_path, builders.health_tables())
    res = risk_factors.run(ctx)  # no area_indicators: only the admissions mental-health share
    ctx.wh.close()
    f = next(f for f in res.findings if f.key == "admissions_mental_health_under25")
    # under 25: ages 19 (flag yes) and 22 (no) -> 1 of 2; the admission with the flag unrecorded is left out
    n = f.numbers
    assert (n["numerator"], n["denominator"], n["value"], n["n"], n["unit"]) == (1, 2, 50.0, 1, "%")
    # Wilson for x = 1, n = 2: (2 + z^2 -/+ z sqrt(z^2 + 4(1 - 1/2))) / (2(2 + z^2))
    z = 1.959964
    root = z * math.sqrt(z * z + 2)
    assert n["lower"] == pytest.approx(100 * (2 + z * z - root) / (2 * (2 + z * z)), rel=1e-5)
    t = res.indicators
    assert t.loc[t.breakdown_value == "all", "denominator"].item() == 4  # 5 admissions, 1 unrecorded
    assert set(t.statistic) == {"percentage"} and set(t.unit) == {"%"}


def test_a_catalogue_publisher_must_begin_its_source():
    """The publisher column says how the printed source begins; a row where it does not is refused,
    naming both (a table's source line groups its rows' sources by it)."""
    from pydantic import ValidationError

    from svsna.definitions.evidence import CatalogueEntry, load_catalogue

    row = {
        "indicator_id": "x",
        "name": "X",
        "domain": "individual",
        "risk_or_protective": "risk",
        "polarity": "low_is_good",
        "source": "DfE Key stage 4 performance",
        "unit": "%",
    }
    assert CatalogueEntry.model_validate({**row, "publisher": "DfE"}).publisher == "DfE"
    with pytest.raises(ValidationError, match="does not begin with its publisher 'OHID'"):
        CatalogueEntry.model_validate({**row, "publisher": "OHID"})
    shipped = load_catalogue()
    named = shipped[shipped["publisher"] != ""]
    assert len(named) == len(shipped)  # every shipped source names its publisher
    assert set(named["publisher"]) == {"OHID Fingertips", "OHID", "DfE", "ONS", "MHCLG", "DWP/HMRC"}
