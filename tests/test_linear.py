"""Every extractor is linear in its input: hostile inputs of 1 MB take a bounded multiple of ordinary news."""

# Each test times the function the pipeline runs on a pathological input of about 1 MB and holds it to a budget
# of FACTOR times the same function on 1 MB of ordinary news (the seed articles, each its own document,
# repeated until 1 MB has been read), plus SLACK seconds for noise. The budget is a ratio, so it holds for
# linear code on any machine; a quadratic path fails it however fast the machine, since at 1 MB it costs
# 25 to 800 times what it did at the 35-200 KB where such paths were measured taking seconds to minutes.

from __future__ import annotations

import time
from datetime import date
from functools import cache

import pytest

from analysis import config
from analysis.extract.attribution import attribute, resolve_speakers
from analysis.extract.claims import extract
from analysis.extract.times import tag_times
from analysis.text.furniture import find_furniture
from analysis.text.tokens import sentences
from tests.conftest import SEED_IDS, seed_text

SIZE = 1_000_000
FACTOR = 10
SLACK = 2.0
PUBLISHED = date(2007, 7, 10)  # every seed's date but one: a fixed reference keeps the runs comparable


@cache
def _params() -> config.Params:
    return config.load()


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def _skip(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in find_furniture(text)]


def _tag(text: str, skip=()):
    return tag_times(text, PUBLISHED.isoformat(), _params().event.timezone, skip)


def _extract(text: str, skip, hints):
    ev, p = _params().event, _params()
    return extract(text, skip, PUBLISHED, ev.start, ev.end, hints, p.place_of)


def _hints(times) -> list:
    return list(times)


def _attribute(text: str, claims, skip):
    """Attribution, then speaker resolution of its mentions, as the claims stage runs them."""
    atts = attribute(text, claims, skip)
    mentions = [("doc", text, a.speaker_start, a.speaker_end) for a in atts if a.speaker is not None]
    return atts, mentions, resolve_speakers(mentions)


# --- ordinary news: the seeds, one document at a time ----------------------------------------------------


@cache
def _seeds() -> list[dict]:
    """Each seed with what the pipeline gives its extractors: furniture, time hints, claims."""
    out = []
    for doc in SEED_IDS:
        text = seed_text(doc[:3])
        skip = _skip(text)
        times = _tag(text, skip)
        claims = _extract(text, skip, _hints(times))
        out.append({"text": text, "skip": skip, "times": times, "hints": _hints(times), "claims": claims})
    return out


