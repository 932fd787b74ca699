"""The shape of scenario files, validated by pydantic.

These models only check what one key can know about itself (types, ranges, which keys go
together). Checks that need the whole scenario (every group's priors resolve, a budget covers
one fee) live in :mod:`campaign_sim.scenario.loading`. The priors' models are in
:mod:`campaign_sim.scenario.priors_schema`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from campaign_sim.scenario.priors_schema import (
    QUANTITIES,
    ConversionBase,
    DistributionSpec,
    FixedSpec,
    LogNormalSpec,
    TierPriors,
    TriangularSpec,
)
from campaign_sim.scenario.strict import (
    Flag,
    NonNegativeInteger,
    NonNegativeNumber,
    Number,
    PositiveInteger,
    PositiveNumber,
    Strict,
)

__all__ = [
    "QUANTITIES",  # re-exported from priors_schema for the callers that import it from here
    "Bounds",
    "Group",
    "Optimize",
    "ScenarioFile",
    "Strategy",
    "Timeline",
]


class PriorOverrides(Strict):
    base: str = Field("article", description="a shipped prior set, or a path to a priors file")
    tiers: dict[str, TierPriors] = {}


class Economics(Strict):
    aov: DistributionSpec = Field(description="average order value, currency per order")
    gross_margin: Number = Field(ge=0, le=1, description="fraction of revenue")
    conversion_base: ConversionBase = "engagements"
    fees_paid: Literal["always", "on_delivery"] = "always"
    fixed_cost: NonNegativeNumber = Field(0.0, description="currency per campaign")
    agency_commission: Number = Field(
        0.0, ge=0, le=1, description="agency commission, a fraction of creators' fees"
    )
    fee_tax: Number = Field(
        0.0, ge=0, le=1, description="tax the brand pays on top of creators' fees, a fraction"
    )


class Shock(Strict):
    sigma: NonNegativeNumber | None = Field(None, description="lognormal sigma; median is 1")
    persistent: Number | None = Field(
        None, ge=0, le=1, description="share of the shock's log-variance that persists"
    )


class Correlations(Strict):
    followers_fee: Number | None = Field(
        None, gt=-1, lt=1, description="Spearman rank correlation (null: the prior set's)"
    )
    engagement_conversion: Number = Field(0.0, gt=-1, lt=1, description="Spearman rank correlation")


class Funnel(Strict):
    """The funnel past a creator's own followers and how orders count (docs/model.md)."""

    amplification: Flag = Field(
        True, description="shares and user posts carry content past the creators' followers"
    )
    orders: Literal["poisson", "negative_binomial", "expected"] = Field(
        "poisson", description="orders as whole numbers (poisson, negative_binomial) or means"
    )
    orders_dispersion: Number | None = Field(
        None,
        gt=1,
        le=1000,
        description="negative_binomial: variance / mean of a campaign's orders (> 1)",
    )
    incrementality: DistributionSpec = Field(
        default_factory=lambda: FixedSpec(family="fixed", value=1.0),
        description="share of attributed orders the campaign caused, in [0, 1]",
    )
    attribution_leakage: DistributionSpec = Field(
        default_factory=lambda: FixedSpec(family="fixed", value=0.0),
        description="share of attributed orders through leaked codes, in [0, 1)",
    )

    @model_validator(mode="after")
    def _dispersion(self) -> Funnel:
        if self.orders == "negative_binomial" and self.orders_dispersion is None:
            raise ValueError("orders: negative_binomial needs `orders_dispersion` (> 1)")
        if self.orders != "negative_binomial" and self.orders_dispersion is not None:
            raise ValueError("`orders_dispersion` is for orders: negative_binomial")
        return self


class Repeat(Strict):
    """Customers who buy again after their first order (docs/model.md, Repeat buyers)."""

    months: PositiveInteger = Field(le=120, description="horizon in months after the first order")
    share: DistributionSpec = Field(
        description="share of new customers who buy again, per campaign"
    )
    orders_per_month: DistributionSpec = Field(
        description="orders a repeating customer places per month, per campaign"
    )
    margin: Number | None = Field(
        None, ge=0, le=1, description="gross margin on repeat orders (null: economics')"
    )
    discount_rate: Number = Field(
        0.0, ge=0, le=1, description="discount rate per year for repeat revenue"
    )


def _niche_defaults() -> dict[str, Any]:
    def niche(low: float, high: float) -> Any:
        return LogNormalSpec(family="lognormal", range=(low, high), assumption=True)

    return {
        "default": niche(500_000, 2_000_000),
        "instagram": niche(500_000, 2_000_000),
        "tiktok": niche(250_000, 1_000_000),
        "youtube": niche(800_000, 3_200_000),
    }


