"""Links within one report: which countermeasure units answer which problem or cause units.

The units themselves, the report's candidates and the pairs its layout draws are in
``pipeline.analysis.links_units``, each pair's evidence in ``pipeline.analysis.links_features``;
here they are scored and chosen.

Evidence for a (problem, countermeasure) pair, summed with the weights of ``LinkOptions``:

- structure: problems and countermeasures numbered in parallel lists of one length
  (一是…四是 / 一要…四要; an unnumbered lead-in paragraph before either list is skipped)
  holding the same place, or alone together under one heading;
- terms: key terms of each unit's headline found in the other's text, as substrings (事业
  干部 finds 事业干部人才 however jieba cut it), weighted by how few of the report's other
  candidates hold them; the geometric mean of both directions;
- headline: the problem's key terms in the countermeasure's headline, which says what it
  does (房地产市场仍在调整 → 着力稳定房地产市场);
- concepts: policy concepts (``pipeline/resources/concepts.toml``) of the problem found in
  the countermeasure's headline, and those of the countermeasure's opening found in the
  problem, averaged and weighted like terms: 有效需求不足 and 促进消费和投资良性互动 share
  ``demand`` and no word;
- concept share: how often the countermeasure's text names each of the problem's concepts,
  against the countermeasure naming it most (averaged with the concepts' weights): a plan
  section answers by theme what its headline does not name (部分企业生产经营困难 → the
  section on industry whose body speaks of 企业 and 经营主体 throughout);
- body: the problem's key terms anywhere in the countermeasure's text, each counted by how
  few of the report's countermeasures hold it (a long section's body holds every word);
- text: cosine of the two units' TF-IDF word vectors;
- reference: the countermeasure names what it answers (针对/鉴于……问题) in terms of this
  problem, or opens with 针对上述问题 right after it.

A pair with no evidence on what the countermeasure is about (terms, headline or concepts
below ``min_headline_evidence``, no layout pairing, no reference) scores nothing: body words
and text similarity only add to such evidence. A countermeasure scores at least
``sub_item_share`` × its best sub-item's score, so the sub-item is reached, but is linked
itself only with some evidence of its own (``parent_evidence``): a plan section that merely
holds the answer (政府自身建设 nested by the layout under 统筹发展和安全) is no answer. A summary
that names everything (政府工作的总体要求是……) matches every problem a little: each pair
loses ``hub_penalty`` × the mean of the countermeasure's ``HUB_NEIGHBOURS`` best scores over
distinct problems (as CSLS does for hubs in cross-lingual retrieval), so a unit answering
everything answers nothing in particular. A problem is compared with the report's top
countermeasures (list items; section headings such as 三、2026年重点工作, whose headline is
only plan words, are left out); a pair is kept when it reaches ``threshold`` and
``relative_cut`` × the problem's best score, so an author's explicit pairing crowds out
topical overlap while a problem answered by several measures keeps up to ``max_answers``;
a problem none of whose answers reaches ``threshold`` still keeps its best one when that
reaches ``best_answer_share`` × the threshold (a problem with some evidence gets its best
countermeasure; a clause does not). A problem or clause still without an answer takes the
top measure whose headline is of its concept family (``pipeline.analysis.links_families``:
产业基础薄弱 → 加快新旧动能转换, both industry; the family then counts as evidence on what
the measure is about) when that measure leads the next by ``fallback_margin``: every
difficulty of a work report is answered by some chapter of its plan.
A failing of the government itself (一些干部担当作为不够, 形式主义仍然存在) is answered by the
report's own chapter on the government and its best sub-item, and that chapter answers no
problem of the economy (``pipeline.analysis.links_conduct``).
Sub-items of a kept countermeasure are compared the same way (against the measure's score
without the layout's pairing, which holds for the measure, and with ``sub_item_threshold`` ×
the threshold), so links reach as deep as the evidence; a sub-item of another concern than
the one the problem's headline names is left out (``links_families.of_its_concern``).

Not candidates: the unnumbered preamble of a list of measures (政府工作的总体要求是……,
主要预期目标是……) with its items, and one-clause goal statements (地区生产总值增长5%左右,
群众生活品质不断提高): they sum up or set targets and answer no problem in particular. Nor
is a section planning several years (“十五五”时期主要目标任务) beside the year's plan
(2026年重点工作, 推动“十五五”开好局、起好步; a headline naming no period is read with its
opening sentence): a work report's year plan answers the year's difficulties. A problem sentence
without a body that names several problems (有效需求不足，部分企业生产经营困难，财政收支矛盾
突出, as a government work report's difficulties paragraph does), or an unnumbered
paragraph whose opening sentence runs to three clauses or more (在看到成绩的同时，……，主要是
A，B，C), is compared clause by clause and only so (the whole sentence's answers would be
drawn for every clause it names); each clause keeps its ``clause_answers`` best measures,
and such a link's first reason names the clause (``clause 财政收支矛盾突出``). Each item of
an enumeration in a clause (县域经济、民营经济、海洋经济发展活力不足) is such a part of its
own, and so split is a bodiless problem of one clause naming several items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, replace

from pipeline.analysis.links_conduct import ONLY, conduct_kind, keep_own_chapter, own_chapters
from pipeline.analysis.links_families import of_its_concern
from pipeline.analysis.links_features import PairContext, PairFeatures
from pipeline.analysis.links_terms import is_goal, normalise
from pipeline.analysis.links_units import (
    GraphUnit,
    Link,
    corpus_idf,
    key_terms,
    linkable_units,
    list_lead_ins,
    multi_year_plans,
    own_words,
    problem_clauses,
    structural_pairs,
    top_ids,
    with_descendants,
)
from pipeline.analysis.textvec import (
    GENERIC_TERMS_TABLE,
    content_words,
    group_of,
    inverse_document_frequency,
)

__all__ = ["GENERIC_TERMS_TABLE", "GraphUnit", "Link", "LinkOptions", "PairScores",
           "content_words", "corpus_idf", "group_of", "key_terms", "link_units", "linkable_units",
           "list_lead_ins", "normalise", "problem_clauses", "score_pairs", "structural_pairs"]

HUB_NEIGHBOURS = 3  # a countermeasure's best-matched problems, whose mean says how broad it is


@dataclass(frozen=True)
class LinkOptions:
    """Settings of the link step (section ``[links]`` of diaoyan.toml)."""

    # Parallel numbering / one heading over both: the author's own pairing, which alone
    # clears the threshold and, through relative_cut, outweighs topical overlap.
    weight_structure: float = 0.6
    # Headline key terms found in the other unit, both ways.
    weight_terms: float = 1.0
    # The problem's key terms in the countermeasure's headline.
    weight_headline: float = 0.5
    # Shared policy concepts (problem → countermeasure headline, and back).
    weight_concepts: float = 0.75
    # How much the countermeasure's text names the problem's concepts, against the measure
    # naming each most: a plan section answers by theme what no headline word names.
    weight_concept_share: float = 0.75
    # A problem (or clause) with no answer otherwise takes the measure whose headline is
    # of its concept family (policy domain: 产业基础薄弱 and 新旧动能转换 are both industry,
    # ``pipeline.analysis.links_families``): the family share, problem → headline and
    # back, then counts this much toward ``min_headline_evidence`` (0: no such fallback) ...
    family_evidence: float = 1.0
    # ... when the next best measure scores below this share of the best (a problem of a
    # domain several chapters share is left unanswered rather than guessed).
    fallback_margin: float = 0.7
    # The problem's key terms anywhere in the countermeasure's text.
    weight_body: float = 0.5
    # Whole-text TF-IDF cosine: catches answers whose headlines share no term.
    weight_text: float = 0.5
    # 针对/鉴于……问题 naming this problem.
    weight_reference: float = 0.5
    # A pair needs at least this much term, headline or concept evidence (or the layout's
    # pairing, or a reference): body words and whole-text similarity alone link nothing.
    min_headline_evidence: float = 0.2
    # A measure answering through a sub-item is linked itself only with this much term,
    # headline or concept evidence of its own (a section that only holds the answer is
    # not one).
    parent_evidence: float = 0.05
    # A countermeasure scores at least this share of its best sub-item's score:
    # 加大关爱力度 answers 待遇偏低 through its 提高经济待遇.
    sub_item_share: float = 0.7
    # A sub-item of a kept measure needs this share of ``threshold``.
    sub_item_threshold: float = 0.5
    # Share of a countermeasure's mean best score taken off each of its pairs.
    hub_penalty: float = 0.25
    # Minimum combined score of a link (after the hub penalty). A problem left without
    # one may still take its domain's chapter (``family_evidence``).
    threshold: float = 0.30
    # A link must also reach this share of the problem's best score among its candidates.
    relative_cut: float = 0.6
    # At most this many answers per problem (or clause) among one list of measures: a
    # problem that matches every section a little is answered by none of them.
    max_answers: int = 2
    # ... and per clause of a sentence naming several problems: a clause names one.
    clause_answers: int = 1
    # Each item of an enumeration in such a clause, or in a bodiless problem of one clause
    # (交通出行、污染防治等方面还有弱项), is compared on its own: the items are answered by
    # different measures.
    split_enumerations: bool = True
    # A problem none of whose answers reaches ``threshold`` keeps its best one among the
    # top measures when that reaches this share of ``threshold`` (1: never): a problem
    # with some evidence gets its best countermeasure.
    best_answer_share: float = 0.85
    # Words shorter than this are ignored (single characters are mostly function words).
    min_word_chars: int = 2


def link_units(
    units: Sequence[GraphUnit],
    options: LinkOptions = LinkOptions(),
    idf: Mapping[str, float] | None = None,
) -> list[Link]:
    """Links from each problem/cause unit of one report to the countermeasures answering it.

    ``idf`` is a corpus IDF (``corpus_idf``); without it document frequency is counted
    over this report's units.
    """
    scored = score_pairs(units, options, idf)
    if scored is None:
        return []
    links: list[Link] = []
    for source in scored.sources:
        # each clause of a sentence naming several problems, else the whole problem: the
        # whole sentence's answers would be drawn for every clause it names
        kept: dict[str, tuple[float, GraphUnit, GraphUnit, bool]] = {}
        for part in scored.clauses[source.unit_id] or [source]:
            chooser = options if part is source else \
                replace(options, max_answers=options.clause_answers, best_answer_share=1.0)
            own = scored.conduct.get(part.unit_id) == ONLY and scored.own_chapters
            answers = _own_answers(part, scored, chooser) if own else \
                _chosen(part, scored, scored.scores, scored.through_sub_item, chooser)
            by_family = not own and not answers and options.family_evidence > 0.0 and \
                _clear_best(part, scored, options.fallback_margin)
            if by_family:
                # every difficulty of a work report is answered somewhere in its plan: one
                # with no answer takes the chapter of its policy domain, when one stands out
                answers = _chosen(part, scored, scored.by_family, scored.family_through,
                                  replace(chooser, max_answers=1, best_answer_share=1.0))
            for score, target in answers:
                if target.unit_id not in kept or score > kept[target.unit_id][0]:
                    kept[target.unit_id] = (score, target, part, by_family or bool(own))
        links += [_make_link(source, target, score,
                             scored.evidence[(part.unit_id, target.unit_id)],
                             None if part is source else part.headline, by_family)
                  for score, target, part, by_family in kept.values()]
    return links


def _own_answers(part: GraphUnit, scored: PairScores,
                 options: LinkOptions) -> list[tuple[float, GraphUnit]]:
    """A failing of the government itself: its own chapter (the best of them when the layout
    splits it), at no less than ``threshold``, and its sub-item that answers best. The
    sub-items are weighed against each other, not against the chapter: the whole chapter
    speaks of the government's conduct more than any one of its parts."""
    one = replace(options, max_answers=1, best_answer_share=1.0)
    value = {c.unit_id: max(scored.by_family[(part.unit_id, c.unit_id)], options.threshold)
             for c in scored.own_chapters}
    chapter = max(scored.own_chapters, key=lambda c: value[c.unit_id])
    return [(value[chapter.unit_id], chapter),
            *_answers(part, scored.children.get(chapter.unit_id, []), options.threshold,
                      scored.children, scored.by_family, one, scored.structured)]


