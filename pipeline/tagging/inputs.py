"""What the tagger is given: one ``TagInput`` per unit, built from the outline, and ``TagOptions``.

A unit's input holds its headline, marker, kind and level, its own text (without its
children's), the headlines of its ancestors, the lead-in sentences (ending in ：) that
introduce it and its ancestors, its position in the document and its words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from pipeline.records import UnitSpan
from pipeline.tagging.rules import admits_problems, leadin_label, pattern_label
from pipeline.text.vocab import CN_NUM, cn_to_int, normalise_for_match

# Sentences and clauses of a lead-in: "…依然存在。一是…" / "同时，还存在一些不足："
RE_SENTENCE_SPLIT = re.compile(r"[。！？；!?;\n]")
# Kinds of a body-paragraph unit (the outline's "para"; "paragraph" in older stores).
PARAGRAPH_KINDS = frozenset({"para", "paragraph"})
# A lead-in this short says only that a list follows ("主要是：", "具体表现为：").
BARE_LEADIN_CHARS = 6
# What may stand between two units of one run: "有效需求不足，重大项目储备不够；…"
RUN_GAP_CHARS = " \t\r\n\u3000，,；;、。"
# A heading marker's numbering style and number: "二、" / "（三）" / "4." / "(5)".
RE_HEADING_NUMBER = re.compile(rf"^\s*([（(]?)([{CN_NUM}]{{1,3}}|\d{{1,2}})([）)]|[、.．])")
# Rank of each numbering style in the usual outline (一、 above （一） above 1. above （1）);
# keyed by (opening bracket?, Chinese numeral?).
HEADING_RANK_TABLE = {(False, True): 0, (True, True): 1, (False, False): 2, (True, False): 3}


@dataclass(frozen=True)
class TagInput:
    """What the tagger knows about one unit."""

    headline: str
    marker: str
    kind: str  # heading | enum | para (a body paragraph) | clause (one of its listed items) | part
    level: int
    own_text: str  # the unit's text without its children (may start with its headline)
    # The headings that frame the unit, outermost first, parent last: its ancestors, except
    # that a run of headings whose numbering restarts under one parent is framed by the
    # higher-ranked heading just before it ("二、…目标任务" nested by mistake as the last
    # child of "（十）…"), or by its grandparent when there is none (see ``restart_frames``).
    ancestor_headlines: tuple[str, ...]
    position: float  # relative start in the document, 0..1
    tokens: tuple[str, ...] = ()  # words of headline + own_text; empty → char bigrams
    # The sentence ending in ：that introduces the run of siblings this unit belongs to,
    # for each ancestor and then the unit itself (outermost first; "" where none):
    # "产生上述问题的原因主要有以下几个方面：一是…" / "其主要做法是：" before 一、…
    leadins: tuple[str, ...] = ()
    year: int | None = None  # the report's year: "2026年主要工作" in a report of 2026 is its plan


@dataclass(frozen=True)
class TagOptions:
    """Tunables of the tagger (the ``[tag]`` section of diaoyan.toml)."""

    prior_weight: float = 2.0  # evidence a section title lends its label
    background_prior_weight: float = 2.0  # 现状/基本情况: its results and figures stay background
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
    chunk_units: int = 50000  # units held at once as tagger inputs (memory; not in work keys)


DEFAULT_TAG_OPTIONS = TagOptions()  # frozen, so one shared default is safe


def body_text(item: TagInput, max_chars: int) -> str:
    """Own text without the leading marker+headline, cut to ``max_chars``."""
    return _body_text(item.own_text, item.marker, item.headline, max_chars)


@lru_cache(maxsize=65536)  # features, evidence and body cues all ask for the same unit
def _body_text(own_text: str, marker: str, headline: str, max_chars: int) -> str:
    # normalise only what can be kept: a section's lead text can run to thousands of chars
    # (spaces and NFKC expansions make the 2× margin generous)
    keep = 2 * (len(marker) + len(headline) + max_chars)
    body = normalise_for_match(own_text[:keep])
    for prefix in (normalise_for_match(marker + headline), normalise_for_match(headline)):
        if prefix and body.startswith(prefix):
            body = body[len(prefix) :]
            break
    return body[:max_chars]


def own_ranges(spans: Sequence[UnitSpan], index: int) -> list[tuple[int, int]]:
    """The character ranges of span ``index`` that none of its children cover."""
    return _uncovered(spans[index], [s for s in spans if s.parent == index])


def all_own_ranges(spans: Sequence[UnitSpan]) -> list[list[tuple[int, int]]]:
    """``own_ranges`` of every span, in order (children found in one pass, not one per span)."""
    children: list[list[UnitSpan]] = [[] for _ in spans]
    for span in spans:
        if span.parent is not None and 0 <= span.parent < len(spans):
            children[span.parent].append(span)
    return [_uncovered(span, kids) for span, kids in zip(spans, children, strict=True)]


def _uncovered(span: UnitSpan, children: list[UnitSpan]) -> list[tuple[int, int]]:
    ranges, cursor = [], span.start
    for child in sorted(children, key=lambda s: s.start):
        ranges.append((cursor, max(child.start, cursor)))
        cursor = max(cursor, child.end)
    ranges.append((cursor, span.end))
    return [(start, end) for start, end in ranges if end > start]


def own_text_of(text: str, spans: Sequence[UnitSpan], index: int) -> str:
    """The text of span ``index`` with its children's ranges cut out."""
    return _text_of(text, own_ranges(spans, index))


