"""The rubric file format: a closed set of rule kinds, validated strictly.

One YAML file per rubric under rubrics/data/. See rubrics/SCHEMA.md for the format in prose.
Unknown keys are errors; every clause has a `kind` from the closed set below.
"""

from __future__ import annotations

from datetime import date as Date
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from records.vocab import AssessedBy, DocType, Level


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(Strict):
    """Which evidence a clause (or a rate of a clause) accepts. Empty lists accept anything."""

    doc_types: list[DocType] = []
    levels: list[Level] = []
    min_level: Level | None = None
    grades: list[str] = []  # award_grade values
    issuer_any: list[str] = []  # issuer contains any of these
    issuer_none: list[str] = []  # issuer contains none of these
    cues_any: list[str] = []  # title, issuer or quote contains any of these
    cues_none: list[str] = []


class Window(Strict):
    """A time window relative to the evaluation date `as_of`."""

    years: int | None = None  # 近3年: date >= as_of minus N years (same day, inclusive)
    since: Date | None = None  # 2019年1月1日后: date >= since
    calendar_year: bool = False  # 本年度/当年度: same calendar year as as_of
    min_age_years: int | None = None  # 已实施一年以上: date <= as_of minus N years
    text: str = ""  # the source wording, e.g. 近3年

    @model_validator(mode="after")
    def _one_rule(self):
        if not (self.years or self.since or self.calendar_year or self.min_age_years):
            raise ValueError("window needs one of years, since, calendar_year, min_age_years")
        return self


class Rate(Strict):
    when: Match = Match()
    points: float = Field(ge=0)
    label: str = ""  # e.g. 省级, 一等奖


class Modifier(Strict):
    """Multiply an item's points when it matches, e.g. 结题获得优秀等级或课题获奖上浮50% → factor 1.5."""

    when: Match
    factor: float = Field(gt=0)
    text: str = ""


class Tier(Strict):
    min: float  # measure >= min earns points; tiers are tried from the highest min down
    points: float = Field(ge=0)


class Increment(Strict):
    """Above a tier: `points` more for every `each` units beyond `above` (四川 C1: +0.25 per scenario over 5)."""

    above: float
    each: float = Field(gt=0)
    points: float = Field(ge=0)


class Option(Strict):
    label: str
    min: float = Field(ge=0)
    max: float = Field(ge=0)


Measure = Literal["count", "schools", "value"]


class _ClauseBase(Strict):
    id: str
    text: str  # the clause's own wording, verbatim from the scoring rule
    assessed_by: AssessedBy = "documents"
    match: Match = Match()
    window: Window | None = None
    cap: float | None = Field(default=None, ge=0)
    requires: list[str] = []  # ids of clauses of the same indicator that must also have evidence (且…否则不得分)
    note: str = ""


class Presence(_ClauseBase):
    """有…得N分: points when at least one matching piece of evidence exists."""

    kind: Literal["presence"]
    points: float = Field(ge=0)


class PerItem(_ClauseBase):
    """Points per distinct item (by level/grade via rates), optional modifiers, cap, count-once."""

    kind: Literal["per_item"]
    points: float | None = Field(default=None, ge=0)  # a flat rate; or use rates
    rates: list[Rate] = []
    modifiers: list[Modifier] = []
    count_once: bool = False  # 同一案例只认定最高级 / 不累计: one item per case_key, the best one
    count_once_text: str = ""

    @model_validator(mode="after")
    def _rate_given(self):
        if self.points is None and not self.rates:
            raise ValueError("per_item needs `points` or `rates`")
        if self.points is not None and self.rates:
            raise ValueError("per_item takes `points` or `rates`, not both")
        return self


class Tiers(_ClauseBase):
    """A measure (count of items, count of schools, or a supplied value) mapped to points by tiers."""

    kind: Literal["tiers"]
    measure: Measure
    value: str | None = None  # the value's name when measure is "value"
    unit: str = ""
    tiers: list[Tier] = Field(min_length=1)
    increment: Increment | None = None

    @model_validator(mode="after")
    def _value_named(self):
        if self.measure == "value" and not self.value:
            raise ValueError("measure `value` needs `value` (the value's name)")
        return self


class Shortfall(_ClauseBase):
    """Full points at a target, minus `deduct` per unit short, never below zero (淮北 1.2, 3.1, 13.1)."""

    kind: Literal["shortfall"]
    measure: Measure
    value: str | None = None
    unit: str = ""
    target: float
    points: float = Field(ge=0)
    deduct: float = Field(gt=0)
    per: float = Field(default=1, gt=0)  # deduct per this many units short

    @model_validator(mode="after")
    def _value_named(self):
        if self.measure == "value" and not self.value:
            raise ValueError("measure `value` needs `value` (the value's name)")
        return self


class CompareAverage(_ClauseBase):
    """A value compared with a regional average: above / equal / below (宁夏 A2.1)."""

    kind: Literal["compare_average"]
    value: str
    average: str  # the name of the average's value
    above: float = Field(ge=0)
    equal: float = Field(ge=0)
    below: float = Field(ge=0)


