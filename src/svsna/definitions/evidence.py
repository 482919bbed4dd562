"""The data files behind the risk-factor, evidence and recommendation sections, validated with pydantic.

Four kinds of file are shipped in ``svsna/definitions/data`` and may be extended or replaced by
files of the same name next to ``area.yaml``:

* ``recommendation_rules.yaml`` - recommendation and need rules (:class:`RulesFile`);
* ``indicator_catalogue.csv`` - domain, polarity, unit and printed source of each risk-factor
  indicator (:class:`CatalogueEntry`);
* ``yef_toolkit.csv``, ``cdc_strategies.csv``, ``needs_to_approaches.csv`` - the evidence
  tables (:class:`YefApproach`, :class:`CdcStrategy`, :class:`NeedApproach`).

Every file is checked against its model when it is read; a bad value is a
:class:`~svsna.errors.ConfigError` naming the file, the row or rule, the column or field, the
value and the rule broken, with a hint.

Examples
--------
>>> rules = load_rules()
>>> standing = [r.id for r in rules if r.standing]
>>> "core_function" in standing, all(r.when == "always" for r in rules if r.standing)
(True, True)
>>> cat = load_catalogue()
>>> cat.loc[cat["indicator_id"] == "dfe_children_in_need", "polarity"].item()
'neutral'
>>> yef = load_evidence_table("yef_toolkit")
>>> yef.loc[yef["approach"] == "Boot Camps", "impact"].item()
'Harmful'
"""

from __future__ import annotations

import functools
import os
import re
import string
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from svsna.errors import ConfigError, quote_value
from svsna.indicators import Significance

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CATALOGUE_COLUMNS",
    "DOMAINS",
    "EVIDENCE_TABLES",
    "IMPACTS",
    "LEVELS",
    "POLARITIES",
    "TESTS",
    "CatalogueEntry",
    "CdcStrategy",
    "Check",
    "FindingCondition",
    "NeedApproach",
    "NeedRule",
    "RecommendationRule",
    "RulesFile",
    "YefApproach",
    "catalogue_paths",
    "load_catalogue",
    "load_evidence_table",
    "load_rules",
    "placeholders",
    "rules_paths",
    "validate_rule",
]

