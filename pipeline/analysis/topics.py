"""Topic models of policy reports: vocabulary, LDA fit, topic shares of items.

The topics stage builds one ``TopicInput`` per modelling unit (a document, or one
labelled unit such as a problem paragraph) and calls these pure functions; nothing here
opens the store, reads config files or prints.

    prepared = prepare(inputs, options, stopwords)        # TooSmall: cannot be modelled
    selection, model = select_and_fit(prepared, options)  # topics_select: choose K, fit
    shares = doc_topics(model, prepared)                  # rows sum to 1
    summaries = describe(model, prepared, shares, prepared.items, options)  # topics_export
    later = fold_in(model, new_inputs, options, stopwords)  # between refits

Related modules: ``topics_select`` (coherence, stability, K selection, matching a refit to
the previous fit), ``topics_prevalence`` (topic shares by place or year with bootstrap
intervals) and ``topics_export`` (topic summaries, model bytes, JSON, CSV and the
offline HTML topic map).

Filtering, in order (``content_runs``): a token is kept when its jieba tag is in
``keep_pos`` (exact tag), it has at least ``min_word_chars`` characters, it is not a
number or a number with a unit (2019年, 3.5亿元), and it is not in the stopword list, the
built-in ``CHROME_WORDS`` or ``extra_stopwords``. A dropped token breaks the run, so a
phrase is only learnt from words that stood side by side in the text.

Determinism: items are sorted by ``item_id`` before anything is learnt, the LDA runs in
one process with a fixed ``random_state`` and one BLAS thread, and topic shares come
from a variational E-step started from a constant (gensim's own ``inference`` draws its
start from the model's random state, so two calls would differ).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import LdaModel
from gensim.models.phrases import Phrases
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.special import psi
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfTransformer
from threadpoolctl import threadpool_limits

logger = logging.getLogger(__name__)

# Bump when filtering, phrase learning, fitting or inference change their results.
TOPICS_VERSION = "1"

MIN_ITEMS = 3  # fewer usable items than this cannot be modelled
MIN_TERMS = 10  # nor can a vocabulary smaller than this
TOP_TERMS = 10  # terms per topic for coherence, stability and summaries
INFERENCE_THRESHOLD = 0.001  # mean change of a document's gamma that ends its E-step
# NMF sweeps for a starting point: 12 true topics were found in 14; an ill-fitting K
# never converges and took 11 s for 200 sweeps on 1,000 reports.
NMF_ITERATIONS = 40

# Words of web-page furniture that survive cleaning on copied reports: counted as topic
# words they make a "下载 打印 字号" topic out of every site's chrome.
CHROME_WORDS = frozenset(
    "下载 打印 字号 来源 浏览 点击 分享 收藏 责任编辑 编辑 首页 上一篇 下一篇 扫一扫 二维码 "
    "当前位置 版权所有 版权 举报 登录 注册 免费 积分 会员 复制 附件 阅读 阅读次数 浏览次数 "
    "次数 关闭 关闭窗口 窗口 返回 顶部 字体 默认 发布 发布时间 发布日期 打印本页 文档 文库 "
    "范文 转载 原文 网友 评论 投稿 微信 公众号 链接 本站 网站地图 免责声明".split()
)

# 2019, 3.5, 35%, 2019年, 3.5亿元, 十五: numbers alone or with a unit are not topic words.
RE_NUMERIC = re.compile(
    r"^(?:[0-9０-９][0-9０-９.．,，%％]*[年月日号时元万亿千百个人户家次项条名所座台倍岁]*"
    r"|[〇零一二两三四五六七八九十百千万亿]+)$"
)

PHRASE_SEP = "\x1f"  # joins a bigram while learning; never occurs in a jieba word


class TooSmall(ValueError):
    """The corpus cannot be modelled; ``str(exc)`` says why in one line for the stage log."""


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
    refit_growth: float = 0.25  # refit when the item count changed by more than this share
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


@contextlib.contextmanager
def _quiet_gensim() -> Iterator[None]:
    # gensim logs every pass and dictionary step at INFO and warns "too few updates" on
    # small corpora for each of the dozens of fits a K search makes; our own log says
    # what was fitted. (Not thread-safe: it sets the "gensim" logger's level.)
    gensim_logger = logging.getLogger("gensim")
    level = gensim_logger.level
    gensim_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        gensim_logger.setLevel(level)


# --- filtering and phrases ---------------------------------------------------------------


def stop_set(options: TopicOptions, stopwords: Iterable[str]) -> frozenset[str]:
    """Stopwords, chrome words and the configured extras, as one set."""
    return frozenset(stopwords) | CHROME_WORDS | frozenset(options.extra_stopwords)


def is_content(word: str, tag: str, options: TopicOptions, stop: frozenset[str]) -> bool:
    """Whether a jieba token may be a topic word (see the module docstring)."""
    return (
        tag in options.keep_pos
        and len(word) >= options.min_word_chars
        and word not in stop
        and not RE_NUMERIC.match(word)
    )


def content_runs(item: TopicInput, options: TopicOptions, stop: frozenset[str]) -> list[list[str]]:
    """The item's content words, cut into runs wherever a token was dropped."""
    if len(item.words) != len(item.tags):
        raise ValueError(f"topics: item {item.item_id} has {len(item.words)} words "
                         f"but {len(item.tags)} tags")
    runs: list[list[str]] = [[]]
    for word, tag in zip(item.words, item.tags, strict=True):
        if is_content(word, tag, options, stop):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def learn_phrases(runs: Iterable[list[str]], options: TopicOptions) -> tuple[tuple[str, str], ...]:
    """Bigrams whose NPMI passes ``phrases_threshold`` (gensim Phrases), sorted."""
    if options.phrases_min_count <= 0:
        return ()
    model = Phrases(
        runs, min_count=options.phrases_min_count, threshold=options.phrases_threshold,
        scoring="npmi", delimiter=PHRASE_SEP,
    )
    pairs = (tuple(phrase.split(PHRASE_SEP)) for phrase in model.export_phrases())
    # A word beside itself (清淤 清淤, 研究 研究) is repetition, not a phrase.
    return tuple(sorted(pair for pair in pairs if len(pair) == 2 and pair[0] != pair[1]))


