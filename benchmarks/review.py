"""Benchmark of the reviewers' web app: server-side time of the batch overview, an applicant's score
sheet and an indicator page, with 200 applicants of a ~40-indicator rubric in the queue.

One package's evidence (synthetic, as in benchmarks/engine.py) is scored once and saved under 200
applicant names; a quarter of the items are then decided so the counts and the audit log are not
empty. Each page is requested through Starlette's TestClient as an admin (who sees every applicant),
HTML and JSON, and the median over the repeats is reported. Target: under 200 ms each.

    .venv/bin/python benchmarks/review.py [--applicants 200] [--rubric ningxia-county] [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
warnings.filterwarnings("ignore", message=".*httpx.*")

from records import Evidence  # noqa: E402
from records.screen import PackageScreen, ScreenedDocument  # noqa: E402
from records.vocab import DOC_TYPES, LEVELS  # noqa: E402
from review.decisions import decide  # noqa: E402
from review.store import Store  # noqa: E402
from review.users import add_user  # noqa: E402
from rubrics.engine import score_package  # noqa: E402
from rubrics.loader import load_rubric  # noqa: E402

AS_OF = date(2023, 6, 30)
TARGET_MS = 200.0


def evidence(rubric, n_docs: int, seed: int = 7) -> list[Evidence]:
    rng = random.Random(seed)
    ids = [i.id for i in rubric.indicators]
    out = []
    for n in range(n_docs):
        out.append(Evidence.model_validate({
            "path": f"材料/{n:03d}-关于智慧教育工作的通知.pdf", "sha256": f"{n:064x}",
            "doc_type": rng.choice(DOC_TYPES), "level": rng.choice(LEVELS),
            "issuer": rng.choice(["浙江省教育厅", "温州市教育局", "瑞安市人民政府", "中国教育技术协会"]),
            "date": (AS_OF - timedelta(days=rng.randint(0, 1500))).isoformat(),
            "title": f"材料{n}", "case_key": f"case-{rng.randint(0, n_docs // 3)}",
            "indicators": [{"id": i, "quote": "示范"} for i in rng.sample(ids, rng.randint(1, 3))],
        }))
    return out


def fill(db: Path, rubric_id: str, applicants: int, docs: int) -> None:
    rubric = load_rubric(rubric_id)
    evs = evidence(rubric, docs)
    score = score_package(rubric, evs, AS_OF, None, {})
    page = "本页为申报材料正文。" * 40 + "示范" + "其余内容。" * 40
    documents = [ScreenedDocument(evidence=ev, format="pdf", pages=2, text=page * 2, page_texts=[page, page])
                 for ev in evs]
    store = Store(db)
    for n in range(applicants):
        store.save_screening(PackageScreen(package=f"申报单位{n:03d}", source=f"/batch/{n:03d}", rubric=rubric_id,
                                           rubric_version=rubric.version, track=score.track, as_of=AS_OF,
                                           documents=documents, score=score))
    add_user(store, "bench", "admin", "bench-password")
    rng = random.Random(1)
    for pid in range(1, applicants + 1):
        for it in store.items(pid):
            if it["candidate_score"] is not None and rng.random() < 0.25:
                decide(store, it["id"], "confirm", "bench", it["version"])
    store.close()


def median_ms(client, url: str, repeat: int, before=None) -> float:
    runs = []
    for _ in range(repeat):
        if before:
            before()
        t0 = time.perf_counter()
        r = client.get(url)
        runs.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--applicants", type=int, default=200)
    ap.add_argument("--rubric", default="ningxia-county", help="a rubric with about 40 indicators")
    ap.add_argument("--docs", type=int, default=60, help="documents per applicant")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--json", action="store_true", help="print the numbers as one JSON object")
    args = ap.parse_args()

    from starlette.testclient import TestClient

    from review import pages as review_pages
    from review.web import create_app

    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        db = Path(tmp) / "queue.db"
        t0 = time.perf_counter()
        fill(db, args.rubric, args.applicants, args.docs)
        fill_s = time.perf_counter() - t0
        store = Store(db)
        pid = args.applicants // 2
        items = store.items(pid)
        iid = next((i["id"] for i in items if i["candidate_score"]), items[0]["id"])
        n_items = len(items)
        store.close()
        client = TestClient(create_app(db))
        token = client.get("/login.json").json()["csrf_token"]
        assert client.post("/login", json={"name": "bench", "password": "bench-password", "csrf": token}).status_code == 200
        pages = {"overview": "/packages", "score sheet": f"/packages/{pid}", "indicator page": f"/items/{iid}"}
        for url in pages.values():  # warm the templates and the rubric cache
            client.get(url)
        results = {}
        for name, url in pages.items():
            results[name] = {"html_ms": round(median_ms(client, url, args.repeat), 1),
                             "json_ms": round(median_ms(client, url + ".json", args.repeat), 1)}
        # the per-indicator chart counts are cached until an item changes: also time them recomputed
        cold = review_pages._charts.clear
        results["overview, charts recomputed"] = {
            "html_ms": round(median_ms(client, "/packages", args.repeat, cold), 1),
            "json_ms": round(median_ms(client, "/packages.json", args.repeat, cold), 1)}
    if args.json:
        print(json.dumps({"applicants": args.applicants, "rubric": args.rubric, "indicators": n_items,
                          "fill_s": round(fill_s, 1), "pages": results}, ensure_ascii=False))
        return
    print(f"queue: {args.applicants} applicants × {n_items} indicators ({args.rubric}), {args.docs} documents each; "
          f"filled in {fill_s:.1f} s")
    print(f"{'page':28} {'HTML ms':>8} {'JSON ms':>8}  (median of {args.repeat}, target < {TARGET_MS:.0f} ms)")
    worst = 0.0
    for name, r in results.items():
        print(f"{name:28} {r['html_ms']:8.1f} {r['json_ms']:8.1f}")
        worst = max(worst, r["html_ms"], r["json_ms"])
    print("ok" if worst < TARGET_MS else f"SLOW: {worst:.0f} ms > {TARGET_MS:.0f} ms")
    sys.exit(0 if worst < TARGET_MS else 1)


if __name__ == "__main__":
    main()
