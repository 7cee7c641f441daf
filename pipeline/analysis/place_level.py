"""Which level a report speaks for: its level words and the spread of its place names.

A provincial government work report names many cities and counties in passing; a
district's report names its district and, in passing, its city and its province; a city
report may name only its counties. ``speaker_suffix`` reads the level words of a text —
the issuing body in its opening (省人民政府, 区长, 县委组织部, 市审计局) and 全县/我市-style
phrases anywhere — as the ending of the speaking place's name (省, 市, 县, 区, 州, 盟, 旗).
``choose_place`` starts at the best-supported province and descends to a dominant city
and county while the level words (or, without them, the weights) say the report speaks
for a place further down.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipeline.analysis.gazetteer import Gazetteer, RegionOptions

# Bodies that speak for a place: 人民政府, 县委, 人大常委会, 审计局, 海关 (宁波海关).
ORGAN_WORDS = (
    r"(?:人民代表大会|人大|人民政府|政府|政协|委(?!托)|海关|法院|检察院|税务|"
    r"(?:审计|统计|财政|教育|民政|公安|司法|商务|水利|农业农村|自然资源|生态环境|住建|交通运输|"
    r"文旅|卫健|应急管理|市场监管|人社)局)"
)
# A session number before the body: 第十四届人民代表大会, 十六届人大常委会.
SESSION = r"(?:第?[一二三四五六七八九十\d]{1,3}届)?"

# A level character followed by an organ: 省人民政府, 区长, 县委组织部, 市审计局, 自治区主席,
# 市十六届人大常委会 (not 城市政府, 社区委员会, 区长期).
RE_ORGAN = re.compile(
    rf"(?<![城社园小景校厂])(省|市|县|区|州|盟|旗)(?={SESSION}"
    rf"(?:{ORGAN_WORDS}|主席|长(?![期远效久足大江沙城寿春安治三廊河白])))"
)

# Phrases that speak from a level: 全县, 我市, 本区 (not 全区域, 本市场; 该县 is someone else's).
RE_LEVEL_PHRASE = re.compile(r"[全我本](省|市(?!场)|县|区(?![域间块别分])|州|盟|旗)")


@dataclass(frozen=True)
class Evidence:
    """What a text says about its place, per place code (see :mod:`pipeline.analysis.places`)."""

    weights: dict[str, float]  # weight of every mention
    clean: dict[str, float]  # ... of the mentions outside comparisons (赴浙江学习)
    only_weak: bool  # only short or ambiguous names that nothing else supports
    title_places: frozenset[str]  # places the title names, outside comparisons


def speaker_suffix(text: str, title: str | None, opts: RegionOptions) -> tuple[str | None, int]:
    """The name ending of the place the report speaks for (省, 市, 县, 区 …) and its evidence.

    Organ words in the title and the opening count ``organ_weight`` times; 全县-style
    phrases count once each. None when no ending clearly leads.
    """
    head = f"{title or ''}\n{text[: opts.head_chars]}"
    scores: Counter[str] = Counter()
    for match in RE_ORGAN.finditer(head):
        scores[match.group(1)] += opts.organ_weight
    for match in RE_LEVEL_PHRASE.finditer(text):
        scores[match.group(1)] += 1
    ranked = scores.most_common(2)
    if not ranked:
        return None, 0
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if score < opts.suffix_lead * runner_up:
        return None, 0
    return best, score


def _descend(gaz: Gazetteer, node: str, own: dict[str, float], support: dict[str, float],
             suffix: str | None, opts: RegionOptions) -> str:
    """From ``node`` down to the dominant child while the report speaks for a place below."""
    while True:
        children = [c for c in support if gaz.places[c].parent == node and support[c] > 0]
        if not children:
            return node
        best = max(children, key=lambda c: (support[c], c))
        if support[best] < opts.dominance * sum(support[c] for c in children):
            return node  # several cities (counties) share the text: the report is about node
        below_outweighs = support[best] >= own.get(node, 0.0)
        if suffix:
            here = gaz.places[node].name.endswith(suffix)
            below = any(gaz.places[c].name.endswith(suffix) and best in
                        {p.code for p in gaz.chain(c)} for c in support if support[c] > 0)
            if here and not (below and below_outweighs):
                return node
            if not here and not below and not below_outweighs:
                return node
        elif not below_outweighs:
            return node
        node = best


def title_anchor(gaz: Gazetteer, title_places: frozenset[str]) -> str | None:
    """The most specific place the title names, if its places lie on one chain."""
    if not title_places:
        return None
    deepest = max(title_places, key=lambda c: (len(gaz.chain(c)), c))
    chain = {p.code for p in gaz.chain(deepest)}
    return deepest if title_places <= chain else None


def choose_place(gaz: Gazetteer, evidence: Evidence, suffix: str | None, signals: int,
                 opts: RegionOptions) -> str | None:
    """The code of the place a report speaks for, or None when the text does not say.

    The title's place (关于临泽县…的调研报告) is where the descent starts, whoever
    issued the report; otherwise the best-supported province, which must hold
    ``min_share`` of the support.
    """
    support = gaz.subtree_totals(evidence.clean)
    anchor = title_anchor(gaz, evidence.title_places)
    if anchor is None:
        provinces = {c: s for c, s in support.items() if gaz.places[c].level == "province"}
        if not provinces:
            return None
        anchor = max(provinces, key=lambda c: (provinces[c], c))
        everything = gaz.subtree_totals(evidence.weights)
        if provinces[anchor] < opts.min_share * sum(everything.get(c, 0.0) for c in provinces):
            return None
        titled = False
    else:
        titled = True
    node = _descend(gaz, anchor, evidence.clean, support, suffix, opts)
    matches = bool(suffix) and gaz.places[node].name.endswith(suffix)
    if suffix and not matches and not titled and signals >= opts.min_suffix_evidence:
        return None  # 全县 throughout, but no county is named: an anonymised report
    if evidence.only_weak and not matches:
        return None  # a lone short name (新建, 临泽) stands only with matching level words
    bonus = opts.signal_factor * min(signals, opts.max_signals) if matches else 0.0
    strength = support[node] + bonus
    return node if titled or strength >= opts.min_support else None
