"""Charts in the svsna house style, each returned as SVG bytes plus its alt text.

Every function takes a small pandas frame of indicator-table rows (already filtered to
one indicator and breakdown, and already disclosure-controlled for the public edition),
draws one chart and returns a :class:`Chart`: the SVG, the alt text describing what the
chart shows, and nothing else. Missing values (suppressed cells) are drawn as gaps or
hatched grey and named in the alt text; a chart never invents a value.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from svsna.outputs import theme
from svsna.outputs.wording import fmt_count, fmt_number, fmt_pct, hour_range

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import pandas as pd

__all__ = [
    "WEEKDAYS",
    "Chart",
    "bar_ci",
    "heatmap_weekday_hour",
    "hour_lines",
    "pyramid",
    "spc_trend",
]

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SEX = {"m": "M", "male": "M", "f": "F", "female": "F"}


@dataclass(frozen=True)
class Chart:
    """One rendered chart: SVG bytes (HTML), PNG bytes (PDF) and a text alternative."""

    svg: bytes
    alt: str
    png: bytes = b""


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
    if unit == "ratio":
        return fmt_number(x, 2)
    return fmt_number(x, 2)


def bar_ci(
    rows: pd.DataFrame,
    *,
    value_label: str,
    title_noun: str,
    unit: str = "rate",
    horizontal: bool = True,
    order: Sequence[str] | None = None,
) -> Chart:
    """Bars with confidence-interval whiskers, one per ``breakdown_value``.

    Bars are styled by ``significance`` when present (hatching plus colour, as in
    Fingertips) and a dashed line marks ``comparator_value`` when one is given.
    Suppressed values (missing) are listed as such and left out.
    """
    import numpy as np

    df = rows.copy()
    if order is not None:
        df["_o"] = df["breakdown_value"].map({v: i for i, v in enumerate(order)})
        df = df.sort_values("_o")
    labels = [str(v) for v in df["breakdown_value"]]
    values = [_num(v) for v in df["value"]]
    lows = [_num(v) for v in df.get("lower", [None] * len(df))]
    highs = [_num(v) for v in df.get("upper", [None] * len(df))]
    sigs = [str(s).lower() if isinstance(s, str) else "" for s in df.get("significance", [""] * len(df))]
    comps = [c for c in (_num(v) for v in df.get("comparator_value", [])) if c is not None]
    n = len(labels)
    with theme.house_style():
        if horizontal:
            fig, ax = theme.new_figure(6.4, max(1.6, 0.32 * n + 0.8))
        else:
            fig, ax = theme.new_figure(6.4, 3.0)
        pos = np.arange(n)
        heights = [v if v is not None else 0.0 for v in values]
        colours, hatches = [], []
        for s in sigs:
            style = theme.SIGNIFICANCE_STYLE.get(s)
            colours.append(style["colour"] if style else theme.OKABE_ITO["blue"])
            hatches.append(style["hatch"] if style else "")
        if horizontal:
            bars = ax.barh(pos, heights, color=colours, edgecolor="#333333", linewidth=0.5, height=0.7)
            ax.set_yticks(pos, labels)
            ax.invert_yaxis()
            ax.set_xlabel(value_label)
            ax.grid(axis="x")
            ax.grid(axis="y", visible=False)
        else:
            bars = ax.bar(pos, heights, color=colours, edgecolor="#333333", linewidth=0.5, width=0.7)
            ax.set_xticks(pos, labels)
            ax.set_ylabel(value_label)
        for bar, h, v in zip(bars, hatches, values, strict=True):
            bar.set_hatch(h)
            if v is None:
                bar.set_visible(False)
        err_pos, err_val, err_lo, err_hi = [], [], [], []
        for i, (v, lo, hi) in enumerate(zip(values, lows, highs, strict=True)):
            if v is not None and lo is not None and hi is not None:
                err_pos.append(i)
                err_val.append(v)
                err_lo.append(max(v - lo, 0))
                err_hi.append(max(hi - v, 0))
        if err_pos:
            kw = {"fmt": "none", "ecolor": "#000000", "elinewidth": 0.9, "capsize": 2.5}
            if horizontal:
                ax.errorbar(err_val, err_pos, xerr=[err_lo, err_hi], **kw)
            else:
                ax.errorbar(err_pos, err_val, yerr=[err_lo, err_hi], **kw)
        top = max([abs(v) for v in values if v is not None] + [1e-9])
        for i, v in enumerate(values):
            text = "suppressed" if v is None else _fmt(v, unit)
            inside = v is not None and v > 0.18 * top  # short bars get their label outside, in dark text
            at = 0 if inside or v is None else max(v, 0)
            colour = "#FFFFFF" if inside and _dark(colours[i]) else "#1A1A1A"
            if not inside and v is not None and highs[i] is not None:
                at = max(at, highs[i])  # clear of the confidence interval
            if horizontal:
                ax.annotate(
                    text, (at, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7, color=colour
                )
            else:
                ax.annotate(
                    text,
                    (i, at),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7,
                    rotation=90,
                    color=colour,
                    va="bottom",
                )
        if len(set(comps)) == 1:
            c = comps[0]
            line = ax.axvline if horizontal else ax.axhline
            line(c, color="#000000", linestyle="--", linewidth=1)
            ax.annotate(
                f"comparator {_fmt(c, unit)}",
                (c, 1.0) if horizontal else (1.0, c),
                xycoords=("data", "axes fraction") if horizontal else ("axes fraction", "data"),
                xytext=(2, -2),
                textcoords="offset points",
                fontsize=7,
                va="top",
            )
        _significance_legend(ax, sigs)
        svg, png = theme.render_both(fig)
    shown = [(lab, v) for lab, v in zip(labels, values, strict=True) if v is not None]
    parts = [f"{lab} {_fmt(v, unit)}" for lab, v in shown]
    hidden = [lab for lab, v in zip(labels, values, strict=True) if v is None]
    alt = f"Bar chart of {value_label.lower()} by {title_noun}" + (
        f", with 95% confidence intervals: {'; '.join(parts)}."
        if any(lo is not None for lo in lows)
        else f": {'; '.join(parts)}."
    )
    if hidden:
        alt += f" Suppressed: {', '.join(hidden)}."
    return Chart(svg, alt, png)


def _dark(colour: str) -> bool:
    """Whether white text reads on this fill (relative luminance below 0.35)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.35


