"""Links: a sub-item of a kept measure answers the concern the problem's headline names.

A problem's body may name neighbouring concerns (奖励方式单调, whose body mentions 容错 in
passing); a sub-item whose headline names only such another concern is not its answer when a
sibling names the headline's own (``links_families.of_its_concern``).
"""

from __future__ import annotations

import pytest

from pipeline.analysis.links import link_units
from pipeline.analysis.links_families import headline_concepts, of_its_concern
from tests.test_links import C, P, pairs, report


def _units(problem: str, subs: list[str]):
    rows = [(1, P, "", problem, ""), (1, C, "一、", "对策建议", ""),
            (2, C, "（一）", "健全奖励办法", ""),
            *[(3, C, f"{'一二三四'[i]}是", sub, "") for i, sub in enumerate(subs)]]
    units = report("concern", rows)
    return units[0], units[3:]


@pytest.mark.parametrize(("problem", "subs", "kept"), [
    # a sibling naming the headline's concept: the one naming only another is dropped
    ("奖励方式比较单调", ["用好容错免责办法", "多开展评优表彰", "按实绩拉开奖金差距"],
     ["多开展评优表彰"]),
    # a sibling naming no concept at all stays
    ("奖励方式比较单调", ["用好容错免责办法", "多开展评优表彰", "每月开一次座谈会"],
     ["多开展评优表彰", "每月开一次座谈会"]),
    # no sibling names the headline's concept: all stay
    ("奖励方式比较单调", ["用好容错免责办法", "每月开一次座谈会"],
     ["用好容错免责办法", "每月开一次座谈会"]),
    # a headline naming no concept: all stay
    ("有些事情推不动", ["用好容错免责办法", "多开展评优表彰"],
     ["用好容错免责办法", "多开展评优表彰"]),
])
def test_a_sub_item_of_another_concern_is_left_out(problem, subs, kept):
    source, candidates = _units(problem, subs)
    assert [t.headline for t in of_its_concern(source, candidates)] == kept


@pytest.mark.parametrize(("headline", "concept"), [
    ("奖励方式比较单调", "incentive"),
    ("用好容错免责办法", "fault_tolerance"),
    ("多开展评优表彰", "incentive"),
])
def test_the_concern_is_read_from_the_headline(headline, concept):
    assert concept in headline_concepts(_units(headline, [])[0])


def test_a_problem_whose_body_names_a_neighbouring_concern_keeps_to_its_own():
    rows = [(1, P, "二、", "存在问题", ""),
            (2, P, "（一）", "奖励方式比较单调",
             "目前主要靠发奖金，评优表彰的名额少，容错免责也很少用，有的同志怕干多错多"),
            (2, P, "（二）", "培训内容针对性不强", "培训课程偏理论，和岗位实际脱节，学了用不上"),
            (1, C, "三、", "对策建议", ""),
            (2, C, "（一）", "健全激励机制",
             "一是用好容错免责办法，明确免责情形，对受到不实反映的同志及时正名；"
             "二是多开展评优表彰，每年评选一批实绩突出的同志；三是按实绩拉开奖金差距"),
            (3, C, "一是", "用好容错免责办法，明确免责情形，对受到不实反映的同志及时正名", ""),
            (3, C, "二是", "多开展评优表彰，每年评选一批实绩突出的同志", ""),
            (3, C, "三是", "按实绩拉开奖金差距", ""),
            (2, C, "（二）", "改进培训方式", "按岗位需要设置培训课程，多用案例教学和现场教学"),
            (2, C, "（三）", "减少文山会海", "精简会议和文件，能合并的合并，能不开的不开")]
    units = report("concern-e2e", rows)
    answers = {t for s, t in pairs(link_units(units), units) if s == "奖励方式比较单调"}
    assert "健全激励机制" in answers
    assert not any(t.startswith("用好容错免责办法") for t in answers)
