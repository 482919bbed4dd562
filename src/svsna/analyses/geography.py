"""Geography of serious violence: every level and year, neighbourhoods, settings, deprivation, hot spots.

**Every year at every level.** For every geography level of ``config.geography_levels`` that
the geography carries (whole area, county, district, NPA, ward, LSOA) and every period
(the baseline year, each financial year, the part year and the profile window): offences
(``area_offences``), the share of the area's offences (``area_share``), the rate per 1,000
residents with its significance against the whole area (``area_rate``; where the population
table supplies the level) and, when ``baseline_year`` is set, the change in offences per
month against the baseline year (``area_baseline_change``). The district rows over the
financial years are the district trend (``district_trend`` finding).

For the profile period: shares by neighbourhood policing area (all ages and offences by
under 25s), shares by location setting, rates by deprivation decile where ``imd_decile`` is
supplied (when LSOA populations are absent, shares of offences under another name, in the tables
only: no finding compares deciles whose residents are not known, and a warning says why), and
Getis-Ord Gi* hot spots on LSOA rates (counts when LSOA populations are absent) with FDR
control, repeated for every financial year to show how many hot spots persist.

All counts come from **one** grouped query (period x LSOA x offence age group x setting);
every level is rolled up from it through the geography lookup.

Neighbours are queen contiguity from the boundaries GeoJSON given to the run (read once); without
boundaries, the k = 6 nearest LSOA centroids (``longitude``/``latitude`` in the geography),
found with a k-d tree (``scipy.spatial.cKDTree``). Weights are built once per run.

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

from svsna.analyses._base import POLICE_REQUIRES, unit_labels
from svsna.analyses._figures import (
    change_rows,
    count_rows,
    finding,
    fmt,
    hotspot_rows,
    numbers_from,
    plain,
    rate_rows,
    rate_unit,
    ratio_rows,
    separated,
    share_rows,
    top_items,
)
from svsna.indicators import Finding, SectionResult, Significance, concat_indicators

if TYPE_CHECKING:
    import pandas as pd

    from svsna.analyses._base import AnalysisContext
    from svsna.config import Period

__all__ = ["KNN", "LEVEL_LABELS", "REQUIRES", "SECTION", "knn_neighbours", "lsoa_weights", "run"]

REQUIRES = POLICE_REQUIRES
SECTION = "geography"
#: Offence columns this section reads from the run-wide offence facts and involvements
#: (besides ``CORE_FACT_COLUMNS``).
FACT_COLUMNS: tuple[str, ...] = ("lsoa", "setting")
KNN = 6
log = logging.getLogger(__name__)

#: level -> breakdown name in the indicator table (the whole area is ``all``).
LEVEL_LABELS: dict[str, str] = {
    "area": "all",
    "county": "county",
    "district": "district",
    "npa": "npa",
    "ward": "ward",
    "lsoa": "lsoa",
}


def knn_neighbours(lon: Any, lat: Any, k: int = KNN) -> dict[int, list[int]]:
    """The ``k`` nearest neighbours of each point (equirectangular distance, ties by index),
    found with a k-d tree (``scipy.spatial.cKDTree``): O(n log n), not an n x n matrix.

    >>> knn_neighbours([0, 1, 3], [50, 50, 50], k=1)
    {0: [1], 1: [0], 2: [1]}
    """
    import numpy as np
    from scipy.spatial import cKDTree

    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    n = len(lon)
    x = np.radians(lon) * np.cos(np.radians(np.nanmean(lat)))
    y = np.radians(lat)
    k = min(k, n - 1)
    if k <= 0:
        return {i: [] for i in range(n)}
    pts = np.column_stack([x, y])
    # ask for extra candidates so that ties at the k-th distance are broken by index
    kk = min(n, 2 * k + 1)
    dist, idx = cKDTree(pts).query(pts, k=kk)
    out = {}
    for i in range(n):
        cand = sorted((float(d), int(j)) for d, j in zip(dist[i], idx[i], strict=True) if j != i and j < n)
        out[i] = [j for _, j in cand[:k]]
    return out


def lsoa_weights(ctx: AnalysisContext, codes: list[str]) -> tuple[Any, str] | None:
    """Spatial weights for ``codes`` (in order) and a description, or None when impossible.

    Built once per run (shared by every definition and period).
    """
    key = ("weights", tuple(codes))
    store = ctx.run.cache
    if key in store:
        return store[key]
    geoms = ctx.run.boundary_geometries()
    if geoms is not None:
        from svsna.stats import contiguity_weights

        store[key] = (contiguity_weights(geoms.loc[codes]), "queen contiguity (boundaries)")
        return store[key]
    geo = ctx.geography_frame.drop_duplicates("lsoa_code").set_index("lsoa_code").loc[codes]
    if "longitude" not in geo or geo["longitude"].isna().any() or geo["latitude"].isna().any() or len(codes) < 3:
        store[key] = None
        return None
    k = min(KNN, len(codes) - 1)
    store[key] = (knn_neighbours(geo["longitude"], geo["latitude"], k), f"k-nearest neighbours (k={k}, LSOA centroids)")
    return store[key]


def _counts(ctx: AnalysisContext) -> pd.DataFrame:
    """Offences by period, LSOA, offence age group and setting: the section's one grouped query."""
    return ctx.period_counts_by(ctx.offence_facts_all(), ["lsoa", "age_group", "setting"], key="geography")


