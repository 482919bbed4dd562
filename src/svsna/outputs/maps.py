"""Maps on real boundaries: a district choropleth of rates and an LSOA hot-spot map.

Boundaries come from GeoJSON (or anything geopandas reads) supplied by the caller, e.g.
the 2011 LSOA polygons the synthetic-data helper writes to ``lsoa_boundaries.geojson``.
Columns are found by their contents, not their names: the LSOA code column is the one
whose values look like ``E01012345``; district polygons, when not supplied, are
dissolved from the LSOAs using a lookup (``lsoa_code -> district_name``, and ``ward_name``
and ``npa`` to name hot spots) or, for 2011 LSOAs, from the district name that starts
every LSOA name ("Leicester 003A").

Maps are drawn as PNG (hundreds of polygons are lighter as pixels) in the house style:

- the choropleth's classes are natural breaks (Fisher-Jenks), so a district far above
  the rest gets a class of its own, and the legend says how many districts each class
  holds; district names are placed so that no two overlap (moved aside with a leader
  line when they would);
- the hot-spot map shades significant LSOAs by Gi* class and adds an inset enlarging the
  area where the hot spots are, with each cluster named by its neighbourhood policing
  area (or district) and ward;
- every map has a scale bar and the boundary licence line (Contains OS data © Crown
  copyright and database right; source: ONS, OGL v3), in the image and in its source line.

Examples
--------
>>> district_from_lsoa_name("North West Leicestershire 012B")
'North West Leicestershire'
>>> jenks_breaks([1, 2, 2.5, 9.4, 3.9, 4.2], 3)
[1.0, 2.5, 4.2, 9.4]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.outputs import theme
from svsna.outputs.wording import fmt_number, join_words, plural

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from svsna.config import AreaConfig

__all__ = [
    "ATTRIBUTION",
    "Boundaries",
    "attribution",
    "choropleth",
    "district_from_lsoa_name",
    "geography_lookup",
    "hotspot_areas",
    "hotspot_map",
    "jenks_breaks",
    "load_boundaries",
]

#: The licence statement ONS boundary files require (OS data within ONS boundaries, OGL v3).
ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right; source: Office for National Statistics, "
    "licensed under the Open Government Licence v3.0"
)

_LSOA_CODE = re.compile(r"^[EW]010\d{5}$")
_LSOA_NAME = re.compile(r"^(.*\S)\s+\d{3}[A-Z]$")


def attribution(config: AreaConfig | None = None) -> str:
    """The map attribution line: ``report.map_attribution`` from ``area.yaml`` or :data:`ATTRIBUTION`."""
    report = getattr(config, "report", None)
    text = getattr(report, "map_attribution", None) if report is not None else None
    return str(text) if text else ATTRIBUTION


def district_from_lsoa_name(name: str) -> str | None:
    """The district part of a 2011/2021 LSOA name, or None if it does not look like one."""
    m = _LSOA_NAME.match(str(name).strip())
    return m.group(1) if m else None


class Boundaries:
    """LSOA and district polygons in British National Grid, with standard columns.

    ``lsoa`` has ``lsoa_code``, ``district_name`` (where known), ``ward_name`` and ``npa``
    (where a lookup gave them) and ``geometry``; ``district`` has ``district_name`` and
    ``geometry``. Either may be None.
    """

    def __init__(self, lsoa: gpd.GeoDataFrame | None, district: gpd.GeoDataFrame | None) -> None:
        self.lsoa = lsoa
        self.district = district

    def __repr__(self) -> str:
        n_l = 0 if self.lsoa is None else len(self.lsoa)
        n_d = 0 if self.district is None else len(self.district)
        return f"Boundaries(lsoa={n_l}, district={n_d})"


def _read(src: Any) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if isinstance(src, gpd.GeoDataFrame):
        return src
    path = Path(src)
    if not path.exists():
        from svsna.errors import MissingInputError

        raise MissingInputError(f"{path}: boundary file not found (hint: pass a GeoJSON of LSOA or district polygons)")
    return gpd.read_file(path)


def _column_like(frame: pd.DataFrame, pattern: re.Pattern[str]) -> str | None:
    for col in frame.columns:
        if col == "geometry":
            continue
        vals = frame[col].dropna().astype(str)
        if len(vals) and vals.map(lambda v: bool(pattern.match(v))).mean() > 0.9:
            return col
    return None


_LOOKUP_COLUMNS = ("lsoa_code", "district_name", "ward_name", "npa")


def geography_lookup(config: AreaConfig) -> pd.DataFrame | None:
    """``lsoa_code`` with ``district_name``, ``ward_name`` and ``npa`` from the area's geography input, if any."""
    import pandas as pd

    path = config.input_path("geography")
    if path is None or not path.is_file():
        return None
    try:
        head = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, OSError):
        return None
    cols = [c for c in _LOOKUP_COLUMNS if c in head.columns]
    if "lsoa_code" not in cols or len(cols) < 2:
        return None
    return pd.read_csv(path, usecols=cols, encoding="utf-8-sig", dtype=str)


