"""Blocks → .docx with python-docx (formats docx, docx_header, docx_textbox).

- docx: everything in the body; the red rule is a paragraph border, tables are real tables.
- docx_header: the issuer line (block "head") and its rule are the page header part.
- docx_textbox: the body holds one empty paragraph anchoring DrawingML text boxes
  (mc:AlternateContent with a VML fallback, as Word saves them), top to bottom in reading order.
Fonts are named as real documents name them (仿宋_GB2312, 方正小标宋简体, 黑体); LibreOffice
substitutes the installed CJK font. Zip entries and core properties carry fixed timestamps.
"""

from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from corpus.render import RIGHT_INDENT_CHARS, STYLE, Block
from corpus.spec import DocSpec
from corpus.zipfix import fixed_zip

FONTS = {"song": "仿宋_GB2312", "title": "方正小标宋简体", "hei": "黑体"}
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
RED = RGBColor(0xE6, 0x00, 0x00)
FIXED_ZIP = (2024, 1, 1, 0, 0, 0)
FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)
PORTRAIT = (Mm(210), Mm(297), Mm(37), Mm(35), Mm(28), Mm(26))  # w, h, top, bottom, left, right (GB/T 9704)
LANDSCAPE = (Mm(297), Mm(210), Mm(20), Mm(20), Mm(25), Mm(25))
FIT_KINDS = ("head", "masthead")
BOX_NS = ('xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:v="urn:schemas-microsoft-com:vml"')


def _fit(kind: str, text: str, width_pt: float) -> float:
    size = STYLE[kind].size
    return min(size, 0.95 * width_pt / max(1, len(text))) if kind in FIT_KINDS else size


def _font(run, font: str, size: float, red: bool, spacing_pt: float = 0.0) -> None:
    run.font.size = Pt(size)
    run.font.name = FONTS[font]
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONTS[font])
    if red:
        run.font.color.rgb = RED
    if spacing_pt:
        sp = parse_xml(f'<w:spacing {nsdecls("w")} w:val="{int(spacing_pt * 20)}"/>')
        rpr.append(sp)


def _border(paragraph, side: str = "bottom", sz: int = 18) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:{side} w:val="single" w:sz="{sz}" w:space="1" '
                         'w:color="E60000"/></w:pBdr>'))


def _para(container, kind: str, text: str, width_pt: float, first: bool = False):
    st = STYLE[kind]
    p = container.add_paragraph()
    p.alignment = ALIGN[st.align]
    pf = p.paragraph_format
    pf.space_after = Pt(0)
    pf.space_before = Pt(st.before)
    size = _fit(kind, text, width_pt)
    pf.line_spacing = Pt(max(size * 1.6, 18))
    if st.indent and not (kind == "cert_para" and text.endswith("：")):
        pf.first_line_indent = Pt(size * st.indent)
    if kind in ("sign", "date"):
        pf.right_indent = Pt(size * RIGHT_INDENT_CHARS)
    if text:
        run = p.add_run(text)
        _font(run, st.font, size, st.red, spacing_pt=size * 0.6 if kind == "cert_title" else 0.0)
    return p


def _table(doc, rows: list[list[str]], width_pt: float) -> None:
    ncols = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    longest = [max(max(len(x) for x in (r[k] if k < len(r) else "").split("\n")) for r in rows) + 2
               for k in range(ncols)]
    total = sum(longest)
    for k, col in enumerate(table.columns):
        col.width = Pt(width_pt * longest[k] / total)
    for r, row in enumerate(rows):
        for k in range(ncols):
            cell = table.cell(r, k)
            cell.width = Pt(width_pt * longest[k] / total)
            lines = (row[k] if k < len(row) else "").split("\n")
            for i, line in enumerate(lines):
                p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                p.paragraph_format.space_after = Pt(0)
                if line:
                    _font(p.add_run(line), "song", STYLE["table"].size, False)


def _setup(doc, landscape: bool) -> float:
    w, h, top, bottom, left, right = LANDSCAPE if landscape else PORTRAIT
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = w, h
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = top, bottom, left, right
    sec.header_distance = Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONTS["song"], Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONTS["song"])
    props = doc.core_properties
    props.author = props.last_modified_by = "Administrator"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    return (w - left - right) / 12700  # text width in pt


def _body(doc, spec: DocSpec, blocks: list[Block], width_pt: float) -> None:
    in_header = spec.format == "docx_header"
    header_para = None
    for b in blocks:
        if in_header and b.kind == "head" and header_para is None:
            hdr = doc.sections[0].header
            hdr.is_linked_to_previous = False
            header_para = _para(hdr, "head", b.text, width_pt)
            hdr.paragraphs[0]._p.getparent().remove(hdr.paragraphs[0]._p)
            _border(header_para)
            continue
        if in_header and b.kind == "rule":
            continue
        if b.kind == "rule":
            _border(_para(doc, "rule", "", width_pt))
        elif b.kind == "pagebreak":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif b.kind == "table":
            _table(doc, b.rows, width_pt)
        elif b.kind == "cc":
            p = _para(doc, "cc", b.text, width_pt)
            _border(p, "top", 6)
        else:
            for line in b.text.split("\n"):
                _para(doc, b.kind, line, width_pt)


