"""CliRunner smoke tests, one per command."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.lock import exclusive_output
from tests.conftest import GOLD, need_seeds


def write_corpus(path):
    path.mkdir()
    (path / "a.txt").write_text(
        "关于农村供水的调研报告\n一、存在的问题\n（一）水源保障不足。部分村庄季节性缺水。\n"
        "二、对策建议\n（一）加强水源建设。新建蓄水设施。\n", encoding="utf-8")
    (path / "empty.txt").write_bytes(b"")


def test_run_status_and_single_stages(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "o"
    write_corpus(corpus)
    runner = CliRunner()
    result = runner.invoke(cli, ["run", str(corpus), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "empty.txt" in result.output
    assert (out / "docs.jsonl").exists() and (out / "units.jsonl").exists()
    result = runner.invoke(cli, ["status", str(out)])
    assert result.exit_code == 0 and "empty file" in result.output
    for stage in ("structure", "segment", "tag"):
        result = runner.invoke(cli, [stage, str(out)])
        assert result.exit_code == 0, result.output
        assert "0 computed" in result.output
    result = runner.invoke(cli, ["ingest", str(corpus), "--out", str(out), "--strict"])
    assert result.exit_code == 1


def test_second_run_refuses_while_the_folder_is_locked(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "o"
    write_corpus(corpus)
    with exclusive_output(out):
        result = CliRunner().invoke(cli, ["run", str(corpus), "--out", str(out)])
    assert result.exit_code != 0
    assert "in use by another diaoyan run" in result.output


def test_bad_config_is_a_clear_error(tmp_path):
    corpus = tmp_path / "c"
    write_corpus(corpus)
    (corpus / "diaoyan.toml").write_text("[ingest]\nnot_a_key = 1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(corpus), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0 and "not_a_key" in result.output


def test_eval_command(seeds_run):
    need_seeds()
    result = CliRunner().invoke(cli, ["eval", str(seeds_run), "--gold", str(GOLD), "--json"])
    assert result.exit_code == 0, result.output
    assert "item_recall" in json.loads(result.output)


def test_kwic_finds_a_word_with_its_unit_and_label(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "o"
    write_corpus(corpus)
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(corpus), "--out", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["kwic", str(out), "水源"])
    assert result.exit_code == 0, result.output
    assert "【水源】" in result.output and "a.txt" in result.output
    assert "2 lines" in result.output
    only = runner.invoke(cli, ["kwic", str(out), "水源", "--label", "countermeasure"])
    assert "1 lines" in only.output and "countermeasure" in only.output


def test_export_writes_every_table_in_each_format(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "o"
    write_corpus(corpus)
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(corpus), "--out", str(out)]).exit_code == 0
    assert (out / "county_theme.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    for fmt in ("csv", "jsonl", "parquet"):
        result = runner.invoke(cli, ["export", str(out), "--format", fmt])
        assert result.exit_code == 0, result.output
        for name in ("docs", "units", "links", "topics", "themes", "county_theme"):
            assert (out / f"export-{fmt}" / f"{name}.{fmt}").exists()
    csv_text = (out / "export-csv" / "units.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("doc_id,unit_id,parent_id")
    pyarrow = __import__("pytest").importorskip("pyarrow.parquet")
    table = pyarrow.read_table(out / "export-parquet" / "docs.parquet")
    assert table.schema.field("year").type == "int64" and table.num_rows == 2


def test_quiet_json_logs_and_the_nightly_changelog(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "o"
    write_corpus(corpus)
    runner = CliRunner()
    result = runner.invoke(cli, ["--quiet", "run", str(corpus), "--out", str(out)])
    assert result.exit_code == 0
    assert "computed" not in result.output and "outputs in" not in result.output
    (corpus / "b.txt").write_text("关于道路养护的调研报告\n一、存在的问题\n资金不足。\n",
                                  encoding="utf-8")
    result = runner.invoke(cli, ["--log-json", "-v", "run", str(corpus), "--out", str(out)])
    logged = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert any(entry["message"].startswith("run 2 started") for entry in logged)
    changes = sorted((out / "changes").glob("*.json"))
    assert len(changes) == 2
    latest = json.loads(changes[-1].read_text(encoding="utf-8"))
    assert latest["documents_added"] == ["b.txt"] and latest["documents_removed"] == []
    assert "1 documents added" in changes[-1].with_suffix(".txt").read_text(encoding="utf-8")


def test_review_export_import_kappa_and_eval(tmp_path):
    import csv

    corpus, out = tmp_path / "c", tmp_path / "o"
    write_corpus(corpus)
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(corpus), "--out", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["review", "export", str(out), "--sample", "10"])
    assert result.exit_code == 0, result.output
    with (out / "review-sample.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {"unit_id", "predicted", "label", "coder"} <= set(rows[0])
    coders = []
    for name, flip in (("alice", False), ("bob", True)):
        path = tmp_path / f"{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            for index, row in enumerate(rows):
                label = row["predicted"]
                if flip and index == 0:
                    label = "other" if label != "other" else "problem"
                writer.writerow({**row, "label": label})
        coders.append(str(path))
    result = runner.invoke(cli, ["review", "import", *coders, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Cohen's kappa" in result.output
    result = runner.invoke(cli, ["eval", str(out), "--reviews"])
    assert result.exit_code == 0 and "label accuracy" in result.output
    again = runner.invoke(cli, ["run", str(corpus), "--out", str(out)])
    assert "classifier trained" in again.output  # the codes retrain the tagger


def test_eval_over_several_gold_files_with_a_split(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "o"
    write_corpus(corpus)
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(corpus), "--out", str(out)]).exit_code == 0
    gold = {"docs": {"a.txt": {"items": [{"key": "水源保障不足", "label": "problem"},
                                         {"key": "加强水源建设", "label": "countermeasure"}],
                               "links_primary": [["水源保障不足", "加强水源建设"]],
                               "region": None}}}
    first, second = tmp_path / "g1.json", tmp_path / "g2.json"
    first.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    second.write_text(json.dumps({"docs": {}}), encoding="utf-8")
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"heldout": ["a.txt"]}), encoding="utf-8")
    result = runner.invoke(cli, ["eval", str(out), "--gold", str(first), "--gold", str(second),
                                 "--split", str(split)])
    assert result.exit_code == 0, result.output
    assert "[dev] 0 documents" in result.output and "[heldout] 1 documents" in result.output
    assert "items 2/2 found" in result.output and "links (1 documents)" in result.output
