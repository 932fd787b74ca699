"""What drives the risk: sensitivity of a strategy's outcome to every uncertain input.

Three analyses, each on the campaign_sim's own draws (common random numbers throughout):

* :func:`rank_sensitivity` — from one run, every uncertain input of every campaign (the
  campaign-level order value and shock, and for each creator group the aggregates of its
  creators' draws: real audience, mean engagement / reach / conversion rate, fees, overhead,
  creators hired, share delivered) against the output (ROI by default): Spearman rank
  correlation with its CI, standardised rank regression coefficient (SRRC) and contribution to
  variance = R² x SRRC² / sum SRRC² (the share of the output's rank variance the rank
  regression explains, split in proportion to SRRC²; with independent inputs it is exactly
  SRRC²).
* :func:`swing` — one at a time, for the tornado chart: each scenario-level input (order
  value, shock, and each prior as a whole) fixed at its P10 and then its P90 — every creator's
  draw of that prior at that value — with everything else random; the mean output at each end.
* :func:`sobol_indices` — Sobol first- and total-order indices of the campaign-level inputs
  (order value, shock) and of all creator draws taken together, with bootstrap intervals
  (SALib, the ``sensitivity`` extra), by the Saltelli / Jansen pick-freeze scheme.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import special, stats

from campaign_sim.analysis.mcse import mean_error
from campaign_sim.engine.draws import (
    CampaignDraws,
    ChunkDraws,
    GroupDraws,
    Layout,
    PoolDraws,
    draw_chunk,
)
from campaign_sim.engine.vectorized import chunk_outcomes, scenario_sampling
from campaign_sim.random import distributions as dist
from campaign_sim.random.sampling import Sampling
from campaign_sim.random.streams import BLOCK, block_ranges
from campaign_sim.scenario.loading import GroupPlan, Prior, Scenario, StrategyPlan

__all__ = [
    "SWING_QUANTILES",
    "Drivers",
    "collect_drivers",
    "rank_sensitivity",
    "sobol_indices",
    "swing",
    "swing_inputs",
]

#: The ends of a one-at-a-time swing: P10 and P90 of the input's distribution.
SWING_QUANTILES = (0.10, 0.90)
_CHUNK_BLOCKS = 16


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


def _chunks(campaigns: int, start_block: int = 0) -> Iterator[list[tuple[int, int, int]]]:
    blocks = [(b + start_block, first, size) for b, first, size in block_ranges(campaigns)]
    for i in range(0, len(blocks), _CHUNK_BLOCKS):
        yield blocks[i : i + _CHUNK_BLOCKS]


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


def collect_drivers(
    scenario: Scenario,
    *,
    campaigns: int | None = None,
    seed: int | None = None,
    sampling: Sampling | str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Drivers:
    """Simulate and keep, per campaign, every strategy's inputs and outcomes.

    The outcomes are exactly those of :func:`campaign_sim.engine.vectorized.simulate` with the same
    seed.
    """
    campaigns = scenario.campaigns if campaigns is None else campaigns
    seed = scenario.seed if seed is None else seed
    sampling = scenario_sampling(scenario) if sampling is None else Sampling.of(sampling)
    layout = Layout.of(scenario)
    names = tuple(s.name for s in scenario.strategies)
    inputs: dict[str, list[np.ndarray]] = {n: [] for n in names}
    outputs: dict[str, dict[str, list[np.ndarray]]] = {n: {} for n in names}
    drivers: dict[str, tuple[Driver, ...]] = {}
    for blocks in _chunks(campaigns):
        draws = draw_chunk(scenario, layout, seed, blocks, sampling=sampling)
        outcomes = chunk_outcomes(scenario, draws)
        for name, (found, values) in _chunk_drivers(scenario, draws).items():
            drivers[name] = tuple(found)
            inputs[name].append(np.column_stack(values))
            for metric, array in outcomes[name].items():
                outputs[name].setdefault(metric, []).append(array)
        if progress is not None:
            progress(sum(size for _, _, size in blocks))
    return Drivers(
        names,
        drivers,
        {n: np.concatenate(inputs[n]) for n in names},
        {n: {m: np.concatenate(a) for m, a in outputs[n].items()} for n in names},
        campaigns,
        seed,
        sampling,
    )


def rank_sensitivity(
    drivers: Drivers, *, output: str = "roi", strategies: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Ranked table, a row per strategy and input that varies: Spearman correlation with its
    95% CI (Fisher z, se sqrt(1.06 / (n - 3))), SRRC, contribution to variance, rank (1 = the
    input with the largest contribution), and the rank regression's R² (the same on every row
    of a strategy: when it is low, the ranking misses what drives the output)."""
    frames = []
    for name in strategies or drivers.strategies:
        x = drivers.inputs[name]
        y = drivers.outputs[name][output]
        keep = np.isfinite(y) & np.isfinite(x).all(axis=1)
        x, y = x[keep], y[keep]
        # Relative spread, not std > 0: a mean of equal draws can differ from them by rounding.
        varies = np.ptp(x, axis=0) > 1e-9 * np.maximum(1.0, np.abs(x).max(axis=0, initial=0))
        found = [d for d, v in zip(drivers.drivers[name], varies, strict=True) if v]
        x = x[:, varies]
        n = y.size
        if n < 4 or not found or y.std() == 0:
            continue
        zx = _standard(stats.rankdata(x, axis=0))
        zy = _standard(stats.rankdata(y))
        rho = zx.T @ zy / n
        half = float(special.ndtri(0.975)) * math.sqrt(1.06 / (n - 3))
        srrc, *_ = np.linalg.lstsq(zx, zy, rcond=None)
        r2 = 1 - float(np.sum((zy - zx @ srrc) ** 2)) / n
        contribution = r2 * srrc**2 / np.sum(srrc**2)
        frame = pd.DataFrame(
            {
                "strategy": name,
                "output": output,
                "input": [d.input for d in found],
                "group": [d.group for d in found],
                "quantity": [d.quantity for d in found],
                "aggregate": [d.aggregate for d in found],
                "spearman": rho,
                "spearman_ci_low": np.tanh(np.arctanh(np.clip(rho, -0.999999, 0.999999)) - half),
                "spearman_ci_high": np.tanh(np.arctanh(np.clip(rho, -0.999999, 0.999999)) + half),
                "srrc": srrc,
                "contribution": contribution,
                "rank_r2": r2,
                "n": n,
            }
        )
        frame = frame.sort_values(
            ["contribution", "spearman"], key=abs, ascending=False, ignore_index=True
        )
        frame.insert(3, "rank", np.arange(1, len(frame) + 1))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _standard(a: np.ndarray) -> np.ndarray:
    return (a - a.mean(axis=0)) / a.std(axis=0)


