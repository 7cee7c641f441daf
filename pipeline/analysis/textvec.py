"""Text and vector helpers shared by links, themes and reuse: content words, IDF and
TF-IDF vectors, policy concepts (and, from :mod:`pipeline.analysis.links_terms`, the
normal form, leads and weighted coverage of terms).

A concept (``pipeline/resources/concepts.toml``) names a concern in many words: 有效需求不足,
消费需求偏弱 and 投资动力不强 all hold ``demand``; 经济待遇偏低 and 工资补贴少 both hold
``pay_welfare``. Units that share no word can share a concept.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib import resources

import ahocorasick

from pipeline.analysis.links_terms import contrast_weights, coverage, found, lead, normalise

__all__ = ["GENERIC_TERMS_TABLE", "WordTable", "concept_table", "concepts_in", "content_words",
           "contrast_weights", "cosine", "coverage", "found", "group_of",
           "inverse_document_frequency", "is_content_word", "lead", "normalise",
           "tfidf_vector"]

PROBLEM_LABELS = frozenset({"problem", "cause"})
COUNTERMEASURE_LABEL = "countermeasure"
CONCEPTS_RESOURCE = "concepts.toml"

# Words that say what kind of unit this is rather than what it is about: 存在的突出问题,
# 健全完善……机制, 对策建议. They are never key terms (the tagger's cue words, kept out of
# the stopword list on purpose, are among them).
GENERIC_TERMS_TABLE = frozenset(
    "问题 存在 突出 现象 不足 欠缺 缺乏 较为 十分 明显 有待 不够 不强 不高 不佳 偏低 较少"
    " 严重 加强 强化 推动 推进 健全 完善 建立 优化 提升 提高 加大 力度 坚持 注重 深化 机制"
    " 建设 工作 方面 建议 对策 对策建议 措施 思考 意见 情况 原因 分析 表现 主要 做法 调研"
    " 发现 反映 普遍 部分 一些 当前 目前 充分 矛盾 凸显 需要 要求 进一步 切实 着力 积极"
    " 全面 不断 有效 相关 几点 效果 成效 改善"
    # a plan's section titles: 2026年重点工作, “十五五”时期主要目标任务, 今年工作安排
    " 任务 目标 重点 安排 时期 举措 考虑 总体 预期 重大 十五 十四 十三 年度 今年"
    # the opening of a problems paragraph: 我们也清醒认识到，老问题、新挑战仍然不少，主要是
    " 清醒 清醒认识 认识 认识到 看到 肯定 成绩 总结 同时 面临 困难 诸多 诸多困难 挑战 老问题"
    " 新挑战 中老 不少 仍然 依然 还有 不容忽视 前进 道路 过去 一年 发展 经济社会"
    " 我省 我区 我市 我县 全省 全区 全市 全县".split()
)
RE_CONTENT_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# Enumeration words jieba keeps whole: 一是, 二要, 第三, 首先, 另一方面 — order, not content.
RE_ENUM_WORD = re.compile(
    r"^(?:[一二三四五六七八九十]+[是要则]|第[一二三四五六七八九十]+|首先|其次|再次|最后|另一?方面)$"
)


def group_of(label: str) -> str | None:
    """'problem' for problem and cause units, 'countermeasure' for those, else None."""
    if label in PROBLEM_LABELS:
        return "problem"
    return "countermeasure" if label == COUNTERMEASURE_LABEL else None


@functools.lru_cache(maxsize=1 << 18)
def is_content_word(word: str, min_chars: int = 2) -> bool:
    """Long enough, holding a Han character or letter, and not an enumeration word."""
    return len(word) >= min_chars and bool(RE_CONTENT_CHAR.search(word)) \
        and not RE_ENUM_WORD.match(word)


def content_words(words: Iterable[str], min_chars: int = 2) -> list[str]:
    """The content words of a word list (numbers, marks and 一是/首先 dropped), in order."""
    return [w for w in words if is_content_word(w, min_chars)]


def inverse_document_frequency(word_lists: Iterable[Iterable[str]]) -> dict[str, float]:
    """Smoothed IDF, ``log((1 + n) / (1 + df)) + 1``, over the given word lists."""
    df: Counter[str] = Counter()
    count = 0
    for words in word_lists:
        df.update(set(words))
        count += 1
    return {w: math.log((1 + count) / (1 + n)) + 1.0 for w, n in df.items()}


def tfidf_vector(words: Iterable[str], idf: Mapping[str, float], default: float) -> dict:
    """Unit-length sublinear TF-IDF vector of a word list, as a dict."""
    counts = Counter(words)
    vector = {w: (1.0 + math.log(n)) * idf.get(w, default) for w, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {w: v / norm for w, v in vector.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two unit-length sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


@functools.lru_cache(maxsize=1)
def concepts_fingerprint() -> str:
    """A digest of the concept table: links and themes made with other concepts are stale."""
    raw = resources.files("pipeline.resources").joinpath(CONCEPTS_RESOURCE).read_bytes()
    return hashlib.sha1(raw).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def concept_table() -> dict[str, tuple[str, ...]]:
    """concept → the words naming it, from ``pipeline/resources/concepts.toml``."""
    raw = resources.files("pipeline.resources").joinpath(CONCEPTS_RESOURCE).read_text("utf-8")
    return {name: tuple(words) for name, words in tomllib.loads(raw)["concepts"].items()}


class WordTable:
    """A table of names and their words (concept → words), searched for all its words in
    one pass over a text (an Aho-Corasick automaton) rather than one scan per word: the
    graph stage asks this of every unit, and 446 scans a text were most of its links."""

    def __init__(self, table: Mapping[str, tuple[str, ...]]):
        self.table = dict(table)
        self._names_of: dict[str, list[str]] = {}
        self._automaton = ahocorasick.Automaton()
        for name, words in self.table.items():
            for word in words:
                self._names_of.setdefault(word, []).append(name)
                self._automaton.add_word(word, word)
        self._automaton.make_automaton()

    def words_in(self, text: str) -> set[str]:
        """The table's words that occur in ``text``."""
        return {word for _, word in self._automaton.iter(text)} if self._names_of else set()

    def names_in(self, text: str) -> frozenset[str]:
        """The names one of whose words ``text`` holds (built in table order)."""
        hit = {name for word in self.words_in(text) for name in self._names_of[word]}
        return frozenset(name for name in self.table if name in hit)

    def counts_in(self, text: str) -> dict[str, int]:
        """name → how often its words occur in ``text`` (each word counted as
        ``str.count`` does: non-overlapping), for every name of the table."""
        held = self.words_in(text)
        return {name: sum(text.count(word) for word in words if word in held)
                for name, words in self.table.items()}


@functools.lru_cache(maxsize=1)
def concept_words() -> WordTable:
    """``concept_table`` ready to search texts with."""
    return WordTable(concept_table())


@functools.lru_cache(maxsize=1 << 16)
def concepts_in(text: str) -> frozenset[str]:
    """The concepts whose words a (normalised) text holds."""
    return concept_words().names_in(text)
