"""Shared pieces of the benchmark scripts: fresh measured processes, a memory watchdog, machine facts.

Every measured step runs as a **fresh process** started by :func:`run_measured`, which records

* ``wall``: elapsed time;
* ``cpu``: user + system time of the process and every descendant it waited for (all threads,
  DuckDB's included) from ``os.wait4``; steadier than wall time on a shared machine;
* ``maxrss``: peak resident memory of the largest single process (``ru_maxrss``);
* ``tree_rss``: the highest memory of the whole process tree (sum of each process's proportional
  set size, so forked workers' shared pages count once), sampled from ``/proc`` every ``interval``
  seconds (Linux; ``None`` elsewhere);
* the 1-minute load average before and after.

A watchdog kills the whole process group when the sampled tree memory passes ``mem_cap`` bytes or the
step runs longer than ``timeout`` seconds, and says so in ``killed``. Only the group the harness
started is ever signalled.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
GB = 1024**3


@dataclass
class Measured:
    """One measured process."""

    cmd: list[str]
    wall: float
    user: float
    sys: float
    maxrss: int  # bytes, largest single process
    tree_rss: int | None  # bytes, highest sampled PSS sum over the process tree
    returncode: int
    load_before: float
    load_after: float
    killed: str | None = None
    stdout: str = ""
    stderr: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.killed is None

    @property
    def peak_rss(self) -> int:
        return max(self.maxrss, self.tree_rss or 0)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        for task in task_dir.iterdir():
            try:
                out += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    except OSError:
        pass
    return out


def _mem(pid: int) -> int:
    """Proportional set size of ``pid`` in bytes (shared pages split between the processes sharing
    them, so a tree's sum does not count forked copies twice); resident size where PSS is unknown."""
    for name, field_ in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            for line in Path(name).read_text().splitlines():
                if line.startswith(field_):
                    return int(line.split()[1]) * 1024
        except OSError:
            continue
    return 0


def tree_memory(pid: int) -> int:
    """Memory of ``pid`` and all its descendants (sum of PSS), in bytes (0 when unavailable)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _mem(p)
        todo += _children(p)
    return total


def run_measured(
    cmd: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    mem_cap: int | None = None,
    timeout: float | None = None,
    interval: float = 0.5,
    keep_output: int = 4000,
) -> Measured:
    """Run ``cmd`` as a fresh process in its own process group and measure it (see module docstring).

    Output is captured to temporary files; the last ``keep_output`` characters are kept.
    """
    can_sample = Path("/proc/self/status").exists()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        peak = [0]
        killed: list[str] = []
        done = threading.Event()

        def watch() -> None:
            while not done.wait(interval):
                rss = tree_memory(proc.pid) if can_sample else 0
                peak[0] = max(peak[0], rss)
                reason = None
                if mem_cap is not None and rss > mem_cap:
                    reason = f"memory cap: {rss / GB:.1f} GB > {mem_cap / GB:.1f} GB (process tree, PSS)"
                elif timeout is not None and time.perf_counter() - t0 > timeout:
                    reason = f"timeout: over {timeout:.0f} s"
                if reason:
                    killed.append(f"{reason} after {time.perf_counter() - t0:.0f} s")
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        watcher.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        # anything left in the group (a grandchild the step did not wait for) is ended too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0)
        err.seek(0)
        maxrss = ru.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        return Measured(
            cmd=[str(c) for c in cmd],
            wall=wall,
            user=ru.ru_utime,
            sys=ru.ru_stime,
            maxrss=maxrss,
            tree_rss=peak[0] if can_sample else None,
            returncode=proc.returncode,
            load_before=load_before,
            load_after=os.getloadavg()[0],
            killed=killed[0] if killed else None,
            stdout=out.read()[-keep_output:],
            stderr=err.read()[-keep_output:],
        )


def svsna_cmd(*args: str) -> list[str]:
    """The ``svsna`` command of this environment (the console script beside the interpreter)."""
    exe = Path(sys.executable).with_name("svsna")
    return [str(exe) if exe.exists() else "svsna", *args]


def git_commit() -> str:
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "src", "bench")
    dirty = " + uncommitted changes" if changed else ""
    return f"{commit} ({branch}){dirty}"


def versions(*modules: str) -> str:
    from importlib import metadata

    parts = [f"Python {platform.python_version()}"]
    for m in modules:
        try:
            parts.append(f"{m} {metadata.version(m)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{m} (not installed)")
    return ", ".join(parts)


def speed_probe(rounds: int = 3) -> float:
    """CPU seconds of a fixed pure-Python loop (the median of ``rounds``): how fast this machine is now.

    The reference machine's speed has moved a lot between spells and between machines of the same
    kind (0.82-1.27 s for this loop on 2026-12-02/03, 0.39 s on the machine of the 2026-12-03 evening
    session), so each recorded result says it beside its times.

    >>> 0 < speed_probe(rounds=1) < 60
    True
    """
    times = []
    for _ in range(rounds):
        start = time.process_time()
        sum(i * i for i in range(10**7))
        times.append(time.process_time() - start)
    return sorted(times)[len(times) // 2]


def machine() -> str:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f", {int(line.split()[1]) / 1024**2:.0f} GB memory"
    except OSError:
        pass
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = f" ({line.split(':', 1)[1].strip()})"
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs{model}{mem}, {platform.system()} {platform.release()}; "
        f"speed probe {speed_probe():.2f} s (`_harness.speed_probe`)"
    )


def now() -> str:
    return f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"


def command_line() -> str:
    """The command that is running, as one would type it from the repository root."""
    script = Path(sys.argv[0])
    if script.is_absolute() and script.is_relative_to(REPO):
        script = script.relative_to(REPO)
    return " ".join(["uv run python", str(script), *sys.argv[1:]])


def append_result(path: Path, header: str, block: str) -> None:
    """Append ``block`` to the results file ``path`` (written with ``header`` first if new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(header.rstrip() + "\n", encoding="utf-8")
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n" + block.rstrip() + "\n")


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "–"
    return f"{n / GB:.2f} GB" if n >= GB else f"{n / 1024**2:.0f} MB"


def scale_label(scale: float) -> str:
    return f"{scale:g}x"


def ensure_partnership(
    work: Path, scale: float, *, seed: int | None = None, mem_cap: int | None = None
) -> tuple[Path, dict]:
    """``<work>/scale-<s>/area.yaml`` with an ingested warehouse, made by ``svsna synth`` and
    ``svsna ingest --demo`` (fresh processes) when it is not there yet. Returns the area file and the
    two steps' measurements (empty when the partnership already existed)."""
    folder = work / f"scale-{scale:g}"
    area = folder / "area.yaml"
    done = folder / ".bench-ingested"
    steps: dict[str, Measured] = {}
    if done.exists():
        return area, steps
    folder.parent.mkdir(parents=True, exist_ok=True)
    if not area.exists():
        args = ["synth", "--out", str(folder), "--scale", f"{scale:g}"]
        if seed is not None:
            args += ["--seed", str(seed)]
        print(f"  synth {scale:g}x -> {folder}", flush=True)
        m = run_measured(svsna_cmd(*args), mem_cap=mem_cap)
        steps["synth"] = m
        if not m.ok:
            raise SystemExit(f"svsna synth failed ({m.killed or m.returncode}): {m.stderr[-800:]}")
    print(f"  ingest {scale:g}x", flush=True)
    m = run_measured(svsna_cmd("ingest", "--area", str(area), "--demo", "-q"), mem_cap=mem_cap)
    steps["ingest"] = m
    if not m.ok:
        raise SystemExit(f"svsna ingest failed ({m.killed or m.returncode}): {m.stderr[-800:]}")
    done.write_text(now() + "\n", encoding="utf-8")
    return area, steps
