"""Human-readable views of an output folder (the status table)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

from pipeline.export import status_rows
from pipeline.store import STORE_FILENAME, Store


def status_table(out_dir: Path) -> str:
    """A fixed-width table of every document's outcome, with a count line."""
    if not (out_dir / STORE_FILENAME).exists():
        return f"no diaoyan store in {out_dir}: run `diaoyan run CORPUS --out {out_dir}` first"
    store = Store(out_dir / STORE_FILENAME)
    try:
        rows = list(status_rows(store))
    finally:
        store.close()
    width = max([display_width(d.source) for d, _ in rows] + [6])
    lines = [f"{pad('source', width)}  {'status':<9}  {'doc_id':<16}  reason / metadata"]
    for doc, reason in rows:
        place = "/".join(filter(None, (doc.region.province, doc.region.city, doc.region.county)))
        detail = reason or " ".join(filter(None, (doc.title or "", place, str(doc.year or ""))))
        lines.append(f"{pad(doc.source, width)}  {doc.status:<9}  {doc.doc_id:<16}  {detail}")
    counts = Counter(d.status for d, _ in rows)
    lines.append(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "empty")
    return "\n".join(lines)


def display_width(text: str) -> int:
    """Terminal columns of a string: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns."""
    return text + " " * max(0, width - display_width(text))
