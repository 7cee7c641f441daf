"""Tests for the unit tagger (pipeline.tagging): lexicon, cues, classifier, decisions."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline.records import UnitSpan
from pipeline.tagging import (
    Classifier,
    TagInput,
    TagOptions,
    inputs_from_spans,
    label_units,
    section_label,
    section_labels,
    seed_examples,
    silver_examples,
    train_classifier,
)
from pipeline.tagging.rules import cue_counts, marker_label, opener_label
from pipeline.text.vocab import normalise_for_match as normalize
from tests.conftest import GOLD, SEEDS
from tests.tagging_support import labels_of, seed_classifier, unit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "outline"


# ---------------------------------------------------------------- section titles

SECTION_TABLE = [
    ("一、存在问题", "problem"),
    ("存在的突出问题", "problem"),
    ("一、乱作为慢作为的问题表现", "problem"),
    ("（二）原因分析", "cause"),
    ("二、乱作为慢作为问题的原因分析", "cause"),
    ("三、对策建议", "countermeasure"),
    ("激励教师潜心育人的思考建议", "countermeasure"),
    ("下一步工作打算", "countermeasure"),
    ("几点启示", "countermeasure"),
    ("（一）巴州区主要做法", "practice"),
    ("工作开展情况", "practice"),
    ("取得的成效", "practice"),
    ("一、基本情况", "background"),
    ("调研概况", "background"),
    ("四、几点体会", "countermeasure"),
    ("二、面临的风险", "problem"),
    # items, not section titles
    ("因经济待遇偏低有怨气", None),
    ("补齐农村养老服务短板", None),
    ("缺乏基层工作经验", None),
    ("解决群众反映强烈的问题", None),
    ("专业干部量少质弱，难选难配", None),
]


@pytest.mark.parametrize(("title", "label"), SECTION_TABLE)
def test_section_label(title, label):
    assert section_label(title) == label


@pytest.mark.parametrize(
    ("title", "labels"),
    [
        ("存在问题及原因分析", ("problem", "cause")),
        ("问题与对策", ("problem", "countermeasure")),
        ("取得的成效和存在的问题", ("practice", "problem")),
    ],
)
def test_combined_titles_keep_order(title, labels):
    assert section_labels(title) == labels


OPENER_TABLE = [
    ("要完善旅游交通网络", "countermeasure"),
    ("建议设立专项资金", "countermeasure"),
    ("应加快补齐公共服务设施短板", "countermeasure"),
    ("要素保障不足", None),  # a noun, not a modal
    ("应急处置能力不强", None),
    ("需求调查不深入", None),
]


@pytest.mark.parametrize(("headline", "label"), OPENER_TABLE)
def test_opener_label(headline, label):
    assert opener_label(headline) == label


@pytest.mark.parametrize(("marker", "label"), [
    ("一要", "countermeasure"), ("短板一：", "problem"), ("建议二、", "countermeasure"),
    ("一、", None), ("（一）", None), ("一是", None), ("第一，", None),
])
def test_marker_label(marker, label):
    assert marker_label(marker) == label


def test_leadin_sentence_frames_the_run_after_it():
    text = ("二、存在的问题及原因\n（一）设备闲置\n部分设备长期闲置。"
            "产生上述问题的原因主要有：一是投入不足；二是考核不到位。\n"
            "同时也要看到，工作中还存在一些不足：一是宣传不够；二是人员偏少。")
    spans = [
        UnitSpan(0, len(text), 1, "二、", "存在的问题及原因", "heading", None),
        UnitSpan(11, len(text), 2, "（一）", "设备闲置", "heading", 0),
    ]
    for written in ("一是投入", "二是考核", "一是宣传", "二是人员"):
        start = text.index(written)
        end = text.index("。" if written[0] == "二" else "二是", start)  # items abut
        spans.append(UnitSpan(start, end, 3, written[:2], written[2:], "enum", 1))
    labels = label_units(inputs_from_spans(text, spans), classifier=None)
    assert [label for label, _ in labels[2:]] == ["cause", "cause", "problem", "problem"]


def test_cue_counts_match_gapped_and_word_cues():
    counts = cue_counts(normalize("还存在 一些差距和不足问题，由于标准缺失导致执行走样"))
    assert counts["problem"] >= 3 and counts["cause"] == 2
    assert cue_counts("", ("要", "加强", "管理"))["countermeasure"] >= 1


# ---------------------------------------------------------------- classifier


def test_classifier_needs_examples_and_two_classes():
    examples = seed_examples()
    assert train_classifier(examples[:5]) is None
    only_problem = [pair for pair in examples if pair[1] == "problem"]
    assert train_classifier(only_problem) is None


def test_classifier_round_trips_and_generalises():
    classifier = Classifier.from_bytes(seed_classifier().to_bytes())
    items = [
        unit("农村寄宿制学校管理人员配备不足", "宿管多由任课教师兼任，夜间看护力量薄弱。"),
        unit("推动养老服务向农村延伸", "要加大农村互助养老点建设投入，完善运营补贴政策。"),
        unit("搭建线上办事平台", "去年以来累计办理业务两万余件，群众满意率达到98%。"),
    ]
    probabilities = classifier.predict_proba(items)
    assert [max(p, key=p.get) for p in probabilities] == ["problem", "countermeasure", "practice"]
    assert all(abs(sum(p.values()) - 1) < 1e-6 for p in probabilities)


def test_silver_examples_take_nearest_single_label_section():
    items = [
        unit("存在的问题"),
        unit("设施陈旧", ancestors=("存在的问题",)),
        unit("资金不足", ancestors=("问题与对策",)),
        unit("加强投入", ancestors=("存在的问题", "对策建议")),
    ]
    assert [label for _, label in silver_examples(items)] == ["problem", "countermeasure"]


# ---------------------------------------------------------------- decisions


def test_section_heading_gets_its_section_label():
    assert labels_of([unit("二、存在的主要问题")]) == ["problem"]


def test_section_prior_holds_against_verbs_in_practice_items():
    practice = ("各地主要做法", "某县主要做法")
    items = [unit("强化干部正向激励", "三年来提拔一线干部40名。", practice, kind="enum")]
    assert labels_of(items, seed_classifier()) == ["practice"]


def test_cause_items_can_leave_a_problem_section():
    problems = ("存在的问题",)
    items = [
        unit("因待遇偏低有怨气", "基层干部反映收入偏低、补贴不足，工作积极性不高。", problems),
        unit("原因分析", ancestors=problems),
        unit("投入机制不健全", "由于财力有限导致欠账多，根源在于缺少稳定投入渠道，"
             "受体制制约而进展缓慢。", problems),
    ]
    assert labels_of(items, seed_classifier()) == ["problem", "cause", "cause"]


def test_no_context_units():
    items = [
        unit("近年来，某县围绕养老服务开展了一系列探索", position=0.01, kind="paragraph"),
        unit("附件", position=0.99, kind="paragraph"),
    ]
    assert labels_of(items) == ["background", "other"]


def test_scores_are_probabilities():
    for _label, score in label_units([unit("存在问题"), unit("加强管理")], classifier=None):
        assert 0.0 <= score <= 1.0


# ---------------------------------------------------------------- outline and real data

def outline_of(text: str) -> list[UnitSpan]:
    outline = pytest.importorskip("pipeline.text.outline")
    return outline.parse_outline(text)


@lru_cache(maxsize=1)
def tokenizer():
    import jieba

    jieba.setLogLevel(60)
    return jieba.Tokenizer().lcut


def tag_text(text: str, classifier: Classifier | None) -> tuple[list[UnitSpan], list[str]]:
    spans = outline_of(text)
    items = inputs_from_spans(text, spans, tokenize=tokenizer())
    return spans, labels_of(items, classifier)


def corpus_classifier() -> Classifier:
    examples = list(seed_examples(tokenizer()))
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        examples += silver_examples(inputs_from_spans(text, outline_of(text),
                                                      tokenize=tokenizer()))
    classifier = train_classifier(examples)
    assert classifier is not None
    return classifier


def gold_hits(spans, labels, items):
    """(gold label, predicted label) for every gold item some unit's marker+headline holds."""
    keys = [normalize(span.marker + span.headline) for span in spans]
    hits = []
    for item in items:
        key = normalize(item["key"])
        found = [labels[i] for i, text in enumerate(keys) if key in text]
        if found:
            hits.append((item["label"], found[0]))
    return hits


