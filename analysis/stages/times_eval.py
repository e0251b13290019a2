"""TempEval-3 style scoring of the temporal tagger against TimeBank (TimeML) gold TIMEX3 annotations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from analysis.evaluation.scoring import prf
from analysis.evaluation.timeml import GoldTimex, TimeMLDoc, read_corpus
from analysis.extract.times import TimeExpr, tag_times
from analysis.io import InputError, write_json
from analysis.schemas import TimeScores, TimesMetrics
from analysis.stages.evaluate import measures, write_measures


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def align(gold: Sequence[GoldTimex], system: Sequence[TimeExpr]) -> list[tuple[GoldTimex, TimeExpr]]:
    """One-to-one relaxed (overlap) pairs; an exact-offset partner is preferred, then the first overlap."""
    pairs, used = [], set()
    for g in gold:
        cands = [k for k, s in enumerate(system) if k not in used and _overlap((g.start, g.end), (s.start, s.end))]
        exact = [k for k in cands if (system[k].start, system[k].end) == (g.start, g.end)]
        pick = (exact or cands or [None])[0]
        if pick is not None:
            used.add(pick)
            pairs.append((g, system[pick]))
    return pairs


def _tag_doc(doc: TimeMLDoc, tz: str) -> list[TimeExpr]:
    return tag_times(doc.text, doc.dct, tz)


def score(results: Iterable[tuple[TimeMLDoc, list[TimeExpr]]]) -> dict:
    """Extent strict/relaxed P/R/F1, type and value accuracy over relaxed matches, attribute F1."""
    n_gold = n_sys = strict = relaxed = type_ok = value_ok = 0
    for doc, system in results:
        pairs = align(doc.timexes, system)
        n_gold += len(doc.timexes)
        n_sys += len(system)
        relaxed += len(pairs)
        strict += sum((g.start, g.end) == (s.start, s.end) for g, s in pairs)
        type_ok += sum(g.timex_type == s.timex_type for g, s in pairs)
        value_ok += sum(g.value == s.timex_value for g, s in pairs)
    rel = prf(relaxed, n_sys, n_gold)
    type_acc = type_ok / relaxed if relaxed else 0.0
    value_acc = value_ok / relaxed if relaxed else 0.0
    return {
        "strict": prf(strict, n_sys, n_gold),
        "relaxed": rel,
        "type_accuracy": round(type_acc, 4),
        "value_accuracy": round(value_acc, 4),
        # TempEval-3: attribute F1 = relaxed extent F1 x attribute accuracy on the relaxed matches
        "type_f1": round(rel["f1"] * type_acc, 4),
        "value_f1": round(rel["f1"] * value_acc, 4),
        "counts": {
            "gold": n_gold,
            "system": n_sys,
            "strict_matches": strict,
            "relaxed_matches": relaxed,
            "type_correct": type_ok,
            "value_correct": value_ok,
        },
    }


def _docs(corpus_dir: str | Path, half: str | None = None) -> list[TimeMLDoc]:
    """The corpus, or one half of it by sorted file name ("a" = even positions, "b" = odd)."""
    docs = read_corpus(corpus_dir)
    if half is None:
        return docs
    return [d for k, d in enumerate(docs) if k % 2 == (0 if half == "a" else 1)]


def evaluate_timebank(corpus_dir: str | Path, tz: str = "UTC", half: str | None = None) -> dict:
    """Score tag_times on every document of a TimeML folder (optionally one half), DCT as reference."""
    return score((doc, _tag_doc(doc, tz)) for doc in _docs(corpus_dir, half))


def _missed(doc: TimeMLDoc, pairs: list[tuple[GoldTimex, TimeExpr]]) -> list[dict]:
    """Gold expressions the tagger found no partner for."""
    matched = {id(g) for g, _ in pairs}
    return [
        {"kind": "missed", "text": g.text, "start": g.start, "gold_type": g.timex_type, "gold_value": g.value}
        for g in doc.timexes
        if id(g) not in matched
    ]


def _spurious(system: list[TimeExpr], pairs: list[tuple[GoldTimex, TimeExpr]]) -> list[dict]:
    """Tagged expressions with no gold partner."""
    matched = {id(s) for _, s in pairs}
    return [
        {
            "kind": "spurious",
            "text": s.text,
            "start": s.start,
            "type": s.timex_type,
            "value": s.timex_value,
            "rule": s.rule,
        }
        for s in system
        if id(s) not in matched
    ]


def _wrong(pairs: list[tuple[GoldTimex, TimeExpr]]) -> list[dict]:
    """Relaxed matches with another value (or, with the right value, another type) than the gold one."""
    return [
        {
            "kind": "wrong_value" if g.value != s.timex_value else "wrong_type",
            "text": s.text,
            "gold_text": g.text,
            "start": s.start,
            "type": s.timex_type,
            "gold_type": g.timex_type,
            "value": s.timex_value,
            "gold_value": g.value,
            "rule": s.rule,
        }
        for g, s in pairs
        if g.value != s.timex_value or g.timex_type != s.timex_type
    ]


def _doc_errors(doc: TimeMLDoc, tz: str) -> list[dict]:
    """One document's errors, missed first, then spurious, then wrong matches, each with the document and DCT."""
    system = _tag_doc(doc, tz)
    pairs = align(doc.timexes, system)
    base = {"doc": doc.doc_id, "dct": doc.dct}
    return [{**base, **e} for e in (*_missed(doc, pairs), *_spurious(system, pairs), *_wrong(pairs))]


def error_list(corpus_dir: str | Path, tz: str = "UTC", half: str | None = None) -> list[dict]:
    """Per-document errors: missed gold, spurious system and wrong-value/type relaxed matches."""
    return [e for doc in _docs(corpus_dir, half) for e in _doc_errors(doc, tz)]


def run(corpus_dir: Path, out_path: Path, tz: str = "UTC") -> None:
    """Stage `times-eval`: whole corpus and each half (by sorted file name, to see whether rules overfit
    one part) to a JSON file; a missing or empty corpus folder is an error, never a 'skipped' file."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir() or not any(corpus_dir.glob("*.tml")):
        raise InputError(f"{corpus_dir}: TimeBank corpus not found (no .tml files)")
    results = [(doc, _tag_doc(doc, tz)) for doc in read_corpus(corpus_dir)]
    metrics = {
        "corpus": score(results),
        "half_a": score(r for k, r in enumerate(results) if k % 2 == 0),
        "half_b": score(r for k, r in enumerate(results) if k % 2 == 1),
        "n_documents": len(results),
    }
    write_json(Path(out_path), metrics, TimesMetrics)
    # one small file per measure, so that `dvc metrics show` reads in a terminal
    write_measures(Path(out_path).parent / "times", {k: metrics[k] for k in ("corpus", "half_a", "half_b")},
                   measures(TimeScores))  # fmt: skip
