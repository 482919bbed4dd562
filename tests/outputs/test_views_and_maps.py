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


def test_map_labels_moved_off_their_point_do_not_cover_each_other():
    """On the demo's district map "Blaby 2.16" was printed over "Oadby and Wigston 2.97": a label moved
    off its point was measured with its leader line, whose box always met the neighbour's label, so
    every move was refused and the label fell back onto its point."""
    import itertools

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.text import Annotation, Text

    from svsna.outputs.maps import _place_labels

    fig, ax = plt.subplots(figsize=(4, 4))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    # five crowded points, as Leicester, Oadby and Wigston and Blaby sit on the district map
    points = [(50, 50), (52, 47), (48, 45), (51, 43), (47, 49)]
    _place_labels(ax, fig, [(f"District {i}\n{i}.00", x, y) for i, (x, y) in enumerate(points)])
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ann in (c for c in ax.get_children() if isinstance(c, Annotation)):
        ann.update_positions(renderer)
        boxes.append(Text.get_window_extent(ann, renderer))
    assert len(boxes) == 5
    assert not [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
    plt.close(fig)
