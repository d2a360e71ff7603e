"""Legacy word-processor formats through LibreOffice (.doc, .wps, .rtf, .odt) and spreadsheets
(.xlsx, .xls, .ods, .csv). Fixtures: tests/fixtures/extract/office/, made by
tests/fixtures/extract/make_office.py."""

from __future__ import annotations

import os
import shutil
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from extract.api import extract_bytes
from extract.errors import ExtractFailure
from extract.formats import office, sheet
from extract.registry import ExtractContext, Limits, extractor_for

FIXTURES = Path(__file__).parent / "fixtures" / "extract" / "office"

NOTICE_LINES = [
    "温州市教育局文件",
    "温教办〔2023〕45号",
    "关于开展2023年度智慧教育示范校评选工作的通知",
    "各县（市、区）教育局，局属各学校：",
    "为深入推进教育数字化转型，根据《浙江省教育厅关于印发〈浙江省智慧教育示范区建设指南〉的通知》"
    "（浙教办函〔2022〕118号）精神，经研究，决定开展2023年度智慧教育示范校评选工作。现将有关事项通知如下：",
    "一、评选对象",
    "全市中小学校（含幼儿园、中职学校）；每县（市、区）推荐名额见下表。",
    "县（市、区）\t推荐名额\t备注",  # the table: non-empty cells joined by tabs
    "鹿城区\t3",
    "瑞安市\t4\t含民办学校1所",
    "二、申报材料",
    "申报学校须于2023年10月31日前提交申报表及佐证材料（PDF格式），逾期不予受理。",
    "附件：2023年度智慧教育示范校申报表",
    "温州市教育局",
    "2023年9月15日",
    "温州市教育局办公室\u3000\u30002023年9月15日印发",  # the footer (版记), two ideographic spaces
]
NOTICE_TABLE = [["县（市、区）", "推荐名额", "备注"], ["鹿城区", "3", ""], ["瑞安市", "4", "含民办学校1所"]]


def run(fmt: str, name: str, limits: Limits = Limits(), data: bytes | None = None):
    data = (FIXTURES / name).read_bytes() if data is None else data
    ctx = ExtractContext(path=name, suffix=Path(name).suffix, limits=limits)
    return extractor_for(fmt)(data, ctx)


def failure(fmt: str, name: str, **kw) -> ExtractFailure:
    with pytest.raises(ExtractFailure) as err:
        run(fmt, name, **kw)
    return err.value


# ---- word-processor formats -----------------------------------------------------------------

@pytest.mark.parametrize("fmt, name", [("doc", "red-header-notice.doc"), ("wps", "word97-renamed.wps"),
                                       ("rtf", "red-header-notice.rtf"), ("odt", "red-header-notice.odt")])
def test_red_header_notice_reads_exactly(fmt, name):
    pages = run(fmt, name)
    assert [p.number for p in pages] == [1]
    assert pages[0].text == "\n".join(NOTICE_LINES)
    assert [t.rows for t in pages[0].tables] == [NOTICE_TABLE]
    footer = [b.text for b in pages[0].blocks if b.source == "footer"]
    assert footer == ["温州市教育局办公室\u3000\u30002023年9月15日印发"]


@pytest.mark.parametrize("name, fmt", [("red-header-notice.doc", "doc"), ("word97-renamed.wps", "wps"),
                                       ("red-header-notice.rtf", "rtf"), ("red-header-notice.odt", "odt"),
                                       ("school-statistics-formulas.xlsx", "xlsx"), ("school-statistics.xls", "xls"),
                                       ("school-statistics.ods", "ods"), ("statistics-gbk.csv", "csv")])
def test_fixtures_are_detected_as_their_format(name, fmt):
    from extract.detect import detect_format

    assert detect_format((FIXTURES / name).read_bytes(), Path(name).suffix) == fmt


