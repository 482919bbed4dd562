"""Exceptions raised by svsna, each carrying a message fit for an analyst.

Every fault the CLI reports is one line: what went wrong (file, row, column, value and
rule where they apply), then ``hint:`` and what to do. Tracebacks are printed only with
``svsna --debug``.

Exit codes used by the CLI (scripts may rely on them):

====  =====================================================================
0     success
1     unexpected internal error (a bug: please report it, with ``--debug``)
2     usage error (bad command-line options)
3     configuration error (``area.yaml``, definitions, keys)
4     input data error (a file cannot be read or fails its contract), or
      the public release failed its disclosure audit
5     a required input is missing
6     the workspace is busy (another svsna run holds its lock)
7     the warehouse cannot be used (its last ingest did not complete, or
      the file is damaged), or an assessment file ``svsna report`` reads
      is damaged
8     a file-system fault (disk full, read-only or permission denied)
====  =====================================================================

Examples
--------
>>> ConfigError("bad key").exit_code, WorkspaceBusyError("x").exit_code
(3, 6)
>>> str(InputDataError("offences.csv: row 7: bad date", hint="use YYYY-MM-DD"))
'offences.csv: row 7: bad date; hint: use YYYY-MM-DD'
"""

from __future__ import annotations

__all__ = [
    "EXIT_CODES",
    "ConfigError",
    "DisclosureAuditError",
    "FileSystemFault",
    "InputDataError",
    "MissingInputError",
    "SvsnaError",
    "UsageError",
    "WarehouseStateError",
    "WorkspaceBusyError",
    "os_error_message",
    "quote_value",
]

#: Exit code -> meaning (documented in README and docs/ingest.md).
EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "unexpected internal error (a bug)",
    2: "usage error",
    3: "configuration error",
    4: "input data error or disclosure audit failure",
    5: "missing input",
    6: "workspace busy",
    7: "warehouse or assessment not usable",
    8: "file-system fault",
}


def quote_value(value: object, limit: int = 60) -> str:
    """``repr``-like quoting of a value for an error message, cut to ``limit`` characters.

    >>> quote_value("abc")
    "'abc'"
    >>> quote_value("x" * 100, limit=10)
    "'xxxxxxxxxx…' (100 characters)"
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}"[:-1] + f"…' ({len(text):,} characters)"


def validation_problems(where: str, what: str, errors: list[dict], hint: str, *, most: int = 5) -> str:
    """Pydantic's validation errors as one line for an error message: each problem's place, what is
    wrong and the value found, the first ``most`` of them, then the hint (the CLI prints one line).

    >>> line = validation_problems("area.yaml", "the area configuration",
    ...     [{"loc": ("name",), "msg": "Field required", "input": {}},
    ...      {"loc": ("nmae",), "msg": "Extra inputs are not permitted", "input": "MV", "type": "extra_forbidden"}],
    ...     "see docs/area-config.md")
    >>> print(line.replace("; ", ";\\n"))
    area.yaml: 2 problems in the area configuration: name: Field required;
    unknown setting 'nmae';
    hint: see docs/area-config.md
    """
    parts = []
    for err in errors[:most]:
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(top level)"
        value = err.get("input")
        got = "" if isinstance(value, dict) or value is None else f" (got {quote_value(value, 60)})"
        msg = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        msg = msg if len(msg) <= 200 else msg[:200] + "…"
        if err.get("type") == "extra_forbidden" and msg.startswith("unknown setting"):  # names itself
            parts.append(msg)
        elif err.get("type") == "extra_forbidden":
            parts.append(f"unknown setting {loc!r}")
        else:
            parts.append(f"{loc}: {msg}{got}")
    more = f"; and {len(errors) - most} more" if len(errors) > most else ""
    noun = "problem" if len(errors) == 1 else "problems"
    return f"{where}: {len(errors)} {noun} in {what}: {'; '.join(parts)}{more}; hint: {hint}"


class SvsnaError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with.

    Parameters
    ----------
    message : str
        One line saying what went wrong and where.
    hint : str, optional
        What the user can do about it (appended as ``; hint: ...`` unless the message
        already carries a hint).
    """

    exit_code = 1

    def __init__(self, message: str = "", *, hint: str | None = None) -> None:
        if hint and "hint:" not in message:
            message = f"{message}; hint: {hint}"
        super().__init__(message)
        self.hint = hint


class UsageError(SvsnaError):
    """A command-line option has a value svsna does not know (e.g. ``--engine foo``)."""

    exit_code = 2


class ConfigError(SvsnaError):
    """A configuration file, definition or key is missing or invalid."""

    exit_code = 3


class InputDataError(SvsnaError):
    """An input file cannot be read or does not meet its data contract."""

    exit_code = 4


class DisclosureAuditError(InputDataError):
    """The public release failed its joint disclosure audit (nothing public was written)."""

    exit_code = 4


class MissingInputError(SvsnaError):
    """A required input file or warehouse table is missing."""

    exit_code = 5


class WorkspaceBusyError(SvsnaError):
    """Another svsna process holds the workspace lock."""

    exit_code = 6


class WarehouseStateError(SvsnaError):
    """The warehouse cannot be used (its last ingest did not complete, or it is damaged), or an
    assessment file written from it is damaged (rerun the command that writes it)."""

    exit_code = 7


class FileSystemFault(SvsnaError):
    """Disk full, read-only file system, permission denied or a path of the wrong kind."""

    exit_code = 8


def os_error_message(exc: OSError) -> tuple[str, str]:
    """A one-line message and a hint for a file-system fault (used by the CLI and by ingest's checks).

    >>> import errno
    >>> os_error_message(OSError(errno.ENOSPC, "No space left on device", "/tmp/x"))[0]
    'no space left on device writing /tmp/x'
    """
    import errno

    where = exc.filename or ""
    target = f" {where}" if where else ""
    code = exc.errno
    if code == errno.ENOSPC:
        return f"no space left on device writing{target}", "free some space or choose another output folder"
    if code == errno.EROFS:
        return f"read-only file system:{target}", "choose a writable folder for the workspace and output"
    if code in (errno.EACCES, errno.EPERM):
        return f"permission denied:{target}", "check the folder's owner and permissions"
    if code == errno.EISDIR:
        return f"{where} is a folder, not a file", "name the file itself in area.yaml"
    if code == errno.ENOTDIR:
        return f"{where} is a file, not a folder", "name a folder (or remove the file)"
    if code == errno.EEXIST:
        return f"{where} already exists and is not a folder", "name a folder in area.yaml `output:`"
    if code == errno.ENOENT:
        return f"no such file or folder:{target}", "check the path"
    return f"{exc.strerror or exc}{':' + target if target else ''}", "check the disk and the path"
