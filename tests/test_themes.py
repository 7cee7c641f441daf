"""Themes across reports: the same problem in other words meets, different problems don't.

Five synthetic reports (written for these tests) name the same few problems and
measures in different words; one problem (农村公路) is named by a single report.
"""

from __future__ import annotations

import functools
import json
import random
import re
from pathlib import Path

import jieba
import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from pipeline.analysis.links import GraphUnit
from pipeline.analysis.themes import (
    KINDS,
    ThemeOptions,
    cluster_themes,
    score_themes,
    theme_candidates,
)
from pipeline.analysis.themes_vectors import template_terms

P, C = "problem", "countermeasure"


@functools.lru_cache(maxsize=1)
def _segmenter() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def report(doc_id: str, place: str, problems, countermeasures=()) -> list[GraphUnit]:
    """A report: a 存在问题 section over ``problems`` and a 对策建议 section over
    ``countermeasures``, each a list of (headline, body)."""
    units: list[GraphUnit] = []
    for label, heading, items in ((P, "存在的问题", problems), (C, "对策建议", countermeasures)):
        if not items:
            continue
        section = f"{doc_id}-{label[0]}"
        texts = [f"{i + 1}.{head}。{body}" for i, (head, body) in enumerate(items)]
        units.append(_unit(section, doc_id, None, label, "一、", heading,
                           heading + "\n" + "\n".join(texts), len(units), heading, place))
        for i, ((head, _), text) in enumerate(zip(items, texts, strict=True)):
            units.append(_unit(f"{section}{i + 1}", doc_id, section, label, f"{i + 1}.", head,
                               text, len(units), heading, place))
    return units


def _unit(unit_id, doc_id, parent, label, marker, headline, text, position, section, place):
    words = tuple(w for w in _segmenter().lcut(text) if re.search(r"[\u4e00-\u9fff]", w))
    ordinal = int(marker[0]) if marker[0].isdigit() else None
    return GraphUnit(unit_id, doc_id, parent, label, marker, ordinal, headline, text, words,
                     position, section, place)


R1 = report("r1", "甲省乙市丙县", [
    ("基层干部工资待遇偏低",
     "乡镇干部工资收入不高，津贴补贴标准低，待遇与付出不相称，年轻干部安心不下来"),
    ("干部培训经费不足", "教育培训经费紧张，培训班次少，专题培训难以开展，干部业务能力提升慢"),
    ("容错机制不健全", "干部担心问责追责，怕出错不敢创新，容错纠错办法不明确"),
], [
    ("提高基层干部工资待遇", "落实乡镇工作补贴，提高津贴补贴标准，让基层干部收入稳步增长"),
    ("保障培训经费投入", "把干部教育培训经费列入财政预算，增加专题培训班次"),
    ("健全容错纠错机制", "明确容错情形，减少干部对问责的顾虑，鼓励大胆创新"),
])
R2 = report("r2", "丁省戊市", [
    ("激励手段较少，优秀人才留不住",
     "基层干部收入偏低，乡镇工作补贴多年未调整，待遇缺乏吸引力，年轻干部考走调走较多"),
    ("干部怕担责不敢干", "问责过多过滥，干部担心被追责，瞻前顾后，容错纠错落实不到位"),
    ("农村公路养护资金短缺", "部分村道年久失修，养护资金没有稳定来源，群众出行不便"),
], [
    ("强化容错免责", "针对干部怕担责的问题，细化容错纠错情形，慎用问责追责，为担当者撑腰"),
    ("完善收入激励", "提高乡镇工作补贴和津贴标准，工资待遇向基层倾斜，留住优秀年轻干部"),
])
R3 = report("r3", "己省庚市辛县", [
    ("乡镇干部薪酬偏低", "工资收入和津贴补贴水平低于县直部门，待遇落差大，干部心里不平衡"),
    ("培训针对性不强", "干部教育培训内容与岗位需求脱节，培训形式单一，专题培训少"),
], [
    ("提高乡镇干部待遇", "落实乡镇工作补贴，津贴补贴向一线倾斜，让干部收入有盼头"),
    ("改进干部教育培训", "按岗位需求设置培训内容，丰富培训形式，多办专题培训"),
])
R4 = report("r4", "壬省癸市", [
    ("问责泛化挫伤积极性", "动辄问责让干部瞻前顾后，不敢担当，容错免责情形界定模糊"),
    ("专业培训机会少", "基层干部很少参加专业培训，培训名额集中在少数干部，教育培训覆盖面窄"),
], [
    ("规范问责追责", "防止问责泛化，落实容错纠错，让干部放下包袱"),
    ("扩大培训覆盖面", "增加基层干部参加专业培训的名额，教育培训向基层倾斜"),
])
R5 = report("r5", "子省丑市", [
    ("干部工资待遇不足", "乡镇干部工资收入偏低，津贴补贴发放不到位，待遇留不住人"),
    ("培训经费保障不足", "教育培训经费没有列入预算，专题培训班次少，培训经费难以保障"),
])
CORPUS = R1 + R2 + R3 + R4 + R5
GOLD_PROBLEMS = {
    "pay": ["r1-p1", "r2-p1", "r3-p1", "r5-p1"],
    "training": ["r1-p2", "r3-p2", "r4-p2", "r5-p2"],
    "fault tolerance": ["r1-p3", "r2-p2", "r4-p1"],
    "roads": ["r2-p3"],
}


