"""The data contracts (``contracts.yaml``) as typed objects, and the partner-facing doc.

A :class:`SourceContract` lists the :class:`FieldContract` of one partner extract
(offences, victims, ...). The readers use it to find columns, the validation rules use
it to check values and ``docs/data-contracts.md`` is generated from it with
:func:`render_contracts_markdown` (``python -m svsna.sources.contracts`` rewrites it).

Examples
--------
>>> contracts = load_contracts()
>>> off = contracts["offences"]
>>> [f.name for f in off.key_fields]
['offence_ref']
>>> off.field("ho_code").codes, off.field("ho_code").required
('ho_offence_codes', True)
>>> off.match_column("HO-Offence Code")
'ho_code'
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from svsna.errors import ConfigError, validation_problems

__all__ = [
    "FIELD_TYPES",
    "Exclusion",
    "FieldContract",
    "SourceContract",
    "load_contracts",
    "load_open_data_contracts",
    "normalise_column_name",
    "render_contracts_markdown",
    "write_contracts_doc",
]

FieldType = Literal[
    "string", "integer", "number", "date", "datetime", "time", "boolean", "code", "lsoa", "age", "person"
]
FIELD_TYPES: tuple[str, ...] = FieldType.__args__  # type: ignore[attr-defined]

_TYPE_HELP: dict[str, str] = {
    "string": "free text (trimmed)",
    "integer": "whole number",
    "number": "decimal number",
    "date": "YYYY-MM-DD (also DD/MM/YYYY)",
    "datetime": "YYYY-MM-DD HH:MM[:SS] (also DD/MM/YYYY HH:MM[:SS], or ISO 8601 with T)",
    "time": "HH:MM[:SS]",
    "boolean": "Y/N, Yes/No, True/False, 1/0 (blank = unknown)",
    "code": "one of the listed codes (matched ignoring case)",
    "lsoa": "a 2011 LSOA code that appears in the geography lookup",
    "age": "whole years 0-110",
    "person": "person identifier, replaced at ingest by a keyed pseudonym and never stored",
}


def normalise_column_name(name: str) -> str:
    """Lower-case a column name and drop spaces, underscores, hyphens and a BOM.

    >>> normalise_column_name(" HO_Offence-Code ")
    'hooffencecode'
    """
    return re.sub(r"[\s_\-\ufeff]+", "", str(name)).lower()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldContract(_Strict):
    """One field (column) of a partner extract."""

    name: str
    type: FieldType
    required: bool = False
    key: bool = False
    codes: str | None = None
    allowed: list[str] | None = None
    references: str | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    example: Any = None
    description: str | None = None
    aliases: list[str] = Field(default_factory=list)
    pseudonymise: bool = False
    """A record reference (offence, attendance, admission, incident): normalised and replaced by a keyed HMAC."""
    outside_area: bool = False
    """An LSOA field where a valid LSOA code outside the area's geography is kept (a home address)."""
    from_file_name: bool = False
    """The file's name gives this field's value too (police.uk's ``Month``); a row that differs is rejected."""

    @model_validator(mode="after")
    def _coherent(self) -> FieldContract:
        if self.type == "code" and not (self.codes or self.allowed):
            raise ValueError(f"field {self.name!r} is a code but has neither `codes` nor `allowed`")
        if self.references and "." not in self.references:
            raise ValueError(f"field {self.name!r}: references must be 'source.field'")
        return self

    @property
    def names(self) -> list[str]:
        """The field name followed by its aliases."""
        return [self.name, *self.aliases]

    def allowed_values(self) -> list[str]:
        """The valid codes (inline ``allowed`` or the ``code`` column of the code list)."""
        if self.allowed is not None:
            return list(self.allowed)
        if self.codes:
            from svsna.codelists import load_codelist

            return list(load_codelist(self.codes)["code"])
        return []


class Exclusion(_Strict):
    """A valid row that is not loaded, and why (open-data contracts; tested in order, first wins).

    ``when`` is ``blank`` (the field is blank), ``not_in`` (its value is not in the run-time set
    named ``set``) or ``equals`` (its value is ``value``).
    """

    key: str
    field: str
    when: Literal["blank", "not_in", "equals"]
    reason: str
    set: str | None = None
    value: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Exclusion:
        if self.when == "not_in" and not self.set:
            raise ValueError(f"exclusion {self.key!r}: `not_in` needs `set`")
        if self.when == "equals" and self.value is None:
            raise ValueError(f"exclusion {self.key!r}: `equals` needs `value`")
        return self

    @property
    def ledger_reason(self) -> str:
        """The reason as the ledger writes it (``"excluded: <reason>"``)."""
        return f"excluded: {self.reason}"


class SourceContract(_Strict):
    """The contract of one source: its title, provider, fields and (open data) exclusions."""

    name: str
    title: str
    provider: str
    description: str
    fields: list[FieldContract]
    exclusions: list[Exclusion] = Field(default_factory=list)
    all_columns: bool = False
    """Every field must be a column of the file, even where its values may be blank (published data)."""

    @model_validator(mode="after")
    def _exclusions_name_fields(self) -> SourceContract:
        names = {f.name for f in self.fields}
        for e in self.exclusions:
            if e.field not in names:
                raise ValueError(f"exclusion {e.key!r}: no field {e.field!r}")
        return self

    def exclusion(self, key: str) -> Exclusion:
        for e in self.exclusions:
            if e.key == key:
                return e
        raise KeyError(f"source {self.name!r} has no exclusion {key!r}")

    def field(self, name: str) -> FieldContract:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"source {self.name!r} has no field {name!r}")

    @property
    def key_fields(self) -> list[FieldContract]:
        return [f for f in self.fields if f.key]

    @property
    def required_fields(self) -> list[FieldContract]:
        return [f for f in self.fields if f.required]

    @property
    def required_columns(self) -> list[FieldContract]:
        """The fields a file must have a column for (required ones; every one with ``all_columns``)."""
        return list(self.fields) if self.all_columns else self.required_fields

    def match_column(self, column: str) -> str | None:
        """The field a file column stands for (case/space/underscore/hyphen-insensitive), or None."""
        wanted = normalise_column_name(column)
        for f in self.fields:
            if any(normalise_column_name(n) == wanted for n in f.names):
                return f.name
        return None


