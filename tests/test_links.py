"""Links within one report: problem/cause units → the countermeasures that answer them.

Reports here are synthetic, written for these tests; the last test scores the real seeds
against the shared gold when ../shared is present.
"""

from __future__ import annotations

import functools
import json
import random
import re
from dataclasses import replace

import jieba
import pytest

from pipeline.analysis.links import (
    GraphUnit,
    Link,
    LinkOptions,
    corpus_idf,
    link_units,
    linkable_units,
)
from pipeline.analysis.links_gold import score_links

P, C, B = "problem", "countermeasure", "background"
CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}
WORDY_ORDINALS = {"首先": 1, "其次": 2, "一方面": 1, "另一方面": 2}


@functools.lru_cache(maxsize=1)
def _segmenter() -> jieba.Tokenizer:
    # A private tokenizer: the global jieba module stays untouched for other tests.
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def ordinal_of(marker: str) -> int | None:
    """一是 → 1, （三） → 3, 2. → 2, 首先 → 1, 十二、 → 12; None when unnumbered."""
    marker = marker.strip(" 、，,.．")
    if marker in WORDY_ORDINALS:
        return WORDY_ORDINALS[marker]
    if digits := re.search(r"\d+", marker):
        return int(digits.group())
    numeral = re.search(r"[一二三四五六七八九十]+", marker)
    if numeral is None:
        return None
    tens, _, ones = numeral.group().rpartition("十")
    if "十" not in numeral.group():
        return CN_DIGITS.get(ones)
    return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + CN_DIGITS.get(ones, 0)


def segment(text: str) -> tuple[str, ...]:
    """Content-ish words of a text, as the segment stage would give them."""
    return tuple(w for w in _segmenter().lcut(text) if re.search(r"[\u4e00-\u9fff]", w))


def report(doc_id: str, rows, place: str | None = None) -> list[GraphUnit]:
    """GraphUnits from rows (level, label, marker, headline, body); a unit's text holds its
    children's, like the spans the structure stage finds."""
    parents, stack = [], []
    for level, *_ in rows:
        while stack and stack[-1][0] >= level:
            stack.pop()
        parents.append(stack[-1][1] if stack else None)
        stack.append((level, len(parents) - 1))
    own = [marker + headline + "。" + body for _, _, marker, headline, body in rows]

    def full(index: int) -> str:
        kids = [i for i, p in enumerate(parents) if p == index]
        return "\n".join([own[index], *(full(k) for k in kids)])

    def top(index: int) -> int:
        return index if parents[index] is None else top(parents[index])

    units = []
    for index, (_, label, marker, headline, _) in enumerate(rows):
        parent = parents[index]
        text = full(index)
        units.append(GraphUnit(
            f"{doc_id}-{index:02d}", doc_id, None if parent is None else f"{doc_id}-{parent:02d}",
            label, marker, ordinal_of(marker), headline, text, segment(text), index,
            rows[top(index)][3], place))
    return units


def pairs(links, units) -> set[tuple[str, str]]:
    """(source headline, target headline) of each link."""
    headline = {u.unit_id: u.headline for u in units}
    return {(headline[k.source_unit], headline[k.target_unit]) for k in links}


PARALLEL = [
    (1, B, "一、", "基本情况", "全县共有乡镇干部一千二百人，近年来队伍结构不断优化"),
    (1, P, "二、", "存在问题", ""),
    (2, P, "一是", "人才引不进留不住", "年轻干部把乡镇当跳板，考走调走多，本地人才进不来"),
    (2, P, "二是", "干部能力跟不上", "面对产业发展和基层治理的新任务，不少干部本领恐慌"),
    (2, P, "三是", "干部不敢创新", "担心出错被问责，遇事层层请示，习惯照搬老办法"),
    (1, C, "三、", "对策建议", ""),
    (2, C, "一要", "抓好第一项工作", "这方面要形成长效机制，确保取得实效"),
    (2, C, "二要", "抓好第二项工作", "这方面要压实各方责任，确保落到实处"),
    (2, C, "三要", "抓好第三项工作", "这方面要加强统筹协调，确保形成合力"),
]


