"""The stored form of a segmented text: compact token arrays that load back as spaCy Docs.

``doc_to_bytes`` writes one blob per text; ``load_doc`` rebuilds the Doc (for stopword
flags pass the pipeline's vocab) and ``tokens_of`` reads ``(word, tag)`` pairs without
spaCy.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import srsly

if TYPE_CHECKING:  # spaCy is imported where a Doc is built or read, not to read tokens
    import numpy
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

# Serialized form of a segmented text ("diaoyan tokens", version 1): zlib-compressed
# msgpack of {"v": 1, "text": the text, "n": token lengths, "s": indices of tokens
# followed by one space, "tags"/"t": tag table and per-token index into it, "pos"/"p":
# the same for UPOS, "b": indices of sentence starts}. About 2 bytes per character on the
# seeds, half a DocBin with the same attributes, and readable without spaCy.
TOKENS_FORMAT_VERSION = 1
# Where the tokenizer leaves a Doc's text and token texts (doc.text and Token objects are
# slow to build; the pipeline's components and doc_payload read these instead).
TEXT_KEY = "diaoyan.text"
WORDS_KEY = "diaoyan.words"


def doc_text(doc: Doc) -> str:
    """``doc.text``, from what the tokenizer left when it can be trusted."""
    text = doc.user_data.get(TEXT_KEY)
    return text if text is not None and len(doc.user_data.get(WORDS_KEY, ())) == len(doc) \
        else doc.text


def token_texts(doc: Doc) -> list[str]:
    """The tokens' texts without building Token objects."""
    words = doc.user_data.get(WORDS_KEY)
    if words is not None and len(words) == len(doc):
        return words
    from spacy.attrs import IDX, LENGTH

    text = doc.text
    return [text[start : start + length] for start, length in doc.to_array([IDX, LENGTH])]


def _table(values: numpy.ndarray, name_of: Callable[[int], str]) -> tuple[list[str], list[int]]:
    # Per-blob table of the distinct values and one small int per token (1 msgpack byte).
    import numpy

    distinct, index = numpy.unique(values, return_inverse=True)
    return [name_of(int(value)) for value in distinct], index.tolist()


def doc_to_bytes(doc: Doc) -> bytes:
    """Serialize a segmented Doc compactly: text, token lengths, tags, UPOS, sentences."""
    return payload_to_bytes(doc_payload(doc))


def payload_to_bytes(payload: dict) -> bytes:
    """Compress a token payload into the stored blob."""
    return zlib.compress(_packer().pack(payload), 6)


_PACKERS = threading.local()


def _packer() -> Any:
    # srsly.msgpack_dumps builds a Packer per call, scanning its plugin registry (3 ms);
    # one plain Packer per thread writes the same bytes for our lists, ints and strings.
    packer = getattr(_PACKERS, "packer", None)
    if packer is None:
        packer = _PACKERS.packer = srsly.msgpack.Packer(use_bin_type=True)
    return packer


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
    import numpy
    from spacy.attrs import LENGTH, POS, SENT_START, SPACY, TAG
    from spacy.parts_of_speech import NAMES as UPOS_NAMES

    columns = doc.to_array([LENGTH, SPACY, TAG, POS, SENT_START])
    tags, tag_index = _table(columns[:, 2], doc.vocab.strings.__getitem__)
    upos, upos_index = _table(columns[:, 3], UPOS_NAMES.__getitem__)
    payload = {
        "v": TOKENS_FORMAT_VERSION,
        "text": doc_text(doc),
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
    # srsly's unpackb without its numpy hook (no arrays inside), which costs 3 ms a call
    payload = srsly.msgpack._unpackb(zlib.decompress(data), raw=False, use_list=True)
    if payload.get("v") != TOKENS_FORMAT_VERSION:
        raise ValueError(f"unsupported token format version {payload.get('v')!r}")
    return payload


def payload_words(payload: dict) -> tuple[list[str], list[int]]:
    """The words of a token payload (whitespace tokens included) and their start offsets."""
    text, spaced = payload["text"], set(payload["s"])
    words, starts, start = [], [], 0
    for index, length in enumerate(payload["n"]):
        words.append(text[start : start + length])
        starts.append(start)
        start += length + (index in spaced)
    return words, starts


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
    from spacy.tokens import Doc

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
