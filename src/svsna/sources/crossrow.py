"""The validation rules that need the whole file: orphan references and duplicate keys.

Ingest validates each file in batches (:func:`svsna.sources.validation.validate`) and
stages the rows that pass, with their file line ``_row``. The two rules below need every
row of the file at once, so they are Ibis expressions that the engine runs over the
staged table (DuckDB or Spark alike):

- ``orphan reference``: a row whose reference (``offence_ref`` of a victim) matches no
  loaded parent row. If the parent was itself rejected, the message says so and names
  the parent's line.
- ``duplicate key``: a second row with the same key (record references compared after
  normalising case and spaces, person identifiers by their pseudonym); the first row in
  the file is kept.

:func:`cross_row` returns the rows kept and one reject record per rejected row, with the
ledger reason (``orphan reference (offence_ref)``, ``duplicate key (offence_ref, person_id)``).
Ingest also runs the orphan rule (``duplicates=False``) over the key values of rows that a
row rule already rejected, so rejects.csv lists their orphan reference too (the ledger
counts them once, under the row rule).

Examples
--------
>>> import ibis
>>> from svsna.sources.contracts import load_contracts
>>> c = load_contracts()["population"]
>>> stage = ibis.memtable({"_row": [2, 3, 4], "area_code": ["e1", "E 1", "E2"], "year": [2020] * 3,
...     "age_from": [15] * 3, "age_to": [19] * 3, "sex": ["F"] * 3, "population": [10, 12, 7]})
>>> res = cross_row(stage, c, file="pop.csv")
>>> con = ibis.duckdb.connect()
>>> sorted(con.execute(res.kept)["_row"].tolist())
[2, 4]
>>> con.execute(res.rejects)[["row_number", "rule", "reason"]].values.tolist()
[[3, 'duplicate key', 'duplicate key (area_code, year, age, sex)']]
>>> con.execute(res.rejects)["message"][0].split(";")[0]
'duplicate of row 2 (same area_code, year, age, sex, ignoring case and spaces)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from svsna.pseudonym import MASK, REF_MASK
from svsna.sources.contracts import FieldContract, SourceContract

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["REJECT_SCHEMA", "CrossRow", "cross_row", "key_columns"]

REJECT_SCHEMA: dict[str, str] = {
    "source": "string",
    "file": "string",
    "row_number": "int64",
    "column": "string",
    "value": "string",
    "rule": "string",
    "message": "string",
}


@dataclass
class CrossRow:
    """The rows kept and the rows rejected (with a ``reason`` column for the ledger)."""

    kept: ir.Table
    rejects: ir.Table


def key_columns(f: FieldContract, source: str) -> list[str]:
    """The staged column(s) that hold key field ``f``."""
    if f.type == "person":
        return ["person_key"]
    if source == "population" and f.name == "age":
        return ["age_from", "age_to"]
    return [f.name]


def _normalised(t: ir.Table, f: FieldContract, col: str) -> ir.Value:
    if f.type == "string" and not f.pseudonymise and col == f.name:
        return t[col].upper().re_replace(r"\s+", "")
    return t[col]


def _shown(t: ir.Table, f: FieldContract, col: str) -> ir.Value:
    import ibis

    if f.type == "person":
        return ibis.literal(MASK)
    if f.pseudonymise:
        return ibis.literal(REF_MASK)
    return t[col].cast("string").fill_null("")


def _reject_frame(t: ir.Table, source: str, file: str, column: str, value: ir.Value, rule: str,
                  message: ir.Value, reason: str) -> ir.Table:  # fmt: skip
    import ibis

    return t.select(
        source=ibis.literal(source),
        file=ibis.literal(file),
        row_number=t._row.cast("int64"),
        column=ibis.literal(column),
        value=value.cast("string"),
        rule=ibis.literal(rule),
        message=message.cast("string"),
        reason=ibis.literal(reason),
    )


def cross_row(
    stage: ir.Table,
    contract: SourceContract,
    *,
    file: str,
    parents: dict[str, tuple[ir.Table, ir.Table | None, str]] | None = None,
    duplicates: bool = True,
) -> CrossRow:
    """Apply the orphan and duplicate rules to ``stage`` (one file's staged rows).

    Parameters
    ----------
    stage : ibis Table
        The rows that passed the per-row rules, with ``_row``.
    contract : SourceContract
    file : str
        The file name, for the rejects.
    parents : dict, optional
        ``"source.field"`` -> ``(loaded parent table, rejected parent keys or None, parent file name)``;
        the rejected keys table has the key column and ``_row``.
    duplicates : bool
        Apply the duplicate-key rule too (False: orphans only, e.g. for the key values of rows
        already rejected by a row rule, whose orphan reference is listed as a further problem).
    """
    import ibis

    parents = parents or {}
    rejected_parts: list[ir.Table] = []
    remaining = stage
    for f in contract.fields:
        if not f.references or f.references not in parents:
            continue
        parent, rejected, parent_file = parents[f.references]
        pcol = f.references.split(".", 1)[1]
        orphans = remaining.anti_join(parent, remaining[f.name] == parent[pcol])
        parent_source = f.references.split(".", 1)[0]
        plain = ibis.literal(
            f"{f.name} {REF_MASK if f.pseudonymise else '(value)'} matches no loaded {parent_source} row in "
            f"{parent_file}; hint: supply the {parent_source.rstrip('s')} or fix the reference"
        )
        if rejected is not None:
            first = rejected.group_by(rejected[pcol].name("__ref")).aggregate(__prow=rejected._row.min())
            joined = orphans.left_join(first, orphans[f.name] == first.__ref)
            message = ibis.cases(
                (
                    joined.__prow.notnull(),
                    ibis.literal(f"{f.name} {REF_MASK} points at the {parent_source.rstrip('s')} on line ")
                    + joined.__prow.cast("string")
                    + ibis.literal(
                        f" of {parent_file}, which was rejected; hint: fix that row (see its own reject) and this "
                        "row will load with it"
                    ),
                ),
                else_=plain,
            )
            part = _reject_frame(
                joined, contract.name, file, f.name, _shown(joined, f, f.name), "orphan reference", message,
                f"orphan reference ({f.name})",
            )  # fmt: skip
        else:
            part = _reject_frame(
                orphans, contract.name, file, f.name, _shown(orphans, f, f.name), "orphan reference", plain,
                f"orphan reference ({f.name})",
            )  # fmt: skip
        rejected_parts.append(part)
        remaining = remaining.anti_join(orphans, "_row")
    keys = contract.key_fields if duplicates else []
    if keys:
        norm = {}
        for f in keys:
            for col in key_columns(f, contract.name):
                norm[f"__k_{col}"] = _normalised(remaining, f, col)
        t = remaining.mutate(**norm)
        w = ibis.window(group_by=[t[c] for c in norm])
        t = t.mutate(__first=t._row.min().over(w))
        dups = t.filter(t._row != t.__first)
        names = ", ".join(f.name for f in keys)
        has_text_key = any(f.type == "string" and not f.pseudonymise for f in keys) or any(f.pseudonymise for f in keys)
        same = f"same {names}{', ignoring case and spaces' if has_text_key else ''}"
        shown = [_shown(dups, f, key_columns(f, contract.name)[0]) for f in keys]
        if contract.name == "population":
            shown = [
                _shown(dups, f, c)
                if f.name != "age"
                else dups.age_from.cast("string") + "-" + dups.age_to.cast("string")
                for f, c in zip(keys, [key_columns(f, contract.name)[0] for f in keys], strict=True)
            ]
        value = shown[0]
        for s in shown[1:]:
            value = value + ibis.literal(" | ") + s
        message = (
            ibis.literal("duplicate of row ")
            + dups.__first.cast("string")
            + ibis.literal(
                f" ({same}); the first row is kept; hint: remove repeated rows from the extract or check the key"
            )
        )
        rejected_parts.append(
            _reject_frame(dups, contract.name, file, names, value, "duplicate key", message, f"duplicate key ({names})")
        )
        remaining = remaining.anti_join(dups, "_row")
    if rejected_parts:
        rejects = rejected_parts[0]
        for p in rejected_parts[1:]:
            rejects = rejects.union(p)
    else:
        rejects = ibis.memtable(
            {k: [] for k in [*REJECT_SCHEMA, "reason"]},
            schema={**REJECT_SCHEMA, "reason": "string"},
        )
    return CrossRow(kept=remaining, rejects=rejects)
