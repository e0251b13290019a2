"""What a run guarantees: one consistent set of tables or none, one run per out folder, no leftovers."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import io
from analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
SET = ("documents", "furniture", "times", "claims", "sources")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("set")
    assert main(["extract", "--out-dir", str(out)]) == 0
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != io.LOCK_NAME}


def test_every_table_of_a_run_carries_one_corpus_fingerprint(extracted):
    prints = {io.read_table(extracted / f"{name}.parquet").attrs["corpus"] for name in SET}
    assert len(prints) == 1 and None not in prints
    assert sorted(p.name for p in extracted.iterdir() if not p.name.startswith(".")) == sorted(
        f"{n}.parquet" for n in SET
    )


def test_a_failed_extract_leaves_the_previous_set_as_it_was(extracted, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(extracted, out)
    before = _snapshot(out)
    from analysis.stages import extract as engine

    def boom(*args, **kwargs):
        raise io.InputError("claims failed on purpose")

    # after every document was read, before any table is written
    monkeypatch.setattr(engine.Assembly, "tables", boom)
    assert main(["extract", "--out-dir", str(out)]) == 2
    assert _snapshot(out) == before  # documents and times of the failed run never replaced the old ones
    assert not [p for p in out.iterdir() if p.name.startswith(io.STAGING_PREFIX) or p.name.endswith(io.TEMP_SUFFIX)]


def _tables(folder: Path) -> dict[str, bytes]:
    """The files a reader sees (tables and journal): not the lock, nor a killed run's leftovers."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.parquet"))} | {
        p.name: p.read_bytes() for p in folder.glob(io.JOURNAL_NAME)
    }


def _spooled(folder: Path) -> list[str]:
    """The tables with row groups spooled (non-empty scratch files) in folder: '.times.parquet.scratch.x1.tmp'."""
    return sorted(p.name.split(".")[1] for p in folder.glob(".*.parquet.scratch.*") if p.stat().st_size)


def test_a_failure_mid_stream_leaves_the_previous_set_and_no_temp_files(extracted, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(extracted, out)
    before = _snapshot(out)
    from analysis.stages import extract as engine

    real, batches, spooled = engine.extract_document, engine.batches, []

    def fails_on_the_fourth(job, row):
        if row.doc_id.startswith("003"):  # three documents are in row groups of the spooled tables by now
            (stage,) = out.glob(f"{io.STAGING_PREFIX}*")
            spooled.extend(_spooled(stage))
            raise io.InputError("document failed on purpose")
        return real(job, row)

    monkeypatch.setattr(engine, "extract_document", fails_on_the_fourth)
    monkeypatch.setattr(engine, "batches", lambda raw_dir, rows, target_bytes: batches(raw_dir, rows, 1))
    monkeypatch.setattr(io, "ROW_GROUP_ROWS", 1)
    assert main(["extract", "--out-dir", str(out), "--workers", "1"]) == 2
    assert {"documents", "times"} <= set(spooled)
    assert _snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(io.STAGING_PREFIX) or p.name.endswith(io.TEMP_SUFFIX)]


# Runs extract into a staging folder of argv[1] as the CLI does, in row groups of one document, and kills
# itself (SIGKILL: no cleanup runs) when it comes to the fourth document, printing the tables spooled by then.
_KILLED = """
import os, signal, sys
from pathlib import Path
from analysis import config, io
from analysis.stages import extract as engine

def main():
    out, p, real = Path(sys.argv[1]), config.load(), engine.extract_document
    with io.locked(out), io.staged(out) as stage:

        def dies_on_the_fourth(job, row):
            if row.doc_id.startswith("003"):
                spooled = [f.name.split(".")[1] for f in stage.glob(".*.scratch.*") if f.stat().st_size]
                print(*spooled, flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            return real(job, row)

        engine.extract_document = dies_on_the_fourth
        engine.run(p.raw_dir, stage, p.manifest_name, p.furniture, p.event, p.place_of, workers=1, batch_bytes=1,
                   row_group_rows=1)

if __name__ == "__main__":
    main()
"""


def test_a_run_killed_mid_stream_leaves_the_previous_set_readable(extracted, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(extracted, out)
    before = _tables(out)
    done = subprocess.run([sys.executable, "-c", _KILLED, str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    assert {"documents", "times"} <= set(done.stdout.split())  # killed mid-stream, row groups spooled
    assert _tables(out) == before  # the old set, untouched, with no journal entry
    assert [p for p in out.iterdir() if p.name.startswith(io.STAGING_PREFIX)]  # the killed run's leftovers
    with io.locked(out):  # the next run removes them
        pass
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(before)
    for name in SET:
        assert len(io.read_table(out / f"{name}.parquet")) == len(io.read_table(extracted / f"{name}.parquet"))


def test_a_stage_refuses_tables_of_two_runs(extracted, tmp_path, capsys):
    """documents of another corpus beside the times of this one: claims stops with one sentence."""
    out = tmp_path / "out"
    shutil.copytree(extracted, out)
    raw = tmp_path / "raw"
    raw.mkdir()
    (first,) = [p for p in RAW.glob("001_*.txt")]
    shutil.copy(first, raw / first.name)
    manifest = pd.read_csv(RAW / "manifest.csv", dtype=str, keep_default_na=False)
    manifest[manifest["doc_id"] == first.stem].to_csv(raw / "manifest.csv", index=False)
    assert main(["ingest", "--raw-dir", str(raw), "--out-dir", str(out)]) == 0
    assert main(["claims", "--raw-dir", str(raw), "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "come from different runs" in err and err.count("\n") == 1


def test_a_second_run_into_the_same_folder_fails_clearly(tmp_path, capsys):
    out = tmp_path / "out"
    with io.locked(out):
        assert main(["extract", "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "another tollwatch run is writing there (pid" in err
    assert not [p for p in out.iterdir() if p.suffix == ".parquet"]


def test_leftovers_of_a_killed_run_are_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".claims.parquet.abc123.tmp").write_bytes(b"half")
    (out / f"{io.STAGING_PREFIX}xyz").mkdir()
    with io.locked(out):
        pass
    assert sorted(p.name for p in out.iterdir()) == [io.LOCK_NAME]


@pytest.mark.parametrize("below", ["", "sub"])
def test_an_out_path_that_is_a_file_is_one_line(tmp_path, capsys, below):
    # (a read-only folder: tests/test_hostile_inputs.py, as root cannot meet one for real)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    out = blocker / below if below else blocker
    assert main(["extract", "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out}") and err.count("\n") == 1 and "Traceback" not in err
    if not below:
        assert err == f"error: {out}: a file, not a folder (the tables go into a folder)\n"


def test_tables_honour_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        assert main(["ingest", "--out-dir", str(tmp_path / "out")]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out" / "documents.parquet").stat().st_mode) == 0o644