LEVELS: tuple[str, ...] = ("strategic", "intervention")
TESTS: tuple[str, ...] = ("gt", "ge", "lt", "le", "eq", "ne", "between", "in", "contains", "nonempty", "is")
DOMAINS: tuple[str, ...] = ("individual", "relationship", "community", "societal")
#: ``neutral``: a direction exists but is deliberately not judged (the reason is required);
#: ``not_applicable``: the indicator has no better or worse direction.
POLARITIES: tuple[str, ...] = ("low_is_good", "high_is_good", "not_applicable", "neutral")
IMPACTS: tuple[str, ...] = ("Harmful", "Unclear", "Low", "Moderate", "High")
CATALOGUE_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "name",
    "domain",
    "risk_or_protective",
    "polarity",
    "source",
    "unit",
)
#: Placeholders every recommendation text may use besides the triggering findings' numbers.
CONTEXT_FIELDS: tuple[str, ...] = ("area", "under", "period")
NOT_AVAILABLE = "Not available"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ------------------------------------------------------------------------------ rule grammar
class Check(_Model):
    """Tests on one number of a finding; every test given must pass (a missing number never passes)."""

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    eq: Any = None
    ne: Any = None
    between: tuple[float, float] | None = None
    in_: list[Any] | None = Field(default=None, alias="in")
    contains: str | None = None
    nonempty: bool | None = None
    is_: Any = Field(default=None, alias="is")

    @model_validator(mode="before")
    @classmethod
    def _known_tests(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            bad = sorted(set(map(str, data)) - set(TESTS))
            if bad:
                raise ValueError(f"unknown test(s) {bad}; use one of {', '.join(TESTS)}")
            if not data:
                raise ValueError(f"an empty test; use one of {', '.join(TESTS)}")
        return data

    @property
    def given(self) -> dict[str, Any]:
        """The tests written in the rule, by their YAML names."""
        names = {"in_": "in", "is_": "is"}
        return {names.get(k, k): getattr(self, k) for k in self.model_fields_set}


Scalar = str | int | float | bool | None


class FindingCondition(_Model):
    """Some finding with key ``finding`` (and section, definition, significance) whose numbers pass ``where``."""

    finding: str = Field(min_length=1)
    section: str | None = None
    definition: str | None = None
    significance: list[str] | None = None
    where: dict[str, Check | Scalar] = Field(default_factory=dict)

    @field_validator("significance", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("significance")
    @classmethod
    def _known_significance(cls, v: list[str] | None) -> list[str] | None:
        allowed = [s.value for s in Significance]
        bad = [s for s in v or [] if s not in allowed]
        if bad:
            raise ValueError(f"unknown significance {bad}; use one of {allowed}")
        return v

    @field_validator("where", mode="before")
    @classmethod
    def _tests(cls, v: Any) -> Any:
        if not isinstance(v, Mapping):
            return v
        for name, test in v.items():
            if isinstance(test, Mapping):
                bad = sorted(set(map(str, test)) - set(TESTS))
                if bad:
                    raise ValueError(f"{name}: unknown test(s) {bad}; use one of {', '.join(TESTS)}")
        return v


class AllCondition(_Model):
    all: list[Condition] = Field(min_length=1)


class AnyCondition(_Model):
    any: list[Condition] = Field(min_length=1)


class NotCondition(_Model):
    not_: Condition = Field(alias="not")


def _condition_kind(v: Any) -> str:
    if isinstance(v, str):
        return "always"
    if isinstance(v, Mapping):
        for key in ("all", "any", "not"):
            if key in v:
                return key
        return "finding"
    return {AllCondition: "all", AnyCondition: "any", NotCondition: "not"}.get(type(v), "finding")


Condition = Annotated[
    Annotated[Literal["always"], Tag("always")]
    | Annotated[AllCondition, Tag("all")]
    | Annotated[AnyCondition, Tag("any")]
    | Annotated[NotCondition, Tag("not")]
    | Annotated[FindingCondition, Tag("finding")],
    Discriminator(_condition_kind),
]
AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()


def placeholders(text: str) -> list[str]:
    """The ``{names}`` a recommendation text uses (format specs removed).

    >>> placeholders("{district} has {rate:.2f} per 1,000 in {area}")
    ['district', 'rate', 'area']
    """
    return [f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f]


def finding_keys(cond: Any) -> list[str]:
    """Every finding key a condition reads, in order.

    >>> finding_keys({"all": [{"finding": "a"}, {"not": {"finding": "b"}}]})
    ['a', 'b']
    """
    if isinstance(cond, FindingCondition):
        return [cond.finding]
    if isinstance(cond, Mapping):
        cond = _parse_condition(cond)
        return finding_keys(cond)
    if isinstance(cond, AllCondition | AnyCondition):
        parts = cond.all if isinstance(cond, AllCondition) else cond.any
        return [k for c in parts for k in finding_keys(c)]
    if isinstance(cond, NotCondition):
        return finding_keys(cond.not_)
    return []


def _parse_condition(cond: Mapping[str, Any]) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(Condition).validate_python(cond)


class RecommendationRule(_Model):
    """One recommendation rule.

    A rule that fires ``when: always`` is a **standing** recommendation and must say
    ``standing: true`` (the report presents it as standing, not as driven by the data); a
    standing rule's text may use only ``{area}``, ``{under}`` and ``{period}``.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    level: Literal["strategic", "intervention"]
    order: int | None = None
    text: str = Field(min_length=1)
    when: Condition
    standing: bool = False
    enabled: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _standing_is_declared(self) -> RecommendationRule:
        always = self.when == "always"
        if always and not self.standing:
            raise ValueError("'when: always' makes a standing recommendation; add 'standing: true' to say so")
        if self.standing and not always:
            raise ValueError("'standing: true' is only for rules that fire 'when: always'")
        if self.standing:
            extra = [p for p in placeholders(self.text) if p not in CONTEXT_FIELDS]
            if extra:
                raise ValueError(
                    f"a standing recommendation has no triggering finding, so placeholder(s) {extra} cannot be "
                    f"filled; use only {list(CONTEXT_FIELDS)}"
                )
        return self

    @property
    def finding_keys(self) -> list[str]:
        """The finding keys the rule rests on (none for a standing rule)."""
        return list(dict.fromkeys(finding_keys(self.when)))


class NeedRule(_Model):
    """A local need, identified for the interventions section when its condition holds."""

    id: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    need: str = Field(min_length=1)
    when: Condition
    enabled: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _data_driven(self) -> NeedRule:
        if self.when == "always":
            raise ValueError("a need must rest on findings; 'when: always' is not allowed for needs")
        return self

    @property
    def finding_keys(self) -> list[str]:
        return list(dict.fromkeys(finding_keys(self.when)))


class RulesFile(_Model):
    """A ``recommendation_rules.yaml`` file (shipped or local)."""

    format_version: Literal[1] = 1
    recommendations: list[RecommendationRule] = Field(default_factory=list)
    needs: list[NeedRule] = Field(default_factory=list)
    suppress: list[str] = Field(default_factory=list)
    replace_defaults: bool = False

    @model_validator(mode="after")
    def _unique_ids(self) -> RulesFile:
        for kind in ("recommendations", "needs"):
            seen: set[str] = set()
            for r in getattr(self, kind):
                if r.id in seen:
                    raise ValueError(f"{kind}: duplicate rule id {r.id!r}; give each rule a unique id")
                seen.add(r.id)
        return self


def _shipped(name: str) -> Path:
    return Path(str(resources.files("svsna"))) / "definitions" / "data" / name


def _local_paths(base_dir: Path | None, name: str, env: str) -> list[Path]:
    out = []
    if base_dir is not None and (Path(base_dir) / name).exists():
        out.append(Path(base_dir) / name)
    value = os.environ.get(env)
    if value:
        if not Path(value).exists():
            raise ConfigError(f"{env} points to {value}, which does not exist", hint=f"set it to a {name} file")
        out.append(Path(value))
    return out


def rules_paths(base_dir: Path | None) -> list[Path]:
    """Local rule files applied over the shipped rules, in order (area folder, then ``$SVSNA_RECOMMENDATION_RULES``)."""
    return _local_paths(base_dir, "recommendation_rules.yaml", "SVSNA_RECOMMENDATION_RULES")


def _error_lines(exc: ValidationError, where: str, raw: Any) -> str:
    """One message naming the file, the rule id (when the error is inside a rule), the field and the value."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    rule = ""
    if len(loc) >= 2 and loc[0] in ("recommendations", "needs") and isinstance(loc[1], int):
        items = raw.get(loc[0]) if isinstance(raw, Mapping) else None
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        rid = item.get("id") if isinstance(item, Mapping) else None
        rule = f" rule {rid!r} ({loc[0]}[{loc[1]}])" if rid is not None else f" {loc[0]}[{loc[1]}]"
        loc = loc[2:]
    loc = [p for p in loc if p not in ("always", "all", "any", "not", "finding") or not isinstance(p, str)]
    field = ".".join(str(p) for p in loc)
    msg = str(err["msg"]).removeprefix("Value error, ")
    got = err.get("input")
    shown = "" if isinstance(got, Mapping | list) else f" (got {quote_value(got)})"
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    at = f" field {field}:" if field else ":"
    return f"{where}:{rule}{at} {msg}{shown}{more}"


def read_rules_file(path: Path) -> RulesFile:
    """Read and validate one rules file (validated once per content: the models are frozen, so a file
    read again unchanged, same size and modification time, gives the same validated rules)."""
    try:
        st = path.stat()
    except OSError:
        return _read_rules_file(path)
    return _read_rules_cached(str(path.resolve()), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=32)
def _read_rules_cached(path: str, _mtime_ns: int, _size: int) -> RulesFile:
    return _read_rules_file(Path(path))


def _read_rules_file(path: Path) -> RulesFile:
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}", hint="check the indentation and quoting") from exc
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"{path}: expected a mapping with 'recommendations' (and optionally 'needs', 'suppress')",
            hint="see docs/recommendation-rules.md",
        )
    try:
        return RulesFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_error_lines(exc, str(path), raw), hint="see docs/recommendation-rules.md") from None


