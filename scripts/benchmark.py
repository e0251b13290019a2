"""Throughput of the extractor on one core: seeds + TimeBank texts repeated to a target size.

Usage: python scripts/benchmark.py [--mb 50] [--timebank DIR] [--times-mb 5]
Prints documents/s and MB/s for (1) claim extraction as the claims stage runs it per document
(furniture detection + count/outcome/group/scope rules) and (2) the temporal tagger, which the
pipeline also runs per document. Timings vary by machine; nothing here is written to the repo.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import config  # noqa: E402
from analysis.claims import extract  # noqa: E402
from analysis.furniture import find_furniture  # noqa: E402
from analysis.timeml import read_corpus  # noqa: E402
from analysis.times import tag_times  # noqa: E402


def corpus(timebank: Path) -> list[tuple[str, str]]:
    """(text, ISO publication date) for the seeds and, where present, TimeBank."""
    docs = [(p.read_text(encoding="utf-8"), "2007-07-10") for p in sorted((ROOT / "data" / "raw").glob("*.txt"))]
    if timebank.is_dir():
        docs += [(d.text, d.published_on) for d in read_corpus(timebank)]
    return docs


def repeated(docs: list[tuple[str, str]], mb: float) -> list[tuple[str, str]]:
    """The documents cycled until their UTF-8 size reaches mb megabytes."""
    out, size, i = [], 0, 0
    while size < mb * 1e6:
        out.append(docs[i % len(docs)])
        size += len(docs[i % len(docs)][0].encode("utf-8"))
        i += 1
    return out


def measure(name: str, docs: list[tuple[str, str]], fn) -> dict:
    size = sum(len(t.encode("utf-8")) for t, _ in docs) / 1e6
    fn(*docs[0])  # load lexicons and compile patterns outside the timing
    t0 = time.perf_counter()
    found = sum(fn(t, d) for t, d in docs)
    secs = time.perf_counter() - t0
    row = {"step": name, "documents": len(docs), "MB": round(size, 1), "seconds": round(secs, 2),
           "docs_per_s": round(len(docs) / secs), "MB_per_s": round(size / secs, 2), "found": found}
    print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return row


def main() -> None:
    p = config.load()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=50, help="corpus size for claim extraction (MB)")
    parser.add_argument("--times-mb", type=float, default=5, help="corpus size for the temporal tagger (MB)")
    parser.add_argument("--timebank", type=Path, default=p.timebank_dir)
    args = parser.parse_args()
    docs = corpus(args.timebank)
    ev = p.event

    def claims(text: str, published: str) -> int:
        skip = [(s.start, s.end) for s in find_furniture(text)]
        return len(extract(text, skip, date.fromisoformat(published), ev.start, ev.end, (), p.places))

    def times(text: str, published: str) -> int:
        return len(tag_times(text, published, ev.timezone))

    measure("claims", repeated(docs, args.mb), claims)
    measure("times", repeated(docs, args.times_mb), times)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
