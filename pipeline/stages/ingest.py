"""Ingest: a corpus folder → clean, located documents.

Reads every report file under the corpus (``readers``), cleans it (``text.clean``),
splits multi-report files (``text.split``), reads metadata (``text.metadata``),
applies ``metadata.csv`` overrides (``analysis.overrides``) and marks duplicates
(``dedup``). Writes the ``documents`` table (and the list of files skipped as not
reports). Work is keyed by the file's content hash and the ingest configuration, so
an unchanged file is never read twice; what a document is called (its source) always
comes from where the file is now, so renames and copies give what a clean run gives.
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import json
import logging
import operator
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline import readers
from pipeline.analysis import gazetteer
from pipeline.analysis.dedup import DedupItem, DedupOptions, find_duplicates
from pipeline.analysis.overrides import METADATA_CSV, apply_overrides
from pipeline.executors import Executor, LocalExecutor
from pipeline.records import CorpusFile, Document, IngestedPart
from pipeline.stages import StageContext, StageResult, one_line, work_key
from pipeline.text import clean as cleaning
from pipeline.text import layout, metadata, split

STAGE = "ingest"
# The sections that shape one file's result (what the per-file cache is keyed by).
FILE_SECTIONS = ("read", "clean", "layout", "metadata", "region", "split")
NOT_A_REPORT = "not a report format"

log = logging.getLogger(__name__)


class CorpusShrinkRefused(RuntimeError):
    """The corpus would lose more of its files than allowed (an unmounted share?)."""


@dataclass(frozen=True)
class IngestOptions:
    """Which corpus files are reports, and how the ingest stage schedules its work."""

    jobs: int = 2  # worker processes for new files; 1 = in-process
    parallel_min_files: int = 8  # fewer new files than this are read in-process
    skip_names: tuple[str, ...] = ("metadata.csv", "diaoyan.toml")  # config, not reports
    # Report files by name; others (SOURCES.tsv, README, .csv, .json, .py, .xlsx …) are
    # listed as skipped, never read. Old .doc/.wps/.rtf are included so they get a reason.
    include: tuple[str, ...] = ("*.txt", "*.md", "*.docx", "*.pdf", "*.html", "*.htm",
                                "*.xhtml", "*.doc", "*.wps", "*.rtf")
    exclude: tuple[str, ...] = ("README*", "SOURCES*", "LICENSE*", ".*")
    # Refuse a run that would remove more than this share of the stored files (an empty
    # or unmounted corpus would otherwise wipe every result); --allow-shrink overrides.
    max_shrink: float = 0.5


@dataclass(frozen=True)
class Toolkit:
    """The option objects of the ingest helpers, built once from the config."""

    read: Any
    clean: Any
    layout: Any
    metadata: Any
    split: Any


PartsByFile = dict[str, list[IngestedPart]]  # source of a file → the documents it produced


def run(ctx: StageContext) -> StageResult:
    """Ingest the corpus into the store; per-file errors become error documents."""
    if ctx.corpus is None:
        raise ValueError("the ingest stage needs a corpus folder")
    store, config = ctx.store, ctx.config
    result = StageResult(STAGE)
    options = config.options("ingest", IngestOptions)
    toolkit = make_toolkit(config)
    config_digest = f"{ctx.version}:{config.digest(*FILE_SECTIONS)}"
    entries, skipped = list_corpus(ctx.corpus, options)
    guard_shrink(store, entries, options, allow=bool(ctx.options.get("allow_shrink")))
    jobs, parts_by_file, files = plan_files(store, entries, config_digest, toolkit, result)
    try:
        for job, parts in compute_files(jobs, toolkit, options, ctx.jobs, ctx.executor):
            with store.transaction():
                store.put_ingest_cache(work_key(STAGE, config_digest, job.file_sha),
                                       job.source, [p.to_json() for p in parts])
            parts_by_file[job.source] = parts
            result.processed += 1
            ctx.report(job.source, result.processed, len(jobs))
    finally:
        readers.release_readers()  # the PDF held open for its fonts
    docs, hashes, offsets = assemble_documents(parts_by_file)
    docs = apply_overrides(docs, ctx.corpus / METADATA_CSV)
    with store.transaction():
        docs = mark_duplicates(store, docs, hashes, files, config.options("dedup", DedupOptions))
        store.replace_documents(docs, hashes)
        # a duplicate or failed document keeps no units, tokens or labels downstream
        store.drop_derived(d.doc_id for d in docs if d.status != "ok")
        for doc_id, runs in offsets.items():
            if doc_id in hashes and hashes[doc_id]:
                store.put_offsets(doc_id, runs)
        store.replace_skipped((source, NOT_A_REPORT) for source in skipped)
        store.prune_ingest_cache({work_key(STAGE, config_digest, f.file_sha)
                                  for f in files.values()})
    result.errors = sum(d.status == "error" for d in docs)
    if skipped:
        result.notes.append(f"{len(skipped)} files skipped as not reports")
    return result


def make_toolkit(config: Any) -> Toolkit:
    """Build the helpers' option objects from their config sections."""
    return Toolkit(
        read=config.options("read", readers.ReadOptions),
        clean=config.options("clean", cleaning.CleanOptions),
        layout=config.options("layout", layout.LayoutOptions),
        metadata=replace(config.options("metadata", metadata.MetadataOptions),
                         region=config.options("region", gazetteer.RegionOptions)),
        split=config.options("split", split.SplitOptions),
    )


