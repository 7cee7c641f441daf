"""The graph stage on the sample corpus: links, themes in units.jsonl, graph files, queries."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pipeline.analysis.graph import read_graph
from pipeline.cli import cli


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_links_themes_and_graph_files(sample_run):
    _, out, first = sample_run
    assert any(r.stage == "graph" and r.processed for r in first.results)
    links = read_jsonl(out / "links.jsonl")
    assert links and set(links[0]) == {"doc_id", "source_unit", "target_unit", "score",
                                       "reasons"}
    units = {u["unit_id"]: u for u in read_jsonl(out / "units.jsonl")}
    assert all("theme" in u for u in units.values())
    assert any(u["theme"] for u in units.values())
    for link in links:  # a link goes from a problem or cause to a countermeasure
        assert units[link["source_unit"]]["label"] in {"problem", "cause"}
        assert units[link["target_unit"]]["label"] == "countermeasure"
    themes = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    assert {r["kind"] for r in themes["results"]} == {"problem", "countermeasure"}
    assert all("min_similarity" in r and "unassigned" in r for r in themes["results"])
    for name in ("graph.json", "graph.graphml", "graph.gexf"):
        graph = read_graph(out / name)
        assert graph.number_of_nodes() and graph.number_of_edges()
        _, _, data = next(iter(graph.edges(data=True)))
        assert isinstance(data["evidence"], list) and data["evidence"][0]["doc_id"]
    assert (out / "graph.html").read_text(encoding="utf-8").count("http") < 5


def test_graph_queries_from_the_command_line(sample_run):
    _, out, _ = sample_run
    runner = CliRunner()
    result = runner.invoke(cli, ["graph", str(out), "--problem", "激励"])
    assert result.exit_code == 0 and "docs" in result.output
    result = runner.invoke(cli, ["graph", str(out), "--region", "甘肃省"])
    assert result.exit_code == 0 and "→" in result.output
    assert runner.invoke(cli, ["graph", str(out), "--unanswered"]).exit_code == 0
    result = runner.invoke(cli, ["graph", str(out), "--distinctive", "贵州省"])
    assert result.exit_code == 0 and result.output.strip()
    result = runner.invoke(cli, ["graph", str(out)])
    assert result.exit_code == 0 and "graph: 0 computed" in result.output


def test_an_edited_concept_table_redraws_links_and_themes(sample_run, tmp_path, monkeypatch):
    import shutil

    from pipeline.analysis import textvec
    from pipeline.config import load_config
    from pipeline.runner import run_pipeline

    corpus, out, _ = sample_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy, symlinks=True)
    monkeypatch.setattr(textvec, "concepts_fingerprint", lambda: "edited")
    report = run_pipeline(copy, load_config(corpus=corpus), corpus=corpus)
    processed = {r.stage: r.processed for r in report.results}
    assert processed["ingest"] == 0 and processed["graph"] > 0


def test_graph_on_forked_workers_equals_graph_in_process(sample_run, tmp_path, monkeypatch):
    """Links per report and the full fit's parts (each theme kind, reused passages) run
    on forked workers with two jobs: every output is what one process writes."""
    import shutil

    from pipeline.config import load_config
    from pipeline.runner import run_pipeline
    from pipeline.stages import graph as graph_stage

    corpus, out, _ = sample_run
    monkeypatch.setattr(graph_stage, "PARALLEL_MIN_DOCS", 1)  # the sample has few reports
    names = ("links.jsonl", "themes.json", "graph.json", "graph.gexf", "graph.graphml")
    texts = {}
    for jobs in (1, 2):
        copy = tmp_path / f"out{jobs}"
        shutil.copytree(out, copy, symlinks=True)
        run_pipeline(copy, load_config(corpus=corpus), corpus=corpus, jobs=jobs,
                     redo=("graph",), stages=("graph",))
        texts[jobs] = [(copy / name).read_text(encoding="utf-8") for name in names]
    assert texts[1] == texts[2] == [(out / n).read_text(encoding="utf-8") for n in names]
