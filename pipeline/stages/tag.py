"""Tag: every unit → problem / cause / countermeasure / practice / background / other.

Reads units (structure) and tokens (segment); writes ``units.label``/``label_score``
and the unit classifier (``models`` table). The classifier is trained on silver
labels (units under section titles such as 存在的问题/对策建议) from the whole corpus
plus the shipped seed examples. It is retrained when the tag config changes or the
corpus silver has grown or shrunk by ``retrain_growth`` since the stored model, not
on every new report: a nightly run with a few new reports labels just those, with
the stored model (whose key, training counts and run are in the provenance). A unit
is relabelled only when its document's units, tokens or the model changed.

Memory stays bounded at scale: units are read, and tagger inputs built, for a chunk of
documents at a time (``[tag] chunk_units``), once to gather the silver and once to label,
and each chunk's labels are committed with its documents' work keys. At 10,000 reports
holding them all took the main process to 1.6 GB and its labelling workers to 2.06 GB.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

from pipeline import nlp, tagging
from pipeline.config import Config
from pipeline.executors import inherited, map_forked
from pipeline.outputs.review import reviews_digest
from pipeline.records import Document, Unit, UnitSpan
from pipeline.stages import StageContext, StageResult, work_key

if TYPE_CHECKING:
    from pipeline.store import Store

STAGE = "tag"
MODEL_NAME = "unit_classifier"
PARALLEL_MIN_UNITS = 4000  # fewer units than this are labelled in-process (a fork costs more)
RANGES_PER_WORKER = 2  # ranges of units per worker: one slow range does not idle a core

# doc_id → its units and tagger inputs, built while gathering the silver and labelled next
Held = dict[str, tuple[list[Unit], list[tagging.TagInput]]]

def run(ctx: StageContext) -> StageResult:
    """Label units of changed documents; retrain the classifier only when warranted."""
    store, config = ctx.store, ctx.config
    result = StageResult(STAGE)
    options = config.options("tag", tagging.TagOptions)
    docs = ctx.documents()
    survey = survey_units(store, docs)
    reviewed = store.get_review_labels()  # human codes: training data and final labels
    config_key = work_key(STAGE, ctx.version, tagging.TAGGER_VERSION,
                          config.digest("tag", "segment"), reviews_digest(reviewed))
    silver_count = sum(entry.silver for entry in survey.values())
    stored = store.get_model(MODEL_NAME)
    held: Held = {}  # built once, labelled next
    if needs_retrain(stored, config_key, silver_count, options):
        corpus_silver, reviewed_silver, held = training_examples(ctx, docs, survey, reviewed,
                                                                 options)
        classifier, model_key, info = train(config, options, corpus_silver, reviewed_silver)
        info.update(config_key=config_key, silver_count=silver_count)
        if classifier is not None:
            with store.transaction():
                store.put_model(MODEL_NAME, model_key, classifier.to_bytes(), info)
        result.notes.append(f"classifier trained on {info['silver_corpus']} corpus + "
                            f"{info['silver_seed']} seed silver units")
    else:
        model_key, blob, info = stored  # type: ignore[misc]
        classifier = tagging.Classifier.from_bytes(blob)
        result.notes.append(f"classifier reused ({info.get('silver_corpus')} corpus silver)")
    label_changed(ctx, docs, survey, held, classifier, model_key, options, result)
    ctx.report("; ".join(result.notes))
    return result


@dataclass(frozen=True)
class UnitSurvey:
    """What the stage needs to know of a document's units before reading them in full."""

    count: int  # units of the document
    silver: int  # of them under a single-label section title (``count_silver``)
    labelled: bool  # every unit carries a label


def survey_units(store: Store, docs: list[Document]) -> dict[str, UnitSurvey]:
    """Each document's unit count, silver count and labelled state: one pass, no unit kept.

    Holding every unit of a 10,000-report corpus costs 300 MB, and their tagger inputs
    800 MB more, so the stage reads units again chunk by chunk (``doc_chunks``).
    """
    survey = {doc.doc_id: UnitSurvey(0, 0, True) for doc in docs}
    for doc_id, group in itertools.groupby(store.iter_unit_outlines(), key=itemgetter(0)):
        if doc_id in survey:
            rows = list(group)
            outlines = [(unit_id, parent_id, headline)
                        for _, unit_id, parent_id, headline, _ in rows]
            survey[doc_id] = UnitSurvey(len(rows), count_silver(outlines),
                                        all(row[4] for row in rows))
    return survey