def validate_rule(rule: Any, kind: str = "recommendations") -> RecommendationRule | NeedRule:
    """A rule given as a mapping (or already a model), validated; errors name the rule."""
    model = RecommendationRule if kind == "recommendations" else NeedRule
    if isinstance(rule, model):
        return rule
    try:
        return model.model_validate(rule)
    except ValidationError as exc:
        rid = rule.get("id") if isinstance(rule, Mapping) else None
        raw = {kind: [rule]}
        text = _error_lines(exc, "rule given in code", raw) if rid is not None else str(exc)
        raise ConfigError(text, hint="see docs/recommendation-rules.md") from None


def load_rules(
    extra: Iterable[Path] | None = None, kind: Literal["recommendations", "needs"] = "recommendations"
) -> list[Any]:
    """Shipped rules of ``kind`` merged with local files, enabled ones only, as validated models.

    Local rules replace shipped rules with the same id and add new ones; ``suppress: [ids]``
    and ``enabled: false`` switch rules off; ``replace_defaults: true`` drops the shipped rules.
    """
    rules = list(getattr(read_rules_file(_shipped("recommendation_rules.yaml")), kind))
    suppressed: set[str] = set()
    for path in extra or []:
        local = read_rules_file(Path(path))
        mine = list(getattr(local, kind))
        if local.replace_defaults:
            rules = []
        ids = {r.id for r in mine}
        rules = [r for r in rules if r.id not in ids] + mine
        suppressed |= set(local.suppress)
    return [r for r in rules if r.id not in suppressed and r.enabled]


