"""The one place that reads params.yaml: paths and parameters for every stage, validated when they load."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, StringConstraints, field_validator, model_validator

ROOT = Path(__file__).resolve().parent.parent
PARAMS_FILE = ROOT / "params.yaml"
# Another corpus: point this variable at its own params file (the DVC pipeline itself uses params.yaml).
PARAMS_ENV = "TOLLWATCH_PARAMS"


class ParamsError(ValueError):
    """A params file that cannot be used: the message names the file, the key and what is wrong."""


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
    """Everything params.yaml says, with paths resolved against the params file's folder."""

    raw_dir: Path
    manifest_name: str
    processed_dir: Path
    annotations: Path
    metrics_dir: Path
    figures_dir: Path
    timebank_dir: Path
    event: Event
    # Optional: a folder of blindly annotated articles of other events, scored by the evaluate stage.
    unseen_dir: Path | None = None
    unseen2_dir: Path | None = None
    unseen3_dir: Path | None = None
    unseen4_dir: Path | None = None
    furniture: dict = field(default_factory=dict)
    # Every name and alias of the event's places: a count placed in any of them is not 'other'.
    places: tuple[str, ...] = ()
    # Canonical place name -> its aliases, as the params file gives them.
    place_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Every name and alias -> the canonical place a count there is tied to (None: the whole event's place).
    place_of: dict[str, str | None] = field(default_factory=dict)


def parse_local(value: str, timezone: str) -> datetime:
    """An ISO date or datetime, naive ones taken as local time in timezone."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"not an ISO date/time: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


def check_zone(timezone: str) -> str:
    """The IANA zone name, or a ValueError naming it."""
    try:
        ZoneInfo(timezone)
    except Exception as exc:  # zoneinfo raises several types for bad keys
        raise ValueError(f"unknown time zone {timezone!r} (an IANA name such as 'Asia/Karachi')") from exc
    return timezone


def make_event(name: str, timezone: str, start: str, end: str) -> Event:
    """Build an Event, checking the zone and that the window is not empty."""
    check_zone(timezone)
    ev = Event(name, timezone, parse_local(start, timezone), parse_local(end, timezone))
    if ev.end <= ev.start:
        raise ValueError(f"event window is empty: start {start} is not before end {end}")
    return ev


# --- the file's shape: unknown keys are errors, so a typo never silently falls back to a default ---

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathsSection(_Model):
    """paths: folders and files, relative to the params file's folder."""

    raw_dir: NonEmpty
    manifest: NonEmpty  # a file name inside raw_dir
    processed_dir: NonEmpty
    annotations: NonEmpty
    unseen_dir: NonEmpty | None = None
    unseen2_dir: NonEmpty | None = None  # a second blind set, built after rules had been tuned on the first
    unseen3_dir: NonEmpty | None = None  # a third, built after a second round of rules
    unseen4_dir: NonEmpty | None = None  # a fourth, built after a third round of rules
    metrics_dir: NonEmpty
    figures_dir: NonEmpty
    timebank_dir: NonEmpty

    @field_validator("manifest")
    @classmethod
    def _a_name(cls, value: str) -> str:
        if value in (".", "..") or "/" in value or "\\" in value:
            raise ValueError(f"a file name inside raw_dir expected, got {value!r}")
        return value


class Place(_Model):
    """One place of the event: its canonical name and the other names the articles use for it."""

    name: NonEmpty
    aliases: list[NonEmpty] = Field(default_factory=list)
    # the place the whole event happened in (the city a bombing hit): a count there is the whole event's
    covers_event: bool = False


class EventSection(_Model):
    """event: the focal incident's name, IANA zone, local window and places."""

    name: NonEmpty
    timezone: NonEmpty
    start: datetime | date | NonEmpty
    end: datetime | date | NonEmpty
    places: list[NonEmpty | Place] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_zone(value)

    @field_validator("places", mode="before")
    @classmethod
    def _one_place(cls, value):
        # 'places: Islamabad' means one place, not a list of its letters.
        return [value] if isinstance(value, str | dict) else value

    @model_validator(mode="after")
    def _window(self) -> EventSection:
        start, end = (parse_local(_iso(v), self.timezone) for v in (self.start, self.end))
        if end <= start:
            raise ValueError(f"the window is empty: start {_iso(self.start)} is not before end {_iso(self.end)}")
        return self

    def place_list(self) -> list[Place]:
        """Every place as a name with aliases; a name or alias given twice is an error."""
        places = [Place(name=p) if isinstance(p, str) else p for p in self.places]
        seen: dict[str, str] = {}
        for place in places:
            for word in (place.name, *place.aliases):
                key = word.casefold()
                if key in seen and seen[key] != place.name:
                    raise ValueError(f"{word!r} names both {seen[key]!r} and {place.name!r}")
                seen[key] = place.name
        return places


class FurnitureSection(_Model):
    """furniture: size limits of the page-furniture cues (characters)."""

    max_caption_chars: PositiveInt = 300
    max_teaser_line_chars: PositiveInt = 160


class ParamsFile(_Model):
    """The whole params file."""

    paths: PathsSection
    event: EventSection
    furniture: FurnitureSection = Field(default_factory=FurnitureSection)


def place_lookup(places: list[Place]) -> dict[str, str | None]:
    """Every name and alias -> its canonical place, or None for a place that covers the whole event."""
    return {word: (None if p.covers_event else p.name) for p in places for word in (p.name, *p.aliases)}


def _iso(value: datetime | date | str) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _where(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def explain(exc: pydantic.ValidationError, prefix: str = "") -> list[str]:
    """One line per problem: 'key event.timezone: unknown time zone ...' (pydantic's wording, trimmed)."""
    lines = []
    for err in exc.errors(include_url=False):
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown key (misspelt?)"
        lines.append(f"key {prefix}{_where(err['loc'])}: {msg}")
    return list(dict.fromkeys(lines))


def _explain(path: Path, exc: pydantic.ValidationError) -> ParamsError:
    """A ParamsError naming the file on every line."""
    return ParamsError("\n".join(f"{path}: {line}" for line in explain(exc)))


def parse_params(path: Path, raw: object) -> Params:
    """Validate a params mapping read from path and resolve its paths against path's folder."""
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping with 'paths' and 'event', found {type(raw).__name__}")
    try:
        spec = ParamsFile.model_validate(raw)
        places = spec.event.place_list()
    except pydantic.ValidationError as exc:
        raise _explain(path, exc) from None
    except ValueError as exc:
        raise ParamsError(f"{path}: key event.places: {exc}") from None

    def resolve(p: str) -> Path:
        return (path.parent / p).resolve() if not Path(p).is_absolute() else Path(p)

    ev = spec.event
    return Params(
        raw_dir=resolve(spec.paths.raw_dir),
        manifest_name=spec.paths.manifest,
        processed_dir=resolve(spec.paths.processed_dir),
        annotations=resolve(spec.paths.annotations),
        metrics_dir=resolve(spec.paths.metrics_dir),
        figures_dir=resolve(spec.paths.figures_dir),
        timebank_dir=resolve(spec.paths.timebank_dir),
        unseen_dir=resolve(spec.paths.unseen_dir) if spec.paths.unseen_dir else None,
        unseen2_dir=resolve(spec.paths.unseen2_dir) if spec.paths.unseen2_dir else None,
        unseen3_dir=resolve(spec.paths.unseen3_dir) if spec.paths.unseen3_dir else None,
        unseen4_dir=resolve(spec.paths.unseen4_dir) if spec.paths.unseen4_dir else None,
        event=make_event(ev.name, ev.timezone, _iso(ev.start), _iso(ev.end)),
        furniture=spec.furniture.model_dump(),
        places=tuple(word for p in places for word in (p.name, *p.aliases)),
        place_aliases={p.name: tuple(p.aliases) for p in places},
        place_of=place_lookup(places),
    )


def load(path: Path | None = None) -> Params:
    """The params: path, else the file named by $TOLLWATCH_PARAMS, else the project's params.yaml."""
    env = os.environ.get(PARAMS_ENV)
    return _load(Path(path or env or PARAMS_FILE).resolve())


@cache
def _load(path: Path) -> Params:
    """Read and validate one params file once; relative paths in it are relative to its folder."""
    if path.is_dir():
        raise ParamsError(f"{path}: a folder, not a params file")
    if not path.is_file():
        raise ParamsError(f"{path}: params file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ParamsError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParamsError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    return parse_params(path, raw)
