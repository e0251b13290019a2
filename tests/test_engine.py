"""The extract engine writes the same tables as the ingest, times and claims stages, for any number of workers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis import config
from analysis.cli import main
from analysis.stages import extract as engine

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("documents", "furniture", "times", "claims", "sources")
UNSEEN = ROOT / "data" / "annotations" / "unseen" / "raw"
# the unseen set's events span 2004-2008: a window and zone of one of them, so every scope rule is exercised
UNSEEN_EVENT = ["--timezone", "Europe/Madrid", "--event-start", "2004-03-11T07:30", "--event-end", "2004-03-12T00:00"]


def _same(a: Path, b: Path) -> list[str]:
    """Names of the tables whose bytes differ between two folders (every table must exist in both)."""
    return [t for t in TABLES if (a / f"{t}.parquet").read_bytes() != (b / f"{t}.parquet").read_bytes()]


def test_engine_equals_the_stages_on_the_bundled_case_with_two_workers_and_many_batches(tmp_path):
    p = config.load()
    summary = engine.run(
        p.raw_dir, tmp_path, p.manifest_name, p.furniture, p.event, p.place_of, workers=2, batch_bytes=1
    )
    assert summary.documents == 5 and summary.claims > 30
    assert _same(tmp_path, p.processed_dir) == []


def test_extract_equals_the_three_stages_on_articles_of_other_events(tmp_path):
    staged, fused = tmp_path / "staged", tmp_path / "fused"
    for stage in ("ingest", "times", "claims"):
        extra = UNSEEN_EVENT if stage == "claims" else UNSEEN_EVENT[:2]
        assert main([stage, "--raw-dir", str(UNSEEN), "--out-dir", str(staged), *extra]) == 0
    assert main(["extract", "--raw-dir", str(UNSEEN), "--out-dir", str(fused), "--workers", "2", *UNSEEN_EVENT]) == 0
    assert _same(staged, fused) == []


@pytest.mark.parametrize("batch_bytes", [1, 5_000, 10**9])
def test_batching_does_not_change_the_tables(tmp_path, batch_bytes):
    p = config.load()
    out = tmp_path / str(batch_bytes)
    engine.run(UNSEEN, out, "manifest.csv", p.furniture, p.event, (), workers=1, batch_bytes=batch_bytes)
    one = tmp_path / "one"
    engine.run(UNSEEN, one, "manifest.csv", p.furniture, p.event, (), workers=2, batch_bytes=3_000)
    assert _same(out, one) == []


def _contents(folder: Path) -> dict[str, pd.DataFrame]:
    return {t: pd.read_parquet(folder / f"{t}.parquet") for t in TABLES}


def _groups(folder: Path, table: str) -> int:
    return pq.ParquetFile(folder / f"{table}.parquet").metadata.num_row_groups


def test_small_row_groups_hold_the_tables_of_one_group_whatever_the_workers(tmp_path):
    p = config.load()
    one = tmp_path / "one"
    engine.run(UNSEEN, one, "manifest.csv", p.furniture, p.event, (), workers=1, batch_bytes=10**9)
    many = {w: tmp_path / f"many-{w}" for w in (1, 2)}
    for w, out in many.items():  # a batch a document, a row group a batch
        engine.run(UNSEEN, out, "manifest.csv", p.furniture, p.event, (), workers=w, batch_bytes=1, row_group_rows=1)
    assert _groups(one, "times") == 1
    assert _groups(many[1], "documents") == 19 and _groups(many[1], "times") > 10
    assert _same(many[1], many[2]) == []  # row groups follow the batches, never the workers
    whole = _contents(one)
    for name, df in _contents(many[1]).items():
        assert df.equals(whole[name]) and (df.dtypes == whole[name].dtypes).all(), name


def test_a_bad_document_in_a_worker_is_a_clear_error_naming_the_file(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "manifest.csv").write_text(
        "doc_id,file,outlet,agency,published_on,url\n"
        + "".join(f"d{i},d{i}.txt,Outlet,,2007-07-10,\n" for i in range(4)),
        encoding="utf-8",
    )
    for i in range(4):
        (raw / f"d{i}.txt").write_bytes(b"Twenty people were killed on Tuesday.\n" if i != 2 else b"\xff\xfe")
    assert main(["extract", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out"), "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "d2.txt" in err and "UTF-16" in err
    assert not list((tmp_path / "out").glob("*.parquet"))


def test_dask_engine_on_a_local_cluster_writes_the_local_engines_tables(tmp_path):
    p = config.load()
    local, on_dask = tmp_path / "local", tmp_path / "dask"
    assert main(["extract", "--raw-dir", str(UNSEEN), *UNSEEN_EVENT, "--out-dir", str(local), "--workers", "1"]) == 0
    event = config.make_event("Madrid", "Europe/Madrid", "2004-03-11T07:30", "2004-03-12T00:00")
    summary = engine.run(UNSEEN, on_dask, "manifest.csv", p.furniture, event, (), workers=2, batch_bytes=3_000,
                         dask=True)  # fmt: skip
    assert summary.documents == 19
    assert _same(local, on_dask) == []
    # streamed in several row groups as the tasks come back, in the local engine's groups
    grouped, local_grouped = tmp_path / "dask-grouped", tmp_path / "local-grouped"
    for out, dask in ((grouped, True), (local_grouped, False)):
        engine.run(UNSEEN, out, "manifest.csv", p.furniture, event, (), workers=2, batch_bytes=3_000,
                   row_group_rows=50, dask=dask)  # fmt: skip
    assert _groups(grouped, "times") > 1 and _same(grouped, local_grouped) == []
