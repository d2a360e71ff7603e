"""What extraction produces: one Document per file of a package."""

from __future__ import annotations

from pydantic import Field

from records.base import Record
from records.vocab import ErrorCode


class Origin(Record):
    path: str  # path inside the package, '/'-separated
    size: int
    sha256: str
    format: str  # detected from content first: pdf, docx, doc, wps, rtf, odt, xlsx, xls, csv, txt, image
    mimetype: str | None = None


class TextBlock(Record):
    page: int  # 1-based
    text: str
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom where the format has one
    source: str = "body"  # body, header, footer, textbox, footnote, table, ocr
    ocr_confidence: float | None = None


class Table(Record):
    page: int
    rows: list[list[str]]


class Page(Record):
    number: int  # 1-based
    text: str  # reading order
    tables: list[Table] = Field(default_factory=list)
    blocks: list[TextBlock] = Field(default_factory=list)
    ocr: bool = False
    ocr_confidence: float | None = None


class ExtractError(Record):
    code: ErrorCode
    message: str  # readable, Chinese


class Document(Record):
    origin: Origin
    pages: list[Page] = Field(default_factory=list)
    metadata: dict[str, str] = Field(default_factory=dict)
    error: ExtractError | None = None

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)
