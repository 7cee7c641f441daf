"""Section context and silver labels: what the titles and lead-ins above a unit say it is.

A unit under "存在的问题" (or after "产生上述问题的原因主要有：") takes that section's
label as a strong prior; units under a single-label section are the classifier's
SILVER training examples, together with the invented examples shipped in
``resources/silver_seed.jsonl``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources

from pipeline.tagging.inputs import TagInput
from pipeline.tagging.rules import (
    RE_TITLE_TRAIL,
    admits_problems,
    cue_counts,
    dated_title_label,
    leadin_label,
    pattern_label,
    section_labels,
)

RE_CLAUSE_SPLIT = re.compile(r"[，,]")
# A lead-in about the report itself frames the whole report, not the run after it:
# "现将调研中发现的问题和建议报告如下：" before 一、基本情况
RE_REPORTING = re.compile(r"报告|汇报")

# Statements that frame the units under them like a section title: a review ("一、…，新农村
#建设取得新成效") holds results, a plan's slogan ("三、…，全力推动…开好局、起好步") tasks.
FRAMING_PATTERN_LABELS = frozenset({"practice", "countermeasure"})
# The last clause of a lead-in that only announces a list: "…均滞后，主要表现在以下三个方面：".
RE_LIST_ANNOUNCE = re.compile(r"^(?:主要|具体|集中)?(?:表现在|表现为|体现在|有以下|有如下)")

# (outer label, inner label) where a section's label holds for a subsection titled with
# the inner one: under a plan's "主要目标任务", "（一）产业体系建设取得决定性进展" is a target.
CONTEXT_WINS_TABLE = frozenset({("countermeasure", "practice")})

# Report parts tend to follow this order; used only for invented seed examples.
SEED_POSITION_TABLE = {
    "background": 0.1,
    "practice": 0.3,
    "problem": 0.5,
    "cause": 0.6,
    "countermeasure": 0.8,
}


@lru_cache(maxsize=65536)
def context_labels(headline: str, year: int | None = None) -> tuple[str, ...]:
    """Labels a headline gives the units under it: a section title (one naming only a
    year's work is read against the report's ``year``), a lead-in, an admission of
    shortcomings ("我们也清醒认识到，…还存在一些不足"), or a review of what was done
    ("过去一年，我们…", "一、…，新农村建设取得新成效": the items under it are results)."""
    labels = section_labels(headline)
    if labels:
        return labels
    leadin = leadin_label(headline) or dated_title_label(headline, year)
    if leadin:
        return (leadin,)
    if admits_problems(headline):
        return ("problem",)
    by_pattern = pattern_label(headline)
    return (by_pattern,) if by_pattern in FRAMING_PATTERN_LABELS else ()


def nearest_section_labels(ancestor_headlines: Sequence[str]) -> tuple[str, ...]:
    """Labels of the nearest ancestor that is a section title or a lead-in, or ()."""
    for headline in reversed(ancestor_headlines):
        labels = context_labels(headline)
        if labels:
            return labels
    return ()


@lru_cache(maxsize=65536)
def leadin_sentence_labels(sentence: str) -> tuple[str, ...]:
    """Labels a lead-in sentence gives: as a title, by a lead-in phrase, an admission, a
    review of the year, or by its last clause as a title or lead-in ("…，其主要做法是：" →
    practice)."""
    if not sentence or RE_REPORTING.search(sentence):
        return ()
    labels = context_labels(sentence)
    if labels:
        return labels
    if pattern_label(sentence) == "practice":  # "过去一年，我们主要做了以下工作："
        return ("practice",)
    clauses = RE_CLAUSE_SPLIT.split(RE_TITLE_TRAIL.sub("", sentence))
    clause = clauses[-1]
    if len(clauses) > 1 and RE_LIST_ANNOUNCE.match(clause):
        # "全镇集体经济发展均滞后，主要表现在以下三个方面：": the list shows what came before
        # (place words such as 全县 are background cues: they say nothing of the list)
        counts = cue_counts("，".join(clauses[:-1]))
        others = max(count for label, count in counts.items()
                     if label not in ("problem", "background"))
        if counts["problem"] > others:
            return ("problem",)
    return context_labels(clause) if clause != sentence else ()  # "…，其主要做法是："


def context_chain(item: TagInput) -> list[tuple[str, bool]]:
    """(text, is_leadin) that frame a unit, outermost first: ancestor lead-ins and
    headlines interleaved, then the unit's own lead-in."""
    leadins = item.leadins or ("",) * (len(item.ancestor_headlines) + 1)
    chain: list[tuple[str, bool]] = []
    for leadin, headline in zip(leadins, item.ancestor_headlines, strict=False):
        chain += [(leadin, True), (headline, False)]
    chain.append((leadins[-1], True))
    return chain


def nearest_context_labels(item: TagInput) -> tuple[str, ...]:
    """Labels of the nearest section title or lead-in framing a unit, or (); an outer
    section's label where it wins over the nearest one (``CONTEXT_WINS_TABLE``)."""
    found: tuple[str, ...] = ()
    for text, is_leadin in reversed(context_chain(item)):
        labels = leadin_sentence_labels(text) if is_leadin else context_labels(text, item.year)
        if not labels:
            continue
        if found:  # the next framing section out: does it win?
            wins = len(labels) == 1 and (labels[0], found[0]) in CONTEXT_WINS_TABLE
            return labels if wins else found
        found = labels
        if len(found) > 1 or not any(inner == found[0] for _, inner in CONTEXT_WINS_TABLE):
            return found
    return found


def silver_examples(inputs: Sequence[TagInput]) -> list[tuple[TagInput, str]]:
    """Units under a single-label section title, labelled by it (section titles excluded)."""
    examples = []
    for item in inputs:
        if context_labels(item.headline, item.year):
            continue
        labels = nearest_context_labels(item)
        if len(labels) == 1:
            examples.append((item, labels[0]))
    return examples


def seed_examples(
    segment: Callable[[str], Sequence[str]] | None = None,
) -> list[tuple[TagInput, str]]:
    """The invented examples of ``resources/silver_seed.jsonl``, optionally segmented.

    They carry no section context; their position is the usual place of their
    label in a report (``SEED_POSITION_TABLE``), spread a little by line number.
    """
    raw = resources.files("pipeline.resources").joinpath("silver_seed.jsonl").read_text("utf-8")
    examples = []
    for index, line in enumerate(raw.splitlines()):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        record = json.loads(line)
        label = record["label"]
        spread = ((index * 7) % 11 - 5) / 50  # deterministic, within ±0.1
        item = TagInput(
            headline=record["headline"],
            marker=record.get("marker", ""),
            kind=record.get("kind", "heading"),
            level=int(record.get("level", 2)),
            own_text=record["headline"] + "。" + record.get("text", ""),
            ancestor_headlines=(),
            position=min(max(SEED_POSITION_TABLE.get(label, 0.5) + spread, 0.0), 1.0),
        )
        if segment is not None:
            item = replace(item, tokens=tuple(segment(item.own_text)))
        examples.append((item, label))
    return examples
