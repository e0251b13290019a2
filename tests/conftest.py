"""Shared fixtures: the seed corpus, a scratch copy of it, and the TimeBank folder; params from params.yaml only."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from analysis import config

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
SEED_IDS = sorted(p.stem for p in RAW.glob("*.txt"))
# CI runs the property tests with a fixed seed, so a run is reproducible; a developer's run explores anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
# Test modules read params at import: a TOLLWATCH_PARAMS left exported in the shell must not reach them.
os.environ.pop(config.PARAMS_ENV, None)


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


@pytest.fixture(autouse=True)
def _project_params(monkeypatch):
    """Tests read the project's params.yaml, whatever TOLLWATCH_PARAMS the shell exports."""
    monkeypatch.delenv(config.PARAMS_ENV, raising=False)


@pytest.fixture(scope="session")
def timebank_dir() -> Path:
    """TimeBank 1.2 as the repository carries it (data/external/timebank); its absence is a failure."""
    path = ROOT / "data" / "external" / "timebank"
    assert path.is_dir() and any(path.glob("*.tml")), f"TimeBank corpus missing at {path}"
    return path
