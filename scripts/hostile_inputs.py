"""Hostile and careless input against the CLI (issue 15): each case run in a temp folder, its outcome classified.

Usage: python scripts/hostile_inputs.py [--jobs N] [--only SUBSTRING] [--keep]

Every case runs `python -m analysis ...` as a user would, in its own temp folder, with a timeout, and is
classified as one of:
  rejected cleanly   exit 2, one line naming the file, line, key or option, nothing written
  poor message       rejected, but the message is not one line or does not name what is wrong
  traceback          a Python traceback reached the user
  partial output     a rejected or killed run changed the tables already there, or left temp files
  hang               the timeout passed, or a long input cost more than linear time
  silently wrong     exit 0 on a bad input, or a wrong result on a valid one
  refused valid      a valid input was rejected
  ok                 a valid input handled right (or a killed run left the previous set whole)
It prints a markdown table of the counts, then one line per case.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "raw"
PY = sys.executable
OUTCOMES = ("rejected cleanly", "poor message", "traceback", "partial output", "hang", "silently wrong",
            "refused valid", "ok")  # fmt: skip
SET = ("documents", "furniture", "times", "claims", "sources")
TOLL = ("toll_timeline", "toll_consensus", "toll_parts")
# Both seeds used as "this corpus" are dated inside params.yaml's window (10-12 July 2007), as is every
# synthetic article: the project's own window applies and no warning line is printed.
DAY = "2007-07-10"
HEADLINE = "Troops storm the mosque after talks fail"
BODY = (
    "ISLAMABAD: Pakistani troops stormed the Red Mosque on Tuesday after talks with the clerics failed, "
    "officials said.\nThe military said at least 20 militants were killed in the fighting and 15 were injured.\n"
)


# --- running the CLI ------------------------------------------------------------------------------------------


@dataclass
class Result:
    rc: int | None  # None: timed out
    out: str
    err: str
    seconds: float


def cli(argv: list[str], cwd: Path, timeout: float = 60, env: dict | None = None, wrap: list[str] = ()) -> Result:
    """python -m analysis argv, in cwd, with a timeout (the whole process group is killed when it passes)."""
    environ = {k: v for k, v in os.environ.items() if k != "TOLLWATCH_PARAMS"}
    environ.update({"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", **(env or {})})
    start = time.perf_counter()
    proc = subprocess.Popen([*wrap, PY, "-m", "analysis", *argv], cwd=cwd, env=environ, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True)  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout)
        return Result(proc.returncode, out, err, time.perf_counter() - start)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return Result(None, out, err, time.perf_counter() - start)


def extract_args(raw: Path, out: Path, *more: str) -> list[str]:
    return ["extract", "--raw-dir", str(raw), "--out-dir", str(out), "--workers", "1", *more]


# --- building inputs --------------------------------------------------------------------------------------------


def write_manifest(raw: Path, rows: list[list[str]], header=("doc_id", "file", "outlet", "published_on"),
                   encoding: str = "utf-8", bom: bool = False, newline: str = "\n") -> Path:  # fmt: skip
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows([list(header), *rows])
    raw.mkdir(parents=True, exist_ok=True)
    data = buf.getvalue().encode(encoding)
    (raw / "manifest.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return raw / "manifest.csv"


def article(raw: Path, doc_id: str, text: str = "", *, name: str | None = None, data: bytes | None = None) -> str:
    """Write raw/<name or doc_id.txt>; returns the file name."""
    raw.mkdir(parents=True, exist_ok=True)
    name = name or f"{doc_id}.txt"
    (raw / name).write_bytes(data if data is not None else (text or f"{HEADLINE}\n{BODY}").encode("utf-8"))
    return name


def corpus(raw: Path, texts: dict[str, str], published: str = DAY) -> Path:
    """A corpus of synthetic articles, one manifest row each (outlet = 'Outlet <n>')."""
    rows = []
    for k, (doc_id, text) in enumerate(texts.items()):
        rows.append([doc_id, article(raw, doc_id, text), f"Outlet {k}", published])
    write_manifest(raw, rows)
    return raw


def seeds(raw: Path, prefixes=("002", "003")) -> Path:
    """Seed articles with their real manifest rows."""
    raw.mkdir(parents=True, exist_ok=True)
    manifest = list(csv.DictReader((SEEDS / "manifest.csv").open(encoding="utf-8")))
    rows = [r for r in manifest if r["doc_id"][:3] in prefixes]
    for r in rows:
        shutil.copy(SEEDS / r["file"], raw / r["file"])
    write_manifest(raw, [[r["doc_id"], r["file"], r["outlet"], r["published_on"]] for r in rows])
    return raw


# --- what a run left behind -------------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (the lock file aside: it is the lock, not an output), and hidden folders."""
    if not folder.exists():
        return {}
    snap = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.name == ".tollwatch.lock":
            continue
        if p.is_file():
            snap[rel] = p.read_bytes()
        elif p.is_dir() and p.name.startswith("."):
            snap[rel + "/"] = b""
    return snap


def fingerprints(out: Path, names=SET) -> set:
    import pyarrow.parquet as pq

    found = set()
    for n in names:
        path = out / f"{n}.parquet"
        if path.exists():
            found.add((pq.ParquetFile(path).schema_arrow.metadata or {}).get(b"tollwatch.corpus"))
    return found


def table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{name}.parquet")


# --- cases --------------------------------------------------------------------------------------------------------


@dataclass
class Spec:
    """One CLI run and how to judge it."""

    argv: list[str]
    names: tuple[str, ...] = ()  # what a clean rejection's line must mention
    check: Callable[[Result], str | None] | None = None  # ok cases: None when the result is right, else what is wrong
    keep: tuple[Path, ...] = ()  # folders a rejected run must leave exactly as they were
    timeout: float = 60
    env: dict = field(default_factory=dict)
    wrap: list[str] = field(default_factory=list)
    cwd: Path | None = None


@dataclass
class Case:
    name: str
    group: str
    expect: str  # "reject" or "ok"
    build: Callable[[Path], Spec | Callable[[], tuple[str, str]]]
    serial: bool = False  # timing-sensitive: run alone, after the others


CASES: list[Case] = []


def case(name: str, group: str, expect: str = "reject", serial: bool = False):
    def register(fn):
        CASES.append(Case(name, group, expect, fn, serial))
        return fn

    return register


def reject_extract(tmp: Path, raw: Path, *names: str, more=(), timeout: float = 60) -> Spec:
    """An extract run that must be refused, into an out folder holding a previous set that must survive."""
    out = previous_set(tmp / "out")
    return Spec(extract_args(raw, out, *more), names, keep=(out,), timeout=timeout)


_TEMPLATE: Path | None = None


def previous_set(out: Path) -> Path:
    """A copy of a complete earlier set (seeds 000 and 004, extracted and timelined) in out."""
    shutil.copytree(_TEMPLATE, out)
    return out


def make_template(root: Path) -> Path:
    raw = seeds(root / "template-raw", ("000", "004"))
    out = root / "template"
    for argv in (extract_args(raw, out), ["timeline", "--out-dir", str(out)]):
        r = cli(argv, root)
        if r.rc != 0:
            raise SystemExit(f"cannot make the previous set: {r.err}")
    (out / ".tollwatch.lock").unlink()
    return out


def ok_extract(tmp: Path, raw: Path, check: Callable[[Path], str | None], more=(), timeout: float = 60) -> Spec:
    out = tmp / "out"
    return Spec(extract_args(raw, out, *more), check=lambda r: check(out), timeout=timeout)


def one_doc(tmp: Path, text: str | None = None, data: bytes | None = None) -> Path:
    raw = tmp / "raw"
    name = article(raw, "a", text or "", data=data)
    write_manifest(raw, [["a", name, "Outlet", DAY]])
    return raw


# paths -----------------------------------------------------------------------------------------------------


