"""What a fitted topic model tells a reader, and the files that carry it.

``describe`` turns a fit into ``TopicSummary`` records; ``model_to_bytes`` /
``model_from_bytes`` store a fit in the store (no pickle: a JSON header and ``.npy``
arrays, zlib-compressed, so loading never runs code); the writers below produce the
files of the topics stage. Every writer is atomic (temporary file in the same folder,
then ``os.replace``) and deterministic: floats are rounded to 6 digits, JSON keys sorted.

Files and columns (CSV files are UTF-8 with a BOM, ``utf-8-sig``, so Excel reads Chinese):

- ``topics.json``: ``k``, ``rule``, ``seeds``, ``screened`` and ``finalists`` (k, npmi,
  umass, diversity, quality, stability), and ``topics``: one object per topic with
  ``topic``, ``name`` (seed-topic name or ""), ``label``, ``terms`` (term, weight =
  p(term|topic), relevance), ``coherence`` (NPMI), ``token_share``, ``prevalence``,
  ``representatives`` (item_id, doc_id, quote, source, weight) and, after a refit,
  ``previous`` (the matching topic of the last fit, or null) and ``similarity``.
- ``doc_topics.csv``: item_id, doc_id, source, province, city, county, year,
  top_topic, top_share, then topic_0 … topic_{k-1} (the item's topic shares).
- ``region_topics.csv``: level, place, parent, topic, label, n_items, mean, ci_low,
  ci_high (one row per place and topic; place "unknown" pools items without one).
- ``topic_map.html``: the offline topic map (see ``write_topic_map_html``).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import struct
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.analysis.topics import (
    TOP_TERMS,
    TOPICS_VERSION,
    FittedModel,
    Prepared,
    TopicInput,
    TopicOptions,
)
from pipeline.analysis.topics_prevalence import PrevalenceRow
from pipeline.analysis.topics_select import KSelection, coherence_scores

MODEL_MAGIC = b"DIAOYAN-TOPICS\x00"
MAP_TERMS = 30  # terms listed per topic in the HTML map
MAP_RESOURCE = "topic_map.html"  # the map's page, its data left as __DATA__


@dataclass(frozen=True)
class TopicTerm:
    """A topic word: p(word | topic) and its LDAvis relevance."""

    term: str
    weight: float
    relevance: float


@dataclass(frozen=True)
class Representative:
    """An item that shows a topic well."""

    item_id: str
    doc_id: str
    quote: str
    source: str
    weight: float  # the item's share of this topic


@dataclass(frozen=True)
class TopicSummary:
    """One topic as a reader sees it."""

    topic: int
    name: str  # seed-topic name, "" for an unguided topic
    label: str  # the name, else the top 3 terms by relevance
    terms: tuple[TopicTerm, ...]  # top 10 by relevance
    coherence: float  # NPMI of the 10 most probable terms
    token_share: float  # share of the modelled tokens of the fitted corpus
    prevalence: float  # mean topic share over the described items
    representatives: tuple[Representative, ...]


# --- describe ----------------------------------------------------------------------------


def relevance(model: FittedModel, prepared: Prepared, lam: float) -> np.ndarray:
    """LDAvis relevance λ·log p(w|t) + (1−λ)·log(p(w|t)/p(w)), p(w) from the corpus."""
    p_term = prepared.term_counts / prepared.term_counts.sum()
    log_phi = np.log(model.topic_term)
    return lam * log_phi + (1.0 - lam) * (log_phi - np.log(p_term))


def describe(model: FittedModel, prepared: Prepared, doc_topic: np.ndarray,
             inputs: Sequence[TopicInput], options: TopicOptions) -> list[TopicSummary]:
    """Label, terms, coherence, size and examples of every topic.

    ``inputs`` are the items of the rows of ``doc_topic`` (``prepared.items``, perhaps
    followed by folded-in items); ``token_share`` counts only the fitted items.
    """
    rel = relevance(model, prepared, options.relevance_lambda)
    npmi, _ = coherence_scores(model.topic_term, prepared.windows)
    shares = _token_shares(prepared, doc_topic, inputs)
    summaries = []
    for topic in range(model.k):
        order = np.argsort(-rel[topic], kind="stable")[:TOP_TERMS]
        terms = tuple(
            TopicTerm(model.vocab[i], _r(model.topic_term[topic, i]), _r(rel[topic, i]))
            for i in order
        )
        name = model.topic_names[topic]
        summaries.append(TopicSummary(
            topic=topic, name=name, label=name or "、".join(t.term for t in terms[:3]),
            terms=terms, coherence=_r(npmi[topic]), token_share=_r(shares[topic]),
            prevalence=_r(doc_topic[:, topic].mean()) if len(doc_topic) else 0.0,
            representatives=representatives(doc_topic[:, topic], inputs, options.representatives),
        ))
    return summaries


def _token_shares(prepared: Prepared, doc_topic: np.ndarray,
                  inputs: Sequence[TopicInput]) -> np.ndarray:
    length_of = dict(zip((item.item_id for item in prepared.items), prepared.item_lengths,
                         strict=True))
    lengths = np.array([length_of.get(item.item_id, 0.0) for item in inputs])
    tokens = lengths @ doc_topic if len(inputs) else np.zeros(doc_topic.shape[1])
    return tokens / tokens.sum() if tokens.sum() > 0 else tokens


def representatives(weights: np.ndarray, inputs: Sequence[TopicInput],
                    n: int) -> tuple[Representative, ...]:
    """The ``n`` items with the highest weight, one per document before any repeats."""
    order = sorted(range(len(inputs)), key=lambda i: (-round(weights[i], 9), inputs[i].item_id))
    seen: set[str] = set()
    first, repeats = [], []
    for i in order:
        (repeats if inputs[i].doc_id in seen else first).append(i)
        seen.add(inputs[i].doc_id)
    return tuple(
        Representative(inputs[i].item_id, inputs[i].doc_id, inputs[i].quote, inputs[i].source,
                       _r(weights[i]))
        for i in (first + repeats)[:n]
    )


def _r(value: float) -> float:
    # Six digits hide float noise from BLAS and platform, and keep files byte-stable.
    return round(float(value), 6) + 0.0  # + 0.0 turns -0.0 into 0.0


# --- model bytes -------------------------------------------------------------------------


def model_to_bytes(model: FittedModel) -> bytes:
    """The fit as bytes for the store: vocabulary, phrases, topics and prior."""
    header = {
        "version": TOPICS_VERSION, "k": model.k, "seed": model.seed, "vocab": model.vocab,
        "phrases": model.phrases, "topic_names": model.topic_names,
        "iterations": model.iterations, "missing_seeds": model.missing_seeds,
    }
    body = io.BytesIO()
    head = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    body.write(struct.pack("<Q", len(head)) + head)
    for array in (model.lam, model.alpha):
        np.save(body, np.ascontiguousarray(array, dtype="<f8"), allow_pickle=False)
    return MODEL_MAGIC + zlib.compress(body.getvalue(), 6)


def model_from_bytes(data: bytes) -> FittedModel:
    """A fit back from ``model_to_bytes``; ValueError when the bytes are not one."""
    if not data.startswith(MODEL_MAGIC):
        raise ValueError("not a diaoyan topic model")
    body = io.BytesIO(zlib.decompress(data[len(MODEL_MAGIC):]))
    (size,) = struct.unpack("<Q", body.read(8))
    header = json.loads(body.read(size).decode("utf-8"))
    lam = np.load(body, allow_pickle=False)
    alpha = np.load(body, allow_pickle=False)
    return FittedModel(
        k=header["k"], seed=header["seed"], vocab=tuple(header["vocab"]), lam=lam, alpha=alpha,
        phrases=tuple(tuple(pair) for pair in header["phrases"]),
        topic_names=tuple(header["topic_names"]), iterations=header["iterations"],
        missing_seeds=tuple(header["missing_seeds"]),
    )


# --- files -------------------------------------------------------------------------------


def atomic_write(path: Path, write: Callable[[io.TextIOBase], None],
                 encoding: str = "utf-8") -> None:
    """Write a text file through ``write(handle)``, replacing ``path`` only when complete."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; readers expect the umask's mode
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return mask


