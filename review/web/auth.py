"""Logging in and out. A wrong password is answered only after a delay that doubles with every
failure for that user name and for that address; while the delay runs, further attempts for the same
name or address are refused (429) without checking the password at all."""

from __future__ import annotations

import asyncio
import secrets
import time
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from review.users import authenticate
from review.web.common import HttpError, check_csrf, csrf_token, current_user, env, error_response, read_body, \
    store_of, wants_json

FORGET_S = 15 * 60
MAX_DELAY_S = 30.0


class Throttle:
    """Failed logins per key (user name, client address): how long the next attempt must wait."""

    def __init__(self, base_delay: float):
        self.base = base_delay
        self.failures: dict[str, tuple[int, float]] = {}  # key → (count, time of last failure)

    def delay_for(self, count: int) -> float:
        return min(self.base * 2 ** max(count - 1, 0), MAX_DELAY_S) if count else 0.0

    def wait_left(self, keys: list[str], now: float) -> float:
        left = 0.0
        for k in keys:
            count, at = self.failures.get(k, (0, 0.0))
            if count and now - at < FORGET_S:
                left = max(left, at + self.delay_for(count) - now)
        return left

    def fail(self, keys: list[str], now: float) -> float:
        if len(self.failures) > 10_000:
            self.failures = {k: v for k, v in self.failures.items() if now - v[1] < FORGET_S}
        delay = 0.0
        for k in keys:
            count, at = self.failures.get(k, (0, 0.0))
            count = count + 1 if now - at < FORGET_S else 1
            self.failures[k] = (count, now)
            delay = max(delay, self.delay_for(count))
        return delay

    def succeed(self, keys: list[str]) -> None:
        for k in keys:
            self.failures.pop(k, None)


def _safe_next(target: str | None) -> str:
    """Only a local path: never an absolute URL or a scheme-relative one."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


async def login_page(request: Request) -> Response:
    user = await run_in_threadpool(current_user, request)
    if wants_json(request):
        return JSONResponse({"user": {"name": user["name"], "role": user["role"]} if user else None,
                             "csrf_token": csrf_token(request)})
    html = env.get_template("login.html").render(user=user, csrf=csrf_token(request), flash=None, error=None,
                                                 next=_safe_next(request.query_params.get("next")), name="",
                                                 path=request.url.path)
    return Response(html, media_type="text/html")


async def login(request: Request) -> Response:
    try:
        body = await read_body(request)
        check_csrf(request, body.get("csrf") or request.headers.get("x-csrf-token"))
    except HttpError as err:
        return error_response(request, err)
    name, password = str(body.get("name") or "").strip(), str(body.get("password") or "")
    throttle: Throttle = request.app.state.throttle
    keys = [f"user:{name}", f"ip:{request.client.host if request.client else '?'}"]
    left = throttle.wait_left(keys, time.monotonic())
    if left > 0:
        return _login_failed(request, name, body, 429, "too_many_attempts",
                             f"登录尝试过于频繁，请 {left:.0f} 秒后再试" if left >= 1 else "登录尝试过于频繁，请稍后再试")
    user = await run_in_threadpool(authenticate, store_of(request), name, password)
    if user is None:
        delay = throttle.fail(keys, time.monotonic())
        await asyncio.sleep(delay)
        return _login_failed(request, name, body, 401, "bad_login", "用户名或密码错误")
    throttle.succeed(keys)
    request.session.clear()
    request.session.update(user=user["name"], csrf=secrets.token_urlsafe(32))
    if _wants_json_reply(request):
        return JSONResponse({"user": {"name": user["name"], "role": user["role"]},
                             "csrf_token": request.session["csrf"]})
    return RedirectResponse(_safe_next(body.get("next")), status_code=303)


def _wants_json_reply(request: Request) -> bool:
    return wants_json(request) or "application/json" in request.headers.get("content-type", "")


def _login_failed(request: Request, name: str, body: dict, status: int, code: str, message: str) -> Response:
    if _wants_json_reply(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    html = env.get_template("login.html").render(user=None, csrf=csrf_token(request), flash=None, error=message,
                                                 next=_safe_next(body.get("next")), name=name, path="/login")
    return Response(html, status_code=status, media_type="text/html")


async def logout(request: Request) -> Response:
    try:
        body = await read_body(request)
        check_csrf(request, body.get("csrf") or request.headers.get("x-csrf-token"))
    except HttpError as err:
        return error_response(request, err)
    request.session.clear()
    if _wants_json_reply(request):
        return JSONResponse({"user": None})
    return RedirectResponse("/login", status_code=303)
