"""The segmenter: jieba inside a blank Chinese spaCy pipeline.

``make_nlp`` builds ``spacy.blank("zh")`` whose tokenizer cuts with a private
``jieba.Tokenizer`` holding the package and user dictionaries, then tags tokens
(:mod:`pipeline.nlp.pos`) and marks sentence starts. The private tokenizer keeps the
global ``jieba`` module untouched, so two option sets can live in one process and tests
can compare against stock jieba. ``shared_nlp`` builds one pipeline per dictionary
fingerprint and reuses it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

import jieba
import numpy
import spacy
from spacy.attrs import IS_STOP, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from pipeline.nlp.dictionaries import (
    DictEntry,
    SegmentOptions,
    dictionary_fingerprint,
    load_stopwords,
    load_user_dictionary,
)
from pipeline.nlp.pos import POS_COMPONENT
from pipeline.nlp.tokens import TEXT_KEY, WORDS_KEY, token_texts
from pipeline.text.vocab import CLOSING_QUOTES, SENTENCE_END

SENT_COMPONENT = "diaoyan_sentences_v1"


@functools.lru_cache(maxsize=4)
def _segmenter_for(entries: tuple[DictEntry, ...]) -> jieba.Tokenizer:
    # jieba logs its dictionary-cache notices at DEBUG through its own stderr handler,
    # which would interleave with every CLI run's output; warnings still get through.
    # Set here, where the first tokenizer is built, not when the module is imported.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for entry in entries:
        tokenizer.add_word(entry.word, entry.freq, entry.tag)
    return tokenizer


def get_segmenter(options: SegmentOptions | None = None) -> jieba.Tokenizer:
    """A loaded ``jieba.Tokenizer`` with the package and user dictionaries (cached)."""
    options = options or SegmentOptions()
    return _segmenter_for(load_user_dictionary(options.user_dicts))


# Sentence ends: 。！？； and line breaks; closing quotes/brackets stay with the sentence.
SENTENCE_END_CHARS = frozenset(SENTENCE_END + "…")
SENTENCE_CLOSERS = frozenset(CLOSING_QUOTES + "》】〕\"'")


def _ends_sentence(text: str) -> bool:
    return "\n" in text or (text != "" and set(text) <= SENTENCE_END_CHARS)


@Language.component(SENT_COMPONENT)
def mark_sentences(doc: Doc) -> Doc:
    """Set sentence starts after 。！？； and newlines so ``doc.sents`` works."""
    starts = numpy.full((len(doc), 1), -1, dtype="int32")  # -1: not a sentence start
    pending_start = True
    for index, text in enumerate(token_texts(doc)):  # texts, not Tokens: 3x cheaper
        ends = _ends_sentence(text)
        if pending_start and not ends and text not in SENTENCE_CLOSERS:
            starts[index, 0] = 1
            pending_start = False
        if ends:
            pending_start = True
    if len(doc):
        starts[0, 0] = 1
        # Setting token.is_sent_start one by one is quadratic in spaCy; one array write is not.
        doc.from_array([SENT_START], starts.astype("uint64"))
    return doc


def sentences(doc: Doc) -> list[Span]:
    """The sentences of a segmented Doc (split on 。！？； and newlines)."""
    return list(doc.sents)


def _install_stopwords(vocab: Vocab, stopwords: frozenset[str]) -> None:
    # Replace spaCy's bundled Chinese list (it marks cue words such as 加强) with ours,
    # for lexemes that exist now and for those created later.
    vocab.lex_attr_getters[IS_STOP] = stopwords.__contains__
    for lexeme in vocab:
        lexeme.is_stop = lexeme.orth_ in stopwords


def words_and_spaces(pieces: Iterable[str]) -> tuple[list[str], list[bool]]:
    """spaCy words/spaces from segmenter pieces that concatenate to the text.

    Same result as ``spacy.util.get_words_and_spaces`` (one space after a word becomes
    ``whitespace_``, other whitespace runs become tokens) in linear time: spaCy's version
    re-slices the remaining text for every word, quadratic on a 30k-character report.
    """
    words: list[str] = []
    spaces: list[bool] = []
    gap = ""
    for piece in pieces:
        if piece.isspace():
            gap += piece
            continue
        if gap:
            _flush_gap(gap, words, spaces)
            gap = ""
        if piece:
            words.append(piece)
            spaces.append(False)
    if gap:
        _flush_gap(gap, words, spaces)
    return words, spaces


def _flush_gap(gap: str, words: list[str], spaces: list[bool]) -> None:
    if words and gap[0] == " ":
        spaces[-1] = True
        gap = gap[1:]
    if gap:
        words.append(gap)
        spaces.append(False)


class JiebaTokenizer:
    """spaCy tokenizer: cut with a private jieba.Tokenizer, build a Doc in linear time."""

    def __init__(self, vocab: Vocab, segmenter: jieba.Tokenizer):
        self.vocab = vocab
        self.segmenter = segmenter

    def __call__(self, text: str) -> Doc:
        """Segment ``text`` into a Doc whose ``doc.text`` equals ``text``."""
        pieces = list(self.segmenter.cut(text, cut_all=False, HMM=True))
        if "".join(pieces) != text:
            # jieba keeps every character today; fall back to spaCy's aligner if it stops.
            words, spaces = spacy.util.get_words_and_spaces(pieces, text)
        else:
            words, spaces = words_and_spaces(pieces)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        # Components read these instead of doc.text and Token objects (which cost more
        # than jieba itself); nothing retokenizes the Doc afterwards.
        doc.user_data[TEXT_KEY] = text
        doc.user_data[WORDS_KEY] = words
        return doc


def make_nlp(options: SegmentOptions | None = None) -> Language:
    """A blank Chinese spaCy pipeline that segments with jieba and the domain dictionary."""
    options = options or SegmentOptions()
    # Our own tokenizer rather than spaCy's "jieba" segmenter: that one uses the global
    # jieba module (we keep the domain dictionary out of global state) and aligns words
    # to text in quadratic time.
    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaTokenizer(nlp.vocab, get_segmenter(options))
    _install_stopwords(nlp.vocab, load_stopwords(options.stopword_files))
    if options.pos:
        nlp.add_pipe(POS_COMPONENT, config={"user_dicts": list(options.user_dicts)})
    nlp.add_pipe(SENT_COMPONENT)
    return nlp


@functools.lru_cache(maxsize=4)
def _cached_nlp(fingerprint: str, options: SegmentOptions) -> Language:
    return make_nlp(options)


def shared_nlp(options: SegmentOptions | None = None) -> Language:
    """``make_nlp(options)``, built once per dictionary fingerprint and reused."""
    options = options or SegmentOptions()
    # Only the fields that change the pipeline itself, so n_process etc. share one instance.
    key = SegmentOptions(
        user_dicts=options.user_dicts, stopword_files=options.stopword_files, pos=options.pos
    )
    return _cached_nlp(dictionary_fingerprint(options), key)
