"""The comparison report: one self-contained HTML file drawn from a ``ReportData``.

Reads nothing but its argument and the package's ``resources/report.css`` and
``resources/report.js``; writes one file. Figures are plotly figures built here and drawn
in the page by plotly.js, inlined once from the plotly package, so the file opens offline
with no CDN. The report data is embedded as JSON (``<script id="report-data">``) and the
page script fills the evidence panel (``#evidence``) from it when a heatmap cell, a graph
edge, a topic point or a theme is clicked; ``window.diaoyanShowEdge(edgeId)`` does the same
for an edge id (``source->target``). Tables and texts are rendered here, so the page reads
even where scripts are blocked.
"""

from __future__ import annotations

import html
import json
import math
import os
import secrets
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from pipeline.outputs.report_data import (
    COUNTERMEASURE,
    PROBLEM,
    UNKNOWN_PLACE,
    DistinctiveTheme,
    GraphEdge,
    GraphNode,
    PlaceThemeMatrix,
    ReportData,
    ThemeGraph,
    TopicPrevalence,
    edge_id,
)

FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
              "sans-serif")
COLOURS = {PROBLEM: "#c2410c", COUNTERMEASURE: "#1d4ed8"}
HEATMAP_SCALES = {PROBLEM: "Oranges", COUNTERMEASURE: "Blues"}
MAX_HEATMAP_PLACES = 150  # rows beyond this make a figure nobody scrolls; the table keeps all
MAX_HEATMAP_THEMES = 80
MAX_GRAPH_NODES = 60  # per side
MAX_GRAPH_EDGES = 300
MAX_TABLE_ROWS = 500
CELL_TEXT_LIMIT = 400  # counts printed in cells only up to this many: each costs ~1 ms to draw
LABEL_CHARS = 14
MIN_PLOT_HEIGHT = 160  # px; a heatmap of few rows gets taller rows, not a tiny colour bar
SLANTED_LABELS_UP_TO = 20
EDGE_WIDTHS = (1.2, 2.5, 4.5, 7.0)
PLACE_LEVELS = {"province": "Provinces 省", "city": "Cities 市", "county": "Counties 县"}
EDGE_HIT_STEPS = 7  # invisible points along each edge that take the hover and the click
LAYOUT_SWEEPS = 12  # barycentre sweeps of the graph layout; more rarely helps

SECTIONS = (
    ("overview", "Corpus overview · 语料概况",
     "How many documents came from each place and year, and which files ingest could not use "
     "and why."),
    ("problem-themes", "Problem themes by place · 问题主题 × 地区",
     "Each cell counts the documents of a place (row) that name a problem theme (column); "
     "darker is more. Click a cell to read the sentences behind it."),
    ("countermeasure-themes", "Countermeasure themes by place · 对策主题 × 地区",
     "Each cell counts the documents of a place that propose a kind of countermeasure. "
     "Click a cell to read the sentences behind it."),
    ("links", "From problems to countermeasures · 问题 → 对策",
     "Problem themes (left) joined to the countermeasure themes that the same reports propose "
     "for them (right); a thicker line means more reports. Click a line or a table row for the "
     "paired sentences, or a theme for its links."),
    ("topics", "Topic prevalence by place · 主题分布",
     "For the chosen topic, each dot is its estimated share of a place's text and the bar its "
     "interval; a wide bar means few documents. Click a dot for the topic's example passages."),
    ("distinctive", "Distinctive themes · 地区特有主题",
     "Themes a place names much more often than other places do. Click one for its sentences."),
    ("unanswered", "Problems without countermeasures · 未见对策的问题",
     "Problem themes that no report links to any countermeasure. Click one for its sentences."),
    ("changelog", "Latest run · 最近一次更新",
     "What the latest run changed since the one before: documents, themes, links and places."),
)


def write_report(path: Path | str, data: ReportData, *, title: str = "diaoyan report") -> Path:
    """Write the report for ``data`` to ``path`` atomically; return the path."""
    path = Path(path)
    write_atomically(path, render_report(data, title=title))
    return path


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path`` and rename it over ``path``.

    Readers see the old file or the new one, never half of it; the file gets the user's
    umask (``os.open`` applies it), not mkstemp's 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def render_report(data: ReportData, *, title: str = "diaoyan report") -> str:
    """The whole report as one HTML string."""
    bodies = {
        "overview": overview_html(data),
        "problem-themes": figure_or_empty("heatmap-problem", data.problem_matrix.cells,
                                          "No problem units were grouped into themes."),
        "countermeasure-themes": figure_or_empty(
            "heatmap-countermeasure", data.countermeasure_matrix.cells,
            "No countermeasure units were grouped into themes."),
        "links": links_html(data.graph),
        "topics": topics_html(data),
        "distinctive": distinctive_html(data),
        "unanswered": unanswered_html(data),
        "changelog": changelog_html(data),
    }
    sections = "\n".join(
        f'<section id="{sid}"><h2>{esc(heading)}</h2><p class="how">{esc(how)}</p>\n'
        f"{bodies[sid]}\n</section>" for sid, heading, how in SECTIONS)
    return PAGE.format(
        title=esc(title), css=resource_text("report.css"), header=header_html(data, title),
        sections=sections, data=script_json(data.to_json()),
        figures=script_json(json.dumps(build_figures(data), ensure_ascii=False)),
        plotly=plotly_bundle(), script=script_text(resource_text("report.js")))


PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="diaoyan">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
{header}
<div class="page">
<main>
{sections}
</main>
<aside id="evidence" aria-live="polite">
<button type="button" id="evidence-close" title="Close" aria-label="Close">×</button>
<h2>Evidence · 原文依据</h2>
<div id="evidence-body"><p class="hint">Click a heatmap cell, a line of the graph, a topic dot
or a theme: the sentences behind it appear here.</p></div>
</aside>
</div>
<script type="application/json" id="report-data">{data}</script>
<script type="application/json" id="report-figures">{figures}</script>
<script>{plotly}</script>
<script>{script}</script>
</body>
</html>
"""


@cache
def resource_text(name: str) -> str:
    """A text file of ``pipeline/resources``."""
    return resources.files("pipeline.resources").joinpath(name).read_text(encoding="utf-8")


@cache
def plotly_bundle() -> str:
    """plotly.js as shipped in the plotly package (the version plotly.py writes for), once
    per process: it is 4.8 MB."""
    return script_text(get_plotlyjs())


def esc(text: object) -> str:
    """Text made safe for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def script_json(text: str) -> str:
    """JSON made safe inside a <script> element: every ``<`` becomes ``\\u003c``, so no
    report text can close the element; JSON.parse reads the escape back."""
    return text.replace("<", "\\u003c")


def script_text(code: str) -> str:
    """Script source made safe inside a <script> element (a literal ``</script`` would end it)."""
    return code.replace("</script", "<\\/script")


