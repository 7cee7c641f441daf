"""Themes between full clusterings: units of new reports join the nearest stored theme.

A full clustering (:func:`pipeline.analysis.themes.fit_themes`) costs the square of the
number of units; a nightly run that adds a report or two should not pay it. Between full
clusterings the graph stage keeps each fit's vector space and unit vectors in the store
(``themes`` model) and calls :func:`update_themes`:

- units of removed (or changed) reports leave their themes; a theme left with fewer than
  ``min_members`` is dissolved and its last members are unassigned;
- units of new (or changed) reports are vectorised in the stored space (its vocabulary
  and IDF) and join the theme whose members they are most similar to on average — the
  rule average linkage merges by, so the mean similarity to a theme is the new vector's
  dot product with the theme's mean vector — when that mean reaches the kind's cut
  (``min_similarity``, ``min_similarity_countermeasure``);
  otherwise they stay unassigned (never forced). Items of one list never join one theme
  (``apart_siblings``): the more similar item wins, the other tries its next theme;
- every other unit keeps its theme, and theme ids stay; the label, terms, cohesion,
  docs and places of the themes that gained or lost members are computed again.

New units never found a theme of their own: that waits for the next full clustering,
which the stage runs once the documents changed since the last one exceed
``recluster_share`` (:func:`drift`).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from pipeline.analysis.links import GraphUnit
from pipeline.analysis.themes import (
    Theme,
    ThemeOptions,
    ThemeResult,
    ThemeSpace,
    _theme,
    theme_candidates,
)
from pipeline.analysis.themes_vectors import Block, VectorSpace, template_terms, unit_terms

MODEL_FORMAT = 1
ASSIGN_BATCH = 2_000  # fresh units whose similarities to every theme are held at once


@dataclass(frozen=True)
class UpdateStats:
    """What an incremental update did to one kind of themes."""

    kind: str
    new_units: int  # units vectorised in the stored space
    assigned: int  # of them, joined an existing theme
    removed_units: int  # units of removed or changed reports dropped
    dissolved: int  # themes left with fewer than min_members

    def as_dict(self) -> dict[str, int | str]:
        """JSON-ready."""
        return {"kind": self.kind, "new_units": self.new_units, "assigned": self.assigned,
                "removed_units": self.removed_units, "dissolved": self.dissolved}


@dataclass(frozen=True)
class Drift:
    """How far the corpus moved from the one the last full clustering saw."""

    changed: int  # documents added, removed or changed since (a changed one counts once)
    at_fit: int  # documents at the last full clustering

    @property
    def share(self) -> float:
        """``changed`` as a share of ``at_fit`` (1.0 when nothing was fitted)."""
        return self.changed / self.at_fit if self.at_fit else 1.0

    def as_dict(self) -> dict[str, float | int]:
        """JSON-ready."""
        return {"changed_docs": self.changed, "docs_at_fit": self.at_fit,
                "share": round(self.share, 4)}


def drift(at_fit: Mapping[str, str], now: Mapping[str, str]) -> Drift:
    """Documents whose key differs between the last full fit and now (doc_id → key)."""
    changed = {d for d, key in now.items() if at_fit.get(d) != key}
    changed |= set(at_fit) - set(now)
    return Drift(len(changed), len(at_fit))


def update_themes(previous: ThemeResult, fitted: ThemeSpace, units: Sequence[GraphUnit],
                  options: ThemeOptions, fresh_docs: set[str] | frozenset[str] = frozenset()
                  ) -> tuple[ThemeResult, ThemeSpace, UpdateStats]:
    """``previous`` themes with the units of ``fresh_docs`` assigned and removed reports'
    units gone.

    ``units`` are all current units (every report); those of ``fresh_docs`` (new reports,
    and changed ones whose stored units are dropped) need their words, the others only
    their ids, report, parent and place: the stored fit says which of them are candidates.
    A unit the stored fit holds outside ``fresh_docs`` keeps its theme.
    """
    kind = previous.kind
    by_id = {u.unit_id: u for u in units}
    row_of = {u: i for i, u in enumerate(fitted.unit_ids)}
    kept = [by_id[u] for u in fitted.unit_ids
            if u in by_id and by_id[u].doc_id not in fresh_docs]
    fresh = theme_candidates([u for u in units if u.doc_id in fresh_docs], kind)
    removed = len(fitted.unit_ids) - len(kept)
    # vectors: kept rows from the store, fresh ones in the stored space
    kept_rows = np.array([row_of[u.unit_id] for u in kept], dtype=np.int64)
    old_matrix, old_words = fitted.matrix[kept_rows], fitted.word_block[kept_rows]
    if fresh:
        words = unit_terms(fresh, options)
        template = template_terms(fresh, options)  # lists lie within one report: all fresh
        words = {u: [w for w in ws if w not in template.get(u, ())] for u, ws in words.items()}
        new_matrix, new_words = fitted.space.transform(fresh, words, options, template)
    else:
        new_matrix = sparse.csr_matrix((0, fitted.matrix.shape[1]))
        new_words = sparse.csr_matrix((0, fitted.word_block.shape[1]))
    theme_of = {u.unit_id: previous.assignments.get(u.unit_id) for u in kept}
    joined = _assign(fresh, new_matrix, kept, old_matrix, theme_of, options,
                     options.cut(previous.kind))
    theme_of.update(joined)
    # one row per current candidate, in unit-id order, as a full fit stores them
    both = kept + fresh
    order = sorted(range(len(both)), key=lambda i: both[i].unit_id)
    everyone = [both[i] for i in order]
    matrix = sparse.vstack([old_matrix, new_matrix]).tocsr()[order]
    word_block = sparse.vstack([old_words, new_words]).tocsr()[order]
    themes, dissolved = _describe(previous, everyone, theme_of, matrix, word_block,
                                  fitted.space, options)
    member_of = {m: t.theme_id for t in themes for m in t.members}
    assignments = {u.unit_id: member_of.get(u.unit_id) for u in everyone}
    result = ThemeResult(kind, tuple(themes), assignments, previous.min_similarity)
    space = ThemeSpace(kind, fitted.space, tuple(u.unit_id for u in everyone), matrix,
                       word_block)
    stats = UpdateStats(kind, len(fresh), sum(1 for t in joined.values() if t), removed,
                        dissolved)
    return result, space, stats


def _assign(fresh: list[GraphUnit], new_matrix, kept: list[GraphUnit], old_matrix,
            theme_of: Mapping[str, str | None], options: ThemeOptions,
            cut: float) -> dict[str, str | None]:
    """Fresh unit id → the theme it joins (None: no theme's mean similarity reaches ``cut``)."""
    joined: dict[str, str | None] = {u.unit_id: None for u in fresh}
    theme_ids = sorted({t for t in theme_of.values() if t})
    if not fresh or not theme_ids:
        return joined
    column = {t: i for i, t in enumerate(theme_ids)}
    rows = [i for i, u in enumerate(kept) if theme_of[u.unit_id]]
    cols = [column[theme_of[kept[i].unit_id]] for i in rows]
    indicator = sparse.csr_matrix((np.ones(len(rows)), (cols, rows)),
                                  shape=(len(theme_ids), len(kept)))
    sizes = np.asarray(indicator.sum(axis=1)).ravel()
    means = (sparse.diags(1.0 / sizes) @ indicator @ old_matrix).T.tocsc()  # theme means
    # as in themes._list_numbers: the sub-points of a candidate point are its facets,
    # each a list of its own
    points = {u.unit_id for u in kept} | {u.unit_id for u in fresh}
    list_of = [(u.doc_id, u.parent_id if u.parent_id not in points else u.unit_id)
               for u in fresh]
    # A unit can lose at most one theme to each other fresh item of its list, so its
    # choice lies among its best (list size) themes: only those pairs are sorted.
    depth = Counter(list_of) if options.apart_siblings else None
    for batch in _report_batches(fresh):
        similarity = np.asarray((new_matrix[batch] @ means).todense())  # mean similarity
        best = np.argsort(-similarity, axis=1, kind="stable")  # ties: lower theme id first
        pairs = sorted((-similarity[r, j], fresh[i].unit_id, theme_ids[j], i)
                       for r, i in enumerate(batch.tolist())
                       for j in best[r, : depth[list_of[i]] if depth else 1].tolist()
                       if similarity[r, j] >= cut)
        taken: set[tuple[str, str, str | None]] = set()  # (theme, report, parent) of a list
        for _negative, unit_id, theme_id, i in pairs:
            place_in_list = (theme_id, *list_of[i])
            if joined[unit_id] is not None or (options.apart_siblings
                                               and place_in_list in taken):
                continue
            joined[unit_id] = theme_id
            taken.add(place_in_list)
    return joined


def _report_batches(fresh: list[GraphUnit]) -> list[np.ndarray]:
    """Row numbers of ``fresh`` in batches of whole reports, about ``ASSIGN_BATCH`` rows each.

    A list lies within one report, so the greedy choice (most similar first, one item of a
    list per theme) made report by report is the one made over all pairs at once, and a
    10,000-report update never holds every unit × theme similarity."""
    by_doc: dict[str, list[int]] = {}
    for row, unit in enumerate(fresh):
        by_doc.setdefault(unit.doc_id, []).append(row)
    batches, current = [], []
    for rows in by_doc.values():
        current += rows
        if len(current) >= ASSIGN_BATCH:
            batches.append(np.array(current, dtype=np.int64))
            current = []
    if current:
        batches.append(np.array(current, dtype=np.int64))
    return batches


def _describe(previous: ThemeResult, everyone: list[GraphUnit],
              theme_of: Mapping[str, str | None], matrix, word_block, space: VectorSpace,
              options: ThemeOptions) -> tuple[list[Theme], int]:
    """Themes after the update: unchanged ones as they were (places refreshed), the rest
    described again under their old id; those below ``min_members`` dissolved."""
    rows_of: dict[str, list[int]] = {}
    for row, unit in enumerate(everyone):
        if theme_of.get(unit.unit_id):
            rows_of.setdefault(theme_of[unit.unit_id], []).append(row)
    vocabulary = np.array(space.words.vocabulary, dtype=object)
    themes, dissolved = [], 0
    for old in previous.themes:
        rows = rows_of.get(old.theme_id, [])
        if len(rows) < options.min_members:
            dissolved += 1
            continue
        members = [everyone[r] for r in rows]
        if tuple(u.unit_id for u in members) == old.members:
            places = tuple(sorted({u.place for u in members if u.place}))
            themes.append(replace(old, places=places))
            continue
        described = _theme(previous.kind, members, matrix[rows], word_block[rows], vocabulary,
                           options)
        themes.append(replace(described, theme_id=old.theme_id))
    themes.sort(key=lambda t: (-len(t.members), t.theme_id))
    return themes, dissolved


# --- the stored model -----------------------------------------------------------------


def spaces_to_bytes(spaces: Sequence[ThemeSpace]) -> bytes:
    """Fitted spaces and unit vectors as compressed ``.npz`` bytes (no pickle): deflate
    at level 1, as ``np.savez_compressed``'s level 6 took 0.35 s for 1,000 reports' units
    (14 MB of arrays → 3.4 MB) on every nightly update, level 1 0.14 s (→ 4.1 MB)."""
    arrays: dict[str, np.ndarray] = {}
    header = {"format": MODEL_FORMAT, "kinds": [], "weights": []}
    for n, fitted in enumerate(spaces):
        header["kinds"].append(fitted.kind)
        header["weights"].append([fitted.space.headline_weight, fitted.space.concept_weight])
        arrays[f"{n}_units"] = _strings(fitted.unit_ids)
        arrays[f"{n}_shared"] = fitted.space.shared
        for name, block in (("words", fitted.space.words), ("grams", fitted.space.grams),
                            ("concepts", fitted.space.concepts)):
            arrays[f"{n}_{name}_vocabulary"] = _strings(block.vocabulary)
            arrays[f"{n}_{name}_idf"] = block.idf
            arrays[f"{n}_{name}_flags"] = np.array([block.sublinear, block.l2])
        for name, rows in (("matrix", fitted.matrix), ("word_block", fitted.word_block)):
            rows = sparse.csr_matrix(rows)
            arrays[f"{n}_{name}_data"] = rows.data
            arrays[f"{n}_{name}_indices"] = rows.indices
            arrays[f"{n}_{name}_indptr"] = rows.indptr
            arrays[f"{n}_{name}_shape"] = np.array(rows.shape)
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as npz:
        for name, array in arrays.items():  # what np.savez writes, one .npy per array
            with npz.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)
    return buffer.getvalue()


