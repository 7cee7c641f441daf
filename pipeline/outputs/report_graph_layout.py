"""Where the comparison report's graph puts its themes: two columns, few crossing lines.

Problem themes stand in a left column, countermeasure themes in a right one; the order
within each column keeps linked themes level with each other (``column_positions``).
Pure arithmetic on the report's nodes and edges; :mod:`pipeline.outputs.report_figures`
draws the result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from pipeline.outputs.report_data import COUNTERMEASURE, PROBLEM, GraphEdge, GraphNode

LAYOUT_SWEEPS = 12  # barycentre sweeps of the graph layout; more rarely helps


def column_positions(nodes: Sequence[GraphNode],
                     edges: Sequence[GraphEdge]) -> dict[str, tuple[float, float]]:
    """(x, y) per node: problems at x=0, countermeasures at x=1, rows from y=0 down.

    Start from the spectral order of each connected part (the Fiedler vector of the graph's
    Laplacian puts linked themes near each other), then sweep the barycentre heuristic
    (one side sorted by the weighted mean row of its neighbours, then the other) and keep
    the order with fewest crossings.
    """
    start = {node_id: i for i, node_id in enumerate(spectral_sequence(nodes, edges))}
    order = {kind: sorted((n for n in nodes if n.kind == kind), key=lambda n: start[n.node_id])
             for kind in (PROBLEM, COUNTERMEASURE)}
    rows = rows_of(order)
    best = (count_crossings(edges, rows), {k: list(v) for k, v in order.items()})
    for sweep in range(LAYOUT_SWEEPS):
        kind = COUNTERMEASURE if sweep % 2 == 0 else PROBLEM
        centre = barycentres(edges, rows, kind)
        order[kind].sort(key=lambda n: centre.get(n.node_id, math.inf))
        rows = rows_of(order)
        crossings = count_crossings(edges, rows)
        if crossings < best[0]:
            best = (crossings, {k: list(v) for k, v in order.items()})
    order = best[1]
    tallest = max(len(side) for side in order.values())
    # The shorter column is centred against the longer one.
    return {n.node_id: (0.0 if kind == PROBLEM else 1.0, -(i + (tallest - len(side)) / 2))
            for kind, side in order.items() for i, n in enumerate(side)}


def spectral_sequence(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]) -> list[str]:
    """Node ids, connected part by part (most documents first), each part in Fiedler order."""
    parts = connected_parts([n.node_id for n in nodes], edges)
    n_docs = {n.node_id: n.n_docs for n in nodes}
    parts.sort(key=lambda part: -sum(n_docs[node_id] for node_id in part))
    return [node_id for part in parts for node_id in fiedler_order(part, edges)]


def connected_parts(node_ids: Sequence[str], edges: Sequence[GraphEdge]) -> list[list[str]]:
    """The node ids of each connected part of the graph (union-find)."""
    parent = {node_id: node_id for node_id in node_ids}

    def root(node_id: str) -> str:
        while parent[node_id] != node_id:
            parent[node_id] = parent[parent[node_id]]
            node_id = parent[node_id]
        return node_id

    for edge in edges:
        parent[root(edge.source)] = root(edge.target)
    parts: dict[str, list[str]] = {}
    for node_id in node_ids:
        parts.setdefault(root(node_id), []).append(node_id)
    return list(parts.values())


def fiedler_order(part: Sequence[str], edges: Sequence[GraphEdge]) -> list[str]:
    """The nodes of one connected part sorted by the Fiedler vector of its Laplacian."""
    if len(part) < 3:
        return list(part)
    index = {node_id: i for i, node_id in enumerate(part)}
    weights = np.zeros((len(part), len(part)))
    for edge in edges:
        if edge.source in index and edge.target in index:
            a, b = index[edge.source], index[edge.target]
            weights[a, b] = weights[b, a] = weights[a, b] + max(edge.weight, 1e-9)
    laplacian = np.diag(weights.sum(axis=1)) - weights
    fiedler = np.linalg.eigh(laplacian)[1][:, 1]  # eigenvector of the second-smallest value
    return [part[i] for i in np.argsort(fiedler, kind="stable")]


def rows_of(order: dict[str, list[GraphNode]]) -> dict[str, int]:
    """Node id → its row in its column."""
    return {n.node_id: i for side in order.values() for i, n in enumerate(side)}


def barycentres(edges: Sequence[GraphEdge], rows: dict[str, int], kind: str) -> dict[str, float]:
    """For each node of ``kind``, the weighted mean row of the nodes it links to."""
    pulls: dict[str, list[tuple[int, float]]] = {}
    for edge in edges:
        own, other = (edge.target, edge.source) if kind == COUNTERMEASURE else (
            edge.source, edge.target)
        pulls.setdefault(own, []).append((rows[other], max(edge.weight, 1e-9)))
    return {nid: sum(r * w for r, w in p) / sum(w for _, w in p) for nid, p in pulls.items()}


def count_crossings(edges: Sequence[GraphEdge], rows: dict[str, int]) -> int:
    """Pairs of edges that cross between the two columns."""
    ends = sorted((rows[e.source], rows[e.target]) for e in edges)
    return sum(1 for i, (s1, t1) in enumerate(ends) for s2, t2 in ends[i + 1:]
               if s1 != s2 and t1 > t2)
