"""The problem → countermeasure graph: themes as nodes, linked unit pairs as edges.

Nodes are problem themes and countermeasure themes (``kind``, ``label``, ``size``,
``n_docs``, ``places`` …). An edge runs from a problem theme to a countermeasure theme
when some report links a member of one to a member of the other; it carries every such
pair as evidence (doc, units, place, both headlines) and is weighted by the pairs,
documents and places behind it. A passage copied across reports (``reuse``) counts once:
its later copies stay in the evidence marked ``counted: false`` but add no weight.

In memory, list and dict attributes are plain Python values; GraphML and GEXF cannot
hold them, so ``write_graph`` stores them there as JSON strings (``read_graph`` decodes).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import networkx as nx

from pipeline.analysis.links import GraphUnit, Link
from pipeline.analysis.reuse import ReuseCluster, canonical, canonical_units
from pipeline.analysis.textvec import normalise
from pipeline.analysis.themes import Theme, ThemeResult

GRAPH_FILES = ("graph.json", "graph.graphml", "graph.gexf")
THEME_FIELDS = tuple(f.name for f in fields(Theme))
# Attributes holding lists or dicts: JSON strings in GraphML/GEXF.
STRUCTURED_ATTRS = frozenset({"terms", "members", "docs", "places", "counted_places",
                              "member_headlines", "evidence"})


def theme_list(themes: Iterable[Theme | ThemeResult]) -> list[Theme]:
    """Themes from a mix of ``ThemeResult``s and ``Theme``s, in order."""
    out: list[Theme] = []
    for item in themes:
        out.extend(item.themes if isinstance(item, ThemeResult) else [item])
    return out


def build_graph(themes: Iterable[Theme | ThemeResult], links: Iterable[Link],
                units_by_id: Mapping[str, GraphUnit],
                reuse: Iterable[ReuseCluster] = ()) -> nx.DiGraph:
    """Directed graph problem theme → countermeasure theme with weights and evidence."""
    all_themes = sorted(theme_list(themes), key=lambda t: t.theme_id)
    canon = canonical_units(reuse)
    theme_of = {unit: theme for theme in all_themes for unit in theme.members}
    graph = nx.DiGraph(links_total=0, links_in_graph=0)
    for theme in all_themes:
        graph.add_node(theme.theme_id, **_node_attributes(theme, units_by_id, canon))
    evidence: dict[tuple[str, str], list[dict[str, Any]]] = {}
    ordered = sorted(links, key=lambda k: (k.doc_id, k.source_unit, k.target_unit))
    for link in ordered:
        source, target = theme_of.get(link.source_unit), theme_of.get(link.target_unit)
        graph.graph["links_total"] += 1
        if source is None or target is None or source.kind != "problem" \
                or target.kind != "countermeasure":
            continue
        graph.graph["links_in_graph"] += 1
        item = _evidence(link, units_by_id, canon)
        evidence.setdefault((source.theme_id, target.theme_id), []).append(item)
    for (source_id, target_id), items in sorted(evidence.items()):
        graph.add_edge(source_id, target_id, **_edge_attributes(items))
    for node, data in graph.nodes(data=True):
        data["linked"] = graph.degree(node) > 0  # answered (problem) / answering (measure)
    return graph


def _counted(members: Sequence[GraphUnit], canon: Mapping[str, str]) -> list[GraphUnit]:
    """Members that count: the first of each reused passage, in (doc, unit) order."""
    seen, counted = set(), []
    for unit in sorted(members, key=lambda u: (u.doc_id, u.unit_id)):
        key = canonical(unit.unit_id, canon)
        if key not in seen:
            seen.add(key)
            counted.append(unit)
    return counted


def _node_attributes(theme: Theme, units_by_id, canon) -> dict[str, Any]:
    members = [units_by_id[m] for m in theme.members if m in units_by_id]
    counted = _counted(members, canon)
    counted_places = sorted({u.place for u in counted if u.place})
    return {
        "kind": theme.kind, "label": theme.label, "headline": theme.headline,
        "terms": list(theme.terms), "members": list(theme.members),
        "member_headlines": [u.headline for u in members],
        "size": len(counted), "reused_members": len(members) - len(counted),
        "n_docs": len({u.doc_id for u in counted}), "n_places": len(counted_places),
        "docs": list(theme.docs), "places": list(theme.places),
        "counted_places": counted_places, "cohesion": theme.cohesion,
    }


def _evidence(link: Link, units_by_id: Mapping[str, GraphUnit], canon) -> dict[str, Any]:
    source, target = units_by_id.get(link.source_unit), units_by_id.get(link.target_unit)
    return {
        "doc_id": link.doc_id, "source_unit": link.source_unit, "target_unit": link.target_unit,
        "place": source.place if source else None,
        "source_headline": source.headline if source else "",
        "target_headline": target.headline if target else "",
        "score": link.score, "reasons": list(link.reasons),
        # copies of one reused pair share this key and count once
        "pair_key": f"{canonical(link.source_unit, canon)}>{canonical(link.target_unit, canon)}",
    }


def _edge_attributes(items: list[dict[str, Any]]) -> dict[str, Any]:
    seen = set()
    for item in items:
        item["counted"] = item["pair_key"] not in seen
        seen.add(item["pair_key"])
    counted = [i for i in items if i["counted"]]
    places = sorted({i["place"] for i in counted if i["place"]})
    return {
        "weight": len(counted), "pairs": len(counted),
        "n_docs": len({i["doc_id"] for i in counted}),
        "n_places": len(places), "counted_places": places,
        "places": sorted({i["place"] for i in items if i["place"]}),
        "mean_score": round(sum(i["score"] for i in counted) / len(counted), 4),
        "evidence": items,
    }


# --- queries ---------------------------------------------------------------------------


def _matches_place(places: Iterable[str], place: str) -> bool:
    wanted = normalise(place)
    return any(wanted in normalise(p) for p in places)


def countermeasures_for(graph: nx.DiGraph, term: str) -> list[dict[str, Any]]:
    """Countermeasure themes answering the problem themes whose label, terms or member
    headlines contain ``term``, most places first."""
    wanted = normalise(term)
    found: dict[str, dict[str, Any]] = {}
    for node, data in graph.nodes(data=True):
        texts = [data["label"], *data["terms"], *data["member_headlines"]]
        if data["kind"] != "problem" or not any(wanted in normalise(t) for t in texts):
            continue
        for _, answer, edge in graph.out_edges(node, data=True):
            entry = found.setdefault(answer, {
                "theme_id": answer, "label": graph.nodes[answer]["label"],
                "pairs": 0, "places": set(), "docs": set(), "via": []})
            entry["pairs"] += edge["pairs"]
            entry["places"].update(edge["counted_places"])
            entry["docs"].update(i["doc_id"] for i in edge["evidence"] if i["counted"])
            entry["via"].append(node)
    results = [{**e, "places": sorted(e["places"]), "n_places": len(e["places"]),
                "n_docs": len(e["docs"]), "docs": sorted(e["docs"])} for e in found.values()]
    return sorted(results, key=lambda e: (-e["n_places"], -e["pairs"], e["theme_id"]))


def region_subgraph(graph: nx.DiGraph, place: str) -> nx.DiGraph:
    """The part of the graph one place (or any place inside it, 四川省 ⊃ 巴中市) reports:
    its themes, and edges re-weighted from its evidence only."""
    sub = nx.DiGraph(**graph.graph, place=place)
    for node, data in graph.nodes(data=True):
        if _matches_place(data["places"], place):
            sub.add_node(node, **data)
    for source, target, data in graph.edges(data=True):
        items = [dict(i) for i in data["evidence"]
                 if i["place"] and _matches_place([i["place"]], place)]
        if items:
            for node in (source, target):
                sub.add_node(node, **graph.nodes[node])
            sub.add_edge(source, target, **_edge_attributes(items))
    return sub


def unanswered_problem_themes(graph: nx.DiGraph) -> list[dict[str, Any]]:
    """Problem themes no report links to any countermeasure theme, biggest first."""
    rows = [{"theme_id": n, **d} for n, d in graph.nodes(data=True)
            if d["kind"] == "problem" and graph.out_degree(n) == 0]
    return sorted(rows, key=lambda r: (-r["size"], r["theme_id"]))


def distinctive_themes(graph: nx.DiGraph, place: str) -> list[dict[str, Any]]:
    """Themes only ``place`` (or places inside it) names: no other place's reports have them."""
    rows = []
    for node, data in graph.nodes(data=True):
        places = data["places"]
        if places and all(_matches_place([p], place) for p in places):
            rows.append({"theme_id": node, **data})
    return sorted(rows, key=lambda r: (r["kind"], -r["size"], r["theme_id"]))


