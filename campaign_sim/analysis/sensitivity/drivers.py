"""Every uncertain input of every campaign, beside its outcomes: what the ranking reads."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np

from campaign_sim.engine.draws import ChunkDraws, GroupDraws, Layout, PoolDraws, draw_chunk
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.runner import DEFAULT_CHUNK, Chunk, run_settings
from campaign_sim.engine.vectorized import METRICS, chunk_outcomes
from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.scenario.plan import GroupPlan, Scenario

__all__ = ["Driver", "Drivers", "collect_drivers", "drivers_kernel", "group_label"]


@dataclass(frozen=True)
class Driver:
    """One uncertain input of a strategy, per campaign."""

    input: str  # human label, unique within a strategy
    group: str  # "campaign" or the group's label
    quantity: str  # aov, shock, followers, engagement_rate, ..., creators, delivered
    aggregate: str  # value, total, mean of hired creators, share of hired creators


@dataclass(frozen=True)
class Drivers:
    """Per strategy, every input and output per campaign (campaign order)."""

    strategies: tuple[str, ...]
    drivers: dict[str, tuple[Driver, ...]]
    inputs: dict[str, np.ndarray]  # strategy -> (campaigns, inputs)
    outputs: dict[str, dict[str, np.ndarray]]  # strategy -> metric -> (campaigns,)
    campaigns: int
    seed: int
    sampling: Sampling


def group_label(group: GroupPlan, index: int) -> str:
    """``nano/instagram #2 (20 creators)``: the group's pool, position and size."""
    if group.count is not None:
        size = f"{group.count} creator" + ("s" if group.count != 1 else "")
    else:
        size = f"budget {group.budget:,.0f}"
    return f"{group.pool} #{index + 1} ({size})"


def _group_inputs(pool: PoolDraws, group: GroupDraws) -> Iterator[tuple[str, str, np.ndarray]]:
    """(quantity, aggregate, values per campaign) of one group's hired creators."""
    rows = group.rows
    n = pool.fee.shape[1]
    hired = (
        np.ones((rows.stop - rows.start, n)) if group.hired is None else group.hired.astype(float)
    )
    count = hired.sum(axis=0)
    k = group.slots.group.deliverables

    def total(a: np.ndarray) -> np.ndarray:
        return np.einsum("ij,ij->j", a[rows], hired)

    def mean(a: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return total(a) / count

    if group.hired is not None:
        yield "creators", "total", count
    yield "followers", "total real audience", total(pool.audience)
    yield "engagement_rate", "mean of hired creators", mean(pool.engagement_rate)
    yield "reach_rate", "mean of hired creators", mean(pool.reach_rate)
    yield "conversion_rate", "mean of hired creators", mean(pool.conversion_rate)
    yield "fee", "total", k * total(pool.fee)
    if not group.slots.group.dist("overhead").is_fixed:  # else it is creators x a constant
        yield "overhead", "total", total(pool.overhead)
    yield "delivered", "share of hired creators", mean(pool.delivered.astype(float))


def _chunk_drivers(
    scenario: Scenario, draws: ChunkDraws
) -> dict[str, tuple[list[Driver], list[np.ndarray]]]:
    out: dict[str, tuple[list[Driver], list[np.ndarray]]] = {}
    for strategy in scenario.strategies:
        found = [Driver("order value (AOV)", "campaign", "aov", "value")]
        values = [draws.campaign.aov]
        if scenario.shock_sigma > 0:
            found.append(Driver("shock (product appeal)", "campaign", "shock", "value"))
            values.append(draws.campaign.shock)
        for group in draws.groups:
            if group.slots.strategy != strategy.name:
                continue
            label = group_label(group.slots.group, group.slots.index)
            pool = draws.pools[group.slots.group.pool]
            for quantity, aggregate, array in _group_inputs(pool, group):
                name = f"{label}: {quantity.replace('_', ' ')} ({aggregate})"
                found.append(Driver(name, label, quantity, aggregate))
                values.append(array)
        out[strategy.name] = (found, values)
    return out


def drivers_kernel(
    scenario: Scenario, layout: Layout, seed: int, sampling: Sampling, chunk: Chunk
) -> dict[Hashable, np.ndarray]:
    """The runner's kernel: per strategy its inputs (campaigns, inputs) and its outcomes."""
    draws = draw_chunk(scenario, layout, seed, chunk.block_list, sampling=sampling)
    out: dict[Hashable, np.ndarray] = {}
    for name, (_found, values) in _chunk_drivers(scenario, draws).items():
        out[name, "inputs"] = np.column_stack(values)
    for name, metrics in chunk_outcomes(scenario, draws).items():
        out.update({(name, metric): array for metric, array in metrics.items()})
    return out


def collect_drivers(
    scenario: Scenario,
    *,
    campaigns: int | None = None,
    seed: int | None = None,
    sampling: Sampling | str | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    executor: Executor | str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Drivers:
    """Simulate and keep, per campaign, every strategy's inputs and outcomes.

    The outcomes are exactly those of :func:`campaign_sim.engine.vectorized.simulate` with the
    same seed, for any chunk size and executor.
    """
    with run_settings(
        scenario,
        campaigns=campaigns,
        seed=seed,
        sampling=sampling,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        usage="drivers",
    ) as run:
        layout = Layout.of(scenario)
        kernel = partial(drivers_kernel, scenario, layout, run.seed, run.sampling)
        arrays = run.collect(kernel, progress=progress)
        names = tuple(s.name for s in scenario.strategies)
        first = draw_chunk(scenario, layout, run.seed, [(0, 0, 1)], sampling=RANDOM)
        drivers = {
            name: tuple(found) for name, (found, _) in _chunk_drivers(scenario, first).items()
        }
        return Drivers(
            names,
            drivers,
            {n: arrays[n, "inputs"] for n in names},
            {n: {m: arrays[n, m] for m in METRICS} for n in names},
            run.campaigns,
            run.seed,
            run.sampling,
        )
