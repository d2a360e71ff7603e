"""Dates, 文号 and award grades: one test per case of ../shared/REAL-WORLD.md ("文号", "Dates")
and per trap of DESIGN.md §3, on Documents built as extraction gives them (PDF tables as
" | " rows, DOCX tables as tab rows, OCR lines)."""

from __future__ import annotations

from datetime import date

import pytest

from classify import dates as dates_mod
from classify.dates import find_document_date, parse_date
from classify.docnumber import find_doc_number, normalise_doc_number, why_no_number
from classify.grades import find_award_grade
from classify.patterns import PatternError
from records.document import Document, Origin, Page


def doc(*pages: str, metadata: dict | None = None) -> Document:
    return Document(origin=Origin(path="t.pdf", size=1, sha256="0" * 64, format="pdf"),
                    pages=[Page(number=i + 1, text=t) for i, t in enumerate(pages)], metadata=metadata or {})


# ---------------------------------------------------------------- parse_date: one expression

@pytest.mark.parametrize("text, expected", [
    ("2017年3月22日", date(2017, 3, 22)),
    ("二〇一九年一月二十六日", date(2019, 1, 26)),
    ("二○一九年一月二十六日", date(2019, 1, 26)),  # ○ (white circle) for 〇
    ("二0一四年一月六日", date(2014, 1, 6)),  # digit 0 inside Chinese numerals
    ("二O一O年一月四日", date(2010, 1, 4)),  # letter O
    ("二〇二三年十二月三十一日", date(2023, 12, 31)),
    ("一九九八年十月一日", date(1998, 10, 1)),
    ("二〇〇〇年元月五日", date(2000, 1, 5)),
    ("2023年五月十二日", date(2023, 5, 12)),  # mixed
    ("2011.12.21", date(2011, 12, 21)),
    ("2023-05-12", date(2023, 5, 12)),
    ("2023-05-12T10:23:00+08:00", date(2023, 5, 12)),  # ISO in metadata
    ("2023/5/12", date(2023, 5, 12)),
    ("２０２３年５月１２日", date(2023, 5, 12)),  # full-width digits
    ("2023 年 5 月 12 日", date(2023, 5, 12)),  # spaces from extraction
    ("20230512", date(2023, 5, 12)),  # compact, unambiguous
    ("2018413", None),  # garbled
    ("2013年9月", None),  # month only
    ("x年9月5日", None),  # masked template year
    ("XXXX年9月5日", None),
    ("3月15日（周四）", None),  # no year
    ("2023年2月30日", None),  # no such day
    ("1970-08-21", None),  # bogus epoch metadata
    ("", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


# ---------------------------------------------------------------- find_document_date

SIGNED = ("浙江省教育厅文件\n浙教技〔2021〕12号\n浙江省教育厅关于公布2021年智慧教育示范区的通知\n各市、县（市、区）教育局：\n"
          "依据《教育部关于开展示范区建设的通知》（教技〔2021〕3号，2021年3月1日），现公布如下。\n浙江省教育厅\n"
          "2021年5月12日\n抄送：教育部科技司\n浙江省教育厅办公室　　2021年5月15日印发")


def test_date_under_signature_not_body_or_printing_date():
    r = find_document_date(doc(SIGNED))
    assert (r.value, r.rule, r.page) == (date(2021, 5, 12), "date_under_signature", 1)


def test_date_chinese_numerals_with_seal_line():
    r = find_document_date(doc("关于…的通知\n各校：\n正文。\n某县教育局\n（盖章）\n二〇一九年一月二十六日"))
    assert (r.value, r.rule) == (date(2019, 1, 26), "date_under_signature")


def test_date_letter_o_under_signature():
    assert find_document_date(doc("正文。\n某某县人民政府\n二O一O年一月四日")).value == date(2010, 1, 4)


def test_date_digit_zero_under_signature():
    assert find_document_date(doc("正文。\n某县教育局\n二0一四年一月六日")).value == date(2014, 1, 6)


def test_date_dotted_own_line():
    r = find_document_date(doc("会议记录正文。\n2011.12.21"))
    assert (r.value, r.rule) == (date(2011, 12, 21), "date_own_line")


def test_date_on_last_page_of_multipage():
    r = find_document_date(doc("实施方案\n一、目标。", "二、措施。\n某区教育局\n2022年3月4日"))
    assert (r.value, r.page) == (date(2022, 3, 4), 2)


def test_date_approval_form_docx_cell():
    text = "领导批示单\n编号：PS-2023-0012\n来文单位\t市教育局\n批示领导\t副市长 张三\n批示内容\t同意，2023年6月1日前落实。\n日期\t2023年5月12日"
    r = find_document_date(doc(text))
    assert (r.value, r.rule) == (date(2023, 5, 12), "date_label:日期")


def test_date_approval_form_pdf_cell():
    r = find_document_date(doc("领导批示单\n来文单位 | 市教育局\n批示内容 | 请教育局认真研究。\n日期 | 2023.5.12"))
    assert r.value == date(2023, 5, 12)


def test_date_approval_form_ocr_label_on_own_line():
    r = find_document_date(doc("领导批示单\n批示领导\n县委书记 李四\n日期\n二〇二三年五月十二日"))
    assert (r.value, r.rule) == (date(2023, 5, 12), "date_label:日期")


def test_date_label_must_start_its_cell():
    assert find_document_date(doc("活动方案\n活动日期：2023年5月12日\n活动内容。")) is None


def test_date_certificate_issuer_and_date_on_one_line():
    r = find_document_date(doc("荣誉证书\n张三：\n荣获一等奖。\n浙江省教育厅 二〇二三年五月十二日\n证书编号：ABC-2023-0001"))
    assert (r.value, r.rule) == (date(2023, 5, 12), "date_beside_signature")


def test_date_certificate_date_above_issuer():
    assert find_document_date(doc("获奖证书\n李四\n二等奖\n2023年11月2日\n中央电化教育馆")).value == date(2023, 11, 2)


def test_date_newspaper_masthead():
    text = "中国教育报\n2023年5月12日　星期五　第3版\n某县推进智慧教育\n本报讯 2022年9月1日起，该县全面推进…。"
    r = find_document_date(doc(text))
    assert (r.value, r.rule) == (date(2023, 5, 12), "date_press_dateline")


def test_date_newspaper_weekday_glued_and_a_later_own_line_date():
    text = "瑞安教育\n2023年9月15日星期五\n第36期\n本报讯近日，市教育局召开会议。\n活动日程\n2023年10月1日\n主办：瑞安市教育局"
    r = find_document_date(doc(text))
    assert (r.value, r.rule) == (date(2023, 9, 15), "date_press_dateline")


def test_date_received_date_is_not_the_documents():
    assert find_document_date(doc("智慧课堂的实践研究\n收稿日期：2023-05-12\n摘要：本文…。")) is None


def test_date_received_label_on_previous_line():
    assert find_document_date(doc("论文\n收稿日期：\n2023年5月12日\n正文。")) is None


def test_date_posting_date_loses_to_signature():
    text = "发布时间：2023-05-12 10:23\n关于…的通知\n正文。\n某县教育局\n2019年3月1日"
    assert find_document_date(doc(text)).value == date(2019, 3, 1)


def test_date_cited_in_body_only():
    assert find_document_date(doc("工作总结\n依据省教育厅2021年3月1日的通知，我们开展了工作。")) is None


def test_date_month_only_signature():
    assert find_document_date(doc("正文。\n某县教育局\n2013年9月")) is None


def test_date_masked_template():
    assert find_document_date(doc("正文。\n某县教育局\nx年9月5日")) is None


def test_date_without_year():
    assert find_document_date(doc("通知\n3月15日（周四）下午开会。\n3月15日（周四）")) is None


def test_date_metadata_never_used():
    d = doc("正文没有日期。", metadata={"creation_date": "1970-08-21", "mod_date": "2023-05-12"})
    assert find_document_date(d) is None


def test_date_forward_wrapper_takes_first_signature():
    text = ("关于转发…的通知\n各校：\n现将…转发给你们。\n某区教育局\n2023年6月1日\n"
            "教育部关于…的通知\n各省：\n正文。\n教育部\n2023年5月1日")
    assert find_document_date(doc(text)).value == date(2023, 6, 1)


def test_date_in_parentheses_under_title():
    text = "在全市智慧教育推进会上的讲话\n（2023年4月8日）\n同志们：\n今天我们召开会议。"
    r = find_document_date(doc(text))
    assert (r.value, r.rule) == (date(2023, 4, 8), "date_under_title")


def test_date_minutes_header_line():
    text = "某区教育局会议纪要\n第8期\n某区教育局办公室　　　　2023年5月12日\n关于…的会议纪要\n会议于2023年5月10日召开。"
    r = find_document_date(doc(text))
    assert (r.value, r.rule) == (date(2023, 5, 12), "date_beside_signature")


def test_date_signature_beats_disagreeing_metadata():
    d = doc("正文。\n某县教育局\n2019年3月1日", metadata={"creation_date": "2020-06-30", "title": "x"})
    assert find_document_date(d).value == date(2019, 3, 1)


def test_date_table_rows_are_not_signatures():
    assert find_document_date(doc("获奖名单\n序号\t单位\t日期\n1\t某县教育局\t2023年5月12日")) is None


# ---------------------------------------------------------------- 文号

@pytest.mark.parametrize("number", [
    "宝市教发〔2021〕171号",
    "鄂教科研【2020】1号",
    "湘政教督通[2010]1号",
    "教科规办函[2017] 5号",  # space inside kept
    "浙教技（2021）12号",  # full-width parentheses
    "國發〔2012〕47號",  # traditional 號
])
def test_docno_bracket_variants_kept_as_printed(number):
    r = find_doc_number(doc(f"某某教育厅文件\n{number}\n关于开展智慧教育试点的通知\n各市教育局：\n正文。"))
    assert (r.value, r.rule) == (number, "docno_bracketed:own_line")


def test_docno_first_own_line_not_cited_in_body():
    r = find_doc_number(doc(SIGNED))
    assert (r.value, r.quote, r.page) == ("浙教技〔2021〕12号", "浙教技〔2021〕12号", 1)


def test_docno_only_cited_in_body():
    text = "关于开展评比的通知\n各校：\n依据《关于…的通知》（浙教技〔2021〕12号），现通知如下。"
    assert find_doc_number(doc(text)) is None


def test_docno_beside_signer():
    r = find_doc_number(doc("浙教技〔2021〕12号　　　签发人：张三\n关于…的请示\n教育部：\n正文。"))
    assert r.value == "浙教技〔2021〕12号"


def test_docno_in_parentheses_under_title():
    r = find_doc_number(doc("关于公布2021年智慧校园名单的通知\n（浙教办技〔2021〕12号）\n各市教育局：\n正文。"))
    assert (r.value, r.rule) == ("浙教办技〔2021〕12号", "docno_bracketed:under_title")


def test_docno_without_year():
    assert find_doc_number(doc("枞政76号\n关于表彰的决定\n各乡镇：\n正文。")).value == "枞政76号"


def test_docno_brackets_lost_in_copying():
    r = find_doc_number(doc("苏教信函20233\n关于…的函\n各市教育局：\n正文。"))
    assert (r.value, r.rule) == ("苏教信函20233", "docno_brackets_lost:own_line")
    assert r.confidence < 0.9


def test_docno_explicit_none():
    d = doc("索引号：11330000002482870P/2021-00123\n文号：无文号\n关于…的通知\n各校：\n正文。")
    assert find_doc_number(d) is None
    assert why_no_number(d) == "docno_label_none"


def test_docno_labelled_metadata_only():
    r = find_doc_number(doc("发文字号 | 湘政教督通[2010]1号\n成文日期 | 2010-03-01\n" + "正文很长。" * 20))
    assert (r.value, r.rule) == ("湘政教督通[2010]1号", "docno_bracketed:label:发文字号")


def test_docno_two_spellings_prefers_printed_head():
    d = doc("文号：湘政教督通[2010]1号\n湖南省人民政府教育督导委员会\n湘政教督通〔2010〕1号\n关于…的通知\n各市州：\n正文。")
    assert find_doc_number(d).value == "湘政教督通〔2010〕1号"


def test_docno_procurement_code_is_not_one():
    d = doc("政府采购合同\n项目编号：CSCG-CS-201906190004-1\n甲方：某县教育局\n乙方：某公司\n双方约定如下。")
    assert find_doc_number(d, "contract") is None


def test_docno_contract_serial_in_docno_style():
    d = doc("智慧校园建设合同\n合同编号：川电教结字〔2023〕第0156号\n甲方：某县教育局\n双方约定如下。")
    assert find_doc_number(d, "contract") is None


def test_docno_certificate_serial_labelled():
    d = doc("结题证书\n课题《智慧课堂研究》经鉴定准予结题。\n四川省电化教育馆\n2023年6月1日\n证书编号：川电教结字〔2023〕第0156号")
    assert find_doc_number(d, "research_project") is None
    assert why_no_number(d) == "docno_none_certificate"


def test_docno_certificate_serial_unlabelled_on_top():
    d = doc("川电教结字〔2023〕第0156号\n结题证书\n课题组：\n准予结题。")
    assert find_doc_number(d) is None


def test_docno_zero_padded_serial_shape_without_cue():
    assert find_doc_number(doc("川电教结字〔2023〕第0156号\n关于…\n正文。")) is None


def test_docno_approval_slip_serial():
    d = doc("某县领导批示单\n编号：县委办〔2023〕15号\n来文单位\t县教育局 县教育〔2023〕3号\n批示内容\t同意。")
    assert find_doc_number(d, "approval_slip") is None
    assert find_doc_number(d) is None  # the 批示单 cue alone is enough


def test_docno_approval_form_without_slip_word():
    d = doc("县委书记批示\n县政府办〔2023〕15号\n批示领导 | 县委书记 王五\n批示内容 | 同意。")
    assert find_doc_number(d) is None
    assert why_no_number(d) == "docno_none_approval_slip"


def test_docno_letterhead_beats_certificate_word_in_title():
    d = doc("瑞安市教育局文件\n瑞委办发〔2023〕9号\n荣誉证书\n2023年，全市各级各类学校深入贯彻落实，予以通报表扬。")
    assert find_doc_number(d).value == "瑞委办发〔2023〕9号"


def test_docno_certificate_unlabelled_serial_above_title():
    assert find_doc_number(doc("瑞教证〔2023〕15号\n荣誉证书\n张三同志：\n被评为先进个人。\n特发此证。")) is None


def test_docno_award_notice_has_a_real_one():
    d = doc("浙江省教育厅文件\n浙教办技〔2023〕45号\n关于公布2023年微课评比获奖名单的通知\n各市：\n获奖证书另发。")
    assert find_doc_number(d, "award").value == "浙教办技〔2023〕45号"


def test_docno_forward_wrapper_own_number():
    d = doc("某市教育局文件\n某教发〔2021〕8号\n关于转发《教育部关于…的通知》的通知\n各县：\n"
            "现将《教育部关于…的通知》（教技〔2021〕3号）转发给你们。\n教育部文件\n教技〔2021〕3号\n教育部关于…的通知")
    assert find_doc_number(d).value == "某教发〔2021〕8号"


def test_docno_forward_wrapper_without_own_number():
    d = doc("关于转发教育部关于…的通知的通知\n（教技〔2021〕3号）\n各县：\n现将通知转发给你们。\n"
            "教育部文件\n教技〔2021〕3号\n教育部关于…的通知")
    assert find_doc_number(d) is None


def test_docno_minutes_bracketed_issue():
    d = doc("某区教育局会议纪要\n〔2023〕7号\n关于智慧教育工作的会议纪要\n2023年5月10日，召开会议。")
    assert find_doc_number(d, "meeting_record").value == "〔2023〕7号"


def test_docno_minutes_year_issue():
    assert find_doc_number(doc("某区教育局会议纪要\n2023年第8期\n关于…\n会议认为。")).value == "2023年第8期"


def test_docno_minutes_number_wins_over_issue():
    d = doc("某区教育局会议纪要\n某教纪〔2023〕3号\n第8期\n关于…\n会议认为。")
    assert find_doc_number(d).value == "某教纪〔2023〕3号"


def test_docno_issue_shape_outside_minutes_is_not_a_number():
    assert find_doc_number(doc("某某通讯\n2023年第8期\n一篇文章\n正文。")) is None


def test_docno_after_wechat_wrapper_prose():
    d = doc("点击蓝字关注我们。\n近日，省教育厅印发通知，部署智慧教育工作。全文如下：\n浙江省教育厅文件\n"
            "浙教技〔2022〕7号\n浙江省教育厅关于…的通知\n各市教育局：\n正文。")
    assert find_doc_number(d).value == "浙教技〔2022〕7号"


def test_docno_line_broken_out_of_prose_is_cited():
    d = doc("工作总结\n今年以来，我局认真贯彻落实上级文件精神，根据《省教育厅关于推进智慧教育的通知》\n"
            "（浙教技〔2021〕12号）\n要求，扎实推进各项工作。")
    assert find_doc_number(d) is None


def test_docno_after_the_signature_is_not_the_documents():
    d = doc("工作总结\n正文。\n某县教育局\n2023年1月5日\n某教发〔2023〕2号\n关于…")
    assert find_doc_number(d) is None


def test_docno_ocr_spaces_kept():
    assert find_doc_number(doc("浙教技〔2021〕 12 号\n关于…\n各市：")).value == "浙教技〔2021〕 12 号"


@pytest.mark.parametrize("printed, normal", [
    ("教科规办函[2017] 5号", "教科规办函〔2017〕5号"),
    ("鄂教科研【2020】1号", "鄂教科研〔2020〕1号"),
    ("國發〔2012〕47號", "國發〔2012〕47号"),
    ("浙教技（2021）12号", "浙教技〔2021〕12号"),
    ("浙教技〔２０２１〕１２号", "浙教技〔2021〕12号"),
])
def test_normalise_doc_number(printed, normal):
    assert normalise_doc_number(printed) == normal


# ---------------------------------------------------------------- grades

def test_grade_certificate_award_verb():
    d = doc("荣誉证书\n张三老师：\n你指导的作品在2023年浙江省中小学微课评比中荣获一等奖。\n特发此证。\n浙江省教育厅\n2023年5月12日")
    r = find_award_grade(d, "award")
    assert (r.value, r.rule) == ("一等奖", "grade_award_verb")


def test_grade_certificate_own_line():
    r = find_award_grade(doc("获奖证书\n李四\n2023年全国教育信息化优秀案例\n二等奖\n中央电化教育馆"), "award")
    assert (r.value, r.rule) == ("二等奖", "grade_own_line")


def test_grade_special_prize():
    assert find_award_grade(doc("获奖等级 | 特等奖"), "award").value == "特等奖"


def test_grade_merit_prize():
    assert find_award_grade(doc("荣获2023年度微课评比优秀奖。"), "award").value == "优秀奖"


def test_grade_excellent_in_grade_position():
    assert find_award_grade(doc("你单位在评选中被评为优秀。"), "award").value == "优秀"


def test_grade_research_label():
    d = doc("结题证书\n课题名称：智慧课堂研究\n结题等级：优秀\n浙江省教育科学规划办公室")
    r = find_award_grade(d, "research_project")
    assert (r.value, r.rule) == ("优秀", "grade_label:结题等级")


def test_grade_research_good():
    d = doc("经专家组鉴定，该课题准予结题，鉴定等级为良好。")
    assert find_award_grade(d, "research_project").value == "良好"


def test_grade_research_pass_in_table():
    assert find_award_grade(doc("课题名称\t智慧课堂\n鉴定结论\t合格"), "research_project").value == "合格"


def test_grade_excellent_teacher_is_a_title_not_a_grade():
    d = doc("荣誉证书\n授予张三同志2023年度优秀教师称号。")
    assert find_award_grade(d, "award") is None


def test_grade_excellent_case_is_a_title_not_a_grade():
    assert find_award_grade(doc("你校案例荣获2023年智慧教育优秀案例。"), "award") is None


def test_grade_prose_good_and_pass_are_not_grades():
    d = doc("课题在实施过程中营造了良好的研究氛围，结题材料合格率高。")
    assert find_award_grade(d, "research_project") is None


def test_grade_prize_plan_is_not_a_grade():
    assert find_award_grade(doc("本次评比设一等奖10名、二等奖20名、三等奖30名，优秀奖若干。"), "award") is None


def test_grade_list_without_subject_is_unknown():
    assert find_award_grade(doc("获奖名单\n一等奖\n某某小学\n某某中学\n二等奖\n某某实验小学"), "award") is None


def test_grade_list_subject_under_heading():
    d = doc("获奖名单\n一等奖（2项）\n某某小学\n某某中学\n二等奖（1项）\n某某实验小学")
    r = find_award_grade(d, "award", subject="某某实验小学")
    assert (r.value, r.rule) == ("二等奖", "grade_list_heading")


def test_grade_list_subject_row():
    d = doc("序号 | 学校 | 等级\n1 | 某某小学 | 一等奖\n2 | 某某实验小学 | 三等奖")
    r = find_award_grade(d, "award", subject="某某实验小学")
    assert (r.value, r.rule) == ("三等奖", "grade_subject_row")


def test_grade_not_for_other_doc_types():
    assert find_award_grade(doc("荣获一等奖。"), "commendation") is None


def test_grade_research_grades_not_for_awards():
    assert find_award_grade(doc("鉴定等级：良好"), "award") is None


def test_grade_short_form_after_label():
    assert find_award_grade(doc("奖项：一等\n作者：张三"), "award").value == "一等奖"


# ---------------------------------------------------------------- the data files

def test_pattern_files_load():
    from classify.docnumber import docnumber_data
    from classify.grades import grade_data

    assert dates_mod.date_data().patterns and docnumber_data().shapes and grade_data().grades


def test_bad_pattern_file_names_file_and_line(tmp_path, monkeypatch):
    import classify.fields as fields_mod

    (tmp_path / "date_patterns.yaml").write_text(
        (fields_mod.DATA / "date_patterns.yaml").read_text(encoding="utf-8").replace(
            "regex: '^(?P<y>", "regex: '^(?P<y>(", 1), encoding="utf-8")
    monkeypatch.setattr(fields_mod, "DATA", tmp_path)  # the loader lives in classify/fields.py
    text = (tmp_path / "date_patterns.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(text, 1) if "regex: '^(?P<y>((" in t)
    with pytest.raises(PatternError, match=rf"date_patterns\.yaml:{line}: patterns\.2\.regex: .*regular expression"):
        dates_mod.load_yaml("date_patterns.yaml", dates_mod.DateData)
