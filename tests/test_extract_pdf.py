"""PDF extraction: exact Chinese text, reading order, tables, OCR of scans, and the error codes.

Fixtures come from tests/fixtures/extract/make_pdf.py; the expected texts below are written out by
hand from what that script draws (not copied from the extractor's output).
"""

from __future__ import annotations

import difflib
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extract.errors import ExtractFailure
from extract.registry import ExtractContext, Limits, extractor_for

FIX = Path(__file__).parent / "fixtures" / "extract" / "pdf"
ROOT = Path(__file__).parent.parent


def run(name_or_bytes, **limits):
    data = name_or_bytes if isinstance(name_or_bytes, bytes) else (FIX / name_or_bytes).read_bytes()
    fn = extractor_for("pdf")
    assert fn is not None
    return fn(data, ExtractContext(path="x.pdf", suffix=".pdf", limits=Limits(**limits)))


def failure(name_or_bytes, **limits) -> str:
    with pytest.raises(ExtractFailure) as info:
        run(name_or_bytes, **limits)
    return info.value.code


def test_red_header_justified_body_and_faux_bold_title():
    pages = run("faux-bold-red-header-justified.pdf")
    assert len(pages) == 1
    assert pages[0].text == "\n".join([
        "瑞安市教育局文件",
        "瑞委办发〔2023〕9号",
        "关于表彰2023年度智慧教育",
        "先进集体和先进个人的通报",
        "各乡镇（街道）中心学校，市直各学校：",
        "2023年，全市各级各类学校深入贯彻落实《教育信息化",
        "2.0行动计划》，扎实推进智慧教育示范区建设，涌现出",
        "一批先进集体和先进个人。经学校申报、县级推荐和专家评",
        "审，市教育局决定对瑞安市实验小学等10个先进集体和张",
        "晓明等20名先进个人予以通报表扬。",
        "希望受到表扬的集体和个人珍惜荣誉，再接再厉；全市各",
        "学校要以先进为榜样，推动Smart Education 2.0走深走实。",
        "瑞安市教育局",
        "2023年9月8日",
        "— 1 —",
    ])
    assert not pages[0].ocr and pages[0].tables == []
    blocks = pages[0].blocks
    assert all(b.page == 1 and b.source == "body" and b.bbox for b in blocks)
    assert "\n".join(b.text for b in blocks) == pages[0].text


def test_landscape_certificate_spaced_title_and_wide_gap():
    (page,) = run("landscape-certificate.pdf")
    assert page.text == "\n".join([
        "荣誉证书",
        "张晓明老师：",
        "在2023年瑞安市智慧教育优质课评比中荣获",
        "一等奖",
        "特发此证，以资鼓励。",
        "瑞安市教育局",
        "二〇二三年十二月",
        "证书编号：RAJY-2023-0156 发证日期：2023年12月",
    ])
    assert page.tables == []  # the border frame is not a table


def test_rotated_pages_read_in_order():
    pages = run("rotated-pages.pdf")
    assert [p.text for p in pages] == [
        "第一页：页面设置了旋转90度\n第二行：横向排版的文字",
        "第二页：文字逆时针转向上\n第二行：在第一行的右侧",
        "第三页：页面倒置180度\n第二行：仍然从上往下读",
        "第四页：文字顺时针转向下\n第二行：在第一行的左侧",
    ]
    assert [p.number for p in pages] == [1, 2, 3, 4]


def test_two_column_newspaper_column_by_column():
    (page,) = run("two-column-newspaper.pdf")
    assert page.text == "\n".join([
        "瑞安教育",
        "2023年9月15日星期五",
        "第36期",
        "我市智慧教育示范区建设取得阶段性成效",
        "本报讯近日，市教育局召开智慧教育",
        "示范区建设推进会，总结上半年工作，",
        "部署下阶段任务。会议指出，全市已建",
        "成智慧校园42所，教师信息素养提升",
        "培训覆盖率达到100%。",
        "会议要求，各校要聚焦课堂教学，",
        "用好国家中小学智慧教育平台。",
        "【校园动态】",
        "瑞安市实验小学举办人工智能教育",
        "开放周活动，学生展示了机器人编程",
        "和创客作品，吸引家长三百余人次参",
        "观。该校被评为省级智慧校园示范校。",
        "主办：瑞安市教育局电话：0577-65800000",
    ])
    left, right = [b for b in page.blocks if b.text.startswith(("本报讯", "【校园动态】"))]
    assert left.bbox[2] < right.bbox[0]  # two column blocks side by side


def test_award_table_rows_and_text():
    (page,) = run("award-table.pdf")
    rows = [["序号", "学校", "案例名称", "等第"],
            ["1", "瑞安市实验小学", "AI课堂助教的实践探索", "一等奖"],
            ["2", "瑞安中学", "基于大数据的精准教学", "一等奖"],
            ["3", "安阳实验中学", "智慧作业与分层辅导", "二等奖"],
            ["4", "塘下镇中心小学", "跨学科项目化学习平台建设", "三等奖"]]
    assert [t.rows for t in page.tables] == [rows]
    assert page.tables[0].page == 1
    assert page.text == "\n".join(
        ["2023年度瑞安市智慧教育优秀案例获奖名单"] + [" | ".join(r) for r in rows] + ["瑞安市教育局", "2023年12月20日"])
    table_blocks = [b for b in page.blocks if b.source == "table"]
    assert len(table_blocks) == 1 and table_blocks[0].text.startswith("序号 | 学校")
    assert table_blocks[0].bbox[1] < [b for b in page.blocks if b.text.startswith("瑞安市教育局")][0].bbox[1]


