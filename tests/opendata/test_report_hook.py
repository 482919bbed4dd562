"""What the open-data edition hands to ``svsna.outputs.build_reports`` (the report contract).

The report is told it renders the open-data edition (``metadata["edition"]``), so it can never
title police.uk proxy figures "serious violence"; with ``--no-report`` the open-data workbook is
written instead of the report's.
"""

from __future__ import annotations

from pathlib import Path

import svsna.outputs
from svsna.opendata.assessment import run_opendata


def _capture(calls: list[dict]):
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

    return build_reports


def test_report_built_with_title_proxy_and_groups(west_yorkshire_shared, tmp_path, monkeypatch):
    calls: list[dict] = []
    monkeypatch.setattr(svsna.outputs, "build_reports", _capture(calls))
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


def test_no_report_writes_the_open_data_workbook_instead(west_yorkshire_shared, tmp_path, monkeypatch):
    calls: list[dict] = []
    monkeypatch.setattr(svsna.outputs, "build_reports", _capture(calls))
    res = run_opendata(west_yorkshire_shared, "west-yorkshire", [2021], tmp_path, build_report=False)
    assert calls == []
    assert res.files["workbook"] == tmp_path / "opendata-tables.xlsx"
    assert res.files["workbook"].stat().st_size > 0
    assert not (tmp_path / "sna-full.html").exists()
