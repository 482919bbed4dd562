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


def _query(ctx: AnalysisContext, sources: list[HealthSource], periods: list[Period]) -> pd.DataFrame:
    """Every count the section needs, for every source, in one grouped aggregate.

    Facets: ``age`` per period (k1 = single year of age); for the profile ``district_age``
    (district, age), ``category``, ``weekday_hour`` (0 = Monday, hour or null) and ``conveyed_age``
    (ambulance); ``month`` (YYYYMM) over the trend window.

    Each source is read once: every row is repeated once per facet (``unnest`` of the facet
    numbers), keeps the copies whose period it falls in, takes that facet's keys as ``k1, k2``, and
    all copies of all sources are counted by ``(facet number, k1, k2)`` in one aggregate. A union of
    one grouped aggregate per facet (~30) costs Spark a shuffle and a generated-code stage each.
    """
    import ibis
    import pandas as pd

    from svsna.config import Period

    prof, window = ctx.profile, ctx.trend_window
    specs: list[tuple[str, str, Period, str, str | None]] = []  # (source, facet, period, k1, k2)
    for src in sources:
        specs += [(src.key, "age", p, "_age", None) for p in periods]
        specs += [
            (src.key, "district_age", prof, "_dist", "_age"),
            (src.key, "category", prof, "_cat", None),
            (src.key, "weekday_hour", prof, "_wd", "_hr"),
        ]
        if src.key == "ambulance":
            specs.append((src.key, "conveyed_age", prof, "_conv", "_age"))
        specs.append((src.key, "month", window, "_month", None))
    null = ibis.null().cast("string")
    parts = []
    for src in sources:
        base = _derived(ctx, src)
        mine = [(i, spec) for i, spec in enumerate(specs) if spec[0] == src.key]
        spans = [spec[2] for _i, spec in mine]
        span = Period(label="all", start=min(p.start for p in spans), end=max(p.end for p in spans))
        base = ctx.in_period(base, "_ts", span)
        t = base.mutate(_f=ibis.array([i for i, _spec in mine])).unnest("_f")
        inside = ibis.cases(*[(t._f == i, ctx.period_mask(t, "_ts", spec[2])) for i, spec in mine], else_=False)
        k1 = ibis.cases(*[(t._f == i, t[spec[3]]) for i, spec in mine], else_=null)
        k2 = ibis.cases(*[(t._f == i, t[spec[4]] if spec[4] else null) for i, spec in mine], else_=null)
        parts.append(t.filter(inside).select(_f=t._f.cast("int64"), k1=k1, k2=k2))
    rows = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    out = ctx.fetch(rows.group_by("_f", "k1", "k2").aggregate(n=rows.count()))
    labels = pd.DataFrame(
        [(i, src, facet, p.label) for i, (src, facet, p, _k1, _k2) in enumerate(specs)],
        columns=["_f", "source", "facet", "period"],
    )
    out = labels.merge(out.assign(_f=out["_f"].astype("int64")), on="_f").drop(columns="_f")
    out["n"] = out["n"].astype(int)
    return out[["source", "facet", "period", "k1", "k2", "n"]]


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
