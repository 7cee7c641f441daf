"""`make bench`: throughput and memory of diaoyan on a generated corpus.

Measures, in one run on this machine:
- ingest throughput per input format (MB/s of input files, one core, read+clean+metadata);
- the segment stage (jieba inside spaCy, both cores) vs raw ``jieba.lcut`` on the same texts;
- a full pipeline run, a second run on the unchanged corpus, and a "nightly" run after
  adding a few reports;
- peak memory while ingesting a 200 MB text file (in a child process).
Results are printed and written to bench/out/results.json.
Usage: .venv/bin/python bench/bench.py [--docs 1000] [--new 10] [--big-mb 200]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline.config import load_config  # noqa: E402
from pipeline.records import CorpusFile  # noqa: E402
from pipeline.runner import run_pipeline  # noqa: E402
from pipeline.stages import ingest  # noqa: E402
from pipeline.store import Store  # noqa: E402

OUT = HERE / "out"


def generate(corpus: Path, docs: int, seed: int, big_mb: int = 0) -> None:
    """Write a generated corpus with bench/make_corpus.py."""
    args = [sys.executable, str(HERE / "make_corpus.py"), str(corpus), "--docs", str(docs),
            "--seed", str(seed)]
    if big_mb:
        args += ["--big-mb", str(big_mb)]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def ingest_throughput(corpus: Path) -> dict[str, dict[str, float]]:
    """MB/s per format of ingest_file (read, clean, split, metadata), one core."""
    toolkit = ingest.make_toolkit(load_config())
    seconds: dict[str, float] = defaultdict(float)
    size: dict[str, int] = defaultdict(int)
    for path in sorted(corpus.iterdir()):
        fmt = "gb18030" if "gb18030" in path.name else path.suffix.lstrip(".")
        job = CorpusFile(path.name, str(path), "bench")
        started = time.perf_counter()
        ingest.ingest_file(job, toolkit)
        seconds[fmt] += time.perf_counter() - started
        size[fmt] += path.stat().st_size
    return {fmt: {"mb": round(size[fmt] / 2**20, 2), "seconds": round(seconds[fmt], 2),
                  "mb_per_s": round(size[fmt] / 2**20 / seconds[fmt], 2)} for fmt in seconds}


def segment_vs_lcut(out: Path) -> dict[str, float]:
    """Chars/s of the segment stage's work vs raw jieba.lcut on the same texts."""
    import jieba

    from pipeline import nlp

    store = Store(out / "diaoyan.sqlite")
    texts = [d.text for d in store.iter_documents(status="ok")]
    store.close()
    chars = sum(map(len, texts))
    options = load_config().options("segment", nlp.SegmentOptions)
    nlp.get_segmenter(options)  # load dictionaries before timing, as the stage does once
    jieba.initialize()
    started = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    lcut_s = time.perf_counter() - started
    started = time.perf_counter()
    nlp.segment_texts(texts, options)
    stage_s = time.perf_counter() - started
    one_core = dataclasses.replace(options, n_process=1)
    started = time.perf_counter()
    nlp.segment_texts(texts, one_core)
    single_s = time.perf_counter() - started
    return {"chars": chars, "lcut_chars_per_s": round(chars / lcut_s),
            "segment_chars_per_s": round(chars / stage_s),
            "segment_one_core_chars_per_s": round(chars / single_s),
            "segment_vs_lcut": round(lcut_s / stage_s, 2)}


def timed_run(corpus: Path, out: Path) -> dict[str, object]:
    """Run the whole pipeline; wall time and each stage's counts."""
    started = time.perf_counter()
    report = run_pipeline(out, load_config(corpus=corpus), corpus=corpus)
    return {"seconds": round(time.perf_counter() - started, 2),
            "stages": {r.stage: [r.processed, r.reused, round(r.seconds, 2)]
                       for r in report.results}}


def peak_memory_on_big_file(path: Path) -> dict[str, object]:
    """Peak RSS of a child process that ingests a corpus holding only the big file."""
    corpus = path.parent / "big_corpus"
    corpus.mkdir(exist_ok=True)
    target = corpus / path.name
    if not target.exists():
        target.symlink_to(path)
    out = path.parent / "big_out"
    shutil.rmtree(out, ignore_errors=True)
    child = subprocess.run(
        [sys.executable, __file__, "--ingest-only", str(corpus), str(out)],
        check=True, capture_output=True, text=True,
    )
    return {"file_mb": round(path.stat().st_size / 2**20), **json.loads(child.stdout)}


def peak_rss_mb() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it resets on exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def ingest_only(corpus: Path, out: Path) -> None:
    """Child-process mode: ingest ``corpus`` and print peak RSS, time and the outcome."""
    started = time.perf_counter()
    report = run_pipeline(out, load_config(), corpus=corpus, stages=("ingest",))
    print(json.dumps({
        "peak_rss_mb": peak_rss_mb(),
        "seconds": round(time.perf_counter() - started, 2),
        "outcome": report.errors[0][1] if report.errors else "ok",
    }, ensure_ascii=False))


def main() -> None:
    """Generate, measure, print and save."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--new", type=int, default=10)
    parser.add_argument("--big-mb", type=int, default=200, help="a file over the size cap")
    parser.add_argument("--accepted-mb", type=int, default=16, help="a large file under the cap")
    parser.add_argument("--ingest-only", nargs=2, type=Path, metavar=("CORPUS", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ingest_only:
        ingest_only(*args.ingest_only)
        return
    logging.getLogger("jieba").setLevel(logging.WARNING)
    shutil.rmtree(OUT, ignore_errors=True)
    corpus, out, extra = OUT / "corpus", OUT / "run", OUT / "extra"
    generate(corpus, args.docs, seed=7)
    results: dict[str, object] = {"docs": args.docs}
    results["ingest_mb_per_s_by_format"] = ingest_throughput(corpus)
    results["full_run"] = timed_run(corpus, out)
    results["segment"] = segment_vs_lcut(out)
    results["second_run_unchanged"] = timed_run(corpus, out)
    generate(extra, args.new, seed=99)
    for path in extra.iterdir():
        shutil.move(str(path), corpus / f"new_{path.name}")
    results[f"nightly_run_{args.new}_new"] = timed_run(corpus, out)
    for label, megabytes in (("big_file", args.big_mb), ("accepted_file", args.accepted_mb)):
        if megabytes:
            folder = OUT / label
            generate(folder, 0, seed=1, big_mb=megabytes)
            results[label] = peak_memory_on_big_file(next(folder.glob("big_*.txt")))
    results["max_rss_mb_this_process"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    (OUT / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
