"""Chinese segmentation for diaoyan: jieba inside a blank spaCy pipeline.

``make_nlp`` builds ``spacy.blank("zh")`` whose tokenizer cuts with a private
``jieba.Tokenizer`` holding the package user dictionary (``resources/userdict.txt``)
plus any user-supplied ones, then tags tokens from jieba's dictionary POS table
(a lookup, roughly 7x cheaper than ``jieba.posseg``) and marks sentence starts.
``segment_texts`` runs that pipeline over many texts, on several cores when the
batch is big enough, and returns one compact blob per text (``doc_to_bytes``); later
stages read them back with ``load_doc`` or ``tokens_of``.

The private tokenizer keeps the global ``jieba`` module untouched, so two option
sets can live in one process and tests can compare against stock jieba.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import multiprocessing
import re
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jieba
import numpy
import spacy
import srsly
from spacy.attrs import IS_STOP, LENGTH, POS, SENT_START, SPACY, TAG
from spacy.language import Language
from spacy.parts_of_speech import IDS as UPOS_IDS
from spacy.parts_of_speech import NAMES as UPOS_NAMES
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from pipeline.workers import die_with_parent

logger = logging.getLogger(__name__)
# jieba logs its dictionary-cache notices at DEBUG through its own stderr handler, which
# would interleave with every CLI run's output; warnings still get through.
jieba.setLogLevel(logging.WARNING)

# Bump when segmentation, tagging or sentence rules change: it is part of the fingerprint.
NLP_VERSION = "1"
POS_COMPONENT = "diaoyan_pos_v1"
SENT_COMPONENT = "diaoyan_sentences_v1"

RESOURCE_PACKAGE = "pipeline.resources"
USERDICT_RESOURCE = "userdict.txt"
STOPWORDS_RESOURCE = "stopwords.txt"


@dataclass(frozen=True)
class SegmentOptions:
    """Settings of the segment stage (section ``[segment]`` of diaoyan.toml)."""

    # Extra jieba-format dictionaries ("word [freq] [tag]", "#" comments allowed),
    # loaded after the package dictionary so their entries win.
    user_dicts: tuple[str, ...] = ()
    # Extra stopword files (one token per line) added to the package list.
    stopword_files: tuple[str, ...] = ()
    # Worker processes for large batches; 1 keeps everything in-process.
    n_process: int = 2
    # Texts per nlp.pipe batch.
    batch_size: int = 64
    # Tag tokens (token.tag_ jieba tag, token.pos_ UPOS) by dictionary lookup.
    pos: bool = True
    # Below this many characters in total a process pool costs more than it saves
    # (forking plus result transfer is ~0.1 s; jieba does ~250k chars/s per core).
    parallel_min_chars: int = 200_000
    # Texts longer than this are segmented in pieces cut at paragraph ends and joined into
    # one Doc, so no report hits spaCy's max_length (1,000,000) and memory stays bounded.
    piece_chars: int = 100_000


@dataclass(frozen=True)
class DictEntry:
    """One user-dictionary line: a word, an optional frequency and an optional jieba tag."""

    word: str
    freq: int | None = None
    tag: str | None = None


# --- dictionaries and stopwords ----------------------------------------------------------

# jieba's own user-dictionary syntax: the word may contain spaces only if followed by fields.
RE_DICT_LINE = re.compile(r"^(?P<word>\S+)(?:\s+(?P<freq>\d+))?(?:\s+(?P<tag>[A-Za-z]+))?$")


def parse_dictionary(text: str, source: str = "<string>") -> list[DictEntry]:
    """Parse jieba user-dictionary text, skipping blank lines and ``#`` comments."""
    entries = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = RE_DICT_LINE.match(line)
        if match is None:
            raise ValueError(f"{source}:{number}: not 'word [freq] [tag]': {line!r}")
        freq = int(match["freq"]) if match["freq"] else None
        # freq 0 makes jieba register a forced split in a module-global table.
        if freq == 0:
            raise ValueError(f"{source}:{number}: frequency must be positive: {line!r}")
        entries.append(DictEntry(match["word"], freq, match["tag"]))
    return entries


