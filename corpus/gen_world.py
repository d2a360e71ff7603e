"""The generator's world, read from corpus/data/gazetteer.yaml: issuing bodies, leaders, media
outlets and applicants (counties and their schools), each with its level and region."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

from corpus.gen_text import gazetteer, in_split


@dataclass(frozen=True)
class Body:
    name: str  # full name; joint issuers separated by one space
    level: str
    kind: str  # edu gov party research association school media leader
    region: str | None
    place: str  # the area it governs, as titles write it ("" for national bodies)
    prefix: str | None = None  # 文号 prefix
    abbrev: str | None = None
    traps: tuple[str, ...] = ()


@dataclass(frozen=True)
class County:
    name: str
    region: str
    schools: tuple[str, ...]
    traps: tuple[str, ...] = ()


@dataclass
class World:
    bodies: list[Body] = field(default_factory=list)
    leaders: list[Body] = field(default_factory=list)
    media: list[Body] = field(default_factory=list)
    counties: list[County] = field(default_factory=list)

    def pick(self, pool: list[Body], rng: random.Random, level: str, region: str | None = None,
             kinds: tuple[str, ...] = (), issuer_any: tuple[str, ...] = (), issuer_none: tuple[str, ...] = (),
             county: str | None = None) -> Body | None:
        def ok(b: Body, strict_region: bool) -> bool:
            if b.level != level or (kinds and b.kind not in kinds):
                return False
            if issuer_any and not any(s in b.name for s in issuer_any):
                return False
            if issuer_none and any(s in b.name for s in issuer_none):
                return False
            if strict_region and region and b.region not in (region, None):
                return False
            if strict_region and county and b.level in ("county", "school") and county not in b.place + b.name:
                return False
            return True

        for strict in (True, False):
            found = [b for b in pool if ok(b, strict)]
            if found:
                return rng.choice(found)
        return None

    def body(self, rng, level, **kw) -> Body | None:
        return self.pick(self.bodies, rng, level, **kw)

    def leader(self, rng, level, **kw) -> Body | None:
        return self.pick(self.leaders, rng, level, **kw)

    def outlet(self, rng, level, **kw) -> Body | None:
        return self.pick(self.media, rng, level, **kw)


def _entries(items, split):
    return [e for e in items or [] if in_split(e, split)]


def _body(e: dict, level: str, region: str | None, place: str, kind: str | None = None) -> Body:
    return Body(name=e.get("name") or e["title"], level=e.get("level", level), kind=kind or e.get("kind", "edu"),
                region=region, place=place, prefix=e.get("prefix"), abbrev=e.get("abbrev"),
                traps=tuple(e.get("traps", ())))


@lru_cache(maxsize=None)
def world(split: str) -> World:
    g = gazetteer()
    w = World()
    nat = g["national"]
    w.bodies += [_body(e, "national", None, "全国") for e in _entries(nat["issuers"], split)]
    w.leaders += [_body(e, "national", None, "", "leader") for e in _entries(nat["leaders"], split)]
    w.media += [_body(e, "national", None, "", "media") for e in _entries(nat["media"], split)]
    for rid, reg in g["regions"].items():
        if not in_split(reg, split):
            continue
        w.bodies += [_body(e, "provincial", rid, reg["province"]) for e in _entries(reg["provincial"], split)]
        city = reg.get("city", "")
        w.bodies += [_body(e, "municipal", rid, city) for e in _entries(reg["municipal"], split)]
        w.leaders += [_body(e, "", rid, "", "leader") for e in _entries(reg["leaders"], split)]
        w.media += [_body(e, "", rid, "", "media") for e in _entries(reg["media"], split)]
        for s in reg.get("schools", []):
            w.bodies.append(Body(s, "school", "school", rid, s))
        for c in _entries(reg["counties"], split):
            traps = tuple(c.get("traps", ()))
            w.counties.append(County(c["name"], rid, tuple(c["schools"]), traps))
            for e in _entries(c["issuers"], split):
                b = _body(e, "county", rid, c["name"])
                w.bodies.append(Body(b.name, b.level, b.kind, rid, c["name"], b.prefix, b.abbrev,
                                     tuple(dict.fromkeys(b.traps + traps))))
            w.leaders += [Body(e["title"], e["level"], "leader", rid, c["name"],
                               traps=traps) for e in _entries(c["leaders"], split)]
            w.media += [Body(e["name"], e["level"], "media", rid, c["name"], traps=traps)
                        for e in _entries(c["media"], split)]
            w.bodies += [Body(s, "school", "school", rid, s + " " + c["name"]) for s in c["schools"]]
    return w
