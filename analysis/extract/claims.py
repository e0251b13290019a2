"""Casualty claims: attach each count to an outcome and a victim group within its clause."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from itertools import accumulate

from analysis import lexicon
from analysis.extract.parts import (
    appositive_names,
    found_after_opener,
    increment_word,
    names_a_subset,
    part_after,
    part_before,
    part_of_the,
    recent_period,
    subset_nouns,
    whole_is_implied,
)
from analysis.extract.places import (
    PlaceMap,
    first_incident,
    names_another_place,
    place_in,
    place_map,
    places_named,
    said_right_after,
    sole_place_named,
)
from analysis.extract.quantities import Quantity, count_end, number_words, parse_quantities
from analysis.extract.spans import began_well_before, incident_span, span_back, unit_days, vague_ago_days
from analysis.extract.times import TimeExpr
from analysis.text import grammar
from analysis.text.tokens import Phrase, PhraseTable, SpanIndex, Token, sentences, tokenize

# The groups whose subset counts are victims of the event (an armed group's count is its own total).
VICTIM_GROUPS = ("unspecified", "civilians")
_YEAR_RE = re.compile(r"1[89]\d\d|20\d\d")
# How many tokens past a counted noun phrase its outcome word may stand (bridge words, a relative clause, a place
# name): a bound, so that a sentence of thousands of counts is not read to its end from every one of them.
_CLAUSE_REACH = 64
# How many tokens after a count a rate may stand: the counted noun and a verb ('people killed each year').
_RATE_REACH = 6
# How many characters before a count its sentence's subject may name its place: a bound, so that a sentence of
# thousands of counts is not read back to its start from every one of them.
_SUBJECT_REACH = 300


@dataclass(frozen=True)
class Claim:
    """One casualty claim: the count phrase in raw offsets and its coding."""

    start: int
    end: int
    quantity_text: str
    sentence_start: int
    sentence_end: int
    value_low: int | None
    value_high: int | None
    qualifier: str
    outcome: str
    group: str
    group_text: str | None
    scope: str
    rule: str
    role: str = "total"  # or "part": a subset picked out by who the victims are
    subset_text: str | None = None
    part_of: int | None = None  # start offset of the whole's count, when the article states it
    place: str | None = None  # canonical event place the count is tied to; None = the whole event
    # "Eight of the 14 killings" with no group word of its own: the group is the whole's, read after it
    group_from_whole: bool = False
    # a toll's figure named as the one it replaced ("revised down from 172"): current before its replacement
    superseded: bool = False
    # its outcome came from a toll or total word before it ("the toll rose to 68"): a toll, never an increment
    by_toll_word: bool = False


@dataclass(frozen=True)
class _NounPhrase:
    """What follows a count: the victim-group head (if any) and where the phrase ends."""

    end: int  # token index after the phrase
    group: str | None
    text_start: int | None  # token span of the group words, for group_text
    text_end: int | None
    head: str | None  # the head noun, lower-cased
    reject: str | None = None  # why the count is not a claim (object, age, ...)
    partitive: bool = False  # "Eight of the 14 killings": a part of the count that follows
    attributive: tuple[str, str] | None = None  # "six dead foreigners": (outcome, its word) before the noun


def _table(phrases) -> PhraseTable:
    """A table of phrases that code nothing but themselves (joins, cues)."""
    return PhraseTable(dict.fromkeys(phrases, True))


@dataclass(frozen=True)
class _Lex:
    after: PhraseTable
    adjacent: PhraseTable
    before: PhraseTable
    nouns: dict[str, str]
    bridge: frozenset[str]
    parenthetical: PhraseTable
    parenthetical_max: int
    relative: frozenset[str]
    relative_max: int
    join: PhraseTable
    join_preps: frozenset[str]
    inside_openers: frozenset[str]
    articles: frozenset[str]
    groups: PhraseTable
    modifiers: frozenset[str]
    max_modifiers: int
    not_people: frozenset[str]
    breakdown: frozenset[str]
    anaphoric: frozenset[str]
    civilian_cues: PhraseTable
    hypothetical: frozenset[str]
    not_outcomes: PhraseTable
    negating: frozenset[str]
    cumulative: tuple[Phrase, ...]
    prior: tuple[Phrase, ...]
    rates: tuple[Phrase, ...]
    report_time_openers: tuple[Phrase, ...]
    continuation_openers: tuple[Phrase, ...]
    referring_incidents: frozenset[str]
    earlier_figure: frozenset[str]
    place_nouns: frozenset[str]
    pending: frozenset[str]
    pending_gap: frozenset[str]
    pending_reach: int
    sequence_join: PhraseTable
    simultaneous: frozenset[frozenset[str]]
    toll_nouns: frozenset[str]
    total_nouns: frozenset[str]
    total_verbs: frozenset[str]
    active_objects: frozenset[str]
    total_words: frozenset[str]
    total_change: frozenset[str]
    total_phrase_starts: frozenset[str]
    total_phrase_max: int
    total_phrase_ends: frozenset[str]
    total_earlier: frozenset[str]
    superseded_before: PhraseTable
    not_counts_after: PhraseTable
    percent: PhraseTable
    of_compounds: dict[str, tuple[tuple[Phrase, str], ...]]
    held_place_cues: tuple[str, ...]
    place_links: frozenset[str]
    place_modifiers: frozenset[str]
    held_subject_gap: frozenset[str]


def _phrases(items: Sequence[str]) -> list[Phrase]:
    return [tuple(tokenize_lower(p)) for p in items]


def tokenize_lower(phrase: str) -> list[str]:
    """Lower-cased token texts of a lexicon phrase (tokenized like the text it is matched against)."""
    return [t.lower for t in tokenize(phrase)]


def _outcome_fields(raw: dict) -> dict:
    """The outcome cues by position (after, adjacent, before the count) and the outcome nouns."""
    after, adjacent, before, nouns = {}, {}, {}, {}
    for outcome, forms in raw["outcomes"].items():
        after.update({p: outcome for p in _phrases(forms["after"])})
        adjacent.update({p: outcome for p in _phrases(forms.get("adjacent", []))})
        before.update({p: outcome for p in _phrases(forms["before"])})
        nouns.update({" ".join(p): outcome for p in _phrases(forms["nouns"])})
    return {
        "after": PhraseTable(after),
        "adjacent": PhraseTable(adjacent),
        "before": PhraseTable(before),
        "nouns": nouns,
        "sequence_join": _table(_phrases(raw["outcome_sequence_join"])),
        "simultaneous": frozenset(frozenset(pair) for pair in raw["simultaneous_outcomes"]),
    }


def _group_fields(raw: dict) -> dict:
    """The group nouns, and their fuller 'N of M' names for coreference ("prisoners of war" of "prisoners")."""
    groups = {p: g for g, words in raw["groups"].items() for p in _phrases(words)}
    compounds: dict[str, list[tuple[Phrase, str]]] = {}
    for p, g in groups.items():
        if len(p) >= 3 and p[1] == "of" and g != "unspecified":
            compounds.setdefault(p[0], []).append((p, g))
    return {"groups": PhraseTable(groups), "of_compounds": {h: tuple(v) for h, v in compounds.items()}}


def _phrase_fields(raw: dict) -> dict:
    """The noun phrase around a count: parentheses, relatives, joins, modifiers, what is not people."""
    return {
        "bridge": frozenset(raw["bridge"]),
        "parenthetical": _table(_phrases(raw["parenthetical_openers"])),
        "parenthetical_max": raw["parenthetical_max_tokens"],
        "relative": frozenset(raw["relative"]),
        "relative_max": raw["relative_max_tokens"],
        "join": _table(_phrases(raw["join"])),
        "join_preps": frozenset(raw["join_prepositions"]),
        "inside_openers": frozenset(raw["short_phrase_openers"]),
        "articles": frozenset(raw["short_phrase_articles"]),
        "modifiers": frozenset(raw["modifiers"]),
        "max_modifiers": raw["max_modifiers"],
        "not_people": frozenset(raw["not_people"]),
        "breakdown": frozenset(raw["breakdown_words"]),
        "anaphoric": frozenset(raw["anaphoric"]),
        "civilian_cues": _table(_phrases(raw["civilian_cues"])),
        "not_counts_after": _table(_phrases(raw["not_counts_after"])),
        "percent": _table(_phrases(raw["percent_words"])),
    }


def _claim_fields(raw: dict) -> dict:
    """Whether and how a count is a claim: hypotheticals, negation, scope, pending counts, tolls and totals."""
    sc = raw["scope"]
    return {
        "hypothetical": frozenset(raw["hypothetical"]),
        "not_outcomes": _table(_phrases(raw["not_outcomes"])),
        "negating": frozenset(raw["negating_verbs"]),
        "cumulative": tuple(_phrases(sc["cumulative"])),
        "prior": tuple(_phrases(sc["prior"])),
        "rates": tuple(_phrases(sc["rates"])),
        "report_time_openers": tuple(_phrases(sc["report_time_openers"])),
        "continuation_openers": tuple(_phrases(sc["continuation_openers"])),
        "referring_incidents": frozenset(sc["referring_incidents"]),
        "earlier_figure": frozenset(sc["earlier_figure_words"]),
        "place_nouns": frozenset(sc["other_place_nouns"]),
        "pending": frozenset(raw["pending"]),
        "pending_gap": frozenset(raw["pending_gap"]),
        "pending_reach": raw["pending_reach"],
        "toll_nouns": frozenset(raw["toll_nouns"]),
        "total_nouns": frozenset(raw["total_nouns"]),
        "total_verbs": frozenset(raw["total_verbs"]),
        "active_objects": frozenset(raw["active_objects"]),
        "total_words": frozenset(raw["total_words"]),
        "total_change": frozenset(raw["total_change_verbs"]),
        "total_phrase_starts": frozenset(raw["total_phrase_starts"]),
        "total_phrase_max": raw["total_phrase_max"],
        "total_phrase_ends": frozenset(raw["total_phrase_ends"]),
        "total_earlier": frozenset(raw["total_earlier_words"]),
        "superseded_before": _table(_phrases(raw["superseded_before"])),
    }


def _place_fields(raw: dict) -> dict:
    """Where a count is held: the cues, links and modifiers of a place."""
    held = raw["held_place"]
    return {
        "held_place_cues": tuple(held["cues"]),
        "place_links": frozenset(held["links"]),
        "place_modifiers": frozenset(held["place_modifiers"]),
        "held_subject_gap": frozenset(held["links"]) | frozenset(held["subject_gap"]),
    }


@cache
def _lex() -> _Lex:
    """claims.yaml (validated when loaded) compiled into the phrase tables and word sets the rules read."""
    raw = lexicon.load("claims")
    return _Lex(
        **_outcome_fields(raw), **_group_fields(raw), **_phrase_fields(raw), **_claim_fields(raw), **_place_fields(raw)
    )


# --- the noun phrase after a count ---------------------------------------------------------------


def _reject_reason(toks: list[Token], q: Quantity) -> str | None:
    """Counts that are never people: years, ages, percentages, money, clock times."""
    lx = _lex()
    prev = toks[q.first - 1].lower if q.first > 0 else ""
    nxt = toks[q.last].lower if q.last < len(toks) else ""
    if q.qualifier == "exact" and _YEAR_RE.fullmatch(q.text) and lx.groups.at(toks, q.last) is None:
        return "year"
    if lx.not_counts_after.ending(toks, q.first):
        return "not a count of people"
    if lx.percent.at(toks, q.last):
        return "percentage"
    # "Ghazi, 43, telephoned": a bare number between commas after a name is an age
    if (
        prev == ","
        and q.first >= 2
        and toks[q.first - 2].text[:1].isupper()
        and nxt in (",", ")")
        and q.qualifier == "exact"
    ):
        return "age"
    return None


def _noun_phrase(
    toks: list[Token], q: Quantity, limit: int | None = None, wholes: dict[int, _NounPhrase] | None = None
) -> _NounPhrase:
    """Read the words after a count up to its head noun ("24 other fleeing people"), not past token limit
    (where the next count starts: "3,000 Britons and more than 450 Japanese"). wholes: the noun phrases of
    partitives' wholes read so far in the sentence, to share."""
    n = len(toks) if limit is None else min(limit, len(toks))
    j, whole = _np_start(toks, q.last, n)
    if whole is None:
        return _np_words(toks, q.last, j, n)
    return replace(_whole_phrase(toks, whole, {} if wholes is None else wholes), partitive=True)