def load_boundaries(
    boundaries: Any,
    lookup: pd.DataFrame | None = None,
) -> Boundaries:
    """Normalise what the caller gave (path, GeoDataFrame, or ``{"lsoa": ..., "district": ...}``).

    Parameters
    ----------
    boundaries : path, GeoDataFrame or mapping
        LSOA polygons, or a mapping with ``lsoa`` and/or ``district`` entries.
    lookup : DataFrame, optional
        ``lsoa_code`` and ``district_name`` columns (the warehouse geography table), and
        optionally ``ward_name`` and ``npa``, used to dissolve districts from LSOAs and to
        name hot spots.
    """
    items: Mapping[str, Any] = boundaries if isinstance(boundaries, Mapping) else {"lsoa": boundaries}
    lsoa = district = None
    if items.get("lsoa") is not None:
        raw = _read(items["lsoa"])
        code = _column_like(raw, _LSOA_CODE)
        if code is None:
            from svsna.errors import InputDataError

            raise InputDataError(
                f"LSOA boundaries: no column holds LSOA codes like E01012345 (columns: {list(raw.columns)})"
            )
        lsoa = raw[[code, "geometry"]].rename(columns={code: "lsoa_code"})
        name = _column_like(raw, _LSOA_NAME)
        if name is not None:
            lsoa["lsoa_name"] = raw[name].to_numpy()
        if lookup is not None and "lsoa_code" in lookup.columns:
            extra = [c for c in _LOOKUP_COLUMNS[1:] if c in lookup.columns]
            lsoa = lsoa.merge(lookup[["lsoa_code", *extra]].drop_duplicates("lsoa_code"), on="lsoa_code", how="left")
        if "district_name" not in lsoa.columns and name is not None:
            lsoa["district_name"] = raw[name].map(district_from_lsoa_name).to_numpy()
        lsoa = lsoa.to_crs(27700) if lsoa.crs is not None else lsoa.set_crs(4326).to_crs(27700)
    if items.get("district") is not None:
        raw = _read(items["district"])
        text_cols = [c for c in raw.columns if c != "geometry" and raw[c].dtype == object]
        name_col = next((c for c in text_cols if not raw[c].astype(str).str.match(r"^[EWSN]\d{8}$").all()), None)
        if name_col is None:
            from svsna.errors import InputDataError

            raise InputDataError(f"district boundaries: no column holds district names (columns: {list(raw.columns)})")
        district = raw[[name_col, "geometry"]].rename(columns={name_col: "district_name"})
        district = district.to_crs(27700) if district.crs is not None else district.set_crs(4326).to_crs(27700)
    elif lsoa is not None and "district_name" in lsoa and lsoa["district_name"].notna().any():
        district = lsoa.dropna(subset=["district_name"]).dissolve(by="district_name", as_index=False)
        district = district[["district_name", "geometry"]]
    return Boundaries(lsoa, district)


