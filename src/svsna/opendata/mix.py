"""Section ``od_mix``: the crime-type mix and the outcome mix.

Indicators
----------
``crime_type_share``
    ``breakdown`` = ``crime_type``: each police.uk crime type's count (numerator) as a
    percentage of all crimes loaded in the financial year (denominator), Wilson CI.
``outcome_share``
    ``breakdown`` = ``outcome_category``: each "Last outcome category" as a percentage of the
    proxy group's crimes (``definition`` = group). Outcomes are as at the download date:
    data.police.uk updates them as cases progress, so recent months look less resolved.

Examples
--------
>>> from svsna.opendata.proxy import CRIME_TYPES
>>> len(CRIME_TYPES)  # the crime types a crime_type_share row can name
13
"""

from __future__ import annotations

from svsna.analyses._figures import share_rows
from svsna.indicators import SectionResult, concat_indicators
from svsna.opendata.context import OpenDataContext
from svsna.opendata.findings import od_finding
from svsna.opendata.proxy import PROXY_GROUPS

__all__ = ["mix_section"]


def mix_section(ctx: OpenDataContext) -> SectionResult:
    """Shares of crime types, and of outcomes within each proxy group (the kit's ``share_rows``)."""
    counts = ctx.type_counts()
    types = counts.groupby(["fin_year", "crime_type"], as_index=False)["count"].sum()
    outcomes = counts.groupby(["fin_year", "crime_type", "outcome_category"], as_index=False)["count"].sum()
    outcomes["outcome_category"] = outcomes["outcome_category"].replace("", "No outcome recorded")
    parts, findings = [], []
    for year in ctx.years:
        period = ctx.label(year)
        ty = types[types["fin_year"] == year].sort_values("count", ascending=False)
        total = int(ty["count"].sum())
        parts.append(
            share_rows(
                ctx, "od_mix", "crime_type_share", period, "crime_type", list(ty["crime_type"]),
                ty["count"].to_numpy(), total,
            )
        )  # fmt: skip
        top = ty.iloc[0]
        findings.append(
            od_finding(
                "od_mix", "od_crime_type_mix", area=ctx.area, period=period, value=100 * float(top["count"]) / total,
                unit="%", statistic="percentage", n=int(top["count"]), denominator=total,
                indicators=("crime_type_share",), total=total, top_type=str(top["crime_type"]),
                top_count=int(top["count"]),
            )
        )  # fmt: skip
        oy = outcomes[outcomes["fin_year"] == year]
        for g in PROXY_GROUPS:
            sub = oy[oy["crime_type"].isin(g.crime_types)]
            sub = sub.groupby("outcome_category", as_index=False)["count"].sum().sort_values("count", ascending=False)
            n = int(sub["count"].sum())
            if n == 0:
                continue
            parts.append(
                share_rows(
                    ctx.for_group(g.key), "od_mix", "outcome_share", period, "outcome_category",
                    list(sub["outcome_category"]), sub["count"].to_numpy(), n,
                )
            )  # fmt: skip
            if g.key in ("vso", "combined"):
                court = sub[sub["outcome_category"].str.contains("court|offender", case=False)]["count"].sum()
                findings.append(
                    od_finding(
                        "od_mix", "od_outcome_mix", area=ctx.area, period=period, definition=g.key,
                        value=float(100 * sub.iloc[0]["count"] / n), unit="%", statistic="percentage",
                        n=int(sub.iloc[0]["count"]), denominator=n, indicators=("outcome_share",), group=g.label,
                        top_outcome=str(sub.iloc[0]["outcome_category"]),
                        court_or_offender_share=float(100 * court / n),
                    )
                )  # fmt: skip
    return SectionResult("od_mix", concat_indicators(parts), findings)
