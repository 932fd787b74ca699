"""Listing priors (family, parameters, mean, median, P5/P95, what the range describes, sources)
and the scenario-level assumptions beside them (order value, margin, costs, shock,
correlations), without simulating."""

from __future__ import annotations

import math
from collections.abc import Iterable
from statistics import NormalDist

import pandas as pd

from campaign_sim.random.levels import spearman_of_pearson
from campaign_sim.scenario.plan import Prior, Scenario
from campaign_sim.scenario.priors_schema import QUANTITIES

__all__ = ["assumptions_frame", "describes_text", "priors_frame", "used_priors"]

_Z95 = NormalDist().inv_cdf(0.95)


def used_priors(scenario: Scenario) -> tuple[Prior, ...]:
    """The priors some strategy group draws from (in the priors' order): the tiers and
    platforms the scenario hires, not the whole prior set."""
    used = {id(prior) for s in scenario.strategies for g in s.groups for prior in g.priors.values()}
    return tuple(p for p in scenario.priors if id(p) in used)


def _money(value: float, currency: str) -> str:
    return f"{currency} {value:,.0f}"


def assumptions_frame(scenario: Scenario) -> pd.DataFrame:
    """The scenario-level assumptions that move ROI most, a row each: setting, key path,
    value as text (money with separators and currency, rates as percentages), and for
    distributions their P5 - P95."""
    money = scenario.currency
    aov = scenario.aov
    aov_range = (
        "" if aov.is_fixed else " – ".join(_money(float(v), money) for v in aov.ppf([0.05, 0.95]))
    )
    shock = scenario.shock_sigma
    shock_range = (
        "" if shock == 0 else f"{math.exp(-_Z95 * shock):.2f}× – {math.exp(_Z95 * shock):.2f}×"
    )
    rows = [
        (
            "order value (AOV)",
            "economics.aov",
            aov.describe() if not aov.is_fixed else _money(aov.mean(), money),
            aov_range,
        ),
        ("gross margin", "economics.gross_margin", f"{scenario.gross_margin:.0%}", ""),
        ("fixed cost per campaign", "economics.fixed_cost", _money(scenario.fixed_cost, money), ""),
        (
            "fees paid",
            "economics.fees_paid",
            "on delivery" if scenario.fees_on_delivery else "always",
            "",
        ),
        ("conversion base", "economics.conversion_base", scenario.conversion_base, ""),
        (
            "campaign shock (product appeal)",
            "shock.sigma",
            f"lognormal, median 1, sigma {shock:g}",
            shock_range,
        ),
        (
            "campaign shock: persistent share",
            "shock.persistent",
            f"{scenario.shock_persistent:.0%} of its log-variance",
            "",
        ),
        (
            "followers–fee rank correlation",
            "correlations.followers_fee",
            f"{scenario.rho_followers_fee:g}",
            "",
        ),
        (
            "engagement–conversion rank correlation",
            "correlations.engagement_conversion",
            f"{scenario.rho_engagement_conversion:g}",
            "",
        ),
        ("ROI target", "simulation.roi_target", f"{scenario.roi_target:.0%}", ""),
    ]
    for strategy in scenario.strategies:
        if strategy.budget is not None:
            rows.append(
                (
                    f"budget of {strategy.name} (creator fees only)",
                    f"strategies.{strategy.name}.budget",
                    _money(strategy.budget, money),
                    "",
                )
            )
    return pd.DataFrame(rows, columns=["setting", "key", "value", "p5_p95"])


def priors_frame(priors: Iterable[Prior]) -> pd.DataFrame:
    """One row per prior, in tier / platform / quantity order.

    Besides the distribution: ``describes`` (``level`` or ``creators``, MODEL.md §8),
    ``scale`` (``logit`` for rates, ``log`` for money and counts), ``level_is`` (``mean``
    or ``median``: which creator of the pool a level is), ``creator_spread`` (a
    level's tau: the sd of creators around it on ``scale``; empty for creators), ``shared``
    and ``shared_spearman`` (creators: the share rho of the normal-score variance common to
    the pool in a campaign, and two creators' rank correlation ``(6/pi) asin(rho/2)``; empty
    for a level), ``persistent`` (the share of the level's or shared factor's variance that
    persists across a brand's campaigns; empty when the pool has no campaign-level draw) and
    ``describes_note`` (why, as the priors file says).
    """
    rows = []
    for p in priors:
        p5, p50, p95 = (float(v) for v in p.dist.ppf([0.05, 0.5, 0.95]))
        level = p.describes == "level"
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
                "describes": p.describes,
                "scale": p.scale,
                "creator_spread": p.creator_spread if level else math.nan,
                "level_is": p.level_is if level else "",
                "shared": math.nan if level else p.shared,
                "shared_spearman": math.nan if level else spearman_of_pearson(p.shared),
                "persistent": p.persistent if p.pooled else math.nan,
                "assumption": p.assumption,
                "sources": "; ".join(f"{figure} ({source})" for figure, source in p.sources),
                "note": p.note or "",
                "describes_note": p.describes_note or "",
                "origin": p.origin,
            }
        )
    return pd.DataFrame(rows)


def describes_text(prior: pd.Series | dict) -> str:
    """What a row of :func:`priors_frame` describes, in a few words: ``level ±0.5 logit, 50%
    persistent``, ``creators, 20% shared, 25% persistent`` or ``creators``."""
    if prior["describes"] == "level":
        kind = "level" if prior.get("level_is", "mean") != "median" else "level (median)"
        parts = [f"{kind} ±{prior['creator_spread']:g} {prior['scale']}"]
    else:
        shared = prior["shared"]
        parts = ["creators"] + ([f"{shared:.0%} shared"] if shared > 0 else [])
    persistent = prior["persistent"]
    if not math.isnan(persistent) and persistent > 0:
        parts.append(f"{persistent:.0%} persistent")
    return ", ".join(parts)