def _clear_best(part: GraphUnit, scored: PairScores, margin: float) -> bool:
    """Whether the part's best top measure by family evidence leads the next one: the
    runner-up scores below ``margin`` × the best."""
    values = sorted((scored.by_family[(part.unit_id, t.unit_id)]
                     for t in scored.children.get(None, [])
                     if (part.unit_id, t.unit_id) not in scored.family_through), reverse=True)
    return bool(values) and values[0] > 0.0 and \
        (len(values) < 2 or values[1] < margin * values[0])


def _chosen(part: GraphUnit, scored: PairScores, scores: Mapping[tuple[str, str], float],
            through: Set[tuple[str, str]], options: LinkOptions) -> list[tuple[float, GraphUnit]]:
    """A problem's (or clause's) answers with these scores, minus measures that answer
    only through a sub-item."""
    return [(score, target) for score, target in
            _answers(part, scored.children.get(None, []), 0.0, scored.children, scores,
                     options, scored.structured)
            if (part.unit_id, target.unit_id) not in through]


@dataclass
class PairScores:
    """Every (problem or clause, countermeasure) pair of one report with its evidence."""

    sources: list[GraphUnit]
    clauses: dict[str, list[GraphUnit]]  # problem id → its clauses (see problem_clauses)
    targets: list[GraphUnit]
    evidence: dict[tuple[str, str], PairFeatures]
    raw: dict[tuple[str, str], float]  # weighted evidence, sub-items inherited
    scores: dict[tuple[str, str], float]  # after the hub penalty
    # countermeasure id (None: the top ones) → the countermeasures under it
    children: dict[str | None, list[GraphUnit]]
    structured: set[tuple[str, str]]  # pairs the layout pairs (parallel lists, one heading)
    through_sub_item: set[tuple[str, str]]  # pairs with no evidence but a sub-item's
    # the same, with a shared concept family as evidence on what a measure is about
    by_family: dict[tuple[str, str], float]
    family_through: set[tuple[str, str]]
    # the government's own chapter(s) and each problem or clause's conduct kind (links_conduct)
    own_chapters: list[GraphUnit]
    conduct: dict[str, str]


