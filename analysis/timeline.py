"""Stage `timeline`: claims -> toll_timeline (distinct totals), toll_consensus (per hour) and toll_parts parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
HOUR = pd.Timedelta(hours=1)


def _num(value) -> str:
    return f"{int(value):,}"


def figure_text(value_low, value_high, qualifier: str) -> str:
    """A figure as a reader would say it: '20', 'about 40', 'at least 3', '300–400', 'vague: 24–99'."""
    low = None if pd.isna(value_low) else int(value_low)
    high = None if pd.isna(value_high) else int(value_high)
    if qualifier == "approximate":
        return f"about {_num(low)}"
    if qualifier == "at_least":
        return f"at least {_num(low)}"
    if qualifier == "more_than":
        return f"more than {_num(low - 1)}"
    if qualifier == "at_most":
        return f"at most {_num(high)}"
    if qualifier == "vague":
        if low is None and high is None:
            return "vague: unquantified"
        return f"vague: {_num(low) if low is not None else '?'}–{_num(high) if high is not None else '?'}"
    if low is not None and high is not None and low != high:
        return f"{_num(low)}–{_num(high)}"
    return _num(low if low is not None else high)


def figure_texts(rows: pd.DataFrame) -> list[str]:
    """figure_text of every row."""
    return [figure_text(r.value_low, r.value_high, r.qualifier) for r in rows.itertuples()]


def local_text(moment, zone) -> str | None:
    """A UTC moment as local wall time with its offset, ISO 8601 to the minute ('2007-07-10T04:00+05:00')."""
    if pd.isna(moment):
        return None
    return pd.Timestamp(moment).tz_convert(zone).isoformat(timespec="minutes")


def hours_since(moment, start) -> float | None:
    """Hours from the event start to moment (negative before it), rounded to the minute."""
    if pd.isna(moment):
        return None
    return round((pd.Timestamp(moment) - pd.Timestamp(start)).total_seconds() / 60) / 60


def totals(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims that count a whole (role 'total'): a part ('including 9 Britons') is a subtotal of one of
    them, so in a series it would read as a revision down."""
    return claims[claims["role"] == "total"]


