"""Theme vectors: what a unit says, as TF-IDF blocks of words, headline n-grams and concepts.

Used by :mod:`pipeline.analysis.themes`, whose docstring says why each block is there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from pipeline.analysis.links import GraphUnit
from pipeline.analysis.textvec import (
    GENERIC_TERMS_TABLE,
    concepts_in,
    content_words,
    lead,
    normalise,
)

if TYPE_CHECKING:
    from pipeline.analysis.themes import ThemeOptions

RE_NOT_HAN = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
RE_GENERIC = re.compile("|".join(sorted(GENERIC_TERMS_TABLE, key=len, reverse=True)))
MIN_UNITS_FOR_MAX_DF = 20
# A sub-point is found in its parent's text by this many of its first characters.
CHILD_OPENING_CHARS = 20
# A heading whose own text (before its first sub-point) is shorter than this beyond its
# headline is described by its sub-points.
MIN_OWN_CHARS = 20


def own_texts(candidates: Sequence[GraphUnit]) -> dict[str, str]:
    """unit id → its text without its sub-points (a unit's text spans its children).

    A plan heading 着力强化内需主导作用 opens with a sentence of its own, then its first
    sub-point 更大力度提振消费 follows: read whole, the heading's opening is its first
    child's, and a section ends up one theme with its first sub-point."""
    children: dict[str, list[GraphUnit]] = {}
    for unit in candidates:
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, []).append(unit)
    texts = {}
    for unit in candidates:
        starts = [unit.text.find(child.text[:CHILD_OPENING_CHARS])
                  for child in children.get(unit.unit_id, ()) if child.text.strip()]
        starts = [start for start in starts if start > 0]
        own = unit.text[: min(starts)] if starts else unit.text
        # A bare heading over its points (（二）聚力释放有效需求潜力 over 大力提振消费,
        # 扩大有效投资, …) says what its points' headlines say together.
        body = len(normalise(own)) - len(normalise(unit.marker + unit.headline))
        if body < MIN_OWN_CHARS:
            points = sorted(children.get(unit.unit_id, ()), key=lambda child: child.position)
            own += "。".join(child.headline for child in points)
        texts[unit.unit_id] = own
    return texts


def unit_terms(candidates, options: ThemeOptions) -> dict[str, list[str]]:
    """Content words of each unit's opening, its headline's repeated ``headline_boost`` times."""
    terms = {}
    texts = own_texts(candidates)
    for unit in candidates:
        words = [w for w in content_words(unit.words, options.min_word_chars)
                 if w not in GENERIC_TERMS_TABLE]
        if options.lead_chars > 0:
            # The opening states the point; later come examples, figures and place names.
            lead = normalise(texts[unit.unit_id])[: options.lead_chars]
            words = [w for w in words if w in lead]
        headline = normalise(unit.headline)
        terms[unit.unit_id] = words + [w for w in words if w in headline] * options.headline_boost
    return terms


def template_terms(candidates: Sequence[GraphUnit],
                   options: ThemeOptions) -> dict[str, frozenset[str]]:
    """unit id → the words and headline n-grams its list's template holds.

    003 lists 党性不强不想担当作为 / 能力不足不会担当作为 / 心存顾虑不敢担当作为: 担当作为
    is what the list is about, and what tells its items apart is the rest. Only lists of
    three or more siblings are read, so two items that merely share a topic keep it.
    """
    lists: dict[tuple[str, str | None], list[GraphUnit]] = {}
    for unit in candidates:
        lists.setdefault((unit.doc_id, unit.parent_id), []).append(unit)
    template: dict[str, frozenset[str]] = {}
    for siblings in lists.values():
        if len(siblings) < 3:
            continue
        held: Counter[str] = Counter()
        for unit in siblings:
            grams = set(_char_grams(_headline_text(unit), options))
            headline = normalise(unit.headline)
            held.update(grams)
            held.update({w for w in content_words(unit.words, options.min_word_chars)
                         if w in headline} - grams)
        common = frozenset(t for t, n in held.items() if n > options.template_share * len(siblings))
        if common:
            template.update(dict.fromkeys((u.unit_id for u in siblings), common))
    return template


