"""Pandera models of the persisted tables (descriptions = data dictionary), their keys, gold and metrics models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series
from pydantic import BaseModel, ConfigDict, Field, RootModel

FURNITURE_KINDS = ["comment_box", "teaser", "subscribe", "caption"]
QUALIFIERS = ["exact", "approximate", "at_least", "more_than", "at_most", "range", "vague"]
OUTCOMES = ["killed", "injured", "captured", "freed", "held", "present"]
GROUPS = ["militants", "security_forces", "civilians", "mixed", "unspecified"]
SCOPES = ["event", "cumulative", "prior", "other"]
ROLES = ["total", "part"]
TIMEX_TYPES = ["DATE", "TIME", "DURATION", "SET"]
SOURCE_KINDS = ["military", "government", "militant", "media", "relief", "analyst", "civilian", "unknown"]
SPAN_LIST_RE = r"^(\d+:\d+)?( \d+:\d+)*$"
UTC = {"unit": "us", "tz": "UTC"}


# Fields that several tables share, written once (pandera needs a Field object per model, hence functions).
def _doc_id() -> Any:
    return pa.Field(description="Document (documents.doc_id).")


def _outlet() -> Any:
    return pa.Field(description="Outlet that published the document (documents.outlet).")


def _source_name() -> Any:
    return pa.Field(
        nullable=True, description="Canonical name of that source (sources.name); null = the outlet's own voice."
    )


def _outcome() -> Any:
    return pa.Field(isin=OUTCOMES, description="killed, injured, captured, freed, held or present.")


def _group() -> Any:
    return pa.Field(isin=GROUPS, description="militants, security_forces, civilians, mixed or unspecified.")


def _scope() -> Any:
    return pa.Field(isin=SCOPES, description="event, cumulative, prior or other (as in claims).")


def _qualifier() -> Any:
    return pa.Field(isin=QUALIFIERS, description="exact, approximate, at_least, more_than, at_most, range or vague.")


class _StrictModel(pa.DataFrameModel):
    """Base of the models: no unknown columns, columns in the declared order, no silent coercion. (A plain
    mixin on Config would not do: pandera reads only the options a Config class or a model's Config sets.)"""

    class Config:
        strict = True
        coerce = False
        ordered = True


class Documents(_StrictModel):
    """data/processed/documents.parquet: one row per raw document."""

    doc_id: Series[str] = pa.Field(unique=True, description="Document id: the raw file's stem, from the manifest.")
    file: Series[str] = pa.Field(description="Raw file name inside the raw folder.")
    outlet: Series[str] = pa.Field(str_length={"min_value": 1}, description="Outlet that published the text.")
    agency: Series[str] = pa.Field(
        nullable=True, description="Wire agency credited for the text, if any (null when none is named)."
    )
    published_on: Series[pa.Date] = pa.Field(
        description="Publication date: the local calendar date where it was published (for a manifest date-time, "
        "its date in its own offset, or in the row's timezone, else the event's, when it has none)."
    )
    published_at: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True,
        dtype_kwargs=UTC,
        description="Publication instant (UTC) when the manifest gives a time of day; null when it gives only a "
        "date. Its local date is published_on.",
    )
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

    @pa.dataframe_check
    def published_at_near_its_date(cls, df: pd.DataFrame) -> Series[bool]:
        # the zone used is not in the table, but every UTC offset is under a day, so the instant lies between
        # a day before the start of published_on and a day after its end (ingest tests the exact rule)
        gap = df["published_at"] - pd.to_datetime(df["published_on"]).dt.tz_localize("UTC")
        return df["published_at"].isna() | ((gap > -pd.Timedelta(days=1)) & (gap < pd.Timedelta(days=2)))


class Furniture(_StrictModel):
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

    @pa.dataframe_check
    def span_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["start"] < df["end"]


