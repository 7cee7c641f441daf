"""A nightly run you can trust: each class of defect a cron user met, as a test."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import EXIT_BUSY, EXIT_CANNOT_RUN, EXIT_REFUSED, cli
from pipeline.config import ConfigError, load_config
from pipeline.lock import exclusive_output
from pipeline.outputs import export
from pipeline.runner import RunRefused, run_pipeline
from pipeline.store import Store

TOPICS = ["供水", "道路", "教育", "医疗", "养老", "河道", "住房", "就业", "文化", "治安"]


def report_text(topic: str, variant: int = 0) -> str:
    """A small synthetic report on ``topic``; ``variant`` changes one sentence."""
    return textwrap.dedent(f"""\
        关于{topic}工作的调研报告
        一、基本情况
        全县{topic}工作覆盖{variant + 12}个乡镇，{topic}投入逐年增加，{topic}队伍不断充实。
        二、存在的问题
        （一）{topic}资金保障不足。部分乡镇{topic}经费长期依靠上级补助，{topic}设施维护困难。
        （二）{topic}人才队伍薄弱。基层{topic}岗位缺人，{topic}专业人员流失严重。
        三、对策建议
        （一）加大{topic}资金投入。建立{topic}经费稳定增长机制，统筹使用{topic}专项资金。
        （二）加强{topic}人才培养。定向培养{topic}专业人才，完善{topic}岗位激励办法。
        """)


def write_config(corpus, extra: str = "") -> None:
    # retrain on every change, so an incremental run labels exactly as a clean run does
    (corpus / "diaoyan.toml").write_text("[tag]\nretrain_growth = 0.0\n" + extra,
                                         encoding="utf-8")


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def snapshot(out):
    """What a researcher reads: documents and units, in comparable form."""
    docs = sorted((d["doc_id"], d["source"], d["status"], d["duplicate_of"], d["title"])
                  for d in read_jsonl(out / "docs.jsonl"))
    units = sorted((u["doc_id"], u["unit_id"], u["headline"], u["label"])
                   for u in read_jsonl(out / "units.jsonl"))
    return docs, units


def assert_exports_agree(out):
    """Exports parse and agree: units belong to ok documents; status has a row per document."""
    docs = read_jsonl(out / "docs.jsonl")
    ok = {d["doc_id"] for d in docs if d["status"] == "ok"}
    assert {u["doc_id"] for u in read_jsonl(out / "units.jsonl")} <= ok
    rows = (out / "status.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert all(len(r.split("\t")) == 4 for r in rows)
    assert len([r for r in rows if r.split("\t")[2] != "skipped"]) == len(docs)


def run(corpus, out, **kwargs):
    return run_pipeline(out, load_config(corpus=corpus), corpus=corpus, jobs=1, **kwargs)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for index, topic in enumerate(TOPICS[:4]):
        (folder / f"{index:02d}_{topic}.txt").write_text(report_text(topic), encoding="utf-8")
    write_config(folder)
    return folder


# --- one document never stops the run ------------------------------------------------------

def test_a_text_longer_than_spacys_limit_is_segmented_in_pieces(corpus, tmp_path, monkeypatch):
    from pipeline.nlp import segmenter as nlp

    (corpus / "long.txt").write_text(report_text("交通") * 40, encoding="utf-8")
    write_config(corpus, "[segment]\npiece_chars = 500\n")
    real_make_nlp = nlp.make_nlp

    def small_limit(options=None):  # as if the long report were over 1,000,000 characters
        pipeline = real_make_nlp(options)
        pipeline.max_length = 2000
        return pipeline

    monkeypatch.setattr(nlp, "make_nlp", small_limit)
    nlp._cached_nlp.cache_clear()
    try:
        report = run(corpus, tmp_path / "out")
    finally:
        nlp._cached_nlp.cache_clear()
    assert not report.failed and not report.errors
    docs = {d["source"]: d for d in read_jsonl(tmp_path / "out" / "docs.jsonl")}
    units = read_jsonl(tmp_path / "out" / "units.jsonl")
    assert any(u["doc_id"] == docs["long.txt"]["doc_id"] for u in units)


def test_a_document_that_breaks_a_stage_is_its_own_error(corpus, tmp_path, monkeypatch):
    from pipeline import nlp

    (corpus / "bad.txt").write_text(report_text("爆炸"), encoding="utf-8")
    real = nlp.segment_payloads  # what the segment stage's workers call

    def breaks_on_one(texts, options=None):
        texts = list(texts)
        if any("爆炸" in t for t in texts):
            raise MemoryError("simulated failure on one document")
        return real(texts, options)

    monkeypatch.setattr(nlp, "segment_payloads", breaks_on_one)
    out = tmp_path / "out"
    report = run(corpus, out)
    assert not report.failed
    assert [source for source, _ in report.errors] == ["bad.txt"]
    rows = [r.split("\t") for r in (out / "status.tsv").read_text("utf-8").splitlines()[1:]]
    bad = [r for r in rows if r[1] == "bad.txt"][0]
    assert bad[2] == "error" and bad[3].startswith("segment: MemoryError")
    assert len([r for r in rows if r[2] == "ok"]) == 4
    again = run(corpus, out)  # the next night goes on too, without retrying the same text
    assert not again.failed and [r.errors for r in again.results][2] == 1


# --- file names, shrinking corpora, duplicates ---------------------------------------------

def test_a_gbk_file_name_is_decoded_and_shown(corpus, tmp_path):
    name = "调研报告.txt".encode("gb18030")
    with open(os.path.join(os.fsencode(corpus), name), "wb") as handle:
        handle.write(report_text("水利").encode("utf-8"))
    out = tmp_path / "out"
    run(corpus, out)
    sources = {d["source"] for d in read_jsonl(out / "docs.jsonl")}
    assert "调研报告.txt" in sources
    assert "调研报告.txt" in (out / "status.tsv").read_text("utf-8")


def test_an_empty_or_unmounted_corpus_refuses_to_wipe_the_results(corpus, tmp_path):
    out = tmp_path / "out"
    run(corpus, out)
    empty = tmp_path / "empty"
    empty.mkdir()
    before = (out / "units.jsonl").read_bytes()
    with pytest.raises(RunRefused, match="allow-shrink"):
        run_pipeline(out, load_config(), corpus=empty)
    assert (out / "units.jsonl").read_bytes() == before
    result = CliRunner().invoke(cli, ["run", str(empty), "--out", str(out)])
    assert result.exit_code == EXIT_REFUSED and "allow-shrink" in result.output
    (corpus / "00_供水.txt").unlink()  # removing one of four files stays normal
    assert not run(corpus, out).failed
    result = CliRunner().invoke(cli, ["run", str(empty), "--out", str(out), "--allow-shrink"])
    assert result.exit_code == 0
    assert read_jsonl(out / "docs.jsonl") == []


def test_a_document_that_becomes_a_duplicate_loses_its_units(corpus, tmp_path):
    out = tmp_path / "out"
    run(corpus, out)
    original = corpus / "01_道路.txt"
    repost = corpus / "00a_转载.txt"  # sorts earlier, and is the older file
    shutil.copyfile(original, repost)
    os.utime(repost, (1_000_000, 1_000_000))
    run(corpus, out)
    docs = {d["source"]: d for d in read_jsonl(out / "docs.jsonl")}
    assert docs["01_道路.txt"]["status"] == "duplicate"
    dup_id = docs["01_道路.txt"]["doc_id"]
    assert not [u for u in read_jsonl(out / "units.jsonl") if u["doc_id"] == dup_id]
    assert "older file" in (out / "status.tsv").read_text("utf-8")


def test_a_renamed_file_gets_its_new_source_and_metadata_row(corpus, tmp_path):
    out = tmp_path / "out"
    run(corpus, out)
    (corpus / "02_教育.txt").rename(corpus / "renamed.txt")
    (corpus / "metadata.csv").write_text("filename,province,county\nrenamed.txt,甘肃省,临泽县\n",
                                         encoding="utf-8")
    run(corpus, out)
    docs = {d["source"]: d for d in read_jsonl(out / "docs.jsonl")}
    assert "02_教育.txt" not in docs
    assert docs["renamed.txt"]["region"]["county"] == "临泽县"


def test_files_that_are_not_reports_are_listed_as_skipped(corpus, tmp_path):
    (corpus / "SOURCES.tsv").write_text("title\tdate\n", encoding="utf-8")
    (corpus / "data.csv").write_text("a,b\n", encoding="utf-8")
    (corpus / "tool.py").write_text("print(1)\n", encoding="utf-8")
    out = tmp_path / "out"
    run(corpus, out)
    sources = {d["source"] for d in read_jsonl(out / "docs.jsonl")}
    assert not sources & {"SOURCES.tsv", "data.csv", "tool.py"}
    rows = [r.split("\t") for r in (out / "status.tsv").read_text("utf-8").splitlines()[1:]]
    skipped = {r[1]: r[3] for r in rows if r[2] == "skipped"}
    assert skipped == dict.fromkeys(["SOURCES.tsv", "data.csv", "tool.py"], "not a report format")


# --- exports are one snapshot --------------------------------------------------------------

def test_exports_switch_together_and_a_killed_run_is_marked(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run(corpus, out)
    assert os.path.realpath(out / "docs.jsonl").rsplit("/", 1)[0] == \
        os.path.realpath(out / "units.jsonl").rsplit("/", 1)[0]
    before = snapshot(out)
    (corpus / "09_文化.txt").write_text(report_text("文化"), encoding="utf-8")
    real_units = export.export_units

    def killed_after_docs(store, folder):
        raise KeyboardInterrupt  # the run dies after docs.jsonl of the new snapshot

    monkeypatch.setattr(export, "export_units", killed_after_docs)
    with pytest.raises(KeyboardInterrupt):
        run(corpus, out)
    assert snapshot(out) == before  # readers still see one whole, older snapshot
    assert list((out / "generations").glob(".*"))  # the half-written snapshot
    monkeypatch.setattr(export, "export_units", real_units)
    store = Store(out / "diaoyan.sqlite")
    store.conn.execute("UPDATE runs SET status='running' WHERE run_id=(SELECT max(run_id) "
                       "FROM runs)")
    store.close()
    run(corpus, out)
    assert not list((out / "generations").glob(".*"))
    store = Store(out / "diaoyan.sqlite")
    statuses = [r[0] for r in store.conn.execute("SELECT status FROM runs ORDER BY run_id")]
    store.close()
    assert statuses[-2:] == ["killed", "ok"]
    assert_exports_agree(out)


def test_exports_honour_the_umask(corpus, tmp_path):
    old = os.umask(0o022)
    try:
        run(corpus, tmp_path / "out")
    finally:
        os.umask(old)
    for name in ("docs.jsonl", "units.jsonl", "status.tsv"):
        assert oct(os.stat(tmp_path / "out" / name).st_mode & 0o777) == "0o644"


def test_status_reads_the_store_without_writing(corpus, tmp_path):
    out = tmp_path / "out"
    run(corpus, out)
    store = Store.for_reading(out)
    with pytest.raises(sqlite3.OperationalError):
        store.conn.execute("DELETE FROM documents")
    store.close()
    result = CliRunner().invoke(cli, ["status", str(out)])
    assert result.exit_code == 0 and "4 ok" in result.output


def test_status_tsv_keeps_four_columns_whatever_the_file_name(corpus, tmp_path):
    (corpus / "a\tb\nc.txt").write_text(report_text("卫生"), encoding="utf-8")
    out = tmp_path / "out"
    run(corpus, out)
    lines = (out / "status.tsv").read_text("utf-8").splitlines()
    assert len(lines) == 1 + 5
    assert all(len(line.split("\t")) == 4 for line in lines)
    assert any("a\\tb\\nc.txt" in line for line in lines)


# --- damaged store, unwritable folder, busy folder, bad config -----------------------------

def test_a_damaged_store_says_what_to_do_and_rebuild_recovers(corpus, tmp_path):
    out = tmp_path / "out"
    run(corpus, out)
    (out / "diaoyan.sqlite").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (out / f"diaoyan.sqlite{suffix}").unlink(missing_ok=True)
    runner = CliRunner()
    result = runner.invoke(cli, ["run", str(corpus), "--out", str(out)])
    assert result.exit_code == EXIT_CANNOT_RUN
    assert "--rebuild" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["run", str(corpus), "--out", str(out), "--rebuild"])
    assert result.exit_code == 0, result.output
    assert list(out.glob("diaoyan.sqlite.damaged-*"))
    assert len(read_jsonl(out / "docs.jsonl")) == 4


def test_an_unwritable_output_folder_is_one_line(corpus, tmp_path, monkeypatch):
    from pipeline import runner

    monkeypatch.setattr(runner.os, "access", lambda path, mode: not str(path).endswith("/out"))
    result = CliRunner().invoke(cli, ["run", str(corpus), "--out", str(tmp_path / "out")])
    assert result.exit_code == EXIT_CANNOT_RUN
    assert "not writable" in result.output and "Traceback" not in result.output


def test_a_busy_folder_exits_with_tempfail(corpus, tmp_path):
    out = tmp_path / "out"
    with exclusive_output(out):
        result = CliRunner().invoke(cli, ["run", str(corpus), "--out", str(out)])
    assert result.exit_code == EXIT_BUSY == 75
    assert "in use" in result.output


@pytest.mark.parametrize("section, line, complaint", [
    ("ingest", 'jobs = "two"', "must be an integer"),
    ("metadata", 'min_year = "1990"', "must be an integer"),
    ("dedup", "threshold = 1.5", "between 0 and 1"),
    ("segment", "n_process = 0", "at least 1"),
    ("layout", "join_open_ends = 1", "true or false"),
    ("ingest", "include = [1, 2]", "list of strings"),
])
def test_config_values_are_checked_when_loaded(tmp_path, section, line, complaint):
    path = tmp_path / "diaoyan.toml"
    path.write_text(f"[{section}]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=complaint):
        load_config(path)
    result = CliRunner().invoke(cli, ["run", str(tmp_path), "--out", str(tmp_path / "o"),
                                      "--config", str(path)])
    assert result.exit_code == EXIT_CANNOT_RUN and complaint in result.output


def test_workers_die_with_the_main_process(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""\
        import os, signal, sys, time
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context
        from pipeline.workers import die_with_parent
        pool = ProcessPoolExecutor(2, mp_context=get_context("fork"), initializer=die_with_parent)
        futures = [pool.submit(time.sleep, 30) for _ in range(2)]
        time.sleep(0.5)
        print(" ".join(str(p) for p in pool._processes), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=os.getcwd(), timeout=60)
    pids = [int(p) for p in done.stdout.split()]
    assert len(pids) == 2
    import time

    for _ in range(50):
        alive = [p for p in pids if os.path.exists(f"/proc/{p}") and
                 "Z" not in open(f"/proc/{p}/stat").read().split()[2]]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive


# --- the property: any sequence of events ends where a clean run would ---------------------

def test_any_sequence_of_changes_ends_where_a_clean_run_would(tmp_path):
    rng = random.Random(20261130)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_config(corpus)
    out = tmp_path / "out"
    names = iter(f"r{i:02d}.txt" for i in range(100))
    topics = iter(TOPICS * 3)

    def files():
        return sorted(p for p in corpus.iterdir() if p.suffix == ".txt")

    def add():
        (corpus / next(names)).write_text(report_text(next(topics)), encoding="utf-8")

    def modify():
        path = rng.choice(files())
        path.write_text(path.read_text("utf-8") + "附：本报告数据截至年底。\n", encoding="utf-8")

    def rename():
        rng.choice(files()).rename(corpus / next(names))

    def copy():
        shutil.copyfile(rng.choice(files()), corpus / next(names))

    def delete():
        rng.choice(files()).unlink()

    for _ in range(3):
        add()
    actions = [add, modify, rename, copy, delete]
    for step in range(7):
        action = rng.choice(actions) if len(files()) > 2 else add
        action()
        if rng.random() < 0.4:  # killed at a random moment of the run
            calls = {"n": 0, "at": rng.randint(1, 6)}

            def die(_message, calls=calls):
                calls["n"] += 1
                if calls["n"] >= calls["at"]:
                    raise KeyboardInterrupt

            try:  # a run with little to do may finish before the moment comes
                run_pipeline(out, load_config(corpus=corpus), corpus=corpus, jobs=1,
                             progress=die, allow_shrink=True)
            except KeyboardInterrupt:
                pass
            if (out / "docs.jsonl").exists():
                assert_exports_agree(out)
        run_pipeline(out, load_config(corpus=corpus), corpus=corpus, jobs=1, allow_shrink=True)
        clean = tmp_path / f"clean{step}"
        run_pipeline(clean, load_config(corpus=corpus), corpus=corpus, jobs=1)
        assert snapshot(out) == snapshot(clean), (step, action.__name__)
        assert_exports_agree(out)


# --- --redo of one stage leaves the later stages' outputs whole -----------------------------


@pytest.mark.parametrize("stage", ["structure", "segment", "tag"])
def test_redoing_a_stage_keeps_every_later_output(corpus, tmp_path, stage):
    out = tmp_path / "out"
    run(corpus, out)
    before = snapshot(out)
    run(corpus, out, redo=[stage])
    assert snapshot(out) == before
    assert all(u["label"] for u in read_jsonl(out / "units.jsonl"))


def test_a_new_tag_stage_version_relabels_every_report(corpus, tmp_path):
    from pipeline.stages import get_stage

    out = tmp_path / "out"
    run(corpus, out)
    tag_stage = get_stage("tag")
    declared = tag_stage.version
    object.__setattr__(tag_stage, "version", declared + 1)  # frozen: a release bumps it
    try:
        report = run(corpus, out)
    finally:
        object.__setattr__(tag_stage, "version", declared)
    tag = next(r for r in report.results if r.stage == "tag")
    assert tag.processed == len(list(corpus.glob("*.txt"))) and tag.reused == 0


ADD_ONE_CHILD = """
import json, sys
from pathlib import Path
from pipeline.config import load_config
from pipeline.runner import run_pipeline
corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
report = run_pipeline(out, load_config(corpus=corpus), corpus=corpus, jobs=1)
print(json.dumps({"notes": {r.stage: r.notes for r in report.results},
                  "loaded": [m for m in ("sklearn", "gensim") if m in sys.modules]}))
