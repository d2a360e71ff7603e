"""One registry of extractors, one per detected format.

An extractor is a function `(data: bytes, ctx: ExtractContext) -> list[Page]` registered for the
format names it handles. It raises ExtractFailure for files it cannot read. Adding a format is
one module under extract/formats/, one line in extract/formats/__init__.py, and its fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from records import Page


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 200 * 1024 * 1024  # a single file
    max_pages: int = 2000
    ocr: bool = True  # OCR image-only pages and images
    ocr_dpi: int = 200
    timeout_s: float = 300.0  # per file, enforced by the runner
    # archives
    max_entries: int = 5000
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    max_ratio: float = 200.0  # uncompressed / compressed, per entry
    max_depth: int = 3  # nested zips


@dataclass
class ExtractContext:
    """What an extractor may know about the file besides its bytes."""

    path: str  # path inside the package, for messages only
    suffix: str  # lower-case extension with the dot, '' if none
    limits: Limits = field(default_factory=Limits)
    workdir: Path | None = None  # a private scratch directory (converters write here)


Extractor = Callable[[bytes, ExtractContext], list[Page]]

_REGISTRY: dict[str, Extractor] = {}


def register(*formats: str) -> Callable[[Extractor], Extractor]:
    def deco(fn: Extractor) -> Extractor:
        for fmt in formats:
            if fmt in _REGISTRY:
                raise ValueError(f"format {fmt!r} is already registered")
            _REGISTRY[fmt] = fn
        return fn

    return deco


def extractor_for(fmt: str) -> Extractor | None:
    import extract.formats  # noqa: F401 - registers the built-in extractors

    return _REGISTRY.get(fmt)


def registered_formats() -> list[str]:
    import extract.formats  # noqa: F401

    return sorted(_REGISTRY)