# ------------------------------------------------------------------------- CSV data files
class CatalogueEntry(_Model):
    """One row of the indicator catalogue.

    ``source`` is printed under the report's risk-factor tables: the publisher and dataset only
    ("OHID Fingertips (Public Health Outcomes Framework)", "DfE Characteristics of children in
    need"). Remarks for whoever maintains the row (which id is local, what is still to verify)
    go in ``source_note``, which is never printed. ``publisher``, when given, is how ``source``
    begins ("OHID Fingertips", "DfE"): a table whose rows come from several datasets of one
    publisher names it once ("DfE: Key stage 4 performance, Pupil absence in schools in England").
    """

    indicator_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    domain: Literal["individual", "relationship", "community", "societal"]
    risk_or_protective: Literal["risk", "protective"]
    polarity: Literal["low_is_good", "high_is_good", "not_applicable", "neutral"]
    polarity_reason: str = ""
    source: str = Field(min_length=1)
    source_note: str = ""
    unit: str = Field(min_length=1)
    aliases: str = ""
    publisher: str = ""

    @model_validator(mode="after")
    def _source_names_its_publisher(self) -> CatalogueEntry:
        if self.publisher and not self.source.startswith(self.publisher + " "):
            raise ValueError(f"source {self.source!r} does not begin with its publisher {self.publisher!r}")
        return self

    @model_validator(mode="after")
    def _neutral_has_reason(self) -> CatalogueEntry:
        if self.polarity == "neutral" and not self.polarity_reason.strip():
            raise ValueError(
                "polarity 'neutral' needs a polarity_reason (why a higher or lower value is not judged better or worse)"
            )
        return self


class YefApproach(_Model):
    """One approach of the Youth Endowment Fund Toolkit table."""

    approach: str = Field(min_length=1)
    impact: Literal["Harmful", "Unclear", "Low", "Moderate", "High"]
    evidence_quality: Literal["Low", "Moderate", "High"]
    cost: str = Field(min_length=1)
    cost_source: str = Field(min_length=1)
    description: str = ""
    source: str = Field(min_length=1)
    retrieved: str = Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")


class CdcStrategy(_Model):
    """One of the six CDC (2016) strategies."""

    number: int = Field(ge=1, le=6)
    strategy: str = Field(min_length=1)
    approaches: str = Field(min_length=1)
    source: str = Field(min_length=1)
    retrieved: str = Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")


