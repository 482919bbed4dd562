"""The run-wide involvement tables: first-involvement flags built only when asked for, and the
same first rows whichever way they are built.

Victims are written by hand so that each definition has a different first involvement for some
people, and blank-key victims of one offence (who share a stand-in ``person``) tie on date and
offence and are told apart by their own columns, nulls first. ``narrow`` leaves out O01 and O02 and
takes in E01 (dated 2020-07-01), like ``test_shared_definitions.py``.
"""

from __future__ import annotations

import pandas as pd
import pytest
from tests.analyses.conftest import L1, L2, L3, build_warehouse, make_config, people_frame

from svsna.analyses._base import AnalysisContext, RunShared

NARROW_OUT, NARROW_IN = {"O01", "O02"}, {"E01"}

# offence_ref, person_key, age, sex, ethnicity_group, home_lsoa, flags
VICTIMS = [
    ("O01", "V1", 18, "M", "White", L1, None),  # 2020-04-04: V1's first in llr_vrn
    ("O05", "V1", 18, "M", "White", L1, None),  # 2020-12-01: V1's first in narrow (O01 is not in it)
    ("O02", "V2", 30, "F", "Asian", L3, None),  # 2020-05-09: V2's first in llr_vrn
    ("E01", "V2", 30, "F", "Asian", L3, None),  # 2020-07-01: V2's first in narrow (only narrow has it)
    ("O04", "V2", 30, "F", "Asian", L3, None),  # 2020-10-05
    # three blank-key victims of O03 share the stand-in person "anon|O03": the unknown age comes first
    ("O03", None, 30, "F", "White", L2, None),
    ("O03", None, None, "M", "White", L2, None),
    ("O03", None, 16, None, "White", L2, None),
    # two of O06, both aged 40: the unknown sex comes first
    ("O06", None, 40, "F", "White", L3, None),
    ("O06", None, 40, None, "White", L3, None),
    ("O08", "V4", 22, "M", "White", L1, None),
]

#: worked out from the rows above: (person, offence_ref, age, sex) of each definition's first rows
EXPECTED = {
    "llr_vrn": {
        ("V1", "O01", 18, "M"),
        ("V2", "O02", 30, "F"),
        ("anon|O03", "O03", None, "M"),
        ("anon|O06", "O06", 40, None),
        ("V4", "O08", 22, "M"),
    },
    "narrow": {
        ("V1", "O05", 18, "M"),
        ("V2", "E01", 30, "F"),
        ("anon|O03", "O03", None, "M"),
        ("anon|O06", "O06", 40, None),
        ("V4", "O08", 22, "M"),
    },
}
DEFS = ("llr_vrn", "narrow")


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    wh = build_warehouse(tmp_path_factory.mktemp("runtables"))
    decisions = wh.execute(wh.table("offence_decisions"))
    narrow = decisions.assign(
        definition="narrow",
        included=(decisions.included & ~decisions.offence_ref.isin(NARROW_OUT)) | decisions.offence_ref.isin(NARROW_IN),
    )
    wh.write_table("offence_decisions", pd.concat([decisions, narrow], ignore_index=True))
    wh.write_table("victims", people_frame(VICTIMS))
    yield wh
    wh.close()


def _contexts(wh):
    cfg = make_config()
    shared = RunShared(wh, cfg, definitions=DEFS)
    return shared, [AnalysisContext(wh, cfg, d, shared=shared) for d in DEFS]


def _keys(df: pd.DataFrame) -> set[tuple]:
    def clean(v):
        return None if v is None or v is pd.NA or v != v else v

    return {
        (r.person, r.offence_ref, None if clean(r.age) is None else int(r.age), clean(r.sex))
        for r in df.itertuples(index=False)
    }


def test_first_flags_are_only_built_when_asked_for_and_then_from_the_same_rows(wh):
    shared, (vrn, narrow) = _contexts(wh)
    try:
        prof = vrn.profile
        bare = vrn.involvements_all("victims", prof, firsts=False)
        assert not [c for c in bare.columns if c.startswith("_first")]
        assert narrow.involvements_all("victims", prof, firsts=False) is bare  # one table per run
        rows = wh.execute(bare)
        assert len(rows) == len(VICTIMS)  # every victim row's offence is in llr_vrn or narrow
        full = vrn.involvements_all("victims", prof)
        assert {"_first0", "_first1"} <= set(full.columns)
        # once the flags exist, callers that do not need them read the same table
        assert vrn.involvements_all("victims", prof, firsts=False) is full
        got = wh.execute(full)
        for k, d in enumerate(DEFS):
            assert _keys(got[got[f"_first{k}"].astype(bool)]) == EXPECTED[d], d
    finally:
        shared.release()


@pytest.mark.parametrize("definition", DEFS)
def test_first_involvements_equal_first_per_person_of_each_definition(wh, definition):
    shared, ctxs = _contexts(wh)
    ctx = ctxs[DEFS.index(definition)]
    try:
        prof = ctx.profile
        flagged = wh.execute(ctx.first_involvements("victims", prof))  # the run-wide flags (one window)
        numbered = wh.execute(ctx.first_per_person(ctx.involvements("victims", prof)))  # row numbers
        assert _keys(flagged) == _keys(numbered) == EXPECTED[definition]
    finally:
        shared.release()


def test_a_run_of_a_few_sections_carries_only_their_columns_and_gives_the_same_rows(wh, monkeypatch):
    import importlib

    import svsna.analyses as A

    sections = ["extent", "timing", "geography", "people"]
    cols = A.fact_columns([importlib.import_module(f"svsna.analyses.{s}") for s in sections])
    assert cols == {"lsoa", "setting", "weekday", "harm_rank"}
    cfg = make_config()
    narrow = A.run_assessment(wh, cfg, list(DEFS), sections=sections)
    monkeypatch.setattr(A, "fact_columns", lambda modules: None)  # every offence column, as before
    wide = A.run_assessment(wh, cfg, list(DEFS), sections=sections)
    key = ["section", "indicator", "period", "breakdown", "breakdown_value", "definition"]
    pd.testing.assert_frame_equal(
        narrow.indicators.sort_values(key, kind="stable").reset_index(drop=True),
        wide.indicators.sort_values(key, kind="stable").reset_index(drop=True),
    )
    assert [(f.section, f.key, f.text) for f in narrow.findings] == [(f.section, f.key, f.text) for f in wide.findings]
