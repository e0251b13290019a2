"""When each figure was current: statement time, else the latest time reported so far, else the publication day."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from analysis.times import TimeExpr

_DURATION_RE = re.compile(r"^PT?(\d+)([HDM])$")
_UNITS = {"H": timedelta(hours=1), "D": timedelta(days=1)}
# Words before an expression that make it something other than "the time of the report".
_NOT_A_REPORT_TIME = ("since", "until", "till", "before", "by")


@dataclass(frozen=True)
class AsOf:
    """The time a figure was current: a point with bounds (UTC), the anchoring expression and the basis."""

    as_of: datetime
    low: datetime
    high: datetime
    anchor: TimeExpr | None
    basis: str


def publication_day(published_on: date, tz: str) -> tuple[datetime, datetime]:
    """The publication date's local day as a UTC interval."""
    zone = ZoneInfo(tz)
    start = datetime.combine(published_on, time(0), zone)
    return start.astimezone(ZoneInfo("UTC")), (start + timedelta(days=1)).astimezone(ZoneInfo("UTC"))


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
        if _word_before(text, t.start) in _NOT_A_REPORT_TIME:
            continue
        if t.starts_at is not None and t.timex_type in ("DATE", "TIME"):
            out.append((t.start, t.starts_at, t))
        elif (point := elapsed_point(text, t, event_start)) is not None:
            out.append((t.start, point, t))
    return out


def as_of_for(
    claim_start: int,
    sentence: tuple[int, int],
    scope: str,
    points: Sequence[tuple[int, datetime, TimeExpr]],
    day: tuple[datetime, datetime],
    event_start: datetime,
) -> AsOf:
    """Statement time (a clock time in the claim's sentence, before the count), else the latest time the
    article has reported before the claim on the publication day, else the publication day's span."""
    day_start, day_end = day
    in_day = [(off, moment, t) for off, moment, t in points if day_start <= moment < day_end and off < claim_start]
    for off, moment, t in reversed(in_day):
        if sentence[0] <= off and t.timex_type == "TIME":
            high = t.ends_at if t.ends_at and t.ends_at > moment else moment
            return AsOf(moment, moment, high, t, "statement time")
    if in_day:
        off, moment, t = max(in_day, key=lambda p: (p[1], p[0]))
        low = moment
        # a figure about the focal event cannot be current before the event began
        if scope == "event" and low < event_start < day_end:
            low = event_start
        return AsOf(low, low, day_end, t, "latest time reported")
    low = event_start if scope == "event" and day_start < event_start < day_end else day_start
    return AsOf(low + (day_end - low) / 2, low, day_end, None, "publication day")
