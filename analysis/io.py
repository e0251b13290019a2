"""Validated, atomic writes of tables: all outputs of a stage land together or not at all."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import pandera.pandas as pa
import pyarrow
import pyarrow.ipc
import pyarrow.parquet
import pydantic
from pandera.engines import pandas_engine

from analysis.schemas import REFERENCES, TABLES, ForeignKey


class InputError(ValueError):
    """A bad input: the message names the file (and line or row) and what is wrong."""


class TableError(ValueError):
    """A table broke its schema; the message lists the failure cases."""


def validate(df: pd.DataFrame, model: type[pa.DataFrameModel], name: str) -> pd.DataFrame:
    """Validate eagerly with lazy errors, raising one readable error that lists every failure."""
    try:
        return model.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases[["column", "check", "index", "failure_case"]]
        raise TableError(f"table {name!r} failed its schema:\n{cases.to_string(index=False)}") from exc
    except (TypeError, ValueError) as exc:
        # a check can crash on a value of the wrong type (a list in a unique column is unhashable)
        wrong = _wrong_dtypes(df, model)
        if not wrong:
            raise
        raise TableError(f"table {name!r} failed its schema:\n" + "\n".join(wrong) + f"\n({exc})") from exc


def _wrong_dtypes(df: pd.DataFrame, model: type[pa.DataFrameModel]) -> list[str]:
    """'column: dtype(...)' for each column whose type or values do not match the model's dtype."""
    wrong = []
    for name, col in model.to_schema().columns.items():
        if name in df:
            ok = col.dtype.check(pandas_engine.Engine.dtype(df[name].dtype), df[name])
            if not (ok if isinstance(ok, bool) else pd.Series(ok).all()):
                wrong.append(f"{name}: dtype('{col.dtype}') expected, got {df[name].dtype}")
    return wrong


# Every table carries the fingerprint of the corpus it was made from (parquet key-value metadata), so a stage
# never mixes tables of two runs: documents get it from their own rows; every later table inherits it.
CORPUS_KEY = b"tollwatch.corpus"


def corpus_fingerprint(documents: pd.DataFrame) -> str:
    """A digest of the corpus: every document's id, file hash, outlet, agency and publication date and time."""
    return fingerprint_of(fingerprint_lines(documents))


def fingerprint_lines(documents: pd.DataFrame) -> list[str]:
    """The documents' lines of corpus_fingerprint, in table order (a table written in pieces sends each piece)."""
    cols = [c for c in ("doc_id", "sha256", "outlet", "agency", "published_on", "published_at") if c in documents]
    return [
        "\t".join("" if pd.isna(v) else str(v) for v in row)
        for row in documents[cols].itertuples(index=False, name=None)
    ]


def fingerprint_of(lines: Iterable[str]) -> str:
    """corpus_fingerprint from the lines of every document, in any order."""
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()[:16]


def run_fingerprint(checked: Mapping[Path, pd.DataFrame], upstream: Mapping[str, pd.DataFrame]) -> str | None:
    """The fingerprint a stage stamps on its tables: its own documents', else its inputs' (which must agree)."""
    for path, df in checked.items():
        if path.stem == "documents":
            return corpus_fingerprint(df)
    found = {name: df.attrs.get("corpus") for name, df in upstream.items() if df.attrs.get("corpus")}
    if len(set(found.values())) > 1:
        raise InputError(
            "the input tables come from different runs ("
            + ", ".join(f"{n}: {v}" for n, v in sorted(found.items()))
            + "): run `extract` again into this folder"
        )
    return next(iter(found.values()), None)


def _arrow(df: pd.DataFrame) -> pyarrow.Table:
    df = df.copy(deep=False)
    df.attrs = {}  # pandas would store a read table's attrs in the file: the bytes must not depend on them
    return pyarrow.Table.from_pandas(df, preserve_index=False)


def _stamped(schema: pyarrow.Schema, fingerprint: str | None) -> pyarrow.Schema:
    return (
        schema.with_metadata({**(schema.metadata or {}), CORPUS_KEY: fingerprint.encode()}) if fingerprint else schema
    )


def _write_parquet(df: pd.DataFrame, path: str, fingerprint: str | None) -> None:
    table = _arrow(df)
    pyarrow.parquet.write_table(table.replace_schema_metadata(_stamped(table.schema, fingerprint).metadata), path)