def score_pairs(units: Sequence[GraphUnit], options: LinkOptions = LinkOptions(),
                idf: Mapping[str, float] | None = None) -> PairScores | None:
    """The scored pairs ``link_units`` chooses from; None without problems or measures."""
    linkable = linkable_units(units, options.min_word_chars)
    sources = [u for u in linkable if group_of(u.label) == "problem"]
    # a lead-in's items (主要预期目标是 → 城镇新增就业50万人) set targets or sum up too
    lead_ins = with_descendants(units, list_lead_ins(units))
    horizon, top = multi_year_plans(units), top_ids(units)
    targets = [u for u in linkable if group_of(u.label) == "countermeasure"
               and u.unit_id not in lead_ins and not is_goal(u.headline)
               and top[u.unit_id] not in horizon]
    if not sources or not targets:
        return None
    if idf is None:
        idf = inverse_document_frequency(own_words(units, options.min_word_chars).values())
    clauses = {s.unit_id: problem_clauses(s, options.min_word_chars, options.split_enumerations)
               for s in sources}
    parts = [c for s in sources for c in clauses[s.unit_id]]
    context = PairContext(units, sources, targets, options, idf, parts)
    evidence = {(s.unit_id, t.unit_id): context.features(s, t)
                for s in [*sources, *parts] for t in targets}
    pairs = [*sources, *parts]
    raw, scores, through_sub_item = _penalised(
        {pair: context.score(features) for pair, features in evidence.items()},
        evidence, sources, pairs, targets, options)
    _, by_family, family_through = _penalised(
        {pair: context.score(features, by_family=True) for pair, features in evidence.items()},
        evidence, sources, pairs, targets, options)
    target_ids = {t.unit_id for t in targets}
    children: dict[str | None, list[GraphUnit]] = {}
    for target in targets:
        children.setdefault(target.parent_id if target.parent_id in target_ids else None,
                            []).append(target)
    structured = {pair for pair, features in evidence.items() if features.structure}
    chapters = own_chapters(targets)
    conduct = {p.unit_id: conduct_kind(p if p in sources else by_id[p.parent_id], p)
               for by_id in [{s.unit_id: s for s in sources}] for p in pairs}
    keep_own_chapter(units, chapters, conduct, targets, (scores, by_family))
    return PairScores(sources, clauses, targets, evidence, raw, scores, children, structured,
                      through_sub_item, by_family, family_through, chapters, conduct)


