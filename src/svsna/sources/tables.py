"""Shape validated rows into the warehouse tables documented in CONTRIBUTING.md.

Each ``*_table`` function takes the typed rows of one source (a polars DataFrame from
:func:`svsna.sources.validation.validate`) plus the loaded geography and returns the
warehouse table with its derived columns (descriptions from the code lists, time parts,
geography names), keeping ``_row`` (the file line) for the engine's cross-row rules, which
drop it. They work on one batch at a time (ingest streams each file in batches).

A date-time given as a bare date (no clock time) keeps its date with ``time_known = false``
and a null ``hour``: it is left out of hour-of-day, weekday x hour and night-time-economy
figures rather than counted at midnight. A home LSOA outside the area's geography keeps
its code and gets :data:`OUTSIDE_AREA` as its ward, NPA and district name.

Examples
--------
>>> import datetime as dt, polars as pl
>>> rows = pl.DataFrame({"_row": [2], "offence_ref": ["X1"], "ho_code": ["8N"],
...     "offence_description": ["S47 assault"], "committed_from": [dt.datetime(2021, 3, 31, 23, 15)],
...     "committed_from_time_known": [True], "committed_to": [None], "location_type": ["STREET"],
...     "lsoa": ["E01000001"], "weapon_flag": [None], "knife_flag": [False], "domestic_flag": [False]})
>>> geo = pl.DataFrame({"lsoa_code": ["E01000001"], "ward_name": ["W"], "npa": ["N"], "district_code": ["E1"],
...     "district_name": ["D"], "county_name": ["C"]})
>>> t = offences_table(rows, geo)
>>> t.select("sub_offence", "harm_rank", "hour", "weekday", "fin_year", "public_place", "district_name").row(0)
('S47 - Assault occasioning actual bodily harm (ABH)', 2, 23, 2, 2020, True, 'D')
>>> t["time_known"].to_list()
[True]
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "OUTSIDE_AREA",
    "TABLE_NAMES",
    "admissions_table",
    "ae_attendances_table",
    "ambulance_table",
    "build_table",
    "geography_table",
    "offences_table",
    "people_table",
    "population_table",
]

TABLE_NAMES: dict[str, str] = {
    "geography": "geography",
    "population": "population",
    "offences": "offences",
    "victims": "victims",
    "suspects": "suspects",
    "ae_attendances": "ae_attendances",
    "admissions": "admissions",
    "ambulance": "ambulance",
    "indicators": "area_indicators",
    "survey_responses": "survey_responses",
}
"""Source name -> warehouse table name."""

OUTSIDE_AREA = "Outside area"
"""The home ward, NPA and district name of a person whose home LSOA is outside the area."""


@lru_cache(maxsize=64)
def _lookup(codelist: str, value: str) -> dict[str, str]:
    from svsna.codelists import load_codelist

    t = load_codelist(codelist)
    return dict(zip(t["code"], t[value], strict=True))


@lru_cache(maxsize=16)
def _records(codelist: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Rows of a code list (cached: every batch needs them)."""
    from svsna.codelists import load_codelist

    return tuple(tuple(r.items()) for r in load_codelist(codelist).to_dict("records"))


def _map(expr: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    import polars as pl

    return expr.replace_strict(mapping, default=None, return_dtype=pl.String)


def geography_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The geography lookup as loaded (typed), one row per LSOA."""
    return rows


def population_table(rows: pl.DataFrame) -> pl.DataFrame:
    """``area_code, year, age_from, age_to, sex, population``."""
    return rows.select("_row", "area_code", "year", "age_from", "age_to", "sex", "population")


def _geo_join(df: pl.DataFrame, geo: pl.DataFrame, on: str, prefix: str, columns: list[str]) -> pl.DataFrame:
    """Left-join geography names onto ``df`` by LSOA (column ``on``), prefixing them."""
    import polars as pl

    right = geo.select(pl.col("lsoa_code").alias(on), *[pl.col(c).alias(f"{prefix}{c}") for c in columns])
    out = df.join(right, on=on, how="left", maintain_order="left")
    if prefix == "home_":  # a home LSOA that is not in the geography is outside the area (validation kept it)
        outside = pl.col(on).is_not_null() & ~pl.col(on).is_in(geo.get_column("lsoa_code").implode())
        out = out.with_columns(
            [
                pl.when(outside).then(pl.lit(OUTSIDE_AREA)).otherwise(pl.col(f"{prefix}{c}")).alias(f"{prefix}{c}")
                for c in columns
                if c.endswith("_name") or c == "npa"
            ]
        )
    return out


def _sub_offence(ho_code: pl.Expr, description: pl.Expr, ho_description: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Sub-offence and harm rank from the first matching row of ``sub_offences.csv``."""
    import polars as pl

    sub = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.String))
    rank = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.Int64))
    for rec in _records("sub_offences"):
        r = dict(rec)
        cond = (ho_code == r["ho_code"]) & description.fill_null("").str.contains(str(r["pattern"]))
        sub = sub.when(cond).then(pl.lit(str(r["sub_offence"])))
        rank = rank.when(cond).then(pl.lit(int(r["harm_rank"])))
    return sub.otherwise(ho_description), rank.otherwise(pl.lit(None, dtype=pl.Int64))