def test_seed_reports_match_partial_gold():
    gold_path = GOLD
    if not gold_path.exists():
        pytest.skip("shared corpus absent")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["docs"]
    classifier = corpus_classifier()
    hits = []
    for name, doc in gold.items():
        if not name.startswith(("000_", "002_")):
            continue
        text = (SEEDS / name).read_text(encoding="utf-8")
        spans, labels = tag_text(text, classifier)
        hits += gold_hits(spans, labels, doc["items"])
    assert len(hits) >= 12
    wrong = [(g, p) for g, p in hits if g != p]
    assert not wrong


def fixture_cases():
    return sorted(FIXTURES.glob("*.json")) if FIXTURES.exists() else []


def fixture_units(path: Path):
    """(TagInput, expected label) for every fixture unit that names a label."""
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    expected = expected.get("units", expected) if isinstance(expected, dict) else expected
    spans = outline_of(text)
    items = inputs_from_spans(text, spans, tokenize=tokenizer())
    keys = [(normalize(s.marker), normalize(s.headline)) for s in spans]
    pairs, used = [], set()
    for unit_expect in expected:
        label = unit_expect.get("label")
        marker = normalize(unit_expect.get("marker", ""))
        prefix = normalize(unit_expect.get("headline_prefix", unit_expect.get("headline", "")))
        index = next((i for i, (m, h) in enumerate(keys)
                      if i not in used and m == marker and h.startswith(prefix)), None)
        if label and index is not None:
            used.add(index)
            pairs.append((items[index], label))
    return pairs


