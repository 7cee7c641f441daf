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
and word2vec trained on the corpus were no better, so neither is offered.

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
(pairwise F1 0.57; the rule without siblings 0.71, with sub-points free 0.68).
Average linkage cannot merge across components of the graph of pairs above the cut, so
each component is clustered alone; memory follows the largest one (10,000 units ≈ 400 MB),
and a component above ``MAX_COMPONENT`` is split with a stricter cut (logged). The pairs
above the cut are computed once (12 bytes a pair) and each stricter cut filters them, so a
blob split at 0.15, 0.2, … costs one all-pairs product, not one per cut. Groups smaller
than ``min_members`` are left unassigned rather than forced.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components

from pipeline.analysis.links import GraphUnit, linkable_units
from pipeline.analysis.textvec import group_of
from pipeline.analysis.themes_vectors import (
    VectorSpace,
    fit_vectors,
    template_terms,
    unit_terms,
)

logger = logging.getLogger(__name__)

KINDS = ("problem", "countermeasure")
CHUNK_ROWS = 1000  # rows of the similarity matrix computed at once
MAX_COMPONENT = 12_000  # units clustered at once: their pairwise distances take ~575 MB
SPLIT_STEP = 0.05


@dataclass(frozen=True)
class ThemeOptions:
    """Settings of theme clustering (section ``[themes]`` of diaoyan.toml)."""

    # Cosine similarity at which average linkage stops merging; below it, unassigned.
    min_similarity: float = 0.1
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
    # Key terms in a theme's label.
    label_terms: int = 3
    min_word_chars: int = 2
    # Between full clusterings new reports' units join the nearest stored theme (or none);
    # 0 = cluster everything on every change.
    recluster_share: float = 0.1  # re-cluster once docs changed since the last exceed this share

    def __post_init__(self) -> None:
        if not 0 <= self.recluster_share <= 1:
            raise ValueError("themes: recluster_share must be in [0, 1]")


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
        return ThemeResult(kind, (), assignments, options.min_similarity), None
    words = unit_terms(candidates, options)
    template = template_terms(candidates, options)
    words = {u: [w for w in ws if w not in template.get(u, ())] for u, ws in words.items()}
    space, matrix, vocabulary, word_block = fit_vectors(candidates, words, options, template)
    themes = []
    lists = _list_numbers(candidates) if options.apart_siblings else None
    for rows in _average_linkage(matrix, options.min_similarity, lists=lists):
        if len(rows) >= options.min_members:
            themes.append(_theme(kind, [candidates[i] for i in rows], matrix[rows],
                                 word_block[rows], vocabulary, options))
    for theme in themes:
        assignments.update(dict.fromkeys(theme.members, theme.theme_id))
    themes.sort(key=lambda t: (-len(t.members), t.theme_id))
    fitted = ThemeSpace(kind, space, tuple(u.unit_id for u in candidates), matrix, word_block)
    return ThemeResult(kind, tuple(themes), assignments, options.min_similarity), fitted


@dataclass(frozen=True)
class ThemeSpace:
    """A fit's vector space and the vectors of the units it holds (rows in ``unit_ids``)."""

    kind: str
    space: VectorSpace
    unit_ids: tuple[str, ...]
    matrix: sparse.csr_matrix = field(hash=False, compare=False)  # unit vectors (norm ≤ 1)
    word_block: sparse.csr_matrix = field(hash=False, compare=False)  # word TF-IDF rows


def _similarities(matrix, rows=None) -> np.ndarray:
    part = matrix if rows is None else matrix[rows]
    product = part @ matrix.T
    dense = product.toarray() if sparse.issparse(product) else np.asarray(product)
    return dense.astype(np.float32, copy=False)


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