def unit_vectors(candidates: Sequence[GraphUnit], words: Mapping[str, list[str]],
                 options: ThemeOptions, template: Mapping[str, frozenset[str]] | None = None):
    """Unit vectors (norm ≤ 1), the word vocabulary, and the word TF-IDF block.

    Three blocks: words of the opening, character n-grams of the headline (without its
    list's ``template``), and the policy concepts of headline and opening.
    """
    _space, matrix, vocabulary, word_block = fit_vectors(candidates, words, options, template)
    return matrix, vocabulary, word_block


@dataclass(frozen=True)
class Block:
    """One fitted TF-IDF block: its terms (sorted), their IDF, and how rows are weighted."""

    vocabulary: tuple[str, ...]
    idf: np.ndarray
    sublinear: bool
    l2: bool

    def transform(self, documents: Sequence[Sequence[str]]):
        """Rows of ``documents`` in this block's columns: what the fitted vectoriser gives."""
        index = {term: i for i, term in enumerate(self.vocabulary)}
        data, indices, indptr = [], [], [0]
        for tokens in documents:
            counts = Counter(index[t] for t in tokens if t in index)
            for column in sorted(counts):
                indices.append(column)
                data.append(float(counts[column]))
            indptr.append(len(indices))
        rows = sparse.csr_matrix(
            (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int32),
             np.array(indptr, dtype=np.int64)), shape=(len(documents), len(self.vocabulary)))
        if self.sublinear and rows.nnz:
            rows.data = np.log(rows.data) + 1.0
        rows = rows @ sparse.diags(self.idf) if len(self.vocabulary) else rows
        return _l2(rows) if self.l2 else sparse.csr_matrix(rows)


@dataclass(frozen=True)
class VectorSpace:
    """What ``fit_vectors`` learnt, so later units get vectors in the same space.

    Units vectorised later reuse the vocabulary and IDF of the fit: a word the fit never
    saw adds nothing, as a word below ``no_below`` adds nothing to a topic model.
    """

    words: Block
    shared: np.ndarray  # word columns at least two fitted units hold (0/1)
    grams: Block
    concepts: Block
    headline_weight: float
    concept_weight: float

    def transform(self, candidates: Sequence[GraphUnit], words: Mapping[str, list[str]],
                  options: ThemeOptions, template: Mapping[str, frozenset[str]] | None = None):
        """Vectors (as ``fit_vectors`` would give) and word rows of units not in the fit."""
        template = template or {}
        word_block = self.words.transform([words[u.unit_id] for u in candidates])
        shared = _l2(word_block @ sparse.diags(self.shared)) if self.shared.size \
            else word_block
        char_block = self.grams.transform(_gram_documents(candidates, options, template))
        concept_block = self.concepts.transform(
            _concept_documents(candidates, options.headline_boost))
        weight, concept_weight = self.headline_weight, self.concept_weight
        matrix = sparse.hstack([shared, weight * char_block,
                                concept_weight * concept_block]).tocsr()
        return matrix / np.sqrt(1 + weight**2 + concept_weight**2), word_block


def fit_vectors(candidates: Sequence[GraphUnit], words: Mapping[str, list[str]],
                options: ThemeOptions, template: Mapping[str, frozenset[str]] | None = None):
    """The fitted space, unit vectors (norm ≤ 1), the word vocabulary and word TF-IDF block."""
    template = template or {}
    # A word in most units separates nothing (only applied to sets big enough to tell).
    max_df = options.max_df if len(candidates) >= MIN_UNITS_FOR_MAX_DF else 1.0
    word_block, word_fit = _tfidf(
        [words[u.unit_id] for u in candidates], analyzer=_identity, sublinear_tf=True,
        max_df=max_df, norm=None)
    mask = _shared_mask(word_block)
    shared = _l2(word_block @ sparse.diags(mask))
    char_block, gram_fit = _tfidf(_gram_documents(candidates, options, template),
                                  analyzer=_identity, sublinear_tf=True)
    concept_block, concept_fit = _tfidf(_concept_documents(candidates, options.headline_boost),
                                        analyzer=_identity)
    weight, concept_weight = options.headline_weight, options.concept_weight
    matrix = sparse.hstack([shared, weight * char_block, concept_weight * concept_block]).tocsr()
    space = VectorSpace(word_fit, mask, gram_fit, concept_fit, weight, concept_weight)
    return (space, matrix / np.sqrt(1 + weight**2 + concept_weight**2),
            np.array(word_fit.vocabulary, dtype=object), word_block.tocsr())


