"""Quality on the real seeds (../shared), scored against the shared partial gold."""

from __future__ import annotations

import json
import re

from pipeline.outputs.evaluate import evaluate_output
from tests.conftest import GOLD

RE_LEFTOVER = re.compile(
    r"当前位置|本文标题|链接地址|欢迎访问|https?://|www\.|^[—－-]\s*\d+\s*[—－-]$|第\s*\d+\s*页",
    re.M,
)


def seed_docs(out):
    lines = (out / "docs.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(x)["source"]: json.loads(x) for x in lines}


def test_every_gold_item_found_and_labelled(seeds_run):
    scores = evaluate_output(seeds_run, GOLD)
    assert scores["item_recall"] == 1.0, scores["misses"]
    assert scores["label_accuracy"] >= 0.95, scores["misses"]


def test_seeds_are_clean_and_paragraphs_restored(seeds_run):
    docs = seed_docs(seeds_run)
    assert len(docs) == 4 and all(d["status"] == "ok" for d in docs.values())
    for source, doc in docs.items():
        assert not RE_LEFTOVER.search(doc["text"]), (source, RE_LEFTOVER.search(doc["text"]))
        lines = [line for line in doc["text"].split("\n") if line.strip()]
        long_lines = [line for line in lines if len(line) > 60]
        # restored paragraphs end a sentence; a hard-wrapped or run-on text would not
        ended = sum(line.rstrip()[-1] in "。！？；：”）" for line in long_lines)
        assert ended >= 0.9 * len(long_lines), source
        assert max(len(line) for line in lines) < 3000, source  # the one-line report was split


def test_regions_of_the_seeds_that_name_one(seeds_run):
    docs = seed_docs(seeds_run)
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["docs"]
    for source, doc in docs.items():
        region = doc["region"]
        if source in gold and gold[source].get("region"):
            place = "".join(filter(None, (region["province"], region["city"], region["county"])))
            assert place == gold[source]["region"], (source, region)
            assert region["code"]
    # the county-level seed (it names its county only in passing and says 全县)
    county_level = [d for d in docs.values() if d["region"]["county"]]
    assert len(county_level) == 1 and county_level[0]["region"]["city"]
