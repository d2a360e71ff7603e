"""Prefect 3 flows over the plain screening functions of flows/pipeline.py (DESIGN.md §6, §7).

    screen_package_flow(source, rubric_id, ...)  -> PackageScreen (a tracked single run)
    screen_batch_flow(batch_dir, rubric_id, ...) -> counts; every package into the queue at `db`
    run_batch(..., workers=2, dask_address=None, progress=callback)   the CLI's entry point

Thin by design: each task calls plain functions (list the packages; screen and save a few packages,
`pipeline.screen_and_save` each). Retries only where I/O can fail: listing the batch folder, and
inside `screen_and_save` reading a package and writing the queue (an OSError or a locked database
is tried twice, then the package is saved with its error and the batch goes on).

One task run per chunk of packages, not two per package: a Prefect task run costs 15–20 ms here
against about 60 ms of work per package on a warm extraction cache. Chunks are small (at most
`chunk` packages, by default so that each worker gets at least 4 chunks) and every package inside
is isolated: its failure is recorded, the chunk goes on. Progress is reported per package as each
chunk lands.

Incremental: the queue keeps each package's cache key (packages.screen_key = `pipeline.screen_key`:
the sha256 of the package's files + the code version (records/, extract/, classify/, rubrics/) +
rubric id and version + track, as_of, values and extraction limits). A package whose key the queue
already holds gets no task at all; a changed package is screened again, and inside it the
content-hash DocumentCache re-extracts only the changed file. Prefect persists no task results: a
queue that was deleted is refilled by screening again over the warm extraction cache. Saving is
idempotent and keeps reviewers' decisions.

Runners: ThreadPoolTaskRunner(workers) by default (each package's files extracted in a child
process, see `run_batch`), ProcessPoolTaskRunner with runner="process", prefect-dask's
DaskTaskRunner with a scheduler address. Works with no server configured (Prefect's ephemeral
mode) and, unchanged, against a server named by PREFECT_API_URL. Prefect's console logging stays off
unless PRESCREEN_VERBOSE=1 (or the caller sets PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL): runs still
log to the API, so the Prefect UI shows them.
"""

from __future__ import annotations

import os

# Before prefect is imported: no telemetry (it logs an error offline); no console logs unless asked.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
if os.environ.get("PRESCREEN_VERBOSE") != "1":
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")

from collections import deque  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.settings import (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, PREFECT_LOCAL_STORAGE_PATH,  # noqa: E402
                              temporary_settings)
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner  # noqa: E402

from extract import DocumentCache, Limits  # noqa: E402
from extract.cache import user_cache_dir  # noqa: E402
from flows.pipeline import (failed_screen, find_packages, open_store, package_name, queued_summary,  # noqa: E402
                            save_screen, screen_and_save, screen_key, screen_package)
from records.screen import PackageScreen  # noqa: E402

Progress = Callable[[dict], None]
_progress: list[Progress] = []  # the callback of the running batch (the flow runs in the caller's thread)


def flow_cache_dir() -> Path:
    return user_cache_dir("PRESCREEN_FLOW_CACHE", "flows")


def limits_for(no_ocr: bool) -> Limits:
    return Limits(ocr=not no_ocr)


def _key(source: str, rubric_id: str, track: str | None, as_of: date, values: dict | None,
         no_ocr: bool) -> str | None:
    try:
        return screen_key(source, rubric_id, track, as_of, values, limits_for(no_ocr))
    except Exception:  # noqa: BLE001 - an unreadable package is screened (and reported), just not skipped
        return None


# -- tasks: each calls plain functions ------------------------------------------------------------

