"""`prescreen eval`: measure the pipeline against a labelled corpus.

It runs the same functions the flows run — extraction, then classification where a classifier
is given, then the rubric engine — and compares with the labels:
- extraction fidelity: character accuracy of each document's text against what was rendered,
  per format (OCR included), and the files that failed;
- classification (when a classifier is given): per-field accuracy, confusion matrices for
  doc_type and level, indicator precision/recall, the worst misclassified files with reasons;
- scoring: per-indicator agreement with the expected candidate scores, mean absolute error of
  package totals, precision/recall of missing_mandatory and the share routed to review. Without a
  classifier the engine scores the gold labels: that checks the expectations still hold for the
  current rubrics and engine (a drift check), not classification.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path
from statistics import mean
from typing import Callable

from corpus.build import Corpus, load_corpus
from corpus.metrics import char_accuracy
from corpus.spec import Labels
from extract import DocumentCache, Limits, extract_members, iter_members
from records import Document, Evidence, IndicatorLink
from rubrics.engine import score_package
from rubrics.loader import load_rubric

Classifier = Callable[[Document, str | None], Evidence]
FIELDS = ("doc_type", "level", "issuer", "doc_number", "date", "award_grade")


def gold_evidence(label: Labels, rubric_id: str) -> Evidence:
    """The Evidence a perfect classifier would give for a labelled document."""
    return Evidence(
        path=label.path, doc_type=label.doc_type, level=label.level, issuer=label.issuer,
        doc_number=label.doc_number, date=label.date, award_grade=label.award_grade, subject=label.subject,
        title=label.title, case_key=label.case_key,
        indicators=[IndicatorLink(id=i, quote=label.title) for i in label.indicators.get(rubric_id, [])],
    )


def _extract_all(corpus: Corpus, workers: int | None, cache: DocumentCache | None,
                 progress: Callable[[Document], None] | None) -> dict[str, Document]:
    def members():
        for m in iter_members(corpus.root / "docs", Limits()):
            m.path = f"docs/{m.path}"
            yield m
        yield from iter_members(corpus.root / "packages", Limits())

    return {d.origin.path: d for d in extract_members(members(), Limits(), workers, cache, progress)}


def _extraction_report(corpus: Corpus, docs: dict[str, Document]) -> dict:
    by_format: dict[str, list[float]] = defaultdict(list)
    failures = []
    for label in corpus.labels.values():
        doc = docs.get(label.path)
        fmt = corpus.specs[label.id].format if label.id in corpus.specs else "?"
        if doc is None or doc.error is not None:
            failures.append({"path": label.path, "format": fmt,
                             "error": doc.error.code if doc and doc.error else "missing"})
            by_format[fmt].append(0.0)
            continue
        by_format[fmt].append(char_accuracy(doc.text, label.text))
    formats = {f: {"documents": len(v), "char_accuracy": round(mean(v), 4), "worst": round(min(v), 4)}
               for f, v in sorted(by_format.items())}
    every = [x for v in by_format.values() for x in v]
    return {"documents": len(every), "char_accuracy": round(mean(every), 4) if every else None,
            "by_format": formats, "failures": failures}


def _classification_report(corpus: Corpus, docs: dict[str, Document], classify: Classifier) -> tuple[dict, dict]:
    correct = Counter()
    total = 0
    confusion = {"doc_type": Counter(), "level": Counter()}
    tp = fp = fn = 0
    wrong = []
    predicted: dict[str, Evidence] = {}
    package_rubric = {doc_id: p.rubric for p in corpus.packages for doc_id in p.documents}
    for label in corpus.labels.values():
        doc = docs.get(label.path)
        if doc is None:
            continue
        # a package's documents are classified against its rubric, linked or not (false links count)
        rubric = package_rubric.get(label.id) or next(iter(label.indicators), None)
        ev = classify(doc, rubric)
        predicted[label.id] = ev
        total += 1
        misses = []
        for f in FIELDS:
            got, want = getattr(ev, f), getattr(label, f)
            if got == want:
                correct[f] += 1
            else:
                misses.append(f"{f}: {got!r} ≠ {want!r}")
        confusion["doc_type"][(label.doc_type, ev.doc_type)] += 1
        confusion["level"][(label.level, ev.level)] += 1
        if rubric:
            want_ids = set(label.indicators.get(rubric, []))
            got_ids = {lk.id for lk in ev.indicators}
            tp, fp, fn = tp + len(want_ids & got_ids), fp + len(got_ids - want_ids), fn + len(want_ids - got_ids)
            if want_ids != got_ids:
                misses.append(f"indicators: {sorted(got_ids)} ≠ {sorted(want_ids)}")
        if misses:
            wrong.append({"path": label.path, "hard_cases": label.hard_cases, "misses": misses,
                          "reasons": [r.model_dump(mode="json") for r in ev.reasons][:5]})
    report = {
        "documents": total,
        "accuracy": {f: round(correct[f] / total, 4) if total else None for f in FIELDS},
        "confusion": {k: [{"label": a, "predicted": b, "count": n} for (a, b), n in sorted(v.items())]
                      for k, v in confusion.items()},
        "indicators": {"precision": round(tp / (tp + fp), 4) if tp + fp else None,
                       "recall": round(tp / (tp + fn), 4) if tp + fn else None},
        "worst": sorted(wrong, key=lambda w: -len(w["misses"]))[:40],
    }
    return report, predicted


def _scoring_report(corpus: Corpus, predicted: dict[str, Evidence] | None) -> dict:
    agree = compared = review = indicators_seen = 0
    total_errors = []
    mm_tp = mm_fp = mm_fn = 0
    rows = []
    for exp in corpus.packages:
        rubric = load_rubric(exp.rubric)
        evidence = []
        for doc_id in exp.documents:
            label = corpus.labels[doc_id]
            ev = predicted.get(doc_id) if predicted is not None else None
            evidence.append(ev.model_copy(update={"path": label.path}) if ev else gold_evidence(label, exp.rubric))
        result = score_package(rubric, evidence, exp.as_of, exp.track)
        got = {s.id: s for s in result.indicators}
        for iid, want in exp.expected_scores.items():
            compared += 1
            have = got[iid].candidate_score
            if (want is None and have is None) or (want is not None and have is not None
                                                     and math.isclose(want, have, abs_tol=1e-6)):
                agree += 1
        indicators_seen += len(result.indicators)
        review += sum(1 for s in result.indicators if s.status == "needs_review")
        want_total = sum(v for v in exp.expected_scores.values() if v is not None)
        have_total = sum((got[i].candidate_score or 0) for i in exp.expected_scores)
        total_errors.append(abs(want_total - have_total))
        want_mm, have_mm = set(exp.missing_mandatory), set(result.missing_mandatory)
        mm_tp, mm_fp, mm_fn = mm_tp + len(want_mm & have_mm), mm_fp + len(have_mm - want_mm), mm_fn + len(want_mm - have_mm)
        rows.append({"package": exp.package, "rubric": exp.rubric, "track": exp.track,
                     "expected_total": round(want_total, 4), "candidate_total": round(have_total, 4),
                     "missing_mandatory": sorted(have_mm), "expected_missing_mandatory": sorted(want_mm)})
    return {
        "evidence": "gold labels (drift check)" if predicted is None else "classified",
        "packages": len(corpus.packages),
        "indicator_agreement": round(agree / compared, 4) if compared else None,
        "total_mae": round(mean(total_errors), 4) if total_errors else None,
        "missing_mandatory": {"precision": round(mm_tp / (mm_tp + mm_fp), 4) if mm_tp + mm_fp else 1.0,
                              "recall": round(mm_tp / (mm_tp + mm_fn), 4) if mm_tp + mm_fn else 1.0},
        "needs_review_share": round(review / indicators_seen, 4) if indicators_seen else None,
        "by_package": rows,
    }


def evaluate(root: Path | str, classify: Classifier | None = None, workers: int | None = None,
             cache: DocumentCache | None = None, progress: Callable[[Document], None] | None = None) -> dict:
    corpus = load_corpus(root)
    docs = _extract_all(corpus, workers, cache, progress)
    report = {"corpus": str(corpus.root), "split": corpus.manifest.get("split"),
              "documents": len(corpus.labels), "extraction": _extraction_report(corpus, docs)}
    predicted = None
    if classify is None:
        report["classification"] = None
    else:
        report["classification"], predicted = _classification_report(corpus, docs, classify)
    report["scoring"] = _scoring_report(corpus, predicted)
    return report
