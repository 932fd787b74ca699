"""The horizon view: K campaigns of one brand that share the persistent parts (MODEL.md §8).

A brand's campaigns share the persistent part of every pool level, shared fee factor and the
shock (its own nano engagement level, its product's appeal); only the campaign-to-campaign
parts are new in each campaign. So its campaigns are not independent draws of "the next
campaign": given the persistent draw they are exchangeable, and a brand has its own
conditional P(loss). This module simulates ``brands`` brands of ``M = max(K, 200)`` campaigns
each (:func:`~campaign_sim.engine.vectorized.simulate` with ``horizon=M``) and reports, per
strategy:

* **P(loss)** of the next campaign (all campaigns), with its estimate interval;
* **P(at least one loss in K campaigns)**, from each brand's first K campaigns;
* **total profit over K campaigns**: mean (with its estimate interval), P5, P50, P95 (the
  outcome interval) and P(total < 0);
* **the spread of P(loss | persistent level)**: each brand's loss fraction over its M
  campaigns estimates its conditional P(loss); its P5, P50, P95 over brands, and the
  between-brand sd with the binomial noise of M campaigns removed,
  ``sqrt(max(0, var(f) - mean(f (1 - f)) / (M - 1)))``;

and, for contrast, the same numbers if campaigns were independent: ``1 - (1 - P(loss))^K``,
and totals of K campaigns taken from K different brands (independent, each distributed as a
next campaign).

Estimate intervals (95%, Monte Carlo) treat brands as the independent units: a brand's
campaigns are correlated, so P(loss) over all campaigns gets a Wilson interval on the
effective number of campaigns ``p (1 - p) / se^2`` (``se`` from the spread of the brands' loss
fractions), never more than the campaigns nor fewer than the brands. The draws are plain
random (no Latin hypercube or Sobol): stratified campaigns of one seed block would not be
exchangeable within a brand.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from campaign_sim.analysis.stats import proportion_ci
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.runner import DEFAULT_CHUNK
from campaign_sim.engine.vectorized import Outcomes, simulate
from campaign_sim.errors import ArgumentError
from campaign_sim.random.sampling import RANDOM
from campaign_sim.scenario.plan import Scenario

__all__ = [
    "DEFAULT_BRANDS",
    "MIN_PER_BRAND",
    "STATISTICS",
    "Estimate",
    "HorizonResult",
    "StrategyHorizon",
    "campaigns_per_brand",
    "horizon_of",
    "simulate_horizon",
]

#: Brands simulated by default.
DEFAULT_BRANDS = 2_000
#: Fewest campaigns per brand: a brand's loss fraction over them estimates its conditional
#: P(loss) with a binomial se of at most 0.5 / sqrt(200) = 3.5 points.
MIN_PER_BRAND = 200
#: Confidence of the estimate intervals.
CONFIDENCE = 0.95
_Z = 1.959963984540054

#: The statistics of horizon.csv, with what each means (``{K}``: the horizon).
STATISTICS: dict[str, str] = {
    "prob_loss": "P(loss) of the next campaign (fraction)",
    "prob_any_loss": "P(at least one loss in {K} campaigns of one brand) (fraction)",
    "total_profit_mean": "mean total profit over {K} campaigns (currency)",
    "total_profit_p5": "P5 of total profit over {K} campaigns (currency)",
    "total_profit_p50": "median total profit over {K} campaigns (currency)",
    "total_profit_p95": "P95 of total profit over {K} campaigns (currency)",
    "prob_total_loss": "P(total profit over {K} campaigns < 0) (fraction)",
    "conditional_prob_loss_p5": "P5 over brands of P(loss | persistent level) (fraction)",
    "conditional_prob_loss_p50": "median over brands of P(loss | persistent level) (fraction)",
    "conditional_prob_loss_p95": "P95 over brands of P(loss | persistent level) (fraction)",
    "conditional_prob_loss_sd": "between-brand sd of P(loss | persistent level), binomial "
    "noise removed (fraction)",
    "conditional_prob_loss_se": "binomial se of one brand's estimate of its P(loss) (fraction)",
}


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate and its 95% estimate interval (NaN: none)."""

    value: float
    ci_low: float = math.nan
    ci_high: float = math.nan


