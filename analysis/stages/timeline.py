"""Stage `timeline`: claims -> toll_timeline (distinct totals), toll_consensus (per hour) and toll_parts parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl

from analysis.columns import UTC, ceil_hour, figure_text_expr, hours_since, local_text, to_model_frame, to_polars
from analysis.config import Event
from analysis.io import frame, read_table, write_tables
from analysis.schemas import TollConsensus, TollParts, TollTimeline

# A figure is distinct within a document by these fields; repeats collapse to the earliest mention.
FIGURE_KEY = ["outcome", "group", "scope", "place", "value_low", "value_high", "qualifier", "source_id"]
# The series a revision is sought in: the same outlet, outcome, group, scope and place (null = the whole event).
SERIES_KEY = ["outlet", "outcome", "group", "scope", "place"]
# The consensus is per outcome × group × place, over the focal event's figures.
CONSENSUS_KEY = ["outcome", "group", "place"]
# Order of mentions: statement time (unknown last), then publication, document and offset.
MENTION_ORDER = ["as_of", "published_on", "doc_id", "start"]

# The columns the stage reads from its inputs, with the types it reads them as (a column of nulls gets its type).
CLAIMS = {
    "claim_id": pl.String, "doc_id": pl.String, "start": pl.Int64, "quantity_text": pl.String,
    "value_low": pl.Int64, "value_high": pl.Int64, "qualifier": pl.String, "outcome": pl.String,
    "group": pl.String, "scope": pl.String, "role": pl.String, "subset_text": pl.String, "part_of": pl.String,
    "place": pl.String, "source_id": pl.String, "as_of": UTC, "as_of_low": UTC, "as_of_high": UTC,
}  # fmt: skip
DOCUMENTS = {"doc_id": pl.String, "outlet": pl.String, "agency": pl.String, "published_on": pl.Date}
SOURCES = {"source_id": pl.String, "name": pl.String}
FIGURES = {
    "doc_id": pl.String, "start": pl.Int64, "outlet": pl.String, "published_on": pl.Date, "outcome": pl.String,
    "group": pl.String, "scope": pl.String, "place": pl.String, "value_low": pl.Int64, "value_high": pl.Int64,
    "qualifier": pl.String, "as_of": UTC,
}  # fmt: skip

# --- distinct figures and their revisions -------------------------------------------------------------------


def totals(claims: pl.DataFrame) -> pl.DataFrame:
    """The claims that count a whole (role 'total'): a part ('including 9 Britons') is a subtotal of one of
    them, so in a series it would read as a revision down."""
    return claims.filter(pl.col("role") == "total")


def parts(claims: pl.DataFrame) -> pl.DataFrame:
    """The claims that count a subset of the victims picked out by who they are (role 'part')."""
    return claims.filter(pl.col("role") == "part")


def _with_documents(claims: pl.DataFrame, documents: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    names = sources.rename({"name": "source_name"})
    out = claims.join(documents, on="doc_id", how="left", validate="m:1", maintain_order="left")
    return out.join(names, on="source_id", how="left", validate="m:1", maintain_order="left")


def _in_mention_order(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.sort(MENTION_ORDER, nulls_last=True, maintain_order=True)


def _group_id(key: list[str]) -> pl.Expr:
    """A number for each combination of the key's values. Joins never match nulls, but a null place is a
    series (the whole event's): joins go by this number instead."""
    return pl.struct(key).rank("dense")


def distinct_figures(claims: pl.DataFrame, documents: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct figure per document: the earliest mention (by as_of, then offset) of each
    FIGURE_KEY combination, with the number of mentions it stands for, in mention order."""
    key = ["doc_id", *FIGURE_KEY]
    rows = _in_mention_order(_with_documents(claims, documents, sources))
    rows = rows.with_columns(n_mentions=pl.len().over(key))
    return rows.unique(subset=key, keep="first", maintain_order=True)


def revisions(figures: pl.DataFrame) -> pl.DataFrame:
    """For each figure, the figure it revises: the outlet's last figure in the same series (outcome, group,
    scope, place) stated strictly earlier (as_of), if its numbers differ; an as-of join that does not take
    exact matches. figures: in mention order, with figure_id and figure_text. Returns figure_id, revises and
    revises_figure_id of the figures that revise one."""
    known = figures.filter(pl.col("as_of").is_not_null()).with_columns(series=_group_id(SERIES_KEY))
    numbers = ["value_low", "value_high", "qualifier"]
    # of the figures stated at one moment, the last mentioned is the one a later figure follows
    previous = known.group_by(["series", "as_of"], maintain_order=True).last()
    previous = previous.select("series", "as_of", "figure_id", "figure_text", *numbers).sort("as_of")
    joined = known.select("series", "as_of", "figure_id", "figure_text", *numbers).join_asof(
        previous, on="as_of", by="series", allow_exact_matches=False, check_sortedness=False, suffix="_before"
    )
    same = pl.all_horizontal(pl.col(c).eq_missing(pl.col(f"{c}_before")) for c in numbers)
    revised = joined.filter(pl.col("figure_id_before").is_not_null() & ~same)
    return revised.select(
        "figure_id",
        revises=pl.concat_str(pl.col("figure_text_before"), pl.lit(" → "), pl.col("figure_text")),
        revises_figure_id=pl.col("figure_id_before"),
    )


def build_timeline(claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame, event: Event) -> pd.DataFrame:
    """The toll timeline: distinct totals with the interval in which each was current (UTC and local time),
    hours since the event start and revisions. Parts are left out (see build_parts)."""
    figs = distinct_figures(
        totals(to_polars(claims, CLAIMS)), to_polars(documents, DOCUMENTS), to_polars(sources, SOURCES)
    )
    # as_of and its bounds all come from the kept (earliest) mention, so the interval holds the point estimate
    figs = figs.with_columns(
        figure_text_expr(),
        *(local_text(c, event.timezone) for c in ("as_of", "as_of_low", "as_of_high")),
        hours_since(pl.col("as_of"), event.start),
        figure_id=pl.col("claim_id"),
    )
    figs = figs.join(revisions(figs), on="figure_id", how="left", validate="1:1", maintain_order="left")
    return to_model_frame(figs, TollTimeline)


def build_parts(claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame, event: Event) -> pd.DataFrame:
    """One row per part mention, in mention order, with the figure of the whole it belongs to where the
    article states which whole that is (part_of)."""
    claims_pl = to_polars(claims, CLAIMS)
    rows = _in_mention_order(
        _with_documents(parts(claims_pl), to_polars(documents, DOCUMENTS), to_polars(sources, SOURCES))
    )
    rows = rows.with_columns(figure_text_expr(), local_text("as_of", event.timezone))
    wholes = claims_pl.select(part_of="claim_id", whole_figure_text=figure_text_expr())
    rows = rows.join(wholes, on="part_of", how="left", validate="m:1", maintain_order="left")
    return to_model_frame(rows, TollParts)


# --- consensus: the range of current figures across outlets, hour by hour -----------------------------


# a figure that states a number as its lower bound: "38", "at least 20", not "as many as 50" nor "hundreds"
_DEFINITE_LOW = pl.col("value_low").is_not_null() & (pl.col("qualifier") != "vague")


def current_figures(figures: pl.DataFrame, at: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Each outlet's current figure at each moment asked: its latest figure with as_of at or before the
    moment, an as-of join by the `by` columns (the outlet, and the series). Figures current at the same
    moment (one article's lead and body share its reporting time) go to a number with a lower bound over a
    mere ceiling ("38" over "as many as 50", feared; a vague word has no such rank), then to the largest number: an article's toll includes the
    smaller counts it also gives ("101 killed" beside "six police officers killed"), then to the last one
    mentioned. at: the by columns and `hour`; returns one row per row of `at` whose outlet has a figure by then,
    with the figure's columns, sorted by hour."""
    stated = pl.col("value_low").fill_null(pl.col("value_high")).fill_null(-1)
    ordered = figures.filter(pl.col("as_of").is_not_null()).sort(
        ["as_of", _DEFINITE_LOW, stated, *MENTION_ORDER[1:]], maintain_order=True
    )
    latest = ordered.group_by([*by, "as_of"], maintain_order=True).last()
    current = at.sort("hour").join_asof(
        latest.sort("as_of"), left_on="hour", right_on="as_of", by=by, coalesce=False, check_sortedness=False
    )
    return current.filter(pl.col("as_of").is_not_null())


# A summary of one hour's current figures, one per outlet. A figure states its lower bound, or its upper bound
# when it has none (lowest); its upper bound, or its lower bound when open-ended (highest).
_LOWER = pl.col("value_low").fill_null(pl.col("value_high"))
_UPPER = pl.col("value_high").fill_null(pl.col("value_low"))
_DEFINITE = _LOWER.is_not_null() & (pl.col("qualifier") != "vague")
# the conservative estimate's candidates: the figures that are numbers, or vague words if no outlet gives one
_CANDIDATE = pl.when(_DEFINITE.any()).then(_DEFINITE).otherwise(_LOWER.is_not_null())
_ESTIMATE = _LOWER.filter(_CANDIDATE).min()


def _outlets(rows: pl.Expr) -> pl.Expr:
    return rows.unique().sort().str.join("; ")


SUMMARY = {
    "n_outlets": pl.len(),
    "outlets": _outlets(pl.col("outlet")),
    "lowest_figure": _LOWER.min(),
    "highest_figure": _UPPER.max(),
    "conservative_estimate": _ESTIMATE,
    "conservative_outlets": pl.when(_CANDIDATE.any()).then(
        _outlets(pl.col("outlet").filter(_CANDIDATE & (_LOWER == _ESTIMATE)))
    ),
}


def _hour_grid(focal: pl.DataFrame) -> pl.DataFrame:
    """Per series: its key and each whole UTC hour from its first figure's (rounded up) to the corpus's last."""
    last = focal.select(ceil_hour(pl.col("as_of").max())).item()
    first = ceil_hour(pl.col("as_of").min())
    grid = focal.group_by("series").agg(*(pl.col(c).first() for c in CONSENSUS_KEY), first=first)
    hours = pl.datetime_ranges("first", pl.lit(last).dt.cast_time_unit("us"), "1h")
    return grid.with_columns(hour=hours).explode("hour")


def consensus_by_hour(focal: pl.DataFrame) -> pl.DataFrame:
    """The consensus of the focal figures (scope 'event', as_of known) without the event clock. The summary
    only changes at an hour that follows a statement time: it is computed there (the outlets' current figures,
    an as-of join) and carried forward to every hour of the grid (an as-of join of the grid on it). Series
    come in CONSENSUS_KEY order, the whole event (null place) before its places."""
    focal = focal.with_columns(series=_group_id(CONSENSUS_KEY))
    changes = focal.select("series", hour=ceil_hour(pl.col("as_of"))).unique()
    asked = changes.join(focal.select("series", "outlet").unique(), on="series")
    current = current_figures(focal, asked, by=["series", "outlet"])
    states = current.group_by("series", "hour").agg(**SUMMARY).sort("hour")
    grid = _hour_grid(focal).sort("hour")
    out = grid.join_asof(states, on="hour", by="series", check_sortedness=False)
    return out.sort([*CONSENSUS_KEY, "hour"], nulls_last=False)


def build_consensus(timeline: pd.DataFrame, event: Event) -> pd.DataFrame:
    """Per whole UTC hour and outcome × group × place (scope 'event' only): the outlets' current figures
    summarised, from the hour of the series' first figure to the hour of the corpus's last event figure. The
    timeline holds totals only, so no part is ever in a series."""
    figures = to_polars(timeline, FIGURES)
    focal = figures.filter((pl.col("scope") == "event") & pl.col("as_of").is_not_null())
    if focal.is_empty():
        return frame([], TollConsensus)
    out = consensus_by_hour(focal).with_columns(hours_since(pl.col("hour"), event.start))
    return to_model_frame(out, TollConsensus)


def _series_order(key: tuple) -> tuple:
    """Sort key of an (outcome, group, place) series: the whole event (null place) before its places."""
    outcome, group, place = key
    return (outcome, group, not pd.isna(place), "" if pd.isna(place) else place)


def consensus_series(focal: pd.DataFrame) -> list[tuple[tuple, pd.DataFrame]]:
    """The focal figures split by CONSENSUS_KEY, in _series_order (the order of build_consensus)."""
    # dropna=False: a null place is the whole event's series, not a row to drop
    groups = focal.groupby(CONSENSUS_KEY, sort=False, dropna=False)
    return sorted(groups, key=lambda item: _series_order(item[0]))


def run(processed_dir: Path, event: Event) -> None:
    """Read claims, documents and sources; write toll_timeline, toll_consensus and toll_parts (.parquet)
    together."""
    processed_dir = Path(processed_dir)
    claims = read_table(processed_dir / "claims.parquet")
    documents = read_table(processed_dir / "documents.parquet")
    sources = read_table(processed_dir / "sources.parquet")
    timeline = build_timeline(claims, documents, sources, event)
    consensus = build_consensus(timeline, event)
    toll_parts = build_parts(claims, documents, sources, event)
    write_tables(
        {
            processed_dir / "toll_timeline.parquet": (timeline, TollTimeline),
            processed_dir / "toll_consensus.parquet": (consensus, TollConsensus),
            processed_dir / "toll_parts.parquet": (toll_parts, TollParts),
        },
        upstream={"documents": documents, "sources": sources},
    )