@task(name="list-packages", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def list_packages(batch_dir: str) -> list[str]:
    return [str(p) for p in find_packages(batch_dir)]


@task(name="screen-packages", task_run_name="screen {names}", cache_policy=NO_CACHE, persist_result=False)
def screen_chunk(db: str, jobs: list[tuple[str, str | None]], rubric_id: str, track: str | None, as_of: date,
                 values: dict | None, no_ocr: bool = False, extract_workers: int | None = 1,
                 names: str = "") -> list[dict]:
    """Screen and save each (source, key) of `jobs` (pipeline.screen_and_save: never raises for one
    package); return their summaries."""
    return [screen_and_save(db, source, rubric_id, track, as_of, values, key, limits=limits_for(no_ocr),
                            workers=extract_workers) for source, key in jobs]


@task(name="screen-package", task_run_name="screen {source}", retries=2, retry_delay_seconds=2,
      cache_policy=NO_CACHE, persist_result=False)
def screen_task(source: str, rubric_id: str, track: str | None, as_of: date, values: dict | None,
                no_ocr: bool = False, db: str | None = None, name: str | None = None) -> PackageScreen:
    """Read, extract, classify and score one package (flows.pipeline.screen_package); with `db`, keep
    each original file in that queue's file store and save the screening there."""
    screen = screen_package(source, rubric_id, track, as_of, values, limits=limits_for(no_ocr),
                            cache=DocumentCache(), files=open_store(db) if db else None, name=name)
    if db:
        save_screen(db, screen, _key(source, rubric_id, track, as_of, values, no_ocr))
    return screen


def cache_settings():
    """Prefect's settings for our runs: local storage (results of tasks that persist any, none by
    default) under flow_cache_dir(); with no server configured (the ephemeral one lives and dies with
    this process) no flow-run heartbeats: Prefect's heartbeat thread sleeps in 1 s steps and is joined
    when a flow run ends, which cost 1.0 s of every flow run here (a no-op flow: 1.13 s → 0.13 s)."""
    path = flow_cache_dir()
    path.mkdir(parents=True, exist_ok=True)
    updates: dict = {PREFECT_LOCAL_STORAGE_PATH: path}
    if not os.environ.get("PREFECT_API_URL"):
        updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
    return temporary_settings(updates=updates)


# -- flows --------------------------------------------------------------------------------------

@flow(name="screen-package", log_prints=False)
def screen_package_flow(source: str, rubric_id: str, track: str | None = None, as_of: date | None = None,
                        values: dict | None = None, db: str | None = None, no_ocr: bool = False,
                        name: str | None = None) -> PackageScreen:
    """One package: screen it and, with `db`, save it into the queue (one task run)."""
    return screen_task(str(source), rubric_id, track, as_of or date.today(), values, no_ocr, db, name)


def chunk_size(packages: int, workers: int, most: int = 8) -> int:
    """Packages per task run: at most `most`, and at least 4 chunks per worker when the batch allows."""
    return max(1, min(most, packages // (4 * max(1, workers))))


@flow(name="screen-batch", log_prints=False)
def screen_batch_flow(batch_dir: str, rubric_id: str, track: str | None = None, as_of: date | None = None,
                      db: str = "prescreen.db", values: dict | None = None, no_ocr: bool = False,
                      extract_workers: int | None = 1, workers: int = 2, chunk: int | None = None) -> dict:
    """Every package of `batch_dir` into the queue at `db`. Packages whose key the queue holds are
    counted without a task; the others go in chunks of `chunk` (default `chunk_size`) packages, at
    most 2 × `workers` chunks in flight; only a small summary per package is kept, so memory does
    not grow with the batch."""
    as_of = as_of or date.today()
    counts = {"packages": 0, "documents": 0, "unreadable": 0, "failed_packages": 0, "skipped": 0}
    running: deque = deque()  # (jobs, future of their summaries)
    sources = list_packages(batch_dir)
    size = chunk or chunk_size(len(sources), workers)

    def count(summary: dict) -> None:
        counts["packages"] += 1
        counts["documents"] += summary["documents"]
        counts["unreadable"] += summary["unreadable"]
        counts["failed_packages"] += int(summary["error"] is not None)
        counts["skipped"] += int(summary.get("skipped", False))
        for cb in _progress:
            cb(summary)

    def collect(item) -> None:
        jobs, fut = item
        try:
            summaries = fut.result()
        except Exception as exc:  # noqa: BLE001 - a chunk that crashed as a whole: each package recorded
            summaries = [save_screen(db, failed_screen(source, rubric_id, track, as_of, exc)) for source, _ in jobs]
        for summary in summaries:
            count(summary)

    def submit(jobs: list) -> None:
        names = ", ".join(package_name(source) for source, _ in jobs)
        running.append((jobs, screen_chunk.submit(db, jobs, rubric_id, track, as_of, values, no_ocr,
                                                  extract_workers, names)))
        while len(running) >= 2 * max(1, workers):
            collect(running.popleft())

    jobs: list = []
    for source in sources:
        key = _key(source, rubric_id, track, as_of, values, no_ocr)
        done = queued_summary(db, source, rubric_id, track, key)
        if done is not None:  # unchanged and already in this queue: no task at all
            count(done)
            continue
        jobs.append((source, key))
        if len(jobs) >= size:
            submit(jobs)
            jobs = []
    if jobs:
        submit(jobs)
    while running:
        collect(running.popleft())
    return counts


def run_batch(batch_dir: Path | str, rubric_id: str, track: str | None = None, as_of: date | None = None,
              db: Path | str = "prescreen.db", values: dict | None = None, no_ocr: bool = False,
              workers: int = 2, dask_address: str | None = None, runner: str = "thread",
              progress: Progress | None = None, chunk: int | None = None) -> dict:
    """Run screen_batch_flow with the chosen task runner; `progress` is called with each package's
    summary as it lands in the queue (a chunk at a time); `chunk` packages per task run (default
    `chunk_size`: at most 8, at least 4 chunks per worker).

    runner="thread" (default): `workers` threads, each package's files extracted in one child process
    of its own (pebble), so `workers` packages use `workers` cores; classification and scoring (about
    15% of a cold package) run in the threads. runner="process": Prefect's ProcessPoolTaskRunner
    (spawned workers, everything in them, no per-file time limit; 4× slower than threads here on 12
    packages: each spawned worker imports everything and talks to the server on its own). `dask_address`: prefect-dask's
    DaskTaskRunner on that cluster (its workers need the package folder and the queue's path)."""
    workers = max(1, int(workers))
    extract_workers = 1
    if dask_address:
        from prefect_dask import DaskTaskRunner

        task_runner = DaskTaskRunner(address=dask_address)
        extract_workers = 0
    elif runner == "process":
        task_runner = ProcessPoolTaskRunner(max_workers=workers)
        extract_workers = 0
    else:
        task_runner = ThreadPoolTaskRunner(max_workers=workers)
    db = str(Path(db).resolve())
    _progress.append(progress or (lambda summary: None))
    try:
        with cache_settings():
            return screen_batch_flow.with_options(task_runner=task_runner)(
                str(batch_dir), rubric_id, track, as_of or date.today(), db, values, no_ocr, extract_workers,
                workers=workers, chunk=chunk)
    finally:
        _progress.pop()


def screen_tracked(source: Path | str, rubric_id: str, track: str | None = None, as_of: date | None = None,
                   values: dict | None = None, db: str | None = None, no_ocr: bool = False,
                   name: str | None = None) -> PackageScreen:
    """`prescreen screen --prefect`: the single package as a tracked Prefect flow run."""
    with cache_settings():
        return screen_package_flow(str(source), rubric_id, track, as_of, values, db, no_ocr, name)


__all__ = ["screen_package_flow", "screen_batch_flow", "run_batch", "screen_tracked", "package_name",
           "flow_cache_dir"]