def _significance_legend(ax, sigs: Sequence[str]) -> None:
    from matplotlib.patches import Patch

    present = [s for s in dict.fromkeys(sigs) if s in theme.SIGNIFICANCE_STYLE]
    if not present:
        return
    handles = [
        Patch(
            facecolor=theme.SIGNIFICANCE_STYLE[s]["colour"],
            hatch=theme.SIGNIFICANCE_STYLE[s]["hatch"],
            edgecolor="#333333",
            label=theme.SIGNIFICANCE_STYLE[s]["label"],
        )
        for s in present
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=7)


def spc_trend(
    rows: pd.DataFrame,
    *,
    value_label: str,
    events: Sequence[tuple[str, str]] = (),
) -> Chart:
    """Monthly values with the XmR mean and process limits, special-cause points marked.

    ``rows`` has ``breakdown_value`` ``YYYY-MM``, ``value``, the process limits in
    ``lower``/``upper``, the centre line in ``comparator_value`` (if given) and the
    point type in ``significance``. ``events`` are ``(YYYY-MM, label)`` annotations.
    """
    import numpy as np
    import pandas as pd

    df = rows.sort_values("breakdown_value").reset_index(drop=True)
    x = pd.PeriodIndex(df["breakdown_value"].astype(str), freq="M").to_timestamp()
    y = np.array([_num(v) if _num(v) is not None else np.nan for v in df["value"]], dtype=float)
    lo = df["lower"].astype(float).to_numpy()
    hi = df["upper"].astype(float).to_numpy()
    centre = df["comparator_value"].astype(float).to_numpy() if "comparator_value" in df else np.full(len(df), np.nan)
    ptype = [str(s) if isinstance(s, str) else "" for s in df.get("significance", [""] * len(df))]
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
        if high:
            ax.scatter(
                x[high],
                y[high],
                marker="^",
                s=36,
                color=theme.OKABE_ITO["vermillion"],
                zorder=3,
                edgecolor="#000000",
                linewidth=0.5,
                label="Special cause: high",
            )
        if low:
            ax.scatter(
                x[low],
                y[low],
                marker="v",
                s=36,
                color=theme.OKABE_ITO["sky_blue"],
                zorder=3,
                edgecolor="#000000",
                linewidth=0.5,
                label="Special cause: low",
            )
        top = np.nanmax(np.concatenate([y, hi])) if len(y) else 1
        for k, (month, label) in enumerate(events):
            when = pd.Period(month, freq="M").to_timestamp()
            if len(x) and x.min() <= when <= x.max():
                ax.axvline(when, color=theme.OKABE_ITO["purple"], linestyle=":", linewidth=1)
                ax.annotate(
                    label,
                    (when, top * (1.0 - 0.07 * (k % 3))),
                    fontsize=6.5,
                    rotation=0,
                    xytext=(2, 0),
                    textcoords="offset points",
                    color="#333333",
                )
        import matplotlib.dates as mdates

        span = len(x)
        months = (1,) if span > 48 else (1, 7) if span > 24 else (1, 4, 7, 10)
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=months))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
        ax.tick_params(axis="x", labelsize=7)
        ax.set_ylabel(value_label)
        ax.set_ylim(bottom=0)
        ax.legend(loc="lower left", ncols=3, fontsize=7)
        svg, png = theme.render_both(fig)
    finite = [(str(m), v) for m, v in zip(df["breakdown_value"], y, strict=True) if np.isfinite(v)]
    alt = f"Line chart of monthly {value_label.lower()}"
    if finite:
        peak = max(finite, key=lambda t: t[1])
        trough = min(finite, key=lambda t: t[1])
        alt += f" from {finite[0][0]} to {finite[-1][0]}; highest {peak[0]}, lowest {trough[0]}"
    n_special = len(high) + len(low)
    alt += f"; {n_special} month(s) outside common-cause variation are marked." if n_special else "."
    return Chart(svg, alt, png)


