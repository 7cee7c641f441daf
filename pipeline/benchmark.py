"""``diaoyan bench`` / ``make bench``: the whole pipeline against raw jieba on the same text.

On a generated corpus of N reports (``bench/make_corpus.py``, seed 7; kept and reused
under the work folder), this times, each in a fresh process as cron would start it:

* a full ``diaoyan run`` with the default configuration (every stage, K selection,
  themes, graph and report): seconds and characters per second of every stage, peak
  resident memory of the main process and of its largest worker;
* a second run on the unchanged corpus (the no-op), with the time its imports took and
  which heavy libraries it loaded;
* a run after adding one report;

and, in this process, raw single-process ``jieba.lcut`` over the same cleaned texts
(the yardstick every figure is divided by). Timings are a benchmark, never a test
assertion: other jobs on the machine move them, so the load average is recorded too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

GENERATOR = Path(__file__).resolve().parents[1] / "bench" / "make_corpus.py"
CORPUS_SEED = 7
NEW_REPORT_SEED = 99
PER_DOCUMENT_STAGES = ("ingest", "structure", "segment")
HEAVY_MODULES = ("spacy", "sklearn", "gensim", "dask", "networkx", "plotly")


def run_benchmark(docs: int, work_dir: Path, *, jobs: int | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Generate (or reuse) the corpus, time the runs, and return the figures."""
    say = progress or (lambda line: None)
    corpus = generated_corpus(work_dir, docs, say)
    out = work_dir / f"run-{docs}"
    shutil.rmtree(out, ignore_errors=True)
    figures: dict[str, Any] = {"docs": docs, "machine": machine(), "jobs": jobs}
    say(f"full run on {docs} reports …")
    full = timed_child(["run", str(corpus), str(out), str(jobs or 0)])
    texts = ok_texts(out)
    chars = sum(map(len, texts))
    say(f"raw jieba.lcut over {chars:,} characters …")
    jieba_seconds = time_jieba(texts)
    jieba_rate = chars / jieba_seconds
    figures["text"] = {"documents": len(texts), "chars": chars}
    figures["jieba"] = {"seconds": round(jieba_seconds, 2), "chars_per_s": round(jieba_rate)}
    figures["full_run"] = describe_run(full, chars, jieba_rate)
    say("no-op re-run …")
    figures["noop_run"] = describe_run(timed_child(["run", str(corpus), str(out),
                                                    str(jobs or 0)], importtime=True),
                                       chars, jieba_rate)
    say("re-run after adding one report …")
    added = add_one_report(corpus, work_dir)
    try:
        figures["add_one_run"] = describe_run(
            timed_child(["run", str(corpus), str(out), str(jobs or 0)]), chars, jieba_rate)
    finally:
        added.unlink()
    figures["goals"] = goals(figures)
    figures["machine"]["load_after"] = os.getloadavg()
    return figures


def generated_corpus(work_dir: Path, docs: int, say: Callable[[str], None]) -> Path:
    """The corpus of ``docs`` generated reports, written once and reused."""
    corpus = work_dir / f"corpus-{docs}"
    stamp = corpus / ".complete"
    if stamp.exists():
        return corpus
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    say(f"generating {docs} reports in {corpus} …")
    generator().make_docs(corpus, docs, CORPUS_SEED, generator().FORMATS)
    stamp.write_text("", encoding="utf-8")  # a dotfile: the corpus walk skips it
    return corpus


def generator() -> Any:
    """bench/make_corpus.py (the benchmark needs a source checkout)."""
    if not GENERATOR.exists():
        raise RuntimeError(f"no corpus generator at {GENERATOR}: run from a source checkout")
    spec = importlib.util.spec_from_file_location("diaoyan_make_corpus", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return sys.modules[spec.name]


def add_one_report(corpus: Path, work_dir: Path) -> Path:
    """Write one more generated report into the corpus; returns its path."""
    extra = work_dir / "extra"
    shutil.rmtree(extra, ignore_errors=True)
    extra.mkdir(parents=True)
    generator().make_docs(extra, 1, NEW_REPORT_SEED, ("txt",))
    source = next(extra.iterdir())
    target = corpus / f"new_{source.name}"
    if target.exists():  # it would add nothing, and the full run timed one report more
        raise RuntimeError(f"{target} is already in the corpus (left by an interrupted "
                           "benchmark?): remove it and run the benchmark again")
    shutil.move(str(source), target)
    return target


def timed_child(args: list[str], importtime: bool = False) -> dict[str, Any]:
    """Run ``python -m pipeline.benchmark ARGS`` and return what it printed, plus wall time."""
    command = [sys.executable, *(["-X", "importtime"] if importtime else []),
               "-m", "pipeline.benchmark", *args]
    started = time.perf_counter()
    child = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"benchmark child failed: {child.stderr[-2000:]}")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    if figures.get("failed"):  # a failed stage's time is no measure of the stage
        raise RuntimeError(f"benchmark run failed: {figures.get('failed_stages')}")
    figures["wall_seconds"] = round(wall, 2)
    if importtime:
        figures["import_seconds"] = round(import_seconds(child.stderr), 2)
    return figures


def import_seconds(importtime_log: str) -> float:
    """Total of the 'self' column of ``-X importtime`` output (every module's own cost)."""
    total = 0
    for line in importtime_log.splitlines():
        if line.startswith("import time:") and "|" in line:
            field = line.split(":", 1)[1].split("|")[0].strip()
            if field.isdigit():
                total += int(field)
    return total / 1e6


def ok_texts(out: Path) -> list[str]:
    """The cleaned texts of the run's ok documents."""
    from pipeline.store import Store

    store = Store.for_reading(out)
    try:
        return [doc.text for doc in store.iter_documents(status="ok")]
    finally:
        store.close()


