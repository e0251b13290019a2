"""Stage `ingest`: manifest + raw texts -> documents and furniture tables (offsets index the texts as read_text reads them)."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from analysis.config import check_zone
from analysis.io import InputError, frame, write_tables
from analysis.schemas import Documents, Furniture
from analysis.text.furniture import Span, find_furniture, lines

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
# Byte-order marks of encodings that are not UTF-8, longest first (UTF-32 LE starts with UTF-16 LE's mark).
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_LONE_CR_RE = re.compile(r"\r(?!\n)")
_BYLINE_RE = re.compile(r"^(?:by\s+\S.{0,58}|[A-Z][\w.&' -]{1,40},)$", re.IGNORECASE)
_DATELINE_RE = re.compile(r"^([A-Z][A-Za-z.'-]+(?:[ /-][A-Z][A-Za-z.'-]+){0,3})\s*(?:\([A-Za-z]+\))?\s*[:_—–]")


@dataclass(frozen=True, slots=True)  # slots: the engine holds one per document for the whole run
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


def nfc(value: str) -> str:
    """value in Unicode NFC, the form in which ids and file names are compared ("é" typed or composed alike)."""
    return unicodedata.normalize("NFC", value)


def read_manifest(raw_dir: Path, manifest_name: str = "manifest.csv", timezone: str = "UTC") -> list[ManifestRow]:
    """Read and check DIR/manifest.csv: required columns, unique ids, publication dates/times, and one file per
    row, inside DIR (row.file is then its name there). Naive date-times are local in the row's timezone
    column, else in timezone (the event's zone)."""
    check_zone(timezone)
    path = Path(raw_dir) / manifest_name
    if not Path(raw_dir).is_dir():
        raise InputError(f"{raw_dir}: not a folder (the corpus folder holds the manifest and the texts)")
    if not path.is_file():
        raise InputError(f"{path}: manifest not found (one row per document: {', '.join(REQUIRED_COLUMNS)})")
    if not _resolved(str(path), path, manifest_name).is_relative_to(Path(raw_dir).resolve()):
        raise InputError(f"{path}: resolves to {path.resolve()}, outside the corpus folder {Path(raw_dir).resolve()}")
    text = decode_utf8(path, path.read_bytes())
    quote_line = unclosed_quote_line(text)
    if quote_line is not None:
        raise InputError(f"{path}, line {quote_line}: a quoted field starts here and is never closed (a missing '\"')")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}: header lacks required column(s) {', '.join(missing)}")
    rows: list[ManifestRow] = []
    seen: dict[str, tuple[int, str]] = {}
    line = reader.line_num + 1
    for rec in reader:
        # a record's first line: a quoted cell with a line break in it runs on over several
        rows.append(_check_row(path, line, rec, seen, timezone))
        line = reader.line_num + 1
    if not rows:
        raise InputError(f"{path}: manifest has no rows")
    return _locate_files(Path(raw_dir), path, rows)


def unclosed_quote_line(text: str) -> int | None:
    """The line on which a quoted CSV field opens and never closes, or None. The csv module (not strict) would
    swallow the rest of the file into that field and blame a later, emptied column instead."""
    line, opened, state = 1, 0, "start"  # start of a field, in a plain field, in quotes, a quote in quotes
    for k, ch in enumerate(text):
        if state == "quoted":
            state = "quote" if ch == '"' else "quoted"
        elif state == "quote" and ch == '"':
            state = "quoted"  # a doubled quote inside a quoted field
        elif ch in ",\r\n":
            state = "start"
        elif state == "start" and ch == '"':
            state, opened = "quoted", line
        elif state != "plain":
            state = "plain"  # after 'start', or text after a closing quote (csv keeps it)
        # CR, LF and CRLF each end one line, as csv counts them
        if ch == "\n" or (ch == "\r" and text[k + 1 : k + 2] != "\n"):
            line += 1
    return opened if state == "quoted" else None


def _row_zone(where: str, rec: dict, default: str) -> str:
    """The row's timezone cell (an IANA name) if filled, else default."""
    cell = _blank_to_none(rec.get("timezone"))
    if cell is None:
        return default
    try:
        return check_zone(cell)
    except ValueError:
        raise InputError(f"{where}: timezone {cell!r} is not a known IANA time zone (such as 'Asia/Karachi')") from None