def _penalised(own: dict[tuple[str, str], float], evidence: Mapping[tuple[str, str], PairFeatures],
               sources: Sequence[GraphUnit], pairs: Sequence[GraphUnit],
               targets: Sequence[GraphUnit], options: LinkOptions
               ) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float],
                          set[tuple[str, str]]]:
    """(raw, scores after the hub penalty, pairs through a sub-item only) from each pair's
    own score: sub-items inherited, each measure's breadth taken off."""
    raw = dict(own)
    _inherit(raw, pairs, targets, options.sub_item_share)
    # Breadth over distinct problems: the sub-items of one problem are one concern.
    source_ids = {s.unit_id for s in sources}
    distinct = [s for s in sources if s.parent_id not in source_ids]
    breadth = {t.unit_id: _mean_best([raw[(s.unit_id, t.unit_id)] for s in distinct])
               for t in targets}
    scores = {(s, t): value - options.hub_penalty * breadth[t] for (s, t), value in raw.items()}
    # a measure that answers only through one of its sub-items is not linked itself
    through = {pair for pair, value in own.items() if value <= 0.0 < raw[pair]
               and max(evidence[pair].terms, evidence[pair].headline,
                       evidence[pair].concepts) < options.parent_evidence}
    return raw, scores, through


def _answers(source: GraphUnit, candidates: Sequence[GraphUnit], parent_score: float,
             children: Mapping[str | None, list[GraphUnit]],
             scores: Mapping[tuple[str, str], float], options: LinkOptions,
             structured: Set[tuple[str, str]] = frozenset()) -> list[tuple[float, GraphUnit]]:
    """(score, countermeasure) for the best of ``candidates``, then for the best sub-items
    of each one kept: a sub-item must also reach ``relative_cut`` × its parent's score, so it
    is named only when it answers the problem about as well as the whole measure does."""
    if parent_score:  # a sub-item answers the concern the problem's headline names
        candidates = of_its_concern(source, candidates)
    scored = [(scores[(source.unit_id, t.unit_id)], t) for t in candidates]
    if not scored:
        return []
    best = max(parent_score, max(score for score, _ in scored))
    # a sub-item of a measure already kept needs less evidence of its own
    threshold = options.threshold * (options.sub_item_threshold if parent_score else 1.0)
    floor = max(threshold, options.relative_cut * best)
    if not parent_score and 0.0 < options.best_answer_share * threshold <= best < floor:
        # a problem with some evidence keeps its best answer among the top measures
        floor = best
    kept = []
    chosen = sorted((pair for pair in scored if pair[0] >= floor),
                    key=lambda pair: -pair[0])[:options.max_answers]
    for score, target in sorted(chosen, key=lambda pair: pair[1].position):
        kept.append((score, target))
        # the author's pairing holds for the measure, not for each of its sub-items
        topical = score - options.weight_structure * ((source.unit_id, target.unit_id)
                                                      in structured)
        kept += _answers(source, children.get(target.unit_id, []), topical, children, scores,
                         options, structured)
    return kept


