"""Themes across reports: problem units (and causes) that name the same problem, and
countermeasure units that propose the same kind of measure, whatever their wording.

A unit is three TF-IDF blocks: the content words of its opening (``lead_chars``: later
come examples, figures and place names), the words its headline holds counted
``headline_boost`` times more; the headline's character 2–3-grams (which absorbs jieba
cutting 待遇偏低 one way in one report and another way in the next); and the policy
concepts (``pipeline/resources/concepts.toml``) of headline and opening, so 有效需求不足 and
消费、投资增长动力偏弱 meet on ``demand`` with no word in common. A list's template is
dropped from its items first: in 党性不强不想担当作为 / 能力不足不会担当作为 /
心存顾虑不敢担当作为, 担当作为 says what the list is about, the rest what each item is.
Measured against a hand grouping of the seeds (pairwise F1 of same-theme decisions across
reports): the concept block took it from 0.56 to 0.67, the template from 0.42 to 0.56, the
headline's concepts counted ``headline_boost`` times more (as its words) 0.68 → 0.73; LSI
and word2vec trained on the corpus were no better, so neither is offered. A unit's text
spans its sub-points, so a heading is read by its own opening (up to its first
sub-point), or, when it has none, by its headline and its points' headlines
(``themes_vectors.own_texts``): read whole, 着力强化内需主导作用 was its first point
提振消费. Against the theme gold of the provincial reports (tests/gold/themes-provinces.json,
development pairs) that took countermeasures from 0.62 to 0.68 (mean F1 over cuts
0.08–0.12 × headline weights 0.3–0.5); problems stayed at 0.57.

Units are grouped by average-linkage agglomerative clustering cut at a cosine similarity
(``min_similarity``: two groups merge only while the mean similarity between their members
reaches it), never into a fixed number of clusters. Items of one list (same report, same
parent) are held at similarity 0, and a group that still holds two of them keeps only the
most central: an author who lists two problems side by side means two problems
(``apart_siblings``). The items it gives up join the group they are most like on average
(at the cut, no sibling there) or start one: left out for a sibling, they were most of the
unassigned units (465 of 2,174 measures of the real corpus; now 49). A list is a report's
own list of points; the sub-points of a point (加大关爱力度 over 政治激励 / 经济待遇 /
人文关怀) are its facets and may share a theme: held apart, they split the seeds' concerns
(pairwise F1 0.57; the rule without siblings 0.71, with sub-points free 0.68). A unit
and its own sub-point are held apart in the tree (``apart_parents``): two levels of a plan
(扩大内需 over 提振消费, 扩大有效投资) name two measures; on the provincial gold
(development pairs, same grid) countermeasures 0.68 → 0.70, problems 0.57 → 0.58.
That alone let 扩大内需 headings and other reports' 提振消费 points merge (465 of the 1,340
wrong countermeasure pairs), so a unit is also held apart from every unit more like its
parent or one of its sub-points than like it (``apart_levels``): that unit is at the
other level. Precision then allows a lower cut for countermeasures
(``min_similarity_countermeasure``). Problems are split the other way (有效需求不足 /
消费、投资增长动力不足 / 供强需弱: pairs at 0.07–0.12), so groups whose normalised centroids
(what their members share) reach ``merge_similarity`` merge after the cut
(``themes_linkage.merge_groups``); for countermeasures that only adds noise (off). On the
provincial gold (pairwise F1, development / held-out pairs): countermeasures 0.71 / 0.74
→ 0.79 / 0.78, problems 0.58 / 0.58 → 0.63 / 0.65; the seeds' 0.73 → 0.70. Such a merge is
for one concern in two wordings, and what names a concern whatever its wording is its
concepts: two groups merge only when their concept centroids agree too
(``merge_concept_similarity``), or they met on a frame (经济……的基础还不牢固 / 环境质量改善的
基础还不牢固) or one ambiguous word (监督约束 / 资源环境约束). Problems at the defaults:
development 0.628 → 0.628, held-out 0.652 → 0.645, the seeds' 0.76 → 0.81; the mean over
cuts 0.09–0.11 × headline weights 0.3–0.5 0.611 → 0.624 (development), 0.625 → 0.638
(held-out): the cut matters less. Corpus-trained
word2vec (150 s for 64 reports, neighbours mostly noise) and the linked measures' themes
as evidence for problems (a block, or a factor on the similarity) did not help. Nor did
these, for problems (development pairs, before the concept condition: F1 at the
defaults 0.628; a figure marked mean is over the grid above, 0.611): words
dropped as a "frame" when the headlines that hold them share no concept (基础, 压力,
水平: 0.603 at best); only a headline's subject boosted, not what follows 仍/还/有待 (0.52);
word IDF over both kinds' units (0.57); no hard one-item-per-list rule (0.635, seeds
0.76 → 0.81, but held-out 0.652 → 0.643), or siblings kept together when alike (0.639,
held-out 0.632); a unit held apart from the items of a list less like it than its best
match there (0.608 mean); the parent rule off for listed clauses (0.52: holding a clause
apart from what is more like its paragraph is what keeps other concerns out); lone units
joining a group's centroid, and a centroid merge on concepts alone (no change or worse).
Dev problem pairs are few (86 wrong, 94 missed at the defaults), so ±0.01 is noise.
Nor a similarity fitted to the theme gold (``scripts/theme_ceiling.py``: a logistic
regression on the three blocks' cosines, at most 0.62 / 0.71 held-out for problems /
measures under plain average linkage, against the cosine's 0.61 / 0.75 and these themes'
0.66 / 0.77), nor Louvain communities (networkx) of the graph of pairs above a cut in
place of average linkage (held-out, all pairs: at most 0.64 over cuts 0.06–0.16 ×
resolutions 0.5–32, against 0.70 for plain average linkage), nor general-domain word
vectors (cnsyn 1.2.0's 130,000 × 75 on PyPI, IDF-weighted over a unit's words, as a fourth
signal of that fitted similarity: held-out pairwise F1 0.632 → 0.636 for problems,
0.720 → 0.712 for measures; its pickle needs patching to load with today's scikit-learn).
Average linkage cannot merge across components of the graph of pairs above the cut, so
each component is clustered alone; memory follows the largest one (9,000 units ≈ 650 MB
with scipy's copy),
and a component above ``themes_linkage.MAX_COMPONENT`` is split with a stricter cut (logged;
the clustering itself is in ``pipeline.analysis.themes_linkage``). The pairs
above the cut are computed once (12 bytes a pair) and each stricter cut filters them, so a
blob split at 0.15, 0.2, … costs one all-pairs product, not one per cut. Groups smaller
than ``min_members`` are left unassigned rather than forced.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from pipeline.analysis.links import GraphUnit, linkable_units
from pipeline.analysis.textvec import group_of
from pipeline.analysis.themes_linkage import average_linkage, merge_groups, similarities
from pipeline.analysis.themes_vectors import (
    VectorSpace,
    fit_vectors,
    template_terms,
    unit_terms,
)

logger = logging.getLogger(__name__)

KINDS = ("problem", "countermeasure")
# A theme's centrality and cohesion come from its members' square of similarities up to
# this many members (100 MB of float32 at most), from the sum of their vectors beyond.
DENSE_THEME_MAX = 5_000


@dataclass(frozen=True)
class ThemeOptions:
    """Settings of theme clustering (section ``[themes]`` of diaoyan.toml)."""

    # Cosine similarity at which average linkage stops merging problem themes; below it,
    # unassigned.
    min_similarity: float = 0.1
    # The same cut for countermeasure themes (their headings share more words).
    min_similarity_countermeasure: float = 0.06
    # Groups (of two or more) whose normalised centroids reach this cosine are merged after
    # the cut: one concern in two wordings, each a tight group. 0 = no merging.
    merge_similarity: float = 0.15
    # The same for countermeasure themes (cut lower already: merging only adds noise).
    merge_similarity_countermeasure: float = 0.0
    # Two groups merge after the cut only when the cosine of their concept centroids (the
    # policy-concept block) reaches this too: one concern in two wordings, not two concerns
    # in one frame (……的基础还不牢固). 0 = no such condition.
    merge_concept_similarity: float = 0.3
    # Characters of a unit's text whose words represent it; 0 = the whole text.
    lead_chars: int = 300
    # Extra counts of the words the headline holds (the headline states the point).
    headline_boost: int = 2
    # Words in more than this share of units are dropped (sets of MIN_UNITS_FOR_MAX_DF+).
    max_df: float = 0.5
    # Weight of the headline character n-gram block against the word block.
    headline_weight: float = 0.4
    ngram_min: int = 2
    ngram_max: int = 3
    # A theme needs this many units; smaller groups stay unassigned.
    min_members: int = 2
    # Weight of the policy-concept block (concepts of the headline and opening).
    concept_weight: float = 0.5
    # A word or character n-gram in more than this share of the headlines of one list
    # (3+ siblings of one report) is the list's template, not its items' topic.
    template_share: float = 0.5
    # Items of one list (same report, same parent; not the sub-points of one point) never
    # share a theme.
    apart_siblings: bool = True
    # A unit and its own sub-point (扩大内需 over 提振消费) are held apart in the tree:
    # two levels of a plan name two measures.
    apart_parents: bool = True
    # With apart_parents, a unit is also held apart from every unit more like its parent
    # or one of its sub-points than like it: that one is at the other level of the plan.
    apart_levels: bool = True
    # Key terms in a theme's label.
    label_terms: int = 3
    min_word_chars: int = 2
    # Between full clusterings new reports' units join the nearest stored theme (or none);
    # 0 = cluster everything on every change.
    recluster_share: float = 0.1  # re-cluster once docs changed since the last exceed this share
    # A full clustering costs the square of its units: beyond this many of one kind it
    # clusters the units of a fixed sample of whole reports (those whose id hashes lowest)
    # and the other reports' units join those themes as a nightly update's would (or
    # none). 0 = no limit.
    max_fit_units: int = 15_000

    def cut(self, kind: str) -> float:
        """The similarity cut of ``kind``'s themes."""
        return self.min_similarity_countermeasure if kind == "countermeasure" \
            else self.min_similarity

    def merge_cut(self, kind: str) -> float:
        """The centroid cosine at which ``kind``'s groups merge (0: never)."""
        return self.merge_similarity_countermeasure if kind == "countermeasure" \
            else self.merge_similarity

    def __post_init__(self) -> None:
        if not 0 <= self.recluster_share <= 1:
            raise ValueError("themes: recluster_share must be in [0, 1]")
        if self.max_fit_units < 0:
            raise ValueError("themes: max_fit_units must be 0 (no limit) or more")


