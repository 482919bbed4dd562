"""A source supplied with every row rejected at ingest is unusable, not "no events".

The reviewer's case (review-cli finding 2): an admissions file of 3 rows, all with invalid dates,
loads 0 rows; the health section then "ran" and printed zeros with confidence intervals and
significance. Here the warehouse holds the empty ``admissions`` table and the ledger lines ingest
writes for it (read 3, loaded 0, rejected 3), built by hand (tests/analyses_health/conftest.py).
"""

from __future__ import annotations

import pandas as pd

from svsna.analyses import run_assessment

SECTIONS = ("health", "risk_factors", "data_quality")


def _ledger(*sources: tuple[str, str, int, int]) -> pd.DataFrame:
    """Ledger lines as ingest writes them: (source, file, read, loaded); the rest rejected as bad dates."""
    rows = []
    for source, file, read, loaded in sources:
        rows.append({"source": source, "file": file, "outcome": "read", "reason": "csv", "rows": read})
        rows.append({"source": source, "file": file, "outcome": "loaded", "reason": "", "rows": loaded})
        if read > loaded:
            bad = {"outcome": "rejected", "reason": "invalid date (admission_date)", "rows": read - loaded}
            rows.append({"source": source, "file": file, **bad})
    return pd.DataFrame(rows).assign(definition="")


def _assess(tmp_path, builders, **extra: pd.DataFrame):
    off, dec = builders.health_tables()["offences"], builders.health_tables()["offence_decisions"]
    tables = {
        "geography": builders.geography_frame(),
        "population": builders.population_frame(),
        "offences": off,
        "offence_decisions": dec,
        **extra,
    }
    ctx = builders.make_context(tmp_path, tables)
    try:
        return run_assessment(ctx.wh, ctx.config, ["test_def"], sections=SECTIONS)
    finally:
        ctx.wh.close()


def _empty_admissions(builders) -> pd.DataFrame:
    # the table ingest writes for a source whose every row was rejected: its columns, no rows
    adm = builders.health_tables()["admissions"]
    adm["admission_date"] = pd.to_datetime(adm["admission_date"])
    return adm.head(0).astype({"mental_health_flag": "boolean"})


def _status(res, section: str) -> dict:
    return next(s for s in res.sections if s["section"] == section)


def test_a_source_with_every_row_rejected_makes_the_health_section_unusable(tmp_path, builders):
    led = _ledger(("offences", "offences.csv", 6, 6), ("admissions", "admissions_allbad.csv", 3, 0))
    res = _assess(tmp_path, builders, admissions=_empty_admissions(builders), ledger=led)
    health = _status(res, "health")
    assert health["status"] == "unusable"  # not "ran" with zeros, not "not_supplied"
    for said in ("admissions", "admissions_allbad.csv", "3 rows read", "rejects.csv"):
        assert said in health["reason"], said
    rows = res.indicators
    assert rows[rows.section == "health"].empty
    assert not rows.indicator.str.startswith("admissions_").any()
    # one visible warning naming the source, the file, the rows read and that every row was rejected
    (w,) = [w for w in res.warnings if w["code"] == "source_unusable"]
    assert (w["numbers"]["source"], w["numbers"]["file"]) == ("admissions", "admissions_allbad.csv")
    assert (w["numbers"]["read"], w["numbers"]["loaded"], w["numbers"]["rejected"]) == (3, 0, 3)
    assert "every" in w["message"] and "3 rows" in w["message"] and "rejects.csv" in w["message"]
    assert "invalid date (admission_date)" in w["message"]  # the rule that rejected them
    # the report's data-quality section gets the status and the warning as findings
    keys = {(f.key, f.numbers.get("section"), f.numbers.get("status") or f.numbers.get("code")) for f in res.findings}
    assert ("section_status", "health", "unusable") in keys
    assert ("input_warning", "data_quality", "source_unusable") in keys
    # risk factors use admissions optionally and have no area indicators: nothing usable either
    assert _status(res, "risk_factors")["status"] == "unusable"
    # the ledger still says what was read: 3 read, 0 loaded, 3 rejected
    (totals,) = [f for f in res.findings if f.key == "ledger_totals" and f.numbers["source"] == "admissions"]
    assert (totals.numbers["read"], totals.numbers["loaded"], totals.numbers["rejected"]) == (3, 0, 3)


def test_a_section_that_uses_the_source_optionally_leaves_it_out(tmp_path, builders):
    ae = builders.health_tables()["ae_attendances"]  # 30 attendances, all loaded
    led = _ledger(("ae_attendances", "ae.csv", 30, 30), ("admissions", "admissions_allbad.csv", 3, 0))
    res = _assess(tmp_path, builders, admissions=_empty_admissions(builders), ae_attendances=ae, ledger=led)
    assert _status(res, "health")["status"] == "ran"
    rows = res.indicators
    # A&E as before (20 attendances in 2020/21, conftest), admissions left out rather than shown as 0
    ae_count = rows[(rows.indicator == "ae_count") & (rows.breakdown == "all") & (rows.period == "2020/21")]
    assert ae_count.value.tolist() == [20.0]
    assert not rows.indicator.str.startswith("admissions").any()
    assert [w["numbers"]["source"] for w in res.warnings if w["code"] == "source_unusable"] == ["admissions"]


def test_a_source_partly_loaded_is_used(tmp_path, builders):
    adm = builders.health_tables()["admissions"]  # 5 admissions in 2020/21
    led = _ledger(("admissions", "admissions.csv", 8, 5))
    res = _assess(tmp_path, builders, admissions=adm, ledger=led)
    assert _status(res, "health")["status"] == "ran"
    assert not [w for w in res.warnings if w["code"] == "source_unusable"]
    rows = res.indicators
    sel = rows[(rows.indicator == "admissions_count") & (rows.breakdown == "all") & (rows.period == "2020/21")]
    assert sel.value.tolist() == [5.0]


def test_no_health_source_at_all_is_not_supplied(tmp_path, builders):
    res = _assess(tmp_path, builders)
    health = _status(res, "health")
    assert health["status"] == "not_supplied"
    assert "ae_attendances" in health["reason"] and "admissions" in health["reason"]


def test_rows_loaded_is_not_called_rows_read():
    """data_quality's ``input_rows`` counts the warehouse's rows (loaded); ``ledger_rows`` has the rows read."""
    from svsna.outputs.catalogue import indicator_label

    assert "read" not in indicator_label("input_rows").lower()
    assert "loaded" in indicator_label("input_rows").lower()
