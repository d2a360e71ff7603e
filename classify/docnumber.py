"""文号: the document's own number exactly as printed, or None.

Where GB/T 9704 puts it: standing on its own line in the head, above the title (or in
parentheses on the line under the title), possibly beside 签发人. A labelled field (文号：…,
发文字号 | …) is believed anywhere. Numbers cited in prose, serials (证书编号, 合同编号, 第0156号),
procurement codes and the forwarded document's number in a 转发 wrapper are not the document's.
Shapes and cue words are data: classify/data/docnumber_patterns.yaml.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from pydantic import field_validator

from classify.fields import FieldResult, Line, Strict, compile_regex, lines_of, load_yaml
from records.document import Document


class Shape(Strict):
    id: str
    why: str = ""
    where: Literal["head", "minutes"]
    regex: str

    _regex = field_validator("regex")(classmethod(lambda cls, v: compile_regex(v)))


class DocNumberData(Strict):
    shapes: list[Shape]
    line_extra: str
    labels: list[str]
    none_values: list[str]
    serial_labels: list[str]
    serial_shape: str
    forward_words: list[str]
    certificate_titles: list[str]
    certificate_phrases: list[str]
    approval_words: list[str]
    approval_form_labels: list[str]
    no_number_hints: list[str]
    letterhead_suffixes: list[str]
    cue_lines: int
    minutes_cues: list[str]
    recipients_line: str
    prose_min_len: int
    max_head_lines: int

    _regexes = field_validator("line_extra", "serial_shape", "recipients_line")(classmethod(lambda cls, v: compile_regex(v)))


@lru_cache(maxsize=1)
def docnumber_data() -> DocNumberData:
    return load_yaml("docnumber_patterns.yaml", DocNumberData)


@lru_cache(maxsize=1)
def _compiled():
    d = docnumber_data()
    shapes = []
    for s in d.shapes:
        own = re.compile(rf"^(?P<n>{s.regex}){d.line_extra}$")
        paren = re.compile(rf"^[（(]\s*(?P<n>{s.regex})\s*[）)]$")
        start = re.compile(rf"^(?P<n>{s.regex})")
        shapes.append((s, own, paren, start))
    labels = "|".join(re.escape(x) for x in sorted(d.labels, key=len, reverse=True))
    label_rx = re.compile(rf"(?:^|[\s|　])(?P<label>{labels})[\s　]*[:：|\t][\s　|]*(?P<v>.*)$")
    return shapes, label_rx, re.compile(d.serial_shape)


_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "【": "〔", "】": "〕", "（": "〔", "）": "〕",
                           "(": "〔", ")": "〕", "〖": "〔", "〗": "〕", "﹝": "〔", "﹞": "〕", "號": "号"})


def normalise_doc_number(s: str) -> str:
    """For comparing: bracket variants → 〔〕, 號 → 号, full-width digits → ASCII, no spaces."""
    s = "".join(unicodedata.normalize("NFKC", c) if c.isdigit() else c for c in s)
    return re.sub(r"\s+", "", s.translate(_BRACKETS))


def _has_serial_label(text: str) -> bool:
    return any(lab in text for lab in docnumber_data().serial_labels)


def _carries_no_number(lines: list[Line], hint: str | None) -> str | None:
    """Why the document cannot have a 文号 (certificate, approval slip), or None."""
    d = docnumber_data()
    if hint in d.no_number_hints:
        return f"docno_none_for:{hint}"
    letterhead = any(ln.text.endswith(tuple(d.letterhead_suffixes)) for ln in lines[: d.cue_lines])
    for ln in [] if letterhead else lines:
        if re.sub(r"\s+", "", ln.text) in d.certificate_titles:
            return "docno_none_certificate"
        if any(p in ln.text for p in d.certificate_phrases):
            return "docno_none_certificate"
    if any(w in ln.text for ln in lines[: d.cue_lines] for w in d.approval_words) or any(
            ln.text.startswith(tuple(d.approval_form_labels)) for ln in lines):
        return "docno_none_approval_slip"
    return None


def _is_prose(text: str) -> bool:
    return bool(re.search(r"[。，；]", text)) or len(text) >= docnumber_data().prose_min_len


def _head(lines: list[Line]) -> list[Line]:
    """The lines before the 主送 line or the first date standing alone (see the data file)."""
    d = docnumber_data()
    recipients = re.compile(d.recipients_line)
    out = []
    for ln in lines[: d.max_head_lines]:
        if (recipients.match(ln.text) and not _label_match(ln.text)) or _date_alone(ln.text):
            break
        out.append(ln)
    return out


def _date_alone(text: str) -> bool:
    from classify.dates import parse_date

    return len(text) <= 20 and parse_date(text) is not None and not re.search(r"[期号號]", text)


def _label_match(text: str) -> re.Match | None:
    return _compiled()[1].search(text)


def _from_head(head: list[Line], lines: list[Line], minutes: bool) -> FieldResult | None:
    shapes, _, serial_rx = _compiled()
    d = docnumber_data()
    for ln in head:
        if any(w in ln.text for w in d.forward_words):
            return None  # a 转发 title: any number after it is the forwarded document's
        if _has_serial_label(ln.text) or _label_match(ln.text):
            continue
        text = ln.text.replace("\t", " ")
        for shape, own, paren, _ in shapes:
            if shape.where == "minutes" and not minutes:
                continue
            for rx, how, conf in ((own, "own_line", 0.95), (paren, "under_title", 0.85)):
                m = rx.match(text)
                k = ln.index + (1 if how == "own_line" else -1)
                beside = lines[k] if 0 <= k < len(lines) else None
                if beside is not None and _is_prose(beside.text):
                    continue  # not above (or under) a title: a line broken out of prose
                if m and not serial_rx.search(m.group("n")):
                    if shape.id != "docno_bracketed":
                        conf -= 0.15
                    return FieldResult(m.group("n").strip(), f"{shape.id}:{how}", ln.text, ln.page, round(conf, 2))
    return None


def _from_label(lines: list[Line]) -> FieldResult | Literal["none"] | None:
    shapes, _, serial_rx = _compiled()
    d = docnumber_data()
    for ln in lines:
        m = _label_match(ln.text)
        if not m:
            continue
        value = m.group("v").strip()
        first = re.split(r"[\s　|\t]", value, maxsplit=1)[0] if value else ""
        if not value or first in d.none_values:
            return "none"
        for shape, _, _, start in shapes:
            if shape.where != "head":
                continue
            n = start.match(value)
            if n and not serial_rx.search(n.group("n")):
                return FieldResult(n.group("n").strip(), f"{shape.id}:label:{m.group('label')}", ln.text, ln.page, 0.9)
    return None


def find_doc_number(doc: Document, doc_type_hint: str | None = None) -> FieldResult | None:
    """The document's own 文号 exactly as printed, or None (none printed, a serial, a cited number)."""
    lines = lines_of(doc)
    if _carries_no_number(lines, doc_type_hint):
        return None
    d = docnumber_data()
    minutes = doc_type_hint == "meeting_record" or any(
        c in ln.text for ln in lines[: d.cue_lines] for c in d.minutes_cues)
    found = _from_head(_head(lines), lines, minutes)
    if found:
        return found
    labelled = _from_label(lines)
    return labelled if isinstance(labelled, FieldResult) else None


def why_no_number(doc: Document, doc_type_hint: str | None = None) -> str | None:
    """The rule that makes find_doc_number return None on purpose (certificate, 无文号 …), if any."""
    lines = lines_of(doc)
    reason = _carries_no_number(lines, doc_type_hint)
    if reason:
        return reason
    return "docno_label_none" if _from_label(lines) == "none" else None
