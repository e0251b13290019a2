"""When each figure was current: its own sentence's time, else the article's reporting time (docs/sources-and-times.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from analysis import lexicon
from analysis.extract.spans import slack, span_back
from analysis.extract.times import TimeExpr

UTC = ZoneInfo("UTC")
_DURATION_RE = re.compile(r"^PT?(\d+)([HDM])$")
_UNITS = {"H": timedelta(hours=1), "D": timedelta(days=1)}


@dataclass(frozen=True)
class AsOf:
    """The time a figure was current: a point with bounds (UTC), the anchoring expression and the basis."""

    as_of: datetime
    low: datetime
    high: datetime
    anchor: TimeExpr | None
    basis: str


@dataclass(frozen=True)
class Reporting:
    """An article's 'now': the latest moment it establishes, within its publication bounds (UTC)."""

    low: datetime
    high: datetime
    point: datetime
    anchor: TimeExpr | None
    basis: str


def publication_day(published_on: date, tz: str) -> tuple[datetime, datetime]:
    """The publication date's local day as a UTC interval."""
    zone = ZoneInfo(tz)
    start = datetime.combine(published_on, time(0), zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def publication_bounds(published_on: date, published_at: datetime | None, tz: str) -> tuple[datetime, datetime]:
    """(start of the publication day, the latest moment the article can speak of): the publication time when
    the manifest gives one, else the end of the publication day in the event's zone."""
    day_start, day_end = publication_day(published_on, tz)
    if published_at is None:
        return day_start, day_end
    return min(day_start, published_at), published_at


def _word_before(text: str, start: int) -> str:
    m = re.search(r"(\w+)\W*$", text[max(0, start - 20) : start])
    return m.group(1).lower() if m else ""


def _word_after(text: str, end: int) -> str:
    m = re.match(r"\W*(\w+)", text[end : end + 20])
    return m.group(1).lower() if m else ""


def elapsed_point(text: str, t: TimeExpr, event_start: datetime) -> datetime | None:
    """'after more than three hours' / 'three hours later' with no anchor in the text: counted from
    the event's start, which is what such a report measures ("the battle was still raging after ...")."""
    m = _DURATION_RE.match(t.timex_value)
    if t.timex_type != "DURATION" or not m or m.group(2) not in _UNITS:
        return None
    if _word_before(text, t.start) != "after" and _word_after(text, t.end) != "later":
        return None
    if _word_after(text, t.end) == "of":  # "after 11 hours of negotiations" times another activity
        return None
    return event_start + int(m.group(1)) * _UNITS[m.group(2)]


def reported_points(
    text: str, times: Sequence[TimeExpr], event_start: datetime
) -> list[tuple[int, datetime, TimeExpr]]:
    """(offset, moment, expression) for every expression that says how far the story has got."""
    out = []
    for t in times:
        if _word_before(text, t.start) in _time_words("not_a_report_time"):
            continue
        if t.starts_at is not None and t.timex_type in ("DATE", "TIME"):
            out.append((t.start, t.starts_at, t))
        elif (point := elapsed_point(text, t, event_start)) is not None:
            out.append((t.start, point, t))
    return out


def _is_clock(t: TimeExpr) -> bool:
    """A time of day (clock time, part of day, or hours elapsed), not a whole day."""
    return t.timex_type != "DATE"


def reporting_time(
    points: Sequence[tuple[int, datetime, TimeExpr]], bounds: tuple[datetime, datetime], event_start: datetime
) -> Reporting:
    """The latest clock-level moment the article reports within its publication bounds ("after more than
    three hours", "in the evening"); with none, the publication day from the event start, if it began then."""
    low_bound, high = bounds
    # the moment the event began ("the assault started at 4 a.m.") says when it began, not how far the story got
    clocks = [(m, off, t) for off, m, t in points if _is_clock(t) and low_bound <= m <= high and m != event_start]
    if clocks:
        moment, _, t = max(clocks, key=lambda c: (c[0], c[1]))
        return Reporting(moment, high, moment, t, "reporting time")
    low = event_start if low_bound < event_start < high else low_bound
    return Reporting(low, high, low + (high - low) / 2, None, "publication day")


@cache
def _time_words(name: str) -> frozenset[str]:
    """A word list of lexicon/time.yaml (not_a_report_time, speech_time_gap)."""
    return frozenset(lexicon.load("time")[name])


@cache
def _following_offsets() -> dict[str, int]:
    """One-word offsets counted from what follows them ("a day after", "hours before"): word -> sign (time.yaml)."""
    raw = lexicon.load("time")["offset_words"]
    return {w: o["sign"] for w, o in raw.items() if o["anchor"] == "following" and " " not in w}


@cache
def _speech_verbs() -> frozenset[str]:
    raw = lexicon.load("speech")["speech_verbs"]
    return frozenset(w for words in raw.values() for w in words)


def _tied_to_speech(text: str, t: TimeExpr) -> bool:
    """'police said at first light on Sunday': a time right after a speech verb is the statement's."""
    words = re.findall(r"[A-Za-z']+", text[max(0, t.start - 40) : t.start].lower())
    while words and words[-1] in _time_words("speech_time_gap"):
        words.pop()
    return bool(words) and words[-1] in _speech_verbs()


def _shift(text: str, t: TimeExpr, claim_start: int, times: Sequence[TimeExpr]) -> timedelta:
    """'on Wednesday, a day after at least 12 people were killed': a span with 'after'/'before' between the
    date and the count moves the count's time back or forward by that span."""
    for d in times:
        m = _DURATION_RE.match(d.timex_value)
        if d.timex_type == "DURATION" and m and m.group(2) in _UNITS and t.end <= d.start < claim_start:
            step = int(m.group(1)) * _UNITS[m.group(2)]
            word = _word_after(text, d.end)
            # the span must lead up to the count ("a day after at least 12"), not sit elsewhere in the sentence
            sign = _following_offsets().get(word)
            if sign is not None and claim_start - d.end <= 25:
                return -sign * step  # "a day after at least 12 were killed": the count is a day earlier
    return timedelta(0)


def own_time(
    text: str,
    claim_start: int,
    sentence: tuple[int, int],
    points: Sequence[tuple[int, datetime, TimeExpr]],
    times: Sequence[TimeExpr] = (),
) -> tuple[datetime, TimeExpr, timedelta] | None:
    """The time the claim's own sentence gives its figure: the last expression before the count ("by 7 p.m.
    the toll had risen to 50", "On Monday, police said 12 had died"), or one tied to the speech verb after it
    ("rescuers said at first light on Sunday"); a clock time outranks a day. The third item shifts it
    ("a day after")."""
    mine = [
        (m, off, t)
        for off, m, t in points
        if sentence[0] <= off < sentence[1]
        and (off < claim_start or _tied_to_speech(text, t) or _after_outcome_verb(text, t))
    ]
    clocks = [c for c in mine if _is_clock(c[2])]
    best = (clocks or mine or [None])[-1]
    if best is None:
        return None
    shift = _shift(text, best[2], claim_start, times) if best[1] < claim_start else timedelta(0)
    return best[0] + shift, best[2], shift


def _clamp(a: AsOf, lowest: datetime | None, highest: datetime) -> AsOf:
    """Bounds within [lowest, highest] (an event figure is never current before the event began)."""
    low = max(a.low, lowest) if lowest else a.low
    high = max(min(a.high, highest), low)
    low = min(low, high)
    return AsOf(min(max(a.as_of, low), high), low, high, a.anchor, a.basis)


def as_of_for(
    text: str,
    claim_start: int,
    sentence: tuple[int, int],
    scope: str,
    points: Sequence[tuple[int, datetime, TimeExpr]],
    reporting: Reporting,
    event_start: datetime,
    times: Sequence[TimeExpr] = (),
) -> AsOf:
    """The figure's own time when its sentence dates it, else the article's reporting time."""
    lowest = event_start if scope == "event" else None
    found = own_time(text, claim_start, sentence, points, times)
    if found is None and scope == "prior" and (span := span_back(text, claim_start, sentence[0], times)):
        # "almost three years after the blasts which killed 202": current when that incident happened
        moment = reporting.point - timedelta(days=span[1])
        return AsOf(moment, moment - slack(span[1]), moment + slack(span[1]), span[0], "span before")
    if (
        found is not None
        and scope == "event"
        and found[0] <= event_start
        and not _died_that_day(text, found, event_start)
    ):
        found = None  # "the March 11 bombings killed 191": when the incident happened, not when the toll was told
    if found is not None and found[0] > reporting.high:
        found = None  # a time after publication ("on March 11" in a 2 March story) is no statement's time
    if found is not None:
        moment, t, shift = found
        if _is_clock(t):
            return _clamp(AsOf(moment, moment, moment, t, "own time"), lowest, reporting.high)
        day_end = (t.ends_at or t.starts_at + timedelta(days=1)) + shift
        if not (moment <= reporting.point < day_end):  # a day other than the one the article reports from
            return _clamp(AsOf(moment + (day_end - moment) / 2, moment, day_end, t, "own day"), lowest, reporting.high)
    a = AsOf(reporting.point, reporting.low, reporting.high, reporting.anchor, reporting.basis)
    return _clamp(a, lowest, reporting.high)


@cache
def _outcome_verbs() -> frozenset[str]:
    """The one-word outcome verbs after a count (claims.yaml): "died", "killed", "wounded", ..."""
    outcomes = lexicon.load("claims")["outcomes"].values()
    return frozenset(w for forms in outcomes for w in forms.get("after", []) if " " not in w)


def _died_that_day(text: str, found: tuple[datetime, TimeExpr, timedelta], event_start: datetime) -> bool:
    """Whether the figure's own time is a day that holds the event's start, right after its outcome verb ("Two
    others ... died on Wednesday", the attack's first day): the figure is that day's, after the start. A day
    after an incident noun names the incident ("the attacks there on July 22 have killed 92", "the March 11
    bombings killed 191"), not when the figure was current."""
    moment, t, shift = found
    if _is_clock(t) or t.starts_at is None:
        return False
    day_end = (t.ends_at or t.starts_at + timedelta(days=1)) + shift
    return day_end > event_start and _after_outcome_verb(text, t)


def _after_outcome_verb(text: str, t: TimeExpr) -> bool:
    """Whether the time is a day right after an outcome verb and "on" ("died on Thursday"): when it happened."""
    before = text[max(0, t.start - 30) : t.start].lower().split()
    return len(before) >= 2 and before[-1] == "on" and before[-2] in _outcome_verbs()


def superseded(a: AsOf, scope: str, event_start: datetime) -> AsOf:
    """The as_of of a figure named as the one a toll replaced ("revised down from 172"): current at some time
    between the event start (the start of its window, outside the focal event) and the statement that replaced
    it, so in a series it comes before its replacement instead of competing with it at the same moment."""
    low = min(event_start, a.as_of) if scope == "event" else min(a.low, a.as_of)
    middle = (low + (a.as_of - low) / 2).replace(second=0, microsecond=0)  # to the minute, as the tables show it
    return AsOf(max(low, middle), low, a.as_of, a.anchor, "superseded")
