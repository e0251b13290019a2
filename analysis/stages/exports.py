"""Stage `exports`: claims and the toll series as tidy CSVs in the shape ACLED and UCDP users know."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl

from analysis.columns import (
    UTC,
    hours_since_2dp,
    local_text,
    to_model_frame,
    to_polars,
    utc_text,
)
from analysis.config import Event
from analysis.io import read_table, run_fingerprint, validate, write_texts
from analysis.schemas import EXPORTS, ClaimsExport, TollSeriesExport

# The tables the exports read, by name (data/processed/<name>.parquet).
INPUTS = ("documents", "sources", "claims", "toll_timeline")
# The columns read from them, with their types (a column of nulls gets its type).
FIGURE = {
    "doc_id": pl.String, "source_id": pl.String, "place": pl.String, "scope": pl.String, "outcome": pl.String,
    "group": pl.String, "value_low": pl.Int64, "value_high": pl.Int64, "qualifier": pl.String, "as_of": UTC,
    "as_of_low": UTC, "as_of_high": UTC,
}  # fmt: skip
CLAIM = {**FIGURE, "sentence": pl.String, "role": pl.String, "subset_text": pl.String, "part_of": pl.String,
         "quantity_text": pl.String, "claim_id": pl.String}  # fmt: skip
SERIES = {**FIGURE, "figure_text": pl.String, "revises": pl.String, "n_mentions": pl.Int64, "figure_id": pl.String}
DOCUMENTS = {"doc_id": pl.String, "outlet": pl.String, "agency": pl.String, "published_on": pl.Date, "url": pl.String}
SOURCES = {"source_id": pl.String, "name": pl.String, "kind": pl.String}


def series_name() -> pl.Expr:
    """'killed militants', 'killed civilians in Atocha': a series of figures in words, as column series."""
    place = pl.concat_str(pl.lit(" in "), pl.col("place")).fill_null("")
    return pl.concat_str(pl.col("outcome"), pl.lit(" "), pl.col("group"), place).alias("series")


def one_line(sentences: pl.Expr) -> pl.Expr:
    """Sentences on one line each: a CSV cell with a newline breaks too many readers."""
    return sentences.str.replace_all(r"\s*\n\s*", " ")


def _context(rows: pl.DataFrame, documents: pl.DataFrame, sources: pl.DataFrame, event: Event) -> pl.DataFrame:
    """rows with the columns both exports share: the article's outlet, date and address, the source's name
    and kind, the most conservative value (its lower bound, else its upper bound, as ACLED codes), clock
    texts and hours since the event start (to two decimals)."""
    names = sources.rename({"name": "source", "kind": "source_kind"})
    out = rows.join(documents, on="doc_id", how="left", validate="m:1", maintain_order="left")
    out = out.join(names, on="source_id", how="left", validate="m:1", maintain_order="left")
    return out.with_columns(
        event=pl.lit(event.name),
        value_best=pl.col("value_low").fill_null(pl.col("value_high")),
        published_on=pl.col("published_on").dt.strftime("%Y-%m-%d"),
        sentence=one_line(pl.col("sentence")),
    ).with_columns(
        local_text("as_of", event.timezone),
        *(utc_text(c) for c in ("as_of", "as_of_low", "as_of_high")),
        hours_since_2dp(pl.col("as_of"), event.start),
    )


def claims_export(claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame, event: Event) -> pd.DataFrame:
    """exports/claims.csv: every claim with its article, in claims' order (schemas.ClaimsExport)."""
    rows = to_polars(claims, CLAIM)
    out = _context(rows, to_polars(documents, DOCUMENTS), to_polars(sources, SOURCES), event)
    return to_model_frame(out, ClaimsExport)


def toll_series_export(
    timeline: pd.DataFrame, claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame, event: Event
) -> pd.DataFrame:
    """exports/toll_series.csv: every distinct total figure, in the timeline's order, with the sentence of its
    first mention (schemas.TollSeriesExport)."""
    sentences = to_polars(claims, {"claim_id": pl.String, "sentence": pl.String}).rename({"claim_id": "figure_id"})
    rows = to_polars(timeline, SERIES).join(
        sentences, on="figure_id", how="left", validate="1:1", maintain_order="left"
    )
    out = _context(rows, to_polars(documents, DOCUMENTS), to_polars(sources, SOURCES), event)
    return to_model_frame(out.with_columns(series_name()), TollSeriesExport)


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
