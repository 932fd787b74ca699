"""The shape of scenario and priors files, validated by pydantic.

These models only check what one key can know about itself (types, ranges, which keys go
together). Checks that need the whole scenario (every group's priors resolve, a budget covers
one fee) live in :mod:`campaign_sim.scenario.loading`.
"""

from __future__ import annotations

import difflib
import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)
from pydantic_core import PydanticCustomError

from campaign_sim.random import distributions as dist

__all__ = [
    "CONVERSION_BASES",
    "QUANTITIES",
    "DistributionSpec",
    "Group",
    "PriorsFile",
    "ScenarioFile",
    "Strategy",
    "TierPriors",
    "Timeline",
]

CONVERSION_BASES = ("engagements", "reach", "followers")
ConversionBase = Literal["engagements", "reach", "followers"]

#: Every per-creator quantity a prior may give, with its unit (for listings and errors).
QUANTITIES: dict[str, str] = {
    "followers": "followers",
    "fake_share": "fraction of followers",
    "delivery_probability": "probability",
    "engagement_rate": "fraction of real audience, per deliverable",
    "reach_rate": "fraction of real audience, per deliverable",
    "conversion_rate": "fraction of the conversion base",
    "fee": "currency per deliverable",
    "overhead": "currency per creator",
}


def suggest(word: str, choices: Any) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    match = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


