"""A named creator's persistent own effect, learnt from their history (MODEL.md §10).

A named creator ``j`` of pool ``k`` has, in campaign ``c``, the own normal score
``eta = sqrt(q) eta_p + sqrt(1 - q) eta_c`` (:func:`campaign_sim.random.levels.own_scores`,
``q`` = :data:`~campaign_sim.random.levels.OWN_PERSISTENT`): ``eta_p``, their usual self, is the
same in every campaign of the brand (prior N(0, 1)), ``eta_c ~ N(0, 1)`` is fresh each campaign.
Their rate is ``g^-1(m(L_c) + tau eta)``, ``L_c = L(sqrt(p) Zp + sqrt(1 - p) Zc)`` the pool's
level (``Zp`` its persistent score, ``Zc`` the campaign part), ``m`` the centre that makes the
pool's mean creator ``L_c`` (:func:`campaign_sim.random.levels.level_centre`) and ``tau`` the
pool's creator spread. Given ``eta_p`` the creator's rate in campaign ``c`` is therefore a pool
creator's with the centre shifted by ``tau sqrt(q) eta_p`` and the spread narrowed to
``tau sqrt(1 - q)``: the row likelihood is :func:`~campaign_sim.calibration.quadrature.
log_marginal` with those two arguments (``eta_c`` integrated out by adaptive Gauss-Hermite).

**Method: one fit, each row once.** The joint posterior of the pool score and the creator's
own effect factorises exactly as

    p(Zp, eta_p | data) = p(Zp | data) p(eta_p | Zp, data),

    p(eta_p | Zp, data) ∝ phi(eta_p) prod_k int prod_{r of j in k} P(y_r | m(L(z)) + tau
    sqrt(q) eta_p, tau sqrt(1 - q)) w_k(Zc | Zp) dZc,     z = sqrt(p) Zp + sqrt(1 - p) Zc,

over the past campaigns ``k`` of the creator's rows (campaigns without them do not depend on
``eta_p`` given ``Zp``), where ``w_k(Zc | Zp) ∝ phi(Zc) prod_{r' not of j in k}
P(y_r' | z)`` is the campaign part's posterior given ``Zp`` and the OTHER creators' rows of
campaign ``k`` (each with its own deviation integrated out under N(0, 1), the cell table of
:mod:`campaign_sim.calibration.grid` without creator ``j``'s terms). The normaliser of ``w_k``
does not depend on ``eta_p``, so this conditional is exact under the model.

``p(Zp | data)`` is the pool level's posterior that :func:`~campaign_sim.calibration.update.
calibrate` computes from ALL rows, unchanged: the pool's numbers are bit-identical with and
without named creators, and no row enters twice (the creator's rows move the pool level once,
there, and the creator's own effect only through this conditional). APPROXIMATIONS:

* the pool posterior treats the creator's rows of different campaigns as different creators
  (their own deviations independent, N(0, 1) each), where the model correlates them by
  ``q``: a creator seen in many campaigns moves the pool level more than the full model
  would (their persistent effect is partly read as the pool's), and given that higher (or
  lower) pool level their own effect comes out nearer 0. It grows with the creator's share
  of the pool's rows and their number of campaigns: for a creator with a fifth of a nano
  pool's rows over 40 campaigns (eta_p 1.5; the histories of
  tests/test_calibration_creators.py, seeds 1-5) the engagement level's score came out
  0.3-1.0 high (truth 0.5, posterior sd 0.3) and eta_p 0.03-0.36 low (posterior sd 0.19); a
  creator among many moves it far less. Removing it needs the pool's own update to know the
  named creators. Every result carries the CHECK (``CreatorUpdate.full``, the file's
  ``full_model_check``): the full model's joint of the same rows, which has the same
  conditional ``p(eta_p | Zp, data)`` and reweights the pool nodes by ``prod_k
  exp(A_k - B_k)`` (``A_k`` the creator's rows of campaign ``k`` read with their own
  effect, ``B_k`` as the pool read them, both integrated over ``w_k``); where its ``eta_p``
  differs from the written one by more than :data:`CHECK_GAP` posterior sds a note says so.
  In the histories above it puts eta_p at 1.32 and 1.55 (seeds 1, 2; written 1.14 and
  1.34) and the pool score at 0.23 and 0.39 (written 0.83 and 1.14);
* ``tau`` is fixed at the value the engine uses: the pool's learnt spread (its posterior
  median, what ``calibration.spread`` writes) or the prior's ``creator_spread``; the level's
  doubt about ``tau`` is not carried into ``eta_p``;
* the written posterior is Gaussian: the mean and covariance of ``(Zp, eta_p)`` on the grid,
  with ``eta_p = a + b Zp + e`` (regression on the pool score, ``e`` independent of every
  other name and of the other creators' ``e``), so ``Cov(eta_p, X) = b Cov(Zp, X)`` for
  every other name ``X`` and ``Var(eta_p) = b^2 Var(Zp) + Var(e)``: positive semi-definite
  by construction;
* at most one row of a creator per campaign and pool (the observed file's duplicate check);
  several would each integrate their own ``eta_c``.

**Numerics.** ``Zp`` on the pool posterior's grid support (weights above 1e-14 of the mode),
thinned to at most :data:`ZP_NODES` nodes; ``eta_p`` first every :data:`COARSE_STEP` over
±:data:`ETA_LIMIT` to find its support, then every :data:`ETA_STEP` there; each campaign's
``z`` every ``4 x`` :data:`~campaign_sim.calibration.grid.STEP` (0.05; the campaign part's
kernel has sd ``sqrt(1 - p)``, 0.71 by default) over ``sqrt(p) Zp ± 8 sqrt(1 - p)``; the
creator's row log-likelihood tabulated on the centre every :data:`CENTRE_STEP` (logit or
log scale) and read linearly. Posterior moments on these grids. Tested against a brute-force
trapezoid integral (agreement about 1e-8) and against every step halved (moments move by
about 1e-6).

Quantities: ``engagement_rate`` and ``reach_rate``. ``conversion_rate`` is left out in this
version (its orders share the campaign's shock with every pool, learnt by importance
sampling in :mod:`campaign_sim.calibration.joint`, which has no grid to condition on): a
named creator's conversion keeps its prior own effect N(0, 1).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from campaign_sim.calibration import grid as grids
from campaign_sim.calibration.grid import Posterior1D
from campaign_sim.calibration.observation import centres, rate_cell
from campaign_sim.calibration.quadrature import log_marginal
from campaign_sim.calibration.result import Calibration, CreatorUpdate, Summary
from campaign_sim.creators.handles import canonical_handle
from campaign_sim.random.levels import LOG_SCALE, OWN_PERSISTENT
from campaign_sim.scenario.plan import Prior

__all__ = [
    "CENTRE_STEP",
    "ETA_LIMIT",
    "ETA_STEP",
    "QUANTITIES",
    "ZP_NODES",
    "CreatorRates",
    "creator_effects",
    "own_effect",
    "with_creators",
]

#: The rates whose persistent own effect is learnt (conversion: see the module docstring).
QUANTITIES = ("engagement_rate", "reach_rate")
COLUMNS = {"engagement_rate": "engagements", "reach_rate": "reach"}
ETA_LIMIT = 8.0
ETA_STEP = 0.01
COARSE_STEP = 0.1  # the first look at eta_p's support
ETA_GRID = np.arange(-round(ETA_LIMIT / ETA_STEP), round(ETA_LIMIT / ETA_STEP) + 1) * ETA_STEP
ZP_NODES = 61
Z_STRIDE = 4  # of grids.Z_GRID, for the campaign part's integral
CENTRE_STEP = 0.004
#: Pool-score grid points below this share of the mode's weight are dropped.
NEGLIGIBLE = 1e-14
#: Campaign scores below exp(-DROP) (4e-18) of every Zp node's mode are left out of its
#: integral; so are eta_p values below it for every Zp node (the first look).
DROP = 40.0
#: A note says so when the full model's eta_p differs from the written one by more than this
#: many posterior sds (the check of the approximation, :attr:`CreatorUpdate.full`).
CHECK_GAP = 0.5
#: A campaign term whose every entry of a Zp row underflows is recomputed in the log domain.
UNDERFLOW = 1e-200


@dataclass(frozen=True)
class CreatorRates:
    """What a pool rate's calibration leaves for its named creators: the prior, the level
    score's posterior on the grid, the creator spread the engine uses, the past campaigns'
    rows (one frame each) and how a frame's rows become counts, sizes and offsets."""

    prior: Prior
    posterior: Posterior1D
    spread: float
    cells: list[pd.DataFrame]
    inputs: Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray, np.ndarray]]


