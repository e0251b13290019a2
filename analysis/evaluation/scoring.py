"""Claims against gold: loading and checking the gold, matching, scoring."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis.io import InputError, TableError, validate
from analysis.schemas import ClaimsGold

GOLD_COLUMNS = [
    "corpus", "doc_id", "start", "end", "quantity_text", "value_low", "value_high", "qualifier",
    "outcome", "group", "scope", "source", "as_of_from", "as_of_to", "note",
]  # fmt: skip


ATTRIBUTES = ["span", "value_low", "value_high", "qualifier", "outcome", "group", "scope"]


# Read text columns as strings even when a file leaves one empty throughout (else they come back float).
GOLD_DTYPES = {c: "str" for c in ClaimsGold.to_schema().columns if c not in ("start", "end")} | {
    "value_low": "Int64", "value_high": "Int64", "part_of_start": "Int64",
}  # fmt: skip


def load_gold(path: Path) -> pd.DataFrame:
    """Read the gold CSV and check it against schemas.ClaimsGold; errors name the file and its rows."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: gold annotations not found")
    gold = pd.read_csv(path, dtype=GOLD_DTYPES, keep_default_na=False, na_values=[""])
    missing = [c for c in GOLD_COLUMNS if c not in gold.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}")
    for col in ("as_of_from", "as_of_to"):
        gold[col] = _utc(gold[col], path)
    try:
        # index = CSV line number, so the failure cases point at the line to fix
        validate(gold.set_axis(range(2, len(gold) + 2)), ClaimsGold, f"{path} (index = line)")
    except TableError as exc:
        raise InputError(str(exc)) from exc
    return gold


def _utc(col: pd.Series, path: Path) -> pd.Series:
    """ISO 8601 times with offsets -> UTC (microseconds, as the tables store them)."""
    try:
        return pd.to_datetime(col, utc=True).astype("datetime64[us, UTC]")
    except ValueError as exc:
        raise InputError(f"{path}: column {col.name!r}: {exc}") from exc


def check_gold_offsets(gold: pd.DataFrame, texts: dict[str, str], path: Path) -> None:
    """Every gold span must slice its document's text to quantity_text."""
    for i, r in gold.iterrows():
        text = texts.get(r["doc_id"])
        if text is None:
            raise InputError(f"{path}, row {i + 2}: unknown doc_id {r['doc_id']!r}")
        if text[r["start"] : r["end"]] != r["quantity_text"]:
            raise InputError(
                f"{path}, row {i + 2}: offsets {r['start']}:{r['end']} give {text[r['start'] : r['end']]!r}, "
                f"not {r['quantity_text']!r}"
            )


def match(pred: pd.DataFrame, gold: pd.DataFrame) -> list[tuple[int, int]]:
    """One-to-one pairs (pred index, gold index) of overlapping spans in the same document, largest overlap first."""
    cands = []
    for doc_id, g in gold.groupby("doc_id"):
        p = pred[pred["doc_id"] == doc_id]
        for pi, pr in p.iterrows():
            for gi, gr in g.iterrows():
                overlap = min(pr["end"], gr["end"]) - max(pr["start"], gr["start"])
                if overlap > 0:
                    cands.append((-overlap, pi, gi))
    used_p, used_g, pairs = set(), set(), []
    for _, pi, gi in sorted(cands):
        if pi not in used_p and gi not in used_g:
            used_p.add(pi)
            used_g.add(gi)
            pairs.append((pi, gi))
    return sorted(pairs, key=lambda x: x[1])


def _same(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)


