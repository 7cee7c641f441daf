"""Lexicon rules for the unit tagger: section titles and cue phrases.

Reads ``pipeline/resources/cues.toml`` once. Two questions are answered here:
which label a section TITLE names (``section_labels``), and how many cue phrases of
each label a piece of text holds (``cue_counts``, spaCy PhraseMatcher/Matcher over
characters, plus whole-word cues over word tokens when a segmenter supplied them).
Texts are compared in :func:`~pipeline.text.vocab.normalise_for_match` form.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.text.vocab import normalise_for_match

LABELS = ("problem", "cause", "countermeasure", "practice", "background")
OTHER = "other"

# The gap a "…" in a gapped cue may span, in characters ("存在…问题" → 存在一些差距和不足问题).
MAX_GAP_CHARS = 10

# Title labels whose term is cancelled by a lack word in the same part: "缺乏工作经验" is a
# problem, not a practice section.
LACK_CANCELS_TABLE = frozenset({"practice", "countermeasure", "background"})
LACK_WORDS_TABLE = ("缺乏", "缺少", "欠缺", "没有", "不够", "无")

# A lead-in phrase must sit this close to the start of a headline to open a list.
LEADIN_WINDOW = 12

# Trailing punctuation a title may carry: "二、存在的主要问题：".
RE_TITLE_TRAIL = re.compile(r"[。：:；;！!？?.\s]+$")
# Sentence punctuation inside a headline means it is an item, not a section title.
RE_SENTENCE_PUNCT = re.compile(r"[，,。；;！!？?]")
# Bracketed asides do not change what a title names: "存在问题（调研发现）".
RE_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
# "1 2 0 名" / "37 期" / "7700 余人次": counted outputs, a sign of work already done.
RE_COUNTED = re.compile(r"\d[\d.,，]*\s*(?:余|多)?\s*(?:名|人次|批次|期|家|所|户|项|场|次)")

# The number and punctuation of a word marker: "短板一：" → "短板".
RE_MARKER_NUMBER = re.compile(r"[\d一二三四五六七八九十]+[：:、.．]*$")


@dataclass(frozen=True)
class Lexicon:
    """The parsed cue lexicon."""

    section_terms: dict[str, tuple[str, ...]]
    tails: tuple[str, ...]
    connectors: tuple[str, ...]
    action_verbs: tuple[str, ...]
    max_title_chars: int
    phrases: dict[str, tuple[str, ...]]
    gapped: dict[str, tuple[str, ...]]
    words: dict[str, tuple[str, ...]]
    marker_verbs: dict[str, tuple[str, ...]]
    leadins: dict[str, tuple[str, ...]]
    openers: dict[str, tuple[str, ...]]
    opener_exceptions: tuple[str, ...]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load ``cues.toml`` from the package resources (cached)."""
    raw = resources.files("pipeline.resources").joinpath("cues.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    sections = data["sections"]
    cues = data["cues"]
    return Lexicon(
        section_terms={label: tuple(sections.get(label, ())) for label in LABELS},
        tails=tuple(sections.get("tails", ())),
        connectors=tuple(sections.get("connectors", ())),
        action_verbs=tuple(sections.get("action_verbs", ())),
        max_title_chars=int(sections.get("max_title_chars", 24)),
        phrases={label: tuple(cues.get(label, {}).get("phrases", ())) for label in LABELS},
        gapped={label: tuple(cues.get(label, {}).get("gapped", ())) for label in LABELS},
        words={label: tuple(cues.get(label, {}).get("words", ())) for label in LABELS},
        marker_verbs={k: tuple(v) for k, v in data.get("markers", {}).items()},
        leadins={k: tuple(v) for k, v in data.get("leadins", {}).items()},
        openers={k: tuple(v) for k, v in data.get("openers", {}).items() if k != "exceptions"},
        opener_exceptions=tuple(data.get("openers", {}).get("exceptions", ())),
    )


def _split_parts(title: str, connectors: tuple[str, ...]) -> list[str]:
    """Split a title on topic connectors: "存在问题及原因分析" → ["存在问题", "原因分析"]."""
    pattern = "|".join(re.escape(c) for c in sorted(connectors, key=len, reverse=True))
    return [part for part in re.split(pattern, title) if part] if pattern else [title]


def _part_label(part: str, lexicon: Lexicon) -> str | None:
    """The label named by the term that ENDS a title part (longest term wins)."""
    best: tuple[int, str] | None = None
    for label, terms in lexicon.section_terms.items():
        for term in terms:
            for tail in ("", *lexicon.tails):
                if part.endswith(term + tail) and (best is None or len(term) > best[0]):
                    best = (len(term), label)
    if best is None:
        return None
    label = best[1]
    if label in ("problem", "cause") and part.startswith(lexicon.action_verbs):
        return None  # "补齐短板", "解决…问题": a remedy, not a problem section
    if label in LACK_CANCELS_TABLE and any(word in part for word in LACK_WORDS_TABLE):
        return None  # "缺乏工作经验": a shortcoming, not a practice section
    return label


@lru_cache(maxsize=65536)  # headlines repeat: every unit asks about all its ancestors
def section_labels(headline: str) -> tuple[str, ...]:
    """All labels a section TITLE names, in order: "问题与对策" → (problem, countermeasure)."""
    lexicon = load_lexicon()
    title = RE_TITLE_TRAIL.sub("", RE_BRACKETED.sub("", normalise_for_match(headline)))
    if not title or len(title) > lexicon.max_title_chars or RE_SENTENCE_PUNCT.search(title):
        return ()
    labels: list[str] = []
    for part in _split_parts(title, lexicon.connectors):
        label = _part_label(part, lexicon)
        if label and label not in labels:
            labels.append(label)
    return tuple(labels)


def leadin_label(headline: str) -> str | None:
    """Label of a list a headline opens: "究其原因，主要有…" → cause."""
    head = normalise_for_match(headline)[:LEADIN_WINDOW]
    for label, phrases in load_lexicon().leadins.items():
        if any(phrase in head for phrase in phrases):
            return label
    return None


def section_label(headline: str) -> str | None:
    """The label a section TITLE implies, or None; the first one for combined titles."""
    labels = section_labels(headline)
    return labels[0] if labels else None


def marker_label(marker: str) -> str | None:
    """Label implied by a marker: its verb ("一要"/"二应" → countermeasure) or its
    section word ("短板一：" → problem, "建议二、" → countermeasure)."""
    marker = normalise_for_match(marker)
    for label, verbs in load_lexicon().marker_verbs.items():
        if marker and marker.endswith(verbs):
            return label
    word = RE_MARKER_NUMBER.sub("", marker)
    return section_label(word) if len(word) >= 2 else None


def opener_label(headline: str) -> str | None:
    """Label implied by the word a headline opens with: "要完善…"/"建议设立…" → countermeasure."""
    lexicon = load_lexicon()
    head = normalise_for_match(headline)
    if head.startswith(lexicon.opener_exceptions):
        return None
    for label, words in lexicon.openers.items():
        if head.startswith(words):
            return label
    return None


@dataclass(frozen=True)
class _Matchers:
    vocab: Vocab
    phrases: PhraseMatcher
    gapped: Matcher
    words: PhraseMatcher


def _char_pattern(vocab: Vocab, phrase: str) -> Doc:
    return Doc(vocab, words=list(phrase))


def _gapped_pattern(cue: str) -> list[dict]:
    pieces = [piece for piece in cue.split("…")]
    pattern: list[dict] = []
    for index, piece in enumerate(pieces):
        if index:
            pattern.append({"OP": f"{{0,{MAX_GAP_CHARS}}}"})
        pattern.extend({"ORTH": char} for char in piece)
    return pattern


@lru_cache(maxsize=1)
def _matchers() -> _Matchers:
    lexicon = load_lexicon()
    vocab = Vocab()
    phrases, words, gapped = PhraseMatcher(vocab), PhraseMatcher(vocab), Matcher(vocab)
    for label in LABELS:
        phrases.add(label, [_char_pattern(vocab, p) for p in lexicon.phrases[label]])
        words.add(label, [Doc(vocab, words=[w]) for w in lexicon.words[label]])
        patterns = [_gapped_pattern(cue) for cue in lexicon.gapped[label] if "…" in cue]
        if patterns:
            gapped.add(label, patterns)
    return _Matchers(vocab, phrases, gapped, words)


@lru_cache(maxsize=65536)  # features and decisions both ask, for every unit
def cue_counts(text: str, words: tuple[str, ...] = ()) -> dict[str, int]:
    """Count cue matches per label in ``text`` (and whole-word cues among ``words``)."""
    counts = dict.fromkeys(LABELS, 0)
    text = normalise_for_match(text)
    if not text and not words:
        return counts
    matchers = _matchers()
    strings = matchers.vocab.strings
    if text:
        chars = Doc(matchers.vocab, words=list(text))
        for match_id, _start, _end in matchers.phrases(chars):
            counts[strings[match_id]] += 1
        # The Matcher yields one match per (pattern, start) with gaps; count starts once.
        seen: set[tuple[int, int]] = set()
        for match_id, start, _end in matchers.gapped(chars):
            if (match_id, start) not in seen:
                seen.add((match_id, start))
                counts[strings[match_id]] += 1
        counts["practice"] += len(RE_COUNTED.findall(text))
    if words:
        for match_id, _start, _end in matchers.words(Doc(matchers.vocab, words=list(words))):
            counts[strings[match_id]] += 1
    return counts


def split_tokens(headline: str, tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split tokens of headline+text into (headline tokens, the rest) by character count."""
    head = normalise_for_match(headline)
    if not head or not tokens:
        return (), tuple(tokens)
    joined = ""
    for index, token in enumerate(tokens):
        joined += normalise_for_match(token)  # NFKC works piecewise here: tokens split no sequences
        if len(joined) >= len(head):
            if joined.startswith(head):
                return tuple(tokens[: index + 1]), tuple(tokens[index + 1 :])
            break
    return (), tuple(tokens)
