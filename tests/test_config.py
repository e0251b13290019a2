"""params.yaml is the one source of paths and parameters; $TOLLWATCH_PARAMS names another corpus's file."""

from __future__ import annotations

import pytest
import yaml

from analysis import config


def test_project_params():
    p = config.load()
    assert p.raw_dir == config.ROOT / "data" / "raw"
    assert p.event.timezone == "Asia/Karachi"
    assert p.event.start.isoformat() == "2007-07-10T04:00:00+05:00"


def test_env_names_another_params_file_with_paths_relative_to_it(tmp_path, monkeypatch):
    raw = yaml.safe_load(config.PARAMS_FILE.read_text(encoding="utf-8"))
    raw["paths"]["raw_dir"] = "texts"
    raw["event"].update(timezone="Europe/Kyiv", start="2023-06-06T02:00", end="2023-06-09T00:00")
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv(config.PARAMS_ENV, str(path))
    p = config.load()
    assert p.raw_dir == tmp_path / "texts"
    assert p.event.start.isoformat() == "2023-06-06T02:00:00+03:00"


@pytest.mark.parametrize(
    ("timezone", "start", "end", "message"),
    [
        ("Nowhere/City", "2020-01-01", "2020-01-02", "unknown time zone"),
        ("UTC", "2020-01-02", "2020-01-01", "event window is empty"),
        ("UTC", "1 Jan 2020", "2020-01-02", "not an ISO date/time"),
    ],
)
def test_bad_event_parameters(timezone, start, end, message):
    with pytest.raises(ValueError, match=message):
        config.make_event("x", timezone, start, end)


def test_missing_params_file(tmp_path, monkeypatch):
    monkeypatch.setenv(config.PARAMS_ENV, str(tmp_path / "nope.yaml"))
    with pytest.raises(config.ParamsError, match="params file not found"):
        config.load()


def _params_with(tmp_path, monkeypatch, edit) -> str:
    """Write the project's params with one edit and return the error message loading it gives."""
    raw = yaml.safe_load(config.PARAMS_FILE.read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv(config.PARAMS_ENV, str(path))
    with pytest.raises(config.ParamsError) as info:
        config.load()
    assert str(path) in str(info.value)
    return str(info.value)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["event"].pop("timezone"), "key event.timezone: missing"),
        (lambda r: r["event"].update(timezone="Kyiv"), "key event.timezone: unknown time zone 'Kyiv'"),
        (lambda r: r["event"].update(end="2007-07-09T00:00"), "key event: the window is empty"),
        (lambda r: r["event"].update(start="10 July 2007"), "not an ISO date/time"),
        (lambda r: r["paths"].update(timebank="x"), "key paths.timebank: unknown key"),
        (
            lambda r: r["furniture"].update(max_caption_chars=-5),
            "key furniture.max_caption_chars: Input should be greater than 0",
        ),
        (lambda r: r["event"].update(places=[{"name": ""}]), "key event.places.0"),
        (
            lambda r: r["event"].update(places=[{"name": "A", "aliases": ["X"]}, {"name": "B", "aliases": ["x"]}]),
            "'x' names both 'A' and 'B'",
        ),
        (lambda r: r["event"].update(places=[3]), "key event.places.0"),
    ],
)
def test_bad_params_name_file_key_and_problem(tmp_path, monkeypatch, edit, message):
    assert message in _params_with(tmp_path, monkeypatch, edit)


@pytest.mark.parametrize(
    ("content", "message"), [("- a\n- b\n", "found list"), ("paths: [\n", "not valid YAML at line")]
)
def test_params_file_that_is_not_a_mapping(tmp_path, monkeypatch, content, message):
    path = tmp_path / "params.yaml"
    path.write_text(content, encoding="utf-8")
    monkeypatch.setenv(config.PARAMS_ENV, str(path))
    with pytest.raises(config.ParamsError, match=message):
        config.load()


def test_places_as_a_string_or_with_aliases(tmp_path, monkeypatch):
    raw = yaml.safe_load(config.PARAMS_FILE.read_text(encoding="utf-8"))
    raw["event"]["places"] = "Islamabad"
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert config.load(path).places == ("Islamabad",)
    raw["event"]["places"] = [{"name": "Madrid", "aliases": ["Spanish capital", "Atocha"]}, "Santa Eugenia"]
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    p = config.load(path.rename(tmp_path / "other.yaml"))
    assert p.places == ("Madrid", "Spanish capital", "Atocha", "Santa Eugenia")
    assert p.place_aliases == {"Madrid": ("Spanish capital", "Atocha"), "Santa Eugenia": ()}


def test_cli_reports_a_bad_params_file_in_one_line(tmp_path, monkeypatch, capsys):
    from analysis.cli import main

    path = tmp_path / "params.yaml"
    path.write_text("paths: {}\nevent: {}\n", encoding="utf-8")
    monkeypatch.setenv(config.PARAMS_ENV, str(path))
    assert main(["timeline"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: key paths.raw_dir: missing")
    assert "Traceback" not in err


def test_cli_checks_every_lexicon_before_any_stage_writes(tmp_path, monkeypatch, capsys):
    from analysis import lexicon
    from analysis.cli import main

    broken = tmp_path / "lexicon"
    broken.mkdir()
    for path in lexicon.LEXICON_DIR.glob("*.yaml"):
        (broken / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    claims = broken / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("relative_max_tokens:", "relative_max_tokenz:"))
    monkeypatch.setattr(lexicon, "LEXICON_DIR", broken)
    lexicon.load.cache_clear()
    try:
        assert main(["extract", "--out-dir", str(tmp_path / "out")]) == 2
    finally:
        lexicon.load.cache_clear()
    err = capsys.readouterr().err
    assert "claims.yaml" in err and "relative_max_tokenz" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
