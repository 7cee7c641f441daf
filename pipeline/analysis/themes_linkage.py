"""Average-linkage clustering of unit vectors, cut at a cosine similarity, for themes.

Average linkage cannot merge across components of the graph of pairs at or above the cut,
so the pairs are found once (row chunks, upper triangle) and each component is clustered
alone; a component above ``MAX_COMPONENT`` units is split by a stricter cut of the same
pairs (logged). With a list number per row, items of one list (siblings) are kept apart:
at distance 1 in the tree, then one per group, the others re-homed to the group they are
most like on average (:func:`average_linkage`). With the row of each row's parent, a unit
and its sub-point are held apart, and so is every unit more like one of them than like the
other (:func:`_hold_levels_apart`). Groups whose centroids are alike may then be merged
(:func:`merge_groups`), when their concepts agree too. ``pipeline.analysis.themes`` turns
the groups into themes.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage

logger = logging.getLogger(__name__)

CHUNK_ROWS = 1000  # rows of the similarity matrix computed at once
# Units clustered at once. Their condensed distances take 4 n² bytes and scipy's linkage
# copies them: 9,000 units hold 650 MB at the peak (12,000 held 1.15 GB, which took the
# theme worker past 2 GB at 10,000 reports).
MAX_COMPONENT = 9_000
SPLIT_STEP = 0.05
COMPONENT_BLOCK = 1 << 22  # pairs hooked at once when finding components (~40 MB)


def similarities(matrix, rows=None) -> np.ndarray:
    part = matrix if rows is None else matrix[rows]
    product = part @ matrix.T
    dense = product.toarray() if sparse.issparse(product) else np.asarray(product)
    return dense.astype(np.float32, copy=False)


def average_linkage(matrix, min_similarity: float, rows=None, lists=None, parents=None,
                    levels: bool = False, agree=None, agree_min: float = 0.0
                    ) -> list[list[int]]:
    """Groups of row indices: average linkage cut at ``1 - min_similarity`` distance.

    With ``lists`` (a list number per row), items of one list never share a group: an
    author who lists two problems side by side means two problems. With ``parents`` (the
    row of each row's parent, -1 for none), a unit and its sub-point are held at distance
    1 in the tree, as siblings are (no rule after it: a big group may still take both);
    with ``levels`` too, so is each unit and every unit more like its parent or one of its
    sub-points than like it (:func:`_hold_levels_apart`). With ``agree`` (other vectors of
    the same rows) and ``agree_min``, rows whose ``agree`` cosine stays below it are held at
    distance 1 too (:func:`_hold_disagreeing_apart`).

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
                            None if lists is None else lists[members],
                            None if parents is None else _local_parents(parents, members),
                            levels, None if agree is None else (agree[members], agree_min))
    return sorted(groups)


def merge_groups(matrix, groups: list[list[int]], merge_similarity: float,
                 min_similarity: float, lists=None, concepts=None,
                 concept_similarity: float = 0.0) -> list[list[int]]:
    """Groups of two or more merged by average linkage of their normalised centroids, cut
    at ``merge_similarity`` (single units stay as they are); with ``lists``, one item per
    list after it, as in the tree.

    A centroid keeps what its members share and averages away the words each holds alone:
    the cosine of two centroids is the mean similarity between the groups over the square
    root of their own mean similarities (self-pairs in). Two groups that state one concern
    in two wordings (有效需求不足 … / 消费、投资增长动力不足 …) meet on what each shares,
    though the mean over their pairs, diluted by each clause's own words, stays below the
    cut. The items a merge gives up for a sibling are re-homed (at ``min_similarity``) as
    the tree's are.

    With ``concepts`` (the rows' concept block) and ``concept_similarity``, two groups merge
    only when the cosine of their concept centroids reaches it too: the merge is for one
    concern in two wordings, and what names the concern whatever the wording is its
    concepts. Without it, groups met on a frame their wordings share (经济……的基础还不牢固
    / 环境质量改善的基础还不牢固) or on one ambiguous word (监督约束 / 资源环境约束)."""
    fragments = [group for group in groups if len(group) >= 2]
    if len(fragments) < 2:
        return groups
    rows = [row for group in fragments for row in group]
    owner = [number for number, group in enumerate(fragments) for _ in group]
    indicator = sparse.csr_matrix((np.ones(len(rows)), (owner, rows)),
                                  shape=(len(fragments), matrix.shape[0]))
    agree = None
    if concepts is not None and concept_similarity > 0:
        agree = _centroids(indicator, concepts)
    merged = [sorted(row for number in found for row in fragments[number])
              for found in average_linkage(_centroids(indicator, matrix), merge_similarity,
                                           agree=agree, agree_min=concept_similarity)]
    singles = [group for group in groups if len(group) < 2]
    if lists is None:
        return sorted(merged + singles)
    kept, given_up = [], []
    for group in merged:
        one, others = _one_per_list(group, matrix, lists)
        kept.append(one)
        given_up += others
    return sorted(_rehome(kept + singles, sorted(given_up), matrix, lists, min_similarity))


def _centroids(indicator, matrix):
    """The normalised sum of each group's rows (``indicator``: groups × rows, 0/1)."""
    sums = sparse.csr_matrix(indicator @ matrix)
    norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ sums)


