"""Semantic validation of a loaded rubric: ids, hierarchy, totals, caps, mandatory counts,
and warnings for faults in the source wording. Structural faults are caught by the loader."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from rubrics.schema import Indicator, Rubric


@dataclass(frozen=True)
class Finding:
    severity: Literal["error", "warning"]
    where: str  # "indicator 1.1 › clause a", "group dev", "rubric"
    message: str  # Chinese first, English after " / "

    def __str__(self) -> str:
        label = "错误 error" if self.severity == "error" else "警告 warning"
        return f"{label} [{self.where}] {self.message}"


@dataclass
class Report:
    rubric_id: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, where: str, message: str) -> None:
        self.findings.append(Finding("error", where, message))

    def warn(self, where: str, message: str) -> None:
        self.findings.append(Finding("warning", where, message))


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, abs_tol=1e-6)


def clause_ceiling(clause) -> float:
    """The most a clause can give on its own (inf when only the indicator caps it)."""
    k = clause.kind
    if k == "presence":
        top = clause.points
    elif k == "requirement":
        top = 1.0
    elif k == "per_item":
        top = math.inf
    elif k == "tiers":
        top = math.inf if clause.increment else max(t.points for t in clause.tiers)
    elif k in ("shortfall", "proportional", "external"):
        top = clause.points
    elif k == "compare_average":
        top = max(clause.above, clause.equal, clause.below)
    elif k == "reviewer_range":
        top = max(o.max for o in clause.options)
    else:  # pragma: no cover - the schema's discriminator admits no other kind
        raise ValueError(k)
    return min(top, clause.cap) if clause.cap is not None else top


def _unique(report: Report, where: str, what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            report.error(where, f"{what} id 重复：{i} / duplicate {what} id {i!r}")
        seen.add(i)


def _check_hierarchy(rubric: Rubric, report: Report) -> bool:
    gids = {g.id for g in rubric.groups}
    ok = True
    for g in rubric.groups:
        if g.parent is not None and g.parent not in gids:
            report.error(f"group {g.id}", f"上级分组 {g.parent} 不存在 / unknown parent group")
            ok = False
    for g in rubric.groups:  # cycles
        seen, cur = set(), g.id
        while cur is not None and ok:
            if cur in seen:
                report.error(f"group {g.id}", "分组层级成环 / group hierarchy has a cycle")
                ok = False
                break
            seen.add(cur)
            cur = next((x.parent for x in rubric.groups if x.id == cur), None)
    for ind in rubric.indicators:
        if ind.group not in gids:
            report.error(f"indicator {ind.id}", f"所属分组 {ind.group} 不存在 / unknown group")
            ok = False
    return ok


def _check_sums(rubric: Rubric, report: Report) -> None:
    children_max: dict[str | None, list[float | None]] = {}
    for ind in rubric.indicators:
        children_max.setdefault(ind.group, []).append(ind.max_score)
    for g in rubric.groups:
        children_max.setdefault(g.parent, []).append(g.max_score)
    for g in rubric.groups:
        if g.max_score is None:
            continue
        parts = children_max.get(g.id, [])
        if any(p is None for p in parts):
            if not g.cap:
                report.error(f"group {g.id}", "分组内有未定分值的项，但分组没有封顶 / unscored child in an uncapped group")
            continue
        total = sum(parts)
        if g.cap:
            if total + 1e-6 < g.max_score:
                report.warn(f"group {g.id}", f"下级分值合计 {total:g}，低于封顶 {g.max_score:g} / children sum below the cap")
        elif not _close(total, g.max_score):
            report.error(f"group {g.id}", f"下级分值合计 {total:g}，与文件所列 {g.max_score:g} 分不符"
                                          f" / children add up to {total:g}, the document states {g.max_score:g}")

    def top_sum(bonus: bool) -> float:
        s = 0.0
        for g in rubric.groups:
            if g.parent is None and g.bonus == bonus:
                s += g.max_score if g.max_score is not None else sum(
                    x or 0 for x in children_max.get(g.id, []))
        return s

    if rubric.scoring == "points":
        base, bonus = top_sum(False), top_sum(True)
        if not _close(base, rubric.total_max):
            report.error("rubric", f"基本分合计 {base:g}，与 total_max {rubric.total_max:g} 不符 / base groups add up to {base:g}")
        if not _close(bonus, rubric.bonus_max):
            report.error("rubric", f"加分合计 {bonus:g}，与 bonus_max {rubric.bonus_max:g} 不符 / bonus groups add up to {bonus:g}")


def _in_capped_group(rubric: Rubric, ind: Indicator) -> bool:
    return any(g.cap for g in rubric.ancestors(ind.group))


def _check_indicator(rubric: Rubric, ind: Indicator, report: Report, tracks: set[str]) -> None:
    where = f"indicator {ind.id}"
    _unique(report, where, "clause", [c.id for c in ind.clauses])
    unknown = set(ind.mandatory) - tracks
    if unknown:
        report.error(where, f"mandatory 中有未知类别 {sorted(unknown)}；可选 {sorted(tracks)} / unknown track")
    if rubric.scoring == "pass_fail":
        if ind.max_score is not None:
            report.error(where, "达标类（pass_fail）指标不设分值，max_score 应为 null / pass_fail indicators have no max_score")
        for c in ind.clauses:
            if c.kind != "requirement":
                report.error(f"{where} › clause {c.id}", f"达标类指标只用 requirement 条款，不能用 {c.kind}")
        return
    ids = [c.id for c in ind.clauses]
    for c in ind.clauses:
        for r in c.requires:
            if r not in ids or r == c.id:
                report.error(f"{where} › clause {c.id}", f"requires 指向不存在的条款 {r} / requires an unknown clause")
    for c in ind.clauses:
        if c.kind == "requirement":
            report.error(f"{where} › clause {c.id}", "requirement 条款只用于达标类（pass_fail）指标体系")
        for t in getattr(c, "text_by_track", {}) or {}:
            if t not in tracks:
                report.error(f"{where} › clause {c.id}", f"text_by_track 中有未知类别 {t}")
        if c.kind == "reviewer_range":
            for o in c.options:
                if o.min > o.max:
                    report.error(f"{where} › clause {c.id}", f"选项 {o.label} 的下限大于上限")
        if c.kind == "tiers" and len({t.min for t in c.tiers}) != len(c.tiers):
            report.error(f"{where} › clause {c.id}", "tiers 的 min 重复 / duplicate tier minimum")
    if ind.max_score is None:
        if not _in_capped_group(rubric, ind):
            report.error(where, "没有分值（max_score），也不在封顶的分组内 / no max_score and no capping group")
        return
    for c in ind.clauses:
        if c.cap is not None and c.cap > ind.max_score + 1e-6:
            report.error(f"{where} › clause {c.id}", f"条款上限 {c.cap:g} 超过指标分值 {ind.max_score:g}")
    ceiling = sum(clause_ceiling(c) for c in ind.clauses)
    if ceiling + 1e-6 < ind.max_score:
        report.warn(where, f"评分条款最多只能得 {ceiling:g} 分，低于分值 {ind.max_score:g} 分（原文如此？）"
                           f" / the clauses can give at most {ceiling:g} of {ind.max_score:g} points")


def _bigrams(text: str) -> set[str]:
    chars = [ch for ch in text if not ch.isspace() and ch not in "，。；、：（）()“”\"0123456789."]
    return {a + b for a, b in zip(chars, chars[1:])}


def _affinity(scoring: str, content: str) -> float:
    s, c = _bigrams(scoring), _bigrams(content)
    return len(s & c) / len(c) if c else 0.0


def _check_repeated_wording(rubric: Rubric, report: Report) -> None:
    """Warn where an indicator's scoring text repeats another's and fits the other's content
    better than its own (淮北 15.2 repeats 15.1: 体质健康 where 心理健康 is meant)."""
    by_text: dict[str, list[Indicator]] = {}
    for ind in rubric.indicators:
        if ind.source.scoring:
            by_text.setdefault(ind.source.scoring.strip(), []).append(ind)
    for text, inds in by_text.items():
        if len(inds) < 2:
            continue
        affinity = {ind.id: _affinity(text, ind.source.content) for ind in inds}
        best = max(inds, key=lambda i: affinity[i.id])
        for ind in inds:
            if ind is best:
                continue
            if affinity[ind.id] < 0.75 * affinity[best.id]:
                report.warn(f"indicator {ind.id}",
                            f"评分说明与指标 {best.id} 完全相同，且更贴合 {best.id} 的指标内容，疑为原文照抄错误"
                            f" / scoring text repeats {best.id}'s and fits {best.id}'s content better than its own")


def validate(rubric: Rubric) -> Report:
    report = Report(rubric.id)
    tracks = set(rubric.track_ids())
    _unique(report, "rubric", "indicator", [i.id for i in rubric.indicators])
    _unique(report, "rubric", "group", [g.id for g in rubric.groups])
    _unique(report, "rubric", "track", [t.id for t in rubric.tracks])
    if rubric.default_track is not None and rubric.default_track not in tracks:
        report.error("rubric", f"default_track {rubric.default_track} 不在类别中")
    if rubric.scoring == "pass_fail" and rubric.pass_rule is None:
        report.error("rubric", "达标类指标体系需要 pass_rule / a pass_fail rubric needs a pass_rule")
    if _check_hierarchy(rubric, report):
        _check_sums(rubric, report)
        for ind in rubric.indicators:
            _check_indicator(rubric, ind, report, tracks)
    for t in rubric.tracks:
        if t.mandatory_count is not None:
            n = sum(1 for ind in rubric.indicators if ind.mandatory.get(t.id, False))
            if n != t.mandatory_count:
                report.error(f"track {t.id}", f"必备指标 {n} 项，与文件所述 {t.mandatory_count} 项不符"
                                              f" / {n} mandatory indicators, the document states {t.mandatory_count}")
    _check_repeated_wording(rubric, report)
    return report
