"""Part-of-speech tags by dictionary lookup: a spaCy component, no HMM tagging.

Each token gets jieba's dictionary tag (user dictionaries first) as ``token.tag_`` and
its Universal POS as ``token.pos_``; numbers, punctuation and Latin words are recognised
by shape, and an unknown Chinese compound takes the tag of its longest known tail
(村社干部队伍 tags like 队伍). About 7x cheaper than ``jieba.posseg``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy
from spacy.attrs import POS, TAG
from spacy.language import Language
from spacy.parts_of_speech import IDS as UPOS_IDS
from spacy.tokens import Doc

from pipeline.filecache import marshal_cached
from pipeline.nlp.dictionaries import load_user_dictionary
from pipeline.nlp.tokens import token_texts
from pipeline.text.vocab import HAN_BASIC

POS_COMPONENT = "diaoyan_pos_v1"

# jieba (ICTCLAS) tag -> Universal POS; looked up by full tag, then by its first letter.
JIEBA_UPOS_TABLE = {
    "a": "ADJ", "ad": "ADV", "an": "NOUN", "b": "ADJ", "c": "CCONJ", "d": "ADV",
    "e": "INTJ", "eng": "X", "f": "NOUN", "g": "X", "h": "PART", "i": "X", "j": "NOUN",
    "k": "PART", "l": "X", "m": "NUM", "mq": "NUM", "n": "NOUN", "nr": "PROPN",
    "ns": "PROPN", "nt": "PROPN", "nz": "PROPN", "o": "X", "p": "ADP", "q": "NOUN",
    "r": "PRON", "s": "NOUN", "t": "NOUN", "u": "PART", "v": "VERB", "vn": "VERB",
    "x": "X", "y": "PART", "z": "ADJ",
}  # fmt: skip

# 2019, 3.5, １２ and Chinese numerals (三十五) that jieba's HMM leaves as unknown words.
RE_NUMBER = re.compile(
    r"^(?:[0-9０-９]+(?:[.．][0-9０-９]+)?|[〇零一二两三四五六七八九十百千万亿]+)$"
)
RE_LATIN = re.compile(r"^[A-Za-zＡ-Ｚａ-ｚ][A-Za-z0-9Ａ-Ｚａ-ｚ０-９._\-]*$")
RE_HAN = re.compile(f"^[{HAN_BASIC}]+$")


def upos_of(tag: str) -> str:
    """Universal POS for a jieba tag (``vn`` -> ``VERB``); ``X`` when unknown."""
    return JIEBA_UPOS_TABLE.get(tag) or JIEBA_UPOS_TABLE.get(tag[:1], "X")


@functools.lru_cache(maxsize=1)
def _base_word_tags() -> dict[str, str]:
    """word → tag of jieba's dict.txt: what ``jieba.posseg.dt.word_tag_tab`` holds.

    jieba.posseg parses the 350,000 lines on import (1-2 s in every process that
    segments); the table is cached beside jieba's own dictionary cache, keyed by the
    file's path, size and time, and read back with marshal in a tenth of that.
    """
    import jieba

    source = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)
    return marshal_cached("wordtags", source, lambda: _parse_word_tags(source))


def _parse_word_tags(source: Path) -> dict[str, str]:
    table = {}
    with source.open("rb") as lines:  # the parse of jieba.posseg's load_word_tag
        for line in lines:
            line = line.strip().decode("utf-8")
            if line:
                word, _, tag = line.split(" ")
                table[word] = tag
    return table


def _is_punct(word: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PS" for ch in word)


class TagLookup:
    """Maps a token to ``(jieba tag, UPOS)`` from dictionary tables and a few rules."""

    def __init__(self, user_tags: dict[str, str]):
        self.user_tags = user_tags
        self.base_tags = _base_word_tags()

    def known_tag(self, word: str) -> str | None:
        """The dictionary tag of ``word``, user dictionaries first."""
        return self.user_tags.get(word) or self.base_tags.get(word)

    def tag_of(self, word: str) -> tuple[str, str]:
        """``(tag, upos)`` for one token, guessing for words no dictionary knows."""
        if word.isspace():
            return "x", "SPACE"
        tag = self.known_tag(word)
        if tag is not None:
            return tag, upos_of(tag)
        if RE_NUMBER.match(word):
            return "m", "NUM"
        if _is_punct(word):
            return "x", "PUNCT" if unicodedata.category(word[0])[0] == "P" else "SYM"
        if RE_LATIN.match(word):
            return "eng", "X"
        if RE_HAN.match(word) and len(word) > 2:
            # Chinese compounds are head-final: an unknown 村社干部队伍 tags like 队伍.
            for start in range(1, len(word) - 1):
                tag = self.known_tag(word[start:])
                if tag is not None:
                    return tag, upos_of(tag)
        return "x", "X"


@Language.factory(POS_COMPONENT, default_config={"user_dicts": []})
def make_pos_tagger(nlp: Language, name: str, user_dicts: list[str]) -> Callable[[Doc], Doc]:
    """spaCy factory: set ``tag_``/``pos_`` from jieba's dictionary tags (no HMM tagging)."""
    entries = load_user_dictionary(tuple(user_dicts))
    lookup = TagLookup({e.word: e.tag for e in entries if e.tag})
    strings = nlp.vocab.strings

    @functools.lru_cache(maxsize=200_000)
    def tag_ids(word: str) -> tuple[int, int]:
        tag, upos = lookup.tag_of(word)
        return strings.add(tag), UPOS_IDS[upos]

    def tag_doc(doc: Doc) -> Doc:
        if len(doc):  # one array write: setting token.tag one Token at a time costs 3x more
            ids = numpy.array([tag_ids(word) for word in token_texts(doc)], dtype="uint64")
            doc.from_array([TAG, POS], ids)
        return doc

    return tag_doc
