"""The important cases of scripts/hostile_inputs.py (issue 15): each bad input ends in one line, exit 2 and an
untouched set; a run killed between its final renames is refused by the next stage and repaired by a rerun."""

from __future__ import annotations

import csv
import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import RAW, ROOT

from analysis import io
from analysis.cli import main
from analysis.io import InputError
from analysis.stages import ingest

SET = ("documents", "furniture", "times", "claims", "sources")
DAY = "2007-07-10"  # inside params.yaml's window: the project's own event applies to these corpora


def _seeds(raw: Path, prefixes: tuple[str, ...]) -> Path:
    """A corpus folder of the seeds whose ids start with prefixes, with their manifest rows."""
    raw.mkdir(parents=True)
    rows = [r for r in csv.DictReader((RAW / "manifest.csv").open(encoding="utf-8")) if r["doc_id"][:3] in prefixes]
    for r in rows:
        shutil.copy(RAW / r["file"], raw / r["file"])
    with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["doc_id", "file", "outlet", "published_on"])
        w.writerows([r["doc_id"], r["file"], r["outlet"], r["published_on"]] for r in rows)
    return raw


def _extract(raw: Path, out: Path, *more: str) -> list[str]:
    return ["extract", "--raw-dir", str(raw), "--out-dir", str(out), "--workers", "1", *more]


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """A complete set (seeds 000 and 004: extract, then timeline) for tests to copy and attack."""
    root = tmp_path_factory.mktemp("previous")
    out = root / "out"
    raw = _seeds(root / "raw", ("000", "004"))
    assert main(_extract(raw, out)) == 0
    assert main(["timeline", "--out-dir", str(out)]) == 0
    return out


@pytest.fixture
def out(previous, tmp_path) -> Path:
    dst = tmp_path / "out"
    shutil.copytree(previous, dst)
    return dst


def _tables(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.parquet")) if p.is_file()}


def _one_error(capsys) -> str:
    """stderr holds exactly one line, an error without a traceback; returns it."""
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != io.LOCK_NAME)


# --- a run killed between the final renames of its set ------------------------------------------------------------

KILL_AFTER_RENAMES = textwrap.dedent(
    """
    import os, signal, sys
    from analysis.cli import main
    real, done = os.replace, [0]
    def replace(src, dst, *args, **kwargs):
        if ".staging-" in str(src) and ".staging-" not in str(dst):  # the staged set's final renames
            if done[0] == int(os.environ["KILL_AFTER"]):
                os.kill(os.getpid(), signal.SIGKILL)  # as kill -9 would, between two renames
            done[0] += 1
        return real(src, dst, *args, **kwargs)
    os.replace = replace
    sys.exit(main(sys.argv[1:]))
    """
)


