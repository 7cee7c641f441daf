"""Adding a report updates themes and topics incrementally; beyond a share, a full fit.

Table-driven over small synthetic corpora (written for these tests): each case starts
from one full run on ten reports (``[themes] recluster_share`` and ``[topics]
refit_share`` at 15 %), changes the corpus or the config, runs again and checks what
the graph and topics stages did and what their outputs hold.
"""

from __future__ import annotations

import csv
import json
import shutil
import textwrap

import pytest

from pipeline.config import load_config
from pipeline.runner import run_pipeline

TOPICS = ["供水", "道路", "教育", "医疗", "养老", "河道", "住房", "就业", "文化", "治安",
          "农业", "旅游", "环保"]
BASE_DOCS = 10
CONFIG = ("[topics]\nk_min = 2\nk_max = 3\nbootstrap = 20\nrefit_share = 0.15\n"
          "[themes]\nrecluster_share = 0.15\n")


GROUPS = ["水库 灌溉 渠道 堤防 防汛 水源 泵站 水利工程", "学校 教师 学生 课程 校舍 招生 教学 课堂",
          "医院 医生 患者 药品 诊疗 床位 护士 门诊"]


def report_text(index: int) -> str:
    """A small synthetic report on topic ``index``: two problems, two countermeasures,
    and a background paragraph in the vocabulary of one of three groups."""
    topic, words = TOPICS[index], GROUPS[index % 3].split()
    background = "。".join(f"{words[(index + i) % 8]}和{words[(index + 2 * i + 1) % 8]}的建设"
                          f"需要加强" for i in range(10))
    return textwrap.dedent(f"""\
        关于{topic}工作的调研报告
        一、基本情况
        {background}。
        二、存在的问题
        （一）{topic}资金保障不足。部分乡镇{topic}经费长期依靠上级补助，{topic}设施维护困难。
        （二）{topic}人才队伍薄弱。基层{topic}岗位缺人，{topic}专业人员流失严重。
        三、对策建议
        （一）加大{topic}资金投入。建立{topic}经费稳定增长机制，统筹使用{topic}专项资金。
        （二）加强{topic}人才培养。定向培养{topic}专业人才，完善{topic}岗位激励办法。
        """)


def add(*indices):
    def change(corpus):
        for i in indices:
            (corpus / f"r{i:02d}.txt").write_text(report_text(i), encoding="utf-8")
    return change


def remove(index):
    def change(corpus):
        (corpus / f"r{index:02d}.txt").unlink()
    return change


def configure(themes_extra, topics_extra):
    def change(corpus):
        (corpus / "diaoyan.toml").write_text(
            CONFIG.replace("[themes]\n", f"[themes]\n{themes_extra}")
                  .replace("[topics]\n", f"[topics]\n{topics_extra}"), encoding="utf-8")
    return change


def run(corpus, out):
    return run_pipeline(out, load_config(corpus=corpus), corpus=corpus, jobs=1)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    corpus, out = root / "corpus", root / "out"
    corpus.mkdir()
    (corpus / "diaoyan.toml").write_text(CONFIG, encoding="utf-8")
    add(*range(BASE_DOCS))(corpus)
    run(corpus, out)
    return corpus, out


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def outputs(out):
    """What the two stages hand on: unit → theme, the themes file, doc_topics rows."""
    units = {u["unit_id"]: u for u in read_jsonl(out / "units.jsonl")}
    themes = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    topics = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader((out / "doc_topics.csv").open(encoding="utf-8-sig")))
    return units, themes, topics, rows


def stage(report, name):
    return next(r for r in report.results if r.stage == name)


CASES = [
    # name, change, expected fit of themes and topics (None: the stage did nothing)
    ("unchanged", lambda corpus: None, None),
    ("one report added (10 % < 15 %)", add(10), "incremental"),
    ("two reports added (20 % > 15 %)", add(10, 11), "full"),
    ("one report removed", remove(3), "incremental"),
    ("config changed", configure("min_similarity = 0.12\n", "no_above = 0.6\n"), "full"),
]


@pytest.mark.parametrize(("name", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_change_is_folded_in_or_refitted(base, tmp_path, name, change, expected):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(base[0], corpus)
    shutil.copytree(base[1], out, symlinks=True)
    units_before, themes_before, _, rows_before = outputs(out)
    change(corpus)
    report = run(corpus, out)
    units, themes, topics, rows = outputs(out)
    graph, topic_stage = stage(report, "graph"), stage(report, "topics")
    if expected is None:  # nothing moved: neither stage did any work
        assert graph.processed == 0 and topic_stage.processed == 0
        notes = graph.notes + topic_stage.notes
        assert not any("themes:" in n or "fold" in n or "fit" in n for n in notes), notes
        assert units == units_before and themes == themes_before and rows == rows_before
        return
    assert themes["fit"]["mode"] == expected, themes["fit"]
    assert topics["fit"]["mode"] == expected, topics["fit"]
    assert any(f"themes: {'incremental' if expected == 'incremental' else 'full'}" in n
               for n in graph.notes), graph.notes
    if name == "config changed":
        assert "configuration" in themes["fit"]["reason"]
        assert "configuration" in topics["fit"]["reason"]
    else:
        assert themes["fit"]["drift"]["docs_at_fit"] == BASE_DOCS
    members = {m for r in themes["results"] for t in r["themes"] for m in t["members"]}
    clustered = members | {u for r in themes["results"] for u in r["unassigned"]}
    docs_now = {u["doc_id"] for u in units.values()}
    # every current unit that was clustered belongs to a current document, and back
    assert {units[u]["doc_id"] for u in clustered} <= docs_now
    assert {r["doc_id"] for r in rows} == docs_now
    if expected == "incremental":
        assert themes["fit"]["drift"]["changed_docs"] == 1
        # units of unchanged reports keep their themes
        for unit_id, unit in units.items():
            if unit_id in units_before:
                assert unit["theme"] == units_before[unit_id]["theme"], (name, unit_id)
        new_units = {u for u in units if u not in units_before}
        if new_units:  # the new report's problems and measures joined existing themes
            assert new_units & members
            assert {r["doc_id"] for r in rows} - {r["doc_id"] for r in rows_before}
        gone = set(units_before) - set(units)
        assert not gone & clustered


def test_changing_only_the_shares_refits_nothing(base, tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(base[0], corpus)
    shutil.copytree(base[1], out, symlinks=True)
    (corpus / "diaoyan.toml").write_text(CONFIG.replace("0.15", "0.2"), encoding="utf-8")
    add(10)(corpus)
    run(corpus, out)
    _units, themes, topics, _rows = outputs(out)
    assert themes["fit"]["mode"] == topics["fit"]["mode"] == "incremental"