def test_parallel_numbered_lists_link_by_ordinal_even_without_shared_words():
    units = report("par", PARALLEL)
    links = link_units(units)
    assert pairs(links, units) == {
        ("人才引不进留不住", "抓好第一项工作"),
        ("干部能力跟不上", "抓好第二项工作"),
        ("干部不敢创新", "抓好第三项工作"),
    }
    assert all(link.reasons[0].startswith("ordinal ") for link in links)
    assert {link.reasons[0] for link in links} == {"ordinal 1/3", "ordinal 2/3", "ordinal 3/3"}


def test_section_headings_are_not_linked_and_no_countermeasures_means_no_links():
    units = report("none", PARALLEL[:5])
    assert link_units(units) == []
    headlines = {u.headline for u in linkable_units(report("par", PARALLEL))}
    assert "存在问题" not in headlines and "对策建议" not in headlines
    assert link_units([]) == []


TOPICAL = [
    (1, P, "一、", "存在的问题", ""),
    (2, P, "（一）", "乡镇干部工资待遇偏低",
     "工资收入不高，津贴补贴标准多年未调整，待遇与付出不相称"),
    (2, P, "（二）", "干部教育培训针对性不强", "培训内容与岗位需求脱节，培训形式单一，专题培训少"),
    (2, P, "（三）", "农村公路养护资金短缺",
     "部分村道年久失修，养护资金没有稳定来源，群众出行不便"),
    (1, C, "二、", "对策建议", ""),
    (2, C, "（一）", "改进干部教育培训", "按岗位需求设置培训内容，丰富培训形式，多办专题培训"),
    (2, C, "（二）", "提高乡镇干部待遇",
     "落实乡镇工作补贴，提高津贴补贴标准，让干部工资收入稳步增长"),
]


def test_lists_of_different_length_link_by_topic_and_leave_unanswered_problems_alone():
    units = report("topic", TOPICAL)
    assert pairs(link_units(units), units) == {
        ("乡镇干部工资待遇偏低", "提高乡镇干部待遇"),
        ("干部教育培训针对性不强", "改进干部教育培训"),
    }


AUDIT = [
    (1, P, "二、", "审计发现的主要问题", ""),
    (2, P, "（一）", "专项资金拨付不及时", "部分专项资金滞留在县级财政，拨付时间超过规定期限"),
    (2, P, "（二）", "专项资金违规用于日常支出", "个别单位将专项资金用于办公经费等日常支出"),
    (2, P, "（三）", "项目资金闲置", "已拨付的项目资金未按计划使用，形成资金闲置"),
    (2, P, "（四）", "政府采购程序不规范", "部分采购项目未履行公开招标程序，采购合同签订不规范"),
    (1, C, "三、", "审计建议", ""),
    (2, C, "（一）", "加强专项资金管理",
     "规范专项资金拨付和使用，及时拨付，严禁挪用于日常支出，盘活闲置资金"),
    (2, C, "（二）", "规范政府采购行为", "严格执行政府采购程序，依法公开招标，规范采购合同管理"),
]


def test_one_recommendation_may_answer_several_findings():
    units = report("audit", AUDIT)
    assert pairs(link_units(units), units) == {
        ("专项资金拨付不及时", "加强专项资金管理"),
        ("专项资金违规用于日常支出", "加强专项资金管理"),
        ("项目资金闲置", "加强专项资金管理"),
        ("政府采购程序不规范", "规范政府采购行为"),
    }


REFERENCE = [
    (1, P, "一、", "存在问题", ""),
    (2, P, "（一）", "村级后备力量断档", "不少村两委成员年龄偏大，四十岁以下的后备人选很少"),
    (2, P, "（二）", "集体经济收入薄弱", "多数村集体没有稳定收入来源，经营性收入不足五万元"),
    (1, C, "二、", "对策建议", ""),
    (2, C, "（一）", "实施头雁培育工程", "针对村级后备力量断档的问题，建议从返乡大学生中选拔培养"),
    (2, C, "（二）", "盘活村级资产", "通过入股合作、物业出租等方式增加村集体经营性收入"),
]


def test_an_explicit_reference_names_the_problem_it_answers():
    units = report("ref", REFERENCE)
    links = link_units(units)
    by_pair = {pair: link for pair, link in zip(
        [next(iter(pairs([k], units))) for k in links], links, strict=True)}
    answer = by_pair[("村级后备力量断档", "实施头雁培育工程")]
    assert any(reason.startswith("reference ") for reason in answer.reasons)
    assert ("集体经济收入薄弱", "盘活村级资产") in by_pair


