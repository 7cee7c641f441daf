"""The graph stage's corpus-level part: themes and reused passages, fitted or updated.

A full fit clusters every problem and countermeasure unit (quadratic in the units) and
finds reused passages among all of them; it stores what later runs need in the store:
``models: themes`` (each kind's vector space and unit vectors, the documents it saw)
and ``models: reuse`` (each passage's MinHash signature and the clusters). A later run
whose documents moved by at most ``[themes] recluster_share`` since that fit updates
instead (:mod:`pipeline.analysis.themes_update`, ``reuse.update_reuse``): new reports'
units join existing themes, removed reports' units leave. The run log and the result
(``themes_fit`` in the graph result and themes.json) say which happened, why, and the
drift. A full fit happens without a stored model, when ``[themes]``, ``[reuse]``,
``[segment]`` or the stage version changed, beyond the share, and after ``--redo graph``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from pipeline.analysis import reuse, textvec, themes
from pipeline.analysis import themes_update as update
from pipeline.analysis.links import GraphUnit
from pipeline.executors import inherited, map_forked
from pipeline.stages import StageContext, StageResult, work_key
from pipeline.stages.graph import GraphInputs

log = logging.getLogger("pipeline")

THEMES_MODEL, REUSE_MODEL = "themes", "reuse"
REUSE_PART = "reuse"  # the full fit's third part, beside one per theme kind
REUSE_LABELS = ("problem", "cause", "countermeasure")


def corpus_themes(ctx: StageContext, inputs: GraphInputs, result: StageResult
                  ) -> tuple[list[themes.ThemeResult], list[reuse.ReuseCluster],
                             dict[str, Any], list[GraphUnit], Callable[[], None]]:
    """Themes of both kinds, reused passages, how they were made (``fit``), the graph
    units of every report (with words only where they were needed), and the function
    that stores the models: to be called in the transaction that stores the themes, so
    a killed run never leaves models and themes of two different runs."""
    store, config = ctx.store, ctx.config
    theme_options = config.options("themes", themes.ThemeOptions)
    reuse_options = config.options("reuse", reuse.ReuseOptions)
    settings = {k: v for k, v in dataclasses.asdict(theme_options).items()
                if k != "recluster_share"}  # how often to re-cluster changes no result
    key = work_key("graph-themes", ctx.version, update.MODEL_FORMAT, textvec.concepts_fingerprint(),
                   json.dumps(settings, sort_keys=True, default=list),
                   json.dumps(dataclasses.asdict(reuse_options), sort_keys=True),
                   config.digest("segment"))
    doc_keys = inputs.keys
    stored = store.get_model(THEMES_MODEL)
    stored_reuse = store.get_model(REUSE_MODEL)
    reason, drift = _full_fit_reason(stored, stored_reuse, key, doc_keys, theme_options)
    if reason is None:
        last = stored[2].get("docs", {})
        fresh = {d for d, k in doc_keys.items() if last.get(d) != k}
        every_unit = [u for d in doc_keys
                      for u in (inputs.full(d) if d in fresh else inputs.light(d))]
        try:
            clustered, copies, fit, save = _update(ctx, stored, stored_reuse, every_unit,
                                                   doc_keys, fresh, theme_options,
                                                   reuse_options)
        except (ValueError, KeyError) as exc:  # a stored model this code cannot read
            reason = f"stored themes unusable ({type(exc).__name__}: {exc})"
        else:
            fit.update(drift=drift.as_dict(), recluster_share=theme_options.recluster_share)
            note = (f"themes: incremental update ({drift.changed} of {drift.at_fit} documents "
                    f"changed since the last full clustering, {drift.share:.1%} ≤ "
                    f"recluster_share {theme_options.recluster_share:.0%}; "
                    + ", ".join(f"{s['kind']}: {s['assigned']} of {s['new_units']} new units "
                                f"joined a theme" for s in fit["kinds"]) + ")")
            log.info(note)
            result.notes.append(note)
            return clustered, copies, fit, every_unit, save
    every_unit = [u for d in doc_keys for u in inputs.full(d)]
    clustered, copies, save = _full_fit(ctx, every_unit, doc_keys, key, theme_options,
                                        reuse_options)
    drift_json = drift.as_dict() if drift else None
    note = f"themes: full clustering ({reason})"
    log.info(note)
    result.notes.append(note)
    return clustered, copies, {"mode": "full", "reason": reason, "drift": drift_json,
                               "recluster_share": theme_options.recluster_share}, every_unit, save


def _full_fit_reason(stored, stored_reuse, key: str, doc_keys: dict[str, str],
                     options: themes.ThemeOptions) -> tuple[str | None, update.Drift | None]:
    """Why all units must be clustered again (None: an update will do), and the drift."""
    if stored is None or stored_reuse is None:
        return "no stored themes", None
    info = stored[2]
    if info.get("key") != key or stored_reuse[2].get("key") != key:
        return "configuration or version changed", None
    if set(info.get("kinds", ())) != set(themes.KINDS):
        return "too few units at the last full clustering", None
    drift = update.drift(info.get("fit_docs", {}), doc_keys)
    if drift.share > options.recluster_share:
        return (f"{drift.changed} of {drift.at_fit} documents changed since the last full "
                f"clustering, {drift.share:.1%} > recluster_share "
                f"{options.recluster_share:.0%}"), drift
    return None, drift


def _full_fit(ctx: StageContext, every_unit: list[GraphUnit], doc_keys: dict[str, str],
              key: str, theme_options: themes.ThemeOptions,
              reuse_options: reuse.ReuseOptions
              ) -> tuple[list[themes.ThemeResult], list[reuse.ReuseCluster],
                         Callable[[], None]]:
    outcomes = _fit_parts(ctx, every_unit, theme_options, reuse_options)
    fitted = [outcomes[kind] for kind in themes.KINDS]
    clustered = [theme for theme, _space in fitted]
    spaces = [space for _theme, space in fitted if space is not None]
    copies, reuse_blob = outcomes[REUSE_PART]

    def save() -> None:
        ctx.store.put_model(THEMES_MODEL, key, update.spaces_to_bytes(spaces), {
            "key": key, "kinds": [s.kind for s in spaces], "fit_docs": doc_keys,
            "docs": doc_keys, "fit_units": sum(len(s.unit_ids) for s in spaces)})
        _put_reuse_blob(ctx, key, reuse_blob, copies)

    return clustered, copies, save


def _fit_parts(ctx: StageContext, every_unit: list[GraphUnit],
               theme_options: themes.ThemeOptions,
               reuse_options: reuse.ReuseOptions) -> dict[str, Any]:
    """Each kind's themes and the reused passages, fitted apart (they share no state):
    on forked local workers when the run has more than one job, the reused passages first,
    then the larger kind. Two workers start the first two parts and the third follows
    whichever ends first, so starting the reused passages never lengthens the stage: at
    1,000 reports they are the shortest part (the stage takes as long either way), at
    10,000 the longest (195 CPU-s against 68 and 43 for the two kinds' fits; the stage
    took 325.5 s against 336.9 with them last, one run each)."""
    size = {kind: sum(textvec.group_of(u.label) == kind for u in every_unit)
            for kind in themes.KINDS}
    parts = [REUSE_PART, *sorted(themes.KINDS, key=lambda kind: -size[kind])]
    outcomes = map_forked(fit_part, parts, ctx.local_workers,
                          (every_unit, theme_options, reuse_options))
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return dict(zip(parts, outcomes, strict=True))


def fit_part(part: str) -> Any:
    """Worker entry point: one kind's (themes, space), or the reused passages'
    (clusters, signatures), of the inherited units."""
    every_unit, theme_options, reuse_options = inherited()
    if part == REUSE_PART:
        digests: list[np.ndarray] = []
        items = reuse.passages(_paragraphs(every_unit), reuse_options)
        copies = reuse.find_reuse(items, reuse_options, signatures=digests)
        units = [unit for _doc, unit, _text in items]
        # the stored form is made here: 200,000 signatures at 10,000 reports go back as
        # one 100 MB blob, not as 200,000 arrays for the main process to stack
        return copies, reuse_model_bytes(units, digests)
    return fit_bounded(every_unit, theme_options, part)


def fit_bounded(every_unit: list[GraphUnit], options: themes.ThemeOptions, kind: str
                ) -> tuple[themes.ThemeResult, themes.ThemeSpace | None]:
    """``themes.fit_themes``, on at most ``max_fit_units`` units of ``kind``: beyond, on
    the reports whose ids hash lowest (a sample that a growing corpus mostly keeps), and
    the other reports' units join those themes as a nightly update's do, or none."""
    per_doc = Counter(u.doc_id for u in themes.theme_candidates(every_unit, kind))
    if not options.max_fit_units or sum(per_doc.values()) <= options.max_fit_units:
        return themes.fit_themes(every_unit, options, kind)
    sample, held = set(), 0
    for doc_id in sorted(per_doc, key=lambda d: hashlib.sha1(d.encode()).hexdigest()):
        if held + per_doc[doc_id] > options.max_fit_units:
            break
        sample.add(doc_id)
        held += per_doc[doc_id]
    log.info("themes: %s fitted on %d units of %d of %d reports (max_fit_units %d); the "
             "others' units join those themes", kind, held, len(sample), len(per_doc),
             options.max_fit_units)
    fitted, space = themes.fit_themes([u for u in every_unit if u.doc_id in sample],
                                      options, kind)
    if space is None:
        return fitted, space
    rest = set(per_doc) - sample
    joined, space, _stats = update.update_themes(fitted, space, every_unit, options, rest)
    return joined, space


def _update(ctx: StageContext, stored, stored_reuse, every_unit: list[GraphUnit],
            doc_keys: dict[str, str], fresh: set[str], theme_options: themes.ThemeOptions,
            reuse_options: reuse.ReuseOptions
            ) -> tuple[list[themes.ThemeResult], list[reuse.ReuseCluster], dict[str, Any],
                       Callable[[], None]]:
    key, blob, info = stored
    spaces = update.spaces_from_bytes(blob)
    previous = _stored_themes(ctx, theme_options)
    clustered, new_spaces, stats = [], [], []
    for kind in themes.KINDS:
        theme, space, numbers = update.update_themes(previous[kind], spaces[kind], every_unit,
                                                     theme_options, fresh)
        clustered.append(theme)
        new_spaces.append(space)
        stats.append(numbers.as_dict())
    reuse_info = stored_reuse[2]
    previous_copies = [reuse.ReuseCluster(c["cluster"], tuple(map(tuple, c["members"])),
                                          c["canonical"], tuple(c["docs"]), c["min_jaccard"])
                       for c in reuse_info.get("clusters", [])]
    with np.load(_bytes_io(stored_reuse[1]), allow_pickle=False) as arrays:
        stored_digests = dict(zip(arrays["units"].tolist(), arrays["digests"], strict=True))
    copies, digests = reuse.update_reuse(previous_copies, stored_digests,
                                         _paragraphs(every_unit), reuse_options, fresh)
    def save() -> None:
        ctx.store.put_model(THEMES_MODEL, key, update.spaces_to_bytes(new_spaces),
                            {**info, "docs": doc_keys})
        _put_reuse(ctx, key, digests, copies)

    return clustered, copies, {"mode": "incremental", "reason": "drift within recluster_share",
                               "kinds": stats}, save


def _stored_themes(ctx: StageContext,
                   options: themes.ThemeOptions) -> dict[str, themes.ThemeResult]:
    """The themes and assignments the store holds, as ``ThemeResult`` per kind."""
    assignments: dict[str, dict[str, str | None]] = {kind: {} for kind in themes.KINDS}
    members: dict[str, list[str]] = {}
    docs: dict[str, set[str]] = {}
    for unit_id, doc_id, kind, theme_id, _score in ctx.store.iter_unit_themes():
        assignments.setdefault(kind, {})[unit_id] = theme_id
        if theme_id:
            members.setdefault(theme_id, []).append(unit_id)
            docs.setdefault(theme_id, set()).add(doc_id)
    by_kind: dict[str, list[themes.Theme]] = {kind: [] for kind in themes.KINDS}
    for theme_id, kind, label, data in ctx.store.iter_themes():
        by_kind.setdefault(kind, []).append(themes.Theme(
            theme_id=theme_id, kind=kind, label=label, terms=tuple(data.get("terms", ())),
            headline=data.get("headline", ""), members=tuple(sorted(members.get(theme_id, ()))),
            docs=tuple(sorted(docs.get(theme_id, ()))), places=tuple(data.get("places", ())),
            cohesion=data.get("cohesion", 0.0)))
    return {kind: themes.ThemeResult(kind, tuple(by_kind[kind]), assignments[kind],
                                     options.cut(kind)) for kind in themes.KINDS}


def _paragraphs(every_unit: list[GraphUnit]) -> list[tuple[str, str, str]]:
    return [(u.doc_id, u.unit_id, u.text) for u in every_unit if u.label in REUSE_LABELS]


def _put_reuse(ctx: StageContext, key: str, digests: dict[str, Any],
               copies: list[reuse.ReuseCluster]) -> None:
    units = list(digests)
    _put_reuse_blob(ctx, key, reuse_model_bytes(units, [digests[u] for u in units]), copies)


def reuse_model_bytes(units: list[str], digests: list[Any]) -> bytes:
    """The stored reuse model: unit ids sorted, each with its MinHash signature (npz)."""
    import io

    order = sorted(range(len(units)), key=units.__getitem__)
    buffer = io.BytesIO()
    # hash values do not compress: stored as they are
    np.savez(buffer,
             units=np.array([units[i] for i in order], dtype=str) if units
             else np.zeros(0, dtype="<U1"),
             digests=np.array([digests[i] for i in order], dtype=np.uint32) if units
             else np.zeros((0, 0), dtype=np.uint32))
    return buffer.getvalue()


def _put_reuse_blob(ctx: StageContext, key: str, blob: bytes,
                    copies: list[reuse.ReuseCluster]) -> None:
    ctx.store.put_model(REUSE_MODEL, key, blob, {
        "key": key, "clusters": [{"cluster": c.cluster_id, "members": [list(m) for m in c.members],
                                  "canonical": c.canonical, "docs": list(c.docs),
                                  "min_jaccard": c.min_jaccard} for c in copies]})


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)
