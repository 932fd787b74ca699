"""Statistics of simulated campaigns (docs/model.md, Statistics).

Two intervals are kept apart everywhere:

* the **outcome interval** (P5 – P95 of a metric over campaigns): where 90% of campaigns land,
  the risk itself; it does not shrink with more campaigns;
* the **estimate interval** (the 95% CI of the mean, from the Monte Carlo standard error): how
  precisely the simulation pinned the mean down; it shrinks like 1/sqrt(campaigns).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import special

from campaign_sim.analysis.mcse import mean_error
from campaign_sim.engine.vectorized import Outcomes
from campaign_sim.random.sampling import RANDOM, Sampling

__all__ = [
    "MIN_FOR_ERROR",
    "PERCENTILES",
    "MetricSummary",
    "RiskSummary",
    "Summary",
    "probability_ci",
    "proportion_ci",
    "summarize",
    "summarize_values",
]

PERCENTILES = (5, 25, 50, 75, 95)
#: Fewest campaigns with a spread: with one, no standard error or estimate interval exists.
MIN_FOR_ERROR = 2
#: Worst share of campaigns that the value at risk and the expected shortfall look at.
TAIL = 0.05


def _z(confidence: float) -> float:
    return float(special.ndtri(0.5 + confidence / 2))


def proportion_ci(successes: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    if n == 0:
        return (math.nan, math.nan)
    z = _z(confidence)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class MetricSummary:
    """One metric of one strategy over all campaigns where it is defined (finite)."""

    metric: str
    n: int  # campaigns where the metric is finite
    n_undefined: int  # e.g. CPA of a campaign without a single order
    mean: float
    sd: float
    se: float  # Monte Carlo standard error of the mean
    mean_ci_low: float  # estimate interval (95% by default)
    mean_ci_high: float
    p5: float  # outcome interval: P5 - P95
    p25: float
    p50: float
    p75: float
    p95: float


def summarize_values(
    metric: str, values: np.ndarray, confidence: float = 0.95, *, sampling: Sampling = RANDOM
) -> MetricSummary:
    """``values`` in campaign order; with stratified ``sampling`` the standard error comes from
    the spread of seed-block means (:mod:`campaign_sim.analysis.mcse`). With fewer than
    :data:`MIN_FOR_ERROR` finite values the spread, the standard error and the estimate
    interval are undefined (NaN, shown as n/a), never a zero-width interval."""
    finite = values[np.isfinite(values)]
    n = finite.size
    if n == 0:
        nan = math.nan
        return MetricSummary(metric, 0, values.size, *([nan] * 10))
    mean = float(finite.mean())
    sd = float(finite.std(ddof=1)) if n >= MIN_FOR_ERROR else math.nan
    se = sd / math.sqrt(n)
    half = _z(confidence) * se
    if not sampling.iid and n >= MIN_FOR_ERROR:
        error = mean_error(values, sampling)
        se, half = error.se, error.half_width(confidence)
    p5, p25, p50, p75, p95 = (float(v) for v in np.percentile(finite, PERCENTILES))
    return MetricSummary(
        metric, n, values.size - n, mean, sd, se, mean - half, mean + half, p5, p25, p50, p75, p95
    )


@dataclass(frozen=True)
class RiskSummary:
    """Risk profile of one strategy, from profit (currency) and ROI (fraction)."""

    strategy: str
    campaigns: int
    prob_loss: float  # P(ROI < 0)
    prob_loss_ci_low: float
    prob_loss_ci_high: float
    roi_target: float
    prob_above_target: float  # P(ROI > target)
    prob_above_target_ci_low: float
    prob_above_target_ci_high: float
    # Both risk measures are profits (currency; negative = a loss), read the same way:
    value_at_risk: float  # P5 of profit, the profit 5% of campaigns fall below (VaR, profit)
    expected_shortfall: float  # mean profit of the worst 5% of campaigns
    expected_shortfall_se: float


def probability_ci(
    events: np.ndarray, confidence: float = 0.95, *, sampling: Sampling = RANDOM
) -> tuple[float, float]:
    """CI of the probability of ``events`` (bool, campaign order): Wilson for independent
    campaigns, the spread of block means under stratified sampling (as for means)."""
    if not sampling.iid:
        error = mean_error(events.astype(float), sampling)
        if error.method == "blocks":
            p, half = float(events.mean()), error.half_width(confidence)
            return max(0.0, p - half), min(1.0, p + half)
    return proportion_ci(float(np.count_nonzero(events)), events.size, confidence)


def risk_of(
    strategy: str,
    profit: np.ndarray,
    roi: np.ndarray,
    roi_target: float,
    confidence: float = 0.95,
    *,
    sampling: Sampling = RANDOM,
) -> RiskSummary:
    """P(loss), P(ROI > target) and the tail of profit. Value at risk and expected shortfall
    are both profits (negative = a loss): the value at risk is the 5th percentile of profit by
    the tables' rule (:func:`numpy.percentile`, linear interpolation, as the P5 of
    :func:`summarize_values`), the expected shortfall the mean profit of the worst
    ``floor(5% n)`` campaigns (at least one)."""
    n = profit.size
    loss = profit < 0
    above_target = roi > roi_target
    losses = float(np.count_nonzero(loss))
    above = float(np.count_nonzero(above_target))
    worst = max(1, int(math.floor(TAIL * n)))
    tail = np.partition(profit, worst - 1)[:worst]
    quantile = float(tail.max())
    shortfall = float(tail.mean())
    # Asymptotic variance of the tail-mean estimator (Acerbi & Tasche's ES at level TAIL).
    tail_var = float(tail.var()) + (1 - TAIL) * (shortfall - quantile) ** 2
    es_se = math.sqrt(tail_var / (TAIL * n)) if n >= MIN_FOR_ERROR else math.nan
    finite = profit[np.isfinite(profit)]
    value_at_risk = float(np.percentile(finite, 100 * TAIL)) if finite.size else math.nan
    return RiskSummary(
        strategy,
        n,
        losses / n,
        *probability_ci(loss, confidence, sampling=sampling),
        roi_target,
        above / n,
        *probability_ci(above_target, confidence, sampling=sampling),
        value_at_risk,
        shortfall,
        es_se,
    )


@dataclass(frozen=True)
class Summary:
    """Every strategy's metric summaries and risk profile."""

    strategies: tuple[str, ...]
    labels: dict[str, str]
    metrics: dict[str, dict[str, MetricSummary]]  # strategy -> metric -> summary
    risk: dict[str, RiskSummary]
    campaigns: int
    confidence: float

    def frame(self) -> pd.DataFrame:
        """Tidy table: a row per strategy and metric."""
        rows = [
            {"strategy": name, **asdict(summary)}
            for name in self.strategies
            for summary in self.metrics[name].values()
        ]
        return pd.DataFrame(rows)

    def risk_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self.risk[name]) for name in self.strategies])

    def to_dict(self) -> dict:
        """JSON-ready: per strategy, per metric mean, mean_ci, p5, p50, p95 (and more)."""
        out: dict = {}
        for name in self.strategies:
            entry: dict = {"label": self.labels[name]}
            for metric, s in self.metrics[name].items():
                entry[metric] = {
                    "mean": s.mean,
                    "mean_ci": [s.mean_ci_low, s.mean_ci_high],
                    "se": s.se,
                    "sd": s.sd,
                    "p5": s.p5,
                    "p25": s.p25,
                    "p50": s.p50,
                    "p75": s.p75,
                    "p95": s.p95,
                    "n": s.n,
                    "n_undefined": s.n_undefined,
                }
            r = self.risk[name]
            entry.update(
                {
                    "prob_loss": r.prob_loss,
                    "prob_loss_ci": [r.prob_loss_ci_low, r.prob_loss_ci_high],
                    "roi_target": r.roi_target,
                    "prob_above_target": r.prob_above_target,
                    "prob_above_target_ci": [
                        r.prob_above_target_ci_low,
                        r.prob_above_target_ci_high,
                    ],
                    "value_at_risk": r.value_at_risk,
                    "expected_shortfall": r.expected_shortfall,
                    "expected_shortfall_se": r.expected_shortfall_se,
                }
            )
            out[name] = entry
        return out


