"""Spans that reach back from a report to an earlier incident: "almost three years after the blasts which killed 202"."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from functools import cache

from analysis import lexicon
from analysis.extract.places import incident_at
from analysis.extract.times import TimeExpr
from analysis.text.tokens import PhraseTable, tokenize

_SPAN_RE = re.compile(r"P(\d+)(Y|M|W|D)")
_SPAN_DAYS = {"Y": 365, "M": 30, "W": 7, "D": 1}
_AFTER_REACH = 16  # characters after the span in which its incident word must start


@cache
def _incident_words() -> PhraseTable:
    words = lexicon.load("claims")["scope"]["span_before_incident"]
    return PhraseTable(dict.fromkeys((tuple(t.lower for t in tokenize(w)) for w in words), True))


def _span_days(t: TimeExpr) -> int | None:
    """The length in days of a span of days, weeks, months or years ("P3Y"), else None."""
    m = _SPAN_RE.fullmatch(t.timex_value) if t.timex_type == "DURATION" else None
    return None if m is None else int(m[1]) * _SPAN_DAYS[m[2]]


def _last_span(
    times: Sequence[TimeExpr], count_start: int, sentence_start: int, ties: Callable[[TimeExpr], bool]
) -> tuple[TimeExpr, int] | None:
    """(the span, its length in days) of the last span in the count's sentence, before the count, that ties it to
    an incident (ties), or None."""
    found = None
    for t in times:
        if sentence_start <= t.start and t.end <= count_start and (days := _span_days(t)) is not None and ties(t):
            found = (t, days)
    return found


def span_back(
    text: str, count_start: int, sentence_start: int, times: Sequence[TimeExpr]
) -> tuple[TimeExpr, int] | None:
    """(the span, its length in days) when a span in the count's sentence, before the count, is followed by
    "after"/"since"/"to the day" (claims.yaml scope.span_before_incident): the count belongs to the incident that
    long before the report. The last such span before the count wins."""

    def followed_by_incident_word(t: TimeExpr) -> bool:
        after = tokenize(text, t.end, min(count_start, t.end + _AFTER_REACH))
        return _incident_words().at(after, 0) is not None

    return _last_span(times, count_start, sentence_start, followed_by_incident_word)


def incident_span(
    text: str, count_start: int, sentence_start: int, times: Sequence[TimeExpr]
) -> tuple[TimeExpr, int] | None:
    """(the span, its length in days) when a span used as an adjective names an incident before the count in its
    sentence: "after an eight-day siege which had itself cost 24 lives". The incident began that long before the
    report; the last such span before the count wins."""

    def names_an_incident(t: TimeExpr) -> bool:
        k = t.end
        while k < count_start and text[k] == " ":
            k += 1
        # only the words right after the span are lower-cased, not the document
        return "-" in t.text and incident_at(text[k : k + _AFTER_REACH * 2].lower(), 0)

    return _last_span(times, count_start, sentence_start, names_an_incident)


def began_well_before(days: int, published_on: date, event_start: datetime) -> bool:
    """Whether an incident a span of days before the report began well before the event: the report's day less
    the span, give or take slack(days), still falls before the event's start."""
    return published_on - timedelta(days=days) + slack(days) < event_start.date()


@cache
def unit_days() -> dict[str, float]:
    """Every duration unit word of time.yaml with its size in days ("months": 30, "hours": 1/24)."""
    units = lexicon.load("time")["units"]
    return {
        w: u["months"] * 30 * u.get("factor", 1) if "months" in u else u["seconds"] * u.get("factor", 1) / 86400
        for w, u in units.items()
    }


def vague_ago_days(t: TimeExpr) -> int | None:
    """The least number of days a vague "several months ago", "weeks ago" lies before the document (two of its
    unit: "a few", "several", a bare plural), or None for any other expression. "a few hours ago" is 0 days."""
    words = t.text.lower().split()
    if t.timex_value != "PAST_REF" or len(words) < 2 or words[-1] != "ago":
        return None
    size = unit_days().get(words[-2])
    return None if size is None else int(2 * size)


def slack(days: int) -> timedelta:
    """How far the incident's date may be from the report minus the span: a quarter of the span, at least 3 days
    ("three years after" is roughly three years; "a month after" the event's own day is the event)."""
    return timedelta(days=max(3, days // 4))