def _periods(ctx: AnalysisContext) -> list[Period]:
    return ctx.all_periods


# ------------------------------------------------------------------ every level, every period
def _levels(ctx: AnalysisContext, counts: pd.DataFrame) -> tuple[list[pd.DataFrame], list[Finding], dict]:
    """Counts, shares, rates and changes for every level and period: one call per level and kind,
    all periods together (rows ordered by period, the profile last)."""
    import numpy as np

    from svsna.stats import compare_to_benchmark

    geo = ctx.geography_frame.drop_duplicates("lsoa_code")
    periods = _periods(ctx)
    labels = [p.label for p in periods]
    base = ctx.baseline
    rows: list[pd.DataFrame] = []
    frames: dict[str, dict[str, pd.DataFrame]] = {}
    by_lsoa = counts.groupby(["period", "lsoa"], as_index=False)["n"].sum()
    totals = counts.groupby("period")["n"].sum()
    whole_rate: dict[str, float] = {}
    for p in periods:
        pop = ctx.population_levels(p, "area")
        if pop is not None and pop.get("all"):
            whole_rate[p.label] = ctx.multiplier * int(totals.get(p.label, 0)) / pop["all"]
    later = [i for i, p in enumerate(periods) if base is not None and p.label != base.label and p.start > base.start]
    for level in ctx.levels:
        bd = LEVEL_LABELS[level]
        units = ctx.denominators.level_units(level)
        unit_of = dict(zip(geo["lsoa_code"], unit_labels(geo, level, ctx.run.unit_names), strict=True))
        c = by_lsoa.assign(unit=by_lsoa["lsoa"].map(unit_of)).groupby(["period", "unit"])["n"].sum()
        if len(c):  # period x unit, zeros where nothing was recorded
            grid = c.unstack("unit", fill_value=0).reindex(index=labels, columns=units, fill_value=0)
            grid = grid.to_numpy(dtype=float)
        else:
            grid = np.zeros((len(labels), len(units)))
        n_units = len(units)
        per = [lab for lab in labels for _ in units]
        vals = units * len(labels)
        flat = grid.ravel()
        mine: dict[str, pd.DataFrame] = {}
        mine["count"] = count_rows(ctx, SECTION, "area_offences", per, bd, vals, flat, unit="offences")
        if level not in ("area", "lsoa"):  # an LSOA's share of the whole area says little: counts and rates
            tot = np.repeat([float(totals.get(lab, 0)) for lab in labels], n_units)
            mine["share"] = share_rows(ctx, SECTION, "area_share", per, bd, vals, flat, tot)
        pops = [ctx.population_levels(p, level) for p in periods]
        if all(x is not None for x in pops):
            den = np.array([[pp.get(u, 0.0) for u in units] for pp in pops], dtype=float).ravel()
            r = rate_rows(ctx, SECTION, "area_rate", per, bd, vals, flat, den)
            if level != "area":
                bench = np.repeat([whole_rate.get(lab, np.nan) for lab in labels], n_units)
                cmp = compare_to_benchmark(r["value"], r["lower"], r["upper"], bench)
                r["significance"] = cmp["significance"].to_numpy()
                r["comparator_value"] = bench
            mine["rate"] = r
        else:
            ctx.warn(
                f"no_{level}_populations",
                f"rates by {level.replace('npa', 'NPA').replace('lsoa', 'LSOA')} were not computed: the "
                "population table has no rows that add up to every unit of this level (supply LSOA "
                "mid-year estimates)",
                level=level,
            )
        if later:
            bi = labels.index(base.label)
            now = grid[later].ravel()
            before = np.tile(grid[bi], len(later))
            mine["change"] = change_rows(
                ctx,
                SECTION,
                "area_baseline_change",
                [labels[i] for i in later for _ in units],
                bd,
                units * len(later),
                now,
                before,
                exposure_now=np.repeat([periods[i].months for i in later], n_units),
                exposure_before=base.months,
                basis=f"offences per month against {base.label}",
            )
        rows.extend(mine.values())
        frames[level] = mine
    return rows, _level_findings(ctx, frames, periods), frames


