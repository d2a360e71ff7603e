"""What each page of the reviewers' web app shows, as plain data (the JSON twins are exactly this).

    overview(store, user)        the batch: applicants, progress, totals, per-indicator counts
    sheet(store, pid)            one applicant's score sheet in the rubric's order and hierarchy
    item_page(store, iid)        one indicator: rule text, rationale, evidence with quotes, audit log

No HTTP here: review/web renders these dicts as HTML or returns them as JSON.
"""

from __future__ import annotations

import json
from functools import lru_cache

from review.decisions import KIND_ZH
from review.store import DECIDED, Store, decode_package
from rubrics.loader import load_rubric
from rubrics.schema import Rubric

STATUS_ZH = {"scored": "已计分", "no_evidence": "无佐证", "needs_review": "待人工确认", "not_assessable": "无法从材料判断"}
STATE_ZH = {"open": "待审", "confirmed": "已确认", "adjusted": "已调整", "onsite": "待现场核查"}
VALUE_KINDS = ("tiers", "shortfall", "compare_average", "proportional", "external")


@lru_cache(maxsize=64)
def rubric_of(rubric_id: str) -> Rubric | None:
    try:
        return load_rubric(rubric_id)
    except Exception:  # a queue screened with a rubric no longer bundled still shows its items
        return None


