"""The `extract` command's engine: each document read, tagged and its claims found in one pass, over processes."""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from analysis.config import Event
from analysis.extract.places import PlaceMap
from analysis.extract.times import TimeExpr, tag_times
from analysis.io import frame, write_tables
from analysis.schemas import Claims, Documents, Furniture, Sources, Times
from analysis.stages import ingest
from analysis.stages.claims import DocClaims, assemble, claims_of_document
from analysis.stages.times import times_frame

# A batch is about this much text: large enough that a worker's start-up and the pickling of results are small
# against the work, small enough that a corpus of a few MB still spreads over every core.
BATCH_BYTES = 256_000
BATCH_DOCS = 512


@dataclass(frozen=True)
class Job:
    """What every document's extraction needs: the corpus folder and the event's parameters (picklable)."""

    raw_dir: Path
    furniture: dict
    event: Event
    places: PlaceMap | tuple[str, ...] = ()


@dataclass(frozen=True)
class DocResult:
    """One document's rows of every table (its text is kept only when speaker resolution needs it)."""

    document: dict
    furniture: list[dict]
    times: list[TimeExpr]
    claims: DocClaims
    n_bytes: int


def extract_document(job: Job, row: ingest.ManifestRow) -> DocResult:
    """Read one document and find its furniture, time expressions and claims, as the ingest, times and claims
    stages do (their tables come out the same)."""
    doc = ingest.load_document(job.raw_dir, row, job.furniture)
    skip = [(sp.start, sp.end) for sp in doc.furniture]
    times = tag_times(doc.text, row.published_on.isoformat(), job.event.timezone, skip)
    claims = claims_of_document(
        row.doc_id, doc.text, row.published_on, row.published_at, skip, times, job.event, job.places
    )
    return DocResult(
        ingest.document_record(doc), ingest.furniture_records(doc), times, claims, len(doc.text.encode("utf-8"))
    )


def extract_batch(job: Job, rows: Sequence[ingest.ManifestRow]) -> list[DocResult]:
    """extract_document over a batch of rows, in order (the unit of work sent to a process)."""
    return [extract_document(job, row) for row in rows]


def batches(raw_dir: Path, rows: Sequence[ingest.ManifestRow], target_bytes: int = BATCH_BYTES) -> list[list]:
    """Consecutive runs of rows of about target_bytes of text each (by file size), at most BATCH_DOCS rows."""
    out: list[list] = []
    size = 0
    for row in rows:
        if not out or size >= target_bytes or len(out[-1]) >= BATCH_DOCS:
            out.append([])
            size = 0
        out[-1].append(row)
        size += (Path(raw_dir) / row.file).stat().st_size
    return out


def map_documents(
    job: Job, rows: Sequence[ingest.ManifestRow], workers: int, batch_bytes: int = BATCH_BYTES
) -> Iterator[DocResult]:
    """Every row's DocResult, in manifest order whatever the number of workers (one batch runs in-process)."""
    todo = batches(job.raw_dir, rows, batch_bytes)
    if workers <= 1 or len(todo) <= 1:
        for batch in todo:
            yield from extract_batch(job, batch)
        return
    # forkserver: workers start from a clean process, not a fork of one whose libraries may hold threads
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(min(workers, len(todo)), mp_context=context) as pool:
        for done in pool.map(partial(extract_batch, job), todo):
            yield from done


def map_documents_dask(
    job: Job, rows: Sequence[ingest.ManifestRow], workers: int, scheduler: str | None, batch_bytes: int = BATCH_BYTES
) -> Iterator[DocResult]:
    """map_documents on a Dask cluster: the scheduler at address scheduler, else a LocalCluster of workers
    processes. One bag partition per batch (Dask's default would bundle several batches into one task), and the
    results come back in manifest order, so the tables are those of the local engine."""
    import logging

    import dask.bag as db
    from distributed import Client, LocalCluster

    todo = batches(job.raw_dir, rows, batch_bytes)
    if not todo:
        return
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)  # fmt: skip
        client = Client(cluster)
    try:
        bag = db.from_sequence(todo, npartitions=len(todo))
        done = bag.map(partial(extract_batch, job)).compute(scheduler=client)
    finally:
        client.close()
        if not scheduler:
            cluster.close()
    for batch in done:
        yield from batch


@dataclass
class Summary:
    """What a run read and found, and how long it took."""

    documents: int = 0
    n_bytes: int = 0
    times: int = 0
    claims: int = 0
    sources: int = 0
    seconds: float = 0.0


def collect(results: Iterable[DocResult], progress: Callable[[int, int], None] | None = None) -> tuple[dict, Summary]:
    """The five tables from the documents' results (corpus-level steps run here, after the map)."""
    documents, furniture, times, claims = [], [], {}, []
    summary = Summary()
    for r in results:
        documents.append(r.document)
        furniture.extend(r.furniture)
        times[r.document["doc_id"]] = r.times
        claims.append(r.claims)
        summary.documents += 1
        summary.n_bytes += r.n_bytes
        if progress:
            progress(summary.documents, summary.n_bytes)
    claims_table, sources_table = assemble(claims)
    tables = {
        "documents": (frame(documents, Documents), Documents),
        "furniture": (frame(furniture, Furniture), Furniture),
        "times": (times_frame(times), Times),
        "claims": (claims_table, Claims),
        "sources": (sources_table, Sources),
    }
    summary.times, summary.claims, summary.sources = (len(tables[k][0]) for k in ("times", "claims", "sources"))
    return tables, summary


def progress_printer(total: int) -> Callable[[int, int], None] | None:
    """A one-line progress display on stderr when it is a terminal (quiet under DVC, CI and pipes)."""
    if not sys.stderr.isatty():
        return None
    last = [0.0]

    def show(done: int, n_bytes: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.2 or done == total:
            last[0] = now
            print(f"\rextract: {done}/{total} documents, {n_bytes / 1e6:.1f} MB", end="", file=sys.stderr)
            if done == total:
                print(file=sys.stderr)

    return show


def run(
    raw_dir: Path,
    out_dir: Path,
    manifest_name: str,
    furniture: dict,
    event: Event,
    places: PlaceMap | Sequence[str] = (),
    workers: int = 1,
    batch_bytes: int = BATCH_BYTES,
    dask: bool = False,
    scheduler: str | None = None,
) -> Summary:
    """Read the corpus in raw_dir and write documents, furniture, times, claims and sources into out_dir: on
    workers local processes, or on Dask (the cluster at scheduler, else a local one of workers processes)."""
    started = time.perf_counter()
    rows = ingest.manifest_rows(raw_dir, manifest_name, timezone=event.timezone)
    job = Job(
        Path(raw_dir), dict(furniture or {}), event, dict(places) if isinstance(places, Mapping) else tuple(places)
    )
    if dask:
        results = map_documents_dask(job, rows, workers, scheduler, batch_bytes)
    else:
        results = map_documents(job, rows, workers, batch_bytes)
    tables, summary = collect(results, progress_printer(len(rows)))
    paths = {Path(out_dir) / f"{name}.parquet": t for name, t in tables.items()}
    write_tables(paths)
    summary.seconds = time.perf_counter() - started
    return summary
