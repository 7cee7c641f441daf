"""Exports: files outside tools read, written atomically as views of the store.

Each file is written to a temporary name in the same folder and renamed over the
old one, so a run killed mid-write leaves the previous export intact.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import IO

from pipeline.records import Document, Unit
from pipeline.store import Store

DOCS_FILE = "docs.jsonl"
UNITS_FILE = "units.jsonl"
STATUS_FILE = "status.tsv"


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


def unit_json(unit: Unit) -> dict[str, object]:
    """The units.jsonl object of one unit (the output contract)."""
    return {
        "doc_id": unit.doc_id, "unit_id": unit.unit_id, "parent_id": unit.parent_id,
        "level": unit.level, "marker": unit.marker, "headline": unit.headline,
        "start": unit.start, "end": unit.end, "kind": unit.kind, "label": unit.label,
        "label_score": None if unit.label_score is None else round(unit.label_score, 4),
    }


def write_jsonl(path: Path, rows: Iterable[dict[str, object]]) -> int:
    """Write rows as JSON lines atomically; returns the row count."""
    count = 0
    with atomic_write(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def export_docs(store: Store, out_dir: Path) -> int:
    """Write docs.jsonl and status.tsv."""
    count = write_jsonl(out_dir / DOCS_FILE, (document_json(d) for d in store.iter_documents()))
    with atomic_write(out_dir / STATUS_FILE) as handle:
        handle.write("doc_id\tsource\tstatus\treason\n")
        for doc, reason in status_rows(store):
            handle.write(f"{doc.doc_id}\t{doc.source}\t{doc.status}\t{reason}\n")
    return count


def export_units(store: Store, out_dir: Path) -> int:
    """Write units.jsonl."""
    return write_jsonl(out_dir / UNITS_FILE, (unit_json(u) for u in store.iter_units()))


def status_rows(store: Store) -> Iterator[tuple[Document, str]]:
    """Each document with a one-line reason (error, duplicate, or a warning)."""
    for doc in store.iter_documents():
        if doc.status == "error":
            reason = doc.error or ""
        elif doc.status == "duplicate":
            reason = f"duplicate of {doc.duplicate_of}"
        else:
            reason = "; ".join(doc.warnings)
        yield doc, reason.replace("\t", " ").replace("\n", " ")
