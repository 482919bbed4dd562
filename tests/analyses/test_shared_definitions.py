"""Several definitions in one run share their offence and involvement tables (a flag column per
definition) and count them in shared queries: each definition's figures must be exactly those of a
run assessing it alone, and never mix in the other definition's offences or first involvements.

The second definition, ``narrow``, differs from ``llr_vrn`` both ways: it leaves out O01 and O02
(P1's first two offences in the profile period) and takes in E01 (the domestic assault by P7 that
``llr_vrn`` excludes). Expected counts are worked out from the offence list in ``conftest.py``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from svsna.analyses import run_assessment

SECTIONS = ["extent", "timing", "nte", "people", "cohorts"]
KEY = ["section", "indicator", "period", "area", "breakdown", "breakdown_value", "definition"]
#: llr_vrn includes X01-X10 and O01-O12; narrow leaves out O01 and O02 and takes in E01
NARROW = {f"X{i:02d}" for i in range(1, 11)} | {f"O{i:02d}" for i in range(3, 13)} | {"E01"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, build, make_cfg):
    wh = build(tmp_path_factory.mktemp("two"))
    decisions = wh.execute(wh.table("offence_decisions"))
    narrow = decisions.assign(definition="narrow", included=decisions.offence_ref.isin(NARROW), reason="test")
    wh.write_table("offence_decisions", pd.concat([decisions, narrow], ignore_index=True))
    cfg = make_cfg()
    try:
        out = {
            "both": run_assessment(wh, cfg, ["llr_vrn", "narrow"], sections=SECTIONS),
            "llr_vrn": run_assessment(wh, cfg, ["llr_vrn"], sections=SECTIONS),
            "narrow": run_assessment(wh, cfg, ["narrow"], sections=SECTIONS),
        }
    finally:
        wh.close()
    return out


def _rows(result, definition: str) -> pd.DataFrame:
    t = result.indicators
    return t[t.definition == definition].sort_values(KEY, kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("definition", ["llr_vrn", "narrow"])
def test_each_definition_of_a_shared_run_equals_its_own_run(runs, definition):
    pd.testing.assert_frame_equal(_rows(runs["both"], definition), _rows(runs[definition], definition))
    both = [(f.section, f.key, f.text) for f in runs["both"].findings if f.definition == definition]
    alone = [(f.section, f.key, f.text) for f in runs[definition].findings if f.definition == definition]
    assert both == alone


def test_shared_run_counts_each_definitions_own_offences_and_people(runs, value):
    rows = runs["both"].indicators
    vrn, narrow = rows[rows.definition == "llr_vrn"], rows[rows.definition == "narrow"]
    # 2020/21: llr_vrn O01-O08 = 8; narrow O03-O08 + E01 = 7
    assert value(vrn, "offences", period="2020/21").value == 8
    assert value(narrow, "offences", period="2020/21").value == 7
    # resident perpetrators in the profile period (home LSOA in the area; P4 has none):
    # llr_vrn P1 P2 P3 P5 P6 = 5; narrow adds P7 (E01, home L2) = 6
    assert value(vrn, "perpetrator_prevalence").numerator == 5
    assert value(narrow, "perpetrator_prevalence").numerator == 6
    # P1's first offence in the profile: O01 (4 Apr 2020, Sat 23:00) for llr_vrn, O03 (15 Aug 2020,
    # Sat 22:00) for narrow; both fall in the NTE window, so P1 is an NTE perpetrator in both
    nte_v = value(vrn, "nte_offences")
    nte_n = value(narrow, "nte_offences")
    # NTE hours 22:00-04:59: llr_vrn O01 O03 O05 O07 O09 O11 = 6; narrow drops O01 = 5 (E01 at 20:00)
    assert (nte_v.value, nte_n.value) == (6, 5)
