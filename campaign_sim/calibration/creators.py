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
``tau sqrt(1 - q)``: the row likelihood ``L_jk(z, eta_p)`` is :func:`~campaign_sim.calibration.
quadrature.log_marginal` with those two arguments (``eta_c`` integrated out by adaptive
Gauss-Hermite), tabulated on the centre.

**Method: one fit, each row once.** The pool level and the named creators' own effects are
fitted together from the same rows (:func:`own_effects`, one pool rate at a time). Other
creators' rows (no roster name, or no history) are independent creators, N(0, 1) own
deviations each, as in :mod:`campaign_sim.calibration.grid`; a named creator's rows share
their ``eta_p``. The pool score's posterior is

    p(Zp | data) ∝ prior(Zp) prod_k p(U_k | Zp) prod_j int phi(eta) prod_{k of j}
                   p(y_jk | Zp, eta, U_k, named rows of k before j) d eta,

``U_k`` the other creators' rows of campaign ``k``, ``p(y_jk | ...) = int exp(L_jk(z, eta))
w_jk(Zc | Zp) dZc`` with ``w_jk`` the campaign part's posterior given ``Zp``, ``U_k`` and the
named rows of campaign ``k`` that come before ``j`` (handle order): the chain rule within a
campaign, so every row's likelihood enters exactly once. It is computed as the factorised
posterior (:func:`~campaign_sim.calibration.update.calibrate`'s grid posterior, every row its
own creator) times the ratio of the named rows' chain above to their chain read as creators
without history (:attr:`PoolFit.log_ratio`): the other creators' part is the grid's own,
with the creator spread's doubt where it is learnt. Then, per named creator,

    p(eta_p | Zp, data) ∝ phi(eta_p) prod_{k of j} int exp(L_jk(z, eta_p)) w'_jk(Zc | Zp) dZc

with ``w'_jk`` the campaign part's posterior given ``U_k`` and ALL the campaign's other named
rows; the written moments are those of ``p(Zp | data) p(eta_p | Zp, data)``. With one named
creator per campaign (or at most one with rows) both are exact under the model (tested against
a brute-force joint, tests/test_calibration_creators.py: agreement about 1e-6). Where the
pool level read every row as its own creator (the previous version), a creator with a fifth
of a nano pool's rows over 40 campaigns (eta_p 1.5, pool score 0.5) had the pool's score at
0.83 and eta_p at 1.14 (seed 1); the joint fit gives 0.23 ± 0.31 and 1.32 ± 0.19.

APPROXIMATIONS:

* several named creators in one campaign: their rows are coupled through the campaign part
  AND their own effects. The campaign weights read another named creator's rows as a
  creator whose own effect is ``N(mean, sd^2)``, that creator's posterior of the previous
  pass (centre ``m + tau sqrt(q) mean``, spread ``tau sqrt(q sd^2 + 1 - q)``; pass 0 reads
  them as creators without history, N(0, 1)), :data:`PLUG_IN_PASSES` passes after it;
  their ``eta_p`` is not integrated jointly. Against a brute-force joint of (Zp, eta_1,
  eta_2) with two named creators in each of 8 campaigns among 2 others (half the pool's
  rows): every mean within 0.02 posterior sds, the pool's sd within 0.5%, the own effects'
  sds about 2% narrow (tests/test_calibration_creators.py). Simulation-based calibration with
  three named creators in each of 10 campaigns among 4 others passes (tests/
  test_calibration_creators_sbc.py; docs/calibration.md gives the numbers);
* ``tau`` is fixed at the value the engine uses: the pool's learnt spread (its posterior
  median, what ``calibration.spread`` writes) or the prior's ``creator_spread``; the level's
  doubt about ``tau`` is kept for the other creators' rows but not carried into ``eta_p`` or
  the named rows' ratio;
