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
    item_version: int = 0  # the version the reviewer saw; a stale version is a conflict


class QueueItem(Record):
    id: int | None = None
    package: str
    rubric: str
    track: str | None = None
    score: IndicatorScore
    confirmed_score: float | None = None
    state: Literal["open", "confirmed", "adjusted", "onsite", "rejected"] = "open"
    version: int = 0
    assigned_to: str | None = None
    decisions: list[Decision] = Field(default_factory=list)