class Times(_StrictModel):
    """data/processed/times.parquet: one row per time expression (TimeML TIMEX3) outside furniture."""

    time_id: Series[str] = pa.Field(unique=True, description="Stable id: '<doc_id>:t<start>'.")
    doc_id: Series[str] = _doc_id()
    start: Series[int] = pa.Field(ge=0, description="Start offset of the expression in the raw text.")
    end: Series[int] = pa.Field(ge=1, description="End offset (exclusive).")
    text: Series[str] = pa.Field(description="The expression as written.")
    timex_type: Series[str] = pa.Field(isin=TIMEX_TYPES, description="TIMEX3 type: DATE, TIME, DURATION or SET.")
    timex_value: Series[str] = pa.Field(
        description="TIMEX3 value, in the expression's own zone: '2007-07-10', '2007-07-10T04:00', 'PT3H', "
        "'2007-07-10TEV', 'PRESENT_REF'."
    )
    starts_at: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True, dtype_kwargs=UTC, description="Start of the resolved interval (UTC); null if unresolved."
    )
    ends_at: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True,
        dtype_kwargs=UTC,
        description="End of the resolved interval (UTC, exclusive); null if unresolved.",
    )
    rule: Series[str] = pa.Field(description="Tagger rule that produced the row; '@value' names an anchor.")

    @pa.dataframe_check
    def interval_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["starts_at"].isna() | (df["starts_at"] <= df["ends_at"])


class Claims(_StrictModel):
    """data/processed/claims.parquet: one row per mention of a count of people in a casualty or custody outcome."""

    claim_id: Series[str] = pa.Field(unique=True, description="Stable id: '<doc_id>:<start>'.")
    doc_id: Series[str] = _doc_id()
    start: Series[int] = pa.Field(
        ge=0, description="Start offset of the count phrase (with its qualifier) in the raw text."
    )
    end: Series[int] = pa.Field(ge=1, description="End offset of the count phrase (exclusive).")
    quantity_text: Series[str] = pa.Field(description="The count phrase as written ('at least 20', 'Dozens').")
    sentence: Series[str] = pa.Field(
        description="The sentence the claim was read from; one over 1,000 characters is cut to the words around "
        "the count, each cut marked '…'."
    )
    value_low: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Lowest count the phrase allows; null if unbounded."
    )
    value_high: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Highest count the phrase allows; null if unbounded."
    )
    qualifier: Series[str] = _qualifier()
    outcome: Series[str] = _outcome()
    group: Series[str] = _group()
    group_text: Series[str] = pa.Field(
        nullable=True, description="The words naming the group ('male and female students')."
    )
    role: Series[str] = pa.Field(
        isin=ROLES,
        description="total, or part: a subset of the victims picked out by who they are (nationality, employer, "
        "occupation, age, sex: 'including 9 Britons', 'six of them children') within a larger count. A count of "
        "a whole group in its own right, or of one place, is a total.",
    )
    subset_text: Series[str] = pa.Field(
        nullable=True, description="For a part: the words naming the subset ('Britons', 'local staff'); else null."
    )
    part_of: Series[str] = pa.Field(
        nullable=True, description="For a part: the claim_id of the whole it belongs to, where the article states it."
    )
    place: Series[str] = pa.Field(
        nullable=True,
        description="Canonical name of the event place the count is tied to (params event.places: 'killed 180 "
        "people in Madrid', 'in the Spanish capital'); null when the count covers the whole event.",
    )
    scope: Series[str] = pa.Field(
        isin=SCOPES,
        description="event (the focal incident), cumulative (running total), prior (earlier phase) or other.",
    )
    source_id: Series[str] = pa.Field(
        nullable=True, description="Who the article credits (sources.source_id); null = the outlet's own voice."
    )
    via: Series[str] = pa.Field(nullable=True, description="Channel the source spoke through ('AFP'), not the speaker.")
    as_of: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True, dtype_kwargs=UTC, description="When the figure was stated as current (UTC point estimate)."
    )
    as_of_low: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True, dtype_kwargs=UTC, description="Earliest time the figure can be current as of (UTC)."
    )
    as_of_high: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True, dtype_kwargs=UTC, description="Latest time the figure can be current as of (UTC)."
    )
    time_id: Series[str] = pa.Field(
        nullable=True, description="The time expression that anchored as_of (times.time_id); null = publication day."
    )
    rule: Series[str] = pa.Field(description="Rules that produced the row: outcome cue, group, scope cue, as_of basis.")

    @pa.dataframe_check
    def bounds_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        both = df["value_low"].notna() & df["value_high"].notna()
        return (~both | (df["value_low"] <= df["value_high"])).astype(bool)

    @pa.dataframe_check
    def as_of_within_bounds(cls, df: pd.DataFrame) -> Series[bool]:
        known = df["as_of"].notna()
        return (~known | ((df["as_of_low"] <= df["as_of"]) & (df["as_of"] <= df["as_of_high"]))).astype(bool)


