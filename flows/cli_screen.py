"""`prescreen screen PACKAGE` and `prescreen screen-batch DIR` (DESIGN.md §5).

`screen` calls the plain functions of flows/pipeline.py directly: a Prefect flow run would make the
reviewer wait for Prefect's ephemeral server to start (7–15 s here) before any work. It runs as a
tracked Prefect flow only when asked (`--prefect`) or when a Prefect server is configured
(PREFECT_API_URL), where no server has to start. `screen-batch` always runs the Prefect batch flow.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.output import console, emit_json, err_console, fmt_points, json_option
from records.screen import PackageScreen
from records.vocab import STATUS_ZH
from rubrics.loader import RubricError, load_rubric

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _check_rubric(rubric_id: str, track: str | None) -> str | None:
    """The track to use (resolved for rubrics with tracks); a usage error for an unknown rubric or track."""
    try:
        rubric = load_rubric(rubric_id)
    except RubricError as exc:
        raise click.UsageError(str(exc)) from None
    if not rubric.tracks:
        if track:
            raise click.UsageError(f"评价指标体系 {rubric_id} 没有类别，不能使用 --track {track}")
        return None
    try:
        return rubric.resolve_track(track)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _read_values(path: Path | None) -> dict[str, float]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in data.items()}
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        raise click.UsageError(f"--values 须为 JSON 文件 {{名称: 数值}}：{path}（{exc}）") from None


def _bar(label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[name]}"),
                    TimeElapsedColumn(), console=err_console, disable=not err_console.is_terminal, transient=True)


def _verbose_prefect(verbose: bool) -> None:
    """Prefect's console logs on (--verbose) or off; must run before flows.prefect_flows is imported."""
    if verbose:
        os.environ["PRESCREEN_VERBOSE"] = "1"
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "INFO"
        os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "WARNING"


# -- screen ---------------------------------------------------------------------------------------

@click.command()
@click.argument("package", type=click.Path(exists=True, path_type=Path))
@click.option("--rubric", "rubric_id", required=True, help="评价指标体系 ID（见 prescreen rubrics list）")
@click.option("--track", help="类别（如 wenzhou-school 的 standard / v2）")
@click.option("--as-of", "as_of", type=DATE, help="评价日期 YYYY-MM-DD（默认今天），用于“近3年”等时间范围")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar="PRESCREEN_DB",
              help="同时写入该评审队列（SQLite 文件；也可用环境变量 PRESCREEN_DB）")
@click.option("--values", "values_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON 文件：{数值名称: 数值}（平台数据、第三方指数等）")
@click.option("--workers", type=int, default=None, help="提取文件的并行进程数（默认按 CPU 核数；0 表示本进程）")
@click.option("--no-ocr", is_flag=True, help="不做文字识别（扫描件将报 needs_ocr）")
@click.option("--prefect", "tracked", is_flag=True,
              help="作为 Prefect 流程运行并记录（未设 PREFECT_API_URL 时需先启动临时服务，约多 7–15 秒）")
