"""The one chunk loop: settings checked once, seed blocks cut into chunks, a kernel run over
them on any executor, and its arrays gathered in campaign order.

Every simulating function (the vectorized engine, the timeline engine, runs to a precision,
sensitivity) builds a *kernel*: a picklable function from a :class:`Chunk` to a dict of arrays
whose leading axis is the chunk's campaigns. :func:`collect` runs it and returns each array for
all campaigns. A chunk's numbers depend only on its seed blocks, so the result is the same for
any chunk size and any executor (docs/architecture.md, "The random-number contract").
"""

from __future__ import annotations

import math
import mmap
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from campaign_sim.engine.executors import Executor, Processes, Serial, make_executor
from campaign_sim.engine.limits import check_run
from campaign_sim.errors import ArgumentError
from campaign_sim.random.sampling import Sampling
from campaign_sim.random.streams import BLOCK, block_ranges

__all__ = [
    "DEFAULT_CHUNK",
    "Chunk",
    "RunSettings",
    "chunks_of",
    "collect",
    "run_settings",
]

#: Campaigns per chunk by default: 16 seed blocks.
DEFAULT_CHUNK = 16 * BLOCK

Block = tuple[int, int, int]  # (block index, first campaign, campaigns in block)
Arrays = dict[Hashable, np.ndarray]
Kernel = Callable[["Chunk"], Arrays]


@dataclass(frozen=True)
class Chunk:
    """Consecutive seed blocks: campaigns ``first .. first + size - 1``."""

    blocks: tuple[Block, ...]

    @property
    def first(self) -> int:
        return self.blocks[0][1]

    @property
    def size(self) -> int:
        return sum(block[2] for block in self.blocks)

    @property
    def block_list(self) -> list[Block]:
        return list(self.blocks)


