"""Walk a package — a folder or a .zip, nested zips included — into its member files.

Nothing is written to disk: members are read into memory with hard limits, so a hostile archive
(path traversal, decompression bomb, thousands of entries) yields error members, never files
outside the package and never unbounded memory. Zip names written on Chinese Windows (GBK
without the UTF-8 flag) are decoded correctly.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from extract.detect import detect_format
from extract.errors import ExtractFailure
from extract.registry import Limits

SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
SKIP_DIRS = {"__MACOSX", ".git", ".svn"}


@dataclass
class Member:
    """One file of a package: its display path and bytes, or the reason it cannot be read."""

    path: str  # "archive.zip/inner/path.pdf" for archive members
    data: bytes | None = None
    failure: ExtractFailure | None = None
    size: int = 0


def decode_zip_name(info: zipfile.ZipInfo) -> str:
    """Entry names without the UTF-8 flag were written in the creator's code page: on Chinese
    Windows that is GBK. Python decoded them as cp437; undo that and try UTF-8, then GB18030."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def safe_member_path(name: str) -> str | None:
    """A normalised relative path, or None when the name tries to leave the package."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return posixpath.join(*parts) if parts else None


def _skip(rel: str) -> bool:
    parts = rel.split("/")
    return parts[-1] in SKIP_NAMES or any(p in SKIP_DIRS for p in parts[:-1]) or parts[-1].startswith("~$")


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read an entry, never more than `limit` bytes whatever its header claims."""
    out = io.BytesIO()
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            out.write(chunk)
            if out.tell() > limit:
                raise ExtractFailure("unsafe_archive", "解压后大小超过限制")
    return out.getvalue()


def expand_zip(data: bytes, prefix: str, limits: Limits, depth: int = 1,
               budget: list[int] | None = None) -> Iterator[Member]:
    budget = budget if budget is not None else [limits.max_total_bytes]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        yield Member(prefix, failure=ExtractFailure("corrupt", f"压缩包无法打开：{type(exc).__name__}"))
        return
    files = [i for i in infos if not i.is_dir()]
    if len(files) > limits.max_entries:
        yield Member(prefix, failure=ExtractFailure("unsafe_archive", f"包含 {len(files)} 个文件，超过 {limits.max_entries} 个"))
        return
    for info in files:
        name = decode_zip_name(info)
        rel = safe_member_path(name)
        if rel is None:
            yield Member(f"{prefix}/{name}", failure=ExtractFailure("unsafe_path", name))
            continue
        if _skip(rel):
            continue
        path = f"{prefix}/{rel}"
        if info.flag_bits & 0x1:
            yield Member(path, failure=ExtractFailure("encrypted", "压缩包内文件设有密码"), size=info.file_size)
            continue
        if info.file_size > limits.max_bytes:
            yield Member(path, failure=ExtractFailure("too_large", f"{info.file_size} 字节"), size=info.file_size)
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > (1 << 20) and ratio > limits.max_ratio:
            yield Member(path, failure=ExtractFailure("unsafe_archive", f"压缩比 {ratio:.0f}:1，疑为压缩炸弹"),
                         size=info.file_size)
            continue
        if info.file_size > budget[0]:
            yield Member(path, failure=ExtractFailure("unsafe_archive", "压缩包解压后总大小超过限制"), size=info.file_size)
            return
        try:
            content = _read_bounded(zf, info, min(limits.max_bytes, budget[0]))
        except ExtractFailure as failure:
            yield Member(path, failure=failure, size=info.file_size)
            return
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            yield Member(path, failure=ExtractFailure("corrupt", f"解压失败：{type(exc).__name__}"), size=info.file_size)
            continue
        budget[0] -= len(content)
        yield from _member_or_archive(path, content, limits, depth, budget)


def _member_or_archive(path: str, content: bytes, limits: Limits, depth: int,
                       budget: list[int] | None = None) -> Iterator[Member]:
    if detect_format(content, posixpath.splitext(path)[1]) == "zip":
        if depth >= limits.max_depth:
            yield Member(path, failure=ExtractFailure("unsafe_archive", f"压缩包嵌套超过 {limits.max_depth} 层"),
                         size=len(content))
            return
        yield from expand_zip(content, path, limits, depth + 1, budget)
        return
    yield Member(path, data=content, size=len(content))


def iter_members(root: Path | str, limits: Limits = Limits()) -> Iterator[Member]:
    """Every file of a package, in a stable order. `root` is a folder, a zip or a single file."""
    root = Path(root)
    if root.is_dir():
        for file in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            rel = file.relative_to(root).as_posix()
            if _skip(rel):
                continue
            yield from _read_file(file, rel, limits)
        return
    yield from _read_file(root, root.name, limits)


def _read_file(file: Path, rel: str, limits: Limits) -> Iterator[Member]:
    try:
        size = file.stat().st_size
        if size > limits.max_bytes:
            yield Member(rel, failure=ExtractFailure("too_large", f"{size} 字节，上限 {limits.max_bytes} 字节"), size=size)
            return
        content = file.read_bytes()
    except OSError as exc:
        yield Member(rel, failure=ExtractFailure("corrupt", f"无法读取：{exc.strerror or type(exc).__name__}"))
        return
    yield from _member_or_archive(rel, content, limits, depth=0)
