"""svsna: Serious Violence Strategic Needs Assessments from partner data.

The package is layered one way: sources (readers and contracts) -> definitions
(as data) -> engine (Ibis; the only layer that names a backend) -> stats ->
analyses (one module per SNA section) -> outputs (report, charts, maps) -> CLI.
Nothing heavy is imported here.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