"""


def test_adding_a_report_folds_it_in_without_scikit_learn_or_gensim(tmp_path):
    """A nightly run that adds a report labels it with the stored classifier, folds it into
    the stored topic model and assigns its units to the stored themes: no fit, so neither
    scikit-learn nor gensim is imported (≈4 s)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    def mixed(index: int) -> str:  # three topics a report: each word in a few reports
        return "".join(report_text(TOPICS[(index + step) % len(TOPICS)]) for step in (0, 1, 3))

    for index, topic in enumerate(TOPICS[:9]):
        (folder / f"{index:02d}_{topic}.txt").write_text(mixed(index), encoding="utf-8")
    (folder / "diaoyan.toml").write_text(
        "[topics]\nrefit_share = 0.5\n[themes]\nrecluster_share = 0.5\n", encoding="utf-8")
    out = tmp_path / "out"
    run(folder, out)
    (folder / "09_新增.txt").write_text(mixed(9), encoding="utf-8")
    child = subprocess.run([sys.executable, "-c", ADD_ONE_CHILD, str(folder), str(out)],
                           capture_output=True, text=True, check=True,
                           cwd=Path(__file__).resolve().parents[1])
    result = json.loads(child.stdout.splitlines()[-1])
    assert any("folded in" in note for note in result["notes"]["topics"]), result["notes"]["topics"]
    assert any("classifier reused" in note for note in result["notes"]["tag"])
    assert result["loaded"] == []


