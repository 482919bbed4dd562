"""The house style of svsna charts and maps, as data.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies);
every series also gets its own hatch or marker so that a chart still reads when
printed in greyscale. Charts are drawn with matplotlib's Agg machinery and written as
SVG with real text (``svg.fonttype = "none"``) so that labels stay searchable and
small; maps are written as PNG. Both end up as ``data:`` URIs inside the report.

Examples
--------
>>> OKABE_ITO["blue"]
'#0072B2'
>>> len(SERIES_COLOURS) == len(SERIES_HATCHES) == len(SERIES_MARKERS)
True
>>> fig_data_uri(b"<svg/>", "svg")
'data:image/svg+xml;base64,PHN2Zy8+'
"""

from __future__ import annotations

import base64
import io
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from matplotlib.figure import Figure

__all__ = [
    "FONT_STACK",
    "OKABE_ITO",
    "SERIES_COLOURS",
    "SERIES_HATCHES",
    "SERIES_MARKERS",
    "SIGNIFICANCE_STYLE",
    "SVG_CHARTS",
    "contrast_ratio",
    "fig_data_uri",
    "figure_to_png",
    "figure_to_svg",
    "house_style",
    "new_figure",
    "render_both",
    "text_colour_on",
]

#: Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
SERIES_COLOURS: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["yellow"],
)
SERIES_HATCHES: tuple[str, ...] = ("", "///", "--", "xx", "\\\\", "++", "||")
SERIES_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")
SERIES_LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.", "-", "--", ":")

#: Fingertips-style significance marks: colour, hatch and a text symbol (never colour alone).
SIGNIFICANCE_STYLE: dict[str, dict[str, str]] = {
    "higher": {"colour": OKABE_ITO["vermillion"], "hatch": "///", "symbol": "▲", "label": "Significantly higher"},
    "worse": {"colour": OKABE_ITO["vermillion"], "hatch": "xx", "symbol": "✗", "label": "Significantly worse"},
    "lower": {"colour": OKABE_ITO["sky_blue"], "hatch": "\\\\\\", "symbol": "▼", "label": "Significantly lower"},
    "better": {"colour": OKABE_ITO["green"], "hatch": "--", "symbol": "✓", "label": "Significantly better"},
    "similar": {"colour": "#BBBBBB", "hatch": "", "symbol": "●", "label": "Not significantly different"},
}
#: Colour of cells (maps, heat maps, bars) that are suppressed or have no data: white with grey hatching.
SUPPRESSED_FILL = "#FFFFFF"
SUPPRESSED_HATCH = "////"
SUPPRESSED_EDGE = "#8C8C8C"
FONT_STACK = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
TEXT_COLOUR = "#1A1A1A"
GRID_COLOUR = "#D9D9D9"


@contextmanager
def house_style() -> Iterator[None]:
    """Apply the svsna matplotlib style within a ``with`` block (Agg, SVG text as text)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    rc: dict[str, Any] = {
        "svg.fonttype": "none",
        "svg.hashsalt": "svsna",  # deterministic SVG ids
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "axes.edgecolor": "#555555",
        "axes.labelcolor": TEXT_COLOUR,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "grid.color": GRID_COLOUR,
        "grid.linewidth": 0.6,
        "xtick.color": TEXT_COLOUR,
        "ytick.color": TEXT_COLOUR,
        "legend.frameon": False,
        "legend.fontsize": 8,
        "hatch.linewidth": 0.6,
        "hatch.color": "#333333",
        "figure.dpi": 100,
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.05,
        "path.simplify": True,
    }
    with plt.rc_context(rc):
        yield


def new_figure(width: float = 6.4, height: float = 3.2) -> tuple[Figure, Any]:
    """A figure and one axes, not registered with pyplot (nothing to close, no leaks)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    return fig, ax