def _gram_documents(candidates, options, template) -> list[list[str]]:
    return [[g for g in _char_grams(_headline_text(u), options)
             if g not in template.get(u.unit_id, ())] for u in candidates]


def _concept_documents(candidates, headline_boost: int = 0) -> list[list[str]]:
    """The concepts of each unit's headline and opening, the headline's repeated
    ``headline_boost`` times more: 激励手段较少，优秀人才留不住 is about incentives and
    keeping talent, whatever else its explanation touches (pensions, school fees)."""
    texts = own_texts(candidates)
    return [sorted(concepts_in(normalise(u.headline) + lead(texts[u.unit_id])))
            + sorted(concepts_in(normalise(u.headline))) * headline_boost
            for u in candidates]


def _char_grams(text: str, options: ThemeOptions) -> list[str]:
    """Character n-grams of a headline text, none across the spaces left by removed words."""
    return [text[i : i + n] for n in range(options.ngram_min, options.ngram_max + 1)
            for i in range(len(text) - n + 1) if " " not in text[i : i + n]]


def _shared_mask(block) -> np.ndarray:
    """1 for the words at least two units hold, else 0.

    A word only one unit holds cannot make two units alike; left in, it only shrinks the
    cosines of long texts (measured: pairwise F1 on the seeds 0.33 → 0.51 without them).
    """
    df = np.asarray((block > 0).sum(axis=0)).ravel()
    return (df >= 2).astype(float)


def _l2(rows):
    """Rows scaled to unit length (zero rows stay zero), as scikit-learn's ``normalize``:
    squares summed in row order, each value divided by its row's norm."""
    rows = sparse.csr_matrix(rows, dtype=np.float64, copy=True)
    row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=rows.data * rows.data,
                                minlength=rows.shape[0]))
    norms[norms == 0.0] = 1.0
    rows.data /= norms[row_of]
    return rows


IDF_OFFSET = 1.0


def _tfidf(documents: list, **settings):
    """TF-IDF matrix and the fitted block; no columns (not an error) when no term survives.

    IDF is ``log((1 + n) / (1 + df))`` without scikit-learn's added 1, so a word every
    unit holds weighs nothing however few the units (干部 in a set of cadre reports).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer  # only a full fit needs it

    vectorizer = TfidfVectorizer(**settings)
    sublinear, l2 = bool(settings.get("sublinear_tf")), settings.get("norm", "l2") == "l2"
    try:
        vectorizer.fit(documents)
    except ValueError:  # "empty vocabulary" / "After pruning, no terms remain"
        return (sparse.csr_matrix((len(documents), 0)),
                Block((), np.zeros(0), sublinear, l2))
    vectorizer.idf_ = vectorizer.idf_ - IDF_OFFSET
    block = Block(tuple(str(t) for t in vectorizer.get_feature_names_out()),
                  np.asarray(vectorizer.idf_, dtype=np.float64).copy(), sublinear, l2)
    return vectorizer.transform(documents), block


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _headline_text(unit: GraphUnit) -> str:
    # 经济待遇偏低 and 工资待遇 share 待遇 whatever jieba made of them; generic words go
    # first, or 培训经费不足 and 工资待遇不足 would meet on 不足.
    return RE_NOT_HAN.sub(" ", RE_GENERIC.sub(" ", normalise(unit.headline)))
