"""Fast inverse CDFs: linear interpolation in tables of exact quantiles, exact in the tails."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from campaign_sim.random.distributions import Distribution

__all__ = ["PpfTable", "table_for"]


def table_for(dist: Distribution) -> PpfTable:
    """The quantile table of ``dist``, built once per distribution."""
    # Tables are cached on the (frozen, hashable) distribution: building one costs ~10 ms.
    table = _TABLE_CACHE.get(dist)
    if table is None:
        table = _TABLE_CACHE[dist] = PpfTable(dist)
    return table


_TABLE_CACHE: dict[Distribution, PpfTable] = {}


class PpfTable:
    """Inverse CDF by linear interpolation in tables of exact quantiles.

    A body table of ``size`` quantiles spans (0, 1); the outer ``tail`` probability on each
    side is looked up again in a finer table of its own, and uniforms within 8 of that table's
    cells of 0 or 1 (probability ~1.5e-5) get exact quantiles. Measured error (tests): below
    2e-6 of the distribution's scale for 1e-4 < u < 1 - 1e-4, below 1e-3 in the outer tails,
    so no statistic this project reports moves by more than ~1e-8 relative. One lookup costs a
    few numpy passes, far less than a scipy ``ppf`` or numpy's beta sampler.
    """

    def __init__(self, dist: Distribution, size: int = 2**14, tail: float = 2**-6) -> None:
        self._dist = dist
        self._size = size
        self._tail = tail
        self._outer_cells = round(size * tail)
        grid = (np.arange(size) + 0.5) / size
        self._body = _table(dist, grid)
        self._low = _table(dist, grid * tail)
        self._high = _table(dist, 1 - tail + grid * tail)

    def __call__(self, u: np.ndarray) -> np.ndarray:
        out, index = _interpolate(u * self._size, *self._body, clip=False)
        # Cells wholly inside the outer tails (index < k - 1 or >= size - k): unsigned
        # arithmetic finds both sides in one comparison.
        k = self._outer_cells
        shifted = np.subtract(index, k - 1, out=index).view(np.uint64)
        outer = np.flatnonzero(shifted >= self._size - 2 * k + 1)
        if outer.size:
            u_outer = u.flat[outer]
            scale = self._size / self._tail
            is_low = u_outer < 0.5
            low, i_low = _interpolate(u_outer * scale, *self._low)
            high, i_high = _interpolate((u_outer - (1 - self._tail)) * scale, *self._high)
            values = np.where(is_low, low, high)
            # The outermost cells of the tail tables curve too much for a straight line.
            edge = _EXACT_CELLS
            beyond = np.flatnonzero(np.where(is_low, i_low < edge, i_high >= self._size - 1 - edge))
            values[beyond] = self._dist.ppf(u_outer[beyond])
            out.flat[outer] = values
        return out


def _table(dist: Distribution, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values = dist.ppf(grid)
    # A zero slope after the last point keeps the lookup in bounds without clipping.
    return values, np.append(np.diff(values), 0.0)


_EXACT_CELLS = 8


def _interpolate(
    position: np.ndarray, values: np.ndarray, slopes: np.ndarray, *, clip: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Interpolate at ``position`` in grid cells (point i at i + 0.5), overwriting it; also
    return the cell index. Positions before the first point or past the last give wrong values
    that the caller replaces; ``clip=False`` is for positions known to lie in [0, size)."""
    t = position
    t -= 0.5
    if clip:
        np.clip(t, 0, values.size - 1, out=t)
    index = t.astype(np.intp)
    t -= index
    out = np.take(slopes, index)
    out *= t
    out += np.take(values, index)
    return out, index
