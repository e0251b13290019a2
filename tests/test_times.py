"""Tests for the temporal tagger on the seed articles, TimeBank sentences and arbitrary text."""

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import config
from analysis.extract.times import TimeExpr, tag_times

RAW = config.ROOT / "data" / "raw"
TIMEBANK = config.ROOT / "data" / "external" / "timebank"
TZ = "Asia/Karachi"


def _raw(prefix: str) -> str:
    return next(RAW.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _sentence_with(text: str, needle: str) -> str:
    """The line of the article holding needle (seed paragraphs are one per line)."""
    return next(line for line in text.splitlines() if needle in line)


def _find(found: list[TimeExpr], text: str) -> TimeExpr:
    matches = [t for t in found if t.text == text]
    assert matches, f"{text!r} not tagged; got {[t.text for t in found]}"
    return matches[0]


def test_gmt_parenthetical_gives_two_times_at_the_same_instant():
    line = _sentence_with(_raw("004"), "2300 GMT Monday")
    found = tag_times(line, "2007-07-10", TZ)
    local, gmt = _find(found, "around 4 a.m."), _find(found, "2300 GMT Monday")
    assert (local.timex_type, local.timex_value) == ("TIME", "2007-07-10T04:00")
    assert (gmt.timex_type, gmt.timex_value) == ("TIME", "2007-07-09T23:00")
    assert local.starts_at == gmt.starts_at == datetime(2007, 7, 9, 23, 0, tzinfo=UTC)


def test_offset_after_anchor_composes_a_time():
    line = _sentence_with(_raw("004"), "2300 GMT Monday")
    composed = _find(tag_times(line, "2007-07-10", TZ), "about five hours after")
    assert (composed.timex_type, composed.timex_value) == ("TIME", "2007-07-10T09:00")
    assert composed.starts_at == datetime(2007, 7, 10, 4, 0, tzinfo=UTC)
    assert composed.rule.endswith("@2007-07-10T04:00")


def test_gmt_on_weekday_in_001():
    found = tag_times(_raw("001"), "2007-07-10", TZ)
    assert _find(found, "4am").starts_at == _find(found, "23:00 GMT on Monday").starts_at
    assert _find(found, "4am").starts_at == datetime(2007, 7, 9, 23, 0, tzinfo=UTC)


def test_same_weekday_as_publication_is_that_day():
    found = tag_times(_raw("004"), "2007-07-10", TZ)
    tuesday = _find(found, "Tuesday")
    assert (tuesday.timex_type, tuesday.timex_value) == ("DATE", "2007-07-10")
    assert tuesday.starts_at == datetime(2007, 7, 9, 19, 0, tzinfo=UTC)  # local midnight, UTC+5
    assert tuesday.ends_at == datetime(2007, 7, 10, 19, 0, tzinfo=UTC)


def test_past_weekday_in_friday_story():
    line = _sentence_with(_raw("000"), "captured on Wednesday")
    assert _find(tag_times(line, "2007-07-06", TZ), "Wednesday").timex_value == "2007-07-04"


def test_future_weekday_with_will():
    found = tag_times("The talks will resume on Wednesday.", "2007-07-10", TZ)
    assert _find(found, "Wednesday").timex_value == "2007-07-11"


def test_weekday_with_part_of_day():
    found = tag_times(_raw("000"), "2007-07-06", TZ)
    evening = _find(found, "Friday evening")
    assert (evening.timex_type, evening.timex_value) == ("TIME", "2007-07-06TEV")


def test_early_evening_and_midnight_in_003():
    found = tag_times(_raw("003"), "2007-07-10", TZ)
    assert _find(found, "early evening").timex_value == "2007-07-10TEV"
    assert _find(found, "early evening").timex_type == "TIME"
    assert _find(found, "the morning").timex_value == "2007-07-10TMO"
    assert _find(found, "past midnight").timex_value == "2007-07-10T00:00"
    assert _find(found, "a week ago").timex_value == "2007-07-03"


def test_later_counts_from_the_previous_time():
    found = tag_times(_raw("003"), "2007-07-10", TZ)
    later = _find(found, "more than 13 hours later")
    assert later.timex_type == "TIME" and later.timex_value.startswith("2007-07-10T")
    assert later.starts_at == datetime(2007, 7, 10, 14, 0, tzinfo=UTC)  # 06:00 local morning + 13 h


@pytest.mark.parametrize("prefix", ["002", "004"])
def test_july_3(prefix):
    found = tag_times(_raw(prefix), "2007-07-10", TZ)
    july3 = _find(found, "July 3")
    assert (july3.timex_type, july3.timex_value) == ("DATE", "2007-07-03")


def test_since_2001_and_durations_in_002():
    found = tag_times(_raw("002"), "2007-07-10", TZ)
    assert _find(found, "2001").timex_value == "2001"
    assert _find(found, "2001").starts_at == datetime(2000, 12, 31, 19, 0, tzinfo=UTC)
    three = _find(found, "more than three hours")
    assert (three.timex_type, three.timex_value, three.starts_at) == ("DURATION", "PT3H", None)
    assert _find(found, "eight days").timex_value == "P8D"


@pytest.mark.parametrize(
    "text,expr,value",
    [
        ("a campaign over the past six months", "the past six months", "P6M"),
        ("He waited for a week.", "a week", "P1W"),
        ("Prices rose last week.", "last week", "2007-W27"),
        ("It was hot this year.", "this year", "2007"),
        ("He came back yesterday.", "yesterday", "2007-07-09"),
        ("He will speak tonight.", "tonight", "2007-07-10TNI"),
        ("She was born in February 1947.", "February 1947", "1947-02"),
        ("Reported on Feb. 27, 1998 by AP.", "Feb. 27, 1998", "1998-02-27"),
        ("The plant opened in 1998.", "1998", "1998"),
        ("a two-year term", "two-year", "P2Y"),
        ("Sales rose in the third quarter.", "the third quarter", "2007-Q3"),
        ("The offer expires at 5 p.m. EST Nov. 9.", "5 p.m. EST Nov. 9", "2007-11-09T17:00"),
        ("It is now over.", "now", "PRESENT_REF"),
        ("The strike began last May.", "last May", "2007-05"),  # two months back: this year
        ("The strike began last June.", "last June", "2006-06"),  # the month just over would be "last month"
        ("The strike began last July.", "last July", "2006-07"),
        ("The talks failed last August.", "last August", "2006-08"),
        ("The paper is published daily.", "daily", "P1D"),
    ],
)
def test_expressions(text, expr, value):
    assert _find(tag_times(text, "2007-07-10", TZ), expr).timex_value == value


def test_skip_spans_produce_nothing():
    text = "Posted Tuesday. The army attacked on Monday."
    assert [t.text for t in tag_times(text, "2007-07-10", TZ, skip=[(0, 15)])] == ["Monday"]


@pytest.mark.parametrize(
    "doc,expr,value",
    [
        ("APW19980213.1380.tml", "10 p.m. Wednesday", "1998-02-11T22:00"),
        ("APW19980213.1380.tml", "noon Thursday", "1998-02-12T12:00"),
        ("wsj_0152.tml", "5 p.m. EST Nov. 9", "1989-11-09T17:00"),
        ("APW19980322.0749.tml", "10 days ago", "1998-03-12"),
        ("APW19980322.0749.tml", "this summer", "1998-SU"),
        ("APW19980301.0720.tml", "last February", "1997-02"),  # written on 1 March: the month just over is "last month"
    ],
)
def test_timebank_sentences(doc, expr, value):
    from analysis.evaluation.timeml import read_timeml

    path = TIMEBANK / doc
    if not path.exists():
        pytest.skip(f"{doc} not in corpus")
    d = read_timeml(path)
    gold = [g for g in d.timexes if g.text == expr]
    assert gold and gold[0].value == value  # the expectation is TimeBank's own annotation
    found = tag_times(d.text, d.dct, "UTC")
    hit = [t for t in found if (t.start, t.end) == (gold[0].start, gold[0].end)]
    assert hit and hit[0].timex_value == value


_WORDS = st.sampled_from(
    [
        "Monday",
        "July",
        "3",
        "4",
        "a.m.",
        "(",
        ")",
        "2300",
        "GMT",
        "on",
        "the",
        "past",
        "six",
        "months",
        "ago",
        "later",
        "after",
        "early",
        "evening",
        "yesterday",
        "2001",
        "since",
        "more",
        "than",
        "hours",
        "Feb.",
        "27",
        ",",
        "1998",
        "midnight",
        "next",
        "week",
        "will",
        "twenty-four",
        "'80s",
        "mid-1996",
        "third-quarter",
        "Friday's",
        "every",
        "x",
    ]
)
_TEXTS = st.one_of(st.text(max_size=80), st.lists(_WORDS, max_size=25).map(" ".join))
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_TEXTS)
def test_never_crashes_and_results_are_consistent(text):
    found = tag_times(text, "2007-07-10", TZ)
    for t in found:
        assert text[t.start : t.end] == t.text and t.start < t.end
        assert (t.starts_at is None) == (t.ends_at is None)
        if t.starts_at is not None:
            assert t.starts_at <= t.ends_at and t.starts_at.tzinfo is not None
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


