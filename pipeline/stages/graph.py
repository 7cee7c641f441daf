"""Graph: problems linked to countermeasures within reports, themes across reports.

Reads ok documents, their labelled units and tokens; writes per-document links
(``links``, keyed by the document's units, labels and the ``[links]`` config), and,
whenever any input changed, the corpus-level parts: problem and countermeasure themes
(``themes``, ``unit_themes``), passages reused across reports, and the theme → theme
graph (``results: graph``) with its exports (links.jsonl, themes.json, graph.json,
graph.graphml, graph.gexf, graph.html) rendered into the store and published.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from bisect import bisect_left
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.analysis import links, textvec
from pipeline.executors import forked_beside, inherited, map_forked, run_in_process
from pipeline.outputs.tables import UNKNOWN_PLACE, place_of
from pipeline.records import Document, Unit
from pipeline.stages import StageContext, StageResult, collecting_less, work_key
from pipeline.text.vocab import cn_to_int, enclosed_to_int

if TYPE_CHECKING:
    from pipeline.analysis.themes import ThemeResult

STAGE = "graph"
PARALLEL_MIN_DOCS = 40  # fewer reports to link than this are linked in-process (a fork costs more)
XML_EXPORTS = "xml"  # graph.graphml and graph.gexf, written apart from the others
JSON_EXPORTS = "json"  # graph.json, links.jsonl, themes.json and graph.html
MARKER_CACHE = 4096  # distinct unit markers whose number is remembered ("（三）" → 3)
RE_ORDINAL_IN_MARKER = re.compile(
    r"(\d{1,3})|([一二三四五六七八九十百零〇两]{1,4})|([①-⑳㈠-㈩⑴-⒇])")


@collecting_less
def run(ctx: StageContext) -> StageResult:
    """Link each changed report; update or re-cluster themes and rebuild the graph when
    anything moved."""
    store, config = ctx.store, ctx.config
    result = StageResult(STAGE)
    docs = ctx.documents()
    inputs = GraphInputs(ctx, docs)
    link_all(ctx, docs, inputs, config.options("links", links.LinkOptions), result)
    corpus_key = work_key(STAGE, ctx.version, config.digest("links", "themes", "reuse"),
                          textvec.concepts_fingerprint(),
                          *sorted(f"{d.doc_id}:{place_of(d)}:{inputs.keys[d.doc_id]}"
                                  for d in docs))
    if store.get_result_key("graph") == corpus_key:
        return result
    # the corpus-level libraries (scipy, rensa, networkx) only once there is work
    from pipeline.analysis import graph as theme_graph
    from pipeline.stages.graph_themes import corpus_themes

    clustered, copies, fit, every_unit, save_models = corpus_themes(ctx, inputs, result)
    stored_links = [links.Link(d, s, t, score, tuple(r)) for d, s, t, score, r in
                    store.iter_links()]
    units_by_id = {u.unit_id: u for u in every_unit}
    graph = theme_graph.build_graph(clustered, stored_links, units_by_id, copies)
    graph.graph["themes_fit"] = fit["mode"]
    with tempfile.TemporaryDirectory() as folder, rendering(
            graph, clustered, stored_links, fit, Path(folder), ctx.local_workers) as exports:
        with store.transaction():  # while a worker writes GraphML and GEXF
            save_models()
            store.replace_themes(theme_rows(clustered), assignment_rows(clustered, units_by_id))
            # the node-link data lives in graph.json alone: storing it twice cost a parse
            # and a copy of ~130 MB at 10,000 reports
            store.put_result("graph", corpus_key, {
                "reuse": [{"cluster": c.cluster_id, "docs": list(c.docs),
                           "units": [u for _, u in c.members]} for c in copies],
                "thresholds": {kind.kind: kind.min_similarity for kind in clustered},
                "themes_fit": fit}, files=exports())
    n_themes = sum(len(c.themes) for c in clustered)
    result.notes.append(f"{n_themes} themes, {graph.number_of_edges()} edges, "
                        f"{len(copies)} reused passages")
    return result


class GraphInputs:
    """Each document's units and its key, and its graph units when asked for.

    A document's key (its units, their labels, its tokens and the ``[segment]`` config)
    decides whether its links and theme vectors are still good; graph units carry the
    document's content words, whose decoding costs most of the stage's reading, so they
    are built only for the documents that need them (``full``) or without words
    (``light``: enough for the graph's evidence, reuse and stored theme members).
    """

    def __init__(self, ctx: StageContext, docs: list[Document]):
        self.docs = {d.doc_id: d for d in docs}
        self.units: dict[str, list[Unit]] = {d.doc_id: [] for d in docs}
        for unit in ctx.store.iter_units():
            if unit.doc_id in self.units:
                self.units[unit.doc_id].append(unit)
        self._store = ctx.store
        self._stopwords: frozenset[str] | None = None
        self._ctx = ctx
        segment = ctx.config.digest("segment")
        self.keys: dict[str, str] = {}
        for doc_id, units in self.units.items():
            blob = ctx.store.get_tokens(doc_id) or b""
            self.keys[doc_id] = work_key(segment, hashlib.sha1(blob).hexdigest(),
                                         *(f"{u.unit_id}:{u.label}" for u in units))
        self._full: dict[str, list[links.GraphUnit]] = {}

    def full(self, doc_id: str) -> list[links.GraphUnit]:
        """The document's graph units with their content words."""
        if doc_id not in self._full:
            if self._stopwords is None:
                self._stopwords = _stopwords(self._ctx)
            self._full[doc_id] = graph_units(self.docs[doc_id], self.units[doc_id],
                                             self._store.get_tokens(doc_id), self._stopwords)
        return self._full[doc_id]

    def light(self, doc_id: str) -> list[links.GraphUnit]:
        """The document's graph units without words (the full ones when already built)."""
        if doc_id in self._full:
            return self._full[doc_id]
        return graph_units(self.docs[doc_id], self.units[doc_id], None, frozenset())


def link_all(ctx: StageContext, docs: list[Document], inputs: GraphInputs,
             options: links.LinkOptions, result: StageResult) -> None:
    """Draw the links of each document whose units, labels or tokens changed."""
    store = ctx.store
    digest = f"{ctx.config.digest('links')}:{textvec.concepts_fingerprint()}"
    due = ctx.due(((doc, work_key(STAGE, ctx.version, digest, inputs.keys[doc.doc_id]))
                   for doc in docs), result)
    pending = {doc.doc_id: key for doc, key in due}  # doc_id → work key, to link
    with store.transaction():
        for doc_id, outcome in zip(pending, draw_links(ctx, inputs, list(pending), options),
                                   strict=True):
            if isinstance(outcome, BaseException):  # one report must not stop the run
                ctx.document_failed(doc_id, pending[doc_id], outcome)
                result.errors += 1
                continue
            store.replace_links(doc_id, [(k.source_unit, k.target_unit, k.score,
                                          list(k.reasons)) for k in outcome])
            store.put_work_key(STAGE, doc_id, pending[doc_id])
            store.clear_doc_error(STAGE, doc_id)
            result.processed += 1


def draw_links(ctx: StageContext, inputs: GraphInputs, doc_ids: list[str],
               options: links.LinkOptions) -> list[list[links.Link] | BaseException]:
    """Each document's links, or the exception it raised, in order: on forked local
    workers when there are many (a report's links depend on its own units alone)."""
    units: dict[str, list[links.GraphUnit]] = {}
    outcomes: dict[str, list[links.Link] | BaseException] = {}
    for doc_id in doc_ids:
        try:
            units[doc_id] = inputs.full(doc_id)  # read here: workers never open the store
        except Exception as exc:
            outcomes[doc_id] = exc
    ready = [d for d in doc_ids if d in units]
    workers = ctx.local_workers
    # the first report is linked here: it warms the concept tables workers inherit
    in_process = ready if workers <= 1 or len(ready) < PARALLEL_MIN_DOCS else ready[:1]
    for doc_id, outcome in zip(in_process, run_in_process(
            lambda d: links.link_units(units[d], options), in_process), strict=True):
        outcomes[doc_id] = outcome
    forked = ready[len(in_process):]
    if forked:
        outcomes.update(zip(forked, map_forked(link_document, forked, workers, (units, options)),
                            strict=True))
    return [outcomes[d] for d in doc_ids]


def link_document(doc_id: str) -> list[links.Link]:
    """Worker entry point: the links of one inherited report."""
    units, options = inherited()
    return links.link_units(units[doc_id], options)


def _stopwords(ctx: StageContext) -> frozenset[str]:
    from pipeline.nlp.dictionaries import SegmentOptions, load_stopwords

    return load_stopwords(ctx.config.options("segment", SegmentOptions).stopword_files)


def graph_units(doc: Document, units: list[Unit], token_blob: bytes | None,
                stopwords: frozenset[str]) -> list[links.GraphUnit]:
    """The graph's view of a document's labelled units: text, content words, section, place."""
    located = _located_words(doc.text, token_blob, stopwords)
    starts = [start for start, _ in located]  # ascending: words are found left to right
    by_id = {u.unit_id: u for u in units}
    place = place_of(doc)
    out = []
    for position, unit in enumerate(units):
        top = unit
        while top.parent_id in by_id:
            top = by_id[top.parent_id]
        out.append(links.GraphUnit(
            unit_id=unit.unit_id, doc_id=doc.doc_id, parent_id=unit.parent_id,
            label=unit.label or "other", marker=unit.marker, ordinal=marker_number(unit.marker),
            headline=unit.headline, text=doc.text[unit.start:unit.end],
            # light units (every report's, each run) skip the lookup
            words=_words_between(located, starts, unit.start, unit.end) if located else (),
            position=position, section=top.headline,
            place=None if place == UNKNOWN_PLACE else place))
    return out


def _words_between(located: list[tuple[int, str]], starts: list[int], start: int,
                   end: int) -> tuple[str, ...]:
    return tuple(w for _, w in located[bisect_left(starts, start):bisect_left(starts, end)])


def _located_words(text: str, token_blob: bytes | None,
                   stopwords: frozenset[str]) -> list[tuple[int, str]]:
    if not token_blob:
        return []
    from pipeline.nlp.tokens import tokens_of

    located, cursor = [], 0
    for word, _tag in tokens_of(token_blob):
        found = text.find(word, cursor) if word.strip() else -1
        if found >= 0:
            cursor = found + len(word)
            if word not in stopwords and len(word) > 1:
                located.append((found, word))
    return located


@lru_cache(maxsize=MARKER_CACHE)  # few distinct markers; every report is read each run
def marker_number(marker: str) -> int | None:
    """The number a marker holds (一是 → 1, （三） → 3, 2. → 2, ② → 2), None without one."""
    match = RE_ORDINAL_IN_MARKER.search(marker or "")
    if not match:
        return None
    if match.group(1):
        return int(match.group(1))
    if match.group(2):
        return cn_to_int(match.group(2))
    return enclosed_to_int(match.group(3))


def theme_rows(clustered: list[ThemeResult]) -> list[tuple[str, str, str, dict]]:
    """(theme_id, kind, label, info) rows for the store."""
    return [(t.theme_id, t.kind, t.label,
             {"terms": list(t.terms), "headline": t.headline, "size": len(t.members),
              "n_docs": len(t.docs), "places": list(t.places), "cohesion": t.cohesion})
            for result in clustered for t in result.themes]


def assignment_rows(clustered: list[ThemeResult],
                    units_by_id: dict[str, links.GraphUnit]) -> list[tuple]:
    """(unit_id, doc_id, kind, theme_id or None, score) for every clustered unit."""
    return [(unit_id, units_by_id[unit_id].doc_id, result.kind, theme_id, None)
            for result in clustered for unit_id, theme_id in sorted(result.assignments.items())
            if unit_id in units_by_id]


def render_exports(graph: Any, clustered: list[ThemeResult], found_links: list[links.Link],
                   fit: dict[str, Any] | None, folder: Path, workers: int = 1
                   ) -> dict[str, Path]:
    """Write the graph's export files into ``folder`` (to be stored and published with
    every snapshot); returns file name → path."""
    with rendering(graph, clustered, found_links, fit, folder, workers) as exports:
        return exports()


@contextmanager
def rendering(graph: Any, clustered: list[ThemeResult], found_links: list[links.Link],
              fit: dict[str, Any] | None, folder: Path, workers: int = 1
              ) -> Iterator[Callable[[], dict[str, Path]]]:
    """``render_exports``, begun: GraphML and GEXF (networkx's XML writers, the slowest
    part) are written by a forked worker from the start when the run has more than one
    job; yields the function that writes the rest here, waits for the worker and returns
    file name → path, so the caller can do other work in between."""
    state = (graph, clustered, found_links, fit, folder)
    with forked_beside(render_part, XML_EXPORTS, state, enabled=workers > 1) as xml:
        def exports() -> dict[str, Path]:
            write_part(JSON_EXPORTS, state)
            xml()
            return {path.name: path for path in sorted(folder.iterdir())}

        yield exports


def render_part(part: str) -> None:
    """Worker entry point: write one part of the inherited graph's exports."""
    write_part(part, inherited())


def write_part(part: str, state: tuple) -> None:
    """Write the XML exports (``XML_EXPORTS``) or the others of ``state``'s graph."""
    from pipeline.analysis import graph as theme_graph
    from pipeline.analysis import graph_html

    graph, clustered, found_links, fit, folder = state
    if part == XML_EXPORTS:
        theme_graph.write_graph_xml(graph, folder)
        return
    theme_graph.write_graph_json(graph, folder)
    theme_graph.write_links_jsonl(folder / "links.jsonl", found_links)
    theme_graph.write_themes_json(folder / "themes.json", clustered, fit)
    graph_html.write_graph_html(folder / "graph.html", graph)
