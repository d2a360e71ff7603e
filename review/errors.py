"""Errors of the review queue: a stable code for scripts, a Chinese message for people."""

from __future__ import annotations


class StoreError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class DecisionError(StoreError):
    """The decision is not allowed as given (score out of bounds, reason missing, unknown item …)."""


class Conflict(StoreError):
    """Someone changed the item after the reviewer loaded it; nothing was written."""

    def __init__(self, item: dict, last: dict | None):
        who = f"{last['reviewer']} 于 {last['at']}" if last else "重新预审"
        super().__init__("conflict", f"该指标已被 {who} 修改（当前版本 {item['version']}），您的操作未保存，请刷新后重试。")
        self.item = item
        self.last = last
