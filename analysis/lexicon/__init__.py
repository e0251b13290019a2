"""Readable extraction knowledge: the YAML files in this folder, validated and loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from analysis.lexicon.models import MODELS

LEXICON_DIR = Path(__file__).resolve().parent
REPO_ROOT = LEXICON_DIR.parents[1]


class LexiconError(ValueError):
    """A lexicon file is missing, not YAML, or breaks its model: one line per problem, naming file and key."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load that refuses a key written twice in one mapping (plain YAML silently keeps the last)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)  # resolve "<<" merges first, as SafeLoader does
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key {key!r}", key_node.start_mark
                        )
                    seen.add(key)
                except TypeError:
                    pass  # an unhashable key: the base constructor reports it
        return super().construct_mapping(node, deep=deep)


def _shown(path: Path) -> str:
    """The path relative to the repository when it lies inside it (messages stay short and stable)."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _read(path: Path) -> dict:
    """The YAML mapping of a lexicon file, or a LexiconError naming the file (and line)."""
    shown = _shown(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(f"{shown}: lexicon file not found") from None
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{shown}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: still safe
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise LexiconError(f"{shown}: {where}invalid YAML: {_one_line(exc.problem or exc.context)}") from None
    except yaml.YAMLError as exc:
        raise LexiconError(f"{shown}: invalid YAML: {_one_line(exc)}") from None
    if not isinstance(data, dict):
        raise LexiconError(f"{shown}: top level should be a mapping of keys, got {type(data).__name__}")
    return data


def _problems(shown: str, exc: ValidationError) -> list[str]:
    """One line per pydantic error: file, dotted key, message."""
    lines = []
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "<top level>"
        lines.append(f"{shown}: key {key!r}: {_one_line(err['msg'])}")
    return lines


def _load_path(path: Path, name: str) -> dict:
    """Read and validate one lexicon file against the model for name; return the YAML as read."""
    data = _read(path)
    try:
        MODELS[name].model_validate(data)
    except ValidationError as exc:
        raise LexiconError("\n".join(_problems(_shown(path), exc))) from None
    # callers get the plain dict safe_load gives, not the model: no caller changes behaviour
    return data


@cache
def load(name: str) -> dict:
    """Load lexicon/<name>.yaml, validated against its model (analysis/lexicon/models.py)."""
    if name not in MODELS:
        raise LexiconError(f"unknown lexicon {name!r} (known: {', '.join(sorted(MODELS))})")
    return _load_path(LEXICON_DIR / f"{name}.yaml", name)


def validate_all() -> dict[str, dict]:
    """Load every lexicon, reporting the problems of all files at once (a startup check)."""
    loaded, problems = {}, []
    for name in MODELS:
        try:
            loaded[name] = load(name)
        except LexiconError as exc:
            problems.append(str(exc))
    if problems:
        raise LexiconError("\n".join(problems))
    return loaded
