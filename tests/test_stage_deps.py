"""dvc.yaml lists, for every stage, exactly the package code and lexicons that stage imports."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import stage_deps  # noqa: E402


def test_dvc_yaml_code_deps_match_the_imports():
    declared = stage_deps.declared_code_deps(stage_deps.DVC_YAML.read_text(encoding="utf-8"))
    expected = stage_deps.expected_code_deps()
    for stage, deps in declared.items():
        assert deps == expected[stage], f"{stage}: run `python scripts/stage_deps.py --write`"


def test_derivation_follows_lazy_imports_and_lexicon_loads():
    expected = stage_deps.expected_code_deps()
    # the times stage imports the tagger, which loads lexicon/time.yaml; the CLI's lazy imports of other
    # stages are not followed, so the timeline stage does not depend on the extractor
    assert {
        "analysis/extract/times.py",
        "analysis/stages/times.py",
        "analysis/lexicon/time.yaml",
        "analysis/config.py",
    } <= set(expected["times"])
    assert "analysis/extract/claims.py" not in expected["timeline"]
    assert "analysis/report/figures.py" in expected["notebooks"]  # imported by the notebooks themselves


def test_rewrite_replaces_only_code_deps():
    text = "stages:\n  a:\n    cmd: x\n    deps:\n      - analysis/old.py\n      - data/raw\n    outs:\n      - o\n"
    out = stage_deps.rewrite(text, {"a": ["analysis/new.py"]})
    assert (
        out == "stages:\n  a:\n    cmd: x\n    deps:\n      - analysis/new.py\n      - data/raw\n    outs:\n      - o\n"
    )
