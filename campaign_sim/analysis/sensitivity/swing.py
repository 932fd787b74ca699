"""One-at-a-time swings of each scenario-level input from its P10 to its P90 (the tornado).

A scenario-level input is one value per campaign, not one per creator (MODEL.md §8): the
order value, the shock, a pool's **level** of a quantity (a ``describes: level`` prior: fixing
the prior at its P10 fixes the pool's mean creator there, and the creators still spread around
it by ``creator_spread``), and a pool's **shared factor** (a ``describes: creators`` prior with
``shared`` > 0: its campaign-level normal score is fixed at the P10's, and every creator keeps
its own part). A creators prior without a shared part (followers, by default) is no such
input: moving every creator to its P10 at once is not a scenario anyone is unsure about, and
its spread is creator luck (the variance split measures it). Its swing is still computed, as
before levels existed (every creator's draw at the value), but marked :data:`ALL_CREATORS`:
the tables, the tornado chart and the report leave it out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import special

from campaign_sim.analysis.mcse import mean_error
from campaign_sim.analysis.sensitivity.funnel import FUNNEL_INPUTS, funnel_inputs, with_funnel_input
from campaign_sim.engine.draws import Layout, draw_chunk
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.runner import DEFAULT_CHUNK, Chunk, run_settings
from campaign_sim.engine.vectorized import chunk_outcomes
from campaign_sim.metrics import check_outcome
from campaign_sim.random import distributions as dist
from campaign_sim.random.levels import normal_scores
from campaign_sim.random.sampling import Sampling
from campaign_sim.scenario.plan import GroupPlan, Prior, Scenario, StrategyPlan, quantity_used

__all__ = [
    "SWING_QUANTILES",
    "ALL_CREATORS",
    "GivenFactor",
    "SwingInput",
    "swing",
    "swing_inputs",
    "swing_kernel",
]

#: The ends of a one-at-a-time swing: P10 and P90 of the input's distribution.
SWING_QUANTILES = (0.10, 0.90)
#: What a swing input is: a campaign-level input, a pool's level, a pool's shared factor, or
#: a creators prior without a shared part moved for all creators at once (not a pool-level
#: uncertainty: kept in swing.csv, left out of the tornado).
CAMPAIGN, LEVEL, SHARED, ALL_CREATORS = "campaign", "level", "shared factor", "all creators"


@dataclass(frozen=True)
class SwingInput:
    """A scenario-level input a swing fixes: the order value, the shock, a pool's level or
    shared factor (one prior)."""

    input: str
    quantity: str
    key: str  # "economics.aov", "shock", or the prior's key path
    distribution: dist.Distribution  # of the value per campaign: P10 and P90 are its ends
    prior: Prior | None = None
    kind: str = CAMPAIGN  # CAMPAIGN, LEVEL, SHARED or ALL_CREATORS
    where: str = ""  # the prior's tier or tier/platform


@dataclass(frozen=True)
class GivenFactor(dist.Distribution):
    """A creator's value when its pool's shared factor sits at normal score ``score``:
    ``F^-1(Phi(sqrt(rho) score + sqrt(1 - rho) e))``, ``e ~ N(0, 1)`` the creator's own part,
    drawn as the engine draws it (``e`` the normal score of the creator's own uniform)."""

    family: ClassVar[str] = "given shared factor"
    base: dist.Distribution
    score: float
    shared: float

    def _affine(self) -> tuple[float, float]:
        return math.sqrt(self.shared) * self.score, math.sqrt(1 - self.shared)

    def sampler(self) -> Any:
        shift, scale = self._affine()
        marginal = self.base.score_sampler()
        return lambda u: marginal(shift + scale * normal_scores(u))

    def ppf(self, q: Any) -> np.ndarray:
        shift, scale = self._affine()
        return self.base.ppf(special.ndtr(shift + scale * special.ndtri(q)))

    quantile = ppf

    def cdf(self, x: Any) -> np.ndarray:
        shift, scale = self._affine()
        return np.asarray(special.ndtr((special.ndtri(self.base.cdf(x)) - shift) / scale))

    def mean(self) -> float:
        shift, scale = self._affine()
        nodes, weights = np.polynomial.hermite_e.hermegauss(64)
        values = self.base.score_sampler()(shift + scale * nodes)
        return float(values @ weights / weights.sum())

    def median(self) -> float:
        return float(self.ppf(0.5))

    def support(self) -> tuple[float, float]:
        return self.base.support()

    def params(self) -> dict[str, float]:
        return {"score": self.score, "shared": self.shared}

    def describe(self) -> str:
        return f"{self.base.describe()} given its shared factor at score {self.score:.4g}"


def swing_inputs(scenario: Scenario) -> list[SwingInput]:
    """Every uncertain scenario-level input: AOV, the shock, and each non-fixed prior that a
    strategy's group uses, as a level, a shared factor, or (no pool draw) all creators at
    once (a tier-wide prior once, for every platform that uses it)."""
    found = []
    if not scenario.aov.is_fixed:
        found.append(SwingInput("order value (AOV)", "aov", "economics.aov", scenario.aov))
    if scenario.shock_sigma > 0:
        shock = dist.LogNormal(1.0, scenario.shock_sigma)
        found.append(SwingInput("shock (product appeal)", "shock", "shock", shock))
    for label, quantity, key, value in funnel_inputs(scenario):
        found.append(SwingInput(label, quantity, key, value))
    seen: set[tuple[str, str]] = set()
    for strategy in scenario.strategies:
        for group in strategy.groups:
            for quantity, prior in group.priors.items():
                if prior.dist.is_fixed or (prior.origin, prior.key_path) in seen:
                    continue
                if not quantity_used(group, quantity, scenario.funnel.amplification):
                    continue
                seen.add((prior.origin, prior.key_path))
                where = f"{prior.tier}/{prior.platform}" if prior.platform else prior.tier
                kind = (
                    (LEVEL if prior.describes == "level" else SHARED)
                    if prior.pooled
                    else ALL_CREATORS
                )
                # As before levels existed: "nano followers prior" (every creator's draw).
                named = "prior" if kind == ALL_CREATORS else kind
                label = f"{where} {quantity.replace('_', ' ')} {named}"
                found.append(
                    SwingInput(label, quantity, prior.key_path, prior.dist, prior, kind, where)
                )
    return found


def _uses(strategy: StrategyPlan, item: SwingInput) -> bool:
    """Whether ``item`` can move ``strategy``'s outcomes (campaign-level inputs always can)."""
    return item.prior is None or any(
        g.priors.get(item.quantity) is item.prior for g in strategy.groups
    )


def _fixed(scenario: Scenario, item: SwingInput, q: float) -> Scenario:
    """The scenario with ``item`` at its quantile ``q`` (the shock is fixed in the draws): a
    level prior fixed there (its creators still spread around it), a shared factor's normal
    score fixed at ``Phi^-1(q)`` (each creator keeps its own part), every creator's draw of
    an :data:`ALL_CREATORS` prior at that value."""
    if item.quantity == "aov":
        return replace(scenario, aov=dist.Fixed(float(item.distribution.ppf(q))))
    if item.quantity in FUNNEL_INPUTS:
        return with_funnel_input(scenario, item.quantity, float(item.distribution.ppf(q)))
    if item.prior is None:
        return scenario
    if item.kind == SHARED:
        given = GivenFactor(item.prior.dist, float(special.ndtri(q)), item.prior.shared)
        fixed = replace(item.prior, dist=given, shared=0.0, persistent=0.0)
    else:
        fixed = replace(item.prior, dist=dist.Fixed(float(item.distribution.ppf(q))))

    def swap(group: GroupPlan) -> GroupPlan:
        if group.priors.get(item.quantity) is not item.prior:
            return group
        return replace(group, priors={**group.priors, item.quantity: fixed})

    strategies = tuple(
        replace(s, groups=tuple(swap(g) for g in s.groups)) for s in scenario.strategies
    )
    return replace(scenario, strategies=strategies)


def swing_kernel(
    scenario: Scenario,
    layout: Layout,
    seed: int,
    sampling: Sampling,
    output: str,
    shock: float | None,
    chunk: Chunk,
) -> dict[Hashable, np.ndarray]:
    """The runner's kernel: per strategy, ``output`` of one chunk's campaigns; ``shock``
    fixes S_c for every campaign."""
    draws = draw_chunk(scenario, layout, seed, chunk.block_list, sampling=sampling)
    if shock is not None:
        fixed = replace(draws.campaign, shock=np.full(draws.campaigns, shock), shock_parts=None)
        draws = replace(draws, campaign=fixed)
    return {name: m[output] for name, m in chunk_outcomes(scenario, draws).items()}


def _finite_mean(a: np.ndarray) -> float:
    finite = a[np.isfinite(a)]
    return float(finite.mean()) if finite.size else math.nan


def swing(
    scenario: Scenario,
    *,
    output: str = "roi",
    campaigns: int | None = None,
    seed: int | None = None,
    sampling: Sampling | str | None = None,
    quantiles: tuple[float, float] = SWING_QUANTILES,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    executor: Executor | str | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """One-at-a-time swing of every :func:`swing_inputs` input, for every strategy.

    A row per strategy and input: its ``kind`` (campaign, level, shared factor, all creators:
    :data:`ALL_CREATORS`, which tables and charts leave out) and ``where``
    (the prior's tier or tier/platform), the input's value at each end (P10, P90; for a shared
    factor, the value ``F^-1(Phi(Z_c))`` at that normal score), the mean output
    with everything random (``base``), at each end (``at_low``, ``at_high``), ``swing`` =
    at_high - at_low and its standard error (paired over the same campaigns: common random
    numbers; from block replicates under stratified sampling, :mod:`campaign_sim.analysis.mcse`).
    Sorted
    by the size of the swing. ``progress(1)`` after each simulation.
    """
    check_outcome(output)
    with run_settings(
        scenario,
        campaigns=campaigns,
        seed=seed,
        sampling=sampling,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        usage="swing",
    ) as run:
        campaigns, sampling = run.campaigns, run.sampling

        def outputs(changed: Scenario, shock: float | None = None) -> dict[Hashable, np.ndarray]:
            kernel = partial(
                swing_kernel, changed, Layout.of(changed), run.seed, sampling, output, shock
            )
            return run.collect(kernel)

        base = outputs(scenario)
        rows = []
        for item in swing_inputs(scenario):
            values = [float(item.distribution.ppf(q)) for q in quantiles]
            ends = []
            for q, value in zip(quantiles, values, strict=True):
                fixed = _fixed(scenario, item, q)
                shock = value if item.quantity == "shock" else None
                ends.append(outputs(fixed, shock))
                if progress is not None:
                    progress(1)
            for name in (s.name for s in scenario.strategies):
                if not _uses(scenario.strategy(name), item):
                    continue
                low, high = ends[0][name], ends[1][name]
                with np.errstate(invalid="ignore"):
                    diff = high - low  # nan where either end is undefined (e.g. CPA, no orders)
                rows.append(
                    {
                        "strategy": name,
                        "output": output,
                        "input": item.input,
                        "quantity": item.quantity,
                        "kind": item.kind,
                        "where": item.where,
                        "key": item.key,
                        "low_quantile": quantiles[0],
                        "high_quantile": quantiles[1],
                        "low_value": values[0],
                        "high_value": values[1],
                        "base": _finite_mean(base[name]),
                        "at_low": _finite_mean(low),
                        "at_high": _finite_mean(high),
                        "swing": _finite_mean(diff),
                        "swing_se": mean_error(diff, sampling).se,
                        "campaigns": campaigns,
                    }
                )
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        frame["order"] = frame["swing"].abs()
        frame = frame.sort_values(["strategy", "order"], ascending=[True, False], kind="stable")
        return frame.drop(columns="order").reset_index(drop=True)
