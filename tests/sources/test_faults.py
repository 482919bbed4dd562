"""Faults outside validation (issue 14): crashes, full and read-only disks, locks, bad paths, bad warehouses.

Each test reproduces a case of the fault audit (shared/reviews/fault-audit-2026-12.md) and
checks the documented answer: one line, the exit code of svsna.errors, and the previous
warehouse intact (or the new one complete).
"""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from svsna.engine.state import JOURNAL_FILE, WorkspaceLock, check_warehouse, read_journal, warehouse_state
from svsna.errors import FileSystemFault, WarehouseStateError
from svsna.pipeline.faults import kill_test

from .conftest import EXTRACT_DATE, cli, ingest_area, mini_area

OFFENCES = (
    "R1,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\n"
    "R2,105A,Push,2021-05-02 01:00,STREET,E01000002,N\n"
    "R3,8N,ABH,2021-06-01 12:00,STREET,E01000001,N\n"
)
VICTIMS = "R1,P1,17,M,E01000001\nR2,P2,30,F,E01000002\n"


@pytest.fixture
def mini(tmp_path, key_env):
    return mini_area(tmp_path / "area", OFFENCES, VICTIMS)


# -- crashes ----------------------------------------------------------------------------------------


def test_sigkill_at_20_points_leaves_the_old_state_or_the_new_one(tmp_path, key_env):
    """SIGKILL at 20 random points of reading, validating and writing: each time every table holds exactly the
    rows of the run the warehouse records, nothing stray is there, assess would refuse until the switch, and
    the next ingest succeeds and leaves no scratch files. (bench/ingest_faults.py runs every point of the
    fixture partnership, with a recovering ingest after each kill.)"""
    offences = "".join(f"K{i},8N,ABH,2021-05-{1 + i % 28:02d} 23:15,STREET,E01000001,N\n" for i in range(450))
    victims = "".join(f"K{i},P{i % 97},{18 + i % 40},M,E01000002\n" for i in range(0, 450, 2))
    area = mini_area(tmp_path / "kill", offences, victims, extra="limits: {batch_rows: 100}\n")
    results, left = kill_test(area, 20, seed=14, recover_each=False, as_of=EXTRACT_DATE)
    assert len(results) == 20
    phases = {r.point.split(":")[0] for r in results}
    assert {"batch", "crossrow", "table"} <= phases  # reading/validating and writing are both hit
    for r in results:
        assert r.exitcode == -9, r
        assert r.consistent, r
        assert r.refused == (r.old_or_new == "old"), r
    assert left == []


def test_assess_and_report_refuse_a_warehouse_whose_last_ingest_was_interrupted(mini, monkeypatch, capsys):
    first = ingest_area(mini)
    ws = first.workspace
    # An ingest killed before its switch leaves the journal saying "running" and nobody holding the lock.
    journal = json.loads((ws / JOURNAL_FILE).read_text())
    journal.update(run_id="20990101T000000Z-dead", status="running", finished=None)
    (ws / JOURNAL_FILE).write_text(json.dumps(journal))
    code, _, err = cli(monkeypatch, capsys, "assess", "--area", str(mini))
    assert code == 7
    assert "20990101T000000Z-dead" in err and "did not complete" in err and first.run.run_id in err
    assert "rerun `svsna ingest" in err
    code, _, err = cli(monkeypatch, capsys, "report", "--area", str(mini), "--no-pdf")
    assert code == 7 and "did not complete" in err
    # Rerunning ingest repairs it.
    ingest_area(mini)
    assert check_warehouse(ws).status == "complete"


def test_a_failed_ingest_is_recorded_and_assess_refuses_with_its_reason(mini, monkeypatch, capsys):
    ok = ingest_area(mini)
    before = warehouse_state(ok.workspace)
    (mini.parent / "offences.csv").write_text("offence_ref;ho_code\nX;8N\n")  # now unreadable: exit 4
    code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(mini), "-q")
    assert code == 4
    assert warehouse_state(ok.workspace) == before  # the previous warehouse is untouched
    assert read_journal(ok.workspace).status == "failed"
    code, _, err = cli(monkeypatch, capsys, "assess", "--area", str(mini))
    assert code == 7 and "failed: offences.csv: only one column found" in err


def test_a_second_ingest_of_the_same_area_stops_with_exit_6(mini, monkeypatch, capsys):
    import os

    ingest_area(mini)
    ws = mini.parent / "workspace"
    with WorkspaceLock(ws):
        code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(mini), "-q")
        assert code == 6
        assert f"another ingest of this area is running (pid {os.getpid()})" in err
        assert len(err.strip().splitlines()) == 1
        # While it runs (journal "running", lock held), assess waits its turn too.
        journal = json.loads((ws / JOURNAL_FILE).read_text())
        (ws / JOURNAL_FILE).write_text(json.dumps({**journal, "status": "running"}))
        code, _, err = cli(monkeypatch, capsys, "assess", "--area", str(mini))
        assert code == 6 and "running now" in err