def theme_of(result, unit_id):
    return result.assignments[unit_id]


def test_the_same_problem_in_other_words_lands_in_one_theme():
    result = cluster_themes(CORPUS, ThemeOptions(), P)
    # 干部待遇偏低 and 激励手段较少，优秀人才留不住 name one problem
    pay = {theme_of(result, u) for u in GOLD_PROBLEMS["pay"]}
    assert len(pay) == 1 and None not in pay
    faults = {theme_of(result, u) for u in GOLD_PROBLEMS["fault tolerance"]}
    assert len(faults) == 1 and None not in faults


def test_different_problems_sharing_words_stay_apart():
    result = cluster_themes(CORPUS, ThemeOptions(), P)
    # 工资待遇不足 vs 培训经费保障不足: both 不足, one report, different problems
    assert theme_of(result, "r5-p1") != theme_of(result, "r5-p2")
    themes = {theme_of(result, u) for group in ("pay", "training", "fault tolerance")
              for u in GOLD_PROBLEMS[group]}
    assert len(themes) == 3


def test_a_problem_no_other_report_names_stays_unassigned_and_the_cut_is_reported():
    options = ThemeOptions()
    result = cluster_themes(CORPUS, options, P)
    assert theme_of(result, "r2-p3") is None
    assert "r2-p3" in result.unassigned
    assert result.min_similarity == options.min_similarity
    assert all(len(theme.members) >= options.min_members for theme in result.themes)


def test_countermeasure_themes_and_their_labels():
    result = cluster_themes(CORPUS, ThemeOptions(), C)
    assert theme_of(result, "r1-c1") == theme_of(result, "r2-c2") == theme_of(result, "r3-c1")
    assert theme_of(result, "r1-c3") == theme_of(result, "r2-c1") == theme_of(result, "r4-c1")
    assert theme_of(result, "r1-c1") != theme_of(result, "r1-c3")
    theme = next(t for t in result.themes if "r1-c3" in t.members)
    assert theme.kind == C and theme.theme_id.startswith("C-")
    assert theme.docs == ("r1", "r2", "r4")
    assert theme.places == ("丁省戊市", "壬省癸市", "甲省乙市丙县")
    assert theme.headline in theme.label and any("容错" in t for t in theme.terms)


def test_section_headings_are_not_theme_members():
    candidates = {u.unit_id for u in theme_candidates(CORPUS, P)}
    assert "r1-p" not in candidates and "r1-p1" in candidates


