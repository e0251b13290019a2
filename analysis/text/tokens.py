"""A small offset-keeping tokenizer and sentence splitter shared by every extractor."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, chain, compress, count, repeat

# Words, numbers with separators/decimals, clock times ("4am", "23:00"), abbreviations with dots
# ("a.m.", "Gen.", "U.S."), or any single other non-space character. Words come first, being most tokens, and
# initials share a word's first letter: the engine tries one branch for most tokens, not four (a quarter
# faster). Letters and digits start different branches, so the order between them changes no token.
_TOKEN_RE = re.compile(
    r"""
    [A-Za-z](?:
        \.(?:[A-Za-z]\.)+                                    # initials: a.m. U.S.
      | [A-Za-z]*(?:['’][A-Za-z]+)*(?:-[A-Za-z0-9]+)*\.?     # words, hyphen compounds, optional dot
    )
  | \d{1,2}:\d{2}(?:[ap]\.?m\.?)?            # clock time 23:00, 4:30pm
  | \d+(?:[,.]\d+)*(?:[a-zA-Z]+)?            # 20, 1,200, 3.5, 4am, 20th
  | \S
    """,
    re.VERBOSE,
)

# Tokens ending in "." that do not end a sentence.
ABBREVIATIONS = frozenset(
    """
    gen. lt. col. maj. capt. sgt. brig. adm. cpl. pvt. gov. sen. rep. rev. dr. mr. mrs. ms. st. jr. sr.
    prof. no. vs. inc. co. corp. ltd. jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec.
    mt. ft. approx. est. dept. univ. u.s. u.n. u.k. a.m. p.m.
    """.split()
)
# The longest abbreviation: a sentence splitter need look no further back than this to decide a stop.
_ABBREVIATION_MAX = max(map(len, ABBREVIATIONS))
_INITIALS_RE = re.compile(r"(?:[A-Za-z]\.){2,}")
_INITIAL_RE = re.compile(r"(?:[a-z]\.)+")  # "R.", "P.D.": initials of a name
_LINE_RE = re.compile(r"[^\n]+")
# The non-space run a stop ends, searched in a bounded window before it.
_LAST_WORD_RE = re.compile(r"\S+$")


class Token:
    """A token with its offsets into the raw text (and its lower-cased text, computed once).
    A plain slotted class: tokens are made by the hundred thousand, and a frozen dataclass is 3x slower."""

    __slots__ = ("text", "start", "end", "lower")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end, self.lower = text, start, end, text.lower()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and (self.text, self.start, self.end) == (other.text, other.start, other.end)

    def __hash__(self) -> int:
        return hash((self.text, self.start, self.end))

    def __repr__(self) -> str:
        return f"Token(text={self.text!r}, start={self.start}, end={self.end})"


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokenize text[start:end]; a word's trailing dot is split off unless it is an abbreviation."""
    end = len(text) if end is None else end
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(text, start, end):
        word = m.group()
        if _splits(word):
            tokens.append(Token(word[:-1], m.start(), m.end() - 1))
            tokens.append(Token(".", m.end() - 1, m.end()))
        else:
            tokens.append(Token(word, m.start(), m.end()))
    return tokens


# A token with the white space before it: findall gives both as strings, from which the offsets add up.
_SPACED_TOKEN_RE = re.compile(r"(\s*)(" + _TOKEN_RE.pattern + ")", re.VERBOSE)


def token_columns(text: str, start: int = 0, end: int | None = None) -> tuple[list[str], list[int], list[int]]:
    """tokenize's tokens as three columns, their texts, start and end offsets, made without a Token or a match
    object each: one findall gives each token with the white space before it, and the offsets add up from their
    lengths in C. Several times faster than tokenize for a scanner that reads most tokens only as words."""
    end = len(text) if end is None else end
    pairs = _SPACED_TOKEN_RE.findall(text, start, end)
    if not pairs:
        return [], [], []
    spaces, words = zip(*pairs, strict=True)
    # start, then the offset after each space and after each token: token k runs from [2k + 1] to [2k + 2]
    bounds = list(accumulate(chain.from_iterable(zip(map(len, spaces), map(len, words), strict=True)), initial=start))
    texts, starts, ends = list(words), bounds[1::2], bounds[2::2]
    for k in reversed(list(compress(count(), map(str.endswith, texts, repeat("."))))):
        if _splits(texts[k]):  # a trailing dot that is a token of its own: about one a sentence
            texts[k : k + 1] = texts[k][:-1], "."
            starts[k : k + 1] = starts[k], ends[k] - 1
            ends[k : k + 1] = ends[k] - 1, ends[k]
    return texts, starts, ends


def _splits(word: str) -> bool:
    """Whether a token's trailing dot is a token of its own: it is unless the word is an abbreviation or initials."""
    return len(word) > 1 and word[-1] == "." and word.lower() not in ABBREVIATIONS and not _INITIALS_RE.fullmatch(word)


_STOP_RUN_RE = re.compile(r"[.!?]+")
# What must follow a run of stop marks for it to end a sentence: closing quotes or brackets, space, a capital.
_STOP_TAIL_RE = re.compile(r"""["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")


def _stops(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence stop in text[start:end]. A run of stop marks is tried once, as a whole: one
    pattern tried at every mark of a long run ("!!!!...") fails the same way each time, which is quadratic."""
    for m in _STOP_RUN_RE.finditer(text, start, end):
        tail = _STOP_TAIL_RE.match(text, m.end(), end)
        if tail:
            yield m.start(), tail.end()


def lines(text: str, start: int = 0, stop: int | None = None) -> list[tuple[int, int]]:
    """Non-blank lines of text[start:stop], trimmed of white space (news texts put a paragraph per line)."""
    stop = len(text) if stop is None else stop
    out = []
    for m in _LINE_RE.finditer(text[start:stop]):
        s, e = start + m.start(), start + m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end]: line breaks always end a sentence, then . ! ? do
    unless the word before is a known abbreviation or an initial."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for ps, pe in lines(text, start, end):
        spans += line_sentences(text, ps, pe)
    return spans


def line_sentences(text: str, ps: int, pe: int) -> list[tuple[int, int]]:
    """The sentences of one line text[ps:pe] as lines gives it (trimmed, no line break): sentences line by line."""
    spans: list[tuple[int, int]] = []
    s = ps
    for stop, stop_end in _stops(text, ps, pe):
        if _abbreviated(text, s, stop + 1):
            continue
        spans.append((s, stop_end))
        s = stop_end
        while s < pe and text[s].isspace():
            s += 1
    if s < pe:
        spans.append((s, pe))
    return spans


def _abbreviated(text: str, s: int, end: int) -> bool:
    """Whether the word ending at end (not before s) is a known abbreviation or an initial. Only the last few
    characters are read: a word longer than any abbreviation is none, and rereading the sentence so far at
    every stop made a run of abbreviations ("Gen. A Gen. A ...") quadratic."""
    lo = max(s, end - _ABBREVIATION_MAX - 1)
    word = _LAST_WORD_RE.search(text, lo, end)
    w = word.group().lower() if word else ""
    if word and word.start() == lo and lo > s and not text[lo - 1].isspace():
        return False  # the word runs on before the window: longer than any abbreviation
    return w in ABBREVIATIONS or _INITIAL_RE.fullmatch(w) is not None


class SpanIndex:
    """Character spans (start, end), sorted once, then asked in log time whether one holds or overlaps a range:
    checking every span for every sentence or claim is quadratic in a long document."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted((a, b) for a, b in spans)
        self._starts = [a for a, _ in ordered]
        self._reach = list(accumulate((b for _, b in ordered), max))  # the furthest end of the spans so far

    def covers(self, start: int, end: int) -> bool:
        """Whether some span (a, b) holds start..end: a <= start and end <= b."""
        k = bisect.bisect_right(self._starts, start)
        return k > 0 and self._reach[k - 1] >= end

    def overlaps(self, start: int, end: int) -> bool:
        """Whether some span (a, b) overlaps start..end: a < end and start < b."""
        k = bisect.bisect_left(self._starts, end)
        return k > 0 and self._reach[k - 1] > start


def alternation(words: Iterable[str]) -> str:
    """A regex matching any of words, factored into a trie ("jan|january|june" -> "j(?:an(?:uary)?|une)"). Python's
    engine tries an alternation's branches one by one at every position; shared prefixes make it try each
    letter once, which scans news text about twice as fast for the tagger's hundred-odd trigger words."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(trie) if trie else "(?!)"  # no words: a pattern that never matches


def _emit(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _emit(sub) for ch, sub in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?"
    return body


Phrase = tuple[str, ...]


class PhraseTable(dict):
    """Lexicon phrases (tuples of lower-case words) and what each codes: the one phrase matcher of the
    extractors. Phrases are indexed by their first and by their last word, longest first, so a token that starts
    or ends no phrase is passed over at once (trying every phrase at every token of a long article is slow)."""

    def __init__(self, items: Mapping[Phrase, object] | Iterable[Phrase] = ()) -> None:
        super().__init__(items if isinstance(items, Mapping) else dict.fromkeys(items, True))
        self.by_first: dict[str, list[Phrase]] = {}
        self.by_last: dict[str, list[Phrase]] = {}
        for p in sorted((p for p in self if p), key=len, reverse=True):
            self.by_first.setdefault(p[0], []).append(p)
            self.by_last.setdefault(p[-1], []).append(p)
        self.firsts = frozenset(self.by_first)
        self.lasts = frozenset(self.by_last)

    def at(self, toks: Sequence[Token], i: int, hi: int | None = None) -> tuple[Phrase, int] | None:
        """The longest phrase starting at token i and ending by token hi: (phrase, the index after it)."""
        hi = len(toks) if hi is None else hi
        if i >= hi:
            return None
        for p in self.by_first.get(toks[i].lower, ()):
            end = i + len(p)
            if end <= hi and all(toks[i + k].lower == p[k] for k in range(1, len(p))):
                return p, end
        return None

    def ending(self, toks: Sequence[Token], end: int, lo: int = 0) -> tuple[Phrase, int] | None:
        """The longest phrase that ends right before token end and starts at lo or later: (phrase, its start)."""
        if end <= lo:
            return None
        for p in self.by_last.get(toks[end - 1].lower, ()):
            start = end - len(p)
            if start >= lo and all(toks[start + k].lower == p[k] for k in range(len(p) - 1)):
                return p, start
        return None

    def at_words(self, words: Sequence[str], i: int) -> tuple[Phrase, int] | None:
        """As at, over words already normalised by the caller (the time tagger's)."""
        if i >= len(words):
            return None
        for p in self.by_first.get(words[i], ()):
            end = i + len(p)
            if end <= len(words) and all(words[i + k] == p[k] for k in range(1, len(p))):
                return p, end
        return None
