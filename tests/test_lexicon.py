"""Lexicon validation: the shipped YAML passes its models, and broken copies fail naming file and key."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest
import yaml

from analysis import lexicon, schemas
from analysis.lexicon import LexiconError, load, validate_all
from analysis.lexicon.models import MODELS, Group, Outcome, Qualifier, SourceKind

SHIPPED = lexicon.LEXICON_DIR


@pytest.fixture(autouse=True)
def _fresh_cache():
    """load() is cached: every test reads the files it means to read."""
    load.cache_clear()
    yield
    load.cache_clear()


@pytest.fixture
def lexdir(tmp_path: Path, monkeypatch) -> Path:
    """A writable copy of the lexicon folder, which load() then reads instead of the shipped one."""
    for src in SHIPPED.glob("*.yaml"):
        shutil.copy(src, tmp_path / src.name)
    monkeypatch.setattr(lexicon, "LEXICON_DIR", tmp_path)
    return tmp_path


def edit(folder: Path, name: str, change: Callable[[dict], None]) -> None:
    """Rewrite folder/<name>.yaml after applying change to its parsed content."""
    path = folder / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def error_of(name: str) -> str:
    with pytest.raises(LexiconError) as info:
        load(name)
    return str(info.value)


# ------------------------------------------------------------------------------ shipped lexicons


@pytest.mark.parametrize("name", sorted(MODELS))
def test_shipped_lexicon_validates_and_loads_as_plain_yaml(name):
    expected = yaml.safe_load((SHIPPED / f"{name}.yaml").read_text(encoding="utf-8"))
    got = load(name)
    assert type(got) is dict
    assert got == expected
    MODELS[name].model_validate(got)


def test_every_yaml_file_has_a_model():
    assert {p.stem for p in SHIPPED.glob("*.yaml")} == set(MODELS)


def test_validate_all_loads_every_lexicon():
    assert set(validate_all()) == set(MODELS)


def test_load_is_cached():
    assert load("claims") is load("claims")


def test_category_names_match_the_table_schemas():
    # lexicon keys become column values: a name the schema does not know would fail only at write time
    assert set(get_args(Outcome)) == set(schemas.OUTCOMES)
    assert set(get_args(Group)) == set(schemas.GROUPS) - {"mixed"}
    assert set(get_args(Qualifier)) - {"below"} <= set(schemas.QUALIFIERS)
    assert set(get_args(SourceKind)) == set(schemas.SOURCE_KINDS) - {"unknown"}


def test_shipped_paths_are_shown_relative_to_the_repo():
    assert lexicon._shown(SHIPPED / "claims.yaml") == "analysis/lexicon/claims.yaml"


# ------------------------------------------------------------------------------ broken copies


def test_missing_key(lexdir):
    edit(lexdir, "claims", lambda d: d.pop("bridge"))
    assert error_of("claims").endswith("claims.yaml: key 'bridge': Field required")


def test_missing_nested_key(lexdir):
    edit(lexdir, "claims", lambda d: d["outcomes"]["killed"].pop("after"))
    assert "claims.yaml: key 'outcomes.killed.after': Field required" in error_of("claims")


def test_misspelled_key_is_extra_and_leaves_the_real_one_missing(lexdir):
    edit(lexdir, "claims", lambda d: d.update(pending_rach=d.pop("pending_reach")))
    lines = error_of("claims").splitlines()
    assert len(lines) == 2
    assert any(line.endswith("claims.yaml: key 'pending_rach': Extra inputs are not permitted") for line in lines)
    assert any(line.endswith("claims.yaml: key 'pending_reach': Field required") for line in lines)


def test_misspelled_nested_key(lexdir):
    edit(lexdir, "furniture", lambda d: d["comment_box"].update(max_line=d["comment_box"].pop("max_lines")))
    msg = error_of("furniture")
    assert "furniture.yaml: key 'comment_box.max_line': Extra inputs are not permitted" in msg
    assert "furniture.yaml: key 'comment_box.max_lines': Field required" in msg


def test_string_where_list_expected(lexdir):
    edit(lexdir, "claims", lambda d: d["outcomes"]["killed"].update(after="killed"))
    assert error_of("claims").endswith("claims.yaml: key 'outcomes.killed.after': Input should be a valid list")


def test_quoted_number_is_not_coerced(lexdir):
    # load() returns the raw YAML, so a coerced "5" would reach claims.py as a string
    edit(lexdir, "claims", lambda d: d.update(pending_reach="5"))
    assert error_of("claims").endswith("claims.yaml: key 'pending_reach': Input should be a valid integer")


def test_unquoted_yaml_boolean_in_a_word_list(lexdir):
    # YAML 1.1 reads a bare `no` as False: a word list gets a bool it can never match
    edit(lexdir, "claims", lambda d: d["bridge"].append(False))
    n = len(yaml.safe_load((SHIPPED / "claims.yaml").read_text(encoding="utf-8"))["bridge"])
    assert error_of("claims").endswith(f"claims.yaml: key 'bridge.{n}': Input should be a valid string")


@pytest.mark.parametrize(
    ("name", "change", "key"),
    [
        ("claims", lambda d: d.update(pending_reach=-1), "pending_reach"),
        ("furniture", lambda d: d["comment_box"].update(max_lines=0), "comment_box.max_lines"),
        ("time", lambda d: d.update(tense_window=[8, -4]), "tense_window.1"),
    ],
)
def test_non_positive_size(lexdir, name, change, key):
    edit(lexdir, name, change)
    assert error_of(name).endswith(f"{name}.yaml: key '{key}': Input should be greater than 0")


def test_empty_list_where_words_are_needed(lexdir):
    edit(lexdir, "speech", lambda d: d.update(participles=[]))
    assert "speech.yaml: key 'participles': List should have at least 1 item" in error_of("speech")


def test_upper_case_word_in_a_lower_case_lexicon(lexdir):
    edit(lexdir, "claims", lambda d: d["bridge"].insert(0, "Were"))
    assert error_of("claims").endswith("claims.yaml: key 'bridge.0': Value error, should be lower case")


def test_unknown_outcome_name(lexdir):
    edit(lexdir, "claims", lambda d: d["outcomes"].update(kiled=d["outcomes"].pop("killed")))
    assert "claims.yaml: key 'outcomes.kiled.[key]': Input should be " in error_of("claims")


def test_vague_range_out_of_order(lexdir):
    edit(lexdir, "quantities", lambda d: d["vague"].update(dozens=[99, 24]))
    assert "quantities.yaml: key 'vague.dozens': Value error, should be [low, high]" in error_of("quantities")


def test_unit_without_a_size(lexdir):
    edit(lexdir, "time", lambda d: d["units"]["day"].pop("seconds"))
    assert "time.yaml: key 'units.day': Value error, needs exactly one of seconds or months" in error_of("time")


def test_part_of_day_that_does_not_exist(lexdir):
    edit(lexdir, "time", lambda d: d["relative_days"]["tonight"].update(part="nite"))
    assert "time.yaml: key 'relative_days': Value error, not keys of parts_of_day: ['nite']" in error_of("time")


def test_bad_regex(lexdir):
    edit(lexdir, "furniture", lambda d: d.update(caption_credit_pattern="[AFP"))
    assert "furniture.yaml: key 'caption_credit_pattern': Value error, not a valid regular expression" in error_of(
        "furniture"
    )


def test_one_line_per_problem(lexdir):
    def change(d):
        d.pop("bridge")
        d["pending_reach"] = 0
        d["groups"]["civilians"] = "civilians"

    edit(lexdir, "claims", change)
    lines = error_of("claims").splitlines()
    assert len(lines) == 3
    assert all("claims.yaml: key '" in line for line in lines)


def test_broken_yaml_names_file_and_line(lexdir):
    (lexdir / "speech.yaml").write_text("participles: [saying]\npassive_be: was: were\n", encoding="utf-8")
    msg = error_of("speech")
    assert "speech.yaml: line 2, column " in msg
    assert "invalid YAML: mapping values are not allowed here" in msg
    assert "\n" not in msg


def test_duplicate_key_names_file_and_line(lexdir):
    (lexdir / "speech.yaml").write_text("participles: [saying]\nparticiples: [adding]\n", encoding="utf-8")
    assert "speech.yaml: line 2, column 1: invalid YAML: duplicate key 'participles'" in error_of("speech")


@pytest.mark.parametrize(("text", "kind"), [("- months\n- weekdays\n", "list"), ("", "NoneType"), ("42\n", "int")])
def test_top_level_not_a_mapping(lexdir, text, kind):
    (lexdir / "time.yaml").write_text(text, encoding="utf-8")
    assert error_of("time").endswith(f"time.yaml: top level should be a mapping of keys, got {kind}")


def test_missing_file(lexdir):
    (lexdir / "quantities.yaml").unlink()
    assert error_of("quantities").endswith("quantities.yaml: lexicon file not found")


def test_unknown_lexicon_name():
    with pytest.raises(LexiconError, match="unknown lexicon 'claim'"):
        load("claim")


def test_error_is_a_value_error_for_the_cli(lexdir):
    # cli.py turns a ValueError into "error: <message>" and exit 2
    edit(lexdir, "claims", lambda d: d.pop("bridge"))
    with pytest.raises(ValueError):
        load("claims")


def test_validate_all_reports_every_broken_file(lexdir):
    edit(lexdir, "claims", lambda d: d.pop("bridge"))
    (lexdir / "time.yaml").write_text("- a\n", encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        validate_all()
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("claims.yaml: key 'bridge': Field required")
    assert lines[1].endswith("time.yaml: top level should be a mapping of keys, got list")


def test_a_fixed_file_loads_after_the_cache_is_cleared(lexdir):
    good = (lexdir / "claims.yaml").read_text(encoding="utf-8")
    edit(lexdir, "claims", lambda d: d.pop("bridge"))
    error_of("claims")
    (lexdir / "claims.yaml").write_text(good, encoding="utf-8")
    assert "bridge" in load("claims")