@_SETTINGS
@given(_TEXTS, st.lists(st.tuples(st.integers(0, 80), st.integers(0, 20)), max_size=3))
def test_nothing_inside_skip_spans(text, raw_spans):
    skip = [(s, s + n) for s, n in raw_spans]
    for t in tag_times(text, "1998-02-27T07:56:00", "UTC", skip=skip):
        assert all(not (t.start < e and s < t.end) for s, e in skip)


def test_an_impossible_date_is_no_expression_but_a_matcher_bug_raises(monkeypatch):
    assert [t.text for t in tag_times("It happened on Feb. 31 and on Feb. 28.", "2007-07-10", "UTC")] == ["Feb. 28"]
    from analysis.extract import times

    def broken(s, i):
        raise KeyError("months")  # what a lexicon key typo would raise

    monkeypatch.setattr(times, "_MATCHERS", (broken, *times._MATCHERS[1:]))
    with pytest.raises(KeyError):
        tag_times("It happened on Feb. 28.", "2007-07-10", "UTC", exhaustive=True)


def test_a_spelled_year_is_in_words_not_digits():
    found = tag_times("It began in nineteen ninety-six; the 11 11 pattern repeats.", "2007-07-10", "UTC")
    assert [(t.text, t.timex_value) for t in found] == [("nineteen ninety-six", "1996")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a clock written with a dot, with a meridiem
        ("The attack began at 9.30pm on Friday.", [("9.30pm on Friday", "2015-11-13T21:30")]),
        ("The attack began at 9.30 p.m. on Friday.", [("9.30 p.m. on Friday", "2015-11-13T21:30")]),
        # a live blog's time stamp: the day the page was written, not the day it speaks of (Friday's attacks)
        ("21.05 – Current death toll from Friday's attacks revised back down to 129.",
         [("21.05", "2015-11-15T21:05"), ("Friday", "2015-11-13")]),
        # anywhere else a dotted number is no time
        ("Shares rose 21.05 percent.", []),
        ("The dollar closed at 21.05 on Friday.", [("Friday", "2015-11-13")]),
    ],
)  # fmt: skip
def test_dotted_clocks_with_a_meridiem_or_as_a_live_blog_stamp(text, expected):
    assert [(t.text, t.timex_value) for t in tag_times(text, "2015-11-15", "Europe/Paris")] == expected
