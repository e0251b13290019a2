"""Readable extraction knowledge: the YAML files in this folder, loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

LEXICON_DIR = Path(__file__).resolve().parent


@cache
def load(name: str) -> dict:
    """Load lexicon/<name>.yaml."""
    path = LEXICON_DIR / f"{name}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))
