"""Blocks → PDF drawn directly with reportlab and the WenQuanYi TTF (embedded subset).

Variants (spec.format, or the `variant` argument):
- pdf_direct: plain lines, wrapped per character (Latin/digit runs kept whole, closing
  punctuation may hang past the margin), GB/T 9704 margins; certificates landscape in a red frame.
- pdf_faux_bold: issuer line, masthead and titles drawn twice, offset by (0.3, 0.2) pt.
- pdf_justified: prose wrapped 14–28 % short of the measure and stretched with character spacing
  (Tc), titles letter-spaced, as Word's justified CJK lines come out of PDF export.
- pdf_two_column: press body flows in two columns below the headline.
- pdf_rotated: every page is stored landscape-for-portrait with /Rotate 90, content turned so
  that a viewer shows it upright.
Deterministic: invariant=1 fixes dates and /ID; the justified widths come from the spec's seed.
"""

from __future__ import annotations

import io
import random
import re

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from corpus.render import RIGHT_INDENT_CHARS, STYLE, Block, seed_of
from corpus.spec import DocSpec

FONT = "wqy"
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
RED = Color(0.9, 0, 0)
NO_START = set("，。、；：？！）》」』】〕”’…%,.;:?!)]")
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/%]*|.", re.S)
BOLD_KINDS = {"head", "masthead", "title", "cert_title"}
PROSE = {"para", "news", "cert_para", "recipients"}
FAUX_OFFSET = (0.3, 0.2)
if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))


