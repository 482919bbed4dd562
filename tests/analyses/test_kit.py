"""The analysis kit and runner: definitions given as YAML paths, section statuses and warnings,
findings as data, explicit statistics and units, dates without a time, the baseline year,
denominators and the age-standardised home-district rate. Expected values are worked out by
hand from the fixture in conftest.py.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from svsna.analyses import run_assessment, write_assessment
from svsna.analyses._base import AnalysisContext, unit_labels
from svsna.indicators import STATISTICS, Significance

POLICE = ("population", "extent", "nature", "timing", "nte", "geography", "people", "cohorts")


@pytest.fixture(scope="module")
def assessed(tmp_path_factory, build, make_cfg):
    wh = build(tmp_path_factory.mktemp("kit"), population="lsoa")
    try:
        yield run_assessment(wh, make_cfg(baseline_year=2019), sections=POLICE)
    finally:
        wh.close()


def test_rows_state_statistic_unit_and_significance(assessed):
    rows = assessed.indicators
    assert set(rows.statistic) <= set(STATISTICS)
    assert rows.unit.notna().all() and (rows.unit.astype(str) != "").all()
    assert set(rows.significance) <= {s.value for s in Significance}
    # counts say what they count
    counts = rows[rows.statistic == "count"]
    assert set(counts.unit) <= {"offences", "people", "involvements", "residents", "LSOAs"}
    assert set(rows.loc[rows.indicator == "age_band_rate", "unit"]) == {"involvements per 1,000 residents"}


def test_findings_follow_the_contract_and_the_doc_is_current(assessed):
    from pathlib import Path

    from svsna.analyses.findings_catalogue import check_findings, render_document

    assert check_findings(assessed.findings) == []
    for f in assessed.findings:
        assert f.significance is None or f.significance in {s.value for s in Significance}
    doc = Path(__file__).parents[2] / "docs" / "findings.md"
    assert doc.read_text(encoding="utf-8") == render_document(), "write render_document() to docs/findings.md"


def test_seed_findings_for_the_public_summary_exist(assessed):
    keys = {f.key for f in assessed.findings}
    for key in (
        "part_year_run_rate",
        "deprivation_gradient",
        "knife_share",
        "nte_offence_mix",
        "nte_weekday",
        "nte_peak_hours",
        "nte_perpetrators",
        "nte_victims",
        "mam_cohort",
        "frequent_perpetrators",
        "deprivation_rank",
        "population_ethnicity_not_computed",
        "victims_of_under25_peak",
        "weekend_share_by_age",
        "district_trend",
        "change_vs_baseline",
    ):
        assert key in keys, key
    f = {x.key: x for x in assessed.findings}
    # part year: 4 offences in 6 months = 50% of 2020/21's 8, the same monthly rate (0% projected change)
    p = f["part_year_run_rate"].numbers
    assert p["share_pct"] == pytest.approx(50.0) and p["projected_change_pct"] == pytest.approx(0.0)
    assert p["projected_offences"] == pytest.approx(8.0)
    # NTE profile groups carry their size: perpetrators P1 P5 P3 P4 = 4 persons
    assert f["nte_perpetrators"].numbers["n"] == 4
    assert f["frequent_perpetrators"].numbers["n"] == 1 and f["frequent_perpetrators"].public is False
    assert f["frequent_perpetrators"].numbers["mean_age_first_offence"] == 15  # P1's first offence H01 at 15
    # knife offences O02 O03 O05 O11 all in City, the most populous district: 4 of 4
    k = f["knife_share"].numbers
    assert (k["largest_district"], k["largest_district_share"], k["largest_district_n"]) == ("City", 100.0, 4)
    # weekend: under 25s 5 of 6 (O01 O02 O03 Sat, O10 Sat, O11 Sun), 25 and over 1 of 4 (O09 Sat)
    w = f["weekend_share_by_age"].numbers
    assert w["value"] == pytest.approx(500 / 6) and w["comparator_value"] == pytest.approx(25.0)
    assert w["n"] == 5 and w["comparator_n"] == 1


def test_change_against_the_baseline_year(assessed):
    rows = assessed.indicators
    r = rows[(rows.indicator == "offences_baseline_change") & (rows.breakdown == "all")].set_index("period")
    # 2020/21: 8 vs 10 in 12 months -> -20%; 2021/22 (6 months): 4/6 vs 10/12 per month -> -20%
    assert r.loc["2020/21", "value"] == pytest.approx(-20.0)
    assert r.loc["2021/22 (Apr-Sep)", "value"] == pytest.approx(-20.0)
    assert "2019/20" not in r.index
    f = next(x for x in assessed.findings if x.key == "change_vs_baseline")
    assert f.numbers["comparator"] == "2019/20" and f.numbers["baseline_offences"] == 10


def test_definition_given_as_yaml_path_resolves_to_its_name(tmp_path, build, make_cfg):
    """Issue 13: ``definitions: ["defs/my_def.yaml"]`` ingests under the YAML's name; the analyses must use it."""
    import shutil

    from svsna.definitions.definition import definition_path

    defs = tmp_path / "defs"
    defs.mkdir()
    text = definition_path("llr_vrn").read_text(encoding="utf-8").replace("name: llr_vrn", "name: my_def")
    (defs / "my_def.yaml").write_text(text, encoding="utf-8")
    shutil.copy(defs / "my_def.yaml", defs / "copy.yaml")
    wh = build(tmp_path / "ws", definitions=("my_def",))
    try:
        cfg = make_cfg(definitions=["defs/my_def.yaml"], base_dir=str(tmp_path))
        res = run_assessment(wh, cfg, sections=["extent"])
    finally:
        wh.close()
    assert res.definitions == ["my_def"]
    rows = res.indicators
    assert set(rows.definition) == {"my_def"}
    r = rows[(rows.indicator == "offences") & (rows.breakdown == "all") & (rows.period == "2020/21")]
    assert r.value.tolist() == [8.0]  # not zero