@dataclass(frozen=True)
class Theme:
    """A group of units from one or more reports that name the same problem or measure."""

    theme_id: str  # "P-…" / "C-…", from the most central member, so stable as reports arrive
    kind: str  # problem | countermeasure
    label: str  # key terms + the most central headline
    terms: tuple[str, ...]
    headline: str  # the most central member's headline
    members: tuple[str, ...]  # unit ids, sorted
    docs: tuple[str, ...]
    places: tuple[str, ...]
    cohesion: float  # mean cosine similarity between members


@dataclass(frozen=True)
class ThemeResult:
    """Themes of one kind, with every candidate unit's theme (None when unassigned)."""

    kind: str
    themes: tuple[Theme, ...]
    assignments: Mapping[str, str | None] = field(default_factory=dict, hash=False)
    min_similarity: float = 0.0

    @property
    def unassigned(self) -> tuple[str, ...]:
        """Unit ids that joined no theme."""
        return tuple(sorted(u for u, t in self.assignments.items() if t is None))


def theme_candidates(units: Iterable[GraphUnit], kind: str) -> list[GraphUnit]:
    """The units of ``kind`` that can join a theme: section headings left out, sorted."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    by_doc: dict[str, list[GraphUnit]] = {}
    for unit in units:
        by_doc.setdefault(unit.doc_id, []).append(unit)
    chosen = [u for doc_units in by_doc.values() for u in linkable_units(doc_units)
              if group_of(u.label) == kind]
    return sorted(chosen, key=lambda u: u.unit_id)


def cluster_themes(units: Sequence[GraphUnit], options: ThemeOptions = ThemeOptions(),
                   kind: str = "problem") -> ThemeResult:
    """Problem themes (problem + cause units) or countermeasure themes across reports."""
    return fit_themes(units, options, kind)[0]


def fit_themes(units: Sequence[GraphUnit], options: ThemeOptions = ThemeOptions(),
               kind: str = "problem") -> tuple[ThemeResult, ThemeSpace | None]:
    """Themes as ``cluster_themes``, and the fitted space with every candidate's vector
    (None when too few units), which ``themes_update`` assigns later units with."""
    candidates = theme_candidates(units, kind)
    assignments: dict[str, str | None] = {u.unit_id: None for u in candidates}
    if len(candidates) < max(2, options.min_members):
        return ThemeResult(kind, (), assignments, options.cut(kind)), None
    words = unit_terms(candidates, options)
    template = template_terms(candidates, options)
    words = {u: [w for w in ws if w not in template.get(u, ())] for u, ws in words.items()}
    space, matrix, vocabulary, word_block = fit_vectors(candidates, words, options, template)
    themes = []
    lists = _list_numbers(candidates) if options.apart_siblings else None
    parents = _parent_rows(candidates) if options.apart_parents else None
    groups = average_linkage(matrix, options.cut(kind), lists=lists, parents=parents,
                             levels=options.apart_levels)
    if options.merge_cut(kind) > 0:
        # the concept block is the last columns (none found: no condition to apply)
        found = len(space.concepts.vocabulary)
        concepts = matrix[:, matrix.shape[1] - found:] if found else None
        groups = merge_groups(matrix, groups, options.merge_cut(kind), options.cut(kind), lists,
                              concepts, options.merge_concept_similarity)
    for rows in groups:
        if len(rows) >= options.min_members:
            themes.append(_theme(kind, [candidates[i] for i in rows], matrix[rows],
                                 word_block[rows], vocabulary, options))
    for theme in themes:
        assignments.update(dict.fromkeys(theme.members, theme.theme_id))
    themes.sort(key=lambda t: (-len(t.members), t.theme_id))
    fitted = ThemeSpace(kind, space, tuple(u.unit_id for u in candidates), matrix, word_block)
    return ThemeResult(kind, tuple(themes), assignments, options.cut(kind)), fitted


@dataclass(frozen=True)
class ThemeSpace:
    """A fit's vector space and the vectors of the units it holds (rows in ``unit_ids``)."""

    kind: str
    space: VectorSpace
    unit_ids: tuple[str, ...]
    matrix: sparse.csr_matrix = field(hash=False, compare=False)  # unit vectors (norm ≤ 1)
    word_block: sparse.csr_matrix = field(hash=False, compare=False)  # word TF-IDF rows


