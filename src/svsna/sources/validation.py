"""Validation rules: every row of a partner file ends loaded or rejected with reasons.

:func:`validate` checks a :class:`~svsna.sources.readers.RawTable` against its contract
and returns the typed rows that passed and one reject record per problem (file, row
number, column, value, rule and a message with a hint). A row is rejected if any of its
values breaks a rule; its *primary* reason (the first problem in field order) is what the
ledger counts, so ``read == loaded + rejected`` always holds. Person identifiers are
replaced by ``person_key`` in the loaded rows and masked in the rejects.

Rules, in the order they are tried for each value (the first failure is reported):

- ``blank row`` - every field of the row is empty (reported once for the row)
- ``missing required value`` - a required field is blank
- ``invalid date`` / ``invalid date/time`` / ``invalid time`` - unparseable or impossible (2021-02-30)
- ``not a whole number`` / ``not a number`` / ``not a yes/no value`` / ``invalid age band``
- ``date in the future`` - after the extract date (``as_of``)
- ``age out of range`` (0-110), ``below minimum``, ``above maximum``
- ``pattern mismatch``, ``unknown code``, ``LSOA not in geography``, ``orphan reference``
- then per row: ``end before start`` (committed_to before committed_from) and
  ``duplicate key`` (the first row with a key is kept, later ones rejected)

Examples
--------
>>> import datetime as dt, polars as pl
>>> from svsna.sources.contracts import load_contracts
>>> from svsna.sources.readers import RawTable
>>> raw = RawTable(path=__import__("pathlib").Path("pop.csv"), source="population", format="csv", encoding=None,
...     data=pl.DataFrame({"_row": [2, 3], "area_code": ["E1", "E1"], "year": ["2020", "2020"],
...                        "age": ["15-19", "15-19"], "sex": ["f", "F"], "population": ["10", "12"]}))
>>> res = validate(raw, load_contracts()["population"], ValidationContext(as_of=dt.date(2022, 1, 1)))
>>> res.loaded.select("_row", "sex", "age_from", "age_to", "population").rows()
[(2, 'F', 15, 19, 10)]
>>> res.rejects.select("row_number", "rule").rows()
[(3, 'duplicate key')]
>>> res.rejects["message"][0].split(";")[0]
'duplicate of row 2 (same area_code, year, age, sex)'
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from svsna.pseudonym import MASK, Pseudonymiser
from svsna.sources.contracts import FieldContract, SourceContract
from svsna.sources.readers import ROW_COLUMN, RawTable
from svsna.sources.values import (
    parse_age_band,
    parse_boolean,
    parse_date,
    parse_datetime,
    parse_integer,
    parse_number,
    parse_time,
)

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "AGE_MAX",
    "REJECT_COLUMNS",
    "ValidationContext",
    "ValidationResult",
    "code_lookup",
    "validate",
]

AGE_MAX = 110
REJECT_COLUMNS: tuple[str, ...] = ("source", "file", "row_number", "column", "value", "rule", "message")
_ORDERED_PAIRS: dict[str, list[tuple[str, str]]] = {"offences": [("committed_from", "committed_to")]}
_SEX_WORDS = {"MALE": "M", "FEMALE": "F", "UNKNOWN": "U", "NOT KNOWN": "U", "NOT STATED": "U"}


@dataclass(frozen=True)
class ValidationContext:
    """What the rules check against beyond the file itself.

    Parameters
    ----------
    as_of : date
        The extract date: dates after it are rejected as in the future.
    lsoas : frozenset or None
        LSOA codes of the loaded geography (None: not checked, e.g. for geography itself).
    references : mapping
        ``"source.field"`` -> the loaded values it may reference (e.g. offence refs).
    pseudonymiser : Pseudonymiser or None
        Turns ``person`` fields into ``person_key``; required if the source has any.
    """

    as_of: dt.date
    lsoas: frozenset[str] | None = None
    references: Mapping[str, frozenset[str]] = field(default_factory=dict)
    pseudonymiser: Pseudonymiser | None = None


@dataclass
class ValidationResult:
    """Loaded rows (typed), reject records and the primary reason of each rejected row."""

    source: str
    file: str
    read: int
    loaded: pl.DataFrame
    rejects: pl.DataFrame
    reasons: dict[str, int]

    @property
    def rejected(self) -> int:
        return sum(self.reasons.values())

    def __post_init__(self) -> None:
        if self.read != self.loaded.height + self.rejected:
            raise AssertionError(
                f"row ledger broken for {self.file}: read {self.read} != loaded {self.loaded.height} "
                f"+ rejected {self.rejected}"
            )


@lru_cache(maxsize=32)
def code_lookup(codes: str) -> dict[str, str]:
    """Upper-cased accepted spelling -> canonical code, for code list ``codes``.

    >>> code_lookup("location_types")["STREET"], code_lookup("sex_codes")["FEMALE"]
    ('STREET', 'F')
    """
    from svsna.codelists import load_codelist

    table = load_codelist(codes)
    out = {str(c).strip().upper(): str(c) for c in table["code"]}
    if codes == "sex_codes":
        out.update({k: v for k, v in _SEX_WORDS.items() if k not in out})
    return out


def _canonical_sex() -> dict[str, str]:
    from svsna.codelists import load_codelist

    table = load_codelist("sex_codes")
    first = {"Male": "M", "Female": "F"}
    return {str(r.code): first.get(str(r.sex), "U") for r in table.itertuples()}


def _code_expr(f: FieldContract, raw: pl.Expr) -> pl.Expr:
    import polars as pl

    mapping = {v.upper(): v for v in f.allowed} if f.allowed is not None else code_lookup(f.codes or "")
    key = raw.str.to_uppercase().str.replace_all(r"\s+", " ")
    if f.codes == "icd10_assault":  # Y04.0 / Y040 -> Y04 (the 4th character is dropped)
        key = key.str.replace(".", "", literal=True).str.replace(r"^([A-Z][0-9]{2})[0-9A-Z]$", "$1")
    code = key.replace_strict(mapping, default=None, return_dtype=pl.String)
    if f.codes == "sex_codes":
        code = code.replace_strict(_canonical_sex() | {"M": "M", "F": "F", "U": "U"}, default=None)
    return code


def _typed(f: FieldContract) -> pl.Expr:
    """The typed value of field ``f`` (null where the raw text does not parse)."""
    import polars as pl

    raw = pl.col(f.name)
    if f.type in ("string", "person"):
        return raw
    if f.type == "lsoa":
        return raw.str.to_uppercase()
    if f.type == "code":
        return _code_expr(f, raw)
    if f.type in ("integer", "age"):
        return parse_integer(raw)
    if f.type == "number":
        return parse_number(raw)
    if f.type == "boolean":
        return parse_boolean(raw)
    if f.type == "date":
        return parse_date(raw)
    if f.type == "datetime":
        return parse_datetime(raw)
    if f.type == "time":
        return parse_time(raw)
    raise AssertionError(f.type)  # pragma: no cover - FieldContract.type is a closed Literal


_PARSE_RULES: dict[str, str] = {
    "integer": "not a whole number",
    "age": "not a whole number",
    "number": "not a number",
    "boolean": "not a yes/no value",
    "date": "invalid date",
    "datetime": "invalid date/time",
    "time": "invalid time",
}


def _problem(f: FieldContract, ctx: ValidationContext, source: str, typed: pl.Expr) -> pl.Expr:
    """The first rule field ``f`` breaks (null if none), given its ``typed`` value (a column).

    ``typed`` is the already computed typed column, so nothing is parsed twice.
    """
    import polars as pl

    raw = pl.col(f.name)
    present = raw.is_not_null()
    checks: list[tuple[pl.Expr, str]] = []
    if f.type in _PARSE_RULES:
        checks.append((present & typed.is_null(), _PARSE_RULES[f.type]))
    if f.type == "date":
        checks.append((typed > pl.lit(ctx.as_of), "date in the future"))
    elif f.type == "datetime":
        checks.append((typed.dt.date() > pl.lit(ctx.as_of), "date in the future"))
    if source == "population" and f.name == "age":
        band = parse_age_band(raw)
        bad_band = band.struct.field("age_from").is_null() | (
            band.struct.field("age_from") > band.struct.field("age_to")
        )
        checks.append((present & bad_band, "invalid age band"))
    if f.type == "age":
        checks.append(((typed < 0) | (typed > AGE_MAX), "age out of range"))
    if f.min is not None:
        checks.append((typed < f.min, "below minimum"))
    if f.max is not None:
        checks.append((typed > f.max, "above maximum"))
    if f.pattern:
        checks.append((present & ~raw.str.contains(f.pattern), "pattern mismatch"))
    if f.type == "code":
        checks.append((present & typed.is_null(), "unknown code"))
    if f.type == "lsoa" and ctx.lsoas is not None:
        checks.append((present & ~typed.is_in(_series(ctx.lsoas)), "LSOA not in geography"))
    if f.references and f.references in ctx.references:
        checks.append((present & ~raw.is_in(_series(ctx.references[f.references])), "orphan reference"))
    problem = pl.when((~present) & pl.lit(f.required)).then(pl.lit("missing required value"))
    for cond, rule in checks:
        problem = problem.when(cond.fill_null(False)).then(pl.lit(rule))
    return problem.otherwise(pl.lit(None, dtype=pl.String))


def _series(values: frozenset[str]) -> pl.Series:
    """A set of allowed values as a one-row list Series (for ``is_in``)."""
    import polars as pl

    return pl.Series(values=list(values), dtype=pl.String).implode()


def _message(rule: str, f: FieldContract, value: str | None, extra: str = "") -> str:
    shown = MASK if f.type == "person" else repr(value)
    if rule == "blank row":
        return "the row is empty; hint: remove blank lines from the extract"
    if rule == "missing required value":
        return f"{f.name} is blank but required; hint: fill it in from the source system or remove the row"
    if rule in ("invalid date", "invalid date/time"):
        fmt = "YYYY-MM-DD or DD/MM/YYYY" if f.type == "date" else "YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM"
        return f"{f.name} {shown} is not a real date (expected {fmt}); hint: check day and month (e.g. no 30 February)"
    if rule == "invalid time":
        return f"{f.name} {shown} is not a time; hint: use HH:MM (24-hour clock)"
    if rule == "date in the future":
        return f"{f.name} {shown} is after {extra}; hint: check the year or the date order"
    if rule == "not a whole number":
        return f"{f.name} {shown} is not a whole number; hint: give whole years or counts without decimals"
    if rule == "not a number":
        return f"{f.name} {shown} is not a number; hint: remove units and text"
    if rule == "not a yes/no value":
        return f"{f.name} {shown} is not a yes/no value; hint: use Y/N, Yes/No, True/False or 1/0 (blank = unknown)"
    if rule == "invalid age band":
        return f"{f.name} {shown} is not an age or band; hint: use a single age (17), a band (15-19) or 90+"
    if rule == "age out of range":
        return f"{f.name} {shown} is outside 0-{AGE_MAX}; hint: check for a date of birth or year typed as the age"
    if rule == "below minimum":
        return f"{f.name} {shown} is below the minimum {f.min:g}; hint: check for a sign or unit error"
    if rule == "above maximum":
        return f"{f.name} {shown} is above the maximum {f.max:g}; hint: check for a typing or unit error"
    if rule == "pattern mismatch":
        return (
            f"{f.name} {shown} does not match the expected form {f.pattern}; hint: compare with the example {f.example}"
        )
    if rule == "unknown code":
        allowed = f.allowed_values()
        close = difflib.get_close_matches(str(value).upper(), [a.upper() for a in allowed], n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else f"see docs/data-contracts.md ({f.codes or 'allowed values'})"
        where = f"the {f.codes} code list" if f.codes else f"the allowed values {allowed}"
        return f"{f.name} {shown} is not in {where}; hint: {hint}"
    if rule == "end before start":
        return f"{f.name} {shown} is before {extra}; hint: check the order of the two dates (the end comes last)"
    if rule == "LSOA not in geography":
        return f"{f.name} {shown} is not in the geography lookup; hint: use 2011 LSOA codes of the area, or blank"
    if rule == "orphan reference":
        return f"{f.name} {shown} matches no loaded {f.references}; hint: supply the offence or fix the reference"
    return f"{f.name} {shown}: {rule}"


def _person_keys(idents: pl.Series, pseudonymiser: Pseudonymiser | None, source: str) -> pl.Series:
    """``person_key`` for each identifier (:meth:`Pseudonymiser.many` hashes a repeated identifier once)."""
    import polars as pl

    if pseudonymiser is None:
        if idents.null_count() < idents.len():
            raise AssertionError(f"{source} has person identifiers but no pseudonymiser was given")
        return pl.Series("person_key", [None] * idents.len(), dtype=pl.String)
    return pl.Series("person_key", pseudonymiser.many(idents.to_list()), dtype=pl.String)


def validate(raw: RawTable, contract: SourceContract, ctx: ValidationContext) -> ValidationResult:
    """Check every row of ``raw`` against ``contract``; see the module docstring for the rules."""
    import polars as pl

    fields = contract.fields
    df = raw.data.with_columns([pl.col(f.name).cast(pl.String) for f in fields])
    typed_cols, problem_cols = [], []
    for f in fields:
        typed_cols.append(_typed(f).alias(f"__v_{f.name}"))
        problem_cols.append(_problem(f, ctx, contract.name, pl.col(f"__v_{f.name}")).alias(f"__p_{f.name}"))
    work = df.with_columns(typed_cols).with_columns(problem_cols)
    for start, end in _ORDERED_PAIRS.get(contract.name, []):
        # An end given as a bare date means "some time that day": compare it with the start's date.
        date_only = ~pl.col(end).str.contains(r"\d:\d")
        end_v, start_v = pl.col(f"__v_{end}"), pl.col(f"__v_{start}")
        bad = pl.when(date_only).then(end_v.dt.date() < start_v.dt.date()).otherwise(end_v < start_v).fill_null(False)
        work = work.with_columns(
            pl.when(pl.col(f"__p_{end}").is_null() & bad)
            .then(pl.lit("end before start"))
            .otherwise(pl.col(f"__p_{end}"))
            .alias(f"__p_{end}")
        )
    # A wholly blank row (e.g. a blank line in a CSV) is reported once, as such.
    blank = pl.all_horizontal([pl.col(f.name).is_null() for f in fields])
    first = fields[0].name
    work = work.with_columns(
        [
            pl.when(blank).then(pl.lit(None, dtype=pl.String)).otherwise(pl.col(f"__p_{f.name}")).alias(f"__p_{f.name}")
            for f in fields[1:]
        ]
        + [pl.when(blank).then(pl.lit("blank row")).otherwise(pl.col(f"__p_{first}")).alias(f"__p_{first}")]
    )
    problem_names = [f"__p_{f.name}" for f in fields]
    work = work.with_columns(pl.any_horizontal([pl.col(c).is_not_null() for c in problem_names]).alias("__bad"))
    # Duplicate keys among otherwise valid rows: keep the first, reject the rest.
    keys = [f.name for f in contract.key_fields]
    dup_info = None
    if keys:
        key_vals = [pl.col(f"__v_{k}") for k in keys]
        dup_info = (
            work.lazy()
            .filter(~pl.col("__bad"))
            .with_columns(pl.col(ROW_COLUMN).min().over(key_vals).alias("__first"))
            .filter(pl.col(ROW_COLUMN) != pl.col("__first"))
            .select(ROW_COLUMN, "__first", *[pl.col(k) for k in keys])
            .collect()
        )
        dup_rows = dup_info.get_column(ROW_COLUMN)
        work = work.with_columns((pl.col("__bad") | pl.col(ROW_COLUMN).is_in(dup_rows.implode())).alias("__bad"))

    rejects: list[dict[str, object]] = []
    primary: dict[int, str] = {}
    file_name = raw.path.name
    by_name = {f.name: f for f in fields}
    starts = {end: start for start, end in _ORDERED_PAIRS.get(contract.name, [])}
    bad_rows = work.filter(pl.col("__bad"))
    messages: dict[tuple[str, str, str | None, str], str] = {}  # the same problem recurs: build its text once
    for f in fields:
        start_col = pl.col(starts[f.name]) if f.name in starts else pl.lit(None, dtype=pl.String)
        hits = bad_rows.filter(pl.col(f"__p_{f.name}").is_not_null()).select(
            ROW_COLUMN, f.name, f"__p_{f.name}", start_col.alias("__start")
        )
        for row, value, rule, start_value in hits.iter_rows():
            extra = ""
            if rule == "date in the future":
                extra = f"the extract date {ctx.as_of.isoformat()}"
            elif rule == "end before start":
                extra = f"{starts[f.name]} {start_value!r}"
            rejects.append(
                {
                    "row_number": row,
                    "column": "" if rule == "blank row" else f.name,
                    "value": MASK if f.type == "person" and value is not None else value,
                    "rule": rule,
                    "message": messages.get((rule, f.name, value, extra))
                    or messages.setdefault((rule, f.name, value, extra), _message(rule, f, value, extra)),
                }
            )
            primary.setdefault(row, rule if rule == "blank row" else f"{rule} ({f.name})")
    if dup_info is not None:
        for row, first, *vals in dup_info.iter_rows():
            shown = " | ".join(MASK if by_name[k].type == "person" else str(v) for k, v in zip(keys, vals, strict=True))
            rejects.append(
                {
                    "row_number": row,
                    "column": ", ".join(keys),
                    "value": shown,
                    "rule": "duplicate key",
                    "message": f"duplicate of row {first} (same {', '.join(keys)}); the first row is kept; "
                    "hint: remove repeated rows from the extract or check the key",
                }
            )
            primary.setdefault(row, f"duplicate key ({', '.join(keys)})")
    reasons: dict[str, int] = {}
    for reason in primary.values():
        reasons[reason] = reasons.get(reason, 0) + 1

    # Only the typed values (and the raw population age band) of the rows that passed go on.
    raw_kept = ["age"] if contract.name == "population" else []
    loaded = (
        work.lazy().filter(~pl.col("__bad")).select(ROW_COLUMN, *[f"__v_{f.name}" for f in fields], *raw_kept).collect()
    )
    out_cols: list[pl.Expr] = [pl.col(ROW_COLUMN)]
    for f in fields:
        value = pl.col(f"__v_{f.name}")
        if f.type == "person":
            out_cols.append(_person_keys(loaded.get_column(f"__v_{f.name}"), ctx.pseudonymiser, contract.name))
        elif contract.name == "population" and f.name == "age":
            band = parse_age_band(pl.col(f.name))
            out_cols += [band.struct.field("age_from"), band.struct.field("age_to")]
        else:
            out_cols.append(value.alias(f.name))
    loaded = loaded.select(out_cols)
    reject_frame = pl.DataFrame(
        rejects,
        schema={
            "row_number": pl.Int64,
            "column": pl.String,
            "value": pl.String,
            "rule": pl.String,
            "message": pl.String,
        },
    )
    reject_frame = reject_frame.select(
        pl.lit(contract.name).alias("source"), pl.lit(file_name).alias("file"), *reject_frame.columns
    ).sort("row_number", maintain_order=True)
    return ValidationResult(contract.name, file_name, df.height, loaded, reject_frame, reasons)
