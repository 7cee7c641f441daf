"""Fill the comparison report's data (:mod:`pipeline.outputs.report_data`) from the store.

Reads documents and their outcomes, units with their themes, the graph the graph stage
stored (``results: graph``), the document topic model's prevalence
(``results: topics:document``) and the state at the start of the run (for the
changelog). Counts are complete; evidence is a sample (one quote per document first).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

from pipeline.outputs import changes
from pipeline.outputs import report_data as rd
from pipeline.outputs.export import status_rows
from pipeline.outputs.tables import place_of
from pipeline.records import Document, Unit

KINDS = (rd.PROBLEM, rd.COUNTERMEASURE)


def build_report_data(store: Any, run_date: str | None = None) -> rd.ReportData:
    """Everything the report shows, from the store."""
    docs = {d.doc_id: d for d in store.iter_documents(status="ok", with_text=False)}
    themes = {t: (kind, label, info) for t, kind, label, info in store.iter_themes()}
    members: dict[str, list[Unit]] = defaultdict(list)
    for theme_id, unit in store.iter_theme_members():  # not every unit: only themes' ones
        if unit.doc_id in docs:
            members[theme_id].append(unit)
    graph_data = store.get_result_export_json("graph", "graph.json") or {"nodes": [], "links": []}
    places = {doc_id: place_of(doc) for doc_id, doc in docs.items()}  # once, not per unit
    return rd.ReportData(
        run_date=run_date or time.strftime("%Y-%m-%dT%H:%M:%S"),
        corpus=overview(store, docs),
        problem_matrix=matrix(rd.PROBLEM, themes, members, docs, places),
        countermeasure_matrix=matrix(rd.COUNTERMEASURE, themes, members, docs, places),
        graph=theme_graph(graph_data, docs),
        topics=topic_summaries(store),
        prevalence=topic_prevalence(store),
        distinctive=distinctive_themes(themes, members, docs, places),
        unanswered=unanswered(themes, members, docs, graph_data, places),
        changelog=changelog(store),
    )


def evidence_of(unit: Unit, docs: dict[str, Document]) -> rd.Evidence:
    """A unit as a quote with its document."""
    return rd.Evidence(doc_id=unit.doc_id, source=docs[unit.doc_id].source,
                       unit_id=unit.unit_id, quote=(unit.marker + unit.headline)[:rd.QUOTE_CHARS])


def sample(units: list[Unit], docs: dict[str, Document]) -> tuple[rd.Evidence, ...]:
    """Up to EVIDENCE_LIMIT quotes, one per document first."""
    first, rest, seen = [], [], set()
    for unit in units:
        (rest if unit.doc_id in seen else first).append(unit)
        seen.add(unit.doc_id)
    return tuple(evidence_of(u, docs) for u in (first + rest)[:rd.EVIDENCE_LIMIT])


def overview(store: Any, docs: dict[str, Document]) -> rd.CorpusOverview:
    """Documents by place and year, outcomes and the files that were not used."""
    places: Counter[tuple[str, str]] = Counter()
    for doc in docs.values():
        region = doc.region
        if region.province:
            places[(region.province, "province")] += 1
        if region.city and region.city != region.province:
            places[(region.province + region.city, "city")] += 1
        if region.county:
            places[(place_of(doc), "county")] += 1
        if not region.province:
            places[(rd.UNKNOWN_PLACE, "unknown")] += 1
    years = Counter(d.year for d in docs.values())
    rows = list(status_rows(store))
    return rd.CorpusOverview(
        n_documents=sum(1 for row in rows if row[2] != "skipped"),
        places=tuple(rd.PlaceCount(p, level, n) for (p, level), n in
                     sorted(places.items(), key=lambda x: (-x[1], x[0]))),
        years=tuple(rd.YearCount(y, n) for y, n in
                    sorted(years.items(), key=lambda x: (x[0] is None, x[0] or 0))),
        statuses=tuple(rd.StatusCount(s, n) for s, n in
                       sorted(Counter(r[2] for r in rows).items())),
        issues=tuple(rd.IngestIssue(source, status, reason, doc_id or None)
                     for doc_id, source, status, reason in rows if status != "ok"),
    )


def report_theme(theme_id: str, kind: str, label: str, info: dict[str, Any]) -> rd.Theme:
    """A theme as the report names it."""
    return rd.Theme(theme_id=theme_id, kind=kind, label=label, n_docs=int(info.get("n_docs", 0)),
                    terms=tuple(info.get("terms", ())[:8]))


def matrix(kind: str, themes: dict[str, tuple], members: dict[str, list[Unit]],
           docs: dict[str, Document], places: dict[str, str]) -> rd.PlaceThemeMatrix:
    """Place × theme: documents of each place naming each theme, with quotes
    (``places``: doc_id → ``place_of`` the document)."""
    cells = []
    place_docs: Counter[str] = Counter(places[d] for d in docs)
    chosen = [(t, v) for t, v in themes.items() if v[0] == kind and members.get(t)]
    for theme_id, _value in chosen:
        by_place: dict[str, list[Unit]] = defaultdict(list)
        for unit in members[theme_id]:
            by_place[places[unit.doc_id]].append(unit)
        for place, units in sorted(by_place.items()):
            cells.append(rd.MatrixCell(place=place, theme_id=theme_id,
                                       n_docs=len({u.doc_id for u in units}),
                                       evidence=sample(units, docs)))
    order = sorted(chosen, key=lambda tv: (-int(tv[1][2].get("n_docs", 0)), tv[0]))
    used_places = {c.place for c in cells}
    return rd.PlaceThemeMatrix(
        kind=kind,
        places=tuple(sorted(used_places, key=lambda p: (-place_docs[p], p))),
        themes=tuple(report_theme(t, *v) for t, v in order),
        cells=tuple(cells))


def theme_graph(data: dict[str, Any], docs: dict[str, Document]) -> rd.ThemeGraph:
    """The stored graph (networkx node-link data) as the report draws it."""
    nodes = tuple(rd.GraphNode(node_id=n["id"], kind=n.get("kind", ""), label=n.get("label", ""),
                               size=int(n.get("size", 0)), n_docs=int(n.get("n_docs", 0)),
                               places=tuple(n.get("places", ())))
                  for n in data.get("nodes", []))
    edges = []
    for link in data.get("links", data.get("edges", [])):
        evidence = []
        for item in link.get("evidence", [])[:rd.EVIDENCE_LIMIT]:
            doc = docs.get(item.get("doc_id"))
            evidence.append(rd.EdgeEvidence(
                doc_id=item.get("doc_id", ""), source=doc.source if doc else "",
                place=item.get("place") or rd.UNKNOWN_PLACE,
                problem_unit=item.get("source_unit", ""),
                problem_quote=(item.get("source_headline") or "")[:rd.QUOTE_CHARS],
                countermeasure_unit=item.get("target_unit", ""),
                countermeasure_quote=(item.get("target_headline") or "")[:rd.QUOTE_CHARS]))
        edges.append(rd.GraphEdge(source=link["source"], target=link["target"],
                                  weight=float(link.get("weight", 0)),
                                  n_docs=int(link.get("n_docs", 0)),
                                  n_places=int(link.get("n_places", 0)),
                                  evidence=tuple(evidence)))
    return rd.ThemeGraph(nodes=nodes, edges=tuple(edges))


def _topics_document(store: Any) -> dict[str, Any]:
    found = store.get_result("topics:document")
    return found[1] if found and not found[1].get("skipped") else {}


def topic_summaries(store: Any) -> tuple[rd.TopicSummary, ...]:
    """The document model's topics with their terms and example documents."""
    document = _topics_document(store).get("document", {})
    return tuple(
        rd.TopicSummary(topic_id=t["topic"], label=t["label"],
                        terms=tuple(x["term"] for x in t.get("terms", [])[:10]),
                        examples=tuple(rd.Evidence(doc_id=r["doc_id"], source=r["source"],
                                                   unit_id=r["item_id"], quote=r["quote"])
                                       for r in t.get("representatives", [])))
        for t in document.get("topics", []))


