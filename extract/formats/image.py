"""Images (.jpg/.png/.tif/.bmp/.gif): OCR each frame into one Page.

- EXIF orientation applied first (phone photos store sideways pixels plus a rotate tag).
- Multi-frame TIFF: one Page per frame (GIF: first frame only; an animation is not a document).
- Images larger than MAX_SIDE (1600) px on their longest side are downscaled before OCR. RapidOCR
  would shrink anything over 2000 px itself; 1600 keeps A4 at ~137 dpi, where 10.5 pt body text
  is still ~20 px high, and its text detector (which runs at full size) is ~2x faster than at 2000.
- Orientation: a page photographed sideways or scanned upside down is detected from the first
  pass (line boxes taller than wide; RapidOCR's own 0/180° line classifier run on the longest
  lines), turned upright and OCR'd again; a first pass with low confidence or few characters is
  also retried at the other rotations. The best result by confidence × characters is kept.
- Lines are put in reading order (rows top to bottom, cells of a row left to right) and passed
  through extract.ocrfix.fix_ocr_text. Block bboxes are pixels of the upright image at its
  stored resolution.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from extract.errors import ExtractFailure
from extract.ocr import OcrLine, OcrResult, ocr_available, ocr_image
from extract.ocrfix import fix_ocr_text
from extract.registry import ExtractContext, register
from records import Page, TextBlock

MAX_SIDE = 1600  # px, longest side sent to OCR (A4 at ~137 dpi: 10.5 pt text is ~20 px high)
BLANK_INK_FRACTION = 0.0002  # share of clearly dark pixels below which a frame is blank
RETRY_CONFIDENCE = 0.75  # first pass below this (or < RETRY_CHARS characters): try other rotations
RETRY_CHARS = 6
CLS_LINES = 10  # longest lines sent to the 0/180° classifier


@register("image")
def extract_image(data: bytes, ctx: ExtractContext) -> list[Page]:
    if not data:
        raise ExtractFailure("empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            n_frames = 1 if img.format == "GIF" else getattr(img, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ExtractFailure("too_large", "图片像素过多") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ExtractFailure("corrupt", "无法识别的图片数据") from exc
    if n_frames > ctx.limits.max_pages:
        raise ExtractFailure("too_large", f"图片共 {n_frames} 帧，超过 {ctx.limits.max_pages} 页的上限")
    if not ctx.limits.ocr:
        raise ExtractFailure("needs_ocr", "文字识别已关闭")
    if not ocr_available():
        raise ExtractFailure("needs_ocr")

    pages: list[Page] = []
    for index in range(n_frames):
        try:
            img.seek(index)
            frame = _prepare(img)
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ExtractFailure("corrupt", f"第 {index + 1} 帧无法解码") from exc
        pages.append(ocr_page(frame, index + 1))
    if not any(p.text.strip() for p in pages):
        raise ExtractFailure("empty", "图片中没有可识别的文字")
    return pages


def _prepare(img: Image.Image) -> Image.Image:
    """Decoded, EXIF-upright, 8-bit RGB on white (alpha flattened)."""
    if img.format == "JPEG" and max(img.size) > 2 * MAX_SIDE:
        img.draft("RGB", (img.width * MAX_SIDE // max(img.size), img.height * MAX_SIDE // max(img.size)))
    frame = ImageOps.exif_transpose(img)  # loads the frame: truncated data raises OSError here
    if frame.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        arr = np.asarray(frame, dtype=np.float32)
        lo, hi = float(arr.min()), float(arr.max())
        arr = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.full_like(arr, 255.0)
        frame = Image.fromarray(arr.astype(np.uint8))
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, rgba)
    return frame.convert("RGB")


def is_blank(image: Image.Image) -> bool:
    """Nothing on the page darker than the paper by more than a faint pencil line; such a page is
    not sent to OCR. Anything fainter-than-print but visible still goes to OCR, which decides."""
    small = image.convert("L")
    small.thumbnail((1000, 1000))
    arr = np.asarray(small, dtype=np.int16)
    background = int(np.median(arr))
    ink = np.count_nonzero(arr < background - 32)
    return ink < BLANK_INK_FRACTION * arr.size


def ocr_page(image: Image.Image, number: int) -> Page:
    """OCR one upright-or-rotated page image into a Page (empty text if blank)."""
    if is_blank(image):
        return Page(number=number, text="", ocr=True, ocr_confidence=None)
    if image.mode != "RGB":  # the orientation classifier wants three channels
        image = image.convert("RGB")
    scale = 1.0
    if max(image.size) > MAX_SIDE:
        scale = MAX_SIDE / max(image.size)
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.Resampling.LANCZOS, reducing_gap=2.0)
    result, angle = ocr_upright(image)
    lines = reading_order(result.lines)
    blocks = []
    for line in lines:
        x0, top, x1, bottom = (v / scale for v in line.bbox)
        blocks.append(TextBlock(page=number, text=fix_ocr_text(line.text), source="ocr",
                                bbox=(round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)),
                                ocr_confidence=round(line.confidence, 4)))
    conf = OcrResult(lines).confidence
    return Page(number=number, text="\n".join(b.text for b in blocks), blocks=blocks, ocr=True,
                ocr_confidence=round(conf, 4) if conf is not None else None)


# ---------------------------------------------------------------- orientation

def _score(result: OcrResult) -> float:
    chars = sum(len(ln.text) for ln in result.lines)
    return (result.confidence or 0.0) * chars


def ocr_upright(image: Image.Image) -> tuple[OcrResult, int]:
    """OCR the image the right way up. Returns the result in upright coordinates and the angle
    (degrees counter-clockwise) the image was turned by."""
    first = ocr_image(image)
    if not first.lines:
        return first, 0
    angle = detect_rotation(image, first)
    candidates = {0: first}
    if angle == 180 and (first.confidence or 0) >= 0.9:
        pass  # RapidOCR already turned each line; only the order is off, fixed by the remap below
    elif angle:
        candidates[angle] = ocr_image(image.rotate(angle, expand=True))
    weak = (first.confidence or 0) < RETRY_CONFIDENCE or sum(len(ln.text) for ln in first.lines) < RETRY_CHARS
    if weak:
        for other in (90, 180, 270):
            if other not in candidates:
                candidates[other] = ocr_image(image.rotate(other, expand=True))
    # the first pass is compared in the upright frame too (its lines were read, only their order is off)
    if angle:
        candidates[0] = OcrResult(rotate_lines(first.lines, image.size, angle))
        best = max(candidates, key=lambda a: (_score(candidates[a]), a == angle))
    else:
        best = max(candidates, key=lambda a: (_score(candidates[a]), a == 0))
    return candidates[best], best if best else angle


def detect_rotation(image: Image.Image, result: OcrResult) -> int:
    """0, 90, 180 or 270: how far to turn the image counter-clockwise to make it upright."""
    lines = [ln for ln in result.lines if len(ln.text) >= 2]
    if not lines:
        return 0
    tall = [ln for ln in lines if (ln.bbox[3] - ln.bbox[1]) > 1.5 * (ln.bbox[2] - ln.bbox[0])]
    sideways = sum(len(ln.text) for ln in tall) > sum(len(ln.text) for ln in lines) / 2
    sample = sorted(tall if sideways else lines, key=lambda ln: -len(ln.text))[:CLS_LINES]
    votes = _upside_down_votes(image, sample, sideways)
    if votes is None:
        return 90 if sideways else 0  # no classifier: a sideways page is most often turned left
    flipped = votes > 0
    if sideways:
        # crops were turned counter-clockwise: upright then means the page needs the same turn
        return 270 if flipped else 90
    return 180 if flipped else 0


def _upside_down_votes(image: Image.Image, lines: list[OcrLine], sideways: bool) -> float | None:
    """Characters of lines the 0/180° classifier reads as upside down, minus those it reads upright."""
    try:
        from extract.ocr import _get_engine

        classifier = _get_engine().text_cls
    except Exception:  # noqa: BLE001 - orientation is a refinement; OCR itself still works
        return None
    arr = np.asarray(image)
    crops, weights = [], []
    for ln in lines:
        x0, top, x1, bottom = (int(round(v)) for v in ln.bbox)
        crop = arr[max(0, top):bottom, max(0, x0):x1]
        if crop.size == 0:
            continue
        crops.append(np.ascontiguousarray(np.rot90(crop) if sideways else crop))
        weights.append(len(ln.text))
    if not crops:
        return None
    _, labels, _ = classifier(crops)
    total = 0.0
    for (label, score), weight in zip(labels, weights):
        if score >= 0.6:
            total += weight if "180" in str(label) else -weight
    return total


def rotate_lines(lines: list[OcrLine], size: tuple[int, int], angle: int) -> list[OcrLine]:
    """Map line boxes of an image of `size` into the image turned `angle` degrees counter-clockwise."""
    w, h = size
    out = []
    for ln in lines:
        x0, top, x1, bottom = ln.bbox
        if angle == 90:
            box = (top, w - x1, bottom, w - x0)
        elif angle == 180:
            box = (w - x1, h - bottom, w - x0, h - top)
        elif angle == 270:
            box = (h - bottom, x0, h - top, x1)
        else:
            box = ln.bbox
        out.append(OcrLine(text=ln.text, bbox=box, confidence=ln.confidence))
    return out


# ---------------------------------------------------------------- reading order

def reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Rows top to bottom (lines overlapping vertically by half their height share a row), each
    row left to right - so the cells of a table row stay together."""
    rows: list[list[OcrLine]] = []
    for ln in sorted(lines, key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2):
        top, bottom = ln.bbox[1], ln.bbox[3]
        if rows:
            row = rows[-1]
            r_top = min(x.bbox[1] for x in row)
            r_bottom = max(x.bbox[3] for x in row)
            overlap = min(bottom, r_bottom) - max(top, r_top)
            height = min(bottom - top, min(x.bbox[3] - x.bbox[1] for x in row))
            if overlap >= 0.5 * height:
                row.append(ln)
                continue
        rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.bbox[0])]
