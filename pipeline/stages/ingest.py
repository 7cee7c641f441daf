"""Ingest: a corpus folder → clean, located documents.

Reads every file under the corpus (``readers``), cleans it (``text.clean``), splits
multi-report files (``text.split``), reads metadata (``text.metadata``), applies
``metadata.csv`` overrides and marks duplicates (``dedup``). Writes the
``documents`` table. Work is keyed by the file's content hash and the ingest
configuration, so an unchanged file is never read twice.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from pipeline import gazetteer, readers
from pipeline.config import Config
from pipeline.dedup import DedupItem, DedupOptions, find_duplicates
from pipeline.records import Document, Region
from pipeline.stages import StageResult, work_key
from pipeline.store import Store
from pipeline.text import clean as cleaning
from pipeline.text import layout, metadata, split

STAGE = "ingest"
VERSION = 1
CONFIG_SECTIONS = ("ingest", "read", "clean", "layout", "metadata", "region", "split")
METADATA_CSV = "metadata.csv"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestOptions:
    """How the ingest stage schedules its work."""

    jobs: int = 2  # worker processes for new files; 1 = in-process
    parallel_min_files: int = 8  # fewer new files than this are read in-process
    skip_names: tuple[str, ...] = ("metadata.csv", "diaoyan.toml", "README.md")  # not reports


@dataclass(frozen=True)
class FileJob:
    """One corpus file to ingest, with everything a worker process needs."""

    rel_path: str
    path: str
    file_sha: str


@dataclass(frozen=True)
class Toolkit:
    """The option objects of the ingest helpers, built once from the config."""

    read: Any
    clean: Any
    layout: Any
    metadata: Any
    split: Any


def run(store: Store, config: Config, corpus: Path,
        progress: Callable[[str], None] | None = None) -> StageResult:
    """Ingest ``corpus`` into ``store``; per-file errors become error documents."""
    started = time.monotonic()
    result = StageResult(STAGE)
    options = config.options("ingest", IngestOptions)
    toolkit = make_toolkit(config)
    config_digest = config.digest(*CONFIG_SECTIONS)
    jobs, parts_by_file = plan_files(store, corpus, config_digest, toolkit, options, result)
    for job, parts in compute_files(jobs, toolkit, options):
        file_key = work_key(STAGE, VERSION, config_digest, job.file_sha)
        with store.transaction():
            store.put_ingest_cache(file_key, job.rel_path, parts)
        parts_by_file[job.rel_path] = parts
        result.processed += 1
        if progress:
            progress(job.rel_path)
    docs, hashes = assemble_documents(parts_by_file)
    docs = apply_overrides(docs, corpus / METADATA_CSV)
    with store.transaction():
        docs = mark_duplicates(store, docs, hashes, config.options("dedup", DedupOptions))
        store.replace_documents(docs, hashes)
        for doc_id, runs in collect_offsets(parts_by_file, docs).items():
            store.put_offsets(doc_id, runs)
        keep = {
            work_key(STAGE, VERSION, config_digest, parts[0]["file_sha"])
            for parts in parts_by_file.values() if parts and parts[0].get("file_sha")
        }
        store.prune_ingest_cache(keep)
    result.errors = sum(d.status == "error" for d in docs)
    result.seconds = time.monotonic() - started
    return result


def make_toolkit(config: Config) -> Toolkit:
    """Build the helpers' option objects from their config sections."""
    return Toolkit(
        read=config.options("read", readers.ReadOptions),
        clean=config.options("clean", cleaning.CleanOptions),
        layout=config.options("layout", layout.LayoutOptions),
        metadata=replace(config.options("metadata", metadata.MetadataOptions),
                         region=config.options("region", gazetteer.RegionOptions)),
        split=config.options("split", split.SplitOptions),
    )


PartsByFile = dict[str, list[dict[str, Any]]]  # corpus path → the documents it produced


def plan_files(store: Store, corpus: Path, config_digest: str, toolkit: Toolkit,
               options: IngestOptions, result: StageResult) -> tuple[list[FileJob], PartsByFile]:
    """Walk the corpus: cached files are reused, unreadable ones recorded, the rest queued."""
    jobs: list[FileJob] = []
    parts_by_file: dict[str, list[dict[str, Any]]] = {}
    for entry in readers.iter_corpus(corpus, skip_names=options.skip_names):
        if entry.error:
            parts_by_file[entry.rel_path] = [error_part(entry.rel_path, entry.error)]
            continue
        try:
            file_sha = precheck_and_digest(Path(entry.path), toolkit.read)
        except readers.ReadError as exc:
            parts_by_file[entry.rel_path] = [error_part(entry.rel_path, str(exc))]
            continue
        cached = store.get_ingest_cache(work_key(STAGE, VERSION, config_digest, file_sha))
        if cached is not None:
            parts_by_file[entry.rel_path] = [{**p, "source_file": entry.rel_path} for p in cached]
            result.reused += 1
            continue
        parts_by_file[entry.rel_path] = []  # keeps corpus order; filled by the worker
        jobs.append(FileJob(entry.rel_path, str(entry.path), file_sha))
    return jobs, parts_by_file


