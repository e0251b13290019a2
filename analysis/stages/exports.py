"""Stage `exports`: claims and the toll series as tidy CSVs in the shape ACLED and UCDP users know."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.config import Event
from analysis.io import frame, read_table, run_fingerprint, validate, write_texts
from analysis.schemas import EXPORTS, ClaimsExport, TollSeriesExport
from analysis.stages.timeline import hours_since, local_text

# The tables the exports read, by name (data/processed/<name>.parquet).
INPUTS = ("documents", "sources", "claims", "toll_timeline")


def utc_text(moment) -> str | None:
    """A UTC moment as ISO 8601 to the minute with a Z ('2007-07-10T02:00Z'); None if unknown."""
    if pd.isna(moment):
        return None
    return pd.Timestamp(moment).tz_convert("UTC").strftime("%Y-%m-%dT%H:%MZ")


def best_value(low, high) -> int | None:
    """The most conservative number a figure states: its lower bound, else its upper bound (as ACLED codes)."""
    for value in (low, high):
        if not pd.isna(value):
            return int(value)
    return None


def series_name(outcome: str, group: str, place) -> str:
    """'killed militants', 'killed civilians in Atocha': a series of figures in words."""
    return f"{outcome} {group}" + ("" if pd.isna(place) else f" in {place}")


def _hours(moment, event: Event) -> float | None:
    hours = hours_since(moment, event.start)
    return None if hours is None else round(hours, 2)


def _context(rows: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame, event: Event) -> pd.DataFrame:
    """The columns both exports share, for rows with doc_id, source_id, bounds and as_of columns."""
    docs = documents.set_index("doc_id")
    names, kinds = sources.set_index("source_id")["name"], sources.set_index("source_id")["kind"]
    source_of = rows["source_id"].astype(object)
    out = pd.DataFrame(index=rows.index)
    out["event"] = event.name
    for col in ("place", "scope", "outcome", "group"):
        out[col] = rows[col]
    out["outlet"] = rows["doc_id"].map(docs["outlet"])
    out["agency"] = rows["doc_id"].map(docs["agency"])
    out["source"] = source_of.map(lambda s: None if pd.isna(s) else names[s])
    out["source_kind"] = source_of.map(lambda s: None if pd.isna(s) else kinds[s])
    out["value_low"], out["value_high"] = rows["value_low"], rows["value_high"]
    out["value_best"] = [best_value(lo, hi) for lo, hi in zip(rows["value_low"], rows["value_high"], strict=True)]
    out["qualifier"] = rows["qualifier"]
    out["as_of_local"] = [local_text(t, event.zone) for t in rows["as_of"]]
    for col in ("as_of", "as_of_low", "as_of_high"):
        out[f"{col}_utc"] = [utc_text(t) for t in rows[col]]
    out["hours_since_event_start"] = [_hours(t, event) for t in rows["as_of"]]
    out["published_on"] = rows["doc_id"].map(docs["published_on"]).map(lambda d: d.isoformat())
    out["url"] = rows["doc_id"].map(docs["url"])
    out["doc_id"] = rows["doc_id"]
    return out


def _one_line(sentences: pd.Series) -> pd.Series:
    """Sentences on one line each: a CSV cell with a newline breaks too many readers."""
    return sentences.str.replace(r"\s*\n\s*", " ", regex=True)


def claims_export(claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame, event: Event) -> pd.DataFrame:
    """exports/claims.csv: every claim with its article, in claims' order (schemas.ClaimsExport)."""
    out = _context(claims, documents, sources, event)
    out["sentence"] = _one_line(claims["sentence"])
    for col in ("role", "subset_text", "part_of", "quantity_text", "claim_id"):
        out[col] = claims[col]
    return frame(out.to_dict("records"), ClaimsExport)


def toll_series_export(
    timeline: pd.DataFrame, claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame, event: Event
) -> pd.DataFrame:
    """exports/toll_series.csv: every distinct total figure, in the timeline's order, with the sentence of its
    first mention (schemas.TollSeriesExport)."""
    out = _context(timeline, documents, sources, event)
    out["sentence"] = _one_line(timeline["figure_id"].map(claims.set_index("claim_id")["sentence"]))
    keys = zip(timeline["outcome"], timeline["group"], timeline["place"], strict=True)
    out["series"] = [series_name(*key) for key in keys]
    for col in ("figure_text", "revises", "n_mentions", "figure_id"):
        out[col] = timeline[col]
    return frame(out.to_dict("records"), TollSeriesExport)


def csv_text(df: pd.DataFrame) -> str:
    """A table as CSV text: a header, comma-separated, '\\n' line ends, empty cells for nulls."""
    return df.to_csv(index=False, lineterminator="\n")


def build_exports(processed_dir: Path, event: Event) -> dict[str, pd.DataFrame]:
    """Both exports, validated, by file name, from the processed tables (which must come from one run)."""
    tables = {name: read_table(Path(processed_dir) / f"{name}.parquet") for name in INPUTS}
    run_fingerprint({}, tables)  # tables of two different runs are refused with one sentence
    claims, documents, sources = tables["claims"], tables["documents"], tables["sources"]
    built = {
        "claims.csv": claims_export(claims, documents, sources, event),
        "toll_series.csv": toll_series_export(tables["toll_timeline"], claims, documents, sources, event),
    }
    return {name: validate(df, EXPORTS[name], f"exports/{name}") for name, df in built.items()}


def write_exports(processed_dir: Path, exports_dir: Path, event: Event) -> list[Path]:
    """Write exports/claims.csv and exports/toll_series.csv together; returns their paths."""
    exports = build_exports(processed_dir, event)
    return write_texts({Path(exports_dir) / name: csv_text(df) for name, df in exports.items()})
