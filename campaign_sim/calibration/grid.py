"""One persistent score's posterior on a grid: exact up to the grid's step.

A pool's quantity is seen in cells, one per past campaign: the cell's log-likelihood is a
function of that campaign's score ``z = sqrt(p) Zp + sqrt(1 - p) Zc`` (tabulated on
:data:`Z_GRID`). The campaign part ``Zc ~ N(0, 1)`` is a nuisance shared by the cell's creators
and is integrated out by a discrete convolution with a normal kernel of sd ``sqrt(1 - p)``;
the cells are then independent given ``Zp``, whose posterior is the robust prior times their
product, on the same grid. Steps: :data:`STEP` in score units (the refinement test halves it).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import interpolate

from campaign_sim.calibration.prior import SCORE_EDGE, robust_logpdf

__all__ = [
    "STEP",
    "Z_GRID",
    "Posterior1D",
    "cell_table",
    "marginal_loglik",
    "normal_logpdf",
    "posterior_1d",
    "score_grid",
]

STEP = 0.0125
LIMIT = 10.5


def score_grid(step: float = STEP) -> np.ndarray:
    """The grid of scores, -LIMIT to LIMIT."""
    n = int(round(LIMIT / step))
    return np.arange(-n, n + 1) * step


Z_GRID = score_grid()


class Posterior1D:
    """A score's posterior on a grid: log density (normalized), mean and sd."""

    def __init__(self, grid: np.ndarray, log_density: np.ndarray) -> None:
        self.grid = grid
        step = grid[1] - grid[0]
        weights = np.exp(log_density - log_density.max())
        weights /= weights.sum()
        self.weights = weights
        self.log_density = np.log(np.maximum(weights / step, 1e-300))
        self.mean = float(weights @ grid)
        self.sd = float(math.sqrt(max(weights @ (grid - self.mean) ** 2, 0.0)))

    def quantile(self, q: float) -> float:
        return float(np.interp(q, np.cumsum(self.weights), self.grid))


#: Scan step of a cell's first look, and how far below its maximum a score is negligible
#: (``exp(-80)``): only the scores within it are evaluated every ``step``.
SCAN_STEP = 0.4
NEGLIGIBLE = 80.0


def cell_table(
    loglik: Callable[[np.ndarray], np.ndarray], step: float, grid: np.ndarray
) -> np.ndarray:
    """A cell's log-likelihood on ``grid``. A first look every :data:`SCAN_STEP` finds the
    scores within :data:`NEGLIGIBLE` of the maximum; those are evaluated every ``step`` and
    interpolated by a cubic spline, the rest linearly from the first look. Between the level
    map's edges only: beyond them the level, hence the likelihood, is constant."""
    n = int(math.ceil(SCORE_EDGE / SCAN_STEP))
    scan = np.arange(-n, n + 1) * SCAN_STEP
    first = _finite(loglik(scan))
    near = np.flatnonzero(first >= first.max() - NEGLIGIBLE)
    low, high = scan[max(near[0] - 1, 0)], scan[min(near[-1] + 1, len(scan) - 1)]
    count = int(math.ceil((high - low) / step))
    fine = np.linspace(low, high, count + 1)
    values = _finite(loglik(fine))
    inside = np.clip(grid, scan[0], scan[-1])
    out = np.interp(inside, scan, first)
    region = (inside >= low) & (inside <= high)
    out[region] = interpolate.CubicSpline(fine, values)(inside[region])
    return out


def _finite(values: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(values), values, -1e300)


def _campaign_integrated(table: np.ndarray, persistent: float, grid: np.ndarray) -> np.ndarray:
    """``log int exp(table(a + sqrt(1 - p) zc)) phi(zc) dzc`` on ``grid`` (a)."""
    if persistent >= 1.0:
        return table
    step = grid[1] - grid[0]
    sd = math.sqrt(1.0 - persistent)
    half = int(math.ceil(8 * sd / step))
    offsets = np.arange(-half, half + 1) * step
    kernel = np.exp(-0.5 * (offsets / sd) ** 2)
    kernel /= kernel.sum()
    top = table.max()
    padded = np.pad(np.exp(table - top), half, mode="edge")
    smoothed = np.convolve(padded, kernel, mode="valid")
    return np.log(np.maximum(smoothed, 1e-300)) + top


def marginal_loglik(tables: list[np.ndarray], persistent: float, grid: np.ndarray) -> np.ndarray:
    """The cells' log-likelihood as a function of ``Zp`` on ``grid``, each campaign's own
    part integrated out."""
    total = np.zeros(grid.shape)
    root = math.sqrt(persistent)
    for table in tables:
        integrated = _campaign_integrated(table, persistent, grid)
        total += np.interp(root * grid, grid, integrated)
    return total


def posterior_1d(
    tables: list[np.ndarray],
    persistent: float,
    grid: np.ndarray = Z_GRID,
    prior: Callable[[np.ndarray], np.ndarray] = robust_logpdf,
) -> tuple[Posterior1D, Posterior1D]:
    """The posterior of ``Zp`` from the cells' log-likelihood ``tables`` on ``grid``, and
    the likelihood alone normalized (a flat prior), for the conflict check."""
    total = marginal_loglik(tables, persistent, grid)
    return Posterior1D(grid, total + prior(grid)), Posterior1D(grid, total)


def normal_logpdf(z: np.ndarray) -> np.ndarray:
    """The planning prior of a score, N(0, 1) (for exact conjugate checks)."""
    return -0.5 * np.asarray(z) ** 2 - 0.5 * math.log(2 * math.pi)
