"""The level of an issuing body, of a 批示's leader and of a media outlet (DESIGN.md §3).

The place printed in the issuer decides (by the division gazetteer: 瑞安市 is a 县级市, 上海市普陀区
a 直辖市 district); an abbreviated issuer (省教育厅, 市教育局, 县局, 我厅) takes its place from the
文号 prefix, then from the context; named bodies (教育部, 中国教育报, 中国教育装备行业协会) come from
bodies.yaml. Fuzzy matching (rapidfuzz) is the last resort, after abbreviations are expanded and
only for issuers naming no division, so 渝北区教委 never becomes 江北区教委. Joint issuers: the
lead (first printed) organ decides, as GB/T 9704 puts the 主办机关 first and the 文号 is its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from classify.gazetteer import Place, bodies, find_places, gazetteer, rules, titles
from records.evidence import FieldReason
from records.vocab import LEVEL_RANK


@dataclass(frozen=True)
class LevelResult:
    level: str  # records.vocab.Level
    rule: str
    quote: str
    confidence: float
    place: Place | None = None

    def reason(self, page: int | None = None) -> FieldReason:
        return FieldReason(field="level", rule=self.rule, quote=self.quote, page=page, confidence=self.confidence)


_DOCNO_HEAD = re.compile(r"^[^\d〔\[【（(［{〈<《〖\s]+")
_JUNK = re.compile(r"[（(][^）)]*(?:印章|盖章|公章|章)[^）)]*[）)]|[“”\"'《》「」]")


def normalise(text: str) -> str:
    """Traditional characters mapped, seal notes and quotes removed, whitespace collapsed."""
    text = _JUNK.sub("", text.translate(rules().traditional))
    return " ".join(text.replace("\u3000", " ").split())


def expand(text: str) -> str:
    """Abbreviations expanded (教委 → 教育委员会), for matching body names fuzzily."""
    for short, full in rules().variants.items():
        if short in text and full not in text:
            text = text.replace(short, full)
    return text


@lru_cache(maxsize=1)
def _body_index() -> tuple[dict[str, object], list[str]]:
    names: dict[str, object] = {}
    for b in bodies():
        for n in (b.name, *b.aliases):
            names[n] = b
    return names, sorted(names, key=len, reverse=True)


def _docno_places(doc_number: str | None) -> tuple[str, tuple[Place, ...] | str]:
    """(prefix, places) named by a 文号's prefix: 浙教技 → 浙江省; 渝北教 → 渝北区; 教科信 → 'national'."""
    if not doc_number:
        return "", ()
    head = _DOCNO_HEAD.match(normalise(doc_number).replace(" ", ""))
    if not head:
        return "", ()
    head_text = head.group(0)
    m = gazetteer().match_at(head_text, 0)
    if m and len(m.text) >= 2:
        return m.text, m.places
    table = rules().doc_prefixes
    for n in range(len(head_text), 0, -1):
        targets = table.get(head_text[:n])
        if targets:
            if targets == ("national",):
                return head_text[:n], "national"
            return head_text[:n], tuple(p for t in targets for p in gazetteer().by_name[t])
    return "", ()


def _fits(place: Place, word: str, kinds: tuple[str, ...]) -> bool:
    return place.kind in kinds and place.name.endswith(word)


@lru_cache(maxsize=64)
def _places_in(context: str) -> tuple[Place, ...]:
    return tuple(p for _, p in find_places(context))


def _context_pick(places: list[Place], context_places: list[Place]) -> Place:
    """Among candidates sharing a name, the one the context also names (or lies in)."""
    for p in places:
        if any(c.code == p.code for c in context_places):
            return p
    for p in places:
        if any(c.province == p.province for c in context_places):
            return p
    return places[0]


def _generic(word: str, level: str, kinds: tuple[str, ...], rest: str, issuer: str,
             doc_number: str | None, context: str) -> LevelResult:
    """市教育局, 省教育厅, 县局: the place comes from the 文号 prefix, then the context."""
    prefix, dplaces = _docno_places(doc_number)
    if isinstance(dplaces, tuple):
        fit = [p for p in dplaces if _fits(p, word, kinds)]
        if fit:
            ctx = _places_in(context) if len(fit) > 1 else []
            place = _context_pick(fit, ctx)
            return LevelResult(place.level, f"generic:{word}+docno", f"{issuer} {doc_number}", 0.85, place)
    gaz = gazetteer()
    for body in dict.fromkeys((rest, expand(rest))) if rest and context else ():
        start = context.find(body)
        while start != -1:
            m = gaz.match_ending_at(context, start)
            fit = [p for p in m.places if _fits(p, word, kinds)] if m else []
            if fit:
                return LevelResult(fit[0].level, f"generic:{word}+context", m.text + body, 0.8, fit[0])
            start = context.find(body, start + 1)
    for p in _places_in(context):
        if _fits(p, word, kinds):
            return LevelResult(p.level, f"generic:{word}+context_place", f"{issuer} … {p.name}", 0.65, p)
    conf = {"市": 0.55, "区": 0.8}.get(word, 0.85)
    why = "县级市 possible" if word == "市" else "no place named"
    return LevelResult(level, f"generic:{word}({why})", issuer, conf)


