"""Which rubric indicators a document supports. A document is eligible for an indicator when one
of the indicator's clauses accepts it (the same `rubrics.matching.matches` the engine applies);
it is then scored by the folder it was filed in (packages are often sorted into folders named
after indicators: "A2.7开展互联网…"), the indicator's expected document types, its cue words in the
title or body, and fuzzy similarity (rapidfuzz) between the title and the indicator's wording.
The best indicator is linked, with others that score nearly as well.

A cue word that merely names the document's genre (工作要点, 发展规划, 获奖, 示范: the document-type
cues of classify/data/doctype_cues.jsonl) says less about WHICH indicator than one naming its
subject (一体化平台, 电脑制作), since every indicator expecting that genre shares it: it counts half —
when it names the document's OWN genre (一等奖 in a 示范学校 designation names the prize, not the
genre); so does a cue word standing inside a longer cue word of the same title (获奖 in 学生获奖).

A cue word links only to an indicator that takes documents of this type (its clauses' doc_types and
its expected doc_types; a media report on 数字资源 is no platform evidence, a 嘉奖通报 no security
notice); a national 管理办法 or 工作要点 whose title names nothing but its genre is no applicant's own
rule or plan. Only the folder overrides both. With no sign at all, an evidence genre goes to the
narrowest clause that takes it (type and level before type alone), the wording deciding among equals."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from classify.patterns import doctype_cues

from records import Evidence, IndicatorLink
from rubrics.matching import matches
from rubrics.schema import Indicator, Match, Rubric

MAX_LINKS = 3
THRESHOLD = 2.0
NEAR_TIE = 0.5  # other indicators within this of the best are linked too
PRIOR_CAP = 0.45  # a link guessed from the type prior stays under the engine's review line (0.5)
FOLDER_WEIGHT = 5.0
TITLE_HIT, GENRE_HIT, BODY_HIT = 2.0, 1.0, 0.3
# the fallback when nothing names an indicator (see _by_prior); thresholds chosen on the dev split
EVIDENCE_GENRES = frozenset({"award", "research_project", "commendation", "pilot_designation"})
PRIOR_BODY = 300
PRIOR_MIN, PRIOR_MARGIN = 0.0, 0.0
# what an applicant (a district, a county, a school) issues for itself; no applicant issues at national level
OWN_POLICY = frozenset({"regulation", "work_plan", "development_plan"})


@lru_cache(maxsize=1)
def genre_words() -> frozenset[str]:
    return frozenset(genre_of())


@lru_cache(maxsize=1)
def genre_of() -> dict[str, frozenset[str]]:
    """Each genre word → the document types it names (一等奖 → award, 示范 → pilot_designation)."""
    out: dict[str, set[str]] = {}
    for c in doctype_cues():
        if c.title or c.end:
            out.setdefault(c.pattern, set()).add(c.id)
    return {w: frozenset(t) for w, t in out.items()}


def accepted_types(ind: Indicator) -> frozenset[str]:
    """The document types an indicator takes: those its clauses name and those it expects. Empty when
    neither names any (the indicator then takes every type)."""
    return frozenset(ind.expects.doc_types).union(*(c.match.doc_types for c in ind.clauses))


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


def cue_words(ind: Indicator) -> list[str]:
    """The indicator's cue words: its expected keywords and its clauses' own cue words."""
    return list(dict.fromkeys([*ind.expects.keywords, *(w for c in ind.clauses for w in c.match.cues_any)]))


def dominated_words(rubric: Rubric, title: str) -> frozenset[str]:
    """Cue words of the title that stand inside a longer cue word also in the title (获奖 inside 学生获奖):
    the longer one names the subject, the shorter says less (the longest match wins, as in SpanRuler)."""
    found = {w for ind in rubric.indicators for w in cue_words(ind) if w in title}
    return frozenset(w for w in found if any(w != o and w in o for o in found))


def _score(ind: Indicator, ev: Evidence, title: str, body: str, folder: str | None,
           dominated: frozenset[str] = frozenset()) -> tuple[float, str]:
    probe = ev.model_copy(update={"indicators": [IndicatorLink(id=ind.id, quote=title)]})
    if not any(matches(c.match, probe, ind.id) for c in ind.clauses):
        # the applicant filed it under this indicator: show it there, even if no clause counts it
        return (FOLDER_WEIGHT, folder) if folder else (0.0, "")
    exp = ind.expects
    types = accepted_types(ind)
    if types and ev.doc_type not in types:
        # a cue word names the indicator's subject, but the indicator takes no document of this kind
        # (a media report on 数字资源 for a platform indicator, a 嘉奖通报 for an incident-通报 clause)
        return (FOLDER_WEIGHT, folder) if folder else (0.0, "")
    score, quote = 1.0, ""
    if folder:
        score += FOLDER_WEIGHT
        quote = folder
    if ev.doc_type in exp.doc_types:
        score += 1.0
    hits, in_title, strong = 0.0, False, False
    genre = genre_of()
    for kw in cue_words(ind):
        if kw in title:
            # a word naming the document's own genre is shared by every indicator expecting that genre;
            # one naming another genre (一等奖 in a 示范学校 designation) is as telling as a subject word
            weak = kw in dominated or ev.doc_type in genre.get(kw, ())
            hits += GENRE_HIT if weak else TITLE_HIT
            strong = strong or not weak
            in_title = True
            quote = quote or kw
        elif kw in body:
            hits += BODY_HIT
            quote = quote or kw
    if not folder and ev.doc_type in OWN_POLICY and ev.level == "national" and not strong:
        return 0.0, ""
    similarity = fuzz.partial_ratio(title, ind.source.content) / 100.0
    # a link needs a positive sign: its folder, one of its cue words in the title, or an expected
    # document type whose title reads like the indicator
    if not (folder or in_title or (ev.doc_type in exp.doc_types and similarity >= 0.7)):
        return 0.0, ""
    return score + min(hits, 4.0) + similarity, quote


def link_indicators(rubric: Rubric, ev: Evidence, title: str, body: str) -> list[IndicatorLink]:
    hints = folder_hints(ev.path, rubric)
    dominated = dominated_words(rubric, title)
    scored = []
    for ind in rubric.indicators:
        s, quote = _score(ind, ev, title, body, hints.get(ind.id), dominated)
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
        fits = [c.match for c in ind.clauses if matches(c.match, probe, ind.id)]
        if not fits:
            continue
        wording = " ".join([ind.title, ind.source.content, *ind.expects.keywords])
        ranked.append((max(map(_narrowness, fits)), fuzz.token_set_ratio(text, wording) / 100.0, ind.id))
    if not ranked:
        return []
    # the clause that asks most of a document and still takes this one fits it best (a commendation
    # of 市级 or higher, not any document at all); the wording decides among equally narrow clauses
    ranked.sort(reverse=True)
    _, best, iid = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 and ranked[1][0] == ranked[0][0] else 0.0
    if best < PRIOR_MIN or best - second < PRIOR_MARGIN:
        return []
    return [IndicatorLink(id=iid, confidence=round(min(PRIOR_CAP, best), 3), quote=title)]


def _narrowness(m: Match) -> int:
    """How many kinds of requirement a clause puts on a document (type, level, grade, issuer, cue)."""
    return sum(map(bool, (m.doc_types, m.levels or m.min_level, m.grades, m.issuer_any, m.cues_any)))
