"""Categories (diagnoses, chief complaints), ambulance conveyance, hour and weekday profiles, monthly SPC."""

from __future__ import annotations

import calendar

from svsna.analyses._figures import count_rows, rates, share_rows, shares, stat_rows
from svsna.analyses._health_kit import numbers, top_separated
from svsna.analyses.health._common import SECTION, SPC_METHOD, _cap, _fmt, _month_label, _numeric, _Slice
from svsna.analyses.timing import WEEKDAYS, hour_label, months_between
from svsna.indicators import Significance


def categories(s: _Slice) -> None:
    ctx, src, prof = s.ctx, s.src, s.prof
    cats = s.facet("category")
    total = int(cats["n"].sum())  # unrecorded categories stay in the denominator of shares
    cats = cats.dropna(subset=["k1"]).groupby("k1", as_index=False)["n"].sum()
    if cats.empty:
        return
    cats = cats.sort_values(["n", "k1"], ascending=[False, True]).reset_index(drop=True)
    names = cats["k1"].astype(str).tolist()
    sh = shares(ctx, cats["n"].to_numpy(), total)
    s.rows.append(
        stat_rows(ctx, SECTION, f"{src.key}_share", sh, prof.label, src.category_breakdown, names,
                  statistic="percentage", unit="%")
    )  # fmt: skip
    if src.key == "ambulance":
        clear = top_separated(sh["lower"].tolist(), sh["upper"].tolist(), 0)
        r = sh.loc[0]
        s.finding(
            "ambulance_top_chief_complaint",
            f"The most common chief complaint for ambulance call-outs was '{names[0]}' "
            f"({_fmt(r['value'])}% of {total:,} call-outs).",
            numbers(
                value=r["value"],
                lower=r["lower"],
                upper=r["upper"],
                unit="%",
                statistic="percentage",
                period=prof.label,
                n=int(cats.loc[0, "n"]),
                denominator=total,
                chief_complaint=names[0],
                count=int(cats.loc[0, "n"]),
                total=total,
                separated=clear,
                second=names[1] if len(names) > 1 else None,
                second_value=sh.loc[1, "value"] if len(names) > 1 else None,
            ),
            indicators=["ambulance_share"],
        )
        return
    rt = rates(ctx, cats["n"].to_numpy(), s.pops.whole(prof))
    s.rows.append(
        stat_rows(ctx, SECTION, f"{src.key}_rate", rt, prof.label, src.category_breakdown, names,
                  statistic="rate", unit=s.rate_unit)
    )  # fmt: skip
    name = "diagnosis" if src.key == "ae" else "diagnosis_group"
    items = [
        {
            name: names[k],
            "count": int(cats.loc[k, "n"]),
            "rate": rt.loc[k, "value"],
            "lower": rt.loc[k, "lower"],
            "upper": rt.loc[k, "upper"],
            "share": sh.loc[k, "value"],
            "share_lower": sh.loc[k, "lower"],
            "share_upper": sh.loc[k, "upper"],
        }
        for k in range(len(names))
    ]
    top_n = 5 if src.key == "ae" else len(items)
    key = "ae_top_diagnoses" if src.key == "ae" else "admissions_top_diagnosis_groups"
    listed = ", ".join(f"{it[name]} ({_fmt(it['rate'], 2)}; {it['count']:,})" for it in items[:top_n])
    s.finding(
        key,
        f"Rates of {src.label} {s.rate_unit} by {name.replace('_', ' ')} (count): {listed}.",
        numbers(
            value=rt.loc[0, "value"],
            lower=rt.loc[0, "lower"],
            upper=rt.loc[0, "upper"],
            unit=s.rate_unit,
            statistic="rate",
            period=prof.label,
            n=int(cats.loc[0, "n"]),
            denominator=s.pops.whole(prof),
            items=items[:top_n],
            total=total,
            separated=top_separated(rt["lower"].tolist(), rt["upper"].tolist(), 0),
            multiplier=ctx.multiplier,
        ),
        indicators=[f"{src.key}_rate", f"{src.key}_share"],
    )


