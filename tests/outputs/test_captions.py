"""Captions that say what tells a table or figure apart from its neighbours.

An indicator given both by one breakdown and by that breakdown crossed with another (rates by
offence type, and by offence type and age group, and by district and offence type) has tables
whose captions name every part of their breakdown, so that the report's caption
de-duplication (``_distinct_captions``, a safety net) has nothing to add: no "[Nature of serious
violence]" after a caption. The rows are in the shape the analyses write (``a|b`` breakdowns
with ``a|b`` values); the expected captions are written out here in words.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from svsna.config import AreaConfig
from svsna.outputs.catalogue import breakdown_words, level_words
from svsna.outputs.content import Section
from svsna.outputs.views import by_breakdown

PERIOD = "Apr 2020 - Sep 2021"


@pytest.mark.parametrize(
    ("label", "breakdown", "expected"),
    [
        # no "by" in the label: the whole breakdown is named
        ("Residents", "district", "Residents by district"),
        ("Residents", "lsoa", "Residents by LSOA"),
        ("Share of the offence type's offences (%)", "offence_type|sub_offence",
         "Share of the offence type's offences by offence type and offence (%)"),
        ("Offences in the night-time economy (%)", "age_group", "Offences in the night-time economy by age group (%)"),
        ("Weekend share", "age_group", "Weekend share by age group"),
        # a label that already names its one-way breakdown without "by"
        ("Offences per month", "month", "Offences per month"),
        ("Offences", "all", "Offences"),
        # the label names a one-way breakdown: left as it is
        ("Share of offences by day of week (%)", "weekday", "Share of offences by day of week (%)"),
        ("Offences by LSOA", "lsoa", "Offences by LSOA"),
        # a two-way breakdown: the part the label leaves out is added before the unit
        ("Share of offences by day of week (%)", "age_group|weekday",
         "Share of offences by day of week and age group (%)"),
        ("Share of offences by neighbourhood policing area (%)", "age_group|npa",
         "Share of offences by neighbourhood policing area and age group (%)"),
        ("Rate per 1,000 population by offence type", "offence_type|age_group",
         "Rate per 1,000 population by offence type and age group"),
        ("Rate per 1,000 population by offence type", "district|offence_type",
         "Rate per 1,000 population by offence type and district"),
        ("Rate per 1,000 population by offence type", "lsoa|offence_type",
         "Rate per 1,000 population by offence type and LSOA"),
        # a "by" that is not the breakdown's ("by under 25s"): nothing is guessed
        ("Offences by under 25s with a victim under 25 (%)", "sex|age_band",
         "Offences by under 25s with a victim under 25 (%)"),
    ],
)  # fmt: skip
def test_by_breakdown_names_every_part_of_the_breakdown(label, breakdown, expected):
    assert by_breakdown(label, breakdown) == expected


def test_a_left_out_part_with_one_group_is_named_by_that_group():
    """Shares of under-25 offences by NPA are an age-group-by-NPA breakdown with one age group:
    the caption says which group, not "by ... and age group" over a single column."""
    label = "Share of offences by neighbourhood policing area (%)"
    values = ["Under 25|Central", "Under 25|East", "Under 25|West"]
    assert by_breakdown(label, "age_group|npa", values) == f"{label}: Under 25 only"
    two = ["Under 25|Central", "25 and over|Central"]
    assert by_breakdown(label, "age_group|npa", two) == (
        "Share of offences by neighbourhood policing area and age group (%)"
    )
    # a part the label names may have one value: only a left-out part is named by its group
    assert by_breakdown(label, "npa|sex", ["Central|Female", "Central|Male"]) == (
        "Share of offences by neighbourhood policing area and sex (%)"
    )


def test_catalogued_labels_of_two_way_breakdowns_name_both_parts():
    """The population pyramid's label says its age bands, so its caption adds nothing to it."""
    from svsna.outputs.catalogue import indicator_label

    label = indicator_label("residents_by_age_sex", breakdown="sex|age_band")
    assert by_breakdown(label, "sex|age_band") == label == "Residents by age band and sex (% of the area)"


