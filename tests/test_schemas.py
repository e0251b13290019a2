"""Every model rejects a broken copy of its committed table; keys across tables, gold and metrics files too."""

from __future__ import annotations

import copy
import filecmp
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analysis import config, io
from analysis.evaluation.scoring import load_gold
from analysis.schemas import REFERENCES, TABLES, ClaimsGold, ExtractionMetrics, TimesMetrics

P = config.load()
PROCESSED = P.processed_dir


def good(name: str) -> pd.DataFrame:
    """The committed table, checked to validate so that a failure below is the break's doing."""
    df = io.read_table(PROCESSED / f"{name}.parquet")
    if name == "toll_parts" and len(df) == 1:  # the seeds hold one part: a second, renamed, to break against
        df = pd.concat([df, df.assign(claim_id=df["claim_id"] + "-copy")], ignore_index=True)
    assert len(df) >= 2, f"{name}: too few rows to break"
    io.validate(df, TABLES[name], name)
    return df


def rejected(df: pd.DataFrame, name: str, *words: str) -> str:
    """Validate a broken frame, expecting a TableError whose message has every word (column, check)."""
    with pytest.raises(io.TableError) as exc:
        io.validate(df, TABLES[name], name)
    message = str(exc.value)
    for word in words:
        assert word in message, f"{word!r} not in:\n{message}"
    return message


def _first_string_column(name: str) -> str:
    return next(c for c, col in TABLES[name].to_schema().columns.items() if "string" in str(col.dtype))


# --- every model: strict columns, string types through io.frame, and frame() keeps good tables as they are ---


@pytest.mark.parametrize("name", list(TABLES))
def test_frame_rebuilds_the_committed_table_unchanged(name):
    df = good(name)
    got = io.frame(df.to_dict("records"), TABLES[name])
    assert got.equals(df) and got.dtypes.equals(df.dtypes)


@pytest.mark.parametrize("name", list(TABLES))
def test_unknown_column_is_rejected(name):
    df = good(name).assign(unexpected=1)
    rejected(df, name, "column_in_schema", "unexpected")


@pytest.mark.parametrize("name", list(TABLES))
def test_columns_out_of_order_are_rejected(name):
    df = good(name)
    rejected(df[df.columns[::-1]], name, "column_ordered")


@pytest.mark.parametrize("name", list(TABLES))
@pytest.mark.parametrize("bad", [12, ["a", "b"]], ids=["int", "list"])
def test_wrong_type_in_a_string_column_fails_through_frame(name, bad):
    col = _first_string_column(name)
    records = good(name).to_dict("records")
    records[1][col] = bad
    df = io.frame(records, TABLES[name])
    assert df[col][1] == bad  # kept as it is, not turned into a string
    rejected(df, name, col, "dtype")


def test_frame_turns_strings_and_nulls_into_the_str_dtype():
    records = good("sources").to_dict("records")
    records[0]["title"], records[1]["title"] = None, float("nan")
    df = io.frame(records, TABLES["sources"])
    assert str(df["title"].dtype) == "str" and df["title"][:2].isna().all()
    io.validate(df, TABLES["sources"], "sources")


# --- model-specific breaks ---------------------------------------------------------------------------------------


def _set(df: pd.DataFrame, col: str, value, row: int = 1) -> pd.DataFrame:
    df = df.copy()
    df.loc[row, col] = value
    return df


