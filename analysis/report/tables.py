"""Stage `notebooks` and what the notebooks show: tables for reading, the notebook runner, the data dictionary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.io import read_table

PARAMS_ENV = config.PARAMS_ENV
TABLE_FILES = (
    "documents", "furniture", "times", "claims", "sources", "toll_timeline", "toll_consensus", "toll_parts",
)  # fmt: skip
# How a null place reads in the tables: the count covers the whole event.
WHOLE_EVENT = "whole event"
NO_PARTS = "No part of a toll (a subset of the victims picked out by who they are) was reported: each count is a total."


def params() -> config.Params:
    """The params the notebooks use: the file named by $TOLLWATCH_PARAMS, else the project's params.yaml."""
    return config.load()


def setup_display() -> None:
    """Pandas display options for the notebooks: whole sentences, every row, no wrapping."""
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 500)
    pd.set_option("display.max_columns", 50)
    pd.set_option("display.width", 250)


def load_tables(p: config.Params) -> dict[str, pd.DataFrame]:
    """Every processed table the notebooks read, by name."""
    return {name: read_table(p.processed_dir / f"{name}.parquet") for name in TABLE_FILES}


def outlet_names(documents: pd.DataFrame) -> dict[str, str]:
    """outlet -> its label with the credited wire ('Pravda.Ru (AP)')."""
    from analysis.report.figures import outlet_label

    return {r.outlet: outlet_label(r.outlet, r.agency) for r in documents.itertuples()}


def local(moments: pd.Series, zone) -> pd.Series:
    """UTC moments as local 'YYYY-MM-DD HH:MM' text (empty where unknown)."""
    out = pd.to_datetime(moments, utc=True).dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M")
    return out.fillna("")


def time_unit(timeline: pd.DataFrame, event: config.Event) -> str:
    """'hours' or 'days' for 'since the event start', from the span of the event's figures."""
    from analysis.report.figures import split_by_phase, time_unit

    _, during = split_by_phase(timeline, event)
    span = (during["as_of"].max() - pd.Timestamp(event.start)) if len(during) else pd.Timedelta(0)
    return time_unit(span)


def since_start(hours: pd.Series, unit: str) -> pd.Series:
    """Hours since the event start in the chosen unit, rounded to 0.1."""
    values = pd.to_numeric(hours, errors="coerce").astype("Float64")
    return (values / (24 if unit == "days" else 1)).round(1)


def describe_event(p: config.Params, timeline: pd.DataFrame) -> str:
    """One paragraph on the event window and the time unit the notebooks use."""
    ev = p.event
    unit = time_unit(timeline, ev)
    start = pd.Timestamp(ev.start).tz_convert(ev.zone)
    end = pd.Timestamp(ev.end).tz_convert(ev.zone)
    return (
        f"Event: {ev.name}\n"
        f"Local time zone: {ev.timezone}\n"
        f"Window: {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} local\n"
        f"Time since the start is shown in {unit}."
    )


# --- 01: corpus and tables --------------------------------------------------------------------------------


