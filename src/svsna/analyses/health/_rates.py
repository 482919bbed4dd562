"""Counts, change and rates: by age group (crude under-25 rate ratio), age band and district (crude and DSR)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from svsna.analyses._base import age_group_label
from svsna.analyses._figures import count_rows, rates, stat_rows
from svsna.analyses._health_kit import numbers, rate_unit, top_separated
from svsna.analyses.health._common import DSR_METHOD, SECTION, _fmt, _numeric, _Slice
from svsna.analyses.people import age_band, age_bands
from svsna.indicators import Significance

if TYPE_CHECKING:
    import pandas as pd

    from svsna.config import Period


def counts_and_change(s: _Slice, periods: list[Period]) -> dict[str, int]:
    from svsna.stats import period_change

    ctx, src = s.ctx, s.src
    ages = s.facet("age")
    totals = {p.label: int(ages.loc[ages["period"] == p.label, "n"].sum()) for p in periods}
    labels = [p.label for p in periods]
    s.rows.append(
        count_rows(ctx, SECTION, f"{src.key}_count", labels, "all", "all", [totals[x] for x in labels], unit=src.unit)
    )  # fmt: skip
    fys = [p for p in ctx.periods if p.kind == "financial_year"]
    for before, now in itertools.pairwise(fys):
        ch = period_change(totals[now.label], totals[before.label], confidence=ctx.confidence)
        r = ch.loc[0]
        stats = ch.assign(
            value=ch["pct_change"],
            lower=100 * (ch["lower"] - 1),
            upper=100 * (ch["upper"] - 1),
            numerator=ch["count_now"],
            denominator=ch["count_before"],
            comparator_value=ch["count_before"],
        )
        s.rows.append(
            stat_rows(ctx, SECTION, f"{src.key}_change", stats, now.label, "all", "all",
                      statistic="percent_change", unit="%")
        )  # fmt: skip
        if r["significance"] == Significance.NOT_COMPARED:  # e.g. no events in the earlier year
            continue
        latest = now is fys[-1]
        pct = float(r["pct_change"])
        if round(pct, 1) == 0:
            how = "the same number as"
        else:
            how = f"{'an increase' if pct > 0 else 'a decrease'} of {_fmt(abs(pct))}% on"
        sig = "statistically significant" if Significance(r["significance"]).is_significant else "not significant"
        s.finding(
            "health_count_change",
            f"In {now.label} there were {totals[now.label]:,} {src.label}, {how} {before.label} "
            f"({totals[before.label]:,}; {sig}).",
            numbers(
                value=pct,
                lower=100 * (r["lower"] - 1),
                upper=100 * (r["upper"] - 1),
                unit="%",
                statistic="percent_change",
                period=now.label,
                significance=r["significance"],
                comparator=before.label,
                comparator_value=totals[before.label],
                n=totals[now.label],
                denominator=totals[before.label],
                count=totals[now.label],
                previous_count=totals[before.label],
                previous_period=before.label,
                count_unit=src.unit,
                latest=latest,
            ),
            indicators=[f"{src.key}_change", f"{src.key}_count"],
            headline=latest and src.key in ("ae", "admissions"),
        )
    return totals


def age_group_rates(s: _Slice, periods: list[Period], totals: dict[str, int]) -> None:
    from svsna.stats import rate_ratio

    ctx, src, under = s.ctx, s.src, s.ctx.under
    ages = s.facet("age").assign(age=lambda f: _numeric(f, "k1"))
    groups = [age_group_label(0, under), age_group_label(under, under)]
    ranges = [(0, under - 1), (under, 200)]
    g_period, g_bd, g_val, g_count, g_pop = [], [], [], [], []
    by_group: dict[str, dict[str, int]] = {g: {} for g in groups}
    for p in periods:
        g_period.append(p.label)
        g_bd.append("all")
        g_val.append("all")
        g_count.append(totals[p.label])
        g_pop.append(s.pops.whole(p))
        sel = ages[ages["period"] == p.label]
        for g, (lo, hi) in zip(groups, ranges, strict=True):
            n = int(sel.loc[(sel["age"] >= lo) & (sel["age"] <= hi), "n"].sum())
            by_group[g][p.label] = n
            g_period.append(p.label)
            g_bd.append("age_group")
            g_val.append(g)
            g_count.append(n)
            g_pop.append(s.pops.whole(p, lo, hi))
    rt = rates(ctx, g_count, g_pop)
    s.rows.append(
        stat_rows(ctx, SECTION, f"{src.key}_rate", rt, g_period, g_bd, g_val, statistic="rate", unit=s.rate_unit)
    )
    cu = [by_group[groups[0]][p.label] for p in periods]
    co = [by_group[groups[1]][p.label] for p in periods]
    pu = [s.pops.whole(p, *ranges[0]) for p in periods]
    po = [s.pops.whole(p, *ranges[1]) for p in periods]
    rr = rate_ratio(cu, pu, co, po, confidence=ctx.confidence)
    s.rows.append(
        stat_rows(ctx, SECTION, f"{src.key}_rate_ratio_under25", rr, [p.label for p in periods], "age_group",
                  groups[0], comparator_value=1.0, statistic="ratio", unit="times")
    )  # fmt: skip
    i = [p.label for p in periods].index(s.prof.label)
    r = rr.loc[i]
    if r["significance"] == Significance.NOT_COMPARED:
        return
    k = 3 * i
    ru, ro = rt.loc[k + 1], rt.loc[k + 2]
    sig = Significance(r["significance"])
    s.rate_ratio = {
        "source": src.key,
        "label": src.label,
        "value": float(r["value"]),
        "lower": float(r["lower"]),
        "upper": float(r["upper"]),
        "significance": sig.value,
    }
    how = {
        Significance.HIGHER: f"{_fmt(r['value'], 2)} times",
        Significance.LOWER: f"{_fmt(r['value'], 2)} times",
    }.get(sig, "not significantly different from")
    s.finding(
        "health_rate_ratio_under25",
        f"The rate of {src.label} for people under {under} ({_fmt(ru['value'], 2)} {s.rate_unit}) was "
        f"{how} the rate for people {under} and over ({_fmt(ro['value'], 2)}); rate ratio "
        f"{_fmt(r['value'], 2)} ({_fmt(r['lower'], 2)} to {_fmt(r['upper'], 2)}), a crude comparison.",
        numbers(
            value=r["value"],
            lower=r["lower"],
            upper=r["upper"],
            unit="times",
            statistic="ratio",
            period=s.prof.label,
            significance=sig,
            comparator=ctx.over_label,
            comparator_value=ro["value"],
            n=cu[i],
            denominator=pu[i],
            count_under=cu[i],
            count_over=co[i],
            rate_under=ru["value"],
            rate_under_lower=ru["lower"],
            rate_under_upper=ru["upper"],
            rate_over=ro["value"],
            rate_over_lower=ro["lower"],
            rate_over_upper=ro["upper"],
            rate_unit=s.rate_unit,
            under=under,
            standardised=False,
        ),
        indicators=[f"{src.key}_rate_ratio_under25", f"{src.key}_rate"],
    )


def age_band_rates(s: _Slice) -> None:
    ctx, src = s.ctx, s.src
    prof = s.facet("age")
    prof = prof[prof["period"] == s.prof.label].assign(age=lambda f: _numeric(f, "k1"))
    bands = list(age_bands())
    counts = [int(prof.loc[(prof["age"] >= lo) & (prof["age"] <= hi), "n"].sum()) for _, lo, hi in bands]
    pops = [s.pops.whole(s.prof, lo, hi) for _, lo, hi in bands]
    rt = rates(ctx, counts, pops)
    s.rows.append(
        stat_rows(ctx, SECTION, f"{src.key}_rate", rt, s.prof.label, "age_band", [b for b, _, _ in bands],
                  statistic="rate", unit=s.rate_unit)
    )  # fmt: skip
    if not sum(counts) or not rt["value"].notna().any():
        return
    vals = rt["value"].fillna(-1).tolist()
    order = sorted(range(len(vals)), key=lambda k: (-vals[k], k))  # ties: the younger band first
    i, j = order[0], (order[1] if len(order) > 1 else None)
    clear = top_separated(rt["lower"].tolist(), rt["upper"].tolist(), i)
    r = rt.loc[i]
    word = "highest" if clear else "highest point estimate of the"
    s.finding(
        "health_peak_age_band",
        f"Among age bands, people aged {bands[i][0]} had the {word} rate of {src.label} "
        f"({_fmt(r['value'], 2)} {s.rate_unit}; {counts[i]:,} {src.unit}).",
        numbers(
            value=r["value"],
            lower=r["lower"],
            upper=r["upper"],
            unit=s.rate_unit,
            statistic="rate",
            period=s.prof.label,
            n=counts[i],
            denominator=pops[i],
            band=bands[i][0],
            count=counts[i],
            separated=clear,
            second_band=bands[j][0] if j is not None else None,
            second_value=rt.loc[j, "value"] if j is not None else None,
            second_count=counts[j] if j is not None else None,
        ),
        indicators=[f"{src.key}_rate"],
    )


def _standardised(s: _Slice, da: pd.DataFrame, names: list[str]) -> tuple[pd.DataFrame, str]:
    """Directly standardised rates (2013 ESP) of every district and of the whole area (``__area__``),
    from events of known age by five-year band, and the method (or why it was not calculated)."""
    import numpy as np
    import pandas as pd

    from svsna.stats import StatsInputError, dsr

    ctx, prof = s.ctx, s.prof
    band_of = {a: age_band(a) for a in range(0, 121)}
    known = da.dropna(subset=["age"])
    by = known.assign(band=[band_of.get(int(a)) for a in known["age"]]).groupby(["k1", "band"])["n"].sum()
    ages = s.facet("age")
    ages = ages[ages["period"] == prof.label].assign(age=lambda f: _numeric(f, "k1")).dropna(subset=["age"])
    area_by = ages.assign(band=[band_of.get(int(a)) for a in ages["age"]]).groupby("band")["n"].sum()
    records = []
    for b, lo, hi in age_bands():
        band_pops = s.pops.districts(prof, lo, hi) or {}
        records.append({"district": "__area__", "age_band": b, "count": int(area_by.get(b, 0)),
                        "population": s.pops.whole(prof, lo, hi)})  # fmt: skip
        for d in names:
            records.append({"district": d, "age_band": b, "count": int(by.get((d, b), 0)),
                            "population": float(band_pops.get(d, 0.0))})  # fmt: skip
    try:
        std = dsr(pd.DataFrame(records), by="district", multiplier=ctx.multiplier, confidence=ctx.confidence)
    except StatsInputError as exc:  # populations not by five-year band, events without a population ...
        nan = np.nan
        std = pd.DataFrame({"district": ["__area__", *names], "value": nan, "lower": nan, "upper": nan})
        return std, f"Not calculated: {exc}"
    std["method"] = std["method"].where(std["method"] != "Dobson", DSR_METHOD)
    return std, DSR_METHOD


def district_rates(s: _Slice) -> None:
    """Crude rates and DSRs by district, each compared with the whole area; the highest as a finding."""
    from svsna.stats import compare_to_benchmark

    ctx, src, prof = s.ctx, s.src, s.prof
    pops_all = s.pops.districts(prof)
    if not pops_all:
        return
    da = s.facet("district_age").assign(age=lambda f: _numeric(f, "k2"))
    da = da[da["k1"].isin(list(pops_all))]
    names = sorted(pops_all)
    counts = [int(da.loc[da["k1"] == d, "n"].sum()) for d in names]
    total_all = int(s.facet("age").query("period == @prof.label")["n"].sum())
    area_rate = rates(ctx, total_all, s.pops.whole(prof))
    crude = rates(ctx, counts, [pops_all[d] for d in names])
    cmp_crude = compare_to_benchmark(crude["value"], crude["lower"], crude["upper"], area_rate.loc[0, "value"])
    crude = crude.assign(significance=cmp_crude["significance"], comparator_value=area_rate.loc[0, "value"])
    s.rows.append(
        stat_rows(ctx, SECTION, f"{src.key}_rate", crude, prof.label, "district", names,
                  statistic="rate", unit=s.rate_unit)
    )  # fmt: skip
    std, method = _standardised(s, da, names)
    std = std.set_index("district")
    area = std.loc["__area__"]
    dist = std.loc[names].reset_index()
    cmp_std = compare_to_benchmark(dist["value"], dist["lower"], dist["upper"], area["value"])
    dist = dist.assign(significance=cmp_std["significance"], comparator_value=area["value"])
    if method != DSR_METHOD:
        dist = dist.assign(method=method)
    unit_std = rate_unit(ctx.multiplier, src.unit, standardised=True)
    area_row = std.loc[["__area__"]].reset_index(drop=True)
    if method != DSR_METHOD:
        area_row = area_row.assign(method=method)
    s.rows.append(
        stat_rows(ctx, SECTION, f"{src.key}_dsr", area_row[[c for c in area_row.columns if c != "standard"]],
                  prof.label, "all", "all", statistic="rate", unit=unit_std)
    )  # fmt: skip
    s.rows.append(
        stat_rows(ctx, SECTION, f"{src.key}_dsr", dist[[c for c in dist.columns if c not in ("district", "standard")]],
                  prof.label, "district", names, statistic="rate", unit=unit_std)
    )  # fmt: skip
    if not sum(counts) or len(names) < 2:  # one district: nothing to compare or rank
        return
    use_std = dist["value"].notna().any()
    measure = dist if use_std else crude
    vals = measure["value"].fillna(-1).to_numpy()
    i = int(vals.argmax())
    clear = top_separated(measure["lower"].tolist(), measure["upper"].tolist(), i)
    items = [
        {
            "district": d,
            "count": counts[k],
            "crude": crude.loc[k, "value"],
            "crude_lower": crude.loc[k, "lower"],
            "crude_upper": crude.loc[k, "upper"],
            "crude_significance": crude.loc[k, "significance"],
            "dsr": dist.loc[k, "value"],
            "dsr_lower": dist.loc[k, "lower"],
            "dsr_upper": dist.loc[k, "upper"],
            "dsr_significance": dist.loc[k, "significance"],
            "dsr_events": dist.loc[k, "numerator"] if "numerator" in dist.columns else None,
        }
        for k, d in enumerate(names)
    ]
    sig_col = measure["significance"]
    higher = [d for d, sig in zip(names, sig_col, strict=True) if sig == Significance.HIGHER]
    lower = [d for d, sig in zip(names, sig_col, strict=True) if sig == Significance.LOWER]
    shown_unit = unit_std if use_std else s.rate_unit
    shown_area = area["value"] if use_std else area_rate.loc[0, "value"]
    top = names[i]
    kind = "age-standardised rate" if use_std else "crude rate"
    word = "highest" if clear else "highest point estimate of the"
    s.finding(
        "health_district_rates",
        f"{top} had the {word} {kind} of {src.label} ({_fmt(measure.loc[i, 'value'], 2)} "
        f"{shown_unit}; whole area {_fmt(shown_area, 2)}). "
        f"Significantly above the whole area: {', '.join(higher) or 'none'}.",
        numbers(
            value=measure.loc[i, "value"],
            lower=measure.loc[i, "lower"],
            upper=measure.loc[i, "upper"],
            unit=shown_unit,
            statistic="rate",
            period=prof.label,
            significance=measure.loc[i, "significance"],
            comparator=ctx.area_label,
            comparator_value=shown_area,
            n=counts[i],
            denominator=pops_all[top],
            district=top,
            measure="dsr" if use_std else "crude",
            separated=clear,
            area_crude=area_rate.loc[0, "value"],
            area_dsr=area["value"],
            higher=higher,
            lower_districts=lower,
            districts=items,
            district_role="home of the patient" if src.key != "ambulance" else "place of the incident",
        ),
        indicators=[f"{src.key}_dsr", f"{src.key}_rate"],
    )