def test_a_definition_not_applied_at_ingest_is_an_error(warehouse, make_cfg):
    from svsna.errors import WarehouseStateError

    with pytest.raises(WarehouseStateError, match="llr_broadened were not applied at ingest"):
        run_assessment(warehouse, make_cfg(definitions=["llr_broadened"]), sections=["extent"])


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("nosuchdef", "unknown definition 'nosuchdef' (known: llr_broadened, llr_vrn)"),
        ("llr_vnr", "unknown definition 'llr_vnr' (known: llr_broadened, llr_vrn); did you mean 'llr_vrn'?"),
    ],
)
def test_an_unknown_definition_is_a_configuration_error(warehouse, make_cfg, name, said):
    """review-cli finding 10: a name that is no definition at all is not "not applied at ingest" (exit 7)."""
    from svsna.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        run_assessment(warehouse, make_cfg(definitions=[name]), sections=["extent"])
    assert exc.value.exit_code == 3
    assert str(exc.value).startswith(said), str(exc.value)
    assert "hint:" in str(exc.value) and "not applied at ingest" not in str(exc.value)


def test_statuses_and_warnings_are_recorded(tmp_path, build, make_cfg):
    wh = build(tmp_path / "ws", suspects=False)
    try:
        # the population stops at 2021: 2022/23 uses mid-2021 (a warning, not a silent substitution)
        cfg = make_cfg(financial_years=[2020, 2022], latest=None)
        res = run_assessment(wh, cfg, sections=("extent", "geography", "cohorts"))
    finally:
        wh.close()
    status = {(s["definition"], s["section"]): s["status"] for s in res.sections}
    assert status[("llr_vrn", "cohorts")] == "not_supplied"
    assert status[("llr_vrn", "extent")] == "ran"
    codes = {w["code"] for w in res.warnings}
    assert {"population_year_substituted", "no_ward_populations"} <= codes
    sub = next(w for w in res.warnings if w["code"] == "population_year_substituted")
    assert (sub["numbers"]["wanted_year"], sub["numbers"]["used_year"]) == (2022, 2021)
    keys = {(f.key, f.numbers.get("code") or f.numbers.get("status")) for f in res.findings}
    assert ("section_status", "not_supplied") in keys
    assert ("input_warning", "population_year_substituted") in keys
    paths = write_assessment(res, tmp_path / "out")
    manifest = json.loads(paths["manifest"].read_text(encoding="utf-8"))
    assert {s["status"] for s in manifest["sections"]} == {"ran", "not_supplied"}
    assert any(w["code"] == "no_ward_populations" for w in manifest["warnings"])
    assert paths["manifest"].parent.name == "restricted"


