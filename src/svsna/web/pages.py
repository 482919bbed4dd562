"""Page contents: the rows, tiles, tables and chart data each page shows, built from a table.

Everything here takes an :class:`~svsna.web.data.IndicatorFrame` (public, exact or scoped)
and returns plain data for the templates; nothing here reads files or knows about users,
so the same code renders the public tier and the partner tier.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from svsna.outputs.wording import join_words
from svsna.web.data import IndicatorFrame, Place, format_value

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SIGNIFICANCE_CLASS",
    "explorer_rows",
    "headline_tiles",
    "place_content",
    "section_groups",
    "sig_class",
    "sparkline",
]

SIGNIFICANCE_CLASS: dict[str, str] = {
    "better": "better",
    "worse": "worse",
    "similar": "similar",
    "higher": "higher",
    "lower": "lower",
    "increase": "higher",
    "decrease": "lower",
    "no significant change": "similar",
    "common cause": "similar",
    "special cause - high": "special-high",
    "special cause - low": "special-low",
    "hot spot (99%)": "hot",
    "hot spot (95%)": "hot",
    "cold spot (99%)": "cold",
    "cold spot (95%)": "cold",
}
_SIGNIFICANT = {
    "better",
    "worse",
    "higher",
    "lower",
    "increase",
    "decrease",
    "special cause - high",
    "special cause - low",
}

EXPLORER_SORTS: dict[str, tuple[str, ...]] = {
    "indicator": ("label", "breakdown", "start", "breakdown_value"),
    "period": ("start", "months", "label"),
    "category": ("breakdown_value", "label"),
    "value": ("value",),
    "significance": ("significance", "label"),
}
PAGE_SIZE = 100


def sig_class(sig: str) -> str:
    """CSS class suffix for a significance (``sig-better`` ...), ``""`` when none."""
    return SIGNIFICANCE_CLASS.get(str(sig).strip().lower(), "")


def is_significant(sig: str) -> bool:
    return str(sig).strip().lower() in _SIGNIFICANT or str(sig).lower().startswith("hot spot")


def _nan(x: Any) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def _ci(row: Any) -> str:
    if _nan(row.lower) or _nan(row.upper):
        return ""
    return f"{format_value(row.lower, row.kind)} to {format_value(row.upper, row.kind)}"


def _unit(row: Any) -> str:
    unit, kind = str(row.unit), str(row.kind)  # a named tuple or a pandas Series
    if (kind == "percent" and unit == "%") or unit in ("count", "nan", "None"):
        return ""
    return unit


def sparkline(frame: IndicatorFrame, row: Any, width: int = 96, height: int = 24) -> str:
    """An inline SVG of the row's series (same-length periods), with its text alternative.

    Empty when there are fewer than two points. Built from numbers only (no text from the
    table enters the SVG except through ``html.escape``).
    """
    if int(row.months) < 0:
        return ""
    pts = [(s, v, p) for s, v, p in frame.trend(row.series, int(row.months))]
    shown = [(s, v, p) for s, v, p in pts if not _nan(v)]
    if len(shown) < 2:
        return ""
    xs = [s for s, _, _ in pts]
    lo_x, hi_x = min(xs), max(xs)
    vals = [v for _, v, _ in shown]
    lo_y, hi_y = min(vals), max(vals)
    span_x = (hi_x - lo_x) or 1
    span_y = (hi_y - lo_y) or 1
    pad = 3

    def xy(s: int, v: float) -> tuple[float, float]:
        return (
            pad + (s - lo_x) / span_x * (width - 2 * pad),
            height - pad - (v - lo_y) / span_y * (height - 2 * pad),
        )

    segments: list[list[tuple[float, float]]] = [[]]
    for s, v, _ in pts:
        if _nan(v):
            segments.append([])
        else:
            segments[-1].append(xy(s, v))
    lines = "".join(
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in seg)}" />' for seg in segments if len(seg) > 1
    )
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6" />' for seg in segments for x, y in seg if len(seg) == 1)
    cur = next(((s, v) for s, v, _ in shown if s == int(row.start)), None)
    mark = ""
    if cur is not None:
        cx, cy = xy(*cur)
        mark = f'<circle class="now" cx="{cx:.1f}" cy="{cy:.1f}" r="2.6" />'
    alt = "Trend: " + ", ".join(f"{p} {format_value(v, row.kind)}" for _, v, p in pts)
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(alt)}"><title>{html.escape(alt)}</title>{lines}{dots}{mark}</svg>'
    )


def row_view(
    frame: IndicatorFrame, row: Any, *, spark: bool = True, comparator: Any = None, area_value: bool = False
) -> dict[str, Any]:
    """One table row as the templates show it (``area_value``: ``comparator`` is the whole area's
    figure for the same indicator, shown like the row's own value). ``category`` is the breakdown
    value as the report words it (``display_value``: "Saturday", "00:00-00:59", "Female, 15-19");
    ``category_key`` is the value itself."""
    from svsna.outputs.catalogue import breakdown_label, display_value

    comp = row.comparator_value if _nan(comparator) else comparator
    # the comparator of a change is its baseline count, unless it is the area's own change
    comp_kind = "count" if row.statistic == "percent_change" and not area_value else row.kind
    return {
        "section": row.section,
        "indicator": row.indicator,
        "label": row.label,
        "period": row.period,
        "breakdown": breakdown_label(row.breakdown),
        "breakdown_key": row.breakdown,
        "category": display_value(row.breakdown_value, row.breakdown),
        "category_key": row.breakdown_value,
        "value": format_value(row.value, row.kind),
        "unit": _unit(row),
        "ci": _ci(row),
        "comparator": "" if _nan(comp) else format_value(comp, comp_kind),
        # whom the comparator is: England for an area indicator compared with England, else the area
        "comparator_name": "England" if not _nan(comp) and _against_england(row) else "",
        "significance": row.significance if row.significance and row.significance != "Not compared" else "",
        "sig_class": sig_class(row.significance),
        "spark": sparkline(frame, row) if spark else "",
        "note": row.public_note or "",
        "exact": row.tier == "exact",
        "definition": row.definition,
        "place": row.place,
        "shown": bool(row.shown),
    }


def _against_england(row: Any) -> bool:
    """Whether the row's comparator is England's value (an area indicator such as Fingertips')."""
    return row.section == "risk_factors" or "england" in str(row.method).lower()


# -- explorer ------------------------------------------------------------------------------


def explorer_rows(frame: IndicatorFrame, filters: dict[str, str], sort: str, desc: bool) -> pd.DataFrame:
    """The rows of the explorer view, filtered and sorted (all pages)."""
    rows = frame.filter(**filters)
    keys = list(EXPLORER_SORTS.get(sort, ()))
    if keys:
        rows = rows.sort_values(keys, ascending=not desc, kind="stable", na_position="last")
    return rows


def explorer_csv(rows: pd.DataFrame, with_tier: bool = False) -> str:
    """The current explorer view as CSV, text cells neutralised (:mod:`svsna.cells`)."""
    import io

    from svsna.cells import neutralise_frame
    from svsna.indicators import INDICATOR_COLUMNS

    cols = [c for c in INDICATOR_COLUMNS if c in rows.columns]
    extra = [c for c in ("public_note", "tier") if c in rows.columns and (c != "tier" or with_tier)]
    out = rows[cols + extra].copy()
    if "tier" in out.columns:
        out = out.rename(columns={"tier": "figures"})
    buf = io.StringIO()
    neutralise_frame(out).to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue()


# -- overview ------------------------------------------------------------------------------

HEADLINE_INDICATORS: tuple[str, ...] = (
    "offences",
    "rate",
    "offences_change",
    "knife_share",
    "weapon_share",
    "nte_share",
    "victim_prevalence",
    "ae_count",
    "admissions_count",
)


def _latest(rows: pd.DataFrame) -> Any:
    """The row of the latest full-length period (a whole year before a part year)."""
    if not len(rows):
        return None
    dated = rows[rows["start"] >= 0]
    if len(dated):
        longest = dated["months"].max()
        full = dated[dated["months"] == longest] if longest <= 12 else dated
        twelve = dated[dated["months"] == 12]
        pick = twelve if len(twelve) else full
        return pick.sort_values(["start"]).iloc[-1]
    return rows.iloc[-1]


def _latest_end(rows: pd.DataFrame) -> Any:
    """The row whose period ends last (the longest of those on a tie)."""
    dated = rows[rows["start"] >= 0]
    if not len(dated):
        return rows.iloc[-1]
    end = dated["start"] + dated["months"]
    return dated.assign(_end=end).sort_values(["_end", "months"]).iloc[-1]


def headline_tiles(frame: IndicatorFrame, definition: str) -> list[dict[str, Any]]:
    """Key figures for the whole area: the latest full year of each headline indicator."""
    t = frame.table
    whole = t[(t["breakdown"] == "all") & (t["area"] == frame.area_label)]
    if definition:
        whole = whole[(whole["definition"] == definition) | (whole["definition"] == "")]
    tiles = []
    for ind in HEADLINE_INDICATORS:
        r = _latest(whole[whole["indicator"] == ind])
        if r is None:
            continue
        tiles.append(
            {
                "label": r["label"],
                "value": format_value(r["value"], r["kind"]),
                "unit": _unit(r),
                "period": r["period"],
                "significance": r["significance"] if is_significant(r["significance"]) else "",
                "sig_class": sig_class(r["significance"]),
                "ci": _ci(r),
                "indicator": ind,
                "section": r["section"],
            }
        )
    return tiles


def district_comparison(frame: IndicatorFrame, definition: str, indicator: str = "area_rate") -> list[dict[str, Any]]:
    """Each district's value of ``indicator`` against the whole area, for the overview map and table."""
    t = frame.table
    rows = t[(t["indicator"] == indicator) & (t["breakdown"] == "district")]
    if definition:
        rows = rows[rows["definition"] == definition]
    if not len(rows):
        return []
    latest = _latest(rows)
    rows = rows[rows["period"] == latest["period"]]
    slugs = {p.name: p.slug for p in frame.places}
    out = []
    for r in rows.itertuples(index=False):
        out.append(
            {
                **row_view(frame, r, spark=False),
                "slug": slugs.get(r.breakdown_value, ""),
                "raw": None if _nan(r.value) else round(float(r.value), 4),
            }
        )
    return sorted(out, key=lambda d: d["category"])


# -- sections ------------------------------------------------------------------------------

_SERIES_BREAKDOWNS = {"all"}
MAX_GROUP_ROWS = 30
MAX_MONTHS = 72


def _equal_periods(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of a period series a line may join: those as long as its latest full-length period
    (the financial years), in time order. A part year, or a window spanning several years, holds a
    different length of time and overlaps the years; joined to them it would read as a rise or a fall.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"period": ["2019/20", "2020/21", "Apr 2020 - Sep 2021", "2021/22 (Apr-Sep)"],
    ...                   "start": [24231, 24243, 24243, 24255], "months": [12, 12, 18, 6]})
    >>> _equal_periods(t)["period"].tolist()
    ['2019/20', '2020/21']
    """
    ref = _latest(rows)
    if ref is None or ref["start"] < 0:
        return rows
    return rows[(rows["start"] >= 0) & (rows["months"] == ref["months"])].sort_values("start")


def _line_note(shown: pd.DataFrame, drawn: pd.DataFrame) -> str:
    """What a line leaves to the table: "The line joins periods of 12 months; Apr 2020 - Sep 2021 and
    2021/22 (Apr-Sep) are in the table only (a different length of time)."; empty when it leaves nothing."""
    left = [str(p) for p in shown["period"] if p not in set(drawn["period"])]
    if not left:
        return ""
    months = int(drawn["months"].iloc[0])
    return (
        f"The line joins periods of {months} months; {join_words(left)} "
        f"{'is' if len(left) == 1 else 'are'} in the table only (a different length of time)."
    )


def section_groups(frame: IndicatorFrame, section: str, definition: str) -> list[dict[str, Any]]:
    """A section's indicators, one group per (indicator, breakdown), with rows and chart data."""
    from svsna.outputs.views import CLASSIFYING_BREAKDOWNS, by_breakdown

    rows = frame.filter(section=section, definition=definition)
    groups = []
    for (ind, bd), grp in rows.groupby(["indicator", "breakdown"], sort=False):
        line = None  # a series' periods of one length: the only ones its line joins
        if bd in _SERIES_BREAKDOWNS:
            show = grp.sort_values(["start", "months"])
            line = _equal_periods(show)
            chart_kind = "line" if len(line) > 2 else "bar"
        elif bd == "month":  # a monthly series: the longest window, month by month
            latest = _latest_end(grp)
            show = grp[grp["period"] == latest["period"]].sort_values("breakdown_value").tail(MAX_MONTHS)
            chart_kind = "line"
        else:
            latest = _latest(grp)
            show = grp[grp["period"] == latest["period"]]
            chart_kind = "bar"
        total = len(show)
        if total > MAX_GROUP_ROWS and bd != "month":
            show = show.sort_values("value", ascending=False, na_position="last").head(MAX_GROUP_ROWS)
        first = show.iloc[0]
        views = [row_view(frame, r) for r in show.itertuples(index=False)]
        # an area indicator's domain classifies it: its rows are areas (Leicester, Rutland ...), not groups
        by_area = bd in CLASSIFYING_BREAKDOWNS
        if by_area:
            for v, r in zip(views, show.itertuples(index=False), strict=True):
                v["category"] = str(r.area)
        chart = None
        # an XmR chart's limits are process limits around the mean, not a confidence interval
        spc = bd == "month" and str(first["method"]).startswith("XmR")
        if 1 < len(show) <= max(MAX_GROUP_ROWS, MAX_MONTHS) and "|" not in bd and first["kind"] != "score":
            x = "period" if bd in _SERIES_BREAKDOWNS else "category"
            drawn = line if chart_kind == "line" and line is not None else show
            note = _line_note(show, drawn) if drawn is not show else ""
            if x == "period" and chart_kind == "bar":
                drawn, note = _year_bars(show)
            # a series' points are its periods; any other chart's are the rows' categories as the table words them
            names = list(drawn["period"]) if x == "period" else [v["category"] for v in views]
            chart = {
                "kind": chart_kind,
                "x": x,
                "unit": str(first["unit"] or ""),
                "label": first["label"],
                "spc": spc,
                "points": [
                    _point(r, name, x == "period") for r, name in zip(drawn.itertuples(index=False), names, strict=True)
                ],
                "note": note,
            }
            if spc:
                chart["note"] = (
                    "The dashed lines are the mean and the process limits (mean ± 2.66 × average moving range); "
                    "a month outside the limits is special cause variation."
                )
            if any(pt["withheld"] for pt in chart["points"]):
                chart["note"] = (chart["note"] + " " if chart["note"] else "") + (
                    "Categories marked [c] are withheld to protect privacy (small numbers)."
                )
        groups.append(
            {
                "id": f"{ind}-{bd}".replace("|", "-"),
                "indicator": ind,
                "breakdown": bd,
                # the report's rule: the parts of the breakdown the label's own "by ..." does not say
                "title": by_breakdown(frame.label(ind, bd), bd, grp["breakdown_value"].astype(str)),
                "period": "" if bd in _SERIES_BREAKDOWNS else first["period"],
                "series": bd in _SERIES_BREAKDOWNS,
                "by_area": by_area,
                "rows": views,
                "total": total,
                "truncated": total > len(show),
                "chart": chart,
                "ci_label": "Process limits" if spc else "95% CI",
            }
        )
    return groups


def _point(r: Any, name: str, by_period: bool) -> dict[str, Any]:
    """One point of a chart; a part year of a count or rate is annualised (``part``), as in the PDF's
    charts, and a withheld figure is kept in its place (``withheld``) so the chart does not close the gap."""
    scale = 1.0
    part = False
    if by_period and 0 < int(r.months) < 12 and r.kind in ("count", "rate"):
        scale, part = 12.0 / int(r.months), True
    return {
        "x": f"{name} (annualised)" if part else name,
        "y": None if _nan(r.value) else float(r.value) * scale,
        "lo": None if _nan(r.lower) else float(r.lower) * scale,
        "hi": None if _nan(r.upper) else float(r.upper) * scale,
        "sig": sig_class(r.significance),
        "part": part,
        "withheld": _nan(r.value),
    }


def _year_bars(show: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The bars of a short series: its years and part years (a part year's count or rate annualised,
    see :func:`_point`), without windows longer than a year, which overlap them."""
    bars = show[(show["start"] >= 0) & (show["months"] <= 12)]
    if len(bars) < 2:
        return show, ""
    notes = []
    if ((bars["months"] < 12) & bars["kind"].isin(["count", "rate"])).any():
        notes.append(
            "The part-year bar is annualised (its figure × 12 ÷ its months) and hatched; "
            "the table has the figure itself."
        )
    left = [str(p) for p in show["period"] if p not in set(bars["period"])]
    if left:
        notes.append(f"{join_words(left)} {'is' if len(left) == 1 else 'are'} in the table only (a longer period).")
    return bars, " ".join(notes)


# -- places --------------------------------------------------------------------------------


def _first_indicator(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of one indicator (the first by name when there are several)."""
    if not len(rows):
        return rows
    return rows[rows["indicator"] == min(rows["indicator"])]


def _whole_area_value(frame: IndicatorFrame, r: Any) -> Any:
    """The whole area's row for the same indicator, period and definition (breakdown ``all``)."""
    return frame.whole_area_rows().get((r.section, r.indicator, r.period, r.definition))


def place_content(
    frame: IndicatorFrame,
    place: Place,
    definition: str,
    changes: pd.DataFrame | None,
    area_label: str,
    findings: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Everything on a place page: figures against the area, offence types, own past, hot spots, findings."""
    from svsna.outputs.catalogue import SECTION_TITLES

    t = frame.filter(place=place.name, definition=definition)
    own = t[t["breakdown"].isin(["district", "county", "area"]) | (t["area"] == place.name)]
    # a district that is also a county (a unitary authority) has the same figure twice: shown once,
    # as the district's
    named = own["breakdown"].isin(["district", "county", "area"])
    rank = own["breakdown"].map({"district": 0, "area": 1, "county": 2})
    same = ["section", "indicator", "period", "definition", "statistic", "value", "numerator"]
    kept = own[named].assign(_rank=rank[named]).sort_values("_rank", kind="stable").drop_duplicates(same)
    own = own.loc[sorted(set(kept.index) | set(own.index[~named]))]
    figures = []
    for r in own.itertuples(index=False):
        # the "area" column is the whole area's figure: a rate's or share's comparator is that figure,
        # but a change's comparator is its baseline count, so the area's own row is shown instead
        whole = _whole_area_value(frame, r)
        comp = r.comparator_value if r.statistic in ("rate", "percentage") else float("nan")
        area_value = False
        if _nan(comp) and whole is not None:
            comp, area_value = whole.value, True
        figures.append(row_view(frame, r, comparator=comp, area_value=area_value))
    # a label used in several sections (a rate by home district of perpetrators and of victims) names its section
    sections_of: dict[str, set[str]] = {}
    for f in figures:
        sections_of.setdefault(f["label"], set()).add(f["section"])
    for f in figures:
        if len(sections_of[f["label"]]) > 1:
            f["label"] = f"{f['label']} ({SECTION_TITLES.get(f['section'], f['section']).lower()})"
    figures.sort(key=lambda d: (d["section"], d["label"]))
    types = []
    for r in t[t["breakdown"].str.startswith("district|")].itertuples(index=False):
        v = row_view(frame, r)
        v["category"] = _place_part(r.breakdown_value, r.breakdown)
        types.append(v)
    # hot spots: LSOAs of the place flagged by Gi* in the latest period, and how often before
    lsoa = t[t["breakdown"] == "lsoa"]
    gi = lsoa[lsoa["indicator"] == "hotspot_gi"]
    hot: list[dict[str, Any]] = []
    map_values: dict[str, Any] = {}
    if len(gi):
        latest = _latest_end(gi)
        now = gi[gi["period"] == latest["period"]]
        flagged = gi[gi["significance"].str.lower().str.startswith("hot spot")]
        persistence = flagged.groupby("breakdown_value")["period"].nunique().to_dict()
        periods = gi["period"].nunique()
        # the LSOA rate and count of the same period, found by what they are (the analyses name them
        # ``area_rate`` / ``area_offences`` by LSOA); the public release has neither
        same = lsoa[(lsoa["period"] == latest["period"]) & (lsoa["indicator"] != "hotspot_gi")]
        rates = _first_indicator(same[same["statistic"] == "rate"])
        counts = _first_indicator(same[same["statistic"] == "count"])
        rate_by = {r.breakdown_value: r for r in rates.itertuples(index=False)}
        count_by = {r.breakdown_value: r for r in counts.itertuples(index=False)}
        for r in now.itertuples(index=False):
            rr = rate_by.get(r.breakdown_value)
            map_values[r.breakdown_value] = {
                "v": None if rr is None or _nan(rr.value) else round(float(rr.value), 3),
                "hot": str(r.significance).lower().startswith("hot spot"),
                "cls": sig_class(r.significance) or "none",
            }
            if not str(r.significance).lower().startswith("hot spot"):
                continue
            cr = count_by.get(r.breakdown_value)
            hot.append(
                {
                    "code": r.breakdown_value,
                    "significance": r.significance,
                    "sig_class": sig_class(r.significance),
                    "z": "" if _nan(r.value) else format_value(r.value, "score"),  # public: class only
                    "rate": "" if rr is None else format_value(rr.value, rr.kind),
                    "offences": "" if cr is None else format_value(cr.value, cr.kind),
                    "years": f"{persistence.get(r.breakdown_value, 0)} of {periods}",
                    "period": r.period,
                }
            )
        hot.sort(key=lambda d: d["code"])
    own_past = []
    if changes is not None and len(changes):
        mine = changes[(changes["place"] == place.name)]
        if definition:
            mine = mine[(mine["definition"] == definition) | (mine["definition"] == "")]
        mine = mine[
            mine["breakdown"].isin(["district", "county", "area"]) | mine["breakdown"].str.startswith("district|")
        ]
        own_past = change_views(mine)
    sentences = place_sentences(figures, own_past, place, area_label)
    return {
        "figures": figures,
        "types": types,
        "hot": hot,
        "map_values": map_values,
        "own_past": own_past,
        "sentences": sentences,
        "findings": [f for f in findings if isinstance(f.get("text"), str)],
    }


def _place_part(value: str, breakdown: str) -> str:
    """The part after the place of a ``district|...`` value, as the report words it.

    >>> _place_part("Melton|Sat", "district|weekday"), _place_part("Melton|Robbery", "district|offence_type")
    ('Saturday', 'Robbery')
    """
    from svsna.outputs.catalogue import display_value

    return display_value(value.split("|", 1)[-1], breakdown.split("|", 1)[-1])


def change_views(changes: pd.DataFrame) -> list[dict[str, Any]]:
    from svsna.outputs.catalogue import breakdown_label, display_value

    out = []
    for r in changes.itertuples(index=False):
        out.append(
            {
                "label": r.label,
                # the previous assessment's own wording, when it differs (another baseline year)
                "label_before": r.label_before if r.label_before != r.label else "",
                "indicator": r.indicator,
                "section": r.section,
                "breakdown": breakdown_label(r.breakdown),
                "category": _place_part(r.breakdown_value, r.breakdown)
                if r.breakdown.startswith("district|")
                else display_value(r.breakdown_value, r.breakdown),
                "place": r.place,
                "period_now": r.period_now,
                "period_before": r.period_before,
                "now": format_value(r.value_now, r.kind),
                "before": format_value(r.value_before, r.kind),
                "change": _change_words(r),
                "pp": r.kind == "percent" and not _nan(r.change),
                "test": r.test,
                "significance": r.significance if r.significance != "Not compared" else "",
                "sig_class": sig_class(r.significance),
                "significant": is_significant(r.significance),
            }
        )
    out.sort(key=lambda d: (not d["significant"], d["section"], d["label"], d["category"]))
    return out


def _change_words(r: Any) -> str:
    """A change as the pages print it: a percentage (or a change that is itself a percentage) by its
    difference in percentage points, anything else by its relative change.

    >>> from types import SimpleNamespace as R
    >>> _change_words(R(kind="percent", change=7.1 - 20.0, pct_change=-64.5)), _change_words(R(kind="percent",
    ...     change=-2.6 - 0.0, pct_change=float("nan")))
    ('-12.9 pp', '-2.6 pp')
    >>> _change_words(R(kind="count", change=-15.0, pct_change=-7.0))
    '-7.0%'
    """
    if r.kind == "percent":
        return "" if _nan(r.change) else f"{r.change:+.1f} pp"
    return "" if _nan(r.pct_change) else f"{r.pct_change:+.1f}%"


def thousands(n: Any) -> str:
    """A count as the pages print it, with a thousands separator (the ``thousands`` filter).

    >>> thousands(7928), thousands(12), thousands(None)
    ('7,928', '12', '')
    """
    try:
        return f"{int(n):,}"
    except (TypeError, ValueError):  # not a count: shown as it is, never a server error
        return "" if n is None else str(n)


def place_sentences(figures: list[dict[str, Any]], past: list[dict[str, Any]], place: Place, area: str) -> list[str]:
    """Plain sentences from the significance of the place's figures (only figures that are shown).

    The period follows the label after a comma, not in brackets: a label may end in a unit "(%)" and
    a period may carry its own "(Apr-Sep)".

    >>> fig = {"label": "Rate per 1,000 population", "period": "2021/22 (Apr-Sep)", "value": "1.55",
    ...        "unit": "offences per 1,000 residents", "significance": "Lower", "shown": True, "comparator": "2.13"}
    >>> place_sentences([fig], [], None, "LLR")[0].split(", significantly")[0]
    'Rate per 1,000 population, 2021/22 (Apr-Sep): 1.55 offences per 1,000 residents'
    >>> year = dict(fig, period="2020/21", value="2.24", comparator="3.16")
    >>> print(place_sentences([year, fig], [], None, "LLR")[0].replace(". ", ".\\n"))
    Rate per 1,000 population: significantly lower than LLR in every period shown, 2020/21 to 2021/22 (Apr-Sep).
    Latest, 2021/22 (Apr-Sep): 1.55 offences per 1,000 residents against 2.13 offences per 1,000 residents.
    """
    words = {
        "Higher": "significantly higher than",
        "Lower": "significantly lower than",
        "Worse": "significantly worse than",
        "Better": "significantly better than",
    }
    out = []
    # one sentence per figure and verdict: a rate lower than the area's in every year is said once,
    # with its latest period's figures, not once a year
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    periods_of: dict[str, list[str]] = {}
    for f in figures:
        if f["shown"]:
            periods_of.setdefault(f["label"], []).append(f["period"])
        w = words.get(f["significance"])
        if w and f["shown"] and f["comparator"]:
            groups.setdefault((f["label"], w, f.get("comparator_name") or area), []).append(f)
    for (label, w, against), fs in groups.items():
        last = fs[-1]
        unit = f" {last['unit']}" if last["unit"] else ""
        if len(fs) == 1:
            out.append(f"{label}, {last['period']}: {last['value']}{unit}, {w} {against} ({last['comparator']}{unit}).")
            continue
        periods = [f["period"] for f in fs]
        every = len(periods_of[label])
        when = (
            f"in every period shown, {periods[0]} to {periods[-1]}"
            if len(fs) == every
            else f"in {join_words(periods)}"
            if len(fs) <= 3
            else f"in {len(fs)} of the {every} periods shown"
        )
        out.append(
            f"{label}: {w} {against} {when}. Latest, {last['period']}: {last['value']}{unit} against "
            f"{last['comparator']}{unit}."
        )
    for c in past:
        if c["significant"] and c["significance"] in ("Increase", "Decrease"):
            verb = "rose" if c["significance"] == "Increase" else "fell"
            out.append(
                f"{c['label']} ({c['category']}) {verb} significantly since the last assessment: "
                f"{c['before']} ({c['period_before']}) to {c['now']} ({c['period_now']})."
            )
    return out
