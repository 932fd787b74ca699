"""Frozen distributions, fitted from stated ranges and sampled by inverse CDF.

A distribution is a small immutable object with ``ppf``, ``cdf``, ``mean``, ``median`` and
``rvs``. Each family is a subclass registered in :data:`FAMILIES`; families that can be fitted
to a stated central interval implement ``from_range``. Exact quantiles come from scipy; the
engines sample through :meth:`Distribution.sampler`, a fast inverse CDF (closed form where one
is cheap, otherwise a dense quantile table with exact tails).

scipy is imported where it is used: checking a scenario (supports, fits from ranges, a
lognormal's quantiles) needs only scipy.special and scipy.optimize, so ``campaign-sim validate``
never loads scipy.stats.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "FAMILIES",
    "Beta",
    "Distribution",
    "FitError",
    "Fixed",
    "LogNormal",
    "LogUniform",
    "Normal",
    "Pert",
    "Triangular",
    "Uniform",
    "central_probabilities",
]

#: Relative tolerance within which a fitted distribution reproduces its stated quantiles.
FIT_RTOL = 1e-6

Sampler = Callable[[np.ndarray], np.ndarray]


class FitError(ValueError):
    """A stated range cannot be matched by the requested family."""


def central_probabilities(coverage: float) -> tuple[float, float]:
    """Return the lower and upper probabilities of a central interval of ``coverage``."""
    if not 0.0 < coverage <= 1.0:
        raise FitError(f"coverage(={coverage}) must be in (0, 1]")
    tail = (1.0 - coverage) / 2.0
    return tail, 1.0 - tail


@dataclass(frozen=True)
class Distribution:
    """Base class: subclasses declare their parameters as dataclass fields and ``_scipy``."""

    family: ClassVar[str]
    bounded: ClassVar[bool] = False

    def _scipy(self) -> Any:
        raise NotImplementedError

    @cached_property
    def _frozen(self) -> Any:
        return self._scipy()

    def __getstate__(self) -> dict[str, Any]:
        # The scipy object is a cache (~100 kB pickled); workers rebuild it when they need it.
        state = self.__dict__.copy()
        state.pop("_frozen", None)
        return state

    def key(self) -> str:
        """The family and its parameters as plain floats, the same on every numpy version:
        what a calibrated priors file records as the prior a score is relative to."""
        values = ", ".join(f"{f.name}={float(getattr(self, f.name))!r}" for f in fields(self))
        return f"{type(self).__name__}({values})"

    def ppf(self, q: Any) -> np.ndarray:
        """Exact quantile function."""
        return np.asarray(self._frozen.ppf(q), dtype=float)

    quantile = ppf

    def cdf(self, x: Any) -> np.ndarray:
        return np.asarray(self._frozen.cdf(x), dtype=float)

    def mean(self) -> float:
        return float(self._frozen.mean())

    def median(self) -> float:
        return float(self.ppf(0.5))

    def rvs(self, size: int | tuple[int, ...], *, rng: np.random.Generator) -> np.ndarray:
        """Draw by inverse CDF of uniforms from ``rng``."""
        return self.sampler()(rng.random(size))

    @property
    def is_fixed(self) -> bool:
        return False

    def support(self) -> tuple[float, float]:
        """The smallest and largest possible values (closed form: no scipy object is built)."""
        raise NotImplementedError

    def params(self) -> dict[str, float]:
        """The family's parameters by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def describe(self) -> str:
        inner = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params().items())
        return f"{self.family}({inner})"

    def sampler(self) -> Sampler:
        """A fast vectorised inverse CDF; tabulated unless the family overrides it."""
        from campaign_sim.random.ppf_table import table_for

        return table_for(self)

    def score_sampler(self) -> Sampler:
        """``F^-1(Phi(z))`` of normal scores ``z`` (a Gaussian copula's marginal), vectorised."""
        from scipy.special import ndtr

        sampler = self.sampler()
        below_one = 1.0 - 2.0**-53
        return lambda z: sampler(np.minimum(ndtr(z), below_one))

    def _fit_quantiles(self, q: list[float]) -> np.ndarray:
        """Quantiles that a fit from a range is checked against."""
        return self.ppf(q)


def _fmt(value: float) -> str:
    return f"{value:.6g}"


@dataclass(frozen=True)
class Fixed(Distribution):
    """A known value (a point mass)."""

    family: ClassVar[str] = "fixed"
    bounded: ClassVar[bool] = True
    value: float

    def ppf(self, q: Any) -> np.ndarray:
        return np.full(np.shape(q), self.value, dtype=float)

    def cdf(self, x: Any) -> np.ndarray:
        return (np.asarray(x, dtype=float) >= self.value).astype(float)

    def mean(self) -> float:
        return self.value

    @property
    def is_fixed(self) -> bool:
        return True

    def support(self) -> tuple[float, float]:
        return self.value, self.value

    def sampler(self) -> Sampler:
        value = self.value
        return lambda u: np.full(np.shape(u), value)


