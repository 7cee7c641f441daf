"""How far two theme annotations of the same items agree: pairwise precision, recall and
F1 of same-theme decisions between items of different documents, per side, the same
measure ``diaoyan eval`` gives a run against theme gold
(``pipeline.outputs.graph_scores.theme_agreement``).

    python scripts/theme_agreement.py tests/gold/themes-provinces.json,tests/gold/seeds-more.json \
        tests/gold/themes-second-annotator.json

The first argument is the reference, the second is scored against it; each is a
comma-separated list of gold files whose ``themes`` are read. An item only one annotation
groups counts as ungrouped in the other.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.outputs.graph_scores import theme_agreement


def theme_groups(paths: str) -> list[dict]:
    """The ``themes`` groups of a comma-separated list of gold files."""
    return [group for path in paths.split(",")
            for group in json.loads(Path(path).read_text("utf-8")).get("themes", [])]


if __name__ == "__main__":
    print(f"{sys.argv[2]} against {sys.argv[1]}:")
    scores = theme_agreement(theme_groups(sys.argv[1]), theme_groups(sys.argv[2]))
    for part, row in scores.items():
        print(f"{part:15s} P {row['precision']:.3f}  R {row['recall']:.3f}  "
              f"F1 {row['f1']:.3f}  ({row['pairs']} pairs)")
