"""Deterministic Office files: rewrite a zip container with fixed entry timestamps and, where
given, fixed created/modified dates in docProps/core.xml (python-docx and openpyxl stamp both
with the current time)."""

from __future__ import annotations

import io
import re
import zipfile

CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*")


def fixed_zip(data: bytes, date_time: tuple[int, int, int, int, int, int] = (2024, 1, 1, 0, 0, 0),
              core_date: bytes | None = b"2024-01-01T00:00:00Z") -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if core_date is not None and info.filename == "docProps/core.xml":
                blob = CORE_DATES.sub(rb"\g<1>" + core_date, blob)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time), blob, zipfile.ZIP_DEFLATED)
    return buf.getvalue()
