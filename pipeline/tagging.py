"""Tag units as problem / cause / countermeasure / practice / background / other.

Plain inputs in, labels out: the tag stage builds one ``TagInput`` per unit (from
the outline and the segmenter), trains a ``Classifier`` on SILVER labels (units
under a section whose title names a label, see ``silver_examples``, plus the
invented examples in ``resources/silver_seed.jsonl``) and calls ``label_units``.

Decision order in ``label_units`` (first that applies):
1. the unit's own headline is a section title ("存在的问题") → that label; a
   section heading gets the label of the section it opens;
2. the nearest ancestor that is a section title gives a strong prior; cues of the
   unit's headline (weighted up) and text, plus the classifier, may move it only
   along ``OVERRIDE_TABLE`` (a problem section can hold a cause item, a practice
   section can end with problems; a countermeasure item naming a problem stays);
3. no section context → cues + classifier; weak evidence early in the document
   → background, otherwise → other.
"""

from __future__ import annotations

import json
import math
import pickle
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

from pipeline.records import UnitSpan
from pipeline.tagging_rules import (
    LABELS,
    OTHER,
    RE_TITLE_TRAIL,
    cue_counts,
    leadin_label,
    marker_label,
    normalize,
    opener_label,
    section_label,
    section_labels,
    split_tokens,
)

__all__ = [
    "LABELS",
    "OTHER",
    "Classifier",
    "TagInput",
    "TagOptions",
    "inputs_from_spans",
    "label_units",
    "seed_examples",
    "section_label",
    "section_labels",
    "silver_examples",
    "train_classifier",
]

# Bump when labels for the same inputs can change (rules, lexicon or features).
TAGGER_VERSION = "tagger.v2"

# Sentences and clauses of a lead-in: "…依然存在。一是…" / "同时，还存在一些不足："
RE_SENTENCE_SPLIT = re.compile(r"[。！？；!?;\n]")
RE_CLAUSE_SPLIT = re.compile(r"[，,]")
# A lead-in about the report itself frames the whole report, not the run after it:
# "现将调研中发现的问题和建议报告如下：" before 一、基本情况
RE_REPORTING = re.compile(r"报告|汇报")

# Which labels a unit may move to from its section's label, given enough cue evidence.
OVERRIDE_TABLE: dict[str, tuple[str, ...]] = {
    "problem": ("cause",),  # "（二）原因分析" or 由于/导致 items inside a problem section
    "practice": ("problem",),  # a 做法 section that ends with what is still lacking
    "background": ("problem", "practice", "cause"),  # 基本情况 mixes results and gaps
    "cause": (),
    "countermeasure": (),  # "鉴于…等问题，建议…" is still a countermeasure
}

# Report parts tend to follow this order; used only for invented seed examples.
SEED_POSITION_TABLE = {
    "background": 0.1,
    "practice": 0.3,
    "problem": 0.5,
    "cause": 0.6,
    "countermeasure": 0.8,
}


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


# ---------------------------------------------------------------- cue evidence


def _body_text(item: TagInput, max_chars: int) -> str:
    """Own text without the leading marker+headline, cut to ``max_chars``."""
    # normalise only what can be kept: a section's lead text can run to thousands of chars
    # (spaces and NFKC expansions make the 2× margin generous)
    keep = 2 * (len(item.marker) + len(item.headline) + max_chars)
    body = normalize(item.own_text[:keep])
    for prefix in (normalize(item.marker + item.headline), normalize(item.headline)):
        if prefix and body.startswith(prefix):
            body = body[len(prefix) :]
            break
    return body[:max_chars]


def body_cue_counts(item: TagInput, max_chars: int) -> dict[str, int]:
    """Cue counts of the unit's own text after its headline."""
    _head_tokens, body_tokens = split_tokens(item.headline, item.tokens)
    return cue_counts(_body_text(item, max_chars), body_tokens)


def cue_evidence(item: TagInput, options: TagOptions) -> dict[str, float]:
    """Weighted cue evidence per label from marker, headline and own text."""
    head_tokens, _body_tokens = split_tokens(item.headline, item.tokens)
    head = cue_counts(normalize(item.headline), head_tokens)
    body = body_cue_counts(item, options.max_body_chars)
    evidence = {
        label: options.headline_weight * math.log1p(head[label])
        + options.body_weight * math.log1p(body[label])
        for label in LABELS
    }
    by_marker = marker_label(item.marker)
    if by_marker:
        evidence[by_marker] += options.headline_weight
    by_opener = opener_label(item.headline)
    if by_opener and by_opener != by_marker:
        # "1．要…" says what "一要…" says, and outweighs the figures it sets as targets
        # ("要实施培训计划，每年培训500人次以上" is a proposal, not a result)
        evidence[by_opener] += 2 * options.headline_weight
    return evidence