def write_tables(
    tables: dict[Path, tuple[pd.DataFrame, type[pa.DataFrameModel]]],
    upstream: Mapping[str, pd.DataFrame | Path] | None = None,
) -> None:
    """Validate every table and the keys between them (and into the upstream tables, by table name, given as
    frames or parquet paths), check the inputs come from one run, then write each to a temp file and rename
    them all into place, stamped with the corpus fingerprint."""
    checked = {Path(p): validate(df, model, Path(p).stem) for p, (df, model) in tables.items()}
    inputs = _read_tables(upstream or {})
    fingerprint = run_fingerprint(checked, inputs)
    check_references({**inputs, **{p.stem: df for p, df in checked.items()}})
    with AtomicFiles(commit=replace_together) as files:
        for path, df in checked.items():
            with _naming_the_table(path):
                _write_parquet(df, str(files.temp(path)), fingerprint)


@contextlib.contextmanager
def _naming_the_table(path: Path):
    """pyarrow's OSErrors (a full disk) name no file: say which table could not be written."""
    try:
        yield
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write the table: {exc.strerror or exc}", str(_shown(path))) from None


# A streamed table is validated and written in row groups of at least this many rows, each made of whole
# batches of documents, so the groups depend on the batching alone: few enough that pandera's fixed cost per
# call (about 15 ms) stays small against the work, small enough that the rows waiting for a group (about 2 MB
# of times, 4 MB of documents) and their validation's copies stay small.
ROW_GROUP_ROWS = 16_384


@dataclass
class _Spool:
    """A streamed table's rows so far: those waiting for a row group, and the groups already validated, spooled
    as Arrow IPC to a scratch file (written into the parquet table once the fingerprint is known)."""

    model: type[pa.DataFrameModel]
    path: Path
    waiting: list[pd.DataFrame] = field(default_factory=list)
    n_waiting: int = 0
    rows: int = 0
    writer: pyarrow.ipc.RecordBatchFileWriter | None = None
    schema: pyarrow.Schema | None = None  # the first group's: every group is written with it
    closed: bool = False
    # per unique column, the 64-bit hashes of its values: uniqueness across row groups in 8 bytes a row
    hashes: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def write(self, df: pd.DataFrame) -> None:
        """Append a validated row group to the spool."""
        table = _arrow(df)
        if self.writer is None:
            options = pyarrow.ipc.IpcWriteOptions(compression="lz4")
            self.schema = table.schema
            self.writer = pyarrow.ipc.new_file(str(self.path), table.schema, options=options)
        elif not table.schema.equals(self.schema, check_metadata=False):
            table = table.cast(self.schema)  # a column of nulls in one group and of strings in another
        self.writer.write_batch(table.combine_chunks().to_batches()[0])  # one IPC batch = one row group
        self.rows += len(df)

    def close(self) -> None:
        if self.writer is not None and not self.closed:
            self.closed = True
            self.writer.close()

    def groups(self) -> Iterator[pyarrow.Table]:
        """The spooled row groups in order (no more can be written)."""
        self.close()
        if self.writer is None:
            return
        with pyarrow.ipc.open_file(str(self.path)) as reader:
            for i in range(reader.num_record_batches):
                yield pyarrow.Table.from_batches([reader.get_batch(i)])


