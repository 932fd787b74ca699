"""Monte Carlo standard errors of a mean, valid for every sampling method.

With plain random sampling campaigns are independent and the standard error of a mean is
``sd / sqrt(n)``. Latin hypercube, Sobol and antithetic sampling make the campaigns of one seed
block dependent on purpose (:mod:`campaign_sim.random.sampling`), and ``sd / sqrt(n)`` then
overstates
the error (by a factor of 2 to 7 on the example scenarios). Seed blocks, however, are
independent replicates of the same design, so the spread of the block means gives an honest
standard error with ``blocks - 1`` degrees of freedom (randomised quasi-Monte Carlo, Owen 1997).
Only whole blocks are replicates; a last, partial block is left out of the error estimate (its
campaigns still count in the mean). With fewer than :data:`MIN_REPLICATES` whole blocks the
error falls back to ``sd / sqrt(n)`` (method ``iid-fallback``): an upper bound for a Latin
hypercube (Owen 1997: its variance is at most ``sd**2 / (n - 1)``), an approximation otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.random.streams import BLOCK

__all__ = ["MIN_REPLICATES", "MeanError", "mean_error"]

#: Fewest whole seed blocks for a replicate standard error (3 degrees of freedom).
MIN_REPLICATES = 4


@dataclass(frozen=True)
class MeanError:
    """Standard error of a mean and the multiplier that turns it into a CI half-width."""

    se: float
    dof: float  # degrees of freedom of the error estimate (inf for independent campaigns)
    method: str  # "iid" or "iid-fallback" (sd / sqrt n), "blocks" (spread of block means)

    def half_width(self, confidence: float = 0.95) -> float:
        """Half-width of the ``confidence`` interval of the mean (normal or Student t)."""
        if math.isinf(self.dof):
            return float(special.ndtri(0.5 + confidence / 2)) * self.se
        if self.dof < 1:
            return math.nan
        return float(stats.t.ppf(0.5 + confidence / 2, self.dof)) * self.se


def mean_error(values: np.ndarray, sampling: Sampling = RANDOM) -> MeanError:
    """Standard error of the mean of the finite ``values`` (campaign order, campaign 0 first).

    Non-finite values (e.g. the CPA of a campaign without orders) are left out, block by block.
    """
    finite = np.isfinite(values)
    n = int(finite.sum())
    sd = float(values[finite].std(ddof=1)) if n > 1 else math.nan  # one value: no spread
    iid = MeanError(sd / math.sqrt(n) if n else math.nan, math.inf, "iid")
    whole = values.size // BLOCK
    if sampling.iid or whole < MIN_REPLICATES:
        return iid if sampling.iid else MeanError(iid.se, iid.dof, "iid-fallback")
    shaped = values[: whole * BLOCK].reshape(whole, BLOCK)
    ok = finite[: whole * BLOCK].reshape(whole, BLOCK)
    counts = ok.sum(axis=1)
    kept = counts > 0
    means = np.where(ok, shaped, 0.0).sum(axis=1)[kept] / counts[kept]
    if means.size < MIN_REPLICATES:
        return MeanError(iid.se, iid.dof, "iid-fallback")
    return MeanError(float(means.std(ddof=1)) / math.sqrt(means.size), means.size - 1, "blocks")
