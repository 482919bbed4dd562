"""Data contracts: typed loading, column matching and the generated partner document."""

from __future__ import annotations

from pathlib import Path

import pytest

from svsna.errors import ConfigError
from svsna.sources.contracts import load_contracts, normalise_column_name, render_contracts_markdown

DOC = Path(__file__).parents[2] / "docs" / "data-contracts.md"


def test_committed_doc_matches_generator():
    # If this fails: uv run python -m svsna.sources.contracts docs/data-contracts.md
    assert DOC.read_text(encoding="utf-8") == render_contracts_markdown()


def test_every_source_of_the_config_has_a_contract():
    from svsna.config import SOURCE_NAMES

    assert list(load_contracts()) == list(SOURCE_NAMES)


def test_contract_fields_are_typed():
    c = load_contracts()
    victims = c["victims"]
    assert [f.name for f in victims.key_fields] == ["offence_ref", "person_id"]
    assert victims.field("offence_ref").references == "offences.offence_ref"
    assert victims.field("person_id").type == "person"
    assert c["geography"].field("imd_decile").max == 10
    # suspects share the victims' field list through a YAML anchor
    assert [f.name for f in c["suspects"].fields] == [f.name for f in victims.fields]


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("HO Code", "ho_code"),
        ("ho-code", "ho_code"),
        ("HOME_OFFICE_CODE", "ho_code"),  # alias
        ("Crime Reference", "offence_ref"),  # alias with a space
        ("Committed From", "committed_from"),
        ("colour", None),
    ],
)
def test_column_matching_ignores_case_space_underscore_hyphen(column, field):
    assert load_contracts()["offences"].match_column(column) == field


def test_normalise_column_name_strips_bom():
    assert normalise_column_name("\ufeffLSOA_Code") == "lsoacode"


def test_doc_lists_codes_and_links_long_lists():
    doc = render_contracts_markdown()
    # sex_codes has 8 codes (counted in sex_codes.csv): listed inline with a link
    assert "`M`, `F`, `1`, `2`, `9`, `0`, `U`, `X` ([sex_codes.csv]" in doc
    # population sex is an inline allowed list
    assert "`M`, `F`, `P`" in doc
    assert "## offences" in doc and "| `ho_code` | code | yes |" in doc


def test_bad_contract_file_is_a_config_error(tmp_path):
    bad = tmp_path / "contracts.yaml"
    bad.write_text("kind: something_else\nformat_version: 1\nsources: {}\n")
    with pytest.raises(ConfigError, match="not an svsna data contracts file"):
        load_contracts(bad)
    bad.write_text(
        "kind: svsna_data_contracts\nformat_version: 1\nsources:\n  x:\n    title: t\n    provider: p\n"
        "    description: d\n    fields:\n      - {name: a, type: code}\n"
    )
    with pytest.raises(ConfigError, match="neither `codes` nor `allowed`"):
        load_contracts(bad)


def test_every_code_field_points_at_a_code_list_with_values():
    for contract in load_contracts().values():
        for f in contract.fields:
            if f.type == "code":
                values = f.allowed_values()
                assert values and all(v.strip() for v in values), (contract.name, f.name)