def test_themes_are_deterministic_and_independent_of_input_order():
    first = cluster_themes(CORPUS, ThemeOptions(), P)
    shuffled = list(CORPUS)
    random.Random(5).shuffle(shuffled)
    again = cluster_themes(shuffled, ThemeOptions(), P)
    assert first.themes == again.themes
    assert dict(first.assignments) == dict(again.assignments)


def test_theme_ids_survive_adding_a_report():
    before = cluster_themes(CORPUS, ThemeOptions(), P)
    extra = report("r6", "寅省卯市", [
        ("乡镇干部收入待遇低", "工资收入低，津贴补贴少，待遇不如县城"),
        ("村医队伍后继乏人", "乡村医生年龄老化，年轻村医招不来留不住"),
    ])
    after = cluster_themes(CORPUS + extra, ThemeOptions(), P)
    assert {t.theme_id for t in before.themes} <= {t.theme_id for t in after.themes}
    assert theme_of(after, "r6-p1") == theme_of(after, "r1-p1")


def test_score_themes_pairwise_across_documents():
    result = cluster_themes(CORPUS, ThemeOptions(), P)
    doc_of = {u.unit_id: u.doc_id for u in CORPUS}
    gold = {name: [(doc_of[u], u) for u in members] for name, members in GOLD_PROBLEMS.items()}
    perfect = score_themes(result.assignments, gold)
    assert perfect["precision"] == perfect["recall"] == perfect["f1"] == 1.0
    lumped = {u: "one" for u in doc_of}
    scores = score_themes(lumped, gold)
    assert scores["recall"] == 1.0 and scores["precision"] < 0.5
    # pairs inside one document are never counted
    assert score_themes({}, {"g": [("d", "a"), ("d", "b")]})["pairs"] == 0


def test_too_few_units_make_no_themes():
    assert cluster_themes([], ThemeOptions(), P).themes == ()
    lone = report("r9", "某地", [("干部工资待遇偏低", "收入低")])
    result = cluster_themes(lone, ThemeOptions(), P)
    assert result.themes == () and result.unassigned == ("r9-p1",)


SYNTHETIC_GOLD = Path(__file__).parent / "gold" / "synthetic-themes.json"


def synthetic_reports() -> tuple[list[GraphUnit], dict]:
    """The units of tests/gold/synthetic-themes.json's reports, and the gold itself."""
    gold = json.loads(SYNTHETIC_GOLD.read_text(encoding="utf-8"))
    units: list[GraphUnit] = []
    for doc, item in gold["reports"].items():
        units += report(doc, item["place"], [tuple(p) for p in item["problems"]],
                        [tuple(c) for c in item["countermeasures"]])
    return units, gold


def unit_id(doc: str, side: str, index: int) -> str:
    """("s1", "p", 0) → "s1-p1", the id ``report`` gives the first problem of s1."""
    return f"{doc}-{side}{index + 1}"


def test_work_reports_phrasing_one_concern_differently_meet_and_word_sharers_do_not():
    units, gold = synthetic_reports()
    assignments: dict[str, str | None] = {}
    for kind in KINDS:
        assignments.update(cluster_themes(units, ThemeOptions(), kind).assignments)
    groups = {g["name"]: [(m[0], unit_id(*m)) for m in g["members"]] for g in gold["themes"]}
    scores = score_themes(assignments, groups)
    assert scores["f1"] >= 0.9, scores
    # 有效需求不足 / 消费、投资增长动力偏弱 / 市场需求疲软 / 内需增长动能不足: one theme
    demand = {assignments[u] for _, u in groups["weak demand"]}
    assert len(demand) == 1 and None not in demand
    for first, second in gold["apart"]:
        theme = assignments[unit_id(*first)]
        assert theme is None or theme != assignments[unit_id(*second)], (first, second)