# ---------------------------------------------------------------- classifier features


def _char_bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(max(len(text) - 1, 0))]


def _headline_texts(items: Sequence[TagInput]) -> list[str]:
    return [normalize(item.marker + item.headline) for item in items]


@lru_cache(maxsize=1 << 17)  # words repeat across units: normalise each form once
def _normal_word(token: str) -> str:
    return normalize(token)


def _word_lists(items: Sequence[TagInput]) -> list[list[str]]:
    lists = []
    for item in items:
        words = [w for w in map(_normal_word, item.tokens[:400]) if w]
        if not words:
            words = _char_bigrams(normalize(item.headline) + "|" + _body_text(item, 400))
        lists.append(words[:300])
    return lists


def _dense_features(items: Sequence[TagInput]) -> np.ndarray:
    rows = []
    for item in items:
        head_tokens, body_tokens = split_tokens(item.headline, item.tokens)
        head = cue_counts(normalize(item.headline), head_tokens)
        body = cue_counts(_body_text(item, 400), body_tokens)
        by_marker = marker_label(item.marker)
        row = [math.log1p(head[label]) for label in LABELS]
        row += [math.log1p(body[label]) / 2 for label in LABELS]
        row += [float(by_marker == "countermeasure"), item.position, float(item.kind == "enum")]
        rows.append(row)
    return np.asarray(rows, dtype=float)


def _identity(words: list[str]) -> list[str]:
    return words


def _make_pipeline(options: TagOptions) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "headline_chars",
                Pipeline(
                    [
                        ("select", FunctionTransformer(_headline_texts)),
                        (
                            "tfidf",
                            TfidfVectorizer(
                                analyzer="char", ngram_range=(1, 3), sublinear_tf=True
                            ),
                        ),
                    ]
                ),
            ),
            (
                "words",
                Pipeline(
                    [
                        ("select", FunctionTransformer(_word_lists)),
                        (
                            "tfidf",
                            TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2),
                        ),
                    ]
                ),
            ),
            ("cues", FunctionTransformer(_dense_features)),
        ]
    )
    model = LogisticRegression(
        C=options.regularization,
        class_weight="balanced",
        max_iter=2000,
        random_state=options.random_state,
    )
    return Pipeline([("features", features), ("model", model)])


@dataclass
class Classifier:
    """A trained label classifier over ``TagInput``s."""

    pipeline: Pipeline
    labels: tuple[str, ...]
    n_examples: int

    def predict_proba(self, inputs: Sequence[TagInput]) -> list[dict[str, float]]:
        """Probability of each known label for each input."""
        if not inputs:
            return []
        with threadpool_limits(1):
            probabilities = self.pipeline.predict_proba(list(inputs))
        return [dict(zip(self.labels, map(float, row), strict=True)) for row in probabilities]

    def to_bytes(self) -> bytes:
        """Serialise for the store (compressed pickle of the sklearn pipeline)."""
        return zlib.compress(pickle.dumps((TAGGER_VERSION, self)))

    @classmethod
    def from_bytes(cls, data: bytes) -> Classifier:
        """Load what ``to_bytes`` wrote (only trusted, self-written bytes)."""
        version, classifier = pickle.loads(zlib.decompress(data))  # noqa: S301
        if version != TAGGER_VERSION:
            raise ValueError(f"classifier from {version}, expected {TAGGER_VERSION}")
        return classifier


def train_classifier(
    examples: Sequence[tuple[TagInput, str]], options: TagOptions = TagOptions()
) -> Classifier | None:
    """Fit the classifier on (input, label) pairs; None if too few or a single class."""
    examples = [(item, label) for item, label in examples if label in LABELS]
    if len(examples) < options.min_examples or len({label for _, label in examples}) < 2:
        return None
    pipeline = _make_pipeline(options)
    # one BLAS/OpenMP thread: on a small sparse problem, threads only contend (measured
    # 0.1 s with one thread vs 2.4 s with two on a busy 2-core machine)
    with threadpool_limits(1):
        pipeline.fit([item for item, _ in examples], [label for _, label in examples])
    labels = tuple(str(label) for label in pipeline.named_steps["model"].classes_)
    return Classifier(pipeline=pipeline, labels=labels, n_examples=len(examples))


