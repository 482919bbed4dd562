"""`svsna report` end to end, and the HTML opened in headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.outputs.conftest import FIXTURES, SHARED_LSOA
from typer.testing import CliRunner

CHROMIUM = Path("/usr/bin/chromium")


def _area(tmp_path: Path) -> Path:
    out = tmp_path / "output" / "restricted"
    out.mkdir(parents=True)
    for name in ("indicators.csv", "findings.json", "ledger.csv"):
        shutil.copy(FIXTURES / name, out / name)
    area = tmp_path / "area.yaml"
    area.write_text(
        "name: Leicester, Leicestershire and Rutland\nshort_name: LLR\nfinancial_years: [2017, 2018, 2019, 2020]\n"
        "latest: {start: 2021-04-01, end: 2021-09-30}\nprofile_period: {start: 2020-04-01, end: 2021-09-30}\n"
        "output: output\n",
        encoding="utf-8",
    )
    return area


def test_cli_report_writes_and_prints_every_output(tmp_path):
    from svsna.cli import app

    area = _area(tmp_path)
    args = ["report", "--area", str(area), "--no-pdf"]
    if SHARED_LSOA.exists():
        args += ["--boundaries", str(SHARED_LSOA)]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    out = tmp_path / "output"
    expected = {
        "restricted": ("sna-full.html", "sna-tables.xlsx", "indicators.parquet", "report-metadata.json"),
        "public": ("sna-summary.html", "sna-public-tables.xlsx", "indicators-public.csv", "release.json"),
    }
    for folder, names in expected.items():
        for name in names:
            assert (out / folder / name).is_file()
            assert str(out / folder / name) in result.output
    assert not (out / "restricted" / "sna-full.pdf").exists()  # --no-pdf
    # the assessment's own indicators.csv is left as it was
    assert (out / "restricted" / "indicators.csv").read_bytes() == (FIXTURES / "indicators.csv").read_bytes()
    assert len(list((out / "history").iterdir())) == 1


def test_cli_report_without_an_assessment_says_what_to_run(tmp_path):
    area = tmp_path / "area.yaml"
    area.write_text("name: Testshire\nfinancial_years: [2020]\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(
        ["uv", "run", "svsna", "report", "--area", str(area)], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 5, proc.stderr
    assert "svsna assess" in proc.stderr


@pytest.mark.browser
def test_chromium_renders_the_public_summary(built, tmp_path):
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI")
        pytest.skip("/usr/bin/chromium not installed")
    shot = tmp_path / "page.png"
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,4000",
        built.public_html.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert shot.is_file(), proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 4000)
    assert len(data) > 50_000  # a blank page compresses to a few kB; charts and text do not