def jenks_breaks(values: Sequence[float], classes: int) -> list[float]:
    """Fisher-Jenks natural breaks: class edges that minimise the spread within classes.

    Exact dynamic programme (Jenks 1977; Fisher 1958) on the sorted values, O(k n²): for the
    tens of districts a choropleth shows this is instant. Returns ``classes + 1`` edges
    (fewer when there are fewer distinct values), the first the minimum and the last the maximum.
    """
    import numpy as np

    x = np.sort(np.asarray([v for v in values if v == v], dtype=float))
    n = len(x)
    k = max(1, min(classes, len(np.unique(x))))
    if n == 0:
        return [0.0, 1.0]
    if k == 1:
        return [float(x[0]), float(x[-1])]
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])

    def ssd(i: int, j: int) -> float:  # sum of squared deviations of x[i:j]
        m = j - i
        total = s1[j] - s1[i]
        return float(s2[j] - s2[i] - total * total / m)

    cost = np.full((k + 1, n + 1), np.inf)
    back = np.zeros((k + 1, n + 1), dtype=int)
    cost[0, 0] = 0.0
    for c in range(1, k + 1):
        for j in range(c, n + 1):
            for i in range(c - 1, j):
                v = cost[c - 1, i] + ssd(i, j)
                if v < cost[c, j]:
                    cost[c, j], back[c, j] = v, i
    cuts = []
    j = n
    for c in range(k, 0, -1):
        i = back[c, j]
        cuts.append(i)
        j = i
    starts = sorted(cuts)[1:]
    return [float(x[0])] + [float(x[s - 1]) for s in starts] + [float(x[-1])]


def _scale_bar(ax, extent: tuple[float, float, float, float]) -> None:
    """A scale bar in kilometres (British National Grid metres) at the lower right."""
    x0, y0, x1, y1 = extent
    width_km = (x1 - x0) / 1000
    nice = [1, 2, 5, 10, 20, 25, 50, 100]
    length = max([n for n in nice if n <= width_km / 4] or [1])
    bx, by = x1 - length * 1000 - (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + length * 1000], [by, by], color="#000000", linewidth=2.5, solid_capstyle="butt")
    for tick in (bx, bx + length * 1000):
        ax.plot([tick, tick], [by - (y1 - y0) * 0.006, by + (y1 - y0) * 0.006], color="#000000", linewidth=1)
    ax.annotate(
        f"{length} km",
        (bx + length * 500, by),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=7,
        color=theme.TEXT_COLOUR,
    )
    ax.annotate(
        "N ↑",
        (x1 - (x1 - x0) * 0.04, y1 - (y1 - y0) * 0.04),
        ha="right",
        va="top",
        fontsize=8,
        color=theme.TEXT_COLOUR,
        fontweight="bold",
    )


def _place_labels(ax, fig, items: list[tuple[str, float, float]], fontsize: float = 6.5, box: bool = True) -> None:
    """Write each ``(text, x, y)`` near its point without overlapping the others.

    Greedy placement in the order given: each label tries its anchor, then positions
    around it at growing distances, keeping the first whose box (in display space) meets
    no label already placed and stays inside the axes; a label moved off its point gets a
    thin leader line back to it.
    """
    import math

    from matplotlib.text import Text

    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    # An equal-aspect map axes takes its final box only when drawn: settle it first, or every label
    # is placed against a box that then shrinks, and labels placed apart end up on top of each other.
    ax.apply_aspect()
    placed: list[Any] = []
    axes_box = ax.get_window_extent(renderer)
    for text, x, y in items:
        chosen = None
        for radius in (0, 14, 26, 40, 56, 74, 96, 120, 150):
            angles = [0] if radius == 0 else [90, 270, 0, 180, 45, 135, 225, 315, 60, 120, 240, 300]
            for a in angles:
                dx, dy = radius * math.cos(math.radians(a)), radius * math.sin(math.radians(a))
                ann = ax.annotate(
                    text,
                    (x, y),
                    xytext=(dx, dy),
                    textcoords="offset points",
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color="#000000",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "#FFFFFFE6", "ec": "none"} if box else None,
                    arrowprops={"arrowstyle": "-", "color": "#333333", "linewidth": 0.6, "shrinkA": 0, "shrinkB": 0}
                    if radius
                    else None,
                    zorder=5,
                )
                # the label's own box: an annotation's extent also spans its leader line back to the
                # point, which would make every label moved off its point meet its neighbours' labels
                ann.update_positions(renderer)  # the text's place (its offset from the point) is set when drawn
                bb = Text.get_window_extent(ann, renderer).expanded(1.12, 1.25)
                inside = bb.x0 >= axes_box.x0 and bb.x1 <= axes_box.x1 and bb.y0 >= axes_box.y0 and bb.y1 <= axes_box.y1
                if inside and not any(bb.overlaps(p) for p in placed):
                    chosen = bb
                    break
                ann.remove()
            if chosen is not None:
                break
        if chosen is None:  # nowhere free: keep it on its point (still legible thanks to its box)
            ann = ax.annotate(
                text,
                (x, y),
                ha="center",
                va="center",
                fontsize=fontsize,
                color="#000000",
                bbox={"boxstyle": "round,pad=0.15", "fc": "#FFFFFFE6", "ec": "none"},
                zorder=5,
            )
            chosen = ann.get_window_extent(renderer)
        placed.append(chosen)


