"""Theme vectors: what a unit says, as TF-IDF blocks of words, headline n-grams and concepts.

Used by :mod:`pipeline.analysis.themes`, whose docstring says why each block is there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

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


def unit_terms(candidates, options: ThemeOptions) -> dict[str, list[str]]:
    """Content words of each unit's opening, its headline's repeated ``headline_boost`` times."""
    terms = {}
    for unit in candidates:
        words = [w for w in content_words(unit.words, options.min_word_chars)
                 if w not in GENERIC_TERMS_TABLE]
        if options.lead_chars > 0:
            # The opening states the point; later come examples, figures and place names.
            lead = normalise(unit.text)[: options.lead_chars]
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
    template = template or {}
    # A word in most units separates nothing (only applied to sets big enough to tell).
    max_df = options.max_df if len(candidates) >= MIN_UNITS_FOR_MAX_DF else 1.0
    word_block, vocabulary = _tfidf(
        [words[u.unit_id] for u in candidates], analyzer=_identity, sublinear_tf=True,
        max_df=max_df, norm=None)
    shared = _shared_words(word_block)
    grams = [[g for g in _char_grams(_headline_text(u), options)
              if g not in template.get(u.unit_id, ())] for u in candidates]
    char_block, _ = _tfidf(grams, analyzer=_identity, sublinear_tf=True)
    concepts = [sorted(concepts_in(normalise(u.headline) + lead(u.text))) for u in candidates]
    concept_block, _ = _tfidf(concepts, analyzer=_identity)
    weight, concept_weight = options.headline_weight, options.concept_weight
    matrix = sparse.hstack([shared, weight * char_block, concept_weight * concept_block]).tocsr()
    return matrix / np.sqrt(1 + weight**2 + concept_weight**2), vocabulary, word_block.tocsr()


def _char_grams(text: str, options: ThemeOptions) -> list[str]:
    """Character n-grams of a headline text, none across the spaces left by removed words."""
    return [text[i : i + n] for n in range(options.ngram_min, options.ngram_max + 1)
            for i in range(len(text) - n + 1) if " " not in text[i : i + n]]


def _shared_words(block):
    """Unit-length rows over the words at least two units hold.

    A word only one unit holds cannot make two units alike; left in, it only shrinks the
    cosines of long texts (measured: pairwise F1 on the seeds 0.33 → 0.51 without them).
    """
    df = np.asarray((block > 0).sum(axis=0)).ravel()
    return normalize(block @ sparse.diags((df >= 2).astype(float)))


IDF_OFFSET = 1.0


def _tfidf(documents: list, **settings):
    """TF-IDF matrix and vocabulary; no columns (not an error) when no term survives.

    IDF is ``log((1 + n) / (1 + df))`` without scikit-learn's added 1, so a word every
    unit holds weighs nothing however few the units (干部 in a set of cadre reports).
    """
    vectorizer = TfidfVectorizer(**settings)
    try:
        vectorizer.fit(documents)
    except ValueError:  # "empty vocabulary" / "After pruning, no terms remain"
        return sparse.csr_matrix((len(documents), 0)), np.array([], dtype=object)
    vectorizer.idf_ = vectorizer.idf_ - IDF_OFFSET
    return vectorizer.transform(documents), vectorizer.get_feature_names_out()


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _headline_text(unit: GraphUnit) -> str:
    # 经济待遇偏低 and 工资待遇 share 待遇 whatever jieba made of them; generic words go
    # first, or 培训经费不足 and 工资待遇不足 would meet on 不足.
    return RE_NOT_HAN.sub(" ", RE_GENERIC.sub(" ", normalise(unit.headline)))
