"""exports/claims.csv and exports/toll_series.csv: tidy CSVs in ACLED/UCDP's shape, from the bundled tables."""

from __future__ import annotations

import io as stdio
import os
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import config, io
from analysis.columns import hours_since_2dp
from analysis.schemas import EXPORTS, ClaimsExport, TollSeriesExport
from analysis.stages import exports

P = config.load()
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built() -> dict[str, pd.DataFrame]:
    return exports.build_exports(P.processed_dir, P.event)


def row(df: pd.DataFrame, key: str, value: str) -> pd.Series:
    (found,) = df.index[df[key] == value]
    return df.loc[found]


def test_one_row_per_claim_and_per_distinct_figure(built):
    assert len(built["claims.csv"]) == len(io.read_table(P.processed_dir / "claims.parquet")) == 42
    assert len(built["toll_series.csv"]) == len(io.read_table(P.processed_dir / "toll_timeline.parquet")) == 41
    assert list(built["claims.csv"].columns) == list(ClaimsExport.to_schema().columns)
    assert list(built["toll_series.csv"].columns) == list(TollSeriesExport.to_schema().columns)


def test_afp_lead_figure_reads_as_an_analyst_expects(built):
    r = row(built["toll_series.csv"], "figure_id", "002_786e792f34019fa1:196")
    assert r["event"] == P.event.name
    assert (r["outlet"], r["agency"], r["series"], r["scope"]) == (
        "Agence France-Presse",
        "AFP",
        "killed militants",
        "event",
    )
    assert pd.isna(r["source"]) and pd.isna(r["place"])  # AFP's own voice, the whole event
    assert (r["value_low"], r["value_best"], r["value_high"], r["qualifier"]) == (20, 20, 20, "exact")
    assert (r["as_of_local"], r["as_of_utc"]) == ("2007-07-10T07:00+05:00", "2007-07-10T02:00Z")
    assert (r["as_of_low_utc"], r["as_of_high_utc"]) == ("2007-07-10T02:00Z", "2007-07-10T19:00Z")
    assert r["hours_since_event_start"] == 3.0 and r["published_on"] == "2007-07-10"
    assert "leaving 20 rebels and three troops dead" in r["sentence"]


def test_credited_source_and_its_kind(built):
    r = row(built["toll_series.csv"], "figure_id", "003_b6bca6c20c28e29c:1609")  # IANS: about 50 militants
    assert (r["source"], r["source_kind"], r["figure_text"]) == ("Waheed Arshad", "military", "about 50")


@pytest.mark.parametrize(
    ("claim_id", "low", "best", "high"),
    [
        ("000_6c29411ee84dcfa5:2187", 12, 12, None),  # at least 12: open-ended, best is the lower bound
        ("001_44019b8f78dfa651:2781", None, 2000, 2000),  # at most 2,000: best is the upper bound
        ("001_44019b8f78dfa651:1", 24, 24, 99),  # 'Dozens': the vague word's lowest reading
        ("004_14a8191fc3539fc6:5915", None, None, None),  # a vague word with no number at all
    ],
)
def test_value_best_is_the_most_conservative_stated_number(built, claim_id, low, best, high):
    r = row(built["claims.csv"], "claim_id", claim_id)
    assert [None if pd.isna(v) else int(v) for v in (r["value_low"], r["value_best"], r["value_high"])] == [
        low,
        best,
        high,
    ]


def test_parts_are_claims_but_never_series_figures(built):
    part = row(built["claims.csv"], "claim_id", "002_786e792f34019fa1:3061")
    assert (part["role"], part["subset_text"], part["part_of"]) == ("part", "Chinese", "002_786e792f34019fa1:2995")
    assert "002_786e792f34019fa1:3061" not in set(built["toll_series.csv"]["figure_id"])


def test_a_wrong_best_value_fails_the_schema(built):
    broken = built["toll_series.csv"].copy()
    broken.loc[0, "value_best"] = 99
    with pytest.raises(io.TableError, match="best_is_the_conservative_bound"):
        io.validate(broken, TollSeriesExport, "toll_series")


