"""Where GB/T 9704 and the other genres put things: the title, the issuer as printed, the
newspaper masthead, the approval-slip leader. Plain functions over the extracted lines; each
returns the value with the rule and the quoted line that decided it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from classify.dates import parse_date
from classify.fields import lines_of
from records import Document

TITLE_END = re.compile(r"(通知|决定|通报|意见|方案|规划|纲要|计划|安排|要点|总结|小结|回顾|汇报|办法|细则|规定|规程|规范|"
                       r"制度|预案|守则|章程|准则|纪要|记录|议定事项|报告|函|批复|公示|公告|名单|清单|结果|说明|证明|"
                       r"统计表|一览表|协议|协议书|合同|合同书|证书|证明书|鉴定书|聘书|奖状|批示单|批示件|阅批件|呈批件|"
                       r"处理笺|呈阅单|（[^（）]{2,20}）|\([^()]{2,20}\))$")
SKIP = re.compile(r"^(.{0,30}文件|.*〔\d{4}〕.*号|.*\[\d{4}\].*号|.*【\d{4}】.*号|.*（\d{4}）.*号|编号[:：].*|签发人.*|"
                  r"[-—─_=━]+|第?\s*\d+\s*页|密级.*|特急|急件)$")
CERT_TITLES = ("荣誉证书", "获奖证书", "结题证书", "证书", "聘书", "奖状", "结项证书", "立项证书")
# a certificate's heading: a short line that is only the genre word (优秀成果证书, 获奖证明, 课题鉴定书)
CERT_HEADING = re.compile(r"^[\u4e00-\u9fa5]{0,8}(证书|证明书|证明|鉴定书|奖状|荣誉证|获奖证)$")
SLIP_HEADING = re.compile(r"(批示单|批示件|阅批件|呈批件|呈阅单|呈阅件|批办单|处理笺|阅示单|办理单)$")


def is_certificate_title(text: str) -> bool:
    """证书, 获奖证明, 项目结项鉴定证书 …: a heading of at most 12 characters with no 事由 (关于…的)."""
    compact = text.replace(" ", "").replace("\u3000", "")
    return compact in CERT_TITLES or (len(compact) <= 12 and "关于" not in compact and "的" not in compact
                                      and bool(CERT_HEADING.match(compact)))
MASTHEAD = re.compile(r"^(?P<outlet>[\u4e00-\u9fa5]{2,12}(报|日报|晚报|早报|时报|周刊|杂志|电视台|广播电视台|网))"
                      r"\s*(\d{4}年|\d{4}[.\-/]|第\s*\d+\s*[版期])")  # a bare '…报' line may be a title's tail (通报)
PAGE_LINE = re.compile(r"^(?P<outlet>[\u4e00-\u9fa5]{2,12}?)\s*\d{4}\s*[年.\-/]\s*\d{1,2}.{0,12}第\s*\d+\s*版")
ORGAN_END = re.compile(r"(局|厅|部|委|委员会|政府|办公室|办公厅|中心|协会|学会|研究会|馆|研究院|研究室|教研室|学校|小学|中学|"
                       r"幼儿园|大学|学院|报|公司)$")
NAME_AFTER_POST = re.compile(r"^(?P<post>.*?(书记|副?省长|副?市长|副?县长|副?区长|副?州长|副?旗长|主任|部长|厅长|局长|主席|"
                             r"委员|秘书长|常委))[\u4e00-\u9fa5]{2,3}$")
# where a body begins: the salutation (各…：), or a sentence opening with its basis or purpose
BODY_START = re.compile(r"^(?:各.{0,30}[:：]$|.{0,40}[:：]$|(?:根据|按照|依据|遵照|为了?|近日|近年来|本报讯|经研究|现将)"
                        r".*[，,。].*|(?:根据|按照|依据|遵照)[^关]*关于.*(?:精神|要求|部署|规定)$)")
# a newspaper byline, or a sentence: the title has ended before it
BYLINE = re.compile(r"^(?:本报记者|记者|通讯员|特约记者|文[/／]|图[/／]|来源[:：])")
DATE_LINE = re.compile(r"^[\d〇○Oo零一二三四五六七八九十年月日.\-/ ]{6,20}$")


@dataclass(frozen=True)
class Found:
    value: str
    rule: str
    quote: str
    page: int | None = 1
    confidence: float = 0.8


def _text_lines(doc: Document, limit: int | None = None) -> list[tuple[int, str]]:
    out = [(ln.page, ln.text.strip()) for ln in lines_of(doc) if ln.text.strip()]
    return out[:limit] if limit else out


def find_title(doc: Document) -> Found | None:
    lines = _text_lines(doc, 40)
    if not lines:
        return None
    for page, text in lines[:6]:
        if is_certificate_title(text):
            return Found(text.replace(" ", "").replace("\u3000", ""), "title:certificate_heading", text, page, 0.9)
        if SLIP_HEADING.search(text) and len(text) <= 16:
            return Found(text, "title:approval_form_heading", text, page, 0.9)
    start = None
    for i, (_, text) in enumerate(lines[:12]):
        if BODY_START.match(text):  # the body has begun: a 关于 from here on is cited, not the title
            break
        head = text[:text.find("关于")] if "关于" in text else ""
        if text.startswith("关于") or ("关于" in text[:24] and "《" not in head and not text.endswith("。")
                                       and len(text) <= 70 and not SKIP.match(text)):
            start = i
            break
    if start is None:
        for i, (_, text) in enumerate(lines[:12]):
            if (SKIP.match(text) or MASTHEAD.match(text) or PAGE_LINE.match(text) or DATE_LINE.match(text) or text.endswith(("：", "。"))
                    or len(text) > 70):
                continue
            if parse_date(text) and len(text) < 14:
                continue
            start = i
            break
    if start is None:
        return None
    page, title = lines[start]
    rule = "title:first_content_line"
    # a title broken across lines: join the next short lines until it ends like a title
    j = start + 1
    while j < len(lines) and not TITLE_END.search(title) and len(title) < 60:
        nxt = lines[j][1]
        if (nxt.endswith(("：", "。")) or nxt.startswith(("本报讯", "各", "根据", "为")) or BYLINE.match(nxt)
                or len(nxt) > 40):
            break
        title += nxt
        rule = "title:joined_lines"
        j += 1
    return Found(title, rule, title, page, 0.85 if TITLE_END.search(title) else 0.6)


def find_masthead(doc: Document) -> Found | None:
    for page, text in _text_lines(doc, 4):
        m = MASTHEAD.match(text)
        if m:
            return Found(m.group("outlet"), "issuer:masthead", text, page, 0.9)
        m = PAGE_LINE.match(text)
        if m:
            return Found(m.group("outlet"), "issuer:masthead_page_line", text, page, 0.8)
    return None


def find_minutes_organ(doc: Document) -> Found | None:
    """A 会议纪要's issuer is the organ named in its header: 'XX会议纪要' → XX."""
    for page, text in _text_lines(doc, 3):
        compact = text.replace(" ", "")
        for tail in ("会议纪要", "办公会议纪要", "纪要"):
            if compact.endswith(tail) and len(compact) - len(tail) >= 3:
                organ = compact[: -len(tail)]
                if ORGAN_END.search(organ):
                    return Found(organ, "issuer:minutes_header", text, page, 0.85)
    return None


