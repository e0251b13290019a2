"""End-to-end speed of `python -m analysis extract`, as a user runs it, on real news text repeated to a size.

Usage: python scripts/benchmark.py [--mb 20 200] [--long-mb 2] [--workers 1 2] [--keep DIR]

The corpus is the seeds and the TimeBank articles cycled until it reaches each size, written as a raw folder
with a manifest. Each run is the whole CLI in a fresh process (start-up, manifest checks, reading, tagging,
claims, attribution, validation, writing): wall seconds, MB/s, documents/s and the peak RSS of the largest
process. The long-document case times the same bytes once as one article and once as separate articles.
Nothing is written to the repository; timings vary by machine and load, so the machine's cores are printed.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.evaluation.timeml import read_corpus  # noqa: E402

FIELDS = ["doc_id", "file", "outlet", "agency", "published_on", "url"]


def sources() -> list[tuple[str, str]]:
    """(text, ISO publication date) of the seeds and the TimeBank articles."""
    docs = [(p.read_text(encoding="utf-8"), "2007-07-10") for p in sorted((ROOT / "data" / "raw").glob("*.txt"))]
    return docs + [(d.text, d.published_on) for d in read_corpus(ROOT / "data" / "external" / "timebank")]


def write_corpus(folder: Path, docs: list[tuple[str, str]], mb: float, one_document: bool = False) -> int:
    """A raw folder of the documents cycled to mb megabytes (as one article when one_document); its bytes."""
    folder.mkdir(parents=True)
    picked, size = [], 0
    while size < mb * 1e6:
        text, published = docs[len(picked) % len(docs)]
        picked.append((text, published))
        size += len(text.encode("utf-8"))
    if one_document:
        picked = [("\n\n".join(t for t, _ in picked), picked[0][1])]
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=FIELDS)
        out.writeheader()
        for i, (text, published) in enumerate(picked):
            name = f"d{i:07d}"
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
            out.writerow({"doc_id": name, "file": f"{name}.txt", "outlet": f"outlet {i % 7}", "agency": "",
                          "published_on": published, "url": ""})  # fmt: skip
    return size


# Runs a command and prints the peak RSS of its largest process: a fresh parent per run, because a process's
# RUSAGE_CHILDREN peak never goes down.
_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def extract(raw: Path, out: Path, workers: int) -> tuple[float, float]:
    """Wall seconds of one extract run, and the peak RSS (MB) of the largest process it started."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "analysis", "extract", "--raw-dir", str(raw), "--out-dir", str(out),
           "--workers", str(workers)]  # fmt: skip
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK, *cmd], check=True, cwd=ROOT, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    return secs, int(done.stdout.split()[-1]) / 1024


def report(name: str, n_docs: int, n_bytes: int, workers: int, secs: float, rss: float) -> None:
    mb = n_bytes / 1e6
    print(
        f"{name:<22} workers={workers}  documents={n_docs}  MB={mb:.1f}  seconds={secs:.1f}  "
        f"MB/s={mb / secs:.2f}  docs/s={n_docs / secs:.0f}  peak_rss_MB={rss:.0f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, nargs="+", default=[20, 200], help="corpus sizes (MB)")
    parser.add_argument("--long-mb", type=float, default=2, help="size of the one-long-document case (0: skip)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, len(os.sched_getaffinity(0))])
    parser.add_argument("--keep", type=Path, help="build the corpora here and keep them (default: a temp folder)")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')}, {len(os.sched_getaffinity(0))} cores, Python {sys.version.split()[0]}")
    docs = sources()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        for mb in args.mb:
            raw = base / f"corpus-{mb:g}MB"
            n_bytes = write_corpus(raw, docs, mb)
            n_docs = sum(1 for _ in raw.glob("*.txt"))
            for w in args.workers:
                secs, rss = extract(raw, base / f"out-{mb:g}MB-{w}", w)
                report(f"{mb:g} MB corpus", n_docs, n_bytes, w, secs, rss)
        if args.long_mb:
            split, long = base / "long-split", base / "long-one"
            n_bytes = write_corpus(split, docs, args.long_mb)
            write_corpus(long, docs, args.long_mb, one_document=True)
            t_split, rss = extract(split, base / "out-long-split", 1)
            report(f"{args.long_mb:g} MB as articles", sum(1 for _ in split.glob("*.txt")), n_bytes, 1, t_split, rss)
            t_long, rss = extract(long, base / "out-long-one", 1)
            report(f"{args.long_mb:g} MB as one document", 1, n_bytes, 1, t_long, rss)
            print(f"one long document / the same bytes as articles: {t_long / t_split:.2f}x")


if __name__ == "__main__":
    main()
