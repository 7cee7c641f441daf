"""Links within one report: which countermeasure units answer which problem or cause units.

Evidence for a (problem, countermeasure) pair, summed with the weights of ``LinkOptions``:

- structure: problems and countermeasures numbered in parallel lists of one length
  (一是…四是 / 一要…四要) holding the same place, or alone together under one heading;
- terms: key terms of each unit's headline found in the other's text, as substrings (事业
  干部 finds 事业干部人才 however jieba cut it), weighted by how few of the report's other
  candidates hold them; the geometric mean of both directions;
- text: cosine of the two units' TF-IDF word vectors;
- reference: the countermeasure names what it answers (针对/鉴于……问题) in terms of this
  problem, or opens with 针对上述问题 right after it.

A problem is compared with the report's top countermeasures (list items, not section
headings); a pair is kept when it reaches ``threshold`` and ``relative_cut`` × the
problem's best score, so an author's explicit pairing crowds out topical overlap while a
problem answered by several countermeasures keeps them all. Sub-items of a kept
countermeasure are compared the same way, so links reach as deep as the evidence goes.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from pipeline.analysis.links_terms import (
    RE_GENERIC_CLAUSE,
    RE_REFERENCE,
    contrast_weights,
    coverage,
    lead,
    normalise,
    reference_clauses,
)

PROBLEM_LABELS = frozenset({"problem", "cause"})
COUNTERMEASURE_LABEL = "countermeasure"

# Words that say what kind of unit this is rather than what it is about: 存在的突出问题,
# 健全完善……机制, 对策建议. They are never key terms (the tagger's cue words, kept out of
# the stopword list on purpose, are among them).
GENERIC_TERMS_TABLE = frozenset(
    "问题 存在 突出 现象 不足 欠缺 缺乏 较为 十分 明显 有待 不够 不强 不高 不佳 偏低 较少"
    " 严重 加强 强化 推动 推进 健全 完善 建立 优化 提升 提高 加大 力度 坚持 注重 深化 机制"
    " 建设 工作 方面 建议 对策 对策建议 措施 思考 意见 情况 原因 分析 表现 主要 做法 调研"
    " 发现 反映 普遍 部分 一些 当前 目前 充分 矛盾 凸显 需要 要求 进一步 切实 着力 积极"
    " 全面 不断 有效 相关 几点 效果 成效".split()
)
RE_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# Enumeration words jieba keeps whole: 一是, 二要, 第三, 首先, 另一方面 — order, not content.
RE_ENUM_WORD = re.compile(
    r"^(?:[一二三四五六七八九十]+[是要则]|第[一二三四五六七八九十]+|首先|其次|再次|最后|另一?方面)$"
)


@dataclass(frozen=True)
class GraphUnit:
    """A labelled unit of one report, as the graph stage reads it from the store."""

    unit_id: str
    doc_id: str
    parent_id: str | None
    label: str  # problem | cause | countermeasure | practice | background | other
    marker: str  # "一、", "（二）", "一是", "" …
    ordinal: int | None  # the marker's number (一是→1, （三）→3), None when unnumbered
    headline: str  # the unit's heading/lead text
    text: str  # the unit's full text (headline + body, children included)
    words: tuple[str, ...]  # content words of the text (jieba, stopwords removed), in order
    position: int  # order in the document
    section: str  # headline of the top-level section the unit sits in
    place: str | None  # region of the document ("四川省巴中市"), None if unknown


@dataclass(frozen=True)
class Link:
    """A problem or cause unit answered by a countermeasure unit of the same report."""

    doc_id: str
    source_unit: str
    target_unit: str
    score: float
    reasons: tuple[str, ...]  # e.g. ("ordinal 2/4", "terms 0.41", "reference 0.80")


@dataclass(frozen=True)
class LinkOptions:
    """Settings of the link step (section ``[links]`` of diaoyan.toml)."""

    # Parallel numbering / one heading over both: the author's own pairing, which alone
    # clears the threshold and, through relative_cut, outweighs topical overlap.
    weight_structure: float = 0.6
    # Headline key terms found in the other unit: the strongest topical signal.
    weight_terms: float = 1.0
    # Whole-text TF-IDF cosine: catches answers whose headlines share no term.
    weight_text: float = 0.5
    # 针对/鉴于……问题 naming this problem.
    weight_reference: float = 0.5
    # A countermeasure scores at least this share of its best sub-item's score:
    # 加大关爱力度 answers 待遇偏低 through its 提高经济待遇.
    sub_item_share: float = 0.7
    # Minimum combined score of a link.
    threshold: float = 0.15
    # A link must also reach this share of the problem's best score among its candidates.
    relative_cut: float = 0.5
    # Words shorter than this are ignored (single characters are mostly function words).
    min_word_chars: int = 2


@dataclass(frozen=True)
class _Features:
    structure: str | None  # "ordinal 2/4" | "same heading" | None
    terms: float
    text: float
    reference: float
    via_sub_item: bool = False


def group_of(label: str) -> str | None:
    """'problem' for problem and cause units, 'countermeasure' for those, else None."""
    if label in PROBLEM_LABELS:
        return "problem"
    return "countermeasure" if label == COUNTERMEASURE_LABEL else None


@functools.lru_cache(maxsize=1 << 18)
def is_content_word(word: str, min_chars: int = 2) -> bool:
    """Long enough, holding a Han character or letter, and not an enumeration word."""
    return len(word) >= min_chars and bool(RE_CONTENT.search(word)) \
        and not RE_ENUM_WORD.match(word)


def content_words(words: Iterable[str], min_chars: int = 2) -> list[str]:
    """The content words of a word list (numbers, marks and 一是/首先 dropped), in order."""
    return [w for w in words if is_content_word(w, min_chars)]


def own_words(units: Sequence[GraphUnit], min_chars: int = 2) -> dict[str, Counter[str]]:
    """Each unit's content words minus those of its children (a parent's text holds theirs)."""
    counts = {u.unit_id: Counter(content_words(u.words, min_chars)) for u in units}
    own = dict(counts)
    for unit in units:
        if unit.parent_id in own:
            own[unit.parent_id] = own[unit.parent_id] - counts[unit.unit_id]
    return own


def inverse_document_frequency(word_lists: Iterable[Iterable[str]]) -> dict[str, float]:
    """Smoothed IDF, ``log((1 + n) / (1 + df)) + 1``, over the given word lists."""
    df: Counter[str] = Counter()
    count = 0
    for words in word_lists:
        df.update(set(words))
        count += 1
    return {w: math.log((1 + count) / (1 + n)) + 1.0 for w, n in df.items()}


def corpus_idf(units: Iterable[GraphUnit], min_chars: int = 2) -> dict[str, float]:
    """IDF over the own words of every unit of a corpus, to pass to ``link_units``."""
    by_doc: dict[str, list[GraphUnit]] = {}
    for unit in units:
        by_doc.setdefault(unit.doc_id, []).append(unit)
    return inverse_document_frequency(
        own for doc_units in by_doc.values() for own in own_words(doc_units, min_chars).values()
    )


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


def key_terms(unit: GraphUnit, min_chars: int = 2) -> list[str]:
    """The unit's content words that its headline holds, generic report words removed."""
    headline = normalise(unit.headline)
    words = content_words(unit.words, min_chars)
    return sorted({w for w in words if w in headline and w not in GENERIC_TERMS_TABLE})


