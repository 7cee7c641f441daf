"""Exact and near-duplicate detection over cleaned texts (MinHash LSH via rensa).

rensa (MIT, a small Rust wheel with no dependencies) was chosen over datasketch for
speed: ≈3 s vs ≈45 s for 10,000 documents with the same precision/recall here.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass

from rensa import RMinHash, RMinHashLSH


@dataclass(frozen=True)
class DedupOptions:
    """How near two texts must be to count as duplicates."""

    threshold: float = 0.8  # estimated Jaccard of character shingles; reposts with edits ≈0.85+
    shingle_chars: int = 5  # character n-gram length; 5 keeps Chinese shingles specific
    num_perm: int = 128  # MinHash permutations: more is more precise and slower
    num_bands: int = 16  # LSH bands; must divide num_perm
    seed: int = 42
    min_chars: int = 200  # shorter texts are only checked for exact duplicates


@dataclass(frozen=True)
class DedupItem:
    """A document as dedup sees it, in corpus order."""

    doc_id: str
    content_hash: str
    text: str


def shingles(text: str, size: int) -> list[str]:
    """The set of character n-grams of a text, whitespace ignored."""
    compact = "".join(text.split())
    return list({compact[i : i + size] for i in range(max(1, len(compact) - size + 1))})


def minhash_of(text: str, options: DedupOptions) -> RMinHash:
    """The MinHash signature of a text."""
    signature = RMinHash(options.num_perm, options.seed)
    signature.update(shingles(text, options.shingle_chars))
    return signature


def find_duplicates(
    items: list[DedupItem],
    options: DedupOptions = DedupOptions(),
    cached: Callable[[str], bytes | None] = lambda _h: None,
    remember: Callable[[str, bytes], None] = lambda _h, _b: None,
) -> dict[str, str]:
    """Map doc_id → doc_id of the earlier document it duplicates (exactly or nearly).

    ``cached``/``remember`` let the caller keep signatures by content hash across runs.
    """
    duplicate_of: dict[str, str] = {}
    first_by_hash: dict[str, str] = {}
    lsh = RMinHashLSH(options.threshold, options.num_perm, options.num_bands)
    signatures: dict[int, tuple[str, RMinHash]] = {}
    for item in items:
        if item.content_hash in first_by_hash:
            original = first_by_hash[item.content_hash]
            # an exact copy of a near-duplicate points at the surviving original
            duplicate_of[item.doc_id] = duplicate_of.get(original, original)
            continue
        first_by_hash[item.content_hash] = item.doc_id
        if len(item.text) < options.min_chars:
            continue
        signature = _signature(item, options, cached, remember)
        match = _nearest(lsh, signatures, signature, options.threshold)
        if match is not None:
            duplicate_of[item.doc_id] = match
            continue
        slot = len(signatures)
        signatures[slot] = (item.doc_id, signature)
        lsh.insert(slot, signature)
    return duplicate_of


def _signature(item: DedupItem, options: DedupOptions, cached, remember) -> RMinHash:
    blob = cached(item.content_hash)
    if blob is not None:
        return pickle.loads(blob)
    signature = minhash_of(item.text, options)
    remember(item.content_hash, pickle.dumps(signature))
    return signature


def _nearest(lsh, signatures, signature: RMinHash, threshold: float) -> str | None:
    best_id, best_score = None, threshold
    for slot in sorted(lsh.query(signature)):
        doc_id, other = signatures[slot]
        score = signature.jaccard(other)
        if score >= best_score:
            best_id, best_score = doc_id, score
    return best_id
