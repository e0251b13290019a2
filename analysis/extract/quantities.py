"""Count phrases in raw text: offsets, bounds and qualifier (digits, number words, vague words, ranges; no dates)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from analysis import lexicon
from analysis.text.numbers import DIGITS_RE, Style, read_number, word_value
from analysis.text.numbers import number_words as _number_words
from analysis.text.tokens import PhraseTable, Token, tokenize

# Counts of people: an article alone ("a soldier") is no count, nor a bare "hundred"; a count is whole, so a
# fraction is none; digits take no "hundred" ("3 hundred").
_PEOPLE = Style()
# Typeset digit groups ("1\u2009300"): thin, narrow no-break and no-break space. An ordinary space never groups
# digits, since "on 3 400 died" is two numbers.
GROUP_SEPARATORS = frozenset({"\u2009", "\u202f", "\u00a0"})
_LEAD_GROUP_RE = re.compile(r"^\d{1,3}$")
_GROUP_RE = re.compile(r"^\d{3}$")


@dataclass(frozen=True)
class Quantity:
    """A count phrase: raw offsets of the whole phrase (with its qualifier) and its reading."""

    start: int
    end: int
    text: str
    value_low: int | None
    value_high: int | None
    qualifier: str
    first: int  # index of the phrase's first token
    last: int  # index one past its last token
    vague_word: str | None = None  # the vague word when the count is vague ("dozens")


@dataclass(frozen=True)
class _Lex:
    vague: PhraseTable  # phrase -> (low, high)
    prefixes: PhraseTable  # phrase -> qualifier
    suffixes: PhraseTable  # phrase -> qualifier
    range_joiners: frozenset[str]
    range_between_joiners: frozenset[str]
    range_between: frozenset[str]
    change_before_from: frozenset[str]
    change_reach: int


@cache
def _lex() -> _Lex:
    raw = lexicon.load("quantities")
    vague = {tuple(k.split()): tuple(v) for k, v in {**raw["vague"], **raw["vague_compound"]}.items()}
    prefixes = {tuple(p.split()): q for q, ps in raw["prefix_qualifiers"].items() for p in ps}
    suffixes = {tuple(p.split()): q for q, ps in raw["suffix_qualifiers"].items() for p in ps}
    return _Lex(
        PhraseTable(vague),
        PhraseTable(prefixes),
        PhraseTable(suffixes),
        frozenset(raw["range_joiners"]),
        frozenset(raw["range_between_joiners"]),
        frozenset(raw["range_between"]),
        frozenset(raw["change_before_from"]),
        raw["change_before_from_reach"],
    )


# --- dates: a number that is part of a date is never a count ("on March 11 killed 191": only 191) ----------


@dataclass(frozen=True)
class _DateLex:
    months: frozenset[str]  # month names and abbreviations, lower case, without a dot
    day_re: re.Pattern[str]  # a day of the month, with an optional ordinal suffix ("3", "03", "3rd")
    years: tuple[int, int]  # the year numbers read as years after a month ("March 11, 2004")
    day_range_joiners: frozenset[str]  # "March 11-12", "March 11 to 14"


@cache
def _date_lex() -> _DateLex:
    # the month table is the time tagger's: one list of month words for the whole project
    time = lexicon.load("time")
    raw = lexicon.load("quantities")
    suffixes = "|".join(re.escape(s) for s in raw["ordinal_suffixes"])
    day_re = re.compile(rf"^(?:0?[1-9]|[12]\d|3[01])(?:{suffixes})?$")
    return _DateLex(frozenset(time["months"]), day_re, tuple(time["year_range"]), frozenset(raw["day_range_joiners"]))


def _is_month(tok: Token) -> bool:
    """A capitalised month word or abbreviation ("March", "Aug.", "Sept"): lower case "may", "march" are words."""
    return tok.text[:1].isupper() and tok.lower.rstrip(".") in _date_lex().months


def _is_day(tok: Token) -> bool:
    """Digits that can be a day of the month: 1-31, never "1,200" or "2.5"."""
    return _date_lex().day_re.match(tok.lower) is not None


def _glued(toks: list[Token], a: int, b: int) -> bool:
    """Tokens a..b written with no space between them ("7/8", "2004-03-11")."""
    return all(toks[k].end == toks[k + 1].start for k in range(a, b))


def _day_span(toks: list[Token], i: int) -> tuple[int, int]:
    """The day at token i with a day range around it ("11-12", "11 to 14"): (first index, index after it)."""
    joiners = _date_lex().day_range_joiners
    first, last = i, i + 1
    while first >= 2 and toks[first - 1].lower in joiners and _is_day(toks[first - 2]):
        first -= 2
    while last + 1 < len(toks) and toks[last].lower in joiners and _is_day(toks[last + 1]):
        last += 2
    return first, last


def _is_month_day(toks: list[Token], i: int) -> bool:
    """A day number right after or right before a month word: "March 11", "11 March", "Aug. 7-8"."""
    if not _is_day(toks[i]):
        return False
    first, last = _day_span(toks, i)
    # "March 3 million": a scaled number is a count, whatever stands before it (digits take no "hundred")
    scales = _number_words().scales
    if last < len(toks) and scales.get(toks[last].lower, 0) >= 1000:
        return False
    return (first > 0 and _is_month(toks[first - 1])) or (last < len(toks) and _is_month(toks[last]))


def _is_date_year(toks: list[Token], i: int) -> bool:
    """A year closing a date: "March 2004", "11 March 2004", "March 11, 2004", "July 3rd, 2004"."""
    low, high = _date_lex().years
    if not (toks[i].lower.isdigit() and len(toks[i].lower) == 4 and low <= int(toks[i].lower) <= high):
        return False
    k = i - 1 if i > 0 and toks[i - 1].text == "," else i
    return k > 0 and (_is_month(toks[k - 1]) or _is_month_day(toks, k - 1))


def _is_numeric_date(toks: list[Token], i: int) -> bool:
    """Numbers glued by "/" ("7/8", "7/8/2004", also fractions "24/7") or three glued by "-" ("2004-03-11")."""
    first = last = i
    while first >= 2 and toks[first - 1].text in ("/", "-") and toks[first - 2].lower.isdigit():
        if not _glued(toks, first - 2, first):
            break
        first -= 2
    while last + 2 < len(toks) and toks[last + 1].text in ("/", "-") and toks[last + 2].lower.isdigit():
        if not _glued(toks, last, last + 2):
            break
        last += 2
    # two numbers joined by "-" stay a range ("300-400")
    joiners = {toks[k].text for k in range(first + 1, last, 2)}
    return "/" in joiners or last - first >= 4


def _in_date(toks: list[Token], i: int) -> bool:
    """Token i (digits) is part of a date, so no count may start or end there."""
    return _is_month_day(toks, i) or _is_date_year(toks, i) or _is_numeric_date(toks, i)


@cache
def number_words() -> frozenset[str]:
    """Every word that can start or form a count (for fast pre-filtering), built once."""
    lx = _lex()
    words = set(_number_words().words())
    words |= {k[0] for k in lx.vague} | {w for k in lx.vague for w in k}
    return frozenset(words)


class _Lower(Sequence[str]):
    """The lower-cased texts of a token list, as the number reader reads them (made on access, not copied)."""

    __slots__ = ("toks",)

    def __init__(self, toks: list[Token]) -> None:
        self.toks = toks

    def __len__(self) -> int:
        return len(self.toks)

    def __getitem__(self, k):  # an index: the reader takes no slices
        return self.toks[k].lower


def _number_at(toks: list[Token], i: int) -> tuple[int, int] | None:
    """Parse an exact number starting at token i: (value, index after it), or None. Digits that are part of a date
    are none, and neither is a fraction without a scale ("2.5": a count is whole; "1.5 million" is one)."""
    if i >= len(toks):
        return None
    if not DIGITS_RE.fullmatch(toks[i].lower):
        return read_number(_Lower(toks), i, _PEOPLE)
    if _in_date(toks, i):
        return None
    value, j = read_number(_Lower(toks), i, _PEOPLE)
    if j > i + 1:  # scaled
        return int(value), j
    return (int(value), j) if value.is_integer() else None


def _prefix_before(toks: list[Token], i: int) -> tuple[str, int] | None:
    """A qualifier phrase ending right before token i: (qualifier, its first index)."""
    lx = _lex()
    m = lx.prefixes.ending(toks, i)
    return (lx.prefixes[m[0]], m[1]) if m else None


def _is_adjectival(toks: list[Token], j: int) -> bool:
    """'20-year-old', '24-hour', '12-member': a number glued by a hyphen to a word is not a count."""
    return (
        j + 1 < len(toks)
        and toks[j].text in ("-", "–")
        and toks[j].end == toks[j + 1].start
        and toks[j + 1].text[:1].isalpha()
        and word_value(toks[j + 1].lower) is None
    )


def _core_at(toks: list[Token], i: int):
    """The count at token i without its prefix: (low, high, qualifier, end index, vague word) or None."""
    lx = _lex()
    if i >= len(toks):
        return None
    vague = _lex().vague.at(toks, i)
    if vague:
        phrase, j = vague
        low, high = lx.vague[phrase]
        return low, high, "vague", j, " ".join(phrase)
    # a hyphenated word with a number part that is not a number ("eight-day") is an adjective
    if "-" in toks[i].text and word_value(toks[i].lower) is None:
        return None
    num = _number_at(toks, i)
    if num is None:
        return None
    value, j = num
    if _is_adjectival(toks, j):
        return None
    # ranges: "300-400", "300 to 400", "three or four"
    changed = i >= 1 and toks[i - 1].lower in lx.range_between and _after_a_change(toks, i - 1, lx)
    if j + 1 < len(toks) and toks[j].lower in lx.range_joiners and not changed:
        second = _number_at(toks, j + 1)
        if second and second[0] > value and not _is_adjectival(toks, second[1]):
            return value, second[0], "range", second[1], None
    suffix = _lex().suffixes.at(toks, j)
    if suffix:
        phrase, k = suffix
        qual = lx.suffixes[phrase]
        return (value, None, qual, k, None) if qual == "at_least" else (value, value, qual, k, None)
    return value, value, "exact", j, None


def _apply_prefix(low, high, qual: str, prefix: str):
    """Combine a prefix qualifier with the core reading (guideline Values table)."""
    if qual == "range" or prefix is None:
        return low, high, qual
    if qual == "vague":
        if prefix in ("at_least", "more_than"):
            return low, None, prefix
        return low, high, "vague"
    if prefix == "approximate":
        return low, high, "approximate"
    if prefix == "at_least":
        return low, None, "at_least"
    if prefix == "more_than":
        return low + 1, None, "more_than"
    if prefix == "at_most":
        return None, high, "at_most"
    if prefix == "below":
        return None, high - 1, "at_most"
    return low, high, qual


@cache
def _starters() -> frozenset[str]:
    """Words a count phrase can start with (besides digits): a cheap test before parsing."""
    lx = _lex()
    nw = _number_words()
    words = set(number_words()) | {p[0] for p in lx.prefixes} | set(lx.range_between) | nw.articles | nw.halves
    return frozenset(words)


def _may_start(tok: Token, starters: frozenset[str]) -> bool:
    low = tok.lower
    return low[:1].isdigit() or low in starters or low.split("-", 1)[0] in starters


def _grouped_end(toks: list[Token], text: str, i: int) -> int:
    """Index after the digit groups that token i leads ("1", "300", "000" of "1\u2009300\u2009000"); i + 1 if none."""
    j = i + 1
    if not _LEAD_GROUP_RE.match(toks[i].text) or _in_date(toks, i):
        return j
    while j < len(toks) and _GROUP_RE.match(toks[j].text) and text[toks[j - 1].end : toks[j].start] in GROUP_SEPARATORS:
        j += 1
    return j


def _join_digit_groups(toks: list[Token], text: str) -> tuple[list[Token], list[int]]:
    """Tokens with typeset digit groups joined into one token ("1,300", raw offsets of the whole number), and
    where each joined token starts in toks (plus len(toks)), to give the caller indices into its own list.
    The tokenizer splits on every space, so the groups are found here, where the raw text is at hand."""
    joined: list[Token] = []
    origin: list[int] = []
    i = 0
    while i < len(toks):
        j = _grouped_end(toks, text, i)
        tok = toks[i] if j == i + 1 else Token(",".join(t.text for t in toks[i:j]), toks[i].start, toks[j - 1].end)
        joined.append(tok)
        origin.append(i)
        i = j
    origin.append(len(toks))
    return joined, origin


def parse_quantities(toks: list[Token], text: str) -> list[Quantity]:
    """Every count phrase in a token list, left to right, non-overlapping; digit groups set apart by a thin or
    no-break space are one number. Quantity.first/last index toks."""
    joined, origin = _join_digit_groups(toks, text)
    found = [q for q in _parse(joined, text) if _plausible(q)]
    if len(joined) == len(toks):
        return found
    return [replace(q, first=origin[q.first], last=origin[q.last]) for q in found]


# No count of people exceeds this (more than the world's population): a larger number is an ID, a sum of money
# or garbage, never a toll, and it could not be stored as a 64-bit integer anyway.
MAX_PEOPLE = 10_000_000_000


def _plausible(q: Quantity) -> bool:
    return all(v is None or v <= MAX_PEOPLE for v in (q.value_low, q.value_high))


def _parse(toks: list[Token], text: str) -> list[Quantity]:
    """Every count phrase in a token list, left to right, non-overlapping."""
    lx = _lex()
    starters = _starters()
    out: list[Quantity] = []
    i = 0
    n = len(toks)
    while i < n:
        if not _may_start(toks[i], starters):
            i += 1
            continue
        # "between 300 and 400" / "from 300 to 400"
        if toks[i].lower in lx.range_between and i + 1 < n and not _after_a_change(toks, i, lx):
            a = _number_at(toks, i + 1)
            if a and a[1] + 1 < n and toks[a[1]].lower in lx.range_between_joiners:
                b = _number_at(toks, a[1] + 1)
                if b and b[0] > a[0] and not _is_adjectival(toks, b[1]):
                    out.append(_make(toks, text, i, b[1], a[0], b[0], "range", None))
                    i = b[1]
                    continue
        # a qualifier phrase first, so "as many as 1.7 million" is not read as the vague "many"
        pre_here = _lex().prefixes.at(toks, i)
        if pre_here and (core := _core_at(toks, pre_here[1])) is not None:
            pre, first = (lx.prefixes[pre_here[0]], i), i
            i = pre_here[1]
        else:
            core = _core_at(toks, i)
            if core is None:
                i += 1
                continue
            pre, first = _prefix_before(toks, i), i
            if pre and out and out[-1].last > pre[1]:
                pre = None
        low, high, qual, j, vague_word = core
        if pre:
            low, high, qual = _apply_prefix(low, high, qual, pre[0])
            first = pre[1]
        out.append(_make(toks, text, first, j, low, high, qual, vague_word))
        i = j
    return out


def count_end(toks: list[Token], i: int) -> int | None:
    """The index after the count phrase starting at token i ("20", "at least 20", "dozens"), or None."""
    pre = _lex().prefixes.at(toks, i)
    core = _core_at(toks, pre[1] if pre else i)
    return None if core is None else core[3]


def _after_a_change(toks: list[Token], i: int, lx: _Lex) -> bool:
    """Whether a change word stands shortly before the range word at i ("rose from 10 to 14": an old figure and a
    new one, not a range), with no punctuation between."""
    for k in range(i - 1, max(-1, i - 1 - lx.change_reach), -1):
        word = toks[k].lower
        if word in lx.change_before_from:
            return True
        if not word[:1].isalnum():
            return False
    return False


def _make(toks, text, first, last, low, high, qual, vague_word) -> Quantity:
    start, end = toks[first].start, toks[last - 1].end
    return Quantity(start, end, text[start:end], low, high, qual, first, last, vague_word)


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Count phrases in text[start:end] with raw offsets."""
    return parse_quantities(tokenize(text, start, end), text)
