"""The vectorized engine: campaign totals of every strategy, chunk by chunk (MODEL.md §3).

Per creator j of campaign c: audience A = F (1 - phi), engagements E = d k A ER, reach
R = d k A RR, conversions C = base CR S_c (base = E, R or d A). Per campaign: revenue
AOV sum C, gross profit margin * revenue, cost sum(fee k paid + overhead) + fixed cost, and
the ratios ROI, ROAS, CPM, CPE, CPA. Chunks are independent, so they run in any order or on
any number of processes and give the same numbers.
"""

from __future__ import annotations

import math
import mmap
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd

from campaign_sim.engine.draws import ChunkDraws, Layout, draw_chunk
from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.random.streams import BLOCK, block_ranges
from campaign_sim.scenario.loading import Scenario

__all__ = [
    "METRICS",
    "Outcomes",
    "campaign_frame",
    "chunk_outcomes",
    "iter_chunks",
    "money_metrics",
    "scenario_sampling",
    "simulate",
]

#: Per-campaign outcomes, with their units.
METRICS: dict[str, str] = {
    "roi": "fraction: (gross profit - cost) / cost",
    "roas": "revenue / cost",
    "profit": "currency: gross profit - cost",
    "revenue": "currency",
    "gross_profit": "currency",
    "cost": "currency",
    "conversions": "orders",
    "engagements": "engagements",
    "reach": "people reached, summed over deliverables",
    "cpm": "currency per 1,000 reached",
    "cpe": "currency per engagement",
    "cpa": "currency per order",
    "creators": "creators hired",
    "delivered": "creators who delivered",
}

DEFAULT_CHUNK = 16 * BLOCK


@dataclass(frozen=True)
class Outcomes:
    """Per-campaign outcomes of every strategy: ``values[strategy][metric]``, shape (campaigns,)."""

    strategies: tuple[str, ...]
    values: dict[str, dict[str, np.ndarray]]
    campaigns: int
    seed: int
    sampling: Sampling = RANDOM

    def frame(self) -> pd.DataFrame:
        """Tidy table: one row per campaign and strategy, one column per metric."""
        return campaign_frame(self.strategies, self.values, self.campaigns)


def campaign_frame(
    strategies: tuple[str, ...], values: dict[str, dict[str, np.ndarray]], campaigns: int
) -> pd.DataFrame:
    """``values[strategy][metric]`` (shape (campaigns,)) as a tidy table: a row per campaign
    and strategy, a column per metric."""
    parts = []
    for name in strategies:
        part = pd.DataFrame(values[name])
        part.insert(0, "strategy", name)
        part.insert(0, "campaign", np.arange(campaigns))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def chunk_outcomes(scenario: Scenario, draws: ChunkDraws) -> dict[str, dict[str, np.ndarray]]:
    """Campaign totals of every strategy for one chunk of draws."""
    n = draws.campaigns
    per_pool = {name: _creator_terms(scenario, pool) for name, pool in draws.pools.items()}
    totals: dict[str, dict[str, np.ndarray]] = {
        s.name: {key: np.zeros(n) for key in ("E", "R", "C", "cost", "creators", "delivered")}
        for s in scenario.strategies
    }
    for group in draws.groups:
        terms = per_pool[group.slots.group.pool]
        k = group.slots.group.deliverables
        acc = totals[group.slots.strategy]
        for key, scale in (
            ("E", k),
            ("R", k),
            ("C", 1 if scenario.conversion_base == "followers" else k),
            ("fee", k),
            ("overhead", 1),
            ("creators", 1),
            ("delivered", 1),
        ):
            rows = terms[key][group.rows]
            summed = (
                rows.sum(axis=0)
                if group.hired is None
                else np.einsum("ij,ij->j", rows, group.hired)
            )
            if key in ("fee", "overhead"):
                acc["cost"] += scale * summed
            else:
                acc[key] += scale * summed
    out = {}
    for name, acc in totals.items():
        conversions = acc["C"] * draws.campaign.shock
        revenue = draws.campaign.aov * conversions
        cost = acc["cost"] + scenario.fixed_cost
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = {
                **money_metrics(revenue, scenario.gross_margin, cost),
                "conversions": conversions,
                "engagements": acc["E"],
                "reach": acc["R"],
                "cpm": 1000 * cost / acc["R"],
                "cpe": cost / acc["E"],
                "cpa": cost / conversions,
                "creators": acc["creators"],
                "delivered": acc["delivered"],
            }
    return out


