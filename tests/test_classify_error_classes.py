"""One test per error class found on the corpus splits (issue 6): each builds the smallest title
or document that showed the class and asserts the exact value now read."""

from __future__ import annotations

from datetime import date

from classify.doctype import UNSURE, classify_type
from classify.grades import find_award_grade
from classify.layout import find_leader, find_party_a, find_title
from classify.link import link_indicators
from records import Evidence
from records.document import Document, Origin, Page
from rubrics.loader import load_rubric


def doc(*pages: str) -> Document:
    return Document(origin=Origin(path="t.pdf", size=1, sha256="0" * 64, format="pdf"),
                    pages=[Page(number=i + 1, text=t) for i, t in enumerate(pages)])


def test_a_title_ending_in_its_own_genre_is_not_handed_to_the_model():
    result = classify_type("关于进一步规范五年规划管理的若干规定", "")
    assert result.doc_type == "regulation"
    assert result.confidence >= UNSURE and "textcat" not in result.rule


def test_the_ending_beats_a_genre_named_in_the_subject():
    ruled = classify_type("温州市智慧教育工作要点考核评价细则（试行）", "")
    assert (ruled.doc_type, ruled.rule) == ("regulation", "doctype:title_ending(文种 细则; 事由 named work_plan)")
    assert classify_type("鹿城区五年规划工作情况介绍", "").doc_type == "other"
    assert classify_type("鹿城区发展规划实施细则", "").doc_type == "regulation"
    # a subject genre still weighs its 事由 against a weak ending
    assert classify_type("2023年度省级教育科学规划课题立项计划", "").doc_type == "research_project"


def test_a_self_assessment_report_is_the_application_not_a_work_summary():
    assert classify_type("灵武市第一中学关于互联网+教育的自评报告", "").doc_type == "other"
    assert classify_type("关于2020年度信息技术与教学融合工作情况的报告", "").doc_type == "work_summary"


def test_a_body_line_citing_an_opinion_is_not_the_title():
    found = find_title(doc("温州市教育局文件\n温教办〔2023〕12号\n温州市2023年教育信息化\n工作要点\n"
                           "按照教育部关于加快推进教育数字化的意见要求\n各县（市、区）教育局："))
    assert found.value == "温州市2023年教育信息化工作要点"
    found = find_title(doc("温州市教育局文件\n温州市2023年教育信息化工作要点\n各县（市、区）教育局：\n"
                           "根据省教育厅关于推进教育数字化转型的意见，现将有关事项通知如下"))
    assert found.value == "温州市2023年教育信息化工作要点"


def test_a_newspaper_page_line_is_not_the_title():
    found = find_title(doc("中国教育信息化 2024年2月16日 第1版\n未来学校建设赋能教学变革——来自都江堰市的报道\n"
                           "本报讯 近日，都江堰市召开未来学校建设推进会。"))
    assert found.value == "未来学校建设赋能教学变革——来自都江堰市的报道"


def test_a_wrapped_newspaper_title_stops_at_the_byline():
    found = find_title(doc("中国教育信息化2024年2月16日第1版\n2024年2月16日\n未来学校建设赋能教学变革——来自都江\n"
                           "堰市的报道\n记者孙静近年来，都江堰市把未来学校建设作为一项重点工作来抓。\n"
                           "在都江堰市，课堂上的大屏与学生手中的终端实时互动。"))
    assert found.value == "未来学校建设赋能教学变革——来自都江堰市的报道"
    found = find_title(doc("鹿城区推进智慧教育\n全面提速\n本区实现了课堂互动全覆盖。\n其余正文"))
    assert found.value == "鹿城区推进智慧教育全面提速"


def test_contract_party_a_in_its_variants():
    wrapped = doc("教育新基建平台运维协议\n合同编号：HTL-2022-2421\n甲方（采购人）：中共宁夏回族自治区委员会宁夏回族自\n"
                  "治区人民政府\n乙方（供应商）：科大讯飞股份有限公司\n一、项目概况：教育新基建建设及运行维护。")
    assert find_party_a(wrapped).value == "中共宁夏回族自治区委员会宁夏回族自治区人民政府"
    buyer_first = doc("智慧课堂采购合同\n采购人（甲方）：瑞安市教育局\n供应商（乙方）：杭州某科技有限公司")
    assert find_party_a(buyer_first).value == "瑞安市教育局"
    sealed = doc("服务合同\n甲方：永嘉县教育局（盖章）\n乙方：某公司")
    assert find_party_a(sealed).value == "永嘉县教育局"


def test_a_vice_premiers_slip_keeps_the_post_not_the_name():
    slip = doc("领导批示单\n来文单位：教育部\n批示领导：国务院副总理 刘某某\n批示内容：请认真总结推广。")
    assert find_leader(slip).value == "国务院副总理"


def test_grades_in_an_award_sentence():
    won = doc("获奖证书\n普陀区：\n你单位的作品《数字化学习》在2022年中小\n学电脑制作活动评选中荣获优秀。\n特发此证，以资鼓励。")
    assert find_award_grade(won, "award").value == "优秀"
    broken = doc("奖状\n授予重庆市渝北中学校\n《学习分析技术支持的个别化辅导》2021年中小学生信息素养提升实践活\n动二等奖\n"
                 "特颁此证。\n重庆市渝北区教育委员会")
    assert find_award_grade(broken, "award").value == "二等奖"
    closing = doc("证书\n授予濉溪县第一中学\n《智能研修平台支持的校本教研》2023年基础教育精品课优秀\n特颁此证。")
    assert find_award_grade(closing, "award").value == "优秀"
    prose = doc("关于表彰的通知\n学校荣获优秀教师培养单位称号，成绩良好。")
    assert find_award_grade(prose, "award") is None


def test_an_award_without_cue_words_links_to_one_indicator_expecting_awards_for_review():
    rubric = load_rubric("wenzhou-school")
    body = "授予乐清市知临中学\n《数据驱动的课堂教学改进》2022年数字化教学案例三等奖\n特颁此证。\n乐清市教育局"
    ev = Evidence(path="奖状.pdf", doc_type="award", level="county", issuer="乐清市教育局", date=date(2022, 6, 1),
                  title="奖状")
    links = link_indicators(rubric, ev, "奖状", body)
    expecting = {i.id for i in rubric.indicators if "award" in i.expects.doc_types}
    assert len(links) == 1 and links[0].id in expecting and links[0].confidence < 0.6
    # a regulation (context material) is never linked by the prior alone
    reg = ev.model_copy(update={"doc_type": "regulation", "title": "学校管理办法"})
    assert link_indicators(rubric, reg, "学校管理办法", "第一条 为规范管理，制定本办法。") == []
