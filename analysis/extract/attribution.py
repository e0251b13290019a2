"""Attribution: credit each casualty claim to the speaker the article names, then resolve speakers across a corpus."""

# How a claim gets its speaker (cue names in Attribution.cue):
#   1. Inside a quotation: a speech cue nested in the quote before the claim ("people are saying ...") wins,
#      else the quote's speaker: the cue right after the closing mark ('," Arshad said') or right before the
#      opening one ('he said: "'), cue "quote-speaker"; a quote with neither takes the speaker of the quote
#      before it in the paragraph or in the previous paragraph ("carried:quote").
#   2. Outside quotes, within the sentence: the nearest preceding cue that opens a complement ("X said ...",
#      "according to X, ...", "reports that ...", ", adding that ...") and no ";" or stray sentence stop in
#      between; else the nearest following tag (", the army said.", ", he told reporters"). Cue names are
#      "<verb>-before" / "<verb>-after" (the cue is before or after the claim), "according-to", "report",
#      "participle", "missing-verb".
#   3. A sentence ending in "X said:" hands its speaker to the next sentence ("carried:next-sentence").
#      Nothing else carries: an unattributed sentence is the outlet's own voice (speaker None, cue "none").
# Pronouns (he/she) resolve to the most recent named person who spoke, or who opens a sentence and speaks
# somewhere in the article; the cue then gets "|pronoun:he" and speaker/offsets are the antecedent's.
# An agency or outlet named as the channel ("told the AFP news agency", "Speaking to Geo television") is via.
#
# Speaker resolution (resolve_speakers): a person's mentions are keyed by their name without titles. A short
# form ("Arshad", "Gen Arshad") resolves to the fullest name in the same article whose last token matches
# (exactly, else fuzzily), else to the unique such full name anywhere in the corpus. Full names are merged when
# they have the same number of tokens, every token pair is a spelling variant and at least one is identical
# (or one name is a token suffix of the other). Spelling variant: same first letter and either edit distance
# <= 1 (both >= 4 letters) or equal consonant skeletons ("Azeem"/"Azim", "Rashi"/"Rashid"). No person is named
# anywhere in code or lexicon; all word lists live in lexicon/speech.yaml.

from __future__ import annotations

import bisect
import pickle
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from typing import BinaryIO, NamedTuple, Protocol

from analysis import lexicon
from analysis.text.tokens import PhraseTable, SpanIndex, Token, sentences, tokenize
from analysis.text.tokens import lines as split_lines


