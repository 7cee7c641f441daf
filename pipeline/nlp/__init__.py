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

Names are imported from their module on first use (PEP 562), so a run with nothing to
segment never imports spaCy: ``SegmentOptions``, ``dictionary_fingerprint`` and
``tokens_of`` need neither spaCy nor jieba.
"""

from __future__ import annotations

import importlib
from typing import Any

# name → the submodule that defines it
_HOME = {
    **dict.fromkeys(("NLP_VERSION", "DictEntry", "SegmentOptions", "dictionary_fingerprint",
                     "load_stopwords", "load_user_dictionary", "parse_dictionary"),
                    "dictionaries"),
    **dict.fromkeys(("segment_one", "segment_payloads", "segment_texts", "text_pieces",
                     "_chunk_ranges"), "pool"),
    **dict.fromkeys(("POS_COMPONENT", "TagLookup", "make_pos_tagger", "upos_of", "_is_punct"),
                    "pos"),
    **dict.fromkeys(("SENT_COMPONENT", "JiebaTokenizer", "get_segmenter", "make_nlp",
                     "mark_sentences", "sentences", "shared_nlp", "words_and_spaces",
                     "_cached_nlp"), "segmenter"),
    **dict.fromkeys(("TOKENS_FORMAT_VERSION", "doc_payload", "doc_to_bytes", "join_payloads",
                     "load_doc", "payload_to_bytes", "payload_words", "tokens_of"), "tokens"),
}

__all__ = [name for name in _HOME if not name.startswith("_")]


def __getattr__(name: str) -> Any:
    """Import the defining submodule on first use and cache the name here."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
