"""The corpus renderers: every supported (layout, format) pair renders, and extraction gets back
the 文号, the date and the title exactly (scans: OCR character accuracy ≥ 0.9 against
Rendered.text); Rendered.text holds every printed field; renders are deterministic; unsupported
pairs raise ValueError; render_many converts a batch with one soffice call per target."""

from __future__ import annotations

import os
import re
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

import pytest

from corpus import render as R
from corpus.metrics import char_accuracy
from corpus.spec import DocSpec, TableSpec
from extract import extract_bytes


BASE = {
    "red_header": dict(
        issuer_printed="瑞安市教育局", doc_number_printed="瑞教发〔2023〕15号", serial_number="000123",
        date_printed="二〇二三年五月十二日", title="关于公布2023年度智慧校园示范学校名单的通知",
        recipients="各乡镇（街道）中心学校，市直各学校",
        paragraphs=["为深入推进智慧教育示范区建设，经学校申报、专家评审，确定瑞安市实验小学等5所学校为智慧校园示范学校。",
                    "一、各示范学校要发挥引领作用。", "二、请各校认真总结经验，做好推广工作。"],
        signature="瑞安市教育局", cc="温州市教育局，市委办，市政府办", seal_text="瑞安市教育局"),
    "project_list": dict(
        issuer_printed="浙江省教育厅办公室", doc_number_printed="浙教办教科[2022]31号", date_printed="2022年11月3日",
        title="关于公布2022年度省教育科学规划课题立项名单的通知", recipients="各市、县（市、区）教育局",
        paragraphs=["经评审，确定以下课题为2022年度省教育科学规划课题，现予公布。"],
        tables=[TableSpec(caption="附件：立项课题名单", header=["序号", "课题名称", "负责人", "单位"],
                          rows=[["1", "人工智能支持的精准教学研究", "张晓明", "瑞安市实验小学"],
                                ["2", "智慧作业分层设计与实施", "李红", "温州中学"]])]),
    "certificate": dict(
        issuer_printed="温州市教育局", serial_number="WZJY-2023-0156", date_printed="二〇二三年十二月",
        title="荣誉证书", paragraphs=["张晓明老师：", "在2023年温州市智慧教育优质课评比中荣获一等奖。", "特发此证，以资鼓励。"],
        seal_text="温州市教育局"),
    "approval_form": dict(
        issuer_printed="瑞安市人民政府", serial_number="2023-47", date_printed="2023.5.12", title="瑞安市人民政府领导批示单",
        recipients="瑞安市教育局", leader="副市长 王建国",
        paragraphs=["智慧教育工作成效明显，请教育局认真总结，", "进一步扩大示范范围。"]),
    "press": dict(
        issuer_printed="温州日报社", masthead="温州日报\n第5版 教育", serial_number="第12873期",
        date_printed="2023年9月15日", title="瑞安智慧教育示范区建设取得阶段性成效",
        paragraphs=["本报讯 近日，瑞安市教育局召开智慧教育示范区建设推进会，总结上半年工作，部署下阶段任务。"
                    "会议指出，全市已建成智慧校园42所，教师信息素养提升培训覆盖率达到100%。",
                    "会议要求，各校要聚焦课堂教学，用好国家中小学智慧教育平台，推动人工智能与教育教学深度融合。"
                    "瑞安市实验小学举办人工智能教育开放周活动，学生展示了机器人编程和创客作品，吸引家长三百余人次参观。",
                    "据了解，下一步瑞安将建设智慧教育大数据中心，完善教师数字素养评价体系。（记者 陈静）"]),
    "long_text": dict(
        issuer_printed="瑞安市教育局", doc_number_printed="瑞教办〔2023〕8号", date_printed="2023年3月1日",
        title="瑞安市智慧教育示范区建设三年行动计划（2023—2025年）", pages_hint=2,
        paragraphs=["为加快推进教育数字化转型，制定本计划。", "一、总体要求", "坚持应用为王，服务师生。",
                    "二、主要任务", "建设智慧校园，推进数字资源共建共享。", "三、保障措施", "加强组织领导，落实经费保障。"]),
    "contract": dict(
        issuer_printed="瑞安市实验小学", serial_number="RASY-2023-HT-006", date_printed="2023年6月20日",
        title="智慧教室建设项目采购合同",
        paragraphs=["甲方：瑞安市实验小学", "乙方：浙江智学科技有限公司", "第一条 乙方为甲方建设智慧教室6间，合同金额人民币48万元。",
                    "第二条 项目于2023年8月31日前完成验收。"],
        signature="甲方（盖章）：瑞安市实验小学\n乙方（盖章）：浙江智学科技有限公司"),
    "minutes": dict(
        issuer_printed="瑞安市教育局", serial_number="2023年第8期", date_printed="2023年5月12日",
        title="局长办公会议纪要", paragraphs=["5月10日，局长张明主持召开局长办公会议，研究智慧教育工作。",
                                              "出席：张明、李华、王强", "会议决定：一、启动智慧校园示范学校评选。二、安排专项经费200万元。"],
        cc="各科室"),
}
PAIRS = sorted((layout, fmt) for fmt, layouts in R.SUPPORTED.items() for layout in layouts)
SCANS = {"pdf_scan", "image_scan"}


