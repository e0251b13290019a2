"""Parts: counts that pick out some of a larger count's victims by who they are ("including 9 Britons")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from analysis import lexicon
from analysis.text import grammar
from analysis.text.numbers import read_number
from analysis.text.tokens import Token


@dataclass(frozen=True)
class PartCue:
    """Why a count is a part: the outcome its frame gives (None: that of the claim it belongs to), the cue words,
    whether its whole is the claim just before it in the sentence, and the subset's words if the frame names
    them after the count ("seven of the wounded were Americans")."""

    outcome: str | None
    cue: str
    whole_before: bool
    subset: str | None = None


@dataclass(frozen=True)
class _PartsLex:
    before: tuple[tuple[str, ...], ...]
    before_reach: int
    victims: dict[str, str]
    include_verbs: frozenset[str]
    frame_gap: frozenset[str]
    frame_pronouns: frozenset[str]
    frame_list_reach: int
    among: frozenset[str]
    among_gap: frozenset[str]
    of_them: frozenset[str]
    subset_nouns: frozenset[str]
    implied_whole_outcomes: frozenset[str]


@cache
def _lex() -> _PartsLex:
    raw = lexicon.load("claims")["parts"]
    return _PartsLex(
        before=tuple(sorted((tuple(p.split()) for p in raw["before"]), key=len, reverse=True)),
        before_reach=raw["before_reach"],
        victims={w: outcome for outcome, words in raw["victims"].items() for w in words},
        include_verbs=frozenset(raw["include_verbs"]),
        frame_gap=frozenset(raw["frame_gap"]),
        frame_pronouns=frozenset(raw["frame_pronouns"]),
        frame_list_reach=raw["frame_list_reach"],
        among=frozenset(raw["among"]),
        among_gap=frozenset(raw["among_gap"]),
        of_them=frozenset(raw["of_them"]),
        subset_nouns=frozenset(raw["subset_nouns"]),
        implied_whole_outcomes=frozenset(raw["implied_whole_outcomes"]),
    )


def _ends_with(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    return len(words) >= len(phrase) and tuple(words[-len(phrase) :]) == phrase


def _victims_frame(words: Sequence[str]) -> PartCue | None:
    """'... the dead include' / 'among the injured were' right before the count."""
    lx = _lex()
    if len(words) < 2 or words[-1] not in lx.include_verbs:
        return None
    noun = words[-2]
    if noun not in lx.victims:
        return None
    if words[-1] in grammar.words("copulas") and not (len(words) >= 4 and words[-4] in lx.among):
        return None  # "the injured were 20": a total, not "among the injured were 20 Australians"
    return PartCue(lx.victims[noun], " ".join(words[-3:] if len(words) >= 3 else words), whole_before=False)


def _gapped_frame(toks: Sequence[Token], end: int) -> PartCue | None:
    """A victims frame whose include verb is token end-1, with gap words before the verb ("Confirmed dead so far
    include"), or a pronoun for a victims noun earlier in the sentence ("The dead were ..., but they also
    include")."""
    lx = _lex()
    if end < 2 or toks[end - 1].lower not in lx.include_verbs or toks[end - 1].lower in grammar.words("copulas"):
        return None
    j = end - 2
    while j > 0 and toks[j].lower in lx.frame_gap:
        j -= 1
    word = toks[j].lower
    if word not in lx.victims and word in lx.frame_pronouns:
        word = next((t.lower for t in reversed(toks[:j]) if t.lower in lx.victims), word)
    if word not in lx.victims:
        return None
    return PartCue(lx.victims[word], " ".join(t.lower for t in toks[j:end]), whole_before=False)


def _frame_before(toks: Sequence[Token], first: int) -> PartCue | None:
    """A victims frame before the count at token first: right before it ('the dead include 26 foreigners'), or
    opening a list the count continues ('Confirmed dead so far include six from the Philippines, three from
    Britain and two from Romania')."""
    lx = _lex()
    words = [t.lower for t in toks[max(0, first - 4) : first]]
    if frame := _victims_frame(words):
        return frame
    for end in range(first, max(0, first - lx.frame_list_reach) - 1, -1):
        if end < 2 or toks[end - 1].lower not in lx.include_verbs:
            continue  # most tokens are no include verb: no list to check
        between = toks[end:first]
        if between and (between[-1].lower not in (",", "and") or any(t.text in (".", ";", ":") for t in between)):
            continue
        if frame := _gapped_frame(toks, end):
            return frame
    return None


@cache
def _before_lasts() -> frozenset[str]:
    """The last words of the 'before' cue phrases ("including", "them" of "among them")."""
    return frozenset(p[-1] for p in _lex().before)


def part_before(toks: Sequence[Token], first: int) -> PartCue | None:
    """A part cue before the count at token first: 'including' (up to a short list item back: 'including a
    foreign tourist and four top police officers'), or a victims frame ('the dead include 26 foreigners')."""
    lx = _lex()
    if frame := _frame_before(toks, first):
        return frame
    back = [t.lower for t in toks[max(0, first - lx.before_reach) : first]]
    if _before_lasts().isdisjoint(back):
        return None  # no cue phrase can end among these words
    for k in range(len(back), 0, -1):
        seen, between = back[:k], back[k:]
        # words between the cue and the count must be a list item that the count continues ("a foreign
        # tourist and"), never a clause ("including one that killed 5 people" is no part)
        # a verb between them ("including foreigners, were killed and 90 others injured") closes the list
        listed = not between or (between[-1] in ("and", ",") and lx.among_gap.isdisjoint(between))
        for phrase in lx.before:
            if (
                _ends_with(seen, phrase)
                and listed
                and not any(w in (".", ";", ":") or w[:1].isdigit() for w in between)
            ):
                return PartCue(None, " ".join(phrase), whole_before=True)
        if seen[-1] in (".", ";", ":"):
            break
    return None


def part_after(toks: Sequence[Token], j: int) -> PartCue | None:
    """'12 Indonesians ... are confirmed to be among the dead': among the victims of an outcome, after the
    counted noun phrase ending at token j."""
    lx = _lex()
    k = j
    # a last list item without a count of its own ("12 Indonesians, three Australians and a Japanese are ...")
    if k + 2 < len(toks) and toks[k].lower == "and" and toks[k + 1].lower in grammar.words("one_person"):
        k += 2
        while k < len(toks) and toks[k].text[:1].isupper():
            k += 1
    while k < len(toks) and toks[k].lower in lx.among_gap:
        k += 1
    if k < len(toks) and toks[k].lower in lx.among:
        k += 1
        if k < len(toks) and toks[k].lower in grammar.words("definite_determiners"):
            k += 1
        if k < len(toks) and toks[k].lower in lx.victims:
            return PartCue(lx.victims[toks[k].lower], f"among the {toks[k].lower}", whole_before=False)
    return None


def part_of_the(toks: Sequence[Token], last: int) -> PartCue | None:
    """'seven of the wounded were Americans' (a part of the wounded, named after) or 'six of them children'
    (a part of the claim just before), for the count whose tokens end before index last."""
    lx = _lex()
    if last + 1 >= len(toks) or toks[last].lower != "of":
        return None
    nxt = toks[last + 1].lower
    if nxt in lx.of_them:
        return PartCue(None, f"of {nxt}", whole_before=True, subset=_named_after(toks, last + 2))
    if nxt in grammar.words("definite_determiners") and last + 2 < len(toks) and toks[last + 2].lower in lx.victims:
        noun = toks[last + 2].lower
        return PartCue(lx.victims[noun], f"of the {noun}", whole_before=False, subset=_named_after(toks, last + 3))
    return None


def _named_after(toks: Sequence[Token], k: int) -> str | None:
    """'(were|are) Americans' / 'children': the words naming the subset right after a partitive frame."""
    linked = k < len(toks) and toks[k].lower in grammar.words("copulas")
    if linked:
        k += 1
        if k < len(toks) and not toks[k].text[:1].isupper():
            return None  # "20 of them were released": a verb, not who they are
    words = []
    if k < len(toks) and toks[k].lower in _prepositions():
        return None  # "45 of them in very serious condition": a state, not who they are
    while k < len(toks) and toks[k].text[:1].isalpha() and len(words) < 3:
        if words and not toks[k].text[:1].isupper():
            break
        words.append(toks[k].text)
        if not toks[k].text[:1].isupper():
            break
        k += 1
    return " ".join(words) or None


@cache
def _prepositions() -> frozenset[str]:
    """Prepositions that open a phrase after a partitive frame ("of them in ...", claims.yaml join_prepositions)."""
    return frozenset(lexicon.load("claims")["join_prepositions"])


def names_a_subset(group_text: str | None) -> bool:
    """'Britons', 'three Australians', 'foreign nationals': victims named by who they are."""
    if not group_text:
        return False
    words = group_text.split()
    return (
        group_text.lower() in _lex().subset_nouns or words[-1].lower() in _lex().subset_nouns or words[-1][:1].isupper()
    )


def whole_is_implied(outcome: str, incident_named: bool) -> bool:
    """A subset count is a part even when the article states no larger count if it counts the dead or injured
    of an incident the article has named by then ("Two Britons injured in the bomb blasts": some of the blasts'
    injured; a later "Two British nationals were injured" too). Without an incident ("the deaths of 1.7 million
    Cambodians" under a regime) the count may be the whole."""
    return incident_named and outcome in _lex().implied_whole_outcomes


def subset_nouns() -> frozenset[str]:
    """Nouns that name victims by who they are ("foreigners", "tourists", "foreign nationals")."""
    return _lex().subset_nouns


# --- increments ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _IncrementsLex:
    words: frozenset[str]
    before_words: frozenset[str]
    openers: frozenset[str]
    opener_reach: int
    found_nouns: frozenset[str]
    found_verbs: frozenset[str]
    found_reach: int
    period_openers: frozenset[str]
    period_lasts: frozenset[str]
    period_words: dict[str, int]
    period_reach_after: int
    period_reach_before: int


@cache
def _inc() -> _IncrementsLex:
    # every key of claims.yaml's `increments` is a field (the lexicon model checks them): word lists as sets
    raw = lexicon.load("claims")["increments"]
    return _IncrementsLex(**{k: frozenset(v) if isinstance(v, list) else v for k, v in raw.items()})


def increment_word(toks: Sequence[Token], first: int, last: int) -> str | None:
    """'nine more bodies', '3 further deaths' (not 'more than'), 'a further 3', 'an additional 12': the word that
    makes the count at tokens first..last-1 an increment, else None."""
    lx = _inc()
    if last < len(toks) and toks[last].lower in lx.words:
        if not (last + 1 < len(toks) and toks[last + 1].lower == "than"):
            return toks[last].lower
    if (
        first >= 2
        and toks[first - 1].lower in lx.before_words
        and toks[first - 2].lower in grammar.words("indefinite_articles")
    ):
        return toks[first - 1].lower
    return None


def found_after_opener(toks: Sequence[Token], first: int, last: int) -> bool:
    """'after nine bodies were recovered', 'as rescuers pulled out 12 more bodies': a count of bodies (its noun
    within two words of the count at tokens first..last-1) found, in a clause that 'after', 'as' or 'when' opens
    just before it."""
    lx = _inc()
    if not any(t.lower in lx.found_nouns for t in toks[last : last + 2]):
        return False
    opener = None
    for k in range(first - 1, max(-1, first - 1 - lx.opener_reach), -1):
        if toks[k].lower in (",", ";", ":", ".") or toks[k].lower[:1].isdigit():
            break
        if toks[k].lower in lx.openers:
            opener = k
            break
    if opener is None:
        return False
    around = [t.lower for t in toks[opener + 1 : first]] + [t.lower for t in toks[last : last + lx.found_reach]]
    return not lx.found_verbs.isdisjoint(around)


def recent_period(
    toks: Sequence[Token], words: Sequence[str], first: int, last: int, lo: int, hi: int, units: Mapping[str, float]
) -> tuple[str, float] | None:
    """'in the last 24 hours', 'over the past two days', 'overnight' in the reach of the count at tokens
    first..last-1, kept within lo..hi-1 (the counts beside it): (its words, its length in days), else None.
    words: the tokens lower-cased; units: duration unit words with their size in days."""
    lx = _inc()
    for k in range(max(lo, first - lx.period_reach_before), min(hi, last + lx.period_reach_after)):
        if words[k] in lx.period_words:
            return toks[k].text, float(lx.period_words[words[k]])
        if words[k] not in lx.period_openers or k + 3 > len(words):
            continue
        j = k + 1
        if words[j] in grammar.words("definite_determiners"):
            j += 1
        if j >= len(words) or words[j] not in lx.period_lasts:
            continue
        n = read_number(words, j + 1)
        size, j = (1.0, j + 1) if n is None else n
        if j < len(words) and words[j] in units:
            return " ".join(t.text for t in toks[k : j + 1]), size * units[words[j]]
    return None


# --- appositives naming who they are -------------------------------------------------------------------

_APPOSITIVE_REACH = 24  # tokens after a count within which its appositive must close


def appositive_names(toks: Sequence[Token]) -> str | None:
    """The words of an appositive naming who the people of a count are, in the tokens right after the count
    ("others, a Briton and an Algerian," in "Two others, a Briton and an Algerian, died"): an optional noun, a
    comma, then items of an article or a number and capitalised words, joined by "and" or commas, and a closing
    comma. None when the words after the count are anything else."""
    k = 1 if toks and toks[0].text.isalpha() and toks[0].text.islower() else 0
    if k >= len(toks) or toks[k].text != ",":
        return None
    start, k, items = k + 1, k + 1, 0
    words = [t.lower for t in toks]
    while k < min(len(toks), _APPOSITIVE_REACH):
        if words[k] not in grammar.words("one_person") and read_number(words, k) is None:
            return None
        k += 1
        if k >= len(toks) or not toks[k].text[:1].isupper():
            return None
        while k < len(toks) and toks[k].text[:1].isupper():
            k += 1
        items += 1
        if k < len(toks) and toks[k].lower in grammar.words("list_joiners"):
            k += 1
            continue
        if k + 1 < len(toks) and toks[k].text == "," and toks[k + 1].lower in grammar.words("list_joiners"):
            k += 2
            continue
        if k < len(toks) and toks[k].text == ",":
            if k + 1 < len(toks) and (
                toks[k + 1].lower in grammar.words("one_person") or toks[k + 1].text[:1].isdigit()
            ):
                k += 1
                continue
            return " ".join(t.text for t in toks[start:k]) if items else None
        return None
    return None
