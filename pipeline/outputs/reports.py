"""Human-readable views of an output folder (the status table)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

from pipeline.outputs.export import status_rows
from pipeline.store import STORE_FILENAME, Store


def status_table(out_dir: Path) -> str:
    """A fixed-width table of every document's outcome, with a count line."""
    if not (out_dir / STORE_FILENAME).exists():
        return f"no diaoyan store in {out_dir}: run `diaoyan run CORPUS --out {out_dir}` first"
    store = Store.for_reading(out_dir)  # works for a user who can only read OUT
    try:
        rows = list(status_rows(store))
        docs = {d.doc_id: d for d in store.iter_documents()}
    finally:
        store.close()
    width = max([terminal_width(source) for _, source, _, _ in rows] + [6])
    lines = [f"{pad('source', width)}  {'status':<9}  {'doc_id':<16}  reason / metadata"]
    for doc_id, source, status, reason in rows:
        detail = reason
        if not detail and doc_id in docs:
            doc = docs[doc_id]
            place = "/".join(filter(None, (doc.region.province, doc.region.city,
                                           doc.region.county)))
            detail = " ".join(filter(None, (doc.title or "", place, str(doc.year or ""))))
        lines.append(f"{pad(source, width)}  {status:<9}  {doc_id or '-':<16}  {detail}")
    counts = Counter(status for _, _, status, _ in rows)
    lines.append(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "empty")
    return "\n".join(lines)


def terminal_width(text: str) -> int:
    """Terminal columns of a string: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns."""
    return text + " " * max(0, width - terminal_width(text))
