"""The immutable plan of a scenario: its strategies, groups and fitted priors.

Everything past :func:`campaign_sim.scenario.loading.load_scenario` trusts a :class:`Scenario`:
every group's priors are resolved and fitted, every budget is an amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campaign_sim.errors import InputError
from campaign_sim.random import distributions as dist
from campaign_sim.scenario.priors_schema import SCALES
from campaign_sim.scenario.schema import ScenarioFile
from campaign_sim.scenario.strict import suggest

__all__ = ["GroupPlan", "Prior", "Scenario", "StrategyPlan"]


@dataclass(frozen=True)
class Prior:
    """One fitted prior and where it came from."""

    quantity: str
    tier: str
    platform: str | None  # None: the tier's default for every platform
    dist: dist.Distribution
    sources: tuple[tuple[str, str], ...]  # (figure, source)
    note: str | None
    assumption: bool
    base: str | None  # conversion_rate only
    origin: str  # the file that stated it
    key_path: str  # where in that file
    describes: str = "creators"  # "level" or "creators" (MODEL.md §8)
    creator_spread: float = 0.0  # level: tau on the quantity's scale (logit or log)
    level_is: str = "mean"  # level: the pool's "mean" or "median" creator
    shared: float = 0.0  # creators: rho, the pool's shared share of the normal-score variance
    persistent: float = 0.0  # share of the level's or shared factor's variance that persists
    describes_note: str | None = None  # why the range describes what it does

    @property
    def scale(self) -> str:
        """``logit`` (rates) or ``log`` (money, counts): where creators spread."""
        return SCALES[self.quantity]

    @property
    def pooled(self) -> bool:
        """True when the pool has a campaign-level draw: a level, or a shared factor."""
        return self.describes == "level" or self.shared > 0

    def location(self, scenario_origin: str | None) -> str:
        """The key path, prefixed by its file unless that is the scenario being read."""
        if self.origin == scenario_origin:
            return self.key_path
        return f"{self.origin}: {self.key_path}"


@dataclass(frozen=True)
class GroupPlan:
    """A group of creators of one tier on one platform, with every prior resolved."""

    tier: str
    platform: str
    deliverables: int
    count: int | None  # exactly this many creators, or
    budget: float | None  # hire in draw order while the next fee fits (currency)
    priors: dict[str, Prior]  # quantity -> prior

    def dist(self, quantity: str) -> dist.Distribution:
        return self.priors[quantity].dist

    @property
    def pool(self) -> str:
        """Creators of the same tier and platform share random streams across strategies."""
        return f"{self.tier}/{self.platform}"


@dataclass(frozen=True)
class StrategyPlan:
    name: str
    label: str
    budget: float | None
    groups: tuple[GroupPlan, ...]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: economics, strategies with resolved priors, settings."""

    name: str
    description: str | None
    currency: str
    source: str | None
    digest: str  # sha256 of the scenario and its base priors, canonical JSON
    data: dict[str, Any]  # the scenario as written (do not mutate; sweeps copy it)
    aov: dist.Distribution
    gross_margin: float
    conversion_base: str
    fees_on_delivery: bool
    fixed_cost: float
    shock_sigma: float
    shock_persistent: float  # share of the shock's log-variance that persists across campaigns
    rho_followers_fee: float
    rho_engagement_conversion: float
    strategies: tuple[StrategyPlan, ...]
    priors: tuple[Prior, ...]
    priors_name: str
    campaigns: int
    seed: int
    roi_target: float
    model: ScenarioFile

    def strategy(self, name: str) -> StrategyPlan:
        for plan in self.strategies:
            if plan.name == name:
                return plan
        names = [p.name for p in self.strategies]
        raise InputError.single(
            self.source,
            "strategies",
            f"no strategy '{name}'{suggest(name, names)}; the scenario has {', '.join(names)}",
        )
