"""Shared output helpers for the CLI: JSON lines in UTF-8, Chinese tables for people."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def fmt_points(x: float | None) -> str:
    return "—" if x is None else f"{x:g}"


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="输出 JSON（UTF-8，中文不转义）")(f)
