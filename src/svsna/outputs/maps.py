"""Maps on real boundaries: a district choropleth of rates and an LSOA hotspot map.

Boundaries come from GeoJSON (or anything geopandas reads) supplied by the caller, e.g.
the 2011 LSOA polygons the synthetic-data helper writes to ``lsoa_boundaries.geojson``.
Columns are found by their contents, not their names: the LSOA code column is the one
whose values look like ``E01012345``; district polygons, when not supplied, are
dissolved from the LSOAs using a lookup (``lsoa_code -> district_name``) or, for 2011
LSOAs, from the district name that starts every LSOA name ("Leicester 003A").

Maps are drawn as PNG (hundreds of polygons are lighter as pixels) in the house style:
a sequential palette that reads in greyscale, hatching for hot and cold spots, labels
on districts, and hatched grey for suppressed areas.

Examples
--------
>>> district_from_lsoa_name("North West Leicestershire 012B")
'North West Leicestershire'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.outputs import theme
from svsna.outputs.wording import fmt_number

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "Boundaries",
    "choropleth",
    "district_from_lsoa_name",
    "hotspot_map",
    "load_boundaries",
]

_LSOA_CODE = re.compile(r"^[EW]010\d{5}$")
_LSOA_NAME = re.compile(r"^(.*\S)\s+\d{3}[A-Z]$")


def district_from_lsoa_name(name: str) -> str | None:
    """The district part of a 2011/2021 LSOA name, or None if it does not look like one."""
    m = _LSOA_NAME.match(str(name).strip())
    return m.group(1) if m else None


class Boundaries:
    """LSOA and district polygons in British National Grid, with standard columns.

    ``lsoa`` has ``lsoa_code``, ``district_name`` (where known) and ``geometry``;
    ``district`` has ``district_name`` and ``geometry``. Either may be None.
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
        ``lsoa_code`` and ``district_name`` columns (the warehouse geography table),
        used to dissolve districts from LSOAs.
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
        if lookup is not None and {"lsoa_code", "district_name"} <= set(lookup.columns):
            lsoa = lsoa.merge(lookup[["lsoa_code", "district_name"]].drop_duplicates(), on="lsoa_code", how="left")
        elif name is not None:
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


def _finish(fig, ax) -> bytes:
    ax.set_axis_off()
    ax.set_aspect("equal")
    return theme.figure_to_png(fig, dpi=110)


def choropleth(
    district: gpd.GeoDataFrame,
    rows: pd.DataFrame,
    *,
    value_label: str,
    classes: int = 5,
) -> tuple[bytes, str]:
    """District choropleth of ``value`` by ``breakdown_value`` (district name).

    Returns PNG bytes and alt text. Classes are equal-count (quantile) bins on the
    shown values; suppressed or missing districts are hatched grey and say so.
    """
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    vals = dict(zip(rows["breakdown_value"].astype(str), rows["value"].astype(float), strict=True))
    gdf = district.copy()
    gdf["value"] = gdf["district_name"].map(vals)
    shown = gdf["value"].dropna()
    k = max(1, min(classes, shown.nunique()))
    edges = np.unique(np.quantile(shown, np.linspace(0, 1, k + 1))) if len(shown) else np.array([0.0, 1.0])
    cmap = colormaps["cividis_r"]
    with theme.house_style():
        fig, ax = theme.new_figure(6.0, 5.2)
        handles = []
        nb = max(1, len(edges) - 1)
        for i in range(nb):
            lo_e, hi_e = edges[i], edges[min(i + 1, len(edges) - 1)]
            last = i == nb - 1
            sel = gdf["value"].between(lo_e, hi_e) if last else (gdf["value"] >= lo_e) & (gdf["value"] < hi_e)
            colour = cmap(0.1 + 0.8 * (i / max(1, nb - 1)))
            gdf[sel].plot(ax=ax, color=colour, edgecolor="#FFFFFF", linewidth=0.8)
            handles.append(
                Patch(facecolor=colour, edgecolor="#333333", label=f"{fmt_number(lo_e, 2)} to {fmt_number(hi_e, 2)}")
            )
        missing = gdf[gdf["value"].isna()]
        if len(missing):
            missing.plot(ax=ax, color="#EEEEEE", hatch="xx", edgecolor="#999999", linewidth=0.8)
            handles.append(Patch(facecolor="#EEEEEE", hatch="xx", edgecolor="#999999", label="Suppressed / no data"))
        for _, r in gdf.iterrows():
            pt = r.geometry.representative_point()
            label = r["district_name"] + ("" if np.isnan(r["value"]) else f"\n{fmt_number(r['value'], 2)}")
            ax.annotate(
                label,
                (pt.x, pt.y),
                ha="center",
                va="center",
                fontsize=6.5,
                color="#000000",
                bbox={"boxstyle": "round,pad=0.15", "fc": "#FFFFFFCC", "ec": "none"},
            )
        ax.legend(handles=handles, title=value_label, loc="lower left", fontsize=7, title_fontsize=7)
        png = _finish(fig, ax)
    ranked = shown.sort_values(ascending=False)
    names = gdf.set_index("district_name")["value"].dropna().sort_values(ascending=False)
    alt = f"Map of {len(gdf)} districts shaded by {value_label.lower()} in {nb} classes"
    if len(ranked):
        alt += (
            f"; highest {names.index[0]} ({fmt_number(names.iloc[0], 2)}), lowest {names.index[-1]} "
            f"({fmt_number(names.iloc[-1], 2)})"
        )
    if len(missing):
        alt += f"; suppressed or without data: {', '.join(missing['district_name'])}"
    return png, alt + "."


