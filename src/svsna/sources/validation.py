"""Validation rules: every row of a partner file ends loaded or rejected with reasons.

:func:`validate` checks a :class:`~svsna.sources.readers.RawTable` against its contract
and returns the typed rows that passed and one reject record per problem (file, row
number, column, value, rule and a message with a hint). A row is rejected if any of its
values breaks a rule; its *primary* reason (the first problem in field order) is what the
ledger counts, so ``read == loaded + rejected`` always holds. Person identifiers are
replaced by ``person_key`` in the loaded rows and masked in the rejects.

Rules, in the order they are tried for each value (the first failure is reported):

- ``too many fields`` / ``too few fields`` / ``unterminated quoted value`` / ``malformed quoting`` /
  ``value too long`` / ``formula with no saved value`` (an Excel cell, named with its column) - the
  record itself cannot be read (found by the reader, see :mod:`svsna.sources.readers`)
- ``blank row`` - every field of the row is empty (reported once for the row)
- ``missing required value`` - a required field is blank
- ``invalid date`` / ``invalid date/time`` / ``invalid time`` - unparseable or impossible (2021-02-30)
- ``placeholder date`` - a "no date" marker such as 1900-01-01 or 0001-01-01 (any year before 1900)
- ``not a whole number`` / ``not a number`` / ``not a yes/no value`` / ``invalid age band`` /
  ``not a single year or five-year band`` (a population age such as ``0-14`` or ``85+``: single
  years, aligned five-year bands ``15-19`` and open bands from ``90+`` only)
- ``date in the future`` - after the extract date (``as_of``)
- ``age out of range`` (0-110), ``below minimum``, ``above maximum``
- ``pattern mismatch``, ``differs from the file name`` (a ``from_file_name`` field), ``unknown code``,
  ``LSOA not in geography``
- then per row: ``end before start`` (committed_to before committed_from)

The rules that need more than one row - ``orphan reference`` (a victim whose offence was not
loaded) and ``duplicate key`` (the first row with a key is kept, later ones rejected) - run
in the engine over the whole file (:mod:`svsna.sources.crossrow`), so a file is validated
in batches with bounded memory.

A home LSOA (``outside_area: true`` in the contract) that is a valid LSOA code but not in
the area's geography is kept, as outside the area. Person identifiers are replaced by
``person_key`` in the loaded rows; record references (``pseudonymise: true``) are
normalised (upper case, no spaces) and replaced by the same keyed HMAC. In the rejects,
person identifiers, record references and any value that looks like a person identifier
(in whatever column it sits) are masked.

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
[(2, 'F', 15, 19, 10), (3, 'F', 15, 19, 12)]
>>> res.rejects.height  # the duplicate key (same area, year, age, sex) is a cross-row rule, run in the engine
0
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from svsna.errors import quote_value
from svsna.pseudonym import MASK, REF_MASK, Pseudonymiser, looks_like_identifier
from svsna.sources.contracts import FieldContract, SourceContract
from svsna.sources.readers import ROW_COLUMN, RawBatch, RawTable, RowFault
from svsna.sources.values import (
    OPEN_BAND_TOP,
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
    "PLACEHOLDER_DATES",
    "REJECT_COLUMNS",
    "ValidationContext",
    "ValidationResult",
    "code_lookup",
    "validate",
]

AGE_MAX = 110
BAND_RULE = "not a single year or five-year band"
OPEN_BAND_FROM = 90
"""The lowest open top band of a population file (``90+``): the standard population has 85-89 and 90+,
so ``85+`` or ``65+`` would leave age-standardised rates with no population in a band."""
REJECT_COLUMNS: tuple[str, ...] = ("source", "file", "row_number", "column", "value", "rule", "message")
_ORDERED_PAIRS: dict[str, list[tuple[str, str]]] = {"offences": [("committed_from", "committed_to")]}
PLACEHOLDER_DATES: tuple[dt.date, ...] = (
    dt.date(1900, 1, 1),
    dt.date(1899, 12, 30),
    dt.date(1899, 12, 31),
    dt.date(1901, 1, 1),
    dt.date(1970, 1, 1),
    dt.date(9999, 12, 31),
)
"""Dates that systems write for "no date" (Excel and SQL Server epochs, Unix epoch, the end of time);
any date before 1900 (0001-01-01, 1753-01-01, ...) is a placeholder too."""
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
    pseudonymiser : Pseudonymiser or None
        Turns ``person`` fields into ``person_key`` and record references into pseudonyms;
        required if the source has any.
    file_values : mapping or None
        ``field -> value`` that the file's name gives (fields marked ``from_file_name`` in the
        contract, e.g. police.uk's ``month``): a row with another value is rejected.
    """

    as_of: dt.date
    lsoas: frozenset[str] | None = None
    pseudonymiser: Pseudonymiser | None = None
    file_values: Mapping[str, str] | None = None


