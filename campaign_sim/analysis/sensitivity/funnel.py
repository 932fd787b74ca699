"""The funnel's campaign-level inputs to a sensitivity analysis: incrementality, attribution
leakage and the repeat buyers' share and rate, when a scenario makes them uncertain."""

from __future__ import annotations

from dataclasses import replace

from campaign_sim.random import distributions as dist
from campaign_sim.scenario.plan import Scenario

__all__ = ["FUNNEL_INPUTS", "funnel_inputs", "with_funnel_input"]

#: The funnel's campaign-level inputs: quantity -> (label, key path).
FUNNEL_INPUTS = {
    "incrementality": ("incrementality", "funnel.incrementality"),
    "attribution_leakage": ("attribution leakage", "funnel.attribution_leakage"),
    "repeat_share": ("repeat buyers' share", "repeat.share"),
    "repeat_orders_per_month": ("repeat orders per month", "repeat.orders_per_month"),
}


def funnel_inputs(scenario: Scenario) -> list[tuple[str, str, str, dist.Distribution]]:
    """(label, quantity, key path, distribution) of the funnel's uncertain campaign-level
    inputs: incrementality, leakage and the repeat buyers' share and rate when not fixed."""
    funnel = scenario.funnel
    values: dict[str, dist.Distribution] = {
        "incrementality": funnel.incrementality,
        "attribution_leakage": funnel.attribution_leakage,
    }
    if funnel.repeat is not None:
        values["repeat_share"] = funnel.repeat.share
        values["repeat_orders_per_month"] = funnel.repeat.orders_per_month
    return [
        (FUNNEL_INPUTS[quantity][0], quantity, FUNNEL_INPUTS[quantity][1], value)
        for quantity, value in values.items()
        if not value.is_fixed
    ]


def with_funnel_input(scenario: Scenario, quantity: str, value: float) -> Scenario:
    """The scenario with the funnel input ``quantity`` fixed at ``value``."""
    funnel = scenario.funnel
    fixed = dist.Fixed(value)
    if quantity == "incrementality":
        return replace(scenario, funnel=replace(funnel, incrementality=fixed))
    if quantity == "attribution_leakage":
        return replace(scenario, funnel=replace(funnel, attribution_leakage=fixed))
    if funnel.repeat is None:
        raise ValueError(f"{quantity}: the scenario has no repeat buyers")
    if quantity == "repeat_share":
        repeat = replace(funnel.repeat, share=fixed)
    else:
        repeat = replace(funnel.repeat, orders_per_month=fixed)
    return replace(scenario, funnel=replace(funnel, repeat=repeat))