def _in_period(frame: pd.DataFrame | None, period: str) -> pd.DataFrame | None:
    if frame is None:
        return None
    return frame[frame["period"] == period].reset_index(drop=True)


def _level_findings(ctx: AnalysisContext, frames: dict, periods: list[Period]) -> list[Finding]:
    findings: list[Finding] = []
    prof = ctx.profile.label
    dist = frames.get("district", {})
    r, s = _in_period(dist.get("rate"), prof), _in_period(dist.get("share"), prof)
    bench = plain(r["comparator_value"].iloc[0]) if r is not None and len(r) else None
    if r is not None and s is not None and r["numerator"].sum() > 0:
        ranked = r.assign(_v=r["value"].fillna(-1)).sort_values(["_v", "breakdown_value"], ascending=[False, True])
        top = ranked.iloc[0]
        nxt = ranked.iloc[1] if len(ranked) > 1 else None
        sh = s[s.breakdown_value == top.breakdown_value].iloc[0]
        findings.append(
            finding(
                ctx,
                SECTION,
                "highest_rate_district",
                f"{top.breakdown_value} had the highest rate ({fmt(top.value, 2)} per {ctx.multiplier:,}), "
                f"{fmt(sh.value)} % of all offences.",
                numbers_from(
                    top,
                    comparator=ctx.area_label,
                    comparator_value=bench,
                    district=top.breakdown_value,
                    rate=plain(top.value),
                    share=plain(sh.value),
                    share_lower=plain(sh.lower),
                    share_upper=plain(sh.upper),
                    whole_area_rate=bench,
                    separated=separated(top, nxt),
                    next_district=None if nxt is None else nxt.breakdown_value,
                    next_rate=None if nxt is None else plain(nxt.value),
                    next_lower=None if nxt is None else plain(nxt.lower),
                    next_upper=None if nxt is None else plain(nxt.upper),
                ),
                period=prof,
                indicators=("area_rate", "area_share"),
            )
        )
        geo = ctx.geography_frame[["district_name", "county_name"]].drop_duplicates()
        for county in sorted(set(geo["county_name"].dropna())):
            ds = set(geo.loc[geo.county_name == county, "district_name"])
            if len(ds) < 2:  # a unitary authority is its own only district: nothing to rank
                continue
            sub = ranked[ranked.breakdown_value.isin(ds) & (ranked.numerator > 0)]
            if not len(sub):
                continue
            t = sub.iloc[0]
            rest = ranked[ranked.breakdown_value.isin(ds) & (ranked.breakdown_value != t.breakdown_value)]
            n2 = rest.iloc[0] if len(rest) else None
            findings.append(
                finding(
                    ctx,
                    SECTION,
                    "highest_in_county",
                    f"{t.breakdown_value} had the highest rate in {county} ({fmt(t.value, 2)} per {ctx.multiplier:,}).",
                    numbers_from(
                        t,
                        comparator=ctx.area_label,
                        comparator_value=bench,
                        county=county,
                        district=t.breakdown_value,
                        rate=plain(t.value),
                        share=plain(s[s.breakdown_value == t.breakdown_value].iloc[0].value),
                        separated=separated(t, n2),
                        next_district=None if n2 is None else n2.breakdown_value,
                        next_rate=None if n2 is None else plain(n2.value),
                        districts=len(ds),
                    ),
                    period=prof,
                    indicators=("area_rate", "area_share"),
                )
            )
    fys = [p for p in periods if p.kind == "financial_year"]
    trend = []
    if fys and "district" in frames:
        by_period = {p.label: {k: _in_period(v, p.label) for k, v in frames["district"].items()} for p in fys}
        units = list(by_period[fys[0].label]["count"].breakdown_value)
        for i, u in enumerate(units):
            entry: dict[str, Any] = {"district": u, "periods": []}
            for p in fys:
                t = by_period[p.label]
                rate = t.get("rate")
                change = t.get("change")
                change = None if change is None or not len(change) else change
                entry["periods"].append(
                    {
                        "period": p.label,
                        "offences": int(t["count"].iloc[i].value),
                        "rate": None if rate is None else plain(rate.iloc[i].value),
                        "lower": None if rate is None else plain(rate.iloc[i].lower),
                        "upper": None if rate is None else plain(rate.iloc[i].upper),
                        "significance": None if rate is None else str(rate.iloc[i].significance),
                        "change_vs_baseline_pct": None if change is None else plain(change.iloc[i].value),
                        "change_significance": None if change is None else str(change.iloc[i].significance),
                    }
                )
            trend.append(entry)
        last = fys[-1].label
        ch = by_period[last].get("change")
        ch = None if ch is None or not len(ch) else ch
        rising = []
        falling = []
        if ch is not None:
            rising = [u for u, g in zip(ch.breakdown_value, ch.significance, strict=True) if g == "Increase"]
            falling = [u for u, g in zip(ch.breakdown_value, ch.significance, strict=True) if g == "Decrease"]
        findings.append(
            finding(
                ctx,
                SECTION,
                "district_trend",
                f"District offences and rates for {fys[0].label} to {last}"
                + (f"; changes against {ctx.baseline.label} in {last}." if ctx.baseline is not None else "."),
                numbers_from(
                    None,
                    period=last,
                    significance=Significance.NOT_COMPARED,
                    comparator=None if ctx.baseline is None else ctx.baseline.label,
                    unit=rate_unit(ctx, "offences"),
                    statistic="rate",
                    n=len(trend),
                    periods=[p.label for p in fys],
                    districts=trend,
                    increased_vs_baseline=rising,
                    decreased_vs_baseline=falling,
                    baseline_period=None if ctx.baseline is None else ctx.baseline.label,
                ),
                period=last,
                indicators=("area_offences", "area_rate", "area_baseline_change"),
            )
        )
    return findings


