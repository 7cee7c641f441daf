"""Executors: local and Dask give the same outputs; a no-op run loads no heavy library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.benchmark import goals, import_seconds
from pipeline.cli import cli
from pipeline.config import load_config
from pipeline.executors import LocalExecutor, make_executor, run_in_process
from pipeline.runner import run_pipeline

ROOT = Path(__file__).resolve().parents[1]


def square(number: int) -> int:
    if number == 3:
        raise ValueError("three")
    return number * number


def test_local_executor_keeps_order_and_returns_failures():
    for executor in (LocalExecutor(2), LocalExecutor(1)):
        outcomes = list(executor.map(square, list(range(6))))
        assert outcomes[:3] + outcomes[4:] == [0, 1, 4, 16, 25]
        assert isinstance(outcomes[3], ValueError)
    assert list(run_in_process(square, [2])) == [4]
    with pytest.raises(ValueError):
        make_executor("local", scheduler="tcp://somewhere:8786")


def test_dask_run_gives_byte_identical_outputs(sample_run, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    corpus, local_out, _ = sample_run
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        report = run_pipeline(tmp_path / "dask", load_config(corpus=corpus), corpus=corpus,
                              executor="dask", scheduler=cluster.scheduler_address)
    assert not report.failed
    for name in ("docs.jsonl", "units.jsonl", "links.jsonl"):
        assert (tmp_path / "dask" / name).read_bytes() == (local_out / name).read_bytes(), name


NOOP_CHILD = """
import json, sys
from pathlib import Path
from pipeline.config import load_config
from pipeline.runner import run_pipeline
corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
report = run_pipeline(out, load_config(corpus=corpus), corpus=corpus)
print(json.dumps({"processed": [r.processed for r in report.results],
                  "loaded": [m for m in ("spacy", "sklearn", "gensim", "dask")
                             if m in sys.modules]}))
"""


def test_a_noop_run_imports_no_spacy_sklearn_or_gensim(sample_run):
    corpus, out, _ = sample_run
    run_pipeline(out, load_config(corpus=corpus), corpus=corpus)  # complete, whatever ran before
    child = subprocess.run([sys.executable, "-c", NOOP_CHILD, str(corpus), str(out)],
                           capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(child.stdout.splitlines()[-1])
    assert result["processed"] == [0] * 7
    assert result["loaded"] == []


def test_bench_command_and_figures():
    assert "raw jieba" in CliRunner().invoke(cli, ["bench", "--help"]).output
    assert "--scheduler" in CliRunner().invoke(cli, ["run", "--help"]).output
    refused = CliRunner().invoke(cli, ["run", str(ROOT / "corpus"), "--scheduler", "tcp://x:1"])
    assert refused.exit_code == 2 and "--executor dask" in refused.output
    assert import_seconds("import time: 1500 | 1500 | json\nimport time: 500 | 2000 | x\n") \
        == 0.002
    run = {"wall_seconds": 100.0, "vs_jieba": 0.6, "peak_rss_mb": 900, "import_seconds": 0.4,
           "peak_worker_rss_mb": 300, "heavy_modules": [],
           "per_document_stages": {"vs_jieba": 1.6}, "stages": {"segment": {"vs_jieba": 1.7}}}
    figures = {"full_run": run, "noop_run": {**run, "wall_seconds": 3.0},
               "add_one_run": {**run, "wall_seconds": 8.0}}
    assert all(goal["met"] for goal in goals(figures).values())


def _scaled(item: int) -> int:
    from pipeline.executors import inherited

    factor = inherited()
    if item < 0:
        raise ValueError("negative")
    return item * factor


@pytest.mark.parametrize("workers", [1, 2])
def test_map_forked_workers_read_the_inherited_state_and_failures_come_back(workers):
    from pipeline.executors import inherited, map_forked

    outcomes = map_forked(_scaled, [1, 2, -1, 3], workers, 10)
    assert outcomes[:2] == [10, 20] and outcomes[3] == 30
    assert isinstance(outcomes[2], ValueError)
    with pytest.raises(RuntimeError):  # outside a map the state is gone
        inherited()


@pytest.mark.parametrize("enabled, item, expected", [
    (True, 4, 40), (False, 4, 40), (True, -1, ValueError), (False, -1, ValueError),
])
def test_a_call_forked_beside_the_caller_returns_or_raises_when_waited_for(enabled, item,
                                                                         expected):
    from pipeline.executors import forked_beside, inherited

    with forked_beside(_scaled, item, 10, enabled=enabled) as wait:
        with pytest.raises(RuntimeError):  # the caller goes on without the worker's state
            inherited()
        if expected is ValueError:
            with pytest.raises(ValueError, match="negative"):
                wait()
        else:
            assert wait() == expected
    with pytest.raises(RuntimeError):
        inherited()


def test_a_stage_forks_locally_only_without_a_dask_cluster():
    from pipeline.executors import LocalExecutor
    from pipeline.stages import STAGES, StageContext

    class Remote:
        kind, workers = "dask", 8

    def context(executor, jobs):
        return StageContext(store=None, config=None, stage=STAGES[0], jobs=jobs,
                            executor=executor)

    assert context(None, 2).local_workers == 2
    assert context(LocalExecutor(4), 2).local_workers == 2
    assert context(Remote(), 2).local_workers == 1


@pytest.mark.parametrize("fails", [False, True])
def test_a_corpus_level_stage_collects_less_and_restores_the_collector(fails):
    import gc

    from pipeline.stages import GC_YOUNG_THRESHOLD, StageResult, collecting_less

    before = gc.get_threshold()
    seen = []

    @collecting_less
    def run(ctx):
        """A stage."""
        seen.append(gc.get_threshold())
        if fails:
            raise RuntimeError("stage failed")
        return StageResult("x", processed=ctx)

    if fails:
        with pytest.raises(RuntimeError):
            run(3)
    else:
        assert run(3).processed == 3
    assert seen == [(GC_YOUNG_THRESHOLD, *before[1:])]
    assert gc.get_threshold() == before
    assert run.__doc__ == "A stage." and run.__name__ == "run"


def _grow_and_report(size: int) -> tuple[int, int]:
    """Allocate in the child; report its pid and the size."""
    import os

    block = bytearray(size)
    return os.getpid(), len(block)


def _fail(message: str) -> None:
    raise ValueError(message)


def _die(code: int) -> None:
    import os

    os._exit(code)


def test_a_call_in_a_child_returns_raises_or_says_how_it_ended():
    import os

    from pipeline.workers import ChildDied, call_in_child

    pid, size = call_in_child(_grow_and_report, 1 << 20)
    assert pid != os.getpid() and size == 1 << 20
    with pytest.raises(ValueError, match="bad input"):
        call_in_child(_fail, "bad input")
    with pytest.raises(ChildDied, match="exited with status 3 without a result"):
        call_in_child(_die, 3)
