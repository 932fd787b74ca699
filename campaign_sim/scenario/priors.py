"""Listing priors (family, parameters, mean, median, P5/P95, what the range describes, sources)
and the scenario-level assumptions beside them (order value, margin, costs, shock,
correlations), without simulating."""

from __future__ import annotations

import math
from collections.abc import Iterable
from statistics import NormalDist
from typing import Any

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
        *_funnel_rows(scenario, money),
    ]
    for strategy in scenario.strategies:
        if strategy.budget is not None:
            rows.append(
                (
                    f"budget of {strategy.name} (creators' all-in cost)",
                    f"strategies.{strategy.name}.budget",
                    _money(strategy.budget, money),
                    "",
                )
            )
    return pd.DataFrame(rows, columns=["setting", "key", "value", "p5_p95"])


def _funnel_rows(scenario: Scenario, money: str) -> list[tuple[str, str, str, str]]:
    """The settings of the funnel past first attributed orders (docs/model.md)."""
    funnel = scenario.funnel

    def spread(value: Any, fmt: Any) -> str:
        if value.is_fixed:
            return ""
        return " – ".join(fmt(float(v)) for v in value.ppf([0.05, 0.95]))

    def shown(value: Any, fmt: Any) -> str:
        return fmt(value.mean()) if value.is_fixed else value.describe()

    def share(v: float) -> str:
        return f"{v:.0%}"

    orders = {
        "poisson": "whole numbers, Poisson",
        "negative_binomial": f"whole numbers, negative binomial (variance / mean "
        f"{funnel.orders_dispersion:g})",
        "expected": "expected values (not whole numbers)",
    }[funnel.orders]
    rows = [
        (
            "amplification (shares, user posts)",
            "funnel.amplification",
            "on" if funnel.amplification else "off",
            "",
        ),
        ("orders", "funnel.orders", orders, ""),
        (
            "incrementality",
            "funnel.incrementality",
            shown(funnel.incrementality, share),
            spread(funnel.incrementality, share),
        ),
        (
            "attribution leakage",
            "funnel.attribution_leakage",
            shown(funnel.attribution_leakage, share),
            spread(funnel.attribution_leakage, share),
        ),
        ("agency commission", "economics.agency_commission", share(funnel.agency_commission), ""),
        ("tax on fees", "economics.fee_tax", share(funnel.fee_tax), ""),
    ]
    repeat = funnel.repeat
    if repeat is not None:
        rate = "{:.2f} a month".format
        rows += [
            ("repeat buyers: horizon", "repeat.months", f"{repeat.months} months", ""),
            (
                "repeat buyers: share",
                "repeat.share",
                shown(repeat.share, share),
                spread(repeat.share, share),
            ),
            (
                "repeat buyers: orders",
                "repeat.orders_per_month",
                shown(repeat.orders_per_month, rate),
                spread(repeat.orders_per_month, rate),
            ),
            ("repeat buyers: margin", "repeat.margin", share(repeat.margin), ""),
            (
                "repeat buyers: discount rate",
                "repeat.discount_rate",
                f"{repeat.discount_rate:.0%} a year",
                "",
            ),
        ]
    platforms = sorted({g.platform for g in scenario.groups})
    for platform in platforms:
        people = funnel.niche(platform)
        if people is not None:
            rows.append(
                (
                    f"niche audience on {platform} (unique reach)",
                    f"niche.people.{platform}",
                    shown(people, "{:,.0f} people".format),
                    spread(people, "{:,.0f}".format),
                )
            )
    return rows


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