# ------------------------------------------------------------------ profile-period places
def _places(ctx: AnalysisContext, prof: pd.DataFrame, label: str) -> tuple[list[pd.DataFrame], list[Finding]]:
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    total = int(prof["n"].sum())
    geo = ctx.geography_frame.drop_duplicates("lsoa_code")
    npa_of = dict(zip(geo["lsoa_code"], geo["npa"], strict=True))
    cube = prof.assign(npa=prof["lsoa"].map(npa_of))
    npas = sorted(set(geo["npa"].dropna()))
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
    if total and len(a):
        ra = a.sort_values(["value", "breakdown_value"], ascending=[False, True])
        rb = b.sort_values(["value", "breakdown_value"], ascending=[False, True])
        t = ra.iloc[0]
        findings.append(
            finding(
                ctx,
                SECTION,
                "top_npa",
                f"{t.breakdown_value} had the largest share of offences ({fmt(t.value)} %).",
                numbers_from(
                    t,
                    name=t.breakdown_value,
                    separated=separated(t, ra.iloc[1]) if len(ra) > 1 else True,
                    top=top_items(npas, list(a.value), 3),
                    under25_top=top_items(npas, list(b.value), 3),
                    under25_name=npas[int(rb.index[0])] if rb.iloc[0].numerator else None,
                    under25_value=plain(rb.iloc[0].value),
                    under25_lower=plain(rb.iloc[0].lower),
                    under25_upper=plain(rb.iloc[0].upper),
                    under25_n=int(rb.iloc[0].numerator),
                    under25_denominator=int(rb.iloc[0].denominator),
                    under25_separated=separated(rb.iloc[0], rb.iloc[1]) if len(rb) > 1 else True,
                ),
                period=label,
                indicators=("npa_share",),
            )
        )
    if total and len(c):
        t = c.iloc[0]
        findings.append(
            finding(
                ctx,
                SECTION,
                "top_setting",
                f"{settings[0]} was the most common setting ({fmt(t.value)} %).",
                numbers_from(t, name=settings[0], top=top_items(settings, list(c.value), 3)),
                period=label,
                indicators=("setting_share",),
            )
        )
    return rows, findings


