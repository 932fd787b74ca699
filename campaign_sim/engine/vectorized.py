"""The vectorized engine: every strategy's campaign totals, chunk by chunk (docs/model.md).

Per creator j of campaign c: audience A = F (1 - phi), engagements E = d k A ER, reach
R = d k A RR, conversions C = base CR S_c (base = E, R or d A). Per campaign: revenue
AOV sum C, gross profit margin * revenue, cost sum(fee k paid + overhead) + fixed cost, and
the ratios ROI, ROAS, CPM, CPE, CPA. Chunks are independent, so they run in any order or on
any number of processes and give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from campaign_sim.engine.draws import ChunkDraws, GroupDraws, Layout, draw_chunk
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.runner import DEFAULT_CHUNK, Chunk, run_settings
from campaign_sim.metrics import ENGINE_OUTCOMES
from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.scenario.plan import Scenario

__all__ = [
    "METRICS",
    "Outcomes",
    "campaign_frame",
    "chunk_outcomes",
    "group_totals",
    "money_metrics",
    "outcomes_kernel",
    "simulate",
]

#: Per-campaign outcomes, with their units (:data:`campaign_sim.metrics.ENGINE_OUTCOMES`).
METRICS = ENGINE_OUTCOMES


@dataclass(frozen=True)
class Outcomes:
    """Per-campaign outcomes of every strategy: ``values[strategy][metric]``, shape (campaigns,)."""

    strategies: tuple[str, ...]
    values: dict[str, dict[str, np.ndarray]]
    campaigns: int
    seed: int
    sampling: Sampling = RANDOM

    @classmethod
    def of(
        cls,
        scenario: Scenario,
        arrays: dict[Hashable, np.ndarray],
        campaigns: int,
        seed: int,
        sampling: Sampling,
    ) -> Outcomes:
        """From the runner's ``{(strategy, metric): outcomes}``."""
        names = tuple(s.name for s in scenario.strategies)
        values = {name: {metric: arrays[name, metric] for metric in METRICS} for name in names}
        return cls(names, values, campaigns, seed, sampling)

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


def group_totals(
    scenario: Scenario, draws: ChunkDraws
) -> Iterator[tuple[GroupDraws, dict[str, np.ndarray]]]:
    """Every strategy group of a chunk with its per-campaign totals (shape (campaigns,)):
    engagements E, reach R and conversions C before the shock, fees, overhead (currency),
    creators hired and creators who delivered. The engine and the plan preview both add these."""
    per_pool = {name: _creator_terms(scenario, pool) for name, pool in draws.pools.items()}
    for group in draws.groups:
        terms = per_pool[group.slots.group.pool]
        k = group.slots.group.deliverables
        sums = {}
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
            sums[key] = scale * summed
        yield group, sums


def chunk_outcomes(scenario: Scenario, draws: ChunkDraws) -> dict[str, dict[str, np.ndarray]]:
    """Campaign totals of every strategy for one chunk of draws."""
    n = draws.campaigns
    totals: dict[str, dict[str, np.ndarray]] = {
        s.name: {key: np.zeros(n) for key in ("E", "R", "C", "cost", "creators", "delivered")}
        for s in scenario.strategies
    }
    for group, sums in group_totals(scenario, draws):
        acc = totals[group.slots.strategy]
        for key, summed in sums.items():
            if key in ("fee", "overhead"):
                acc["cost"] += summed
            else:
                acc[key] += summed
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


def outcomes_kernel(
    scenario: Scenario,
    layout: Layout,
    seed: int,
    sampling: Sampling,
    chunk: Chunk,
    horizon: int = 1,
) -> dict[Hashable, np.ndarray]:
    """The runner's kernel: ``{(strategy, metric): outcomes}`` of one chunk of campaigns
    (``horizon``: campaigns per brand sharing the persistent parts, see :func:`draw_chunk`)."""
    draws = draw_chunk(scenario, layout, seed, chunk.block_list, sampling=sampling, horizon=horizon)
    return {
        (name, metric): array
        for name, metrics in chunk_outcomes(scenario, draws).items()
        for metric, array in metrics.items()
    }


def simulate(
    scenario: Scenario,
    *,
    campaigns: int | None = None,
    seed: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    executor: Executor | str | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
    sampling: Sampling | str | None = None,
    horizon: int = 1,
) -> Outcomes:
    """Simulate ``campaigns`` campaigns of every strategy (defaults: the scenario's settings).

    ``horizon``: consecutive campaigns ``c`` with the same ``c // horizon`` are one brand's and
    share the persistent parts of every level, shared factor and the shock (MODEL.md §8); the
    default 1 simulates independent next campaigns.

    ``sampling``: a :class:`~campaign_sim.random.sampling.Sampling` or a method name (random,
    lhs, sobol); None takes the scenario's ``simulation.sampling`` and ``simulation.antithetic``.
    ``executor`` (serial, processes, dask), ``workers`` (0: every core) and ``scheduler``: where
    the chunks run (:func:`~campaign_sim.engine.executors.make_executor`).

    Memory: one chunk of draws (~ chunk_size x creator slots x 8 bytes per quantity) plus the
    per-campaign outcomes kept for the statistics (14 metrics x 8 bytes per campaign and
    strategy), checked before anything is drawn (:mod:`campaign_sim.engine.limits`). The
    numbers do not depend on ``chunk_size``, ``workers`` or the executor.
    """
    with run_settings(
        scenario,
        campaigns=campaigns,
        seed=seed,
        sampling=sampling,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
    ) as run:
        kernel = partial(
            outcomes_kernel, scenario, Layout.of(scenario), run.seed, run.sampling, horizon=horizon
        )
        arrays = run.collect(kernel, progress=progress)
        return Outcomes.of(scenario, arrays, run.campaigns, run.seed, run.sampling)
