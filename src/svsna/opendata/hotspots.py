"""Section ``od_hotspots``: Getis-Ord Gi* hot spots of LSOA crime rates and their persistence.

For each financial year and for ``vso`` and ``combined`` the LSOA rates per 1,000 residents
are tested with the partner SNA's kit (``svsna.analyses._figures.hotspot_rows``: Getis-Ord Gi*
of ``svsna.stats`` with Benjamini-Hochberg false-discovery-rate control) on binary **queen
contiguity** weights (LSOAs sharing at least one boundary point are neighbours; Gi* includes
each LSOA itself). LSOAs without a population estimate have no rate and are left out.

Indicators (partner names where the partner SNA has the concept)
----------------------------------------------------------------
``hotspot_gi``
    ``breakdown`` = ``lsoa``, ``breakdown_value`` = the 2011 LSOA code: the Gi* z-score (value);
    ``significance`` = ``Higher`` (hot spot), ``Lower`` (cold spot) or ``Similar``, with
    ``confidence`` the level the class holds at (0.99 or 0.95). One set per assessed year.
``hotspot_persistence``
    % of the previous year's hot-spot LSOAs that are hot spots again (``period`` = the later
    year), as in the partner SNA.
``hotspot_lsoas``
    number of hot-spot LSOAs in the year (``denominator`` = LSOAs tested).
``hotspot_years``
    ``breakdown`` = ``lsoa``: in how many of the assessed years the LSOA was a hot spot
    (value), out of the number of years (denominator); ``persistent_hotspot_lsoas`` counts
    the LSOAs hot in every year.
"""

from __future__ import annotations

from svsna.analyses._figures import hotspot_rows, share_rows, stat_rows
from svsna.indicators import Finding, SectionResult, Significance, concat_indicators
from svsna.opendata.context import OpenDataContext
from svsna.opendata.findings import od_finding
from svsna.opendata.geography import area_rates
from svsna.opendata.proxy import group_for

__all__ = ["FDR_ALPHA", "HOTSPOT_GROUPS", "hotspots_section"]

FDR_ALPHA = 0.05
HOTSPOT_GROUPS = ("vso", "combined")
WEIGHTS = "queen contiguity (LSOA boundaries), binary, self included"


def hotspots_section(ctx: OpenDataContext) -> SectionResult:
    """Gi* hot spots per year and group, and how persistent they are across years."""
    import itertools

    import pandas as pd

    if ctx.ref.boundaries is None or not ctx.has_population("lsoa"):
        return SectionResult("od_hotspots", concat_indicators([]), [_not_run(ctx)])
    codes = ctx.ref.lsoa_codes
    weights = ctx._cache.get("weights")
    if weights is None:
        from svsna import stats
        from svsna.analyses._base import read_boundaries

        weights = stats.contiguity_weights(read_boundaries(ctx.ref.boundaries, codes))
        ctx._cache["weights"] = weights
    parts, findings = [], []
    hot_sets: dict[str, list[tuple[str, set[str]]]] = {key: [] for key in HOTSPOT_GROUPS}
    tested: dict[str, int] = {}
    for year in ctx.years:
        period = ctx.label(year)
        rates = area_rates(ctx, "lsoa_code", "lsoa", year)
        for key in HOTSPOT_GROUPS:
            kit = ctx.for_group(key)
            r = rates[rates["group"] == key].set_index("area_code").reindex(codes)
            ok = r["value"].notna().to_numpy()  # LSOAs without a population estimate have no rate
            if ok.sum() < 3:
                continue
            sub = r[ok]
            w = weights[ok][:, ok]
            rows, hot, _cold = hotspot_rows(
                kit, "od_hotspots", "hotspot_gi", period, list(sub.index), sub["value"].to_numpy(float),
                sub["count"].to_numpy(float), w, weights_label=WEIGHTS, kind="rate",
            )  # fmt: skip
            parts.append(rows.assign(denominator=sub["population"].to_numpy(float)))
            tested[key] = int(ok.sum())
            hot_sets[key].append((period, set(hot)))
            parts.append(
                stat_rows(
                    kit, "od_hotspots", "hotspot_lsoas", None, period, "all", "all", statistic="value", unit="LSOAs",
                    value=float(len(hot)), denominator=float(ok.sum()), method="LSOAs that are Gi* hot spots",
                )
            )  # fmt: skip
    n_years = len(ctx.years)
    window = ctx.window
    for key, sets in hot_sets.items():
        if not sets:
            continue
        kit = ctx.for_group(key)
        for (_a, h1), (b, h2) in itertools.pairwise(sets):
            parts.append(share_rows(kit, "od_hotspots", "hotspot_persistence", b, "all", "all", len(h1 & h2), len(h1)))
        years_hot = pd.Series(0, index=codes)
        for _p, hot in sets:
            years_hot[list(hot)] += 1
        parts.append(
            stat_rows(
                kit, "od_hotspots", "hotspot_years", None, window, "lsoa", codes, statistic="value", unit="years",
                value=years_hot.to_numpy(float), denominator=float(n_years), method="Years as a Gi* hot spot",
            )
        )  # fmt: skip
        persistent = [c for c in codes if years_hot[c] == n_years]
        parts.append(
            stat_rows(
                kit, "od_hotspots", "persistent_hotspot_lsoas", None, window, "all", "all", statistic="value",
                unit="LSOAs", value=float(len(persistent)), denominator=float(tested.get(key, len(codes))),
                method=f"LSOAs that were Gi* hot spots in all {n_years} years",
            )
        )  # fmt: skip
        lads = ctx.ref.geography.set_index("lsoa_code").loc[persistent, "lad_name"].value_counts()
        findings.append(
            od_finding(
                "od_hotspots", "od_persistent_hotspots", area=ctx.area, period=window, definition=key,
                value=float(len(persistent)), unit="LSOAs", statistic="value",
                significance=(Significance.HIGHER if persistent else Significance.SIMILAR).value,
                n=len(persistent), denominator=tested.get(key, len(codes)),
                indicators=("persistent_hotspot_lsoas", "hotspot_years", "hotspot_gi"), headline=key == "combined",
                group=group_for(key).label, lsoas=tested.get(key, len(codes)), fdr=FDR_ALPHA,
                top_authority=str(lads.index[0]) if len(lads) else None,
                top_authority_lsoas=int(lads.iloc[0]) if len(lads) else 0,
                by_local_authority={str(k): int(v) for k, v in lads.items()}, lsoa_codes=persistent,
                hot_by_year={p: sorted(h) for p, h in sets},
            )
        )  # fmt: skip
    return SectionResult("od_hotspots", concat_indicators(parts), findings)


def _not_run(ctx: OpenDataContext) -> Finding:
    missing = "lsoa_population" if not ctx.has_population("lsoa") else "lsoa_boundaries"
    return od_finding("od_hotspots", "hotspots_not_run", area=ctx.area, needs=missing)
