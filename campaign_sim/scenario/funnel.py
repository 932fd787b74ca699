"""The funnel past first attributed orders of a scenario, fitted and checked into a
:class:`~campaign_sim.scenario.plan.FunnelPlan` (docs/model.md, "Beyond first purchases")."""

from __future__ import annotations

import math
from typing import Any

from campaign_sim.errors import Problem
from campaign_sim.scenario.plan import FunnelPlan, RepeatPlan
from campaign_sim.scenario.resolve import WORLD_POPULATION, fit, top_of
from campaign_sim.scenario.schema import ScenarioFile
from campaign_sim.scenario.strict import suggest

__all__ = ["MAX_ORDERS_PER_MONTH", "funnel_plan"]

#: The most orders a repeating customer places per month: about one an hour, beyond any
#: shopper (a larger figure is a typo, and it overflows repeat revenue).
MAX_ORDERS_PER_MONTH = 1_000


def funnel_plan(
    model: ScenarioFile,
    problems: list[Problem],
    platforms: set[str],
    used: set[str] | None = None,
) -> FunnelPlan | None:
    """The funnel's settings fitted and checked (``platforms``: those the priors declare;
    ``used``: those the strategies hire on, default their tier groups'); None after adding to
    ``problems``."""
    before = len(problems)

    def fitted(
        spec: Any, path: str, low: float, high: float, what: str, most: float = math.inf
    ) -> Any:
        """``spec`` fitted, its support inside [low, high] (high inf: no upper bound) and its
        P99 at most ``most`` (for a distribution without an upper bound)."""
        built = fit(spec, path, problems)
        if built is None:
            return None
        lo, hi = built.support()
        if lo < low or hi > high:
            bounds = f"lie in [{low:g}, {high:g}]" if math.isfinite(high) else f"be >= {low:g}"
            problems.append(
                Problem(
                    path,
                    f"{what} must {bounds}, but {built.describe()} reaches [{lo:g}, {hi:g}]",
                )
            )
        top = top_of(built)
        if not top <= most:
            problems.append(
                Problem(
                    path,
                    f"{what} cannot exceed {most:g}, but {built.describe()} has a P99 of {top:g}",
                )
            )
        return built

    funnel, economics = model.funnel, model.economics
    incrementality = fitted(
        funnel.incrementality, "funnel.incrementality", 0, 1, "a share of orders"
    )
    leakage = fitted(
        funnel.attribution_leakage, "funnel.attribution_leakage", 0, 0.99, "a share of orders"
    )
    repeat = None
    if model.repeat is not None:
        share = fitted(model.repeat.share, "repeat.share", 0, 1, "a share of customers")
        rate = fitted(
            model.repeat.orders_per_month,
            "repeat.orders_per_month",
            0,
            math.inf,
            "orders per month",
            MAX_ORDERS_PER_MONTH,
        )
        margin = model.repeat.margin
        repeat = RepeatPlan(
            months=model.repeat.months,
            share=share,
            orders_per_month=rate,
            margin=economics.gross_margin if margin is None else margin,
            discount_rate=model.repeat.discount_rate,
        )
    niche = {
        platform: fitted(spec, f"niche.people.{platform}", 0, math.inf, "people", WORLD_POPULATION)
        for platform, spec in model.niche.people.items()
    }
    # As timeline.half_life_days: every key a platform of the priors or default, and every
    # group's platform with a niche (`people: {}` switches unique reach off).
    for key, built in niche.items():
        path = f"niche.people.{key}"
        if key != "default" and key not in platforms and "people" in model.niche.model_fields_set:
            problems.append(
                Problem(
                    path,
                    f"no platform '{key}'{suggest(key, platforms)}; platforms: "
                    f"{', '.join(sorted(platforms))} (or default)",
                )
            )
        elif built is not None and built.support()[1] <= 0:  # unique reach divides by it
            problems.append(Problem(path, f"a niche needs people, but {built.describe()} has none"))
    people = model.niche.people
    if used is None:
        used = {g.platform for s in model.strategies.values() for g in s.groups if g.platform}
    for platform in sorted(used) if people and "default" not in people else ():
        if platform in platforms and platform not in people:
            problems.append(
                Problem(
                    "niche.people",
                    f"no niche audience for platform {platform}: add it or a `default` key",
                )
            )
    if len(problems) > before:
        return None
    return FunnelPlan(
        amplification=funnel.amplification,
        orders=funnel.orders,
        orders_dispersion=funnel.orders_dispersion or 1.0,
        incrementality=incrementality,
        attribution_leakage=leakage,
        agency_commission=economics.agency_commission,
        fee_tax=economics.fee_tax,
        repeat=repeat,
        niche_people=niche,
    )