def _local_parents(parents, members) -> np.ndarray:
    """Each member's parent as a position in ``members`` (-1 when outside or none)."""
    position = np.full(len(parents), -1, dtype=np.int64)
    position[members] = np.arange(len(members))
    mine = np.asarray(parents)[members]
    return np.where(mine >= 0, position[np.maximum(mine, 0)], -1)


def _pairs(matrix, min_similarity: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The row pairs at or above ``min_similarity``, each once (row < col), in row order:
    rows and cols int32, similarities float32 (as ``similarities`` gives them, so a
    stricter cut filters them to exactly the pairs it would find itself), a block of rows
    at a time; 12 bytes a pair."""
    count = matrix.shape[0]
    pairs_r, pairs_c, pairs_s = [], [], []
    for start in range(0, count, CHUNK_ROWS):
        block = similarities(matrix, np.arange(start, min(count, start + CHUNK_ROWS)))
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
    """A component label per row of the graph of ``pairs`` (row < col): the smallest row
    of its component.

    Each edge hooks the larger of its two roots under the smaller, then pointer jumping
    makes every row point at its root, until no edge joins two roots: numpy over the pair
    arrays, a block of pairs at a time. scipy's ``connected_components`` copied the graph
    with float64 weights and again transposed (about 40 bytes a pair: 2 GB in the theme
    worker at 10,000 reports); this holds about 10 bytes a pair of the block.
    """
    pairs_r, pairs_c, _ = pairs
    labels = np.arange(count, dtype=np.int64)
    while True:
        hooked = False
        for start in range(0, len(pairs_r), COMPONENT_BLOCK):
            low = labels[pairs_r[start : start + COMPONENT_BLOCK]]
            high = labels[pairs_c[start : start + COMPONENT_BLOCK]]
            apart = low != high
            if apart.any():
                low, high = low[apart], high[apart]
                np.minimum.at(labels, np.maximum(low, high), np.minimum(low, high))
                hooked = True
            del low, high, apart
        if not hooked:
            return labels
        _point_at_roots(labels)


def _point_at_roots(labels: np.ndarray) -> None:
    """Pointer jumping in place: every row's label becomes the root its chain ends at."""
    while True:
        parents = labels[labels]
        if np.array_equal(parents, labels):
            return
        labels[:] = parents


def _cut_tree(part, min_similarity: float, members, lists=None,
              parents=None, levels: bool = False, agree=None) -> list[list[int]]:
    distances = _condensed_distances(part)
    if agree is not None and agree[1] > 0:
        _hold_disagreeing_apart(distances, *agree)
    if lists is not None:
        distances[_sibling_pairs(lists)] = 1.0  # cosine 0: siblings pull a group apart
    if parents is not None:
        distances[_parent_pairs(parents)] = 1.0
        if levels:
            _hold_levels_apart(distances, part, parents)
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


def _hold_levels_apart(distances, part, parents) -> None:
    """Distance 1 (cosine 0) between a unit and each unit that is more like its parent, or
    one of its sub-points, than like it: that unit states the other level of the plan.

    Reports nest 提振消费 under 扩大内需; another report's 大力提振消费 shares words with
    both, and average linkage merged the two levels across reports (465 of the 1,340 wrong
    pairs of the provincial countermeasure gold). It is more like this report's own
    提振消费 than like its 扩大内需 heading, so it is held apart from the heading, while
    another report's 扩大内需 heading stays free to meet it. Pairs of similarity 0 are left
    as they are (already at distance 1); a block of parent–child edges at a time."""
    count = len(parents)
    children = np.flatnonzero(parents >= 0)
    for start in range(0, len(children), CHUNK_ROWS):
        child = children[start : start + CHUNK_ROWS]
        parent = parents[child]
        to_child, to_parent = similarities(part, child), similarities(part, parent)
        for rows, own, kin in ((child, to_child, to_parent), (parent, to_parent, to_child)):
            edge, other = np.nonzero((kin > own) & (own > 0))
            row = rows[edge]
            low, high = np.minimum(row, other), np.maximum(row, other)
            low, high = low[low != high], high[low != high]
            distances[count * low - low * (low + 1) // 2 + (high - low - 1)] = 1.0
        del to_child, to_parent


def _hold_disagreeing_apart(distances, agree, minimum: float) -> None:
    """Distance 1 (cosine 0) between rows whose ``agree`` vectors' cosine is below
    ``minimum`` (rows without any count as disagreeing), a block of rows at a time."""
    count = agree.shape[0]
    for start in range(0, count, CHUNK_ROWS):
        stop = min(count, start + CHUNK_ROWS)
        block = similarities(agree, np.arange(start, stop))
        for row in range(start, stop):
            offset = count * row - row * (row + 1) // 2
            apart = block[row - start, row + 1 :] < minimum
            distances[offset : offset + count - row - 1][apart] = 1.0


def _parent_pairs(parents) -> np.ndarray:
    """Condensed-matrix positions of the (row, parent row) pairs."""
    count = len(parents)
    children = np.flatnonzero(parents >= 0)
    low = np.minimum(children, parents[children])
    high = np.maximum(children, parents[children])
    return count * low - low * (low + 1) // 2 + (high - low - 1)


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
    similarity = similarities(part, np.asarray(given_up))  # float32, given-up rows only
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
        block = similarities(part, np.arange(start, stop))
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