def _np_start(toks: list[Token], last: int, n: int) -> tuple[int, int | None]:
    """Where the words of a count ending before token last start, past "more" and "of the"; and for a
    partitive, the index after the whole's count: "Eight of the 14 killings", "three of the 20 dead"."""
    j = last
    if j < n and toks[j].lower == "more":  # "29 more are wounded"
        j += 1
    if j + 1 < n and toks[j].lower == "of":  # "dozens of", "20 of the"
        j += 1
        while j < n and toks[j].lower in grammar.words("partitive_determiners"):
            j += 1
        if j > last + 1 and j < len(toks) and (whole := _whole_count(toks, j)) is not None:
            return j, whole
    return j, None


def _whole_phrase(toks: list[Token], whole: int, wholes: dict[int, _NounPhrase]) -> _NounPhrase:
    """The noun phrase after a partitive's whole, read to the sentence end; a whole that is itself a partitive
    ("one of the two of the three ...") is followed in a loop, and each is read once per sentence: from every
    count of such a chain, the chain's rest would be read again (quadratic, and deep recursion)."""
    chain = []
    while whole not in wholes:
        j, nxt = _np_start(toks, whole, len(toks))
        if nxt is None:
            wholes[whole] = _np_words(toks, whole, j, len(toks))
            break
        chain.append(whole)
        whole = nxt
    found = wholes[whole]
    for w in chain:
        wholes[w] = replace(found, partitive=True)
    return wholes[chain[0]] if chain else found


def _np_words(toks: list[Token], last: int, j: int, n: int) -> _NounPhrase:
    """The noun phrase of a count ending before token last, its words starting at token j, not past token n."""
    lx = _lex()
    mods = 0
    first_group = None
    attributive, lead = _attributive(toks, j, n)  # "six dead foreigners", "12 wounded soldiers"
    j = lead
    while j < n:
        if first_group is None and lx.after.at(toks, j):
            break  # "15 injured", "Dozens dead": the outcome follows the count directly (ellipsis)
        m = lx.groups.at(toks, j)
        if m:
            phrase, k = m
            start = first_group if first_group is not None else j
            group, head, end = lx.groups[phrase], phrase[-1], k
            # compounds and coordinations: "women and children", "militants and soldiers" (mixed)
            while end < n:
                nxt = None if lx.adjacent.at(toks, end) else lx.groups.at(toks, end)  # "700 people hostage"
                if nxt:
                    group = group if lx.groups[nxt[0]] == group else "mixed"
                    head, end = nxt[0][-1], nxt[1]
                    continue
                if toks[end].lower in grammar.words("list_joiners") and (after := lx.groups.at(toks, end + 1)):
                    group = group if lx.groups[after[0]] == group else "mixed"
                    head, end = after[0][-1], after[1]
                    continue
                break
            return _NounPhrase(end, group, start, end, head, attributive=attributive)
        t = toks[j]
        low = t.lower
        if low in lx.not_people:
            return _NounPhrase(j + 1, None, None, None, low, reject=f"counts {low}")
        if lx.after.at(toks, j) or not (t.text[:1].isalpha() or low == "'s"):
            break
        if mods >= lx.max_modifiers:
            break
        if low in lx.modifiers or t.text[:1].isupper() or _group_within(toks, j + 1, 2):
            first_group = j if first_group is None else first_group
            mods += 1
            j += 1
            continue
        if low in lx.bridge or low in lx.relative or not low.endswith("s"):
            break
        # an unknown plural noun: a head of unknown kind (kept only if an outcome follows)
        return _NounPhrase(j + 1, "unspecified", j, j + 1, low, attributive=attributive)
    return _np_without_group(toks, last, lead, j, attributive)


def _np_without_group(
    toks: list[Token], last: int, lead: int, j: int, attributive: tuple[str, str] | None
) -> _NounPhrase:
    """The noun phrase of a count whose words (from lead to j) name no group: proper nouns ("3,000 Britons"),
    else nothing."""
    while j > lead and toks[j - 1].lower in grammar.words("list_tails"):
        j -= 1  # "3,000 Britons and": the joining word belongs to the list, not the phrase
    if j > lead and all(t.text[:1].isupper() for t in toks[lead:j]):
        # "3,000 Britons", "12 Indonesians": a proper noun names the people, though not their group
        return _NounPhrase(j, None, lead, j, toks[j - 1].lower, attributive=attributive)
    if attributive is not None:
        return _NounPhrase(lead, None, None, None, None, attributive=attributive)
    return _NounPhrase(j if j > last else last, None, None, None, None)


def _attributive(toks: list[Token], j: int, n: int) -> tuple[tuple[str, str] | None, int]:
    """An outcome word used as an adjective right after a count, before the noun it qualifies ("six dead
    foreigners", "12 wounded soldiers", "20 dead Britons"): (outcome, its words) and where the noun phrase
    starts; (None, j) when the outcome word stands alone ("15 injured", "20 dead, including ...")."""
    lx = _lex()
    m = lx.after.at(toks, j)
    if not m or len(m[0]) != 1 or m[1] >= n:
        return None, j
    nxt = toks[m[1]]
    k = m[1]
    while k < min(n, m[1] + 2) and toks[k].text[:1].isupper():
        k += 1  # a nationality before the noun: "eight dead Israeli hostages"
    noun = (
        _group_within(toks, k, 1) or nxt.lower in subset_nouns() or (nxt.text[:1].isupper() and nxt.text.endswith("s"))
    )
    return ((lx.after[m[0]], m[0][0]), m[1]) if noun else (None, j)


def _whole_count(toks: list[Token], j: int) -> int | None:
    """Index after a count standing at token j, if one does."""
    found = parse_quantities(toks[j : j + 6], "")
    return j + found[0].last if found and found[0].first == 0 else None


def _group_within(toks: list[Token], j: int, k: int) -> bool:
    return any(_lex().groups.at(toks, x) for x in range(j, min(j + k, len(toks))))


# --- outcomes ------------------------------------------------------------------------------------


def _outcome_after(toks: list[Token], j: int) -> tuple[str, str] | None:
    """An outcome word after the noun phrase, across bridge words and a relative clause."""
    lx = _lex()
    n = len(toks)
    if m := lx.adjacent.at(toks, j):  # "2,000 followers with him": only right after the noun
        return lx.adjacent[m[0]], " ".join(m[0])
    k = j
    relative_left = 0
    n = min(n, j + _CLAUSE_REACH)
    while k < n:
        if lx.not_outcomes.at(toks, k):
            return None  # "remain unaccounted for", "caught up in": no outcome
        m = lx.after.at(toks, k)
        if m:
            if len(m[0]) == 1 and _takes_an_object(toks, m[1]):
                return None  # "two gunmen who killed 20 people": the count did the killing
            return _later_outcome(toks, m[1], lx.after[m[0]], " ".join(m[0]))
        low = toks[k].lower
        if low in lx.hypothetical and not (k + 1 < n and toks[k + 1].lower == "have"):
            return None  # "could be killed", "are about to die": not a reported outcome ("may have died" is)
        if low in lx.bridge:
            k += 1
            continue
        if low == "," and k + 1 < n and toks[k + 1].lower in lx.relative:  # ", who were later freed"
            k += 1
            continue
        if low == "," and (after := _parenthesis_end(toks, k + 1, n)):  # ", including ...,"
            k = after
            continue
        if (end := _qualifier_end(toks, k, n)) is not None:
            k = end
            continue
        if low in lx.relative and relative_left == 0:
            relative_left = lx.relative_max
            k += 1
            continue
        if relative_left > 0 and low not in (".", ";", ":", "!", "?"):
            # inside "who rushed toward the troops": skip to the main verb's auxiliary
            relative_left -= 1
            k += 1
            continue
        return None
    return None


def _qualifier_end(toks: list[Token], k: int, n: int) -> int | None:
    """The index after a phrase at k that qualifies the counted noun before its verb: a place ("civilians from
    Kuwait City are being rounded up") or a short phrase ("three staff members from the school were also
    injured", "113 people including children were injured"); None when there is none."""
    if toks[k].lower in _lex().join_preps and k + 1 < n and toks[k + 1].text[:1].isupper():
        k += 1
        while k < n and toks[k].text[:1].isupper():
            k += 1
        return k
    return _short_phrase_end(toks, k, n)


# The most words a short phrase between a counted noun and its verb may hold after its preposition and article
_SHORT_PHRASE_WORDS = 3


def _short_phrase_end(toks: list[Token], k: int, n: int) -> int | None:
    """The index after a short phrase opening at k that qualifies the counted noun, when the verb's auxiliary or
    the outcome word follows it ("from the school were also injured", "including children were injured"): an
    opener (short_phrase_openers), an article, and up to three words with no count among them."""
    lx = _lex()
    if toks[k].lower not in lx.inside_openers:
        return None
    j = k + 1
    if j < n and toks[j].lower in lx.articles:
        j += 1
    for end in range(j + 1, min(n, j + _SHORT_PHRASE_WORDS) + 1):
        if not toks[end - 1].text.isalpha() or not toks[end - 1].text.islower():
            return None  # a count, a name or punctuation: not a short qualifying phrase
        if end < n and (toks[end].lower in lx.bridge or lx.after.at(toks, end)):
            return end
    return None


def _takes_an_object(toks: list[Token], k: int) -> bool:
    """Whether the verb ending before token k has an object there: a count or an object word ("killed 20",
    "wounded dozens", "killed them"), so it is active."""
    if k >= len(toks):
        return False
    if toks[k].lower in _lex().active_objects:
        return True
    end = count_end(toks, k)
    # "30 injured 2 hours later": a span, not an object
    return end is not None and (end >= len(toks) or toks[end].lower not in unit_days())