def test_wps_through_the_pipeline():
    doc = extract_bytes((FIXTURES / "word97-renamed.wps").read_bytes(), "申报材料/通知.wps")
    assert doc.error is None and doc.origin.format == "wps"
    assert doc.text.startswith("温州市教育局文件\n温教办〔2023〕45号\n")
    assert office.last_conversion_seconds is not None and office.last_conversion_seconds < 60


def test_ole_header_then_garbage_is_corrupt():
    assert failure("doc", "corrupt-ole-garbage.doc").code == "corrupt"


def test_word_open_password_is_encrypted():
    err = failure("doc", "encrypted-flag-set.doc")
    assert err.code == "encrypted" and "密码" in err.message


def test_file_libreoffice_cannot_open_is_corrupt():
    # Without the forced import filter LibreOffice would read this as a page of plain text.
    with pytest.raises(ExtractFailure) as err:
        office.convert(b"\xd0\xcf\x11\xe0 not a word file" * 50, ".doc", "docx:MS Word 2007 XML",
                       in_filter=office.IN_FILTERS[".doc"], timeout=60)
    assert err.value.code == "corrupt"


def test_missing_libreoffice_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PRESCREEN_SOFFICE", str(tmp_path / "no-such-soffice"))
    err = failure("doc", "red-header-notice.doc")
    assert err.code == "unsupported_format"
    assert "需要安装 LibreOffice（libreoffice-writer-nogui）" in err.message


def test_hanging_converter_is_killed_with_its_children(monkeypatch, tmp_path):
    pidfile = tmp_path / "child.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pidfile}\nwait\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PRESCREEN_SOFFICE", str(fake))
    monkeypatch.setattr(office, "CONVERT_TIMEOUT_S", 1.0)
    start = time.monotonic()
    err = failure("rtf", "red-header-notice.rtf")
    assert err.code == "timeout"
    assert time.monotonic() - start < 10
    child = int(pidfile.read_text())
    time.sleep(0.2)
    try:
        os.kill(child, 0)
        state = Path(f"/proc/{child}/stat").read_text().split()[2]
        assert state == "Z", "the converter's child process survived the timeout"
    except (ProcessLookupError, FileNotFoundError):
        pass


def test_parallel_conversions_do_not_collide():
    data = (FIXTURES / "red-header-notice.rtf").read_bytes()
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: run("rtf", "x.rtf", data=data), range(3)))
    assert all(r[0].text == "\n".join(NOTICE_LINES) for r in results)


# ---- spreadsheets ---------------------------------------------------------------------------

STATISTICS = [
    ["学校名称", "班级数", "多媒体教室数", "多媒体覆盖率", "生均教学用房（平方米）", "填报日期"],
    ["温州市实验小学", "36", "36", "100.0%", "12.5", "2023-09-15"],
    ["瑞安市安阳实验小学", "48", "44", "91.7%", "9.75", "2023-09-15"],
    ["乐清市城东第一小学", "30", "21", "70.0%", "11", "2023-09-15"],
    ["合计", "114", "101", "88.6%"],  # formulas: their cached values
]
NOTES = [["数据截至2023年9月1日。"], ["联系人：王老师", "", "电话：0577-88881234"]]


@pytest.mark.parametrize("fmt, name", [("xlsx", "school-statistics-formulas.xlsx"),
                                       ("xls", "school-statistics.xls"), ("ods", "school-statistics.ods")])
def test_statistics_workbook(fmt, name):
    pages = run(fmt, name)
    assert [p.number for p in pages] == [1, 2]  # the empty Sheet3 is left out
    assert pages[0].tables[0].rows == STATISTICS and pages[0].tables[0].page == 1
    assert pages[1].tables[0].rows == NOTES
    assert pages[0].text == (
        "学校统计\n"
        "学校名称\t班级数\t多媒体教室数\t多媒体覆盖率\t生均教学用房（平方米）\t填报日期\n"
        "温州市实验小学\t36\t36\t100.0%\t12.5\t2023-09-15\n"
        "瑞安市安阳实验小学\t48\t44\t91.7%\t9.75\t2023-09-15\n"
        "乐清市城东第一小学\t30\t21\t70.0%\t11\t2023-09-15\n"
        "合计\t114\t101\t88.6%")
    assert pages[1].text == "填表说明\n数据截至2023年9月1日。\n联系人：王老师\t\t电话：0577-88881234"


