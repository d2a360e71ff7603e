"""OCR post-correction: the usual slips of OCR on Chinese administrative documents, fixed where the
pattern is unambiguous (a 文号's brackets, mixed-width digit runs, 〇 in Chinese-numeral years).

The rules are data (extract/data/ocr_fixes.yaml); this module only applies them, in order. Used on
OCR output only (images and scanned PDF pages), never on a text layer, which is what was printed.

    fix_ocr_text("瑞教发〔2023】45号")  ->  "瑞教发〔2023〕45号"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

RULES_PATH = Path(__file__).parent / "data" / "ocr_fixes.yaml"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    replace: str
    translate: dict[str, dict[int, str]] = field(default_factory=dict)  # group -> str.translate table
    strip_groups: tuple[str, ...] = ()

    def _sub(self, match: re.Match) -> str:
        groups = {k: (v or "") for k, v in match.groupdict().items()}
        for name, table in self.translate.items():
            groups[name] = groups.get(name, "").translate(table)
        for name in self.strip_groups:
            groups[name] = _SPACE.sub("", groups.get(name, ""))
        return re.sub(r"\\g<(\w+)>", lambda m: groups.get(m.group(1), ""), self.replace)

    def apply(self, text: str) -> str:
        return self.pattern.sub(self._sub, text)


def load_rules(path: Path = RULES_PATH) -> list[Rule]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    tables = {name: str.maketrans(mapping) for name, mapping in (data.get("tables") or {}).items()}
    rules: list[Rule] = []
    for raw in data.get("rules") or []:
        if raw.get("enabled", True) is False:
            continue
        translate = {}
        for group, table in (raw.get("translate") or {}).items():
            if table not in tables:
                raise ValueError(f"{path}: rule {raw['name']!r} uses unknown table {table!r}")
            translate[group] = tables[table]
        rules.append(Rule(
            name=raw["name"],
            pattern=re.compile(raw["pattern"]),
            replace=raw["replace"],
            translate=translate,
            strip_groups=tuple(raw.get("strip_groups") or ()),
        ))
    return rules


@lru_cache(maxsize=1)
def _rules() -> tuple[Rule, ...]:
    return tuple(load_rules())


def fix_ocr_text(text: str) -> str:
    """Apply every enabled rule of ocr_fixes.yaml, in order. Idempotent on its own output."""
    if not text:
        return text
    for rule in _rules():
        text = rule.apply(text)
    return text