class Sources(_StrictModel):
    """data/processed/sources.parquet: one row per distinct speaker credited for a figure, across the corpus."""

    source_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^[a-z0-9-]+$", description="Stable slug of the canonical name."
    )
    name: Series[str] = pa.Field(description="Canonical name: the longest form seen, without title.")
    aliases: Series[str] = pa.Field(description="Every surface form seen, ' | '-separated.")
    title: Series[str] = pa.Field(nullable=True, description="Title or role ('chief military spokesman').")
    affiliation: Series[str] = pa.Field(nullable=True, description="Organisation the speaker belongs to, if stated.")
    kind: Series[str] = pa.Field(
        isin=SOURCE_KINDS, description="military, government, militant, media, relief, analyst, civilian or unknown."
    )
    is_anonymous: Series[bool] = pa.Field(
        description="An unnamed person ('a military official'): one source per description."
    )
    is_institution: Series[bool] = pa.Field(description="An institution speaking ('the army', 'the government').")
    n_claims: Series[int] = pa.Field(ge=0, description="Claims credited to this source.")


# The tables the README's data dictionary documents, in pipeline order.
TABLES: dict[str, type[pa.DataFrameModel]] = {
    "documents": Documents,
    "furniture": Furniture,
    "times": Times,
    "claims": Claims,
    "sources": Sources,
}


class TollTimeline(_StrictModel):
    """data/processed/toll_timeline.parquet: one row per distinct total figure per document (claims with role
    'total'; parts are in toll_parts), stage timeline."""

    figure_id: Series[str] = pa.Field(
        unique=True, description="Stable id: the claim_id of the figure's earliest mention ('<doc_id>:<start>')."
    )
    doc_id: Series[str] = _doc_id()
    start: Series[int] = pa.Field(ge=0, description="Raw-text offset of the earliest mention (claims.start).")
    outlet: Series[str] = _outlet()
    agency: Series[str] = pa.Field(nullable=True, description="Wire agency credited (documents.agency); null if none.")
    published_on: Series[pa.Date] = pa.Field(description="Publication date of the document (documents.published_on).")
    source_id: Series[str] = pa.Field(
        nullable=True, description="Who the figure is credited to (sources.source_id); null = the outlet's own voice."
    )
    source_name: Series[str] = _source_name()
    outcome: Series[str] = _outcome()
    group: Series[str] = _group()
    scope: Series[str] = _scope()
    place: Series[str] = pa.Field(
        nullable=True,
        description="Event place the figure counts (claims.place); null = the whole event. A place's figures "
        "are a series of their own, apart from the whole event's.",
    )
    value_low: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Lowest count the figure allows; null if unbounded."
    )
    value_high: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Highest count the figure allows; null if open-ended."
    )
    qualifier: Series[str] = _qualifier()
    figure_text: Series[str] = pa.Field(
        description="The figure in words from its bounds and qualifier: '20', 'about 40', 'at least 3', "
        "'300–400', 'vague: 24–99'."
    )
    quantity_text: Series[str] = pa.Field(description="The count phrase of the earliest mention, as written.")
    n_mentions: Series[int] = pa.Field(
        ge=1,
        description="Mentions of this figure in the document (same outcome, group, scope, place, bounds, "
        "qualifier and source); they count once.",
    )
    as_of: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True, dtype_kwargs=UTC, description="When the figure was stated as current (UTC; claims.as_of)."
    )
    as_of_local: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^\d{4}-\d\d-\d\dT\d\d:\d\d[+-]\d\d:\d\d$",
        description="as_of as local wall time in the event's time zone, ISO 8601 to the minute with its UTC "
        "offset ('2007-07-10T04:00+05:00'); null if as_of is.",
    )
    as_of_low: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True,
        dtype_kwargs=UTC,
        description="Earliest time the figure may have been current (UTC; claims.as_of_low of the same mention "
        "as as_of): with as_of_high, the honest interval around the point estimate as_of; null if unknown.",
    )
    as_of_high: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True,
        dtype_kwargs=UTC,
        description="Latest time the figure may have been current (UTC; claims.as_of_high of the same mention "
        "as as_of). A figure known only to its publication day spans that day; null if unknown.",
    )
    as_of_low_local: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^\d{4}-\d\d-\d\dT\d\d:\d\d[+-]\d\d:\d\d$",
        description="as_of_low as local wall time in the event's time zone, ISO 8601 to the minute with its UTC "
        "offset (as as_of_local); null if as_of_low is.",
    )
    as_of_high_local: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^\d{4}-\d\d-\d\dT\d\d:\d\d[+-]\d\d:\d\d$",
        description="as_of_high as local wall time in the event's time zone, ISO 8601 to the minute with its UTC "
        "offset (as as_of_local); null if as_of_high is.",
    )
    hours_since_event_start: Series[pd.Float64Dtype] = pa.Field(
        nullable=True, description="Hours from the event start (params event.start) to as_of; negative before it."
    )
    revises: Series[str] = pa.Field(
        nullable=True,
        description="'<previous> → <this>' when the same outlet's last figure for the same outcome, group, "
        "scope and place stated strictly earlier had other numbers ('20 → about 40'); null if none or a repeat.",
    )
    revises_figure_id: Series[str] = pa.Field(
        nullable=True, description="figure_id of the figure revised (see revises); null if none."
    )

    @pa.dataframe_check
    def distinct_per_document(cls, df: pd.DataFrame) -> bool:
        key = ["doc_id", "outcome", "group", "scope", "place", "value_low", "value_high", "qualifier", "source_id"]
        return not df.duplicated(subset=key).any()

    @pa.dataframe_check
    def as_of_within_bounds(cls, df: pd.DataFrame) -> Series[bool]:
        known = df["as_of"].notna() & df["as_of_low"].notna() & df["as_of_high"].notna()
        inside = (df["as_of_low"] <= df["as_of"]) & (df["as_of"] <= df["as_of_high"])
        return (~known | inside).astype(bool)


