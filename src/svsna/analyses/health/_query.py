"""The one grouped query behind the health section (and the police peak-hour query)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.analyses._base import AnalysisContext
    from svsna.analyses.health._common import HealthSource
    from svsna.config import Period


def _derived(ctx: AnalysisContext, src: HealthSource) -> ibis.Table:
    """The source table reduced to the derived columns every facet groups by (all strings)."""
    import ibis

    t = ctx.table(src.table)
    cols = set(t.columns)
    ts = t[src.when].cast("timestamp")
    null = ibis.null().cast("string")

    def text(name: str) -> ibis.Value:
        return t[name].cast("string") if name in cols else null

    derived = {
        "_ts": ts,
        "_age": t.age.cast("int64").cast("string") if "age" in cols else null,
        "_cat": text(src.category),
        "_dist": text(src.district),
        "_wd": ts.day_of_week.index().cast("int64").cast("string"),
        "_hr": ts.hour().cast("int64").cast("string") if src.timed else null,
        "_month": (ts.year() * 100 + ts.month()).cast("int64").cast("string"),
        "_conv": t.conveyed.cast("int64").cast("string") if "conveyed" in cols else null,
    }
    return t.select(**derived)


def _facet(t: ibis.Table, source: str, facet: str, period: str, k1: str, k2: str | None = None) -> ibis.Table:
    import ibis

    keys = {"k1": t[k1]} if k2 is None else {"k1": t[k1], "k2": t[k2]}
    g = t.group_by(**keys).aggregate(n=t.count())
    if k2 is None:
        g = g.mutate(k2=ibis.null().cast("string"))
    return g.mutate(
        source=ibis.literal(source), facet=ibis.literal(facet), period=ibis.literal(period), n=g.n.cast("int64")
    ).select("source", "facet", "period", "k1", "k2", "n")


def _query(ctx: AnalysisContext, sources: list[HealthSource], periods: list[Period]) -> pd.DataFrame:
    """Every count the section needs, for every source, in one union of grouped aggregates.

    Facets: ``age`` per period (k1 = single year of age); for the profile ``district_age``
    (district, age), ``category``, ``weekday_hour`` (0 = Monday, hour or null) and ``conveyed_age``
    (ambulance); ``month`` (YYYYMM) over the trend window.
    """
    import ibis

    prof, window = ctx.profile, ctx.trend_window
    parts = []
    for src in sources:
        base = _derived(ctx, src)
        for p in periods:
            parts.append(_facet(ctx.in_period(base, "_ts", p), src.key, "age", p.label, "_age"))
        pt = ctx.in_period(base, "_ts", prof)
        parts.append(_facet(pt, src.key, "district_age", prof.label, "_dist", "_age"))
        parts.append(_facet(pt, src.key, "category", prof.label, "_cat"))
        parts.append(_facet(pt, src.key, "weekday_hour", prof.label, "_wd", "_hr"))
        if src.key == "ambulance":
            parts.append(_facet(pt, src.key, "conveyed_age", prof.label, "_conv", "_age"))
        parts.append(_facet(ctx.in_period(base, "_ts", window), src.key, "month", window.label, "_month"))
    expr = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    out = ctx.fetch(expr)
    out["n"] = out["n"].astype(int)
    return out


def police_peak_hours(ctx: AnalysisContext, definitions: list[str] | None) -> dict[str, tuple[int, int, int]]:
    """Peak clock hour of in-definition offences in the profile period, per definition, in one
    query: ``{definition: (hour, count, total)}``. Offences whose time is unknown
    (``offences.time_known`` false, when the column exists) are left out.
    """
    if not (ctx.has("offences") and ctx.has("offence_decisions")):
        return {}
    o = ctx.table("offences")
    d = ctx.table("offence_decisions")
    keep = d.included if definitions is None else d.included & d.definition.isin(definitions)
    d = d.filter(keep).select("offence_ref", "definition")
    o = ctx.in_period(o, "committed_from", ctx.profile)
    o = o.filter(o.hour.notnull())
    if "time_known" in o.columns:
        o = o.filter(o.time_known.fill_null(True))
    j = o.select("offence_ref", "hour").join(d, "offence_ref")
    by = ctx.fetch(j.group_by(definition=j.definition, hour=j.hour.cast("int64")).aggregate(n=j.count()))
    out: dict[str, tuple[int, int, int]] = {}
    for name, g in by.groupby("definition", sort=True):
        g = g.sort_values(["n", "hour"], ascending=[False, True])
        out[str(name)] = (int(g["hour"].iloc[0]), int(g["n"].iloc[0]), int(g["n"].sum()))
    return out
