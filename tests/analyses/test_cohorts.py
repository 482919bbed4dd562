"""Cohort analyses against hand counts of the fixture (tests/analyses/conftest.py).

Profile suspects: P1 in O01 O02 O03 O05 O11 (5 offences, frequent), P2 O04 O06 and P3 O09 O12
(2 each, repeat), P4 P5 P6 one each. P1's history: victim in H00 (10 Jan 2018, domestic-abuse flag),
first offence H01 (1 Jun 2018, assault without injury, aged 15), attempted murder O05 (1 Dec 2020,
aged 17), victim again in O09; mental-health flag on O01, knife-carrier flag on O11.
"""

from __future__ import annotations

import pytest

from svsna.analyses import cohorts


@pytest.fixture(scope="module")
def result(warehouse, config):
    from svsna.analyses._base import AnalysisContext

    return cohorts.run(AnalysisContext(warehouse, config, "llr_vrn"))


def test_repeat_offenders(result, value):
    rows = result.indicators
    assert value(rows, "repeat_offenders").value == 3  # P1 P2 P3
    assert value(rows, "repeat_offenders", "age_group", "Under 25").value == 1  # P1
    # offences with a repeat suspect: O01 O02 O03 O05 O11 O04 O06 O09 O12 = 9 of 12
    r = value(rows, "repeat_offender_offence_share")
    assert (r.numerator, r.denominator) == (9, 12)
    # by under 25s: O01 O02 O03 O05 O10 O11; all but O10 (P6, once) had P1
    assert value(rows, "repeat_offender_offence_share", "age_group", "Under 25").value == pytest.approx(500 / 6)
    assert value(rows, "frequent_perpetrators").value == 1


def test_frequent_perpetrator_profile(result, value):
    rows = result.indicators
    assert value(rows, "frequent_perpetrator_share", "home_npa", "City West").value == 100
    assert value(rows, "frequent_perpetrator_share", "flag", "mental_health").value == 100
    assert value(rows, "frequent_perpetrator_share", "flag", "drugs").value == 0
    assert value(rows, "frequent_perpetrator_share", "victimisation", "before_first_offence").value == 100
    assert value(rows, "frequent_perpetrator_share", "first_offence", "Assault without injury").value == 100
    assert value(rows, "frequent_perpetrator_mean", "measure", "age_at_first_offence").value == 15
    assert value(rows, "frequent_perpetrator_mean", "measure", "offences_in_window").value == 5
    f = next(f for f in result.findings if f.key == "frequent_perpetrators")
    assert f.public is False  # a cohort of one is never published


def test_murder_attempted_murder_cohort(result, value):
    rows = result.indicators
    assert value(rows, "mam_cohort").value == 1
    # five years to Sep 2021 would start in Oct 2016, but the offences start on 10 Jan 2018 (H00): the
    # look-back claims no period before the data (review-outputs B11)
    assert value(rows, "mam_cohort").period == "Jan 2018 - Sep 2021"
    assert value(rows, "mam_cohort_mean", "measure", "age_at_mam").value == 17
    # 1 Jun 2018 to 1 Dec 2020 = 914 days = 2.5024 years; offences before: H01 O01 O02 O03
    assert value(rows, "mam_cohort_mean", "measure", "years_first_offence_to_mam").value == pytest.approx(914 / 365.25)
    assert value(rows, "mam_cohort_mean", "measure", "offences_before_mam").value == 4
    assert value(rows, "mam_cohort_share", "victimisation", "domestic_abuse").value == 100


def test_victim_offender_overlap(result, value):
    rows = result.indicators
    # one person (P1) of 6 perpetrators has been a victim; P1 is also 1 of 11 victims
    assert value(rows, "victim_offender_overlap").value == pytest.approx(100 / 6)
    assert value(rows, "victim_offender_overlap", "age_group", "25 and over").numerator == 0
    assert value(rows, "offender_victim_overlap").value == pytest.approx(100 / 11)


def test_the_mam_look_back_is_clipped_to_the_data_with_a_warning(warehouse, config):
    from svsna.analyses._base import AnalysisContext

    ctx = AnalysisContext(warehouse, config, "llr_vrn", section="cohorts")
    res = cohorts.run(ctx)
    (f,) = [f for f in res.findings if f.key == "mam_cohort"]
    assert f.period == "Jan 2018 - Sep 2021"
    (w,) = [w for w in ctx.run.warnings if w.code == "mam_lookback_clipped"]
    assert (w.numbers["window_start"], w.numbers["data_start"]) == ("2016-10-01", "2018-01-10")
    assert "Oct 2016" in w.message and "10 Jan 2018" in w.message


def test_no_shared_person_key_withholds_the_overlap(tmp_path, build, config):
    """review-outputs B11: victims keyed V..., suspects S... can never match; 0.0% would be an artefact.

    The fixture's victims have 23 distinct person keys and its suspects 9, P1 in both; here every
    victim key gets a prefix, so no key is in both tables."""
    from svsna.analyses._base import AnalysisContext

    wh = build(tmp_path)
    try:
        vic = wh.execute(wh.table("victims"))
        wh.write_table("victims", vic.assign(person_key="V-" + vic["person_key"]))
        ctx = AnalysisContext(wh, config, "llr_vrn", section="cohorts")
        res = cohorts.run(ctx)
        ctx.release()
    finally:
        wh.close()
    rows = res.indicators
    # the overlap is withheld (no rows, no finding), not reported as 0.0%
    assert not rows.indicator.isin(["victim_offender_overlap", "victim_offender_overlap_ever",
                                    "offender_victim_overlap"]).any()  # fmt: skip
    assert "victim_offender_overlap" not in {f.key for f in res.findings}
    # so are the cohorts' "had been a victim" shares
    assert not ((rows.breakdown == "victimisation") & rows.breakdown_value.isin(["ever", "before_first_offence"])).any()
    for key in ("mam_cohort", "frequent_perpetrators"):
        (f,) = [f for f in res.findings if f.key == key]
        assert f.numbers.get("victim_ever_share") is None and f.numbers.get("victim_before_first_share") is None
    # the rest of the cohorts stands: P1 is still the one frequent perpetrator, and the M/AM cohort's one person
    assert rows[(rows.indicator == "frequent_perpetrators")].value.tolist() == [1.0]
    assert rows[(rows.indicator == "mam_cohort")].value.tolist() == [1.0]
    (w,) = [w for w in ctx.run.warnings if w.code == "no_shared_person_keys"]
    assert (w.numbers["victim_keys"], w.numbers["suspect_keys"], w.numbers["shared_keys"]) == (23, 9, 0)
    assert "23" in w.message and "9" in w.message and "person_id" in w.message
