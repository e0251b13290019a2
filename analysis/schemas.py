"""Pandera models, one per persisted table; the field descriptions are the data dictionary."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

FURNITURE_KINDS = ["comment_box", "teaser", "subscribe", "caption"]
SPAN_LIST_RE = r"^(\d+:\d+)?( \d+:\d+)*$"
UTC = {"unit": "us", "tz": "UTC"}


class _Strict:
    strict = True
    coerce = False
    ordered = True


class Documents(pa.DataFrameModel):
    """data/processed/documents.parquet: one row per raw document."""

    doc_id: Series[str] = pa.Field(unique=True, description="Document id: the raw file's stem, from the manifest.")
    file: Series[str] = pa.Field(description="Raw file name inside the raw folder.")
    outlet: Series[str] = pa.Field(str_length={"min_value": 1}, description="Outlet that published the text.")
    agency: Series[str] = pa.Field(
        nullable=True, description="Wire agency credited for the text, if any (null when none is named)."
    )
    published_on: Series[pa.Date] = pa.Field(description="Publication date (local calendar date of the outlet).")
    url: Series[str] = pa.Field(nullable=True, description="Where the text was published; null if unknown.")
    sha256: Series[str] = pa.Field(
        str_matches=r"^[0-9a-f]{64}$", description="SHA-256 of the raw file's bytes (provenance)."
    )
    headline: Series[str] = pa.Field(nullable=True, description="Headline line, if the text starts with one.")
    byline: Series[str] = pa.Field(nullable=True, description="Byline or credit line at the top (e.g. 'By IANS').")
    dateline: Series[str] = pa.Field(nullable=True, description="Place dateline opening the body (e.g. 'ISLAMABAD').")
    n_chars: Series[int] = pa.Field(ge=1, description="Characters in the decoded raw text.")
    n_body_chars: Series[int] = pa.Field(ge=0, description="Characters outside page-furniture spans.")
    n_furniture_spans: Series[int] = pa.Field(ge=0, description="Number of page-furniture spans found.")
    furniture_spans: Series[str] = pa.Field(
        str_matches=SPAN_LIST_RE,
        description="Page-furniture spans as space-separated 'start:end' raw offsets (details in furniture).",
    )

    class Config(_Strict):
        pass


class Furniture(pa.DataFrameModel):
    """data/processed/furniture.parquet: one row per page-furniture span set aside by ingest."""

    furniture_id: Series[str] = pa.Field(unique=True, description="Stable id: '<doc_id>:<start>'.")
    doc_id: Series[str] = pa.Field(description="Document the span belongs to (documents.doc_id).")
    start: Series[int] = pa.Field(ge=0, description="Start offset in the raw text (inclusive).")
    end: Series[int] = pa.Field(ge=1, description="End offset in the raw text (exclusive).")
    kind: Series[str] = pa.Field(
        isin=FURNITURE_KINDS,
        description="comment_box (reader views), teaser (related stories), subscribe (call to action), "
        "caption (photo caption with a bracketed credit).",
    )
    cue: Series[str] = pa.Field(description="The general cue that fired, for row-by-row explanation.")
    text: Series[str] = pa.Field(description="The raw text of the span.")

    class Config(_Strict):
        pass

    @pa.dataframe_check
    def span_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["start"] < df["end"]


# The tables the README's data dictionary documents, in pipeline order.
TABLES: dict[str, type[pa.DataFrameModel]] = {
    "documents": Documents,
    "furniture": Furniture,
}