def test_sub_items_of_an_answer_are_linked_only_when_they_answer_as_well():
    rows = [
        (1, P, "一、", "存在问题", ""),
        (2, P, "（一）", "乡镇干部工资待遇偏低", "工资收入不高，津贴补贴标准低"),
        (2, P, "（二）", "干部心理压力大", "督查检查多，干部长期加班，身心疲惫"),
        (1, C, "二、", "对策建议", ""),
        (2, C, "（一）", "加大关心关爱力度", "从待遇和身心两方面关心干部"),
        (3, C, "一是", "提高工资待遇", "落实津贴补贴，让干部工资收入稳步增长"),
        (3, C, "二是", "减轻心理压力", "精简督查检查，保障干部休假，缓解身心疲惫"),
    ]
    units = report("tree", rows)
    assert pairs(link_units(units), units) == {
        ("乡镇干部工资待遇偏低", "加大关心关爱力度"),
        ("乡镇干部工资待遇偏低", "提高工资待遇"),
        ("干部心理压力大", "加大关心关爱力度"),
        ("干部心理压力大", "减轻心理压力"),
    }


# A government work report: the difficulties paragraph lists short clauses; the year's
# plan answers them by theme under a heading made only of plan words.
WORK_REPORT = [
    (1, P, "", "我们也清醒认识到，全县发展中的难题依然不少，主要是", ""),
    (2, P, "", "有效需求不足", "居民消费意愿不强，社会投资增长乏力"),
    (2, P, "", "部分企业生产经营困难", ""),
    (2, P, "", "财政收支矛盾突出", ""),
    (2, P, "", "教育、医疗、养老等公共服务还有短板", ""),
    (1, C, "三、", "2026年重点工作", ""),
    (2, C, "", "政府工作的总体要求是",
     "扩大内需，提振消费，扩大有效投资，帮助企业纾困，加强财政资源统筹，保障和改善民生，"
     "办好教育、医疗、养老等民生实事"),
    (2, C, "（一）", "促进消费和投资良性互动",
     "开展消费品以旧换新，加快重大项目建设，释放内需潜力"),
    (2, C, "（二）", "全力帮助经营主体纾困解难", "落实减税降费，缓解中小微企业融资难"),
    (2, C, "（三）", "加强财政资源统筹", "严控一般性支出，兜牢基层三保底线"),
    (2, C, "（四）", "加大保障和改善民生力度",
     "办好人民满意的教育，健全养老服务体系，提升医疗服务能力"),
]


def test_a_work_report_plan_answers_its_difficulties_by_theme_not_by_its_summary():
    units = report("work", WORK_REPORT)
    found = pairs(link_units(units), units)
    # 有效需求不足 shares no headline word with 促进消费和投资良性互动: they meet on the
    # concepts of demand, consumption and investment
    assert ("有效需求不足", "促进消费和投资良性互动") in found
    demand = next(k for k in link_units(units)
                  if pairs([k], units) == {("有效需求不足", "促进消费和投资良性互动")})
    assert any(reason.startswith("concepts ") for reason in demand.reasons)
    assert ("财政收支矛盾突出", "加强财政资源统筹") in found
    assert ("教育、医疗、养老等公共服务还有短板", "加大保障和改善民生力度") in found
    # the plan's section heading is no candidate, and the summary that names everything
    # is no problem's best answer
    headline = {u.unit_id: u.headline for u in units}
    best: dict[str, tuple[float, str]] = {}
    for link in link_units(units):
        source, target = headline[link.source_unit], headline[link.target_unit]
        best[source] = max(best.get(source, (0.0, "")), (link.score, target))
        assert target != "2026年重点工作"
    assert "政府工作的总体要求是" not in {target for _, target in best.values()}
    assert set(best) <= {u.headline for u in units[1:5]}


