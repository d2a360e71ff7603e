"""Application packages: documents linked to a rubric's document-decidable indicators, made to
fit each clause's `match`, rates and window, plus the traps every package carries — a document
outside the time window, the same certificate twice (same case_key, another file name), the same
case at two levels — and some mandatory indicators left without evidence.

The expected scores are not computed here: the gold Evidence of every document
(corpus.evaluate.gold_evidence, the same the evaluation uses) goes through
rubrics.engine.score_package, which is verified separately by the worked cases of tests/cases/.
expected_scores keeps the indicators whose status is scored or no_evidence (the ones documents
decide); missing_mandatory comes from the same run.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from corpus.evaluate import gold_evidence
from corpus.gen_docs import Want, doc_types, make_document
from corpus.gen_text import fill, phrasing
from corpus.gen_world import County, world
from corpus.spec import DocSpec, Labels, PackageExpectation
from records.vocab import LEVEL_RANK
from rubrics.engine import score_package
from rubrics.loader import load_rubric
from rubrics.matching import matches, window_start
from rubrics.schema import Indicator, Rubric

LEVELS = ("national", "provincial", "municipal", "county", "school")
Doc = tuple[DocSpec, Labels]


def _doc_clauses(ind: Indicator):
    return [c for c in ind.clauses if c.assessed_by == "documents"]


def _window(ind: Indicator, clause):
    return clause.window or ind.window


def _date_in(rng: random.Random, ind, clause, as_of: date, inside: bool = True) -> date:
    win = _window(ind, clause)
    if win is None:
        return as_of - timedelta(days=rng.randint(20, 365 * 3))
    end = as_of
    if win.min_age_years:
        end = as_of.replace(year=as_of.year - win.min_age_years) if not (as_of.month == 2 and as_of.day == 29) \
            else date(as_of.year - win.min_age_years, 2, 28)
    start = window_start(win, as_of)
    if start == date.min:
        start = end - timedelta(days=365 * 3)
    if inside:
        return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
    if win.min_age_years and not (win.years or win.since or win.calendar_year):
        return end + timedelta(days=rng.randint(1, max(1, (as_of - end).days)))  # too recent
    return start - timedelta(days=rng.randint(15, 500))


def _levels_for(clause, ind: Indicator, doc_type: str, rng: random.Random) -> list[str]:
    exists = doc_types()["doc_types"][doc_type]["levels"]
    allowed = [lv for lv in LEVELS if lv in exists]
    m = clause.match
    if m.levels:
        allowed = [lv for lv in allowed if lv in m.levels]
    floor = m.min_level or ind.expects.min_level
    if floor:
        allowed = [lv for lv in allowed if LEVEL_RANK[lv] >= LEVEL_RANK[floor]]
    rates = getattr(clause, "rates", None) or []
    paying = [lv for r in rates for lv in (r.when.levels or [])]
    if paying and rng.random() < 0.9:
        allowed = [lv for lv in allowed if lv in paying] or allowed
    return allowed or [lv for lv in LEVELS if lv in exists]


def _want_for(rng: random.Random, rubric: Rubric, ind: Indicator, clause, county: County, subject: str,
              as_of: date, inside: bool = True) -> Want:
    m = clause.match
    types = [t for t in (m.doc_types or ind.expects.doc_types or ["other"]) if t in doc_types()["doc_types"]]
    doc_type = rng.choice(types or ["other"])
    levels = _levels_for(clause, ind, doc_type, rng)
    rates = getattr(clause, "rates", None) or []
    own = "school" if rubric.applicant == "school" else "county"
    level = own if own in levels and not rates and rng.random() < 0.6 else rng.choice(levels)
    rate = next((r for r in rates if not r.when.levels or level in r.when.levels), None)
    when = rate.when if rate else None
    grades = m.grades or (when.grades if when else [])
    cues = m.cues_any
    topic = None
    if cues:
        cue = rng.choice(cues)
        topic = next((k for k in ind.expects.keywords if cue in k), cue)
    elif ind.expects.keywords and rng.random() < 0.7:
        topic = rng.choice(ind.expects.keywords)
    if topic and any(bad in topic for bad in m.cues_none):
        topic = None
    stage = "结题" if doc_type == "research_project" and ("结题" in cues or "结项" in cues or m.cues_none) else None
    return Want(doc_type=doc_type, level=level, county=county, subject=subject, topic=topic,
                when=_date_in(rng, ind, clause, as_of, inside), dated=True,
                grade=rng.choice(grades) if grades else None, stage=stage,
                issuer_any=tuple(m.issuer_any or (when.issuer_any if when else [])),
                issuer_none=tuple(m.issuer_none))


def _fits(rubric: Rubric, ind: Indicator, clause, labels: Labels) -> bool:
    ev = gold_evidence(labels, rubric.id)
    if not matches(clause.match, ev, ind.id):
        return False
    rates = getattr(clause, "rates", None) or []
    return not rates or any(matches(r.when, ev, ind.id) for r in rates)


class _Maker:
    def __init__(self, seed: int, rubric: Rubric, as_of: date, split: str, county: County, applicant: str):
        self.rng = random.Random(seed)
        self.seed, self.rubric, self.as_of, self.split = seed, rubric, as_of, split
        self.county, self.applicant = county, applicant
        self.docs: list[Doc] = []

    def _id(self) -> str:
        return f"{self.split}-p{self.seed}-{len(self.docs):03d}"

    def subject(self, schools: bool = False) -> str:
        if self.rubric.applicant == "school":
            return self.applicant
        return self.rng.choice(self.county.schools) if schools or self.rng.random() < 0.5 else self.applicant

    def make(self, ind: Indicator, clause, subject: str | None = None, inside: bool = True,
             tune=None) -> Doc:
        """A document for one clause, re-drawn until its gold evidence matches the clause."""
        doc = None
        for _ in range(12):
            want = _want_for(self.rng, self.rubric, ind, clause, self.county, subject or self.subject(), self.as_of,
                             inside)
            if tune:
                tune(want)
            doc = make_document(random.Random(self.rng.random()), want, self.split, self._id())
            if _fits(self.rubric, ind, clause, doc[1]):
                break
        doc[1].indicators = {self.rubric.id: [ind.id]}
        self.docs.append(doc)
        return doc

    def filler(self) -> Doc:
        dt = self.rng.choice(["other", "work_summary", "media_report", "regulation"])
        lv = self.rng.choice(doc_types()["doc_types"][dt]["levels"])
        want = Want(doc_type=dt, level=lv, county=self.county, subject=self.applicant,
                    when=self.as_of - timedelta(days=self.rng.randint(10, 900)))
        doc = make_document(random.Random(self.rng.random()), want, self.split, self._id())
        doc[1].hard_cases.append("unlinked_document")
        self.docs.append(doc)
        return doc


def _n_items(rng: random.Random, clause) -> int:
    kind = clause.kind
    if kind == "tiers" and clause.measure in ("count", "schools"):
        mins = sorted({t.min for t in clause.tiers if t.min > 0}) or [1]
        target = rng.choice(mins)
        return max(1, min(4, int(target) + rng.choice((-1, 0, 0, 1))))
    if kind == "shortfall" and clause.measure == "schools":
        return max(1, min(4, int(clause.target) - rng.choice((0, 1))))
    if kind == "per_item":
        return rng.choice((1, 1, 2))
    return 1


def build_package(seed: int, rubric_id: str, track: str | None, as_of: date, n_docs: int,
                  split: str) -> tuple[list[Doc], PackageExpectation]:
    from corpus.generate import recipes

    rng = random.Random(f"package:{seed}:{rubric_id}:{track}")
    rubric = load_rubric(rubric_id)
    track_id = rubric.resolve_track(track)
    w = world(split)
    region = recipes()["rubric_regions"][rubric_id]
    county = rng.choice([c for c in w.counties if c.region == region])
    applicant = rng.choice(county.schools) if rubric.applicant == "school" else county.name
    mk = _Maker(seed, rubric, as_of, split, county, applicant)

    decidable = [ind for ind in rubric.indicators if _doc_clauses(ind)]
    mandatory = [ind for ind in decidable if ind.mandatory.get(track_id)]
    left_out = set(i.id for i in rng.sample(mandatory, min(len(mandatory), rng.choice((1, 2))))) if mandatory else set()
    others = [i for i in decidable if not i.mandatory.get(track_id)]
    rng.shuffle(others)
    order = [i for i in mandatory if i.id not in left_out] + others
    budget = max(n_docs - 4, 1)

    # The traps first, so even a small package carries them.
    windowed = [(i, c) for i in decidable for c in _doc_clauses(i) if _window(i, c) is not None]
    if windowed:
        ind, clause = rng.choice(windowed)
        _, lb = mk.make(ind, clause, inside=False)
        lb.hard_cases.append("outside_window")
    two = [(i, c) for i in order for c in _doc_clauses(i)
           if len(_levels_for(c, i, (c.match.doc_types or i.expects.doc_types or ["other"])[0], rng)) >= 2
           and (c.match.doc_types or i.expects.doc_types or ["other"])[0] in ("award", "research_project",
                                                                               "commendation", "pilot_designation")]
    if two:
        ind, clause = rng.choice(two)
        subject = mk.subject()
        work = rng.choice(phrasing(split)["works"])
        first = mk.make(ind, clause, subject=subject, tune=lambda wt: setattr(wt, "work", work))
        lv1 = first[1].level

        def other_level(wt: Want) -> None:
            wt.work = work
            wt.doc_type = first[1].doc_type
            choices = [lv for lv in _levels_for(clause, ind, wt.doc_type, rng) if lv != lv1]
            wt.level = choices[0] if choices else wt.level

        second = mk.make(ind, clause, subject=subject, tune=other_level)
        key = f"{subject}·{work}"
        for _, lb in (first, second):
            lb.case_key = key
            lb.hard_cases.append("same_case_two_levels")
    for ind in order:
        if len(mk.docs) >= budget:
            break
        clauses = _doc_clauses(ind)
        picked = clauses if len(clauses) <= 2 else rng.sample(clauses, 2)
        for clause in picked:
            schools = getattr(clause, "measure", None) == "schools"
            pool = list(county.schools)
            rng.shuffle(pool)
            for k in range(_n_items(rng, clause)):
                if len(mk.docs) >= budget:
                    break
                mk.make(ind, clause, subject=pool[k % len(pool)] if schools else None)
    _add_duplicate(mk, rng)
    while len(mk.docs) < n_docs:
        mk.filler()

    docs = mk.docs
    layout = rng.choice(("flat", "by_indicator", "zip"))
    _place(docs, rubric, layout == "by_indicator" or (layout == "zip" and rng.random() < 0.5))
    evidence = [gold_evidence(lb, rubric_id) for _, lb in docs]
    result = score_package(rubric, evidence, as_of, track)
    name = fill(rng.choice(recipes()["package_names"]), {"applicant": applicant})
    exp = PackageExpectation(
        package=f"{name}-{rubric_id}{'-' + track_id if rubric.tracks else ''}-{seed}", rubric=rubric_id,
        track=track_id if rubric.tracks else None, as_of=as_of, documents=[lb.id for _, lb in docs],
        expected_scores={s.id: s.candidate_score for s in result.indicators if s.status in ("scored", "no_evidence")},
        missing_mandatory=list(result.missing_mandatory), layout=layout)
    return docs, exp


def _add_duplicate(mk: _Maker, rng: random.Random) -> None:
    """The same certificate filed twice: same labels and case_key, another file name and id."""
    linked = [d for d in mk.docs if d[1].indicators and "same_case_two_levels" not in d[1].hard_cases]
    pool = ([d for d in linked if d[0].layout == "certificate"] or [d for d in linked if d[1].case_key]
            or linked or [d for d in mk.docs if d[1].indicators])
    if not pool:
        return
    spec, lb = rng.choice(pool)
    key = lb.case_key or lb.doc_number or lb.title
    lb.case_key = key
    new_id = mk._id()
    stem, _, ext = spec.file_name.rpartition(".")
    tmpl = rng.choice(mk_recipes()["duplicate_names"])
    name = fill(tmpl, {"stem": stem or spec.file_name, "ext": "." + ext if stem else "", "n": rng.randint(2, 40)})
    spec2 = spec.model_copy(update={"id": new_id, "file_name": name}, deep=True)
    lb2 = lb.model_copy(update={"id": new_id, "path": name}, deep=True)
    lb2.hard_cases = list(dict.fromkeys(lb.hard_cases + ["duplicate_file"]))
    mk.docs.append((spec2, lb2))


def mk_recipes() -> dict:
    from corpus.generate import recipes

    return recipes()


def folder_name(ind: Indicator) -> str:
    """An indicator folder as applicants name them: 1.1组织保障, 23每年组织开展校级科技节."""
    short = re.split(r"[，。、；：（(“”\s/]", ind.title)[0][:12]
    return f"{ind.id}{short}"


def _place(docs: list[Doc], rubric: Rubric, folders: bool) -> None:
    """Each document's path inside the package: its indicator folder when sorted, and a unique name."""
    seen: set[str] = set()
    for spec, lb in docs:
        ids = lb.indicators.get(rubric.id) or []
        folder = f"{folder_name(rubric.indicator(ids[0]))}/" if ids and folders else ""
        path = folder + spec.file_name
        n = 2
        while path in seen:
            stem, dot, ext = spec.file_name.rpartition(".")
            path = folder + (f"{stem}({n}).{ext}" if dot else f"{spec.file_name}({n})")
            n += 1
        seen.add(path)
        lb.path = path
