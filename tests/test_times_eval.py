"""Tests for TempEval-3 scoring of the temporal tagger."""

import json

import pytest

from analysis import config
from analysis.evaluation.timeml import GoldTimex, TimeMLDoc
from analysis.extract.times import TimeExpr
from analysis.stages.times_eval import align, error_list, evaluate_timebank, run, score

TIMEBANK = config.ROOT / "data" / "external" / "timebank"

TML = """<?xml version="1.0" ?>
<TimeML>
<DOCID>TOY1</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="1998-02-27" functionInDocument="CREATION_TIME">1998-02-27</TIMEX3></DCT>
<TEXT>Troops left <TIMEX3 tid="t1" type="DATE" value="1998-02-26">yesterday</TIMEX3> after <TIMEX3 tid="t2" type="DURATION" value="P3D">three days</TIMEX3> of talks on <TIMEX3 tid="t3" type="DATE" value="1998-02-20">Feb. 20</TIMEX3>.</TEXT>
</TimeML>
"""


def _gold(start, end, value, kind="DATE"):
    return GoldTimex("t", start, end, "x" * (end - start), kind, value)


def _sys(start, end, value, kind="DATE"):
    return TimeExpr(start, end, "x" * (end - start), kind, value, None, None, "test")


def test_scores_follow_tempeval3_definitions():
    doc = TimeMLDoc("d", "x" * 100, "1998-02-27", (_gold(0, 5, "A"), _gold(10, 20, "B"), _gold(30, 35, "C")))
    system = [_sys(0, 5, "A"), _sys(12, 20, "X", "TIME"), _sys(50, 55, "Z")]
    m = score([(doc, system)])
    assert m["strict"] == {"precision": round(1 / 3, 4), "recall": round(1 / 3, 4), "f1": round(1 / 3, 4)}
    assert m["relaxed"]["f1"] == round(2 / 3, 4)
    assert m["value_accuracy"] == 0.5 and m["type_accuracy"] == 0.5
    assert m["value_f1"] == round(2 / 3 * 0.5, 4)  # attribute F1 = relaxed F1 x accuracy
    assert m["counts"] == {
        "gold": 3,
        "system": 3,
        "strict_matches": 1,
        "relaxed_matches": 2,
        "type_correct": 1,
        "value_correct": 1,
    }


def test_align_is_one_to_one_and_prefers_exact():
    gold = [_gold(0, 10, "A")]
    pairs = align(gold, [_sys(0, 4, "A"), _sys(0, 10, "A")])
    assert len(pairs) == 1 and (pairs[0][1].start, pairs[0][1].end) == (0, 10)


def test_main_writes_metrics_for_a_toy_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "toy.tml").write_text(TML, encoding="utf-8")
    out = tmp_path / "metrics" / "times.json"
    run(corpus, out)
    metrics = json.loads(out.read_text())
    assert metrics["corpus"]["counts"]["gold"] == 3
    assert metrics["corpus"]["relaxed"]["f1"] == 1.0 and metrics["corpus"]["value_f1"] == 1.0
    assert not list(out.parent.glob("*.tmp"))
    assert error_list(corpus) == []


def test_timebank_meets_the_published_baseline():
    m = evaluate_timebank(TIMEBANK)
    assert m["counts"]["gold"] == 1243
    assert m["relaxed"]["f1"] > 0.903
    assert m["value_f1"] > 0.776


def test_timebank_error_list_kinds():
    errors = error_list(TIMEBANK, half="a")
    assert {e["kind"] for e in errors} <= {"missed", "spurious", "wrong_value", "wrong_type"}
    assert all("doc" in e and "text" in e for e in errors)


def test_missing_corpus_is_an_error_not_a_skipped_file(tmp_path):
    from analysis.io import InputError
    from analysis.stages.times_eval import run

    with pytest.raises(InputError, match="TimeBank corpus not found"):
        run(tmp_path / "nowhere", tmp_path / "times.json")
    assert not (tmp_path / "times.json").exists()
