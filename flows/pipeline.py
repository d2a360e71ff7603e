"""Screening as plain functions: package → documents → evidence → candidate scores → queue.

These are what the Prefect flows (flows/prefect_flows.py) wrap, and what tests and the single-package
`prescreen screen` call directly. No Prefect import here.

    screen_package(source, rubric_id, track, as_of, values) -> PackageScreen
    screen_package(..., files=store)  also keeps each original file (by content hash) for the web app
    screen_key(source, rubric_id, track, as_of, values, limits) -> str   the cache key of one screening:
        content hashes of the package's files + code version + rubric id/version + the other inputs
    save_screen(db, screen, key) -> summary        into the review queue, the key in packages.screen_key
    queued_summary(db, source, rubric, track, key) -> summary | None   the queue already holds this key
    screen_and_save(db, source, ...) -> summary    one package of a batch, never raising
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

from classify.api import classify_document
from extract import DocumentCache, Limits, extract_members, iter_members
from extract.package import Member
from records import Document, ExtractError
from records.screen import PackageScreen, ScreenedDocument
from review.store import Store
from rubrics.engine import score_package
from rubrics.loader import load_rubric

PACKAGE_SUFFIXES = (".zip",)


def package_name(source: Path | str) -> str:
    """The applicant's name: the folder name, or the zip's name without .zip."""
    p = Path(source)
    return p.stem if p.is_file() and p.suffix.lower() in PACKAGE_SUFFIXES else p.name


def find_packages(root: Path | str) -> list[Path]:
    """Every package of a batch folder: its subfolders and .zip files, by name."""
    root = Path(root)
    return sorted((p for p in root.iterdir()
                   if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in PACKAGE_SUFFIXES)),
                  key=lambda p: p.name)


def package_members(source: Path | str, limits: Limits = Limits()) -> Iterator[Member]:
    """The files of a package with paths relative to the package (a zip's own name is dropped)."""
    source = Path(source)
    strip = source.name + "/" if source.is_file() else ""
    for m in iter_members(source, limits):
        if strip and m.path.startswith(strip):
            m.path = m.path[len(strip):]
        yield m


def screened_document(doc: Document, rubric_id: str) -> ScreenedDocument:
    ev = classify_document(doc, rubric_id)
    texts = [p.text for p in doc.pages]
    return ScreenedDocument(evidence=ev, format=doc.origin.format, pages=len(doc.pages), text="\n".join(texts),
                            page_texts=texts)


def score_documents(source: Path | str, rubric_id: str, track: str | None, as_of: date,
                    documents: list[ScreenedDocument], values: dict[str, float] | None = None,
                    name: str | None = None) -> PackageScreen:
    rubric = load_rubric(rubric_id)
    score = score_package(rubric, [d.evidence for d in documents], as_of, track, values)
    return PackageScreen(package=name or package_name(source), source=str(source), rubric=rubric_id,
                         rubric_version=rubric.version, track=score.track, as_of=as_of, documents=documents,
                         score=score, values=dict(values or {}))


def screen_package(source: Path | str, rubric_id: str, track: str | None = None, as_of: date | None = None,
                   values: dict[str, float] | None = None, *, limits: Limits = Limits(), workers: int | None = None,
                   cache: DocumentCache | None = None, progress: Callable[[Document], None] | None = None,
                   members: Iterable[Member] | None = None, files: Store | None = None,
                   name: str | None = None) -> PackageScreen:
    """Screen one package (folder or .zip). A package that cannot be read at all gives a PackageScreen
    with `error` set and no score; a file that cannot be read is a document with an error.
    With `files`, each original file is kept in that queue's file store as it streams past.
    `name` is the applicant's name (default: the folder's, or the zip's without .zip)."""
    as_of = as_of or date.today()
    source = Path(source)
    if not source.exists():
        return PackageScreen(package=name or package_name(source), source=str(source), rubric=rubric_id,
                             track=track, as_of=as_of, error=ExtractError(code="not_found", message=f"找不到申报材料：{source}"))
    stream = members if members is not None else package_members(source, limits)
    if files is not None:
        stream = _keeping(stream, files)
    docs = extract_members(stream, limits, workers, cache, progress)
    return score_documents(source, rubric_id, track, as_of, [screened_document(d, rubric_id) for d in docs], values,
                           name)


def _keeping(members: Iterable[Member], store: Store) -> Iterator[Member]:
    for m in members:
        if m.data is not None:
            store.put_blob(hashlib.sha256(m.data).hexdigest(), m.data)
        yield m


# -- cache keys (used by the Prefect flows; plain functions, no Prefect) -------------------------

CODE_DIRS = ("records", "extract", "classify", "rubrics")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the code and data that decide a screening's output (records/, extract/, classify/,
    rubrics/ and this module): any change there invalidates every cached screening."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    files = [Path(__file__).resolve()]
    for d in CODE_DIRS:
        files += sorted(f for f in (root / d).rglob("*") if f.is_file() and "__pycache__" not in f.parts
                        and f.suffix not in (".pyc", ".md"))
    for f in files:
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _hash_file(path: Path, h) -> None:
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)


