"""The vectorised CSV line reader gives exactly what the csv module gives.

``ExtractReader`` splits lines that are whole records with polars and hands the rest of the file
to the csv module from the first line it cannot vouch for. These tests read the same files both
ways (the csv module alone is the reference) and compare every row, line number and fault, on
hand-made edge cases and on seeded random files full of quotes, commas, blank lines, carriage
returns, NULs and over-long values, in small batches so that chunk and batch edges are crossed.
"""

from __future__ import annotations

import random

import polars as pl
import pytest

from svsna.sources import readers
from svsna.sources.contracts import load_contracts
from svsna.sources.readers import ExtractReader, Limits

CONTRACT = load_contracts()["population"]
HEADER = "area_code,year,age,sex,population"


def _csv_module_only(self):
    """The reference: the csv module from the line after the header (the fast reader reads nothing)."""
    return self._header_line
    yield  # pragma: no cover - makes this a generator, like the method it replaces


def _read(path, monkeypatch, *, reference: bool, batch_rows: int = 3, max_field_chars: int = 40):
    with monkeypatch.context() as m:
        if reference:
            m.setattr(ExtractReader, "_line_batches", _csv_module_only)
        reader = ExtractReader(path, CONTRACT, limits=Limits(batch_rows=batch_rows, max_field_chars=max_field_chars))
        batches = list(reader)
    data = pl.concat([b.data for b in batches], how="vertical") if batches else pl.DataFrame()
    faults = sorted((f.row_number, f.rule, f.message) for b in batches for f in b.faults)
    return data, faults, [b.data.height for b in batches]


def _same(path, monkeypatch, **kw):
    fast, fast_faults, _ = _read(path, monkeypatch, reference=False, **kw)
    ref, ref_faults, _ = _read(path, monkeypatch, reference=True, **kw)
    assert fast.to_dicts() == ref.to_dicts()
    assert fast_faults == ref_faults
    return fast, fast_faults


CASES = {
    "plain": "E1,2020,0-4,F,10\nE2,2020,5-9,M,11\n",
    "no final newline": "E1,2020,0-4,F,10\nE2,2020,5-9,M,11",
    "crlf": "E1,2020,0-4,F,10\r\nE2,2020,5-9,M,11\r\n",
    "blank and spaces": "E1,2020,0-4,F,10\n\n   \nE2,2020,5-9,M,11\n\n",
    "ragged": "E1,2020,0-4,F\nE1,2020,0-4,F,10,extra\n,,,,\nE2,2020,5-9,M,11\n",
    "quoted comma": 'E1,2020,"0,4",F,10\n"E2",2020,5-9,"M",11\n',
    "escaped quote": 'E1,2020,"say ""hi""",F,10\nE2,2020,a"b,M,11\n',
    "quote runs on": 'E1,2020,"0-4\nstill",F,10\nE2,2020,5-9,M,11\nE3,2020,5-9,M,12\n',
    "bad quote": 'E1,2020,"0-4"x,F,10\nE2,2020,5-9,M,11\n',
    "unterminated": 'E1,2020,0-4,F,10\nE2,2020,"5-9,M,11\nE3,2020,5-9,M,12\n',
    "lone carriage return": "E1,2020,0\r4,F,10\nE2,2020,5-9,M,11\n",
    "nul": "E1,2020,0\x004,F,10\nE2,2020,5-9,M,11\n",
    "too long": "E1,2020," + "x" * 60 + ",F,10\nE2,2020,5-9,M,11\n",
    "long line, short fields": "E1,2020,0-4,F," + "9" * 30 + "\nE2,2020,5-9,M,11\n",
    "unicode": "E1,2020,Zoë,F,10\nE2,2020,名前,M,11\n",
    "null markers": "E1,NULL,null,F,  10  \nE2,2020,5-9,M,\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_edge_cases_read_as_the_csv_module_reads_them(name, tmp_path, monkeypatch):
    path = tmp_path / "population.csv"
    path.write_bytes((HEADER + "\n" + CASES[name]).encode("utf-8"))
    _same(path, monkeypatch)


def test_the_fast_reader_is_used_and_hands_over_at_a_multi_line_value(tmp_path, monkeypatch):
    # lines before the quoted value that runs on are split by polars; from it on the csv module reads
    path = tmp_path / "population.csv"
    path.write_text(HEADER + "\n" + CASES["quote runs on"].replace("E1", "E0,2020,0-4,F,9\nE1", 1), "utf-8")
    calls = []
    real = ExtractReader._csv_chunks

    def spy(self, after=None):
        calls.append(after)
        return real(self, after)

    monkeypatch.setattr(ExtractReader, "_csv_chunks", spy)
    data, faults = _same(path, monkeypatch, batch_rows=100)
    assert calls == [2, 1]  # ours hands over after line 2; the reference reads from after the header (line 1)
    assert data["_row"].to_list() == [2, 3, 5, 6] and data["age"].to_list()[1] == "0-4\nstill"
    assert faults == []


@pytest.mark.parametrize("seed", range(12))
def test_random_files_read_as_the_csv_module_reads_them(seed, tmp_path, monkeypatch):
    rng = random.Random(seed)
    pieces = ["a", "b", "7", "é", ",", ",", " ", '"', '""', "\r", "NULL"] + (["\x00"] if seed % 4 == 0 else [])
    lines = []
    for _ in range(rng.randint(1, 60)):
        if rng.random() < 0.7:  # mostly well-formed records, as real extracts are
            fields = ["".join(rng.choice("abcxyz019 -é") for _ in range(rng.randint(0, 6))) for _ in range(5)]
            if rng.random() < 0.2:
                fields[rng.randrange(5)] = '"' + fields[0].replace('"', '""') + ',q"'
            lines.append(",".join(fields))
        else:
            lines.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))))
    end = rng.choice(["\n", "\r\n"])
    text = HEADER + end + end.join(lines) + rng.choice(["", end, end + end])
    path = tmp_path / "population.csv"
    path.write_bytes(text.encode("utf-8"))
    for batch_rows in (1, 4):
        _same(path, monkeypatch, batch_rows=batch_rows, max_field_chars=12)


def test_chunk_edges_fall_anywhere(tmp_path, monkeypatch):
    # read 7 characters at a time: a record (and a CRLF) is cut across reads at every possible point
    monkeypatch.setattr(readers, "_LINE_CHUNK_CHARS", 7)
    path = tmp_path / "population.csv"
    path.write_bytes((HEADER + "\r\n" + CASES["crlf"] + CASES["blank and spaces"] + CASES["ragged"]).encode("utf-8"))
    data, _ = _same(path, monkeypatch, batch_rows=2)
    assert data.height == 9  # 2 + 5 (two of them blank rows) + 2 (two ragged records are faults)