class StreamedTables:
    """write_tables for a set of tables of which some (streamed) arrive in pieces, in memory that does not grow
    with them: append() gathers a streamed table's pieces into row groups of ROW_GROUP_ROWS rows or more, each
    validated as it is complete (its index continues the table's, so failures name the table's rows) and spooled
    to a scratch file. finish() takes the other tables whole and gives every guarantee of write_tables: the
    streamed tables' unique columns are unique across groups, every key between the tables holds, the corpus
    fingerprint (from the documents' rows) is stamped on all, and all land together or not at all. On any
    failure, or without finish(), the with block leaves the out folder as it was and no temp files behind."""

    def __init__(
        self, out_dir: Path, streamed: Mapping[str, type[pa.DataFrameModel]], row_group_rows: int | None = None
    ) -> None:
        self.out_dir = Path(out_dir)
        self.row_group_rows = row_group_rows or ROW_GROUP_ROWS
        self.files = AtomicFiles(commit=replace_together)
        try:
            self.spools = {name: self._spool(name, model) for name, model in streamed.items()}
        except BaseException:
            self.files.discard()  # the scratch files made before the failure (no with block yet)
            raise
        self.fingerprint_lines: list[str] = []
        # the values of each column a key between two streamed tables points to (documents.doc_id): O(documents)
        self.keys = {(r.target, r.target_column): set() for r in REFERENCES if {r.table, r.target} <= set(streamed)}

    def _path(self, name: str) -> Path:
        return self.out_dir / f"{name}.parquet"

    def __enter__(self) -> StreamedTables:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        for spool in self.spools.values():
            spool.close()
        self.files.discard()  # after finish() only the scratch files are left

    def append(self, name: str, df: pd.DataFrame) -> None:
        """Add rows to a streamed table: written as a row group once ROW_GROUP_ROWS or more are waiting."""
        spool = self.spools[name]
        if len(df):
            spool.waiting.append(df)
            spool.n_waiting += len(df)
        if spool.n_waiting >= self.row_group_rows:
            self._flush(name)

    def flush(self) -> None:
        """Write every streamed table's waiting rows as a row group now (finish does it too)."""
        for name in self.spools:
            self._flush(name)

    def _flush(self, name: str) -> None:
        spool = self.spools[name]
        if not spool.waiting:
            return
        df = pd.concat(spool.waiting, ignore_index=True) if len(spool.waiting) > 1 else spool.waiting[0]
        spool.waiting, spool.n_waiting = [], 0
        df.index = pd.RangeIndex(spool.rows, spool.rows + len(df))
        df = validate(df, spool.model, name).reset_index(drop=True)
        for col, hashes in spool.hashes.items():
            hashes.append(pd.util.hash_pandas_object(df[col], index=False).to_numpy())
        for (table, col), values in self.keys.items():
            if table == name:
                values.update(df[col].dropna())
        if name == "documents":
            self.fingerprint_lines.extend(fingerprint_lines(df))
        with _naming_the_table(self._path(name)):  # a full disk while spooling names the table too
            spool.write(df)

    def _spool(self, name: str, model: type[pa.DataFrameModel]) -> _Spool:
        with _naming_the_table(self._path(name)):  # a full disk as the spool opens names the table
            return _Spool(model, self.files.scratch(self._path(name)), hashes={c: [] for c in _unique_columns(model)})

    def finish(self, tables: Mapping[str, tuple[pd.DataFrame, type[pa.DataFrameModel]]]) -> dict[str, int]:
        """Validate the other tables (whole), check keys and uniqueness across everything, then write all the
        tables and rename them into place together. Returns each table's rows."""
        self.flush()
        whole = {name: validate(df, model, name) for name, (df, model) in tables.items()}
        if "documents" in self.spools:
            fingerprint = fingerprint_of(self.fingerprint_lines)
        else:
            fingerprint = run_fingerprint({self._path(name): df for name, df in whole.items()}, {})
        check_references(whole)
        scan = _Scan(self.spools, whole, self.keys)
        for name, spool in self.spools.items():
            with _naming_the_table(self._path(name)):
                self._write_spooled(name, spool, fingerprint, scan)
        scan.raise_problems()
        for name, df in whole.items():
            with _naming_the_table(self._path(name)):
                _write_parquet(df, str(self.files.temp(self._path(name))), fingerprint)
        self.files.commit()
        return {**{name: s.rows for name, s in self.spools.items()}, **{n: len(df) for n, df in whole.items()}}

    def _write_spooled(self, name: str, spool: _Spool, fingerprint: str | None, scan: _Scan) -> None:
        """The spooled row groups, as they are, into the table's temp file, stamped with the fingerprint."""
        tmp = str(self.files.temp(self._path(name)))
        if spool.writer is None:  # no rows: the empty table write_tables would write
            _write_parquet(frame([], spool.model), tmp, fingerprint)
            return
        writer = None
        try:
            for group in spool.groups():
                scan.read(name, group)
                if writer is None:
                    writer = pyarrow.parquet.ParquetWriter(tmp, _stamped(group.schema, fingerprint))
                writer.write_table(group)
        finally:
            if writer is not None:
                writer.close()


def _unique_columns(model: type[pa.DataFrameModel]) -> list[str]:
    return [name for name, col in model.to_schema().columns.items() if col.unique]