def test_a_lists_template_is_not_its_items_topic():
    rows = [("党性不强不想担当作为", "理想信念动摇"), ("能力不足不会担当作为", "本领恐慌"),
            ("心存顾虑不敢担当作为", "怕被问责"), ("关爱不够不愿担当作为", "待遇偏低")]
    units = report("tpl", "某地", rows)
    template = template_terms(theme_candidates(units, P), ThemeOptions())
    assert {"担当", "作为", "担当作", "当作为"} <= template["tpl-p1"]
    assert "党性" not in template["tpl-p1"]
    # two items are no template: they may simply share their topic
    pair = report("two", "某地", rows[:2])
    assert template_terms(theme_candidates(pair, P), ThemeOptions()) == {}


def test_items_of_one_list_never_share_a_theme():
    # r7 lists the same concern twice in other words; every other report once
    r7 = report("r7", "辰省巳市", [
        ("乡镇干部工资偏低", "工资收入不高，津贴补贴标准低，待遇留不住人"),
        ("基层干部待遇差", "津贴补贴发放不到位，工资收入低于县直部门"),
    ])
    result = cluster_themes(CORPUS + r7, ThemeOptions(), P)
    assert theme_of(result, "r7-p1") != theme_of(result, "r7-p2") or \
        theme_of(result, "r7-p1") is None
    loose = cluster_themes(CORPUS + r7, ThemeOptions(apart_siblings=False), P)
    assert theme_of(loose, "r7-p1") == theme_of(loose, "r7-p2") == theme_of(loose, "r1-p1")


def test_an_item_given_up_for_its_sibling_joins_the_group_it_is_most_like():
    import numpy as np
    from scipy import sparse

    from pipeline.analysis.themes_linkage import _rehome

    # rows 0 and 2 are siblings; 0 stayed in the pay group {0, 1}, so 2 cannot; it joins
    # {3, 4}, which it resembles at the cut, and is not left out; 5 resembles nothing
    part = sparse.csr_matrix(np.array([
        [1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.8, 0.6, 0.0],
        [0.0, 1.0, 0.0], [0.2, 0.98, 0.0], [0.0, 0.0, 1.0]]))
    lists = np.array([0, 1, 0, 2, 3, 0])
    assert _rehome([[0, 1], [3, 4]], [2, 5], part, lists, 0.1) == [[0, 1], [2, 3, 4], [5]]
    # a group holding a sibling is never joined, however alike
    assert _rehome([[0, 1]], [2], part, lists, 0.1) == [[0, 1], [2]]


def test_sub_points_of_one_point_may_share_a_theme():
    # 加大关爱力度 over three facets: facets of one point, not a list of distinct points
    units = report("r9", "申省酉市", [], [("加大关爱激励力度", "提高待遇，关心关爱干部")])
    parent = units[1]
    facets = [("提高乡镇干部工资待遇", "落实乡镇工作补贴，提高津贴补贴标准"),
              ("落实津贴补贴政策", "津贴补贴向基层倾斜，提高工资收入")]
    for i, (head, body) in enumerate(facets):
        units.append(_unit(f"r9-c1-{i + 1}", "r9", parent.unit_id, C, f"{i + 1}.", head,
                           f"{head}。{body}", len(units), parent.section, "申省酉市"))
    result = cluster_themes(CORPUS + units, ThemeOptions(), C)
    assert theme_of(result, "r9-c1-1") == theme_of(result, "r9-c1-2") == \
        theme_of(result, "r1-c1") is not None


@pytest.mark.parametrize("lists", [[0, 0], [0, 1, 0, 2, 1, 0], [3, 3, 3, 3], [5, 4, 3], []])
def test_sibling_pairs_are_the_condensed_positions_of_same_list_pairs(lists):
    from pipeline.analysis.themes_linkage import _sibling_pairs

    numbers = np.asarray(lists, dtype=np.int64)
    rows, cols = np.triu_indices(len(numbers), k=1)
    expected = np.flatnonzero(numbers[rows] == numbers[cols])
    assert np.array_equal(np.sort(_sibling_pairs(numbers)), expected)


