"""Numbers in digits or words ("1,200", "2.5", "twenty-four", "two hundred and twenty", "1.5 million", "half a
dozen"): the one number reader of the extractors, over the number words of lexicon/numbers.yaml. quantities.py reads
counts of people with it, times.py counts of time units; what only one of them reads is a Style."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from analysis import lexicon
from analysis.text.tokens import PhraseTable

# Digits as one token: grouped by commas ("1,200") or with a decimal part ("2.5"); any script's digits.
DIGITS_RE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Style:
    """What a reader takes beyond plain numbers. The defaults read counts of people (quantities.py); the time tagger
    reads counts of time units, where "a week" is one week and "2 1/2 years" two and a half."""

    # "a week", "hundred years", "dozen": an article alone is one, so is a bare multiple or scale below a thousand
    implicit_one: bool = False
    phrases: bool = False  # numbers.yaml's phrases: "a couple of days"
    fractions: bool = False  # numbers.yaml's fractions after digits: "2 1/2 years"
    digit_hundreds: bool = False  # "3 hundred": digits take "hundred" (they always take "thousand", "million")


@dataclass(frozen=True)
class NumberWords:
    """numbers.yaml, ready to read: the word tables and the phrase tables."""

    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    multiples: dict[str, int]
    articles: frozenset[str]
    conjunctions: frozenset[str]
    halves: frozenset[str]
    fractions: PhraseTable  # ("1", "/", "2") -> 0.5
    phrases: PhraseTable  # ("a", "couple", "of") -> 2

    def words(self) -> frozenset[str]:
        """Every word of a number table (units, tens, scales, multiples): a number may hold only these, the
        articles, conjunctions, halves and phrases around them, and digits."""
        return frozenset({*self.units, *self.tens, *self.scales, *self.multiples})

    def first_words(self, style: Style | None = None) -> frozenset[str]:
        """Every word a number in words can start with in style (in any style when None), as read_number reads."""
        words = {*self.units, *self.tens, *self.articles, *self.halves}  # "a dozen", "half a dozen"
        if style is None or style.phrases:
            words |= {p[0] for p in self.phrases}
        if style is None or style.implicit_one:
            words |= {w for w, v in self.scales.items() if v < 1000} | set(self.multiples)
        return frozenset(words)


def _phrases(table: dict) -> PhraseTable:
    return PhraseTable({tuple(str(k).split()): v for k, v in table.items()})


@cache
def number_words() -> NumberWords:
    """numbers.yaml, read once."""
    raw = lexicon.load("numbers")
    return NumberWords(
        raw["units"],
        raw["tens"],
        raw["scales"],
        raw["multiples"],
        frozenset(raw["articles"]),
        frozenset(raw["conjunctions"]),
        frozenset(raw["halves"]),
        _phrases(raw["fractions"]),
        _phrases(raw["phrases"]),
    )


def word_value(word: str) -> int | None:
    """The value of one token that is a number word: a unit, a ten, or a ten and a unit written as one hyphenated
    token ("twenty-one"); None for anything else."""
    nw = number_words()
    if word in nw.units:
        return nw.units[word]
    if word in nw.tens:
        return nw.tens[word]
    head, sep, tail = word.partition("-")
    if sep and head in nw.tens and 0 < nw.units.get(tail, 0) < 10:
        return nw.tens[head] + nw.units[tail]
    return None


def _word_at(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """A number word at words[i] ("four", "twenty-one"), or a ten and a unit as tokens ("twenty", "-", "one";
    "twenty one"): (value, the index after it)."""
    if i >= len(words):
        return None
    value = word_value(words[i])
    if value is None:
        return None
    j = i + 1
    nw = number_words()
    if words[i] in nw.tens:
        k = j + 1 if j < len(words) and words[j] == "-" else j
        if k < len(words) and 0 < nw.units.get(words[k], 0) < 10:
            value, j = value + nw.units[words[k]], k + 1
    return value, j


def read_number(words: Sequence[str], i: int, style: Style = Style()) -> tuple[float, int] | None:
    """The number that starts at words[i] (lower-case token texts): (its value, the index after it), or None.
    Digits give a float ("1,200" 1200.0, "2.5", scaled: "1.5 million"), words an int ("two hundred and twenty"
    220, "a dozen" 12, "half a dozen" 6). A date is no concern of this reader: callers that refuse dates check
    first."""
    if i >= len(words):
        return None
    if DIGITS_RE.fullmatch(words[i]):
        return _digits(words, i, style)
    w = words[i]
    if w not in _starts() and w.partition("-")[0] not in number_words().tens:  # most words: no number
        return None
    return _words(words, i, style)


@cache
def _starts() -> frozenset[str]:
    return number_words().first_words()


def _digits(words: Sequence[str], i: int, style: Style) -> tuple[float, int]:
    """Digits, then a fraction (if the style takes them) and one scale: "1,200", "2 1/2", "1.5 million"."""
    nw = number_words()
    value, j = float(words[i].replace(",", "")), i + 1
    if style.fractions and (frac := nw.fractions.at_words(words, j)):
        value, j = value + nw.fractions[frac[0]], frac[1]
    if j < len(words) and words[j] in nw.scales and (style.digit_hundreds or nw.scales[words[j]] >= 1000):
        value, j = value * nw.scales[words[j]], j + 1
    return value, j


def _words(words: Sequence[str], i: int, style: Style) -> tuple[int, int] | None:
    """A number in words: a phrase (if the style takes them), "a dozen", "half a dozen", "twenty-one", then the
    rest of it ("hundred and twenty", "thousand")."""
    nw = number_words()
    n = len(words)
    w = words[i]
    if style.phrases and (phrase := nw.phrases.at_words(words, i)):
        return _rest(words, nw.phrases[phrase[0]], phrase[1])
    nxt = words[i + 1] if i + 1 < n else ""
    if w in nw.articles and (nxt in nw.multiples or nxt in nw.scales):
        return _rest(words, 1, i + 1)  # "a dozen", "a hundred"
    if w in nw.halves and nxt in nw.articles and i + 2 < n and words[i + 2] in nw.multiples:
        return nw.multiples[words[i + 2]] // 2, i + 3  # "half a dozen"
    if style.implicit_one and w in nw.articles:
        return 1, i + 1  # "a week"
    if style.implicit_one and (nw.scales.get(w, 1000) < 1000 or w in nw.multiples):
        return _rest(words, 1, i)  # "hundred years"; not "thousand": "several thousand years" is no thousand
    first = _word_at(words, i)
    return None if first is None else _rest(words, *first)


def _rest(words: Sequence[str], base: int, j: int) -> tuple[int, int]:
    """The rest of a number in words after its first part, worth base: "hundred and twenty", "thousand", "dozen"."""
    nw = number_words()
    n = len(words)
    total, current = 0, base
    while j < n:
        t = words[j]
        if t in nw.multiples:
            current *= nw.multiples[t]
            j += 1
        elif t in nw.scales:
            current *= nw.scales[t]
            if nw.scales[t] >= 1000:
                total, current = total + current, 0
            j += 1
        elif t in nw.conjunctions and current and current % 100 == 0 and _word_at(words, j + 1) is not None:
            j += 1  # "one hundred and twenty"
        elif current % 10 == 0 and (current == 0 or current >= 100) and (part := _word_at(words, j)) is not None:
            current += part[0]
            j = part[1]
        else:
            break
    return total + current, j