class Claim(Protocol):
    """What attribution reads of a claim: where its count stands in the text (claims.Claim has more)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class Attribution:
    """Who the article credits for one claim (speaker None: the outlet's own voice)."""

    claim_start: int
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    via: str | None
    cue: str


@dataclass(frozen=True)
class Speaker:
    """One distinct speaker across the corpus."""

    source_id: str
    name: str
    aliases: tuple[str, ...]
    title: str | None
    affiliation: str | None
    kind: str
    is_anonymous: bool
    is_institution: bool


# --- lexicon -----------------------------------------------------------------------------------------


def _phr(items) -> PhraseTable:
    # Tokenize lexicon phrases like the text so "Gen." or "U.S." match token for token.
    return PhraseTable(p for p in (tuple(t.lower for t in tokenize(str(i))) for i in items) if p)


@dataclass(frozen=True)
class _Lex:
    verbs: dict[str, str]
    participles: frozenset[str]
    passive_be: frozenset[str]
    passive_after: dict[str, frozenset[str]]
    according: PhraseTable
    report_nouns: frozenset[str]
    report_link: frozenset[str]
    between: PhraseTable
    adjuncts: PhraseTable
    audiences: frozenset[str]
    outlet_modifiers: frozenset[str]
    closing_conjunctions: frozenset[str]
    toll_verbs: frozenset[str]
    toll_objects: frozenset[str]
    toll_object_reach: int
    closing_clause_starts: frozenset[str]
    channel_names: PhraseTable
    channel_nouns: PhraseTable
    introducers: PhraseTable
    titles: PhraseTable
    descriptors: frozenset[str]
    institutions: frozenset[str]
    quoting_verbs: frozenset[str]
    report_sources: frozenset[str]
    quoting_reach: int
    speaks_for: frozenset[str]
    speaks_for_links: frozenset[str]
    anonymous: frozenset[str]
    determiners: PhraseTable
    org_words: frozenset[str]
    pron_person: frozenset[str]
    pron_group: frozenset[str]
    anonymity: PhraseTable
    kinds: dict[str, frozenset[str]]
    not_names: frozenset[str]
    connectors: frozenset[str]
    org_connectors: frozenset[str]
    postmodifiers: frozenset[str]
    partitives: frozenset[str]
    name_objects: frozenset[str]
    postmodifier_reach: int
    postmodifier_reach_names: int
    irregular_participles: frozenset[str]
    clause_joiners: frozenset[str]
    relative_pronouns: frozenset[str]
    articles: frozenset[str]

    @cached_property  # asked at every token: built once, not a new union per question
    def heads(self) -> frozenset[str]:
        return self.institutions | self.anonymous | self.report_nouns


@cache
def _lex() -> _Lex:
    raw = lexicon.load("speech")
    low = lambda key: frozenset(str(w).lower() for w in raw[key])  # noqa: E731
    verbs = {str(w).lower(): cue for cue, words in raw["speech_verbs"].items() for w in words}
    return _Lex(
        verbs=verbs,
        participles=low("participles"),
        passive_be=low("passive_be"),
        passive_after={k: frozenset(str(w).lower() for w in v) for k, v in raw["passive_after"].items()},
        according=_phr(raw["according_to"]),
        report_nouns=low("report_nouns"),
        report_link=low("report_link"),
        between=_phr(raw["between_subject_and_verb"]),
        adjuncts=_phr(raw["adjuncts_after_verb"]),
        audiences=low("audiences"),
        outlet_modifiers=low("outlet_modifiers"),
        closing_conjunctions=low("closing_conjunctions"),
        toll_verbs=low("toll_verbs"),
        toll_objects=low("toll_objects"),
        toll_object_reach=raw["toll_object_reach"],
        closing_clause_starts=low("closing_clause_starts"),
        channel_names=_phr(raw["channels"]["names"]),
        channel_nouns=_phr(raw["channels"]["nouns"]),
        introducers=_phr(raw["channels"]["introducers"]),
        titles=_phr(raw["titles"]),
        descriptors=low("descriptors"),
        institutions=low("institutions"),
        quoting_verbs=low("quoting_verbs"),
        report_sources=low("report_sources"),
        quoting_reach=raw["quoting_reach"],
        speaks_for=low("speaks_for"),
        speaks_for_links=low("speaks_for_links"),
        anonymous=low("anonymous"),
        determiners=_phr(raw["determiners"]),
        org_words=low("org_words"),
        pron_person=frozenset(raw["pronouns"]["person"]),
        pron_group=frozenset(raw["pronouns"]["group"]),
        anonymity=_phr(raw["anonymity_cues"]),
        kinds={k: frozenset(str(w).lower() for w in v) for k, v in raw["kinds"].items()},
        not_names=low("not_names"),
        connectors=low("name_connectors"),
        org_connectors=low("org_connectors"),
        postmodifiers=low("postmodifiers"),
        partitives=low("partitives"),
        name_objects=low("name_objects"),
        postmodifier_reach=raw["postmodifier_reach"],
        postmodifier_reach_names=raw["postmodifier_reach_names"],
        irregular_participles=low("irregular_participles"),
        clause_joiners=low("clause_joiners"),
        relative_pronouns=low("relative_pronouns"),
        articles=low("articles"),
    )


# --- token helpers -----------------------------------------------------------------------------------

_OPEN_Q = {"“", "``", "‘"}
_CLOSE_Q = {"”", "''", "’"}
_QUOTE_TOKENS = {"“", "”", '"', "`", "'", "‘", "’"}
_STOPS = {".", "!", "?", ";"}


def _is_cap(t: Token) -> bool:
    return t.text[:1].isupper()


def _possessive(t: Token) -> bool:
    return t.lower.endswith(("'s", "’s"))


def _match_at(toks: Sequence[Token], i: int, phrases: PhraseTable, hi: int | None = None) -> int:
    """Length of the longest phrase starting at token i (0 if none)."""
    m = phrases.at(toks, i, hi)
    return m[1] - i if m else 0


def _match_ending(toks: Sequence[Token], j: int, phrases: PhraseTable, lo: int = 0) -> int:
    """Length of the longest phrase ending at token j inclusive (0 if none)."""
    m = phrases.ending(toks, j + 1, lo)
    return j + 1 - m[1] if m else 0


def _title_at(toks: Sequence[Token], i: int, hi: int) -> int:
    """Length of a title starting at i; a title opens with a capital ("Major general", not "spokesman")."""
    return _match_at(toks, i, _lex().titles, hi) if i < hi and _is_cap(toks[i]) else 0


def _name_word(t: Token, lex: _Lex) -> bool:
    # A capitalised token that can be part of a name: not a sentence-opening function word, not a quote.
    return _is_cap(t) and t.lower not in lex.not_names and t.text[0].isalpha()


# --- noun phrases that can be speakers ---------------------------------------------------------------


@dataclass(frozen=True)
class _NP:
    i: int  # first token
    j: int  # last token (inclusive)
    kind: str  # person, org, institution, anonymous, report, pronoun


def _strip_titles(toks: Sequence[Token], i: int, j: int) -> int:
    """Index of the first name token after any leading titles in toks[i..j] (j+1 if all titles)."""
    while i <= j:
        n = _title_at(toks, i, j + 1)
        if not n and i + 1 <= j and _title_at(toks, i + 1, j + 1) and _is_cap(toks[i]):
            n = 1  # "Spanish Prime Minister Jose Maria Aznar": a word qualifying the title belongs to it
        if not n:
            break
        i += n
    return i


def _proper_back(toks: Sequence[Token], j: int, lo: int) -> int:
    """First token of the capitalised name ending at j (with connectors and titles written in lower case)."""
    lex = _lex()
    i = j
    while i - 1 >= lo:
        prev = toks[i - 1]
        if _name_word(prev, lex) and not _possessive(prev):
            i -= 1
        elif (
            prev.lower in lex.connectors
            and i - 2 >= lo
            and _name_word(toks[i - 2], lex)
            and not _possessive(toks[i - 2])
        ):
            i -= 2
        elif i - 2 >= lo and _initial_dot(toks, i - 1):
            i -= 2  # "R. Jadhav"
        else:
            n = _match_ending(toks, i - 1, lex.titles, lo)
            if not n or not _is_cap(toks[i - n]):
                break
            i -= n  # "Major general Waheed Arshad": a title partly in lower case (not "spokesman Gen. ...")
    if i - 1 >= lo and toks[i - 1].lower == "the" and _is_cap(toks[i - 1]):
        i -= 1  # "The Organization of ..."
    return i


def _common_back(toks: Sequence[Token], j: int, lo: int) -> int:
    """First token of a common-noun speaker ending at head j: modifiers then an optional determiner."""
    lex = _lex()
    i = j
    while i - 1 >= lo:
        prev = toks[i - 1]
        if prev.lower in lex.descriptors or (_name_word(prev, lex) and not _possessive(prev)):
            i -= 1
        elif prev.lower == "and" and i - 2 >= lo and _name_word(toks[i - 2], lex) and _is_cap(toks[i]):
            i -= 2  # "U.S. and Kuwaiti officials"
        elif prev.lower == "and" and i - 2 >= lo and toks[i - 2].lower in lex.institutions:
            i -= 2  # "police and hospital officials"
        elif _possessive(prev) and i == j and toks[j].lower in lex.institutions:
            i -= 1  # "the Paris prosecutor's office"
        else:
            break
    n = _match_ending(toks, i - 1, lex.determiners, lo)
    return i - n


def _np_back(toks: Sequence[Token], j: int, lo: int) -> _NP | None:
    """The speaker noun phrase ending at token j, or None."""
    if j < lo:
        return None
    lex = _lex()
    t = toks[j]
    if t.lower in lex.pron_person or t.lower in lex.pron_group:
        return _NP(j, j, "pronoun")
    proper_org = _is_cap(t) and j - 1 >= lo and _name_word(toks[j - 1], lex) and t.lower in lex.org_words
    if t.lower in lex.heads and not proper_org:
        kind = (
            "report" if t.lower in lex.report_nouns else "institution" if t.lower in lex.institutions else "anonymous"
        )
        return _named_appositive(toks, _speaking_for(toks, _NP(_common_back(toks, j, lo), j, kind), lo), lo)
    if _name_word(t, lex) and not _possessive(t):
        i = _proper_back(toks, j, lo)
        if i - 1 >= lo and toks[i - 1].lower in lex.name_objects:
            # "a receptionist at the hospital close to Jimbaran Bay said", "Officials in Madrid said": a name after
            # a preposition ends the speaker's post-modifier; the speaker is its head, else unknown
            return _postmodified_head(toks, i - 1, lo, lex.postmodifier_reach_names)
        return _classify_proper(toks, i, j)
    # "A senior security official involved in the operation told ...": a head noun with a short post-modifier.
    return _postmodified_head(toks, j, lo, lex.postmodifier_reach)


def _speaking_for(toks: Sequence[Token], np: _NP, lo: int) -> _NP:
    """'A spokesman for the militants': the phrase whose head speaks for the group np names, else np."""
    lex = _lex()
    k = np.i - 2  # the head before "for"/"of"
    if k >= lo and toks[k + 1].lower in lex.speaks_for_links and toks[k].lower in lex.speaks_for:
        return _NP(_common_back(toks, k, lo), np.j, "anonymous")
    return np


def _ends_in_a_place(toks: Sequence[Token], j: int, lo: int) -> bool:
    """Whether a description ends at token j in a name after a preposition ("high commissioner in India"), not
    a list of places ("58, from Hexham")."""
    if j < lo or not _name_word(toks[j], _lex()):
        return False
    i = _proper_back(toks, j, lo)
    if i - 2 < lo:
        return False
    head = toks[i - 2]
    return toks[i - 1].lower in _lex().name_objects and head.text.isalpha() and head.text.islower()


def _postmodified_head(toks: Sequence[Token], j: int, lo: int, reach: int) -> _NP | None:
    """The head noun of a speaker whose post-modifiers end at token j, within reach tokens of it, or None: the
    first of a chain ("a nurse at the hospital near Kuta said" is the nurse's)."""
    lex = _lex()
    found = None
    for h in range(j - 1, max(lo, j - reach) - 1, -1):
        w = toks[h + 1]
        if w.text in {",", ".", ";", ":"} | _QUOTE_TOKENS or w.lower in lex.verbs:
            break
        # a capital is a name's, except on a sentence's first word ("Officials in Madrid said")
        if toks[h].lower in lex.heads and (h == lo or not _is_cap(toks[h])) and w.lower in lex.postmodifiers:
            found = h
    if found is None:
        return None
    kind = "institution" if toks[found].lower in lex.institutions else "anonymous"
    return _named_appositive(toks, _NP(_common_back(toks, found, lo), found, kind), lo)


def _named_appositive(toks: Sequence[Token], np: _NP, lo: int) -> _NP:
    """'Rageh Omaar, Al Jazeera's correspondent outside the mosque said': a description in apposition to a
    name stands for that name."""
    lex = _lex()
    i = np.i
    while i - 1 >= lo and _possessive(toks[i - 1]):  # "Al Jazeera's correspondent"
        i = _proper_back(toks, i - 1, lo)
    if i - 2 >= lo and toks[i - 1].text == "," and _name_word(toks[i - 2], lex):
        named = _classify_proper(toks, _proper_back(toks, i - 2, lo), i - 2)
        if named and named.kind == "person":
            return named
    return np


def _classify_proper(toks: Sequence[Token], i: int, j: int) -> _NP | None:
    lex = _lex()
    k = _strip_titles(toks, i + (1 if toks[i].lower == "the" else 0), j)
    rest = [t.lower for t in toks[k : j + 1]]
    if not rest or all(w in lex.descriptors or w in lex.not_names for w in rest):
        return None
    if any(w in lex.org_words for w in rest) or any(w in lex.connectors for w in rest):
        return _NP(i, j, "org")
    return _NP(i, j, "person")


def _np_forward(toks: Sequence[Token], i: int, hi: int) -> _NP | None:
    """The speaker noun phrase starting at token i (after "according to", an inverted "said", ...)."""
    lex = _lex()
    if i >= hi:
        return None
    if toks[i].lower in lex.pron_person or toks[i].lower in lex.pron_group:
        return _NP(i, i, "pronoun")
    k = i + _match_at(toks, i, lex.determiners, hi)
    j = k
    # Extend over modifiers, name words and titles; the phrase ends before a comma, verb or lower-case word.
    while j < hi and (
        _name_word(toks[j], lex)
        or toks[j].lower in lex.descriptors
        or toks[j].lower in lex.heads
        or (toks[j].lower in lex.connectors and j + 1 < hi and _name_word(toks[j + 1], lex))
    ):
        if _possessive(toks[j]):
            break
        j += 1
    if j == k:
        return None
    last = toks[j - 1]
    if last.lower in lex.heads and not _is_cap(last):
        kind = (
            "report"
            if last.lower in lex.report_nouns
            else "institution"
            if last.lower in lex.institutions
            else "anonymous"
        )
        return _NP(i, j - 1, kind)
    if _name_word(last, lex):
        # "said spokesman Kenneth Bacon": a lower-case role before the name is not part of it.
        while i < j - 1 and not _is_cap(toks[i]):
            i += 1
        return _classify_proper(toks, i, j - 1)
    return None


def _loose_np(toks: Sequence[Token], i: int, hi: int) -> _NP | None:
    """', said one of about 20 people who left ...': an inverted speaker described at length, up to the
    clause end; it must open with a determiner or quantifier and contain no speech verb."""
    lex = _lex()
    if i + 1 >= hi or toks[i].lower not in lex.partitives or toks[i + 1].lower != "of":
        return None
    j = i
    while j + 1 < hi and toks[j + 1].text not in {",", ".", ";", ":", "!", "?"}:
        if toks[j + 1].lower in lex.verbs:
            return None
        j += 1
    if j + 1 < hi and toks[j + 1].text not in {".", "!", "?"}:
        return None
    return _NP(i, j, "anonymous")


def _subject(toks: Sequence[Token], lo: int, hi: int) -> _NP | None:
    """The first name or speaker noun of a sentence (for "X ..., saying that" and "X ... and said")."""
    return _subject_from(toks, lo, hi, lo)[0]


def _subject_from(toks: Sequence[Token], lo: int, hi: int, k: int) -> tuple[_NP | None, int]:
    """_subject(toks, lo, hi) scanned from token k, and where a later scan with a larger hi may start. k is lo,
    or what an earlier call for the same lo and a smaller hi returned: the scan up to there reads every token
    the same way whatever hi is, so clauses that each ask for the subject ("..., adding ..., adding") do not
    reread the sentence from its start."""
    lex = _lex()
    resume = k  # the scan so far did not depend on hi: a later one may begin here
    while k < hi:
        t = toks[k]
        if t.lower in lex.heads and not _is_cap(t):
            while k + 1 < hi and _modifies_a_head(toks, k + 1, hi, lex):
                k += 1  # "police chief": the head is the last of a run of heads
            # "Military spokesman, Major General Waheed Arshad, ...": the appositive name is the speaker.
            if k + 2 < hi and toks[k + 1].text == "," and (_name_word(toks[k + 2], lex) or _title_at(toks, k + 2, hi)):
                named = _np_at_start(toks, k + 2, hi)
                if named and named.kind == "person":
                    return named, resume
            return _NP(_common_back(toks, k, lo), k, _np_back(toks, k, lo).kind), resume
        if _name_word(t, lex) or _title_at(toks, k, hi):
            j = k
            while (
                j + 1 < hi and (_name_word(toks[j + 1], lex) or _title_at(toks, j + 1, hi)) and not _possessive(toks[j])
            ):
                j += 1
            # the run of names ends where any hi would end it: at a possessive, or before a word no title opens
            fixed = _possessive(toks[j]) or (
                j + 1 < hi and not _name_word(toks[j + 1], lex) and not _title_at(toks, j + 1, len(toks))
            )
            if _possessive(toks[j]):
                k, resume = _advance(k, j + 1, resume, fixed)
                continue
            if toks[j].lower in lex.heads:
                if j + 1 < hi and toks[j + 1].lower in lex.descriptors:
                    # "Military spokesman, Major General ...": a modifier, the name comes later
                    k, resume = _advance(k, j + 1, resume, fixed)
                    continue
                return _NP(_common_back(toks, j, lo), j, _np_back(toks, j, lo).kind), resume
            if j + 1 < hi and _modifies_a_head(toks, j + 1, hi, lex):
                # "The Bali police chief, Made Pastika, ...": the name qualifies the head after it
                k, resume = _advance(k, j + 1, resume, fixed)
                continue
            np = _classify_proper(toks, k, j)
            if np:
                return np, resume
            k, resume = _advance(k, j + 1, resume, fixed)
            continue
        k, resume = _advance(k, k + 1, resume, not _title_at(toks, k, len(toks)))
    return None, resume


def _modifies_a_head(toks: Sequence[Token], k: int, hi: int, lex: _Lex) -> bool:
    """Whether token k, right after a name, is a lower-case speaker head or title the name qualifies ("Bali
    police chief", "Mumbai disaster official")."""
    t = toks[k]
    return not _is_cap(t) and (t.lower in lex.heads or bool(_title_at(toks, k, hi)))


def _advance(k: int, to: int, resume: int, fixed: bool) -> tuple[int, int]:
    """The scan moves from k on to token to; the resume point moves with it while every step so far was fixed
    (the same whatever hi)."""
    return to, to if fixed and resume == k else resume


# --- cues ----------------------------------------------------------------------------------------------


@dataclass
class _Cue:
    anchor: int  # char offset of the cue word
    start: int  # char span of speaker phrase + verb (+ tag tail): claims inside are not governed by it
    end: int
    direction: str  # "pre": governs what follows; "post": a tag governing what precedes
    rule: str
    np: _NP | None
    via: str | None
    tok: int
    mention: tuple[str, int, int] | None = None  # resolved (surface, start, end)
    pronoun: str | None = None
    in_quote: tuple[int, int] | None = None


def _skip_adjuncts(toks: Sequence[Token], k: int, hi: int, told: bool) -> tuple[int, str | None]:
    """Skip time words, audiences and (after "told") the addressee; returns (index, channel name or None)."""
    lex = _lex()
    via = None
    while k < hi:
        n = _match_at(toks, k, lex.adjuncts, hi)
        if n:
            k += n
            continue
        if told:
            ch, end = _channel_np(toks, k, hi)
            if end > k:
                via = via or ch
                k = end
                continue
        break
    return k, via


def _channel_np(toks: Sequence[Token], k: int, hi: int) -> tuple[str | None, int]:
    """An addressee after "told"/"speaking to": (its channel name if an outlet, index after it)."""
    lex = _lex()
    # "The Associated Press" keeps its article; "the AFP news agency" does not.
    j = k if _match_at(toks, k, lex.channel_names, hi) else k + _match_at(toks, k, lex.determiners, hi)
    start = j
    name_s = name_e = None
    while j < hi:
        n = _match_at(toks, j, lex.channel_names, hi)
        if n:
            name_s, name_e = (j, j + n) if name_s is None else (name_s, j + n)
            j += n
            continue
        n = _match_at(toks, j, lex.channel_nouns, hi)
        if n:
            j += n
            continue
        t = toks[j]
        if _name_word(t, lex) or (_is_cap(t) and t.lower == "the" and j == start):
            name_s = j if name_s is None else name_s
            name_e = j + 1
            j += 1
            continue
        if t.lower in lex.outlet_modifiers:
            j += 1
            continue
        if t.lower in lex.audiences:
            j += 1
            return None, j
        break
    if j == start:
        return None, k
    if name_s is None:
        return None, k
    return _join(toks, name_s, name_e - 1), j


def _join(toks: Sequence[Token], i: int, j: int) -> str:
    return " ".join(t.text for t in toks[i : j + 1]) if i <= j else ""


def _sentence_via(toks: Sequence[Token], lo: int, hi: int) -> str | None:
    """A channel named anywhere in the sentence after an introducer ("Speaking to the private Geo television")."""
    lex = _lex()
    firsts = lex.introducers.firsts
    for k in range(lo, hi):
        if toks[k].lower not in firsts:  # most tokens start no introducer: no phrase lookup
            continue
        n = _match_at(toks, k, lex.introducers, hi)
        if n:
            ch, _ = _channel_np(toks, k + n, hi)
            if ch:
                return ch
    return None


def _find_cues(toks: Sequence[Token], lo: int, hi: int, persons: frozenset[str]) -> list[_Cue]:
    """Speech cues of one sentence (tokens lo..hi-1), in token order, pronouns unresolved."""
    lex = _lex()
    cues: list[_Cue] = []
    svia = _sentence_via(toks, lo, hi)

    def add(anchor_k, np, direction, rule, via=None, span_lo=None, span_hi=None):
        s = toks[min(span_lo if span_lo is not None else anchor_k, np.i if np else anchor_k)].start
        e = toks[max(span_hi if span_hi is not None else anchor_k, np.j if np else anchor_k)].end
        cues.append(_Cue(toks[anchor_k].start, s, e, direction, rule, np, via or svia, anchor_k))

    # A sentence opening with a known speaker's name and "that": the verb was dropped ("Arshad that about 40 ...").
    np0 = _np_at_start(toks, lo, hi)
    if np0 and np0.kind == "person" and np0.j + 1 < hi and toks[np0.j + 1].lower == "that":
        if toks[np0.j].lower in persons:
            add(np0.j + 1, np0, "pre", "missing-verb")

    k = lo
    according = lex.according.firsts
    while k < hi:
        t = toks[k]
        n = _match_at(toks, k, lex.according, hi) if t.lower in according else 0
        if n:
            np = _report_source(toks, _np_forward(toks, k + n, hi), hi)
            if np:
                before = k > lo and toks[k - 1].text in {",", "("}
                add(k, np, "post" if before else "pre", "according-to", span_hi=np.j)
                k = np.j + 1
                continue
        if t.lower in lex.report_nouns and k + 1 < hi and toks[k + 1].lower in lex.report_link:
            np = _np_back(toks, k, lo)
            if np:
                add(k, np, "pre", "report")
        elif t.lower in lex.participles and k - 1 >= lo and toks[k - 1].text == ",":
            add(k, None, "pre", "participle")
        elif t.lower in lex.verbs and not _passive(toks, k, lo, hi):
            cue = _verb_cue(toks, k, lo, hi)
            if cue:
                np, direction, rule, via, span_lo, span_hi = cue
                add(k, np, direction, rule, via, span_lo, span_hi)
        elif t.lower in lex.toll_verbs and (np := _toll_reviser(toks, k, lo, hi)):
            add(k, np, "pre", "toll-revision")
        k += 1
    return cues


def _toll_reviser(toks: Sequence[Token], k: int, lo: int, hi: int) -> _NP | None:
    """The subject of a verb at k that revises a toll ("Norway police on Monday lowered the combined death toll"),
    or None when no toll noun follows it closely or no speaker stands before it."""
    lex = _lex()
    if not any(toks[x].lower in lex.toll_objects for x in range(k + 1, min(hi, k + 1 + lex.toll_object_reach))):
        return None
    j = _before_adverbs(toks, k, lo, lex)
    if j - 1 >= lo and toks[j].lower in _weekdays() and toks[j - 1].lower == "on":
        j -= 2  # "police on Monday lowered"
    return _np_back(toks, j, lo) if j >= lo else None


@cache
def _weekdays() -> frozenset[str]:
    """Weekday names (time.yaml): "on Monday" between a subject and its verb."""
    return frozenset(lexicon.load("time")["weekdays"])


def _np_at_start(toks: Sequence[Token], lo: int, hi: int) -> _NP | None:
    lex = _lex()
    j = lo
    while j < hi and (_name_word(toks[j], lex) or _title_at(toks, j, hi)) and not _possessive(toks[j]):
        j += 1
    return _classify_proper(toks, lo, j - 1) if j > lo else None


def _passive(toks: Sequence[Token], k: int, lo: int, hi: int) -> bool:
    """'was said to be', 'militants accused of holding', 'were reported killed': not a speech cue."""
    lex = _lex()
    t = toks[k]
    if t.lower.endswith("ing"):
        return False
    if (
        k - 1 >= lo
        and toks[k - 1].lower in lex.passive_be
        and t.lower.endswith("ed") | (t.lower in lex.irregular_participles)
    ):
        return True
    cls = lex.verbs[t.lower]
    after = lex.passive_after.get(t.lower) or lex.passive_after.get(cls) or frozenset()
    return k + 1 < hi and toks[k + 1].lower in after


def _verb_cue(toks: Sequence[Token], k: int, lo: int, hi: int):
    """(speaker NP, direction, rule, via, span_lo, span_hi) for a speech verb at k, or None."""
    lex = _lex()
    cls = lex.verbs[toks[k].lower]
    told = cls == "told"
    j = _before_adverbs(toks, k, lo, lex)
    if quoted := _quoted_as_saying(toks, k, j, lo, hi):
        return quoted
    if j < lo:
        return None
    prev = toks[j]
    after_k, via = _skip_adjuncts(toks, k + 1, hi, told)
    closes = (
        after_k >= hi
        or toks[after_k].text in {".", ",", ";", "!", "?", ")"} | _CLOSE_Q | {'"', "'"}
        or _closing_clause(toks, after_k, hi, lex)
    )
    if prev.text in {","} | _QUOTE_TOKENS and after_k < hi and toks[after_k].lower not in {"that", ":"}:
        # '"...," said Jane Doe, head of ...' / ', said one of ...': the speaker follows the verb.
        np = _np_forward(toks, after_k, hi)
        if np and (np.j + 1 >= hi or toks[np.j + 1].text in {",", ".", ";", ":", "!", "?"}):
            return np, "post", f"{cls}-after", via, None, np.j
        loose = _loose_np(toks, after_k, hi)
        if loose:
            return loose, "post", f"{cls}-after", via, None, loose.j
    if prev.lower in lex.clause_joiners:
        return None, "post" if closes else "pre", f"{cls}-and", via, None, after_k - 1
    np = _before_appositive(toks, j, lo, lex) if prev.text == "," else _np_back(toks, j, lo)
    if np is None:
        return None
    direction = "post" if closes else "pre"
    return np, direction, f"{cls}-{'after' if direction == 'post' else 'before'}", via, None, max(after_k - 1, k)


def _report_source(toks: Sequence[Token], np: _NP | None, hi: int) -> _NP | None:
    """'according to estimates from the Pakistan army': the source a report noun names after "from" or "by",
    else np."""
    if np is None or np.kind != "report" or np.j + 2 >= hi or toks[np.j + 1].lower not in _lex().report_sources:
        return np
    return _np_forward(toks, np.j + 2, hi) or np


def _quoted_as_saying(toks: Sequence[Token], k: int, j: int, lo: int, hi: int):
    """'X cited/quoted <speaker> as saying ...': the cue of the speaker between the verb at k and "as" and a
    participle (the subject, ending at token j, its channel when an outlet), or None."""
    lex = _lex()
    if toks[k].lower not in lex.quoting_verbs:
        return None
    for a in range(k + 2, min(hi - 1, k + 1 + lex.quoting_reach)):
        if toks[a].text in {".", ";", ":"} | _QUOTE_TOKENS:
            return None
        if toks[a].lower == "as" and toks[a + 1].lower in lex.participles:
            np = _np_back(toks, a - 1, k + 1)
            if np is None:
                return None
            subject = _np_back(toks, j, lo) if j >= lo else None
            via = _channel_np(toks, subject.i, k)[0] if subject else None
            return np, "pre", "quoted-as-saying", via, None, a + 1
    return None


def _closing_clause(toks: Sequence[Token], k: int, hi: int, lex: _Lex) -> bool:
    """Whether token k opens another clause after a speech verb ("said as it advised", "as the"), so the verb's
    figures come before it."""
    if k + 1 >= hi or toks[k].lower not in lex.closing_conjunctions:
        return False
    return toks[k + 1].lower in lex.closing_clause_starts


def _before_adverbs(toks: Sequence[Token], k: int, lo: int, lex: _Lex) -> int:
    """The last token of the subject of the speech verb at k, walking back over "has", "also", "later" ..."""
    j = k - 1
    while j >= lo:
        n = _match_ending(toks, j, lex.between, lo)
        if not n:
            break
        j -= n
    return j


def _before_appositive(toks: Sequence[Token], j: int, lo: int, lex: _Lex) -> _NP | None:
    """ "Name, appositive, said" (the comma at j): the speaker is the phrase before the appositive's opening
    comma."""
    q = j - 1
    while q >= lo and toks[q].text != "," and toks[q].lower not in lex.verbs:
        q -= 1
    np = _np_back(toks, q - 1, lo) if q >= lo and toks[q].text == "," else None
    if np is None and q >= lo and toks[q].text == "," and _ends_in_a_place(toks, q - 1, lo):
        # "Britain's high commissioner in India, Sir Richard Stagg, said": the description before the commas
        # ends in a place, so the name between them is the speaker
        named = _np_back(toks, j - 1, q + 1)
        np = named if named and named.kind == "person" else None
    if np is None and q < lo:
        np = _subject(toks, lo, j)
    return np


# --- quotes --------------------------------------------------------------------------------------------


@dataclass
class _Quote:
    start: int
    end: int
    line: int
    closed: bool
    speaker: tuple[str, int, int] | None = None
    via: str | None = None
    rule: str = ""
    pronoun: str | None = None


_QUOTE_RE = re.compile(r"``|''|[“”\"]")


def _quotes(text: str, lines: list[tuple[int, int]]) -> list[_Quote]:
    """Quoted spans per line; a quote left open runs to the end of its line (multi-paragraph quotes)."""
    out = []
    for n, (ls, le) in enumerate(lines):
        open_at = None
        for m in _QUOTE_RE.finditer(text, ls, le):
            q = m.group()
            if q in _OPEN_Q or (q == '"' and open_at is None):
                if open_at is None:
                    open_at = m.start()
            elif open_at is not None:
                out.append(_Quote(open_at, m.end(), n, True))
                open_at = None
        if open_at is not None:
            out.append(_Quote(open_at, le, n, False))
    return out


# --- the document pass ---------------------------------------------------------------------------------


@dataclass
class _Sent:
    start: int
    end: int
    lo: int
    hi: int
    line: int
    cues: list[_Cue] = field(default_factory=list)


def _surface(text: str, toks: Sequence[Token], np: _NP) -> tuple[str, int, int]:
    s, e = toks[np.i].start, toks[np.j].end
    return text[s:e], s, e


def _around(spans: Sequence, starts: list[int], off: int, strict: bool = False) -> int | None:
    """Index of the span holding offset off (strict: past its start), among spans in text order that do not
    overlap (lines, sentences, quotes), by bisection: a scan of them all per offset is quadratic."""
    k = (bisect.bisect_left if strict else bisect.bisect_right)(starts, off) - 1
    return k if k >= 0 and off < spans[k][1] else None


def _analyse(text: str, skip: Sequence[tuple[int, int]], toks: Sequence[Token]):
    """Sentences with resolved cues, and quotes with their speakers: two passes over the sentences, the first
    to learn which names speak somewhere in the article (for pronouns and dropped verbs), the second to
    resolve each cue's speaker in reading order. toks: the text's tokens."""
    starts = [t.start for t in toks]
    lines = split_lines(text)
    skips = SpanIndex(skip)
    sents = _sentence_spans(text, starts, lines, skips)
    persons = _speaking_persons(toks, sents)
    quotes = _quotes(text, [ln for ln in lines if not skips.covers(*ln)])
    _resolve_cues(text, toks, sents, persons, quotes)
    _quote_speakers(text, quotes, sents)
    return _Doc(text, toks, starts, sents, quotes)


def _sentence_spans(text: str, starts: list[int], lines: list[tuple[int, int]], skips: SpanIndex) -> list[_Sent]:
    """The sentences outside furniture, with their token range and line."""
    line_starts = [a for a, _ in lines]
    sents: list[_Sent] = []
    for s, e in sentences(text):
        if skips.covers(s, e):
            continue
        lo, hi = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
        if lo < hi:
            line = _around(lines, line_starts, s)
            sents.append(_Sent(s, e, lo, hi, -1 if line is None else line))
    return sents


def _speaking_persons(toks: Sequence[Token], sents: list[_Sent]) -> frozenset[str]:
    """Pass 1: the (last) names of persons who speak somewhere in the article."""
    persons: set[str] = set()
    for st in sents:
        for c in _find_cues(toks, st.lo, st.hi, frozenset()):
            if c.np and c.np.kind == "person":
                persons.add(toks[c.np.j].lower)
    return frozenset(persons)


@dataclass
class _Antecedents:
    """The last person and the last group (institution, anonymous source, organisation) named as speakers,
    in reading order: what 'he' and 'they' refer to."""

    person: tuple[str, int, int] | None = None
    group: tuple[str, int, int] | None = None


def _resolve_cues(
    text: str, toks: Sequence[Token], sents: list[_Sent], persons: frozenset[str], quotes: list[_Quote]
) -> None:
    """Pass 2: each sentence's cues, each with its speaker's mention (pronouns resolved), in reading order."""
    quote_spans, quote_starts = [(q.start, q.end) for q in quotes], [q.start for q in quotes]
    last = _Antecedents()
    for st in sents:
        st.cues = _find_cues(toks, st.lo, st.hi, persons)
        np0 = _np_at_start(toks, st.lo, st.hi)
        if np0 and np0.kind == "person" and toks[np0.j].lower in persons:
            last.person = _surface(text, toks, np0)
        prev_cue: _Cue | None = None
        resume = st.lo  # where the search for the sentence's subject stands (see _subject_from)
        for c in st.cues:
            k = _around(quote_spans, quote_starts, c.anchor, strict=True)
            c.in_quote = None if k is None else quote_spans[k]
            np = c.np
            if np is None:  # participle / "and said": the speaker of the clause before, else the subject
                if prev_cue is not None:
                    c.mention, c.pronoun = prev_cue.mention, prev_cue.pronoun
                    continue
                np, resume = _subject_from(toks, st.lo, c.tok, resume)
                if np is None:
                    continue
                c.np = np
            _set_mention(text, toks, c, np, last)
            prev_cue = c


def _set_mention(text: str, toks: Sequence[Token], c: _Cue, np: _NP, last: _Antecedents) -> None:
    """A cue's speaker: a pronoun's antecedent (else the pronoun itself), or the noun phrase, which becomes the
    antecedent of later pronouns."""
    if np.kind == "pronoun":
        word = toks[np.i].lower
        ante = last.person if word in _lex().pron_person else last.group
        c.pronoun = word
        c.mention = ante if ante else _surface(text, toks, np)
        return
    c.mention = _surface(text, toks, np)
    if np.kind == "person":
        last.person = c.mention
    elif np.kind in {"institution", "anonymous", "org"}:
        last.group = c.mention


# What may stand between a quote and its speaker's cue: "...," said X / X said: "...".
_GAP_AFTER_RE = re.compile(r"[\s,]*")


class _ByOffset:
    """Cues sorted by one of their offsets, for those whose offset falls in a range."""

    def __init__(self, cues: list[_Cue], offset: Callable[[_Cue], int]) -> None:
        self.order = sorted(range(len(cues)), key=lambda n: offset(cues[n]))
        self.offsets = [offset(cues[n]) for n in self.order]

    def within(self, lo: int, hi: int) -> list[int]:
        """Positions (in the cue list) of the cues whose offset is in lo..hi inclusive."""
        return self.order[bisect.bisect_left(self.offsets, lo) : bisect.bisect_right(self.offsets, hi)]


def _gap_before(text: str, off: int) -> int:
    """Start of the run of spaces, commas and colons that ends at off, and of a "that" before it ('The ministry
    announced that "two terrorists have been neutralized"': the quote is what was announced)."""
    while off > 0 and (text[off - 1].isspace() or text[off - 1] in ",:"):
        off -= 1
    if text[max(0, off - 4) : off].lower() == "that" and (off < 5 or not text[off - 5].isalnum()):
        off -= 4
        while off > 0 and text[off - 1].isspace():
            off -= 1
    return off


def _quote_speakers(text: str, quotes: list[_Quote], sents: list[_Sent]) -> None:
    # A quote's cue stands across nothing but spaces and commas (colons before it), so only the cues with an
    # offset in that gap are tried, not every cue of the document (each gap is its own stretch of the text, so
    # every cue is looked at about once). Among those, the first in reading order wins, as a scan would find.
    cues = [c for st in sents for c in st.cues if c.mention]
    by_start, by_anchor, by_end = (_ByOffset(cues, f) for f in (_cue_start, _cue_anchor, _cue_end))
    prev: _Quote | None = None
    for q in quotes:
        gap_end = _GAP_AFTER_RE.match(text, q.end).end()
        after = by_start.within(q.end, gap_end)
        after = after or [n for n in by_anchor.within(q.end, gap_end) if cues[n].start < q.start]
        before = by_end.within(_gap_before(text, q.start), q.start)
        hit = cues[min(after or before)] if after or before else None
        if hit:
            q.speaker, q.via, q.rule, q.pronoun = hit.mention, hit.via, "quote-speaker", hit.pronoun
        elif (
            prev
            and prev.speaker
            and (prev.line == q.line or (prev.line == q.line - 1 and q.start == _line_start(text, q.start)))
        ):
            q.speaker, q.via, q.rule, q.pronoun = prev.speaker, prev.via, "carried:quote", prev.pronoun
        prev = q


def _line_start(text: str, off: int) -> int:
    # The first non-space offset of the line holding off.
    s = text.rfind("\n", 0, off) + 1
    while s < off and text[s].isspace():
        s += 1
    return s


def _cue_start(c: _Cue) -> int:
    return c.start


def _cue_anchor(c: _Cue) -> int:
    return c.anchor


def _cue_end(c: _Cue) -> int:
    return c.end


class _Doc:
    """One analysed article: tokens, sentences with their cues, quotes with their speakers, and what finds the
    sentence, quote and stops around a claim by bisection rather than by scanning them all per claim."""

    def __init__(self, text: str, toks: list[Token], starts: list[int], sents: list[_Sent], quotes: list[_Quote]):
        self.text, self.toks, self.sents, self.quotes = text, toks, sents, quotes
        self.sent_spans, self.sent_starts = [(st.start, st.end) for st in sents], [st.start for st in sents]
        self.quote_spans, self.quote_starts = [(q.start, q.end) for q in quotes], [q.start for q in quotes]
        self.stops = [t.start for t in toks if t.text in _STOPS]  # sentence stops and semicolons, in text order
        self.cues: dict[int, _SentCues] = {}

    def sentence(self, off: int) -> int | None:
        return _around(self.sent_spans, self.sent_starts, off)

    def quote(self, off: int) -> _Quote | None:
        k = _around(self.quote_spans, self.quote_starts, off, strict=True)
        return None if k is None else self.quotes[k]

    def last_stop_before(self, off: int) -> int:
        """Offset of the last stop token starting before off (-1 if none)."""
        k = bisect.bisect_left(self.stops, off)
        return self.stops[k - 1] if k else -1

    def first_stop_from(self, off: int) -> int:
        """Offset of the first stop token starting at or after off (past the text if none)."""
        k = bisect.bisect_left(self.stops, off)
        return self.stops[k] if k < len(self.stops) else len(self.text) + 1

    def sentence_cues(self, idx: int) -> _SentCues:
        if idx not in self.cues:
            self.cues[idx] = _SentCues(self.sents[idx], self.text)
        return self.cues[idx]


class _RangeMin:
    """The least of values[lo:hi] in constant time (a sparse table)."""

    def __init__(self, values: list) -> None:
        self.levels = [values]
        width = 1
        while 2 * width <= len(values):
            row = self.levels[-1]
            self.levels.append([min(row[i], row[i + width]) for i in range(len(row) - width)])
            width *= 2

    def least(self, lo: int, hi: int):
        if hi <= lo:
            return None
        level = (hi - lo).bit_length() - 1
        row = self.levels[level]
        return min(row[lo], row[hi - (1 << level)])


class _SentCues:
    """The usable cues of one sentence, grouped by the quote they stand in (None: outside quotes) and sorted,
    so that each claim finds its nearest cue in log time: a long sentence can hold thousands of claims and cues.
    Cues are keyed by (anchor, position in the sentence's cue list), so ties go to the earlier cue, as max and
    min over the list would have it."""

    def __init__(self, st: _Sent, text: str) -> None:
        usable = [(c.anchor, n, c) for n, c in enumerate(st.cues) if c.mention]
        self.pre: dict[tuple[int, int] | None, list[tuple[int, int, _Cue]]] = {}
        for key in sorted((a, -n, c) for a, n, c in usable if c.direction == "pre"):
            self.pre.setdefault(key[2].in_quote, []).append(key)
        self.pre_anchors = {group: [a for a, _, _ in keys] for group, keys in self.pre.items()}
        post: dict[tuple[int, int] | None, list[tuple[int, int, _Cue]]] = {}
        for c_start, a, n, c in sorted((c.start, a, n, c) for a, n, c in usable if c.direction == "post"):
            post.setdefault(c.in_quote, []).append((c_start, a, n, c))
        self.post = {
            group: ([x[0] for x in rows], _RangeMin([(a, n) for _, a, n, _ in rows]), {n: c for _, _, n, c in rows})
            for group, rows in post.items()
        }
        intro = [c for c in st.cues if c.mention and c.direction == "pre"]
        self.intro = intro[-1] if intro else None
        self.ends_in_colon = text[st.start : st.end].rstrip().endswith(":")

    def nearest_pre(self, claim: Claim, group: tuple[int, int] | None, after: int) -> _Cue | None:
        """The pre cue of the group with the largest anchor before the claim and after offset after, whose own
        span does not hold the claim."""
        keys, anchors = self.pre.get(group, []), self.pre_anchors.get(group, [])
        for k in range(bisect.bisect_left(anchors, claim.start) - 1, -1, -1):
            anchor, _, c = keys[k]
            if anchor <= after:
                break
            if not (c.start <= claim.start < c.end):
                return c
        return None

    def nearest_post(self, groups: list, lo: int, hi: int) -> _Cue | None:
        """The post cue of the groups that starts in lo..hi-1 with the least anchor."""
        best = None
        for group in groups:
            if group in self.post:
                starts, least, cue_at = self.post[group]
                found = least.least(bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi))
                if found is not None and (best is None or found < best[0]):
                    best = (found, cue_at[found[1]])
        return None if best is None else best[1]


