"""What the scoring engine produces: candidate scores per indicator and per package."""

from __future__ import annotations

from datetime import date as Date

from pydantic import Field

from records.base import Record
from records.vocab import Status


class EvidenceUse(Record):
    """One piece of evidence as used (or deliberately not used) by a clause."""

    path: str
    page: int | None = None
    quote: str = ""
    points: float = 0.0
    clause: str | None = None
    counted: bool = True
    note: str = ""  # Chinese: why it earned these points, or why it was not counted


class ClauseResult(Record):
    id: str
    kind: str
    points: float | None
    status: Status
    rationale: str  # Chinese, names the clause applied
    evidence: list[EvidenceUse] = Field(default_factory=list)


class IndicatorScore(Record):
    """A candidate score: the unit a reviewer confirms, adjusts or rejects."""

    id: str
    title: str = ""
    max_score: float | None
    candidate_score: float | None
    status: Status
    mandatory: bool = False
    bonus: bool = False
    evidence: list[EvidenceUse] = Field(default_factory=list)
    rationale: str = ""
    clauses: list[ClauseResult] = Field(default_factory=list)


class Total(Record):
    candidate: float
    max: float
    bonus_candidate: float = 0.0
    bonus_max: float = 0.0


class PassResult(Record):
    passed: bool | None  # None: documents cannot decide it
    rationale: str


class RubricScore(Record):
    rubric: str
    track: str | None
    as_of: Date
    indicators: list[IndicatorScore]
    missing_mandatory: list[str] = Field(default_factory=list)
    total: Total
    pass_result: PassResult | None = None
    rubric_version: str = ""
