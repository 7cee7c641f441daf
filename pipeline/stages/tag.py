"""Tag: every unit → problem / cause / countermeasure / practice / background / other.

Reads units (structure) and tokens (segment); trains the unit classifier on silver
labels derived from section titles across the corpus plus the shipped seed examples;
writes ``units.label``/``label_score`` and the model (``models`` table). The work key
covers the tag config and every document's structure and segment keys: an
unchanged corpus relabels nothing; a changed one retrains (cheap next to
segmentation) and relabels all units so labels stay consistent with one model.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable

from pipeline import nlp, tagging
from pipeline.config import Config
from pipeline.records import Document, Unit, UnitSpan
from pipeline.stages import StageResult, work_key
from pipeline.store import Store

STAGE = "tag"
VERSION = 1
MODEL_NAME = "unit_classifier"


def run(store: Store, config: Config,
        progress: Callable[[str], None] | None = None) -> StageResult:
    """Label every unit, retraining the classifier only when its inputs changed."""
    started = time.monotonic()
    result = StageResult(STAGE)
    options = config.options("tag", tagging.TagOptions)
    docs = list(store.iter_documents(status="ok"))
    corpus_key = corpus_work_key(store, config, docs)
    done = store.get_work_keys(STAGE)
    if docs and all(done.get(d.doc_id) == corpus_key for d in docs):
        result.reused = len(docs)
        result.seconds = time.monotonic() - started
        return result
    inputs_by_doc = {d.doc_id: tag_inputs(d, list(store.iter_units(d.doc_id)),
                                          store.get_tokens(d.doc_id)) for d in docs}
    classifier, info = train(inputs_by_doc, config, options)
    with store.transaction():
        if classifier is not None:
            store.put_model(MODEL_NAME, corpus_key, classifier.to_bytes(), info)
        for doc in docs:
            units, inputs = inputs_by_doc[doc.doc_id]
            labels = tagging.label_units(inputs, classifier=classifier, options=options)
            store.put_labels((u.unit_id, label, score)
                             for u, (label, score) in zip(units, labels, strict=True))
            store.put_work_key(STAGE, doc.doc_id, corpus_key)
            result.processed += 1
    result.notes.append(f"classifier trained on {info.get('silver_corpus', 0)} corpus + "
                        f"{info.get('silver_seed', 0)} seed silver units")
    if progress:
        progress(result.notes[-1])
    result.seconds = time.monotonic() - started
    return result


def corpus_work_key(store: Store, config: Config, docs: list[Document]) -> str:
    """One key for the whole labelling: config plus every document's upstream keys."""
    structure_keys = store.get_work_keys("structure")
    segment_keys = store.get_work_keys("segment")
    upstream = sorted(
        (d.doc_id, structure_keys.get(d.doc_id, ""), segment_keys.get(d.doc_id, ""))
        for d in docs
    )
    return work_key(STAGE, VERSION, config.digest("tag"), upstream)


def train(inputs_by_doc: dict[str, tuple[list[Unit], list[tagging.TagInput]]], config: Config,
          options: tagging.TagOptions) -> tuple[tagging.Classifier | None, dict[str, object]]:
    """Fit the classifier on corpus silver + seed silver; returns it and what it learned from."""
    corpus_inputs = [item for _, inputs in inputs_by_doc.values() for item in inputs]
    corpus_silver = tagging.silver_examples(corpus_inputs)
    words = nlp.get_segmenter(config.options("segment", nlp.SegmentOptions)).lcut
    seed_silver = tagging.seed_examples(words)
    classifier = tagging.train_classifier(corpus_silver + seed_silver, options)
    info = {"silver_corpus": len(corpus_silver), "silver_seed": len(seed_silver),
            "random_state": options.random_state}
    return classifier, info


def tag_inputs(doc: Document, units: list[Unit],
               token_blob: bytes | None) -> tuple[list[Unit], list[tagging.TagInput]]:
    """What the tagger sees of each unit: headline, own text, ancestors, position, stored words."""
    index_of = {u.unit_id: i for i, u in enumerate(units)}
    spans = [
        UnitSpan(u.start, u.end, u.level, u.marker, u.headline, u.kind,
                 index_of.get(u.parent_id) if u.parent_id else None)
        for u in units
    ]
    words, starts = token_positions(doc.text, token_blob)
    inputs = tagging.inputs_from_spans(
        doc.text, spans, words_in=lambda start, end: words_between(words, starts, start, end)
    )
    return units, inputs


def token_positions(text: str, token_blob: bytes | None) -> tuple[list[str], list[int]]:
    """The document's words and their start offsets in ``text``."""
    if not token_blob:
        return [], []
    words, starts = [], []
    cursor = 0
    for word, _tag in nlp.tokens_of(token_blob):
        found = text.find(word, cursor)
        if found < 0:
            continue
        words.append(word)
        starts.append(found)
        cursor = found + len(word)
    return words, starts


def words_between(words: list[str], starts: list[int], start: int, end: int) -> tuple[str, ...]:
    """Words that start within [start, end), skipping blanks."""
    lo = bisect.bisect_left(starts, start)
    hi = bisect.bisect_left(starts, end)
    return tuple(w for w in words[lo:hi] if w.strip())
