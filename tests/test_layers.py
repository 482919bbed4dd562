"""The package's layers import one way only, and only the engine names a backend.

sources -> definitions -> engine -> stats -> analyses -> outputs -> (opendata, pipeline) -> (cli, web).
Nothing imports the web SNA (``svsna.web``), not even the CLI outside its own commands (serve, users).
Shared modules (config, errors, codelists, indicators, pseudonym, geodata) may be imported anywhere.
"""

from __future__ import annotations

import ast
from pathlib import Path

import svsna

PACKAGE = Path(svsna.__file__).parent

LAYERS = {
    "sources": 0,
    "definitions": 1,
    "engine": 2,
    "stats": 3,
    "analyses": 4,
    "outputs": 5,
    "synth": 5,
    "opendata": 6,
    "pipeline": 6,
    "cli": 7,
    "web": 7,
}
SHARED = {"config", "errors", "codelists", "indicators", "pseudonym", "cells", "files", "geodata", "__init__"}
BACKENDS = ("duckdb", "pyspark")


def _top(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "svsna" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "svsna":  # `from svsna import outputs` imports the subpackage svsna.outputs
                found += [f"svsna.{a.name}" for a in node.names]
            else:
                found.append(node.module)
    return found


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        out.append((rel.parts[0].removesuffix(".py"), path))
    return out


def test_layers_import_one_way():
    bad = []
    for layer, path in _modules():
        if layer in SHARED or layer not in LAYERS:
            continue
        for mod in _imports(path):
            top = _top(mod)
            if top is None or top in SHARED or top not in LAYERS:
                continue
            if LAYERS[top] > LAYERS[layer]:
                bad.append(f"{path.relative_to(PACKAGE)} imports {mod} ({top} is a later layer than {layer})")
    assert not bad, "\n".join(bad)


def test_the_scan_sees_from_svsna_import_x(tmp_path):
    # `from svsna import outputs` inside analyses/ must count as an import of the outputs layer.
    probe = tmp_path / "probe.py"
    probe.write_text("from svsna import outputs, errors\nimport svsna.stats\n", encoding="utf-8")
    tops = [_top(m) for m in _imports(probe)]
    assert tops == ["outputs", "errors", "stats"]


def test_only_the_engine_names_a_backend():
    bad = []
    for layer, path in _modules():
        if layer == "engine":
            continue
        for mod in _imports(path):
            if mod.split(".")[0] in BACKENDS:
                bad.append(f"{path.relative_to(PACKAGE)} imports {mod}")
    assert not bad, "\n".join(bad)


def test_nothing_imports_the_web_sna_but_its_own_commands():
    allowed = {PACKAGE / "cli" / "serve.py", PACKAGE / "cli" / "users.py"}
    bad = []
    for layer, path in _modules():
        if layer == "web" or path in allowed:
            continue
        bad += [f"{path.relative_to(PACKAGE)} imports {m}" for m in _imports(path) if _top(m) == "web"]
    assert not bad, "\n".join(bad)


def test_the_web_imports_no_cli():
    bad = []
    for layer, path in _modules():
        if layer == "web":
            bad += [f"{path.relative_to(PACKAGE)} imports {m}" for m in _imports(path) if _top(m) == "cli"]
    assert not bad, "\n".join(bad)


def test_geodata_imports_no_layer():
    # svsna.geodata is shared reference data: it may use shared modules only
    bad = []
    for layer, path in _modules():
        if layer != "geodata":
            continue
        for mod in _imports(path):
            top = _top(mod)
            if top in LAYERS:
                bad.append(f"{path.relative_to(PACKAGE)} imports {mod}")
    assert not bad, "\n".join(bad)