def campaigns_per_brand(horizon: int) -> int:
    """Campaigns simulated per brand for a horizon of ``horizon``: ``max(horizon, 200)``."""
    return max(horizon, MIN_PER_BRAND)


@dataclass(frozen=True)
class StrategyHorizon:
    """One strategy's horizon statistics (money in the scenario's currency, probabilities as
    fractions); ``independent_*``: the same if the campaigns were independent.

    Per brand, shape (brands,): ``conditional`` (loss fraction over its campaigns),
    ``losses`` (losses among its first K campaigns) and ``total`` (their total profit).
    """

    strategy: str
    label: str
    prob_loss: Estimate
    prob_any_loss: Estimate
    independent_prob_any_loss: Estimate
    total_mean: Estimate
    total_p5: float
    total_p50: float
    total_p95: float
    prob_total_loss: Estimate
    independent_total_mean: Estimate
    independent_total_p5: float
    independent_total_p50: float
    independent_total_p95: float
    independent_prob_total_loss: Estimate
    conditional_p5: float
    conditional_p50: float
    conditional_p95: float
    conditional_sd: float
    conditional_se: float
    conditional: np.ndarray
    losses: np.ndarray
    total: np.ndarray

    def rows(self) -> list[dict]:
        """A row per statistic (:data:`STATISTICS`): value and estimate interval, and the
        value (and interval) if campaigns were independent."""
        p = self.prob_loss.value
        nan = Estimate(math.nan)
        pairs: dict[str, tuple[Estimate, Estimate]] = {
            "prob_loss": (self.prob_loss, self.prob_loss),
            "prob_any_loss": (self.prob_any_loss, self.independent_prob_any_loss),
            "total_profit_mean": (self.total_mean, self.independent_total_mean),
            "total_profit_p5": (Estimate(self.total_p5), Estimate(self.independent_total_p5)),
            "total_profit_p50": (Estimate(self.total_p50), Estimate(self.independent_total_p50)),
            "total_profit_p95": (Estimate(self.total_p95), Estimate(self.independent_total_p95)),
            "prob_total_loss": (self.prob_total_loss, self.independent_prob_total_loss),
            # Independent campaigns: every brand's P(loss) is the next campaign's.
            "conditional_prob_loss_p5": (Estimate(self.conditional_p5), Estimate(p)),
            "conditional_prob_loss_p50": (Estimate(self.conditional_p50), Estimate(p)),
            "conditional_prob_loss_p95": (Estimate(self.conditional_p95), Estimate(p)),
            "conditional_prob_loss_sd": (Estimate(self.conditional_sd), Estimate(0.0)),
            "conditional_prob_loss_se": (Estimate(self.conditional_se), nan),
        }
        return [
            {
                "strategy": self.strategy,
                "statistic": name,
                "value": shared.value,
                "ci_low": shared.ci_low,
                "ci_high": shared.ci_high,
                "independent": alone.value,
                "independent_ci_low": alone.ci_low,
                "independent_ci_high": alone.ci_high,
            }
            for name, (shared, alone) in pairs.items()
        ]