def topic_prevalence(store: Any) -> tuple[rd.TopicPrevalence, ...]:
    """Topic shares by place, at the most specific level that compares several places."""
    result = _topics_document(store)
    rows = result.get("prevalence", [])
    labels = {t["topic"]: t["label"] for t in result.get("document", {}).get("topics", [])}
    for level in ("county", "city", "province"):
        chosen = [r for r in rows if r["level"] == level and r["place"] != rd.UNKNOWN_PLACE]
        if len({r["place"] for r in chosen}) >= 2:
            break
    else:
        chosen = [r for r in rows if r["level"] == "province"]
    return tuple(rd.TopicPrevalence(topic_id=r["topic"], label=labels.get(r["topic"], ""),
                                    place=(r["parent"].replace("/", "") + r["place"])
                                    if r["place"] != rd.UNKNOWN_PLACE else rd.UNKNOWN_PLACE,
                                    mean=r["mean"], low=r["ci_low"], high=r["ci_high"],
                                    n_docs=r["n_items"]) for r in chosen)


def distinctive_themes(themes: dict[str, tuple], members: dict[str, list[Unit]],
                       docs: dict[str, Document],
                       places: dict[str, str]) -> tuple[rd.DistinctiveTheme, ...]:
    """Themes a place names that no other place (or at most one other) names."""
    found = []
    for theme_id, (kind, label, _info) in themes.items():
        by_place: dict[str, list[Unit]] = defaultdict(list)
        for unit in members.get(theme_id, []):
            by_place[places[unit.doc_id]].append(unit)
        known = [p for p in by_place if p != rd.UNKNOWN_PLACE]
        if len(known) > 2 or len(known) == 0:
            continue
        for place in known:
            found.append(rd.DistinctiveTheme(
                place=place, theme_id=theme_id, kind=kind, label=label,
                n_docs=len({u.doc_id for u in by_place[place]}), n_other_places=len(known) - 1,
                evidence=sample(by_place[place], docs)))
    return tuple(sorted(found, key=lambda d: (d.place, d.n_other_places, -d.n_docs, d.theme_id)))


