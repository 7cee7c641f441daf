"""Passages reused across reports: shared templates and copied paragraphs.

Each passage becomes a MinHash of its character shingles (rensa, as in
``pipeline.dedup``); LSH proposes candidate pairs, the exact Jaccard of the shingle
sets decides, and pairs from different documents at or above ``threshold`` are joined
into clusters. The graph then counts each cluster once (``canonical_units``), so one
template copied into twenty county reports is not twenty votes for a theme or an edge.

Between full runs ``update_reuse`` adds the passages of new reports to stored clusters:
their candidates are the stored passages sharing an LSH band of the MinHash signature
(the bands ``RMinHashLSH`` uses: ``num_bands`` equal slices of the signature), decided by
the same exact Jaccard; passages of removed reports leave, and a cluster that lost one is
checked again on its own, so the clusters are what ``find_reuse`` would give.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rensa import RMinHash, RMinHashLSH

from pipeline.analysis.textvec import normalise


@dataclass(frozen=True)
class ReuseOptions:
    """How alike two passages must be to count as one reused text (section ``[reuse]``)."""

    threshold: float = 0.6  # Jaccard of character shingles; a template with local names ≈0.7
    shingle_chars: int = 4  # short passages need short shingles to share any
    num_perm: int = 128  # MinHash permutations
    num_bands: int = 32  # LSH bands (must divide num_perm); more bands catch lower Jaccard
    seed: int = 42
    min_chars: int = 30  # shorter passages (bare headings) are never counted as reused
    # LSH proposes many pairs far below the threshold (templated reports share phrases):
    # those whose MinHash estimate of the Jaccard falls this far below it skip the exact
    # check. With 128 permutations the estimate's spread at 0.6 is 0.043, so 0.25 is
    # about 6 spreads: a real pair is practically never skipped.
    screen_margin: float = 0.25  # MinHash estimate this far below threshold: no exact check


@dataclass(frozen=True)
class ReuseCluster:
    """Passages of several documents that are one text, copied."""

    cluster_id: str  # "R-" + hash of the sorted member unit ids
    members: tuple[tuple[str, str], ...]  # (doc_id, unit_id), sorted
    canonical: str  # unit id the graph counts: the first member
    docs: tuple[str, ...]
    min_jaccard: float  # lowest similarity of a joining pair


def shingle_set(text: str, size: int) -> set[str]:
    """Character n-grams of a text after NFKC and whitespace removal."""
    compact = normalise(text)
    return {compact[i : i + size] for i in range(max(1, len(compact) - size + 1))}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two sets (0 for two empty sets)."""
    shared = len(a & b)  # the union's size follows: building it would double the cost
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def likely_pairs(digests: np.ndarray, index: int, candidates: np.ndarray,
                 options: ReuseOptions) -> np.ndarray:
    """The candidates whose MinHash estimate of the Jaccard with ``index`` is within
    ``screen_margin`` of the threshold: the only ones worth an exact check."""
    if not len(candidates):
        return candidates
    # the estimate is agreeing slots / num_perm: comparing the count with the bound
    # times num_perm spares a division per candidate
    agreeing = (digests[candidates] == digests[index]).sum(axis=1)
    return candidates[agreeing >= (options.threshold - options.screen_margin) * digests.shape[1]]


def passages(paragraphs: Iterable[tuple[str, str, str]],
             options: ReuseOptions) -> list[tuple[str, str, str]]:
    """The (doc_id, unit_id, text) passages long enough to count, sorted."""
    return sorted((doc, unit, text) for doc, unit, text in paragraphs
                  if len(normalise(text)) >= options.min_chars)


def find_reuse(paragraphs: Sequence[tuple[str, str, str]],
               options: ReuseOptions = ReuseOptions(),
               signatures: list | None = None) -> list[ReuseCluster]:
    """Clusters of (doc_id, unit_id, text) passages copied across documents.

    ``signatures``, when a list, receives each passage's MinHash digest (in ``passages``
    order, as a uint32 array) for ``update_reuse`` to store.
    """
    items = passages(paragraphs, options)
    doc_of = _doc_numbers(items)
    # Each passage's shingles become numbers and its signature at once: the sets of
    # strings themselves took gigabytes at 10,000 reports (~200,000 passages).
    shingle_rows, made = _ShingleRows(), []
    for _doc, _unit, text in items:
        tokens = shingle_set(text, options.shingle_chars)
        shingle_rows.add(tokens)
        made.append(RMinHash(options.num_perm, options.seed))
        made[-1].update(sorted(tokens))
    shingle_rows.close()
    digests = np.zeros((len(items), options.num_perm), dtype=np.uint32)
    lsh = RMinHashLSH(options.threshold, options.num_perm, options.num_bands)
    parent = list(range(len(items)))
    joins: list[tuple[int, float]] = []  # (one member, Jaccard) of each joining pair
    for index, signature in enumerate(made):
        digests[index] = signature.digest()
        if signatures is not None:  # rows of one array: 128 Python ints per passage took
            signatures.append(digests[index])  # ~1 GB at 10,000 reports (200,000 passages)
        candidates = np.array(sorted(lsh.query(signature)), dtype=np.int64)
        # a unit and its sub-item in one report are not reuse
        candidates = candidates[doc_of[candidates] != doc_of[index]]
        for other, score in _first_match_per_cluster(
                shingle_rows, parent, index,
                likely_pairs(digests, index, candidates, options), options.threshold):
            _union(parent, index, other)
            joins.append((index, score))
        lsh.insert(index, signature)
    return _clusters(items, parent, joins)


