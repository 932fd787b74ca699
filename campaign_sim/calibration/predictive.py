"""Posterior predictive check: where each observed creator falls under the posterior.

For every creator row and count it has (engagements, reach, orders), the mid-percentile
``100 (P(Y < y) + P(Y = y) / 2)`` of the observed count among creators of the *next* campaign
with the row's followers and deliverables: persistent scores from the posterior, a fresh
campaign part, shock and creator deviation, the count around its expectation
(:data:`DRAWS` draws, fixed seed). A well-calibrated posterior puts about 10% of rows outside
P5-P95 (more when the pilot's own campaign was unusual, which its campaign part absorbs).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special, stats

from campaign_sim.calibration.observation import PoolModel
from campaign_sim.calibration.prior import level_of_score
from campaign_sim.calibration.result import Calibration
from campaign_sim.random.levels import level_centre
from campaign_sim.scenario.plan import Scenario

__all__ = ["DRAWS", "predictive_percentiles"]

DRAWS = 2000
_COUNTS = {"engagements": "engagement_rate", "reach": "reach_rate", "orders": "conversion_rate"}


def _score_draws(
    calibration: Calibration, name: str, persistent: float, rng: np.random.Generator
) -> np.ndarray:
    """The next campaign's score of ``name``: ``sqrt(p) Zp + sqrt(1 - p) Zc``."""
    if name in calibration.names:
        i = calibration.names.index(name)
        zp = calibration.mean[i] + math.sqrt(calibration.covariance[i, i]) * rng.standard_normal(
            DRAWS
        )
    else:
        zp = rng.standard_normal(DRAWS)
    return math.sqrt(persistent) * zp + math.sqrt(1 - persistent) * rng.standard_normal(DRAWS)


def _rate_draws(model: PoolModel, quantity: str, calibration: Calibration, rng) -> np.ndarray:  # type: ignore[no-untyped-def]
    prior = model.priors[quantity]
    z = _score_draws(calibration, f"{model.pool}/{quantity}", prior.persistent, rng)
    level = level_of_score(prior.dist, z)
    centre = level_centre(level, prior.creator_spread, prior.scale, prior.level_is)
    x = centre + prior.creator_spread * rng.standard_normal(DRAWS)
    return special.expit(x)


def _mid_percentile(y: float, mu: np.ndarray, dispersion: float) -> float:
    mu = np.maximum(mu, 1e-12)
    if dispersion == 1.0:
        below, at = stats.poisson.cdf(y - 1, mu), stats.poisson.pmf(y, mu)
    else:
        size = mu / (dispersion - 1)
        below, at = (
            stats.nbinom.cdf(y - 1, size, 1 / dispersion),
            stats.nbinom.pmf(y, size, 1 / dispersion),
        )
    return float(100 * np.mean(below + at / 2))


def predictive_percentiles(
    calibration: Calibration,
    scenario: Scenario,
    models: dict[str, PoolModel],
    rows: pd.DataFrame,
    seed: int,
) -> pd.DataFrame:
    """One row per observed (creator row, count): row, pool, quantity, observed, percentile."""
    rng = np.random.default_rng([seed, 14])
    out = []
    shock_z = _score_draws(calibration, "shock", scenario.shock_persistent, rng)
    shock = np.exp(scenario.shock_sigma * shock_z)
    for _, row in rows[rows["creators"] == 1].iterrows():
        pool = f"{row['tier']}/{row['platform']}"
        model = models[pool]
        if pd.notna(row["followers"]):
            followers = np.full(DRAWS, float(row["followers"]))
        else:
            followers = np.asarray(model.priors["followers"].dist.ppf(rng.random(DRAWS)), float)
        audience = followers * model.audience_share * float(row["deliverables"])
        engaged = None
        for column, quantity in _COUNTS.items():
            if pd.isna(row[column]) or quantity not in model.priors:
                continue
            if model.priors[quantity].describes != "level":
                continue
            rate = _rate_draws(model, quantity, calibration, rng)
            if column == "engagements":
                mu = audience * rate
                engaged = mu
                dispersion = 1.0
            elif column == "reach":
                seen = row["engagements"] if pd.notna(row["engagements"]) else None
                amplified = (
                    seen if seen is not None else audience * model.mean("engagement_rate")
                ) * model.reach_per_engagement
                mu = audience * rate + amplified
                dispersion = 1.0
            else:
                base = _base(scenario, row, audience, engaged)
                if base is None:
                    continue
                seen = row["engagements"] if pd.notna(row["engagements"]) else 0.0
                mu = shock * (base * rate + seen * model.orders_per_engagement)
                dispersion = model.dispersion
            out.append(
                {
                    "row": int(row["row"]),
                    "pool": pool,
                    "quantity": column,
                    "observed": float(row[column]),
                    "percentile": _mid_percentile(float(row[column]), mu, dispersion),
                }
            )
    return pd.DataFrame(out, columns=["row", "pool", "quantity", "observed", "percentile"])


def _base(scenario: Scenario, row: pd.Series, audience: np.ndarray, engaged) -> np.ndarray | None:  # type: ignore[no-untyped-def]
    if scenario.conversion_base == "engagements":
        return None if pd.isna(row["engagements"]) else np.full(DRAWS, float(row["engagements"]))
    if scenario.conversion_base == "reach":
        return None if pd.isna(row["reach"]) else np.full(DRAWS, float(row["reach"]))
    return audience
