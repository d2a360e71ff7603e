"""Document type: weighted cue words (classify/data/doctype_cues.jsonl, matched by the spaCy
SpanRuler) in the title and the opening of the body, plus the layout of the genres that have one
(approval forms, certificates, newspaper pages, contracts, minutes)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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


def _weights() -> dict[tuple[str, str], tuple[float, float]]:
    return {(c.pattern, c.id): (c.title, c.body) for c in doctype_cues()}


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
    # 转发《…》的通知 / 印发《…》的通知: the wrapped title is what the document is
    inner = title
    if "《" in title and "》" in title and any(w in title for w in ("印发", "转发", "公布")):
        inner = title[title.index("《") + 1:title.rindex("》")]
    for _, dtype, text, _ in cue_spans(inner):
        w = weights.get((text, dtype), (0.0, 0.0))[0]
        scores[dtype] += w
        if w:
            best_quote.setdefault(dtype, text)
    for _, dtype, text, _ in cue_spans(body[:BODY_CHARS]):
        scores[dtype] += weights.get((text, dtype), (0.0, 0.0))[1]
        best_quote.setdefault(dtype, text)
    if leader:
        scores["approval_slip"] += 10
        best_quote["approval_slip"] = "批示领导"
    if masthead:
        scores["media_report"] += 8
        best_quote.setdefault("media_report", "报头")
    if certificate:
        if "结题" in title or "结题" in body[:300] or "结项" in body[:300]:
            scores["research_project"] += 6
        else:
            scores["award"] += 4
    if not scores or max(scores.values()) < MIN_SCORE:
        return TypeResult("other", "doctype:no_cue", title, 0.5, dict(scores))
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    top, top_score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = min(0.97, 0.55 + 0.45 * (top_score - second) / (top_score + 1e-9))
    return TypeResult(top, f"doctype:cues({best_quote.get(top, '')})", best_quote.get(top, title), round(confidence, 3),
                      dict(scores))
