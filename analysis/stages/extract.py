"""The `extract` command's engine: each document read, tagged and its claims found in one pass, over processes;
the per-document tables streamed to their files as the batches come back."""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from analysis.config import Event
from analysis.extract.places import PlaceMap
from analysis.extract.times import TimeExpr, tag_times
from analysis.io import StreamedTables, frame
from analysis.schemas import Claims, Documents, Furniture, Sources, Times
from analysis.stages import ingest
from analysis.stages.claims import Assembly, ClaimsPart, DocClaims, claims_of_document, claims_part
from analysis.stages.times import times_frame

# A batch is about this much text: large enough that a worker's start-up and the pickling of results are small
# against the work, small enough that a corpus of a few MB still spreads over every core.
BATCH_BYTES = 256_000
BATCH_DOCS = 512
# Batches in flight per worker: enough that a worker never waits for the next, few enough that results held in
# the main process (submitted, done, not yet written) stay a handful of batches whatever the corpus size.
WINDOW = 2
# The per-document tables, streamed into their files in row groups as the batches come back.
STREAMED = {"documents": Documents, "furniture": Furniture, "times": Times}


@dataclass(frozen=True)
class Job:
    """What every document's extraction needs: the corpus folder and the event's parameters (picklable)."""

    raw_dir: Path
    furniture: dict
    event: Event
    places: PlaceMap | tuple[str, ...] = ()


@dataclass(frozen=True)
class DocResult:
    """One document's rows of every table (its claims with what speaker resolution needs of it, not its text)."""

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


@dataclass(frozen=True)
class Batch:
    """A batch of documents' rows of the per-document tables and their claims (framed in the worker), and its
    counts."""

    tables: dict[str, pd.DataFrame]
    claims: ClaimsPart
    documents: int
    n_bytes: int


def extract_batch(job: Job, rows: Sequence[ingest.ManifestRow]) -> Batch:
    """extract_document over a batch of rows, in order (the unit of work sent to a process)."""
    done = [extract_document(job, row) for row in rows]
    tables = {
        "documents": frame([r.document for r in done], Documents),
        "furniture": frame([f for r in done for f in r.furniture], Furniture),
        "times": times_frame({r.document["doc_id"]: r.times for r in done}),
    }
    return Batch(tables, claims_part([r.claims for r in done]), len(done), sum(r.n_bytes for r in done))


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


def in_order(submit: Callable[[list], Future], todo: Iterable[list], window: int) -> Iterator[Batch]:
    """Each batch's result in the order of todo, with at most window batches submitted and not yet consumed: a
    consumer slower than the workers holds a bounded number of results, not the corpus."""
    pending: deque[Future] = deque()
    try:
        for batch in todo:
            pending.append(submit(batch))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:  # a failure or an early stop: the batches not begun are not run
            future.cancel()


def map_batches(
    job: Job, rows: Sequence[ingest.ManifestRow], workers: int, batch_bytes: int = BATCH_BYTES
) -> Iterator[Batch]:
    """Every batch's results, in manifest order whatever the number of workers (one batch runs in-process)."""
    todo = batches(job.raw_dir, rows, batch_bytes)
    if workers <= 1 or len(todo) <= 1:
        for batch in todo:
            yield extract_batch(job, batch)
        return
    # forkserver: workers start from a clean process, not a fork of one whose libraries may hold threads
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(min(workers, len(todo)), mp_context=context) as pool:
        yield from in_order(partial(pool.submit, extract_batch, job), todo, WINDOW * workers)


def map_batches_dask(
    job: Job, rows: Sequence[ingest.ManifestRow], workers: int, scheduler: str | None, batch_bytes: int = BATCH_BYTES
) -> Iterator[Batch]:
    """map_batches on a Dask cluster: the scheduler at address scheduler, else a LocalCluster of workers
    processes. One task per batch, submitted in a bounded window and consumed in manifest order, so the tables
    are those of the local engine and the results held do not grow with the corpus."""
    import logging

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
        # a cluster's size is its threads, not --workers (a scheduler given by address has its own)
        window = WINDOW * max(1, sum(client.nthreads().values()))
        # pure=False: each batch is a task of its own, without hashing its rows for a key
        yield from in_order(partial(client.submit, extract_batch, job, pure=False), todo, window)
    finally:
        client.close()
        if not scheduler:
            cluster.close()


@dataclass
class Summary:
    """What a run read and found, and how long it took."""

    documents: int = 0
    n_bytes: int = 0
    times: int = 0
    claims: int = 0
    sources: int = 0
    seconds: float = 0.0


def stream(
    results: Iterable[Batch],
    out: StreamedTables,
    claims: Assembly,
    summary: Summary,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Append each batch's rows to the streamed tables as it comes, and its claims to the assembly of the
    corpus-level steps (speaker resolution and ids), which run after the map."""
    for batch in results:
        for name, df in batch.tables.items():
            out.append(name, df)
        claims.add(batch.claims)
        summary.documents += batch.documents
        summary.n_bytes += batch.n_bytes
        if progress:
            progress(summary.documents, summary.n_bytes)


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
    row_group_rows: int | None = None,
) -> Summary:
    """Read the corpus in raw_dir and write documents, furniture, times, claims and sources into out_dir: on
    workers local processes, or on Dask (the cluster at scheduler, else a local one of workers processes). The
    per-document tables are written in row groups of row_group_rows or more (default io.ROW_GROUP_ROWS)."""
    started = time.perf_counter()
    rows = ingest.manifest_rows(raw_dir, manifest_name, timezone=event.timezone)
    job = Job(
        Path(raw_dir), dict(furniture or {}), event, dict(places) if isinstance(places, Mapping) else tuple(places)
    )
    if dask:
        results = map_batches_dask(job, rows, workers, scheduler, batch_bytes)
    else:
        results = map_batches(job, rows, workers, batch_bytes)
    summary = Summary()
    # closing: a failure stops the workers now (the batches not begun are cancelled), not when collected
    # the name runs of the documents that credit a speaker wait in an unnamed file (gone when closed) beside the
    # tables, not in memory: speaker resolution reads them once, at the end
    with (
        closing(results),
        StreamedTables(out_dir, STREAMED, row_group_rows) as out,
        tempfile.TemporaryFile(dir=out_dir) as spill,
    ):
        claims = Assembly(spill)
        stream(results, out, claims, summary, progress_printer(len(rows)))
        out.flush()  # the rows still waiting for a row group are written before the corpus-level steps run
        claims_table, sources_table = claims.tables()
        counts = out.finish({"claims": (claims_table, Claims), "sources": (sources_table, Sources)})
    summary.times, summary.claims, summary.sources = counts["times"], counts["claims"], counts["sources"]
    summary.seconds = time.perf_counter() - started
    return summary
