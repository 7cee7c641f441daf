"""The researcher's tools on the ``diaoyan`` command: eval, kwic, export, serve, review.

Each is a thin layer over a library function (``pipeline.queries``, ``pipeline.outputs``);
they register on the group defined in :mod:`pipeline.cli`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.cli import Busy, CannotRun, _guard, cli, wait_option
from pipeline.lock import OutputBusy


@cli.command(name="eval")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--gold", "gold_paths", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Gold file(s) in the seeds-partial.json format (repeatable).")
@click.option("--split", "split_paths", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Split file(s) naming held-out documents: score dev, held-out and all.")
@click.option("--reviews", is_flag=True, help="Score against imported human review codes.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_command(out_dir: Path, gold_paths: tuple[Path, ...], split_paths: tuple[Path, ...],
                 reviews: bool, as_json: bool) -> None:
    """Score a run's units against gold labels (or imported review codes).

    Example: diaoyan eval outputs --gold ../shared/gold/seeds-partial.json
    """
    if not gold_paths and not reviews:
        raise CannotRun("give --gold FILE or --reviews")
    if reviews:
        from pipeline.queries import review_scores

        scores = review_scores(out_dir)
        click.echo(json.dumps(scores, ensure_ascii=False) if as_json else
                   f"reviewed units: {scores['found']}/{scores['reviewed']} found, "
                   f"label accuracy {scores['label_accuracy']}")
    if not gold_paths:
        return
    from pipeline.outputs.graph_scores import load_graph_outputs
    from pipeline.outputs.scoring import format_parts, load_gold, load_heldout, score_parts
    from pipeline.queries import load_run

    docs, units_by_doc = load_run(out_dir)
    parts = ("dev", "heldout", "all") if split_paths else ("all",)
    gold, graph_outputs = load_gold(gold_paths), load_graph_outputs(out_dir)
    results = score_parts(docs, units_by_doc, gold, load_heldout(split_paths), parts,
                          graph_outputs)
    if len(split_paths) > 1:  # each held-out set on its own too (set aside at different times)
        for path in split_paths:
            one = score_parts(docs, units_by_doc, gold, load_heldout([path]), ("heldout",),
                              graph_outputs)
            results[f"heldout {path.stem}"] = one["heldout"]
    if len(gold_paths) == 1 and not split_paths:  # one gold file: the detailed report
        from pipeline.outputs.evaluate import format_scores

        scores = results["all"]
        if as_json:
            click.echo(json.dumps(scores, ensure_ascii=False, indent=1))
            return
        click.echo(format_scores(scores))
        click.echo("\n".join(line for line in format_parts(results).splitlines()
                             if line.startswith(("  links", "  themes"))))
        return
    click.echo(json.dumps(results, ensure_ascii=False, indent=1) if as_json
               else format_parts(results))


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8001, show_default=True)
def serve(out_dir: Path, host: str, port: int) -> None:
    """Browse the store in Datasette: facets by place/label/year, canned queries.

    Example: diaoyan serve outputs --port 8001
    """
    from pipeline.outputs.serve import serve as run_server

    try:
        raise SystemExit(run_server(out_dir, host, port))
    except RuntimeError as exc:
        raise CannotRun(str(exc)) from None


@cli.group()
def review() -> None:
    """Hand-code a sample of units; the codes become gold and training data."""


@review.command(name="export")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--sample", "n", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV file (default: OUT/review-sample.csv).")
def review_export(out_dir: Path, n: int, seed: int, target: Path | None) -> None:
    """Write a stratified sample of units (by predicted label and place) to code by hand.

    Example: diaoyan review export outputs --sample 300
    """
    from pipeline.outputs.review import stratified_sample, write_review_csv
    from pipeline.queries import review_rows

    target = target or out_dir / "review-sample.csv"
    rows = stratified_sample(_guard(lambda: review_rows(out_dir)), n, seed)
    count = write_review_csv(target, rows)
    click.echo(f"{target}: {count} units; fill the 'label' column "
               "(problem/cause/countermeasure/practice/background/other)")


@review.command(name="import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default="outputs", show_default=True)
@wait_option
def review_import(files: tuple[Path, ...], out_dir: Path, wait_seconds: float) -> None:
    """Store coded review files; with two files, print Cohen's kappa between the coders.

    Example: diaoyan review import coder1.csv coder2.csv --out outputs
    """
    from pipeline.lock import exclusive_output
    from pipeline.outputs.review import cohen_kappa, read_review_csv
    from pipeline.store import Store

    coded = [read_review_csv(path) for path in files]
    try:
        with exclusive_output(out_dir, wait_seconds):
            store = _guard(lambda: Store.for_output(out_dir))
            try:
                with store.transaction():
                    for path, codes in zip(files, coded, strict=True):
                        store.put_reviews(codes, str(path))
            finally:
                store.close()
    except OutputBusy as exc:
        raise Busy(str(exc)) from None
    for path, codes in zip(files, coded, strict=True):
        click.echo(f"{path}: {len(codes)} coded units")
    if len(coded) == 2:
        agreement = cohen_kappa(*coded)
        click.echo(f"agreement on {agreement['units']} units: {agreement['agreement']}, "
                   f"Cohen's kappa {agreement['kappa']}")
    click.echo("the codes train the tagger on the next run; score with: diaoyan eval OUT --reviews")


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("term")
@click.option("--label", help="Only units with this label (problem, countermeasure, …).")
@click.option("--place", help="Only documents whose place contains this (e.g. 甘肃省).")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--width", type=click.IntRange(min=5), default=30, show_default=True,
              help="Characters of context on each side.")
def kwic(out_dir: Path, term: str, label: str | None, place: str | None, limit: int,
         width: int) -> None:
    """Keyword in context across the corpus, with source, place, unit and label.

    Example: diaoyan kwic outputs 待遇 --label problem
    """
    from pipeline.queries import kwic as find

    lines = _guard(lambda: find(out_dir, term, label=label, place=place, limit=limit,
                                width=width))
    for line in lines:
        click.echo(f"{line.left:>{width}}【{line.match}】{line.right:<{width}}  "
                   f"{line.source}  {line.place}  {line.label or '-'}  {line.unit_id or '-'}")
    click.echo(f"{len(lines)} lines")


@cli.command(name="export")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "jsonl"]), default="csv",
              show_default=True)
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the tables (default: OUT/export-FORMAT).")
def export_command(out_dir: Path, fmt: str, target: Path | None) -> None:
    """Write docs, units, links, topics, themes and county_theme tables.

    Example: diaoyan export outputs --format parquet
    """
    from pipeline.outputs.tables import export_tables
    from pipeline.store import Store

    target = target or out_dir / f"export-{fmt}"
    store = _guard(lambda: Store.for_reading(out_dir))
    try:
        counts = export_tables(store, target, fmt)
    except RuntimeError as exc:
        raise CannotRun(str(exc)) from None
    finally:
        store.close()
    for name, count in counts.items():
        click.echo(f"{target / (name + '.' + fmt)}: {count} rows")
