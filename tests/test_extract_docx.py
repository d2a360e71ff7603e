"""DOCX extraction: body, tables, text boxes, headers/footers, notes, pages and errors.

Fixtures come from tests/fixtures/extract/make_docx.py; expected texts are written out here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.detect import detect_format
from extract.errors import ExtractFailure
from extract.registry import ExtractContext, Limits, extractor_for

FIXTURES = Path(__file__).parent / "fixtures" / "extract" / "docx"


def extract(name: str, **limits):
    data = (FIXTURES / name).read_bytes()
    return extractor_for("docx")(data, ExtractContext(path=name, suffix=".docx", limits=Limits(**limits)))


def failure(name: str, **limits) -> str:
    with pytest.raises(ExtractFailure) as exc:
        extract(name, **limits)
    return exc.value.code


def test_certificate_whose_text_is_only_in_text_boxes():
    pages = extract("certificate-in-textboxes.docx")
    assert len(pages) == 1
    # boxes are stored out of order in the file; reading order follows their position on the page
    assert pages[0].text == (
        "荣誉证书\n"
        "张三老师：\n"
        "在2023年温州市中小学智慧教育优秀案例评选中，你的案例《AI助力课堂精准教学》荣获一等奖。\n"
        "特发此证，以资鼓励。\n"
        "证书编号：WZJY〔2023〕第0156号\n"
        "温州市教育局\n"
        "二〇二三年十二月二十日"
    )
    assert [b.source for b in pages[0].blocks] == ["textbox"] * 4
    assert pages[0].blocks[0].text == "荣誉证书"  # VML WordArt: text only in v:textpath/@string
    assert all(b.page == 1 and b.bbox is None for b in pages[0].blocks)


def test_text_box_in_alternate_content_is_read_once():
    pages = extract("textbox-in-alternatecontent.docx")
    text = pages[0].text
    assert text == (
        "附件2\n（复印件）\n获奖证书\n李四同学在瑞安市第五届中小学生信息素养提升实践活动中荣获二等奖。\n二〇二四年五月"
    )
    assert text.count("获奖证书") == 1
    assert [b.source for b in pages[0].blocks] == ["body", "body", "textbox"]


def test_red_header_issuer_in_page_header_and_table_of_pilot_schools():
    pages = extract("red-header-issuer-in-header.docx")
    assert [p.number for p in pages] == [1, 2]  # split at the explicit page break
    assert pages[0].text == (
        "温州市教育局文件\n"
        "温教办〔2023〕45号\n"
        "温州市教育局关于公布第二批智慧教育试点学校名单的通知\n"
        "各县（市、区）教育局，局属各学校：\n"
        "经学校申报、县（市、区）推荐、专家评审，确定以下学校为第二批智慧教育试点学校（名单见附件）。\n"
        "温州市教育局\n"
        "2023年9月1日"
    )
    assert pages[0].blocks[0].source == "header" and pages[0].blocks[0].text == "温州市教育局文件"
    assert pages[1].text == (
        "附件\n"
        "第二批智慧教育试点学校名单（共3所）\n"
        "序号\t县（市、区）\t学校名称\n"
        "1\t鹿城区\t温州市实验小学\n"
        "2\t温州市广场路小学\n"
        "3\t瑞安市\t瑞安市安阳实验小学\n"
        "- 1 -"
    )
    assert [b.source for b in pages[1].blocks] == ["body", "table", "footer"]
    assert pages[0].tables == []
    assert len(pages[1].tables) == 1 and pages[1].tables[0].page == 2
    # merged cells: the text sits in the top-left position, covered positions are empty
    assert pages[1].tables[0].rows == [
        ["第二批智慧教育试点学校名单（共3所）", "", ""],
        ["序号", "县（市、区）", "学校名称"],
        ["1", "鹿城区", "温州市实验小学"],
        ["2", "", "温州市广场路小学"],
        ["3", "瑞安市", "瑞安市安阳实验小学"],
    ]


def test_footnotes_endnotes_hidden_text_and_content_controls():
    pages = extract("footnotes-and-endnote.docx")
    assert len(pages) == 2
    assert pages[0].text == (
        "鹿城区智慧教育示范区建设工作总结\n"
        "全区建成智慧校园示范校12所，覆盖率达到85%。\n"
        "编写单位：鹿城区教育局\n"
        "数据来源：鹿城区教育局2023年教育事业统计。\n"
        "按义务教育阶段学校数计算。"
    )
    assert [b.source for b in pages[0].blocks] == ["body", "body", "body", "footnote", "footnote"]
    assert pages[1].text == "二、下一步工作\n继续推进区域教育云平台建设。\n本总结由鹿城区教育技术中心编写。"
    assert pages[1].blocks[-1].source == "footnote"
    assert "内部备注" not in pages[0].text  # w:vanish


def test_nested_table_is_in_its_cell_and_listed_on_its_own():
    pages = extract("nested-table.docx")
    assert pages[0].text == "课题组成员\n课题名称\t智慧课堂教学模式研究\n姓名\t职务\n王五\t校长\n结题时间：2024年6月"
    assert [t.rows for t in pages[0].tables] == [
        [["课题名称", "智慧课堂教学模式研究\n姓名\t职务\n王五\t校长"]],
        [["姓名", "职务"], ["王五", "校长"]],
    ]


def test_picture_only_certificate_is_ocred():
    pages = extract("certificate-as-picture.docx")
    assert pages[0].ocr and pages[0].ocr_confidence > 0.8
    assert [b.source for b in pages[0].blocks] == ["ocr"]
    assert "荣誉证书" in pages[0].text and "温州市教育局" in pages[0].text
    assert failure("certificate-as-picture.docx", ocr=False) == "needs_ocr"


def test_caption_and_certificate_picture():
    pages = extract("caption-and-certificate-picture.docx")
    assert pages[0].text.startswith("附件3：荣誉证书复印件\n荣誉证书\n")
    assert [b.source for b in pages[0].blocks] == ["body", "ocr"]
    assert pages[0].ocr and pages[0].blocks[1].ocr_confidence > 0.8
    without_ocr = extract("caption-and-certificate-picture.docx", ocr=False)
    assert without_ocr[0].text == "附件3：荣誉证书复印件" and not without_ocr[0].ocr


def test_empty_document():
    assert failure("empty.docx") == "empty"


@pytest.mark.parametrize("name", ["corrupt-truncated.docx", "missing-document-xml.docx"])
def test_corrupt_documents(name):
    assert failure(name) == "corrupt"


def test_plain_text_renamed_docx_is_detected_as_text():
    data = (FIXTURES / "plain-text-renamed.docx").read_bytes()
    assert detect_format(data, ".docx") == "txt"
    assert failure("plain-text-renamed.docx") == "corrupt"  # if handed to this extractor anyway


def test_fixtures_detected_as_docx():
    for name in ("certificate-in-textboxes.docx", "red-header-issuer-in-header.docx", "empty.docx"):
        assert detect_format((FIXTURES / name).read_bytes(), ".docx") == "docx"


def test_page_limit():
    assert failure("red-header-issuer-in-header.docx", max_pages=1) == "too_large"
