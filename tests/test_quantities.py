"""Count phrases: the guideline's Values table, real seed phrases, and property tests."""

from __future__ import annotations

import pytest
from conftest import seed_text
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import lexicon
from analysis.extract.claims import extract
from analysis.extract.quantities import find_quantities, parse_quantities
from analysis.text.tokens import ABBREVIATIONS, tokenize

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


# --- a date is never a count (issue "Which toll", item 4) -----------------------------------------

DATES = [
    "March 11",
    "11 March",
    "Aug. 7",
    "Aug 7",
    "Sept. 11",
    "July 3",
    "July 3rd",
    "the 7th",
    "on the 11th",
    "7/8",
    "7/8/2004",
    "11-M",
    "2004-03-11",
    "March 11, 2004",
    "11 March 2004",
    "July 3rd, 2004",
    "in March 2004",
    "Tuesday, March 11",
    "Tuesday 11 March 2004",
    "Friday, July 6th, 2007",
    "Thu, 02 Oct 2005",
    "March 11-12",
    "11-12 March",
    "from March 11 to 14",
    "MARCH 11",
    "May 3",
]


@pytest.mark.parametrize("text", DATES)
def test_a_date_holds_no_count(text):
    assert find_quantities(f"It happened {text} in the capital.") == []


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("on March 11 killed 191 people", [191]),
        ("Aug. 7 bombings killed 224", [224]),
        ("The Sept. 11, 2001 attacks killed 2,977 people", [2977]),
        ("On Tuesday, March 11, 2004, bombs killed 191 people", [191]),
        ("On 11 March 2004 bombs killed 191", [191]),
        ("Since July 3, 67 people have been killed", [67]),  # a two-digit number after a date's comma
        ("Since July 3rd, 1,200 people have been killed", [1200]),  # "1,200" is never a year or a day
        ("the 7/7 bombings killed 52 people", [52]),
        ("killed 20 in March", [20]),
        ("In March, 20 people died", [20]),
        ("In March 200 people died", [200]),  # 200 cannot be a day
        ("In March 3 million people fled", [3_000_000]),  # a scaled number is not a day
        ("the bombs may have killed 20", [20]),
        ("may 3 more die", [3]),  # lower case "may" is the verb
        ("a march of 200 people", [200]),
        ("20,000 marched on the capital", [20_000]),
        ("On Sunday 12 people were killed", [12]),  # a weekday alone makes no date
        ("killed 300-400 in May", [300]),
        # decided: a capitalised "May" before a day number is the month, even opening a sentence; the
        # modal reading ("May 3 more die") is rare in news, a dateline or "May 3 was ..." is not
        ("May 3 more die", []),
    ],
)
def test_the_real_count_next_to_a_date_still_parses(text, values):
    assert [q.value_low for q in find_quantities(text)] == values


def test_every_month_word_of_the_time_lexicon_makes_a_date_only_when_capitalised():
    for word in lexicon.load("time")["months"]:
        dotted = [f"{word.capitalize()}."] if f"{word}." in ABBREVIATIONS else []  # "June." ends a sentence
        for month in (word.capitalize(), word.upper(), *dotted):
            assert find_quantities(f"on {month} 5 and 5 {month}") == [], month
        assert [q.value_low for q in find_quantities(f"they {word} 5 and")] == [5], word


def test_a_date_never_starts_a_claim():
    claims = extract("Bombs on March 11 killed 191 people. Since July 3, 67 people have been killed.")
    assert [c.value_low for c in claims] == [191, 67]


# The test's own spelling of months and weekdays, independent of the lexicon.
_MONTHS = (
    "January Jan Jan. February Feb. March Mar. April Apr. May June Jun July Jul. August Aug Aug. "
    "September Sept. Sept Sep. October Oct. Oct November Nov. December Dec. Dec"
).split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon. Tue Wed. Thu Fri. Sat Sun".split()


def _ordinal(day: int) -> str:
    return "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


@st.composite
def _date(draw) -> str:
    """A random written date: month and day in either order, ordinal, year, day range, numeric, weekday."""
    month, day, year = draw(st.sampled_from(_MONTHS)), draw(st.integers(1, 31)), draw(st.integers(1900, 2099))
    day_text = draw(st.sampled_from([str(day), f"{day:02}", f"{day}{_ordinal(day)}"]))
    m = draw(st.integers(1, 12))
    forms = [
        f"{month} {day_text}",
        f"{month} {day_text}, {year}",
        f"{day_text} {month}",
        f"{day_text} {month} {year}",
        f"{month} {year}",
        f"{month} {day}-{draw(st.integers(1, 31))}",
        f"{day} to {draw(st.integers(1, 31))} {month}",
        f"{day}/{m}",
        f"{m}/{day}/{year}",
        f"{year}-{m:02}-{day:02}",
        f"the {day}{_ordinal(day)}",
    ]
    date = draw(st.sampled_from(forms))
    return f"{draw(st.sampled_from(_WEEKDAYS))}, {date}" if draw(st.booleans()) else date


