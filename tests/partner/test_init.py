"""``svsna init DIR``: a commented area.yaml and blank extract templates, and its faults.

What the templates must hold is read from the data contracts and the code lists (the single
source of column names, types and codes), never from the template module itself.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from svsna.cells import FORMULA_TRIGGERS
from svsna.cli import main
from svsna.codelists import load_codelist
from svsna.config import AreaConfig, load_area_config
from svsna.sources.contracts import load_contracts

DOC = Path(__file__).resolve().parents[2] / "docs" / "area-config.md"


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["svsna", *args])
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    from svsna.cli.init import init_folder

    folder = tmp_path_factory.mktemp("init") / "severn-vale"
    init_folder(folder, name="Severn Vale Community Safety Partnership")
    return folder


# ----------------------------------------------------------------------------------- area.yaml


def test_init_writes_owner_only_files_in_an_owner_only_folder(monkeypatch, capsys, tmp_path):
    folder = tmp_path / "new" / "partnership"
    code, out, err = _run(monkeypatch, capsys, "init", str(folder), "--name", "Severn Vale CSP")
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["area.yaml", "extracts.xlsx"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for p in folder.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
    assert "svsna check --area" in out
    assert load_area_config(folder / "area.yaml").name == "Severn Vale CSP"


def test_area_yaml_loads_as_written_with_the_documented_defaults(made):
    cfg = load_area_config(made / "area.yaml")
    defaults = AreaConfig(name="x")
    assert cfg.name == "Severn Vale Community Safety Partnership"
    for setting in (
        "geography_levels",
        "definitions",
        "age_focus_under",
        "night_time_economy",
        "rate_multiplier",
        "confidence",
        "events",
        "output",
        "workspace",
        "disclosure",
        "pseudonymisation",
    ):
        assert getattr(cfg, setting) == getattr(defaults, setting), setting
    assert len(cfg.financial_years) == 3 and cfg.baseline_year == cfg.financial_years[0]
    assert cfg.financial_years == list(range(cfg.financial_years[0], cfg.financial_years[0] + 3))
    # the two required sources point at their template sheets; the rest start commented out
    assert {k: str(v) for k, v in cfg.inputs.items()} == {
        "geography": "extracts.xlsx#geography",
        "offences": "extracts.xlsx#offences",
    }


def test_every_setting_is_in_area_yaml_after_a_comment_that_points_at_the_docs(made):
    text = (made / "area.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    documented = set(re.findall(r"^\| `([a-z_]+)(?:\.[a-z_]+)?` \|", DOC.read_text(encoding="utf-8"), re.M))
    for name in AreaConfig.model_fields:
        if name == "base_dir":
            continue
        assert name in documented, f"{name} is not in docs/area-config.md"
        at = [i for i, ln in enumerate(lines) if re.match(rf"^(# )?{name}:", ln)]
        assert at, f"setting {name!r} is missing from area.yaml"
        assert lines[at[0] - 1].startswith("#"), f"setting {name!r} has no comment above it"
    assert "docs/area-config.md" in text
    # every top-level setting that is set (not commented out) follows a comment line
    for i, ln in enumerate(lines):
        if re.match(r"^[a-z_]+:", ln):
            assert lines[i - 1].startswith("#") or lines[i - 1].startswith("  "), ln


def test_a_setting_init_has_no_words_for_is_listed_with_its_default():
    """A setting added to AreaConfig later still appears (commented out, at its default)."""
    from pydantic import BaseModel, Field

    from svsna.sources.templates import area_yaml_text

    class Later(BaseModel):
        max_rows: int = 5
        mode: str = "strict"

    class Newer(AreaConfig):
        later: Later = Field(default_factory=Later, description="Something a later version adds.")
        flags: list[str] = Field(default_factory=list)

    text = area_yaml_text("P", model=Newer)
    lines = text.splitlines()
    at = lines.index("# later: {max_rows: 5, mode: strict}")
    assert lines[at - 1].startswith("# Something a later version adds.") and "docs/area-config.md" in lines[at - 1]
    assert "# flags:" in lines
    assert Newer.model_validate(yaml.safe_load(text)).later == Later()


def test_area_yaml_never_holds_a_key(made, tmp_path, monkeypatch):
    """The key instructions name a variable or a file; a key in the environment is not copied in."""
    from svsna.cli.init import init_folder

    secret = "9f" * 32
    monkeypatch.setenv("SVSNA_PSEUDONYM_KEY", secret)
    init_folder(tmp_path / "p", name="P")
    for text in ((tmp_path / "p" / "area.yaml").read_text(), (made / "area.yaml").read_text()):
        assert secret not in text
        assert not re.search(r"[0-9a-f]{32}", text), "something key-like was written"
        settings = yaml.safe_load(text)["pseudonymisation"]
        assert settings == {"key_env": "SVSNA_PSEUDONYM_KEY"}
        assert "NEVER GOES IN THIS FILE" in text and "token_hex" in text


# ------------------------------------------------------------------------------------ workbook


@pytest.fixture(scope="module")
def book(made):
    return openpyxl.load_workbook(made / "extracts.xlsx")


def test_workbook_has_notes_a_sheet_per_source_and_the_codes(book):
    assert book.sheetnames == ["notes", *load_contracts(), "codes"]


@pytest.mark.parametrize("source", list(load_contracts()))
def test_each_source_sheet_has_the_contract_header_and_no_rows(made, book, source):
    contract = load_contracts()[source]
    ws = book[source]
    assert [c.value for c in ws[1]] == [f.name for f in contract.fields]
    frame = pd.read_excel(made / "extracts.xlsx", sheet_name=source, dtype=str)
    assert len(frame) == 0, "a blank template must read as a header with no rows"


def _codes_in_range(book, ref: str) -> list[str]:
    sheet, cells = ref.split("!")
    first, last = (int(x) for x in re.findall(r"\$(\d+)", cells))
    col = re.match(r"\$([A-Z]+)\$", cells).group(1)
    return [str(book[sheet.strip("'")][f"{col}{r}"].value) for r in range(first, last + 1)]


@pytest.mark.parametrize("source", list(load_contracts()))
def test_coded_and_yes_no_columns_offer_exactly_the_contract_codes(book, source):
    contract = load_contracts()[source]
    ws = book[source]
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_column[openpyxl.utils.get_column_letter(rng.min_col)] = dv
    for i, f in enumerate(contract.fields, start=1):
        letter = openpyxl.utils.get_column_letter(i)
        if f.type == "code":
            expected = list(f.allowed) if f.allowed is not None else list(load_codelist(f.codes)["code"])
        elif f.type == "boolean":
            expected = ["Y", "N"]
        else:
            assert letter not in by_column, f"{f.name} has a drop-down but no code list"
            continue
        dv = by_column[letter]
        assert dv.type == "list" and dv.allow_blank
        assert _codes_in_range(book, dv.formula1) == expected, f.name
        assert str(dv.sqref) == f"{letter}2:{letter}100000"


def test_notes_sheet_explains_every_column_and_what_happens_to_bad_rows(made):
    notes = pd.read_excel(made / "extracts.xlsx", sheet_name="notes", header=None, dtype=str).fillna("")
    text = " ".join(notes.to_numpy().ravel())
    assert "rejects.csv" in text and "rejected" in text and "ledger" in text
    assert "DD/MM/YYYY" in text
    header_row = notes.index[notes[0] == "sheet"][0]
    table = notes.iloc[header_row + 1 :]
    listed = {(s, c) for s, c in zip(table[0], table[1], strict=True) if c}
    for source, contract in load_contracts().items():
        for f in contract.fields:
            assert (source, f.name) in listed, (source, f.name)
    required = dict(zip(zip(table[0], table[1], strict=True), table[2], strict=True))
    assert required[("offences", "ho_code")] == "yes" and required[("offences", "weapon_flag")] == "no"


def test_no_cell_of_the_workbook_is_a_formula(book):
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert not cell.value.lstrip(" \u00a0").startswith(FORMULA_TRIGGERS), (
                        f"{ws.title}!{cell.coordinate}: {cell.value[:40]!r}"
                    )


# -------------------------------------------------------------------------------------- faults


def test_a_folder_that_is_not_empty_is_refused_in_one_line_with_exit_code_2(monkeypatch, capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = _run(monkeypatch, capsys, "init", str(tmp_path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "is not empty" in err and "--force" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_force_writes_into_a_folder_and_leaves_other_files_alone(monkeypatch, capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "area.yaml").write_text("name: old\n")
    code, _, err = _run(monkeypatch, capsys, "init", str(tmp_path), "--force", "--name", "New")
    assert code == 0, err
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert load_area_config(tmp_path / "area.yaml").name == "New"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".svsna-tmp-")]


def test_a_file_where_the_folder_should_be_is_a_file_system_fault(monkeypatch, capsys, tmp_path):
    target = tmp_path / "area"
    target.write_text("x")
    code, _, err = _run(monkeypatch, capsys, "init", str(target))
    assert code == 8 and "is a file, not a folder" in err and len(err.strip().splitlines()) == 1
    code, _, err = _run(monkeypatch, capsys, "init", str(target / "below"))
    assert code == 8 and "is a file, not a folder" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere: permissions cannot be tested")
def test_a_folder_without_write_permission_is_a_file_system_fault(monkeypatch, capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = _run(monkeypatch, capsys, "init", str(locked / "new"))
        assert code == 8 and "permission denied" in err
        code, _, err = _run(monkeypatch, capsys, "init", str(locked), "--force")
        assert code == 8 and "permission denied" in err
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc (Linux)")
def test_a_folder_that_cannot_be_created_is_a_file_system_fault(monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, "init", "/proc/svsna-cannot-create-this")
    assert code == 8 and "cannot create the folder" in err and len(err.strip().splitlines()) == 1


def test_force_keeps_a_filled_in_workbook_and_an_edited_area_file_as_dated_backups(monkeypatch, capsys, tmp_path):
    """``init --force`` overwrote a filled-in extracts.xlsx and an edited area.yaml without a copy
    (review finding 3). Each file that differs from what init writes is now moved aside first."""
    code, _, err = _run(monkeypatch, capsys, "init", str(tmp_path / "p"), "--name", "P")
    assert code == 0, err
    folder = tmp_path / "p"
    book = openpyxl.load_workbook(folder / "extracts.xlsx")
    book["offences"].append(["TV/1", "2024-05-01"])
    book.save(folder / "extracts.xlsx")
    edited = (folder / "area.yaml").read_text() + "# my note\n"
    (folder / "area.yaml").write_text(edited)

    code, out, err = _run(monkeypatch, capsys, "init", str(folder), "--force", "--name", "P")
    assert code == 0, err
    backups = sorted(p.name for p in folder.iterdir() if ".bak-" in p.name)
    # the stamp goes before the extension: a kept workbook still opens in Excel
    assert len(backups) == 2 and all(re.search(r"\.bak-\d{8}-\d{4,6}\.(yaml|xlsx)$", b) for b in backups), backups
    kept = {b.split(".bak-")[0] + "." + b.rsplit(".", 1)[1]: folder / b for b in backups}
    assert kept["area.yaml"].read_text() == edited
    assert openpyxl.load_workbook(kept["extracts.xlsx"])["offences"].max_row == 2
    assert openpyxl.load_workbook(folder / "extracts.xlsx")["offences"].max_row == 1
    for b in backups:
        assert b in out  # the user is told where the old file went
        assert stat.S_IMODE((folder / b).stat().st_mode) == 0o600


def test_force_makes_no_backup_of_a_file_init_would_write_the_same(monkeypatch, capsys, tmp_path):
    folder = tmp_path / "p"
    assert _run(monkeypatch, capsys, "init", str(folder), "--name", "P")[0] == 0
    code, _, err = _run(monkeypatch, capsys, "init", str(folder), "--force", "--name", "P")
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["area.yaml", "extracts.xlsx"]
