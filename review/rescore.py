"""Re-score a package from its stored evidence after reviewers rejected evidence or entered values.

The engine is the rubric engine (rubrics.engine.score_package); this module only removes the
rejected links and merges the values, so a re-run of the screening and a reviewer's decision give
the same candidate for the same inputs.
"""

from __future__ import annotations

from datetime import date

from records import Evidence, RubricScore
from rubrics.engine import score_package
from rubrics.loader import load_rubric


def without_rejected(evidence: list[Evidence], rejected: dict[str, set[str]]) -> list[Evidence]:
    """Copies of the evidence with each rejected (indicator, path) link removed."""
    if not any(rejected.values()):
        return evidence
    out = []
    for ev in evidence:
        drop = {ind for ind, paths in rejected.items() if ev.path in paths}
        if drop and any(link.id in drop for link in ev.indicators):
            ev = ev.model_copy(update={"indicators": [lk for lk in ev.indicators if lk.id not in drop]})
        out.append(ev)
    return out


def rescore(rubric_id: str, track: str | None, as_of: date, evidence: list[Evidence],
            values: dict[str, float], rejected: dict[str, set[str]]) -> RubricScore:
    rubric = load_rubric(rubric_id)
    return score_package(rubric, without_rejected(evidence, rejected), as_of, track or None, values)