def offences_table(rows: pl.DataFrame, geo: pl.DataFrame) -> pl.DataFrame:
    """Offences with code descriptions, sub-offence, setting, time parts and geography."""
    import polars as pl

    setting = _lookup("location_types", "setting")
    public = {c: p.lower() == "true" for c, p in _lookup("location_types", "public_place").items()}
    ho_desc = _map(pl.col("ho_code"), _lookup("ho_offence_codes", "description"))
    sub, rank = _sub_offence(pl.col("ho_code"), pl.col("offence_description"), pl.col("ho_description"))
    start = pl.col("committed_from")
    df = rows.drop("committed_from_time_known", "committed_to_time_known", strict=False).with_columns(
        time_known=rows.get_column("committed_from_time_known"),
        ho_description=ho_desc,
        crime_group=_map(pl.col("ho_code"), _lookup("ho_offence_codes", "crime_group")),
    )
    # The sub-offence depends only on the code and the description: match the patterns once per distinct pair.
    pair = ["ho_code", "offence_description", "ho_description"]
    subs = df.select(pair).unique().with_columns(sub_offence=sub, harm_rank=rank)
    df = df.join(subs, on=pair, how="left", nulls_equal=True, maintain_order="left")
    df = df.with_columns(
        setting=_map(pl.col("location_type"), setting),
        public_place=pl.col("location_type").replace_strict(public, default=None, return_dtype=pl.Boolean),
        offence_date=start.dt.date(),
        hour=pl.when(pl.col("time_known")).then(start.dt.hour().cast(pl.Int32)),
        weekday=(start.dt.weekday() - 1).cast(pl.Int32),  # polars: Monday = 1
        month_start=start.dt.truncate("1mo").dt.date(),
        fin_year=(start.dt.year() - (start.dt.month() < 4).cast(pl.Int32)).cast(pl.Int32),
    )
    df = _geo_join(df, geo, "lsoa", "", ["ward_name", "npa", "district_code", "district_name", "county_name"])
    tk = df.get_column("time_known")
    return df.drop("time_known").with_columns(tk)


def _ethnicity_group(code: pl.Expr) -> pl.Expr:
    return _map(code, _lookup("ethnicity_groups", "group")).fill_null("Unknown")


def people_table(rows: pl.DataFrame, geo: pl.DataFrame) -> pl.DataFrame:
    """Victims or suspects: pseudonymised, with ethnicity group and home geography."""
    import polars as pl

    df = rows.rename({"ethnicity": "ethnicity_code"})
    df = df.with_columns(ethnicity_group=_ethnicity_group(pl.col("ethnicity_code")))
    df = _geo_join(df, geo, "home_lsoa", "home_", ["ward_name", "npa", "district_name"])
    return df.select(
        "_row",
        "offence_ref",
        "person_key",
        "age",
        "sex",
        "ethnicity_code",
        "ethnicity_group",
        "home_lsoa",
        "home_ward_name",
        "home_npa",
        "home_district_name",
        "mental_health_flag",
        "drugs_flag",
        "knife_carrier_flag",
        "domestic_abuse_flag",
    )


def ae_attendances_table(rows: pl.DataFrame, geo: pl.DataFrame) -> pl.DataFrame:
    """A&E assault attendances with diagnosis description and home district."""
    import polars as pl

    df = rows.with_columns(
        diagnosis_description=_map(pl.col("diagnosis"), _lookup("ae_diagnoses", "description")),
        time_known=pl.col("arrival_datetime_time_known"),
    )
    df = _geo_join(df, geo, "home_lsoa", "home_", ["district_name"])
    return df.select(
        "_row",
        "attendance_id",
        "arrival_datetime",
        "age",
        "sex",
        "home_lsoa",
        "home_district_name",
        "diagnosis",
        "diagnosis_description",
        "assault_location_type",
        "assault_method",
        "person_key",
        "time_known",
    )


def admissions_table(rows: pl.DataFrame, geo: pl.DataFrame) -> pl.DataFrame:
    """Admissions with ICD-10 cause description, diagnosis group and home district."""
    import polars as pl

    df = rows.with_columns(
        cause_description=_map(pl.col("cause_code"), _lookup("icd10_assault", "description")),
        diagnosis_group=_map(pl.col("cause_code"), _lookup("icd10_assault", "diagnosis_group")),
    )
    df = _geo_join(df, geo, "home_lsoa", "home_", ["district_name"])
    return df.select(
        "_row",
        "admission_id",
        "admission_date",
        "age",
        "sex",
        "home_lsoa",
        "home_district_name",
        "cause_code",
        "cause_description",
        "diagnosis_group",
        "mental_health_flag",
        "person_key",
    )


def ambulance_table(rows: pl.DataFrame, geo: pl.DataFrame) -> pl.DataFrame:
    """Ambulance incidents with chief complaint description and incident district."""
    import polars as pl

    df = rows.with_columns(
        chief_complaint_description=_map(
            pl.col("chief_complaint"), _lookup("ambulance_chief_complaints", "description")
        ),
        time_known=pl.col("call_datetime_time_known"),
    )
    df = _geo_join(df, geo, "lsoa", "", ["district_name"])
    return df.select(
        "_row",
        "incident_id",
        "call_datetime",
        "chief_complaint",
        "chief_complaint_description",
        "age",
        "sex",
        "conveyed",
        "lsoa",
        "district_name",
        "person_key",
        "time_known",
    )


def build_table(source: str, rows: pl.DataFrame, geo: pl.DataFrame) -> pl.DataFrame:
    """The warehouse table for ``source`` (see :data:`TABLE_NAMES`)."""
    if source == "geography":
        return geography_table(rows)
    if source == "population":
        return population_table(rows)
    if source == "offences":
        return offences_table(rows, geo)
    if source in ("victims", "suspects"):
        return people_table(rows, geo)
    if source == "ae_attendances":
        return ae_attendances_table(rows, geo)
    if source == "admissions":
        return admissions_table(rows, geo)
    if source == "ambulance":
        return ambulance_table(rows, geo)
    return rows.drop(*[c for c in rows.columns if c.endswith("_time_known")])  # the contract fields as loaded
