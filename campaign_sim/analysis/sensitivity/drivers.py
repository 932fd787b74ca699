"""Every uncertain input of every campaign, beside its outcomes: what the ranking reads.

The inputs of a strategy: the order value and the shock; each pool's campaign-level draws
(its **level** of a quantity, the pool's mean creator, or its **shared factor**, e.g. the fee
market; MODEL.md §8); and per group aggregates of its hired creators' **own draws**. For a
quantity with a pool draw, the own draws are the creators' values with the pool's draw held at
its median (what is left of them once the level or shared factor is taken out), so that the
ranking credits the pool's draw and the creators' luck apart instead of twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import special

from campaign_sim.analysis.sensitivity.funnel import funnel_inputs
from campaign_sim.engine.draws import ChunkDraws, GroupDraws, Layout, PoolDraws, draw_chunk
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.runner import DEFAULT_CHUNK, Chunk, run_settings
from campaign_sim.engine.vectorized import chunk_outcomes
from campaign_sim.random.levels import LOGIT_SCALE, level_centre, normal_scores
from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.scenario.plan import GroupPlan, Prior, Scenario

__all__ = ["Driver", "Drivers", "collect_drivers", "drivers_kernel", "group_label"]


@dataclass(frozen=True)
class Driver:
    """One uncertain input of a strategy, per campaign."""

    input: str  # human label, unique within a strategy
    group: str  # "campaign", a pool ("nano/instagram") or a group's label
    quantity: str  # aov, shock, followers, engagement_rate, ..., creators, delivered
    # value, pool level, shared factor (a pool's draws); total, total real audience, mean of
    # own draws, total of own draws, share of hired creators (a group's creators)
    aggregate: str


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
    """``nano/instagram #2 (20 creators)``: the group's pool, position and size; a named
    creator's handle and pool, ``nano/instagram @beanlab``."""
    if group.creator is not None:
        return f"{group.pool} @{group.creator.handle}"
    if group.count is not None:
        size = f"{group.count} creator" + ("s" if group.count != 1 else "")
    else:
        size = f"budget {group.budget:,.0f}"
    return f"{group.pool} #{index + 1} ({size})"


def own_draws(prior: Prior, values: np.ndarray, pool: PoolDraws) -> np.ndarray:
    """Creators' ``values`` (rows, campaigns) with their pool's draw of ``prior``'s quantity
    held at its median: ``g^-1(centre(L_median) + g(x) - centre(L_c))`` around a level (the
    creator's own ``tau eta``), ``F^-1(Phi(z - sqrt(rho) Z_c))`` with a shared factor (the
    creator's own part of its normal score ``z``). Unchanged without a pool draw."""
    level = pool.levels.get(prior.quantity)
    if level is None or prior.dist.is_fixed:
        return values
    if prior.describes == "level":
        tau, scale = prior.creator_spread, prior.scale
        g, g_inv = (special.logit, special.expit) if scale == LOGIT_SCALE else (np.log, np.exp)
        median = level_centre(np.array([prior.dist.median()]), tau, scale, prior.level_is)
        with np.errstate(divide="ignore", invalid="ignore"):
            centre = level_centre(level.value, tau, scale, prior.level_is)
            return g_inv(median + g(values) - centre)
    p, rho = prior.persistent, prior.shared
    common = math.sqrt(p) * level.persistent + math.sqrt(1 - p) * level.campaign
    scores = normal_scores(np.clip(prior.dist.cdf(values), 0.0, 1.0 - 2.0**-53))
    return prior.dist.score_sampler()(scores - math.sqrt(rho) * common)


def _pool_inputs(
    pool: PoolDraws, priors: dict[str, Prior]
) -> Iterator[tuple[str, str, np.ndarray]]:
    """(quantity, aggregate, values per campaign) of a pool's levels and shared factors."""
    for quantity, level in pool.levels.items():
        kind = "pool level" if priors[quantity].describes == "level" else "shared factor"
        yield quantity, kind, level.value