class NeedApproach(_Model):
    """Which approach answers which local need."""

    need_id: str = Field(min_length=1)
    approach: str = Field(min_length=1)
    cdc_strategy: int | None = Field(default=None, ge=1, le=6)
    rationale: str = Field(min_length=1)
    source: str = Field(min_length=1)

    @field_validator("cdc_strategy", mode="before")
    @classmethod
    def _blank_is_none(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v


EVIDENCE_TABLES: dict[str, type[_Model]] = {
    "yef_toolkit": YefApproach,
    "cdc_strategies": CdcStrategy,
    "needs_to_approaches": NeedApproach,
}


def _read_csv(path: Path, model: type[_Model], unique: str | None = None) -> pd.DataFrame:
    """A CSV file, every row validated by ``model``; the returned frame has the model's fields in order."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path}: cannot be read as CSV: {exc}", hint="save it as UTF-8 CSV with a header row"
        ) from exc
    fields = list(model.model_fields)
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"{path}: missing column(s) {missing}",
            hint=f"the header must include {','.join(required)} (optional: "
            f"{','.join(c for c in fields if c not in required)})",
        )
    unknown = [c for c in frame.columns if c not in fields]
    if unknown:
        raise ConfigError(f"{path}: unknown column(s) {unknown}", hint=f"allowed columns: {','.join(fields)}")
    records = []
    seen: set[str] = set()
    for i, row in enumerate(frame.to_dict("records"), start=2):
        try:
            rec = model.model_validate({k: v.strip() for k, v in row.items()})
        except ValidationError as exc:
            err = exc.errors()[0]
            col = ".".join(str(p) for p in err["loc"]) or "(row)"
            value = row.get(col, "") if col in row else ""
            msg = str(err["msg"]).removeprefix("Value error, ")
            raise ConfigError(
                f"{path}: row {i}: column {col} has value {quote_value(value)}: {msg}",
                hint="fix the value (see the module docs of svsna.definitions.evidence)",
            ) from None
        if unique is not None:
            key = str(getattr(rec, unique))
            if key in seen:
                raise ConfigError(f"{path}: row {i}: duplicate {unique} {key!r}", hint=f"each {unique} appears once")
            seen.add(key)
        records.append(rec.model_dump())
    return pd.DataFrame(records, columns=fields)


def catalogue_paths(base_dir: Path | None) -> list[Path]:
    """User catalogue files that extend the shipped one (area folder, then ``$SVSNA_INDICATOR_CATALOGUE``)."""
    return _local_paths(base_dir, "indicator_catalogue.csv", "SVSNA_INDICATOR_CATALOGUE")


def load_catalogue(extra: Iterable[Path] | None = None) -> pd.DataFrame:
    """The shipped indicator catalogue, extended and overridden (by ``indicator_id``) by ``extra`` files."""
    import pandas as pd

    frame = _read_csv(_shipped("indicator_catalogue.csv"), CatalogueEntry, unique="indicator_id")
    for path in extra or []:
        user = _read_csv(Path(path), CatalogueEntry, unique="indicator_id")
        frame = pd.concat([frame[~frame["indicator_id"].isin(user["indicator_id"])], user], ignore_index=True)
    return frame.reset_index(drop=True)


def load_evidence_table(name: str, base_dir: Path | None = None) -> pd.DataFrame:
    """One evidence table: ``<area folder>/<name>.csv`` if present, else the shipped file."""
    if name not in EVIDENCE_TABLES:
        raise ConfigError(f"unknown evidence table {name!r}", hint=f"use one of {sorted(EVIDENCE_TABLES)}")
    path = _shipped(f"{name}.csv")
    if base_dir is not None and (Path(base_dir) / f"{name}.csv").exists():
        path = Path(base_dir) / f"{name}.csv"
    unique = {"yef_toolkit": "approach", "cdc_strategies": "number"}.get(name)
    return _read_csv(path, EVIDENCE_TABLES[name], unique=unique)


def unit_words(unit: str) -> str:
    """A catalogue unit in words for tables and sentences.

    >>> unit_words("per 100000"), unit_words("%"), unit_words("per 100 pupils"), unit_words("score")
    ('per 100,000', '%', 'per 100 pupils', 'score')
    """
    u = (unit or "").strip()
    m = re.fullmatch(r"per\s+([\d,]+)(.*)", u, flags=re.IGNORECASE)
    if m:
        return f"per {int(m.group(1).replace(',', '')):,}{m.group(2)}"
    return u


def unit_statistic(unit: str) -> str:
    """The indicator-table ``statistic`` of a catalogue unit.

    >>> unit_statistic("%"), unit_statistic("per 1000"), unit_statistic("score"), unit_statistic("years")
    ('percentage', 'rate', 'score', 'value')
    """
    u = (unit or "").strip().lower()
    if u in ("%", "percent", "percentage", "proportion"):
        return "percentage"
    if u.startswith("per ") or "rate" in u:
        return "rate"
    if u == "score":
        return "score"
    return "value"