def _escape_row(tmp: Path, file_value: str) -> Spec:
    raw = tmp / "raw"
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", "Outlet", DAY], ["b", file_value, "Outlet", DAY]])
    return reject_extract(tmp, raw, "manifest.csv", "line 3")


for value in ("/etc/passwd", "../../etc/hostname", "../outside.txt", "sub/../../outside.txt", "./../outside.txt"):
    case(f"manifest file {value!r}", "paths")(lambda tmp, v=value: _prep_outside(tmp) or _escape_row(tmp, v))


def _prep_outside(tmp: Path) -> None:
    (tmp / "outside.txt").write_text("SECRET outside the corpus. 99 people were killed.\n", encoding="utf-8")
    (tmp / "raw" / "sub").mkdir(parents=True, exist_ok=True)


@case("symlink to a file outside the folder", "paths")
def _(tmp):
    _prep_outside(tmp)
    raw = tmp / "raw"
    (raw / "b.txt").symlink_to(tmp / "outside.txt")
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", "O", DAY], ["b", "b.txt", "O", DAY]])
    return reject_extract(tmp, raw, "line 3", "outside")


@case("symlink to /etc/hostname, default file name", "paths")
def _(tmp):
    raw = tmp / "raw"
    raw.mkdir()
    (raw / "b.txt").symlink_to("/etc/hostname")
    write_manifest(raw, [["b", "", "O", DAY]])
    return reject_extract(tmp, raw, "line 2", "outside")


@case("symlinked folder leading outside", "paths")
def _(tmp):
    _prep_outside(tmp)
    raw = tmp / "raw"
    (raw / "link").symlink_to(tmp)
    write_manifest(raw, [["b", "link/outside.txt", "O", DAY]])
    return reject_extract(tmp, raw, "line 2", "outside")


@case("symlink to /dev/zero", "paths")
def _(tmp):
    raw = tmp / "raw"
    raw.mkdir()
    (raw / "z.txt").symlink_to("/dev/zero")
    write_manifest(raw, [["z", "z.txt", "O", DAY]])
    return reject_extract(tmp, raw, "line 2", timeout=30)


@case("a named pipe as the article", "paths")
def _(tmp):
    raw = tmp / "raw"
    raw.mkdir()
    os.mkfifo(raw / "p.txt")
    write_manifest(raw, [["p", "p.txt", "O", DAY]])
    return reject_extract(tmp, raw, "line 2", timeout=30)


@case("symlink loop", "paths")
def _(tmp):
    raw = tmp / "raw"
    raw.mkdir()
    (raw / "x.txt").symlink_to("y.txt")
    (raw / "y.txt").symlink_to("x.txt")
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", "O", DAY], ["x", "x.txt", "O", DAY]])
    return reject_extract(tmp, raw, "line 3")


for _id in ("../outside", "..\\outside", "sub/a", "/etc/passwd"):

    @case(f"doc_id {_id!r}, default file <doc_id>.txt", "paths")
    def _(tmp, doc_id=_id):
        _prep_outside(tmp)
        raw = tmp / "raw"
        article(raw, "a")
        write_manifest(raw, [["a", "", "O", DAY], [doc_id, "", "O", DAY]])
        return reject_extract(tmp, raw, "line 3", "doc_id")


for _value in ("manifest.csv", "./manifest.csv", "MANIFEST.csv"):

    @case(f"file {_value!r}: the manifest itself", "paths")
    def _(tmp, value=_value):
        raw = tmp / "raw"
        article(raw, "a")
        write_manifest(raw, [["a", "a.txt", "O", DAY], ["m", value, "O", DAY]])
        return reject_extract(tmp, raw, "line 3")


@case("two ids naming one file", "paths")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", "O1", DAY], ["b", "a.txt", "O2", DAY]])
    return reject_extract(tmp, raw, "line 3", "a.txt")


@case("two ids, one file through a symlink", "paths")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    (raw / "b.txt").symlink_to("a.txt")
    write_manifest(raw, [["a", "a.txt", "O1", DAY], ["b", "b.txt", "O2", DAY]])
    return reject_extract(tmp, raw, "line 3", "b.txt")


@case("two ids, one file written a.txt and ./a.txt", "paths")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", "O1", DAY], ["b", "./a.txt", "O2", DAY]])
    return reject_extract(tmp, raw, "line 3")


@case("file is the raw folder itself ('.')", "paths")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", "O", DAY], ["b", ".", "O", DAY]])
    return reject_extract(tmp, raw, "line 3")


@case("file with a newline in it", "paths")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", "O", DAY], ["b", "b\n.txt", "O", DAY]])
    return reject_extract(tmp, raw, "line 3")


@case("duplicate doc_id", "manifest")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    article(raw, "b")
    write_manifest(raw, [["a", "a.txt", "O", DAY], ["a", "b.txt", "O", DAY]])
    return reject_extract(tmp, raw, "line 3", "doc_id")


@case("doc_ids equal after NFC (one NFD, one NFC)", "manifest")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "x")
    article(raw, "y")
    nfd = unicodedata.normalize("NFD", "café")
    write_manifest(raw, [["café", "x.txt", "O", DAY], [nfd, "y.txt", "O", DAY]])
    return reject_extract(tmp, raw, "line 3", "NFC")


@case("a .txt file with no manifest row", "manifest")
def _(tmp):
    raw = one_doc(tmp)
    article(raw, "stray")
    return reject_extract(tmp, raw, "stray.txt")


@case("manifest file missing", "manifest")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    return reject_extract(tmp, raw, "manifest.csv")


@case("manifest with no rows", "manifest")
def _(tmp):
    raw = tmp / "raw"
    write_manifest(raw, [])
    return reject_extract(tmp, raw, "manifest.csv")


@case("manifest lacks the outlet column", "manifest")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", DAY]], header=("doc_id", "file", "published_on"))
    return reject_extract(tmp, raw, "manifest.csv", "outlet")


@case("manifest row with a NUL byte", "manifest")
def _(tmp):
    raw = one_doc(tmp)
    (raw / "manifest.csv").write_bytes(b"doc_id,file,outlet,published_on\na,a.txt,O\x00,2007-07-10\n")
    return reject_extract(tmp, raw, "manifest.csv")


@case("manifest row naming a missing file", "manifest")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", "O", DAY], ["b", "gone.txt", "O", DAY]])
    return reject_extract(tmp, raw, "line 3", "gone.txt")


@case("--manifest ../elsewhere.csv (outside the raw folder)", "options")
def _(tmp):
    raw = one_doc(tmp)
    shutil.copy(raw / "manifest.csv", tmp / "elsewhere.csv")
    return Spec(extract_args(raw, previous_set(tmp / "out"), "--manifest", "../elsewhere.csv"),
                ("--manifest",), keep=(tmp / "out",))  # fmt: skip


@case("--manifest /etc/passwd", "options")
def _(tmp):
    raw = one_doc(tmp)
    return Spec(extract_args(raw, previous_set(tmp / "out"), "--manifest", "/etc/passwd"), ("--manifest",),
                keep=(tmp / "out",))  # fmt: skip


# dates -------------------------------------------------------------------------------------------------------------

for _value in ("0001-01-01", "9999-12-31", "2007-02-30", "2007-07-10T25:00", "2007-07-10T12:00+99:00", "10/07/2007",
               "20070710", ""):  # fmt: skip

    @case(f"published_on {_value!r}", "dates")
    def _(tmp, value=_value):
        raw = tmp / "raw"
        article(raw, "a")
        write_manifest(raw, [["a", "a.txt", "O", value]])
        return reject_extract(tmp, raw, "line 2", "published_on")


@case("timezone column 'Mars/Olympus'", "dates")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", "O", "2007-07-10T12:00", "Mars/Olympus"]],
                   header=("doc_id", "file", "outlet", "published_on", "timezone"))  # fmt: skip
    return reject_extract(tmp, raw, "line 2", "Mars/Olympus")


