"""Chinese segmentation for diaoyan: jieba inside a blank spaCy pipeline.

The segment stage and the analyses use this package through its top-level names
(``from pipeline import nlp; nlp.segment_texts(texts, options)``). Inside:

* :mod:`.dictionaries` - ``SegmentOptions``, the user dictionary and stopwords, and the
  fingerprint of all word lists (part of every segmentation's cache key);
* :mod:`.pos` - part-of-speech tags by dictionary lookup (a spaCy component);
* :mod:`.segmenter` - the jieba tokenizer inside ``spacy.blank("zh")``, sentence starts,
  ``make_nlp`` / ``shared_nlp``;
* :mod:`.tokens` - the compact stored form of a segmented text (``doc_to_bytes``,
  ``load_doc``, ``tokens_of``);
* :mod:`.pool` - ``segment_texts``: many texts, on several cores when the batch is big.
"""

from __future__ import annotations

from pipeline.nlp.dictionaries import (
    NLP_VERSION,
    DictEntry,
    SegmentOptions,
    dictionary_fingerprint,
    load_stopwords,
    load_user_dictionary,
    parse_dictionary,
)
from pipeline.nlp.pool import (
    segment_one,
    segment_texts,
    text_pieces,
)
from pipeline.nlp.pos import (
    POS_COMPONENT,
    TagLookup,
    make_pos_tagger,
    upos_of,
)
from pipeline.nlp.segmenter import (
    SENT_COMPONENT,
    JiebaTokenizer,
    get_segmenter,
    make_nlp,
    mark_sentences,
    sentences,
    shared_nlp,
    words_and_spaces,
)
from pipeline.nlp.tokens import (
    TOKENS_FORMAT_VERSION,
    doc_payload,
    doc_to_bytes,
    join_payloads,
    load_doc,
    payload_to_bytes,
    tokens_of,
)

# isort: split
# Helpers tests/test_nlp.py reaches through the package.
from pipeline.nlp.pool import _chunk_ranges  # noqa: F401
from pipeline.nlp.pos import _is_punct  # noqa: F401

__all__ = [
    "NLP_VERSION",
    "SegmentOptions",
    "DictEntry",
    "parse_dictionary",
    "load_user_dictionary",
    "load_stopwords",
    "dictionary_fingerprint",
    "POS_COMPONENT",
    "upos_of",
    "TagLookup",
    "make_pos_tagger",
    "SENT_COMPONENT",
    "get_segmenter",
    "mark_sentences",
    "sentences",
    "words_and_spaces",
    "JiebaTokenizer",
    "make_nlp",
    "shared_nlp",
    "TOKENS_FORMAT_VERSION",
    "doc_to_bytes",
    "payload_to_bytes",
    "join_payloads",
    "doc_payload",
    "load_doc",
    "tokens_of",
    "text_pieces",
    "segment_one",
    "segment_texts",
]
