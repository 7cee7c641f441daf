"""Topics: LDA topic models of the corpus, with topic prevalence by place and year.

Reads ok documents, their tokens and (for ``unit = "problem"`` etc.) their labelled
units; writes the model (``models`` table, ``topics:<unit>``), each item's topic
shares (``item_topics``) and the rendered exports (``results``: topics.json,
doc_topics.csv, region_topics.csv, topic_map.html), which every run publishes.

Keyed by the items' words and the ``[topics]``/``[segment]`` config. A new or changed
item is folded into the stored model; the model is refitted (K chosen again) only
when the item count has moved by more than ``refit_growth`` since the fit, when the
config changes, or with ``diaoyan topics OUT --refit``; a refit stores which earlier
topic each new topic continues, so dashboards do not reshuffle.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from pipeline.analysis import topics as lda
from pipeline.analysis import topics_export, topics_prevalence, topics_select
from pipeline.records import Document, Unit
from pipeline.stages import StageContext, StageResult, work_key

STAGE = "topics"
LEVELS = ("province", "city", "county", "year")
QUOTE_CHARS = 80


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
    inputs = topic_inputs(store, ctx.documents(), options.unit)
    config_key = work_key(STAGE, ctx.version, lda.TOPICS_VERSION,
                          ctx.config.digest("topics", "segment"), options.unit, options.k)
    inputs_key = work_key(config_key, *sorted(f"{i.item_id}:{_words_hash(i)}" for i in inputs))
    stored_result = store.get_result(name)
    if stored_result and stored_result[0] == inputs_key and not ctx.options.get("refit"):
        result.reused = len(inputs)
        return result
    stopwords = _stopwords(ctx)
    stored_model = store.get_model(name)
    try:
        if stored_model and _can_fold_in(stored_model, config_key, inputs, options, ctx):
            data = fold_in_new(store, name, stored_model, inputs, options, stopwords, result)
        else:
            data = refit(ctx, name, stored_model, inputs, options, stopwords, config_key,
                         result)
    except lda.TooSmall as exc:
        data = {"unit": options.unit, "skipped": str(exc), "exports": {}}
        with store.transaction():
            store.replace_item_topics(name, [])
        result.notes.append(f"topics skipped: {exc}")
    with store.transaction():
        store.put_result(name, inputs_key, data)
    return result


def topic_inputs(store: Any, docs: list[Document], unit: str) -> list[lda.TopicInput]:
    """One modelling item per document, or per unit labelled ``unit``."""
    from pipeline.nlp.tokens import tokens_of

    inputs = []
    for doc in docs:
        blob = store.get_tokens(doc.doc_id)
        if not blob:
            continue
        located = _located_tokens(doc.text, tokens_of(blob))
        if unit == "document":
            inputs.append(_item(doc, doc.doc_id, located, doc.title or doc.text[:QUOTE_CHARS]))
            continue
        for piece in store.iter_units(doc.doc_id):
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


def _words_hash(item: lda.TopicInput) -> str:
    return hashlib.sha1("\x1f".join(item.words).encode()).hexdigest()[:12]


def _stopwords(ctx: StageContext) -> frozenset[str]:
    from pipeline.nlp.dictionaries import SegmentOptions, load_stopwords

    return load_stopwords(ctx.config.options("segment", SegmentOptions).stopword_files)


def _can_fold_in(stored_model: tuple[str, bytes, dict[str, Any]], config_key: str,
                 inputs: list[lda.TopicInput], options: lda.TopicOptions,
                 ctx: StageContext) -> bool:
    """Fold in when the model was fitted under this config and the corpus grew little."""
    _key, _blob, info = stored_model
    if ctx.options.get("refit") or info.get("config_key") != config_key:
        return False
    return not topics_select.needs_refit(int(info.get("n_items", 0)), len(inputs), options)


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
            prepared, options, progress=lambda message: ctx.report(str(message)))
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
                             "seeds": list(selection.seeds)})
        ctx.store.replace_item_topics(name, [(i.item_id, i.doc_id, _rounded(weights[i.item_id]))
                                             for i in prepared.items])
    result.processed = len(prepared.items)
    result.notes.append(f"{options.unit}: K={model.k} ({selection.rule})")
    document = topics_export.topics_document(selection, summaries, mapping)
    document["unit"] = options.unit
    return render(options, document, prepared.items, shares, model, prepared, summaries)


def fold_in_new(store: Any, name: str, stored_model: Any, inputs: list[lda.TopicInput],
                options: lda.TopicOptions, stopwords: frozenset[str],
                result: StageResult) -> dict[str, Any]:
    """Infer topics for new or changed items with the stored model; refit nothing."""
    import numpy as np

    model = topics_export.model_from_bytes(stored_model[1])
    known = {item_id: weights for item_id, _doc, weights in store.iter_item_topics(name)}
    fresh = [item for item in inputs if item.item_id not in known]
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
    previous = store.get_result(name)
    document = dict(previous[1].get("document", {})) if previous else {}
    shares = np.array([known[i.item_id] for i in current]) if current else np.zeros((0, model.k))
    return render(options, document, current, shares, None, None, None)


def _rounded(row: Any) -> list[float]:
    return [round(float(x), 6) for x in row]


def export_names(unit: str) -> dict[str, str]:
    """File names of one modelling unit's exports (the document model's are the plain ones)."""
    suffix = "" if unit == "document" else f"-{unit}"
    return {kind: f"{kind}{suffix}{ext}" for kind, ext in (
        ("topics", ".json"), ("doc_topics", ".csv"), ("region_topics", ".csv"),
        ("topic_map", ".html"))}


def render(options: lda.TopicOptions, document: dict[str, Any], items: list[lda.TopicInput],
           shares: Any, model: Any, prepared: Any, summaries: Any) -> dict[str, Any]:
    """The stored result: topics.json content, prevalence, contrasts and rendered exports."""
    import tempfile
    from pathlib import Path

    rows = [row for level in LEVELS
            for row in topics_prevalence.prevalence(shares, items, level, options)]
    contrasts = [c for level in ("province", "city", "county")
                 for c in topics_prevalence.contrasts(shares, items, level, options)]
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
    exports[names["topics"]] = json.dumps(document, ensure_ascii=False, sort_keys=True,
                                          indent=2) + "\n"
    return {"unit": options.unit, "document": document, "exports": exports,
            "prevalence": [_row_json(r) for r in rows]}


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
