"""Simulate a pilot from known persistent scores: the observation layer run forwards.

Used by simulation-based calibration (tests) and by pilot sizing. Creators' rates and fees
come from the engine's own creator model (:func:`campaign_sim.random.levels.creator_values`)
around campaign levels built from the given persistent scores and fresh campaign parts;
counts from the observation layer (:mod:`campaign_sim.calibration.observation`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from campaign_sim.calibration.observation import PoolModel, pool_model
from campaign_sim.calibration.prior import level_of_score, robust_sample
from campaign_sim.calibration.update import AOV_ORDER_CV
from campaign_sim.random.levels import creator_values
from campaign_sim.scenario.plan import Scenario

__all__ = ["Pilot", "simulate_pilot"]


@dataclass(frozen=True)
class Pilot:
    """Simulated observed rows, shaped like :class:`~campaign_sim.calibration.observed.
    Observed` (``rows``, ``path``, ``sha256``)."""

    rows: pd.DataFrame
    truth: dict[str, float]
    path: Path = field(default=Path("simulated pilot"))
    sha256: str = ""


def simulate_pilot(
    scenario: Scenario,
    design: dict[str, int],
    campaigns: int,
    truth: dict[str, float],
    rng: np.random.Generator,
    *,
    aov: float | None = None,
    spreads: dict[str, float] | None = None,
) -> Pilot:
    """A pilot of ``design[pool]`` creators per pool in each of ``campaigns`` past campaigns
    of the scenario's product. Persistent scores not in ``truth`` are drawn from the robust
    prior (and added to it); ``aov``: the brand's true order value (default: the scenario's
    median); ``spreads``: the creators' true spread of some ``tier/platform/quantity`` (default:
    the prior's)."""
    truth = dict(truth)
    order_value = float(scenario.aov.ppf(0.5)) if aov is None else aov
    records = []
    serial = 0
    for c in range(campaigns):
        shock = 1.0
        if scenario.shock_sigma > 0:
            sp = truth.setdefault("shock", float(robust_sample(rng, 1)[0]))
            q = scenario.shock_persistent
            z = math.sqrt(q) * sp + math.sqrt(1 - q) * rng.standard_normal()
            shock = math.exp(scenario.shock_sigma * z)
        for pool, n in design.items():
            model = pool_model(scenario, pool)
            for name, tau in (spreads or {}).items():
                quantity = name.rsplit("/", 1)[1]
                if name.startswith(f"{pool}/") and quantity in model.priors:
                    prior = replace(model.priors[quantity], creator_spread=tau)
                    model = replace(model, priors={**model.priors, quantity: prior})
            values = {
                q: _creators(model, q, n, truth, rng)
                for q in ("engagement_rate", "reach_rate", "conversion_rate", "fee")
            }
            followers = np.asarray(model.priors["followers"].dist.ppf(rng.random(n)), float)
            audience = followers * model.audience_share
            engagements = rng.poisson(audience * values["engagement_rate"])
            reach = rng.poisson(
                audience * values["reach_rate"] + engagements * model.reach_per_engagement
            )
            base = {"engagements": engagements, "reach": reach}.get(
                scenario.conversion_base, audience
            )
            mu = shock * (
                base * values["conversion_rate"] + engagements * model.orders_per_engagement
            )
            orders = _counts(rng, mu, model.dispersion)
            noise = np.exp(
                rng.normal(0.0, 1.0, n) * AOV_ORDER_CV / np.sqrt(np.maximum(orders, 1))
                - 0.5 * AOV_ORDER_CV**2 / np.maximum(orders, 1)
            )
            revenue = orders * order_value * noise
            tier, platform = pool.split("/", 1)
            for j in range(n):
                serial += 1
                records.append(
                    {
                        "row": serial + 1,
                        "platform": platform,
                        "tier": tier,
                        "followers": float(round(followers[j])),
                        "campaign": f"pilot-{c + 1}",
                        "product": scenario.name,
                        "creator": f"{pool}-{c + 1}-{j + 1}",
                        "deliverables": 1,
                        "creators": 1,
                        "fee": float(values["fee"][j]),
                        "reach": float(reach[j]),
                        "engagements": float(engagements[j]),
                        "orders": float(orders[j]),
                        "revenue": float(revenue[j]),
                    }
                )
    return Pilot(pd.DataFrame(records), truth)


def _counts(rng: np.random.Generator, mu: np.ndarray, dispersion: float) -> np.ndarray:
    if dispersion == 1.0:
        return rng.poisson(mu)
    size = np.maximum(mu, 1e-12) / (dispersion - 1)
    return rng.negative_binomial(size, 1 / dispersion)


def _creators(
    model: PoolModel, quantity: str, n: int, truth: dict[str, float], rng: np.random.Generator
) -> np.ndarray:
    """``n`` creators' values of one quantity in a campaign: around the pool's campaign level
    (or shared factor), whose persistent score is the truth's (drawn and recorded if absent)."""
    prior = model.priors[quantity]
    u = rng.random((n, 1))
    pool = None
    if prior.pooled:
        p = prior.persistent
        zp = (
            truth.setdefault(f"{model.pool}/{quantity}", float(robust_sample(rng, 1)[0]))
            if p
            else 0.0
        )
        z = np.array([math.sqrt(p) * zp + math.sqrt(1 - p) * rng.standard_normal()])
        pool = (level_of_score(prior.dist, z), z)
    values = creator_values(
        prior.dist,
        prior.describes,
        prior.scale,
        prior.creator_spread,
        prior.shared,
        pool,
        u,
        prior.level_is,
    )
    return values[:, 0]
