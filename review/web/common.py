"""What every route shares: the per-thread store, the signed-in user, CSRF, and answering a page as
HTML or as its JSON twin (the same URL with `.json`)."""

from __future__ import annotations

import json
import secrets
import threading
from functools import wraps
from pathlib import Path
from urllib.parse import quote

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from review.errors import StoreError
from review.store import Store
from review.users import can_see, get_user

HERE = Path(__file__).parent
_local = threading.local()

env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def _fmt(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.2f}".rstrip("0").rstrip(".")
    return str(x)


env.filters["n"] = _fmt


class HttpError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def store_of(request: Request) -> Store:
    """One connection per thread and queue (sqlite connections are not shared across threads)."""
    path = request.app.state.db_path
    stores = getattr(_local, "stores", None)
    if stores is None:
        stores = _local.stores = {}
    if path not in stores:
        stores[path] = Store(path)
    return stores[path]


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    token = request.session.get("csrf")
    if not token or not sent or not secrets.compare_digest(str(sent), token):
        raise HttpError(403, "csrf", "表单已失效（CSRF 校验失败），请刷新页面后重试")


def current_user(request: Request) -> dict | None:
    name = request.session.get("user")
    if not name:
        return None
    user = get_user(store_of(request), name)
    if user is None or not user["active"]:
        request.session.pop("user", None)
        return None
    return user


def require_package(request: Request, user: dict, pid: int) -> dict:
    store = store_of(request)
    pkg = store.package(pid)
    if pkg is None:
        raise HttpError(404, "not_found", f"申报单位 {pid} 不存在")
    if not can_see(store, user, pid):
        raise HttpError(403, "forbidden", "该申报单位未分配给您，无权查看或评审")
    return pkg


def render(request: Request, template: str, data: dict, user: dict | None, status: int = 200,
           **extra) -> Response:
    if wants_json(request):
        return JSONResponse({**data, "user": _user_json(user), "csrf_token": csrf_token(request) if user else None},
                            status_code=status)
    flash = request.session.pop("flash", None)
    html = env.get_template(template).render(data=data, user=user, csrf=csrf_token(request), flash=flash,
                                             path=request.url.path, **extra)
    return HTMLResponse(html, status_code=status)


def _user_json(user: dict | None) -> dict | None:
    return {"name": user["name"], "role": user["role"]} if user else None


def error_response(request: Request, err: HttpError, user: dict | None = None) -> Response:
    if wants_json(request) or "application/json" in request.headers.get("content-type", ""):
        return JSONResponse({"error": {"code": err.code, "message": err.message}}, status_code=err.status)
    html = env.get_template("error.html").render(err=err, user=user, csrf=csrf_token(request), flash=None,
                                                 path=request.url.path)
    return HTMLResponse(html, status_code=err.status)


def page(fn):
    """A GET page: signed-in users only (others go to the login page, or get 401 as JSON); errors answered."""
    @wraps(fn)
    async def endpoint(request: Request) -> Response:
        user = await run_in_threadpool(current_user, request)
        if user is None:
            if wants_json(request):
                return JSONResponse({"error": {"code": "login_required", "message": "请先登录"}}, status_code=401)
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        try:
            return await run_in_threadpool(fn, request, user)
        except HttpError as err:
            return error_response(request, err, user)
        except StoreError as err:
            return error_response(request, HttpError(400, err.code, err.message), user)
    return endpoint


async def read_body(request: Request) -> dict:
    """A form or a JSON object, as a flat dict."""
    if "application/json" in request.headers.get("content-type", ""):
        try:
            data = json.loads(await request.body() or b"{}")
        except ValueError:
            raise HttpError(400, "bad_json", "请求内容不是有效的 JSON") from None
        if not isinstance(data, dict):
            raise HttpError(400, "bad_json", "请求内容须为 JSON 对象")
        return data
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def action(fn):
    """A POST: signed-in users only, CSRF checked (form field `csrf`, JSON key `csrf` or X-CSRF-Token)."""
    @wraps(fn)
    async def endpoint(request: Request) -> Response:
        user = await run_in_threadpool(current_user, request)
        try:
            body = await read_body(request)
            check_csrf(request, body.get("csrf") or request.headers.get("x-csrf-token"))
            if user is None:
                raise HttpError(401, "login_required", "请先登录")
            return await run_in_threadpool(fn, request, user, body)
        except HttpError as err:
            return error_response(request, err, user)
        except StoreError as err:
            return error_response(request, HttpError(400, err.code, err.message), user)
    return endpoint


def is_json_post(request: Request) -> bool:
    return wants_json(request) or "application/json" in request.headers.get("content-type", "")