def _killed_after_renames(argv: list[str], after: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TOLLWATCH_PARAMS"}
    env.update(PYTHONPATH=str(ROOT), KILL_AFTER=str(after))
    return subprocess.run([sys.executable, "-c", KILL_AFTER_RENAMES, *argv], env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_a_run_killed_between_its_final_renames_is_refused_then_repaired_by_a_rerun(out, tmp_path, capsys):
    # the same corpus in another zone: the corpus fingerprints agree, only the journal tells the sets apart
    raw = _seeds(tmp_path / "raw", ("000", "004"))
    before = _tables(out)
    done = _killed_after_renames(_extract(raw, out, "--timezone", "UTC"), after=2)
    assert done.returncode == -signal.SIGKILL, done.stderr
    after = _tables(out)
    # renamed in sorted order, killed after claims and documents (the same bytes): new claims, old times
    assert sorted(n for n in after if after[n] != before[n]) == ["claims.parquet"]
    assert io.pending(out) == dict.fromkeys((f"{n}.parquet" for n in SET), io.INTERRUPTED)

    assert main(["timeline", "--out-dir", str(out)]) == 2
    line = _one_error(capsys)
    assert line == (f"error: {out / 'claims.parquet'}: a run was stopped while it replaced the tables of {out}, so "
                    "they may come from two runs: run `extract` again into that folder")  # fmt: skip
    assert _tables(out) == after  # the refusal wrote nothing

    assert main(_extract(raw, out, "--timezone", "UTC")) == 0
    assert io.pending(out) == dict.fromkeys(("toll_consensus.parquet", "toll_parts.parquet", "toll_timeline.parquet"),
                                            io.STALE)  # fmt: skip
    assert _tables(out)["times.parquet"] != after["times.parquet"]  # the old zone's times were what was mixed in
    assert main(["timeline", "--out-dir", str(out)]) == 0
    assert io.pending(out) == {} and _hidden(out) == []
    prints = {io.read_table(out / f"{n}.parquet").attrs["corpus"] for n in (*SET, "toll_timeline")}
    assert len(prints) == 1


def test_a_table_of_an_earlier_set_is_stale_until_its_stage_runs_again(out, tmp_path, capsys):
    raw = _seeds(tmp_path / "raw", ("000", "004"))
    assert main(_extract(raw, out)) == 0  # the same set again: nothing changed, nothing is stale
    assert io.pending(out) == {}
    capsys.readouterr()
    assert main(_extract(raw, out, "--timezone", "UTC")) == 0
    capsys.readouterr()
    assert main(["exports", "--out-dir", str(out), "--exports-dir", str(tmp_path / "exports")]) == 2
    assert f"{out / 'toll_timeline.parquet'}: made from tables a later run replaced" in _one_error(capsys)
    assert not (tmp_path / "exports").exists()


# --- the out folder -----------------------------------------------------------------------------------------------


def test_a_folder_where_a_table_belongs_replaces_nothing(out, tmp_path, capsys):
    (out / "documents.parquet").unlink()
    (out / "documents.parquet").mkdir()
    before = _tables(out)
    assert main(_extract(_seeds(tmp_path / "raw", ("002", "003")), out)) == 2
    assert _one_error(capsys) == f"error: {out / 'documents.parquet'}: a folder where a table belongs (move it away)"
    assert _tables(out) == before and io.pending(out) == {} and _hidden(out) == []


def test_a_read_only_out_folder_is_one_line(out, tmp_path, capsys, monkeypatch):
    # Tests run as root, who writes into a 0555 folder anyway: the kernel's refusal is simulated at the one
    # place a run first writes there (scripts/hostile_inputs.py runs the real thing as an unprivileged user).
    real_open = open

    def read_only(path, *args, **kwargs):
        if Path(path).parent == out:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(io, "open", read_only, raising=False)
    before = _tables(out)
    assert main(_extract(_seeds(tmp_path / "raw", ("002",)), out)) == 2
    assert _one_error(capsys) == f"error: {out}: cannot write there (Permission denied)"
    assert _tables(out) == before


def test_a_full_disk_names_the_table_and_leaves_the_set(out, tmp_path, capsys, monkeypatch):
    real_write = io._write_parquet

    def full(df, path, fingerprint):
        if Path(path).name.startswith(".sources.parquet"):
            raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")  # as pyarrow says
        return real_write(df, path, fingerprint)

    monkeypatch.setattr(io, "_write_parquet", full)
    before = _tables(out)
    assert main(_extract(_seeds(tmp_path / "raw", ("002",)), out)) == 2
    line = _one_error(capsys)
    assert line.startswith(f"error: {out / 'sources.parquet'}: cannot write the table: Error writing bytes")
    assert _tables(out) == before and _hidden(out) == []


# --- tables of two runs, or of an older version -------------------------------------------------------------------


def test_a_table_of_another_corpus_is_refused_before_the_stage_reads_it(out, previous, tmp_path, capsys):
    other = tmp_path / "other"
    assert main(_extract(_seeds(tmp_path / "raw", ("002", "003")), other)) == 0
    shutil.copy(other / "claims.parquet", out / "claims.parquet")
    capsys.readouterr()
    assert main(["timeline", "--out-dir", str(out)]) == 2  # was a polars traceback from inside the stage
    line = _one_error(capsys)
    assert f"{out}: claims.parquet and documents.parquet come from different runs (corpus " in line


def test_a_table_missing_a_column_is_named(out, capsys):
    table = pq.read_table(out / "claims.parquet")
    pq.write_table(table.drop_columns(["scope"]), out / "claims.parquet")  # keeps the stamp: an older version's
    assert main(["timeline", "--out-dir", str(out)]) == 2  # was KeyError: "['scope'] not in index"
    assert _one_error(capsys).startswith(f"error: {out / 'claims.parquet'}: lacks column(s) scope (")


# --- options ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--workers", "0"], "error: extract: argument --workers: a whole number of at least 1 expected, got '0'"),
        (["--workers", "abc"], "error: extract: argument --workers: a whole number of at least 1 expected, got 'abc'"),
        (["--engine", "spark"], "error: extract: argument --engine: invalid choice: 'spark' (choose from 'local', 'dask')"),
        (["--timezone", "Asia/Karachii"],
         "error: --timezone: unknown time zone 'Asia/Karachii' (an IANA name such as 'Asia/Karachi')"),
        (["--timezone", ""], "error: --timezone: unknown time zone '' (an IANA name such as 'Asia/Karachi')"),
        (["--event-start", "yesterday"], "error: --event-start: not an ISO date/time: 'yesterday'"),
        (["--event-end", "2007-07-01"],
         "error: --event-end: event window is empty: start 2007-07-10T04:00:00 is not before end 2007-07-01"),
        (["--place", " "], "error: extract: argument --place: empty"),
        (["--out-dir", ""], "error: extract: argument --out-dir: an empty path"),
        (["--manifest", "../elsewhere.csv"],
         "error: extract: argument --manifest: a file name inside --raw-dir expected, got '../elsewhere.csv'"),
        (["--scheduler", "tcp://127.0.0.1:1"],
         "error: extract: --scheduler is for --engine dask (the local engine has no scheduler)"),
        (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:1"],
         "error: --scheduler tcp://127.0.0.1:1: no Dask scheduler answers there (Connection refused)"),
    ],
)  # fmt: skip
def test_a_bad_option_is_one_line_naming_it_and_writes_nothing(out, options, expected, capsys):
    before = _tables(out)
    assert main(["extract", "--out-dir", str(out), *options]) == 2  # argparse printed 8 lines; some were accepted
    assert _one_error(capsys) == expected
    assert _tables(out) == before


