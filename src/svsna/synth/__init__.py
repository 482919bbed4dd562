"""The synthetic partnership generator behind ``svsna synth`` and ``svsna demo``.

:func:`generate` writes every partner extract named in the data contracts
(``svsna/sources/contracts.yaml``), an ``area.yaml`` that points at them, the LSOA
boundaries and ``synth-manifest.json`` (scenario, seed, row counts, injected faults).
The default scenario reproduces the headline profile of the Leicester, Leicestershire
and Rutland Serious Violence SNA (January 2022) on real LLR geography; all people and
events are synthetic.

Examples
--------
>>> from svsna.synth import load_scenario
>>> load_scenario().title
'Synthetic Leicester, Leicestershire and Rutland (shaped on the LLR SNA, January 2022)'
"""

from __future__ import annotations

from svsna.synth.dirt import FAULT_RULES
from svsna.synth.generator import DEFAULT_SEED, FILES, Manifest, generate
from svsna.synth.scenario import Scenario, load_scenario

__all__ = ["DEFAULT_SEED", "FAULT_RULES", "FILES", "Manifest", "Scenario", "generate", "load_scenario"]
