"""The records the topic-model modules pass around: options, inputs, corpus, fitted model.

``TopicOptions`` is section ``[topics]`` of diaoyan.toml; ``TopicInput`` is one modelling
unit built by the topics stage; ``Prepared`` (from ``topics.prepare``), ``FittedModel``
(from ``topics.fit``) and ``Inferred`` (from ``topics_infer.fold_in``) are what the
library returns. All are frozen dataclasses; the arrays inside are not copied.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.special import psi


@dataclass(frozen=True)
class TopicOptions:
    """Settings of the topics stage (section ``[topics]`` of diaoyan.toml)."""

    unit: str = "document"  # what is modelled: "document" or a unit label ("problem", …)
    k_min: int = 3  # smallest number of topics tried (raised to the number of seed topics)
    k_max: int = 20  # largest tried; clamped to the number of items and vocabulary / 2
    k_step: int = 1  # step between candidate K
    k: int = 0  # fixed number of topics; 0 = choose by coherence and stability
    finalists: int = 3  # best-screened K refitted over several seeds
    stability_seeds: int = 3  # seeds per finalist (seed, seed+1, …)
    seed: int = 20260101  # random_state of the final fit and first seed of every search
    passes: int = 10  # most passes over the corpus in a full fit
    converged: float = 0.01  # stop early once no topic's word distribution moves more (L1)
    iterations: int = 100  # max E-step iterations per item and pass
    screen_passes: int = 2  # passes of the quick fit that screens each candidate K
    chunksize: int = 256  # items per online update (fewer, larger chunks converge slower)
    no_below: int = 2  # drop terms in fewer items than this
    no_above: float = 0.5  # drop terms in more than this share of items
    keep_n: int = 20000  # then keep at most this many terms, most frequent first
    keep_pos: tuple[str, ...] = (
        "n", "nz", "vn", "v", "nt", "nl", "ng", "an", "a", "l", "i", "j", "eng",
    )  # jieba tags kept (exact match): "nr" names, "m" numbers and "ns" places are dropped,
    # since place-name topics make prevalence by place circular
    min_word_chars: int = 2  # shorter words carry little topic (是, 个, 好)
    # added to stopwords.txt and CHROME_WORDS: verbs every policy text uses, which would
    # otherwise label half the topics (the tagger keeps them as cues, so not stopwords.txt)
    extra_stopwords: tuple[str, ...] = (
        "推进", "加快", "实施", "加强", "推动", "坚持", "提升", "完善", "深化", "强化",
        "促进", "落实", "开展", "做好", "持续", "全面", "积极", "努力", "不断", "进一步",
        "工作", "方面", "有关", "相关", "情况", "问题", "主要", "重点",
        # the speaker's own administrative level: they sort reports by level, not concern
        "全省", "全市", "全区", "全县", "全州", "自治区", "省委", "市委", "区委", "县委",
        "省政府", "市政府", "区政府", "县政府", "自治区党委", "自治区人民政府", "省级",
        "市级", "县级", "省份", "各族群众", "中心城区",
    )
    phrases_min_count: int = 3  # bigram seen this often may become a phrase; 0 = no phrases
    phrases_threshold: float = 0.5  # NPMI above which it does (乡村 振兴 → 乡村振兴)
    coherence_window: int = 20  # content words per co-occurrence window (≈ one or two sentences)
    min_stability: float = 0.5  # a finalist needs this mean matched top-term Jaccard
    coherence_tolerance: float = 0.01  # a smaller K wins when its quality is this close
    relevance_lambda: float = 0.6  # LDAvis relevance weight for labels and term lists
    representatives: int = 3  # example items per topic
    seed_topics: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> seed words
    seed_weight: float = 0.5  # prior pseudo-count of a seed word in its topic, × its frequency
    match_threshold: float = 0.3  # cosine below which a refit topic has no predecessor
    # below it, new documents' items are folded into the stored model (no refit)
    refit_share: float = 0.1  # refit once docs added/removed/changed since the fit pass this share
    bootstrap: int = 500  # resamples for prevalence and contrast intervals
    ci: float = 0.95  # interval coverage
    contrast_min_items: int = 3  # places with fewer items are not contrasted

    def __post_init__(self) -> None:
        if self.k_step < 1 or self.k_min < 1 or self.k_max < 1:
            raise ValueError("topics: k_min, k_max and k_step must be at least 1")
        if not 0 < self.no_above <= 1 or not 0 <= self.relevance_lambda <= 1:
            raise ValueError("topics: no_above must be in (0, 1], relevance_lambda in [0, 1]")
        if not 0 < self.ci < 1 or self.bootstrap < 1:
            raise ValueError("topics: ci must be in (0, 1) and bootstrap at least 1")
        if not 0 <= self.refit_share <= 1:
            raise ValueError("topics: refit_share must be in [0, 1]")
        # TOML gives lists; tuples keep the options comparable and the words immutable.
        seeds = {str(name): tuple(words) for name, words in self.seed_topics.items()}
        object.__setattr__(self, "seed_topics", seeds)


@dataclass(frozen=True)
class TopicInput:
    """One modelling unit: a document, or one labelled unit of a document."""

    item_id: str
    doc_id: str
    words: tuple[str, ...]  # jieba words ...
    tags: tuple[str, ...]  # ... and their jieba POS tags, same length
    quote: str  # headline or first ~80 characters, shown as an example
    source: str
    province: str | None = None
    city: str | None = None
    county: str | None = None
    year: int | None = None


@dataclass(frozen=True, eq=False)
class Prepared:
    """A filtered corpus ready for LDA; ``items[i]`` is described by ``corpus[i]``."""

    items: tuple[TopicInput, ...]  # usable items, sorted by item_id
    corpus: tuple[tuple[tuple[int, int], ...], ...]  # bag of words per item
    vocab: tuple[str, ...]  # term of each id
    phrases: tuple[tuple[str, str], ...]  # learnt bigrams, joined without a separator
    counts: sparse.csr_matrix  # items × terms counts (the corpus as a matrix)
    windows: sparse.csc_matrix  # windows × terms, 1 where the term occurs (for coherence)
    dropped: tuple[str, ...]  # item ids left without a usable term
    n_tokens: int  # tokens before filtering

    @functools.cached_property
    def term_counts(self) -> np.ndarray:
        """Corpus count of each term."""
        return np.asarray(self.counts.sum(axis=0), dtype=np.float64).ravel()

    @functools.cached_property
    def item_lengths(self) -> np.ndarray:
        """Kept tokens per item."""
        return np.asarray(self.counts.sum(axis=1), dtype=np.float64).ravel()


@dataclass(frozen=True, eq=False)
class FittedModel:
    """An LDA fit reduced to what inference needs: variational topics, alpha, vocabulary."""

    k: int
    seed: int
    vocab: tuple[str, ...]
    lam: np.ndarray  # (k, terms) variational Dirichlet parameters of the topics
    alpha: np.ndarray  # (k,) document-topic prior (learnt, asymmetric)
    phrases: tuple[tuple[str, str], ...]
    topic_names: tuple[str, ...]  # seed-topic name, or "" for an unguided topic
    iterations: int
    missing_seeds: tuple[str, ...] = ()  # seed words absent from the vocabulary

    @functools.cached_property
    def topic_term(self) -> np.ndarray:
        """p(term | topic), rows sum to 1."""
        return self.lam / self.lam.sum(axis=1, keepdims=True)

    @functools.cached_property
    def exp_elog_beta(self) -> np.ndarray:
        """exp(E[log beta]) under the variational posterior, as the E-step uses it."""
        return np.exp(psi(self.lam) - psi(self.lam.sum(axis=1, keepdims=True)))

    @functools.cached_property
    def term_ids(self) -> dict[str, int]:
        """Term → column of ``lam``."""
        return {term: i for i, term in enumerate(self.vocab)}


@dataclass(frozen=True, eq=False)
class Inferred:
    """Topic shares of items folded into an existing model."""

    items: tuple[TopicInput, ...]  # items with at least one known term, input order
    doc_topic: np.ndarray  # one row per item, rows sum to 1
    dropped: tuple[str, ...]  # item ids without a known term

