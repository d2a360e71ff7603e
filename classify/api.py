"""Document → Evidence: every field of DESIGN.md §3 with the rule and quote that decided it."""

from __future__ import annotations

import re

from classify.dates import find_document_date
from classify.docnumber import find_doc_number
from classify.doctype import classify_type
from classify.grades import find_award_grade
from classify.layout import (find_header_issuer, find_leader, find_masthead, find_labelled_issuer,
                             find_minutes_organ, find_party_a, find_signature, find_title, is_certificate_title,
                             split_joint)
from classify.levels import leader_level, resolve_level
from classify.link import link_indicators
from records import Document, Evidence, FieldReason
from rubrics.loader import load_rubric

REVIEW_BELOW = 0.6  # overall confidence under which a document is marked for review


def _subject(text: str, issuer: str | None) -> str | None:
    for m in re.finditer(r"[\u4e00-\u9fa5]{2,20}?(小学|中学|学校|幼儿园|中心校|实验学校)", text):
        name = m.group(0)
        if issuer and name in issuer:
            continue
        return name
    return None


def _case_key(subject: str | None, text: str, doc_number: str | None, title: str | None) -> str | None:
    work = re.search(r"《([^《》]{4,40})》", text)
    if work and subject:
        return f"{subject}·{work.group(1)}"
    return doc_number or title


def classify_document(doc: Document, rubric_id: str | None = None) -> Evidence:
    reasons: list[FieldReason] = []
    if doc.error is not None:
        return Evidence(path=doc.origin.path, error=doc.error, confidence=0.0, sha256=doc.origin.sha256)
    text = doc.text
    title_f = find_title(doc)
    title = title_f.value if title_f else None
    masthead = find_masthead(doc)
    leader = find_leader(doc)
    certificate = bool(title and is_certificate_title(title))
    body_start = text.find(title) + len(title) if title and title in text else 0
    kind = classify_type(title or "", text[body_start:], masthead=masthead is not None, leader=leader is not None,
                         certificate=certificate)
    reasons.append(FieldReason(field="doc_type", rule=kind.rule, quote=kind.quote, confidence=kind.confidence))
    doc_type = kind.doc_type

    number = find_doc_number(doc, doc_type)
    doc_number = number.value if number else None
    if number:
        reasons.append(number.reason("doc_number"))

    # the issuer as printed, where the genre puts it
    if doc_type == "approval_slip" and leader:
        issuer_f = leader
    elif doc_type == "media_report" and masthead:
        issuer_f = masthead
    elif doc_type == "contract":
        issuer_f = find_party_a(doc) or find_signature(doc)
    elif doc_type == "meeting_record":
        issuer_f = find_minutes_organ(doc) or find_header_issuer(doc) or find_signature(doc)
    else:
        issuer_f = find_header_issuer(doc) or find_labelled_issuer(doc) or find_signature(doc)
    issuer = split_joint(issuer_f.value) if issuer_f else None
    if issuer_f:
        reasons.append(FieldReason(field="issuer", rule=issuer_f.rule, quote=issuer_f.quote, page=issuer_f.page,
                                   confidence=issuer_f.confidence))

    level, level_conf = "unknown", 0.3
    if issuer:
        context = "\n".join(filter(None, [issuer_f.quote if issuer_f else "", text[:200], text[-200:]]))
        res = leader_level(issuer) if doc_type == "approval_slip" else None
        res = res or resolve_level(issuer, doc_number=doc_number, context=context)
        level, level_conf = res.level, res.confidence
        reasons.append(res.reason(issuer_f.page if issuer_f else None))

    when = find_document_date(doc)
    if when:
        reasons.append(when.reason("date"))
    grade = find_award_grade(doc, doc_type) if doc_type in ("award", "research_project") else None
    if grade:
        reasons.append(grade.reason("award_grade"))
    subject = _subject(text, issuer)
    ev = Evidence(
        path=doc.origin.path, doc_type=doc_type, level=level, issuer=issuer, doc_number=doc_number,
        date=when.value if when else None, award_grade=grade.value if grade else None, subject=subject,
        title=title, reasons=reasons, sha256=doc.origin.sha256,
        case_key=_case_key(subject, text, doc_number, title),
    )
    if rubric_id:
        ev.indicators = link_indicators(load_rubric(rubric_id), ev, title or "", text)
    field_conf = [kind.confidence, level_conf, issuer_f.confidence if issuer_f else 0.3]
    ev.confidence = round(min(field_conf), 3)
    return ev