def plot_text(text: str) -> str:
    """Text for plotly, which reads labels as a small HTML dialect: tags shown as typed."""
    return html.escape(text, quote=False)


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """``label`` cut to ``limit`` characters with an ellipsis."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def figure_or_empty(figure_id: str, items: Sequence, empty: str) -> str:
    """The placeholder a figure is drawn into, or a sentence saying there is nothing to draw."""
    if not items:
        return f'<p class="empty">{esc(empty)}</p>'
    return f'<div id="{figure_id}" class="figure" data-figure="{figure_id}"></div>'


# --- Header and overview ------------------------------------------------------------------

def header_html(data: ReportData, title: str) -> str:
    """Title, one line of corpus counts and run date, and the table of contents."""
    corpus = data.corpus
    levels = {lv: sum(p.level == lv for p in corpus.places) for lv in PLACE_LEVELS}
    years = [y.year for y in corpus.years if y.year is not None]
    span = f"{min(years)}–{max(years)}" if years else "no years"
    parts = [f"{corpus.n_documents} documents", f"{levels['province']} provinces",
             f"{levels['city']} cities", f"{levels['county']} counties", f"years {span}",
             f"{len(corpus.issues)} files not used", f"run {data.run_date.replace('T', ' ')}"]
    toc = "".join(f'<li><a href="#{sid}">{esc(heading)}</a></li>' for sid, heading, _ in SECTIONS)
    return (f'<header id="top"><h1>{esc(title)}</h1>'
            f'<p class="summary">{esc(" · ".join(parts))}</p>'
            f'<nav id="toc" aria-label="Contents"><ol>{toc}</ol></nav></header>')


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


# --- Figures --------------------------------------------------------------------------------

def build_figures(data: ReportData) -> dict[str, dict]:
    """Every figure of the page as plotly JSON, keyed by the id of the element it fills."""
    figures = {}
    if data.corpus.years:
        figures["years"] = years_figure(data)
    for figure_id, matrix in (("heatmap-problem", data.problem_matrix),
                              ("heatmap-countermeasure", data.countermeasure_matrix)):
        if matrix.cells:
            figures[figure_id] = heatmap_figure(matrix)
    if data.graph.edges:
        figures["graph"] = graph_figure(data.graph)
    if data.prevalence:
        figures["prevalence"] = prevalence_figure(data.prevalence)
    return figures


def base_layout(height: int, **extra) -> dict:
    """Layout shared by all figures: CJK fonts, white background, tight margins."""
    layout = {"font": {"family": FONT_STACK, "size": 13}, "height": height,
              # The top margin keeps plotly's tool bar off tick labels and headings.
              "template": "plotly_white", "margin": {"l": 10, "r": 10, "t": 36, "b": 10}}
    return layout | extra


def as_json(figure: go.Figure) -> dict:
    """A figure as the plain dict plotly.js takes."""
    return json.loads(figure.to_json())


def years_figure(data: ReportData) -> dict:
    """Documents per year as bars."""
    years = data.corpus.years
    figure = go.Figure(go.Bar(
        x=[str(y.year) if y.year is not None else "no year" for y in years],
        y=[y.n_docs for y in years], marker_color="#57606a",
        hovertemplate="%{x}: %{y} documents<extra></extra>"))
    figure.update_layout(base_layout(220, xaxis={"type": "category"},
                                     yaxis={"title": {"text": "documents"}}))
    return as_json(figure)


def heatmap_figure(matrix: PlaceThemeMatrix) -> dict:
    """Place × theme document counts; x holds theme ids (the click handler reads them),
    ticks show shortened labels and the hover the full ones."""
    places = list(matrix.places[:MAX_HEATMAP_PLACES])
    themes = list(matrix.themes[:MAX_HEATMAP_THEMES])
    counts = {(c.place, c.theme_id): c.n_docs for c in matrix.cells}
    # None leaves a zero cell blank and without a hover, which reads better than pale 0s.
    z = [[counts.get((p, t.theme_id)) or None for t in themes] for p in places]
    hover = [[[plot_text(p), plot_text(t.label)] for t in themes] for p in places]
    plot_height = max(MIN_PLOT_HEIGHT, 24 * len(places))
    figure = go.Figure(go.Heatmap(
        # Raw ids and places as coordinates (the click handler looks cells up by them);
        # escaped text in ticks and hovers.
        x=[t.theme_id for t in themes], y=places, z=z, customdata=hover,
        colorscale=HEATMAP_SCALES[matrix.kind], xgap=1, ygap=1, hoverongaps=False,
        texttemplate="%{z}" if len(places) * len(themes) <= CELL_TEXT_LIMIT else None,
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>%{z} documents<extra></extra>",
        colorbar={"title": {"text": "docs"}, "thickness": 12, "len": min(1.0, 300 / plot_height)}))
    figure.update_layout(base_layout(
        150 + plot_height,
        xaxis={"type": "category", "side": "top", "automargin": True,
               # Slanted labels of more than ~20 columns overlap; upright ones fit 14 px each.
               "tickangle": -40 if len(themes) <= SLANTED_LABELS_UP_TO else -90,
               "tickvals": [t.theme_id for t in themes],
               "ticktext": [plot_text(short(t.label)) for t in themes]},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True,
               "tickvals": places, "ticktext": [plot_text(p) for p in places]}))
    return as_json(figure)


def graph_figure(graph: ThemeGraph) -> dict:
    """Problem themes in a left column, countermeasure themes in a right one, ordered to
    keep lines short; each edge carries invisible points that take hover and click."""
    nodes, edges = graph_subset(graph)
    positions = column_positions(nodes, edges)
    max_weight = max(e.weight for e in edges) or 1.0
    traces = [edge_lines(edges, positions, max_weight, width) for width in EDGE_WIDTHS]
    traces.append(edge_hit_points(edges, positions, {n.node_id: n.label for n in nodes}))
    traces.extend(node_trace(nodes, positions, kind) for kind in (PROBLEM, COUNTERMEASURE))
    rows = max(sum(n.kind == k for n in nodes) for k in (PROBLEM, COUNTERMEASURE))
    figure = go.Figure([t for t in traces if t is not None])
    figure.update_layout(base_layout(
        90 + 30 * rows, showlegend=False, hovermode="closest",
        xaxis={"visible": False, "range": [-0.85, 1.85], "fixedrange": True},
        yaxis={"visible": False, "range": [-rows + 0.4, 1.2]},
        annotations=[{"x": x, "y": 0.9, "text": text, "showarrow": False,
                      "font": {"color": COLOURS[kind], "size": 14}, "xanchor": anchor}
                     for x, text, kind, anchor in (
                         (0, "问题主题 problems", PROBLEM, "right"),
                         (1, "对策主题 countermeasures", COUNTERMEASURE, "left"))]))
    return as_json(figure)


def graph_subset(graph: ThemeGraph) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The strongest edges (at most MAX_GRAPH_EDGES) among the most-documented nodes."""
    keep: set[str] = set()
    for kind in (PROBLEM, COUNTERMEASURE):
        ranked = sorted((n for n in graph.nodes if n.kind == kind), key=lambda n: -n.n_docs)
        keep.update(n.node_id for n in ranked[:MAX_GRAPH_NODES])
    edges = sorted((e for e in graph.edges if e.source in keep and e.target in keep),
                   key=lambda e: -e.weight)[:MAX_GRAPH_EDGES]
    linked = {e.source for e in edges} | {e.target for e in edges}
    return [n for n in graph.nodes if n.node_id in linked], edges


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