def test_breakdown_words_keep_abbreviations_and_level_words_use_them():
    assert breakdown_words("age_group") == "age group"
    assert breakdown_words("weekday|hour") == "day and hour"
    assert breakdown_words("imd_decile") == "deprivation decile (1 = most deprived)"
    assert breakdown_words("lsoa") == "LSOA"
    assert breakdown_words("home_npa") == "home neighbourhood policing area"
    assert [level_words(b) for b in ("npa", "lsoa", "age_group")] == ["neighbourhood policing area", "LSOA", "area"]


def _rows(section: str, indicator: str, breakdown: str, values: dict[str, float], statistic: str, unit: str):
    n = len(values)
    return pd.DataFrame(
        {
            "section": section,
            "indicator": indicator,
            "period": PERIOD,
            "area": "MV",
            "breakdown": breakdown,
            "breakdown_value": list(values),
            "numerator": [np.nan] * n,
            "denominator": [np.nan] * n,
            "value": list(values.values()),
            "statistic": statistic,
            "unit": unit,
            "lower": [np.nan] * n,
            "upper": [np.nan] * n,
            "method": "Wilson" if statistic == "percentage" else "Byar",
            "comparator_value": [np.nan] * n,
            "significance": [None] * n,
            "definition": "vrn",
        }
    )


def _views(key: str, title: str, rows: pd.DataFrame) -> Section:
    from svsna.outputs.report import _distinct_captions
    from svsna.outputs.views import ViewContext, add_indicator_views

    section = Section(key, title)
    ctx = ViewContext(AreaConfig.model_validate({"name": "MV"}), "full")
    add_indicator_views(section, rows, rows, ctx)
    before = [b.caption for b in section.blocks]
    _distinct_captions([section])
    assert [b.caption for b in section.blocks] == before, "the de-duplication had to tell captions apart"
    return section


TYPES = ["Violence with injury", "Robbery", "Possession of weapons", "Homicide"]
AGES = ["Under 25", "25 and over"]
DISTRICTS = ["Marshfield", "Eastholm", "Westwick", "Saltmere"]


def test_an_indicators_one_way_and_two_way_tables_have_their_own_captions():
    rng = np.random.default_rng(11)

    def rates(keys):
        return {k: float(rng.uniform(0.1, 5)) for k in keys}

    rows = pd.concat(
        [
            _rows("nature", "offence_type_rate", "offence_type", rates(TYPES), "rate", "per 1,000 residents"),
            _rows(
                "nature",
                "offence_type_rate",
                "offence_type|age_group",
                rates(f"{t}|{a}" for t, a in itertools.product(TYPES, AGES)),
                "rate",
                "per 1,000 residents",
            ),
            _rows(
                "nature",
                "offence_type_rate",
                "district|offence_type",
                rates(f"{d}|{t}" for d, t in itertools.product(DISTRICTS, TYPES)),
                "rate",
                "per 1,000 residents",
            ),
        ],
        ignore_index=True,
    )
    tables = [t.caption for t in _views("nature", "Nature of serious violence", rows).tables]
    stem = "Rate per 1,000 population by offence type"
    assert tables == [
        f"{stem}, MV ({PERIOD})",
        f"{stem} and age group, MV ({PERIOD})",
        f"{stem} and district, MV ({PERIOD})",
    ]


def test_a_share_by_day_crossed_with_age_group_says_so_before_its_unit():
    rng = np.random.default_rng(5)
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    rows = pd.concat(
        [
            _rows("timing", "weekday_share", "weekday", {d: rng.uniform(8, 20) for d in days}, "percentage", "%"),
            _rows(
                "timing",
                "weekday_share",
                "age_group|weekday",
                {f"{a}|{d}": float(rng.uniform(8, 20)) for a, d in itertools.product(AGES, days)},
                "percentage",
                "%",
            ),
        ],
        ignore_index=True,
    )
    section = _views("timing", "Timings", rows)
    assert [t.caption for t in section.tables] == [
        f"Share of offences by day of week (%), MV ({PERIOD})",
        f"Share of offences by day of week and age group (%), MV ({PERIOD})",
    ]


