"""Prefect 3 flows over the plain screening functions of flows/pipeline.py (DESIGN.md §6, §7).

    screen_package_flow(source, rubric_id, ...)  -> PackageScreen (a tracked single run)
    screen_batch_flow(batch_dir, rubric_id, ...) -> counts; every package into the queue at `db`
    run_batch(..., workers=2, dask_address=None, progress=callback)   the CLI's entry point

Thin by design: each task calls one plain function (list the packages, screen one package, save one
screening). Retries only on the tasks that do I/O that can fail for passing reasons: listing the batch
folder, reading a package, writing the queue.

Caching: the screen task's key is `pipeline.screen_key` — the sha256 of the package's files (a zip's
bytes, or every file of a folder) + the code version (a hash of records/, extract/, classify/,
rubrics/) + rubric id and version + track, as_of, values and extraction limits + the queue's path
(a new queue also needs the original files, which are kept while a package is read). Results are pickled
to a local folder (PRESCREEN_FLOW_CACHE, default ~/.cache/prescreen/flows) and not kept in memory, so
memory stays flat over a batch. Re-running a batch after one file changed re-screens that package
only; inside it the content-hash DocumentCache re-extracts only the changed file, and its
classification and scoring are redone. A package whose screening (same key) is already in the queue
gets no task at all: the flow checks a marker written after each save (under the same folder) and
that the queue still has the package, so a queue that was deleted is refilled (from Prefect's cache).
Saving is idempotent and keeps reviewers' decisions.

Runners: ThreadPoolTaskRunner(workers) by default (extraction in a process per worker, see
`run_batch`), ProcessPoolTaskRunner with runner="process", prefect-dask's DaskTaskRunner with a
scheduler address. Works with no server configured (Prefect's ephemeral mode) and, unchanged,
against a server named by PREFECT_API_URL. Prefect's console logging stays off unless
PRESCREEN_VERBOSE=1 (or the caller sets PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL): runs still log to
the API, so the Prefect UI shows them.
"""

from __future__ import annotations

import hashlib
import os

# Before prefect is imported: no telemetry (it logs an error offline); no console logs unless asked.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
if os.environ.get("PRESCREEN_VERBOSE") != "1":
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")

from collections import deque  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings  # noqa: E402
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from extract import DocumentCache, Limits  # noqa: E402
from flows.pipeline import (failed_screen, find_packages, mark_queued, open_store, package_name,  # noqa: E402
                            queued_summary, save_screen, screen_key, screen_package)
from records.screen import PackageScreen  # noqa: E402

Progress = Callable[[dict], None]
_progress: list[Progress] = []  # the callback of the running batch (the flow runs in the caller's thread)