def _handles(frame: pd.DataFrame) -> pd.Series:
    return frame["creator"].map(lambda v: canonical_handle(v) if isinstance(v, str) else None)


def creator_effects(
    named: Mapping[str, str], rates: Mapping[str, CreatorRates], rows: pd.DataFrame
) -> tuple[list[CreatorUpdate], dict[str, str]]:
    """The own effects of the ``named`` creators (handle -> pool) with rows in their pool, in
    handle then quantity order; ``rates``: ``tier/platform/quantity`` -> its calibration.
    Also notes on rows that could not be used."""
    notes: dict[str, str] = {}
    out: list[CreatorUpdate] = []
    handles = _handles(rows)
    pools = rows["tier"] + "/" + rows["platform"]
    for raw, pool in sorted((canonical_handle(h), p) for h, p in named.items()):
        mine = (handles == raw) & (rows["creators"] == 1)
        if not mine.any():
            continue
        elsewhere = int((mine & (pools != pool)).sum())
        if elsewhere:
            notes[f"@{raw}"] = (
                f"{elsewhere} rows in other pools than {pool} (their roster pool) are not used "
                "for their own effect"
            )
        here = rows[mine & (pools == pool)]
        for quantity in QUANTITIES:
            if here[COLUMNS[quantity]].notna().sum() == 0:
                continue
            rate = rates.get(f"{pool}/{quantity}")
            if rate is None:
                notes[f"@{raw}/{quantity}"] = (
                    f"the pool's level {pool}/{quantity} is not calibrated: no own effect"
                )
                continue
            if rate.spread == 0:
                notes[f"@{raw}/{quantity}"] = "creator spread 0: the pool's creators are alike"
                continue
            found = own_effect(rate, raw, pool, quantity)
            if found is None:
                continue
            out.append(found)
            full_mean, full_sd, full_pool, _ = found.full
            if abs(full_mean - found.mean) > CHECK_GAP * found.sd:
                pool_mean = float(rate.posterior.mean)
                notes[found.name] = (
                    f"the full model (the pool level fitted knowing this creator) puts their own "
                    f"effect at {full_mean:.2f} ± {full_sd:.2f} and the pool's score at "
                    f"{full_pool:.2f}, the written posterior at {found.mean:.2f} ± "
                    f"{found.sd:.2f} and {pool_mean:.2f}: they are a large share of the pool's "
                    "rows, and the pool level reads part of their own effect as the pool's"
                )
    return out, notes