def test_a_share_of_one_age_groups_offences_by_area_names_the_group():
    npas = ["Central", "East", "North", "West"]
    rng = np.random.default_rng(2)
    rows = pd.concat(
        [
            _rows("geography", "npa_share", "npa", {n: rng.uniform(10, 40) for n in npas}, "percentage", "%"),
            _rows(
                "geography",
                "npa_share",
                "age_group|npa",
                {f"Under 25|{n}": rng.uniform(10, 40) for n in npas},
                "percentage",
                "%",
            ),
        ],
        ignore_index=True,
    )
    section = _views("geography", "Geography of serious violence", rows)
    assert [t.caption for t in section.tables] == [
        f"Share of offences by neighbourhood policing area (%), MV ({PERIOD})",
        f"Share of offences by neighbourhood policing area (%): Under 25 only, MV ({PERIOD})",
    ]
    assert [r[0] for r in section.tables[1].rows] == ["Under 25"]  # one age group down, the areas across


def test_demo_captions_have_no_empty_period_and_say_a_breakdown_once(demo):
    """A run's totals (the row ledger) have no period: no "LLR ()"; "per month" is not followed by "by month"."""
    import re

    from tests.outputs._html import parse

    for html in (demo.paths.full_html, demo.paths.public_html):
        parsed = parse(html)
        captions = [*parsed.captions, *parsed.figcaptions]
        assert captions
        for caption in captions:
            assert "()" not in caption, caption
            assert not re.search(r"\bper (\w+) by \1\b", caption), caption
    full = parse(demo.paths.full_html).captions
    assert any("Rows of the input files by source and outcome, LLR" in c for c in full)


def _risk_factor_section(rows: pd.DataFrame) -> Section:
    """The risk-factor tables the full SNA builds (sections._risk_factors) from indicator rows."""
    from svsna.outputs.sections import Inputs, _risk_factors
    from svsna.outputs.views import ViewContext

    config = AreaConfig.model_validate({"name": "MV"})
    inp = Inputs(rows, config, ViewContext(config, "full"), {}, None, {})
    section = Section("risk_factors", "Risk and protective factors")
    _risk_factors(inp, section, rows)
    return section


def test_a_risk_factor_table_credits_the_sources_of_its_own_rows():
    """An area indicator is credited to its own publisher and dataset (children in need: the DfE's
    statistics on the characteristics of children in need); a partner's own row (assault admissions
    with a mental health flag, from the hospital admissions extract) is credited to hospital
    admissions, in a table of its own or beside the area indicators."""
    area = _rows("risk_factors", "dfe_children_in_need", "domain", {"relationship": 298.0}, "rate", "per 10,000")
    flag = pd.concat(
        [
            _rows("risk_factors", "admissions_mental_health_share", "all", {"all": 26.5}, "percentage", "%"),
            _rows("risk_factors", "admissions_mental_health_share", "age_group", {"Under 25": 34.0}, "percentage", "%"),
        ],
        ignore_index=True,
    )
    section = _risk_factor_section(pd.concat([area, flag], ignore_index=True))
    by_caption = {t.caption.split(" risk")[0]: t for t in section.tables}
    assert by_caption["Relationship"].source == "DfE Characteristics of children in need"
    assert by_caption["Other"].source == "Hospital admissions (SUS / HES)"
    assert [r[0] for r in by_caption["Other"].rows] == [
        "Hospital admissions for assault with a mental health flag (%)",
        "Hospital admissions for assault with a mental health flag: Under 25 (%)",
    ]
    from svsna.outputs.views import ViewContext, risk_factor_table

    both = risk_factor_table([area, flag], ViewContext(AreaConfig.model_validate({"name": "MV"}), "full"))
    assert both.source == "DfE Characteristics of children in need; Hospital admissions (SUS / HES)"


def test_a_risk_factor_table_without_england_values_does_not_claim_a_comparison_with_england():
    """The partners' own rows (assault admissions with a mental health flag) have no England value:
    their table printed "compared with England" above an England column of [x] only."""
    area = _rows("risk_factors", "dfe_children_in_need", "domain", {"relationship": 298.0}, "rate", "per 10,000")
    area["comparator_value"] = 321.2  # England's value, as the area-indicator extract gives it
    area["significance"] = "Lower"
    flag = _rows("risk_factors", "admissions_mental_health_share", "all", {"all": 26.5}, "percentage", "%")
    section = _risk_factor_section(pd.concat([area, flag], ignore_index=True))
    by_caption = {t.caption.split(" risk")[0]: t for t in section.tables}
    relationship, other = by_caption["Relationship"], by_caption["Other"]
    assert relationship.caption == "Relationship risk and protective factors compared with England, MV"
    assert relationship.columns == ["Indicator", "Unit", "Period", "England", "MV"]
    assert "England" in relationship.notes
    assert other.caption == "Other risk and protective factors, MV"
    assert other.columns == ["Indicator", "Unit", "Period", "MV"]
    assert "England" not in other.notes and "[x]" not in [c.text for c in other.cells()[0][1:]]


