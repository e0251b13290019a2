"""The one number reader (analysis/text/numbers.py): values of real phrases in both readers' styles, and properties
over spelled-out numbers and long word soups."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.extract.quantities import find_quantities
from analysis.extract.times import tag_times
from analysis.text.numbers import Style, number_words, read_number, word_value
from analysis.text.tokens import tokenize

PEOPLE = Style()  # quantities.py's
TIME = Style(implicit_one=True, phrases=True, fractions=True, digit_hundreds=True)  # times.py's


def words(text: str, split_hyphens: bool = False) -> list[str]:
    """Lower-case tokens, with hyphen compounds split as the time tagger splits them ("twenty", "-", "four")."""
    out = [t.lower for t in tokenize(text)]
    if split_hyphens:
        out = [part for w in out for part in (w.replace("-", " - ").split() if len(w) > 1 else [w])]
    return out


def read(text: str, style: Style = PEOPLE, split_hyphens: bool = False):
    return read_number(words(text, split_hyphens), 0, style)


# (phrase, value, number of tokens read) in both styles: what counts of people and of time units share
SHARED = [
    ("20 people", 20.0, 1),
    ("1,200 people", 1200.0, 1),
    ("1.5 million people", 1_500_000.0, 2),
    ("3 thousand people", 3000.0, 2),
    ("three people", 3, 1),
    ("zero tolerance", 0, 1),
    ("nineteen people", 19, 1),
    ("twenty-one people", 21, 1),
    ("twenty one people", 21, 2),
    ("a dozen people", 12, 2),
    ("two dozen people", 24, 2),
    ("half a dozen people", 6, 3),
    ("a score of people", 20, 2),
    ("a hundred people", 100, 2),
    ("two hundred people", 200, 2),
    ("one hundred and twenty people", 120, 4),
    ("one hundred twenty-four people", 124, 3),
    ("two hundred thousand people", 200_000, 3),
    ("three million five hundred thousand people", 3_500_000, 5),
    ("one billion people", 1_000_000_000, 2),
]


@pytest.mark.parametrize(("phrase", "value", "n"), SHARED)
@pytest.mark.parametrize("style", [PEOPLE, TIME], ids=["people", "time"])
def test_values_of_real_phrases(phrase, value, n, style):
    assert read(phrase, style) == (value, n)
    assert type(read(phrase, style)[0]) is type(value)  # digits read as floats, words as ints


@pytest.mark.parametrize(
    ("phrase", "people", "time"),
    [
        ("a week ago", None, (1, 1)),  # an article alone: one week, but "a soldier" is no count
        ("an hour", None, (1, 1)),
        ("hundred years", None, (100, 1)),  # a bare scale below a thousand
        ("thousand years", None, None),  # "several thousand years" is no thousand
        ("dozen eggs", None, (12, 1)),
        ("a couple of days", None, (2, 3)),  # a phrase only times.py reads
        ("couple of hundred years", None, (200, 3)),
        ("2 1/2 years", (2.0, 1), (2.5, 4)),  # a fraction after digits
        ("3 hundred years", (3.0, 1), (300.0, 2)),  # digits take "hundred" only in times.py
    ],
)
def test_where_the_styles_differ(phrase, people, time):
    assert read(phrase, PEOPLE) == people
    assert read(phrase, TIME) == time


def test_hyphen_compounds_read_the_same_whole_or_split():
    for phrase in ("twenty-four hours", "ninety-nine years", "one hundred twenty-four days"):
        assert read(phrase, TIME, split_hyphens=True)[0] == read(phrase, TIME)[0]
    assert words("twenty-four", split_hyphens=True) == ["twenty", "-", "four"]


@pytest.mark.parametrize("text", ["people", "the", "-", "and", "half", "a", "score", "twenty-day", "", "4am"])
def test_no_number(text):
    assert read(text, PEOPLE) is None if text else read_number([], 0) is None


@given(st.lists(st.sampled_from(sorted(number_words().words() | {"a", "an", "half", "couple", "of", "x"})), max_size=8))
def test_a_number_starts_only_with_a_first_word_of_its_style(soup):
    for style in (PEOPLE, TIME):
        if soup and read_number(soup, 0, style) is not None and not soup[0][:1].isdigit():
            assert soup[0] in number_words().first_words(style)


def test_word_value_of_single_tokens():
    assert [word_value(w) for w in ("four", "forty", "forty-four", "forty-zero", "four-forty", "hundred", "x")] == [
        4, 40, 44, None, None, None, None,
    ]  # fmt: skip


def test_both_readers_read_the_lexicon_words():
    # quantities and the tagger read the same number words (numbers.yaml), each in its style
    (q,) = find_quantities("Officials said twenty four people were killed.")
    assert (q.text, q.value_low) == ("twenty four", 24)
    (t,) = tag_times("It lasted twenty four hours.", "2007-07-10", "UTC")
    assert (t.text, t.timex_value) == ("twenty four hours", "PT24H")
    (t,) = tag_times("It lasted two hundred and fifty years.", "2007-07-10", "UTC")
    assert (t.text, t.timex_value) == ("two hundred and fifty years", "P250Y")
    (t,) = tag_times("They waited a couple of days.", "2007-07-10", "UTC")
    assert (t.text, t.timex_value) == ("a couple of days", "P2D")


def test_a_date_is_never_a_count():
    # the reader reads digits; quantities.py refuses the digits of a date before asking it
    assert [q.value_low for q in find_quantities("On March 11, 2004 bombs killed 191 people.")] == [191]


# ------------------------------------------------------------------------------------------------ properties

_UNITS = [k for k, v in sorted(number_words().units.items(), key=lambda kv: kv[1])]
_TENS = {v: k for k, v in number_words().tens.items()}


def _below_100(n: int, hyphen: str) -> list[str]:
    if n < 20:
        return [_UNITS[n]]
    ten, unit = _TENS[n - n % 10], n % 10
    if not unit:
        return [ten]
    return {"one": [f"{ten}-{_UNITS[unit]}"], "split": [ten, "-", _UNITS[unit]], "space": [ten, _UNITS[unit]]}[hyphen]


def _below_1000(n: int, hyphen: str, conjunction: bool) -> list[str]:
    hundreds, rest = divmod(n, 100)
    out = [_UNITS[hundreds], "hundred"] if hundreds else []
    if rest:
        out += (["and"] if hundreds and conjunction else []) + _below_100(rest, hyphen)
    return out


def spell(n: int, hyphen: str = "one", conjunction: bool = True) -> list[str]:
    """n in English words, as tokens ("two hundred and twenty-one thousand"): the reference the reader must match."""
    if n == 0:
        return ["zero"]
    out: list[str] = []
    for word, scale in (("billion", 10**9), ("million", 10**6), ("thousand", 10**3)):
        group, n = divmod(n, scale)
        if group:
            out += _below_1000(group, hyphen, conjunction) + [word]
    return out + (_below_1000(n, hyphen, conjunction) if n else [])


@settings(max_examples=400, deadline=None)
@given(
    st.integers(0, 999_999_999_999),
    st.sampled_from(["one", "split", "space"]),
    st.booleans(),
    st.sampled_from([PEOPLE, TIME]),
    st.sampled_from(["people", "years", "of", "."]),
)
def test_every_spelled_number_reads_back(n, hyphen, conjunction, style, after):
    tokens = spell(n, hyphen, conjunction)
    assert read_number([*tokens, after], 0, style) == (n, len(tokens))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            sorted(
                number_words().words()
                | {"a", "half", "and", "-", "of", "couple", "people", "1", "/", "2", "1,200", "3.5"}
            )
        ),
        max_size=300,
    ),
    st.sampled_from([PEOPLE, TIME]),
)
def test_long_word_soup_reads_a_bounded_number_or_none(soup, style):
    # any run of number words, however long: a value >= 0 and an end inside the list, from every start
    for i in range(0, len(soup), 7):
        got = read_number(soup, i, style)
        if got is not None:
            value, j = got
            assert value >= 0 and i < j <= len(soup)
            assert read_number(soup[:j], i, style) == got  # what follows the number does not change it