def edge_lines(edges, positions, max_weight: float, width: float) -> go.Scatter | None:
    """One trace of straight lines for the edges whose weight rounds to ``width``."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for edge in edges:
        if edge_width(edge.weight, max_weight) != width:
            continue
        (x0, y0), (x1, y1) = positions[edge.source], positions[edge.target]
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    if not xs:
        return None
    return go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip",
                      line={"width": width, "color": "rgba(87, 96, 106, 0.45)"})


def edge_width(weight: float, max_weight: float) -> float:
    """The line width of an edge: one of EDGE_WIDTHS, by the square root of its weight share."""
    share = math.sqrt(max(weight, 0.0) / max_weight)
    return EDGE_WIDTHS[min(len(EDGE_WIDTHS) - 1, int(share * len(EDGE_WIDTHS)))]


def edge_hit_points(edges, positions, labels: dict[str, str]) -> go.Scatter:
    """Invisible markers along each edge; their customdata is the edge id."""
    xs, ys, ids, texts = [], [], [], []
    for edge in edges:
        (x0, y0), (x1, y1) = positions[edge.source], positions[edge.target]
        text = plot_text(f"{labels[edge.source]} → {labels[edge.target]}") + (
            f"<br>{edge.n_docs} documents · {edge.n_places} places · weight {edge.weight:g}")
        for step in range(1, EDGE_HIT_STEPS + 1):
            t = step / (EDGE_HIT_STEPS + 1)
            xs.append(x0 + t * (x1 - x0))
            ys.append(y0 + t * (y1 - y0))
            ids.append(edge.edge_id)
            texts.append(text)
    return go.Scatter(x=xs, y=ys, mode="markers", customdata=ids, hovertext=texts,
                      hovertemplate="%{hovertext}<extra></extra>",
                      marker={"size": 14, "color": "rgba(0, 0, 0, 0)"})


def node_trace(nodes: Sequence[GraphNode], positions, kind: str) -> go.Scatter | None:
    """The nodes of one side, sized by units, labelled outside the two columns."""
    side = [n for n in nodes if n.kind == kind]
    if not side:
        return None
    largest = max(n.size for n in side) or 1
    return go.Scatter(
        x=[positions[n.node_id][0] for n in side], y=[positions[n.node_id][1] for n in side],
        mode="markers+text", cliponaxis=False,
        text=[plot_text(short(n.label, 16)) for n in side],
        textposition="middle left" if kind == PROBLEM else "middle right",
        customdata=[f"node:{n.node_id}" for n in side],
        hovertext=[plot_text(f"{n.label}: {n.n_docs} documents, {len(n.places)} places")
                   for n in side],
        hovertemplate="%{hovertext}<extra></extra>",
        marker={"size": [8 + 14 * math.sqrt(n.size / largest) for n in side],
                "color": COLOURS[kind], "line": {"width": 1, "color": "white"}})


def prevalence_figure(rows: Sequence[TopicPrevalence]) -> dict:
    """One trace per topic (the first visible): mean share per place with its interval."""
    topics = list(dict.fromkeys(r.topic_id for r in rows))
    n_docs = {r.place: r.n_docs for r in rows}
    places = sorted(n_docs, key=lambda p: (p == UNKNOWN_PLACE, -n_docs[p]))
    traces = []
    for index, topic in enumerate(topics):
        mine = sorted((r for r in rows if r.topic_id == topic), key=lambda r: places.index(r.place))
        traces.append(go.Scatter(
            x=[r.mean for r in mine], y=[plot_text(r.place) for r in mine], mode="markers",
            visible=index == 0, name=plot_text(mine[0].label),
            marker={"size": 9, "color": "#6d28d9"},
            error_x={"type": "data", "symmetric": False, "thickness": 1.5, "width": 4,
                     "array": [r.high - r.mean for r in mine],
                     "arrayminus": [r.mean - r.low for r in mine]},
            customdata=[[r.low, r.high, r.n_docs, r.topic_id] for r in mine],
            hovertemplate=("%{y}<br>%{x:.1%} (%{customdata[0]:.1%}–%{customdata[1]:.1%})"
                           "<br>%{customdata[2]} documents<extra></extra>")))
    highest = max(r.high for r in rows)
    figure = go.Figure(traces)
    figure.update_layout(base_layout(
        110 + 24 * len(places), showlegend=False, hovermode="closest",
        margin={"l": 10, "r": 20, "t": 36, "b": 40},
        xaxis={"tickformat": ".0%", "range": [0, min(1.0, highest * 1.08) or 1.0],
               "title": {"text": "share of the place's text"}, "zeroline": False},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True,
               "categoryorder": "array", "categoryarray": [plot_text(p) for p in places]}))
    return as_json(figure)
