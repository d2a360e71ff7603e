"""Load rubric files strictly: duplicate keys, unknown keys and wrong types are errors that
name the file, the indicator and the key."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rubrics.schema import Rubric

DATA_DIR = Path(__file__).parent / "data"


class RubricError(Exception):
    """A rubric file cannot be loaded. The message names the file, the place and the key."""


class _StrictLoader(yaml.SafeLoader):
    pass


class _DuplicateKey(RubricError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def _enclosing_id(text: str, line: int) -> str:
    """The id of the list item (indicator, group) a line belongs to, for error messages."""
    lines = text.splitlines()[: line - 1]
    for row in reversed(lines):
        m = re.match(r"^(\s*)-\s+id:\s*(.+?)\s*$", row)
        if m:
            return f"指标 indicator {m.group(2).strip(chr(34) + chr(39))} › "
    return ""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateKey(
                f"重复的键 {key!r}（第 {key_node.start_mark.line + 1} 行，首次出现在第 {seen[key]} 行）"
                f" / duplicate key {key!r} at line {key_node.start_mark.line + 1}",
                key_node.start_mark.line + 1,
            )
        seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _where(raw: Any, loc: tuple) -> str:
    """Turn a pydantic error location into words: indicator 1.1 › clauses[0] › points."""
    parts: list[str] = []
    node = raw
    i = 0
    while i < len(loc):
        key = loc[i]
        if isinstance(node, dict) and key in node:
            child = node[key]
            if key in ("indicators", "groups", "tracks") and i + 1 < len(loc) and isinstance(child, list):
                idx = loc[i + 1]
                item = child[idx] if isinstance(idx, int) and idx < len(child) else None
                ident = item.get("id") if isinstance(item, dict) else None
                label = {"indicators": "指标 indicator", "groups": "分组 group", "tracks": "类别 track"}[key]
                parts.append(f"{label} {ident}" if ident is not None else f"{key}[{idx}]")
                node = item
                i += 2
                continue
            if key == "clauses" and i + 1 < len(loc) and isinstance(child, list):
                idx = loc[i + 1]
                item = child[idx] if isinstance(idx, int) and idx < len(child) else None
                ident = item.get("id") if isinstance(item, dict) else None
                parts.append(f"条款 clause {ident}" if ident is not None else f"clauses[{idx}]")
                node = item
                i += 2
                # pydantic puts the discriminator tag in the location; skip it
                if i < len(loc) and isinstance(item, dict) and loc[i] == item.get("kind"):
                    i += 1
                continue
            parts.append(str(key))
            node = child
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            parts.append(f"[{key}]")
            node = node[key]
        else:
            parts.append(str(key))
            node = None
        i += 1
    return " › ".join(parts) or "(文件顶层 top level)"


def parse_rubric(text: str, name: str) -> Rubric:
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        near = _enclosing_id(text, exc.line)
        raise RubricError(f"{name}: {near}{exc}") from None
    except yaml.YAMLError as exc:
        raise RubricError(f"{name}: YAML 格式错误 / malformed YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise RubricError(f"{name}: 文件应是一个映射（id、title、indicators …） / expected a mapping")
    try:
        return Rubric.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            hint = ""
            if err["type"] == "string_type" and isinstance(err.get("input"), (bool, int, float)):
                hint = f"（YAML 把它读成了 {err['input']!r}，请加引号 / quote it）"
            lines.append(f"  - {_where(raw, err['loc'])}: {err['msg']}{hint}")
        raise RubricError(f"{name}: 评价指标体系文件有误 / invalid rubric file:\n" + "\n".join(lines)) from None


def load_rubric_file(path: Path | str) -> Rubric:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path}: 无法读取 / cannot read: {exc}") from None
    return parse_rubric(text, str(path))


def rubric_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))


@lru_cache(maxsize=None)
def load_rubric(rubric_id: str) -> Rubric:
    """Load a bundled rubric by id (the file name without .yaml must equal the id)."""
    path = DATA_DIR / f"{rubric_id}.yaml"
    if not path.exists():
        known = ", ".join(p.stem for p in rubric_files())
        raise RubricError(f"没有评价指标体系 {rubric_id!r} / unknown rubric; 可选 available: {known}")
    rubric = load_rubric_file(path)
    if rubric.id != rubric_id:
        raise RubricError(f"{path}: 文件名与 id 不符 / file name does not match id {rubric.id!r}")
    return rubric


def all_rubrics() -> list[Rubric]:
    return [load_rubric(p.stem) for p in rubric_files()]