def chunks_of(campaigns: int, chunk_size: int, start: int = 0) -> list[Chunk]:
    """Campaigns ``start .. campaigns - 1`` (``start`` a multiple of :data:`BLOCK`) as chunks
    of whole seed blocks, at most ``chunk_size`` campaigns each (at least one block)."""
    per_chunk = max(1, chunk_size // BLOCK)
    blocks = list(block_ranges(campaigns, start))
    return [Chunk(tuple(blocks[i : i + per_chunk])) for i in range(0, len(blocks), per_chunk)]


@dataclass(frozen=True)
class RunSettings:
    """A run's checked settings: campaigns, seed, sampling, chunk size and executor."""

    campaigns: int
    seed: int
    sampling: Sampling
    chunk_size: int
    executor: Executor
    owned: bool = True  # the executor was made here (from a name): close it when done

    def __enter__(self) -> RunSettings:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.owned:
            self.executor.close()

    def collect(self, kernel: Kernel, *, progress: Callable[[int], None] | None = None) -> Arrays:
        """:func:`collect` of ``kernel`` over this run's campaigns, chunks and executor."""
        return collect(
            kernel,
            self.campaigns,
            chunk_size=self.chunk_size,
            executor=self.executor,
            progress=progress,
        )


def _whole(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ArgumentError.of(name, f"must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def run_settings(
    scenario: Any,
    *,
    campaigns: int | None = None,
    seed: int | None = None,
    sampling: Sampling | str | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    executor: Executor | str | None = None,
    scheduler: str | None = None,
    min_campaigns: int = 1,
    campaigns_name: str = "campaigns",
    usage: str = "outcomes",
    timeline: Any = None,
) -> RunSettings:
    """Check a simulating function's arguments (the API's edge) and fill in the scenario's
    defaults: ``campaigns`` and ``seed`` from ``simulation``, ``sampling`` from
    ``simulation.sampling`` / ``simulation.antithetic``. Bad values raise
    :class:`~campaign_sim.errors.ArgumentError` naming the argument (``campaigns_name`` for
    the campaigns). A run whose memory estimate passes the limit
    (:func:`~campaign_sim.engine.limits.check_run`; ``usage``: what it keeps per campaign,
    ``timeline``: the plan of a timeline run) raises :class:`~campaign_sim.errors.InputError`
    naming the key that sizes it, before any executor is made. Use it as a context manager:
    an executor it made is closed at the end; one the caller passed stays open."""
    settings = scenario.model.simulation
    if sampling is None:
        chosen = Sampling.of(settings.sampling, settings.antithetic)
    else:
        try:
            chosen = Sampling.of(sampling)
        except ValueError as exc:
            raise ArgumentError.of("sampling", str(exc)) from None
    count = _whole(
        campaigns_name, scenario.campaigns if campaigns is None else campaigns, min_campaigns
    )
    seed = _whole("seed", scenario.seed if seed is None else seed, 0)
    chunk_size = _whole("chunk_size", chunk_size, 1)
    check_run(
        scenario,
        campaigns=None if campaigns is None else count,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        usage=usage,
        timeline=timeline,
        campaigns_name=campaigns_name,
    )
    return RunSettings(
        campaigns=count,
        seed=seed,
        sampling=chosen,
        chunk_size=chunk_size,
        executor=make_executor(executor, workers=workers, scheduler=scheduler),
        owned=not isinstance(executor, Executor),
    )


def collect(
    kernel: Kernel,
    campaigns: int,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    executor: Executor | None = None,
    start: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Arrays:
    """Run ``kernel`` over campaigns ``start .. campaigns - 1``; every array it returns, for
    all those campaigns in order (leading axis ``campaigns - start``).

    The first chunk runs here and fixes the arrays' shapes; the rest go to ``executor``.
    Forked worker processes write straight into shared memory (sending arrays back through
    pipes would keep this process busy on one of the cores); other executors send them back.
    ``progress(campaigns)`` is called as each chunk finishes.
    """
    executor = executor or Serial()
    chunks = chunks_of(campaigns, chunk_size, start)
    if not chunks:
        return {}
    first = kernel(chunks[0])
    shared = isinstance(executor, Processes) and executor.forks and len(chunks) > 1
    out = _allocate(first, campaigns - start, shared)
    _place(out, chunks[0], first, start)
    if progress is not None:
        progress(chunks[0].size)
    rest = chunks[1:]
    if not rest:
        return out
    if shared:
        assert isinstance(executor, Processes)
        _fill_shared(executor, kernel, rest, out, start, progress)
    else:
        for chunk, arrays in executor.map(kernel, rest):
            _place(out, chunk, arrays, start)
            if progress is not None:
                progress(chunk.size)
    return out


def _allocate(first: Arrays, campaigns: int, shared: bool) -> Arrays:
    out: Arrays = {}
    for key, array in first.items():
        shape = (campaigns, *array.shape[1:])
        if shared:  # anonymous memory, shared with the forked children
            buffer = mmap.mmap(-1, max(1, array.dtype.itemsize * math.prod(shape)))
            out[key] = np.frombuffer(buffer, dtype=array.dtype, count=math.prod(shape)).reshape(
                shape
            )
        else:
            out[key] = np.empty(shape, dtype=array.dtype)
    return out


def _place(out: Arrays, chunk: Chunk, arrays: Arrays, start: int) -> None:
    low = chunk.first - start
    for key, array in arrays.items():
        out[key][low : low + chunk.size] = array


#: What forked workers inherit: the kernel, the output arrays and the first campaign.
_FORKED: tuple[Kernel, Arrays, int] | None = None


def _fill_shared(
    executor: Processes,
    kernel: Kernel,
    chunks: list[Chunk],
    out: Arrays,
    start: int,
    progress: Callable[[int], None] | None,
) -> None:
    global _FORKED
    _FORKED = (kernel, out, start)
    try:
        for _chunk, size in executor.map(_fill_chunk, chunks):
            if progress is not None:
                progress(size)
    finally:
        _FORKED = None


def _fill_chunk(chunk: Chunk) -> int:
    """In a forked worker: run the kernel on one chunk into the shared arrays."""
    if _FORKED is None:
        raise RuntimeError("_fill_chunk runs only in workers forked by collect()")
    kernel, out, start = _FORKED
    _place(out, chunk, kernel(chunk), start)
    return chunk.size
