"""The event place a count is tied to ('180 people in Madrid', 'the Atocha blast'), from the params' places."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

from analysis import lexicon

# alias (lower-cased) -> canonical place name, or None for a place that covers the whole event
PlaceMap = Mapping[str, str | None]


def place_map(places: PlaceMap | Sequence[str]) -> dict[str, str | None]:
    """A mapping from every name and alias (lower-cased) to its canonical place; plain names map to themselves.
    A name or alias with no letter or digit ('', ' ', '-') is refused: it would match everywhere or nowhere."""
    out = {k.lower(): v for k, v in places.items()} if isinstance(places, Mapping) else {p.lower(): p for p in places}
    empty = [k for k in out if not any(ch.isalnum() for ch in k)]
    if empty:
        raise ValueError(f"event places: name or alias {empty[0]!r} has no letter or digit")
    return out


@cache
def _links() -> tuple[str, str]:
    raw = lexicon.load("claims")["place_links"]
    return "|".join(map(re.escape, raw["prepositions"])), "|".join(map(re.escape, raw["incident_nouns"]))


def _alternation(aliases: tuple[str, ...]) -> str:
    """The aliases as one regex alternation, longest first, a space matching any run of spaces or hyphens."""
    return "|".join(re.escape(a).replace(r"\ ", r"[\s-]+") for a in sorted(aliases, key=len, reverse=True))


def _canonical(words: str, places: PlaceMap) -> str | None:
    """The canonical place of the words an alias pattern matched ("Santa-Eugenia" -> "Santa Eugenia")."""
    alias = re.sub(r"[\s-]+", " ", words.lower())
    key = next((k for k in places if re.sub(r"[\s-]+", " ", k) == alias), alias)
    return places.get(key)


@cache
def _incidents() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{_links()[1]})\b")


def incident_at(text: str, pos: int) -> bool:
    """Whether the text (lower-cased) names an incident right at pos ("siege" in "an eight-day siege")."""
    return _incidents().match(text, pos) is not None


def first_incident(text: str) -> int | None:
    """Where the text (lower-cased) first names an incident (a blast, an attack, a siege ...: place_links), or
    None."""
    m = _incidents().search(text)
    return None if m is None else m.start()


@cache
def _pattern(aliases: tuple[str, ...]) -> re.Pattern[str]:
    """'in (the) <alias>' or '<alias> <incident noun>', longest alias first, whole words, any case."""
    preps, incidents = _links()
    names = _alternation(aliases)
    return re.compile(
        rf"\b(?:(?:{preps})\s+(?:the\s+)?(?P<a>{names})\b|(?P<b>{names})(?:'s)?\s+(?:{incidents})\b)", re.IGNORECASE
    )


def place_in(clause: str, places: PlaceMap, last: bool = False) -> tuple[str | None, str] | None:
    """(canonical place or None for a whole-event place, the words matched) for the first place the clause ties
    its count to (the last, for a clause before the count: the nearest to it); None when it names none of the
    event's places."""
    if not places:
        return None
    if last:
        m = None
        for m in _pattern(tuple(places)).finditer(clause):  # noqa: B007 - the last match is the one kept
            pass
    else:
        m = _site_after_the_city(clause, places)
    if not m:
        return None
    return _canonical(m.group("a") or m.group("b"), places), m.group(0)


_SITE_REACH = 30  # characters between a whole-event place and a site named right after it


def _site_after_the_city(clause: str, places: PlaceMap) -> re.Match[str] | None:
    """The first place the clause ties its count to; when that is the whole event's place and one of its sites
    follows right after, the site ("85 dead in Norway youth camp attack": Utoya, not Norway)."""
    matches = _pattern(tuple(places)).finditer(clause)
    first = next(matches, None)
    if first is None or _canonical(first.group("a") or first.group("b"), places) is not None:
        return first
    for m in matches:
        if m.start() - first.end() > _SITE_REACH:
            break
        if _canonical(m.group("a") or m.group("b"), places) is not None:
            return m
    return first


def names_another_place(clause: str) -> bool:
    """Whether the clause ties its count to some named place ('12 in Seville'), an event place or not."""
    preps, _ = _links()
    return re.search(rf"\b(?:{preps})\s+(?:the\s+)?[A-Z]", clause) is not None


@cache
def _bare(aliases: tuple[str, ...]) -> re.Pattern[str]:
    """Any alias as whole words, longest first, any case."""
    return re.compile(rf"(?<![\w-])(?:{_alternation(aliases)})(?![\w-])", re.IGNORECASE)


@cache
def _speech_re() -> re.Pattern[str]:
    words = {w for forms in lexicon.load("speech")["speech_verbs"].values() for w in forms}
    # right after the place: "... close to Jimbaran Bay said", not "the Oberoi, was declared clear"
    return re.compile(r"[\s,]*(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b", re.I)


def places_named(text: str, places: PlaceMap) -> tuple[dict[str | None, str], int]:
    """The event places text names as bare words, canonical place (None: the whole event's) -> the words of its
    first mention, and the end of the last mention (0 if none)."""
    found: dict[str | None, str] = {}
    end = 0
    if places:
        for m in _bare(tuple(places)).finditer(text):
            found.setdefault(_canonical(m.group(0), places), m.group(0))
            end = m.end()
    return found, end


def sole_place_named(text: str, places: PlaceMap) -> tuple[str, str] | None:
    """(canonical place, the words) when text names exactly one of the event's places that is not the whole
    event's, with no preposition needed ("the Oberoi/Trident, was declared clear ... and 24 bodies found");
    None when it names none, only whole-event places, or two different places, or when a speech verb comes
    right after the place: then it is where the speaker is ("A receptionist at a hospital close to Jimbaran Bay
    said")."""
    found, end = places_named(text, places)
    if len(found) != 1 or None in found or said_right_after(text, end):
        return None
    return next(iter(found.items()))


def said_right_after(text: str, end: int) -> bool:
    """Whether a speech verb follows position end (a place there is where the speaker is: "A doctor at a hospital
    near the Taj said 20 people had died")."""
    return _speech_re().match(text, end) is not None