def conveyance(s: _Slice) -> None:
    ctx, prof, under = s.ctx, s.prof, s.ctx.under
    c = s.facet("conveyed_age").assign(age=lambda f: _numeric(f, "k2"))
    known = c[c["k1"].isin(["0", "1"])]
    conveyed = known[known["k1"] == "1"]
    share = shares(ctx, int(conveyed["n"].sum()), int(known["n"].sum()))
    s.rows.append(
        stat_rows(ctx, SECTION, "ambulance_share_conveyed", share, prof.label, "all", "all",
                  statistic="percentage", unit="%")
    )  # fmt: skip
    aged = conveyed.dropna(subset=["age"])
    n_under = int(aged.loc[aged["age"] < under, "n"].sum())
    n_aged = int(aged["n"].sum())
    u = shares(ctx, n_under, n_aged)
    s.rows.append(
        stat_rows(ctx, SECTION, "ambulance_conveyed_share_under25", u, prof.label, "all", "all",
                  statistic="percentage", unit="%")
    )  # fmt: skip
    r = u.loc[0]
    if r["method"] != "Wilson":
        return
    s.finding(
        "ambulance_conveyed_under25_share",
        f"People under {under} were {_fmt(r['value'])}% ({_fmt(r['lower'])}% to {_fmt(r['upper'])}%) of the "
        f"{n_aged:,} patients of known age conveyed to hospital by ambulance.",
        numbers(
            value=r["value"],
            lower=r["lower"],
            upper=r["upper"],
            unit="%",
            statistic="percentage",
            period=prof.label,
            n=n_under,
            denominator=n_aged,
            numerator=n_under,
            under=under,
            conveyed_share=share.loc[0, "value"],
        ),
        indicators=["ambulance_conveyed_share_under25", "ambulance_share_conveyed"],
    )


def timing(s: _Slice) -> None:
    ctx, src, prof = s.ctx, s.src, s.prof
    wh = s.facet("weekday_hour").assign(
        wd=lambda f: _numeric(f, "k1"),
        hr=lambda f: _numeric(f, "k2"),
    )
    total = int(wh["n"].sum())
    if total == 0:
        return
    dims: list[tuple[str, str, list[str]]] = [("weekday", "wd", list(WEEKDAYS))]
    if src.timed:
        dims.insert(0, ("hour", "hr", [f"{h:02d}" for h in range(24)]))
    for dim, col, labels in dims:
        counts = wh.groupby(col)["n"].sum().reindex(range(len(labels)), fill_value=0)
        sh = shares(ctx, counts.to_numpy(), total)
        s.rows.append(
            stat_rows(ctx, SECTION, f"{src.key}_share", sh, prof.label, dim, labels, statistic="percentage", unit="%")
        )
        i = int(counts.to_numpy().argmax())
        clear = top_separated(sh["lower"].tolist(), sh["upper"].tolist(), i)
        base = {
            "value": sh.loc[i, "value"],
            "lower": sh.loc[i, "lower"],
            "upper": sh.loc[i, "upper"],
            "unit": "%",
            "statistic": "percentage",
            "period": prof.label,
            "n": int(counts.iloc[i]),
            "denominator": total,
            "count": int(counts.iloc[i]),
            "total": total,
            "separated": clear,
        }
        if dim == "hour":
            s.peak_hour = i
            s.finding(
                "health_peak_hour",
                f"{_cap(src.label)} were most frequent at {hour_label(i)} ({_fmt(sh.loc[i, 'value'])}%).",
                numbers(**base, hour=i, hour_label=hour_label(i)),
                indicators=[f"{src.key}_share"],
            )
        else:
            # Saturday and Sunday together: a share of its own (the public summary states it, so it must be a row)
            weekend_counts = [int(counts.iloc[5]) + int(counts.iloc[6])]
            we = share_rows(ctx, SECTION, f"{src.key}_weekend_share", prof.label, "all", "all", weekend_counts, total)
            s.rows.append(we)
            weekend = float(we.iloc[0].value)
            s.finding(
                "health_peak_weekday",
                f"{_cap(src.label)} were most frequent on {calendar.day_name[i]}s ({_fmt(sh.loc[i, 'value'])}%); "
                f"{_fmt(weekend)}% were at the weekend.",
                numbers(**base, weekday=labels[i], weekday_index=i, weekend_share=weekend),
                indicators=[f"{src.key}_share", f"{src.key}_weekend_share"],
            )


