"""The closed vocabularies of DESIGN.md §3, shared by every stage."""

from __future__ import annotations

from typing import Literal, get_args

DocType = Literal[
    "development_plan",
    "work_plan",
    "work_summary",
    "regulation",
    "approval_slip",
    "commendation",
    "award",
    "research_project",
    "pilot_designation",
    "media_report",
    "meeting_record",
    "contract",
    "other",
]
DOC_TYPES: tuple[str, ...] = get_args(DocType)

Level = Literal["national", "provincial", "municipal", "county", "school", "unknown"]
LEVELS: tuple[str, ...] = get_args(Level)

# Higher number = higher administrative level. "unknown" ranks below everything,
# so a minimum-level requirement is never met by an unknown level.
LEVEL_RANK: dict[str, int] = {
    "national": 5,
    "provincial": 4,
    "municipal": 3,
    "county": 2,
    "school": 1,
    "unknown": 0,
}

LEVEL_ZH: dict[str, str] = {
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "county": "县级",
    "school": "校级",
    "unknown": "级别不明",
}

DOC_TYPE_ZH: dict[str, str] = {
    "development_plan": "发展规划",
    "work_plan": "工作计划/实施方案",
    "work_summary": "工作总结",
    "regulation": "制度/管理办法",
    "approval_slip": "领导批示",
    "commendation": "表彰决定",
    "award": "获奖证书/名单",
    "research_project": "课题",
    "pilot_designation": "试点/示范认定",
    "media_report": "媒体报道",
    "meeting_record": "会议纪要/记录",
    "contract": "合同/协议",
    "other": "其他",
}

AwardGrade = Literal["特等奖", "一等奖", "二等奖", "三等奖", "优秀", "优秀奖", "良好", "合格"]
AWARD_GRADES: tuple[str, ...] = get_args(AwardGrade)

Status = Literal["scored", "no_evidence", "needs_review", "not_assessable"]
STATUSES: tuple[str, ...] = get_args(Status)

STATUS_ZH: dict[str, str] = {
    "scored": "已计分",
    "no_evidence": "无佐证",
    "needs_review": "待人工确认",
    "not_assessable": "材料无法判定",
}

# How a clause is assessed. Only "documents" is decidable from the package itself.
AssessedBy = Literal["documents", "platform", "third_party", "onsite", "reviewer"]
ASSESSED_BY: tuple[str, ...] = get_args(AssessedBy)

ASSESSED_BY_ZH: dict[str, str] = {
    "documents": "查看文件",
    "platform": "平台数据",
    "third_party": "第三方测评",
    "onsite": "实地查看",
    "reviewer": "评审认定",
}

ErrorCode = Literal[
    "encrypted",
    "corrupt",
    "empty",
    "unsupported_format",
    "too_large",
    "needs_ocr",
    "unsafe_path",
    "unsafe_archive",
    "timeout",
    "not_found",  # the package path does not exist (screening)
    "internal_error",  # screening a package raised: a bug or an I/O failure past the retries
]
