"""Document type: weighted cue words (classify/data/doctype_cues.jsonl, matched by the spaCy
SpanRuler) in the title and the opening of the body, plus the layout of the genres that have one
(approval forms, certificates, newspaper pages, contracts, minutes).

A GB/T 9704 title reads [发文机关]关于[事由]的[文种]. The 文种 at its end weighs most when it is a
genre of its own (…规划, …工作要点, …总结, …办法, …纪要, …合同, …统计表: the cue's `end` weight);
the notice-like 文种 (通知, 通报, 决定, 公告, 公示, 批复, 名单) carry none, so the 事由 decides:
关于公布…获奖名单的通知 is an award, 关于认定…实验校的通知 a pilot designation, and 关于印发/转发
[《]X[》]的通知 is read as X itself.

Between the genres of writing (plans, summaries, regulations, minutes, contracts, other material)
the 文种 at the end wins outright: 关于进一步规范五年规划管理的若干规定 is a regulation, …工作要点考核评价
细则 a regulation, …五年规划工作情况介绍 other material, whatever genre the 事由 names; and a title
that ends in its own 文种 is not handed to the statistical model. The subject genres (awards,
research, pilots, commendations) still weigh their 事由 against a weak ending (…课题立项计划)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import re

from classify.nlp import cue_spans
from classify.patterns import doctype_cues

BODY_CHARS = 1500
MIN_SCORE = 2.0  # below this the cues decide nothing
UNSURE = 0.6  # rule confidence under which the statistical model is asked
MODEL_MIN = 0.6  # the model's probability needed to overrule
MODEL_DIR = Path(__file__).parent / "data" / "doctype_textcat"


@dataclass(frozen=True)
class TypeResult:
    doc_type: str
    rule: str
    quote: str
    confidence: float
    scores: dict[str, float]


ISSUING = re.compile(r"(印发|转发|颁布|发布|公布)")
ISSUED = re.compile(r"(?:印发|转发|颁布|发布)(?P<inner>.{4,}?)的(?:通知|决定|函|通告)$")
TRAILER = re.compile(r"(?:[（(][^（）()]{1,24}[）)]|\d{4}\s*年?|[\s　。.])$")  # （试行）（2021—2023年）(2023)
YEAR_SPAN = re.compile(r"(?:19|20)\d{2}\s*[—–\-－~至到]+\s*(?:19|20)?\d{2}")
RESEARCH_CERT = ("结题", "结项", "课题", "鉴定", "开题")
# 转发 passes another organ's document on "请认真贯彻落实": the notice arranges its implementation,
# whatever plan, regulation or notice it forwards; forwarded lists (awards, pilots …) stay what they are
FORWARDED_AS_WORK_PLAN = ("development_plan", "regulation", "work_summary", "other")
# genres of writing: between these the title's ending decides (see the module docstring)
WRITING_GENRES = frozenset({"development_plan", "work_plan", "work_summary", "regulation", "meeting_record",
                            "contract", "other"})
ENDING_CONFIDENCE = 0.85


def _weights() -> dict[tuple[str, str], tuple[float, float, float]]:
    return {(c.pattern, c.id): (c.title, c.end, c.body) for c in doctype_cues()}


def issued_title(title: str) -> str:
    """What a title is about: 关于印发《X》的通知 → X; 关于转发X的通知 → X; otherwise the title."""
    compact = re.sub(r"\s+", "", title)
    if "《" in compact and "》" in compact and ISSUING.search(compact[:compact.index("《")]):
        return compact[compact.index("《") + 1:compact.rindex("》")]
    m = ISSUED.search(compact)
    if m and not m.group("inner").startswith("的"):
        return m.group("inner").strip("《》")
    return compact


def title_core(title: str) -> str:
    """The title without what may follow its 文种: （试行）, （2021—2023年）, a year, punctuation."""
    core = title
    while True:
        stripped = TRAILER.sub("", core)
        if stripped == core or len(stripped) < 2:
            return core
        core = stripped


@lru_cache(maxsize=1)
def _model():
    """The text categoriser trained on the development split (classify/train_doctype.py), or None."""
    if not (MODEL_DIR / "meta.json").exists():
        return None
    import spacy

    return spacy.load(MODEL_DIR)


def _ask_model(title: str, body: str, rules: TypeResult) -> TypeResult:
    from classify.train_doctype import model_text

    nlp = _model()
    if nlp is None:
        return rules
    cats = nlp(model_text(title, body)).cats
    label, prob = max(cats.items(), key=lambda kv: kv[1])
    if prob < MODEL_MIN or label == rules.doc_type:
        return rules
    return TypeResult(label, f"doctype:textcat({prob:.2f}; cues said {rules.doc_type})", title, round(prob * 0.9, 3),
                      rules.scores)


def classify_type(title: str, body: str, *, masthead: bool = False, leader: bool = False,
                  certificate: bool = False) -> TypeResult:
    rules = _by_rules(title, body, masthead=masthead, leader=leader, certificate=certificate)
    if rules.confidence < UNSURE and not (masthead or leader):
        return _ask_model(title, body, rules)
    return rules


def _by_rules(title: str, body: str, *, masthead: bool, leader: bool, certificate: bool) -> TypeResult:
    weights = _weights()
    scores: dict[str, float] = defaultdict(float)
    best_quote: dict[str, str] = {}
    # 转发《…》的通知 / 印发…方案的通知: the issued title is what the document is
    inner = title_core(issued_title(title))
    spans = cue_spans(inner)
    # the 文种: the longest cue that ends the title and has an end weight
    ending = [(text, dtype) for _, dtype, text, start in spans
              if start + len(text) == len(inner) and weights.get((text, dtype), (0, 0, 0))[1]]
    genre = max((len(t) for t, _ in ending), default=0)
    # the 文种's own type: the longest ending cue (the heaviest of equally long ones)
    end_type = max(((len(t), weights[(t, d)][1], d) for t, d in ending), default=(0, 0.0, None))[2]
    heaviest: dict[str, float] = defaultdict(float)
    for _, dtype, text, _ in spans:
        w_title = weights.get((text, dtype), (0.0, 0.0, 0.0))[0]
        scores[dtype] += w_title
        if w_title > heaviest[dtype]:  # quote the cue that weighs most
            heaviest[dtype] = w_title
            best_quote[dtype] = text
    for text, dtype in ending:
        if len(text) == genre:
            scores[dtype] += weights[(text, dtype)][1]
            best_quote[dtype] = f"文种 {text}"
    if YEAR_SPAN.search(title) and not certificate:  # 规划（2021—2025年）, 三年行动计划（2023—2025年）
        scores["development_plan"] += 1.5
    for _, dtype, text, _ in cue_spans(body[:BODY_CHARS]):
        scores[dtype] += weights.get((text, dtype), (0.0, 0.0, 0.0))[2]
        best_quote.setdefault(dtype, text)
    if leader:
        scores["approval_slip"] += 10
        best_quote["approval_slip"] = "批示领导"
    if masthead:
        scores["media_report"] += 8
        best_quote.setdefault("media_report", "报头")
    if certificate:  # a 结题/结项/鉴定 certificate is a research project's; any other an award's
        if any(w in title or w in body[:300] for w in RESEARCH_CERT):
            scores["research_project"] += 6
        else:
            scores["award"] += 4
    if "转发" in title and not (leader or masthead or certificate):
        top = max(scores.items(), key=lambda kv: kv[1])[0] if scores and max(scores.values()) >= MIN_SCORE else "other"
        if top in FORWARDED_AS_WORK_PLAN:
            return TypeResult("work_plan", "doctype:forwarding_notice(转发)", title, 0.85, dict(scores))
    if not scores or max(scores.values()) < MIN_SCORE:
        return TypeResult("other", "doctype:no_cue", title, 0.5, dict(scores))
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    top, top_score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = min(0.97, 0.55 + 0.45 * (top_score - second) / (top_score + 1e-9))
    if end_type and not (leader or masthead or certificate):
        if top != end_type and top in WRITING_GENRES and end_type in WRITING_GENRES:
            return TypeResult(end_type, f"doctype:title_ending({best_quote.get(end_type, '')}; 事由 named {top})",
                              best_quote.get(end_type, title), ENDING_CONFIDENCE, dict(scores))
        if top == end_type:  # the 文种 agrees: not a case for the model
            confidence = max(confidence, ENDING_CONFIDENCE)
    return TypeResult(top, f"doctype:cues({best_quote.get(top, '')})", best_quote.get(top, title), round(confidence, 3),
                      dict(scores))