def test_a_problem_with_some_evidence_keeps_its_best_answer_above_the_floor():
    units = report("work", WORK_REPORT)
    strict = replace(LinkOptions(), threshold=5.0)
    assert link_units(units, strict) == []
    kept = link_units(units, replace(strict, best_answer_share=0.002))
    found = pairs(kept, units)
    assert ("有效需求不足", "促进消费和投资良性互动") in found
    # one best answer per problem, never a sub-item below the threshold nor a clause's
    sources = [k.source_unit for k in kept]
    assert len(sources) == len(set(sources))
    assert not any(r.startswith("clause ") for k in kept for r in k.reasons)
    # a share of 1 keeps nothing below the threshold
    assert link_units(units, replace(strict, best_answer_share=1.0)) == []


def test_an_unnumbered_lead_in_does_not_hide_parallel_numbering():
    rows = [
        (1, P, "一、", "存在问题", ""),
        (2, P, "", "调研中，基层干部普遍反映了以下几方面的困难", ""),
        *PARALLEL[2:5],
        (1, C, "三、", "对策建议", ""),
        (2, C, "", "针对上述情况，提出如下建议", ""),
        *PARALLEL[6:9],
    ]
    units = report("lead", rows)
    ordinals = {u.headline: u.ordinal for u in units}
    assert ordinals["调研中，基层干部普遍反映了以下几方面的困难"] is None
    found = {pair for pair, link in zip([next(iter(pairs([k], units))) for k in
                                         link_units(units)], link_units(units), strict=True)
             if link.reasons and link.reasons[0].startswith("ordinal ")}
    assert found == {
        ("人才引不进留不住", "抓好第一项工作"),
        ("干部能力跟不上", "抓好第二项工作"),
        ("干部不敢创新", "抓好第三项工作"),
    }


def test_links_are_deterministic_and_independent_of_input_order():
    units = report("audit", AUDIT)
    shuffled = list(units)
    random.Random(3).shuffle(shuffled)
    assert link_units(units) == link_units(units)
    assert sorted(link_units(shuffled), key=repr) == sorted(link_units(units), key=repr)


def test_a_corpus_idf_and_weights_come_from_options():
    units = report("topic", TOPICAL)
    idf = corpus_idf(units + report("audit", AUDIT))
    assert pairs(link_units(units, idf=idf), units) == pairs(link_units(units), units)
    strict = LinkOptions(threshold=5.0)
    assert link_units(units, strict) == []


def test_score_links_counts_primary_recall_and_precision_between_gold_items():
    units = report("topic", TOPICAL)
    gold = {
        "items": [{"key": "乡镇干部工资待遇偏低", "label": P},
                  {"key": "干部教育培训针对性不强", "label": P},
                  {"key": "农村公路养护资金短缺", "label": P},
                  {"key": "改进干部教育培训", "label": C},
                  {"key": "提高乡镇干部待遇", "label": C}],
        "links_primary": [["乡镇干部工资待遇偏低", "提高乡镇干部待遇"]],
        "links_acceptable": [["干部教育培训针对性不强", "改进干部教育培训"]],
    }
    scores = score_links(link_units(units), units, gold)
    assert scores["recall"] == 1.0 and scores["precision"] == 1.0
    wrong = link_units(report("par", PARALLEL))  # ids that match no gold item
    assert score_links(wrong, units, gold)["recall"] == 0.0
    everything = [Link("topic", p.unit_id, c.unit_id, 1.0, ())
                  for p in units for c in units if p.label == P and c.label == C]
    assert score_links(everything, units, gold)["precision"] < 1.0


@pytest.mark.parametrize(("reasons", "counted"), [
    (("clause 消费需求不足", "terms 0.40"), {("消费需求不足", "扩大消费")}),
    (("terms 0.40",), {("消费需求不足", "扩大消费"), ("财政收支矛盾突出", "扩大消费")}),
    (("clause 部分地区", "terms 0.40"),  # a clause holding no gold key: every key
     {("消费需求不足", "扩大消费"), ("财政收支矛盾突出", "扩大消费")}),
])
def test_a_clause_link_is_scored_as_the_link_of_its_clauses_gold_item(reasons, counted):
    units = [GraphUnit("p", "d", None, P, "", None, "消费需求不足，财政收支矛盾突出",
                       "消费需求不足，财政收支矛盾突出", (), 0, "", None),
             GraphUnit("c", "d", None, C, "", None, "扩大消费", "扩大消费", (), 1, "", None)]
    gold = {"items": [{"key": "消费需求不足", "label": P}, {"key": "财政收支矛盾突出", "label": P},
                      {"key": "扩大消费", "label": C}],
            "links_primary": [["消费需求不足", "扩大消费"]]}
    scores = score_links([Link("d", "p", "c", 0.5, reasons)], units, gold)
    assert scores["links_between_gold"] == len(counted)
    assert scores["precision"] == (1.0 if len(counted) == 1 else 0.5)


