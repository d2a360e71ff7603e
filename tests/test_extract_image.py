"""Image extraction (OCR) and OCR post-correction.

Fixtures: tests/fixtures/extract/image/, rebuilt by tests/fixtures/extract/make_image.py; each
image's <name>.expected.txt is the text that script drew (pages separated by a "\\f" line).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pytest
from PIL import Image

from extract.errors import ExtractFailure
from extract.ocr import OcrLine, OcrResult
from extract.ocrfix import fix_ocr_text, load_rules
from extract.registry import ExtractContext, Limits, extractor_for
from corpus.metrics import char_accuracy

HERE = Path(__file__).parent / "fixtures" / "extract" / "image"
CLEAN = [
    "certificate-clean-300dpi.png",
    "approval-slip-table-300dpi.png",
    "red-header-notice-with-table-300dpi.png",
    "two-page-scan.tif",
]
NOISY = ["certificate-sideways-photo.jpg", "certificate-exif-orientation.jpg", "approval-slip-upside-down.jpg"]






def expected(name: str) -> list[str]:
    text = (HERE / name).with_suffix(".expected.txt").read_text(encoding="utf-8").rstrip("\n")
    return text.split("\n\f\n")


def run(name: str, limits: Limits | None = None):
    path = HERE / name
    ctx = ExtractContext(path=name, suffix=path.suffix, limits=limits or Limits())
    return extractor_for("image")(path.read_bytes(), ctx)


@lru_cache(maxsize=None)
def pages_of(name: str):
    return run(name)


def failure(data: bytes, limits: Limits | None = None, suffix: str = ".png") -> str:
    with pytest.raises(ExtractFailure) as info:
        extractor_for("image")(data, ExtractContext(path="x" + suffix, suffix=suffix, limits=limits or Limits()))
    return info.value.code


# ---------------------------------------------------------------- accuracy and key strings

@pytest.mark.parametrize("name", CLEAN)
def test_clean_300dpi_reaches_95_percent(name):
    pages, want = pages_of(name), expected(name)
    assert len(pages) == len(want)
    for page, text in zip(pages, want):
        assert char_accuracy(page.text, text) >= 0.95, page.text


@pytest.mark.parametrize("name", NOISY)
def test_noisy_and_rotated_photos_read_upright(name):
    pages, (want,) = pages_of(name), expected(name)
    assert len(pages) == 1
    assert pages[0].text.splitlines()[0] == want.splitlines()[0]  # the title comes first: upright
    assert char_accuracy(pages[0].text, want) >= 0.9, pages[0].text


def test_certificate_key_strings():
    lines = pages_of("certificate-clean-300dpi.png")[0].text.splitlines()
    assert lines[0] == "荣誉证书"
    assert "特发此证，以资鼓励。" in lines
    assert "二〇二三年五月十二日" in lines
    assert "证书编号：瑞教证〔2023〕第015号" in lines  # OCR reads 〔2023】: fixed by ocrfix
    assert "在2022—2023学年度智慧校园建设工作中表现突出，" in lines  # dash read as 一: fixed


def test_sideways_certificate_date_and_order():
    page = pages_of("certificate-sideways-photo.jpg")[0]
    lines = page.text.splitlines()
    assert lines[:2] == ["荣誉证书", "张明华同志："]
    assert "二〇二三年五月十二日" in lines
    assert lines.index("瑞安市教育局") < lines.index("二〇二三年五月十二日")


def test_red_header_notice_docnum_date_and_table_rows():
    text = pages_of("red-header-notice-with-table-300dpi.png")[0].text
    lines = text.splitlines()
    assert lines[:3] == ["瑞安市教育局文件", "瑞教发〔2023〕45号", "关于公布2023年度智慧校园示范学校名单的通知"]
    assert lines[-2:] == ["瑞安市教育局", "2023年5月12日"]
    # cells of a table row stay together, left to right
    assert "瑞安市第二中学\n示范校" in text
    assert "瑞安市安阳实验小学\n达标校" in text
    assert "序号\n学校名称\n等次" in text


def test_approval_slip_form_reads_row_by_row():
    text = pages_of("approval-slip-table-300dpi.png")[0].text
    for label, value in [("来文单位", "瑞安市实验小学"), ("批示领导", "王建国（局长）"),
                         ("批示内容", "同意。请装备中心抓紧落实，确保按期完成。"), ("日期", "2023年6月8日")]:
        assert f"{label}\n{value}" in text


def test_upside_down_slip_keeps_reading_order():
    assert pages_of("approval-slip-upside-down.jpg")[0].text == expected("approval-slip-upside-down.jpg")[0]


def test_multi_frame_tiff_is_one_page_per_frame():
    pages = pages_of("two-page-scan.tif")
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].text.splitlines()[0] == "结题证书"
    assert "二〇二二年十二月二十日" in pages[0].text
    assert "立项编号：温教研〔2021〕第112号" in pages[1].text
    assert all(b.page == 2 for b in pages[1].blocks)


def test_pages_are_marked_as_ocr_with_confidence_and_boxes():
    name = "red-header-notice-with-table-300dpi.png"
    width, height = Image.open(HERE / name).size
    page = pages_of(name)[0]
    assert page.ocr is True and 0.9 <= page.ocr_confidence <= 1.0
    assert [b.text for b in page.blocks] == page.text.splitlines()
    for block in page.blocks:
        assert block.source == "ocr" and block.page == 1
        assert 0.0 < block.ocr_confidence <= 1.0
        x0, top, x1, bottom = block.bbox
        assert 0 <= x0 < x1 <= width + 2 and 0 <= top < bottom <= height + 2  # original pixels
    header = page.blocks[0]
    assert header.text == "瑞安市教育局文件" and header.bbox[1] < height / 5


def test_sideways_photo_boxes_are_in_the_upright_frame():
    width, height = Image.open(HERE / "certificate-sideways-photo.jpg").size  # stored portrait
    page = pages_of("certificate-sideways-photo.jpg")[0]
    title = page.blocks[0]
    assert title.text == "荣誉证书"
    assert title.bbox[2] - title.bbox[0] > 2 * (title.bbox[3] - title.bbox[1])  # wide, not tall
    assert max(b.bbox[2] for b in page.blocks) <= height + 2  # upright width = stored height


# ---------------------------------------------------------------- failures and limits

def test_blank_scan_is_empty():
    assert failure((HERE / "blank-scan.png").read_bytes()) == "empty"


def test_truncated_jpeg_is_corrupt():
    assert failure((HERE / "corrupt-truncated.jpg").read_bytes(), suffix=".jpg") == "corrupt"


def test_garbage_and_no_bytes():
    assert failure(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20) == "corrupt"
    assert failure(b"") == "empty"


def test_ocr_switched_off_needs_ocr():
    data = (HERE / "certificate-clean-300dpi.png").read_bytes()
    assert failure(data, Limits(ocr=False)) == "needs_ocr"


def test_more_frames_than_max_pages_is_too_large():
    assert failure((HERE / "two-page-scan.tif").read_bytes(), Limits(max_pages=1), ".tif") == "too_large"


def test_huge_image_is_downscaled_and_boxes_mapped_back(monkeypatch):
    import extract.formats.image as image_mod

    seen = []

    def fake_ocr(img):
        seen.append(img.size)
        return OcrResult([OcrLine("荣誉证书", (100.0, 50.0, 500.0, 150.0), 0.99)])

    monkeypatch.setattr(image_mod, "ocr_image", fake_ocr)
    big = Image.new("L", (8000, 6000), 255)
    big.paste(0, (1000, 1000, 3000, 1400))  # some ink, so it is not blank
    buf = io.BytesIO()
    big.save(buf, "PNG")
    pages = extractor_for("image")(buf.getvalue(), ExtractContext(path="big.png", suffix=".png"))
    assert seen and max(seen[0]) == image_mod.MAX_SIDE
    assert pages[0].text == "荣誉证书"
    assert pages[0].blocks[0].bbox == (500.0, 250.0, 2500.0, 750.0)  # x5: back to stored pixels


# ---------------------------------------------------------------- post-correction

@pytest.mark.parametrize("raw, fixed", [
    ("瑞教发〔2023】45号", "瑞教发〔2023〕45号"),
    ("证书编号：瑞教证〔2023】第015号", "证书编号：瑞教证〔2023〕第015号"),
    ("湘政教督通[2010]1号", "湘政教督通〔2010〕1号"),
    ("鄂教科研【2020】1号", "鄂教科研〔2020〕1号"),
    ("浙教办函［2022］12号", "浙教办函〔2022〕12号"),
    ("教科规办函[2017] 5号", "教科规办函〔2017〕5号"),
    ("瑞教证（2023〕第015号", "瑞教证〔2023〕第015号"),
    ("宝市教发〔2O21〕171号", "宝市教发〔2021〕171号"),
    ("二O一O年一月四日", "二〇一〇年一月四日"),
    ("二0一四年一月六日", "二〇一四年一月六日"),
    ("二○一九年一月二十六日", "二〇一九年一月二十六日"),
    ("２023年5月", "2023年5月"),
    ("在2022一2023学年度", "在2022—2023学年度"),
])
def test_fix_ocr_text_fixes_the_usual_slips(raw, fixed):
    assert fix_ocr_text(raw) == fixed
    assert fix_ocr_text(fixed) == fixed


@pytest.mark.parametrize("text", [
    "瑞教证（2023）第015号",  # parentheses on both sides: a real (irregular) spelling
    "２０２３年５月",  # wholly full-width: as printed
    "见附件[2023]",  # brackets and a year, but no 文号 shape
    "第1一2名", "一000元", "O2O模式", "二〇二三年五月十二日", "编号[2023]-15",
    "川电教结字〔2023〕第0156号",
])
def test_fix_ocr_text_leaves_ambiguous_text_alone(text):
    assert fix_ocr_text(text) == text


def test_rules_are_data():
    rules = load_rules()
    names = [r.name for r in rules]
    assert "docnum-brackets" in names and "chinese-year-zero" in names
    assert "docnum-paren-pair" not in names  # documented in the data file, switched off
