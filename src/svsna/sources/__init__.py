"""Partner extracts in: data contracts, readers, validation, the row ledger.

:func:`svsna.sources.partnership.load_partnership` reads and validates a whole
partnership's extracts; :func:`svsna.pipeline.ingest.ingest` (the ``svsna ingest``
command) then writes them to the warehouse. The contracts are in
:mod:`svsna.sources.contracts`. Nothing heavy is imported here.
"""

from __future__ import annotations

__all__: list[str] = []
