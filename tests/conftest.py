"""Suite-wide settings for running the tests in parallel (pytest-xdist; ``-n`` in pyproject.toml).

With ``--dist loadscope`` (the default in pyproject.toml) the controller hands out *units* of tests
to whichever worker is free, and every test of a unit runs on the same worker:

* every Spark test is one unit: one local Spark session (JVM) for the whole run instead of one per
  worker, and never two Spark jobs competing for the two cores. Spark tests must have ``spark`` in
  their file or test name (the controller sees node ids only); a ``spark``-marked test that does not
  fails at setup saying so. (``xdist_group`` marks cannot do this with pytest 9.2:
  pytest-dev/pytest-xdist#1386.)
* each folder of :data:`SHARED_FIXTURE_DIRS` is one unit: their conftests build expensive session
  fixtures (a report, open-data runs, a synthetic partnership) that would otherwise be built again
  on every worker that runs one of their tests;
* the tests of those folders whose node id names a fixture of :data:`FIXTURE_UNITS` (the ``demo``
  below, used by tests/outputs and tests/public) are a unit of their own, so that fixture is built
  once and at the same time as the folders' other fixtures; a test using it must name it;
* every other test module is one unit (xdist's ``loadscope``), so module fixtures are built once.

Units are handed out longest first (:data:`UNIT_SECONDS`, measured on 2 cores; others by their
number of tests), so that a long unit does not start last and leave the other workers idle.

Each worker has its own base temporary folder (``tmp_path_factory``), so no two workers write the
same path. ``-n 0`` runs everything in one process (needed for ``--pdb``); another ``--dist`` on
the command line gets xdist's own scheduler.
"""

from __future__ import annotations

import pytest

SPARK_GROUP = "spark"
#: folders whose conftest builds expensive session fixtures: their tests stay on one worker.
SHARED_FIXTURE_DIRS = ("tests/opendata/", "tests/outputs/", "tests/public/", "tests/synth/", "tests/web/")
#: session fixture -> the folders whose tests using it are one unit (their node ids must contain its name)
FIXTURE_UNITS = {"demo": ("tests/outputs/", "tests/public/")}
#: seconds each long unit took on 2 cores (``pytest --durations=0`` summed per unit, 2026-12-03: 742 s in all),
#: for longest-first scheduling;
#: a unit not listed counts one second per test.
UNIT_SECONDS = {
    "demo": 140,
    "tests/public/": 60,
    "tests/outputs/": 90,
    "tests/opendata/": 85,
    "spark": 75,
    "tests/synth/": 50,
    "tests/web/": 45,
    "tests/sources/test_faults.py": 30,
    "tests/partner/test_partner_edition.py": 25,
}


def unit_cost(unit: str, tests: int) -> float:
    """Expected seconds of a unit (see :data:`UNIT_SECONDS`).

    >>> unit_cost("spark", 9), unit_cost("tests/stats/test_api.py", 12)
    (75, 12)
    """
    return UNIT_SECONDS.get(unit, tests)


def unit_of(nodeid: str) -> str:
    """The scheduling unit of a test's node id (see the module docstring).

    >>> unit_of("tests/sources/test_parity_spark.py::test_ingest"), unit_of("tests/outputs/test_report.py::test_x")
    ('spark', 'tests/outputs/')
    >>> unit_of("tests/stats/test_api.py::test_rates[1]"), unit_of("tests/outputs/test_report.py::test_x[demo-pdf]")
    ('tests/stats/test_api.py', 'demo')
    >>> unit_of("tests/public/test_attacks.py::test_demo_x"), unit_of("tests/public/test_attacks.py::test_y")
    ('demo', 'tests/public/')
    """
    if SPARK_GROUP in nodeid.lower():
        return SPARK_GROUP
    for folder in SHARED_FIXTURE_DIRS:
        if nodeid.startswith(folder):
            test = nodeid.split("::", 1)[-1]
            for fixture, folders in FIXTURE_UNITS.items():
                if folder in folders and fixture in test:
                    return fixture
            return folder
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getvalue("dist") != "loadscope":
        return None  # another --dist given on the command line: xdist's own scheduler
    from xdist.scheduler import LoadScopeScheduling

    class Units(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def _assign_work_unit(self, node: object) -> None:
            if not self.ordered:  # longest first, once the queue is complete
                units = sorted(self.workqueue.items(), key=lambda kv: -unit_cost(kv[0], len(kv[1])))
                self.workqueue.clear()
                self.workqueue.update(units)
                self.ordered = True
            super()._assign_work_unit(node)

    return Units(config, log)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("spark") is not None and unit_of(item.nodeid) != SPARK_GROUP:
        pytest.fail(
            "a test marked spark must have 'spark' in its file or test name, so that parallel runs keep the Spark "
            "tests on one worker (tests/conftest.py)",
            pytrace=False,
        )
    for fixture, folders in FIXTURE_UNITS.items():
        uses = item.nodeid.startswith(folders) and fixture in getattr(item, "fixturenames", ())
        if uses and unit_of(item.nodeid) != fixture:
            pytest.fail(
                f"a test using the {fixture!r} fixture must have {fixture!r} in its test name or parameters, "
                "so that parallel runs build that fixture on one worker only (tests/conftest.py)",
                pytrace=False,
            )


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """The demo partnership as ``svsna demo`` makes it, reported with PDFs (:mod:`tests.demo_area`)."""
    from tests.demo_area import build_demo

    return build_demo(tmp_path_factory.mktemp("demo") / "data")