def corpus_table(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per document: who published it, when, and how much of it is article text."""
    cols = ["doc_id", "outlet", "agency", "published_on", "headline", "n_chars", "n_body_chars", "n_furniture_spans"]
    return documents[cols].sort_values(["published_on", "doc_id"]).reset_index(drop=True)


def counts_by_outlet(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per outlet: documents, furniture spans set aside, time expressions, claims, distinct figures, sources."""
    docs = tables["documents"][["doc_id", "outlet"]]
    out = docs.groupby("outlet").size().rename("documents").to_frame()
    for name, label in (
        ("furniture", "furniture_spans"),
        ("times", "time_expressions"),
        ("claims", "claims"),
        ("toll_timeline", "distinct_figures"),
    ):
        merged = tables[name][["doc_id"]].merge(docs, on="doc_id")
        out[label] = merged.groupby("outlet").size().reindex(out.index, fill_value=0)
    credited = tables["claims"][["doc_id", "source_id"]].dropna().merge(docs, on="doc_id")
    out["sources_credited"] = credited.groupby("outlet")["source_id"].nunique().reindex(out.index, fill_value=0)
    out.loc["all outlets"] = out.sum()
    out.loc["all outlets", "sources_credited"] = tables["claims"]["source_id"].nunique()
    return out.astype(int).reset_index()


def furniture_table(furniture: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Every span set aside as page furniture, with its outlet, kind, cue and text (newlines shown as ⏎)."""
    out = furniture.merge(documents[["doc_id", "outlet"]], on="doc_id")
    out["text"] = out["text"].str.strip().str.replace("\n", " ⏎ ", regex=False)
    return out[["furniture_id", "outlet", "kind", "cue", "text"]].reset_index(drop=True)


def claims_table(claims: pd.DataFrame, documents: pd.DataFrame, sources: pd.DataFrame, zone) -> pd.DataFrame:
    """Every claim with the sentence it was read from, who it is credited to and its local as-of time."""
    names = sources.set_index("source_id")["name"]
    out = claims.merge(documents[["doc_id", "outlet"]], on="doc_id")
    out["source"] = out["source_id"].map(lambda s: "" if pd.isna(s) else names.get(s, s))
    out["as_of_local"] = local(out["as_of"], zone)
    out["sentence"] = out["sentence"].str.replace("\n", " ", regex=False)
    cols = ["claim_id", "outlet", "quantity_text", "outcome", "group", "scope", "source", "as_of_local", "sentence"]
    return out[cols].reset_index(drop=True)


# --- 02: toll by outlet and hour ----------------------------------------------------------------------------


def place_text(place: pd.Series) -> pd.Series:
    """The place of each row, WHOLE_EVENT where it is null."""
    return place.astype(object).where(place.notna(), WHOLE_EVENT)


def by_series(rows: pd.DataFrame, then: list[str]) -> pd.DataFrame:
    """Rows sorted by outcome, group and place (the whole event before its places), then by the then columns."""
    keyed = rows.assign(_per_place=rows["place"].notna())
    order = ["outcome", "group", "_per_place", "place", *then]
    return keyed.sort_values(order, kind="stable").drop(columns="_per_place")


def revision_table(timeline: pd.DataFrame, documents: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Every revision: outlet, the series (outcome, group, place, scope), from → to, when and who said the new
    figure."""
    rows = timeline[timeline["revises"].notna()].copy()
    names = outlet_names(documents)
    rows["outlet"] = rows["outlet"].map(names)
    in_place = rows["place"].map(lambda place: "" if pd.isna(place) else f" in {place}")
    rows["figure"] = rows["outcome"] + " " + rows["group"] + in_place + " (" + rows["scope"] + ")"
    rows["from_to"] = rows["revises"]
    rows["as_of_local"] = rows["as_of_local"].str.replace("T", " ").str[:16]
    rows[f"{unit}_since_start"] = since_start(rows["hours_since_event_start"], unit)
    rows["said_by"] = rows["source_name"].fillna("own report")
    cols = ["outlet", "figure", "from_to", "as_of_local", f"{unit}_since_start", "said_by"]
    return rows[cols].reset_index(drop=True)


def figures_by_series(timeline: pd.DataFrame, documents: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The event's figures in time order within each outcome, group and place: who, what, when (the figure's
    data)."""
    from analysis.report.figures import drawable

    rows = drawable(timeline)
    rows = rows[rows["scope"] == "event"].copy()
    rows["outlet"] = rows["outlet"].map(outlet_names(documents))
    rows["as_of_local"] = rows["as_of_local"].str.replace("T", " ").str[:16]
    rows[f"{unit}_since_start"] = since_start(rows["hours_since_event_start"], unit)
    rows["said_by"] = rows["source_name"].fillna("own report")
    rows = by_series(rows, ["as_of", "outlet"])
    rows["place"] = place_text(rows["place"])
    cols = ["outcome", "group", "place", "outlet", "figure_text", "said_by", "as_of_local", f"{unit}_since_start"]
    return rows[cols].reset_index(drop=True)


def consensus_changes(consensus: pd.DataFrame, zone, unit: str) -> pd.DataFrame:
    """The consensus table where it changes: each series' (outcome, group, place) first hour and every hour its
    numbers move."""
    cols = ["n_outlets", "lowest_figure", "highest_figure", "conservative_estimate"]
    out_cols = ["outcome", "group", "place", "hour_local", f"{unit}_since_start", *cols, "outlets"]
    parts = []
    # dropna=False: a null place is the whole event's series
    for _, series in by_series(consensus, ["hour"]).groupby(["outcome", "group", "place"], sort=False, dropna=False):
        state = series[cols].astype("string").fillna("").agg("|".join, axis=1)
        parts.append(series[state.ne(state.shift())])
    if not parts:
        return pd.DataFrame(columns=out_cols)
    out = pd.concat(parts)
    out["hour_local"] = local(out["hour"], zone)
    out[f"{unit}_since_start"] = since_start(out["hours_since_event_start"], unit)
    out["place"] = place_text(out["place"])
    return out[out_cols].reset_index(drop=True)


def parts_table(toll_parts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Every part mention (toll_parts) in mention order: who is counted, the count, the whole it is part of,
    where, when and who said it."""
    rows = toll_parts.copy()
    rows["outlet"] = rows["outlet"].map(outlet_names(documents))
    rows["place"] = place_text(rows["place"])
    rows["part_of_whole"] = rows["whole_figure_text"].fillna("(not stated)")
    rows["said_by"] = rows["source_name"].fillna("own report")
    rows["as_of_local"] = rows["as_of_local"].fillna("").str.replace("T", " ").str[:16]
    cols = ["outlet", "outcome", "group", "place", "subset_text", "figure_text", "part_of_whole", "said_by",
            "as_of_local", "claim_id"]  # fmt: skip
    return rows[cols].reset_index(drop=True)


def show_parts(toll_parts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame | None:
    """parts_table for the notebook to display, or None after printing NO_PARTS when there are none."""
    if toll_parts.empty:
        print(NO_PARTS)
        return None
    return parts_table(toll_parts, documents)


def not_drawn_table(timeline: pd.DataFrame, event: config.Event) -> pd.DataFrame:
    """The timeline rows the toll figure leaves out, and why."""
    from analysis.report.figures import not_drawn

    out = not_drawn(timeline, event)
    out["as_of_local"] = out["as_of_local"].fillna("").str.replace("T", " ").str[:16]
    cols = ["figure_id", "outlet", "outcome", "group", "scope", "figure_text", "as_of_local", "reason"]
    return out[cols].reset_index(drop=True)


# --- 03: extraction quality -----------------------------------------------------------------------------------


def read_metrics(metrics_dir: Path) -> dict:
    """metrics/extraction.json and metrics/times.json ({} for a file that is absent)."""
    out = {}
    for name in ("extraction", "times"):
        path = Path(metrics_dir) / f"{name}.json"
        out[name] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return out


def extraction_summary(extraction: dict) -> pd.DataFrame | None:
    """Detection and strict precision/recall/F1 per corpus (seeds, TimeBank); None without metrics."""
    if not extraction:
        return None
    rows = []
    for corpus, m in sorted(extraction.items()):
        if "detection" not in m:
            rows.append({"corpus": corpus, "measure": "skipped"})
            continue
        for measure in ("detection", "strict"):
            rows.append(
                {
                    "corpus": corpus,
                    "measure": measure,
                    **m[measure],
                    "n_gold": m["n_gold"],
                    "n_predicted": m["n_predicted"],
                    "n_matched": m["n_matched"],
                }
            )
    return pd.DataFrame(rows)


def attribute_accuracy(extraction: dict) -> pd.DataFrame | None:
    """Per-attribute accuracy over matched claims: one row per attribute, one column per corpus; None without
    metrics."""
    cols = {c: m["accuracy"] for c, m in sorted(extraction.items()) if "accuracy" in m}
    if not cols:
        return None
    return pd.DataFrame(cols).rename_axis("attribute").reset_index()


def times_summary(times: dict) -> pd.DataFrame | None:
    """The temporal tagger against TimeBank gold: strict and relaxed P/R/F1 and value/type accuracy; None
    without metrics."""
    rows = []
    for part in ("corpus", "half_a", "half_b"):
        m = times.get(part)
        if not m:
            continue
        rows.append(
            {
                "part": part,
                "strict_f1": m["strict"]["f1"],
                "relaxed_f1": m["relaxed"]["f1"],
                "type_accuracy": m["type_accuracy"],
                "value_accuracy": m["value_accuracy"],
                "gold": m["counts"]["gold"],
                "system": m["counts"]["system"],
            }
        )
    return pd.DataFrame(rows) if rows else None


def error_table(metrics_dir: Path) -> pd.DataFrame | None:
    """metrics/extraction_errors.csv without the rule trace (None if absent)."""
    path = Path(metrics_dir) / "extraction_errors.csv"
    if not path.is_file():
        return None
    errors = pd.read_csv(path, keep_default_na=False)
    return errors.drop(columns=["rule"], errors="ignore")


def read_gold(p: config.Params) -> pd.DataFrame:
    """The gold claims file named in the params, or an empty table when the corpus has none."""
    from analysis.evaluation.scoring import GOLD_COLUMNS, load_gold

    return load_gold(p.annotations) if p.annotations.is_file() else pd.DataFrame(columns=GOLD_COLUMNS)


def matched_pairs(claims: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Gold claims of the corpus's annotated documents matched to their predictions (analysis.evaluation.scoring.match);
    a gold claim with no prediction, or a prediction with no gold claim, pairs with '(none)'. Documents
    without gold are left out, so a corpus with no annotations gives no pairs."""
    from analysis.evaluation.scoring import match

    gold = gold[gold["doc_id"].isin(set(claims["doc_id"]))].reset_index(drop=True)
    claims = claims[claims["doc_id"].isin(set(gold["doc_id"]))].reset_index(drop=True)
    pairs = match(claims, gold)
    attrs = ["outcome", "group", "scope", "qualifier"]
    rows = [{"doc_id": gold.loc[g, "doc_id"], **{f"gold_{a}": gold.loc[g, a] for a in attrs},
             **{f"predicted_{a}": claims.loc[p, a] for a in attrs}} for p, g in pairs]  # fmt: skip
    matched_p, matched_g = {p for p, _ in pairs}, {g for _, g in pairs}
    none = dict.fromkeys(attrs, "(none)")
    rows += [{"doc_id": gold.loc[g, "doc_id"], **{f"gold_{a}": gold.loc[g, a] for a in attrs},
              **{f"predicted_{a}": none[a] for a in attrs}} for g in gold.index if g not in matched_g]  # fmt: skip
    rows += [{"doc_id": claims.loc[p, "doc_id"], **{f"gold_{a}": none[a] for a in attrs},
              **{f"predicted_{a}": claims.loc[p, a] for a in attrs}} for p in claims.index if p not in matched_p]  # fmt: skip
    return pd.DataFrame(rows, columns=["doc_id", *[f"{k}_{a}" for k in ("gold", "predicted") for a in attrs]])


def confusion(pairs: pd.DataFrame, attribute: str) -> pd.DataFrame | None:
    """Gold (rows) × predicted (columns) counts for one attribute, '(none)' for missed or spurious claims; None
    without pairs."""
    if pairs.empty:
        return None
    table = pd.crosstab(pairs[f"gold_{attribute}"], pairs[f"predicted_{attribute}"])
    table.index.name, table.columns.name = f"gold {attribute}", f"predicted {attribute}"
    return table


PROJECT_METRICS = config.ROOT / "metrics"
NO_GOLD = (
    "No gold claims were given for this corpus (no {path} file), so its extraction is not scored here: the "
    "scores below are the project's own, on articles annotated by hand (the first runs of its blind sets, "
    "about 0.70 strict F1, are what to expect on new text), and the last table shows what the extractor found."
)


@dataclass(frozen=True)
class Quality:
    """What notebook 03 reads: the corpus's gold, the metrics it shows and the error list (None: not shown)."""

    gold: pd.DataFrame
    metrics: dict
    errors: pd.DataFrame | None


def quality(p: config.Params) -> Quality:
    """Gold and metrics for notebook 03. A corpus without a gold file gets one sentence saying so, and the
    project's scores (what to expect) without their error list, which is about other articles."""
    if p.annotations.is_file():
        return Quality(read_gold(p), read_metrics(p.metrics_dir), error_table(p.metrics_dir))
    print(NO_GOLD.format(path=Path(p.annotations.parent.name, p.annotations.name).as_posix()))
    return Quality(read_gold(p), read_metrics(PROJECT_METRICS), None)


def gold_pairs(claims: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """matched_pairs, with one line on how many there are when the corpus has gold."""
    pairs = matched_pairs(claims, gold)
    if len(gold):
        print(f"{len(pairs)} gold/predicted pairs in the annotated documents of this corpus")
    return pairs


def extraction_profile(claims: pd.DataFrame) -> pd.DataFrame | None:
    """What the extractor found, attribute by attribute: claims per value of outcome, group, scope, qualifier
    and role, and how many credit a source and have an as-of time (share of all claims, 2 decimals)."""
    if claims.empty:
        print("The extractor found no claims in this corpus.")
        return None
    rows = [(a, v, n) for a in ("outcome", "group", "scope", "qualifier", "role")
            for v, n in claims[a].value_counts().sort_index().items()]  # fmt: skip
    for attr, column, yes, no in (("source", "source_id", "credited", "none (the outlet's own voice)"),
                                  ("as_of", "as_of", "known", "unknown")):  # fmt: skip
        known = int(claims[column].notna().sum())
        rows += [(attr, yes, known), (attr, no, len(claims) - known)]
    out = pd.DataFrame(rows, columns=["attribute", "value", "claims"])
    out["share"] = (out["claims"] / len(claims)).round(2)
    return out


# --- the notebook runner ----------------------------------------------------------------------------------------


# --- the data dictionary ---------------------------------------------------------------------------------------
