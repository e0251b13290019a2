"""Every word list the extractors read lives in the lexicon: no literal list of words in extract/ or text/ code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from analysis.text import grammar

ROOT = Path(__file__).resolve().parents[1]
CODE = sorted((ROOT / "analysis" / "extract").glob("*.py")) + sorted((ROOT / "analysis" / "text").glob("*.py"))
WORD = re.compile(r"^[a-z][a-z'-]*$")
# Membership tests on the code's own labels (how a cue matched, a speaker's kind), not on words of the text.
ENUM_ATTRIBUTES = {"how", "kind"}


def _word_lists(path: Path, root: Path = ROOT) -> list[str]:
    """'file:line' of each `x in ("word", "word", ...)` comparing against two or more literal words."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Compare):
            continue
        if isinstance(node.left, ast.Attribute) and node.left.attr in ENUM_ATTRIBUTES:
            continue
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn) and isinstance(right, ast.Tuple | ast.Set | ast.List):
                values = [e.value for e in right.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                if len(values) >= 2 and len(values) == len(right.elts) and all(WORD.match(v) for v in values):
                    found.append(f"{path.relative_to(root)}:{node.lineno} {values}")
    return found


def test_no_literal_word_list_in_extraction_code():
    offenders = [hit for path in CODE for hit in _word_lists(path)]
    assert offenders == []


def test_the_check_finds_a_literal_word_list(tmp_path):
    # the check itself must be able to fail
    bad = tmp_path / "probe.py"
    bad.write_text('def f(t):\n    return t.lower in ("were", "are") or t.kind in ("a", "b")\n', encoding="utf-8")
    assert _word_lists(bad, tmp_path) == ["probe.py:2 ['were', 'are']"]


def test_grammar_roles_read_from_the_lexicon():
    assert grammar.words("copulas") == {"is", "are", "was", "were"}
    assert "those" in grammar.words("partitive_determiners")
    with pytest.raises(KeyError):
        grammar.words("no such role")
