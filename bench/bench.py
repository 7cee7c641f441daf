"""`make bench`: the whole pipeline against raw jieba on a generated corpus.

Usage: .venv/bin/python bench/bench.py [--docs 1000 | --large] [--work bench/out]
Same as ``diaoyan bench`` (see pipeline/benchmark.py): prints per-stage seconds, chars/s
and the ratio to raw single-process jieba.lcut, the no-op and add-one-report re-runs,
peak memory and which goals are met, and writes the figures to bench/out/results-N.json
so runs can be compared.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.cli import cli  # noqa: E402

if __name__ == "__main__":
    cli(["bench", *sys.argv[1:]])