@dataclass(frozen=True)
class SwingInput:
    """A scenario-level input a swing fixes: the order value, the shock, or one prior."""

    input: str
    quantity: str
    key: str  # "economics.aov", "shock", or the prior's key path
    distribution: dist.Distribution
    prior: Prior | None = None


def swing_inputs(scenario: Scenario) -> list[SwingInput]:
    """Every uncertain scenario-level input: AOV, the shock, and each non-fixed prior that a
    strategy's group uses (a tier-wide prior once, for every platform that uses it)."""
    found = []
    if not scenario.aov.is_fixed:
        found.append(SwingInput("order value (AOV)", "aov", "economics.aov", scenario.aov))
    if scenario.shock_sigma > 0:
        shock = dist.LogNormal(1.0, scenario.shock_sigma)
        found.append(SwingInput("shock (product appeal)", "shock", "shock", shock))
    seen: set[tuple[str, str]] = set()
    for strategy in scenario.strategies:
        for group in strategy.groups:
            for quantity, prior in group.priors.items():
                if prior.dist.is_fixed or (prior.origin, prior.key_path) in seen:
                    continue
                seen.add((prior.origin, prior.key_path))
                where = f"{prior.tier}/{prior.platform}" if prior.platform else prior.tier
                label = f"{where} {quantity.replace('_', ' ')} prior"
                found.append(SwingInput(label, quantity, prior.key_path, prior.dist, prior))
    return found


def _uses(strategy: StrategyPlan, item: SwingInput) -> bool:
    """Whether ``item`` can move ``strategy``'s outcomes (campaign-level inputs always can)."""
    return item.prior is None or any(
        g.priors.get(item.quantity) is item.prior for g in strategy.groups
    )


