"""Geography of serious violence: areas, neighbourhoods, settings, deprivation and hot spots.

For the profile period: the rate per 1,000 residents and share of the total in each
district and county with its significance against the whole area
(``stats.compare_to_benchmark``), shares by neighbourhood policing area (all ages and
offences by under 25s), shares by location setting, counts and rates by LSOA, rates by
deprivation decile where ``imd_decile`` is supplied, and Getis-Ord Gi* hot spots on LSOA
rates (counts when LSOA populations are absent) with FDR control. Gi* is repeated for
every financial year to show how many hot spots persist from one year to the next.

Neighbours are queen contiguity from the boundaries GeoJSON given to the context; without
boundaries, the k = 6 nearest LSOA centroids (``longitude``/``latitude`` in the geography).

Examples
--------
>>> SECTION
'geography'
>>> knn_neighbours([0.0, 0.0, 10.0], [0.0, 0.1, 0.0], k=1)
{0: [1], 1: [0], 2: [0]}
"""

from __future__ import annotations

import itertools
import logging
from typing import TYPE_CHECKING, Any

from svsna.analyses._base import POLICE_REQUIRES
from svsna.analyses._figures import count_rows, rate_rows, share_rows, stat_rows, top_items
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = ["KNN", "REQUIRES", "SECTION", "knn_neighbours", "lsoa_weights", "run"]

REQUIRES = POLICE_REQUIRES
SECTION = "geography"
KNN = 6
log = logging.getLogger(__name__)


def knn_neighbours(lon: Any, lat: Any, k: int = KNN) -> dict[int, list[int]]:
    """The ``k`` nearest neighbours of each point (equirectangular distance, ties by index)."""
    import numpy as np

    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x = np.radians(lon) * np.cos(np.radians(np.nanmean(lat)))
    y = np.radians(lat)
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    np.fill_diagonal(d, np.inf)
    k = min(k, len(lon) - 1)
    out = {}
    for i in range(len(lon)):
        order = np.lexsort((np.arange(len(lon)), d[i]))
        out[i] = [int(j) for j in order[:k]]
    return out


def lsoa_weights(ctx: AnalysisContext, codes: list[str]) -> tuple[Any, str] | None:
    """Spatial weights for ``codes`` (in order) and a description, or None when impossible."""
    if ctx.boundaries is not None:
        import geopandas as gpd

        from svsna.errors import MissingInputError
        from svsna.stats import contiguity_weights

        if not ctx.boundaries.exists():
            raise MissingInputError(
                f"boundaries file {ctx.boundaries} not found; hint: give a GeoJSON of LSOA polygons"
            )
        gdf = gpd.read_file(ctx.boundaries)
        key = next((c for c in ("lsoa_code", "LSOA11CD", "lsoa11cd", "LSOA21CD", "code") if c in gdf.columns), None)
        if key is None:
            raise MissingInputError(
                f"{ctx.boundaries}: no LSOA code property (looked for lsoa_code, LSOA11CD, LSOA21CD, code); "
                f"properties found: {', '.join(map(str, gdf.columns))}"
            )
        geoms = gdf.set_index(key).geometry
        missing = [c for c in codes if c not in geoms.index]
        if missing:
            raise MissingInputError(
                f"{ctx.boundaries}: {len(missing)} LSOA(s) of the geography have no boundary, e.g. {missing[:3]}"
            )
        return contiguity_weights(geoms.loc[codes]), "queen contiguity (boundaries)"
    geo = ctx.geography_frame.set_index("lsoa_code").loc[codes]
    if geo["longitude"].isna().any() or geo["latitude"].isna().any() or len(codes) < 3:
        return None
    k = min(KNN, len(codes) - 1)
    return knn_neighbours(geo["longitude"], geo["latitude"], k), f"k-nearest neighbours (k={k}, LSOA centroids)"


def _cube(ctx: AnalysisContext) -> pd.DataFrame:
    f = ctx.window(ctx.offence_facts(), ctx.profile)
    q = f.group_by("lsoa", "district_name", "county_name", "npa", "setting", "age_group").aggregate(n=f.count())
    df = ctx.fetch(q)
    df["n"] = df["n"].astype(int)
    return df