# ---------------------------------------------------------------- inputs from the outline


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
            body = _body_text(item, len(item.own_text))
            item = replace(item, tokens=(*tokenize(item.headline), *tokenize(body)))
        inputs.append(item)
    return inputs


# ---------------------------------------------------------------- silver labels


@lru_cache(maxsize=65536)
def context_labels(headline: str) -> tuple[str, ...]:
    """Labels a headline gives the units under it: a section title or a lead-in."""
    labels = section_labels(headline)
    if labels:
        return labels
    leadin = leadin_label(headline)
    return (leadin,) if leadin else ()


def nearest_section_labels(ancestor_headlines: Sequence[str]) -> tuple[str, ...]:
    """Labels of the nearest ancestor that is a section title or a lead-in, or ()."""
    for headline in reversed(ancestor_headlines):
        labels = context_labels(headline)
        if labels:
            return labels
    return ()


@lru_cache(maxsize=65536)
def leadin_sentence_labels(sentence: str) -> tuple[str, ...]:
    """Labels a lead-in sentence gives: as a title, by a lead-in phrase, or by its last
    clause as a title ("同时也要看到，工作中还存在一些不足：" → problem)."""
    if not sentence or RE_REPORTING.search(sentence):
        return ()
    labels = context_labels(sentence)
    if labels:
        return labels
    clause = RE_CLAUSE_SPLIT.split(RE_TITLE_TRAIL.sub("", sentence))[-1]
    return section_labels(clause) if clause != sentence else ()


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
    """Labels of the nearest section title or lead-in framing a unit, or ()."""
    for text, is_leadin in reversed(context_chain(item)):
        labels = leadin_sentence_labels(text) if is_leadin else context_labels(text)
        if labels:
            return labels
    return ()


def silver_examples(inputs: Sequence[TagInput]) -> list[tuple[TagInput, str]]:
    """Units under a single-label section title, labelled by it (section titles excluded)."""
    examples = []
    for item in inputs:
        if context_labels(item.headline):
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


# ---------------------------------------------------------------- decision


def _softmax_score(scores: dict[str, float], label: str) -> float:
    top = max(scores.values())
    total = sum(math.exp(value - top) for value in scores.values())
    return math.exp(scores[label] - top) / total


def _label_one(
    item: TagInput, proba: dict[str, float] | None, options: TagOptions
) -> tuple[str, float]:
    own = section_labels(item.headline) if item.kind != "enum" else ()
    own = own or tuple(filter(None, [leadin_label(item.headline)]))
    if own:
        return own[0], 0.95 if len(own) == 1 else 0.6
    if item.kind == "part":
        return OTHER, 0.9  # a whole report in a multi-report file has no single label
    evidence = cue_evidence(item, options)
    for label, value in (proba or {}).items():
        if label in evidence:
            evidence[label] += options.classifier_weight * value
    prior = nearest_context_labels(item)
    if prior:
        allowed = set(prior).union(*(OVERRIDE_TABLE[label] for label in prior))
        body = body_cue_counts(item, options.max_body_chars)
        for label in allowed.difference(prior):
            if body[label] >= options.dominant_cues and all(
                body[label] >= 2 * body[held] for held in prior
            ):
                evidence[label] += options.dominance_bonus
        weight = {"background": options.background_prior_weight}
        scores = {
            label: evidence[label]
            + (weight.get(label, options.prior_weight) if label in prior else 0.0)
            for label in sorted(allowed)
        }
        best = max(scores, key=lambda label: (scores[label], label in prior))
        return best, round(_softmax_score(scores, best), 4)
    if item.position < options.early_position:
        evidence["background"] += options.early_bonus
    best = max(LABELS, key=lambda label: evidence[label])
    if evidence[best] < options.min_evidence:
        return OTHER, round(1.0 - evidence[best] / options.min_evidence, 4)
    return best, round(_softmax_score(evidence, best), 4)


def label_units(
    inputs: Sequence[TagInput],
    *,
    classifier: Classifier | None,
    options: TagOptions = TagOptions(),
) -> list[tuple[str, float]]:
    """Label every unit; returns (label, score in 0..1) in input order."""
    probabilities: list[dict[str, float] | None]
    if classifier is not None:
        probabilities = list(classifier.predict_proba(inputs))
    else:
        probabilities = [None] * len(inputs)
    return [
        _label_one(item, proba, options)
        for item, proba in zip(inputs, probabilities, strict=True)
    ]
