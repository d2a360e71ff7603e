"""Screening as plain functions: package → documents → evidence → candidate scores → queue.

These are what the Prefect flows (flows/prefect_flows.py) wrap, and what tests and the single-package
`prescreen screen` call directly. No Prefect import here.

    screen_package(source, rubric_id, track, as_of, values) -> PackageScreen
    screen_package(..., files=store)  also keeps each original file (by content hash) for the web app
"""

from __future__ import annotations

import hashlib
from datetime import date
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
                    documents: list[ScreenedDocument], values: dict[str, float] | None = None) -> PackageScreen:
    rubric = load_rubric(rubric_id)
    score = score_package(rubric, [d.evidence for d in documents], as_of, track, values)
    return PackageScreen(package=package_name(source), source=str(source), rubric=rubric_id,
                         rubric_version=rubric.version, track=score.track, as_of=as_of, documents=documents,
                         score=score, values=dict(values or {}))


def screen_package(source: Path | str, rubric_id: str, track: str | None = None, as_of: date | None = None,
                   values: dict[str, float] | None = None, *, limits: Limits = Limits(), workers: int | None = None,
                   cache: DocumentCache | None = None, progress: Callable[[Document], None] | None = None,
                   members: Iterable[Member] | None = None, files: Store | None = None) -> PackageScreen:
    """Screen one package (folder or .zip). A package that cannot be read at all gives a PackageScreen
    with `error` set and no score; a file that cannot be read is a document with an error.
    With `files`, each original file is kept in that queue's file store as it streams past."""
    as_of = as_of or date.today()
    source = Path(source)
    if not source.exists():
        return PackageScreen(package=package_name(source), source=str(source), rubric=rubric_id, track=track,
                             as_of=as_of, error=ExtractError(code="corrupt", message=f"找不到申报材料：{source}"))
    stream = members if members is not None else package_members(source, limits)
    if files is not None:
        stream = _keeping(stream, files)
    docs = extract_members(stream, limits, workers, cache, progress)
    return score_documents(source, rubric_id, track, as_of, [screened_document(d, rubric_id) for d in docs], values)


def _keeping(members: Iterable[Member], store: Store) -> Iterator[Member]:
    for m in members:
        if m.data is not None:
            store.put_blob(hashlib.sha256(m.data).hexdigest(), m.data)
        yield m
