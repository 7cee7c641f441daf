"""Structure: each document's text → units (headings, parts, inline enumerations).

Reads ok documents, writes the ``units`` table (without labels). Keyed by the
document's content hash and the ``outline`` config: unchanged text is not re-parsed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.records import Document, Unit, UnitSpan
from pipeline.stages import StageContext, StageResult, work_key
from pipeline.text import outline

STAGE = "structure"
DOCS_PER_TASK = 32  # documents sent to a worker at once: the sending costs less than the parse


def run(ctx: StageContext) -> StageResult:
    """Parse the outline of every changed document (on the run's workers when it pays)."""
    store, config = ctx.store, ctx.config
    result = StageResult(STAGE)
    options = config.options("outline", outline.OutlineOptions)
    digest = config.digest("outline")
    hashes = store.get_content_hashes()
    pending = ctx.due(((doc, work_key(STAGE, ctx.version, digest, hashes[doc.doc_id], doc.title))
                       for doc in ctx.documents()), result)
    with store.transaction():
        for (doc, key), spans in zip(pending, parse_pending(ctx, pending, options), strict=True):
            if isinstance(spans, BaseException):  # one document's failure must not stop the run
                ctx.document_failed(doc.doc_id, key, spans)
                store.replace_units(doc.doc_id, [])
                result.errors += 1
                continue
            store.replace_units(doc.doc_id, units_from_spans(doc.doc_id, hashes[doc.doc_id], spans))
            store.put_work_key(STAGE, doc.doc_id, key)
            store.clear_doc_error(STAGE, doc.doc_id)
            result.processed += 1
            ctx.report(doc.source, result.processed)
    return result


@dataclass(frozen=True)
class OutlineTask:
    """Documents to parse, as (text, title), and the options: what a worker is sent."""

    documents: tuple[tuple[str, str | None], ...]
    options: outline.OutlineOptions


def parse_pending(ctx: StageContext, pending: list[tuple[Document, str]],
                  options: outline.OutlineOptions) -> Iterator[list[UnitSpan] | BaseException]:
    """Each pending document's spans (or what parsing it raised), in order."""
    executor = ctx.text_executor([doc.text for doc, _ in pending], options.parallel_min_chars)
    tasks = [OutlineTask(tuple((doc.text, doc.title) for doc, _ in pending[i : i + DOCS_PER_TASK]),
                         options) for i in range(0, len(pending), DOCS_PER_TASK)]
    outcomes = executor.map(outline_task, tasks) if executor else map(outline_task, tasks)
    for task, outcome in zip(tasks, outcomes, strict=True):
        if isinstance(outcome, BaseException):  # a worker died, or a result would not pickle
            outcome = outline_task(task)
        yield from outcome


def outline_task(task: OutlineTask) -> list[list[UnitSpan] | BaseException]:
    """Worker entry point: each document's spans, or the exception its parse raised."""
    outcomes: list[list[UnitSpan] | BaseException] = []
    for text, title in task.documents:
        try:
            outcomes.append(outline.parse_outline(text, options=task.options, title=title))
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


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
