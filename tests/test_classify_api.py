"""Document → Evidence on documents as extraction gives them: the genres and the traps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from classify.api import classify_document
from classify.layout import split_joint
from classify.link import folder_hints
from classify.patterns import PatternError, load_jsonl, Cue
from extract import extract_bytes
from flows.cli import main
from records import Document, Origin, Page
from rubrics.loader import load_rubric

FIX = Path(__file__).parent / "fixtures" / "extract"


def doc(text: str, path: str = "材料.pdf") -> Document:
    return Document(origin=Origin(path=path, size=len(text), sha256="0" * 64, format="pdf"),
                    pages=[Page(number=1, text=text)])


RED_HEADER = """瑞安市教育局文件
瑞教【2022】2号
瑞安市教育信息化实施方案
各中小学、幼儿园：
为深入贯彻落实《中小学智慧校园建设指南》（教科信厅函〔2022〕5号）精神，结合瑞安市实际，制定本方案。
一、总体要求。坚持育人为本、应用驱动。
瑞安市教育局
2022年9月16日"""


def test_red_header_document():
    ev = classify_document(doc(RED_HEADER))
    assert (ev.doc_type, ev.level, ev.issuer, ev.doc_number, str(ev.date)) == (
        "work_plan", "county", "瑞安市教育局", "瑞教【2022】2号", "2022-09-16")
    assert ev.title == "瑞安市教育信息化实施方案"
    fields = {r.field for r in ev.reasons}
    assert {"doc_type", "doc_number", "issuer", "level", "date"} <= fields


def test_provincial_notice_forwarding_a_national_one_is_provincial():
    text = """浙江省教育厅文件
浙教技〔2021〕76号
浙江省教育厅关于转发《教育部关于实施全国中小学教师信息技术应用能力提升工程2.0的意见》的通知
各市教育局：
现将《教育部关于实施全国中小学教师信息技术应用能力提升工程2.0的意见》（教师〔2019〕1号）转发给你们，请认真贯彻执行。
浙江省教育厅
2021年5月12日"""
    ev = classify_document(doc(text))
    assert (ev.doc_type, ev.level, ev.doc_number) == ("work_plan", "provincial", "浙教技〔2021〕76号")


def test_joint_issuers_printed_together_are_split_in_order():
    ev = classify_document(doc("中共温州市委温州市人民政府文件\n温委发〔2022〕8号\n温州市智慧教育发展规划（2022—2024年）\n"
                               "一、总体要求。\n中共温州市委温州市人民政府\n2022年3月1日"))
    assert ev.issuer == "中共温州市委 温州市人民政府" and ev.level == "municipal"
    assert ev.doc_type == "development_plan"


@pytest.mark.parametrize("printed, expected", [
    ("人力资源社会保障部教育部", "人力资源社会保障部 教育部"),
    ("中共浙江省委办公厅浙江省人民政府办公厅", "中共浙江省委办公厅 浙江省人民政府办公厅"),
    ("瑞安市教育局", "瑞安市教育局"),
    ("上海市普陀区教育局", "上海市普陀区教育局"),
])
def test_split_joint(printed, expected):
    assert split_joint(printed) == expected


def test_newspaper_takes_the_outlets_level():
    ev = classify_document(doc("今日永嘉2023年9月5日第2版\n2023.9.5\n信息技术与教学融合的鹿城区探索\n本报讯近日，鹿城区在信息技术与"
                               "教学融合方面的做法受到广泛关注。"))
    assert (ev.doc_type, ev.issuer) == ("media_report", "今日永嘉")
    assert str(ev.date) == "2023-09-05"


def test_approval_slip_takes_the_leaders_rank_not_the_name():
    text = ("中共瑞安市委书记\n领导批示单\n编号：WYJ-2022-2951\n来文单位\n批示领导\n中共瑞安市委书记周国庆\n批示内容\n"
            "批示内容：瑞安市网络学习空间应用工作成效明显，值得肯定。\n日期\n二〇二二年一月一日")
    ev = classify_document(doc(text))
    assert (ev.doc_type, ev.issuer, ev.level, ev.doc_number) == ("approval_slip", "中共瑞安市委书记", "county", None)
    assert str(ev.date) == "2022-01-01"


def test_certificate_in_text_boxes_from_a_real_docx():
    data = (FIX / "docx" / "certificate-in-textboxes.docx").read_bytes()
    ev = classify_document(extract_bytes(data, "荣誉证书.docx"))
    assert ev.doc_type == "award" and ev.doc_number is None  # a 证书编号 is not a 文号
    assert ev.award_grade is not None


def test_unreadable_document_keeps_its_error():
    bad = extract_bytes((FIX / "pdf" / "password-is-test.pdf").read_bytes(), "加密.pdf")
    ev = classify_document(bad)
    assert ev.error.code == "encrypted" and ev.confidence == 0


def test_folder_named_after_an_indicator_is_a_hint():
    rubric = load_rubric("ningxia-county")
    assert folder_hints("包.zip/A2.7开展互联网/佐证材料16.pdf", rubric) == {"A2.7": "A2.7开展互联网"}
    assert folder_hints("包.zip/A2.7/佐证材料16.pdf", rubric) == {"A2.7": "A2.7"}
    assert folder_hints("包.zip/A9.9乱写/x.pdf", rubric) == {}
    assert folder_hints("A2.7开展互联网.pdf", rubric) == {}  # a file name is not a folder


def test_indicator_links_need_a_sign():
    ev = classify_document(doc(RED_HEADER, "包/1.1组织保障/要点.pdf"), "wenzhou-district")
    assert [lk.id for lk in ev.indicators][:1] == ["1.1"]
    plain = classify_document(doc(RED_HEADER, "包/要点.pdf"), "wenzhou-district")
    assert "L4" not in {lk.id for lk in plain.indicators}


def test_a_bad_pattern_line_names_the_file_and_line(tmp_path, monkeypatch):
    import classify.patterns as patterns

    (tmp_path / "cues.jsonl").write_text('{"pattern": "表彰", "id": "commendation", "title": 4}\n{"pattern": 3}\n',
                                         encoding="utf-8")
    monkeypatch.setattr(patterns, "DATA", tmp_path)
    with pytest.raises(PatternError, match=r"cues.jsonl:2"):
        load_jsonl("cues.jsonl", Cue)


def test_cli_classify_json_keys(tmp_path):
    f = tmp_path / "通知.txt"
    f.write_text(RED_HEADER, encoding="utf-8")
    res = CliRunner().invoke(main, ["classify", str(f), "--rubric", "wenzhou-district", "--json", "--workers", "0"])
    assert res.exit_code == 0, res.output
    line = json.loads(res.output.splitlines()[0])
    assert list(line) == ["path", "doc_type", "level", "issuer", "doc_number", "date", "award_grade", "subject",
                          "title", "indicators", "confidence", "error"]
    assert line["doc_number"] == "瑞教【2022】2号" and line["error"] is None


def test_scanned_approval_slip_with_the_name_before_the_post():
    """A photo of a form: 批示领导 '王建国（局长）' under the heading '瑞安市教育局领导批示单'."""
    data = (FIX / "image" / "approval-slip-table-300dpi.png").read_bytes()
    ev = classify_document(extract_bytes(data, "批示单.png"))
    assert (ev.doc_type, ev.issuer, ev.level, ev.doc_number) == ("approval_slip", "瑞安市教育局局长", "county", None)
    assert str(ev.date) == "2023-06-08"
