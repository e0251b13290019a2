"""Stage `claims`: documents, furniture, times and raw texts -> claims.parquet and sources.parquet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from analysis.config import Event
from analysis.extract.asof import AsOf, as_of_for, publication_bounds, reported_points, reporting_time
from analysis.extract.attribution import Attribution, attribute, resolve_speakers
from analysis.extract.claims import Claim, extract
from analysis.extract.places import PlaceMap
from analysis.extract.times import TimeExpr
from analysis.io import frame, read_table, write_tables
from analysis.schemas import Claims, Sources
from analysis.stages.ingest import furniture_by_doc, load_texts


def _times_from_table(times: pd.DataFrame) -> dict[str, list[TimeExpr]]:
    """times.parquet rows back to TimeExpr objects, per document, in text order."""
    out: dict[str, list[TimeExpr]] = {}
    for r in times.sort_values(["doc_id", "start"]).itertuples():
        starts = None if pd.isna(r.starts_at) else r.starts_at.to_pydatetime()
        ends = None if pd.isna(r.ends_at) else r.ends_at.to_pydatetime()
        out.setdefault(r.doc_id, []).append(
            TimeExpr(int(r.start), int(r.end), r.text, r.timex_type, r.timex_value, starts, ends, r.rule)
        )
    return out


def document_claims(
    text: str,
    published_on: date,
    skip: Sequence[tuple[int, int]],
    times: Sequence[TimeExpr],
    event: Event,
    places: PlaceMap | Sequence[str],
    published_at: datetime | None = None,
) -> list[tuple[Claim, AsOf, TimeExpr | None]]:
    """Claims of one document with scope and as_of."""
    claims = extract(text, skip, published_on, event.start, event.end, times, places)
    points = reported_points(text, times, event.start)
    reporting = reporting_time(points, publication_bounds(published_on, published_at, event.timezone), event.start)
    out = []
    for c in claims:
        a = as_of_for(text, c.start, (c.sentence_start, c.sentence_end), c.scope, points, reporting, event.start, times)
        out.append((replace(c, rule=f"{c.rule}|as_of:{a.basis}"), a, a.anchor))
    return out


NOT_ARMED = ("civilians", "unspecified")


def held_by_the_same_source(claims: pd.DataFrame) -> pd.DataFrame:
    """Civilians counted 'inside' are held when the same source (or the outlet's own voice) has already said,
    earlier in the article, that people are held there ("hundreds ... held as human shields", then "300-400
    women and children" inside): news first establishes a hostage situation, then counts the people in it.
    Militants, unnamed 'people' and counts before any such statement keep the outcome their words give."""
    claims = claims.copy()
    held = claims[(claims["outcome"] == "held") & claims["group"].isin(NOT_ARMED)]
    first_held: dict[tuple, int] = {}
    for d, s, start in zip(held["doc_id"], held["source_id"], held["start"], strict=True):
        key = (d, s if isinstance(s, str) else None)
        first_held[key] = min(start, first_held.get(key, start))
    candidates = (claims["outcome"] == "present") & (claims["group"] == "civilians")
    later = [
        first_held.get((d, s if isinstance(s, str) else None), start) < start
        for d, s, start in zip(claims["doc_id"], claims["source_id"], claims["start"], strict=True)
    ]
    recode = candidates & pd.Series(later, index=claims.index, dtype=bool)
    claims.loc[recode, "outcome"] = "held"
    claims.loc[recode, "rule"] = claims.loc[recode, "rule"] + "|outcome:held, as the same source said before"
    return claims


@dataclass(frozen=True)
class DocClaims:
    """One document's claims with their as_of, attribution and sentence: what the corpus-level steps (speaker
    resolution, ids, the held-by-the-same-source rule) need, so that documents can be read in any process."""

    doc_id: str
    found: list[tuple[Claim, AsOf]]
    attributions: list[Attribution]
    sentences: list[str]
    text: str | None  # kept only when a claim has a speaker: speaker resolution reads names around it


# A claim keeps a copy of its sentence; a "sentence" of thousands of characters (a list or table with no full
# stop, or a hostile text holding thousands of counts) keeps only this much around the count, so the table grows
# linearly with the text, not with counts x sentence length.
SENTENCE_MAX_CHARS = 1000


def sentence_text(text: str, s_start: int, s_end: int, start: int, end: int) -> str:
    """The claim's sentence; one longer than SENTENCE_MAX_CHARS is cut to the words around the count, each cut
    marked '…'."""
    if s_end - s_start <= SENTENCE_MAX_CHARS:
        return text[s_start:s_end]
    half = max(0, (SENTENCE_MAX_CHARS - (end - start)) // 2)
    lo, hi = max(s_start, start - half), min(s_end, end + half)
    while lo > s_start and not text[lo - 1].isspace() and lo < start:  # cut at a word boundary
        lo += 1
    while hi < s_end and not text[hi].isspace() and hi > end:
        hi -= 1
    return ("…" if lo > s_start else "") + text[lo:hi].strip() + ("…" if hi < s_end else "")


def claims_of_document(
    doc_id: str,
    text: str,
    published_on: date,
    published_at: datetime | None,
    skip: Sequence[tuple[int, int]],
    times: Sequence[TimeExpr],
    event: Event,
    places: PlaceMap | Sequence[str] = (),
) -> DocClaims:
    """The claims of one document, attributed."""
    found = document_claims(text, published_on, skip, times, event, places, published_at)
    # attribution reads the whole document: most documents of a corpus hold no claim
    atts = attribute(text, [c for c, _, _ in found], skip) if found else []
    sentences = [sentence_text(text, c.sentence_start, c.sentence_end, c.start, c.end) for c, _, _ in found]
    spoken = any(a.speaker is not None for a in atts)
    return DocClaims(doc_id, [(c, a) for c, a, _ in found], atts, sentences, text if spoken else None)


def claims_tables(
    texts: dict[str, str],
    documents: pd.DataFrame,
    furniture: dict[str, list[tuple[int, int]]],
    times: dict[str, list[TimeExpr]],
    event: Event,
    places: PlaceMap | Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims and sources tables of a corpus."""
    docs = []
    for d in documents.itertuples():
        published_at = getattr(d, "published_at", None)
        docs.append(
            claims_of_document(
                d.doc_id,
                texts[d.doc_id],
                d.published_on,
                None if pd.isna(published_at) else published_at.to_pydatetime(),
                furniture.get(d.doc_id, []),
                times.get(d.doc_id, []),
                event,
                places,
            )
        )
    return assemble(docs)


def _claim_record(
    doc_id: str, c: Claim, a: AsOf, att: Attribution, sentence: str, source_of: dict[tuple[str, int], str]
) -> dict:
    """A claim's row of the claims table."""
    return {
        "claim_id": f"{doc_id}:{c.start}",
        "doc_id": doc_id,
        "start": c.start,
        "end": c.end,
        "quantity_text": c.quantity_text,
        "sentence": sentence,
        "value_low": c.value_low,
        "value_high": c.value_high,
        "qualifier": c.qualifier,
        "outcome": c.outcome,
        "group": c.group,
        "group_text": c.group_text,
        "role": c.role,
        "subset_text": c.subset_text,
        "part_of": None if c.part_of is None else f"{doc_id}:{c.part_of}",
        "place": c.place,
        "scope": c.scope,
        "source_id": source_of.get((doc_id, att.speaker_start)) if att.speaker is not None else None,
        "via": att.via,
        "as_of": a.as_of,
        "as_of_low": a.low,
        "as_of_high": a.high,
        "time_id": f"{doc_id}:t{a.anchor.start}" if a.anchor else None,
        "rule": f"{c.rule}|source:{att.cue}",
    }


def assemble(docs: Sequence[DocClaims]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims and sources tables from every document's claims, in document order: speakers are resolved
    across the corpus, then the held-by-the-same-source rule is applied."""
    mentions = [
        (d.doc_id, d.text, a.speaker_start, a.speaker_end)
        for d in docs
        for a in d.attributions
        if a.speaker is not None
    ]
    speakers, source_of = resolve_speakers(mentions)
    recs = []
    for d in docs:
        for (c, a), att, sentence in zip(d.found, d.attributions, d.sentences, strict=True):
            recs.append(_claim_record(d.doc_id, c, a, att, sentence, source_of))
    claims = held_by_the_same_source(frame(recs, Claims))
    counts = claims["source_id"].value_counts()
    sources = frame(
        [
            {
                "source_id": s.source_id,
                "name": s.name,
                "aliases": " | ".join(s.aliases),
                "title": s.title,
                "affiliation": s.affiliation,
                "kind": s.kind,
                "is_anonymous": s.is_anonymous,
                "is_institution": s.is_institution,
                "n_claims": int(counts.get(s.source_id, 0)),
            }
            for s in sorted(speakers, key=lambda s: s.source_id)
        ],
        Sources,
    )
    return claims, sources


def run(raw_dir: Path, out_dir: Path, event: Event, places: PlaceMap | Sequence[str] = ()) -> None:
    """Stage `claims`: documents, furniture, times and raw texts -> claims.parquet and sources.parquet."""
    out_dir = Path(out_dir)
    documents = read_table(out_dir / "documents.parquet")
    furniture = furniture_by_doc(read_table(out_dir / "furniture.parquet"))
    times = _times_from_table(read_table(out_dir / "times.parquet"))
    texts = load_texts(raw_dir, documents)
    claims, sources = claims_tables(texts, documents, furniture, times, event, places)
    write_tables(
        {out_dir / "claims.parquet": (claims, Claims), out_dir / "sources.parquet": (sources, Sources)},
        upstream={"documents": documents, "times": out_dir / "times.parquet"},
    )