def _parenthesis_end(toks: list[Token], k: int, n: int) -> int | None:
    """The index after the comma closing a parenthesis that opens at k ("including a foreign tourist and four
    police officers,"), or None: no opener there, or no closing comma before the sentence ends."""
    lx = _lex()
    if not lx.parenthetical.at(toks, k):
        return None
    for x in range(k + 1, min(n, k + lx.parenthetical_max + 1)):
        if toks[x].text == ",":
            return x + 1
        if toks[x].text in (".", ";", ":", "!", "?"):
            return None
    return None


def _later_outcome(toks: list[Token], k: int, outcome: str, cue: str) -> tuple[str, str]:
    """'rounded up and held': a second outcome joined after the first is where the people ended up."""
    lx = _lex()
    j = lx.sequence_join.at(toks, k)
    if j is None:
        return outcome, cue
    k = j[1]
    reach = min(len(toks), k + _CLAUSE_REACH)
    while k < reach and toks[k].lower in lx.bridge:
        k += 1
    m = lx.after.at(toks, k)
    # "killed and wounded" name one event twice; "wounded and later died" is a sequence all the same
    explicit = j[0] != ("and",)
    if m is None or (not explicit and frozenset((outcome, lx.after[m[0]])) in lx.simultaneous):
        return outcome, cue
    return lx.after[m[0]], f"{cue} and {' '.join(m[0])}"


def _outcome_before(toks: list[Token], q: Quantity, totals: bool = True) -> tuple[str, str, int] | None:
    """An outcome verb or noun right before the count ("killing scores", "the deaths of 12"), with the
    index of its first token; outcome 'inherit' for a running total ("the total climbed to 30")."""
    lx = _lex()
    i = q.first
    total = _running_total(toks, i) if totals else None  # totals: the sentence holds a toll or total word
    if total:
        return total
    label = _label(toks, i)
    if label:
        return label
    m = lx.before.ending(toks, i)
    if m is None and i > 0 and toks[i - 1].lower in grammar.words("definite_determiners"):
        m = lx.before.ending(toks, i - 1)  # "after they killed the four attackers"
    if m:
        return lx.before[m[0]], " ".join(m[0]), m[1]
    return None


def _label(toks: list[Token], i: int) -> tuple[str, str, int] | None:
    """A count labelled by an outcome word and a colon, as in tables and lists ("Dead: 180  Injured: 1,500"):
    the label is the count's outcome, whatever follows it."""
    if i < 2 or toks[i - 1].text != ":":
        return None
    lx = _lex()
    word = toks[i - 2].lower
    outcome = lx.nouns.get(word) or lx.after.get((word,))
    return (outcome, f"{word}:", i - 2) if outcome else None


def _total_phrase(toks: list[Token], noun: int, gap: list[int], count: int) -> bool:
    """Whether the words gap (token indices, right to left) that stand between a toll noun and its count are one
    phrase saying what the toll counts: "for both attacks" in "the toll for both attacks to 201", "at a
    university in northeastern Kenya" in "The death toll at a university in northeastern Kenya has reached 147"
    (the phrase ends at "to", or before the total's verb)."""
    lx = _lex()
    if not gap or (noun + 2 == count - 1 and _opens_earlier_aside(toks, count - 1)):
        return True  # nothing between, or only the opening of an aside: "the death toll, initially 10"
    return (
        len(gap) <= lx.total_phrase_max
        and gap[-1] == noun + 1
        and toks[noun + 1].lower in lx.total_phrase_starts
        and (
            toks[count - 1].lower in lx.total_phrase_ends
            or toks[gap[0] + 1].lower in lx.total_words
            or _opens_earlier_aside(toks, count - 1)
        )
    )


def _names_the_replaced(toks: list[Token], first: int) -> bool:
    """Whether the words right before a toll's count name it as the figure replaced ("revised down from 172")."""
    return _lex().superseded_before.ending(toks, first) is not None


def _opens_earlier_aside(toks: list[Token], k: int) -> bool:
    """Whether token k is the word opening ', initially 10,' (after a comma)."""
    return k >= 1 and toks[k].lower in _lex().total_earlier and toks[k - 1].text == ","


def _earlier_aside_start(toks: list[Token], k: int) -> int | None:
    """Reading back from the comma at k that closes ', initially 10,': the index of the comma opening it."""
    for x in range(k - 1, max(0, k - 6), -1):
        if _opens_earlier_aside(toks, x):
            return x - 1
        if toks[x].text in (",", ".", ";", ":"):
            return None
    return None


@cache
def _total_words() -> frozenset[str]:
    """The words one of which a running total needs in its sentence: toll and total nouns, total verbs."""
    lx = _lex()
    return lx.toll_nouns | lx.total_nouns | lx.total_verbs


def _running_total(toks: list[Token], i: int) -> tuple[str, str, int] | None:
    """'the death toll rose to 40', 'a toll of 40', 'the toll for both attacks to 201' (killed); 'the total may
    have climbed above 8,000', 'bringing the tally to 25' (the previous claim's outcome: 'inherit')."""
    lx = _lex()
    changed, counting, named = False, False, None
    gap: list[int] = []  # words outside the total's vocabulary: one phrase right after the toll noun, at most
    for back in _reading_back(toks, i, 9 + lx.total_phrase_max):
        if i - back < 0:
            return None
        word = toks[i - back].lower
        if word in lx.toll_nouns:
            if not _total_phrase(toks, i - back, gap, i):
                return None
            return named or "killed", word, i - back
        if gap:  # inside the phrase ("from the two blasts"): any word, up to the toll noun
            # "put the remaining number of foreign hostages at 10"; a phrase too long to be the toll's
            if (named_in := _counted_in(toks, i - back, gap, i, named)) or len(gap) >= lx.total_phrase_max:
                return named_in
            gap.append(i - back)
            continue
        if word in lx.total_verbs and back == 1 + (toks[i - 1].lower in lx.total_words):
            counting = True  # "the dead numbered 180", "numbered about 180"
            continue
        if word in lx.total_nouns:
            return _total_noun(toks, i - back, named, changed)
        outcome = lx.nouns.get(word) or lx.after.get((word,))
        if outcome and named is None:
            if counting:
                return outcome, word, i - back
            named = outcome
            continue
        if named and (word,) in lx.groups:
            continue
        if word not in lx.total_words:
            gap.append(i - back)  # the phrase starts here (read right to left); only a toll noun may end it
            continue
        changed = changed or word in lx.total_change
    return None


def _counted_in(
    toks: list[Token], noun: int, gap: list[int], count: int, named: str | None
) -> tuple[str, str, int] | None:
    """'the number of foreign hostages at 10': a total noun at noun whose "of" phrase (the words gap, right to
    left, with named the outcome already read nearer the count) names an outcome and ends in a phrase end ("at",
    "to") before the count: that outcome."""
    lx = _lex()
    if toks[noun].lower not in lx.total_nouns or gap[-1] != noun + 1 or toks[noun + 1].lower != "of":
        return None
    if toks[count - 1].lower not in lx.total_phrase_ends:
        return None
    if named:
        return named, toks[noun].lower, noun
    for k in reversed(gap):  # "the number of people killed in the attack at 20"
        if outcome := lx.nouns.get(toks[k].lower) or lx.after.get((toks[k].lower,)):
            return outcome, f"{toks[noun].lower} of {toks[k].lower}", noun
    return None


def _total_noun(toks: list[Token], k: int, named: str | None, changed: bool) -> tuple[str, str, int] | None:
    """A count read back to a total noun at k: its named outcome ("the number of dead had risen to 80"), the
    previous claim's when the total changed ("the total climbed to 30": 'inherit'), else not a total."""
    lx = _lex()
    if named:
        return named, toks[k].lower, k
    before = [t.lower for t in toks[max(0, k - 3) : k]]
    if changed or any(w in lx.total_change for w in before):
        return "inherit", toks[k].lower, k
    return None


def _reading_back(toks: list[Token], i: int, steps: int) -> Iterator[int]:
    """Distances back from token i, one per step, jumping over an earlier figure set off by commas ("the toll,
    initially 10, has risen to 14": from 14 back to 'toll' as if the aside were not there)."""
    back = 1
    for _ in range(steps):
        k = i - back
        if k >= 0 and toks[k].text == "," and (opening := _earlier_aside_start(toks, k)) is not None:
            back = i - opening + 1  # the token before the opening comma
        elif k >= 1 and (opening := _replaced_figure(toks, k)) is not None:
            back = i - opening + 1  # "rose from 10 to 14": from 14 back over "from 10" to the change verb
            continue
        yield back
        back += 1


def _replaced_figure(toks: list[Token], k: int) -> int | None:
    """When token k is a one-token figure named as the one replaced ("from 10", "an earlier figure of 32"): the
    index of the first word naming it."""
    t = toks[k]
    if not (t.text[:1].isdigit() or t.lower in number_words()):
        return None
    m = _lex().superseded_before.ending(toks, k)
    return m[1] if m else None


def _pending(toks: list[Token], i: int) -> str | None:
    """The word that makes an outcome at token i promised, threatened or demanded ("has agreed to allow all
    880 Soviets to leave", "threatened to kill"), if one stands a few tokens before it."""
    lx = _lex()
    for k in range(i - 1, max(-1, i - 1 - lx.pending_reach), -1):
        low = toks[k].lower
        if low in lx.pending:
            hedged_past = k + 1 < len(toks) and toks[k + 1].lower == "have"  # "may have killed"
            return None if hedged_past else low
        if low not in lx.pending_gap:
            return None
    return None


# --- one sentence ----------------------------------------------------------------------------------


class _Memo(dict):
    """A function of a token index, computed once per sentence: every count of a chain asks about its last."""

    def __init__(self, fn: Callable[[int], object]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, key: int) -> object:
        self[key] = value = self.fn(key)
        return value


@dataclass
class _Candidate:
    q: Quantity
    np: _NounPhrase
    chain_first: int  # index of the first candidate of its joined chain


def _joined(toks: list[Token], a_end: int, b_first: int) -> bool:
    """Whether only joining words (and a short prepositional phrase) separate two counted phrases."""
    lx = _lex()
    k = a_end
    if k < b_first and toks[k].lower in lx.join_preps:  # "several women in burqas and ..."
        k = min(k + 3, b_first)
        while k > a_end and toks[k - 1].lower not in lx.join.firsts:
            k -= 1
        if k == a_end:
            return False
        k -= 1
    between = tuple(t.lower for t in toks[k:b_first])
    if not between:
        return False
    return between in lx.join or all((w,) in lx.join for w in between)


def _preceded_by_join(toks: list[Token], i: int) -> bool:
    """Whether a joining phrase ("along with", "as well as") stands right before token i."""
    return _lex().join.ending(toks, i) is not None and toks[i - 1].lower != ","


@dataclass(frozen=True)
class _Runs:
    """For each candidate of a sentence, the index of the last count of the run it starts, each count right
    after the one before ("50 male and 30 female"), and running sums of the counts' values. Found once per
    sentence: reading the run again from each of its counts is quadratic."""

    ends: list[int]
    sums: list[int]


