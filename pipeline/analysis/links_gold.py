"""Link scores against gold: recall of primary links, precision between gold items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.analysis.links import GraphUnit, Link
from pipeline.analysis.textvec import normalise

CLAUSE = "clause "  # the first reason of a link drawn for one clause (links._make_link)


def score_links(links: Sequence[Link], units: Sequence[GraphUnit],
                gold_doc: Mapping[str, Any]) -> dict[str, Any]:
    """Recall of ``links_primary`` and precision of drawn links between gold items.

    Gold items are found by their ``key`` being a substring of the unit's normalised
    marker + headline; a link between two gold items is right when the pair is in
    ``links_primary`` or ``links_acceptable``. A link drawn for one clause of a paragraph
    that names several problems (its first reason ``clause …``) is the link of the gold
    items that clause holds, not of every item of the paragraph (``source_keys``).
    """
    keys_of = gold_keys_by_unit(units, gold_doc.get("items", []))
    primary = {tuple(p) for p in gold_doc.get("links_primary", [])}
    allowed = primary | {tuple(p) for p in gold_doc.get("links_acceptable", [])}
    drawn = {(s, t) for link in links
             for s in source_keys(link, keys_of.get(link.source_unit, []))
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


def source_keys(link: Link, keys: list[str]) -> list[str]:
    """The gold keys a link speaks for: those its clause holds when it names one (all of
    the unit's when none of them is in the clause, or it names none)."""
    clause = next((r[len(CLAUSE):] for r in link.reasons[:1] if r.startswith(CLAUSE)), None)
    if clause is None:
        return keys
    form = normalise(clause)
    held = [key for key in keys if normalise(key) in form or form in normalise(key)]
    return held or keys


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
