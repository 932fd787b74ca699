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


def _rate_draws(
    model: PoolModel,
    quantity: str,
    calibration: Calibration,
    rows: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Creators' rates in the next campaign, shape (rows, DRAWS): the pool's level per draw
    (one campaign), each creator's own deviation with the learnt spread where there is one."""
    prior = model.priors[quantity]
    name = f"{model.pool}/{quantity}"
    tau = calibration.spreads().get(name, prior.creator_spread)
    z = _score_draws(calibration, name, prior.persistent, rng)
    centre = level_centre(level_of_score(prior.dist, z), tau, prior.scale, prior.level_is)
    return special.expit(centre[None, :] + tau * rng.standard_normal((rows, DRAWS)))


def _mid_percentiles(y: np.ndarray, mu: np.ndarray, dispersion: float) -> np.ndarray:
    """``100 (P(Y < y) + P(Y = y) / 2)`` per row of ``mu`` (rows, DRAWS), averaged."""
    mu = np.maximum(mu, 1e-12)
    y = y[:, None]
    if dispersion == 1.0:
        below, at = stats.poisson.cdf(y - 1, mu), stats.poisson.pmf(y, mu)
    else:
        size = mu / (dispersion - 1)
        below = stats.nbinom.cdf(y - 1, size, 1 / dispersion)
        at = stats.nbinom.pmf(y, size, 1 / dispersion)
    return 100 * (below + at / 2).mean(axis=1)


def predictive_percentiles(
    calibration: Calibration,
    scenario: Scenario,
    models: dict[str, PoolModel],
    rows: pd.DataFrame,
    seed: int,
) -> pd.DataFrame:
    """One row per observed (creator row, count): row, pool, quantity, observed, percentile."""
    rng = np.random.default_rng([seed, 14])
    shock = np.exp(
        scenario.shock_sigma * _score_draws(calibration, "shock", scenario.shock_persistent, rng)
    )
    creators = rows[rows["creators"] == 1]
    frames = []
    for pool, part in creators.groupby(creators["tier"] + "/" + creators["platform"], sort=True):
        model = models[str(pool)]
        n = len(part)
        followers = np.broadcast_to(part["followers"].to_numpy(float)[:, None], (n, DRAWS))
        missing = np.isnan(followers)
        if missing.any():
            drawn = np.asarray(model.priors["followers"].dist.ppf(rng.random((n, DRAWS))), float)
            followers = np.where(missing, drawn, followers)
        audience = followers * model.audience_share * part["deliverables"].to_numpy(float)[:, None]
        engaged = part["engagements"].to_numpy(float)
        known = ~np.isnan(engaged)
        for column, quantity in _COUNTS.items():
            observed = part[column].to_numpy(float)
            prior = model.priors.get(quantity)
            if np.isnan(observed).all() or prior is None or prior.describes != "level":
                continue
            rate = _rate_draws(model, quantity, calibration, n, rng)
            dispersion = 1.0
            if column == "engagements":
                mu = audience * rate
            elif column == "reach":
                seen = np.where(
                    known[:, None], engaged[:, None], audience * model.mean("engagement_rate")
                )
                mu = audience * rate + seen * model.reach_per_engagement
            else:
                base = _base(scenario, part, audience)
                observed = np.where(np.isnan(base[:, 0]), np.nan, observed)
                amplified = np.where(known, engaged, 0.0)[:, None] * model.orders_per_engagement
                mu = shock[None, :] * (np.nan_to_num(base) * rate + amplified)
                dispersion = model.dispersion
            has = ~np.isnan(observed)
            frames.append(
                pd.DataFrame(
                    {
                        "row": part["row"].to_numpy()[has].astype(int),
                        "pool": str(pool),
                        "quantity": column,
                        "observed": observed[has],
                        "percentile": _mid_percentiles(observed[has], mu[has], dispersion),
                    }
                )
            )
    columns = ["row", "pool", "quantity", "observed", "percentile"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return (
        pd.concat(frames, ignore_index=True)
        .sort_values(["row", "quantity"], kind="stable")[columns]
        .reset_index(drop=True)
    )


def _base(scenario: Scenario, part: pd.DataFrame, audience: np.ndarray) -> np.ndarray:
    """The conversion base of each row (rows, DRAWS); NaN where the row lacks it."""
    if scenario.conversion_base in ("engagements", "reach"):
        values = part[scenario.conversion_base].to_numpy(float)[:, None]
        return np.broadcast_to(values, audience.shape)
    return audience
