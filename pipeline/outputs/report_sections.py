"""The comparison report's sections as HTML text: tables, chips and figure placeholders.

One ``…_html`` function per section of the page (:data:`pipeline.outputs.report_html.SECTIONS`),
each taking the ``ReportData`` and returning a fragment; every text of the data goes through
``esc``. Clickable elements carry ``data-evidence``, ``data-edge`` or ``data-theme``
attributes that the page script reads. Tables and texts are rendered here, so the page
reads even where scripts are blocked.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from pipeline.outputs.report_data import (
    UNKNOWN_PLACE,
    DistinctiveTheme,
    ReportData,
    ThemeGraph,
    edge_id,
)

MAX_TABLE_ROWS = 500
PLACE_LEVELS = {"province": "Provinces 省", "city": "Cities 市", "county": "Counties 县"}


def esc(text: object) -> str:
    """Text made safe for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def figure_or_empty(figure_id: str, items: Sequence, empty: str) -> str:
    """The placeholder a figure is drawn into, or a sentence saying there is nothing to draw."""
    if not items:
        return f'<p class="empty">{esc(empty)}</p>'
    return f'<div id="{figure_id}" class="figure" data-figure="{figure_id}"></div>'


# --- Overview ------------------------------------------------------------------------------

def overview_html(data: ReportData) -> str:
    """Count cards, documents per year, per place level, and ingest outcomes."""
    corpus = data.corpus
    counts = [("documents", corpus.n_documents)]
    counts += [(caption, sum(p.level == level for p in corpus.places))
               for level, caption in PLACE_LEVELS.items()]
    counts += [("without a place",
                sum(p.n_docs for p in corpus.places if p.place == UNKNOWN_PLACE)),
               ("files not used", len(corpus.issues))]
    cards = "".join(f'<div class="card"><b>{n}</b>{esc(label)}</div>' for label, n in counts)
    tables = "".join(
        f"<div><h3>{esc(caption)}</h3>"
        f"{place_table(p for p in corpus.places if p.level == level)}</div>"
        for level, caption in PLACE_LEVELS.items())
    years = figure_or_empty("years", corpus.years, "No document has a year.")
    return (f'<div class="cards">{cards}</div>'
            f'<div class="columns"><div class="wide"><h3>Documents per year</h3>{years}</div>'
            f"{tables}</div>{ingest_html(data)}")


def place_table(places: Iterable) -> str:
    """A scrolling two-column table of place and document count."""
    rows = "".join(f'<tr><td>{esc(p.place)}</td><td class="num">{p.n_docs}</td></tr>'
                   for p in sorted(places, key=lambda p: -p.n_docs))
    if not rows:
        return '<p class="empty">none</p>'
    return (f'<div class="scroll"><table><thead><tr><th>place</th><th class="num">docs</th>'
            f"</tr></thead><tbody>{rows}</tbody></table></div>")


def ingest_html(data: ReportData) -> str:
    """Counts by ingest status and the files not used, each with its reason."""
    chips = "".join(f'<span class="chip status-{esc(s.status)}">{esc(s.status)} {s.n}</span>'
                    for s in data.corpus.statuses)
    rows = "".join(f'<tr><td>{esc(i.source)}</td><td>{esc(i.status)}</td><td>{esc(i.reason)}</td>'
                   f"</tr>" for i in data.corpus.issues[:MAX_TABLE_ROWS])
    table = (f'<div class="scroll"><table id="ingest-issues"><thead><tr><th>file</th>'
             f"<th>status</th><th>reason</th></tr></thead><tbody>{rows}</tbody></table></div>"
             if rows else '<p class="empty">Every file was used.</p>')
    return f"<h3>Ingest outcomes</h3><p>{chips}</p>{table}"


# --- Links, topics, distinctive, unanswered, changelog -------------------------------------

def theme_labels(data: ReportData) -> dict[str, str]:
    """Theme id → label over both matrices and the graph."""
    labels = {n.node_id: n.label for n in data.graph.nodes}
    for matrix in (data.problem_matrix, data.countermeasure_matrix):
        labels.update((t.theme_id, t.label) for t in matrix.themes)
    return labels


def links_html(graph: ThemeGraph) -> str:
    """The graph and a table of its edges, strongest first, each row clickable."""
    figure = figure_or_empty("graph", graph.edges, "No report links a problem to a countermeasure.")
    if not graph.edges:
        return figure
    labels = {n.node_id: n.label for n in graph.nodes}
    ranked = sorted(graph.edges, key=lambda e: (-e.weight, e.edge_id))[:MAX_TABLE_ROWS]
    rows = "".join(
        f'<tr class="edge" tabindex="0" data-edge="{esc(e.edge_id)}">'
        f'<td>{esc(labels.get(e.source, e.source))}</td><td class="arrow">→</td>'
        f"<td>{esc(labels.get(e.target, e.target))}</td><td class=\"num\">{e.n_docs}</td>"
        f'<td class="num">{e.n_places}</td><td class="num">{e.weight:g}</td></tr>'
        for e in ranked)
    return (f'{figure}<h3>Links, strongest first</h3><div class="scroll tall">'
            f'<table id="edge-table"><thead><tr><th>problem theme</th><th class="arrow"></th>'
            f'<th>countermeasure theme</th><th class="num">docs</th><th class="num">places</th>'
            f'<th class="num">weight</th></tr></thead><tbody>{rows}</tbody></table></div>')


