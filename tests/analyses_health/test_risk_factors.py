"""Risk and protective factors: England comparisons against hand-worked benchmarks."""

from __future__ import annotations

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
    ]
    cols = ["indicator_id", "indicator_name", "area_code", "area_name", "period", "value", "lower", "upper"]
    df = pd.DataFrame([r[:8] for r in rows], columns=cols)
    df["england_value"] = [r[8] for r in rows]
    df["count"] = np.nan
    df["denominator"] = np.nan
    df["polarity"] = [None] * 8 + ["high_is_good"]
    df["unit"] = "%"
    return df


def test_wilson_limits_in_fixture_are_right():
    # guard the hand-worked limits used above (Wilson, z = 1.959964)
    from svsna.stats import proportion

    p = proportion([600, 45, 680], [10000, 1000, 1000], multiplier=100)
    assert p["lower"].tolist() == pytest.approx([5.55, 3.38, 65.05], abs=0.006)
    assert p["upper"].tolist() == pytest.approx([6.48, 5.97, 70.82], abs=0.006)


@pytest.fixture
def result(tmp_path, builders):
    ctx = builders.make_context(tmp_path, {"area_indicators": _indicators()})
    yield risk_factors.run(ctx)
    ctx.wh.close()


def _sig(res, indicator, area):
    t = res.indicators
    row = t[(t.indicator == indicator) & (t.area == area)]
    assert len(row) == 1
    return row.iloc[0]


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


def test_domains_and_wording(result):
    assert _sig(result, "10301", "Leicester").breakdown_value == "individual"
    assert _sig(result, "mhclg_imd_score", "Leicester").breakdown_value == "societal"
    texts = {(f.numbers["indicator_id"], f.area): f for f in result.findings if f.key == "risk_factor_comparison"}
    assert texts[("10301", "Leicester")].text.startswith(
        "Leicester has a significantly higher proportion of pupil absence than England"
    )
    assert texts[("SYN002", "Leicester")].numbers["phrase"] == "significantly below the national average"
    assert texts[("10301", "Rutland")].numbers["phrase"] == "similar to England"
    assert texts[("mhclg_imd_score", "Leicester")].numbers["phrase"] == "not compared with England"
    summary = {f.numbers["domain"]: f for f in result.findings if f.key == "risk_factor_domain_summary"}
    assert set(summary["individual"].numbers["worse"]) == {
        "Pupil absence",
        "School readiness: good level of development at the end of Reception",
    }


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
    with pytest.raises(ConfigError, match=r"row 2: column domain has value 'family'"):
        risk_factors.load_catalogue([bad])


def test_no_table_gives_empty_section(tmp_path, builders):
    ctx = builders.make_context(tmp_path, {"population": builders.population_frame()})
    res = risk_factors.run(ctx)
    assert res.indicators.empty and res.findings == []
    ctx.wh.close()
