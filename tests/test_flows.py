"""The Prefect flows and `prescreen screen-batch`, under Prefect's test harness (one temporary server
for the session): a batch of folders, a zip and a broken zip into the queue with a CSV/XLSX report;
idempotent re-runs; a confirmed decision surviving a re-run; an incremental re-run that re-screens
only the changed package (by the queue's screen_key, seen in the flow's task runs); packages in
chunks, one task run each, a broken package isolated inside its chunk; the DaskTaskRunner on a
distributed LocalCluster."""

from __future__ import annotations

import csv
import json
import os
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "wenzhou-district" / "瑞安市"
EXTRACT = ROOT / "tests" / "fixtures" / "extract"
AS_OF = "2023-06-30"


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """One temporary Prefect server (and result/extraction caches) for the whole session."""
    import os

    saved = {k: os.environ.get(k) for k in ("PRESCREEN_FLOW_CACHE", "PRESCREEN_CACHE")}
    os.environ["PRESCREEN_FLOW_CACHE"] = str(tmp_path_factory.mktemp("flow-cache"))
    os.environ["PRESCREEN_CACHE"] = str(tmp_path_factory.mktemp("extract-cache"))
    import flows.prefect_flows  # noqa: F401 - sets Prefect's environment before prefect is imported
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def make_batch(root: Path) -> Path:
    """Four applicants: two folders, a zip, and a zip cut short (unreadable)."""
    batch = root / "batch"
    a = batch / "甲区"
    (a / "1-机制保障").mkdir(parents=True)
    shutil.copy(SAMPLE / "1-机制保障" / "瑞安市教育局关于印发智慧教育工作要点的通知.pdf", a / "1-机制保障")
    shutil.copytree(SAMPLE / "引领性", a / "引领性", ignore=shutil.ignore_patterns("*.png"))
    shutil.copy(SAMPLE / "加密的附件.pdf", a)
    b = batch / "乙区"
    b.mkdir()
    shutil.copy(SAMPLE / "补充材料.zip", b)
    shutil.copy(EXTRACT / "pdf" / "award-table.pdf", b / "获奖名单.pdf")
    shutil.copy(EXTRACT / "docx" / "corrupt-truncated.docx", b / "损坏的总结.docx")
    with zipfile.ZipFile(batch / "丙区.zip", "w") as zf:
        for f in sorted(a.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(a).as_posix())
    (batch / "丁区.zip").write_bytes((batch / "丙区.zip").read_bytes()[:400])
    return batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    return make_batch(tmp_path_factory.mktemp("screen-batch"))


