"""Charts are drawn once and cropped (svsna.outputs.theme.chart_to_png), like savefig's tight box."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from svsna.outputs import theme


def _tight(fig) -> Image.Image:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight", pad_inches=0.05)
    return Image.open(io.BytesIO(buf.getvalue()))


def _ink(img: Image.Image) -> np.ndarray:
    """Rows and columns that hold anything but white."""
    a = np.asarray(img.convert("L"))
    return a < 250


@pytest.mark.parametrize("where", ["inside", "long labels", "legend below", "far outside"])
def test_a_chart_is_cropped_to_what_is_drawn_as_savefig_tight_would(where):
    with theme.house_style():
        fig, ax = theme.new_figure()
        if where == "long labels":  # tick labels reach past the figure's left edge
            ax.barh(["a category label much longer than the axes leave room for", "b"], [1, 3])
        else:
            ax.plot(range(10), label="rising")
            ax.plot(range(10, 0, -1), label="falling")
        if where == "legend below":
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2)
        if where == "far outside":  # further than the margin: drawn again by savefig
            ax.annotate("note", xy=(0, 0), xytext=(0.5, -4.0), textcoords="figure fraction")
        ax.set_title("A chart")
        png = Image.open(io.BytesIO(theme.chart_to_png(fig, dpi=120)))
        tight = _tight(fig)
    # the same picture: within two pixels of savefig's tight box, with the same margins around the ink
    assert abs(png.size[0] - tight.size[0]) <= 2 and abs(png.size[1] - tight.size[1]) <= 2
    assert np.abs(_margins(png) - _margins(tight)).max() <= 2, (_margins(png), _margins(tight))
    assert png.info.get("dpi") is not None and round(png.info["dpi"][0]) == 120


def _margins(img: Image.Image) -> np.ndarray:
    """Blank pixels above, left of, below and right of what is drawn."""
    ink = _ink(img)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return np.array([rows[0], cols[0], img.size[1] - 1 - rows[-1], img.size[0] - 1 - cols[-1]])