@dataclass
class ValidationResult:
    """Loaded rows (typed), reject records and the primary reason of each rejected row.

    ``rejected_keys`` holds the (pseudonymised) key values and row numbers of the rejected
    rows that had a key, so a child row pointing at a rejected parent can say which line.
    """

    source: str
    file: str
    read: int
    loaded: pl.DataFrame
    rejects: pl.DataFrame
    reasons: dict[str, int]
    rejected_keys: pl.DataFrame | None = None

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


@lru_cache(maxsize=1)
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


LSOA_CODE = r"^[EW]01[0-9]{6}$"
"""The shape of a 2011 LSOA code (England E01, Wales W01)."""


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
    if f.type in ("date", "datetime"):
        day = typed if f.type == "date" else typed.dt.date()
        placeholder = (day < pl.lit(dt.date(1900, 1, 1))) | day.is_in(list(PLACEHOLDER_DATES))
        checks.append((placeholder, "placeholder date"))
        checks.append((day > pl.lit(ctx.as_of), "date in the future"))
    if source == "population" and f.name == "age":
        band = parse_age_band(raw)
        bad_band = band.struct.field("age_from").is_null() | (
            band.struct.field("age_from") > band.struct.field("age_to")
        )
        checks.append((present & bad_band, "invalid age band"))
        lo, hi = band.struct.field("age_from"), band.struct.field("age_to")
        five_year = (lo % 5 == 0) & (hi == lo + 4)
        open_top = (hi == OPEN_BAND_TOP) & (lo >= OPEN_BAND_FROM) & (lo % 5 == 0) & raw.str.contains(r"\+")
        checks.append((present & ~((lo == hi) | five_year | open_top), BAND_RULE))
    if f.type == "age":
        checks.append(((typed < 0) | (typed > AGE_MAX), "age out of range"))
    if f.min is not None:
        checks.append((typed < f.min, "below minimum"))
    if f.max is not None:
        checks.append((typed > f.max, "above maximum"))
    if f.pattern:
        checks.append((present & ~raw.str.contains(f.pattern), "pattern mismatch"))
    if f.from_file_name and ctx.file_values and f.name in ctx.file_values:
        checks.append((present & (typed != pl.lit(str(ctx.file_values[f.name]))), "differs from the file name"))
    if f.type == "code":
        checks.append((present & typed.is_null(), "unknown code"))
    if f.type == "lsoa" and ctx.lsoas is not None:
        known = typed.is_in(_series(ctx.lsoas))
        if f.outside_area:  # a real LSOA code outside the area is kept (as outside the area)
            checks.append((present & ~known & ~typed.str.contains(LSOA_CODE), "LSOA not in geography"))
        else:
            checks.append((present & ~known, "LSOA not in geography"))
    problem = pl.when((~present) & pl.lit(f.required)).then(pl.lit("missing required value"))
    for cond, rule in checks:
        problem = problem.when(cond.fill_null(False)).then(pl.lit(rule))
    return problem.otherwise(pl.lit(None, dtype=pl.String))


def _series(values: frozenset[str]) -> pl.Series:
    """A set of allowed values as a one-row list Series (for ``is_in``)."""
    import polars as pl

    return pl.Series(values=sorted(values), dtype=pl.String).implode()


def _loose(text: str) -> str:
    """A code with case, spaces and punctuation removed: variants that cannot change its meaning."""
    return re.sub(r"[\s._\-/]+", "", str(text)).upper()


def code_suggestion(f: FieldContract, value: str | None) -> str | None:
    """The allowed code ``value`` is a mere format variant of (``"8 n"`` -> ``8N``), if exactly one.

    Never a different code: ``W01`` (a fall) is not suggested as ``Y01`` (an assault).

    >>> from svsna.sources.contracts import load_contracts
    >>> ho = load_contracts()["offences"].field("ho_code")
    >>> code_suggestion(ho, "8-n"), code_suggestion(ho, "8X")
    ('8N', None)
    """
    if value is None:
        return None
    hits = _loose_codes(f.codes, tuple(f.allowed) if f.allowed is not None else None).get(_loose(value), [])
    return hits[0] if len(hits) == 1 else None


