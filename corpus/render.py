"""Render DocSpecs into files: .docx, .pdf, scans (.pdf/.jpg) and legacy .doc/.wps.

`render(spec, workdir)` gives one Rendered; `render_many(specs, workdir)` renders a batch and
makes the LibreOffice conversions of the batch in one soffice call per target (pdf, doc) and
chunk (up to BATCH_SIZE files; one chunk per CPU when there are many), each with a private
profile directory, so a corpus of thousands of documents pays soffice's start-up a few times.

Every layout is first turned into a list of Blocks (below): the docx and PDF renderers lay out
the same blocks, and Rendered.text is read off them, so the text is what is printed, in reading
order (table rows as cells joined by "\\t"; a multi-line signature keeps its line breaks).

What each layout prints, in this order (fields that are None are left out):
- red_header, project_list: 份号 (serial_number, top left), issuer line (issuer_printed + "文件"
  unless it already ends so; red), 文号, red rule, title, 主送 (recipients + "："), paragraphs,
  tables (caption, then rows), signature (signature, else issuer_printed), date, seal, 抄送 line.
- certificate (landscape): title, paragraphs, signature, date, seal, serial ("证书编号：" added
  unless the serial already has a label with "：").
- approval_form: issuer line (only when the title does not already contain it), title,
  "编号：" + serial, then the form table 来文单位 (recipients) | 批示领导 (leader) | 批示内容
  (paragraphs, one per line) | 日期 (date_printed), then any further tables.
- press: masthead (its first line; issuer_printed when masthead is None), the dateline
  (date, the masthead's further lines = page line, serial e.g. 第3版), headline, paragraphs,
  tables, signature if given, and "主办：" + issuer_printed when the masthead does not contain it.
- long_text: serial, 文号, title, 主送, paragraphs split over pages_hint pages (breaks before
  "一、"-style section headings), tables, signature, date, seal, 抄送.
- contract: title, "合同编号：" + serial, 文号, paragraphs (the 甲方/乙方 lines are paragraphs),
  tables, signature (may hold several lines), date, seal.
- minutes: header (issuer_printed + "会议纪要" unless it already contains 纪要; red), 文号,
  期号 (serial_number), red rule, title, paragraphs (出席 lines are paragraphs), tables,
  signature, date, seal, 抄送.
`leader` is printed only on approval forms, `masthead` only on press pages. Label words
(文件, 抄送：, 编号：...) are fixed parts of the layouts and live in LABELS.

Supported (layout, format) pairs are SUPPORTED; anything else raises ValueError:
- docx, pdf_export, pdf_direct, pdf_faux_bold, pdf_rotated, pdf_scan, doc, wps: every layout;
- docx_textbox: certificate only (all text in DrawingML text boxes with a VML fallback);
- docx_header: red_header, project_list, minutes, long_text (the issuer line and rule sit in
  the page header part, so it comes first in the text, before a 份号; long_text gets
  issuer_printed as its letterhead);
- pdf_justified: every layout but approval_form (a form has no justified prose);
- pdf_two_column: press only;
- image_scan: every layout but long_text (a .jpg is one page; longer content raises too).
pdf_scan/image_scan rasterise the pdf_direct rendering (press in one column).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from corpus.spec import DocSpec

ALL_LAYOUTS = frozenset({"red_header", "certificate", "approval_form", "press", "long_text", "project_list",
                         "contract", "minutes"})
SUPPORTED: dict[str, frozenset[str]] = {
    "docx": ALL_LAYOUTS,
    "docx_textbox": frozenset({"certificate"}),
    "docx_header": frozenset({"red_header", "project_list", "minutes", "long_text"}),
    "pdf_export": ALL_LAYOUTS,
    "pdf_direct": ALL_LAYOUTS,
    "pdf_faux_bold": ALL_LAYOUTS,
    "pdf_justified": ALL_LAYOUTS - {"approval_form"},
    "pdf_two_column": frozenset({"press"}),
    "pdf_rotated": ALL_LAYOUTS,
    "pdf_scan": ALL_LAYOUTS,
    "image_scan": ALL_LAYOUTS - {"long_text"},
    "doc": ALL_LAYOUTS,
    "wps": ALL_LAYOUTS,
    "xlsx": frozenset({"long_text", "project_list"}),  # statistics tables: the title and the tables only
}
SUFFIX = {"docx": ".docx", "docx_textbox": ".docx", "docx_header": ".docx", "doc": ".doc", "wps": ".wps", "xlsx": ".xlsx",
          "image_scan": ".jpg"}
LABELS = {"file": "文件", "minutes": "会议纪要", "minutes_mark": "纪要", "cc": "抄送：", "colon": "：",
          "press_host": "主办：", "serial": {"certificate": "证书编号：", "approval_form": "编号：", "contract": "合同编号："},
          "form": ["来文单位", "批示领导", "批示内容", "日期"]}
SECTION_HEAD = re.compile(r"^[一二三四五六七八九十]+、")
SOFFICE_TIMEOUT_S = 60.0  # per batch, plus PER_FILE_S for each file in it
PER_FILE_S = 3.0
BATCH_SIZE = 200  # files per soffice call (one bad file cannot hold up a whole corpus)
MIN_PER_WORKER = 20  # below this many files per extra soffice, one process is faster


@dataclass
class Rendered:
    data: bytes
    suffix: str
    text: str


@dataclass
class Block:
    """One printed element. kind: serial_top, head, number, rule, title, recipients, para, caption,
    table, sign, date, seal, cc, serial, masthead, dateline, news, cert_title, cert_para, pagebreak."""

    kind: str
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class Style:
    size: float  # pt; head and masthead shrink to fit one line
    align: str  # left, center, right, justify
    font: str  # song (仿宋), title (小标宋), hei (黑体)
    red: bool = False
    indent: int = 0  # first-line indent in characters
    before: float = 0.0  # extra space above, pt


STYLE = {
    "serial_top": Style(16, "left", "song"), "head": Style(36, "center", "title", red=True, before=12),
    "number": Style(16, "center", "song", before=6), "rule": Style(4, "center", "song"),
    "title": Style(22, "center", "title", before=14), "recipients": Style(16, "left", "song", before=8),
    "para": Style(16, "justify", "song", indent=2), "caption": Style(16, "left", "hei", before=8),
    "table": Style(12, "left", "song", before=6), "sign": Style(16, "right", "song", before=20),
    "date": Style(16, "right", "song"), "seal": Style(14, "right", "title", red=True, before=6),
    "cc": Style(14, "left", "song", before=18), "serial": Style(14, "right", "song", before=6),
    "masthead": Style(48, "center", "title", red=True), "dateline": Style(11, "left", "song", before=4),
    "news": Style(12, "justify", "song", indent=2), "cert_title": Style(44, "center", "title", red=True),
    "cert_para": Style(20, "left", "song", indent=2, before=6), "pagebreak": Style(0, "left", "song"),
}
RIGHT_INDENT_CHARS = 4  # GB/T 9704: signature and date stand four characters from the right margin


def seed_of(spec: DocSpec) -> int:
    return int(hashlib.sha256(spec.id.encode("utf-8")).hexdigest()[:12], 16)


def check_supported(spec: DocSpec) -> None:
    if spec.layout not in SUPPORTED.get(spec.format, ()):
        raise ValueError(f"layout {spec.layout!r} is not rendered as {spec.format!r}")


def _colon(text: str) -> str:
    return text if text.endswith(("：", ":")) else text + LABELS["colon"]


def _serial(spec: DocSpec) -> str:
    s = spec.serial_number or ""
    if "：" in s or ":" in s:
        return s
    return LABELS["serial"].get(spec.layout, "") + s


def _tables(spec: DocSpec) -> list[Block]:
    out = []
    for t in spec.tables:
        if t.caption:
            out.append(Block("caption", t.caption))
        out.append(Block("table", rows=[list(t.header)] + [list(r) for r in t.rows]))
    return out


def _ending(spec: DocSpec, sign: bool = True) -> list[Block]:
    out = []
    if sign:
        out.append(Block("sign", spec.signature or spec.issuer_printed))
    if spec.date_printed:
        out.append(Block("date", spec.date_printed))
    if spec.seal_text:
        out.append(Block("seal", spec.seal_text))
    return out


def _paras(spec: DocSpec) -> list[Block]:
    """Paragraphs, with page breaks before section headings so long_text fills pages_hint pages."""
    paras = [Block("para", p) for p in spec.paragraphs]
    breaks = max(0, spec.pages_hint - 1) if spec.layout == "long_text" else 0
    if not breaks or len(paras) < 2:
        return paras
    heads = [i for i, p in enumerate(spec.paragraphs) if i and SECTION_HEAD.match(p)] or list(range(1, len(paras)))
    total = sum(len(p) for p in spec.paragraphs) or 1
    cum, acc = [], 0
    for p in spec.paragraphs:
        cum.append(acc)
        acc += len(p)
    chosen: list[int] = []
    for k in range(1, breaks + 1):
        target = total * k / (breaks + 1)
        best = min((i for i in heads if i not in chosen), key=lambda i: abs(cum[i] - target), default=None)
        if best is not None:
            chosen.append(best)
    out: list[Block] = []
    for i, b in enumerate(paras):
        if i in chosen:
            out.append(Block("pagebreak"))
        out.append(b)
    return out


def blocks_for(spec: DocSpec) -> list[Block]:
    """The printed elements of a spec in reading order (see the module docstring)."""
    check_supported(spec)
    L, b = spec.layout, []
    num = [Block("number", spec.doc_number_printed)] if spec.doc_number_printed else []
    title = [Block("title", spec.title)]
    rec = [Block("recipients", _colon(spec.recipients))] if spec.recipients else []
    cc = [Block("cc", spec.cc if spec.cc.startswith(LABELS["cc"][:2]) else LABELS["cc"] + spec.cc)] if spec.cc else []
    serial = [Block("serial", _serial(spec))] if spec.serial_number else []
    if L in ("red_header", "project_list"):
        head = spec.issuer_printed if spec.issuer_printed.endswith(LABELS["file"]) else spec.issuer_printed + LABELS["file"]
        top = [Block("serial_top", spec.serial_number)] if spec.serial_number else []
        b = top + [Block("head", head)] + num + [Block("rule")] + title + rec + _paras(spec) + _tables(spec)
        b += _ending(spec) + cc
    elif L == "certificate":
        b = [Block("cert_title", spec.title)] + [Block("cert_para", p) for p in spec.paragraphs] + _tables(spec)
        b += _ending(spec) + serial
    elif L == "approval_form":
        head = [] if spec.issuer_printed in spec.title else [Block("number", spec.issuer_printed)]
        vals = [spec.recipients or "", spec.leader or "", "\n".join(spec.paragraphs), spec.date_printed or ""]
        form = Block("table", rows=[[k, v] for k, v in zip(LABELS["form"], vals)])
        b = head + title + serial + [form] + _tables(spec)
        if spec.seal_text:
            b.append(Block("seal", spec.seal_text))
    elif L == "press":
        lines = (spec.masthead or spec.issuer_printed).split("\n")
        dateline = "　".join(x for x in [spec.date_printed or ""] + lines[1:] + [spec.serial_number or ""] if x)
        b = [Block("masthead", lines[0])] + ([Block("dateline", dateline)] if dateline else []) + title
        b += [Block("news", p) for p in spec.paragraphs] + _tables(spec)
        if spec.signature:
            b.append(Block("sign", spec.signature))
        if spec.issuer_printed not in (spec.masthead or spec.issuer_printed):
            b.append(Block("serial", LABELS["press_host"] + spec.issuer_printed))
    elif L == "long_text":
        letter = [Block("head", spec.issuer_printed)] if spec.format == "docx_header" else []
        top = [Block("serial_top", spec.serial_number)] if spec.serial_number else []
        b = letter + top + num + title + rec + _paras(spec) + _tables(spec) + _ending(spec) + cc
    elif L == "contract":
        b = title + serial + num + _paras(spec) + _tables(spec) + _ending(spec)
    elif L == "minutes":
        mark = LABELS["minutes_mark"]
        head = spec.issuer_printed if mark in spec.issuer_printed else spec.issuer_printed + LABELS["minutes"]
        per = [Block("number", spec.serial_number)] if spec.serial_number else []
        b = [Block("head", head)] + num + per + [Block("rule")] + title + _paras(spec) + _tables(spec)
        b += _ending(spec) + cc
    if spec.format == "docx_header":  # the header part is read before the body
        b.sort(key=lambda blk: blk.kind != "head")
    return b


def text_of(blocks: list[Block]) -> str:
    lines = []
    for b in blocks:
        if b.kind == "table":
            lines += ["\t".join(c for c in row) for row in b.rows]
        elif b.text:
            lines.append(b.text)
    return "\n".join(lines)


# ---------------------------------------------------------------- rendering

def _render_local(spec: DocSpec, blocks: list[Block]) -> Rendered | None:
    """Formats made in this process; None for those that need LibreOffice."""
    from corpus import render_docx, render_pdf, render_scan, render_xlsx

    fmt, text = spec.format, text_of(blocks)
    if fmt in ("docx", "docx_textbox", "docx_header"):
        return Rendered(render_docx.build(spec, blocks), ".docx", text)
    if fmt in ("pdf_direct", "pdf_faux_bold", "pdf_justified", "pdf_two_column", "pdf_rotated"):
        return Rendered(render_pdf.build(spec, blocks), ".pdf", text)
    if fmt == "xlsx":
        data, sheet_text = render_xlsx.build(spec)
        return Rendered(data, ".xlsx", sheet_text)
    if fmt in ("pdf_scan", "image_scan"):
        pdf = render_pdf.build(spec, blocks, variant="pdf_direct")
        if fmt == "image_scan" and render_scan.page_count(pdf) > 1:
            fmt = "pdf_scan"  # a photo shows one page: a longer document arrives as a scanned PDF
        data = render_scan.scan(pdf, seed_of(spec), as_jpg=fmt == "image_scan")
        return Rendered(data, SUFFIX.get(fmt, ".pdf"), text)
    return None


def render(spec: DocSpec, workdir: Path | None) -> Rendered:
    return render_many([spec], workdir)[0]


def render_many(specs: list[DocSpec], workdir: Path | None) -> list[Rendered]:
    """Render every spec. The LibreOffice conversions of the batch run first, in the background
    (one soffice per target and chunk), while the other formats are made in this process."""
    from corpus import render_docx

    all_blocks = [blocks_for(spec) for spec in specs]  # raises ValueError before any work
    todo: dict[str, list[tuple[int, bytes]]] = {"pdf": [], "doc": []}
    for i, spec in enumerate(specs):
        if spec.format in ("pdf_export", "doc", "wps"):
            todo["pdf" if spec.format == "pdf_export" else "doc"].append((i, render_docx.build(spec, all_blocks[i])))
    jobs: list[tuple[str, list[bytes]]] = []
    for target, items in todo.items():
        unique = list(dict.fromkeys(d for _, d in items))  # a doc and a wps of one spec convert once
        parts = max(1, min(os.cpu_count() or 1, len(unique) // MIN_PER_WORKER))
        size = min(BATCH_SIZE, -(-len(unique) // parts)) if unique else 1
        jobs += [(target, unique[k:k + size]) for k in range(0, len(unique), size)]
    out: list[Rendered | None] = [None] * len(specs)
    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        futures = [pool.submit(convert_batch, chunk, target, workdir) for target, chunk in jobs]
        for i, spec in enumerate(specs):
            out[i] = _render_local(spec, all_blocks[i])
        results: dict[tuple[str, bytes], bytes] = {}
        for (target, chunk), fut in zip(jobs, futures):
            results.update(((target, src), data) for src, data in zip(chunk, fut.result()))
    for target, items in todo.items():
        for i, src in items:
            data = results[(target, src)]
            out[i] = Rendered(normalize_pdf(data) if target == "pdf" else data, SUFFIX.get(specs[i].format, ".pdf"),
                              text_of(all_blocks[i]))
    return out  # type: ignore[return-value]


def convert_batch(docx_files: list[bytes], target: str, workdir: Path | None) -> list[bytes]:
    """Convert .docx files to `target` ("pdf" or "doc") with ONE soffice run and a private profile."""
    binary = os.environ.get("PRESCREEN_SOFFICE") or shutil.which("soffice")
    if not binary:
        raise RuntimeError("LibreOffice (soffice) is needed for pdf_export, doc and wps")
    if not docx_files:
        return []
    spec_target = {"pdf": "pdf:writer_pdf_Export", "doc": "doc:MS Word 97"}[target]
    if workdir is not None:
        Path(workdir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="render-", dir=workdir) as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        (root / "out").mkdir()
        names = []
        for k, data in enumerate(docx_files):
            src = root / "in" / f"d{k:05d}.docx"
            src.write_bytes(data)
            names.append(str(src))
        cmd = [binary, f"-env:UserInstallation={(root / 'profile').as_uri()}", "--headless", "--invisible",
               "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--convert-to", spec_target,
               "--outdir", str(root / "out"), *names]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=dict(os.environ, HOME=str(root)), cwd=root, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=SOFFICE_TIMEOUT_S + PER_FILE_S * len(names))
        except subprocess.TimeoutExpired:
            err = b"timeout"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.communicate()
        results = []
        for k in range(len(names)):
            res = root / "out" / f"d{k:05d}.{target}"
            if not res.is_file() or not res.stat().st_size:
                raise RuntimeError(f"soffice did not convert file {k} to {target}: {err.decode('utf-8', 'replace')[-300:]}")
            results.append(res.read_bytes())
        return results


def normalize_pdf(data: bytes) -> bytes:
    """Fixed creation dates, checksums and /ID in a LibreOffice PDF (same-length replacements)."""
    data = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:20240101000000", data)
    data = re.sub(rb"/DocChecksum /[0-9A-F]{32}", b"/DocChecksum /" + b"0" * 32, data)
    return re.sub(rb"<[0-9A-F]{32}>", b"<" + b"0" * 32 + b">", data)