def summarize(
    outcomes: Outcomes,
    *,
    labels: dict[str, str] | None = None,
    roi_target: float = 0.0,
    confidence: float = 0.95,
) -> Summary:
    """Summarise every strategy's outcomes."""
    metrics = {
        name: {
            m: summarize_values(m, values, confidence, sampling=outcomes.sampling)
            for m, values in outcomes.values[name].items()
        }
        for name in outcomes.strategies
    }
    risk = {
        name: risk_of(
            name,
            outcomes.values[name]["profit"],
            outcomes.values[name]["roi"],
            roi_target,
            confidence,
            sampling=outcomes.sampling,
        )
        for name in outcomes.strategies
    }
    labels = {name: (labels or {}).get(name, name) for name in outcomes.strategies}
    return Summary(outcomes.strategies, labels, metrics, risk, outcomes.campaigns, confidence)


def quantile_grid(
    outcomes: Outcomes,
    metrics: tuple[str, ...] = ("roi", "profit", "cost", "revenue", "conversions"),
) -> pd.DataFrame:
    """Quantiles 0, 0.01, ..., 1 of each metric: enough to draw distributions without
    keeping every campaign (tidy: strategy, metric, q, value)."""
    q = np.linspace(0, 1, 101)
    rows = []
    for name in outcomes.strategies:
        for metric in metrics:
            values = outcomes.values[name][metric]
            values = values[np.isfinite(values)]
            grid = np.quantile(values, q) if values.size else np.full(q.size, np.nan)
            rows.append(pd.DataFrame({"strategy": name, "metric": metric, "q": q, "value": grid}))
    return pd.concat(rows, ignore_index=True)
