"""Where per-document work runs: forked processes on this machine, or a Dask cluster.

A stage hands an executor a picklable module-level function and a list of items; the
executor yields one outcome per item, in the items' order, whatever order the workers
finish in, so a run gives byte-identical results on either. An item whose worker raised
(or died) yields the exception instead of a result: the caller decides what one failed
item costs. At most ``window`` items are in flight, so memory holds a bounded number of
pending inputs and finished results, not the whole corpus twice.

``local`` (the default) forks worker processes after the caller has loaded what workers
need (the segmenter's dictionaries), so they inherit it instead of loading it again.
``dask`` submits the same functions to a ``dask.distributed`` scheduler (``--scheduler
tcp://host:8786``; without an address, a LocalCluster of ``jobs`` processes on this
machine): workers need diaoyan installed and the corpus at the same path. dask is
imported only when a Dask executor maps something, so runs that do no per-document work
never import it.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_all_start_methods, get_context
from typing import Any, Protocol, TypeVar

from pipeline.workers import die_with_parent

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
EXECUTOR_KINDS = ("local", "dask")
WINDOW_PER_WORKER = 4  # items in flight per worker: keeps every core busy, memory bounded


class Executor(Protocol):
    """Maps a picklable function over items, in order, on some workers."""

    kind: str
    workers: int

    def map(self, function: Callable[[Item], Result], items: Sequence[Item],
            ) -> Iterator[Result | BaseException]:
        """One outcome per item, in order: the result, or the exception its worker raised."""
        ...

    def close(self) -> None:
        """Release workers and connections."""
        ...


def run_in_process(function: Callable[[Item], Result],
                   items: Sequence[Item]) -> Iterator[Result | BaseException]:
    """The executors' contract without workers: each item here, failures yielded."""
    for item in items:
        try:
            yield function(item)
        except Exception as exc:
            yield exc


class LocalExecutor:
    """Forked worker processes on this machine (in-process with one job or one item)."""

    kind = "local"

    def __init__(self, jobs: int | None = None):
        self.workers = max(1, jobs or os.cpu_count() or 1)
        if "fork" not in get_all_start_methods():
            log.warning("no 'fork' start method on this platform; working in-process")
            self.workers = 1

    def map(self, function: Callable[[Item], Result], items: Sequence[Item],
            ) -> Iterator[Result | BaseException]:
        """Fork a pool for this call (so workers inherit what the caller loaded) and map."""
        if self.workers <= 1 or len(items) <= 1:
            yield from run_in_process(function, items)
            return
        workers = min(self.workers, len(items))
        with ProcessPoolExecutor(workers, mp_context=get_context("fork"),
                                 initializer=die_with_parent) as pool:
            yield from _windowed(pool.submit, function, items, workers * WINDOW_PER_WORKER,
                                 _local_result)

    def close(self) -> None:
        """Nothing held between calls."""


# What forked workers of ``map_forked`` inherit. Set only while they run.
_INHERITED: Any = None


def map_forked(function: Callable[[Item], Result], items: Sequence[Item], workers: int,
               inherited: Any) -> list[Result | BaseException]:
    """``LocalExecutor(workers).map`` whose workers inherit ``inherited`` by fork (read it
    with :func:`inherited`) instead of having it pickled to them; in-process with one
    worker. For corpus-level work whose items share large state (units, a corpus, a model).
    """
    global _INHERITED
    _INHERITED = inherited
    try:
        return list(LocalExecutor(workers).map(function, items))
    finally:
        _INHERITED = None


@contextmanager
def forked_beside(function: Callable[[Item], Result], item: Item, inherited: Any,
                  enabled: bool = True) -> Iterator[Callable[[], Result]]:
    """Start ``function(item)`` in one forked process that inherits ``inherited`` (read it
    with :func:`inherited`) and let the caller go on meanwhile; yields ``wait``, which
    returns the result or raises what the call raised. Without ``enabled`` (or fork) the
    call runs in-process when waited for. Leaving the block waits for the process."""
    global _INHERITED
    if not enabled or "fork" not in get_all_start_methods():
        yield lambda: _call_inheriting(function, item, inherited)
        return
    _INHERITED = inherited
    try:
        pool = ProcessPoolExecutor(1, mp_context=get_context("fork"), initializer=die_with_parent)
        future = pool.submit(function, item)  # forks here: the worker keeps its copy
    finally:
        _INHERITED = None
    try:
        yield future.result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _call_inheriting(function: Callable[[Item], Result], item: Item, state: Any) -> Result:
    global _INHERITED
    _INHERITED = state
    try:
        return function(item)
    finally:
        _INHERITED = None


def inherited() -> Any:
    """In a ``map_forked`` worker (or its in-process stand-in): the state it inherited."""
    if _INHERITED is None:
        raise RuntimeError("worker started outside map_forked")
    return _INHERITED


def _local_result(future: Future) -> Any:
    return future.result()


class DaskExecutor:
    """A ``dask.distributed`` cluster: an existing scheduler, or a LocalCluster started here."""

    kind = "dask"

    def __init__(self, scheduler: str | None = None, jobs: int | None = None,
                 client: Any = None):
        self.scheduler = scheduler
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self._client = client  # a caller's (e.g. a test's) client; not closed by us
        self._owned: list[Any] = []  # what we started: closed by close()

    @property
    def client(self) -> Any:
        """The connected client, made on first use (imports dask only then)."""
        if self._client is None:
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError as exc:
                raise RuntimeError("the dask executor needs dask.distributed: "
                                   "pip install 'diaoyan[dask]'") from exc
            if self.scheduler:
                self._client = Client(self.scheduler)
            else:
                cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
                self._owned.append(cluster)
                self._client = Client(cluster)
            self._owned.insert(0, self._client)
        return self._client

    @property
    def workers(self) -> int:
        """Worker threads the cluster has now (what a caller may split its work into)."""
        info = self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def map(self, function: Callable[[Item], Result], items: Sequence[Item],
            ) -> Iterator[Result | BaseException]:
        """Submit items to the cluster (a bounded window at a time) and yield in order."""
        client = self.client
        window = max(2, self.workers * WINDOW_PER_WORKER)

        def submit(fn: Callable[[Item], Result], item: Item) -> Any:
            return client.submit(fn, item, pure=False)

        yield from _windowed(submit, function, items, window, _dask_result)

    def close(self) -> None:
        """Close the client and any cluster this executor started."""
        for resource in self._owned:
            resource.close()
        self._owned.clear()
        self._client = None


def _dask_result(future: Any) -> Any:
    return future.result()


def _windowed(submit: Callable[..., Any], function: Callable[[Item], Result],
              items: Sequence[Item], window: int,
              result_of: Callable[[Any], Result]) -> Iterator[Result | BaseException]:
    """Keep ``window`` items submitted; yield their outcomes in submission order."""
    pending: deque = deque()
    position = 0
    while position < len(items) or pending:
        while position < len(items) and len(pending) < window:
            pending.append(submit(function, items[position]))
            position += 1
        future = pending.popleft()
        try:
            yield result_of(future)
        except Exception as exc:  # the item failed, or its worker died
            yield exc


def make_executor(kind: str = "local", scheduler: str | None = None,
                  jobs: int | None = None) -> Executor:
    """The executor a run asked for (``--executor``, ``--scheduler``, ``--jobs``)."""
    if kind == "local":
        if scheduler:
            raise ValueError("--scheduler needs --executor dask")
        return LocalExecutor(jobs)
    if kind == "dask":
        return DaskExecutor(scheduler, jobs)
    raise ValueError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTOR_KINDS)}")
