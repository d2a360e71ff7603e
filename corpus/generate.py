"""The corpus generator: seeded documents of every doc_type × level (DESIGN.md §3) and
application packages for every rubric, with their labels and expected scores.

    generate_documents(seed, n, phrasing) -> [(DocSpec, Labels)]
    generate_packages(seed, rubric_id, track, as_of, n_docs, phrasing) -> ([(DocSpec, Labels)], PackageExpectation)

Documents start with the trap recipes of corpus/data/recipes.yaml (县级市, 直辖市 and their
districts, 自治区, 转发 notices, associations, 批示 by leaders of every rank, media of every level,
school-level awards), then cycle through every doc_type × level pair of corpus/data/doc_types.yaml,
reshuffled each cycle, so every pair appears once n ≥ len(trap recipes) + len(pairs()). Pairs that
do not exist are listed under `absent` there: a school-level 批示单, pilot designation or media
report; a national 会议纪要 or contract; any `unknown` level except `other`.

Three phrasing sets, "dev", "test" and "holdout", differ in title and body templates, topics,
works and in their issuer samples (gazetteer entries marked split: dev / test / holdout), so the
test and holdout splits are never tuned against (holdout was written after test had been looked at,
to stay a clean hold-out). Everything is drawn from random.Random(seed): the same seed gives identical specs
and labels.
"""

from __future__ import annotations

import random
from datetime import date
from functools import lru_cache

import yaml

from corpus.gen_docs import Want, doc_types, make_document
from corpus.gen_text import DATA, phrasing as load_phrasing
from corpus.gen_world import world
from corpus.spec import DocSpec, Labels, PackageExpectation


@lru_cache(maxsize=None)
def recipes() -> dict:
    return yaml.safe_load((DATA / "recipes.yaml").read_text(encoding="utf-8"))


def pairs() -> list[tuple[str, str]]:
    """Every doc_type × level pair that exists, in a fixed order."""
    return [(dt, lv) for dt, spec in doc_types()["doc_types"].items() for lv in spec["levels"]]


def absent_pairs() -> list[dict]:
    """The pairs the generator never makes, with the reason."""
    return list(doc_types()["absent"])


def _trap_wants(rng: random.Random, phrasing: str) -> list[Want]:
    w = world(phrasing)
    wants = []
    for r in recipes()["traps"][phrasing]:
        want = Want(doc_type=r["doc_type"], level=r["level"], issuer_exact=r.get("issuer"),
                    forward=bool(r.get("forward")), higher=bool(r.get("higher")))
        if want.issuer_exact:
            body = next(b for b in w.bodies + w.leaders + w.media if b.name == want.issuer_exact)
            want.county = next((c for c in w.counties if c.name == body.place), None)
            if want.county is None and body.region:
                want.county = rng.choice([c for c in w.counties if c.region == body.region] or w.counties)
        if want.forward:
            want.traps.append("forwarding_notice")
        wants.append(want)
    return wants


def generate_documents(seed: int, n: int, phrasing: str) -> list[tuple[DocSpec, Labels]]:
    load_phrasing(phrasing)  # rejects an unknown phrasing set
    rng = random.Random(seed)
    w = world(phrasing)
    wants = _trap_wants(rng, phrasing)[:n]
    all_pairs = pairs()
    while len(wants) < n:
        cycle = list(all_pairs)
        rng.shuffle(cycle)
        for dt, lv in cycle[: n - len(wants)]:
            wants.append(Want(doc_type=dt, level=lv, county=rng.choice(w.counties)))
    out = []
    for i, want in enumerate(wants):
        doc_rng = random.Random(f"{seed}:{phrasing}:{i}")
        out.append(make_document(doc_rng, want, phrasing, f"{phrasing}-{seed}-{i:05d}"))
    return out


def generate_packages(seed: int, rubric_id: str, track: str | None, as_of: date, n_docs: int,
                      phrasing: str = "dev") -> tuple[list[tuple[DocSpec, Labels]], PackageExpectation]:
    """One application package for a rubric (and track); see corpus/gen_packages.py."""
    from corpus.gen_packages import build_package

    load_phrasing(phrasing)
    return build_package(seed, rubric_id, track, as_of, n_docs, phrasing)
