"""Benchmark of the rule engine: scoring time and peak memory per package, as a ratio to a
baseline measured in the same run (parsing the same evidence from JSON lines into Evidence
records — work every package needs anyway). This machine is noisy; ratios travel, seconds don't.

    .venv/bin/python benchmarks/engine.py [--docs 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from records import Evidence  # noqa: E402
from records.vocab import DOC_TYPES, LEVELS  # noqa: E402
from rubrics.engine import score_package  # noqa: E402
from rubrics.loader import all_rubrics  # noqa: E402

AS_OF = date(2023, 6, 30)
GRADES = [None, None, "一等奖", "二等奖", "三等奖", "优秀", "良好"]


def synthetic_package(rubric, n_docs: int, seed: int) -> list[str]:
    """n_docs evidence records as JSON lines, each linked to one to three indicators."""
    rng = random.Random(seed)
    ids = [i.id for i in rubric.indicators]
    lines = []
    for n in range(n_docs):
        ev = {
            "path": f"材料/{n:04d}.pdf",
            "doc_type": rng.choice(DOC_TYPES),
            "level": rng.choice(LEVELS),
            "issuer": rng.choice(["浙江省教育厅", "温州市教育局", "瑞安市人民政府", "中国教育技术协会"]),
            "date": (AS_OF - timedelta(days=rng.randint(-30, 2000))).isoformat() if rng.random() > 0.1 else None,
            "award_grade": rng.choice(GRADES),
            "subject": rng.choice(["第一小学", "实验中学", "外国语学校", None]),
            "title": f"材料{n}（案例{rng.randint(0, n_docs // 3)}）",
            "case_key": f"case-{rng.randint(0, n_docs // 3)}",
            "indicators": [{"id": i, "quote": "示范 结题 重点工作 政府 专题报道"} for i in rng.sample(ids, rng.randint(1, 3))],
        }
        lines.append(json.dumps(ev, ensure_ascii=False))
    return lines


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def peak_memory(fn) -> int:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=300, help="evidence records per package")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"{'rubric':18} {'docs':>5} {'parse ms':>9} {'score ms':>9} {'ratio':>6} {'parse KiB':>10} {'score KiB':>10} {'ratio':>6}")
    for rubric in all_rubrics():
        lines = synthetic_package(rubric, args.docs, seed=42)

        def parse():
            return [Evidence.model_validate_json(line) for line in lines]

        evidence = parse()

        def score():
            return score_package(rubric, evidence, AS_OF)

        score()  # warm-up
        t_parse, t_score = timed(parse, args.repeat), timed(score, args.repeat)
        m_parse, m_score = peak_memory(parse), peak_memory(score)
        print(f"{rubric.id:18} {args.docs:>5} {t_parse * 1e3:>9.1f} {t_score * 1e3:>9.1f} {t_score / t_parse:>6.1f}"
              f" {m_parse / 1024:>10.0f} {m_score / 1024:>10.0f} {m_score / m_parse:>6.1f}")


if __name__ == "__main__":
    main()
