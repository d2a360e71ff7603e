"""Exports of the confirmed score sheet (XLSX laid out like the rubric, CSV) and the `prescreen review`
commands that manage accounts and assignments, on a real queue."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fixtures.review.review_queue import build, copy_queue, package_ids
from flows.cli_review import review
from review.decisions import decide
from review.store import Store
from review.users import authenticate, get_user
from rubrics.loader import load_rubric


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    return build(tmp_path_factory.mktemp("review-queue"))


@pytest.fixture()
def decided(template, tmp_path):
    """瑞安市 with L1 confirmed, L3 adjusted (a remark that looks like a formula), 1.2's evidence rejected."""
    db = copy_queue(template, tmp_path / "q")
    store = Store(db)
    pid = package_ids(db)["瑞安市"]
    items = {i["indicator"]: i for i in store.items(pid)}
    decide(store, items["L1"]["id"], "confirm", "li", items["L1"]["version"])
    decide(store, items["L3"]["id"], "adjust", "li", items["L3"]["version"], score=1,
           reason="=HYPERLINK(\"http://x\")示范项目")
    decide(store, items["1.2"]["id"], "reject_evidence", "li", items["1.2"]["version"], reason="无关",
           evidence_path="统计表.xls")
    return db


def run(*args, input=None):
    result = CliRunner().invoke(review, [str(a) for a in args], input=input, catch_exceptions=False)
    return result


def test_xlsx_is_laid_out_like_the_rubric(decided, tmp_path):
    out = tmp_path / "瑞安市.xlsx"
    pid = package_ids(decided)["瑞安市"]
    assert run("export", "--db", decided, "--package", pid, "--out", out).exit_code == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "瑞安市"]
    ws = wb["瑞安市"]
    assert [c.value for c in ws[3]] == ["指标编号", "指标", "满分", "候选分", "确认分", "状态", "评审人", "评审时间", "备注"]
    rubric = load_rubric("wenzhou-district")
    body = list(ws.iter_rows(min_row=4))
    indicator_rows = [r for r in body if r[0].value]
    assert [r[0].value for r in indicator_rows] == [i.id for i in rubric.indicators]
    first_group = body[0]
    assert first_group[0].value is None and first_group[1].value == rubric.groups[0].title and first_group[1].font.b
    rows = {r[0].value: [c.value for c in r] for r in indicator_rows}
    assert rows["L1"][2:7] == [2, 0.5, 0.5, "已确认", "li"]
    assert rows["L3"][4:7] == [1, "已调整", "li"]
    remark = next(r[8] for r in indicator_rows if r[0].value == "L3")
    assert remark.value.startswith("'=HYPERLINK") and remark.data_type == "s"  # text, never a formula
    assert rows["1.2"][4] is None and "已剔除佐证：统计表.xls" in rows["1.2"][8]
    assert rows["1.1"][4] is None and rows["1.1"][5] == "待审"
    total = next([c.value for c in r] for r in body if r[1].value == "合计")
    assert total[2] == 110 and total[4] == 1.5 and total[5] == "已决定 2/20"
    bonus = next([c.value for c in r] for r in body if r[1].value == "其中：加分项")
    assert bonus[2] == 10 and bonus[4] == 1.5
    summary = [c.value for c in wb["汇总"][3]]
    assert summary[0] == "瑞安市" and summary[3] == 2 and summary[5] == 1.5 and summary[8] == "li"


def test_batch_xlsx_has_one_sheet_per_applicant_and_csv_one_table(decided, tmp_path):
    assert run("export", "--db", decided, "--out", tmp_path / "all.xlsx").exit_code == 0
    assert load_workbook(tmp_path / "all.xlsx").sheetnames == ["汇总", "瑞安市", "鹿城区"]
    assert run("export", "--db", decided, "--out", tmp_path / "all.csv").exit_code == 0
    raw = (tmp_path / "all.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    per = [r for r in rows if r["指标编号"]]
    assert len(per) == 40 and {r["申报单位"] for r in per} == {"瑞安市", "鹿城区"}
    l1 = next(r for r in per if r["申报单位"] == "瑞安市" and r["指标编号"] == "L1")
    assert (l1["层级"], l1["确认分"], l1["评审人"]) == ("三、引领性指标（10分，加分项） / 成果特色", "0.5", "li")
    totals = [r for r in rows if r["指标"] == "合计"]
    assert [(t["申报单位"], t["确认分"]) for t in totals] == [("瑞安市", "1.5"), ("鹿城区", "0")]


def test_export_refuses_unknown_packages_and_suffixes(decided, tmp_path):
    r = CliRunner().invoke(review, ["export", "--db", str(decided), "--package", "999", "--out", str(tmp_path / "x.csv")])
    assert r.exit_code != 0 and "999" in r.output
    r = CliRunner().invoke(review, ["export", "--db", str(decided), "--out", str(tmp_path / "x.txt")])
    assert r.exit_code != 0 and ".xlsx" in r.output


def test_add_user_and_assign_commands(tmp_path, template):
    db = copy_queue(template, tmp_path / "q")
    assert run("add-user", "zhao", "--role", "reviewer", "--password-stdin", "--db", db, input="zhao-pass-9\n").exit_code == 0
    store = Store(db)
    assert get_user(store, "zhao")["role"] == "reviewer" and authenticate(store, "zhao", "zhao-pass-9")
    assert authenticate(store, "zhao", "wrong") is None
    stored = store.conn.execute("SELECT password_hash FROM users WHERE name = 'zhao'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "zhao-pass-9" not in stored
    # no default and no short password
    r = CliRunner().invoke(review, ["add-user", "qian", "--role", "admin", "--password-stdin", "--db", str(db)], input="short\n")
    assert r.exit_code != 0 and get_user(store, "qian") is None
    r = CliRunner().invoke(review, ["add-user", "qian", "--role", "admin", "--db", str(db)], input="")
    assert r.exit_code != 0 and get_user(store, "qian") is None
    pid = package_ids(db)["鹿城区"]
    assert run("assign", pid, "zhao", "--db", db).exit_code == 0
    assert [p["name"] for p in store.packages("zhao")] == ["鹿城区"]
    r = CliRunner().invoke(review, ["assign", str(pid), "nobody", "--db", str(db)])
    assert r.exit_code != 0 and "nobody" in r.output