def spaces_from_bytes(data: bytes) -> dict[str, ThemeSpace]:
    """kind → the stored ``ThemeSpace`` (``spaces_to_bytes`` reversed)."""
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        header = json.loads(stored["header"].tobytes().decode())
        if header.get("format") != MODEL_FORMAT:
            raise ValueError(f"themes model format {header.get('format')}")
        out = {}
        for n, kind in enumerate(header["kinds"]):
            blocks = [Block(tuple(stored[f"{n}_{name}_vocabulary"].tolist()),
                            stored[f"{n}_{name}_idf"].astype(np.float64),
                            bool(stored[f"{n}_{name}_flags"][0]),
                            bool(stored[f"{n}_{name}_flags"][1]))
                      for name in ("words", "grams", "concepts")]
            weight, concept_weight = header["weights"][n]
            space = VectorSpace(blocks[0], stored[f"{n}_shared"].astype(np.float64), blocks[1],
                                blocks[2], weight, concept_weight)
            rows = [sparse.csr_matrix((stored[f"{n}_{name}_data"], stored[f"{n}_{name}_indices"],
                                       stored[f"{n}_{name}_indptr"]),
                                      shape=tuple(stored[f"{n}_{name}_shape"].tolist()))
                    for name in ("matrix", "word_block")]
            out[kind] = ThemeSpace(kind, space, tuple(stored[f"{n}_units"].tolist()), *rows)
    return out


def _strings(values: Sequence[str]) -> np.ndarray:
    return np.array(list(values), dtype=str) if values else np.zeros(0, dtype="<U1")