def _runs(toks: list[Token], cands: list[_Candidate]) -> _Runs:
    """The runs of a sentence's candidates, read once from the last."""
    ends = list(range(len(cands)))
    for k in range(len(cands) - 2, -1, -1):
        nxt = cands[k + 1].q
        if nxt.value_low is not None and nxt.first == _after_part(toks, cands[k].q):
            ends[k] = ends[k + 1]
    return _Runs(ends, [0, *accumulate(c.q.value_low or 0 for c in cands)])


def _after_part(toks: list[Token], q: Quantity) -> int:
    """Where the next part of a breakdown must start after the count q: "50 male and | 30 female"."""
    after = q.last
    if after < len(toks) and toks[after].lower in _lex().breakdown:
        after += 1
    return after + 1 if after < len(toks) and toks[after].lower in ("and", ",") else after


def _breakdown_parts(toks: list[Token], cands: list[_Candidate], i: int, runs: _Runs) -> int:
    """How many counts right after candidate i restate its total ("80 students, 50 male and 30 female")."""
    total = cands[i].q.value_low
    if total is None or cands[i].np.end >= len(toks) or toks[cands[i].np.end].lower != ",":
        return 0
    k = i + 1
    if k == len(cands) or cands[k].q.first != cands[i].np.end + 1 or cands[k].q.value_low is None:
        return 0
    parts, values = runs.ends[k] - i, runs.sums[runs.ends[k] + 1] - runs.sums[k]
    return parts if parts >= 2 and values <= total else 0


def _in_held_place(toks: list[Token], j: int, held: frozenset[str]) -> str | None:
    """The held place a counted noun phrase ending at token j is said to be in ("... are in Iraq and
    Kuwait"), if any."""
    lx = _lex()
    n = len(toks)
    while j < n and toks[j].lower in lx.place_links:
        j += 1
    if j >= n or toks[j].lower != "in":
        return None
    j += 1
    while j < n and toks[j].lower in lx.place_modifiers:
        j += 1
    names, name = [], []
    while j < n:
        if toks[j].text[:1].isupper():
            name.append(toks[j].lower)
        elif toks[j].lower in ("and", ",") and name:
            names.append(" ".join(name))
            name = []
        else:
            break
        j += 1
    names.append(" ".join(name))
    return next((x for x in names if x in held), None)


@cache
def _held_hint_re() -> re.Pattern[str]:
    """A cheap test before the held-place search (lower-cased text): a cue's last word followed by "in"."""
    last = sorted({c.split()[-1] for c in _lex().held_place_cues})
    return re.compile(r"\b(?:" + "|".join(map(re.escape, last)) + r")\s+in\b")


@cache
def _held_place_re() -> re.Pattern[str]:
    """'<held cue> in <Place>' ("trapped in Kuwait", "held hostage in the Lal Masjid")."""
    cues = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in sorted(_lex().held_place_cues, key=len, reverse=True))
    name = r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*"
    return re.compile(r"\b(?i:" + cues + r")\s+in\s+(?:the\s+)?(" + name + r"(?:(?:,\s*|\s+and\s+)" + name + r")*)")


_HELD_WORD_RE = re.compile(r"[\w'-]+")
_HELD_SPLIT_RE = re.compile(r",|\band\b")


def held_places(text: str) -> frozenset[str]:
    """Places (lower-cased names) where the text says people are held or trapped: the cue must follow a
    people noun ("Westerners trapped in Kuwait", "hostages being held in Grozny"), since talks and funerals
    are "held in" places too."""
    lx = _lex()
    out = set()
    for m in _held_place_re().finditer(text):
        lo = max(0, m.start() - 60)
        before = list(_HELD_WORD_RE.finditer(text[lo : m.start()]))
        while before and before[-1].group().lower() in lx.held_subject_gap:
            before.pop()
        # a capitalised word opening a sentence ("Talks were held in Geneva") says nothing
        opens = (
            not before
            or not text[lo : lo + before[-1].start()].strip()
            or text[lo : lo + before[-1].start()].rstrip()[-1] in ".!?\"'`"
        )
        if before and _people_word(before[-1].group(), opens):
            out.update(p.strip().lower() for p in _HELD_SPLIT_RE.split(m.group(1)) if p.strip())
    return frozenset(out)


def _people_word(word: str, opens_sentence: bool) -> bool:
    """A victim-group noun, or a capitalised plural inside a sentence, such as a nationality ("Americans")."""
    low = word.lower()
    return (low,) in _lex().groups or (not opens_sentence and word[:1].isupper() and low.endswith("s") and len(low) > 3)


def _of_frame(toks: list[Token], q: Quantity) -> bool:
    """Whether a count opens with 'Of the' ("Of the eight victims, ...")."""
    return (
        q.first >= 2
        and toks[q.first - 2].lower == "of"
        and toks[q.first - 1].lower in grammar.words("frame_determiners")
    )


def _of_breakdown(
    toks: list[Token], cands: list[_Candidate], i: int, after: _Memo
) -> tuple[int, str | None, str | None] | None:
    """'Of the eight victims, three were stabbed, ..., two were beaten to death and one ...', 'Of the 12 dead,
    eight were civilians and four soldiers': counts after 'Of the N <noun>,' that sum to N and name at most one
    outcome between them break it down. The parts are not coded (guideline: a breakdown codes the total); the
    total takes the parts' outcome if they name one. Parts with different outcomes ("150 were rescued and 50
    remain") are claims of their own. Returns (number of parts, outcome or None, cue or None). after: the
    sentence's outcomes after each token (see _outcome_after)."""
    c = cands[i]
    q = c.q
    if not _of_frame(toks, q) or q.value_low is None or q.value_low != q.value_high:
        return None
    k = c.np.end
    if k < len(toks) and (m := _lex().after.at(toks, k)):
        k = m[1]  # "Of the 12 dead,"
    if k >= len(toks) or toks[k].lower != ",":
        return None
    total, parts, outcomes = q.value_low, 0, []
    # by index, not a copy of the rest of the list for every frame; the scan stops once the parts reach the total
    for n in range(i + 1, len(cands)):
        p = cands[n]
        if p.q.value_low is None or p.q.value_low != p.q.value_high or total <= 0:
            break
        total -= p.q.value_low
        parts += 1
        if found := after[p.np.end]:
            outcomes.append(found)
    if total != 0 or parts < 2 or len({o for o, _ in outcomes}) > 1:
        return None
    return (parts, outcomes[0][0], outcomes[0][1]) if outcomes else (parts, None, None)


@dataclass
class _View:
    """One sentence as the claim rules read it: its tokens, counted phrases and what their rules ask, once."""

    text: str
    start: int
    end: int
    toks: list[Token]
    cands: list[_Candidate]
    chains: dict[int, list[_Candidate]]  # the counts of each joined chain, by its first candidate
    runs: _Runs
    after: _Memo  # token index -> outcome worded after it
    among: _Memo  # token index -> part cue after it ("among them")
    in_held: _Memo  # token index -> the held place it stands in
    held: frozenset[str]
    heading: str | None = None  # the outcome of a list heading the sentence opens an item of ("THE DEAD:")
    totals: bool = True  # whether the sentence holds a toll noun, total noun or total verb (a running total's)


@dataclass
class _Outcome:
    """What a count's wording says happened to the people, and which rule said it."""

    outcome: str
    cue: str
    how: str
    at: int  # first token of the outcome's wording: a pending word ("threatened to") stands before it


def sentence_claims(
    text: str,
    s_start: int,
    s_end: int,
    toks: list[Token] | None = None,
    context: Claim | None = None,
    held: frozenset[str] = frozenset(),
    heading: str | None = None,
) -> list[Claim]:
    """Claims in one sentence, scope left as 'event' (set by the caller). context: the claim just before the
    sentence, which a running total in it may count ("The total rose to 30"); held: places where the
    article says people are held (see held_places); heading: the outcome of the list heading whose item the
    sentence opens ("THE DEAD:", then "— 23 hostages, according to Algeria.")."""
    v = _view(text, s_start, s_end, toks if toks is not None else tokenize(text, s_start, s_end), held, heading)
    claims: list[Claim] = []
    skip_until = -1
    last_total: Claim | None = None  # the latest claim of role total, a part's whole
    for i, c in enumerate(v.cands):
        if i <= skip_until:
            continue
        parts = _breakdown_parts(v.toks, v.cands, i, v.runs)
        # the claim an ellipsis or a running total refers back to: the last total, not a part inside a
        # parenthesis ("80 people, including ... four police officers, were killed and 250 injured")
        prev = last_total or (claims[-1] if claims else None)
        claim, parts = _count_claim(v, i, c, parts, prev, context, last_total)
        if claim is None:
            continue
        claims.append(claim)
        last_total = claim if claim.role == "total" else last_total
        skip_until = i + parts  # a breakdown's parts are coded with their total, not as claims of their own
    return claims


def _view(
    text: str, s_start: int, s_end: int, toks: list[Token], held: frozenset[str], heading: str | None = None
) -> _View:
    """The sentence's counted phrases (rejected ones left out), chained where only joining words part them."""
    quantities = parse_quantities(toks, text)
    cands: list[_Candidate] = []
    wholes: dict[int, _NounPhrase] = {}
    for k, q in enumerate(quantities):
        np = _noun_phrase(toks, q, quantities[k + 1].first if k + 1 < len(quantities) else None, wholes)
        if _reject_reason(toks, q) or np.reject:
            continue
        first = len(cands)
        # "Of the 30 hostages, 12 were released": what follows the frame is a part, not a list item
        if cands and _joined(toks, cands[-1].np.end, q.first) and not _of_frame(toks, cands[-1].q):
            first = cands[-1].chain_first
        cands.append(_Candidate(q, np, first))
    chains: dict[int, list[_Candidate]] = {}
    for x in cands:
        chains.setdefault(x.chain_first, []).append(x)
    return _View(
        text, s_start, s_end, toks, cands, chains, _runs(toks, cands),
        _Memo(lambda j: _outcome_after(toks, j)), _Memo(lambda j: part_after(toks, j)),
        _Memo(lambda j: _in_held_place(toks, j, held)), held, heading,
        not _total_words().isdisjoint(t.lower for t in toks),
    )  # fmt: skip


def _count_claim(
    v: _View, i: int, c: _Candidate, parts: int, prev: Claim | None, context: Claim | None, last_total: Claim | None
) -> tuple[Claim | None, int]:
    """The claim of count i (None when its wording makes none), and how many counts after it are its breakdown.
    The rules, in the order they outrank each other:
    1. the outcome as worded: a breakdown's, a label's or 'the deaths of', after the counted phrase, before it;
    2. a running total takes the previous claim's outcome; a pending outcome is none, or still held;
    3. a noun that carries its outcome ('hostages') outranks a mere location; a list shares its verb;
    4. a part ('including 9 Britons') takes its whole's outcome; a count in a held place is held;
    5. the group: the noun's, an ellipsis's ('and 15 injured'), or a mass-violence cue's."""
    found, parts = _worded_outcome(v, i, c, parts)
    if found and found.outcome == "inherit":
        prev = prev or context  # a running total may count the people of the sentence before
    found = _adjusted_outcome(v, c, found, _noun_outcome(v, c), prev)
    if found is _NO_CLAIM:
        return None, parts
    part = (
        part_before(v.toks, v.cands[c.chain_first].q.first)
        or part_of_the(v.toks, c.q.last)
        or v.among[v.chains[c.chain_first][-1].np.end]
    )
    whole = last_total if part and part.whole_before else None
    if part and not found and (part.outcome or whole):
        # "195 dead, including 26 foreigners": a part shares its whole's outcome unless its frame names one
        found = _Outcome(part.outcome or whole.outcome, part.cue, "part", c.q.first)
    if not found:
        found = _held_place_outcome(v, c)
    if not found or _not_a_count(v, c):
        return None, parts
    return _claim(v, c, found, prev, part, whole), parts


