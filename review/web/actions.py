"""The POSTs (decisions, assignments) and the downloads (exports).

A decision names the item version the reviewer saw. If someone else changed the item first, the
answer is 409 with the other decision named; the HTML form comes back with what the reviewer typed
still filled in, so nothing is lost.
"""

from __future__ import annotations

import io
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from review import pages
from review.decisions import KIND_ZH, KINDS, decide
from review.errors import Conflict, DecisionError
from review.export import csv_text, write_xlsx
from review.users import UserError, assign as assign_user, unassign
from review.web.common import HttpError, action, is_json_post, page, render, require_package, store_of
from review.web.views import item_data


def _float(text) -> float | None:
    if text is None or text == "":
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        raise DecisionError("bad_score", "请填写有效的数字") from None


def _int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise DecisionError("bad_version", "缺少条目版本号，请刷新页面后重试") from None


@action
def decide_item(request: Request, user: dict, body: dict) -> Response:
    iid = request.path_params["iid"]
    store = store_of(request)
    before = item_data(request, user, iid)  # 404 / 403 first
    kind = str(body.get("kind") or "")
    if kind not in KINDS:
        raise HttpError(400, "bad_kind", f"未知的操作：{kind}")
    try:
        after = decide(store, iid, kind, user["name"], _int(body.get("version")), score=_float(body.get("score")),
                       reason=str(body.get("reason") or ""), evidence_path=body.get("evidence_path") or None,
                       value_name=body.get("value_name") or None, value=_float(body.get("value")))
    except Conflict as err:
        return _refused(request, user, iid, body, 409, err.code, err.message, current=err.item)
    except DecisionError as err:
        return _refused(request, user, iid, body, 400, err.code, err.message)
    if is_json_post(request):
        pkg = pages._with_counts(store, store.package(after["package_id"]))
        return JSONResponse({"ok": True, "item": pages.item_summary(after),
                             "package": pages.package_summary(pkg)})
    request.session["flash"] = f"已{KIND_ZH[kind]}：{before['item']['indicator']} {before['item']['title']}"
    target = f"/items/{iid}"
    if kind == "confirm" and body.get("advance") and before["next_id"]:
        target = f"/items/{before['next_id']}"
    return RedirectResponse(target, status_code=303)


def _refused(request: Request, user: dict, iid: int, body: dict, status: int, code: str, message: str,
             current: dict | None = None) -> Response:
    if is_json_post(request):
        err = {"code": code, "message": message}
        if current is not None:
            err["current"] = pages.item_summary(current)
        return JSONResponse({"error": err}, status_code=status)
    data = item_data(request, user, iid)
    form = {k: str(v) for k, v in body.items() if k in ("kind", "score", "reason", "evidence_path", "value_name", "value")}
    return render(request, "item.html", data, user, status=status, form=form,
                  conflict=message if status == 409 else None, error=message if status != 409 else None)


@action
def assign(request: Request, user: dict, body: dict) -> Response:
    if user["role"] != "admin":
        raise HttpError(403, "forbidden", "只有管理员可以分配评审任务")
    pid = request.path_params["pid"]
    require_package(request, user, pid)
    name = str(body.get("user") or "")
    try:
        if body.get("remove"):
            unassign(store_of(request), pid, name)
        else:
            assign_user(store_of(request), pid, name, by=user["name"])
    except UserError as err:
        raise HttpError(400, err.code, err.message) from None
    assignees = [r[0] for r in store_of(request).conn.execute(
        "SELECT user_name FROM assignments WHERE package_id = ? ORDER BY user_name", (pid,))]
    if is_json_post(request):
        return JSONResponse({"ok": True, "package_id": pid, "assignees": assignees})
    request.session["flash"] = ("已取消分配：" if body.get("remove") else "已分配给：") + name
    return RedirectResponse(str(body.get("back") or "/") if str(body.get("back") or "").startswith("/packages")
                            else "/", status_code=303)


def _download(data: bytes, filename: str, media: str) -> Response:
    return Response(data, media_type=media, headers={
        "Content-Disposition": f"attachment; filename=\"export{filename[filename.rfind('.'):]}\"; "
                               f"filename*=UTF-8''{quote(filename)}"})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(store, pids: list[int], name: str, fmt: str) -> Response:
    if fmt == "xlsx":
        buf = io.BytesIO()
        write_xlsx(store, pids, buf)
        return _download(buf.getvalue(), f"{name}.xlsx", XLSX)
    return _download(csv_text(store, pids).encode("utf-8-sig"), f"{name}.csv", "text/csv; charset=utf-8")


@page
def export_package(request: Request, user: dict) -> Response:
    pid = request.path_params["pid"]
    pkg = require_package(request, user, pid)
    return _export(store_of(request), [pid], f"{pkg['name']}-评审结果", request.path_params["fmt"])


@page
def export_batch(request: Request, user: dict) -> Response:
    store = store_of(request)
    pids = [p["id"] for p in store.packages(None if user["role"] == "admin" else user["name"])]
    return _export(store, pids, "评审结果汇总", request.path_params["fmt"])
