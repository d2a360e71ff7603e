"""`prescreen review …`: the reviewers' web app over the review queue, its accounts and its exports.

    prescreen review add-user admin --role admin          # asks for the password (or --password-stdin)
    prescreen review assign 3 li
    prescreen review serve --db prescreen.db --port 8000
    prescreen review export --db prescreen.db --out 结果.xlsx
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from flows.output import emit_json, err_console, json_option

DEFAULT_DB = "prescreen.db"


def db_option(f):
    return click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path),
                        default=lambda: os.environ.get("PRESCREEN_DB", DEFAULT_DB), show_default="PRESCREEN_DB 或 prescreen.db",
                        help="评审队列数据库（SQLite）")(f)


def _store(db: Path, must_exist: bool = True):
    from review.errors import StoreError
    from review.store import Store

    if must_exist and not db.exists():
        raise click.ClickException(f"评审队列不存在：{db}（先用 prescreen screen/screen-batch --db 预审）")
    try:
        return Store(db)
    except StoreError as exc:
        raise click.ClickException(exc.message) from None


@click.group()
def review() -> None:
    """评审：网页评审界面、账号、分配与导出。"""


@review.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（对外开放请放在 HTTPS 反向代理之后）")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--login-delay", type=float, default=1.0, show_default=True, help="首次密码错误后的等待秒数（之后每次加倍）")
def serve(db, host, port, login_delay) -> None:
    """启动评审网页（中文界面，离线可用）。"""
    import uvicorn

    from review.users import users
    from review.web import create_app

    store = _store(db, must_exist=False)
    if not any(u["role"] == "admin" and u["active"] for u in users(store)):
        err_console.print("[yellow]还没有管理员账号：请先运行 prescreen review add-user 名字 --role admin[/]")
    store.close()
    app = create_app(db, login_delay=login_delay)
    err_console.print(f"评审网页：http://{host}:{port}/  （队列 {db}）")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


@review.command("add-user")
@click.argument("name")
@click.option("--role", type=click.Choice(["reviewer", "admin"]), required=True, help="reviewer 评审员 / admin 管理员")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行），用于脚本")
@db_option
def add_user_command(name, role, password_stdin, db) -> None:
    """创建账号（已存在则重设角色和密码）。密码不会出现在命令行上。"""
    from review.users import UserError, add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    store = _store(db, must_exist=False)
    try:
        user = add_user(store, name, role, password)
    except UserError as exc:
        raise click.ClickException(exc.message) from None
    err_console.print(f"已创建账号 {user['name']}（{'管理员' if role == 'admin' else '评审员'}）")


@review.command()
@click.argument("package_id", type=int)
@click.argument("user")
@click.option("--remove", is_flag=True, help="取消分配")
@db_option
def assign(package_id, user, remove, db) -> None:
    """把申报单位（编号见评审网页或 export）分配给评审员。"""
    from review.users import UserError, assign as assign_user, unassign

    store = _store(db)
    try:
        if remove:
            unassign(store, package_id, user)
        else:
            assign_user(store, package_id, user, by="cli")
    except UserError as exc:
        raise click.ClickException(exc.message) from None
    err_console.print(f"已{'取消分配' if remove else '分配'}：申报单位 {package_id} → {user}")


@review.command()
@db_option
@click.option("--package", "package_ids", type=int, multiple=True, help="只导出这个申报单位（可多次给出）")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出文件 .xlsx 或 .csv")
def export(db, package_ids, out) -> None:
    """导出确认后的评分表（按指标体系的层级排列）：Excel 每个单位一张表，CSV 为一张总表。"""
    from review.export import write_csv, write_xlsx

    store = _store(db)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise click.ClickException("输出文件须以 .xlsx 或 .csv 结尾")
    pids = list(package_ids) or [p["id"] for p in store.packages()]
    missing = [pid for pid in pids if store.package(pid) is None]
    if missing:
        raise click.ClickException(f"没有这些申报单位：{', '.join(map(str, missing))}")
    (write_xlsx if suffix == ".xlsx" else write_csv)(store, pids, out)
    err_console.print(f"已导出 {len(pids)} 个申报单位 → {out}")


@review.command("packages")
@db_option
@json_option
def list_packages(db, as_json) -> None:
    """列出队列中的申报单位及评审进度。"""
    from review.pages import package_summary

    store = _store(db)
    rows = [package_summary(p) for p in store.packages()]
    if as_json:
        for r in rows:
            emit_json(r)
        return
    for r in rows:
        click.echo(f"{r['id']:>4}  {r['name']}  {r['rubric']}  已决定 {r['decided']}/{r['items']}  "
                   f"评审人 {'、'.join(r['assignees']) or '未分配'}")
