"""The reviewers' web app in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright)
against uvicorn serving a real queue: log in, confirm with the keyboard, adjust with a reason, reject
a piece of evidence and watch the candidate change, export the XLSX; hostile text stays text; a
reviewer is kept out of another's package; two sessions on one item end in one decision and a conflict.

A missing Chromium fails these tests: the README's test set-up installs it."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from openpyxl import load_workbook

from fixtures.review.review_queue import USERS, build, copy_queue, package_ids
from review.store import Store
from review.web import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    template = build(tmp_path_factory.mktemp("review-queue"))
    db = copy_queue(template, tmp_path_factory.mktemp("browser-queue"))
    port = _free_port()
    config = uvicorn.Config(create_app(db, login_delay=0.2), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield {"base": f"http://127.0.0.1:{port}", "db": db, "ids": package_ids(db)}
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"找不到 Chromium（{CHROMIUM}）：请按 README 的测试准备安装 Debian 的 chromium 包")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def signed_in(browser, server, name: str):
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server["base"] + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", USERS[name][1])
    page.click("button[type=submit]")
    page.wait_for_url("**/packages")
    page.dialogs = dialogs
    return context, page


def item_id(server, package: str, indicator: str) -> int:
    store = Store(server["db"])
    try:
        return next(i["id"] for i in store.items(server["ids"][package]) if i["indicator"] == indicator)
    finally:
        store.close()


def test_review_an_applicant_and_export(browser, server, tmp_path):
    context, page = signed_in(browser, server, "li")
    page.click("text=瑞安市")
    page.wait_for_url(f"**/packages/{server['ids']['瑞安市']}")
    assert page.locator("tr.item").count() == 20
    # confirm L1 with the keyboard: c confirms and moves on to the next indicator
    page.click("tr[data-indicator='L1'] a")
    assert page.locator("#candidate").inner_text() == "0.5"
    page.wait_for_selector("html[data-keys=on]", state="attached")  # the deferred script has run
    page.keyboard.press("c")
    page.wait_for_url(f"**/items/{item_id(server, '瑞安市', 'L2')}")
    assert "已确认：L1" in page.locator(".flash").inner_text()
    page.wait_for_selector("html[data-keys=on]", state="attached")
    page.keyboard.press("k")
    page.wait_for_url(f"**/items/{item_id(server, '瑞安市', 'L1')}")
    assert page.locator("#state").inner_text() == "已确认" and page.locator("#final").inner_text() == "0.5"
    assert "确认" in page.locator("#audit tbody").inner_text()
    # adjust L3 with a reason
    page.goto(server["base"] + f"/items/{item_id(server, '瑞安市', 'L3')}")
    page.fill("#form-adjust input[name=score]", "1")
    page.fill("#form-adjust input[name=reason]", "示范项目有市级文件")
    page.click("#form-adjust button")
    page.wait_for_selector("#final")
    assert page.locator("#state").inner_text() == "已调整" and page.locator("#final").inner_text() == "1"
    assert "示范项目有市级文件" in page.locator("#audit").inner_text()
    # reject the evidence behind 1.2: the candidate is recomputed
    page.goto(server["base"] + f"/items/{item_id(server, '瑞安市', '1.2')}")
    assert page.locator("#candidate").inner_text() == "2"
    page.fill("form.reject input[name=reason]", "统计表不能证明经费")
    page.click("form.reject button")
    page.wait_for_selector("article.rejected")
    # without the table the rule needs platform data: no candidate until a value is entered
    assert page.locator("#candidate").inner_text() == "—"
    assert page.locator(".facts .status").inner_text() == "无法从材料判断"
    # the score sheet and the export show all three
    page.goto(server["base"] + f"/packages/{server['ids']['瑞安市']}")
    assert page.locator("#confirmed-total").inner_text() == "1.5"
    with page.expect_download() as dl:
        page.click("text=Excel")
    out = tmp_path / "export.xlsx"
    dl.value.save_as(out)
    ws = load_workbook(out)["瑞安市"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows["L1"][3:7] == (0.5, 0.5, "已确认", "li")
    assert rows["L3"][4:7] == (1, "已调整", "li") and "示范项目有市级文件" in rows["L3"][8]
    assert rows["1.2"][3] is None and rows["1.2"][4] is None and "已剔除佐证：统计表.xls" in rows["1.2"][8]
    totals = next(r for r in ws.iter_rows(values_only=True) if r[1] == "合计")
    assert totals[4] == 1.5
    assert not page.dialogs
    context.close()


def test_script_in_a_document_shows_as_text(browser, server):
    context, page = signed_in(browser, server, "wang")
    store = Store(server["db"])
    doc = store.documents(server["ids"]["鹿城区"])[0]
    store.close()
    page.goto(server["base"] + f"/documents/{doc['id']}")
    assert "<script>alert(1)</script>" in page.locator("pre.pagetext").first.inner_text()
    assert page.locator("h1.docpath").inner_text() == "<img src=x onerror=alert(2)>表彰通报.txt"
    assert page.locator("script").count() == 1 and page.locator("main img").count() == 0
    page.goto(server["base"] + f"/items/{item_id(server, '鹿城区', 'L1')}")
    assert "<img src=x onerror=alert(2)>" in page.locator("article.ev h3").inner_text()
    assert not page.dialogs
    context.close()


def test_reviewer_cannot_open_another_reviewers_package(browser, server):
    context, page = signed_in(browser, server, "li")
    assert "鹿城区" not in page.locator("#packages").inner_text()
    response = page.goto(server["base"] + f"/packages/{server['ids']['鹿城区']}")
    assert response.status == 403 and "未分配给您" in page.locator(".error").inner_text()
    response = page.goto(server["base"] + f"/items/{item_id(server, '鹿城区', 'L1')}")
    assert response.status == 403
    context.close()


def test_two_sessions_on_one_item_keep_one_decision_and_show_a_conflict(browser, server):
    iid = item_id(server, "瑞安市", "2.1")
    ctx_a, a = signed_in(browser, server, "li")
    ctx_b, b = signed_in(browser, server, "admin")
    a.goto(server["base"] + f"/items/{iid}")
    b.goto(server["base"] + f"/items/{iid}")
    a.click("#form-confirm button")
    a.wait_for_selector(".flash")
    b.fill("#form-adjust input[name=score]", "1")
    b.fill("#form-adjust input[name=reason]", "网络环境未全覆盖")
    b.click("#form-adjust button")
    b.wait_for_selector("#conflict")
    assert "li" in b.locator("#conflict").inner_text()
    assert b.locator("#form-adjust input[name=reason]").input_value() == "网络环境未全覆盖"  # nothing lost
    assert b.locator("#state").inner_text() == "已确认"
    store = Store(server["db"])
    assert [(d["kind"], d["reviewer"]) for d in store.decisions(iid)] == [("confirm", "li")]
    store.close()
    ctx_a.close()
    ctx_b.close()
