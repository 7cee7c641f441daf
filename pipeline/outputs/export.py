"""Exports: files outside tools read, written as one snapshot per run.

A run writes every export into a new folder ``OUT/generations/<run>/`` and then
switches the symlink ``OUT/current`` to it in one rename; ``OUT/docs.jsonl`` and its
siblings are symlinks through ``current``. A reader therefore never sees a new
docs.jsonl beside an old units.jsonl, and a run killed at any point leaves the
previous snapshot in place (its half-written folder is removed by the next run).
Files are created with the user's umask (0644 under umask 022), not 0600.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import IO

from pipeline.records import Document, Unit
from pipeline.store import Store

DOCS_FILE = "docs.jsonl"
UNITS_FILE = "units.jsonl"
STATUS_FILE = "status.tsv"
GENERATIONS_DIR = "generations"
CURRENT_LINK = "current"
KEEP_GENERATIONS = 2  # the current snapshot and the one before it
STATUS_COLUMNS = ("doc_id", "source", "status", "reason")


def current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path: Path) -> Iterator[IO[str]]:
    """Open a temporary file beside ``path``; on success, fsync and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
        delete=False,
    )
    try:
        with handle:
            os.chmod(handle.name, 0o666 & ~current_umask())  # mkstemp makes 0600
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def document_json(doc: Document) -> dict[str, object]:
    """The docs.jsonl object of one document (the output contract)."""
    return {
        "doc_id": doc.doc_id, "source": doc.source, "title": doc.title,
        "region": asdict(doc.region), "year": doc.year, "authors": list(doc.authors),
        "script": doc.script, "placeholders": doc.placeholders, "status": doc.status,
        "error": doc.error, "duplicate_of": doc.duplicate_of, "text": doc.text,
        "format": doc.fmt, "encoding": doc.encoding, "warnings": list(doc.warnings),
        "captions": [list(c) for c in doc.captions],
    }


def unit_json(unit: Unit, theme: str | None = None) -> dict[str, object]:
    """The units.jsonl object of one unit (the output contract)."""
    return {
        "doc_id": unit.doc_id, "unit_id": unit.unit_id, "parent_id": unit.parent_id,
        "level": unit.level, "marker": unit.marker, "headline": unit.headline,
        "start": unit.start, "end": unit.end, "kind": unit.kind, "label": unit.label,
        "label_score": None if unit.label_score is None else round(unit.label_score, 4),
        "theme": theme,
    }


def write_jsonl(path: Path, rows: Iterable[dict[str, object]]) -> int:
    """Write rows as JSON lines atomically; returns the row count."""
    count = 0
    with atomic_write(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def export_docs(store: Store, folder: Path) -> int:
    """Write docs.jsonl and status.tsv into ``folder``."""
    count = write_jsonl(folder / DOCS_FILE, (document_json(d) for d in store.iter_documents()))
    with atomic_write(folder / STATUS_FILE) as handle:
        handle.write("\t".join(STATUS_COLUMNS) + "\n")
        for row in status_rows(store):
            handle.write("\t".join(tsv_field(value) for value in row) + "\n")
    return count


def export_units(store: Store, folder: Path) -> int:
    """Write units.jsonl into ``folder`` (units of ok documents only; each line is
    ``unit_json`` of the unit and its theme, rendered by the store)."""
    count = 0
    with atomic_write(folder / UNITS_FILE) as handle:
        for line in store.iter_unit_json_lines():
            handle.write(line + "\n")
            count += 1
    return count


def tsv_field(value: object) -> str:
    """A TSV cell: tabs, newlines and backslashes escaped so a row stays one line of 4 cells."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace(
        "\r", "\\r")


def status_rows(store: Store) -> Iterator[tuple[str, str, str, str]]:
    """(doc_id, source, status, reason) of every document, stage failure and skipped file."""
    stage_errors: dict[str, str] = {}
    for _stage, doc_id, _key, reason in store.iter_doc_errors():
        stage_errors.setdefault(doc_id, reason)
    for doc in store.iter_documents(with_text=False):
        status = doc.status
        if doc.status == "error":
            reason = doc.error or ""
        elif doc.status == "duplicate":
            reason = doc.note or f"duplicate of {doc.duplicate_of}"
        elif doc.doc_id in stage_errors:
            status, reason = "error", stage_errors[doc.doc_id]
        else:
            reason = "; ".join(doc.warnings)
        yield doc.doc_id, doc.source, status, " ".join(reason.split())
    for source, reason in store.iter_skipped():
        yield "", source, "skipped", reason


def publish(store: Store, out_dir: Path, run_id: int,
            writers: Iterable[Callable[[Store, Path], object]] = (),
            same_as: Path | None = None) -> Path:
    """Write every export of this run into a new generation and switch ``current`` to it.

    ``same_as``: a generation known to hold exactly what this run would write (nothing
    changed since it was published); its files are hard-linked instead of rewritten.
    """
    generations = out_dir / GENERATIONS_DIR
    generations.mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{run_id}.", suffix=".tmp", dir=generations))
    os.chmod(staging, 0o777 & ~current_umask())
    if same_as is not None:
        link_files(same_as, staging)
    else:
        for write in (export_docs, export_units, *writers):
            write(store, staging)
    final = generations / f"{run_id:06d}"
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)
    switch_link(out_dir / CURRENT_LINK, f"{GENERATIONS_DIR}/{final.name}")
    for name in sorted(os.listdir(final)):
        link = out_dir / name
        if not (link.is_symlink() and os.readlink(link) == f"{CURRENT_LINK}/{name}"):
            switch_link(link, f"{CURRENT_LINK}/{name}")
    prune_generations(generations, keep=final.name)
    return final


def link_files(source: Path, target: Path) -> None:
    """Hard-link (or, across file systems, copy) every file of ``source`` into ``target``."""
    for path in sorted(source.iterdir()):
        if path.is_file():
            try:
                os.link(path, target / path.name)
            except OSError:
                shutil.copy2(path, target / path.name)


def switch_link(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` atomically (a new symlink renamed over the old entry)."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.link")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(temporary, link)


def prune_generations(generations: Path, keep: str) -> None:
    """Remove older snapshots (keeping the last few) and what killed runs left half-written."""
    finished = sorted(p.name for p in generations.iterdir() if p.name[:1].isdigit())
    stale = [n for n in finished[:-KEEP_GENERATIONS] if n != keep]
    stale += [p.name for p in generations.iterdir() if p.name.startswith(".")]
    for name in stale:
        shutil.rmtree(generations / name, ignore_errors=True)


def remove_leftovers(out_dir: Path) -> list[str]:
    """Delete temporary files and folders that killed runs left in ``out_dir``."""
    removed = []
    for path in list(out_dir.glob(".*.tmp")) + list(out_dir.glob(".*.link")):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path.name)
    generations = out_dir / GENERATIONS_DIR
    if generations.is_dir():
        for path in generations.glob(".*"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(f"{GENERATIONS_DIR}/{path.name}")
    return removed
