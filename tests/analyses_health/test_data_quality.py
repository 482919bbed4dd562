"""Data quality on the hand-built police tables of conftest.dq_tables (expected values counted by hand)."""

from __future__ import annotations

import pytest

from svsna.analyses import data_quality
from svsna.analyses._health_kit import check_findings

PROFILE = "Apr 2020 - Mar 2021"


@pytest.fixture(scope="module")
def result(tmp_path_factory, builders_module):
    b = builders_module
    ctx = b.make_context(tmp_path_factory.mktemp("dq"), b.dq_tables())
    yield data_quality.run(ctx)
    ctx.wh.close()


def _row(res, indicator, value, breakdown=None):
    t = res.indicators
    sel = t[(t.indicator == indicator) & (t.breakdown_value == value)]
    if breakdown is not None:
        sel = sel[sel.breakdown == breakdown]
    assert len(sel) == 1, (indicator, value, len(sel))
    return sel.iloc[0]


def _findings(res, key):
    return [f for f in res.findings if f.key == key]


def test_field_completeness_by_hand(result):
    # test_def in the profile period: O0-O7 (8 offences); knife flag missing on O0, O1
    r = _row(result, "missing_share", "offences.knife_flag")
    assert (r.numerator, r.denominator, r.value, r.definition) == (2, 8, 25.0, "test_def")
    # suspects on O0-O5: 6 rows; ethnicity Unknown on 3; sex U on 1
    assert _row(result, "missing_share", "suspects.ethnicity_group").value == pytest.approx(50.0)
    assert (_row(result, "missing_share", "suspects.sex").numerator, _row(result, "missing_share", "suspects.sex")
            .denominator) == (1, 6)  # fmt: skip
    # victims on O0-O7: 8 rows, age missing on 1 (12.5%)
    assert _row(result, "missing_share", "victims.age").value == pytest.approx(12.5)
    fields = {f.numbers["field"]: f.numbers for f in _findings(result, "missing_field")}
    assert set(fields) == {"offences.knife_flag", "suspects.ethnicity_group", "suspects.sex", "victims.age"}
    k = fields["offences.knife_flag"]
    assert (k["value"], k["n"], k["denominator"], k["field_label"]) == (25.0, 2, 8, "offence knife flag")
    assert fields["suspects.ethnicity_group"]["field_label"] == "suspect ethnicity"


def test_no_suspect_and_time_unknown(result):
    ns = _row(result, "offences_without_suspect", "all")
    assert (ns.numerator, ns.denominator, ns.value) == (2, 8, 25.0)  # O6, O7
    tu = _row(result, "offences_time_unknown", "all")
    assert (tu.numerator, tu.denominator, tu.value) == (1, 8, 12.5)  # O2
    f = _findings(result, "offences_time_unknown")[0].numbers
    assert (f["n"], f["denominator"], f["count"]) == (1, 8, 1)
    assert "police_health_peak_hours" in f["affects"]


def test_exclusions_by_reason(result):
    # profile offences O0-O9: 8 in definition, 2 excluded (domestic); O10 (2018) is outside the profile
    assert _row(result, "offences_excluded", "in definition").value == 8
    assert _row(result, "offences_excluded", "excluded: domestic").value == 2


def test_ledger_totals_and_reconciliation(result):
    assert _row(result, "ledger_rows", "offences|read").value == 13
    assert _row(result, "ledger_rows", "offences|rejected").value == 2
    assert _row(result, "ledger_rejected_share", "offences").value == pytest.approx(200 / 13)
    by = {f.numbers["source"]: f.numbers for f in _findings(result, "ledger_totals")}
    assert (by["offences"]["read"], by["offences"]["loaded"], by["offences"]["rejected"]) == (13, 11, 2)
    assert by["offences"]["reconciles"] is True  # 13 = 11 + 2
    assert by["offences"]["excluded_by_definition"] == {"test_def": 2}
    assert [r["rows"] for r in by["offences"]["top_reasons"]] == [1, 1]
    assert by["victims"]["reconciles"] is False  # 9 read, 8 loaded, 0 rejected
    summary = _findings(result, "ledger_summary")[0].numbers
    assert (summary["read"], summary["loaded"], summary["rejected"], summary["reconciles"]) == (22, 19, 2, False)


def test_coverage_present_but_unusable(result):
    # A&E: 3 rows, all in January 2015, outside the periods 1 Apr 2019 - 31 Mar 2021
    r = _row(result, "input_rows_in_periods", "ae_attendances")
    assert (r.numerator, r.denominator, r.value) == (0, 3, 0.0)
    out = _findings(result, "input_outside_periods")
    assert [f.numbers["table"] for f in out] == ["ae_attendances"]
    assert (out[0].numbers["first_date"], out[0].numbers["rows"]) == ("2015-01-05", 3)
    # offences: 10 of 11 inside; the last is dated 10 May 2020, long before 31 Mar 2021: stops early
    o = _row(result, "input_rows_in_periods", "offences")
    assert (o.numerator, o.denominator) == (10, 11)
    part = {f.numbers["table"]: f.numbers for f in _findings(result, "input_partial_coverage")}
    assert part["offences"]["stops_early"] is True and part["offences"]["starts_late"] is False


def test_findings_follow_the_contract(result):
    assert check_findings(result.findings) == []


def test_runner_runs_data_quality_before_recommendations(tmp_path, builders):
    """`data_sharing_gaps` reads `missing_field`: data quality must run before recommendations."""
    from svsna.analyses import SECTIONS, run_assessment

    assert SECTIONS.index("data_quality") < SECTIONS.index("recommendations")
    tables = builders.dq_tables()
    ctx = builders.make_context(tmp_path, tables)
    res = run_assessment(ctx.wh, ctx.config, definitions=["test_def"], sections=("data_quality", "recommendations"))
    ctx.wh.close()
    fired = {f.numbers["rule_id"]: f for f in res.findings if f.key == "recommendation"}
    # fields missing in 20% or more: suspect ethnicity 50%, knife flag 25%; the text cites the worst
    assert fired["data_sharing_gaps"].numbers["finding_keys"] == ["missing_field"]
    assert "suspect ethnicity is missing or unknown in 50%" in fired["data_sharing_gaps"].text
    cited = [t["numbers"]["field"] for t in fired["data_sharing_gaps"].numbers["triggered_by"]]
    assert cited == ["suspects.ethnicity_group", "offences.knife_flag"]
