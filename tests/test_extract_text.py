"""Plain .txt extraction: encodings detected (UTF-8, BOMs, GBK/GB18030), never mojibake.
Fixtures: tests/fixtures/extract/office/*.txt, made by tests/fixtures/extract/make_office.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.api import extract_bytes
from extract.errors import ExtractFailure
from extract.formats.text import decode_text
from extract.registry import ExtractContext, extractor_for

FIXTURES = Path(__file__).parent / "fixtures" / "extract" / "office"

NOTICE = """温州市教育局文件
温教办〔2023〕45号
关于开展2023年度智慧教育示范校评选工作的通知
各县（市、区）教育局，局属各学校：
为深入推进教育数字化转型，根据《浙江省教育厅关于印发〈浙江省智慧教育示范区建设指南〉的通知》（浙教办函〔2022〕118号）精神，经研究，决定开展2023年度智慧教育示范校评选工作。现将有关事项通知如下：
一、评选对象
全市中小学校（含幼儿园、中职学校）；每县（市、区）推荐名额见下表。
二、申报材料
申报学校须于2023年10月31日前提交申报表及佐证材料（PDF格式），逾期不予受理。
附件：2023年度智慧教育示范校申报表
温州市教育局
2023年9月15日"""


def run(name: str):
    return extractor_for("txt")((FIXTURES / name).read_bytes(), ExtractContext(path=name, suffix=".txt"))


@pytest.mark.parametrize("name", ["notice-gbk-crlf.txt", "notice-utf8.txt", "notice-utf8-bom.txt",
                                  "notice-utf16le-bom.txt"])
def test_notice_in_every_encoding_reads_exactly(name):
    pages = run(name)
    assert len(pages) == 1
    assert pages[0].text == NOTICE
    assert "\r" not in pages[0].text and "\ufeff" not in pages[0].text
    assert pages[0].blocks[0].text == NOTICE and pages[0].blocks[0].source == "body"


@pytest.mark.parametrize("name, expected", [
    ("short-title-gbk.txt", "关于公布智慧校园示范校名单的通知"),  # charset-normalizer alone says cp949
    ("two-chars-gbk-valid-utf8.txt", "通知"),  # also valid UTF-8, which would read U+0368 U+05AA
    ("rare-chars-gb18030.txt", "𠀾溪小学：䶮同学获一等奖。"),  # 4-byte GB18030, outside GBK
    ("old-mac-cr-gbk.txt", "温州市教育局\n温教办〔2023〕45号"),  # bare CR line endings
])
def test_short_and_unusual_files(name, expected):
    assert run(name)[0].text == expected


@pytest.mark.parametrize("name", ["empty.txt", "whitespace-only.txt"])
def test_empty_files_are_refused(name):
    with pytest.raises(ExtractFailure) as err:
        run(name)
    assert err.value.code == "empty"


@pytest.mark.parametrize("word", ["通知", "学校", "一等奖", "荣誉证书", "瑞安市", "课题结题", "申报表",
                                  "鹿城区\t3", "温教办〔2023〕45号"])
def test_short_gbk_words_never_mojibake(word):
    assert decode_text(word.encode("gbk"))[0] == word


@pytest.mark.parametrize("text", ["café résumé", "中文 UTF-8 文本", "①②③ ±×÷ —…", "Ünïcödé 𠀾",
                                  "Это достаточно длинный текст на русском языке, чтобы не спутать."])
def test_utf8_text_stays_utf8(text):
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")


def test_bom_decides_even_against_content():
    assert decode_text(b"\xef\xbb\xbf" + "通知".encode("utf-8"))[0] == "通知"
    assert decode_text(b"\xfe\xff" + "通知".encode("utf-16-be"))[0] == "通知"


def test_through_the_pipeline_gbk_txt_is_a_document():
    data = (FIXTURES / "notice-gbk-crlf.txt").read_bytes()
    doc = extract_bytes(data, "材料/通知.txt")
    assert doc.error is None
    assert doc.origin.format == "txt"
    assert doc.text == NOTICE


def test_through_the_pipeline_empty_txt_is_an_error():
    doc = extract_bytes((FIXTURES / "whitespace-only.txt").read_bytes(), "空白.txt")
    assert doc.error is not None and doc.error.code == "empty"
