"""Benchmark segmentation throughput: raw jieba.lcut vs segment_texts in-process and forked.

Usage: .venv/bin/python bench/bench_segment.py [--mb 2.0]
Uses the four seed reports (../shared/corpus/seeds) repeated to about --mb megabytes of
text, split back into report-sized documents; a synthetic text when the seeds are absent.
All three measurements run in the same process on the same texts.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import jieba

from pipeline import nlp as N

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "seeds"
SYNTHETIC_WORDS = "基层 干部 反映 编制 紧张 任务 繁重 容错纠错 机制 落实 乡村振兴 。 ，".split()


def load_documents(target_chars: int) -> list[str]:
    """Seed reports repeated to ``target_chars`` characters, or synthetic documents."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    if not seeds:
        rng = random.Random(0)
        seeds = ["".join(rng.choices(SYNTHETIC_WORDS, k=6000)) for _ in range(4)]
    documents, total = [], 0
    while total < target_chars:
        for seed in seeds:
            documents.append(seed)
            total += len(seed)
    return documents


def timed(label: str, chars: int, run) -> dict:
    """Run ``run()`` once and report its throughput in characters per second."""
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    return {"run": label, "seconds": round(seconds, 3), "chars_per_s": round(chars / seconds)}


def main() -> None:
    """Print one JSON line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=2.0, help="megabytes of text (UTF-8)")
    args = parser.parse_args()
    documents = load_documents(int(args.mb * 1_000_000 / 3))  # ~3 bytes per Han character
    chars = sum(map(len, documents))
    print(json.dumps({"documents": len(documents), "chars": chars}))

    start = time.perf_counter()
    segmenter = N.get_segmenter()
    N.shared_nlp(N.SegmentOptions())
    load_seconds = round(time.perf_counter() - start, 3)
    print(json.dumps({"run": "load dictionaries", "seconds": load_seconds}))

    jieba.initialize()
    results = [
        timed("jieba.lcut (stock)", chars, lambda: [jieba.lcut(d) for d in documents]),
        timed("jieba.lcut (domain dict)", chars, lambda: [segmenter.lcut(d) for d in documents]),
        timed(
            "segment_texts n_process=1",
            chars,
            lambda: N.segment_texts(documents, N.SegmentOptions(n_process=1)),
        ),
        timed(
            "segment_texts n_process=2",
            chars,
            lambda: N.segment_texts(documents, N.SegmentOptions(n_process=2)),
        ),
        timed(
            "segment_texts n_process=1 pos=False",
            chars,
            lambda: N.segment_texts(documents, N.SegmentOptions(n_process=1, pos=False)),
        ),
    ]
    sample = documents[:4]
    blobs = N.segment_texts(sample, N.SegmentOptions(n_process=1))
    size_ratio = sum(map(len, blobs)) / sum(map(len, sample))
    results.append({"run": "serialized size", "bytes_per_char": round(size_ratio, 2)})
    start = time.perf_counter()
    for blob in blobs:
        N.tokens_of(blob)
    results.append({"run": "tokens_of (4 docs)", "seconds": round(time.perf_counter() - start, 4)})
    for result in results:
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
