"""Indicator rows to figures and tables, chosen by the shape of the rows.

A group of rows (one indicator, one breakdown) is shown according to its breakdown and
kind, never by its name, so any indicator an analysis adds is shown without a code
change:

==================  ==========================================================
breakdown           shown as
==================  ==========================================================
``month``           SPC trend chart (limits in lower/upper, point type in significance)
``weekday|hour``    hour x weekday heat map
``hour``            hour-of-day lines, one per source (drawn once, in Timings)
``sex|age_band``    age-band pyramid by sex, plus a table
``lsoa``            hotspot map of Gi* classes (needs boundaries), else a table of hot spots
``district``        bar chart with CIs, district choropleth (needs boundaries), table
``all`` by period   bar chart of the periods with CIs (rates) or a table (counts)
``all`` single      a row in the section's key-figures table
anything else       bar chart with CIs (where limits exist) and a table
==================  ==========================================================

Examples
--------
>>> fmt_value(9.4712, "rate"), fmt_value(78.43, "percent"), fmt_value(3529.0, "count"), fmt_value(None, "rate")
('9.47', '78.4%', '3,529', '[c]')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svsna.outputs import charts, maps, theme
from svsna.outputs.catalogue import (
    breakdown_label,
    indicator_kind,
    indicator_label,
    source_line,
    unit_label,
)
from svsna.outputs.content import Cell, FigureBlock, Section, TableBlock
from svsna.outputs.theme import SIGNIFICANCE_STYLE
from svsna.outputs.wording import fmt_count, fmt_number, fmt_pct, fmt_rate

if TYPE_CHECKING:
    import pandas as pd

    from svsna.config import AreaConfig

__all__ = ["ViewContext", "add_indicator_views", "fmt_value", "hour_series"]

SUPPRESSED = "[c]"  # GSS symbol for a confidential (suppressed) value
_PLOTTED = ("breakdown_value", "period", "value", "lower", "upper", "significance", "comparator_value")


@dataclass
class ViewContext:
    """What the views need besides the rows."""

    config: AreaConfig
    edition: str  # "full" or "public"
    boundaries: maps.Boundaries | None = None
    seen: set[str] = field(default_factory=set)
    cache: dict[str, Any] = field(default_factory=dict)
    featured: set[str] | None = None
    max_public_figures: int = 3
    max_figures: int = 6

    def draw(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a chart or map function, reusing the result for identical data (editions share most charts)."""
        import hashlib
        import pickle

        import pandas as pd

        parts = [fn.__name__, repr(sorted(kwargs.items(), key=lambda kv: kv[0]))]
        for a in args:
            if isinstance(a, pd.DataFrame):
                cols = [c for c in _PLOTTED if c in a.columns]
                parts.append(a[cols].to_json(orient="split", default_handler=str))
            elif isinstance(a, dict):
                parts += [
                    f"{k}:{v[[c for c in _PLOTTED if c in v.columns]].to_json(orient='split')}" for k, v in a.items()
                ]
            else:
                parts.append(str(id(a)))
        key = hashlib.sha256(pickle.dumps(parts)).hexdigest()
        if key not in self.cache:
            self.cache[key] = fn(*args, **kwargs)
        return self.cache[key]

    @property
    def public(self) -> bool:
        return self.edition == "public"

    @property
    def area(self) -> str:
        return self.config.label


def _isnan(x: Any) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def fmt_value(v: Any, kind: str) -> str:
    """A value formatted for its kind; ``[c]`` when missing (suppressed)."""
    if _isnan(v):
        return SUPPRESSED
    v = float(v)
    if kind == "percent":
        return fmt_pct(v)
    if kind == "rate":
        return fmt_rate(v)
    if kind == "count":
        return fmt_count(v)
    return fmt_number(v, 2)


def _ci(row: Any, kind: str) -> str:
    if _isnan(row.lower) or _isnan(row.upper) or _isnan(row.value):
        return ""
    return f"{fmt_value(row.lower, kind)} to {fmt_value(row.upper, kind)}"


def _sig_cell(sig: Any) -> Cell:
    if not isinstance(sig, str) or not sig or sig.strip().lower() == "not compared":
        return Cell("")
    style = SIGNIFICANCE_STYLE.get(sig.lower())
    if style:
        return Cell(f"{style['symbol']} {sig}", cls=f"sig sig-{sig.lower()}")
    return Cell(sig.replace("_", " "))