def link_units(
    units: Sequence[GraphUnit],
    options: LinkOptions = LinkOptions(),
    idf: Mapping[str, float] | None = None,
) -> list[Link]:
    """Links from each problem/cause unit of one report to the countermeasures answering it.

    ``idf`` is a corpus IDF (``corpus_idf``); without it document frequency is counted
    over this report's units.
    """
    linkable = linkable_units(units, options.min_word_chars)
    sources = [u for u in linkable if group_of(u.label) == "problem"]
    targets = [u for u in linkable if group_of(u.label) == "countermeasure"]
    if not sources or not targets:
        return []
    context = _Context(units, sources, targets, options, idf)
    target_ids = {t.unit_id for t in targets}
    roots = [t for t in targets if t.parent_id not in target_ids]
    links: list[Link] = []
    for source in sources:
        links += _answers(source, roots, 0.0, context, options)
    return links


def _answers(source: GraphUnit, candidates: Sequence[GraphUnit], parent_score: float,
             context: _Context, options: LinkOptions) -> list[Link]:
    """Links to the best of ``candidates``, then to the best sub-items of each one kept.

    A sub-item must also reach ``relative_cut`` × its parent's score: it is named only
    when it answers the problem about as well as the whole countermeasure does.
    """
    scored = [context.answer(source, target) for target in candidates]
    if not scored:
        return []
    best = max(parent_score, max(score for score, _, _ in scored))
    floor = max(options.threshold, options.relative_cut * best)
    links = []
    for score, target, features in scored:
        if score >= floor:
            links.append(_make_link(source, target, score, features))
            children = context.children.get(target.unit_id, [])
            links += _answers(source, children, score, context, options)
    return links