class Niche(Strict):
    """The people who follow the product's niche, for unique reach (docs/model.md, Unique
    reach). Every default is an assumption (docs/model.md gives the reason)."""

    people: dict[str, DistributionSpec] = Field(
        default_factory=_niche_defaults,
        description="people who follow creators of the product's niche, per platform "
        "(key default: others), drawn per campaign",
    )


class Group(Strict):
    """Creators of one tier on one platform (``tier``, ``platform`` and one of ``count``,
    ``budget``, ``share``), or the named candidates of a roster file (``roster``, optionally
    ``select``, ``book`` and a ``budget`` or ``share`` that books them in order)."""

    tier: str | None = None
    platform: str | None = None
    roster: str | None = Field(
        None,
        description="a roster file of named candidates (CSV or XLSX; relative to the scenario)",
    )
    select: list[Annotated[str, Field(min_length=1)]] | None = Field(
        None,
        description="roster: the handles to book, in booking order [default: every "
        "candidate, in file order]",
    )
    book: dict[str, Flag] = Field(
        default_factory=dict,
        description="roster: handle -> false leaves that candidate out, true books one "
        "`select` leaves out (a sweep axis switches a creator in or out)",
    )
    deliverables: PositiveInteger | None = Field(
        None, description="posts per creator [default: 1]; a roster's come from its rows"
    )
    count: PositiveInteger | None = None
    budget: PositiveNumber | None = Field(None, description="currency")
    share: Number | None = Field(
        None, ge=0, le=1, description="fraction of the strategy budget (0: hire no one)"
    )

    @model_validator(mode="after")
    def _one_size(self) -> Group:
        if self.roster is not None:
            given = [k for k in ("tier", "platform", "count", "deliverables") if getattr(self, k)]
            if given:
                raise ValueError(
                    f"a roster group takes its creators' {' and '.join(given)} from the roster "
                    "file: leave them out (book fewer with `select`, `book` or a `budget`)"
                )
            if self.budget is not None and self.share is not None:
                raise ValueError("a roster group books with a `budget` or a `share`, not both")
            return self
        if self.select is not None or self.book:
            raise ValueError("`select` and `book` choose candidates of a `roster` group")
        if self.tier is None or self.platform is None:
            missing = " and ".join(k for k in ("tier", "platform") if getattr(self, k) is None)
            raise ValueError(f"a group needs its {missing} (or a `roster` file of creators)")
        given = [k for k in ("count", "budget", "share") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a group needs exactly one of `count`, `budget` or `share`"
                + (f", got {' and '.join(given)}" if given else "")
            )
        return self


class Strategy(Strict):
    label: str | None = None
    budget: PositiveNumber | None = Field(None, description="currency, for `share` groups")
    groups: list[Group] = Field(min_length=1)

    @model_validator(mode="after")
    def _shares_fit(self) -> Strategy:
        shares = sum(g.share for g in self.groups if g.share is not None)
        if shares and self.budget is None:
            raise ValueError("groups with `share` need the strategy's `budget`")
        if shares > 1 + 1e-9:
            raise ValueError(f"group shares add up to {shares:g}, more than 1")
        return self


class Simulation(Strict):
    campaigns: PositiveInteger = 10_000
    seed: NonNegativeInteger = 0
    roi_target: Number = Field(0.0, description="report P(ROI > target); 0.5 means +50%")
    sampling: Literal["random", "lhs", "sobol"] = Field(
        "random", description="random, lhs (Latin hypercube) or sobol (scrambled), per seed block"
    )
    antithetic: Flag = Field(False, description="draw campaigns in antithetic pairs (u, 1 - u)")


StrategyName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]


def _triangular(low: float, mode: float, high: float) -> Any:
    return TriangularSpec(family="triangular", min=low, mode=mode, max=high, assumption=True)


class Posting(Strict):
    """When approved deliverables go live (MODEL.md §6): a launch day and an optional cadence."""

    start_day: NonNegativeInteger = Field(
        0, description="launch day: no post goes live earlier (day 0 = campaign start)"
    )
    every_days: PositiveInteger = Field(
        1, description="posting days are start_day, start_day + every_days, ... (7: weekly)"
    )
    per_slot: PositiveInteger | Literal["unlimited"] = Field(
        "unlimited", description="most posts that go live on one posting day (a rotation)"
    )


