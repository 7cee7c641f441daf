"""Segment: documents → jieba tokens with POS tags inside spaCy Docs, and sentences.

Reads ok documents, writes the ``tokens`` (a serialized spaCy Doc per document) and
``sentences`` tables. Keyed by the document's content hash, the ``segment`` config
and a fingerprint of the dictionaries, so later stages never re-segment unchanged
text; only changed documents are segmented, in batches committed as they finish.

Workers (the run's executor: forked processes, or a Dask cluster) segment chunks of
documents and also find their sentences and each sentence's words, so the main process
only writes. spaCy and the dictionaries are loaded only when there is text to segment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from pipeline import nlp
from pipeline.nlp.dictionaries import SegmentOptions, dictionary_fingerprint
from pipeline.records import Document
from pipeline.stages import StageContext, StageResult, work_key
from pipeline.text.sentences import sentence_spans

STAGE = "segment"
BATCH_DOCS = 200  # documents per transaction: a killed run keeps finished batches
CHUNKS_PER_WORKER = 8  # chunks per worker: one long report does not leave a core idle
MAX_CHUNK_CHARS = 400_000  # a chunk's texts and results stay small to send and hold


@dataclass(frozen=True)
class Segmented:
    """One document's segmentation: the token blob, its sentences and their words."""

    blob: bytes
    sentences: list[tuple[int, int]]
    sentence_words: list[tuple[int, int, str]]


@dataclass(frozen=True)
class SegmentTask:
    """Texts to segment in one worker call, with the options to do it with."""

    texts: tuple[str, ...]
    options: SegmentOptions


def run(ctx: StageContext) -> StageResult:
    """Segment every document whose text or dictionaries changed."""
    store, config = ctx.store, ctx.config
    result = StageResult(STAGE)
    options = config.options("segment", SegmentOptions)
    digest = f"{config.digest('segment')}:{dictionary_fingerprint(options)}"
    hashes = store.get_content_hashes()
    pending = ctx.due(((doc, work_key(STAGE, ctx.version, digest, hashes[doc.doc_id]))
                       for doc in ctx.documents()), result)
    batch: list[tuple[Document, str, Segmented | BaseException]] = []
    finished = 0
    for outcome in segment_pending(ctx, pending, options):
        batch.append(outcome)
        if len(batch) >= BATCH_DOCS or finished + len(batch) == len(pending):
            store_batch(ctx, batch, result)
            finished += len(batch)
            batch = []
            ctx.report("segmented", finished, len(pending))
    return result


def store_batch(ctx: StageContext, batch: list[tuple[Document, str, Segmented | BaseException]],
                result: StageResult) -> None:
    """Write one batch of segmentations (or per-document failures) in one transaction."""
    store = ctx.store
    with store.transaction():
        store.delete_sentence_words(doc.doc_id for doc, _, _ in batch)  # one pass per batch
        for doc, key, outcome in batch:
            if isinstance(outcome, BaseException):
                ctx.document_failed(doc.doc_id, key, outcome)
                store.delete_work(STAGE, [doc.doc_id])
                result.errors += 1
                continue
            store.put_tokens(doc.doc_id, outcome.blob)
            store.replace_sentences(doc.doc_id, outcome.sentences)
            store.add_sentence_words(doc.doc_id, outcome.sentence_words)
            store.put_work_key(STAGE, doc.doc_id, key)
            store.clear_doc_error(STAGE, doc.doc_id)
            result.processed += 1


def segment_pending(ctx: StageContext, pending: list[tuple[Document, str]],
                    options: SegmentOptions,
                    ) -> Iterator[tuple[Document, str, Segmented | BaseException]]:
    """(doc, key, outcome) for every pending document, in order, on the run's executor."""
    executor = ctx.text_executor([doc.text for doc, _ in pending], options.parallel_min_chars,
                                 max_workers=options.n_process)
    if executor is None:
        for offset in range(0, len(pending), BATCH_DOCS):
            chunk = pending[offset : offset + BATCH_DOCS]
            outcomes = segment_batch([doc.text for doc, _ in chunk], options)
            for (doc, key), outcome in zip(chunk, outcomes, strict=True):
                yield doc, key, outcome
        return
    if executor.kind == "local":
        nlp.shared_nlp(options)  # load the dictionaries once, before the workers fork
    chunks = chunk_documents(pending, executor.workers)
    tasks = [SegmentTask(tuple(doc.text for doc, _ in chunk), options) for chunk in chunks]
    for chunk, outcome in zip(chunks, executor.map(segment_task, tasks), strict=True):
        if isinstance(outcome, BaseException):  # one bad text (or a dead worker) costs one
            outcome = segment_batch([doc.text for doc, _ in chunk], options)
        for (doc, key), segmented in zip(chunk, outcome, strict=True):
            yield doc, key, segmented


def chunk_documents(pending: list[tuple[Document, str]],
                    workers: int) -> list[list[tuple[Document, str]]]:
    """Consecutive runs of documents of about equal text, several per worker."""
    total = sum(len(doc.text) for doc, _ in pending)
    target = max(1, min(MAX_CHUNK_CHARS, total // max(1, workers * CHUNKS_PER_WORKER)))
    chunks: list[list[tuple[Document, str]]] = [[]]
    size = 0
    for item in pending:
        if chunks[-1] and size >= target:
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += len(item[0].text)
    return chunks


def segment_task(task: SegmentTask) -> list[Segmented]:
    """Worker entry point: segment a chunk of texts in this process; raises on failure."""
    in_process = replace(task.options, n_process=1)
    payloads = nlp.segment_payloads(task.texts, in_process)
    return [segmented(text, payload) for text, payload in zip(task.texts, payloads, strict=True)]


def segment_batch(texts: list[str], options: SegmentOptions) -> list[Segmented | BaseException]:
    """Outcomes of a few texts in this process; when they fail together, each text alone."""
    try:
        return segment_task(SegmentTask(tuple(texts), options))
    except Exception:
        outcomes: list[Segmented | BaseException] = []
        for text in texts:
            try:
                outcomes.extend(segment_task(SegmentTask((text,), options)))
            except Exception as exc:
                outcomes.append(exc)
        return outcomes


def segmented(text: str, payload: dict) -> Segmented:
    """A text's token blob with its sentence spans and the words of each sentence."""
    spans = sentence_spans(text)
    words, starts = nlp.payload_words(payload)
    located = located_words(text, words, starts, payload["text"] == text)
    return Segmented(nlp.payload_to_bytes(payload), spans, sentence_words(located, spans))


def located_words(text: str, words: list[str], starts: list[int],
                  same_text: bool) -> list[tuple[int, str]]:
    """(offset in ``text``, word) of each non-blank word, found left to right.

    The words tile the text they were cut from, so when that is ``text`` each word sits at
    its own start offset: taken as is when every word is there, else searched for.
    """
    if same_text:
        located = [(start, word) for word, start in zip(words, starts, strict=True)
                   if word.strip()]
        if all(text.startswith(word, start) for start, word in located):
            return located
    located, position = [], 0
    for word in words:
        if word.strip():
            found = text.find(word, position)
            if found >= 0:
                located.append((found, word))
                position = found + len(word)
    return located


def sentence_words(located: list[tuple[int, str]],
                   spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Each sentence's words joined by spaces: what keyword search (FTS5) indexes."""
    rows, index = [], 0
    for start, end in spans:
        picked = []
        while index < len(located) and located[index][0] < end:
            if located[index][0] >= start:
                picked.append(located[index][1])
            index += 1
        rows.append((start, end, " ".join(picked)))
    return rows