class TollConsensus(_StrictModel):
    """data/processed/toll_consensus.parquet: per UTC hour and outcome × group × place (a null place is the
    whole event), the outlets' current total figures for the focal event (scope 'event') summarised; parts never
    count. An outlet's current figure at an hour is its latest figure in the series with as_of at or before that
    hour (figures current at the same moment go to a number with a lower bound over a ceiling ('38' over 'as many
    as 50'; a vague word has no such rank), then to the largest number, then the last one mentioned). Rows run from the hour of the series' first figure to
    the hour of the corpus's last event figure (stage timeline)."""

    hour: Series[pd.DatetimeTZDtype] = pa.Field(
        dtype_kwargs=UTC, description="A whole UTC hour; figures stated at or before it count."
    )
    hours_since_event_start: Series[pd.Float64Dtype] = pa.Field(
        description="Hours from the event start (params event.start) to hour."
    )
    outcome: Series[str] = _outcome()
    group: Series[str] = _group()
    place: Series[str] = pa.Field(
        nullable=True,
        description="Event place the series counts (toll_timeline.place); null = the whole event. Each place's "
        "figures are summarised apart from the whole event's.",
    )
    n_outlets: Series[int] = pa.Field(ge=1, description="Outlets with a current figure at this hour.")
    outlets: Series[str] = pa.Field(description="Those outlets, '; '-separated, sorted.")
    lowest_figure: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="Minimum (as Iraq Body Count's): the smallest number any current figure states, i.e. its lower "
        "bound, or its upper bound if it has none ('at most 10' states 10); null if no figure has a number.",
    )
    highest_figure: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="Maximum (as Iraq Body Count's): the largest number any current figure states, i.e. its upper "
        "bound, or its lower bound if open-ended ('at least 20' states 20); null if no figure has a number.",
    )
    conservative_estimate: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="The most conservative estimate (as ACLED's): the smallest number stated by a current figure "
        "that is a number, not a vague word; vague words ('dozens' = 24) count only if no outlet gives a number.",
    )
    conservative_outlets: Series[str] = pa.Field(
        nullable=True, description="Outlet(s) whose current figure gives the conservative estimate, '; '-separated."
    )

    class Config:
        unique = ["hour", "outcome", "group", "place"]

    @pa.dataframe_check
    def estimate_within_range(cls, df: pd.DataFrame) -> Series[bool]:
        est, low, high = df["conservative_estimate"], df["lowest_figure"], df["highest_figure"]
        return (est.isna() | ((low <= est) & (est <= high))).fillna(False).astype(bool)


