"""Command `import`: a CSV or JSON Lines export of articles -> raw/<id>.txt files and the manifest ingest reads."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

from analysis.io import InputError, file_mode
from analysis.stages.ingest import (
    PUBLISHED_FORMS,
    decode_utf8,
    nfc,
    parse_published,
    read_manifest,
    unclosed_quote_line,
)

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("doc_id", "outlet", "published_on", "agency", "url")
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
# An id becomes a file name: <id>.txt inside raw/ on any system (Windows' reserved characters too).
_UNSAFE_ID_CHARS = set('/\\:*?"<>|')
MAX_ID_BYTES = 200
# '2023-06-06 14:22' and '2023-06-06 14:22:05+02:00': ISO with a space for the 'T', as spreadsheets write it.
_SPACED_ISO_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}.*)$")
_ISO_START_RE = re.compile(r"^\d{4}-\d")
RFC_EXAMPLE = "Tue, 06 Jun 2023 14:22:00 +0000"
# Articles longer than csv's default field limit (128 KiB) are rare but real; a corrupt file still fails
# on its unclosed quote (checked before parsing).
csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True)
class Columns:
    """Which column of the export holds each manifest field (url and agency are optional)."""

    id: str = "id"
    outlet: str = "outlet"
    published: str = "published"
    text: str = "text"
    url: str = "url"
    agency: str = "agency"

    def required(self) -> dict[str, str]:
        return {"id": self.id, "outlet": self.outlet, "published": self.published, "text": self.text}


@dataclass(frozen=True)
class Article:
    """One checked row of the export."""

    doc_id: str
    outlet: str
    published_on: str
    agency: str
    url: str
    text: str
    line: int


def unsafe_id(doc_id: str) -> str | None:
    """Why doc_id cannot name a file raw/<doc_id>.txt, or None."""
    if doc_id in (".", "..") or doc_id.startswith("."):
        return "starts with '.' (a hidden file, or a path step)"
    bad = sorted({ch for ch in doc_id if ch in _UNSAFE_ID_CHARS})
    if bad:
        return f"contains {' '.join(repr(ch) for ch in bad)} (path separators and characters not allowed in file names)"
    control = next((ch for ch in doc_id if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")), None)
    if control is not None:
        return f"contains an invisible or control character (U+{ord(control):04X})"
    if doc_id != doc_id.strip():
        return "starts or ends with a space"
    if len(doc_id.encode("utf-8")) > MAX_ID_BYTES:
        return f"is longer than {MAX_ID_BYTES} bytes (it becomes a file name)"
    return None


def published_iso(value: str) -> str:
    """The publication time as the manifest takes it (ISO 8601), from ISO, ISO with a space, or RFC 2822
    ('Tue, 06 Jun 2023 14:22:00 +0000', as RSS feeds write it); a ValueError says which forms work."""
    value = value.strip()
    spaced = _SPACED_ISO_RE.match(value)
    candidate = f"{spaced.group(1)}T{spaced.group(2)}" if spaced else value
    try:
        parse_published(candidate, "UTC")  # the manifest's own check (form and year); the zone comes at ingest
        return candidate
    except ValueError:
        if _ISO_START_RE.match(candidate):  # meant as ISO: its own error says what is wrong
            raise
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"{value!r} is not {PUBLISHED_FORMS}, nor RFC 2822 as in RSS ({RFC_EXAMPLE!r})") from None
    text = moment.isoformat(timespec="minutes" if moment.second == 0 else "seconds")
    parse_published(text, "UTC")  # the year range
    return text


def detect_format(path: Path, given: str | None) -> str:
    """'csv' or 'jsonl': given, else from the file's suffix."""
    if given:
        return given
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: cannot tell the format from the suffix {path.suffix!r}; give --format csv or jsonl")
    return fmt


def _records_csv(path: Path, text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and (first line, record) pairs of a CSV export."""
    quote_line = unclosed_quote_line(text)
    if quote_line is not None:
        raise InputError(f"{path}, line {quote_line}: a quoted field starts here and is never closed (a missing '\"')")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path}: the file is empty (a header row naming the columns is needed)") from None
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(f"{path}, line 1: column(s) {', '.join(map(repr, dupes))} appear twice in the header")
    records, line = [], reader.line_num + 1
    for cells in reader:
        if cells and len(cells) != len(header):
            raise InputError(f"{path}, line {line}: {len(cells)} cells for the header's {len(header)} columns")
        if cells:  # a blank line holds no record
            records.append((line, dict(zip(header, cells, strict=True))))
        line = reader.line_num + 1
    return header, records


def _records_jsonl(path: Path, text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The keys seen and (line, record) pairs of a JSON Lines export (one object per line)."""
    records, keys = [], {}
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue  # a blank line holds no record
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}, line {line}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(rec, dict):
            raise InputError(f"{path}, line {line}: a JSON object with the article's fields is needed, found "
                             f"{type(rec).__name__}")  # fmt: skip
        keys.update(dict.fromkeys(rec))
        records.append((line, rec))
    return list(keys), records


