"""End to end on the sample corpus: the output contract, a no-op second run, bad input."""

from __future__ import annotations

import json
import shutil

import pytest

from pipeline.config import load_config
from pipeline.runner import run_pipeline
from tests.badfiles import make_bad_corpus

DOC_FIELDS = {"doc_id", "source", "title", "region", "year", "authors", "script",
              "placeholders", "status", "error", "duplicate_of", "text"}
UNIT_FIELDS = {"doc_id", "unit_id", "parent_id", "level", "marker", "headline", "start",
               "end", "label", "label_score"}
LABELS = {"problem", "cause", "countermeasure", "practice", "background", "other"}


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_docs_contract(sample_run):
    _, out, _ = sample_run
    docs = read_jsonl(out / "docs.jsonl")
    assert len(docs) >= 7
    for doc in docs:
        assert DOC_FIELDS <= set(doc)
        assert set(doc["region"]) == {"province", "city", "county", "code"}
        assert doc["status"] in {"ok", "error", "duplicate"}
    ok = [d for d in docs if d["status"] == "ok"]
    assert len(ok) >= 6
    assert len({d["region"]["province"] for d in ok if d["region"]["province"]}) >= 3
    assert any(d["script"] == "traditional" for d in docs)
    assert any(d["status"] == "duplicate" and d["duplicate_of"] for d in docs)
    assert any("#2" in d["source"] for d in docs)  # the 合集 file was split


def test_units_contract_and_offsets(sample_run):
    _, out, _ = sample_run
    texts = {d["doc_id"]: d["text"] for d in read_jsonl(out / "docs.jsonl")}
    units = read_jsonl(out / "units.jsonl")
    assert units
    ids = {u["unit_id"] for u in units}
    for unit in units:
        assert UNIT_FIELDS <= set(unit)
        assert unit["label"] in LABELS
        assert unit["parent_id"] is None or unit["parent_id"] in ids
        text = texts[unit["doc_id"]]
        assert 0 <= unit["start"] < unit["end"] <= len(text)
        if unit["headline"]:
            span = "".join(text[unit["start"]:unit["end"]].split())
            assert "".join(unit["headline"].split())[:6] in span


def test_second_run_does_no_work(sample_run):
    corpus, out, first = sample_run
    assert sum(r.processed for r in first.results) > 0
    before = (out / "docs.jsonl").read_bytes()
    again = run_pipeline(out, load_config(corpus=corpus), corpus=corpus)
    assert [r.processed for r in again.results] == [0] * len(again.results)
    assert (out / "docs.jsonl").read_bytes() == before


def test_bad_inputs_are_reported_and_the_rest_goes_on(tmp_path):
    corpus = tmp_path / "corpus"
    expected = make_bad_corpus(corpus)
    good = "关于乡村道路养护的调研报告\n一、存在的问题\n资金不足，养护难以为继。\n"
    (corpus / "good.txt").write_text(good, encoding="utf-8")
    report = run_pipeline(tmp_path / "out", load_config(), corpus=corpus,
                          stages=("ingest",))
    docs = {d["source"]: d for d in read_jsonl(tmp_path / "out" / "docs.jsonl")}
    assert docs["good.txt"]["status"] == "ok"
    for name, reason in expected.items():
        assert name in docs, name
        doc = docs[name]
        if doc["status"] == "error":
            assert reason.lower() in doc["error"].lower(), (name, doc["error"])
            assert "\n" not in doc["error"]
    assert report.errors
    status = (tmp_path / "out" / "status.tsv").read_text(encoding="utf-8")
    assert "good.txt" in status


def test_killed_stage_leaves_previous_outputs_and_next_run_resumes(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(__import__("tests.conftest", fromlist=["x"]).SAMPLE_CORPUS, corpus)
    out = tmp_path / "out"
    run_pipeline(out, load_config(corpus=corpus), corpus=corpus, stages=("ingest",))
    before = (out / "docs.jsonl").read_bytes()
    (corpus / "extra.txt").write_text("关于河道治理的调研报告\n一、存在的问题\n河道淤积严重。\n",
                                      encoding="utf-8")

    from pipeline.outputs import export

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt  # as if the run were killed while exporting

    monkeypatch.setattr(export, "write_jsonl", crash)
    with pytest.raises(KeyboardInterrupt):
        run_pipeline(out, load_config(corpus=corpus), corpus=corpus, stages=("ingest",))
    assert (out / "docs.jsonl").read_bytes() == before
    monkeypatch.undo()
    resumed = run_pipeline(out, load_config(corpus=corpus), corpus=corpus, stages=("ingest",))
    assert resumed.results[0].processed == 0  # the new file was committed before the crash
    assert b"extra.txt" in (out / "docs.jsonl").read_bytes()


def test_metadata_csv_overrides_the_region(sample_run):
    corpus, out, _ = sample_run
    docs = {d["source"]: d for d in read_jsonl(out / "docs.jsonl")}
    import csv

    with (corpus / "metadata.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        region = docs[row["filename"]]["region"]
        assert region["county"] == row["county"] and region["code"], region


def test_byte_identical_copies_get_distinct_ids_and_are_duplicates(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "".join(f"第{i}条，河道保洁经费不足，巡河记录不全，群众反映较多。" for i in range(30))
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text("关于河道保洁的调研报告\n" + text, encoding="utf-8")
    run_pipeline(tmp_path / "out", load_config(), corpus=corpus, stages=("ingest",))
    docs = {d["source"]: d for d in read_jsonl(tmp_path / "out" / "docs.jsonl")}
    assert docs["a.txt"]["doc_id"] != docs["b.txt"]["doc_id"]
    assert docs["b.txt"]["status"] == "duplicate"
    assert docs["b.txt"]["duplicate_of"] == docs["a.txt"]["doc_id"]


def test_a_run_ends_with_the_report_topics_and_graph(sample_run):
    _, out, _ = sample_run
    for name in ("report.html", "topics.json", "region_topics.csv", "doc_topics.csv",
                 "topic_map.html", "graph.json", "links.jsonl", "themes.json",
                 "county_theme.csv"):
        assert (out / name).is_file(), name
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="heatmap-problem"' in page and "<script src=\"http" not in page