class _Scan:
    """What finish() checks while it reads the spooled row groups: the keys from, to and between streamed tables
    (against the values gathered for them, or looked up in the groups) and the values of a unique column whose
    hashes repeat across groups (a repeat, or a hash collision)."""

    def __init__(self, spools: Mapping[str, _Spool], whole: Mapping[str, pd.DataFrame], keys: Mapping) -> None:
        # the keys check_references cannot check: both tables given, one or both of them streamed
        self.refs = [
            r for r in REFERENCES if {r.table, r.target} <= {*spools, *whole} and {r.table, r.target} & {*spools}
        ]
        # key (ref) -> values not found yet: those a whole table points to in a streamed one, looked up as read
        self.wanted = {r: set(whole[r.table][r.column].dropna()) for r in self.refs if r.table in whole}
        self.missing: dict[ForeignKey, set] = {r: set() for r in self.refs if r.table in spools}
        # the values each of those keys may take: gathered while the pieces came, or the whole table's column
        self.known = {r: keys.get((r.target, r.target_column)) for r in self.missing}
        self.known = {
            r: set(whole[r.target][r.target_column].dropna()) if k is None else k for r, k in self.known.items()
        }
        self.repeats = {
            (name, col): _repeated(hashes) for name, s in spools.items() for col, hashes in s.hashes.items()
        }
        self.seen: dict[tuple[str, str], list] = {key: [] for key, rep in self.repeats.items() if len(rep)}

    def read(self, name: str, group: pyarrow.Table) -> None:
        """Check one row group of a streamed table."""
        for ref, wanted in self.wanted.items():
            if ref.target == name and wanted:
                wanted.difference_update(group.column(ref.target_column).to_pylist())
        for ref, missing in self.missing.items():
            if ref.table == name:
                missing.update(set(group.column(ref.column).drop_null().to_pylist()) - self.known[ref])
        for (table, col), seen in self.seen.items():
            if table == name:
                values = group.column(col).to_pandas()
                hashes = pd.util.hash_pandas_object(values, index=False).to_numpy()
                seen.extend(values[np.isin(hashes, self.repeats[(table, col)])])

    def raise_problems(self) -> None:
        """One TableError for repeated values of unique columns, one for dangling keys (as check_references)."""
        for (table, col), seen in self.seen.items():
            repeated = sorted({v for v in seen if seen.count(v) > 1}, key=str)
            if repeated:
                raise TableError(
                    f"table {table!r} failed its schema:\ncolumn {col!r} is not unique across row groups: "
                    + ", ".join(map(repr, repeated[:5]))
                    + (", ..." if len(repeated) > 5 else "")
                )
        problems = [_dangling_line(r, sorted(v, key=str)) for r, v in {**self.wanted, **self.missing}.items() if v]
        if problems:
            raise TableError("dangling key(s):\n" + "\n".join(problems))


def _repeated(hashes: list[np.ndarray]) -> np.ndarray:
    """The hash values that occur more than once."""
    if not hashes:
        return np.array([], dtype=np.uint64)
    values, counts = np.unique(np.concatenate(hashes), return_counts=True)
    return values[counts > 1]


def _shown(path: Path) -> Path:
    """A table's path as the user knows it: out/claims.parquet, not out/.staging-x1y2/claims.parquet."""
    return path.parent.parent / path.name if path.parent.name.startswith(STAGING_PREFIX) else path


def file_mode() -> int:
    """The mode an ordinary new file gets under the caller's umask (mkstemp's files are 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# --- one run at a time, one consistent set ----------------------------------------------------------------

TEMP_SUFFIX = ".tmp"
LOCK_NAME = ".tollwatch.lock"
STAGING_PREFIX = ".staging-"
# The tables of a folder that may not belong with the others, one per line with why: written while a set is
# being replaced (a run killed between two renames leaves it), and by extract for the tables made from the
# set it replaced. read_table refuses a table named here until a run writes it again.
JOURNAL_NAME = ".tollwatch.replacing"
INTERRUPTED = "interrupted"
STALE = "stale"


@contextlib.contextmanager
def locked(out_dir: Path):
    """Hold the out folder's lock for a run: a second run into the same folder fails at once, naming the
    holder. Leftovers of a run that was killed (temp files, staging folders) are removed first."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: a file, not a folder (the tables go into a folder)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = open(out_dir / LOCK_NAME, "a+", encoding="utf-8")  # noqa: SIM115 (held for the whole run)
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write there ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise InputError(f"{out_dir}: another tollwatch run is writing there ({holder}); wait for it") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        _clean_leftovers(out_dir)
        yield out_dir
    finally:
        handle.close()


