"""The corpus generator: coverage of doc_type × level, determinism, the split's phrasings, the
labels of the trap cases, and packages with reproducible expectations."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from corpus.evaluate import gold_evidence
from corpus.gen_text import PHRASINGS, gazetteer, in_split, phrasing
from corpus.generate import absent_pairs, generate_documents, generate_packages, pairs, recipes
from corpus.spec import DocSpec, Labels, PackageExpectation
from corpus.build import PACKAGE_PLAN
from records.vocab import AWARD_GRADES, DOC_TYPES, LEVELS
from rubrics.engine import score_package
from rubrics.loader import load_rubric

PLAN = PACKAGE_PLAN  # the plan the corpus build uses
N_ALL = len(recipes()["traps"]["dev"]) + len(pairs())


@pytest.fixture(scope="module")
def dev_docs():
    return generate_documents(11, N_ALL, "dev")


@pytest.fixture(scope="module")
def test_docs():
    return generate_documents(11, N_ALL, "test")


@pytest.fixture(scope="module")
def holdout_docs():
    return generate_documents(11, len(recipes()["traps"]["holdout"]) + len(pairs()), "holdout")


@pytest.fixture(scope="module")
def packages():
    return {(r, t): generate_packages(100 + n, r, t, a, 16) for n, (r, t, a) in enumerate(PLAN)}


def _dump(docs):
    return [(s.model_dump_json(), lb.model_dump_json()) for s, lb in docs]


@pytest.mark.parametrize("split", ["dev", "test", "holdout"])
def test_every_existing_pair_is_generated(split, request):
    docs = request.getfixturevalue(f"{split}_docs")
    got = {(lb.doc_type, lb.level) for _, lb in docs}
    assert set(pairs()) <= got
    absent = {(a["doc_type"], a["level"]) for a in absent_pairs() if a["doc_type"] != "*"}
    assert not got & absent
    assert ("approval_slip", "school") in absent  # a school-level 批示 does not exist
    assert {lv for dt, lv in got if lv == "unknown"} and all(dt == "other" for dt, lv in got if lv == "unknown")


def test_small_n_gives_n_documents():
    assert len(generate_documents(1, 5, "dev")) == 5
    with pytest.raises(ValueError):
        generate_documents(1, 5, "prod")


def test_determinism():
    a, b = generate_documents(42, 40, "dev"), generate_documents(42, 40, "dev")
    assert _dump(a) == _dump(b)
    c = generate_documents(43, 40, "dev")
    assert _dump(a) != _dump(c)
    assert sum(x != y for x, y in zip(_dump(a), _dump(c))) > 20


@pytest.mark.parametrize("a, b", [("dev", "test"), ("dev", "holdout"), ("test", "holdout")])
def test_phrasings_share_no_title_template(a, b):
    assert {"dev", "test", "holdout"} == set(PHRASINGS)
    first, second = phrasing(a)["titles"], phrasing(b)["titles"]
    first_all = {t for ts in first.values() for t in ts}
    second_all = {t for ts in second.values() for t in ts}
    assert first_all and second_all and not first_all & second_all
    assert set(first) == set(second)
    assert set(phrasing(a)["bodies"]) == set(phrasing(b)["bodies"])


def test_split_marks_accept_one_split_or_a_list():
    assert in_split({}, "holdout") and in_split({"split": "both"}, "dev")
    assert in_split({"split": "holdout"}, "holdout") and not in_split({"split": "holdout"}, "test")
    assert in_split({"split": ["test", "holdout"]}, "holdout") and not in_split({"split": ["test", "holdout"]}, "dev")


def test_holdout_has_its_own_issuers_and_titles(dev_docs, test_docs, holdout_docs):
    hold_issuers = {lb.issuer for _, lb in holdout_docs}
    assert "龙港市社会事业局" in hold_issuers  # 龙港市: a 县级市 set up in 2019
    assert not {"龙港市社会事业局", "中国教育学会", "钱江晚报"} & {lb.issuer for _, lb in dev_docs + test_docs}
    assert not {"瑞安市教育局", "乐清市教育局"} & hold_issuers
    hold_titles = {s.title for s, _ in holdout_docs}
    assert not hold_titles & ({s.title for s, _ in dev_docs} | {s.title for s, _ in test_docs})


def test_splits_use_different_issuers(dev_docs, test_docs):
    dev_issuers = {lb.issuer for _, lb in dev_docs}
    test_issuers = {lb.issuer for _, lb in test_docs}
    assert "瑞安市教育局" in dev_issuers and "瑞安市教育局" not in test_issuers
    assert "乐清市教育局" in test_issuers and "乐清市教育局" not in dev_issuers
    assert not {s.title for s, _ in dev_docs} & {s.title for s, _ in test_docs} - {"获奖证书", "荣誉证书"}


@pytest.mark.parametrize("split", ["dev", "test", "holdout"])
def test_labels_validate(split, request):
    docs = request.getfixturevalue(f"{split}_docs")
    for spec, lb in docs:
        DocSpec.model_validate_json(spec.model_dump_json())
        Labels.model_validate_json(lb.model_dump_json())
        assert spec.id == lb.id and lb.doc_type in DOC_TYPES and lb.level in LEVELS
        assert lb.award_grade is None or lb.award_grade in AWARD_GRADES
        if lb.award_grade:
            assert lb.doc_type in ("award", "research_project")
        # The 文号 is what is printed (or None); serial numbers never are
        assert lb.doc_number == spec.doc_number_printed
        if spec.serial_number:
            assert lb.doc_number != spec.serial_number
        if lb.doc_type in ("approval_slip", "contract") or spec.layout == "certificate":
            assert lb.doc_number is None
        assert (lb.date is None) == (spec.date_printed is None)
        if lb.issuer is not None:
            assert lb.issuer == spec.issuer_printed
        assert lb.title == spec.title and lb.title in lb.text
        assert lb.hard_cases == list(dict.fromkeys(lb.hard_cases))


def _by_issuer(docs, issuer):
    return [lb for _, lb in docs if lb.issuer == issuer]


def test_trap_levels(dev_docs):
    expected = {"瑞安市教育局": "county", "上海市普陀区教育局": "county", "上海市教育委员会": "provincial",
                "中国教育技术协会": "national", "浙江省教育学会": "provincial", "宁夏回族自治区教育厅": "provincial",
                "中共瑞安市委书记": "county", "温州市副市长": "municipal", "浙江省副省长": "provincial",
                "中国教育报": "national", "浙江教育报": "provincial", "温州日报": "municipal", "瑞安日报": "county"}
    for issuer, level in expected.items():
        found = _by_issuer(dev_docs, issuer)
        assert found, issuer
        assert {lb.level for lb in found} == {level}, issuer
    assert "county_level_city" in _by_issuer(dev_docs, "瑞安市教育局")[0].hard_cases
    assert "municipality_district" in _by_issuer(dev_docs, "上海市普陀区教育局")[0].hard_cases
    slips = [lb for _, lb in dev_docs if lb.doc_type == "approval_slip"]
    assert {"county", "municipal", "provincial"} <= {lb.level for lb in slips}


def test_forwarding_notice_is_provincial_and_keeps_its_own_number(dev_docs):
    fwd = [(s, lb) for s, lb in dev_docs if "forwarding_notice" in lb.hard_cases]
    assert fwd
    for spec, lb in fwd:
        assert lb.level == "provincial" and "转发" in lb.title
        cited = [c["number"] for c in gazetteer()["cited"]]
        body = "\n".join(spec.paragraphs)
        assert any(n in body for n in cited)
        assert lb.doc_number not in cited


def test_variety(dev_docs):
    big = generate_documents(7, 400, "dev")
    traps = Counter(h for _, lb in big for h in lb.hard_cases)
    for trap in ("docnumber_square", "docnumber_paren", "docnumber_lenticular", "docnumber_space", "docnumber_trad",
                 "no_doc_number", "date_zh_circle", "date_zh_digit0", "date_dotted", "date_arabic",
                 "abbreviated_issuer", "misleading_file_name", "mentions_higher_levels", "school_level_award",
                 "joint_issuers", "serial_in_docnumber_style", "minutes_issue_number", "image_only"):
        assert traps[trap] > 0, trap
    assert any(" " in (lb.issuer or "") for _, lb in big)  # joint issuers, space-separated
    higher = [s for s, lb in big if "mentions_higher_levels" in lb.hard_cases]
    assert all(lb.level == "county" for _, lb in big if "mentions_higher_levels" in lb.hard_cases)
    assert all("国家级" in "".join(s.paragraphs) or "省级" in "".join(s.paragraphs) for s in higher)
    fmts = Counter((lb.doc_type, s.format) for s, lb in big)
    assert {f for (dt, f) in fmts if dt == "approval_slip"} <= {"pdf_scan", "image_scan"}
    assert {f for (dt, f) in fmts if dt == "media_report"} <= {"pdf_two_column", "pdf_direct", "image_scan"}


@pytest.mark.parametrize("rubric_id,track,as_of", PLAN)
def test_package(rubric_id, track, as_of, packages):
    docs, exp = packages[(rubric_id, track)]
    PackageExpectation.model_validate_json(exp.model_dump_json())
    assert exp.rubric == rubric_id and len(docs) == 16 and exp.documents == [lb.id for _, lb in docs]
    assert len({lb.path for _, lb in docs}) == len(docs)
    hc = Counter(h for _, lb in docs for h in lb.hard_cases)
    assert hc["outside_window"] >= 1 and hc["duplicate_file"] >= 1 and hc["same_case_two_levels"] >= 2
    dup = next(lb for _, lb in docs if "duplicate_file" in lb.hard_cases)
    twins = [lb for _, lb in docs if lb.case_key == dup.case_key]
    assert len(twins) >= 2 and len({lb.path for lb in twins}) == len(twins)
    pair = [lb for _, lb in docs if "same_case_two_levels" in lb.hard_cases and "duplicate_file" not in lb.hard_cases]
    assert len({lb.case_key for lb in pair}) == 1 and len({lb.level for lb in pair}) == 2
    rubric = load_rubric(rubric_id)
    # expected scores hold only document-decidable indicators, and reproduce from the labels
    result = score_package(rubric, [gold_evidence(lb, rubric_id) for _, lb in docs], as_of, track)
    got = {s.id: s for s in result.indicators}
    assert exp.expected_scores
    for iid, want in exp.expected_scores.items():
        assert got[iid].status in ("scored", "no_evidence") and got[iid].candidate_score == want
    assert exp.missing_mandatory == result.missing_mandatory
    assert any(v for v in exp.expected_scores.values())
    again = generate_packages(100 + PLAN.index((rubric_id, track, as_of)), rubric_id, track, as_of, 16)
    assert _dump(again[0]) == _dump(docs) and again[1] == exp


def test_packages_leave_mandatory_indicators_without_evidence(packages):
    for key in (("wenzhou-school", "standard"), ("wenzhou-school", "v2"), ("sichuan-zone", None)):
        _, exp = packages[key]
        assert exp.missing_mandatory, key
    layouts = {exp.layout for _, exp in packages.values()} | {
        generate_packages(s, "huaibei-zone", None, date(2023, 10, 31), 8)[1].layout for s in range(6)}
    assert layouts == {"flat", "by_indicator", "zip"}


def test_test_phrasing_packages():
    docs, exp = generate_packages(5, "sichuan-zone", None, date(2024, 6, 30), 12, "test")
    dev_docs, _ = generate_packages(5, "sichuan-zone", None, date(2024, 6, 30), 12, "dev")
    assert len(docs) == 12 and exp.package
    assert all(lb.id.startswith("test-") for _, lb in docs)
    generic = {"获奖证书", "荣誉证书", "领导批示单"}
    assert not ({lb.title for _, lb in docs} & {lb.title for _, lb in dev_docs}) - generic
