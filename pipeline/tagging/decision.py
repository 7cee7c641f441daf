"""Labelling: cue evidence, section priors and the classifier combined into one label per unit.

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

import math
from collections.abc import Sequence

from pipeline.tagging.classifier import Classifier
from pipeline.tagging.inputs import DEFAULT_TAG_OPTIONS, TagInput, TagOptions, body_text
from pipeline.tagging.rules import (
    LABELS,
    OTHER,
    cue_counts,
    leadin_label,
    marker_label,
    opener_label,
    section_labels,
    split_tokens,
)
from pipeline.tagging.silver import nearest_context_labels
from pipeline.text.vocab import normalise_for_match

# Which labels a unit may move to from its section's label, given enough cue evidence.
OVERRIDE_TABLE: dict[str, tuple[str, ...]] = {
    "problem": ("cause",),  # "（二）原因分析" or 由于/导致 items inside a problem section
    "practice": ("problem",),  # a 做法 section that ends with what is still lacking
    "background": ("problem", "practice", "cause"),  # 基本情况 mixes results and gaps
    "cause": (),
    "countermeasure": (),  # "鉴于…等问题，建议…" is still a countermeasure
}


def body_cue_counts(item: TagInput, max_chars: int) -> dict[str, int]:
    """Cue counts of the unit's own text after its headline."""
    _head_tokens, body_tokens = split_tokens(item.headline, item.tokens)
    return cue_counts(body_text(item, max_chars), body_tokens)


def cue_evidence(item: TagInput, options: TagOptions) -> dict[str, float]:
    """Weighted cue evidence per label from marker, headline and own text."""
    head_tokens, _body_tokens = split_tokens(item.headline, item.tokens)
    head = cue_counts(normalise_for_match(item.headline), head_tokens)
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
    options: TagOptions = DEFAULT_TAG_OPTIONS,
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
