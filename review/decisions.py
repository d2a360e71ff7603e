"""Reviewer decisions on queue items: confirm, adjust, reject a piece of evidence, mark for an
on-site check, enter a value for a not-assessable indicator, reopen.

Every decision names the item version the reviewer saw. If the item changed since (another
reviewer, or a re-run of the screening), nothing is written and `Conflict` is raised. Every
accepted decision appends one row to the audit log (`decisions`, which triggers keep append-only).
"""

from __future__ import annotations

import json
import math
from datetime import date

from records import Decision
from review.errors import Conflict, DecisionError
from review.store import DECIDED, Store, now

KINDS = ("confirm", "adjust", "reject_evidence", "onsite_check", "enter_value", "reopen")
KIND_ZH = {"confirm": "确认", "adjust": "调整", "reject_evidence": "剔除佐证", "onsite_check": "标记现场核查",
           "enter_value": "录入数值", "reopen": "撤回决定"}


def _finite(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def decide(store: Store, item_id: int, kind: str, reviewer: str, version: int, *, score: float | None = None,
           reason: str = "", evidence_path: str | None = None, value_name: str | None = None,
           value: float | None = None) -> dict:
    """Apply one decision; return the item as it is afterwards."""
    if kind not in KINDS:
        raise DecisionError("bad_kind", f"未知的操作：{kind}")
    reason = (reason or "").strip()
    with store.write() as c:
        row = store.item(item_id)
        if row is None:
            raise DecisionError("not_found", f"指标条目 {item_id} 不存在")
        if int(version) != row["version"]:
            last = store.decisions(item_id)
            raise Conflict(row, last[-1] if last else None)
        before = row["final_score"] if row["state"] in DECIDED else row["candidate_score"]
        after = before
        stamp = now()
        if kind == "confirm":
            if row["candidate_score"] is None:
                raise DecisionError("nothing_to_confirm", "该指标没有候选分，请录入数值或调整分数（须填写理由）")
            after = row["candidate_score"]
            c.execute("UPDATE items SET state = 'confirmed', final_score = ?, candidate_at_decision = ?, "
                      "changed_since_decision = 0, decided_by = ?, decided_at = ? WHERE id = ?",
                      (after, row["candidate_score"], reviewer, stamp, item_id))
        elif kind == "adjust":
            after = _finite(score)
            if after is None:
                raise DecisionError("bad_score", "请填写有效的分数")
            top = row["max_score"]
            if after < 0 or (top is not None and after > top + 1e-9):
                raise DecisionError("out_of_bounds", f"分数须在 0 到 {top:g} 之间" if top is not None else "分数不能为负")
            if not reason:
                raise DecisionError("reason_required", "调整分数须填写理由")
            c.execute("UPDATE items SET state = 'adjusted', final_score = ?, candidate_at_decision = ?, "
                      "changed_since_decision = 0, decided_by = ?, decided_at = ?, remark = ? WHERE id = ?",
                      (after, row["candidate_score"], reviewer, stamp, reason, item_id))
        elif kind == "onsite_check":
            after = None
            c.execute("UPDATE items SET state = 'onsite', final_score = NULL, decided_by = ?, decided_at = ?, "
                      "remark = ? WHERE id = ?", (reviewer, stamp, reason, item_id))
        elif kind == "reopen":
            after = None
            c.execute("UPDATE items SET state = 'open', final_score = NULL, candidate_at_decision = NULL, "
                      "changed_since_decision = 0, decided_by = ?, decided_at = ? WHERE id = ?",
                      (reviewer, stamp, item_id))
        elif kind == "reject_evidence":
            used = {e["path"] for e in json.loads(row["score_json"])["evidence"]}
            if not evidence_path or evidence_path not in used:
                raise DecisionError("unknown_evidence", f"该指标没有使用这份佐证：{evidence_path}")
            if not reason:
                raise DecisionError("reason_required", "剔除佐证须填写理由")
            rejected = sorted(set(row["rejected_evidence"]) | {evidence_path})
            c.execute("UPDATE items SET rejected_evidence = ? WHERE id = ?",
                      (json.dumps(rejected, ensure_ascii=False), item_id))
            after = _rescore(store, c, row["package_id"], reset=row["indicator"])
        elif kind == "enter_value":
            v = _finite(value)
            if not value_name or v is None:
                raise DecisionError("bad_value", "请填写数值名称和有效数值")
            pkg = store.package(row["package_id"])
            entered = {**pkg["reviewer_values"], value_name: v}
            c.execute("UPDATE packages SET reviewer_values = ? WHERE id = ?",
                      (json.dumps(entered, ensure_ascii=False), row["package_id"]))
            after = _rescore(store, c, row["package_id"], reset=None, item_indicator=row["indicator"])
        c.execute("UPDATE items SET version = version + 1, updated_at = ? WHERE id = ?", (stamp, item_id))
        c.execute("INSERT INTO decisions (item_id, kind, reviewer, at, before, after, reason, evidence_path, "
                  "value_name, item_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (item_id, kind, reviewer, stamp, before, after, reason, evidence_path,
                   value_name if kind == "enter_value" else None, row["version"]))
    return store.item(item_id)


def _rescore(store: Store, c, pid: int, reset: str | None, item_indicator: str | None = None) -> float | None:
    """Re-score the package from its stored evidence; return the new candidate of the item."""
    from review.rescore import rescore

    pkg = store.package(pid)
    rejected = store._rejections(c, pid)
    score = rescore(pkg["rubric"], pkg["track"], date.fromisoformat(pkg["as_of"]), store.evidence(pid),
                    pkg["values"], rejected)
    store._apply_score(c, pid, score, reset=reset)
    target = reset or item_indicator
    return next((s.candidate_score for s in score.indicators if s.id == target), None)


def audit(store: Store, item_id: int) -> list[Decision]:
    """The audit log of one item as typed records."""
    return [Decision(item_id=r["item_id"], kind=r["kind"], reviewer=r["reviewer"], at=r["at"], before=r["before"],
                     after=r["after"], reason=r["reason"], evidence_path=r["evidence_path"],
                     value_name=r["value_name"], item_version=r["item_version"]) for r in store.decisions(item_id)]