def _deprivation(ctx: AnalysisContext, prof: pd.DataFrame, label: str) -> tuple[list[pd.DataFrame], list[Finding]]:
    geo = ctx.geography_frame.drop_duplicates("lsoa_code")
    if "imd_decile" not in geo or geo["imd_decile"].isna().all():
        return [], []
    dec = geo.set_index("lsoa_code")["imd_decile"]
    c = prof.assign(d=prof["lsoa"].map(dec)).dropna(subset=["d"])
    by = c.groupby("d")["n"].sum()
    deciles = sorted({int(x) for x in dec.dropna()})
    counts = [int(by.get(d, 0)) for d in deciles]
    names = [str(d) for d in deciles]
    pops = ctx.population_levels(ctx.profile, "imd_decile")
    if not pops:
        # without residents per decile the shares follow how many neighbourhoods (and people) each decile
        # has, not how violent it is: shares in the tables only, no finding comparing the deciles
        r = share_rows(ctx, SECTION, "deprivation_share", label, "imd_decile", names, counts, int(c["n"].sum()))
        ctx.warn(
            "no_lsoa_populations_deprivation",
            "rates of serious violence by deprivation decile cannot be shown: the population table has no LSOA "
            "rows, so the residents of each decile are not known; the shares of offences in each decile are in "
            "the tables (deprivation_share) but are not compared, as they depend on how many neighbourhoods and "
            "residents each decile has; hint: supply LSOA mid-year estimates",
        )
        return [r], []
    r = rate_rows(ctx, SECTION, "deprivation_rate", label, "imd_decile", names, counts, [pops.get(d) for d in names])
    lo, hi = r.iloc[0], r.iloc[-1]
    pair = f"{names[0]} vs {names[-1]}"
    rr = ratio_rows(
        ctx, SECTION, "deprivation_rate_ratio", label, "imd_decile", pair, int(lo.numerator), float(lo.denominator),
        int(hi.numerator), float(hi.denominator),
    )  # fmt: skip
    rows = [r, rr]
    ratio = rr.iloc[0]
    f = finding(
        ctx,
        SECTION,
        "deprivation_gradient",
        f"Decile {deciles[0]} (most deprived): {fmt(lo.value, 2)} {lo.unit}; decile {deciles[-1]}: {fmt(hi.value, 2)}.",
        numbers_from(
            lo,
            comparator=f"decile {deciles[-1]}",
            comparator_value=plain(hi.value),
            significance=ratio.significance,
            most_deprived_decile=deciles[0],
            least_deprived_decile=deciles[-1],
            most_deprived_value=plain(lo.value),
            least_deprived_value=plain(hi.value),
            least_deprived_lower=plain(hi.lower),
            least_deprived_upper=plain(hi.upper),
            least_deprived_n=int(hi.numerator),
            ratio=plain(ratio.value),
            ratio_lower=plain(ratio.lower),
            ratio_upper=plain(ratio.upper),
            separated=separated(lo, hi),
            by_decile={d: plain(v) for d, v in zip(names, r.value, strict=True)},
        ),
        period=label,
        indicators=("deprivation_rate", "deprivation_rate_ratio"),
    )
    return rows, [f]


# ------------------------------------------------------------------ hot spots
def _lsoa_values(ctx: AnalysisContext, counts: dict[str, int], period: Period) -> tuple[list[str], list, list, str]:
    codes = ctx.denominators.level_units("lsoa")
    pops = ctx.population_levels(period, "lsoa")
    n = [int(counts.get(c, 0)) for c in codes]
    if pops:
        return codes, n, [pops[c] for c in codes], "rate"
    return codes, n, [None] * len(codes), "count"


