"""Topic shares of items under a fixed model: the E-step, and folding in new items.

Shares come from a variational E-step started from a constant: gensim's own
``inference`` draws its start from the model's random state, so two calls would differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy.special import psi
from threadpoolctl import threadpool_limits

from pipeline.analysis.topics_records import (
    FittedModel,
    Inferred,
    Prepared,
    TopicInput,
    TopicOptions,
)
from pipeline.analysis.topics_vocab import bag_of_words, item_terms, stop_set

INFERENCE_THRESHOLD = 0.001  # mean change of a document's gamma that ends its E-step


def infer(model: FittedModel, bows: Sequence[Sequence[tuple[int, int]]]) -> np.ndarray:
    """Topic shares of bags of words under a fixed model (rows sum to 1; empty → uniform).

    gensim's E-step, started from gamma = 1 (the mean of gensim's random start) so an
    item's shares depend only on the item and the model.
    """
    shares = np.full((len(bows), model.k), 1.0 / model.k)
    eps = np.finfo(np.float64).eps
    with threadpool_limits(limits=1, user_api="blas"):
        for row, bow in enumerate(bows):
            if not bow:
                continue
            ids = [term for term, _ in bow]
            counts = np.array([count for _, count in bow], dtype=np.float64)
            beta = model.exp_elog_beta[:, ids]
            gamma = np.ones(model.k)
            for _ in range(model.iterations):
                theta = np.exp(psi(gamma) - psi(gamma.sum()))
                new_gamma = model.alpha + theta * ((counts / (theta @ beta + eps)) @ beta.T)
                done = np.mean(np.abs(new_gamma - gamma)) < INFERENCE_THRESHOLD
                gamma = new_gamma
                if done:
                    break
            shares[row] = gamma / gamma.sum()
    return shares


def doc_topics(model: FittedModel, prepared: Prepared) -> np.ndarray:
    """Topic shares of the prepared items (one row per ``prepared.items``, rows sum to 1)."""
    return infer(model, prepared.corpus)


def fold_in(model: FittedModel, inputs: Iterable[TopicInput], options: TopicOptions,
            stopwords: Iterable[str]) -> Inferred:
    """Topic shares of new items under the existing model and vocabulary, without refitting."""
    stop = stop_set(options, stopwords)
    phrase_set = frozenset(model.phrases)
    kept, bows, dropped = [], [], []
    for item in inputs:
        ids = [model.term_ids[w] for w in item_terms(item, options, stop, phrase_set)
               if w in model.term_ids]
        if ids:
            kept.append(item)
            bows.append(bag_of_words(ids))
        else:
            dropped.append(item.item_id)
    return Inferred(items=tuple(kept), doc_topic=infer(model, bows), dropped=tuple(dropped))
