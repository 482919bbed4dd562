"""Charts in the svsna house style, each returned as image bytes plus its alt text.

Every function takes a small pandas frame of indicator-table rows (already filtered to
one indicator and breakdown, and already disclosure-controlled for the public edition),
draws one chart and returns a :class:`Chart`: the PNG (and SVG when asked for), the alt
text describing what the chart shows, and the value labels it printed with their text and
background colours (so a test can check their contrast). Missing values (suppressed
cells) are drawn as gaps (an open diamond beside the axis where a bar or line point would
be) or, in a heat map, white with grey hatching, named in the alt text and keyed in the
legend; a chart never invents a value, and never draws a suppressed one as a bar.

Rules every chart keeps:

- value labels sit outside the bars, in near-black on white (WCAG AA contrast), never rotated;
- a ratio is drawn on a logarithmic axis with a line at 1 (no difference); confidence
  intervals that run beyond the axis are cut at the edge and marked with an arrow head;
- one period length per axis: a part-year bar among financial years is annualised,
  hatched and labelled so (see :func:`bar_ci`'s ``annualised``);
- hatching means "suppressed or no data" and nothing else, and the legend says so.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"breakdown_value": ["A", "B"], "value": [2.0, 1.0],
...                      "lower": [1.5, 0.8], "upper": [2.6, 1.3]})
>>> c = bar_ci(rows, value_label="Rate per 1,000", title_noun="area")
>>> c.png[1:4] == b"PNG" and "A 2.00" in c.alt
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svsna.outputs import theme
from svsna.outputs.wording import fmt_count, fmt_number, fmt_pct, hour_range, join_words, month_words

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import pandas as pd

__all__ = [
    "WEEKDAYS",
    "Chart",
    "age_band_columns",
    "bar_ci",
    "heatmap_weekday_hour",
    "hour_lines",
    "pyramid",
    "ratio_chart",
    "ratio_limits",
    "spc_trend",
]

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SEX = {"m": "M", "male": "M", "f": "F", "female": "F"}
_WHITE = "#FFFFFF"


@dataclass(frozen=True)
class Chart:
    """One rendered chart: SVG bytes (HTML, optional), PNG bytes and a text alternative.

    ``labels`` lists every value label drawn as ``(text, text colour, background colour)``.
    """

    svg: bytes
    alt: str
    png: bytes = b""
    labels: tuple[tuple[str, str, str], ...] = field(default=())


def _num(x: object) -> float | None:
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _fmt(x: float | None, unit: str) -> str:
    if unit == "%":
        return fmt_pct(x)
    if unit == "count":
        return fmt_count(x)
    return fmt_number(x, 2)


def _labels(df: pd.DataFrame) -> list[str]:
    col = "label" if "label" in df.columns else "breakdown_value"
    return [str(v) for v in df[col]]


def bar_ci(
    rows: pd.DataFrame,
    *,
    value_label: str,
    title_noun: str,
    unit: str = "rate",
    horizontal: bool = True,
    order: Sequence[str] | None = None,
    annualised: Sequence[bool] | None = None,
    comparator_label: str = "",
    ci_label: str = "95% confidence intervals",
    part_words: str = "annualised",
) -> Chart:
    """Bars with confidence-interval whiskers, one per ``breakdown_value`` (or ``label``).

    Bars are coloured by ``significance`` when present (as in Fingertips, with a legend) and
    a dashed line marks ``comparator_value`` when one is given (``comparator_label`` names
    it). Values are printed beside the bars in dark text on white. Suppressed values
    (missing) are labelled "suppressed" and left out. ``annualised`` marks bars whose
    values were scaled to a year (part-year periods among full years): they are hatched
    dots and the legend says so. ``part_words`` says what was done to them ("annualised"; ""
    for a share of the part year's own months, which needs no scaling).
    """
    import numpy as np

    df = rows.copy()
    if order is not None:
        df["_o"] = df["breakdown_value"].map({v: i for i, v in enumerate(order)})
        df = df.sort_values("_o")
    labels = _labels(df)
    values = [_num(v) for v in df["value"]]
    lows = [_num(v) for v in df.get("lower", [None] * len(df))]
    highs = [_num(v) for v in df.get("upper", [None] * len(df))]
    sigs = [str(s).lower() if isinstance(s, str) else "" for s in df.get("significance", [""] * len(df))]
    comps = [c for c in (_num(v) for v in df.get("comparator_value", [])) if c is not None]
    part = list(annualised) if annualised is not None else [False] * len(df)
    n = len(labels)
    printed: list[tuple[str, str, str]] = []
    with theme.house_style():
        if horizontal:
            fig, ax = theme.new_figure(6.4, max(1.5, 0.3 * n + 0.8))
        else:
            fig, ax = theme.new_figure(6.4, 2.9)
        pos = np.arange(n)
        heights = [v if v is not None else 0.0 for v in values]
        colours = []
        for s in sigs:
            style = theme.SIGNIFICANCE_STYLE.get(s)
            colours.append(style["colour"] if style else theme.OKABE_ITO["blue"])
        draw = ax.barh if horizontal else ax.bar
        size = {"height": 0.7} if horizontal else {"width": 0.7}
        bars = draw(pos, heights, color=colours, edgecolor="#333333", linewidth=0.5, **size)
        for bar, v, p in zip(bars, values, part, strict=True):
            if v is None:
                bar.set_visible(False)
            elif p:
                bar.set_facecolor("#A6CEE3")
                bar.set_hatch("..")
        if horizontal:
            ax.set_yticks(pos, labels)
            ax.invert_yaxis()
            ax.set_xlabel(value_label)
            ax.grid(axis="x")
            ax.grid(axis="y", visible=False)
        else:
            ax.set_xticks(pos, _wrap_ticks(labels))
            ax.set_ylabel(value_label)
        err = [
            (i, v, lo, hi)
            for i, (v, lo, hi) in enumerate(zip(values, lows, highs, strict=True))
            if None not in (v, lo, hi)
        ]
        if err:
            kw = {"fmt": "none", "ecolor": "#000000", "elinewidth": 0.9, "capsize": 2.5}
            ix = [e[0] for e in err]
            vv = [e[1] for e in err]
            spread = [[max(e[1] - e[2], 0) for e in err], [max(e[3] - e[1], 0) for e in err]]
            if horizontal:
                ax.errorbar(vv, ix, xerr=spread, **kw)
            else:
                ax.errorbar(ix, vv, yerr=spread, **kw)
        # a label sits beyond the end of its bar and interval: to the right (or above) for a positive
        # value, to the left (or below) for a negative one (e.g. a fall in a change chart)
        ends = []
        for v, lo, hi in zip(values, lows, highs, strict=True):
            if v is None:
                ends.append(0.0)
            elif v >= 0:
                ends.append(max(v, hi) if hi is not None else v)
            else:
                ends.append(min(v, lo) if lo is not None else v)
        # the axis takes in every interval, so no whisker runs off it (a fall's interval may reach above 0)
        reach = [x for x in (*ends, *lows, *highs) if x is not None]
        top = max([e for e in reach if e > 0] + [1e-9])
        bottom = min([e for e in reach if e < 0] + [0.0])
        for i, v in enumerate(values):
            text = "suppressed" if v is None else _fmt(v, unit)
            at = ends[i]
            neg = v is not None and v < 0
            if horizontal:
                ax.annotate(
                    text,
                    (at, i),
                    xytext=(-3 if neg else 3, 0),
                    textcoords="offset points",
                    va="center",
                    ha="right" if neg else "left",
                    fontsize=7,
                    color=theme.TEXT_COLOUR,
                )
            else:
                ax.annotate(
                    text,
                    (i, at),
                    xytext=(0, -3 if neg else 3),
                    textcoords="offset points",
                    ha="center",
                    va="top" if neg else "bottom",
                    fontsize=7,
                    color=theme.TEXT_COLOUR,
                )
            printed.append((text, theme.TEXT_COLOUR, _WHITE))
        span = top - bottom
        if horizontal:
            ax.set_xlim(bottom - (0.22 * span if bottom < 0 else 0), top + 0.22 * span)
        else:
            ax.set_ylim(bottom - (0.18 * span if bottom < 0 else 0), top + 0.18 * span)
        if bottom < 0:
            (ax.axvline if horizontal else ax.axhline)(0, color="#000000", linewidth=0.8)
        if len(set(comps)) == 1:
            c = comps[0]
            line = ax.axvline if horizontal else ax.axhline
            line(c, color="#000000", linestyle="--", linewidth=1)
            name = f"{comparator_label} {_fmt(c, unit)}".strip() if comparator_label else f"comparator {_fmt(c, unit)}"
            ax.annotate(
                name,
                (c, 1.0) if horizontal else (1.0, c),
                xycoords=("data", "axes fraction") if horizontal else ("axes fraction", "data"),
                xytext=(2, 2),
                textcoords="offset points",
                fontsize=7,
                va="bottom",
                ha="left" if horizontal else "right",
                color=theme.TEXT_COLOUR,
                annotation_clip=False,
            )
            printed.append((name, theme.TEXT_COLOUR, _WHITE))
        parted = any(p and v is not None for p, v in zip(part, values, strict=True))
        _legend(ax, sigs, parted, horizontal, part_words=part_words)
        svg, png = theme.render_both(fig)
    shown = [(lab, v) for lab, v in zip(labels, values, strict=True) if v is not None]
    parts = [
        f"{lab} {_fmt(v, unit)}" + (f" ({part_words or 'part year'})" if p else "")
        for (lab, v), p in zip(shown, [p for p, v in zip(part, values, strict=True) if v is not None], strict=True)
    ]
    hidden = [lab for lab, v in zip(labels, values, strict=True) if v is None]
    alt = f"Bar chart of {value_label[:1].lower() + value_label[1:]} by {title_noun}" + (
        f", with {ci_label}: {'; '.join(parts)}." if any(lo is not None for lo in lows) else f": {'; '.join(parts)}."
    )
    if hidden:
        alt += f" Suppressed: {', '.join(hidden)}."
    return Chart(svg, alt, png, tuple(printed))


def _wrap_ticks(labels: Sequence[str], width: int = 14) -> list[str]:
    import textwrap

    return ["\n".join(textwrap.wrap(lab, width)) or lab for lab in labels]


def _legend(
    ax, sigs: Sequence[str], annualised: bool = False, horizontal: bool = True, part_words: str = "annualised"
) -> None:
    from matplotlib.patches import Patch

    present = [s for s in dict.fromkeys(sigs) if s in theme.SIGNIFICANCE_STYLE]
    handles = [
        Patch(
            facecolor=theme.SIGNIFICANCE_STYLE[s]["colour"],
            edgecolor="#333333",
            label=theme.SIGNIFICANCE_STYLE[s]["label"],
        )
        for s in present
    ]
    if annualised:
        label = f"Part year, {part_words}" if part_words else "Part year"
        handles.append(Patch(facecolor="#A6CEE3", hatch="..", edgecolor="#333333", label=label))
    if handles:
        height = ax.get_position().height * ax.figure.get_figheight()  # inches
        gap = (0.5 if horizontal else 0.62) / max(height, 0.5)  # below the tick labels and axis title
        ax.legend(
            handles=handles, loc="upper center", bbox_to_anchor=(0.5, -gap), ncols=min(3, len(handles)), fontsize=7
        )


def ratio_chart(
    rows: pd.DataFrame,
    *,
    value_label: str,
    title_noun: str,
    ci_label: str = "95% confidence intervals",
) -> Chart:
    """Rate ratios as points with confidence intervals on a logarithmic axis, a line at 1.

    The axis spans the point estimates (and 1) with room around them; an interval running
    beyond the axis is cut at the edge and ends in an arrow head, so one very wide
    interval (a handful of events) cannot squash the others. Ratios of zero (no events in
    the numerator group) and suppressed ratios cannot sit on a log axis: they are listed
    beside the chart as such. Each row's value and interval are printed at the right.
    """

    labels = _labels(rows)
    values = [_num(v) for v in rows["value"]]
    lows = [_num(v) for v in rows.get("lower", [None] * len(rows))]
    highs = [_num(v) for v in rows.get("upper", [None] * len(rows))]
    printed: list[tuple[str, str, str]] = []
    n = len(labels)
    lo_lim, hi_lim = ratio_limits(values, lows, highs)
    with theme.house_style():
        fig, ax = theme.new_figure(6.4, max(1.6, 0.32 * n + 0.9))
        ax.set_xscale("log")
        ax.set_xlim(lo_lim, hi_lim)
        ax.axvline(1.0, color="#000000", linewidth=1, linestyle="-")
        clipped = False
        sig_any = nonsig_any = False
        for i, (v, lo, hi) in enumerate(zip(values, lows, highs, strict=True)):
            if v is None or v <= 0:
                text = "suppressed" if v is None else "0 (no events in one group)"
                ax.annotate(
                    text,
                    (lo_lim, i),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                    color=theme.TEXT_COLOUR,
                )
                printed.append((text, theme.TEXT_COLOUR, _WHITE))
                continue
            significant = lo is not None and hi is not None and (lo > 1 or hi < 1)
            colour = theme.OKABE_ITO["vermillion"] if significant else "#595959"
            sig_any |= significant
            nonsig_any |= not significant
            if lo is not None and hi is not None:
                a, b = max(lo, lo_lim), min(hi, hi_lim)
                ax.plot([a, b], [i, i], color="#000000", linewidth=1.0, solid_capstyle="butt")
                for end, cut, marker in ((lo, lo < lo_lim, "<"), (hi, hi > hi_lim, ">")):
                    if cut:
                        clipped = True
                        ax.plot(
                            [lo_lim if marker == "<" else hi_lim],
                            [i],
                            marker=marker,
                            color="#000000",
                            markersize=5,
                            clip_on=False,
                        )
                    else:
                        ax.plot([end, end], [i - 0.15, i + 0.15], color="#000000", linewidth=1.0)
            ax.plot(
                [v],
                [i],
                marker="o",
                markersize=5.5,
                color=colour,
                markeredgecolor="#000000",
                markeredgewidth=0.6,
                zorder=3,
            )
            text = fmt_number(v, 2) + (
                f" ({fmt_number(lo, 2)} to {fmt_number(hi, 2)})" if lo is not None and hi is not None else ""
            )
            ax.annotate(
                text,
                (1.01, i),
                xycoords=("axes fraction", "data"),
                va="center",
                fontsize=7,
                color=theme.TEXT_COLOUR,
                annotation_clip=False,
            )
            printed.append((text, theme.TEXT_COLOUR, _WHITE))
        ax.set_yticks(range(n), labels)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlabel(value_label + " (log scale; 1 = equal rates)")
        ax.grid(axis="x", which="both", linewidth=0.4)
        ax.grid(axis="y", visible=False)
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: f"{x:g}"))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda x, _p: f"{x:g}" if str(f"{x:g}")[0] in "25" else ""))
        ax.tick_params(axis="x", which="both", labelsize=7)  # 2 and 5 as large as 1 and 10
        from matplotlib.lines import Line2D

        handles = []
        if sig_any:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    color=theme.OKABE_ITO["vermillion"],
                    markeredgecolor="#000000",
                    label="Interval excludes 1",
                )
            )
        if nonsig_any:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    color="#595959",
                    markeredgecolor="#000000",
                    label="Interval includes 1",
                )
            )
        if clipped:
            handles.append(Line2D([], [], marker=">", linestyle="-", color="#000000", label="Interval continues"))
        if handles:
            ax.legend(
                handles=handles,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.28 if n < 6 else -0.12),
                ncols=len(handles),
                fontsize=7,
            )
        fig.subplots_adjust(right=0.72)
        svg, png = theme.render_both(fig)
    parts = []
    for lab, v, lo, hi in zip(labels, values, lows, highs, strict=True):
        if v is None:
            parts.append(f"{lab} suppressed")
        elif lo is not None and hi is not None:
            parts.append(f"{lab} {fmt_number(v, 2)} ({fmt_number(lo, 2)} to {fmt_number(hi, 2)})")
        else:
            parts.append(f"{lab} {fmt_number(v, 2)}")
    alt = (
        f"Chart of {value_label[:1].lower() + value_label[1:]} by {title_noun} on a logarithmic scale with a line "
        f"at 1 (equal rates), with {ci_label}: {'; '.join(parts)}."
    )
    if clipped:
        alt += " Intervals wider than the axis are cut at its edge and marked with an arrow."
    return Chart(svg, alt, png, tuple(printed))


def ratio_limits(
    values: Sequence[float | None], lows: Sequence[float | None], highs: Sequence[float | None]
) -> tuple[float, float]:
    """The x-axis of a ratio chart: the point estimates and 1 with room around them, extended to
    take in confidence limits but never beyond 2.5 times that room (wider intervals are cut).

    >>> lo, hi = ratio_limits([1.6, 2.6, 4.35], [1.4, 1.55, 0.23], [1.8, 4.5, 256.5])
    >>> round(lo, 2), round(hi, 1)
    (0.25, 17.4)
    """
    pos = [v for v in values if v is not None and v > 0]
    lo_lim = min([*pos, 1.0]) / 1.6
    hi_lim = max([*pos, 1.0]) * 1.6
    finite_lo = [lo for lo, v in zip(lows, values, strict=True) if lo is not None and lo > 0 and v]
    finite_hi = [hi for hi, v in zip(highs, values, strict=True) if hi is not None and v]
    if finite_lo:
        lo_lim = max(min(lo_lim, min(finite_lo) / 1.1), lo_lim / 2.5)
    if finite_hi:
        hi_lim = min(max(hi_lim, max(finite_hi) * 1.1), hi_lim * 2.5)
    return lo_lim, hi_lim


def spc_trend(
    rows: pd.DataFrame,
    *,
    value_label: str,
    events: Sequence[tuple[str, str]] = (),
) -> Chart:
    """Monthly values with the XmR mean and process limits, special-cause points marked.

    ``rows`` has ``breakdown_value`` ``YYYY-MM``, ``value``, the process limits in
    ``lower``/``upper``, the centre line in ``comparator_value`` (if given) and the
    point type in ``significance``. ``events`` are ``(YYYY-MM, label)`` annotations, written
    above the data (the axis is extended so they never cross a line).
    """
    import numpy as np
    import pandas as pd

    df = rows.sort_values("breakdown_value").reset_index(drop=True)
    x = pd.PeriodIndex(df["breakdown_value"].astype(str), freq="M").to_timestamp()
    y = np.array([_num(v) if _num(v) is not None else np.nan for v in df["value"]], dtype=float)
    lo = df["lower"].astype(float).to_numpy() if "lower" in df else np.full(len(df), np.nan)
    hi = df["upper"].astype(float).to_numpy() if "upper" in df else np.full(len(df), np.nan)
    centre = df["comparator_value"].astype(float).to_numpy() if "comparator_value" in df else np.full(len(df), np.nan)
    if not np.isfinite(centre).any():
        # XmR limits are mean ± 2.66 × average moving range, never cut at zero: their midpoint is the
        # mean (the public edition recomputes the limits from its published counts and gives no centre)
        centre = (lo + hi) / 2
    ptype = [str(s).lower() if isinstance(s, str) else "" for s in df.get("significance", [""] * len(df))]
    with theme.house_style():
        fig, ax = theme.new_figure(6.6, 3.1)
        ax.plot(x, y, color=theme.OKABE_ITO["blue"], linewidth=1.4, marker="o", markersize=3, label=value_label)
        if np.isfinite(centre).any():
            ax.plot(x, centre, color="#000000", linewidth=1, label="Mean")
        if np.isfinite(lo).any():
            ax.plot(x, lo, color="#555555", linestyle="--", linewidth=0.9, label="Process limits")
            ax.plot(x, hi, color="#555555", linestyle="--", linewidth=0.9)
        high = [i for i, p in enumerate(ptype) if p.endswith(("concern", "high")) and np.isfinite(y[i])]
        low = [i for i, p in enumerate(ptype) if p.endswith(("improvement", "low")) and np.isfinite(y[i])]
        for idx, marker, colour, name in (
            (high, "^", theme.OKABE_ITO["vermillion"], "Special cause: high"),
            (low, "v", theme.OKABE_ITO["sky_blue"], "Special cause: low"),
        ):
            if idx:
                ax.scatter(
                    x[idx],
                    y[idx],
                    marker=marker,
                    s=36,
                    color=colour,
                    zorder=3,
                    edgecolor="#000000",
                    linewidth=0.5,
                    label=name,
                )
        top = float(np.nanmax(np.concatenate([y, hi, [1e-9]]))) if len(y) else 1.0
        ax.set_ylim(0, top * 1.32)
        shown_events = 0
        for month, label in events:
            when = pd.Period(month, freq="M").to_timestamp()
            if len(x) and x.min() <= when <= x.max():
                ax.axvline(when, color=theme.OKABE_ITO["purple"], linestyle=":", linewidth=1)
                ax.annotate(
                    label,
                    (when, 1.0 - 0.075 * (shown_events % 3)),
                    xycoords=("data", "axes fraction"),
                    fontsize=6.5,
                    xytext=(2, -2),
                    textcoords="offset points",
                    va="top",
                    color=theme.TEXT_COLOUR,
                    bbox={"boxstyle": "square,pad=0.1", "fc": _WHITE, "ec": "none"},
                )
                shown_events += 1
        import matplotlib.dates as mdates

        span = len(x)
        months = (1,) if span > 48 else (1, 7) if span > 24 else (1, 4, 7, 10)
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=months))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
        ax.tick_params(axis="x", labelsize=7)
        ax.set_ylabel(value_label)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=5, fontsize=7)
        svg, png = theme.render_both(fig)
    finite = [(str(m), v) for m, v in zip(df["breakdown_value"], y, strict=True) if np.isfinite(v)]
    alt = f"Line chart of monthly {value_label[:1].lower() + value_label[1:]}"
    if finite:
        peak = max(finite, key=lambda t: t[1])
        trough = min(finite, key=lambda t: t[1])
        alt += (
            f" from {month_words(finite[0][0])} to {month_words(finite[-1][0])}; highest in {month_words(peak[0])}, "
            f"lowest in {month_words(trough[0])}"
        )
    n_special = len(high) + len(low)
    if n_special:
        alt += f"; {n_special} {'month' if n_special == 1 else 'months'} outside common-cause variation are marked."
    else:
        alt += "."
    if np.isnan(y).any():
        alt += f" {int(np.isnan(y).sum())} suppressed months are left as gaps."
    return Chart(svg, alt, png)


def period_lines(rows: pd.DataFrame, *, value_label: str, unit: str = "count") -> Chart:
    """Values by period (e.g. quarters) as a line with markers; suppressed periods are gaps.

    Used for monthly series shown by quarter because some months were suppressed.
    """
    import numpy as np

    labels = _labels(rows)
    y = np.array([_num(v) if _num(v) is not None else np.nan for v in rows["value"]], dtype=float)
    with theme.house_style():
        fig, ax = theme.new_figure(6.6, 2.8)
        ax.plot(range(len(y)), y, color=theme.OKABE_ITO["blue"], marker="o", markersize=4, linewidth=1.4)
        step = max(1, len(labels) // 10)
        ax.set_xticks(range(0, len(labels), step), [labels[i] for i in range(0, len(labels), step)], fontsize=7)
        ax.set_ylabel(value_label)
        ax.set_ylim(bottom=0)
        svg, png = theme.render_both(fig)
    finite = [(lab, v) for lab, v in zip(labels, y, strict=True) if np.isfinite(v)]
    alt = f"Line chart of {value_label[:1].lower() + value_label[1:]} by quarter"
    if finite:
        peak = max(finite, key=lambda t: t[1])
        alt += f" from {finite[0][0]} to {finite[-1][0]}; highest in {peak[0]} ({_fmt(peak[1], unit)})"
    gaps = int(np.isnan(y).sum())
    alt += f"; {gaps} suppressed quarters are left as gaps." if gaps else "."
    return Chart(svg, alt, png)


#: Most labelled marks on an age axis: beyond this every other (or third ...) band edge is labelled.
_AGE_TICKS = 12
_NUMBER_WORDS = {1: "one", 5: "five", 10: "ten"}


def age_band_columns(rows: pd.DataFrame, *, value_label: str, unit: str = "count") -> Chart:
    """Values by age band as touching columns on an axis of age in years, like a histogram.

    ``rows`` hold one row per band in order (``breakdown_value`` or ``label`` ``"15-19"``, the
    last may be open, ``"90+"``, as :func:`svsna.outputs.views.age_band_rows` makes them). The
    axis is marked at the band edges and labelled with the ages there (every edge, or every
    other one when there would be more than twelve labels), so its labels are two or three
    digits, however many bands an area has, and never overlap; an open band is as wide as the
    others, its upper edge unlabelled and the axis title saying where it starts. Each column's
    value is printed above it when the values fit side by side (measured on the drawing); when
    two would overlap none is printed, and the table beside the chart gives them. A missing
    (suppressed) band is left empty and named in the alt text.

    >>> import pandas as pd
    >>> c = age_band_columns(pd.DataFrame({"breakdown_value": ["10-14", "15-19", "20-24"],
    ...                                    "value": [3.0, 8.0, 5.0]}), value_label="Involvements")
    >>> c.alt
    'Column chart of involvements by age in five-year bands: 10-14 3; 15-19 8; 20-24 5.'
    >>> [text for text, _ink, _paper in c.labels]
    ['3', '8', '5']
    >>> age_band_columns(pd.DataFrame({"breakdown_value": ["85-89", "90+"], "value": [2.0, 1.0]}),
    ...                  value_label="Involvements").alt
    'Column chart of involvements by age in five-year bands, the last 90 and over: 85-89 2; 90+ 1.'
    """
    import re

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    labels = _labels(rows)
    spans = [re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)|(\+))\s*", lab) for lab in labels]
    if not labels or not all(spans) or any(m[3] for m in spans[:-1]):  # type: ignore[index]
        raise ValueError(f"age bands must read like '15-19' (the last may be '90+'), not {labels!r}")
    starts = [int(m[1]) for m in spans]  # type: ignore[index]
    closed = [int(m[2]) + 1 - int(m[1]) for m in spans if m[2]]  # type: ignore[index]
    width = max(set(closed), key=closed.count) if closed else 5
    open_top = bool(spans[-1][3])  # type: ignore[index]
    widths = [*closed, width] if open_top else closed  # an open band ("90+") is drawn as wide as the others
    values = [_num(v) for v in rows["value"]]
    edges = sorted({*starts, *(a + w for a, w in zip(starts, widths, strict=True))})
    step = -(-len(edges) // _AGE_TICKS)  # ceiling division
    ticks = [str(e) if i % step == 0 else "" for i, e in enumerate(edges)]
    if open_top:
        ticks[-1] = ""  # an open band has no upper age
    bands = f"{_NUMBER_WORDS.get(width, str(width))}-year bands" if len(set(closed)) <= 1 else "bands"
    if open_top:
        bands += f", the last {starts[-1]} and over"
    printed: list[tuple[str, str, str]] = []
    with theme.house_style():
        fig, ax = theme.new_figure(6.4, 2.9)
        shown = [(a, w, v) for a, w, v in zip(starts, widths, values, strict=True) if v is not None]
        ax.bar(
            [a for a, _w, _v in shown],
            [v for _a, _w, v in shown],
            width=[w for _a, w, _v in shown],
            align="edge",
            color=theme.OKABE_ITO["blue"],
            edgecolor="#333333",
            linewidth=0.5,
        )
        ax.set_xticks(edges, ticks)
        ax.set_xlim(edges[0], edges[-1])
        ax.set_xlabel(f"Age in years ({bands})")
        ax.set_ylabel(value_label)
        if unit == "count":  # whole numbers, with thousands separators
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: fmt_count(y)))
        ax.grid(axis="y")
        ax.grid(axis="x", visible=False)
        top = max([v for _a, _w, v in shown] + [1e-9])
        ax.set_ylim(0, top * 1.18)
        notes = [
            ax.annotate(
                _fmt(v, unit),
                (a + w / 2, v),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                color=theme.TEXT_COLOUR,
            )
            for a, w, v in shown
        ]
        renderer = FigureCanvasAgg(fig).get_renderer()
        boxes = [n.get_window_extent(renderer) for n in notes]
        if any(b.overlaps(c) for i, b in enumerate(boxes) for c in boxes[i + 1 :]):
            for n in notes:
                n.remove()
        else:
            printed = [(n.get_text(), theme.TEXT_COLOUR, _WHITE) for n in notes]
        svg, png = theme.render_both(fig)
    parts = [f"{lab} {_fmt(v, unit)}" for lab, v in zip(labels, values, strict=True) if v is not None]
    alt = f"Column chart of {value_label[:1].lower() + value_label[1:]} by age in {bands}: {'; '.join(parts)}."
    hidden = [lab for lab, v in zip(labels, values, strict=True) if v is None]
    if hidden:
        alt += f" Suppressed: {', '.join(hidden)}."
    return Chart(svg, alt, png, tuple(printed))


def heatmap_weekday_hour(rows: pd.DataFrame, *, value_label: str) -> Chart | None:
    """Hour x weekday heat map from ``breakdown_value`` ``"Sat|23"`` rows; None when every cell is missing.

    Uses the cividis colour map (monotonic in lightness, so it reads in greyscale);
    missing (suppressed) cells, and only those, are white with grey hatching, keyed below.
    """
    import numpy as np

    grid = np.full((7, 24), np.nan)
    for key, v in zip(rows["breakdown_value"], rows["value"], strict=True):
        day, _, hour = str(key).partition("|")
        if day[:3].title() in WEEKDAYS and hour.strip().isdigit():
            val = _num(v)
            grid[WEEKDAYS.index(day[:3].title()), int(hour)] = np.nan if val is None else val
    if not np.isfinite(grid).any():
        return None
    with theme.house_style():
        fig, ax = theme.new_figure(6.6, 2.9)
        ax.grid(False)
        masked = np.ma.masked_invalid(grid)
        im = ax.imshow(masked, aspect="auto", cmap="cividis", interpolation="nearest")
        missing = np.argwhere(np.isnan(grid))
        from matplotlib.patches import Patch, Rectangle

        for d, h in missing:
            ax.add_patch(
                Rectangle(
                    (h - 0.5, d - 0.5),
                    1,
                    1,
                    facecolor=theme.SUPPRESSED_FILL,
                    hatch=theme.SUPPRESSED_HATCH,
                    edgecolor=theme.SUPPRESSED_EDGE,
                    linewidth=0,
                )
            )
        ax.set_yticks(range(7), DAY_NAMES)
        ax.set_xticks(range(0, 24, 2), [f"{h:02d}:00" for h in range(0, 24, 2)], fontsize=7)
        ax.set_xlabel("Hour of day")
        for s in ax.spines.values():
            s.set_visible(False)
        cb = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.01)
        cb.set_label(value_label, fontsize=8)
        if len(missing):
            ax.legend(
                handles=[
                    Patch(
                        facecolor=theme.SUPPRESSED_FILL,
                        hatch=theme.SUPPRESSED_HATCH,
                        edgecolor=theme.SUPPRESSED_EDGE,
                        label="Suppressed (small number)",
                    )
                ],
                loc="upper center",
                bbox_to_anchor=(0.5, -0.25),
                fontsize=7,
            )
        svg, png = theme.render_both(fig)
    alt = f"Heat map of {value_label[:1].lower() + value_label[1:]} by hour of day (columns) and day of week (rows)"
    d, h = np.unravel_index(np.nanargmax(grid), grid.shape)
    alt += f"; the busiest hour is {DAY_NAMES[d]} {hour_range(int(h))}"
    totals = np.nansum(grid, axis=1)
    alt += f" and the busiest day is {DAY_NAMES[int(np.argmax(totals))]}"
    if len(missing):
        alt += f"; {len(missing)} suppressed cells are white with grey hatching"
    return Chart(svg, alt + ".", png)


def hour_lines(series: Mapping[str, pd.DataFrame], *, value_label: str) -> Chart:
    """One line per source (police, A&E, ambulance) over the 24 hours of the day."""
    import numpy as np

    with theme.house_style():
        fig, ax = theme.new_figure(6.6, 3.0)
        peaks: list[str] = []
        hidden: list[str] = []
        for k, (name, rows) in enumerate(series.items()):
            y = np.full(24, np.nan)
            for key, v in zip(rows["breakdown_value"], rows["value"], strict=True):
                if str(key).strip().isdigit() and 0 <= int(key) <= 23:
                    val = _num(v)
                    y[int(key)] = np.nan if val is None else val
            ax.plot(
                range(24),
                y,
                label=name,
                color=theme.SERIES_COLOURS[k % 7],
                marker=theme.SERIES_MARKERS[k % 7],
                linestyle=theme.SERIES_LINESTYLES[k % 7],
                markersize=3.5,
                linewidth=1.3,
            )
            if np.isfinite(y).any():
                peaks.append(f"{name} peaks at {hour_range(int(np.nanargmax(y)))}")
            gaps = [h for h in range(24) if np.isnan(y[h])] if np.isfinite(y).any() else []
            if gaps:
                # a suppressed hour breaks the line: an open diamond on the axis says it is not a value
                ax.plot(gaps, [0] * len(gaps), linestyle="", clip_on=False, zorder=4, **_SUPPRESSED_MARK)
                hidden.append(f"{name} {join_words([hour_range(h) for h in gaps])}")
        ax.set_xticks(range(0, 24, 2), [f"{h:02d}:00" for h in range(0, 24, 2)], rotation=45, ha="right")
        ax.set_xlabel("Hour of day")
        ax.set_ylabel(value_label)
        ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * (1.3 if hidden else 1.0))  # room for the key above the lines
        handles, _ = ax.get_legend_handles_labels()
        if hidden:
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], linestyle="", label="Suppressed hour (gap)", **_SUPPRESSED_MARK))
        ax.legend(handles=handles, loc="upper left", fontsize=7)
        svg, png = theme.render_both(fig)
    alt = (
        f"Line chart of {value_label[:1].lower() + value_label[1:]} by hour of day for {', '.join(series)}: "
        + "; ".join(peaks)
        + "."
    )
    if hidden:
        alt += f" Suppressed, so the line has a gap: {'; '.join(hidden)}."
    return Chart(svg, alt, png)


def pyramid(rows: pd.DataFrame, *, value_label: str, who: str) -> Chart:
    """Age-band pyramid: males to the left, females to the right (``"M|15-19"`` rows).

    A suppressed band has no bar: an open diamond beside the axis marks it, keyed in the legend.
    """
    import numpy as np

    data: dict[str, dict[str, float | None]] = {"M": {}, "F": {}}
    bands: list[str] = []
    for key, v in zip(rows["breakdown_value"], rows["value"], strict=True):
        a, _, b = str(key).partition("|")
        a, b = _SEX.get(a.strip().lower(), a), _SEX.get(b.strip().lower(), b)
        sex, band = (a, b) if a in ("M", "F") else (b, a)
        if sex not in data:
            continue
        data[sex][band] = _num(v)
        if band not in bands:
            bands.append(band)
    bands.sort(key=_band_start)
    m = np.array([data["M"].get(b) if data["M"].get(b) is not None else np.nan for b in bands], dtype=float)
    f = np.array([data["F"].get(b) if data["F"].get(b) is not None else np.nan for b in bands], dtype=float)
    with theme.house_style():
        fig, ax = theme.new_figure(6.4, max(2.2, 0.26 * len(bands) + 0.9))
        pos = np.arange(len(bands))
        lim = float(np.nanmax(np.concatenate([m, f, [1e-9]]))) * 1.1
        ax.barh(
            pos,
            -np.nan_to_num(m),
            color=theme.OKABE_ITO["blue"],
            edgecolor="#333333",
            linewidth=0.5,
            label="Male",
            height=0.75,
        )
        ax.barh(
            pos,
            np.nan_to_num(f),
            color=theme.OKABE_ITO["orange"],
            edgecolor="#333333",
            linewidth=0.5,
            label="Female",
            height=0.75,
        )
        # a suppressed band has no bar (a bar of any length reads as a value): an open marker sits
        # beside the axis on its side, keyed "Suppressed (no value shown)"
        any_missing = False
        for arr, side in ((m, -1), (f, 1)):
            at = [i for i in range(len(bands)) if np.isnan(arr[i])]
            if at:
                any_missing = True
                ax.plot(
                    [side * lim * 0.035] * len(at),
                    at,
                    linestyle="",
                    **_SUPPRESSED_MARK,
                )
        ax.set_yticks(pos, bands)
        ax.axvline(0, color="#000000", linewidth=0.8)
        ax.set_xlim(-lim, lim)
        ticks = ax.get_xticks()
        ax.set_xticks(ticks, [fmt_number(abs(t), 1 if lim < 10 else 0) for t in ticks])
        ax.set_xlim(-lim, lim)
        ax.set_xlabel(value_label)
        ax.set_ylabel("Age band")
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        handles = [
            Patch(facecolor=theme.OKABE_ITO["blue"], edgecolor="#333333", label="Male"),
            Patch(facecolor=theme.OKABE_ITO["orange"], edgecolor="#333333", label="Female"),
        ]
        if any_missing:
            handles.append(Line2D([], [], linestyle="", label="Suppressed (no value shown)", **_SUPPRESSED_MARK))
        ax.legend(handles=handles, loc="lower right")
        svg, png = theme.render_both(fig)
    alt = (
        f"Population pyramid of {who}: {value_label[:1].lower() + value_label[1:]} "
        "by age band, males left and females right."
    )
    if np.isfinite(m).any():
        alt += f" Highest for males aged {bands[int(np.nanargmax(m))]} ({fmt_number(np.nanmax(m), 2)})"
    if np.isfinite(f).any():
        alt += f" and for females aged {bands[int(np.nanargmax(f))]} ({fmt_number(np.nanmax(f), 2)})."
    n_missing = int(np.isnan(m).sum() + np.isnan(f).sum())
    if n_missing:
        alt += (
            f" {n_missing} suppressed age-sex {'group has' if n_missing == 1 else 'groups have'} no bar, "
            "only an open diamond beside the axis."
        )
    return Chart(svg, alt, png)


#: How a suppressed value is marked where a bar or line would be: an open grey diamond, not a value.
_SUPPRESSED_MARK: dict[str, Any] = {
    "marker": "D",
    "markersize": 4.5,
    "markerfacecolor": "none",
    "markeredgecolor": "#595959",
    "markeredgewidth": 0.9,
    "color": "#595959",
}


def _band_start(band: str) -> float:
    digits = ""
    for ch in band:
        if ch.isdigit():
            digits += ch
        elif digits:
            break
    if band.lower().startswith("under"):
        return -1
    return float(digits) if digits else 1e9