def _make(claim: Claim, mention, via, rule, pronoun=None) -> Attribution:
    if mention is None:
        return Attribution(claim.start, None, None, None, None, "none")
    cue = f"{rule}|pronoun:{pronoun}" if pronoun else rule
    return Attribution(claim.start, mention[0], mention[1], mention[2], via, cue)


def _attribute_one(doc: _Doc, claim: Claim) -> Attribution:
    idx = doc.sentence(claim.start)
    if idx is None:
        return _make(claim, None, None, "none")
    st, cues = doc.sents[idx], doc.sentence_cues(idx)
    quote = doc.quote(claim.start)
    span = None if quote is None else (quote.start, quote.end)
    # A pre cue governs the claim with no stop between them; inside a quote, only a cue of that quote does (a
    # cue outside it, or in another quote, cannot stand between the quote's start and the claim).
    pre = cues.nearest_pre(claim, span, doc.last_stop_before(claim.start))
    if quote is not None:
        if pre:
            return _make(claim, pre.mention, pre.via, pre.rule, pre.pronoun)
        if quote.speaker:
            return _make(claim, quote.speaker, quote.via, quote.rule, quote.pronoun)
    if pre:
        return _make(claim, pre.mention, pre.via, pre.rule, pre.pronoun)
    post = cues.nearest_post([None] if span is None else [None, span], claim.end, doc.first_stop_from(claim.end))
    if post:
        return _make(claim, post.mention, post.via, post.rule, post.pronoun)
    # "X said:" at the end of the previous sentence of the paragraph introduces this one.
    if idx > 0:
        ps, before = doc.sents[idx - 1], doc.sentence_cues(idx - 1)
        if before.ends_in_colon and ps.line in (st.line, st.line - 1) and before.intro:
            c = before.intro
            return _make(claim, c.mention, c.via, "carried:next-sentence", c.pronoun)
    return _make(claim, None, None, "none")


