"""Every command that reads an area file takes it the same way: ``--area`` or ``-a`` (issue 13:
``report`` did not take ``-a`` like ``ingest`` and ``assess``)."""

from __future__ import annotations

import itertools

import typer.main

from svsna.cli import app


def test_every_area_option_is_area_or_a():
    group = typer.main.get_command(app)
    seen = {}
    for name, command in group.commands.items():
        for sub_name, sub in getattr(command, "commands", {name: command}).items():
            for param in sub.params:
                if param.name == "area":
                    seen[f"{name} {sub_name}" if sub is not command else name] = sorted(param.opts)
    assert {"ingest", "assess", "report", "check", "serve"} <= set(seen)
    assert all(opts == ["--area", "-a"] for opts in seen.values()), seen


def test_every_command_with_progress_bars_takes_quiet_the_same_way():
    """``svsna assess -q`` failed with "No such option: -q" while ingest, report and demo took it."""
    group = typer.main.get_command(app)
    quiet = {
        name: (tuple(sorted(p.opts)), p.help)
        for name, command in group.commands.items()
        for p in command.params
        if p.name == "quiet"
    }
    assert {"check", "ingest", "assess", "report", "demo"} <= set(quiet)
    assert len(set(quiet.values())) == 1 and next(iter(quiet.values()))[0] == ("--quiet", "-q"), quiet


def test_assess_quiet_prints_no_progress_bar_but_keeps_its_summary(tmp_path, monkeypatch):
    import secrets

    from tests.public.partnership import write
    from typer.testing import CliRunner

    area = write(tmp_path / "mv")
    monkeypatch.setenv("SVSNA_PSEUDONYM_KEY", secrets.token_hex(32))
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "-a", str(area), "-q"]).exit_code == 0
    res = runner.invoke(app, ["assess", "-a", str(area), "-q"])
    assert res.exit_code == 0, res.output
    assert "wrote" in res.output and "indicator rows" in res.output
    assert "assessing" not in res.output and "━" not in res.output


def test_a_bad_area_file_is_one_line_naming_every_problem(tmp_path, monkeypatch, capsys):
    """The area file's validation problems were on lines after the first, and the CLI prints a
    fault's first line only: "2 problem(s) in the area configuration:" and nothing else. Each
    problem, with its setting and the value found, is now on that one line, with the hint."""
    import sys

    import pytest

    from svsna.cli import main

    area = tmp_path / "area.yaml"
    area.write_text("nmae: Marshfield and the Vale\nperiods: 3\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["svsna", "assess", "--area", str(area)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 3
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: {area}: 3 problems in the area configuration:")
    assert "name: Field required" in line
    assert "unknown setting 'nmae' (did you mean 'name'?)" in line
    assert "unknown setting 'periods'" in line
    assert line.endswith("hint: see docs/area-config.md for every setting and an example")


def _help_paths():
    group = typer.main.get_command(app)
    yield []
    for name, command in group.commands.items():
        yield [name]
        for sub in getattr(command, "commands", {}):
            yield [name, sub]


def test_help_paragraphs_are_reflowed_to_the_terminal_not_broken_at_the_docstrings_lines():
    """At 80 columns ``svsna demo --help`` read "... loads them / (with a / row ledger), runs every
    ... and the / public executive summary ...": the docstring's own line breaks were kept and the
    terminal wrapped each line again. Every line of a command's description that is not the last of
    its paragraph now fills most of the width."""
    from typer.testing import CliRunner

    runner = CliRunner()
    checked = 0
    for path in _help_paths():
        res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80", "TERM": "dumb"}, terminal_width=80)
        assert res.exit_code == 0, (path, res.output)
        lines = res.output.splitlines()
        start = next(i for i, line in enumerate(lines) if "Usage:" in line) + 1
        end = next(i for i, line in enumerate(lines) if line.lstrip().startswith(("╭", "+-", "Options")))
        body = [line.strip() for line in lines[start:end]]
        for here, after in itertools.pairwise(body):
            if here and after:  # not the last line of its paragraph
                checked += 1
                assert len(here) >= 55, (path, here, after)
    assert checked >= 10


def test_debug_is_taken_after_the_command_too(tmp_path, monkeypatch, capsys):
    """``svsna check --debug -a x`` was a usage error ("No such option: --debug"); users append it
    to the command that failed. It is now taken anywhere on the line, and prints the traceback."""
    import sys

    import pytest

    import svsna.cli
    from svsna.cli import main

    for args in (["check", "--debug"], ["users", "list", "--debug"], ["--debug", "check"]):
        monkeypatch.setitem(svsna.cli._DEBUG, "on", False)
        monkeypatch.setattr(sys, "argv", ["svsna", *args, "-a", str(tmp_path / "nope.yaml")])
        with pytest.raises(SystemExit) as exc:
            main()
        err = capsys.readouterr().err
        assert exc.value.code == 3, (args, err)
        assert "Traceback" in err and err.strip().splitlines()[-1].startswith("error: "), args


def _help(*path: str, width: int = 80) -> str:
    from typer.testing import CliRunner

    res = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(width), "TERM": "dumb"}, terminal_width=width)
    assert res.exit_code == 0, res.output
    return " ".join(res.output.replace("│", " ").split())


def test_every_pipeline_command_lists_its_exit_codes_in_its_help():
    """Only ``report --help`` gave its exit codes; that ``check`` exits 4 when any row would be
    rejected (while ``ingest`` loads the good rows and exits 0) was in the module docstring only."""
    for command in ("check", "ingest", "assess", "report"):
        text = _help(command)
        assert "Exit codes: 0 " in text, command
        for code in ("3 ", "5 ", "8 "):
            assert code in text.split("Exit codes:")[1], (command, code)
    assert "4 when any row would be rejected" in _help("check")


