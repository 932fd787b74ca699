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
    "OWN_PERSISTENT",
    "own_scores",
    "creator_part_pearson",
    "creator_values",
    "level_centre",
    "normal_scores",
    "pool_draw",
    "pearson_of_spearman",
    "spearman_of_pearson",
    "uniforms_of_scores",
]

LOGIT_SCALE = "logit"  # rates in (0, 1)
LOG_SCALE = "log"  # money and counts > 0

#: A named creator's own deviation from the pool, ``eta = sqrt(q) eta_persistent +
#: sqrt(1 - q) eta_campaign`` (MODEL.md §10): ``q``, the share of its variance that is the
#: creator's usual self, the same in every campaign. ASSUMPTION: no source figure measures
#: it; half, as for the pools' levels (docs/rosters.md gives the reason and what it changes).
#: History narrows ``eta_persistent`` only, so ``sqrt(1 - q) tau`` is the floor of a creator's
#: own spread however long their history.
OWN_PERSISTENT = 0.5

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


def pool_draw(
    persistent: np.ndarray | None,
    campaign: np.ndarray,
    share: float,
    persistent_score: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A pool's campaign-level draw from its parts' uniforms: the uniforms ``u`` and normal
    score ``z`` of ``sqrt(share) Z_persistent + sqrt(1 - share) Z_campaign``, and the two
    parts' scores (zeros for an absent part). ``share`` 0 or 1 keeps that part's uniforms
    unchanged (exactly); ``persistent`` may be None when ``share`` is 0.

    ``persistent_score``: ``Z_persistent`` itself, in place of ``Phi^-1(persistent)`` (a
    calibrated scenario's, :mod:`campaign_sim.engine.calibrated`)."""
    z_campaign = special.ndtri(campaign) if share < 1 else np.zeros_like(campaign)
    if share == 0:
        return campaign, z_campaign, np.zeros_like(campaign), z_campaign
    if persistent_score is not None:
        z_persistent = persistent_score
        if share == 1:
            return uniforms_of_scores(z_persistent), z_persistent, z_persistent, z_campaign
    else:
        assert persistent is not None
        z_persistent = special.ndtri(persistent)
    if share == 1:
        assert persistent is not None  # a given persistent score returned above
        return persistent, z_persistent, z_persistent, z_campaign
    z = math.sqrt(share) * z_persistent + math.sqrt(1 - share) * z_campaign
    return uniforms_of_scores(z), z, z_persistent, z_campaign


def creator_values(
    dist: Distribution,
    describes: str,
    scale: str,
    spread: float,
    shared: float,
    pool: tuple[np.ndarray, np.ndarray] | None,
    creator_u: np.ndarray,
    level_is: str = "mean",
) -> np.ndarray:
    """Every creator's value, shape ``creator_u.shape`` (rows, campaigns).

    ``level_is``: whether a level is the pool's ``mean`` creator (the default) or its
    ``median`` one (MODEL.md §8's ``g(L_c)``), see :func:`level_centre`.

    ``pool``: the pool's campaign-level value (the level ``L_c``, or ``F^-1(Phi(Z_c))`` of a
    shared factor) and normal score ``Z_c``, each of shape (campaigns,), or None when it has
    none; ``creator_u``: each creator's own uniforms. ``spread`` (tau) is on ``scale``.
    """
    rows, n = creator_u.shape
    if describes == "level":
        level = np.full(n, dist.mean()) if pool is None else pool[0]
        if spread == 0:
            return np.broadcast_to(level, (rows, n)).copy()
        return _spread(level, spread, creator_u, scale, level_is)
    if shared == 0:
        return _values(dist, creator_u, n)
    assert pool is not None
    z = normal_scores(creator_u)
    z *= math.sqrt(1 - shared)
    z += math.sqrt(shared) * pool[1]
    return np.full(z.shape, dist.mean()) if dist.is_fixed else dist.score_sampler()(z)


def _values(dist: Distribution, u: np.ndarray | None, n: int) -> np.ndarray:
    if dist.is_fixed:
        shape = (n,) if u is None else u.shape
        return np.full(shape, dist.mean())
    assert u is not None
    return dist.sampler()(u)


def _spread(
    level: np.ndarray, spread: float, creator_u: np.ndarray, scale: str, level_is: str
) -> np.ndarray:
    """Creators ``g^-1(centre(L) + tau eta)`` around levels ``L`` (shape (campaigns,)), with
    ``g`` the logit or the log and the centre placed so that the creators' mean is ``L``;
    ``eta`` the normal scores of ``creator_u``. Computed in place: a few passes per value."""
    x = table_for(Normal(0.0, spread))(creator_u)  # tau eta
    x += level_centre(level, spread, scale, level_is)
    if scale == LOGIT_SCALE:  # expit(x) = 1 / (1 + exp(-x)), faster than scipy's on arrays
        np.negative(x, out=x)
        np.exp(x, out=x)
        x += 1.0
        return np.reciprocal(x, out=x)
    return np.exp(x, out=x)


def level_centre(
    level: np.ndarray, spread: float, scale: str, level_is: str = "mean"
) -> np.ndarray:
    """Where on the logit or log scale creators centre so that their mean is ``level``
    (``level_is="median"``: so that their median is, which is ``g(level)`` itself).

    Log scale: ``log L - tau^2 / 2`` (the lognormal mean). Logit scale: ``m`` with
    ``E[expit(m + tau eta)] = L``, read from a table of ``m`` over ``logit L`` on an even grid
    (built by Gauss-Hermite quadrature; accurate to about 1e-7 relative). ``tau = 0`` is
    ``g(L)`` itself.
    """
    with np.errstate(divide="ignore"):
        if scale == LOG_SCALE:
            return np.log(level) - (spread * spread / 2 if level_is == "mean" else 0.0)
        y = special.logit(level)
    if spread == 0 or level_is == "median":
        return y
    start, step, centres = _centre_table(spread)
    position = np.clip((y - start) / step, 0.0, centres.size - 1.000001)
    index = position.astype(np.intp)
    low = centres[index]
    out = low + (position - index) * (centres[index + 1] - low)
    # Beyond the table (levels within ~e^-40 of 0 or 1) the centre is the logit's own sign.
    return np.where(np.isfinite(y), out, y)


@functools.lru_cache(maxsize=64)
def _centre_table(spread: float) -> tuple[float, float, np.ndarray]:
    """``(start, step, centres)``: the centre ``m`` for ``logit L`` on an even grid."""
    grid, means = _logit_means(spread)
    targets = np.linspace(-38.0, 38.0, 30_401)
    return float(targets[0]), float(targets[1] - targets[0]), np.interp(targets, means, grid)


@functools.lru_cache(maxsize=64)
def _logit_means(spread: float) -> tuple[np.ndarray, np.ndarray]:
    """A grid of centres ``m`` and the logit of ``E[expit(m + tau eta)]`` at each: monotone,
    nearly linear, so interpolating it backwards is accurate."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    grid = np.linspace(-40.0, 40.0, 16_001)
    means = special.expit(grid[:, None] + spread * nodes[None, :]) @ weights
    return grid, special.logit(means)


def own_scores(
    persistent: np.ndarray, campaign: np.ndarray, share: float = OWN_PERSISTENT
) -> np.ndarray:
    """A named creator's own normal score ``sqrt(q) persistent + sqrt(1 - q) campaign``
    (MODEL.md §10): N(0, 1) when both parts are, so a creator without history is a pool
    creator in distribution."""
    return math.sqrt(share) * persistent + math.sqrt(1.0 - share) * campaign