def attribute(
    text: str, claims: Sequence[Claim], skip: Sequence[tuple[int, int]] = (), toks: Sequence[Token] | None = None
) -> list[Attribution]:
    """One Attribution per claim, in the same order (see the module comments for the rules). toks: the text's
    tokens, when the caller has them (doc_mentions reads the same ones)."""
    doc = _analyse(text, skip, tokenize(text) if toks is None else toks)
    return _named_later(doc, [_attribute_one(doc, c) for c in claims])


def _named_later(doc: _Doc, atts: list[Attribution]) -> list[Attribution]:
    """'A receptionist at the hospital said ...', then '..., said the receptionist, Komang': an unnamed speaker
    whose description the article later names in apposition ("the <head>, <Name>") is that person, when the
    article names only one such person. And 'the office said' after 'The Paris prosecutor's office said' is the
    fuller speaker with the same head, stated before it."""
    names: dict[str, tuple[int, int] | None] | None = None  # read from the tokens only when a speaker needs it
    fuller: dict[str, Attribution] = {}  # head -> the latest speaker of three or more words with that head
    out = list(atts)
    for k in sorted(range(len(atts)), key=lambda x: atts[x].claim_start):  # in reading order
        a = atts[k]
        words = (a.speaker or "").split()
        head = words[-1].lower() if words else ""
        described = a.speaker_start is not None and words and words[0].lower() in _lex().articles
        if described and names is None:
            names = _appositive_names(doc.toks)
        if described and head in names:
            found = names[head]
            if found is not None and found[0] > a.speaker_start:
                a = replace(a, speaker=doc.text[found[0] : found[1]], speaker_start=found[0], speaker_end=found[1])
        elif len(words) == 2 and words[0].lower() in _lex().articles and head in fuller:
            # "The Paris prosecutor's office said ...", then "the office said": the same institution
            f = fuller[head]
            a = replace(a, speaker=f.speaker, speaker_start=f.speaker_start, speaker_end=f.speaker_end)
        elif len(words) >= 3 and a.speaker_start is not None:
            fuller[head] = a
        out[k] = a
    return out


