"""`prescreen screen` on the bundled sample and on a package of bad files: DESIGN.md §5's JSON shape,
the Chinese report, the review queue (--db / PRESCREEN_DB), and a confirmed decision surviving a
re-run. No Prefect here: the single-package path calls the plain functions (tests/test_flows.py
runs the flows)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from records.screen import CLASSIFY_KEYS
from records.vocab import STATUSES
from review.decisions import decide
from review.store import Store
from rubrics.loader import load_rubric

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "wenzhou-district"
EXTRACT = ROOT / "tests" / "fixtures" / "extract"
SCREEN_KEYS = {"package", "rubric", "track", "as_of", "documents", "indicators", "missing_mandatory", "total"}
INDICATOR_KEYS = {"id", "max_score", "candidate_score", "status", "mandatory", "evidence", "rationale"}

# the package with bad files: (name in the package, fixture it is copied from, expected error code)
BAD_FILES = [
    ("加密/申报表.doc", "office/encrypted-flag-set.doc", "encrypted"),
    ("损坏的方案.docx", "docx/corrupt-truncated.docx", "corrupt"),
    ("空白.txt", "office/empty.txt", "empty"),
    ("截断的证书.jpg", "image/corrupt-truncated.jpg", "corrupt"),
    ("加密的通知.pdf", "pdf/password-is-test.pdf", "encrypted"),
]
GOOD_FILE = ("引领性/荣誉证书.docx", "docx/certificate-in-textboxes.docx")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("extract-cache")


@pytest.fixture(autouse=True)
def _env(monkeypatch, cache_dir):
    monkeypatch.setenv("PRESCREEN_CACHE", str(cache_dir))
    monkeypatch.delenv("PRESCREEN_DB", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)


def run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result


def screen_sample(*extra: str, env: dict | None = None):
    return run("screen", str(SAMPLE / "瑞安市"), "--rubric", "wenzhou-district", "--as-of", "2023-06-30",
               "--values", str(SAMPLE / "values.json"), *extra, env=env)


@pytest.fixture()
def bad_package(tmp_path) -> Path:
    pkg = tmp_path / "坏文件区"
    for name, src, _ in BAD_FILES + [(*GOOD_FILE, None)]:
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EXTRACT / src, pkg / name)
    return pkg


def test_screen_json_has_the_design_shape_on_the_sample():
    result = screen_sample("--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert SCREEN_KEYS <= set(data)
    assert (data["package"], data["rubric"], data["as_of"]) == ("瑞安市", "wenzhou-district", "2023-06-30")
    rubric = load_rubric("wenzhou-district")
    assert [i["id"] for i in data["indicators"]] == [ind.id for ind in rubric.indicators]
    paths = {d["path"] for d in data["documents"]}
    assert len(data["documents"]) == 8 and "加密的附件.pdf" in paths
    for doc in data["documents"]:
        assert list(doc) == list(CLASSIFY_KEYS)
    by_path = {d["path"]: d for d in data["documents"]}
    assert by_path["加密的附件.pdf"]["error"]["code"] == "encrypted"
    assert by_path["引领性/荣誉证书.docx"]["doc_type"] == "award"
    for ind in data["indicators"]:
        assert set(ind) == INDICATOR_KEYS and ind["status"] in STATUSES
        if ind["status"] == "not_assessable":
            assert ind["candidate_score"] is None
        for ev in ind["evidence"]:
            assert set(ev) == {"path", "page", "quote", "points"} and ev["path"] in paths
    # values.json supplies the provincial index: the 基础性 block B is scored from it
    assert next(i for i in data["indicators"] if i["id"] == "B")["candidate_score"] == 34.5
    counted = sum(i["candidate_score"] or 0 for i in data["indicators"])
    assert data["total"]["max"] == 110 and data["total"]["candidate"] == pytest.approx(counted)
    assert data["missing_mandatory"] == []


def test_screen_prints_a_chinese_report_with_unreadable_files():
    total = json.loads(screen_sample("--json").output)["total"]["candidate"]
    result = screen_sample()
    assert result.exit_code == 0
    out = result.output
    for words in ("指标候选分", "材料无法判定", "无法读取的文件（1 个）", "加密的附件.pdf", "encrypted", f"候选合计 {total:g} / 110"):
        assert words in out, words


def test_screen_db_writes_the_queue_and_a_rerun_does_not_duplicate(tmp_path):
    db = tmp_path / "queue.db"
    assert screen_sample("--db", str(db)).exit_code == 0
    rerun = screen_sample("--db", str(db), "--json")
    assert rerun.exit_code == 0
    store = Store(db)
    [pkg] = store.packages()
    assert (pkg["name"], pkg["documents"], pkg["unreadable"], pkg["screen_count"]) == ("瑞安市", 8, 1, 2)
    assert len(store.items(pkg["id"])) == len(load_rubric("wenzhou-district").indicators)
    assert pkg["candidate_total"] == pytest.approx(json.loads(rerun.output)["total"]["candidate"])
    assert store.search("教育局")  # the documents' text is searchable (trigram FTS)


def test_prescreen_db_environment_variable_selects_the_queue(tmp_path):
    db = tmp_path / "from-env.db"
    assert screen_sample("--json", env={"PRESCREEN_DB": str(db)}).exit_code == 0
    assert [p["name"] for p in Store(db).packages()] == ["瑞安市"]


def test_package_with_bad_files_still_screens_and_lists_them(bad_package, tmp_path):
    args = ["screen", str(bad_package), "--rubric", "wenzhou-school", "--as-of", "2023-06-30", "--workers", "0"]
    data = json.loads(run(*args, "--json").output)
    errors = {d["path"]: (d["error"] or {}).get("code") for d in data["documents"]}
    assert errors == {**{name: code for name, _, code in BAD_FILES}, GOOD_FILE[0]: None}
    assert data["track"] == "standard" and data["missing_mandatory"]  # 16 ▲ in the standard track
    result = run(*args, "--db", str(tmp_path / "q.db"))
    assert result.exit_code == 0
    out = result.output
    assert f"无法读取的文件（{len(BAD_FILES)} 个）" in out
    for name, _, code in BAD_FILES:
        assert name in out and code in out
    # missing mandatory evidence comes first, before the indicator table
    assert out.index("缺少必备指标佐证") < out.index("指标候选分")
    [pkg] = Store(tmp_path / "q.db").packages()
    assert pkg["unreadable"] == len(BAD_FILES) and pkg["missing_mandatory"] == data["missing_mandatory"]


def test_confirmed_decision_survives_a_rerun_through_the_cli(tmp_path):
    db = tmp_path / "queue.db"
    assert screen_sample("--db", str(db)).exit_code == 0
    store = Store(db)
    [pkg] = store.packages()
    item = next(i for i in store.items(pkg["id"]) if i["indicator"] == "L3")
    assert item["candidate_score"] is not None
    adjusted = 0.0 if item["candidate_score"] else item["max_score"]
    decide(store, item["id"], "adjust", reviewer="li", version=item["version"], score=adjusted, reason="现场核实")
    assert screen_sample("--db", str(db)).exit_code == 0
    after = Store(db).item(item["id"])
    assert (after["state"], after["final_score"], after["changed_since_decision"]) == ("adjusted", adjusted, False)
    assert len(Store(db).decisions(item["id"])) == 1


@pytest.mark.parametrize("args, message", [
    (["--rubric", "no-such-rubric"], "no-such-rubric"),
    (["--rubric", "wenzhou-school", "--track", "v3"], "v3"),
    (["--rubric", "wenzhou-district", "--track", "v2"], "没有类别"),
])
def test_misuse_is_a_usage_error(args, message):
    result = run("screen", str(SAMPLE / "瑞安市"), *args)
    assert result.exit_code == 2 and message in result.output


def test_missing_package_is_a_usage_error(tmp_path):
    result = run("screen", str(tmp_path / "nothing"), "--rubric", "wenzhou-district")
    assert result.exit_code == 2


def test_screen_db_records_the_key_a_batch_rerun_compares(tmp_path):
    from datetime import date

    from flows.pipeline import screen_key

    db = tmp_path / "queue.db"
    assert screen_sample("--db", str(db)).exit_code == 0
    [pkg] = Store(db).packages()
    values = json.loads((SAMPLE / "values.json").read_text(encoding="utf-8"))
    assert pkg["screen_key"] == screen_key(SAMPLE / "瑞安市", "wenzhou-district", None, date(2023, 6, 30), values)


def test_name_sets_the_applicant(tmp_path):
    db = tmp_path / "queue.db"
    data = json.loads(screen_sample("--json", "--name", "瑞安市教育局", "--db", str(db)).output)
    assert data["package"] == "瑞安市教育局"
    assert [p["name"] for p in Store(db).packages()] == ["瑞安市教育局"]
