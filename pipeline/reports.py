"""Human-readable views of an output folder (the status table)."""

from __future__ import annotations

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
    width = max([len(d.source) for d, _ in rows] + [6])
    lines = [f"{'source':<{width}}  {'status':<9}  {'doc_id':<16}  reason"]
    for doc, reason in rows:
        place = "/".join(filter(None, (doc.region.province, doc.region.city, doc.region.county)))
        detail = reason or " ".join(filter(None, (doc.title or "", place, str(doc.year or ""))))
        lines.append(f"{doc.source:<{width}}  {doc.status:<9}  {doc.doc_id:<16}  {detail}")
    counts = Counter(d.status for d, _ in rows)
    lines.append(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "empty")
    return "\n".join(lines)