# --- writers ---------------------------------------------------------------------------


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temp)`` on a temp file beside ``path``, then move it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of our own rather than mkstemp, whose 0600 mode would outlive the rename.
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temp)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def flat_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy whose list/dict attributes are JSON strings and None values '' (GraphML/GEXF)."""
    def flat(data: Mapping[str, Any]) -> dict[str, Any]:
        return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict | tuple)
                else "" if v is None else v for k, v in data.items()}

    copy = nx.DiGraph(**flat(graph.graph))
    copy.add_nodes_from((n, flat(d)) for n, d in graph.nodes(data=True))
    copy.add_edges_from((s, t, flat(d)) for s, t, d in graph.edges(data=True))
    return copy


def write_graph(graph: nx.DiGraph, out_dir: Path) -> list[Path]:
    """Write graph.json (node-link), graph.graphml and graph.gexf atomically into out_dir."""
    write_graph_json(graph, out_dir)
    write_graph_xml(graph, out_dir)
    return [Path(out_dir) / name for name in GRAPH_FILES]


def write_graph_json(graph: nx.DiGraph, out_dir: Path) -> Path:
    """Write graph.json (node-link) atomically into out_dir."""
    path = Path(out_dir) / "graph.json"
    data = nx.node_link_data(graph, edges="links")
    atomic_write(path, lambda temp: write_json_by_item(data, temp))
    return path


def write_graph_xml(graph: nx.DiGraph, out_dir: Path) -> list[Path]:
    """Write graph.graphml and graph.gexf (list and dict attributes as JSON strings)
    atomically into out_dir."""
    out_dir = Path(out_dir)
    flat = flat_graph(graph)
    atomic_write(out_dir / "graph.graphml", lambda temp: nx.write_graphml(flat, temp))
    atomic_write(out_dir / "graph.gexf", lambda temp: nx.write_gexf(flat, temp))
    return [out_dir / "graph.graphml", out_dir / "graph.gexf"]


def write_json_by_item(data: Mapping[str, Any], path: Path, sort_keys: bool = True) -> None:
    """A JSON object whose list values are written one item per line (graph.json's nodes
    and edges, themes.json's themes).

    Each item is encoded on its own (by json's C encoder: ``indent`` would select its
    pure-Python one, several times slower), so that the file is written piece by piece
    instead of as one string of a hundred megabytes at 10,000 reports.
    """
    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys)

    with open(path, "w", encoding="utf-8") as handle:
        handle.write("{")
        for number, key in enumerate(sorted(data) if sort_keys else data):
            handle.write(f"{',' if number else ''}\n{dumps(key)}: ")
            value = data[key]
            if not isinstance(value, list | tuple):
                handle.write(dumps(value))
                continue
            handle.write("[")
            for index, item in enumerate(value):
                handle.write(f"{',' if index else ''}\n {dumps(item)}")
            handle.write("\n]" if value else "]")
        handle.write("\n}\n")


def read_graph(path: Path) -> nx.DiGraph:
    """Read a graph written by ``write_graph`` (.json, .graphml or .gexf), lists decoded."""
    path = Path(path)
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return nx.node_link_graph(data, directed=True, multigraph=False, edges="links")
    graph = nx.read_graphml(path) if path.suffix == ".graphml" else nx.read_gexf(path)
    graph = nx.DiGraph(graph)
    for data in [graph.graph, *(d for _, d in graph.nodes(data=True)),
                 *(d for _, _, d in graph.edges(data=True))]:
        for key in STRUCTURED_ATTRS & data.keys():
            if isinstance(data[key], str) and data[key][:1] in "[{":
                data[key] = json.loads(data[key])
    return graph


def write_links_jsonl(path: Path, links: Iterable[Link]) -> None:
    """One JSON object per link: doc_id, source_unit, target_unit, score, reasons."""
    def write(temp: Path) -> None:
        with open(temp, "w", encoding="utf-8") as handle:
            for k in links:
                handle.write(json.dumps({"doc_id": k.doc_id, "source_unit": k.source_unit,
                                         "target_unit": k.target_unit, "score": k.score,
                                         "reasons": list(k.reasons)}, ensure_ascii=False) + "\n")

    atomic_write(Path(path), write)


def theme_dict(theme: Theme) -> dict[str, Any]:
    """A theme's fields as a dict: ``dataclasses.asdict`` without its deep copy of every
    member id (its fields are strings, tuples of strings and a float)."""
    return {name: getattr(theme, name) for name in THEME_FIELDS}


def write_themes_json(path: Path, themes: Sequence[Theme | ThemeResult],
                      fit: Mapping[str, Any] | None = None) -> None:
    """Themes (and, for ``ThemeResult``s, threshold and unassigned units) as JSON; ``fit``
    says whether they come from a full clustering or an incremental update, and why.

    ``results`` holds each kind's themes with its threshold and unassigned units;
    ``themes`` lists every theme of every kind (each names its ``kind``) for readers who
    want one list."""
    results = [t for t in themes if isinstance(t, ThemeResult)]
    loose = [t for t in themes if isinstance(t, Theme)]
    # each theme's dict made once for both lists
    listed = {id(t): theme_dict(t) for r in results for t in r.themes}
    payload = {
        "results": [{"kind": r.kind, "min_similarity": r.min_similarity,
                     "themes": [listed[id(t)] for t in r.themes],
                     "unassigned": list(r.unassigned)} for r in results],
        "themes": [listed[id(t)] for r in results for t in r.themes]
        + [theme_dict(t) for t in loose],
    }
    if fit is not None:
        payload["fit"] = dict(fit)
    atomic_write(Path(path), lambda temp: write_json_by_item(payload, temp, sort_keys=False))
