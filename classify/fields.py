"""The pieces the field finders share: a field's result with its reason, the line view of a
Document, and the strict YAML loader that names the file and the line of a bad pattern."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from classify.patterns import DATA, PatternError
from records.document import Document
from records.evidence import FieldReason

@dataclass(frozen=True)
class FieldResult:
    """One field's value with the rule that fired, the quoted text, its page and a confidence."""

    value: Any
    rule: str
    quote: str
    page: int | None
    confidence: float

    def reason(self, field: str) -> FieldReason:
        return FieldReason(field=field, rule=self.rule, quote=self.quote, page=self.page,
                           confidence=self.confidence)


@dataclass(frozen=True)
class Line:
    index: int  # position among the document's non-empty lines
    page: int
    text: str  # stripped

    @property
    def is_table_row(self) -> bool:
        return "\t" in self.text or " | " in self.text


def lines_of(doc: Document) -> list[Line]:
    out: list[Line] = []
    for page in doc.pages:
        for raw in page.text.splitlines():
            text = raw.strip()
            if text:
                out.append(Line(len(out), page.number, text))
    return out


class _LineLoader(yaml.SafeLoader):
    pass


def _mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    data = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    data["__line__"] = node.start_mark.line + 1
    data["__keys__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return data


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _strip_lines(data: Any, path: tuple, lines: dict[tuple, int]) -> Any:
    if isinstance(data, dict):
        if "__line__" in data:
            lines[path] = data["__line__"]
            lines.update({path + (k,): n for k, n in data["__keys__"].items()})
        return {k: _strip_lines(v, path + (k,), lines) for k, v in data.items() if k not in ("__line__", "__keys__")}
    if isinstance(data, list):
        return [_strip_lines(v, path + (i,), lines) for i, v in enumerate(data)]
    return data


def load_yaml(name: str, model: type[BaseModel]) -> Any:
    """Load classify/data/NAME strictly into MODEL; errors name the file and the line."""
    path = DATA / name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PatternError(f"{path}:{mark.line + 1 if mark else '?'}: {exc}") from None
    lines: dict[tuple, int] = {}
    clean = _strip_lines(raw, (), lines)
    try:
        return model.model_validate(clean)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), "?")
        where = ".".join(str(x) for x in loc)
        raise PatternError(f"{path}:{line}: {where}: {err['msg']}") from None


def compile_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"bad regular expression: {exc}") from None
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
