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
    with pytest.raises(FileNotFoundError, match="params file not found"):
        config.load()