@lru_cache(maxsize=64)
def _loose_codes(codes: str | None, allowed: tuple[str, ...] | None) -> dict[str, list[str]]:
    """Loose form -> the allowed codes with that form (cached per code list)."""
    from svsna.codelists import load_codelist

    values = list(allowed) if allowed is not None else [str(c) for c in load_codelist(codes or "")["code"]]
    out: dict[str, list[str]] = {}
    for v in values:
        out.setdefault(_loose(v), []).append(v)
    return out


def _message(rule: str, f: FieldContract, shown: str, extra: str = "") -> str:
    if rule == "blank row":
        return "the row is empty; hint: remove blank lines from the extract"
    if rule == "missing required value":
        return f"{f.name} is blank but required; hint: fill it in from the source system or remove the row"
    if rule in ("invalid date", "invalid date/time"):
        fmt = "YYYY-MM-DD or DD/MM/YYYY" if f.type == "date" else "YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM"
        return f"{f.name} {shown} is not a real date (expected {fmt}); hint: check day and month (e.g. no 30 February)"
    if rule == "placeholder date":
        return (
            f"{f.name} {shown} is a placeholder, not a real date; hint: leave the date blank if it is not known, "
            "or give the real date"
        )
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
    if rule == BAND_RULE:
        return (
            f"{f.name} {shown} is not a single year or a five-year band; hint: use single years (17), five-year "
            f"bands that start at a multiple of 5 (15-19) and {OPEN_BAND_FROM}+ for the top (as ONS mid-year "
            "estimates give them)"
        )
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
        hint = f"did you mean {extra!r}?" if extra else f"see docs/data-contracts.md ({f.codes or 'allowed values'})"
        where = f"the {f.codes} code list" if f.codes else f"the allowed values {list(f.allowed or [])}"
        return f"{f.name} {shown} is not in {where}; hint: {hint}"
    if rule == "differs from the file name":
        return f"{f.name} {shown} differs from the file name's {extra}; hint: a file holds one {f.name} only"
    if rule == "end before start":
        return f"{f.name} {shown} is before {extra}; hint: check the order of the two dates (the end comes last)"
    if rule == "LSOA not in geography":
        if f.outside_area:
            return (
                f"{f.name} {shown} is not an LSOA code; hint: use a 2011 LSOA code (homes outside the area are "
                "kept), or blank"
            )
        return f"{f.name} {shown} is not in the geography lookup; hint: use 2011 LSOA codes of the area, or blank"
    return f"{f.name} {shown}: {rule}"


def normalise_reference(expr: pl.Expr) -> pl.Expr:
    """A record reference as compared and pseudonymised: upper case, spaces removed.

    >>> import polars as pl
    >>> pl.DataFrame({"r": ["lp/12/000001", " LP/12/ 000001 "]}).select(normalise_reference(pl.col("r")))["r"].to_list()
    ['LP/12/000001', 'LP/12/000001']
    """
    return expr.str.to_uppercase().str.replace_all(r"\s+", "")


def _pseudonyms(values: pl.Series, pseudonymiser: Pseudonymiser | None, source: str, name: str) -> pl.Series:
    """Keyed pseudonyms of ``values`` (nulls stay null)."""
    import polars as pl

    if pseudonymiser is None:
        if values.null_count() < values.len():
            raise AssertionError(f"{source} has identifiers to pseudonymise but no pseudonymiser was given")
        return pl.Series(name, [None] * values.len(), dtype=pl.String)
    return pseudonymiser.series(values).alias(name)


def _shown(f: FieldContract, value: str | None, identifiers: frozenset[str]) -> tuple[str | None, str]:
    """``(value as stored in rejects, value as quoted in the message)``, masking identifiers."""
    if value is None:
        return None, "(blank)"
    if f.type == "person" or looks_like_identifier(value, identifiers):
        return MASK, MASK
    if f.pseudonymise:
        return REF_MASK, REF_MASK
    return value, quote_value(value)