def _appositive_names(toks: Sequence[Token]) -> dict[str, tuple[int, int] | None]:
    """Anonymous head -> the (start, end) of the one person named in apposition to "the <head>," in the tokens
    (None: two different names, so neither)."""
    lex = _lex()
    found: dict[str, tuple[int, int] | None] = {}
    named: dict[str, str] = {}  # head -> the name's words, to tell a second mention of one name from another name
    for k in range(1, len(toks) - 2):
        head = toks[k].lower
        if head not in lex.anonymous or toks[k - 1].lower != "the" or toks[k + 1].text != ",":
            continue
        if not _name_word(toks[k + 2], lex):
            continue
        j = _run_end(toks, k + 2, lex)
        np = _classify_proper(toks, k + 2, j) if j >= k + 2 else None
        if np is None or np.kind != "person":
            continue
        words = " ".join(t.text for t in toks[k + 2 : j + 1])
        if head not in found:
            found[head], named[head] = (toks[k + 2].start, toks[j].end), words
        elif named[head] != words:
            found[head] = None
    return found


# --- speaker resolution --------------------------------------------------------------------------------


def _edit(a: str, b: str) -> int:
    """Levenshtein distance."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


_VOWELS_RE = re.compile(r"[aeiouy]")
_DOUBLES_RE = re.compile(r"(.)\1+")
_NOT_SLUG_RE = re.compile(r"[^a-z0-9]+")
_LEADING_THE_RE = re.compile(r"^(?:The|the)\s+")


def _skeleton(w: str) -> str:
    # First letter, then consonants with doubles collapsed: "azeem"/"azim" -> "azm".
    rest = _VOWELS_RE.sub("", w[1:])
    return w[:1] + _DOUBLES_RE.sub(r"\1", rest)


def _variant(a: str, b: str) -> bool:
    """Two name tokens are spellings of one name (see the module comments)."""
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    if a == b:
        return True
    if a[:1] != b[:1] or min(len(a), len(b)) < 4:
        return False
    return _edit(a, b) <= 1 or _skeleton(a) == _skeleton(b)


def _same_person(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Full names of one person: same length, all tokens variants, one identical; or one a suffix of the other."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) < 2 or not _variant(a[-1], b[-1]):
        return False
    tail = b[len(b) - len(a) :]
    pairs = list(zip(a, tail, strict=True))
    return all(_variant(x, y) for x, y in pairs) and any(x.lower() == y.lower() for x, y in pairs)


def _slug(name: str) -> str:
    return _NOT_SLUG_RE.sub("-", name.lower()).strip("-") or "speaker"


class _Occ(NamedTuple):
    """One written mention of a person in a document, with what surrounds it (a tuple: the runs of a document
    are pickled and spilled, and read back once)."""

    surface: str  # as written, with titles
    name: tuple[str, ...]  # without titles
    title: str | None
    pre: str | None  # lower-case descriptor before ("military spokesman")
    appositive: str | None  # ", the chief military spokesman,"
    possessor: str | None  # "Al Jazeera's Rageh Omaar"
    clause: str | None  # ", who has waited four days for word on his brother," (kind cues only)


def _name_runs(text: str, toks: Sequence[Token]) -> list[_Occ]:
    """Every capitalised name run in a document (its tokens toks) with its titles, descriptors and appositive."""
    lex = _lex()
    out = []
    k = 0
    while k < len(toks):
        if not (_name_word(toks[k], lex) or _title_at(toks, k, len(toks))) or _possessive(toks[k]):
            k += 1
            continue
        j = _run_end(toks, k, lex)
        if j < k:
            k += 1
            continue
        occ = _occurrence(text, toks, k, j, lex)
        if occ is not None:
            out.append(occ)
        k = j + 1
    return out


def _run_end(toks: list[Token], k: int, lex: _Lex) -> int:
    """The last token of the name run starting at k (name words, titles, connectors), before a possessive."""
    j = k + max(_title_at(toks, k, len(toks)), 1) - 1  # "Major general ...": a title partly in lower case
    while (
        j + 1 < len(toks)
        and not _possessive(toks[j])
        and (
            _name_word(toks[j + 1], lex)
            or _title_at(toks, j + 1, len(toks))
            or (toks[j + 1].lower in lex.connectors and j + 2 < len(toks) and _name_word(toks[j + 2], lex))
            or (_initial_dot(toks, j + 1) and j + 2 < len(toks) and _name_word(toks[j + 2], lex))
        )
    ):
        j += 1
    return j - 1 if _possessive(toks[j]) else j


def _initial_dot(toks: Sequence[Token], k: int) -> bool:
    """Whether token k is the dot of an initial ("R. Jadhav": the tokenizer splits "R" from its dot)."""
    prev = toks[k - 1]
    return toks[k].text == "." and prev.end == toks[k].start and len(prev.text) == 1 and prev.text.isupper()


def _occurrence(text: str, toks: list[Token], k: int, j: int, lex: _Lex) -> _Occ | None:
    """The name run toks[k..j] with its titles, descriptors, affiliation and appositives; None when it names
    only descriptors or organisation words."""
    n = _strip_titles(toks, k, j)
    # A lower-case rank after a capitalised one ("Major general Waheed Arshad").
    while n <= j and _match_ending(toks, n, lex.titles, k) and not _is_cap(toks[n]):
        n += 1
    name = tuple(t.text for t in toks[n : j + 1])
    if not name or all(w.lower() in lex.descriptors or w.lower() in lex.org_words for w in name):
        return None
    p = k - 1
    while p >= 0 and toks[p].lower in lex.descriptors and not _is_cap(toks[p]):
        p -= 1
    pre = _join(toks, p + 1, k - 1) or None
    poss = toks[k - 1].text[:-2] if k >= 1 and _possessive(toks[k - 1]) else None
    if poss and k >= 2 and _name_word(toks[k - 2], lex):
        poss = toks[k - 2].text + " " + poss
    if pre and p >= 0 and _name_word(toks[p], lex):
        # "Soviet Foreign Ministry spokesman Yuri ...": the organisation before the role is the affiliation.
        q = _proper_back(toks, p, 0)
        poss = poss or _join(toks, q + (toks[q].lower == "the"), p)
    return _Occ(
        text[toks[k].start : toks[j].end],
        name,
        _join(toks, k, n - 1) or None,
        pre,
        _appositive(text, toks, j),
        poss,
        _appositive(text, toks, j, clauses=True),
    )


_APPOSITIVE_RE = re.compile(r",\s*([^,.;:\"“”\n]{3,120})(?=[,.;:\n]|\Z)")


def _appositive(text: str, toks: Sequence[Token], j: int, clauses: bool = False) -> str | None:
    """', the chief military spokesman,' after a name: the phrase up to the next comma or stop."""
    if j + 1 >= len(toks) or toks[j + 1].text != ",":
        return None
    m = _APPOSITIVE_RE.match(text, toks[j].end)  # matched in place: a copy of the rest of the text is quadratic
    if not m:
        return None
    phrase = m.group(1).strip()
    first, lex = phrase.split()[0].lower(), _lex()
    if first in lex.irregular_participles | lex.clause_joiners or first[:1].isdigit():
        return None
    if first in lex.relative_pronouns:
        return phrase if clauses else None
    if first not in lex.articles and not phrase[:1].islower() and not phrase.split()[0].endswith(("'s", "’s")):
        return None
    return phrase


def _mention_np(text: str, s: int, e: int) -> _NP | None:
    toks = tokenize(text, s, e)
    if not toks:
        return None
    np = _np_back(toks, len(toks) - 1, 0)
    if np is None or np.i != 0 and np.kind not in {"person", "org"}:
        np = _NP(0, len(toks) - 1, "anonymous") if np is None else np
    return np


def _description(surface: str) -> str:
    """A common-noun speaker without determiner, relative clause or case: 'A military official' -> 'military official'."""
    lex = _lex()
    toks = tokenize(surface)
    i = _match_at(toks, 0, lex.determiners)
    if i < len(toks) and toks[i].lower == "of":  # "one of about 20 people ...": keep the partitive
        i = 0
    words = [t.text for t in toks[i:]]
    # Keep the case of proper modifiers ("U.S. commanders"); common words go lower-case.
    return " ".join(w if _proper_word(w) else w.lower() for w in words)


def _proper_word(w: str) -> bool:
    lex = _lex()
    if not w[:1].isupper():
        return False
    return "." in w or w[1:] != w[1:].lower() or (w.lower() not in lex.descriptors and w.lower() not in lex.heads)


class _KindTally:
    """_kind over words that come phrase by phrase, keeping only each kind's count and first cue: a person's
    kind is read from every occurrence of their names, which a corpus may hold thousands of."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.first: dict[str, tuple[int, int, int]] = {}
        self.seen = [0, 0]  # words, then hyphen parts, tallied so far

    def add(self, *phrases: str | None) -> None:
        """The words of phrases in the order _words gives them: every phrase's words before any hyphen part."""
        words = [w for p in phrases if p for w in _WORD_RE.findall(p)]
        self.add_words(words, 0)
        self.add_words([part for w in words if "-" in w for part in w.split("-")], 1)

    def add_words(self, words: Sequence[str], rank: int) -> None:
        for w in words:
            low = w.lower()
            for n, (kind, cues) in enumerate(_lex().kinds.items()):
                if low in cues:
                    self.counts[kind] += 1
                    # a part of an earlier phrase comes after a word of a later one: the least, not the first met
                    self.first[kind] = min(self.first.get(kind, (2,)), (rank, self.seen[rank], n))
            self.seen[rank] += 1

    def kind(self) -> str:
        if not self.counts:
            return "unknown"
        # Ties go to the kind cued first: a modifier before the head ("relief official") says more than the head.
        return min(self.counts, key=lambda k: (-self.counts[k], self.first[k]))


