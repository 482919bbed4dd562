"""`svsna report` end to end, and the HTML in headless Chromium: rendered, and checked by axe-core."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from svsna.indicators import findings_to_json

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _area(tmp_path: Path, assessment) -> Path:
    from tests.outputs.conftest import TINY_REPORT, tiny_ledger

    out = tmp_path / "output" / "restricted"
    out.mkdir(parents=True)
    assessment.indicators.to_csv(out / "indicators.csv", index=False)
    (out / "findings.json").write_text(findings_to_json(assessment.findings), encoding="utf-8")
    tiny_ledger().to_csv(out / "ledger.csv", index=False)
    area = tmp_path / "area.yaml"
    area.write_text(
        yaml.safe_dump(
            {
                "name": "Testshire",
                "short_name": "TS",
                "financial_years": [2019, 2020],
                "latest": {"start": "2021-04-01", "end": "2021-09-30"},
                "output": "output",
                "report": TINY_REPORT,
            }
        ),
        encoding="utf-8",
    )
    return area


def test_cli_report_writes_and_prints_every_output(tmp_path, tiny_assessment):
    from svsna.cli import app

    area = _area(tmp_path, tiny_assessment)
    before = (tmp_path / "output" / "restricted" / "indicators.csv").read_bytes()
    result = CliRunner().invoke(app, ["report", "--area", str(area), "--no-pdf"], terminal_width=200)
    assert result.exit_code == 0, result.output
    out = tmp_path / "output"
    expected = {
        "restricted": ("sna-full.html", "sna-tables.xlsx", "indicators.parquet", "report-metadata.json"),
        "public": ("sna-summary.html", "sna-public-tables.xlsx", "indicators-public.csv", "release.json"),
    }
    for folder, names in expected.items():
        for name in names:
            assert (out / folder / name).is_file()
            assert str(out / folder / name) in result.stdout
    assert not (out / "restricted" / "sna-full.pdf").exists()  # --no-pdf
    # the assessment's own indicators.csv is left as it was, and not listed as if report wrote it
    assert (out / "restricted" / "indicators.csv").read_bytes() == before
    assert str(out / "restricted" / "indicators.csv") not in result.output
    assert len(list((out / "history").iterdir())) == 1
    assert (out / "history").stat().st_mode & 0o777 == 0o700  # made with the run's folder, owner-only too
    # readable labels (not the dictionary keys), each under its tier: what may be published and what not
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.split(":")[0] in ("full_html", "public_pdf", "indicators_parquet")]
    public = next(i for i, line in enumerate(lines) if "safe to publish" in line)
    restricted = next(i for i, line in enumerate(lines) if "restricted" in line.lower() and "not" in line.lower())
    summary = next(line for line in lines if str(out / "public" / "sna-summary.html") in line)
    full = next(line for line in lines if str(out / "restricted" / "sna-full.html") in line)
    assert summary.split(str(out))[0].strip() == "Public executive summary"
    assert full.split(str(out))[0].strip() == "Full SNA"
    assert (lines.index(summary) > public) and (lines.index(full) > restricted)
    assert (lines.index(summary) < restricted) == (public < restricted)
    assert "done in" in result.stdout and "done in" not in result.stderr


def test_cli_report_without_an_assessment_says_what_to_run(tmp_path):
    area = tmp_path / "area.yaml"
    area.write_text("name: Testshire\nfinancial_years: [2020]\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(
        ["uv", "run", "svsna", "report", "--area", str(area)], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 5, proc.stderr
    assert "svsna assess" in proc.stderr


def test_cli_report_rejects_an_unknown_commentary_section(tmp_path, tiny_assessment):
    from svsna.cli import app

    area = _area(tmp_path, tiny_assessment)
    raw = yaml.safe_load(area.read_text(encoding="utf-8"))
    raw["report"]["commentary"] = {"extnet": "typo"}
    area.write_text(yaml.safe_dump(raw), encoding="utf-8")
    from svsna.errors import ConfigError

    result = CliRunner().invoke(app, ["report", "--area", str(area), "--no-pdf"], terminal_width=200)
    assert isinstance(result.exception, ConfigError) and result.exception.exit_code == 3
    assert "extnet" in str(result.exception)


def _need_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI")
        pytest.skip("/usr/bin/chromium not installed")


def _axe(path: Path) -> list[dict]:
    """axe-core's violations for a local HTML file in headless Chromium (no network)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort(),
            )
            page.goto(path.as_uri())
            page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        finally:
            browser.close()
    return result["violations"]


