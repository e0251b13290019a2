"""Evaluation: matching and scoring on toy frames, gold integrity, and the seed F1 floor."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import config
from analysis.evaluation.scoring import check_gold_offsets, load_gold, match, score
from analysis.evaluation.timeml import read_timeml
from analysis.io import InputError, read_table
from analysis.stages.ingest import load_texts

P = config.load()


def _row(doc, start, end, text, outcome="killed", group="militants", low=20, high=20, **kw):
    base = {"doc_id": doc, "start": start, "end": end, "quantity_text": text, "outcome": outcome, "group": group,
            "value_low": low, "value_high": high, "qualifier": "exact", "scope": "event", "rule": "r"}  # fmt: skip
    return {**base, **kw}


def test_match_is_one_to_one_by_largest_overlap():
    gold = pd.DataFrame([_row("d", 10, 21, "at least 20"), _row("d", 40, 42, "15")])
    pred = pd.DataFrame([_row("d", 19, 21, "20"), _row("d", 10, 21, "at least 20"), _row("e", 40, 42, "15")])
    assert match(pred, gold) == [(1, 0)]


def test_score_counts_strict_and_attribute_errors():
    day, noon, night = (pd.Timestamp(f"2007-07-10T{h}", tz="UTC") for h in ("00:00", "12:00", "23:59"))
    window = {"as_of_from": day, "as_of_to": night}
    gold = pd.DataFrame([_row("d", 0, 2, "20", **window), _row("d", 10, 12, "15", outcome="injured", **window)])
    pred = pd.DataFrame(
        [
            _row("d", 0, 2, "20", as_of=noon),
            _row("d", 10, 12, "15", outcome="killed", as_of=noon),
            _row("d", 30, 31, "3", as_of=noon),
        ]
    )
    metrics, errors = score(pred, gold)
    assert metrics["detection"] == {"precision": 0.6667, "recall": 1.0, "f1": 0.8}
    assert metrics["strict"]["recall"] == 0.5 and metrics["accuracy"]["outcome"] == 0.5
    assert sorted(e["kind"] for e in errors) == ["spurious", "wrong"]


def test_gold_offsets_slice_to_the_quantity_text():
    gold = load_gold(P.annotations)
    seeds = gold[gold["corpus"] == "seeds"].reset_index(drop=True)
    check_gold_offsets(seeds, load_texts(P.raw_dir, read_table(P.processed_dir / "documents.parquet")), P.annotations)
    assert len(seeds) >= 40 and set(seeds["doc_id"].str[:3]) == {"000", "001", "002", "003", "004"}


def test_timebank_gold_offsets(timebank_dir):
    gold = load_gold(P.annotations)
    tb = gold[gold["corpus"] == "timebank"].reset_index(drop=True)
    texts = {d: read_timeml(timebank_dir / f"{d}.tml").text for d in tb["doc_id"].unique()}
    check_gold_offsets(tb, texts, P.annotations)
    assert tb["doc_id"].nunique() >= 8


def test_gold_with_a_bad_offset_is_reported_with_its_row(tmp_path):
    gold = load_gold(P.annotations)
    gold.loc[0, "end"] += 1
    with pytest.raises(InputError, match="row 2: offsets"):
        check_gold_offsets(gold.iloc[:1], {gold.loc[0, "doc_id"]: "x" * 5000}, tmp_path / "g.csv")


def test_seed_strict_f1_stays_above_090():
    # the evaluate stage's own output for the committed pipeline run
    metrics = json.loads((P.metrics_dir / "extraction.json").read_text())
    assert metrics["seeds"]["strict"]["f1"] >= 0.90
    assert metrics["seeds"]["n_gold"] >= 40


def test_seed_scores_recomputed_from_the_tables():
    from analysis.stages.evaluate import evaluate

    metrics, _ = evaluate(P.processed_dir, P.raw_dir, P.annotations, P.timebank_dir)
    assert metrics["seeds"]["strict"]["f1"] >= 0.90
    assert metrics["seeds"]["accuracy"]["source"] >= 0.90
    assert metrics["seeds"]["accuracy"]["as_of"] >= 0.90
    assert metrics["timebank"]["n_documents"] == 13


def test_timebank_rows_without_the_corpus_are_an_error(tmp_path):
    from analysis.io import InputError
    from analysis.stages.evaluate import evaluate

    with pytest.raises(InputError, match="TimeBank corpus not found"):
        evaluate(P.processed_dir, P.raw_dir, P.annotations, tmp_path / "nowhere")


def test_unseen_set_is_scored_per_event():
    from analysis.stages.evaluate import read_unseen_events, score_unseen

    events = read_unseen_events(P.unseen_dir)
    assert [e[0] for e in events] == ["madrid_2004", "mumbai_2008", "bali_2005"]
    madrid = events[0]
    assert madrid[2].start.isoformat() == "2004-03-11T07:37:00+01:00"
    assert {"Madrid", "Spanish capital", "Santa Eugenia"} <= set(madrid[3])
    assert madrid[3]["Madrid"] is None and madrid[3]["Atocha station"] == "Atocha"  # the city is the whole event
    metrics, errors = score_unseen(P.unseen_dir)
    assert metrics["n_gold"] == 127 and metrics["n_documents"] == 19
    assert sum(e["n_gold"] for e in metrics["by_event"].values()) == 127
    assert metrics["n_matched"] + sum(e["kind"] == "missed" for e in errors) == 127


@pytest.mark.parametrize(
    ("folder", "events", "n_gold", "n_documents"),
    [
        ("unseen2_dir", ["beslan_2004", "london_2005", "westgate_2013"], 136, 18),
        ("unseen3_dir", ["moscow_2002", "norway_2011", "paris_2015"], 132, 18),
        ("unseen4_dir", ["amenas_2013", "garissa_2015", "peshawar_2014"], 153, 18),
    ],
)
def test_later_blind_sets_are_scored_per_event(folder, events, n_gold, n_documents):
    from analysis.stages.evaluate import read_unseen_events, score_unseen

    path = getattr(P, folder)
    assert sorted(e[0] for e in read_unseen_events(path)) == events
    metrics, errors = score_unseen(path)  # also checks every gold offset against its text
    assert metrics["n_gold"] == n_gold and metrics["n_documents"] == n_documents
    assert sum(e["n_gold"] for e in metrics["by_event"].values()) == n_gold
    assert metrics["n_matched"] + sum(e["kind"] == "missed" for e in errors) == n_gold


def test_unseen_events_file_errors_name_the_file(tmp_path):
    from analysis.stages.evaluate import read_unseen_events

    (tmp_path / "events.yaml").write_text(
        "- event_id: x\n  name: X\n  timezone: Nowhere/Zone\n  start: '2020-01-01'\n  end: '2020-01-02'\n  docs: []\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"events.yaml: event 1: .*unknown time zone"):
        read_unseen_events(tmp_path)
