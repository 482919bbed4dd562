"""The public API of svsna.stats: names, lazy import, and fit with the indicator table."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

import svsna.stats as stats
from svsna.indicators import INDICATOR_COLUMNS, indicator_rows


def test_all_names_resolve():
    for name in stats.__all__:
        assert getattr(stats, name) is not None
    for name in ("crude_rate", "proportion", "dsr", "rate_ratio", "period_change", "compare_to_benchmark"):
        assert name in stats.__all__
    for name in ("recent_trend", "spc", "getis_ord_gi_star", "contiguity_weights", "grid_weights", "disclose"):
        assert name in stats.__all__
    for name in ("safe_count", "rule_set", "DisclosureResult"):
        assert name in stats.__all__


def test_import_is_lazy():
    code = "import sys, svsna.stats; print('pandas' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


def test_rows_drop_into_indicator_table():
    r = stats.crude_rate([12, 3], [10_000, 8_000])
    cmp = stats.compare_to_benchmark(r["value"], r["lower"], r["upper"], 0.9, polarity="low_is_good")
    rows = indicator_rows(
        pd.concat([r, cmp], axis=1), section="extent", indicator="rate_per_1000", area=["A", "B"], period="2021/22"
    )
    assert list(rows.columns) == list(INDICATOR_COLUMNS)
    assert rows["method"].tolist() == ["Byar's", "Exact Poisson"]
    assert rows["numerator"].tolist() == [12.0, 3.0]
    assert rows["significance"].notna().all() and (rows["comparator_value"] == 0.9).all()
    rr = stats.rate_ratio(30, 1000, 20, 1000)
    assert list(indicator_rows(rr, indicator="rr").columns) == list(INDICATOR_COLUMNS)


def test_functions_named_like_their_modules_stay_functions():
    # importing the submodules first (as doctest collection does) must not shadow the functions
    code = (
        "import svsna.stats.spc, svsna.stats.dsr\n"
        "from svsna.stats import spc, dsr\n"
        "from svsna.stats.spc import spc as spc2\n"
        "import svsna.stats as s\n"
        "print(callable(spc), callable(dsr), spc is spc2, callable(s.spc))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True True True True"
