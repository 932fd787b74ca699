"""Load a scenario file once, check it whole, and turn it into an immutable plan.

Everything past :func:`load_scenario` / :func:`scenario_from_dict` trusts the
:class:`~campaign_sim.scenario.plan.Scenario` it returns: every group's priors are resolved and
fitted, every budget is an amount.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from campaign_sim.errors import InputError, Problem
from campaign_sim.scenario.plan import GroupPlan, Prior, Scenario, StrategyPlan
from campaign_sim.scenario.priors_schema import QUANTITIES
from campaign_sim.scenario.reading import read_yaml, validate
from campaign_sim.scenario.resolve import (
    PriorTable,
    check_overrides,
    check_priors,
    fit,
    load_priors_file,
    merge_priors,
)
from campaign_sim.scenario.schema import ScenarioFile
from campaign_sim.scenario.strict import suggest

__all__ = ["load_prior_set", "load_scenario", "scenario_from_dict"]


def load_prior_set(base: str, relative_to: Path | None = None) -> tuple[Prior, ...]:
    """Every prior of a prior set (shipped name or path), fitted, for listings."""
    priors_file, origin, _ = load_priors_file(base, relative_to)
    merged, _ = merge_priors(priors_file, origin, {}, origin)
    problems: list[Problem] = []
    check_priors(merged, "engagements", None, problems, check_base=False)
    if problems:
        raise InputError(None, problems)
    return tuple(p for tier in merged.values() for p in tier.values())


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and resolve a scenario file."""
    return scenario_from_dict(read_yaml(path), source=Path(path))


def scenario_from_dict(data: dict[str, Any], *, source: str | Path | None = None) -> Scenario:
    """Validate a scenario given as a mapping (as read from YAML) and resolve its priors."""
    model: ScenarioFile = validate(ScenarioFile, data, source)
    folder = Path(source).parent if source is not None else None
    try:
        base, base_origin, base_data = load_priors_file(model.priors.base, folder)
    except InputError as exc:
        raise InputError(exc.source or source, exc.problems) from None
    where = str(source) if source is not None else "(scenario)"
    try:
        priors, platforms = merge_priors(base, base_origin, model.priors.tiers, where)
    except InputError as exc:
        raise InputError(source, exc.problems) from None
    problems: list[Problem] = []
    used = [(g.tier, g.platform) for s in model.strategies.values() for g in s.groups]
    check_overrides(model.priors.tiers, base, used, where, problems)
    check_priors(priors, model.economics.conversion_base, where, problems)
    aov = fit(model.economics.aov, "economics.aov", problems)
    strategies = tuple(
        _plan_strategy(name, strategy, priors, platforms, problems)
        for name, strategy in model.strategies.items()
    )
    if aov is not None and aov.support()[0] < 0:
        problems.append(Problem("economics.aov", "an order value cannot be negative"))
    if problems:
        raise InputError(source, problems)
    shock = model.shock.sigma if model.shock.sigma is not None else base.shock_sigma
    canonical = json.dumps({"scenario": data, "priors": base_data}, sort_keys=True, default=str)
    return Scenario(
        name=model.name,
        description=model.description,
        currency=model.currency,
        source=str(source) if source is not None else None,
        digest=hashlib.sha256(canonical.encode()).hexdigest(),
        data=data,
        aov=aov,  # type: ignore[arg-type]
        gross_margin=model.economics.gross_margin,
        conversion_base=model.economics.conversion_base,
        fees_on_delivery=model.economics.fees_paid == "on_delivery",
        fixed_cost=model.economics.fixed_cost,
        shock_sigma=shock,
        rho_followers_fee=model.correlations.followers_fee,
        rho_engagement_conversion=model.correlations.engagement_conversion,
        strategies=strategies,
        priors=tuple(p for tier in priors.values() for p in tier.values()),
        priors_name=base.name,
        campaigns=model.simulation.campaigns,
        seed=model.simulation.seed,
        roi_target=model.simulation.roi_target,
        model=model,
    )


def _plan_strategy(
    name: str,
    strategy: Any,
    priors: PriorTable,
    platforms: dict[str, set[str]],
    problems: list[Problem],
) -> StrategyPlan:
    """One strategy's plan: each group's priors resolved, its budget an amount that covers one
    creator's fee; what is wrong goes to ``problems``."""
    groups = []
    for index, group in enumerate(strategy.groups):
        path = f"strategies.{name}.groups[{index}]"
        if group.tier not in priors:
            problems.append(
                Problem(
                    f"{path}.tier",
                    f"no priors for tier '{group.tier}'"
                    f"{suggest(group.tier, priors)}; known tiers: "
                    f"{', '.join(priors)}",
                )
            )
            continue
        table = priors[group.tier]
        declared = sorted(platforms[group.tier])
        if group.platform not in declared:
            problems.append(
                Problem(
                    f"{path}.platform",
                    f"tier '{group.tier}' has no priors for platform '{group.platform}'"
                    f"{suggest(group.platform, declared)}; its platforms: "
                    f"{', '.join(declared) or 'none'} (add it under "
                    f"priors.tiers.{group.tier}.platforms)",
                )
            )
            continue
        resolved: dict[str, Prior] = {}
        for quantity in QUANTITIES:
            prior = table.get((group.platform, quantity)) or table.get((None, quantity))
            if prior is None:
                problems.append(
                    Problem(
                        f"{path}.platform",
                        f"no {quantity} prior for tier '{group.tier}' on platform "
                        f"'{group.platform}': give one under priors.tiers.{group.tier} or "
                        f"priors.tiers.{group.tier}.platforms.{group.platform}",
                    )
                )
                break
            resolved[quantity] = prior
        else:
            budget = group.budget
            if group.share is not None:
                budget = group.share * strategy.budget
            if budget:  # a budget of 0 (share 0, e.g. in a sweep) hires no one, on purpose
                one_fee = float(resolved["fee"].dist.ppf(0.05)) * group.deliverables
                if budget < one_fee:
                    key = "share" if group.share is not None else "budget"
                    problems.append(
                        Problem(
                            f"{path}.{key}",
                            f"a budget of {budget:,.0f} is smaller than one creator's fee "
                            f"(P5 of {group.deliverables} x fee = {one_fee:,.0f}): it would hire "
                            "almost no one",
                        )
                    )
            groups.append(
                GroupPlan(
                    group.tier, group.platform, group.deliverables, group.count, budget, resolved
                )
            )
    return StrategyPlan(name, strategy.label or name, strategy.budget, tuple(groups))
