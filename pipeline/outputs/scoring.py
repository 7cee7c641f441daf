"""Scores over several gold files at once, split into a development and a held-out part.

Gold files share the ``seeds-partial.json`` format; a split file
(``{"rule": …, "heldout": [file names]}``) names the documents set aside before any
tuning. ``score_parts`` reports the development part, the held-out part and all of
it, each with item recall, label accuracy, the label confusion matrix, the share of
documents whose region, title, year and authors are right, and the precision and recall
of author names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PARTS = ("dev", "heldout", "all")


def load_gold(paths: Iterable[Path]) -> dict[str, Any]:
    """Merge gold files (later files win for a document named twice)."""
    merged: dict[str, Any] = {"docs": {}, "themes": []}
    for path in paths:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        merged["docs"].update(data.get("docs", {}))
        merged["themes"].extend(data.get("themes", []))
    return merged


def load_heldout(paths: Iterable[Path]) -> set[str]:
    """The held-out document names of the split files."""
    names: set[str] = set()
    for path in paths:
        names.update(json.loads(Path(path).read_text(encoding="utf-8")).get("heldout", []))
    return names


def select_part(gold: dict[str, Any], heldout: set[str], part: str) -> dict[str, Any]:
    """The gold restricted to one part: dev (not held out), heldout, or all."""
    if part == "all":
        return gold
    keep = (lambda name: name in heldout) if part == "heldout" else \
        (lambda name: name not in heldout)
    return {**gold, "docs": {n: a for n, a in gold["docs"].items() if keep(n)}}


def metadata_shares(scores: dict[str, Any]) -> dict[str, Any]:
    """Share of documents with the region, title, year and authors right, and the
    precision and recall of author names (``evaluate.AUTHOR_RULE``)."""
    shares: dict[str, Any] = {}
    for check in ("region_ok", "title_ok", "year_ok", "authors_ok"):
        values = [info[check] for info in scores["per_doc"].values() if check in info]
        shares[check.replace("_ok", "_accuracy")] = _share(sum(values), len(values))
        shares[check.replace("_ok", "_docs")] = len(values)
    per_doc = [info for info in scores["per_doc"].values() if "authors_right" in info]
    right = sum(info["authors_right"] for info in per_doc)
    shares["authors_precision"] = _share(right, sum(i["authors_extracted"] for i in per_doc))
    shares["authors_recall"] = _share(right, sum(i["authors_gold"] for i in per_doc))
    return shares


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def score_parts(docs: list, units_by_doc: dict, gold: dict[str, Any], heldout: set[str],
                parts: Iterable[str] = PARTS, graph_outputs: tuple | None = None
                ) -> dict[str, dict[str, Any]]:
    """Scores of each part (see the module docstring); links and themes when given."""
    from pipeline.outputs.evaluate import evaluate
    from pipeline.outputs.graph_scores import link_scores, theme_scores

    results = {}
    for part in parts:
        chosen = select_part(gold, heldout, part)
        scores = evaluate(docs, units_by_doc, chosen)
        scores.update(metadata_shares(scores))
        scores["documents"] = len(chosen["docs"])
        if graph_outputs is not None:
            links_by_doc, assignments = graph_outputs
            scores["links"] = link_scores(docs, units_by_doc, links_by_doc, chosen)
            scores["themes"] = theme_scores(docs, units_by_doc, assignments, chosen,
                                            heldout, part)
        results[part] = scores
    return results


def format_parts(results: dict[str, dict[str, Any]]) -> str:
    """One block per part: the headline numbers and the confusion matrix."""
    from pipeline.outputs.evaluate import AUTHOR_RULE, metadata_line

    lines = []
    for part, scores in results.items():
        lines.append(
            f"[{part}] {scores['documents']} documents: items {scores['found']}/"
            f"{scores['items']} found (recall {scores['item_recall']}), label accuracy "
            f"{scores['label_accuracy']}, {metadata_line(scores)}")
        labels = sorted({g for g in scores["confusion"]} |
                        {p for row in scores["confusion"].values() for p in row})
        if labels:
            lines.append("  gold \\ predicted " + " ".join(f"{lab[:7]:>8}" for lab in labels))
            for gold_label in labels:
                row = scores["confusion"].get(gold_label, {})
                lines.append(f"  {gold_label:<17} " +
                             " ".join(f"{row.get(p, 0):>8}" for p in labels))
        links = scores.get("links") or {}
        if links.get("documents"):
            lines.append(f"  links ({links['documents']} documents): primary recall "
                         f"{links['recall']} ({links['primary_found']}/{links['primary']}), "
                         f"precision {links['precision']} "
                         f"({links['links_between_gold'] - links['wrong']}/"
                         f"{links['links_between_gold']})")
        for side, theme in (scores.get("themes") or {}).items():
            lines.append(f"  themes [{side}]: pairwise P {theme['precision']} "
                         f"R {theme['recall']} F1 {theme['f1']} ({theme['pairs']} pairs)")
    lines.append(f"({AUTHOR_RULE}; year: documents whose gold gives `year`, null included)")
    return "\n".join(lines)
