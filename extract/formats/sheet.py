"""Spreadsheets (.xlsx, .xls, .ods, .csv): one Page per non-empty sheet.

Page.tables holds the sheet's non-empty rows as cell strings (trailing empty cells dropped);
Page.text is the sheet name, then the rows joined with tabs and newlines. Cells read as people
see them where it matters: integral numbers without ".0", dates as YYYY-MM-DD, percentages with
the format's decimals ("91.7%"), formulas as their cached values (what Excel/WPS last computed;
a formula never computed — a file written by a script and never opened — reads as empty).

.xlsx with openpyxl (read-only), .xls with xlrd, .ods read straight from its content.xml (no
LibreOffice Calc needed), .csv decoded like .txt (UTF-8, BOM, GBK/GB18030) with its delimiter
sniffed. Limits: MAX_ROWS non-empty rows and MAX_CELLS non-empty cells per workbook, and at most
ctx.limits.max_pages sheets; past them the file is refused as too_large.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
from typing import Iterable, Iterator
from xml.etree import ElementTree as ET

from extract.errors import ExtractFailure
from extract.formats.text import decode_text, normalise_newlines
from extract.registry import ExtractContext, register
from records import Page, Table

MAX_ROWS = 100_000  # non-empty rows per workbook
MAX_CELLS = 1_000_000  # non-empty cells per workbook
MAX_ODS_XML = 256 * 1024 * 1024  # uncompressed content.xml


class _Budget:
    def __init__(self, ctx: ExtractContext):
        self.rows = self.cells = self.sheets = 0
        self.max_sheets = ctx.limits.max_pages

    def sheet(self) -> None:
        self.sheets += 1
        if self.sheets > self.max_sheets:
            raise ExtractFailure("too_large", f"工作表超过 {self.max_sheets} 个")

    def row(self, row: list[str]) -> None:
        self.rows += 1
        self.cells += sum(1 for c in row if c)
        if self.rows > MAX_ROWS:
            raise ExtractFailure("too_large", f"表格超过 {MAX_ROWS} 行")
        if self.cells > MAX_CELLS:
            raise ExtractFailure("too_large", f"表格超过 {MAX_CELLS} 个非空单元格")


def render_number(value: float | int, number_format: str | None = None) -> str:
    """A number as a person reads it: 36 not 36.0, 0.1+0.2 as 0.3, percent formats as 91.7%."""
    if number_format and "%" in number_format:
        m = re.search(r"0\.(0+)%", number_format)
        decimals = len(m.group(1)) if m else 0
        return f"{value * 100:.{decimals}f}%"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return format(value, ".15g")


def render_datetime(value: dt.datetime | dt.date | dt.time) -> str:
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%H:%M:%S")


def render_cell(value, number_format: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return render_number(value, number_format)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return render_datetime(value)
    if isinstance(value, dt.timedelta):
        return str(value)
    return normalise_newlines(str(value)).strip()


def _trim(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row.pop()
    return row


def _page(number: int, name: str, rows: list[list[str]]) -> Page:
    body = "\n".join("\t".join(r) for r in rows)
    return Page(number=number, text=f"{name}\n{body}" if name else body, tables=[Table(page=number, rows=rows)])


def _pages(sheets: Iterable[tuple[str, Iterator[list[str]]]], ctx: ExtractContext) -> list[Page]:
    budget, pages = _Budget(ctx), []
    for name, rows in sheets:
        budget.sheet()
        kept = []
        for row in rows:
            row = _trim(row)
            if row:
                budget.row(row)
                kept.append(row)
        if kept:
            pages.append(_page(len(pages) + 1, name, kept))
    if not pages:
        raise ExtractFailure("empty", "所有工作表均为空")
    return pages


# ---- .xlsx ---------------------------------------------------------------------------------

@register("xlsx")
def extract_xlsx(data: bytes, ctx: ExtractContext) -> list[Page]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ET.ParseError) as exc:
        raise ExtractFailure("corrupt", f"xlsx 无法解析（{type(exc).__name__}）") from exc

    def rows(ws) -> Iterator[list[str]]:
        ws.reset_dimensions()  # ignore a stored A1:XFD1048576 that would pad every row
        for cells in ws.iter_rows():
            yield [render_cell(c.value, getattr(c, "number_format", None)) for c in cells]

    try:
        return _pages(((ws.title, rows(ws)) for ws in wb.worksheets), ctx)
    finally:
        wb.close()


# ---- .xls ----------------------------------------------------------------------------------

@register("xls")
def extract_xls(data: bytes, ctx: ExtractContext) -> list[Page]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise ExtractFailure("encrypted", "Excel 工作簿设有打开密码") from exc
        raise ExtractFailure("corrupt", f"xls 无法解析（{exc}）") from exc
    except Exception as exc:  # noqa: BLE001 - xlrd raises assorted errors on broken BIFF
        raise ExtractFailure("corrupt", f"xls 无法解析（{type(exc).__name__}）") from exc

    def fmt_of(sheet, r: int, c: int) -> str | None:
        try:
            xf = book.xf_list[sheet.cell_xf_index(r, c)]
            return book.format_map[xf.format_key].format_str
        except (IndexError, KeyError, AttributeError):
            return None

    def cell_text(sheet, r: int, c: int) -> str:
        cell = sheet.cell(r, c)
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return ""
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                value = xlrd.xldate_as_datetime(cell.value, book.datemode)
            except (xlrd.xldate.XLDateError, OverflowError, ValueError):
                return render_number(cell.value)
            return render_datetime(value.time() if cell.value < 1 else value)
        if cell.ctype == xlrd.XL_CELL_NUMBER:
            return render_number(cell.value, fmt_of(sheet, r, c))
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return "TRUE" if cell.value else "FALSE"
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#ERR")
        return render_cell(cell.value)

    def rows(sheet) -> Iterator[list[str]]:
        for r in range(sheet.nrows):
            yield [cell_text(sheet, r, c) for c in range(sheet.row_len(r))]

    def sheets():
        for i in range(book.nsheets):
            sheet = book.sheet_by_index(i)
            yield sheet.name, rows(sheet)
            book.unload_sheet(i)

    try:
        return _pages(sheets(), ctx)
    finally:
        book.release_resources()


# ---- .ods ----------------------------------------------------------------------------------

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
_T = "{%s}" % NS["table"]
_O = "{%s}" % NS["office"]
_X = "{%s}" % NS["text"]


def _ods_paragraph(el: ET.Element) -> str:
    out = [el.text or ""]
    for child in el:
        if child.tag == _X + "s":
            out.append(" " * int(child.get(_X + "c", "1")))
        elif child.tag == _X + "tab":
            out.append("\t")
        elif child.tag == _X + "line-break":
            out.append("\n")
        else:
            out.append(_ods_paragraph(child))
        out.append(child.tail or "")
    return "".join(out)


def _ods_cell(cell: ET.Element) -> str:
    kind = cell.get(_O + "value-type")
    shown = "\n".join(_ods_paragraph(p) for p in cell.findall(_X + "p"))
    if kind == "float":
        try:
            return render_number(float(cell.get(_O + "value", "")))
        except ValueError:
            return shown.strip()
    if kind == "date":
        value = cell.get(_O + "date-value", "")
        return value[:10] if len(value) <= 10 or value.endswith("T00:00:00") else value.replace("T", " ")[:19]
    if kind == "boolean":
        return "TRUE" if cell.get(_O + "boolean-value") == "true" else "FALSE"
    return shown.strip()  # string, percentage and currency as displayed


def _ods_rows(table: ET.Element) -> Iterator[list[str]]:
    for row in table.iter(_T + "table-row"):
        values: list[str] = []
        pending_empty = 0
        for cell in row:
            if cell.tag not in (_T + "table-cell", _T + "covered-table-cell"):
                continue
            repeat = int(cell.get(_T + "number-columns-repeated", "1"))
            text = _ods_cell(cell)
            if not text:
                pending_empty += repeat  # never expand the trailing 1024-column filler
                continue
            values.extend([""] * pending_empty)
            pending_empty = 0
            values.extend([text] * min(repeat, 16384))
        if values:
            for _ in range(min(int(row.get(_T + "number-rows-repeated", "1")), MAX_ROWS + 1)):
                yield list(values)


@register("ods")
def extract_ods(data: bytes, ctx: ExtractContext) -> list[Page]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if "META-INF/manifest.xml" in names and b"encryption-data" in zf.read("META-INF/manifest.xml"):
                raise ExtractFailure("encrypted", "ODF 表格设有打开密码")
            info = zf.getinfo("content.xml")
            if info.file_size > MAX_ODS_XML:
                raise ExtractFailure("too_large", "表格内容超过 256 MB")
            root = ET.fromstring(zf.read(info))
    except ExtractFailure:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ET.ParseError) as exc:
        raise ExtractFailure("corrupt", f"ods 无法解析（{type(exc).__name__}）") from exc
    tables = root.iter(_T + "table")
    return _pages(((t.get(_T + "name", ""), _ods_rows(t)) for t in tables), ctx)


# ---- .csv ----------------------------------------------------------------------------------

@register("csv")
def extract_csv(data: bytes, ctx: ExtractContext) -> list[Page]:
    text, _encoding = decode_text(data)
    text = normalise_newlines(text).lstrip("\ufeff")
    if not text.strip():
        raise ExtractFailure("empty", "CSV 文件没有内容")
    sample = text[:16384]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = ([c.strip() for c in row] for row in reader)
    name = posixpath.splitext(posixpath.basename(ctx.path.replace("\\", "/")))[0]
    return _pages([(name, rows)], ctx)
