"""One function per clause kind. Each takes the clause, the evidence offered to it (already
routed and window-checked by the engine) and returns a ClauseResult with a Chinese rationale."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

from records import ClauseResult, EvidenceUse
from records.vocab import ASSESSED_BY_ZH, LEVEL_ZH
from rubrics.matching import matches
from rubrics.schema import (CompareAverage, External, Indicator, PerItem, Presence, Proportional, Requirement,
                            ReviewerRange, Shortfall, Tiers)

if TYPE_CHECKING:
    from rubrics.engine import Candidate, Context


def _r(x: float) -> float:
    return round(x + 0.0, 4)


def _use(c: "Candidate", clause_id: str, points: float, note: str, counted: bool = True) -> EvidenceUse:
    return EvidenceUse(path=c.evidence.path, page=c.page, quote=c.quote, points=_r(points), clause=clause_id,
                       counted=counted, note=note)


def _capped(total: float, cap: float | None) -> tuple[float, str]:
    if cap is not None and total > cap:
        return cap, f"，超过上限按 {cap:g} 分计"
    return total, ""


def _quoted(clause) -> str:
    return f"依据“{clause.text}”"


def _by_documents(clause) -> bool:
    return clause.assessed_by == "documents"


def _found_status(clause, found: bool) -> str:
    if _by_documents(clause):
        return "scored" if found else "no_evidence"
    return "needs_review" if found else "not_assessable"


def _not_assessable(clause, missing: str = "") -> ClauseResult:
    how = ASSESSED_BY_ZH[clause.assessed_by]
    need = f"缺少数值 {missing}（{how}）" if missing else f"需{how}"
    return ClauseResult(id=clause.id, kind=clause.kind, points=None, status="not_assessable",
                        rationale=f"{_quoted(clause)}，{need}，材料无法判定")


def presence(clause: Presence | Requirement, offered: list["Candidate"], ctx: "Context", ind: Indicator,
             points: float | None = None) -> ClauseResult:
    pts = clause.points if points is None else points
    ok = [c for c in offered if c.dated_ok]
    if not ok and not _by_documents(clause):
        return _not_assessable(clause)
    uses = [_use(c, clause.id, pts if n == 0 else 0, "" if n == 0 else "同一条款已有佐证", counted=(n == 0))
            for n, c in enumerate(ok)]
    got = pts if ok else 0.0
    status = _found_status(clause, bool(ok))
    if ok:
        why = f"{_quoted(clause)}，有佐证 {len(ok)} 份，得 {got:g} 分"
        if status == "needs_review":
            why += f"（需{ASSESSED_BY_ZH[clause.assessed_by]}确认）"
    else:
        why = f"{_quoted(clause)}，未找到佐证，得 0 分"
    return ClauseResult(id=clause.id, kind=clause.kind, points=got, status=status, rationale=why, evidence=uses)


def requirement(clause: Requirement, offered, ctx, ind) -> ClauseResult:
    return presence(clause, offered, ctx, ind, points=1.0)


def _item_points(clause: PerItem, c: "Candidate", ind: Indicator) -> tuple[float, str]:
    ev = c.evidence
    if clause.points is not None:
        base, label = clause.points, ""
    else:
        for rate in clause.rates:
            if matches(rate.when, ev, ind.id):
                base, label = rate.points, rate.label
                break
        else:
            return 0.0, f"{LEVEL_ZH[ev.level]}，不符合计分档次"
    pts = base
    notes = [f"{label or LEVEL_ZH[ev.level]} {base:g} 分" if label or clause.rates else f"{base:g} 分"]
    for mod in clause.modifiers:
        if matches(mod.when, ev, ind.id):
            pts *= mod.factor
            notes.append(f"{mod.text or '系数'} ×{mod.factor:g}")
    return pts, "，".join(notes)


def _group_items(offered: list["Candidate"], count_once: bool) -> dict:
    groups: dict = {}
    for c in offered:
        ev = c.evidence
        key = ev.key() if count_once else (ev.key(), ev.level, ev.award_grade)
        groups.setdefault(key, []).append(c)
    return groups


def per_item(clause: PerItem, offered, ctx, ind) -> ClauseResult:
    ok = [c for c in offered if c.dated_ok]
    if not ok and not _by_documents(clause):
        return _not_assessable(clause)
    uses: list[EvidenceUse] = []
    items: list[tuple[float, "Candidate", str]] = []
    for group in _group_items(ok, clause.count_once).values():
        scored = sorted(((*_item_points(clause, c, ind), c) for c in group), key=lambda t: -t[0])
        best_pts, best_note, best = scored[0]
        items.append((best_pts, best, best_note))
        for pts, note, c in scored[1:]:
            why = clause.count_once_text or "同一案例" if clause.count_once else "同一材料重复提交"
            uses.append(_use(c, clause.id, 0, f"{why}，只计一次", counted=False))
    items.sort(key=lambda t: -t[0])
    running = 0.0
    for pts, c, note in items:
        room = pts if clause.cap is None else max(0.0, min(pts, clause.cap - running))
        if room < pts:
            note += f"，已达上限 {clause.cap:g} 分" + (f"，只计 {room:g} 分" if room > 0 else "")
        running += room
        uses.append(_use(c, clause.id, room, note, counted=room > 0))
    total = _r(running)
    status = _found_status(clause, bool(ok))
    counted = sum(1 for p, _, _ in items if p > 0)
    why = f"{_quoted(clause)}，计 {counted} 项，共 {total:g} 分"
    if clause.cap is not None and sum(p for p, _, _ in items) > clause.cap:
        why += f"（上限 {clause.cap:g} 分）"
    if not ok:
        why = f"{_quoted(clause)}，未找到佐证，得 0 分"
    return ClauseResult(id=clause.id, kind=clause.kind, points=total, status=status, rationale=why, evidence=uses)


def _measure(clause: Tiers | Shortfall, offered, ctx: "Context") -> tuple[float | None, list[EvidenceUse], str, bool]:
    """Return (measure, uses, description, unsure)."""
    if clause.measure == "value":
        v, where = ctx.value(clause.value)
        return v, [], (f"{clause.value} = {v:g}{clause.unit}（{where}）" if v is not None else ""), False
    ok = [c for c in offered if c.dated_ok]
    uses: list[EvidenceUse] = []
    unsure = False
    if clause.measure == "count":
        groups = _group_items(ok, True)
        for group in groups.values():
            uses.append(_use(group[0], clause.id, 0, "计入数量"))
            uses += [_use(c, clause.id, 0, "同一项目重复，只计一次", counted=False) for c in group[1:]]
        n = len(groups)
        return float(n), uses, f"计 {n}{clause.unit or '项'}", unsure
    schools: dict[str, "Candidate"] = {}
    for c in ok:
        s = c.evidence.subject
        if not s:
            unsure = True
            uses.append(_use(c, clause.id, 0, "未识别所涉学校，需人工确认", counted=False))
        elif s in schools:
            uses.append(_use(c, clause.id, 0, f"{s} 已计入", counted=False))
        else:
            schools[s] = c
            uses.append(_use(c, clause.id, 0, f"计入学校：{s}"))
    return float(len(schools)), uses, f"涉及 {len(schools)} 所学校", unsure


def _tier_points(clause: Tiers, m: float) -> float:
    pts = 0.0
    for tier in sorted(clause.tiers, key=lambda t: -t.min):
        if m >= tier.min:
            pts = tier.points
            break
    inc = clause.increment
    if inc is not None and m > inc.above:
        pts += math.floor((m - inc.above) / inc.each + 1e-9) * inc.points
    return pts


def _shortfall_points(clause: Shortfall, m: float) -> float:
    if m >= clause.target:
        return clause.points
    return max(0.0, clause.points - (clause.target - m) / clause.per * clause.deduct)


def _measured(clause: Tiers | Shortfall, offered, ctx, ind, rule: Callable[[float], float]) -> ClauseResult:
    m, uses, desc, unsure = _measure(clause, offered, ctx)
    if m is None:
        return _not_assessable(clause, clause.value)
    by_value = clause.measure == "value"
    found = by_value or any(c.dated_ok for c in offered)
    if not by_value and not found and not _by_documents(clause):
        return _not_assessable(clause)
    pts, capnote = _capped(_r(rule(m)), clause.cap)
    status = "scored" if by_value else _found_status(clause, found)
    if unsure and status == "scored":
        status = "needs_review"
    why = f"{_quoted(clause)}，{desc or '未找到佐证'}，得 {pts:g} 分{capnote}"
    return ClauseResult(id=clause.id, kind=clause.kind, points=pts, status=status, rationale=why, evidence=uses)


def tiers(clause: Tiers, offered, ctx, ind) -> ClauseResult:
    return _measured(clause, offered, ctx, ind, lambda m: _tier_points(clause, m))


def shortfall(clause: Shortfall, offered, ctx, ind) -> ClauseResult:
    return _measured(clause, offered, ctx, ind, lambda m: _shortfall_points(clause, m))


def compare_average(clause: CompareAverage, offered, ctx, ind) -> ClauseResult:
    v, _ = ctx.value(clause.value)
    avg, _ = ctx.value(clause.average)
    if v is None or avg is None:
        return _not_assessable(clause, f"{clause.value}、{clause.average}")
    if math.isclose(v, avg, rel_tol=1e-9, abs_tol=1e-9):
        pts, word = clause.equal, "等于"
    elif v > avg:
        pts, word = clause.above, "高于"
    else:
        pts, word = clause.below, "低于"
    pts, capnote = _capped(pts, clause.cap)
    return ClauseResult(id=clause.id, kind=clause.kind, points=pts, status="scored",
                        rationale=f"{_quoted(clause)}，{v:g} {word}平均 {avg:g}，得 {pts:g} 分{capnote}")


def proportional(clause: Proportional, offered, ctx, ind) -> ClauseResult:
    v, where = ctx.value(clause.value)
    if v is None:
        return _not_assessable(clause, clause.value)
    ratio = v / 100 if v > 1 else v  # values above 1 are percentages
    ratio = min(max(ratio, 0.0), 1.0)
    pts, capnote = _capped(_r(clause.points * ratio), clause.cap)
    return ClauseResult(id=clause.id, kind=clause.kind, points=pts, status="scored",
                        rationale=f"{_quoted(clause)}，比例 {ratio:.0%}（{where}），得 {pts:g} 分{capnote}")


def external(clause: External, offered, ctx, ind) -> ClauseResult:
    v, where = ctx.value(clause.value)
    if v is None:
        return _not_assessable(clause, clause.value)
    pts = _r(min(max(v, 0.0), clause.points))
    pts, capnote = _capped(pts, clause.cap)
    return ClauseResult(id=clause.id, kind=clause.kind, points=pts, status="scored",
                        rationale=f"{_quoted(clause)}，{where} {v:g}，得 {pts:g} 分{capnote}")


def reviewer_range(clause: ReviewerRange, offered, ctx, ind) -> ClauseResult:
    ok = [c for c in offered if c.dated_ok]
    options = "；".join(f"{o.label} {o.min:g}" + (f"–{o.max:g}" if o.max != o.min else "") + " 分"
                       for o in clause.options)
    if not ok:
        return ClauseResult(id=clause.id, kind=clause.kind, points=0.0, status="no_evidence",
                            rationale=f"{_quoted(clause)}，未找到佐证，得 0 分")
    uses = [_use(c, clause.id, 0, "供评审认定") for c in ok]
    return ClauseResult(id=clause.id, kind=clause.kind, points=None, status="needs_review",
                        rationale=f"{_quoted(clause)}，有佐证 {len(ok)} 份，由评审认定：{options}", evidence=uses)


EVALUATORS: dict[str, Callable] = {
    "presence": presence,
    "per_item": per_item,
    "tiers": tiers,
    "shortfall": shortfall,
    "compare_average": compare_average,
    "proportional": proportional,
    "reviewer_range": reviewer_range,
    "external": external,
    "requirement": requirement,
}


def evaluate(clause, offered, ctx, ind) -> ClauseResult:
    return EVALUATORS[clause.kind](clause, offered, ctx, ind)