@click.option("--verbose", is_flag=True, help="显示 Prefect 日志（仅 --prefect 时）")
@click.option("--name", help="申报单位名称（默认取文件夹名或压缩包名）；评审队列按名称、指标体系和类别识别申报单位")
@json_option
def screen(package, rubric_id, track, as_of, db, values_file, workers, no_ocr, tracked, verbose, name,
           as_json) -> None:
    """预审一个申报包（文件夹或 .zip）：读取并识别每份材料，按指标体系给出候选分数、佐证和缺失的必备指标。

    \b
    --json 输出一个 JSON 对象：{"package", "rubric", "track", "as_of", "documents", "indicators",
    "missing_mandatory", "total"}（DESIGN.md §5）。--db（或 PRESCREEN_DB）同时写入评审队列。
    \b
    默认直接在本进程内运行，不经过 Prefect：Prefect 的临时（ephemeral）服务每次启动要 7–15 秒，
    单个申报包不值得等。设置了 PREFECT_API_URL（已有 Prefect 服务）或加 --prefect 时，
    作为 Prefect 流程 screen-package 运行，可在 Prefect 界面中查看。
    """
    track = _check_rubric(rubric_id, track)
    values = _read_values(values_file)
    day = as_of.date() if as_of else date.today()
    if db is not None and not Path(db).resolve().parent.is_dir():
        raise click.UsageError(f"数据库所在目录不存在：{Path(db).parent}")
    if tracked or os.environ.get("PREFECT_API_URL"):
        _verbose_prefect(verbose)
        from flows.prefect_flows import screen_tracked

        with err_console.status("Prefect 流程运行中…") if err_console.is_terminal else _null():
            result = screen_tracked(package, rubric_id, track, day, values, str(db) if db else None, no_ocr, name)
    else:
        result = _screen_direct(package, rubric_id, track, day, values, db, workers, no_ocr, name)
    if as_json:
        emit_json(result.design_json())
        return
    print_screen(result, db)


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _screen_direct(package, rubric_id, track, day, values, db, workers, no_ocr, name=None) -> PackageScreen:
    from extract import DocumentCache, Limits
    from flows.pipeline import save_screen, screen_key, screen_package
    from review.store import Store

    store = Store(db) if db else None
    with _bar("读取材料") as bar:
        task = bar.add_task("screen", total=None, name="")
        result = screen_package(package, rubric_id, track, day, values, limits=Limits(ocr=not no_ocr),
                                workers=workers, cache=DocumentCache(), files=store, name=name,
                                progress=lambda doc: bar.update(task, advance=1, name=doc.origin.path[-40:]))
    if store is not None:
        key = screen_key(package, rubric_id, track, day, values, Limits(ocr=not no_ocr)) if result.error is None else None
        save_screen(db, result, screen_key=key)  # a later screen-batch over the same package skips it
        store.close()
    return result


def print_screen(s: PackageScreen, db: Path | None = None) -> None:
    rubric = load_rubric(s.rubric)
    console.print(f"[bold]{s.package}[/bold]　{rubric.title}　评价日期 {s.as_of}"
                  + (f"　类别 {s.track}" if s.track else ""))
    if s.error is not None:
        console.print(f"[red]申报包无法读取（{s.error.code}）：{s.error.message}[/red]")
        return
    score = s.score
    titles = {ind.id: ind.title for ind in rubric.indicators}
    if score.missing_mandatory:
        console.print(f"[bold red]缺少必备指标佐证（{len(score.missing_mandatory)} 项）：[/bold red]")
        for i in score.missing_mandatory:
            console.print(f"[red]  ▲ {i} {titles.get(i, '')}[/red]")
    else:
        console.print("[green]必备指标均有佐证。[/green]")
    table = Table(title="指标候选分")
    for col in ("ID", "指标", "分值", "候选分", "状态", "佐证数"):
        table.add_column(col, overflow="fold")
    for ind in score.indicators:
        used = sum(1 for u in ind.evidence if u.counted)
        status = STATUS_ZH[ind.status]
        if ind.status == "no_evidence" and ind.mandatory:
            status = f"[red]{status}[/red]"
        table.add_row(ind.id + (" ▲" if ind.mandatory else ""), ind.title, fmt_points(ind.max_score),
                      fmt_points(ind.candidate_score), status, str(used) if used else "")
    console.print(table)
    bad = s.unreadable()
    if bad:
        console.print(f"[bold yellow]无法读取的文件（{len(bad)} 个）：[/bold yellow]")
        for d in bad:
            console.print(f"  {d.evidence.path}　[yellow]{d.evidence.error.code}[/yellow]　{d.evidence.error.message}")
    t = score.total
    review = sum(1 for i in score.indicators if i.status in ("needs_review", "not_assessable"))
    line = f"候选合计 {t.candidate:g} / {t.max:g}"
    if t.bonus_max:
        line += f"（其中加分 {t.bonus_candidate:g} / {t.bonus_max:g}）"
    console.print(line)
    console.print(f"文件 {len(s.documents)} 个，无法读取 {len(bad)} 个；缺少必备指标 {len(score.missing_mandatory)} 项；"
                  f"待人工确认 {review} 项。")
    if db is not None:
        console.print(f"已写入评审队列：{db}")


# -- screen-batch ---------------------------------------------------------------------------------

