"""`prescreen rubrics …`: list, show, validate and try out rubrics."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from rich.table import Table

from flows.output import console, emit_json, err_console, fmt_points, json_option
from records import Evidence
from records.vocab import ASSESSED_BY_ZH, STATUS_ZH
from rubrics.describe import describe
from rubrics.engine import score_package
from rubrics.loader import RubricError, load_rubric, load_rubric_file, rubric_files
from rubrics.validate import validate


@click.group()
def rubrics() -> None:
    """评价指标体系：列出、查看、校验、试算。"""


def _load(rubric_id: str):
    try:
        return load_rubric(rubric_id)
    except RubricError as exc:
        raise click.ClickException(str(exc)) from None


@rubrics.command("list")
@json_option
def rubrics_list(as_json: bool) -> None:
    """列出内置的评价指标体系。"""
    rows = []
    for path in rubric_files():
        try:
            r = load_rubric(path.stem)
        except RubricError as exc:  # one broken file must not hide the others
            err_console.print(f"[red]✗[/red] {exc}", markup=False)
            continue
        rows.append({"id": r.id, "title": r.title, "version": r.version, "scoring": r.scoring,
                     "indicators": len(r.indicators), "total_max": r.total_max, "bonus_max": r.bonus_max,
                     "tracks": [t.id for t in r.tracks]})
    if as_json:
        for row in rows:
            emit_json(row)
        return
    table = Table(title="内置评价指标体系")
    for col in ("ID", "名称", "指标数", "总分", "加分", "类别"):
        table.add_column(col)
    for row in rows:
        total = "达标制" if row["scoring"] == "pass_fail" else fmt_points(row["total_max"])
        table.add_row(row["id"], row["title"], str(row["indicators"]), total, fmt_points(row["bonus_max"]),
                      "、".join(row["tracks"]) or "—")
    console.print(table)


@rubrics.command("show")
@click.argument("rubric_id", metavar="ID")
@click.option("--track", help="类别（如 wenzhou-school 的 standard 达标校 / v2 2.0学校）")
@json_option
def rubrics_show(rubric_id: str, track: str | None, as_json: bool) -> None:
    """查看一个评价指标体系的全部指标、分值、必备标记和评分条款。"""
    rubric = _load(rubric_id)
    try:
        data = describe(rubric, track)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        emit_json(data)
        return
    head = f"{data['title']}（{rubric.id}，版本 {rubric.version}）"
    if data["track"]:
        name = next(t["name"] for t in data["tracks"] if t["id"] == data["track"])
        head += f" — 类别：{name}"
    console.print(f"[bold]{head}[/bold]")
    if rubric.scoring == "points":
        console.print(f"总分 {rubric.total_max:g}" + (f"，加分项 {rubric.bonus_max:g}" if rubric.bonus_max else ""))
    table = Table(show_lines=False)
    for col in ("ID", "上级", "指标", "分值", "必备", "评价方式", "条款"):
        table.add_column(col, overflow="fold")
    for ind in data["indicators"]:
        table.add_row(ind["id"], " › ".join(ind["path"]), ind["title"], fmt_points(ind["max_score"]),
                      "▲" if ind["mandatory"] else "", "、".join(ASSESSED_BY_ZH[a] for a in ind["assessed_by"]),
                      str(len(ind["clauses"])))
    console.print(table)
    if rubric.pass_rule:
        console.print(f"通过条件：{rubric.pass_rule.text}")


@rubrics.command("validate")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@json_option
def rubrics_validate(path: Path | None, as_json: bool) -> None:
    """校验评价指标体系文件（不给 PATH 时校验全部内置文件）。有错误时退出码为 1。"""
    if path is None:
        files = rubric_files()
    elif path.is_dir():
        files = sorted(path.glob("*.yaml"))
    else:
        files = [path]
    failed = False
    for f in files:
        try:
            rubric = load_rubric_file(f)
        except RubricError as exc:
            failed = True
            if as_json:
                emit_json({"file": str(f), "ok": False, "errors": [str(exc)], "warnings": []})
            else:
                err_console.print(f"[red]✗[/red] {exc}")
            continue
        report = validate(rubric)
        failed |= not report.ok
        if as_json:
            emit_json({"file": str(f), "id": rubric.id, "ok": report.ok,
                       "errors": [str(x) for x in report.errors], "warnings": [str(x) for x in report.warnings]})
            continue
        mark = "[green]✓[/green]" if report.ok else "[red]✗[/red]"
        console.print(f"{mark} {f}：{rubric.title}，{len(rubric.indicators)} 项指标，"
                      f"错误 {len(report.errors)}，警告 {len(report.warnings)}")
        for finding in report.findings:
            console.print(f"    {finding}", markup=False)
    if failed:
        sys.exit(1)


def _read_evidence(path: Path) -> list[Evidence]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Evidence.model_validate_json(line))
        except ValueError as exc:
            raise click.ClickException(f"{path} 第 {n} 行不是有效的佐证记录：{exc}") from None
    return out


def _parse_values(pairs: tuple[str, ...], values_file: Path | None) -> dict[str, float]:
    values: dict[str, float] = {}
    if values_file:
        values.update({k: float(v) for k, v in json.loads(values_file.read_text(encoding="utf-8")).items()})
    for pair in pairs:
        name, _, num = pair.partition("=")
        try:
            values[name.strip()] = float(num)
        except ValueError:
            raise click.ClickException(f"--value 应写成 名称=数值，收到 {pair!r}") from None
    return values


@rubrics.command("score")
@click.argument("rubric_id", metavar="ID")
@click.argument("evidence", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--track", help="类别")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="评价日期（默认今天），用于“近3年”等时间范围")
@click.option("--value", "value_pairs", multiple=True, metavar="NAME=NUMBER", help="提供平台/统计数值，可多次使用")
@click.option("--values", "values_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON 文件：{数值名称: 数值}")
@click.option("--detail", is_flag=True, help="显示每项指标的评分依据")
@json_option
def rubrics_score(rubric_id, evidence, track, as_of, value_pairs, values_file, detail, as_json) -> None:
    """按评价指标体系为一组已分类的佐证（JSON Lines 文件，每行一条 Evidence）试算候选分数。"""
    rubric = _load(rubric_id)
    day = as_of.date() if as_of else date.today()
    try:
        result = score_package(rubric, _read_evidence(evidence), day, track,
                               _parse_values(value_pairs, values_file))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    print_score(rubric, result, detail)


def print_score(rubric, result, detail: bool = False) -> None:
    console.print(f"[bold]{rubric.title}[/bold]　评价日期 {result.as_of}"
                  + (f"　类别 {result.track}" if result.track else ""))
    if result.missing_mandatory:
        console.print(f"[red]缺少必备指标佐证：{'、'.join(result.missing_mandatory)}[/red]")
    table = Table()
    for col in ("ID", "指标", "分值", "候选分", "状态", "条款得分", "佐证"):
        table.add_column(col, overflow="fold")
    for s in result.indicators:
        clauses = " · ".join(f"{c.id} {fmt_points(c.points)}" for c in s.clauses)
        used = sum(1 for u in s.evidence if u.counted)
        table.add_row(s.id + (" ▲" if s.mandatory else ""), s.title, fmt_points(s.max_score),
                      fmt_points(s.candidate_score), STATUS_ZH[s.status], clauses, str(used) if used else "")
    console.print(table)
    t = result.total
    line = f"候选合计 {t.candidate:g} / {t.max:g}"
    if t.bonus_max:
        line += f"（其中加分 {t.bonus_candidate:g} / {t.bonus_max:g}）"
    console.print(line)
    if result.pass_result:
        verdict = {True: "通过", False: "未通过", None: "待定"}[result.pass_result.passed]
        console.print(f"结论：{verdict} — {result.pass_result.rationale}")
    shown = [s for s in result.indicators if detail or s.status == "needs_review"]
    if shown:
        console.print("\n[bold]" + ("评分依据" if detail else "待人工确认的指标") + "[/bold]")
        for s in shown:
            console.print(f"  {s.id} {s.title}：{s.rationale}")
    if not detail:
        console.print("（加 --detail 显示每项指标的评分依据，加 --json 输出完整结果）")