def screen_batch(batch: Path, db: Path, *extra: str):
    from flows.cli import main

    result = CliRunner().invoke(main, ["screen-batch", str(batch), "--rubric", "wenzhou-district", "--as-of", AS_OF,
                                       "--db", str(db), "--workers", "2", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def counts(db: Path) -> dict:
    from review.store import Store

    store = Store(db)
    return {t: store.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("packages", "documents", "items", "decisions")}


@pytest.fixture(scope="module")
def first_run(prefect_harness, batch, tmp_path_factory):
    out = tmp_path_factory.mktemp("queue")
    db, report = out / "queue.db", out / "预审报告.csv"
    result = screen_batch(batch, db, "--report", str(report))
    return db, report, result.output


def test_batch_writes_every_package_and_the_csv_report(first_run):
    from review.store import Store

    db, report, output = first_run
    with open(report, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:6] == ["申报单位", "候选总分", "满分", "缺少佐证的必备指标", "缺少必备指标数", "无法读取的文件数"]
    by_name = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert sorted(by_name) == ["丁区", "丙区", "乙区", "甲区"]
    assert by_name["甲区"]["无法读取的文件数"] == "1" and by_name["乙区"]["无法读取的文件数"] == "1"
    assert by_name["丁区"]["无法读取的文件数"] == "1" and by_name["丁区"]["文件数"] == "1"
    assert by_name["甲区"]["满分"] == "110.0"
    # a zip of the same files as a folder screens the same
    assert by_name["丙区"]["候选总分"] == by_name["甲区"]["候选总分"]
    store = Store(db)
    pkgs = {p["name"]: p for p in store.packages()}
    for name, row in by_name.items():
        assert float(row["候选总分"]) == pytest.approx(pkgs[name]["candidate_total"])
        assert int(row["待人工确认条目数"]) == pkgs[name]["needs_review"] > 0
    bad = store.documents(pkgs["丁区"]["id"], errors_only=True)
    assert [d["error_code"] for d in bad] == ["corrupt"]
    # the original files are kept for the reviewers' web app
    readable = [d for d in store.documents(pkgs["甲区"]["id"]) if d["sha256"]]
    assert readable and all(store.blob_path(d["sha256"]).is_file() for d in readable)
    for words in ("预审报告", "丁区", "共 4 个申报包"):
        assert words in output


def test_rerun_is_idempotent_and_keeps_a_confirmed_decision(first_run, batch, tmp_path):
    from openpyxl import load_workbook

    from review.decisions import decide
    from review.store import Store

    db, _, _ = first_run
    store = Store(db)
    pkg = store.find_package("乙区", "wenzhou-district")
    item = next(i for i in store.items(pkg["id"]) if i["candidate_score"] is not None)
    decide(store, item["id"], "confirm", reviewer="wang", version=item["version"])
    before = counts(db)
    screen_batch(batch, db)  # nothing changed: every package is already in the queue
    assert counts(db) == before
    # 乙区 gets one more file: it alone is screened and saved again, keeping the decision
    shutil.copy(EXTRACT / "office" / "notice-utf8.txt", batch / "乙区" / "补充通知.txt")
    xlsx = tmp_path / "report.xlsx"
    output = screen_batch(batch, db, "--report", str(xlsx)).output
    assert "3 个未变化" in output.replace("\n", "")
    after_counts = counts(db)
    assert after_counts == {**before, "documents": before["documents"] + 1}
    after = Store(db).item(item["id"])
    assert after["state"] == "confirmed" and after["final_score"] == item["candidate_score"]
    assert {p["name"]: p["screen_count"] for p in Store(db).packages()} == {"甲区": 1, "乙区": 2, "丙区": 1, "丁区": 1}
    ws = load_workbook(xlsx).active
    assert ws["A1"].value == "申报单位" and sorted(ws.cell(r, 1).value for r in range(2, 6)) == ["丁区", "丙区", "乙区", "甲区"]
    row = next(r for r in range(2, 6) if ws.cell(r, 1).value == "乙区")
    assert ws.cell(row, 7).value == len(Store(db).documents(pkg["id"])) == 5  # 文件数, with the new file


def _task_runs(flow_run_id, expect: int) -> list[tuple[list[str], str]]:
    """The flow run's screening task runs: (package names of the run, state name). Task-run states
    reach the server as events, a moment after the flow returns: wait (10 s at most) for `expect`
    final ones."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    deadline = time.monotonic() + 10
    while True:
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                                         sort=TaskRunSort.EXPECTED_START_TIME_ASC, limit=100)
        found = [(r.name.removeprefix("screen ").split(", "), r.state.name) for r in runs
                 if r.name.startswith("screen ") and r.state and r.state.is_final()]
        if len(found) >= expect or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_changed_file_rescreens_only_its_package(prefect_harness, tmp_path):
    from flows.pipeline import screen_key
    from flows.prefect_flows import cache_settings, screen_batch_flow
    from review.store import Store

    batch = make_batch(tmp_path)
    db = tmp_path / "q.db"
    args = dict(batch_dir=str(batch), rubric_id="wenzhou-district", as_of=date(2023, 6, 30), db=str(db),
                extract_workers=0, return_state=True)
    with cache_settings():
        state = screen_batch_flow(**args)  # fills the queue for this batch: one task run per package here
        assert sorted(n for names, _ in _task_runs(state.state_details.flow_run_id, 4) for n in names) == \
            ["丁区", "丙区", "乙区", "甲区"]
        key = screen_key(batch / "乙区", "wenzhou-district", None, date(2023, 6, 30))
        assert Store(db).find_package("乙区", "wenzhou-district")["screen_key"] == key
        (batch / "乙区" / "获奖名单.pdf").write_bytes((EXTRACT / "pdf" / "landscape-certificate.pdf").read_bytes())
        state = screen_batch_flow(**args)
        assert state.is_completed()
        # the unchanged packages are in the queue with their keys: only 乙区 gets a task, and really runs
        assert _task_runs(state.state_details.flow_run_id, 1) == [(["乙区"], "Completed")]
        assert Store(db).find_package("乙区", "wenzhou-district")["screen_key"] != key
        # a queue deleted and recreated at the same path is refilled (screened again)
        for f in tmp_path.glob("q.db*"):
            if f.is_file():
                f.unlink()
        state = screen_batch_flow(**args)
    assert sorted(n for names, _ in _task_runs(state.state_details.flow_run_id, 4) for n in names) == \
        ["丁区", "丙区", "乙区", "甲区"]
    assert len(Store(db).packages()) == 4
    assert not list(Path(os.environ["PRESCREEN_FLOW_CACHE"]).rglob("queued"))  # no marker files


def test_chunks_of_packages_isolate_a_broken_package(prefect_harness, batch, tmp_path):
    from flows.prefect_flows import cache_settings, screen_batch_flow
    from review.store import Store

    db = tmp_path / "chunks.db"
    with cache_settings():
        state = screen_batch_flow(str(batch), "wenzhou-district", as_of=date(2023, 6, 30), db=str(db),
                                  extract_workers=0, chunk=2, return_state=True)
    counts = state.result()
    runs = _task_runs(state.state_details.flow_run_id, 2)
    # two task runs of two packages each; 丁区 (a zip cut short) is recorded, its chunk-mate saved too
    assert sorted(sorted(names) for names, _ in runs) == [["丁区", "丙区"], ["乙区", "甲区"]]
    assert {s for _, s in runs} == {"Completed"}
    assert counts["packages"] == 4 and counts["failed_packages"] == 0 and counts["unreadable"] >= 3
    pkgs = {p["name"]: p for p in Store(db).packages()}
    assert pkgs["丙区"]["candidate_total"] == pkgs["甲区"]["candidate_total"] > 0
    assert pkgs["丁区"]["unreadable"] == 1 and all(p["screen_key"] for p in pkgs.values())


def test_dask_task_runner_on_a_local_cluster(prefect_harness, batch, tmp_path):
    from distributed import LocalCluster

    from flows.prefect_flows import run_batch
    from review.store import Store

    seen = []
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster:
        result = run_batch(batch, "wenzhou-district", None, date(2023, 7, 1), tmp_path / "dask.db",
                           dask_address=cluster.scheduler_address, progress=seen.append)
    assert result["packages"] == 4 and sorted(s["package"] for s in seen) == ["丁区", "丙区", "乙区", "甲区"]
    pkgs = Store(tmp_path / "dask.db").packages()
    assert len(pkgs) == 4 and {p["as_of"] for p in pkgs} == {"2023-07-01"}
    assert json.dumps([p["name"] for p in pkgs], ensure_ascii=False)


def test_single_package_as_a_tracked_flow_run_gives_the_same_json(prefect_harness, batch):
    from flows.cli import main

    args = ["screen", str(batch / "甲区"), "--rubric", "wenzhou-district", "--as-of", AS_OF, "--json"]
    plain = CliRunner().invoke(main, args, catch_exceptions=False)
    tracked = CliRunner().invoke(main, [*args, "--prefect"], catch_exceptions=False)
    assert plain.exit_code == tracked.exit_code == 0
    assert json.loads(tracked.output) == json.loads(plain.output)
    assert json.loads(plain.output)["package"] == "甲区"
