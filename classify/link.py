"""Which rubric indicators a document supports. A document is eligible for an indicator when one
of the indicator's clauses accepts it (the same `rubrics.matching.matches` the engine applies);
it is then scored by the folder it was filed in (packages are often sorted into folders named
after indicators: "A2.7开展互联网…"), the indicator's expected document types, its cue words in the
title or body, and fuzzy similarity (rapidfuzz) between the title and the indicator's wording.
The best indicator is linked, with others that score nearly as well.

A cue word that merely names the document's genre (工作要点, 发展规划, 获奖, 示范: the document-type
cues of classify/data/doctype_cues.jsonl) says less about WHICH indicator than one naming its
subject (一体化平台, 电脑制作), since every indicator expecting that genre shares it: it counts half."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from classify.patterns import doctype_cues

from records import Evidence, IndicatorLink
from rubrics.matching import matches
from rubrics.schema import Indicator, Rubric

MAX_LINKS = 3
THRESHOLD = 2.0
NEAR_TIE = 0.5  # other indicators within this of the best are linked too
FOLDER_WEIGHT = 5.0
TITLE_HIT, GENRE_HIT, BODY_HIT = 2.0, 1.0, 0.3
# the fallback when nothing names an indicator (see _by_prior); thresholds chosen on the dev split
EVIDENCE_GENRES = frozenset({"award", "research_project", "commendation", "pilot_designation"})
PRIOR_BODY = 300
PRIOR_MIN, PRIOR_MARGIN = 0.0, 0.0


@lru_cache(maxsize=1)
def genre_words() -> frozenset[str]:
    return frozenset(c.pattern for c in doctype_cues() if c.title or c.end)


def folder_hints(path: str, rubric: Rubric) -> dict[str, str]:
    """Indicator ids named by the folders of a path inside a package ('A2.7开展互联网/x.pdf')."""
    ids = {ind.id: ind for ind in rubric.indicators}
    hints: dict[str, str] = {}
    for part in path.split("/")[:-1]:
        m = re.match(r"^([A-Za-z]*\d+(?:\.\d+)*|bonus\.\d+)[\s._、-]*([\u4e00-\u9fa5].*)?$", part)
        if not m or m.group(1) not in ids:
            continue
        ind = ids[m.group(1)]
        rest = m.group(2) or ""
        if not rest or fuzz.partial_ratio(rest, ind.title + ind.source.content) >= 60:
            hints[ind.id] = part
    return hints


def _score(ind: Indicator, ev: Evidence, title: str, body: str, folder: str | None) -> tuple[float, str]:
    probe = ev.model_copy(update={"indicators": [IndicatorLink(id=ind.id, quote=title)]})
    if not any(matches(c.match, probe, ind.id) for c in ind.clauses):
        # the applicant filed it under this indicator: show it there, even if no clause counts it
        return (FOLDER_WEIGHT, folder) if folder else (0.0, "")
    exp = ind.expects
    score, quote = 1.0, ""
    if folder:
        score += FOLDER_WEIGHT
        quote = folder
    if ev.doc_type in exp.doc_types:
        score += 1.0
    hits, in_title = 0.0, False
    # the indicator's cue words: its expected keywords and its clauses' own cue words
    words = list(dict.fromkeys([*exp.keywords, *(w for c in ind.clauses for w in c.match.cues_any)]))
    genre = genre_words()
    for kw in words:
        if kw in title:
            hits += GENRE_HIT if kw in genre else TITLE_HIT
            in_title = True
            quote = quote or kw
        elif kw in body:
            hits += BODY_HIT
            quote = quote or kw
    similarity = fuzz.partial_ratio(title, ind.source.content) / 100.0
    # a link needs a positive sign: its folder, one of its cue words in the title, or an expected
    # document type whose title reads like the indicator
    if not (folder or in_title or (ev.doc_type in exp.doc_types and similarity >= 0.7)):
        return 0.0, ""
    return score + min(hits, 4.0) + similarity, quote


def link_indicators(rubric: Rubric, ev: Evidence, title: str, body: str) -> list[IndicatorLink]:
    hints = folder_hints(ev.path, rubric)
    scored = []
    for ind in rubric.indicators:
        s, quote = _score(ind, ev, title, body, hints.get(ind.id))
        if s >= THRESHOLD:
            scored.append((s, ind.id, quote))
    if not scored:
        return _by_prior(rubric, ev, title, body)
    scored.sort(key=lambda t: -t[0])
    top = scored[0][0]
    kept = [t for t in scored if t[0] >= top - NEAR_TIE][:MAX_LINKS]
    return [IndicatorLink(id=iid, confidence=round(min(0.95, s / 8), 3), quote=quote or title)
            for s, iid, quote in kept]


def _by_prior(rubric: Rubric, ev: Evidence, title: str, body: str) -> list[IndicatorLink]:
    """No sign names an indicator. A certificate, an award list, a research or pilot designation is
    evidence by nature (unlike a report or a regulation, which a package may carry for context):
    link it to the indicator that expects its type, whose clauses accept it, and whose wording it
    reads most like (rapidfuzz token similarity of the title and the opening of the body), when
    that indicator stands clear of the next one."""
    if ev.doc_type not in EVIDENCE_GENRES:
        return []
    text = f"{title} {body[:PRIOR_BODY]}"
    ranked = []
    for ind in rubric.indicators:
        if ev.doc_type not in ind.expects.doc_types:
            continue
        probe = ev.model_copy(update={"indicators": [IndicatorLink(id=ind.id, quote=title)]})
        if not any(matches(c.match, probe, ind.id) for c in ind.clauses):
            continue
        wording = " ".join([ind.title, ind.source.content, *ind.expects.keywords])
        ranked.append((fuzz.token_set_ratio(text, wording) / 100.0, ind.id))
    if not ranked:
        return []
    ranked.sort(reverse=True)
    best, iid = ranked[0]
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    if best < PRIOR_MIN or best - second < PRIOR_MARGIN:
        return []
    return [IndicatorLink(id=iid, confidence=round(min(0.5, best), 3), quote=title)]
