"""Extraction benchmark: pages per second and peak memory per format on the fixture corpus,
the ratio of our PDF text extraction against bare pdfplumber `extract_text` on the same text
PDFs (measured in the same run), and the two large-PDF cases (300 text pages; 300 blank pages).

    .venv/bin/python benchmarks/extract.py [--repeat 3]

Each measurement runs in a fresh child process, so peak memory (max RSS) is that format's own.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "fixtures" / "extract"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fixture_files() -> dict[str, list[Path]]:
    from extract.detect import detect_format

    groups: dict[str, list[Path]] = {}
    for f in sorted(FIXTURES.rglob("*")):
        if not f.is_file() or f.suffix in (".py", ".txt") and f.name.endswith(".expected.txt"):
            continue
        if f.suffix in (".py", ".zip"):
            continue
        fmt = detect_format(f.read_bytes(), f.suffix)
        groups.setdefault(fmt, []).append(f)
    return groups


def _measure_format(files: list[str], repeat: int, out) -> None:
    from extract import Limits, extract_bytes

    datas = [(Path(f).read_bytes(), Path(f).name) for f in files]
    for data, name in datas:  # warm-up: imports, OCR engine start
        extract_bytes(data, name, Limits())
    runs, pages, ok = [], 0, 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        pages = ok = 0
        for data, name in datas:
            doc = extract_bytes(data, name, Limits())
            pages += len(doc.pages)
            ok += doc.error is None
        runs.append(time.perf_counter() - t0)
    out.send((statistics.median(runs), pages, ok, len(datas), _rss_mb()))


def _text_pdfs() -> list[Path]:
    return [p for p in sorted((FIXTURES / "pdf").glob("*.pdf"))
            if not any(k in p.name for k in ("password", "corrupt", "scanned", "blank"))]


def _measure_pdf_ratio(repeat: int, out) -> None:
    import pdfplumber

    from extract import Limits, extract_bytes

    files = [(p.read_bytes(), p.name) for p in _text_pdfs()]

    def ours():
        for data, name in files:
            extract_bytes(data, name, Limits(ocr=False))

    def bare():
        for data, _ in files:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                for page in pdf.pages:
                    page.extract_text()

    ours(), bare()
    t_ours, t_bare = [], []
    for _ in range(repeat):  # interleaved, so machine noise hits both alike
        t0 = time.perf_counter(); ours(); t_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); bare(); t_bare.append(time.perf_counter() - t0)
    out.send((statistics.median(t_ours), statistics.median(t_bare), len(files)))


def _make_pdf(pages: int, blank: bool) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(pages):
        if not blank:
            c.setFont("STSong-Light", 11)
            for line in range(40):
                c.drawString(60, 780 - line * 18, f"第{n + 1}页第{line + 1}行：温州市教育局关于推进智慧教育示范区建设的通知。")
        c.showPage()
    c.save()
    return buf.getvalue()


def _measure_big(blank: bool, out) -> None:
    from extract import Limits, extract_bytes

    data = _make_pdf(300, blank)
    base = _rss_mb()
    t0 = time.perf_counter()
    doc = extract_bytes(data, "300页.pdf", Limits())
    out.send((time.perf_counter() - t0, len(doc.pages), doc.error.code if doc.error else None, _rss_mb(), base))


def _measure_parallel_ocr(workers: int, out) -> None:
    """A package of scanned images through the worker pool (no cache), with 1 or 2 workers."""
    from extract import Limits, extract_paths

    images = sorted((FIXTURES / "image").glob("*300dpi.png")) * 2
    t0 = time.perf_counter()
    docs = list(extract_paths(images, Limits(), workers=workers, cache=None))
    out.send((time.perf_counter() - t0, sum(len(d.pages) for d in docs)))


def _child(target, *args):
    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    p = ctx.Process(target=target, args=(*args, send))
    p.start()
    result = recv.recv()
    p.join()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    print(f"{'format':10} {'files':>5} {'ok':>4} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'peak MB':>8}")
    for fmt, files in sorted(_fixture_files().items()):
        secs, pages, ok, n, rss = _child(_measure_format, [str(f) for f in files], args.repeat)
        print(f"{fmt:10} {n:>5} {ok:>4} {pages:>6} {secs:>8.2f} {pages / secs if secs else 0:>8.1f} {rss:>8.0f}")

    t_ours, t_bare, n = _child(_measure_pdf_ratio, args.repeat)
    print(f"\ntext PDFs ({n} files): ours {t_ours * 1e3:.0f} ms, bare pdfplumber extract_text {t_bare * 1e3:.0f} ms,"
          f" ratio {t_ours / t_bare:.2f} (target ≤ 1.3)")
    one, pages = _child(_measure_parallel_ocr, 1)
    two, _ = _child(_measure_parallel_ocr, 2)
    print(f"package of {pages} scanned pages: 1 worker {one:.1f} s, 2 workers {two:.1f} s, speed-up {one / two:.2f}×"
          " (one worker's OCR already uses every core)")
    for blank in (False, True):
        secs, pages, err, rss, base = _child(_measure_big, blank)
        kind = "300 blank pages" if blank else "300 text pages"
        print(f"{kind}: {secs:.1f} s, {pages} pages, error {err}, peak {rss:.0f} MB (process before: {base:.0f} MB;"
              f" target < 500 MB)")


if __name__ == "__main__":
    main()
