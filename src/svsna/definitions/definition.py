"""Serious-violence definitions loaded from YAML files and checked against the code lists.

A definition file looks like::

    kind: serious_violence_definition
    format_version: 1
    name: llr_vrn
    title: "LLR VRN: public place violence ..."
    version: "2022.1"
    source: "where the definition comes from"
    crime_groups: [Homicide, Violence with injury, Robbery]
    criteria:                     # tried in this order; the first failure is the reason
      offence_codes: ["1", "4/1", "2", "5D", "5E", "8N", "8P", "34A", "34B"]
      public_place_only: true     # exclude dwellings and non-public places
      exclude_domestic: true      # exclude domestic-flagged offences

Shipped definitions are in ``svsna/definitions/data``. Users may add their own: a folder
named by the ``SVSNA_DEFINITIONS`` environment variable is searched first, and an
entry of ``definitions`` in ``area.yaml`` may be a path to a YAML file (relative to the
area file).

Examples
--------
>>> d = load_definition("llr_vrn")
>>> d.name, d.criteria.public_place_only, "8N" in d.criteria.offence_codes
('llr_vrn', True, True)
>>> [c for c in d.criteria.order]
['offence_codes', 'public_place_only', 'exclude_domestic']
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from svsna.errors import ConfigError

__all__ = [
    "Criteria",
    "Definition",
    "definition_path",
    "list_definitions",
    "load_definition",
    "load_definitions",
    "resolve_definition_names",
]

DEFINITION_KIND = "serious_violence_definition"
FORMAT_VERSION = 1
_CRITERIA_KEYS = ("offence_codes", "public_place_only", "exclude_domestic")


class Criteria(BaseModel):
    """The tests an offence must pass to be in the definition."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    offence_codes: list[str] = Field(min_length=1)
    public_place_only: bool = False
    exclude_domestic: bool = False
    order: tuple[str, ...] = _CRITERIA_KEYS
    """The order the criteria are tried in (the YAML key order)."""

    @field_validator("offence_codes", mode="before")
    @classmethod
    def _as_text(cls, v: Any) -> Any:
        return [str(x).strip() for x in v] if isinstance(v, list) else v