def _num(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def package_summary(p: dict) -> dict:
    keys = ("id", "name", "rubric", "track", "as_of", "screened_at", "candidate_total", "max_total",
            "bonus_candidate", "bonus_max", "missing_mandatory", "items", "decided", "onsite", "needs_review",
            "changed", "confirmed_total", "documents", "unreadable", "assignees", "error_code", "error_message")
    out = {k: p.get(k) for k in keys}
    out["confirmed_total"] = _num(out["confirmed_total"])
    out["progress"] = round(p["decided"] / p["items"], 3) if p.get("items") else 0.0
    return out


def package_rows(store: Store, user: dict) -> list[dict]:
    """The packages this user sees with the progress counts of `Store.packages`, in three grouped scans
    (instead of eight correlated sub-queries per package) so a batch of hundreds stays fast."""
    packages = [decode_package(dict(r)) for r in store.db.query(
        "SELECT * FROM packages ORDER BY name, rubric, track" if user["role"] == "admin" else
        "SELECT * FROM packages WHERE id IN (SELECT package_id FROM assignments WHERE user_name = ?) "
        "ORDER BY name, rubric, track", [] if user["role"] == "admin" else [user["name"]])]
    if not packages:
        return []
    counts = {r[0]: r[1:] for r in store.conn.execute(
        "SELECT package_id, COUNT(*), SUM(state IN ('confirmed', 'adjusted')), SUM(state = 'onsite'), "
        "SUM(state = 'open' AND status IN ('needs_review', 'not_assessable')), SUM(changed_since_decision), "
        "SUM(CASE WHEN state IN ('confirmed', 'adjusted') THEN final_score ELSE 0 END) FROM items GROUP BY package_id")}
    docs = {r[0]: r[1:] for r in store.conn.execute(
        "SELECT package_id, COUNT(*), SUM(error_code IS NOT NULL) FROM documents GROUP BY package_id")}
    assignees: dict[int, list[str]] = {}
    for pid, name in store.conn.execute("SELECT package_id, user_name FROM assignments ORDER BY user_name"):
        assignees.setdefault(pid, []).append(name)
    for p in packages:
        n, decided, onsite, needs, changed, confirmed = counts.get(p["id"], (0, 0, 0, 0, 0, 0))
        nd, bad = docs.get(p["id"], (0, 0))
        p.update(items=n, decided=decided or 0, onsite=onsite or 0, needs_review=needs or 0, changed=changed or 0,
                 confirmed_total=confirmed or 0, documents=nd, unreadable=bad or 0,
                 assignees=assignees.get(p["id"], []))
    return packages


_charts: dict[tuple, list] = {}


def indicator_charts(store: Store, ids: list[int]) -> list[dict]:
    """Per rubric and indicator: applicants, how many have counted evidence, how many are decided.
    Cached until any item of the queue changes (every change bumps an item's version)."""
    if not ids:
        return []
    stamp = store.conn.execute("SELECT COUNT(*), COALESCE(SUM(version), 0) FROM items").fetchone()
    key = (str(store.path), tuple(ids), *stamp)
    if key in _charts:
        return _charts[key]
    marks = ",".join("?" * len(ids))
    rows = store.conn.execute(
        f"""SELECT p.rubric, i.indicator, MIN(i.position), MAX(i.title), MAX(i.max_score), MAX(i.mandatory),
              COUNT(*), SUM(instr(i.score_json, '"counted":true') > 0), SUM(i.state IN ('confirmed', 'adjusted'))
            FROM items i JOIN packages p ON p.id = i.package_id
            WHERE i.package_id IN ({marks}) GROUP BY p.rubric, i.indicator ORDER BY p.rubric, 3""", ids)
    charts: dict[str, dict] = {}
    for rubric, ind, _pos, title, top, mandatory, n, with_ev, confirmed in rows:
        chart = charts.setdefault(rubric, {"rubric": rubric, "title": _rubric_title(rubric), "indicators": []})
        chart["indicators"].append({"id": ind, "title": title, "max_score": top, "mandatory": bool(mandatory),
                                    "applicants": n, "with_evidence": with_ev or 0, "confirmed": confirmed or 0})
    if len(_charts) > 32:
        _charts.clear()
    _charts[key] = list(charts.values())
    return _charts[key]


def overview(store: Store, user: dict) -> dict:
    """The batch as this user sees it, with per-indicator counts for the charts."""
    summaries = [package_summary(p) for p in package_rows(store, user)]
    return {
        "packages": summaries,
        "charts": indicator_charts(store, [p["id"] for p in summaries]),
        "totals": {"applicants": len(summaries), "items": sum(p["items"] for p in summaries),
                   "decided": sum(p["decided"] for p in summaries),
                   "missing_mandatory": sum(1 for p in summaries if p["missing_mandatory"]),
                   "unreadable": sum(p["unreadable"] for p in summaries)},
    }


def _rubric_title(rubric_id: str) -> str:
    r = rubric_of(rubric_id)
    return r.title if r else rubric_id


def item_summary(i: dict) -> dict:
    keys = ("id", "indicator", "title", "max_score", "candidate_score", "status", "mandatory", "bonus", "state",
            "final_score", "decided_by", "decided_at", "changed_since_decision", "remark", "version",
            "rejected_evidence", "rationale")
    out = {k: i.get(k) for k in keys}
    out["status_zh"] = STATUS_ZH.get(i["status"], i["status"])
    out["state_zh"] = STATE_ZH.get(i["state"], i["state"])
    return out


def sheet(store: Store, pid: int) -> dict:
    """Rows in the rubric's order: a group row whenever the hierarchy changes, then its indicators."""
    pkg = store.package(pid)
    items = store.items(pid)
    rubric = rubric_of(pkg["rubric"])
    rows, shown, running = [], [], 0.0
    for it in items:
        chain = _chain(rubric, it["indicator"])
        for depth, (gid, gtitle, gmax) in enumerate(chain):
            if depth < len(shown) and shown[depth] == gid:
                continue
            shown = shown[:depth] + [gid]
            rows.append({"kind": "group", "id": gid, "title": gtitle, "max_score": gmax, "depth": depth})
        shown = shown[:len(chain)]
        if it["state"] in DECIDED and it["final_score"] is not None:
            running += it["final_score"]
        rows.append({"kind": "indicator", "depth": len(chain), "running_total": round(running, 4),
                     "mandatory_text": _mandatory_text(rubric, it), **item_summary(it)})
    decided = [i for i in items if i["state"] in DECIDED]
    summary = package_summary(_with_counts(store, pkg))
    return {"package": summary, "rubric_title": rubric.title if rubric else pkg["rubric"], "rows": rows,
            "pass_result": pkg["pass_result"], "values": pkg["values"],
            "totals": {"candidate": _num(pkg["candidate_total"]), "max": pkg["max_total"],
                       "bonus_candidate": _num(pkg["bonus_candidate"]), "bonus_max": pkg["bonus_max"],
                       "confirmed": round(sum(i["final_score"] or 0 for i in decided), 4),
                       "decided": len(decided), "items": len(items)}}


def _with_counts(store: Store, pkg: dict) -> dict:
    """The progress counts of one package (the same numbers as the overview's)."""
    pid = pkg["id"]
    c = store.conn
    one = lambda sql: c.execute(sql, (pid,)).fetchone()[0]  # noqa: E731
    return {**pkg,
            "items": one("SELECT COUNT(*) FROM items WHERE package_id = ?"),
            "decided": one("SELECT COUNT(*) FROM items WHERE package_id = ? AND state IN ('confirmed', 'adjusted')"),
            "onsite": one("SELECT COUNT(*) FROM items WHERE package_id = ? AND state = 'onsite'"),
            "needs_review": one("SELECT COUNT(*) FROM items WHERE package_id = ? AND state = 'open' "
                                "AND status IN ('needs_review', 'not_assessable')"),
            "changed": one("SELECT COUNT(*) FROM items WHERE package_id = ? AND changed_since_decision = 1"),
            "confirmed_total": one("SELECT COALESCE(SUM(final_score), 0) FROM items WHERE package_id = ? "
                                   "AND state IN ('confirmed', 'adjusted')"),
            "documents": one("SELECT COUNT(*) FROM documents WHERE package_id = ?"),
            "unreadable": one("SELECT COUNT(*) FROM documents WHERE package_id = ? AND error_code IS NOT NULL"),
            "assignees": [r[0] for r in c.execute("SELECT user_name FROM assignments WHERE package_id = ? "
                                                  "ORDER BY user_name", (pid,))]}


def _indicator(rubric: Rubric | None, indicator: str):
    """The rubric's indicator, or None when there is no rubric or it no longer has that indicator."""
    if rubric is None:
        return None
    try:
        return rubric.indicator(indicator)
    except KeyError:
        return None


def _chain(rubric: Rubric | None, indicator: str) -> list[tuple[str, str, float | None]]:
    ind = _indicator(rubric, indicator)
    if ind is None:
        return []
    return [(g.id, g.title, g.max_score) for g in reversed(rubric.ancestors(ind.group))]


def _mandatory_text(rubric: Rubric | None, item: dict) -> str | None:
    if not item["mandatory"]:
        return None
    ind = _indicator(rubric, item["indicator"])
    return (ind.mandatory_text if ind is not None else None) or "▲必备"


def value_names(rubric: Rubric | None, indicator: str) -> list[dict]:
    """The values an indicator's clauses read (platform data, indices), with the clause wording."""
    ind = _indicator(rubric, indicator)
    if ind is None:
        return []
    out: list[dict] = []
    for c in ind.clauses:
        if c.kind not in VALUE_KINDS:
            continue
        names = [c.value, getattr(c, "average", None)] if c.kind == "compare_average" else [getattr(c, "value", None)]
        for n in names:
            if n and getattr(c, "measure", "value") == "value" and all(v["name"] != n for v in out):
                out.append({"name": n, "clause": c.id, "text": c.text, "unit": getattr(c, "unit", "")})
    return out


def rule_of(rubric: Rubric | None, indicator: str) -> dict:
    if rubric is None:
        return {"path": [], "content": "", "scoring": None, "method": None, "clauses": []}
    try:
        ind = rubric.indicator(indicator)
    except KeyError:
        return {"path": [], "content": "", "scoring": None, "method": None, "clauses": []}
    return {"path": rubric.path(ind), "content": ind.source.content, "scoring": ind.source.scoring,
            "method": ind.source.method, "mandatory_text": ind.mandatory_text,
            "clauses": [{"id": c.id, "kind": c.kind, "text": c.text, "assessed_by": c.assessed_by} for c in ind.clauses]}


def item_page(store: Store, iid: int) -> dict:
    from review.docview import evidence_views

    it = store.item(iid)
    pkg = store.package(it["package_id"])
    rubric = rubric_of(pkg["rubric"])
    score = json.loads(it["score_json"])
    siblings = [r[0] for r in store.conn.execute("SELECT id FROM items WHERE package_id = ? ORDER BY position",
                                                 (it["package_id"],))]
    pos = siblings.index(iid)
    audit = [{"kind": d["kind"], "kind_zh": KIND_ZH.get(d["kind"], d["kind"]), "reviewer": d["reviewer"],
              "at": d["at"], "before": d["before"], "after": d["after"], "reason": d["reason"],
              "evidence_path": d["evidence_path"], "value_name": d["value_name"], "item_version": d["item_version"]}
             for d in store.decisions(iid)]
    return {
        "package": {"id": pkg["id"], "name": pkg["name"], "rubric": pkg["rubric"], "track": pkg["track"],
                    "as_of": pkg["as_of"], "values": pkg["values"]},
        "item": item_summary(it),
        "rule": rule_of(rubric, it["indicator"]),
        "clauses": [{"id": c["id"], "kind": c["kind"], "points": c["points"], "status": c["status"],
                     "rationale": c["rationale"]} for c in score.get("clauses", [])],
        "evidence": evidence_views(store, pkg["id"], score.get("evidence", []), it["rejected_evidence"]),
        "value_names": value_names(rubric, it["indicator"]),
        "audit": audit,
        "prev_id": siblings[pos - 1] if pos > 0 else None,
        "next_id": siblings[pos + 1] if pos + 1 < len(siblings) else None,
        "position": pos + 1, "count": len(siblings),
    }
