"""The pipeline's stages, declared as data (as DVC and spaCy projects declare steps).

``STAGES`` is the one table the runner iterates, the CLI builds its single-stage
commands from and ``diaoyan stages`` prints: each stage's name, the function that
runs it (``module:function``, imported only when the stage runs, so a run never
imports what it does not use), what it reads and writes in the store, the config
sections its work depends on, and its version (bump it to redo a stage's work).

A stage function takes a :class:`StageContext` and returns a :class:`StageResult`.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import hashlib
import importlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the store and config are plumbing; stages get them through the context
    from pipeline.config import Config
    from pipeline.executors import Executor
    from pipeline.records import Document
    from pipeline.store import Store

log = logging.getLogger("pipeline")
# Allocations between the cyclic collector's young-generation passes in a corpus-level stage
# (Python's default is 700): see ``fewer_collections``.
GC_YOUNG_THRESHOLD = 100_000


@dataclass
class StageResult:
    """What a stage did: counts for the run log and the provenance record."""

    stage: str
    processed: int = 0  # items computed this run
    reused: int = 0  # items whose key was unchanged
    errors: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    failed: str | None = None  # one line when the stage itself failed (not one document)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view for the runs table."""
        return {
            "stage": self.stage, "processed": self.processed, "reused": self.reused,
            "errors": self.errors, "seconds": round(self.seconds, 3), "notes": self.notes,
            "failed": self.failed,
        }

    def summary(self) -> str:
        """One line for the terminal."""
        if self.failed:
            return f"{self.stage}: FAILED: {self.failed}"
        text = f"{self.stage}: {self.processed} computed, {self.reused} unchanged"
        if self.errors:
            text += f", {self.errors} errors"
        text += f" ({self.seconds:.1f}s)"
        return "; ".join([text, *self.notes])


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a stage's work, for progress bars and logs."""

    stage: str
    message: str
    done: int | None = None
    total: int | None = None

    def __str__(self) -> str:
        count = f" {self.done}/{self.total}" if self.total else ""
        return f"{self.stage}{count}: {self.message}"


@dataclass(frozen=True)
class StageContext:
    """Everything a stage may use: the store, the config, the corpus and the run's settings."""

    store: Store
    config: Config
    stage: Stage
    corpus: Path | None = None
    progress: Callable[[ProgressEvent], None] | None = None
    jobs: int = 2  # worker processes for per-document work
    options: dict[str, Any] = field(default_factory=dict)  # run flags, e.g. allow_shrink
    # Where per-document work runs (pipeline.executors); None: local processes, ``jobs`` of them.
    executor: Executor | None = None

    @property
    def version(self) -> int:
        """The stage's declared version (part of every work key it writes)."""
        return self.stage.version

    @property
    def local_workers(self) -> int:
        """Processes this run may fork on this machine for a stage's own work: 1 when
        per-document work goes to a Dask cluster."""
        if self.executor is not None and self.executor.kind != "local":
            return 1
        return max(1, min(self.executor.workers if self.executor else self.jobs, self.jobs))

    def report(self, message: str, done: int | None = None, total: int | None = None) -> None:
        """Tell the caller (a progress bar, a log) how far the stage is, if it listens."""
        if self.progress:
            self.progress(ProgressEvent(self.stage.name, message, done, total))

    def documents(self) -> list[Document]:
        """The ok documents that no earlier stage failed on, in corpus order."""
        earlier = set(STAGE_NAMES[: STAGE_NAMES.index(self.stage.name)])
        failed = {doc_id for stage, doc_id, _, _ in self.store.iter_doc_errors()
                  if stage in earlier}
        return [d for d in self.store.iter_documents(status="ok") if d.doc_id not in failed]

    def due(self, keyed: Iterable[tuple[Document, str]],
            result: StageResult) -> list[tuple[Document, str]]:
        """The (document, work key) pairs whose work is due: the stored key differs and the
        document did not fail under this key before (it would fail again). The others are
        counted in ``result``, as reused or as errors."""
        done, failed = self.store.get_work_keys(self.stage.name), self.failed_keys()
        due = []
        for doc, key in keyed:
            if done.get(doc.doc_id) == key:
                result.reused += 1
            elif failed.get(doc.doc_id) == key:
                result.errors += 1
            else:
                due.append((doc, key))
        return due

    def text_executor(self, texts: Sequence[str], min_chars: int,
                      max_workers: int | None = None) -> Executor | None:
        """Where to send per-document work on ``texts``: the run's Dask cluster, forked
        local workers (at most ``max_workers``) when there is at least ``min_chars`` of
        text, or None: in this process (a fork costs more than a little text)."""
        if self.executor is not None and self.executor.kind != "local":
            return self.executor if texts else None
        workers = self.executor.workers if self.executor else self.jobs
        workers = min(workers, max_workers or workers)
        if workers <= 1 or len(texts) < 2 or sum(map(len, texts)) < min_chars:
            return None
        from pipeline.executors import LocalExecutor

        return LocalExecutor(workers)

    def failed_keys(self) -> dict[str, str]:
        """doc_id → the work key under which this stage last failed on that document."""
        return {doc_id: key for stage, doc_id, key, _ in self.store.iter_doc_errors()
                if stage == self.stage.name}

    def document_failed(self, doc_id: str, key: str, exc: BaseException) -> str:
        """Record a per-document failure (the run goes on); returns its one-line reason."""
        log.error("%s failed on %s", self.stage.name, doc_id, exc_info=exc)
        reason = one_line(f"{self.stage.name}: {type(exc).__name__}: {exc}")
        self.store.put_doc_error(self.stage.name, doc_id, key, reason)
        return reason


