"""The pages (GET): batch overview, score sheet, indicator, document, unreadable files, search, page images."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from review import pages
from review.docview import ViewError, document_view, page_png
from review.users import users
from review.web.common import HttpError, page, render, require_package, store_of

BAR_W, ROW_H, LABEL_W = 260, 18, 170


def chart_rows(chart: dict) -> dict:
    """Bar geometry for one rubric's indicator chart (server-rendered SVG, no script)."""
    rows = []
    for n, ind in enumerate(chart["indicators"]):
        total = max(ind["applicants"], 1)
        rows.append({**ind, "y": n * ROW_H,
                     "w_evidence": round(BAR_W * ind["with_evidence"] / total, 1),
                     "w_confirmed": round(BAR_W * ind["confirmed"] / total, 1)})
    return {**chart, "rows": rows, "height": len(rows) * ROW_H + 4, "bar_w": BAR_W, "label_w": LABEL_W,
            "width": LABEL_W + BAR_W + 90}


def snippet_segments(snippet: str) -> list[dict]:
    """FTS snippet '…text [hit] text…' as text pieces, the hits marked (rendered escaped, in <mark>)."""
    out, rest = [], snippet or ""
    while "[" in rest and "]" in rest[rest.index("["):]:
        a = rest.index("[")
        b = rest.index("]", a)
        if a:
            out.append({"text": rest[:a], "mark": False})
        out.append({"text": rest[a + 1:b], "mark": True})
        rest = rest[b + 1:]
    if rest:
        out.append({"text": rest, "mark": False})
    return out


@page
def overview(request: Request, user: dict) -> Response:
    store = store_of(request)
    data = pages.overview(store, user)
    extra = {"charts": [chart_rows(c) for c in data["charts"]]}
    if user["role"] == "admin":
        data["users"] = [{"name": u["name"], "role": u["role"], "active": u["active"]} for u in users(store)]
    return render(request, "overview.html", data, user, **extra)


@page
def sheet(request: Request, user: dict) -> Response:
    pid = request.path_params["pid"]
    require_package(request, user, pid)
    store = store_of(request)
    data = pages.sheet(store, pid)
    if user["role"] == "admin":
        data["users"] = [u["name"] for u in users(store) if u["active"]]
    return render(request, "sheet.html", data, user)


def item_data(request: Request, user: dict, iid: int) -> dict:
    store = store_of(request)
    it = store.item(iid)
    if it is None:
        raise HttpError(404, "not_found", f"指标条目 {iid} 不存在")
    require_package(request, user, it["package_id"])
    return pages.item_page(store, iid)


@page
def item(request: Request, user: dict) -> Response:
    data = item_data(request, user, request.path_params["iid"])
    return render(request, "item.html", data, user, form={}, conflict=None, error=None)


@page
def unreadable(request: Request, user: dict) -> Response:
    pid = request.path_params["pid"]
    pkg = require_package(request, user, pid)
    docs = store_of(request).documents(pid, errors_only=True)
    data = {"package": {"id": pid, "name": pkg["name"], "rubric": pkg["rubric"]},
            "error": {"code": pkg["error_code"], "message": pkg["error_message"]} if pkg["error_code"] else None,
            "documents": [{"id": d["id"], "path": d["path"], "format": d["format"], "error_code": d["error_code"],
                           "error_message": d["error_message"]} for d in docs]}
    return render(request, "unreadable.html", data, user)


@page
def documents(request: Request, user: dict) -> Response:
    pid = request.path_params["pid"]
    pkg = require_package(request, user, pid)
    docs = store_of(request).documents(pid)
    data = {"package": {"id": pid, "name": pkg["name"], "rubric": pkg["rubric"]}, "documents": docs}
    return render(request, "documents.html", data, user)


def _document_row(request: Request, user: dict, did: int) -> dict:
    store = store_of(request)
    rows = list(store.db.query("SELECT id, package_id, sha256, format, error_code FROM documents WHERE id = ?", [did]))
    if not rows:
        raise HttpError(404, "not_found", f"文件 {did} 不存在")
    require_package(request, user, rows[0]["package_id"])
    return rows[0]


@page
def document(request: Request, user: dict) -> Response:
    did = request.path_params["did"]
    _document_row(request, user, did)
    data = document_view(store_of(request), did, request.query_params.get("q"))
    pkg = store_of(request).package(data["package_id"])
    data["package"] = {"id": pkg["id"], "name": pkg["name"], "rubric": pkg["rubric"]}
    return render(request, "document.html", data, user)


@page
def page_image(request: Request, user: dict) -> Response:
    doc = _document_row(request, user, request.path_params["did"])
    try:
        png = page_png(store_of(request), doc, request.path_params["n"], request.query_params.get("q"))
    except ViewError as err:
        raise HttpError(404, err.code, err.message) from None
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@page
def search(request: Request, user: dict) -> Response:
    store = store_of(request)
    q = (request.query_params.get("q") or "").strip()[:100]
    pid_text = request.query_params.get("package") or ""
    pid = int(pid_text) if pid_text.isdigit() else None
    if pid is not None:
        require_package(request, user, pid)
    visible = {p["id"]: p["name"] for p in store.packages(None if user["role"] == "admin" else user["name"])}
    hits = []
    if q:
        for h in store.search(q, pid, limit=200):
            if h["package_id"] in visible:
                hits.append({**h, "package_name": visible[h["package_id"]], "segments": snippet_segments(h["snippet"])})
    data = {"query": q, "package_id": pid, "results": hits[:50],
            "packages": [{"id": k, "name": v} for k, v in visible.items()]}
    return render(request, "search.html", data, user)