def _clean_leftovers(out_dir: Path) -> None:
    """Temp files and staging folders of runs that died (the lock says no run is writing now)."""
    for path in out_dir.glob(f".*{TEMP_SUFFIX}"):
        path.unlink(missing_ok=True)
    for path in out_dir.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def staged(out_dir: Path):
    """A staging folder inside out_dir for a run of several stages: on success its tables replace out_dir's
    (renames within one file system); on any failure the staging folder goes and out_dir is untouched. The
    known tables of out_dir the run did not write (the timeline's, after extract) are marked stale when the
    set changed: they were made from the old one."""
    out_dir = Path(out_dir)
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    try:
        yield stage
        new = sorted(stage.glob("*.parquet"))
        names = {p.name for p in new}
        changed = any(not _same_bytes(p, out_dir / p.name) for p in new)
        others = {f"{t}.parquet" for t in TABLES} - names
        stale = {p.name: STALE for p in out_dir.glob("*.parquet") if p.name in others} if changed else {}
        replace_together([(p, out_dir / p.name) for p in new], stale)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _same_bytes(a: Path, b: Path) -> bool:
    if not b.is_file() or a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:  # in blocks: a streamed table need not fit in memory
        while True:
            block = fa.read(1 << 20)
            if block != fb.read(1 << 20):
                return False
            if not block:
                return True


def replace_together(pairs: list[tuple[Path, Path]], stale: Mapping[str, str] | None = None) -> None:
    """Rename each new file onto its table (all in one folder) as one step as far as readers can tell: the
    folder's journal names the tables while they are replaced, so a run killed between two renames leaves
    them marked (read_table refuses them, naming the fix) instead of a silently mixed set. Tables named in
    stale (file names) are marked afterwards; a table written again is unmarked."""
    for _, dst in pairs:  # found now, not after half the set was replaced
        if dst.is_dir() and not dst.is_symlink():
            raise InputError(f"{dst}: a folder where a table belongs (move it away)")
    names: dict[Path, set[str]] = {}
    for _, dst in pairs:
        names.setdefault(dst.parent, set()).add(dst.name)
    earlier = {folder: pending(folder) for folder in names}
    for folder, written in names.items():
        _write_journal(folder, {**earlier[folder], **dict.fromkeys(written, INTERRUPTED)})
    for src, dst in pairs:
        os.replace(src, dst)
    for folder, written in names.items():
        left = {n: why for n, why in earlier[folder].items() if n not in written}
        _write_journal(folder, {**left, **(stale or {})})


def pending(folder: Path) -> dict[str, str]:
    """Table file name -> why it may not belong with the folder's other tables (the journal's lines)."""
    try:
        text = (Path(folder) / JOURNAL_NAME).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    return dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)


def _write_journal(folder: Path, entries: Mapping[str, str]) -> None:
    journal = Path(folder) / JOURNAL_NAME
    if entries:
        write_text_atomic(journal, "".join(f"{n}\t{why}\n" for n, why in sorted(entries.items())))
    else:
        journal.unlink(missing_ok=True)


def _read_tables(tables: Mapping[str, pd.DataFrame | Path]) -> dict[str, pd.DataFrame]:
    return {name: t if isinstance(t, pd.DataFrame) else read_table(t) for name, t in tables.items()}


def _dangling(tables: Mapping[str, pd.DataFrame], ref: ForeignKey) -> list:
    """Values of ref.table.ref.column (nulls aside) missing from ref.target.ref.target_column, sorted."""
    known = set(tables[ref.target][ref.target_column].dropna())
    return sorted(set(tables[ref.table][ref.column].dropna()) - known, key=str)


