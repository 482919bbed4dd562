"""Suite-wide settings for running the tests in parallel (pytest-xdist; ``-n`` in pyproject.toml).

Every Spark test runs on the same worker, one after another: one local Spark session (JVM) for
the whole run instead of one per worker, and never two Spark jobs competing for the two cores.
pytest-xdist's own ``--dist loadgroup`` grouping does not work with pytest 9.2 (it rewrites a
node-id field pytest no longer reads: pytest-dev/pytest-xdist#1386), so the controller's scheduler
is chosen here: with ``--dist loadgroup`` (the default in pyproject.toml) tests are sent one by one
to whichever worker is free, except that every test whose node id contains ``spark`` forms one
unit. Spark tests must therefore have ``spark`` in their file or test name; a ``spark``-marked
test that does not fails at setup saying so.

Session fixtures are built once per worker; each worker has its own base temporary folder
(``tmp_path_factory``), so no two workers write the same path. ``-n 0`` runs everything in one
process (needed for ``--pdb``).
"""

from __future__ import annotations

import pytest

SPARK_GROUP = "spark"


def spark_scope(nodeid: str) -> str | None:
    """The scheduling unit of a Spark test's node id (None for other tests).

    >>> spark_scope("tests/sources/test_parity_spark.py::test_ingest"), spark_scope("tests/a.py::test_b")
    ('spark', None)
    """
    return SPARK_GROUP if SPARK_GROUP in nodeid.lower() else None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getvalue("dist") != "loadgroup":
        return None  # another --dist given on the command line: xdist's own scheduler
    from xdist.scheduler import LoadGroupScheduling

    class SparkTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return spark_scope(nodeid) or super()._split_scope(nodeid)

    return SparkTogether(config, log)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("spark") is not None and spark_scope(item.nodeid) is None:
        pytest.fail(
            "a test marked spark must have 'spark' in its file or test name, so that parallel runs keep the Spark "
            "tests on one worker (tests/conftest.py)",
            pytrace=False,
        )
