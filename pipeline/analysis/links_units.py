"""The units links are drawn between, and what a report's layout says about them.

``GraphUnit`` is a labelled unit as the graph stage reads it, ``Link`` a drawn link. A
report's candidates (:func:`linkable_units`) are its problem and countermeasure units minus
bare section headings over their items; a list's unnumbered preamble
(:func:`list_lead_ins`) and a plan for several years beside the year's plan
(:func:`multi_year_plans`) answer no problem in particular. :func:`structural_pairs` gives
the pairs the layout draws: parallel numbered lists and a lone problem and countermeasure
under one heading. The scoring is in ``pipeline.analysis.links``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, replace

from pipeline.analysis.links_terms import (
    RE_GENERIC_CLAUSE,
    RE_REFERENCE,
    is_multi_year_plan,
    lead,
    normalise,
)
from pipeline.analysis.textvec import (
    GENERIC_TERMS_TABLE,
    content_words,
    group_of,
    inverse_document_frequency,
)

RE_CLAUSE_BREAK = re.compile(r"[，,；;。！？!?：:]")
# An enumeration within a clause: 县域经济、民营经济、海洋经济发展活力不足 names three.
RE_ENUMERATION = re.compile(r"、")
# An unnumbered paragraph's opening sentence of this many clauses names several problems
# (在肯定成绩的同时，我们也清醒认识到，A，B); a heading of two (待遇偏低，留不住人) names one.
MIN_OPENING_CLAUSES = 3
# A clause shorter than this names no problem of its own (仍然不少).
MIN_CLAUSE_CHARS = 4
# A clause that sets the scene (一些干部在从严治党形势下, 在看到成绩的同时) names no problem:
# its answers would be drawn for every problem of the sentence.
RE_CIRCUMSTANCE = re.compile(r"(?:形势|情况|背景|条件|环境|要求)下$|面前$|之际$|的同时$")


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
    reasons: tuple[str, ...]  # e.g. ("ordinal 2/4", "terms 0.41", "concepts 0.80")


def own_words(units: Sequence[GraphUnit], min_chars: int = 2) -> dict[str, Counter[str]]:
    """Each unit's content words minus those of its children (a parent's text holds theirs)."""
    counts = {u.unit_id: Counter(content_words(u.words, min_chars)) for u in units}
    own = dict(counts)
    for unit in units:
        if unit.parent_id in own:
            own[unit.parent_id] = own[unit.parent_id] - counts[unit.unit_id]
    return own


def corpus_idf(units: Iterable[GraphUnit], min_chars: int = 2) -> dict[str, float]:
    """IDF over the own words of every unit of a corpus, to pass to ``link_units``."""
    by_doc: dict[str, list[GraphUnit]] = {}
    for unit in units:
        by_doc.setdefault(unit.doc_id, []).append(unit)
    return inverse_document_frequency(
        own for doc_units in by_doc.values() for own in own_words(doc_units, min_chars).values()
    )


def key_terms(unit: GraphUnit, min_chars: int = 2) -> list[str]:
    """The unit's content words that its headline holds, generic report words removed."""
    headline = normalise(unit.headline)
    words = content_words(unit.words, min_chars)
    return sorted({w for w in words if w in headline and w not in GENERIC_TERMS_TABLE})


def multi_year_plans(units: Sequence[GraphUnit]) -> set[str]:
    """Top countermeasure sections that plan several years (“十五五”时期主要目标任务) in a
    report that also has other top countermeasure sections (2026年重点工作): the year's plan
    answers the year's difficulties; the five-year plan sets the horizon."""
    tops = [u for u in units if u.parent_id is None and group_of(u.label) == "countermeasure"]
    horizon = {u.unit_id for u in tops if is_multi_year_plan(u.headline, lead(u.text))}
    return horizon if len(horizon) < len(tops) else set()


def top_ids(units: Sequence[GraphUnit]) -> dict[str, str]:
    """unit id → the id of the top-level unit it sits in."""
    parent_of = {u.unit_id: u.parent_id for u in units}
    top = {}
    for unit in units:
        unit_id = unit.unit_id
        while parent_of.get(unit_id) in parent_of:
            unit_id = parent_of[unit_id]
        top[unit.unit_id] = unit_id
    return top


def with_descendants(units: Sequence[GraphUnit], ids: Set[str]) -> set[str]:
    """``ids`` and the ids of every unit below one of them."""
    parent_of = {u.unit_id: u.parent_id for u in units}
    found = set(ids)
    for unit in units:
        unit_id = unit.unit_id
        while unit_id is not None and unit_id not in found:
            unit_id = parent_of.get(unit_id)
        if unit_id is not None:
            found.add(unit.unit_id)
    return found


