"""The event place a count is tied to ('180 people in Madrid', 'the Atocha blast'), from the params' places."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

from analysis import lexicon

# alias (lower-cased) -> canonical place name, or None for a place that covers the whole event
PlaceMap = Mapping[str, str | None]


def place_map(places: PlaceMap | Sequence[str]) -> dict[str, str | None]:
    """A mapping from every name and alias (lower-cased) to its canonical place; plain names map to themselves."""
    if isinstance(places, Mapping):
        return {k.lower(): v for k, v in places.items()}
    return {p.lower(): p for p in places}


@cache
def _links() -> tuple[str, str]:
    raw = lexicon.load("claims")["place_links"]
    return "|".join(map(re.escape, raw["prepositions"])), "|".join(map(re.escape, raw["incident_nouns"]))


@cache
def _pattern(aliases: tuple[str, ...]) -> re.Pattern[str]:
    """'in (the) <alias>' or '<alias> <incident noun>', longest alias first, whole words, any case."""
    preps, incidents = _links()
    names = "|".join(re.escape(a).replace(r"\ ", r"[\s-]+") for a in sorted(aliases, key=len, reverse=True))
    return re.compile(
        rf"\b(?:(?:{preps})\s+(?:the\s+)?(?P<a>{names})\b|(?P<b>{names})(?:'s)?\s+(?:{incidents})\b)", re.IGNORECASE
    )


def place_in(clause: str, places: PlaceMap) -> tuple[str | None, str] | None:
    """(canonical place or None for a whole-event place, the words matched) for the first place the clause ties
    its count to; None when it names none of the event's places."""
    if not places:
        return None
    m = _pattern(tuple(places)).search(clause)
    if not m:
        return None
    alias = re.sub(r"[\s-]+", " ", (m.group("a") or m.group("b")).lower())
    key = next((k for k in places if re.sub(r"[\s-]+", " ", k) == alias), alias)
    return places.get(key), m.group(0)


def names_another_place(clause: str) -> bool:
    """Whether the clause ties its count to some named place ('12 in Seville'), an event place or not."""
    preps, _ = _links()
    return re.search(rf"\b(?:{preps})\s+(?:the\s+)?[A-Z]", clause) is not None