def money_metrics(revenue: np.ndarray, margin: float, cost: np.ndarray) -> dict[str, np.ndarray]:
    """ROI, ROAS, profit, revenue, gross profit and cost of campaigns (currency; ROI a
    fraction); a zero cost gives infinite or undefined ratios."""
    gross_profit = margin * revenue
    profit = gross_profit - cost
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "roi": profit / cost,
            "roas": revenue / cost,
            "profit": profit,
            "revenue": revenue,
            "gross_profit": gross_profit,
            "cost": cost,
        }


def _creator_terms(scenario: Scenario, pool) -> dict[str, np.ndarray]:
    """Per-creator terms for one deliverable, shape (rows, campaigns)."""
    delivered = pool.delivered
    reached_audience = pool.audience * delivered
    engagements = reached_audience * pool.engagement_rate
    reach = reached_audience * pool.reach_rate
    base = {"engagements": engagements, "reach": reach, "followers": reached_audience}[
        scenario.conversion_base
    ]
    paid = delivered if scenario.fees_on_delivery else 1.0
    return {
        "E": engagements,
        "R": reach,
        "C": base * pool.conversion_rate,
        "fee": pool.fee * paid,
        "overhead": pool.overhead,
        "creators": np.ones_like(pool.fee),
        "delivered": delivered.astype(float),
    }


def _chunks(campaigns: int, chunk_size: int, start: int = 0) -> list[list[tuple[int, int, int]]]:
    per_chunk = max(1, chunk_size // BLOCK)
    blocks = list(block_ranges(campaigns, start))
    return [blocks[i : i + per_chunk] for i in range(0, len(blocks), per_chunk)]


def _run_chunk(
    scenario: Scenario,
    layout: Layout,
    seed: int,
    blocks: list[tuple[int, int, int]],
    sampling: Sampling = RANDOM,
) -> dict[str, dict[str, np.ndarray]]:
    return chunk_outcomes(scenario, draw_chunk(scenario, layout, seed, blocks, sampling=sampling))


def iter_chunks(
    scenario: Scenario,
    *,
    campaigns: int,
    seed: int,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    start: int = 0,
    sampling: Sampling = RANDOM,
) -> Iterator[tuple[int, int, dict[str, dict[str, np.ndarray]]]]:
    """Yield ``(first campaign, campaigns, outcomes)`` chunk by chunk, in campaign order.

    ``start`` (a multiple of the seed block) skips the campaigns before it: campaigns
    ``start .. campaigns - 1`` come out exactly as in a run from 0.
    """
    layout = Layout.of(scenario)
    chunks = _chunks(campaigns, chunk_size, start)
    if workers <= 1 or len(chunks) == 1:
        for blocks in chunks:
            yield (
                blocks[0][1],
                sum(b[2] for b in blocks),
                _run_chunk(scenario, layout, seed, blocks, sampling),
            )
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(_run_chunk, scenario, layout, seed, blocks, sampling) for blocks in chunks
        ]
        for blocks, future in zip(chunks, futures, strict=True):
            yield blocks[0][1], sum(b[2] for b in blocks), future.result()


