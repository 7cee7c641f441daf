"""Passages reused across reports: shared templates and copied paragraphs.

Each passage becomes a MinHash of its character shingles (rensa, as in
``pipeline.dedup``); LSH over the signatures' bands (``_BandIndex``, numpy arrays: rensa's
index took ~650 MB at 200,000 passages) proposes candidate pairs, the exact Jaccard of the shingle
sets decides, and pairs from different documents at or above ``threshold`` are joined
into clusters. The graph then counts each cluster once (``canonical_units``), so one
template copied into twenty county reports is not twenty votes for a theme or an edge.

Between full runs ``update_reuse`` adds the passages of new reports to stored clusters:
their candidates are the stored passages sharing an LSH band of the MinHash signature
(``num_bands`` equal slices of the signature, as ``find_reuse`` bands them), decided by
the same exact Jaccard; passages of removed reports leave, and a cluster that lost one is
checked again on its own, so the clusters are what ``find_reuse`` would give (an update
compares a new passage with every holder of its bands, ``find_reuse`` with the first
``max_band_members`` of each: a band held by hundreds of passages is a template's).
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rensa import RMinHash

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
    # A passage is compared with at most this many earlier passages of each LSH band it
    # shares (the first in passage order); 0 = all. A band held by hundreds of passages is
    # a template's boilerplate: comparing every newcomer with all its holders made the
    # step grow with the square of a templated corpus, and a copy beyond them is still
    # found through the other bands the two share.
    max_band_members: int = 300  # earlier passages of one LSH band a passage meets (0 = all)


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
    # Each passage's shingles become numbers and its signature at once, and only the
    # signature's digest is kept: the sets of strings took gigabytes at 10,000 reports
    # (~200,000 passages), the MinHash objects and rensa's LSH index ~1 GB more.
    shingle_rows = _ShingleRows()
    digests = np.zeros((len(items), options.num_perm), dtype=np.uint32)
    for index, (_doc, _unit, text) in enumerate(items):
        tokens = shingle_set(text, options.shingle_chars)
        shingle_rows.add(tokens)
        signature = RMinHash(options.num_perm, options.seed)
        signature.update(sorted(tokens))
        digests[index] = signature.digest()
    shingle_rows.close()
    if signatures is not None:  # rows of one array: 128 Python ints per passage took
        signatures.extend(digests)  # ~1 GB at 10,000 reports (200,000 passages)
    bands = _BandIndex(digests, options.num_bands, options.max_band_members)
    sets = _Partition(len(items))
    joins: list[tuple[int, float]] = []  # (one member, Jaccard) of each joining pair
    for index in range(len(items)):
        candidates = bands.earlier_sharing_a_band(index)
        # a unit and its sub-item in one report are not reuse
        candidates = candidates[doc_of[candidates] != doc_of[index]]
        for other, score in _first_match_per_cluster(
                shingle_rows, sets, index, candidates, options.threshold,
                lambda some, row=index: likely_pairs(digests, row, some, options)):
            sets.union(index, other)
            joins.append((index, score))
    return _clusters(items, sets, joins)


class _BandIndex:
    """LSH over MinHash digests: the rows that share a band (one of ``num_bands`` equal
    slices of the digest, as rensa's ``RMinHashLSH`` bands it) with a row.

    Built from the digest array once: each band's rows grouped by their slice, so a row's
    candidates are the earlier members of its groups, in row order (what querying an LSH
    index before inserting the row gives), of each group only its first ``max_members``
    (0: all). Two int64 numbers per row and band.
    """

    def __init__(self, digests: np.ndarray, num_bands: int, max_members: int = 0):
        count = len(digests)
        self.max_members = max_members
        slices = digests.reshape(count, num_bands, -1) if count else digests
        self.groups = np.zeros((count, num_bands), dtype=np.int64)
        orders, offset = [], 0
        for band in range(num_bands if count else 0):
            rows = np.ascontiguousarray(slices[:, band, :])
            keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
            distinct, group = np.unique(keys, return_inverse=True)
            self.groups[:, band] = group.ravel() + offset
            offset += len(distinct)
            orders.append(np.argsort(self.groups[:, band], kind="stable"))
        self.order = np.concatenate(orders) if orders else np.empty(0, dtype=np.int64)
        self.sizes = np.bincount(self.groups.ravel(), minlength=offset) if count \
            else np.empty(0, dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)

    def earlier_sharing_a_band(self, row: int) -> np.ndarray:
        """The rows before ``row`` that share at least one band with it, ascending."""
        groups = self.groups[row]
        groups = groups[self.sizes[groups] > 1]
        if not len(groups):
            return np.empty(0, dtype=np.int64)
        sizes = self.sizes[groups]
        if self.max_members:
            sizes = np.minimum(sizes, self.max_members)
        members = self.order[_ranges(self.starts[groups], sizes)]
        return np.unique(members[members < row])


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The positions ``start … start + size - 1`` of every range, concatenated."""
    ends = np.cumsum(sizes)
    return np.arange(ends[-1]) + np.repeat(starts - (ends - sizes), sizes)


RANK_CHUNK = 1 << 22  # shingle hashes turned into ranks at once (32 MB)
CHECK_ALL_UP_TO = 200  # likely candidates checked in one go; beyond, cluster by cluster


def _first_match_per_cluster(rows: _ShingleRows, sets: _Partition, index: int,
                             candidates: np.ndarray, threshold: float, screen
                             ) -> list[tuple[int, float]]:
    """For each cluster among ``candidates``, its first member (in candidate order) that
    passes ``screen`` and whose exact Jaccard with ``index`` reaches the threshold, with
    that score.

    ``index`` joins every such cluster, and the first match's score is the one recorded:
    what checking every candidate gives. A passage copied into thousands of reports has
    thousands of candidates in one cluster, so each cluster's first member is screened and
    checked first and only the clusters it did not match have their other members
    screened and checked.
    """
    found: dict[int, tuple[int, float]] = {}
    if len(candidates) <= CHECK_ALL_UP_TO:  # few: checking them all at once is cheaper
        for other, score in rows.exact_matches(index, screen(candidates), threshold):
            found.setdefault(sets.find(other), (other, score))
        return list(found.values())
    roots = sets.label[candidates]
    first = np.sort(np.unique(roots, return_index=True)[1])
    for other, score in rows.exact_matches(index, screen(candidates[first]), threshold):
        found[sets.find(other)] = (other, score)
    checked = np.zeros(len(roots), dtype=bool)
    checked[first] = True
    rest = np.flatnonzero(~checked & ~np.isin(roots, list(found)))
    for other, score in rows.exact_matches(index, screen(candidates[rest]), threshold):
        found.setdefault(sets.find(other), (other, score))  # candidate order: first wins
    return list(found.values())


class _ShingleRows:
    """Shingle sets as one flat array of shingle numbers, for counting shared shingles
    with many candidates at once (the same counts ``jaccard`` gives, without comparing
    sets pair by pair in Python).

    A shingle is first its 64-bit ``hash`` and, on ``close``, its rank among the distinct
    hashes: no vocabulary of strings is kept (~400 MB at 10,000 reports). Only equality
    within one process matters, so the salt of ``hash`` changes nothing; two shingles of
    one corpus sharing a hash is a one-in-a-million event that would move one count by one.
    """

    def __init__(self, shingles: Iterable[set[str]] = ()):
        self._columns, self._sizes = array("q"), array("q")
        for tokens in shingles:
            self.add(tokens)
        if self._sizes:  # given sets: ready to read; else ``add`` then ``close`` once
            self.close()

    def add(self, tokens: set[str]) -> None:
        """Append one set (its shingles as hashes); ``close`` before reading rows."""
        self._columns.extend(hash(g) for g in tokens)
        self._sizes.append(len(tokens))

    def close(self) -> None:
        """Make the appended sets readable as arrays of shingle numbers (views: nothing
        can be added after)."""
        self.columns = np.frombuffer(self._columns, dtype=np.int64)
        distinct = np.unique(self.columns)
        for start in range(0, len(self.columns), RANK_CHUNK):  # in place, a chunk at a time
            chunk = self.columns[start:start + RANK_CHUNK]
            chunk[:] = np.searchsorted(distinct, chunk)
        self.sizes = np.frombuffer(self._sizes, dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)
        self.marks = np.zeros(max(1, len(distinct)), dtype=np.int64)

    def row(self, index: int) -> np.ndarray:
        """The shingle numbers of one set."""
        return self.columns[self.starts[index]:self.starts[index] + self.sizes[index]]

    def exact_matches(self, index: int, candidates: np.ndarray,
                      threshold: float) -> list[tuple[int, float]]:
        """(candidate, exact Jaccard with ``index``) at or above the threshold, in order."""
        if not len(candidates):
            return []
        lengths = self.sizes[candidates]
        # every candidate's shingles, concatenated
        shingles = self.columns[_ranges(self.starts[candidates], lengths)]
        own = self.row(index)
        self.marks[own] = 1
        shared = np.add.reduceat(self.marks[shingles], np.cumsum(lengths) - lengths)
        self.marks[own] = 0
        union = lengths + self.sizes[index] - shared
        scores = shared / union  # sets are never empty: a passage has ≥ 1 shingle
        keep = scores >= threshold
        return list(zip(candidates[keep].tolist(), scores[keep].tolist(), strict=True))


def _doc_numbers(items: Sequence[tuple[str, str, str]]) -> np.ndarray:
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(doc, len(numbers)) for doc, _u, _t in items],
                    dtype=np.int64)