def _text_of(text: str, ranges: list[tuple[int, int]]) -> str:
    return "".join(text[start:end] for start, end in ranges)


def _leadin_sentence(gap: str) -> str:
    """The last sentence of ``gap`` when it introduces what follows: it ends with ： (with
    the sentence before it when it is bare: "…仍存在一些不足。主要是："), or it owns up to
    shortcomings ("…我们清醒认识到，一些问题矛盾亟待破解。" before the list)."""
    gap = gap.rstrip()
    if gap.endswith(("：", ":")):
        sentences = RE_SENTENCE_SPLIT.split(gap)
        last = sentences[-1].strip()
        if len(last) <= BARE_LEADIN_CHARS and len(sentences) > 1:  # "…一些不足。主要是："
            return sentences[-2].strip() + "，" + last
        return last
    last = RE_SENTENCE_SPLIT.split(gap.rstrip("。！？；!?;"))[-1].strip()
    return last if last and admits_problems(last) else ""


def _is_dash_line(span: UnitSpan) -> bool:
    return normalise_for_match(span.marker + span.headline).startswith(("——", "--"))


def _frames_dash_lines(span: UnitSpan) -> bool:
    """A paragraph that opens a list: a lead-in phrase ("审计结果表明，…"), a review of the
    year ("2020年以来，县审计局…坚持…") or an admission of shortcomings, before ——… lines."""
    return bool(leadin_label(span.headline) or pattern_label(span.headline) == "practice"
                or admits_problems(span.headline))


