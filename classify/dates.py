"""Dates: one date expression to a `date`, and the document's own date (成文日期, 批示 date,
certificate issue date, newspaper issue date) with the rule and text that chose it.

The shapes and cue words are data (classify/data/date_patterns.yaml); the shared pieces
(FieldResult, the line view, the YAML loader) are in classify/fields.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import cn2an
from pydantic import field_validator

from classify.fields import FieldResult, Line, Strict, compile_regex, lines_of, load_yaml  # noqa: F401
from records.document import Document

# ---------------------------------------------------------------- the date data file


class DatePattern(Strict):
    id: str
    why: str = ""
    find: bool = True
    regex: str

    @field_validator("regex")
    @classmethod
    def _groups(cls, v: str) -> str:
        compile_regex(v)
        if not {"y", "m", "d"} <= set(re.compile(v).groupindex):
            raise ValueError("a date regex needs the named groups y, m and d")
        return v


class DateData(Strict):
    min_year: int
    max_year: int
    zero_variants: list[str]
    numeral_aliases: dict[str, str]
    patterns: list[DatePattern]
    own_line_rest: str
    paren_line: str
    positive_labels: list[str]
    negative_before: list[str]
    negative_after: list[str]
    signature_suffixes: list[str]
    signature_max_len: int
    seal_line: str
    dateline_cues: list[str]
    dateline_max_line: int
    paren_max_line: int

    @field_validator("own_line_rest", "paren_line", "seal_line")
    @classmethod
    def _regex(cls, v: str) -> str:
        return compile_regex(v)


@lru_cache(maxsize=1)
def date_data() -> DateData:
    return load_yaml("date_patterns.yaml", DateData)


@lru_cache(maxsize=1)
def _compiled() -> tuple[list[tuple[DatePattern, re.Pattern]], re.Pattern, re.Pattern, re.Pattern]:
    d = date_data()
    pats = [(p, re.compile(p.regex)) for p in d.patterns]
    return pats, re.compile(d.own_line_rest), re.compile(d.paren_line), re.compile(d.seal_line)


# ---------------------------------------------------------------- one expression


def _number(part: str, month: bool = False) -> int | None:
    part = unicodedata.normalize("NFKC", part).strip()
    if part.isdigit():
        return int(part)
    d = date_data()
    text = "".join("〇" if c in d.zero_variants else c for c in part)
    if month:
        text = "".join(d.numeral_aliases.get(c, c) for c in text)
    try:
        return int(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError, TypeError):
        return None


def _year(part: str) -> int | None:
    part = unicodedata.normalize("NFKC", part).strip()
    if part.isdigit():
        return int(part)
    zeros = date_data().zero_variants
    digits = "".join("〇" if c in zeros else c for c in part)
    # a year is read digit by digit: 二〇一九 → 2019 (cn2an's "normal" mode does exactly that)
    n = _number(digits)
    return n if n is not None and len(str(n)) == 4 else None


def _from_match(m: re.Match) -> date | None:
    y, mo, dd = _year(m.group("y")), _number(m.group("m"), month=True), _number(m.group("d"))
    data = date_data()
    if y is None or mo is None or dd is None or not data.min_year <= y <= data.max_year:
        return None
    try:
        return date(y, mo, dd)
    except ValueError:
        return None


def _matches(text: str, whole: bool = False) -> list[tuple[re.Match, date, str]]:
    """Every date expression in TEXT, in order: (match, value, pattern id)."""
    out = []
    for pat, rx in _compiled()[0]:
        if not pat.find and not whole:
            continue
        for m in rx.finditer(text):
            value = _from_match(m)
            if value is not None:
                out.append((m, value, pat.id))
    out.sort(key=lambda t: t[0].start())
    kept: list[tuple[re.Match, date, str]] = []
    for t in out:  # overlapping matches of two patterns: keep the first
        if not kept or t[0].start() >= kept[-1][0].end():
            kept.append(t)
    return kept


def parse_date(text: str) -> date | None:
    """One date expression in any printed form → date; garbled, month-only, masked → None."""
    text = (text or "").strip()
    found = _matches(text, whole=True)
    return found[0][1] if found else None


# ---------------------------------------------------------------- the document's date


def _label_before(before: str) -> str | None:
    """The positive label that ends BEFORE and starts its line or cell, if any."""
    stripped = re.sub(r"[\s:：|]+$", "", before)
    for label in date_data().positive_labels:
        if stripped.endswith(label):
            head = stripped[: -len(label)]
            if not head or head[-1] in " \t|　：:；;，,":
                return label
    return None


def _negative(before: str, after: str) -> bool:
    d = date_data()
    return any(w in before for w in d.negative_before) or any(after.lstrip().startswith(w) for w in d.negative_after)


def _is_signature(text: str) -> bool:
    d = date_data()
    if len(text) > d.signature_max_len or re.search(r"[。，,；;：:！？!?、]", text):
        return False
    if _compiled()[3].match(text):
        return True
    return any(text.endswith(s) for s in d.signature_suffixes)


def find_document_date(doc: Document) -> FieldResult | None:
    """The document's own date, or None when none is printed (metadata dates are never used)."""
    d = date_data()
    _, own_rest, paren_rx, seal_rx = _compiled()
    lines = lines_of(doc)
    labelled: list[FieldResult] = []
    signed: list[FieldResult] = []
    own: list[FieldResult] = []
    dateline: list[FieldResult] = []
    paren: list[FieldResult] = []
    for i, ln in enumerate(lines):
        for m, value, _pid in _matches(ln.text):
            before, after = ln.text[: m.start()], ln.text[m.end():]
            prev = lines[i - 1].text if i else ""
            label = _label_before(before) or (_label_before(prev) if not before.strip() and prev in d.positive_labels else None)
            if _negative(before, after) or (not before.strip() and any(w in prev for w in d.negative_before)
                                            and prev.endswith(("：", ":", "日期", "时间"))):
                continue
            if label:
                labelled.append(FieldResult(value, f"date_label:{label}", ln.text, ln.page, 0.95))
                continue
            if ln.is_table_row:
                continue
            alone = not before.strip() and own_rest.match(after)
            if not before.strip() and i < d.dateline_max_line and any(c in after for c in d.dateline_cues):
                dateline.append(FieldResult(value, "date_press_dateline", ln.text, ln.page, 0.9))
            elif alone:
                j = i - 1
                while j >= 0 and seal_rx.match(lines[j].text):
                    j -= 1
                if j >= 0 and _is_signature(lines[j].text):
                    signed.append(FieldResult(value, "date_under_signature", lines[j].text + "\n" + ln.text,
                                              ln.page, 0.95))
                own.append(FieldResult(value, "date_own_line", ln.text, ln.page, 0.8))
            elif before.strip() and not after.strip() and _is_signature(before.strip()):
                signed.append(FieldResult(value, "date_beside_signature", ln.text, ln.page, 0.9))
            elif i < d.paren_max_line and paren_rx.match(before) and re.match(r"^[）)]\s*$", after):
                paren.append(FieldResult(value, "date_under_title", ln.text, ln.page, 0.7))
    if labelled:
        return labelled[0]
    if signed:
        return signed[0]  # the first signature block: a 转发 wrapper's own, not the forwarded text's
    if dateline:
        return dateline[0]
    if own:
        return own[-1]
    return paren[0] if paren else None
