"""The reviewers' web app over a real queue (the 温州 sample and a hostile package screened by the real
pipeline), driven through Starlette's TestClient: JSON twins, permissions, CSRF, conflicts, escaping,
the login delay and the file guard."""

from __future__ import annotations

import time
import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")  # starlette's TestClient still runs on httpx

from starlette.testclient import TestClient  # noqa: E402

from fixtures.review.review_queue import USERS, build, copy_queue, package_ids  # noqa: E402
from review.store import Store  # noqa: E402
from review.web import create_app  # noqa: E402
from rubrics.loader import load_rubric  # noqa: E402


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    return build(tmp_path_factory.mktemp("review-queue"))


@pytest.fixture()
def db(template, tmp_path):
    return copy_queue(template, tmp_path / "q")


@pytest.fixture()
def app(db):
    return create_app(db, login_delay=0.3)


def login(app, name: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    token = client.get("/login.json").json()["csrf_token"]
    r = client.post("/login", json={"name": name, "password": USERS[name][1], "csrf": token})
    assert r.status_code == 200, r.text
    return client, r.json()["csrf_token"]


def items_of(client: TestClient, pid: int) -> list[dict]:
    return [r for r in client.get(f"/packages/{pid}.json").json()["rows"] if r["kind"] == "indicator"]


def test_pages_need_a_login(app):
    client = TestClient(app)
    assert client.get("/packages.json").status_code == 401
    r = client.get("/packages/1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_wrong_passwords_are_slowed_down_and_then_refused(app):
    client = TestClient(app)
    token = client.get("/login.json").json()["csrf_token"]
    bad = {"name": "li", "password": "wrong-password", "csrf": token}
    t0 = time.monotonic()
    assert client.post("/login", json=bad).status_code == 401
    first = time.monotonic() - t0
    t0 = time.monotonic()
    assert client.post("/login", json=bad).status_code == 401
    second = time.monotonic() - t0
    assert first >= 0.3 and second >= 0.6  # the delay doubles
    # a parallel attempt while the delay runs is refused without checking the password
    app.state.throttle.failures["user:li"] = (3, time.monotonic())
    r = client.post("/login", json={**bad, "password": USERS["li"][1]})
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_attempts"
    app.state.throttle.failures.clear()
    assert client.post("/login", json={**bad, "password": USERS["li"][1]}).status_code == 200


def test_login_without_csrf_token_is_refused(app):
    client = TestClient(app)
    client.get("/login.json")
    r = client.post("/login", json={"name": "li", "password": USERS["li"][1]})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"


def test_overview_shows_each_reviewer_only_assigned_packages(app, db):
    ids = package_ids(db)
    admin, _ = login(app, "admin")
    data = admin.get("/packages.json").json()
    assert {p["name"] for p in data["packages"]} == {"瑞安市", "鹿城区"}
    ruian = next(p for p in data["packages"] if p["name"] == "瑞安市")
    assert ruian["unreadable"] == 1 and ruian["assignees"] == ["li"] and ruian["items"] == 20
    l1 = next(i for c in data["charts"] for i in c["indicators"] if i["id"] == "L1")
    assert l1 == {**l1, "applicants": 2, "with_evidence": 2, "confirmed": 0}
    html = admin.get("/packages").text
    assert "<svg" in html and "L1" in html and "共 2 个申报单位，40 项指标" in html
    li, _ = login(app, "li")
    assert [p["id"] for p in li.get("/packages.json").json()["packages"]] == [ids["瑞安市"]]


def test_reviewer_cannot_open_or_decide_another_reviewers_package(app, db):
    ids = package_ids(db)
    li, token = login(app, "li")
    other = ids["鹿城区"]
    assert li.get(f"/packages/{other}.json").status_code == 403
    assert li.get(f"/packages/{other}").status_code == 403
    store = Store(db)
    item = store.items(other)[0]
    doc = store.documents(other)[0]
    assert li.get(f"/items/{item['id']}.json").status_code == 403
    assert li.get(f"/documents/{doc['id']}.json").status_code == 403
    assert li.get(f"/documents/{doc['id']}/pages/1.png").status_code == 403
    assert li.get(f"/packages/{other}/export.xlsx").status_code == 403
    r = li.post(f"/items/{item['id']}/decide.json", json={"kind": "onsite_check", "version": item["version"],
                                                         "csrf": token})
    assert r.status_code == 403
    assert store.decisions(item["id"]) == [] and store.item(item["id"])["state"] == "open"
    assert li.post(f"/packages/{other}/assign.json", json={"user": "li", "csrf": token}).status_code == 403
    hits = li.get("/search.json", params={"q": "表彰"}).json()["results"]
    assert hits and all(h["package_id"] == ids["瑞安市"] for h in hits)


def test_admin_assigns_in_the_web_ui(app, db):
    ids = package_ids(db)
    admin, token = login(app, "admin")
    r = admin.post(f"/packages/{ids['鹿城区']}/assign.json", json={"user": "li", "csrf": token})
    assert r.status_code == 200 and r.json()["assignees"] == ["li", "wang"]
    li, _ = login(app, "li")
    assert li.get(f"/packages/{ids['鹿城区']}.json").status_code == 200
    # the sheet's × button takes it back (an HTML form post)
    assert 'name="remove" value="1"' in admin.get(f"/packages/{ids['鹿城区']}").text
    r = admin.post(f"/packages/{ids['鹿城区']}/assign", data={"user": "li", "remove": "1", "csrf": token,
                                                            "back": f"/packages/{ids['鹿城区']}"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/packages/{ids['鹿城区']}"
    assert li.get(f"/packages/{ids['鹿城区']}.json").status_code == 403


def test_score_sheet_follows_the_rubric_order_and_hierarchy(app, db):
    ids = package_ids(db)
    li, _ = login(app, "li")
    rows = li.get(f"/packages/{ids['瑞安市']}.json").json()["rows"]
    rubric = load_rubric("wenzhou-district")
    assert [r["indicator"] for r in rows if r["kind"] == "indicator"] == [i.id for i in rubric.indicators]
    assert rows[0]["kind"] == "group" and rows[0]["title"] == rubric.path(rubric.indicators[0])[0]
    l1 = next(r for r in rows if r.get("indicator") == "L1")
    above = rows[:rows.index(l1)]
    assert [r["title"] for r in above if r["kind"] == "group"][-2:] == rubric.path(rubric.indicator("L1"))


def test_decisions_as_json_update_state_totals_and_audit(app, db):
    ids = package_ids(db)
    li, token = login(app, "li")
    items = {r["indicator"]: r for r in items_of(li, ids["瑞安市"])}
    l1, l3 = items["L1"], items["L3"]
    r = li.post(f"/items/{l1['id']}/decide.json", json={"kind": "confirm", "version": l1["version"], "csrf": token})
    assert r.status_code == 200 and r.json()["item"]["state"] == "confirmed"
    assert r.json()["package"]["confirmed_total"] == l1["candidate_score"]
    # adjusting needs a reason and stays within bounds; refused attempts write nothing
    url = f"/items/{l3['id']}/decide.json"
    r = li.post(url, json={"kind": "adjust", "version": l3["version"], "score": 1, "csrf": token})
    assert r.status_code == 400 and r.json()["error"]["code"] == "reason_required"
    r = li.post(url, json={"kind": "adjust", "version": l3["version"], "score": 99, "reason": "x", "csrf": token})
    assert r.status_code == 400 and r.json()["error"]["code"] == "out_of_bounds"
    r = li.post(url, json={"kind": "adjust", "version": l3["version"], "score": 1, "reason": "示范材料齐全", "csrf": token})
    assert r.status_code == 200 and r.json()["item"]["final_score"] == 1
    page = li.get(f"/items/{l3['id']}.json").json()
    assert [(d["kind"], d["reviewer"], d["before"], d["after"], d["reason"]) for d in page["audit"]] == \
        [("adjust", "li", l3["candidate_score"], 1.0, "示范材料齐全")]
    sheet = li.get(f"/packages/{ids['瑞安市']}.json").json()
    assert sheet["totals"]["confirmed"] == pytest.approx(l1["candidate_score"] + 1)
    assert "2/20 项" in li.get(f"/packages/{ids['瑞安市']}").text
    last = [r for r in sheet["rows"] if r["kind"] == "indicator"][-1]
    assert last["running_total"] == pytest.approx(l1["candidate_score"] + 1)


def test_decision_without_csrf_token_is_refused_and_not_written(app, db):
    ids = package_ids(db)
    li, _ = login(app, "li")
    item = items_of(li, ids["瑞安市"])[0]
    r = li.post(f"/items/{item['id']}/decide.json", json={"kind": "confirm", "version": item["version"]})
    assert r.status_code == 403
    r = li.post(f"/items/{item['id']}/decide", data={"kind": "confirm", "version": item["version"], "csrf": "forged"})
    assert r.status_code == 403
    assert Store(db).decisions(item["id"]) == []


def test_rejecting_evidence_recomputes_the_candidate(app, db):
    ids = package_ids(db)
    wang, token = login(app, "wang")
    l1 = next(r for r in items_of(wang, ids["鹿城区"]) if r["indicator"] == "L1")
    page = wang.get(f"/items/{l1['id']}.json").json()
    assert l1["candidate_score"] == 1.0 and page["evidence"][0]["quote_found"]
    path = page["evidence"][0]["path"]
    r = wang.post(f"/items/{l1['id']}/decide.json", json={"kind": "reject_evidence", "version": l1["version"],
                                                         "evidence_path": path, "reason": "非本单位材料", "csrf": token})
    assert r.status_code == 200
    assert r.json()["item"]["candidate_score"] == 0.0 and r.json()["item"]["rejected_evidence"] == [path]
    after = wang.get(f"/items/{l1['id']}.json").json()
    assert [e["path"] for e in after["evidence"] if e["rejected"]] == [path]


def test_entering_a_value_scores_a_not_assessable_indicator(app, db):
    ids = package_ids(db)
    li, token = login(app, "li")
    item = next(r for r in items_of(li, ids["瑞安市"]) if r["status"] == "not_assessable"
                and li.get(f"/items/{r['id']}.json").json()["value_names"])
    name = li.get(f"/items/{item['id']}.json").json()["value_names"][0]["name"]
    r = li.post(f"/items/{item['id']}/decide.json", json={"kind": "enter_value", "version": item["version"],
                                                          "value_name": name, "value": 100, "csrf": token})
    assert r.status_code == 200 and r.json()["item"]["candidate_score"] is not None


def test_two_reviewers_on_one_item_keep_one_decision_and_get_a_conflict(app, db):
    ids = package_ids(db)
    li, li_token = login(app, "li")
    admin, admin_token = login(app, "admin")
    item = next(r for r in items_of(li, ids["瑞安市"]) if r["indicator"] == "L3")
    seen = admin.get(f"/items/{item['id']}.json").json()["item"]["version"]
    assert li.post(f"/items/{item['id']}/decide.json",
                   json={"kind": "confirm", "version": item["version"], "csrf": li_token}).status_code == 200
    r = admin.post(f"/items/{item['id']}/decide.json",
                   json={"kind": "adjust", "version": seen, "score": 2, "reason": "看法不同", "csrf": admin_token})
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "conflict" and "li" in err["message"] and err["current"]["state"] == "confirmed"
    # the same through the HTML form: 409, the message, and the reason typed is still in the form
    r = admin.post(f"/items/{item['id']}/decide", data={"kind": "adjust", "version": seen, "score": "2",
                                                        "reason": "看法不同-表单", "csrf": admin_token})
    assert r.status_code == 409 and "操作冲突" in r.text and 'value="看法不同-表单"' in r.text
    log = Store(db).decisions(item["id"])
    assert [(d["kind"], d["reviewer"]) for d in log] == [("confirm", "li")]


def test_hostile_text_and_file_names_are_escaped(app, db):
    ids = package_ids(db)
    wang, _ = login(app, "wang")
    store = Store(db)
    doc = store.documents(ids["鹿城区"])[0]
    assert "<img" in doc["path"]
    l1 = next(i for i in store.items(ids["鹿城区"]) if i["indicator"] == "L1")
    pages = [wang.get(f"/documents/{doc['id']}").text, wang.get(f"/items/{l1['id']}").text,
             wang.get(f"/packages/{ids['鹿城区']}/documents").text, wang.get("/search", params={"q": "script"}).text]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0] and "&lt;b&gt;请各地认真学习&lt;/b&gt;" in pages[0]


def test_security_headers_and_no_inline_script(app, db):
    admin, _ = login(app, "admin")
    r = admin.get(f"/packages/{package_ids(db)['瑞安市']}")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.text.count("<script") == 1 and '<script src="/static/review.js" defer></script>' in r.text
    assert admin.get("/static/review.js").status_code == 200


def test_files_are_reached_only_through_the_stored_hash(app, db):
    ids = package_ids(db)
    admin, _ = login(app, "admin")
    store = Store(db)
    pdf = next(d for d in store.documents(ids["瑞安市"]) if d["format"] == "pdf" and not d["error_code"])
    r = admin.get(f"/documents/{pdf['id']}/pages/1.png", params={"q": "表彰"})
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
    assert admin.get(f"/documents/{pdf['id']}/pages/7.png").status_code == 404
    with store.write() as c:  # a tampered row cannot name a path outside the file store
        c.execute("UPDATE documents SET sha256 = '../../../../etc/passwd' WHERE id = ?", (pdf["id"],))
    r = admin.get(f"/documents/{pdf['id']}/pages/2.png")
    assert r.status_code == 404 and b"root:" not in r.content
    assert admin.get("/static/../queue.db").status_code == 404


@pytest.mark.parametrize("url", ["/packages", "/packages/{p}", "/packages/{p}/unreadable", "/packages/{p}/documents",
                                 "/items/{i}", "/documents/{d}", "/search?q=智慧教育"])
def test_every_page_has_a_json_twin(app, db, url):
    store = Store(db)
    pid = package_ids(db)["瑞安市"]
    url = url.format(p=pid, i=store.items(pid)[0]["id"], d=store.documents(pid)[0]["id"])
    admin, _ = login(app, "admin")
    html = admin.get(url)
    path, _, query = url.partition("?")
    twin = admin.get(path + ".json" + ("?" + query if query else ""))
    assert html.status_code == twin.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert twin.headers["content-type"] == "application/json" and twin.json()["user"]["name"] == "admin"
