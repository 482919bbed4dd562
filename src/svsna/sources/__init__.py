"""Partner extracts in: data contracts, readers, validation, the row ledger and ingest.

The public entry point is :func:`svsna.sources.ingest.ingest`; the contracts are in
:mod:`svsna.sources.contracts`. Nothing heavy is imported here.
"""

from __future__ import annotations

__all__: list[str] = []