def test_a_change_against_the_baseline_names_the_baseline_year():
    """The change in offences per month against the baseline is worked out against the financial year
    ``baseline_year`` starts (2019 -> April 2019 to March 2020, "2019/20"): its captions and its row
    in the key figures say that year, not just "the baseline year"."""
    from svsna.outputs.views import ViewContext, add_indicator_views

    config = AreaConfig.model_validate({"name": "MV", "financial_years": [2019, 2020, 2021], "baseline_year": 2019})
    ctx = ViewContext(config, "full")
    later = {"2020/21": -14.6, "2021/22": 15.5}
    rows = pd.concat(
        [
            _rows(
                "geography",
                "area_baseline_change",
                "district",
                {"Marshfield": -12.0, "Eastholm": 4.0},
                "percent_change",
                "%",
            ),
            *(
                _rows("extent", "offences_baseline_change", "all", {"all": v}, "percent_change", "%").assign(period=p)
                for p, v in later.items()
            ),
        ],
        ignore_index=True,
    )
    geography = Section("geography", "Geography of serious violence")
    add_indicator_views(geography, rows[rows["section"] == "geography"], rows, ctx)
    extent = Section("extent", "Extent of serious violence")
    add_indicator_views(extent, rows[rows["section"] == "extent"], rows, ctx)
    said = "Change in offences per month against the baseline year 2019/20"
    captions = [b.caption for b in [*geography.blocks, *extent.blocks]]
    assert captions and all(c.startswith(said) for c in captions), captions
    assert f"{said} by district (%), MV ({PERIOD})" in captions
    assert ctx.label("offences_baseline_change") == f"{said} (%)"
    # without a baseline year set, the label says no year
    plain = ViewContext(AreaConfig.model_validate({"name": "MV"}), "full")
    assert plain.label("area_baseline_change") == "Change in offences per month against the baseline year (%)"


def test_the_deprivation_rate_ratio_says_which_deciles_it_compares_and_against_what():
    """The analyses compare the rate of the most deprived decile present (1) with that of the least
    deprived (10) as the pair "1 vs 10", tested against a ratio of 1 (comparator 1): the row says
    the deciles in words, the comparison column says equal rates, not "the whole area"."""
    from svsna.outputs.catalogue import display_value

    assert display_value("1 vs 10", "imd_decile") == "Most deprived 10% against least deprived 10%"
    assert display_value("2 vs 9", "imd_decile") == "Decile 2 against decile 9"
    assert display_value("1", "imd_decile") == "1 (most deprived)"  # one decile: as before
    rows = _rows("geography", "deprivation_rate_ratio", "imd_decile", {"1 vs 10": 27.17}, "ratio", "times").assign(
        numerator=1053.0, lower=21.6, upper=34.6, comparator_value=1.0, significance="Higher"
    )
    section = _views("geography", "Geography of serious violence", rows)
    (table,) = section.tables
    assert table.columns[-1] == "Compared with equal rates"
    assert [r[0] for r in table.rows] == ["Most deprived 10% against least deprived 10%"]


def test_an_indicators_one_domain_is_not_said_as_by_domain():
    """An area indicator is in one domain of the indicator catalogue (the same value in every area's
    row): its rows are not divided by domain, so no "by domain"."""
    label = "Children in need (per 10,000)"
    assert by_breakdown(label, "domain", ["relationship"] * 3) == label
    # another one-group breakdown names its group (see the test of one-group captions below)
    victims = "Residents who were victims (%)"
    assert by_breakdown(victims, "age_group", ["Under 25"]) == "Residents who were victims for under 25s (%)"
    # two domains, or no values given: the breakdown is said
    assert by_breakdown(label, "domain", ["relationship", "community"]) == "Children in need by domain (per 10,000)"
    assert by_breakdown(label, "domain") == "Children in need by domain (per 10,000)"