_NO_CLAIM = _Outcome("", "", "", -1)  # the wording rules out a claim (a pending outcome, a total with nothing to count)


def _worded_outcome(v: _View, i: int, c: _Candidate, parts: int) -> tuple[_Outcome | None, int]:
    """Rule 1: the outcome the words around the count name, and the breakdown parts after it. A list heading's
    outcome ("THE DEAD:") comes first for the item's first count, as a label does."""
    if v.heading and i == 0 and c.chain_first == 0:
        return _Outcome(v.heading, "heading", "label", c.q.first), parts
    last = v.chains[c.chain_first][-1]
    first = v.cands[c.chain_first].q.first
    before = _outcome_before(v.toks, v.cands[c.chain_first].q, v.totals)
    split = _of_breakdown(v.toks, v.cands, i, v.after)
    if split:
        parts = split[0]
    if split and split[1]:
        return _Outcome(split[1], split[2], "breakdown", first), parts
    if before and (before[1].endswith(" of") or before[1].endswith(":")):
        # "the slayings of 14 women remain unsolved": the verb after belongs to "slayings"; "Dead: 180"
        return _Outcome(before[0], before[1], "before", before[2]), parts
    if before and _in_a_relative_clause(v.toks, before[2]):
        # "two gunmen who killed 20 people were arrested": the verb after belongs to the gunmen
        return _Outcome(before[0], before[1], "before", before[2]), parts
    # its own verb, else its own adjective ("six dead foreigners and seven injured"), else its list's verb
    after = v.after[c.np.end] or (None if c.np.attributive or _dead_noun(c) else v.after[last.np.end])
    if after is None and _appositive_count(v, c):
        after = v.after[c.np.end + 1]  # "Nearly all the rebels, 34, were killed": past the closing comma
    if after and before and after[0] == "present" and before[0] != "present":
        # "Troops killed 20 militants inside the mosque": the verb before names what befell them, "inside" where
        return _Outcome(before[0], before[1], "before", before[2]), parts
    if after:
        return _Outcome(after[0], after[1], "after", first), parts
    if c.np.attributive:  # "Police found six dead foreigners"
        return _Outcome(*c.np.attributive, "attributive", first), parts
    if before:
        return _Outcome(before[0], before[1], "before", before[2]), parts
    return None, parts


def _appositive_count(v: _View, c: _Candidate) -> bool:
    """Whether the count stands alone between commas right after a plural group noun ("Nearly all the rebels, 34,
    were killed"): no noun of its own, a comma before it and one after it. Not after a name or a singular: "John
    Smith, 34, was killed" and "The victim, 34, was killed" give an age."""
    first, end = c.q.first, c.np.end
    return (
        first >= 2
        and end == c.q.last
        and v.toks[first - 1].text == ","
        and end + 1 < len(v.toks)
        and v.toks[end].text == ","
        and v.toks[first - 2].lower.endswith(tuple(grammar.words("plural_endings")))
        and _lex().groups.ending(v.toks, first - 1) is not None
    )


def _dead_noun(c: _Candidate) -> bool:
    """Whether the count's own noun says its people died ("25 lives"): a list's verb after it ("It cost 25 lives
    and 100 injured") is the other items'."""
    return _lex().nouns.get(c.np.head or "") == "killed"


def _in_a_relative_clause(toks: list[Token], verb: int) -> bool:
    """Whether the outcome verb at index verb opens a relative clause ("who killed", "that had wounded")."""
    lx = _lex()
    for k in range(verb - 1, max(-1, verb - 3), -1):
        if toks[k].lower in lx.relative:
            return True
        if toks[k].lower not in lx.bridge:
            return False
    return False


def _noun_outcome(v: _View, c: _Candidate) -> str | None:
    """The outcome the counted noun carries ('hostages', 'lives'), unless a verb before undoes it ('save 20 lives')."""
    lx = _lex()
    outcome = lx.nouns.get(c.np.head or "")
    first = v.cands[c.chain_first].q.first
    if outcome and any(t.lower in lx.negating for t in v.toks[max(0, first - 2) : first]):
        return None  # "save a few more lives"
    return outcome


def _adjusted_outcome(
    v: _View, c: _Candidate, found: _Outcome | None, noun_outcome: str | None, prev: Claim | None
) -> _Outcome | None:
    """Rules 2 and 3: running totals, pending outcomes, nouns that carry their outcome, lists sharing a verb."""
    if found and found.outcome == "inherit":
        # a running total counts the people of the claim before it, in this sentence or the last
        if prev is None:
            return _NO_CLAIM
        found = _Outcome(prev.outcome, found.cue, "total", found.at)
    pending = _pending(v.toks, found.at) if found and found.how in ("after", "before") else None
    if found and pending:
        if found.outcome == "freed":  # a promised release: still held (or captured, for "prisoners")
            found = _Outcome(noun_outcome or "held", found.cue, f"pending {pending}", found.at)
        elif noun_outcome:  # "threatened to kill 20 hostages": hostages all the same
            found = _Outcome(noun_outcome, c.np.head, f"noun (pending {pending})", found.at)
        else:
            return _NO_CLAIM
    # a noun that carries its outcome ("hostages") outranks a mere location ("inside")
    if noun_outcome and (not found or (found.outcome == "present" and noun_outcome != "present")):
        found = _Outcome(noun_outcome, c.np.head, "noun", c.q.first)
    if not found and prev and _preceded_by_join(v.toks, c.q.first):
        # "around 100 militants were inside ... along with 300-400 women": the list shares the verb
        found = _Outcome(prev.outcome, "list", "inherited", c.q.first)
    return found


def _held_place_outcome(v: _View, c: _Candidate) -> _Outcome | None:
    """Rule 4, last: '2,500 Americans in occupied Kuwait', after 'Westerners trapped in Kuwait', are held."""
    if not v.held or c.np.group not in (None, "unspecified", "civilians"):
        return None
    place = v.in_held[c.np.end] or v.in_held[v.chains[c.chain_first][-1].np.end]
    return _Outcome("held", f"in {place}", "place", c.q.first) if place else None


def _not_a_count(v: _View, c: _Candidate) -> bool:
    """'one' needs a group noun or a proper noun naming people ("one Briton"): 'one of', 'no one' are not
    claims."""
    if c.q.text.lower() != "one":
        return False
    if c.q.first and v.toks[c.q.first - 1].lower == "no":
        return True
    if c.q.last < len(v.toks) and v.toks[c.q.last].lower == "of":
        return True  # "one of the city's best-known destinations", "one of the MEPs"
    named = c.q.last < len(v.toks) and v.toks[c.q.last].text[:1].isupper()
    return c.np.group is None and not named


def _group_of(v: _View, c: _Candidate, prev: Claim | None, found: _Outcome) -> tuple[str, str | None, str]:
    """Rule 5: (group, the words naming it, the rule): the noun's, else a group noun inside the total phrase
    before the count ('the number of foreign hostages at 10'), else an ellipsis takes the claim before's ('20
    militants were killed ... and 15 injured', 'six others'), else unspecified; a mass-violence cue before the
    count makes unspecified people civilians."""
    lx = _lex()
    group, group_text, rule = c.np.group, None, "partitive" if c.np.partitive else "noun"
    if c.np.text_start is not None:
        group_text = v.text[v.toks[c.np.text_start].start : v.toks[c.np.text_end - 1].end]
    if group is None and found.how == "before" and (named := _group_in(v.toks, found.at, c.q.first)):
        group, group_text, rule = *named, "total phrase"
    if group is None and _appositive_count(v, c):
        m = lx.groups.ending(v.toks, c.q.first - 1)  # "the rebels, 34, were killed"
        group, group_text, rule = lx.groups[m[0]], " ".join(m[0]), "appositive"
    if group is None or (c.np.head in lx.anaphoric and prev):
        if prev:
            group, group_text, rule = prev.group, prev.group_text, "inherited"
        else:
            group, rule = "unspecified", "none"
    if group == "unspecified" and lx.civilian_cues.ending(v.toks, v.cands[c.chain_first].q.first):
        group, rule = "civilians", "mass-violence cue"
    return group, group_text, rule


def _group_in(toks: list[Token], lo: int, hi: int) -> tuple[str, str] | None:
    """(group, its words) of the first group noun among tokens lo..hi-1 that ends its noun phrase (a total word,
    a phrase end or an outcome word follows: "the number of foreign hostages at 10", "the toll among soldiers
    rose"; not "terrorist" in "terrorist attacks"), else None."""
    lx = _lex()
    for k in range(lo, hi):
        if (m := lx.groups.at(toks, k, hi)) and m[1] < len(toks):
            nxt = toks[m[1]].lower
            if nxt in lx.total_words or nxt in lx.total_phrase_ends or (nxt,) in lx.after:
                return lx.groups[m[0]], " ".join(t.text for t in toks[k : m[1]])
    return None


def _claim(v: _View, c: _Candidate, found: _Outcome, prev: Claim | None, part, whole: Claim | None) -> Claim:
    """The Claim of a count, its rule trace naming every rule that decided it."""
    group, group_text, group_rule = _group_of(v, c, prev, found)
    return Claim(
        start=c.q.start,
        end=c.q.end,
        quantity_text=c.q.text,
        sentence_start=v.start,
        sentence_end=v.end,
        value_low=c.q.value_low,
        value_high=c.q.value_high,
        qualifier=c.q.qualifier,
        outcome=found.outcome,
        group=group,
        group_text=group_text,
        scope="event",
        rule=f"outcome:{found.how}:{found.cue}|group:{group_rule}"
        + ("|joined" if len(v.chains[c.chain_first]) > 1 else "")
        + (f"|role:part ({part.cue})" if part else ""),
        role="part" if part else "total",
        subset_text=_subset_text(v.text, v.toks, c, part, group_text),
        part_of=whole.start if whole else None,
        group_from_whole=group_rule == "partitive",
        by_toll_word=_names_a_toll(found),
        superseded=found.how in ("before", "total") and _names_the_replaced(v.toks, v.cands[c.chain_first].q.first),
    )


def _subset_text(text: str, toks: list[Token], c: _Candidate, part, group_text: str | None) -> str | None:
    """The words naming a part's subset: the frame's, else the counted noun phrase's ('Indonesians')."""
    if not part:
        return None
    if part.subset:
        return part.subset
    if c.np.text_start is not None:  # the count's own words, not a group inherited from the claim before
        return text[toks[c.np.text_start].start : toks[c.np.text_end - 1].end]
    if group_text:
        return group_text
    if c.np.end > c.q.last:
        words = text[toks[c.q.last].start : toks[c.np.end - 1].end].strip(" ,")
        return words or None
    return None


