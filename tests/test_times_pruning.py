"""The tagger's pruning (sentence triggers, candidate start tokens) finds exactly what a scan of every token finds."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.evaluation.timeml import read_corpus
from analysis.extract.times import load_lexicon, tag_times

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
    words |= {"the", "its", "a", "an", "of", "year", "'", "-", ",", "1990s", "20th", "1988", "4", "11", "2300", "7:15"}
    words |= {"4am", "4pm", "4:30pm", "o'clock", "90s", "1990", "2007-07-10", "2", "1/2", "1st", "3rd", "31st"}
    return sorted(words | {w.capitalize() for w in words})


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_vocabulary()), min_size=1, max_size=60))
def test_pruned_scan_equals_the_scan_of_every_token_on_lexicon_soup(words):
    text = " ".join(words) + "."
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
