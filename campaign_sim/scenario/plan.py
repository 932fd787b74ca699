"""The immutable plan of a scenario: its strategies, groups and fitted priors.

Everything past :func:`campaign_sim.scenario.loading.load_scenario` trusts a :class:`Scenario`:
every group's priors are resolved and fitted, every budget is an amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from campaign_sim.errors import InputError
from campaign_sim.metrics import outcomes_for, reported_for
from campaign_sim.random import distributions as dist
from campaign_sim.scenario.priors_schema import SCALES
from campaign_sim.scenario.schema import ScenarioFile
from campaign_sim.scenario.strict import suggest

__all__ = [
    "AMPLIFICATION",
    "quantity_used",
    "FunnelPlan",
    "Booking",
    "GroupPlan",
    "NamedCreator",
    "PersistentPosterior",
    "Prior",
    "RepeatPlan",
    "Scenario",
    "StrategyPlan",
]


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
class NamedCreator:
    """A roster's candidate (MODEL.md §10): what is known of them replaces the pool's draws."""

    handle: str  # canonical (creators.handles.canonical_handle)
    roster: str  # the roster file
    row: int  # its spreadsheet row
    followers: float | None  # known followers, or None: the pool's prior
    fee: dist.Distribution | None  # per deliverable (currency); None: the pool's prior


@dataclass(frozen=True)
class Booking:
    """A roster group's booking: its candidates, in booking order, are booked while their fees
    (with commission and tax) fit ``budget`` (None: every candidate is booked)."""

    name: str  # the group's key path, unique in its strategy
    budget: float | None  # currency


@dataclass(frozen=True)
class GroupPlan:
    """A group of creators of one tier on one platform, with every prior resolved; or one
    named creator of a roster group (``creator``, ``count`` 1), in their pool's tier and
    platform, with that pool's priors."""

    tier: str
    platform: str
    deliverables: int
    count: int | None  # exactly this many creators, or
    budget: float | None  # hire in draw order while the next fee fits (currency)
    priors: dict[str, Prior]  # quantity -> prior
    creator: NamedCreator | None = None
    booking: Booking | None = None  # the roster group's booking (named creators only)

    def dist(self, quantity: str) -> dist.Distribution:
        return self.priors[quantity].dist

    @property
    def pool(self) -> str:
        """Creators of the same tier and platform share random streams across strategies."""
        return f"{self.tier}/{self.platform}"


#: The quantities of amplification: read only when a scenario's funnel amplifies.
AMPLIFICATION = (
    "share_rate",
    "reach_per_share",
    "user_post_rate",
    "reach_per_user_post",
    "amplified_engagement_rate",
    "amplified_conversion_rate",
)


def quantity_used(group: GroupPlan, quantity: str, amplification: bool) -> bool:
    """True when the model reads ``quantity`` of ``group``'s creators: the funnel's later
    quantities only when their mechanism is on (a share rate or user post rate above 0 with
    ``amplification``; a gifted share above 0)."""

    def on(name: str) -> bool:
        prior = group.dist(name)
        return not prior.is_fixed or prior.mean() > 0

    if quantity in AMPLIFICATION:
        shares, posts = amplification and on("share_rate"), amplification and on("user_post_rate")
        own = {"share_rate": shares, "reach_per_share": shares}
        own |= {"user_post_rate": posts, "reach_per_user_post": posts}
        return own.get(quantity, shares or posts)
    if quantity == "gifted_cost":
        return on("gifted_share")
    return True


@dataclass(frozen=True)
class StrategyPlan:
    name: str
    label: str
    budget: float | None
    groups: tuple[GroupPlan, ...]


@dataclass(frozen=True)
class RepeatPlan:
    """Repeat buyers over a horizon (docs/model.md, Repeat buyers)."""

    months: int
    share: dist.Distribution  # of new customers who buy again, drawn per campaign
    orders_per_month: dist.Distribution  # of a repeating customer, drawn per campaign
    margin: float  # gross margin on repeat orders
    discount_rate: float  # per year

    def discounted_months(self) -> float:
        """Sum over months m = 1 .. months of the discount factor (1 + r)^(-m / 12)."""
        monthly = (1 + self.discount_rate) ** (-1 / 12)
        return float(sum(monthly**m for m in range(1, self.months + 1)))