def test_a_truncated_warehouse_is_refused_with_exit_7(mini, monkeypatch, capsys):
    res = ingest_area(mini)
    data = res.warehouse_path.read_bytes()
    res.warehouse_path.write_bytes(data[: len(data) // 3])
    code, _, err = cli(monkeypatch, capsys, "assess", "--area", str(mini))
    assert code == 7 and "damaged" in err and "Traceback" not in err


# -- bad paths, checked before anything changes --------------------------------------------------


def test_missing_inputs_are_all_named_before_anything_is_written(mini, monkeypatch, capsys):
    area = mini.read_text().replace("victims.csv", "absent_victims.csv").replace("geography.csv", "absent_geo.csv")
    mini.write_text(area)
    code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(mini), "-q")
    assert code == 5 and "absent_geo.csv" in err and "absent_victims.csv" in err
    assert not (mini.parent / "workspace").exists() and not (mini.parent / "output").exists()


def test_an_input_that_is_a_folder_exits_8(mini, monkeypatch, capsys):
    (mini.parent / "offences.csv").unlink()
    (mini.parent / "offences.csv").mkdir()
    code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(mini), "-q")
    assert code == 8 and "is a folder, not a file" in err
    assert not (mini.parent / "workspace").exists()


def test_output_naming_a_file_exits_8_and_the_warehouse_is_not_touched(mini, monkeypatch, capsys):
    (mini.parent / "out_file").write_text("x")
    mini.write_text(mini.read_text() + "output: out_file\n")
    code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(mini), "-q")
    assert code == 8 and "exists and is not a folder" in err
    assert not (mini.parent / "workspace").exists()


def test_unknown_engine_exits_2_for_assess_too(mini, monkeypatch, capsys):
    code, _, err = cli(monkeypatch, capsys, "assess", "--area", str(mini), "--engine", "foo")
    assert code == 2 and "unknown engine 'foo'" in err


def test_a_disk_error_while_writing_the_csvs_leaves_the_old_state(mini, monkeypatch, capsys):
    """Injected ENOSPC while rejects.csv is written: exit 8, no half-written file, the old warehouse and
    ledger.csv unchanged, and the run recorded as failed."""
    ok = ingest_area(mini)
    before = warehouse_state(ok.workspace)
    old_ledger = ok.ledger_path.read_bytes()
    import pandas as pd

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device", str(ok.rejects_path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    (mini.parent / "offences.csv").write_text((mini.parent / "offences.csv").read_text() + "R1,8N,dup,,,,\n")
    code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(mini), "-q")
    assert code == 8 and "no space left on device" in err
    assert warehouse_state(ok.workspace) == before
    assert ok.ledger_path.read_bytes() == old_ledger
    assert sorted(p.name for p in ok.rejects_path.parent.iterdir()) == ["ledger.csv", "rejects.csv"]
    assert read_journal(ok.workspace).status == "failed"


def test_assess_with_an_unwritable_output_fails_before_any_analysis(mini, monkeypatch, capsys):
    ingest_area(mini)
    import svsna.analyses

    def boom(*_a, **_k):
        raise AssertionError("analyses must not run when the output cannot be written")

    monkeypatch.setattr(svsna.analyses, "run_assessment", boom)
    out = mini.parent / "output"
    shutil.rmtree(out)
    out.write_text("not a folder")
    code, _, err = cli(monkeypatch, capsys, "assess", "--area", str(mini))
    assert code == 8 and "not a folder" in err


# -- small file systems ------------------------------------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path):
    """Mount small tmpfs file systems (root only; skipped where mounting is not allowed)."""
    mounted: list[Path] = []

    def mount(name: str, size: str, readonly: bool = False) -> Path:
        point = tmp_path / name
        point.mkdir()
        opts = f"size={size}" + (",ro" if readonly else "")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(point)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_read_only_output_exits_8_before_the_warehouse_changes(mini, tmpfs, monkeypatch, capsys):
    ok = ingest_area(mini)
    before = warehouse_state(ok.workspace)
    ro = tmpfs("ro", "1m", readonly=True)
    mini.write_text(mini.read_text() + f"output: {ro}\n")
    code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(mini), "-q")
    assert code == 8 and "read-only" in err.lower()
    assert warehouse_state(ok.workspace) == before
    assert read_journal(ok.workspace).run_id == ok.run.run_id  # no run was even started


def test_a_full_workspace_disk_keeps_the_old_warehouse(mini, tmpfs, monkeypatch, capsys):
    ws = tmpfs("ws", "16m")
    mini.write_text(mini.read_text() + f"workspace: {ws}\n")
    ok = ingest_area(mini)
    before = warehouse_state(ws)
    # Too little room even to start: refused before any change.
    filler = ws / "filler"
    free = shutil.disk_usage(ws).free
    filler.write_bytes(b"\0" * (free - 200_000))
    code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(mini), "-q")
    assert code == 8 and "not enough free space" in err
    assert warehouse_state(ws) == before
    # Room for the checks but not for the new warehouse: the build fails, the old warehouse stays.
    filler.unlink()
    free = shutil.disk_usage(ws).free
    filler.write_bytes(b"\0" * (free - 1_300_000))
    code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(mini), "-q")
    assert code == 8 and "space" in err and len(err.strip().splitlines()) == 1
    assert warehouse_state(ws) == before
    assert not list(ws.glob(".svsna-tmp-*"))
    with pytest.raises(WarehouseStateError, match="failed"):
        check_warehouse(ws)
    filler.unlink()
    assert ingest_area(mini).run.status == "complete" and ok.run.run_id != read_journal(ws).run_id


def test_a_full_output_disk_is_found_before_ingest_starts(mini, tmpfs, monkeypatch, capsys):
    out = tmpfs("out", "600k")
    mini.write_text(mini.read_text() + f"output: {out}\n")
    with pytest.raises(FileSystemFault, match="not enough free space"):
        ingest_area(mini)
    assert not (mini.parent / "workspace").exists()