def topics_document(selection: KSelection, summaries: Sequence[TopicSummary],
                    mapping: Sequence[tuple[int, int | None, float]] | None = None
                    ) -> dict[str, Any]:
    """The content of topics.json as plain data."""
    previous = {new: (old, sim) for new, old, sim in mapping or ()}
    topics = []
    for summary in summaries:
        entry = asdict(summary)
        if mapping is not None:
            old, sim = previous.get(summary.topic, (None, 0.0))
            entry.update(previous=old, similarity=sim)
        topics.append(entry)
    return {
        "version": TOPICS_VERSION, "k": selection.k, "rule": selection.rule,
        "seeds": list(selection.seeds),
        "screened": [asdict(score) for score in selection.screened],
        "finalists": [asdict(score) for score in selection.finalists],
        "topics": topics,
    }


def write_topics_json(path: Path, selection: KSelection, summaries: Sequence[TopicSummary],
                      mapping: Sequence[tuple[int, int | None, float]] | None = None) -> None:
    """Write topics.json: the K search, and every topic's label, terms, size and examples."""
    text = json.dumps(topics_document(selection, summaries, mapping), ensure_ascii=False,
                      sort_keys=True, indent=2)
    atomic_write(path, lambda handle: handle.write(text + "\n"))


def write_doc_topics_csv(path: Path, inputs: Sequence[TopicInput], doc_topic: np.ndarray) -> None:
    """Write doc_topics.csv: each item's place, year, top topic and all topic shares."""
    k = doc_topic.shape[1]
    header = ["item_id", "doc_id", "source", "province", "city", "county", "year",
              "top_topic", "top_share"] + [f"topic_{t}" for t in range(k)]

    def write(handle: io.TextIOBase) -> None:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        for item, row in zip(inputs, doc_topic, strict=True):
            top = int(np.argmax(row))
            out.writerow([item.item_id, item.doc_id, item.source, item.province or "",
                          item.city or "", item.county or "", item.year or "", top,
                          _f(row[top])] + [_f(share) for share in row])

    atomic_write(path, write, encoding="utf-8-sig")