def _reference_average_linkage(matrix, min_similarity, rows=None, lists=None):
    """The clustering as it was: every stricter cut of an oversized component recomputes
    all its pairs (the sparse product) rather than filtering the pairs of the first cut."""
    from pipeline.analysis import themes_linkage as themes

    def components(part, cut):
        count = part.shape[0]
        pairs_r, pairs_c = [], []
        step = themes.CHUNK_ROWS
        for start in range(0, count, step):
            block = themes.similarities(part, np.arange(start, min(count, start + step)))
            r, c = np.nonzero(block >= cut)
            upper = c > r + start
            pairs_r.append(r[upper] + start)
            pairs_c.append(c[upper])
        graph = sparse.coo_matrix((np.ones(sum(len(r) for r in pairs_r), dtype=np.int8),
                                   (np.concatenate(pairs_r), np.concatenate(pairs_c))),
                                  shape=(count, count))
        return themes._members_by_label(connected_components(graph, directed=False)[1])

    rows = np.arange(matrix.shape[0]) if rows is None else np.asarray(rows)
    groups = []
    for component in components(matrix[rows], min_similarity):
        members = rows[component]
        if len(members) == 1:
            groups.append([int(members[0])])
        elif len(members) > themes.MAX_COMPONENT:
            groups += _reference_average_linkage(matrix, min_similarity + themes.SPLIT_STEP,
                                                 members, lists)
        else:
            groups += themes._cut_tree(matrix[members], min_similarity, members,
                                       None if lists is None else lists[members])
    return sorted(groups)


def _random_units(count: int, terms: int, per_row: int, seed: int):
    """Unit vectors over few shared terms (so most rows meet), L2-normalised rows."""
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(count), per_row)
    cols = rng.integers(0, terms, size=count * per_row)
    values = rng.random(count * per_row)
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(count, terms))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1 / np.maximum(norms, 1e-12)) @ matrix)


