"""The statistics a plan is chosen by (MODEL.md §4), for many plans at once.

Every statistic is estimated from a plan's simulated campaigns, one row of campaigns per plan,
exactly as the summary tables estimate it (:func:`campaign_sim.analysis.stats.summarize`):
means over the campaigns where a metric is defined, P(loss) = P(profit < 0), P(ROI > target),
the value at risk (P5 of profit) and the expected shortfall (mean profit of the worst 5%), and
``spend_p<q>``: the q-th percentile of what the creators cost (fees with commission and tax,
product-only deals). Each comes with its Monte Carlo standard error (under stratified sampling,
from the spread of seed-block means, :mod:`campaign_sim.analysis.mcse`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from campaign_sim.analysis.mcse import MIN_REPLICATES, mean_error
from campaign_sim.analysis.stats import TAIL
from campaign_sim.metrics import METRICS
from campaign_sim.random.sampling import Sampling
from campaign_sim.random.streams import BLOCK

__all__ = [
    "RISK",
    "Statistic",
    "batch_statistics",
    "statistic",
    "statistic_names",
]


@dataclass(frozen=True)
class Statistic:
    """A statistic of a plan's campaigns: its name (a sweep table's column name) and which way
    is better (None: neither, e.g. creators hired)."""

    name: str
    higher_is_better: bool | None
    metric: str  # the per-campaign metric it is computed from
    kind: str  # mean | probability | tail | percentile
    unit: str  # what a value means

    @property
    def probability(self) -> bool:
        return self.kind == "probability"


#: The risk statistics, named as in sweep tables (``prob_loss`` ...).
RISK = {
    "prob_loss": Statistic("prob_loss", False, "profit", "probability", "P(profit < 0)"),
    "prob_above_target": Statistic(
        "prob_above_target", True, "roi", "probability", "P(ROI > the scenario's roi_target)"
    ),
    "expected_shortfall": Statistic(
        "expected_shortfall", True, "profit", "tail", "mean profit of the worst 5% (currency)"
    ),
    "value_at_risk": Statistic("value_at_risk", True, "profit", "percentile", "P5 of profit"),
}
_SPEND = re.compile(r"^spend_p([0-9]{1,2}(?:\.[0-9]+)?)$")


def statistic(name: str, outcomes: tuple[str, ...]) -> Statistic | None:
    """The statistic called ``name`` for a scenario keeping ``outcomes`` (None: no such)."""
    if name in RISK:
        return RISK[name]
    if name.endswith("_mean") and name.removesuffix("_mean") in outcomes:
        metric = METRICS[name.removesuffix("_mean")]
        return Statistic(name, metric.higher_is_better, metric.name, "mean", metric.unit)
    if (match := _SPEND.match(name)) and 0 < float(match.group(1)) < 100:
        return Statistic(name, False, "spend", "percentile", "percentile of creator spend")
    return None


def statistic_names(outcomes: tuple[str, ...]) -> list[str]:
    """Every statistic name a scenario keeping ``outcomes`` offers (for messages)."""
    return [f"{m}_mean" for m in outcomes] + list(RISK) + ["spend_p90"]


def batch_statistics(
    outcomes: dict[str, np.ndarray],
    names: tuple[Statistic, ...],
    *,
    roi_target: float,
    sampling: Sampling,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``name -> (estimates, standard errors)``, each shape (plans,), from every plan's
    outcomes (metric -> shape (plans, campaigns))."""
    out = {}
    for stat in names:
        if stat.kind == "mean":
            out[stat.name] = _mean(outcomes[stat.metric], sampling)
        elif stat.name == "prob_loss":
            out[stat.name] = _mean((outcomes["profit"] < 0).astype(float), sampling)
        elif stat.name == "prob_above_target":
            out[stat.name] = _mean((outcomes["roi"] > roi_target).astype(float), sampling)
        elif stat.name == "expected_shortfall":
            out[stat.name] = _shortfall(outcomes["profit"])
        elif stat.name == "value_at_risk":
            out[stat.name] = _percentile(outcomes["profit"], 100 * TAIL)
        else:
            q = float(_SPEND.match(stat.name).group(1))  # type: ignore[union-attr]
            out[stat.name] = _percentile(spend(outcomes), q)
    return out


def spend(outcomes: dict[str, np.ndarray]) -> np.ndarray:
    """What the creators cost per campaign: fees with commission and tax, product-only deals."""
    return (
        outcomes["fees"] + outcomes["commission"] + outcomes["fee_tax"] + outcomes["product_cost"]
    )


def _mean(values: np.ndarray, sampling: Sampling) -> tuple[np.ndarray, np.ndarray]:
    """Mean over the finite values of each row and its standard error (sd / sqrt(n), or the
    spread of whole seed-block means under stratified sampling)."""
    finite = np.isfinite(values)
    n = finite.sum(axis=1)
    kept = np.where(finite, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = kept.sum(axis=1) / n
        centred = np.where(finite, values - mean[:, None], 0.0)
        sd = np.sqrt((centred**2).sum(axis=1) / (n - 1))
        se = sd / np.sqrt(n)
    mean = np.where(n > 0, mean, math.nan)
    se = np.where(n > 1, se, math.nan)
    whole = values.shape[1] // BLOCK
    if sampling.iid or whole < MIN_REPLICATES:
        return mean, se
    defined = finite.all(axis=1)
    blocks = values[defined, : whole * BLOCK].reshape(-1, whole, BLOCK).mean(axis=2)
    se[defined] = blocks.std(axis=1, ddof=1) / math.sqrt(whole)
    for row in np.flatnonzero(~defined & (n > 1)):  # the tables' rule, block by block
        se[row] = mean_error(values[row], sampling).se
    return mean, se


def _shortfall(profit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected shortfall (mean profit of the worst floor(5% n), at least one) and its
    asymptotic standard error, as :func:`campaign_sim.analysis.stats.risk_of`."""
    n = profit.shape[1]
    worst = max(1, int(math.floor(TAIL * n)))
    tail = np.partition(profit, worst - 1, axis=1)[:, :worst]
    quantile = tail.max(axis=1)
    shortfall = tail.mean(axis=1)
    tail_var = tail.var(axis=1) + (1 - TAIL) * (shortfall - quantile) ** 2
    se = np.sqrt(tail_var / (TAIL * n)) if n > 1 else np.full(shortfall.shape, math.nan)
    return shortfall, se


def _percentile(values: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """The q-th percentile of each row (linear interpolation, the tables' rule) and its
    standard error from the order statistics' binomial spread (asymptotic)."""
    n = values.shape[1]
    estimate = np.percentile(values, q, axis=1)
    half = 1.959963984540054 * math.sqrt(q / 100 * (1 - q / 100) / n)
    low = np.percentile(values, max(0.0, q - 100 * half), axis=1)
    high = np.percentile(values, min(100.0, q + 100 * half), axis=1)
    return estimate, (high - low) / (2 * 1.959963984540054)