#: Gi* classes, hottest first: (match prefix, colour, hatch).
_HOT_COLD: tuple[tuple[str, str, str], ...] = (
    ("hot spot (99.9", "#B2182B", "xxx"),
    ("hot spot (99", "#D55E00", "///"),
    ("hot spot", "#F4A582", "/"),
    ("cold spot (99.9", "#2166AC", "ooo"),
    ("cold spot (99", "#0072B2", "..."),
    ("cold spot", "#92C5DE", "."),
)


def hotspot_map(
    lsoa: gpd.GeoDataFrame,
    rows: pd.DataFrame,
    *,
    district: gpd.GeoDataFrame | None = None,
) -> tuple[bytes, str]:
    """LSOAs coloured and hatched by Getis-Ord Gi* class (``significance`` column).

    ``rows`` has LSOA codes in ``breakdown_value`` and class labels such as
    ``Hot spot (99%)``, ``Cold spot (95%)`` or ``Not significant``.
    """
    from matplotlib.patches import Patch

    cls = dict(zip(rows["breakdown_value"].astype(str), rows["significance"].astype(str), strict=True))
    gdf = lsoa.copy()
    gdf["cls"] = gdf["lsoa_code"].map(cls).fillna("No data")
    counts: dict[str, int] = {}
    with theme.house_style():
        fig, ax = theme.new_figure(6.0, 5.2)
        gdf.plot(ax=ax, color="#F2F2F2", edgecolor="#CCCCCC", linewidth=0.15)
        handles = []
        taken = gdf["cls"].str.lower().map(lambda _: False)
        for prefix, colour, hatch in _HOT_COLD:
            sel = gdf["cls"].str.lower().str.startswith(prefix) & ~taken
            taken |= sel
            if sel.any():
                gdf[sel].plot(ax=ax, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.2)
                label = gdf.loc[sel, "cls"].iloc[0]
                counts[label] = int(sel.sum())
                handles.append(Patch(facecolor=colour, hatch=hatch, edgecolor="#333333", label=label))
        handles.append(Patch(facecolor="#F2F2F2", edgecolor="#CCCCCC", label="Not significant"))
        if district is not None:
            district.boundary.plot(ax=ax, color="#000000", linewidth=0.7)
        ax.legend(handles=handles, title="Getis-Ord Gi*", loc="lower left", fontsize=7, title_fontsize=7)
        png = _finish(fig, ax)
    hot = sum(v for k, v in counts.items() if k.lower().startswith("hot"))
    cold = sum(v for k, v in counts.items() if k.lower().startswith("cold"))
    alt = (
        f"Map of {len(gdf)} LSOAs showing Getis-Ord Gi* hot and cold spots: {hot} LSOAs in significant hot "
        f"spots and {cold} in significant cold spots"
    )
    if district is not None and hot:
        hot_d = gdf[gdf["cls"].str.lower().str.startswith("hot")]
        if "district_name" in hot_d and hot_d["district_name"].notna().any():
            top = hot_d["district_name"].value_counts()
            alt += f", mostly in {top.index[0]}"
    return png, alt + "."