def _areas(ctx: AnalysisContext, cube: pd.DataFrame, label: str) -> tuple[list[pd.DataFrame], list[Finding]]:
    from svsna.stats import compare_to_benchmark

    prof = ctx.profile
    total = int(cube["n"].sum())
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    whole = rate_rows(ctx, SECTION, "area_rate", label, "all", "all", total, ctx.population(prof))
    rows.append(whole)
    bench = float(whole.loc[0, "value"])
    tables = {}
    for level, col in (("county", "county_name"), ("district", "district_name")):
        pops = ctx.population_levels(prof, level)
        names = sorted(set(ctx.geography_frame[col].dropna()))
        by = cube.groupby(col)["n"].sum()
        counts = [int(by.get(n, 0)) for n in names]
        if pops:
            r = rate_rows(ctx, SECTION, "area_rate", label, level, names, counts, [pops.get(n) for n in names])
            cmp = compare_to_benchmark(r["value"], r["lower"], r["upper"], bench)
            r["significance"] = cmp["significance"].to_numpy()
            r["comparator_value"] = bench
            rows.append(r)
        else:
            log.info("geography: no %s populations; %s rates skipped", level, level)
        s = share_rows(ctx, SECTION, "area_share", label, level, names, counts, total)
        rows.append(s)
        tables[level] = (names, rows[-2] if pops else None, s)
    if total and tables["district"][1] is not None:
        names, r, s = tables["district"]
        i = int(r["value"].fillna(-1).to_numpy().argmax())
        findings.append(
            Finding(
                SECTION,
                "highest_rate_district",
                f"{names[i]} had the highest rate ({r.loc[i, 'value']:.2f} per {ctx.multiplier:,}), "
                f"{s.loc[i, 'value']:.1f}% of all offences.",
                {
                    "district": names[i],
                    "rate": float(r.loc[i, "value"]),
                    "lower": float(r.loc[i, "lower"]),
                    "upper": float(r.loc[i, "upper"]),
                    "share": float(s.loc[i, "value"]),
                    "whole_area_rate": bench,
                    "significance": str(r.loc[i, "significance"]),
                },
                significance=str(r.loc[i, "significance"]),
                period=label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("area_rate", "area_share"),
            )
        )
        geo = ctx.geography_frame[["district_name", "county_name"]].drop_duplicates()
        for county in sorted(set(geo["county_name"].dropna())):
            ds = set(geo.loc[geo.county_name == county, "district_name"])
            if len(ds) < 2:  # a unitary authority is its own only district: nothing to rank
                continue
            idx = [j for j, n in enumerate(names) if n in ds and r.loc[j, "numerator"] > 0]
            if not idx:
                continue
            j = max(idx, key=lambda j: (r.loc[j, "value"], names[j]))
            findings.append(
                Finding(
                    SECTION,
                    "highest_in_county",
                    f"{names[j]} had the highest rate in {county}.",
                    {
                        "county": county,
                        "district": names[j],
                        "rate": float(r.loc[j, "value"]),
                        "share": float(s.loc[j, "value"]),
                    },
                    significance=str(r.loc[j, "significance"]),
                    period=label,
                    area=ctx.area_label,
                    definition=ctx.definition,
                    indicators=("area_rate", "area_share"),
                )
            )
    return rows, findings


def _places(ctx: AnalysisContext, cube: pd.DataFrame, label: str) -> tuple[list[pd.DataFrame], list[Finding]]:
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    total = int(cube["n"].sum())
    npas = sorted(set(ctx.geography_frame["npa"].dropna()))
    by = cube.groupby("npa")["n"].sum()
    a = share_rows(ctx, SECTION, "npa_share", label, "npa", npas, [int(by.get(n, 0)) for n in npas], total)
    u = cube[cube.age_group == ctx.under_label]
    byu = u.groupby("npa")["n"].sum()
    b = share_rows(
        ctx,
        SECTION,
        "npa_share",
        label,
        "age_group|npa",
        [f"{ctx.under_label}|{n}" for n in npas],
        [int(byu.get(n, 0)) for n in npas],
        int(u["n"].sum()),
    )
    rows += [a, b]
    st = cube.groupby("setting")["n"].sum()
    settings = sorted(st.index, key=lambda s: (-int(st[s]), s))
    c = share_rows(ctx, SECTION, "setting_share", label, "setting", settings, [int(st[s]) for s in settings], total)
    rows.append(c)
    if total:
        findings.append(
            Finding(
                SECTION,
                "top_npa",
                f"{top_items(npas, list(a.value), 1)[0]['name']} had the largest share.",
                {"top": top_items(npas, list(a.value), 3), "under25_top": top_items(npas, list(b.value), 3)},
                period=label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("npa_share",),
            )
        )
        findings.append(
            Finding(
                SECTION,
                "top_setting",
                f"{settings[0]} was the most common setting ({c.loc[0, 'value']:.1f}%).",
                {"top": top_items(settings, list(c.value), 3)},
                period=label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("setting_share",),
            )
        )
    return rows, findings


def _lsoa_values(ctx: AnalysisContext, counts: dict[str, int], period) -> tuple[list[str], list[float], list, str]:
    codes = sorted(ctx.geography_frame["lsoa_code"].dropna().unique().tolist())
    pops = ctx.population_levels(period, "lsoa")
    n = [int(counts.get(c, 0)) for c in codes]
    if pops:
        return codes, n, [pops[c] for c in codes], "rate"
    return codes, n, [None] * len(codes), "count"


