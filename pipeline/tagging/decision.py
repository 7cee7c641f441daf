"""Labelling: cue evidence, section priors and the classifier combined into one label per unit.

Decision order in ``label_units`` (first that applies):
1. the unit's own headline says what it is (``own_labels``) → that label: a section
   title ("存在的问题") or lead-in phrase, so a section heading gets the label of the
   section it opens; or a statement ("2025年是…收官之年" → background, "过去一年，我们…"
   → practice, "我们也清醒认识到，…" → problem). The section it sits in wins where
   ``CONTEXT_WINS_TABLE`` says so (a plan's targets phrased as results);
2. the nearest ancestor that is a section title gives a strong prior; cues of the
   unit's headline (weighted up) and text, plus the classifier, may move it only
   along ``OVERRIDE_TABLE`` (a problem section can hold a cause item, a practice
   section can end with problems; a countermeasure item naming a problem stays);
3. no section context → cues + classifier; weak evidence early in the document
   → background, otherwise → other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from pipeline.tagging.classifier import Classifier
from pipeline.tagging.inputs import (
    DEFAULT_TAG_OPTIONS,
    PARAGRAPH_KINDS,
    TagInput,
    TagOptions,
    body_text,
)
from pipeline.tagging.rules import (
    LABELS,
    OTHER,
    admits_problems,
    cue_counts,
    dated_title_label,
    leadin_label,
    marker_label,
    opener_label,
    pattern_label,
    section_labels,
    split_tokens,
)
from pipeline.tagging.silver import nearest_context_labels
from pipeline.text.vocab import normalise_for_match

# Which labels a unit may move to from its section's label, given enough cue evidence.
OVERRIDE_TABLE: dict[str, tuple[str, ...]] = {
    "problem": ("cause",),  # "（二）原因分析" or 由于/导致 items inside a problem section
    "practice": ("problem",),  # a 做法 section that ends with what is still lacking
    "background": ("problem",),  # 基本情况 may admit gaps; its results are still background
    "cause": (),
    "countermeasure": (),  # "鉴于…等问题，建议…" is still a countermeasure
}


# Listed items are never section titles, whatever term ends them ("一是…工作打算",
# the clause "坚持严的基调、严的措施").
ITEM_KINDS = frozenset({"enum", "clause"})

# A paragraph's second sentence may hold its admission: "“十四五”时期，…未能如期完成。我们清醒
#认识到，…亟待破解。"; this much of its text after the headline is looked at.
ADMISSION_CHARS = 240
RE_SENTENCE_END = re.compile(r"[。！？!?]")
# A paragraph's first sentence this short only sets the scene for its second: "2022年，困难
#超乎想象、形势超出预期。一年来，我们…" is the review of the year.
SCENE_CHARS = 24

# (section label, the unit's own label) where the section wins, and over which of the
# unit's own sources: under a plan's "主要目标任务", "（一）产业体系建设取得决定性进展" is a
# target, not a result; under "基本情况", "近年来，县委大力实施…" describes the setting.
CONTEXT_WINS_TABLE: dict[tuple[str, str], frozenset[str]] = {
    ("countermeasure", "practice"): frozenset({"title", "statement"}),
    ("background", "practice"): frozenset({"statement"}),
    # under "存在的问题", "（二）农村公路建设加快推进" grants a result before the shortcoming
    ("problem", "practice"): frozenset({"statement"}),
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


def own_labels(item: TagInput) -> tuple[tuple[str, ...], str]:
    """What a unit's own headline says it is, whatever its section, and where that comes
    from: a section title or lead-in phrase ("title"), or a statement pattern ("2025年是…
    收官之年") or an admission of shortcomings, in a paragraph also in its second sentence,
    as is a review of the year after a short scene-setting sentence ("statement"); a listed
    item phrased as a result is not taken for one. ((), "") when it says nothing."""
    own = section_labels(item.headline) if item.kind not in ITEM_KINDS else ()
    own = own or tuple(filter(None, [leadin_label(item.headline),
                                     dated_title_label(item.headline, item.year)]))[:1]
    if own:
        return own, "title"
    by_pattern = pattern_label(item.headline)
    if by_pattern and not (by_pattern == "practice" and item.kind in ITEM_KINDS):
        # (a listed item phrased as a result, "一是…持续提升", may as well be a target)
        return (by_pattern,), "statement"
    opening, sentences = item.headline, [item.headline]
    if item.kind in PARAGRAPH_KINDS:
        sentences = RE_SENTENCE_END.split(item.own_text[:ADMISSION_CHARS], 2)[:2]
        opening = "。".join(sentences)
    if admits_problems(opening):
        return ("problem",), "statement"
    if (len(sentences) == 2 and len(sentences[0].strip()) <= SCENE_CHARS
            and pattern_label(sentences[1].strip()) == "practice"):
        return ("practice",), "statement"  # "2022年，困难超乎想象。一年来，我们…"
    return (), ""


def _label_one(
    item: TagInput, proba: dict[str, float] | None, options: TagOptions,
    own_and_source: tuple[tuple[str, ...], str],
) -> tuple[str, float]:
    own, source = own_and_source
    if own:
        prior = nearest_context_labels(item)
        if len(prior) == 1 and source in CONTEXT_WINS_TABLE.get((prior[0], own[0]), ()):
            return prior[0], 0.8
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
    owns = [own_labels(item) for item in inputs]
    probabilities: list[dict[str, float] | None] = [None] * len(inputs)
    if classifier is not None:
        # only units that neither name their label nor are whole parts weigh the classifier;
        # its probabilities are row by row, so asking for fewer rows changes none of them
        asked = [index for index, (item, own) in enumerate(zip(inputs, owns, strict=True))
                 if not own[0] and item.kind != "part"]
        for index, proba in zip(asked, classifier.predict_proba([inputs[i] for i in asked]),
                                strict=True):
            probabilities[index] = proba
    return [
        _label_one(item, proba, options, own)
        for item, proba, own in zip(inputs, probabilities, owns, strict=True)
    ]
