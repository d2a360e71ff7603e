"""The rule interpreter: a rubric plus Evidence records → candidate scores.

Semantics are written down in docs/engine-semantics.md; each clause kind has one function in
rubrics/kinds.py, dispatched by `kind`. This module does what is common to all of them:
routing evidence to indicators and clauses, time windows, statuses, caps, totals, the
cross-indicator count-once rule and the pass decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from records import ClauseResult, Evidence, EvidenceUse, IndicatorScore, PassResult, RubricScore, Total
from records.vocab import ASSESSED_BY_ZH, STATUS_ZH
from rubrics import kinds
from rubrics.matching import in_window, matches, window_text
from rubrics.schema import Indicator, Rubric


# Points resting on an indicator link below this confidence are a suggestion for review (classify's
# links guessed from the type prior carry ≤ 0.45, a single weak cue word < 0.5); the candidate
# stays, the status becomes needs_review.
WEAK_LINK_BELOW = 0.5


@dataclass
class Candidate:
    """A piece of evidence offered to one clause, with its window verdict."""

    evidence: Evidence
    quote: str
    page: int | None
    dated_ok: bool  # inside the window (or no window applies)
    undated: bool  # a window applies but the evidence has no date


@dataclass
class Context:
    as_of: date
    values: dict[str, float]
    evidence_values: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    excluded_keys: dict[str, set[str]] = field(default_factory=dict)  # indicator id → case keys scored elsewhere

    def value(self, name: str) -> tuple[float | None, str]:
        if name in self.values:
            return self.values[name], "提供的数值"
        found = self.evidence_values.get(name)
        if found:
            v, path = found[0]
            return v, f"{path} 中的统计数据"
        return None, ""


def _round(x: float) -> float:
    return round(x + 0.0, 4)


def _links_for(ev: Evidence, indicator_id: str):
    return [link for link in ev.indicators if link.id == indicator_id]


def score_indicator(rubric: Rubric, ind: Indicator, evidence: Iterable[Evidence], track: str,
                    ctx: Context) -> IndicatorScore:
    linked = [ev for ev in evidence if ev.error is None and _links_for(ev, ind.id)]
    excluded = ctx.excluded_keys.get(ind.id, set())
    results: list[ClauseResult] = []
    for clause in ind.clauses:
        window = clause.window or ind.window
        offered: list[Candidate] = []
        confidence: list[float] = []  # of each offered candidate's link
        skipped: list[EvidenceUse] = []
        for ev in linked:
            links = _links_for(ev, ind.id)
            targeted = [lk for lk in links if lk.clause == clause.id]
            untargeted = [lk for lk in links if lk.clause is None]
            link = (targeted or untargeted or [None])[0]
            if link is None or not matches(clause.match, ev, ind.id):
                continue
            if ev.key() in excluded:
                skipped.append(EvidenceUse(path=ev.path, page=link.page, quote=link.quote, points=0,
                                           clause=clause.id, counted=False,
                                           note="同一案例已在其他指标计分，只取一项得分"))
                continue
            inside, undated = in_window(window, ev.date, ctx.as_of)
            offered.append(Candidate(ev, link.quote, link.page, inside, undated))
            confidence.append(link.confidence)
        result = kinds.evaluate(clause, offered, ctx, ind)
        _review_weak_links(result, {c.evidence.path: conf for c, conf in zip(offered, confidence)})
        for cand in offered:
            if not cand.dated_ok:
                note = ("未注明日期，无法确认是否在" if cand.undated else "不在") + f"时间范围（{window_text(window)}）内"
                result.evidence.append(EvidenceUse(path=cand.evidence.path, page=cand.page, quote=cand.quote,
                                                   points=0, clause=clause.id, counted=False, note=note))
        if any(c.undated for c in offered) and result.status in ("scored", "no_evidence"):
            result.status = "needs_review"
            result.rationale += "；有材料未注明日期，需人工确认"
        result.evidence.extend(skipped)
        results.append(result)
    _apply_requires(ind, results)
    return _combine(rubric, ind, track, results)


def _review_weak_links(result: ClauseResult, confidence: dict[str, float]) -> None:
    """Points that rest on a link classification was unsure of are a suggestion, not a score."""
    weak = [u for u in result.evidence
            if u.counted and u.points and confidence.get(u.path, 1.0) < WEAK_LINK_BELOW]
    if weak and result.status == "scored":
        result.status = "needs_review"
        worst = min(confidence[u.path] for u in weak)
        result.rationale += f"；佐证与本指标的对应把握不大（置信度 {worst:.2f}），需人工确认"


def _apply_requires(ind: Indicator, results: list[ClauseResult]) -> None:
    """A clause with `requires` earns nothing unless every listed clause found evidence."""
    by_id = {r.id: r for r in results}
    for clause, result in zip(ind.clauses, results):
        if not clause.requires or not result.points:
            continue
        lacking = [cid for cid in clause.requires
                   if not any(u.counted for u in by_id[cid].evidence) and by_id[cid].status != "needs_review"]
        if lacking:
            result.points = 0.0
            for use in result.evidence:
                use.points, use.counted = 0.0, False
                use.note = (use.note + "；" if use.note else "") + f"须同时满足条款 {'、'.join(lacking)}"
            result.rationale += f"；但条款 {'、'.join(lacking)} 未找到佐证，须同时满足，不得分"


def _combine(rubric: Rubric, ind: Indicator, track: str, results: list[ClauseResult]) -> IndicatorScore:
    statuses = [r.status for r in results]
    if all(s == "not_assessable" for s in statuses):
        status = "not_assessable"
    elif "needs_review" in statuses:
        status = "needs_review"
    elif "scored" in statuses:
        status = "needs_review" if "not_assessable" in statuses else "scored"
    else:
        status = "not_assessable" if "not_assessable" in statuses else "no_evidence"

    decided = [r.points for r in results if r.points is not None]
    if status == "not_assessable" or not decided:
        candidate = None
    elif rubric.scoring == "pass_fail":
        candidate = 1.0 if decided and all(p >= 1 for p in decided) else 0.0
    else:
        candidate = _round(sum(decided))
        if ind.max_score is not None and candidate > ind.max_score:
            candidate = ind.max_score

    parts = [f"【{r.id}】{r.rationale}" for r in results]
    rationale = "；".join(parts)
    if (rubric.scoring == "points" and ind.max_score is not None and candidate is not None
            and _round(sum(decided)) > ind.max_score):
        rationale += f"；合计超过分值，按 {ind.max_score:g} 分计"
    pending = sorted({ASSESSED_BY_ZH[c.assessed_by] for c, r in zip(ind.clauses, results)
                      if r.status == "not_assessable"})
    if pending and status != "not_assessable":
        rationale += f"；另有条款需{('、'.join(pending))}"
    group = rubric.group(ind.group)
    bonus = rubric.is_bonus(group.id)
    used = [u for r in results for u in r.evidence]
    return IndicatorScore(
        id=ind.id,
        title=ind.title,
        max_score=ind.max_score,
        candidate_score=candidate,
        status=status,
        mandatory=ind.mandatory.get(track, False),
        bonus=bonus,
        evidence=used,
        rationale=f"{STATUS_ZH[status]}：{rationale}",
        clauses=results,
    )


def _lacks_evidence(s: IndicatorScore) -> bool:
    """Nothing found, or what was found earns nothing (a plan too recent, a condition unmet)."""
    return s.status == "no_evidence" or (s.status == "scored" and s.candidate_score == 0)


def _cross_indicator_exclusions(rubric: Rubric, evidence: list[Evidence], track: str,
                                ctx: Context) -> dict[str, set[str]]:
    """淮北: a case counts under one indicator only — where it earns most, ties to the earlier."""
    best: dict[str, tuple[float, int, str]] = {}
    order = {ind.id: n for n, ind in enumerate(rubric.indicators)}
    for ind in rubric.indicators:
        for ev in evidence:
            if ev.error is not None or not _links_for(ev, ind.id):
                continue
            alone = score_indicator(rubric, ind, [ev], track, ctx)
            pts = alone.candidate_score or 0.0
            key = ev.key()
            current = best.get(key)
            if current is None or pts > current[0] or (pts == current[0] and order[ind.id] < current[1]):
                best[key] = (pts, order[ind.id], ind.id)
    excluded: dict[str, set[str]] = {}
    for ev in evidence:
        key = ev.key()
        if key not in best:
            continue
        for link in ev.indicators:
            if link.id != best[key][2]:
                excluded.setdefault(link.id, set()).add(key)
    return excluded


def _group_totals(rubric: Rubric, scores: list[IndicatorScore]) -> tuple[float, float]:
    """Sum candidates up the hierarchy applying capped groups; return (base, bonus)."""
    by_group: dict[str, float] = {}
    for ind, s in zip(rubric.indicators, scores):
        by_group[ind.group] = by_group.get(ind.group, 0.0) + (s.candidate_score or 0.0)
    children: dict[str | None, list[str]] = {}
    for g in rubric.groups:
        children.setdefault(g.parent, []).append(g.id)

    def total(gid: str) -> float:
        t = by_group.get(gid, 0.0) + sum(total(c) for c in children.get(gid, []))
        g = rubric.group(gid)
        if g.cap and g.max_score is not None:
            t = min(t, g.max_score)
        return t

    base = bonus = 0.0
    for gid in children.get(None, []):
        if rubric.is_bonus(gid):
            bonus += total(gid)
        else:
            base += total(gid)
    return _round(base), _round(bonus)


def _pass_result(rubric: Rubric, scores: list[IndicatorScore], base: float, bonus: float) -> PassResult | None:
    rule = rubric.pass_rule
    if rule is None:
        return None
    if rule.kind == "all_mandatory_plus_optional":
        mand = [s for s in scores if s.mandatory]
        opt = [s for s in scores if not s.mandatory]
        missing = [s.id for s in mand if s.status == "no_evidence" or s.candidate_score == 0]
        if missing:
            return PassResult(passed=False, rationale=f"必备指标未达成：{'、'.join(missing)}")
        # Only confirmed-by-documents results pass a package: a suggestion (needs_review) does not.
        met_opt = [s.id for s in opt if s.candidate_score == 1 and s.status == "scored"]
        if all(s.candidate_score == 1 and s.status == "scored" for s in mand) and len(met_opt) >= rule.min_optional:
            return PassResult(passed=True, rationale=f"必备指标全部达成，选择性指标达成 {len(met_opt)} 项")
        pending = [s.id for s in mand if s.candidate_score is None or s.status != "scored"]
        return PassResult(passed=None, rationale=f"尚待确认的必备指标：{'、'.join(pending) or '无'}；"
                                                 f"已达成选择性指标 {len(met_opt)} 项（至少 {rule.min_optional} 项）")
    # min_total
    reachable = 0.0
    for s in scores:
        if s.bonus:
            continue
        if s.status in ("scored", "no_evidence"):
            reachable += s.candidate_score or 0.0
        else:
            reachable += s.max_score or 0.0
    reachable = min(reachable, rubric.total_max) + 0.0
    if reachable < (rule.min_total or 0):
        return PassResult(passed=False, rationale=f"即使待定指标全部得满分，最高可得 {reachable:g} 分，"
                                                  f"低于 {rule.min_total:g} 分")
    extra = "；另需满足：" + "、".join(rule.conditions_not_in_documents) if rule.conditions_not_in_documents else ""
    if base + bonus >= (rule.min_total or 0) and not rule.conditions_not_in_documents:
        return PassResult(passed=True, rationale=f"候选总分 {base + bonus:g} 分，达到 {rule.min_total:g} 分")
    return PassResult(passed=None, rationale=f"候选总分 {base + bonus:g} 分（需 {rule.min_total:g} 分以上）{extra}")


def score_package(rubric: Rubric, evidence: list[Evidence], as_of: date, track: str | None = None,
                  values: dict[str, float] | None = None) -> RubricScore:
    track_id = rubric.resolve_track(track)
    ctx = Context(as_of=as_of, values=dict(values or {}))
    for ev in evidence:
        if ev.error is None:
            for name, v in ev.values.items():
                ctx.evidence_values.setdefault(name, []).append((v, ev.path))
    if rubric.count_once_across_indicators is not None:
        ctx.excluded_keys = _cross_indicator_exclusions(rubric, evidence, track_id, ctx)
    scores = [score_indicator(rubric, ind, evidence, track_id, ctx) for ind in rubric.indicators]
    if rubric.scoring == "pass_fail":
        met = sum(1 for s in scores if s.candidate_score == 1)
        total = Total(candidate=met, max=len(scores))
        base, bonus = float(met), 0.0
    else:
        base, bonus = _group_totals(rubric, scores)
        total = Total(candidate=_round(base + bonus), max=rubric.total_max + rubric.bonus_max,
                      bonus_candidate=bonus, bonus_max=rubric.bonus_max)
    return RubricScore(
        rubric=rubric.id,
        track=track_id if rubric.tracks else None,
        as_of=as_of,
        indicators=scores,
        missing_mandatory=[s.id for s in scores if s.mandatory and _lacks_evidence(s)],
        total=total,
        pass_result=_pass_result(rubric, scores, base, bonus),
        rubric_version=rubric.version,
    )