def _from_place(match, place: Place, rest: str) -> LevelResult:
    r = rules()
    if place.kind == "zone" or rest.startswith(r.zone_words):
        return LevelResult("unknown", "zone:function_zone_ambiguous",
                           match.text + next((w for w in r.zone_words if rest.startswith(w)), ""), 0.3, place)
    conf = 0.95 if match.full else 0.85
    return LevelResult(place.level, f"place:{place.kind}", match.text, conf, place)


def _resolve_one(issuer: str, doc_number: str | None, context: str) -> LevelResult:
    r, gaz = rules(), gazetteer()
    names, ordered = _body_index()
    for n in ordered:
        if issuer.startswith(n):
            b = names[n]
            place = gaz.by_name[b.place][0] if b.place else None
            return LevelResult(b.level, f"body:{b.kind}", n, 0.95, place)
    if issuer.endswith(r.school_suffixes):
        return LevelResult("school", "school:suffix", issuer, 0.9)
    if issuer.endswith(r.university_suffixes):
        return LevelResult("school", "school:university", issuer, 0.6)
    if any(w in issuer for w in r.company_words):
        return LevelResult("unknown", "company:no_administrative_level", issuer, 0.4)
    zone = next((z for z in r.zones if z in issuer), None)
    if zone:
        return LevelResult("unknown", "zone:function_zone_ambiguous", zone, 0.3)
    core = next((issuer[len(p):] for p in r.party_prefixes if issuer.startswith(p)), issuer)
    matches = gaz.scan(core, strict=False)
    chain = gaz.chain(matches) if matches and matches[0].start == 0 else []
    if chain:
        m, place = chain[-1]
        if len(m.places) > 1 and len({p.level for p in m.places}) > 1:
            ctx = list(_places_in(context))
            _, dplaces = _docno_places(doc_number)
            if isinstance(dplaces, tuple):
                ctx += list(dplaces)
            place = _context_pick(list(m.places) if len(chain) == 1 else [place], ctx)
        return _from_place(m, place, core[m.end:])
    if core.startswith(r.national_prefixes):
        pre = next(p for p in r.national_prefixes if core.startswith(p))
        return LevelResult("national", "national_prefix", pre, 0.9)
    for g in r.generic_places:
        if core.startswith(g.word) and len(core) > len(g.word):
            return _generic(g.word, g.level, g.kinds, core[len(g.word):], issuer, doc_number, context)
    if core.startswith(r.pronouns):
        return _pronoun(core, issuer, doc_number, context)
    inside = [m for m in matches if m.full or m.places[0].kind not in ("county", "county_city")
              or m.end == len(core) or core.startswith(r.short_followers + r.media_suffixes, m.end)]
    if inside:  # a place inside the name: 今日永嘉, 国家税务总局温州市税务局 (not 资源 in 人力资源)
        m = inside[0]
        res = _from_place(m, m.places[0], core[m.end:])
        return res if res.level == "unknown" else LevelResult(res.level, "place:inside_name", m.text, 0.7, res.place)
    if core.startswith(r.zone_words):  # 高新区教育局
        return LevelResult("unknown", "zone:function_zone_ambiguous", issuer, 0.3)
    head = next((h for h in r.heads if core.endswith(h.head)), None)
    if head and head.level:  # 教育厅 only exists at the provincial level, a ministry (部) at the national
        return _with_docno(head.level, f"head:{head.head}", issuer, doc_number, 0.7)
    prefix, dplaces = _docno_places(doc_number)
    if dplaces == "national":
        return LevelResult("national", "docno:national_organ", prefix, 0.6)
    if dplaces:
        return LevelResult(dplaces[0].level, "docno:place", prefix, 0.55, dplaces[0])
    hit = process.extractOne(expand(core), {n: expand(n) for n in ordered}, scorer=fuzz.ratio, score_cutoff=85)
    if hit:
        b = names[hit[2]]
        return LevelResult(b.level, f"body:fuzzy({hit[2]})", issuer, 0.6)
    return LevelResult("unknown", "none:no_place_body_or_docno", issuer, 0.2)


def _with_docno(level: str, rule: str, issuer: str, doc_number: str | None, conf: float) -> LevelResult:
    _, dplaces = _docno_places(doc_number)
    place = next((p for p in dplaces if p.level == level), None) if isinstance(dplaces, tuple) else None
    return LevelResult(level, rule + ("+docno" if place else ""), issuer, conf + (0.1 if place else 0), place)