def test_no_option_name_is_cut_at_80_columns():
    """At 80 columns ``serve --help`` showed ``--session-idle-minu…``."""
    group = typer.main.get_command(app)
    for path in _help_paths():
        command = group
        for part in path:
            command = command.commands[part]
        text = _help(*path)
        for param in command.params:
            if param.param_type_name == "option":
                for opt in param.opts:
                    assert opt in text, (path, opt)


def test_check_and_assess_refuse_the_report_settings_before_any_work(tmp_path, monkeypatch, capsys):
    """An unknown ``disclosure.rules``, an unknown ``report.commentary`` section and a missing
    ``report.logo`` passed ``check`` and ``assess``; only ``report`` refused them, at its end
    (review finding 6). ``check`` and ``assess`` now refuse them first, with report's message and
    exit code (``assess`` before looking at the warehouse: nothing was ingested here)."""
    import secrets
    import sys

    import pytest
    import yaml
    from tests.public.partnership import write

    from svsna.cli import main

    monkeypatch.setenv("SVSNA_PSEUDONYM_KEY", secrets.token_hex(32))
    monkeypatch.setenv("COLUMNS", "300")
    area = write(tmp_path / "mv", rules="nhsd_2019")
    settings = yaml.safe_load(area.read_text())

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["svsna", *args, "-a", str(area)])
        with pytest.raises(SystemExit) as exc:
            main()
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1, err
        return int(exc.value.code), err[0]

    for command in ("check", "assess"):
        code, line = run(command)
        assert code == 3, (command, line)
        assert "disclosure.rules: unknown disclosure rule set 'nhsd_2019'" in line
        assert "; hint: choose one of fewer_than_10" in line

    settings["disclosure"]["rules"] = "nhsd_2018"
    settings["report"] = {"commentary": {"nosuchsection": "hello"}}
    area.write_text(yaml.safe_dump(settings))
    for command in ("check", "assess"):
        code, line = run(command)
        assert code == 3 and "report.commentary: unknown section(s) ['nosuchsection']" in line, (command, line)

    settings["report"] = {"logo": "nologo.png"}
    area.write_text(yaml.safe_dump(settings))
    for command in ("check", "assess"):
        code, line = run(command)
        assert code == 5 and "nologo.png: report.logo not found; hint: " in line, (command, line)


def test_printed_paths_and_commands_are_whole_lines_that_can_be_copied(tmp_path, monkeypatch):
    """At 80 columns rich wrapped ``ledger: /long/path`` and ``wrote ... to /long/path`` mid-path,
    and report's missing-assessment hint said ``svsna assess --area <area.yaml>`` (review finding 16)."""
    import secrets

    from tests.public.partnership import write
    from typer.testing import CliRunner

    area = write(tmp_path / ("a-folder-name-long-enough-to-wrap-" * 2) / "mv")
    monkeypatch.setenv("SVSNA_PSEUDONYM_KEY", secrets.token_hex(32))
    runner = CliRunner()
    env = {"COLUMNS": "60"}
    res = runner.invoke(app, ["ingest", "-a", str(area), "-q"], env=env)
    assert res.exit_code == 0, res.output
    out = area.parent / "output"
    lines = res.output.splitlines()
    assert f"ledger: {out / 'restricted' / 'ledger.csv'}" in lines, res.output
    res = runner.invoke(app, ["report", "-a", str(area), "-q", "--no-pdf"], env=env)
    assert getattr(res.exception, "exit_code", None) == 5, res.output  # main() prints it as one line
    assert f"run `svsna assess --area {area}` first" in str(res.exception)
    res = runner.invoke(app, ["assess", "-a", str(area), "-q"], env=env)
    assert res.exit_code == 0, res.output
    assert any(line.endswith(f"to {out / 'restricted'}") for line in res.output.splitlines()), res.output


def test_summaries_go_to_stdout_progress_and_notes_to_stderr(tmp_path, monkeypatch):
    """ingest drew its progress bar on standard output, assess printed its summary on standard
    error only, and said "(warehouse table suspects absent)" (review findings 17, 19)."""
    import secrets

    from tests.public.partnership import write
    from typer.testing import CliRunner

    area = write(tmp_path / "mv")
    monkeypatch.setenv("SVSNA_PSEUDONYM_KEY", secrets.token_hex(32))
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", "-a", str(area)], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    assert "Row ledger" in res.stdout and "━" not in res.stdout.split("Row ledger")[0]
    assert "10/10" in res.stderr  # the bar, one step per source
    res = runner.invoke(app, ["assess", "-a", str(area), "-q"], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    assert "indicator rows" in res.stdout and "indicator rows" not in res.stderr
    assert "section surveys" in res.stderr and "not among the inputs of the last ingest" in res.stderr
    assert "warehouse table" not in res.output


def test_serve_on_a_port_in_use_is_one_line_and_prints_no_address(tmp_path, monkeypatch, capsys):
    """``svsna serve --port 8765`` with the port taken printed the address as if serving, then
    uvicorn's "[Errno 98] address already in use", and exited 3 (review finding 19)."""
    import socket
    import sys

    import pytest

    from svsna.cli import main

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        monkeypatch.setattr(sys, "argv", ["svsna", "serve", "-a", str(tmp_path / "area.yaml"), "--port", str(port)])
        with pytest.raises(SystemExit) as exc:
            main()
    finally:
        taken.close()
    out = capsys.readouterr()
    assert exc.value.code == 2
    assert out.err.strip() == f"error: port {port} is in use on 127.0.0.1; hint: choose another --port"
    assert "http" not in out.out + out.err