CHECK_ALL_UP_TO = 200  # likely candidates checked in one go; beyond, cluster by cluster


def _first_match_per_cluster(rows: _ShingleRows, parent: list[int], index: int,
                             candidates: np.ndarray, threshold: float
                             ) -> list[tuple[int, float]]:
    """For each cluster among ``candidates``, its first member (in candidate order) whose
    exact Jaccard with ``index`` reaches the threshold, with that score.

    ``index`` joins every such cluster, and the first match's score is the one recorded:
    what checking every candidate gives. A passage copied into thousands of reports has
    thousands of candidates in one cluster, so each cluster's first member is checked
    first and only the clusters it did not match have their other members checked.
    """
    found: dict[int, tuple[int, float]] = {}
    if len(candidates) <= CHECK_ALL_UP_TO:  # few: checking them all at once is cheaper
        for other, score in rows.exact_matches(index, candidates, threshold):
            found.setdefault(_find(parent, other), (other, score))
        return list(found.values())
    roots = np.array([_find(parent, int(c)) for c in candidates], dtype=np.int64)
    first = np.unique(roots, return_index=True)[1]
    for other, score in rows.exact_matches(index, candidates[np.sort(first)], threshold):
        found[_find(parent, other)] = (other, score)
    checked = np.zeros(len(roots), dtype=bool)
    checked[first] = True
    rest = np.flatnonzero(~checked & ~np.isin(roots, list(found)))
    for other, score in rows.exact_matches(index, candidates[rest], threshold):
        found.setdefault(_find(parent, other), (other, score))  # candidate order: first wins
    return list(found.values())


class _ShingleRows:
    """Shingle sets as one flat array of shingle numbers, for counting shared shingles
    with many candidates at once (the same counts ``jaccard`` gives, without comparing
    sets pair by pair in Python)."""

    def __init__(self, shingles: Iterable[set[str]] = ()):
        self._vocabulary: dict[str, int] = {}
        self._columns, self._sizes = array("q"), array("q")
        for tokens in shingles:
            self.add(tokens)
        if self._sizes:  # given sets: ready to read; else ``add`` then ``close`` once
            self.close()

    def add(self, tokens: set[str]) -> None:
        """Append one set (its shingles as numbers); ``close`` before reading rows."""
        vocabulary = self._vocabulary
        self._columns.extend(vocabulary.setdefault(g, len(vocabulary)) for g in tokens)
        self._sizes.append(len(tokens))

    def close(self) -> None:
        """Make the appended sets readable as arrays (views: nothing can be added after)."""
        self.columns = np.frombuffer(self._columns, dtype=np.int64)
        self.sizes = np.frombuffer(self._sizes, dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)
        self.marks = np.zeros(max(1, len(self._vocabulary)), dtype=np.int64)

    def row(self, index: int) -> np.ndarray:
        """The shingle numbers of one set."""
        return self.columns[self.starts[index]:self.starts[index] + self.sizes[index]]

    def exact_matches(self, index: int, candidates: np.ndarray,
                      threshold: float) -> list[tuple[int, float]]:
        """(candidate, exact Jaccard with ``index``) at or above the threshold, in order."""
        if not len(candidates):
            return []
        lengths = self.sizes[candidates]
        ends = np.cumsum(lengths)
        # positions of every candidate's shingles in ``columns``, concatenated
        positions = np.arange(ends[-1]) + np.repeat(self.starts[candidates] - (ends - lengths),
                                                    lengths)
        own = self.row(index)
        self.marks[own] = 1
        shared = np.add.reduceat(self.marks[self.columns[positions]], ends - lengths)
        self.marks[own] = 0
        union = lengths + self.sizes[index] - shared
        scores = shared / union  # sets are never empty: a passage has ≥ 1 shingle
        keep = scores >= threshold
        return list(zip(candidates[keep].tolist(), scores[keep].tolist(), strict=True))


