"""Give every offence an in/out decision, with a reason, for each definition.

:func:`classify` builds one Ibis expression (so the same code runs on DuckDB and Spark)
returning ``offence_ref, definition, included, reason`` with one row per offence per
definition. The criteria are tried in the definition's order and the first that fails
names the reason:

==========================================  ====================================================
reason                                       when
==========================================  ====================================================
``in definition``                            every criterion passed
``excluded: offence code not in definition`` ``ho_code`` not in ``criteria.offence_codes``
``excluded: private dwelling``               ``public_place_only`` and a dwelling location
``excluded: location not a public place``    ``public_place_only`` and another non-public place
                                             (prison, not recorded)
``excluded: domestic``                       ``exclude_domestic`` and ``domestic_flag`` is true
==========================================  ====================================================

Location types come from ``location_types.csv`` (``public_place`` and ``dwelling``).

Examples
--------
>>> import ibis, pandas as pd
>>> from svsna.definitions.definition import load_definition
>>> offences = ibis.memtable(pd.DataFrame({
...     "offence_ref": ["a", "b", "c", "d"], "ho_code": ["8N", "8N", "105A", "34B"],
...     "location_type": ["STREET", "DWELLING", "STREET", "PRISON"], "domestic_flag": [False, True, False, False]}))
>>> expr = classify(offences, [load_definition("llr_vrn")]).order_by("offence_ref")
>>> for row in ibis.duckdb.connect().execute(expr)[["offence_ref", "included", "reason"]].values.tolist():
...     print(*row)
a True in definition
b False excluded: private dwelling
c False excluded: offence code not in definition
d False excluded: location not a public place
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from svsna.definitions.definition import Definition

if TYPE_CHECKING:
    import ibis

__all__ = [
    "IN_DEFINITION",
    "REASON_CODE",
    "REASON_DOMESTIC",
    "REASON_DWELLING",
    "REASON_NOT_PUBLIC",
    "classify",
    "decision_reason",
    "location_classes",
]

IN_DEFINITION = "in definition"
REASON_CODE = "excluded: offence code not in definition"
REASON_DWELLING = "excluded: private dwelling"
REASON_NOT_PUBLIC = "excluded: location not a public place"
REASON_DOMESTIC = "excluded: domestic"


@lru_cache(maxsize=1)
def location_classes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(public place codes, dwelling codes)`` from ``location_types.csv``.

    >>> public, dwelling = location_classes()
    >>> "STREET" in public, "DWELLING" in dwelling, "PRISON" in public
    (True, True, False)
    """
    from svsna.codelists import load_codelist

    table = load_codelist("location_types")
    truthy = table["public_place"].str.lower().eq("true")
    dwelling = table["dwelling"].str.lower().eq("true")
    return tuple(table.loc[truthy, "code"]), tuple(table.loc[dwelling, "code"])


def decision_reason(offences: ibis.Table, definition: Definition) -> ibis.Value:
    """The reason string (an Ibis expression) for each offence under ``definition``."""
    import ibis

    public, dwelling = location_classes()
    crit = definition.criteria
    cases: list[tuple[ibis.Value, str]] = []
    for criterion in crit.order:
        if criterion == "offence_codes":
            cases.append(((~offences.ho_code.isin(list(crit.offence_codes))).fill_null(True), REASON_CODE))
        elif criterion == "public_place_only" and crit.public_place_only:
            cases.append((offences.location_type.isin(list(dwelling)).fill_null(False), REASON_DWELLING))
            cases.append(((~offences.location_type.isin(list(public))).fill_null(True), REASON_NOT_PUBLIC))
        elif criterion == "exclude_domestic" and crit.exclude_domestic:
            cases.append((offences.domestic_flag.fill_null(False), REASON_DOMESTIC))
    # A null ho_code or location_type cannot pass a test on it; a null domestic flag is not domestic.
    return ibis.cases(*cases, else_=ibis.literal(IN_DEFINITION))


def classify(offences: ibis.Table, definitions: list[Definition]) -> ibis.Table:
    """One row per offence per definition: ``offence_ref, definition, included, reason``."""
    import ibis

    if not definitions:
        raise ValueError("classify needs at least one definition")
    parts = []
    for d in definitions:
        reason = decision_reason(offences, d)
        parts.append(
            offences.select(
                offence_ref=offences.offence_ref,
                definition=ibis.literal(d.name),
                included=reason == IN_DEFINITION,
                reason=reason,
            )
        )
    return parts[0] if len(parts) == 1 else ibis.union(*parts)
