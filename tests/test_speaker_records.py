"""The corpus-level steps (speaker resolution, ids) read compact per-document records, never texts, and give the
same tables however the documents are grouped into parts."""

from __future__ import annotations

import dataclasses
import pickle
import tempfile
from collections import Counter
from datetime import date
from functools import cache

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import config
from analysis.extract import attribution
from analysis.extract.times import tag_times
from analysis.stages.claims import SENTENCE_MAX_CHARS, Assembly, DocClaims, claims_of_document, claims_part
from analysis.text.furniture import find_furniture
from tests.conftest import SEED_IDS, seed_text


@cache
def _seed_claims() -> list[tuple[str, DocClaims]]:
    """(text, DocClaims) of every seed, as the engine's workers make them."""
    event = config.load().event
    out = []
    for doc in SEED_IDS:
        text = seed_text(doc[:3])
        skip = [(s.start, s.end) for s in find_furniture(text)]
        times = tag_times(text, "2007-07-10", event.timezone, skip)
        out.append((text, claims_of_document(doc[:3], text, date(2007, 7, 10), None, skip, times, event)))
    return out


def _strings(obj) -> list[str]:
    """Every string held by obj, through dataclasses, containers and pickled bytes."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, bytes):
        return _strings(pickle.loads(obj))
    if dataclasses.is_dataclass(obj):
        return _strings([getattr(obj, f.name) for f in dataclasses.fields(obj)])
    if isinstance(obj, dict):
        return _strings(list(obj.items()))
    if isinstance(obj, list | tuple):
        return [s for x in obj for s in _strings(x)]
    return []


def test_the_record_kept_of_a_document_holds_no_text():
    spoken = [(text, d) for text, d in _seed_claims() if d.mentions is not None]
    assert any(d.mentions.persons for _, d in spoken)  # a document quoting a named person is among them
    for text, d in spoken:
        held = _strings(d)
        # the longest is a claim's sentence (cut to SENTENCE_MAX_CHARS) or a name's appositive
        assert max(map(len, held)) <= min(len(text) // 4, SENTENCE_MAX_CHARS + 2)


def _tables(parts: list[list[DocClaims]], spill: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    with tempfile.TemporaryFile() as f:
        assembly = Assembly(f if spill else None)
        for part in parts:
            assembly.add(claims_part(part))
        return assembly.tables()


def test_speakers_resolve_the_same_whatever_the_parts_and_the_spill():
    docs = [d for _, d in _seed_claims()]
    one_part = _tables([docs], spill=False)
    claims = one_part[0]
    # a person credited in several documents (as "Major general Waheed Arshad", "Arshad"...): one source
    assert claims.loc[claims["source_id"] == "waheed-arshad", "doc_id"].nunique() > 1
    for claims, sources in (_tables([[d] for d in docs], spill=True), _tables([docs[:2], [], docs[2:]], spill=True)):
        pd.testing.assert_frame_equal(claims, one_part[0])
        pd.testing.assert_frame_equal(sources, one_part[1])


def test_resolve_speakers_equals_the_resolver_fed_document_by_document():
    docs = [(text, d) for text, d in _seed_claims() if d.mentions is not None]
    mentions = [(d.doc_id, text, s, e) for text, d in docs for (_, s), e in _spans(d)]
    resolver = attribution.SpeakerResolver()
    for _, d in docs:
        resolver.add(d.mentions)
    assert attribution.resolve_speakers(mentions) == resolver.resolve()


def _spans(d: DocClaims) -> list[tuple[tuple[str, int], int]]:
    m = d.mentions
    return [(k, k[1] + len(m.surfaces[k])) for k in m.persons] + [(k, k[1] + len(m.others[k][1])) for k in m.others]


def _kind_of_words(words: list[str]) -> str:
    """speaker kind as it was computed from the whole list of words at once (the reference)."""
    counts, first = Counter(), {}
    for n, w in enumerate(words):
        for kind, cues in attribution._lex().kinds.items():
            if w.lower() in cues:
                counts[kind] += 1
                first.setdefault(kind, n)
    return max(counts, key=lambda k: (counts[k], -first[k])) if counts else "unknown"


@cache
def _cue_words() -> list[str]:
    words = sorted({w for cues in attribution._lex().kinds.values() for w in cues})
    return words[:40] + ["said", "the"]


_phrase = st.lists(st.sampled_from(range(42)), max_size=4).map(
    lambda ns: " ".join(_cue_words()[n] for n in ns[:2]) + " " + "-".join(_cue_words()[n] for n in ns[2:])
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_phrase | st.none(), min_size=5, max_size=5), max_size=6))
def test_a_kind_tallied_occurrence_by_occurrence_is_the_kind_of_all_their_words(occurrences):
    tally = attribution._KindTally()
    for phrases in occurrences:
        tally.add(*phrases)
    assert tally.kind() == _kind_of_words(attribution._words(*(p for ps in occurrences for p in ps)))