def list_corpus(corpus: Path, options: IngestOptions) -> tuple[list[Any], list[str]]:
    """Corpus entries that are reports (or unreadable), and the names skipped as not reports."""
    entries, skipped = [], []
    for entry in readers.iter_corpus(corpus, skip_names=options.skip_names):
        source = display_name(entry.rel_path)
        name = Path(source).name
        if not entry.error and not is_report_name(name, options):
            skipped.append(source)
            continue
        entries.append(replace(entry, rel_path=source) if source != entry.rel_path else entry)
    return entries, skipped


def is_report_name(name: str, options: IngestOptions) -> bool:
    """Whether a file name matches the include globs and none of the exclude globs."""
    lowered = name.lower()
    return (any(fnmatch.fnmatch(lowered, p.lower()) for p in options.include)
            and not any(fnmatch.fnmatch(lowered, p.lower()) for p in options.exclude))


def display_name(rel_path: str) -> str:
    """A readable name for a path whose bytes may not be UTF-8 (GBK names from Windows zips)."""
    try:
        rel_path.encode("utf-8")
        return rel_path
    except UnicodeEncodeError:
        raw = os.fsencode(rel_path)
    for encoding in ("gb18030", "big5hkscs"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="backslashreplace")


def guard_shrink(store: Any, entries: list[Any], options: IngestOptions, allow: bool) -> None:
    """Refuse when the corpus lost more than ``max_shrink`` of the files the store holds."""
    stored = {d.source.split("#")[0] for d in store.iter_documents(with_text=False)}
    if allow or not stored:
        return
    present = {e.rel_path for e in entries}
    lost = len(stored - present)
    if lost and (not present or lost / len(stored) > options.max_shrink):
        raise CorpusShrinkRefused(
            f"the corpus now has {len(present)} report files; {lost} of the {len(stored)} "
            f"the store holds are gone (more than {options.max_shrink:.0%}). Is the folder "
            "mounted? Refusing to delete their results; pass --allow-shrink if this is meant."
        )


def plan_files(store: Any, entries: list[Any], config_digest: str, toolkit: Toolkit,
               result: StageResult) -> tuple[list[CorpusFile], PartsByFile, dict[str, CorpusFile]]:
    """Walk the entries: cached files are reused, unreadable ones recorded, the rest queued."""
    jobs: list[CorpusFile] = []
    parts_by_file: PartsByFile = {}
    files: dict[str, CorpusFile] = {}
    for entry in entries:
        if entry.error:
            parts_by_file[entry.rel_path] = [error_part(entry.error)]
            continue
        try:
            file_sha, mtime = precheck_and_digest(Path(entry.path), toolkit.read)
        except readers.ReadError as exc:
            parts_by_file[entry.rel_path] = [error_part(str(exc))]
            continue
        job = CorpusFile(entry.rel_path, str(entry.path), file_sha, mtime)
        files[job.source] = job
        cached = store.get_ingest_cache(work_key(STAGE, config_digest, file_sha))
        if cached is not None:
            parts_by_file[job.source] = [IngestedPart.from_json(p) for p in cached]
            result.reused += 1
            continue
        parts_by_file[job.source] = []  # keeps corpus order; filled by the worker
        jobs.append(job)
    return jobs, parts_by_file, files


