"""How far two theme annotations of the same items agree: pairwise precision, recall and
F1 of same-theme decisions between items of different documents, per side, the same
measure ``diaoyan eval`` gives a run against theme gold.

    python scripts/theme_agreement.py tests/gold/themes-provinces.json,tests/gold/seeds-more.json \
        tests/gold/themes-second-annotator.json

The first argument is the reference, the second is scored against it; each is a
comma-separated list of gold files whose ``themes`` are read. Items are matched by
(document, key); an item only one annotation groups counts as ungrouped in the other.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.analysis.themes import score_themes


def theme_groups(paths: str) -> dict[str, list[tuple[str, str, str]]]:
    """side → [(group, document, key), …] of the ``themes`` in a comma-separated file list."""
    by_side: dict[str, list[tuple[str, str, str]]] = {}
    for path in paths.split(","):
        for group in json.loads(Path(path).read_text("utf-8")).get("themes", []):
            for doc, key in group["members"]:
                by_side.setdefault(group["side"], []).append((group["name"], doc, key))
    return by_side


def agreement(reference: str, other: str) -> dict[str, dict]:
    """Pairwise scores of ``other``'s grouping against ``reference``'s, per side and all."""
    ref, oth = theme_groups(reference), theme_groups(other)
    scores, totals = {}, {"pairs": 0, "gold_same": 0, "predicted_same": 0, "true_same": 0}
    for side in sorted(ref):
        groups: dict[str, list[tuple[str, str]]] = {}
        for name, doc, key in ref[side]:
            groups.setdefault(name, []).append((doc, f"{doc}\x00{key}"))
        assigned = {f"{doc}\x00{key}": name for name, doc, key in oth.get(side, [])}
        scores[side] = score_themes(assigned, groups)
        for name in ("pairs", "gold_same", "predicted_same"):
            totals[name] += scores[side][name]
        totals["true_same"] += round(scores[side]["recall"] * scores[side]["gold_same"])
    precision = totals["true_same"] / totals["predicted_same"] if totals["predicted_same"] else 0
    recall = totals["true_same"] / totals["gold_same"] if totals["gold_same"] else 0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    scores["all"] = {"pairs": totals["pairs"], "precision": round(precision, 4),
                     "recall": round(recall, 4), "f1": round(f1, 4)}
    return scores


if __name__ == "__main__":
    print(f"{sys.argv[2]} against {sys.argv[1]}:")
    for part, row in agreement(sys.argv[1], sys.argv[2]).items():
        print(f"{part:15s} P {row['precision']:.3f}  R {row['recall']:.3f}  "
              f"F1 {row['f1']:.3f}  ({row['pairs']} pairs)")
