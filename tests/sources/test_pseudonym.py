"""Pseudonymisation: keyed HMAC-SHA256, key handling, and no raw identifier anywhere."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from svsna.config import AreaConfig
from svsna.errors import ConfigError
from svsna.pipeline.ingest import ingest
from svsna.pseudonym import DEMO_KEY, KEY_LENGTH, Pseudonymiser, load_key, pseudonymiser_for

from .conftest import TEST_KEY, copy_fixtures


def test_matches_rfc_4231_test_case_1():
    # RFC 4231 section 4.2: key = 0x0b * 20, data = "Hi There",
    # HMAC-SHA-256 = b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7
    p = Pseudonymiser(b"\x0b" * 20)
    assert p("Hi There") == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"[:KEY_LENGTH]


def test_stable_and_key_sensitive():
    a = Pseudonymiser(b"k" * 32)
    assert a("P0012345") == a("P0012345") == a(" P0012345 ")
    assert a("P0012345") != a("P0012346")
    assert Pseudonymiser(b"j" * 32)("P0012345") != a("P0012345")
    # Not a plain (unkeyed) hash of the identifier.
    assert a("P0012345") != hashlib.sha256(b"P0012345").hexdigest()[:KEY_LENGTH]
    assert a.many(["P1", None, "  ", "P1"]) == [a("P1"), None, None, a("P1")]


def test_series_trims_as_python_and_equals_hmac():
    # the Series path trims in polars with WHITESPACE: it must be Python's str.strip, character for
    # character, and each pseudonym must be Python's hmac of the trimmed value
    import hmac
    import sys

    import polars as pl

    from svsna.pseudonym import WHITESPACE

    assert "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()) == WHITESPACE
    key = b"a key of more than sixteen bytes"
    p = Pseudonymiser(key)
    raw = [" P1 ", "\x1cP1\x1f", "\u3000P2\xa0", "é ü", "P1", None, "", " \x85 ", "a\x00b", "LP/12/ 000001"]
    want = [
        None
        if v is None or not v.strip()
        else hmac.new(key, v.strip().encode(), hashlib.sha256).hexdigest()[:KEY_LENGTH]
        for v in raw
    ]
    got = p.series(pl.Series("id", raw, dtype=pl.String))
    assert got.to_list() == want == [p(v) if v is not None and v.strip() else None for v in raw]
    assert p.series(pl.Series("id", [None, " "], dtype=pl.String)).to_list() == [None, None]


def test_repr_never_shows_the_key():
    assert "secret" not in repr(Pseudonymiser(b"secret-key-0123456789", label="env"))


def test_absent_key_is_a_config_error(monkeypatch):
    monkeypatch.delenv("SVSNA_PSEUDONYM_KEY", raising=False)
    cfg = AreaConfig(name="x")
    with pytest.raises(ConfigError, match="no pseudonymisation key: set the environment variable SVSNA_PSEUDONYM_KEY"):
        load_key(cfg)
    key, label = load_key(cfg, demo=True)
    assert key == DEMO_KEY and "DEMO" in label
    assert pseudonymiser_for(cfg, demo=True).is_demo


def test_short_key_refused(monkeypatch):
    monkeypatch.setenv("SVSNA_PSEUDONYM_KEY", "short")
    with pytest.raises(ConfigError, match="too short"):
        pseudonymiser_for(AreaConfig(name="x"))


def test_env_var_name_and_key_file(monkeypatch, tmp_path):
    monkeypatch.delenv("SVSNA_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("MY_KEY", "k3y-9f1c7e5b2d8a4f6c0e")
    cfg = AreaConfig.model_validate({"name": "x", "pseudonymisation": {"key_env": "MY_KEY"}})
    assert load_key(cfg) == (b"k3y-9f1c7e5b2d8a4f6c0e", "environment variable MY_KEY")
    monkeypatch.delenv("MY_KEY")
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "svsna.key").write_text("5e2b9c0d7a4f1e8b3c6d9a2f5b8e1c4d7a0f3b6e" + "\n")
    cfg = AreaConfig.model_validate(
        {"name": "x", "base_dir": tmp_path, "pseudonymisation": {"key_file": "keys/svsna.key"}}
    )
    assert load_key(cfg)[0] == b"5e2b9c0d7a4f1e8b3c6d9a2f5b8e1c4d7a0f3b6e"
    cfg = AreaConfig.model_validate({"name": "x", "base_dir": tmp_path, "pseudonymisation": {"key_file": "absent.key"}})
    with pytest.raises(ConfigError, match=r"key file .* not found"):
        load_key(cfg)


def test_key_file_inside_workspace_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("SVSNA_PSEUDONYM_KEY", raising=False)
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "k.key").write_text("f" * 40)
    cfg = AreaConfig.model_validate(
        {"name": "x", "base_dir": tmp_path, "pseudonymisation": {"key_file": "workspace/k.key"}}
    )
    with pytest.raises(ConfigError, match="must never be stored with the data"):
        load_key(cfg)


def test_ingest_without_key_fails_before_reading(monkeypatch, tmp_path):
    from svsna.config import load_area_config

    monkeypatch.delenv("SVSNA_PSEUDONYM_KEY", raising=False)
    folder = copy_fixtures(tmp_path)
    with pytest.raises(ConfigError, match="no pseudonymisation key"):
        ingest(load_area_config(folder / "area.yaml"), progress=False)
    assert not (folder / "workspace").exists()


def test_raw_identifiers_never_reach_warehouse_or_outputs(dirty_run, clean_run):
    for _, result in (dirty_run, clean_run):
        files = [result.warehouse_path, result.ledger_path, result.rejects_path]
        blobs = {p.name: Path(p).read_bytes() for p in files}
        for ident in (b"SECRET-ID-10", b"P001", b"P002", b"P010"):
            for name, blob in blobs.items():
                assert ident not in blob, (ident, name)
        assert TEST_KEY.encode() not in blobs["warehouse.duckdb"]
    # Positive control: rejected non-person values ARE stored as plain text in the same file,
    # so the absence above is not an artefact of DuckDB compression.
    assert b"BEACH" in Path(dirty_run[1].warehouse_path).read_bytes()


def test_raw_identifiers_absent_from_every_string_column(clean_run):
    from svsna.engine import open_warehouse

    _, result = clean_run
    wh = open_warehouse(result.workspace, read_only=True)
    try:
        for name in wh.list_tables():
            df = wh.execute(wh.table(name))
            text = df.astype(str).to_numpy().ravel().tolist()
            assert not any(v in {"P001", "P002", "P003", "P004", "P010", "P011", "P012"} for v in text), name
    finally:
        wh.close()