def validate(
    raw: RawTable | RawBatch,
    contract: SourceContract,
    ctx: ValidationContext,
    *,
    file: str | None = None,
) -> ValidationResult:
    """Check every row of ``raw`` (a whole file or one batch) against ``contract``.

    See the module docstring for the rules. ``file`` names the file in rejects (default:
    ``raw.path.name``).
    """
    import polars as pl

    fields = contract.fields
    file_name = file if file is not None else raw.path.name  # type: ignore[union-attr]
    faults: Sequence[RowFault] = raw.faults
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

    # Values in this batch that are person identifiers: masked wherever else they turn up.
    person_fields = [f.name for f in fields if f.type == "person"]
    identifiers: frozenset[str] = frozenset(
        v for c in person_fields for v in df.get_column(c).drop_nulls().unique().to_list()
    )
    rejects: list[dict[str, object]] = []
    primary: dict[int, str] = {}
    starts = {end: start for start, end in _ORDERED_PAIRS.get(contract.name, [])}
    bad_rows = work.filter(pl.col("__bad"))
    messages: dict[tuple[str, str, str, str], str] = {}  # the same problem recurs: build its text once
    for fault in faults:
        rejects.append(
            {
                "row_number": fault.row_number,
                "column": fault.column,
                "value": fault.value,
                "rule": fault.rule,
                "message": fault.message,
            }
        )
        primary.setdefault(fault.row_number, f"{fault.rule} ({fault.column})" if fault.column else fault.rule)
    for f in fields if bad_rows.height else ():  # most batches have no bad row: no per-field scan
        start_col = pl.col(starts[f.name]) if f.name in starts else pl.lit(None, dtype=pl.String)
        hits = bad_rows.filter(pl.col(f"__p_{f.name}").is_not_null()).select(
            ROW_COLUMN, f.name, f"__p_{f.name}", start_col.alias("__start")
        )
        for row, value, rule, start_value in hits.iter_rows():
            stored, shown = _shown(f, value, identifiers)
            extra = ""
            if rule == "date in the future":
                extra = f"the extract date {ctx.as_of.isoformat()}"
            elif rule == "end before start":
                extra = f"{starts[f.name]} {_shown(f, start_value, identifiers)[1]}"
            elif rule == "unknown code":
                extra = code_suggestion(f, value) or ""
            elif rule == "differs from the file name":
                extra = str((ctx.file_values or {}).get(f.name, ""))
            key = (rule, f.name, shown, extra)
            message = messages.get(key) or messages.setdefault(key, _message(rule, f, shown, extra))
            rejects.append(
                {
                    "row_number": row,
                    "column": "" if rule == "blank row" else f.name,
                    "value": stored,
                    "rule": rule,
                    "message": message,
                }
            )
            primary.setdefault(row, rule if rule == "blank row" else f"{rule} ({f.name})")
    reasons: dict[str, int] = {}
    for reason in primary.values():
        reasons[reason] = reasons.get(reason, 0) + 1

    # Only the typed values (and the raw population age band) of the rows that passed go on.
    raw_kept = ["age"] if contract.name == "population" else []
    raw_kept += [f.name for f in fields if f.type == "datetime"]
    keep = [ROW_COLUMN, *[f"__v_{f.name}" for f in fields], *raw_kept]
    loaded = work.lazy().filter(~pl.col("__bad")).select(keep).collect()
    loaded = loaded.select(_output_columns(loaded, fields, ctx, contract.name))
    rejected_keys = None
    keys = contract.key_fields
    if keys and bad_rows.height:
        kdf = bad_rows.select(ROW_COLUMN, *[f"__v_{f.name}" for f in keys]).drop_nulls()
        rejected_keys = kdf.select(_output_columns(kdf, keys, ctx, contract.name))
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
    read = df.height + len({f.row_number for f in faults})  # a row may have several faulty cells
    return ValidationResult(contract.name, file_name, read, loaded, reject_frame, reasons, rejected_keys)


def _output_columns(
    frame: pl.DataFrame, fields: Sequence[FieldContract], ctx: ValidationContext, source: str
) -> list[pl.Expr | pl.Series]:
    """The loaded columns: typed values, pseudonyms for identifiers, the population band, time flags."""
    import polars as pl

    out: list[pl.Expr | pl.Series] = [pl.col(ROW_COLUMN)]
    for f in fields:
        value = pl.col(f"__v_{f.name}")
        if f.type == "person":
            idents = frame.get_column(f"__v_{f.name}").str.strip_chars()
            out.append(_pseudonyms(idents, ctx.pseudonymiser, source, "person_key"))
        elif f.pseudonymise:
            refs = frame.select(normalise_reference(pl.col(f"__v_{f.name}"))).to_series()
            out.append(_pseudonyms(refs, ctx.pseudonymiser, source, f.name))
        elif source == "population" and f.name == "age" and "age" in frame.columns:
            band = parse_age_band(pl.col(f.name))
            out += [band.struct.field("age_from"), band.struct.field("age_to")]
        else:
            out.append(value.alias(f.name))
        if f.type == "datetime" and f.name in frame.columns:
            # A value with a clock time (HH:MM) has its time known; a bare date does not (it is not midnight).
            out.append(pl.col(f.name).str.contains(r"\d:\d").fill_null(False).alias(f"{f.name}_time_known"))
    return out
