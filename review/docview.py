"""Showing a piece of evidence: the page its quote is on, the quote located in the page text, and the
page itself as a PNG (rendered from the PDF, or from a PDF LibreOffice makes of a .docx/.doc/.wps once).

Files are reached only through `Store.blob_path(sha256)` with the hash stored for the document, so
nothing a browser sends can name a path. Rendered pages and converted PDFs are cached beside the blob.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from pathlib import Path

from review.errors import StoreError
from review.store import Store

OFFICE = {"docx": ".docx", "doc": ".doc", "wps": ".wps", "rtf": ".rtf", "odt": ".odt"}
SCALE = 1.6  # 72 dpi points → pixels
MAX_SIDE = 4000
_convert_lock = threading.Lock()  # one LibreOffice at a time


class ViewError(StoreError):
    pass


def segments(text: str, quote: str | None) -> list[dict]:
    """The text cut at every occurrence of the quote: [{"text", "mark"}] (marked pieces are the quote)."""
    if not quote or quote not in text:
        return [{"text": text, "mark": False}] if text else []
    out, start = [], 0
    while True:
        at = text.find(quote, start)
        if at < 0:
            break
        if at > start:
            out.append({"text": text[start:at], "mark": False})
        out.append({"text": quote, "mark": True})
        start = at + len(quote)
    if start < len(text):
        out.append({"text": text[start:], "mark": False})
    return out


def quote_page(page_texts: list[str], page: int | None, quote: str | None) -> int:
    """The 1-based page to show: the one given, else the first whose text holds the quote, else 1."""
    if page and 1 <= page <= len(page_texts):
        return page
    if quote:
        for n, text in enumerate(page_texts, 1):
            if quote in text:
                return n
    return 1


def renderable(doc: dict) -> bool:
    return bool(doc.get("sha256")) and not doc.get("error_code") and (
        doc.get("format") in ("pdf", "image") or doc.get("format") in OFFICE)


def evidence_views(store: Store, pid: int, uses: list[dict], rejected: list[str]) -> list[dict]:
    """Each evidence use of an item with its document, page, located quote and page-image link."""
    cache: dict[str, dict | None] = {}
    out = []

    def doc_of(path: str) -> dict | None:
        if path not in cache:
            cache[path] = store.document_by_path(pid, path)
        return cache[path]

    for u in uses:
        doc = doc_of(u["path"])
        view = {"path": u["path"], "quote": u.get("quote", ""), "points": u.get("points"),
                "counted": u.get("counted", True), "note": u.get("note", ""), "clause": u.get("clause"),
                "rejected": False, "document_id": None, "page": u.get("page"), "segments": [], "image_url": None}
        if doc is not None:
            n = quote_page(doc["page_texts"], u.get("page"), u.get("quote"))
            text = doc["page_texts"][n - 1] if doc["page_texts"] else ""
            view.update(document_id=doc["id"], page=n, pages=len(doc["page_texts"]), format=doc["format"],
                        title=doc["title"], issuer=doc["issuer"], doc_number=doc["doc_number"], date=doc["date"],
                        segments=segments(text, u.get("quote")),
                        quote_found=bool(u.get("quote")) and u.get("quote") in text)
            if renderable(doc) and store.blob_path(doc["sha256"]).exists():
                view["image_url"] = f"/documents/{doc['id']}/pages/{n}.png"
        out.append(view)
    for path in rejected:
        doc = doc_of(path)
        out.append({"path": path, "quote": "", "points": 0, "counted": False, "note": "评审已剔除", "clause": None,
                    "rejected": True, "document_id": doc["id"] if doc else None, "page": None, "segments": [],
                    "image_url": None})
    return out


def document_view(store: Store, did: int, q: str | None = None) -> dict:
    doc = store.document(did)
    ev = doc["evidence"]
    has_blob = bool(doc["sha256"]) and store.blob_path(doc["sha256"]) is not None and \
        store.blob_path(doc["sha256"]).exists()
    pages = [{"number": n, "segments": segments(t, q),
              "image_url": f"/documents/{did}/pages/{n}.png" if renderable(doc) and has_blob else None}
             for n, t in enumerate(doc["page_texts"], 1)]
    return {"id": did, "package_id": doc["package_id"], "path": doc["path"], "format": doc["format"],
            "doc_type": doc["doc_type"], "level": doc["level"], "issuer": doc["issuer"],
            "doc_number": doc["doc_number"], "date": doc["date"], "title": doc["title"],
            "error": {"code": doc["error_code"], "message": doc["error_message"]} if doc["error_code"] else None,
            "indicators": [{"id": lk.id, "confidence": lk.confidence, "quote": lk.quote} for lk in ev.indicators],
            "pages": pages, "query": q or ""}


# -- page images -----------------------------------------------------------------------------------

def _as_pdf(store: Store, doc: dict) -> Path:
    blob = store.blob_path(doc["sha256"])
    if blob is None or not blob.exists():
        raise ViewError("file_missing", "原始文件不在文件库中（请用 --db 重新预审以保存原件）")
    if doc["format"] == "pdf":
        return blob
    target = blob.with_name(blob.name + ".pdf")
    if target.exists():
        return target
    from extract.errors import ExtractFailure
    from extract.formats.office import convert

    with _convert_lock:
        if not target.exists():
            try:
                data = convert(blob.read_bytes(), OFFICE[doc["format"]], "pdf")
            except ExtractFailure as exc:
                raise ViewError(exc.code, f"无法生成页面图像：{exc.message}") from None
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
    return target


def page_png(store: Store, doc: dict, number: int, quote: str | None = None) -> bytes:
    """The PNG of one page, with boxes around the quote where the PDF's text gives their places."""
    if not renderable(doc):
        raise ViewError("no_image", "该文件没有可显示的页面图像")
    blob = store.blob_path(doc["sha256"])
    if blob is None:
        raise ViewError("file_missing", "原始文件不在文件库中")
    quote = (quote or "").strip()[:200]
    tag = "" if not quote else "." + hashlib.sha1(quote.encode("utf-8")).hexdigest()[:12]
    cached = blob.with_name(f"{blob.name}.p{int(number)}{tag}.png")
    if cached.exists():
        return cached.read_bytes()
    from PIL import Image, ImageDraw

    if doc["format"] == "image":
        if number != 1 or not blob.exists():
            raise ViewError("no_page", f"没有第 {number} 页")
        img = Image.open(blob)
        img.thumbnail((MAX_SIDE, MAX_SIDE))
        img = img.convert("RGB")
    else:
        import pypdfium2 as pdfium

        pdf_path = _as_pdf(store, doc)
        pdf = pdfium.PdfDocument(str(pdf_path))
        try:
            if not 1 <= number <= len(pdf):
                raise ViewError("no_page", f"没有第 {number} 页")
            img = pdf[number - 1].render(scale=SCALE).to_pil().convert("RGB")
        finally:
            pdf.close()
        if quote:
            boxes = _quote_boxes(pdf_path, number, quote)
            draw = ImageDraw.Draw(img)
            for x0, top, x1, bottom in boxes:
                draw.rectangle([x0 * SCALE - 3, top * SCALE - 3, x1 * SCALE + 3, bottom * SCALE + 3],
                               outline=(220, 30, 30), width=3)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    data = buf.getvalue()
    tmp = cached.with_name(f".{cached.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, cached)
    return data


def _quote_boxes(pdf_path: Path, number: int, quote: str) -> list[tuple[float, float, float, float]]:
    try:
        import pdfplumber

        with pdfplumber.open(str(pdf_path)) as pdf:
            page = pdf.pages[number - 1]
            hits = page.search(quote, regex=False, case=True)
            return [(h["x0"], h["top"], h["x1"], h["bottom"]) for h in hits[:20]]
    except Exception:  # coordinates are a nicety; the highlighted text below the image is the fallback
        return []