def precheck_and_digest(path: Path, read_options: Any) -> str:
    """Hash a file's bytes, refusing files over the size cap without reading them."""
    size = path.stat().st_size
    cap = max(read_options.max_text_bytes, read_options.max_html_bytes,
              read_options.max_docx_bytes, read_options.max_pdf_bytes)
    if size > cap:  # hashing a 200 MB dump every night would be wasted: refuse by size
        raise readers.ReadError(
            f"file too large: {size / 2**20:.1f} MB > limit {cap / 2**20:.0f} MB"
        )
    return readers.file_digest(path)


def compute_files(jobs: list[FileJob], toolkit: Toolkit, options: IngestOptions):
    """Yield (job, parts) for each queued file, in a process pool when it pays off."""
    if options.jobs <= 1 or len(jobs) < options.parallel_min_files:
        for job in jobs:
            yield job, ingest_file(job, toolkit)
        return
    with ProcessPoolExecutor(options.jobs, mp_context=get_context("fork")) as pool:
        futures = [pool.submit(ingest_file, job, toolkit) for job in jobs]
        for index, job in enumerate(jobs):
            future, futures[index] = futures[index], None  # let each result go once stored
            try:
                yield job, future.result()
            except Exception as exc:  # a worker died (e.g. killed for memory)
                yield job, [error_part(job.rel_path, f"worker failed: {exc}", job.file_sha)]


def ingest_file(job: FileJob, toolkit: Toolkit) -> list[dict[str, Any]]:
    """Read, clean, split and describe one file; never raises."""
    try:
        extracted = readers.read_file(Path(job.path), options=toolkit.read)
        cleaned = cleaning.clean(extracted.text, options=toolkit.clean, layout=toolkit.layout,
                                 title_hint=extracted.title)
        if not cleaned.text.strip():
            return [error_part(job.rel_path, "no text after cleaning", job.file_sha)]
        spans = split.split_reports(cleaned.text, options=toolkit.split)
        parts = []
        for index, (start, end) in enumerate(spans, start=1):
            parts.append(describe_part(job, extracted, cleaned, start, end, index, len(spans),
                                       toolkit))
        return parts
    except readers.ReadError as exc:
        return [error_part(job.rel_path, str(exc), job.file_sha)]
    except Exception as exc:  # a bug must cost one file, not the run
        log.exception("ingest failed on %s", job.rel_path)
        reason = f"internal error: {type(exc).__name__}: {exc}".splitlines()[0][:200]
        return [error_part(job.rel_path, reason, job.file_sha)]


def describe_part(job: FileJob, extracted: Any, cleaned: Any, start: int, end: int,
                  index: int, count: int, toolkit: Toolkit) -> dict[str, Any]:
    """One report of a file as a cacheable dict (document fields + offset runs)."""
    text = cleaned.text[start:end]
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    start += lead
    hint = cleaned.title_hint if index == 1 else None
    meta = metadata.extract_metadata(text, title_hint=hint, source_name=job.rel_path,
                                     options=toolkit.metadata)
    captions = [
        (s - start, e - start) for s, e in cleaned.captions if s >= start and e <= start + len(text)
    ]
    source = job.rel_path if count == 1 else f"{job.rel_path}#{index}"
    return {
        "source": source, "source_file": job.rel_path, "file_sha": job.file_sha,
        "part": index, "status": "ok", "text": text, "title": meta.title,
        "region": asdict(meta.region), "year": meta.year, "authors": list(meta.authors),
        "script": cleaned.script, "placeholders": meta.placeholders, "error": None,
        "fmt": extracted.fmt, "encoding": extracted.encoding,
        "warnings": list(extracted.warnings), "captions": captions,
        "offset_runs": offset_runs(cleaned.offsets[start : start + len(text) + 1]),
    }


def error_part(rel_path: str, reason: str, file_sha: str | None = None) -> dict[str, Any]:
    """A file that produced no document, with its one-line reason."""
    return {
        "source": rel_path, "source_file": rel_path, "file_sha": file_sha, "part": 1,
        "status": "error", "text": "", "error": " ".join(reason.split())[:300],
    }


def offset_runs(offsets: tuple[int, ...] | list[int]) -> list[list[int]]:
    """Compress an offset map into runs [clean_start, raw_start, length] of consecutive chars."""
    runs: list[list[int]] = []
    for clean_index, raw_index in enumerate(offsets):
        if runs and raw_index == runs[-1][1] + runs[-1][2]:
            runs[-1][2] += 1
        else:
            runs.append([clean_index, raw_index, 1])
    return runs


