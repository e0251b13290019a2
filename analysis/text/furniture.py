"""Find page furniture (comment boxes, teasers, calls to action, captions) by general cues."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis import lexicon
from analysis.text.tokens import lines as split_lines


@dataclass(frozen=True)
class Span:
    """A furniture span in raw offsets, with the cue that found it."""

    start: int
    end: int
    kind: str
    cue: str


@dataclass(frozen=True)
class Line:
    """A non-blank line, trimmed, with raw offsets and whether a blank line precedes it."""

    start: int
    end: int
    text: str
    after_blank: bool
    norm: str  # lower case, white space folded, for cue matching


def lines(text: str) -> list[Line]:
    """Non-blank lines of text with trimmed offsets (tokens.lines); after_blank when a blank line (or the top)
    precedes: two line breaks between it and the line before."""
    out: list[Line] = []
    prev_end = None
    for s, e in split_lines(text):
        blank = prev_end is None or text.count("\n", prev_end, s) >= 2
        out.append(Line(s, e, text[s:e], blank, _norm(text[s:e])))
        prev_end = e
    return out


def _norm(line: str) -> str:
    """Lower case with every run of white space (no-break spaces too) as one space."""
    return " ".join(line.split()).lower()


def _starts(norm: str, phrases: list[str]) -> str | None:
    """The first phrase the normalized line starts with."""
    return next((p for p in phrases if norm.startswith(p)), None)


def comment_boxes(ls: list[Line], lex: dict) -> list[Span]:
    """A short 'Your Views' heading up to the line with a closing call to action."""
    box = lex["comment_box"]
    out = []
    for i, line in enumerate(ls):
        if len(line.text) > box["max_open_chars"] or not _starts(line.norm.strip("\"'"), box["open"]):
            continue
        for j in range(i + 1, min(i + 1 + box["max_lines"], len(ls))):
            close = next((p for p in box["close"] if p in ls[j].norm), None)
            if close:
                out.append(Span(line.start, ls[j].end, "comment_box", f"heading '{line.text}' .. '{close}'"))
                break
    return out


def subscribe_lines(ls: list[Line], lex: dict, max_chars: int) -> list[Span]:
    """Short lines that are calls to action (subscribe, follow us)."""
    out = []
    for line in ls:
        cue = _starts(line.norm, lex["subscribe"])
        if cue and len(line.text) <= max_chars:
            out.append(Span(line.start, line.end, "subscribe", f"call to action '{cue}'"))
    return out


def teasers(ls: list[Line], lex: dict, max_chars: int) -> list[Span]:
    """Teaser labels, repeated headline pairs, and everything after an end-of-article credit line."""
    out = []
    credit_at = None
    for i, line in enumerate(ls):
        # an end credit only counts in the second half, so an opening 'Source:' line cannot swallow a story
        if (
            _starts(line.norm, lex["end_credit"])
            and len(line.text) <= lex["max_end_credit_chars"]
            and i >= len(ls) // 2
            and i + 1 < len(ls)
        ):
            credit_at = i
            break
    if credit_at is not None:
        rest = ls[credit_at + 1 :]
        out.append(Span(rest[0].start, rest[-1].end, "teaser", f"after end credit '{ls[credit_at].text}'"))
    for i, line in enumerate(ls):
        label = _starts(line.norm, lex["teaser_labels"])
        if label and len(line.text) <= max_chars:
            out.append(Span(line.start, line.end, "teaser", f"teaser label '{label}'"))
        elif i + 1 < len(ls) and line.text == ls[i + 1].text and len(line.text) <= max_chars:
            out.append(Span(line.start, ls[i + 1].end, "teaser", "headline repeated on consecutive lines"))
    return out


def captions(ls: list[Line], lex: dict, max_chars: int) -> list[Span]:
    """A line ending in a bracketed credit, with the unfinished lines of its paragraph before it."""
    credit = re.compile(lex["caption_credit_pattern"])
    out = []
    for i, line in enumerate(ls):
        m = credit.search(line.text)
        if not m:
            continue
        first = i
        # a caption wrapped over several lines: earlier lines of the paragraph end without punctuation
        while (
            not ls[first].after_blank
            and first > 0
            and not re.search(r"[.!?\"”']$", ls[first - 1].text)
            and line.end - ls[first - 1].start <= max_chars
        ):
            first -= 1
        if line.end - ls[first].start <= max_chars:
            out.append(Span(ls[first].start, line.end, "caption", f"bracketed credit '{m.group().strip()}'"))
    return out


def merge(spans: list[Span]) -> list[Span]:
    """Sort spans and merge overlapping ones (the first span's kind and cue win)."""
    out: list[Span] = []
    for sp in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and sp.start <= out[-1].end:
            last = out[-1]
            out[-1] = Span(last.start, max(last.end, sp.end), last.kind, last.cue)
        else:
            out.append(sp)
    return out


def find_furniture(text: str, max_caption_chars: int = 300, max_teaser_line_chars: int = 160) -> list[Span]:
    """All furniture spans of a raw text, merged and sorted."""
    lex = lexicon.load("furniture")
    ls = lines(text)
    found = (
        comment_boxes(ls, lex)
        + subscribe_lines(ls, lex, max_teaser_line_chars)
        + teasers(ls, lex, max_teaser_line_chars)
        + captions(ls, lex, max_caption_chars)
    )
    return merge(found)


def inside(spans: list[Span] | list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps any span."""
    for sp in spans:
        s, e = (sp.start, sp.end) if isinstance(sp, Span) else sp
        if start < e and s < end:
            return True
    return False
