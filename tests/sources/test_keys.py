"""Keys that cannot be misused, and identifiers that never leak (issue 11, items 4 and 5).

Each case of the audit is written as the attack or the mistake, and the test asserts it fails.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svsna.cells import FORMULA_TRIGGERS
from svsna.config import AreaConfig
from svsna.engine.state import WAREHOUSE_FILE
from svsna.errors import ConfigError
from svsna.pseudonym import DEMO_KEY, KEY_LENGTH, MASK, Pseudonymiser, key_fingerprint, load_key

from .conftest import TEST_KEY, cli, ingest_area, mini_area

OFFENCES = "LP/21/0001,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\n"
VICTIMS = "LP/21/0001,P00000042,17,M,E01000001\n"


def _tables(result) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(result.workspace / WAREHOUSE_FILE), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {n: con.execute(f'SELECT * FROM "{n}"').fetchall() for n in names}
    finally:
        con.close()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=20), st.binary(min_size=16, max_size=100))
def test_vectorised_pseudonyms_equal_pythons_hmac(values, key):
    """The oracle: Python's hmac module, value by value (trimmed; blanks stay null)."""
    import polars as pl

    p = Pseudonymiser(key)
    got = p.series(pl.Series(values, dtype=pl.String)).to_list()
    want = [
        hmac.new(key, v.strip().encode(), hashlib.sha256).hexdigest()[:KEY_LENGTH] if v.strip() else None
        for v in values
    ]
    assert got == want
    assert p.many(values) == want


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        (DEMO_KEY.decode(), "public DEMO key"),
        ("short-key", "too short"),
        ("aaaaaaaaaaaaaaaa", "low entropy"),
        ("abababababababababababab", "low entropy"),
    ],
)
def test_bad_keys_are_refused(monkeypatch, key, fragment):
    monkeypatch.setenv("SVSNA_PSEUDONYM_KEY", key)
    with pytest.raises(ConfigError, match=fragment):
        load_key(AreaConfig(name="x"))


@pytest.mark.parametrize("name", ["PATH", "HOME", "USER", "SHELL", "LANG", "path"])
def test_key_env_naming_an_ordinary_variable_is_refused(monkeypatch, name):
    monkeypatch.setenv(name.upper(), "/usr/local/bin:/usr/bin:/bin:/opt/something/else/entirely")
    cfg = AreaConfig.model_validate({"name": "x", "pseudonymisation": {"key_env": name}})
    with pytest.raises(ConfigError, match="ordinary environment variable"):
        load_key(cfg)


def test_a_key_file_beside_the_raw_extracts_gives_a_warning(tmp_path, monkeypatch):
    monkeypatch.delenv("SVSNA_PSEUDONYM_KEY", raising=False)
    area = mini_area(tmp_path, OFFENCES, VICTIMS, extra="pseudonymisation: {key_file: svsna.key}\n")
    (tmp_path / "svsna.key").write_text(TEST_KEY)
    res = ingest_area(area)
    assert any("same folder as raw extracts" in w for w in res.warnings)


