"""Reuse detection, the theme graph, its files, its queries and its HTML view.

Built from hand-made themes and links over synthetic units (written for these tests),
so every weight is known; one test runs the whole chain links → themes → graph.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import networkx as nx
import pytest

from pipeline.analysis.graph import (
    build_graph,
    countermeasures_for,
    distinctive_themes,
    read_graph,
    region_subgraph,
    unanswered_problem_themes,
    write_graph,
    write_links_jsonl,
    write_themes_json,
)
from pipeline.analysis.graph_html import render_graph_html, write_graph_html
from pipeline.analysis.links import GraphUnit, Link, link_units
from pipeline.analysis.reuse import ReuseOptions, canonical_units, find_reuse
from pipeline.analysis.themes import Theme, ThemeOptions, cluster_themes

PAY_PROBLEM = "乡镇干部工资待遇偏低，津贴补贴标准多年没有调整，年轻干部安心不下来，考走调走较多"
PAY_ANSWER = "提高乡镇工作补贴和津贴标准，工资待遇向基层一线倾斜，让干部收入稳步增长"


def unit(unit_id, label, headline, body, place, parent=None, position=0) -> GraphUnit:
    text = headline + "。" + body
    words = tuple(re.findall(r"[\u4e00-\u9fff]{2}", text))  # crude but deterministic
    return GraphUnit(unit_id, unit_id.split("-")[0], parent, label, "", None, headline, text,
                     words, position, "", place)


UNITS = [
    unit("a-p1", "problem", "工资待遇偏低", PAY_PROBLEM, "甲省乙市"),
    unit("a-p2", "problem", "培训经费不足", "培训班次少，专题培训难开展", "甲省乙市"),
    unit("a-c1", "countermeasure", "提高工资待遇", PAY_ANSWER, "甲省乙市"),
    unit("a-c2", "countermeasure", "保障培训经费", "培训经费列入预算", "甲省乙市"),
    unit("b-p1", "problem", "激励手段少，人才留不住", "收入低，补贴少", "丙省丁市"),
    unit("b-p2", "problem", "培训针对性不强", "内容与需求脱节", "丙省丁市"),
    unit("b-c1", "countermeasure", "完善收入激励", "补贴向基层倾斜", "丙省丁市"),
    unit("b-c2", "countermeasure", "改进教育培训", "按需设置培训内容", "丙省丁市"),
    # c copies a's pay paragraphs word for word: a template, counted once
    unit("c-p1", "problem", "工资待遇偏低", PAY_PROBLEM, "戊省己市"),
    unit("c-c1", "countermeasure", "提高工资待遇", PAY_ANSWER, "戊省己市"),
    unit("d-p1", "problem", "干部周转房紧缺", "异地任职干部没有住处", "庚省辛市"),
    unit("e-p1", "problem", "青年干部住房困难", "周转房少，租房贵", "庚省壬市"),
]
BY_ID = {u.unit_id: u for u in UNITS}


def theme(theme_id, kind, members, headline) -> Theme:
    units = [BY_ID[m] for m in members]
    return Theme(theme_id, kind, f"{headline}｜{headline}", (headline[:2],), headline,
                 tuple(sorted(members)), tuple(sorted({u.doc_id for u in units})),
                 tuple(sorted({u.place for u in units if u.place})), 0.5)


THEMES = [
    theme("P-pay", "problem", ["a-p1", "b-p1", "c-p1"], "工资待遇偏低"),
    theme("P-train", "problem", ["a-p2", "b-p2"], "培训经费不足"),
    theme("P-house", "problem", ["d-p1", "e-p1"], "干部周转房紧缺"),
    theme("C-pay", "countermeasure", ["a-c1", "b-c1", "c-c1"], "提高工资待遇"),
    theme("C-train", "countermeasure", ["a-c2", "b-c2"], "改进教育培训"),
]
LINKS = [
    Link("a", "a-p1", "a-c1", 0.9, ("ordinal 1/2",)),
    Link("a", "a-p2", "a-c2", 0.8, ("ordinal 2/2",)),
    Link("b", "b-p1", "b-c1", 0.7, ("terms 0.50",)),
    Link("b", "b-p2", "b-c2", 0.6, ("terms 0.40",)),
    Link("c", "c-p1", "c-c1", 0.9, ("ordinal 1/1",)),
    Link("b", "b-p1", "b-c2", 0.2, ("text 0.10",)),  # problem → other theme
]


def paragraphs(units):
    return [(u.doc_id, u.unit_id, u.text) for u in units]


@pytest.fixture()
def graph() -> nx.DiGraph:
    return build_graph(THEMES, LINKS, BY_ID, find_reuse(paragraphs(UNITS)))


def test_reuse_collapses_copied_paragraphs_across_documents():
    edited = PAY_PROBLEM.replace("多年", "几年")
    extra = [("f", "f-p1", "工资待遇偏低。" + edited), ("a", "a-x", "工资待遇偏低。" + PAY_PROBLEM)]
    clusters = find_reuse(paragraphs(UNITS) + extra)
    problem = next(c for c in clusters if ("a", "a-p1") in c.members)
    assert {u for _, u in problem.members} == {"a-p1", "a-x", "c-p1", "f-p1"}
    assert problem.docs == ("a", "c", "f") and problem.canonical == "a-p1"
    assert problem.min_jaccard >= ReuseOptions().threshold
    assert not any("b-p1" in {u for _, u in c.members} for c in clusters)
    assert canonical_units(clusters)["c-p1"] == "a-p1"
    # a passage repeated inside one document only is not reuse across documents
    assert find_reuse([("a", "1", PAY_PROBLEM), ("a", "2", PAY_PROBLEM)]) == []
    # short passages are never counted as reused
    assert find_reuse([("a", "1", "加强培训"), ("b", "2", "加强培训")]) == []


def test_graph_nodes_edges_and_reuse_deduplicated_weights(graph):
    assert set(graph.nodes) == {"P-pay", "P-train", "P-house", "C-pay", "C-train"}
    assert set(graph.edges) == {("P-pay", "C-pay"), ("P-train", "C-train"), ("P-pay", "C-train")}
    pay = graph.edges["P-pay", "C-pay"]
    assert pay["pairs"] == pay["weight"] == 2  # c's copy of a's pair counts once
    assert pay["n_docs"] == 2 and pay["counted_places"] == ["甲省乙市", "丙省丁市"][::-1]
    assert len(pay["evidence"]) == 3
    copy = next(e for e in pay["evidence"] if e["doc_id"] == "c")
    assert copy["counted"] is False and copy["source_headline"] == "工资待遇偏低"
    assert copy["target_headline"] == "提高工资待遇" and copy["place"] == "戊省己市"
    node = graph.nodes["P-pay"]
    assert node["kind"] == "problem" and node["size"] == 2 and node["reused_members"] == 1
    assert node["n_places"] == 2 and node["places"] == ["丙省丁市", "戊省己市", "甲省乙市"]
    assert graph.nodes["P-house"]["linked"] is False and graph.nodes["C-pay"]["linked"]
    assert graph.graph["links_total"] == 6 and graph.graph["links_in_graph"] == 6


def test_graph_round_trips_through_json_graphml_and_gexf(graph, tmp_path):
    paths = write_graph(graph, tmp_path)
    assert [p.name for p in paths] == ["graph.json", "graph.graphml", "graph.gexf"]
    assert not list(tmp_path.glob(".*"))  # no temp files left behind
    evidence = graph.edges["P-pay", "C-pay"]["evidence"]
    for read in (nx.read_graphml, nx.read_gexf):
        plain = read(tmp_path / ("graph.graphml" if read is nx.read_graphml else "graph.gexf"))
        assert plain.nodes["P-pay"]["label"] == graph.nodes["P-pay"]["label"]
        assert plain.nodes["P-pay"]["size"] == 2
        assert float(plain.edges["P-pay", "C-pay"]["weight"]) == 2
        assert json.loads(plain.edges["P-pay", "C-pay"]["evidence"]) == evidence
    for name in ("graph.json", "graph.graphml", "graph.gexf"):
        again = read_graph(tmp_path / name)
        assert set(again.edges) == set(graph.edges)
        assert again.edges["P-pay", "C-pay"]["evidence"] == evidence
        assert again.nodes["P-house"]["places"] == ["庚省壬市", "庚省辛市"]


def test_links_and_themes_files(tmp_path):
    write_links_jsonl(tmp_path / "links.jsonl", LINKS)
    rows = [json.loads(x) for x in (tmp_path / "links.jsonl").read_text("utf-8").splitlines()]
    assert rows[0] == {"doc_id": "a", "source_unit": "a-p1", "target_unit": "a-c1",
                       "score": 0.9, "reasons": ["ordinal 1/2"]}
    result = cluster_themes(UNITS, ThemeOptions(), "problem")
    write_themes_json(tmp_path / "themes.json", [result])
    data = json.loads((tmp_path / "themes.json").read_text("utf-8"))
    saved = data["results"][0]
    assert saved["kind"] == "problem" and saved["min_similarity"] == result.min_similarity
    assert [t["theme_id"] for t in saved["themes"]] == [t.theme_id for t in result.themes]
    assert saved["unassigned"] == list(result.unassigned)
    assert [t["theme_id"] for t in data["themes"]] == [t.theme_id for t in result.themes]


def test_queries(graph):
    answers = countermeasures_for(graph, "待遇")
    assert [a["theme_id"] for a in answers] == ["C-pay", "C-train"]
    assert answers[0]["n_places"] == 2 and answers[0]["pairs"] == 2
    assert countermeasures_for(graph, "村医") == []
    sub = region_subgraph(graph, "丙省")
    assert set(sub.edges) == {("P-pay", "C-pay"), ("P-train", "C-train"), ("P-pay", "C-train")}
    assert all(e["place"] == "丙省丁市" for _, _, d in sub.edges(data=True) for e in d["evidence"])
    assert sub.edges["P-pay", "C-pay"]["pairs"] == 1
    assert set(region_subgraph(graph, "戊省").edges) == {("P-pay", "C-pay")}
    # a place inside every region: the whole graph, the reused pair still counted once
    assert region_subgraph(graph, "省").edges["P-pay", "C-pay"]["pairs"] == 2
    assert [r["theme_id"] for r in unanswered_problem_themes(graph)] == ["P-house"]
    assert [r["theme_id"] for r in distinctive_themes(graph, "庚省")] == ["P-house"]
    assert distinctive_themes(graph, "甲省") == []


def test_graph_is_deterministic(graph, tmp_path):
    again = build_graph(list(reversed(THEMES)), list(reversed(LINKS)), BY_ID,
                        find_reuse(list(reversed(paragraphs(UNITS)))))
    first, second = tmp_path / "one", tmp_path / "two"
    write_graph(graph, first)
    write_graph(again, second)
    for name in ("graph.json", "graph.graphml", "graph.gexf"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


@pytest.mark.parametrize("workers", [1, 2])
def test_exports_rendered_apart_are_the_exports_written_in_turn(graph, tmp_path, workers):
    from pipeline.stages.graph import render_exports

    result = cluster_themes(UNITS, ThemeOptions(), "problem")
    fit = {"mode": "full"}
    expected, folder = tmp_path / "expected", tmp_path / f"rendered-{workers}"
    write_graph(graph, expected)
    write_links_jsonl(expected / "links.jsonl", LINKS)
    write_themes_json(expected / "themes.json", [result], fit)
    write_graph_html(expected / "graph.html", graph)
    folder.mkdir()
    exports = render_exports(graph, [result], LINKS, fit, folder, workers)
    assert sorted(exports) == sorted(p.name for p in expected.iterdir())
    for name, path in exports.items():
        assert path.read_bytes() == (expected / name).read_bytes(), name


@pytest.mark.parametrize("theme", [
    Theme("P-1", "problem", "待遇｜工资", ("待遇",), "工资", ("a-p1", "b-p1"), ("a", "b"),
          ("甲省",), 0.5),
    Theme("C-2", "countermeasure", "", (), "", (), (), (), 0.0),
])
def test_theme_dict_is_asdict(theme):
    from dataclasses import asdict

    from pipeline.analysis.graph import theme_dict

    assert theme_dict(theme) == asdict(theme)
    assert json.dumps(theme_dict(theme)) == json.dumps(asdict(theme))


def test_whole_chain_from_units_to_graph():
    rows = [("x", "甲省乙市"), ("y", "丙省丁市")]
    units = []
    for doc, place in rows:
        units += [
            unit(f"{doc}-p1", "problem", "乡镇干部工资待遇偏低", "工资收入低，津贴补贴少", place,
                 position=0),
            unit(f"{doc}-p2", "problem", "干部教育培训经费不足", "培训经费紧张，培训班次少", place,
                 position=1),
            unit(f"{doc}-c1", "countermeasure", "提高乡镇干部工资待遇",
                 "提高津贴补贴，增加工资收入", place, position=2),
            unit(f"{doc}-c2", "countermeasure", "保障干部教育培训经费",
                 "培训经费列入预算，增加培训班次", place, position=3),
        ]
    links = [k for doc, _ in rows for k in link_units([u for u in units if u.doc_id == doc])]
    themes = [cluster_themes(units, ThemeOptions(), kind) for kind in ("problem", "countermeasure")]
    reuse = find_reuse(paragraphs(units))
    result = build_graph(themes, links, {u.unit_id: u for u in units}, reuse)
    assert result.number_of_nodes() == 4 and result.number_of_edges() == 2
    assert all(d["n_places"] == 2 for _, _, d in result.edges(data=True))


def test_html_view_is_offline_small_and_clickable_by_id(graph, tmp_path):
    path = tmp_path / "graph.html"
    write_graph_html(path, graph)
    page = path.read_text(encoding="utf-8")
    assert len(page) < 100_000
    assert "<script src" not in page and "<link" not in page and "cdn" not in page.lower()
    assert page.count('class="edge"') == graph.number_of_edges()
    for marker in ('id="evidence"', 'id="place-filter"', 'id="label-filter"', 'data-edge="0"'):
        assert marker in page
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', page).group(1))
    assert {e["source"] for e in data["edges"]} == {"P-pay", "P-train"}
    hostile = nx.DiGraph()
    hostile.add_node("P-x", kind="problem", label="</script><script>alert(1)", size=1)
    hostile.add_node("C-y", kind="countermeasure", label="ok", size=1)
    hostile.add_edge("P-x", "C-y", weight=1, evidence=[{"source_headline": "</script>"}])
    page = render_graph_html(hostile)
    assert "<script>alert" not in page and "</script>\"" not in page


CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.mark.skipif(not (Path(CHROMIUM).exists() and shutil.which(CHROMEDRIVER)),
                    reason="needs chromium and chromium-driver")
def test_clicking_an_edge_shows_its_evidence_in_a_browser(graph, tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    path = tmp_path / "graph.html"
    write_graph_html(path, graph)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.get(path.as_uri())
        line = driver.find_element(By.CSS_SELECTOR, 'line.edge[data-source="P-train"]')
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", line)
        panel = driver.find_element(By.ID, "evidence").text
        assert "培训经费不足 → 保障培训经费" in panel and "甲省乙市" in panel
        Select(driver.find_element(By.ID, "place-filter")).select_by_value("戊省己市")
        hidden = driver.find_elements(By.CSS_SELECTOR, "line.edge.hidden")
        assert len(hidden) == graph.number_of_edges() - 1
    finally:
        driver.quit()


@pytest.mark.parametrize("data, sort_keys", [
    ({"nodes": [{"id": "P1", "b": [1, 2]}, {"id": "C1"}], "links": [], "directed": True,
      "graph": {"a": "中文"}}, True),
    ({"themes": [{"z": 1, "a": None}], "fit": {"mode": "full"}, "results": ()}, False),
    ({}, True),
])
def test_json_written_item_by_item_reads_back_the_same(tmp_path, data, sort_keys):
    from pipeline.analysis.graph import write_json_by_item

    path = tmp_path / "out.json"
    write_json_by_item(data, path, sort_keys=sort_keys)
    back = json.loads(path.read_text("utf-8"))
    assert back == json.loads(json.dumps(data))
    assert list(back) == (sorted(data) if sort_keys else list(data))
