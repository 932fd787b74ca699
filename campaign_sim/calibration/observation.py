"""The observation layer: what a creator's counts and fees say about a pool's levels.

The engine's creator terms are expectations (docs/model.md); a pilot observes counts. For a
creator ``j`` of pool ``k`` with audience ``A_j = followers x (1 - fake share) x deliverables``
(fake share at its prior mean) in past campaign ``c``:

* engagements ``~ Poisson(A_j e_j)`` — on the creator's own deliverables;
* reach ``~ Poisson(A_j r_j + E_j k_R)`` — including amplified reach past the followers when the
  funnel amplifies, ``k_R`` the prior mean of reach per engagement through shares and user
  posts, ``E_j`` the creator's observed engagements (else the expected ones at the prior mean);
* attributed orders ``~ Poisson(S_c (B_j c_j + E_j k_O))`` (negative binomial with the
  scenario's dispersion when it has one) — ``B_j`` the observed conversion base (engagements,
  reach or audience), ``S_c`` the campaign's shock, ``k_O`` the prior mean of amplified orders
  per engagement; each engagement converts independently, so the orders of a creator whose
  engagements were counted are Poisson around them (the thinning of a Poisson count);
* a fee per deliverable whose normal score under the prior is the pool's shared score plus the
  creator's own.

``e_j, r_j, c_j`` are the creator's rates around the pool's campaign level (random/levels.py);
the creator's deviation is integrated out by :mod:`campaign_sim.calibration.quadrature`, and
rows without followers over the tier's followers (:data:`FOLLOWER_NODES` quantiles).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special

from campaign_sim.calibration.prior import level_of_score
from campaign_sim.calibration.quadrature import log_marginal
from campaign_sim.random.levels import LOG_SCALE, level_centre
from campaign_sim.scenario.plan import AMPLIFICATION, Prior, Scenario

__all__ = [
    "FOLLOWER_NODES",
    "PoolModel",
    "fee_cell",
    "pool_model",
    "rate_cell",
]

#: Quantiles of the tier's followers a row without followers is integrated over.
FOLLOWER_NODES = 16


@dataclass(frozen=True)
class PoolModel:
    """What the observation layer needs of one pool (``tier/platform``)."""

    pool: str
    priors: dict[str, Prior]
    audience_share: float  # 1 - fake share (prior mean)
    reach_per_engagement: float  # k_R: amplified reach per engagement (0 without)
    orders_per_engagement: float  # k_O: amplified orders per engagement (0 without)
    conversion_base: str
    dispersion: float  # of orders: variance / mean

    def follower_nodes(self) -> np.ndarray:
        """Followers at the mid-quantiles of the tier's followers prior."""
        q = (np.arange(FOLLOWER_NODES) + 0.5) / FOLLOWER_NODES
        return np.asarray(self.priors["followers"].dist.ppf(q), float)

    def mean(self, quantity: str) -> float:
        prior = self.priors.get(quantity)
        return 0.0 if prior is None else float(prior.dist.mean())


def pool_priors(scenario: Scenario, tier: str, platform: str) -> dict[str, Prior]:
    """The pool's resolved priors: the platform's own, else the tier's default."""
    out: dict[str, Prior] = {}
    for prior in scenario.priors:
        if prior.tier == tier and prior.platform is None:
            out.setdefault(prior.quantity, prior)
    for prior in scenario.priors:
        if prior.tier == tier and prior.platform == platform:
            out[prior.quantity] = prior
    return out


