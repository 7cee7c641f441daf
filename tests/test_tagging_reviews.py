"""The tagger on the classes behind the held-out misses of issue 9: difficulty paragraphs in
a review, reviews and plans told as statements, survey and situation sections, audit reports.

Every table holds SYNTHETIC text written for these tests (none of it is copied from a
real report).
"""

from __future__ import annotations

import pytest

from pipeline.records import UnitSpan
from pipeline.tagging import (
    TagInput,
    inputs_from_spans,
    section_labels,
)
from pipeline.tagging.rules import admits_problems, pattern_label
from pipeline.tagging.silver import leadin_sentence_labels
from tests.tagging_support import labels_of, seed_classifier, unit


def spans_of(text: str, parts: list[tuple[str, str, str, int | None]]) -> list[UnitSpan]:
    """Spans for (headline, kind, marker, parent index) found in ``text`` in order; each
    runs to the start of the next one at its level or above (a child stays inside its parent)."""
    starts, cursor = [], 0
    for headline, _kind, marker, _parent in parts:
        cursor = text.index(marker + headline, cursor)
        starts.append(cursor)
    spans = []
    for index, (headline, kind, marker, parent) in enumerate(parts):
        depth = 0 if parent is None else 1 + (parts[parent][3] is not None)
        end = len(text)
        for later in range(index + 1, len(parts)):
            later_parent = parts[later][3]
            later_depth = 0 if later_parent is None else 1 + (parts[later_parent][3] is not None)
            if later_depth <= depth:
                end = starts[later]
                break
        spans.append(UnitSpan(starts[index], end, depth + 1, marker, headline, kind, parent))
    return spans


# ---------------------------------------------------------------- difficulty paragraphs in a review

@pytest.mark.parametrize(("sentence", "admits"), [
    ("成绩来之不易，问题也不容忽视", True),
    ("农村饮水安全隐患依然不容忽视", True),
    ("同时，全县经济社会发展还面临一些困难和挑战，主要是", True),
    ("当前，我们的工作仍存在不少短板和不足", True),
    ("政府自身建设也有一些差距", True),
    # a remedy or a plan that names difficulties is not an admission
    ("针对仍存在一些问题的村，要加强跟踪指导", False),
    ("我们要帮助企业解决还面临的一些困难", False),
    ("全年新增就业1.2万人，成效明显", False),
])
def test_difficulty_sentences_admit_problems(sentence, admits):
    assert admits_problems(sentence) is admits


ENUM_DIFFICULTIES = (
    "一、2024年工作回顾\n全年完成投资80亿元，新增就业1.2万人。\n"
    "成绩来之不易，问题也不容忽视。一是产业结构偏重，新兴产业规模小。"
    "二是科技创新投入不足，企业研发能力弱。三是公共服务还需改善，群众办事仍不方便。\n"
    "二、2025年重点工作\n（一）加快产业升级\n要培育新兴产业。\n"
)
CLAUSE_DIFFICULTIES = (
    "一、2024年工作回顾\n全年完成投资80亿元，新增就业1.2万人。\n"
    "同时，全县发展还面临一些困难和挑战，主要是：产业转型任务仍然艰巨，创新能力不够强，"
    "城乡发展不够平衡。\n"
    "二、2025年重点工作\n（一）加快产业升级\n要培育新兴产业。\n"
)


def _labels_of(items: list[TagInput]) -> list[str]:
    return labels_of(items, seed_classifier())


def test_a_difficulty_paragraph_frames_its_enumeration_as_problems():
    text = ENUM_DIFFICULTIES
    parts = [
        ("2024年工作回顾", "heading", "一、", None),
        ("全年完成投资80亿元，新增就业1.2万人", "para", "", 0),
        ("成绩来之不易，问题也不容忽视", "para", "", 0),
        ("产业结构偏重，新兴产业规模小", "enum", "一是", 2),
        ("科技创新投入不足，企业研发能力弱", "enum", "二是", 2),
        ("公共服务还需改善，群众办事仍不方便", "enum", "三是", 2),
        ("2025年重点工作", "heading", "二、", None),
        ("加快产业升级", "heading", "（一）", 6),
    ]
    labels = _labels_of(inputs_from_spans(text, spans_of(text, parts), year=2025))
    assert labels == ["practice", "practice", "problem", "problem", "problem", "problem",
                      "countermeasure", "countermeasure"]