* the written posterior is Gaussian: the mean and covariance of ``(Zp, eta_p)``, with
  ``eta_p = a + b Zp + e`` (regression on the pool score over its nodes, ``e`` independent
  of every other name and of the other creators' ``e``), so ``Cov(eta_p, X) = b Cov(Zp, X)``
  for every other name ``X`` and ``Var(eta_p) = b^2 Var(Zp) + Var(e)``: positive
  semi-definite by construction. Two named creators of one pool are correlated only through
  ``Zp``;
* at most one row of a creator per campaign and pool (the observed file's duplicate check);
  several would each integrate their own ``eta_c``.

**Numerics.** ``Zp`` at :data:`ZP_NODES` even nodes over the factorised posterior's support
(weights above 1e-14 of its mode) widened by :data:`WIDEN` of its width on each side; the
ratio is read on the score grid by a cubic spline (zero weight off the nodes). ``eta_p``
first every :data:`COARSE_STEP` over ±:data:`ETA_LIMIT` to find its support, then every
:data:`ETA_STEP` there; each campaign's ``z`` every ``8 x``
:data:`~campaign_sim.calibration.grid.STEP` (0.1; the campaign part's kernel has sd
``sqrt(1 - p)``, 0.71 by default) over ``sqrt(p) Zp ± 8 sqrt(1 - p)``, cut where every
node's weight is below exp(-:data:`DROP`); the named rows' log-likelihood tabulated on the
centre every :data:`CENTRE_STEP` (logit or log scale) and read linearly. Tested against a
brute-force joint (about 1e-6) and against every step halved (moments move by under 1e-5).

Quantities: ``engagement_rate`` and ``reach_rate``. ``conversion_rate`` is left out in this
version (its orders share the campaign's shock with every pool, learnt by importance
sampling in :mod:`campaign_sim.calibration.joint`, which has no grid to condition on): a
named creator's conversion keeps its prior own effect N(0, 1), and their orders inform the
conversion level as any creator's.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import interpolate, special

from campaign_sim.calibration import grid as grids
from campaign_sim.calibration.grid import Posterior1D
from campaign_sim.calibration.observation import centres
from campaign_sim.calibration.quadrature import log_marginal
from campaign_sim.calibration.result import Calibration, CreatorUpdate, Summary
from campaign_sim.creators.handles import canonical_handle
from campaign_sim.random.levels import LOG_SCALE, OWN_PERSISTENT
from campaign_sim.scenario.plan import Prior

__all__ = [
    "CENTRE_STEP",
    "ETA_LIMIT",
    "ETA_STEP",
    "PLUG_IN_PASSES",
    "QUANTITIES",
    "ZP_NODES",
    "CreatorRates",
    "PoolFit",
    "creator_effects",
    "own_effects",
    "with_creators",
]

#: The rates whose persistent own effect is learnt (conversion: see the module docstring).
QUANTITIES = ("engagement_rate", "reach_rate")
COLUMNS = {"engagement_rate": "engagements", "reach_rate": "reach"}
ETA_LIMIT = 8.0
ETA_STEP = 0.05
COARSE_STEP = 0.25  # the first look at eta_p's support
ETA_GRID = np.arange(-round(ETA_LIMIT / ETA_STEP), round(ETA_LIMIT / ETA_STEP) + 1) * ETA_STEP
ZP_NODES = 41
#: The pool score's nodes span the factorised posterior's support widened by this share of
#: its width on either side (the full model's posterior is wider and may lie off its centre).
WIDEN = 0.75
Z_STRIDE = 8  # of grids.Z_GRID, for the campaign part's integral
CENTRE_STEP = 0.004
#: Pool-score grid points below this share of the mode's weight are dropped.
NEGLIGIBLE = 1e-14
#: Campaign scores below exp(-DROP) (4e-18) of every Zp node's mode are left out of its
#: integral.
DROP = 40.0
#: How often the other named creators' rows of a campaign are re-read with their own effects
#: at the last pass's posterior (pass 0 reads them as creators without history).
PLUG_IN_PASSES = 1


@dataclass(frozen=True)
class CreatorRates:
    """What a pool rate's calibration leaves for its named creators: the prior, the level
    score's posterior on the grid (every row read as its own creator), the creator spread the
    engine uses, the past campaigns' rows (one frame each) and how a frame's rows become
    counts, sizes and offsets."""

    prior: Prior
    posterior: Posterior1D
    spread: float
    cells: list[pd.DataFrame]
    inputs: Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class PoolFit:
    """One pool rate fitted with its named creators: their own effects, and the log ratio
    (on :data:`~campaign_sim.calibration.grid.Z_GRID`) that turns the pool score's posterior
    with every row read as its own creator into the full model's (-1e300 off its nodes)."""

    effects: list[CreatorUpdate]
    log_ratio: np.ndarray


def _handles(frame: pd.DataFrame) -> pd.Series:
    return frame["creator"].map(lambda v: canonical_handle(v) if isinstance(v, str) else None)


def creator_effects(
    named: Mapping[str, str], rates: Mapping[str, CreatorRates], rows: pd.DataFrame
) -> tuple[list[CreatorUpdate], dict[str, str], dict[str, np.ndarray]]:
    """The own effects of the ``named`` creators (handle -> pool) with rows in their pool, in
    handle then quantity order; ``rates``: ``tier/platform/quantity`` -> its calibration.
    Also notes on rows that could not be used, and per pool rate with named creators the log
    ratio of its full-model posterior to the one given (:class:`PoolFit`)."""
    notes: dict[str, str] = {}
    wanted: dict[str, list[str]] = {}
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
            wanted.setdefault(f"{pool}/{quantity}", []).append(raw)
    found: list[CreatorUpdate] = []
    ratios: dict[str, np.ndarray] = {}
    for name, chosen in wanted.items():
        pool, quantity = name.rsplit("/", 1)
        fit = own_effects(rates[name], chosen, pool, quantity)
        if fit is not None:
            found.extend(fit.effects)
            ratios[name] = fit.log_ratio
    found.sort(key=lambda c: (c.handle, QUANTITIES.index(c.quantity)))
    return found, notes, ratios


def _zp_nodes(posterior: Posterior1D) -> np.ndarray:
    """The pool score's nodes: the factorised posterior's grid support widened by WIDEN of
    its width either side, ZP_NODES evenly spaced (one node for a point mass)."""
    w = posterior.weights
    kept = np.flatnonzero(w > w.max() * NEGLIGIBLE)
    low, high = posterior.grid[kept[0]], posterior.grid[kept[-1]]
    if high == low:
        return np.array([low])
    pad = WIDEN * (high - low)
    edge = float(posterior.grid[-1])
    return np.linspace(max(low - pad, -edge), min(high + pad, edge), ZP_NODES)


@dataclass(frozen=True)
class _Cell:
    """One past campaign with named creators: the campaign part's log weights per Zp node
    given the campaign's other (unnamed) rows, unnormalised (``None`` without a campaign
    part), the campaign scores ``z`` and the pool's centre there, and per named creator
    their rows' log-likelihood as a function of their centre (own spread ``tau sqrt(1-q)``)
    and their rows read as a creator without history at each ``z``."""

    z: np.ndarray
    log_w: np.ndarray
    centre: np.ndarray
    handles: tuple[str, ...]
    rows: dict[str, int]  # each named creator's rows in the campaign
    inputs: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # their counts, sizes, offsets
    own: dict[str, Callable[[np.ndarray], np.ndarray]]
    alone: dict[str, np.ndarray]


def own_effects(rate: CreatorRates, handles: list[str], pool: str, quantity: str) -> PoolFit | None:
    """The full model's fit of one pool rate with its named ``handles``: their own effects
    and the pool score's posterior as a log ratio to ``rate.posterior`` (None: no rows)."""
    zp = _zp_nodes(rate.posterior)
    chosen = set(handles)
    cells: list[_Cell] = []
    used: dict[str, list[int]] = {h: [0, 0] for h in handles}
    for frame in rate.cells:
        who = _handles(frame)
        mine = who.isin(chosen).to_numpy()
        if mine.any():
            cells.append(_cell(rate, frame, who, mine, zp))
            for h in cells[-1].handles:
                used[h][0] += cells[-1].rows[h]
                used[h][1] += 1
    present = [h for h in handles if used[h][1]]
    if not present:
        return None
    prior, tau = rate.prior, rate.spread
    q = OWN_PERSISTENT
    shift = tau * math.sqrt(q)
    # The factorised posterior at the nodes, and its named rows read as creators without
    # history (the product over the campaign's named rows telescopes: chain rule).
    base = np.interp(zp, rate.posterior.grid, rate.posterior.log_density)
    alone = np.zeros(zp.size)
    for cell in cells:
        together = sum((cell.alone[h] for h in cell.handles), np.zeros(cell.z.size))
        total = cell.log_w + together[None, :]
        alone += special.logsumexp(total, axis=1) - special.logsumexp(cell.log_w, axis=1)
    moments = {h: (0.0, 1.0) for h in present}
    # A first look every COARSE_STEP (other named creators read without history) finds where
    # each creator's eta_p has weight for some Zp; every pass then works every ETA_STEP there.
    coarse = ETA_GRID[:: round(COARSE_STEP / ETA_STEP)]
    look = {h: np.zeros((zp.size, coarse.size)) for h in present}
    for cell in cells:
        for h in cell.handles:
            values = cell.own[h](cell.centre[:, None] + shift * coarse[None, :])
            rest = sum((cell.alone[g] for g in cell.handles if g != h), np.zeros(cell.z.size))
            look[h] += _log_product(cell.log_w + rest[None, :], values)
    etas = {}
    for h in present:
        total = look[h] - 0.5 * coarse * coarse
        keep = np.flatnonzero((total - total.max(axis=1, keepdims=True) > -DROP).any(axis=0))
        low = coarse[max(keep[0] - 1, 0)]
        high = coarse[min(keep[-1] + 1, coarse.size - 1)]
        etas[h] = ETA_GRID[(low - 1e-9 <= ETA_GRID) & (high + 1e-9 >= ETA_GRID)]
    for _ in range(PLUG_IN_PASSES + 1):
        plug = [{h: _plug_in(rate, cell, h, *moments[h]) for h in cell.handles} for cell in cells]
        conditional = {h: np.zeros((zp.size, etas[h].size)) for h in present}
        chain = {h: np.zeros((zp.size, etas[h].size)) for h in present}
        for cell, reads in zip(cells, plug, strict=True):
            for index, h in enumerate(cell.handles):
                values = cell.own[h](cell.centre[:, None] + shift * etas[h][None, :])
                before = sum((reads[g] for g in cell.handles[:index]), np.zeros(cell.z.size))
                after = sum((reads[g] for g in cell.handles[index + 1 :]), np.zeros(cell.z.size))
                chain[h] += _log_product(_normalised(cell.log_w + before[None, :]), values)
                conditional[h] += _log_product(cell.log_w + (before + after)[None, :], values)
        marginal = sum(
            special.logsumexp(chain[h] - 0.5 * etas[h] ** 2, axis=1) for h in present
        ) + len(present) * math.log(ETA_STEP / math.sqrt(2 * math.pi))
        log_ratio = marginal - alone
        log_pool = base + log_ratio
        wp = np.exp(log_pool - log_pool.max())
        wp /= wp.sum()
        stats: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for h in present:
            eta = etas[h]
            total = conditional[h] - 0.5 * eta * eta
            weights = np.exp(total - total.max(axis=1, keepdims=True))
            weights /= weights.sum(axis=1, keepdims=True)
            mean_i = weights @ eta
            var_i = np.maximum(weights @ (eta * eta) - mean_i**2, 0.0)
            stats[h] = (mean_i, var_i)
            mean = float(wp @ mean_i)
            moments[h] = (mean, math.sqrt(float(wp @ (var_i + (mean_i - mean) ** 2))))
    grid = grids.Z_GRID
    if zp.size == 1:
        ratio = np.where(np.isclose(grid, zp[0]), 0.0, -1e300)
    else:
        inside = (grid >= zp[0]) & (grid <= zp[-1])
        ratio = np.full(grid.shape, -1e300)
        ratio[inside] = interpolate.CubicSpline(zp, log_ratio)(grid[inside])
    posterior = Posterior1D(grid, rate.posterior.log_density + ratio)
    zbar = float(wp @ zp)
    var_zp = float(wp @ (zp - zbar) ** 2)
    centre = float(centres(prior, np.array([math.sqrt(prior.persistent) * posterior.mean]), tau)[0])
    effects = []
    for h in present:
        mean_i, var_i = stats[h]
        mean = float(wp @ mean_i)
        var = float(wp @ (var_i + (mean_i - mean) ** 2))
        cov = float(wp @ ((zp - zbar) * (mean_i - mean)))
        slope = cov / var_zp if var_zp > 0 else 0.0
        sd = math.sqrt(var)
        effects.append(
            CreatorUpdate(
                handle=h,
                pool=pool,
                quantity=quantity,
                rows=used[h][0],
                campaigns=used[h][1],
                spread=tau,
                mean=mean,
                sd=sd,
                slope=slope,
                residual=max(var - slope * slope * var_zp, 0.0),
                usual_prior=_usual(prior.scale, centre, shift, 0.0, 1.0),
                usual_posterior=_usual(prior.scale, centre, shift, mean, sd),
            )
        )
    return PoolFit(effects, ratio)


def _normalised(log_w: np.ndarray) -> np.ndarray:
    return log_w - special.logsumexp(log_w, axis=1, keepdims=True)


def _log_product(log_w: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``log sum_z exp(log_w[i, z] + values[z, e])``, shape (Zp nodes, eta nodes): each
    ``z``'s largest value moves to the weights, so no whole row underflows (an entry below
    1e-300 of its row's scale is floored there: an eta_p the campaign all but rules out)."""
    c = values.max(axis=1)
    shifted = log_w + c[None, :]
    a = shifted.max(axis=1, keepdims=True)
    product = _exp(shifted - a) @ _exp(values - c[:, None])
    return np.log(np.maximum(product, 1e-300)) + a


def _exp(x: np.ndarray) -> np.ndarray:
    """``exp(x)`` (``x <= 0``) with every value below exp(-300) set to 0: a product of two
    factors then never underflows to a subnormal number (they slow a matrix product a
    hundredfold); what is dropped is below 1e-130 of the largest term."""
    return np.exp(np.where(x < -300.0, -np.inf, x))


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


def _cell(
    rate: CreatorRates, frame: pd.DataFrame, who: pd.Series, mine: np.ndarray, zp: np.ndarray
) -> _Cell:
    """What a campaign with named creators needs (:class:`_Cell`)."""
    prior, tau = rate.prior, rate.spread
    p = prior.persistent
    root = math.sqrt(p)
    y, size, offset = rate.inputs(frame)
    keys = np.where(mine, who.to_numpy(dtype=object), None)
    handles = tuple(sorted(set(keys[mine])))
    rows = {h: np.flatnonzero(keys == h) for h in handles}
    inputs = {h: (y[r], size[r], offset[r]) for h, r in rows.items()}
    if p < 1:
        sd = math.sqrt(1 - p)
        z = grids.Z_GRID[::Z_STRIDE]
        z = z[(z >= root * zp.min() - 8 * sd) & (z <= root * zp.max() + 8 * sd)]
        log_w = -0.5 * ((z[None, :] - root * zp[:, None]) / sd) ** 2
    else:
        z = zp.copy()
        log_w = np.where(np.eye(zp.size, dtype=bool), 0.0, -1e300)
    m = centres(prior, z, tau)
    each = _per_row(rate, (y, size, offset), m, tau)  # every row as a creator without history
    if not mine.all():
        log_w = log_w + each[~mine].sum(axis=0)[None, :]
    alone = {h: each[r].sum(axis=0) for h, r in rows.items()}
    if p < 1:
        # Only the campaign scores some Zp gives weight to (within exp(-DROP) of its mode),
        # with or without the named rows.
        every = log_w + sum(alone.values())[None, :]
        near = (log_w - log_w.max(axis=1, keepdims=True) > -DROP).any(axis=0) | (
            every - every.max(axis=1, keepdims=True) > -DROP
        ).any(axis=0)
        keep = np.flatnonzero(near)
        part = slice(keep[0], keep[-1] + 1)
        z, log_w, m = z[part], log_w[:, part], m[part]
        alone = {h: v[part] for h, v in alone.items()}
    # Each named row's log-likelihood as a function of its centre (own spread
    # tau sqrt(1 - q), its campaign part integrated out), tabulated every CENTRE_STEP and
    # read linearly.
    reach = tau * math.sqrt(OWN_PERSISTENT) * ETA_LIMIT
    grid = np.arange(
        float(m.min()) - reach - CENTRE_STEP, float(m.max()) + reach + 2 * CENTRE_STEP, CENTRE_STEP
    )
    named = np.flatnonzero(mine)
    table = _per_row(
        rate,
        (y[named], size[named], offset[named]),
        grid,
        tau * math.sqrt(1 - OWN_PERSISTENT),
    )
    own: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        h: functools.partial(np.interp, xp=grid, fp=table[keys[named] == h].sum(axis=0))  # type: ignore[misc]
        for h in handles
    }
    counts = {h: int(r.size) for h, r in rows.items()}
    return _Cell(z, log_w, m, handles, counts, inputs, own, alone)


def _plug_in(rate: CreatorRates, cell: _Cell, handle: str, mean: float, sd: float) -> np.ndarray:
    """A named creator's rows of a campaign as the other named creators' campaign weights
    read them: at each ``z``, with their own effect ``N(mean, sd^2)`` (the last pass's
    posterior; N(0, 1), a creator without history, at first): centre ``m(z) + tau sqrt(q)
    mean``, spread ``tau sqrt(q sd^2 + 1 - q)``."""
    if mean == 0.0 and sd == 1.0:
        return cell.alone[handle]
    q, tau = OWN_PERSISTENT, rate.spread
    centre = cell.centre + tau * math.sqrt(q) * mean
    spread = tau * math.sqrt(q * sd * sd + 1 - q)
    return _per_row(rate, cell.inputs[handle], centre, spread).sum(axis=0)


def _per_row(
    rate: CreatorRates,
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray],
    centre: np.ndarray,
    spread: float,
) -> np.ndarray:
    """``log int P(y_r | centre + spread e) phi(e) de`` of each row ``r`` (counts, sizes and
    offsets ``inputs``) at each ``centre``: shape (rows, centres)."""
    y, size, offset = inputs
    scale = rate.prior.scale
    if size.ndim == 1:
        values = log_marginal(
            y[:, None], size[:, None], offset[:, None], centre[None, :], spread, scale
        )
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
        values = special.logsumexp(each, axis=1) - math.log(nodes)
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