@case("a local time the clocks skipped (Europe/Berlin 2007-03-25T02:30)", "dates")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    write_manifest(raw, [["a", "a.txt", "O", "2007-03-25T02:30", "Europe/Berlin"]],
                   header=("doc_id", "file", "outlet", "published_on", "timezone"))  # fmt: skip
    return reject_extract(
        tmp, raw, "line 2", "skipped", more=("--event-start", "2007-03-24", "--event-end", "2007-03-26")
    )


for _text in ("The siege ended on 31 December 9999, when 12 people were killed.",
              "Records from 0001-01-01 show 12 people were killed on 1 January 0001.",
              "In the year 10000 BC and in the 99999th century 12 people were killed.",
              "By 23:59:60 on 2007-07-10T24:00 some 12 people were killed; on February 30 more died."):  # fmt: skip

    @case(f"article text with extreme dates: {_text[:40]!r}", "dates", expect="ok")
    def _(tmp, text=_text):
        raw = one_doc(tmp, f"{HEADLINE}\n{text}\n")
        return ok_extract(tmp, raw, lambda out: None if len(table(out, "documents")) == 1 else "no document")


# counts ------------------------------------------------------------------------------------------------------------


def _no_huge_count(out: Path) -> str | None:
    """No claim beyond the bound quantities.py documents (a count above it is not read as a count)."""
    from analysis.extract.quantities import MAX_PEOPLE

    claims = table(out, "claims")
    huge = claims[claims[["value_low", "value_high"]].astype("Float64").fillna(0).max(axis=1) > MAX_PEOPLE]
    return None if huge.empty else f"claim(s) with value {list(huge['value_low'])}"


for _text in ("99999999999999999999 people were killed in the fighting.",
              "9223372036854775808 people were killed in the fighting.",
              "1,000,000,000,000,000,000,000 people were killed in the fighting.",
              "Some 10 billion people were killed and 12 trillion trillion injured.",
              "1" + "0" * 400 + " people were killed in the fighting.",
              "-5 people were killed and 1e309 were injured."):  # fmt: skip

    @case(f"count {_text[:34]!r}", "counts", expect="ok")
    def _(tmp, text=_text):
        raw = one_doc(tmp, f"{HEADLINE}\nISLAMABAD: {text}\n")
        return ok_extract(tmp, raw, _no_huge_count)


# text reading ------------------------------------------------------------------------------------------------------

LAYOUT = f"{HEADLINE}\nBy Jane Smith\n{BODY}"


def _layout_right(out: Path) -> str | None:
    d = table(out, "documents").iloc[0]
    got = (d["headline"], d["byline"])
    return None if got == (HEADLINE, "By Jane Smith") else f"headline, byline = {got}"


@case("UTF-8 BOM at the start of an article", "text", expect="ok")
def _(tmp):
    return ok_extract(tmp, one_doc(tmp, data=b"\xef\xbb\xbf" + LAYOUT.encode()), _layout_right)


@case("lone CR line ends (old Mac)", "text", expect="ok")
def _(tmp):
    return ok_extract(tmp, one_doc(tmp, data=LAYOUT.replace("\n", "\r").encode()), _layout_right)


@case("CRLF line ends", "text", expect="ok")
def _(tmp):
    return ok_extract(tmp, one_doc(tmp, data=LAYOUT.replace("\n", "\r\n").encode()), _layout_right)


@case("Unicode line and paragraph separators", "text", expect="ok")
def _(tmp):
    text = LAYOUT.replace("\n", "\u2028", 1).replace("\n", "\u2029", 1)
    return ok_extract(tmp, one_doc(tmp, text), lambda out: None if len(table(out, "documents")) == 1 else "no doc")


def _count_is(value: int):
    def check(out: Path) -> str | None:
        got = sorted(table(out, "claims")["value_low"].dropna().astype(int))
        return None if value in got else f"counts read: {got}, expected {value}"

    return check


for _sep, _label in (("\u2009", "thin space"), ("\u00a0", "no-break space"), ("\u202f", "narrow no-break space"),
                     (",", "comma")):  # fmt: skip

    @case(f"'1{_sep}300 people were killed' ({_label} digit group)", "text", expect="ok")
    def _(tmp, sep=_sep):
        raw = one_doc(tmp, f"{HEADLINE}\nISLAMABAD: Officials said 1{sep}300 people were killed in the fighting.\n")
        return ok_extract(tmp, raw, _count_is(1300))


@case("article in UTF-16", "text")
def _(tmp):
    return reject_extract(tmp, one_doc(tmp, data=LAYOUT.encode("utf-16")), "a.txt", "UTF-16")


@case("article in Latin-1", "text")
def _(tmp):
    return reject_extract(tmp, one_doc(tmp, data="Caf\u00e9 siege: 12 killed.\n".encode("latin-1")), "a.txt", "UTF-8")


@case("article with NUL bytes", "text")
def _(tmp):
    return reject_extract(tmp, one_doc(tmp, data=b"12 killed\x00\x00 in the siege.\n"), "a.txt")


@case("empty article", "text")
def _(tmp):
    return reject_extract(tmp, one_doc(tmp, data=b""), "a.txt", "empty")


@case("article of whitespace only", "text")
def _(tmp):
    return reject_extract(tmp, one_doc(tmp, data=b" \n\r\n\t \xc2\xa0\n"), "a.txt", "empty")


@case("bidi overrides and zero-width characters", "text", expect="ok")
def _(tmp):
    text = (
        f"{HEADLINE}\nISLAMABAD: Officials said \u202e20\u202c militants\u200b were\u2060 killed, 1\u200b5 injured.\n"
    )
    return ok_extract(tmp, one_doc(tmp, text), lambda out: None if len(table(out, "documents")) == 1 else "no doc")


@case("manifest in UTF-16", "manifest")
def _(tmp):
    raw = one_doc(tmp)
    write_manifest(raw, [["a", "a.txt", "O", DAY]], encoding="utf-16")
    return reject_extract(tmp, raw, "manifest.csv", "UTF-16")


@case("manifest in UTF-16 without a BOM", "manifest")
def _(tmp):
    raw = one_doc(tmp)
    write_manifest(raw, [["a", "a.txt", "O", DAY]], encoding="utf-16-le")
    return reject_extract(tmp, raw, "manifest.csv", "UTF-16")


@case("manifest in Latin-1", "manifest")
def _(tmp):
    raw = one_doc(tmp)
    write_manifest(raw, [["a", "a.txt", "Le Monde \u00e0 Paris", DAY]], encoding="latin-1")
    return reject_extract(tmp, raw, "manifest.csv", "UTF-8", "line 2")


@case("manifest with the BOM Excel writes", "manifest", expect="ok")
def _(tmp):
    raw = one_doc(tmp)
    write_manifest(raw, [["a", "a.txt", "O", DAY]], bom=True, newline="\r\n")
    return ok_extract(tmp, raw, lambda out: None if list(table(out, "documents")["doc_id"]) == ["a"] else "ids wrong")


@case("manifest with lone-CR line ends", "manifest", expect="ok")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    article(raw, "b")
    write_manifest(raw, [["a", "a.txt", "O", DAY], ["b", "b.txt", "O", DAY]], newline="\r")
    return ok_extract(tmp, raw, lambda out: None if len(table(out, "documents")) == 2 else "not two documents")


@case("manifest with an unclosed quote", "manifest")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "a")
    article(raw, "b")
    (raw / "manifest.csv").write_text(f'doc_id,file,outlet,published_on\na,a.txt,"Outlet,{DAY}\nb,b.txt,O,{DAY}\n',
                                      encoding="utf-8")  # fmt: skip
    return reject_extract(tmp, raw, "manifest.csv", "line 2", "quote")


@case("doc_id in NFD, file name in NFC", "manifest", expect="ok")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "café")
    write_manifest(raw, [[unicodedata.normalize("NFD", "café"), "", "O", DAY]])
    return ok_extract(tmp, raw, lambda out: None if list(table(out, "documents")["doc_id"]) == ["café"] else "id")