def test_the_evidence_table_has_a_cost_column_only_when_some_approach_is_rated():
    """The bundled YEF table has no cost ratings ("Not available" for every approach): a column of
    "Not available" says nothing, so it is left out and a note says why; one rated approach brings it back."""
    from svsna.indicators import Finding
    from svsna.outputs.sections import Inputs, _prevention
    from svsna.outputs.sentences import Rendered
    from svsna.outputs.views import ViewContext

    def built(costs: list[str]) -> Section:
        approaches = [
            {"approach": a, "impact": "High", "evidence_quality": "High", "cost": c}
            for a, c in zip(["Focused Deterrence", "Mentoring"], costs, strict=True)
        ]
        f = Finding("interventions", "yef_evidence_table", "YEF", {"approaches": approaches})
        config = AreaConfig.model_validate({"name": "MV"})
        inp = Inputs(
            pd.DataFrame(), config, ViewContext(config, "full"), {"interventions": [Rendered(f, "YEF")]}, None, {}
        )
        section = Section("interventions", "Preventing serious violence")
        _prevention(inp, section)
        return section

    unrated = built(["Not available", "Not available"]).tables[0]
    assert unrated.columns == ["Approach", "Estimated impact", "Evidence quality"]
    assert "Cost ratings are not shown" in unrated.notes
    rated = built(["Low", "Not available"]).tables[0]
    assert rated.columns[-1] == "Cost" and [r[-1] for r in rated.rows] == ["Low", "Not available"]


#: What an internal note in a catalogue source looks like: an id remark, a to-do, a PHOF code.
_NOTE_MARKS = ("svsna", "to verify", "to add", "local id", "contract", "todo", " id ")


def test_every_catalogue_indicator_has_a_printable_source_free_of_internal_notes():
    """The indicator catalogue's ``source`` is printed under the risk-factor tables: a publisher and
    dataset only. Build remarks (local ids, ids to verify, PHOF indicator codes) are kept, but in
    ``source_note``, which no table prints."""
    import re

    from svsna.definitions.evidence import load_catalogue

    cat = load_catalogue()
    assert len(cat) > 20
    for r in cat.itertuples(index=False):
        source = f" {r.source.lower()} "
        assert r.source.strip(), r.indicator_id
        assert not any(m in source for m in _NOTE_MARKS), (r.indicator_id, r.source)
        assert not re.search(r"\b[A-Z]\d{2}[a-z]?\b", r.source), (r.indicator_id, r.source)  # a PHOF code
        assert r.source.split()[0] in ("OHID", "DfE", "ONS", "MHCLG", "DWP/HMRC"), (r.indicator_id, r.source)
    by_id = cat.set_index("indicator_id")
    # the publisher and dataset of two indicators, as the catalogue's own sources name them
    assert by_id.loc["10401", "source"] == "OHID Fingertips (Public Health Outcomes Framework)"
    assert by_id.loc["dfe_children_looked_after", "source"] == "DfE Children looked after in England"
    # the notes are kept, apart from the source
    assert "B04" in by_id.loc["10401", "source_note"]
    assert "to verify" in by_id.loc["93203", "source_note"]
    assert "local id" in by_id.loc["dfe_children_looked_after", "source_note"]


def test_a_domain_table_credits_exactly_the_sources_of_its_rows():
    """The relationship domain's table of the demo's indicators: children in need and child
    protection plans (both from the DfE's children in need statistics), looked-after children (the
    DfE's looked-after statistics) and domestic abuse (Fingertips, the Public Health Outcomes
    Framework): each source once, in the order of the rows, and no other domain's source."""
    rows = pd.concat(
        [
            _rows("risk_factors", ind, "domain", {dom: v}, "rate", unit)
            for ind, dom, v, unit in [
                ("dfe_children_in_need", "relationship", 298.0, "per 10,000"),
                ("dfe_child_protection_plans", "relationship", 41.0, "per 10,000"),
                ("dfe_children_looked_after", "relationship", 67.0, "per 10,000"),
                ("ohid_domestic_abuse", "relationship", 29.5, "per 1,000"),
                ("ons_unemployment", "community", 4.9, "%"),
            ]
        ],
        ignore_index=True,
    )
    section = _risk_factor_section(rows)
    by_caption = {t.caption.split(" risk")[0]: t for t in section.tables}
    # the DfE, the publisher of two of the sources, is named once
    assert by_caption["Relationship"].source == (
        "DfE: Characteristics of children in need, Children looked after in England; "
        "OHID Fingertips (Public Health Outcomes Framework)"
    )
    assert by_caption["Community"].source == "ONS Annual Population Survey"


