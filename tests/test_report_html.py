"""The comparison report file: self-contained, complete, its data intact, written atomically.

Builds the report from invented example data (``example_report_data``), never report text.
The browser-side behaviour (figures drawn, clicks filling the evidence panel) is in
``test_report_browser.py``.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from pipeline.outputs import report_html
from pipeline.outputs.report_data import (
    Changelog,
    CorpusOverview,
    Evidence,
    GraphEdge,
    GraphNode,
    MatrixCell,
    PlaceThemeMatrix,
    ReportData,
    Theme,
    ThemeGraph,
    field_json,
    joined_json,
    plain_json,
)
from pipeline.outputs.report_example import example_report_data
from pipeline.outputs.report_graph_layout import column_positions, count_crossings
from pipeline.outputs.report_html import (
    SECTIONS,
    render_report,
    write_atomically,
    write_report,
)

FIGURE_IDS = ("heatmap-problem", "heatmap-countermeasure", "graph", "prevalence", "years")
HOSTILE = '</script><script>alert("x")</script><b>粗</b>'


class PageParts(HTMLParser):
    """Ids, remote references, and the text of each <script> element of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.scripts: dict[str, str] = {}  # id (or position) → text
        self.data_edges: set[str] = set()
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if "data-edge" in attributes:
            self.data_edges.add(attributes["data-edge"])
        for name in ("src", "href", "data", "srcset", "poster"):
            if attributes.get(name):
                self.references.append((tag, name, attributes[name]))
        if tag == "script":
            self._script = attributes.get("id") or f"script-{len(self.scripts)}"
            self.scripts[self._script] = ""

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self.scripts[self._script] += data


def parse(text: str) -> PageParts:
    parts = PageParts()
    parts.feed(text)
    return parts


@pytest.fixture(scope="module")
def example() -> ReportData:
    return example_report_data(30)


@pytest.fixture(scope="module")
def page(example, tmp_path_factory) -> tuple[str, PageParts]:
    path = write_report(tmp_path_factory.mktemp("report") / "report.html", example)
    text = path.read_text(encoding="utf-8")
    return text, parse(text)


def test_nothing_is_loaded_from_the_network(page):
    text, parts = page
    # Links within the page (#section) and inline data are all a page may refer to.
    outside = [(tag, name, value) for tag, name, value in parts.references
               if not value.startswith(("#", "data:")) or name != "href" and value[0] == "#"]
    assert outside == []
    assert "<script src" not in text and "<link rel=\"stylesheet\"" not in text


def test_every_section_figure_and_the_evidence_panel_have_their_ids(page):
    _, parts = page
    section_ids = {section_id for section_id, _, _ in SECTIONS}
    assert section_ids | set(FIGURE_IDS) | {"evidence", "toc"} <= parts.ids
    for section_id in section_ids:  # the table of contents links every section
        assert f'href="#{section_id}"' in page[0]


def test_chinese_is_set_in_system_cjk_fonts(page):
    text, _ = page
    assert '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei"' in text
    figures = json.loads(parse(text).scripts["report-figures"])
    assert all("Noto Sans CJK SC" in f["layout"]["font"]["family"] for f in figures.values())


def test_embedded_data_round_trips(page, example):
    _, parts = page
    assert ReportData.from_json(parts.scripts["report-data"]) == example
    figures = json.loads(parts.scripts["report-figures"])
    assert set(figures) == set(FIGURE_IDS)


def test_every_graph_edge_can_be_opened_from_the_page(page, example):
    _, parts = page
    assert {edge.edge_id for edge in example.graph.edges} <= parts.data_edges


def test_report_text_cannot_break_out_of_the_page(example):
    cell = example.problem_matrix.cells[0]
    hostile_cell = replace(cell, evidence=(Evidence("d1", "a.txt", "u1", HOSTILE),))
    themes = (replace(example.problem_matrix.themes[0], label=HOSTILE),
              *example.problem_matrix.themes[1:])
    cells = (hostile_cell, *example.problem_matrix.cells[1:])
    data = replace(example, problem_matrix=replace(example.problem_matrix, themes=themes,
                                                   cells=cells))
    text = render_report(data)
    parts = parse(text)
    # Two JSON blocks and two scripts (plotly.js, the page's): the quote opened none.
    assert len(parts.scripts) == 4
    assert not any('alert("x")' in code for code in parts.scripts.values())
    assert ReportData.from_json(parts.scripts["report-data"]) == data
    assert "<b>粗</b>" not in text and "&lt;b&gt;粗&lt;/b&gt;" in text


def test_a_report_with_nothing_in_it_still_renders(tmp_path):
    empty = PlaceThemeMatrix("problem", (), (), ())
    data = ReportData("2026-01-01T00:00:00", CorpusOverview(0), empty,
                      replace(empty, kind="countermeasure"))
    parts = parse(write_report(tmp_path / "r.html", data).read_text(encoding="utf-8"))
    assert json.loads(parts.scripts["report-figures"]) == {}
    assert {"evidence", "overview", "changelog"} <= parts.ids
    assert not set(FIGURE_IDS) & parts.ids  # placeholders say there is nothing to draw