def test_a_difficulty_lead_in_frames_the_clauses_after_it_as_problems():
    text = CLAUSE_DIFFICULTIES
    parts = [
        ("2024年工作回顾", "heading", "一、", None),
        ("全年完成投资80亿元，新增就业1.2万人", "para", "", 0),
        ("同时，全县发展还面临一些困难和挑战，主要是", "para", "", 0),
        ("产业转型任务仍然艰巨", "clause", "", 2),
        ("创新能力不够强", "clause", "", 2),
        ("城乡发展不够平衡", "clause", "", 2),
    ]
    spans = spans_of(text, parts)
    for index in (3, 4):  # a clause ends at its comma
        spans[index] = UnitSpan(spans[index].start, spans[index].start + len(parts[index][0]),
                                3, "", parts[index][0], "clause", 2)
    labels = _labels_of(inputs_from_spans(text, spans, year=2025))
    assert labels == ["practice", "practice", "problem", "problem", "problem", "problem"]


# ---------------------------------------------------------------- reviews and plans as statements

RESULT_STATEMENTS = [
    # a review's headings tell results subject first
    ("一、干字当头，全县高质量发展取得新进展新成效", "practice"),
    ("（二）着力优化营商环境，市场主体活力明显增强", "practice"),
    ("（三）着力推进改革，先行先试富有成效", "practice"),
    ("一、经济运行保持总体平稳", "practice"),
    ("项目建设加快推进", "practice"),
    ("产业升级步伐加快", "practice"),
    ("基层治理能力有效提升", "practice"),
    # a plan names the deed first; a problem is not a result
    ("推动乡村振兴取得新成效", None),
    ("加快推进重点项目建设", None),
    ("努力在科技创新上实现新突破", None),
    ("坚持稳中求进，推动经济持续健康发展", None),
    ("经济下行压力持续加大", None),
    # a plan's slogans
    ("二、接续奋斗，奋力谱写县域现代化新篇章", "countermeasure"),
    ("三、凝心聚力，推动“十五五”开好局、起好步", "countermeasure"),
    # the year's review under its leaders, or an audit office's output
    ("在县委、县政府的领导下，全县审计工作坚持依法审计", "practice"),
    ("2024年，全县上下在县委坚强领导下，全面贯彻新发展理念", "practice"),
    ("全年共完成审计(调查)项目25个，查出问题120项", "practice"),
    ("2025年，我们要在县委坚强领导下，坚持稳中求进", None),
    # scene-setting before a survey, and the year's totals
    ("为深入贯彻落实全会精神，按照县委要求，调研组赴各乡镇开展专题调研", "background"),
    ("初步统计，2024年全县地区生产总值320.5亿元、增长5.2%", "background"),
    # a definition of the report's subject
    ("驻村第一书记，是由上级党组织选派到村开展帮扶工作的党员干部", "background"),
    ("关键，是要压实各级责任", None),
    ("上述预期目标，是充分考虑全县发展条件确定的", None),
    # a survey's finding that shows a shortfall is a problem; one without is not
    ("调查显示，超过六成受访农户不了解新型农村合作医疗的报销办法", "problem"),
    ("数据表明，全县养老机构入住率偏低", "problem"),
    ("调查显示，九成以上受访农户已参加新型农村合作医疗", None),
]


@pytest.mark.parametrize(("headline", "label"), RESULT_STATEMENTS)
def test_review_plan_and_mandate_statements(headline, label):
    assert pattern_label(headline) == label


def test_a_result_heading_frames_its_items_as_practice():
    review = "一、苦干实干，全县发展取得新成效"
    item = "（一）着力扩大有效投资，项目建设步伐加快"
    items = [
        unit(review, position=0.05),
        unit(item, "推动重大项目开工30个。", (review,)),
        # review items use a plan's verbs: the framing heading decides
        unit("产业发展提质增效", "加快建设产业园区，推动规上工业增加值增长7%。", (review, item),
             kind="para"),
        unit("着力加强民生保障", "新建幼儿园5所，推进老旧小区改造40个。", (review,)),
    ]
    assert _labels_of(items) == ["practice"] * 4


def test_a_result_heading_in_a_problem_section_stays_a_problem():
    problems = ("二、存在的主要问题",)
    items = [unit("（二）农村公路建设加快推进", "但部分路段管护缺位，群众反映强烈。", problems)]
    assert _labels_of(items) == ["problem"]