def test_an_indicator_of_the_areas_own_catalogue_is_credited_to_its_source():
    """An area may add indicators in its own catalogue: their findings carry that catalogue's
    source, which the table credits; an indicator in no catalogue is credited to the extract."""
    from svsna.outputs.sections import Inputs, _risk_factors
    from svsna.outputs.views import ViewContext

    rows = pd.concat(
        [
            _rows("risk_factors", "youth_club_places", "domain", {"community": 12.0}, "rate", "per 1,000"),
            _rows("risk_factors", "bus_routes_at_night", "domain", {"community": 3.0}, "number", "routes"),
        ],
        ignore_index=True,
    )
    config = AreaConfig.model_validate({"name": "MV"})
    sources = {"youth_club_places": "MV Youth Service"}  # report._labels(findings, "source")
    inp = Inputs(rows, config, ViewContext(config, "full"), {}, None, {}, sources=sources)
    section = Section("risk_factors", "Risk and protective factors")
    _risk_factors(inp, section, rows)
    (table,) = section.tables
    assert table.source == "MV Youth Service; Area indicators extract"


def test_the_areas_own_catalogue_names_a_publisher_of_several_sources_once(tmp_path):
    """An area catalogue's rows may give their publisher, as the shipped ones do: a table with two
    of its datasets names the publisher once, as the assessment's catalogue (area folder) says."""
    from svsna.outputs.sections import Inputs, _risk_factors
    from svsna.outputs.views import ViewContext

    (tmp_path / "indicator_catalogue.csv").write_text(
        "indicator_id,name,domain,risk_or_protective,polarity,source,unit,publisher\n"
        "youth_club_places,Youth club places,community,protective,high_is_good,"
        'MV Council Youth service census,"per 1,000",MV Council\n'
        "night_bus_routes,Night bus routes,community,protective,high_is_good,"
        "MV Council Transport survey,routes,MV Council\n",
        encoding="utf-8",
    )
    rows = pd.concat(
        [
            _rows("risk_factors", "youth_club_places", "domain", {"community": 12.0}, "rate", "per 1,000"),
            _rows("risk_factors", "night_bus_routes", "domain", {"community": 3.0}, "number", "routes"),
        ],
        ignore_index=True,
    )
    config = AreaConfig.model_validate({"name": "MV", "base_dir": tmp_path})
    sources = {  # report._labels(findings, "source"): what the assessment's catalogue gave each finding
        "youth_club_places": "MV Council Youth service census",
        "night_bus_routes": "MV Council Transport survey",
    }
    inp = Inputs(rows, config, ViewContext(config, "full"), {}, None, {}, sources=sources)
    section = Section("risk_factors", "Risk and protective factors")
    _risk_factors(inp, section, rows)
    (table,) = section.tables
    assert table.source == "MV Council: Youth service census, Transport survey"


def test_a_breakdown_with_one_group_names_the_group_not_the_breakdown():
    """The under-25 rate ratios have one age group (the ratio of under 25s to 25 and over): their
    captions said "by age group", a breakdown of one group. A label that names the group (each of
    these does) is left as it is; another label names its one group ("for under 25s")."""
    rows = pd.concat(
        [
            _rows("health", ind, "age_group", {"Under 25": v}, "ratio", "times").assign(
                lower=v - 0.1, upper=v + 0.1, numerator=300.0, comparator_value=1.0, significance="Higher"
            )
            for ind, v in [("ae_rate_ratio_under25", 1.13), ("ambulance_rate_ratio_under25", 2.36)]
        ],
        ignore_index=True,
    )
    section = _views("health", "Health service data", rows)
    captions = [b.caption for b in section.blocks]
    assert f"A&E attendances: rate ratio, under 25s to 25 and over, MV ({PERIOD})" in captions
    assert f"Ambulance call-outs: rate ratio, under 25s to 25 and over, MV ({PERIOD})" in captions
    assert not [c for c in captions if "by age group" in c]
    extent = _rows("extent", "rate_ratio_age", "age_group", {"Under 25 vs 25 and over": 1.62}, "ratio", "times")
    extent = extent.assign(lower=1.48, upper=1.78, numerator=805.0, comparator_value=1.0, significance="Higher")
    captions = [b.caption for b in _views("extent", "Extent of serious violence", extent).blocks]
    assert captions and all(c.startswith("Rate ratio, under 25s to 25 and over, MV") for c in captions), captions
    # a label that does not name its one group names it
    weekend = by_breakdown("Weekend share (%)", "age_group", ["25 and over"] * 2)
    assert weekend == "Weekend share for those 25 and over (%)"
    assert by_breakdown("Residents", "district", ["Eastholm"]) == "Residents for Eastholm"
    # two groups: the breakdown, as before
    assert by_breakdown("Weekend share (%)", "age_group", AGES) == "Weekend share by age group (%)"


