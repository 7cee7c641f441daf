"""The topics stage on a store: fit, reuse, fold-in without refit, --label, too small."""

from __future__ import annotations

import csv
import json

import pytest

from pipeline.config import load_config
from pipeline.runner import run_pipeline
from tests.conftest import PROVINCES

# Three invented groups of reports with disjoint vocabularies.
GROUPS = {
    "水利": "水库 灌溉 渠道 堤防 防汛 水源 泵站 水利工程",
    "教育": "学校 教师 学生 课程 校舍 招生 教学 课堂",
    "医疗": "医院 医生 患者 药品 诊疗 床位 护士 门诊",
}
PLACES = ["甘肃省张掖市临泽县", "四川省巴中市", "浙江省湖州市安吉县"]


def report(group: str, index: int) -> str:
    words = GROUPS[group].split()
    body = "。".join(f"{words[(index + i) % 8]}和{words[(index + 2 * i + 1) % 8]}的建设需要加强"
                    for i in range(12))
    return f"关于{group}工作的调研报告（第{index}篇）\n一、存在的问题\n{body}。\n"


def write_corpus(folder, per_group=4, start=0):
    folder.mkdir(exist_ok=True)
    for group in GROUPS:
        for i in range(start, start + per_group):
            (folder / f"{group}{i:02d}.txt").write_text(report(group, i), encoding="utf-8")
    (folder / "diaoyan.toml").write_text("[topics]\nk_min = 2\nk_max = 5\nbootstrap = 50\n"
                                         "refit_share = 0.5\n", encoding="utf-8")
    rows = ["filename,province,city,county"]
    for g, group in enumerate(GROUPS):
        for i in range(0, start + per_group):
            parts = PLACES[g].replace("省", "省,", 1).replace("市", "市,", 1).split(",")
            rows.append(f"{group}{i:02d}.txt," + ",".join((parts + ["", ""])[:3]))
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def run(corpus, out, **kwargs):
    return run_pipeline(out, load_config(corpus=corpus), corpus=corpus, jobs=1, **kwargs)


def topics_result(report):
    return next(r for r in report.results if r.stage == "topics")


def test_planted_groups_give_three_topics_and_reruns_reuse(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "o"
    write_corpus(corpus)
    first = run(corpus, out)
    document = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    assert document["k"] == 3
    for topic in document["topics"]:
        top = {t["term"] for t in topic["terms"][:5]}
        assert any(top <= set(words.split()) | {"建设"} for words in GROUPS.values()), top
    assert topics_result(first).processed == 12
    again = run(corpus, out)
    assert topics_result(again).processed == 0 and topics_result(again).reused == 12
    rows = list(csv.DictReader((out / "region_topics.csv").open(encoding="utf-8-sig")))
    provinces = {r["place"] for r in rows if r["level"] == "province"}
    assert provinces == {"甘肃省", "四川省", "浙江省"}


def test_new_reports_are_folded_in_without_refitting(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "o"
    write_corpus(corpus)
    run(corpus, out)
    before = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    write_corpus(corpus, per_group=1, start=4)  # three new reports: 25 % growth
    result = topics_result(run(corpus, out))
    assert result.processed == 3 and "folded" in result.notes[0]
    after = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    assert [t["terms"] for t in after["topics"]] == [t["terms"] for t in before["topics"]]
    lines = (out / "doc_topics.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 15


def test_label_models_and_a_too_small_corpus(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli

    corpus, out = tmp_path / "c", tmp_path / "o"
    write_corpus(corpus)
    run(corpus, out)
    result = CliRunner().invoke(cli, ["topics", str(out), "--label", "problem", "--k", "3"])
    assert result.exit_code == 0, result.output
    assert (out / "topics-problem.json").exists() and (out / "topics.json").exists()
    small, small_out = tmp_path / "s", tmp_path / "so"
    small.mkdir()
    (small / "a.txt").write_text(report("水利", 0), encoding="utf-8")
    single = run(small, small_out)
    assert not single.failed
    assert "topics skipped" in topics_result(single).notes[0]


@pytest.mark.skipif(not PROVINCES.is_dir(), reason="../shared/corpus/provinces-2026 absent")
def test_provincial_reports_topics_have_no_chrome_and_one_row_set_per_province(provinces_run):
    from pipeline.analysis.topics import CHROME_WORDS

    out = provinces_run
    document = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    from pipeline.nlp.dictionaries import load_stopwords

    stop = load_stopwords() | CHROME_WORDS
    for topic in document["topics"]:
        top = [t["term"] for t in topic["terms"][:10]]
        assert not set(top) & stop, top
    rows = list(csv.DictReader((out / "region_topics.csv").open(encoding="utf-8-sig")))
    provinces = {r["place"] for r in rows if r["level"] == "province"}
    assert len(provinces - {"unknown"}) == 27