def topics_html(data: ReportData) -> str:
    """The topic chooser and the prevalence figure."""
    if not data.prevalence:
        return '<p class="empty">No topic model was fitted.</p>'
    labels = {row.topic_id: row.label for row in data.prevalence}  # first-seen order
    options = "".join(f'<option value="{i}">{esc(f"{tid}: {label}")}</option>'
                      for i, (tid, label) in enumerate(labels.items()))
    return (f'<p><label for="prevalence-topic">Topic </label>'
            f'<select id="prevalence-topic">{options}</select> '
            f'<span id="prevalence-terms" class="muted"></span></p>'
            f'<div id="prevalence" class="figure" data-figure="prevalence"></div>')


def distinctive_html(data: ReportData) -> str:
    """Per place, its distinctive themes as clickable chips."""
    by_place: dict[str, list[tuple[int, DistinctiveTheme]]] = {}
    for index, item in enumerate(data.distinctive):
        by_place.setdefault(item.place, []).append((index, item))
    if not by_place:
        return '<p class="empty">No place stands out from the others.</p>'
    rows = "".join(
        f"<tr><th>{esc(place)}</th><td>" + "".join(
            f'<button type="button" class="chip kind-{esc(d.kind)}" '
            f'data-evidence="distinctive:{i}" title="{esc(others_text(d.n_other_places))}">'
            f"{esc(d.label)} · {d.n_docs}</button>" for i, d in items) + "</td></tr>"
        for place, items in by_place.items())
    return (f'<p class="legend"><span class="chip kind-problem">problem</span>'
            f'<span class="chip kind-countermeasure">countermeasure</span> · the number is '
            f"the place's documents naming the theme</p>"
            f'<div class="scroll tall"><table id="distinctive-table">{rows}</table></div>')


def others_text(n_other_places: int) -> str:
    """How many other places name a theme, in words."""
    return "no other place names it" if n_other_places == 0 else (
        f"{n_other_places} other place{'s' if n_other_places > 1 else ''} name it")


def unanswered_html(data: ReportData) -> str:
    """Problem themes with no countermeasure, most documents first."""
    if not data.unanswered:
        return '<p class="empty">Every problem theme has at least one linked countermeasure.</p>'
    rows = "".join(
        f'<tr><td><button type="button" class="chip kind-problem" data-evidence="unanswered:{i}">'
        f'{esc(u.label)}</button></td><td class="num">{u.n_docs}</td>'
        f"<td>{esc(place_list(u.places))}</td></tr>"
        for i, u in sorted(enumerate(data.unanswered), key=lambda iu: -iu[1].n_docs))
    return (f'<div class="scroll tall"><table id="unanswered-table"><thead><tr><th>problem theme'
            f'</th><th class="num">docs</th><th>places</th></tr></thead><tbody>{rows}</tbody>'
            f"</table></div>")


def place_list(places: Sequence[str], limit: int = 6) -> str:
    """Places joined with 、, the tail counted rather than listed."""
    shown = "、".join(places[:limit])
    return shown + (f" and {len(places) - limit} more" if len(places) > limit else "")


def changelog_html(data: ReportData) -> str:
    """The latest run's changes: documents, new themes, new links, newly covered places."""
    log = data.changelog
    if log is None:
        return '<p class="empty">No earlier run to compare with.</p>'
    since = f" since {log.previous_run_date.replace('T', ' ')}" if log.previous_run_date else ""
    counts = {c: sum(d.change == c for d in log.documents)
              for c in ("added", "changed", "removed", "failed")}
    cards = "".join(f'<div class="card"><b>{n}</b>{c}</div>' for c, n in counts.items())
    rows = "".join(f"<tr><td>{esc(d.change)}</td><td>{esc(d.source)}</td><td>{esc(d.doc_id)}</td>"
                   f"<td>{esc(d.reason)}</td></tr>" for d in log.documents[:MAX_TABLE_ROWS])
    labels = theme_labels(data)
    themes = "".join(f'<button type="button" class="chip kind-{esc(t.kind)}" '
                     f'data-theme="{esc(t.theme_id)}">{esc(t.label)}</button>'
                     for t in log.new_themes) or "none"
    edges = "".join(
        f'<button type="button" class="chip edge" data-edge="{esc(edge_id(e.source, e.target))}">'
        f"{esc(labels.get(e.source, e.source))} → {esc(labels.get(e.target, e.target))}</button>"
        for e in log.new_edges) or "none"
    places = "".join(f'<span class="chip">{esc(p)}</span>' for p in log.new_places) or "none"
    table = (f'<div class="scroll"><table id="changed-docs"><thead><tr><th>change</th>'
             f"<th>file</th><th>doc</th><th>reason</th></tr></thead><tbody>{rows}</tbody>"
             f"</table></div>" if rows else "")
    return (f"<p>Run {esc(log.run_date.replace('T', ' '))}{esc(since)}.</p>"
            f'<div class="cards">{cards}</div>{table}'
            f"<h3>New themes</h3><p>{themes}</p><h3>New links</h3><p>{edges}</p>"
            f"<h3>Places newly covered</h3><p>{places}</p>")
