"""Tables written in row groups as they come (io.StreamedTables) keep write_tables' guarantees; one atomic
writer (io.AtomicFiles); the engine holds a bounded number of batches in flight."""

from __future__ import annotations

import os
import stat
from concurrent.futures import Future
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis import io
from analysis.schemas import Claims, Documents, Furniture, Sources, Times
from analysis.stages import extract as engine

ROOT = Path(__file__).resolve().parent.parent
PROCESSED = ROOT / "data" / "processed"
STREAMED = {"documents": Documents, "furniture": Furniture, "times": Times}
WHOLE = {"claims": Claims, "sources": Sources}


def committed() -> dict[str, pd.DataFrame]:
    return {name: io.read_table(PROCESSED / f"{name}.parquet") for name in (*STREAMED, *WHOLE)}


def stream(out: Path, tables: dict[str, pd.DataFrame], piece: int, row_group_rows: int) -> dict[str, int]:
    """Write the tables, the streamed ones sent in pieces of `piece` rows."""
    with io.StreamedTables(out, STREAMED, row_group_rows) as writer:
        for name in STREAMED:
            df = tables[name]
            for start in range(0, len(df), piece):
                writer.append(name, df.iloc[start : start + piece])
        return writer.finish({name: (tables[name], model) for name, model in WHOLE.items()})


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(("piece", "row_group_rows"), [(1, 1), (3, 7), (10**6, 10**6)])
def test_streamed_tables_equal_the_tables_written_whole(tmp_path, piece, row_group_rows):
    tables = committed()
    counts = stream(tmp_path, tables, piece, row_group_rows)
    assert counts == {name: len(df) for name, df in tables.items()}
    for name, df in tables.items():
        got = io.read_table(tmp_path / f"{name}.parquet")
        assert got.equals(df) and (got.dtypes == df.dtypes).all(), name
        assert got.attrs["corpus"] == df.attrs["corpus"], name  # the fingerprint, from the documents' pieces
    groups = pq.ParquetFile(tmp_path / "times.parquet").metadata.num_row_groups
    group = -(-row_group_rows // piece) * piece  # whole pieces until row_group_rows are waiting
    assert groups == -(-len(tables["times"]) // group)
    assert _files(tmp_path) == sorted(f"{name}.parquet" for name in tables)


def test_one_row_group_gives_the_bytes_of_write_tables(tmp_path):
    stream(tmp_path, committed(), piece=2, row_group_rows=10**6)
    for name in (*STREAMED, *WHOLE):
        assert (tmp_path / f"{name}.parquet").read_bytes() == (PROCESSED / f"{name}.parquet").read_bytes(), name


def _fails(tmp_path: Path, tables: dict[str, pd.DataFrame], match: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(io.TableError, match=match):
        stream(out, tables, piece=2, row_group_rows=2)
    assert _files(out) == []  # no table, no temp file, no spool


def test_a_unique_column_is_unique_across_row_groups(tmp_path):
    tables = committed()
    times = tables["times"]
    tables["times"] = pd.concat([times, times.iloc[[0]]], ignore_index=True)  # the first id again, groups later
    _fails(tmp_path, tables, r"table 'times' failed its schema:\ncolumn 'time_id' is not unique across row groups")


def test_a_row_group_breaking_its_schema_names_its_row_in_the_table(tmp_path):
    tables = committed()
    tables["times"] = tables["times"].copy()
    tables["times"].loc[5, "timex_type"] = "NOPE"
    with pytest.raises(io.TableError, match="table 'times' failed its schema") as err:
        stream(tmp_path / "out", tables, piece=2, row_group_rows=2)
    assert " 5 " in str(err.value) and "NOPE" in str(err.value)  # the row's index in the table, not the group's
    assert _files(tmp_path / "out") == []


def test_keys_from_a_streamed_table_are_checked(tmp_path):
    tables = committed()
    tables["times"] = tables["times"].copy()
    tables["times"].loc[len(tables["times"]) - 1, "doc_id"] = "ghost"
    _fails(tmp_path, tables, r"table 'times', column 'doc_id': 1 value\(s\) not in documents.doc_id: 'ghost'")


def test_keys_from_a_whole_table_into_a_streamed_one_are_checked(tmp_path):
    tables = committed()
    used = tables["claims"]["time_id"].dropna()
    assert len(used)
    tables["times"] = tables["times"][tables["times"]["time_id"] != used.iloc[0]].reset_index(drop=True)
    _fails(tmp_path, tables, rf"table 'claims', column 'time_id': 1 value\(s\) not in times.time_id: '{used.iloc[0]}'")


def test_a_failure_before_finish_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "out"
    stream(out, committed(), piece=2, row_group_rows=2)
    before = {name: (out / name).read_bytes() for name in _files(out)}
    with pytest.raises(RuntimeError), io.StreamedTables(out, STREAMED, 1) as writer:
        writer.append("documents", committed()["documents"])
        raise RuntimeError("the map failed")
    assert {name: (out / name).read_bytes() for name in _files(out)} == before


def test_atomic_files_land_together_honour_the_umask_and_leave_nothing_on_failure(tmp_path):
    old = os.umask(0o027)
    try:
        with io.AtomicFiles() as files:
            for name in ("a", "b"):
                files.temp(tmp_path / name).write_text(name, encoding="utf-8")
            files.scratch(tmp_path / "a").write_text("spool", encoding="utf-8")
    finally:
        os.umask(old)
    assert _files(tmp_path) == ["a", "b"]
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o640
    with pytest.raises(OSError), io.AtomicFiles() as files:
        files.temp(tmp_path / "a").write_text("new", encoding="utf-8")
        files.temp(tmp_path / "c").write_text("new", encoding="utf-8")
        files.temp(tmp_path / "b" / "under-a-file")  # the third cannot be made: none of them lands
    assert _files(tmp_path) == ["a", "b"] and (tmp_path / "a").read_text(encoding="utf-8") == "a"


def test_batches_in_flight_are_bounded_and_come_back_in_order():
    submitted, consumed, most = [], [], [0]

    def submit(batch):
        submitted.append(batch)
        most[0] = max(most[0], len(submitted) - len(consumed))
        future = Future()
        future.set_result(batch)
        return future

    todo = [[i] for i in range(50)]
    for result in engine.in_order(submit, todo, window=4):
        consumed.append(result)
    assert consumed == todo and most[0] == 4


def test_an_early_stop_cancels_the_batches_not_begun():
    futures = []

    def submit(batch):
        futures.append(Future())
        if len(futures) == 1:
            futures[0].set_result(batch)
        return futures[-1]

    results = engine.in_order(submit, [[i] for i in range(10)], window=3)
    assert next(results) == [0]
    results.close()
    assert len(futures) == 3 and all(f.cancelled() for f in futures[1:])