def _number_heading(ctx: ViewContext) -> str:
    return "Number (rounded)" if ctx.public else "Number"


def _table(
    key: str, caption: str, rows: pd.DataFrame, kind: str, ctx: ViewContext, source: str, first: str
) -> TableBlock:
    has_ci = rows["lower"].notna().any() and kind != "count"
    has_num = rows["numerator"].notna().any() and kind != "count"
    sigs = rows["significance"].fillna("").astype(str).str.strip().str.lower()
    has_sig = sigs.isin(list(SIGNIFICANCE_STYLE)).any() and kind != "count"
    columns = [first, unit_label(kind, str(rows["indicator"].iloc[0])) if kind != "count" else _number_heading(ctx)]
    if has_ci:
        columns.append("95% CI")
    if has_num:
        columns.append(_number_heading(ctx))
    if has_sig:
        columns.append("Compared with benchmark")
    out = []
    for r in rows.itertuples(index=False):
        line: list[Cell | str] = [str(r.breakdown_value), Cell(fmt_value(r.value, kind), "num")]
        if has_ci:
            line.append(Cell(_ci(r, kind), "num"))
        if has_num:
            line.append(Cell(fmt_value(r.numerator, "count"), "num count"))
        if has_sig:
            line.append(_sig_cell(r.significance))
        out.append(line)
    counts = tuple(i for i, c in enumerate(columns) if c.startswith("Number"))
    note = (
        "* suppressed under the disclosure rules (see the appendix)."
        if ctx.public and any((c.text if isinstance(c, Cell) else c) == SUPPRESSED for line in out for c in line)
        else ""
    )
    return TableBlock(key, caption, columns, out, source, notes=note, count_columns=counts)


def _caption(label: str, breakdown: str, ctx: ViewContext, period: str) -> str:
    by = "" if breakdown == "all" or " by " in label.lower() else f" by {breakdown_label(breakdown).lower()}"
    return f"{label}{by}, {ctx.area} ({period})"


def _fig(key: str, caption: str, chart: charts.Chart, source: str, **kw: Any) -> FigureBlock:
    png = theme.fig_data_uri(chart.png, "png")
    if chart.svg:
        return FigureBlock(key, caption, theme.fig_data_uri(chart.svg, "svg"), chart.alt, source, print_uri=png, **kw)
    return FigureBlock(key, caption, png, chart.alt, source, **kw)


