"""Topics: LDA topic models of the corpus, with topic prevalence by place and year.

Reads ok documents, their tokens and (for ``unit = "problem"`` etc.) their labelled
units; writes the model (``models`` table, ``topics:<unit>``), each item's topic
shares (``item_topics``) and the rendered exports (``results``: topics.json,
doc_topics.csv, region_topics.csv, topic_map.html), which every run publishes.

Keyed by each document's tokens (and labels) and the ``[topics]``/``[segment]`` config.
Items of new or changed documents are folded into the stored model (gensim's E-step
under the fitted topics; other items keep their shares, and only their ids, place and
year are read). The model is refitted (K chosen again) when the documents added,
removed or changed since the last fit exceed ``refit_share`` of those it saw, when the
config or version changes, with ``--redo topics`` or ``diaoyan topics OUT --refit``; a
refit stores which earlier topic each new topic continues, so dashboards do not
reshuffle. topics.json (``fit``) and the run log say which happened, why, and the drift.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from typing import Any

from pipeline.analysis import topics as lda
from pipeline.analysis import topics_export, topics_prevalence, topics_select
from pipeline.records import Document, Unit
from pipeline.stages import StageContext, StageResult, collecting_less, work_key

STAGE = "topics"
LEVELS = ("province", "city", "county", "year")
QUOTE_CHARS = 80
log = logging.getLogger("pipeline")


@collecting_less
def run(ctx: StageContext) -> StageResult:
    """Fit (or fold new items into) the topic model of the configured modelling unit."""
    store = ctx.store
    options = ctx.config.options("topics", lda.TopicOptions)
    if ctx.options.get("topic_label"):
        options = replace(options, unit=str(ctx.options["topic_label"]))
    if ctx.options.get("topic_k") is not None:
        options = replace(options, k=int(ctx.options["topic_k"]))
    result = StageResult(STAGE)
    name = f"topics:{options.unit}"
    docs = ctx.documents()
    units = _units_by_doc(store, docs) if options.unit != "document" else {}
    doc_keys = _doc_keys(store, docs, units, options.unit)
    # how often to refit changes no result: refit_share stays out of the key
    settings = {k: v for k, v in ctx.config.section("topics").items() if k != "refit_share"}
    config_key = work_key(STAGE, ctx.version, lda.TOPICS_VERSION,
                          json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str),
                          ctx.config.digest("segment"), options.unit, options.k)
    inputs_key = work_key(config_key, *sorted(f"{d.doc_id}:{doc_keys[d.doc_id]}:"
                                              f"{_metadata_key(d)}" for d in docs))
    if store.get_result_key(name) == inputs_key and not ctx.options.get("refit"):
        result.reused = len(docs)
        return result
    stored_result = store.get_result(name)
    if stored_result:  # a fold-in keeps the stored topic map
        stored_result[1]["exports"] = store.get_result_exports(name)
    stopwords = _stopwords(ctx)
    stored_model = store.get_model(name)
    reason, drift = _refit_reason(stored_model, config_key, doc_keys, options, ctx)
    if reason is None and (stored_result is None or "document" not in stored_result[1]):
        reason = "no stored topics to fold into"  # e.g. the last run was too small to model
    try:
        if reason is None:
            last = stored_model[2].get("docs", {})
            fresh = {d for d, key in doc_keys.items() if last.get(d) != key}
            inputs = topic_inputs(store, docs, options.unit, units, full=fresh)
            data = fold_in_new(store, name, stored_model, inputs, fresh, options, stopwords,
                               result, stored_result, ctx.local_workers)
            fit = {"mode": "incremental", "reason": "drift within refit_share"}
        else:
            inputs = topic_inputs(store, docs, options.unit, units)
            data = refit(ctx, name, stored_model, inputs, options, stopwords, config_key,
                         result)
            fit = {"mode": "full", "reason": reason}
        fit.update(drift=drift, refit_share=options.refit_share)
        _record_fit(store, name, data, fit, doc_keys, reason is None)
        note = (f"{options.unit}: {'folded in' if reason is None else 'full fit'} "
                f"({fit['reason'] if reason else _drift_text(drift, options)})")
        log.info("topics: %s", note)
        result.notes.append(note)
    except lda.TooSmall as exc:
        data = {"unit": options.unit, "skipped": str(exc), "exports": {}}
        with store.transaction():
            store.replace_item_topics(name, [])
        result.notes.append(f"topics skipped: {exc}")
    with store.transaction():
        store.put_result(name, inputs_key, data)
    return result


def _refit_reason(stored_model: Any, config_key: str, doc_keys: dict[str, str],
                  options: lda.TopicOptions, ctx: StageContext
                  ) -> tuple[str | None, dict[str, Any] | None]:
    """Why the model must be fitted again (None: fold in), and the drift since the fit."""
    if ctx.options.get("refit"):
        return "refit asked for", None
    if stored_model is None:
        return "no stored model", None
    info = stored_model[2]
    if info.get("config_key") != config_key:
        return "configuration or version changed", None
    if "fit_docs" not in info:
        return "the stored model does not record the documents it saw", None
    changed, fitted = topics_select.drift(info["fit_docs"], doc_keys)
    drift = {"changed_docs": changed, "docs_at_fit": fitted,
             "share": round(changed / fitted, 4) if fitted else 1.0}
    if topics_select.needs_refit(info["fit_docs"], doc_keys, options):
        return (f"{_drift_text(drift, options, '>')}"), drift
    return None, drift


def _drift_text(drift: dict[str, Any] | None, options: lda.TopicOptions,
                sign: str = "≤") -> str:
    if not drift:
        return "no drift recorded"
    return (f"{drift['changed_docs']} of {drift['docs_at_fit']} documents changed since the "
            f"last fit, {drift['share']:.1%} {sign} refit_share {options.refit_share:.0%}")


def _record_fit(store: Any, name: str, data: dict[str, Any], fit: dict[str, Any],
                doc_keys: dict[str, str], folded: bool) -> None:
    """Say in topics.json how the model was made; remember the documents it now holds."""
    data["document"]["fit"] = fit
    names = export_names(data["unit"])
    data["exports"][names["topics"]] = json.dumps(data["document"], ensure_ascii=False,
                                                  sort_keys=True, indent=2) + "\n"
    key, blob, info = store.get_model(name)
    info = {**info, "docs": doc_keys}
    if not folded:
        info["fit_docs"] = doc_keys
    with store.transaction():
        store.put_model(name, key, blob, info)


def _units_by_doc(store: Any, docs: list[Document]) -> dict[str, list[Unit]]:
    wanted = {d.doc_id: [] for d in docs}
    for unit in store.iter_units():
        if unit.doc_id in wanted:
            wanted[unit.doc_id].append(unit)
    return wanted


def _doc_keys(store: Any, docs: list[Document], units: dict[str, list[Unit]],
              unit: str) -> dict[str, str]:
    """doc_id → a key of what the model reads of it: its tokens (and labelled units)."""
    keys = {}
    for doc in docs:
        blob = store.get_tokens(doc.doc_id) or b""
        labelled = [u.unit_id for u in units.get(doc.doc_id, ()) if u.label == unit]
        keys[doc.doc_id] = work_key(hashlib.sha1(blob).hexdigest(), *labelled)
    return keys


def _metadata_key(doc: Document) -> str:
    return work_key(doc.region.province, doc.region.city, doc.region.county, doc.year,
                    doc.source, doc.title)


def topic_inputs(store: Any, docs: list[Document], unit: str,
                 units: dict[str, list[Unit]] | None = None,
                 full: set[str] | None = None) -> list[lda.TopicInput]:
    """One modelling item per document, or per unit labelled ``unit``.

    With ``full``, only those documents' items carry their words; the others' are light
    (ids, quote, place and year: what folding in and the exports need of items whose
    topic shares are already stored), which spares decoding their tokens.
    """
    from pipeline.nlp.tokens import tokens_of

    inputs = []
    for doc in docs:
        blob = store.get_tokens(doc.doc_id)
        if not blob:
            continue
        heavy = full is None or doc.doc_id in full
        located = _located_tokens(doc.text, tokens_of(blob)) if heavy else []
        if unit == "document":
            inputs.append(_item(doc, doc.doc_id, located, doc.title or doc.text[:QUOTE_CHARS]))
            continue
        pieces = units[doc.doc_id] if units is not None else store.iter_units(doc.doc_id)
        for piece in pieces:
            if piece.label == unit:
                words = [(w, t) for start, w, t in located if piece.start <= start < piece.end]
                inputs.append(_item(doc, piece.unit_id, [(0, w, t) for w, t in words],
                                    _quote(piece)))
    return inputs


def _located_tokens(text: str, tokens: list[tuple[str, str]]) -> list[tuple[int, str, str]]:
    located, cursor = [], 0
    for word, tag in tokens:
        if not word.strip():
            continue
        found = text.find(word, cursor)
        if found >= 0:
            located.append((found, word, tag))
            cursor = found + len(word)
    return located


def _quote(unit: Unit) -> str:
    return (unit.marker + unit.headline)[:QUOTE_CHARS]


def _item(doc: Document, item_id: str, located: list[tuple[int, str, str]],
          quote: str) -> lda.TopicInput:
    return lda.TopicInput(
        item_id=item_id, doc_id=doc.doc_id, words=tuple(w for _, w, _ in located),
        tags=tuple(t for _, _, t in located), quote=quote, source=doc.source,
        province=doc.region.province, city=doc.region.city, county=doc.region.county,
        year=doc.year)


def _stopwords(ctx: StageContext) -> frozenset[str]:
    from pipeline.nlp.dictionaries import SegmentOptions, load_stopwords

    return load_stopwords(ctx.config.options("segment", SegmentOptions).stopword_files)


def refit(ctx: StageContext, name: str, stored_model: Any, inputs: list[lda.TopicInput],
          options: lda.TopicOptions, stopwords: frozenset[str], config_key: str,
          result: StageResult) -> dict[str, Any]:
    """Choose K (unless fixed), fit, describe, and map the topics onto the previous fit."""
    prepared = lda.prepare(inputs, options, stopwords)
    if options.k > 0:
        model = lda.fit(prepared, options.k, options, options.seed)
        selection = topics_select.KSelection(
            k=options.k, rule=f"K fixed at {options.k}", screened=(), finalists=(),
            seeds=(options.seed,), model=model)
    else:
        selection, model = topics_select.select_and_fit(
            prepared, options, progress=lambda message: ctx.report(str(message)),
            jobs=ctx.jobs)
    shares = lda.doc_topics(model, prepared)
    summaries = topics_export.describe(model, prepared, shares, prepared.items, options)
    mapping = None
    if stored_model is not None:
        previous = topics_export.model_from_bytes(stored_model[1])
        mapping = topics_select.match_topics(previous.topic_term, model.topic_term,
                                             previous.vocab, model.vocab,
                                             threshold=options.match_threshold)
    weights = {item.item_id: row for item, row in zip(prepared.items, shares, strict=True)}
    with ctx.store.transaction():
        ctx.store.put_model(name, config_key, topics_export.model_to_bytes(model),
                            {"config_key": config_key, "n_items": len(inputs), "k": model.k,
                             "seeds": list(selection.seeds)})  # docs: see _record_fit
        ctx.store.replace_item_topics(name, [(i.item_id, i.doc_id, _rounded(weights[i.item_id]))
                                             for i in prepared.items])
    result.processed = len(prepared.items)
    result.notes.append(f"{options.unit}: K={model.k} ({selection.rule})")
    document = topics_export.topics_document(selection, summaries, mapping)
    document["unit"] = options.unit
    return render(options, document, prepared.items, shares, model, prepared, summaries,
                  jobs=ctx.local_workers)


def fold_in_new(store: Any, name: str, stored_model: Any, inputs: list[lda.TopicInput],
                fresh_docs: set[str], options: lda.TopicOptions, stopwords: frozenset[str],
                result: StageResult, previous: tuple[str, Any] | None,
                jobs: int = 1) -> dict[str, Any]:
    """Infer topics for the items of new or changed documents with the stored model;
    refit nothing. Items of removed documents leave; topic sizes and examples follow
    (contrasts' bootstraps on ``jobs`` processes)."""
    import numpy as np

    model = topics_export.model_from_bytes(stored_model[1])
    known = {item_id: weights for item_id, _doc, weights in store.iter_item_topics(name)}
    fresh = [item for item in inputs if item.doc_id in fresh_docs or item.item_id not in known]
    for item in fresh:
        known.pop(item.item_id, None)
    inferred = lda.fold_in(model, fresh, options, stopwords) if fresh else None
    if inferred is not None:
        for item, row in zip(inferred.items, inferred.doc_topic, strict=True):
            known[item.item_id] = _rounded(row)
    current = [item for item in sorted(inputs, key=lambda i: i.item_id) if item.item_id in known]
    with store.transaction():
        store.replace_item_topics(name, [(i.item_id, i.doc_id, known[i.item_id])
                                         for i in current])
    result.processed = len(fresh)
    result.reused = len(current) - len(fresh)
    result.notes.append(f"{options.unit}: {len(fresh)} items folded into K={model.k}")
    document = dict(previous[1].get("document", {})) if previous else {}
    shares = np.array([known[i.item_id] for i in current]) if current else np.zeros((0, model.k))
    document["topics"] = [_refreshed(topic, shares, current, options)
                          for topic in document.get("topics", [])]
    return render(options, document, current, shares, None, None, None,
                  previous[1] if previous else None, jobs=jobs)


def _refreshed(topic: dict[str, Any], shares: Any, items: list[lda.TopicInput],
               options: lda.TopicOptions) -> dict[str, Any]:
    """A topic's size and examples over the current items (terms stay those of the fit)."""
    from dataclasses import asdict

    if not items:
        return {**topic, "prevalence": 0.0, "representatives": []}
    weights = shares[:, topic["topic"]]
    examples = topics_export.representatives(weights, items, options.representatives)
    return {**topic, "prevalence": round(float(weights.mean()), 6) + 0.0,
            "representatives": [asdict(r) for r in examples]}


def _rounded(row: Any) -> list[float]:
    return [round(float(x), 6) for x in row]


def export_names(unit: str) -> dict[str, str]:
    """File names of one modelling unit's exports (the document model's are the plain ones)."""
    suffix = "" if unit == "document" else f"-{unit}"
    return {kind: f"{kind}{suffix}{ext}" for kind, ext in (
        ("topics", ".json"), ("doc_topics", ".csv"), ("region_topics", ".csv"),
        ("topic_map", ".html"))}


def render(options: lda.TopicOptions, document: dict[str, Any], items: list[lda.TopicInput],
           shares: Any, model: Any, prepared: Any, summaries: Any,
           previous: dict[str, Any] | None = None, jobs: int = 1) -> dict[str, Any]:
    """The stored result: topics.json content, prevalence, contrasts (their bootstraps on
    ``jobs`` processes) and rendered exports.

    With ``previous`` (the stored result of a fold-in's model), places whose items and
    shares did not move keep their prevalence rows, and the topic map (a picture of the
    fitted topics, which a fold-in leaves alone) is kept.
    """
    import tempfile
    from pathlib import Path

    reuse = _stored_prevalence(previous)
    digests: dict[tuple[str, str, str], str] = {}
    rows = [row for level in LEVELS
            for row in topics_prevalence.prevalence(shares, items, level, options, reuse,
                                                    digests)]
    contrasts = topics_prevalence.contrasts_of_levels(
        shares, items, ("province", "city", "county"), options, jobs=jobs)
    names = export_names(options.unit)
    exports: dict[str, str] = {}
    document = {**document, "contrasts": [_contrast_json(c) for c in contrasts]}
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        topics_export.write_doc_topics_csv(base / "doc", items, shares)
        topics_export.write_region_topics_csv(base / "region", rows,
                                              summaries or _summaries_of(document))
        exports[names["doc_topics"]] = (base / "doc").read_text(encoding="utf-8-sig")
        exports[names["region_topics"]] = (base / "region").read_text(encoding="utf-8-sig")
        if model is not None:
            topics_export.write_topic_map_html(base / "map", model, prepared, summaries, options)
            exports[names["topic_map"]] = (base / "map").read_text(encoding="utf-8")
        elif previous and names["topic_map"] in previous.get("exports", {}):
            exports[names["topic_map"]] = previous["exports"][names["topic_map"]]
    exports[names["topics"]] = json.dumps(document, ensure_ascii=False, sort_keys=True,
                                          indent=2) + "\n"
    return {"unit": options.unit, "document": document, "exports": exports,
            "prevalence": [_row_json(r) for r in rows],
            "prevalence_digests": {"\x1f".join(key): d for key, d in sorted(digests.items())}}


def _stored_prevalence(previous: dict[str, Any] | None
                       ) -> dict[tuple[str, str, str], tuple[str, list[Any]]]:
    """(level, parent, place) → (digest, rows) of a stored result."""
    if not previous or "prevalence_digests" not in previous:
        return {}
    rows: dict[tuple[str, str, str], list[Any]] = {}
    for row in previous.get("prevalence", []):
        rows.setdefault((row["level"], row["parent"], row["place"]), []).append(
            topics_prevalence.PrevalenceRow(**row))
    out = {}
    for joined, digest in previous["prevalence_digests"].items():
        key = tuple(joined.split("\x1f"))
        if key in rows:
            out[key] = (digest, rows[key])
    return out


def _summaries_of(document: dict[str, Any]) -> list[Any]:
    # a fold-in keeps the last fit's topic labels: enough for region_topics.csv
    class Label:
        def __init__(self, topic: int, label: str):
            self.topic, self.label = topic, label

    return [Label(t["topic"], t["label"]) for t in document.get("topics", [])]


def _row_json(row: Any) -> dict[str, Any]:
    return {"level": row.level, "place": row.place, "parent": row.parent, "topic": row.topic,
            "n_items": row.n_items, "mean": row.mean, "ci_low": row.ci_low,
            "ci_high": row.ci_high}


def _contrast_json(c: Any) -> dict[str, Any]:
    return {"level": c.level, "place": c.place, "parent": c.parent, "topic": c.topic,
            "n_items": c.n_items, "n_rest": c.n_rest, "mean": c.mean,
            "rest_mean": c.rest_mean, "difference": c.difference, "ci_low": c.ci_low,
            "ci_high": c.ci_high, "clear": c.clear}