def doc_chunks(docs: list[Document], survey: dict[str, UnitSurvey],
               max_units: int) -> Iterator[list[Document]]:
    """Consecutive runs of documents holding at most ``max_units`` units (or one document)."""
    chunk: list[Document] = []
    size = 0
    for doc in docs:
        count = survey[doc.doc_id].count
        if chunk and size + count > max_units:
            yield chunk
            chunk, size = [], 0
        chunk.append(doc)
        size += count
    if chunk:
        yield chunk


def training_examples(ctx: StageContext, docs: list[Document], survey: dict[str, UnitSurvey],
                      reviewed: dict[str, str], options: tagging.TagOptions,
                      ) -> tuple[list[tuple[tagging.TagInput, str]],
                                 list[tuple[tagging.TagInput, str]],
                                 Held]:
    """Corpus silver (sampled as ``sample_silver`` would from all of it), reviewed examples,
    and the last chunk's units and inputs (labelling needs them next: not built twice).

    Inputs are built chunk by chunk and all but the silver dropped (``merge_silver``).
    """
    store = ctx.store
    corpus_silver: list[tuple[tagging.TagInput, str]] = []
    reviewed_silver: list[tuple[tagging.TagInput, str]] = []
    held: Held = {}
    for chunk in doc_chunks(docs, survey, options.chunk_units):
        held = {}  # the previous chunk's inputs go before this chunk's are built
        units_by_doc = units_of(store, [doc.doc_id for doc in chunk])
        inputs_by_doc: dict[str, list[tagging.TagInput]] = {}
        for doc in chunk:
            try:
                inputs_by_doc[doc.doc_id] = tag_inputs(doc, units_by_doc[doc.doc_id],
                                                       store.get_tokens(doc.doc_id))
            except Exception:  # labelled (and its failure recorded) in ``label_changed``
                continue
        corpus_silver = merge_silver(corpus_silver, tagging.silver_examples(
            [item for inputs in inputs_by_doc.values() for item in inputs]), options.max_silver)
        reviewed_silver += reviewed_examples(units_by_doc, inputs_by_doc, reviewed)
        held = {doc_id: (units_by_doc[doc_id], inputs) for doc_id, inputs in inputs_by_doc.items()}
    return sample_silver(corpus_silver, options.max_silver), reviewed_silver, held


def label_changed(ctx: StageContext, docs: list[Document], survey: dict[str, UnitSurvey],
                  held: Held,
                  classifier: tagging.Classifier | None, model_key: str,
                  options: tagging.TagOptions, result: StageResult) -> None:
    """Label the documents whose units, tokens or model changed since they were labelled."""
    store = ctx.store
    done, failed = store.get_work_keys(STAGE), ctx.failed_keys()
    structure_keys = store.get_work_keys("structure")
    segment_keys = store.get_work_keys("segment")
    keys: dict[str, str] = {}  # doc_id → work key, for the documents to label
    todo: list[Document] = []
    for doc in docs:
        # the stage version and TAGGER_VERSION too: a new tagger that learns the same model
        # from the same silver must still relabel every report
        key = work_key(STAGE, ctx.version, tagging.TAGGER_VERSION, model_key,
                       structure_keys.get(doc.doc_id), segment_keys.get(doc.doc_id))
        # a unit without a label was written after the labelling (a redone structure)
        if done.get(doc.doc_id) == key and survey[doc.doc_id].labelled:
            result.reused += 1
        elif failed.get(doc.doc_id) == key:
            result.errors += 1
        else:
            keys[doc.doc_id] = key
            todo.append(doc)
    for chunk in doc_chunks(todo, survey, options.chunk_units):
        label_chunk(ctx, chunk, keys, held, classifier, options, result)


