"""The `rubrics show --json` view of a rubric: plain data, Chinese kept as written."""

from __future__ import annotations

from typing import Any

from rubrics.schema import Rubric


def describe(rubric: Rubric, track: str | None = None) -> dict[str, Any]:
    track_id = rubric.resolve_track(track)
    indicators = []
    for ind in rubric.indicators:
        assessed: list[str] = []
        for c in ind.clauses:
            if c.assessed_by not in assessed:
                assessed.append(c.assessed_by)
        indicators.append({
            "id": ind.id,
            "path": rubric.path(ind),
            "title": ind.title,
            "max_score": ind.max_score,
            "mandatory": ind.mandatory.get(track_id, False),
            "assessed_by": assessed,
            "clauses": [c.model_dump(mode="json", exclude_defaults=True) | {"kind": c.kind} for c in ind.clauses],
            "source": ind.source.model_dump(mode="json", exclude_none=True),
            "expects": ind.expects.model_dump(mode="json", exclude_defaults=True),
            "bonus": rubric.is_bonus(ind.group),
        })
    return {
        "id": rubric.id,
        "title": rubric.title,
        "version": rubric.version,
        "scoring": rubric.scoring,
        "track": track_id if rubric.tracks else None,
        "tracks": [t.model_dump(mode="json", exclude_none=True) for t in rubric.tracks],
        "total_max": rubric.total_max,
        "bonus_max": rubric.bonus_max,
        "pass_rule": rubric.pass_rule.model_dump(mode="json") if rubric.pass_rule else None,
        "count_once_across_indicators": (rubric.count_once_across_indicators.text
                                         if rubric.count_once_across_indicators else None),
        "source": rubric.source.model_dump(mode="json", exclude_none=True),
        "indicators": indicators,
    }