def test_a_params_folder_and_a_broken_params_under_help_are_one_line(tmp_path, capsys, monkeypatch):
    assert main(["timeline", "--params", str(tmp_path)]) == 2
    assert _one_error(capsys) == f"error: {tmp_path}: a folder, not a params file"
    (tmp_path / "p.yaml").write_text("- a list\n", encoding="utf-8")
    monkeypatch.setenv("TOLLWATCH_PARAMS", str(tmp_path / "p.yaml"))
    assert main(["--help"]) == 2
    assert _one_error(capsys) == (f"error: {tmp_path / 'p.yaml'}: expected a mapping with 'paths' and 'event', "
                                  "found list")  # fmt: skip


# --- the manifest and the texts -----------------------------------------------------------------------------------


def _corpus(tmp_path: Path, manifest: bytes, texts: dict[str, bytes]) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "manifest.csv").write_bytes(manifest)
    for name, data in texts.items():
        (raw / name).write_bytes(data)
    return raw


def test_a_record_over_several_lines_is_named_by_its_first(tmp_path):
    raw = _corpus(tmp_path, f'doc_id,file,outlet,published_on\na,a.txt,O,{DAY}\nb,"b\n.txt",O,{DAY}\n'.encode(),
                  {"a.txt": b"Two people died.\n"})  # fmt: skip
    with pytest.raises(InputError, match=r"manifest\.csv, line 3: file 'b\\n\.txt' contains a control character"):
        ingest.read_manifest(raw)


def test_a_nul_in_a_utf8_manifest_is_placed_not_taken_for_utf16(tmp_path):
    raw = _corpus(tmp_path, f"doc_id,file,outlet,published_on\na,a.txt,O\x00,{DAY}\n".encode(), {"a.txt": b"x\n"})
    with pytest.raises(InputError, match=r"manifest\.csv: a NUL byte at offset 41, line 2 \(no text holds one\)"):
        ingest.read_manifest(raw)
    (raw / "manifest.csv").write_bytes(f"doc_id,file,outlet,published_on\na,a.txt,O,{DAY}\n".encode("utf-16-le"))
    with pytest.raises(InputError, match=r"contains NUL bytes \(UTF-16 without a byte-order mark\?\)"):
        ingest.read_manifest(raw)


def test_a_pipe_named_as_an_article_is_refused_not_read(tmp_path):
    raw = _corpus(tmp_path, f"doc_id,file,outlet,published_on\np,p.txt,O,{DAY}\n".encode(), {})
    os.mkfifo(raw / "p.txt")  # reading it would wait for a writer forever
    with pytest.raises(InputError, match=r"line 2: file 'p\.txt' is not a regular file"):
        ingest.read_manifest(raw)


def test_a_manifest_linked_from_outside_the_folder_is_refused(tmp_path):
    raw = _corpus(tmp_path, b"", {"a.txt": b"x\n"})
    (tmp_path / "elsewhere.csv").write_text(f"doc_id,file,outlet,published_on\na,a.txt,O,{DAY}\n", encoding="utf-8")
    (raw / "manifest.csv").unlink()
    (raw / "manifest.csv").symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(InputError, match="elsewhere.csv, outside the corpus folder"):
        ingest.read_manifest(raw)


# --- the harness itself -------------------------------------------------------------------------------------------


def test_the_harness_classifies_its_cases(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TOLLWATCH_PARAMS"}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "hostile_inputs.py"), "--only", "params file: YAML"],
                          capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert "| rejected cleanly | 3 |" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 0