# A difficulties paragraph that packs several problems into one sentence, and a plan whose
# sections answer them one by one; the plan opens with its goals and a summary.
PACKED = [
    (1, P, "", "我们也清醒认识到，当前发展中还有不少困难，主要是", ""),
    (2, P, "", "消费需求不足，部分企业生产经营困难，财政收支矛盾突出", ""),
    (2, P, "", "一些干部担当精神不强", ""),
    (1, C, "三、", "今年重点工作", ""),
    (2, C, "", "今年政府工作的总体要求是",
     "扩大内需，帮助企业纾困，加强财政资源统筹，改进干部作风"),
    (2, C, "", "经济社会发展的主要预期目标是", "地区生产总值增长5%左右，一般公共预算收入稳步增长"),
    (2, C, "（一）", "提振消费扩大投资", "开展消费品以旧换新，加快重大项目建设，释放内需潜力"),
    (2, C, "（二）", "全力帮助经营主体纾困解难", "落实减税降费，缓解中小微企业融资难"),
    (2, C, "（三）", "加强财政资源统筹", "严控一般性支出，兜牢基层三保底线"),
    (2, C, "（四）", "锤炼干部担当作为的过硬作风", "完善激励机制，让敢担当的干部有舞台"),
]


def test_each_clause_of_a_packed_problem_sentence_finds_its_own_answer():
    units = report("packed", PACKED)
    links = link_units(units)
    sentence = "消费需求不足，部分企业生产经营困难，财政收支矛盾突出"
    found = pairs(links, units)
    for answer in ("提振消费扩大投资", "全力帮助经营主体纾困解难", "加强财政资源统筹"):
        assert (sentence, answer) in found
    assert ("一些干部担当精神不强", "锤炼干部担当作为的过硬作风") in found
    # a link drawn for one clause says which
    headline = {u.unit_id: u.headline for u in units}
    clause_reasons = {link.reasons[0] for link in links
                      if headline[link.source_unit] == sentence
                      and link.reasons[0].startswith("clause ")}
    assert "clause 财政收支矛盾突出" in clause_reasons
    # the plan's summary and its goals answer nothing
    assert not {t for _, t in found} & {"今年政府工作的总体要求是", "经济社会发展的主要预期目标是"}


@pytest.mark.parametrize(("headline", "body", "is_split"), [
    ("有效需求不足，部分企业生产经营困难", "", True),
    ("有效需求不足；财政收支矛盾突出", "", True),
    ("有效需求不足", "", False),  # one clause
    ("有效需求不足，仍然不少", "", False),  # the second clause names nothing
    ("干部待遇偏低，留不住人", "工资收入不高，津贴补贴标准多年未调整", False),  # a heading
    # an unnumbered paragraph opening with a sentence of three clauses or more
    ("在看到成绩的同时，我们也清醒认识到，消费需求依然偏弱，投资动力不够强",
     "政府工作中也还存在一些不足", True),
    ("我们也清醒认识到，前进道路上困难不少，仍然不少", "政府工作中也还存在一些不足",
     False),  # only one clause names a problem
])
def test_bodiless_sentences_and_paragraph_openings_of_several_problems_are_split(
        headline, body, is_split):
    from pipeline.analysis.links import problem_clauses

    unit = report("split", [(1, P, "", headline, body)])[0]
    if not body:  # a sentence of a paragraph: its text is its headline
        unit = replace(unit, text=headline)
    assert bool(problem_clauses(unit)) is is_split


@pytest.mark.parametrize("marker", ["（一）", "一是"])
def test_a_numbered_heading_of_several_clauses_with_a_body_is_one_problem(marker):
    from pipeline.analysis.links import problem_clauses

    headline = "干部待遇偏低，晋升通道狭窄，培训机会较少"
    unit = report("split", [(1, P, marker, headline, "工资收入多年未调整")])[0]
    assert problem_clauses(unit) == []


