"""Chart/table routing helpers on small hand-made inputs."""

from __future__ import annotations

import pandas as pd

from svsna.outputs.views import is_core, natural_order


def _rows(values):
    return pd.DataFrame({"breakdown_value": values, "value": range(len(values))})


def test_natural_order_of_categories():
    assert natural_order(_rows(["Sun", "Mon", "Sat"]), "weekday")["breakdown_value"].tolist() == ["Mon", "Sat", "Sun"]
    assert natural_order(_rows(["90+", "15-19", "0-4"]), "age_band")["breakdown_value"].tolist() == [
        "0-4",
        "15-19",
        "90+",
    ]
    # a night-time window reads 22, 23, 00 ... not 00 ... 23
    assert natural_order(_rows(["00", "04", "22", "23"]), "hour")["breakdown_value"].tolist() == [
        "22",
        "23",
        "00",
        "04",
    ]
    # no natural order: largest value first
    by_value = pd.DataFrame({"breakdown_value": ["a", "b", "c"], "value": [1.0, 3.0, 2.0]})
    assert natural_order(by_value, "setting")["breakdown_value"].tolist() == ["b", "c", "a"]


def test_core_views():
    assert is_core("timing", "month") and not is_core("health", "month")
    assert is_core("geography", "district") and not is_core("perpetrators", "district")
    assert is_core("victims", "sex|age_band") and not is_core("nature", "offence_type")