def test_dates_without_a_time_are_left_out_of_hour_and_nte_figures(tmp_path, build, config):
    from svsna.analyses import nte, timing

    wh = build(tmp_path / "ws")
    try:
        off = wh.execute(wh.table("offences"))
        unknown = off.offence_ref == "O01"  # Saturday 4 Apr 2020 23:30 -> loaded as a date only
        off["time_known"] = ~unknown
        off.loc[unknown, "hour"] = 0
        off.loc[unknown, "committed_from"] = pd.Timestamp("2020-04-04 00:00")
        wh.write_table("offences", off)
        ctx = AnalysisContext(wh, config, "llr_vrn")
        t = timing.run(ctx)
        n = nte.run(ctx)
        warnings = list(ctx.run.warnings)
        ctx.release()
        del ctx
    finally:
        wh.close()
    rows = t.indicators
    prof = "Apr 2020 - Sep 2021"

    def one(frame, ind, bd="all", bv="all", period=prof):
        sel = frame[(frame.indicator == ind) & (frame.breakdown == bd) & (frame.breakdown_value == bv)]
        sel = sel[sel.period == period]
        assert len(sel) == 1
        return sel.iloc[0]

    # 11 timed offences in the profile; 00:00 has none (O01 is not put at midnight)
    h0 = one(rows, "hour_share", "hour", "00")
    assert (h0.numerator, h0.denominator) == (0, 11)
    # NTE: O03 O05 O07 O09 O11 = 5 of the 11 timed offences (O01 no longer counted)
    nte_row = one(rows, "nte_share")
    assert (nte_row.numerator, nte_row.denominator) == (5, 11)
    # the weekday is known: Saturday still has O01 O02 O03 O09 O10 = 5 of 12
    sat = one(rows, "weekday_share", "weekday", "Sat")
    assert (sat.numerator, sat.denominator) == (5, 12)
    assert one(rows, "weekday_hour_offences", "weekday|hour", "Sat|00").value == 0
    tu = one(rows, "time_unknown_offences")
    assert (tu.numerator, tu.denominator) == (1, 12)
    assert one(n.indicators, "nte_offences").value == 5
    assert any(w.code == "time_unknown" for w in warnings)


def test_victim_offender_overlap_counts_victimisation_before_the_offence(tmp_path, build, config, value):
    from svsna.analyses import cohorts

    wh = build(tmp_path / "ws")
    try:
        v = wh.execute(wh.table("victims"))
        # P2 (first offence in the period: O04, 5 Oct 2020) becomes a victim in O12 on 30 Sep 2021: after
        extra = v[v.offence_ref == "O12"].assign(person_key="P2", sex="F", age=31)
        wh.write_table("victims", pd.concat([v, extra], ignore_index=True))
        ctx = AnalysisContext(wh, config, "llr_vrn")
        res = cohorts.run(ctx)
        ctx.release()
        del ctx
    finally:
        wh.close()
    rows = res.indicators
    # six perpetrators (P1-P6); P1 was a victim in H00 (10 Jan 2018), before O01 (4 Apr 2020)
    before = value(rows, "victim_offender_overlap")
    assert (before.numerator, before.denominator) == (1, 6)
    ever = value(rows, "victim_offender_overlap_ever")
    assert (ever.numerator, ever.denominator) == (2, 6)  # P1 and P2
    f = next(f for f in res.findings if f.key == "victim_offender_overlap")
    assert f.numbers["value"] == pytest.approx(100 / 6) and f.numbers["ever_value"] == pytest.approx(200 / 6)


def test_unit_labels_disambiguate_repeated_ward_names():
    geo = pd.DataFrame(
        {"lsoa_code": ["a", "b", "c"], "ward_name": ["Abbey", "Abbey", "Castle"], "district_name": ["X", "Y", "X"]}
    )
    names = {"ward": {"Abbey\x1fX": "Abbey (X)", "Abbey\x1fY": "Abbey (Y)"}}
    assert unit_labels(geo, "ward", names).tolist() == ["Abbey (X)", "Abbey (Y)", "Castle"]


def test_age_standardised_home_district_rate_by_hand(warehouse, config):
    from svsna.analyses import people

    ctx = AnalysisContext(warehouse, config, "llr_vrn")
    # 12 involvements of City residents aged 15-19; City has 400 residents in every band (200 M + 200 F).
    # ESP 2013 weight of 15-19 is 5,500 of 100,000, so the DSR is 0.055 x 12/400 x 1,000 = 1.65 per 1,000
    cube = pd.DataFrame({"band": ["15-19"], "home_district_name": ["City"], "n": [12]})
    r = people._home_dsr(ctx, "perpetrators", "Apr 2020 - Sep 2021", cube, ["City", "Northtown"])
    city = r[r.breakdown_value == "City"].iloc[0]
    assert city.value == pytest.approx(1.65) and city.numerator == 12 and city.denominator == 7600
    assert city.method.startswith("Directly age-standardised rate (Dobson")
    assert r[r.breakdown_value == "Northtown"].iloc[0].method == "Not calculated: fewer than 10 events"
