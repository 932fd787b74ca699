"""Levels and shared factors of a pool of creators (MODEL.md §8, docs/model.md).

A prior's range describes either

* a **level** (``describes: level``): the pool's typical value in a campaign, ``L_c``, drawn
  per campaign from the fitted prior; creators spread around it on the logit scale (rates) or
  the log scale (money, counts): ``x_j = g^-1(m(L_c) + tau * eta_j)``, ``eta_j ~ N(0, 1)``,
  where the centre ``m(L)`` makes the pool's mean creator equal ``L`` (``g(L)`` when
  ``tau = 0``; docs/model.md says why the mean and not the median); or
* **creators** (``describes: creators``): each creator's marginal is the fitted prior, and a
  share ``rho`` of its normal-score variance is common to the pool in a campaign (one-factor
  Gaussian copula): ``x_j = F^-1(Phi(sqrt(rho) Z_c + sqrt(1 - rho) e_j))``.

The campaign-level normal score (of ``L_c``, or ``Z_c``) itself splits into a persistent part,
shared by every campaign of one brand, and a campaign part:
``sqrt(p) Z_persistent + sqrt(1 - p) Z_campaign``.

Normal scores here are Pearson correlations of normal scores; rank correlations (Spearman)
are converted with :func:`pearson_of_spearman`, never used in their place.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import special

from campaign_sim.random.distributions import Distribution, Normal
from campaign_sim.random.ppf_table import table_for

__all__ = [
    "LOG_SCALE",
    "LOGIT_SCALE",
    "combine_scores",
    "creator_part_pearson",
    "creator_values",
    "level_centre",
    "normal_scores",
    "pearson_of_spearman",
    "spearman_of_pearson",
    "uniforms_of_scores",
]

LOGIT_SCALE = "logit"  # rates in (0, 1)
LOG_SCALE = "log"  # money and counts > 0

#: The largest uniform below 1: ``Phi`` of a large normal score rounds to 1.0, outside [0, 1).
_BELOW_ONE = 1.0 - 2.0**-53


def pearson_of_spearman(spearman: float) -> float:
    """The normal-score (Pearson) correlation of a Gaussian copula with rank correlation
    ``spearman``: ``2 sin(pi s / 6)``."""
    return 2 * math.sin(math.pi * spearman / 6)


def spearman_of_pearson(pearson: float) -> float:
    """The rank correlation of a Gaussian copula with normal-score correlation ``pearson``:
    ``(6 / pi) asin(r / 2)``."""
    return 6 / math.pi * math.asin(pearson / 2)


def creator_part_pearson(spearman: float, shared_a: float, shared_b: float) -> float:
    """The correlation two quantities' creator parts need so that the creators' values have
    rank correlation ``spearman``, when ``shared_a`` and ``shared_b`` of their normal-score
    variances are the pool's (0 for a level prior, whose creators' deviations it correlates).
    A result of magnitude 1 or more cannot be had: the caller reports it."""
    room = math.sqrt((1 - shared_a) * (1 - shared_b))
    r = pearson_of_spearman(spearman)
    return math.copysign(math.inf, r) if room == 0 else r / room


def normal_scores(u: np.ndarray) -> np.ndarray:
    """``Phi^-1(u)`` by the engine's quantile tables (exact in the far tails)."""
    return table_for(_STANDARD_NORMAL)(u)


_STANDARD_NORMAL = Normal(0.0, 1.0)


def uniforms_of_scores(z: np.ndarray) -> np.ndarray:
    """``Phi(z)``, kept inside [0, 1)."""
    return np.minimum(special.ndtr(z), _BELOW_ONE)


def combine_scores(
    persistent: np.ndarray | None, campaign: np.ndarray | None, share: float
) -> np.ndarray:
    """Uniforms of ``sqrt(share) Z_persistent + sqrt(1 - share) Z_campaign`` from the two
    parts' uniforms. ``share`` 0 or 1 returns that part's uniforms unchanged (exactly)."""
    if share == 0:
        assert campaign is not None
        return campaign
    if share == 1:
        assert persistent is not None
        return persistent
    assert persistent is not None and campaign is not None
    z = math.sqrt(share) * special.ndtri(persistent) + math.sqrt(1 - share) * special.ndtri(
        campaign
    )
    return uniforms_of_scores(z)


def creator_values(
    dist: Distribution,
    describes: str,
    scale: str,
    spread: float,
    shared: float,
    pool_u: np.ndarray | None,
    creator_u: np.ndarray,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Every creator's value, shape ``creator_u.shape`` (rows, campaigns), and the pool's
    campaign-level value (the level ``L_c``, or the shared factor as a value ``F^-1(Phi(Z_c))``;
    None when there is none).

    ``pool_u``: the campaign-level uniforms (shape (campaigns,)) of the level or the shared
    factor; ``creator_u``: each creator's own uniforms. ``spread`` (tau) is on ``scale``.
    """
    rows, n = creator_u.shape
    if describes == "level":
        level = _values(dist, pool_u, n)
        if spread == 0:
            return np.broadcast_to(level, (rows, n)).copy(), level
        return _spread(level, spread, normal_scores(creator_u), scale), level
    if shared == 0:
        return _values(dist, creator_u, n), None
    assert pool_u is not None
    common = special.ndtri(pool_u)
    z = math.sqrt(shared) * common + math.sqrt(1 - shared) * normal_scores(creator_u)
    values = np.full(z.shape, dist.mean()) if dist.is_fixed else dist.score_sampler()(z)
    return values, _values(dist, pool_u, n)


def _values(dist: Distribution, u: np.ndarray | None, n: int) -> np.ndarray:
    if dist.is_fixed:
        shape = (n,) if u is None else u.shape
        return np.full(shape, dist.mean())
    assert u is not None
    return dist.sampler()(u)


def _spread(level: np.ndarray, spread: float, eta: np.ndarray, scale: str) -> np.ndarray:
    """Creators ``g^-1(centre(L) + tau eta)`` around levels ``L`` (shape (campaigns,)), with
    ``g`` the logit or the log and the centre placed so that the creators' mean is ``L``."""
    centre = level_centre(level, spread, scale)
    shift = spread * eta
    if scale == LOGIT_SCALE:
        return special.expit(centre + shift)
    return np.exp(centre + shift)


def level_centre(level: np.ndarray, spread: float, scale: str) -> np.ndarray:
    """Where on the logit or log scale creators centre so that their mean is ``level``.

    Log scale: ``log L - tau^2 / 2`` (the lognormal mean). Logit scale: ``m`` with
    ``E[expit(m + tau eta)] = L``, read from a table of that mean over ``m`` (Gauss-Hermite,
    accurate to about 1e-7 relative). ``tau = 0`` is ``g(L)`` itself.
    """
    with np.errstate(divide="ignore"):
        if scale == LOG_SCALE:
            return np.log(level) - spread * spread / 2
        if spread == 0:
            return special.logit(level)
        grid, means = _logit_means(spread)
        return np.interp(special.logit(level), means, grid, left=-np.inf, right=np.inf)


@functools.lru_cache(maxsize=64)
def _logit_means(spread: float) -> tuple[np.ndarray, np.ndarray]:
    """A grid of centres ``m`` and the logit of ``E[expit(m + tau eta)]`` at each: monotone,
    nearly linear, so interpolating it backwards is accurate."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    grid = np.linspace(-40.0, 40.0, 16_001)
    means = special.expit(grid[:, None] + spread * nodes[None, :]) @ weights
    return grid, special.logit(means)