def test_fixture_labels():
    pairs = [pair for path in fixture_cases() for pair in fixture_units(path)]
    if not pairs:
        pytest.skip("no outline fixtures with labels yet")
    predicted = labels_of([item for item, _ in pairs], seed_classifier())
    correct = sum(p == g for p, (_, g) in zip(predicted, pairs, strict=True))
    assert correct / len(pairs) >= 0.9


def test_fixture_labels_by_classifier_alone():
    pairs = [pair for path in fixture_cases() for pair in fixture_units(path)]
    pairs = [(item, label) for item, label in pairs if label != "other"]
    if not pairs:
        pytest.skip("no outline fixtures with labels yet")
    bare = [TagInput(**{**item.__dict__, "ancestor_headlines": ()}) for item, _ in pairs]
    probabilities = seed_classifier().predict_proba(bare)
    correct = sum(max(p, key=p.get) == g for p, (_, g) in zip(probabilities, pairs, strict=True))
    assert correct / len(pairs) >= 0.7


def test_labelling_on_forked_workers_matches_in_process(monkeypatch):
    from pipeline.stages import tag as tag_stage

    items = [unit(headline, text, ancestors)
             for headline, text, ancestors in [
                 ("存在的问题", "", ()), ("编制偏少", "人员不足，任务繁重。", ("存在的问题",)),
                 ("加强培训", "每年组织两期轮训。", ("对策建议",)), ("基本情况", "", ()),
                 ("完善考核机制", "建议建立容错纠错制度。", ()), ("年轻干部流失", "", ())]] * 5
    in_process = label_units(items, classifier=seed_classifier(), options=TagOptions())

    class Context:  # what label_all reads of a stage context
        local_workers = 2

    monkeypatch.setattr(tag_stage, "PARALLEL_MIN_UNITS", 1)
    forked = tag_stage.label_all(Context(), items, seed_classifier(), TagOptions())
    assert forked == in_process
    assert tag_stage.unit_ranges(7, 3) == [(0, 3), (3, 6), (6, 7)]


def test_labelling_chunk_by_chunk_matches_one_chunk(tmp_path, monkeypatch):
    """Tiny chunks (and forked workers per chunk) give the labels and model of one chunk."""
    import shutil

    from pipeline.config import Config, load_config
    from pipeline.runner import run_pipeline
    from pipeline.stages import tag as tag_stage
    from pipeline.store import Store
    from tests.conftest import SAMPLE_CORPUS

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    monkeypatch.setattr(tag_stage, "PARALLEL_MIN_UNITS", 1)
    config = load_config(corpus=corpus)
    tiny = Config({**config.sections, "tag": {**config.sections["tag"], "chunk_units": 7}})
    assert tiny.digest("tag") == config.digest("tag")  # a scheduling key keys no work
    outcomes = []
    for name, chosen in (("one", config), ("tiny", tiny)):
        out = tmp_path / name
        run_pipeline(out, chosen, corpus=corpus, stages=("ingest", "structure", "segment", "tag"))
        store = Store(out / "diaoyan.sqlite", read_only=True)
        try:
            outcomes.append(([(u.unit_id, u.label, u.label_score) for u in store.iter_units()],
                             store.get_model(tag_stage.MODEL_NAME)[:2],
                             store.get_work_keys("tag")))
        finally:
            store.close()
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0][0]) > 7 * 3  # the tiny run labelled several chunks


def test_silver_merged_chunk_by_chunk_is_the_silver_sampled_at_once():
    from pipeline.stages.tag import merge_silver, sample_silver

    examples = [(unit(f"问题{n % 37}", f"正文{n}"), "problem") for n in range(500)]
    for cap in (10, 60, 499, 600):
        kept: list = []
        for start in range(0, len(examples), 23):
            kept = merge_silver(kept, examples[start:start + 23], cap)
        assert sample_silver(kept, cap) == sample_silver(examples, cap)
