"""Load the pattern files of classify/data/ strictly: a bad line names the file and the line."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

DATA = Path(__file__).parent / "data"


class PatternError(Exception):
    pass


class Cue(BaseModel):
    """A cue word for one value of a field, weighted by where it stands: anywhere in the title,
    at the END of the title (the 文种 of GB/T 9704 titles: …的通知, …规划, …纪要; added to `title`),
    or in the opening of the body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    pattern: str
    id: str
    title: float = 0.0
    end: float = 0.0
    body: float = 0.0


def load_jsonl(name: str, model: type[BaseModel]) -> list[Any]:
    path = DATA / name
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            out.append(model.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise PatternError(f"{path}:{n}: {exc}") from None
    if not out:
        raise PatternError(f"{path}: no patterns")
    return out


@lru_cache(maxsize=None)
def doctype_cues() -> tuple[Cue, ...]:
    from records.vocab import DOC_TYPES

    cues = tuple(load_jsonl("doctype_cues.jsonl", Cue))
    for c in cues:
        if c.id not in DOC_TYPES:
            raise PatternError(f"{DATA / 'doctype_cues.jsonl'}: unknown doc_type {c.id!r} for {c.pattern!r}")
    return cues