def _zp_nodes(posterior: Posterior1D) -> tuple[np.ndarray, np.ndarray]:
    """The pool score's nodes and weights: its grid support, thinned to ZP_NODES."""
    w = posterior.weights
    kept = np.flatnonzero(w > w.max() * NEGLIGIBLE)
    first, last = int(kept[0]), int(kept[-1])
    stride = max(1, math.ceil((last - first + 1) / ZP_NODES))
    chosen = np.arange(first, last + 1, stride)
    weights = w[chosen] / w[chosen].sum()
    return posterior.grid[chosen], weights


def own_effect(rate: CreatorRates, handle: str, pool: str, quantity: str) -> CreatorUpdate | None:
    """The posterior of ``handle``'s persistent own effect of ``quantity`` (None: no rows)."""
    zp, wp = _zp_nodes(rate.posterior)
    pieces = []
    used = 0
    for cell in rate.cells:
        own = (_handles(cell) == handle).to_numpy()
        if own.any():
            used += int(own.sum())
            pieces.append(_campaign(rate, cell[own], cell[~own], zp))
    if not pieces:
        return None
    # A first look every COARSE_STEP finds where eta_p has weight for some Zp; the moments
    # come from ETA_STEP there.
    coarse = _eta_log_posterior(pieces, ETA_GRID[:: round(COARSE_STEP / ETA_STEP)])
    coarse -= coarse.max(axis=1, keepdims=True)
    keep = np.flatnonzero((coarse > -DROP).any(axis=0))
    coarse_grid = ETA_GRID[:: round(COARSE_STEP / ETA_STEP)]
    low = coarse_grid[max(keep[0] - 1, 0)]
    high = coarse_grid[min(keep[-1] + 1, len(coarse_grid) - 1)]
    eta = ETA_GRID[(low - 1e-9 <= ETA_GRID) & (high + 1e-9 >= ETA_GRID)]
    total = _eta_log_posterior(pieces, eta)
    top = total.max(axis=1, keepdims=True)
    conditional = np.exp(total - top)
    mass = conditional.sum(axis=1)
    conditional /= mass[:, None]
    mean_i = conditional @ eta
    var_i = np.maximum(conditional @ (eta * eta) - mean_i**2, 0.0)
    mean = float(wp @ mean_i)
    zbar = float(wp @ zp)
    var_zp = float(wp @ (zp - zbar) ** 2)
    cov = float(wp @ ((zp - zbar) * (mean_i - mean)))
    var = float(wp @ (var_i + (mean_i - mean) ** 2))
    slope = cov / var_zp if var_zp > 0 else 0.0
    residual = max(var - slope * slope * var_zp, 0.0)
    sd = math.sqrt(var)
    # The check: the full model's joint (the pool level fitted knowing the creator) has the
    # same conditional of eta_p, and Zp reweighted by the creator's rows read with their
    # persistent effect instead of as independent creators.
    log_full = (
        np.log(np.maximum(wp, 1e-300))
        - sum(piece.independent for piece in pieces)
        + np.log(mass)
        + top[:, 0]
    )
    full = np.exp(log_full - log_full.max())
    full /= full.sum()
    full_mean = float(full @ mean_i)
    full_sd = math.sqrt(float(full @ (var_i + (mean_i - full_mean) ** 2)))
    full_pool = float(full @ zp)
    full_pool_sd = math.sqrt(float(full @ (zp - full_pool) ** 2))
    prior, tau = rate.prior, rate.spread
    centre = float(centres(prior, np.array([math.sqrt(prior.persistent) * zbar]), tau)[0])
    shift = tau * math.sqrt(OWN_PERSISTENT)
    return CreatorUpdate(
        handle=handle,
        pool=pool,
        quantity=quantity,
        rows=used,
        campaigns=len(pieces),
        spread=tau,
        mean=mean,
        sd=sd,
        slope=slope,
        residual=residual,
        usual_prior=_usual(prior.scale, centre, shift, 0.0, 1.0),
        usual_posterior=_usual(prior.scale, centre, shift, mean, sd),
        full=(full_mean, full_sd, full_pool, full_pool_sd),
    )