def run_leadins(text: str, spans: Sequence[UnitSpan]) -> list[str]:
    """For each span, the lead-in of its run of siblings (see ``TagInput.leadins``).

    A run is a sequence of siblings of one kind with only blank text between them;
    its lead-in is the last sentence of the text between the previous sibling (or the
    parent's start) and the run's first unit, or of the previous sibling when that is a
    paragraph unit right before it, when it ends with a colon or admits shortcomings; a
    run of ——… lines after a paragraph that opens with a lead-in phrase ("审计结果表明，…")
    takes that paragraph's headline.
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
            if (previous is not None and not gap.strip() and _is_dash_line(span)
                    and not _is_dash_line(previous) and _frames_dash_lines(previous)):
                leadins[index] = previous.headline  # ——… lines go on what it opened
            elif (previous is not None and previous.kind == span.kind
                  and not gap.strip(RUN_GAP_CHARS)):
                leadins[index] = leadins[previous_index]
            elif previous is not None and previous.kind in PARAGRAPH_KINDS and not gap.strip():
                # a paragraph unit may hold the lead-in: "近年来，…其主要做法是：" before 一、
                leadins[index] = _leadin_sentence(text[previous.start : previous.end])
            else:
                leadins[index] = _leadin_sentence(gap)
            previous, previous_index, cursor = span, index, max(cursor, span.end)
    return leadins


def heading_number(marker: str) -> tuple[int, int] | None:
    """(rank of the numbering style, number) of a heading marker: "（三）" → (1, 3)."""
    match = RE_HEADING_NUMBER.match(marker)
    if not match:
        return None
    number = cn_to_int(match.group(2))
    if number is None:
        return None
    rank = HEADING_RANK_TABLE[(bool(match.group(1)), not match.group(2).isdigit())]
    return rank, number


def restart_frames(spans: Sequence[UnitSpan]) -> dict[int, int | None]:
    """Headings whose numbering restarts under their parent, mapped to what frames them.

    "一、工作回顾" holding （一）…（十）, then （一）…（八） again means the outline missed or
    misplaced the heading of a second section: the parent's title does not frame the
    restarted run. It is framed by the last heading of a higher-ranked numbering style
    that precedes it under the same parent (the misplaced "二、…"), else by nothing
    below the grandparent (None). Enumerations ("一是…") restart in every paragraph and
    are left alone.
    """
    frames: dict[int, int | None] = {}
    children: dict[int | None, list[int]] = {}
    for index, span in enumerate(spans):
        children.setdefault(span.parent, []).append(index)
    for parent, indices in children.items():
        if parent is None:
            continue
        last_number: dict[int, int] = {}
        frame: int | None = None
        restarted: dict[int, bool] = {}
        for index in indices:
            number = heading_number(spans[index].marker) if spans[index].kind == "heading" else None
            if number is None:
                continue
            rank, value = number
            if value <= last_number.get(rank, 0):
                restarted[rank] = True
                frame = _higher_heading_before(spans, parent, spans[index].start, rank)
            last_number[rank] = value
            if restarted.get(rank):
                frames[index] = frame
    return frames


def _higher_heading_before(spans: Sequence[UnitSpan], parent: int, start: int,
                           rank: int) -> int | None:
    """The last heading under ``parent`` before ``start`` numbered in a style above ``rank``."""
    found = None
    for index, span in enumerate(spans):
        if span.start >= start:
            break
        number = heading_number(span.marker) if span.kind == "heading" else None
        if number and number[0] < rank and _descends_from(spans, index, parent):
            found = index
    return found


def _descends_from(spans: Sequence[UnitSpan], index: int, ancestor: int) -> bool:
    parent = spans[index].parent
    while parent is not None:
        if parent == ancestor:
            return True
        parent = spans[parent].parent
    return False


def framing_chain(spans: Sequence[UnitSpan], index: int,
                  frames: dict[int, int | None]) -> list[int]:
    """Indices of the headings that frame span ``index``, parent first (see ``TagInput``)."""
    chain: list[int] = []
    current = index
    while True:
        parent = spans[current].parent
        if parent is None:
            return chain
        if current in frames:  # a restarted run: skip the parent, maybe add its real title
            frame = frames[current]
            if frame is not None:
                chain.append(frame)
            current = parent
            continue
        chain.append(parent)
        current = parent


def inputs_from_spans(
    text: str,
    spans: Sequence[UnitSpan],
    *,
    tokenize: Callable[[str], Sequence[str]] | None = None,
    words_in: Callable[[int, int], Sequence[str]] | None = None,
    year: int | None = None,
) -> list[TagInput]:
    """Build one ``TagInput`` per outline span.

    Tokens come from ``words_in(start, end)`` (already segmented words of a text range,
    as the tag stage reads them from the store) or else from ``tokenize`` (segments now).
    """
    inputs = []
    leadin_of = run_leadins(text, spans)
    frames = restart_frames(spans)
    ranges_of = all_own_ranges(spans)
    for index, span in enumerate(spans):
        chain = framing_chain(spans, index, frames)
        ancestors = [spans[framing].headline for framing in chain]
        leadins = [leadin_of[index]] + [leadin_of[framing] for framing in chain]
        item = TagInput(
            headline=span.headline,
            marker=span.marker,
            kind=span.kind,
            level=span.level,
            own_text=_text_of(text, ranges_of[index]),
            ancestor_headlines=tuple(reversed(ancestors)),
            position=span.start / max(len(text), 1),
            leadins=tuple(reversed(leadins)),
            year=year,
        )
        if words_in is not None:
            words = [w for s, e in ranges_of[index] for w in words_in(s, e)]
            item = replace(item, tokens=tuple(words))
        elif tokenize is not None:
            body = body_text(item, len(item.own_text))
            item = replace(item, tokens=(*tokenize(item.headline), *tokenize(body)))
        inputs.append(item)
    return inputs