def linkable_units(units: Sequence[GraphUnit], min_chars: int = 2) -> list[GraphUnit]:
    """Problem and countermeasure units, minus bare section headings over their items."""
    has_same_child = {(u.parent_id, group_of(u.label)) for u in units if u.parent_id}
    labels_at = Counter((u.parent_id, u.label) for u in units)

    def is_section_heading(unit: GraphUnit) -> bool:
        # 二、存在的突出问题 over （一）…（五）: its links would repeat its children's.
        if (unit.unit_id, group_of(unit.label)) not in has_same_child:
            return False
        alone = unit.parent_id is None and labels_at[(None, unit.label)] == 1
        return alone or not key_terms(unit, min_chars)

    chosen = (u for u in units if group_of(u.label) and not is_section_heading(u))
    return sorted(chosen, key=lambda u: u.position)


class _Context:
    """Per-report tables the pair features read."""

    def __init__(self, units, sources, targets, options: LinkOptions, idf):
        self.options = options
        own = own_words(units, options.min_word_chars)
        idf = dict(idf) if idf is not None else inverse_document_frequency(own.values())
        default = max(idf.values(), default=1.0)
        words = {u.unit_id: [w for w in content_words(u.words, options.min_word_chars)
                             if w not in GENERIC_TERMS_TABLE] for u in units}
        self.vectors = {u.unit_id: tfidf_vector(words[u.unit_id], idf, default) for u in units}
        self.key_terms = {u.unit_id: key_terms(u, options.min_word_chars) for u in units}
        self.texts = {u.unit_id: normalise(u.text) for u in units}
        self.leads = {u.unit_id: lead(u.text) for u in units}
        self.clauses = {u.unit_id: reference_clauses(u.text) for u in targets}
        self.structure = structural_pairs(units)
        self.follows_generic = _generic_reference_pairs(units, sources, targets)
        # A term found in every countermeasure says nothing about which one answers.
        self.weight_in_targets = contrast_weights([self.texts[t.unit_id] for t in targets])
        self.weight_in_sources = contrast_weights([self.texts[s.unit_id] for s in sources])
        self.answers: dict[tuple[str, str], tuple[float, GraphUnit, _Features]] = {}
        target_ids = {t.unit_id for t in targets}
        self.children: dict[str, list[GraphUnit]] = {}
        for target in targets:
            if target.parent_id in target_ids:
                self.children.setdefault(target.parent_id, []).append(target)

    def answer(self, source: GraphUnit, target: GraphUnit) -> tuple[float, GraphUnit, _Features]:
        """(score, target, evidence): the pair's own score or its sub-items' share."""
        key = (source.unit_id, target.unit_id)
        if key not in self.answers:
            features = self.features(source, target)
            inherited = self.options.sub_item_share * max(
                (self.answer(source, c)[0] for c in self.children.get(target.unit_id, [])),
                default=0.0)
            if inherited > self.score(features):
                features = replace(features, via_sub_item=True)
            self.answers[key] = (max(self.score(features), inherited), target, features)
        return self.answers[key]

    def features(self, source: GraphUnit, target: GraphUnit) -> _Features:
        """The four kinds of evidence for one pair."""
        s, t = source.unit_id, target.unit_id
        forward = coverage(self.key_terms[s], self.texts[t], self.weight_in_targets)
        backward = coverage(self.key_terms[t], self.texts[s], self.weight_in_sources)
        # Geometric mean: both units must speak of the other's topic. An arithmetic mean let
        # incidental words (有限编制 in a talent measure) link a 编制 problem to it.
        terms = math.sqrt(forward * backward)
        text = cosine(self.vectors[s], self.vectors[t])
        return _Features(self.structure.get((s, t)), terms, text, self.reference(source, target))

    def reference(self, source: GraphUnit, target: GraphUnit) -> float:
        """How well the countermeasure's 针对……问题 clauses describe this problem."""
        if (source.unit_id, target.unit_id) in self.follows_generic:
            return 1.0
        best = 0.0
        problem_terms, lead = self.key_terms[source.unit_id], self.leads[source.unit_id]
        for clause in self.clauses[target.unit_id]:
            clause_terms = sorted(w for w in self.vectors[target.unit_id] if w in clause)
            # Weighted among problems: the clause must single this problem out.
            best = max(best, coverage(problem_terms, clause, self.weight_in_sources),
                       coverage(clause_terms, lead, self.weight_in_sources))
        return best

    def score(self, f: _Features) -> float:
        """Weighted sum of the evidence."""
        o = self.options
        return (o.weight_structure * (f.structure is not None) + o.weight_terms * f.terms
                + o.weight_text * f.text + o.weight_reference * f.reference)