# --- memory-hungry stages in a child process (large corpora) -------------------------------

def test_isolated_stages_write_what_they_write_in_process(corpus, tmp_path):
    exports = []
    for name, extra in (("here", ""), ("apart", "[run]\nisolate_min_docs = 0\n")):
        write_config(corpus, extra)
        out = tmp_path / name
        report = run(corpus, out)
        assert not report.failed
        exports.append({path.name: path.read_bytes() for path in (out / "current").iterdir()
                        if path.suffix in (".jsonl", ".json", ".csv", ".graphml", ".gexf")})
    assert exports[0] == exports[1]
    assert {"docs.jsonl", "units.jsonl", "links.jsonl", "themes.json"} <= set(exports[0])


def test_a_stage_whose_process_is_killed_fails_alone_and_the_next_run_resumes(
        corpus, tmp_path, monkeypatch):
    from pipeline.stages import graph

    write_config(corpus, "[run]\nisolate_min_docs = 0\n")
    out = tmp_path / "out"
    run(corpus, out)
    (corpus / "09_文化.txt").write_text(report_text("文化"), encoding="utf-8")
    real_graph = graph.run
    monkeypatch.setattr(graph, "run", lambda ctx: os.kill(os.getpid(), 9))  # out of memory
    report = run(corpus, out)  # this process lives on and says what happened
    assert [(r.stage, r.failed) for r in report.results if r.failed] == [
        ("graph", "its process was killed by signal 9 (SIGKILL)")]
    assert "report" not in {r.stage for r in report.results}
    monkeypatch.setattr(graph, "run", real_graph)
    report = run(corpus, out)
    assert not report.failed
    assert {r.stage: r.processed for r in report.results}["graph"] == 1
    assert_exports_agree(out)
