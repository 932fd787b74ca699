"""Inputs ranked by Spearman correlation, SRRC and contribution to variance."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special, stats

from campaign_sim.analysis.sensitivity.drivers import Drivers

__all__ = ["rank_sensitivity"]


def rank_sensitivity(
    drivers: Drivers, *, output: str = "roi", strategies: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Ranked table, a row per strategy and input that varies: Spearman correlation with its
    95% CI (Fisher z, se sqrt(1.06 / (n - 3))), SRRC, contribution to variance, rank (1 = the
    input with the largest contribution), and the rank regression's R² (the same on every row
    of a strategy: when it is low, the ranking misses what drives the output)."""
    frames = []
    for name in strategies or drivers.strategies:
        x = drivers.inputs[name]
        y = drivers.outputs[name][output]
        keep = np.isfinite(y) & np.isfinite(x).all(axis=1)
        x, y = x[keep], y[keep]
        # Relative spread, not std > 0: a mean of equal draws can differ from them by rounding.
        varies = np.ptp(x, axis=0) > 1e-9 * np.maximum(1.0, np.abs(x).max(axis=0, initial=0))
        found = [d for d, v in zip(drivers.drivers[name], varies, strict=True) if v]
        x = x[:, varies]
        n = y.size
        if n < 4 or not found or y.std() == 0:
            continue
        zx = _standard(stats.rankdata(x, axis=0))
        zy = _standard(stats.rankdata(y))
        rho = zx.T @ zy / n
        half = float(special.ndtri(0.975)) * math.sqrt(1.06 / (n - 3))
        srrc, *_ = np.linalg.lstsq(zx, zy, rcond=None)
        r2 = 1 - float(np.sum((zy - zx @ srrc) ** 2)) / n
        contribution = r2 * srrc**2 / np.sum(srrc**2)
        frame = pd.DataFrame(
            {
                "strategy": name,
                "output": output,
                "input": [d.input for d in found],
                "group": [d.group for d in found],
                "quantity": [d.quantity for d in found],
                "aggregate": [d.aggregate for d in found],
                "spearman": rho,
                "spearman_ci_low": np.tanh(np.arctanh(np.clip(rho, -0.999999, 0.999999)) - half),
                "spearman_ci_high": np.tanh(np.arctanh(np.clip(rho, -0.999999, 0.999999)) + half),
                "srrc": srrc,
                "contribution": contribution,
                "rank_r2": r2,
                "n": n,
            }
        )
        frame = frame.sort_values(
            ["contribution", "spearman"], key=abs, ascending=False, ignore_index=True
        )
        frame.insert(3, "rank", np.arange(1, len(frame) + 1))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _standard(a: np.ndarray) -> np.ndarray:
    return (a - a.mean(axis=0)) / a.std(axis=0)