def _average_linkage(matrix, min_similarity: float, rows=None,
                     lists=None) -> list[list[int]]:
    """Groups of row indices: average linkage cut at ``1 - min_similarity`` distance.

    With ``lists`` (a list number per row), items of one list never share a group: an
    author who lists two problems side by side means two problems.

    The pairs at or above the cut are found once (``_pairs``); a component above
    ``MAX_COMPONENT`` is split at ``SPLIT_STEP`` stricter cuts by filtering its pairs,
    not by recomputing them. Every pair list is dropped before the first tree is cut.
    """
    rows = np.arange(matrix.shape[0]) if rows is None else np.asarray(rows)
    groups, parts = [], []
    pairs = _pairs(matrix[rows], min_similarity)
    logger.info("theme pairs of %d units at similarity %.3f: %d (%.1f MB)", len(rows),
                min_similarity, len(pairs[0]), sum(a.nbytes for a in pairs) / 1e6)
    pending = [(rows, min_similarity, pairs)]
    while pending:
        members, cut, pairs = pending.pop()
        labels = _component_labels(len(members), pairs)
        for component in _members_by_label(labels):
            if len(component) == 1:
                groups.append([int(members[component[0]])])
            elif len(component) > MAX_COMPONENT:
                # A dense distance matrix this big would not fit: split the blob with a
                # stricter cut instead (logged, as it departs from the plain rule).
                logger.warning("theme component of %d units split at similarity %.3f",
                               len(component), cut + SPLIT_STEP)
                pending.append((members[component], cut + SPLIT_STEP,
                                _sub_pairs(pairs, labels, component, cut + SPLIT_STEP)))
            else:
                parts.append((members[component], cut))
        del pairs, labels
    for members, cut in parts:
        groups += _cut_tree(matrix[members], cut, members,
                            None if lists is None else lists[members])
    return sorted(groups)