def time_jieba(texts: list[str]) -> float:
    """Seconds of raw single-process ``jieba.lcut`` over ``texts`` (dictionary loaded first)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    started = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - started


def describe_run(child: dict[str, Any], chars: int, jieba_rate: float) -> dict[str, Any]:
    """Per-stage seconds, chars/s and ratio to raw jieba, with the run's totals."""
    stages = {}
    for name, (processed, reused, seconds) in child["stages"].items():
        rate = chars / seconds if seconds > 0 else None
        stages[name] = {"processed": processed, "reused": reused, "seconds": seconds,
                        "chars_per_s": round(rate) if rate else None,
                        "vs_jieba": round(rate / jieba_rate, 3) if rate else None}
    per_doc = sum(child["stages"].get(name, [0, 0, 0])[2] for name in PER_DOCUMENT_STAGES)
    run = {"seconds": child["seconds"], "wall_seconds": child["wall_seconds"],
           "failed": child["failed"],
           "vs_jieba": round(chars / child["seconds"] / jieba_rate, 3),
           "per_document_stages": {
               "seconds": round(per_doc, 2),
               "vs_jieba": round(chars / per_doc / jieba_rate, 3) if per_doc else None},
           "stages": stages, "peak_rss_mb": child["peak_rss_mb"],
           "peak_worker_rss_mb": child["peak_worker_rss_mb"], "heavy_modules": child["heavy"]}
    if "import_seconds" in child:
        run["import_seconds"] = child["import_seconds"]
    return run


def goals(figures: dict[str, Any]) -> dict[str, Any]:
    """The issue's goals, each with its measured value and whether it is met."""
    full, noop, add = figures["full_run"], figures["noop_run"], figures["add_one_run"]
    segment = full["stages"].get("segment", {}).get("vs_jieba") or 0
    checks = {
        "whole_run_vs_jieba >= 0.5": full["vs_jieba"],
        "segment_vs_jieba >= 1.5": segment,
        "per_document_stages_vs_jieba >= 1.5": full["per_document_stages"]["vs_jieba"],
        "noop_share_of_full <= 0.05": round(noop["wall_seconds"] / full["wall_seconds"], 3),
        "noop_import_seconds < 1": noop["import_seconds"],
        "noop_loads_no_spacy_sklearn_gensim": not set(noop["heavy_modules"]) & {
            "spacy", "sklearn", "gensim"},
        "add_one_share_of_full <= 0.1": round(add["wall_seconds"] / full["wall_seconds"], 3),
        "peak_rss_mb <= 2048": max(full["peak_rss_mb"], full["peak_worker_rss_mb"]),
    }
    return {name: {"value": value, "met": _met(name, value)} for name, value in checks.items()}


def _met(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    bound = float(name.rsplit(" ", 1)[1])
    return value >= bound if ">=" in name else value <= bound if "<=" in name else value < bound


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "load_before": os.getloadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M")}


def format_figures(figures: dict[str, Any]) -> str:
    """The figures as a few readable lines."""
    lines = [f"{figures['docs']} reports, {figures['text']['chars']:,} characters; raw jieba.lcut "
             f"{figures['jieba']['chars_per_s']:,} chars/s; {figures['machine']['cpus']} cpus, "
             f"load {figures['machine']['load_before'][0]:.1f} → "
             f"{figures['machine']['load_after'][0]:.1f}"]
    for label, key in (("full run", "full_run"), ("no-op re-run", "noop_run"),
                       ("add one report", "add_one_run")):
        run = figures[key]
        extra = f", imports {run['import_seconds']} s" if "import_seconds" in run else ""
        failed = " FAILED (see run.log)" if run["failed"] else ""
        lines.append(f"{label}{failed}: {run['wall_seconds']} s wall ({run['vs_jieba']}× jieba), "
                     f"peak RSS {run['peak_rss_mb']} MB (worker {run['peak_worker_rss_mb']} "
                     f"MB){extra}; heavy modules: {', '.join(run['heavy_modules']) or 'none'}")
    lines.append(f"{'stage':<10} {'seconds':>9} {'chars/s':>11} {'× jieba':>8}")
    for name, stage in figures["full_run"]["stages"].items():
        rate = f"{stage['chars_per_s']:,}" if stage["chars_per_s"] else "-"
        lines.append(f"{name:<10} {stage['seconds']:>9.2f} {rate:>11} "
                     f"{stage['vs_jieba'] or 0:>8.3f}")
    lines.append("goals:")
    for name, goal in figures["goals"].items():
        lines.append(f"  {'met ' if goal['met'] else 'MISS'} {name}: {goal['value']}")
    return "\n".join(lines)


def child_run(corpus: Path, out: Path, jobs: int) -> dict[str, Any]:
    """In a fresh process: one ``diaoyan run`` and what it cost."""
    import logging

    logging.getLogger("jieba").setLevel(logging.WARNING)
    started = time.perf_counter()
    from pipeline.config import load_config
    from pipeline.runner import run_pipeline

    report = run_pipeline(out, load_config(corpus=corpus), corpus=corpus, jobs=jobs or None)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "stages": {r.stage: [r.processed, r.reused, round(r.seconds, 3)]
                   for r in report.results},
        "failed": report.failed,
        "failed_stages": {r.stage: r.failed for r in report.results if r.failed},
        "peak_rss_mb": peak_rss_mb(),
        "peak_worker_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                                    / 1024),
        "heavy": sorted(m for m in HEAVY_MODULES if m in sys.modules),
    }


def peak_rss_mb() -> int:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


if __name__ == "__main__":  # the child processes timed_child starts
    mode, *rest = sys.argv[1:]
    if mode != "run":
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(child_run(Path(rest[0]), Path(rest[1]), int(rest[2]))))
