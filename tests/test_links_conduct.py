"""Links: the government's own conduct is answered by the government's own chapter.

Synthetic work reports: a difficulties paragraph whose last sentence names the failings of
the government's people, a plan of economic chapters and a chapter on the government itself
(``pipeline.analysis.links_conduct``).
"""

from __future__ import annotations

import pytest

from pipeline.analysis.links import link_units, problem_clauses
from pipeline.analysis.links_conduct import MAY, NEVER, ONLY, conduct_kind, own_chapters
from tests.test_links import C, P, pairs, report

PLAN = [
    (1, C, "三、", "今年重点工作", ""),
    (2, C, "（一）", "加快科技创新步伐", "加强科技创新平台建设，推动创新成果转化，培育创新型企业"),
    (2, C, "（二）", "推进产业转型升级", "改造提升传统产业，壮大先进制造业集群，做强实体经济"),
    (2, C, "（三）", "保障和改善民生", "办好教育医疗养老，完善社会保障，办好民生实事"),
]
OWN = [
    (1, C, "四、", "全面加强政府自身建设", "坚持依法行政，改进工作作风，提升服务效能"),
    (2, C, "（一）", "坚持依法行政", "严格规范公正文明执法，自觉接受各方面监督"),
    (2, C, "（二）", "持续改进作风", "力戒形式主义、官僚主义，大兴实干之风，狠抓工作落实"),
]
# the same chapter nested by the layout under the plan's last measure
NESTED = [
    (3, C, "", "完成全年任务，必须把政府自身建设得更加坚强有力",
     "改进工作作风，力戒形式主义，提升服务效能"),
]


def _difficulties(*problems: str):
    return [(1, P, "", "我们也清醒认识到，主要是", ""),
            *((2, P, "", problem, "") for problem in problems)]


@pytest.mark.parametrize(("problem", "kind"), [
    ("一些干部创新意识不够强", ONLY),  # the government's people: theirs whatever the words
    ("政府工作人员担当作为还不够", ONLY),
    ("形式主义、官僚主义仍然存在", ONLY),  # only concepts of the government's conduct
    ("政府职能转变还不到位", MAY),  # conduct and reform (放管服)
    ("政策执行还不够有力", ONLY),
    ("有的工作推进偏慢", MAY),  # no concept at all: anyone's
    ("科技创新能力不强", NEVER),  # the economy's
    ("传统产业转型升级任务繁重", NEVER),
])
def test_the_conduct_kind_of_a_problem(problem, kind):
    unit = report("kind", _difficulties(problem))[1]
    assert conduct_kind(unit, unit) == kind


def test_each_item_of_a_cadre_sentence_shares_its_subject():
    unit = report("items", _difficulties("政府系统一些干部创新意识不足、发展紧迫感不强"))[1]
    parts = problem_clauses(unit)
    assert [p.headline for p in parts] == ["政府系统一些干部创新意识不足", "发展紧迫感不强"]
    assert {conduct_kind(unit, p) for p in parts} == {ONLY}


@pytest.mark.parametrize("problem", ["一些干部创新意识不够强", "形式主义、官僚主义仍然存在",
                                     "政府工作人员担当作为还不够"])
def test_a_failing_of_the_government_is_answered_by_its_own_chapter(problem):
    units = report("own", [*_difficulties(problem), *PLAN, *OWN])
    found = pairs(link_units(units), units)
    assert (problem, "全面加强政府自身建设") in found
    own = {"全面加强政府自身建设", "坚持依法行政", "持续改进作风"}
    assert {target for _, target in found} <= own


def test_the_chapter_nested_by_the_layout_still_answers():
    units = report("nested", [*_difficulties("一些干部形式主义作风仍然存在"), *PLAN, *NESTED])
    assert [c.headline for c in own_chapters([u for u in units if u.label == C])] == [
        "完成全年任务，必须把政府自身建设得更加坚强有力"]
    assert pairs(link_units(units), units) == {
        ("一些干部形式主义作风仍然存在", "完成全年任务，必须把政府自身建设得更加坚强有力")}


@pytest.mark.parametrize("problem", ["科技创新能力不强", "传统产业转型升级任务繁重"])
def test_the_own_chapter_answers_no_problem_of_the_economy(problem):
    own = [(1, C, "四、", "全面加强政府自身建设",
            "加快科技创新和产业转型升级，政府要当好服务员，推动传统产业改造")]
    units = report("economy", [*_difficulties(problem), *PLAN, *own])
    targets = {target for _, target in pairs(link_units(units), units)}
    assert targets and "全面加强政府自身建设" not in targets


def test_without_an_own_chapter_cadre_problems_are_linked_as_before():
    # a survey of cadres has no chapter on the government: its measures answer by topic
    rows = [*_difficulties("一些干部担当作为不够"),
            (1, C, "三、", "对策建议", ""),
            (2, C, "（一）", "激励干部担当作为", "完善考核激励，为担当者担当"),
            (2, C, "（二）", "加强教育培训", "提升干部专业能力")]
    units = report("survey", rows)
    assert ("一些干部担当作为不够", "激励干部担当作为") in pairs(link_units(units), units)


def test_the_sub_item_of_the_own_chapter_that_answers_best_is_named():
    units = report("sub", [*_difficulties("形式主义、官僚主义仍然存在"), *PLAN, *OWN])
    assert pairs(link_units(units), units) == {
        ("形式主义、官僚主义仍然存在", "全面加强政府自身建设"),
        ("形式主义、官僚主义仍然存在", "持续改进作风")}


@pytest.mark.parametrize("scene", ["一些干部在从严治党的形势下", "在看到成绩的同时",
                                   "在新的发展要求下"])
def test_a_clause_that_sets_the_scene_is_no_part(scene):
    sentence = f"{scene}，担当作为还不够，创新能力不强"
    unit = report("scene", _difficulties(sentence))[1]
    assert [p.headline for p in problem_clauses(unit)] == ["担当作为还不够", "创新能力不强"]


@pytest.mark.parametrize(("headline", "own"), [
    ("全面加强政府自身建设", True),
    ("努力建设人民满意的服务型政府", True),
    ("新的任务考验着各级政府的担当和执行力", True),  # the government with its conduct
    ("推动政府运行更加规范高效，力戒形式主义", True),
    ("用好政府投资，扩大有效需求", False),  # the government, but no conduct
    ("持续改进作风", False),  # conduct, but whose? (a sub-item of the chapter)
])
def test_a_plan_unit_on_the_governments_own_conduct(headline, own):
    units = report("chapter", [(1, C, "四、", headline, "")])
    assert bool(own_chapters(units)) is own


@pytest.mark.parametrize(("clause", "kind"), [
    ("创新意识和担当精神需要增强", ONLY),  # may be conduct, in a sentence on its people
    ("调查研究还不够深入", ONLY),  # no concept, in a sentence on its people
    ("政务服务和营商环境有待优化", NEVER),  # the business environment: another subject
])
def test_a_clause_of_a_sentence_on_the_governments_people(clause, kind):
    unit = report("people", _difficulties(f"一些政府工作人员市场化思维不够牢，{clause}"))[1]
    part = next(p for p in problem_clauses(unit) if p.headline == clause)
    assert conduct_kind(unit, part) == kind