# --- scope -----------------------------------------------------------------------------------------


def _contains(seq: tuple[str, ...], phrase: Phrase) -> bool:
    """Whether the token sequence holds the phrase (joined with spaces, padded, so whole tokens match)."""
    return f" {' '.join(phrase)} " in _padded(seq)


@lru_cache(maxsize=64)
def _padded(seq: tuple[str, ...]) -> str:
    return f" {' '.join(seq)} "


@cache
def _place_re() -> re.Pattern[str]:
    """'<place noun> of <Name>': a named place."""
    nouns = "|".join(sorted(_lex().place_nouns))
    return re.compile(r"\b(" + nouns + r") of ([A-Z][\w-]+(?:[ -][A-Z][\w-]+)*)")


def classify_scope(
    text: str,
    claim: Claim,
    published_on: date,
    event_start: datetime,
    event_end: datetime,
    times: Sequence[TimeExpr] = (),
    places: Sequence[str] = (),
    words: tuple[str, ...] | None = None,
    times_within: Callable[[int, int], Sequence[TimeExpr]] | None = None,
) -> tuple[str, str]:
    """(scope, cue) of the claim's sentence: other place / time expressions / cue phrases / publication date, else
    event (a rate is read per count, by _with_rate).
    words: the sentence's lower-cased tokens, when the caller has them; times_within(start, end): the document's
    times in a span, for the sentence before one that carries on its story."""
    sentence = text[claim.sentence_start : claim.sentence_end]
    if words is None:
        words = tuple(t.lower for t in tokenize(sentence))
    # "in the northwestern city of Peshawar": a named place that is not the event's
    known = {p.lower() for p in places}
    longest = max((len(p.split()) for p in known), default=0)  # no longer run of capitals can name one
    for m in _place_re().finditer(sentence):
        names = m.group(2).replace("-", " ").split()  # not `words`: the sentence's tokens are read below
        # "the city of Santa Eugenia Friday": the longest run of capitals that names an event place
        if not any(" ".join(names[:k]).lower() in known for k in range(min(len(names), longest), 0, -1)):
            return "other", f"place:{m.group(2)}"
    back = span_back(text, claim.start, claim.sentence_start, times)
    if (span := _earlier_incident(text, back, published_on, event_start)) is not None:
        return "prior", f"span:{span}"
    own = [t for t in times if claim.sentence_start <= t.start < claim.sentence_end]
    earlier = (
        times_within
        and not any(t.timex_type != "DURATION" for t in own)  # "After several hours": no date of its own
        and _continued_from_earlier(text, claim, words, times_within, published_on, event_start)
    )
    if earlier:
        return "prior", f"continued:{earlier}"
    for t in own:
        if _dates_the_report(text, claim, t) or not _ends_before(t, published_on, event_start):
            continue
        before = text[max(claim.sentence_start, t.start - 7) : t.start].lower()
        if "since" in before:
            return "cumulative", f"since:{text[t.start : t.end]}"
        return "prior", f"time:{text[t.start : t.end]}"
    lasted = incident_span(text, claim.start, claim.sentence_start, times)
    if (span := _earlier_incident(text, lasted, published_on, event_start)) is not None:
        return "prior", f"incident span:{span}"
        # a time after the event ("police said at first light on Friday", "by Sunday the toll had reached
        # 200") dates the report, not the incident: a toll of the focal incident stays 'event' however late
    if cue := _scope_cue(words):
        return cue
    if published_on < event_start.date():
        return "prior", "published before the event"
    return "event", "default"


_CONTINUATION_REACH = 600  # characters before a sentence searched for the one it carries on from


def _continued_from_earlier(
    text: str,
    claim: Claim,
    words: tuple[str, ...],
    times_within: Callable[[int, int], Sequence[TimeExpr]],
    published_on: date,
    event_start: datetime,
) -> str | None:
    """The earlier time of the sentence before, when this one carries on its story ("They also kidnapped ...",
    or "the situation" after "yesterday's hostage situation") and has no date of its own; None otherwise."""
    lx = _lex()
    opens = any(words[: len(p)] == p for p in lx.continuation_openers)
    referred = {w for k, w in enumerate(words[1:], 1) if w in lx.referring_incidents and words[k - 1] == "the"}
    if not opens and not referred:
        return None
    before = sentences(text, max(0, claim.sentence_start - _CONTINUATION_REACH), claim.sentence_start)
    if not before:
        return None
    s, e = before[-1]
    if not opens and referred.isdisjoint(_WORD_RE.findall(text[s:e].lower())):
        return None  # "the situation" with no situation named in the sentence before
    for t in times_within(s, e):
        if _ends_before(t, published_on, event_start):
            return text[t.start : t.end]
    return None


def _ends_before(t: TimeExpr, published_on: date, event_start: datetime) -> bool:
    """Whether the time ends before the event starts: its resolved end, or for a vague "several months ago" the
    publication day less the least span it says."""
    if t.ends_at is not None:
        return t.ends_at <= event_start
    days = vague_ago_days(t)
    return days is not None and days > 0 and published_on - timedelta(days=days) < event_start.date()


def _dates_the_report(text: str, claim: Claim, t: TimeExpr) -> bool:
    """Whether the time is introduced as when the figure was current ("as of midnight", "until Sunday")."""
    before = tuple(x.lower for x in tokenize(text, max(claim.sentence_start, t.start - 12), t.start))
    return any(before[-len(p) :] == p for p in _lex().report_time_openers)


def _earlier_incident(
    text: str, found: tuple[TimeExpr, int] | None, published_on: date, event_start: datetime
) -> str | None:
    """The span's text when a span found before the count (spans.span_back, spans.incident_span) reaches back to
    an incident that began well before the event ("almost three years after the blasts which killed 202", "after
    an eight-day siege which had itself cost 24 lives"); None otherwise ("a month after the bombings", written a
    month later, is the event's own)."""
    if found is None or not began_well_before(found[1], published_on, event_start):
        return None
    return text[found[0].start : found[0].end]


def _scope_cue(words: tuple[str, ...]) -> tuple[str, str] | None:
    """(scope, cue) from a cumulative or earlier-phase cue anywhere in the sentence."""
    lx = _lex()
    for scope, phrases in (("cumulative", lx.cumulative), ("prior", lx.prior)):
        for phrase in phrases:
            if _contains(words, phrase) and (
                scope == "cumulative" or any(not _names_an_earlier_figure(words, end) for end in _ends(words, phrase))
            ):
                return scope, "cue:" + " ".join(phrase)
    return None


def _ends(words: tuple[str, ...], phrase: Phrase) -> Iterator[int]:
    """The index after each place the phrase stands in words."""
    n = len(phrase)
    return (k + n for k in range(len(words) - n + 1) if words[k : k + n] == phrase)


def _names_an_earlier_figure(words: tuple[str, ...], end: int) -> bool:
    """Whether a prior cue ending at end speaks of an earlier figure ("the previous death toll of 76", "was
    previously reported as 93"), not an earlier phase."""
    return any(w in _lex().earlier_figure for w in words[end : end + 3])


def rate_after(text: str, claim: Claim) -> str | None:
    """The rate right after a count's noun ("kills about 4 million people a year"), never a clause away: such a
    count is no incident's toll. Read per count, not per sentence."""
    lx = _lex()
    after = tuple(t.lower for t in tokenize(text, claim.end, min(claim.sentence_end, claim.end + 64)))[:_RATE_REACH]
    return next((" ".join(phrase) for phrase in lx.rates if _contains(after, phrase)), None)


def _with_rate(text: str, claim: Claim, scope: tuple[str, str]) -> tuple[str, str]:
    """A sentence's scope for one of its counts: 'other' for a rate, unless a place or a time already put the
    sentence outside the event (those outrank the words)."""
    if scope[1].startswith(("place:", "since:", "time:")):
        return scope
    rate = rate_after(text, claim)
    return ("other", f"rate:{rate}") if rate else scope


# --- a document ------------------------------------------------------------------------------------


@cache
def _candidate_re() -> re.Pattern[str]:
    """Digits or a number word (in lower-cased text): where a count may start."""
    words = sorted(number_words(), key=len, reverse=True)
    return re.compile(r"\d|\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")


@cache
def _outcome_words() -> frozenset[str]:
    """Every content word of an outcome phrase: a line without one holds no claim (a fast pre-filter)."""
    return frozenset(_phrase_filter().phrases_of) | _phrase_filter().alone


@dataclass(frozen=True)
class _PhraseFilter:
    """The sentence pre-filter: the words that are an outcome phrase (or toll word) by themselves, and for every
    other content word the multi-word phrases holding it, as padded runs of letters-only words (" with him "). A
    sentence whose only such words stand in none of their phrases ("held a meeting for them") holds no claim."""

    alone: frozenset[str]
    phrases_of: dict[str, tuple[str, ...]]

    def passes(self, words: list[str]) -> bool:
        """Whether a sentence's letters-only words (in order) hold a whole outcome phrase or a word that is one."""
        if not self.alone.isdisjoint(words):
            return True  # a word that is a phrase by itself
        hits = {w for w in words if w in self.phrases_of}
        if not hits:
            return False
        padded = f" {' '.join(words)} "
        return any(p in padded for w in hits for p in self.phrases_of[w])


@cache
def _phrase_filter() -> _PhraseFilter:
    raw = lexicon.load("claims")
    stop = set(raw["prefilter_stopwords"])
    phrases = [
        _WORD_RE.findall(phrase.lower())
        for forms in raw["outcomes"].values()
        for key in ("after", "adjacent", "before", "nouns")
        for phrase in forms.get(key, [])
    ]
    totals = set(raw["toll_nouns"]) | set(raw["total_nouns"])
    alone = {p[0] for p in phrases if len(p) == 1} | (totals - set(raw["prefilter_stopwords_totals"]))
    phrases_of: dict[str, set[str]] = {}
    for p in phrases:
        for w in p:
            if len(p) > 1 and w not in stop and w not in alone:
                phrases_of.setdefault(w, set()).add(f" {' '.join(p)} ")
    return _PhraseFilter(frozenset(alone), {w: tuple(sorted(ps)) for w, ps in phrases_of.items()})


# How far (characters) a count may stand from its outcome word in one clause: the pre-filter's window.
# Generous: "Some 20 children who rushed toward the advancing troops were brought to safety" spans 75.
_REACH = 200

# one pass of a simple word pattern and a set lookup beats a long alternation over a whole text
_WORD_RE = re.compile(r"[a-z]+")