class Timeline(Strict):
    """Settings of the timeline engine (MODEL.md §6). Every default is an assumption: the
    article states no schedule figures; docs/timeline.md gives the reason for each."""

    window_days: PositiveInteger = Field(60, description="campaign window: posts go live before it")
    attribution_days: PositiveInteger = Field(
        30, description="conversions count on the go-live day and the days after, this many"
    )
    managers: PositiveInteger | Literal["unlimited"] | None = Field(
        2, description="campaign managers on the brand's team (unlimited or null: no queue)"
    )
    manager_hours_per_day: PositiveNumber = Field(
        5.0, description="hours a manager gives the campaign per calendar day"
    )
    onboarding_hours: NonNegativeNumber = Field(2.0, description="manager-hours per creator")
    review_rounds: NonNegativeInteger = Field(2, description="review rounds per deliverable")
    review_hours: NonNegativeNumber = Field(1.0, description="manager-hours per review round")
    revision_days: NonNegativeNumber = Field(
        2.0, description="days a creator takes to revise between review rounds"
    )
    production_days: dict[str, DistributionSpec] = Field(
        default_factory=lambda: {
            "default": _triangular(2, 4, 7),
            "micro": _triangular(3, 5, 10),
            "nano/youtube": _triangular(5, 8, 14),
            "micro/youtube": _triangular(7, 10, 21),
        },
        description="days to produce one deliverable; keys: default, a tier, or tier/platform",
    )
    half_life_days: dict[str, NonNegativeNumber] = Field(
        default_factory=lambda: {"default": 2.0, "instagram": 1.0, "tiktok": 3.0, "youtube": 14.0},
        description="engagement half-life of a post in days, by platform (key default: others)",
    )
    purchase_lag_days: NonNegativeNumber = Field(
        2.0, description="mean days from an engagement to the order (geometric)"
    )
    fee_on_signing: Number = Field(
        0.5, ge=0, le=1, description="fraction of each fee paid at signing (day 0)"
    )
    posting: Posting = Posting()


class Bounds(Strict):
    """Fewest and most of something a plan may have."""

    min: NonNegativeInteger = 0
    max: NonNegativeInteger | None = Field(None, description="null: no upper bound of its own")

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


class Optimize(Strict):
    """What `campaign-sim optimize` searches (MODEL.md §11, docs/optimize.md). Every key has a
    default; the defaults answer: the counts per pool the strategies use, for the largest
    strategy budget, maximising mean profit with P(loss) no worse than the least risky
    strategy's."""

    decide: Literal["counts", "shares", "roster"] = Field(
        "counts",
        description="counts: creators per pool; shares: budget shares per pool; roster: which "
        "roster candidates to book",
    )
    cells: dict[str, Bounds] | None = Field(
        None,
        description="pool (tier/platform) -> {min, max}: the pools a plan may use [default: "
        "those the strategies use; max: what the budget buys]; shares: in steps of share_step",
    )
    candidates: list[Annotated[str, Field(min_length=1)]] | None = Field(
        None, description="roster: the handles a plan may book [default: every candidate]"
    )
    share_step: Number = Field(0.05, gt=0, le=0.5, description="shares: the grid step")
    objective: str = Field(
        "max:profit_mean", description="max:STATISTIC or min:STATISTIC (see docs/optimize.md)"
    )
    budget: PositiveNumber | None = Field(
        None, description="currency [default: the largest strategy budget]"
    )
    budget_basis: str | None = Field(
        None,
        description="what must fit the budget: expected fees, quoted fees (roster quotes), or "
        "pNN (that percentile of a campaign's fees) [default: quoted with roster candidates, "
        "else expected]",
    )
    limits: list[str] | None = Field(
        None,
        description="'STATISTIC <= VALUE' or '>=' [default: prob_loss <= the least risky "
        "strategy's]; [] for none",
    )
    creators: Bounds = Field(default_factory=Bounds, description="creators hired in all")
    team_hours: PositiveNumber | Literal["timeline", "unlimited"] = Field(
        "timeline",
        description="manager-hours the plan may take [default timeline: managers x hours per "
        "day x window days]",
    )
    campaigns: PositiveInteger | None = Field(
        None, le=1_000_000, description="campaigns the search scores on [default: simulation's]"
    )
    fresh_campaigns: PositiveInteger | None = Field(
        None,
        le=1_000_000,
        description="fresh campaigns the chosen plan is judged on [default: campaigns]",
    )
    tighten: NonNegativeNumber = Field(
        1.0, le=5, description="in-sample limits are tightened by this many standard errors"
    )
    restarts: PositiveInteger = Field(8, le=1000, description="local search: starting points")
    exhaustive: PositiveInteger = Field(
        2_000, le=10_000_000, description="score every plan when there are at most this many"
    )
    runners_up: NonNegativeInteger = Field(
        10, le=1000, description="best plans re-simulated beside the chosen one"
    )


class ScenarioFile(Strict):
    """A scenario file, as written."""

    name: str
    description: str | None = None
    currency: str = "TWD"
    economics: Economics
    shock: Shock = Shock()
    correlations: Correlations = Correlations()
    funnel: Funnel = Funnel()
    repeat: Repeat | None = None
    niche: Niche = Niche()
    strategies: dict[StrategyName, Strategy] = Field(min_length=1)
    priors: PriorOverrides = PriorOverrides()
    simulation: Simulation = Simulation()
    timeline: Timeline = Timeline()
    optimize: Optimize = Optimize()