def flow_cache_dir() -> Path:
    env = os.environ.get("PRESCREEN_FLOW_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "prescreen" / "flows"


def limits_for(no_ocr: bool) -> Limits:
    return Limits(ocr=not no_ocr)


def _screen_cache_key(context: Any, parameters: dict[str, Any]) -> str | None:
    try:
        key = screen_key(parameters["source"], parameters["rubric_id"], parameters["track"], parameters["as_of"],
                         parameters["values"], limits_for(parameters["no_ocr"]))
        db = parameters.get("db")  # a new queue gets the original files too (kept while screening)
        return key + (f"-{hashlib.sha256(str(db).encode()).hexdigest()[:12]}" if db else "")
    except Exception:  # noqa: BLE001 - an unreadable package is screened (and reported), just not cached
        return None


# -- tasks: each calls one plain function ---------------------------------------------------------

@task(name="list-packages", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def list_packages(batch_dir: str) -> list[str]:
    return [str(p) for p in find_packages(batch_dir)]


@task(name="screen-package", task_run_name="screen {source}", retries=2, retry_delay_seconds=2,
      cache_key_fn=_screen_cache_key, persist_result=True, cache_result_in_memory=False,
      result_serializer="pickle")
def screen_task(source: str, rubric_id: str, track: str | None, as_of: date, values: dict | None,
                no_ocr: bool = False, extract_workers: int = 0, db: str | None = None) -> PackageScreen:
    """Read, extract, classify and score one package (flows.pipeline.screen_package); with `db`, keep
    each original file in that queue's file store for the reviewers' web app."""
    return screen_package(source, rubric_id, track, as_of, values, limits=limits_for(no_ocr),
                          workers=extract_workers, cache=DocumentCache(), files=open_store(db) if db else None)


@task(name="save-to-queue", task_run_name="save {package}", retries=3, retry_delay_seconds=1,
      cache_policy=NO_CACHE)
def save_task(db: str, screen: PackageScreen, package: str = "") -> dict:
    """Write one screening into the review queue (idempotent; keeps reviewers' decisions).
    Callers pass the screening as quote(screen): Prefect would otherwise walk the whole object (every
    document's text) looking for futures, which cost 50 ms a package."""
    return save_screen(db, screen)


def cache_settings():
    """Persisted task results (the screening cache) go to flow_cache_dir()."""
    path = flow_cache_dir()
    path.mkdir(parents=True, exist_ok=True)
    return temporary_settings(updates={PREFECT_LOCAL_STORAGE_PATH: path})


# -- flows --------------------------------------------------------------------------------------

@flow(name="screen-package", log_prints=False)
def screen_package_flow(source: str, rubric_id: str, track: str | None = None, as_of: date | None = None,
                        values: dict | None = None, db: str | None = None, no_ocr: bool = False,
                        extract_workers: int | None = None) -> PackageScreen:
    """One package: screen it (cached by content) and, with `db`, save it into the queue."""
    as_of = as_of or date.today()
    screen = screen_task(
        str(source), rubric_id, track, as_of, values, no_ocr, extract_workers, db)
    if db:
        save_task(db, quote(screen), screen.package)
    return screen


@flow(name="screen-batch", log_prints=False)
def screen_batch_flow(batch_dir: str, rubric_id: str, track: str | None = None, as_of: date | None = None,
                      db: str = "prescreen.db", values: dict | None = None, no_ocr: bool = False,
                      extract_workers: int = 0, window: int = 4) -> dict:
    """Every package of `batch_dir` into the queue at `db`. At most `window` packages are in flight,
    and nothing but a small summary per package is kept, so memory does not grow with the batch."""
    as_of = as_of or date.today()
    root = flow_cache_dir()
    counts = {"packages": 0, "documents": 0, "unreadable": 0, "failed_packages": 0, "skipped": 0}
    screening: deque = deque()  # (source, key, future of the PackageScreen)
    saving: deque = deque()  # (source, key, future of the summary)

    def count(summary: dict) -> None:
        counts["packages"] += 1
        counts["documents"] += summary["documents"]
        counts["unreadable"] += summary["unreadable"]
        counts["failed_packages"] += int(summary["error"] is not None)
        counts["skipped"] += int(summary.get("skipped", False))
        for cb in _progress:
            cb(summary)

    def to_queue(item) -> None:
        source, key, fut = item
        try:
            screen, wait = fut.result(), [fut]
        except Exception as exc:  # noqa: BLE001 - one package never stops the batch
            screen, wait, key = failed_screen(source, rubric_id, track, as_of, exc), [], None
        saving.append((source, key, save_task.submit(db, quote(screen), screen.package, wait_for=wait)))

    def collect(item) -> None:
        source, key, fut = item
        try:
            summary = fut.result()
            if key:
                mark_queued(root, db, source, key)
        except Exception as exc:  # noqa: BLE001
            summary = save_screen(db, failed_screen(source, rubric_id, track, as_of, exc))
        count(summary)

    for source in list_packages(batch_dir):
        params = dict(source=source, rubric_id=rubric_id, track=track, as_of=as_of, values=values, no_ocr=no_ocr,
                      db=db)
        key = _screen_cache_key(None, params)
        done = queued_summary(root, db, source, rubric_id, track, key)
        if done is not None:  # unchanged and already in this queue: no task at all
            count(done)
            continue
        screening.append((source, key, screen_task.submit(source, rubric_id, track, as_of, values, no_ocr,
                                                          extract_workers, db)))
        while len(screening) >= max(1, window):
            to_queue(screening.popleft())
        while len(saving) >= max(1, window):
            collect(saving.popleft())
    while screening:
        to_queue(screening.popleft())
    while saving:
        collect(saving.popleft())
    return counts


def run_batch(batch_dir: Path | str, rubric_id: str, track: str | None = None, as_of: date | None = None,
              db: Path | str = "prescreen.db", values: dict | None = None, no_ocr: bool = False,
              workers: int = 2, dask_address: str | None = None, runner: str = "thread",
              progress: Progress | None = None) -> dict:
    """Run screen_batch_flow with the chosen task runner; `progress` is called with each package's
    summary as it lands in the queue.

    runner="thread" (default): `workers` threads, each package's files extracted in one child process
    of its own (pebble), so `workers` packages use `workers` cores. runner="process": Prefect's
    ProcessPoolTaskRunner (spawned workers, everything in them). `dask_address`: prefect-dask's
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
                window=2 * workers)
    finally:
        _progress.pop()


def screen_tracked(source: Path | str, rubric_id: str, track: str | None = None, as_of: date | None = None,
                   values: dict | None = None, db: str | None = None, no_ocr: bool = False) -> PackageScreen:
    """`prescreen screen --prefect`: the single package as a tracked Prefect flow run."""
    with cache_settings():
        return screen_package_flow(str(source), rubric_id, track, as_of, values, db, no_ocr)


__all__ = ["screen_package_flow", "screen_batch_flow", "run_batch", "screen_tracked", "package_name",
           "flow_cache_dir"]