def assemble_documents(
    parts_by_file: dict[str, list[dict[str, Any]]],
) -> tuple[list[Document], dict[str, str | None]]:
    """Turn per-file parts into Documents with stable ids, in corpus order."""
    docs: list[Document] = []
    hashes: dict[str, str | None] = {}
    for parts in parts_by_file.values():
        for part in parts:
            doc_id = make_doc_id(part, hashes)
            hashes[doc_id] = content_hash(part["text"]) if part["status"] == "ok" else None
            docs.append(document_from_part(doc_id, part))
            part["doc_id"] = doc_id
    return docs, hashes


def make_doc_id(part: dict[str, Any], taken: dict[str, Any]) -> str:
    """An id stable for the same file content (and part), unique within the corpus."""
    if part.get("file_sha"):
        basis = f"{part['file_sha']}#{part['part']}"
    else:
        basis = f"err:{part['source']}"
    doc_id = hashlib.sha256(basis.encode()).hexdigest()[:16]
    if doc_id in taken:  # byte-identical files: the later copy keys on its path too
        doc_id = hashlib.sha256(f"{basis}|{part['source']}".encode()).hexdigest()[:16]
    return doc_id


def content_hash(text: str) -> str:
    """Hash of a cleaned text; later stages key their work by it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def document_from_part(doc_id: str, part: dict[str, Any]) -> Document:
    """Build the Document record of one part."""
    region = Region(**part["region"]) if part.get("region") else Region()
    return Document(
        doc_id=doc_id, source=part["source"], status=part["status"], text=part.get("text", ""),
        title=part.get("title"), region=region, year=part.get("year"),
        authors=tuple(part.get("authors") or ()), script=part.get("script") or "simplified",
        placeholders=bool(part.get("placeholders")), error=part.get("error"),
        fmt=part.get("fmt"), encoding=part.get("encoding"),
        warnings=tuple(part.get("warnings") or ()),
        captions=tuple(tuple(c) for c in part.get("captions") or ()),
    )


def collect_offsets(parts_by_file: dict[str, list[dict[str, Any]]],
                    docs: list[Document]) -> dict[str, bytes]:
    """doc_id → compressed offset runs, for documents that have text."""
    known = {d.doc_id for d in docs}
    blobs = {}
    for parts in parts_by_file.values():
        for part in parts:
            if part.get("doc_id") in known and part.get("offset_runs"):
                blobs[part["doc_id"]] = zlib.compress(json.dumps(part["offset_runs"]).encode())
    return blobs


def apply_overrides(docs: list[Document], csv_path: Path) -> list[Document]:
    """Apply ``metadata.csv`` (filename → title/province/city/county/year/authors)."""
    rows = read_overrides(csv_path)
    if not rows:
        return docs
    return [override_document(d, rows) for d in docs]


def read_overrides(csv_path: Path) -> dict[str, dict[str, str]]:
    """Rows of metadata.csv keyed by filename; empty when the file is absent or unreadable."""
    if not csv_path.is_file():
        return {}
    try:
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            return {row["filename"].strip(): row for row in csv.DictReader(handle)
                    if row.get("filename")}
    except (OSError, UnicodeDecodeError, csv.Error, KeyError) as exc:
        log.warning("ignoring %s: %s", csv_path, exc)
        return {}


def override_document(doc: Document, rows: dict[str, dict[str, str]]) -> Document:
    """Apply the matching metadata.csv row (by path, by file name, with or without #N)."""
    base = doc.source.split("#")[0]
    row = rows.get(doc.source) or rows.get(base) or rows.get(os.path.basename(base))
    if not row or doc.status == "error":
        return doc
    changes: dict[str, Any] = {}
    if (row.get("title") or "").strip():
        changes["title"] = row["title"].strip()
    if (row.get("year") or "").strip().isdigit():
        changes["year"] = int(row["year"])
    if (row.get("authors") or "").strip():
        changes["authors"] = tuple(a for a in _split_names(row["authors"]) if a)
    names = {k: (row.get(k) or "").strip() or None for k in ("province", "city", "county")}
    if any(names.values()):
        changes["region"] = gazetteer.region_from_names(**names)
    return replace(doc, **changes)


def _split_names(value: str) -> list[str]:
    for sep in "、，,;；/":
        value = value.replace(sep, " ")
    return value.split()


def mark_duplicates(store: Store, docs: list[Document], hashes: dict[str, str | None],
                    options: DedupOptions) -> list[Document]:
    """Mark exact and near duplicates (the earlier document in corpus order is the original)."""
    items = [DedupItem(d.doc_id, hashes[d.doc_id] or "", d.text) for d in docs if d.status == "ok"]
    salt = f"{options.num_perm}:{options.shingle_chars}:{options.seed}:"
    duplicate_of = find_duplicates(
        items, options,
        cached=lambda h: store.get_signature(salt + h),
        remember=lambda h, blob: store.put_signature(salt + h, blob),
    )
    return [
        replace(d, status="duplicate", duplicate_of=duplicate_of[d.doc_id])
        if d.doc_id in duplicate_of else d
        for d in docs
    ]