def _list_numbers(candidates: Sequence[GraphUnit]) -> np.ndarray:
    """A number per unit, shared by the items of one list (same report, same parent).

    Only a report's own list of points is one: the sub-points of a point (their parent
    a candidate itself: 加大关爱力度 over 加大政治激励 / 提高经济待遇 / 加大人文关怀) are
    facets of that point, each numbered alone."""
    points = {u.unit_id for u in candidates}
    numbers: dict[tuple[str, str | None], int] = {}
    return np.array([numbers.setdefault((u.doc_id, u.parent_id) if u.parent_id not in points
                                        else (u.doc_id, u.unit_id), len(numbers))
                     for u in candidates], dtype=np.int64)


def _parent_rows(candidates: Sequence[GraphUnit]) -> np.ndarray:
    """The row of each unit's parent among the candidates, -1 when it has none there."""
    row_of = {u.unit_id: row for row, u in enumerate(candidates)}
    return np.array([row_of.get(u.parent_id, -1) if u.parent_id else -1 for u in candidates],
                    dtype=np.int64)


def _theme(kind, members, vectors, word_block, vocabulary, options: ThemeOptions) -> Theme:
    centrality, cohesion = _centrality(vectors)
    # members are sorted by unit id, so argmax breaks ties towards the smallest id
    central = members[int(np.argmax(centrality))]
    weights = np.asarray(word_block.sum(axis=0)).ravel()
    order = sorted(range(len(vocabulary)), key=lambda i: (-weights[i], vocabulary[i]))
    terms = tuple(str(vocabulary[i]) for i in order[: options.label_terms] if weights[i] > 0)
    prefix = "P" if kind == "problem" else "C"
    digest = hashlib.sha1(f"{kind}:{central.unit_id}".encode()).hexdigest()[:10]
    return Theme(
        theme_id=f"{prefix}-{digest}",
        kind=kind,
        label=f"{'、'.join(terms)}｜{central.headline}" if terms else central.headline,
        terms=terms,
        headline=central.headline,
        members=tuple(u.unit_id for u in members),
        docs=tuple(sorted({u.doc_id for u in members})),
        places=tuple(sorted({u.place for u in members if u.place})),
        cohesion=round(cohesion, 4),
    )