def label_chunk(ctx: StageContext, chunk: list[Document], keys: dict[str, str],
                held: Held,
                classifier: tagging.Classifier | None, options: tagging.TagOptions,
                result: StageResult) -> None:
    """Label one chunk of documents and store the labels and work keys in one transaction."""
    store = ctx.store
    loaded = units_of(store, [doc.doc_id for doc in chunk if doc.doc_id not in held])
    changed: list[str] = []
    units: list[Unit] = []
    inputs: list[tagging.TagInput] = []
    for doc in chunk:
        if doc.doc_id in held:
            doc_units, doc_inputs = held.pop(doc.doc_id)
        else:
            doc_units = loaded[doc.doc_id]
            try:
                doc_inputs = tag_inputs(doc, doc_units, store.get_tokens(doc.doc_id))
            except Exception as exc:  # one document's failure must not stop the run
                with store.transaction():
                    ctx.document_failed(doc.doc_id, keys[doc.doc_id], exc)
                result.errors += 1
                continue
        changed.append(doc.doc_id)
        units.extend(doc_units)
        inputs.extend(doc_inputs)
    labels = label_all(ctx, inputs, classifier, options)
    with store.transaction():
        store.put_labels((u.unit_id, label, score)
                         for u, (label, score) in zip(units, labels, strict=True))
        for doc_id in changed:
            store.put_work_key(STAGE, doc_id, keys[doc_id])
            store.clear_doc_error(STAGE, doc_id)
    result.processed += len(changed)


def label_all(ctx: StageContext, inputs: list[tagging.TagInput],
              classifier: tagging.Classifier | None,
              options: tagging.TagOptions) -> list[tuple[str, float]]:
    """Labels of all inputs, in order: on forked local workers when there are many.

    Each unit's label depends on that unit alone (the classifier scores row by row), so
    ranges labelled apart give what one call gives. Workers are forked after training and
    inherit the inputs, the classifier and the warm cue caches instead of having them sent.
    """
    workers = ctx.local_workers
    if workers <= 1 or len(inputs) < PARALLEL_MIN_UNITS:
        # one classifier call for all units: per-document calls cost more in overhead
        return tagging.label_units(inputs, classifier=classifier, options=options)
    ranges = unit_ranges(len(inputs), workers * RANGES_PER_WORKER)
    gc.freeze()  # workers' collections leave the inherited objects (and their pages) alone
    try:
        outcomes = map_forked(label_range, ranges, workers, (inputs, classifier, options))
    finally:
        gc.unfreeze()
    labels: list[tuple[str, float]] = []
    for (start, end), outcome in zip(ranges, outcomes, strict=True):
        if isinstance(outcome, BaseException):  # a worker died: label its range here
            outcome = tagging.label_units(inputs[start:end], classifier=classifier,
                                          options=options)
        labels.extend(outcome)
    return labels