@dataclass(frozen=True)
class Uniform(Distribution):
    family: ClassVar[str] = "uniform"
    bounded: ClassVar[bool] = True
    low: float
    high: float

    def _scipy(self) -> Any:
        from scipy import stats

        return stats.uniform(self.low, self.high - self.low)

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    @classmethod
    def from_range(cls, lo: float, hi: float, coverage: float = 0.9) -> Uniform:
        p_lo, p_hi = central_probabilities(coverage)
        width = (hi - lo) / (p_hi - p_lo)
        return cls(lo - p_lo * width, lo - p_lo * width + width)

    def sampler(self) -> Sampler:
        low, width = self.low, self.high - self.low
        return lambda u: low + width * u


@dataclass(frozen=True)
class LogUniform(Distribution):
    """Uniform in log space on [low, high]: heavy-tailed counts such as followers."""

    family: ClassVar[str] = "loguniform"
    bounded: ClassVar[bool] = True
    low: float
    high: float

    def _scipy(self) -> Any:
        from scipy import stats

        return stats.loguniform(self.low, self.high)

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    @classmethod
    def from_range(cls, lo: float, hi: float, coverage: float = 0.9) -> LogUniform:
        if lo <= 0:
            raise FitError(f"loguniform needs lo(={lo}) > 0")
        log_fit = Uniform.from_range(math.log(lo), math.log(hi), coverage)
        return cls(math.exp(log_fit.low), math.exp(log_fit.high))

    def sampler(self) -> Sampler:
        log_low, log_width = math.log(self.low), math.log(self.high / self.low)
        return lambda u: np.exp(log_low + log_width * u)


