"""Sobol first- and total-order indices by pick-freeze (SALib), per strategy."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd

from campaign_sim.engine.draws import Layout, draw_chunk
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.runner import DEFAULT_CHUNK, Chunk, run_settings
from campaign_sim.engine.vectorized import chunk_outcomes
from campaign_sim.metrics import check_outcome
from campaign_sim.random.streams import BLOCK
from campaign_sim.scenario.plan import Scenario

__all__ = ["sobol_indices", "sobol_kernel"]


def sobol_kernel(
    scenario: Scenario,
    layout: Layout,
    seed: int,
    output: str,
    names: list[str],
    offset: int,
    chunk: Chunk,
) -> dict[Hashable, np.ndarray]:
    """The runner's kernel: per strategy, ``output`` of one chunk's campaigns under A, each
    AB_j and B (SALib's column order); B's campaigns are ``offset`` blocks further on."""
    blocks = chunk.block_list
    a = draw_chunk(scenario, layout, seed, blocks)
    b = draw_chunk(scenario, layout, seed, [(i + offset, f, s) for i, f, s in blocks])
    mixes = [(a, a.campaign)]  # A, then AB_j, then B (SALib's order)
    for column in names:
        if column == "creators":
            mixes.append((b, a.campaign))
        else:
            mixes.append((a, replace(a.campaign, **{column: getattr(b.campaign, column)})))
    mixes.append((b, b.campaign))
    results = [chunk_outcomes(scenario, replace(d, campaign=c)) for d, c in mixes]
    return {
        s.name: np.column_stack([r[s.name][output] for r in results]) for s in scenario.strategies
    }


def sobol_indices(
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
    """Sobol first-order (S1) and total-order (ST) indices of the order value, the shock and
    all creator draws together ("creators"), per strategy, with 95% bootstrap intervals.

    Pick-freeze: base matrices A and B are campaigns ``0 .. N-1`` and ``N' .. N'+N-1`` of the
    same seed (``N'`` the next block boundary); each column of AB takes one input from B and
    the rest from A. ``N = campaigns`` base samples cost ``(inputs + 2) x N`` evaluations.
    Needs SALib (``pip install 'campaign-sim[sensitivity]'``).
    """
    from SALib.analyze import sobol as salib_sobol

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
        campaigns, seed = run.campaigns, run.seed
        names = ["aov", "shock", "creators"] if scenario.shock_sigma > 0 else ["aov", "creators"]
        kernel = partial(
            sobol_kernel, scenario, Layout.of(scenario), seed, output, names, -(-campaigns // BLOCK)
        )
        evaluations = run.collect(kernel, progress=progress)
        rows = []
        problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
        for name, y in evaluations.items():
            y = y[np.isfinite(y).all(axis=1)]
            if y.shape[0] < 2 or y.std() == 0:
                continue
            found = salib_sobol.analyze(
                problem,
                y.ravel(),
                calc_second_order=False,
                num_resamples=resamples,
                conf_level=0.95,
                seed=seed,
            )
            for j, column in enumerate(names):
                rows.append(
                    {
                        "strategy": name,
                        "output": output,
                        "input": column,
                        "s1": found["S1"][j],
                        "s1_ci_low": found["S1"][j] - found["S1_conf"][j],
                        "s1_ci_high": found["S1"][j] + found["S1_conf"][j],
                        "st": found["ST"][j],
                        "st_ci_low": found["ST"][j] - found["ST_conf"][j],
                        "st_ci_high": found["ST"][j] + found["ST_conf"][j],
                        "base_samples": y.shape[0],
                    }
                )
        return pd.DataFrame(rows)
