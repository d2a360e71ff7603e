"""Award grade (特等奖 … 优秀奖, 优秀) and research completion grade (优秀/良好/合格).

A grade counts only where a grade stands: after a grade label (获奖等级：一等奖, 结题等级 | 优秀),
after an award verb in the same sentence (荣获…二等奖), after a grading word for the words that are
also ordinary prose (被评为优秀。, 鉴定为良好 — not 优秀教师), or alone on a line (a certificate's big
一等奖). Within the strongest kind of evidence found, two different grades make the document a
list: without a `subject` to look up, the grade is then unknown (None) rather than guessed.
Spellings and cue words are data: classify/data/grade_patterns.yaml.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import field_validator

from classify.fields import FieldResult, Line, Strict, compile_regex, lines_of, load_yaml
from records.document import Document


class Grade(Strict):
    value: str
    spellings: list[str]
    kinds: list[str]
    anywhere: bool


class GradeData(Strict):
    grades: list[Grade]
    label_short_forms: dict[str, str]
    labels: list[str]
    award_verbs: list[str]
    verb_reach: int
    position_words: list[str]
    position_end: str
    sentence_closers: list[str]
    kinds_for_type: dict[str, list[str]]

    _end = field_validator("position_end")(classmethod(lambda cls, v: compile_regex(v)))


@lru_cache(maxsize=1)
def grade_data() -> GradeData:
    from records.vocab import DOC_TYPES
    from classify.patterns import DATA, PatternError

    data = load_yaml("grade_patterns.yaml", GradeData)
    for t in data.kinds_for_type:
        if t not in DOC_TYPES:
            raise PatternError(f"{DATA / 'grade_patterns.yaml'}: kinds_for_type: unknown doc_type {t!r}")
    return data


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=8)
def _rules(kinds: tuple[str, ...]):
    """Compiled regexes and the spelling → value map for the grades of these kinds."""
    d = grade_data()
    grades = [g for g in d.grades if set(g.kinds) & set(kinds)]
    value_of = {s: g.value for g in grades for s in g.spellings}
    free = [s for g in grades if g.anywhere for s in g.spellings]
    bound = [s for g in grades if not g.anywhere for s in g.spellings]
    short = {k: v for k, v in d.label_short_forms.items() if v in value_of.values()}
    value_of.update(short)
    end = d.position_end
    label_values = _alt(list(value_of))
    label = re.compile(rf"(?:^|[\s|　：:，,；;])(?P<label>{_alt(d.labels)})[\s　]*(?:[:：|\t]|为|是)?[\s　|]*"
                       rf"(?P<g>{label_values}){end}")
    verb = re.compile(rf"(?:{_alt(d.award_verbs)})[^。；;！!]{{0,{d.verb_reach}}}?(?P<g>{_alt(free)})") if free else None
    position = re.compile(rf"(?:{_alt(d.position_words)})\s*[“\"「『]?(?P<g>{_alt(bound)})[”\"」』]?{end}") if bound else None
    # 荣获优秀。/ 授予…精品课优秀 特颁此证: an award verb's sentence that ends in a grade word
    verb_end = (re.compile(rf"(?:{_alt(d.award_verbs)})[^。；;！!]{{0,{d.verb_reach}}}?(?P<g>{_alt(bound)})"
                           rf"(?=$|[。；;！!]|{_alt(d.sentence_closers)})") if bound else None)
    return value_of, label, verb, position, verb_end


def _kinds(hint: str | None) -> tuple[str, ...] | None:
    d = grade_data()
    if hint is None:
        return tuple(sorted({k for g in d.grades for k in g.kinds}))
    return tuple(d.kinds_for_type[hint]) if hint in d.kinds_for_type else None


def _candidates(lines: list[Line], kinds: tuple[str, ...]) -> list[list[FieldResult]]:
    """Grade findings per tier, strongest tier first."""
    value_of, label, verb, position, verb_end = _rules(kinds)
    tiers: list[list[FieldResult]] = [[], [], [], []]
    for i, ln in enumerate(lines):
        m = label.search(ln.text)
        if m:
            tiers[0].append(FieldResult(value_of[m.group("g")], f"grade_label:{m.group('label')}", ln.text, ln.page, 0.95))
        sentence = _sentence(lines, i)
        for rx, tier, rule, conf in ((verb, 1, "grade_award_verb", 0.9), (verb_end, 1, "grade_award_verb_end", 0.85),
                                     (position, 2, "grade_position", 0.85)):
            if rx:
                for m in rx.finditer(sentence if tier == 1 else ln.text):
                    if tier == 1 and m.start() >= len(ln.text):
                        continue  # the verb stands on a later line: found there
                    tiers[tier].append(FieldResult(value_of[m.group("g")], rule, sentence, ln.page, conf))
        bare = re.sub(r"[\s　]+", "", ln.text)
        if bare in value_of:
            tiers[3].append(FieldResult(value_of[bare], "grade_own_line", ln.text, ln.page, 0.8))
    return tiers


HEADING_END = re.compile(r"(名单|结果|公示|公告|通知|通报|决定)$")


def _sentence(lines: list[Line], i: int, reach: int = 3) -> str:
    """The line, joined with the next ones while its sentence goes on: a certificate prints
    授予XX / 《…》…二等 / 奖 / 特颁此证。 over several lines. Table rows are never joined."""
    from classify.layout import is_certificate_title

    text = lines[i].text
    if lines[i].is_table_row or is_certificate_title(text) or HEADING_END.search(text):
        return text  # a heading (获奖证书, …获奖名单) is no sentence to continue
    for ln in lines[i + 1:i + 1 + reach]:
        if re.search(r"[。；;！!：:]$", text) or ln.is_table_row:
            break
        text += ln.text
    return text


def _for_subject(lines: list[Line], kinds: tuple[str, ...], subject: str) -> FieldResult | None:
    """A list: the grade on the subject's row, else the grade heading the subject stands under."""
    value_of, *_ = _rules(kinds)
    words = _alt(value_of)
    heading = re.compile(rf"^[\s　一二三四五六七八九十、（()）.0-9]*(?P<g>{words})[\s　]*(?:[（(][^）)]*[）)])?[\s　:：]*$")
    in_row = re.compile(rf"(?:^|[\s|\t　、，,：:（(])(?P<g>{words})(?=$|[\s|\t　、，,；;）)])")
    last_heading: FieldResult | None = None
    for ln in lines:
        h = heading.match(ln.text)
        if h:
            last_heading = FieldResult(value_of[h.group("g")], "grade_list_heading", ln.text, ln.page, 0.8)
            continue
        if subject in ln.text:
            m = in_row.search(ln.text.replace(subject, " "))
            if m:
                return FieldResult(value_of[m.group("g")], "grade_subject_row", ln.text, ln.page, 0.9)
            if last_heading:
                return FieldResult(last_heading.value, last_heading.rule, last_heading.quote + "\n" + ln.text,
                                   last_heading.page, last_heading.confidence)
    return None


def find_award_grade(doc: Document, doc_type_hint: str | None = None,
                     subject: str | None = None) -> FieldResult | None:
    """The grade of an award or of a research project's completion, or None (none, or a list)."""
    kinds = _kinds(doc_type_hint)
    if not kinds:
        return None
    lines = lines_of(doc)
    if subject:
        found = _for_subject(lines, kinds, subject)
        if found:
            return found
    for tier in _candidates(lines, kinds):
        if tier:
            values = {c.value for c in tier}
            return tier[0] if len(values) == 1 else None
    return None
