"""What the tagger is given: one ``TagInput`` per unit, built from the outline, and ``TagOptions``.

A unit's input holds its headline, marker, kind and level, its own text (without its
children's), the headlines of its ancestors, the lead-in sentences (ending in ：) that
introduce it and its ancestors, its position in the document and its words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from pipeline.records import UnitSpan
from pipeline.text.vocab import normalise_for_match

# Sentences and clauses of a lead-in: "…依然存在。一是…" / "同时，还存在一些不足："
RE_SENTENCE_SPLIT = re.compile(r"[。！？；!?;\n]")


@dataclass(frozen=True)
class TagInput:
    """What the tagger knows about one unit."""

    headline: str
    marker: str
    kind: str  # heading | enum | paragraph | part
    level: int
    own_text: str  # the unit's text without its children (may start with its headline)
    ancestor_headlines: tuple[str, ...]  # outermost first, parent last
    position: float  # relative start in the document, 0..1
    tokens: tuple[str, ...] = ()  # words of headline + own_text; empty → char bigrams
    # The sentence ending in ：that introduces the run of siblings this unit belongs to,
    # for each ancestor and then the unit itself (outermost first; "" where none):
    # "产生上述问题的原因主要有以下几个方面：一是…" / "其主要做法是：" before 一、…
    leadins: tuple[str, ...] = ()


@dataclass(frozen=True)
class TagOptions:
    """Tunables of the tagger (the ``[tag]`` section of diaoyan.toml)."""

    prior_weight: float = 2.0  # evidence a section title lends its label
    background_prior_weight: float = 0.8  # 现状/基本情况 sections often list results
    headline_weight: float = 1.5  # per log(1+count) of headline cues
    body_weight: float = 0.6  # per log(1+count) of own-text cues
    classifier_weight: float = 1.0  # per unit of classifier probability
    min_evidence: float = 0.9  # below this, a unit without section context is other
    early_position: float = 0.12  # units starting before this fraction lean background
    early_bonus: float = 0.8  # evidence added to background for early units
    dominant_cues: int = 3  # own-text cues of a label that make it "full of" them…
    dominance_bonus: float = 2.0  # …and lend it this much against its section's label
    min_examples: int = 20  # fewer silver examples → no classifier
    max_body_chars: int = 400  # own text looked at for cues and features
    regularization: float = 4.0  # LogisticRegression C
    random_state: int = 0
    retrain_growth: float = 0.25  # retrain when corpus silver changed by this share (0: always)
    max_silver: int = 20000  # cap on corpus silver units per fit (a stable hash picks them)


DEFAULT_TAG_OPTIONS = TagOptions()  # frozen, so one shared default is safe


def body_text(item: TagInput, max_chars: int) -> str:
    """Own text without the leading marker+headline, cut to ``max_chars``."""
    # normalise only what can be kept: a section's lead text can run to thousands of chars
    # (spaces and NFKC expansions make the 2× margin generous)
    keep = 2 * (len(item.marker) + len(item.headline) + max_chars)
    body = normalise_for_match(item.own_text[:keep])
    headline = normalise_for_match(item.headline)
    for prefix in (normalise_for_match(item.marker + item.headline), headline):
        if prefix and body.startswith(prefix):
            body = body[len(prefix) :]
            break
    return body[:max_chars]


def own_ranges(spans: Sequence[UnitSpan], index: int) -> list[tuple[int, int]]:
    """The character ranges of span ``index`` that none of its children cover."""
    span = spans[index]
    ranges, cursor = [], span.start
    children = sorted((s for s in spans if s.parent == index), key=lambda s: s.start)
    for child in children:
        ranges.append((cursor, max(child.start, cursor)))
        cursor = max(cursor, child.end)
    ranges.append((cursor, span.end))
    return [(start, end) for start, end in ranges if end > start]


def own_text_of(text: str, spans: Sequence[UnitSpan], index: int) -> str:
    """The text of span ``index`` with its children's ranges cut out."""
    return "".join(text[start:end] for start, end in own_ranges(spans, index))


def _leadin_sentence(gap: str) -> str:
    """The last sentence of ``gap`` when it introduces what follows (ends with ：)."""
    gap = gap.rstrip()
    if not gap.endswith(("：", ":")):
        return ""
    return RE_SENTENCE_SPLIT.split(gap)[-1].strip()


def run_leadins(text: str, spans: Sequence[UnitSpan]) -> list[str]:
    """For each span, the lead-in of its run of siblings (see ``TagInput.leadins``).

    A run is a sequence of siblings of one kind with only blank text between them;
    its lead-in is the text between the previous sibling (or the parent's start) and
    the run's first unit, when that text ends with a colon.
    """
    leadins = [""] * len(spans)
    children: dict[int | None, list[int]] = {}
    for index, span in enumerate(spans):
        children.setdefault(span.parent, []).append(index)
    for parent, indices in children.items():
        cursor = spans[parent].start if parent is not None else 0
        previous: UnitSpan | None = None
        previous_index = 0
        for index in indices:
            span = spans[index]
            gap = text[cursor : span.start] if cursor <= span.start else ""
            if previous is not None and previous.kind == span.kind and not gap.strip():
                leadins[index] = leadins[previous_index]
            else:
                leadins[index] = _leadin_sentence(gap)
            previous, previous_index, cursor = span, index, max(cursor, span.end)
    return leadins


def inputs_from_spans(
    text: str,
    spans: Sequence[UnitSpan],
    *,
    tokenize: Callable[[str], Sequence[str]] | None = None,
    words_in: Callable[[int, int], Sequence[str]] | None = None,
) -> list[TagInput]:
    """Build one ``TagInput`` per outline span.

    Tokens come from ``words_in(start, end)`` (already segmented words of a text range,
    as the tag stage reads them from the store) or else from ``tokenize`` (segments now).
    """
    inputs = []
    leadin_of = run_leadins(text, spans)
    for index, span in enumerate(spans):
        ancestors: list[str] = []
        leadins = [leadin_of[index]]
        parent = span.parent
        while parent is not None:
            ancestors.append(spans[parent].headline)
            leadins.append(leadin_of[parent])
            parent = spans[parent].parent
        item = TagInput(
            headline=span.headline,
            marker=span.marker,
            kind=span.kind,
            level=span.level,
            own_text=own_text_of(text, spans, index),
            ancestor_headlines=tuple(reversed(ancestors)),
            position=span.start / max(len(text), 1),
            leadins=tuple(reversed(leadins)),
        )
        if words_in is not None:
            words = [w for s, e in own_ranges(spans, index) for w in words_in(s, e)]
            item = replace(item, tokens=tuple(words))
        elif tokenize is not None:
            body = body_text(item, len(item.own_text))
            item = replace(item, tokens=(*tokenize(item.headline), *tokenize(body)))
        inputs.append(item)
    return inputs