def width_of(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def wrap(text: str, size: float, width: float, first_indent: float = 0.0, spacing: float = 0.0) -> list[str]:
    """Lines of at most `width` pt (the first `first_indent` narrower), `spacing` pt after each glyph."""
    lines, cur, cur_w = [], "", 0.0
    for tok in TOKEN.findall(text):
        w = width_of(tok, size) + spacing * len(tok)
        avail = width - (first_indent if not lines else 0.0)
        if cur and cur_w + w > avail and tok[0] not in NO_START:
            lines.append(cur)
            cur, cur_w = "", 0.0
        cur += tok
        cur_w += w
    if cur or not lines:
        lines.append(cur)
    return lines


class Page:
    def __init__(self, spec: DocSpec, variant: str):
        self.variant, self.spec = variant, spec
        self.rng = random.Random(seed_of(spec))
        land = spec.layout == "certificate"
        self.pw, self.ph = landscape(A4) if land else A4
        self.top, self.bottom, self.left, self.right = ((55, 50, 70, 70) if land
                                                        else (37 * mm, 35 * mm, 28 * mm, 26 * mm))
        self.width = self.pw - self.left - self.right
        self.buf = io.BytesIO()
        media = (self.ph, self.pw) if variant == "pdf_rotated" else (self.pw, self.ph)
        self.c = canvas.Canvas(self.buf, pagesize=media, invariant=1, pageCompression=1)
        self.c.setTitle(spec.title)
        self.c.setCreator("Microsoft Word")
        self.columns = False
        self._begin()

    # -- pages and columns
    def _begin(self) -> None:
        c = self.c
        if self.variant == "pdf_rotated":
            c.setPageRotation(90)
            c.translate(self.ph, 0)
            c.rotate(90)
        if self.spec.layout == "certificate":
            c.setStrokeColor(RED)
            c.setLineWidth(3)
            c.rect(25, 25, self.pw - 50, self.ph - 50)
        self.y = self.ph - self.top
        self.col, self.col_top = 0, self.y

    @property
    def frame(self) -> tuple[float, float]:
        if not self.columns:
            return self.left, self.width
        gutter = 2 * STYLE["news"].size  # the extractor splits columns at gaps over 1.5 em
        w = (self.width - gutter) / 2
        return self.left + self.col * (w + gutter), w

    def new_page(self) -> None:
        self.c.showPage()
        self._begin()

    def need(self, h: float) -> None:
        floor = self.col_floor if self.columns and self.col == 0 else self.bottom
        if self.y - h >= floor - 0.01:
            return
        if self.columns and self.col == 0:
            self.col_low = min(self.col_low, self.y)
            self.col, self.y = 1, self.col_top
        else:
            self.new_page()
            if self.columns:
                self.col_top, self.col_floor = self.y, self.bottom

    def start_columns(self, news: list[Block]) -> None:
        """Two balanced columns for the news paragraphs that follow."""
        if self.variant != "pdf_two_column" or self.columns:
            return
        self.columns, self.col, self.col_top, self.col_low = True, 0, self.y, self.y
        st = STYLE["news"]
        _, w = self.frame
        lines = sum(len(wrap(p, st.size, w, st.size * st.indent)) for b in news for p in b.text.split("\n"))
        self.col_floor = max(self.bottom, self.y - -(-lines // 2) * st.size * 1.75)

    def end_columns(self) -> None:
        if self.columns:
            self.columns = False
            self.y = min(self.col_low, self.y)

    # -- drawing
    def draw(self, text: str, x: float, baseline: float, size: float, kind: str, spacing: float = 0.0) -> None:
        c = self.c
        c.setFillColor(RED if STYLE[kind].red else black)
        passes = [(0.0, 0.0)]
        if self.variant == "pdf_faux_bold" and kind in BOLD_KINDS:
            passes.append(FAUX_OFFSET)
        for dx, dy in passes:
            t = c.beginText(x + dx, baseline + dy)
            t.setFont(FONT, size)
            if spacing:
                t.setCharSpace(spacing)
            t.textOut(text)
            if spacing:
                t.setCharSpace(0)
            c.drawText(t)

    def line(self, text: str, kind: str, size: float, lead: float, align: str, indent: float = 0.0,
             stretch: bool = False, spacing: float = 0.0) -> None:
        self.need(lead)
        self.y -= lead
        x0, w = self.frame
        baseline = self.y + (lead - size) / 2 + 0.12 * size
        n = len(text)
        if stretch and n > 1:
            spacing = max(0.0, (w - indent - width_of(text, size)) / (n - 1))
        tw = width_of(text, size) + spacing * max(0, n - 1)
        if align == "center":
            x = x0 + (w - tw) / 2
        elif align == "right":
            x = x0 + w - tw - (RIGHT_INDENT_CHARS * size if kind in ("sign", "date") else 0)
        else:
            x = x0 + indent
        self.draw(text, x, baseline, size, kind, spacing)

    def paragraph(self, b: Block) -> None:
        st = STYLE[b.kind]
        _, w = self.frame
        justified = self.variant == "pdf_justified"
        factor = 0.0  # letter spacing in em
        if justified and b.kind in BOLD_KINDS:
            factor = 0.9 if b.kind == "cert_title" else 0.3
        elif b.kind == "cert_title":
            factor = 0.6
        size = st.size
        if b.kind in ("head", "masthead"):  # one line, whatever its length
            size = min(size, 0.92 * w / max(1, len(b.text)) / (1 + factor))
        spacing = size * factor
        lead = size * (1.45 if b.kind in BOLD_KINDS else 1.75)
        self.y -= st.before
        indent = size * st.indent if st.indent and not b.text.endswith("：") else 0.0
        for raw in b.text.split("\n"):
            measure = w * (self.rng.uniform(0.72, 0.86) if justified and b.kind in PROSE else 1.0)
            if b.kind in BOLD_KINDS:
                measure = w * (0.98 if b.kind in ("head", "masthead") else 0.9)
            lines = wrap(raw, size, measure + spacing, indent, spacing)
            for i, text in enumerate(lines):
                last = i == len(lines) - 1
                stretch = (justified and b.kind in PROSE or self.columns) and not last
                align = "left" if st.align == "justify" else st.align
                self.line(text, b.kind, size, lead, align, indent if i == 0 else 0.0, stretch, spacing)

    def rule(self, red: bool = True, thick: float = 1.8, gap: float = 8.0) -> None:
        self.y -= gap
        x0, w = self.frame
        self.c.setStrokeColor(RED if red else black)
        self.c.setLineWidth(thick)
        self.c.line(x0, self.y, x0 + w, self.y)
        self.y -= gap / 2

    def table(self, rows: list[list[str]]) -> None:
        size = STYLE["table"].size
        lead, pad = size * 1.5, 4.0
        x0, w = self.frame
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        want = [max(max(width_of(line, size) for line in r[k].split("\n")) for r in rows) + 2 * pad
                for k in range(ncols)]
        widths = [max(size * 3, v) for v in want]
        if sum(widths) > w:  # shrink the wide columns
            fixed = [v for v in widths if v <= w / ncols]
            rest = w - sum(fixed)
            wide = sum(v for v in widths if v > w / ncols)
            widths = [v if v <= w / ncols else v * rest / wide for v in widths]
        else:
            widths = [v * w / sum(widths) for v in widths]
        self.y -= STYLE["table"].before
        self.c.setStrokeColor(black)
        self.c.setLineWidth(0.7)
        for row in rows:
            cells = [[ln for part in row[k].split("\n") for ln in wrap(part, size, widths[k] - 2 * pad)]
                     for k in range(ncols)]
            h = max(len(c) for c in cells) * lead + 2 * pad
            self.need(h)
            x0, _ = self.frame
            top, bottom = self.y, self.y - h
            xs = [x0]
            for v in widths:
                xs.append(xs[-1] + v)
            self.c.line(xs[0], top, xs[-1], top)
            self.c.line(xs[0], bottom, xs[-1], bottom)
            for x in xs:
                self.c.line(x, top, x, bottom)
            for k, lines in enumerate(cells):
                for i, text in enumerate(lines):
                    baseline = top - pad - (i + 1) * lead + (lead - size) / 2 + 0.12 * size
                    self.draw(text, xs[k] + pad, baseline, size, "table")
            self.y = bottom

    def seal(self, text: str) -> None:
        size = STYLE["seal"].size
        r = max(34.0, width_of(text, size) * 0.62)
        self.y -= STYLE["seal"].before
        self.need(2 * r + 4)
        x0, w = self.frame
        cx, cy = x0 + w - RIGHT_INDENT_CHARS * 16 - r, self.y - r
        self.c.setStrokeColor(RED)
        self.c.setLineWidth(1.6)
        self.c.circle(cx, cy, r)
        self.draw(text, cx - width_of(text, size) / 2, cy - size * 0.35, size, "seal")
        self.y -= 2 * r + 4

    def dateline(self, text: str) -> None:
        size, lead = STYLE["dateline"].size, STYLE["dateline"].size * 1.8
        parts = text.split("　")
        self.need(lead)
        self.y -= lead
        x0, w = self.frame
        self.draw(parts[0], x0, self.y + 0.3 * size, size, "dateline")
        if len(parts) > 1:
            rest = "　".join(parts[1:])
            self.draw(rest, x0 + w - width_of(rest, size), self.y + 0.3 * size, size, "dateline")
        self.rule(red=False, thick=1.2, gap=4)

    def finish(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def build(spec: DocSpec, blocks: list[Block], variant: str | None = None) -> bytes:
    page = Page(spec, variant or spec.format)
    for n, b in enumerate(blocks):
        if b.kind == "news":
            page.start_columns([x for x in blocks[n:] if x.kind == "news"])
        else:
            page.end_columns()
        if b.kind == "pagebreak":
            page.new_page()
        elif b.kind == "rule":
            page.rule()
        elif b.kind == "table":
            page.table(b.rows)
        elif b.kind == "seal":
            page.seal(b.text)
        elif b.kind == "dateline":
            page.dateline(b.text)
        elif b.kind == "cc":
            page.rule(red=False, thick=0.7, gap=14)
            page.paragraph(b)
            page.rule(red=False, thick=0.7, gap=6)
        else:
            page.paragraph(b)
    return page.finish()
