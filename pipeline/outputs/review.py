"""Human review: a stratified sample of units to code by hand, and the codes read back.

``review export`` writes a CSV a researcher opens in Excel: one row per sampled unit
with its predicted label, theme and links, and an empty ``label`` column to fill in
(``coder`` and ``note`` too). ``review import`` reads one or more coded files; their
labels become gold for ``diaoyan eval --reviews`` (with Cohen's kappa between two
coders) and train the tagger on the next run (three times the weight of a silver
example). Units keep the model's label, so the evaluation stays honest.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABELS = ("problem", "cause", "countermeasure", "practice", "background", "other")
REVIEW_COLUMNS = ("unit_id", "doc_id", "source", "place", "marker", "headline", "predicted",
                  "score", "theme", "linked_to", "label", "coder", "note")


@dataclass(frozen=True)
class ReviewCode:
    """One human judgement of a unit's label."""

    unit_id: str
    label: str
    coder: str
    note: str = ""


def stratified_sample(rows: list[dict[str, Any]], n: int, seed: int) -> list[dict[str, Any]]:
    """About ``n`` rows, spread evenly over predicted labels (then over places), reproducibly."""
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["unit_id"]):
        by_label[row["predicted"] or "other"].append(row)
    rng = random.Random(seed)
    for label, group in by_label.items():
        rng.shuffle(group)
        by_label[label] = alternate_places(group)
    chosen: list[dict[str, Any]] = []
    labels = sorted(by_label)
    while len(chosen) < n and any(by_label.values()):
        for label in labels:
            if by_label[label] and len(chosen) < n:
                chosen.append(by_label[label].pop(0))
    return sorted(chosen, key=lambda r: (r["source"], r["unit_id"]))


def alternate_places(group: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reorder so that taking from the front alternates places (the k-th of each place first)."""
    seen: dict[str, int] = defaultdict(int)
    ranked = []
    for position, row in enumerate(group):
        ranked.append((seen[row["place"]], position, row))
        seen[row["place"]] += 1
    return [row for _rank, _position, row in sorted(ranked, key=lambda t: t[:2])]


def write_review_csv(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write the sample as CSV (UTF-8 with BOM for Excel); returns the row count."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REVIEW_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**{c: "" for c in REVIEW_COLUMNS}, **row})
            count += 1
    return count


def read_review_csv(path: Path, default_coder: str | None = None) -> list[ReviewCode]:
    """The coded rows of a review file (rows with an empty or unknown label are skipped)."""
    coder_name = default_coder or Path(path).stem
    codes = []
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            label = (row.get("label") or "").strip().lower()
            if label not in LABELS or not row.get("unit_id"):
                continue
            codes.append(ReviewCode(row["unit_id"].strip(), label,
                                    (row.get("coder") or "").strip() or coder_name,
                                    (row.get("note") or "").strip()))
    return codes


def cohen_kappa(first: list[ReviewCode], second: list[ReviewCode]) -> dict[str, Any]:
    """Agreement of two coders on the units both coded: raw share and Cohen's kappa."""
    from sklearn.metrics import cohen_kappa_score

    a = {c.unit_id: c.label for c in first}
    b = {c.unit_id: c.label for c in second}
    shared = sorted(set(a) & set(b))
    if not shared:
        return {"units": 0, "agreement": None, "kappa": None}
    left, right = [a[u] for u in shared], [b[u] for u in shared]
    agreement = sum(x == y for x, y in zip(left, right, strict=True)) / len(shared)
    kappa = 1.0 if len(set(left) | set(right)) == 1 else cohen_kappa_score(left, right)
    return {"units": len(shared), "agreement": round(agreement, 4), "kappa": round(kappa, 4)}


def consensus(codes: Iterable[ReviewCode]) -> dict[str, str]:
    """unit_id → label: the latest code of a unit wins when coders disagree."""
    return {code.unit_id: code.label for code in codes}


def reviews_digest(labels: dict[str, str]) -> str:
    """A short hash of the reviewed labels (part of the tagger's key: new codes retrain)."""
    blob = "\n".join(f"{u}\t{labels[u]}" for u in sorted(labels))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
