"""When a whole run can stop after ingest: nothing a later stage reads has changed.

Every stage keys its work, so an unchanged corpus makes each stage reuse everything;
but checking costs time (the tag stage alone loads scikit-learn and spaCy to find it
has nothing to do). After a complete, error-free run the runner stores a digest of all
that the stages after ingest depend on: the documents ingest made (text by hash,
metadata, status), the files skipped, human review codes, the whole configuration,
the dictionaries, the installed library versions and diaoyan's own code and resources.
The next run computes the same digest once ingest is done; when it matches, the later
stages are skipped and report what the last run found. Any other run (a single stage,
``--redo``, stage options, a failed or killed run, per-document failures) clears the
digest first, so the following run does the full check.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pipeline.stages import STAGES, StageResult

RESULT_NAME = "complete_state"
PACKAGE_DIR = Path(__file__).resolve().parent


def stored_state(store: Any) -> tuple[str, dict[str, Any]] | None:
    """(digest, per-stage counts) recorded by the last complete run, if any."""
    stored = store.get_result(RESULT_NAME)
    return (stored[0], stored[1]) if stored and stored[0] else None


def forget_state(store: Any) -> None:
    """Clear the record: a run that may change the store is under way."""
    with store.transaction():
        store.put_result(RESULT_NAME, "", {})


def remember_state(store: Any, digest: str, run_id: int, results: list[StageResult]) -> None:
    """Record a complete run's digest and what each stage counted."""
    counts = {r.stage: [r.processed + r.reused, r.errors] for r in results}
    with store.transaction():
        store.put_result(RESULT_NAME, digest, {"run_id": run_id, "stages": counts})


def skipped_results(recorded: dict[str, Any], stages: list[str]) -> list[StageResult]:
    """Results for stages skipped as unchanged: everything reused, as the last run found."""
    counts = recorded.get("stages", {})
    return [StageResult(name, reused=int(counts.get(name, [0, 0])[0]),
                        notes=[f"unchanged since run {recorded.get('run_id')}"])
            for name in stages]


def state_digest(store: Any, config: Any, versions: dict[str, str]) -> str | None:
    """Digest of what the stages after ingest read; None when some document failed a stage."""
    if any(True for _ in store.iter_doc_errors()):
        return None  # failed documents are retried and counted by their stages each run
    from pipeline.nlp.dictionaries import SegmentOptions, dictionary_fingerprint

    digest = hashlib.sha256()

    def add(part: object) -> None:
        data = json.dumps(part, ensure_ascii=False, sort_keys=True, default=str).encode()
        digest.update(len(data).to_bytes(8, "big") + data)

    add([(s.name, s.version) for s in STAGES])
    add(versions)
    add(code_fingerprint())
    add(config.digest())
    add(dictionary_fingerprint(config.options("segment", SegmentOptions)))
    hashes = store.get_content_hashes()
    for doc in store.iter_documents(with_text=False):
        add({**asdict(doc), "text": hashes.get(doc.doc_id)})
    add(sorted(tuple(row) for row in store.iter_skipped()))
    add(sorted(store.get_review_labels().items()))
    return digest.hexdigest()[:32]


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of diaoyan's own modules and resources: a code change redoes the check."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]
