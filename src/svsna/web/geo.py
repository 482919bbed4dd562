"""Boundaries for the web maps: LSOA and district polygons as GeoJSON, made once at start-up.

The polygons come from the area's own boundary file (``area.yaml`` ``boundaries:``, e.g. the
ONS LSOA boundaries ``svsna synth`` writes), read with :func:`svsna.outputs.maps.load_boundaries`
(districts dissolved from LSOAs through the lookup), simplified and turned to WGS84 for
Leaflet. No tile server: the maps draw only these polygons, so they work offline.

Geometry only: the values a map shows are put in the page by the tier that renders it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["MapShapes", "load_shapes"]

#: the words a visitor reads where a map is not drawn (the reason is for the operator, in the log)
NO_MAP = "There is no map in this release; the table has the same figures."


@dataclass
class MapShapes:
    """GeoJSON documents (bytes) for the maps, and the LSOA names by code."""

    districts: bytes | None = None
    lsoas: dict[str, bytes] = field(default_factory=dict)  # district name -> its LSOAs
    lsoa_names: dict[str, str] = field(default_factory=dict)
    #: what a visitor reads where a map is missing (plain words); ``reason`` says why, for whoever runs the site
    note: str = ""
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.districts is not None


def _features(frame: Any, props: list[str]) -> bytes:
    feats = []
    for row in frame.itertuples(index=False):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        feats.append(
            {
                "type": "Feature",
                "properties": {p: getattr(row, p) for p in props},
                "geometry": geom.__geo_interface__,
            }
        )
    doc = {"type": "FeatureCollection", "features": feats}
    return json.dumps(doc, separators=(",", ":"), default=lambda x: round(float(x), 5)).encode()


def lsoa_names(path: str | Path | None) -> dict[str, str]:
    """LSOA code -> name from a boundary GeoJSON (without geopandas), for lookups by name."""
    if path is None or not Path(path).is_file() or Path(path).suffix.lower() not in (".geojson", ".json"):
        return {}
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for f in doc.get("features", []):
        p = f.get("properties") or {}
        code = p.get("LSOA11CD") or p.get("LSOA21CD") or p.get("lsoa_code") or p.get("lsoa11_code")
        name = p.get("LSOA11NM") or p.get("LSOA21NM") or p.get("lsoa_name")
        if code and name:
            out[str(code)] = str(name)
    return out


def _no_map(reason: str) -> MapShapes:
    """No maps: plain words for visitors, the reason for the operator (logged)."""
    logging.getLogger("svsna.web").warning(reason)
    return MapShapes(note=NO_MAP, reason=reason)


def load_shapes(boundaries: str | Path | None, lookup_lsoa: dict[str, str]) -> MapShapes:
    """Read and prepare the polygons; a missing file or geopandas gives no maps and a note saying why."""
    if boundaries is None:
        return _no_map("No boundary file is set in area.yaml (`boundaries:`), so maps are not drawn.")
    path = Path(boundaries)
    if not path.is_file():
        return _no_map(f"The boundary file {path.name} was not found, so maps are not drawn.")
    try:
        import pandas as pd

        from svsna.outputs.maps import load_boundaries
    except ImportError:  # pragma: no cover - the geo extra is part of the web install
        return _no_map("geopandas is not installed (the `geo` extra), so maps are not drawn.")
    lookup = (
        pd.DataFrame({"lsoa_code": list(lookup_lsoa), "district_name": list(lookup_lsoa.values())})
        if lookup_lsoa
        else None
    )
    b = load_boundaries({"lsoa": path}, lookup)
    shapes = MapShapes(lsoa_names=lsoa_names(path))
    if b.lsoa is not None:
        lsoa = b.lsoa.copy()
        lsoa["geometry"] = lsoa.geometry.simplify(15)
        lsoa = lsoa.to_crs(4326)
        lsoa["district_name"] = lsoa["district_name"].fillna("") if "district_name" in lsoa else ""
        lsoa["name"] = [shapes.lsoa_names.get(c, c) for c in lsoa["lsoa_code"]]
        for district, part in lsoa.groupby("district_name"):
            if district:
                shapes.lsoas[str(district)] = _features(part, ["lsoa_code", "name"])
    if b.district is not None:
        d = b.district.copy()
        d["geometry"] = d.geometry.simplify(60)
        d = d.to_crs(4326)
        shapes.districts = _features(d, ["district_name"])
    else:
        shapes.reason = "The boundaries have no district names, so the district map is not drawn."
        shapes.note = NO_MAP
        logging.getLogger("svsna.web").warning(shapes.reason)
    return shapes