def check_references(tables: Mapping[str, pd.DataFrame], refs: Iterable[ForeignKey] = REFERENCES) -> list[ForeignKey]:
    """Check each declared key whose two tables are both given (by table name); raise one TableError naming
    every dangling reference's table, column and up to five values. Returns the keys checked."""
    checked, problems = [], []
    for ref in refs:
        if ref.table not in tables or ref.target not in tables:
            continue  # a stage checks what it writes against the inputs it was handed, no more
        checked.append(ref)
        missing = _dangling(tables, ref)
        if missing:
            problems.append(_dangling_line(ref, missing))
    if problems:
        raise TableError("dangling key(s):\n" + "\n".join(problems))
    return checked


def _dangling_line(ref: ForeignKey, missing: list) -> str:
    return (
        f"table {ref.table!r}, column {ref.column!r}: {len(missing)} value(s) not in "
        f"{ref.target}.{ref.target_column}: {', '.join(map(repr, missing[:5]))}" + (", ..." if len(missing) > 5 else "")
    )


def check_references_on_disk(processed_dir: Path) -> list[ForeignKey]:
    """check_references over whichever of the known tables exist as <name>.parquet in a processed folder."""
    paths = {name: Path(processed_dir) / f"{name}.parquet" for name in TABLES}
    return check_references(_read_tables({name: p for name, p in paths.items() if p.exists()}))


class AtomicFiles:
    """Files that land together or not at all: `temp(target)` gives an empty temp file beside target (same folder,
    so the rename is atomic; hidden, with TEMP_SUFFIX, so a killed run's are cleaned up) for the caller to write;
    on a clean exit of the with block each gets the mode the umask gives new files and all are renamed onto their
    targets, by commit (default: one os.replace each; write_tables passes replace_together). On any failure every
    temp file is removed and the targets stay as they were. `scratch(target)` gives a temp file that is always
    removed, never renamed (a spool)."""

    def __init__(self, commit: Callable[[list[tuple[Path, Path]]], None] | None = None) -> None:
        self._commit = commit or _replace_each
        self._temps: list[tuple[Path, Path]] = []
        self._scratch: list[Path] = []

    def temp(self, target: Path) -> Path:
        """A new temp file that replaces target on commit."""
        target = Path(target)
        tmp = self._new(target, f".{target.name}.")
        self._temps.append((tmp, target))
        return tmp

    def scratch(self, target: Path) -> Path:
        """A new temp file beside target that is removed at the end, whatever happens."""
        target = Path(target)
        tmp = self._new(target, f".{target.name}.scratch.")
        self._scratch.append(tmp)
        return tmp

    @staticmethod
    def _new(target: Path, prefix: str) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=TEMP_SUFFIX, dir=target.parent)
        os.close(fd)
        return Path(tmp)

    def commit(self) -> None:
        """Rename every temp file onto its target (the with block does it on a clean exit)."""
        mode = file_mode()
        for tmp, _ in self._temps:
            os.chmod(tmp, mode)  # mkstemp's 0600 would ignore the user's umask
        pairs, self._temps = self._temps, []
        try:
            self._commit(pairs)
        finally:
            self._temps = pairs  # whatever the commit did not rename is removed by discard

    def discard(self) -> None:
        """Remove the temp files still there (renamed ones are not)."""
        for tmp in [t for t, _ in self._temps] + self._scratch:
            tmp.unlink(missing_ok=True)
        self._temps, self._scratch = [], []

    def __enter__(self) -> AtomicFiles:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.discard()


def _replace_each(pairs: list[tuple[Path, Path]]) -> None:
    for src, dst in pairs:
        os.replace(src, dst)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file through a temp file and a rename."""
    write_texts({Path(path): text})


def write_texts(texts: Mapping[Path, str]) -> list[Path]:
    """Write several text files together: each to a temp file beside it, then all renamed into place, so a
    failure (a full disk, a folder that is a file) leaves every one as it was. Returns the paths."""
    with AtomicFiles() as files:
        for path, text in texts.items():
            with open(files.temp(path), "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
    return [Path(path) for path in texts]


def check_json(data: dict, model: type[pydantic.BaseModel], name: str) -> None:
    """Validate a metrics dict against its pydantic model, raising a TableError that names the file."""
    try:
        model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise TableError(f"{name} failed its schema:\n{exc}") from exc


def write_json(path: Path, data: dict, model: type[pydantic.BaseModel]) -> None:
    """Validate a metrics dict, then write it as indented JSON with sorted keys (the format DVC diffs)."""
    check_json(data, model, str(path))
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def read_table(path: Path) -> pd.DataFrame:
    """Read a processed parquet table, naming the file when it is missing or unreadable; df.attrs['corpus']
    holds the fingerprint of the corpus it was made from (None for a table written before fingerprints)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: table not found (run the stage that writes it first)")
    why = pending(path.parent).get(path.name)
    if why is not None:
        raise InputError(_pending_message(path, why))
    try:
        table = pyarrow.parquet.read_table(path)
    except (OSError, pyarrow.ArrowException) as exc:
        raise InputError(f"{path}: not a readable parquet table ({exc})") from None
    fingerprint = _corpus_of(table.schema)
    if fingerprint is not None:  # written by a stage (tests build partial tables by hand)
        _check_columns(path, table.schema.names)
    _check_same_run(path, fingerprint)
    df = table.to_pandas()
    df.attrs["corpus"] = fingerprint
    return df


