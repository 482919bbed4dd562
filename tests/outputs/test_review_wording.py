"""Findings of the December 2026 review of the published outputs (sections, views, charts, tables).

Each test states what a reader saw, and checks the fixed output against values worked out by hand.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd

from svsna.outputs.content import Section
from svsna.outputs.sections import _data_sources


def _ledger(rows):
    return pd.DataFrame(rows, columns=["source", "file", "outcome", "reason", "rows", "definition"])


def test_data_sources_list_only_what_was_supplied_and_used():
    """B7: the small area's table listed A&E, admissions, ambulance and survey data it never had."""
    ledger = _ledger(
        [
            ("offences", "o.csv", "read", "", 640, ""),
            ("offences", "o.csv", "loaded", "", 590, ""),
            ("ae_attendances", "", "read", "not supplied", 0, ""),
            ("ambulance", "", "read", "not supplied", 0, ""),
            ("survey_responses", "s.csv", "read", "", 12, ""),
            ("survey_responses", "s.csv", "rejected", "bad date", 12, ""),
        ]
    )
    for public in (True, False):
        sec = Section("data_sources", "Data sources")
        _data_sources(SimpleNamespace(ledger=ledger, public=public), sec)
        (table,) = sec.blocks
        assert [r[0] for r in table.rows] == ["Police recorded crime - offences"]
        assert "ingest ledger" not in table.source and "svsna" not in table.source
        text = " ".join(sec.paragraphs)
        assert "Not supplied, so not used in this document: A&E assault attendances and Ambulance incidents." in text
        assert "Supplied, but with no rows that could be used: Survey responses." in text


def test_demo_row_ledger_figures_name_their_sources_in_words(demo):
    """D22: the appendix's row-ledger tables were credited to "Police recorded crime" and labelled
    "Ae attendances", "excluded: offence code not in definition"."""
    from tests.outputs._html import parse

    page = parse(demo.paths.full_html)
    text = " ".join(page.all_text().split())
    ledger = [
        t for t in page.tables if re.match(r"Table \d+: Rows (rejected by source|of the input files)", t["caption"])
    ]
    assert len(ledger) == 2
    labels = [r[0] for t in ledger for r in t["rows"]]
    assert "A&E assault attendances" in labels and "Survey responses" in labels and "Police offences" in labels
    assert not any(lab in ("Ae attendances", "ae_attendances", "offences") for lab in labels)
    assert "excluded: offence code" not in text and "Excluded: offence code not in definition" in text
    # the appendix's ledger figures and tables, from the excluded offences to the input rows
    start = text.index("Excluded: offence code not in definition")  # the table, after the list of figures
    end = text.rindex("Rows dated inside the assessment's periods")
    assert "Police recorded crime" not in text[start:end]
    assert text[start:end].count("Source: Partnership data supplied for this assessment") >= 4
    assert "svsna ingest ledger" not in text
