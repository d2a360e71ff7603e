"""The review queue: one SQLite file (WAL mode) holding packages, documents, candidate scores per
indicator, reviewer decisions (an append-only audit log), users and assignments.

    store = Store("prescreen.db")          # creates or migrates the schema (review/migrations/*.sql)
    pid = store.save_screening(screen)     # a PackageScreen; re-running never duplicates anything
    store.decide(item_id, "confirm", reviewer="li", version=3)

Re-running a screening keeps every decision: an item a reviewer confirmed or adjusted keeps the
reviewer's score, and when the new candidate differs from the one the reviewer saw it is marked
`changed_since_decision` for a second look. Evidence a reviewer rejected stays rejected, and values
a reviewer entered stay entered: the candidates are re-scored with both (review/rescore.py).

Writes run in `BEGIN IMMEDIATE` transactions with a long busy timeout and a retry, so concurrent
writers wait for each other instead of failing with "database is locked". Reads go through
sqlite-utils. Decisions carry the item version the reviewer saw; a stale version is a `Conflict`.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import sqlite_utils

from records import Evidence, RubricScore
from records.screen import PackageScreen
from review.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_MS = 60_000
DECIDED = ("confirmed", "adjusted")
_SHA = re.compile(r"[0-9a-f]{64}")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < 1e-9


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration file, in order."""
    out = []
    for f in sorted(MIGRATIONS.glob("[0-9][0-9][0-9]_*.sql")):
        out.append((int(f.name[:3]), f.stem, f.read_text(encoding="utf-8")))
    return out


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            raise StoreError("db_dir_missing", f"数据库所在目录不存在：{self.path.parent}")
        conn = sqlite3.connect(str(self.path), timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self.migrate()

    def close(self) -> None:
        self.conn.close()

    # -- transactions -------------------------------------------------------------------------

    @staticmethod
    def _retry(fn, attempts: int = 20):
        for n in range(attempts):
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or n == attempts - 1:
                    raise
                time.sleep(min(0.05 * 2 ** n, 2.0))

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front (BEGIN IMMEDIATE) so it cannot deadlock later."""
        self._retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def migrate(self) -> int:
        """Apply the migrations not applied yet; return the schema version."""
        with self.write() as c:
            c.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, "
                      "applied_at TEXT)")
            have = {r[0] for r in c.execute("SELECT version FROM schema_migrations")}
            for version, name, sql in migrations():
                if version in have:
                    continue
                for statement in _statements(sql):
                    c.execute(statement)
                c.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, now()))
            return max(have | {v for v, _, _ in migrations()})

    # -- files --------------------------------------------------------------------------------

    @property
    def files_dir(self) -> Path:
        return self.path.with_name(self.path.name + ".files")

    def blob_path(self, sha256: str) -> Path | None:
        """Where the original file with this content hash is kept; None for anything not a hash."""
        if not isinstance(sha256, str) or not _SHA.fullmatch(sha256):
            return None
        return self.files_dir / sha256[:2] / sha256

    def put_blob(self, sha256: str, data: bytes) -> Path:
        target = self.blob_path(sha256)
        if target is None:
            raise StoreError("bad_hash", f"不是有效的文件哈希：{sha256!r}")
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        return target

    # -- saving a screening -------------------------------------------------------------------

    def save_screening(self, screen: PackageScreen, screen_key: str | None = None) -> int:
        """Insert or update one package with its documents and candidates; return the package id.
        `screen_key` identifies the screening's inputs (see flows.pipeline.screen_key)."""
        with self.write() as c:
            pid = self._upsert_package(c, screen, screen_key)
            self._save_documents(c, pid, screen)
            if screen.score is not None:
                score = screen.score
                rejected, reviewer_values = self._rejections(c, pid), self._reviewer_values(c, pid)
                if any(rejected.values()) or reviewer_values:
                    from review.rescore import rescore
                    score = rescore(screen.rubric, screen.track, screen.as_of,
                                    [d.evidence for d in screen.documents], {**screen.values, **reviewer_values},
                                    rejected)
                self._apply_score(c, pid, score)
        return pid

    def _upsert_package(self, c: sqlite3.Connection, s: PackageScreen, screen_key: str | None) -> int:
        track = s.track or ""
        row = c.execute("SELECT id FROM packages WHERE name = ? AND rubric = ? AND track = ?",
                        (s.package, s.rubric, track)).fetchone()
        fields = {
            "source": s.source, "rubric_version": s.rubric_version, "as_of": s.as_of.isoformat(),
            "values_json": json.dumps(s.values, ensure_ascii=False),
            "error_code": s.error.code if s.error else None, "error_message": s.error.message if s.error else None,
            "screened_at": now(), "screen_key": screen_key,
        }
        if row is None:
            fields.update(name=s.package, rubric=s.rubric, track=track)
            cols = ", ".join(fields)
            cur = c.execute(f"INSERT INTO packages ({cols}) VALUES ({', '.join('?' * len(fields))})",
                            tuple(fields.values()))
            return int(cur.lastrowid)
        sets = ", ".join(f"{k} = ?" for k in fields)
        c.execute(f"UPDATE packages SET {sets}, screen_count = screen_count + 1 WHERE id = ?",
                  (*fields.values(), row[0]))
        return int(row[0])

    def _save_documents(self, c: sqlite3.Connection, pid: int, s: PackageScreen) -> None:
        old = {path: did for did, path in c.execute("SELECT id, path FROM documents WHERE package_id = ?", (pid,))}
        seen = set()
        for d in s.documents:
            ev = d.evidence
            seen.add(ev.path)
            fields = {
                "sha256": ev.sha256, "format": d.format, "pages": d.pages, "doc_type": ev.doc_type,
                "level": ev.level, "issuer": ev.issuer, "doc_number": ev.doc_number,
                "date": ev.date.isoformat() if ev.date else None, "title": ev.title, "confidence": ev.confidence,
                "error_code": ev.error.code if ev.error else None,
                "error_message": ev.error.message if ev.error else None,
                "evidence": ev.model_dump_json(), "page_texts": json.dumps(d.page_texts, ensure_ascii=False),
            }
            did = old.get(ev.path)
            if did is None:
                fields.update(package_id=pid, path=ev.path)
                cur = c.execute(f"INSERT INTO documents ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
                                tuple(fields.values()))
                did = cur.lastrowid
            else:
                c.execute(f"UPDATE documents SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                          (*fields.values(), did))
                c.execute("DELETE FROM documents_fts WHERE rowid = ?", (did,))
            c.execute("INSERT INTO documents_fts (rowid, path, title, text) VALUES (?, ?, ?, ?)",
                      (did, ev.path, ev.title or "", d.text or "\n".join(d.page_texts)))
        for path, did in old.items():
            if path not in seen:
                c.execute("DELETE FROM documents_fts WHERE rowid = ?", (did,))
                c.execute("DELETE FROM documents WHERE id = ?", (did,))

    def _rejections(self, c: sqlite3.Connection, pid: int) -> dict[str, set[str]]:
        return {ind: set(json.loads(rej)) for ind, rej in
                c.execute("SELECT indicator, rejected_evidence FROM items WHERE package_id = ?", (pid,))}

    def _reviewer_values(self, c: sqlite3.Connection, pid: int) -> dict[str, float]:
        row = c.execute("SELECT reviewer_values FROM packages WHERE id = ?", (pid,)).fetchone()
        return json.loads(row[0]) if row else {}

    def _apply_score(self, c: sqlite3.Connection, pid: int, score: RubricScore,
                     reset: str | None = None) -> list[int]:
        """Write the candidates; return the ids of items whose candidate changed.

        `reset` names an indicator whose decision is withdrawn (its evidence was just rejected)."""
        existing = {r[1]: r for r in c.execute(
            "SELECT id, indicator, candidate_score, status, state, candidate_at_decision, score_json "
            "FROM items WHERE package_id = ?", (pid,))}
        changed, stamp = [], now()
        for pos, s in enumerate(score.indicators):
            payload = s.model_dump_json()
            row = existing.get(s.id)
            if row is None:
                c.execute("INSERT INTO items (package_id, indicator, position, title, max_score, mandatory, bonus, "
                          "candidate_score, status, rationale, score_json, updated_at) VALUES "
                          "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (pid, s.id, pos, s.title, s.max_score, int(s.mandatory), int(s.bonus), s.candidate_score,
                           s.status, s.rationale, payload, stamp))
                continue
            iid, _, old_cand, old_status, state, at_decision, old_payload = row
            moved = not _same(old_cand, s.candidate_score) or old_status != s.status
            if s.id == reset:
                c.execute("UPDATE items SET state = 'open', final_score = NULL, candidate_at_decision = NULL, "
                          "changed_since_decision = 0 WHERE id = ?", (iid,))
                state = "open"
            if not moved and old_payload == payload:
                if s.id == reset:
                    c.execute("UPDATE items SET version = version + 1, updated_at = ? WHERE id = ?", (stamp, iid))
                continue
            flag = int(state in DECIDED and not _same(at_decision, s.candidate_score))
            c.execute("UPDATE items SET position = ?, title = ?, max_score = ?, mandatory = ?, bonus = ?, "
                      "candidate_score = ?, status = ?, rationale = ?, score_json = ?, changed_since_decision = ?, "
                      "version = version + 1, updated_at = ? WHERE id = ?",
                      (pos, s.title, s.max_score, int(s.mandatory), int(s.bonus), s.candidate_score, s.status,
                       s.rationale, payload, flag, stamp, iid))
            if moved:
                changed.append(iid)
        t = score.total
        c.execute("UPDATE packages SET candidate_total = ?, max_total = ?, bonus_candidate = ?, bonus_max = ?, "
                  "missing_mandatory = ?, pass_result = ? WHERE id = ?",
                  (t.candidate, t.max, t.bonus_candidate, t.bonus_max, json.dumps(score.missing_mandatory),
                   score.pass_result.model_dump_json() if score.pass_result else None, pid))
        return changed

    # -- reading ------------------------------------------------------------------------------

    def package(self, pid: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM packages WHERE id = ?", [pid]))
        return decode_package(rows[0]) if rows else None

    def find_package(self, name: str, rubric: str, track: str | None = None) -> dict | None:
        rows = list(self.db.query("SELECT * FROM packages WHERE name = ? AND rubric = ? AND track = ?",
                                  [name, rubric, track or ""]))
        return decode_package(rows[0]) if rows else None

    def packages(self, user: str | None = None) -> list[dict]:
        """Every package (or those assigned to `user`) with its progress counts, by name."""
        where, params = "", []
        if user is not None:
            where, params = "WHERE p.id IN (SELECT package_id FROM assignments WHERE user_name = ?)", [user]
        sql = f"""
            SELECT p.*,
              (SELECT COUNT(*) FROM items i WHERE i.package_id = p.id) AS items,
              (SELECT COUNT(*) FROM items i WHERE i.package_id = p.id AND i.state IN ('confirmed', 'adjusted'))
                AS decided,
              (SELECT COUNT(*) FROM items i WHERE i.package_id = p.id AND i.state = 'onsite') AS onsite,
              (SELECT COUNT(*) FROM items i WHERE i.package_id = p.id AND i.state = 'open'
                 AND i.status IN ('needs_review', 'not_assessable')) AS needs_review,
              (SELECT COUNT(*) FROM items i WHERE i.package_id = p.id AND i.changed_since_decision = 1) AS changed,
              (SELECT COALESCE(SUM(i.final_score), 0) FROM items i WHERE i.package_id = p.id
                 AND i.state IN ('confirmed', 'adjusted')) AS confirmed_total,
              (SELECT COUNT(*) FROM documents d WHERE d.package_id = p.id) AS documents,
              (SELECT COUNT(*) FROM documents d WHERE d.package_id = p.id AND d.error_code IS NOT NULL)
                AS unreadable,
              (SELECT GROUP_CONCAT(user_name, ',') FROM assignments a WHERE a.package_id = p.id) AS assignees
            FROM packages p {where} ORDER BY p.name, p.rubric, p.track"""
        return [decode_package(r) for r in self.db.query(sql, params)]

    def items(self, pid: int) -> list[dict]:
        return [_decode_item(r) for r in self.db.query(
            "SELECT * FROM items WHERE package_id = ? ORDER BY position", [pid])]

    def item(self, iid: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM items WHERE id = ?", [iid]))
        return _decode_item(rows[0]) if rows else None

    def documents(self, pid: int, errors_only: bool = False) -> list[dict]:
        extra = " AND error_code IS NOT NULL" if errors_only else ""
        return list(self.db.query(
            "SELECT id, package_id, path, sha256, format, pages, doc_type, level, issuer, doc_number, date, title, "
            f"confidence, error_code, error_message FROM documents WHERE package_id = ?{extra} ORDER BY path", [pid]))

    def document(self, did: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM documents WHERE id = ?", [did]))
        if not rows:
            return None
        row = dict(rows[0])
        row["page_texts"] = json.loads(row["page_texts"])
        row["evidence"] = Evidence.model_validate_json(row["evidence"])
        return row

    def document_by_path(self, pid: int, path: str) -> dict | None:
        rows = list(self.db.query("SELECT id FROM documents WHERE package_id = ? AND path = ?", [pid, path]))
        return self.document(rows[0]["id"]) if rows else None

    def evidence(self, pid: int) -> list[Evidence]:
        return [Evidence.model_validate_json(r["evidence"]) for r in self.db.query(
            "SELECT evidence FROM documents WHERE package_id = ? ORDER BY path", [pid])]

    def decisions(self, item_id: int | None = None, package_id: int | None = None) -> list[dict]:
        if item_id is not None:
            return list(self.db.query("SELECT * FROM decisions WHERE item_id = ? ORDER BY id", [item_id]))
        return list(self.db.query("SELECT d.*, i.indicator FROM decisions d JOIN items i ON i.id = d.item_id "
                                  "WHERE i.package_id = ? ORDER BY d.id", [package_id]))

    def search(self, query: str, package_id: int | None = None, limit: int = 50) -> list[dict]:
        """Documents whose text, title or path contains `query` (trigram FTS; 3+ characters)."""
        query = query.strip()
        if len(query) < 3:
            like = f"%{query}%"
            sql = ("SELECT d.id, d.package_id, d.path, d.title, '' AS snippet FROM documents d "
                   "WHERE (d.path LIKE ? OR d.title LIKE ? OR d.page_texts LIKE ?)")
            params: list = [like, like, like]
        else:
            phrase = '"' + query.replace('"', '""') + '"'
            sql = ("SELECT d.id, d.package_id, d.path, d.title, "
                   "snippet(documents_fts, 2, '[', ']', '…', 12) AS snippet "
                   "FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid WHERE documents_fts MATCH ?")
            params = [phrase]
        if package_id is not None:
            sql += " AND d.package_id = ?"
            params.append(package_id)
        return list(self.db.query(sql + f" LIMIT {int(limit)}", params))


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement keeps trigger bodies whole)."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def decode_package(row: dict) -> dict:
    row = dict(row)
    row["missing_mandatory"] = json.loads(row["missing_mandatory"])
    row["values"] = {**json.loads(row.pop("values_json")), **json.loads(row["reviewer_values"])}
    row["reviewer_values"] = json.loads(row["reviewer_values"])
    row["pass_result"] = json.loads(row["pass_result"]) if row.get("pass_result") else None
    row["track"] = row["track"] or None
    if "assignees" in row:
        row["assignees"] = sorted(row["assignees"].split(",")) if row["assignees"] else []
    return row


def _decode_item(row: dict) -> dict:
    row = dict(row)
    row["rejected_evidence"] = json.loads(row["rejected_evidence"])
    row["mandatory"], row["bonus"] = bool(row["mandatory"]), bool(row["bonus"])
    row["changed_since_decision"] = bool(row["changed_since_decision"])
    return row