class TollParts(_StrictModel):
    """data/processed/toll_parts.parquet: one row per mention of a part, a subset of the victims picked out by
    who they are within a larger count ('including 9 Britons'; claims with role 'part'), in mention order. A
    part is never a figure of the toll: it is kept out of toll_timeline, toll_consensus and the figure's
    series (stage timeline)."""

    claim_id: Series[str] = pa.Field(
        unique=True, description="The part's mention (claims.claim_id, '<doc_id>:<start>')."
    )
    doc_id: Series[str] = _doc_id()
    outlet: Series[str] = _outlet()
    source_id: Series[str] = pa.Field(
        nullable=True, description="Who the part is credited to (sources.source_id); null = the outlet's own voice."
    )
    source_name: Series[str] = _source_name()
    outcome: Series[str] = _outcome()
    group: Series[str] = _group()
    scope: Series[str] = _scope()
    place: Series[str] = pa.Field(
        nullable=True, description="Event place the count is tied to (claims.place); null = the whole event."
    )
    subset_text: Series[str] = pa.Field(
        nullable=True, description="The words naming the subset ('Britons', 'local staff'; claims.subset_text)."
    )
    value_low: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Lowest count the part allows; null if unbounded."
    )
    value_high: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Highest count the part allows; null if open-ended."
    )
    qualifier: Series[str] = _qualifier()
    figure_text: Series[str] = pa.Field(
        description="The part's count in words from its bounds and qualifier (as toll_timeline.figure_text)."
    )
    as_of: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True, dtype_kwargs=UTC, description="When the count was stated as current (UTC; claims.as_of)."
    )
    as_of_local: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^\d{4}-\d\d-\d\dT\d\d:\d\d[+-]\d\d:\d\d$",
        description="as_of as local wall time in the event's time zone, ISO 8601 to the minute with its UTC "
        "offset (as toll_timeline.as_of_local); null if as_of is.",
    )
    part_of: Series[str] = pa.Field(
        nullable=True,
        description="The claim_id of the whole the part belongs to (claims.part_of), where the article states "
        "it; null if not.",
    )
    whole_figure_text: Series[str] = pa.Field(
        nullable=True,
        description="That whole's figure in words (as figure_text: '20', 'at least 40'); null when part_of is.",
    )

    @pa.dataframe_check
    def whole_only_with_part_of(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["part_of"].notna() | df["whole_figure_text"].isna()).astype(bool)


TABLES["toll_timeline"] = TollTimeline
TABLES["toll_consensus"] = TollConsensus
TABLES["toll_parts"] = TollParts


# --- exports: tidy CSVs for analysts, in the shape of ACLED's and UCDP's event files (stage exports) ----------

LOCAL_MINUTE_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d[+-]\d\d:\d\d$"
UTC_MINUTE_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$"
DATE_RE = r"^\d{4}-\d\d-\d\d$"


def _best_within_bounds(df: pd.DataFrame) -> Series[bool]:
    """value_best is value_low, else value_high (the most conservative number the figure states)."""
    return (df["value_best"].isna() & df["value_low"].isna() & df["value_high"].isna()) | (
        df["value_best"] == df["value_low"].fillna(df["value_high"])
    ).fillna(False).astype(bool)


