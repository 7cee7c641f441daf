"""Segment: documents → jieba tokens with POS tags inside spaCy Docs, and sentences.

Reads ok documents, writes the ``tokens`` (a serialized spaCy Doc per document) and
``sentences`` tables. Keyed by the document's content hash, the ``segment`` config
and a fingerprint of the dictionaries, so later stages never re-segment unchanged
text; only changed documents are segmented, in batches committed as they finish.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pipeline import nlp
from pipeline.config import Config
from pipeline.stages import StageResult, work_key
from pipeline.store import Store
from pipeline.text.sentences import sentence_spans

STAGE = "segment"
VERSION = 1
BATCH_DOCS = 200  # documents per transaction: a killed run keeps finished batches


def run(store: Store, config: Config,
        progress: Callable[[str], None] | None = None) -> StageResult:
    """Segment every document whose text or dictionaries changed."""
    started = time.monotonic()
    result = StageResult(STAGE)
    options = config.options("segment", nlp.SegmentOptions)
    digest = f"{config.digest('segment')}:{nlp.dictionary_fingerprint(options)}"
    done = store.get_work_keys(STAGE)
    hashes = store.get_content_hashes()
    pending = []
    for doc in store.iter_documents(status="ok"):
        key = work_key(STAGE, VERSION, digest, hashes[doc.doc_id])
        if done.get(doc.doc_id) == key:
            result.reused += 1
        else:
            pending.append((doc, key))
    for offset in range(0, len(pending), BATCH_DOCS):
        batch = pending[offset : offset + BATCH_DOCS]
        blobs = nlp.segment_texts([doc.text for doc, _ in batch], options)
        with store.transaction():
            for (doc, key), blob in zip(batch, blobs, strict=True):
                store.put_tokens(doc.doc_id, blob)
                store.replace_sentences(doc.doc_id, sentence_spans(doc.text))
                store.put_work_key(STAGE, doc.doc_id, key)
        result.processed += len(batch)
        if progress:
            progress(f"segmented {offset + len(batch)}/{len(pending)}")
    result.seconds = time.monotonic() - started
    return result