@pytest.mark.browser
@pytest.mark.parametrize("edition", ["public_html", "full_html"])
def test_axe_finds_no_serious_accessibility_problem_in_the_demo(demo, edition):
    _need_chromium()
    violations = _axe(getattr(demo.paths, edition))
    bad = [(v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, bad


@pytest.mark.browser
def test_chromium_renders_the_public_summary(tiny, tmp_path):
    _need_chromium()
    shot = tmp_path / "page.png"
    cmd = [
        str(CHROMIUM),
        "--headless",
        *LAUNCH_ARGS,
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,4000",
        tiny.paths.public_html.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert shot.is_file(), proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 4000)
    assert len(data) > 50_000  # a blank page compresses to a few kB; text and tables do not


def _write_basis(area: Path, ingest_run: str | None = None) -> None:
    """assessment.json as `svsna assess` writes it: the settings of ``area`` and the ingest run."""
    import json

    from svsna.config import load_area_config

    basis = {"settings": load_area_config(area).analysis_settings(), "ingest_run": ingest_run}
    manifest = area.parent / "output" / "restricted" / "assessment.json"
    manifest.write_text(json.dumps({"definitions": ["llr_vrn"], "basis": basis}), encoding="utf-8")


def test_cli_report_refuses_an_assessment_made_with_other_settings(tmp_path, tiny_assessment):
    """The report labels figures from area.yaml: after the baseline year changes, the old assessment's
    changes against 2019/20 would be printed as changes against 2020/21 (exit 3, nothing written)."""
    from svsna.cli import app
    from svsna.errors import ConfigError

    area = _area(tmp_path, tiny_assessment)
    raw = yaml.safe_load(area.read_text(encoding="utf-8"))
    raw["baseline_year"] = 2019
    area.write_text(yaml.safe_dump(raw), encoding="utf-8")
    _write_basis(area)
    raw["baseline_year"] = 2020
    area.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "--area", str(area), "--no-pdf"], terminal_width=200)
    assert isinstance(result.exception, ConfigError) and result.exception.exit_code == 3
    message = str(result.exception)
    assert "baseline_year '2019' then, '2020' now" in message and "svsna assess" in message
    assert not (tmp_path / "output" / "public").exists()
    # set back: the same assessment reports
    raw["baseline_year"] = 2019
    area.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "--area", str(area), "--no-pdf"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "does not say which settings" not in result.output


def test_cli_report_warns_when_the_assessment_does_not_say_what_it_was_made_from(tmp_path, tiny_assessment):
    from svsna.cli import app

    area = _area(tmp_path, tiny_assessment)  # no assessment.json: written by hand, or by an older svsna
    result = CliRunner().invoke(app, ["report", "--area", str(area), "--no-pdf"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "does not say which settings and data the assessment was made from" in result.output


def test_a_report_refuses_an_assessment_of_data_ingested_before_the_warehouse_s(tmp_path, tiny_assessment):
    """A re-ingest after the assessment: the report would print the old figures beside the new ledger."""
    from svsna.config import load_area_config
    from svsna.errors import MissingInputError
    from svsna.outputs.report import assessment_inputs, check_assessment_basis

    area = _area(tmp_path, tiny_assessment)
    _write_basis(area, ingest_run="20261201T090000Z-aaaa")
    config = load_area_config(area)
    found = assessment_inputs(config.output_dir)
    assert check_assessment_basis(found, config, "20261201T090000Z-aaaa") is None
    assert check_assessment_basis(found, config, None) is None  # no warehouse here: not checked
    with pytest.raises(MissingInputError, match="made from ingest run 20261201T090000Z-aaaa, but the warehouse now"):
        check_assessment_basis(found, config, "20261203T100000Z-bbbb")