def _pairs(matrix, min_similarity: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The row pairs at or above ``min_similarity``, each once (row < col), in row order:
    rows and cols int32, similarities float32 (as ``_similarities`` gives them, so a
    stricter cut filters them to exactly the pairs it would find itself), a block of rows
    at a time; 12 bytes a pair."""
    count = matrix.shape[0]
    pairs_r, pairs_c, pairs_s = [], [], []
    for start in range(0, count, CHUNK_ROWS):
        block = _similarities(matrix, np.arange(start, min(count, start + CHUNK_ROWS)))
        r, c = np.nonzero(block >= min_similarity)
        upper = c > r + start
        r, c = r[upper], c[upper]
        pairs_s.append(block[r, c])
        pairs_r.append((r + start).astype(np.int32))
        pairs_c.append(c.astype(np.int32))
        del block, r, c, upper
    return tuple(_concatenate(chunks, dtype)  # type: ignore[return-value]
                 for chunks, dtype in ((pairs_r, np.int32), (pairs_c, np.int32),
                                       (pairs_s, np.float32)))


def _concatenate(chunks: list, dtype) -> np.ndarray:
    """The chunks as one array, emptying the list so each chunk goes as soon as copied."""
    joined = np.empty(sum(len(chunk) for chunk in chunks), dtype=dtype)
    offset = 0
    chunks.reverse()
    while chunks:
        chunk = chunks.pop()
        joined[offset : offset + len(chunk)] = chunk
        offset += len(chunk)
    return joined


def _sub_pairs(pairs, labels, component, min_similarity: float):
    """The pairs of one component at or above a stricter cut, numbered within it."""
    pairs_r, pairs_c, pairs_s = pairs
    keep = pairs_s >= min_similarity
    keep &= labels[pairs_r] == labels[component[0]]
    position = np.full(len(labels), -1, dtype=np.int32)
    position[component] = np.arange(len(component), dtype=np.int32)
    return position[pairs_r[keep]], position[pairs_c[keep]], pairs_s[keep]


def _component_labels(count: int, pairs) -> np.ndarray:
    """A component number per row of the graph of ``pairs`` (row < col, in row order)."""
    pairs_r, pairs_c, _ = pairs
    indptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(pairs_r, minlength=count), out=indptr[1:])
    if len(pairs_c) < np.iinfo(np.int32).max:
        indptr = indptr.astype(np.int32)
    graph = sparse.csr_matrix((np.ones(len(pairs_c)), pairs_c, indptr), shape=(count, count))
    return connected_components(graph, directed=False)[1]


def _components(matrix, min_similarity: float) -> list[list[int]]:
    """Connected components of the graph of pairs at or above ``min_similarity``."""
    return _members_by_label(_component_labels(matrix.shape[0],
                                                _pairs(matrix, min_similarity)))


def _cut_tree(part, min_similarity: float, members, lists=None) -> list[list[int]]:
    distances = _condensed_distances(part)
    if lists is not None:
        distances[_sibling_pairs(lists)] = 1.0  # cosine 0: siblings pull a group apart
    labels = fcluster(linkage(distances, method="average"), t=1.0 - min_similarity,
                      criterion="distance")
    groups = _members_by_label(labels)
    if lists is not None:
        kept, given_up = [], []
        for group in groups:
            one, others = _one_per_list(group, part, lists)
            kept.append(one)
            given_up += others
        groups = _rehome(kept, sorted(given_up), part, lists, min_similarity)
    return [[int(members[i]) for i in group] for group in groups]


def _sibling_pairs(lists) -> np.ndarray:
    """Condensed-matrix positions of the pairs of rows in one list (the same list number),
    found list by list: all-pairs index arrays would cost 16 bytes a pair (1 GB at 8,000)."""
    count, positions = len(lists), []
    order = np.argsort(lists, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(lists[order]) != 0, True])
    for start, stop in zip(starts[:-1], starts[1:], strict=True):
        if stop - start < 2:
            continue
        rows, cols = np.triu_indices(stop - start, k=1)
        first, second = order[start:stop][rows], order[start:stop][cols]
        low, high = np.minimum(first, second), np.maximum(first, second)
        positions.append(count * low - low * (low + 1) // 2 + (high - low - 1))
    return np.concatenate(positions) if positions else np.empty(0, dtype=np.int64)


def _one_per_list(group: list[int], part, lists) -> tuple[list[int], list[int]]:
    """The group with one item per list, the most central, and the items it gives up.

    Holding siblings at distance 1 rarely lets them meet, but a big enough group can
    absorb that in its average; this makes it a rule.
    """
    if len(set(lists[group].tolist())) == len(group):
        return group, []
    similarity = part[group] @ part[group].T
    similarity = similarity.toarray() if sparse.issparse(similarity) else np.asarray(similarity)
    centrality = similarity.sum(axis=1)
    best: dict[int, int] = {}
    for position, index in enumerate(group):
        number = int(lists[index])
        if number not in best or centrality[position] > centrality[group.index(best[number])]:
            best[number] = index
    kept = sorted(best.values())
    return kept, [i for i in group if i not in best.values()]


def _rehome(groups: list[list[int]], given_up: list[int], part, lists,
            min_similarity: float) -> list[list[int]]:
    """Each item a group gave up for its sibling joins the group it is most like on average
    (the merge rule of average linkage: mean similarity at least the cut) that holds no
    sibling of its own, or starts a group; it is not left out because of its sibling.
    """
    if not given_up:
        return groups
    labels = np.full(part.shape[0], -1, dtype=np.int64)
    for number, group in enumerate(groups):
        labels[group] = number
    groups = [list(group) for group in groups]
    similarity = _similarities(part, np.asarray(given_up))  # float32, given-up rows only
    for row, item in enumerate(given_up):
        placed = labels >= 0
        sums = np.bincount(labels[placed], weights=similarity[row, placed],
                           minlength=len(groups))
        means = sums / np.maximum(np.bincount(labels[placed], minlength=len(groups)), 1)
        means[np.unique(labels[placed & (lists == lists[item])])] = -np.inf
        choice = int(np.argmax(means)) if len(means) else -1
        if choice >= 0 and means[choice] >= min_similarity:
            groups[choice].append(item)
        else:
            choice = len(groups)
            groups.append([item])
        labels[item] = choice
    return [sorted(group) for group in groups]


def _condensed_distances(part) -> np.ndarray:
    """Cosine distances of all row pairs in scipy's condensed order, built a block of rows
    at a time so the square matrix never exists (10,000 units: 400 MB, not 1.2 GB)."""
    count = part.shape[0]
    condensed = np.empty(count * (count - 1) // 2, dtype=np.float64)
    for start in range(0, count, CHUNK_ROWS):
        stop = min(count, start + CHUNK_ROWS)
        block = _similarities(part, np.arange(start, stop))
        for row in range(start, stop):
            offset = count * row - row * (row + 1) // 2
            condensed[offset : offset + count - row - 1] = block[row - start, row + 1 :]
    np.subtract(1.0, condensed, out=condensed)
    return np.clip(condensed, 0.0, 2.0, out=condensed)


def _members_by_label(labels) -> list[list[int]]:
    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        members.setdefault(int(label), []).append(index)
    return list(members.values())


def _theme(kind, members, vectors, word_block, vocabulary, options: ThemeOptions) -> Theme:
    similarity = _similarities(vectors)
    np.fill_diagonal(similarity, np.nan)
    centrality = np.nan_to_num(np.nanmean(similarity, axis=1))
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
        cohesion=round(float(np.nanmean(similarity)), 4),
    )


def score_themes(assignments: Mapping[str, str | None],
                 gold_groups: Mapping[str, Sequence[tuple[str, str]]]) -> dict:
    """Pairwise precision/recall/F1 of same-theme decisions between gold items of
    different documents. ``gold_groups``: group name → [(doc_id, unit_id), …]."""
    items = sorted((doc, unit, group) for group, members in gold_groups.items()
                   for doc, unit in members)
    counts = Counter()
    for (doc_a, unit_a, group_a), (doc_b, unit_b, group_b) in itertools.combinations(items, 2):
        if doc_a == doc_b:
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
