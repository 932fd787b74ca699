"""What a plan decides (MODEL.md §11): one decision per pool or roster candidate.

A plan is a whole number per decision, its *level*:

* ``count``: how many creators of a pool (tier x platform) to hire;
* ``share``: how many steps of ``step`` of the budget a pool's open call gets (it hires in
  draw order while the fees fit, as a scenario's ``share`` group does);
* ``creator``: whether to book one roster candidate (0 or 1).

:func:`plan_strategy` turns a plan into the strategy a full simulation runs, so that every
number the search reports can be checked against the engine itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from campaign_sim.engine.draws import mean_hire
from campaign_sim.scenario.plan import GroupPlan, Scenario, StrategyPlan
from campaign_sim.scenario.timeline import timeline_plan

__all__ = ["KINDS", "Decision", "capped", "plan_label", "plan_strategy", "team_hours"]

#: The kinds of decision.
KINDS = ("count", "share", "creator")


@dataclass(frozen=True)
class Decision:
    """One decision of a plan: its levels ``low .. high`` and what one level buys."""

    name: str  # the pool (``nano/instagram``) or ``@handle``
    kind: str  # count | share | creator
    group: GroupPlan  # the pool's priors and deliverables; a candidate's own group
    low: int
    high: int
    step: float = 0.0  # share: fraction of the budget per level
    budget: float = 0.0  # share: the budget the steps are fractions of (currency)
    bound_key: str = ""  # the key path that set ``high`` (a cell's max, or the budget)

    @property
    def pool(self) -> str:
        return self.group.pool

    @property
    def levels(self) -> int:
        return self.high - self.low + 1

    def share_budget(self, level: int) -> float:
        """A share decision's budget at ``level`` (currency)."""
        return level * self.step * self.budget

    def expected_cost(self, scenario: Scenario) -> float:
        """What one level costs on average (currency): a creator's fees with commission and
        tax (or a product-only deal's cost) for counts and candidates, the budget step for
        shares."""
        if self.kind == "share":
            return self.step * self.budget
        return mean_hire(self.group, scenario.funnel)

    def quoted_cost(self, scenario: Scenario) -> float:
        """What one level costs at the quoted fee where there is one (a candidate's quote, or
        the middle of their range), else on average (currency)."""
        creator = self.group.creator
        if self.kind != "creator" or creator is None or creator.fee is None:
            return self.expected_cost(scenario)
        return creator.fee.mean() * self.group.deliverables * scenario.funnel.fee_factor

    def group_at(self, level: int) -> GroupPlan | None:
        """The strategy group of this decision at ``level`` (None: nobody hired)."""
        if level <= 0:
            return None
        if self.kind == "count":
            return replace(self.group, count=level, budget=None, creator=None, booking=None)
        if self.kind == "share":
            return replace(self.group, count=None, budget=self.share_budget(level), booking=None)
        return replace(self.group, booking=None)


def team_hours(scenario: Scenario, decision: Decision) -> float:
    """Manager-hours one creator of ``decision`` takes (the timeline settings: onboarding,
    then every review round of every deliverable)."""
    settings = scenario.model.timeline
    rounds = settings.review_rounds * decision.group.deliverables
    return settings.onboarding_hours + rounds * settings.review_hours


def team_capacity(scenario: Scenario) -> float | None:
    """The manager-hours the team has in the campaign window (None: unlimited managers)."""
    plan = timeline_plan(scenario)
    if plan.managers is None:
        return None
    return plan.managers * plan.manager_hours_per_day * plan.window_days


def plan_strategy(
    decisions: tuple[Decision, ...], plan: np.ndarray | tuple[int, ...], name: str, label: str
) -> StrategyPlan | None:
    """The strategy a full simulation of ``plan`` runs (None: the plan hires nobody)."""
    groups = []
    for decision, level in zip(decisions, plan, strict=True):
        group = decision.group_at(int(level))
        if group is not None:
            groups.append(group)
    if not groups:
        return None
    budget = max((d.budget for d in decisions if d.kind == "share"), default=None)
    return StrategyPlan(name, label, budget or None, tuple(groups))


def plan_label(decisions: tuple[Decision, ...], plan: np.ndarray | tuple[int, ...]) -> str:
    """A plan in words: ``12 nano/instagram + 2 micro/youtube``, ``nano/tiktok 30%``,
    ``@beanlab``; ``nobody`` for the empty plan."""
    parts = []
    for decision, level in zip(decisions, plan, strict=True):
        level = int(level)
        if level <= 0:
            continue
        if decision.kind == "count":
            parts.append(f"{level} {decision.name}")
        elif decision.kind == "share":
            parts.append(f"{decision.name} {100 * level * decision.step:g}%")
        else:
            parts.append(decision.name)
    return " + ".join(parts) if parts else "nobody"


def capped(decisions: tuple[Decision, ...], plans: list[tuple[int, ...]]) -> tuple[Decision, ...]:
    """``decisions`` with their largest level cut to the largest ``plans`` use: what a campaign
    set for just those plans draws (row ``k`` of a pool is the same however many are drawn)."""
    return tuple(
        replace(d, high=max(d.low, *(plan[i] for plan in plans))) for i, d in enumerate(decisions)
    )
