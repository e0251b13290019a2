"""Function words by grammatical role, read from lexicon/grammar.yaml (one frozenset per role)."""

from __future__ import annotations

from functools import cache

from analysis import lexicon


@cache
def words(role: str) -> frozenset[str]:
    """The words of one role in grammar.yaml ("copulas", "list_joiners", ...); a role not there is a KeyError."""
    return frozenset(lexicon.load("grammar")[role])
