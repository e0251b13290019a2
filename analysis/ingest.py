"""Stage `ingest`: manifest + raw texts -> documents and furniture tables (raw text never altered)."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from analysis.config import check_zone
from analysis.furniture import Span, find_furniture, lines
from analysis.io import InputError, frame, write_tables
from analysis.schemas import Documents, Furniture

REQUIRED_COLUMNS = ("doc_id", "outlet", "published_on")
OPTIONAL_COLUMNS = ("file", "agency", "timezone", "url", "evidence")
PUBLISHED_FORMS = "an ISO date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM[:SS[.ffffff]], optional Z or +HH:MM)"
YEARS = (1900, 2100)  # a publication time outside these years is a typo, not a news text
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Stricter than datetime.fromisoformat, which (3.11+) also takes '20070710', week dates, a space for 'T' and
# offsets such as '+05:99'; the optional offset seconds are what isoformat() writes for old local-mean-time zones.
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?)?$"
)
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
    published_at: datetime | None  # UTC; None when the manifest gives only a date
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


def _check_year(year: int, value: str) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"{value!r} is out of range (years {YEARS[0]}-{YEARS[1]})")


def _localize(naive: datetime, timezone: str, value: str) -> datetime:
    """A naive local time made aware in timezone; an ambiguous time (clocks going back) is its first occurrence."""
    moment = naive.replace(tzinfo=ZoneInfo(timezone))
    # zoneinfo silently shifts a wall time the clocks skipped; such a time was never read off a clock there
    if moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) != naive:
        raise ValueError(f"{value!r} does not exist in {timezone} (the clocks skipped it)")
    return moment


def _parsed(parse, value: str):
    """parse(value), its ValueError ('month must be in 1..12') reworded as the one rule for the column."""
    try:
        return parse(value)
    except ValueError:
        raise ValueError(f"{value!r} is not {PUBLISHED_FORMS}") from None


def parse_published(value: str, timezone: str) -> tuple[date, datetime | None]:
    """(local calendar date, UTC instant or None) of a published_on value; a naive time is local in timezone."""
    value = value.strip()
    if _DATE_RE.match(value):
        day = _parsed(date.fromisoformat, value)
        _check_year(day.year, value)
        return day, None
    if not _DATETIME_RE.match(value):
        raise ValueError(f"{value!r} is not {PUBLISHED_FORMS}")
    moment = _parsed(datetime.fromisoformat, value)
    _check_year(moment.year, value)
    if moment.tzinfo is None:
        moment = _localize(moment, timezone, value)
    # the date in the value's own offset (or zone): the calendar day the outlet printed
    return moment.date(), moment.astimezone(UTC)


def read_manifest(raw_dir: Path, manifest_name: str = "manifest.csv", timezone: str = "UTC") -> list[ManifestRow]:
    """Read and check DIR/manifest.csv: required columns, unique ids, publication dates/times, files present.
    Naive date-times are local in the row's timezone column, else in timezone (the event's zone)."""
    check_zone(timezone)
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
            rows.append(_check_row(path, reader.line_num, rec, seen, timezone))
    if not rows:
        raise InputError(f"{path}: manifest has no rows")
    return rows


def _row_zone(where: str, rec: dict, default: str) -> str:
    """The row's timezone cell (an IANA name) if filled, else default."""
    cell = _blank_to_none(rec.get("timezone"))
    if cell is None:
        return default
    try:
        return check_zone(cell)
    except ValueError:
        raise InputError(f"{where}: timezone {cell!r} is not a known IANA time zone (such as 'Asia/Karachi')") from None


def _check_row(path: Path, line: int, rec: dict, seen: dict[str, int], timezone: str) -> ManifestRow:
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
    zone = _row_zone(where, rec, timezone)
    try:
        published_on, published_at = parse_published(rec.get("published_on") or "", zone)
    except ValueError as exc:
        raise InputError(f"{where}: published_on {exc}") from None
    return ManifestRow(
        doc_id=doc_id,
        file=_blank_to_none(rec.get("file")) or f"{doc_id}.txt",
        outlet=outlet,
        agency=_blank_to_none(rec.get("agency")),
        published_on=published_on,
        published_at=published_at,
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


def load_corpus(
    raw_dir: Path, manifest_name: str = "manifest.csv", *, timezone: str = "UTC", **furniture_params
) -> list[RawDoc]:
    """Manifest rows matched one-to-one with the .txt files of raw_dir, decoded, furniture found; timezone is
    the event's zone, in which naive publication times are read."""
    raw_dir = Path(raw_dir)
    rows = read_manifest(raw_dir, manifest_name, timezone)
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
                "published_at": d.row.published_at,
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
    raw_dir: Path,
    out_dir: Path,
    manifest_name: str = "manifest.csv",
    furniture_params: dict | None = None,
    timezone: str = "UTC",
) -> None:
    """Read the corpus, validate both tables, then write them atomically; timezone is the event's zone (naive
    publication times are local there unless the manifest row names its own). "UTC" only for old callers."""
    docs = load_corpus(raw_dir, manifest_name, timezone=timezone, **(furniture_params or {}))
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