@dataclass(frozen=True)
class Stage:
    """One pipeline stage, declared: name, function, reads, writes, config, version."""

    name: str
    function: str  # "module:function", imported lazily
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    config: tuple[str, ...]  # config sections whose change redoes this stage's work
    version: int
    summary: str
    needs_corpus: bool = False
    # Runs in a child process once the corpus reaches ``[run] isolate_min_docs``: what it
    # holds (a corpus's units, models, fragments of freed memory) ends with it, instead of
    # weighing on the stages after it and on every worker they fork.
    isolated: bool = False

    def load(self) -> Callable[[StageContext], StageResult]:
        """Import and return the stage function."""
        module_name, _, function_name = self.function.partition(":")
        return getattr(importlib.import_module(module_name), function_name)


STAGES: tuple[Stage, ...] = (
    Stage(
        "ingest", "pipeline.stages.ingest:run",
        reads=("corpus files", "metadata.csv"),
        writes=("documents", "offsets", "ingest_cache", "signatures"),
        config=("ingest", "read", "clean", "layout", "metadata", "region", "split", "dedup"),
        version=5, summary="Read, clean, split and locate the corpus's reports.",
        needs_corpus=True,
    ),
    Stage(
        "structure", "pipeline.stages.structure:run",
        reads=("documents",), writes=("units",), config=("outline",), version=5,
        summary="Find headings and enumerations in ingested documents.",
    ),
    Stage(
        "segment", "pipeline.stages.segment:run",
        reads=("documents",), writes=("tokens", "sentences", "sentence_fts"),
        config=("segment",), version=2,
        summary="Segment documents with jieba inside spaCy.",
        isolated=True,
    ),
    Stage(
        "tag", "pipeline.stages.tag:run",
        reads=("units", "tokens"), writes=("units.label", "models:unit_classifier"),
        config=("tag", "segment"), version=6,
        summary="Label units problem/cause/countermeasure/practice/background/other.",
        isolated=True,
    ),
    Stage(
        "topics", "pipeline.stages.topics:run",
        reads=("documents", "tokens", "units.label"),
        writes=("models:topics:document", "item_topics", "results:topics"),
        config=("topics", "segment"), version=2,
        summary="Topic models (LDA, K by coherence) with prevalence by place and year.",
        isolated=True,
    ),
    Stage(
        "graph", "pipeline.stages.graph:run",
        reads=("documents", "units.label", "tokens"),
        writes=("links", "themes", "unit_themes", "results:graph", "models:themes",
                "models:reuse"),
        config=("links", "themes", "reuse", "segment"), version=11,
        summary="Problem→countermeasure links, cross-report themes and their graph.",
        isolated=True,
    ),
    Stage(
        "report", "pipeline.stages.report:run",
        reads=("documents", "units", "unit_themes", "results:graph", "results:topics"),
        writes=("results:report",), config=("report",), version=1,
        summary="The self-contained comparison report (report.html).",
        isolated=True,
    ),
)

STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in STAGES)


def get_stage(name: str) -> Stage:
    """The declared stage called ``name``."""
    for stage in STAGES:
        if stage.name == name:
            return stage
    raise ValueError(f"unknown stage {name!r}; stages are {', '.join(STAGE_NAMES)}")


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace and cut to ``limit`` characters: a reason fit for a status table."""
    return " ".join(str(text).split())[:limit]


def work_key(*parts: object) -> str:
    """A stable hash of a stage's name, version, config digest and input ids."""
    blob = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the cyclic garbage collector's young generation checked every
    ``GC_YOUNG_THRESHOLD`` allocations instead of every 700.

    A corpus-level stage allocates a few million small objects (every report's units,
    links, evidence, theme rows) that are never cyclic garbage; at the default each young
    pass promotes them, and the full passes that follow rescan the whole heap: a tenth to a
    sixth of a nightly graph or report stage. Garbage is only collected later; no result
    changes."""
    previous = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def collecting_less(run: Callable[[StageContext], StageResult]
                    ) -> Callable[[StageContext], StageResult]:
    """Decorate a stage function to run under :func:`fewer_collections`."""
    @functools.wraps(run)
    def wrapper(ctx: StageContext) -> StageResult:
        with fewer_collections():
            return run(ctx)

    return wrapper


@functools.cache
def _c_library() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, Windows, musl): nothing to trim
        return None


def return_free_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``).

    A stage frees most of what it built, but glibc keeps freed pages for later, so every
    later stage, and every worker forked from this process, started from the largest heap
    so far: at 1,000 reports the main process held up to 90 MB less after a stage with
    this (after the report, 578 MB instead of 671), and peaked at 700 MB instead of 739.
    A few milliseconds; a no-op elsewhere."""
    library = _c_library()
    if library is not None and hasattr(library, "malloc_trim"):
        library.malloc_trim(0)