def _finish(fig, ax, note: str = "") -> bytes:
    ax.set_axis_off()
    ax.set_aspect("equal")
    if note:
        fig.text(0.01, 0.005, note, fontsize=5.5, color="#333333", ha="left", va="bottom", wrap=True)
    return theme.figure_to_png(fig, dpi=110, trim=True)


def choropleth(
    district: gpd.GeoDataFrame,
    rows: pd.DataFrame,
    *,
    value_label: str,
    classes: int = 5,
    attribution: str = ATTRIBUTION,
) -> tuple[bytes, str]:
    """District choropleth of ``value`` by ``breakdown_value`` (district name).

    Returns PNG bytes and alt text. Classes are natural breaks (:func:`jenks_breaks`) with
    the number of districts in each class in the legend; suppressed or missing districts
    are white with grey hatching and say so.
    """
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    vals = dict(zip(rows["breakdown_value"].astype(str), rows["value"].astype(float), strict=True))
    gdf = district.copy()
    gdf["value"] = gdf["district_name"].map(vals)
    shown = gdf["value"].dropna()
    k = max(1, min(classes, shown.nunique(), max(1, len(shown) // 2)))
    edges = jenks_breaks(list(shown), k) if len(shown) else [0.0, 1.0]
    cmap = colormaps["cividis_r"]
    with theme.house_style():
        fig, ax = theme.new_figure(6.0, 5.4)
        handles = []
        nb = max(1, len(edges) - 1)
        assigned = np.full(len(gdf), -1)
        for i in range(nb):
            lo_e, hi_e = edges[i], edges[i + 1]
            sel = (gdf["value"] > lo_e) & (gdf["value"] <= hi_e) if i else gdf["value"].between(lo_e, hi_e)
            assigned[sel.to_numpy()] = i
        for i in range(nb):
            sel = assigned == i
            colour = cmap(0.12 + 0.8 * (i / max(1, nb - 1)))
            if sel.any():
                gdf[sel].plot(ax=ax, color=colour, edgecolor="#FFFFFF", linewidth=0.8)
            members = gdf.loc[sel, "value"]
            if not len(members):
                continue
            lo_v, hi_v = float(members.min()), float(members.max())
            span = fmt_number(lo_v, 2) if lo_v == hi_v else f"{fmt_number(lo_v, 2)} to {fmt_number(hi_v, 2)}"
            handles.append(
                Patch(
                    facecolor=colour,
                    edgecolor="#333333",
                    label=f"{span} ({int(sel.sum())} {plural(int(sel.sum()), 'district')})",
                )
            )
        missing = gdf[gdf["value"].isna()]
        if len(missing):
            missing.plot(
                ax=ax,
                color=theme.SUPPRESSED_FILL,
                hatch=theme.SUPPRESSED_HATCH,
                edgecolor=theme.SUPPRESSED_EDGE,
                linewidth=0.8,
            )
            handles.append(
                Patch(
                    facecolor=theme.SUPPRESSED_FILL,
                    hatch=theme.SUPPRESSED_HATCH,
                    edgecolor=theme.SUPPRESSED_EDGE,
                    label=f"Suppressed or no data ({len(missing)})",
                )
            )
        x0, y0, x1, y1 = gdf.total_bounds
        pad = 0.04 * max(x1 - x0, y1 - y0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad * 3, y1 + pad)
        ax.set_aspect("equal")
        ax.set_axis_off()
        items = []
        for _, r in gdf.sort_values("value", ascending=False, na_position="last").iterrows():
            pt = r.geometry.representative_point()
            label = r["district_name"] + ("" if np.isnan(r["value"]) else f"\n{fmt_number(r['value'], 2)}")
            items.append((label, pt.x, pt.y))
        _place_labels(ax, fig, items)
        _scale_bar(ax, (x0 - pad, y0 - pad * 3, x1 + pad, y1 + pad))
        ax.legend(
            handles=handles,
            title=value_label,
            loc="lower left",
            fontsize=7,
            title_fontsize=7,
            frameon=True,
            framealpha=1,
            edgecolor="#CCCCCC",
        )
        png = _finish(fig, ax, attribution)
    names = gdf.set_index("district_name")["value"].dropna().sort_values(ascending=False)
    alt = (
        f"Map of {len(gdf)} districts shaded by {value_label[:1].lower() + value_label[1:]} "
        f"in {len(handles) - (1 if len(missing) else 0)} classes"
    )
    if len(names):
        alt += (
            f"; highest {names.index[0]} ({fmt_number(names.iloc[0], 2)}), lowest {names.index[-1]} "
            f"({fmt_number(names.iloc[-1], 2)})"
        )
    if len(missing):
        alt += f"; suppressed or without data: {', '.join(missing['district_name'])}"
    return png, alt + "."


#: Gi* classes, hottest first: (match prefix, colour). Hatching is kept for suppressed areas only.
_HOT_COLD: tuple[tuple[str, str], ...] = (
    ("hot spot (99", "#B2182B"),
    ("hot spot", "#F4A582"),
    ("cold spot (99", "#2166AC"),
    ("cold spot", "#92C5DE"),
)


def _area_of(frame: pd.DataFrame) -> pd.Series:
    """The name a hot spot is known by: its neighbourhood policing area, else its district."""
    import pandas as pd

    npa = frame["npa"] if "npa" in frame.columns else pd.Series(None, index=frame.index, dtype=object)
    dist = frame["district_name"] if "district_name" in frame.columns else pd.Series(None, index=frame.index)
    return npa.where(npa.notna() & (npa.astype(str) != ""), dist).fillna("Area not known").astype(str)


def hotspot_areas(hot: pd.DataFrame, places: pd.DataFrame | None) -> list[tuple[str, int, list[str]]]:
    """Hot-spot LSOAs grouped by area (NPA or district): ``(area, number of LSOAs, wards)``, largest first.

    ``places`` names the LSOAs (``lsoa_code`` with ``npa``, ``district_name``, ``ward_name``): the
    boundaries with their lookup, or the geography lookup alone when no boundaries were supplied.
    """
    import pandas as pd

    codes = hot["breakdown_value"].astype(str)
    if places is None:
        frame = pd.DataFrame({"lsoa_code": codes})
    else:
        names = pd.DataFrame(places.drop(columns="geometry", errors="ignore")).drop_duplicates("lsoa_code")
        frame = pd.DataFrame({"lsoa_code": codes}).merge(names, on="lsoa_code", how="left")
    frame["_area"] = _area_of(frame)
    out = []
    for area, grp in frame.groupby("_area", sort=False):
        wards = sorted({str(w) for w in grp.get("ward_name", pd.Series(dtype=object)).dropna()})
        out.append((str(area), len(grp), wards))
    return sorted(out, key=lambda t: (-t[1], t[0]))


def hotspot_map(
    lsoa: gpd.GeoDataFrame,
    rows: pd.DataFrame,
    *,
    district: gpd.GeoDataFrame | None = None,
    attribution: str = ATTRIBUTION,
) -> tuple[bytes, str]:
    """LSOAs shaded by Getis-Ord Gi* class (``significance`` column), with an inset on the hot spots.

    ``rows`` has LSOA codes in ``breakdown_value`` and class labels such as
    ``Hot spot (99%)``, ``Cold spot (95%)`` or ``Not significant``. When the hot spots lie
    in a small part of the area an inset enlarges it, and each group of hot spots is named
    there by its area (NPA or district) with a leader line.
    """
    import numpy as np
    from matplotlib.patches import Patch, Rectangle

    cls = dict(zip(rows["breakdown_value"].astype(str), rows["significance"].astype(str), strict=True))
    gdf = lsoa.copy()
    gdf["cls"] = gdf["lsoa_code"].map(cls).fillna("No data")
    low = gdf["cls"].str.lower()
    counts: dict[str, int] = {}
    styles = []
    taken = np.zeros(len(gdf), dtype=bool)
    for prefix, colour in _HOT_COLD:
        sel = (low.str.startswith(prefix) & ~taken).to_numpy()
        taken |= sel
        if sel.any():
            label = gdf.loc[sel, "cls"].iloc[0]
            counts[label] = int(sel.sum())
            styles.append((sel, colour, label))
    hot_mask = low.str.startswith("hot").to_numpy()
    hot = gdf[hot_mask]
    x0, y0, x1, y1 = gdf.total_bounds
    inset = None
    if len(hot):
        hx0, hy0, hx1, hy1 = hot.total_bounds
        side = max(hx1 - hx0, hy1 - hy0) * 1.5 + 1500
        cx, cy = (hx0 + hx1) / 2, (hy0 + hy1) / 2
        if side < 0.45 * max(x1 - x0, y1 - y0):
            inset = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)

    def paint(ax, lw: float) -> None:
        gdf.plot(ax=ax, color="#F2F2F2", edgecolor="#BBBBBB", linewidth=lw)
        for sel, colour, _label in styles:
            gdf[sel].plot(ax=ax, color=colour, edgecolor="#333333", linewidth=lw * 1.5)
        if district is not None:
            district.boundary.plot(ax=ax, color="#000000", linewidth=0.7)

    with theme.house_style():
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.8, 4.6))
        ax = fig.add_axes((0.0, 0.08, 0.52 if inset else 0.98, 0.9))
        paint(ax, 0.15)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_axis_off()
        _scale_bar(ax, (x0, y0, x1, y1))
        handles = [
            Patch(facecolor=c, edgecolor="#333333", label=f"{lab} ({counts[lab]} {plural(counts[lab], 'LSOA')})")
            for _s, c, lab in styles
        ]
        handles.append(Patch(facecolor="#F2F2F2", edgecolor="#BBBBBB", label="Not significant"))
        names = []
        if inset is not None:
            ix0, iy0, ix1, iy1 = inset
            ax.add_patch(Rectangle((ix0, iy0), ix1 - ix0, iy1 - iy0, fill=False, edgecolor="#000000", linewidth=1.2))
            ax.annotate("Enlarged", (ix1, iy1), xytext=(2, 2), textcoords="offset points", fontsize=6.5)
            zoom = fig.add_axes((0.53, 0.08, 0.46, 0.9))
            paint(zoom, 0.3)
            zoom.set_xlim(ix0, ix1)
            zoom.set_ylim(iy0, iy1)
            zoom.set_aspect("equal")
            zoom.set_xticks([])
            zoom.set_yticks([])
            zoom.set_xlabel("")
            zoom.set_ylabel("")
            for s in zoom.spines.values():
                s.set_visible(True)
                s.set_color("#000000")
            _scale_bar(zoom, inset)
            target = zoom
        else:
            target = ax
        if len(hot):
            frame = hot.copy()
            frame["_area"] = _area_of(frame)
            items = []
            for area, grp in sorted(frame.groupby("_area"), key=lambda t: -len(t[1])):
                pt = grp.geometry.union_all().representative_point()
                items.append((f"{area} ({len(grp)})", pt.x, pt.y))
                names.append(f"{area} ({len(grp)})")
            _place_labels(target, fig, items, fontsize=6.5)
        ax.legend(
            handles=handles,
            title="Getis-Ord Gi*",
            loc="upper left",
            bbox_to_anchor=(0.0, 0.0),
            fontsize=6.5,
            title_fontsize=6.5,
            ncols=2,
            frameon=False,
        )
        png = _finish_fig(fig, attribution)
    n_hot = sum(v for k, v in counts.items() if k.lower().startswith("hot"))
    n_cold = sum(v for k, v in counts.items() if k.lower().startswith("cold"))
    alt = f"Map of {len(gdf)} LSOAs: {n_hot} {plural(n_hot, 'LSOA')} in significant hot spots" + (
        f" and {n_cold} in significant cold spots" if n_cold else ""
    )
    if names:
        alt += f", in {join_words(names)} (number of hot-spot LSOAs in brackets)"
        if inset is not None:
            alt += "; an inset enlarges the area where they are"
    return png, alt + "."


def _finish_fig(fig, note: str) -> bytes:
    fig.text(0.01, 0.005, note, fontsize=5.5, color="#333333", ha="left", va="bottom")
    return theme.figure_to_png(fig, dpi=110, trim=True)