def test_fingerprint_is_stored_and_a_different_key_is_refused_unless_new_key(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SVSNA_PSEUDONYM_KEY", TEST_KEY)
    area = mini_area(tmp_path, OFFENCES, VICTIMS)
    res = ingest_area(area)
    fp = key_fingerprint(TEST_KEY.encode())
    assert res.run.key_fingerprint == fp
    runs = _tables(res)["ingest_runs"]
    assert runs[-1][6] == fp  # column key_fingerprint of the stored run record
    assert TEST_KEY not in json.dumps(_tables(res)["ingest_runs"])  # the key itself is never stored
    monkeypatch.setenv("SVSNA_PSEUDONYM_KEY", "another-key-7c1e5b2d8a4f6c0e9b1d")
    code, _, err = cli(monkeypatch, capsys, "ingest", "--area", str(area), "-q")
    assert code == 3 and "differs from the one used for this workspace" in err and "--new-key" in err
    code, out, _ = cli(monkeypatch, capsys, "ingest", "--area", str(area), "-q", "--new-key")
    assert code == 0 and key_fingerprint(b"another-key-7c1e5b2d8a4f6c0e9b1d") in out


def test_brute_force_of_demo_keyed_pseudonyms_is_impossible_because_ingest_refuses(tmp_path, monkeypatch):
    """The attack of the audit: with the public demo key, person keys are reversed by trying every ID.
    First show the attack works on demo-keyed pseudonyms; then show ingest never makes any from real data."""
    demo = Pseudonymiser(DEMO_KEY)
    stolen = demo("P00000042")
    reversed_ = next(f"P{i:08d}" for i in range(100) if demo(f"P{i:08d}") == stolen)
    assert reversed_ == "P00000042"  # the attack is real
    monkeypatch.delenv("SVSNA_PSEUDONYM_KEY", raising=False)
    area = mini_area(tmp_path, OFFENCES, VICTIMS)
    with pytest.raises(ConfigError, match="synth"):
        ingest_area(area, demo=True)
    assert not (tmp_path / "workspace" / WAREHOUSE_FILE).exists()  # nothing to attack
    # A copied synth manifest does not help: the files' hashes must match it.
    (tmp_path / "synth-manifest.json").write_text(json.dumps({"files": {"offences": {"sha256": "0" * 64}}}))
    with pytest.raises(ConfigError, match="not a file made by `svsna synth`"):
        ingest_area(area, demo=True)
    assert not (tmp_path / "workspace" / WAREHOUSE_FILE).exists()


def test_record_references_are_pseudonymised_and_joins_still_work(tmp_path, key_env):
    area = mini_area(tmp_path, OFFENCES, VICTIMS)
    res = ingest_area(area)
    tables = _tables(res)
    text = json.dumps({k: v for k, v in tables.items() if k != "ledger"}, default=str)
    assert "LP/21/0001" not in text and "P00000042" not in text
    p = Pseudonymiser(TEST_KEY.encode())
    assert tables["offences"][0][0] == p("LP/21/0001") == tables["victims"][0][0]


def test_a_person_id_misplaced_in_any_column_is_masked_in_rejects(tmp_path, key_env):
    # A misaligned export: the person ID lands in `age`; the old code wrote it verbatim to rejects.
    area = mini_area(tmp_path, OFFENCES, "LP/21/0001,P00000099,P00000099,M,\nLP/21/0001,P00000100,X12345678,F,\n")
    res = ingest_area(area)
    raw = res.rejects_path.read_text()
    assert "P00000099" not in raw and "X12345678" not in raw and MASK in raw
    stored = json.dumps(_tables(res)["rejects"], default=str)
    assert "P00000099" not in stored and "X12345678" not in stored


def test_no_csv_cell_starts_with_a_formula_trigger(tmp_path, key_env):
    """Payloads in a file name and in values that reach ledger.csv and rejects.csv."""
    area = mini_area(tmp_path, "")
    payload_name = '=HYPERLINK("http:__evil","x").csv'
    (tmp_path / payload_name).write_text(
        "offence_ref,ho_code,offence_description,committed_from,location_type,lsoa,domestic_flag\n"
        "R1,=cmd|' /C calc'!A0,ABH,2021-05-01 23:15,STREET,E01000001,N\n"
        "R2,8N,ABH,+2021-05-01,@SUM(A1),E01000001,-1\n"
        "R3,8N,ABH,2021-05-01 23:15,STREET,E01000001,N\n"
    )
    area.write_text(area.read_text().replace("offences: offences.csv", f"offences: '{payload_name}'"))
    res = ingest_area(area)
    cells = 0
    for path in (res.ledger_path, res.rejects_path):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    cells += 1
                    assert not cell.lstrip(" \u00a0").startswith(FORMULA_TRIGGERS), (path.name, cell)
    assert cells > 20 and "'=HYPERLINK" in res.ledger_path.read_text()
