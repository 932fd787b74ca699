"""Pilot sizing: what a pilot of n creators would teach, before paying for it.

Preposterior simulation: for each size ``n`` and each of ``replicates`` draws, a truth from
calibration's prior, a one-campaign pilot of ``n`` creators of the pool simulated through the
observation layer (:mod:`campaign_sim.calibration.pilot`), and the posterior of the pool's
quantity from it; reported: the expected P5-P95 width of the next campaign's value against the
prior's, and the expected sd of the persistent score (1 before any pilot).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from campaign_sim.calibration.pilot import simulate_pilot
from campaign_sim.calibration.update import calibrate
from campaign_sim.scenario.plan import Scenario

__all__ = ["COLUMNS_OF", "DEFAULT_SIZES", "pilot_sizing"]

DEFAULT_SIZES = (3, 6, 12, 24, 48)
#: The observed columns a pilot of each quantity records (the others are left empty, so the
#: sizing measures what this quantity's own data teach).
COLUMNS_OF = {
    "engagement_rate": ("engagements",),
    "reach_rate": ("reach", "engagements"),
    "conversion_rate": ("engagements", "orders"),
    "fee": ("fee",),
}
_EMPTIED = ("fee", "reach", "engagements", "orders", "revenue")


def pilot_sizing(
    scenario: Scenario,
    pool: str,
    quantity: str,
    sizes: tuple[int, ...] = DEFAULT_SIZES,
    replicates: int = 100,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """One row per pilot size: ``creators``, ``prior_width``, ``expected_width`` (mean over
    replicates), ``width_p10``/``width_p90``, ``expected_shrink``, ``score_sd`` (the persistent
    score's posterior sd, averaged), ``replicates``."""
    name = f"{pool}/{quantity}"
    kept = COLUMNS_OF[quantity]
    rows: list[dict[str, float]] = []
    for n in sizes:
        rng = np.random.default_rng([seed, n])
        widths, sds, prior_width = [], [], float("nan")
        for r in range(replicates):
            pilot = simulate_pilot(scenario, {pool: n}, 1, {}, rng)
            for column in _EMPTIED:
                if column not in kept:
                    pilot.rows[column] = np.nan
            result = calibrate(scenario, pilot, seed=seed + r, predictive=False)
            update = next(u for u in result.updates if u.name == name)
            prior_width = update.prior.width
            widths.append(update.posterior.width)
            if progress is not None:
                progress(len(rows) * replicates + r + 1)
            i = result.names.index(name)
            sds.append(float(np.sqrt(result.covariance[i, i])))
        widths_a = np.array(widths)
        rows.append(
            {
                "creators": n,
                "prior_width": prior_width,
                "expected_width": float(widths_a.mean()),
                "width_p10": float(np.quantile(widths_a, 0.1)),
                "width_p90": float(np.quantile(widths_a, 0.9)),
                "expected_shrink": float(1 - widths_a.mean() / prior_width),
                "score_sd": float(np.mean(sds)),
                "replicates": replicates,
            }
        )
    return pd.DataFrame(rows)