def _pending_message(path: Path, why: str) -> str:
    again = "`extract`" if path.stem in SET_TABLES else "`timeline`" if path.stem in TIMELINE_TABLES else "its stage"
    if why == STALE:
        return (f"{path}: made from tables a later run replaced (it is stale): run {again} again into "
                f"{path.parent}")  # fmt: skip
    return (f"{path}: a run was stopped while it replaced the tables of {path.parent}, so they may come from "
            f"two runs: run {again} again into that folder")  # fmt: skip


# The tables extract writes together, and those timeline writes from them (which stage rewrites a table).
SET_TABLES = ("documents", "furniture", "times", "claims", "sources")
TIMELINE_TABLES = ("toll_timeline", "toll_consensus", "toll_parts")


def _corpus_of(schema: pyarrow.Schema) -> str | None:
    fingerprint = (schema.metadata or {}).get(CORPUS_KEY)
    return fingerprint.decode() if fingerprint else None


def _check_columns(path: Path, names: list[str]) -> None:
    """A known table with a column missing (an older version's) is refused by name, before a stage trips
    over it."""
    model = TABLES.get(path.stem)
    if model is None:
        return
    missing = [c for c in model.to_schema().columns if c not in names]
    if missing:
        raise InputError(
            f"{path}: lacks column(s) {', '.join(missing)} (written by an older version?): run the stage that "
            "writes it again"
        )


def _check_same_run(path: Path, fingerprint: str | None) -> None:
    """A table beside a documents table of another corpus is refused: the two come from different runs."""
    documents = path.parent / "documents.parquet"
    if fingerprint is None or path.name == documents.name or not documents.is_file():
        return
    try:
        theirs = _corpus_of(pyarrow.parquet.read_schema(documents))
    except (OSError, pyarrow.ArrowException):
        return  # reading documents itself names the problem
    if theirs is not None and theirs != fingerprint:
        raise InputError(
            f"{path.parent}: {path.name} and documents.parquet come from different runs (corpus {fingerprint} and "
            f"{theirs}): run `extract` again into this folder"
        )


_STR = pd.api.types.pandas_dtype("str")


def _is_null(v) -> bool:
    return pd.api.types.is_scalar(v) and pd.isna(v)


def frame(records: list[dict], model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """A DataFrame with the model's columns in order, cast to the model's dtypes (columns of None, and empty
    frames, get the model's types too). A string column holding anything but strings and nulls is left
    uncast, so that validation names it instead of str() hiding a wrong type."""
    schema = model.to_schema()
    df = pd.DataFrame.from_records(records, columns=list(schema.columns))
    for name, col in schema.columns.items():
        dtype = str(col.dtype)
        if dtype in ("Int64", "Float64", "bool", "int64"):
            df[name] = df[name].astype(dtype)
        elif dtype.startswith("datetime64"):
            df[name] = pd.to_datetime(df[name], utc=True).astype("datetime64[us, UTC]")
        elif "string" in dtype or dtype == "str":
            if df[name].dtype == _STR:
                continue  # pandas read strings and nulls only, and typed them so already
            if all(isinstance(v, str) or _is_null(v) for v in df[name]):
                df[name] = pd.array([None if _is_null(v) else v for v in df[name]], dtype="str")
        elif df.empty:
            df[name] = df[name].astype(col.dtype.type)
    return df.reset_index(drop=True)
