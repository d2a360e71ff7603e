"""PDF pages → scanned-looking images: an image-only PDF (pdf_scan) or a .jpg (image_scan).

Each page is rasterised by pdfium at DPI, turned by a seeded 0.5–1.5° in either direction
(white fill), given a faint paper tone, Gaussian grain and scanner speckles, and JPEG-compressed.
pdf_scan pages are grey (as office scanners send them) and placed in a reportlab PDF at the
page's size with no text layer; image_scan is a colour .jpg of the single page (a document of
more pages raises ValueError: a photo shows one page).
"""

from __future__ import annotations

import io
import random

import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

DPI = 200
JPEG_QUALITY = 80
GRAIN_SIGMA = 6.0
SPECKLES = 0.0004  # share of pixels turned into dark specks


def _pages(pdf: bytes) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            try:
                out.append(page.render(scale=DPI / 72.0).to_pil().convert("RGB"))
            finally:
                page.close()
        return out
    finally:
        doc.close()


def _scanned(img: Image.Image, rng: random.Random, grey: bool) -> Image.Image:
    angle = rng.uniform(0.5, 1.5) * rng.choice((-1, 1))
    img = img.convert("L") if grey else img
    fill = 255 if grey else (255, 255, 255)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)
    arr = np.asarray(img, dtype=np.float32)
    nrng = np.random.default_rng(rng.getrandbits(32))
    tone = 0.94 + 0.03 * rng.random()  # paper is never quite white
    arr = arr * tone + nrng.normal(0.0, GRAIN_SIGMA, arr.shape[:2] + ((1,) if arr.ndim == 3 else ()))
    h, w = arr.shape[:2]
    n = int(SPECKLES * h * w)
    ys, xs = nrng.integers(0, h, n), nrng.integers(0, w, n)
    arr[ys, xs] = nrng.uniform(60, 180, n)[:, None] if arr.ndim == 3 else nrng.uniform(60, 180, n)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=JPEG_QUALITY, dpi=(DPI, DPI))
    return buf.getvalue()


def page_count(pdf: bytes) -> int:
    return len(_pages(pdf))


def scan(pdf: bytes, seed: int, as_jpg: bool = False) -> bytes:
    rng = random.Random(seed)
    pages = _pages(pdf)
    if as_jpg:
        if len(pages) != 1:
            raise ValueError(f"image_scan shows one page; this document has {len(pages)}")
        return _jpeg(_scanned(pages[0], rng, grey=False))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pageCompression=1)
    for img in pages:
        w, h = img.width * 72.0 / DPI, img.height * 72.0 / DPI
        c.setPageSize((w, h))
        c.drawImage(ImageReader(io.BytesIO(_jpeg(_scanned(img, rng, grey=True)))), 0, 0, width=w, height=h)
        c.showPage()
    c.save()
    return buf.getvalue()