def _kind(words: list[str]) -> str:
    """The kind of a speaker from its words; for one who speaks for a body ("spokesman for the militants"), the
    body's kind when its words give one."""
    lex = _lex()
    low = [w.lower() for w in words]
    for k in range(len(low) - 1):
        if low[k] in lex.speaks_for and low[k + 1] in lex.speaks_for_links:
            body = _KindTally()
            body.add_words(words[k + 2 :], 0)
            if body.counts:
                return body.kind()
            break
    tally = _KindTally()
    tally.add_words(words, 0)
    return tally.kind()


_WORD_RE = re.compile(r"[\w.'’-]+")
_AFFILIATION_RE = re.compile(
    r"\b(?:of|for|at|with)\s+(?:the\s+)?(?:private\s+|state\s+)?((?:[A-Z][\w.'’-]*\s*)+(?:(?:of|for)\s+(?:[A-Z][\w.'’-]*\s*)+)?)"
)
_POSSESSOR_RE = re.compile(r"(?:the\s+)?(\w[\w.-]*(?:\s+[A-Z][\w.-]*)*)['’]s\b")


def _words(*phrases: str | None) -> list[str]:
    # Hyphenated words also count by their parts ("government-appointed").
    words = [w for p in phrases if p for w in _WORD_RE.findall(p)]
    return words + [part for w in words if "-" in w for part in w.split("-")]


