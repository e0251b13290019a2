"""The one place that reads params.yaml: paths and parameters for every stage."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
PARAMS_FILE = ROOT / "params.yaml"
# Another corpus: point this variable at its own params file (the DVC pipeline itself uses params.yaml).
PARAMS_ENV = "TOLLWATCH_PARAMS"


@dataclass(frozen=True)
class Event:
    """The focal incident: its name, local zone and window (timezone-aware)."""

    name: str
    timezone: str
    start: datetime
    end: datetime

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Params:
    """Everything params.yaml says, with paths resolved against the project root."""

    raw_dir: Path
    manifest_name: str
    processed_dir: Path
    annotations: Path
    metrics_dir: Path
    figures_dir: Path
    timebank_dir: Path
    event: Event
    furniture: dict = field(default_factory=dict)
    places: tuple[str, ...] = ()


def parse_local(value: str, timezone: str) -> datetime:
    """An ISO date or datetime, naive ones taken as local time in timezone."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"not an ISO date/time: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


def make_event(name: str, timezone: str, start: str, end: str) -> Event:
    """Build an Event, checking the zone and that the window is not empty."""
    try:
        ZoneInfo(timezone)
    except Exception as exc:  # zoneinfo raises several types for bad keys
        raise ValueError(f"unknown time zone {timezone!r}") from exc
    ev = Event(name, timezone, parse_local(start, timezone), parse_local(end, timezone))
    if ev.end <= ev.start:
        raise ValueError(f"event window is empty: start {start} is not before end {end}")
    return ev


def load(path: Path | None = None) -> Params:
    """The params: path, else the file named by $TOLLWATCH_PARAMS, else the project's params.yaml."""
    env = os.environ.get(PARAMS_ENV)
    return _load(Path(path or env or PARAMS_FILE).resolve())


@cache
def _load(path: Path) -> Params:
    """Read one params file once; relative paths in it are relative to its folder."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: params file not found")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    paths, ev = raw["paths"], raw["event"]

    def resolve(p: str) -> Path:
        return (path.parent / p).resolve() if not Path(p).is_absolute() else Path(p)

    return Params(
        raw_dir=resolve(paths["raw_dir"]),
        manifest_name=paths["manifest"],
        processed_dir=resolve(paths["processed_dir"]),
        annotations=resolve(paths["annotations"]),
        metrics_dir=resolve(paths["metrics_dir"]),
        figures_dir=resolve(paths["figures_dir"]),
        timebank_dir=resolve(paths["timebank_dir"]),
        event=make_event(ev["name"], ev["timezone"], ev["start"], ev["end"]),
        furniture=dict(raw.get("furniture", {})),
        places=tuple(ev.get("places", [])),
    )
