"""How the open-data edition hands its results to svsna.outputs (the report contract).

The report is built only when ``svsna.outputs`` declares ``SUPPORTS_OPENDATA = True``, so a
partner-SNA report can never title police.uk proxy figures "serious violence".
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

from svsna.opendata.assessment import run_opendata


def _fake_outputs(supports: bool, calls: list[dict]) -> types.ModuleType:
    mod = types.ModuleType("svsna.outputs")

    def build_reports(indicators, findings, *, config, ledger, metadata, out_dir, boundaries, pdf=True):
        calls.append(
            {
                "indicators": indicators,
                "findings": findings,
                "config": config,
                "ledger": ledger,
                "metadata": metadata,
                "out_dir": Path(out_dir),
                "boundaries": boundaries,
                "pdf": pdf,
            }
        )
        html = Path(out_dir) / "sna-full.html"
        html.write_text("<html></html>")
        return {"full_html": html}

    mod.build_reports = build_reports
    if supports:
        mod.SUPPORTS_OPENDATA = True
    return mod


def test_no_report_without_open_data_support(west_yorkshire_shared, tmp_path, monkeypatch):
    calls: list[dict] = []
    monkeypatch.setitem(sys.modules, "svsna.outputs", _fake_outputs(False, calls))
    res = run_opendata(west_yorkshire_shared, "west-yorkshire", [2021], tmp_path)
    assert calls == []
    note = res.files["report_note"].read_text()
    assert "SUPPORTS_OPENDATA" in note and "serious violence" in note
    assert (tmp_path / "opendata-tables.xlsx").exists()  # no report, so the open-data workbook


def test_report_built_with_title_proxy_and_groups(west_yorkshire_shared, tmp_path, monkeypatch):
    calls: list[dict] = []
    monkeypatch.setitem(sys.modules, "svsna.outputs", _fake_outputs(True, calls))
    res = run_opendata(west_yorkshire_shared, "west-yorkshire", [2021], tmp_path, pdf=False)
    assert len(calls) == 1
    call = calls[0]
    assert call["metadata"]["title"] == "Open-data edition"
    assert call["metadata"]["edition"] == "opendata"
    assert "cannot isolate serious violence" in call["metadata"]["proxy_definition"]
    assert call["config"].definitions == ["combined", "vso", "robbery", "weapons"]
    assert call["config"].financial_years == [2021]
    assert call["out_dir"] == tmp_path
    assert call["boundaries"] is None  # no LSOA populations, so no LSOA maps: nothing to draw on
    assert call["pdf"] is False
    assert int(call["ledger"].query("outcome == 'read'")["rows"].sum()) == 163  # see test_second_force.py
    assert "mid-2020 estimates" in call["metadata"]["populations"]
    assert not (tmp_path / "opendata-tables.xlsx").exists()  # one workbook per run: the report's
    assert res.files["report_full_html"] == tmp_path / "sna-full.html"


def test_real_outputs_declare_open_data_support():
    # The contract above is met by the real report (checked end to end in test_report_opendata.py).
    import svsna.outputs

    assert svsna.outputs.SUPPORTS_OPENDATA is True
