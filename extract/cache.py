"""Extraction results cached by content hash: the same file is never parsed twice.

Keyed by sha256 of the bytes, the extractor version and the limits that change the output.
The stored Document's origin.path is replaced by the path the file has this time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from extract.registry import Limits
from records import Document

# Bump when extraction output changes for the same input.
EXTRACTOR_VERSION = "1"


def user_cache_dir(env_var: str, name: str) -> Path:
    """$env_var if set, else $XDG_CACHE_HOME/prescreen/<name> (~/.cache/prescreen/<name>)."""
    env = os.environ.get(env_var)
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "prescreen" / name


def default_cache_dir() -> Path:
    return user_cache_dir("PRESCREEN_CACHE", "extract")


def _limits_key(limits: Limits) -> str:
    relevant = f"{limits.ocr}|{limits.ocr_dpi}|{limits.max_pages}|{limits.max_bytes}"
    return hashlib.sha256(relevant.encode()).hexdigest()[:8]


class DocumentCache:
    def __init__(self, directory: Path | str | None = None):
        self.dir = Path(directory) if directory else default_cache_dir()

    def _file(self, sha: str, limits: Limits) -> Path:
        return self.dir / sha[:2] / f"{sha}-v{EXTRACTOR_VERSION}-{_limits_key(limits)}.json"

    def get(self, sha: str, path: str, limits: Limits) -> Document | None:
        f = self._file(sha, limits)
        try:
            doc = Document.model_validate_json(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        doc.origin.path = path
        return doc

    def put(self, doc: Document, limits: Limits) -> None:
        f = self._file(doc.origin.sha256, limits)
        try:
            f.parent.mkdir(parents=True, exist_ok=True)
            tmp = f.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(doc.model_dump_json(), encoding="utf-8")
            tmp.replace(f)  # atomic: parallel workers never see half a file
        except OSError:
            pass  # a read-only or full cache only costs speed