def extract(
    text: str,
    skip: Sequence[tuple[int, int]] = (),
    published_on: date | None = None,
    event_start: datetime | None = None,
    event_end: datetime | None = None,
    times: Sequence[TimeExpr] = (),
    places: PlaceMap | Sequence[str] = (),
) -> list[Claim]:
    """All claims of a raw text, skipping furniture spans; scope set when the event window is given; places:
    the event's place names (or a mapping of names and aliases to canonical places, see analysis.extract.places)."""
    out: list[Claim] = []
    low = text.lower()
    cand, words = _candidate_re(), _outcome_words()
    held = held_places(text) if _held_hint_re().search(low) else frozenset()
    doc = _Text(text, low, SpanIndex(skip), _Hints(times), held, published_on, event_start, event_end, places)
    if held:  # a count in a held place needs no outcome word
        words = words | {w for p in held for w in p.split()}
    # only lines with a count near an outcome word (both within one clause's reach) are split into
    # sentences and tokenized; a line's words are checked as a set first, which rules out most lines
    line_start = 0
    headings = _list_headings(low) if ":\n" in low else {}
    outcomes: set[str] = set()  # the outcomes of the claims found so far, kept by _line_claims
    for line in low.split("\n"):
        line_end = line_start + len(line)
        heading = headings.get(line_start)
        if (heading and cand.search(low, line_start, line_end)) or (
            not words.isdisjoint(_WORD_RE.findall(line))
            and any(
                m.group() in words
                and cand.search(low, max(line_start, m.start() - _REACH), min(line_end, m.end() + _REACH))
                for m in _WORD_RE.finditer(low, line_start, line_end)
            )
        ):
            out.extend(_line_claims(doc, line_start, line_end, outcomes, heading))
        line_start = line_end + 1
    return _subsets(_resolve_groups(_tie_places(text, out, place_map(places)), low), text, low)


# A list heading: a line that is only an outcome word and a colon ("THE DEAD:", "Injured:"); the list items after
# it open with one of these marks, blank lines between them allowed.
_HEADING_RE = re.compile(r"[ \t]*(?:the[ \t]+)?([a-z]+)[ \t]*:[ \t]*")
_ITEM_MARKS = ("—", "–", "-", "•", "*")


def _list_headings(low: str) -> dict[int, str]:
    """The start of each list item line under a heading that names an outcome, with that outcome: "THE DEAD:",
    then "— 32 Islamist militants, according to the Algerian government." (low: the lower-cased text)."""
    lx = _lex()
    out: dict[int, str] = {}
    outcome = None
    start = 0
    for line in low.split("\n"):
        stripped = line.strip()
        if m := _HEADING_RE.fullmatch(line):
            outcome = lx.nouns.get(m[1]) or lx.after.get((m[1],))
        elif outcome and stripped.startswith(_ITEM_MARKS):
            out[start] = outcome
        elif stripped:
            outcome = None  # any other line ends the list
        start += len(line) + 1
    return out


def _increments(doc: _Text, toks: list[Token], claims: list[Claim], outcomes_before: set[str]) -> list[Claim]:
    """Counts of one sentence that add to a toll since an earlier figure become parts (docs/claims-coding.md,
    increments): 'nine more bodies', after or beside a count of the same outcome (not when 'more' refers to the group of
    a count of another outcome just before: 'killed three soldiers and wounded six more'; nor 'a further 200
    people are being treated' when no injured count came before: more than the dead), 'after nine bodies were
    recovered' beside a larger toll of the same outcome (its whole), and a count over a recent period that began
    after the event's first day. Its whole is a toll of the sentence it adds to ('bringing the toll to 201').
    outcomes_before: the outcomes of the document's claims before the sentence."""
    if not claims:
        return claims
    starts = [t.start for t in toks]
    spans = [(bisect.bisect_left(starts, c.start), bisect.bisect_left(starts, c.end)) for c in claims]
    words = [t.lower for t in toks]
    seen = set(outcomes_before)  # the outcomes of the counts before this one
    out = list(claims)
    larger = _LargerTotal(claims)
    for n, c in enumerate(claims):
        if c.role == "total":
            out[n] = _increment(doc, toks, words, claims, spans, n, seen, larger) or c
        seen.add(c.outcome)
    return out


def _increment(
    doc: _Text,
    toks: list[Token],
    words: list[str],
    claims: list[Claim],
    spans: list,
    n: int,
    seen: set[str],
    larger: _LargerTotal,
) -> Claim | None:
    """Claim n of its sentence as an increment (a part), or None. The sentence's larger toll is looked for only
    once a cue is found: a hostile sentence of thousands of counts stays linear."""
    c, (first, last) = claims[n], spans[n]
    if word := increment_word(toks, first, last):
        if n and claims[n - 1].outcome != c.outcome:
            return None  # "wounded six more": more of the soldiers just counted, not more wounded
        if c.outcome not in seen and larger.first(c) is None:
            return None  # no count before it, nor a larger one beside it, that it could add to
        toll = larger.toll(c)  # its whole: "bringing the toll to 201", not "adding to the more than 100"
        return _as_increment(c, word, toll, f"'{word}'")
    if found_after_opener(toks, first, last) and (whole := larger.first(c)) is not None:
        return _as_increment(c, "bodies found", whole, "bodies found beside a larger toll")
    if (period := _recent_period_of(doc, toks, words, spans, n)) and not c.by_toll_word:
        return _as_increment(c, period, larger.toll(c), f"over '{period}'")
    return None


def _as_increment(c: Claim, subset: str, whole: Claim | None, why: str) -> Claim:
    part_of = None if whole is None else whole.start
    return replace(c, role="part", subset_text=subset, part_of=part_of, rule=f"{c.rule}|role:part (increment: {why})")


class _LargerTotal:
    """A sentence's totals by outcome, for the first one larger than a count (the toll an increment adds to),
    found by bisection over running maxima: thousands of counts in one sentence stay n log n."""

    def __init__(self, claims: list[Claim]) -> None:
        self.totals: dict[str, list[Claim]] = {}
        self.highest: dict[str, list[int]] = {}  # the running maximum of value_low over each outcome's totals
        for c in claims:
            if c.role == "total" and c.value_low is not None:
                self.totals.setdefault(c.outcome, []).append(c)
                run = self.highest.setdefault(c.outcome, [])
                run.append(max(c.value_low, run[-1]) if run else c.value_low)

    def first(self, c: Claim) -> Claim | None:
        """The sentence's first total of c's outcome whose low bound exceeds c's high bound, else None."""
        run = self.highest.get(c.outcome)
        if not run or c.value_high is None:
            return None
        k = bisect.bisect_right(run, c.value_high)
        return self.totals[c.outcome][k] if k < len(run) else None

    def toll(self, c: Claim) -> Claim | None:
        """first(c) when its outcome came from a toll or total word ("bringing the toll to 201"), else None."""
        whole = self.first(c)
        return whole if whole is not None and whole.by_toll_word else None


def _recent_period_of(
    doc: _Text, toks: list[Token], words: list[str], spans: list[tuple[int, int]], n: int
) -> str | None:
    """The words of a recent period in claim n's reach (not past the counts beside it) that began after the
    event's first day ('in the last 24 hours', three days after it), else None."""
    if doc.published_on is None or doc.event_start is None:
        return None
    lo = spans[n - 1][1] if n else 0
    hi = spans[n + 1][0] if n + 1 < len(spans) else len(toks)
    found = recent_period(toks, words, *spans[n], lo, hi, unit_days())
    if found is None or doc.published_on - timedelta(days=found[1]) <= doc.event_start.date():
        return None
    return found[0]


# the outcome rules (_Outcome.how) that read the words before a count, where a toll word stands
_WORDS_BEFORE_RULES = frozenset({"before", "total"})


def _names_a_toll(found: _Outcome) -> bool:
    """Whether an outcome came from a toll or total word ('the toll rose to 68 in the past day')."""
    lx = _lex()
    return found.how in _WORDS_BEFORE_RULES and not (lx.toll_nouns | lx.total_nouns).isdisjoint(found.cue.split())


def _subsets(claims: list[Claim], text: str, low: str) -> list[Claim]:
    """A count of victims named by who they are ("Two Britons were injured", "9,000 Soviets", "Two others, a
    Briton and an Algerian, died") is a part when the article gives a larger count of the same outcome; its whole
    is the nearest such count (before first). Without one, a count of the dead or injured after the article
    names an incident is still a part, of that incident's toll (part_of unknown). low: the lower-cased text."""
    out = list(claims)
    incident = first_incident(low)
    totals: dict[str, list[int]] = {}  # candidate wholes of a subset, by outcome
    for i, c in enumerate(claims):
        if c.role == "total" and c.value_low is not None:
            totals.setdefault(c.outcome, []).append(i)
    larger = {outcome: _Larger(idx, [claims[i].value_low for i in idx]) for outcome, idx in totals.items()}
    for i, c in enumerate(claims):
        if c.role == "total" and c.group in VICTIM_GROUPS and (named := _named_in_apposition(text, c)):
            c = replace(c, group_text=named)  # "Two others, a Briton and an Algerian,": who they are
        if c.role != "total" or not (names_a_subset(c.group_text) or _victims_by_nationality(c)):
            continue
        found = larger[c.outcome].nearest(i, c.value_low) if c.outcome in larger and c.value_low is not None else None
        whole = None if found is None else claims[found]
        # an armed group named by who they are ('20 Taliban') is that group's own total, not a subset of victims
        if whole is not None or (
            c.group in VICTIM_GROUPS and whole_is_implied(c.outcome, incident is not None and incident < c.sentence_end)
        ):
            out[i] = replace(
                c,
                role="part",
                subset_text=c.group_text,
                part_of=None if whole is None else whole.start,
                rule=f"{c.rule}|role:part (subset of a {'larger' if whole else 'implied'} count)",
            )
    return out


def _named_in_apposition(text: str, c: Claim) -> str | None:
    """The appositive naming who the people of the count are, right after it, when its noun names nobody in
    particular ("Two others, a Briton and an Algerian, died"; "others", "people" or none), else None."""
    if c.group_text is not None and c.group_text.lower() not in _lex().anaphoric | {"people"}:
        return None
    # a cheap look first: a comma close after the count, then an article or a number and a capital
    comma = text.find(",", c.end, c.end + 30)
    after = text[comma + 1 : comma + 40].split()[:2] if comma >= 0 else []
    if (
        len(after) < 2
        or not after[1][:1].isupper()
        or not (after[0][:1].isdigit() or after[0].lower() in _appositive_starts())
    ):
        return None
    return appositive_names(tokenize(text, c.end, min(len(text), c.end + 200)))


@cache
def _appositive_starts() -> frozenset[str]:
    """The words that may open an appositive's item: "a", "an", "one" and the number words."""
    return frozenset(grammar.words("one_person")) | frozenset(number_words())


def _victims_by_nationality(c: Claim) -> bool:
    """'eight dead Israeli hostages': victims (not an armed group) whose noun a capitalised word qualifies are
    picked out by who they are."""
    words = (c.group_text or "").split()
    if c.scope not in (None, "event") or c.place is not None:
        return False  # "three Chinese workers" shot in another city: that incident's; a place's count is a total
    return c.group in VICTIM_GROUPS and len(words) >= 2 and any(w[:1].isupper() for w in words[:-1])


