"""What the review queue holds: one item per (package, indicator), and the decisions on it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from records.base import Record
from records.scores import IndicatorScore

DecisionKind = Literal["confirm", "adjust", "reject_evidence", "onsite_check", "enter_value", "reopen"]


class Decision(Record):
    """One reviewer decision. Decisions are append-only: never updated, never deleted."""

    item_id: int
    kind: DecisionKind
    reviewer: str
    at: datetime
    before: float | None = None
    after: float | None = None
    reason: str = ""
    evidence_path: str | None = None  # for reject_evidence
    value_name: str | None = None  # for enter_value
    item_version: int = 0  # the version the reviewer saw; a stale version is a conflict


class QueueItem(Record):
    """One (package, indicator) in the review queue, as review/store.py keeps it."""

    id: int | None = None
    package_id: int
    indicator: str
    score: IndicatorScore  # the machine's current candidate with its evidence and rationale
    state: Literal["open", "confirmed", "adjusted", "onsite"] = "open"
    final_score: float | None = None  # the reviewer's score (confirmed or adjusted)
    decided_by: str | None = None
    candidate_at_decision: float | None = None
    changed_since_decision: bool = False  # a re-run changed the candidate after the decision
    rejected_evidence: list[str] = Field(default_factory=list)
    remark: str = ""
    version: int = 1

    @classmethod
    def from_row(cls, row: dict) -> "QueueItem":
        return cls(id=row["id"], package_id=row["package_id"], indicator=row["indicator"],
                   score=IndicatorScore.model_validate_json(row["score_json"]), state=row["state"],
                   final_score=row["final_score"], decided_by=row["decided_by"],
                   candidate_at_decision=row["candidate_at_decision"],
                   changed_since_decision=bool(row["changed_since_decision"]),
                   rejected_evidence=list(row["rejected_evidence"]), remark=row["remark"], version=row["version"])