def _centrality(vectors) -> tuple[np.ndarray, float]:
    """Each member's mean similarity to the others, and the mean over all pairs.

    Up to ``DENSE_THEME_MAX`` members from the square of similarities; beyond, from the
    sum of the vectors (the same means, v·(Σv) − v·v over n − 1), as a theme that a 10,000-
    report corpus assigns tens of thousands of units to would need gigabytes for it."""
    count = vectors.shape[0]
    if count <= DENSE_THEME_MAX:
        similarity = similarities(vectors)
        np.fill_diagonal(similarity, np.nan)
        return (np.nan_to_num(np.nanmean(similarity, axis=1)),
                float(np.nanmean(similarity)))
    vectors = sparse.csr_matrix(vectors)
    total = np.asarray(vectors.sum(axis=0)).ravel()
    own = np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel()
    to_others = (np.asarray(vectors @ total).ravel() - own) / (count - 1)
    return to_others, float(to_others.mean())


def score_themes(assignments: Mapping[str, str | None],
                 gold_groups: Mapping[str, Sequence[tuple[str, str]]],
                 keep_pair: Callable[[str, str], bool] | None = None) -> dict:
    """Pairwise precision/recall/F1 of same-theme decisions between gold items of
    different documents. ``gold_groups``: group name → [(doc_id, unit_id), …];
    ``keep_pair(doc_a, doc_b)`` chooses the pairs scored (all by default)."""
    items = sorted((doc, unit, group) for group, members in gold_groups.items()
                   for doc, unit in members)
    counts = Counter()
    for (doc_a, unit_a, group_a), (doc_b, unit_b, group_b) in itertools.combinations(items, 2):
        if doc_a == doc_b or (keep_pair is not None and not keep_pair(doc_a, doc_b)):
            continue
        theme_a, theme_b = assignments.get(unit_a), assignments.get(unit_b)
        predicted = theme_a is not None and theme_a == theme_b
        gold = group_a == group_b
        counts[(predicted, gold)] += 1
    true_pos = counts[(True, True)]
    precision = true_pos / (true_pos + counts[(True, False)]) if true_pos else 0.0
    recall = true_pos / (true_pos + counts[(False, True)]) if true_pos else 0.0
    f1 = 2 * precision * recall / (precision + recall) if true_pos else 0.0
    return {"pairs": sum(counts.values()), "gold_same": true_pos + counts[(False, True)],
            "predicted_same": true_pos + counts[(True, False)], "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4)}
