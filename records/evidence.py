"""What classification produces and scoring consumes: one Evidence per Document.

The JSON form of the classify fields is DESIGN.md §5's classify record; the extra fields
(case_key, values, reasons, sha256) serve scoring and the review queue.
"""

from __future__ import annotations

from datetime import date as Date

from pydantic import Field

from records.base import Record
from records.document import ExtractError
from records.vocab import DocType, Level


class IndicatorLink(Record):
    """A claim that a document supports one rubric indicator (optionally one clause of it)."""

    id: str
    confidence: float = 1.0
    quote: str = ""
    page: int | None = None
    clause: str | None = None  # restrict to one clause of the indicator; None = any clause that matches


class FieldReason(Record):
    """Why a field has its value: the rule or model that fired and the text that made it fire."""

    field: str
    rule: str
    quote: str = ""
    page: int | None = None
    confidence: float = 1.0


class Evidence(Record):
    path: str
    doc_type: DocType = "other"
    level: Level = "unknown"
    issuer: str | None = None
    doc_number: str | None = None
    date: Date | None = None
    award_grade: str | None = None
    subject: str | None = None
    title: str | None = None
    indicators: list[IndicatorLink] = Field(default_factory=list)
    confidence: float = 1.0
    error: ExtractError | None = None
    # Scoring inputs beyond the classify record:
    case_key: str | None = None  # the same case/project/award across files shares it
    values: dict[str, float] = Field(default_factory=dict)  # numbers read from statistics tables
    reasons: list[FieldReason] = Field(default_factory=list)
    sha256: str | None = None

    def key(self) -> str:
        """The identity used for de-duplication: case key, else 文号, else title, else path."""
        return self.case_key or self.doc_number or self.title or self.path

    def text_for_cues(self, indicator_id: str | None = None) -> str:
        parts = [self.title or "", self.issuer or ""]
        parts += [link.quote for link in self.indicators if indicator_id is None or link.id == indicator_id]
        return "\n".join(parts)