def _contracts_path(name: str = "contracts.yaml") -> Path:
    return Path(str(resources.files("svsna"))) / "sources" / name


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, SourceContract]:
    import yaml

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("kind") != "svsna_data_contracts":
        raise ConfigError(f"{path}: not an svsna data contracts file (kind must be svsna_data_contracts)")
    if raw.get("format_version") != 1:
        raise ConfigError(f"{path}: unsupported format_version {raw.get('format_version')!r} (expected 1)")
    out: dict[str, SourceContract] = {}
    for name, body in (raw.get("sources") or {}).items():
        try:
            out[name] = SourceContract.model_validate({"name": name, **body})
        except ValidationError as exc:
            raise ConfigError(
                validation_problems(
                    str(path),
                    f"source {name!r}'s contract",
                    list(exc.errors()),
                    "see docs/data-contracts.md for the fields of a contract",
                )
            ) from None
    return out


def load_contracts(path: str | Path | None = None) -> dict[str, SourceContract]:
    """Load the data contracts, keyed by source name (in file order)."""
    return dict(_load(str(path or _contracts_path())))


def load_open_data_contracts() -> dict[str, SourceContract]:
    """The contracts of published open data (``open_data_contracts.yaml``: police.uk street files).

    >>> street = load_open_data_contracts()["police_uk_street"]
    >>> street.match_column("LSOA code"), street.field("month").from_file_name
    ('lsoa_code', True)
    >>> [e.key for e in street.exclusions]
    ['no_location', 'not_lsoa11', 'outside_area', 'asb']
    """
    return load_contracts(_contracts_path("open_data_contracts.yaml"))


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _codes_cell(f: FieldContract, max_listed: int = 30) -> str:
    if f.allowed is not None:
        return ", ".join(f"`{v}`" for v in f.allowed)
    if f.codes:
        values = f.allowed_values()
        link = f"[{f.codes}.csv](../src/svsna/definitions/codelists/{f.codes}.csv)"
        if len(values) <= max_listed:
            return ", ".join(f"`{v}`" for v in values) + f" ({link})"
        return f"{len(values)} codes: see {link}"
    if f.type == "lsoa":
        return "LSOA codes in the geography lookup"
    if f.references:
        return f"must match `{f.references}`"
    return ""


def _rules_cell(f: FieldContract) -> str:
    parts = [_TYPE_HELP[f.type]]
    if f.pattern:
        parts.append(f"pattern `{f.pattern}`")
    if f.min is not None:
        parts.append(f"min {f.min:g}")
    if f.max is not None:
        parts.append(f"max {f.max:g}")
    if f.key:
        parts.append("part of the row key (duplicates rejected; case and spaces ignored)")
    if f.pseudonymise:
        parts.append("replaced at ingest by a keyed pseudonym")
    if f.outside_area:
        parts.append("an LSOA outside the area is kept, as outside the area")
    return "; ".join(parts)


def render_contracts_markdown(contracts: dict[str, SourceContract] | None = None) -> str:
    """The partner-facing data contracts document (Markdown), generated from the contracts."""
    contracts = contracts or load_contracts()
    lines = [
        "# Data contracts",
        "",
        "<!-- Generated from src/svsna/sources/contracts.yaml by `python -m svsna.sources.contracts`;"
        " do not edit by hand. -->",
        "",
        "What each partner extract must contain. Files may be CSV (UTF-8, UTF-8 with BOM or",
        "Windows-1252, comma-separated), Excel (.xlsx, first sheet or `file.xlsx#Sheet name`) or Parquet.",
        "Column names are matched ignoring case, spaces, underscores and hyphens; the aliases",
        "listed are accepted too. Extra columns are ignored. Blank cells and `NULL` are missing values.",
        "Every row is either loaded or",
        "rejected with a reason in `rejects.csv` (row numbers count the header as line 1).",
        "",
        "Sources: " + ", ".join(f"[{c.name}](#{c.name.replace('_', '-')})" for c in contracts.values()),
        "",
    ]
    for c in contracts.values():
        lines += [
            f"## {c.name}",
            "",
            f"**{_md(c.title)}**. Provider: {_md(c.provider)}.",
            "",
            _md(c.description),
            "",
            "| field | type | required | allowed codes | rules | example | aliases | description |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for f in c.fields:
            example = "" if f.example is None else f"`{_md(f.example)}`"
            aliases = ", ".join(f"`{a}`" for a in f.aliases)
            lines.append(
                f"| `{f.name}` | {f.type} | {'yes' if f.required else 'no'} | {_md(_codes_cell(f))} | "
                f"{_md(_rules_cell(f))} | {example} | {aliases} | {_md(f.description or '')} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_contracts_doc(path: str | Path) -> Path:
    """Write :func:`render_contracts_markdown` to ``path`` and return it."""
    path = Path(path)
    path.write_text(render_contracts_markdown(), encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else "docs/data-contracts.md"
    print(write_contracts_doc(target))
