"""The layout's rules: extractors and text primitives import neither pandas nor a stage; a stage is one per DVC stage."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PURE = sorted(p for folder in ("text", "extract") for p in (ROOT / "analysis" / folder).glob("*.py"))


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("path", PURE, ids=lambda p: _module(p))
def test_extractors_import_without_pandas_or_stages(path):
    # pandas, pyarrow, pandera and polars made unimportable: a pure module still imports, with everything it imports
    blocked = "import sys\nfor m in ('pandas', 'pyarrow', 'pandera', 'polars', 'analysis.stages', 'analysis.io'):\n    sys.modules[m] = None\n"
    done = subprocess.run(
        [sys.executable, "-c", blocked + f"import {_module(path)}"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("path", PURE, ids=lambda p: _module(p))
def test_extractors_name_no_stage_in_their_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [n for n in names if n.startswith(("analysis.stages", "analysis.report", "pandas", "polars"))]


def test_every_dvc_stage_has_its_module():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    for name in stages:
        assert (ROOT / "analysis" / "stages" / f"{name.replace('-', '_')}.py").is_file(), name
