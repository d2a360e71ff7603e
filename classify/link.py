"""Which rubric indicators a document supports: the indicator's expected evidence (document
types, minimum level), its clauses' own match rules (the same `rubrics.matching.matches` the
engine applies), its cue words in the title or body, and fuzzy similarity (rapidfuzz) between
the title and the indicator's wording. Several indicators per document are allowed."""

from __future__ import annotations

from rapidfuzz import fuzz

from records import Evidence, IndicatorLink
from records.vocab import LEVEL_RANK
from rubrics.matching import matches
from rubrics.schema import Indicator, Rubric

MAX_LINKS = 3
THRESHOLD = 2.0


def _score(ind: Indicator, ev: Evidence, title: str, body: str) -> tuple[float, str]:
    exp = ind.expects
    if exp.doc_types and ev.doc_type not in exp.doc_types:
        return 0.0, ""
    if exp.min_level and LEVEL_RANK[ev.level] < LEVEL_RANK[exp.min_level]:
        return 0.0, ""
    probe = ev.model_copy(update={"indicators": [IndicatorLink(id=ind.id, quote=title)]})
    if not any(matches(c.match, probe, ind.id) for c in ind.clauses):
        return 0.0, ""
    score, quote = 1.0 if exp.doc_types else 0.0, ""
    for kw in exp.keywords:
        if kw in title:
            score += 2.0
            quote = quote or kw
        elif kw in body:
            score += 0.3
            quote = quote or kw
    score += fuzz.partial_ratio(title, ind.source.content) / 100.0
    return score, quote


def link_indicators(rubric: Rubric, ev: Evidence, title: str, body: str) -> list[IndicatorLink]:
    scored = []
    for ind in rubric.indicators:
        s, quote = _score(ind, ev, title, body)
        if s >= THRESHOLD:
            scored.append((s, ind.id, quote))
    scored.sort(key=lambda t: -t[0])
    return [IndicatorLink(id=iid, confidence=round(min(0.95, s / 6), 3), quote=quote or title)
            for s, iid, quote in scored[:MAX_LINKS]]