def attribute_checks(source_ok: Callable[[pd.Series, pd.Series], bool] | None) -> dict[str, Callable]:
    """Per-attribute comparisons of a (prediction, gold) pair."""
    checks = {
        "span": lambda p, g: p["start"] == g["start"] and p["end"] == g["end"],
        "value_low": lambda p, g: _same(p["value_low"], g["value_low"]),
        "value_high": lambda p, g: _same(p["value_high"], g["value_high"]),
        "qualifier": lambda p, g: p["qualifier"] == g["qualifier"],
        "outcome": lambda p, g: p["outcome"] == g["outcome"],
        "group": lambda p, g: p["group"] == g["group"],
        "scope": lambda p, g: p["scope"] == g["scope"],
        "as_of": lambda p, g: not pd.isna(p["as_of"]) and g["as_of_from"] <= p["as_of"] <= g["as_of_to"],
    }
    if source_ok is not None:
        checks["source"] = source_ok
    return checks


STRICT = ("span", "value_low", "value_high", "outcome", "group")


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 of tp right answers among n_pred predictions and n_gold gold items."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}


def score(pred: pd.DataFrame, gold: pd.DataFrame, source_ok=None) -> tuple[dict, list[dict]]:
    """Detection and strict P/R/F1, per-attribute accuracy over matched pairs, and the error list."""
    pairs = match(pred, gold)
    checks = attribute_checks(source_ok)
    if "role" in gold.columns and gold["role"].notna().all():  # a gold that codes role and place
        checks["role"] = lambda p, g: p["role"] == g["role"]
        checks["place"] = lambda p, g: _same(p["place"], g["place"])
    right = {name: 0 for name in checks}
    strict = 0
    errors = []
    for pi, gi in pairs:
        p, g = pred.loc[pi], gold.loc[gi]
        verdict = {name: bool(fn(p, g)) for name, fn in checks.items()}
        for name, ok in verdict.items():
            right[name] += ok
        strict += all(verdict[a] for a in STRICT)
        wrong = [n for n, ok in verdict.items() if not ok]
        if wrong:
            errors.append(_error("wrong", g, p, wrong))
    matched_p = {pi for pi, _ in pairs}
    matched_g = {gi for _, gi in pairs}
    errors += [_error("missed", gold.loc[gi], None, []) for gi in gold.index if gi not in matched_g]
    errors += [_error("spurious", None, pred.loc[pi], []) for pi in pred.index if pi not in matched_p]
    n = len(pairs)
    metrics = {
        "n_gold": len(gold),
        "n_predicted": len(pred),
        "n_matched": n,
        "detection": prf(n, len(pred), len(gold)),
        "strict": prf(strict, len(pred), len(gold)),
        "accuracy": {name: round(right[name] / n, 4) if n else 0.0 for name in checks},
    }
    return metrics, errors


def _error(kind: str, g, p, wrong: list[str]) -> dict:
    src = g if g is not None else p
    return {
        "kind": kind,
        "doc_id": src["doc_id"],
        "gold_text": None if g is None else g["quantity_text"],
        "gold": None if g is None else f"{g['outcome']}/{g['group']}/{g['value_low']}-{g['value_high']}/{g['scope']}",
        "predicted_text": None if p is None else p["quantity_text"],
        "predicted": None
        if p is None
        else f"{p['outcome']}/{p['group']}/{p['value_low']}-{p['value_high']}/{p['scope']}",
        "wrong": ",".join(wrong),
        "start": int(src["start"]),
        "rule": None if p is None else p["rule"],
    }


def source_checker(sources: pd.DataFrame) -> Callable[[pd.Series, pd.Series], bool]:
    """Compare a gold source string with the predicted source row (attribution.source_matches)."""
    from analysis.extract.attribution import Speaker, source_matches

    speakers = {
        r.source_id: Speaker(
            r.source_id,
            r.name,
            tuple(r.aliases.split(" | ")),
            r.title,
            r.affiliation,
            r.kind,
            bool(r.is_anonymous),
            bool(r.is_institution),
        )  # fmt: skip
        for r in sources.itertuples()
    }

    def ok(p, g) -> bool:
        if pd.isna(g["source"]) or g["source"] == "":
            return pd.isna(p["source_id"])
        return not pd.isna(p["source_id"]) and source_matches(g["source"], speakers[p["source_id"]])

    return ok
