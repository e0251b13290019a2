"""What a run guarantees: one consistent set of tables or none, one run per out folder, no leftovers."""

from __future__ import annotations

import os
import shutil
import stat
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

    monkeypatch.setattr(engine, "assemble", boom)  # after every document was read, before any table is written
    assert main(["extract", "--out-dir", str(out)]) == 2
    assert _snapshot(out) == before  # documents and times of the failed run never replaced the old ones
    assert not [p for p in out.iterdir() if p.name.startswith(io.STAGING_PREFIX) or p.name.endswith(io.TEMP_SUFFIX)]


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
