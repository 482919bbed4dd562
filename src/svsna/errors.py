"""Exceptions raised by svsna, each carrying a message fit for an analyst.

Exit codes used by the CLI (scripts may rely on them):

====  =========================================================
0     success
1     unexpected internal error (a bug: please report it)
2     usage error (bad command-line options)
3     configuration error (``area.yaml``, definitions, keys)
4     input data error (a file cannot be read or fails its contract)
5     a required input is missing
====  =========================================================
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InputDataError",
    "MissingInputError",
    "SvsnaError",
]


class SvsnaError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class ConfigError(SvsnaError):
    """A configuration file, definition or key is missing or invalid."""

    exit_code = 3


class InputDataError(SvsnaError):
    """An input file cannot be read or does not meet its data contract."""

    exit_code = 4


class MissingInputError(SvsnaError):
    """A required input file or warehouse table is missing."""

    exit_code = 5
