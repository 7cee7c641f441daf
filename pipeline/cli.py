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


@click.group()
@click.version_option(package_name="diaoyan")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(verbose: bool) -> None:
    """Mine Chinese investigative reports for problems and countermeasures."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logging.getLogger("pipeline").addHandler(handler)
    logging.getLogger("jieba").setLevel(logging.WARNING)  # its cache notices are noise here


corpus_argument = click.argument(
    "corpus", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
strict_option = click.option(
    "--strict", is_flag=True, help="Exit 1 when any file could not be ingested."
)


@cli.command()
@corpus_argument
@out_option
@config_option
@wait_option
@strict_option
def run(corpus: Path, out_dir: Path, config_path: Path | None, wait_seconds: float,
        strict: bool) -> None:
    """Run every stage on CORPUS and write the exports to OUT.

    Example: diaoyan run corpus --out outputs
    """
    _run_on_corpus(corpus, out_dir, config_path, wait_seconds, strict, runner.ALL_STAGES)


@cli.command()
@corpus_argument
@out_option
@config_option
@wait_option
@strict_option
def ingest(corpus: Path, out_dir: Path, config_path: Path | None, wait_seconds: float,
           strict: bool) -> None:
    """Ingest CORPUS only: write OUT/docs.jsonl and OUT/status.tsv.

    Example: diaoyan ingest corpus --out outputs
    """
    _run_on_corpus(corpus, out_dir, config_path, wait_seconds, strict, ("ingest",))


def _run_on_corpus(corpus: Path, out_dir: Path, config_path: Path | None,
                   wait_seconds: float, strict: bool, stages: tuple[str, ...]) -> None:
    config = _load(config_path, corpus)
    report = _invoke(out_dir, config, corpus=corpus, stages=stages, wait_seconds=wait_seconds)
    _finish(report, strict)


def _stage_command(name: str, summary: str) -> None:
    @cli.command(name=name, help=f"{summary}\n\nExample: diaoyan {name} outputs")
    @click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
    @config_option
    @wait_option
    def command(out_dir: Path, config_path: Path | None, wait_seconds: float) -> None:
        config = _guard(lambda: runner.config_for_output(out_dir, config_path))
        report = _invoke(out_dir, config, stages=(name,), wait_seconds=wait_seconds)
        _finish(report, strict=False)


_stage_command("structure", "Find headings and enumerations in ingested documents.")
_stage_command("segment", "Segment documents with jieba inside spaCy.")
_stage_command("tag", "Label units problem/cause/countermeasure/practice/background/other.")


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def status(out_dir: Path) -> None:
    """Print a table of documents and their outcome.

    Example: diaoyan status outputs
    """
    from pipeline.reports import status_table

    click.echo(status_table(out_dir))


@cli.command(name="eval")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--gold", "gold_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Gold file in the seeds-partial.json format.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_command(out_dir: Path, gold_path: Path, as_json: bool) -> None:
    """Score a run's units against gold labels.

    Example: diaoyan eval outputs --gold ../shared/gold/seeds-partial.json
    """
    from pipeline.evaluate import evaluate_output, format_scores

    scores = evaluate_output(out_dir, gold_path)
    click.echo(json.dumps(scores, ensure_ascii=False, indent=1) if as_json
               else format_scores(scores))


def _load(config_path: Path | None, corpus: Path | None):
    return _guard(lambda: load_config(config_path, corpus))


def _guard(thunk):
    try:
        return thunk()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _invoke(out_dir: Path, config, **kwargs) -> runner.RunReport:
    try:
        return runner.run_pipeline(out_dir, config, **kwargs)
    except OutputBusy as exc:
        raise click.ClickException(str(exc)) from None


def _finish(report: runner.RunReport, strict: bool) -> None:
    for result in report.results:
        click.echo(result.summary())
    for source, reason in report.errors:
        click.echo(f"error  {source}: {reason}", err=True)
    click.echo(f"outputs in {report.out_dir}")
    if strict and report.errors:
        raise SystemExit(1)


def main() -> None:
    """Console-script entry point."""
    cli()
