"""Conversion levels and product appeal, jointly: importance sampling.

Orders of every creator of one past campaign share its shock ``S_c = exp(sigma (sqrt(q) Sp +
sqrt(1 - q) Sc))``, so they inform (conversion level x appeal) together, and pools seen in one
campaign get correlated posteriors. The unknowns are the pools' persistent conversion scores
``Zp``, each product's persistent appeal ``Sp``, each campaign's shock part ``Sc`` and each
(pool, campaign) cell's campaign part ``zc`` of the level; the creators' own deviations are
integrated out row by row (:mod:`campaign_sim.calibration.quadrature`).

The posterior is computed by importance sampling from a multivariate t (5 degrees of freedom)
centred on the posterior mode with the inverse Hessian there as its scale. Its numerical error
is the Monte Carlo error of the weighted moments, ``sd / sqrt(ESS)`` (the effective sample
size of the weights): it is reported with the result and drawn again with more samples while
the effective sample size is below :data:`MIN_ESS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from campaign_sim.calibration.observation import centres
from campaign_sim.calibration.prior import robust_logpdf
from campaign_sim.calibration.quadrature import log_marginal
from campaign_sim.scenario.plan import Prior

__all__ = ["MIN_ESS", "OrderCells", "JointPosterior", "joint_posterior"]

MIN_ESS = 1000
_DRAWS = 4000
_MAX_DRAWS = 64000
_PROPOSAL_DF = 5.0
_VALUES = 131_072  # draws x rows evaluated per pass (memory: a few MB per array)


@dataclass(frozen=True)
class OrderCells:
    """The orders rows of the conversion block, flattened.

    ``pools``: each pool's conversion prior; ``campaign_product``: each campaign's product
    index (0 is the scenario's product); row arrays: orders ``y``, base ``base``, offset
    ``offset``, creator ``spread`` (tau, or tau / sqrt(creators) for campaign totals), the row's
    ``cell`` (index into ``cell_pool``/``cell_campaign``).
    """

    pools: tuple[Prior, ...]
    products: int
    campaign_product: np.ndarray
    cell_pool: np.ndarray
    cell_campaign: np.ndarray
    y: np.ndarray
    base: np.ndarray
    offset: np.ndarray
    spread: np.ndarray
    cell: np.ndarray
    shock_sigma: float
    shock_persistent: float
    dispersion: float


@dataclass(frozen=True)
class JointPosterior:
    """Weighted moments of the targets: the pools' ``Zp`` then (when present) ``Sp`` of the
    scenario's product. ``mcse``: Monte Carlo standard error of each mean; ``ess``."""

    mean: np.ndarray
    covariance: np.ndarray
    flat_mean: np.ndarray  # each target under the likelihood alone (its prior divided out)
    flat_sd: np.ndarray
    mcse: np.ndarray
    ess: float
    draws: int
    has_appeal: bool


class _Layout:
    def __init__(self, cells: OrderCells) -> None:
        self.cells = cells
        self.n_pools = len(cells.pools)
        self.shocked = cells.shock_sigma > 0
        self.n_products = cells.products if self.shocked and cells.shock_persistent > 0 else 0
        self.n_campaigns = len(cells.campaign_product) if self.shocked else 0
        self.n_cells = len(cells.cell_pool)
        self.size = self.n_pools + self.n_products + self.n_campaigns + self.n_cells
        # Rows of a cell share its creators' spread (tau; tau / sqrt(n) for campaign totals,
        # which :func:`campaign_sim.calibration.update` keeps in cells of their own).
        self.cell_spread = [float(cells.spread[cells.cell == k][0]) for k in range(self.n_cells)]

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, ...]:
        a = self.n_pools
        b = a + self.n_products
        c = b + self.n_campaigns
        return theta[:, :a], theta[:, a:b], theta[:, b:c], theta[:, c:]

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        zp, sp, sc, zc = self.split(theta)
        robust = robust_logpdf(zp).sum(axis=1) + robust_logpdf(sp).sum(axis=1)
        return robust - 0.5 * (sc * sc).sum(axis=1) - 0.5 * (zc * zc).sum(axis=1)

    def log_likelihood(self, theta: np.ndarray) -> np.ndarray:
        cells = self.cells
        zp, sp, sc, zc = self.split(theta)
        n = theta.shape[0]
        m = np.empty((n, self.n_cells))
        for k in range(self.n_cells):
            prior = cells.pools[cells.cell_pool[k]]
            p = prior.persistent
            z = math.sqrt(p) * zp[:, cells.cell_pool[k]] + math.sqrt(1 - p) * zc[:, k]
            m[:, k] = centres(prior, z, self.cell_spread[k])
        shock = np.ones((n, len(cells.y)))
        if self.shocked:
            q = cells.shock_persistent
            b = cells.shock_sigma * math.sqrt(1 - q) * sc
            if self.n_products:
                b = b + cells.shock_sigma * math.sqrt(q) * sp[:, cells.campaign_product]
            shock = np.exp(b[:, cells.cell_campaign[cells.cell]])
        total = np.zeros(n)
        for tau in np.unique(cells.spread):
            rows = cells.spread == tau
            values = log_marginal(
                cells.y[rows][None, :],
                shock[:, rows] * cells.base[rows][None, :],
                shock[:, rows] * cells.offset[rows][None, :],
                m[:, cells.cell[rows]],
                float(tau),
                "logit",
                cells.dispersion,
            )
            total += values.sum(axis=1)
        return total

    def log_posterior(self, theta: np.ndarray) -> np.ndarray:
        out = np.empty(theta.shape[0])
        batch = max(1, _VALUES // max(len(self.cells.y), 1))  # draws x rows per pass
        for start in range(0, theta.shape[0], batch):
            part = theta[start : start + batch]
            out[start : start + batch] = self.log_prior(part) + self.log_likelihood(part)
        return out

    def targets(self, theta: np.ndarray, appeal: bool) -> np.ndarray:
        zp, sp, _, _ = self.split(theta)
        return np.hstack([zp, sp[:, :1]]) if appeal else zp


def _mode(layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """The posterior mode and the inverse Hessian of minus the log posterior there."""

    def objective(x: np.ndarray) -> float:
        return -float(layout.log_posterior(x[None, :])[0])

    def gradient(x: np.ndarray) -> np.ndarray:  # central differences, one batch
        step = 1e-5 * np.eye(layout.size)
        values = -layout.log_posterior(np.vstack([x + step, x - step]))
        return (values[: layout.size] - values[layout.size :]) / 2e-5

    found = optimize.minimize(objective, np.zeros(layout.size), jac=gradient, method="BFGS")
    x = found.x
    h = 1e-3
    d = layout.size
    steps = np.eye(d) * h
    points = [x]
    for i in range(d):
        points += [x + steps[i], x - steps[i]]
        for j in range(i):
            points += [x + steps[i] + steps[j], x - steps[i] - steps[j]]
    values = -layout.log_posterior(np.array(points))
    f0 = values[0]
    hess = np.empty((d, d))
    at = 1
    for i in range(d):
        hess[i, i] = (values[at] - 2 * f0 + values[at + 1]) / (h * h)
        at += 2
        for j in range(i):
            plus, minus = values[at], values[at + 1]
            at += 2
            both = plus + minus - 2 * f0
            hess[i, j] = hess[j, i] = (both - hess[i, i] * h * h - hess[j, j] * h * h) / (2 * h * h)
    hess = (hess + hess.T) / 2
    eigen, vectors = np.linalg.eigh(hess)
    eigen = np.maximum(eigen, 1e-3)
    return x, (vectors / eigen) @ vectors.T


def joint_posterior(cells: OrderCells, seed: int) -> JointPosterior:
    """The importance-sampled posterior of the conversion block's targets."""
    layout = _Layout(cells)
    appeal = layout.n_products > 0
    mode, scale = _mode(layout)
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(scale * 1.2)
    draws = _DRAWS
    while True:
        normal = rng.standard_normal((draws, layout.size))
        chi = rng.chisquare(_PROPOSAL_DF, draws) / _PROPOSAL_DF
        theta = mode + (normal @ chol.T) / np.sqrt(chi)[:, None]
        quad = (normal * normal).sum(axis=1) / chi
        log_q = -0.5 * (_PROPOSAL_DF + layout.size) * np.log1p(quad / _PROPOSAL_DF)
        log_w = layout.log_posterior(theta) - log_q
        log_w -= special.logsumexp(log_w)
        w = np.exp(log_w)
        ess = float(1.0 / (w * w).sum())
        if ess >= MIN_ESS or draws >= _MAX_DRAWS:
            break
        draws *= 2
    x = layout.targets(theta, appeal)
    mean = w @ x
    centred = x - mean
    covariance = (centred * w[:, None]).T @ centred
    mcse = np.sqrt(np.diag(covariance) / ess)
    flat = w[:, None] * np.exp(-robust_logpdf(x))
    flat /= flat.sum(axis=0)
    flat_mean = (flat * x).sum(axis=0)
    flat_sd = np.sqrt((flat * (x - flat_mean) ** 2).sum(axis=0))
    return JointPosterior(mean, covariance, flat_mean, flat_sd, mcse, ess, draws, appeal)