class _ExportModel(_StrictModel):
    """The columns both exports share, in the order ACLED and UCDP users read them: the event, where, what,
    who published and who said it, the numbers, when, then the evidence."""

    event: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="The focal event's name (params event.name), on every row."
    )
    place: Series[str] = pa.Field(
        nullable=True,
        description="Event place the count is tied to (claims.place, a canonical name from params event.places); "
        "empty = the whole event.",
    )
    scope: Series[str] = pa.Field(
        isin=SCOPES,
        description="event (the focal incident), cumulative (running total), prior (earlier phase) or other: "
        "filter on event for the toll of the event itself.",
    )
    outcome: Series[str] = _outcome()
    group: Series[str] = pa.Field(
        isin=GROUPS,
        description="Who the people counted are: militants, security_forces, civilians, mixed or unspecified.",
    )
    outlet: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="Outlet that published the article (documents.outlet): what ACLED calls the source.",
    )
    agency: Series[str] = pa.Field(
        nullable=True, description="Wire agency the article credits (documents.agency); empty if none."
    )
    source: Series[str] = pa.Field(
        nullable=True,
        description="Who the article credits the number to (sources.name: 'army', 'Waheed Arshad'); empty = the "
        "outlet's own voice.",
    )
    source_kind: Series[str] = pa.Field(
        nullable=True,
        isin=SOURCE_KINDS,
        description="What that source is (sources.kind): military, government, militant, media, relief, analyst, "
        "civilian or unknown; empty with source.",
    )
    value_low: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Lowest count the figure allows (UCDP's low); empty if unbounded."
    )
    value_best: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="The most conservative number the figure states, as ACLED codes fatalities: value_low, else "
        "value_high ('at most 10' gives 10). For a vague word it is the word's lowest reading ('dozens' gives "
        "24): drop qualifier vague for numbers the text gives in figures. Empty only if both bounds are.",
    )
    value_high: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=0,
        description="Highest count the figure allows (UCDP's high); empty if open-ended ('at least 20').",
    )
    qualifier: Series[str] = _qualifier()
    as_of_local: Series[str] = pa.Field(
        nullable=True,
        str_matches=LOCAL_MINUTE_RE,
        description="When the figure was stated as current, as local wall time in the event's time zone with its "
        "UTC offset, ISO 8601 to the minute ('2007-07-10T07:00+05:00'); empty if unknown.",
    )
    as_of_utc: Series[str] = pa.Field(
        nullable=True,
        str_matches=UTC_MINUTE_RE,
        description="The same moment in UTC, ISO 8601 to the minute ('2007-07-10T02:00Z'); empty if unknown.",
    )
    as_of_low_utc: Series[str] = pa.Field(
        nullable=True,
        str_matches=UTC_MINUTE_RE,
        description="Earliest time the figure may have been current (UTC, as as_of_utc); empty if unknown.",
    )
    as_of_high_utc: Series[str] = pa.Field(
        nullable=True,
        str_matches=UTC_MINUTE_RE,
        description="Latest time the figure may have been current (UTC, as as_of_utc); empty if unknown.",
    )
    hours_since_event_start: Series[pd.Float64Dtype] = pa.Field(
        nullable=True,
        description="Hours from the event start (params event.start) to as_of, to 0.01 h; negative before it.",
    )
    published_on: Series[str] = pa.Field(
        str_matches=DATE_RE, description="The article's local publication date (documents.published_on)."
    )
    url: Series[str] = pa.Field(
        nullable=True, description="Where the article was published (the manifest's url); empty if not given."
    )
    sentence: Series[str] = pa.Field(
        description="The sentence the figure was read from, on one line (claims.sentence, newlines as spaces)."
    )
    doc_id: Series[str] = pa.Field(description="The article (documents.doc_id; its raw file is documents.file).")

    @pa.dataframe_check
    def best_is_the_conservative_bound(cls, df: pd.DataFrame) -> Series[bool]:
        return _best_within_bounds(df)


class ClaimsExport(_ExportModel):
    """exports/claims.csv: one row per claim (a mention of a count of people in a casualty or custody outcome)
    with the article it is from, in claims' order; totals and parts, every scope (stage exports)."""

    role: Series[str] = pa.Field(
        isin=ROLES,
        description="total, or part: a subset of the victims picked out by who they are ('including 9 Britons'); "
        "a part is never a toll of its own.",
    )
    subset_text: Series[str] = pa.Field(
        nullable=True, description="For a part: the words naming the subset ('Britons'); else empty."
    )
    part_of: Series[str] = pa.Field(
        nullable=True, description="For a part: the claim_id of the whole it belongs to, where the article says."
    )
    quantity_text: Series[str] = pa.Field(description="The count phrase as written ('at least 20', 'Dozens').")
    claim_id: Series[str] = pa.Field(unique=True, description="Stable id of the claim (claims.claim_id).")


