"""DOCX extraction with python-docx's package reader and its lxml element tree.

Reads body paragraphs and tables in document order (w:sdt, w:customXml unwrapped) and the text
Word keeps outside the body flow: text boxes and shapes (w:txbxContent in DrawingML or VML, VML
WordArt v:textpath), headers and footers of every section, footnotes and endnotes.
- mc:AlternateContent: only mc:Choice is read (mc:Fallback repeats it as VML) unless only the
  Fallback holds text, so a text box is never taken twice.
- Pages: new pages start only at explicit breaks (w:br w:type="page", w:pageBreakBefore, section
  breaks other than "continuous"); w:lastRenderedPageBreak is ignored as unreliable.
- Page.text: headers, body in order (text boxes right after the paragraph holding their anchor,
  several in one paragraph sorted top-to-bottom then left-to-right when all have offsets),
  footnotes (on their reference's page; endnotes on the last page), footers. A header part is
  shown once, on the first page of the first section using it; a footer on that section's last.
- Tables: grid-aligned rows; a merged cell's text sits in its top-left position and the positions
  it covers are "". In Page.text a row is its non-empty cells joined by tabs. Nested tables are in
  their cell's text and also listed on their own, after the outer table.
- Not read: hidden runs (w:vanish), deleted revisions, field codes, ruby text, comments.
- Pictures are OCR'd (source "ocr", after the page's body) when the document has under 100
  characters of text (a scanned certificate pasted into Word, maybe under a caption) and
  ctx.limits.ocr is on; a document with pictures and no text at all is otherwise "needs_ocr".
"""

from __future__ import annotations

import io
import re
import zipfile

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.package import OpcPackage
from lxml import etree

from extract.errors import ExtractFailure
from extract.registry import ExtractContext, register
from records import Page, Table, TextBlock

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
V = "{urn:schemas-microsoft-com:vml}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

SKIP = {W + t for t in ("pPr", "rPr", "tblPr", "trPr", "tcPr", "sectPr", "del", "moveFrom", "instrText",
                         "delText", "rt", "sdtPr", "sdtEndPr", "tblGrid", "customXmlPr", "commentReference")}
TEXTY = (W + "t", W + "txbxContent", V + "textpath")
NOTE_SKIP_TYPES = {"separator", "continuationSeparator", "continuationNotice"}
PAGE_BREAK = "\f"  # marks a page break in a paragraph's text; XML text cannot hold \f itself
CHARS = {W + "tab": "\t", W + "ptab": "\t", W + "cr": "\n", W + "noBreakHyphen": "-"}
MAX_XML_BYTES = 512 * 1024 * 1024
OCR_TEXT_BELOW = 100  # OCR the pictures of documents with less text than this (a caption + a scan)
OCR_MAX_IMAGES = 30
UNITS = {"pt": 12700, "in": 914400, "cm": 360000, "mm": 36000, "px": 9525, "": 12700}
_parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def _alt_branch(alt):
    """The branch of mc:AlternateContent to read: Choice, or Fallback when only it has text."""
    choice, fallback = alt.find(MC + "Choice"), alt.find(MC + "Fallback")
    has_text = lambda el: next(el.iter(*TEXTY), None) is not None  # noqa: E731
    if choice is not None and (fallback is None or has_text(choice) or not has_text(fallback)):
        return choice
    return fallback if fallback is not None else ()


def _vml_offset(style: str):
    vals = {}
    for key, num, unit in re.findall(r"(margin-top|margin-left|top|left)\s*:\s*(-?[\d.]+)\s*([a-z]*)", style):
        vals.setdefault(key.replace("margin-", ""), float(num) * UNITS.get(unit, 12700))
    return (vals["top"], vals["left"]) if "top" in vals and "left" in vals else None


def _box_position(box, stop):
    """(top, left) in EMU of a text box's anchor, or None; `stop` is the holding paragraph."""
    top = left = 0.0
    el = box.getparent()
    while el is not None and el is not stop:
        tag = el.tag
        if tag == WP + "inline":
            return None
        if tag == WP + "anchor":
            v, h = el.find(f"{WP}positionV/{WP}posOffset"), el.find(f"{WP}positionH/{WP}posOffset")
            if v is None or h is None:
                return None
            return (top + float(v.text or 0), left + float(h.text or 0))
        if tag.startswith(V) and _vml_offset(el.get("style", "")):
            return _vml_offset(el.get("style", ""))
        parent = el.getparent()
        if parent is not None and parent.tag.endswith(("}wgp", "}grpSp")):  # member of a group shape
            off = el.find(f"*/{A}xfrm/{A}off")
            if off is not None:
                top, left = top + float(off.get("y", 0)), left + float(off.get("x", 0))
        el = el.getparent()
    return None


