"""The ``diaoyan`` command: a thin Click layer over :mod:`pipeline.runner` and friends."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from pipeline import runner
from pipeline.config import ConfigError, load_config
from pipeline.lock import OutputBusy
from pipeline.stages import STAGE_NAMES, STAGES, Stage
from pipeline.store import StoreDamaged

out_option = click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="outputs",
    show_default=True, help="Output folder (holds diaoyan.sqlite and the exports).",
)
config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Config file (default: CORPUS/diaoyan.toml, else built-in defaults).",
)
wait_option = click.option(
    "--wait", "wait_seconds", type=float, default=0, show_default=True,
    help="Seconds to wait if another run holds the output folder (0: refuse at once).",
)


# Exit codes, for cron (documented in the README's "Running it nightly").
EXIT_OK = 0
EXIT_ERRORS = 1  # --strict and some file failed, or a stage failed as a whole
EXIT_CANNOT_RUN = 2  # bad config, missing corpus, unwritable or damaged output folder
EXIT_REFUSED = 3  # the corpus shrank past [ingest] max_shrink: nothing was changed
EXIT_BUSY = 75  # EX_TEMPFAIL: another run holds the output folder; try again later


class CannotRun(click.ClickException):
    """A one-line reason the run cannot start (exit 2)."""

    exit_code = EXIT_CANNOT_RUN


class Busy(click.ClickException):
    """Another run holds the folder (exit 75)."""

    exit_code = EXIT_BUSY


class Refused(click.ClickException):
    """The run refused to shrink the corpus (exit 3)."""

    exit_code = EXIT_REFUSED


class JsonLogFormatter(logging.Formatter):
    """One JSON object per log line (for cron and log collectors)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON: time, level, logger, message (and the exception, if any)."""
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


@click.group()
@click.version_option(package_name="diaoyan")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors: no bars, no summaries.")
@click.option("--log-json", is_flag=True, help="Log lines to stderr as JSON objects.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool, log_json: bool) -> None:
    """Mine Chinese investigative reports for problems and countermeasures."""
    ctx.obj = {"quiet": quiet}
    logger = logging.getLogger("pipeline")
    handler = next((h for h in logger.handlers if getattr(h, "_diaoyan_cli", False)), None)
    if handler is None:  # add the handler once, however often the group is invoked
        handler = logging.StreamHandler(sys.stderr)
        handler._diaoyan_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    handler.setStream(sys.stderr)  # the stream of this invocation (tests swap it)
    handler.setFormatter(JsonLogFormatter() if log_json
                         else logging.Formatter("%(levelname)s %(message)s"))
    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    handler.setLevel(level)
    logging.getLogger("jieba").setLevel(logging.WARNING)  # its cache notices are noise here


class ProgressBars:
    """tqdm bars on stderr, one per stage, only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None
        self.stage = None

    def __call__(self, event) -> None:
        """Advance (or start) the bar of the event's stage."""
        if not self.enabled:
            return
        from tqdm import tqdm

        if event.stage != self.stage:
            self.close()
            self.stage = event.stage
            self.bar = tqdm(total=event.total, desc=event.stage, unit="doc", leave=False,
                            file=sys.stderr)
        if event.total and self.bar.total != event.total:
            self.bar.total = event.total
        if event.done is not None:
            self.bar.n = event.done
        self.bar.set_postfix_str(event.message[-40:], refresh=True)

    def close(self) -> None:
        """Close the current bar."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


corpus_argument = click.argument(
    "corpus", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
strict_option = click.option(
    "--strict", is_flag=True, help="Exit 1 when any file could not be ingested."
)
jobs_option = click.option(
    "--jobs", type=click.IntRange(min=1), default=None,
    help="Worker processes for per-document work (default: all cores).",
)
def executor_options(function):
    """``--executor`` and ``--scheduler``: where per-document work runs."""
    function = click.option(
        "--scheduler", metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786) for --executor dask; without it a local "
             "Dask cluster of --jobs workers.")(function)
    return click.option(
        "--executor", type=click.Choice(["local", "dask"]), default="local",
        show_default=True,
        help="Run per-document work in local processes or on a Dask cluster "
             "(same results).")(function)


shrink_option = click.option(
    "--allow-shrink", is_flag=True,
    help="Allow a run that removes more than [ingest] max_shrink of the stored files.",
)
redo_option = click.option(
    "--redo", multiple=True, type=click.Choice(list(STAGE_NAMES)),
    help="Redo a stage's work even where its inputs are unchanged (repeatable).",
)
rebuild_option = click.option(
    "--rebuild", is_flag=True,
    help="Move a damaged store aside (diaoyan.sqlite.damaged-*) and rebuild from the corpus.",
)


@cli.command()
@corpus_argument
@out_option
@config_option
@wait_option
@strict_option
@jobs_option
@executor_options
@shrink_option
@rebuild_option
@redo_option
def run(corpus: Path, out_dir: Path, config_path: Path | None, wait_seconds: float,
        strict: bool, jobs: int | None, executor: str, scheduler: str | None,
        allow_shrink: bool, rebuild: bool, redo: tuple[str, ...]) -> None:
    """Run every stage on CORPUS and write the exports to OUT.

    Example: diaoyan run corpus --out outputs --executor dask --scheduler tcp://head:8786
    """
    config = _load(config_path, corpus)
    if scheduler and executor != "dask":
        raise CannotRun("--scheduler needs --executor dask")
    report = _invoke(out_dir, config, corpus=corpus, stages=runner.ALL_STAGES,
                     wait_seconds=wait_seconds, jobs=jobs, allow_shrink=allow_shrink,
                     rebuild=rebuild, redo=redo, executor=executor, scheduler=scheduler)
    _finish(report, strict)


def _corpus_stage_command(stage: Stage) -> None:
    @cli.command(name=stage.name, help=f"{stage.summary}\n\nExample: diaoyan {stage.name} "
                 "corpus --out outputs")
    @corpus_argument
    @out_option
    @config_option
    @wait_option
    @strict_option
    @jobs_option
    @shrink_option
    def command(corpus: Path, out_dir: Path, config_path: Path | None, wait_seconds: float,
                strict: bool, jobs: int | None, allow_shrink: bool) -> None:
        config = _load(config_path, corpus)
        report = _invoke(out_dir, config, corpus=corpus, stages=(stage.name,),
                         wait_seconds=wait_seconds, jobs=jobs, allow_shrink=allow_shrink)
        _finish(report, strict)


def _stage_command(stage: Stage) -> None:
    @cli.command(name=stage.name, help=f"{stage.summary}\n\nExample: diaoyan {stage.name} outputs")
    @click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
    @config_option
    @wait_option
    @jobs_option
    def command(out_dir: Path, config_path: Path | None, wait_seconds: float,
                jobs: int | None) -> None:
        config = _guard(lambda: runner.config_for_output(out_dir, config_path))
        report = _invoke(out_dir, config, stages=(stage.name,), wait_seconds=wait_seconds,
                         jobs=jobs)
        _finish(report, strict=False)


CUSTOM_STAGE_COMMANDS = ("topics", "graph")  # stages whose command takes options of its own

for _stage in STAGES:  # one command per declared stage
    if _stage.name not in CUSTOM_STAGE_COMMANDS:
        (_corpus_stage_command if _stage.needs_corpus else _stage_command)(_stage)


@cli.command(name="graph")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--problem", "term", help="Countermeasures proposed for problems matching TERM.")
@click.option("--region", "place", help="One place's subgraph (e.g. 甘肃省 or 临泽县).")
@click.option("--unanswered", is_flag=True, help="Problem themes no report answers.")
@click.option("--distinctive", "only_place", help="Themes PLACE names that others do not.")
@config_option
@wait_option
def graph_command(out_dir: Path, term: str | None, place: str | None, unanswered: bool,
                  only_place: str | None, config_path: Path | None,
                  wait_seconds: float) -> None:
    """Build the problem→countermeasure graph, or ask it a question.

    Example: diaoyan graph outputs --problem 待遇
    """
    from pipeline import queries

    if not (term or place or unanswered or only_place):
        config = _guard(lambda: runner.config_for_output(out_dir, config_path))
        _finish(_invoke(out_dir, config, stages=("graph",), wait_seconds=wait_seconds),
                strict=False)
        return
    if term:
        for row in _guard(lambda: queries.countermeasures_for(out_dir, term)):
            click.echo(f"{row['n_places']:>3} places {row['n_docs']:>3} docs  {row['label']}")
    if place:
        sub = _guard(lambda: queries.region_graph(out_dir, place))
        for source, target, data in sorted(sub.edges(data=True)):
            click.echo(f"{sub.nodes[source]['label']}  →  {sub.nodes[target]['label']}  "
                       f"({data.get('pairs', 0)} pairs)")
    if unanswered:
        for row in _guard(lambda: queries.unanswered_problems(out_dir)):
            click.echo(f"{row['size']:>4} units  {row['label']}  ({'、'.join(row['places'])})")
    if only_place:
        for row in _guard(lambda: queries.distinctive(out_dir, only_place)):
            click.echo(f"{row['kind']:<15} {row['label']}")


@cli.command(name="topics")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--label", help="Model the units of one label (problem, countermeasure, …) "
              "instead of whole documents.")
@click.option("--k", type=click.IntRange(min=1), help="Fix the number of topics.")
@click.option("--refit", is_flag=True, help="Refit even if new items could be folded in.")
@config_option
@wait_option
def topics_command(out_dir: Path, label: str | None, k: int | None, refit: bool,
                   config_path: Path | None, wait_seconds: float) -> None:
    """Topic models with prevalence by place and year (topics.json, region_topics.csv …).

    Example: diaoyan topics outputs --label problem
    """
    config = _guard(lambda: runner.config_for_output(out_dir, config_path))
    report = _invoke(out_dir, config, stages=("topics",), wait_seconds=wait_seconds,
                     stage_options={"topic_label": label, "topic_k": k, "refit": refit})
    _finish(report, strict=False)


@cli.command(name="bench")
@click.option("--docs", type=click.IntRange(min=2), default=1000, show_default=True,
              help="Generated reports to measure on.")
@click.option("--large", is_flag=True, help="10,000 reports (takes long; run it in the "
              "background).")
@click.option("--work", "work_dir", type=click.Path(file_okay=False, path_type=Path),
              default="bench/out", show_default=True,
              help="Folder for the generated corpus and the run (reused when the same).")
@click.option("--results", "results_path", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file for the figures (default: WORK/results-N.json).")
@jobs_option
def bench_command(docs: int, large: bool, work_dir: Path, results_path: Path | None,
                  jobs: int | None) -> None:
    """Time every stage and the whole run on a generated corpus against raw jieba.

    Example: diaoyan bench --docs 300
    """
    from pipeline.benchmark import format_figures, run_benchmark

    docs = 10_000 if large else docs
    results_path = results_path or work_dir / f"results-{docs}.json"
    figures = run_benchmark(docs, work_dir, jobs=jobs,
                            progress=lambda line: click.echo(line, err=True))
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")
    click.echo(format_figures(figures))
    click.echo(f"figures in {results_path}")


@cli.command(name="stages")
def stages_command() -> None:
    """List the pipeline's stages: what each reads, writes, its config and version.

    Example: diaoyan stages
    """
    for stage in STAGES:
        click.echo(f"{stage.name} (v{stage.version}): {stage.summary}")
        click.echo(f"  reads:  {', '.join(stage.reads)}")
        click.echo(f"  writes: {', '.join(stage.writes)}")
        click.echo(f"  config: {', '.join('[' + c + ']' for c in stage.config)}")
        if stage.isolated:
            click.echo("  runs in its own process from [run] isolate_min_docs documents")


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def status(out_dir: Path) -> None:
    """Print a table of documents and their outcome.

    Example: diaoyan status outputs
    """
    from pipeline.outputs.reports import status_table

    click.echo(status_table(out_dir))


def _load(config_path: Path | None, corpus: Path | None):
    return _guard(lambda: load_config(config_path, corpus))


def _guard(thunk):
    try:
        return thunk()
    except (ConfigError, StoreDamaged) as exc:
        raise CannotRun(str(exc)) from None


def _invoke(out_dir: Path, config, **kwargs) -> runner.RunReport:
    context = click.get_current_context(silent=True)
    quiet = bool(context and context.find_root().obj and context.find_root().obj.get("quiet"))
    bars = ProgressBars(enabled=not quiet)
    try:
        return runner.run_pipeline(out_dir, config, progress=bars, **kwargs)
    except OutputBusy as exc:
        raise Busy(str(exc)) from None
    except runner.RunRefused as exc:
        raise Refused(str(exc)) from None
    except (runner.OutputUnwritable, StoreDamaged) as exc:
        raise CannotRun(str(exc)) from None
    except PermissionError as exc:
        raise CannotRun(f"permission denied: {exc.filename or exc}") from None
    finally:
        bars.close()


def _finish(report: runner.RunReport, strict: bool) -> None:
    context = click.get_current_context(silent=True)
    quiet = bool(context and context.find_root().obj and context.find_root().obj.get("quiet"))
    if not quiet:
        for note in report.notes:
            click.echo(note)
        for result in report.results:
            click.echo(result.summary())
    for source, reason in report.errors:
        click.echo(f"error  {source}: {reason}", err=True)
    if not quiet:
        click.echo(f"outputs in {report.out_dir}")
    if report.failed or (strict and report.errors):
        raise SystemExit(EXIT_ERRORS)


def main() -> None:
    """Console-script entry point."""
    cli()


# The researcher's tools (eval, kwic, export, serve, review) register on the same group.
from pipeline import cli_tools  # noqa: E402,F401
