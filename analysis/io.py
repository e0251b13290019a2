"""Validated, atomic writes of tables: all outputs of a stage land together or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pandera.errors
import pandera.pandas as pa


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


def write_tables(tables: dict[Path, tuple[pd.DataFrame, type[pa.DataFrameModel]]]) -> None:
    """Validate every table first, then write each to a temp file and rename them all into place."""
    checked = {Path(p): validate(df, model, Path(p).stem) for p, (df, model) in tables.items()}
    temps: list[tuple[str, Path]] = []
    try:
        for path, df in checked.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            os.close(fd)
            temps.append((tmp, path))
            df.to_parquet(tmp, index=False)
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file through a temp file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_table(path: Path) -> pd.DataFrame:
    """Read a processed parquet table, naming the file when it is missing."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: table not found (run the stage that writes it first)")
    return pd.read_parquet(path)


def frame(records: list[dict], model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """A DataFrame with the model's columns in order, cast to the model's dtypes (columns of None or of
    mixed objects, and empty frames, get the model's types too)."""
    schema = model.to_schema()
    df = pd.DataFrame.from_records(records, columns=list(schema.columns))
    for name, col in schema.columns.items():
        dtype = str(col.dtype)
        if dtype in ("Int64", "Float64", "bool", "int64"):
            df[name] = df[name].astype(dtype)
        elif dtype.startswith("datetime64"):
            df[name] = pd.to_datetime(df[name], utc=True).astype("datetime64[us, UTC]")
        elif "string" in dtype or dtype == "str":
            df[name] = pd.array([None if pd.isna(v) else str(v) for v in df[name]], dtype="str")
        elif df.empty:
            df[name] = df[name].astype(col.dtype.type)
    return df.reset_index(drop=True)