@case("file named in NFC, on disk in NFD", "manifest", expect="ok")
def _(tmp):
    raw = tmp / "raw"
    article(raw, "x", name=unicodedata.normalize("NFD", "café.txt"))
    write_manifest(raw, [["x", "café.txt", "O", DAY]])
    return ok_extract(tmp, raw, lambda out: None if len(table(out, "documents")) == 1 else "no document")


# options -----------------------------------------------------------------------------------------------------------

for _opt in (("--timezone", "Asia/Karachii"), ("--timezone", ""), ("--event-start", "2007-13-01"),
             ("--event-start", "yesterday"), ("--event-end", "2007-07-01"), ("--workers", "0"), ("--workers", "-1"),
             ("--workers", "abc"), ("--workers", "1.5"), ("--engine", "spark"), ("--frobnicate", "1"),
             ("--place", ""), ("--out-dir", "")):  # fmt: skip

    @case(f"extract {_opt[0]} {_opt[1]!r}", "options")
    def _(tmp, opt=_opt):
        raw = seeds(tmp / "raw")
        spec = reject_extract(tmp, raw, opt[0])
        spec.argv += list(opt)
        return spec


@case("extract --scheduler without --engine dask", "options")
def _(tmp):
    spec = reject_extract(tmp, seeds(tmp / "raw"), "--scheduler")
    spec.argv += ["--scheduler", "tcp://127.0.0.1:1"]
    return spec


@case("extract --engine dask --scheduler tcp://127.0.0.1:1 (nothing listening)", "options")
def _(tmp):
    return reject_extract(tmp, seeds(tmp / "raw"), "tcp://127.0.0.1:1",
                          more=("--engine", "dask", "--scheduler", "tcp://127.0.0.1:1"), timeout=90)  # fmt: skip


@case("extract --engine dask --scheduler 'not an address'", "options")
def _(tmp):
    return reject_extract(tmp, seeds(tmp / "raw"), "not an address",
                          more=("--engine", "dask", "--scheduler", "not an address"), timeout=90)  # fmt: skip


@case("extract --workers 64 on two documents", "options", expect="ok")
def _(tmp):
    return ok_extract(tmp, seeds(tmp / "raw"), lambda out: None if len(table(out, "documents")) == 2 else "docs",
                      more=("--workers", "64"))  # fmt: skip


@case("--raw-dir that does not exist", "options")
def _(tmp):
    return reject_extract(tmp, tmp / "nowhere", "nowhere")


@case("--raw-dir that is a file", "options")
def _(tmp):
    (tmp / "afile").write_text("x", encoding="utf-8")
    return reject_extract(tmp, tmp / "afile", "afile")


@case("timeline on an empty folder", "options")
def _(tmp):
    (tmp / "out").mkdir()
    return Spec(["timeline", "--out-dir", str(tmp / "out")], ("claims.parquet",), keep=(tmp / "out",))


@case("timeline on a corrupt claims.parquet", "options")
def _(tmp):
    out = previous_set(tmp / "out")
    (out / "claims.parquet").write_bytes(b"PAR1 not really")
    return Spec(["timeline", "--out-dir", str(out)], ("claims.parquet",), keep=(out,))


@case("timeline on a claims table of an older schema (a column missing)", "options")
def _(tmp):
    import pyarrow.parquet as pq

    out = previous_set(tmp / "out")
    t = pq.read_table(out / "claims.parquet")
    pq.write_table(t.drop_columns(["scope"]), out / "claims.parquet")
    return Spec(["timeline", "--out-dir", str(out)], ("claims",), keep=(out,))


# params files ------------------------------------------------------------------------------------------------------


def _params(tmp: Path, edit: Callable[[str], str] | None = None, text: str | None = None) -> Path:
    path = tmp / "params.yaml"
    base = (ROOT / "params.yaml").read_text(encoding="utf-8").replace("data/", str(ROOT / "data") + "/")
    base = base.replace("metrics\n", f"{ROOT / 'metrics'}\n").replace("reports/", f"{ROOT / 'reports'}/")
    path.write_text(text if text is not None else edit(base), encoding="utf-8")
    return path


PARAMS_CASES = {
    "bad zone": (lambda t: t.replace("Asia/Karachi", "Asia/Karachii"), "event.timezone"),
    "end before start": (lambda t: t.replace('end: "2007-07-12T00:00"', 'end: "2007-07-01T00:00"'), "event"),
    "missing key": (lambda t: t.replace("  raw_dir:", "  #raw_dir:"), "paths.raw_dir"),
    "unknown key": (lambda t: t.replace("furniture:\n", "furniture:\n  max_captions: 3\n"), "furniture.max_captions"),
    "YAML list": (lambda t: "- a\n- b\n", "list"),
    "YAML scalar": (lambda t: "just a string\n", "str"),
    "YAML broken": (lambda t: "paths: [\n  raw_dir: x\n", "line"),
    "empty file": (lambda t: "", "NoneType"),
    "place named twice": (lambda t: t.replace("aliases: [Pakistani capital]", "aliases: [Pakistani capital]\n"
                                              "    - name: Capital\n      aliases: [Pakistani capital]"), "places"),
    "negative furniture size": (lambda t: t.replace("max_caption_chars: 300", "max_caption_chars: -1"),
                                "furniture.max_caption_chars"),
    "start not a date": (lambda t: t.replace('start: "2007-07-10T04:00"', 'start: "soon"'), "event"),
    "timezone a number": (lambda t: t.replace("Asia/Karachi", "5"), "event.timezone"),
    "tab indentation": (lambda t: t.replace("  raw_dir:", "\traw_dir:"), "line"),
}  # fmt: skip

for _label, (_edit, _key) in PARAMS_CASES.items():

    @case(f"params file: {_label}", "params")
    def _(tmp, edit=_edit, key=_key):
        path = _params(tmp, edit)
        out = previous_set(tmp / "out")
        return Spec(["extract", "--params", str(path), "--out-dir", str(out)], ("params.yaml", key), keep=(out,))


@case("params file: not UTF-8", "params")
def _(tmp):
    path = tmp / "params.yaml"
    path.write_bytes("event:\n  name: Caf\u00e9\n".encode("latin-1"))
    return Spec(["extract", "--params", str(path)], ("params.yaml", "UTF-8"))


@case("params file: a folder", "params")
def _(tmp):
    (tmp / "p").mkdir()
    return Spec(["extract", "--params", str(tmp / "p")], ("p",))


@case("params file: missing", "params")
def _(tmp):
    return Spec(["timeline", "--params", str(tmp / "nope.yaml")], ("nope.yaml",))


@case("$TOLLWATCH_PARAMS naming a broken file", "params")
def _(tmp):
    path = _params(tmp, text="paths: [\n")
    return Spec(["timeline"], ("params.yaml",), env={"TOLLWATCH_PARAMS": str(path)})


@case("--help with a broken $TOLLWATCH_PARAMS", "params")
def _(tmp):
    path = _params(tmp, text="- a list\n")
    return Spec(["--help"], ("params.yaml",), env={"TOLLWATCH_PARAMS": str(path)})


# the out folder ----------------------------------------------------------------------------------------------------


@case("--out-dir that is a file", "out folder")
def _(tmp):
    (tmp / "blocker").write_text("x", encoding="utf-8")
    return Spec(extract_args(seeds(tmp / "raw"), tmp / "blocker"), ("blocker",), keep=(tmp,))


@case("--out-dir below a file", "out folder")
def _(tmp):
    (tmp / "blocker").write_text("x", encoding="utf-8")
    return Spec(extract_args(seeds(tmp / "raw"), tmp / "blocker" / "out"), ("blocker",), keep=(tmp,))


@case("a folder where documents.parquet should be", "out folder")
def _(tmp):
    out = previous_set(tmp / "out")
    (out / "documents.parquet").unlink()
    (out / "documents.parquet").mkdir()
    (out / "documents.parquet" / "x").write_text("x", encoding="utf-8")
    return Spec(extract_args(seeds(tmp / "raw"), out), ("documents.parquet",), keep=(out,))