def test_targets_phrased_as_results_stay_countermeasures():
    text = ("二、今后五年的主要任务\n《规划纲要》明确了今后五年的发展目标："
            "一是县域经济实力明显增强，"
            "二是城乡融合发展迈上新台阶，三是群众生活品质不断提高。\n")
    lead = "《规划纲要》明确了今后五年的发展目标"
    targets = ["县域经济实力明显增强", "城乡融合发展迈上新台阶", "群众生活品质不断提高"]
    start = text.index(lead)
    spans = [UnitSpan(start, len(text), 1, "", lead, "para", None)]
    for number, target in zip("一二三", targets, strict=True):
        begin = text.index(number + "是" + target)
        spans.append(UnitSpan(begin, begin + 2 + len(target), 2, number + "是", target, "enum", 0))
    labels = _labels_of(inputs_from_spans(text, spans, year=2026))
    assert labels == ["countermeasure"] * 4


def test_a_plan_slogan_frames_its_items_as_countermeasures():
    plan = "三、凝心聚力，推动“十五五”开好局、起好步"
    items = [
        unit(plan, position=0.7),
        unit("（四）服务全县大局，促进城乡融合", "深入推进城乡融合发展。", (plan,), position=0.8),
    ]
    assert _labels_of(items) == ["countermeasure", "countermeasure"]


def test_a_scene_setting_sentence_before_the_review_of_the_year():
    items = [
        unit("2024年，困难超出预期、挑战前所未有",
             "一年来，我们坚持稳中求进，全力稳增长、保民生，完成了全年目标任务。",
             kind="para", position=0.02),
        unit("2025年是“十五五”开局之年", "一年来，我们坚持稳中求进。", kind="para",
             position=0.02),  # the first sentence names its label: background
    ]
    assert _labels_of(items) == ["practice", "background"]


# ---------------------------------------------------------------- survey and situation sections

@pytest.mark.parametrize("title", [
    "一、调查参与对象", "二、调查情况汇总", "1.接受部门调查情况", "二、某村发展情况",
    "（一）经济发展状况", "（二）村级组织运转情况", "〔内容提要〕", "内容摘要",
])
def test_survey_situation_and_abstract_titles_are_background(title):
    assert section_labels(title) == ("background",)


@pytest.mark.parametrize(("sentence", "labels"), [
    ("从调查情况看，全乡各村集体经济普遍薄弱，主要表现在以下几个方面：", ("problem",)),
    ("全县养老服务供给不足，具体表现为：", ("problem",)),
    ("近年来，全县乡村振兴工作扎实推进，主要表现在以下几个方面：", ()),
])
def test_a_list_shows_what_its_lead_in_said(sentence, labels):
    assert leadin_sentence_labels(sentence) == labels


def test_shortcomings_announced_in_a_situation_section_are_problems():
    text = ("二、全镇集体经济发展现状\n从调查情况看，全镇各村集体经济普遍薄弱，"
            "主要表现在以下两个方面：\n2.1集体经济底子薄弱\n多数村没有经营性收入。\n"
            "2.2发展不平衡\n近郊村与偏远村收入差距大。\n")
    parts = [
        ("全镇集体经济发展现状", "heading", "二、", None),
        ("集体经济底子薄弱", "heading", "2.1", 0),
        ("发展不平衡", "heading", "2.2", 0),
    ]
    labels = _labels_of(inputs_from_spans(text, spans_of(text, parts)))
    assert labels == ["background", "problem", "problem"]


# ---------------------------------------------------------------- audit reports

@pytest.mark.parametrize(("title", "labels"), [
    ("一、财政管理审计情况", ("problem",)),
    ("二、重点专项资金审计情况", ("problem",)),
    ("审计整改情况", ("practice",)),  # what was done about the findings
    ("一般公共预算收支执行情况", ("background",)),
])
def test_an_audit_s_account_holds_its_findings(title, labels):
    assert section_labels(title) == labels


def test_the_audits_under_an_audit_account_are_problems():
    account = "一、财政管理审计情况"
    items = [
        unit(account, position=0.2),
        unit("（一）区本级财政管理及决算草案审计",
             "组织对区本级预算执行情况进行审计，延伸抽查5个单位。", (account,)),
    ]
    assert _labels_of(items) == ["problem", "problem"]
