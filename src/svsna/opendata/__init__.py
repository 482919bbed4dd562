"""The open-data edition: an SNA-style profile of a police force area from public data alone.

data.police.uk street-level crime + ONS population and geography + IMD 2019, loaded through
:mod:`svsna.engine`, assessed with :mod:`svsna.stats` into the standard indicator table and
findings (:mod:`svsna.indicators`). police.uk cannot isolate serious violence, so the edition
reports "Violence and sexual offences", "Robbery" and "Possession of weapons" separately and
together (see :mod:`svsna.opendata.proxy` and ``docs/opendata.md``).

Modules: ``proxy`` (what is measured), ``reference`` (force geography, population, IMD),
``street`` (reading files, the row ledger), ``fetch`` (downloading archives), ``context``,
``trend`` (od_extent, od_trend), ``geography`` (od_geography), ``hotspots`` (od_hotspots),
``mix`` (od_mix), ``assessment`` (:func:`run_opendata`). Submodules are imported on use.

Examples
--------
>>> from svsna.opendata import proxy
>>> proxy.group_for("vso").crime_types
('Violence and sexual offences',)
"""

from __future__ import annotations

__all__: list[str] = []
