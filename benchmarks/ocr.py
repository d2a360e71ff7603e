"""OCR benchmark: character accuracy and seconds per page of the image extractor on the image
fixtures (tests/fixtures/extract/image/*, each with its <name>.expected.txt).

Accuracy = 1 - edit distance / expected length, whitespace ignored, per page. Time is the
median of --repeat runs per file, divided by its pages, after one warm-up call (the model load
is reported separately), and the process CPU time (all threads) per page beside it: on a busy
machine wall time swings with other work, CPU time much less. Clean fixtures are the 300-dpi
renderings (targets: >= 95% accuracy, <= 2.5 s a page); the others are photos/scans with noise
or rotation, reported beside them.

    .venv/bin/python benchmarks/ocr.py [--repeat 3] [--json] [--raw]

--raw also scores the text before extract.ocrfix post-correction, to show what it is worth.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.registry import ExtractContext, extractor_for  # noqa: E402
from corpus.metrics import char_accuracy

FIXTURES = ROOT / "tests" / "fixtures" / "extract" / "image"
PAGE_BREAK = "\n\f\n"






def expected_pages(image: Path) -> list[str]:
    text = image.with_name(image.stem + ".expected.txt").read_text(encoding="utf-8")
    return text.split(PAGE_BREAK)


def is_clean(image: Path) -> bool:
    return "300dpi" in image.name or image.suffix.lower() in (".tif", ".tiff")


def run(repeat: int, raw: bool) -> dict:
    fn = extractor_for("image")
    images = sorted(p for p in FIXTURES.iterdir()
                    if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
                    and p.with_name(p.stem + ".expected.txt").exists())
    t0 = time.perf_counter()
    fn(images[0].read_bytes(), ExtractContext(path=images[0].name, suffix=images[0].suffix))
    warmup = time.perf_counter() - t0

    rows = []
    for image in images:
        data = image.read_bytes()
        ctx = ExtractContext(path=image.name, suffix=image.suffix.lower())
        times, cpu, pages = [], [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            pages = fn(data, ctx)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        want = expected_pages(image)
        accs = [char_accuracy(p.text, w) for p, w in zip(pages, want)]
        accs += [0.0] * (len(want) - len(pages))
        row = {
            "file": image.name,
            "clean": is_clean(image),
            "pages": len(pages),
            "accuracy": round(statistics.mean(accs), 4),
            "s_per_page": round(statistics.median(times) / max(1, len(pages)), 3),
            "cpu_s_per_page": round(statistics.median(cpu) / max(1, len(pages)), 3),
            "ocr_confidence": round(statistics.mean(p.ocr_confidence or 0 for p in pages), 4),
        }
        if raw:
            from extract.ocrfix import fix_ocr_text  # noqa: F401 - to show it is what differs
            import extract.formats.image as img_mod

            saved = img_mod.fix_ocr_text
            img_mod.fix_ocr_text = lambda s: s
            try:
                raw_pages = fn(data, ctx)
            finally:
                img_mod.fix_ocr_text = saved
            row["accuracy_without_fixes"] = round(statistics.mean(
                char_accuracy(p.text, w) for p, w in zip(raw_pages, want)), 4)
        rows.append(row)

    def summary(subset):
        if not subset:
            return None
        return {"files": len(subset),
                "accuracy": round(statistics.mean(r["accuracy"] for r in subset), 4),
                "min_accuracy": round(min(r["accuracy"] for r in subset), 4),
                "s_per_page": round(sum(r["s_per_page"] * r["pages"] for r in subset)
                                    / sum(r["pages"] for r in subset), 3),
                "cpu_s_per_page": round(sum(r["cpu_s_per_page"] * r["pages"] for r in subset)
                                        / sum(r["pages"] for r in subset), 3)}

    return {"warmup_s": round(warmup, 2), "repeat": repeat, "files": rows,
            "clean": summary([r for r in rows if r["clean"]]),
            "noisy": summary([r for r in rows if not r["clean"]]),
            "all": summary(rows)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--raw", action="store_true", help="also score the text before post-correction")
    args = ap.parse_args(argv)
    report = run(args.repeat, args.raw)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"首次调用（含模型加载）：{report['warmup_s']:.2f} s；每个文件重复 {report['repeat']} 次取中位数")
    print(f"{'文件':<44}{'页':>3}{'准确率':>9}{'秒/页':>8}{'CPU秒/页':>9}{'置信度':>8}" + ("  未校正" if args.raw else ""))
    for r in report["files"]:
        extra = f"{r['accuracy_without_fixes']:>8.2%}" if args.raw else ""
        tag = "" if r["clean"] else " *"
        print(f"{r['file'] + tag:<44}{r['pages']:>3}{r['accuracy']:>9.2%}{r['s_per_page']:>8.2f}{r['cpu_s_per_page']:>9.2f}"
              f"{r['ocr_confidence']:>8.3f}{extra}")
    for key, label in (("clean", "清晰 300 dpi"), ("noisy", "噪声/旋转 *"), ("all", "全部")):
        s = report[key]
        if s:
            print(f"{label}：{s['files']} 个文件，平均准确率 {s['accuracy']:.2%}（最低 {s['min_accuracy']:.2%}），"
                  f"{s['s_per_page']:.2f} 秒/页（CPU {s['cpu_s_per_page']:.2f} 秒/页）")
    clean = report["clean"]
    if clean:
        ok = clean["min_accuracy"] >= 0.95 and clean["s_per_page"] <= 2.5
        print("目标（清晰件准确率 ≥ 95%，≤ 2.5 秒/页）：" + ("达到" if ok else "未达到"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