def _copies() -> int:
    """How many passes over the seeds make SIZE characters."""
    return -(-SIZE // sum(len(s["text"]) for s in _seeds()))


@cache
def _ordinary(stage: str) -> float:
    """Seconds the stage takes on SIZE characters of ordinary news, one seed article at a time."""
    run = {
        "sentences": lambda s: sentences(s["text"]),
        "claims": lambda s: _extract(s["text"], s["skip"], s["hints"]),
        "attribution": lambda s: _attribute(s["text"], s["claims"], s["skip"]),
        "times": lambda s: _tag(s["text"], s["skip"]),
    }[stage]
    seeds = _seeds()
    start = time.perf_counter()
    for _ in range(_copies()):
        for s in seeds:
            run(s)
    return time.perf_counter() - start


def _within_budget(seconds: float, stage: str) -> None:
    budget = FACTOR * _ordinary(stage) + SLACK
    assert seconds <= budget, f"{stage}: {seconds:.2f}s on the hostile input, {_ordinary(stage):.2f}s on news"


# --- one long article: the seeds' paragraphs, run together --------------------------------------------------


@cache
def _article() -> tuple[str, list[tuple[int, int]]]:
    """About SIZE characters of news in one document (the seeds over and over), with each seed's furniture
    where the seed stands in it."""
    parts, skip, pos = [], [], 0
    for _ in range(_copies()):
        for s in _seeds():
            parts.append(s["text"])
            skip += [(a + pos, b + pos) for a, b in s["skip"]]
            pos += len(s["text"]) + 1
    return "\n".join(parts), skip


@cache
def _article_times() -> tuple[float, list]:
    text, skip = _article()
    return _timed(_tag, text, skip)


def _per_seed(key: str) -> int:
    return sum(len(s[key]) for s in _seeds())


@pytest.mark.parametrize("unit", ["Gen. A ", "U.S. ", "!"])
def test_a_run_of_abbreviations_initials_or_stops_is_split_in_linear_time(unit):
    # no stop ends a sentence: every "." follows an abbreviation or an initial, and a run of marks ends with none
    text = (unit * (SIZE // len(unit))).rstrip()
    seconds, spans = _timed(sentences, text)
    assert spans == [(0, len(text))]
    _within_budget(seconds, "sentences")


def test_the_temporal_tagger_reads_a_run_of_abbreviations_in_linear_time():
    seconds, found = _timed(_tag, "Gen. A " * (SIZE // 7))
    assert found == []
    _within_budget(seconds, "times")


def test_thousands_of_counts_in_one_sentence_are_claims_found_in_linear_time():
    unit = "at least 1, killed "
    n = SIZE // len(unit)
    text = unit * n
    assert _tag(unit * 100) == []  # no time expression: the pipeline would pass no hints
    seconds, claims = _timed(_extract, text, _skip(text), [])
    # every count but the last is followed by its outcome: a claim per count, all in the one sentence, at any size
    assert len(claims) == n - 1 and len(_extract(unit * 1000, [], [])) == 999
    assert {(c.outcome, c.sentence_start, c.sentence_end) for c in claims} == {("killed", 0, len(text) - 1)}
    _within_budget(seconds, "claims")
    atts_seconds, (atts, mentions, _) = _timed(_attribute, text, claims, [])
    assert len(atts) == len(claims) and mentions == []  # nobody speaks
    _within_budget(atts_seconds, "attribution")


def test_claims_of_one_long_article_in_linear_time():
    text, skip = _article()
    seconds, claims = _timed(_extract, text, skip, _hints(_article_times()[1]))
    assert len(claims) == pytest.approx(_copies() * _per_seed("claims"), rel=0.02)
    _within_budget(seconds, "claims")


def test_attribution_of_one_long_article_in_linear_time():
    text, skip = _article()
    claims = _extract(text, skip, _hints(_article_times()[1]))
    seconds, (atts, mentions, (speakers, ids)) = _timed(_attribute, text, claims, skip)
    per_seed = sum(1 for s in _seeds() for a in attribute(s["text"], s["claims"], s["skip"]) if a.speaker is not None)
    assert len(mentions) == pytest.approx(_copies() * per_seed, rel=0.02)
    assert all(("doc", m[2]) in ids for m in mentions)
    # the same people speak in every copy: a tenth of the article names them all
    tenth = text[: text.index("\n", len(text) // 10)]
    few_claims = [c for c in claims if c.end <= len(tenth)]
    _, _, (few_speakers, _) = _attribute(tenth, few_claims, [(a, b) for a, b in skip if b <= len(tenth)])
    assert sorted(s.name for s in speakers) == sorted(s.name for s in few_speakers)
    _within_budget(seconds, "attribution")


def test_times_of_one_long_article_in_linear_time():
    seconds, found = _article_times()
    assert len(found) == pytest.approx(_copies() * _per_seed("times"), rel=0.02)
    _within_budget(seconds, "times")


def test_a_sentence_of_thousands_of_offsets_is_tagged_in_linear_time():
    unit = "two hours after "  # each waits for a later anchor that never comes
    n = SIZE // len(unit)
    seconds, found = _timed(_tag, unit * n)
    assert len(found) == n and {t.timex_value for t in found} == {"PT2H"}
    _within_budget(seconds, "times")


@pytest.mark.parametrize(
    "unit",
    ["at least 1, killed ", '"He said 12 were killed, ', "12 were killed, said Ali Khan, said Omar Shah, "],
    ids=["counts", "quotes", "speakers"],
)
def test_one_sentence_of_thousands_of_counts_makes_a_linear_table(tmp_path, unit):
    """Every claim keeps its sentence: a 'sentence' of 200 KB with thousands of counts kept whole per claim made
    the claims table quadratic (80 KB: 337 M characters). Long sentences are cut around the count."""
    from analysis.stages import extract as engine

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Headline\n\n" + unit * (200_000 // len(unit)) + ".\n", encoding="utf-8")
    (raw / "manifest.csv").write_text(
        "doc_id,file,outlet,agency,published_on,url\na,a.txt,X,,2007-07-10,\n", encoding="utf-8"
    )
    p = _params()
    engine.run(raw, tmp_path, "manifest.csv", p.furniture, p.event, p.place_of, workers=1)
    import pandas as pd

    claims = pd.read_parquet(tmp_path / "claims.parquet")
    assert len(claims) > 3000
    assert claims["sentence"].str.len().max() <= 1002
    assert claims["sentence"].str.startswith("…").any() and claims["sentence"].str.endswith("…").any()
    assert claims["sentence"].str.len().sum() < 5 * 200_000 * 1002 // 19


def test_thousands_of_lines_each_with_a_claim_in_linear_time():
    # each line's claims once looked at the outcomes of every claim before it (quadratic: 20,000 lines took 9 s)
    unit = "Police said 3 people were killed.\n"
    text = unit * (SIZE // len(unit))
    seconds, claims = _timed(_extract, text, [], [])
    assert len(claims) == SIZE // len(unit) and {c.outcome for c in claims} == {"killed"}
    _within_budget(seconds, "claims")
