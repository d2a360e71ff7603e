"""`prescreen extract …`: every file of the given files, folders and zips becomes a Document."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from extract import DocumentCache, Limits, extract_paths
from flows.output import console, emit_json, err_console, json_option


def document_line(doc) -> dict:
    """The JSON line of one file: path, the Document, and error (null or {code, message})."""
    return {
        "path": doc.origin.path,
        "document": doc.model_dump(mode="json"),
        "error": doc.error.model_dump(mode="json") if doc.error else None,
    }


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--workers", type=int, default=None, help="并行进程数（默认按 CPU 核数；0 表示在本进程内运行）")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="单个文件的读取时限（秒）")
@click.option("--no-ocr", is_flag=True, help="不做文字识别（扫描件将报 needs_ocr）")
@click.option("--no-cache", is_flag=True, help="不使用、也不写入提取缓存")
@json_option
def extract(paths, workers, timeout, no_ocr, no_cache, as_json) -> None:
    """读取文件、文件夹或 .zip 申报包中的每个文件（PDF、Word、WPS、表格、图片…），输出其文字、表格和错误。

    --json 时每个文件输出一行 JSON：{"path", "document", "error"}。
    """
    limits = Limits(ocr=not no_ocr, timeout_s=timeout)
    cache = None if no_cache else DocumentCache()
    rows = []
    show_progress = err_console.is_terminal
    with Progress(TextColumn("提取文件"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[name]}"),
                  TimeElapsedColumn(), console=err_console, disable=not show_progress, transient=True) as bar:
        task = bar.add_task("extract", total=None, name="")
        for doc in extract_paths(paths, limits, workers, cache):
            bar.update(task, advance=1, name=doc.origin.path[-40:])
            if as_json:
                emit_json(document_line(doc))
                sys.stdout.flush()
            else:
                rows.append(doc)
    if as_json:
        return
    table = Table(title="文件提取结果")
    for col in ("文件", "格式", "页数", "字数", "识别", "结果"):
        table.add_column(col, overflow="fold")
    failed = 0
    for doc in rows:
        chars = sum(len(p.text) for p in doc.pages)
        ocr = "OCR" if any(p.ocr for p in doc.pages) else ""
        if doc.error:
            failed += 1
            result = f"[red]{doc.error.code}[/red] {doc.error.message}"
        else:
            result = "[green]成功[/green]"
        table.add_row(doc.origin.path, doc.origin.format, str(len(doc.pages)), str(chars), ocr, result)
    console.print(table)
    console.print(f"共 {len(rows)} 个文件，成功 {len(rows) - failed} 个，无法读取 {failed} 个。")