def parts(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims that count a subset of the victims picked out by who they are (role 'part')."""
    return claims[claims["role"] == "part"]


def _with_documents(claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    docs = documents[["doc_id", "outlet", "agency", "published_on"]]
    names = sources.set_index("source_id")["name"]
    out = claims.merge(docs, on="doc_id", how="left", validate="many_to_one")
    out["source_name"] = out["source_id"].map(lambda s: None if pd.isna(s) else names.get(s))
    return out


def distinct_figures(claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct figure per document: the earliest mention (by as_of, then offset) of each
    FIGURE_KEY combination, with the number of mentions it stands for."""
    rows = _with_documents(claims, documents, sources).sort_values(MENTION_ORDER, na_position="last", kind="stable")
    key = ["doc_id", *FIGURE_KEY]
    counts = rows.groupby(key, dropna=False, sort=False)["claim_id"].transform("size")
    rows = rows.assign(n_mentions=counts)
    kept = rows.drop_duplicates(subset=key, keep="first")
    return kept.reset_index(drop=True)


def _same_numbers(a: pd.Series, b: pd.Series) -> bool:
    return all(
        (pd.isna(a[c]) and pd.isna(b[c])) or (not pd.isna(a[c]) and not pd.isna(b[c]) and a[c] == b[c])
        for c in ("value_low", "value_high", "qualifier")
    )


def revisions(figures: pd.DataFrame) -> pd.DataFrame:
    """For each figure, the figure it revises: the outlet's last figure in the same series (outcome, group,
    scope, place) stated strictly earlier (as_of), if its numbers differ. Returns columns revises, revises_figure_id."""
    out = pd.DataFrame({"revises": None, "revises_figure_id": None}, index=figures.index, dtype=object)
    ordered = figures.sort_values(MENTION_ORDER, kind="stable")
    # dropna=False: a null place is the whole event's series, not a row to drop
    for _, series in ordered.groupby(SERIES_KEY, sort=False, dropna=False):
        for pos, (idx, row) in enumerate(series.iterrows()):
            if pd.isna(row["as_of"]):
                continue
            earlier = series.iloc[:pos]
            earlier = earlier[earlier["as_of"] < row["as_of"]]
            if earlier.empty:
                continue
            prev = earlier.iloc[-1]
            if not _same_numbers(prev, row):
                out.loc[idx] = [f"{prev['figure_text']} → {row['figure_text']}", prev["figure_id"]]
    return out


def build_timeline(claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame, event: Event) -> pd.DataFrame:
    """The toll timeline: distinct totals with the interval in which each was current (UTC and local time),
    hours since the event start and revisions. Parts are left out (see build_parts)."""
    figs = distinct_figures(totals(claims), documents, sources)
    figs["figure_id"] = figs["claim_id"]
    figs["figure_text"] = figure_texts(figs)
    # as_of and its bounds all come from the kept (earliest) mention, so the interval holds the point estimate
    for col in ("as_of", "as_of_low", "as_of_high"):
        figs[f"{col}_local"] = [local_text(t, event.zone) for t in figs[col]]
    figs["hours_since_event_start"] = pd.array([hours_since(t, event.start) for t in figs["as_of"]], dtype="Float64")
    figs = figs.join(revisions(figs))
    figs = figs.sort_values(MENTION_ORDER, na_position="last", kind="stable")
    records = figs.to_dict("records")
    return frame(records, TollTimeline)


def build_parts(claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame, event: Event) -> pd.DataFrame:
    """One row per part mention, in mention order, with the figure of the whole it belongs to where the
    article states which whole that is (part_of)."""
    rows = _with_documents(parts(claims), documents, sources)
    rows = rows.sort_values(MENTION_ORDER, na_position="last", kind="stable")
    rows["figure_text"] = figure_texts(rows)
    rows["as_of_local"] = [local_text(t, event.zone) for t in rows["as_of"]]
    wholes = pd.Series(figure_texts(claims), index=claims["claim_id"], dtype=object)
    rows["whole_figure_text"] = rows["part_of"].map(wholes)
    return frame(rows.to_dict("records"), TollParts)


# --- consensus: the range of current figures across outlets, hour by hour -----------------------------


def _lower(row) -> float | None:
    """The smallest number a figure states: its lower bound, or its upper bound when it has none."""
    for c in ("value_low", "value_high"):
        if not pd.isna(row[c]):
            return int(row[c])
    return None


def _upper(row) -> float | None:
    """The largest number a figure states: its upper bound, or its lower bound when open-ended."""
    for c in ("value_high", "value_low"):
        if not pd.isna(row[c]):
            return int(row[c])
    return None


def current_figures(series: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """Each outlet's current figure at a moment: its latest figure with as_of at or before it. Figures current
    at the same moment (one article's lead and body share its reporting time) go to the largest number: an
    article's toll includes the smaller counts it also gives ("101 killed" beside "six police officers killed"),
    then to the last one mentioned. series: timeline rows of one outcome, group and place."""
    known = series[series["as_of"].notna() & (series["as_of"] <= at)]
    stated = known["value_low"].fillna(known["value_high"]).astype("Float64").fillna(-1)
    ordered = known.assign(_stated=stated).sort_values(["as_of", "_stated", *MENTION_ORDER[1:]], kind="stable")
    return ordered.groupby("outlet", sort=True).tail(1).drop(columns="_stated").sort_values("outlet", kind="stable")


def _join(names) -> str:
    return "; ".join(sorted(set(names)))


def consensus_row(current: pd.DataFrame) -> dict:
    """Lowest and highest figure and the conservative estimate over the outlets' current figures."""
    lowers = [(_lower(r), r["outlet"], r["qualifier"]) for _, r in current.iterrows()]
    uppers = [_upper(r) for _, r in current.iterrows()]
    stated = [v for v, _, _ in lowers if v is not None]
    definite = [(v, o) for v, o, q in lowers if v is not None and q != "vague"]
    candidates = definite or [(v, o) for v, o, _ in lowers if v is not None]
    estimate = min(v for v, _ in candidates) if candidates else None
    return {
        "n_outlets": len(current),
        "outlets": _join(current["outlet"]),
        "lowest_figure": min(stated) if stated else None,
        "highest_figure": max(v for v in uppers if v is not None) if any(v is not None for v in uppers) else None,
        "conservative_estimate": estimate,
        "conservative_outlets": _join(o for v, o in candidates if v == estimate) if candidates else None,
    }


def hour_grid(first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
    """Whole UTC hours from the first moment (rounded up) to the last (rounded up)."""
    return pd.date_range(first.ceil("h"), last.ceil("h"), freq="h")


def _series_order(key: tuple) -> tuple:
    """Sort key of an (outcome, group, place) series: the whole event (null place) before its places."""
    outcome, group, place = key
    return (outcome, group, not pd.isna(place), "" if pd.isna(place) else place)


def consensus_series(focal: pd.DataFrame) -> list[tuple[tuple, pd.DataFrame]]:
    """The focal figures split by CONSENSUS_KEY, in _series_order."""
    # dropna=False: a null place is the whole event's series, not a row to drop
    groups = focal.groupby(CONSENSUS_KEY, sort=False, dropna=False)
    return sorted(groups, key=lambda item: _series_order(item[0]))


def build_consensus(timeline: pd.DataFrame, event: Event) -> pd.DataFrame:
    """Per whole UTC hour and outcome × group × place (scope 'event' only): the outlets' current figures
    summarised, from the hour of the series' first figure to the hour of the corpus's last event figure. The
    summary only changes at an hour that follows a statement time, so it is computed there and carried
    forward. The timeline holds totals only, so no part is ever in a series."""
    focal = timeline[(timeline["scope"] == "event") & timeline["as_of"].notna()]
    records = []
    if not focal.empty:
        last = focal["as_of"].max()
        for (outcome, group, place), series in consensus_series(focal):
            changes = sorted(set(series["as_of"].dt.ceil("h")))
            states = {h: consensus_row(current_figures(series, h)) for h in changes}
            state = None
            for hour in hour_grid(series["as_of"].min(), last):
                state = states.get(hour, state)
                records.append(
                    {
                        "hour": hour,
                        "hours_since_event_start": hours_since(hour, event.start),
                        "outcome": outcome,
                        "group": group,
                        "place": None if pd.isna(place) else place,
                        **state,
                    }
                )
    return frame(records, TollConsensus)


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
