"""The prior calibration updates, and how a persistent score maps to the next campaign.

Planning draws every persistent normal score ``Zp`` from N(0, 1) (MODEL.md §8). Calibration
updates a **robust** version of it: a Student-t with :data:`DEGREES` degrees of freedom scaled
to unit variance, the same mean and variance as N(0, 1) but with tails heavy enough that a
pilot far in the prior's tail moves the level to where its data are, instead of being pulled
most of the way back (docs/calibration.md, "Prior-data conflict"). With no data the written
file is the planning prior itself.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from campaign_sim.random.distributions import Distribution

__all__ = [
    "DEGREES",
    "ROBUST_SCALE",
    "conflict_percentile",
    "level_of_score",
    "next_campaign_scores",
    "robust_logpdf",
    "robust_sample",
]

DEGREES = 4.0
#: The t's scale that makes its variance 1: sqrt((nu - 2) / nu).
ROBUST_SCALE = math.sqrt((DEGREES - 2) / DEGREES)
#: Scores beyond this map to the prior's quantile at Phi(+-8.2) (about 1e-16): the level map's
#: numerical edge.
SCORE_EDGE = 8.2


#: log of the Student-t density's constant, scale included.
_LOG_CONSTANT = (
    math.lgamma((DEGREES + 1) / 2)
    - math.lgamma(DEGREES / 2)
    - 0.5 * math.log(DEGREES * math.pi)
    - math.log(ROBUST_SCALE)
)


def robust_logpdf(z: np.ndarray) -> np.ndarray:
    """Log density of the robust prior of a persistent score."""
    t = np.asarray(z) / ROBUST_SCALE
    return _LOG_CONSTANT - (DEGREES + 1) / 2 * np.log1p(t * t / DEGREES)


def robust_sample(rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
    """Draws from the robust prior (for simulation-based calibration and pilot sizing)."""
    return ROBUST_SCALE * rng.standard_t(DEGREES, size)


def level_of_score(dist: Distribution, z: np.ndarray) -> np.ndarray:
    """``F^-1(Phi(z))``: the value of a campaign-level normal score under the prior ``F``, by
    the engine's own inverse CDF (so a calibrated level maps exactly as the engine maps it)."""
    z = np.clip(np.asarray(z, float), -SCORE_EDGE, SCORE_EDGE)
    if dist.is_fixed:
        return np.full(z.shape, dist.mean())
    return np.asarray(dist.sampler()(special.ndtr(z)), float)


def next_campaign_scores(mean: float, sd: float, persistent: float) -> tuple[float, float]:
    """Mean and sd of the next campaign's score ``sqrt(p) Zp + sqrt(1 - p) Zc`` when
    ``Zp ~ N(mean, sd^2)`` and the campaign part is fresh."""
    return math.sqrt(persistent) * mean, math.sqrt(persistent * sd * sd + 1 - persistent)


def conflict_percentile(estimate: float, error: float) -> float:
    """Where the data's own estimate of a persistent score sits under the prior (0-100).

    ``estimate`` and ``error``: the mean and sd of the score under the likelihood alone (a
    flat prior). Under the prior such an estimate is about N(0, 1 + error^2), so a percentile
    below 1 or above 99 says the data sit in the prior's tail: a prior-data conflict.
    """
    return float(100.0 * special.ndtr(estimate / math.sqrt(1.0 + error * error)))