# A difficulties paragraph whose opening sentence names the problems, then goes on; the plan
# answers each clause. The opening's other words (社会事业) would draw the whole sentence to a
# measure answering none of its clauses.
OPENING = [
    (1, P, "", "在看到成绩的同时，我们也清醒认识到，消费需求依然偏弱，财政收支矛盾突出",
     "社会事业发展还有短板，政府工作中也还存在一些不足。"),
    (1, C, "三、", "今年重点工作", ""),
    (2, C, "（一）", "大力提振消费", "开展消费品以旧换新，培育消费新场景"),
    (2, C, "（二）", "加强财政资源统筹", "严控一般性支出，兜牢基层三保底线"),
    (2, C, "（三）", "加快发展社会事业", "办好教育、医疗、养老等社会事业"),
]


def test_a_paragraph_opening_of_several_problems_is_linked_clause_by_clause_only():
    units = report("opening", OPENING)
    links = link_units(units)
    headline = {u.unit_id: u.headline for u in units}
    by_clause = {(link.reasons[0], headline[link.target_unit]) for link in links}
    assert ("clause 消费需求依然偏弱", "大力提振消费") in by_clause
    assert ("clause 财政收支矛盾突出", "加强财政资源统筹") in by_clause
    # every link names its clause: none is drawn for the sentence as a whole
    assert all(link.reasons[0].startswith("clause ") for link in links)
    assert "加快发展社会事业" not in {target for _, target in by_clause}


@pytest.mark.parametrize(("headline", "goal"), [
    ("地区生产总值增长5%左右", True),
    ("城镇新增就业18万人以上", True),
    ("群众生活品质不断提高", True),
    ("现代化产业体系建设取得决定性进展", True),
    ("首都功能持续提升", True),
    ("居民人均可支配收入增长与经济增长同步", True),
    ("提高群众生活品质", False),
    ("持续提升生态环境质量", False),
    ("着力缩小城乡差距，协调发展水平明显提升", False),  # names its measure first
    ("加强财政资源统筹", False),
    # every clause a target figure
    ("地区生产总值增长8%，达到296亿元", True),
    ("全年接待游客突破1000万人次", True),
    ("城镇居民人均可支配收入增长6%，农村居民人均可支配收入增长7%", True),
    ("完成老旧小区改造600个", False),  # a measure's count: no target verb
    ("新建改建农村公路300公里，完成投资达到50亿元", False),  # a measure first
])
def test_goal_statements_are_told_from_measures(headline, goal):
    from pipeline.analysis.links_terms import is_goal

    assert is_goal(headline) is goal


@pytest.mark.parametrize(("rows", "lead_ins"), [
    # a summary and the targets before the numbered measures
    ([(1, C, "三、", "今年重点工作", ""), (2, C, "", "总体要求是", "稳中求进"),
      (2, C, "（一）", "扩大内需", "提振消费，扩大投资，释放内需潜力，加快项目建设"),
      (2, C, "（二）", "帮助企业纾困", "落实减税降费，缓解融资难，清理拖欠账款")],
     {"总体要求是"}),
    # unnumbered measures followed by a list of short items are measures themselves
    ([(1, C, "（九）", "统筹发展和安全", ""),
      (2, C, "", "防范化解重点领域风险", "稳妥化解地方债务风险，促进房地产市场平稳健康发展"),
      (2, C, "", "加强社会治理", "坚持和发展新时代枫桥经验，完善矛盾纠纷多元化解机制"),
      (2, C, "1.", "医疗方面", "新建卫生院"), (2, C, "2.", "养老方面", "新增床位")],
     set()),
    # no numbered items: nothing is a lead-in
    ([(1, C, "三、", "今年重点工作", ""), (2, C, "", "扩大内需", "提振消费"),
      (2, C, "", "帮助企业纾困", "减税降费")], set()),
])
def test_the_unnumbered_preamble_of_a_list_of_measures_is_a_lead_in(rows, lead_ins):
    from pipeline.analysis.links import list_lead_ins

    units = report("lead", rows)
    headline = {u.unit_id: u.headline for u in units}
    assert {headline[i] for i in list_lead_ins(units)} == lead_ins


