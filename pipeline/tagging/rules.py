"""Lexicon rules for the unit tagger: section titles and cue phrases.

Reads ``pipeline/resources/cues.toml`` once. Two questions are answered here:
which label a section TITLE names (``section_labels``), and how many cue phrases of
each label a piece of text holds (``cue_counts``: every occurrence of every cue phrase,
as spaCy's PhraseMatcher over characters counted them, plus whole-word cues over word
tokens when a segmenter supplied them).
Texts are compared in :func:`~pipeline.text.vocab.normalise_for_match` form.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pipeline.text.vocab import normalise_for_match

LABELS = ("problem", "cause", "countermeasure", "practice", "background")
OTHER = "other"

# The gap a "…" in a gapped cue may span, in characters ("存在…问题" → 存在一些差距和不足问题).
MAX_GAP_CHARS = 10

# Title labels whose term is cancelled by a lack word in the same part: "缺乏工作经验" is a
# problem, not a practice section.
LACK_CANCELS_TABLE = frozenset({"practice", "countermeasure", "background"})
LACK_WORDS_TABLE = ("缺乏", "缺少", "欠缺", "没有", "不够", "无")

# Words a connector character may sit inside ("参与", "和谐", "暨" never): no split there.
RE_CONNECTOR_IN_WORD = re.compile(r"(?<!参)(?!和谐|和美)")

# A lead-in phrase must sit this close to the start of a headline to open a list.
LEADIN_WINDOW = 12

# Trailing punctuation a title may carry: "二、存在的主要问题：".
RE_TITLE_TRAIL = re.compile(r"[。：:；;！!？?.\s]+$")
# Sentence punctuation inside a headline means it is an item, not a section title.
RE_SENTENCE_PUNCT = re.compile(r"[，,。；;！!？?]")
# A bracketed label a headline opens with names what it is: "【编者按】近年来…".
RE_LEADING_LABEL = re.compile(r"^[【〔\[]([^】〕\]]{1,10})[】〕\]]")
# A copula between two phrases makes a statement, not a title: "人才问题是…的关键问题"
# (but not 特别是/而是/还是/是否 …, nor a trailing "主要问题是").
RE_COPULA = re.compile(r"(?<=[^别其而不就还但或只正凡总于要若真算])是(?!否)(?=.)")
# Adverbs a remedy may open with before its verb: "有力有效防范化解重点领域风险".
RE_LEADING_ADVERBS = re.compile(r"^(?:有力|有效|坚决|全力|扎实|切实|全面|持续|深入|稳妥|积极|大力|"
                                r"更加|更好|不断|进一步|着力|统筹|协同|依法)+")
# A plan or review named only by its year: "三、2026年主要工作", "三、关于2026年工作".
RE_DATED_WORK = re.compile(
    r"^(?:关于)?(\d{4})年(?:的)?(?:政府)?(?:主要|重点)?工作(?:安排|任务|部署)?$")
# Bracketed asides do not change what a title names: "存在问题（调研发现）".
RE_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
# "1 2 0 名" / "37 期" / "7700 余人次": counted outputs, a sign of work already done.
RE_COUNTED = re.compile(r"\d[\d.,，]*\s*(?:余|多)?\s*(?:名|人次|批次|期|家|所|户|项|场|次)")

# A bracket a headline may open with: "【编者按】…".
RE_OPENING_BRACKET = re.compile(r"^[【〔\[]")
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
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    admissions: tuple[re.Pattern[str], ...]


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
        patterns={label: tuple(map(re.compile, regexes))
                  for label, regexes in data.get("patterns", {}).items()},
        admissions=tuple(map(re.compile, data.get("admissions", {}).get("problem", ()))),
    )


def _split_parts(title: str, connectors: tuple[str, ...]) -> list[str]:
    """Split a title on topic connectors: "存在问题及原因分析" → ["存在问题", "原因分析"]."""
    pattern = "|".join(re.escape(c) for c in sorted(connectors, key=len, reverse=True))
    if not pattern:
        return [title]
    # a connector inside a word joins nothing: "调查参与对象" is one topic
    pattern = f"{RE_CONNECTOR_IN_WORD.pattern}(?:{pattern})"
    return [part for part in re.split(pattern, title) if part]


@lru_cache(maxsize=1)
def _title_endings() -> dict[str, tuple[int, int, str]]:
    """Each term+tail a title part may end with → (-len(term), lexicon order, label)."""
    lexicon = load_lexicon()
    endings: dict[str, tuple[int, int, str]] = {}
    order = 0
    for label, terms in lexicon.section_terms.items():
        for term in terms:
            for tail in ("", *lexicon.tails):
                rank = (-len(term), order, label)
                endings[term + tail] = min(endings.get(term + tail, rank), rank)
                order += 1
    return endings


def _part_label(part: str, lexicon: Lexicon) -> str | None:
    """The label named by the term that ENDS a title part (longest term wins)."""
    endings = _title_endings()
    longest = max(map(len, endings))
    found = [endings[part[i:]] for i in range(max(len(part) - longest, 0), len(part))
             if part[i:] in endings]
    if not found:
        return None
    label = min(found)[2]
    if label in ("problem", "cause") and RE_LEADING_ADVERBS.sub("", part).startswith(
            lexicon.action_verbs):
        return None  # "补齐短板", "解决…问题": a remedy, not a problem section
    if label in LACK_CANCELS_TABLE and any(word in part for word in LACK_WORDS_TABLE):
        return None  # "缺乏工作经验": a shortcoming, not a practice section
    return label


def _title_of(headline: str) -> str:
    return RE_TITLE_TRAIL.sub("", RE_BRACKETED.sub("", normalise_for_match(headline)))


@lru_cache(maxsize=65536)  # headlines repeat: every unit asks about all its ancestors
def section_labels(headline: str) -> tuple[str, ...]:
    """All labels a section TITLE names, in order: "问题与对策" → (problem, countermeasure)."""
    lexicon = load_lexicon()
    title = _title_of(headline)
    label_first = RE_LEADING_LABEL.match(title)
    if label_first and section_labels(label_first.group(1)):
        return section_labels(label_first.group(1))  # "【编者按】近年来…"
    if not title or len(title) > lexicon.max_title_chars or RE_SENTENCE_PUNCT.search(title):
        return ()
    if RE_COPULA.search(title):
        return ()
    labels: list[str] = []
    for part in _split_parts(title, lexicon.connectors):
        label = _part_label(part, lexicon)
        if label and label not in labels:
            labels.append(label)
    return tuple(labels)


def dated_title_label(headline: str, year: int | None) -> str | None:
    """A title naming only a year's work, read against the report's year: "2026年主要工作" in
    a report of 2026 is its plan (countermeasure), "2025年工作" its review (practice)."""
    match = RE_DATED_WORK.match(_title_of(headline)) if year else None
    if not match:
        return None
    return "countermeasure" if int(match.group(1)) >= year else "practice"


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
    head = RE_OPENING_BRACKET.sub("", normalise_for_match(headline))
    if head.startswith(lexicon.opener_exceptions):
        return None
    for label, words in lexicon.openers.items():
        if head.startswith(words):
            return label
    return None


@lru_cache(maxsize=65536)
def pattern_label(headline: str) -> str | None:
    """The label a headline's own statement names whatever its section ("2025年是…收官之年"
    → background; "过去一年，我们…" → practice), or None."""
    head = normalise_for_match(headline)
    for label, patterns in load_lexicon().patterns.items():
        if any(pattern.search(head) for pattern in patterns):
            return label
    return None


@lru_cache(maxsize=65536)
def admits_problems(text: str) -> bool:
    """True when a sentence owns up to shortcomings: "我们也清醒认识到，…仍存在一些不足"."""
    text = normalise_for_match(text)
    return any(pattern.search(text) for pattern in load_lexicon().admissions)


@dataclass(frozen=True)
class _Matchers:
    phrases: dict[str, tuple[tuple[str, str], ...]]  # first char → (phrase, label) pairs
    gapped: dict[str, re.Pattern[str]]  # label → where any of its gapped cues starts
    words: dict[str, tuple[str, ...]]  # whole-word cue → its labels


def _gapped_regex(cues: tuple[str, ...]) -> re.Pattern[str] | None:
    """One zero-width regex that matches at every position where one of ``cues`` starts
    ("存在…问题" → 存在, up to MAX_GAP_CHARS of anything, 问题): each start counts once."""
    gap = f".{{0,{MAX_GAP_CHARS}}}?"
    alternatives = [gap.join(map(re.escape, cue.split("…"))) for cue in cues if "…" in cue]
    if not alternatives:
        return None
    return re.compile(f"(?=(?:{'|'.join(alternatives)}))", re.DOTALL)


@lru_cache(maxsize=1)
def _matchers() -> _Matchers:
    lexicon = load_lexicon()
    phrases: dict[str, list[tuple[str, str]]] = {}
    words: dict[str, list[str]] = {}
    gapped: dict[str, re.Pattern[str]] = {}
    for label in LABELS:
        # a cue listed twice under one label counts once (as one PhraseMatcher key did)
        for phrase in dict.fromkeys(p for p in lexicon.phrases[label] if p):
            phrases.setdefault(phrase[0], []).append((phrase, label))
        for word in dict.fromkeys(lexicon.words[label]):
            words.setdefault(word, []).append(label)
        regex = _gapped_regex(lexicon.gapped[label])
        if regex is not None:
            gapped[label] = regex
    return _Matchers({c: tuple(p) for c, p in phrases.items()}, gapped,
                     {w: tuple(labels) for w, labels in words.items()})


@lru_cache(maxsize=65536)  # features and decisions both ask, for every unit
def cue_counts(text: str, words: tuple[str, ...] = ()) -> dict[str, int]:
    """Count cue matches per label in ``text`` (and whole-word cues among ``words``).

    Every occurrence of every phrase counts, overlapping ones and phrases that start at
    the same character too; phrases are found by their first character, which is faster
    than building a spaCy Doc of the characters for a PhraseMatcher (same counts).
    """
    counts = dict.fromkeys(LABELS, 0)
    text = normalise_for_match(text)
    if not text and not words:
        return counts
    matchers = _matchers()
    if text:
        starting = matchers.phrases.get
        for index, char in enumerate(text):
            for phrase, label in starting(char, ()):
                if text.startswith(phrase, index):
                    counts[label] += 1
        for label, regex in matchers.gapped.items():
            counts[label] += sum(1 for _ in regex.finditer(text))
        counts["practice"] += len(RE_COUNTED.findall(text))
    for word in words:
        for label in matchers.words.get(word, ()):
            counts[label] += 1
    return counts


@lru_cache(maxsize=65536)  # features, evidence and body cues all split the same unit
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
