"""Make one document: a DocSpec (what is printed) and its Labels (DESIGN.md §3), from a Want.

Labels are taken from the same choices that make the spec, never from a rendered file:
issuer as printed (abbreviated when the print abbreviates it), the 文号 as printed or None
(serial numbers are not 文号; a 会议纪要's 期号 is), the date under the signature as ISO or None.
A 批示单's issuer is the leader's post and its level the leader's; a media report's issuer is
the outlet; a contract's is its 甲方.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import yaml

from corpus.gen_text import (DATA, DATE_TRAPS, fill, format_date, format_doc_number, gazetteer, minutes_number,
                             person, phrasing, pick_date_style, pick_number_style, serial_number)
from corpus.gen_world import Body, County, world
from corpus.spec import DocSpec, Labels, TableSpec

AWARD_GRADES = ("特等奖", "一等奖", "二等奖", "三等奖", "优秀", "优秀奖")
PROJECT_GRADES = ("优秀", "良好", "合格")
EXT = {"docx": ".docx", "docx_textbox": ".docx", "docx_header": ".docx", "doc": ".doc", "wps": ".wps", "xlsx": ".xlsx",
       "image_scan": ".jpg"}
KIND_WORD = {"development_plan": "规划", "work_plan": "方案", "regulation": "办法", "work_summary": "报告"}


@lru_cache(maxsize=None)
def doc_types() -> dict:
    return yaml.safe_load((DATA / "doc_types.yaml").read_text(encoding="utf-8"))


@dataclass
class Want:
    """What a document must be; everything left None is sampled."""

    doc_type: str
    level: str
    county: County | None = None  # the applicant's county (subject and local issuers come from it)
    subject: str | None = None  # the district or school the document is about
    topic: str | None = None  # a phrase the title must carry (a rubric's cue word)
    when: date | None = None
    dated: bool = False  # the date must be printed
    grade: str | None = None
    stage: str | None = None  # research projects: 立项 or 结题
    layout: str | None = None
    issuer_any: tuple[str, ...] = ()
    issuer_none: tuple[str, ...] = ()
    case_key: str | None = None
    work: str | None = None  # the work/project title of an award or research project
    forward: bool = False  # a provincial notice forwarding a national one
    higher: bool = False  # a county plan that mentions 国家级/省级 throughout
    issuer_exact: str | None = None  # a gazetteer name (issuer, leader or outlet)
    traps: list[str] = field(default_factory=list)


def _weighted(rng: random.Random, weights: dict) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _choose_layout(rng, want: Want) -> tuple[str, str]:
    forms = doc_types()["doc_types"][want.doc_type]["forms"]
    if want.layout:
        forms = [f for f in forms if f["layout"] == want.layout] or forms
    if want.forward:
        forms = [f for f in forms if f["layout"] == "red_header"] or forms
    if want.topic:  # a cue word must be in the title: certificates print none
        forms = [f for f in forms if f["layout"] != "certificate"] or forms
    if want.doc_type == "research_project" and want.stage == "立项":
        forms = [f for f in forms if f["layout"] != "certificate"] or forms
    form = rng.choices(forms, weights=[f["weight"] for f in forms])[0]
    return form["layout"], _weighted(rng, form["formats"])


def _issuer(rng, want: Want, split: str) -> Body | None:
    w = world(split)
    region = want.county.region if want.county else None
    county = want.county.name if want.county else None
    kw = dict(region=region, county=county, issuer_any=want.issuer_any, issuer_none=want.issuer_none)
    if want.level == "unknown":
        return None
    if want.issuer_exact:
        return next(b for b in w.bodies + w.leaders + w.media if b.name == want.issuer_exact)
    if want.doc_type == "approval_slip":
        return w.leader(rng, want.level, **kw)
    if want.doc_type == "media_report":
        return w.outlet(rng, want.level, **kw)
    kinds: tuple[str, ...] = ()
    if want.doc_type in ("award", "research_project", "pilot_designation", "commendation") and want.level != "school":
        kinds = ("edu", "research", "association", "gov", "party")
    if want.forward:
        kinds = ("edu",)
    if not kinds and want.doc_type in ("development_plan", "regulation", "work_summary", "work_plan"):
        kinds = ("edu", "gov", "party", "research", "school")
    return w.body(rng, want.level, kinds=kinds, **kw)


def _title_template(rng, book: dict, key: str, need_topic: bool) -> str:
    options = book["titles"][key]
    if need_topic:
        options = [t for t in options if "{topic}" in t] or options
    return rng.choice(options)


def _date(rng, want: Want) -> date:
    if want.when:
        return want.when
    return date(2018, 1, 1) + timedelta(days=rng.randint(0, 365 * 6))


def make_document(rng: random.Random, want: Want, split: str, doc_id: str) -> tuple[DocSpec, Labels]:
    book = phrasing(split)
    g = gazetteer()
    w = world(split)
    traps = list(want.traps)
    issuer = _issuer(rng, want, split)
    county = want.county or rng.choice(w.counties)
    subject = want.subject or (rng.choice(county.schools) if rng.random() < 0.6 else county.name)
    if issuer is not None and issuer.level == "school" and not want.subject:
        subject = issuer.name
    layout, fmt = _choose_layout(rng, want)
    d = _date(rng, want)
    topic = want.topic or rng.choice(book["topics"])
    stage = want.stage or ("结题" if layout == "certificate" or rng.random() < 0.5 else "立项")
    grade = want.grade
    if grade is None and want.doc_type == "award":
        grade = rng.choice(AWARD_GRADES)
    if grade is None and want.doc_type == "research_project" and stage == "结题":
        grade = rng.choice(PROJECT_GRADES)
    work = want.work or rng.choice(book["works"])
    if issuer is None:
        place = ""
    else:
        place = issuer.name if issuer.level == "school" else issuer.place
        traps += [t for t in issuer.traps if t not in traps]
    printed = issuer.name if issuer else None
    cited = rng.choice(g["cited"])
    values = dict(place=place if place != "全国" else "全国", year=d.year, year2=d.year + 2, topic=topic,
                  applicant=subject, activity=rng.choice(book["activities"]), stage=stage, grade=grade or "",
                  issuer=printed or "", outlet=printed or "", cited=cited["number"], cited_title=cited["title"],
                  n=rng.randint(2, 30), month=d.month, work=work, company=rng.choice(g["companies"]),
                  reporter=person(rng), kind=KIND_WORD.get(want.doc_type, "通知"))

    doc_number = serial = masthead = leader = seal = recipients = cc = None
    tables: list[TableSpec] = []
    need_topic = bool(want.topic)
    key = want.doc_type
    if want.doc_type == "award":
        key = "award_cert" if layout == "certificate" else "award_notice"
    elif want.doc_type == "research_project":
        key = "research_cert" if layout == "certificate" else "research_notice"
    if want.forward:
        key = "forward"
        traps.append("forwarding_notice")
    title = re.sub(r"([\u4e00-\u9fff]{2,6})\1", r"\1", fill(_title_template(rng, book, key, need_topic), values))
    for word in ("行动计划", "发展规划", "工作要点", "实施方案", "管理制度", "管理办法", "应急预案"):
        title = title.replace(word + word[-2:], word)
    if need_topic and want.topic not in title:
        title = f"{title}（{want.topic}）"
    bodies = book["bodies"]
    paras: list[str] = []

    def para(group: str) -> list[str]:
        return [fill(t, values) for t in bodies[group]]

    if layout in ("red_header", "long_text", "project_list"):
        official = issuer is not None and issuer.prefix and issuer.level != "school"
        if official and rng.random() < 0.85:
            style = pick_number_style(rng)
            doc_number = format_doc_number(issuer.prefix, d.year, rng.randint(1, 260), style)
            if style != "hex":
                traps.append(f"docnumber_{style}")
            if issuer.abbrev and not want.issuer_exact and rng.random() < 0.35:
                printed = issuer.abbrev
                traps.append("abbreviated_issuer")
        else:
            traps.append("no_doc_number")
        recipients = rng.choice(book["recipients"]) if layout != "long_text" else None
        cc = rng.choice(book["cc"]) if layout == "red_header" and rng.random() < 0.6 else None
        if want.forward:
            paras += para("forward")
            traps.append("cites_other_numbers")
        elif want.doc_type == "work_summary":
            paras += para("summary")
        elif want.doc_type == "commendation":
            paras += para("commendation")
        elif want.doc_type == "award":
            paras += para("award")
        elif want.doc_type == "research_project":
            paras += para("research")
        elif want.doc_type == "pilot_designation":
            paras += para("pilot")
        elif want.doc_type == "other":
            paras += para("other")
        else:
            opening = rng.choice(bodies["opening"])
            if "{cited}" in opening:
                traps.append("cites_other_numbers")
            paras.append(fill(opening, values))
            paras += para("sections")
            if want.level == "county" and want.doc_type in ("development_plan", "work_plan") and (
                    want.higher or rng.random() < 0.7):
                paras += para("higher_levels")
                traps.append("mentions_higher_levels")
        if want.doc_type in ("commendation", "award", "research_project", "pilot_designation"):
            header = ["序号", "单位", "项目名称", "等级" if grade else "类别"]
            rows = [["1", subject, work, grade or stage if want.doc_type == "research_project" else grade or "试点"]]
            for n in range(2, rng.randint(3, 6)):
                rows.append([str(n), rng.choice(county.schools), rng.choice(book["works"]), rows[0][3]])
            tables.append(TableSpec(caption="附件", header=header, rows=rows))
    elif layout == "certificate":
        paras += para("research_cert" if want.doc_type == "research_project" else "certificate")
        serial, style_trap = serial_number(rng, issuer.prefix if issuer else None, d.year,
                                           "结" if want.doc_type == "research_project" else "证")
        if style_trap:
            traps.append("serial_in_docnumber_style")
        seal = printed
        traps.append("certificate_serial_not_docnumber")
    elif layout == "approval_form":
        paras += para("slip")
        serial, style_trap = serial_number(rng, None, d.year, "批")
        leader = f"{issuer.name} {person(rng)}"
        traps.append("approval_slip_leader_level")
    elif layout == "press":
        paras += para("media")
        masthead = f"{printed} {format_date(d, 'arabic')} 第{rng.randint(1, 8)}版"
        traps.append("media_outlet_level")
    elif layout == "minutes":
        paras += para("minutes")
        doc_number = minutes_number(rng, d.year)
        traps.append("minutes_issue_number")
    elif layout == "contract":
        paras += para("contract")
        serial, _ = serial_number(rng, None, d.year, "合")
        traps.append("contract_serial_not_docnumber")
    if want.level == "school" and want.doc_type in ("award", "commendation"):
        traps.append("school_level_award")

    if layout == "long_text" and "统计表" in title and rng.random() < 0.6:
        fmt = "xlsx"  # statistics as applicants hand them in: a spreadsheet
        tables.append(TableSpec(header=["学校名称", "班级数", "多媒体教室覆盖率"],
                                rows=[[s, str(rng.randint(12, 48)), f"{rng.randint(60, 100)}%"]
                                      for s in rng.sample(county.schools, min(3, len(county.schools)))]))
        traps.append("statistics_xlsx")
    dated = want.dated or rng.random() > 0.06
    date_printed = None
    if dated:
        style = pick_date_style(rng, layout)
        date_printed = format_date(d, style)
        if style in DATE_TRAPS:
            traps.append(DATE_TRAPS[style])
    else:
        traps.append("undated")
    if fmt in ("pdf_scan", "image_scan"):
        traps.append("image_only")
    if fmt in ("docx_textbox", "docx_header", "pdf_faux_bold", "pdf_justified", "pdf_two_column", "pdf_rotated",
               "doc", "wps"):
        traps.append(f"format_{fmt}")

    ext = EXT.get(fmt, ".pdf")
    names = book["file_names"]
    if rng.random() < 0.15:
        file_name = fill(rng.choice(names["misleading"]), values)
        traps.append("misleading_file_name")
    else:
        file_name = fill(rng.choice(names["plain"]), dict(values, title=title)) + ext
    file_name = file_name.replace("/", "／")
    signature = printed if layout not in ("press", "approval_form") else None
    if layout == "contract":
        signature = f"甲方：{printed}（盖章）  乙方：{values['company']}（盖章）"
    spec = DocSpec(id=doc_id, file_name=file_name, layout=layout, format=fmt, issuer_printed=printed or "",
                   doc_number_printed=doc_number, serial_number=serial, date_printed=date_printed, title=title,
                   recipients=recipients, paragraphs=paras, tables=tables, signature=signature, cc=cc,
                   masthead=masthead, leader=leader, seal_text=seal,
                   pages_hint=rng.randint(2, 4) if layout == "long_text" else 1)
    label_grade = grade if want.doc_type in ("award", "research_project") else None
    if want.doc_type == "research_project" and stage == "立项":
        label_grade = None
    case_key = want.case_key
    if case_key is None and want.doc_type in ("award", "research_project", "commendation", "pilot_designation"):
        case_key = f"{subject}·{work}" if want.doc_type in ("award", "research_project") else None
    label_subject = subject if (issuer is None or issuer.level != "national" or want.doc_type not in (
        "development_plan", "work_plan", "regulation", "work_summary")) else None
    labels = Labels(id=doc_id, path=file_name, doc_type=want.doc_type, level=want.level,
                    issuer=printed if layout != "approval_form" else issuer.name,
                    doc_number=doc_number, date=d if dated else None, award_grade=label_grade,
                    subject=label_subject, title=title, case_key=case_key,
                    hard_cases=list(dict.fromkeys(traps)), text=full_text(spec))
    return spec, labels


def full_text(spec: DocSpec) -> str:
    """The document's text in reading order, as the renderers print it."""
    parts = [spec.masthead, spec.issuer_printed if spec.layout == "red_header" else None, spec.doc_number_printed,
             spec.title, spec.serial_number and f"编号：{spec.serial_number}", spec.leader, spec.recipients,
             *spec.paragraphs]
    for t in spec.tables:
        parts += [t.caption, " ".join(t.header)] + [" ".join(r) for r in t.rows]
    parts += [spec.signature, spec.seal_text, spec.date_printed, spec.cc]
    return "\n".join(p for p in parts if p)
