"""The nightly changelog: what one run changed, for the people who read results each morning.

The runner takes a :class:`CorpusState` of the store before the stages and another
after them; their difference (documents added, changed, removed or failed, new
problem themes, new edges, places newly covered) is written to
``OUT/changes/<date>-run<N>.json`` with a short text summary beside it, and the report
shows the latest one.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CHANGES_DIR = "changes"


@dataclass(frozen=True)
class CorpusState:
    """What the changelog compares: documents, failures, themes, edges and places."""

    docs: dict[str, tuple[str, str]] = field(default_factory=dict)  # source → (doc_id, status)
    failed: frozenset[str] = frozenset()  # sources whose document failed somewhere
    problem_themes: dict[str, str] = field(default_factory=dict)  # theme_id → label
    edges: dict[str, str] = field(default_factory=dict)  # "p→c" → "label → label"
    places: frozenset[str] = frozenset()


def state_of(store: Any) -> CorpusState:
    """Read the comparable state of a store."""
    from pipeline.outputs.tables import place_of

    every = list(store.iter_documents(with_text=False))  # read once for both
    docs = {d.source: (d.doc_id, d.status) for d in every}
    ok = [d for d in every if d.status == "ok"]
    errored = {doc_id for _stage, doc_id, _key, _reason in store.iter_doc_errors()}
    failed = {s for s, (doc_id, status) in docs.items() if status == "error" or doc_id in errored}
    themes = {t: label for t, kind, label, _info in store.iter_themes() if kind == "problem"}
    return CorpusState(docs=docs, failed=frozenset(failed), problem_themes=themes,
                       edges=graph_edges(store),
                       places=frozenset(place_of(d) for d in ok) - {"unknown"})


# (store file, connection, key of the stored graph) → its edges: a run reads the state at
# its start, in the report stage and at its end, and the last two see the same graph.
_EDGES_SEEN: dict[tuple[str, int, str], dict[str, str]] = {}


def graph_edges(store: Any) -> dict[str, str]:
    """"problem→countermeasure" theme ids → "label → label" of every edge of the stored graph
    (read once per stored graph and store connection)."""
    key = store.get_result_key("graph")
    if key is None or store.path == ":memory:":
        return _read_graph_edges(store)
    seen = (store.path, id(store.conn), key)
    if seen not in _EDGES_SEEN:
        _EDGES_SEEN.clear()  # one graph at a time: it can be large
        _EDGES_SEEN[seen] = _read_graph_edges(store)
    return dict(_EDGES_SEEN[seen])


def _read_graph_edges(store: Any) -> dict[str, str]:
    # SQLite reads the few fields it needs out of graph.json (tens of MB at thousands of
    # reports) instead of Python parsing all of it
    labels = {node: label if label is not None else node for node, label in
              store.iter_result_export_items("graph", "graph.json", "$.nodes", ("id", "label"))}
    return {f"{source}→{target}": f"{labels.get(source, source)} → {labels.get(target, target)}"
            for source, target in store.iter_result_export_items(
                "graph", "graph.json", "$.links", ("source", "target"))}


def diff(before: CorpusState, after: CorpusState, run_id: int) -> dict[str, Any]:
    """What changed between two states, as a JSON-ready dict."""
    changed = sorted(s for s in set(before.docs) & set(after.docs)
                     if before.docs[s][0] != after.docs[s][0])
    return {
        "run_id": run_id,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "documents_added": sorted(set(after.docs) - set(before.docs)),
        "documents_changed": changed,
        "documents_removed": sorted(set(before.docs) - set(after.docs)),
        "documents_failed": sorted(after.failed - before.failed),
        "new_problem_themes": sorted(after.problem_themes[t] for t in
                                     set(after.problem_themes) - set(before.problem_themes)),
        "new_edges": sorted(after.edges[e] for e in set(after.edges) - set(before.edges)),
        "places_newly_covered": sorted(after.places - before.places),
    }


def summary(change: dict[str, Any]) -> str:
    """A few lines a person reads in the morning."""
    counts = [(key.replace("_", " "), len(change[key])) for key in (
        "documents_added", "documents_changed", "documents_removed", "documents_failed",
        "new_problem_themes", "new_edges", "places_newly_covered")]
    lines = [f"run {change['run_id']} at {change['date']}: " +
             ", ".join(f"{n} {name}" for name, n in counts)]
    for key in ("documents_failed", "new_problem_themes", "places_newly_covered"):
        if change[key]:
            lines.append(f"{key.replace('_', ' ')}: " + "; ".join(change[key][:20]))
    return "\n".join(lines) + "\n"


def write_changes(out_dir: Path, change: dict[str, Any]) -> Path:
    """Write ``changes/<date>-run<N>.json`` and ``.txt`` atomically; returns the json path."""
    folder = out_dir / CHANGES_DIR
    folder.mkdir(exist_ok=True)
    stem = f"{time.strftime('%Y-%m-%d')}-run{change['run_id']:06d}"
    for suffix, text in ((".json", json.dumps(change, ensure_ascii=False, indent=1)),
                         (".txt", summary(change))):
        target = folder / f"{stem}{suffix}"
        temporary = folder / f".{stem}{suffix}.tmp"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    return folder / f"{stem}.json"


def latest_changes(out_dir: Path) -> dict[str, Any] | None:
    """The newest changelog of an output folder, if any."""
    files = sorted((out_dir / CHANGES_DIR).glob("*.json")) if (out_dir / CHANGES_DIR).is_dir() \
        else []
    return json.loads(files[-1].read_text(encoding="utf-8")) if files else None


def state_to_json(state: CorpusState) -> dict[str, Any]:
    """A JSON-ready form of a state (stored so the report stage can diff against it)."""
    data = asdict(state)
    data["failed"] = sorted(state.failed)
    data["places"] = sorted(state.places)
    data["docs"] = {k: list(v) for k, v in state.docs.items()}
    return data


def state_from_json(data: dict[str, Any]) -> CorpusState:
    """Rebuild a stored state."""
    return CorpusState(docs={k: tuple(v) for k, v in data.get("docs", {}).items()},
                       failed=frozenset(data.get("failed", [])),
                       problem_themes=dict(data.get("problem_themes", {})),
                       edges=dict(data.get("edges", {})), places=frozenset(data.get("places", [])))
