"""Tests of metadata extraction: title, authors, year, placeholders, region."""

import csv
import json
from pathlib import Path

import pytest

from pipeline import readers
from pipeline.outputs.evaluate import title_matches
from pipeline.records import Region
from pipeline.text.clean import clean
from pipeline.text.metadata import (
    MetadataOptions,
    extract_metadata,
    find_title,
    find_year,
    has_placeholders,
    parse_names,
)
from tests.conftest import GOLD, PROVINCES, REPO, SEEDS

MARKER = "【合成样例】本文为 diaoyan 自拟的示例报告，非真实文本。"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["关于社区养老服务的调研报告", "一、基本情况"], "关于社区养老服务的调研报告"),
        (["乡村振兴背景下村级组织建设的思考", "正文。"], "乡村振兴背景下村级组织建设的思考"),
        (["关于农村饮水安全调研报告近年来我县持续推进农村饮水工程建设，" + "成效明显" * 10 + "。"],
         "关于农村饮水安全调研报告"),
        (["一、存在的问题", "正文。"], None),
        (["近年来，各地持续推进基层治理改革，取得了一定成效，但仍存在一些问题。"], None),
        (["山区小学教师队伍现状", "正文。"], "山区小学教师队伍现状"),  # short bare first line
        (["张 三  李 四", "正文。"], None),  # an author line is not a title
    ],
)
def test_find_title(lines, expected):
    assert find_title(lines) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("王 五  赵 六  钱 七", ("王五", "赵六", "钱七")),
        ("孔 一 曹 二 严 三", ("孔一", "曹二", "严三")),  # single spaces, even count: pairs
        ("张三 李四", ("张三", "李四")),
        ("王小明、赵六、欧阳晓东", ("王小明", "赵六", "欧阳晓东")),
        ("李 小 明", ("李小明",)),  # three lone characters: one name
        ("市委组织部课题组", ()),
        ("一、基本情况", ()),
        ("调研 报告", ()),  # not surnames
        ("孙七 2021年6月", ("孙七",)),
    ],
)
def test_parse_names(line, expected):
    assert parse_names(line) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("关于河道治理的调研报告\n作者：周一 吴二\n正文。", ("周一", "吴二")),
        ("关于河道治理的调研报告\n（执笔：郑三、王四）\n正文。", ("郑三", "王四")),
        ("关于河道治理的调研报告\n课题组成员：冯五，陈六，褚七\n正文。", ("冯五", "陈六", "褚七")),
        ("关于河道治理的调研报告\n县委政研室课题组\n正文。", ("县委政研室课题组",)),  # corporate
        ("关于河道治理的调研报告\n杨 八  朱 九\n正文。", ("杨八", "朱九")),
        ("近年来河道治理成效明显。\n一、主要做法\n正文。", ()),
    ],
)
def test_authors(text, expected):
    assert extract_metadata(text).authors == expected


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        ("正文。", "2021年度基层减负情况调研报告", 2021),
        ("关于某事的调研报告\n正文。\n二〇一九年十月", None, 2019),
        ("关于某事的调研报告\n2020年6月\n正文。", None, 2020),
        # years merely named in the body are not the report's year
        ("2016年以来累计投入资金。2018 年以来成效明显。力争到2030年全面完成。", None, None),
        ("没有年份的正文。共有3000人，编号2099。", None, None),
        ("1985年建厂，至今已有多年。", None, None),  # out of range
    ],
)
def test_find_year(text, title, expected):
    assert find_year(text, title) == expected


YEAR_CASES = [
    # a speech's subtitle, also wrapped over two lines; body years do not count
    ("subtitle", "政府工作报告\n——2031年2月3日在某省第九届人民代表大会第三次会议上\n"
     "到2035年基本实现目标。2029年成绩显著。", "政府工作报告", 2031),
    ("wrapped_subtitle", "政府工作报告\n——2031年2月3日在某省第九届\n人民代表大会第三次会议上\n"
     "2029年成绩显著。", "政府工作报告", 2031),
    ("meeting_line_without_dash",
     "2031年11月22日在某市十七届人大常委会第十六次会议上\n正文。", None, 2031),
    ("notice_date", "关于甲的审计结果\n（二〇二九年十二月三十日公告）\n正文。", None, 2029),
    ("dated_team_line", "关于甲的调研报告\n某局调研组2030年11月\n正文。", None, 2030),
    # a page's posting or comment stamp is not the report's year
    ("post_stamp", "关于甲的研究报告\n2030年8月17日23:55:20关于甲的研究报告已关闭评论\n正文。",
     "关于甲的研究报告", None),
    ("third_party_page_time", "关于甲的调研报告\n来源：党建材料时间：2030-06-19 12:10:03\n正文。",
     None, None),
    ("file_name_year",
     "2030年关于甲的调研报告 .pdf\n《2030年关于甲的调研报告 .pdf》由会员分享\n正文。", None, None),
    # a public body's own page: its publication date
    ("official_page",
     "关于甲的调查报告\n来源：某市统计局发布日期：2030-05-05 16:00访问量：\n正文。", None, 2030),
    # the survey's own dates, not spans or points of reference
    ("survey_date", "关于甲的调研报告\n2030年7月，调研组走访了5个乡镇。", None, 2030),
    ("survey_period", "关于甲的调研报告\n调研时间为2029年11月23日至29日。", None, 2029),
    ("since_is_not_the_survey",
     "关于甲的调研报告\n据调查，自2016年以来累计开展考察百余次。", None, None),
    ("year_end_is_not_the_survey",
     "关于甲的调研报告\n据调查，2015年末总人口一万余人。", None, None),
]


