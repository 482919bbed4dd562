"""The report's background writers (`_Background`): work done in forked processes comes back,
and so does each failure, as the same error the CLI maps to an exit code."""

from __future__ import annotations

import os

import pytest

from svsna.errors import FileSystemFault, InputDataError
from svsna.outputs.report import _Background


def _write(path, text):
    path.write_text(text, encoding="utf-8")


def _fail_with(exc):
    raise exc


class _Unpicklable(Exception):
    def __init__(self, message, handle):
        super().__init__(message)
        self.handle = handle

    def __reduce__(self):
        raise TypeError("cannot pickle")


@pytest.mark.parametrize("serial", ["0", "1"])
def test_background_jobs_write_their_files_and_report_each_stage(tmp_path, monkeypatch, serial):
    monkeypatch.setenv("SVSNA_SERIAL_PDF", serial)
    said = []
    with _Background(lambda stage, name: said.append((stage, name))) as bg:
        bg.submit("workbook", "a.txt", _write, tmp_path / "a.txt", "first")
        bg.submit("pdf", "b.txt", _write, tmp_path / "b.txt", "second")
        bg.finish()
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "first"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "second"
    assert sorted(said) == sorted(
        [("workbook", "a.txt"), ("pdf", "b.txt"), ("workbook-done", "a.txt"), ("pdf-done", "b.txt")]
    )
    assert bg.parallel == (serial == "0" and (os.cpu_count() or 1) > 1)


@pytest.mark.parametrize(
    "exc",
    [
        FileSystemFault("/out/restricted/sna-full.pdf: disk full", hint="free some space"),
        InputDataError("findings.json: bad number", hint="rerun svsna assess"),
        OSError(28, "No space left on device"),
    ],
)
def test_a_failure_in_a_forked_job_comes_back_as_itself(monkeypatch, exc):
    monkeypatch.delenv("SVSNA_SERIAL_PDF", raising=False)
    said = []
    with pytest.raises(type(exc)) as got, _Background(lambda stage, name: said.append((stage, name))) as bg:
        bg.submit("pdf", "x.pdf", _fail_with, exc)
        bg.finish()
    assert str(got.value) == str(exc)  # message and hint, for the CLI's one line and exit code
    assert ("pdf-done", "x.pdf") not in said


def test_an_exception_that_cannot_cross_processes_still_fails_the_run(monkeypatch):
    monkeypatch.delenv("SVSNA_SERIAL_PDF", raising=False)
    bg = _Background(lambda *_: None)
    if not bg.parallel:
        pytest.skip("one core or no fork: jobs run in this process")
    with pytest.raises(RuntimeError, match="_Unpicklable: odd failure"), bg:
        bg.submit("pdf", "x.pdf", _fail_with, _Unpicklable("odd failure", object()))
        bg.finish()


def _warm_marker(path):
    def warm():
        path.write_text(str(os.getpid()), encoding="utf-8")

    return warm


def test_a_prepared_process_warms_up_first_then_runs_the_job_it_is_handed(tmp_path, monkeypatch):
    """`prepare` forks before the job exists (the PDF's WeasyPrint import runs while the edition is built);
    `submit` hands the job to it rather than forking again, and the result and stages come back as usual."""
    monkeypatch.delenv("SVSNA_SERIAL_PDF", raising=False)
    said = []
    bg = _Background(lambda stage, name: said.append((stage, name)))
    if not bg.parallel:
        pytest.skip("one core or no fork: jobs run in this process")
    with bg:
        bg.prepare("pdf", 1, _warm_marker(tmp_path / "warm.txt"))
        (proc, _jobs, _recv) = bg.prepared["pdf"][0]
        bg.submit("pdf", "b.txt", _write, tmp_path / "b.txt", "typeset")
        assert bg.running[0][0] is proc and not bg.prepared["pdf"]
        bg.finish()
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "typeset"
    assert (tmp_path / "warm.txt").read_text(encoding="utf-8") == str(proc.pid)  # warmed in the same process
    assert said == [("pdf", "b.txt"), ("pdf-done", "b.txt")]
    assert not proc.is_alive()


