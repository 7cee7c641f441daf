"""The comparison report's figures, as the plain JSON of plotly figures.

Each ``…_figure`` function takes part of a ``ReportData`` and returns what plotly.js draws;
:mod:`pipeline.outputs.report_html` collects them for the page. Labels go through
``plot_text``, since plotly reads them as a small HTML dialect; raw ids travel in
``x``/``y`` or ``customdata``, where the page script reads them on a click.

Figures are written as plotly.js's JSON directly (``trace``, ``figure``), not built as
``plotly.graph_objects`` and exported: the objects validate and deep-copy every value,
which took 5 of the report's 7 seconds at 1,000 reports (a nightly run that adds one
report renders the page again). Only the named template comes from plotly.py, expanded as
``Figure.to_json`` expands it (tests compare both ways on the example data).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pipeline.outputs.report_data import (
    COUNTERMEASURE,
    PROBLEM,
    UNKNOWN_PLACE,
    GraphEdge,
    GraphNode,
    PlaceThemeMatrix,
    ReportData,
    ThemeGraph,
    TopicPrevalence,
)
from pipeline.outputs.report_graph_layout import column_positions

FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
              "sans-serif")
COLOURS = {PROBLEM: "#c2410c", COUNTERMEASURE: "#1d4ed8"}
HEATMAP_SCALES = {PROBLEM: "Oranges", COUNTERMEASURE: "Blues"}
MAX_GRAPH_NODES = 60  # per side
MAX_GRAPH_EDGES = 300
CELL_TEXT_LIMIT = 400  # counts printed in cells only up to this many: each costs ~1 ms to draw
LABEL_CHARS = 14
MIN_PLOT_HEIGHT = 160  # px; a heatmap of few rows gets taller rows, not a tiny colour bar
SLANTED_LABELS_UP_TO = 20
EDGE_WIDTHS = (1.2, 2.5, 4.5, 7.0)
EDGE_HIT_STEPS = 7  # invisible points along each edge that take the hover and the click


def plot_text(text: str) -> str:
    """Text for plotly, which reads labels as a small HTML dialect: tags shown as typed."""
    return html.escape(text, quote=False)


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """``label`` cut to ``limit`` characters with an ellipsis."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def base_layout(height: int, **extra) -> dict:
    """Layout shared by all figures: CJK fonts, white background, tight margins."""
    layout = {"font": {"family": FONT_STACK, "size": 13}, "height": height,
              # The top margin keeps plotly's tool bar off tick labels and headings.
              "template": template("plotly_white"),
              "margin": {"l": 10, "r": 10, "t": 36, "b": 10}}
    return layout | extra


@lru_cache(maxsize=4)
def _template_json(name: str) -> str:
    import plotly.io as pio

    return json.dumps(pio.templates[name].to_plotly_json())


def template(name: str) -> dict:
    """A plotly.py template by name, expanded as plotly.js needs it (plotly.js has none)."""
    return json.loads(_template_json(name))


def colorscale(name: str) -> list:
    """A plotly.py colour scale by name as [position, colour] pairs (plotly.js lacks some)."""
    from plotly.colors import get_colorscale

    return [list(pair) for pair in get_colorscale(name)]


def trace(kind: str, **properties: Any) -> dict:
    """A plotly.js trace: its type and the properties given (None ones left out)."""
    return {"type": kind, **{k: v for k, v in properties.items() if v is not None}}


def figure(traces: Sequence[dict | None], layout: dict) -> dict:
    """A plotly.js figure of ``traces`` (None ones left out) and ``layout``."""
    return {"data": [t for t in traces if t is not None], "layout": layout}


def years_figure(data: ReportData) -> dict:
    """Documents per year as bars."""
    years = data.corpus.years
    bars = trace(
        "bar", x=[str(y.year) if y.year is not None else "no year" for y in years],
        y=[y.n_docs for y in years], marker={"color": "#57606a"},
        hovertemplate="%{x}: %{y} documents<extra></extra>")
    return figure([bars], base_layout(220, xaxis={"type": "category"},
                                      yaxis={"title": {"text": "documents"}}))