def spec_for(layout: str, fmt: str) -> DocSpec:
    return DocSpec(id=f"t-{layout}-{fmt}", file_name=f"{layout}", layout=layout, format=fmt, **BASE[layout])


def printed_fields(spec: DocSpec) -> list[str]:
    if spec.format == "xlsx":  # a statistics table shows its title, unit, 文号, tables and date only
        fields = [spec.title, spec.issuer_printed, spec.doc_number_printed, spec.date_printed]
        for t in spec.tables:
            fields += [*t.header, *(c for row in t.rows for c in row)]
        return [f for f in fields if f]
    fields = [spec.issuer_printed, spec.doc_number_printed, spec.serial_number, spec.date_printed, spec.title,
              spec.recipients, spec.signature, spec.cc, spec.seal_text, *spec.paragraphs]
    if spec.layout == "approval_form":
        fields.append(spec.leader)
    if spec.layout == "press":
        fields += spec.masthead.split("\n")
    for t in spec.tables:
        fields += [t.caption, *t.header, *(c for row in t.rows for c in row)]
    return [f for f in fields if f]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every supported pair rendered in one render_many call, then extracted (threads: soffice
    and OCR release the GIL). wps is the .doc's bytes renamed, so only one .wps is extracted."""
    pairs = list(PAIRS)
    specs = [spec_for(*p) for p in pairs]
    t0 = time.perf_counter()
    out = R.render_many(specs, tmp_path_factory.mktemp("render"))
    batch_s = time.perf_counter() - t0
    todo = [i for i, (layout, fmt) in enumerate(pairs)
            if fmt != "wps" or layout == "red_header"]
    saved = os.environ.get("PRESCREEN_OCR_THREADS")
    os.environ["PRESCREEN_OCR_THREADS"] = "1"  # two OCR threads of one core each, not two × all cores
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            docs = dict(zip(todo, pool.map(lambda i: extract_bytes(out[i].data, f"{pairs[i][0]}{out[i].suffix}"),
                                           todo)))
    finally:
        if saved is None:
            os.environ.pop("PRESCREEN_OCR_THREADS", None)
        else:
            os.environ["PRESCREEN_OCR_THREADS"] = saved
    return {p: (s, r, docs.get(i)) for i, (p, s, r) in enumerate(zip(pairs, specs, out))} | {"_batch_s": batch_s}


@pytest.mark.parametrize("pair", [pytest.param(p, id=f"{p[0]}-{p[1]}") for p in PAIRS])
def test_extraction_gets_number_date_title(rendered, pair):
    spec, out, doc = rendered[pair]
    assert out.suffix == R.SUFFIX.get(spec.format, ".pdf")
    for field in printed_fields(spec):
        for line in field.split("\n"):
            assert line in out.text, line
    if doc is None:
        if spec.format == "wps":
            assert out.data == rendered[(spec.layout, "doc")][1].data
            return
        raise AssertionError(f"{pair} was not extracted")
    assert doc.error is None, doc.error
    if spec.format in SCANS:
        acc = char_accuracy(doc.text, out.text)
        assert acc >= 0.9, (acc, doc.text)
        return
    flat = doc.text.replace("\n", "")
    for field in (spec.doc_number_printed, spec.date_printed, spec.title):
        if field:
            assert field in flat, (field, doc.text)
    assert char_accuracy(doc.text.replace(" | ", ""), out.text) >= 0.97, doc.text