def _duplicate_first_row(df: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([df, df.iloc[[0]]], ignore_index=True)


def _swap_span(df: pd.DataFrame, lo: str, hi: str) -> pd.DataFrame:
    df = df.copy()
    df.loc[1, [lo, hi]] = df.loc[1, [hi, lo]].to_numpy()
    return df


def _as_of_after_high(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    row = df.index[df["as_of_high"].notna()][0]
    df.loc[row, "as_of"] = df.loc[row, "as_of_high"] + pd.Timedelta(hours=1)
    return df


def _as_of_before_low(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    row = df.index[df["as_of_low"].notna()][0]
    df.loc[row, "as_of"] = df.loc[row, "as_of_low"] - pd.Timedelta(minutes=1)
    return df


def _ends_before_starts(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    row = df.index[df["starts_at"].notna()][0]
    df.loc[row, "ends_at"] = df.loc[row, "starts_at"] - pd.Timedelta(hours=1)
    return df


def _zone(col: str, zone: str | None) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def apply(df: pd.DataFrame) -> pd.DataFrame:
        s = df[col].dt.tz_convert(zone) if zone else df[col].dt.tz_localize(None)
        return df.assign(**{col: s})

    return apply


def _estimate_above_highest(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    row = df.index[df["highest_figure"].notna()][0]
    df.loc[row, "conservative_estimate"] = df.loc[row, "highest_figure"] + 1
    return df


def _repeat_figure(df: pd.DataFrame) -> pd.DataFrame:
    # the same figure twice in a document, under a new id (so only distinct_per_document can catch it)
    df = _duplicate_first_row(df)
    df.loc[len(df) - 1, "figure_id"] = "copy:0"
    return df


BREAKS = {
    "documents": [
        ("duplicate doc_id", lambda df: _set(df, "doc_id", df.loc[0, "doc_id"]), ["doc_id", "field_uniqueness"]),
        ("sha256 not hex", lambda df: _set(df, "sha256", "XYZ"), ["sha256", "str_matches"]),
        ("zero characters", lambda df: _set(df, "n_chars", 0), ["n_chars", "greater_than_or_equal_to"]),
        ("bad span list", lambda df: _set(df, "furniture_spans", "1-2"), ["furniture_spans", "str_matches"]),
    ],
    "furniture": [
        ("duplicate id", lambda df: _set(df, "furniture_id", df.loc[0, "furniture_id"]), ["furniture_id"]),
        ("unknown kind", lambda df: _set(df, "kind", "footer"), ["kind", "isin", "footer"]),
        ("end before start", lambda df: _swap_span(df, "start", "end"), ["span_ordered"]),
    ],
    "times": [
        ("duplicate time_id", lambda df: _set(df, "time_id", df.loc[0, "time_id"]), ["time_id", "field_uniqueness"]),
        ("unknown TIMEX3 type", lambda df: _set(df, "timex_type", "WEEK"), ["timex_type", "isin"]),
        ("ends before it starts", _ends_before_starts, ["interval_ordered"]),
        ("local, not UTC", _zone("starts_at", "Asia/Karachi"), ["starts_at", "dtype", "Asia/Karachi"]),
        ("naive timestamp", _zone("ends_at", None), ["ends_at", "dtype"]),
    ],
    "claims": [
        ("duplicate claim_id", lambda df: _set(df, "claim_id", df.loc[0, "claim_id"]), ["claim_id"]),
        ("unknown outcome", lambda df: _set(df, "outcome", "wounded"), ["outcome", "isin", "wounded"]),
        ("unknown scope", lambda df: _set(df, "scope", "global"), ["scope", "isin"]),
        ("negative count", lambda df: _set(df, "value_low", -1), ["value_low", "greater_than_or_equal_to"]),
        ("low above high", lambda df: _set(df, "value_low", df["value_high"].max() + 1), ["bounds_ordered"]),
        ("as_of after as_of_high", _as_of_after_high, ["as_of_within_bounds"]),
        ("as_of before as_of_low", _as_of_before_low, ["as_of_within_bounds"]),
        ("as_of not UTC", _zone("as_of", "Asia/Karachi"), ["as_of", "dtype"]),
    ],
    "sources": [
        ("duplicate source_id", lambda df: _set(df, "source_id", df.loc[0, "source_id"]), ["source_id"]),
        ("source_id not a slug", lambda df: _set(df, "source_id", "Army Chief"), ["source_id", "str_matches"]),
        ("negative count", lambda df: _set(df, "n_claims", -1), ["n_claims", "greater_than_or_equal_to"]),
        ("unknown kind", lambda df: _set(df, "kind", "celebrity"), ["kind", "isin"]),
    ],
    "toll_timeline": [
        ("duplicate figure_id", lambda df: _set(df, "figure_id", df.loc[0, "figure_id"]), ["figure_id"]),
        ("repeated figure", _repeat_figure, ["distinct_per_document"]),
        ("no mentions", lambda df: _set(df, "n_mentions", 0), ["n_mentions", "greater_than_or_equal_to"]),
        ("local time without offset", lambda df: _set(df, "as_of_local", "2007-07-10T04:00"), ["as_of_local"]),
        ("unknown group", lambda df: _set(df, "group", "police"), ["group", "isin"]),
        ("as_of naive", _zone("as_of", None), ["as_of", "dtype"]),
    ],
    "toll_consensus": [
        ("duplicate hour/outcome/group", _duplicate_first_row, ["hour", "multiple_fields_uniqueness"]),
        ("no outlets", lambda df: _set(df, "n_outlets", 0), ["n_outlets", "greater_than_or_equal_to"]),
        ("estimate above the highest figure", _estimate_above_highest, ["estimate_within_range"]),
        ("negative figure", lambda df: _set(df, "lowest_figure", -3), ["lowest_figure", "greater_than_or_equal_to"]),
        ("hour not UTC", _zone("hour", "Asia/Karachi"), ["hour", "dtype"]),
    ],
    "toll_parts": [
        ("duplicate claim_id", lambda df: _set(df, "claim_id", df.loc[0, "claim_id"]), ["claim_id"]),
        ("unknown outcome", lambda df: _set(df, "outcome", "missing"), ["outcome", "isin"]),
        ("whole without part_of", lambda df: _set(df, "part_of", None), ["whole_figure_text"]),
        ("as_of naive", _zone("as_of", None), ["as_of", "dtype"]),
    ],
}
CASES = [
    pytest.param(name, fn, words, id=f"{name}: {label}") for name, cases in BREAKS.items() for label, fn, words in cases
]


def test_every_model_has_breaks():
    assert set(BREAKS) == set(TABLES)


@pytest.mark.parametrize(("name", "breaker", "words"), CASES)
def test_model_rejects_a_broken_table(name, breaker, words):
    df = good(name)
    broken = breaker(df)
    assert not broken.equals(df), "the break changed nothing"
    rejected(broken, name, *words)


# --- keys across tables -------------------------------------------------------------------------------------------


def test_committed_tables_keep_every_declared_key():
    assert io.check_references_on_disk(PROCESSED) == list(REFERENCES)


def _break_key(folder: Path, table: str, column: str) -> str:
    path = folder / f"{table}.parquet"
    df = pd.read_parquet(path)
    df.loc[0, column] = "no-such-key"
    df.to_parquet(path, index=False)
    return "no-such-key"


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda r: f"{r.table}.{r.column}")
def test_a_dangling_key_on_disk_is_named(tmp_path, ref):
    folder = tmp_path / "processed"
    shutil.copytree(PROCESSED, folder)
    value = _break_key(folder, ref.table, ref.column)
    with pytest.raises(io.TableError) as exc:
        io.check_references_on_disk(folder)
    line = next(x for x in str(exc.value).splitlines() if f"column {ref.column!r}" in x and ref.table in x)
    assert f"{ref.target}.{ref.target_column}" in line and repr(value) in line


def test_keys_to_absent_tables_are_not_checked(tmp_path):
    folder = tmp_path / "processed"
    folder.mkdir()
    shutil.copy(PROCESSED / "claims.parquet", folder)
    shutil.copy(PROCESSED / "times.parquet", folder)
    checked = [(r.table, r.column) for r in io.check_references_on_disk(folder)]
    assert checked == [("claims", "time_id"), ("claims", "part_of")]  # the self-key needs only claims


def test_at_most_five_dangling_values_are_listed():
    claims = pd.DataFrame({"doc_id": [f"d{i}" for i in range(7)], "claim_id": "c", "part_of": None})
    documents = pd.DataFrame({"doc_id": ["x"]})
    with pytest.raises(io.TableError, match=r"table 'claims', column 'doc_id': 7 value\(s\)") as exc:
        io.check_references({"claims": claims, "documents": documents})
    assert "'d4', ..." in str(exc.value) and "'d5'" not in str(exc.value)


def _claims_outputs(out: Path, claims: pd.DataFrame) -> dict:
    from analysis.schemas import Claims, Sources

    return {out / "claims.parquet": (claims, Claims), out / "sources.parquet": (good("sources"), Sources)}


def test_write_tables_checks_keys_into_upstream_tables(tmp_path):
    upstream = {"documents": PROCESSED / "documents.parquet", "times": good("times")}
    io.write_tables(_claims_outputs(tmp_path, good("claims")), upstream=upstream)
    assert filecmp.cmp(tmp_path / "claims.parquet", PROCESSED / "claims.parquet", shallow=False)
    bad = tmp_path / "bad"
    with pytest.raises(io.TableError, match="table 'claims', column 'doc_id'"):
        io.write_tables(_claims_outputs(bad, _set(good("claims"), "doc_id", "ghost")), upstream=upstream)
    assert not bad.exists() or not any(bad.iterdir())  # nothing written


def test_write_tables_checks_keys_between_its_own_outputs(tmp_path):
    with pytest.raises(io.TableError, match="table 'claims', column 'source_id'"):
        io.write_tables(_claims_outputs(tmp_path, _set(good("claims"), "source_id", "ghost")))
    assert not any(tmp_path.iterdir())


# --- gold annotations -------------------------------------------------------------------------------------------


def _gold_copy(tmp_path: Path, mutate: Callable[[pd.DataFrame], pd.DataFrame]) -> Path:
    raw = pd.read_csv(P.annotations, dtype=str, keep_default_na=False)
    path = tmp_path / "claims_gold.csv"
    mutate(raw).to_csv(path, index=False)
    return path


def test_committed_gold_validates():
    gold = load_gold(P.annotations)
    ClaimsGold.validate(gold)
    assert len(gold) >= 70


def test_gold_copy_unchanged_loads(tmp_path):
    assert load_gold(_gold_copy(tmp_path, lambda g: g)).equals(load_gold(P.annotations))


def test_gold_may_carry_the_optional_columns(tmp_path):
    extra = {"role": "", "part_of_start": "", "subset_text": "", "place": "Islamabad"}
    gold = load_gold(_gold_copy(tmp_path, lambda g: g.assign(**extra)))
    assert str(gold["part_of_start"].dtype) == "Int64" and gold["place"].eq("Islamabad").all()


def _gold_set(col: str, value: str, row: int = 1):
    def apply(g: pd.DataFrame) -> pd.DataFrame:
        g = g.copy()
        g.loc[row, col] = value
        return g

    return apply


def _gold_swap(a: str, b: str):
    def apply(g: pd.DataFrame) -> pd.DataFrame:
        g = g.copy()
        g.loc[1, [a, b]] = g.loc[1, [b, a]].to_numpy()
        return g

    return apply


GOLD_BREAKS = [
    ("duplicate key", lambda g: pd.concat([g, g.iloc[[0]]], ignore_index=True), ["multiple_fields_uniqueness"]),
    ("unknown outcome", _gold_set("outcome", "wounded"), ["outcome", "isin"]),
    ("unknown qualifier", _gold_set("qualifier", "roughly"), ["qualifier", "isin"]),
    ("unknown group", _gold_set("group", "police"), ["group", "isin"]),
    ("unknown scope", _gold_set("scope", "global"), ["scope", "isin"]),
    ("end before start", _gold_swap("start", "end"), ["span_ordered"]),
    ("window reversed", _gold_swap("as_of_from", "as_of_to"), ["window_ordered"]),
    ("negative count", _gold_set("value_low", "-2"), ["value_low", "greater_than_or_equal_to"]),
    ("low above high", _gold_set("value_low", "999999999", row=0), ["bounds_ordered"]),
    ("empty quantity_text", _gold_set("quantity_text", ""), ["quantity_text"]),
    ("missing window", _gold_set("as_of_to", ""), ["as_of_to"]),
    ("start not a number", _gold_set("start", "x"), ["start", "dtype"]),
    ("unknown column", lambda g: g.assign(comment="x"), ["column_in_schema", "comment"]),
    ("time not a time", _gold_set("as_of_from", "Friday"), ["as_of_from"]),
    ("missing column", lambda g: g.drop(columns=["scope"]), ["missing column", "scope"]),
]


@pytest.mark.parametrize(("mutate", "words"), [pytest.param(m, w, id=label) for label, m, w in GOLD_BREAKS])
def test_bad_gold_is_rejected_naming_the_file(tmp_path, mutate, words):
    path = _gold_copy(tmp_path, mutate)
    with pytest.raises(io.InputError) as exc:
        load_gold(path)
    message = str(exc.value)
    for word in [str(path), *words]:
        assert word in message, f"{word!r} not in:\n{message}"


def test_gold_errors_point_at_the_csv_line(tmp_path):
    # data row 1 is line 3 of the file (line 1 is the header)
    with pytest.raises(io.InputError) as exc:
        load_gold(_gold_copy(tmp_path, _gold_swap("start", "end")))
    assert re.search(r"\bstart\s+span_ordered\s+3\s", str(exc.value)), str(exc.value)


# --- metrics files ----------------------------------------------------------------------------------------------

METRICS = [("extraction.json", ExtractionMetrics), ("times.json", TimesMetrics)]


def _metrics(file: str) -> dict:
    return json.loads((P.metrics_dir / file).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("file", "model"), METRICS)
def test_committed_metrics_validate_and_rewrite_byte_identical(tmp_path, file, model):
    io.write_json(tmp_path / file, _metrics(file), model)
    assert (tmp_path / file).read_bytes() == (P.metrics_dir / file).read_bytes()


def _score_too_high(m: dict) -> dict:
    block = m["seeds"] if "seeds" in m else m["corpus"]
    (block["detection"] if "detection" in block else block["relaxed"])["f1"] = 1.5
    return m


def _drop_count(m: dict) -> dict:
    block = m["seeds"] if "seeds" in m else m["corpus"]["counts"]
    del block["n_gold" if "n_gold" in block else "gold"]
    return m


def _negative_count(m: dict) -> dict:
    block = m["seeds"] if "seeds" in m else m["corpus"]["counts"]
    block["n_gold" if "n_gold" in block else "gold"] = -1
    return m


def _wrong_type(m: dict) -> dict:
    m["timebank" if "timebank" in m else "corpus"]["n_documents" if "timebank" in m else "type_accuracy"] = "0.9"
    return m


def _extra_key(m: dict) -> dict:
    m["unexpected"] = 1
    return m


MUTATIONS = [
    ("score 1.5", _score_too_high, ["f1", "less than or equal to 1"]),
    ("missing key", _drop_count, ["gold", "Field required"]),
    ("negative count", _negative_count, ["gold", "greater than or equal to 0"]),
    ("wrong type", _wrong_type, ["valid"]),
    ("extra key", _extra_key, ["unexpected", "Extra inputs are not permitted"]),
]


@pytest.mark.parametrize(("file", "model"), METRICS)
@pytest.mark.parametrize(("mutate", "words"), [pytest.param(m, w, id=label) for label, m, w in MUTATIONS])
def test_mutated_metrics_fail_and_are_not_written(tmp_path, file, model, mutate, words):
    data = mutate(copy.deepcopy(_metrics(file)))
    with pytest.raises(io.TableError) as exc:
        io.write_json(tmp_path / file, data, model)
    for word in [file, *words]:
        assert word in str(exc.value), f"{word!r} not in:\n{exc.value}"
    assert not (tmp_path / file).exists()


def test_skipped_evaluations_validate():
    seeds = _metrics("extraction.json")["seeds"]
    io.check_json({"seeds": seeds, "timebank": {"skipped": "gold has no TimeBank rows"}}, ExtractionMetrics, "e")
    with pytest.raises(io.TableError):  # the tagger's evaluation is never skipped: TimeBank is in the repository
        io.check_json({"skipped": "TimeBank corpus not found at x"}, TimesMetrics, "t")
    with pytest.raises(io.TableError):
        io.check_json({"seeds": seeds, "timebank": {"skipped": 1}}, ExtractionMetrics, "e")


def test_a_part_must_point_at_a_claim_of_the_table():
    claims = good("claims").copy()
    claims.loc[0, ["role", "subset_text", "part_of"]] = ["part", "Britons", "nowhere:1"]
    with pytest.raises(io.TableError, match=r"table 'claims', column 'part_of': 1 value\(s\) not in claims.claim_id"):
        io.check_references({"claims": claims})
