"""Link and theme scores against gold, for ``diaoyan eval``.

Links: recall of ``links_primary`` and precision of the links drawn between gold items
(a link is right when the pair is in ``links_primary`` or ``links_acceptable``), summed
over the gold documents that have links. Themes: pairwise precision/recall/F1 of
same-theme decisions between gold items of different documents (gold ``themes``: groups
of ``[document, key]`` that express one concern); the same measure between two
annotations of the same items (``theme_agreement``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.analysis.links import GraphUnit, Link
from pipeline.analysis.links_gold import score_links
from pipeline.analysis.themes import score_themes
from pipeline.outputs.evaluate import find_document
from pipeline.records import Document, Unit
from pipeline.text.vocab import normalise_for_match


def as_graph_unit(unit: Unit) -> GraphUnit:
    """Enough of a GraphUnit for matching gold keys (marker + headline)."""
    return GraphUnit(unit_id=unit.unit_id, doc_id=unit.doc_id, parent_id=unit.parent_id,
                     label=unit.label or "other", marker=unit.marker, ordinal=None,
                     headline=unit.headline, text="", words=(), position=0, section="",
                     place=None)


def link_scores(docs: list[Document], units_by_doc: dict[str, list[Unit]],
                links_by_doc: dict[str, list[Link]], gold: dict[str, Any]) -> dict[str, Any]:
    """Recall of primary links and precision of drawn links, over documents with link gold."""
    totals = {"primary": 0, "primary_found": 0, "links_between_gold": 0, "wrong": 0}
    per_doc = {}
    for name, annotation in gold.get("docs", {}).items():
        if not annotation.get("links_primary"):
            continue
        doc = find_document(docs, name)
        if doc is None:
            continue
        units = [as_graph_unit(u) for u in units_by_doc.get(doc.doc_id, [])]
        scores = score_links(links_by_doc.get(doc.doc_id, []), units, annotation)
        per_doc[name] = scores
        totals["primary"] += scores["primary"]
        totals["primary_found"] += scores["primary_found"]
        totals["links_between_gold"] += scores["links_between_gold"]
        totals["wrong"] += len(scores["wrong"])
    drawn = totals["links_between_gold"]
    return {
        "documents": len(per_doc), **totals,
        "recall": round(totals["primary_found"] / totals["primary"], 4)
        if totals["primary"] else None,
        "precision": round((drawn - totals["wrong"]) / drawn, 4) if drawn else None,
        "per_doc": per_doc,
    }


def theme_scores(docs: list[Document], units_by_doc: dict[str, list[Unit]],
                 assignments: dict[str, str | None], gold: dict[str, Any],
                 heldout: set[str] | frozenset[str] = frozenset(), part: str = "all"
                 ) -> dict[str, Any]:
    """Pairwise same-theme scores on the gold theme groups (all, and per side).

    ``part`` chooses the pairs by the ``heldout`` document names: "dev" the pairs of two
    development documents, "heldout" the pairs that involve a held-out one, "all" every
    pair (theme gold spans documents, so a part is a set of pairs, not of documents)."""
    keep_pair = _pair_filter(docs, heldout, part)
    groups: dict[str, list[tuple[str, str]]] = {}
    sides: dict[str, str] = {}
    for group in gold.get("themes", []):
        groups[group["name"]] = gold_theme_members(docs, units_by_doc, group)
        sides[group["name"]] = group.get("side", "")
    if not groups:
        return {}
    result = {"all": score_themes(assignments, groups, keep_pair)}
    for side in sorted(set(sides.values()) - {""}):
        result[side] = score_themes(assignments, {g: m for g, m in groups.items()
                                                  if sides[g] == side}, keep_pair)
    return result


def gold_theme_members(docs: list[Document], units_by_doc: dict[str, list[Unit]],
                       group: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(doc id, unit id) of each member of a gold theme group found in the run."""
    members = []
    for doc_name, key in group.get("members", []):
        doc = find_document(docs, doc_name)
        unit = _unit_for_key(units_by_doc.get(doc.doc_id, []) if doc else [], key)
        if unit is not None:
            members.append((unit.doc_id, unit.unit_id))
    return members


def theme_agreement(reference: Sequence[Mapping[str, Any]],
                    other: Sequence[Mapping[str, Any]]) -> dict[str, dict]:
    """Pairwise scores of one theme annotation's groups (``other``) against another's
    (``reference``) on the same items, matched by (document, key): per side and "all"."""
    def item(doc: str, key: str) -> str:
        return f"{doc}\x00{key}"

    def group_name(group: Mapping[str, Any]) -> str:  # names may repeat across sides
        return f"{group.get('side', '')}:{group['name']}"

    by_side: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for group in reference:
        members = by_side.setdefault(group.get("side", ""), {}).setdefault(group_name(group), [])
        members += [(doc, item(doc, key)) for doc, key in group["members"]]
    assigned = {item(doc, key): group_name(group)
                for group in other for doc, key in group["members"]}
    scores = {side: score_themes(assigned, groups) for side, groups in sorted(by_side.items())}
    scores["all"] = score_themes(assigned, {name: members for groups in by_side.values()
                                            for name, members in groups.items()})
    return scores


def _pair_filter(docs: list[Document], heldout: set[str] | frozenset[str], part: str):
    """``keep_pair(doc_a, doc_b)`` for a part, None for all pairs."""
    if part == "all":
        return None
    heldout_ids = {doc.doc_id for doc in (find_document(docs, name) for name in heldout) if doc}
    if part == "heldout":
        return lambda doc_a, doc_b: doc_a in heldout_ids or doc_b in heldout_ids
    return lambda doc_a, doc_b: doc_a not in heldout_ids and doc_b not in heldout_ids


def _unit_for_key(units: list[Unit], key: str) -> Unit | None:
    wanted = normalise_for_match(key)
    matches = [u for u in units if wanted in normalise_for_match(u.marker + u.headline)]
    return min(matches, key=lambda u: len(u.marker + u.headline), default=None)


def load_graph_outputs(out_dir: Path) -> tuple[dict[str, list[Link]], dict[str, str | None]]:
    """Links by document and unit → theme, from an output folder's store."""
    from pipeline.store import Store

    store = Store.for_reading(out_dir)
    try:
        links_by_doc: dict[str, list[Link]] = {}
        for doc_id, source, target, score, reasons in store.iter_links():
            links_by_doc.setdefault(doc_id, []).append(Link(doc_id, source, target, score,
                                                            tuple(reasons)))
        assignments = {u: t for u, (t, _s) in store.get_unit_themes().items()}
    finally:
        store.close()
    return links_by_doc, assignments