def pool_model(scenario: Scenario, pool: str) -> PoolModel:
    tier, platform = pool.split("/", 1)
    priors = pool_priors(scenario, tier, platform)
    funnel = scenario.funnel
    model = PoolModel(pool, priors, 1.0, 0.0, 0.0, scenario.conversion_base, 1.0)
    fake = model.mean("fake_share")
    k_reach = k_orders = 0.0
    if funnel.amplification and all(q in priors for q in AMPLIFICATION):
        k_reach = model.mean("share_rate") * model.mean("reach_per_share") + model.mean(
            "user_post_rate"
        ) * model.mean("reach_per_user_post")
        engaged = k_reach * model.mean("amplified_engagement_rate")
        base = engaged if scenario.conversion_base == "engagements" else k_reach
        k_orders = base * model.mean("amplified_conversion_rate")
    dispersion = funnel.orders_dispersion if funnel.orders == "negative_binomial" else 1.0
    return PoolModel(
        pool,
        priors,
        1.0 - fake,
        k_reach,
        k_orders,
        scenario.conversion_base,
        dispersion,
    )


def centres(prior: Prior, z: np.ndarray, spread: float | None = None) -> np.ndarray:
    """Where the pool's creators centre (logit or log scale) at campaign scores ``z``."""
    tau = prior.creator_spread if spread is None else spread
    level = level_of_score(prior.dist, z)
    return level_centre(level, tau, prior.scale, prior.level_is)


def rate_cell(
    prior: Prior,
    y: np.ndarray,
    size: np.ndarray,
    offset: np.ndarray,
    dispersion: float = 1.0,
    spread: float | None = None,
) -> Callable[[np.ndarray], np.ndarray]:
    """The log-likelihood of one campaign's rows of a pool, as a function of the campaign's
    score ``z`` of a level prior: ``sum_j log int P(y_j | size_j g^-1(m(z) + tau eta) +
    offset_j) phi(eta) d eta``. ``size`` of shape (rows,) or (rows, nodes): the nodes (the
    tier's followers, for rows without them) are averaged over."""
    tau = prior.creator_spread if spread is None else spread

    def loglik(z: np.ndarray) -> np.ndarray:
        m = centres(prior, z, tau)  # (grid,)
        total = np.zeros(z.shape)
        for start in range(0, len(y), 64):
            part = slice(start, start + 64)
            s, o, obs = size[part], offset[part], y[part]
            if s.ndim == 1:
                values = log_marginal(
                    obs[:, None], s[:, None], o[:, None], m[None, :], tau, prior.scale, dispersion
                )
                total += values.sum(axis=0)
                continue
            nodes = s.shape[1]
            values = log_marginal(
                obs[:, None, None],
                s[:, :, None],
                o[:, None, None],
                m[None, None, :],
                tau,
                prior.scale,
                dispersion,
            )
            total += (special.logsumexp(values, axis=1) - math.log(nodes)).sum(axis=0)
        return total

    return loglik


def fee_scores(prior: Prior, fee_per_deliverable: np.ndarray) -> np.ndarray:
    """Each fee's normal score under the pool's fitted fee prior."""
    u = np.asarray(prior.dist.cdf(fee_per_deliverable), float)
    return special.ndtri(np.clip(u, 1e-16, 1 - 1e-16))


def fee_cell(prior: Prior, fee_per_deliverable: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The log-likelihood of one campaign's fees as a function of the pool's campaign score:
    for a creators prior with shared share ``rho``, normal scores ``s_j ~ N(sqrt(rho) z,
    1 - rho)``; for a level prior, ``log fee_j ~ N(m(z), tau^2)``."""
    if prior.describes == "level":
        logs = np.log(fee_per_deliverable)
        tau = max(prior.creator_spread, 1e-6)

        def level_loglik(z: np.ndarray) -> np.ndarray:
            m = (
                centres(prior, z)
                if prior.scale == LOG_SCALE
                else np.log(level_of_score(prior.dist, z))
            )
            d = (logs[:, None] - m[None, :]) / tau
            return (-0.5 * d * d).sum(axis=0) - len(logs) * math.log(tau)

        return level_loglik
    scores = fee_scores(prior, fee_per_deliverable)
    rho = prior.shared

    def shared_loglik(z: np.ndarray) -> np.ndarray:
        d = scores[:, None] - math.sqrt(rho) * z[None, :]
        return (-0.5 * d * d / (1 - rho)).sum(axis=0)

    return shared_loglik
