"""as_of: statement time, latest time reported, publication day — on the seeds."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import seed_text

from analysis import config
from analysis.asof import as_of_for, elapsed_point, publication_day, reported_points
from analysis.claims import extract
from analysis.furniture import find_furniture
from analysis.times import tag_times

PKT = ZoneInfo("Asia/Karachi")


def _as_of(prefix: str, needle: str, published: date = date(2007, 7, 10)):
    """(as_of, low, high, basis) in local time for the claim whose sentence holds needle."""
    text = seed_text(prefix)
    ev = config.load().event
    skip = [(s.start, s.end) for s in find_furniture(text)]
    times = tag_times(text, published.isoformat(), ev.timezone, skip)
    points = reported_points(text, times, ev.start)
    day = publication_day(published, ev.timezone)
    pos = text.index(needle)
    claim = next(c for c in extract(text, skip, published, ev.start, ev.end) if c.start >= pos)
    a = as_of_for(claim.start, (claim.sentence_start, claim.sentence_end), claim.scope, points, day, ev.start)
    return a.as_of.astimezone(PKT), a.low.astimezone(PKT), a.high.astimezone(PKT), a.basis


def local(h: int, m: int = 0, day: int = 10) -> datetime:
    return datetime(2007, 7, day, h, m, tzinfo=PKT)


def test_after_the_five_hours_statement_figures_are_current_from_0900():
    # 004: "Speaking about five hours after the assault started at around 4 a.m. ..., Arshad said" and later
    # "Arshad that about 40 militants had been killed"
    as_of, low, high, basis = _as_of("004", "Arshad that about 40")
    assert (as_of, low, high, basis) == (local(9), local(9), local(0, day=11), "latest time reported")


def test_thirteen_hours_later_puts_ieans_figures_in_the_evening():
    # 003: "more than 13 hours later they were still fighting" precedes "around 50 militants had been killed"
    as_of, low, _, basis = _as_of("003", "Our eight soldiers")
    assert basis == "latest time reported" and as_of.hour >= 17


def test_elapsed_hours_count_from_the_event_start():
    # 002: "The battle was still raging after more than three hours." -> 04:00 + 3 h
    text = seed_text("002")
    ev = config.load().event
    (t,) = [t for t in tag_times(text, "2007-07-10", ev.timezone) if t.text == "more than three hours"]
    assert elapsed_point(text, t, ev.start).astimezone(PKT) == local(7)
    as_of, *_ = _as_of("002", "Arshad said at least 20")
    assert as_of == local(7)


def test_headline_figure_falls_back_to_the_day_from_the_assault_start():
    # 001's headline comes before any time: the publication day, from 04:00 (the event start)
    as_of, low, high, basis = _as_of("001", "'Dozens dead'")
    assert (low, high, basis) == (local(4), local(0, day=11), "publication day") and as_of == local(14)


def test_siege_day_figure_uses_friday_evening():
    as_of, low, _, basis = _as_of("000", "one of about 20 people", date(2007, 7, 6))
    assert basis == "latest time reported" and low == local(18, day=6)


@pytest.mark.parametrize("tz", ["Asia/Karachi", "UTC", "America/New_York"])
def test_publication_day_is_one_local_day(tz):
    start, end = publication_day(date(2007, 7, 10), tz)
    assert (end - start).total_seconds() == 86400 and start.tzinfo is not None