@pytest.mark.parametrize(("count", "terms", "per_row", "cut", "max_component", "chunk",
                          "with_lists", "seed"), [
    (40, 200, 3, 0.1, 12_000, 1000, False, 1),  # no oversized component
    (120, 30, 4, 0.1, 20, 1000, False, 2),  # a blob split at several stricter cuts
    (120, 30, 4, 0.1, 20, 7, True, 3),  # chunks of 7 rows, lists held apart
    (150, 20, 5, 0.2, 15, 16, True, 4),  # a denser blob, a higher base cut
    (200, 60, 3, 0.05, 30, 50, True, 5),
    (90, 12, 6, 0.3, 10, 1000, False, 6),  # nearly every pair meets
    (60, 400, 2, 0.1, 2, 9, False, 7),  # a limit of 2: every pair component splits
])
def test_stricter_cuts_filter_the_first_pairs_to_the_same_groups(
        monkeypatch, caplog, count, terms, per_row, cut, max_component, chunk, with_lists,
        seed):
    from pipeline.analysis import themes_linkage as themes

    monkeypatch.setattr(themes, "MAX_COMPONENT", max_component)
    monkeypatch.setattr(themes, "CHUNK_ROWS", chunk)
    matrix = _random_units(count, terms, per_row, seed)
    lists = (np.random.default_rng(seed).integers(0, count // 3, size=count)
             if with_lists else None)
    expected = _reference_average_linkage(matrix, cut, lists=lists)
    with caplog.at_level("WARNING", logger="pipeline.analysis.themes"):
        assert themes.average_linkage(matrix, cut, lists=lists) == expected
    splits = caplog.text.count("split at similarity")
    assert (splits == 0) if max_component > count else (splits >= 2)
    assert sorted(i for group in expected for i in group) == list(range(count))


def test_an_oversized_component_is_split_and_its_pairs_are_kept_once(monkeypatch, caplog):
    from pipeline.analysis import themes_linkage as themes

    matrix = _random_units(120, 30, 4, 2)
    monkeypatch.setattr(themes, "MAX_COMPONENT", 20)
    computed = []
    pairs = themes._pairs
    monkeypatch.setattr(themes, "_pairs", lambda m, s: computed.append(s) or pairs(m, s))
    with caplog.at_level("WARNING", logger="pipeline.analysis.themes"):
        themes.average_linkage(matrix, 0.1)
    assert computed == [0.1]  # the stricter cuts filter these pairs
    assert "split at similarity 0.150" in caplog.text
    rows, cols, similarity = pairs(matrix, 0.1)
    assert (rows.dtype, cols.dtype, similarity.dtype) == (np.int32, np.int32, np.float32)
    assert np.all(rows < cols) and np.all(similarity >= np.float32(0.1))


def test_components_of_the_pairs_at_a_cut():
    from pipeline.analysis import themes_linkage as themes

    matrix = sparse.csr_matrix(np.array([[1, 0, 0], [0.8, 0.6, 0], [0, 0, 1], [0, 0.6, 0.8]]))

    def components(cut):
        return themes._members_by_label(themes._component_labels(4, themes._pairs(matrix, cut)))

    assert components(0.5) == [[0, 1], [2, 3]]
    assert components(0.35) == [[0, 1, 2, 3]]
    assert components(0.9) == [[0], [1], [2], [3]]


def test_the_governments_own_failings_are_four_concerns_not_one():
    # work style, integrity and how well it serves are named apart in every report; one
    # broad "conduct" concept made 形式主义 and 腐败 one theme through the concept alone
    units = []
    reports = [("形式主义、官僚主义仍然存在", "一些领域腐败问题时有发生", "政府服务效能需要提升"),
               ("少数干部作风不严不实", "部分领域腐败问题仍有发生", "行政效能有待进一步提高"),
               ("官僚主义不同程度存在", "廉洁从政的规矩意识还需增强", "政府服务管理效能仍需提升")]
    for number, (style, integrity, service) in enumerate(reports):
        units += report(f"g{number}", f"省{number}", [(style, ""), (integrity, ""), (service, ""),
                                                     ("有效需求仍显不足", "")])
    assignments = cluster_themes(units, ThemeOptions(), P).assignments
    for doc in ("g0", "g1", "g2"):
        style, integrity, service = (assignments[f"{doc}-p{i}"] for i in (1, 2, 3))
        for other in ("g0", "g1", "g2"):
            assert integrity is None or integrity not in {assignments[f"{other}-p1"],
                                                          assignments[f"{other}-p3"]}
            assert style is None or style != assignments[f"{other}-p3"]
    assert assignments["g0-p2"] is not None and assignments["g0-p2"] == assignments["g1-p2"]


@pytest.mark.parametrize(("count", "edges", "block", "seed"),
                         [(1, 0, 4, 0), (10, 0, 4, 1), (50, 30, 7, 2), (200, 150, 1 << 22, 3),
                          (200, 400, 13, 4), (1000, 990, 64, 5)])
def test_component_labels_group_rows_as_scipy_does(monkeypatch, count, edges, block, seed):
    from scipy.sparse.csgraph import connected_components

    from pipeline.analysis import themes_linkage

    monkeypatch.setattr(themes_linkage, "COMPONENT_BLOCK", block)
    rng = np.random.default_rng(seed)
    ends = rng.integers(0, count, size=(edges, 2))
    ends = np.unique(np.sort(ends[ends[:, 0] != ends[:, 1]], axis=1), axis=0)
    pairs = (ends[:, 0].astype(np.int32), ends[:, 1].astype(np.int32),
             np.ones(len(ends), dtype=np.float32))
    labels = themes_linkage._component_labels(count, pairs)
    graph = sparse.coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(count, count))
    expected = connected_components(graph, directed=False)[1]
    assert themes_linkage._members_by_label(labels) == themes_linkage._members_by_label(expected)
    assert all(labels[group[0]] == group[0] for group in themes_linkage._members_by_label(labels))
