"""Offline OCR with RapidOCR (PP-OCRv4 models shipped inside the rapidocr-onnxruntime wheel).

The engine is created lazily, once per process (worker processes each create their own).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from extract.errors import ExtractFailure

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

_engine = None
_lock = threading.Lock()


@dataclass
class OcrLine:
    text: str
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom in image pixels
    confidence: float


@dataclass
class OcrResult:
    lines: list[OcrLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def confidence(self) -> float | None:
        if not self.lines:
            return None
        total = sum(len(line.text) for line in self.lines) or 1
        return sum(line.confidence * len(line.text) for line in self.lines) / total


def ocr_available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _get_engine():
    global _engine
    with _lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise ExtractFailure("needs_ocr", "缺少 rapidocr-onnxruntime") from exc
            threads = int(os.environ.get("PRESCREEN_OCR_THREADS", "0") or 0)
            if threads > 0:  # set by the worker pool so that N workers share the cores, not N × cores
                kw = {f"{part}_{k}": threads for part in ("det", "cls", "rec")
                      for k in ("intra_op_num_threads", "inter_op_num_threads")}
                _engine = RapidOCR(**kw)
            else:
                _engine = RapidOCR()
        return _engine


def ocr_image(image: "Image.Image") -> OcrResult:
    """Read the text lines of an image, top to bottom."""
    import numpy as np

    engine = _get_engine()
    arr = np.asarray(image.convert("RGB"))
    result, _ = engine(arr)
    lines: list[OcrLine] = []
    for box, text, score in result or []:
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        lines.append(OcrLine(text=text, bbox=(min(xs), min(ys), max(xs), max(ys)), confidence=float(score)))
    lines.sort(key=lambda ln: (round(ln.bbox[1] / 10), ln.bbox[0]))
    return OcrResult(lines)