def test_the_public_summary_gives_each_survey_its_own_sample_sentence():
    """A finding repeated over periods is summarised by its latest in the public summary; two surveys are not
    two periods of one finding, so each keeps its sentence."""
    from svsna.indicators import Finding
    from svsna.outputs.narrative import Sentence
    from svsna.outputs.sections import Inputs
    from svsna.outputs.views import ViewContext

    def said(survey: str) -> Sentence:
        f = Finding("surveys", "survey_summary", "", {"survey": survey, "respondents": 1450}, period=survey)
        return Sentence(f, f"{survey}: 1,450 respondents answered 9 questions reported here.")

    config = AreaConfig.model_validate({"name": "MV"})
    sentences = {"surveys": [said("Community Safety Survey 2020"), said("Young People's Survey 2021")]}
    inp = Inputs(pd.DataFrame(), config, ViewContext(config, "public"), sentences, None, {})
    printed = inp.printed(("surveys",))
    assert [t.split(":")[0] for t in printed] == ["Community Safety Survey 2020", "Young People's Survey 2021"]


def test_a_combined_table_says_only_the_units_its_headings_do_not():
    """ "Units: Residents: residents; Share ... (%): %" said nothing the headings did not; a rate's unit
    (offences per 1,000 residents) is still said."""
    from svsna.outputs.views import PublicView, ViewContext, _combined_table

    def rows(indicator: str, statistic: str, unit: str, values: dict[str, float]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "section": "population",
                "indicator": indicator,
                "period": "Mid-2020",
                "area": "MV",
                "breakdown": ["all" if k == "all" else "district" for k in values],
                "breakdown_value": list(values),
                "value": list(values.values()),
                "numerator": list(values.values()),
                "lower": float("nan"),
                "upper": float("nan"),
                "statistic": statistic,
                "unit": unit,
                "significance": None,
                "suppressed": False,
                "public_note": "",
                "definition": "",
            }
        )

    people = rows("residents", "count", "residents", {"all": 1000.0, "Marshfield": 600.0, "Vale": 400.0})
    young = rows("share_under_focus", "percentage", "%", {"all": 30.0, "Marshfield": 35.0, "Vale": 22.5})
    config = AreaConfig.model_validate({"name": "MV"})
    section = Section("population", "Population")
    spec = PublicView(("residents", "share_under_focus"), "district", "combined", extra=("all",))
    _combined_table(section, pd.concat([people, young], ignore_index=True), spec, ViewContext(config, "full"))
    assert "Units:" not in section.tables[0].notes
    rate = rows("area_rate", "rate", "offences per 1,000 residents", {"all": 5.3, "Marshfield": 9.4, "Vale": 2.2})
    section = Section("geography", "Geography")
    spec = PublicView(("area_rate", "share_under_focus"), "district", "combined", extra=("all",))
    _combined_table(section, pd.concat([rate, young], ignore_index=True), spec, ViewContext(config, "full"))
    assert section.tables[0].notes.startswith("Units: Rate per 1,000 population: offences per 1,000 residents.")


