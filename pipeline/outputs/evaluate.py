"""Score a run against gold annotations (the ``seeds-partial.json`` format).

An item is found when some unit's ``marker + headline`` contains its key, both
compared after NFKC normalisation with all whitespace removed. Label accuracy and
per-label precision/recall/F1 are computed on found items.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.queries import load_run
from pipeline.records import Document, Unit
from pipeline.text.vocab import normalise_for_match

# The tagger's five labels and "other": every label a gold item may carry.
GOLD_LABELS = ("problem", "cause", "countermeasure", "practice", "background", "other")


def evaluate_output(out_dir: Path, gold_path: Path) -> dict[str, Any]:
    """Score the store in ``out_dir`` against a gold file."""
    gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    docs, units_by_doc = load_run(out_dir)  # read-only: a reader may only read OUT
    return evaluate(docs, units_by_doc, gold)


def evaluate(docs: list[Document], units_by_doc: dict[str, list[Unit]],
             gold: dict[str, Any]) -> dict[str, Any]:
    """Item recall, label accuracy, per-label P/R/F1, metadata checks and the misses."""
    pairs: list[tuple[str, str]] = []  # (gold label, predicted label) of found items
    misses: list[dict[str, str]] = []
    per_doc: dict[str, dict[str, Any]] = {}
    total = 0
    for name, annotation in gold.get("docs", {}).items():
        doc = find_document(docs, name)
        items = annotation.get("items", [])
        total += len(items)
        if doc is None:
            misses.extend({"doc": name, "key": i["key"], "why": "document not in run"}
                          for i in items)
            continue
        doc_pairs, doc_misses = score_items(doc, units_by_doc.get(doc.doc_id, []), items)
        pairs.extend(doc_pairs)
        misses.extend({"doc": name, **m} for m in doc_misses)
        per_doc[name] = {"items": len(items), "found": len(doc_pairs),
                         "correct": sum(g == p for g, p in doc_pairs),
                         **metadata_checks(doc, annotation)}
    correct = sum(g == p for g, p in pairs)
    return {
        "items": total,
        "found": len(pairs),
        "item_recall": round(len(pairs) / total, 4) if total else None,
        "label_accuracy": round(correct / len(pairs), 4) if pairs else None,
        "per_label": per_label_scores(pairs),
        "confusion": confusion(pairs),
        "per_doc": per_doc,
        "misses": misses,
    }


def find_document(docs: list[Document], name: str) -> Document | None:
    """The ok (or duplicate) document whose source file is ``name``."""
    for doc in docs:
        base = doc.source.split("#")[0]
        if doc.status != "error" and (base == name or Path(base).name == name):
            return doc
    return None


def score_items(doc: Document, units: list[Unit],
                items: list[dict[str, str]]) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """Match gold items to units; return (gold, predicted) pairs and the misses."""
    keyed = [(normalise_for_match(u.marker + u.headline), u) for u in units]
    pairs, misses = [], []
    for item in items:
        key = normalise_for_match(item["key"])
        matches = [u for text, u in keyed if key in text]
        if not matches:
            misses.append({"key": item["key"], "gold": item["label"], "why": "no unit"})
            continue
        unit = min(matches, key=lambda u: len(u.marker + u.headline))
        predicted = unit.label or "other"
        pairs.append((item["label"], predicted))
        if predicted != item["label"]:
            misses.append({"key": item["key"], "gold": item["label"], "why": f"label {predicted}"})
    return pairs, misses


def confusion(pairs: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """gold label → predicted label → count, over found items."""
    table: dict[str, dict[str, int]] = {}
    for gold, predicted in pairs:
        row = table.setdefault(gold, {})
        row[predicted] = row.get(predicted, 0) + 1
    return table


def per_label_scores(pairs: list[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 of each label over found items."""
    gold_counts = Counter(g for g, _ in pairs)
    predicted_counts = Counter(p for _, p in pairs)
    hits = Counter(g for g, p in pairs if g == p)
    scores = {}
    for label in GOLD_LABELS:
        if not gold_counts[label] and not predicted_counts[label]:
            continue
        precision = hits[label] / predicted_counts[label] if predicted_counts[label] else 0.0
        recall = hits[label] / gold_counts[label] if gold_counts[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                         "f1": round(f1, 4), "support": gold_counts[label]}
    return scores