class _Larger:
    """Values at increasing positions, asked for the nearest position before (else after) a given one whose value
    is larger than a given value, in log time: a max tree, searched from the side nearest the position. Scanning
    every total for every subset count is quadratic."""

    def __init__(self, positions: list[int], values: list[int]) -> None:
        self.positions = positions
        self.size = 1 << max(len(values) - 1, 0).bit_length()
        none = float("-inf")
        self.tree = [none] * self.size + values + [none] * (self.size - len(values))
        for node in range(self.size - 1, 0, -1):
            self.tree[node] = max(self.tree[2 * node], self.tree[2 * node + 1])

    def nearest(self, position: int, value: int) -> int | None:
        """The position nearest before position with a larger value, else the nearest after it."""
        k = self._last(1, 0, self.size, bisect.bisect_left(self.positions, position), value)
        if k is None:
            k = self._first(1, 0, self.size, bisect.bisect_right(self.positions, position), value)
        return None if k is None else self.positions[k]

    def _last(self, node: int, lo: int, hi: int, stop: int, value: int) -> int | None:
        """The last index below stop, within lo..hi (node's range), whose value exceeds value."""
        if lo >= stop or self.tree[node] <= value:
            return None
        if hi - lo == 1:
            return lo
        mid = (lo + hi) // 2
        right = self._last(2 * node + 1, mid, hi, stop, value)
        return right if right is not None else self._last(2 * node, lo, mid, stop, value)

    def _first(self, node: int, lo: int, hi: int, start: int, value: int) -> int | None:
        """The first index from start on, within lo..hi (node's range), whose value exceeds value."""
        if hi <= start or self.tree[node] <= value:
            return None
        if hi - lo == 1:
            return lo
        mid = (lo + hi) // 2
        left = self._first(2 * node, lo, mid, start, value)
        return left if left is not None else self._first(2 * node + 1, mid, hi, start, value)


def _tie_places(text: str, claims: list[Claim], places: dict[str, str | None]) -> list[Claim]:
    """Each claim's event place: named in its clause after the count (up to the next count of the sentence),
    or before it when it opens the sentence ("In Kuta, 12 people died"). A whole-event place leaves it null."""
    out = []
    by_sentence: dict[int, list[Claim]] = {}
    for c in claims:  # grouped once, so a long document stays linear
        by_sentence.setdefault(c.sentence_start, []).append(c)
    bounds = {s: _Neighbours(same) for s, same in by_sentence.items()}
    for c in claims:
        nxt, prev = bounds[c.sentence_start].around(c)
        found = place_in(text[c.start : nxt], places)
        if found is None and not names_another_place(text[c.start : nxt]):
            found = _place_before(text, c, prev, places)
        if found is not None:
            c = replace(c, place=found[0], rule=f"{c.rule}|place:{found[1]}")
        out.append(c)
    return out


def _place_before(text: str, c: Claim, prev: int, places: dict[str, str | None]) -> tuple[str | None, str] | None:
    """The place of a count whose own clause names none, from before it: a place linked by a preposition or an
    incident noun back to the count before it, the nearest ("the Oberoi was declared clear, with 24 bodies
    found"), else the sentence's one event place named anywhere before the count, its subject or an appositive
    ("Another hotel, the Oberoi/Trident, was declared clear ... and 24 bodies found"). Two places before the
    count leave it unplaced (which one holds it is unclear; the whole event's place is none of the two), and so
    do a place where the speaker is ("A doctor
    at a hospital near the Taj said 20 had died") and an earlier incident's count ("Kuta, the scene of the
    2002 bombings which left 202 people dead")."""
    before = text[prev : c.start]
    named, end = places_named(before, places)
    if len([p for p in named if p is not None]) > 1 or said_right_after(before, end):
        return None  # two sites (the whole event's place beside one of its sites is no rival)
    found = place_in(before, places, last=True)
    if found is None and c.scope == "event" and places:
        found = sole_place_named(text[max(c.sentence_start, c.start - _SUBJECT_REACH) : c.start], places)
    return found


class _Neighbours:
    """The claims of one sentence, for the next count's start and the previous count's end around a claim."""

    def __init__(self, same: list[Claim]) -> None:
        self.same = same
        self.starts, self.ends = [x.start for x in same], [x.end for x in same]
        # in text order (as sentence_claims gives them), bisection finds what a scan of them all would
        self.ordered = self.starts == sorted(self.starts) and self.ends == sorted(self.ends)

    def around(self, c: Claim) -> tuple[int, int]:
        """(the start of the first later count, else the sentence end; the end of the last count before c,
        else the sentence start)."""
        if not self.ordered:
            nxt = next((x.start for x in self.same if x.start > c.start), c.sentence_end)
            return nxt, max((x.end for x in self.same if x.end <= c.start), default=c.sentence_start)
        k, j = bisect.bisect_right(self.starts, c.start), bisect.bisect_right(self.ends, c.start)
        nxt = self.starts[k] if k < len(self.starts) else c.sentence_end
        prev = self.ends[j - 1] if j else c.sentence_start
        return nxt, prev


@cache
def _compound_res() -> dict[str, re.Pattern[str]]:
    """Each fuller 'N of M' name as a whole-words pattern."""
    names = {" ".join(p) for forms in _lex().of_compounds.values() for p, _ in forms}
    return {name: re.compile(r"\b" + re.escape(name) + r"\b") for name in names}


class _Earlier:
    """Whether a fuller 'N of M' name stands in a document before an offset. Where each name first stands is
    found once per document: searching the text before every claim is quadratic."""

    def __init__(self, low: str) -> None:
        self.low = low
        self.first_end: dict[str, int] = {}

    def before(self, name: str, offset: int) -> bool:
        """Whether the name stands, as whole words, in low[:offset]."""
        pattern = _compound_res()[name]
        if name not in self.first_end:
            m = pattern.search(self.low)
            self.first_end[name] = m.end() if m else len(self.low) + 1
        if self.first_end[name] <= offset:
            return True
        # cut at offset, the text ends a word there: "prisoners of war" before a count glued to it ("war5")
        return offset >= len(name) and pattern.match(self.low, offset - len(name), offset) is not None


def _fuller_name(claim: Claim, earlier: _Earlier) -> tuple[str, str] | None:
    """'5,500 Iraqi prisoners' after 'prisoners of war' in the article: a bare noun takes the group of its
    fuller 'N of M' name used earlier (the same people, named once in full). Returns (group, name)."""
    if not claim.group_text:
        return None
    head = claim.group_text.lower().split()[-1]
    for phrase, group in _lex().of_compounds.get(head, ()):
        if earlier.before(" ".join(phrase), claim.start):
            return group, " ".join(phrase)
    return None


def _resolve_groups(claims: list[Claim], low: str = "") -> list[Claim]:
    """Groups from elsewhere in the article, for claims whose own words name none: a fuller name used
    earlier, the group of an earlier claim with the same figure, a partitive's whole."""
    out = []
    earlier = _Earlier(low)
    for c in claims:
        if c.group == "unspecified" and (full := _fuller_name(c, earlier)):
            c = replace(c, group=full[0], rule=c.rule.replace("|group:", f"|group:named earlier as {full[1]};", 1))
        out.append(c)
    out = _same_figure(out)
    # a part takes the group of its whole, the next claim of its sentence ("Eight of the 14 killings")
    for i, c in enumerate(out):
        if c.group_from_whole and c.group == "unspecified" and i + 1 < len(out):
            whole = out[i + 1]
            if whole.sentence_start == c.sentence_start and whole.group != "unspecified":
                out[i] = replace(c, group=whole.group)
    # once more: a figure repeated after a part got its group ("Of the eight victims, ...")
    return _same_figure(out)


def _same_figure(claims: list[Claim]) -> list[Claim]:
    """'the 14 killings' after '14 black women' were killed: an unnamed group takes the group of an earlier
    claim in the article with the same outcome and bounds (a repeated figure names the same people)."""
    out: list[Claim] = []
    named: dict[tuple, str] = {}  # (outcome, bounds) -> the group of the latest claim that names one
    for c in claims:
        figure = (c.outcome, c.value_low, c.value_high)
        if c.group == "unspecified" and c.value_low is not None and figure in named:
            c = replace(c, group=named[figure], rule=c.rule.replace("|group:", "|group:same figure earlier;", 1))
        if c.group != "unspecified":
            named[figure] = c.group
        out.append(c)
    return out


class _Hints:
    """A document's time hints by offset: those of one sentence, in their given order, found in log time."""

    def __init__(self, times: Sequence[TimeExpr]) -> None:
        self.times = times
        self.order = sorted(range(len(times)), key=lambda k: times[k].start)
        self.starts = [times[k].start for k in self.order]

    def within(self, start: int, end: int) -> list[TimeExpr]:
        """The hints that start in start..end-1."""
        lo, hi = bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end)
        return [self.times[k] for k in sorted(self.order[lo:hi])]


@dataclass(frozen=True)
class _Text:
    """A document as the sentence rules read it: its text, what to skip, its times and the event's window."""

    text: str
    low: str
    skips: SpanIndex
    hints: _Hints
    held: frozenset[str]
    published_on: date | None
    event_start: datetime | None
    event_end: datetime | None
    places: PlaceMap | Sequence[str]


def _line_claims(
    doc: _Text, line_start: int, line_end: int, outcomes_before: set[str], heading: str | None = None
) -> list[Claim]:
    """Claims of the sentences of one line; outcomes_before: the outcomes of the document's claims before it
    (added to as claims are found: rebuilt from them for every sentence, it was quadratic in a long document);
    heading: the outcome of a list heading the line is an item of (its first sentence's first count)."""
    text, low, skips, held = doc.text, doc.low, doc.skips, doc.held
    published_on, event_start, event_end = doc.published_on, doc.event_start, doc.event_end
    out = []
    cand, phrase_filter = _candidate_re(), _phrase_filter()
    previous: list[Claim] = []  # the claims of the sentence just before (a running total may count them)
    for s, e in sentences(text, line_start, line_end):
        item = heading if s <= line_start + 2 else None  # a list item's first sentence: "— 32 militants ..."
        if (
            skips.covers(s, e)
            or not cand.search(low, s, e)
            or (
                not item
                and not phrase_filter.passes(_WORD_RE.findall(low, s, e))
                and not any(p in low[s:e] for p in held)
            )
        ):
            previous = []
            continue
        toks = tokenize(text, s, e)
        words = tuple(t.lower for t in toks)
        previous = sentence_claims(text, s, e, toks, previous[-1] if previous else None, held, item)
        previous = _increments(doc, toks, previous, outcomes_before)
        scope = None  # a claim's scope depends on its sentence only: found once, not once per count
        for claim in previous:
            if skips.overlaps(claim.start, claim.end):
                continue
            if event_start is not None and event_end is not None and published_on is not None:
                if scope is None:
                    times = doc.hints.within(s, e)
                    scope = classify_scope(
                        text, claim, published_on, event_start, event_end, times, doc.places, words, doc.hints.within
                    )
                here = _with_rate(text, claim, scope)  # the sentence's scope, and this count's own rate
                claim = replace(claim, scope=here[0], rule=f"{claim.rule}|scope:{here[1]}")
            out.append(claim)
            outcomes_before.add(claim.outcome)
    return out
