"""The review queue on a real SQLite file: re-runs never duplicate, decisions survive re-runs,
conflicts are detected, the audit log is append-only, Chinese full-text search finds words."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest

from records import Evidence
from records.screen import PackageScreen, ScreenedDocument
from review.decisions import decide
from review.errors import Conflict, DecisionError
from review.store import Store
from rubrics.engine import score_package
from rubrics.loader import load_rubric

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "wenzhou-district"
AS_OF = date(2023, 6, 30)


def sample_evidence() -> list[Evidence]:
    lines = (SAMPLE / "evidence.jsonl").read_text(encoding="utf-8").splitlines()
    return [Evidence.model_validate_json(line) for line in lines if line.strip()]


def screen_of(evidence: list[Evidence], name: str = "瑞安市") -> PackageScreen:
    rubric = load_rubric("wenzhou-district")
    values = json.loads((SAMPLE / "values.json").read_text(encoding="utf-8"))
    score = score_package(rubric, evidence, AS_OF, None, values)
    docs = [ScreenedDocument(evidence=ev, format="pdf", pages=1, text=f"{ev.title}\n{ev.issuer}",
                             page_texts=[f"{ev.title}\n{ev.issuer}"]) for ev in evidence]
    return PackageScreen(package=name, source=str(SAMPLE), rubric="wenzhou-district", rubric_version=rubric.version,
                         as_of=AS_OF, documents=docs, score=score, values=values)


@pytest.fixture()
def store(tmp_path) -> Store:
    return Store(tmp_path / "queue.db")


def test_rerun_never_duplicates(store):
    pid = store.save_screening(screen_of(sample_evidence()))
    assert store.save_screening(screen_of(sample_evidence())) == pid
    n_items = store.db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    assert n_items == len(load_rubric("wenzhou-district").indicators)
    assert store.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == len(sample_evidence())
    assert store.db.execute("SELECT COUNT(*) FROM documents_fts").fetchone()[0] == len(sample_evidence())
    assert store.package(pid)["screen_count"] == 2


def test_confirmed_value_survives_a_changed_rerun(store):
    evidence = sample_evidence()
    pid = store.save_screening(screen_of(evidence))
    scored = next(i for i in store.items(pid) if i["candidate_score"]
                  and any(e["counted"] and e["points"] > 0 for e in json.loads(i["score_json"])["evidence"]))
    confirmed = decide(store, scored["id"], "confirm", "li", scored["version"])
    assert confirmed["state"] == "confirmed" and confirmed["final_score"] == scored["candidate_score"]
    # the re-run loses the documents behind that indicator: the candidate drops
    fewer = [ev for ev in evidence if not any(lk.id == scored["indicator"] for lk in ev.indicators)]
    store.save_screening(screen_of(fewer))
    after = store.item(scored["id"])
    assert after["candidate_score"] != scored["candidate_score"]
    assert after["final_score"] == scored["candidate_score"]  # the reviewer's value is kept
    assert after["state"] == "confirmed" and after["changed_since_decision"] is True
    # documents that are gone are gone from the package
    assert len(store.documents(pid)) == len(fewer)


def test_stale_version_is_a_conflict_and_nothing_is_written(store):
    pid = store.save_screening(screen_of(sample_evidence()))
    item = next(i for i in store.items(pid) if i["candidate_score"] is not None)
    decide(store, item["id"], "adjust", "li", item["version"], score=0, reason="证书模糊")
    with pytest.raises(Conflict) as err:
        decide(store, item["id"], "confirm", "wang", item["version"])
    assert "li" in err.value.message
    kept = store.item(item["id"])
    assert kept["state"] == "adjusted" and kept["final_score"] == 0 and kept["decided_by"] == "li"
    assert [d["reviewer"] for d in store.decisions(item["id"])] == ["li"]


def test_adjust_needs_a_reason_and_stays_in_bounds(store):
    pid = store.save_screening(screen_of(sample_evidence()))
    item = next(i for i in store.items(pid) if i["max_score"])
    with pytest.raises(DecisionError) as err:
        decide(store, item["id"], "adjust", "li", item["version"], score=item["max_score"] + 1, reason="x")
    assert err.value.code == "out_of_bounds"
    with pytest.raises(DecisionError) as err:
        decide(store, item["id"], "adjust", "li", item["version"], score=0)
    assert err.value.code == "reason_required"
    assert store.decisions(item["id"]) == []


def test_rejecting_evidence_recomputes_and_survives_rerun(store):
    pid = store.save_screening(screen_of(sample_evidence()))
    item = next(i for i in store.items(pid)
                if i["status"] == "scored" and i["candidate_score"] and len({e["path"] for e in json.loads(i["score_json"])["evidence"]
                                                 if e["counted"] and e["points"] > 0}) == 1)
    path = next(e["path"] for e in json.loads(item["score_json"])["evidence"] if e["counted"] and e["points"] > 0)
    after = decide(store, item["id"], "reject_evidence", "li", item["version"], evidence_path=path, reason="非本区材料")
    assert after["candidate_score"] < item["candidate_score"]
    assert after["rejected_evidence"] == [path]
    store.save_screening(screen_of(sample_evidence()))  # a re-run finds the same file again
    assert store.item(item["id"])["candidate_score"] == after["candidate_score"]


def test_audit_log_is_append_only(store):
    pid = store.save_screening(screen_of(sample_evidence()))
    item = next(i for i in store.items(pid) if i["candidate_score"] is not None)
    decide(store, item["id"], "confirm", "li", item["version"])
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("UPDATE decisions SET reviewer = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM decisions")


def test_chinese_full_text_search(store):
    pid = store.save_screening(screen_of(sample_evidence()))
    hits = store.search("教育局")
    assert hits and all(h["package_id"] == pid for h in hits)
    assert any("教育局" in (h["title"] or "") + h["snippet"] for h in hits)
    assert store.search("不存在的词语") == []


def test_concurrent_writers_do_not_fail(tmp_path):
    db = tmp_path / "queue.db"
    Store(db)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            s = Store(db)
            for k in range(3):
                s.save_screening(screen_of(sample_evidence(), name=f"申报单位{n}-{k}"))
        except BaseException as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Store(db).db.execute("SELECT COUNT(*) FROM packages").fetchone()[0] == 12


def test_migrations_are_recorded_once(tmp_path):
    db = tmp_path / "queue.db"
    Store(db)
    Store(db)
    rows = sqlite3.connect(db).execute("SELECT version FROM schema_migrations").fetchall()
    assert rows == [(1,), (2,)]
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_items_and_audit_as_typed_records(store):
    from records import QueueItem
    from review.decisions import audit

    pid = store.save_screening(screen_of(sample_evidence()))
    row = next(i for i in store.items(pid) if i["candidate_score"] is not None)
    decide(store, row["id"], "onsite_check", "li", row["version"], reason="需现场查看平台")
    item = QueueItem.from_row(store.item(row["id"]))
    assert item.state == "onsite" and item.version == row["version"] + 1
    assert QueueItem.from_json(item.to_json()) == item
    log = audit(store, row["id"])
    assert [(d.kind, d.reviewer, d.reason) for d in log] == [("onsite_check", "li", "需现场查看平台")]


def test_screen_key_is_kept_with_the_package(store):
    pid = store.save_screening(screen_of(sample_evidence()), screen_key="screen-abc")
    assert store.package(pid)["screen_key"] == "screen-abc"
    store.save_screening(screen_of(sample_evidence()))  # a save without a key forgets the old one
    assert store.find_package("瑞安市", "wenzhou-district")["screen_key"] is None


def test_a_version_1_queue_is_migrated_in_place(tmp_path):
    from review.store import _statements, migrations

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    version, name, sql = migrations()[0]
    for statement in _statements(sql):
        conn.execute(statement)
    conn.execute("INSERT INTO schema_migrations VALUES (1, ?, 'then')", (name,))
    conn.commit()
    conn.close()
    store = Store(db)
    pid = store.save_screening(screen_of(sample_evidence()), screen_key="k")
    assert store.package(pid)["screen_key"] == "k"