def test_the_key_figures_caption_names_its_section_without_a_second_colon():
    from svsna.outputs.views import ViewContext, _key_figures

    rows = pd.DataFrame(
        {
            "section": "data_quality",
            "indicator": "offences_time_unknown",
            "period": "P",
            "breakdown": "all",
            "breakdown_value": "all",
            "value": 2.5,
            "lower": 2.0,
            "upper": 3.1,
            "statistic": "percentage",
            "unit": "%",
            "significance": None,
        },
        index=[0],
    )
    section = Section("data_quality", "Appendix: methods and data quality")
    _key_figures(section, [rows], ViewContext(AreaConfig.model_validate({"name": "MV"}), "full"))
    # one period for every row: named once, after the area
    assert section.tables[0].caption == "Figures for the whole area: methods and data quality, MV (P)"


def test_the_public_top_five_table_says_so_without_a_second_colon():
    from svsna.outputs.views import ViewContext, add_public_views

    diagnoses = ["Contusion/abrasion", "Laceration", "Head injury", "Fracture", "Penetrating wound", "Burn"]
    rows = pd.DataFrame(
        {
            "section": "health",
            "indicator": "ae_rate",
            "period": "P",
            "area": "MV",
            "breakdown": "diagnosis",
            "breakdown_value": diagnoses,
            "value": [0.22, 0.19, 0.18, 0.15, 0.07, 0.01],
            "numerator": [240.0, 215.0, 195.0, 160.0, 75.0, 10.0],
            "lower": float("nan"),
            "upper": float("nan"),
            "statistic": "rate",
            "unit": "attendances per 1,000 residents",
            "significance": None,
            "suppressed": False,
            "public_note": "",
            "definition": "",
        }
    )
    section = Section("health", "Health service data")
    add_public_views(section, rows, rows, ViewContext(AreaConfig.model_validate({"name": "MV"}), "public"))
    (table,) = section.tables
    assert table.caption.startswith("A&E attendances: rate per 1,000, the 5 highest by diagnosis, MV")
    assert len(table.rows) == 5


def test_a_breakdown_nested_in_another_is_a_list_not_a_cross_table():
    """Offences within offence types: each offence is of one type, so as a cross-table nearly every
    cell was [z] (the demo's 10 offences x 8 types: 70 of 80 cells). It is listed instead, each
    offence under its type, largest share first within the type; a breakdown whose parts cross
    (district x offence type) stays a cross-table."""
    nested = _rows(
        "nature",
        "sub_offence_share",
        "offence_type|sub_offence",
        {
            "Violence with injury|S20 wounding": 11.4,
            "Violence with injury|S47 ABH": 88.6,
            "Robbery|Robbery of personal property": 100.0,
        },
        "percentage",
        "%",
    )
    section = _views("nature", "Nature", nested)
    (table,) = section.tables
    assert table.columns == ["Offence type", "Offence", "Percentage (%)"]
    assert [[c.text if hasattr(c, "text") else c for c in r] for r in table.rows] == [
        ["Violence with injury", "S47 ABH", "88.6%"],
        ["Violence with injury", "S20 wounding", "11.4%"],
        ["Robbery", "Robbery of personal property", "100.0%"],
    ]
    crossing = _rows(
        "geography",
        "rate_by_type",
        "district|offence_type",
        {f"{d}|{t}": 1.0 + i for i, (d, t) in enumerate(itertools.product(DISTRICTS[:2], TYPES[:2]))},
        "rate",
        "per 1,000 residents",
    )
    (cross,) = _views("geography", "Geography", crossing).tables
    assert cross.columns[1:] == TYPES[:2]


def test_whole_area_figures_leave_out_columns_no_row_fills():
    """The night-time economy's whole-area figures printed a Period column with one value in every
    row and a "Compared with" column empty in every row; the period now goes into the caption, once,
    and a column no row fills is left out. Figures of two periods keep their Period column."""
    one = pd.concat(
        [
            _rows("timing", "nte_offences", "all", {"all": 1844.0}, "count", "offences"),
            _rows("timing", "nte_share", "all", {"all": 34.6}, "percentage", "%"),
        ],
        ignore_index=True,
    )
    (table,) = _views("timing", "Timings", one).tables
    assert table.caption.endswith(f", MV ({PERIOD})")
    assert table.columns == ["Indicator", "Value", "Unit"]
    two = one.assign(period=[PERIOD, "2020/21"])
    (table,) = _views("timing", "Timings", two).tables
    assert table.columns == ["Indicator", "Period", "Value", "Unit"]
