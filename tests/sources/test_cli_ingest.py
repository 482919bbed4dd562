"""``svsna ingest`` on the command line: ledger table, files, exit codes (svsna.errors)."""

from __future__ import annotations

import sys

import pytest

from svsna.cli import main

from .conftest import copy_fixtures


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["svsna", "ingest", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_dirty_partnership_exits_0_and_prints_the_ledger(monkeypatch, capsys, tmp_path, key_env):
    folder = copy_fixtures(tmp_path)
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = _run(monkeypatch, capsys, "--area", str(folder / "area_dirty.yaml"), "--extract-date", "2022-01-01")
    assert code == 0
    assert "Row ledger" in out and "offences_dirty.csv" in out
    assert "unknown code (ho_code)" in out
    assert "20 row(s) rejected with 20 problem(s)" in out  # 4+9+6+1 rows, one broken rule each
    assert (folder / "output_dirty" / "restricted" / "ledger.csv").exists() and (
        folder / "output_dirty" / "restricted" / "rejects.csv"
    ).exists()


def test_unreadable_input_exits_4(monkeypatch, capsys, tmp_path, key_env):
    folder = copy_fixtures(tmp_path)
    (folder / "offences.csv").write_text("offence_ref;ho_code\nX;8N\n")
    code, _, err = _run(monkeypatch, capsys, "--area", str(folder / "area.yaml"), "-q")
    assert code == 4
    assert "semicolon-delimited" in err


def test_config_error_exits_3(monkeypatch, capsys, tmp_path):
    folder = copy_fixtures(tmp_path)
    monkeypatch.delenv("SVSNA_PSEUDONYM_KEY", raising=False)
    code, _, err = _run(monkeypatch, capsys, "--area", str(folder / "area.yaml"), "-q")
    assert code == 3 and "no pseudonymisation key" in err


def test_unknown_engine_is_a_usage_error_exit_2(monkeypatch, capsys, tmp_path, key_env):
    folder = copy_fixtures(tmp_path)
    code, _, err = _run(monkeypatch, capsys, "--area", str(folder / "area.yaml"), "--engine", "oracle")
    assert code == 2 and "unknown engine 'oracle'" in err
    assert not (folder / "workspace").exists()  # refused before anything was created


def test_demo_flag_is_refused_for_data_not_made_by_synth(monkeypatch, capsys, tmp_path):
    """The public demo key on real data would let anyone reverse the pseudonyms: exit 3, nothing written."""
    folder = copy_fixtures(tmp_path)
    monkeypatch.delenv("SVSNA_PSEUDONYM_KEY", raising=False)
    code, _, err = _run(monkeypatch, capsys, "--area", str(folder / "area.yaml"), "--demo", "-q")
    assert code == 3 and ("not a file made by `svsna synth`" in err or "no synth-manifest.json" in err)
    assert not (folder / "workspace" / "warehouse.duckdb").exists()


def test_check_is_a_dry_run_with_a_per_file_preview(monkeypatch, capsys, tmp_path, key_env):
    import json

    folder = copy_fixtures(tmp_path)
    code, _, _ = _run(monkeypatch, capsys, "--area", str(folder / "area_dirty.yaml"), "--extract-date", "2022-01-01")
    assert code == 0
    monkeypatch.setattr(sys, "argv", ["svsna", "check", "--area", str(folder / "area_dirty.yaml"), "--json",
                                      "--extract-date", "2022-01-01"])  # fmt: skip
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    with pytest.raises(SystemExit) as exc:
        main()
    report = json.loads(capsys.readouterr().out)
    assert exc.value.code == 4 and report["ok"] is False
    off = next(f for f in report["files"] if f["source"] == "offences")
    assert (off["read"], off["would_load"], sum(off["would_reject"].values())) == (10, 1, 9)
    assert off["encoding"] == "utf-8"
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before  # nothing written anywhere


def test_ledger_tables_print_counts_with_thousands_separators():
    import pandas as pd
    from rich.console import Console

    from svsna.cli.ingest import ledger_table, reasons_table

    ledger = pd.DataFrame(
        {
            "source": ["offences"] * 4,
            "file": ["offences.csv"] * 4,
            "definition": [None, None, None, "llr_vrn"],
            "outcome": ["read", "loaded", "rejected", "excluded"],
            "reason": ["csv; encoding utf-8", "", "unknown code (ho_code)", "excluded: private dwelling"],
            "rows": [1621278, 1605058, 16220, 1234],
        }
    )
    console = Console(width=200, record=True)
    console.print(ledger_table(ledger))
    console.print(reasons_table(ledger))
    text = console.export_text()
    for shown in ("1,621,278", "1,605,058", "16,220", "1,234"):
        assert shown in text
    assert "1621278" not in text
