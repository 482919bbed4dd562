"""Serious-violence definitions as data, and the classifier.

Definitions live in ``data/*.yaml`` (see :mod:`svsna.definitions.definition`); the
classifier (:mod:`svsna.definitions.classifier`) gives every offence an in/out decision
with a reason per definition. Code lists are in ``codelists/*.csv`` (:mod:`svsna.codelists`).
"""

from __future__ import annotations

__all__: list[str] = []