def _tidy(text: str) -> str:
    """Drop empty lines and the spaces (indentation, U+3000 too) at the ends of each line."""
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _count(el, default: int) -> int:
    """An integer w:val (grid spans), capped at Word's 63 columns."""
    return default if el is None else max(0, min(int(el.get(W + "val", default)), 63))


def _on(el) -> bool:
    """A w:ON/OFF property such as w:vanish is present and not switched off."""
    return el is not None and el.get(W + "val", "true") not in ("0", "false", "off")


class _Walker:
    def __init__(self, doc_part, ctx: ExtractContext):
        self.part, self.ctx = doc_part, ctx
        self.pages: list[dict] = []
        self.note_pages: dict[tuple[str, str], int] = {}
        self.images: list[tuple[int, str]] = []
        self.section_spans: list[list[int]] = []  # [first page, last page] per section
        self._new_page()

    def _new_page(self):
        if len(self.pages) >= self.ctx.limits.max_pages:
            raise ExtractFailure("too_large", f"超过 {self.ctx.limits.max_pages} 页")
        self.pages.append({"header": [], "body": [], "notes": [], "footer": [], "tables": [], "ocr": []})

    @property
    def page(self) -> int:
        return len(self.pages)

    def _emit(self, part: str, text: str, source: str, page: int | None = None):
        text = _tidy(text)
        if text:
            self.pages[(page or self.page) - 1][part].append((text, source))

    def _inline(self, el, out: list, boxes: list):
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIP:
                continue
            if tag == W + "t":
                out.append(child.text or "")
            elif tag in CHARS:
                out.append(CHARS[tag])
            elif tag == W + "br":
                out.append(PAGE_BREAK if child.get(W + "type") == "page" else "\n")
            elif tag == W + "r" and _on(child.find(f"{W}rPr/{W}vanish")):
                continue
            elif tag in (W + "footnoteReference", W + "endnoteReference"):
                key = ("footnote" if tag.endswith("footnoteReference") else "endnote", child.get(W + "id"))
                self.note_pages.setdefault(key, self.page)
            elif tag == W + "txbxContent":
                boxes.append(child)
            elif tag == V + "textpath" and child.get("string"):
                boxes.append(child)
            elif tag == MC + "AlternateContent":
                self._inline(_alt_branch(child), out, boxes)
            else:
                if tag in (A + "blip", V + "imagedata"):
                    rid = child.get(R + "embed") or child.get(R + "id")
                    if rid:
                        self.images.append((self.page, rid))
                self._inline(child, out, boxes)

    def _paragraph(self, p):
        """(pieces split at page breaks, text boxes in reading order)."""
        out: list = []
        boxes: list = []
        self._inline(p, out, boxes)
        segments = "".join(out).split(PAGE_BREAK)
        keys = [_box_position(b, p) for b in boxes]
        if len(boxes) > 1 and all(k is not None for k in keys):
            order = sorted(range(len(boxes)), key=lambda i: (round(keys[i][0] / 72000), keys[i][1]))
            boxes = [boxes[i] for i in order]
        return segments, boxes

    def _box_text(self, box) -> str:
        return box.get("string", "") if box.tag == V + "textpath" else self.flow_text(box)

    def flow_text(self, container, tables: list | None = None) -> str:
        """Text of a cell, text box, header or note; page breaks there become newlines."""
        tables = self.pages[self.page - 1]["tables"] if tables is None else tables
        lines: list[str] = []
        for child in self._blocks(container):
            if child.tag == W + "p":
                segments, boxes = self._paragraph(child)
                lines.append("\n".join(segments))
                lines.extend(self._box_text(b) for b in boxes)
            else:
                lines.append(self._table(child, tables))
        return _tidy("\n".join(lines))

    def _blocks(self, container):
        """w:p and w:tbl children in order, unwrapping content controls and custom XML."""
        for child in container:
            tag = child.tag
            if tag in (W + "p", W + "tbl"):
                yield child
            elif tag in (W + "sdt", W + "customXml", W + "sdtContent", W + "ins", W + "moveTo", W + "smartTag"):
                yield from self._blocks(child)
            elif tag == MC + "AlternateContent":
                yield from self._blocks(_alt_branch(child))

    def _children(self, parent, tag: str):
        """Rows of a table or cells of a row, unwrapping content controls."""
        for child in parent:
            if child.tag == tag:
                yield child
            elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins"):
                yield from self._children(child, tag)

    def _table(self, tbl, tables: list) -> str:
        """Add the table (then its nested tables) to `tables`; return its text."""
        slot = len(tables)
        tables.append(None)
        rows: list[list[str]] = []
        for tr in self._children(tbl, W + "tr"):
            row: list[str] = []
            row.extend([""] * _count(tr.find(f"{W}trPr/{W}gridBefore"), 0))
            for tc in self._children(tr, W + "tc"):
                vmerge = tc.find(f"{W}tcPr/{W}vMerge")
                covered = vmerge is not None and vmerge.get(W + "val", "continue") == "continue"
                row.append("" if covered else self.flow_text(tc, tables))
                row.extend([""] * (_count(tc.find(f"{W}tcPr/{W}gridSpan"), 1) - 1))
            row.extend([""] * _count(tr.find(f"{W}trPr/{W}gridAfter"), 0))
            rows.append(row)
        tables[slot] = rows
        return "\n".join("\t".join(c for c in row if c) for row in rows if any(row))

    def body(self, body):
        sect_types = [s.find(W + "type") for s in body.iter(W + "sectPr") if s.getparent().tag != W + "sectPrChange"]
        sect_types = [t.get(W + "val", "nextPage") if t is not None else "nextPage" for t in sect_types]
        self.section_spans = [[1, 1]]
        for child in self._blocks(body):
            if child.tag == W + "tbl":
                tables = self.pages[self.page - 1]["tables"]
                self._emit("body", self._table(child, tables), "table")
                continue
            ppr = child.find(W + "pPr")
            if _on(ppr.find(W + "pageBreakBefore") if ppr is not None else None):
                if any(self.pages[-1][k] for k in ("body", "tables")):
                    self._new_page()
            segments, boxes = self._paragraph(child)
            for i, seg in enumerate(segments):
                if i:
                    self._new_page()
                self._emit("body", seg, "body")
            for box in boxes:
                self._emit("body", self._box_text(box), "textbox")
            if ppr is not None and ppr.find(W + "sectPr") is not None:  # end of a section
                self.section_spans[-1][1] = self.page
                nxt = len(self.section_spans)
                if nxt < len(sect_types) and sect_types[nxt] != "continuous":
                    self._new_page()
                self.section_spans.append([self.page, self.page])
        self.section_spans[-1][1] = self.page
        while len(self.pages) > 1 and not any(self.pages[-1].values()) and not (self.images and self.images[-1][0] == self.page):
            self.pages.pop()  # a break at the very end leaves no page behind
        return [s for s in body.iter(W + "sectPr") if s.getparent().tag != W + "sectPrChange"]

    def headers_footers(self, sect_prs):
        seen: set[str] = set()
        last = len(self.pages)
        for idx, sect in enumerate(sect_prs):
            first, end = (min(p, last) for p in self.section_spans[min(idx, len(self.section_spans) - 1)])
            for kind, page in (("header", first), ("footer", end)):
                refs = {r.get(W + "type", "default"): r.get(R + "id") for r in sect.findall(f"{W}{kind}Reference")}
                for typ in ("first", "default", "even"):
                    if typ == "first" and not _on(sect.find(W + "titlePg")):
                        continue  # a first-page header is shown only with w:titlePg
                    part = self.part.related_parts.get(refs.get(typ)) if refs.get(typ) else None
                    if part is None or str(part.partname) in seen:
                        continue
                    seen.add(str(part.partname))
                    text = self.flow_text(_element(part), self.pages[page - 1]["tables"])
                    if text not in (t for t, _ in self.pages[page - 1][kind]):
                        self._emit(kind, text, kind, page)

    def notes(self, reltype: str, kind: str):
        try:
            part = self.part.part_related_by(reltype)
        except (KeyError, ValueError):
            return  # no notes (or an ambiguous package: several notes parts)
        for note in _element(part).findall(f"{W}{kind}"):
            if note.get(W + "type") in NOTE_SKIP_TYPES:
                continue
            page = self.note_pages.get((kind, note.get(W + "id")), 10**9) if kind == "footnote" else 10**9
            page = min(page, len(self.pages))
            self._emit("notes", self.flow_text(note, self.pages[page - 1]["tables"]), "footnote", page)

    def ocr_images(self):
        from PIL import Image

        from extract.ocr import ocr_image

        done: set[str] = set()
        for page, rid in self.images[: OCR_MAX_IMAGES * 4]:
            part = self.part.related_parts.get(rid)
            if part is None or str(part.partname) in done or len(done) >= OCR_MAX_IMAGES:
                continue
            done.add(str(part.partname))
            try:
                img = Image.open(io.BytesIO(part.blob))
                img.load()
            except Exception:  # noqa: BLE001 - EMF/WMF and broken pictures are skipped
                continue
            if min(img.size) < 100:  # rules, bullets, logos
                continue
            result = ocr_image(img)
            if result.text.strip():
                self.pages[page - 1]["ocr"].append((result.text, result.confidence))

    def result(self) -> list[Page]:
        pages = []
        for number, acc in enumerate(self.pages, start=1):
            entries = [(t, s, None) for t, s in acc["header"] + acc["body"]]
            entries += [(t, "ocr", c) for t, c in acc["ocr"]]
            entries += [(t, s, None) for t, s in acc["notes"] + acc["footer"]]
            confs = [c for _, c in acc["ocr"] if c is not None]
            tables = [Table(page=number, rows=rows) for rows in acc["tables"] if rows and any(any(r) for r in rows)]
            pages.append(Page(
                number=number, text="\n".join(t for t, _, _ in entries), tables=tables,
                blocks=[TextBlock(page=number, text=t, source=s, ocr_confidence=c) for t, s, c in entries],
                ocr=bool(acc["ocr"]), ocr_confidence=sum(confs) / len(confs) if confs else None))
        return pages


