"""The records of the labelled corpus: what a generated document is (its spec, which the
renderers turn into a file), what it is labelled as, and what a package is expected to score.

A DocSpec says everything the renderer needs and nothing it must invent: the generator samples
specs (seeded), the renderers (corpus/render_*.py) lay them out as .docx/.pdf/scans, and the
labels are taken from the spec, never from the rendered file.
"""

from __future__ import annotations

from datetime import date as Date
from typing import Literal

from pydantic import Field

from records.base import Record
from records.vocab import DocType, Level

Layout = Literal[
    "red_header",  # GB/T 9704 official document: issuer header, 文号, title, 主送, sections, signature, date, 抄送
    "certificate",  # landscape 荣誉证书/获奖证书/结题证书 with certificate number and seal text
    "approval_form",  # 批示单: a form table (来文单位, 批示领导, 批示内容, 日期)
    "press",  # newspaper page: masthead, date, page number, headline, body (maybe two columns)
    "long_text",  # plans, summaries, regulations: several pages of numbered sections
    "project_list",  # research-project approval/completion notice with a project table
    "contract",  # 合同/协议: parties (甲方/乙方), clauses, signatures
    "minutes",  # 会议纪要: organ header, 期号, attendees, decisions
]

Format = Literal[
    "docx",  # python-docx
    "docx_textbox",  # .docx whose text sits only in text boxes (certificates)
    "docx_header",  # .docx with the letterhead in the page header part
    "pdf_export",  # .docx exported to PDF by LibreOffice (the way applicants make PDFs)
    "pdf_direct",  # PDF drawn directly (reportlab)
    "pdf_faux_bold",  # every title string drawn twice, slightly offset
    "pdf_justified",  # character spacing that naive extraction turns into spaces
    "pdf_two_column",  # newspaper page in two columns
    "pdf_rotated",  # a page with /Rotate 90
    "pdf_scan",  # image-only PDF (rendered, slightly rotated and noisy) for OCR
    "image_scan",  # .jpg photo/scan
    "doc",  # legacy .doc converted by LibreOffice
    "wps",  # a .doc named .wps, as applicants send them
    "xlsx",  # a statistics table (统计表): the title and the tables
]


class TableSpec(Record):
    caption: str = ""
    header: list[str]
    rows: list[list[str]]


class DocSpec(Record):
    """One document to render. Printed strings are given exactly as they are to appear."""

    id: str  # stable id, e.g. "dev-000123"
    file_name: str  # as the applicant named it (may be misleading: "证书.pdf" for a notice)
    layout: Layout
    format: Format
    # what is printed
    issuer_printed: str  # the issuing body as printed in the header/signature (may be abbreviated)
    doc_number_printed: str | None = None  # the 文号 as printed (bracket variant kept), or None
    serial_number: str | None = None  # 证书编号/批示单编号/合同编号/期号 printed where it belongs
    date_printed: str | None = None  # as printed: 二〇二三年五月十二日, 2023.5.12, 2023年5月12日 …
    title: str
    recipients: str | None = None  # 主送
    paragraphs: list[str] = Field(default_factory=list)  # body, in order (sections as "一、…" lines)
    tables: list[TableSpec] = Field(default_factory=list)
    signature: str | None = None  # the signing organ(s) at the end
    cc: str | None = None  # 抄送
    masthead: str | None = None  # press: newspaper name; page line
    leader: str | None = None  # approval slip: the leader's title and name
    seal_text: str | None = None  # text of the seal, as OCR would see it
    pages_hint: int = 1  # long_text: how many pages to fill


class Labels(Record):
    """The ground truth of one document (DESIGN.md §3), plus the indicators it supports."""

    id: str
    path: str  # path inside its package (or the corpus' docs folder)
    doc_type: DocType
    level: Level
    issuer: str | None
    doc_number: str | None
    date: Date | None
    award_grade: str | None = None
    subject: str | None = None
    title: str
    case_key: str | None = None
    indicators: dict[str, list[str]] = Field(default_factory=dict)  # rubric id → indicator ids
    hard_cases: list[str] = Field(default_factory=list)  # the traps this document sets: 转发, 县级市 …
    text: str = ""  # the document's full text as rendered, for extraction fidelity


class PackageExpectation(Record):
    """What screening a package should give, from the package's labels."""

    package: str  # folder or zip name under packages/
    rubric: str
    track: str | None = None
    as_of: Date
    documents: list[str]  # Labels ids in this package
    expected_scores: dict[str, float | None]  # document-decidable indicator id → candidate score
    missing_mandatory: list[str] = Field(default_factory=list)
    layout: Literal["flat", "by_indicator", "zip"] = "flat"
