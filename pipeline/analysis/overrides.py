"""``metadata.csv`` in the corpus: a researcher's corrections of title, place, year, authors.

Rows are matched to documents by source path (``dir/file.docx``, ``file.docx#2``) or by
bare file name, so a renamed file picks up the row written for its new name.
"""

from __future__ import annotations

import csv
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.analysis import gazetteer
from pipeline.records import Document

METADATA_CSV = "metadata.csv"

log = logging.getLogger(__name__)


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
        changes["authors"] = tuple(a for a in split_names(row["authors"]) if a)
    names = {k: (row.get(k) or "").strip() or None for k in ("province", "city", "county")}
    if any(names.values()):
        changes["region"] = gazetteer.region_from_names(**names)
    return replace(doc, **changes)


def split_names(value: str) -> list[str]:
    """Authors written with any of the usual separators (、，,;；/ or spaces)."""
    for sep in "、，,;；/":
        value = value.replace(sep, " ")
    return value.split()