def _hotspots(ctx: AnalysisContext, counts: pd.DataFrame) -> tuple[list[pd.DataFrame], list[Finding]]:
    label = ctx.profile.label
    rows: list[pd.DataFrame] = []
    codes = ctx.denominators.level_units("lsoa")
    w = lsoa_weights(ctx, codes)
    if w is None:
        ctx.warn(
            "no_hotspot_weights",
            "hot spots were not computed: no LSOA boundaries were given and the geography has no LSOA centroids "
            "(longitude, latitude)",
        )
        return rows, []
    weights, wdesc = w
    by = counts.groupby(["period", "lsoa"])["n"].sum()
    series = [p for p in ctx.periods if p.kind == "financial_year"] + [ctx.profile]
    hot_sets: list[tuple[str, set[str]]] = []
    summary = None
    warned = False
    for period in series:
        cnt = {lsoa: int(v) for (p, lsoa), v in by.items() if p == period.label}
        codes, n, pops, kind = _lsoa_values(ctx, cnt, period)
        if kind == "count" and not warned:
            warned = True
            ctx.warn(
                "hotspots_on_counts",
                "hot spots use LSOA offence counts, not rates: the population table has no LSOA rows",
            )
        vals = [a / b * ctx.multiplier if b else 0.0 for a, b in zip(n, pops, strict=True)] if kind == "rate" else n
        r, hot, cold = hotspot_rows(
            ctx, SECTION, "hotspot_gi", period.label, codes, vals, n, weights, weights_label=wdesc, kind=kind
        )
        rows.append(r)
        if period.label == label:
            geo = ctx.geography_frame.drop_duplicates("lsoa_code").set_index("lsoa_code")
            names = geo["lsoa_name"] if "lsoa_name" in geo.columns else {}
            place: dict[str, dict[str, int]] = {"ward": {}, "npa": {}, "district": {}}
            for code in hot:
                for level, col in (("ward", "ward_name"), ("npa", "npa"), ("district", "district_name")):
                    if col in geo.columns and code in geo.index and geo.at[code, col] == geo.at[code, col]:
                        v = str(geo.at[code, col])
                        place[level][v] = place[level].get(v, 0) + 1
            summary = {
                "hot": len(hot),
                "cold": len(cold),
                "lsoas": len(codes),
                "top_lsoas": [str(names.get(c, c)) for c in hot[:5]],
                "top_lsoa_codes": hot[:5],
                "hot_lsoa_codes": hot,
                "weights": wdesc,
                "values": kind,
                "hot_by_ward": _ranked(place["ward"]),
                "hot_by_npa": _ranked(place["npa"]),
                "hot_by_district": _ranked(place["district"]),
                "hot_99": int(((r["significance"] == "Higher") & (r["confidence"] == 0.99)).sum()),
                "hot_95": int(((r["significance"] == "Higher") & (r["confidence"] == 0.95)).sum()),
            }
        elif period.kind == "financial_year":
            hot_sets.append((period.label, set(hot)))
    persistence = None
    for (_a, h1), (b, h2) in itertools.pairwise(hot_sets):
        r = share_rows(ctx, SECTION, "hotspot_persistence", b, "all", "all", len(h1 & h2), len(h1))
        rows.append(r)
        persistence = plain(r.loc[0, "value"]) if len(h1) else None
    findings = []
    if summary is not None:
        summary["persistence_pct"] = persistence
        findings.append(
            finding(
                ctx,
                SECTION,
                "hotspots",
                f"{summary['hot']} of {summary['lsoas']} LSOAs were hot spots of serious violence in {label}.",
                numbers_from(
                    None,
                    period=label,
                    significance=Significance.HIGHER if summary["hot"] else Significance.SIMILAR,
                    value=summary["hot"],
                    unit="LSOAs",
                    statistic="count",
                    n=summary["hot"],
                    denominator=summary["lsoas"],
                    **summary,
                ),
                period=label,
                indicators=("hotspot_gi", "hotspot_persistence"),
            )
        )
    return rows, findings


def _ranked(d: dict[str, int]) -> list[dict[str, Any]]:
    return [{"name": k, "lsoas": v} for k, v in sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))]


def run(ctx: AnalysisContext) -> SectionResult:
    """Run the geography section for one definition."""
    label = ctx.profile.label
    counts = _counts(ctx)
    prof = counts[counts["period"] == label]
    r1, f1, _frames = _levels(ctx, counts)
    r2, f2 = _places(ctx, prof, label)
    r3, f3 = _deprivation(ctx, prof, label)
    r4, f4 = _hotspots(ctx, counts)
    return SectionResult(SECTION, concat_indicators([*r1, *r2, *r3, *r4]), [*f1, *f2, *f3, *f4])