def _read_resource(name: str) -> str:
    return resources.files(RESOURCE_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def load_user_dictionary(user_dicts: Sequence[str] = ()) -> tuple[DictEntry, ...]:
    """Entries of the package dictionary followed by those of ``user_dicts`` files."""
    entries = parse_dictionary(_read_resource(USERDICT_RESOURCE), USERDICT_RESOURCE)
    for path in user_dicts:
        entries.extend(parse_dictionary(Path(path).read_text(encoding="utf-8"), str(path)))
    return tuple(entries)


def _word_lines(text: str) -> list[str]:
    lines = (line.strip() for line in text.lstrip("\ufeff").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def load_stopwords(stopword_files: Sequence[str] = ()) -> frozenset[str]:
    """Stopwords for topic modelling: the package list plus ``stopword_files``."""
    words = _word_lines(_read_resource(STOPWORDS_RESOURCE))
    for path in stopword_files:
        words.extend(_word_lines(Path(path).read_text(encoding="utf-8")))
    return frozenset(words)


def dictionary_fingerprint(options: SegmentOptions | None = None) -> str:
    """Hash of everything that changes segmentation output, for cache keys."""
    options = options or SegmentOptions()
    digest = hashlib.sha256()
    parts = [
        f"nlp={NLP_VERSION} jieba={jieba.__version__} spacy={spacy.__version__}",
        f"pos={options.pos}",
        _read_resource(USERDICT_RESOURCE),
        _read_resource(STOPWORDS_RESOURCE),
    ]
    parts += [Path(p).read_text(encoding="utf-8") for p in options.user_dicts]
    parts += [Path(p).read_text(encoding="utf-8") for p in options.stopword_files]
    for part in parts:
        # Length-prefix each part so moving a line between files changes the hash.
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=4)
def _segmenter_for(entries: tuple[DictEntry, ...]) -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for entry in entries:
        tokenizer.add_word(entry.word, entry.freq, entry.tag)
    return tokenizer


def get_segmenter(options: SegmentOptions | None = None) -> jieba.Tokenizer:
    """A loaded ``jieba.Tokenizer`` with the package and user dictionaries (cached)."""
    options = options or SegmentOptions()
    return _segmenter_for(load_user_dictionary(options.user_dicts))


# --- part-of-speech lookup ---------------------------------------------------------------

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
RE_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def upos_of(tag: str) -> str:
    """Universal POS for a jieba tag (``vn`` -> ``VERB``); ``X`` when unknown."""
    return JIEBA_UPOS_TABLE.get(tag) or JIEBA_UPOS_TABLE.get(tag[:1], "X")


@functools.lru_cache(maxsize=1)
def _base_word_tags() -> dict[str, str]:
    # Importing jieba.posseg reads the tag column of jieba's dict.txt (~0.7 s, once).
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


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
        for token in doc:
            token.tag, token.pos = tag_ids(token.text)
        return doc

    return tag_doc


# Sentence ends: 。！？； and line breaks; closing quotes/brackets stay with the sentence.
SENTENCE_END_CHARS = frozenset("。！？；!?;…")
SENTENCE_CLOSERS = frozenset("”’）)》」』】〕\"'")


def _ends_sentence(text: str) -> bool:
    return "\n" in text or (text != "" and set(text) <= SENTENCE_END_CHARS)


@Language.component(SENT_COMPONENT)
def mark_sentences(doc: Doc) -> Doc:
    """Set sentence starts after 。！？； and newlines so ``doc.sents`` works."""
    starts = numpy.full((len(doc), 1), -1, dtype="int32")  # -1: not a sentence start
    pending_start = True
    for token in doc:
        text = token.text
        ends = _ends_sentence(text)
        if pending_start and not ends and text not in SENTENCE_CLOSERS:
            starts[token.i, 0] = 1
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


# --- building the pipeline ---------------------------------------------------------------


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
        return Doc(self.vocab, words=words, spaces=spaces)


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


# --- segmenting many texts ---------------------------------------------------------------


# Serialized form of a segmented text ("diaoyan tokens", version 1): zlib-compressed
# msgpack of {"v": 1, "text": the text, "n": token lengths, "s": indices of tokens
# followed by one space, "tags"/"t": tag table and per-token index into it, "pos"/"p":
# the same for UPOS, "b": indices of sentence starts}. About 2 bytes per character on the
# seeds, half a DocBin with the same attributes, and readable without spaCy.
TOKENS_FORMAT_VERSION = 1


def _table(values: numpy.ndarray, name_of: Callable[[int], str]) -> tuple[list[str], list[int]]:
    # Per-blob table of the distinct values and one small int per token (1 msgpack byte).
    distinct, index = numpy.unique(values, return_inverse=True)
    return [name_of(int(value)) for value in distinct], index.tolist()


def doc_to_bytes(doc: Doc) -> bytes:
    """Serialize a segmented Doc compactly: text, token lengths, tags, UPOS, sentences."""
    return payload_to_bytes(doc_payload(doc))


def payload_to_bytes(payload: dict) -> bytes:
    """Compress a token payload into the stored blob."""
    return zlib.compress(srsly.msgpack_dumps(payload), 6)


def join_payloads(payloads: Sequence[dict]) -> dict:
    """One payload for texts segmented piece by piece (token indices shifted, tables merged)."""
    joined: dict = {"v": TOKENS_FORMAT_VERSION, "text": "", "n": [], "s": [], "tags": [],
                    "t": [], "pos": [], "p": [], "b": []}
    texts = []
    for payload in payloads:
        offset = len(joined["n"])
        texts.append(payload["text"])
        joined["n"].extend(payload["n"])
        joined["s"].extend(i + offset for i in payload["s"])
        joined["b"].extend(i + offset for i in payload["b"])
        for table, index in (("tags", "t"), ("pos", "p")):
            position = {name: i for i, name in enumerate(joined[table])}
            remap = []
            for name in payload[table]:
                if name not in position:
                    position[name] = len(joined[table])
                    joined[table].append(name)
                remap.append(position[name])
            joined[index].extend(remap[i] for i in payload[index])
    joined["text"] = "".join(texts)
    return joined


def doc_payload(doc: Doc) -> dict:
    """The token payload of a Doc (see TOKENS_FORMAT_VERSION for its fields)."""
    columns = doc.to_array([LENGTH, SPACY, TAG, POS, SENT_START])
    tags, tag_index = _table(columns[:, 2], doc.vocab.strings.__getitem__)
    upos, upos_index = _table(columns[:, 3], UPOS_NAMES.__getitem__)
    payload = {
        "v": TOKENS_FORMAT_VERSION,
        "text": doc.text,
        "n": columns[:, 0].tolist(),
        "s": numpy.flatnonzero(columns[:, 1]).tolist(),
        "tags": tags,
        "t": tag_index,
        "pos": upos,
        "p": upos_index,
        # SENT_START is 1 for a start, -1 (stored as 2**64 - 1) or 0 otherwise.
        "b": numpy.flatnonzero(columns[:, 4] == 1).tolist(),
    }
    return payload


def _payload(data: bytes) -> dict:
    payload = srsly.msgpack_loads(zlib.decompress(data))
    if payload.get("v") != TOKENS_FORMAT_VERSION:
        raise ValueError(f"unsupported token format version {payload.get('v')!r}")
    return payload


def _payload_words(payload: dict) -> tuple[list[str], list[bool]]:
    text, spaced = payload["text"], set(payload["s"])
    words, spaces, start = [], [], 0
    for index, length in enumerate(payload["n"]):
        words.append(text[start : start + length])
        spaces.append(index in spaced)
        start += length + spaces[-1]
    return words, spaces


def load_doc(data: bytes, vocab: Vocab) -> Doc:
    """Rebuild a Doc from ``doc_to_bytes`` output (pass ``nlp.vocab`` for stopword flags)."""
    payload = _payload(data)
    words, spaces = _payload_words(payload)
    tags = [payload["tags"][i] for i in payload["t"]]
    upos = [payload["pos"][i] for i in payload["p"]]
    starts = set(payload["b"])
    return Doc(
        vocab,
        words=words,
        spaces=spaces,
        tags=tags if any(tags) else None,
        pos=upos if any(upos) else None,
        sent_starts=[i in starts for i in range(len(words))] if starts else None,
    )


def tokens_of(data: bytes) -> list[tuple[str, str]]:
    """``(word, tag)`` pairs of a serialized text, whitespace tokens included, no spaCy."""
    payload = _payload(data)
    words, _ = _payload_words(payload)
    return [(word, payload["tags"][i]) for word, i in zip(words, payload["t"], strict=True)]


def _chunk_ranges(sizes: Sequence[int], n_chunks: int) -> list[tuple[int, int]]:
    """Contiguous index ranges of roughly equal total size, in order."""
    target = max(1, sum(sizes) // max(1, n_chunks))
    ranges, start, acc = [], 0, 0
    for index, size in enumerate(sizes):
        acc += size
        if acc >= target:
            ranges.append((start, index + 1))
            start, acc = index + 1, 0
    if start < len(sizes):
        ranges.append((start, len(sizes)))
    return ranges


# State a forked worker inherits: (nlp, texts, batch_size). Set only while a pool runs.
_FORK_JOB: tuple[Language, Sequence[str], int, int] | None = None
_FORK_LOCK = threading.Lock()


def text_pieces(text: str, piece_chars: int) -> list[str]:
    """``text`` cut into pieces of at most ``piece_chars``, at paragraph ends when possible.

    jieba never joins characters across a newline, so segmenting the pieces gives the
    same tokens as segmenting the whole text.
    """
    pieces, start = [], 0
    while len(text) - start > piece_chars:
        cut = text.rfind("\n", start, start + piece_chars)
        if cut <= start:  # one paragraph longer than a piece: cut after a sentence end
            window = text[start : start + piece_chars]
            ends = [window.rfind(mark) for mark in "。！？；"]
            cut = start + max(ends) if max(ends) > 0 else start + piece_chars - 1
        pieces.append(text[start : cut + 1])
        start = cut + 1
    pieces.append(text[start:])
    return [p for p in pieces if p]


def segment_one(nlp: Language, text: str, piece_chars: int) -> bytes:
    """One text's blob, segmented in bounded pieces when it is long.

    Each piece's Doc is reduced to its payload before the next is built, so memory
    stays that of one piece (a spaCy Doc costs hundreds of bytes per token).
    """
    if len(text) <= piece_chars:
        return doc_to_bytes(nlp(text))
    return payload_to_bytes(join_payloads(
        [doc_payload(nlp(piece)) for piece in text_pieces(text, piece_chars)]))


def _segment_all(nlp: Language, texts: Sequence[str], batch_size: int,
                 piece_chars: int) -> list[bytes]:
    if all(len(t) <= piece_chars for t in texts):
        return [doc_to_bytes(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]
    return [segment_one(nlp, text, piece_chars) for text in texts]


def _segment_range(bounds: tuple[int, int]) -> list[bytes]:
    if _FORK_JOB is None:
        raise RuntimeError("segment worker started outside segment_texts")
    nlp, texts, batch_size, piece_chars = _FORK_JOB
    return _segment_all(nlp, texts[bounds[0] : bounds[1]], batch_size, piece_chars)


def _segment_forked(
    nlp: Language, texts: Sequence[str], workers: int, batch_size: int, piece_chars: int
) -> list[bytes]:
    global _FORK_JOB
    # Several chunks per worker so one long report does not leave a core idle.
    ranges = _chunk_ranges([len(t) for t in texts], workers * 4)
    with _FORK_LOCK:
        _FORK_JOB = (nlp, texts, batch_size, piece_chars)
        try:
            # Fork after the dictionary is loaded: workers inherit it instead of reloading,
            # and read texts from inherited memory instead of having them pickled.
            with multiprocessing.get_context("fork").Pool(
                workers, initializer=die_with_parent) as pool:
                parts = pool.map(_segment_range, ranges, chunksize=1)
        finally:
            _FORK_JOB = None
    return [blob for part in parts for blob in part]


def _worker_count(options: SegmentOptions, texts: Sequence[str]) -> int:
    if options.n_process <= 1 or len(texts) < 2:
        return 1
    if sum(len(t) for t in texts) < options.parallel_min_chars:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        logger.warning("no 'fork' start method on this platform; segmenting in-process")
        return 1
    return min(options.n_process, len(texts))


def segment_texts(texts: Iterable[str], options: SegmentOptions | None = None) -> list[bytes]:
    """Segment and tag texts, returning one ``doc_to_bytes`` blob per text, in order."""
    options = options or SegmentOptions()
    texts = list(texts)
    nlp = shared_nlp(options)
    workers = _worker_count(options, texts)
    logger.debug("segmenting %d texts with %d process(es)", len(texts), workers)
    if workers == 1:
        return _segment_all(nlp, texts, options.batch_size, options.piece_chars)
    return _segment_forked(nlp, texts, workers, options.batch_size, options.piece_chars)