def _pronoun(core: str, issuer: str, doc_number: str | None, context: str) -> LevelResult:
    """我厅 → provincial, 我部 → national, 我校 → school; 我局/我委 from the 文号 prefix or the context."""
    body = core[1:]
    head = next((h for h in rules().heads if body.startswith(h.head)), None)
    if head and head.level:
        return _with_docno(head.level, f"pronoun:{head.head}", issuer, doc_number, 0.8)
    prefix, dplaces = _docno_places(doc_number)
    if dplaces == "national":
        return LevelResult("national", "pronoun+docno", f"{issuer} {doc_number}", 0.7)
    if dplaces:
        return LevelResult(dplaces[0].level, "pronoun+docno", f"{issuer} {doc_number}", 0.7, dplaces[0])
    found = find_places(context)
    if found:
        m, p = found[0]
        return LevelResult(p.level, "pronoun+context_place", f"{issuer} … {m.text}", 0.5, p)
    return LevelResult("unknown", "pronoun:no_place", issuer, 0.2)


def _split(issuer: str) -> list[str]:
    """Joint issuers in printed order; a fragment that is only a place joins the next (浙江省 教育厅)."""
    parts, gaz, out = issuer.split(" "), gazetteer(), []
    carry = ""
    for part in parts:
        chain = gaz.chain(gaz.scan(part, strict=False))
        if chain and chain[-1][0].end == len(part) and chain[0][0].start == 0:
            carry += part
            continue
        out.append(carry + part)
        carry = ""
    if carry:
        out.append(carry)
    return out


def resolve_level(issuer: str, *, doc_number: str | None = None, context: str = "") -> LevelResult:
    """The level of an issuing body as printed (possibly abbreviated, possibly several organs)."""
    text = normalise(issuer or "")
    if not text:
        return LevelResult("unknown", "none:empty_issuer", "", 0.0)
    ctx = normalise(context) if context else ""
    parts = _split(text)
    lead = _resolve_one(parts[0], doc_number, ctx)
    if len(parts) == 1:
        return lead
    if lead.rule.startswith(("none:", "company:")):  # the lead is unreadable; a zone stays ambiguous
        for k, part in enumerate(parts[1:], 2):
            other = _resolve_one(part, doc_number, ctx)
            if other.level != "unknown":
                return LevelResult(other.level, f"joint:co_issuer{k}({other.rule})", other.quote,
                                   round(other.confidence * 0.8, 3), other.place)
    return LevelResult(lead.level, f"joint:lead({lead.rule})", lead.quote, lead.confidence, lead.place)


# ---- leaders -----------------------------------------------------------------------------

_STOP = re.compile(r"[\s，,。；;：:、（）()\[\]【】|/]")
_GENERIC_CHARS = "省市县区州旗盟"


def _leader_at(text: str, start: int, title) -> LevelResult | None:
    left = text[max(0, start - 25):start]
    cut = max((m.end() for m in _STOP.finditer(left)), default=0)
    chunk = left[cut:]
    candidates = [chunk]
    if title.title[0] in _GENERIC_CHARS:
        candidates.append(chunk + title.title[0])  # 瑞安市委书记: 瑞安市 + 市委书记
    for c in candidates:
        core = next((c[len(p):] for p in rules().party_prefixes if c.startswith(p)), c)
        if not core:
            continue
        res = resolve_level(core) if len(core) >= 2 else None
        if res and res.level != "unknown" and res.rule.startswith(("place:", "body:", "national_prefix")):
            quote = (core if c is candidates[0] else core[:-1]) + title.title
            return LevelResult(res.level, f"leader:{title.title}@{res.rule}", quote, min(res.confidence, 0.9), res.place)
    if title.level:
        return LevelResult(title.level, f"leader:{title.title}", title.title, 0.75)
    return None


@lru_cache(maxsize=1)
def _titles_by_first() -> dict[str, tuple]:
    out: dict[str, list] = {}
    for t in titles():  # longest first
        out.setdefault(t.title[0], []).append(t)
    return {k: tuple(v) for k, v in out.items()}


def leader_level(text: str) -> LevelResult | None:
    """The rank of a 批示's leader: the highest-ranking leader title found in text, read with the
    place or organ printed before it (瑞安市委书记 → county, 温州市委书记 → municipal)."""
    text = normalise(text or "")
    found: list[LevelResult] = []
    i = 0
    by_first = _titles_by_first()
    while i < len(text):
        t = next((t for t in by_first.get(text[i], ()) if text.startswith(t.title, i)), None)
        if t is None:
            i += 1
            continue
        res = _leader_at(text, i, t)
        if res:
            found.append(res)
        i += len(t.title)
    if not found:
        return None
    return max(found, key=lambda r: (LEVEL_RANK[r.level], r.confidence))
