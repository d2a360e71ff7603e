"""What screening one application package produces: its documents' evidence and the rubric score.

The JSON form of `PackageScreen.design_json()` is DESIGN.md §5's `prescreen screen` object.
"""

from __future__ import annotations

from datetime import date as Date

from pydantic import Field

from records.base import Record
from records.document import ExtractError
from records.evidence import Evidence
from records.scores import RubricScore

CLASSIFY_KEYS = ("path", "doc_type", "level", "issuer", "doc_number", "date", "award_grade", "subject", "title",
                 "indicators", "confidence", "error")


def classify_record(ev: Evidence, reasons: bool = False) -> dict:
    """The classify record of DESIGN.md §5 for one piece of evidence."""
    data = ev.model_dump(mode="json")
    record = {k: data[k] for k in CLASSIFY_KEYS}
    record["indicators"] = [{"id": lk["id"], "confidence": lk["confidence"], "quote": lk["quote"]}
                            for lk in data["indicators"]]
    if reasons:
        record["reasons"] = data["reasons"]
    return record


class ScreenedDocument(Record):
    """One file of a package as the queue keeps it: the evidence plus what a reviewer needs to see it."""

    evidence: Evidence
    format: str | None = None
    pages: int = 0
    text: str = ""  # the extracted text, for full-text search
    page_texts: list[str] = Field(default_factory=list)


class PackageScreen(Record):
    """One applicant's package screened against one rubric."""

    package: str  # the applicant's name: folder or zip name without extension
    source: str  # the path as given
    rubric: str
    rubric_version: str = ""
    track: str | None = None
    as_of: Date
    documents: list[ScreenedDocument] = Field(default_factory=list)
    score: RubricScore | None = None  # None when the package itself could not be read
    error: ExtractError | None = None  # the package as a whole could not be read
    values: dict[str, float] = Field(default_factory=dict)  # supplied values (platform data, indices)

    def unreadable(self) -> list[ScreenedDocument]:
        return [d for d in self.documents if d.evidence.error is not None]

    def design_json(self) -> dict:
        """DESIGN.md §5: {package, rubric, track, as_of, documents, indicators, missing_mandatory, total}."""
        indicators = []
        if self.score is not None:
            for s in self.score.indicators:
                indicators.append({
                    "id": s.id, "max_score": s.max_score, "candidate_score": s.candidate_score,
                    "status": s.status, "mandatory": s.mandatory,
                    "evidence": [{"path": e.path, "page": e.page, "quote": e.quote, "points": e.points}
                                 for e in s.evidence if e.counted],
                    "rationale": s.rationale,
                })
        total = ({"candidate": self.score.total.candidate, "max": self.score.total.max}
                 if self.score is not None else {"candidate": None, "max": None})
        return {
            "package": self.package, "rubric": self.rubric, "track": self.track, "as_of": self.as_of.isoformat(),
            "documents": [classify_record(d.evidence) for d in self.documents],
            "indicators": indicators,
            "missing_mandatory": list(self.score.missing_mandatory) if self.score is not None else [],
            "total": total,
            "error": self.error.model_dump(mode="json") if self.error else None,
        }
