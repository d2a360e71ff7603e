"""`prescreen classify …`: each file becomes the classify record of DESIGN.md §5."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from classify.api import classify_document
from extract import DocumentCache, Limits, extract_paths
from flows.output import console, emit_json, err_console, fmt_points, json_option
from records import Evidence
from records.screen import classify_record
from records.vocab import DOC_TYPE_ZH, LEVEL_ZH
from rubrics.loader import RubricError, load_rubric

@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--rubric", "rubric_id", help="评价指标体系 ID：同时给出每份文件可佐证的指标")
@click.option("--workers", type=int, default=None, help="提取时的并行进程数")
@click.option("--no-ocr", is_flag=True, help="不做文字识别")
@click.option("--reasons", is_flag=True, help="JSON 中附上每个字段的判定规则和依据原文")
@json_option
def classify(paths, rubric_id, workers, no_ocr, reasons, as_json) -> None:
    """识别每份文件的类型、发文级别、发文机关、文号、日期、奖项等级和可佐证的指标，并给出依据。

    --json 时每个文件输出一行：{"path", "doc_type", "level", "issuer", "doc_number", "date", "award_grade",
    "subject", "title", "indicators", "confidence", "error"}。
    """
    if rubric_id:
        try:
            load_rubric(rubric_id)
        except RubricError as exc:
            raise click.ClickException(str(exc)) from None
    rows = []
    with Progress(TextColumn("分类文件"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, disable=not err_console.is_terminal, transient=True) as bar:
        task = bar.add_task("classify", total=None)
        for doc in extract_paths(paths, Limits(ocr=not no_ocr), workers, DocumentCache()):
            ev = classify_document(doc, rubric_id)
            bar.advance(task)
            if as_json:
                emit_json(classify_record(ev, reasons))
            else:
                rows.append(ev)
    if as_json:
        return
    table = Table(title="文件分类结果")
    for col in ("文件", "类型", "级别", "发文机关", "文号", "日期", "等级", "指标", "置信度"):
        table.add_column(col, overflow="fold")
    for ev in rows:
        if ev.error:
            table.add_row(ev.path, f"[red]{ev.error.code}[/red]", "", ev.error.message, "", "", "", "", "")
            continue
        table.add_row(ev.path, DOC_TYPE_ZH[ev.doc_type], LEVEL_ZH[ev.level], ev.issuer or "—", ev.doc_number or "—",
                      str(ev.date or "—"), ev.award_grade or "", "、".join(lk.id for lk in ev.indicators),
                      fmt_points(ev.confidence))
    console.print(table)