def test_libreoffice_export_justified_and_distributed():
    """A real Word-processor export: justified lines, a distributed title, a Table Grid table."""
    (page,) = run("libreoffice-export-justified.pdf")
    lines = page.text.split("\n")
    assert lines[:3] == ["瑞安市教育局文件", "瑞委办发〔2023〕9号", "荣誉证书"]
    body = "".join(lines[3:-3])  # the paragraphs wrap where LibreOffice broke them; CJK joins without spaces
    assert body == ("2023年，全市各级各类学校深入贯彻落实《教育信息化2.0行动计划》，扎实推进智慧教育示范区建设，"
                    "涌现出一批先进集体和先进个人。经学校申报、县级推荐和专家评审，市教育局决定对瑞安市实验小学等"
                    "10个先进集体和张晓明等20名先进个人予以通报表扬。希望受到表扬的集体和个人珍惜荣誉，再接再厉；"
                    "全市各学校要以先进为榜样，推动Smart Education 2.0走深走实（“互联网+教育”）。")
    assert lines[-3:] == ["序号 | 学校 | 奖项", "1 | 瑞安市实验小学 | 一等奖", "2 | 瑞安中学 | 二等奖"]
    assert [t.rows for t in page.tables] == [[["序号", "学校", "奖项"], ["1", "瑞安市实验小学", "一等奖"],
                                              ["2", "瑞安中学", "二等奖"]]]


def test_scanned_page_is_ocrd():
    (page,) = run("scanned-page-no-text-layer.pdf")
    expected = "瑞安市教育局文件\n瑞教发〔2023〕15号\n关于公布智慧校园示范学校名单的通知\n各中小学：经评审，现将名单公布如下。"
    assert page.ocr is True
    assert page.ocr_confidence is not None and page.ocr_confidence > 0.85
    accuracy = difflib.SequenceMatcher(None, expected, page.text).ratio()
    assert accuracy >= 0.95, page.text
    assert "关于公布智慧校园示范学校名单的通知" in page.text
    assert "瑞教发〔2023〕15号" in page.text  # the OCR slip 〔2023】 is corrected
    assert {b.source for b in page.blocks} == {"ocr"}
    assert all(b.ocr_confidence and b.bbox for b in page.blocks)


def test_scanned_page_without_ocr_needs_ocr():
    assert failure("scanned-page-no-text-layer.pdf", ocr=False) == "needs_ocr"


def test_blank_page_is_not_ocrd():
    pages = run("text-then-blank-page.pdf")
    assert [p.text for p in pages] == ["附件：智慧校园建设情况统计表", ""]
    assert [p.ocr for p in pages] == [False, False]


def test_encrypted():
    assert failure("password-is-test.pdf") == "encrypted"


def test_truncated_and_garbage_are_corrupt():
    assert failure("truncated-corrupt.pdf") == "corrupt"
    assert failure(b"%PDF-1.4\n" + bytes(range(256)) * 20) == "corrupt"
    assert failure(b"PK\x03\x04 not a pdf at all") == "corrupt"


def test_more_pages_than_allowed_is_too_large():
    assert failure("rotated-pages.pdf", max_pages=3) == "too_large"
    assert len(run("rotated-pages.pdf", max_pages=4)) == 4


def _many_pages(n: int, lines: int) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for i in range(n):
        c.setFont("STSong-Light", 12)
        for k in range(lines):
            c.drawString(60, 780 - 18 * k, f"第{i + 1}页第{k + 1}行：瑞教发〔2023〕{k + 1}号")
        c.showPage()
    c.save()
    return buf.getvalue()


def test_300_blank_pages_finish_in_seconds(tmp_path):
    path = tmp_path / "blank-300.pdf"
    path.write_bytes(_many_pages(300, 0))
    start = time.perf_counter()
    assert failure(path.read_bytes()) == "empty"
    assert time.perf_counter() - start < 10


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent (pytest with OCR loaded) across exec.
_MEASURE = """
import json, re, sys, time
sys.path.insert(0, {root!r})
from extract.registry import ExtractContext, extractor_for
data = open({path!r}, "rb").read()
start = time.perf_counter()
pages = extractor_for("pdf")(data, ExtractContext(path="x.pdf", suffix=".pdf"))
print(json.dumps({{"pages": len(pages), "first": pages[0].text.splitlines()[0], "last": pages[-1].text.splitlines()[-1],
                  "seconds": time.perf_counter() - start,
                  "peak_mb": int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024}}))
"""


def test_300_text_pages_stay_under_500_mb(tmp_path):
    path = tmp_path / "text-300.pdf"
    path.write_bytes(_many_pages(300, 8))
    out = subprocess.run([sys.executable, "-c", _MEASURE.format(root=str(ROOT), path=str(path))],
                         capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["pages"] == 300
    assert result["first"] == "第1页第1行：瑞教发〔2023〕1号"
    assert result["last"] == "第300页第8行：瑞教发〔2023〕8号"
    assert result["peak_mb"] < 500, result


def test_rotated_page_keeps_text_outside_the_unrotated_box(tmp_path):
    """/Rotate 90: pdfplumber gives glyphs in displayed positions but width/height unrotated;
    text at the displayed page's far side must not be clipped."""
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from extract import extract_bytes

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("STSong-Light", 12)
    c.drawString(60, 780, "瑞安市教育局文件")
    c.drawString(60, 40, "抄送：温州市教育局")  # the foot of a portrait page
    c.save()
    reader = PdfReader(BytesIO(buf.getvalue()))
    writer = PdfWriter()
    for page in reader.pages:
        page.rotate(90)
        writer.add_page(page)
    out = BytesIO()
    writer.write(out)
    text = extract_bytes(out.getvalue(), "旋转.pdf").pages[0].text
    assert "瑞安市教育局文件" in text and "抄送：温州市教育局" in text