def _affiliation_in_appositive(o: _Occ) -> str | None:
    """'a spokesman for the Newark Police Department' -> that org; "Al Jazeera's correspondent" -> Al Jazeera."""
    if o.appositive:
        m = _AFFILIATION_RE.search(o.appositive)
        if m:
            return m.group(1).strip()
        m = _POSSESSOR_RE.match(o.appositive)
        if m:
            return m.group(1)
    return None


def _possessor(o: _Occ) -> str | None:
    return o.possessor or None


def _affiliation_word(o: _Occ) -> str | None:
    """'army spokesman' -> army."""
    lex = _lex()
    for phrase in (o.pre, o.appositive):
        ws = [w.lower() for w in _words(phrase)]
        for a, b in zip(ws, ws[1:], strict=False):
            if a in lex.institutions and b in lex.anonymous:
                return a
    return None


# A person's affiliation: the first occurrence's of the first sort any occurrence gives.
_AFFILIATION_SORTS = (_affiliation_in_appositive, _possessor, _affiliation_word)


def _role_votes(o: _Occ) -> list[tuple[str, int]]:
    """The roles one occurrence gives its person, with their votes toward the person's title."""
    lex = _lex()
    votes = []
    if o.appositive:
        toks = tokenize(o.appositive)
        i = _match_at(toks, 0, lex.determiners)
        role = " ".join(t.text for t in toks[i:])
        if len(role.split()) <= 6:
            votes.append((role, 2))  # an appositive states the role in full ("the chief military spokesman")
    if o.pre and any(w in lex.anonymous for w in o.pre.lower().split()):
        votes.append((o.pre, 1))
    return votes


class _Profile:
    """What the occurrences of one person's names say of them, tallied in corpus order as they come: the distinct
    names and surfaces, the votes for a title, the first affiliation of each sort and the kind's cues. A much
    quoted person costs what is said of them, not every occurrence."""

    def __init__(self) -> None:
        self.names: Counter = Counter()  # full names, in order of first occurrence (ties go to the first)
        self.surfaces: dict[str, None] = {}
        self.joined: dict[str, None] = {}
        self.roles: Counter = Counter()
        self.ranks: Counter = Counter()
        self.affiliations: list[str | None] = [None] * len(_AFFILIATION_SORTS)
        self.kinds = _KindTally()

    def add(self, o: _Occ, full: bool) -> None:
        """One more occurrence (full: its name is a full name of the cluster map)."""
        if full:
            self.names[o.name] += 1
        self.surfaces.setdefault(o.surface)
        self.joined.setdefault(" ".join(o.name))
        self.kinds.add(o.title, o.pre, o.appositive, o.possessor, o.clause)
        for role, votes in _role_votes(o):
            self.roles[role] += votes
        if o.title:
            self.ranks[o.title] += 1
        for n, sort in enumerate(_AFFILIATION_SORTS):
            if self.affiliations[n] is None:
                self.affiliations[n] = sort(o)

    def title(self) -> str | None:
        """The role most often given in an appositive or before the name, else the most common rank."""
        if self.roles:
            return max(self.roles, key=lambda r: (self.roles[r], -len(r)))
        return max(self.ranks, key=lambda r: (self.ranks[r], len(r))) if self.ranks else None

    def affiliation(self) -> str | None:
        return next((a for a in self.affiliations if a is not None), None)


def _full_names(persons: Sequence[tuple[str, ...]], names: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Full names: the multi-token names of person mentions, and the names (multi-token name runs of the
    documents quoting a person) whose last word is a spelling variant of a speaker's last word (each distinct
    last word tried once), but a body's name ("Sonatrach of Algeria": org_connectors). Their order does not matter: only the clusters they make."""
    fulls = list(dict.fromkeys(n for n in persons if len(n) > 1))
    seen = set(fulls)
    speakers_last = _Variants(list(dict.fromkeys(n[-1] for n in persons)))
    spoken: dict[str, bool] = {}
    org = _lex().org_connectors
    for name in names:
        if len(name) > 1 and name not in seen and org.isdisjoint(w.lower() for w in name):
            last = name[-1]
            if last not in spoken:
                spoken[last] = bool(speakers_last.of(last))
            if spoken[last]:
                fulls.append(name)
                seen.add(name)
    return fulls


class _Variants:
    """Words (name tokens) indexed by what two spelling variants share (see _variant): the word itself, its
    consonant skeleton, and the word less any one letter (one edit apart, two words share one of these), so
    the variants of a word are found without trying every word."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = list(words)
        self.by_key: dict[tuple, list[int]] = defaultdict(list)
        for n, w in enumerate(self.words):
            for key in _variant_keys(w):
                self.by_key[key].append(n)

    def of(self, word: str) -> list[int]:
        """Indices (ascending) of the words that are spelling variants of word."""
        found = {n for key in _variant_keys(word) for n in self.by_key.get(key, ())}
        return sorted(n for n in found if _variant(word, self.words[n]))


def _variant_keys(word: str) -> set[tuple]:
    w = word.lower().rstrip(".")
    keys: set[tuple] = {("=", w)}
    if len(w) >= 4:
        keys.add(("skeleton", _skeleton(w)))
        keys.update(("less", w[0], w[:i] + w[i + 1 :]) for i in range(len(w)))
    return keys


class _Clusters:
    """Full names united into persons (spelling variants), found through indexes: trying every full name
    against every other is quadratic in a long article. _InDoc gives the person a name in a document stands for."""

    def __init__(self, fulls: list[tuple[str, ...]]) -> None:
        parent = list(range(len(fulls)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        # the pairs a full scan would unite, in the order it would meet them (so the same representatives)
        lasts = _Variants([f[-1] for f in fulls])
        pairs = sorted({(a, b) for a in range(len(fulls)) for b in lasts.of(fulls[a][-1]) if a < b})
        for a, b in pairs:
            if _same_person(fulls[a], fulls[b]):
                parent[find(a)] = find(b)
        self.of_full = {n: find(i) for i, n in enumerate(fulls)}
        self.corpus = _Pool(fulls, self.of_full)


class _InDoc:
    """The person a name written in one document stands for (a cluster, else the name itself), each name
    resolved once: trying every name run against every full name is quadratic in a long article."""

    def __init__(self, clusters: _Clusters, runs: Sequence[_Occ]) -> None:
        self.clusters, self.runs = clusters, runs
        self.pool: _Pool | None = None
        self.resolved: dict[tuple[str, ...], int | str] = {}

    def of(self, name: tuple[str, ...]) -> int | str:
        if name in self.clusters.of_full:
            return self.clusters.of_full[name]
        if name not in self.resolved:
            self.resolved[name] = self._short_form(name)
        return self.resolved[name]

    def _short_form(self, name: tuple[str, ...]) -> int | str:
        # A short form: the fullest name in the same article ending in it, else the unique one in the corpus.
        of_full = self.clusters.of_full
        if self.pool is None:
            names = [o.name for o in self.runs if len(o.name) > 1 and o.name in of_full]
            self.pool = _Pool(list(dict.fromkeys(names)), of_full)
        for pool in (self.pool, self.clusters.corpus):
            for exact in (True, False):
                hits = pool.ending_in(name, exact)
                if len(hits) == 1:
                    return hits.pop()
                if hits:
                    break
        return " ".join(name)


class _Pool:
    """Full names (of the cluster map) that a short name may end: by their lower-cased endings for an exact
    match, by the variants of their last word otherwise."""

    def __init__(self, names: list[tuple[str, ...]], of_full: dict[tuple[str, ...], int]) -> None:
        self.names, self.of_full = names, of_full
        self.endings: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for f in names:
            low = tuple(w.lower() for w in f)
            for k in range(1, len(f)):
                self.endings[low[len(f) - k :]].add(of_full[f])
        self.lasts = _Variants([f[-1] for f in names])

    def ending_in(self, name: tuple[str, ...], exact: bool) -> set[int]:
        """Clusters of the longer full names whose last words match name (exactly, else as variants)."""
        if exact:
            return set(self.endings.get(tuple(w.lower() for w in name), ()))
        return {
            self.of_full[f]
            for f in (self.names[n] for n in self.lasts.of(name[-1]))
            if len(f) > len(name) and all(_variant(x, y) for x, y in zip(name, f[len(f) - len(name) :], strict=True))
        }


def _read_document(
    clusters: _Clusters,
    runs: Sequence[_Occ],
    persons: Sequence[tuple[tuple[str, int], tuple[str, ...]]],
    groups: dict[int | str, list[tuple[str, int]]],
    profiles: dict[int | str, _Profile],
) -> None:
    """One document's part of speaker resolution: its person mentions (key, name) to their clusters, in order,
    and its name runs to the profiles of the persons they write (a full name anywhere; a short form in a
    document that quotes that person). Profiles of full names nobody is credited under are never read."""
    in_doc = _InDoc(clusters, runs)
    quoted: set[int | str] = set()
    for key, name in persons:
        cid = in_doc.of(name)
        groups[cid].append(key)
        quoted.add(cid)
    for o in runs:
        full = clusters.of_full.get(o.name) if len(o.name) > 1 else None
        if full is not None:
            profiles[full].add(o, True)
        if quoted:
            short = in_doc.of(o.name)
            if short != full and short in quoted:
                profiles[short].add(o, False)  # not a full name: a full name is its own cluster's


@dataclass(frozen=True)
class DocMentions:
    """What speaker resolution needs of one document, read where its text was read (it holds no text): each
    credited mention, keyed (doc, start), as a person's key name or another speaker's description, with its
    surface and, for the others, the characters after it where anonymity is said; the document's distinct
    multi-token names when it quotes a person; and its name runs, pickled (a resolver spills them)."""

    doc: str
    persons: dict[tuple[str, int], tuple[str, ...]]
    others: dict[tuple[str, int], tuple[str, str, bool]]
    surfaces: dict[tuple[str, int], str]
    around: dict[tuple[str, int], str]
    names: tuple[tuple[str, ...], ...]
    runs: bytes


# How far after a description's start an anonymity cue ("who spoke on condition of anonymity") is looked for.
ANONYMITY_CHARS = 200


def doc_mentions(
    doc: str, text: str, spans: Sequence[tuple[int, int]], toks: Sequence[Token] | None = None
) -> DocMentions:
    """A document's DocMentions, from the (start, end) of the speaker of each of its credited claims. toks: the
    text's tokens, when the caller has them."""
    person_of, other_of = _classify_mentions([(doc, text, s, e) for s, e in spans])
    end_of: dict[int, int] = {}
    for s, e in spans:
        end_of.setdefault(s, e)
    runs = _name_runs(text, tokenize(text) if toks is None else toks)
    return DocMentions(
        doc,
        person_of,
        other_of,
        {k: text[k[1] : end_of[k[1]]] for k in person_of},
        {k: text[k[1] : k[1] + ANONYMITY_CHARS] for k in other_of},
        tuple(dict.fromkeys(o.name for o in runs if len(o.name) > 1)) if person_of else (),
        pickle.dumps(runs, protocol=pickle.HIGHEST_PROTOCOL),
    )