def write_region_topics_csv(path: Path, rows: Sequence[PrevalenceRow],
                            summaries: Sequence[TopicSummary] = ()) -> None:
    """Write region_topics.csv: mean topic share per place with its bootstrap interval."""
    label_of = {summary.topic: summary.label for summary in summaries}
    header = ["level", "place", "parent", "topic", "label", "n_items", "mean", "ci_low",
              "ci_high"]

    def write(handle: io.TextIOBase) -> None:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        for row in rows:
            out.writerow([row.level, row.place, row.parent, row.topic,
                          label_of.get(row.topic, ""), row.n_items, _f(row.mean),
                          _f(row.ci_low), _f(row.ci_high)])

    atomic_write(path, write, encoding="utf-8-sig")


def _f(value: float) -> str:
    return f"{float(value):.6f}"


# --- the topic map -----------------------------------------------------------------------


def topic_coordinates(topic_term: np.ndarray) -> np.ndarray:
    """2-D classical MDS of Jensen–Shannon distances between topics (as LDAvis), in [-1, 1]."""
    k = topic_term.shape[0]
    mean = (topic_term[:, None, :] + topic_term[None, :, :]) / 2.0
    kl = np.sum(topic_term[:, None, :] * np.log(topic_term[:, None, :] / mean), axis=2)
    jsd = np.clip((kl + kl.T) / 2.0, 0.0, None)
    centre = np.eye(k) - 1.0 / k
    inner = -0.5 * centre @ jsd @ centre
    values, vectors = np.linalg.eigh(inner)
    top = np.argsort(-values, kind="stable")[:2]
    coords = np.zeros((k, 2))
    for axis, index in enumerate(top):
        column = vectors[:, index] * np.sqrt(max(values[index], 0.0))
        # eigh's sign is arbitrary: point each axis's largest coordinate to the positive side.
        coords[:, axis] = column * (1.0 if column[np.argmax(np.abs(column))] >= 0 else -1.0)
    span = np.abs(coords).max()
    return coords / span if span > 0 else coords


def topic_map_data(model: FittedModel, prepared: Prepared, summaries: Sequence[TopicSummary],
                   options: TopicOptions) -> dict[str, Any]:
    """What the HTML map shows: topic positions and sizes, candidate terms per topic."""
    total = float(prepared.term_counts.sum())
    p_term = prepared.term_counts / total
    coords = topic_coordinates(model.topic_term)
    topics = []
    for summary in summaries:
        phi = model.topic_term[summary.topic]
        candidates: set[int] = set()
        for lam in np.linspace(0.0, 1.0, 11):
            score = lam * np.log(phi) + (1.0 - lam) * np.log(phi / p_term)
            candidates.update(np.argsort(-score, kind="stable")[:MAP_TERMS].tolist())
        topics.append({
            "id": summary.topic, "label": summary.label,
            "x": _r(coords[summary.topic, 0]), "y": _r(coords[summary.topic, 1]),
            "share": summary.token_share,
            "terms": [[model.vocab[i], _r(phi[i]), _r(p_term[i])] for i in sorted(candidates)],
        })
    frequent = np.argsort(-prepared.term_counts, kind="stable")[:MAP_TERMS]
    return {
        "lambda": options.relevance_lambda, "total": total, "topics": topics,
        "overall": [[model.vocab[i], _r(p_term[i])] for i in frequent],
    }


@functools.cache
def map_template() -> str:
    """The page of the topic map (``resources/topic_map.html``); ``__DATA__`` marks its data."""
    return resources.files("pipeline.resources").joinpath(MAP_RESOURCE).read_text(encoding="utf-8")


def write_topic_map_html(path: Path, model: FittedModel, prepared: Prepared,
                         summaries: Sequence[TopicSummary], options: TopicOptions) -> None:
    """Write topic_map.html: an offline intertopic map with clickable term bars.

    ``topic_map.html#topic=3`` opens with topic 3 selected.

    Our own ~4 KB of inline SVG and script rather than pyLDAvis: pyLDAvis 3.4.1 runs
    with pandas 3 here, but its page loads d3 and ldavis.js from CDNs (offline use
    means inlining 300 KB of script by hand), and it brings pandas, numexpr and funcy.
    """
    data = json.dumps(topic_map_data(model, prepared, summaries, options),
                      ensure_ascii=False, sort_keys=True)
    # "<" escaped so no report text can close the script element.
    page = map_template().replace("__DATA__", data.replace("<", "\\u003c"))
    atomic_write(path, lambda handle: handle.write(page))

