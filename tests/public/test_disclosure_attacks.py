"""Adversarial tests of the public release: try to recover every withheld count.

Each leak the issue reproduced against svsna is attacked here (tests/public/attacks.py), on
small hand-built indicator tables (fast, hand-worked), on a hand-built partnership of four
districts run end to end (Marshfield and the Vale), on the demo scenario at 5% and on the
full-size demo. Every attack was run against the previous public table (per-breakdown
``disclose``, rates from unrounded counts) and recovered counts there: see docs/disclosure.md.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from tests.public.attacks import all_attacks, group_size_from_means, margins, names, rate_times_population

from svsna.indicators import concat_indicators, indicator_rows
from svsna.outputs.public import public_release

RULES = ("nhsd_2018", "fewer_than_10")


def _rows(**kw) -> pd.DataFrame:
    base = {"period": "P", "area": "Shire", "definition": "d"}
    base.update(kw)
    return indicator_rows(**base)


def _people_table() -> pd.DataFrame:
    """Perpetrator rates by sex and age band and by sex, as svsna.analyses.people emits them.

    Female 0-9 = 3 (small). Every band has 1,000 residents per sex; each sex 3,000.
    Male:   0-9 = 12, 10-19 = 80, 20-29 = 95  (187)
    Female: 0-9 = 3,  10-19 = 40, 20-29 = 55  (98)
    """
    bands = ["0-9", "10-19", "20-29"]
    male, female = [12, 80, 95], [3, 40, 55]
    both = [m + f for m, f in zip(male, female, strict=True)]
    cells = [
        (f"{s}|{b}", n)
        for s, counts in (("Male", male), ("Female", female))
        for b, n in zip(bands, counts, strict=True)
    ]
    common = {"section": "perpetrators", "statistic": "rate", "unit": "per 1,000 residents", "method": "Byar's"}
    return concat_indicators(
        [
            _rows(
                indicator="age_band_rate",
                breakdown="sex|age_band",
                breakdown_value=[c for c, _ in cells],
                numerator=[float(n) for _, n in cells],
                denominator=[1000.0] * 6,
                value=[n for _, n in cells],
                **common,
            ),
            _rows(
                indicator="age_band_rate",
                breakdown="age_band",
                breakdown_value=bands,
                numerator=[float(n) for n in both],
                denominator=[2000.0] * 3,
                value=[n / 2 for n in both],
                **common,
            ),
            _rows(
                indicator="sex_rate",
                breakdown="sex",
                breakdown_value=["Male", "Female"],
                numerator=[187.0, 98.0],
                denominator=[3000.0, 3000.0],
                value=[187 / 3, 98 / 3],
                **common,
            ),
        ]
    )


@pytest.mark.parametrize("rules", RULES)
def test_cross_table_margin_cannot_give_back_a_small_count(rules):
    # H4: published separately, Female total (98) minus the shown Female bands (40 + 55) gave back 3.
    exact = _people_table()
    pub = public_release(exact, rules).published()
    female = pub[pub["breakdown_value"].str.startswith("Female|")].set_index("breakdown_value")
    assert math.isnan(female.loc["Female|0-9", "numerator"])
    assert margins(pub, exact, rules) == []
    assert rate_times_population(pub, rules) == []


def test_rates_come_from_the_published_counts():
    # District rates per 1,000: Leicester 167 offences for 17,675 residents was printed as 9.45 next to
    # the rounded count 165, and 9.45 x 17,675 / 1,000 = 167.0 gave the exact count back.
    pops = {"Leicester": 17675, "Charnwood": 9020, "Melton": 3100, "Rutland": 2600}
    counts = {"Leicester": 167, "Charnwood": 42, "Melton": 7, "Rutland": 4}
    exact = concat_indicators(
        [
            _rows(
                section="geography",
                indicator="area_rate",
                breakdown="district",
                breakdown_value=list(pops),
                numerator=[float(counts[d]) for d in pops],
                denominator=[float(pops[d]) for d in pops],
                value=[counts[d] / pops[d] * 1000 for d in pops],
                statistic="rate",
                unit="per 1,000 residents",
                method="Byar's",
            ),
            _rows(
                section="geography",
                indicator="area_rate",
                breakdown="all",
                breakdown_value="all",
                numerator=220.0,
                denominator=float(sum(pops.values())),
                value=220 / sum(pops.values()) * 1000,
                statistic="rate",
                unit="per 1,000 residents",
                method="Byar's",
            ),
        ]
    )
    pub = public_release(exact, "nhsd_2018").published().set_index("breakdown_value")
    # 167 -> 165; 165 / 17,675 x 1,000 = 9.3352 (by hand), so rate x population gives 165, not 167
    assert pub.loc["Leicester", "numerator"] == 165
    assert pub.loc["Leicester", "value"] == pytest.approx(165 / 17675 * 1000, abs=1e-12)
    assert round(pub.loc["Leicester", "value"] * 17675 / 1000, 6) == 165
    # Melton (7) and Rutland (4) are withheld; the total 220 -> 220 and Leicester + Charnwood shown as
    # 165 + 40 leave Melton + Rutland somewhere in 6..20, not 11.
    assert pub.loc[["Melton", "Rutland"], "value"].isna().all()
    assert pub.loc[["Melton", "Rutland"], "significance"].isna().all()
    assert all_attacks(pub.reset_index(), exact, "nhsd_2018")["margins"] == []


def _cohort(size: int) -> pd.DataFrame:
    """A cohort of ``size`` people: its count, profile shares and means (as analyses/cohorts.py emits)."""
    under25 = size  # all under 25
    common = {"section": "cohorts", "period": "W", "method": "Wilson", "statistic": "percentage", "unit": "%"}
    return concat_indicators(
        [
            _rows(section="cohorts", period="W", indicator="frequent_perpetrators", breakdown="all",
                  breakdown_value="all", numerator=float(size), value=float(size), statistic="count",
                  unit="people", method="Count"),
            _rows(indicator="frequent_perpetrator_share", breakdown="age_group",
                  breakdown_value=["Under 25", "25 and over"], numerator=[float(under25), 0.0],
                  denominator=[float(size)] * 2, value=[100.0, 0.0], lower=[56.6, 0.0], upper=[100.0, 43.4],
                  **common),
            _rows(section="cohorts", period="W", indicator="frequent_perpetrator_mean", breakdown="measure",
                  breakdown_value=["age_at_first_offence", "offences_in_window"], denominator=[float(size)] * 2,
                  value=[14.6, 6.0], statistic="mean", unit="years", method="Mean"),
        ]
    )  # fmt: skip


def test_a_cohort_of_five_is_not_profiled():
    # The old summary printed the means (14.6 years, 6 offences) and "25 and over: 0.0% (0.0% to 43.4%)",
    # whose interval gives n = 5 back, next to a withheld cohort count.
    rel = public_release(_cohort(5), "nhsd_2018", min_group_size=10)
    pub = rel.published()
    assert set(pub["indicator"]) == {"frequent_perpetrators"}  # profile rows left out entirely
    assert pub["value"].isna().all()  # the count 5 is withheld
    assert any("fewer than 10" in text for _, text in rel.withheld_groups)
    assert all_attacks(pub, _cohort(5), "nhsd_2018")["profiles_of_small_groups"] == []
    big = public_release(_cohort(40), "nhsd_2018", min_group_size=10).published()
    assert {"frequent_perpetrator_share", "frequent_perpetrator_mean"} <= set(big["indicator"])


def test_a_withheld_profile_does_not_narrow_its_rounded_count():
    # Review of the whole change: 8 to 12 all print as "10" under nhsd_2018. With profiles withheld below
    # 10 only, a reader who saw "10" and no profile knew the cohort was 8 or 9 (two values, where the
    # protection asks for 5). A profile now needs every size its printed count stands for to be >= 10.
    for size, profiled in ((9, False), (11, False), (12, False), (13, True)):
        pub = public_release(_cohort(size), "nhsd_2018", min_group_size=10).published()
        shown = pub.loc[pub["indicator"] == "frequent_perpetrators", "value"].tolist()
        assert shown == [10.0 if size <= 12 else 15.0], (size, shown)
        assert ("frequent_perpetrator_share" in set(pub["indicator"])) is profiled, size


def test_a_mean_does_not_give_its_group_size_back():
    # The demo's public CSV printed the murder/attempted-murder cohort's mean age as 18.04255319148936
    # next to the cohort count rounded to 45: 18.04255319148936 = 848 / 47, and no smaller group
    # fits, so the reader had the exact size 47, and from a second mean over 46 of them (643 / 46)
    # that exactly one member had no known age.
    size = 47
    exact = _cohort(size)
    means = (exact["indicator"] == "frequent_perpetrator_mean").to_numpy()
    exact.loc[means, "value"] = [643 / 46, 830 / 47]
    exact.loc[means, "denominator"] = [46.0, 47.0]
    exact.loc[means, "lower"] = [13.1, 16.2]
    exact.loc[means, "upper"] = [14.86, 19.1]
    assert group_size_from_means(exact, exact)  # the attack works on the exact figures
    pub = public_release(exact, "nhsd_2018", min_group_size=10).published()
    shown = pub[pub["indicator"] == "frequent_perpetrator_mean"].set_index("breakdown_value")
    assert shown["value"].tolist() == [14.0, 17.7]  # 643 / 46 = 13.978..., 830 / 47 = 17.659...
    assert shown["upper"].tolist() == [14.9, 19.1]
    assert group_size_from_means(pub, exact) == []
    # with fewer than 10 allowed in a profile, whole numbers only (a mean to 1 place fits every n >= 10)
    five = public_release(exact, "nhsd_2018", min_group_size=5).published()
    assert five.loc[five["indicator"] == "frequent_perpetrator_mean", "value"].tolist() == [14.0, 18.0]


def _repeat_offenders(size: int) -> pd.DataFrame:
    """Repeat offenders as analyses/cohorts.py emits them: the people by age group (all under 25) and
    the share of offences with one of them as suspect (offences, not people, in its denominator)."""
    groups = ["all", "Under 25", "25 and over"]
    bd = ["all", "age_group", "age_group"]
    return concat_indicators(
        [
            _rows(section="cohorts", period="W", indicator="repeat_offenders", breakdown=bd, breakdown_value=groups,
                  numerator=[float(size), float(size), 0.0], value=[float(size), float(size), 0.0],
                  statistic="count", unit="people", method="Count"),
            _rows(section="cohorts", period="W", indicator="repeat_offender_offence_share", breakdown=bd,
                  breakdown_value=groups, numerator=[2.0 * size, 2.0 * size, 0.0], denominator=[340.0, 135.0, 130.0],
                  value=[200.0 * size / 340, 200.0 * size / 135, 0.0], statistic="percentage", unit="%",
                  method="Wilson"),
        ]
    )  # fmt: skip


def test_a_cohort_under_the_minimum_is_not_profiled_through_its_offences():
    # The small area's summary headlined "Repeat offenders were suspects in 2.9% of serious violence and in
    # 7.4% of serious violence by under 25s" for 5 repeat offenders (their count withheld), and printed
    # "25 and over: 0" beside it: every member of a group of fewer than 10 was under 25.
    rel = public_release(_repeat_offenders(5), "nhsd_2018", min_group_size=10)
    pub = rel.published().set_index(["indicator", "breakdown_value"])
    assert pub["value"].isna().all(), pub["value"]
    assert any("Repeat offenders" in t.replace("repeat offenders", "Repeat offenders") and "fewer than 10" in t
               for _, t in rel.withheld_groups), rel.withheld_groups  # fmt: skip
    big = public_release(_repeat_offenders(40), "nhsd_2018", min_group_size=10).published()
    big = big.set_index(["indicator", "breakdown_value"])["value"]
    assert big[("repeat_offenders", "25 and over")] == 0
    assert big[("repeat_offender_offence_share", "all")] == pytest.approx(80 / 340 * 100)


def test_complement_of_a_share_is_protected():
    # 142 of 145 frequent perpetrators were ever victims: 145 - 142 = 3 were never victims.
    exact = _rows(section="cohorts", period="W", indicator="ever_victim_share", breakdown="victimisation",
                  breakdown_value="ever", numerator=142.0, denominator=145.0, value=142 / 145 * 100,
                  statistic="percentage", unit="%", method="Wilson")  # fmt: skip
    for rules in RULES:
        pub = public_release(exact, rules).published()
        row = pub.iloc[0]
        if not math.isnan(row["numerator"]):
            from svsna.stats import rule_set

            rs = rule_set(rules)
            lo_n, hi_n = rs.shown_interval(row["numerator"])
            lo_d, hi_d = rs.shown_interval(row["denominator"])
            never = (max(rs.suppress_from, lo_d - hi_n), min(rs.suppress_to, hi_d - lo_n))
            assert math.floor(never[1]) - math.ceil(never[0]) + 1 >= rs.protection, (rules, row.to_dict())


def test_small_categories_are_folded_and_not_named():
    # First offences of a cohort of 145: Manslaughter 1 was shown as "Manslaughter - suppressed".
    cats = {"Assault with injury": 90, "Robbery": 40, "Wounding": 11, "Manslaughter": 1, "Murder": 3}
    exact = _rows(section="cohorts", period="W", indicator="first_offence_share", breakdown="first_offence",
                  breakdown_value=list(cats), numerator=[float(v) for v in cats.values()],
                  denominator=[145.0] * 5, value=[v / 1.45 for v in cats.values()], statistic="percentage",
                  unit="%", method="Wilson")  # fmt: skip
    pub = public_release(exact, "nhsd_2018").published()
    assert "Manslaughter" not in set(pub["breakdown_value"]) and "Murder" not in set(pub["breakdown_value"])
    other = pub[pub["breakdown_value"] == "Other"].iloc[0]
    # 1 + 3 = 4 is still small, so the smallest other category (Wounding, 11) joins: 15 -> 15
    assert other["numerator"] == 15 and other["value"] == pytest.approx(15 / 145 * 100)


def test_a_zero_next_to_a_withheld_total_is_not_published_as_a_ratio():
    # Manslaughter: 1 offence, 0 by under-25s; the rate ratio 0.00 told readers the under-25 count.
    exact = concat_indicators(
        [
            _rows(section="nature", indicator="offence_type_rate", breakdown="offence_type|age_group",
                  breakdown_value=["Manslaughter|Under 25", "Manslaughter|25 and over", "Robbery|Under 25",
                                   "Robbery|25 and over"],
                  numerator=[0.0, 1.0, 60.0, 45.0], denominator=[3000.0, 7000.0, 3000.0, 7000.0],
                  value=[0.0, 1 / 7, 20.0, 45 / 7], statistic="rate", unit="per 1,000 residents",
                  method="Byar's"),
            _rows(section="nature", indicator="offence_type_rate_ratio_age", breakdown="offence_type",
                  breakdown_value=["Manslaughter", "Robbery"], numerator=[0.0, 60.0],
                  denominator=[3000.0, 3000.0], value=[0.0, 20.0 / (45 / 7)], statistic="ratio",
                  unit="times", method="Rate ratio (exact conditional)", significance=["Similar", "Higher"]),
        ]
    )  # fmt: skip
    pub = public_release(exact, "nhsd_2018").published().set_index(["indicator", "breakdown_value"])
    assert math.isnan(pub.loc[("offence_type_rate_ratio_age", "Manslaughter"), "value"])
    assert pd.isna(pub.loc[("offence_type_rate_ratio_age", "Manslaughter"), "significance"])
    # the published ratio is the one of the published counts: (60/3000) / (45/7000) by hand = 3.1111
    assert pub.loc[("offence_type_rate_ratio_age", "Robbery"), "value"] == pytest.approx((60 / 3000) / (45 / 7000))


# ------------------------------------------------------------------------------------------ end to end


def _attack(run, rules="nhsd_2018", table=None, districts=None):
    public = table if table is not None else run.public_table()
    return all_attacks(
        public, run.exact, rules, min_group_size=run.config.disclosure.min_group_size, districts_of=districts
    )


def test_small_partnership_recovers_nothing(marshfield):
    from tests.public.partnership import districts_of

    found = _attack(marshfield, districts=districts_of(payload=True))
    assert not any(found.values()), {k: names(v) for k, v in found.items()}


def test_small_partnership_under_fewer_than_10(marshfield):
    # the same exact table released under another rule set (no rounding: secondary suppression matters)
    from tests.public.partnership import districts_of

    from svsna.indicators import findings_from_json
    from svsna.outputs.report import _in_definitions, _indicator_frame, assessment_inputs, public_release_for

    cfg = marshfield.config.model_copy(
        update={"disclosure": marshfield.config.disclosure.model_copy(update={"rules": "fewer_than_10"})}
    )
    found = assessment_inputs(marshfield.out)
    table = _in_definitions(_indicator_frame(found.indicators), [cfg.primary_definition])
    rel = public_release_for(table, findings_from_json(found.findings.read_text()), config=cfg)
    assert rel.audit.ok
    attacks = _attack(marshfield, "fewer_than_10", rel.published(), districts_of(payload=True))
    assert not any(attacks.values()), {k: names(v) for k, v in attacks.items()}


def test_synth_at_5_percent_recovers_nothing(synth5):
    run, exact, rel = synth5
    found = all_attacks(rel.published(), exact, run.config.disclosure.rules)
    assert not any(found.values()), {k: names(v) for k, v in found.items()}


def test_demo_recovers_nothing_and_withholds_only_a_handful_more(demo):
    from tests.public.conftest import release_of

    exact, rel = release_of(demo.config)
    found = all_attacks(rel.published(), exact, demo.config.disclosure.rules)
    assert not any(found.values()), {k: names(v) for k, v in found.items()}
    facts = rel.summary()
    assert facts["passed"] and facts["secondary"] <= 10, facts
