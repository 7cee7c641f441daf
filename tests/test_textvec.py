"""Shared text helpers: content words and policy concepts (tables of input → expected)."""

from __future__ import annotations

import pytest

from pipeline.analysis.textvec import (
    GENERIC_TERMS_TABLE,
    WordTable,
    concept_table,
    concepts_in,
    content_words,
    group_of,
)


@pytest.mark.parametrize(("text", "held", "not_held"), [
    # one concern, many words: weak demand
    ("有效需求不足", {"demand"}, set()),
    ("消费、投资增长动力偏弱", {"demand", "consumption", "investment"}, set()),
    ("供强需弱矛盾突出", {"demand"}, set()),
    # 外部环境 and 营商环境 are no ecology; 生态环境 is
    ("外部环境变化影响加深", {"external"}, {"environment"}),
    ("营商环境存在差距", {"business_environment"}, {"environment"}),
    ("生态环境质量改善的基础还不牢固", {"environment"}, set()),
    # a debt problem is also a risk, answered by 防范化解风险
    ("政府债务偿还压力巨大", {"debt", "risk"}, set()),
    ("财政收支矛盾突出", {"fiscal"}, {"debt"}),
    # the cadre surveys' concerns
    ("因经济待遇偏低有怨气", {"pay_welfare"}, set()),
    ("容错机制欠缺，瞻前顾后", {"fault_tolerance"}, set()),
    ("拓宽交流渠道，激发干部活力", {"rotation"}, set()),
    # a government report's difficulties and the plan sections that answer them
    ("经济稳定运行的基础还不牢固", {"growth"}, set()),
    ("着力实施扩大内需战略", {"growth", "demand"}, set()),
    ("部分企业生产经营困难", {"enterprises"}, set()),
    ("加力纾困惠企", {"enterprises"}, set()),
    ("更好统筹发展和安全", {"risk"}, set()),
    ("加大保障和改善民生力度", {"income", "employment", "public_services"}, set()),
    ("资源环境约束趋紧", {"environment"}, set()),
    ("加力推动科技创新和产业创新", {"new_drivers", "innovation"}, set()),
    ("建设法治型服务型政府", {"government_administration"}, set()),
    # the government's own conduct is four concerns, not one
    ("形式主义、官僚主义仍然存在", {"government_style"}, {"government_integrity"}),
    ("一些领域腐败问题时有发生", {"government_integrity"}, {"government_style"}),
    ("政府服务效能需要进一步提升", {"government_administration"}, {"government_style"}),
    ("", set(), {"demand"}),
])
def test_concepts_in(text, held, not_held):
    found = concepts_in(text)
    assert held <= found and not (not_held & found), found


def test_the_concept_table_is_reviewed_data():
    table = concept_table()
    assert len(table) >= 30
    for name, words in table.items():
        assert words, name
        # a concept word that is also a generic report word would match every unit
        assert not set(words) & {"问题", "工作", "建设", "发展"}, name


@pytest.mark.parametrize(("words", "expected"), [
    (["一是", "工资", "待遇", "2", "偏", "第三"], ["工资", "待遇"]),
    (["首先", "乡镇干部", "、"], ["乡镇干部"]),
])
def test_content_words(words, expected):
    assert content_words(words) == expected


def test_plan_section_words_and_group_of():
    # 2026年重点工作 / “十五五”时期主要目标任务 name a plan section, not a topic
    assert {"重点", "任务", "目标", "时期", "安排"} <= GENERIC_TERMS_TABLE
    assert [group_of(label) for label in ("problem", "cause", "countermeasure", "practice")] \
        == ["problem", "problem", "countermeasure", None]


WORD_TABLE = {"a": ("消费", "提振消费"), "b": ("消费",), "c": ("哈哈",), "d": ("投资",)}


@pytest.mark.parametrize(("text", "names", "counts"), [
    ("", frozenset(), {"a": 0, "b": 0, "c": 0, "d": 0}),
    ("提振消费，扩大消费", frozenset({"a", "b"}), {"a": 3, "b": 2, "c": 0, "d": 0}),
    # overlapping occurrences of one word count as str.count counts them: 哈哈哈 holds one
    ("哈哈哈哈哈", frozenset({"c"}), {"a": 0, "b": 0, "c": 2, "d": 0}),
    ("投资消费投资", frozenset({"a", "b", "d"}), {"a": 1, "b": 1, "c": 0, "d": 2}),
])
def test_word_table_finds_what_scanning_each_word_finds(text, names, counts):
    table = WordTable(WORD_TABLE)
    assert table.names_in(text) == names
    assert table.counts_in(text) == counts
    # the one-pass search gives what one scan per word gives
    assert names == frozenset(n for n, ws in WORD_TABLE.items() if any(w in text for w in ws))
    assert counts == {n: sum(text.count(w) for w in ws) for n, ws in WORD_TABLE.items()}
