"""Structure: each document's text → units (headings, parts, inline enumerations).

Reads ok documents, writes the ``units`` table (without labels). Keyed by the
document's content hash and the ``outline`` config: unchanged text is not re-parsed.
"""

from __future__ import annotations

import hashlib

from pipeline.records import Unit, UnitSpan
from pipeline.stages import StageContext, StageResult, work_key
from pipeline.text import outline

STAGE = "structure"


def run(ctx: StageContext) -> StageResult:
    """Parse the outline of every changed document."""
    store, config = ctx.store, ctx.config
    result = StageResult(STAGE)
    options = config.options("outline", outline.OutlineOptions)
    digest = config.digest("outline")
    done, failed = store.get_work_keys(STAGE), ctx.failed_keys()
    hashes = store.get_content_hashes()
    with store.transaction():
        for doc in ctx.documents():
            key = work_key(STAGE, ctx.version, digest, hashes[doc.doc_id], doc.title)
            if done.get(doc.doc_id) == key:
                result.reused += 1
                continue
            if failed.get(doc.doc_id) == key:  # same text, same rules: it would fail again
                result.errors += 1
                continue
            try:
                spans = outline.parse_outline(doc.text, options=options, title=doc.title)
            except Exception as exc:  # one document's failure must not stop the run
                ctx.document_failed(doc.doc_id, key, exc)
                store.replace_units(doc.doc_id, [])
                result.errors += 1
                continue
            store.replace_units(doc.doc_id, units_from_spans(doc.doc_id, hashes[doc.doc_id], spans))
            store.put_work_key(STAGE, doc.doc_id, key)
            store.clear_doc_error(STAGE, doc.doc_id)
            result.processed += 1
            ctx.report(doc.source, result.processed)
    return result


def units_from_spans(doc_id: str, text_hash: str, spans: list[UnitSpan]) -> list[Unit]:
    """Give spans stable ids (from the text's hash and their position) and parent ids."""
    ids = [unit_id(text_hash, i, s) for i, s in enumerate(spans)]
    return [
        Unit(
            doc_id=doc_id, unit_id=ids[i], parent_id=None if s.parent is None else ids[s.parent],
            level=s.level, marker=s.marker, headline=s.headline, start=s.start, end=s.end,
            kind=s.kind,
        )
        for i, s in enumerate(spans)
    ]


def unit_id(text_hash: str, index: int, span: UnitSpan) -> str:
    """An id stable for the same document content."""
    basis = f"{text_hash}:{index}:{span.start}:{span.end}:{span.level}"
    return "u" + hashlib.sha256(basis.encode()).hexdigest()[:15]