class Definition(BaseModel):
    """A named serious-violence definition."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["serious_violence_definition"]
    format_version: Literal[1]
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    title: str
    version: str
    source: str
    crime_groups: list[str] = Field(default_factory=list)
    criteria: Criteria
    path: Path | None = None


def _shipped_dir() -> Path:
    return Path(str(resources.files("svsna"))) / "definitions" / "data"


def _search_dirs(extra: Path | None = None) -> list[Path]:
    dirs = []
    if extra is not None:
        dirs.append(extra)
    env = os.environ.get("SVSNA_DEFINITIONS")
    if env:
        dirs.append(Path(env))
    dirs.append(_shipped_dir())
    return dirs


def _is_definition_file(path: Path) -> bool:
    """Whether a YAML file declares ``kind: serious_violence_definition`` (other data files share the folder)."""
    try:
        with path.open(encoding="utf-8") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return any(line.split("#", 1)[0].strip() == f"kind: {DEFINITION_KIND}" for line in head.splitlines())


def list_definitions(extra_dir: Path | None = None) -> list[str]:
    """Names of the definitions found (user folders first, then the shipped ones)."""
    names: set[str] = set()
    for d in _search_dirs(extra_dir):
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.yaml") if _is_definition_file(p))
    return sorted(names)


def definition_path(name_or_path: str, base_dir: Path | None = None, extra_dir: Path | None = None) -> Path:
    """The file of a definition given by name (``llr_vrn``) or path (``defs/mine.yaml``)."""
    if name_or_path.endswith((".yaml", ".yml")):
        p = Path(name_or_path)
        if not p.is_absolute() and base_dir is not None:
            p = base_dir / p
        if not p.exists():
            raise ConfigError(f"definition file {p} not found")
        return p
    for d in _search_dirs(extra_dir):
        candidate = d / f"{name_or_path}.yaml"
        if candidate.exists():
            return candidate
    raise ConfigError(
        f"unknown definition {name_or_path!r}; known: {', '.join(list_definitions(extra_dir))} "
        "(hint: put your own definition YAML in the folder named by SVSNA_DEFINITIONS, or give its path)"
    )


def _check_codes(defn: Definition, path: Path) -> None:
    from svsna.codelists import code_values, load_codelist

    known = code_values("ho_offence_codes")
    unknown = [c for c in defn.criteria.offence_codes if c not in known]
    if unknown:
        raise ConfigError(
            f"{path}: definition {defn.name!r} lists offence code(s) {unknown} not in the ho_offence_codes code "
            "list; hint: fix the code or add a row (with its source) to a ho_offence_codes.csv in SVSNA_CODELISTS"
        )
    groups = set(load_codelist("ho_offence_codes")["crime_group"])
    bad_groups = [g for g in defn.crime_groups if g not in groups]
    if bad_groups:
        raise ConfigError(f"{path}: unknown crime group(s) {bad_groups}; known: {sorted(groups)}")


def load_definition(name_or_path: str, base_dir: Path | None = None, extra_dir: Path | None = None) -> Definition:
    """Load and check one definition.

    Raises
    ------
    ConfigError
        If the file is missing, is not a definition (``kind``/``format_version``), has an
        unknown setting, or lists codes that are not in the code lists.
    """
    import yaml

    path = definition_path(name_or_path, base_dir, extra_dir)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with kind: {DEFINITION_KIND}")
    if raw.get("kind") != DEFINITION_KIND:
        raise ConfigError(f"{path}: kind is {raw.get('kind')!r}, expected {DEFINITION_KIND!r}")
    if raw.get("format_version") != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: format_version {raw.get('format_version')!r} is not supported (expected {FORMAT_VERSION})"
        )
    criteria = raw.get("criteria")
    if isinstance(criteria, dict):
        unknown = [k for k in criteria if k not in _CRITERIA_KEYS]
        if unknown:
            raise ConfigError(f"{path}: unknown criteria {unknown}; known criteria: {list(_CRITERIA_KEYS)}")
        criteria = {**criteria, "order": tuple(criteria)}
    try:
        defn = Definition.model_validate({**raw, "criteria": criteria, "path": path})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: invalid definition: {problems}") from None
    _check_codes(defn, path)
    return defn


def load_definitions(names: list[str], base_dir: Path | None = None, extra_dir: Path | None = None) -> list[Definition]:
    """Load several definitions; their names must be distinct."""
    defs = [load_definition(n, base_dir, extra_dir) for n in names]
    seen: set[str] = set()
    for d in defs:
        if d.name in seen:
            raise ConfigError(f"definition name {d.name!r} is used twice; names must be unique")
        seen.add(d.name)
    return defs


def resolve_definition_names(
    entries: list[str], base_dir: Path | None = None, extra_dir: Path | None = None, *, load_names: bool = True
) -> list[str]:
    """The definition ``name`` of each ``area.yaml`` entry, in order.

    An entry is a definition name (``llr_vrn``) or the path of a definition YAML
    (``defs/my_def.yaml``, relative to ``base_dir``). Ingest stores decisions under the
    YAML's ``name``, so analyses must filter on that name, never on the path. With
    ``load_names=False`` a bare name is taken as it is (the warehouse's decisions are then
    the check that it was applied); paths are always loaded.

    Raises
    ------
    ConfigError
        As :func:`load_definition` (missing file, invalid definition), or a name used twice.

    Examples
    --------
    >>> resolve_definition_names(["llr_vrn"])
    ['llr_vrn']
    >>> resolve_definition_names(["my_own"], load_names=False)
    ['my_own']
    """
    names = []
    for entry in entries:
        is_path = str(entry).endswith((".yaml", ".yml"))
        names.append(load_definition(entry, base_dir, extra_dir).name if is_path or load_names else str(entry))
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"definition name(s) {', '.join(dup)} used twice; names must be unique")
    return names