def _bad_name_char(value: str, separators: bool) -> str | None:
    """Why value cannot name a document or file: a control character, or (for ids) a path separator."""
    if separators and ("/" in value or "\\" in value):
        return "contains a path separator ('/' or '\\')"
    bad = next((ch for ch in value if unicodedata.category(ch) == "Cc"), None)
    return None if bad is None else f"contains a control character (U+{ord(bad):04X})"


def _check_id(where: str, cell: str | None, seen: dict[str, tuple[int, str]], line: int) -> str:
    """The row's doc_id in NFC, checked: not empty, no path separator or control character, unique after NFC."""
    raw = (cell or "").strip()
    if not raw:
        raise InputError(f"{where}: empty doc_id")
    if why := _bad_name_char(raw, separators=True):
        raise InputError(f"{where}: doc_id {raw!r} {why}")
    doc_id = nfc(raw)
    if doc_id in seen:
        first, first_raw = seen[doc_id]
        if first_raw != raw:
            raise InputError(
                f"{where}: doc_id {raw!r} is doc_id {first_raw!r} of line {first} written in another Unicode form "
                "(they are equal after NFC normalisation); give them distinct ids"
            )
        raise InputError(f"{where}: duplicate doc_id {raw!r} (first on line {first})")
    seen[doc_id] = (line, raw)
    return doc_id


def _check_row(path: Path, line: int, rec: dict, seen: dict[str, tuple[int, str]], timezone: str) -> ManifestRow:
    """Check one manifest record; every error names the manifest line."""
    where = f"{path}, line {line}"
    doc_id = _check_id(where, rec.get("doc_id"), seen, line)
    file = _blank_to_none(rec.get("file"))
    if file is not None and (why := _bad_name_char(file, separators=False)):
        raise InputError(f"{where}: file {file!r} {why}")
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
        file=file or f"{doc_id}.txt",
        outlet=outlet,
        agency=_blank_to_none(rec.get("agency")),
        published_on=published_on,
        published_at=published_at,
        url=_blank_to_none(rec.get("url")),
        line=line,
    )


def _folder_names(raw_dir: Path) -> dict[str, list[str]]:
    """NFC form -> names of the entries of raw_dir with that form (two only if one is NFC and one is not)."""
    names: dict[str, list[str]] = {}
    for name in sorted(os.listdir(raw_dir)):  # names, not Paths: a corpus folder may hold a million entries
        names.setdefault(nfc(name), []).append(name)
    return names


def _on_disk(where: str, names: dict[str, list[str]], value: str) -> str:
    """The folder's name for a manifest file value, matched in NFC (macOS writes NFD names, editors type NFC);
    a path with folders in it is taken as written."""
    found = names.get(nfc(Path(value).as_posix()), [value])
    if len(found) > 1:
        raise InputError(f"{where}: file {value!r} matches {found} (one name in two Unicode forms); rename one")
    return found[0]


def _resolved(where: str, path: Path, value: str) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise InputError(f"{where}: file {value!r} cannot be resolved ({exc})") from None


def _locate_files(raw_dir: Path, manifest: Path, rows: list[ManifestRow]) -> list[ManifestRow]:
    """Rows with file set to its name in raw_dir (matched in NFC); each file resolves, symlinks followed, to a
    distinct regular file inside raw_dir other than the manifest, so no row reads anything outside the corpus."""
    root = raw_dir.resolve()
    names = _folder_names(raw_dir)
    me = manifest.resolve()
    owner: dict[str, int] = {}  # by path string: a Path per document is several times its size
    for n, row in enumerate(rows):
        where = f"{manifest}, line {row.line}"
        if Path(row.file).is_absolute():
            raise InputError(f"{where}: file {row.file!r} is an absolute path, not a name inside {root}")
        path = raw_dir / _on_disk(where, names, row.file)
        target = _resolved(where, path, row.file)
        if not target.is_relative_to(root):
            raise InputError(f"{where}: file {row.file!r} resolves to {target}, outside the corpus folder {root}")
        if target == me:
            raise InputError(f"{where}: file {row.file!r} is the manifest itself")
        if target.exists() and not target.is_file():
            raise InputError(f"{where}: file {row.file!r} is not a regular file (a folder, a pipe or a device)")
        if not target.is_file():
            raise InputError(f"{where}: file {row.file!r} not found in {raw_dir}")
        key = str(target)
        if key in owner:
            raise InputError(f"{where}: file {row.file!r} is already the file of line {owner[key]} (one file per row)")
        owner[key] = row.line
        rows[n] = replace(row, file=path.relative_to(raw_dir).as_posix())  # in place: not two lists of rows at once
    return rows