def _pool_of(draws: ChunkDraws, pool: str) -> PoolDraws:
    """The draws holding ``pool``'s levels: its creators', or a named creator's of it."""
    if pool in draws.pools:
        return draws.pools[pool]
    return next(draws.arrays(g.key) for g in draws.groups if g.slots.group.pool == pool)


def _group_inputs(pool: PoolDraws, group: GroupDraws) -> Iterator[tuple[str, str, np.ndarray]]:
    """(quantity, aggregate, values per campaign) of one group's hired creators' own draws."""
    priors = group.slots.group.priors
    rows = group.rows
    n = pool.fee.shape[1]
    hired = (
        np.ones((rows.stop - rows.start, n)) if group.hired is None else group.hired.astype(float)
    )
    count = hired.sum(axis=0)
    k = group.slots.group.deliverables
    # A named creator's rates are theirs whether or not a budget books them (their booking
    # is an input of its own): a mean over no one would drop the campaign from the ranking.
    weights = hired if group.slots.group.creator is None else np.ones(hired.shape)
    weighed = weights.sum(axis=0)

    def total(a: np.ndarray) -> np.ndarray:
        return _total(a[rows], hired)

    def mean(a: np.ndarray) -> np.ndarray:
        return _mean(a[rows], weights, weighed)

    def own(quantity: str, values: np.ndarray) -> np.ndarray:
        return own_draws(priors[quantity], values[rows], pool)

    if group.hired is not None:
        yield "creators", "total", count
    # Real audience: followers are never pooled by default; a pooled one's level is an input.
    yield "followers", "total real audience", total(pool.audience)
    for quantity in ("engagement_rate", "reach_rate", "conversion_rate"):
        values = getattr(pool, quantity)
        if quantity in pool.levels:
            yield quantity, "mean of own draws", _mean(own(quantity, values), weights, weighed)
        else:
            yield quantity, "mean of hired creators", mean(values)
    if "fee" in pool.levels:
        yield "fee", "total of own draws", k * _total(own("fee", pool.fee), hired)
    else:
        yield "fee", "total", k * total(pool.fee)
    if not group.slots.group.dist("overhead").is_fixed:  # else it is creators x a constant
        yield "overhead", "total", total(pool.overhead)
    yield "delivered", "share of hired creators", mean(pool.delivered.astype(float))


def _total(a: np.ndarray, hired: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->j", a, hired)


def _mean(a: np.ndarray, hired: np.ndarray, count: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return _total(a, hired) / count


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
        funnel = draws.campaign.funnel
        drawn = {
            "incrementality": funnel.incrementality,
            "attribution_leakage": funnel.leakage,
            "repeat_share": funnel.repeat_share,
            "repeat_orders_per_month": funnel.repeat_rate,
        }
        for label, quantity, _, _ in funnel_inputs(scenario):
            value = drawn[quantity]
            if value is not None:  # drawn whenever the input is uncertain
                found.append(Driver(label, "campaign", quantity, "value"))
                values.append(value)
        pools = dict.fromkeys(g.pool for g in strategy.groups)
        for pool_name in pools:
            priors = next(g for g in strategy.groups if g.pool == pool_name).priors
            for quantity, aggregate, array in _pool_inputs(_pool_of(draws, pool_name), priors):
                name = f"{pool_name}: {quantity.replace('_', ' ')} ({aggregate})"
                found.append(Driver(name, pool_name, quantity, aggregate))
                values.append(array)
        for group in draws.groups:
            if group.slots.strategy != strategy.name:
                continue
            label = group_label(group.slots.group, group.slots.index)
            pool = draws.arrays(group.key)
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
    kept = scenario.outcomes
    for name, metrics in chunk_outcomes(scenario, draws).items():
        out.update({(name, metric): metrics[metric] for metric in kept})
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
            {n: {m: arrays[n, m] for m in scenario.outcomes} for n in names},
            run.campaigns,
            run.seed,
            run.sampling,
        )
