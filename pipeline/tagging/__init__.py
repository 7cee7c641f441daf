"""Tag units as problem / cause / countermeasure / practice / background / other.

Plain inputs in, labels out: the tag stage builds one ``TagInput`` per unit (from
the outline and the segmenter, :mod:`.inputs`), trains a ``Classifier``
(:mod:`.classifier`) on SILVER labels (units under a section whose title names a label,
plus the invented examples in ``resources/silver_seed.jsonl``, :mod:`.silver`) and calls
``label_units`` (:mod:`.decision`), which weighs the section context, the cue phrases of
the lexicon (:mod:`.rules`) and the classifier.
"""

from __future__ import annotations

from pipeline.tagging.classifier import (
    TAGGER_VERSION,
    Classifier,
    train_classifier,
)
from pipeline.tagging.decision import (
    body_cue_counts,
    cue_evidence,
    label_units,
)
from pipeline.tagging.inputs import (
    TagInput,
    TagOptions,
    body_text,
    inputs_from_spans,
    own_ranges,
    own_text_of,
    run_leadins,
)
from pipeline.tagging.rules import (
    LABELS,
    OTHER,
    Lexicon,
    cue_counts,
    leadin_label,
    load_lexicon,
    marker_label,
    opener_label,
    section_label,
    section_labels,
    split_tokens,
)
from pipeline.tagging.silver import (
    context_chain,
    context_labels,
    leadin_sentence_labels,
    nearest_context_labels,
    nearest_section_labels,
    seed_examples,
    silver_examples,
)

# isort: split
# Classifiers stored before the tagger became a package were pickled with these names
# here; they stay importable so that a stored model still loads.
from pipeline.tagging.classifier import (  # noqa: F401
    _dense_features,
    _headline_texts,
    _identity,
    _word_lists,
)

__all__ = [
    "LABELS",
    "OTHER",
    "Lexicon",
    "load_lexicon",
    "section_labels",
    "leadin_label",
    "section_label",
    "marker_label",
    "opener_label",
    "cue_counts",
    "split_tokens",
    "TagInput",
    "TagOptions",
    "body_text",
    "own_ranges",
    "own_text_of",
    "run_leadins",
    "inputs_from_spans",
    "context_labels",
    "nearest_section_labels",
    "leadin_sentence_labels",
    "context_chain",
    "nearest_context_labels",
    "silver_examples",
    "seed_examples",
    "TAGGER_VERSION",
    "Classifier",
    "train_classifier",
    "body_cue_counts",
    "cue_evidence",
    "label_units",
]
