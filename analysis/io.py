"""Validated, atomic writes of tables: all outputs of a stage land together or not at all."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pandera.errors
import pandera.pandas as pa
import pyarrow
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
    cols = [c for c in ("doc_id", "sha256", "outlet", "agency", "published_on", "published_at") if c in documents]
    rows = sorted(
        "\t".join("" if pd.isna(v) else str(v) for v in row)
        for row in documents[cols].itertuples(index=False, name=None)
    )
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()[:16]


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


def _write_parquet(df: pd.DataFrame, path: str, fingerprint: str | None) -> None:
    df = df.copy(deep=False)
    df.attrs = {}  # pandas would store a read table's attrs in the file: the bytes must not depend on them
    table = pyarrow.Table.from_pandas(df, preserve_index=False)
    if fingerprint:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), CORPUS_KEY: fingerprint.encode()})
    pyarrow.parquet.write_table(table, path)


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
    temps: list[tuple[str, Path]] = []
    try:
        for path, df in checked.items():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
                os.close(fd)
                temps.append((tmp, path))
                _write_parquet(df, tmp, fingerprint)
                os.chmod(tmp, file_mode())
            except OSError as exc:  # pyarrow's (a full disk) name no file: say which table could not be written
                raise OSError(exc.errno, f"cannot write the table: {exc.strerror or exc}", str(_shown(path))) from None
        replace_together([(Path(tmp), path) for tmp, path in temps])
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


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
    return b.is_file() and a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


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
            problems.append(
                f"table {ref.table!r}, column {ref.column!r}: {len(missing)} value(s) not in "
                f"{ref.target}.{ref.target_column}: {', '.join(map(repr, missing[:5]))}"
                + (", ..." if len(missing) > 5 else "")
            )
    if problems:
        raise TableError("dangling key(s):\n" + "\n".join(problems))
    return checked


def check_references_on_disk(processed_dir: Path) -> list[ForeignKey]:
    """check_references over whichever of the known tables exist as <name>.parquet in a processed folder."""
    paths = {name: Path(processed_dir) / f"{name}.parquet" for name in TABLES}
    return check_references(_read_tables({name: p for name, p in paths.items() if p.exists()}))


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file through a temp file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_texts(texts: Mapping[Path, str]) -> list[Path]:
    """Write several text files together: each to a temp file beside it, then all renamed into place, so a
    failure (a full disk, a folder that is a file) leaves every one as it was. Returns the paths."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, text in texts.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
            temps.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.chmod(tmp, file_mode())  # mkstemp's 0600 would ignore the user's umask
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [path for _, path in temps]


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
            if all(isinstance(v, str) or _is_null(v) for v in df[name]):
                df[name] = pd.array([None if _is_null(v) else v for v in df[name]], dtype="str")
        elif df.empty:
            df[name] = df[name].astype(col.dtype.type)
    return df.reset_index(drop=True)