def test_a_prepared_process_reports_a_failure_and_unused_ones_stop(tmp_path, monkeypatch):
    monkeypatch.delenv("SVSNA_SERIAL_PDF", raising=False)
    bg = _Background(lambda *_: None)
    if not bg.parallel:
        pytest.skip("one core or no fork: jobs run in this process")
    exc = FileSystemFault("/out/restricted/sna-full.pdf: disk full", hint="free some space")
    with pytest.raises(FileSystemFault, match="disk full"), bg:
        bg.prepare("pdf", 2, _warm_marker(tmp_path / "warm.txt"))
        procs = [p for p, _j, _r in bg.prepared["pdf"]]
        bg.submit("pdf", "x.pdf", _fail_with, exc)
        bg.finish()
    assert not any(p.is_alive() for p in procs)  # the one given no job was told to stop and waited for
    assert not bg.prepared and not bg.running


def test_prepared_processes_stop_when_the_report_fails_before_using_them(tmp_path, monkeypatch):
    monkeypatch.delenv("SVSNA_SERIAL_PDF", raising=False)
    bg = _Background(lambda *_: None)
    if not bg.parallel:
        pytest.skip("one core or no fork: jobs run in this process")
    with pytest.raises(InputDataError), bg:
        bg.prepare("pdf", 2, _warm_marker(tmp_path / "warm.txt"))
        procs = [p for p, _j, _r in bg.prepared["pdf"]]
        raise InputDataError("findings.json: bad number")
    assert procs and not any(p.is_alive() for p in procs)
    assert not (tmp_path / "x.pdf").exists()


def _pid_and_square(x):
    return os.getpid(), x * x


def _sleep_then(path, seconds):
    import time

    time.sleep(seconds)
    path.write_text("finished", encoding="utf-8")


@pytest.mark.parametrize("serial", ["0", "1"])
def test_a_computation_returns_its_result_computed_in_another_process_unless_serial(monkeypatch, serial):
    monkeypatch.setenv("SVSNA_SERIAL_PDF", serial)
    with _Background(lambda stage, name: None) as bg:
        result = bg.compute(_pid_and_square, 12)
        pid, value = result()
        bg.finish()
    assert value == 144
    assert (pid != os.getpid()) == bg.parallel
    assert not bg.computing


@pytest.mark.parametrize("serial", ["0", "1"])
def test_a_failed_computation_raises_the_same_error_with_its_hint(monkeypatch, serial):
    monkeypatch.setenv("SVSNA_SERIAL_PDF", serial)
    exc = InputDataError("the published relations contradict each other", hint="check the indicator table")
    with _Background(lambda stage, name: None) as bg:
        result = bg.compute(_fail_with, exc)
        with pytest.raises(InputDataError) as got:
            result()
    assert str(got.value) == str(exc)
    assert got.value.hint == "check the indicator table"


def test_a_killed_computation_fails_loudly(monkeypatch):
    monkeypatch.delenv("SVSNA_SERIAL_PDF", raising=False)
    with _Background(lambda stage, name: None) as bg:
        if not bg.parallel:
            pytest.skip("one core: computations run in this process")
        result = bg.compute(os._exit, 9)
        with pytest.raises(RuntimeError, match="stopped without a result"):
            result()


def test_a_computation_nobody_asks_for_is_stopped_when_the_report_fails(tmp_path, monkeypatch):
    monkeypatch.delenv("SVSNA_SERIAL_PDF", raising=False)
    with pytest.raises(InputDataError), _Background(lambda stage, name: None) as bg:
        if not bg.parallel:
            pytest.skip("one core: computations run in this process")
        bg.compute(_sleep_then, tmp_path / "late.txt", 3)
        raise InputDataError("the full edition failed")
    assert not bg.computing
    import time

    time.sleep(3.5)
    assert not (tmp_path / "late.txt").exists()  # stopped, not left to finish