@dataclass(frozen=True)
class LogNormal(Distribution):
    """exp(N(log median, sigma^2)): money and counts that are positive and right-skewed."""

    family: ClassVar[str] = "lognormal"
    median_: float
    sigma: float

    def _scipy(self) -> Any:
        from scipy import stats

        return stats.lognorm(s=self.sigma, scale=self.median_)

    def ppf(self, q: Any) -> np.ndarray:
        """Exact quantile function, in closed form (the same floats as scipy's lognorm)."""
        from scipy.special import ndtri

        if not (self.sigma > 0 and self.median_ > 0):  # as scipy: no such lognormal
            return np.full(np.shape(q), math.nan)
        return np.asarray(np.exp(self.sigma * ndtri(q)) * self.median_, dtype=float)

    quantile = ppf

    def score_sampler(self) -> Sampler:
        median, sigma = self.median_, self.sigma
        return lambda z: median * np.exp(sigma * z)  # closed form: no Phi, no table

    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def params(self) -> dict[str, float]:
        return {"median": self.median_, "sigma": self.sigma}

    @classmethod
    def from_range(cls, lo: float, hi: float, coverage: float = 0.9) -> LogNormal:
        if lo <= 0:
            raise FitError(f"lognormal needs lo(={lo}) > 0")
        if coverage >= 1:
            raise FitError("lognormal is unbounded: its range needs coverage < 1")
        from scipy.special import ndtri

        _, p_hi = central_probabilities(coverage)
        z = ndtri(p_hi)
        return cls(math.sqrt(lo * hi), math.log(hi / lo) / (2 * z))


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal, optionally truncated to [low, high]."""

    family: ClassVar[str] = "normal"
    mean_: float
    sd: float
    low: float = -math.inf
    high: float = math.inf

    def _scipy(self) -> Any:
        from scipy import stats

        a, b = (self.low - self.mean_) / self.sd, (self.high - self.mean_) / self.sd
        return stats.truncnorm(a, b, loc=self.mean_, scale=self.sd)

    def ppf(self, q: Any) -> np.ndarray:
        """Exact quantiles; untruncated in closed form (no scipy object per call)."""
        if math.isinf(self.low) and math.isinf(self.high) and self.sd > 0:
            from scipy.special import ndtri

            return np.asarray(self.mean_ + self.sd * ndtri(q), dtype=float)
        return super().ppf(q)

    quantile = ppf

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def params(self) -> dict[str, float]:
        out = {"mean": self.mean_, "sd": self.sd}
        if math.isfinite(self.low):
            out["low"] = self.low
        if math.isfinite(self.high):
            out["high"] = self.high
        return out

    @classmethod
    def from_range(
        cls,
        lo: float,
        hi: float,
        coverage: float = 0.9,
        *,
        low: float = -math.inf,
        high: float = math.inf,
    ) -> Normal:
        from scipy.special import ndtri

        if coverage >= 1:
            raise FitError("normal is unbounded: its range needs coverage < 1")
        p_lo, p_hi = central_probabilities(coverage)
        guess = cls((lo + hi) / 2, (hi - lo) / (2 * ndtri(p_hi)), low, high)
        if not (math.isfinite(low) or math.isfinite(high)):
            return guess

        def build(x: np.ndarray) -> Normal:
            return cls(float(x[0]), float(np.exp(x[1])), low, high)

        return _solve_two_quantiles(build, [guess.mean_, math.log(guess.sd)], lo, hi, p_lo, p_hi)


@dataclass(frozen=True)
class Beta(Distribution):
    """Beta(alpha, beta) on (0, 1): rates that are bounded and skewed."""

    family: ClassVar[str] = "beta"
    bounded: ClassVar[bool] = True
    alpha: float
    beta: float

    def _scipy(self) -> Any:
        from scipy import stats

        return stats.beta(self.alpha, self.beta)

    def cdf(self, x: Any) -> np.ndarray:
        """The regularized incomplete beta function (what scipy's beta.cdf computes)."""
        from scipy.special import betainc

        if not (self.alpha > 0 and self.beta > 0):  # as scipy: no such beta
            return np.full(np.shape(x), math.nan)
        return np.asarray(betainc(self.alpha, self.beta, np.clip(x, 0.0, 1.0)), dtype=float)

    def support(self) -> tuple[float, float]:
        return 0.0, 1.0

    def _fit_quantiles(self, q: list[float]) -> np.ndarray:
        """The inverse of :meth:`cdf` from scipy.special (no scipy.stats): the same as
        :meth:`ppf` to rounding, far within the fit's tolerance."""
        from scipy.special import betaincinv

        return np.asarray(betaincinv(self.alpha, self.beta, q), dtype=float)

    @classmethod
    def from_range(cls, lo: float, hi: float, coverage: float = 0.9) -> Beta:
        if not 0 < lo < hi < 1:
            raise FitError(f"beta needs 0 < lo < hi < 1, got [{lo}, {hi}]")
        if coverage >= 1:
            raise FitError("a beta range needs coverage < 1 (its support is all of (0, 1))")
        from scipy.special import ndtri

        p_lo, p_hi = central_probabilities(coverage)
        # Start from the beta whose mean and sd match a normal through the two quantiles.
        m = (lo + hi) / 2
        sd = (hi - lo) / (2 * ndtri(p_hi))
        total = max(m * (1 - m) / sd**2 - 1, 2.0)

        def build(x: np.ndarray) -> Beta:
            return cls(float(np.exp(x[0])), float(np.exp(x[1])))

        start = [math.log(max(m * total, 0.05)), math.log(max((1 - m) * total, 0.05))]
        return _solve_two_quantiles(build, start, lo, hi, p_lo, p_hi)


def _solve_two_quantiles(
    build: Callable[[np.ndarray], Any],
    start: list[float],
    lo: float,
    hi: float,
    p_lo: float,
    p_hi: float,
) -> Any:
    """Find two parameters so that ``build(x)`` has quantiles ``lo`` at p_lo, ``hi`` at p_hi."""
    from scipy import optimize

    def residuals(x: np.ndarray) -> list[float]:
        dist = build(x)
        return [float(dist.cdf(lo)) - p_lo, float(dist.cdf(hi)) - p_hi]

    solution = optimize.root(residuals, start, method="hybr", options={"xtol": 1e-14})
    dist = build(solution.x)
    got = dist._fit_quantiles([p_lo, p_hi])
    if not np.allclose(got, [lo, hi], rtol=FIT_RTOL, atol=0):
        raise FitError(
            f"no {dist.family} distribution has P{100 * p_lo:g}={lo:g} and "
            f"P{100 * p_hi:g}={hi:g} (closest found: {got[0]:.6g}, {got[1]:.6g})"
        )
    return dist


@dataclass(frozen=True)
class Triangular(Distribution):
    family: ClassVar[str] = "triangular"
    bounded: ClassVar[bool] = True
    min: float
    mode: float
    max: float

    def _scipy(self) -> Any:
        from scipy import stats

        width = self.max - self.min
        return stats.triang((self.mode - self.min) / width, loc=self.min, scale=width)

    def support(self) -> tuple[float, float]:
        return self.min, self.max


@dataclass(frozen=True)
class Pert(Distribution):
    """PERT (min, mode, max): a beta rescaled to [min, max] with its mode at ``mode``."""

    family: ClassVar[str] = "pert"
    bounded: ClassVar[bool] = True
    min: float
    mode: float
    max: float
    lambda_: float = 4.0

    def _scipy(self) -> Any:
        from scipy import stats

        width = self.max - self.min
        a = 1 + self.lambda_ * (self.mode - self.min) / width
        b = 1 + self.lambda_ * (self.max - self.mode) / width
        return stats.beta(a, b, loc=self.min, scale=width)

    def support(self) -> tuple[float, float]:
        return self.min, self.max

    def params(self) -> dict[str, float]:
        return {"min": self.min, "mode": self.mode, "max": self.max, "lambda": self.lambda_}


#: Family name -> distribution class; a scenario's ``family:`` key is looked up here.
FAMILIES: dict[str, type[Distribution]] = {
    cls.family: cls
    for cls in (Fixed, Uniform, LogUniform, LogNormal, Normal, Beta, Triangular, Pert)
}