class TollSeriesExport(_ExportModel):
    """exports/toll_series.csv: one row per distinct total figure an outlet reported (toll_timeline: repeats
    within an article count once, parts are left out), in the order they were stated; a series is one outlet's
    figures for one outcome, group, scope and place (stage exports)."""

    series: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="The series the figure belongs to, in words: outcome, group and place ('killed militants', "
        "'killed civilians in Atocha'); with scope and outlet it names one outlet's series.",
    )
    figure_text: Series[str] = pa.Field(
        description="The figure in words from its bounds and qualifier ('20', 'about 40', 'at least 3')."
    )
    revises: Series[str] = pa.Field(
        nullable=True,
        description="'<previous> → <this>' when the same outlet's previous figure in the series had other numbers; "
        "empty if none.",
    )
    n_mentions: Series[int] = pa.Field(ge=1, description="Mentions of this figure in the article; they count once.")
    figure_id: Series[str] = pa.Field(
        unique=True, description="Stable id (toll_timeline.figure_id: the claim_id of the figure's first mention)."
    )


# The exports the README's data dictionary documents, by file name inside the exports folder.
EXPORTS: dict[str, type[pa.DataFrameModel]] = {"claims.csv": ClaimsExport, "toll_series.csv": TollSeriesExport}


# --- keys across tables: checked at the write boundary (io.check_references) -----------------------------


@dataclass(frozen=True)
class ForeignKey:
    """Every non-null table.column value must be a target.target_column value."""

    table: str
    column: str
    target: str
    target_column: str


REFERENCES: tuple[ForeignKey, ...] = (
    ForeignKey("furniture", "doc_id", "documents", "doc_id"),
    ForeignKey("times", "doc_id", "documents", "doc_id"),
    ForeignKey("claims", "doc_id", "documents", "doc_id"),
    ForeignKey("claims", "source_id", "sources", "source_id"),
    ForeignKey("claims", "time_id", "times", "time_id"),
    ForeignKey("claims", "part_of", "claims", "claim_id"),
    ForeignKey("toll_parts", "part_of", "claims", "claim_id"),
    ForeignKey("toll_timeline", "doc_id", "documents", "doc_id"),
    ForeignKey("toll_timeline", "source_id", "sources", "source_id"),
    ForeignKey("toll_timeline", "revises_figure_id", "toll_timeline", "figure_id"),
    ForeignKey("toll_parts", "doc_id", "documents", "doc_id"),
    ForeignKey("toll_parts", "source_id", "sources", "source_id"),
)


# --- gold annotations (read by the evaluate stage; not a persisted table, so not in TABLES) ---------------


class ClaimsGold(_StrictModel):
    """data/annotations/claims_gold.csv: one row per hand-coded claim, as load_gold returns it (as_of_* in UTC)."""

    corpus: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="Corpus of the document: 'seeds' (data/raw) or 'timebank' (TimeBank 1.2 articles).",
    )
    doc_id: Series[str] = pa.Field(description="Document: the raw file's stem (seeds) or the TimeBank document id.")
    start: Series[int] = pa.Field(
        ge=0, description="Start offset of the count phrase (with its qualifier) in the text."
    )
    end: Series[int] = pa.Field(ge=1, description="End offset of the count phrase (exclusive).")
    quantity_text: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="The count phrase as written: text[start:end]."
    )
    value_low: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Lowest count the phrase allows; empty if unbounded."
    )
    value_high: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Highest count the phrase allows; empty if unbounded."
    )
    qualifier: Series[str] = pa.Field(isin=QUALIFIERS, description="As claims.qualifier.")
    outcome: Series[str] = pa.Field(isin=OUTCOMES, description="As claims.outcome.")
    group: Series[str] = pa.Field(isin=GROUPS, description="As claims.group.")
    scope: Series[str] = pa.Field(isin=SCOPES, description="As claims.scope.")
    source: Series[str] = pa.Field(
        nullable=True,
        description="Speaker credited: a name without title, a short institution noun ('army') or an anonymous "
        "description ('military official'); empty = the outlet's own voice.",
    )
    as_of_from: Series[pd.DatetimeTZDtype] = pa.Field(
        dtype_kwargs=UTC, description="Start of the window the figure was current in (ISO 8601 with offset; UTC)."
    )
    as_of_to: Series[pd.DatetimeTZDtype] = pa.Field(
        dtype_kwargs=UTC, description="End of that window (a whole day runs T00:00 to the next day's T00:00)."
    )
    note: Series[str] = pa.Field(nullable=True, description="The annotator's evidence and decisions.")
    # Optional columns of an extended gold file; a file without them is the same gold.
    role: Series[str] | None = pa.Field(
        nullable=True,
        isin=["total", "part"],
        description="total, or part: a subset of victims picked out by who they are within a larger count.",
    )
    part_of_start: Series[pd.Int64Dtype] | None = pa.Field(
        nullable=True, ge=0, description="For a part: start offset of the whole's count in the same document."
    )
    subset_text: Series[str] | None = pa.Field(
        nullable=True, description="For a part: the words naming the subset ('Britons', 'children')."
    )
    place: Series[str] | None = pa.Field(
        nullable=True, description="Canonical name of the event place the count is tied to; null = the whole event."
    )

    class Config:
        # a hand-edited CSV: columns are matched by name, so their order is free (unknown ones still fail)
        ordered = False
        unique = ["corpus", "doc_id", "start"]

    @pa.dataframe_check
    def span_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["start"] < df["end"]

    @pa.dataframe_check
    def bounds_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        both = df["value_low"].notna() & df["value_high"].notna()
        return (~both | (df["value_low"] <= df["value_high"])).astype(bool)

    @pa.dataframe_check
    def window_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        # a point window (from == to) is a figure the text pins to one moment ("as of midnight")
        return df["as_of_from"] <= df["as_of_to"]


