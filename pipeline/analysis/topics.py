"""Topic models of policy reports: vocabulary, LDA fit, topic shares of items.

The topics stage builds one ``TopicInput`` per modelling unit (a document, or one
labelled unit such as a problem paragraph) and calls these pure functions; nothing here
opens the store, reads config files or prints.

    prepared = prepare(inputs, options, stopwords)        # TooSmall: cannot be modelled
    selection, model = select_and_fit(prepared, options)  # topics_select: choose K, fit
    shares = doc_topics(model, prepared)                  # rows sum to 1
    summaries = describe(model, prepared, shares, prepared.items, options)  # topics_export
    later = fold_in(model, new_inputs, options, stopwords)  # between refits

This module prepares the corpus and fits; it also re-exports the names of its helpers, so
``from pipeline.analysis.topics import ...`` reaches the whole library. Related modules:
``topics_records`` (options, inputs, prepared corpus, fitted model), ``topics_vocab``
(which tokens are topic words, phrases, the corpus matrices), ``topics_infer`` (topic
shares under a fixed model: ``doc_topics``, ``fold_in``), ``topics_select`` (coherence,
stability, K selection, matching a refit to the previous fit), ``topics_prevalence``
(topic shares by place or year with bootstrap intervals) and ``topics_export`` (topic
summaries, model bytes, JSON, CSV and the offline HTML topic map).

Determinism: items are sorted by ``item_id`` before anything is learnt, the LDA runs in
one process with a fixed ``random_state`` and one BLAS thread, and topic shares come
from a variational E-step started from a constant (gensim's own ``inference`` draws its
start from the model's random state, so two calls would differ).
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

if TYPE_CHECKING:
    from gensim.models import LdaModel

# gensim and scikit-learn are imported where a model is fitted, not with this module: a
# nightly run that folds one report into the stored model needs neither (≈3 s of imports).
from pipeline.analysis.topics_infer import INFERENCE_THRESHOLD, doc_topics, fold_in, infer
from pipeline.analysis.topics_records import (
    FittedModel,
    Inferred,
    Prepared,
    TopicInput,
    TopicOptions,
)
from pipeline.analysis.topics_vocab import (
    CHROME_WORDS,
    PHRASE_SEP,
    RE_NUMERIC,
    bag_of_words,
    content_runs,
    count_matrix,
    is_content,
    item_terms,
    join_phrases,
    learn_phrases,
    quiet_gensim,
    stop_set,
    window_matrix,
)

__all__ = [
    "CHROME_WORDS", "INFERENCE_THRESHOLD", "MIN_ITEMS", "MIN_TERMS", "NMF_ITERATIONS",
    "PHRASE_SEP", "RE_NUMERIC", "TOPICS_VERSION", "TOP_TERMS",
    "FittedModel", "Inferred", "Prepared", "TooSmall", "TopicInput", "TopicOptions",
    "content_runs", "count_matrix", "doc_topics", "fit", "fold_in", "infer", "initial_topics",
    "is_content", "item_terms", "join_phrases", "learn_phrases", "prepare", "run_passes",
    "seed_eta", "stop_set", "window_matrix",
]

logger = logging.getLogger(__name__)

# Bump when filtering, phrase learning, fitting or inference change their results.
TOPICS_VERSION = "1"

MIN_ITEMS = 3  # fewer usable items than this cannot be modelled
MIN_TERMS = 10  # nor can a vocabulary smaller than this
TOP_TERMS = 10  # terms per topic for coherence, stability and summaries
# NMF sweeps for a starting point: 12 true topics were found in 14; an ill-fitting K
# never converges and took 11 s for 200 sweeps on 1,000 reports.
NMF_ITERATIONS = 40


class TooSmall(ValueError):
    """The corpus cannot be modelled; ``str(exc)`` says why in one line for the stage log."""


# --- prepare -----------------------------------------------------------------------------


def prepare(inputs: Iterable[TopicInput], options: TopicOptions,
            stopwords: Iterable[str]) -> Prepared:
    """Filter, learn phrases, build and prune the vocabulary; raise TooSmall when unusable."""
    items = sorted(inputs, key=lambda item: item.item_id)
    ids_seen = Counter(item.item_id for item in items)
    repeated = sorted(item_id for item_id, count in ids_seen.items() if count > 1)
    if repeated:
        raise ValueError(f"topics: repeated item ids: {', '.join(repeated[:5])}")
    stop = stop_set(options, stopwords)
    runs_by_item = [content_runs(item, options, stop) for item in items]
    from gensim.corpora import Dictionary

    with quiet_gensim():
        phrases = learn_phrases((run for runs in runs_by_item for run in runs), options)
        phrase_set = frozenset(phrases)
        texts = [[w for run in runs for w in join_phrases(run, phrase_set)]
                 for runs in runs_by_item]
        dictionary = Dictionary(texts)
        dictionary.filter_extremes(
            no_below=options.no_below, no_above=options.no_above, keep_n=options.keep_n
        )
    kept = [i for i, text in enumerate(texts) if any(w in dictionary.token2id for w in text)]
    kept_set = set(kept)
    _check_size(len(kept), len(dictionary), len(items))
    ids = [[dictionary.token2id[w] for w in texts[i] if w in dictionary.token2id] for i in kept]
    vocab = tuple(dictionary[i] for i in range(len(dictionary)))
    logger.info("topics: %d of %d items, %d terms, %d phrases",
                len(kept), len(items), len(vocab), len(phrases))
    corpus = tuple(bag_of_words(seq) for seq in ids)
    return Prepared(
        items=tuple(items[i] for i in kept),
        corpus=corpus,
        counts=count_matrix(corpus, len(vocab)),
        vocab=vocab,
        phrases=phrases,
        windows=window_matrix(ids, len(vocab), options.coherence_window),
        dropped=tuple(items[i].item_id for i in range(len(items)) if i not in kept_set),
        n_tokens=sum(len(item.words) for item in items),
    )


def _check_size(n_items: int, n_terms: int, n_inputs: int) -> None:
    if n_items < MIN_ITEMS:
        raise TooSmall(f"only {n_items} of {n_inputs} items have usable words "
                       f"(topics need at least {MIN_ITEMS})")
    if n_terms < MIN_TERMS:
        raise TooSmall(f"only {n_terms} terms survive filtering (topics need at least "
                       f"{MIN_TERMS}); more items or lower no_below would help")


# --- fitting -----------------------------------------------------------------------------


def seed_eta(
    prepared: Prepared, k: int, options: TopicOptions
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Topic-word prior: 1/k everywhere, seed words boosted in their topic; and missing seeds.

    The boost is ``seed_weight`` times the word's corpus count, so it weighs the same on
    ten reports as on ten thousand (a fixed pseudo-count would vanish on a big corpus).
    """
    eta = np.full((k, len(prepared.vocab)), 1.0 / k)
    term_ids = {term: i for i, term in enumerate(prepared.vocab)}
    missing = []
    for topic, words in enumerate(list(options.seed_topics.values())[:k]):
        for word in words:
            # the word itself, else the learnt phrases that hold it (容错 → 容错纠错)
            terms = [term_ids[word]] if word in term_ids else [
                i for term, i in term_ids.items() if len(word) > 1 and word in term]
            for term in terms:
                eta[topic, term] += options.seed_weight * prepared.term_counts[term]
            if not terms:
                missing.append(word)
    return eta, tuple(missing)


