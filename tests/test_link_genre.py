"""Indicator links: a cue word that only names the document's genre (工作要点, 发展规划, 获奖) weighs
less than one naming its subject, so near ties between indicators of the same genre resolve."""

from __future__ import annotations

from datetime import date

from classify.link import genre_words, link_indicators
from records import Evidence
from rubrics.loader import load_rubric


def _ev(doc_type: str, title: str, level: str = "county") -> Evidence:
    return Evidence(path=f"{title}.pdf", doc_type=doc_type, level=level, issuer="成都市武侯区教育局",
                    date=date(2023, 3, 1), title=title)


def test_genre_words_are_the_document_type_cues():
    words = genre_words()
    assert {"工作要点", "发展规划", "获奖"} <= words
    assert "一体化平台" not in words and "电脑制作" not in words


def test_the_subject_word_beats_the_genre_word():
    rubric = load_rubric("sichuan-zone")
    title = "关于印发《武侯区2022年一体化平台工作要点》的通知"
    links = link_indicators(rubric, _ev("work_plan", title), title, "")
    # C22 names 一体化平台 (the subject); C31 only 工作要点 (the genre): one link, not a near tie
    assert [lk.id for lk in links] == ["C22"]


def test_a_plan_links_to_the_indicator_naming_its_kind_of_plan():
    rubric = load_rubric("sichuan-zone")
    title = "武侯区智慧教育发展规划（2024—2026年）"
    links = link_indicators(rubric, _ev("development_plan", title), title, "")
    assert [lk.id for lk in links] == ["C29"]  # 智慧教育发展规划, not C30's bare 发展规划


def test_a_folder_still_links_whatever_the_words():
    rubric = load_rubric("sichuan-zone")
    title = "关于印发《武侯区2022年一体化平台工作要点》的通知"
    ev = _ev("work_plan", title).model_copy(update={"path": f"C31全面落实教育信息化/{title}.pdf"})
    assert "C31" in [lk.id for lk in link_indicators(rubric, ev, title, "")]