def package_fingerprint(source: Path | str) -> str:
    """sha256 over the package's content: a zip's bytes, or every file of a folder (relative path and
    content, in path order). Changes when any file is added, removed, renamed or edited."""
    source = Path(source)
    h = hashlib.sha256()
    if source.is_file():
        _hash_file(source, h)
        return h.hexdigest()
    for dirpath, dirnames, filenames in os.walk(source):
        dirnames.sort()
        for name in sorted(filenames):
            f = Path(dirpath) / name
            h.update(f.relative_to(source).as_posix().encode() + b"\0")
            fh = hashlib.sha256()
            _hash_file(f, fh)
            h.update(fh.digest())
    return h.hexdigest()


def screen_key(source: Path | str, rubric_id: str, track: str | None, as_of: date | None,
               values: dict[str, float] | None = None, limits: Limits = Limits()) -> str:
    """The cache key of one package's screening: package content + code version + rubric id and
    version + track, evaluation date, supplied values and the extraction limits."""
    rubric = load_rubric(rubric_id)
    parts = {
        "package": package_fingerprint(source), "source": str(source), "code": code_version(),
        "rubric": rubric_id, "rubric_version": rubric.version, "track": track,
        "as_of": (as_of or date.today()).isoformat(), "values": {k: float(v) for k, v in sorted((values or {}).items())},
        "limits": [limits.ocr, limits.ocr_dpi, limits.max_pages, limits.max_bytes, limits.timeout_s],
    }
    return "screen-" + hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# -- the queue side of a batch ------------------------------------------------------------------

_stores: dict[tuple[int, str], tuple[Store, int]] = {}


def open_store(db: Path | str) -> Store:
    """One Store per thread and queue path (a SQLite connection is not shared across threads); reopened
    when the file was deleted or replaced since."""
    import threading

    key = (threading.get_ident(), str(Path(db).resolve()))
    try:
        inode = os.stat(key[1]).st_ino
    except OSError:
        inode = -1
    held = _stores.get(key)
    if held is not None and held[1] == inode:
        return held[0]
    if held is not None:
        held[0].close()
    store = Store(db)
    _stores[key] = (store, os.stat(key[1]).st_ino)
    return store


def save_screen(db: Path | str, screen: PackageScreen, screen_key: str | None = None) -> dict:
    """Save one screening into the queue at `db` (with the cache key of its inputs, see `screen_key`);
    return the small summary a batch keeps per package."""
    pid = open_store(db).save_screening(screen, screen_key=screen_key)
    return {
        "package": screen.package, "source": screen.source, "package_id": pid, "documents": len(screen.documents),
        "unreadable": len(screen.unreadable()),
        "missing_mandatory": list(screen.score.missing_mandatory) if screen.score else [],
        "candidate": screen.score.total.candidate if screen.score else None,
        "max": screen.score.total.max if screen.score else None,
        "error": screen.error.model_dump(mode="json") if screen.error else None,
    }


def failed_screen(source: Path | str, rubric_id: str, track: str | None, as_of: date, exc: BaseException) -> PackageScreen:
    """The record of a package whose screening raised (a bug or an I/O failure past the retries)."""
    message = f"筛查失败：{type(exc).__name__}: {str(exc)[:200]}"
    return PackageScreen(package=package_name(source), source=str(source), rubric=rubric_id, track=track,
                         as_of=as_of, error=ExtractError(code="internal_error", message=message))


# -- "already in the queue": a batch re-run skips packages whose screening the queue holds ---------

def queued_summary(db: Path | str, source: Path | str, rubric_id: str, track: str | None,
                   key: str | None) -> dict | None:
    """The package's summary when the queue at `db` already holds its screening with this key (same
    content, code, rubric and inputs: packages.screen_key); None when it must be screened and saved."""
    if not key:
        return None
    store = open_store(db)
    p = store.find_package(package_name(source), rubric_id, track)
    if p is None or p.get("screen_key") != key or p.get("source") != str(source):
        return None
    n, bad = store.db.execute("SELECT COUNT(*), COUNT(error_code) FROM documents WHERE package_id = ?",
                              [p["id"]]).fetchone()
    error = {"code": p["error_code"], "message": p["error_message"]} if p["error_code"] else None
    return {"package": p["name"], "source": str(source), "package_id": p["id"], "documents": n, "unreadable": bad,
            "missing_mandatory": p["missing_mandatory"], "candidate": p["candidate_total"], "max": p["max_total"],
            "error": error, "skipped": True}


def screen_and_save(db: Path | str, source: Path | str, rubric_id: str, track: str | None, as_of: date,
                    values: dict[str, float] | None = None, key: str | None = None, *, limits: Limits = Limits(),
                    workers: int | None = None, attempts: int = 2) -> dict:
    """Screen one package and save it into the queue at `db` with its key; the batch's unit of work.
    Never raises for one package: an I/O failure is tried `attempts` times, then (like any other
    exception) the package is saved with error internal_error and the batch goes on."""
    for attempt in range(max(1, attempts)):
        try:
            screen = screen_package(source, rubric_id, track, as_of, values, limits=limits, workers=workers,
                                    cache=DocumentCache(), files=open_store(db))
            return save_screen(db, screen, key)
        except (OSError, sqlite3.OperationalError) as exc:  # passing I/O trouble: once more
            failure: BaseException = exc
            if attempt + 1 < attempts:
                time.sleep(1)
        except Exception as exc:  # noqa: BLE001 - one package never stops the batch
            failure = exc
            break
    return save_screen(db, failed_screen(source, rubric_id, track, as_of, failure))
