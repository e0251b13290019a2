"""Stage `ingest`: manifest + raw texts -> documents and furniture tables (raw text never altered)."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.furniture import Span, find_furniture, lines
from analysis.io import InputError, frame, write_tables
from analysis.schemas import Documents, Furniture

REQUIRED_COLUMNS = ("doc_id", "outlet", "published_on")
OPTIONAL_COLUMNS = ("file", "agency", "url", "evidence")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BYLINE_RE = re.compile(r"^(?:by\s+\S.{0,58}|[A-Z][\w.&' -]{1,40},)$", re.IGNORECASE)
_DATELINE_RE = re.compile(r"^([A-Z][A-Za-z.'-]+(?:[ /-][A-Z][A-Za-z.'-]+){0,3})\s*(?:\([A-Za-z]+\))?\s*[:_—–]")


@dataclass(frozen=True)
class ManifestRow:
    """One manifest row, checked."""

    doc_id: str
    file: str
    outlet: str
    agency: str | None
    published_on: date
    url: str | None
    line: int


@dataclass(frozen=True)
class RawDoc:
    """A manifest row with its decoded text and furniture."""

    row: ManifestRow
    text: str
    sha256: str
    furniture: list[Span]


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def read_manifest(raw_dir: Path, manifest_name: str = "manifest.csv") -> list[ManifestRow]:
    """Read and check DIR/manifest.csv: required columns, unique ids, ISO dates, files present."""
    path = Path(raw_dir) / manifest_name
    if not path.is_file():
        raise InputError(f"{path}: manifest not found (one row per document: {', '.join(REQUIRED_COLUMNS)})")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise InputError(f"{path}: header lacks required column(s) {', '.join(missing)}")
        rows: list[ManifestRow] = []
        seen: dict[str, int] = {}
        for rec in reader:
            rows.append(_check_row(path, reader.line_num, rec, seen))
    if not rows:
        raise InputError(f"{path}: manifest has no rows")
    return rows


def _check_row(path: Path, line: int, rec: dict, seen: dict[str, int]) -> ManifestRow:
    """Check one manifest record; every error names the manifest line."""
    doc_id = (rec.get("doc_id") or "").strip()
    where = f"{path}, line {line}"
    if not doc_id:
        raise InputError(f"{where}: empty doc_id")
    if doc_id in seen:
        raise InputError(f"{where}: duplicate doc_id {doc_id!r} (first on line {seen[doc_id]})")
    seen[doc_id] = line
    outlet = (rec.get("outlet") or "").strip()
    if not outlet:
        raise InputError(f"{where}: empty outlet for doc_id {doc_id!r}")
    raw_date = (rec.get("published_on") or "").strip()
    try:
        if not _DATE_RE.match(raw_date):
            raise ValueError
        published = date.fromisoformat(raw_date)
    except ValueError:
        raise InputError(f"{where}: published_on {raw_date!r} is not an ISO date (YYYY-MM-DD)") from None
    return ManifestRow(
        doc_id=doc_id,
        file=_blank_to_none(rec.get("file")) or f"{doc_id}.txt",
        outlet=outlet,
        agency=_blank_to_none(rec.get("agency")),
        published_on=published,
        url=_blank_to_none(rec.get("url")),
        line=line,
    )


def read_text(path: Path) -> tuple[str, str]:
    """Decode a raw file as UTF-8 (BOM-free), returning (text, sha256 of the bytes)."""
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start}, line {line}: {exc.reason})") from None
    return text, hashlib.sha256(data).hexdigest()


def load_corpus(raw_dir: Path, manifest_name: str = "manifest.csv", **furniture_params) -> list[RawDoc]:
    """Manifest rows matched one-to-one with the .txt files of raw_dir, decoded, furniture found."""
    raw_dir = Path(raw_dir)
    rows = read_manifest(raw_dir, manifest_name)
    listed = {r.file for r in rows}
    for row in rows:
        if not (raw_dir / row.file).is_file():
            raise InputError(f"{raw_dir / manifest_name}, line {row.line}: file {row.file!r} not found in {raw_dir}")
    unlisted = sorted(p.name for p in raw_dir.glob("*.txt") if p.name not in listed)
    if unlisted:
        raise InputError(f"{raw_dir / unlisted[0]}: raw file has no manifest row (all unlisted: {unlisted})")
    docs = []
    for row in rows:
        text, digest = read_text(raw_dir / row.file)
        docs.append(RawDoc(row, text, digest, find_furniture(text, **furniture_params)))
    return docs


def layout(text: str, furniture: list[Span]) -> dict[str, str | None]:
    """Headline, byline and dateline read off the first lines of the text."""
    top = [ln for ln in lines(text) if not any(sp.start <= ln.start < sp.end for sp in furniture)][:3]
    out: dict[str, str | None] = {"headline": None, "byline": None, "dateline": None}
    for i, ln in enumerate(top):
        t = " ".join(ln.text.split())
        if out["byline"] is None and i < 2 and _BYLINE_RE.match(t):
            out["byline"] = t.rstrip(",")
            continue
        m = _DATELINE_RE.match(t)
        if m and out["dateline"] is None and len(t) > 40:
            out["dateline"] = m.group(1)
            continue
        if i == 0 and len(t) <= 150 and not re.search(r"[.:]$", t):
            out["headline"] = t
    return out


def documents_frame(docs: list[RawDoc]) -> pd.DataFrame:
    """One row per document (schema: Documents)."""
    recs = []
    for d in docs:
        fchars = sum(sp.end - sp.start for sp in d.furniture)
        recs.append(
            {
                "doc_id": d.row.doc_id,
                "file": d.row.file,
                "outlet": d.row.outlet,
                "agency": d.row.agency,
                "published_on": d.row.published_on,
                "url": d.row.url,
                "sha256": d.sha256,
                **layout(d.text, d.furniture),
                "n_chars": len(d.text),
                "n_body_chars": len(d.text) - fchars,
                "n_furniture_spans": len(d.furniture),
                "furniture_spans": " ".join(f"{sp.start}:{sp.end}" for sp in d.furniture),
            }
        )
    return frame(recs, Documents)


def furniture_frame(docs: list[RawDoc]) -> pd.DataFrame:
    """One row per furniture span (schema: Furniture)."""
    recs = [
        {
            "furniture_id": f"{d.row.doc_id}:{sp.start}",
            "doc_id": d.row.doc_id,
            "start": sp.start,
            "end": sp.end,
            "kind": sp.kind,
            "cue": sp.cue,
            "text": d.text[sp.start : sp.end],
        }
        for d in docs
        for sp in d.furniture
    ]
    return frame(recs, Furniture)


def run(
    raw_dir: Path, out_dir: Path, manifest_name: str = "manifest.csv", furniture_params: dict | None = None
) -> None:
    """Read the corpus, validate both tables, then write them atomically."""
    docs = load_corpus(raw_dir, manifest_name, **(furniture_params or {}))
    out_dir = Path(out_dir)
    write_tables(
        {
            out_dir / "documents.parquet": (documents_frame(docs), Documents),
            out_dir / "furniture.parquet": (furniture_frame(docs), Furniture),
        }
    )


def load_texts(raw_dir: Path, documents: pd.DataFrame) -> dict[str, str]:
    """Raw texts of the documents table, checked against its sha256 so later stages read what ingest read."""
    texts = {}
    for row in documents.itertuples():
        text, digest = read_text(Path(raw_dir) / row.file)
        if digest != row.sha256:
            raise InputError(f"{Path(raw_dir) / row.file}: changed since ingest (sha256 differs); rerun ingest")
        texts[row.doc_id] = text
    return texts


def furniture_by_doc(furniture: pd.DataFrame) -> dict[str, list[tuple[int, int]]]:
    """Furniture spans per doc_id, as (start, end) pairs."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for row in furniture.itertuples():
        spans.setdefault(row.doc_id, []).append((int(row.start), int(row.end)))
    return spans