def find_leader(doc: Document) -> Found | None:
    """The 批示领导 of an approval form: the post, without the person's name."""
    lines = _text_lines(doc, 40)
    for i, (page, text) in enumerate(lines):
        if text.startswith("批示领导"):
            value = text.split("：", 1)[1] if "：" in text else ""
            if not value and i + 1 < len(lines):
                value = lines[i + 1][1]
            value = value.strip()
            m = NAME_AFTER_POST.match(value) or _leader_post_then_name().match(value)
            post = m.group("post").strip() if m else value
            named = re.match(r"^[\u4e00-\u9fa5]{2,4}[（(](?P<post>[^）)]{2,20})[）)]$", value)  # 王建国（局长）
            if named:
                post = named.group("post")
                organ = _form_organ(lines)
                if organ and len(post) <= 4:  # a bare post: the organ is the form's own heading
                    post = organ + post
            if post:
                return Found(post, "issuer:approval_leader", value, page, 0.85)
    return None


@lru_cache(maxsize=1)
def _leader_post_then_name() -> re.Pattern:
    """Any leader title of level_titles.yaml followed by a person's name: 国务院副总理 刘某某 → 国务院副总理."""
    from classify.gazetteer import titles

    alt = "|".join(re.escape(t.title) for t in titles())  # longest first
    return re.compile(rf"^(?P<post>.*?(?:{alt}))\s*[\u4e00-\u9fa5·]{{2,4}}$")


def _form_organ(lines: list[tuple[int, str]]) -> str | None:
    """'瑞安市教育局领导批示单' → 瑞安市教育局."""
    for _, text in lines[:3]:
        m = re.match(r"^(?P<organ>.{3,30}?)(领导)?批示(单|件|呈阅单)?$", text.replace(" ", ""))
        if m and ORGAN_END.search(m.group("organ")):
            return m.group("organ")
    return None