def _eta_log_posterior(pieces: list[_Campaign], eta: np.ndarray) -> np.ndarray:
    """``log phi(eta_p) + sum_k term_k``: ``log p(eta_p | Zp, data)`` up to a constant per Zp
    node (the same for every Zp node and campaign: the grids' steps)."""
    total = np.zeros((pieces[0].zp_nodes, eta.size))
    for piece in pieces:
        total += piece.term(eta)
    return total - 0.5 * eta * eta


def _usual(scale: str, centre: float, shift: float, mean: float, sd: float) -> Summary:
    """The usual rate ``g^-1(centre + shift eta_p)``, ``eta_p ~ N(mean, sd)``: median, P5,
    P95 (a monotone map of a normal's quantiles)."""
    inverse = math.exp if scale == LOG_SCALE else special.expit
    z = float(special.ndtri(0.95))
    return Summary(
        float(inverse(centre + shift * mean)),
        float(inverse(centre + shift * (mean - z * sd))),
        float(inverse(centre + shift * (mean + z * sd))),
    )


@dataclass(frozen=True)
class _Campaign:
    """One past campaign of the creator: its campaign scores ``z``, the campaign part's log
    weights given each Zp node and the other creators' rows (``None`` without a campaign
    part: ``z`` is ``Zp``), the pool's centre at ``z`` and the creator's rows' likelihood."""

    z: np.ndarray
    log_w: np.ndarray | None
    centre: np.ndarray
    shift: float  # tau sqrt(q)
    own: Callable[[np.ndarray], np.ndarray]
    zp_nodes: int
    # log int prod_r P(y_r | m(L(z)), tau) w(Zc | Zp) dZc per Zp node: the creator's rows
    # as the pool's update reads them (own deviation N(0, 1)), for the full-model check.
    independent: np.ndarray

    def term(self, eta: np.ndarray) -> np.ndarray:
        """``log int prod_r P(y_r | m(L(z)) + tau sqrt(q) eta_p, tau sqrt(1 - q)) w(Zc | Zp)
        dZc``, shape (Zp nodes, eta nodes)."""
        values = self.own(self.centre[:, None] + self.shift * eta[None, :])
        if self.log_w is None:
            return values
        a = self.log_w.max(axis=1, keepdims=True)
        b = values.max(axis=0, keepdims=True)
        product = np.exp(self.log_w - a) @ np.exp(values - b)
        out = np.log(np.maximum(product, 1e-300)) + a + b
        for i in np.flatnonzero(product.max(axis=1) < UNDERFLOW):
            out[i] = special.logsumexp(self.log_w[i][:, None] + values, axis=0)
        return out


