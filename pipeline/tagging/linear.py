"""A fitted TF-IDF + logistic-regression pipeline as plain arrays: scoring without scikit-learn.

The classifier (:mod:`pipeline.tagging.classifier`) is trained with scikit-learn, whose
import alone costs ≈2.5 s, more than labelling a new report does. What the fit learnt is
small: two vocabularies with their IDF weights and a coefficient matrix. This module keeps
those and repeats scikit-learn's arithmetic for ``predict_proba`` — character 1–3-grams
of the lower-cased headline (runs of white space made one space), the word lists as they
are, sublinear TF, IDF, L2 norm per block, the dense cue columns, then the softmax of the
decision (the logistic for two classes) — so scores agree to rounding (test_tagging
checks it against the scikit-learn pipeline it came from).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

RE_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's char analyzer collapses them


@dataclass(frozen=True)
class TfidfBlock:
    """One fitted ``TfidfVectorizer`` (sublinear TF, smooth IDF, L2 norm): its vocabulary
    and IDF, and how it cuts a text (``char`` 1–3-grams, or the given word list)."""

    vocabulary: Mapping[str, int]
    idf: np.ndarray
    char_ngrams: tuple[int, int] | None  # None: the input is already a list of terms

    def transform(self, documents: Sequence[Any]) -> sparse.csr_matrix:
        """Rows of L2-normalised sublinear TF-IDF for ``documents``."""
        matrix = self._counts(documents)
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1.0
        matrix.data *= self.idf[matrix.indices]
        rows = np.repeat(np.arange(len(documents)), np.diff(matrix.indptr))
        norms = np.sqrt(np.bincount(rows, weights=matrix.data ** 2, minlength=len(documents)))
        matrix.data /= norms[rows]  # a row with data has a norm above 0
        return matrix

    def _counts(self, documents: Sequence[Any]) -> sparse.csr_matrix:
        """Rows of known-term counts, columns sorted within each row."""
        width = len(self.idf)
        lookup = self.vocabulary.get
        keys: list[int] = []
        for row, document in enumerate(documents):
            base = row * width  # one integer key per (row, column): one sort for all rows
            keys += [base + column for column in map(lookup, self._terms(document))
                     if column is not None]
        cells, counts = np.unique(np.asarray(keys, dtype=np.int64), return_counts=True)
        rows, columns = np.divmod(cells, width)
        indptr = np.searchsorted(rows, np.arange(len(documents) + 1))
        return sparse.csr_matrix((counts.astype(np.float64), columns, indptr),
                                 shape=(len(documents), width))

    def _terms(self, document: Any) -> list[str]:
        if self.char_ngrams is None:
            return list(document)
        text = RE_WHITE_SPACES.sub(" ", document.lower())
        low, high = self.char_ngrams
        return [text[i : i + n] for n in range(low, high + 1)
                for i in range(len(text) - n + 1)]


@dataclass(frozen=True)
class LinearModel:
    """Headline characters, words and dense cue columns → label probabilities."""

    headline_chars: TfidfBlock
    words: TfidfBlock
    coef: np.ndarray  # (classes, features), or (1, features) for two classes
    intercept: np.ndarray

    def predict_proba(self, headlines: Sequence[str], word_lists: Sequence[list[str]],
                      dense: np.ndarray) -> np.ndarray:
        """One row of class probabilities per input, in the fitted class order."""
        features = sparse.hstack([self.headline_chars.transform(headlines),
                                  self.words.transform(word_lists),
                                  sparse.csr_matrix(dense)]).tocsr()
        decision = np.asarray(features @ self.coef.T) + self.intercept
        if self.coef.shape[0] == 1:  # two classes: the logistic of one decision
            positive = 1.0 / (1.0 + np.exp(-decision[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        decision -= decision.max(axis=1, keepdims=True)
        np.exp(decision, out=decision)
        decision /= decision.sum(axis=1, keepdims=True)
        return decision

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> LinearModel:
        """What a fitted classifier pipeline (``classifier._make_pipeline``) learnt."""
        blocks = dict(pipeline.named_steps["features"].transformer_list)
        model = pipeline.named_steps["model"]
        return cls(headline_chars=_block(blocks["headline_chars"].named_steps["tfidf"]),
                   words=_block(blocks["words"].named_steps["tfidf"]),
                   coef=np.asarray(model.coef_, dtype=np.float64),
                   intercept=np.asarray(model.intercept_, dtype=np.float64))


def _block(vectorizer: Any) -> TfidfBlock:
    char = vectorizer.analyzer == "char"
    if not (vectorizer.norm == "l2" and vectorizer.sublinear_tf and vectorizer.use_idf
            and (vectorizer.lowercase or not char) and (char or callable(vectorizer.analyzer))):
        raise ValueError("only sublinear, L2-normalised TF-IDF of lower-cased character "
                         "n-grams or of given word lists is supported")
    return TfidfBlock(
        vocabulary={str(term): int(column) for term, column in vectorizer.vocabulary_.items()},
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        char_ngrams=tuple(vectorizer.ngram_range) if char else None)
