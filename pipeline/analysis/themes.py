"""Themes across reports: problem units (and causes) that name the same problem, and
countermeasure units that propose the same kind of measure, whatever their wording.

A unit is TF-IDF over the content words of its opening (``lead_chars``: later come
examples, figures and place names), the words its headline holds counted
``headline_boost`` times more, joined with TF-IDF of the headline's character 2–3-grams
(which absorbs jieba cutting 待遇偏低 one way in one report and another way in the next).
Measured against a hand grouping of the seeds and on synthetic reports (pairwise F1 of
same-theme decisions across reports): LSI was no better at a fixed rank (its rank must
follow the corpus size, and at 50 it merged most of the 27 work reports' measures) and
word2vec trained on the corpus was worse at every cut, so neither is offered.

Units are grouped by average-linkage agglomerative clustering cut at a cosine similarity
(``min_similarity``: two groups merge only while the mean similarity between their members
reaches it), never into a fixed number of clusters; it beat single, complete and weighted
linkage. Average linkage cannot merge across components of the graph of pairs above the
cut, so each component is clustered alone; memory follows the largest one (10,000 units
≈ 400 MB), and a component above ``MAX_COMPONENT`` is split with a stricter cut (logged).
Groups smaller than ``min_members`` are left unassigned rather than forced.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from pipeline.analysis.links import (
    GENERIC_TERMS_TABLE,
    GraphUnit,
    content_words,
    group_of,
    linkable_units,
    normalise,
)

logger = logging.getLogger(__name__)

KINDS = ("problem", "countermeasure")
RE_NOT_HAN = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
RE_GENERIC = re.compile("|".join(sorted(GENERIC_TERMS_TABLE, key=len, reverse=True)))
CHUNK_ROWS = 1000  # rows of the similarity matrix computed at once
MAX_COMPONENT = 12_000  # units clustered at once: their pairwise distances take ~575 MB
SPLIT_STEP = 0.05
MIN_UNITS_FOR_MAX_DF = 20


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
    # Key terms in a theme's label.
    label_terms: int = 3
    min_word_chars: int = 2


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
    candidates = theme_candidates(units, kind)
    assignments: dict[str, str | None] = {u.unit_id: None for u in candidates}
    if len(candidates) < max(2, options.min_members):
        return ThemeResult(kind, (), assignments, options.min_similarity)
    words = _unit_terms(candidates, options)
    matrix, vocabulary, word_block = unit_vectors(candidates, words, options)
    themes = []
    for rows in _average_linkage(matrix, options.min_similarity):
        if len(rows) >= options.min_members:
            themes.append(_theme(kind, [candidates[i] for i in rows], matrix[rows],
                                 word_block[rows], vocabulary, options))
    for theme in themes:
        assignments.update(dict.fromkeys(theme.members, theme.theme_id))
    themes.sort(key=lambda t: (-len(t.members), t.theme_id))
    return ThemeResult(kind, tuple(themes), assignments, options.min_similarity)


def _unit_terms(candidates, options: ThemeOptions) -> dict[str, list[str]]:
    """Content words of each unit's opening, its headline's repeated ``headline_boost`` times."""
    terms = {}
    for unit in candidates:
        words = [w for w in content_words(unit.words, options.min_word_chars)
                 if w not in GENERIC_TERMS_TABLE]
        if options.lead_chars > 0:
            # The opening states the point; later come examples, figures and place names.
            lead = normalise(unit.text)[: options.lead_chars]
            words = [w for w in words if w in lead]
        headline = normalise(unit.headline)
        terms[unit.unit_id] = words + [w for w in words if w in headline] * options.headline_boost
    return terms


def unit_vectors(candidates: Sequence[GraphUnit], words: Mapping[str, list[str]],
                 options: ThemeOptions):
    """Unit vectors (norm ≤ 1), the word vocabulary, and the word TF-IDF block."""
    # A word in most units separates nothing (only applied to sets big enough to tell).
    max_df = options.max_df if len(candidates) >= MIN_UNITS_FOR_MAX_DF else 1.0
    word_block, vocabulary = _tfidf(
        [words[u.unit_id] for u in candidates], analyzer=_identity, sublinear_tf=True,
        max_df=max_df, norm=None)
    shared = _shared_words(word_block)
    char_block, _ = _tfidf([_headline_text(u) for u in candidates], analyzer="char",
                           sublinear_tf=True, ngram_range=(options.ngram_min, options.ngram_max))
    weight = options.headline_weight
    matrix = sparse.hstack([shared, weight * char_block]).tocsr() / np.sqrt(1 + weight**2)
    return matrix, vocabulary, word_block.tocsr()


def _shared_words(block):
    """Unit-length rows over the words at least two units hold.

    A word only one unit holds cannot make two units alike; left in, it only shrinks the
    cosines of long texts (measured: pairwise F1 on the seeds 0.33 → 0.51 without them).
    """
    df = np.asarray((block > 0).sum(axis=0)).ravel()
    return normalize(block @ sparse.diags((df >= 2).astype(float)))


IDF_OFFSET = 1.0


def _tfidf(documents: list, **settings):
    """TF-IDF matrix and vocabulary; no columns (not an error) when no term survives.

    IDF is ``log((1 + n) / (1 + df))`` without scikit-learn's added 1, so a word every
    unit holds weighs nothing however few the units (干部 in a set of cadre reports).
    """
    vectorizer = TfidfVectorizer(**settings)
    try:
        vectorizer.fit(documents)
    except ValueError:  # "empty vocabulary" / "After pruning, no terms remain"
        return sparse.csr_matrix((len(documents), 0)), np.array([], dtype=object)
    vectorizer.idf_ = vectorizer.idf_ - IDF_OFFSET
    return vectorizer.transform(documents), vectorizer.get_feature_names_out()


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _headline_text(unit: GraphUnit) -> str:
    # 经济待遇偏低 and 工资待遇 share 待遇 whatever jieba made of them; generic words go
    # first, or 培训经费不足 and 工资待遇不足 would meet on 不足.
    return RE_NOT_HAN.sub(" ", RE_GENERIC.sub(" ", normalise(unit.headline)))


def _similarities(matrix, rows=None) -> np.ndarray:
    part = matrix if rows is None else matrix[rows]
    product = part @ matrix.T
    dense = product.toarray() if sparse.issparse(product) else np.asarray(product)
    return dense.astype(np.float32, copy=False)


def _average_linkage(matrix, min_similarity: float, rows=None) -> list[list[int]]:
    """Groups of row indices: average linkage cut at ``1 - min_similarity`` distance."""
    rows = np.arange(matrix.shape[0]) if rows is None else np.asarray(rows)
    groups = []
    for component in _components(matrix[rows], min_similarity):
        members = rows[component]
        if len(members) == 1:
            groups.append([int(members[0])])
        elif len(members) > MAX_COMPONENT:
            # A dense distance matrix this big would not fit: split the blob with a
            # stricter cut instead (logged, as it departs from the plain rule).
            logger.warning("theme component of %d units split at similarity %.3f",
                           len(members), min_similarity + SPLIT_STEP)
            groups += _average_linkage(matrix, min_similarity + SPLIT_STEP, members)
        else:
            groups += _cut_tree(matrix[members], min_similarity, members)
    return sorted(groups)


def _components(matrix, min_similarity: float) -> list[list[int]]:
    """Connected components of the graph of pairs at or above ``min_similarity``."""
    count = matrix.shape[0]
    pairs_r, pairs_c = [], []
    for start in range(0, count, CHUNK_ROWS):
        block = _similarities(matrix, np.arange(start, min(count, start + CHUNK_ROWS)))
        r, c = np.nonzero(block >= min_similarity)
        upper = c > r + start  # each pair once; int32 halves the memory of a dense blob
        pairs_r.append((r[upper] + start).astype(np.int32))
        pairs_c.append(c[upper].astype(np.int32))
    graph = sparse.coo_matrix((np.ones(sum(len(r) for r in pairs_r), dtype=np.int8),
                               (np.concatenate(pairs_r), np.concatenate(pairs_c))),
                              shape=(count, count))
    return _members_by_label(connected_components(graph, directed=False)[1])


def _cut_tree(part, min_similarity: float, members) -> list[list[int]]:
    tree = linkage(_condensed_distances(part), method="average")
    labels = fcluster(tree, t=1.0 - min_similarity, criterion="distance")
    return [[int(members[i]) for i in group] for group in _members_by_label(labels)]


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