def heatmap_weekday_hour(rows: pd.DataFrame, *, value_label: str) -> Chart:
    """Hour x weekday heat map from ``breakdown_value`` ``"Sat|23"`` rows.

    Uses the cividis colour map (monotonic in lightness, so it reads in greyscale);
    missing (suppressed) cells are hatched grey.
    """
    import numpy as np

    grid = np.full((7, 24), np.nan)
    for key, v in zip(rows["breakdown_value"], rows["value"], strict=True):
        day, _, hour = str(key).partition("|")
        if day[:3].title() in WEEKDAYS and hour.strip().isdigit():
            val = _num(v)
            grid[WEEKDAYS.index(day[:3].title()), int(hour)] = np.nan if val is None else val
    with theme.house_style():
        fig, ax = theme.new_figure(6.6, 2.6)
        ax.grid(False)
        ax.set_facecolor("#EEEEEE")
        masked = np.ma.masked_invalid(grid)
        im = ax.imshow(masked, aspect="auto", cmap="cividis", interpolation="nearest")
        if np.isnan(grid).any():
            from matplotlib.patches import Rectangle

            ax.add_patch(
                Rectangle((-0.5, -0.5), 24, 7, fill=False, hatch="xx", edgecolor="#999999", linewidth=0, zorder=0)
            )
        ax.set_yticks(range(7), WEEKDAYS)
        ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
        ax.set_xlabel("Hour of day")
        for s in ax.spines.values():
            s.set_visible(False)
        cb = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.01)
        cb.set_label(value_label, fontsize=8)
        svg, png = theme.render_both(fig)
    alt = f"Heat map of {value_label.lower()} by hour of day (columns) and day of week (rows)"
    if np.isfinite(grid).any():
        d, h = np.unravel_index(np.nanargmax(grid), grid.shape)
        alt += f"; the busiest cell is {WEEKDAYS[d]} {hour_range(int(h))}"
        totals = np.nansum(grid, axis=1)
        alt += f" and the busiest day is {WEEKDAYS[int(np.argmax(totals))]}"
    if np.isnan(grid).any():
        alt += f"; {int(np.isnan(grid).sum())} suppressed or empty cells are hatched"
    return Chart(svg, alt + ".", png)


def hour_lines(series: Mapping[str, pd.DataFrame], *, value_label: str) -> Chart:
    """One line per source (police, A&E, ambulance) over the 24 hours of the day."""
    import numpy as np

    with theme.house_style():
        fig, ax = theme.new_figure(6.6, 3.0)
        peaks = []
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
        ax.set_xticks(range(0, 24, 2), [f"{h:02d}:00" for h in range(0, 24, 2)], rotation=45, ha="right")
        ax.set_xlabel("Hour of day")
        ax.set_ylabel(value_label)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", fontsize=7)
        svg, png = theme.render_both(fig)
    alt = f"Line chart of {value_label.lower()} by hour of day for {', '.join(series)}: " + "; ".join(peaks) + "."
    return Chart(svg, alt, png)


def pyramid(rows: pd.DataFrame, *, value_label: str, who: str) -> Chart:
    """Age-band pyramid: males to the left, females to the right (``"M|15-19"`` rows)."""
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
        fig, ax = theme.new_figure(6.4, max(2.2, 0.28 * len(bands) + 0.9))
        pos = np.arange(len(bands))
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
            hatch="///",
            label="Female",
            height=0.75,
        )
        ax.set_yticks(pos, bands)
        ax.axvline(0, color="#000000", linewidth=0.8)
        lim = np.nanmax(np.concatenate([m, f, [1e-9]])) * 1.1
        ax.set_xlim(-lim, lim)
        ticks = ax.get_xticks()
        ax.set_xticks(ticks, [fmt_number(abs(t), 1 if lim < 10 else 0) for t in ticks])
        ax.set_xlim(-lim, lim)
        ax.set_xlabel(value_label)
        ax.set_ylabel("Age band")
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right")
        for i in range(len(bands)):
            for arr, side in ((m, -1), (f, 1)):
                if np.isnan(arr[i]):
                    ax.annotate(
                        "suppressed",
                        (0, i),
                        xytext=(side * 3, 0),
                        textcoords="offset points",
                        va="center",
                        ha="right" if side < 0 else "left",
                        fontsize=6.5,
                        color="#333333",
                    )
        svg, png = theme.render_both(fig)
    alt = f"Population pyramid of {who}: {value_label.lower()} by age band, males left and females right."
    if np.isfinite(m).any():
        alt += f" Highest for males aged {bands[int(np.nanargmax(m))]} ({fmt_number(np.nanmax(m), 2)})"
    if np.isfinite(f).any():
        alt += f" and for females aged {bands[int(np.nanargmax(f))]} ({fmt_number(np.nanmax(f), 2)})."
    return Chart(svg, alt, png)


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
