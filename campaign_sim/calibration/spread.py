"""The creator spread ``tau`` of a level, learnt where a pilot has enough creators.

The spread of creators around their pool's level is an assumption of the priors (docs/model.md,
"Levels and creators"). With :data:`MIN_CREATORS` or more creators of a pool whose followers
are known the data can say more: ``tau`` is given a prior, log-normal around the assumed
value with sd :data:`PRIOR_SD` on the log scale (ASSUMPTION: the assumed spread is right within
a factor of 2.3 either way, 90%), and ``(Zp, log tau)`` is updated on a grid, ``log tau`` every
:data:`STEP` over :data:`HALF_WIDTH` either side of the assumed value. The level's posterior is
the marginal over ``tau``; the spread's posterior median is written back for the engine (which
takes one spread per pool) and its P5-P95 reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special

from campaign_sim.calibration.grid import Z_GRID, Posterior1D, marginal_loglik
from campaign_sim.calibration.prior import robust_logpdf

__all__ = ["HALF_WIDTH", "MIN_CREATORS", "PRIOR_SD", "STEP", "Spread", "spread_posterior"]

MIN_CREATORS = 8
PRIOR_SD = 0.5
STEP = 0.2
HALF_WIDTH = 1.2  # log tau within x/÷3.3 of the assumed value


@dataclass(frozen=True)
class Spread:
    """The spread's posterior: median and P5-P95 (on the quantity's logit or log scale)."""

    assumed: float
    median: float
    p5: float
    p95: float


def _quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    return float(np.interp(q, np.cumsum(weights) - weights / 2, values))


def spread_posterior(
    tables_at: Callable[[float], list[np.ndarray]], assumed: float, persistent: float
) -> tuple[Posterior1D, Posterior1D, Spread]:
    """The level score's posterior (marginal over the spread), its likelihood-only version for
    the conflict check, and the spread's posterior; ``tables_at(tau)``: the cells'
    log-likelihood tables at spread ``tau``."""
    offsets = np.arange(-round(HALF_WIDTH / STEP), round(HALF_WIDTH / STEP) + 1) * STEP
    spreads = assumed * np.exp(offsets)
    log_prior = -0.5 * (offsets / PRIOR_SD) ** 2
    totals = np.array([marginal_loglik(tables_at(float(t)), persistent, Z_GRID) for t in spreads])
    joint = totals + log_prior[:, None] + robust_logpdf(Z_GRID)[None, :]
    level = Posterior1D(Z_GRID, special.logsumexp(joint, axis=0))
    flat = Posterior1D(Z_GRID, special.logsumexp(totals + log_prior[:, None], axis=0))
    by_spread = special.logsumexp(joint, axis=1)
    weights = np.exp(by_spread - by_spread.max())
    weights /= weights.sum()
    logs = np.log(spreads)
    spread = Spread(
        assumed,
        math.exp(_quantile(logs, weights, 0.5)),
        math.exp(_quantile(logs, weights, 0.05)),
        math.exp(_quantile(logs, weights, 0.95)),
    )
    return level, flat, spread
