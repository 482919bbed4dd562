"""What the open-data edition can and cannot measure: the police.uk proxy for serious violence.

data.police.uk publishes one row per crime with only a broad **crime type** (14
categories, plus anti-social behaviour), a month and an anonymised map point. It has
no Home Office offence code, no victim or suspect age, no time of day and no weapon
flag, so it **cannot isolate serious violence** as the Serious Violence Duty means it.
The open-data edition therefore reports three police.uk categories separately and
together, and never calls them serious violence:

* ``vso`` -- "Violence and sexual offences" (all violence against the person, from
  common assault and harassment to homicide, and all sexual offences);
* ``robbery`` -- "Robbery";
* ``weapons`` -- "Possession of weapons";
* ``combined`` -- the three together.

Examples
--------
>>> [g.key for g in PROXY_GROUPS]
['vso', 'robbery', 'weapons', 'combined']
>>> group_for("combined").crime_types
('Violence and sexual offences', 'Robbery', 'Possession of weapons')
>>> is_known_crime_type("Robbery"), is_known_crime_type("Knife crime")
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ASB",
    "CRIME_TYPES",
    "PROXY_GROUPS",
    "PROXY_STATEMENT",
    "ProxyGroup",
    "group_for",
    "is_known_crime_type",
]

ASB = "Anti-social behaviour"


def _contract_crime_types() -> tuple[str, ...]:
    from svsna.sources.contracts import load_open_data_contracts

    allowed = load_open_data_contracts()["police_uk_street"].field("crime_type").allowed or []
    return tuple(t for t in allowed if t != ASB)


#: The crime types data.police.uk has used in street-level files since May 2013
#: (https://data.police.uk/about/#columns), anti-social behaviour excluded: the ``crime_type``
#: codes of the ``police_uk_street`` source contract (``svsna/sources/open_data_contracts.yaml``).
CRIME_TYPES: tuple[str, ...] = _contract_crime_types()

VSO = "Violence and sexual offences"
ROBBERY = "Robbery"
WEAPONS = "Possession of weapons"


@dataclass(frozen=True)
class ProxyGroup:
    """One reported group of police.uk crime types."""

    key: str
    label: str
    crime_types: tuple[str, ...]


PROXY_GROUPS: tuple[ProxyGroup, ...] = (
    ProxyGroup("vso", "Violence and sexual offences", (VSO,)),
    ProxyGroup("robbery", "Robbery", (ROBBERY,)),
    ProxyGroup("weapons", "Possession of weapons", (WEAPONS,)),
    ProxyGroup(
        "combined",
        "Violence and sexual offences, robbery and possession of weapons (combined)",
        (VSO, ROBBERY, WEAPONS),
    ),
)

PROXY_STATEMENT = (
    "This open-data edition is built only from public data (data.police.uk street-level crime, ONS "
    "population estimates and geography, and the English Indices of Deprivation 2019). data.police.uk "
    "cannot isolate serious violence, so none of the figures here is called that: its 'Violence and sexual "
    "offences' category lumps together all violence against the person (from common assault and harassment "
    "to homicide) and all sexual offences, and the files carry no offence code, no victim or suspect age, no "
    "time of day and no weapon or knife flag. The edition therefore reports 'Violence and sexual offences', "
    "'Robbery' and 'Possession of weapons' separately and together ('combined') as a proxy for the volume and "
    "geography of violence. Locations are snapped to anonymous map points, and anti-social behaviour "
    "incidents (not crimes) are excluded."
)


def group_for(key: str) -> ProxyGroup:
    """The proxy group called ``key`` (``vso``, ``robbery``, ``weapons`` or ``combined``)."""
    for g in PROXY_GROUPS:
        if g.key == key:
            return g
    raise KeyError(f"unknown proxy group {key!r}; choose one of {[g.key for g in PROXY_GROUPS]}")


def is_known_crime_type(value: str) -> bool:
    """Whether ``value`` is a police.uk crime type or anti-social behaviour."""
    return value in CRIME_TYPES or value == ASB