@dataclass(frozen=True)
class FunnelPlan:
    """The funnel past first attributed orders (docs/model.md, Beyond first purchases).
    The defaults are the model before it: no amplification, expected orders, every attributed
    order caused by the campaign, no finance costs, no repeat buyers."""

    amplification: bool = False
    orders: str = "expected"  # poisson | negative_binomial | expected
    orders_dispersion: float = 1.0  # negative_binomial: variance / mean
    incrementality: dist.Distribution = dist.Fixed(1.0)
    attribution_leakage: dist.Distribution = dist.Fixed(0.0)
    agency_commission: float = 0.0  # fraction of fees
    fee_tax: float = 0.0  # fraction of fees
    repeat: RepeatPlan | None = None
    niche_people: dict[str, dist.Distribution] | None = None  # platform ("default") -> people

    @property
    def fee_factor(self) -> float:
        """What the brand pays per currency of fee: the fee, its commission and its tax."""
        return 1.0 + self.agency_commission + self.fee_tax

    def niche(self, platform: str) -> dist.Distribution | None:
        """The niche audience of ``platform`` (None: unique reach is not computed)."""
        if self.niche_people is None:
            return None
        return self.niche_people.get(platform, self.niche_people.get("default"))


@dataclass(frozen=True, eq=False)
class PersistentPosterior:
    """A calibration's joint Gaussian over persistent normal scores (MODEL.md §9): for each
    name (``tier/platform/quantity`` or ``shock``) the engine draws ``mean + factor @ e``, where
    ``e`` are the normal scores of the uniforms it draws for those persistent parts anyway."""

    names: tuple[str, ...]
    mean: np.ndarray  # shape (k,)
    factor: np.ndarray  # lower Cholesky factor of the covariance, shape (k, k)
    product: str | None = None  # whose persistent appeal `shock` is

    def __repr__(self) -> str:
        return f"PersistentPosterior(names={self.names!r}, product={self.product!r})"


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
    funnel: FunnelPlan = FunnelPlan()
    # The persistent scores' posterior of a calibrated priors file (None: the prior, N(0, 1)).
    calibrated: PersistentPosterior | None = None

    @property
    def groups(self) -> tuple[GroupPlan, ...]:
        """Every strategy's groups, in order."""
        return tuple(g for s in self.strategies for g in s.groups)

    def named_pools(self) -> dict[str, str]:
        """Every named creator the strategies book: canonical handle -> pool."""
        return {g.creator.handle: g.pool for g in self.groups if g.creator is not None}

    @property
    def mechanisms(self) -> frozenset[str]:
        """The funnel's mechanisms this scenario uses (metrics.MECHANISMS): what tables show."""
        funnel = self.funnel

        def on(quantity: str) -> bool:
            return any(quantity_used(g, quantity, funnel.amplification) for g in self.groups)

        used = set()
        if on("amplified_engagement_rate"):
            used.add("amplification")
        if funnel.niche_people:
            used.add("unique_reach")
        plain = dist.Fixed(1.0), dist.Fixed(0.0)
        if (funnel.incrementality, funnel.attribution_leakage) != plain:
            used.add("attribution")
        if funnel.repeat is not None:
            used.add("repeat")
        if funnel.fee_factor != 1:
            used.add("finance")
        if on("gifted_cost"):
            used.add("gifted")
        if used & {"finance", "gifted"}:
            used.add("cost_lines")
        return frozenset(used)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The engine outcomes a run of this scenario keeps (metrics.outcomes_for)."""
        return outcomes_for(self.mechanisms)

    @property
    def reported(self) -> tuple[str, ...]:
        """The metrics its tables and sweeps report (metrics.reported_for)."""
        return reported_for(self.mechanisms)

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