def precheck_and_digest(path: Path, read_options: Any) -> tuple[str, float]:
    """Hash a file's bytes (and note its mtime), refusing files over the size cap unread."""
    info = path.stat()
    cap = max(read_options.max_text_bytes, read_options.max_html_bytes,
              read_options.max_docx_bytes, read_options.max_pdf_bytes)
    if info.st_size > cap:  # hashing a 200 MB dump every night would be wasted: refuse by size
        raise readers.ReadError(
            f"file too large: {info.st_size / 2**20:.1f} MB > limit {cap / 2**20:.0f} MB"
        )
    return readers.file_digest(path), info.st_mtime


def compute_files(jobs: list[CorpusFile], toolkit: Toolkit, options: IngestOptions,
                  run_jobs: int, executor: Executor | None = None,
                  ) -> Iterator[tuple[CorpusFile, list[IngestedPart]]]:
    """Yield (job, parts) for each queued file, in order, on the run's executor when it pays."""
    workers = min(options.jobs, run_jobs)
    remote = executor is not None and executor.kind != "local"
    if not remote and (workers <= 1 or len(jobs) < options.parallel_min_files):
        for job in jobs:
            yield job, ingest_file(job, toolkit)
        return
    if not remote:  # the run's local executor may have more workers than [ingest] jobs
        executor = LocalExecutor(workers)
        # The first file is read here: that loads the gazetteer (4 s) and the readers once,
        # before the workers fork and share them, instead of once in every worker.
        yield jobs[0], ingest_file(jobs[0], toolkit)
        jobs = jobs[1:]
    # workers elsewhere read the corpus at the same absolute path
    tasks = [IngestTask(replace(job, path=str(Path(job.path).absolute())), toolkit)
             for job in jobs]
    for job, outcome in zip(jobs, executor.map(ingest_task, tasks), strict=True):
        if isinstance(outcome, BaseException):  # a worker died (e.g. killed for memory)
            log.warning("worker failed on %s (%s); reading it in-process", job.source, outcome)
            outcome = ingest_file(job, toolkit)
        yield job, outcome


@dataclass(frozen=True)
class IngestTask:
    """One file to ingest and the options to do it with: what a worker is sent."""

    job: CorpusFile
    toolkit: Toolkit


def ingest_task(task: IngestTask) -> list[IngestedPart]:
    """Worker entry point: ``ingest_file`` of one task."""
    return ingest_file(task.job, task.toolkit)


def ingest_file(job: CorpusFile, toolkit: Toolkit) -> list[IngestedPart]:
    """Read, clean, split and describe one file; never raises."""
    try:
        extracted = readers.read_file(Path(job.path), options=toolkit.read)
        cleaned = cleaning.clean(extracted.text, options=toolkit.clean, layout=toolkit.layout,
                                 title_hint=extracted.title)
        if not cleaned.text.strip():
            return [error_part("no text after cleaning", job.file_sha)]
        spans = split.split_reports(cleaned.text, options=toolkit.split)
        return [describe_part(job, extracted, cleaned, start, end, index, len(spans), toolkit)
                for index, (start, end) in enumerate(spans, start=1)]
    except readers.ReadError as exc:
        return [error_part(str(exc), job.file_sha)]
    except Exception as exc:  # a bug must cost one file, not the run
        log.exception("ingest failed on %s", job.source)
        return [error_part(f"internal error: {type(exc).__name__}: {exc}", job.file_sha)]


def describe_part(job: CorpusFile, extracted: Any, cleaned: Any, start: int, end: int,
                  index: int, count: int, toolkit: Toolkit) -> IngestedPart:
    """One report of a file, with its metadata and offset runs."""
    text = cleaned.text[start:end]
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    start += lead
    hint = cleaned.title_hint if index == 1 else None
    meta = metadata.extract_metadata(text, title_hint=hint, source_name=job.source,
                                     options=toolkit.metadata)
    captions = tuple(
        (s - start, e - start) for s, e in cleaned.captions if s >= start and e <= start + len(text)
    )
    return IngestedPart(
        part=index, parts=count, status="ok", file_sha=job.file_sha, text=text,
        title=meta.title, region=meta.region, year=meta.year, authors=tuple(meta.authors),
        script=cleaned.script, placeholders=meta.placeholders, fmt=extracted.fmt,
        encoding=extracted.encoding, warnings=tuple(extracted.warnings), captions=captions,
        offset_runs=offset_runs(cleaned.offsets[start : start + len(text) + 1]),
    )


def error_part(reason: str, file_sha: str | None = None) -> IngestedPart:
    """A file that produced no document, with its one-line reason."""
    return IngestedPart(part=1, parts=1, status="error", file_sha=file_sha,
                        error=one_line(reason))


