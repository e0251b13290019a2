"""as_of: the figure's own time, else the article's reporting time, bounded by publication — on the seeds."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import seed_text
from hypothesis import given
from hypothesis import strategies as st

from analysis import config
from analysis.extract.asof import (
    as_of_for,
    elapsed_point,
    publication_bounds,
    publication_day,
    reported_points,
    reporting_time,
)
from analysis.extract.claims import extract
from analysis.extract.times import tag_times
from analysis.text.furniture import find_furniture

PKT = ZoneInfo("Asia/Karachi")
UTC = ZoneInfo("UTC")


def _as_of(
    prefix: str, needle: str, published: date = date(2007, 7, 10), published_at: datetime | None = None, text=None
):
    """(as_of, low, high, basis) in local time for the first claim at or after needle."""
    text = text or seed_text(prefix)
    ev = config.load().event
    skip = [(s.start, s.end) for s in find_furniture(text)]
    times = tag_times(text, published.isoformat(), ev.timezone, skip)
    points = reported_points(text, times, ev.start)
    reporting = reporting_time(points, publication_bounds(published, published_at, ev.timezone), ev.start)
    pos = text.index(needle)
    claim = next(c for c in extract(text, skip, published, ev.start, ev.end) if c.start >= pos)
    span = (claim.sentence_start, claim.sentence_end)
    a = as_of_for(text, claim.start, span, claim.scope, points, reporting, ev.start, times)
    return a.as_of.astimezone(PKT), a.low.astimezone(PKT), a.high.astimezone(PKT), a.basis


def local(h: int, m: int = 0, day: int = 10) -> datetime:
    return datetime(2007, 7, day, h, m, tzinfo=PKT)


def test_lead_figures_are_current_at_the_reporting_time_not_the_event_start():
    # 002 (AFP) opens with "leaving 20 rebels and three troops dead"; three paragraphs on it says "The battle
    # was still raging after more than three hours": the lead is AFP's 07:00 summary, not a 04:00 figure
    assert _as_of("002", "leaving 20 rebels")[:3] == (local(7), local(7), local(0, day=11))
    # 003 (IANS) opens with "60 militants and soldiers" and says "more than 13 hours later" further down
    as_of, low, _, basis = _as_of("003", "60 militants")
    assert basis == "reporting time" and as_of == low == local(19)


def test_headline_figure_is_current_at_the_reporting_time():
    # 004 (AP): the headline's 150 hostages sit at the latest moment the article establishes ("Speaking about
    # five hours after the assault started at around 4 a.m."), not at a fixed hour of the publication day
    assert _as_of("004", "150")[:3] == (local(9), local(9), local(0, day=11))


def test_start_time_alone_does_not_pin_the_report():
    # 001 gives only the assault's start ("at 4am"): its figures are current some time on 10 July after 04:00
    as_of, low, high, basis = _as_of("001", "'Dozens dead'")
    assert (low, high, basis) == (local(4), local(0, day=11), "publication day") and as_of == local(14)


def test_elapsed_hours_count_from_the_event_start():
    # 002: "The battle was still raging after more than three hours." -> 04:00 + 3 h
    text = seed_text("002")
    ev = config.load().event
    (t,) = [t for t in tag_times(text, "2007-07-10", ev.timezone) if t.text == "more than three hours"]
    assert elapsed_point(text, t, ev.start).astimezone(PKT) == local(7)


def test_background_figure_takes_the_past_day_its_sentence_gives():
    # 000: "The siege began ... on Wednesday, a day after at least 12 people were killed": 3 July
    as_of, low, high, basis = _as_of("000", "at least 12", date(2007, 7, 6))
    assert (low, high, basis) == (local(0, day=3), local(0, day=4), "own day") and as_of == local(12, day=3)


def test_siege_day_figure_uses_friday_evening():
    as_of, low, _, basis = _as_of("000", "one of about 20 people", date(2007, 7, 6))
    assert basis == "reporting time" and low == local(18, day=6)


NEWS = (
    "ISLAMABAD, July 12 - Troops stormed the mosque on Tuesday.\n"
    "By 7 p.m. on Wednesday the toll had risen to 50 militants killed, officials said.\n"
    "Sixty militants were dead, rescuers said at 11 p.m. on Wednesday.\n"
    "On Wednesday, police said 12 militants had died in the assault.\n"
    "Earlier, 30 militants were killed, the army said.\n"
)


@pytest.mark.parametrize(
    ("needle", "expected", "basis"),
    [
        ("50 militants", (local(19, day=11),) * 3, "own time"),  # "By 7 p.m. ... the toll had risen to 50"
        ("Sixty", (local(23, day=11),) * 3, "own time"),  # "rescuers said at 11 p.m." after the count
        ("12 militants", (local(12, day=11), local(0, day=11), local(0, day=12)), "own day"),  # "On Wednesday"
        ("30 militants", (local(12, day=12), local(0, day=12), local(0, day=13)), "publication day"),
    ],
)
def test_a_sentence_that_dates_its_figure_gives_it_that_time(needle, expected, basis):
    as_of, low, high, got = _as_of("", needle, published=date(2007, 7, 12), text=NEWS)
    assert ((as_of, low, high), got) == (expected, basis)


def test_publication_time_bounds_the_reporting_time():
    # published at 21:00 on Wednesday: the 23:00 statement is after publication, so the 19:00 one is the latest
    # the article can report; no figure is current after publication
    published_at = local(21, day=11).astimezone(UTC)
    as_of, low, high, basis = _as_of("", "30 militants", date(2007, 7, 11), published_at, text=NEWS)
    assert (as_of, low, high, basis) == (local(19, day=11), local(19, day=11), local(21, day=11), "reporting time")


def test_no_event_figure_is_current_before_the_event_start():
    # an article published the day before the window whose only time is early that day
    text = "At 1 a.m. on Tuesday police said 20 militants were killed in the assault on the mosque."
    as_of, low, high, _ = _as_of("", "20 militants", text=text)
    assert local(4) <= low <= as_of <= high


@given(
    hours=st.lists(st.integers(min_value=0, max_value=23), min_size=1, max_size=30),
    pub_hour=st.integers(min_value=4, max_value=23),  # after the 04:00 event start (see the test above)
)
def test_reporting_time_lies_within_the_publication_bounds(hours, pub_hour):
    """Whatever clock times an article holds, its reporting time is inside [day start or event start, publication]."""
    ev = config.load().event
    body = " ".join(f"At {h}:00 on Tuesday the fighting went on." for h in hours)
    text = body + " Police said 20 militants were killed."
    published_at = (local(0) + timedelta(hours=pub_hour, minutes=30)).astimezone(UTC)
    times = tag_times(text, "2007-07-10", ev.timezone)
    points = reported_points(text, times, ev.start)
    r = reporting_time(points, publication_bounds(date(2007, 7, 10), published_at, ev.timezone), ev.start)
    assert r.low <= r.point <= r.high == published_at
    claim = extract(text, (), date(2007, 7, 10), ev.start, ev.end)[-1]
    a = as_of_for(
        text, claim.start, (claim.sentence_start, claim.sentence_end), claim.scope, points, r, ev.start, times
    )
    assert a.low <= a.as_of <= a.high <= published_at


@pytest.mark.parametrize("tz", ["Asia/Karachi", "UTC", "America/New_York"])
def test_publication_day_is_one_local_day(tz):
    start, end = publication_day(date(2007, 7, 10), tz)
    assert (end - start).total_seconds() == 86400 and start.tzinfo is not None


def test_a_date_after_publication_is_no_statement_time():
    # found by the property test over extract: "On March 11" in a story published on 2 March
    text = "On July 20, 30 militants were killed, the army said."
    as_of, low, high, basis = _as_of("", "30 militants", text=text)
    assert basis != "own day" and high == local(0, day=11) and low <= as_of <= high


def test_a_superseded_figure_is_current_before_the_one_that_replaced_it():
    from analysis.config import make_event
    from analysis.stages.claims import document_claims

    event = make_event("bali", "Asia/Makassar", "2005-10-01T18:50", "2005-10-01T19:00")
    text = "The confirmed toll stood at 25, a hospital official said, correcting an earlier figure of 32."
    times = tag_times(text, "2005-10-03", "Asia/Makassar")
    got = {c.quantity_text: a for c, a, _ in document_claims(text, date(2005, 10, 3), (), times, event, ())}
    new, old = got["25"], got["32"]
    assert old.basis == "superseded" and new.basis != "superseded"
    # between the event start and the statement that replaced it, never at the same moment
    assert old.low == event.start and old.high == new.as_of and old.low < old.as_of < new.as_of


def _claims_of(text: str, published: date, tz: str, start: str, end: str):
    """Quantity text -> (claim, as_of) of a text published on a day, for an event window in a zone."""
    from analysis.config import make_event
    from analysis.stages.claims import document_claims

    event = make_event("event", tz, start, end)
    times = tag_times(text, published.isoformat(), tz)
    return {c.quantity_text: (c, a) for c, a, _ in document_claims(text, published, (), times, event, ())}


def _bali(text: str, published: date):
    return _claims_of(text, published, "Asia/Makassar", "2005-10-01T18:50", "2005-10-01T19:00")


@pytest.mark.parametrize(
    "text",
    [
        "Almost three years after the devastating blasts at two Kuta nightspots which killed 202 people, terrorism "
        "has returned to the Indonesian holiday island.",
        "The blasts occurred nearly three years to the day that bomb attacks in Kuta killed 202 people, mostly "
        "foreigners.",
    ],
)
def test_a_count_a_span_of_years_back_is_the_earlier_incidents(text):
    c, a = _bali(text, date(2005, 10, 2))["202"]
    assert c.scope == "prior" and a.basis == "span before"
    # current when that incident happened: about three years before the report
    assert a.low.year == a.as_of.year == 2002 and a.low <= a.as_of <= a.high


def test_a_span_back_to_the_event_itself_stays_the_event():
    # a month after the bombings, written a month later: the event's own toll
    text = "A month after the bombings killed 23 people, the island's hotels are still empty."
    c, _ = _bali(text, date(2005, 11, 1))["23"]
    assert c.scope == "event"


def test_a_count_before_the_span_is_the_events():
    text = (
        "At least 23 people were killed when a fresh terror attack rocked Bali on Saturday, nearly three years "
        "after bombs hit the famous resort island."
    )
    c, _ = _bali(text, date(2005, 10, 2))["At least 23"]
    assert c.scope == "event"


def test_as_of_a_time_dates_the_figure_not_an_earlier_phase():
    text = "As of midnight local time, Sanglah General Hospital in Denpasar had received 13 bodies."
    c, _ = _bali(text, date(2005, 10, 2))["13"]
    assert c.scope == "event"


def test_a_sentence_carrying_on_an_earlier_story_keeps_its_time():
    # AFP, seed 002: the kidnapping happened months before the assault
    text = (
        "Tensions at the mosque began several months ago when its students launched an anti-vice campaign.\n"
        "They also kidnapped several people, including seven Chinese, who were later freed."
    )
    got = _bali(text, date(2005, 10, 2))
    assert {k: c.scope for k, (c, _) in got.items()} == {"several": "prior", "seven": "prior"}
    # without the carrying-on opener, the sentence keeps its own scope
    plain = text.replace("They also kidnapped", "Gunmen kidnapped")
    assert {k: c.scope for k, (c, _) in _bali(plain, date(2005, 10, 2)).items()} == {
        "several": "event",
        "seven": "event",
    }


def test_a_vague_span_ago_is_before_the_event_when_long_enough():
    got = _bali("Several months ago, 12 people were killed in a raid.", date(2005, 10, 2))
    assert got["12"][0].scope == "prior"
    got = _bali("A few hours ago, 12 people were killed in a raid.", date(2005, 10, 2))
    assert got["12"][0].scope == "event"


def test_a_count_of_an_incident_that_began_well_before_the_event_is_prior():
    text = (
        "President Pervez Musharraf authorised the storming of the mosque after an eight-day siege which had itself "
        "cost 24 lives."
    )
    claim, _ = _claims_of(text, date(2007, 7, 10), "Asia/Karachi", "2007-07-10T04:00", "2007-07-12T00:00")["24"]
    assert claim.scope == "prior"
    # a siege that began with the event, reported three days on, is the event's own
    later = "The three-day siege which cost 170 lives ended on Saturday."
    claim, _ = _claims_of(later, date(2008, 11, 29), "Asia/Kolkata", "2008-11-26T21:20", "2008-11-29T09:00")["170"]
    assert claim.scope == "event"


def test_a_day_right_after_the_outcome_verb_dates_the_figure():
    from analysis.config import make_event
    from analysis.extract.times import tag_times
    from analysis.stages.claims import document_claims

    event = make_event("amenas", "Africa/Algiers", "2013-01-16T05:00", "2013-01-19T14:00")
    text = (
        "At least four foreign workers died on Thursday when troops stormed the living quarters. "
        "The attacks there on Wednesday have killed at least 30 people."
    )
    times = tag_times(text, "2013-01-18", event.timezone)
    got = {c.quantity_text: a for c, a, _ in document_claims(text, date(2013, 1, 18), [], times, event, ())}
    # "died on Thursday": that day's figure (own day), not the report's time
    assert got["At least four"].basis == "own day"
    assert got["At least four"].low.isoformat().startswith("2013-01-16T23:00")  # Thursday 00:00 in Algiers
    # a day after an incident noun names the incident: the figure is the report's
    assert got["at least 30"].basis != "own day"