def metadata_checks(doc: Document, annotation: dict[str, Any]) -> dict[str, Any]:
    """Compare region/title/year/authors where the gold gives them."""
    checks: dict[str, Any] = {}
    if "region" in annotation:
        place = region_name(doc)
        expected = annotation["region"]
        checks["region_ok"] = (place == expected) if expected else not place
        checks["region"] = place or None
    if annotation.get("title") or annotation.get("title_sha256"):
        checks["title_ok"] = title_matches(doc.title, annotation)
    if "year" in annotation:
        checks["year_ok"] = doc.year == annotation["year"]
        checks["year"] = doc.year
    if "authors" in annotation or "year" in annotation:
        checks.update(author_checks(doc.authors, annotation.get("authors") or []))
    return checks


def author_checks(extracted: Iterable[str], gold: Iterable[str]) -> dict[str, Any]:
    """Author names of one document against the gold's (see ``AUTHOR_RULE``)."""
    found, expected = _author_set(extracted), _author_set(gold)
    checks: dict[str, Any] = {"authors_ok": found == expected,
                              "authors_right": len(found & expected),
                              "authors_extracted": len(found), "authors_gold": len(expected)}
    if found != expected:
        checks["authors"] = sorted(found)
    return checks


# How eval scores authors; printed with the scores and in the README.
AUTHOR_RULE = (
    "authors: a document is scored when its gold gives `authors` (or gives `year` without "
    "`authors`: its text names none); names compared as sets after NFKC without whitespace; "
    "accuracy = share of documents whose set equals the gold's (none = none), P/R = author "
    "names right over names extracted / over gold names, summed over documents")


def _author_set(names: Iterable[str]) -> set[str]:
    return {form for form in (normalise_for_match(name) for name in names) if form}


def title_matches(title: str | None, annotation: dict[str, Any]) -> bool:
    """Whether a title is the gold's: its ``title``, or the hash of a long one."""
    form = normalise_for_match(title or "")
    if annotation.get("title"):
        return form == normalise_for_match(annotation["title"])
    # long gold titles are kept as a hash (and a short key): no report text in the repo
    expected = annotation.get("title_sha256") or ""
    return bool(expected) and hashlib.sha256(form.encode()).hexdigest()[: len(expected)] == expected


def region_name(doc: Document) -> str:
    """The region as the gold writes it: 上海市青浦区, not 上海市上海市青浦区.

    The store repeats a municipality as its own city level (province=city=上海市); the
    repeated name is written once.
    """
    names: list[str] = []
    for name in (doc.region.province, doc.region.city, doc.region.county):
        if name and (not names or names[-1] != name):
            names.append(name)
    return "".join(names)


def format_scores(scores: dict[str, Any]) -> str:
    """A short human-readable report of the scores."""
    lines = [
        f"items: {scores['found']}/{scores['items']} found "
        f"(recall {scores['item_recall']}), label accuracy {scores['label_accuracy']}",
    ]
    for label, s in scores["per_label"].items():
        lines.append(f"  {label:<15} P {s['precision']:.2f}  R {s['recall']:.2f}  "
                     f"F1 {s['f1']:.2f}  (n={s['support']})")
    if "year_accuracy" in scores:  # set by scoring.metadata_shares
        lines.append(metadata_line(scores))
    for name, info in scores["per_doc"].items():
        extras = ", ".join(f"{k}={v}" for k, v in info.items()
                           if k not in ("items", "found", "correct", "authors_right",
                                        "authors_extracted", "authors_gold"))
        lines.append(f"  {name}: {info['found']}/{info['items']} found, "
                     f"{info['correct']} right{'; ' + extras if extras else ''}")
    if scores["misses"]:
        lines.append("misses:")
        lines.extend(f"  {m['doc']}: {m['key']} ({m['why']})" for m in scores["misses"])
    return "\n".join(lines)


def metadata_line(scores: dict[str, Any]) -> str:
    """Region, title, year and author accuracy of a part (``scoring.metadata_shares``)."""
    return (f"region {scores['region_accuracy']} (n={scores['region_docs']}), "
            f"title {scores['title_accuracy']} (n={scores['title_docs']}), "
            f"year {scores['year_accuracy']} (n={scores['year_docs']}), "
            f"authors {scores['authors_accuracy']} (n={scores['authors_docs']}; names "
            f"P {scores['authors_precision']} R {scores['authors_recall']})")