def _doc_numbers(items: Sequence[tuple[str, str, str]]) -> np.ndarray:
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(doc, len(numbers)) for doc, _u, _t in items],
                    dtype=np.int64)


def _find(parent: list[int], node: int) -> int:
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


def _union(parent: list[int], a: int, b: int) -> None:
    root_a, root_b = _find(parent, a), _find(parent, b)
    parent[root_a] = parent[root_b] = min(root_a, root_b)


def _clusters(items, parent, joins) -> list[ReuseCluster]:
    groups: dict[int, list[int]] = {}
    for index in range(len(items)):
        groups.setdefault(_find(parent, index), []).append(index)
    weakest: dict[int, float] = {}
    for index, score in joins:
        root = _find(parent, index)
        weakest[root] = min(score, weakest.get(root, 1.0))
    clusters = []
    for root, indices in groups.items():
        if len(indices) < 2:
            continue
        members = tuple(sorted((items[i][0], items[i][1]) for i in indices))
        low = weakest.get(root, 1.0)
        digest = hashlib.sha1("|".join(u for _, u in members).encode()).hexdigest()[:10]
        clusters.append(ReuseCluster(f"R-{digest}", members, members[0][1],
                                     tuple(sorted({d for d, _ in members})), round(low, 4)))
    return sorted(clusters, key=lambda c: (-len(c.members), c.cluster_id))


def canonical_units(clusters: Iterable[ReuseCluster]) -> dict[str, str]:
    """unit id → the unit id counted for it (its cluster's canonical member)."""
    return {unit: cluster.canonical for cluster in clusters for _, unit in cluster.members}


def canonical(unit_id: str, mapping: Mapping[str, str]) -> str:
    """The unit id to count for ``unit_id`` (itself unless it is a reused copy)."""
    return mapping.get(unit_id, unit_id)


def signature_of(text: str, options: ReuseOptions) -> np.ndarray:
    """The MinHash digest ``find_reuse`` gives a passage."""
    signature = RMinHash(options.num_perm, options.seed)
    signature.update(sorted(shingle_set(text, options.shingle_chars)))
    return np.array(signature.digest(), dtype=np.uint32)


def update_reuse(previous: Sequence[ReuseCluster], stored: Mapping[str, Sequence[int]],
                 paragraphs: Sequence[tuple[str, str, str]], options: ReuseOptions,
                 redo_docs: Iterable[str] = ()
                 ) -> tuple[list[ReuseCluster], dict[str, np.ndarray]]:
    """Stored clusters with new passages joined and removed ones gone, and the signatures.

    ``stored``: unit id → MinHash digest of the passages the clusters were made from;
    ``redo_docs``: documents whose passages changed since (their stored ones are dropped).
    """
    redo = set(redo_docs)
    items = passages(paragraphs, options)
    kept = {unit for doc, unit, _ in items if unit in stored and doc not in redo}
    digests = {unit: stored[unit] if unit in kept else signature_of(text, options)
               for _doc, unit, text in items}
    index = {unit: i for i, (_d, unit, _t) in enumerate(items)}
    parent = list(range(len(items)))
    joins: list[tuple[int, float]] = []
    for cluster in previous:
        units = [u for _d, u in cluster.members if u in kept]
        if len(units) < 2:
            continue
        if len(units) < len(cluster.members):  # lost a member: it may have held them together
            again = find_reuse([items[index[u]] for u in units], options)
            groups = [([u for _d, u in c.members], c.min_jaccard) for c in again]
        else:
            groups = [(units, cluster.min_jaccard)]
        for group, weakest in groups:
            for unit in group[1:]:
                _union(parent, index[group[0]], index[unit])
            joins.append((index[group[0]], weakest))
    matrix = np.array([digests[unit] for _d, unit, _t in items], dtype=np.uint32)
    bands = matrix.reshape(len(items), options.num_bands, -1) if len(items) else matrix
    shingles: dict[int, set[str]] = {}

    def shingles_of(i: int) -> set[str]:
        if i not in shingles:
            shingles[i] = shingle_set(items[i][2], options.shingle_chars)
        return shingles[i]

    doc_of = _doc_numbers(items)
    for i, (_doc, unit, _text) in enumerate(items):
        if unit in kept:
            continue
        candidates = np.nonzero((bands == bands[i]).all(axis=2).any(axis=1))[0]
        candidates = candidates[doc_of[candidates] != doc_of[i]]  # not itself, not its report
        for other in likely_pairs(matrix, i, candidates, options).tolist():
            if _find(parent, other) == _find(parent, i):
                continue
            score = jaccard(shingles_of(i), shingles_of(other))
            if score >= options.threshold:
                _union(parent, i, other)
                joins.append((i, score))
    return _clusters(items, parent, joins), digests
