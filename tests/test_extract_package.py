"""Packages: folders and zips, hostile archives, the worker pool, time limits and the cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract import DocumentCache, Limits, extract_paths, iter_members
from extract.package import decode_zip_name, safe_member_path
from flows.cli import main

PKG = Path(__file__).parent / "fixtures" / "extract" / "package"


def members(name: str, **limits):
    return {m.path: m for m in iter_members(PKG / name, Limits(**limits))}


def test_gbk_names_without_the_utf8_flag_are_decoded():
    got = members("gbk-names-without-utf8-flag.zip")
    assert set(got) == {"gbk-names-without-utf8-flag.zip/佐证材料/1.1组织保障/工作要点.txt",
                        "gbk-names-without-utf8-flag.zip/佐证材料/荣誉证书.txt"}


def test_utf8_flagged_names_are_kept():
    assert list(members("utf8-names.zip")) == ["utf8-names.zip/申报材料/通知.txt"]


def test_path_traversal_entries_are_refused_and_the_rest_goes_on():
    got = members("path-traversal.zip")
    assert got["path-traversal.zip/../../etc/evil.txt"].failure.code == "unsafe_path"
    assert got["path-traversal.zip//abs/evil.txt"].failure.code == "unsafe_path"
    assert got["path-traversal.zip/ok/通知.txt"].data.startswith("温州市教育局".encode())


@pytest.mark.parametrize("name, expected", [
    ("../a.txt", None), ("a/../../b", None), ("/etc/passwd", None), ("C:/x.txt", None),
    ("a\\..\\..\\b", None), ("./a/./b.pdf", "a/b.pdf"), ("申报/材料.pdf", "申报/材料.pdf"),
])
def test_safe_member_path(name, expected):
    assert safe_member_path(name) == expected


def test_decompression_bomb_is_refused_without_inflating_it():
    got = members("decompression-bomb.zip")
    assert got["decompression-bomb.zip/bomb.txt"].failure.code == "unsafe_archive"
    assert got["decompression-bomb.zip/bomb.txt"].data is None
    assert got["decompression-bomb.zip/通知.txt"].data is not None


def test_total_size_budget_stops_an_archive():
    got = members("decompression-bomb.zip", max_ratio=10_000, max_total_bytes=1024 * 1024)
    assert got["decompression-bomb.zip/bomb.txt"].failure.code == "unsafe_archive"


def test_nested_zips_are_expanded_with_their_paths():
    got = members("nested-zip.zip")
    assert "nested-zip.zip/外层.zip/中层.zip/内层/通知.txt" in got
    deep = members("nested-zip.zip", max_depth=2)
    assert deep["nested-zip.zip/外层.zip/中层.zip"].failure.code == "unsafe_archive"


def test_too_many_entries_is_refused():
    got = members("many-entries.zip", max_entries=20)
    assert list(got) == ["many-entries.zip"] and got["many-entries.zip"].failure.code == "unsafe_archive"
    assert len(members("many-entries.zip")) == 30


def test_encrypted_zip_entry():
    assert members("encrypted-entry.zip")["encrypted-entry.zip/加密.txt"].failure.code == "encrypted"


def _folder(tmp_path: Path) -> Path:
    pkg = tmp_path / "瑞安市申报材料"
    (pkg / "1.1组织保障").mkdir(parents=True)
    (pkg / "1.1组织保障" / "工作要点.txt").write_text("瑞安市教育局2023年工作要点\n将智慧教育列入局重点工作。\n", encoding="utf-8")
    (pkg / "空文件.txt").write_bytes(b"")
    (pkg / "未知格式.bin").write_bytes(b"\x00\x01\x02\x03binary\x00")
    (pkg / ".DS_Store").write_bytes(b"\x00")
    shutil.copy(PKG / "gbk-names-without-utf8-flag.zip", pkg / "子包.zip")
    shutil.copy(PKG / "not-really-a-zip.zip", pkg / "坏包.zip")
    return pkg


@pytest.mark.parametrize("workers", [0, 2])
def test_a_folder_package_keeps_every_file_and_goes_on_past_bad_ones(tmp_path, workers):
    docs = list(extract_paths([_folder(tmp_path)], Limits(), workers=workers))
    by_path = {d.origin.path: d for d in docs}
    assert list(by_path) == [
        "1.1组织保障/工作要点.txt", "坏包.zip", "子包.zip/佐证材料/1.1组织保障/工作要点.txt",
        "子包.zip/佐证材料/荣誉证书.txt", "未知格式.bin", "空文件.txt",
    ]
    assert "将智慧教育列入局重点工作" in by_path["1.1组织保障/工作要点.txt"].pages[0].text
    assert by_path["坏包.zip"].error.code == "corrupt"
    assert by_path["未知格式.bin"].error.code == "unsupported_format"
    assert by_path["空文件.txt"].error.code == "empty"
    assert by_path["子包.zip/佐证材料/荣誉证书.txt"].error is None


def test_a_file_over_its_time_limit_gets_timeout_and_the_rest_goes_on(tmp_path):
    pkg = _folder(tmp_path)
    # a scanned certificate pasted into Word: OCR takes well over a second here
    shutil.copy(PKG.parent / "docx" / "certificate-as-picture.docx", pkg / "扫描证书.docx")
    docs = list(extract_paths([pkg], Limits(timeout_s=0.3), workers=2))
    codes = {d.origin.path: (d.error.code if d.error else None) for d in docs}
    assert codes["扫描证书.docx"] == "timeout"
    assert "超过 0.3 秒" in next(d for d in docs if d.origin.path == "扫描证书.docx").error.message
    assert codes["1.1组织保障/工作要点.txt"] is None
    assert len(docs) == 7


def test_documents_round_trip_through_json(tmp_path):
    from records import Document

    for doc in extract_paths([_folder(tmp_path)], workers=0):
        assert Document.model_validate_json(doc.model_dump_json()) == doc


def test_cache_hit_by_content_under_a_new_path(tmp_path):
    cache = DocumentCache(tmp_path / "cache")
    a = tmp_path / "a.txt"
    a.write_text("温州市教育局通知\n", encoding="utf-8")
    first = list(extract_paths([a], workers=0, cache=cache))[0]
    cached_files = list((tmp_path / "cache").rglob("*.json"))
    assert len(cached_files) == 1
    # tamper with the cached text: a hit must come from the cache, not from parsing again
    data = json.loads(cached_files[0].read_text(encoding="utf-8"))
    data["pages"][0]["text"] = "来自缓存"
    cached_files[0].write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("温州市教育局通知\n", encoding="utf-8")
    second = list(extract_paths([b], workers=0, cache=cache))[0]
    assert second.origin.path == "b.txt" and second.pages[0].text == "来自缓存"
    assert first.origin.sha256 == second.origin.sha256


def test_cli_extract_json_lines(tmp_path):
    res = CliRunner().invoke(main, ["extract", str(_folder(tmp_path)), "--json", "--workers", "0", "--no-cache"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines()]
    assert len(lines) == 6
    assert all(set(x) == {"path", "document", "error"} for x in lines)
    bad = next(x for x in lines if x["path"] == "未知格式.bin")
    assert bad["error"]["code"] == "unsupported_format" and "不支持" in bad["error"]["message"]


def test_cli_extract_human_table(tmp_path):
    res = CliRunner().invoke(main, ["extract", str(_folder(tmp_path)), "--workers", "0", "--no-cache"])
    assert res.exit_code == 0 and "文件提取结果" in res.output and "无法读取 3 个" in res.output


@pytest.mark.parametrize("data, suffix, fmt", [
    (b"\xff\xfe" + "通知".encode("utf-16-le"), ".txt", "txt"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00garbage" * 100, ".doc", "corrupt_ole"),
    (b"%PDF-1.7\n", ".doc", "pdf"),
    ("学校,班级数\n第一小学,24\n".encode("gbk"), ".csv", "csv"),
    (b"", ".pdf", "empty"),
])
def test_formats_are_recognised_by_content_first(data, suffix, fmt):
    from extract.detect import detect_format

    assert detect_format(data, suffix) == fmt


def test_broken_office_container_is_corrupt_not_unsupported():
    from extract import extract_bytes

    doc = extract_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00garbage" * 100, "坏文件.doc")
    assert doc.error.code == "corrupt"


def test_stored_zip_whose_pdf_header_is_near_the_start_is_a_zip():
    docs = list(extract_paths([PKG / "stored-zip-with-a-pdf.zip"], workers=0))
    assert [(d.origin.path, d.origin.format, d.error) for d in docs] == [
        ("stored-zip-with-a-pdf.zip/申报材料/通知.pdf", "pdf", None)]
    assert docs[0].text.strip()
