"""The findings contract as data: finding keys and the numbers each carries (``findings.yaml``).

The report's sentence templates are keyed on a finding's ``key`` and read only its
``numbers``; this module loads the contract, checks findings against it and renders it
as ``docs/findings.md``.

Examples
--------
>>> c = load_contract()
>>> "part_year_run_rate" in c["keys"] and "value" in c["standard"]
True
>>> from svsna.indicators import Finding
>>> check_findings([Finding("extent", "no_such_key", "x", {})])
['extent/no_such_key: key not in the findings contract (svsna/analyses/findings.yaml)']

Which numbers are context (printed as they are) rather than statistics is declared here too:

>>> declared_context("peak_hour")
('hour', 'next_hour', 'under25_hour', 'over25_hour')
>>> is_context("top.0.hour", ("top.hour",)), is_context("victims_under", ("hour",))
(True, False)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from svsna.indicators import Finding

__all__ = [
    "check_findings",
    "context_of",
    "contract_path",
    "declared_context",
    "is_context",
    "load_contract",
    "opendata_contract_path",
    "render_document",
    "render_markdown",
    "with_context",
]


def contract_path() -> Path:
    """The shipped ``findings.yaml``."""
    return Path(str(resources.files("svsna"))) / "analyses" / "findings.yaml"


@lru_cache(maxsize=1)
def _load(path: str) -> dict[str, Any]:
    import yaml

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("kind") != "svsna_findings_contract":
        raise ValueError(f"{path}: not an svsna findings contract")
    return raw


def opendata_contract_path() -> Path:
    """The shipped ``findings_opendata.yaml`` (the open-data edition's keys)."""
    return contract_path().with_name("findings_opendata.yaml")


@lru_cache(maxsize=1)
def _merged() -> dict[str, Any]:
    main = _load(str(contract_path()))
    extra = _load(str(opendata_contract_path()))
    clash = sorted(set(main["keys"]) & set(extra["keys"]))
    if clash:
        raise ValueError(f"finding keys in both findings.yaml and findings_opendata.yaml: {clash}")
    keys = {**main["keys"], **{k: {**v, "edition": "opendata"} for k, v in extra["keys"].items()}}
    return {**main, "keys": keys}


def load_contract() -> dict[str, Any]:
    """``{"standard": {name: meaning}, "keys": {key: {section, about, numbers, ...}}}``: the partner
    keys (``findings.yaml``) and the open-data edition's (``findings_opendata.yaml``, marked
    ``edition: opendata``), with the same standard numbers."""
    return _merged()


@lru_cache(maxsize=1)
def _context_by_key() -> dict[str, tuple[tuple[str, ...], str]]:
    from svsna.analyses._health_kit import load_contract as health_contract

    out: dict[str, tuple[tuple[str, ...], str]] = {}
    for keys in (load_contract()["keys"], health_contract()["keys"]):
        for key, spec in keys.items():
            out[key] = (tuple(str(p) for p in spec.get("context") or ()), str(spec.get("cites") or ""))
    return out


def declared_context(key: str, numbers: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The numbers of a finding of ``key`` that are context, not statistics, as the findings
    contracts (``findings.yaml``, ``findings_health.yaml``, ``findings_opendata.yaml``) declare
    them: an hour, a year, an age, a threshold, a rank. Empty for a key declaring none, or not in
    a contract. A key that cites other findings (``cites``: a recommendation's ``triggered_by``)
    adds, from its ``numbers``, each cited finding's own under its position
    (``triggered_by.0.numbers.hour``).

    >>> declared_context("recommendation", {"triggered_by": [{"key": "peak_hour", "numbers": {}}]})[-1]
    'triggered_by.0.numbers.over25_hour'
    """
    own, cites = _context_by_key().get(key, ((), ""))
    cited = (numbers or {}).get(cites) if cites else None
    if not isinstance(cited, list | tuple):
        return own
    nested = []
    for i, c in enumerate(cited):
        if isinstance(c, Mapping):
            inner = c.get("numbers")
            inner = inner if isinstance(inner, Mapping) else None
            nested += [f"{cites}.{i}.numbers.{p}" for p in declared_context(str(c.get("key", "")), inner)]
    return own + tuple(nested)


def context_of(finding: Finding) -> tuple[str, ...]:
    """The context numbers of ``finding``: those it declares (:attr:`Finding.context`), or when it
    declares none (None: findings written before they were declared) its key's in the contracts
    (:func:`declared_context`)."""
    if finding.context is not None:
        return tuple(finding.context)
    return declared_context(finding.key, finding.numbers)


def with_context(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` with their context numbers declared (:func:`context_of`), as written to
    ``findings.json``."""
    return [f if f.context is not None else dataclasses.replace(f, context=context_of(f)) for f in findings]


def is_context(path: str, context: Collection[str]) -> bool:
    """Whether the number at ``path`` (``hour``, ``top.0.hour``, ``peak_ages.1``) is one of the
    ``context`` paths or inside one. Positions in lists may be left out of a context path
    (``top.hour`` covers ``top.0.hour`` and ``top.1.hour``). Anything not declared is a statistic:
    nothing is guessed from the name.

    >>> is_context("peak_ages.2", ("peak_ages",)), is_context("peak_ages_n", ("peak_ages",))
    (True, False)
    """
    if not context:
        return False
    parts = path.split(".")
    bare = ".".join(p for p in parts if not p.isdigit())
    return any(p == c or p.startswith(c + ".") for p in {path, bare} for c in context)


def _sections(spec: dict[str, Any]) -> list[str]:
    s = spec.get("section", [])
    return [s] if isinstance(s, str) else list(s)


def check_findings(findings: Iterable[Finding]) -> list[str]:
    """Problems of ``findings`` against the contract: unknown keys, a section the key does not belong
    to, and missing standard or key-specific numbers. Empty when every finding conforms."""
    contract = load_contract()
    keys = contract["keys"]
    standard = list(contract["standard"])
    problems = []
    for f in findings:
        spec = keys.get(f.key)
        where = f"{f.section}/{f.key}"
        if spec is None:
            problems.append(f"{where}: key not in the findings contract (svsna/analyses/findings.yaml)")
            continue
        if f.section not in _sections(spec):
            problems.append(f"{where}: section not one of {_sections(spec)}")
        missing = [n for n in (*standard, *spec.get("numbers", {})) if n not in f.numbers]
        if missing:
            problems.append(f"{where}: numbers missing {missing}")
    return problems


def render_markdown() -> str:
    """``docs/findings.md``: the contract in words."""
    from svsna.analyses._health_kit import numbers_cell

    c = load_contract()
    out = [
        "# Findings contract",
        "",
        "<!-- generated from src/svsna/analyses/findings.yaml and findings_health.yaml by"
        " svsna.analyses.findings_catalogue.render_document; do not edit by hand -->",
        "",
        "Every finding in `findings.json` is a stable `key` plus `numbers`. The report renders each sentence from a "
        "template keyed on `key` and reads only `numbers`: it never parses `text` (a plain fallback sentence) or "
        "labels. Rankings (`highest`, `greatest difference`) may be worded as such only when `separated` is true "
        "(the confidence intervals of the first and second items do not overlap); otherwise they are point "
        "estimates. Profiles of groups carry their size `n` so that the public edition can withhold profiles of "
        "groups smaller than its minimum group size. Numbers a key lists as context (an hour, an age, a threshold, "
        "a rank: its `context` in the contract) are printed as they are in the public summary; every other number "
        "is a statistic, which the public summary states only as a figure of the public indicator table.",
        "",
        "## Standard numbers (every finding)",
        "",
        "| number | meaning |",
        "|---|---|",
    ]
    out += [f"| `{k}` | {v} |" for k, v in c["standard"].items()]
    out += [
        "",
        "## Police sections, population and the runner",
        "",
        "| key | section | about | numbers (besides the standard ones) |",
        "|---|---|---|---|",
    ]
    opendata_heading = False
    for key, spec in c["keys"].items():
        if spec.get("edition") == "opendata" and not opendata_heading:
            opendata_heading = True
            out += [
                "",
                "## Open-data edition (`svsna opendata`, `findings_opendata.yaml`)",
                "",
                "| key | section | about | numbers (besides the standard ones) |",
                "|---|---|---|---|",
            ]
        nums = numbers_cell(spec)
        flags = []
        if spec.get("headline"):
            flags.append("headline")
        if spec.get("note"):
            flags.append("note: not public")
        if spec.get("runner"):
            flags.append("written by the runner")
        about = str(spec.get("about", "")).replace("|", "/")
        if flags:
            about += f" ({', '.join(flags)})"
        out.append(f"| `{key}` | {', '.join(_sections(spec))} | {about} | {nums.replace('|', '/')} |")
    return "\n".join(out) + "\n"


def render_document() -> str:
    """The whole ``docs/findings.md``: this contract, then the health sections' (``findings_health.yaml``)."""
    from svsna.analyses._health_kit import render_markdown as health_markdown

    return render_markdown() + "\n" + health_markdown()
