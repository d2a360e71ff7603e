"""PDF extractor: pdfplumber characters regrouped into lines with CJK-aware spacing.

extract_text() spaces out justified Chinese (瑞委办发〔2023〕9 号, 荣 誉 证 书). Here lines are rebuilt from
the characters per text direction (rotated text reads in order), faux-bold overprints dropped, no space
next to CJK, a space between Latin words; two-column pages read column by column; ruled tables become
Page.tables; pages with no text layer but with an image are rendered and OCR'd.
"""

from __future__ import annotations

import io
import logging
from bisect import bisect_left, bisect_right
from itertools import accumulate, groupby

from extract.errors import ExtractFailure
from extract.registry import ExtractContext, register
from records import Page, Table, TextBlock

logging.getLogger("pdfminer").setLevel(logging.ERROR)
log = logging.getLogger(__name__)

CELL_SEP = " | "  # between the cells of a table row in Page.text


def _cjk(ch: str) -> bool:
    """CJK characters, full-width punctuation and forms, circled numbers, kana and hangul."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFFEF
            or 0x2460 <= o <= 0x24FF or 0xAC00 <= o <= 0xD7AF or 0x20000 <= o <= 0x3FFFF)


class G:
    """One glyph in its text-direction frame: u runs along the line, v across (next line = larger v)."""

    __slots__ = ("u0", "u1", "v", "em", "text", "box", "space")

    def __init__(self, u0, u1, v, em, text, box):
        self.u0, self.u1, self.v, self.em, self.text, self.box = u0, u1, v, em, text, box
        self.space = False  # a drawn space character stands before this glyph


def _glyph(c: dict) -> tuple[int, G]:
    a, b, _, _, e, f = c["matrix"]
    x0, x1, top, bot = c["x0"], c["x1"], c["top"], c["bottom"]
    oy = top + c["y1"] - f  # baseline in top-down page coordinates
    box = (x0, top, x1, bot)
    if abs(a) >= abs(b):
        if a > 0:
            return 0, G(x0, x1, oy, bot - top, c["text"], box)
        return 2, G(-x1, -x0, -oy, bot - top, c["text"], box)
    if b < 0:  # runs down the page
        return 1, G(top, bot, -e, x1 - x0, c["text"], box)
    return 3, G(-bot, -top, e, x1 - x0, c["text"], box)  # runs up the page


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2] if values else 0.0


def _rows(glyphs: list[G]) -> list[list[G]]:
    """Group glyphs by baseline, each row sorted along the line, spaces and overprints removed."""
    glyphs.sort(key=lambda g: g.v)
    rows: list[list[G]] = []
    for g in glyphs:
        if rows and g.v - rows[-1][0].v <= 0.5 * max(rows[-1][0].em, g.em, 1.0):
            rows[-1].append(g)
        else:
            rows.append([g])
    out = []
    for row in rows:
        row.sort(key=lambda g: g.u0)
        kept: list[G] = []
        space = False
        for g in row:
            if not g.text.strip():
                space = True
                continue
            if kept and g.u0 - kept[-1].u0 < 2.0:  # sorted by u0: only then can g overprint a kept glyph
                tol = max(0.5, min(0.2 * g.em, 0.5 * (g.u1 - g.u0), 2.0))
                if any(k.text == g.text and abs(k.u0 - g.u0) < tol and abs(k.v - g.v) < tol for k in kept[-3:]):
                    continue  # faux bold: the same string drawn again, slightly offset
            g.space = space
            space = False
            kept.append(g)
        if kept:
            out.append(kept)
    return out


def _fragments(row: list[G]) -> list[list[G]]:
    """Split a row where the gap is far wider than its usual spacing (a column gutter, a form gap)."""
    gaps = [b.u0 - a.u1 for a, b in zip(row, row[1:])]
    base = max(_median(gaps), 0.0)
    frags = [[row[0]]]
    for g, gap in zip(row[1:], gaps):
        if gap > max(1.5 * g.em, base + 1.0 * g.em):
            frags.append([g])
        else:
            frags[-1].append(g)
    return frags


def _text(seq: list[G]) -> str:
    """Join glyphs of one line: nothing next to CJK (unless a gap stands out), a space between words."""
    gaps = [b.u0 - a.u1 for a, b in zip(seq, seq[1:])]
    # base: the usual spacing between letters (justified CJK lines spread every character out)
    base = max(_median([g for g, a, b in zip(gaps, seq, seq[1:]) if a.text.isalnum() and b.text.isalnum()]), 0.0)
    parts = [seq[0].text]
    for a, b, gap in zip(seq, seq[1:], gaps):
        em = max(a.em, b.em, 1.0)
        if _cjk(a.text[-1]) or _cjk(b.text[0]):
            sep = " " if gap > max(2.0 * em, base + 1.5 * em) else ""
        else:
            sep = " " if b.space or gap > base + 0.2 * em else ""
        parts.append(sep)
        parts.append(b.text)
    return "".join(parts)


def _join_lines(lines: list[str]) -> str:
    out = ""
    for ln in lines:
        if out and ln and not (_cjk(out[-1]) or _cjk(ln[0])):
            out += " "
        out += ln
    return out


def _union(boxes) -> tuple[float, float, float, float]:
    x0, top, x1, bot = zip(*boxes)
    return min(x0), min(top), max(x1), max(bot)


class Line:
    __slots__ = ("text", "bbox", "v", "em", "stream", "source")

    def __init__(self, text, bbox, v, em, stream, source="body"):
        self.text, self.bbox, self.v, self.em, self.stream, self.source = text, bbox, v, em, stream, source


def _gutter(frags_by_row: list[list[list[G]]]) -> tuple[float, float] | None:
    """Find a vertical gutter that most rows leave empty with real columns on both sides."""
    spans = [(f[0].u0, f[-1].u1) for frs in frags_by_row for f in frs]
    if len(frags_by_row) < 6:
        return None
    lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
    width = int(hi - lo) + 1
    if width < 50:
        return None
    diff = [0] * (width + 2)
    for u0, u1 in spans:
        diff[int(u0 - lo)] += 1
        diff[int(u1 - lo)] -= 1
    cov = list(accumulate(diff))  # how many fragments cover each point across the lines
    limit = max(3, len(frags_by_row) // 4)  # headlines and footers may cross the gutter
    em = _median([f[0].em for frs in frags_by_row for f in frs])
    best = None
    for free, run in groupby(range(int(0.2 * width), int(0.8 * width)), key=lambda i: cov[i] <= limit):
        run = list(run)
        if free and len(run) >= 0.8 * em:
            score = (min(cov[i] for i in run), -len(run))
            if best is None or score < best[0]:
                best = (score, lo + run[0], lo + run[-1] + 1)
    if best is None:
        return None
    g0, g1 = best[1], best[2]
    left = [f for frs in frags_by_row for f in frs if f[-1].u1 <= g0 + 1]
    right = [f for frs in frags_by_row for f in frs if f[0].u0 >= g1 - 1]
    if len(left) < 3 or len(right) < 3:
        return None
    lw = g0 - min(f[0].u0 for f in left)
    rw = max(f[-1].u1 for f in right) - g1
    if (_median([f[-1].u1 - f[0].u0 for f in left]) < 0.5 * lw
            or _median([f[-1].u1 - f[0].u0 for f in right]) < 0.5 * rw):
        return None
    return g0, g1


def _layout(glyphs: list[G], tables: list[tuple[float, list[str], tuple]]) -> list[Line]:
    """Lines of one text direction in reading order; tables are (top, row texts, bbox) put in place."""
    rows = _rows(glyphs)
    frags_by_row = [_fragments(r) for r in rows]
    gutter = _gutter(frags_by_row)
    items: list[tuple[float, int, object]] = [(r[0].v, 0, fr) for r, fr in zip(rows, frags_by_row)]
    items += [(v, 1, (rows_text, bbox)) for v, rows_text, bbox in tables]
    items.sort(key=lambda it: (it[0], it[1]))
    out: list[Line] = []
    band: dict[int, list[Line]] = {1: [], 2: []}

    def flush():
        out.extend(band[1] + band[2])
        band[1], band[2] = [], []

    for v, is_table, obj in items:
        if is_table:
            flush()
            out.extend(Line(t, obj[1], v, 0, -1 - int(v), "table") for t in obj[0])
            continue
        frs = obj
        flat = [g for f in frs for g in f]
        sides = [1 if f[-1].u1 <= gutter[0] + 1 else 2 if f[0].u0 >= gutter[1] - 1 else 0
                 for f in frs] if gutter else [0]
        if 0 in sides:  # a full-width line (or a one-column page)
            flush()
            out.append(Line(_text(flat), _union(g.box for g in flat), v, flat[0].em, 0))
            continue
        for side in (1, 2):
            seq = [g for f, s in zip(frs, sides) if s == side for g in f]
            if seq:
                band[side].append(Line(_text(seq), _union(g.box for g in seq), v, seq[0].em, side))
    flush()
    return out


def _has_grid(page) -> bool:
    """Enough horizontal and vertical rules for a ruled table (find_tables is costly)."""
    h = v = 0
    for o in page.rects + page.lines:
        w, ht = o["x1"] - o["x0"], o["bottom"] - o["top"]
        if o["object_type"] == "rect" and w > 2 and ht > 2:
            h, v = h + 2, v + 2
        elif w >= ht:
            h += 1
        else:
            v += 1
    return h >= 2 and v >= 2 and h + v >= 5  # a lone frame (a certificate border) is no table


def _cell(box, by_y: list[G], ys: list[float], used: set[int]) -> str:
    x0, top, x1, bot = box
    inside = [g for g in by_y[bisect_left(ys, top):bisect_right(ys, bot)]
              if x0 <= (g.box[0] + g.box[2]) / 2 <= x1 and id(g) not in used]
    used.update(id(g) for g in inside)
    return _join_lines([_text(r) for r in _rows(inside)]) if inside else ""


def _tables(page, upright: list[G]):
    """Ruled tables (a lone frame is none): their boxes, rows of cell texts, and the glyphs they hold."""
    found = [t for t in page.find_tables() if sum(c is not None for r in t.rows for c in r.cells) >= 2]
    used: set[int] = set()
    result = []
    by_y = sorted(upright, key=lambda g: g.box[1] + g.box[3])
    ys = [(g.box[1] + g.box[3]) / 2 for g in by_y]
    for t in found:
        rows = [[_cell(c, by_y, ys, used) if c else "" for c in row.cells] for row in t.rows]
        rows = [r for r in rows if any(r)]
        if rows:
            result.append((t.bbox, rows))
    return result, used


def _read_page(page) -> tuple[list[Line], list[Table], bool]:
    """Lines in reading order, tables, and whether the page needs OCR (an image and no text)."""
    w, h = page.width, page.height
    if (page.rotation or 0) % 180 == 90:
        # pdfplumber gives glyphs in displayed positions, but width/height are rotated for some
        # files and not for others: on a quarter-turned page, clip only to the larger side
        w = h = max(w, h)
    groups: dict[int, list[G]] = {0: [], 1: [], 2: [], 3: []}
    for c in page.chars:
        if c["x1"] < 0 or c["x0"] > w or c["bottom"] < 0 or c["top"] > h:
            continue
        q, g = _glyph(c)
        groups[q].append(g)
    cids = sum(1 for q in groups for g in groups[q] if g.text.startswith("(cid:"))
    if cids > 0.3 * sum(len(v) for v in groups.values()):
        return [], [], True  # glyphs without a Unicode mapping: only OCR can read this page
    tables: list[Table] = []
    placed: list[tuple[float, list[str], tuple]] = []
    if groups[0] and _has_grid(page):
        found, used = _tables(page, groups[0])
        if used:
            groups[0] = [g for g in groups[0] if id(g) not in used]
        for bbox, rows in found:
            tables.append(Table(page=page.page_number, rows=rows))
            placed.append((bbox[1], [CELL_SEP.join(r) for r in rows], tuple(bbox)))
    order = sorted((q for q in groups if groups[q] or (q == 0 and placed)), key=lambda q: -len(groups[q]))
    lines: list[Line] = []
    for q in order:
        lines.extend(_layout(groups[q], placed if q == 0 else []))
    has_image = False
    if not any(ln.text.strip() for ln in lines):
        area = w * h
        has_image = any((im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) >= 0.01 * area for im in page.images)
    return lines, tables, has_image


def _blocks(number: int, lines: list[Line]) -> list[TextBlock]:
    """Consecutive lines of one column (or one table) that follow at about line spacing."""
    blocks: list[TextBlock] = []
    cur: list[Line] = []

    def flush():
        if cur:
            blocks.append(TextBlock(page=number, text="\n".join(ln.text for ln in cur),
                                    bbox=_union([ln.bbox for ln in cur]), source=cur[0].source))
            cur.clear()

    for ln in lines:
        if cur and (ln.stream != cur[-1].stream
                    or (ln.source != "table" and not 0 <= ln.v - cur[-1].v <= 2.0 * max(ln.em, cur[-1].em))):
            flush()
        cur.append(ln)
    flush()
    return blocks


def _open(data: bytes):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdftypes import resolve1

    if not data.lstrip()[:1024].count(b"%PDF"):
        raise ExtractFailure("corrupt", "不是 PDF 文件")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        count = resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count"))
        if not isinstance(count, int) or count < 0:
            count = len(pdf.pages)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds; classify them
        chain, e = [], exc
        while e is not None:
            chain.append(e)
            e = e.__cause__ or e.__context__
        if any(isinstance(x, (PDFPasswordIncorrect, PDFEncryptionError)) for x in chain):
            raise ExtractFailure("encrypted") from exc
        raise ExtractFailure("corrupt", "PDF 结构无法解析") from exc
    if b"%%EOF" not in data:
        pdf.close()
        raise ExtractFailure("corrupt", "文件不完整（被截断）")
    return pdf, count


def _ocr_page(data: bytes, index: int, dpi: int, state: dict) -> Page:
    """Render a scanned page and OCR it the way images are OCR'd (orientation, reading order,
    post-correction); block positions are given back in PDF points."""
    import pypdfium2 as pdfium

    from extract.formats.image import ocr_page

    if "doc" not in state:
        state["doc"] = pdfium.PdfDocument(data)
    page = state["doc"][index]
    try:
        image = page.render(scale=dpi / 72.0, grayscale=True).to_pil()
    finally:
        page.close()
    result = ocr_page(image, index + 1)
    to_points = 72.0 / dpi
    for block in result.blocks:
        if block.bbox is not None:
            block.bbox = tuple(round(v * to_points, 1) for v in block.bbox)
    return result


@register("pdf")
def extract_pdf(data: bytes, ctx: ExtractContext) -> list[Page]:
    pdf, count = _open(data)
    state: dict = {}
    try:
        if count > ctx.limits.max_pages:
            raise ExtractFailure("too_large", f"共 {count} 页，上限 {ctx.limits.max_pages} 页")
        pages: list[Page] = []
        scans: list[int] = []
        failed = 0
        for i, page in enumerate(pdf.pages):
            if i >= ctx.limits.max_pages:
                raise ExtractFailure("too_large", f"超过 {ctx.limits.max_pages} 页")
            try:
                lines, tables, has_image = _read_page(page)
            except Exception as exc:  # noqa: BLE001 - one unreadable page must not lose the others
                log.warning("%s: page %d unreadable: %s", ctx.path, i + 1, exc)
                failed += 1
                lines, tables, has_image = [], [], False
            finally:
                page.close()
            text = "\n".join(ln.text for ln in lines)
            pages.append(Page(number=i + 1, text=text, tables=tables, blocks=_blocks(i + 1, lines)))
            if has_image:
                scans.append(i)
        if not pages:
            raise ExtractFailure("empty", "PDF 没有页面")
        if failed == len(pages):
            raise ExtractFailure("corrupt", "没有可解析的页面")
        has_text = any(p.text.strip() for p in pages)
        if scans and ctx.limits.ocr:
            for i in scans:
                pages[i] = _ocr_page(data, i, ctx.limits.ocr_dpi, state)
        elif scans and not has_text:
            raise ExtractFailure("needs_ocr", f"{len(scans)} 页是图片，OCR 已关闭")
        if not has_text and not scans:
            raise ExtractFailure("empty", "没有文字层，也没有图片")
        return pages
    finally:
        if "doc" in state:
            state["doc"].close()
        pdf.close()