def find_header_issuer(doc: Document) -> Found | None:
    """The red-header line: 'XX教育局文件' → XX教育局."""
    for page, text in _text_lines(doc, 3):
        compact = text.replace(" ", "")
        if compact.endswith("文件") and 4 <= len(compact) <= 40:
            return Found(compact[:-2], "issuer:red_header", text, page, 0.9)
    return None


def find_signature(doc: Document) -> Found | None:
    """The signing organ: the line(s) just above the last date at the end of the document."""
    lines = _text_lines(doc)
    tail = lines[-8:]
    for k in range(len(tail) - 1, 0, -1):
        page, text = tail[k]
        if DATE_LINE.match(text) and parse_date(text):
            prev = tail[k - 1][1]
            if 2 <= len(prev) <= 40 and not prev.endswith(("。", "：", "，")):
                return Found(prev, "issuer:signature", prev, tail[k - 1][0], 0.8)
    # undated: the last line that reads like an organ (a seal repeats it; serial numbers are skipped)
    for page, text in reversed(tail):
        if "编号" in text or text.endswith(("。", "：", "，")) or len(text) > 30:
            continue
        if ORGAN_END.search(text):
            return Found(text, "issuer:last_organ_line", text, page, 0.6)
    return None


PARTY_A = re.compile(r"^(?:甲\s*方(?:[（(][^:：（）()]{0,8}[)）])?|(?:采购人|采购单位|委托方|委托人|发包方|发包人|买方)"
                     r"\s*[（(]\s*甲\s*方\s*[)）])\s*[:：]\s*(?P<party>.+)$")
SEAL_NOTE = re.compile(r"[（(]\s*(?:盖章|签章|公章|签字|盖\s*章)?\s*[)）]?$")


def find_party_a(doc: Document) -> Found | None:
    """A contract's 甲方: 甲方：…, 甲方（采购人）：…, 采购人（甲方）：…; a name the line breaks is joined
    with its continuation, and the seal note （盖章） is dropped."""
    lines = _text_lines(doc, 30)
    for i, (page, text) in enumerate(lines):
        m = PARTY_A.match(text)
        if not m:
            continue
        party = m.group("party").strip()
        if i + 1 < len(lines) and not ORGAN_END.search(SEAL_NOTE.sub("", party)):
            nxt = lines[i + 1][1]
            if len(nxt) <= 24 and not re.search(r"[:：。，]", nxt) and not nxt.startswith(("乙", "丙")):
                party += nxt
        party = SEAL_NOTE.sub("", party).strip()
        if party:
            return Found(party, "issuer:contract_party_a", text, page, 0.85)
    return None


JOINT_SPLIT = re.compile(r"(人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|教育厅|教育局|教育体育局|"
                         r"社会事业局|部|市委|省委|县委|区委|党委|工委|教委|厅|局)$")


def split_joint(issuer: str) -> str:
    """Joint issuers printed without separation ('中共温州市委温州市人民政府') → space-separated,
    in printed order. A split is made only where the left part ends like an organ and the right
    part starts a new organ (中共…, a division's name, or a known national body)."""
    from classify.gazetteer import find_place

    issuer = issuer.strip()
    if " " in issuer or len(issuer) < 6:
        return re.sub(r"\s+", " ", issuer)
    parts, start = [], 0
    i = 3
    while i <= len(issuer) - 2:
        left, right = issuer[start:i], issuer[i:]
        if JOINT_SPLIT.search(left) and _starts_organ(right, find_place):
            parts.append(left)
            start = i
            i += 3
            continue
        i += 1
    parts.append(issuer[start:])
    return " ".join(parts)


def _starts_organ(text: str, find_place) -> bool:
    if text.startswith(("中共", "中国", "国家", "全国", "教育部", "财政部", "工业和信息化部", "中央")):
        return True
    place = find_place(text[:12])
    return place is not None and text.startswith(place.name) and len(text) > len(place.name) + 1


def find_labelled_issuer(doc: Document) -> Found | None:
    """Forms and statistics tables name their unit in a labelled field: 填报单位：…, 发文单位：…"""
    for page, text in _text_lines(doc, 12):
        m = re.match(r"^(填报单位|发文单位|发文机关|报送单位|制表单位)\s*[:：]\s*(.+)$", text)
        if m:
            return Found(m.group(2).strip(), "issuer:labelled_field", text, page, 0.85)
    return None