def _campaign(
    rate: CreatorRates, own: pd.DataFrame, others: pd.DataFrame, zp: np.ndarray
) -> _Campaign:
    """What a campaign's term needs, for every eta_p (:class:`_Campaign`)."""
    prior, tau = rate.prior, rate.spread
    p = prior.persistent
    root = math.sqrt(p)
    log_w: np.ndarray | None = None
    if p < 1:
        sd = math.sqrt(1 - p)
        z = grids.Z_GRID[::Z_STRIDE]
        z = z[(z >= root * zp.min() - 8 * sd) & (z <= root * zp.max() + 8 * sd)]
        log_w = -0.5 * ((z[None, :] - root * zp[:, None]) / sd) ** 2
        if len(others):
            y, size, offset = rate.inputs(others)
            table = grids.cell_table(
                rate_cell(prior, y, size, offset, spread=tau),
                0.025 if size.ndim == 1 else 0.1,
                grids.Z_GRID,
            )
            log_w = log_w + np.interp(z, grids.Z_GRID, table)[None, :]
        # Only the campaign scores some Zp gives weight to (within exp(-DROP) of its mode).
        near = np.flatnonzero((log_w - log_w.max(axis=1, keepdims=True) > -DROP).any(axis=0))
        z, log_w = z[near[0] : near[-1] + 1], log_w[:, near[0] : near[-1] + 1]
    else:
        z = zp
    m = centres(prior, z, tau)
    shift = tau * math.sqrt(OWN_PERSISTENT)
    reach = shift * ETA_LIMIT
    own_loglik = _own_loglik(rate, own, float(m.min()) - reach, float(m.max()) + reach)
    alone = _rows_loglik(rate, own, m, tau)
    independent = alone if log_w is None else special.logsumexp(log_w + alone[None, :], axis=1)
    return _Campaign(z, log_w, m, shift, own_loglik, zp.size, independent)


