"""Download data.police.uk monthly archives and keep one force's street-level files.

data.police.uk publishes one archive per month at
``https://data.police.uk/data/archive/YYYY-MM.zip``; each holds the previous 36
months for every force, laid out as ``YYYY-MM/YYYY-MM-<force>-street.csv``. To cover
``first``..``last`` svsna downloads the archive of ``last`` (and earlier archives only if
the range is longer than 36 months), caches it, and extracts the force's street files
in the same layout. Months already extracted are not downloaded again.

Examples
--------
>>> archives_needed("2020-04", "2022-03")
['2022-03']
>>> archives_needed("2016-01", "2022-03")
['2016-03', '2019-03', '2022-03']
>>> month_range("2021-11", "2022-02")
['2021-11', '2021-12', '2022-01', '2022-02']
"""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

from svsna.errors import ConfigError, MissingInputError

__all__ = [
    "ARCHIVE_BASE_URL",
    "ARCHIVE_MONTHS",
    "FetchError",
    "archives_needed",
    "download",
    "fetch_street_files",
    "month_range",
]

ARCHIVE_BASE_URL = "https://data.police.uk/data/archive/"
ARCHIVE_MONTHS = 36
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class FetchError(MissingInputError):
    """The archive could not be downloaded (offline, server unreachable, HTTP error)."""


def _check_month(m: str, what: str) -> None:
    if not _MONTH.match(m):
        raise ConfigError(f"{what} {m!r} is not a month; use YYYY-MM, e.g. 2020-04")


def _shift(month: str, k: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    i = y * 12 + (m - 1) + k
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive (``YYYY-MM``)."""
    _check_month(first, "--from")
    _check_month(last, "--to")
    if last < first:
        raise ConfigError(f"--to {last} is before --from {first}")
    out, m = [], first
    while m <= last:
        out.append(m)
        m = _shift(m, 1)
    return out


def archives_needed(first: str, last: str) -> list[str]:
    """The archive months whose 36-month windows cover ``first``..``last``, oldest first."""
    month_range(first, last)
    out, end = [], last
    while end >= first:
        out.append(end)
        end = _shift(end, -ARCHIVE_MONTHS)
    return sorted(out)


def download(url: str, dest: Path, retries: int = 3, backoff: float = 2.0, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``dest`` with retries and a progress bar; a cached ``dest`` is reused.

    Raises
    ------
    FetchError
        After ``retries`` failed attempts, with the reason and what to do offline.
    """
    import urllib.error
    import urllib.request

    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    last_error: Exception | None = None
    for attempt in range(1, retries + 1):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp, part.open("wb") as out:
                total = int(resp.headers.get("Content-Length") or 0) or None
                columns = (
                    TextColumn("[bold]{task.description}"),
                    BarColumn(),
                    DownloadColumn(),
                    TransferSpeedColumn(),
                    TimeRemainingColumn(),
                )
                with Progress(*columns, transient=True) as progress:
                    task = progress.add_task(dest.name, total=total)
                    while chunk := resp.read(1 << 20):
                        out.write(chunk)
                        progress.update(task, advance=len(chunk))
            part.replace(dest)
            return dest
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            last_error = exc
            part.unlink(missing_ok=True)
            if attempt < retries:
                time.sleep(backoff * attempt)
    reason = getattr(last_error, "reason", last_error)
    raise FetchError(
        f"could not download {url} after {retries} attempt(s): {reason}. "
        "You may be offline or data.police.uk may be unreachable. "
        "hint: download the archive by hand from https://data.police.uk/data/archive/ (or the force's "
        "street files from https://data.police.uk/data/) and point `svsna opendata report --data` at them"
    )


def fetch_street_files(
    force: str,
    first: str,
    last: str,
    out_dir: str | Path,
    base_url: str = ARCHIVE_BASE_URL,
    retries: int = 3,
    backoff: float = 2.0,
) -> list[Path]:
    """Make sure ``out_dir/YYYY-MM/YYYY-MM-<force>-street.csv`` exists for every month in range.

    Returns the street files, oldest first. Months missing from every archive are
    reported in the error raised at the end (data.police.uk sometimes lacks a force's month).
    """
    out_dir = Path(out_dir)
    wanted = month_range(first, last)

    def target(m: str) -> Path:
        return out_dir / m / f"{m}-{force}-street.csv"

    missing = [m for m in wanted if not target(m).exists()]
    if missing:
        base = base_url if base_url.endswith("/") else base_url + "/"
        for archive in archives_needed(missing[0], missing[-1]):
            todo = [m for m in missing if _shift(archive, -ARCHIVE_MONTHS) < m <= archive and not target(m).exists()]
            if not todo:
                continue
            zpath = download(f"{base}{archive}.zip", out_dir / "_archives" / f"{archive}.zip", retries, backoff)
            _extract(zpath, force, todo, out_dir)
    absent = [m for m in wanted if not target(m).exists()]
    if absent:
        raise MissingInputError(
            f"the data.police.uk archive has no street file for {force!r} in {', '.join(absent)} "
            "(hint: check the force name as used in file names, e.g. 'west-yorkshire')"
        )
    return [target(m) for m in wanted]


def _extract(zpath: Path, force: str, months: list[str], out_dir: Path) -> None:
    try:
        zf = zipfile.ZipFile(zpath)
    except zipfile.BadZipFile as exc:
        zpath.unlink(missing_ok=True)
        raise FetchError(
            f"{zpath}: the downloaded archive is not a valid zip file ({exc}); run the fetch again"
        ) from exc
    with zf:
        names = set(zf.namelist())
        for m in months:
            member = f"{m}/{m}-{force}-street.csv"
            if member not in names:
                continue
            dest = out_dir / member
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, dest.open("wb") as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