def decode_utf8(path: Path, data: bytes) -> str:
    """data as UTF-8 text without a leading byte-order mark (Excel writes one); any other encoding is an error
    naming the file."""
    for bom, name in _FOREIGN_BOMS:
        if data.startswith(bom):
            raise InputError(f"{path}: encoded as {name} (it starts with a {name} byte-order mark); save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        # no text holds NUL: many (every other byte of ASCII) is UTF-16 saved without its byte-order mark
        if data.count(b"\x00") * 4 >= len(data):
            raise InputError(f"{path}: contains NUL bytes (UTF-16 without a byte-order mark?); save it as UTF-8")
        line = _LONE_CR_RE.sub("\n", data[:nul].decode("utf-8", "replace")).count("\n") + 1
        raise InputError(f"{path}: a NUL byte at offset {nul}, line {line} (no text holds one)")
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = skip + exc.start
        line = _LONE_CR_RE.sub("\n", data[:at].decode("utf-8", "replace")).count("\n") + 1
        raise InputError(
            f"{path}: not UTF-8 (byte 0x{data[at]:02x} at offset {at}, line {line}); save it as UTF-8"
        ) from None
    return text


def read_text(path: Path) -> tuple[str, str]:
    """A raw file as every stage reads it, with the sha256 of its bytes: UTF-8, a leading byte-order mark
    dropped, each lone CR read as LF. The swap is one character for one, so offsets stay those of the decoded
    text, and the line logic (split on LF) sees old Mac line ends as line ends; CRLF is left as it is."""
    data = path.read_bytes()
    text = _LONE_CR_RE.sub("\n", decode_utf8(path, data))
    if not text.strip():
        raise InputError(f"{path}: file is empty")
    return text, hashlib.sha256(data).hexdigest()


def load_corpus(
    raw_dir: Path, manifest_name: str = "manifest.csv", *, timezone: str = "UTC", **furniture_params
) -> list[RawDoc]:
    """Manifest rows matched one-to-one with the .txt files of raw_dir, decoded, furniture found; timezone is
    the event's zone, in which naive publication times are read."""
    rows = manifest_rows(raw_dir, manifest_name, timezone=timezone)
    return [load_document(raw_dir, row, furniture_params) for row in rows]


def manifest_rows(raw_dir: Path, manifest_name: str = "manifest.csv", *, timezone: str = "UTC") -> list[ManifestRow]:
    """The checked manifest rows, which must list every .txt file of raw_dir."""
    raw_dir = Path(raw_dir)
    rows = read_manifest(raw_dir, manifest_name, timezone)
    listed = {r.file for r in rows}
    unlisted = sorted(p.name for p in raw_dir.glob("*.txt") if p.name not in listed)
    if unlisted:
        raise InputError(f"{raw_dir / unlisted[0]}: raw file has no manifest row (all unlisted: {unlisted})")
    return rows


def load_document(raw_dir: Path, row: ManifestRow, furniture_params: dict) -> RawDoc:
    """One manifest row's text, decoded, with its furniture found."""
    text, digest = read_text(Path(raw_dir) / row.file)
    return RawDoc(row, text, digest, find_furniture(text, **furniture_params))


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


def document_record(d: RawDoc) -> dict:
    """A document's row of the documents table."""
    fchars = sum(sp.end - sp.start for sp in d.furniture)
    return {
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


def furniture_records(d: RawDoc) -> list[dict]:
    """A document's rows of the furniture table."""
    return [
        {
            "furniture_id": f"{d.row.doc_id}:{sp.start}",
            "doc_id": d.row.doc_id,
            "start": sp.start,
            "end": sp.end,
            "kind": sp.kind,
            "cue": sp.cue,
            "text": d.text[sp.start : sp.end],
        }
        for sp in d.furniture
    ]


def documents_frame(docs: list[RawDoc]) -> pd.DataFrame:
    """One row per document (schema: Documents)."""
    return frame([document_record(d) for d in docs], Documents)


def furniture_frame(docs: list[RawDoc]) -> pd.DataFrame:
    """One row per furniture span (schema: Furniture)."""
    return frame([r for d in docs for r in furniture_records(d)], Furniture)


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
