"""The five seed rubrics: complete, verbatim, and consistent with what their documents state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rubrics.describe import describe
from rubrics.loader import all_rubrics, load_rubric, rubric_files
from rubrics.validate import validate

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SEED_OF = {
    "wenzhou-district": "000_5b2522817f4470de.txt",
    "wenzhou-school": "001_0985258ed77a543f.txt",
    "sichuan-zone": "002_a27a32f0ea244fc7.txt",
    "ningxia-county": "003_a5ffd7e5c2fa00bd.txt",
    "huaibei-zone": "004_3d7f01b5c289ddc6.txt",
}

EXPECTED_IDS = {
    "wenzhou-district": ["B", "1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "4.3",
                         "5.1", "5.2", "5.3", "6.1", "6.2", "L1", "L2", "L3", "L4"],
    "wenzhou-school": [str(n) for n in range(1, 29)],
    "sichuan-zone": [f"C{n}" for n in range(1, 39)],
    "ningxia-county": [f"A{a}.{n}" for a, count in enumerate([4, 7, 6, 6, 7, 5], 1) for n in range(1, count + 1)]
    + [f"bonus.{n}" for n in range(1, 5)],
    "huaibei-zone": ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "5.1", "5.2", "6.1", "6.2",
                     "6.3", "7.1", "7.2", "7.3", "7.4", "8.1", "8.2", "9.1", "9.2", "10.1", "11.1", "11.2",
                     "12.1", "12.2", "12.3", "12.4", "13.1", "13.2", "13.3", "14.1", "15.1", "15.2", "16.1",
                     "16.2", "16.3", "17"],
}

# (base total, bonus) as the documents state them
TOTALS = {
    "wenzhou-district": (100, 10),
    "wenzhou-school": (0, 0),
    "sichuan-zone": (120, 0),
    "ningxia-county": (100, 10),
    "huaibei-zone": (100, 0),
}


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def seed_text():
    assert SEEDS.is_dir(), f"the seed rubrics are missing: {SEEDS}"
    return {rid: _flat((SEEDS / name).read_text(encoding="utf-8")) for rid, name in SEED_OF.items()}


def test_the_five_rubrics_are_bundled():
    assert sorted(p.stem for p in rubric_files()) == sorted(SEED_OF)


@pytest.mark.parametrize("rubric_id", sorted(SEED_OF))
def test_rubric_validates_without_errors(rubric_id):
    report = validate(load_rubric(rubric_id))
    assert report.ok, "\n".join(str(f) for f in report.errors)


@pytest.mark.parametrize("rubric_id", sorted(SEED_OF))
def test_every_indicator_of_the_seed_is_there_in_order(rubric_id):
    assert [i.id for i in load_rubric(rubric_id).indicators] == EXPECTED_IDS[rubric_id]


@pytest.mark.parametrize("rubric_id", sorted(SEED_OF))
def test_totals_match_the_document(rubric_id):
    rubric = load_rubric(rubric_id)
    assert (rubric.total_max, rubric.bonus_max) == TOTALS[rubric_id]


@pytest.mark.parametrize("rubric_id", sorted(SEED_OF))
def test_source_wording_is_verbatim(rubric_id, seed_text):
    seed = seed_text[rubric_id]
    rubric = load_rubric(rubric_id)
    missing = []
    for ind in rubric.indicators:
        for field in ("content", "scoring", "method"):
            value = getattr(ind.source, field)
            if value and _flat(value) not in seed:
                missing.append(f"{ind.id}.{field}: {value[:40]}")
    assert not missing, "not found verbatim in the seed:\n" + "\n".join(missing)


@pytest.mark.parametrize("rubric_id", sorted(SEED_OF))
def test_clause_wording_is_taken_from_the_seed(rubric_id, seed_text):
    """Each clause's text is a piece of the seed (allowing '…' where the author elided a span)."""
    seed = seed_text[rubric_id]
    rubric = load_rubric(rubric_id)
    missing = []
    for ind in rubric.indicators:
        for clause in ind.clauses:
            for piece in re.split(r"…+|\.\.\.", clause.text):
                piece = _flat(piece).strip("；;。，,")
                if piece and piece not in seed:
                    missing.append(f"{ind.id}/{clause.id}: {piece[:40]}")
    assert not missing, "clause text not found in the seed:\n" + "\n".join(missing)


def test_group_caps():
    caps = {r.id: [(g.max_score, g.bonus) for g in r.groups if g.cap] for r in all_rubrics()}
    assert (10, True) in caps["wenzhou-district"]
    assert (20, False) in caps["sichuan-zone"]
    assert (10, True) in caps["ningxia-county"]


