"""`prescreen corpus build` and `prescreen eval`: the labelled corpus and the yardstick."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from corpus.build import SPLITS, CorpusError, build_corpus
from corpus.evaluate import evaluate
from extract import DocumentCache
from flows.output import console, emit_json, err_console, json_option


@click.group()
def corpus() -> None:
    """标注语料：生成用于评测的合成申报材料。"""


@corpus.command("build")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--split", type=click.Choice(sorted(SPLITS)), default="dev", show_default=True,
              help="dev 为开发集（可据以调规则）；test 为测试集、holdout 为留出集（不同种子、不同措辞模板与发文机关）")
@click.option("--seed", type=int, default=None, help="随机种子（默认按 split 固定）")
@click.option("--docs", "n_docs", type=int, default=120, show_default=True, help="单独文件的数量")
@click.option("--package-docs", type=int, default=14, show_default=True, help="每个申报包的文件数")
def corpus_build(out: Path, split: str, seed: int | None, n_docs: int, package_docs: int) -> None:
    """生成标注语料到 OUT（已存在则重建）：文件、申报包、labels.jsonl、packages.jsonl、manifest.json。"""
    root = build_corpus(out, split, seed, n_docs, package_docs, progress=lambda m: err_console.print(m))
    console.print(f"语料已生成：{root}")


@click.command("eval")
@click.argument("corpus_dir", metavar="CORPUS", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--workers", type=int, default=None, help="提取时的并行进程数")
@click.option("--no-cache", is_flag=True, help="不使用提取缓存")
@json_option
def eval_command(corpus_dir: Path, workers: int | None, no_cache: bool, as_json: bool) -> None:
    """在标注语料上评测流水线：提取的文字准确率、分类各字段准确率、指标关联的查准率/查全率、
    候选分一致率和缺失必备指标的查准率/查全率。"""
    from classify.api import classify_document as classify

    with Progress(TextColumn("评测：提取文件"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, disable=not err_console.is_terminal, transient=True) as bar:
        task = bar.add_task("eval", total=None)
        try:
            report = evaluate(corpus_dir, classify, workers, None if no_cache else DocumentCache(),
                              progress=lambda _d: bar.advance(task))
        except CorpusError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        emit_json(report)
        return
    ex = report["extraction"]
    console.print(f"[bold]语料 {report['corpus']}（{report['split']}），{report['documents']} 份文件[/bold]")
    table = Table(title="提取：文字准确率（按版式）")
    for col in ("版式", "文件数", "平均准确率", "最低"):
        table.add_column(col)
    for fmt, row in ex["by_format"].items():
        table.add_row(fmt, str(row["documents"]), f"{row['char_accuracy']:.2%}", f"{row['worst']:.2%}")
    console.print(table)
    if ex["failures"]:
        console.print(f"[red]提取失败 {len(ex['failures'])} 份[/red]：" +
                      "；".join(f"{f['path']}（{f['error']}）" for f in ex["failures"][:10]))
    cl = report["classification"]
    if cl is None:
        console.print("分类：分类器尚未实现，跳过分类评测；候选分按标注（金标准）计算，用于检查预期分是否仍然成立。")
    else:
        console.print("分类准确率：" + "，".join(f"{k} {v:.2%}" for k, v in cl["accuracy"].items() if v is not None))
    sc = report["scoring"]
    console.print(f"候选分：指标一致率 {sc['indicator_agreement']:.2%}，总分平均绝对误差 {sc['total_mae']:g}，"
                  f"缺失必备指标 精确率 {sc['missing_mandatory']['precision']:.2%} 召回率 "
                  f"{sc['missing_mandatory']['recall']:.2%}，待人工确认占比 {sc['needs_review_share']:.2%}"
                  f"（依据：{sc['evidence']}）")
