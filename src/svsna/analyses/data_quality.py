"""Data quality: what the report must say about its inputs before anyone reads its figures.

Four checks, each an indicator and a finding the report's data-quality section can use:

* **field completeness** - for the in-definition offences of the profile period and their
  victim and suspect rows, the share of rows where each field the analyses use is missing or
  unknown (a ``missing_field`` finding for each field missing in :data:`THRESHOLD` % or more of
  rows, naming the indicators it affects), the share of offences with no suspect recorded, and
  the offences whose time is unknown (``offences.time_known`` false, when ingest provides the
  column; their hour is left out of every time-of-day figure);
* **exclusions** - offences of the profile period excluded from each definition, by reason;
* **the ingest ledger** - rows read, loaded and rejected per source, whether they reconcile
  (read = loaded + rejected), and the main rejection reasons;
* **coverage** - for each partner table present, its rows loaded, the rows inside the assessment's
  periods and its first and last dates: a table whose rows all fall outside the periods is
  present but unusable, and one that starts late or stops early makes its first or last
  period incomplete;
* (sections the runner could not run, with ``not_supplied`` or ``unusable`` inputs, and warnings
  about inputs present but not fully usable, are written by the runner itself as ``data_quality``
  findings ``section_status`` and ``input_warning``.)

The section runs once (``PER_DEFINITION = False``): the definition-dependent checks group by
definition in the engine, a handful of queries in all, and their rows and findings carry their
definition; the rest carry the context's (blank when the runner runs it).

Examples
--------
>>> SECTION, THRESHOLD
('data_quality', 5.0)
>>> AFFECTS["suspects.age"][:2]
('rate', 'rate_ratio_age')
>>> field_label("suspects.ethnicity_group"), field_label("offences.hour")
('suspect ethnicity', 'offence time of day')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from svsna.analyses._figures import count_rows, share_rows
from svsna.analyses._health_kit import make_finding, numbers
from svsna.indicators import Finding, SectionResult, concat_indicators

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.analyses._base import AnalysisContext

__all__ = ["AFFECTS", "PER_DEFINITION", "REQUIRES", "SECTION", "THRESHOLD", "field_label", "run"]

SECTION = "data_quality"
#: The checks group by definition themselves: run once.
PER_DEFINITION = False
REQUIRES: tuple[str, ...] = ()  # every check looks for its own tables
THRESHOLD = 5.0

_PEOPLE = {
    "age": ("age_band_rate", "victim_prevalence", "perpetrator_prevalence"),
    "sex": ("sex_share", "sex_rate", "same_sex_share", "high_harm_share"),
    "ethnicity_group": ("ethnicity_share",),
    "home_lsoa": (
        "home_npa_share",
        "home_district_share",
        "home_district_rate",
        "victim_prevalence",
        "perpetrator_prevalence",
    ),
    "person_key": ("repeat_offenders", "victim_offender_overlap", "perpetrator_prevalence"),
}
#: field -> indicator names whose figures it affects
AFFECTS: dict[str, tuple[str, ...]] = {
    "suspects.age": ("rate", "rate_ratio_age", "offences_change", "offence_type_rate", "age_band_rate"),
    **{f"suspects.{k}": v for k, v in _PEOPLE.items() if k != "age"},
    **{f"victims.{k}": v for k, v in _PEOPLE.items()},
    "offences.knife_flag": ("knife_share", "knife_offences_district_share"),
    "offences.weapon_flag": ("weapon_share",),
    "offences.location_type": ("setting_share",),
    "offences.sub_offence": ("sub_offence_share", "nte_offence_mix"),
    "offences.hour": ("hour_share", "nte_share", "weekday_hour_offences"),
    "offences.time_known": ("hour_share", "nte_share", "weekday_hour_offences", "police_health_peak_hours"),
}
_OFFENCE_FIELDS = ("knife_flag", "weapon_flag", "location_type", "sub_offence", "hour")
_ROLE_WORDS = {"offences": "offence", "suspects": "suspect", "victims": "victim"}
_FIELD_WORDS = {
    "age": "age",
    "sex": "sex",
    "ethnicity_group": "ethnicity",
    "home_lsoa": "home area",
    "person_key": "person identifier",
    "knife_flag": "knife flag",
    "weapon_flag": "weapon flag",
    "location_type": "location type",
    "sub_offence": "offence sub-type",
    "hour": "time of day",
    "time_known": "time of day",
}
#: Partner tables and the date that places their rows in the assessment's periods.
DATED_TABLES: dict[str, str] = {
    "offences": "committed_from",
    "ae_attendances": "arrival_datetime",
    "admissions": "admission_date",
    "ambulance": "call_datetime",
}
#: Days a table may start after the first period starts (or stop before the last ends) unflagged.
COVERAGE_SLACK_DAYS = 31


def field_label(field: str) -> str:
    """A ``table.column`` field in words."""
    table, _, col = field.partition(".")
    return f"{_ROLE_WORDS.get(table, table)} {_FIELD_WORDS.get(col, col.replace('_', ' '))}"


def _missing(t: ibis.Table, col: str) -> ibis.Value:
    c = t[col]
    miss = c.isnull()
    if col == "sex":
        miss = miss | (c == "U")
    elif col == "ethnicity_group":
        miss = miss | (c == "Unknown")
    elif col == "location_type":
        miss = miss | (c == "UNKNOWN")
    return miss.cast("int64").sum()


def _window(ctx: AnalysisContext) -> tuple[Any, Any]:
    periods = [*ctx.periods, ctx.profile]
    return min(p.start for p in periods), max(p.end for p in periods)


# ------------------------------------------------------------------------- completeness
def _field_counts(ctx: AnalysisContext, definitions: list[str] | None) -> pd.DataFrame:
    """Rows and missing values per (definition, field), offences and people, in one query."""

    o = ctx.window(ctx.table("offences"), ctx.profile)
    d = ctx.table("offence_decisions")
    keep = d.included if definitions is None else d.included & d.definition.isin(definitions)
    d = d.filter(keep).select("offence_ref", "definition")
    od = o.join(d, "offence_ref")
    cols = [c for c in _OFFENCE_FIELDS if c in od.columns]
    aggs: dict[str, Any] = {f"offences.{c}": _missing(od, c) for c in cols}
    if "time_known" in od.columns:
        aggs["offences.time_known"] = (~od.time_known.fill_null(True)).cast("int64").sum()
    if ctx.has("suspects"):
        has = od.offence_ref.isin(ctx.table("suspects").offence_ref)
        aggs["offences.no_suspect"] = (~has.fill_null(False)).cast("int64").sum()
    # one wide row per definition (each part's row count and missing counts side by side), made long
    # here: a pivot in the engine compiles to a union per field, costlier than the counting itself
    fields: dict[str, list[str]] = {"offences": list(aggs)}
    wide = od.group_by("definition").aggregate(**{"_rows.offences": od.count()}, **aggs)
    keys = od.select("offence_ref", "definition")
    for role in ("suspects", "victims"):
        if not ctx.has(role):
            continue
        p = ctx.table(role)
        pcols = [c for c in _PEOPLE if c in p.columns]
        j = keys.join(p.select("offence_ref", *pcols), "offence_ref")
        pa = {f"{role}.{c}": _missing(j, c) for c in pcols}
        fields[role] = list(pa)
        part = j.group_by(_def=j.definition).aggregate(**{f"_rows.{role}": j.count()}, **pa)
        wide = wide.left_join(part, wide.definition == part._def).drop("_def")
    out = ctx.fetch(wide)
    import pandas as pd

    longs = []
    for part, names in fields.items():
        rows = f"_rows.{part}"
        sub = out[out[rows].notna()]  # a part without rows for a definition has no fields for it
        long = sub.melt(id_vars=["definition", rows], value_vars=names, var_name="field", value_name="missing")
        longs.append(long.rename(columns={rows: "rows"})[["definition", "field", "rows", "missing"]])
    frame = pd.concat(longs, ignore_index=True)
    frame[["rows", "missing"]] = frame[["rows", "missing"]].fillna(0).astype(int)
    return frame


def _completeness(ctx: AnalysisContext, definitions: list[str] | None) -> tuple[list[pd.DataFrame], list[Finding]]:
    counts = _field_counts(ctx, definitions)
    if definitions is None:
        definitions = sorted(set(counts["definition"].astype(str)))
    label = ctx.profile.label
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    for definition in definitions:
        c = counts[counts["definition"] == definition]
        plain = c[~c["field"].isin(["offences.no_suspect", "offences.time_known"])].sort_values("field", kind="stable")
        order = {f: i for i, f in enumerate(AFFECTS)}
        plain = plain.assign(_o=plain["field"].map(order).fillna(99)).sort_values(["_o", "field"])
        miss = share_rows(
            ctx, SECTION, "missing_share", label, "field", plain["field"].tolist(), plain["missing"].tolist(),
            plain["rows"].tolist(),
        ).assign(definition=definition)  # fmt: skip
        rows.append(miss)
        # the worst field first (a recommendation citing one field cites the worst)
        for r in miss.sort_values("value", ascending=False, kind="stable").itertuples():
            if r.denominator and r.value >= THRESHOLD:
                findings.append(
                    make_finding(
                        SECTION,
                        "missing_field",
                        f"The {field_label(r.breakdown_value)} is missing or unknown in {r.value:.1f}% of "
                        f"{int(r.denominator):,} rows; figures that use it describe only the rows where it is known.",
                        numbers(
                            value=r.value,
                            lower=r.lower,
                            upper=r.upper,
                            unit="%",
                            statistic="percentage",
                            period=label,
                            n=int(r.numerator),
                            denominator=int(r.denominator),
                            field=r.breakdown_value,
                            field_label=field_label(r.breakdown_value),
                            missing=int(r.numerator),
                            rows=int(r.denominator),
                            threshold=THRESHOLD,
                            affects=list(AFFECTS.get(r.breakdown_value, ())),
                        ),
                        area=ctx.area_label,
                        definition=definition,
                        indicators=["missing_share"],
                    )
                )
        for field, ind, key, affects, what in (
            ("offences.no_suspect", "offences_without_suspect", "offences_without_suspect",
             ["rate", "rate_ratio_age", "offences_change", "repeat_offender_offence_share"],
             "had no suspect recorded; their age group is unknown"),
            ("offences.time_known", "offences_time_unknown", "offences_time_unknown",
             list(AFFECTS["offences.time_known"]),
             "had no known time of day; they are left out of time-of-day figures"),
        ):  # fmt: skip
            sel = c[c["field"] == field]
            if sel.empty:
                continue
            n, total = int(sel["missing"].iloc[0]), int(sel["rows"].iloc[0])
            sh = share_rows(ctx, SECTION, ind, label, "all", "all", n, total)
            sh = sh.assign(definition=definition)
            rows.append(sh)
            if not total:
                continue
            findings.append(
                make_finding(
                    SECTION,
                    key,
                    f"{sh.loc[0, 'value']:.1f}% of {total:,} offences ({n:,}) {what}.",
                    numbers(
                        value=sh.loc[0, "value"],
                        lower=sh.loc[0, "lower"],
                        upper=sh.loc[0, "upper"],
                        unit="%",
                        statistic="percentage",
                        period=label,
                        n=n,
                        denominator=total,
                        count=n,
                        total=total,
                        affects=affects,
                    ),
                    area=ctx.area_label,
                    definition=definition,
                    indicators=[ind],
                )
            )
    return rows, findings


def _exclusions(ctx: AnalysisContext, definitions: list[str] | None) -> list[pd.DataFrame]:
    dec = ctx.table("offence_decisions")
    o = ctx.window(ctx.table("offences"), ctx.profile).select("offence_ref")
    if definitions is not None:
        dec = dec.filter(dec.definition.isin(definitions))
    dec = dec.semi_join(o, "offence_ref")
    reasons = ctx.fetch(dec.group_by("definition", "reason").aggregate(n=dec.count()))
    rows = []
    for definition in definitions or sorted(set(reasons["definition"].astype(str))):
        r = reasons[reasons["definition"] == definition].sort_values("reason")
        rows.append(
            count_rows(
                ctx, SECTION, "offences_excluded", ctx.profile.label, "reason",
                r["reason"].astype(str).tolist(), r["n"].astype(int).tolist(), unit="offences",
            ).assign(definition=definition)
        )  # fmt: skip
    return rows


# ------------------------------------------------------------------------------- ledger
def _ledger(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    led = ctx.fetch(ctx.table("ledger"))
    if led.empty:
        return [], []
    led["rows"] = led["rows"].fillna(0).astype(int)
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    sources = list(dict.fromkeys(led["source"].astype(str)))
    tot = {k: [] for k in ("read", "loaded", "rejected")}
    summary = []
    for src in sources:
        s = led[led["source"] == src]
        read, loaded, rejected = (int(s.loc[s["outcome"] == k, "rows"].sum()) for k in ("read", "loaded", "rejected"))
        for k, v in (("read", read), ("loaded", loaded), ("rejected", rejected)):
            tot[k].append(v)
        rej = s[s["outcome"] == "rejected"].groupby("reason")["rows"].sum().sort_values(ascending=False, kind="stable")
        excl = s[s["outcome"] == "excluded"]
        excluded = (
            {str(k): int(v) for k, v in excl.groupby("definition")["rows"].sum().items()}
            if "definition" in s.columns and len(excl)
            else {}
        )
        reconciles = read == loaded + rejected
        share = 100.0 * rejected / read if read else None
        summary.append({"source": src, "read": read, "loaded": loaded, "rejected": rejected, "reconciles": reconciles})
        findings.append(
            make_finding(
                SECTION,
                "ledger_totals",
                f"{src}: {read:,} rows read, {loaded:,} loaded and {rejected:,} rejected"
                + (f" ({share:.1f}%)" if share is not None else "")
                + ("" if reconciles else "; the ledger does not reconcile (read is not loaded + rejected)")
                + ".",
                numbers(
                    value=share,
                    unit="%",
                    statistic="percentage",
                    n=rejected,
                    denominator=read,
                    source=src,
                    read=read,
                    loaded=loaded,
                    rejected=rejected,
                    reconciles=reconciles,
                    top_reasons=[{"reason": str(k), "rows": int(v)} for k, v in rej.head(3).items()],
                    excluded_by_definition=excluded,
                ),
                area=ctx.area_label,
                definition=ctx.definition,
                indicators=["ledger_rows", "ledger_rejected_share"],
                public=False,  # restricted edition only (file-level detail)
            )
        )
    for k in ("read", "loaded", "rejected"):
        rows.append(
            count_rows(
                ctx, SECTION, "ledger_rows", "", "source|outcome", [f"{s}|{k}" for s in sources], tot[k], unit="rows"
            )
        )
    rows.append(
        share_rows(ctx, SECTION, "ledger_rejected_share", "", "source", sources, tot["rejected"], tot["read"])
    )  # fmt: skip
    all_ok = all(s["reconciles"] for s in summary)
    findings.append(
        make_finding(
            SECTION,
            "ledger_summary",
            f"{len(sources)} sources: {sum(tot['read']):,} rows read, {sum(tot['loaded']):,} loaded, "
            f"{sum(tot['rejected']):,} rejected; "
            + ("every source reconciles." if all_ok else "some sources do not reconcile."),
            numbers(
                value=sum(tot["rejected"]),
                unit="rows",
                statistic="count",
                n=sum(tot["rejected"]),
                denominator=sum(tot["read"]),
                read=sum(tot["read"]),
                loaded=sum(tot["loaded"]),
                rejected=sum(tot["rejected"]),
                reconciles=all_ok,
                sources=summary,
            ),
            area=ctx.area_label,
            definition=ctx.definition,
            indicators=["ledger_rows"],
            public=False,  # restricted edition only (file-level detail)
        )
    )
    return rows, findings


# ----------------------------------------------------------------------------- coverage
def _coverage(ctx: AnalysisContext) -> tuple[list[pd.DataFrame], list[Finding]]:
    import datetime as dt

    import ibis
    import pandas as pd

    start, end = _window(ctx)
    lo = ibis.timestamp(dt.datetime.combine(start, dt.time(0, 0)))
    hi = ibis.timestamp(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 0)))
    parts = []
    for table, col in DATED_TABLES.items():
        if table not in ctx.run.present:  # a table with every row rejected is shown too: 0 rows loaded
            continue
        t = ctx.table(table)
        ts = t[col].cast("timestamp")
        inside = ((ts >= lo) & (ts < hi)).fill_null(False)
        parts.append(
            t.aggregate(
                rows=t.count().cast("int64"),
                in_window=inside.cast("int64").sum().cast("int64"),
                first=ts.min().cast("date"),
                last=ts.max().cast("date"),
            ).mutate(table=ibis.literal(table))
        )
    if not parts:
        return [], []
    cov = ctx.fetch(parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False))
    cov["in_window"] = cov["in_window"].fillna(0).astype(int)
    cov["rows"] = cov["rows"].astype(int)
    names = cov["table"].tolist()
    window = f"{start:%d %b %Y} to {end:%d %b %Y}"
    rows = [
        count_rows(ctx, SECTION, "input_rows", window, "table", names, cov["rows"].tolist(), unit="rows"),
        share_rows(ctx, SECTION, "input_rows_in_periods", window, "table", names, cov["in_window"].tolist(),
                   cov["rows"].tolist()),
    ]  # fmt: skip
    findings = []
    slack = dt.timedelta(days=COVERAGE_SLACK_DAYS)
    for r in cov.itertuples(index=False):
        first = None if pd.isna(r.first) else pd.Timestamp(r.first).date()
        last = None if pd.isna(r.last) else pd.Timestamp(r.last).date()
        base = {
            "table": r.table,
            "rows": int(r.rows),
            "rows_in_periods": int(r.in_window),
            "first_date": first.isoformat() if first else None,
            "last_date": last.isoformat() if last else None,
            "periods_start": start.isoformat(),
            "periods_end": end.isoformat(),
        }
        if r.rows and not r.in_window:
            findings.append(
                make_finding(
                    SECTION,
                    "input_outside_periods",
                    f"{r.table}: all {int(r.rows):,} rows ({first} to {last}) fall outside the assessment's periods "
                    f"({window}); the table is present but cannot be used.",
                    numbers(value=0, unit="rows", statistic="count", n=0, denominator=int(r.rows), **base),
                    area=ctx.area_label,
                    definition=ctx.definition,
                    indicators=["input_rows_in_periods"],
                    public=False,  # restricted edition only (file-level detail)
                )
            )
        elif first and last and (first > start + slack or last < end - slack):
            findings.append(
                make_finding(
                    SECTION,
                    "input_partial_coverage",
                    f"{r.table}: rows run from {first} to {last}, inside the assessment's periods ({window}) only in "
                    "part; figures for the first or last period are incomplete.",
                    numbers(
                        value=100.0 * r.in_window / r.rows,
                        unit="%",
                        statistic="percentage",
                        n=int(r.in_window),
                        denominator=int(r.rows),
                        starts_late=first > start + slack,
                        stops_early=last < end - slack,
                        **base,
                    ),
                    area=ctx.area_label,
                    definition=ctx.definition,
                    indicators=["input_rows_in_periods"],
                    public=False,  # restricted edition only (file-level detail)
                )
            )
    return rows, findings


# ------------------------------------------------------------------------------ the section
def run(ctx: AnalysisContext) -> SectionResult:
    """Run every data-quality check whose tables are present (once, for every definition)."""
    rows: list[pd.DataFrame] = []
    findings: list[Finding] = []
    if ctx.has("offences") and ctx.has("offence_decisions"):
        # run for one definition, or (once, by the runner) for every definition classified at ingest
        definitions = [ctx.definition] if ctx.definition else None
        r, f = _completeness(ctx, definitions)
        rows += r
        findings += f
        rows += _exclusions(ctx, definitions)
    if ctx.has("ledger"):
        r, f = _ledger(ctx)
        rows += r
        findings += f
    r, f = _coverage(ctx)
    rows += r
    findings += f
    return SectionResult(SECTION, concat_indicators(rows), findings)