@pytest.mark.parametrize(("sections", "horizon"), [
    (["“十五五”时期主要目标任务", "2026年重点工作"], {"“十五五”时期主要目标任务"}),
    (["今后五年的主要任务", "今年工作安排", "加强政府自身建设"], {"今后五年的主要任务"}),
    # a plan for the years and for this year in one section, or the only plan: kept
    (["“十五五”时期目标任务和2026年工作安排"], set()),
    (["“十五五”时期主要目标任务"], set()),
    (["对策建议"], set()),
])
def test_a_multi_year_plan_beside_the_years_plan_is_no_candidate(sections, horizon):
    from pipeline.analysis.links import multi_year_plans

    rows = [(1, P, "", "消费需求不足", "")]
    for section in sections:
        rows += [(1, C, "", section, ""),
                 (2, C, "（一）", "提振消费需求", "开展消费品以旧换新，释放消费需求潜力")]
    units = report("plan", rows)
    headline = {u.unit_id: u.headline for u in units}
    assert {headline[i] for i in multi_year_plans(units)} == horizon
    # the demand problem is answered by the year's plan only
    parent = {u.unit_id: u.parent_id for u in units}
    answers = [parent[k.target_unit] for k in link_units(units)]
    assert answers and not set(answers) & multi_year_plans(units)


def test_words_in_a_long_section_body_alone_link_nothing():
    rows = [
        (1, P, "", "我们也清醒认识到，主要是", ""),
        (2, P, "", "投资动力不够强", ""),
        (1, C, "三、", "今年重点工作", ""),
        (2, C, "（一）", "更大力度深化改革开放",
         "深化国资国企改革，优化民营经济发展环境，稳外贸稳外资，扩大制度型开放，"
         "以改革激发投资活力"),
        (2, C, "（二）", "着力扩大有效投资", "加快重大项目建设，激发民间投资活力，用好专项债券"),
        (2, C, "（三）", "更高水平促进城乡融合发展", "推进以县城为载体的城镇化，加大县域投资"),
    ]
    units = report("body", rows)
    assert pairs(link_units(units), units) == {("投资动力不够强", "着力扩大有效投资")}


def test_a_measure_that_only_holds_the_answer_in_a_sub_item_is_not_linked_itself():
    rows = [
        (1, P, "", "我们也清醒认识到，主要是", ""),
        (2, P, "", "政府工作作风有待进一步改进", ""),
        (2, P, "", "部分企业生产经营困难", ""),
        (1, C, "三、", "今年重点工作", ""),
        (2, C, "（一）", "全力帮助经营主体纾困解难", "落实减税降费，缓解中小微企业融资难"),
        (2, C, "（二）", "更好统筹发展和安全", "守牢安全生产底线，提升防灾减灾能力"),
        # the government's own conduct, nested by the layout under the last plan section
        (3, C, "", "锤炼求真务实的工作作风", "坚决反对形式主义官僚主义，改进政府工作作风"),
    ]
    units = report("nested", rows)
    found = pairs(link_units(units), units)
    assert ("政府工作作风有待进一步改进", "锤炼求真务实的工作作风") in found
    assert ("政府工作作风有待进一步改进", "更好统筹发展和安全") not in found
    assert ("部分企业生产经营困难", "全力帮助经营主体纾困解难") in found


@pytest.mark.parametrize(("terms", "texts", "expected"), [
    (["投资"], ["投资", "投资", "投资", "投资"], 0.1),  # every text holds it
    (["投资"], ["投资", "消费", "财政", "民生"], 1.0),  # only this one
    (["投资", "项目"], ["投资", "消费", "财政", "民生"], 0.5),
])
def test_specific_coverage_counts_how_few_texts_hold_a_term(terms, texts, expected):
    from pipeline.analysis.links_terms import contrast_weights, specific_coverage

    weight = contrast_weights(texts)
    value = specific_coverage(terms, texts[0], weight, len(texts))
    assert value == pytest.approx(expected, abs=0.05)


# --- the real seeds against the shared gold (skipped when ../shared is absent) ----------


