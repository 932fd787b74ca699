"""What a calibration found: the joint posterior of the persistent scores and, per quantity,
the prior and posterior of the next campaign's value (docs/calibration.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim.random.distributions import Distribution
from campaign_sim.random.levels import OWN_PERSISTENT

__all__ = ["Calibration", "CreatorUpdate", "QuantityUpdate", "Summary"]


@dataclass(frozen=True)
class Summary:
    """A distribution of the next campaign's value, in the quantity's units."""

    median: float
    p5: float
    p95: float

    @property
    def width(self) -> float:
        return self.p95 - self.p5


@dataclass(frozen=True)
class QuantityUpdate:
    """How the data moved one quantity of one pool (``pool`` "" for ``shock`` and ``aov``)."""

    pool: str
    quantity: str
    rows: int  # observed rows used
    creators: int  # distinct creators among them
    campaigns: int  # distinct past campaigns among them
    prior: Summary
    posterior: Summary
    conflict_percentile: float | None  # the data's percentile under the prior (0-100)
    note: str = ""
    # The creators' spread tau where the data learnt it: assumed, posterior median, P5, P95
    # (on the logit or log scale); None where the prior's assumption is kept.
    spread: tuple[float, float, float, float] | None = None

    @property
    def name(self) -> str:
        return f"{self.pool}/{self.quantity}" if self.pool else self.quantity

    @property
    def shrink(self) -> float:
        """How much the P5-P95 interval shrank: 1 - posterior width / prior width."""
        return 1.0 - self.posterior.width / self.prior.width if self.prior.width > 0 else 0.0

    @property
    def conflict(self) -> bool:
        """True when the data sit in the prior's outer 1% on either side."""
        p = self.conflict_percentile
        return p is not None and (p < 1.0 or p > 99.0)


@dataclass(frozen=True)
class CreatorUpdate:
    """How a named creator's rows moved their persistent own effect ``eta_p`` of one rate
    (:mod:`campaign_sim.calibration.creators`): its prior N(0, 1) and posterior on the
    normal-score scale, and their usual rate (own campaign part 0) in a campaign at the
    pool's posterior mean level, before and after."""

    handle: str  # canonical
    pool: str  # tier/platform
    quantity: str
    rows: int  # the creator's rows used
    campaigns: int  # past campaigns among them
    spread: float  # the pool's creator spread tau the effect is measured with
    mean: float  # posterior mean of eta_p
    sd: float  # posterior sd of eta_p
    slope: float  # b of eta_p = a + b Zp + e (Zp the pool's persistent score)
    residual: float  # Var(e)
    usual_prior: Summary
    usual_posterior: Summary
    prior_mean: float = 0.0
    prior_sd: float = 1.0

    @property
    def name(self) -> str:
        return f"@{self.handle}/{self.quantity}"

    @property
    def own_spread(self) -> float:
        """The sd of the creator's own deviation in a next campaign, on the rate's scale:
        ``tau sqrt(q sd^2 + 1 - q)``; never below the floor ``tau sqrt(1 - q)``."""
        q = OWN_PERSISTENT
        return self.spread * (q * self.sd**2 + 1 - q) ** 0.5

    @property
    def floor(self) -> float:
        """The own spread of a creator known exactly: ``tau sqrt(1 - q)``."""
        return self.spread * (1 - OWN_PERSISTENT) ** 0.5


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`campaign_sim.calibration.update.calibrate`.

    ``names``/``mean``/``covariance``: the joint Gaussian posterior of the persistent normal
    scores (``tier/platform/quantity`` or ``shock``, then any named creators' own effects
    ``@handle/quantity``), on the normal-score scale.
    """

    updates: tuple[QuantityUpdate, ...]
    names: tuple[str, ...]
    mean: np.ndarray
    covariance: np.ndarray
    predictive: pd.DataFrame  # row, pool, quantity, observed, percentile
    untouched: tuple[str, ...]
    provenance: dict[str, Any]
    aov: Distribution | None = None
    priors: dict[str, str] = field(default_factory=dict)  # name -> key of the fitted prior
    # Named creators' own effects (names "@handle/quantity" at the end of ``names``).
    creators: tuple[CreatorUpdate, ...] = ()

    def spreads(self) -> dict[str, float]:
        """The creators' spread learnt per pool quantity (posterior medians), for the engine."""
        return {u.name: u.spread[1] for u in self.updates if u.spread is not None}

    def frame(self) -> pd.DataFrame:
        """One row per calibrated quantity: prior and posterior median, P5, P95, shrink,
        conflict percentile, rows, creators, campaigns."""
        rows = []
        for u in self.updates:
            rows.append(
                {
                    "pool": u.pool,
                    "quantity": u.quantity,
                    "rows": u.rows,
                    "creators": u.creators,
                    "campaigns": u.campaigns,
                    "prior_median": u.prior.median,
                    "prior_p5": u.prior.p5,
                    "prior_p95": u.prior.p95,
                    "posterior_median": u.posterior.median,
                    "posterior_p5": u.posterior.p5,
                    "posterior_p95": u.posterior.p95,
                    "shrink": u.shrink,
                    "conflict_percentile": u.conflict_percentile,
                    "conflict": u.conflict,
                    "spread_assumed": None if u.spread is None else u.spread[0],
                    "spread_median": None if u.spread is None else u.spread[1],
                    "spread_p5": None if u.spread is None else u.spread[2],
                    "spread_p95": None if u.spread is None else u.spread[3],
                    "note": u.note,
                }
            )
        return pd.DataFrame(rows)

    def outside_share(self) -> float:
        """The share of observed values outside their posterior predictive P5-P95."""
        p = self.predictive["percentile"].dropna()
        return float(((p < 5) | (p > 95)).mean()) if len(p) else float("nan")