class _Partition:
    """Disjoint sets of rows, each row's set label held in an array, so that the labels of
    thousands of candidates are one lookup (a copied template has thousands). A union
    relabels the smaller set: each row is relabelled at most log2(rows) times."""

    def __init__(self, count: int):
        self.label = np.arange(count, dtype=np.int64)
        self._members: dict[int, list[int]] = {}  # label → rows, for sets of two or more

    def find(self, row: int) -> int:
        """The label of the set holding ``row``."""
        return int(self.label[row])

    def union(self, a: int, b: int) -> None:
        """Join the sets of ``a`` and ``b``."""
        label_a, label_b = self.find(a), self.find(b)
        if label_a == label_b:
            return
        rows_a = self._members.pop(label_a, [label_a])
        rows_b = self._members.pop(label_b, [label_b])
        if len(rows_a) < len(rows_b):
            label_a, label_b, rows_a, rows_b = label_b, label_a, rows_b, rows_a
        self.label[rows_b] = label_a
        rows_a.extend(rows_b)
        self._members[label_a] = rows_a


def _clusters(items, sets: _Partition, joins) -> list[ReuseCluster]:
    groups: dict[int, list[int]] = {}
    for index in range(len(items)):
        groups.setdefault(sets.find(index), []).append(index)
    weakest: dict[int, float] = {}
    for index, score in joins:
        root = sets.find(index)
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
    sets = _Partition(len(items))
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
                sets.union(index[group[0]], index[unit])
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
            if sets.find(other) == sets.find(i):
                continue
            score = jaccard(shingles_of(i), shingles_of(other))
            if score >= options.threshold:
                sets.union(i, other)
                joins.append((i, score))
    return _clusters(items, sets, joins), digests
