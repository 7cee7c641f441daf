"""The researcher's questions, as plain functions over an output folder.

Each opens the folder's store read-only, asks it, and returns records; the CLI
(``diaoyan kwic``, ``diaoyan graph --problem`` …) only formats what they return.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pipeline.analysis.kwic import KwicLine, fts_phrase, kwic_lines
from pipeline.records import Document, Unit
from pipeline.store import Store


def kwic(out_dir: Path, term: str, *, label: str | None = None, place: str | None = None,
         limit: int = 200, width: int = 30) -> list[KwicLine]:
    """Keyword in context: every sentence holding ``term``, with its unit, label and place."""
    from pipeline import nlp  # jieba cuts the term as the sentences were cut

    words = [w for w in nlp.get_segmenter().lcut(term) if w.strip()]
    store = Store.for_reading(out_dir)
    try:
        docs = {d.doc_id: d for d in store.iter_documents(status="ok")}

        @functools.lru_cache(maxsize=256)
        def units_of(doc_id: str) -> list[Unit]:
            return list(store.iter_units(doc_id))

        def document(doc_id: str) -> Document:
            return docs[doc_id]

        # filters drop hits after the search, so ask for more than the limit
        hits = list(store.search_sentences(fts_phrase(words), limit * 5))
        return kwic_lines(hits, term, document, units_of, width=width, label=label,
                          place=place)[:limit]
    finally:
        store.close()


def review_rows(out_dir: Path) -> list[dict]:
    """Every labelled unit with what a reviewer needs: source, place, label, theme, links."""
    from pipeline.outputs.tables import place_of

    store = Store.for_reading(out_dir)
    try:
        docs = {d.doc_id: d for d in store.iter_documents(status="ok")}
        units = list(store.iter_units())
        headline = {u.unit_id: u.headline for u in units}
        themes = {t: label for t, _kind, label, _info in store.iter_themes()}
        unit_theme = store.get_unit_themes()
        linked: dict[str, list[str]] = {}
        for _doc, source, target, _score, _reasons in store.iter_links():
            linked.setdefault(source, []).append(headline.get(target, target))
    finally:
        store.close()
    rows = []
    for unit in units:
        if unit.doc_id not in docs or unit.label is None:
            continue
        theme_id = unit_theme.get(unit.unit_id, (None, None))[0]
        rows.append({
            "unit_id": unit.unit_id, "doc_id": unit.doc_id, "source": docs[unit.doc_id].source,
            "place": place_of(docs[unit.doc_id]), "marker": unit.marker,
            "headline": unit.headline, "predicted": unit.label,
            "score": round(unit.label_score or 0.0, 3),
            "theme": themes.get(theme_id, "") if theme_id else "",
            "linked_to": " | ".join(linked.get(unit.unit_id, [])),
        })
    return rows


def review_scores(out_dir: Path) -> dict:
    """Label accuracy of the current units against the stored review codes."""
    store = Store.for_reading(out_dir)
    try:
        reviewed = store.get_review_labels()
        predicted = {u.unit_id: u.label or "other" for u in store.iter_units()}
    finally:
        store.close()
    pairs = [(gold, predicted[u]) for u, gold in reviewed.items() if u in predicted]
    correct = sum(g == p for g, p in pairs)
    return {"reviewed": len(reviewed), "found": len(pairs),
            "label_accuracy": round(correct / len(pairs), 4) if pairs else None}


def load_run(out_dir: Path) -> tuple[list[Document], dict[str, list[Unit]]]:
    """All documents and their units, for scoring."""
    store = Store.for_reading(out_dir)
    try:
        docs = list(store.iter_documents())
        units_by_doc: dict[str, list[Unit]] = {}
        for unit in store.iter_units():
            units_by_doc.setdefault(unit.doc_id, []).append(unit)
    finally:
        store.close()
    return docs, units_by_doc


def stored_graph(out_dir: Path):
    """The theme graph the last run stored (a networkx DiGraph; empty before any graph)."""
    import networkx as nx

    store = Store.for_reading(out_dir)
    try:
        data = store.get_result_export_json("graph", "graph.json")
    finally:
        store.close()
    if not data:
        return nx.DiGraph()
    return nx.node_link_graph(data, directed=True, multigraph=False, edges="links")


def countermeasures_for(out_dir: Path, term: str) -> list[dict]:
    """Countermeasure themes proposed for problems matching ``term``, most places first."""
    from pipeline.analysis.graph import countermeasures_for as query

    return query(stored_graph(out_dir), term)


def region_graph(out_dir: Path, place: str):
    """One place's part of the graph (its themes; edges weighted by its own evidence)."""
    from pipeline.analysis.graph import region_subgraph

    return region_subgraph(stored_graph(out_dir), place)


def unanswered_problems(out_dir: Path) -> list[dict]:
    """Problem themes for which no report proposes a countermeasure."""
    from pipeline.analysis.graph import unanswered_problem_themes

    return unanswered_problem_themes(stored_graph(out_dir))


def distinctive(out_dir: Path, place: str) -> list[dict]:
    """Themes one place names that other places do not."""
    from pipeline.analysis.graph import distinctive_themes

    return distinctive_themes(stored_graph(out_dir), place)