def _own_loglik(
    rate: CreatorRates, own: pd.DataFrame, low: float, high: float
) -> Callable[[np.ndarray], np.ndarray]:
    """The creator's rows' log-likelihood as a function of their centre (own spread
    ``tau sqrt(1 - q)``, their campaign part integrated out), tabulated every CENTRE_STEP
    between ``low`` and ``high`` and read linearly."""
    grid = np.arange(low - CENTRE_STEP, high + 2 * CENTRE_STEP, CENTRE_STEP)
    values = _rows_loglik(rate, own, grid, rate.spread * math.sqrt(1 - OWN_PERSISTENT))

    def loglik(at: np.ndarray) -> np.ndarray:
        return np.interp(at, grid, values)

    return loglik


def _rows_loglik(
    rate: CreatorRates, frame: pd.DataFrame, centre: np.ndarray, spread: float
) -> np.ndarray:
    """``sum_r log int P(y_r | centre + spread e) phi(e) de`` at each ``centre``."""
    y, size, offset = rate.inputs(frame)
    scale = rate.prior.scale
    if size.ndim == 1:
        values = log_marginal(
            y[:, None], size[:, None], offset[:, None], centre[None, :], spread, scale
        ).sum(axis=0)
    else:
        nodes = size.shape[1]
        each = log_marginal(
            y[:, None, None],
            size[:, :, None],
            offset[:, None, None],
            centre[None, None, :],
            spread,
            scale,
        )
        values = (special.logsumexp(each, axis=1) - math.log(nodes)).sum(axis=0)
    return np.where(np.isfinite(values), values, -1e300)


def with_creators(
    calibration: Calibration, effects: list[CreatorUpdate], notes: dict[str, str]
) -> Calibration:
    """``calibration`` with the creators' own effects appended to its joint Gaussian
    (``@handle/quantity``): ``eta_p = a + b Zp + e``, so their covariance with every other
    name ``X`` is ``b Cov(Zp, X)`` and their variance ``b^2 Var(Zp) + Var(e)``. The names,
    mean and covariance before them are kept as they are."""
    if not effects and not notes:
        return calibration
    names = calibration.names
    n, k = len(names), len(effects)
    slopes = np.zeros((k, n))
    for row, effect in enumerate(effects):
        slopes[row, names.index(f"{effect.pool}/{effect.quantity}")] = effect.slope
    covariance = np.zeros((n + k, n + k))
    covariance[:n, :n] = calibration.covariance
    across = slopes @ calibration.covariance
    covariance[n:, :n] = across
    covariance[:n, n:] = across.T
    covariance[n:, n:] = across @ slopes.T + np.diag([e.residual for e in effects])
    mean = np.concatenate([calibration.mean, [e.mean for e in effects]])
    priors = dict(calibration.priors)
    for effect in effects:
        priors[effect.name] = (
            f"N(0, 1): own persistent effect within {effect.pool}/{effect.quantity} "
            f"(creator spread {effect.spread:.6g}, persistent share {OWN_PERSISTENT:g})"
        )
    provenance = dict(calibration.provenance)
    if notes:
        provenance["notes"] = {**provenance.get("notes", {}), **notes}
    return dataclasses.replace(
        calibration,
        names=(*names, *(e.name for e in effects)),
        mean=mean,
        covariance=covariance,
        priors=priors,
        provenance=provenance,
        creators=tuple(effects),
    )
