"""Segmenting many texts: in-process for small batches, forked workers for large ones.

``segment_texts`` returns one :func:`~pipeline.nlp.tokens.doc_to_bytes` blob per text, in
order. Workers are forked after the dictionaries are loaded, so they inherit the
pipeline and the texts instead of reloading or unpickling them; long texts are segmented
in bounded pieces cut at paragraph ends.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Iterable, Sequence

from spacy.language import Language

from pipeline.nlp.dictionaries import SegmentOptions
from pipeline.nlp.segmenter import shared_nlp
from pipeline.nlp.tokens import doc_payload, doc_to_bytes, join_payloads, payload_to_bytes
from pipeline.workers import die_with_parent

logger = logging.getLogger(__name__)


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


def segment_payloads(texts: Sequence[str], options: SegmentOptions | None = None) -> list[dict]:
    """In this process, one token payload per text: what ``segment_texts`` would pack.

    For callers that read the words themselves (the segment stage finds sentence words)
    before packing with :func:`~pipeline.nlp.tokens.payload_to_bytes`.
    """
    options = options or SegmentOptions()
    nlp = shared_nlp(options)
    if all(len(t) <= options.piece_chars for t in texts):
        return [doc_payload(doc) for doc in nlp.pipe(texts, batch_size=options.batch_size)]
    return [doc_payload(nlp(text)) if len(text) <= options.piece_chars else join_payloads(
        [doc_payload(nlp(piece)) for piece in text_pieces(text, options.piece_chars)])
        for text in texts]


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