_FILLER = st.sampled_from(
    ["police said", "in the capital", "witnesses told reporters", "a march through the city", "may have", "Sunday"]
)
_SEPARATORS = st.sampled_from([" ", ", ", "; ", " and ", " on ", ". ", " since ", "\n"])


@st.composite
def _report(draw) -> tuple[str, list[int]]:
    """A long text of dates, filler and counts (all >= 32, so none can be a day): (text, the counts in order)."""
    counts: list[int] = []
    pieces: list[str] = []
    for kind in draw(st.lists(st.sampled_from(["date", "count", "filler"]), min_size=10, max_size=60)):
        if kind == "count":
            n = draw(st.integers(32, 10**6))
            counts.append(n)
            # digits as news write them: thousands always take a comma, so a count is never a year
            pieces.append(draw(st.sampled_from([f"killed {n:,} people", f"{n:,} people died"])))
        else:
            pieces.append(draw(_date()) if kind == "date" else draw(_FILLER))
    text = pieces[0] + "".join(draw(_SEPARATORS) + p for p in pieces[1:]) if pieces else ""
    return text, counts


@settings(max_examples=200, deadline=None)
@given(_date())
def test_a_random_date_holds_no_count(date):
    assert find_quantities(f"It happened on {date} in the capital.") == []


@settings(max_examples=200, deadline=None)
@given(_report())
def test_only_the_inserted_counts_parse_among_dates(report):
    text, counts = report
    assert [(q.value_low, q.value_high) for q in find_quantities(text)] == [(n, n) for n in counts]


@given(st.integers(1, 31), st.sampled_from(_MONTHS))
def test_a_small_count_near_a_month_that_is_no_date_parses(n, month):
    lower = month.lower().rstrip(".")  # "may 3 more die": a lower-case month word is an ordinary word
    for text in (f"killed {n} in {month}", f"In {month}, {n} people died", f"they {lower} {n} more", f"{n} {lower}"):
        assert [q.value_low for q in find_quantities(text)] == [n], text


# --- digit groups set apart by a thin, narrow no-break or no-break space ("1 300") ---

_GROUP_SEPARATORS = ["\u2009", "\u202f", "\xa0"]


@pytest.mark.parametrize("sep", _GROUP_SEPARATORS)
def test_typeset_digit_groups_are_one_number(sep):
    text = f"Officials said 1{sep}300 people were killed."
    (q,) = find_quantities(text)
    assert (q.text, q.value_low, q.value_high, q.qualifier) == (f"1{sep}300", 1300, 1300, "exact")
    assert [(c.quantity_text, c.outcome, c.value_low) for c in extract(text)] == [(f"1{sep}300", "killed", 1300)]


def test_several_digit_groups_and_a_range_of_them():
    (q,) = find_quantities("They said 1\xa0300\u202f000 people fled.")
    assert (q.value_low, q.text) == (1_300_000, "1\xa0300\u202f000")
    (q,) = find_quantities("between 1\u2009300 and 1\u2009500 people died")
    assert (q.value_low, q.value_high, q.qualifier) == (1300, 1500, "range")
    (q,) = find_quantities("1\u2009300-1\u2009500 people died")
    assert (q.value_low, q.value_high, q.qualifier) == (1300, 1500, "range")


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("on 3 400 died", [3, 400]),  # an ordinary space never groups digits
        ("In 2007\xa0300 people died", [2007, 300]),  # a lead group has at most three digits
        ("They counted 1\u200930 bodies", [1, 30]),  # a following group has exactly three
        ("They counted 1\u20093000 bodies", [1, 3000]),
        ("On July 10\xa0300 people died", [300]),  # a date's day is no lead group
    ],
)
def test_what_is_not_a_digit_group(text, values):
    assert [q.value_low for q in find_quantities(text)] == values


@pytest.mark.parametrize("sep", _GROUP_SEPARATORS)
def test_joined_groups_keep_token_indices_of_the_callers_list(sep):
    text = f"About 1{sep}300{sep}000 fled and 20 died."
    toks = tokenize(text)
    found = parse_quantities(toks, text)
    assert [q.value_low for q in found] == [1_300_000, 20]
    for q in found:
        assert (toks[q.first].start, toks[q.last - 1].end) == (q.start, q.end)
    assert toks[found[0].last].text == "fled" and toks[found[1].last].text == "died"


@pytest.mark.parametrize("text", ["99999999999999999999 people were killed", "more than 20000000000 people died"])
def test_a_count_beyond_the_bound_is_no_count(text):
    from analysis.extract.claims import extract
    from analysis.extract.quantities import MAX_PEOPLE

    assert MAX_PEOPLE == 10_000_000_000
    assert extract(text) == []


def test_the_largest_plausible_count_still_reads():
    from analysis.extract.claims import extract

    (claim,) = extract("About 8,000,000,000 people were affected and 10000000000 were killed.")[-1:]
    assert claim.value_low == 10_000_000_000