def monthly(s: _Slice) -> None:
    import pandas as pd

    from svsna.stats import spc

    ctx, src = s.ctx, s.src
    window = ctx.trend_window
    m = s.facet("month").dropna(subset=["k1"])
    if m.empty:
        return
    per = m.assign(ym=pd.to_numeric(m["k1"]).astype(int)).groupby("ym")["n"].sum()
    # only the months the extract covers: from its first month with data to its last
    first, last = int(per.index.min()), int(per.index.max())
    months = [d for d in months_between(window.start, window.end) if first <= d.year * 100 + d.month <= last]
    keys = [d.year * 100 + d.month for d in months]
    counts = [int(per.get(k, 0)) for k in keys]
    labels = [_month_label(k) for k in keys]
    if len(counts) < 2:
        s.rows.append(
            count_rows(ctx, SECTION, f"{src.key}_monthly", window.label, "month", labels, counts,
                       method="Count (too few months for SPC)", unit=src.unit)
        )  # fmt: skip
        return
    events = sorted(ctx.config.events, key=lambda e: e.date)
    first_event = next((e for e in events if months[0] <= e.date.replace(day=1) <= months[-1]), None)
    baseline = None
    if first_event is not None:
        before = sum(1 for d in months if d < first_event.date.replace(day=1))
        baseline = before if before >= 12 else None
    chart = spc(counts, dates=labels, baseline=baseline, improvement="decrease")
    stats = pd.DataFrame(
        {
            "numerator": counts,
            "value": counts,
            "lower": chart["lower_limit"],
            "upper": chart["upper_limit"],
            "method": SPC_METHOD + (f", limits from the first {baseline} months" if baseline else ""),
            "significance": chart["point_type"],
            "comparator_value": chart["mean"],
        }
    )
    s.rows.append(
        stat_rows(ctx, SECTION, f"{src.key}_monthly", stats, window.label, "month", labels,
                  statistic="count", unit=src.unit)
    )  # fmt: skip
    types = chart["point_type"].tolist()
    high = [lab for lab, t in zip(labels, types, strict=True) if t == Significance.SPECIAL_HIGH]
    low = [lab for lab, t in zip(labels, types, strict=True) if t == Significance.SPECIAL_LOW]
    high_runs = _runs(labels, [t == Significance.SPECIAL_HIGH for t in types])
    low_runs = _runs(labels, [t == Significance.SPECIAL_LOW for t in types])
    peak = max(range(len(counts)), key=lambda k: (counts[k], -k))
    trough = min(range(len(counts)), key=lambda k: (counts[k], k))
    ev = []
    for e in events:
        start = e.date.replace(day=1)
        end = (e.end or e.date).replace(day=1)
        idx = [k for k, d in enumerate(months) if start <= d <= end]
        if not idx:
            continue
        ev.append(
            {
                "label": e.label,
                "date": e.date.isoformat(),
                "end": e.end.isoformat() if e.end else None,
                "months": [labels[k] for k in idx],
                "counts": [counts[k] for k in idx],
                "signals": [types[k] for k in idx],
                "low_signal": any(types[k] == Significance.SPECIAL_LOW for k in idx),
                "below_mean": all(counts[k] < float(chart["mean"].iloc[k]) for k in idx),
            }
        )
    dips = [e["label"] for e in ev if e["low_signal"]]
    signal = Significance.SPECIAL_HIGH if high else (Significance.SPECIAL_LOW if low else Significance.COMMON_CAUSE)
    text = (
        f"Monthly {src.label} peaked in {labels[peak]} ({counts[peak]:,}) and were lowest in {labels[trough]} "
        f"({counts[trough]:,}); special-cause low: {_runs_text(low_runs)}; special-cause high: "
        f"{_runs_text(high_runs)}."
    )
    if ev:
        text += f" Events with a special-cause low: {', '.join(dips) or 'none'} of {len(ev)} marked."
    s.finding(
        "health_monthly_pattern",
        text,
        numbers(
            value=counts[peak],
            unit=src.unit,
            statistic="count",
            period=window.label,
            significance=signal,
            comparator="process mean",
            comparator_value=float(chart["mean"].iloc[-1]),
            n=counts[peak],
            denominator=sum(counts),
            peak_month=labels[peak],
            peak_count=counts[peak],
            trough_month=labels[trough],
            trough_count=counts[trough],
            months_high=high,
            months_low=low,
            high_runs=high_runs,
            low_runs=low_runs,
            first_month=labels[0],
            last_month=labels[-1],
            baseline_months=baseline,
            events=ev,
            events_with_low_signal=dips,
        ),
        indicators=[f"{src.key}_monthly"],
    )


def _runs(labels: list[str], flags: list[bool]) -> list[dict[str, object]]:
    """Consecutive flagged months as ``{from, to, months}``.

    >>> _runs(["2020-01", "2020-02", "2020-03", "2020-04"], [True, True, False, True])
    [{'from': '2020-01', 'to': '2020-02', 'months': 2}, {'from': '2020-04', 'to': '2020-04', 'months': 1}]
    """
    out: list[dict[str, object]] = []
    for k, flag in enumerate(flags):
        if not flag:
            continue
        if out and k > 0 and flags[k - 1]:
            out[-1]["to"] = labels[k]
            out[-1]["months"] = int(out[-1]["months"]) + 1  # type: ignore[call-overload]
        else:
            out.append({"from": labels[k], "to": labels[k], "months": 1})
    return out


def _runs_text(runs: list[dict[str, object]]) -> str:
    parts = [str(r["from"]) if r["months"] == 1 else f"{r['from']} to {r['to']}" for r in runs]
    return ", ".join(parts) or "none"