def simulate(
    scenario: Scenario,
    *,
    campaigns: int | None = None,
    seed: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    sampling: Sampling | str | None = None,
) -> Outcomes:
    """Simulate ``campaigns`` campaigns of every strategy (defaults: the scenario's settings).

    ``sampling``: a :class:`~campaign_sim.random.sampling.Sampling` or a method name (random, lhs,
    sobol); None takes the scenario's ``simulation.sampling`` and ``simulation.antithetic``.

    Memory: one chunk of draws (~ chunk_size x creator slots x 8 bytes per quantity) plus the
    per-campaign outcomes kept for the statistics (14 metrics x 8 bytes per campaign and
    strategy). The numbers do not depend on ``chunk_size`` or ``workers``.
    """
    campaigns = scenario.campaigns if campaigns is None else campaigns
    seed = scenario.seed if seed is None else seed
    sampling = scenario_sampling(scenario) if sampling is None else Sampling.of(sampling)
    workers = min(workers, os.cpu_count() or 1) if workers > 0 else (os.cpu_count() or 1)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        values = _simulate_shared(
            scenario, campaigns, seed, chunk_size, workers, sampling, progress
        )
        return Outcomes(tuple(values), values, campaigns, seed, sampling)
    values = {s.name: {m: np.empty(campaigns) for m in METRICS} for s in scenario.strategies}
    for first, size, chunk in iter_chunks(
        scenario,
        campaigns=campaigns,
        seed=seed,
        chunk_size=chunk_size,
        workers=workers,
        sampling=sampling,
    ):
        for name, metrics in chunk.items():
            for metric, array in metrics.items():
                values[name][metric][first : first + size] = array
        if progress is not None:
            progress(size)
    return Outcomes(tuple(values), values, campaigns, seed, sampling)


#: What forked workers inherit: the outcome array they fill (strategies, metrics, campaigns)
#: and the run's fixed arguments, so that a task sends only its blocks.
_SHARED: np.ndarray | None = None
_RUN: tuple[Scenario, Layout, int, Sampling] | None = None


def _simulate_shared(
    scenario: Scenario,
    campaigns: int,
    seed: int,
    chunk_size: int,
    workers: int,
    sampling: Sampling,
    progress: Callable[[int], None] | None,
) -> dict[str, dict[str, np.ndarray]]:
    """Chunks on forked worker processes that write their outcomes straight into shared
    memory: sending them back through pipes would keep the parent busy on one of the cores."""
    global _SHARED, _RUN
    names = [s.name for s in scenario.strategies]
    shape = (len(names), len(METRICS), campaigns)
    buffer = mmap.mmap(-1, 8 * math.prod(shape))  # anonymous and shared with forked children
    _SHARED = np.frombuffer(buffer, dtype=float).reshape(shape)
    _RUN = (scenario, Layout.of(scenario), seed, sampling)
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [
                pool.submit(_fill_chunk, blocks) for blocks in _chunks(campaigns, chunk_size)
            ]
            for future in as_completed(futures):
                size = future.result()
                if progress is not None:
                    progress(size)
        shared = _SHARED
    finally:
        _SHARED = _RUN = None
    return {
        name: {metric: shared[i, j] for j, metric in enumerate(METRICS)}
        for i, name in enumerate(names)
    }


def _fill_chunk(blocks: list[tuple[int, int, int]]) -> int:
    """In a forked worker: simulate one chunk into the shared outcome array."""
    assert _SHARED is not None and _RUN is not None, "only in workers of _simulate_shared"
    first, size = blocks[0][1], sum(b[2] for b in blocks)
    chunk = _run_chunk(*_RUN[:3], blocks, _RUN[3])
    for i, name in enumerate(chunk):
        for j, metric in enumerate(METRICS):
            _SHARED[i, j, first : first + size] = chunk[name][metric]
    return size


def scenario_sampling(scenario: Scenario) -> Sampling:
    """The sampling a scenario asks for in ``simulation.sampling`` / ``simulation.antithetic``."""
    settings = scenario.model.simulation
    return Sampling(settings.sampling, settings.antithetic)
