"""Stage `times`: documents and raw texts -> times.parquet (the tagger is analysis.extract.times)."""

from __future__ import annotations

from pathlib import Path

from analysis.extract.times import TimeExpr, tag_times
from analysis.io import frame, read_table, write_tables
from analysis.schemas import Times
from analysis.stages.ingest import furniture_by_doc, load_texts


def times_frame(doc_times: dict[str, list[TimeExpr]]):
    """One row per time expression (schema: Times)."""
    recs = [
        {
            "time_id": f"{doc_id}:t{t.start}",
            "doc_id": doc_id,
            "start": t.start,
            "end": t.end,
            "text": t.text,
            "timex_type": t.timex_type,
            "timex_value": t.timex_value,
            "starts_at": t.starts_at,
            "ends_at": t.ends_at,
            "rule": t.rule,
        }
        for doc_id, ts in doc_times.items()
        for t in ts
    ]
    return frame(recs, Times)


def tag_corpus(texts: dict[str, str], documents, furniture: dict[str, list[tuple[int, int]]], tz: str):
    """Time expressions of every document, each resolved against its publication date."""
    return {
        row.doc_id: tag_times(texts[row.doc_id], row.published_on.isoformat(), tz, furniture.get(row.doc_id, []))
        for row in documents.itertuples()
    }


def run(raw_dir: Path, out_dir: Path, tz: str) -> None:
    """Stage `times`: documents + raw texts -> times.parquet."""
    out_dir = Path(out_dir)
    documents = read_table(out_dir / "documents.parquet")
    furniture = furniture_by_doc(read_table(out_dir / "furniture.parquet"))
    texts = load_texts(raw_dir, documents)
    times = times_frame(tag_corpus(texts, documents, furniture, tz))
    write_tables({out_dir / "times.parquet": (times, Times)}, upstream={"documents": documents})
