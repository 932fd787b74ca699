"""The variance of an outcome split into what a pilot could learn, campaign-to-campaign
variation and creator luck (MODEL.md §8), by pick-freeze Sobol indices over three groups.

The groups are the three :data:`~campaign_sim.engine.draws.PARTS` of a campaign's random
numbers:

* ``persistent`` — the persistent parts of every pool level, shared factor and of the shock:
  the brand's own pools and product appeal, the same in every campaign it runs. A pilot (or a
  few campaigns) can learn them; nobody can before.
* ``campaign`` — the campaign parts of the same draws, and the order value: what moves from one
  campaign to the next however much the brand knows.
* ``creators`` — every creator's own draws (followers, deviations from the pool level, own
  fee part, delivery, ...): luck in whom one hires, which averages out over many creators.

A group's first-order index S1 is the share of the outcome's variance that knowing it exactly
would remove (``Var E[Y | group] / Var Y``); its total index ST the share that involves it at
all (with interactions). ``1 - sum S1`` is the share of interactions between the groups.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy import special

from campaign_sim.engine.draws import PARTS, Layout, draw_chunk
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.runner import DEFAULT_CHUNK, Chunk, run_settings
from campaign_sim.engine.vectorized import chunk_outcomes
from campaign_sim.metrics import check_outcome
from campaign_sim.random.streams import BLOCK
from campaign_sim.scenario.plan import Scenario

__all__ = ["PART_LABELS", "SplitIndices", "pick_freeze", "split_kernel", "variance_split"]

#: What each part is called in tables and files.
PART_LABELS = {
    "persistent": "what a pilot could learn (persistent parts of levels, shared factors, shock)",
    "campaign": "campaign to campaign (campaign parts, order value)",
    "creators": "creator luck (every creator's own draws)",
}


@dataclass(frozen=True)
class SplitIndices:
    """First-order (``s1``) and total (``st``) indices of each group, shape (groups,), with
    the 95% half-widths of their bootstrap intervals (normal, from the bootstrap sd)."""

    s1: np.ndarray
    s1_half: np.ndarray
    st: np.ndarray
    st_half: np.ndarray
    variance: float


def pick_freeze(
    y: np.ndarray, *, resamples: int = 200, rng: np.random.Generator | int | None = 0
) -> SplitIndices:
    """Sobol indices from pick-freeze evaluations ``y`` of shape (N, groups + 2): per base
    sample the output under A, under each AB_j (A with group j taken from B), and under B.

    S1_j = mean(f_B (f_ABj - f_A)) / V (Saltelli 2010), ST_j = mean((f_A - f_ABj)²) / (2 V)
    (Jansen 1999), V the variance of f_A and f_B together; the output is centred first (it
    changes no expectation and lowers the estimators' variance). Intervals: ±1.96 bootstrap
    standard deviations over ``resamples`` resamples of the base samples.
    """
    rng = np.random.default_rng(rng)
    n = y.shape[0]

    def estimate(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        a, ab, b = rows[:, 0], rows[:, 1:-1], rows[:, -1]
        centre = (a.mean() + b.mean()) / 2
        a, ab, b = a - centre, ab - centre, b - centre
        v = float(np.concatenate([a, b]).var())
        s1 = (b[:, None] * (ab - a[:, None])).mean(axis=0) / v
        st = 0.5 * ((a[:, None] - ab) ** 2).mean(axis=0) / v
        return s1, st, v

    s1, st, v = estimate(y)
    boot = [estimate(y[rng.integers(0, n, n)])[:2] for _ in range(resamples)]
    z = float(special.ndtri(0.975))
    s1_sd = np.std([b[0] for b in boot], axis=0, ddof=1)
    st_sd = np.std([b[1] for b in boot], axis=0, ddof=1)
    return SplitIndices(s1, z * s1_sd, st, z * st_sd, v)


def split_kernel(
    scenario: Scenario, layout: Layout, seed: int, output: str, offset: int, chunk: Chunk
) -> dict[Hashable, np.ndarray]:
    """The runner's kernel: per strategy, ``output`` of one chunk's campaigns under A, each
    AB_j (A with part j from B) and B, shape (campaigns, parts + 2). B's campaigns are
    ``offset`` blocks further on, with the same seed. One set of draws in memory at a time."""
    a = chunk.block_list
    b = [(i + offset, first + offset * BLOCK, size) for i, first, size in a]
    mixes = [(a, None), *((a, {part: b}) for part in PARTS), (b, None)]
    results = [
        chunk_outcomes(scenario, draw_chunk(scenario, layout, seed, blocks, parts=parts))
        for blocks, parts in mixes
    ]
    return {
        s.name: np.column_stack([r[s.name][output] for r in results]) for s in scenario.strategies
    }


def variance_split(
    scenario: Scenario,
    *,
    output: str = "roi",
    campaigns: int | None = None,
    seed: int | None = None,
    resamples: int = 200,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    executor: Executor | str | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """A row per strategy and part (:data:`PART_LABELS`): first-order ``s1`` and total ``st``
    indices of ``output`` with 95% bootstrap intervals, the output's ``variance`` and the
    ``base_samples`` (finite ones).

    Base samples A and B are campaigns ``0 .. N-1`` and ``N' .. N'+N-1`` of the same seed
    (``N'`` the next block boundary), drawn by plain random sampling; ``N = campaigns`` base
    samples cost 5 x N evaluations. The same for any chunk size and number of workers.
    """
    check_outcome(output)
    with run_settings(
        scenario,
        campaigns=campaigns,
        seed=seed,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        usage="sobol",
    ) as run:
        offset = -(-run.campaigns // BLOCK)
        kernel = partial(split_kernel, scenario, Layout.of(scenario), run.seed, output, offset)
        evaluations = run.collect(kernel, progress=progress)
        rows = []
        for name in (s.name for s in scenario.strategies):
            y = evaluations[name]
            y = y[np.isfinite(y).all(axis=1)]
            if y.shape[0] < 2 or np.ptp(y[:, [0, -1]]) == 0:
                continue
            found = pick_freeze(y, resamples=resamples, rng=run.seed)
            for j, part in enumerate(PARTS):
                rows.append(
                    {
                        "strategy": name,
                        "output": output,
                        "part": part,
                        "input": PART_LABELS[part],
                        "s1": found.s1[j],
                        "s1_ci_low": found.s1[j] - found.s1_half[j],
                        "s1_ci_high": found.s1[j] + found.s1_half[j],
                        "st": found.st[j],
                        "st_ci_low": found.st[j] - found.st_half[j],
                        "st_ci_high": found.st[j] + found.st_half[j],
                        "variance": found.variance,
                        "base_samples": y.shape[0],
                    }
                )
        return pd.DataFrame(rows)
