"""Recognise a file by its content first and its extension second (DESIGN.md §5)."""

from __future__ import annotations

import io
import zipfile

import olefile

IMAGE_MAGIC = {
    b"\xff\xd8\xff": "image",  # JPEG
    b"\x89PNG\r\n\x1a\n": "image",
    b"II*\x00": "image",  # TIFF little-endian
    b"MM\x00*": "image",  # TIFF big-endian
    b"BM": "image",  # BMP
    b"GIF8": "image",
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_SUFFIXES = {".csv": "csv", ".tsv": "csv"}

MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "wps": "application/vnd.ms-works",
    "xls": "application/vnd.ms-excel",
    "rtf": "application/rtf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "zip": "application/zip",
    "txt": "text/plain",
    "csv": "text/csv",
    "image": "image/*",
    "encrypted_office": "application/x-ole-encrypted",
}


def _ole_kind(data: bytes, suffix: str) -> str:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - an OLE header over a broken structure
        return "corrupt_ole"
    try:
        streams = {"/".join(s) for s in ole.listdir()}
    finally:
        ole.close()
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        return "encrypted_office"  # a password-protected .docx/.xlsx is an OLE container
    if "WordDocument" in streams:
        return "wps" if suffix == ".wps" else "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if suffix == ".wps" and ("CONTENTS" in streams or "MatOST/MatOST" in streams):
        return "wps"
    return "unknown"


def _zip_kind(data: bytes) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "corrupt_zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names:
        try:
            mime = zf.read("mimetype").decode("ascii", "replace").strip()
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError):
            mime = ""
        if mime == "application/vnd.oasis.opendocument.text":
            return "odt"
        if mime == "application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
    return "zip"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls <= len(head) // 100


def detect_format(data: bytes, suffix: str = "") -> str:
    """Return a format name: pdf, docx, doc, wps, rtf, odt, xlsx, xls, ods, csv, txt, image, zip,
    or one of empty, encrypted_office, corrupt_zip, corrupt_ole, unknown."""
    suffix = suffix.lower()
    if not data or not data.strip():
        return "empty"
    head = data[:8192]
    # a zip first: an uncompressed (stored) zip carries its members' bytes, %PDF- included, near the start
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(OLE_MAGIC):
        return _ole_kind(data, suffix)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    for magic, kind in IMAGE_MAGIC.items():
        if head.startswith(magic):
            return kind
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_text(head):  # UTF-16/32 BOMs carry NULs
        return TEXT_SUFFIXES.get(suffix, "txt")
    return "unknown"