def initial_topics(prepared: Prepared, eta: np.ndarray, n_seeded: int, seed: int) -> np.ndarray:
    """Starting topic-word statistics from an NMF of tf-idf; seed topics take the closest.

    gensim starts every topic from noise, and online LDA then often merges two themes
    and leaves a dead topic: on an LDA-generated corpus (1,000 × 300 tokens, 12 true
    topics) noise starts recovered the true topics at mean cosine 0.79–0.96 depending
    on seed and chunking, NMF starts (randomly initialised with the same seed, ≈0.2 s)
    at 0.999 after 3 passes. Seed topics get the NMF component closest to their seed
    words (Hungarian matching) plus the seed words themselves.
    """
    from scipy.optimize import linear_sum_assignment
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfTransformer

    k, n_terms = eta.shape
    tfidf = TfidfTransformer().fit_transform(prepared.counts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a start needs no convergence
        nmf = NMF(n_components=k, init="random", random_state=seed % 2**32, max_iter=NMF_ITERATIONS,
                  tol=1e-3)
        rows = _normalised(nmf.fit(tfidf).components_)
    if n_seeded:
        seeded = _normalised(eta[:n_seeded] - eta.min())
        _, closest = linear_sum_assignment(-(seeded @ rows.T))
        order = list(closest) + [c for c in range(k) if c not in set(closest)]
        rows = rows[order]
        rows[:n_seeded] = _normalised(rows[:n_seeded] + seeded)
    # Scaled so each start outweighs gensim's noise (≈1 per cell, ≈n_terms per topic).
    return rows * n_terms


def _normalised(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(rows.sum(axis=1, keepdims=True), 1e-12)


def run_passes(lda: LdaModel, corpus: list[list[tuple[int, int]]], passes: int,
               converged: float) -> int:
    """Train pass by pass until no topic moves more than ``converged`` (L1); passes run.

    From an NMF start a well-fitting K settles in 2–4 passes (L1 < 0.01, NPMI flat
    after the second) while a poor K keeps moving for all 10: the finalists, being the
    well-fitting K, cost well under half their passes.
    """
    previous = lda.get_topics()
    for done in range(1, passes + 1):
        lda.update(corpus, passes=1)
        current = lda.get_topics()
        if np.abs(current - previous).sum(axis=1).max() < converged:
            return done
        previous = current
    return passes


@functools.lru_cache(maxsize=32)
def _warn_missing_seeds(missing: tuple[str, ...]) -> None:
    logger.warning("topics: seed words not in the vocabulary (a phrase may hold them, "
                   "e.g. 容错纠错): %s", " ".join(missing))


def warn_missing_seeds(prepared: Prepared, k: int, options: TopicOptions) -> None:
    """Say once which seed words the vocabulary lacks (called before fits are forked, so
    the workers inherit that it was said)."""
    _eta, missing = seed_eta(prepared, k, options)
    if missing:
        _warn_missing_seeds(tuple(missing))


def fit(prepared: Prepared, k: int, options: TopicOptions, seed: int,
        *, passes: int | None = None) -> FittedModel:
    """Fit LDA with ``k`` topics, seed topics first; same inputs and seed → same model.

    Alpha is gensim's symmetric 1/k: its learnt ("auto") alpha swung to 12 for one topic
    on a 45-item corpus, and a fixed prior keeps shares comparable across places; the
    fixed "asymmetric" one would favour the first topics, which are the seed topics.
    """
    if k < len(options.seed_topics):
        raise ValueError(f"topics: k={k} is below the {len(options.seed_topics)} seed topics")
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    eta, missing = seed_eta(prepared, k, options)
    if missing:  # said once per corpus, not once per candidate fit
        _warn_missing_seeds(tuple(missing))
    dictionary = Dictionary()
    dictionary.token2id = {term: i for i, term in enumerate(prepared.vocab)}
    # One process: LdaMulticore merges its workers' chunks in arrival order (three runs
    # with one random_state differed by up to 0.017 in p(w|t); LdaModel's were equal).
    # One BLAS thread: threads may reorder float sums, and on these small matrices two
    # BLAS threads made NMF 4–14× slower when another process held a core.
    with threadpool_limits(limits=1, user_api="blas"), quiet_gensim():
        start = initial_topics(prepared, eta, min(len(options.seed_topics), k), seed)
        lda = LdaModel(
            corpus=None, id2word=dictionary, num_topics=k, chunksize=options.chunksize,
            iterations=options.iterations,
            alpha="symmetric", eta=eta, random_state=seed, eval_every=None, dtype=np.float64,
        )
        lda.state.sstats += start
        lda.sync_state()
        run_passes(lda, [list(bow) for bow in prepared.corpus], passes or options.passes,
                   options.converged)
    names = tuple(options.seed_topics)[:k]
    return FittedModel(
        k=k, seed=seed, vocab=prepared.vocab, lam=lda.state.get_lambda().copy(),
        alpha=np.asarray(lda.alpha, dtype=np.float64).copy(), phrases=prepared.phrases,
        topic_names=names + ("",) * (k - len(names)), iterations=options.iterations,
        missing_seeds=missing,
    )