def hour_series(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Hour-of-day rows per source (police, A&E, ambulance, admissions), shares preferred."""
    hours = table[(table["breakdown"] == "hour") & ~table["indicator"].astype(str).str.startswith("nte_")]
    out: dict[str, pd.DataFrame] = {}
    for ind, rows in hours.groupby("indicator", sort=False):
        src = source_line(str(rows["section"].iloc[0]), str(ind))
        name = {"Police recorded crime": "Police"}.get(src, src.split(" (")[0])
        kind = indicator_kind(str(ind), rows["method"].iloc[0] if isinstance(rows["method"].iloc[0], str) else None)
        if name in out and kind != "percent":
            continue
        latest = rows[rows["period"] == rows["period"].iloc[-1]]
        out[name] = latest
    return out


#: Breakdowns always shown, even in the public summary (the reference's core charts).
CORE_BREAKDOWNS: frozenset[str] = frozenset({"month", "weekday|hour", "hour", "district", "lsoa", "sex|age_band"})
_SMALL = 3  # categorical groups of this many rows or fewer go into the key-figures table
#: Sections where a core breakdown is core (a monthly series is core in Timings, districts in Geography).
_CORE_SECTIONS: dict[str, frozenset[str]] = {
    "month": frozenset({"timing"}),
    "district": frozenset({"geography"}),
}


def is_core(section: str, breakdown: str) -> bool:
    """Whether a view is always shown (even in the public summary, and beyond the figure cap).

    >>> is_core("geography", "district"), is_core("victims", "district"), is_core("victims", "sex|age_band")
    (True, False, True)
    """
    if breakdown not in CORE_BREAKDOWNS:
        return False
    return section in _CORE_SECTIONS.get(breakdown, frozenset({section}))


def add_indicator_views(section: Section, rows: pd.DataFrame, table: pd.DataFrame, ctx: ViewContext) -> None:
    """Add a figure and/or table for every indicator group of ``rows`` to ``section``.

    Small groups (up to three categories, or changes over periods) become rows of the
    section's key-figures table rather than charts. In the public summary only indicators
    that a printed finding refers to are shown, besides the core views (monthly trend,
    day-and-hour heat map, hour of day, districts, hot spots, age pyramids).
    """
    singles = []
    limited = set(rows.loc[(rows["breakdown"] == "month") & rows["lower"].notna(), "indicator"])
    pyramids = set(rows.loc[rows["breakdown"].isin(["sex|age_band", "age_band|sex"]), "indicator"])
    for (ind, breakdown), grp in rows.groupby(["indicator", "breakdown"], sort=False):
        ind, breakdown = str(ind), str(breakdown)
        core = is_core(section.key, breakdown)
        if ctx.featured is not None and not core and ind not in ctx.featured:
            continue
        crowded = len(section.figures) >= (ctx.max_public_figures if ctx.public else ctx.max_figures)
        if crowded and not core:
            if ctx.public:
                continue
            if breakdown not in ("all", "month") and "|" not in breakdown:
                latest = grp[grp["period"].astype(str) == list(dict.fromkeys(grp["period"].astype(str)))[-1]]
                caption = _caption(indicator_label(ind), breakdown, ctx, str(latest["period"].iloc[0]))
                kind = indicator_kind(ind, grp["method"].iloc[0] if isinstance(grp["method"].iloc[0], str) else None)
                section.add_table(
                    _table(
                        f"{section.key}-{ind}-{breakdown}-t".replace("|", "-"),
                        caption,
                        natural_order(latest, breakdown).head(40),
                        kind,
                        ctx,
                        source_line(section.key, ind),
                        breakdown_label(breakdown),
                    )
                )
                continue
        method = grp["method"].iloc[0] if isinstance(grp["method"].iloc[0], str) else None
        kind = indicator_kind(ind, method)
        label = indicator_label(ind)
        src = source_line(section.key, ind)
        key = f"{section.key}-{ind}-{breakdown}".replace("|", "-")
        periods = list(dict.fromkeys(grp["period"].astype(str)))
        if breakdown == "all":
            if len(periods) > 1 and grp["area"].nunique() == 1 and kind in ("rate", "count"):
                _period_view(section, grp, ind, kind, label, src, key, ctx)
            else:
                singles.append(grp)
            continue
        if breakdown == "month":
            if grp["lower"].notna().any() or not limited:
                _month_view(section, grp, kind, label, src, key, ctx)
            continue
        latest = grp[grp["period"].astype(str) == periods[-1]]
        period = periods[-1]
        caption = _caption(label, breakdown, ctx, period)
        if breakdown == "age_band" and ind in pyramids:
            continue
        if len(latest) <= _SMALL and not core and "|" not in breakdown:
            singles.append(latest)
            continue
        if breakdown == "weekday|hour":
            chart = ctx.draw(
                charts.heatmap_weekday_hour, latest, value_label=unit_label(kind, ind) if kind != "count" else label
            )
            section.add_figure(_fig(key, caption, chart, src))
        elif breakdown == "hour" and not ind.startswith("nte_"):
            if "hour-lines" in ctx.seen:
                continue
            ctx.seen.add("hour-lines")
            series = hour_series(table)
            chart = ctx.draw(charts.hour_lines, series, value_label="Share of the day's total (%)")
            sources = ", ".join(
                sorted({source_line(str(r["section"].iloc[0]), str(r["indicator"].iloc[0])) for r in series.values()})
            )
            section.add_figure(_fig("hour-lines", f"Hour of day by data source, {ctx.area} ({period})", chart, sources))
        elif breakdown in ("sex|age_band", "age_band|sex"):
            who = section.title.lower()
            chart = ctx.draw(charts.pyramid, latest, value_label=unit_label(kind, ind), who=who)
            section.add_figure(_fig(key, caption, chart, src))
            if not ctx.public:
                section.add_table(_table(f"{key}-t", caption, latest, kind, ctx, src, "Sex and age band"))
        elif breakdown == "lsoa":
            _lsoa_view(section, latest, ind, caption, src, key, ctx)
        elif breakdown == "district":
            _district_view(section, latest, ind, kind, caption, src, key, ctx)
        elif breakdown == "field":
            section.add_table(_table(f"{key}-t", caption, latest, kind, ctx, src, breakdown_label(breakdown)))
        elif "|" in breakdown:
            if not ctx.public:
                _crosstab_view(section, latest, kind, caption, src, key, breakdown)
        else:
            _category_view(section, latest, ind, kind, caption, src, key, ctx, breakdown)
    if singles:
        _key_figures(section, singles, ctx)


def _period_view(section, grp, ind, kind, label, src, key, ctx) -> None:
    caption = f"{label}, {ctx.area} ({grp['period'].iloc[0]} to {grp['period'].iloc[-1]})"
    if kind in ("rate", "percent", "ratio") and grp["value"].notna().any():
        shown = grp.assign(breakdown_value=grp["period"].astype(str))
        chart = ctx.draw(
            charts.bar_ci,
            shown,
            value_label=unit_label(kind, ind),
            title_noun="period",
            unit=_unit(kind),
            horizontal=False,
        )
        section.add_figure(_fig(key, caption, chart, src))
        if ctx.public:
            return  # the chart carries the values; the table is in the full SNA
    section.add_table(
        _table(f"{key}-t", caption, grp.assign(breakdown_value=grp["period"].astype(str)), kind, ctx, src, "Period")
    )


def _unit(kind: str) -> str:
    return {"percent": "%", "count": "count", "ratio": "ratio"}.get(kind, "rate")


def _month_view(section, grp, kind, label, src, key, ctx) -> None:
    months = grp.sort_values("breakdown_value")
    first, last = str(months["breakdown_value"].iloc[0]), str(months["breakdown_value"].iloc[-1])
    events = [(e.date.strftime("%Y-%m"), e.label) for e in ctx.config.events]
    chart = ctx.draw(
        charts.spc_trend, months, value_label=label if kind == "count" else unit_label(kind), events=events
    )
    has_limits = months["lower"].notna().any()
    what = "with statistical process control limits" if has_limits else "by month"
    caption = f"{label} {what}, {ctx.area} ({first} to {last})"
    notes = (
        ""
        if not has_limits
        else (
            "Mean and process limits (mean ± 2.66 × average moving range) from the XmR method of NHS "
            "'Making Data Count'; triangles mark special-cause months."
        )
    )
    if ctx.public:
        notes += " Monthly counts are rounded to the nearest 5; the limits were computed on unrounded counts."
    section.add_figure(_fig(key, caption, chart, src, notes=notes, wide=True))


def _district_view(section, rows, ind, kind, caption, src, key, ctx) -> None:
    if kind != "count":
        chart = ctx.draw(
            charts.bar_ci,
            rows.sort_values("value", ascending=False),
            value_label=unit_label(kind, ind),
            title_noun="district",
            unit=_unit(kind),
        )
        section.add_figure(_fig(key, caption, chart, src))
        geo = section.key == "geography"
        if ctx.boundaries is not None and ctx.boundaries.district is not None and kind == "rate" and geo:
            png, alt = ctx.draw(maps.choropleth, ctx.boundaries.district, rows, value_label=unit_label(kind, ind))
            section.add_figure(
                FigureBlock(
                    f"{key}-map", f"Map: {caption[0].lower()}{caption[1:]}", theme.fig_data_uri(png, "png"), alt, src
                )
            )
    if ctx.public and section.key != "geography" and kind != "count":
        return
    section.add_table(
        _table(
            f"{key}-t",
            caption,
            rows.sort_values("value", ascending=False, na_position="last"),
            kind,
            ctx,
            src,
            "District",
        )
    )


def _gi_class(significance: object, confidence: object) -> str:
    """Map label of a Gi* row: the analyses give ``Higher``/``Lower``/``Similar`` and the level in ``confidence``.

    >>> _gi_class("Higher", 0.99), _gi_class("Lower", 0.95), _gi_class("Similar", 0.95)
    ('Hot spot (99%)', 'Cold spot (95%)', 'Not significant')
    """
    level = f"{100 * float(confidence):g}%" if isinstance(confidence, int | float) and confidence == confidence else ""
    if significance == "Higher":
        return f"Hot spot ({level})"
    if significance == "Lower":
        return f"Cold spot ({level})"
    return "Not significant" if significance in ("Similar", "Not compared") else str(significance)


def _lsoa_view(section, rows, ind, caption, src, key, ctx) -> None:
    if ind == "hotspot_gi":
        rows = rows.assign(
            significance=[_gi_class(s, c) for s, c in zip(rows.significance, rows.confidence, strict=True)]
        )
    classes = rows["significance"].fillna("").astype(str).str.lower()
    if not classes.str.startswith(("hot", "cold")).any():
        return  # counts or rates by LSOA are too fine-grained for the report: see the workbook
    if ctx.boundaries is not None and ctx.boundaries.lsoa is not None:
        png, alt = ctx.draw(maps.hotspot_map, ctx.boundaries.lsoa, rows, district=ctx.boundaries.district)
        notes = (
            "Getis-Ord Gi* statistic on LSOA counts; classes at 95%, 99% and 99.9% confidence. Classes are "
            "shown, not counts."
        )
        section.add_figure(
            FigureBlock(
                f"{key}-map",
                f"Hot and cold spots (Getis-Ord Gi*) by LSOA, {ctx.area}",
                theme.fig_data_uri(png, "png"),
                alt,
                src,
                notes=notes,
                wide=True,
            )
        )
        return
    hot = rows[rows["significance"].fillna("").str.lower().str.startswith("hot")]
    if len(hot):
        hot = hot.sort_values("value", ascending=False).head(20)
        t = TableBlock(
            f"{key}-t",
            f"LSOAs in significant hot spots (top {len(hot)}), {ctx.area}",
            ["LSOA", "Gi* z-score", "Class"],
            [
                [str(r.breakdown_value), Cell(fmt_number(r.value, 2), "num"), str(r.significance)]
                for r in hot.itertuples(index=False)
            ],
            src,
            notes="No boundaries were supplied, so the hotspot map is not drawn.",
        )
        section.add_table(t)
    else:
        section.notes.append("No LSOA was in a significant hot spot.")


_WEEKDAY_ORDER = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}


def _order_key(rows: pd.DataFrame, breakdown: str) -> pd.Series | None:
    """A sort key for categories with a natural order (weekdays, numbers, age bands), else None."""
    from svsna.outputs.charts import _band_start

    vals = rows["breakdown_value"].astype(str)
    if vals.str[:3].str.lower().isin(list(_WEEKDAY_ORDER)).all():
        return vals.str[:3].str.lower().map(_WEEKDAY_ORDER)
    if vals.str.fullmatch(r"\d+(\.\d+)?").all():
        nums = vals.astype(float)
        if breakdown == "hour" and nums.max() >= 22 and nums.min() <= 4 and not nums.between(8, 17).any():
            return nums.where(nums >= 12, nums + 24)  # a night window (22:00-05:00) reads from evening to morning
        return nums
    if (
        breakdown in ("age_band", "age_group")
        or vals.str.match(r"^(\d+\s*-\s*\d+|\d+\+|under|\d+ and over)", case=False).all()
    ):
        return vals.map(_band_start)
    return None


def natural_order(rows: pd.DataFrame, breakdown: str) -> pd.DataFrame:
    """Rows in the natural order of their categories: weekdays, hours, ages, bands, deciles;
    other categories by value, largest first."""
    key = _order_key(rows, breakdown)
    if key is None:
        return rows.sort_values("value", ascending=False, na_position="last")
    return rows.assign(_k=key.to_numpy()).sort_values("_k").drop(columns="_k")


def _crosstab_view(section, rows, kind, caption, src, key, breakdown) -> None:
    """A two-way breakdown (``a|b``) as a table: first part down, second part across."""
    parts = rows["breakdown_value"].astype(str).str.split("|", n=1, expand=True)
    if parts.shape[1] < 2:
        return
    a_name, b_name = breakdown.split("|", 1)
    frame = rows.assign(_a=parts[0].to_numpy(), _b=parts[1].to_numpy())
    cols = list(dict.fromkeys(frame["_b"]))
    if len(cols) > 12:
        frame = frame.rename(columns={"_a": "_b", "_b": "_a"})
        cols = list(dict.fromkeys(frame["_b"]))
        a_name, b_name = b_name, a_name
    if len(cols) > 12:
        return  # too wide to read here: it is in the workbook's Indicators sheet
    out = []
    for a, grp in frame.groupby("_a", sort=False):
        by_b = dict(zip(grp["_b"], grp["value"], strict=True))
        out.append([str(a), *[Cell(fmt_value(by_b.get(b), kind), "num") for b in cols]])
    section.add_table(TableBlock(f"{key}-t", caption, [breakdown_label(a_name), *cols], out, src))


_TOP = 12


def _category_view(section, rows, ind, kind, caption, src, key, ctx, breakdown) -> None:
    ordered = natural_order(rows, breakdown)
    if len(ordered) > _TOP and _order_key(rows, breakdown) is None:
        ordered = ordered.head(_TOP)
        caption = f"{caption}, largest {_TOP}"
    rows = ordered
    if len(rows) <= 40 and rows["value"].notna().any() and kind in ("rate", "percent", "ratio", "count"):
        chart = ctx.draw(
            charts.bar_ci,
            ordered,
            value_label=unit_label(kind, ind) if kind != "count" else "Number",
            title_noun=breakdown_label(breakdown).lower(),
            unit=_unit(kind),
        )
        section.add_figure(_fig(key, caption, chart, src))
        rows = ordered
        if ctx.public:
            return
    section.add_table(_table(f"{key}-t", caption, rows.head(40), kind, ctx, src, breakdown_label(breakdown)))


def _key_figures(section: Section, groups: list[pd.DataFrame], ctx: ViewContext) -> None:
    if section.key == "risk_factors":
        section.add_table(risk_factor_table(groups, ctx))
        return
    out = []
    for grp in groups:
        for r in grp.itertuples(index=False):
            kind = indicator_kind(str(r.indicator), r.method if isinstance(r.method, str) else None)
            group = "" if str(r.breakdown_value) == "all" else str(r.breakdown_value)
            line: list[Cell | str] = [
                indicator_label(str(r.indicator)),
                group,
                str(r.period),
                Cell(fmt_value(r.value, kind), "num count" if kind == "count" else "num"),
                Cell(_ci(r, kind), "num"),
                Cell("" if kind == "count" or _isnan(r.numerator) else fmt_value(r.numerator, "count"), "num count"),
                _sig_cell(r.significance),
            ]
            out.append(line)
    src = source_line(section.key, str(groups[0]["indicator"].iloc[0]))
    section.add_table(
        TableBlock(
            f"{section.key}-key",
            f"Key figures: {section.title.lower()}, {ctx.area}",
            ["Indicator", "Group", "Period", "Value", "95% CI", _number_heading(ctx), "Compared with"],
            out,
            src,
            notes="Counts are rounded and small numbers shown as [c] (see the appendix)." if ctx.public else "",
        )
    )


def risk_factor_table(groups: list[pd.DataFrame], ctx: ViewContext) -> TableBlock:
    """Fingertips-style table: one row per indicator, one column per area, marked by significance."""
    import pandas as pd

    rows = pd.concat(groups, ignore_index=True)
    areas = list(dict.fromkeys(rows["area"].astype(str)))
    out = []
    for ind, grp in rows.groupby("indicator", sort=False):
        kind = indicator_kind(str(ind), grp["method"].iloc[0] if isinstance(grp["method"].iloc[0], str) else None)
        comp = grp["comparator_value"].dropna()
        line: list[Cell | str] = [
            indicator_label(str(ind)),
            str(grp["period"].iloc[0]),
            Cell(fmt_value(comp.iloc[0] if len(comp) else None, kind), "num"),
        ]
        by_area = {str(r.area): r for r in grp.itertuples(index=False)}
        for a in areas:
            r = by_area.get(a)
            if r is None:
                line.append(Cell("", "num"))
                continue
            sig = str(r.significance).lower() if isinstance(r.significance, str) else ""
            style = SIGNIFICANCE_STYLE.get(sig)
            marker = style["symbol"] if style else ""
            line.append(Cell(fmt_value(r.value, kind), f"num sig sig-{sig}" if style else "num", marker))
        out.append(line)
    legend = (
        "▲ significantly higher than England; ▼ significantly lower; ✗ significantly worse; ✓ significantly "
        "better; ● not significantly different (England's value inside the area's 95% confidence interval)."
    )
    return TableBlock(
        "risk-factors",
        f"Risk and protective factors compared with England, {ctx.area}",
        ["Indicator", "Period", "England", *areas],
        out,
        "OHID Fingertips, DfE and ONS indicators",
        notes=legend,
    )