def test_a_newline_in_a_sentence_never_reaches_a_csv_row():
    sentences = pl.DataFrame({"s": ["Forty were\n killed,\nofficials said.", "Two\r\n  died."]})
    assert sentences.select(exports.one_line(pl.col("s")))["s"].to_list() == [
        "Forty were killed, officials said.",
        "Two died.",
    ]


def test_written_csvs_read_back_the_same_and_are_byte_stable(tmp_path, built):
    first = exports.write_exports(P.processed_dir, tmp_path / "a", P.event)
    second = exports.write_exports(P.processed_dir, tmp_path / "b", P.event)
    assert [p.name for p in first] == ["claims.csv", "toll_series.csv"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    back = pd.read_csv(first[1], dtype=str, keep_default_na=False)
    assert back.loc[back["figure_id"] == "002_786e792f34019fa1:196", "as_of_utc"].item() == "2007-07-10T02:00Z"
    assert b"\r" not in first[0].read_bytes()
    assert len(back) == len(built["toll_series.csv"])


def test_exports_honour_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        paths = exports.write_exports(P.processed_dir, tmp_path / "exports", P.event)
    finally:
        os.umask(old)
    assert {oct(p.stat().st_mode & 0o777) for p in paths} == {oct(0o640)}


def test_tables_of_two_runs_are_refused_and_nothing_is_written(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    for name in exports.INPUTS:
        table = pq.read_table(P.processed_dir / f"{name}.parquet")
        if name == "toll_timeline":  # stamped by another corpus
            table = table.replace_schema_metadata({**table.schema.metadata, io.CORPUS_KEY: b"0000000000000000"})
        pq.write_table(table, processed / f"{name}.parquet")
    with pytest.raises(io.InputError, match="different runs"):
        exports.write_exports(processed, tmp_path / "exports", P.event)
    assert not (tmp_path / "exports").exists()


def test_all_files_land_or_none(tmp_path):
    (tmp_path / "blocked").write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(OSError):
        io.write_texts({tmp_path / "ok" / "a.csv": "x\n", tmp_path / "blocked" / "b.csv": "y\n"})
    assert not (tmp_path / "ok" / "a.csv").exists() and list((tmp_path / "ok").iterdir()) == []


def test_every_export_field_is_described():
    for name, model in EXPORTS.items():
        assert model.__doc__ and f"exports/{name}" in model.__doc__
        for column, field in model.to_schema().columns.items():
            assert field.description, f"{name}.{column} has no description"


def test_readme_data_dictionary_documents_the_exports():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, model in EXPORTS.items():
        assert f"### `exports/{name}`" in readme
        section = readme.split(f"### `exports/{name}`", 1)[1].split("### ", 1)[0]
        for column in model.to_schema().columns:
            assert f"| `{column}` |" in section, f"{name}.{column} missing from the README"


def test_committed_exports_are_current(built):
    for name, df in built.items():
        path = ROOT / "data" / "exports" / name
        assert path.read_bytes() == exports.csv_text(df).encode("utf-8"), f"{path}: run `dvc repro exports`"


def test_csv_text_is_plain_comma_separated_utf8():
    df = pd.DataFrame({"a": ["x, y", None], "b": pd.array([1, None], dtype="Int64")})
    assert exports.csv_text(df) == 'a,b\n"x, y",1\n,\n'
    assert pd.read_csv(stdio.StringIO(exports.csv_text(df)))["b"].isna().tolist() == [False, True]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**7), max_value=10**7))
def test_hours_since_to_two_decimals_is_pythons_round(seconds):
    # the exports' hours since the start: the minute (half to even), then two decimals, as Python rounds them
    start = pd.Timestamp("2007-07-10T04:00", tz="Asia/Karachi")
    moment = start + pd.Timedelta(seconds=seconds)
    got = pl.DataFrame({"t": [moment.tz_convert("UTC")]}).select(hours_since_2dp(pl.col("t"), start)).item()
    assert got == round(round(seconds / 60) / 60, 2)