def list_lead_ins(units: Sequence[GraphUnit]) -> set[str]:
    """Unnumbered countermeasure paragraphs before the first numbered item of their list
    (政府工作的总体要求是……, 主要预期目标是……, 实现上述目标，要……): they sum up or
    introduce the measures that follow and answer no problem in particular."""
    lead_ins: set[str] = set()
    siblings: dict[str | None, list[GraphUnit]] = {}
    for unit in sorted(units, key=lambda u: u.position):
        if group_of(unit.label) == "countermeasure":
            siblings.setdefault(unit.parent_id, []).append(unit)
    for items in siblings.values():
        first = next((i for i, u in enumerate(items) if u.ordinal is not None), None)
        numbered = [len(u.text) for u in items if u.ordinal is not None]
        # a preamble is shorter than the measures it introduces; unnumbered measures
        # followed by a list of short items (十件民生实事 1.…10.) are measures themselves
        if first and len(numbered) >= 2 and \
                sum(len(u.text) for u in items[:first]) / first < sum(numbered) / len(numbered):
            lead_ins.update(u.unit_id for u in items[:first])
    return lead_ins


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


def generic_reference_pairs(units, sources, targets) -> set[tuple[str, str]]:
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

    Parallel lists: the numbered top items of a problem (or cause) list and of a
    countermeasure list (siblings just under a section heading, or the sections themselves
    when there are several) of one length, both counting 1, 2, … n, pair by number; an
    unnumbered paragraph among them (the list's lead-in) is skipped. Topic headings: a lone
    problem and a lone countermeasure under one heading that is neither.
    """
    linkable = linkable_units(units)
    kept = {u.unit_id: group_of(u.label) for u in linkable}
    lists: dict[tuple[str | None, str], list[GraphUnit]] = {}
    for unit in linkable:
        # a numbered top item: not a sub-item, nor the list's unnumbered lead-in
        if kept.get(unit.parent_id) != group_of(unit.label) and unit.ordinal is not None:
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


def problem_clauses(unit: GraphUnit, min_chars: int = 2,
                    split_enumerations: bool = True) -> list[GraphUnit]:
    """The clauses of a problem sentence that names several problems, as units of their own.

    A difficulties paragraph (我们也清醒认识到……) often packs several problems into one
    sentence (有效需求不足，部分企业生产经营困难): each clause may be answered by a different
    measure, and the whole sentence's best answer would crowd out the others. A unit without
    a body is split, and so is an unnumbered paragraph whose opening sentence runs to three
    clauses or more (在看到成绩的同时，我们也认识到……，主要是A，B，C); a heading's clauses
    (干部待遇偏低，留不住人 over its body, or a numbered item) describe one problem that its
    body explains.
    """
    headline = normalise(unit.headline)
    has_body = len(normalise(unit.text)) > len(headline) + 2
    opens_paragraph = not unit.marker and \
        len(RE_CLAUSE_BREAK.split(headline)) >= MIN_OPENING_CLAUSES
    if has_body and not opens_paragraph:
        return []
    parts = []
    for number, clause in sentence_clauses(unit, min_chars):
        # an item may be a bare noun (教育、医疗、养老等公共服务)
        items = [item for item in RE_ENUMERATION.split(clause)
                 if _names_something(unit, item, min_chars)]
        if len(items) < 2 or not split_enumerations:
            items = [clause]
        parts += [_part(unit, f"{number}" if len(items) == 1 else f"{number}.{n}", item)
                  for n, item in enumerate(items, start=1)]
    return parts if len(parts) >= 2 else []


def sentence_clauses(unit: GraphUnit, min_chars: int = 2) -> list[tuple[int, str]]:
    """(number, clause) of the unit's headline that name something (four characters or
    more, a content word that is no report word)."""
    return [(number, clause) for number, clause in
            enumerate(RE_CLAUSE_BREAK.split(normalise(unit.headline)), start=1)
            if len(clause) >= MIN_CLAUSE_CHARS and not RE_CIRCUMSTANCE.search(clause)
            and _names_something(unit, clause, min_chars)]


def _names_something(unit: GraphUnit, text: str, min_chars: int) -> bool:
    """Whether a clause (or an item of one) holds a content word that is no report word."""
    words = (w for w in unit.words if w in text)
    return any(w not in GENERIC_TERMS_TABLE for w in content_words(words, min_chars))


def _part(unit: GraphUnit, number: str, text: str) -> GraphUnit:
    return replace(unit, unit_id=f"{unit.unit_id}#{number}", parent_id=unit.unit_id,
                   headline=text, text=text, words=tuple(w for w in unit.words if w in text))