def _generic_reference_pairs(units, sources, targets) -> set[tuple[str, str]]:
    """(problem, countermeasure) where 针对上述问题 opens the unit right after the problem."""
    order = sorted(units, key=lambda u: u.position)
    source_ids, target_ids = {s.unit_id for s in sources}, {t.unit_id for t in targets}
    pairs = set()
    for before, target in zip(order, order[1:], strict=False):
        if before.unit_id in source_ids and target.unit_id in target_ids and any(
                RE_GENERIC_CLAUSE.match(normalise(m["clause"]))
                for m in RE_REFERENCE.finditer(lead(target.text))):
            pairs.add((before.unit_id, target.unit_id))
    return pairs


def structural_pairs(units: Sequence[GraphUnit]) -> dict[tuple[str, str], str]:
    """(problem id, countermeasure id) → how the report's layout pairs them.

    Parallel lists: the top items of a problem (or cause) list and of a countermeasure
    list (siblings just under a section heading, or the sections themselves when there
    are several) of one length, both counting 1, 2, … n, pair by number. Topic headings:
    a lone problem and a lone countermeasure under one heading that is neither.
    """
    linkable = linkable_units(units)
    kept = {u.unit_id: group_of(u.label) for u in linkable}
    lists: dict[tuple[str | None, str], list[GraphUnit]] = {}
    for unit in linkable:
        if kept.get(unit.parent_id) != group_of(unit.label):  # a top item, not a sub-item
            lists.setdefault((unit.parent_id, unit.label), []).append(unit)
    numbered = [m for m in lists.values()
                if len(m) >= 2 and [u.ordinal for u in m] == list(range(1, len(m) + 1))]
    pairs: dict[tuple[str, str], str] = {}
    for problems in (m for m in numbered if group_of(m[0].label) == "problem"):
        for answers in (m for m in numbered if group_of(m[0].label) == "countermeasure"):
            if len(problems) == len(answers):
                for place, (p, c) in enumerate(zip(problems, answers, strict=True), start=1):
                    pairs[(p.unit_id, c.unit_id)] = f"ordinal {place}/{len(problems)}"
    for p, c in _same_heading_pairs(units):
        pairs.setdefault((p.unit_id, c.unit_id), "same heading")
    return pairs


def _same_heading_pairs(units: Sequence[GraphUnit]) -> list[tuple[GraphUnit, GraphUnit]]:
    by_id = {u.unit_id: u for u in units}
    under: dict[str, dict[str, list[GraphUnit]]] = {}
    for unit in units:
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        if parent is not None and group_of(parent.label) is None and group_of(unit.label):
            under.setdefault(parent.unit_id, {}).setdefault(group_of(unit.label), []).append(unit)
    pairs = []
    for groups in under.values():
        problems, answers = groups.get("problem", []), groups.get("countermeasure", [])
        if len(problems) == 1 and len(answers) == 1:
            pairs.append((problems[0], answers[0]))
    return pairs


def _make_link(source: GraphUnit, target: GraphUnit, score: float, f: _Features) -> Link:
    reasons = [f.structure] if f.structure else []
    for name, value in (("terms", f.terms), ("text", f.text), ("reference", f.reference)):
        if value >= 0.05:
            reasons.append(f"{name} {value:.2f}")
    if f.via_sub_item:
        reasons.append("via sub-item")
    return Link(source.doc_id, source.unit_id, target.unit_id, round(score, 4), tuple(reasons))