@pytest.mark.parametrize(("text", "title", "expected"), [c[1:] for c in YEAR_CASES],
                         ids=[c[0] for c in YEAR_CASES])
def test_year_classes(text, title, expected):
    assert find_year(text, title) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X县去年新招录公务员", True),
        ("XX乡共有村民小组", True),
        ("×××同志反映", True),
        ("覆盖率达到**%", True),
        ("开展“**”专项行动", True),
        ("某某村党支部书记", True),
        ("某县财政困难", True),
        ("据某乡镇干部介绍", False),  # 某乡镇: plain usage
        ("配备了XXL号服装和Windows XP电脑", False),
        ("型号为X200的设备", False),
        ("某些地方存在问题", False),
    ],
)
def test_placeholders(text, expected):
    assert has_placeholders(text) is expected


def test_extract_metadata_synthetic():
    text = (
        f"{MARKER}\n关于张掖市临泽县农村人居环境整治的调研报告\n吴 甲  郑 乙\n"
        "2022年5月，调研组走访了全县各乡镇。临泽县共有行政村若干个，X村为试点。\n"
        "一、基本情况\n全县累计改厕数量稳步增长。"
    )
    meta = extract_metadata(text)
    assert meta.title == "关于张掖市临泽县农村人居环境整治的调研报告"
    assert meta.authors == ("吴甲", "郑乙")
    assert meta.year == 2022
    assert meta.placeholders is True
    assert meta.region == Region("甘肃省", "张掖市", "临泽县", "620723")


def test_title_hint_is_a_fallback():
    text = "关于甲的调研报告\n正文。"
    assert extract_metadata(text, title_hint="站点标题", options=MetadataOptions()).title == (
        "关于甲的调研报告")
    assert extract_metadata("正文。", title_hint="站点标题").title == "站点标题"


def _seed(prefix):
    paths = sorted(SEEDS.glob(f"{prefix}*.txt")) if SEEDS.exists() else []
    if not paths:
        pytest.skip("shared seed corpus not available")
    return paths[0]


@pytest.mark.parametrize(("prefix", "placeholders"), [("000_", False), ("003_", True)])
def test_seed_metadata_without_title(prefix, placeholders):
    meta = extract_metadata(_seed(prefix).read_text(encoding="utf-8"))
    assert (meta.title, meta.authors, meta.placeholders) == (None, (), placeholders)


def test_seed_metadata_against_gold():
    path = _seed("002_")
    gold_path = GOLD
    if not gold_path.exists():
        pytest.skip("shared gold not available")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["docs"][path.name]
    meta = extract_metadata(path.read_text(encoding="utf-8"))
    assert meta.title == gold["title"]
    assert list(meta.authors) == gold["authors"]
    assert (meta.region.province or "") + (meta.region.city or "") == gold["region"]
    assert meta.placeholders is False


@pytest.fixture(scope="module")
def province_reports():
    """Metadata of every provincial government work report of 2026, read and cleaned as
    ingest does, with the publisher's row of SOURCES.tsv and our gold, if any."""
    if not (PROVINCES / "SOURCES.tsv").is_file():
        pytest.skip("../shared/corpus/provinces-2026 not present")
    with (PROVINCES / "SOURCES.tsv").open(encoding="utf-8") as handle:
        sources = {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}
    gold_path = REPO / "tests" / "gold" / "provinces-2026.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["docs"]
    reports = {}
    for name, row in sources.items():
        extracted = readers.read_file(PROVINCES / name)
        cleaned = clean(extracted.text, title_hint=extracted.title)
        meta = extract_metadata(cleaned.text, title_hint=cleaned.title_hint, source_name=name)
        reports[name] = (meta, row, gold.get(name))
    return reports


def _acceptable_titles(row: dict, gold: dict | None) -> set[str]:
    """Our gold title; the publisher's title (the fuller site headline is an acceptable
    reading) and, for reports without gold, its tail as printed (政府工作报告)."""
    titles = {row["title"]}
    if gold and gold.get("title"):
        titles.add(gold["title"])
    elif not gold:
        titles |= {row["title"][i:] for i in range(len(row["title"]))
                   if row["title"][i:].startswith(("政府工作报告", f"{row['year']}年政府工作报告"))}
    return titles


def test_province_reports_get_their_province_only_their_title_and_year(province_reports):
    wrong = []
    for name, (meta, row, gold) in sorted(province_reports.items()):
        region = meta.region
        if (region.province, region.city, region.county) != (row["province"], None, None):
            wrong.append((name, "region", region))
        if meta.title not in _acceptable_titles(row, gold) and not (
                gold and title_matches(meta.title, gold)):
            wrong.append((name, "title", meta.title))
        if meta.year != 2026:
            wrong.append((name, "year", meta.year))
    assert not wrong, wrong


def test_province_reports_cover_every_province_once(province_reports):
    provinces = [meta.region.province for meta, _, _ in province_reports.values()]
    assert len(provinces) == len(set(provinces)) == len(province_reports)
    assert all(Path(name).stem.split("_")[1] == meta.region.province
               for name, (meta, _, _) in province_reports.items())