def offset_runs(offsets: Any) -> tuple[tuple[int, int, int], ...]:
    """Compress an offset map into runs (clean_start, raw_start, length) of consecutive chars."""
    count = len(offsets)
    # a run goes on while the raw index steps by one; the steps are taken in C (map), so
    # only the breaks cost a Python step, not every character
    steps = map(operator.sub, itertools.islice(offsets, 1, None), offsets)
    starts = [0, *(index for index, step in enumerate(steps, 1) if step != 1), count]
    return tuple((start, offsets[start], end - start)
                 for start, end in zip(starts, starts[1:], strict=False) if end > start)


def assemble_documents(
    parts_by_file: PartsByFile,
) -> tuple[list[Document], dict[str, str | None], dict[str, bytes]]:
    """Documents with stable ids in corpus order, their text hashes and offset blobs."""
    docs: list[Document] = []
    hashes: dict[str, str | None] = {}
    offsets: dict[str, bytes] = {}
    for file_source, parts in parts_by_file.items():
        for part in parts:
            source = part.source_of(file_source)
            doc_id = make_doc_id(part, source, hashes)
            hashes[doc_id] = content_hash(part.text) if part.status == "ok" else None
            docs.append(document_from_part(doc_id, source, part))
            if part.offset_runs:
                offsets[doc_id] = zlib.compress(json.dumps(part.offset_runs).encode())
    return docs, hashes, offsets


def make_doc_id(part: IngestedPart, source: str, taken: dict[str, Any]) -> str:
    """An id stable for the same file content (and part), unique within the corpus."""
    basis = f"{part.file_sha}#{part.part}" if part.file_sha else f"err:{source}"
    doc_id = hashlib.sha256(basis.encode()).hexdigest()[:16]
    if doc_id in taken:  # byte-identical files: the later copy (in path order) keys on its path
        doc_id = hashlib.sha256(f"{basis}|{source}".encode()).hexdigest()[:16]
    return doc_id


def content_hash(text: str) -> str:
    """Hash of a cleaned text; later stages key their work by it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def document_from_part(doc_id: str, source: str, part: IngestedPart) -> Document:
    """Build the Document record of one part."""
    return Document(
        doc_id=doc_id, source=source, status=part.status, text=part.text, title=part.title,
        region=part.region, year=part.year, authors=part.authors, script=part.script,
        placeholders=part.placeholders, error=part.error, fmt=part.fmt, encoding=part.encoding,
        warnings=part.warnings, captions=part.captions,
    )


def mark_duplicates(store: Any, docs: list[Document], hashes: dict[str, str | None],
                    files: dict[str, CorpusFile], options: DedupOptions) -> list[Document]:
    """Mark exact and near duplicates; the cleaner copy, then the older file, is the original."""
    def preference(doc: Document) -> tuple[int, float, str]:
        file = files.get(doc.source.split("#")[0])
        return (len(doc.warnings), file.mtime if file else 0.0, doc.source)

    ok_docs = sorted((d for d in docs if d.status == "ok"), key=preference)
    items = [DedupItem(d.doc_id, hashes[d.doc_id] or "", d.text) for d in ok_docs]
    salt = f"{options.num_perm}:{options.shingle_chars}:{options.seed}:"
    duplicate_of = find_duplicates(
        items, options,
        cached=lambda h: store.get_signature(salt + h),
        remember=lambda h, blob: store.put_signature(salt + h, blob),
    )
    by_id = {d.doc_id: d for d in docs}
    return [
        replace(d, status="duplicate", duplicate_of=duplicate_of[d.doc_id],
                note=duplicate_note(d, by_id[duplicate_of[d.doc_id]], hashes, preference))
        if d.doc_id in duplicate_of else d
        for d in docs
    ]


def duplicate_note(doc: Document, kept: Document, hashes: dict[str, str | None],
                   preference: Any) -> str:
    """Why ``doc`` is the duplicate and ``kept`` the original, in a few words."""
    kind = "exact" if hashes.get(doc.doc_id) == hashes.get(kept.doc_id) else "near"
    mine, theirs = preference(doc), preference(kept)
    if theirs[0] < mine[0]:
        why = "the original has fewer warnings"
    elif theirs[1] < mine[1]:
        why = "the original is the older file"
    else:
        why = "the original comes first by path"
    return f"{kind} duplicate of {kept.source}; {why}"