def test_text_follows_the_layout_order():
    spec = spec_for("red_header", "docx")
    lines = R.text_of(R.blocks_for(spec)).split("\n")
    assert lines[:4] == ["000123", "瑞安市教育局文件", "瑞教发〔2023〕15号", spec.title]
    assert lines[4] == "各乡镇（街道）中心学校，市直各学校："
    assert lines[-4:] == ["瑞安市教育局", "二〇二三年五月十二日", "瑞安市教育局", "抄送：温州市教育局，市委办，市政府办"]
    form = R.text_of(R.blocks_for(spec_for("approval_form", "pdf_direct"))).split("\n")
    assert form[:2] == ["瑞安市人民政府领导批示单", "编号：2023-47"]
    assert form[2:5] == ["来文单位\t瑞安市教育局", "批示领导\t副市长 王建国", "批示内容\t智慧教育工作成效明显，请教育局认真总结，"]
    assert form[-1] == "日期\t2023.5.12"


def test_unsupported_pairs_raise():
    for layout, fmt in [("red_header", "docx_textbox"), ("certificate", "pdf_two_column"),
                        ("approval_form", "pdf_justified"), ("long_text", "image_scan")]:
        with pytest.raises(ValueError):
            R.blocks_for(spec_for(layout, fmt))


def test_deterministic_and_distinct(tmp_path):
    for fmt in ("docx", "docx_textbox", "pdf_direct", "pdf_justified", "pdf_scan", "image_scan"):
        layout = "certificate" if fmt == "docx_textbox" else "red_header"
        a, b = R.render(spec_for(layout, fmt), tmp_path), R.render(spec_for(layout, fmt), tmp_path)
        assert a.data == b.data, fmt
    other = spec_for("red_header", "pdf_scan").model_copy(update={"id": "t-other"})
    assert R.render(other, tmp_path).data != R.render(spec_for("red_header", "pdf_scan"), tmp_path).data


def test_textbox_certificate_has_no_body_text():
    out = R.render(spec_for("certificate", "docx_textbox"), None)
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(BytesIO(out.data)).read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert len(root.findall(f".//{w}txbxContent")) == 8  # 4 boxes, each in mc:Choice and mc:Fallback
    texts = root.findall(f".//{w}t")
    assert texts and all(any(a.tag == w + "txbxContent" for a in t.iterancestors()) for t in texts)
    assert "".join(t.text for t in texts).count("温州市教育局") == 2 * 2  # signature and seal, twice each


def test_header_format_puts_letterhead_in_header():
    out = R.render(spec_for("red_header", "docx_header"), None)
    z = zipfile.ZipFile(BytesIO(out.data))
    headers = [n for n in z.namelist() if n.startswith("word/header")]
    assert any("瑞安市教育局文件" in z.read(n).decode() for n in headers)
    assert "瑞安市教育局文件" not in z.read("word/document.xml").decode()


def test_rotated_and_justified_pdfs_are_what_they_say():
    import pypdf

    rot = pypdf.PdfReader(BytesIO(R.render(spec_for("certificate", "pdf_rotated"), None).data))
    assert rot.pages[0].get("/Rotate") == 90
    import pdfplumber

    data = R.render(spec_for("red_header", "pdf_justified"), None).data
    with pdfplumber.open(BytesIO(data)) as pdf:  # pdfminer's own text: spaces between stretched glyphs
        naive = pdf.pages[0].extract_text()
    body = naive.split("：\n", 1)[1]  # below the 主送 line: prose only, no titles
    assert re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff] [\u4e00-\u9fff]", body), naive


def test_render_many_batches_soffice(tmp_path, monkeypatch):
    calls = []
    real = R.convert_batch
    monkeypatch.setattr(R, "convert_batch", lambda files, target, wd: calls.append((len(files), target)) or real(files, target, wd))
    specs = [spec_for(layout, fmt) for layout in ("red_header", "minutes", "contract") for fmt in ("pdf_export", "doc", "wps")]
    out = R.render_many(specs, tmp_path)
    assert sorted(calls) == [(3, "doc"), (3, "pdf")]  # doc and wps of one spec: one conversion
    assert [o.suffix for o in out] == [".pdf", ".doc", ".wps"] * 3
    assert all(o.data[:4] == b"%PDF" for o in out[::3])


def test_statistics_xlsx_is_byte_identical_across_runs():
    """openpyxl stamps the save time into docProps/core.xml; the corpus must not change with the clock."""
    import time as _time

    from corpus import render_xlsx

    spec = spec_for("long_text", "xlsx")
    first = render_xlsx.build(spec)[0]
    _time.sleep(1.1)
    assert render_xlsx.build(spec)[0] == first
