"""The confirmed score sheet, laid out like the rubric, as XLSX or CSV; per applicant or for a batch.

    write_xlsx(store, [pid, ...], out)   one summary sheet plus one sheet per applicant
    write_csv(store, [pid, ...], out)    one table, one row per indicator (UTF-8 with BOM for Excel)

Rows follow pages.sheet: group rows (hierarchy, max points), indicator rows (id, title, max points,
candidate, confirmed score, state, reviewer, time, remarks), then totals. A confirmed score is only
written for items a reviewer confirmed or adjusted; everything else stays blank.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from review.pages import sheet
from review.store import DECIDED, Store

HEADER = ["指标编号", "指标", "满分", "候选分", "确认分", "状态", "评审人", "评审时间", "备注"]
CSV_HEADER = ["申报单位", "指标体系", "层级"] + HEADER
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """Text as text: a leading = + - @ would make a spreadsheet run it as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def _remark(row: dict) -> str:
    parts = []
    if row.get("mandatory_text"):
        parts.append(row["mandatory_text"])
    if row["changed_since_decision"]:
        parts.append("预审结果在决定后有变化，需复核")
    if row["rejected_evidence"]:
        parts.append("已剔除佐证：" + "、".join(row["rejected_evidence"]))
    if row["remark"]:
        parts.append(row["remark"])
    return "；".join(parts)


def _confirmed(row: dict) -> float | None:
    return row["final_score"] if row["state"] in DECIDED else None


def sheet_table(store: Store, pid: int) -> dict:
    """The rows of one applicant's sheet as cells, plus its totals."""
    data = sheet(store, pid)
    rows, path = [], []
    for r in data["rows"]:
        if r["kind"] == "group":
            path = path[:r["depth"]] + [r["title"]]
            rows.append({"kind": "group", "depth": r["depth"], "path": " / ".join(path),
                         "cells": ["", r["title"], r["max_score"], None, None, "", "", "", ""]})
        else:
            rows.append({"kind": "indicator", "depth": r["depth"], "path": " / ".join(path[:r["depth"]]),
                         "cells": [r["indicator"], r["title"], r["max_score"], r["candidate_score"], _confirmed(r),
                                   r["state_zh"], r["decided_by"] or "", (r["decided_at"] or "").replace("T", " "),
                                   _remark(r)]})
    t = data["totals"]
    bonus_confirmed = sum(_confirmed(r) or 0 for r in data["rows"] if r["kind"] == "indicator" and r["bonus"])
    totals = [["", "合计", t["max"], t["candidate"], t["confirmed"], f"已决定 {t['decided']}/{t['items']}", "", "", ""]]
    if t["bonus_max"]:
        totals.append(["", "其中：加分项", t["bonus_max"], t["bonus_candidate"], round(bonus_confirmed, 4), "", "", "",
                       f"加分项封顶 {t['bonus_max']:g} 分"])
    return {"package": data["package"], "rubric_title": data["rubric_title"], "rows": rows, "totals": totals}


def write_xlsx(store: Store, pids: list[int], out: Path | str | BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    tables = [sheet_table(store, pid) for pid in pids]
    summary.append(["评审结果汇总", "", "", "", "", "", "", "导出时间",
                    datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")])
    summary.append(["申报单位", "指标体系", "指标数", "已决定", "候选总分", "确认总分", "缺失必备指标", "无法读取文件数", "评审人"])
    for tb in tables:
        p = tb["package"]
        summary.append([safe(p["name"]), p["rubric"], p["items"], p["decided"], p["candidate_total"],
                        p["confirmed_total"], "、".join(p["missing_mandatory"]), p["unreadable"],
                        "、".join(p["assignees"])])
    for cell in summary[2]:
        cell.font = Font(bold=True)
    names: set[str] = {"汇总"}
    bold, group_fill = Font(bold=True), PatternFill("solid", fgColor="E8EEF7")
    for tb in tables:
        ws = wb.create_sheet(_sheet_name(tb["package"]["name"], names))
        p = tb["package"]
        ws.append([f"{p['name']} 评审结果", "", "", "", "", "", "", "", ""])
        ws.append(["指标体系", tb["rubric_title"], "", "评价基准日", p["as_of"], "", "", "", ""])
        ws.append(HEADER)
        ws["A1"].font = Font(bold=True, size=13)
        for cell in ws[3]:
            cell.font = bold
        for r in tb["rows"]:
            cells = [safe(c) for c in r["cells"]]
            ws.append(cells)
            if r["kind"] == "group":
                for cell in ws[ws.max_row]:
                    cell.font, cell.fill = bold, group_fill
                ws.cell(ws.max_row, 2).alignment = Alignment(indent=r["depth"])
            else:
                ws.cell(ws.max_row, 2).alignment = Alignment(indent=r["depth"], wrap_text=True)
        for cells in tb["totals"]:
            ws.append([safe(c) for c in cells])
            for cell in ws[ws.max_row]:
                cell.font = bold
        for col, width in zip("ABCDEFGHI", (10, 36, 8, 8, 8, 12, 10, 18, 48)):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "A4"
    wb.save(out)


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join("_" if ch in '[]:*?/\\' else ch for ch in name).strip("'") or "申报单位"
    base = base[:28]
    cand, n = base, 2
    while cand in used:
        cand, n = f"{base[:26]}~{n}", n + 1
    used.add(cand)
    return cand


def csv_text(store: Store, pids: list[int]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADER)
    for pid in pids:
        tb = sheet_table(store, pid)
        name, rubric = tb["package"]["name"], tb["package"]["rubric"]
        for r in tb["rows"]:
            if r["kind"] == "indicator":
                w.writerow([safe(name), rubric, safe(r["path"])] + [_csv(c) for c in r["cells"]])
        for cells in tb["totals"]:
            w.writerow([safe(name), rubric, ""] + [_csv(c) for c in cells])
    return buf.getvalue()


def _csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(safe(value))


def write_csv(store: Store, pids: list[int], out: Path | str | BinaryIO) -> None:
    data = csv_text(store, pids).encode("utf-8-sig")
    if isinstance(out, (str, Path)):
        Path(out).write_bytes(data)
    else:
        out.write(data)
