"""Worked cases as data (tests/cases/*.yaml): building the inputs and checking the outputs.
The pytest collection lives in conftest.py; this module is plain functions."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from records import Evidence, IndicatorLink
from rubrics.engine import score_package
from rubrics.loader import load_rubric, load_rubric_file

CASE_KEYS = {"name", "source", "indicator", "track", "as_of", "values", "evidence", "expect", "note"}
EXPECT_KEYS = {"candidate_score", "status", "clauses", "counted", "total", "missing_mandatory", "passed",
               "bonus_candidate"}
SHORTHAND = {"quote", "clause", "page"}


def load_case_file(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "cases" not in data:
        raise ValueError(f"{path}: expected a mapping with `cases`")
    return data


def rubric_for(data: dict, path: Path):
    if "rubric_file" in data:
        return load_rubric_file(path.parent / data["rubric_file"])
    return load_rubric(data["rubric"])


def build_evidence(raw: dict, indicator: str | None) -> Evidence:
    raw = dict(raw)
    quote = raw.pop("quote", "")
    clause = raw.pop("clause", None)
    page = raw.pop("page", None)
    links = raw.pop("indicators", None)
    if links is None:
        if indicator is None:
            raise ValueError("evidence in a whole-package case needs `indicators`")
        links = [{"id": indicator, "quote": quote, "clause": clause, "page": page}]
    raw["indicators"] = [IndicatorLink(id=lk) if isinstance(lk, str) else IndicatorLink(**lk) for lk in links]
    return Evidence.model_validate(raw)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), abs_tol=1e-6)
    return a == b


def run_case(case: dict, rubric, default_as_of: date | None) -> list[str]:
    """Score the case and return the list of mismatches (empty when the case passes)."""
    unknown = set(case) - CASE_KEYS
    if unknown:
        return [f"unknown case keys {sorted(unknown)}"]
    expect = case.get("expect") or {}
    if not expect or set(expect) - EXPECT_KEYS:
        return [f"`expect` must be a non-empty mapping of {sorted(EXPECT_KEYS)}"]
    as_of = case.get("as_of") or default_as_of
    if as_of is None:
        return ["no as_of in the case or the file"]
    indicator = case.get("indicator")
    indicator = str(indicator) if indicator is not None else None
    evidence = [build_evidence(e, indicator) for e in case.get("evidence") or []]
    result = score_package(rubric, evidence, as_of, case.get("track"), case.get("values") or {})
    problems: list[str] = []
    if indicator is not None:
        got = next((s for s in result.indicators if s.id == indicator), None)
        if got is None:
            return [f"indicator {indicator} not in rubric {rubric.id}"]
        if "candidate_score" in expect and not _same(expect["candidate_score"], got.candidate_score):
            problems.append(f"candidate_score: expected {expect['candidate_score']}, got {got.candidate_score}")
        if "status" in expect and expect["status"] != got.status:
            problems.append(f"status: expected {expect['status']}, got {got.status}")
        for cid, pts in (expect.get("clauses") or {}).items():
            cl = next((c for c in got.clauses if c.id == str(cid)), None)
            if cl is None:
                problems.append(f"clause {cid} not in indicator {indicator}")
            elif not _same(pts, cl.points):
                problems.append(f"clause {cid}: expected {pts}, got {cl.points} ({cl.rationale})")
        if "counted" in expect:
            counted = sorted({u.path for u in got.evidence if u.counted and u.points > 0})
            if counted != sorted(expect["counted"]):
                problems.append(f"counted: expected {sorted(expect['counted'])}, got {counted}")
        if problems:
            problems.append(f"rationale: {got.rationale}")
    if "total" in expect and not _same(expect["total"], result.total.candidate):
        problems.append(f"total: expected {expect['total']}, got {result.total.candidate}")
    if "bonus_candidate" in expect and not _same(expect["bonus_candidate"], result.total.bonus_candidate):
        problems.append(f"bonus_candidate: expected {expect['bonus_candidate']}, got {result.total.bonus_candidate}")
    if "missing_mandatory" in expect and sorted(map(str, expect["missing_mandatory"])) != sorted(result.missing_mandatory):
        problems.append(f"missing_mandatory: expected {expect['missing_mandatory']}, got {result.missing_mandatory}")
    if "passed" in expect:
        got_pass = result.pass_result.passed if result.pass_result else None
        if expect["passed"] != got_pass:
            why = result.pass_result.rationale if result.pass_result else ""
            problems.append(f"passed: expected {expect['passed']}, got {got_pass} ({why})")
    return problems
