"""Fetching data.police.uk archives: which archives, extraction, caching, and the offline message.

No test touches the network: the "online" case serves a hand-made archive from a
``file://`` URL and the offline case points at a closed local port (127.0.0.1:9).
"""

from __future__ import annotations

import zipfile

import pytest

from svsna.errors import ConfigError, MissingInputError
from svsna.opendata.fetch import FetchError, archives_needed, fetch_street_files, month_range


def test_archive_windows_cover_the_range():
    # each archive holds its own month and the 35 before it
    assert archives_needed("2020-04", "2022-03") == ["2022-03"]
    assert archives_needed("2019-04", "2022-03") == ["2022-03"]  # 2019-04..2022-03 is exactly 36 months
    assert archives_needed("2019-03", "2022-03") == ["2019-03", "2022-03"]
    assert len(month_range("2020-04", "2022-03")) == 24


def test_bad_months_are_config_errors():
    with pytest.raises(ConfigError, match="YYYY-MM"):
        month_range("2020-4", "2021-03")
    with pytest.raises(ConfigError, match="before"):
        month_range("2021-04", "2021-03")


def _archive(path, months, force="testshire", other="otherforce"):
    with zipfile.ZipFile(path, "w") as zf:
        for m in months:
            zf.writestr(f"{m}/{m}-{force}-street.csv", f"Crime ID,Month\nx,{m}\n")
            zf.writestr(f"{m}/{m}-{force}-outcomes.csv", "not wanted\n")
            zf.writestr(f"{m}/{m}-{other}-street.csv", "not wanted\n")


def test_fetch_extracts_only_the_force_street_files_and_caches(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    _archive(mirror / "2021-03.zip", ["2021-01", "2021-02", "2021-03"])
    out = tmp_path / "street"
    files = fetch_street_files("testshire", "2021-02", "2021-03", out, base_url=mirror.as_uri(), retries=1, backoff=0)
    assert [f.relative_to(out).as_posix() for f in files] == [
        "2021-02/2021-02-testshire-street.csv",
        "2021-03/2021-03-testshire-street.csv",
    ]
    assert files[0].read_text() == "Crime ID,Month\nx,2021-02\n"
    assert not (out / "2021-01").exists()
    assert not list(out.rglob("*otherforce*")) and not list(out.rglob("*outcomes*"))
    assert (out / "_archives" / "2021-03.zip").exists()
    # cached: with the mirror gone the same request still succeeds
    (mirror / "2021-03.zip").unlink()
    again = fetch_street_files("testshire", "2021-02", "2021-03", out, base_url=mirror.as_uri(), retries=1, backoff=0)
    assert again == files


def test_month_missing_from_the_archive_is_named(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    _archive(mirror / "2021-03.zip", ["2021-03"])
    with pytest.raises(MissingInputError, match="2021-02"):
        fetch_street_files("testshire", "2021-02", "2021-03", tmp_path / "o", base_url=mirror.as_uri(), retries=1)


def test_offline_gives_a_clear_message(tmp_path):
    with pytest.raises(FetchError) as exc:
        fetch_street_files(
            "leicestershire", "2020-04", "2020-05", tmp_path, base_url="http://127.0.0.1:9/", retries=2, backoff=0
        )
    msg = str(exc.value)
    assert "http://127.0.0.1:9/2020-05.zip" in msg
    assert "after 2 attempt(s)" in msg
    assert "offline" in msg and "hint:" in msg
    assert not list(tmp_path.rglob("*.part"))
