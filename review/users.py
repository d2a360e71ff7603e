"""Reviewer accounts, roles and package assignments, kept in the queue's `users` and `assignments`.

    add_user(store, "li", "reviewer", password)     # argon2id hash; never a default password
    authenticate(store, "li", password) -> user | None
    assign(store, package_id, "li", by="admin")
    can_see(store, user, package_id)                # admins see everything, reviewers what is assigned

The session cookie's signing key is generated once per queue and kept beside it (`<db>.secret`,
mode 0600), so restarting the server keeps people logged in and no key is ever in the code.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from review.errors import StoreError
from review.store import Store, now

ROLES = ("reviewer", "admin")
ROLE_ZH = {"reviewer": "评审员", "admin": "管理员"}
MIN_PASSWORD = 8
_NAME = re.compile(r"[\w.\-@\u4e00-\u9fff]{1,64}")
_hasher = PasswordHasher()
# verified against when the user does not exist, so an unknown name costs the same time as a wrong password
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class UserError(StoreError):
    pass


def add_user(store: Store, name: str, role: str, password: str) -> dict:
    """Create a user, or set the role and password of an existing one."""
    if not _NAME.fullmatch(name or ""):
        raise UserError("bad_name", "用户名须为 1–64 个字母、数字、汉字或 . - _ @")
    if role not in ROLES:
        raise UserError("bad_role", f"角色须为 {' 或 '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise UserError("weak_password", f"密码至少 {MIN_PASSWORD} 个字符")
    digest = _hasher.hash(password)
    with store.write() as c:
        c.execute("INSERT INTO users (name, role, password_hash, created_at, active) VALUES (?, ?, ?, ?, 1) "
                  "ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, "
                  "active = 1", (name, role, digest, now()))
    return get_user(store, name)


def get_user(store: Store, name: str) -> dict | None:
    rows = list(store.db.query("SELECT name, role, created_at, active FROM users WHERE name = ?", [name]))
    if not rows:
        return None
    user = dict(rows[0])
    user["active"] = bool(user["active"])
    return user


def users(store: Store) -> list[dict]:
    return [dict(r, active=bool(r["active"])) for r in
            store.db.query("SELECT name, role, created_at, active FROM users ORDER BY name")]


def authenticate(store: Store, name: str, password: str) -> dict | None:
    """The user when the password is right and the account active; None otherwise (same cost either way)."""
    rows = list(store.db.query("SELECT password_hash, active FROM users WHERE name = ?", [name or ""]))
    digest = rows[0]["password_hash"] if rows else _DUMMY
    try:
        _hasher.verify(digest, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not rows or not rows[0]["active"]:
        return None
    if _hasher.check_needs_rehash(digest):
        with store.write() as c:
            c.execute("UPDATE users SET password_hash = ? WHERE name = ?", (_hasher.hash(password), name))
    return get_user(store, name)


def assign(store: Store, package_id: int, user_name: str, by: str = "") -> None:
    if store.package(package_id) is None:
        raise UserError("not_found", f"申报单位 {package_id} 不存在")
    user = get_user(store, user_name)
    if user is None or not user["active"]:
        raise UserError("unknown_user", f"没有用户 {user_name}")
    with store.write() as c:
        c.execute("INSERT OR IGNORE INTO assignments (package_id, user_name, assigned_at, assigned_by) "
                  "VALUES (?, ?, ?, ?)", (package_id, user_name, now(), by))


def unassign(store: Store, package_id: int, user_name: str) -> None:
    with store.write() as c:
        c.execute("DELETE FROM assignments WHERE package_id = ? AND user_name = ?", (package_id, user_name))


def can_see(store: Store, user: dict, package_id: int) -> bool:
    if user["role"] == "admin":
        return True
    rows = store.conn.execute("SELECT 1 FROM assignments WHERE package_id = ? AND user_name = ?",
                              (package_id, user["name"])).fetchone()
    return rows is not None


def session_secret(db_path: Path | str) -> str:
    """The session signing key of this queue: generated on first use, kept in `<db>.secret` (0600)."""
    path = Path(str(db_path) + ".secret")
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_urlsafe(48))
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise UserError("bad_secret", f"会话密钥文件无效：{path}（删除后重启即可重新生成）")
    return key
