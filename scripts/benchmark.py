"""End-to-end speed of `python -m analysis extract`, as a user runs it, on real news text repeated to a size.

Usage: python scripts/benchmark.py [--mb 20 200] [--long-mb 2] [--workers 1 2] [--engine local] [--keep DIR]

The corpus is the seeds and the TimeBank articles cycled until it reaches each size, written as a raw folder
with a manifest. Each run is the whole CLI in a fresh process (start-up, manifest checks, reading, tagging,
claims, attribution, validation, writing): wall seconds, CPU seconds of all its processes (wall time suffers
when another job shares the cores, CPU time much less), MB/s, documents/s and the peak RSS of the largest
process. The long-document case times the same bytes once as one article and once as separate articles.
Nothing is written to the repository; timings vary by machine and load, so the machine's cores are printed.
With --keep, a corpus folder already there (from an earlier --keep run) is reused as it is.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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
    """A raw folder of the documents cycled to mb megabytes (as one article when one_document); its bytes. A
    folder with a manifest already is kept as it is (--keep): building 200 MB again takes a while."""
    if (folder / "manifest.csv").is_file():
        return sum(p.stat().st_size for p in folder.glob("*.txt"))
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


# The measuring parent, a fresh process per run because a process's RUSAGE_CHILDREN peak never goes down: it
# prints the peak RSS of the largest process (rusage) and the CPU seconds of the command and every process under
# it, sampled every 0.1 s (pool workers are the forkserver's children: rusage of the command misses them).
_MEASURE = """
import resource, subprocess, sys, time
import psutil
proc = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)
root, cpu = psutil.Process(proc.pid), {}
while proc.poll() is None:
    try:
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        tree = []
    for p in tree:
        try:
            t = p.cpu_times()
            cpu[p.pid] = t.user + t.system
        except psutil.Error:
            pass
    time.sleep(0.1)
if proc.returncode:
    sys.exit(proc.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, sum(cpu.values()))
"""


@dataclass
class Run:
    """One extract run: wall seconds, CPU seconds (every process) and peak RSS (MB) of the largest process."""

    seconds: float
    cpu: float
    rss: float


def extract(raw: Path, out: Path, workers: int, engine: str = "local") -> Run:
    """One extract run of the CLI in a fresh process."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "analysis", "extract", "--raw-dir", str(raw), "--out-dir", str(out),
           "--workers", str(workers), "--engine", engine]  # fmt: skip
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], check=True, cwd=ROOT, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    rss, cpu = done.stdout.split()[-2:]
    return Run(secs, float(cpu), int(rss) / 1024)


def report(name: str, n_docs: int, n_bytes: int, workers: int, run: Run) -> None:
    mb = n_bytes / 1e6
    print(
        f"{name:<22} workers={workers}  documents={n_docs}  MB={mb:.1f}  seconds={run.seconds:.1f}  "
        f"cpu_s={run.cpu:.1f}  MB/s={mb / run.seconds:.2f}  docs/s={n_docs / run.seconds:.0f}  "
        f"peak_rss_MB={run.rss:.0f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, nargs="+", default=[20, 200], help="corpus sizes (MB)")
    parser.add_argument("--long-mb", type=float, default=2, help="size of the one-long-document case (0: skip)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, len(os.sched_getaffinity(0))])
    parser.add_argument("--engine", choices=("local", "dask"), default="local", help="extract --engine")
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
                report(
                    f"{mb:g} MB corpus", n_docs, n_bytes, w, extract(raw, base / f"out-{mb:g}MB-{w}", w, args.engine)
                )
        if args.long_mb:
            split, long = base / "long-split", base / "long-one"
            n_bytes = write_corpus(split, docs, args.long_mb)
            write_corpus(long, docs, args.long_mb, one_document=True)
            as_articles = extract(split, base / "out-long-split", 1, args.engine)
            report(f"{args.long_mb:g} MB as articles", sum(1 for _ in split.glob("*.txt")), n_bytes, 1, as_articles)
            as_one = extract(long, base / "out-long-one", 1, args.engine)
            report(f"{args.long_mb:g} MB as one document", 1, n_bytes, 1, as_one)
            print(f"one long document / the same bytes as articles: {as_one.seconds / as_articles.seconds:.2f}x")


if __name__ == "__main__":
    main()
