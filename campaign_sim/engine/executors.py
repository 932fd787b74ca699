"""Where work runs: in this process, on local worker processes, or on a Dask cluster.

An executor maps a picklable function over items (chunks of campaigns, sweep points) and yields
``(item, result)`` as results finish. Results never depend on the executor: every item carries
its own seed blocks, so the callers place them by index.

``workers`` means the same everywhere: how many items run at once (0 = every core).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, TypeVar

from campaign_sim.errors import ArgumentError

__all__ = [
    "EXECUTORS",
    "Dask",
    "Executor",
    "Processes",
    "Serial",
    "check_workers",
    "make_executor",
]

T = TypeVar("T")
R = TypeVar("R")

EXECUTORS = ("serial", "processes", "dask")


def check_workers(workers: Any) -> int:
    """``workers`` as a count of processes: 0 means every core."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ArgumentError.of(
            "workers", f"must be a whole number >= 0 (0: every core), got {workers!r}"
        )
    cores = os.cpu_count() or 1
    return cores if workers == 0 else workers


class Executor:
    """Runs a function over items; yields ``(item, result)`` in completion order."""

    name = "serial"
    workers = 1

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R]]:
        for item in items:
            yield item, function(item)

    @property
    def label(self) -> str:
        """What the manifest records: ``serial``, ``processes (2 workers)``, ``dask (...)``."""
        return self.name

    def close(self) -> None:
        """Release what the executor holds (a Dask client and cluster)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Serial(Executor):
    """Everything in this process, in order."""


class Processes(Executor):
    """Local worker processes (forked where the platform can, so they inherit the run)."""

    name = "processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers

    @property
    def label(self) -> str:
        return f"processes ({self.workers} workers)"

    @property
    def forks(self) -> bool:
        """True when workers are forked: they then see module state set before the pool."""
        return "fork" in multiprocessing.get_all_start_methods()

    def pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("fork") if self.forks else None
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R]]:
        with self.pool() as pool:
            futures = {pool.submit(function, item): item for item in items}
            for future in as_completed(futures):
                yield futures[future], future.result()


class Dask(Executor):
    """A Dask cluster: an existing one at ``scheduler`` (``tcp://host:port``) or a local one of
    ``workers`` single-threaded processes, started on first use. The scheduler reruns the items
    of a worker that dies (up to its ``allowed-failures``, 3 by default)."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        self.workers = workers or 0
        self.scheduler = scheduler
        self._client: Any = None
        self._stack: Any = None

    @property
    def label(self) -> str:
        if self.scheduler is not None:
            return f"dask ({self.scheduler})"
        return f"dask (local cluster, {self.workers} workers)"

    @property
    def client(self) -> Any:
        """The ``dask.distributed.Client``, connecting (or starting the cluster) on first use."""
        if self._client is None:
            import contextlib

            self._stack = contextlib.ExitStack()
            self._client = self._stack.enter_context(dask_client(self.workers, self.scheduler))
        return self._client

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R]]:
        from distributed import as_completed as dask_completed

        futures = {self.client.submit(function, item, pure=False): item for item in items}
        for future in dask_completed(futures):
            yield futures[future], future.result()
            future.release()

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()
        self._client = self._stack = None


def make_executor(
    executor: Executor | str | None = None, *, workers: int = 1, scheduler: str | None = None
) -> Executor:
    """An executor from the options every simulating command takes.

    ``executor``: serial, processes or dask; None picks serial for one worker, processes for
    more, and dask when a ``scheduler`` address is given. ``workers``: 0 = every core.
    """
    if isinstance(executor, Executor):
        return executor
    count = check_workers(workers)
    if executor is None:
        executor = "dask" if scheduler is not None else ("serial" if count == 1 else "processes")
    if executor not in EXECUTORS:
        raise ArgumentError.of("executor", f"'{executor}' is not one of {', '.join(EXECUTORS)}")
    if scheduler is not None and executor != "dask":
        raise ArgumentError.of("scheduler", f"needs the dask executor, not {executor}")
    if executor == "dask":
        _need_dask()
        return Dask(count, scheduler)
    if executor == "processes":
        return Processes(min(count, os.cpu_count() or 1))
    return Serial()


def _need_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ArgumentError.of(
            "executor",
            "dask needs the 'dask' extra: pip install 'campaign-sim[dask]'",
        ) from None


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client on the cluster at ``scheduler``, or on a new local cluster of ``workers``
    single-threaded worker processes."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    # Dask's nannies set MALLOC_TRIM_THRESHOLD_ in their workers, which turns off glibc's
    # adaptive mmap threshold: every large array is then a fresh mmap with page faults, and a
    # chunk costs about twice the CPU time. Leave glibc's default (docs/sweeps.md says how to do
    # the same on a remote cluster).
    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}),
        LocalCluster(
            n_workers=workers or None,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never clashes with another cluster
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