def heatmap_figure(matrix: PlaceThemeMatrix, max_places: int, max_themes: int) -> dict:
    """Place × theme document counts of the first ``max_places`` places and ``max_themes``
    themes; x holds theme ids (the click handler reads them), ticks show shortened labels
    and the hover the full ones."""
    places = list(matrix.places[:max_places])
    themes = list(matrix.themes[:max_themes])
    counts = {(c.place, c.theme_id): c.n_docs for c in matrix.cells}
    # None leaves a zero cell blank and without a hover, which reads better than pale 0s.
    z = [[counts.get((p, t.theme_id)) or None for t in themes] for p in places]
    hover = [[[plot_text(p), plot_text(t.label)] for t in themes] for p in places]
    plot_height = max(MIN_PLOT_HEIGHT, 24 * len(places))
    heatmap = trace(
        "heatmap",
        # Raw ids and places as coordinates (the click handler looks cells up by them);
        # escaped text in ticks and hovers.
        x=[t.theme_id for t in themes], y=places, z=z, customdata=hover,
        colorscale=colorscale(HEATMAP_SCALES[matrix.kind]), xgap=1, ygap=1, hoverongaps=False,
        texttemplate="%{z}" if len(places) * len(themes) <= CELL_TEXT_LIMIT else None,
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>%{z} documents<extra></extra>",
        colorbar={"title": {"text": "docs"}, "thickness": 12, "len": min(1.0, 300 / plot_height)})
    return figure([heatmap], base_layout(
        150 + plot_height,
        xaxis={"type": "category", "side": "top", "automargin": True,
               # Slanted labels of more than ~20 columns overlap; upright ones fit 14 px each.
               "tickangle": -40 if len(themes) <= SLANTED_LABELS_UP_TO else -90,
               "tickvals": [t.theme_id for t in themes],
               "ticktext": [plot_text(short(t.label)) for t in themes]},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True,
               "tickvals": places, "ticktext": [plot_text(p) for p in places]}))


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
    return figure(traces, base_layout(
        90 + 30 * rows, showlegend=False, hovermode="closest",
        xaxis={"visible": False, "range": [-0.85, 1.85], "fixedrange": True},
        yaxis={"visible": False, "range": [-rows + 0.4, 1.2]},
        annotations=[{"x": x, "y": 0.9, "text": text, "showarrow": False,
                      "font": {"color": COLOURS[kind], "size": 14}, "xanchor": anchor}
                     for x, text, kind, anchor in (
                         (0, "问题主题 problems", PROBLEM, "right"),
                         (1, "对策主题 countermeasures", COUNTERMEASURE, "left"))]))


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


def edge_lines(edges, positions, max_weight: float, width: float) -> dict | None:
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
    return trace("scatter", x=xs, y=ys, mode="lines", hoverinfo="skip",
                 line={"width": width, "color": "rgba(87, 96, 106, 0.45)"})


def edge_width(weight: float, max_weight: float) -> float:
    """The line width of an edge: one of EDGE_WIDTHS, by the square root of its weight share."""
    share = math.sqrt(max(weight, 0.0) / max_weight)
    return EDGE_WIDTHS[min(len(EDGE_WIDTHS) - 1, int(share * len(EDGE_WIDTHS)))]


def edge_hit_points(edges, positions, labels: dict[str, str]) -> dict:
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
    return trace("scatter", x=xs, y=ys, mode="markers", customdata=ids, hovertext=texts,
                 hovertemplate="%{hovertext}<extra></extra>",
                 marker={"size": 14, "color": "rgba(0, 0, 0, 0)"})


def node_trace(nodes: Sequence[GraphNode], positions, kind: str) -> dict | None:
    """The nodes of one side, sized by units, labelled outside the two columns."""
    side = [n for n in nodes if n.kind == kind]
    if not side:
        return None
    largest = max(n.size for n in side) or 1
    return trace(
        "scatter", x=[positions[n.node_id][0] for n in side],
        y=[positions[n.node_id][1] for n in side],
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
    rank = {place: position for position, place in enumerate(places)}
    by_topic: dict[str, list[TopicPrevalence]] = {}
    for row in rows:
        by_topic.setdefault(row.topic_id, []).append(row)
    traces = []
    for index, topic in enumerate(topics):
        mine = sorted(by_topic[topic], key=lambda r: rank[r.place])
        traces.append(trace(
            "scatter", x=[r.mean for r in mine], y=[plot_text(r.place) for r in mine],
            mode="markers",
            visible=index == 0, name=plot_text(mine[0].label),
            marker={"size": 9, "color": "#6d28d9"},
            error_x={"type": "data", "symmetric": False, "thickness": 1.5, "width": 4,
                     "array": [r.high - r.mean for r in mine],
                     "arrayminus": [r.mean - r.low for r in mine]},
            customdata=[[r.low, r.high, r.n_docs, r.topic_id] for r in mine],
            hovertemplate=("%{y}<br>%{x:.1%} (%{customdata[0]:.1%}–%{customdata[1]:.1%})"
                           "<br>%{customdata[2]} documents<extra></extra>")))
    highest = max(r.high for r in rows)
    return figure(traces, base_layout(
        110 + 24 * len(places), showlegend=False, hovermode="closest",
        margin={"l": 10, "r": 20, "t": 36, "b": 40},
        xaxis={"tickformat": ".0%", "range": [0, min(1.0, highest * 1.08) or 1.0],
               "title": {"text": "share of the place's text"}, "zeroline": False},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True,
               "categoryorder": "array", "categoryarray": [plot_text(p) for p in places]}))
