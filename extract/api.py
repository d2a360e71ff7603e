"""Extraction entry points: bytes → Document, and a package → Documents (in worker processes,
with a per-file time limit, cached by content hash). One bad file never stops a package."""

from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile
from collections import deque
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Callable, Iterable, Iterator

from extract.cache import DocumentCache
from extract.detect import MIMETYPES, detect_format
from extract.errors import ExtractFailure
from extract.package import Member, iter_members
from extract.registry import ExtractContext, Limits, extractor_for
from records import Document, Origin

SPECIAL_FORMATS = {
    "empty": ("empty", ""),
    "encrypted_office": ("encrypted", ""),
    "corrupt_zip": ("corrupt", "压缩结构损坏"),
    "corrupt_ole": ("corrupt", "Office 文件结构损坏"),
    "unknown": ("unsupported_format", ""),
}


def _failed(origin: Origin, failure: ExtractFailure) -> Document:
    return Document(origin=origin, error=failure.to_error())


def extract_bytes(data: bytes, path: str, limits: Limits = Limits()) -> Document:
    """Extract one file's bytes in this process. Never raises for a bad file."""
    suffix = posixpath.splitext(path)[1].lower()
    fmt = detect_format(data, suffix)
    origin = Origin(path=path, size=len(data), sha256=hashlib.sha256(data).hexdigest(), format=fmt,
                    mimetype=MIMETYPES.get(fmt))
    if len(data) > limits.max_bytes:
        return _failed(origin, ExtractFailure("too_large", f"{len(data)} 字节"))
    if fmt in SPECIAL_FORMATS:
        code, detail = SPECIAL_FORMATS[fmt]
        if fmt == "unknown":
            detail = f"无法识别的文件内容（扩展名 {suffix or '无'}）"
        return _failed(origin, ExtractFailure(code, detail))
    fn = extractor_for(fmt)
    if fn is None:
        return _failed(origin, ExtractFailure("unsupported_format", f"暂不支持 {fmt} 格式"))
    with tempfile.TemporaryDirectory(prefix="prescreen-") as tmp:
        ctx = ExtractContext(path=path, suffix=suffix, limits=limits, workdir=Path(tmp))
        try:
            pages = fn(data, ctx)
        except ExtractFailure as failure:
            return _failed(origin, failure)
        except MemoryError:
            return _failed(origin, ExtractFailure("too_large", "内存不足"))
        except Exception as exc:  # noqa: BLE001 - a parser bug on one file must not stop the package
            return _failed(origin, ExtractFailure("corrupt", f"{type(exc).__name__}: {str(exc)[:200]}"))
    doc = Document(origin=origin, pages=pages)
    if not any(p.text.strip() or p.tables for p in pages):
        doc.error = ExtractFailure("empty").to_error()
    return doc


def _member_document(member: Member) -> Document:
    origin = Origin(path=member.path, size=member.size, sha256="", format="unknown")
    return _failed(origin, member.failure or ExtractFailure("corrupt"))


def _worker_count(workers: int | None) -> int:
    if workers is not None:
        return workers
    return max(1, min(os.cpu_count() or 1, 4))


def extract_members(members: Iterable[Member], limits: Limits = Limits(), workers: int | None = None,
                    cache: DocumentCache | None = None,
                    progress: Callable[[Document], None] | None = None) -> Iterator[Document]:
    """Documents for the members, in order. workers=0 runs in this process (no time limit)."""
    n = _worker_count(workers)

    def done(doc: Document) -> Document:
        # Timeouts may be transient (a busy machine): everything else is cached by content.
        if cache is not None and doc.origin.sha256 and not (doc.error and doc.error.code == "timeout"):
            cache.put(doc, limits)
        if progress:
            progress(doc)
        return doc

    def cached_or_none(member: Member) -> Document | None:
        if cache is None or member.data is None:
            return None
        return cache.get(hashlib.sha256(member.data).hexdigest(), member.path, limits)

    if n == 0:
        for m in members:
            if m.failure is not None:
                yield done(_member_document(m))
                continue
            hit = cached_or_none(m)
            yield done(hit) if hit else done(extract_bytes(m.data, m.path, limits))
        return

    from pebble import ProcessExpired, ProcessPool

    pending: deque = deque()
    # each worker's OCR engine gets its share of the cores (inherited by the forked workers)
    os.environ.setdefault("PRESCREEN_OCR_THREADS", str(max(1, (os.cpu_count() or 1) // n)))
    with ProcessPool(max_workers=n) as pool:

        def resolve(item) -> Document:
            member, fut = item
            if isinstance(fut, Document):
                return fut
            try:
                return fut.result()
            except FutureTimeout:
                origin = Origin(path=member.path, size=member.size, sha256=hashlib.sha256(member.data).hexdigest(),
                                format=detect_format(member.data, posixpath.splitext(member.path)[1]))
                return _failed(origin, ExtractFailure("timeout", f"超过 {limits.timeout_s:g} 秒"))
            except ProcessExpired as exc:
                origin = Origin(path=member.path, size=member.size, sha256=hashlib.sha256(member.data).hexdigest(),
                                format=detect_format(member.data, posixpath.splitext(member.path)[1]))
                return _failed(origin, ExtractFailure("corrupt", f"解析进程异常退出（{exc.exitcode}）"))

        for m in members:
            if m.failure is not None:
                pending.append((m, _member_document(m)))
            else:
                hit = cached_or_none(m)
                if hit is not None:
                    pending.append((m, hit))
                else:
                    pending.append((m, pool.schedule(extract_bytes, args=(m.data, m.path, limits),
                                                     timeout=limits.timeout_s)))
            while len(pending) > 2 * n:
                yield done(resolve(pending.popleft()))
        while pending:
            yield done(resolve(pending.popleft()))


def extract_paths(paths: Iterable[Path | str], limits: Limits = Limits(), workers: int | None = None,
                  cache: DocumentCache | None = None,
                  progress: Callable[[Document], None] | None = None) -> Iterator[Document]:
    """Every file of every path (files, folders, zips), as Documents, in order."""

    def members() -> Iterator[Member]:
        for p in paths:
            yield from iter_members(p, limits)

    yield from extract_members(members(), limits, workers, cache, progress)
