"""The tagger's pruning (sentence triggers, candidate start tokens) finds exactly what a scan of every token finds."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.evaluation.timeml import read_corpus
from analysis.extract.times import load_lexicon, tag_times
from analysis.text.numbers import number_words

ROOT = Path(__file__).resolve().parent.parent


def _texts(timebank_dir: Path) -> list[tuple[str, str]]:
    raws = sorted((ROOT / "data" / "raw").glob("*.txt")) + sorted((ROOT / "data/annotations/unseen/raw").glob("*.txt"))
    out = [(p.read_text(encoding="utf-8"), "2007-07-10") for p in raws]
    return out + [(d.text, d.dct) for d in read_corpus(timebank_dir)]


def test_pruned_scan_equals_the_scan_of_every_token_on_real_text(timebank_dir):
    texts = _texts(timebank_dir)
    assert len(texts) > 200
    found = 0
    for text, reference in texts:
        pruned = tag_times(text, reference, "UTC")
        assert pruned == tag_times(text, reference, "UTC", exhaustive=True), text[:80]
        found += len(pruned)
    assert found > 1300  # the comparison is over real expressions, not empty lists


def _vocabulary() -> list[str]:
    """Every word of the time lexicon, capitalised too, plus digits, dates and the words matchers read."""
    lex = load_lexicon()
    words = {w for v in lex.raw.values() if isinstance(v, dict | list) for k in v for w in str(k).split()}
    # number words, read by _number; not "half": "the first half" holds no trigger, and only the exhaustive scan
    # reads it in a sentence without one
    nw = number_words()
    words |= nw.words() | nw.articles | {w for p in nw.phrases for w in p}
    words |= {"the", "its", "a", "an", "of", "year", "'", "-", ",", "1990s", "20th", "1988", "4", "11", "2300", "7:15"}
    words |= {"4am", "4pm", "4:30pm", "o'clock", "90s", "1990", "2007-07-10", "2", "1/2", "1st", "3rd", "31st"}
    return sorted(words | {w.capitalize() for w in words})


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_vocabulary()), min_size=1, max_size=60))
def test_pruned_scan_equals_the_scan_of_every_token_on_lexicon_soup(words):
    text = " ".join(words) + "."
    assert tag_times(text, "2007-07-10", "UTC") == tag_times(text, "2007-07-10", "UTC", exhaustive=True)


def test_a_the_before_any_word_of_the_vocabulary():
    # "the" and "its" are tried only with the matchers the next word allows (times._AFTER_THE): after every word
    # the rules know, in a sentence a year triggers, the pruned scan finds what the scan of every token finds
    for word in _vocabulary():
        for article in ("the", "its", "The"):
            for tail in ("", " year", " quarter", " Monday", " 1990", " two years", "-year", " of May"):
                text = f"In 2007 he said {article} {word}{tail} ended."
                assert tag_times(text, "2007-07-10", "UTC") == tag_times(text, "2007-07-10", "UTC", exhaustive=True)


@given(
    st.sets(st.text(alphabet="abcdefgh.'-", min_size=1, max_size=6), max_size=12),
    st.text(alphabet="abcdefgh.'- ", max_size=80),
)
def test_the_trie_alternation_matches_what_the_plain_one_matches(words, text):
    import re

    from analysis.text.tokens import alternation

    plain = "|".join(sorted(map(re.escape, words), key=len, reverse=True)) or "(?!)"
    bounded = r"(?<![a-z]){}(?![a-z])"
    found = [m.span() for m in re.finditer(bounded.format(alternation(words)), text)]
    assert found == [m.span() for m in re.finditer(bounded.format("(?:" + plain + ")"), text)]


# The scan's machinery against the plain reference it replaces: token columns against tokenize, the one-pass trigger
# scan against a search of each sentence.
_ODD_TEXT = st.lists(
    st.sampled_from(
        [*"aAbZ09 .,-'’:/\n\t\u00a0\u0663", "a.m.", "U.S.", "4:30PM", "4:30p.m.", "İ", "Feb.", "two-year", "Friday's"]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_ODD_TEXT, st.integers(0, 10), st.integers(0, 10))
def test_token_columns_are_tokenize_in_columns(text, a, b):
    from analysis.text.tokens import token_columns, tokenize

    start, end = min(a, len(text)), max(len(text) - b, min(a, len(text)))
    toks = tokenize(text, start, end)
    assert token_columns(text, start, end) == ([t.text for t in toks], [t.start for t in toks], [t.end for t in toks])


def _sentences_searched_one_by_one(text: str) -> list[tuple[int, int]]:
    from analysis.extract.times import _trigger_re
    from analysis.text.tokens import sentences

    low = text.lower()
    return [span for span in sentences(text) if _trigger_re().search(low, *span)]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([*_vocabulary(), "x", "mayor", "4am", "Z.", "2300", "İstanbul", "\n", "K"]), max_size=40)
)
def test_one_trigger_scan_finds_the_sentences_a_search_of_each_finds(words):
    from analysis.extract.times import _triggered_sentences

    text = " ".join(words)
    assert _triggered_sentences(text) == _sentences_searched_one_by_one(text)


def test_one_trigger_scan_on_real_text(timebank_dir):
    from analysis.extract.times import _triggered_sentences

    for text, _ in _texts(timebank_dir):
        assert _triggered_sentences(text) == _sentences_searched_one_by_one(text)


# The token pattern as it was written before its branches were reordered for speed: the tokens must not change.
_PLAIN_TOKEN_RE = r"""
    \d{1,2}:\d{2}(?:[ap]\.?m\.?)?
  | \d+(?:[,.]\d+)*(?:[a-zA-Z]+)?
  | (?:[A-Za-z]\.){2,}
  | [A-Za-z]+(?:['’][A-Za-z]+)*(?:-[A-Za-z0-9]+)*\.?
  | \S
"""


@settings(max_examples=500, deadline=None)
@given(_ODD_TEXT)
def test_the_reordered_token_pattern_finds_the_tokens_of_the_plain_one(text):
    import re

    from analysis.text.tokens import _TOKEN_RE

    plain = re.compile(_PLAIN_TOKEN_RE, re.VERBOSE)
    assert [m.span() for m in _TOKEN_RE.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_the_reordered_token_pattern_on_real_text(timebank_dir):
    import re

    from analysis.text.tokens import _TOKEN_RE

    plain = re.compile(_PLAIN_TOKEN_RE, re.VERBOSE)
    for text, _ in _texts(timebank_dir):
        assert _TOKEN_RE.findall(text) == plain.findall(text)
