"""Link scores against gold: recall of primary links, precision between gold items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.analysis.links import GraphUnit, Link
from pipeline.analysis.textvec import normalise


def score_links(links: Sequence[Link], units: Sequence[GraphUnit],
                gold_doc: Mapping[str, Any]) -> dict[str, Any]:
    """Recall of ``links_primary`` and precision of drawn links between gold items.

    Gold items are found by their ``key`` being a substring of the unit's normalised
    marker + headline; a link between two gold items is right when the pair is in
    ``links_primary`` or ``links_acceptable``.
    """
    keys_of = gold_keys_by_unit(units, gold_doc.get("items", []))
    primary = {tuple(p) for p in gold_doc.get("links_primary", [])}
    allowed = primary | {tuple(p) for p in gold_doc.get("links_acceptable", [])}
    drawn = {(s, t) for link in links
             for s in keys_of.get(link.source_unit, ())
             for t in keys_of.get(link.target_unit, ())}
    found = primary & drawn
    wrong = sorted(drawn - allowed)
    return {
        "primary": len(primary),
        "primary_found": len(found),
        "recall": round(len(found) / len(primary), 4) if primary else None,
        "links_between_gold": len(drawn),
        "precision": round((len(drawn) - len(wrong)) / len(drawn), 4) if drawn else None,
        "missed": sorted(primary - drawn),
        "wrong": wrong,
    }


def gold_keys_by_unit(units: Sequence[GraphUnit], items) -> dict[str, list[str]]:
    """unit id → keys of the gold items whose key its normalised marker + headline holds."""
    forms = {u.unit_id: normalise(u.marker + u.headline) for u in units}
    keys_of: dict[str, list[str]] = {}
    for item in items:
        key = normalise(item["key"])
        for unit_id, form in forms.items():
            if key in form:
                keys_of.setdefault(unit_id, []).append(item["key"])
    return keys_of