def _deprivation(ctx, cube, label) -> tuple[list[pd.DataFrame], list[Finding]]:
    geo = ctx.geography_frame
    if "imd_decile" not in geo or geo["imd_decile"].isna().all():
        return [], []
    dec = geo.set_index("lsoa_code")["imd_decile"]
    c = cube.assign(d=cube["lsoa"].map(dec)).dropna(subset=["d"])
    by = c.groupby("d")["n"].sum()
    deciles = sorted({int(x) for x in dec.dropna()})
    counts = [int(by.get(d, 0)) for d in deciles]
    pops = ctx.population_levels(ctx.profile, "imd_decile")
    if pops:
        r = rate_rows(
            ctx,
            SECTION,
            "deprivation_rate",
            label,
            "imd_decile",
            [str(d) for d in deciles],
            counts,
            [pops.get(str(d)) for d in deciles],
        )
        unit = f"per {ctx.multiplier:,}"
    else:
        r = share_rows(
            ctx, SECTION, "deprivation_rate", label, "imd_decile", [str(d) for d in deciles], counts, int(c["n"].sum())
        )
        r["method"] = "% of offences (no LSOA populations); " + r["method"]
        unit = "% of offences"
    lo, hi = r.iloc[0], r.iloc[-1]
    ratio = float(lo.value / hi.value) if hi.value else None
    f = Finding(
        SECTION,
        "deprivation_gradient",
        f"Decile {deciles[0]} (most deprived): {lo.value:.2f} {unit}; decile {deciles[-1]}: {hi.value:.2f}.",
        {"most_deprived_value": float(lo.value), "least_deprived_value": float(hi.value), "ratio": ratio, "unit": unit},
        period=label,
        area=ctx.area_label,
        definition=ctx.definition,
        indicators=("deprivation_rate",),
    )
    return [r], [f]


def _hotspots(ctx: AnalysisContext, cube: pd.DataFrame, label: str) -> tuple[list[pd.DataFrame], list[Finding]]:
    import pandas as pd

    from svsna.stats import getis_ord_gi_star

    rows: list[pd.DataFrame] = []
    by = cube.groupby("lsoa")["n"].sum()
    codes, counts, pops, kind = _lsoa_values(ctx, by.to_dict(), ctx.profile)
    rows.append(count_rows(ctx, SECTION, "lsoa_offences", label, "lsoa", codes, counts))
    if kind == "rate":
        rows.append(rate_rows(ctx, SECTION, "lsoa_rate", label, "lsoa", codes, counts, pops))
    w = lsoa_weights(ctx, codes)
    if w is None:
        log.info("geography: no boundaries or LSOA centroids; hot spots skipped")
        return rows, []
    weights, wdesc = w
    f = ctx.offence_facts()
    yearly = ctx.fetch(f.group_by("lsoa", "fin_year").aggregate(n=f.count()))
    series = [(label, ctx.profile, by.to_dict())]
    for p in ctx.periods:
        if p.kind == "financial_year":
            y = yearly[yearly["fin_year"] == p.start.year]
            series.append((p.label, p, dict(zip(y["lsoa"], y["n"].astype(int), strict=True))))
    hot_sets: list[tuple[str, set[str]]] = []
    summary = None
    for plabel, period, cnt in series:
        codes, n, pops, kind = _lsoa_values(ctx, cnt, period)
        vals = [a / b * ctx.multiplier if b else 0.0 for a, b in zip(n, pops, strict=True)] if kind == "rate" else n
        g = getis_ord_gi_star(vals, weights)
        stats = pd.DataFrame(
            {
                "numerator": n,
                "value": g["z"],
                "method": f"Getis-Ord Gi* on LSOA {kind}s, {wdesc}, Benjamini-Hochberg FDR",
                "significance": g["classification"],
            }
        )
        rows.append(stat_rows(ctx, SECTION, "hotspot_gi", stats, plabel, "lsoa", codes))
        hot = {c for c, k in zip(codes, g["classification"], strict=True) if str(k).startswith("Hot spot")}
        cold = {c for c, k in zip(codes, g["classification"], strict=True) if str(k).startswith("Cold spot")}
        if plabel == label:
            names = ctx.geography_frame.set_index("lsoa_code")["lsoa_name"]
            order = sorted(hot, key=lambda c: -float(g["z"].iloc[codes.index(c)]))
            summary = {
                "hot": len(hot),
                "cold": len(cold),
                "lsoas": len(codes),
                "top_lsoas": [str(names.get(c, c)) for c in order[:5]],
                "weights": wdesc,
            }
        elif period.kind == "financial_year":
            hot_sets.append((plabel, hot))
    persistence = None
    for (_a, h1), (b, h2) in itertools.pairwise(hot_sets):
        r = share_rows(ctx, SECTION, "hotspot_persistence", b, "all", "all", len(h1 & h2), len(h1))
        rows.append(r)
        persistence = float(r.loc[0, "value"]) if len(h1) else None
    findings = []
    if summary is not None:
        summary["persistence_pct"] = persistence
        findings.append(
            Finding(
                SECTION,
                "hotspots",
                f"{summary['hot']} LSOA hot spot(s) of serious violence.",
                summary,
                period=label,
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=("hotspot_gi", "hotspot_persistence"),
            )
        )
    return rows, findings


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the geography section for one definition."""
    label = ctx.profile.label
    cube = _cube(ctx)
    r1, f1 = _areas(ctx, cube, label)
    r2, f2 = _places(ctx, cube, label)
    r3, f3 = _deprivation(ctx, cube, label)
    r4, f4 = _hotspots(ctx, cube, label)
    return SectionResult(SECTION, concat_indicators([*r1, *r2, *r3, *r4]), [*f1, *f2, *f3, *f4])
