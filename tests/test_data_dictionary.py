"""The README's data dictionary is generated from the pandera models and must match them."""

from __future__ import annotations

from pathlib import Path

from analysis.report.dictionary import DICT_END, DICT_START, data_dictionary, readme_with_dictionary
from analysis.schemas import TABLES

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_data_dictionary_is_in_sync():
    text = README.read_text(encoding="utf-8")
    assert readme_with_dictionary(text) == text, "run: python scripts/data_dictionary.py"


def test_every_table_and_field_is_documented():
    md = data_dictionary()
    for name, model in TABLES.items():
        assert f"### `{name}`" in md
        assert model.__doc__ and model.__doc__.strip()
        for column_name, column in model.to_schema().columns.items():
            assert column.description, f"{name}.{column_name} has no description"
            assert f"| `{column_name}` |" in md


def test_timeline_tables_are_registered_and_keyed():
    assert {"toll_timeline", "toll_consensus", "toll_parts"} <= set(TABLES)
    assert TABLES["toll_timeline"].to_schema().columns["figure_id"].unique
    assert TABLES["toll_consensus"].to_schema().unique == ["hour", "outcome", "group", "place"]
    assert TABLES["toll_parts"].to_schema().columns["claim_id"].unique


def test_only_the_marked_section_is_rewritten():
    text = f"intro\n{DICT_START}\nold\n{DICT_END}\noutro\n"
    new = readme_with_dictionary(text)
    assert new.startswith(f"intro\n{DICT_START}\n### `documents`") and new.endswith(f"{DICT_END}\noutro\n")