def _fixed(scenario: Scenario, item: SwingInput, value: float) -> Scenario:
    """The scenario with ``item`` fixed at ``value`` (the shock is fixed in the draws)."""
    if item.quantity == "aov":
        return replace(scenario, aov=dist.Fixed(value))
    if item.prior is None:
        return scenario
    fixed = replace(item.prior, dist=dist.Fixed(value))

    def swap(group: GroupPlan) -> GroupPlan:
        if group.priors.get(item.quantity) is not item.prior:
            return group
        return replace(group, priors={**group.priors, item.quantity: fixed})

    strategies = tuple(
        replace(s, groups=tuple(swap(g) for g in s.groups)) for s in scenario.strategies
    )
    return replace(scenario, strategies=strategies)


def _outputs(
    scenario: Scenario,
    campaigns: int,
    seed: int,
    sampling: Sampling,
    output: str,
    shock: float | None = None,
) -> dict[str, np.ndarray]:
    """Per strategy, ``output`` of every campaign; ``shock`` fixes S_c for every campaign."""
    layout = Layout.of(scenario)
    parts: dict[str, list[np.ndarray]] = {s.name: [] for s in scenario.strategies}
    for blocks in _chunks(campaigns):
        draws = draw_chunk(scenario, layout, seed, blocks, sampling=sampling)
        if shock is not None:
            fixed = CampaignDraws(np.full(draws.campaigns, shock), draws.campaign.aov)
            draws = replace(draws, campaign=fixed)
        for name, metrics in chunk_outcomes(scenario, draws).items():
            parts[name].append(metrics[output])
    return {name: np.concatenate(p) for name, p in parts.items()}


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
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """One-at-a-time swing of every :func:`swing_inputs` input, for every strategy.

    A row per strategy and input: the input's value at each end (P10, P90), the mean output
    with everything random (``base``), at each end (``at_low``, ``at_high``), ``swing`` =
    at_high - at_low and its standard error (paired over the same campaigns: common random
    numbers; from block replicates under stratified sampling, :mod:`campaign_sim.analysis.mcse`).
    Sorted
    by the size of the swing. ``progress(1)`` after each simulation.
    """
    campaigns = scenario.campaigns if campaigns is None else campaigns
    seed = scenario.seed if seed is None else seed
    sampling = scenario_sampling(scenario) if sampling is None else Sampling.of(sampling)
    base = _outputs(scenario, campaigns, seed, sampling, output)
    rows = []
    for item in swing_inputs(scenario):
        values = [float(item.distribution.ppf(q)) for q in quantiles]
        ends = []
        for value in values:
            fixed = _fixed(scenario, item, value)
            shock = value if item.quantity == "shock" else None
            ends.append(_outputs(fixed, campaigns, seed, sampling, output, shock))
            if progress is not None:
                progress(1)
        for name in base:
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


def sobol_indices(
    scenario: Scenario,
    *,
    output: str = "roi",
    campaigns: int | None = None,
    seed: int | None = None,
    resamples: int = 200,
) -> pd.DataFrame:
    """Sobol first-order (S1) and total-order (ST) indices of the order value, the shock and
    all creator draws together ("creators"), per strategy, with 95% bootstrap intervals.

    Pick-freeze: base matrices A and B are campaigns ``0 .. N-1`` and ``N' .. N'+N-1`` of the
    same seed (``N'`` the next block boundary); each column of AB takes one input from B and
    the rest from A. ``N = campaigns`` base samples cost ``(inputs + 2) x N`` evaluations.
    Needs SALib (``pip install 'campaign-sim[sensitivity]'``).
    """
    from SALib.analyze import sobol as salib_sobol

    campaigns = scenario.campaigns if campaigns is None else campaigns
    seed = scenario.seed if seed is None else seed
    names = ["aov", "shock", "creators"] if scenario.shock_sigma > 0 else ["aov", "creators"]
    layout = Layout.of(scenario)
    offset = -(-campaigns // BLOCK)
    evaluations: dict[str, list[np.ndarray]] = {s.name: [] for s in scenario.strategies}
    for blocks in _chunks(campaigns):
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
        for name in evaluations:
            evaluations[name].append(np.column_stack([r[name][output] for r in results]))
    rows = []
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    for name, parts in evaluations.items():
        y = np.concatenate(parts)
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