def unit_ranges(count: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` consecutive (start, end) ranges covering ``range(count)``."""
    size = max(1, -(-count // max(1, parts)))
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def label_range(bounds: tuple[int, int]) -> list[tuple[str, float]]:
    """Worker entry point: labels of the inherited inputs in [start, end)."""
    inputs, classifier, options = inherited()
    return tagging.label_units(inputs[bounds[0] : bounds[1]], classifier=classifier,
                               options=options)


def units_of(store: Store, doc_ids: list[str]) -> dict[str, list[Unit]]:
    """Each listed document's units in order, read in one query (not one per document)."""
    units_by_doc: dict[str, list[Unit]] = {doc_id: [] for doc_id in doc_ids}
    if doc_ids:
        for unit in store.iter_units(doc_ids=doc_ids):
            units_by_doc[unit.doc_id].append(unit)
    return units_by_doc


def count_silver(outlines: list[tuple[str, str | None, str]]) -> int:
    """How many units of a document sit under a single-label section title.

    ``outlines``: (unit_id, parent_id, headline) of the document's units. A cheap stand-in
    for the silver set (headlines only: no text, tokens or lead-ins), used only to notice
    when the corpus has moved enough to retrain.
    """
    headline_of = {unit_id: headline for unit_id, _, headline in outlines}
    parent_of = {unit_id: parent_id for unit_id, parent_id, _ in outlines}
    count = 0
    for _unit_id, parent_id, headline in outlines:
        if tagging.context_labels(headline):
            continue
        chain, parent = [], parent_id
        while parent in headline_of:
            chain.append(headline_of[parent])
            parent = parent_of[parent]
        count += len(tagging.nearest_section_labels(tuple(reversed(chain)))) == 1
    return count


def needs_retrain(stored: tuple[str, bytes, dict] | None, config_key: str, silver_count: int,
                  options: tagging.TagOptions) -> bool:
    """True without a model, after a config change, or when corpus silver moved enough."""
    if stored is None:
        return True
    info = stored[2]
    if info.get("config_key") != config_key:
        return True
    before = int(info.get("silver_count", 0))
    if before == silver_count:
        return False
    return abs(silver_count - before) > options.retrain_growth * max(before, 1)


def reviewed_examples(units_by_doc: dict[str, list[Unit]],
                      inputs_by_doc: dict[str, list[tagging.TagInput]],
                      reviewed: dict[str, str]) -> list[tuple[tagging.TagInput, str]]:
    """Training examples from human review codes (gold beats silver)."""
    examples = []
    for doc_id, inputs in inputs_by_doc.items():
        for unit, item in zip(units_by_doc.get(doc_id, []), inputs, strict=False):
            if unit.unit_id in reviewed:
                examples.append((item, reviewed[unit.unit_id]))
    return examples


def train(config: Config, options: tagging.TagOptions,
          corpus_silver: list[tuple[tagging.TagInput, str]],
          reviewed: list[tuple[tagging.TagInput, str]] | None = None,
          ) -> tuple[tagging.Classifier | None, str, dict[str, object]]:
    """Fit the classifier on sampled corpus silver, review codes and the seed silver."""
    # review codes count three times: a few hundred hand codes should move the model
    corpus_silver = corpus_silver + (reviewed or []) * 3
    words = nlp.get_segmenter(config.options("segment", nlp.SegmentOptions)).lcut
    seed_silver = tagging.seed_examples(words)
    classifier = tagging.train_classifier(corpus_silver + seed_silver, options)
    fingerprint = hashlib.sha256()
    for item, label in corpus_silver:
        fingerprint.update(f"{label}\x1f{item.marker}{item.headline}\x1e".encode())
    model_key = work_key(MODEL_NAME, config.digest("tag", "segment"), fingerprint.hexdigest())
    info: dict[str, object] = {"silver_corpus": len(corpus_silver), "silver_seed": len(seed_silver),
                               "random_state": options.random_state}
    return classifier, model_key, info


def merge_silver(kept: list[tuple[tagging.TagInput, str]],
                 new: list[tuple[tagging.TagInput, str]],
                 cap: int) -> list[tuple[tagging.TagInput, str]]:
    """``kept + new``, pruned to ``cap`` once past twice the cap.

    Pruning keeps exactly what ``sample_silver`` keeps of the whole list: its ranking is a
    stable sort, so the examples a prefix drops can never be among the whole list's first.
    """
    merged = kept + new
    return sample_silver(merged, cap) if len(merged) > 2 * cap else merged


def sample_silver(examples: list[tuple[tagging.TagInput, str]],
                  cap: int) -> list[tuple[tagging.TagInput, str]]:
    """At most ``cap`` examples, picked by a stable hash so the same corpus gives the same set."""
    if len(examples) <= cap:
        return examples

    def stable_rank(example: tuple[tagging.TagInput, str]) -> str:
        item = example[0]
        return hashlib.sha1(f"{item.headline}\x1f{item.own_text[:80]}".encode()).hexdigest()

    return sorted(examples, key=stable_rank)[:cap]


def tag_inputs(doc: Document, units: list[Unit],
               token_blob: bytes | None) -> list[tagging.TagInput]:
    """What the tagger sees of each unit: headline, own text, ancestors, position, stored words."""
    index_of = {u.unit_id: i for i, u in enumerate(units)}
    spans = [
        UnitSpan(u.start, u.end, u.level, u.marker, u.headline, u.kind,
                 index_of.get(u.parent_id) if u.parent_id else None)
        for u in units
    ]
    words, starts = token_positions(doc.text, token_blob)
    return tagging.inputs_from_spans(
        doc.text, spans, words_in=lambda start, end: words_between(words, starts, start, end),
        year=doc.year,
    )


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
