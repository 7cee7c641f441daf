"""Links: the classes of misses fixed for issue 11, each on synthetic reports.

- a year plan named as the start of a five-year plan (开好局、起好步) and a five-year plan
  whose headline names no period (一张蓝图绘到底, read with its opening sentence);
- the items under a list's lead-in (主要预期目标是 → 城镇新增就业50万人) answer nothing;
- each item of an enumeration in a problem clause is answered on its own;
- a problem with no answer takes the plan chapter of its concept family, when one stands out.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.analysis.links import LinkOptions, link_units, multi_year_plans, problem_clauses
from pipeline.analysis.links_families import FAMILIES, answer_concepts_in, families_of
from pipeline.analysis.links_terms import is_multi_year_plan, normalise
from pipeline.analysis.textvec import concept_table
from tests.test_links import C, P, pairs, report


@pytest.mark.parametrize(("headline", "opening", "multi_year"), [
    ("“十五五”时期主要目标任务", "“十五五”时期是关键时期", True),
    ("2026年重点工作", "今年是“十五五”开局之年", False),
    # the year plan named as the five-year plan's start
    ("一鼓作气，全力推动“十五五”开好局、起好步", "2026年是“十五五”开局之年", False),
    ("“十五五”开局之年重点工作", "", False),
    # a headline naming no period is read with its opening sentence
    ("一张蓝图绘到底，奋力谱写现代化新篇章", "“十五五”时期是基本实现现代化的关键时期", True),
    ("一张蓝图绘到底，奋力谱写现代化新篇章", "今年是实施规划的第一年", False),
    ("全面提升政府治理现代化水平", "开局“十五五”，实干为要", False),
    ("对策建议", "", False),
])
def test_a_plans_horizon_is_read_from_its_headline_or_else_its_opening(
        headline, opening, multi_year):
    assert is_multi_year_plan(headline, opening) is multi_year


def test_a_year_plan_named_as_the_start_of_five_years_is_the_one_answering():
    rows = [(1, P, "", "消费需求不足", ""),
            (1, C, "二、", "一张蓝图绘到底，奋力谱写现代化新篇章",
             "“十五五”时期是基本实现现代化的关键时期。"),
            (2, C, "（一）", "持续扩大消费需求", "培育新型消费，释放消费需求潜力"),
            (1, C, "三、", "一鼓作气，推动“十五五”开好局、起好步", "今年是“十五五”开局之年。"),
            (2, C, "（一）", "大力提振消费需求", "开展消费品以旧换新，释放消费需求潜力")]
    units = report("start", rows)
    headline = {u.unit_id: u.headline for u in units}
    assert {headline[i] for i in multi_year_plans(units)} == {
        "一张蓝图绘到底，奋力谱写现代化新篇章"}
    assert pairs(link_units(units), units) == {("消费需求不足", "大力提振消费需求")}


@pytest.mark.parametrize("goal", ["城镇新增就业50万人，城镇调查失业率控制在5%左右",
                                  "居民就业和收入稳步增长"])
def test_the_items_under_a_lead_in_answer_nothing(goal):
    rows = [(1, P, "", "群众就业和增收难度加大", ""),
            (1, C, "三、", "今年重点工作", ""),
            (2, C, "", "今年经济社会发展的主要预期目标是", ""),
            (3, C, "", goal, ""),
            (2, C, "（一）", "全力促进高质量充分就业",
             "稳定就业岗位，拓宽居民增收渠道，支持高校毕业生、退役军人和农民工等重点群体创业就业"),
            (2, C, "（二）", "大力提振消费",
             "开展消费品以旧换新，培育消费新场景新业态，扩大文化旅游、养老托育和家政等服务消费"),
            (2, C, "（三）", "扩大有效投资",
             "加快重大项目建设，用好超长期特别国债和地方政府专项债券，激发民间投资活力和内生动力")]
    # a preamble is shorter than the measures it introduces (see list_lead_ins)
    units = report("goals", rows)
    assert pairs(link_units(units), units) == {("群众就业和增收难度加大", "全力促进高质量充分就业")}


@pytest.mark.parametrize(("headline", "parts"), [
    ("县域经济、民营经济、海洋经济发展活力不足", ["县域经济", "民营经济", "海洋经济发展活力不足"]),
    ("交通出行、污染防治等方面还有弱项", ["交通出行", "污染防治等方面还有弱项"]),
    # a sentence of clauses: the enumeration within one of them is split too
    ("有效需求不足，教育、医疗等公共服务还有短板",
     ["有效需求不足", "教育", "医疗等公共服务还有短板"]),
    ("有效需求不足", []),  # one clause, no enumeration
    ("消费需求不足，财政收支矛盾突出", ["消费需求不足", "财政收支矛盾突出"]),
])
def test_the_items_of_an_enumeration_in_a_problem_clause_are_parts(headline, parts):
    unit = replace(report("enum", [(1, P, "", headline, "")])[0], text=headline)
    assert [part.headline for part in problem_clauses(unit)] == parts
    unsplit = problem_clauses(unit, split_enumerations=False)
    assert all("、" not in part.headline or "、" in headline for part in unsplit)


def test_each_item_of_an_enumeration_is_answered_by_its_own_measure():
    rows = [(1, P, "", "县域经济、海洋经济发展活力不足", ""),
            (1, C, "三、", "今年重点工作", ""),
            (2, C, "（一）", "发展壮大县域经济", "壮大县域主导产业，推进以县城为载体的城镇化"),
            (2, C, "（二）", "加快建设海洋经济强省", "发展海洋渔业和临港产业，建设现代化港口"),
            (2, C, "（三）", "大力提振消费", "开展消费品以旧换新，培育消费新场景")]
    units = report("items", rows)
    found = pairs(link_units(units), units)
    assert found == {("县域经济、海洋经济发展活力不足", "发展壮大县域经济"),
                     ("县域经济、海洋经济发展活力不足", "加快建设海洋经济强省")}
    unsplit = link_units(units, LinkOptions(split_enumerations=False))
    assert len(pairs(unsplit, units)) == 1


def test_families_group_existing_concepts_only():
    known = set(concept_table())
    assert {c for concepts in FAMILIES.values() for c in concepts} <= known
    assert families_of({"industry"}) == {"industry"}
    assert families_of({"enterprises"}) == {"industry", "reform_and_opening"}
    assert families_of({"promotion", "care"}) == frozenset()  # cadre concepts: no family


# A plan's chapters, each of one policy domain; the problems name other concepts of the
# domain than the chapters' headlines do (产业 in the problem, 新旧动能 in the headline).
CHAPTERS = [
    (1, C, "三、", "今年重点工作", ""),
    (2, C, "（一）", "加快新旧动能转换",
     "推动产业升级，壮大先进制造业集群，培育主导产业，支持产业园区提档升级，"
     "做强实体经济和产业链条"),
    (2, C, "（二）", "扩大消费需求", "开展消费品以旧换新，培育消费新场景，扩大服务消费"),
    (2, C, "（三）", "保障和改善民生", "办好教育医疗养老，完善社会保障，办好民生实事"),
]


@pytest.mark.parametrize(("rows", "expected"), [
    # no term and no concept of the problem in any headline: its domain's chapter answers
    ([(1, P, "", "我们也清醒认识到，主要是", ""), (2, P, "", "产业基础仍然薄弱", "")],
     {("产业基础仍然薄弱", "加快新旧动能转换")}),
    # a problem of no domain keeps no answer
    ([(1, P, "", "我们也清醒认识到，主要是", ""), (2, P, "", "一些工作协调配合不够", "")],
     set()),
])
def test_a_problem_with_no_answer_takes_the_chapter_of_its_concept_family(rows, expected):
    units = report("family", [*rows, *CHAPTERS])
    links = link_units(units)
    assert pairs(links, units) == expected
    assert all(any(r.startswith("family ") for r in link.reasons) for link in links)
    assert link_units(units, LinkOptions(family_evidence=0.0)) == []


def test_no_chapter_is_guessed_when_two_of_the_domain_score_alike():
    # two industry chapters, each naming the problem's concept as often: no clear best
    rows = [(1, P, "", "我们也清醒认识到，主要是", ""), (2, P, "", "产业基础仍然薄弱", ""),
            (1, C, "三、", "今年重点工作", ""),
            (2, C, "（一）", "加快新旧动能转换", "推动产业升级，做强产业链条"),
            (2, C, "（二）", "推动转型升级", "推动产业升级，做强产业链条"),
            (2, C, "（三）", "保障和改善民生", "办好教育医疗养老，完善社会保障")]
    units = report("tie", rows)
    assert link_units(units) == []
    assert link_units(units, LinkOptions(fallback_margin=1.01)) != []


@pytest.mark.parametrize("problem", ["服务贸易规模偏小", "受关税上调影响，出口企业订单减少"])
def test_trade_is_opening_up(problem):
    # trade named without 外贸 or 出口 (服务贸易, 关税) is still the opening chapter's matter
    rows = [(1, P, "", "我们也清醒认识到，主要是", ""), (2, P, "", problem, ""),
            (1, C, "三、", "今年重点工作", ""),
            (2, C, "（一）", "扩大高水平对外开放", "稳外资，建设自由贸易试验区，拓展国际市场"),
            (2, C, "（二）", "保障和改善民生", "办好教育医疗养老，完善社会保障")]
    assert "opening" in answer_concepts_in(normalise(problem))
    units = report("trade", rows)
    assert pairs(link_units(units), units) == {(problem, "扩大高水平对外开放")}
