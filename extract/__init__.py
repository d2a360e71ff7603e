"""Extraction: every file of a package becomes a Document, or a clear error (DESIGN.md §1)."""

from extract.api import extract_bytes, extract_members, extract_paths
from extract.cache import DocumentCache
from extract.package import iter_members
from extract.registry import Limits

__all__ = ["DocumentCache", "Limits", "extract_bytes", "extract_members", "extract_paths", "iter_members"]
