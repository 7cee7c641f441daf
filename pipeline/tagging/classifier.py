"""The unit classifier: scikit-learn logistic regression over headline, word and cue features.

Trained on silver labels (:mod:`pipeline.tagging.silver`) with scikit-learn; what it
learnt (vocabularies, IDF weights, coefficients) is then kept as plain arrays
(:class:`pipeline.tagging.linear.LinearModel`) that score units without scikit-learn, so a
run that only labels a new report never imports it (≈2.5 s). Stored in the store as a
compressed pickle (numpy and builtins only) stamped with ``TAGGER_VERSION`` and reused
until it is retrained.
"""

from __future__ import annotations

import math
import pickle
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from pipeline.tagging.inputs import DEFAULT_TAG_OPTIONS, TagInput, TagOptions, body_text
from pipeline.tagging.linear import LinearModel
from pipeline.tagging.rules import LABELS, cue_counts, marker_label, split_tokens
from pipeline.text.vocab import normalise_for_match

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

# Bump when labels for the same inputs can change (rules, lexicon or features).
TAGGER_VERSION = "tagger.v5"


def _char_bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(max(len(text) - 1, 0))]


def _headline_texts(items: Sequence[TagInput]) -> list[str]:
    return [normalise_for_match(item.marker + item.headline) for item in items]


@lru_cache(maxsize=1 << 17)  # words repeat across units: normalise each form once
def _normal_word(token: str) -> str:
    return normalise_for_match(token)


def _word_lists(items: Sequence[TagInput]) -> list[list[str]]:
    lists = []
    for item in items:
        words = [w for w in map(_normal_word, item.tokens[:400]) if w]
        if not words:
            words = _char_bigrams(normalise_for_match(item.headline) + "|" + body_text(item, 400))
        lists.append(words[:300])
    return lists


def _dense_features(items: Sequence[TagInput]) -> np.ndarray:
    rows = []
    for item in items:
        head_tokens, body_tokens = split_tokens(item.headline, item.tokens)
        head = cue_counts(normalise_for_match(item.headline), head_tokens)
        body = cue_counts(body_text(item, 400), body_tokens)
        by_marker = marker_label(item.marker)
        row = [math.log1p(head[label]) for label in LABELS]
        row += [math.log1p(body[label]) / 2 for label in LABELS]
        row += [float(by_marker == "countermeasure"), item.position, float(item.kind == "enum")]
        rows.append(row)
    return np.asarray(rows, dtype=float)


def _identity(words: list[str]) -> list[str]:
    return words


def _make_pipeline(options: TagOptions) -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

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

    model: LinearModel
    labels: tuple[str, ...]
    n_examples: int

    def predict_proba(self, inputs: Sequence[TagInput]) -> list[dict[str, float]]:
        """Probability of each known label for each input."""
        if not inputs:
            return []
        inputs = list(inputs)
        probabilities = self.model.predict_proba(
            _headline_texts(inputs), _word_lists(inputs), _dense_features(inputs))
        return [dict(zip(self.labels, map(float, row), strict=True)) for row in probabilities]

    def to_bytes(self) -> bytes:
        """Serialise for the store (compressed pickle of arrays and builtins)."""
        return zlib.compress(pickle.dumps((TAGGER_VERSION, self)))

    @classmethod
    def from_bytes(cls, data: bytes) -> Classifier:
        """Load what ``to_bytes`` wrote (only trusted, self-written bytes)."""
        version, classifier = pickle.loads(zlib.decompress(data))  # noqa: S301
        if version != TAGGER_VERSION:
            raise ValueError(f"classifier from {version}, expected {TAGGER_VERSION}")
        return classifier


def train_classifier(
    examples: Sequence[tuple[TagInput, str]], options: TagOptions = DEFAULT_TAG_OPTIONS
) -> Classifier | None:
    """Fit the classifier on (input, label) pairs; None if too few or a single class."""
    examples = [(item, label) for item, label in examples if label in LABELS]
    if len(examples) < options.min_examples or len({label for _, label in examples}) < 2:
        return None
    from threadpoolctl import threadpool_limits

    pipeline = _make_pipeline(options)
    # one BLAS/OpenMP thread: on a small sparse problem, threads only contend (measured
    # 0.1 s with one thread vs 2.4 s with two on a busy 2-core machine)
    with threadpool_limits(1):
        pipeline.fit([item for item, _ in examples], [label for _, label in examples])
    labels = tuple(str(label) for label in pipeline.named_steps["model"].classes_)
    return Classifier(model=LinearModel.from_pipeline(pipeline), labels=labels,
                      n_examples=len(examples))
