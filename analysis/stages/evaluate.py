"""Stage `evaluate`: claims of the seeds, TimeBank and the unseen set against their gold -> metrics."""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pydantic

from analysis.config import Event, make_event
from analysis.evaluation.scoring import check_gold_offsets, load_gold, score, source_checker
from analysis.io import InputError, read_table, write_json, write_text_atomic, write_texts
from analysis.schemas import ExtractionMetrics, UnseenClaimScores

# --- TimeBank: the same pipeline, run on the annotated articles through the CLI contract ------------


def extract_into(raw: Path, out: Path, event: Event, places, prefix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Extract one corpus folder as `extract` does (one pass per document, the same tables as the ingest,
    times and claims stages), and return its claims and sources with source ids prefixed (prefix:slug), so
    sources of separately run corpora never collide."""
    from analysis.stages import extract

    extract.run(raw, out, "manifest.csv", {}, event, places, workers=1)
    claims, sources = read_table(out / "claims.parquet"), read_table(out / "sources.parquet")
    sources["source_id"] = prefix + ":" + sources["source_id"]
    claims["source_id"] = claims["source_id"].map(lambda x: None if pd.isna(x) else f"{prefix}:{x}")
    return claims, sources


def timebank_predictions(corpus_dir: Path, doc_ids: list[str], days_before: int = 10):
    """Run ingest, times and claims on each annotated TimeBank article (its own event window: the
    days_before days up to the end of its creation date, UTC) and return (claims, sources, texts)."""
    from analysis.evaluation.timeml import read_timeml

    claims, sources, texts = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for doc_id in doc_ids:
            doc = read_timeml(Path(corpus_dir) / f"{doc_id}.tml")
            texts[doc_id] = doc.text
            raw, out = Path(tmp) / doc_id / "raw", Path(tmp) / doc_id / "out"
            raw.mkdir(parents=True)
            (raw / f"{doc_id}.txt").write_text(doc.text, encoding="utf-8")
            with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerows([["doc_id", "outlet", "published_on"], [doc_id, "TimeBank", doc.published_on]])
            end = pd.Timestamp(doc.published_on) + pd.Timedelta(days=1)
            start = end - pd.Timedelta(days=days_before + 1)
            event = make_event(doc_id, "UTC", start.isoformat(), end.isoformat())
            c, src = extract_into(raw, out, event, (), prefix=doc_id)
            claims.append(c)
            sources.append(src)
    return pd.concat(claims, ignore_index=True), pd.concat(sources, ignore_index=True), texts


# --- unseen articles: real reports of other events, annotated before the extractor ran on them --------------


def read_unseen_events(unseen_dir: Path) -> list[tuple[str, list[str], Event, dict[str, str | None]]]:
    """events.yaml of an unseen set: (event_id, doc_ids, event window, place of each name and alias) per event."""
    import pydantic
    import yaml

    from analysis.config import EventSection, explain, place_lookup

    path = Path(unseen_dir) / "events.yaml"
    if not path.is_file():
        raise InputError(f"{path}: events file not found")
    events = []
    for k, raw in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
        if not isinstance(raw, dict) or not {"event_id", "docs"} <= set(raw):
            raise InputError(f"{path}: event {k + 1}: a mapping with event_id, docs and the event's keys is needed")
        try:
            spec = EventSection.model_validate({key: v for key, v in raw.items() if key not in ("event_id", "docs")})
            places = spec.place_list()
        except pydantic.ValidationError as exc:
            raise InputError("\n".join(f"{path}: event {k + 1}: {line}" for line in explain(exc))) from None
        except ValueError as exc:
            raise InputError(f"{path}: event {k + 1}: key places: {exc}") from None
        event = make_event(spec.name, spec.timezone, str(spec.start), str(spec.end))
        events.append((str(raw["event_id"]), [str(d) for d in raw["docs"]], event, place_lookup(places)))
    return events


def unseen_predictions(unseen_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], dict[str, str]]:
    """Run ingest, times and claims on each unseen event's articles, with that event's window and places, as a
    user would; return (claims, sources, texts, event_id by doc_id)."""
    from analysis.stages import ingest

    raw_dir = Path(unseen_dir) / "raw"
    manifest = pd.read_csv(raw_dir / "manifest.csv", dtype=str, keep_default_na=False)
    claims, sources, texts, event_of = [], [], {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for event_id, doc_ids, event, places in read_unseen_events(unseen_dir):
            raw, out = Path(tmp) / event_id / "raw", Path(tmp) / event_id / "out"
            raw.mkdir(parents=True)
            rows = manifest[manifest["doc_id"].isin(doc_ids)]
            if len(rows) != len(doc_ids):
                raise InputError(f"{raw_dir / 'manifest.csv'}: event {event_id} lists documents it does not have")
            rows.to_csv(raw / "manifest.csv", index=False)
            for row in rows.itertuples():
                (raw / row.file).write_bytes((raw_dir / row.file).read_bytes())
                texts[row.doc_id] = ingest.read_text(raw_dir / row.file)[0]  # as every stage reads it
                event_of[row.doc_id] = event_id
            c, src = extract_into(raw, out, event, places, prefix=event_id)
            claims.append(c)
            sources.append(src)
    return pd.concat(claims, ignore_index=True), pd.concat(sources, ignore_index=True), texts, event_of


def score_unseen(unseen_dir: Path) -> tuple[dict, list[dict]]:
    """Scores on the unseen set, overall and per event, and its error list."""
    gold = load_gold(Path(unseen_dir) / "claims_gold.csv")
    pred, sources, texts, event_of = unseen_predictions(unseen_dir)
    check_gold_offsets(gold, texts, Path(unseen_dir) / "claims_gold.csv")
    ok = source_checker(sources)
    metrics, errors = score(pred, gold, ok)
    metrics["n_documents"] = len(texts)
    metrics["by_event"] = {}
    for event_id in sorted(set(event_of.values())):
        docs = [d for d, e in event_of.items() if e == event_id]
        m, _ = score(pred[pred["doc_id"].isin(docs)], gold[gold["doc_id"].isin(docs)], ok)
        metrics["by_event"][event_id] = {
            "n_documents": len(docs),
            **{k: m[k] for k in ("n_gold", "detection", "strict")},
        }
    return metrics, errors


def evaluate(
    processed_dir: Path,
    raw_dir: Path,
    gold_path: Path,
    timebank_dir: Path | None,
    unseen: Mapping[str, Path | None] | None = None,
) -> tuple[dict, list[dict]]:
    """Metrics and errors for the seeds (from the pipeline's tables), TimeBank and the unseen sets (run here;
    unseen: corpus name -> folder, a None folder skipped)."""
    from analysis.stages.ingest import load_texts

    gold = load_gold(gold_path)
    documents = read_table(Path(processed_dir) / "documents.parquet")
    pred = read_table(Path(processed_dir) / "claims.parquet")
    sources = read_table(Path(processed_dir) / "sources.parquet")
    seed_gold = gold[gold["corpus"] == "seeds"].reset_index(drop=True)
    check_gold_offsets(seed_gold, load_texts(raw_dir, documents), gold_path)
    metrics, errors = {}, []
    metrics["seeds"], errs = score(pred, seed_gold, source_checker(sources))
    errors += [{"corpus": "seeds", **e} for e in errs]
    tb_gold = gold[gold["corpus"] == "timebank"].reset_index(drop=True)
    if len(tb_gold):
        if timebank_dir is None or not Path(timebank_dir).is_dir():
            raise InputError(f"{timebank_dir}: TimeBank corpus not found (the gold has TimeBank rows to score)")
        tb_pred, tb_sources, texts = timebank_predictions(timebank_dir, sorted(tb_gold["doc_id"].unique()))
        check_gold_offsets(tb_gold, texts, gold_path)
        metrics["timebank"], errs = score(tb_pred, tb_gold, source_checker(tb_sources))
        metrics["timebank"]["n_documents"] = int(tb_gold["doc_id"].nunique())
        errors += [{"corpus": "timebank", **e} for e in errs]
    else:
        metrics["timebank"] = {"skipped": f"{Path(gold_path).name} has no TimeBank rows"}
    for corpus, folder in (unseen or {}).items():
        if folder is not None:
            metrics[corpus], errs = score_unseen(folder)
            errors += [{"corpus": corpus, **e} for e in errs]
    return metrics, errors


# --- the DVC metrics: one small file per measure, one key per corpus ---------------------------------------
# `dvc metrics show` prints one row per file and one column per key found in any file: the nested
# extraction.json made one row about 100 columns wide. These files make one row per measure and one column per
# corpus. extraction.json keeps everything (the per-event scores too), nested, for the notebooks.
CLAIMS_VIEW = "claims"  # metrics/claims/<measure>.json
NOT_MEASURES = ("by_event",)  # per-event scores stay in extraction.json: a column per event would be too wide


def measures(model: type[pydantic.BaseModel], prefix: str = "") -> list[str]:
    """The flat names of a metrics model's measures: a nested model's joined with '_' ('detection_f1');
    NOT_MEASURES left out."""
    out = []
    for name, field in model.model_fields.items():
        inner = field.annotation
        if name in NOT_MEASURES:
            continue
        if isinstance(inner, type) and issubclass(inner, pydantic.BaseModel):
            out += measures(inner, f"{prefix}{name}_")
        else:
            out.append(f"{prefix}{name}")
    return out


def flatten(scores: dict, prefix: str = "") -> dict:
    """Nested scores as flat measure names (as measures() names them), NOT_MEASURES left out."""
    out = {}
    for key, value in scores.items():
        if key in NOT_MEASURES:
            continue
        if isinstance(value, dict):
            out |= flatten(value, f"{prefix}{key}_")
        else:
            out[f"{prefix}{key}"] = value
    return out


def measure_files(columns: dict[str, dict], names: list[str]) -> dict[str, dict]:
    """{measure: {column: value}} for every name (a measure no column has gets {}: the set of files is fixed,
    dvc.yaml lists them); a measure not in names is an error, never dropped."""
    flat = {column: flatten(scores) for column, scores in columns.items()}
    unknown = sorted({m for f in flat.values() for m in f} - set(names))
    if unknown:
        raise ValueError(f"metrics: measure(s) {unknown} have no file: add them to the metrics model")
    return {m: {c: f[m] for c, f in flat.items() if m in f} for m in names}


def write_measures(out_dir: Path, columns: dict[str, dict], names: list[str]) -> list[Path]:
    """<out_dir>/<measure>.json for every measure, {column: value} with sorted keys, written together."""
    files = measure_files(columns, names)
    texts = {Path(out_dir) / f"{m}.json": json.dumps(v, indent=2, sort_keys=True) + "\n" for m, v in files.items()}
    return write_texts(texts)


def claim_columns(metrics: dict) -> dict[str, dict]:
    """The corpora scored (seeds, timebank, unseen, unseen2, unseen3, unseen4), a skipped one left out."""
    return {corpus: scores for corpus, scores in metrics.items() if scores is not None and "skipped" not in scores}


def run(
    processed_dir: Path,
    raw_dir: Path,
    gold_path: Path,
    timebank_dir: Path,
    metrics_dir: Path,
    unseen: Mapping[str, Path | None] | None = None,
) -> None:
    """Write metrics/extraction.json, metrics/extraction_errors.csv and the DVC metrics metrics/claims/*.json."""
    metrics, errors = evaluate(processed_dir, raw_dir, gold_path, timebank_dir, unseen)
    metrics_dir = Path(metrics_dir)
    cols = ["corpus", "kind", "doc_id", "start", "gold_text", "gold", "predicted_text", "predicted", "wrong", "rule"]
    write_json(metrics_dir / "extraction.json", metrics, ExtractionMetrics)
    write_measures(metrics_dir / CLAIMS_VIEW, claim_columns(metrics), measures(UnseenClaimScores))
    write_text_atomic(metrics_dir / "extraction_errors.csv", pd.DataFrame(errors, columns=cols).to_csv(index=False))
