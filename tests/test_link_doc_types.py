"""Indicator links and the document types an indicator takes: a cue word in the title links a document
only to an indicator whose clauses (or expected evidence) take a document of its kind; a ministry's
policy document whose title names only its own genre is no applicant's own 制度. Cases from the
corpus errors of session 10 (dev/test splits)."""

from __future__ import annotations

from datetime import date

from classify.link import accepted_types, link_indicators
from records import Evidence
from rubrics.loader import load_rubric


def _ev(doc_type: str, title: str, level: str = "county", issuer: str = "都江堰市教育局",
        path: str | None = None) -> Evidence:
    return Evidence(path=path or f"{title}.pdf", doc_type=doc_type, level=level, issuer=issuer,
                    date=date(2023, 3, 1), title=title)


def _ids(rubric_id: str, ev: Evidence, body: str = "") -> list[str]:
    return [lk.id for lk in link_indicators(load_rubric(rubric_id), ev, ev.title or "", body)]


def test_accepted_types_join_clauses_and_expectations():
    rubric = load_rubric("sichuan-zone")
    c28 = next(i for i in rubric.indicators if i.id == "C28")
    # clause a names regulation; b–d name none; the indicator expects regulation, other, work_summary
    assert accepted_types(c28) == {"regulation", "other", "work_summary"}


def test_a_media_report_naming_a_plan_cue_is_not_linked_to_the_responsibility_indicator():
    # the title ran into the body ("…报道记者…把未来学校建设作为一项重点工作来抓"): 重点工作 is a C31 cue,
    # but C31 takes plans, regulations and minutes, not a newspaper's report
    title = "未来学校建设赋能教学变革——来自都江堰市的报道记者孙静近年来，都江堰市把未来学校建设作为一项重点工作来抓。"
    ev = _ev("media_report", title, level="national", issuer="中国教育报")
    assert _ids("sichuan-zone", ev) == []


def test_the_same_report_filed_under_the_indicator_still_links_there():
    title = "未来学校建设赋能教学变革——来自都江堰市的报道"
    ev = _ev("media_report", title, level="national", issuer="中国教育报",
             path=f"包.zip/C31全面落实教育信息化/{title}.pdf")
    assert _ids("sichuan-zone", ev) == ["C31"]


def test_a_commendation_called_tongbao_is_not_a_security_incident_notice():
    # 通报 is a C28 cue (漏洞…整改、通报), but C28 takes no commendation: the 嘉奖通报 goes elsewhere
    title = "关于对2023年未来学校建设工作表现突出集体和个人予以嘉奖的通报"
    ids = _ids("sichuan-zone", _ev("commendation", title, level="national", issuer="教育部"))
    assert "C28" not in ids and len(ids) == 1
    rubric = load_rubric("sichuan-zone")
    assert "commendation" in accepted_types(next(i for i in rubric.indicators if i.id == ids[0]))


def test_a_regulation_named_after_a_students_skill_is_not_linked_to_the_curriculum_indicator():
    # 数字素养 is a C17 cue; C17 expects work plans and summaries only
    title = "关于印发数字素养提升安全管理规定的通知"
    assert "C17" not in _ids("sichuan-zone", _ev("regulation", title, level="national", issuer="教育部"))


def test_a_media_report_on_digital_resources_is_no_platform_evidence():
    # wenzhou-school 13 (数字资源) is checked on the platform; it expects summaries and other records
    title = "永嘉县瓯北第一小学：数字资源建设让课堂更精彩"
    ev = _ev("media_report", title, level="provincial", issuer="浙江教育报")
    assert _ids("wenzhou-school", ev) == []


def test_an_emergency_plan_regulation_is_no_smart_campus_acceptance_table():
    # wenzhou-district 6.1 (智慧校园) takes 验收/评估汇总表 (other), not a regulation
    title = "关于印发《智慧校园建设应急预案》的通知"
    ev = _ev("regulation", title, level="municipal", issuer="温州市教育局")
    assert "6.1" not in _ids("wenzhou-district", ev)


def test_a_ministry_regulation_naming_only_its_genre_is_not_the_applicants_own_rule():
    # 全国…管理办法: 管理办法 and 办法 only say "a regulation"; 人工智能教育 (6.2) takes no regulation
    title = "全国人工智能教育管理办法（试行）"
    body = "三、保障措施。成立工作领导小组，落实专项经费。"
    assert _ids("huaibei-zone", _ev("regulation", title, level="national", issuer="教育部"), body) == []


def test_the_applicants_own_regulation_with_the_same_title_words_links():
    title = "濉溪县人工智能教育管理办法（试行）"
    body = "三、保障措施。成立工作领导小组，落实专项经费。"
    ids = _ids("huaibei-zone", _ev("regulation", title, issuer="濉溪县教育局"), body)
    assert "2.1" in ids and "6.2" not in ids


def test_a_national_plan_naming_its_subject_still_links():
    # 智慧教育发展规划 names C29's subject, not only the genre: the level does not stop it
    title = "全国推进智慧教育发展规划三年行动计划（2020—2022年）"
    ev = _ev("development_plan", title, level="national", issuer="教育部")
    assert _ids("sichuan-zone", ev) == ["C29"]
