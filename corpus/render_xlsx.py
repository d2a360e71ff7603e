"""Statistics tables as .xlsx, the way applicants hand in 统计表: the title in the first row, the
reporting unit (填报单位) and 文号 if any, each table's header and rows, and the 填报日期. Deterministic: fixed document properties and zip timestamps."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook

from corpus.spec import DocSpec
from corpus.zipfix import fixed_zip

SHEET = "统计表"
STAMP = datetime(2023, 5, 12, 9, 0, 0)


def build(spec: DocSpec) -> tuple[bytes, str]:
    """The workbook's bytes and its text as printed (sheet name, title, then rows tab-joined)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    rows: list[list[str]] = [[spec.title]]
    if spec.issuer_printed:
        rows.append([f"填报单位：{spec.issuer_printed}"])
    if spec.doc_number_printed:
        rows.append([f"文号：{spec.doc_number_printed}"])
    for table in spec.tables:
        rows.append(list(table.header))
        rows.extend(list(r) for r in table.rows)
    if spec.date_printed:
        rows.append([f"填报日期：{spec.date_printed}"])
    for row in rows:
        ws.append(row)
    wb.properties.created = wb.properties.modified = STAMP
    wb.properties.creator = "prescreen-corpus"
    buf = io.BytesIO()
    wb.save(buf)
    text = "\n".join([SHEET] + ["\t".join(c for c in r if c) for r in rows])
    core = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return fixed_zip(buf.getvalue(), STAMP.timetuple()[:6], core_date=core), text
