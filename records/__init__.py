"""Small typed records exchanged between the stages (DESIGN.md §1, §6).

Document (extract) → Evidence (classify) → IndicatorScore / RubricScore (rubrics)
→ QueueItem / Decision (review). Every record round-trips through JSON.
"""

from records.document import Document, Origin, Page, Table, TextBlock, ExtractError
from records.evidence import Evidence, IndicatorLink, FieldReason
from records.scores import ClauseResult, EvidenceUse, IndicatorScore, PassResult, RubricScore, Total
from records.queue import Decision, QueueItem

__all__ = [
    "ClauseResult",
    "Decision",
    "Document",
    "Evidence",
    "EvidenceUse",
    "ExtractError",
    "FieldReason",
    "IndicatorLink",
    "IndicatorScore",
    "Origin",
    "Page",
    "PassResult",
    "QueueItem",
    "RubricScore",
    "Table",
    "TextBlock",
    "Total",
]
