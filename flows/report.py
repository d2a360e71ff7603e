"""The pre-screening report of a batch, read from the review queue: one row per applicant.

    rows = batch_report(store, "wenzhou-district", names=["瑞安市", ...])
    write_report(rows, Path("预审报告.xlsx"))   # or .csv (UTF-8 with BOM, so Excel opens it)

A row: applicant, candidate total and maximum, the mandatory indicators without evidence (id and
title), unreadable files, items needing a reviewer, and the package's own error if it could not be
read. Plain functions over review.store.Store: no Prefect, no click.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

from review.store import Store
from rubrics.loader import RubricError, load_rubric

# (key, Chinese header) in report order
COLUMNS: list[tuple[str, str]] = [
    ("package", "申报单位"),
    ("candidate", "候选总分"),
    ("max", "满分"),
    ("missing_mandatory", "缺少佐证的必备指标"),
    ("missing_count", "缺少必备指标数"),
    ("unreadable", "无法读取的文件数"),
    ("documents", "文件数"),
    ("needs_review", "待人工确认条目数"),
    ("changed", "确认后有变化条目数"),
    ("error", "申报包错误"),
]
REPORT_SUFFIXES = (".csv", ".xlsx")


def _titles(rubric_id: str) -> dict[str, str]:
    try:
        return {ind.id: ind.title for ind in load_rubric(rubric_id).indicators}
    except RubricError:
        return {}


def batch_report(store: Store, rubric_id: str, track: str | None = None,
                 names: Iterable[str] | None = None) -> list[dict]:
    """One row per package of the queue screened against `rubric_id` (and `track`), by name; with
    `names`, only those applicants."""
    wanted = set(names) if names is not None else None
    titles = _titles(rubric_id)
    rows = []
    for p in store.packages():
        if p["rubric"] != rubric_id or (track is not None and p["track"] not in (track, None)):
            continue
        if wanted is not None and p["name"] not in wanted:
            continue
        missing = list(p["missing_mandatory"] or [])
        error = f"{p['error_code']}：{p['error_message']}" if p.get("error_code") else ""
        rows.append({
            "package": p["name"], "package_id": p["id"], "track": p["track"],
            "candidate": p["candidate_total"], "max": p["max_total"],
            "missing_mandatory": "、".join(f"{i} {titles.get(i, '')}".strip() for i in missing),
            "missing_ids": missing, "missing_count": len(missing),
            "unreadable": p["unreadable"], "documents": p["documents"], "needs_review": p["needs_review"],
            "changed": p["changed"], "error": error,
        })
    return rows


def report_table(rows: list[dict]) -> list[list]:
    """Header and cells as written to the CSV/XLSX file."""
    out: list[list] = [[zh for _, zh in COLUMNS]]
    for r in rows:
        out.append([r[k] if r[k] is not None else "" for k, _ in COLUMNS])
    return out


def write_report(rows: list[dict], path: Path | str) -> Path:
    """Write the report as .csv (UTF-8 with BOM) or .xlsx (openpyxl), by the file's extension."""
    path = Path(path)
    table = report_table(rows)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(table)
        return path
    if suffix == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill

        wb = Workbook()
        ws = wb.active
        ws.title = "预审报告"
        for row in table:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        miss_col = next(i for i, (k, _) in enumerate(COLUMNS, 1) if k == "missing_mandatory")
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, miss_col).value:
                ws.cell(r, miss_col).fill = PatternFill("solid", fgColor="FFE0E0")
        widths = {"package": 24, "missing_mandatory": 48, "error": 40}
        for i, (k, _) in enumerate(COLUMNS, 1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = widths.get(k, 14)
        ws.freeze_panes = "B2"
        wb.save(path)
        return path
    raise ValueError(f"报告文件须为 .csv 或 .xlsx：{path}")
