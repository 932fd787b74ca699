"""Whole-number draws by inversion: Poisson and negative binomial counts from uniforms.

``scipy.stats.poisson.ppf`` costs about 5 µs a value; a campaign run needs millions. These
start from the Cornish-Fisher approximation of the quantile ``k0``, evaluate scipy's CDF
(``pdtr`` / ``betainc``) once there, and step to the neighbouring counts with the pmf
(``P(N <= k0 - 1) = P(N <= k0) - pmf(k0)``, the pmf by its ratio recurrence). A value is
redone by stepping with scipy's CDF alone where a pmf-stepped CDF ``j`` steps from ``k0`` lies
within ``j x _GUARD`` of ``u``, the walk is longer than ``_STEPS``, the pmf at ``k0``
underflows, or the mean or dispersion is outside the measured ranges below. So the count is
exactly the one stepping with scipy's CDF alone gives: the smallest ``k`` with
``P(N <= k) >= u`` under scipy's CDF, the same as scipy's ``ppf`` (tested for means up to 10^6
at every u, up to 10^8 for u <= 0.999). Above a mean of about 10^7, scipy's ``pdtr`` is itself
inaccurate in the far upper tail (u above 1 - 10^-6): the quantile there is off by a fraction
of a standard deviation, far beyond any campaign's orders.

Cost (``python benchmarks/bench_counts.py``, 10^6 values a row, three runs on a 2-core
x86_64 at a load average of 3-4.5, so the spread is wide): Poisson means 10 to 10^4 270-640 ns
a value against 430-1,300 ns stepping with scipy's CDF alone (``pdtr``, now one call a value,
is most of it); negative binomial (dispersion 4) 460-1,800 ns against 1,100-4,300 ns. About
twice as fast either way (1.6-3.1x a row).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special

__all__ = ["count_quantile"]

#: A pmf-stepped CDF j steps from the guess differs from scipy's by scipy's own error in
#: P(N <= k0) - P(N <= k) plus the pmf's rounding (the log-pmf's cancellation, shared by every
#: recurrence step, so the error grows with j): measured at most 5e-12 a step over means
#: 1e-3..1e6 in the ranges below and u in both tails (tests/test_counts.py checks it stays
#: within a tenth of this). Decisions within j x this of u are left to scipy's CDF: a factor
#: of 200 clear of the error, and it redoes about 2 values in 10^9 a step.
_GUARD = 1e-9
#: Means (and the largest negative binomial size) taken by pmf steps: the log-pmf's error
#: grows with the mean (as does scipy's CDF error, see above); below 1e-100 a size may
#: underflow (and the count is nearly always 0, found by scipy's CDF in a call or two).
_MEAN_MIN, _MEAN_MAX = 1e-100, 1e6
#: Negative binomial dispersions taken by pmf steps (nearer 1 the size is large for the mean).
_DISPERSION_RANGE = (1.1, 64.0)
#: pmf steps either way before leaving the value to scipy's CDF (the guess is usually 0-1
#: off; up to a few hundred for negative binomial sizes well below 1).
_STEPS = 300
#: Smallest pmf at the guess for the ratio recurrence: above it the pmf is a normal double,
#: so later pmfs keep its relative accuracy (the walk cannot climb out of an underflow: the
#: pmf is unimodal, so once falling it keeps falling).
_PMF_MIN = 1e-290


def count_quantile(u: np.ndarray, mean: np.ndarray, dispersion: float = 1.0) -> np.ndarray:
    """The ``u``-quantile of a count with the given ``mean`` (>= 0) and ``dispersion``
    (variance / mean): Poisson for 1, negative binomial (size ``mean / (dispersion - 1)``,
    success probability ``1 / dispersion``) above 1. Broadcasts; a mean of 0 gives 0."""
    u, mean = np.broadcast_arrays(np.asarray(u, float), np.asarray(mean, float))
    if dispersion < 1:
        raise ValueError(f"dispersion(={dispersion}) must be >= 1")
    out = np.zeros(u.shape)
    positive = np.flatnonzero(mean > 0)
    if not positive.size:
        return out
    # Every mean positive (the usual case): no gathering.
    live: np.ndarray | slice = slice(None) if positive.size == u.size else positive
    q, mu = u.ravel()[live], mean.ravel()[live]
    k = _first_guess(q, mu, dispersion)
    redo = np.ones(k.shape, bool)
    top = _pmf_mean_max(dispersion)
    if top:
        fast = (mu >= _MEAN_MIN) & (mu <= top) & (q >= 0) & (q <= 1)
        at: np.ndarray | slice = slice(None) if fast.all() else np.flatnonzero(fast)
        k[at], redo[at] = _step_by_pmf(q[at], mu[at], k[at], dispersion)
    slow = np.flatnonzero(redo)
    if slow.size:
        cdf = _cdf(mu[slow], dispersion)
        k[slow] = _step_by_cdf(q[slow], k[slow], cdf)
    out.reshape(-1)[live] = k
    return out


def _pmf_mean_max(dispersion: float) -> float:
    """The largest mean taken by pmf steps at this dispersion (0: none)."""
    if dispersion == 1:
        return _MEAN_MAX
    if _DISPERSION_RANGE[0] <= dispersion <= _DISPERSION_RANGE[1]:
        return _MEAN_MAX * min(1.0, dispersion - 1)  # a size of at most _MEAN_MAX
    return 0.0


def _first_guess(q: np.ndarray, mu: np.ndarray, dispersion: float) -> np.ndarray:
    """The Cornish-Fisher quantile (normal plus skewness), floored, at least 0."""
    z = special.ndtri(np.clip(q, 1e-300, 1 - 1e-16))
    sd = np.sqrt(dispersion * mu)
    skew = (2 * dispersion - 1) / sd  # of the Poisson (1/sqrt(mu)) and the negative binomial
    return np.maximum(np.floor(mu + sd * (z + skew * (z * z - 1) / 6)), 0.0)


def _step_by_cdf(q: np.ndarray, k: np.ndarray, cdf: Callable) -> np.ndarray:
    """From the guesses ``k``, the smallest count with ``cdf(k) >= q``, by stepping with
    ``cdf(k, where)`` (the CDF at the counts ``k`` of the values where, all if None)."""
    k = k.copy()
    # Up while P(N <= k) < u; then down while P(N <= k - 1) >= u: the smallest such k.
    low = cdf(k) < q
    while low.any():
        k[low] += 1
        low[low] = cdf(k[low], low) < q[low]
    high = k > 0
    high[high] = cdf(k[high] - 1, high) >= q[high]
    while high.any():
        k[high] -= 1
        high[high] = k[high] > 0
        high[high] = cdf(k[high] - 1, high) >= q[high]
    return k


def _step_by_pmf(
    q: np.ndarray, mu: np.ndarray, k0: np.ndarray, dispersion: float
) -> tuple[np.ndarray, np.ndarray]:
    """The steps of ``_step_by_cdf`` from ``k0``, with scipy's CDF at ``k0`` only and the
    pmf beyond: the counts, and which values must be redone with scipy's CDF (a decision
    ``j`` steps out within ``j x _GUARD``, a pmf below ``_PMF_MIN``, over ``_STEPS`` steps)."""
    c0 = _cdf(mu, dispersion)(k0)
    a, log_pmf, ratio = _pmf(mu, dispersion)
    p0 = np.exp(log_pmf(k0))
    up = c0 < q
    # One step for every value on whole arrays (usually the last): P(N <= k0 + 1) when
    # P(N <= k0) < u, else P(N <= k0 - 1); longer walks go on compact index arrays.
    c1 = np.where(up, c0 + p0 * ratio(k0, a), c0 - p0)
    floor = ~up & (k0 == 0)  # P(N <= 0) >= u: 0, no step down
    redo = ~floor & ~((np.abs(c1 - q) > _GUARD) & (p0 >= _PMF_MIN))
    done = floor | (up == (c1 >= q))
    k = k0 + (up & done)
    at = (q, k0, c0, p0, a)
    rest = np.flatnonzero(~done & ~redo)
    _walk(rest[up[rest]], 1, at, k, redo, ratio)
    _walk(rest[~up[rest]], -1, at, k, redo, ratio)
    return k, redo


def _walk(
    i: np.ndarray, step: int, at: tuple, k: np.ndarray, redo: np.ndarray, ratio: Callable
) -> None:
    """Step the values ``i`` up (``step`` 1: while P(N <= k) < u) or down (-1: while
    P(N <= k - 1) >= u, to 0 at most), writing the count to ``k`` or flagging ``redo``.
    ``at`` holds u, the guess, P(N <= guess), pmf(guess) and the pmf parameter."""
    q, kk, c, p, a = (x[i] for x in at)
    for j in range(1, _STEPS + 1):
        if step == 1:
            p = p * ratio(kk, a)
            kk = kk + 1
            c = c + p  # P(N <= kk)
            done = c >= q
        else:
            c = c - p  # P(N <= kk - 1)
            done = c < q
        near = ~(np.abs(c - q) > j * _GUARD)
        redo[i[near]] = True
        done &= ~near
        k[i[done]] = kk[done]
        go = ~(done | near)
        if step == -1:
            kk = kk - 1
            p = p / ratio(kk, a)  # pmf(kk) from pmf(kk + 1)
            k[i[go]] = kk[go]
            go &= kk > 0
        i, q, kk, c, p, a = i[go], q[go], kk[go], c[go], p[go], a[go]
        if not i.size:
            return
    redo[i] = True


def _pmf(mu: np.ndarray, dispersion: float) -> tuple[np.ndarray, Callable, Callable]:
    """The pmf's parameter ``a`` (the mean, or the negative binomial size), its log at
    counts ``k`` and the ratio ``pmf(k + 1) / pmf(k)`` (given ``k`` and ``a``)."""
    if dispersion == 1:
        log_mu = np.log(mu)
        return (
            mu,
            lambda k: k * log_mu - mu - special.gammaln(k + 1),
            lambda k, m: m / (k + 1),
        )
    size = mu / (dispersion - 1)
    p = 1 / dispersion
    fail = 1 - p
    const = size * np.log(p) - special.gammaln(size)
    return (
        size,
        lambda k: special.gammaln(k + size) - special.gammaln(k + 1) + k * np.log1p(-p) + const,
        lambda k, r: (k + r) * fail / (k + 1),
    )


def _cdf(mu: np.ndarray, dispersion: float) -> Callable:
    """``cdf(k, where)``: P(N <= k) for the means ``mu[where]`` (all where None)."""
    if dispersion == 1:
        return lambda k, where=None: special.pdtr(k, mu if where is None else mu[where])
    size = mu / (dispersion - 1)
    p = 1 / dispersion
    # P(N <= k) = I_p(size, k + 1), the regularized incomplete beta (size need not be whole).
    return lambda k, where=None: special.betainc(size if where is None else size[where], k + 1, p)