def join_phrases(run: Sequence[str], phrases: frozenset[tuple[str, str]]) -> list[str]:
    """Join known bigrams left to right, as gensim applies them (乡村 振兴 → 乡村振兴)."""
    out: list[str] = []
    i = 0
    while i < len(run):
        if i + 1 < len(run) and (run[i], run[i + 1]) in phrases:
            out.append(run[i] + run[i + 1])
            i += 2
        else:
            out.append(run[i])
            i += 1
    return out


def item_terms(item: TopicInput, options: TopicOptions, stop: frozenset[str],
               phrases: frozenset[tuple[str, str]]) -> list[str]:
    """The item's content words with phrases joined, in text order."""
    return [w for run in content_runs(item, options, stop) for w in join_phrases(run, phrases)]


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
    with _quiet_gensim():
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
    corpus = tuple(_bow(seq) for seq in ids)
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


def _bow(ids: Sequence[int]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(Counter(ids).items()))


def count_matrix(corpus: Sequence[Sequence[tuple[int, int]]], n_terms: int) -> sparse.csr_matrix:
    """Items × terms matrix of counts from bags of words."""
    rows = [row for row, bow in enumerate(corpus) for _ in bow]
    cols = [term for bow in corpus for term, _ in bow]
    data = [count for bow in corpus for _, count in bow]
    return sparse.csr_matrix((np.array(data, dtype=np.float64), (rows, cols)),
                             shape=(len(corpus), n_terms))


def window_matrix(id_seqs: Sequence[Sequence[int]], n_terms: int, window: int) -> sparse.csc_matrix:
    """Windows × terms occurrence matrix: each item cut into windows of ``window`` terms."""
    rows, cols = [], []
    row = 0
    for seq in id_seqs:
        for start in range(0, len(seq), max(window, 1)):
            terms = set(seq[start:start + window])
            rows.extend([row] * len(terms))
            cols.extend(sorted(terms))
            row += 1
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csc_matrix((data, (rows, cols)), shape=(row, n_terms))


# --- fitting and inference ---------------------------------------------------------------


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


def fit(prepared: Prepared, k: int, options: TopicOptions, seed: int,
        *, passes: int | None = None) -> FittedModel:
    """Fit LDA with ``k`` topics, seed topics first; same inputs and seed → same model.

    Alpha is gensim's symmetric 1/k: its learnt ("auto") alpha swung to 12 for one topic
    on a 45-item corpus, and a fixed prior keeps shares comparable across places; the
    fixed "asymmetric" one would favour the first topics, which are the seed topics.
    """
    if k < len(options.seed_topics):
        raise ValueError(f"topics: k={k} is below the {len(options.seed_topics)} seed topics")
    eta, missing = seed_eta(prepared, k, options)
    if missing:  # said once per corpus, not once per candidate fit
        _warn_missing_seeds(tuple(missing))
    dictionary = Dictionary()
    dictionary.token2id = {term: i for i, term in enumerate(prepared.vocab)}
    # One process: LdaMulticore merges its workers' chunks in arrival order (three runs
    # with one random_state differed by up to 0.017 in p(w|t); LdaModel's were equal).
    # One BLAS thread: threads may reorder float sums, and on these small matrices two
    # BLAS threads made NMF 4–14× slower when another process held a core.
    with threadpool_limits(limits=1, user_api="blas"), _quiet_gensim():
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
            bows.append(_bow(ids))
        else:
            dropped.append(item.item_id)
    return Inferred(items=tuple(kept), doc_topic=infer(model, bows), dropped=tuple(dropped))
