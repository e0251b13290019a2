"""A small offset-keeping tokenizer and sentence splitter shared by every extractor."""

from __future__ import annotations

import re

# Words, numbers with separators/decimals, clock times ("4am", "23:00"), abbreviations with dots
# ("a.m.", "Gen.", "U.S."), or any single other non-space character.
_TOKEN_RE = re.compile(
    r"""
    \d{1,2}:\d{2}(?:[ap]\.?m\.?)?            # clock time 23:00, 4:30pm
  | \d+(?:[,.]\d+)*(?:[a-zA-Z]+)?            # 20, 1,200, 3.5, 4am, 20th
  | (?:[A-Za-z]\.){2,}                       # a.m. U.S.
  | [A-Za-z]+(?:['’][A-Za-z]+)*(?:-[A-Za-z0-9]+)*\.?  # words, hyphen compounds, optional dot
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
        if (
            len(word) > 1
            and word.endswith(".")
            and word.lower() not in ABBREVIATIONS
            and not re.fullmatch(r"(?:[A-Za-z]\.){2,}", word)
        ):
            tokens.append(Token(word[:-1], m.start(), m.end() - 1))
            tokens.append(Token(".", m.end() - 1, m.end()))
        else:
            tokens.append(Token(word, m.start(), m.end()))
    return tokens


_END_RE = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")


def lines(text: str, start: int = 0, stop: int | None = None) -> list[tuple[int, int]]:
    """Non-blank lines of text[start:stop], trimmed of white space (news texts put a paragraph per line)."""
    stop = len(text) if stop is None else stop
    out = []
    for m in re.finditer(r"[^\n]+", text[start:stop]):
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
        s = ps
        for m in _END_RE.finditer(text, ps, pe):
            word = re.search(r"(\S+)$", text[s : m.start() + 1])
            w = word.group(1).lower() if word else ""
            if w in ABBREVIATIONS or re.fullmatch(r"[a-z]\.", w):
                continue
            spans.append((s, m.end()))
            s = m.end()
            while s < pe and text[s].isspace():
                s += 1
        if s < pe:
            spans.append((s, pe))
    return spans