class Proportional(_ClauseBase):
    """Points times a supplied ratio in [0, 1] (四川 C20: 按系统运用达标比例得分)."""

    kind: Literal["proportional"]
    value: str
    points: float = Field(ge=0)


class ReviewerRange(_ClauseBase):
    """A person grades within stated options or ranges (淮北 4.1 效果不明显得1-2分; 四川 C38)."""

    kind: Literal["reviewer_range"]
    options: list[Option] = Field(min_length=1)


class External(_ClauseBase):
    """A value supplied from outside the package (温州 B from the provincial index; 5.1–5.3 third party)."""

    kind: Literal["external"]
    value: str
    points: float = Field(ge=0)  # the most it can give


class Requirement(_ClauseBase):
    """Pass/fail: met or not met (温州 智慧校园 indicators); the wording may differ per track."""

    kind: Literal["requirement"]
    text_by_track: dict[str, str] = {}


Clause = Annotated[
    Union[Presence, PerItem, Tiers, Shortfall, CompareAverage, Proportional, ReviewerRange, External, Requirement],
    Field(discriminator="kind"),
]
CLAUSE_KINDS = ("presence", "per_item", "tiers", "shortfall", "compare_average", "proportional",
                "reviewer_range", "external", "requirement")


class Source(Strict):
    """The indicator's wording in the source document, verbatim."""

    content: str  # 指标内容 / 评价要素 / 三级指标
    scoring: str | None = None  # 评分说明 / 评分标准 / 赋分说明
    method: str | None = None  # 评价办法 / 验收方式 / 备注
    note: str | None = None  # our note on how the wording was read (merged cells, lost fonts …)


class Expects(Strict):
    """The evidence the indicator expects, for classification and for the reviewer."""

    doc_types: list[DocType] = []
    min_level: Level | None = None
    keywords: list[str] = []  # cue words that suggest a document supports this indicator


class Indicator(Strict):
    id: str
    title: str
    group: str  # id of the parent group
    max_score: float | None = Field(default=None, ge=0)  # None: pass/fail rubric, or capped only by its group
    mandatory: dict[str, bool] = {}  # track id → ▲ / 必要条件; key "default" where the rubric has no tracks
    mandatory_text: str | None = None  # the mark as written, e.g. ▲有少部分通用教室建成新型教学空间
    source: Source
    expects: Expects = Expects()
    clauses: list[Clause] = Field(min_length=1)
    window: Window | None = None  # default window for its clauses


class Group(Strict):
    id: str
    title: str  # as written, e.g. 一、机制保障（6分）
    parent: str | None = None
    max_score: float | None = Field(default=None, ge=0)
    cap: bool = False  # the group's points are capped at max_score (加分项 10 封顶, 引领性 10, A7 20)
    cap_text: str | None = None  # the cap's wording where the document states it apart, verbatim
    bonus: bool = False  # points beyond the base total


class Track(Strict):
    id: str
    name: str
    mandatory_count: int | None = None  # as the document states it


class PassRule(Strict):
    kind: Literal["all_mandatory_plus_optional", "min_total"]
    min_optional: int = 0
    min_total: float | None = None
    conditions_not_in_documents: list[str] = []  # verbatim conditions that documents cannot show
    text: str


class CountOnceAcross(Strict):
    """One case scores under one indicator only (淮北: 同一案例如符合多个指标要求，只取一项得分)."""

    text: str


class RubricSource(Strict):
    document: str  # title as published
    doc_number: str | None = None
    issuer: str | None = None
    date: Date | None = None
    seed: str | None = None  # file under ../shared/seeds
    note: str | None = None


class Rubric(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    version: str
    applicant: Literal["district", "county", "school"]
    scoring: Literal["points", "pass_fail"] = "points"
    source: RubricSource
    tracks: list[Track] = []
    default_track: str | None = None
    total_max: float = Field(ge=0)  # base total as the document states it (0 for pass/fail)
    bonus_max: float = Field(default=0, ge=0)
    pass_rule: PassRule | None = None
    count_once_across_indicators: CountOnceAcross | None = None
    groups: list[Group]
    indicators: list[Indicator] = Field(min_length=1)

    def track_ids(self) -> list[str]:
        return [t.id for t in self.tracks] or ["default"]

    def resolve_track(self, track: str | None) -> str:
        if track is None:
            return self.default_track or self.track_ids()[0]
        if track not in self.track_ids():
            raise ValueError(f"评价指标体系 {self.id} 没有类别 {track!r}；可选：{', '.join(self.track_ids())}")
        return track

    def group(self, gid: str) -> Group:
        for g in self.groups:
            if g.id == gid:
                return g
        raise KeyError(gid)

    def ancestors(self, gid: str | None) -> list[Group]:
        """The group and its parents, innermost first."""
        chain: list[Group] = []
        while gid is not None:
            g = self.group(gid)
            chain.append(g)
            gid = g.parent
        return chain

    def path(self, indicator: Indicator) -> list[str]:
        return [g.title for g in reversed(self.ancestors(indicator.group))]

    def is_bonus(self, gid: str | None) -> bool:
        return any(g.bonus for g in self.ancestors(gid))

    def indicator(self, iid: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == iid:
                return ind
        raise KeyError(iid)
