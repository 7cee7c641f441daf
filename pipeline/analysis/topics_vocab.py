"""Which words of an item are topic words: filtering, phrases, and the corpus matrices.

Filtering, in order (``content_runs``): a token is kept when its jieba tag is in
``keep_pos`` (exact tag), it has at least ``min_word_chars`` characters, it is not a
number or a number with a unit (2019年, 3.5亿元), and it is not in the stopword list, the
built-in ``CHROME_WORDS`` or ``extra_stopwords``. A dropped token breaks the run, so a
phrase is only learnt from words that stood side by side in the text.

``topics.prepare`` runs these over a corpus; ``topics_infer.fold_in`` over new items.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources

import numpy as np
from scipy import sparse

from pipeline.analysis.topics_records import TopicInput, TopicOptions

CHROME_WORDS_RESOURCE = "topic_chrome_words.txt"


def resource_words(name: str) -> frozenset[str]:
    """The words of a one-word-a-line file of ``pipeline/resources`` ("#" lines skipped)."""
    text = resources.files("pipeline.resources").joinpath(name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.lstrip("\ufeff").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


# Web-page furniture (下载 打印 字号 …) that would otherwise make a topic of every site's chrome.
CHROME_WORDS = resource_words(CHROME_WORDS_RESOURCE)

# 2019, 3.5, 35%, 2019年, 3.5亿元, 十五: numbers alone or with a unit are not topic words.
RE_NUMERIC = re.compile(
    r"^(?:[0-9０-９][0-9０-９.．,，%％]*[年月日号时元万亿千百个人户家次项条名所座台倍岁]*"
    r"|[〇零一二两三四五六七八九十百千万亿]+)$"
)

PHRASE_SEP = "\x1f"  # joins a bigram while learning; never occurs in a jieba word


@contextlib.contextmanager
def quiet_gensim() -> Iterator[None]:
    """Silence gensim's INFO and warnings for the duration (they come once per fit)."""
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
    from gensim.models.phrases import Phrases  # only a fit learns phrases

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


# --- bags of words and matrices ----------------------------------------------------------


def bag_of_words(ids: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """(term id, count) pairs of a sequence of term ids, by term id."""
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
