"""Shared fixtures: the seed corpus, a scratch copy of it, and the TimeBank folder (skip if absent)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis import config

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
SEED_IDS = sorted(p.stem for p in RAW.glob("*.txt"))


def seed_text(prefix: str) -> str:
    """The raw text of the seed whose doc_id starts with prefix ('000' .. '004')."""
    (path,) = RAW.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw to break in tests."""
    dst = tmp_path / "raw"
    shutil.copytree(RAW, dst)
    return dst


@pytest.fixture(scope="session")
def timebank_dir() -> Path:
    """The shared TimeBank folder; tests that need it skip where it is absent."""
    path = config.load().timebank_dir
    if not path.is_dir():
        pytest.skip(f"TimeBank corpus not found at {path}")
    return path