def units_from_run(out_dir) -> dict[str, list[GraphUnit]]:
    """GraphUnits per source file from a run's docs.jsonl and units.jsonl."""
    docs = {}
    for line in (out_dir / "docs.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        docs[doc["doc_id"]] = doc
    rows = [json.loads(x) for x in (out_dir / "units.jsonl").read_text("utf-8").splitlines()]
    by_id = {row["unit_id"]: row for row in rows}
    by_source: dict[str, list[GraphUnit]] = {}
    for position, row in enumerate(rows):
        doc, top = docs[row["doc_id"]], row
        while top["parent_id"]:
            top = by_id[top["parent_id"]]
        text = doc["text"][row["start"]:row["end"]]
        region = doc.get("region") or {}
        place = "".join(region.get(k) or "" for k in ("province", "city", "county")) or None
        by_source.setdefault(doc["source"], []).append(GraphUnit(
            row["unit_id"], row["doc_id"], row["parent_id"], row["label"] or "other",
            row["marker"], ordinal_of(row["marker"]), row["headline"], text, segment(text),
            position, top["headline"], place))
    return by_source


def test_links_on_the_real_seeds_meet_the_gold(seeds_run):
    from tests.conftest import GOLD

    gold = json.loads(GOLD.read_text(encoding="utf-8"))["docs"]
    by_source = units_from_run(seeds_run)
    for name in ("000_78b75ee1d4a9c72a.txt", "002_cd82cb5a8c0f227b.txt"):
        if name not in gold:
            pytest.skip(f"{name} not in the gold")
        units = by_source[name]
        scores = score_links(link_units(units), units, gold[name])
        assert scores["recall"] >= 0.9, (name, scores)
        assert scores["precision"] >= 0.85, (name, scores)


# A difficulties paragraph and a plan: 企业生产经营困难 shares no headline word with the
# industry section that answers it, whose body speaks of enterprises again and again; the
# opening section names enterprises once.
BY_THEME = [
    (1, P, "", "我们也清醒认识到，发展中还有不少困难，主要是", ""),
    (2, P, "", "部分企业生产经营困难", ""),
    (2, P, "", "城乡区域发展不平衡", ""),
    (1, C, "三、", "今年重点工作", ""),
    (2, C, "（一）", "巩固提升特色优势产业",
     "支持企业技术改造，帮助中小微企业纾困解难，培育壮大经营主体，让企业轻装上阵"),
    (2, C, "（二）", "持续扩大对外开放", "支持外贸企业开拓市场，扩大进出口规模"),
    (2, C, "（三）", "促进城乡区域协调发展", "推进以县城为重要载体的城镇化，缩小城乡差距"),
]


def test_the_section_speaking_most_of_a_problems_concepts_answers_it():
    from pipeline.analysis.links import score_pairs

    units = report("theme", BY_THEME)
    ids = {u.headline: u.unit_id for u in units}
    problem = ids["部分企业生产经营困难"]
    industry, opening = ids["巩固提升特色优势产业"], ids["持续扩大对外开放"]

    def gap(share: float) -> float:
        # the openings' shared concept alone clears a lower bar of evidence on the measure
        options = replace(LinkOptions(), weight_concept_share=share, min_headline_evidence=0.1)
        scored = score_pairs(units, options)
        assert scored.evidence[(problem, industry)].concepts == \
            scored.evidence[(problem, opening)].concepts
        return scored.raw[(problem, industry)] - scored.raw[(problem, opening)]

    evidence = score_pairs(units).evidence
    assert evidence[(problem, industry)].concept_share == 1.0
    assert evidence[(problem, opening)].concept_share == pytest.approx(1 / 6)
    # the share adds its weight × the difference to the industry section's lead
    assert gap(0.75) - gap(0.0) == pytest.approx(0.75 * (1 - 1 / 6))
    found = pairs(link_units(units, replace(LinkOptions(), min_headline_evidence=0.1)), units)
    assert ("部分企业生产经营困难", "巩固提升特色优势产业") in found
    assert ("部分企业生产经营困难", "持续扩大对外开放") not in found


@pytest.mark.parametrize(("problem", "measure", "concept"), [
    ("一些干部担当精神不强", "强化执行，狠抓落实", "responsibility"),
    ("干事创业的紧迫感不强", "坚持实干为本", "responsibility"),
    ("政府职能转变还不到位", "持续优化营商环境", "business_environment"),
])
def test_a_problem_and_the_measure_answering_it_share_a_concept(problem, measure, concept):
    from pipeline.analysis.textvec import concepts_in, normalise

    assert concept in concepts_in(normalise(problem)) & concepts_in(normalise(measure))
