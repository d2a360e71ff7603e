"""The reviewers' web app (Starlette, server-rendered Jinja2 with autoescaping, no CDN).

    app = create_app("prescreen.db")      # then: uvicorn.run(app, host="127.0.0.1", port=8000)

Every page has a JSON twin: the same URL with `.json`. Decisions are POSTed as a form or as JSON
(with the CSRF token as `csrf` or the X-CSRF-Token header) to /items/{id}/decide[.json].
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from review.store import Store
from review.users import session_secret
from review.web import actions, auth, views
from review.web.common import HERE

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"),
           (b"cross-origin-opener-policy", b"same-origin")]


class SecurityHeaders:
    """CSP without inline script or style, no sniffing, no framing; pages are not cached."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in have]
                if b"cache-control" not in have:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


async def home(request: Request):
    return RedirectResponse("/packages", status_code=303)


async def favicon(request: Request):
    return Response(status_code=204)


def _twin(path: str, endpoint, methods=("GET",)) -> list[Route]:
    return [Route(path, endpoint, methods=list(methods)), Route(path + ".json", endpoint, methods=list(methods))]


def routes() -> list:
    r = [Route("/", home), Route("/favicon.ico", favicon)]
    r += _twin("/login", auth.login_page)
    r += _twin("/login", auth.login, ("POST",))
    r += _twin("/logout", auth.logout, ("POST",))
    r += _twin("/packages", views.overview)
    r += _twin("/packages/{pid:int}", views.sheet)
    r += _twin("/packages/{pid:int}/unreadable", views.unreadable)
    r += _twin("/packages/{pid:int}/documents", views.documents)
    r += _twin("/packages/{pid:int}/assign", actions.assign, ("POST",))
    r += _twin("/items/{iid:int}", views.item)
    r += _twin("/items/{iid:int}/decide", actions.decide_item, ("POST",))
    r += _twin("/documents/{did:int}", views.document)
    r += [Route("/documents/{did:int}/pages/{n:int}.png", views.page_image)]
    r += _twin("/search", views.search)
    for fmt in ("xlsx", "csv"):
        r += [Route(f"/packages/{{pid:int}}/export.{fmt}", views_export(actions.export_package, fmt)),
              Route(f"/export.{fmt}", views_export(actions.export_batch, fmt))]
    r += [Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")]
    return r


def views_export(endpoint, fmt: str):
    async def with_format(request: Request):
        request.scope["path_params"] = {**request.path_params, "fmt": fmt}
        return await endpoint(request)
    return with_format


def create_app(db_path: Path | str, *, login_delay: float = 1.0, session_hours: float = 12) -> Starlette:
    """The app over one queue. `login_delay`: seconds the first wrong password waits (doubling after)."""
    db_path = str(Path(db_path).resolve())
    Store(db_path).close()  # create or migrate the schema before the first request
    app = Starlette(routes=routes(), middleware=[
        Middleware(SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=session_secret(db_path), session_cookie="prescreen_session",
                   max_age=int(session_hours * 3600), same_site="lax"),
    ])
    app.state.db_path = db_path
    app.state.throttle = auth.Throttle(login_delay)
    return app