def test_wenzhou_school_mandatory_counts_per_track():
    rubric = load_rubric("wenzhou-school")
    counts = {t: sum(1 for i in rubric.indicators if i.mandatory.get(t)) for t in ("standard", "v2")}
    assert counts == {"standard": 16, "v2": 22}
    assert rubric.pass_rule.kind == "all_mandatory_plus_optional" and rubric.pass_rule.min_optional == 1


def test_sichuan_mandatory_conditions_and_pass_rule():
    rubric = load_rubric("sichuan-zone")
    assert [i.id for i in rubric.indicators if i.mandatory.get("default")] == ["C24", "C29", "C31", "C33"]
    assert rubric.pass_rule.min_total == 100
    assert len(rubric.pass_rule.conditions_not_in_documents) >= 2


def test_huaibei_counts_a_case_once_across_indicators():
    assert load_rubric("huaibei-zone").count_once_across_indicators is not None


def test_huaibei_15_2_repeated_scoring_text_is_a_warning_and_7_x_are_not():
    report = validate(load_rubric("huaibei-zone"))
    flagged = [f.where for f in report.warnings if "相同" in f.message]
    assert flagged == ["indicator 15.2"], [str(f) for f in report.warnings]


def test_time_windows_are_encoded():
    c8 = load_rubric("sichuan-zone").indicator("C8")
    windows = [c.window or c8.window for c in c8.clauses]
    assert any(w is not None and w.years == 3 for w in windows)
    h63 = load_rubric("huaibei-zone").indicator("6.3")
    windows = [c.window or h63.window for c in h63.clauses]
    assert any(w is not None and str(w.since) == "2019-01-01" for w in windows)


@pytest.mark.parametrize("rubric_id", sorted(SEED_OF))
def test_show_json_shape(rubric_id):
    data = describe(load_rubric(rubric_id))
    assert set(data) >= {"id", "title", "tracks", "total_max", "bonus_max", "indicators"}
    for ind in data["indicators"]:
        assert set(ind) >= {"id", "path", "title", "max_score", "mandatory", "assessed_by", "clauses", "source"}
        assert isinstance(ind["mandatory"], bool)
        assert ind["path"] and all(isinstance(p, str) for p in ind["path"])
        assert ind["clauses"] and all("kind" in c for c in ind["clauses"])


def test_show_mandatory_follows_the_track():
    standard = describe(load_rubric("wenzhou-school"))
    v2 = describe(load_rubric("wenzhou-school"), "v2")
    assert standard["track"] == "standard"
    assert sum(i["mandatory"] for i in standard["indicators"]) == 16
    assert sum(i["mandatory"] for i in v2["indicators"]) == 22
    with pytest.raises(ValueError):
        describe(load_rubric("wenzhou-school"), "gold")


@pytest.mark.parametrize("rubric_id", sorted(SEED_OF))
def test_group_wording_is_verbatim(rubric_id, seed_text):
    seed = seed_text[rubric_id]
    missing = []
    for g in load_rubric(rubric_id).groups:
        for text in (g.title, g.cap_text):
            if text and _flat(text) not in seed:
                missing.append(f"{g.id}: {text}")
    assert not missing, "group wording not found in the seed:\n" + "\n".join(missing)


@pytest.mark.parametrize("rubric_id", sorted(SEED_OF))
def test_every_document_decidable_clause_has_a_worked_case(rubric_id):
    """Each clause the documents decide is checked by at least one case of tests/cases/<id>.yaml:
    a case on its indicator that names the clause in `expect.clauses`, or any case on an
    indicator that has only that one clause."""
    import yaml

    cases = yaml.safe_load((Path(__file__).parent / "cases" / f"{rubric_id}.yaml").read_text(encoding="utf-8"))["cases"]
    covered: set[tuple[str, str]] = set()
    for case in cases:
        ind = case.get("indicator")
        if ind is None:
            continue
        ind = str(ind)
        for cid in (case.get("expect") or {}).get("clauses") or {}:
            covered.add((ind, str(cid)))
        covered.add((ind, "*"))
    missing = []
    for ind in load_rubric(rubric_id).indicators:
        for clause in ind.clauses:
            if clause.assessed_by != "documents":
                continue
            if (ind.id, clause.id) in covered or (len(ind.clauses) == 1 and (ind.id, "*") in covered):
                continue
            missing.append(f"{ind.id}/{clause.id}")
    assert not missing, "document-decidable clauses without a worked case: " + ", ".join(missing)
