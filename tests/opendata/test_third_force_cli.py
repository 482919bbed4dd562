"""A force of another region dropped in the folder, run through the real CLI: no code change (docs/opendata.md).

Dyfed-Powys (Wales: no IMD, Welsh LSOA codes W01..., four unitary authorities) gets 12 generated
monthly street files for FY2021/22 -- 25 rows a month drawn with a fixed seed from the real 2011
LSOAs of the force (:func:`svsna.geodata.lsoa_lookup`), plus rows with no location, rows in a
Leicestershire LSOA and anti-social behaviour. ``svsna opendata report --no-pdf`` builds the
indicators, ledger, HTML editions and workbook; every count is checked against the rows this test
generated, counted here.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svsna import geodata
from svsna.cli import app

FORCE = "dyfed-powys"
MONTHS = [f"2021-{m:02d}" for m in range(4, 13)] + [f"2022-{m:02d}" for m in range(1, 4)]
TYPES = ("Violence and sexual offences", "Robbery", "Possession of weapons", "Burglary", "Anti-social behaviour")
WEIGHTS = (10, 2, 2, 4, 3)
LEICESTER = "E01013606"  # Leicester 008A: a 2011 LSOA of another force
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)
GROUPS = {
    "vso": {"Violence and sexual offences"},
    "robbery": {"Robbery"},
    "weapons": {"Possession of weapons"},
    "combined": {"Violence and sexual offences", "Robbery", "Possession of weapons"},
}


def _generate(root: Path) -> list[dict[str, str]]:
    lookup = geodata.lsoa_lookup()
    force = lookup[lookup["pfa_name"] == "Dyfed-Powys"]
    codes = sorted(force["lsoa_code"])
    names = dict(zip(lookup["lsoa_code"], lookup["lsoa_name"], strict=True))
    rng = random.Random(20211)
    street = root / "police" / "street"
    street.mkdir(parents=True)
    rows: list[dict[str, str]] = []
    for month in MONTHS:
        picks = [rng.choice(codes) for _ in range(25)] + ["", "", LEICESTER]
        lines = [HEADER]
        for i, code in enumerate(picks):
            ctype = rng.choices(TYPES, WEIGHTS)[0]
            asb = ctype == "Anti-social behaviour"
            lon, lat = ("-4.1", "52.4") if code else ("", "")
            lines.append(
                f"{'' if asb else f'{month}-{i:04d}'},{month},Dyfed-Powys Police,Dyfed-Powys Police,{lon},{lat},"
                f"On or near High Street,{code},{names.get(code, '')},{ctype},"
                f"{'' if asb else 'Investigation complete; no suspect identified'},"
            )
            rows.append({"month": month, "lsoa": code, "type": ctype})
        (street / f"{month}-{FORCE}-street.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


@pytest.fixture(scope="module")
def dyfed(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, str]], Path]:
    root = tmp_path_factory.mktemp("dp")
    rows = _generate(root / "data")
    out = root / "out"
    args = ["opendata", "report", "--data", str(root / "data"), "--force", FORCE, "--years", "2021", "--no-pdf"]
    res = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert res.exit_code == 0, res.output + repr(res.exception)
    return rows, out


def test_every_row_is_accounted_for(dyfed):
    rows, out = dyfed
    lookup = geodata.lsoa_lookup().set_index("lsoa_code")
    inside = [r for r in rows if r["lsoa"] and lookup.loc[r["lsoa"], "pfa_name"] == "Dyfed-Powys"]
    expected = {
        "read": len(rows),
        "loaded": sum(1 for r in inside if r["type"] != "Anti-social behaviour"),
        "excluded": len(rows) - sum(1 for r in inside if r["type"] != "Anti-social behaviour"),
    }
    with (out / "ledger.csv").open(encoding="utf-8") as fh:
        led = list(csv.DictReader(fh))
    got: Counter[str] = Counter()
    for r in led:
        got[r["outcome"]] += int(r["rows"])
    assert dict(got) == expected
    by_reason: Counter[str] = Counter()
    for r in led:
        by_reason[r["reason"]] += int(r["rows"])
    assert by_reason["excluded: no location (blank LSOA code)"] == 2 * 12
    assert by_reason["excluded: outside force area (an LSOA of another police force area)"] == 12


def test_counts_by_group_and_local_authority(dyfed):
    rows, out = dyfed
    lookup = geodata.lsoa_lookup().set_index("lsoa_code")
    located = [r for r in rows if r["lsoa"] and lookup.loc[r["lsoa"], "pfa_name"] == "Dyfed-Powys"]
    with (out / "indicators.csv").open(encoding="utf-8") as fh:
        ind = list(csv.DictReader(fh))
    for key, types in GROUPS.items():
        n = sum(1 for r in located if r["type"] in types)
        got = [r for r in ind if (r["section"], r["indicator"], r["definition"]) == ("od_extent", "offences", key)]
        assert [float(r["value"]) for r in got] == [n], key
        assert got[0]["unit"] == "crimes"
    by_la = Counter(lookup.loc[r["lsoa"], "lad_name"] for r in located if r["type"] in GROUPS["vso"])
    la = {
        r["breakdown_value"]: float(r["numerator"])
        for r in ind
        if (r["indicator"], r["breakdown"], r["definition"]) == ("area_rate", "local_authority", "vso")
    }
    assert la == {
        name: float(by_la.get(name, 0)) for name in ("Carmarthenshire", "Ceredigion", "Pembrokeshire", "Powys")
    }


def test_report_editions_are_built_and_say_crimes(dyfed):
    _rows, out = dyfed
    full = (out / "restricted" / "sna-full.html").read_text(encoding="utf-8")
    public = (out / "public" / "sna-summary.html").read_text(encoding="utf-8")
    assert not list(out.rglob("*.pdf"))  # --no-pdf
    for html in (full, public):
        assert "Dyfed-Powys police.uk open-data profile: Open-data edition" in html
        assert "Crimes per month" in html and "Offences per month" not in html
        assert "Powys" in html
    assert "Crimes (rounded)" in public
    assert (out / "restricted" / "sna-tables.xlsx").is_file()