@click.command("screen-batch")
@click.argument("batch_dir", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--rubric", "rubric_id", required=True, help="评价指标体系 ID")
@click.option("--track", help="类别")
@click.option("--as-of", "as_of", type=DATE, help="评价日期 YYYY-MM-DD（默认今天）")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default="prescreen.db", show_default=True,
              help="评审队列（SQLite 文件）")
@click.option("--values", "values_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON 文件：{数值名称: 数值}，对每个申报包都适用")
@click.option("--workers", type=int, default=2, show_default=True, help="同时处理的申报包数")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="预审报告文件（.xlsx 或 .csv）")
@click.option("--dask", "dask_address", metavar="ADDRESS", help="在该 Dask 集群上运行（如 tcp://10.0.0.5:8786）")
@click.option("--runner", type=click.Choice(["thread", "process"]), default="thread", show_default=True,
              help="本机并行方式：线程（每个申报包一个提取进程）或 Prefect 进程池")
@click.option("--no-ocr", is_flag=True, help="不做文字识别")
@click.option("--verbose", is_flag=True, help="显示 Prefect 的日志")
@json_option
def screen_batch(batch_dir, rubric_id, track, as_of, db, values_file, workers, report_path, dask_address, runner,
                 no_ocr, verbose, as_json) -> None:
    """预审一批申报包：DIR 下每个子文件夹或 .zip 为一个申报单位，全部写入评审队列，并给出预审报告。

    \b
    以 Prefect 流程 screen-batch 运行：未设置 PREFECT_API_URL 时使用本机临时服务（启动约 7–15 秒），
    设置后在该 Prefect 服务上运行，可在其界面中查看进度。按文件内容缓存：重跑时只重新处理有变化的申报包。
    无法读取的申报包或文件会记录错误，其余照常处理。
    --json 时每个申报单位输出一行报告。
    """
    track = _check_rubric(rubric_id, track)
    values = _read_values(values_file)
    if report_path is not None and report_path.suffix.lower() not in (".csv", ".xlsx"):
        raise click.UsageError(f"--report 须为 .xlsx 或 .csv 文件：{report_path}")
    if workers < 1:
        raise click.UsageError("--workers 至少为 1")
    if not Path(db).resolve().parent.is_dir():
        raise click.UsageError(f"数据库所在目录不存在：{Path(db).parent}")
    day = as_of.date() if as_of else date.today()
    _verbose_prefect(verbose)
    from flows.pipeline import find_packages, open_store
    from flows.prefect_flows import run_batch
    from flows.report import batch_report, write_report

    names = [p.stem if p.is_file() else p.name for p in find_packages(batch_dir)]
    with _bar("预审申报包") as bar:
        task = bar.add_task("batch", total=len(names), name="启动 Prefect…")
        counts = run_batch(batch_dir, rubric_id, track, day, db, values, no_ocr, workers, dask_address, runner,
                           progress=lambda s: bar.update(task, advance=1, name=s["package"][-30:]))
    rows = batch_report(open_store(db), rubric_id, track, names)
    if report_path is not None:
        write_report(rows, report_path)
    if as_json:
        for r in rows:
            emit_json(r)
        return
    print_report(rows)
    console.print(f"共 {counts['packages']} 个申报包、{counts['documents']} 个文件，无法读取 {counts['unreadable']} 个文件"
                  + (f"，{counts['failed_packages']} 个申报包无法读取" if counts["failed_packages"] else "")
                  + (f"；其中 {counts['skipped']} 个未变化，沿用队列中的结果" if counts.get("skipped") else "")
                  + f"。已写入评审队列：{db}" + (f"；预审报告：{report_path}" if report_path else ""))


def print_report(rows: list[dict]) -> None:
    table = Table(title="预审报告")
    for col in ("申报单位", "候选总分", "缺少佐证的必备指标", "无法读取", "待确认"):
        table.add_column(col, overflow="fold")
    for r in rows:
        total = "—" if r["candidate"] is None else f"{r['candidate']:g} / {r['max']:g}"
        missing = f"[red]{r['missing_mandatory']}[/red]" if r["missing_mandatory"] else "[green]无[/green]"
        if r["error"]:
            missing = f"[red]{r['error']}[/red]"
        table.add_row(r["package"], total, missing, str(r["unreadable"]) if r["unreadable"] else "",
                      str(r["needs_review"]))
    console.print(table)