def _cell(where: str, rec: dict, column: str, field: str, required: bool) -> str:
    """One field as text: JSON numbers become text (ids often are), other non-strings are errors."""
    value = rec.get(column)
    if value is None:
        value = ""
    elif isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(f"{where}: {field} (column {column!r}) is {type(value).__name__}, not text")
    value = str(value)
    if required and not value.strip():
        raise InputError(f"{where}: empty {field} (column {column!r})")
    return value


def _article(where: str, line: int, rec: dict, columns: Columns) -> Article:
    """One record checked: a safe id, an outlet, a publication time the manifest takes, some text."""
    doc_id = nfc(_cell(where, rec, columns.id, "id", required=True))
    if why := unsafe_id(doc_id):
        raise InputError(f"{where}: id {doc_id!r} {why}")
    outlet = _cell(where, rec, columns.outlet, "outlet", required=True).strip()
    published = _cell(where, rec, columns.published, "published time", required=True)
    try:
        published_on = published_iso(published)
    except ValueError as exc:
        raise InputError(f"{where}: published time {exc}") from None
    text = _cell(where, rec, columns.text, "text", required=True)
    url = _cell(where, rec, columns.url, "url", required=False).strip()
    agency = _cell(where, rec, columns.agency, "agency", required=False).strip()
    return Article(doc_id, outlet, published_on, agency, url, text, line)


def read_articles(path: Path, columns: Columns = Columns(), fmt: str | None = None) -> tuple[list[Article], list[str]]:
    """Every article of the export, checked (one error naming the line for the first bad one), and the
    columns left unused."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    text = decode_utf8(path, path.read_bytes())
    fmt = detect_format(path, fmt)
    header, records = _records_csv(path, text) if fmt == "csv" else _records_jsonl(path, text)
    missing = [f"{col!r} ({field})" for field, col in columns.required().items() if col not in header]
    if missing and (fmt == "csv" or records):
        raise InputError(
            f"{path}: no column {', '.join(missing)}; columns found: {', '.join(map(repr, header)) or 'none'}"
            " (name yours with --id-column, --outlet-column, --published-column, --text-column)"
        )
    if not records:
        raise InputError(f"{path}: no articles in the file")
    seen: dict[str, int] = {}
    articles = []
    for line, rec in records:
        where = f"{path}, line {line}"
        art = _article(where, line, rec, columns)
        key = art.doc_id.casefold()  # one file per id on a case-insensitive file system too
        if key in seen:
            raise InputError(f"{where}: id {art.doc_id!r} is already the id of line {seen[key]} (ids name files)")
        seen[key] = line
        articles.append(art)
    used = {columns.id, columns.outlet, columns.published, columns.text, columns.url, columns.agency}
    return articles, [h for h in header if h not in used]


def _check_empty(raw_dir: Path) -> None:
    """raw/ may hold nothing but a manifest template (a header, no rows): an import never mixes corpora."""
    texts = sorted(p.name for p in raw_dir.glob("*.txt"))
    if texts:
        raise InputError(f"{raw_dir}: already holds {len(texts)} text(s) ({texts[0]}, ...); import into a new folder")
    manifest = raw_dir / MANIFEST
    if manifest.is_file():
        rows = [r for r in csv.reader(io.StringIO(decode_utf8(manifest, manifest.read_bytes()))) if r]
        if len(rows) > 1:
            raise InputError(f"{manifest}: already lists {len(rows) - 1} document(s); import into a new folder")


def _write_stage(stage: Path, articles: list[Article]) -> None:
    """The texts and the manifest, in the layout ingest reads (file = <doc_id>.txt, the default)."""
    for art in articles:
        # newline="" writes the text's own line ends: offsets are into the file as written
        with open(stage / f"{art.doc_id}.txt", "w", encoding="utf-8", newline="") as fh:
            fh.write(art.text)
    with open(stage / MANIFEST, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(MANIFEST_COLUMNS)
        for art in articles:
            writer.writerow([art.doc_id, art.outlet, art.published_on, art.agency, art.url])
    for path in stage.iterdir():
        os.chmod(path, file_mode())


def import_articles(path: Path, into: Path, columns: Columns = Columns(), fmt: str | None = None) -> list[Path]:
    """Write into/raw/<id>.txt for every article and into/raw/manifest.csv: all of them or, on any bad row,
    nothing. The written folder is read back as ingest reads it. Returns the files written."""
    articles, unused = read_articles(path, columns, fmt)
    raw_dir = Path(into) / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    _check_empty(raw_dir)
    stage = Path(tempfile.mkdtemp(prefix=".import-", dir=raw_dir))
    try:
        _write_stage(stage, articles)
        try:
            read_manifest(stage, MANIFEST, "UTC")
        except InputError as exc:  # a row this module let through that ingest refuses: a bug here
            raise InputError(f"{path}: the manifest written from it does not read back: {exc}") from None
        written = []
        for art in articles:
            os.replace(stage / f"{art.doc_id}.txt", raw_dir / f"{art.doc_id}.txt")
            written.append(raw_dir / f"{art.doc_id}.txt")
        os.replace(stage / MANIFEST, raw_dir / MANIFEST)  # last: a manifest only once its texts are in place
        written.append(raw_dir / MANIFEST)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    if unused:
        print(f"import: columns not used: {', '.join(unused)}", file=sys.stderr)
    return written
