"""The stored form of a segmented text: compact token arrays that load back as spaCy Docs.

``doc_to_bytes`` writes one blob per text; ``load_doc`` rebuilds the Doc (for stopword
flags pass the pipeline's vocab) and ``tokens_of`` reads ``(word, tag)`` pairs without
spaCy.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import numpy
import srsly
from spacy.attrs import LENGTH, POS, SENT_START, SPACY, TAG
from spacy.parts_of_speech import NAMES as UPOS_NAMES
from spacy.tokens import Doc
from spacy.vocab import Vocab

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