class SpeakerResolver:
    """resolve_speakers fed one document's DocMentions at a time, in corpus order, in memory that grows with the
    mentions credited and the distinct names of the documents quoting a person, not with their texts: each
    document's name runs go to spill (a binary file; None: kept pickled in memory) and resolve() reads them
    back once, in order. Persons are merged across the corpus, so nothing is resolved before resolve()."""

    def __init__(self, spill: BinaryIO | None = None) -> None:
        self.person_of: dict[tuple[str, int], tuple[str, ...]] = {}
        self.other_of: dict[tuple[str, int], tuple[str, str, bool]] = {}
        self.surfaces: dict[tuple[str, int], str] = {}
        self.around: dict[tuple[str, int], str] = {}
        self.names: dict[tuple[str, ...], None] = {}
        self.spill = spill
        self.kept: list[tuple[str, bytes]] = []
        self.n_docs = 0

    def add(self, m: DocMentions) -> None:
        self.person_of.update(m.persons)
        self.other_of.update(m.others)
        self.surfaces.update(m.surfaces)
        self.around.update(m.around)
        self.names.update(dict.fromkeys(m.names))
        if self.spill is None:
            self.kept.append((m.doc, m.runs))
        else:
            pickle.dump((m.doc, m.runs), self.spill, protocol=pickle.HIGHEST_PROTOCOL)
        self.n_docs += 1

    def _runs(self) -> Iterator[tuple[str, list[_Occ]]]:
        """Each document's name runs, in the order they were added, one document in memory at a time."""
        if self.spill is None:
            for doc, blob in self.kept:
                yield doc, pickle.loads(blob)
            return
        self.spill.seek(0)
        for _ in range(self.n_docs):
            doc, blob = pickle.load(self.spill)
            yield doc, pickle.loads(blob)

    def resolve(self) -> tuple[list[Speaker], dict[tuple[str, int], str]]:
        """One Speaker per distinct speaker, and (doc_id, speaker_start) -> source_id (see resolve_speakers)."""
        ids = _Ids()
        speakers, id_of = self._persons(ids)
        others, other_ids = _other_speakers(self.other_of, self.around, ids)
        return speakers + others, {**id_of, **other_ids}

    def _persons(self, ids: _Ids) -> tuple[list[Speaker], dict[tuple[str, int], str]]:
        """One Speaker per cluster of person names, named by its fullest name, with every way it was written."""
        clusters = _Clusters(_full_names(list(self.person_of.values()), self.names))
        keys_of: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for key in self.person_of:
            keys_of[key[0]].append(key)
        groups: dict[int | str, list[tuple[str, int]]] = defaultdict(list)
        profiles: dict[int | str, _Profile] = defaultdict(_Profile)
        for doc, runs in self._runs():
            persons = [(k, self.person_of[k]) for k in keys_of.pop(doc, [])]
            _read_document(clusters, runs, persons, groups, profiles)
        speakers = [self._speaker(keys, profiles.get(cid) or _Profile(), ids) for cid, keys in groups.items()]
        id_of = {k: sp.source_id for sp, keys in zip(speakers, groups.values(), strict=True) for k in keys}
        return speakers, id_of

    def _speaker(self, keys: list[tuple[str, int]], p: _Profile, ids: _Ids) -> Speaker:
        if p.names:
            canon = max(p.names, key=lambda n: (len(n), p.names[n], len(" ".join(n))))
        else:
            canon = max((self.person_of[k] for k in keys), key=len)
        aliases = tuple(dict.fromkeys([*p.surfaces, *p.joined, *(self.surfaces[k] for k in keys)]))
        name = " ".join(canon)
        return Speaker(ids.new(name), name, aliases, p.title(), p.affiliation(), p.kinds.kind(), False, False)


def resolve_speakers(
    mentions: Sequence[tuple[str, str, int, int]],
) -> tuple[list[Speaker], dict[tuple[str, int], str]]:
    """One Speaker per distinct speaker across the corpus, and (doc_id, speaker_start) -> source_id: persons are
    clustered by name across documents, other speakers (institutions, descriptions) by their description. The
    mentions (doc_id, text, start, end) are read document by document, in order of each one's first mention."""
    by_doc: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    for doc, text, s, e in mentions:
        by_doc.setdefault(doc, (text, []))[1].append((s, e))
    resolver = SpeakerResolver()
    for doc, (text, spans) in by_doc.items():
        resolver.add(doc_mentions(doc, text, spans))
    return resolver.resolve()


def _classify_mentions(
    mentions: Sequence[tuple[str, str, int, int]],
) -> tuple[dict[tuple[str, int], tuple[str, ...]], dict[tuple[str, int], tuple[str, str, bool]]]:
    """(doc, start) -> the key name of each person mention, and -> (description, surface, is_institution) of
    every other mention (an organisation's name, an anonymous or institutional description)."""
    lex = _lex()
    person_of: dict[tuple[str, int], tuple[str, ...]] = {}
    other_of: dict[tuple[str, int], tuple[str, str, bool]] = {}
    for doc, text, s, e in mentions:
        surface = text[s:e]
        np = _mention_np(text, s, e)
        if np and np.kind == "person":
            toks = tokenize(text, s, e)
            k = _strip_titles(toks, np.i, np.j)
            while k <= np.j and _match_ending(toks, k, lex.titles, np.i) and not _is_cap(toks[k]):
                k += 1
            person_of[(doc, s)] = tuple(t.text for t in toks[k : np.j + 1]) or (surface,)
        elif np and np.kind == "org":
            other_of[(doc, s)] = (_LEADING_THE_RE.sub("", surface), surface, True)
        else:
            kind = np.kind if np else "anonymous"
            head = surface.split()[-1].lower() if surface.split() else ""
            other_of[(doc, s)] = (_description(surface), surface, kind == "institution" or head in lex.institutions)
    return person_of, other_of


class _Ids:
    """source_ids from names, unique across the corpus ('waheed-arshad', then 'waheed-arshad-2')."""

    def __init__(self) -> None:
        self.used: Counter = Counter()

    def new(self, name: str) -> str:
        base = _slug(name)
        self.used[base] += 1
        return base if self.used[base] == 1 else f"{base}-{self.used[base]}"


def _other_speakers(
    other_of: dict[tuple[str, int], tuple[str, str, bool]], around: dict[tuple[str, int], str], ids: _Ids
) -> tuple[list[Speaker], dict[tuple[str, int], str]]:
    """One Speaker per description ('the army', 'a police official'); anonymous unless an institution that the
    text does not call unnamed."""
    lex = _lex()
    by_desc: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for key, (name, _, _) in other_of.items():
        by_desc[name.lower()].append(key)
    speakers: list[Speaker] = []
    id_of: dict[tuple[str, int], str] = {}
    for keys in by_desc.values():
        name, _, inst = other_of[keys[0]]
        surfaces = tuple(dict.fromkeys(other_of[k][1] for k in keys))
        anon_text = " ".join(around[k] for k in keys)
        anonymous = not inst or any(" ".join(p) in anon_text.lower() for p in lex.anonymity)
        sid = ids.new(name)
        speakers.append(Speaker(sid, name, surfaces, None, None, _kind(_words(name)), anonymous, inst))
        id_of.update((k, sid) for k in keys)
    return speakers, id_of


def _norm(s: str) -> str:
    """Lower-case, titles and a leading article or quantifier stripped, spaces collapsed."""
    lex = _lex()
    toks = tokenize(s.strip())
    i = _match_at(toks, 0, lex.determiners)
    while i < len(toks):
        n = _match_at(toks, i, lex.titles)
        if not n or i + n >= len(toks):
            break
        i += n
    return " ".join(t.lower for t in toks[i:] if t.text not in {",", "."})


def source_matches(gold: str, speaker: Speaker) -> bool:
    """How evaluation compares a gold `source` to a predicted speaker. Both sides are normalised (lower-case,
    leading titles and a leading "the"/"a"/"an"/quantifier stripped). A match is equality with the canonical
    name or any alias; for institutions and anonymous sources, also the gold words being the tail of the
    description ("army" matches "pakistani army", "military official" matches "senior military official")."""
    g = _norm(gold)
    if not g:
        return False
    forms = {_norm(speaker.name)} | {_norm(a) for a in speaker.aliases}
    if g in forms:
        return True
    if speaker.is_institution or speaker.is_anonymous:
        gw = g.split()
        return any(f.split()[-len(gw) :] == gw for f in forms if f)
    return False
