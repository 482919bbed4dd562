"""End-to-end steps that span layers (e.g. ingest: sources -> definitions -> engine).

Nothing heavy is imported here.
"""

from __future__ import annotations

__all__: list[str] = []