def _element(part):
    el = getattr(part, "element", None)
    if el is None:
        el = etree.fromstring(part.blob, _parser)
    return el


def _open(data: bytes, ctx: ExtractContext):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if sum(i.file_size for i in infos if i.filename.endswith((".xml", ".rels"))) > MAX_XML_BYTES:
                raise ExtractFailure("too_large", "解压后的 XML 过大")
    except zipfile.BadZipFile as exc:
        raise ExtractFailure("corrupt", "不是完整的 zip 压缩包") from exc
    except (OSError, EOFError, ValueError) as exc:
        raise ExtractFailure("corrupt", "zip 压缩包无法读取") from exc
    if "[Content_Types].xml" not in names:
        raise ExtractFailure("corrupt", "不是 Word 文档：缺少 [Content_Types].xml")
    try:
        part = OpcPackage.open(io.BytesIO(data)).main_document_part
        root = _element(part)
    except Exception as exc:  # noqa: BLE001 - any package/XML error means the file is broken
        raise ExtractFailure("corrupt", "缺少正文部分 word/document.xml 或其内容无法解析") from exc
    body = root.find(W + "body")
    if body is None:
        raise ExtractFailure("corrupt", "word/document.xml 中没有正文")
    return part, body


@register("docx")
def extract_docx(data: bytes, ctx: ExtractContext) -> list[Page]:
    part, body = _open(data, ctx)
    walker = _Walker(part, ctx)
    try:
        sect_prs = walker.body(body)
        walker.headers_footers(sect_prs)
        walker.notes(RT.FOOTNOTES, "footnote")
        walker.notes(RT.ENDNOTES, "endnote")
    except (KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise ExtractFailure("corrupt", "文档结构无法解析") from exc
    chars = sum(len(t) for acc in walker.pages for k in ("header", "body", "notes", "footer") for t, _ in acc[k])
    if not chars and not walker.images:
        raise ExtractFailure("empty", "文档中没有文字")
    if chars < OCR_TEXT_BELOW and walker.images:
        if not ctx.limits.ocr and not chars:
            raise ExtractFailure("needs_ocr", "文档中只有图片，文字识别已关闭")
        if ctx.limits.ocr:
            walker.ocr_images()
        if not chars and not any(acc["ocr"] for acc in walker.pages):
            raise ExtractFailure("empty", "文档中没有文字，图片中也未识别出文字")
    return walker.result()
