"""Segment: documents → jieba tokens with POS tags inside spaCy Docs, and sentences.

Reads ok documents, writes the ``tokens`` (a serialized spaCy Doc per document) and
``sentences`` tables. Keyed by the document's content hash, the ``segment`` config
and a fingerprint of the dictionaries, so later stages never re-segment unchanged
text; only changed documents are segmented, in batches committed as they finish.
"""

from __future__ import annotations

from pipeline import nlp
from pipeline.records import Document
from pipeline.stages import StageContext, StageResult, work_key
from pipeline.text.sentences import sentence_spans

STAGE = "segment"
BATCH_DOCS = 200  # documents per transaction: a killed run keeps finished batches


def run(ctx: StageContext) -> StageResult:
    """Segment every document whose text or dictionaries changed."""
    store, config = ctx.store, ctx.config
    result = StageResult(STAGE)
    options = config.options("segment", nlp.SegmentOptions)
    digest = f"{config.digest('segment')}:{nlp.dictionary_fingerprint(options)}"
    done, failed = store.get_work_keys(STAGE), ctx.failed_keys()
    hashes = store.get_content_hashes()
    pending = []
    for doc in ctx.documents():
        key = work_key(STAGE, ctx.version, digest, hashes[doc.doc_id])
        if done.get(doc.doc_id) == key:
            result.reused += 1
        elif failed.get(doc.doc_id) == key:  # same text, same dictionaries: it would fail again
            result.errors += 1
        else:
            pending.append((doc, key))
    for offset in range(0, len(pending), BATCH_DOCS):
        batch = pending[offset : offset + BATCH_DOCS]
        blobs = segment_batch(ctx, batch, options)
        with store.transaction():
            for (doc, key), blob in zip(batch, blobs, strict=True):
                if isinstance(blob, BaseException):
                    ctx.document_failed(doc.doc_id, key, blob)
                    store.delete_work(STAGE, [doc.doc_id])
                    result.errors += 1
                    continue
                store.put_tokens(doc.doc_id, blob)
                spans = sentence_spans(doc.text)
                store.replace_sentences(doc.doc_id, spans)
                store.replace_sentence_words(doc.doc_id, sentence_words(doc.text, blob, spans))
                store.put_work_key(STAGE, doc.doc_id, key)
                store.clear_doc_error(STAGE, doc.doc_id)
                result.processed += 1
        ctx.report("segmented", offset + len(batch), len(pending))
    return result


def sentence_words(text: str, blob: bytes,
                   spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Each sentence's words joined by spaces: what keyword search (FTS5) indexes."""
    located, position = [], 0
    for word, _tag in nlp.tokens_of(blob):
        if word.strip():
            found = text.find(word, position)
            if found >= 0:
                located.append((found, word))
                position = found + len(word)
    rows, index = [], 0
    for start, end in spans:
        picked = []
        while index < len(located) and located[index][0] < end:
            if located[index][0] >= start:
                picked.append(located[index][1])
            index += 1
        rows.append((start, end, " ".join(picked)))
    return rows


def segment_batch(ctx: StageContext, batch: list[tuple[Document, str]],
                  options: nlp.SegmentOptions) -> list[bytes | BaseException]:
    """Blobs of a batch; when the batch fails, each document alone, so one bad text costs one."""
    texts = [doc.text for doc, _ in batch]
    try:
        return list(nlp.segment_texts(texts, options))
    except Exception:
        outcomes: list[bytes | BaseException] = []
        for text in texts:
            try:
                outcomes.extend(nlp.segment_texts([text], options))
            except Exception as exc:
                outcomes.append(exc)
        return outcomes