# ---------------------------------------------------------------- text boxes

def _xml_para(kind: str, text: str, width_pt: float) -> str:
    st = STYLE[kind]
    size = _fit(kind, text, width_pt)
    jc = {"justify": "both"}.get(st.align, st.align)
    color = '<w:color w:val="E60000"/>' if st.red else ""
    spacing = f'<w:spacing w:val="{int(size * 12)}"/>' if kind == "cert_title" else ""
    runs = []
    for i, part in enumerate(text.split("\t")):
        if i:
            runs.append("<w:r><w:tab/></w:r>")
        font = FONTS[st.font]
        runs.append(f'<w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}"/>{color}{spacing}'
                    f'<w:sz w:val="{int(size * 2)}"/></w:rPr><w:t xml:space="preserve">{escape(part)}</w:t></w:r>')
    return f'<w:p><w:pPr><w:jc w:val="{jc}"/></w:pPr>{"".join(runs)}</w:p>'


def _box(shape_id: int, x: float, y: float, w: float, h: float, paras: str) -> str:
    emu = lambda v: int(v * 12700)  # noqa: E731
    wps = (
        '<w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" '
        f'relativeHeight="{shape_id}" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{emu(x)}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{emu(y)}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{emu(w)}" cy="{emu(h)}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'<wp:docPr id="{shape_id}" name="文本框 {shape_id}"/><wp:cNvGraphicFramePr/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{emu(w)}" cy="{emu(h)}"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
        f'<wps:txbx><w:txbxContent>{paras}</w:txbxContent></wps:txbx>'
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="t">'
        '<a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'
    )
    vml = (f'<w:pict><v:rect id="_x0000_s{1024 + shape_id}" style="position:absolute;margin-left:{x:g}pt;'
           f'margin-top:{y:g}pt;width:{w:g}pt;height:{h:g}pt;z-index:{shape_id};mso-position-horizontal-relative:page;'
           f'mso-position-vertical-relative:page" filled="f" stroked="f"><v:textbox inset="0,0,0,0">'
           f'<w:txbxContent>{paras}</w:txbxContent></v:textbox></v:rect></w:pict>')
    return (f'<w:r {nsdecls("w", "wp")} {BOX_NS}><mc:AlternateContent><mc:Choice Requires="wps">{wps}'
            f'</mc:Choice><mc:Fallback>{vml}</mc:Fallback></mc:AlternateContent></w:r>')


def _textboxes(doc, blocks: list[Block], page_w: float) -> None:
    """Groups of blocks as boxes, top to bottom: title; body; signature/date/seal; serial."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    where = {"cert_title": "title", "sign": "sign", "date": "sign", "seal": "sign", "serial": "serial"}
    for b in blocks:
        lines = ["\t".join(r) for r in b.rows] if b.kind == "table" else b.text.split("\n")
        kind = "cert_para" if b.kind in ("table", "caption") else b.kind
        group = where.get(b.kind, "body")
        if not groups or groups[-1][0] != group:
            groups.append((group, []))
        groups[-1][1].extend((kind, line) for line in lines)
    margin, y = 70.0, 60.0
    anchor = doc.add_paragraph()
    for n, (group, lines) in enumerate(groups, start=1):
        height = sum(_fit(k, t, page_w) * 1.5 for k, t in lines) + 10
        x, w = (page_w * 0.55, page_w * 0.4) if group == "sign" else (margin, page_w - 2 * margin)
        if group == "serial":
            w = page_w * 0.5
        paras = "".join(_xml_para(k, t, w) for k, t in lines)
        anchor._p.append(parse_xml(_box(n, x, y, w, height, paras)))
        y += height + 12


def build(spec: DocSpec, blocks: list[Block]) -> bytes:
    """The .docx bytes of the blocks (spec.format decides docx / docx_header / docx_textbox;
    any other format gets the plain docx, the source of pdf_export and doc/wps)."""
    doc = docx.Document()
    landscape = spec.layout == "certificate"
    width_pt = _setup(doc, landscape)
    if spec.format == "docx_textbox":
        _textboxes(doc, blocks, (LANDSCAPE if landscape else PORTRAIT)[0] / 12700)
    else:
        _body(doc, spec, blocks, width_pt)
    # python-docx's template starts with no paragraph, so nothing to remove; save deterministically
    buf = io.BytesIO()
    doc.save(buf)
    return fixed_zip(buf.getvalue(), FIXED_ZIP)
