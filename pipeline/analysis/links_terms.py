"""Term evidence for links: how telling a term is, whether a unit holds it, leads, references.

Pure functions over strings used by :mod:`pipeline.analysis.links`.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Sequence

# 针对基层反映的晋升、待遇……等问题，建议 / 鉴于事业干部人才成长“天花板”现象突出
RE_REFERENCE = re.compile(
    r"(?:针对|鉴于|对于|面对|为解决|为破解)(?P<clause>[^。；！？]{2,80}?)"
    r"(?:问题|现象|短板|不足|困难|矛盾|难题|情况|状况)"
)
# 针对上述问题 / 针对调研中发现的问题: names no problem in particular.
RE_GENERIC_CLAUSE = re.compile(r"^(?:上述|以上|前述|这些|此类|这一|这类|存在的|调研中?发现的)")
# A plan's goals, not its measures: 全省生产总值增长5%左右, 群众生活品质不断提高,
# 现代化产业体系建设取得决定性进展 (a measure says what to do: 提高群众生活品质).
RE_GOAL_HEADLINE = re.compile(
    r"(?:取得[^，。；]{0,8}(?:进展|突破|成效|成果|胜利)"
    r"|(?:明显|显著|大幅|全面|持续|稳步|不断|进一步|基本|较快|同步)"
    r"(?:提升|提高|增强|改善|跃升|增长|扩大|优化|下降|降低|加快|实现|形成|完善|巩固|健全)"
    r"|\d+(?:\.\d+)?%(?:以上|以内|左右)?|左右|以上|以内|同步|相适应)$"
)
# A target figure: 达到296亿元, 控制在3%以内, 突破1000万人次 (a measure's count,
# 完成老旧小区改造600个, names no such verb).
RE_TARGET_FIGURE = re.compile(
    r"(?:增长|达到|突破|超过|控制在|下降|降低|提高到|提升到|保持在|稳定在)[^，,；;]{0,12}?"
    r"\d+(?:\.\d+)?(?:%|[亿万千百]?(?:元|人次|人|吨|户|千瓦|标箱|个|家|项))?"
    r"(?:以上|以内|左右)?$"
)
RE_GOAL_CLAUSE_BREAK = re.compile(r"[，,；;]")
# A plan for several years (“十五五”时期主要目标任务, 今后五年) beside the year's plan
# (2026年重点工作, 今年工作安排), which is what answers the year's difficulties. The first
# year of a five-year plan is named as its start: 推动“十五五”开好局、起好步, 开局之年.
RE_MULTI_YEAR = re.compile(r"[一二三四五六七八九十]{1,2}五|五年|时期")
RE_ONE_YEAR = re.compile(r"\d{4}年|今年|明年|本年度|开局|开好局|起好步|起步之年|第一年")
RE_LEAD_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；\n]?")
LEAD_SENTENCES = 2  # headline sentence + the first body sentence
LEAD_CHARS = 200


# Linking one report normalises each of its texts about five times (features, leads,
# clauses, concepts), and Chinese text is never NFKC-normal (its full-width ，：；（）), so
# each call is the slow path: the last few thousand are kept (about 1 MB).
@functools.lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """NFKC with all whitespace removed: the gold's comparison form."""
    return "".join(unicodedata.normalize("NFKC", text).split())




def contrast_weights(texts: Sequence[str]) -> Callable[[str], float]:
    """Term weight ``log((1 + n) / (1 + df)) + 0.1`` with df counted over ``texts``."""
    memo: dict[str, float] = {}

    def weight(term: str) -> float:
        if term not in memo:
            df = sum(term in text for text in texts)
            memo[term] = math.log((1 + len(texts)) / (1 + df)) + 0.1
        return memo[term]

    return weight


def found(term: str, text: str) -> float:
    """1 when ``term`` occurs in ``text``; for 3+ characters, the share of its character
    bigrams found when at least two are (专业培训 in 专业化培训 → 2/3); else 0."""
    if term in text:
        return 1.0
    if len(term) < 3:
        return 0.0
    found = sum(term[i : i + 2] in text for i in range(len(term) - 1))
    return found / (len(term) - 1) if found >= 2 else 0.0


def coverage(terms: Sequence[str], text: str, weight: Callable[[str], float]) -> float:
    """Weighted share of ``terms`` found in ``text``."""
    total = sum(weight(t) for t in terms)
    return sum(weight(t) * found(t, text) for t in terms) / total if total else 0.0


def specific_coverage(terms: Sequence[str], text: str, weight: Callable[[str], float],
                      n_texts: int) -> float:
    """Like ``coverage``, but each term counts its weight relative to a term held by this
    text alone (``contrast_weights`` over ``n_texts``): a term every text holds counts little
    even when it is the only term, so a long section naming everything matches nothing."""
    terms = list(terms)
    if not terms:
        return 0.0
    alone = math.log((1 + n_texts) / 2) + 0.1
    return sum(weight(t) * found(t, text) for t in terms) / (alone * len(terms))


def is_goal(headline: str) -> bool:
    """A headline each of whose clauses states an outcome to reach or a target figure
    (地区生产总值增长8%，达到296亿元) rather than a measure to take (着力缩小城乡差距，
    协调发展水平明显提升 names its measure first)."""
    clauses = RE_GOAL_CLAUSE_BREAK.split(normalise(headline).rstrip("。；;，,：:"))
    return all(RE_GOAL_HEADLINE.search(c) or RE_TARGET_FIGURE.search(c) for c in clauses)


def is_multi_year_plan(headline: str, opening: str = "") -> bool:
    """A plan section for several years and not for one (“十五五”时期主要目标任务, not
    “十五五”时期目标任务和2026年工作安排); a headline naming neither (一张蓝图绘到底) is
    read with the section's ``opening`` sentence (“十五五”时期是……关键时期)."""
    text = normalise(headline)
    if not (RE_MULTI_YEAR.search(text) or RE_ONE_YEAR.search(text)):
        text = normalise(opening)
    return bool(RE_MULTI_YEAR.search(text)) and not RE_ONE_YEAR.search(text)


def lead(text: str) -> str:
    sentences = RE_LEAD_SENTENCE.findall(text)
    return normalise("".join(sentences[:LEAD_SENTENCES]))[:LEAD_CHARS]


def reference_clauses(text: str) -> list[str]:
    """Specific 针对/鉴于……问题 clauses of a text (not 针对上述问题)."""
    clauses = (normalise(m["clause"]) for m in RE_REFERENCE.finditer(text))
    return [c for c in clauses if not RE_GENERIC_CLAUSE.match(c)]
