"""Stage `claims`: documents, furniture, times and raw texts -> claims.parquet and sources.parquet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from analysis.config import Event
from analysis.extract.asof import AsOf, as_of_for, publication_bounds, reported_points, reporting_time, superseded
from analysis.extract.attribution import Attribution, DocMentions, Speaker, SpeakerResolver, attribute, doc_mentions
from analysis.extract.claims import Claim, extract
from analysis.extract.places import PlaceMap
from analysis.extract.times import TimeExpr
from analysis.io import frame, read_table, write_tables
from analysis.schemas import Claims, Sources
from analysis.stages.ingest import furniture_by_doc, load_texts
from analysis.text.tokens import tokenize


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
        if c.superseded:  # "revised down from 172": current before the statement that replaced it
            a = superseded(a, c.scope, event.start)
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
    """One document's claims as rows of the claims table (source_id not yet known), the start of each one's
    speaker (None: the outlet's own voice), and what speaker resolution needs of the document (None when no
    claim has a speaker): what the corpus-level steps need, without the text, so that documents can be read
    in any process and only this is kept until the end."""

    doc_id: str
    rows: list[dict]
    speakers: list[int | None]
    mentions: DocMentions | None


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
    # attribution reads the whole document, tokenized once for it and the speakers' name runs: most documents
    # of a corpus hold no claim, and are never tokenized whole
    toks = tokenize(text) if found else []
    atts = attribute(text, [c for c, _, _ in found], skip, toks) if found else []
    rows, speakers = [], []
    for (c, a, _), att in zip(found, atts, strict=True):
        sentence = sentence_text(text, c.sentence_start, c.sentence_end, c.start, c.end)
        rows.append(_claim_record(doc_id, c, a, att, sentence))
        speakers.append(att.speaker_start if att.speaker is not None else None)
    spans = [(a.speaker_start, a.speaker_end) for a in atts if a.speaker is not None]
    return DocClaims(doc_id, rows, speakers, doc_mentions(doc_id, text, spans, toks) if spans else None)


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
    assembly = Assembly()
    assembly.add(claims_part(docs))
    return assembly.tables()


def _claim_record(doc_id: str, c: Claim, a: AsOf, att: Attribution, sentence: str) -> dict:
    """A claim's row of the claims table, but its source_id (resolved across the corpus)."""
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
        "source_id": None,
        "via": att.via,
        "as_of": a.as_of,
        "as_of_low": a.low,
        "as_of_high": a.high,
        "time_id": f"{doc_id}:t{a.anchor.start}" if a.anchor else None,
        "rule": f"{c.rule}|source:{att.cue}",
    }


@dataclass(frozen=True)
class ClaimsPart:
    """Some documents' claims: their rows framed (source_id null), each row's speaker start and the documents'
    DocMentions. A worker builds it for a batch; a frame holds the rows in a fraction of the memory of dicts."""

    rows: pd.DataFrame
    speakers: list[int | None]
    mentions: list[DocMentions]


def claims_part(docs: Sequence[DocClaims]) -> ClaimsPart:
    """The ClaimsPart of documents, in order."""
    return ClaimsPart(
        frame([r for d in docs for r in d.rows], Claims),
        [s for d in docs for s in d.speakers],
        [d.mentions for d in docs if d.mentions is not None],
    )


# Parts held before they are concatenated into one frame: a frame's fixed cost, per part, would grow with the
# corpus, and concatenating as they come would copy the rows once per part.
PARTS_HELD = 64


class Assembly:
    """The claims and sources tables from every document's claims, fed part by part in document order (the
    corpus-level steps run in tables()): the rows are held as frames and each document's speaker summary by the
    resolver, whose name runs go to spill (a binary file; None: memory)."""

    def __init__(self, spill: BinaryIO | None = None) -> None:
        self.parts: list[pd.DataFrame] = []
        self.speakers: list[int | None] = []
        self.resolver = SpeakerResolver(spill)

    def add(self, part: ClaimsPart) -> None:
        if len(part.rows):
            self.parts.append(part.rows)
        self.speakers.extend(part.speakers)
        for m in part.mentions:
            self.resolver.add(m)
        if len(self.parts) >= PARTS_HELD:
            self.parts = [pd.concat(self.parts, ignore_index=True)]

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The claims and sources tables: speakers resolved across the corpus, then the held-by-the-same-source
        rule applied."""
        speakers, source_of = self.resolver.resolve()
        claims = _one_frame(self.parts)
        self.parts = []
        ids = [
            None if s is None else source_of.get((d, s)) for d, s in zip(claims["doc_id"], self.speakers, strict=True)
        ]
        claims["source_id"] = pd.array(ids, dtype="str")  # as frame() casts a column of strings and nulls
        claims = held_by_the_same_source(claims)
        return claims, _sources_table(speakers, claims["source_id"].value_counts())


def _one_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts as one frame, as frame() would have made it of all their rows: each string column in one piece
    (concatenated, it is in one per part, and parquet would cut its pages elsewhere)."""
    if not parts:
        return frame([], Claims)
    df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    for name, dtype in df.dtypes.items():
        if isinstance(dtype, pd.StringDtype):
            df[name] = pd.array(df[name].to_numpy(dtype=object, na_value=None), dtype=dtype)
    return df


def _sources_table(speakers: Sequence[Speaker], counts: pd.Series) -> pd.DataFrame:
    """The sources table: one row per speaker, by source_id, with the claims credited to it."""
    return frame(
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