class Strict(BaseModel):
    """A frozen model that rejects unknown keys, suggesting the closest known one."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(cls.model_fields) | {
                f.alias for f in cls.model_fields.values() if f.alias is not None
            }
            for key in data:
                if key not in known:
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'{hint}; allowed: {allowed}",
                        {
                            "key": key,
                            "hint": suggest(str(key), known),
                            "allowed": ", ".join(sorted(k for k in known if k != "family")),
                        },
                    )
        return data


class Source(Strict):
    figure: str
    source: str


Range = Annotated[tuple[float, float], Field(description="[lo, hi], a central interval")]
Coverage = Annotated[float, Field(gt=0, le=1, description="probability mass inside `range`")]


class _Spec(Strict):
    """Fields every prior may carry besides its parameters."""

    sources: tuple[Source, ...] = ()
    note: str | None = None
    assumption: bool = False
    base: ConversionBase | None = Field(
        None, description="conversion_rate only: what the rate is a fraction of"
    )

    def build(self) -> dist.Distribution:
        raise NotImplementedError


class _RangeSpec(_Spec):
    range: Range | None = None
    coverage: Coverage = 0.9

    @model_validator(mode="after")
    def _check_range(self) -> _RangeSpec:
        if self.range is not None:
            lo, hi = self.range
            if not lo < hi:
                raise ValueError(f"range [{lo}, {hi}] must have lo < hi")
        own = [name for name in self._params() if getattr(self, name) is not None]
        if (self.range is None) == (len(own) == 0):
            raise ValueError(
                f"give either `range` or the parameters {', '.join(self._params())}, not both"
                if own
                else f"give `range` or the parameters {', '.join(self._params())}"
            )
        if own and len(own) < len(self._params()):
            missing = [n for n in self._params() if getattr(self, n) is None]
            raise ValueError(f"missing parameter(s): {', '.join(missing)}")
        return self

    @classmethod
    def _params(cls) -> tuple[str, ...]:
        raise NotImplementedError


class BetaSpec(_RangeSpec):
    family: Literal["beta"]
    alpha: PositiveFloat | None = None
    beta: PositiveFloat | None = None

    @classmethod
    def _params(cls) -> tuple[str, ...]:
        return ("alpha", "beta")

    def build(self) -> dist.Distribution:
        if self.range is not None:
            return dist.Beta.from_range(*self.range, self.coverage)
        return dist.Beta(self.alpha, self.beta)  # type: ignore[arg-type]


class LogNormalSpec(_RangeSpec):
    family: Literal["lognormal"]
    median: PositiveFloat | None = None
    sigma: PositiveFloat | None = None

    @classmethod
    def _params(cls) -> tuple[str, ...]:
        return ("median", "sigma")

    def build(self) -> dist.Distribution:
        if self.range is not None:
            return dist.LogNormal.from_range(*self.range, self.coverage)
        return dist.LogNormal(self.median, self.sigma)  # type: ignore[arg-type]


class UniformSpec(_RangeSpec):
    family: Literal["uniform"]
    low: float | None = None
    high: float | None = None

    @classmethod
    def _params(cls) -> tuple[str, ...]:
        return ("low", "high")

    @model_validator(mode="after")
    def _check_order(self) -> UniformSpec:
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low(={self.low}) must be < high(={self.high})")
        return self

    def build(self) -> dist.Distribution:
        if self.range is not None:
            return dist.Uniform.from_range(*self.range, self.coverage)
        return dist.Uniform(self.low, self.high)  # type: ignore[arg-type]


class LogUniformSpec(UniformSpec):
    family: Literal["loguniform"]  # type: ignore[assignment]
    low: PositiveFloat | None = None
    high: PositiveFloat | None = None

    def build(self) -> dist.Distribution:
        if self.range is not None:
            return dist.LogUniform.from_range(*self.range, self.coverage)
        return dist.LogUniform(self.low, self.high)  # type: ignore[arg-type]


class NormalSpec(_RangeSpec):
    family: Literal["normal"]
    mean: float | None = None
    sd: PositiveFloat | None = None
    low: float | None = Field(None, description="truncate below")
    high: float | None = Field(None, description="truncate above")

    @classmethod
    def _params(cls) -> tuple[str, ...]:
        return ("mean", "sd")

    @model_validator(mode="after")
    def _check_truncation(self) -> NormalSpec:
        if not self._bounds[0] < self._bounds[1]:
            raise ValueError(f"low(={self.low}) must be < high(={self.high})")
        return self

    @property
    def _bounds(self) -> tuple[float, float]:
        return (
            -math.inf if self.low is None else self.low,
            math.inf if self.high is None else self.high,
        )

    def build(self) -> dist.Distribution:
        low, high = self._bounds
        if self.range is not None:
            return dist.Normal.from_range(*self.range, self.coverage, low=low, high=high)
        return dist.Normal(self.mean, self.sd, low, high)  # type: ignore[arg-type]


class TriangularSpec(_Spec):
    family: Literal["triangular"]
    min: float
    mode: float
    max: float

    @model_validator(mode="after")
    def _check_order(self) -> TriangularSpec:
        if not (self.min <= self.mode <= self.max and self.min < self.max):
            raise ValueError(
                f"need min <= mode <= max and min < max, got {self.min}, {self.mode}, {self.max}"
            )
        return self

    def build(self) -> dist.Distribution:
        return dist.Triangular(self.min, self.mode, self.max)


class PertSpec(TriangularSpec):
    family: Literal["pert"]  # type: ignore[assignment]
    lambda_: PositiveFloat = Field(4.0, alias="lambda")

    def build(self) -> dist.Distribution:
        return dist.Pert(self.min, self.mode, self.max, self.lambda_)


class FixedSpec(_Spec):
    family: Literal["fixed"]
    value: float

    def build(self) -> dist.Distribution:
        return dist.Fixed(self.value)


def _number_is_fixed(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"family": "fixed", "value": value}
    if isinstance(value, dict) and "family" not in value:
        raise PydanticCustomError(
            "missing_family",
            "a distribution needs `family` (one of: {families})",
            {"families": ", ".join(dist.FAMILIES)},
        )
    if isinstance(value, dict) and value["family"] not in dist.FAMILIES:
        family = str(value["family"])
        raise PydanticCustomError(
            "unknown_family",
            "unknown family '{family}'{hint}; known: {families}",
            {
                "family": family,
                "hint": suggest(family, dist.FAMILIES),
                "families": ", ".join(dist.FAMILIES),
            },
        )
    return value


DistributionSpec = Annotated[
    BetaSpec
    | LogNormalSpec
    | UniformSpec
    | LogUniformSpec
    | NormalSpec
    | TriangularSpec
    | PertSpec
    | FixedSpec,
    Field(discriminator="family"),
    BeforeValidator(_number_is_fixed),
]

#: Union tags, left out of key paths in error messages.
SPEC_TAGS = frozenset(dist.FAMILIES)


class QuantityPriors(Strict):
    followers: DistributionSpec | None = None
    fake_share: DistributionSpec | None = None
    delivery_probability: DistributionSpec | None = None
    engagement_rate: DistributionSpec | None = None
    reach_rate: DistributionSpec | None = None
    conversion_rate: DistributionSpec | None = None
    fee: DistributionSpec | None = None
    overhead: DistributionSpec | None = None


class TierPriors(QuantityPriors):
    platforms: dict[str, QuantityPriors] = {}


class PriorsFile(Strict):
    """A set of priors, such as the shipped ``article`` set."""

    name: str
    description: str | None = None
    shock_sigma: NonNegativeFloat = 0.0
    shock_note: str | None = None
    tiers: dict[str, TierPriors]


class PriorOverrides(Strict):
    base: str = Field("article", description="a shipped prior set, or a path to a priors file")
    tiers: dict[str, TierPriors] = {}


class Economics(Strict):
    aov: DistributionSpec = Field(description="average order value, currency per order")
    gross_margin: float = Field(ge=0, le=1, description="fraction of revenue")
    conversion_base: ConversionBase = "engagements"
    fees_paid: Literal["always", "on_delivery"] = "always"
    fixed_cost: NonNegativeFloat = Field(0.0, description="currency per campaign")


class Shock(Strict):
    sigma: NonNegativeFloat | None = Field(None, description="lognormal sigma; median is 1")


class Correlations(Strict):
    followers_fee: float = Field(0.0, gt=-1, lt=1, description="Spearman rank correlation")
    engagement_conversion: float = Field(0.0, gt=-1, lt=1, description="Spearman rank correlation")


class Group(Strict):
    tier: str
    platform: str
    deliverables: PositiveInt = 1
    count: PositiveInt | None = None
    budget: PositiveFloat | None = Field(None, description="currency")
    share: float | None = Field(
        None, ge=0, le=1, description="fraction of the strategy budget (0: hire no one)"
    )

    @model_validator(mode="after")
    def _one_size(self) -> Group:
        given = [k for k in ("count", "budget", "share") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a group needs exactly one of `count`, `budget` or `share`"
                + (f", got {' and '.join(given)}" if given else "")
            )
        return self


class Strategy(Strict):
    label: str | None = None
    budget: PositiveFloat | None = Field(None, description="currency, for `share` groups")
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
    campaigns: PositiveInt = 10_000
    seed: int = Field(0, ge=0)
    roi_target: float = Field(0.0, description="report P(ROI > target); 0.5 means +50%")
    sampling: Literal["random", "lhs", "sobol"] = Field(
        "random", description="random, lhs (Latin hypercube) or sobol (scrambled), per seed block"
    )
    antithetic: bool = Field(False, description="draw campaigns in antithetic pairs (u, 1 - u)")


StrategyName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]


def _triangular(low: float, mode: float, high: float) -> Any:
    return TriangularSpec(family="triangular", min=low, mode=mode, max=high, assumption=True)


class Posting(Strict):
    """When approved deliverables go live (MODEL.md §6): a launch day and an optional cadence."""

    start_day: NonNegativeInt = Field(
        0, description="launch day: no post goes live earlier (day 0 = campaign start)"
    )
    every_days: PositiveInt = Field(
        1, description="posting days are start_day, start_day + every_days, ... (7: weekly)"
    )
    per_slot: PositiveInt | Literal["unlimited"] = Field(
        "unlimited", description="most posts that go live on one posting day (a rotation)"
    )


class Timeline(Strict):
    """Settings of the timeline engine (MODEL.md §6). Every default is an assumption: the
    article states no schedule figures; docs/timeline.md gives the reason for each."""

    window_days: PositiveInt = Field(60, description="campaign window: posts go live before it")
    attribution_days: PositiveInt = Field(
        30, description="conversions count on the go-live day and the days after, this many"
    )
    managers: PositiveInt | Literal["unlimited"] | None = Field(
        2, description="campaign managers on the brand's team (unlimited or null: no queue)"
    )
    manager_hours_per_day: PositiveFloat = Field(
        5.0, description="hours a manager gives the campaign per calendar day"
    )
    onboarding_hours: NonNegativeFloat = Field(2.0, description="manager-hours per creator")
    review_rounds: NonNegativeInt = Field(2, description="review rounds per deliverable")
    review_hours: NonNegativeFloat = Field(1.0, description="manager-hours per review round")
    revision_days: NonNegativeFloat = Field(
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
    half_life_days: dict[str, NonNegativeFloat] = Field(
        default_factory=lambda: {"default": 2.0, "instagram": 1.0, "tiktok": 3.0, "youtube": 14.0},
        description="engagement half-life of a post in days, by platform (key default: others)",
    )
    purchase_lag_days: NonNegativeFloat = Field(
        2.0, description="mean days from an engagement to the order (geometric)"
    )
    fee_on_signing: float = Field(
        0.5, ge=0, le=1, description="fraction of each fee paid at signing (day 0)"
    )
    posting: Posting = Posting()


class ScenarioFile(Strict):
    """A scenario file, as written."""

    name: str
    description: str | None = None
    currency: str = "TWD"
    economics: Economics
    shock: Shock = Shock()
    correlations: Correlations = Correlations()
    strategies: dict[StrategyName, Strategy] = Field(min_length=1)
    priors: PriorOverrides = PriorOverrides()
    simulation: Simulation = Simulation()
    timeline: Timeline = Timeline()
