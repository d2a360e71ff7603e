"""Classification cost against extraction cost, per document, on a corpus (same run).

    .venv/bin/python benchmarks/classify.py [CORPUS]   (default: corpus/sample)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classify.api import classify_document  # noqa: E402
from corpus.build import load_corpus  # noqa: E402
from extract import Limits, extract_members, iter_members  # noqa: E402


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "corpus" / "sample"
    corpus = load_corpus(root)
    rubric_of = {d: p.rubric for p in corpus.packages for d in p.documents}
    by_path = {lb.path: rubric_of.get(lb.id) for lb in corpus.labels.values()}

    def members():
        for m in iter_members(root / "docs", Limits()):
            m.path = f"docs/{m.path}"
            yield m
        yield from iter_members(root / "packages", Limits())

    classify_document(next(iter(extract_members(members(), workers=0))))  # warm-up: spaCy, data files
    t0 = time.perf_counter()
    docs = list(extract_members(members(), Limits(), workers=0))  # in-process, no cache: pure extraction time
    t_extract = time.perf_counter() - t0
    t0 = time.perf_counter()
    for d in docs:
        classify_document(d, by_path.get(d.origin.path))
    t_classify = time.perf_counter() - t0
    n = len(docs)
    print(f"{n} documents: extract {t_extract / n * 1e3:.0f} ms/doc, classify {t_classify / n * 1e3:.1f} ms/doc, "
          f"ratio {t_classify / t_extract:.3f} (target ≤ 0.5)")


if __name__ == "__main__":
    main()