@case("read-only out folder (run as an unprivileged user)", "out folder")
def _(tmp):
    raw = seeds(tmp / "raw")
    out = previous_set(tmp / "out")
    for p in [tmp, *tmp.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    out.chmod(0o555)
    wrap = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    return Spec(extract_args(raw, out), ("out",), keep=(out,), wrap=wrap, env={"HOME": str(tmp)})


@case("full disk (a 100 KB file system)", "out folder")
def _(tmp):
    raw = seeds(tmp / "raw", ("000", "001", "002", "003", "004"))
    out = tmp / "out"
    out.mkdir()
    template = previous_set(tmp / "template")
    script = (f"mount -t tmpfs -o size=100k tmpfs {out} && cp -a {template}/. {out}/ && "
              f'exec "$@"')  # fmt: skip
    spec = Spec(extract_args(raw, out), ("out", "space"), keep=())
    spec.wrap = ["unshare", "-m", "sh", "-c", script, "sh"]

    def check_inside(r: Result) -> str | None:  # the tmpfs is gone with the namespace: the run reports what it saw
        return None

    spec.check = check_inside
    return spec


@case("a stale lock file from a killed run", "out folder", expect="ok")
def _(tmp):
    out = previous_set(tmp / "out")
    (out / ".tollwatch.lock").write_text("pid 999999", encoding="utf-8")
    (out / ".claims.parquet.abc.tmp").write_bytes(b"half")
    (out / ".staging-dead").mkdir()

    def check(r):
        left = _leftovers(out)
        return None if not left else f"leftovers: {left}"

    return Spec(extract_args(seeds(tmp / "raw"), out), check=check)


@case("claims.parquet a symlink to a file outside", "out folder", expect="ok")
def _(tmp):
    out = previous_set(tmp / "out")
    victim = tmp / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (out / "claims.parquet").unlink()
    (out / "claims.parquet").symlink_to(victim)

    def check(r):
        return None if victim.read_text(encoding="utf-8") == "keep me" else "wrote through the symlink"

    return Spec(extract_args(seeds(tmp / "raw"), out), check=check)


# mixed sets --------------------------------------------------------------------------------------------------------


def _two_runs(tmp: Path) -> tuple[Path, Path]:
    """out: the previous set (seeds 000, 004); other: a set of seeds 002, 003."""
    out = previous_set(tmp / "out")
    other = tmp / "other"
    r = cli(extract_args(seeds(tmp / "raw"), other), tmp)
    assert r.rc == 0, r.err
    return out, other


for _stage, _swap in (("timeline", "claims"), ("claims", "documents"), ("exports", "claims"), ("report", "claims"),
                      ("timeline", "sources")):  # fmt: skip

    @case(f"{_stage} on a set whose {_swap} is another run's", "mixed sets")
    def _(tmp, stage=_stage, swap=_swap):
        out, other = _two_runs(tmp)
        shutil.copy(other / f"{swap}.parquet", out / f"{swap}.parquet")
        argv = [stage, "--out-dir", str(out)]
        if stage == "claims":
            argv += ["--raw-dir", str(tmp / "raw")]
        elif stage == "exports":
            argv += ["--exports-dir", str(tmp / "exports")]
        elif stage == "report":
            argv += ["--report", str(tmp / "report.html"), "--figures-dir", str(tmp / "figs")]
        return Spec(argv, ("different runs",), keep=(out,))


@case("exports after a second extract (same corpus, another zone) without timeline", "mixed sets")
def _(tmp):
    out = previous_set(tmp / "out")
    r = cli(extract_args(seeds(tmp / "raw", ("000", "004")), out, "--timezone", "UTC"), tmp)
    assert r.rc == 0, r.err
    return Spec(["exports", "--out-dir", str(out), "--exports-dir", str(tmp / "exports")], ("toll_timeline",),
                keep=(out, tmp / "exports"))  # fmt: skip


# the workflow commands ---------------------------------------------------------------------------------------------


def _articles(path: Path, rows: list[list[str]], header=("id", "outlet", "published", "text"),
              encoding: str = "utf-8") -> Path:  # fmt: skip
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([list(header), *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def reject_import(tmp: Path, src: Path, *names: str, more=()) -> Spec:
    into = tmp / "event"
    return Spec(["import", str(src), "--into", str(into), *more], names, keep=(tmp,))


GOOD = ["a1", "Wire", "2007-07-10 09:00", f"{HEADLINE}. {BODY}".replace("\n", " ")]  # one line: the next row is line 3

for _label, _row, _name in (
    ("empty outlet", ["a2", "", "2007-07-10", "text"], "outlet"),
    ("id '../evil'", ["../evil", "W", "2007-07-10", "text"], "id"),
    ("id '.hidden'", [".hidden", "W", "2007-07-10", "text"], "id"),
    ("id 'a/b'", ["a/b", "W", "2007-07-10", "text"], "id"),
    ("id 'C:evil'", ["C:evil", "W", "2007-07-10", "text"], "id"),
    ("id with a NUL", ["a\x00b", "W", "2007-07-10", "text"], "NUL"),
    ("id with a zero-width space", ["a\u200bb", "W", "2007-07-10", "text"], "id"),
    ("id of 300 characters", ["x" * 300, "W", "2007-07-10", "text"], "id"),
    ("id differing only in case", ["A1", "W", "2007-07-10", "text"], "id"),
    ("published 'yesterday'", ["a2", "W", "yesterday", "text"], "published"),
    ("published 0001-01-01", ["a2", "W", "0001-01-01", "text"], "published"),
    ("published 9999-12-31T23:59", ["a2", "W", "9999-12-31T23:59", "text"], "published"),
    ("empty text", ["a2", "W", "2007-07-10", "  \n"], "text"),
    ("a row of three cells", ["a2", "W", "2007-07-10"], "cells"),
):

    @case(f"import: {_label}", "import")
    def _(tmp, row=_row, name=_name):
        src = _articles(tmp / "articles.csv", [GOOD, row])
        return reject_import(tmp, src, "articles.csv", "line 3", name)


@case("import: a 5 MB text field", "import", expect="ok")
def _(tmp):
    big = BODY * (5_000_000 // len(BODY))
    src = _articles(tmp / "articles.csv", [GOOD, ["a2", "W", "2007-07-10", big]])
    into = tmp / "event"
    return Spec(
        ["import", str(src), "--into", str(into)],
        check=lambda r: None if (into / "raw" / "a2.txt").stat().st_size == len(big) else "size differs",
    )


for _enc, _name in (("utf-16", "UTF-16"), ("latin-1", "UTF-8"), ("utf-32", "UTF-32")):

    @case(f"import: a CSV in {_enc}", "import")
    def _(tmp, enc=_enc, name=_name):
        src = _articles(tmp / "articles.csv", [GOOD, ["a2", "Caf\u00e9 Wire", "2007-07-10", "text"]], encoding=enc)
        return reject_import(tmp, src, "articles.csv", name)


@case("import: JSON Lines with an array line", "import")
def _(tmp):
    src = tmp / "a.jsonl"
    src.write_text('{"id": "a1", "outlet": "W", "published": "2007-07-10", "text": "x"}\n[1, 2]\n', encoding="utf-8")
    return reject_import(tmp, src, "a.jsonl", "line 2")


@case("import: JSON Lines with a list as the id", "import")
def _(tmp):
    src = tmp / "a.jsonl"
    src.write_text('{"id": ["a"], "outlet": "W", "published": "2007-07-10", "text": "x"}\n', encoding="utf-8")
    return reject_import(tmp, src, "a.jsonl", "line 1", "id")


@case("import: JSON Lines with a float id 1e400", "import")
def _(tmp):
    src = tmp / "a.jsonl"
    src.write_text('{"id": 1e400, "outlet": "W", "published": "2007-07-10", "text": "x"}\n', encoding="utf-8")
    return reject_import(tmp, src, "a.jsonl", "line 1", "id")


@case("import: JSON Lines broken mid-file", "import")
def _(tmp):
    src = tmp / "a.jsonl"
    src.write_text('{"id": "a1", "outlet": "W", "published": "2007-07-10", "text": "x"}\n{"id": "a2", "outl\n',
                   encoding="utf-8")  # fmt: skip
    return reject_import(tmp, src, "a.jsonl", "line 2")


@case("import: a CSV with an unclosed quote", "import")
def _(tmp):
    src = tmp / "articles.csv"
    src.write_text('id,outlet,published,text\na1,W,2007-07-10,"never closed\na2,W,2007-07-10,x\n', encoding="utf-8")
    return reject_import(tmp, src, "articles.csv", "line 2")


@case("import: a file with the suffix .txt", "import")
def _(tmp):
    src = _articles(tmp / "articles.txt", [GOOD])
    return reject_import(tmp, src, "articles.txt", "--format")


@case("import: into a folder that already holds texts", "import")
def _(tmp):
    raw = tmp / "event" / "raw"
    article(raw, "old")
    src = _articles(tmp / "articles.csv", [GOOD])
    return reject_import(tmp, src, "raw")


@case("import: --into a file", "import")
def _(tmp):
    (tmp / "event").write_text("x", encoding="utf-8")
    src = _articles(tmp / "articles.csv", [GOOD])
    return reject_import(tmp, src, "event")


@case("import: a missing file", "import")
def _(tmp):
    return reject_import(tmp, tmp / "none.csv", "none.csv")


@case("import: a binary file named .csv", "import")
def _(tmp):
    (tmp / "x.csv").write_bytes(bytes(range(256)) * 10)
    return reject_import(tmp, tmp / "x.csv", "x.csv")


@case("import: a CSV with the BOM Excel writes and CRLF", "import", expect="ok")
def _(tmp):
    src = tmp / "articles.csv"
    src.write_bytes(b"\xef\xbb\xbf" + b"id,outlet,published,text\r\na1,W,2007-07-10 09:00,Hello\r\n")
    into = tmp / "event"
    return Spec(["import", str(src), "--into", str(into)],
                check=lambda r: None if (into / "raw" / "a1.txt").is_file() else "a1.txt missing")  # fmt: skip


INIT = ["--name", "Test", "--timezone", "Asia/Karachi", "--start", "2007-07-10T04:00", "--end", "2007-07-12"]


def _init_opts(**change: str) -> list[str]:
    opts = dict(zip(INIT[::2], INIT[1::2], strict=True))
    opts.update({f"--{k}": v for k, v in change.items()})
    return [x for kv in opts.items() for x in kv]


for _label, _change, _name in (
    ("bad zone", {"timezone": "Asia/Karachii"}, "--timezone"),
    ("end before start", {"end": "2007-07-01"}, "--end"),
    ("start not a date", {"start": "soon"}, "--start"),
    ("empty name", {"name": "  "}, "--name"),
):

    @case(f"init: {_label}", "init")
    def _(tmp, change=_change, name=_name):
        return Spec(["init", str(tmp / "ev"), *_init_opts(**change)], (name,), keep=(tmp,))


@case("init: a place with no name ('=x')", "init")
def _(tmp):
    return Spec(["init", str(tmp / "ev"), *INIT, "--place", "=x"], ("--place",), keep=(tmp,))


@case("init: one alias for two places", "init")
def _(tmp):
    return Spec(["init", str(tmp / "ev"), *INIT, "--place", "A=the site", "--place", "B=the site"], ("the site",),
                keep=(tmp,))  # fmt: skip


@case("init: into the project's data folder", "init")
def _(tmp):
    return Spec(["init", str(ROOT / "data" / "ev"), *INIT], ("data",), keep=(ROOT / "data",))


@case("init: DIR is a file", "init")
def _(tmp):
    (tmp / "ev").write_text("x", encoding="utf-8")
    return Spec(["init", str(tmp / "ev"), *INIT], ("ev",), keep=(tmp,))


@case("init: twice without --force", "init")
def _(tmp):
    cli(["init", str(tmp / "ev"), *INIT], tmp)
    return Spec(["init", str(tmp / "ev"), *INIT], ("params.yaml", "--force"), keep=(tmp,))


@case("init: missing options, no terminal", "init")
def _(tmp):
    return Spec(["init", str(tmp / "ev"), "--name", "X"], ("--timezone",), keep=(tmp,))


@case("init: a name that is YAML ('x\\nevent: hacked', quotes, colons)", "init", expect="ok")
def _(tmp):
    name = 'x\nevent: hacked "quoted": {a: b} # not a comment'

    def check(r):
        import yaml

        got = yaml.safe_load((tmp / "ev" / "params.yaml").read_text(encoding="utf-8"))["event"]["name"]
        return None if got == name else f"name read back as {got!r}"

    return Spec(["init", str(tmp / "ev"), *_init_opts(name=name)], check=check)


def _event(tmp: Path, articles: list[list[str]] | None = None) -> Path:
    ev = tmp / "ev"
    assert cli(["init", str(ev), *INIT], tmp).rc == 0
    if articles is not None:
        src = _articles(tmp / "articles.csv", articles)
        assert cli(["import", str(src), "--into", str(ev)], tmp).rc == 0
    return ev


@case("run: a folder without params.yaml", "run")
def _(tmp):
    (tmp / "ev").mkdir()
    return Spec(["run", str(tmp / "ev")], ("params.yaml",), keep=(tmp,))


@case("run: a folder with no articles yet", "run")
def _(tmp):
    ev = _event(tmp)
    return Spec(["run", str(ev), "--no-notebooks"], ("manifest.csv",), keep=(tmp,))


@case("run: DIR and --params both", "run")
def _(tmp):
    ev = _event(tmp)
    return Spec(["run", str(ev), "--params", str(ev / "params.yaml")], ("--params",), keep=(tmp,))


@case("run: the project's own params.yaml", "run")
def _(tmp):
    return Spec(["run", "--params", str(ROOT / "params.yaml")], ("params.yaml",), keep=(ROOT / "data" / "processed",))


@case("run: params whose processed_dir is the project's data/processed", "run")
def _(tmp):
    ev = _event(tmp, [GOOD])
    p = ev / "params.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("processed_dir: processed",
                                                       f"processed_dir: {ROOT / 'data' / 'processed'}"),
                 encoding="utf-8")  # fmt: skip
    return Spec(["run", str(ev), "--no-notebooks"], ("processed_dir",), keep=(ROOT / "data" / "processed",))


@case("run: an article in Latin-1 (found after the manifest checks)", "run")
def _(tmp):
    ev = _event(tmp, [GOOD])
    (ev / "raw" / "a1.txt").write_bytes("Caf\u00e9: 12 killed.\n".encode("latin-1"))
    return Spec(["run", str(ev), "--no-notebooks"], ("a1.txt",), keep=(ev,))


@case("run: --workers 0 (not an option of run)", "run")
def _(tmp):
    ev = _event(tmp, [GOOD])
    return Spec(["run", str(ev), "--workers", "0"], ("--workers",), keep=(ev,))


@case("run: a new event end to end (two articles, no notebooks)", "run", expect="ok")
def _(tmp):
    ev = _event(tmp, [GOOD, ["a2", "Daily", "2007-07-10T11:00+05:00", f"{HEADLINE}\nPolice said 31 people died.\n"]])

    def check(r):
        missing = [
            p for p in ("processed/claims.parquet", "exports/claims.csv", "report.html") if not (ev / p).exists()
        ]
        return f"missing {missing}" if missing else None

    return Spec(["run", str(ev), "--no-notebooks"], check=check, timeout=120)


# runs that meet each other, and killed runs ------------------------------------------------------------------------


def _wait_for(pred: Callable[[], bool], limit: float = 30) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def big_corpus(raw: Path, copies: int = 40, docs: int = 200) -> Path:
    """docs articles of copies x the seeds' first article: a run that takes several seconds (3.6 MB: at the
    engine's 1.5 MB/s on two cores, 20 articles were done before a kill could land)."""
    text = (SEEDS / sorted(p.name for p in SEEDS.glob("002_*.txt"))[0]).read_text(encoding="utf-8")
    return corpus(raw, {f"d{k:03d}": text * (copies // docs + 1) for k in range(docs)})


def _leftovers(out: Path) -> list[str]:
    """Hidden files a run left in out beyond its lock, and journal lines other than stale tables (after a new
    set, the timeline's tables are marked stale on purpose)."""
    from analysis import io as tio

    left = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name not in (tio.LOCK_NAME, tio.JOURNAL_NAME)]
    return left + [f"{n}: {why}" for n, why in tio.pending(out).items() if why != tio.STALE]


def _popen(argv: list[str], cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "TOLLWATCH_PARAMS"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen([PY, "-m", "analysis", *argv], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip


def _consistent(out: Path, doc_ids: set[str]) -> str | None:
    prints = fingerprints(out)
    if len(prints) != 1 or None in prints:
        return f"fingerprints {prints}"
    got = set(table(out, "documents")["doc_id"])
    return None if got == doc_ids else f"documents {sorted(got)[:3]}..."


@case("a second run into a folder while the first is writing", "concurrency", expect="ok", serial=True)
def _(tmp):
    def go():
        out = previous_set(tmp / "out")
        big = big_corpus(tmp / "big")
        first = _popen(extract_args(big, out), tmp)
        if not _wait_for(lambda: any(out.glob(".staging-*"))):
            first.kill()
            return "hang", "the first run never started staging"
        second = cli(extract_args(seeds(tmp / "raw"), out), tmp, timeout=60)
        first.communicate(timeout=120)
        lines = second.err.strip().splitlines()
        if second.rc != 2 or len(lines) != 1 or "another tollwatch run" not in lines[0]:
            return ("traceback" if "Traceback" in second.err else "poor message"), f"second: rc {second.rc}: {lines}"
        if first.returncode != 0:
            return "partial output", f"first run failed: rc {first.returncode}"
        wrong = _consistent(out, _ids(big))
        return ("partial output", wrong) if wrong else ("ok", f"second: {lines[0][:90]}")

    return go


@case("two runs of different corpora started at once", "concurrency", expect="ok", serial=True)
def _(tmp):
    def go():
        out = tmp / "out"
        a, b = seeds(tmp / "ra", ("000", "001")), seeds(tmp / "rb", ("002", "003"))
        pa, pb = _popen(extract_args(a, out), tmp), _popen(extract_args(b, out), tmp)
        (_, ea), (_, eb) = pa.communicate(timeout=120), pb.communicate(timeout=120)
        codes = sorted([pa.returncode, pb.returncode])
        if "Traceback" in ea + eb:
            return "traceback", (ea + eb).strip().splitlines()[-1]
        if codes not in ([0, 0], [0, 2]):
            return "partial output", f"exit codes {codes}: {(ea + eb).strip()[-200:]}"
        ids = set(table(out, "documents")["doc_id"])
        winner = {r["doc_id"] for r in csv.DictReader((a if ids <= _ids(a) else b).joinpath("manifest.csv").open())}
        wrong = _consistent(out, winner)
        return ("partial output", wrong) if wrong else ("ok", f"exit codes {codes}, one consistent set")

    return go


def _ids(raw: Path) -> set[str]:
    return {r["doc_id"] for r in csv.DictReader((raw / "manifest.csv").open(encoding="utf-8"))}


@case("kill -9 in the middle of extract", "concurrency", expect="ok", serial=True)
def _(tmp):
    def go():
        out = previous_set(tmp / "out")
        before = {k: v for k, v in snapshot(out).items() if k.endswith(".parquet")}
        proc = _popen(extract_args(big_corpus(tmp / "big"), out, "--workers", "2"), tmp)
        _wait_for(lambda: any(out.glob(".staging-*")))
        time.sleep(1.0)
        if proc.poll() is not None:  # the run ended before the kill: the case proved nothing
            return "harness error", f"extract ended (rc {proc.returncode}) before the kill: use a bigger corpus"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        after = {k: v for k, v in snapshot(out).items() if k.endswith(".parquet") and not k.startswith(".")}
        if after != before:
            return "partial output", "the killed run changed the tables"
        r = cli(["timeline", "--out-dir", str(out)], tmp)
        if r.rc != 0:
            return "partial output", f"timeline after the kill: {r.err.strip()[:120]}"
        again = cli(extract_args(seeds(tmp / "raw"), out), tmp)
        left = _leftovers(out)
        if again.rc != 0 or left:
            return "partial output", f"rerun rc {again.rc}, leftovers {left}"
        return "ok", "previous set whole; the next run removed the leftovers"

    return go


KILL_AT_RENAME = textwrap.dedent(
    """
    import os, signal, sys
    from analysis.cli import main
    real, count = os.replace, [0]
    def replace(src, dst, *a, **k):
        # the staged set's final renames: die after the Nth, as kill -9 would
        if ".staging-" in str(src) and ".staging-" not in str(dst):
            if count[0] == int(os.environ["KILL_AFTER"]):
                os.kill(os.getpid(), signal.SIGKILL)
            count[0] += 1
        return real(src, dst, *a, **k)
    os.replace = replace
    sys.exit(main(sys.argv[1:]))
    """
)


def killed_at_rename(argv: list[str], cwd: Path, after: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TOLLWATCH_PARAMS"}
    env.update(PYTHONPATH=str(ROOT), KILL_AFTER=str(after))
    return subprocess.run([PY, "-c", KILL_AT_RENAME, *argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


for _label, _more in (("another corpus", ()), ("the same corpus, another zone", ("--timezone", "UTC"))):

    @case(f"kill -9 between the final renames ({_label}), then timeline", "concurrency", serial=True)
    def _(tmp, more=_more):
        def go():
            out = previous_set(tmp / "out")
            raw = seeds(tmp / "raw", ("000", "004")) if more else seeds(tmp / "raw")
            done = killed_at_rename(extract_args(raw, out, *more), tmp, after=2)
            if done.returncode != -signal.SIGKILL:
                return "ok", f"not killed (rc {done.returncode}): {done.stderr[-200:]}"
            r = cli(["timeline", "--out-dir", str(out)], tmp)
            lines = r.err.strip().splitlines()
            if r.rc == 0:
                return "silently wrong", "timeline accepted the half-replaced set"
            if "Traceback" in r.err:
                return "traceback", lines[-1]
            if len(lines) != 1:
                return "poor message", f"{len(lines)} lines"
            again = cli(extract_args(raw, out, *more), tmp)
            fixed = cli(["timeline", "--out-dir", str(out)], tmp)
            if again.rc != 0 or fixed.rc != 0:
                return "partial output", f"rerun rc {again.rc}, timeline rc {fixed.rc}: {fixed.err.strip()[:100]}"
            return "rejected cleanly", f"{lines[0][:110]} / rerun repaired it"

        return go


# long inputs: cost against size (4x the text must cost about 4x, not 16x) ---------------------------------------------

LONG = {
    "abbreviation run 'Gen. A '": lambda n: "Gen. A " * (n // 7),
    "initials run 'U.S. '": lambda n: "U.S. " * (n // 5),
    "a run of '!'": lambda n: "!" * n,
    "counts in one sentence 'at least 1, killed '": lambda n: "at least 1, killed " * (n // 19),
    "offsets 'two hours after '": lambda n: "two hours after " * (n // 16),
    "one long article (the seeds over and over)": lambda n: _seed_text(n),
    "one line with no space": lambda n: "a" * n,
    "quotes opened and never closed": lambda n: '"He said 12 were killed, ' * (n // 26),
    "nested parentheses": lambda n: "(" * (n // 2) + "12 killed" + ")" * (n // 2),
    "speakers in a row 'said X, said Y'": lambda n: "12 were killed, said Ali Khan, said Omar Shah, " * (n // 46),
}
SIZE = 200_000
FACTOR, SLACK = 10, 1.0  # a hostile input may cost this many times as much as ordinary news of its size, plus SLACK s
LONG_TIMEOUT = 25  # seconds for all three runs: linear code takes about two

# The extract path timed in one process (warmed on a one-line article, so lexicons and imports are loaded
# once): the CLI's start-up and its 0.1 s closing line would drown the 40 KB run in noise.
TIMED = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from analysis import config
    from analysis.stages import extract as engine
    p = config.load()
    for folder in sys.argv[1:]:
        start = time.perf_counter()
        engine.run(Path(folder), Path(folder) / "out", "manifest.csv", p.furniture, p.event, p.place_of, workers=1)
        print(f"{time.perf_counter() - start:.4f}", flush=True)
    """
)


for _label, _make in LONG.items():

    @case(f"long input: {_label}", "long inputs", expect="ok", serial=True)
    def _(tmp, make=_make):
        def go():
            folders = [one_doc(tmp / name, f"{HEADLINE}\n{text}\n") for name, text in
                       (("warm-up", "Two people died."), ("news", _seed_text(SIZE)), ("hostile", make(SIZE)))]  # fmt: skip
            environ = {**os.environ, "PYTHONPATH": str(ROOT)}
            environ.pop("TOLLWATCH_PARAMS", None)
            try:
                done = subprocess.run([PY, "-c", TIMED, *map(str, folders)], capture_output=True, text=True,
                                      env=environ, timeout=LONG_TIMEOUT)  # fmt: skip
                out, err, rc = done.stdout, done.stderr, done.returncode
            except subprocess.TimeoutExpired as exc:
                out, err, rc = (exc.stdout or b"").decode(), "", None
            times = [float(t) for t in out.split()][1:]  # the warm-up run loads what every run needs: not timed
            said = ", ".join(f"{k} {t:.2f} s" for k, t in zip(("news", "hostile"), times, strict=False))
            if rc is None:
                return "hang", f"{SIZE // 1000} KB: no answer in {LONG_TIMEOUT} s ({said})"
            if rc != 0:
                return ("traceback" if "Traceback" in err else "refused valid"), err.strip()[-150:]
            news, hostile = times
            verdict = "hang" if hostile > FACTOR * news + SLACK else "ok"
            return verdict, f"{SIZE // 1000} KB: {said} (x{hostile / news:.1f})"

        return go


def _seed_text(n: int) -> str:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    return (text * (n // len(text) + 1))[:n]


@case("long input: one 2 MB article", "long inputs", expect="ok", serial=True)
def _(tmp):
    raw = one_doc(tmp, f"{HEADLINE}\n{_seed_text(2_000_000)}\n")
    return ok_extract(tmp, raw, lambda out: None if len(table(out, "claims")) > 1000 else "few claims", timeout=120)


@case("many documents: 2000 tiny articles", "long inputs", expect="ok", serial=True)
def _(tmp):
    raw = corpus(tmp / "raw", {f"n{k:04d}": f"{HEADLINE}\n{k} people were killed, police said.\n" for k in range(2000)})
    return ok_extract(tmp, raw, lambda out: None if len(table(out, "documents")) == 2000 else "not 2000", timeout=120)


# --- classification ---------------------------------------------------------------------------------------------------


def classify(c: Case, spec: Spec, r: Result, before: dict[Path, dict]) -> tuple[str, str]:
    lines = [ln for ln in r.err.strip().splitlines() if ln.strip()]
    last = lines[-1][:140] if lines else ""
    if r.rc is None:
        return "hang", f"no answer in {spec.timeout:.0f} s"
    if "Traceback (most recent call last)" in r.err:
        return "traceback", last
    changed = [str(k) for k, snap in before.items() if _outputs(snapshot(k)) != _outputs(snap)]
    leftovers = [str(k) for k in before if any(_is_leftover(p) for p in snapshot(k))]
    if c.expect == "ok":
        if r.rc != 0:
            return "refused valid", last
        wrong = spec.check(r) if spec.check else None
        return ("silently wrong", wrong) if wrong else ("ok", last[:100])
    if r.rc == 0:
        return "silently wrong", "accepted" + (f"; {last}" if last else "")
    if changed or leftovers:
        return "partial output", f"changed: {changed}, leftovers: {leftovers}; {last}"
    lines = [ln for ln in lines if not PROGRESS.match(ln)]  # `run` says what it is doing before it stops
    clean = r.rc == 2 and len(lines) == 1 and lines[0].startswith("error: ")
    missing = [n for n in spec.names if n.casefold() not in (lines[0].casefold() if lines else "")]
    if clean and not missing:
        return "rejected cleanly", last
    why = f"{len(lines)} lines" if len(lines) != 1 else f"does not name {missing}" if missing else f"rc {r.rc}"
    return "poor message", f"{why}: {last}"


PROGRESS = re.compile(r"^(run: |\[\d+/\d+\] |\s)")


def _outputs(snap: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in snap.items() if not _is_leftover(k)}


def _is_leftover(name: str) -> bool:
    base = name.rstrip("/").rsplit("/", 1)[-1]
    return base.startswith((".staging-", ".import-")) or (base.startswith(".") and base.endswith(".tmp"))


def run_case(c: Case, root: Path, keep: bool) -> tuple[str, str, float]:
    start = time.perf_counter()
    outcome, detail = _run_case(c, root, keep)
    return outcome, detail, time.perf_counter() - start


def _run_case(c: Case, root: Path, keep: bool) -> tuple[str, str]:
    tmp = Path(tempfile.mkdtemp(prefix="case-", dir=root))
    try:
        built = c.build(tmp)
        if callable(built) and not isinstance(built, Spec):
            return built()
        before = {k: snapshot(k) for k in built.keep}
        r = cli(built.argv, built.cwd or tmp, built.timeout, built.env, built.wrap)
        return classify(c, built, r, before)
    except Exception as exc:  # a broken case is reported, not allowed to stop the others
        return "harness error", f"{type(exc).__name__}: {exc}"
    finally:
        if not keep:
            subprocess.run(["chmod", "-R", "u+rwX", str(tmp)], check=False)
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    global _TEMPLATE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)), help="cases run at once")
    ap.add_argument("--only", help="run the cases whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep each case's temp folder")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="hostile-"))
    root.chmod(0o755)
    started = time.perf_counter()
    _TEMPLATE = make_template(root)
    cases = [c for c in CASES if not args.only or args.only.casefold() in c.name.casefold()]
    results: dict[int, tuple[str, str, float]] = {}
    with ThreadPoolExecutor(args.jobs) as pool:
        futures = {i: pool.submit(run_case, c, root, args.keep) for i, c in enumerate(cases) if not c.serial}
        results.update({i: f.result() for i, f in futures.items()})
    for i, c in enumerate(cases):
        if c.serial:
            results[i] = run_case(c, root, args.keep)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    counts = Counter(outcome for outcome, _, _ in results.values())
    print(f"{len(cases)} cases in {time.perf_counter() - started:.0f} s\n")
    print("| outcome | count |\n|---|---|")
    for outcome in (*OUTCOMES, "harness error"):
        if counts[outcome]:
            print(f"| {outcome} | {counts[outcome]} |")
    print("\n| # | group | case | expected | outcome | s | detail |\n|---|---|---|---|---|---|---|")
    for i, c in enumerate(cases):
        outcome, detail, seconds = results[i]
        detail = detail.replace(str(root), "$TMP").replace("|", "\\|").replace("\n", " ")
        print(f"| {i + 1} | {c.group} | {c.name} | {c.expect} | {outcome} | {seconds:.1f} | {detail} |")
    bad = sum(n for o, n in counts.items() if o not in ("rejected cleanly", "ok"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