def unanswered(themes: dict[str, tuple], members: dict[str, list[Unit]],
               docs: dict[str, Document], graph: dict[str, Any],
               places: dict[str, str]) -> tuple:
    """Problem themes that no countermeasure answers anywhere in the corpus."""
    answered = {link["source"] for link in graph.get("links", graph.get("edges", []))}
    found = []
    for theme_id, (kind, label, _info) in sorted(themes.items()):
        if kind != rd.PROBLEM or theme_id in answered or not members.get(theme_id):
            continue
        units = members[theme_id]
        found.append(rd.UnansweredProblem(
            theme_id=theme_id, label=label, n_docs=len({u.doc_id for u in units}),
            places=tuple(sorted({places[u.doc_id] for u in units})),
            evidence=sample(units, docs)))
    return tuple(sorted(found, key=lambda u: (-u.n_docs, u.theme_id)))


def changelog(store: Any) -> rd.Changelog | None:
    """What this run changed so far (against the state stored when the run started)."""
    stored = store.get_result("run_start_state")
    if not stored:
        return None
    before = changes.state_from_json(stored[1])
    change = changes.diff(before, changes.state_of(store), int(stored[0]))
    docs = {d.source: d.doc_id for d in store.iter_documents(with_text=False)}
    documents = tuple(
        rd.DocChange(doc_id=docs.get(source, before.docs.get(source, ("",))[0]), source=source,
                     change=kind)
        for key, kind in (("documents_added", "added"), ("documents_changed", "changed"),
                          ("documents_removed", "removed"), ("documents_failed", "failed"))
        for source in change[key])
    return rd.Changelog(run_date=change["date"].replace(" ", "T"), documents=documents,
                        new_places=tuple(change["places_newly_covered"]))
