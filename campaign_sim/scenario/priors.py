"""Listing priors: family, parameters, mean, median, P5/P95 and sources, without simulating."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from campaign_sim.scenario.plan import Prior
from campaign_sim.scenario.priors_schema import QUANTITIES

__all__ = ["priors_frame"]


def priors_frame(priors: Iterable[Prior]) -> pd.DataFrame:
    """One row per prior, in tier / platform / quantity order."""
    rows = []
    for p in priors:
        p5, p50, p95 = (float(v) for v in p.dist.ppf([0.05, 0.5, 0.95]))
        rows.append(
            {
                "tier": p.tier,
                "platform": p.platform or "(all)",
                "quantity": p.quantity,
                "unit": QUANTITIES[p.quantity],
                "family": p.dist.family,
                "parameters": ", ".join(f"{k}={v:.6g}" for k, v in p.dist.params().items()),
                "mean": p.dist.mean(),
                "median": p50,
                "p5": p5,
                "p95": p95,
                "conversion_base": p.base or "",
                "assumption": p.assumption,
                "sources": "; ".join(f"{figure} ({source})" for figure, source in p.sources),
                "note": p.note or "",
                "origin": p.origin,
            }
        )
    return pd.DataFrame(rows)