def test_formulas_never_computed_read_as_empty_cells():
    rows = run("xlsx", "formulas-never-computed.xlsx")[0].tables[0].rows
    assert rows[1] == ["温州市实验小学", "36", "36", "", "12.5", "2023-09-15"]
    assert rows[-1] == ["合计"]


@pytest.mark.parametrize("name", ["statistics-gbk.csv", "statistics-utf8-bom-tabs.csv"])
def test_csv_encoding_and_delimiter_detected(name):
    (page,) = run("csv", name)
    assert page.tables[0].rows == [
        ["学校名称", "班级数", "多媒体教室数", "多媒体覆盖率", "备注"],
        ["温州市实验小学", "36", "36", "100.0%", "含分校区,另计"],
        ["瑞安市安阳实验小学", "48", "44", "91.7%"],
    ]
    assert page.text.splitlines()[0] == Path(name).stem
    assert page.text.splitlines()[2] == "温州市实验小学\t36\t36\t100.0%\t含分校区,另计"


def test_spreadsheets_through_the_pipeline():
    for name, fmt in [("school-statistics.xls", "xls"), ("school-statistics.ods", "ods"),
                      ("statistics-gbk.csv", "csv")]:
        doc = extract_bytes((FIXTURES / name).read_bytes(), f"统计/{name}")
        assert doc.error is None, (name, doc.error)
        assert doc.origin.format == fmt and "瑞安市安阳实验小学" in doc.text


def test_too_many_rows_is_too_large(monkeypatch):
    monkeypatch.setattr(sheet, "MAX_ROWS", 4)
    for fmt, name in [("xlsx", "school-statistics-formulas.xlsx"), ("xls", "school-statistics.xls"),
                      ("ods", "school-statistics.ods"), ("csv", "statistics-gbk.csv")]:
        if fmt == "csv":
            monkeypatch.setattr(sheet, "MAX_ROWS", 2)
        assert failure(fmt, name).code == "too_large", name


def test_too_many_cells_and_sheets_is_too_large(monkeypatch):
    assert failure("xlsx", "school-statistics-formulas.xlsx", limits=replace(Limits(), max_pages=2)).code == "too_large"
    monkeypatch.setattr(sheet, "MAX_CELLS", 20)
    assert failure("ods", "school-statistics.ods").code == "too_large"


def test_truncated_xlsx_and_xls_are_corrupt():
    for fmt, name in [("xlsx", "school-statistics-formulas.xlsx"), ("xls", "school-statistics.xls"),
                      ("ods", "school-statistics.ods")]:
        data = (FIXTURES / name).read_bytes()
        assert failure(fmt, name, data=data[: len(data) // 2]).code == "corrupt", name


def test_csv_of_empty_cells_is_empty():
    assert failure("csv", "blank.csv", data=b",,,\r\n , ,\r\n").code == "empty"


@pytest.mark.parametrize("value, fmt, expected", [
    (36.0, None, "36"), (0.1 + 0.2, None, "0.3"), (12.5, None, "12.5"), (-3.0, "General", "-3"),
    (0.9166666666666666, "0.0%", "91.7%"), (0.5, "0%", "50%"), (1234567890123.0, None, "1234567890123"),
])
def test_numbers_render_as_people_read_them(value, fmt, expected):
    assert sheet.render_number(value, fmt) == expected


def test_libreoffice_is_installed():
    """scripts/setup installs it (scripts/debian-packages.txt): its absence is a failure, not a skip."""
    assert shutil.which("soffice") is not None