@dataclass(frozen=True)
class HorizonResult:
    """Every strategy's horizon statistics over ``brands`` brands of ``per_brand`` campaigns,
    the first ``horizon`` of each forming the horizon."""

    strategies: tuple[str, ...]
    horizon: int
    brands: int
    per_brand: int
    seed: int
    results: dict[str, StrategyHorizon]

    @property
    def campaigns(self) -> int:
        return self.brands * self.per_brand

    @property
    def independent_exact(self) -> bool:
        """The independent totals take each of a total's K campaigns from a different brand:
        exactly independent when there are at least K brands."""
        return self.horizon <= self.brands

    def frame(self) -> pd.DataFrame:
        """Tidy (horizon.csv): a row per strategy and statistic; value, ci_low, ci_high
        (estimate interval, where one exists) and the same if campaigns were independent."""
        rows = [row for name in self.strategies for row in self.results[name].rows()]
        frame = pd.DataFrame(rows)
        frame.insert(2, "horizon", self.horizon)
        frame["description"] = frame["statistic"].map(
            lambda s: STATISTICS[s].replace("{K}", str(self.horizon))
        )
        return frame

    def brands_frame(self) -> pd.DataFrame:
        """A row per brand and strategy (brands.csv): the brand's conditional P(loss) (its
        loss fraction over ``per_brand`` campaigns), its losses among the first ``horizon``
        campaigns and their total profit."""
        parts = []
        for name in self.strategies:
            result = self.results[name]
            parts.append(
                pd.DataFrame(
                    {
                        "brand": np.arange(self.brands),
                        "strategy": name,
                        "conditional_prob_loss": result.conditional,
                        "losses_in_horizon": result.losses,
                        "total_profit": result.total,
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict:
        """JSON-ready, per strategy: label and every statistic as ``{value, ci, independent,
        independent_ci}``."""
        frame = self.frame()
        out: dict = {}
        for name in self.strategies:
            rows = frame[frame["strategy"] == name]
            entry: dict = {"label": self.results[name].label}
            for row in rows.itertuples(index=False):
                entry[str(row.statistic)] = {
                    "value": row.value,
                    "ci": [row.ci_low, row.ci_high],
                    "independent": row.independent,
                    "independent_ci": [row.independent_ci_low, row.independent_ci_high],
                }
            out[name] = entry
        return out


def _whole(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ArgumentError.of(name, f"must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def _wilson(successes: float, n: float) -> Estimate:
    """The share and its Wilson interval, ``n`` possibly an effective (fractional) size."""
    if n <= 0:
        return Estimate(math.nan)
    low, high = proportion_ci(successes, n, CONFIDENCE)  # type: ignore[arg-type]
    return Estimate(successes / n, low, high)


def _mean(values: np.ndarray) -> Estimate:
    mean = float(values.mean())
    if values.size < 2:
        return Estimate(mean)
    half = _Z * float(values.std(ddof=1)) / math.sqrt(values.size)
    return Estimate(mean, mean - half, mean + half)


def _prob_loss(fractions: np.ndarray, per_brand: int) -> Estimate:
    """P(loss) over all campaigns and its Wilson interval on the effective number of
    campaigns, from the spread of the brands' loss fractions (clustered campaigns)."""
    brands = fractions.size
    p = float(fractions.mean())
    se2 = float(fractions.var(ddof=1)) / brands if brands > 1 else math.nan
    if 0 < p < 1 and se2 > 0:
        effective = min(max(p * (1 - p) / se2, brands), brands * per_brand)
    else:
        effective = brands  # no spread seen: as sure as one campaign per brand, no surer
    low, high = proportion_ci(p * effective, effective, CONFIDENCE)  # type: ignore[arg-type]
    return Estimate(p, low, high)


def _strategy(
    name: str, label: str, profit: np.ndarray, horizon: int, brands: int, per_brand: int
) -> StrategyHorizon:
    matrix = profit.reshape(brands, per_brand)
    loss = matrix < 0
    fractions = loss.mean(axis=1)
    first = matrix[:, :horizon]
    losses = loss[:, :horizon].sum(axis=1)
    total = first.sum(axis=1)
    # K campaigns from K different brands (brand b + k for the k-th): independent totals;
    # every campaign is used once.
    rows = (np.arange(brands)[:, None] + np.arange(horizon)[None, :]) % brands
    alone = matrix[rows, np.arange(horizon)[None, :]].sum(axis=1)
    prob_loss = _prob_loss(fractions, per_brand)
    any_alone = Estimate(
        *(1 - (1 - q) ** horizon for q in (prob_loss.value, prob_loss.ci_low, prob_loss.ci_high))
    )
    noise = float(np.mean(fractions * (1 - fractions))) / (per_brand - 1)
    between = float(fractions.var(ddof=1)) if brands > 1 else math.nan
    p5, p50, p95 = (float(v) for v in np.percentile(total, (5, 50, 95)))
    q5, q50, q95 = (float(v) for v in np.percentile(alone, (5, 50, 95)))
    c5, c50, c95 = (float(v) for v in np.percentile(fractions, (5, 50, 95)))
    return StrategyHorizon(
        strategy=name,
        label=label,
        prob_loss=prob_loss,
        prob_any_loss=_wilson(float(np.count_nonzero(losses)), brands),
        independent_prob_any_loss=any_alone,
        total_mean=_mean(total),
        total_p5=p5,
        total_p50=p50,
        total_p95=p95,
        prob_total_loss=_wilson(float(np.count_nonzero(total < 0)), brands),
        independent_total_mean=_mean(alone),
        independent_total_p5=q5,
        independent_total_p50=q50,
        independent_total_p95=q95,
        independent_prob_total_loss=_wilson(float(np.count_nonzero(alone < 0)), brands),
        conditional_p5=c5,
        conditional_p50=c50,
        conditional_p95=c95,
        conditional_sd=math.sqrt(max(0.0, between - noise)) if brands > 1 else math.nan,
        conditional_se=math.sqrt(noise),
        conditional=fractions,
        losses=losses,
        total=total,
    )


def horizon_of(
    outcomes: Outcomes,
    *,
    horizon: int,
    brands: int,
    labels: dict[str, str] | None = None,
) -> HorizonResult:
    """The horizon statistics of ``outcomes`` simulated with ``horizon=campaigns // brands``:
    ``brands`` brands of equally many consecutive campaigns, the first ``horizon`` of each
    forming the horizon."""
    horizon = _whole("horizon", horizon, 1)
    brands = _whole("brands", brands, 2)
    per_brand, left = divmod(outcomes.campaigns, brands)
    if left or per_brand < max(horizon, 2):
        raise ArgumentError.of(
            "brands",
            f"{outcomes.campaigns:,} campaigns are not {brands:,} brands of at least "
            f"{max(horizon, 2):,} campaigns each",
        )
    labels = labels or {}
    results = {
        name: _strategy(
            name,
            labels.get(name, name),
            outcomes.values[name]["profit"],
            horizon,
            brands,
            per_brand,
        )
        for name in outcomes.strategies
    }
    return HorizonResult(outcomes.strategies, horizon, brands, per_brand, outcomes.seed, results)


def simulate_horizon(
    scenario: Scenario,
    *,
    horizon: int,
    brands: int = DEFAULT_BRANDS,
    strategies: tuple[str, ...] = (),
    seed: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    executor: Executor | str | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> HorizonResult:
    """Simulate ``brands`` brands of ``max(horizon, 200)`` campaigns each, sharing the
    persistent parts within a brand, and summarize the horizon of ``horizon`` campaigns of
    every strategy in ``strategies`` (default: all).

    Leaving strategies out changes no other strategy's numbers (each strategy's draws come from
    its pools' streams). ``progress(campaigns)`` is called as chunks finish; ``seed`` None
    takes the scenario's. The numbers do not depend on ``chunk_size``, ``workers`` or the
    executor. Memory: as :func:`~campaign_sim.engine.vectorized.simulate` of ``brands x
    max(horizon, 200)`` campaigns, checked before anything is drawn.
    """
    horizon = _whole("horizon", horizon, 1)
    brands = _whole("brands", brands, 2)
    for name in strategies:
        scenario.strategy(name)
    chosen = scenario
    if strategies:
        keep = set(strategies)
        chosen = replace(
            scenario, strategies=tuple(s for s in scenario.strategies if s.name in keep)
        )
    per_brand = campaigns_per_brand(horizon)
    outcomes = simulate(
        chosen,
        campaigns=brands * per_brand,
        horizon=per_brand,
        seed=seed,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        sampling=RANDOM,
        progress=progress,
    )
    labels = {s.name: s.label for s in chosen.strategies}
    return horizon_of(outcomes, horizon=horizon, brands=brands, labels=labels)
