"""Inputs present but unusable, end to end on the small hand-built partnership (tests/public/partnership.py).

The reviewers' cases (review-cli finding 2; review-outputs B11, B13), through svsna's own ingest, assess
and report:

- an admissions file of 3 rows, all with invalid dates (all rejected at ingest): the health section is
  ``unusable`` with the reason, assess prints it and a warning, and no admissions figure is reported as 0;
- the partnership's victims have IDs ``V00000``... and its suspects ``S9000``/``S00020``...: no person is in
  both tables, so the victim-offender overlap is withheld (a warning), not "0.0%";
- its data start in April 2019: the M/AM five-year look-back to Sep 2021 is labelled from Apr 2019, not Oct 2016;
- its population has district rows only: no finding compares deprivation deciles by their shares of offences.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

BAD_ADMISSIONS = (
    "admission_id,admission_date,age,sex,home_lsoa,cause_code,mental_health_flag,person_id\n"
    "A1,31/02/2021,30,M,E01090001,Y04,N,P1\n"
    "A2,2021-13-01,22,F,E01090002,Y04,N,P2\n"
    "A3,notadate,40,M,E01090003,Y04,N,P3\n"
)


def _cli(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from svsna.cli import app

    res = CliRunner().invoke(app, list(args))
    return res.exit_code, " ".join(res.output.split())  # one line, however the console wraps


def _text(html: str) -> str:
    import html as h

    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(h.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture(scope="module")
def area(tmp_path_factory) -> Path:
    from tests.public.partnership import write

    folder = tmp_path_factory.mktemp("allbad")
    area = write(folder)
    (folder / "admissions_allbad.csv").write_text(BAD_ADMISSIONS, encoding="utf-8")
    text = area.read_text(encoding="utf-8")
    area.write_text(text.replace("output: output\n", "  admissions: admissions_allbad.csv\noutput: output\n"))
    code, said = _cli("ingest", "--area", str(area), "-q")
    assert code == 0, said
    return area


@pytest.fixture(scope="module")
def assessed(area) -> tuple[str, dict]:
    code, said = _cli("assess", "--area", str(area), "-q")
    assert code == 0, said
    manifest = json.loads((area.parent / "output" / "restricted" / "assessment.json").read_text(encoding="utf-8"))
    return said, manifest


@pytest.fixture(scope="module")
def reported(area, assessed) -> dict[str, str]:
    code, said = _cli("report", "--area", str(area), "-q", "--no-pdf")
    assert code == 0, said
    out = area.parent / "output"
    return {
        "full": _text((out / "restricted" / "sna-full.html").read_text(encoding="utf-8")),
        "public": _text(next((out / "public").glob("*.html")).read_text(encoding="utf-8")),
    }


def test_ingest_warns_that_a_source_loaded_nothing(tmp_path, monkeypatch):
    """Ingest exited 0 with only a ledger line (3 read, 0 loaded) for a file whose every row was rejected."""
    from tests.public.partnership import write

    area = write(tmp_path / "mv")
    (area.parent / "admissions_allbad.csv").write_text(BAD_ADMISSIONS, encoding="utf-8")
    text = area.read_text(encoding="utf-8")
    area.write_text(text.replace("output: output\n", "  admissions: admissions_allbad.csv\noutput: output\n"))
    code, said = _cli("ingest", "--area", str(area), "-q")
    assert code == 0, said
    assert (
        "warning: admissions: none of the 3 rows read from admissions_allbad.csv was loaded (every row was rejected), "
        "so the assessment will leave admissions out" in said
    ), said


def test_the_ledger_read_3_admissions_and_loaded_none(area):
    led = pd.read_csv(area.parent / "output" / "restricted" / "ledger.csv")
    adm = led[led.source == "admissions"].groupby("outcome")["rows"].sum().to_dict()
    assert (adm["read"], adm["loaded"], adm["rejected"]) == (3, 0, 3)


def test_health_is_unusable_and_assess_says_why(assessed):
    said, manifest = assessed
    health = next(s for s in manifest["sections"] if s["section"] == "health")
    assert health["status"] == "unusable", health
    assert "every row of admissions was rejected" in health["reason"] and "3 rows read" in health["reason"]
    # printed: the section that did not run, and the warning naming source, file, rows and rule
    assert "section health (all definitions): unusable: every row of admissions was rejected" in said
    assert "admissions: every one of the 3 rows read from admissions_allbad.csv was rejected" in said
    assert "invalid date (admission_date): 3 rows" in said and "rejects.csv" in said
    codes = {w["code"] for w in manifest["warnings"]}
    assert {"source_unusable", "no_shared_person_keys", "mam_lookback_clipped"} <= codes


def test_nothing_unusable_is_reported_as_a_figure(area, assessed):
    rows = pd.read_parquet(area.parent / "output" / "restricted" / "indicators.parquet")
    assert rows[rows.section == "health"].empty  # no "Hospital admissions ... 0" with CIs and significance
    overlap = ["victim_offender_overlap", "victim_offender_overlap_ever", "offender_victim_overlap"]
    assert not rows.indicator.isin(overlap).any()
    assert "deprivation_share" in set(rows.indicator)  # the shares stay, in the tables
    mam = rows[rows.indicator == "mam_cohort"]
    assert set(mam.period) == {"Apr 2019 - Sep 2021"}  # offences start in April 2019 (partnership.events)
    findings = json.loads((area.parent / "output" / "restricted" / "findings.json").read_text(encoding="utf-8"))
    keys = {f["key"] for f in findings}
    assert not keys & {"victim_offender_overlap", "deprivation_gradient", "health_count_change"}


def test_the_reports_print_no_artefact(reported):
    for edition, text in reported.items():
        assert "0.0% of perpetrators had been a victim" not in text, edition
        assert "had been a victim of crime" not in text, edition
        assert "of offences were in the most deprived tenth" not in text, edition
        # the look-back is labelled from the data's start (the full edition's data warning says it was clipped)
        said = re.sub(r"Data warning: Cohorts: the murder and attempted murder cohort looks back[^.]*", "", text)
        assert "Oct 2016" not in said, edition
        assert "Hospital admissions: rate" not in text, edition  # no rate of 0.00 with a CI and significance
    assert "Apr 2019 - Sep 2021" in reported["full"]


def test_the_reports_say_why_health_is_missing(reported):
    """The summary said health was "Left out because no data were supplied" when an admissions file was
    supplied and every row of it rejected, and no edition said why (the warnings were in assess only)."""
    public, full = reported["public"], reported["full"]
    assert "Left out because the data supplied for them could not be used" in public
    assert re.search(r"could not be used \(see [^)]*\): [^.]*Health service data", public)
    assert not re.search(r"no data were supplied for them: [^.]*Health service data", public)
    assert "3 rows read" not in public  # row counts of a partner's file stay in the restricted edition
    # the full edition's appendix gives the reason and the rows, for the analyst
    assert re.search(r"Data warning: Health service data: the data it needs was supplied but could not be used", full)
    assert "3 rows read from admissions_allbad.csv, none loaded" in full


def test_a_section_left_out_for_small_numbers_is_not_said_to_have_had_no_data(reported):
    """The small area's summary said "Left out because no data were supplied for them: ...; Cohorts" when
    suspects were supplied and Cohorts is in the full edition: its figures were only too small to publish."""
    public = reported["public"]
    said = re.search(r"Left out because no data were supplied for them: ([^.]*)\.", public)
    assert said is None or "Cohorts" not in said.group(1), said.group(0)
