"""Count phrases: the guideline's Values table, real seed phrases, and property tests."""

from __future__ import annotations

import pytest
from conftest import seed_text
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.quantities import find_quantities

# The guideline's Values table, row by row, plus the harder forms.
CASES = [
    ("20", 20, 20, "exact"),
    ("three", 3, 3, "exact"),
    ("a dozen", 12, 12, "exact"),
    ("two dozen", 24, 24, "exact"),
    ("twenty-one", 21, 21, "exact"),
    ("1,200", 1200, 1200, "exact"),
    ("about 40", 40, 40, "approximate"),
    ("around 40", 40, 40, "approximate"),
    ("some 40", 40, 40, "approximate"),
    ("roughly 40", 40, 40, "approximate"),
    ("approximately 40", 40, 40, "approximate"),
    ("at least 3", 3, None, "at_least"),
    ("3 or more", 3, None, "at_least"),
    ("more than 1,200", 1201, None, "more_than"),
    ("over 1,200", 1201, None, "more_than"),
    ("topped 100", 101, None, "more_than"),
    ("nearly 2,000", None, 2000, "at_most"),
    ("almost 2,000", None, 2000, "at_most"),
    ("up to 2,000", None, 2000, "at_most"),
    ("300-400", 300, 400, "range"),
    ("three or four", 3, 4, "range"),
    ("between 300 and 400", 300, 400, "range"),
    ("several", 3, 9, "vague"),
    ("dozens", 24, 99, "vague"),
    ("scores", 40, 999, "vague"),
    ("hundreds", 200, 999, "vague"),
    ("thousands", 2000, 9999, "vague"),
    ("many", None, None, "vague"),
    ("a number", None, None, "vague"),
    ("one hundred and twenty", 120, 120, "exact"),
    ("1.5 million", 1_500_000, 1_500_000, "exact"),
    ("hundreds of thousands", 200_000, 999_999, "vague"),
]


@pytest.mark.parametrize(("phrase", "low", "high", "qualifier"), CASES)
def test_values_table(phrase, low, high, qualifier):
    (q,) = find_quantities(f"Officials said {phrase} people were killed.")
    assert (q.text, q.value_low, q.value_high, q.qualifier) == (phrase, low, high, qualifier)


@pytest.mark.parametrize(
    "text",
    [
        "the eight-day siege",
        "a 20-year-old student",
        "a 12-member delegation",
        "a 24-hour curfew",
        "at 4am",
        "at 23:00",
    ],
)
def test_hyphenated_numbers_and_clock_times_are_not_counts(text):
    assert find_quantities(text) == []


def test_seed_phrases_keep_raw_offsets():
    text = seed_text("002")
    found = {q.text: q for q in find_quantities(text)}
    q = found["More than 1,200"]
    assert text[q.start : q.end] == "More than 1,200" and (q.value_low, q.value_high) == (1201, None)
    assert (found["300-400"].value_low, found["300-400"].value_high, found["300-400"].qualifier) == (300, 400, "range")
    q = find_quantities(seed_text("001"))[0]
    assert (q.text, q.value_low, q.value_high, q.qualifier) == ("Dozens", 24, 99, "vague")


_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _words(n: int) -> str:
    """English words for 1 <= n < 1,000,000 (the test's own spelling, independent of the lexicon)."""
    if n >= 1000:
        rest = n % 1000
        return f"{_words(n // 1000)} thousand" + (f" {_words(rest)}" if rest else "")
    if n >= 100:
        rest = n % 100
        return f"{_UNITS[n // 100]} hundred" + (f" and {_words(rest)}" if rest else "")
    if n >= 20:
        return _TENS[n // 10] + (f"-{_UNITS[n % 10]}" if n % 10 else "")
    return _UNITS[n]


@given(st.integers(min_value=1, max_value=999_999))
def test_number_words_round_trip(n):
    phrase = _words(n)
    (q,) = find_quantities(f"They said {phrase} soldiers died.")
    assert (q.text, q.value_low, q.value_high) == (phrase, n, n)


@given(st.integers(min_value=0, max_value=10**9))
def test_digits_with_separators_round_trip(n):
    phrase = f"{n:,}"
    (q,) = find_quantities(f"They said {phrase} soldiers died.")
    assert (q.value_low, q.value_high, q.qualifier) == (n, n, "exact")


@given(st.integers(1, 5000), st.integers(1, 5000))
def test_ranges_are_ordered(a, b):
    found = find_quantities(f"between {a} and {b} people")
    for q in found:
        assert q.value_low is None or q.value_high is None or q.value_low <= q.value_high


_PIECES = st.sampled_from(
    list("0123456789,.- abcdefhilmnorstuvwyzADHMST'\n–")
    + ["dozen", " several ", " more than ", " or ", " hundred ", "a "]
)


@settings(max_examples=300)
@given(st.one_of(st.text(), st.lists(_PIECES, max_size=40).map("".join)))
def test_never_crashes_and_offsets_slice_back(text):
    for q in find_quantities(text):
        assert text[q.start : q.end] == q.text
        assert q.value_low is None or q.value_high is None or q.value_low <= q.value_high
        assert q.value_low is None or q.value_low >= 0
