"""When the public release cannot be made: a clear one-line message, a documented exit code, and
the restricted outputs still written (nothing public).

- an unknown rule set in ``area.yaml``: exit 3;
- a population that disagrees with the geography (districts that do not add up to the area): exit 4;
- a release that fails its disclosure audit: exit 4, naming the counts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from svsna.indicators import Finding, concat_indicators, findings_to_json, indicator_rows


def _table(district_residents: tuple[float, float] = (6000.0, 4000.0)) -> pd.DataFrame:
    common = {"period": "2020/21", "area": "Testshire", "definition": "llr_vrn"}
    return concat_indicators(
        [
            indicator_rows(
                section="population", indicator="residents", breakdown=["all", "district", "district"],
                breakdown_value=["all", "North", "South"], numerator=[10000.0, *district_residents],
                value=[10000.0, *district_residents], statistic="count", unit="residents", method="Count",
                period="Mid-2020", area="Testshire", definition="",
            ),
            indicator_rows(
                section="geography", indicator="area_rate", breakdown=["all", "district", "district"],
                breakdown_value=["all", "North", "South"], numerator=[60.0, 57.0, 3.0],
                denominator=[10000.0, 6000.0, 4000.0], value=[6.0, 9.5, 0.75], statistic="rate",
                unit="per 1,000 residents", method="Byar's", **common,
            ),
        ]
    )  # fmt: skip


def _area(tmp_path: Path, table: pd.DataFrame, rules: str = "nhsd_2018") -> Path:
    restricted = tmp_path / "output" / "restricted"
    restricted.mkdir(parents=True)
    table.to_parquet(restricted / "indicators.parquet", index=False)
    finding = Finding("geography", "area_rate", "Serious violence by district.", indicators=("area_rate",))
    (restricted / "findings.json").write_text(findings_to_json([finding]), encoding="utf-8")
    area = tmp_path / "area.yaml"
    area.write_text(
        f"name: Testshire\nfinancial_years: [2020]\ndisclosure: {{rules: {rules}}}\noutput: output\n", encoding="utf-8"
    )
    return area


def _svsna(args: list[str], monkeypatch, capsys) -> tuple[int, str]:
    from svsna.cli import main

    monkeypatch.setattr(sys, "argv", ["svsna", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return int(exc.value.code or 0), capsys.readouterr().err


def _written(tmp_path: Path) -> tuple[set[str], set[str]]:
    out = tmp_path / "output"
    restricted = {p.name for p in (out / "restricted").iterdir()}
    public = {p.name for p in (out / "public").iterdir()} if (out / "public").exists() else set()
    return restricted, public


@pytest.mark.parametrize("rules", ["nhsd_2018", "fewer_than_10"])
def test_the_table_releases_when_nothing_is_wrong(tmp_path, monkeypatch, capsys, rules):
    area = _area(tmp_path, _table(), rules=rules)
    code, err = _svsna(["report", "--area", str(area), "--no-pdf"], monkeypatch, capsys)
    assert code == 0, err
    restricted, public = _written(tmp_path)
    assert {"sna-full.html", "sna-tables.xlsx"} <= restricted and "release.json" in public
    pub = pd.read_parquet(tmp_path / "output" / "public" / "indicators-public.parquet").set_index(
        ["indicator", "breakdown_value"]
    )
    rate = pub.loc["area_rate"]
    assert np.isnan(rate.loc["South", "value"]) and rate.loc["all", "numerator"] == 60
    if rules == "nhsd_2018":
        # North 57 is shown as 55 (53-57) and the total 60 as 60 (58-62): South lies anywhere in 1-7
        # (58 - 57 = 1 to 62 - 53 = 9), so rounding protects it and North stays published
        assert rate.loc["North", "numerator"] == 55
        assert rate.loc["North", "value"] == pytest.approx(55 / 6000 * 1000)
    else:
        # unrounded, 60 - 57 would give South (3) back: North is withheld too
        assert np.isnan(rate.loc["North", "value"])


def test_unknown_rule_set_exit_3_restricted_still_written(tmp_path, monkeypatch, capsys):
    area = _area(tmp_path, _table(), rules="nhsd_2019")
    # --quiet: no progress bar, so stderr holds the fault's one line and nothing else
    code, err = _svsna(["report", "--area", str(area), "--no-pdf", "--quiet"], monkeypatch, capsys)
    assert code == 3
    assert "unknown disclosure rule set 'nhsd_2019'" in err and "fewer_than_10" in err and len(err.splitlines()) == 1
    restricted, public = _written(tmp_path)
    assert {"sna-full.html", "sna-tables.xlsx", "report-metadata.json"} <= restricted and not public


def test_population_that_disagrees_exit_4_restricted_still_written(tmp_path, monkeypatch, capsys):
    area = _area(tmp_path, _table(district_residents=(6000.0, 3000.0)))  # 9,000 in districts, 10,000 in all
    code, err = _svsna(["report", "--area", str(area), "--no-pdf"], monkeypatch, capsys)
    assert code == 4
    assert "adds up to 9,000 but the area's population is 10,000" in err and "restricted outputs were written" in err
    restricted, public = _written(tmp_path)
    assert "sna-full.html" in restricted and not public
    assert not (tmp_path / "output" / "history").exists()  # no empty history/ left by a failed report


def test_audit_failure_exit_4_names_the_counts(tmp_path, monkeypatch, capsys):
    """When nothing more can be withheld, the message names the count a reader can narrow down.

    Forced here under fewer_than_10 (unrounded): no count may be hidden and no breakdown left out,
    so South = 60 - 57 = 3 follows from the total. (svsna otherwise withholds North, or the whole
    breakdown, so this path is the last line of defence.)
    """
    import svsna.outputs.public
    import svsna.stats

    real = svsna.stats.protect

    def nothing_hideable(problem, **kw):
        kw["hideable"] = np.zeros(len(problem.truth), dtype=bool)
        return real(problem, **kw)

    monkeypatch.setattr(svsna.stats, "protect", nothing_hideable)
    monkeypatch.setattr(svsna.outputs.public, "_groups_holding", lambda st, failures: set())
    area = _area(tmp_path, _table(), rules="fewer_than_10")
    code, err = _svsna(["report", "--area", str(area), "--no-pdf"], monkeypatch, capsys)
    assert code == 4
    assert "disclosure audit failed" in err and "area_rate South (2020/21) (can be narrowed to 3)" in err
    restricted, public = _written(tmp_path)
    assert "sna-full.html" in restricted and not public


def test_a_failed_release_leaves_the_previous_one(tmp_path, monkeypatch, capsys):
    area = _area(tmp_path, _table())
    assert _svsna(["report", "--area", str(area), "--no-pdf"], monkeypatch, capsys)[0] == 0
    before = json.loads((tmp_path / "output" / "public" / "release.json").read_text(encoding="utf-8"))
    area.write_text(area.read_text(encoding="utf-8").replace("nhsd_2018", "nope"), encoding="utf-8")
    assert _svsna(["report", "--area", str(area), "--no-pdf"], monkeypatch, capsys)[0] == 3
    after = json.loads((tmp_path / "output" / "public" / "release.json").read_text(encoding="utf-8"))
    assert after == before


def test_a_run_without_pdfs_removes_the_earlier_pdfs(tmp_path, monkeypatch, capsys):
    """An earlier run's PDFs would disagree with this run's HTML: a --no-pdf run removes them, and
    ``release.json`` lists only what this run wrote."""
    area = _area(tmp_path, _table())
    out = tmp_path / "output"
    for stale in (out / "public" / "sna-summary.pdf", out / "restricted" / "sna-full.pdf"):
        stale.parent.mkdir(parents=True, exist_ok=True)
        stale.write_bytes(b"%PDF-1.7 an earlier run")
    assert _svsna(["report", "--area", str(area), "--no-pdf"], monkeypatch, capsys)[0] == 0
    listed = {f["name"] for f in json.loads((out / "public" / "release.json").read_text(encoding="utf-8"))["files"]}
    assert "sna-summary.pdf" not in listed and "sna-summary.html" in listed
    assert not (out / "public" / "sna-summary.pdf").exists() and not (out / "restricted" / "sna-full.pdf").exists()


def test_the_report_progress_bar_is_drawn_on_a_terminal_only(monkeypatch):
    """A log file or a pipe gets no drawn progress bar (its frames would fill the file)."""
    from svsna.cli.report import _ReportProgress

    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    with _ReportProgress() as bar:  # pytest's captured stderr is not a terminal
        bar.update("chart", "trend")
        assert bar.progress is None
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich's switch for "treat this stream as a terminal"
    with _ReportProgress() as bar:
        assert bar.progress is not None


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("findings.json", '{"broken'),  # review-cli finding 9: was "internal error: JSONDecodeError ... a bug"
        ("findings.json", '{"not": "a list"}'),
        ("indicators.parquet", "garbage"),  # was "internal error: ArrowInvalid ... a bug"
        ("assessment.json", "{broken"),  # was read as "an older svsna" that does not say its basis
    ],
)
def test_a_damaged_assessment_file_is_named_exit_7(tmp_path, monkeypatch, capsys, name, damage):
    area = _area(tmp_path, _table())
    restricted = tmp_path / "output" / "restricted"
    (restricted / name).write_text(damage, encoding="utf-8")
    code, err = _svsna(["report", "--area", str(area), "--no-pdf"], monkeypatch, capsys)
    line = " ".join(err.split())  # one fault, however the console wraps it
    assert code == 7, err
    assert str(restricted / name) in line.replace(" ", "") or str(restricted / name) in line, err
    assert "damaged" in line and "hint: run `svsna assess" in line and "again" in line, err
    assert "internal error" not in line and "bug" not in line, err
    restricted_files, public = _written(tmp_path)
    assert public == set() and "sna-full.html" not in restricted_files
    assert not (tmp_path / "output" / "history").exists()  # nothing made for a report that could not start