def figure_to_svg(fig: Figure) -> bytes:
    """The figure as SVG bytes with metadata stripped (deterministic output)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


#: Whether charts are also written as SVG for the HTML (off by default: PNG is twice as fast).
SVG_CHARTS: ContextVar[bool] = ContextVar("svsna_svg_charts", default=False)


def render_both(fig: Figure, dpi: int = 120) -> tuple[bytes, bytes]:
    """PNG (for the PDF, and the HTML) and, when :data:`SVG_CHARTS` is set, SVG for the HTML
    (real text, crisp at any zoom); otherwise the SVG bytes are empty."""
    svg = figure_to_svg(fig) if SVG_CHARTS.get() else b""
    return svg, chart_to_png(fig, dpi=dpi)


#: zlib level of chart PNGs: 3 takes about a third less time than Pillow's default 6 for files about
#: 3 % larger (a chart of 20 bars: 20 against 31 ms, 72 against 75 kB); 9 takes four times as long
PNG_COMPRESS_LEVEL = 3

#: inches of room drawn around a chart, for labels and legends that reach outside the figure
CHART_MARGIN = 2.0


def chart_to_png(fig: Figure, dpi: int = 120) -> bytes:
    """A chart as PNG bytes, cropped to what is drawn (like ``bbox_inches="tight"``), drawn once.

    ``savefig(bbox_inches="tight")`` lays a figure out twice: once to measure what is drawn
    and once to draw it on a canvas of that size. Here the chart is drawn once on a canvas
    :data:`CHART_MARGIN` inches larger on every side (room for tick labels and legends that
    reach outside the figure; the chart's own layout is unchanged), measured on that drawing,
    and the pixels cropped to the drawn area plus ``savefig.pad_inches``. Anything reaching
    further than the margin is drawn again by :func:`figure_to_png`. Charts only: a map's
    axes must have their final (equal-aspect) position before it is drawn.
    """
    import matplotlib as mpl
    import numpy as np
    from matplotlib._tight_bbox import adjust_bbox
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox
    from PIL import Image

    pad, margin = float(mpl.rcParams["savefig.pad_inches"]), CHART_MARGIN
    width, height = fig.get_size_inches()
    old_canvas, old_dpi = fig.canvas, fig.dpi
    canvas = FigureCanvasAgg(fig)
    fig.dpi = dpi
    restore = adjust_bbox(fig, Bbox.from_extents(-margin, -margin, width + margin, height + margin), None)
    try:
        canvas.draw()
        box = fig.get_tightbbox(canvas.get_renderer()).padded(pad)  # inches on the enlarged canvas
        pixels = np.asarray(canvas.buffer_rgba())
    finally:
        restore()
        fig.dpi = old_dpi
        fig.set_canvas(old_canvas)
    if box.x0 < 0 or box.y0 < 0 or box.x1 > width + 2 * margin or box.y1 > height + 2 * margin:
        return figure_to_png(fig, dpi=dpi)
    rows = pixels.shape[0]
    left, right = int(np.floor(box.x0 * dpi)), int(np.ceil(box.x1 * dpi))
    top, bottom = rows - int(np.ceil(box.y1 * dpi)), rows - int(np.floor(box.y0 * dpi))
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels[top:bottom, left:right])).save(
        buf, format="png", dpi=(dpi, dpi), compress_level=PNG_COMPRESS_LEVEL
    )
    return buf.getvalue()


def figure_to_png(fig: Figure, dpi: int = 130, *, trim: bool = False) -> bytes:
    """The figure as PNG bytes (used for maps: many polygons are lighter as pixels).

    ``trim`` crops the empty margin around what is drawn (an equal-aspect map leaves bands
    above and below it when the area is wider than the figure)."""
    buf = io.BytesIO()
    extra = {"bbox_inches": "tight", "pad_inches": 0.04} if trim else {}
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, **extra)
    return buf.getvalue()


def fig_data_uri(data: bytes, kind: str) -> str:
    """A ``data:`` URI for SVG or PNG bytes."""
    mime = {"svg": "image/svg+xml", "png": "image/png"}[kind]
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a colour."""
    from matplotlib.colors import to_rgb

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two colours (1 to 21; AA body text needs 4.5).

    >>> round(contrast_ratio("#000000", "#FFFFFF"), 1), round(contrast_ratio("#0072B2", "#FFFFFF"), 2)
    (21.0, 5.19)
    """
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour_on(background: str) -> str:
    """The text colour (near-black or white) with the higher contrast on ``background``.

    >>> text_colour_on("#0072B2"), text_colour_on("#F0E442")
    ('#FFFFFF', '#1A1A1A')
    """
    dark, light = TEXT_COLOUR, "#FFFFFF"
    return dark if contrast_ratio(dark, background) >= contrast_ratio(light, background) else light