def _inherit(raw: dict[tuple[str, str], float], sources: Sequence[GraphUnit],
             targets: Sequence[GraphUnit], share: float) -> None:
    """A countermeasure scores at least ``share`` × its best sub-item's score, deepest first."""
    target_ids = {t.unit_id for t in targets}
    for target in sorted(targets, key=lambda t: -t.position):
        if target.parent_id in target_ids:
            for source in sources:
                child, parent = (source.unit_id, target.unit_id), (source.unit_id, target.parent_id)
                raw[parent] = max(raw[parent], share * raw[child])


def _mean_best(scores: list[float]) -> float:
    best = sorted(scores, reverse=True)[:HUB_NEIGHBOURS]
    return sum(best) / len(best) if best else 0.0


def _make_link(source: GraphUnit, target: GraphUnit, score: float, f: PairFeatures,
               clause: str | None = None, by_family: bool = False) -> Link:
    reasons = [f"clause {clause}"] if clause else []
    reasons += [f.structure] if f.structure else []
    # the family counts only for a problem answered by its domain's chapter
    for name in ("terms", "headline", "concepts", "concept_share",
                 *(("family",) if by_family else ()), "body", "text", "reference"):
        value = getattr(f, name)
        if value >= 0.05:
            reasons.append(f"{name} {value:.2f}")
    return Link(source.doc_id, source.unit_id, target.unit_id, round(score, 4), tuple(reasons))