def test_the_write_replaces_the_file_whole_with_the_users_umask(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    old_umask = os.umask(0o027)
    try:
        write_atomically(target, "新的报告")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text(encoding="utf-8") == "新的报告"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


@pytest.mark.parametrize("failing", ["render_report", "replace"])
def test_a_failed_write_leaves_the_old_report_and_no_temporary_file(
        tmp_path, example, monkeypatch, failing):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    # Failing before the temporary file exists, and after it was written in full.
    monkeypatch.setattr(report_html, "render_report", fail if failing == "render_report"
                        else lambda data, title: "new")
    if failing == "replace":
        monkeypatch.setattr(report_html.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_report(target, example)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def graph_of(pairs: list[tuple[str, str, float]]) -> tuple[list[GraphNode], list[GraphEdge]]:
    """Nodes and edges of a small graph given as (problem, countermeasure, weight)."""
    nodes = {}
    for source, target, _ in pairs:
        nodes[source] = GraphNode(source, "problem", source, 1, 1)
        nodes[target] = GraphNode(target, "countermeasure", target, 1, 1)
    return list(nodes.values()), [GraphEdge(s, t, w, 1, 1) for s, t, w in pairs]


@pytest.mark.parametrize("pairs, crossings", [
    ([("p1", "c2", 1.0), ("p2", "c1", 1.0)], 0),  # a crossing pair is uncrossed
    ([("p1", "c1", 3.0), ("p1", "c2", 1.0), ("p2", "c2", 3.0), ("p3", "c3", 2.0)], 0),
    ([("p1", "c1", 1.0), ("p1", "c2", 1.0), ("p2", "c1", 1.0), ("p2", "c2", 1.0)], 1),  # K2,2
])
def test_the_graph_layout_keeps_lines_from_crossing(pairs, crossings):
    nodes, edges = graph_of(pairs)
    positions = column_positions(nodes, edges)
    assert {positions[n.node_id][0] for n in nodes if n.kind == "problem"} == {0.0}
    assert {positions[n.node_id][0] for n in nodes if n.kind == "countermeasure"} == {1.0}
    rows = {node_id: -y for node_id, (_, y) in positions.items()}
    assert count_crossings(edges, rows) == crossings


def test_heatmap_columns_are_theme_ids_so_a_click_finds_its_cell(example):
    figure = report_html.heatmap_figure(example.problem_matrix)
    trace = figure["data"][0]
    assert list(trace["x"]) == [t.theme_id for t in example.problem_matrix.themes]
    cell = example.problem_matrix.cells[0]
    row = list(trace["y"]).index(cell.place)
    assert trace["z"][row][trace["x"].index(cell.theme_id)] == cell.n_docs


def test_heatmap_rows_and_columns_are_capped(monkeypatch):
    monkeypatch.setattr(report_html, "MAX_HEATMAP_PLACES", 5)
    monkeypatch.setattr(report_html, "MAX_HEATMAP_THEMES", 3)
    many = PlaceThemeMatrix(
        "problem", tuple(f"省{i}" for i in range(8)),
        tuple(Theme(f"p{i}", "problem", f"主题{i}", 1) for i in range(6)),
        (MatrixCell("省0", "p0", 1),))
    trace = report_html.heatmap_figure(many)["data"][0]
    assert len(trace["y"]) == 5 and len(trace["x"]) == 3


def test_graph_hit_points_carry_the_edge_ids(example):
    figure = report_html.graph_figure(ThemeGraph(example.graph.nodes, example.graph.edges))
    ids = {cd for trace in figure["data"] for cd in trace.get("customdata", [])
           if isinstance(cd, str) and "->" in cd}
    assert ids == {edge.edge_id for edge in example.graph.edges}


def test_figures_are_what_plotly_py_would_export(example):
    """Written as plotly.js JSON directly, each figure is already what plotly.py's own
    validation and export make of it: nothing unknown, no named scale or template left."""
    import plotly.graph_objects as go

    for figure_id, figure in report_html.build_figures(example).items():
        exported = json.loads(go.Figure(figure).to_json())
        assert exported == json.loads(json.dumps(figure)), figure_id


EMPTY_REPORT = ReportData(run_date="2026-01-01T00:00:00",
                          corpus=CorpusOverview(n_documents=0),
                          problem_matrix=PlaceThemeMatrix("problem", (), ()),
                          countermeasure_matrix=PlaceThemeMatrix("countermeasure", (), ()))


@pytest.mark.parametrize("data", [
    EMPTY_REPORT,
    replace(EMPTY_REPORT, changelog=Changelog(run_date="2026-01-02", new_places=("甲省",))),
    example_report_data(n_docs=5, seed=1),
    example_report_data(n_docs=60, seed=3),
], ids=["empty", "changelog", "small", "larger"])
def test_json_encoded_by_field_is_the_plain_json(data):
    # the report stage keys and embeds these strings: they must be what it stored before
    parts = field_json(data)
    plain = data.to_dict()
    assert list(parts) == list(plain)
    assert joined_json(parts) == plain_json(plain) == data.to_json()
    assert (joined_json({**parts, "run_date": '""', "changelog": "null"})
            == plain_json({**plain, "run_date": "", "changelog": None}))
    assert ReportData.from_json(joined_json(parts)) == data