# --- metrics files (pydantic: nested JSON, not tables) -----------------------------------------------------

Score = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0)]


class _Metrics(BaseModel):
    # strict: a count written as 3.0 or True, or a score as "0.9", is a bug in the writer
    model_config = ConfigDict(extra="forbid", strict=True)


class PRF(_Metrics):
    """Precision, recall and F1."""

    precision: Score
    recall: Score
    f1: Score


class ClaimAccuracy(_Metrics):
    """Per-attribute accuracy over matched (prediction, gold) pairs."""

    span: Score
    value_low: Score
    value_high: Score
    qualifier: Score
    outcome: Score
    group: Score
    scope: Score
    as_of: Score
    source: Score
    role: Score | None = None  # where the gold codes role and place
    place: Score | None = None


class ClaimScores(_Metrics):
    """Scores of one corpus in metrics/extraction.json (evaluate.score)."""

    n_gold: Count
    n_predicted: Count
    n_matched: Count
    detection: PRF
    strict: PRF
    accuracy: ClaimAccuracy


class TimebankClaimScores(ClaimScores):
    """TimeBank scores also count the annotated documents."""

    n_documents: Count


class EventScores(_Metrics):
    """Detection and strict scores of one event of the unseen set."""

    n_documents: Count
    n_gold: Count
    detection: PRF
    strict: PRF


class UnseenClaimScores(TimebankClaimScores):
    """Scores on the unseen set (real reports of other events), overall and per event."""

    by_event: dict[str, EventScores]


class Skipped(_Metrics):
    """An evaluation that did not run, and why."""

    skipped: str


class ExtractionMetrics(_Metrics):
    """metrics/extraction.json (stage evaluate)."""

    seeds: ClaimScores
    timebank: TimebankClaimScores | Skipped
    unseen: UnseenClaimScores | None = None
    unseen2: UnseenClaimScores | None = None
    unseen3: UnseenClaimScores | None = None
    unseen4: UnseenClaimScores | None = None


class TimeCounts(_Metrics):
    """Counts behind the TIMEX3 scores."""

    gold: Count
    system: Count
    strict_matches: Count
    relaxed_matches: Count
    type_correct: Count
    value_correct: Count


class TimeScores(_Metrics):
    """TempEval-3 scores of one set of documents (times_eval.score)."""

    strict: PRF
    relaxed: PRF
    type_accuracy: Score
    value_accuracy: Score
    type_f1: Score
    value_f1: Score
    counts: TimeCounts


class TimesRun(_Metrics):
    """The whole TimeBank corpus and each half."""

    corpus: TimeScores
    half_a: TimeScores
    half_b: TimeScores
    n_documents: Count


class TimesMetrics(RootModel[TimesRun]):
    """metrics/times.json (stage times-eval): the tagger's scores on all of TimeBank and on each half."""
