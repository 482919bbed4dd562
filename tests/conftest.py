"""Suite-wide settings for running the tests in parallel (pytest-xdist, ``-n`` in pyproject.toml).

Every test marked ``spark`` joins one xdist group, so with ``--dist loadgroup`` they all run on
the same worker, one after another: one local Spark session (JVM) for the whole run instead of
one per worker, and never two Spark jobs competing for the two cores.

Session fixtures are built once per worker; each worker has its own base temporary folder
(``tmp_path_factory``), so no two workers write the same path. ``-n 0`` runs everything in one
process (needed for ``--pdb``).
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("spark") is not None:
            item.add_marker(pytest.mark.xdist_group("spark"))
