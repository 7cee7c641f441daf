"""The tagger on genres beside the 调研报告: government work reports, audit reports, surveys.

Each class of case has a table of SYNTHETIC text written for these tests (none of it is
copied from a real report); the last test scores the tagger against the hand-written gold
on the development part of the real reports in ../shared and skips when they are absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.records import UnitSpan
from pipeline.tagging import (
    inputs_from_spans,
    section_labels,
    seed_examples,
    silver_examples,
    train_classifier,
)
from pipeline.tagging.inputs import heading_number, restart_frames, run_leadins
from pipeline.tagging.rules import (
    admits_problems,
    cue_counts,
    dated_title_label,
    pattern_label,
)
from pipeline.tagging.silver import nearest_context_labels
from pipeline.text.vocab import normalise_for_match as normalize
from tests.conftest import REAL_DEV, REPO, SHARED
from tests.tagging_support import labels_of, seed_classifier, unit

# ---------------------------------------------------------------- review and plan sections

PLAN_REVIEW_TITLES = [
    # a government report's review of the past year or five years
    ("2024年工作回顾", "practice"),
    ("过去五年工作回顾", "practice"),
    ("2024年工作和“十四五”发展回顾", "practice"),
    ("2024年主要工作和“十四五”发展成就", "practice"),
    # … and its plan for the coming year or five years
    ("“十五五”时期主要目标任务", "countermeasure"),
    ("今后五年的总体要求和目标任务", "countermeasure"),
    ("2025年重点工作", "countermeasure"),
    ("2013年工作安排", "countermeasure"),
    ("“十五五”时期主要目标和重大举措", "countermeasure"),
    ("“十五五”时期工作的主要考虑", "countermeasure"),
    ("规划纲要部署的主要任务举措", "countermeasure"),
    # what was done about an audit's findings
    ("审计整改情况", "practice"),
]


@pytest.mark.parametrize(("title", "label"), PLAN_REVIEW_TITLES)
def test_review_and_plan_titles(title, label):
    assert section_labels(title) == (label,)


@pytest.mark.parametrize(("title", "year", "label"), [
    ("2026年主要工作", 2026, "countermeasure"),  # a year's work in that year's report: its plan
    ("关于2026年工作", 2026, "countermeasure"),
    ("2025年工作", 2026, "practice"),  # last year's: its review
    ("2026年主要工作", None, None),  # without the report's year, nothing to compare
    ("2026年主要工作的几点考虑和建议", 2026, None),  # not a bare year's work
])
def test_a_year_s_work_is_read_against_the_report_s_year(title, year, label):
    assert dated_title_label(title, year) == label


def test_review_children_are_practice_and_plan_children_countermeasure():
    review, plan = ("一、2024年工作回顾",), ("三、2025年重点工作",)
    items = [
        # the same verbs open both; the section decides
        unit("着力加强民生建设", "新增养老床位3000张，建成社区食堂40家。", review),
        unit("加快推进产业升级", "规上工业增加值增长6.2%，新增专精特新企业35家。", review),
        unit("着力加强民生建设", "要新增养老床位3000张，建成社区食堂40家。", plan),
        unit("加快推进产业升级", "力争规上工业增加值增长6%，培育专精特新企业30家。", plan),
    ]
    assert labels_of(items, seed_classifier()) == [
        "practice", "practice", "countermeasure", "countermeasure"]


def test_plan_target_phrased_as_an_achievement_stays_countermeasure():
    plan = ("二、“十五五”时期主要目标任务",)
    target = "（一）产业体系建设取得决定性进展"
    items = [
        unit(target, "要坚持制造业当家，打造三个千亿级产业集群。", plan),
        unit("培育壮大新兴产业", "加快发展新能源、新材料产业。", (*plan, target),
             kind="para"),
    ]
    assert labels_of(items, seed_classifier()) == ["countermeasure", "countermeasure"]


# ---------------------------------------------------------------- restarted numbering

RESTART_TEXT = (
    "一、2024年工作回顾\n（一）经济运行稳中有进\n全年完成投资80亿元。\n"
    "（二）民生保障持续加强\n新增就业岗位1.2万个。\n"
    "二、2025年重点工作\n（一）加快产业升级\n要培育新兴产业。\n（二）办好民生实事\n要新建学校3所。\n"
)


def restart_spans(misplaced: bool) -> list[UnitSpan]:
    """The outline of RESTART_TEXT as a parser may get it wrong: "二、…" nested under the
    last （二） of section 一 (misplaced) or missed altogether, so the second run of
    （一）（二） hangs under "一、2024年工作回顾"."""
    text = RESTART_TEXT
    second = text.index("二、2025")
    spans = [
        UnitSpan(0, len(text), 1, "一、", "2024年工作回顾", "heading", None),
        UnitSpan(text.index("（一）经济"), text.index("（二）民生"), 2, "（一）",
                 "经济运行稳中有进", "heading", 0),
        UnitSpan(text.index("（二）民生"), text.index("（一）加快"), 2, "（二）",
                 "民生保障持续加强", "heading", 0),
    ]
    if misplaced:
        spans.append(UnitSpan(second, text.index("（一）加快"), 3, "二、", "2025年重点工作",
                              "heading", 2))
    spans += [
        UnitSpan(text.index("（一）加快"), text.index("（二）办好"), 2, "（一）", "加快产业升级",
                 "heading", 0),
        UnitSpan(text.index("（二）办好"), len(text), 2, "（二）", "办好民生实事", "heading", 0),
    ]
    return spans


@pytest.mark.parametrize(("marker", "number"), [
    ("一、", (0, 1)), ("（三）", (1, 3)), ("(十二)", (1, 12)), ("4.", (2, 4)), ("（5）", (3, 5)),
    ("一是", None), ("", None),
])
def test_heading_number(marker, number):
    assert heading_number(marker) == number


@pytest.mark.parametrize("misplaced", [True, False])
def test_a_restarted_run_is_not_framed_by_the_section_before(misplaced):
    spans = restart_spans(misplaced)
    frames = restart_frames(spans)
    restarted = [i for i, span in enumerate(spans)
                 if span.headline in ("加快产业升级", "办好民生实事")]
    assert sorted(frames) == restarted
    expected_frame = 3 if misplaced else None  # the misplaced "二、" frames them when present
    assert {frames[i] for i in restarted} == {expected_frame}
    items = inputs_from_spans(RESTART_TEXT, spans)
    contexts = [nearest_context_labels(item) for item in items]
    assert [contexts[i] for i in restarted] == [("countermeasure",) if misplaced else ()] * 2
    labels = dict(zip((s.headline for s in spans), labels_of(items, seed_classifier()),
                      strict=True))
    assert labels["经济运行稳中有进"] == labels["民生保障持续加强"] == "practice"
    if misplaced:
        assert labels["加快产业升级"] == labels["办好民生实事"] == "countermeasure"


def test_enumerations_restart_in_every_paragraph():
    text = "二、对策建议\n一是加强培训。二是完善考核。\n一是加大投入。二是优化布局。"
    spans = [UnitSpan(0, len(text), 1, "二、", "对策建议", "heading", None)]
    for first in ("一是加强", "二是完善", "一是加大", "二是优化"):
        start = text.index(first)
        spans.append(UnitSpan(start, start + 7, 2, first[:2], first[2:], "enum", 0))
    assert restart_frames(spans) == {}
    assert set(labels_of(inputs_from_spans(text, spans))) == {"countermeasure"}


# ---------------------------------------------------------------- background

BACKGROUND_TITLES = [
    "调研时间与过程", "调研方法与对象", "调研对象", "调研目的与意义", "问卷分析",
    "激发基层干部活力的现实意义", "推进农村改厕的必要性和紧迫性", "编者按",
    "一般公共预算收支执行情况", "受访者基本情况",
]


@pytest.mark.parametrize("title", BACKGROUND_TITLES)
def test_survey_significance_and_accounts_titles_are_background(title):
    assert section_labels(title) == ("background",)


def test_children_of_a_situation_section_stay_background():
    situation = ("一、全县教师队伍基本情况",)
    items = [
        unit("队伍结构不断优化", "35岁以下教师占比提高到32%，近三年累计培训2000人次。", situation),
        unit("学历层次明显提升", "本科以上学历教师达到1800名，较五年前增加600名，要继续保持。",
             situation),
        unit("近年来，县委县政府大力实施人才强县战略", "先后出台了引才育才政策12项。", situation,
             kind="para"),
    ]
    assert labels_of(items, seed_classifier()) == ["background"] * 3


def test_a_case_narrative_or_an_editor_s_note_sets_the_scene():
    items = [
        unit("案例一：某镇一名村干部在换届考察中表现突出", "考察组走访了30名群众。", position=0.3,
             kind="para"),
        unit("【编者按】近年来各地积极探索基层治理新路径", position=0.02, kind="para"),
    ]
    assert labels_of(items) == ["background", "background"]


# ---------------------------------------------------------------- statements that name their label

STATEMENT_TABLE = [
    # a period characterised
    ("2024年是全面深化改革的关键之年", "background"),
    ("过去的一年，是极不平凡的一年", "background"),
    ("“十四五”时期，全县发展历程极不平凡", "background"),
    ("今年是“十五五”开局之年", "background"),
    # the whole economy's totals over the year (a target is not one)
    ("2023年，全区地区生产总值完成120.5亿元，同比增长6.1%", "background"),
    ("一年来，全县经济社会发展稳中向好", "background"),
    ("地区生产总值增长5%左右", None),
    # the state of the world
    ("当前，世界经济复苏乏力，外部环境更趋复杂", "background"),
    # the mandate and method of a report
    ("根据审计法的规定，区审计局对区本级预算执行情况进行了审计", "background"),
    ("受县人大常委会委托，调研组于5月开展了专题调研", "background"),
    ("在县委的统一部署下，县委党校组织开展了问卷调查", "background"),
    ("为全面了解乡村教师队伍现状，调研组采取座谈、问卷等方式开展调研", "background"),
    ("随着人口老龄化加快，养老服务需求快速增长", "background"),
    ("乡村教师是发展乡村教育的关键力量", "background"),
    ("关于乡村养老服务体系建设的调研报告", "background"),
    # a review told as what was done
    ("过去一年，我们坚持稳中求进工作总基调", "practice"),
    ("一年来，县审计局坚持依法审计", "practice"),
    ("2023年以来，县医保局围绕群众就医难题，扎实推进改革", "practice"),
    # none of these
    ("近年来，某县围绕养老服务开展了一系列探索", None),  # the opening of a report
    ("要加强干部队伍建设", None),
    ("教师流失是当前最突出的问题", None),
]


@pytest.mark.parametrize(("headline", "label"), STATEMENT_TABLE)
def test_statement_patterns(headline, label):
    assert pattern_label(headline) == label


def test_a_statement_outweighs_its_section():
    review, plan = ("一、2024年工作回顾",), ("二、2025年工作安排",)
    items = [
        unit("2024年是全县发展极不平凡的一年", "我们攻坚克难，完成投资80亿元。", review,
             kind="para"),
        unit("2025年是“十五五”开局之年", "做好今年工作意义重大。", plan, kind="para"),
        unit("过去一年，我们扎实开展作风建设", "整改问题120个，查处违规违纪问题30起。", review,
             kind="para"),
    ]
    assert labels_of(items, seed_classifier()) == ["background", "background", "practice"]


def test_a_copula_statement_is_not_a_section_title():
    assert section_labels("人才问题是关系全县发展的关键问题") == ()
    assert section_labels("存在的主要问题") == ("problem",)


@pytest.mark.parametrize(("title", "labels"), [
    ("有力有效防范化解重点领域风险", ()),  # a remedy, though 风险 ends it
    ("防控经济金融风险", ()),
    ("守牢安全生产底线", ()),
    ("乡村振兴面临的风险", ("problem",)),
])
def test_remedies_of_a_risk_are_not_problem_titles(title, labels):
    assert section_labels(title) == labels


# ---------------------------------------------------------------- admitted shortcomings

@pytest.mark.parametrize(("sentence", "admits"), [
    ("我们也清醒认识到，发展中还存在一些困难和问题", True),
    ("同时也要看到，工作中还有不少短板", True),
    ("在肯定成绩的同时，我们也清醒地看到差距", True),
    ("全面总结过去的一年，我们清醒地认识到发展不足", True),
    ("我们要看到成绩来之不易", False),
    ("我们取得了显著成效", False),
])
def test_admits_problems(sentence, admits):
    assert admits_problems(sentence) is admits


ADMISSION_TEXT = (
    "一、2024年工作回顾\n全年完成投资80亿元，新增就业1.2万人。\n"
    "同时，我们也清醒认识到，发展中还存在一些困难和问题。主要是：有效需求仍然不足，"
    "部分企业经营困难；公共服务还有短板，群众就医仍不方便；少数干部担当意识不强。\n"
)
SECOND_SENTENCE_TEXT = (
    "一、2024年工作回顾\n全年完成投资80亿元，新增就业1.2万人。\n"
    "五年来，受多重因素影响，2项指标未能如期完成。我们清醒认识到，一些矛盾亟待破解。"
    "有效需求仍然不足，重点项目储备不够；公共服务还有短板；少数干部担当意识不强。\n"
)


@pytest.mark.parametrize("text", [ADMISSION_TEXT, SECOND_SENTENCE_TEXT])
def test_an_admission_frames_the_clauses_after_it_as_problems(text):
    para_start = text.index("同时" if "同时" in text else "五年来")
    clauses = ["有效需求仍然不足", "公共服务还有短板", "少数干部担当意识不强"]
    spans = [
        UnitSpan(0, len(text), 1, "一、", "2024年工作回顾", "heading", None),
        UnitSpan(text.index("全年"), para_start, 2, "", "全年完成投资80亿元", "para", 0),
        UnitSpan(para_start, len(text), 2, "", text[para_start:].split("。")[0], "para", 0),
    ]
    for clause in clauses:  # one clause unit each, separated by ，/；
        start = text.index(clause)
        end = min(i for i in (text.find("；", start), text.find("。", start), len(text)) if i > 0)
        spans.append(UnitSpan(start, end, 3, "", text[start:end].split("，")[0], "clause", 2))
    labels = labels_of(inputs_from_spans(text, spans), seed_classifier())
    assert labels[1] == "practice"
    assert labels[2:] == ["problem"] * (1 + len(clauses))


# ---------------------------------------------------------------- lead-ins held by a unit

def test_dash_lines_go_on_what_the_paragraph_before_them_opened():
    text = ("审计结果表明，2024年全县各部门认真落实预算法，财政运行总体平稳。\n"
            "——财政收入稳步增长，全年完成一般公共预算收入20亿元。\n"
            "——民生保障有力，民生支出占比达到80%。\n")
    spans, cursor = [], 0
    for line in text.splitlines(keepends=True):
        headline = line.strip().split("，")[0]
        spans.append(UnitSpan(cursor, cursor + len(line), 1, "", headline, "para", None))
        cursor += len(line)
    assert labels_of(inputs_from_spans(text, spans), seed_classifier()) == ["practice"] * 3


def test_a_paragraph_unit_may_hold_the_lead_in_of_the_headings_after_it():
    text = ("近年来，某县把高标准农田建设作为重要抓手，其主要做法是：\n"
            "一、坚持规划引领\n县里编制了建设规划。\n二、坚持多元投入\n县财政每年安排配套资金。\n")
    first, second = text.index("一、"), text.index("二、")
    spans = [
        UnitSpan(0, first - 1, 1, "", "近年来，某县把高标准农田建设作为重要抓手", "para", None),
        UnitSpan(first, second, 1, "一、", "坚持规划引领", "heading", None),
        UnitSpan(second, len(text), 1, "二、", "坚持多元投入", "heading", None),
    ]
    labels = labels_of(inputs_from_spans(text, spans), seed_classifier())
    assert labels[1:] == ["practice", "practice"]


# ---------------------------------------------------------------- audit findings

def test_audit_findings_are_problems():
    counts = cue_counts(normalize("区教育局违规发放津补贴12万元，挤占挪用专项资金80万元，"
                                  "未按规定公开"))
    assert counts["problem"] >= 3
    findings = ("二、审计发现的主要问题",)
    items = [
        # narrative about what units did, with figures: still a finding
        unit("部分单位预算执行不严格", "区农业局将专项资金120万元用于日常办公支出；"
             "区卫健局超范围列支会议费8万元。", findings),
        unit("审计发现，3个单位虚报冒领补贴资金共计45万元", "相关资金已全部追回。",
             kind="para", position=0.6),
    ]
    assert labels_of(items, seed_classifier()) == ["problem", "problem"]


# ---------------------------------------------------------------- gold on real reports

GOLD_DIR = REPO / "tests" / "gold"


def _dev_documents() -> list[tuple[Path, dict]]:
    """(file, gold annotation) of the short excerpts' and web openings' development part."""
    heldout = set()
    for split_path in GOLD_DIR.glob("split-*.json"):
        heldout |= set(json.loads(split_path.read_text("utf-8"))["heldout"])
    found = []
    for name, folder in (("short-excerpts.json", "short-excerpts"),
                         ("web-openings.json", "web-openings")):
        docs = json.loads((GOLD_DIR / name).read_text("utf-8"))["docs"]
        found += [(REAL_DEV / folder / doc_name, annotation)
                  for doc_name, annotation in sorted(docs.items()) if doc_name not in heldout]
    return found


def test_dev_excerpts_and_web_openings_match_gold():
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared/corpus absent")
    jieba = pytest.importorskip("jieba")
    from pipeline import readers
    from pipeline.text import clean as cleaning
    from pipeline.text.outline import parse_outline

    jieba.setLogLevel(60)
    cut = jieba.Tokenizer().lcut
    documents = []
    for path, annotation in _dev_documents():
        text = cleaning.clean(readers.read_file(path).text).text
        spans = parse_outline(text)
        items = inputs_from_spans(text, spans, tokenize=cut, year=annotation.get("year"))
        documents.append((spans, items, annotation["items"]))
    silver = [pair for _, items, _ in documents for pair in silver_examples(items)]
    classifier = train_classifier(silver + seed_examples(cut))
    hits = []
    for spans, items, gold in documents:
        labels = labels_of(items, classifier)
        keys = [normalize(span.marker + span.headline) for span in spans]
        for item in gold:
            matches = [i for i, key in enumerate(keys) if normalize(item["key"]) in key]
            if matches:
                best = min(matches, key=lambda i: len(keys[i]))
                hits.append((item["label"], labels[best]))
    assert len(hits) >= 40
    accuracy = sum(gold == predicted for gold, predicted in hits) / len(hits)
    assert accuracy >= 0.9, hits


@pytest.mark.parametrize(("gap", "leadin"), [
    ("全年完成投资80亿元。政府工作中仍存在一些不足。主要是：",
     "政府工作中仍存在一些不足，主要是："),
    ("产生上述问题的原因主要有：", "产生上述问题的原因主要有："),
    ("我们清醒认识到，一些矛盾亟待破解。", "我们清醒认识到，一些矛盾亟待破解"),
    ("全年完成投资80亿元。", ""),
])
def test_run_leadins(gap, leadin):
    text = gap + "一是有效需求不足。"
    spans = [UnitSpan(len(gap), len(text), 1, "一是", "有效需求不足", "enum", None)]
    assert run_leadins(text, spans) == [leadin]
