"""Stage `claims`: documents, furniture, times and raw texts -> claims.parquet and sources.parquet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from analysis.asof import AsOf, as_of_for, publication_bounds, reported_points, reporting_time
from analysis.attribution import Attribution, attribute, resolve_speakers
from analysis.claims import Claim, TimeHint, extract
from analysis.config import Event
from analysis.ingest import furniture_by_doc, load_texts
from analysis.io import frame, read_table, write_tables
from analysis.places import PlaceMap
from analysis.schemas import Claims, Sources
from analysis.times import TimeExpr


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
    hints = [TimeHint(t.start, t.end, t.starts_at, t.ends_at) for t in times]
    claims = extract(text, skip, published_on, event.start, event.end, hints, places)
    points = reported_points(text, times, event.start)
    reporting = reporting_time(points, publication_bounds(published_on, published_at, event.timezone), event.start)
    out = []
    for c in claims:
        a = as_of_for(
            text, c.start, (c.sentence_start, c.sentence_end), c.scope, points, reporting, event.start, times
        )
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


def claims_tables(
    texts: dict[str, str],
    documents: pd.DataFrame,
    furniture: dict[str, list[tuple[int, int]]],
    times: dict[str, list[TimeExpr]],
    event: Event,
    places: PlaceMap | Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims and sources tables of a corpus."""
    rows: list[tuple[str, Claim, AsOf]] = []
    mentions = []
    attributions: dict[tuple[str, int], Attribution] = {}
    for d in documents.itertuples():
        text = texts[d.doc_id]
        published_at = getattr(d, "published_at", None)
        found = document_claims(
            text,
            d.published_on,
            furniture.get(d.doc_id, []),
            times.get(d.doc_id, []),
            event,
            places,
            None if pd.isna(published_at) else published_at.to_pydatetime(),
        )
        for att in attribute(text, [c for c, _, _ in found], furniture.get(d.doc_id, [])):
            attributions[(d.doc_id, att.claim_start)] = att
            if att.speaker is not None:
                mentions.append((d.doc_id, text, att.speaker_start, att.speaker_end))
        rows.extend((d.doc_id, c, a) for c, a, _ in found)
    speakers, source_of = resolve_speakers(mentions)
    recs = []
    for doc_id, c, a in rows:
        att = attributions[(doc_id, c.start)]
        source_id = source_of.get((doc_id, att.speaker_start)) if att.speaker is not None else None
        recs.append(
            {
                "claim_id": f"{doc_id}:{c.start}",
                "doc_id": doc_id,
                "start": c.start,
                "end": c.end,
                "quantity_text": c.quantity_text,
                "sentence": texts[doc_id][c.sentence_start : c.sentence_end],
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
                "source_id": source_id,
                "via": att.via,
                "as_of": a.as_of,
                "as_of_low": a.low,
                "as_of_high": a.high,
                "time_id": f"{doc_id}:t{a.anchor.start}" if a.anchor else None,
                "rule": f"{c.rule}|source:{att.cue}",
            }
        )
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
