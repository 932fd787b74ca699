"""The shape of priors: distribution specs, per-quantity priors and priors files (pydantic).

A spec only checks what it can know about itself (types, ranges, which keys go together);
:mod:`campaign_sim.scenario.resolve` fits it and checks it against its quantity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

import numpy as np
from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from campaign_sim.creators.handles import canonical_handle
from campaign_sim.errors import Problem, shown
from campaign_sim.random import distributions as dist
from campaign_sim.scenario.strict import (
    Flag,
    NonNegativeInteger,
    NonNegativeNumber,
    Number,
    PositiveInteger,
    PositiveNumber,
    Strict,
    suggest,
)

__all__ = [
    "CALIBRATED_QUANTITIES",
    "CONVERSION_BASES",
    "CREATOR_PREFIX",
    "CalibrationSpec",
    "PersistentPosteriorSpec",
    "SHOCK_NAME",
    "calibration_problems",
    "cholesky_factor",
    "DESCRIBES",
    "OPTIONAL_QUANTITIES",
    "POOL_DEFAULTS",
    "QUANTITIES",
    "SCALES",
    "POOL_KEYS",
    "PoolDefault",
    "PoolUpdate",
    "PriorSpec",
    "SPEC_TAGS",
    "STATED_METRICS",
    "StatedFigure",
    "StatedGroup",
    "ConversionBase",
    "DistributionSpec",
    "PriorsFile",
    "QuantityPriors",
    "TierPriors",
    "TriangularSpec",
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
    "share_rate": "shares and reposts per engagement",
    "reach_per_share": "people reached per share",
    "user_post_rate": "user posts per engagement",
    "reach_per_user_post": "people reached per user post",
    "amplified_engagement_rate": "fraction of amplified reach, engagements",
    "amplified_conversion_rate": "fraction of the amplified conversion base",
    "gifted_share": "probability a creator takes a product-only deal",
    "gifted_cost": "currency per gifted creator (product and shipping)",
}

#: The funnel's later quantities (docs/model.md, Beyond first purchases): a priors file may
#: leave them out, and then each is this value, which switches its mechanism off.
OPTIONAL_QUANTITIES: dict[str, float] = {
    "share_rate": 0.0,
    "reach_per_share": 0.0,
    "user_post_rate": 0.0,
    "reach_per_user_post": 0.0,
    "amplified_engagement_rate": 0.0,
    "amplified_conversion_rate": 0.0,
    "gifted_share": 0.0,
    "gifted_cost": 0.0,
}


#: What a prior's range describes (MODEL.md §8): a pool's level, or individual creators.
DESCRIBES = ("level", "creators")

#: The scale creators spread on around a level, and a shared factor moves: logit for rates,
#: log for money and counts.
SCALES: dict[str, str] = {
    "followers": "log",
    "fake_share": "logit",
    "delivery_probability": "logit",
    "engagement_rate": "logit",
    "reach_rate": "logit",
    "conversion_rate": "logit",
    "fee": "log",
    "overhead": "log",
    "share_rate": "logit",
    "reach_per_share": "log",
    "user_post_rate": "logit",
    "reach_per_user_post": "log",
    "amplified_engagement_rate": "logit",
    "amplified_conversion_rate": "logit",
    "gifted_share": "logit",
    "gifted_cost": "log",
}


@dataclass(frozen=True)
class PoolDefault:
    """What a prior of a quantity describes when it does not say (docs/priors.md gives the
    calculation behind each number; the shipped priors state them for every prior)."""

    describes: str
    creator_spread: float = 0.0  # level: tau, on the quantity's scale
    shared: float = 0.0  # creators: rho, the shared share of the normal-score variance
    persistent: float = 0.0  # share of the level's or shared factor's variance that persists


#: Sources' averages describe levels; rate tables and tier bounds describe creators.
POOL_DEFAULTS: dict[str, PoolDefault] = {
    "followers": PoolDefault("creators"),
    "fake_share": PoolDefault("creators"),
    "delivery_probability": PoolDefault("creators"),
    "engagement_rate": PoolDefault("level", creator_spread=0.5, persistent=0.5),
    "reach_rate": PoolDefault("level", creator_spread=0.3, persistent=0.5),
    "conversion_rate": PoolDefault("level", creator_spread=0.5, persistent=0.5),
    "fee": PoolDefault("creators", shared=0.2, persistent=0.25),
    "overhead": PoolDefault("creators"),
    "share_rate": PoolDefault("level", creator_spread=0.5, persistent=0.5),
    "reach_per_share": PoolDefault("level", creator_spread=0.3, persistent=0.5),
    "user_post_rate": PoolDefault("level", creator_spread=0.5, persistent=0.5),
    "reach_per_user_post": PoolDefault("level", creator_spread=0.3, persistent=0.5),
    "amplified_engagement_rate": PoolDefault("level", creator_spread=0.3, persistent=0.5),
    "amplified_conversion_rate": PoolDefault("level", creator_spread=0.5, persistent=0.5),
    "gifted_share": PoolDefault("creators"),
    "gifted_cost": PoolDefault("creators"),
}

#: The largest creator spread accepted: tau = 3 puts 90% of creators within a factor of
#: 140 either side of the level (on the odds or the value), beyond any pool of one tier.
MAX_CREATOR_SPREAD = 3.0


class Source(Strict):
    figure: str
    source: str


Range = Annotated[tuple[Number, Number], Field(description="[lo, hi], a central interval")]
Coverage = Annotated[Number, Field(gt=0, le=1, description="probability mass inside `range`")]


class _PoolKeys(Strict):
    """What a prior's range describes and how a pool's creators move together (MODEL.md §8)."""

    describes: Literal["level", "creators"] | None = Field(
        None, description="what the range describes: the pool's level or individual creators"
    )
    level_is: Literal["mean", "median"] | None = Field(
        None, description="level: the pool's mean creator (default) or its median one"
    )
    creator_spread: NonNegativeNumber | None = Field(
        None,
        le=MAX_CREATOR_SPREAD,
        description="level: sd of creators around the level, on the logit (rates) or log scale",
    )
    shared: Number | None = Field(
        None, ge=0, le=1, description="creators: share of the normal-score variance shared"
    )
    shared_spearman: Number | None = Field(
        None, ge=0, le=1, description="creators: `shared` given as two creators' rank correlation"
    )
    describes_note: str | None = Field(
        None, description="why the range describes what it does; where the spread comes from"
    )
    persistent: Number | None = Field(
        None,
        ge=0,
        le=1,
        description="share of the level's (shared factor's) variance that persists",
    )

    @model_validator(mode="after")
    def _check_pool_keys(self) -> _PoolKeys:
        if self.shared is not None and self.shared_spearman is not None:
            raise ValueError("give `shared` (normal-score share) or `shared_spearman`, not both")
        if self.describes == "creators" and self.level_is is not None:
            raise ValueError("`level_is` is for `describes: level`")
        if self.describes == "creators" and self.creator_spread is not None:
            raise ValueError(
                "`creator_spread` is for `describes: level`; a creators prior is already "
                "the creators' spread (use `shared` for what moves them together)"
            )
        if self.describes == "level" and (
            self.shared is not None or self.shared_spearman is not None
        ):
            raise ValueError(
                "`shared` is for `describes: creators`; a level is already shared by the "
                "pool's creators (use `creator_spread` for how they differ)"
            )
        return self


#: The keys a scenario may override alone, keeping the base prior's distribution.
POOL_KEYS = tuple(_PoolKeys.model_fields)


class _Spec(_PoolKeys):
    """Fields every prior may carry besides its parameters."""

    sources: tuple[Source, ...] = ()
    note: str | None = None
    assumption: Flag = False
    base: ConversionBase | None = Field(
        None, description="conversion_rate only: what the rate is a fraction of"
    )

    def build(self) -> dist.Distribution:
        raise NotImplementedError


class PoolUpdate(_PoolKeys):
    """A scenario's override of only a prior's pool keys (``engagement_rate: {persistent:
    0.8}``): the base prior's distribution, sources and notes with these keys changed
    (:func:`campaign_sim.scenario.resolve.merge_priors`)."""

    family: Literal["pool"] = Field("pool", exclude=True)


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
    alpha: PositiveNumber | None = None
    beta: PositiveNumber | None = None

    @classmethod
    def _params(cls) -> tuple[str, ...]:
        return ("alpha", "beta")

    def build(self) -> dist.Distribution:
        if self.range is not None:
            return dist.Beta.from_range(*self.range, self.coverage)
        return dist.Beta(self.alpha, self.beta)  # type: ignore[arg-type]


class LogNormalSpec(_RangeSpec):
    family: Literal["lognormal"]
    median: PositiveNumber | None = None
    sigma: PositiveNumber | None = None

    @classmethod
    def _params(cls) -> tuple[str, ...]:
        return ("median", "sigma")

    def build(self) -> dist.Distribution:
        if self.range is not None:
            return dist.LogNormal.from_range(*self.range, self.coverage)
        return dist.LogNormal(self.median, self.sigma)  # type: ignore[arg-type]


class UniformSpec(_RangeSpec):
    family: Literal["uniform"]
    low: Number | None = None
    high: Number | None = None

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
    low: PositiveNumber | None = None
    high: PositiveNumber | None = None

    def build(self) -> dist.Distribution:
        if self.range is not None:
            return dist.LogUniform.from_range(*self.range, self.coverage)
        return dist.LogUniform(self.low, self.high)  # type: ignore[arg-type]


class NormalSpec(_RangeSpec):
    family: Literal["normal"]
    mean: Number | None = None
    sd: PositiveNumber | None = None
    low: Number | None = Field(None, description="truncate below")
    high: Number | None = Field(None, description="truncate above")

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
    min: Number
    mode: Number
    max: Number

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
    lambda_: PositiveNumber = Field(4.0, alias="lambda")

    def build(self) -> dist.Distribution:
        return dist.Pert(self.min, self.mode, self.max, self.lambda_)


class FixedSpec(_Spec):
    family: Literal["fixed"]
    value: Number

    def build(self) -> dist.Distribution:
        return dist.Fixed(self.value)


def _number_is_fixed(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"family": "fixed", "value": value}
    if not isinstance(value, dict):
        raise PydanticCustomError(
            "distribution_type",
            "should be a number or a distribution such as {example}",
            {"example": "{family: lognormal, range: [lo, hi]}"},
        )
    if "family" not in value:
        raise PydanticCustomError(
            "missing_family",
            "a distribution needs `family` (one of: {families})",
            {"families": ", ".join(dist.FAMILIES)},
        )
    family = value["family"]
    if not isinstance(family, str) or family not in dist.FAMILIES:
        raise PydanticCustomError(
            "unknown_family",
            "unknown family {family}{hint}; known: {families}",
            {
                "family": shown(family),
                "hint": suggest(family, dist.FAMILIES) if isinstance(family, str) else "",
                "families": ", ".join(dist.FAMILIES),
            },
        )
    return value


_Distribution = (
    BetaSpec
    | LogNormalSpec
    | UniformSpec
    | LogUniformSpec
    | NormalSpec
    | TriangularSpec
    | PertSpec
    | FixedSpec
)

DistributionSpec = Annotated[
    _Distribution, Field(discriminator="family"), BeforeValidator(_number_is_fixed)
]


def _prior_value(value: Any) -> Any:
    """A mapping of pool keys only is a :class:`PoolUpdate`; anything else a distribution."""
    if isinstance(value, dict) and value and "family" not in value:
        # Pool keys, or near misses of them (then the update names the typo): a PoolUpdate.
        if all(isinstance(k, str) and (k in POOL_KEYS or suggest(k, POOL_KEYS)) for k in value):
            return {"family": "pool", **value}
        raise PydanticCustomError(
            "missing_family",
            "a distribution needs `family` (one of: {families}); a scenario may also give "
            "only pool keys ({keys}) to change those of the base prior",
            {"families": ", ".join(dist.FAMILIES), "keys": ", ".join(POOL_KEYS)},
        )
    return _number_is_fixed(value)


#: A prior: a distribution with its metadata, or (in a scenario) an update of its pool keys.
PriorSpec = Annotated[
    _Distribution | PoolUpdate, Field(discriminator="family"), BeforeValidator(_prior_value)
]

#: Union tags, left out of key paths in error messages.
SPEC_TAGS = frozenset({*dist.FAMILIES, "pool"})


class QuantityPriors(Strict):
    followers: PriorSpec | None = None
    fake_share: PriorSpec | None = None
    delivery_probability: PriorSpec | None = None
    engagement_rate: PriorSpec | None = None
    reach_rate: PriorSpec | None = None
    conversion_rate: PriorSpec | None = None
    fee: PriorSpec | None = None
    overhead: PriorSpec | None = None
    share_rate: PriorSpec | None = None
    reach_per_share: PriorSpec | None = None
    user_post_rate: PriorSpec | None = None
    reach_per_user_post: PriorSpec | None = None
    amplified_engagement_rate: PriorSpec | None = None
    amplified_conversion_rate: PriorSpec | None = None
    gifted_share: PriorSpec | None = None
    gifted_cost: PriorSpec | None = None


class TierPriors(QuantityPriors):
    platforms: dict[str, QuantityPriors] = {}


#: The per-campaign outcomes a stated figure may be about (engine outcomes, docs/priors.md).
StatedMetric = Literal[
    "reach",
    "unique_reach",
    "engagements",
    "conversions",
    "cost",
    "cpm",
    "cpe",
    "cpa",
    "roas",
    "orders_per_engagement",
]
STATED_METRICS: tuple[str, ...] = get_args(StatedMetric)


class StatedGroup(Strict):
    """A group of a stated figure's mix, as a strategy's count group; ``followers``: bounds
    stated narrower than the tier's, drawn log-uniform for this check only."""

    tier: str
    platform: str
    count: PositiveInteger
    deliverables: PositiveInteger = 1
    followers: tuple[PositiveNumber, PositiveNumber] | None = Field(
        None, description="[low, high] followers: a log-uniform for this check only"
    )

    @model_validator(mode="after")
    def _check_followers(self) -> StatedGroup:
        if self.followers is not None and not self.followers[0] < self.followers[1]:
            low, high = self.followers
            raise ValueError(f"followers [{low:g}, {high:g}] must have low < high")
        return self


class StatedFigure(Strict):
    """A figure a source states about one campaign mix (a plausibility check, not a prior):
    exactly one of ``range`` ([lo, hi]), ``value`` or ``at_least`` (a lower bound)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]
    figure: str
    source: str
    metric: StatedMetric
    range: tuple[Number, Number] | None = None
    value: Number | None = None
    at_least: Number | None = None
    mix: tuple[StatedGroup, ...] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _check_figure(self) -> StatedFigure:
        given = [k for k in ("range", "value", "at_least") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of `range`, `value` or `at_least`"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range [{self.range[0]:g}, {self.range[1]:g}] must have lo < hi")
        pools: dict[tuple[str, str], Any] = {}
        for group in self.mix:
            pool = (group.tier, group.platform)
            if pools.setdefault(pool, group.followers) != group.followers:
                raise ValueError(
                    f"two {group.tier}/{group.platform} groups state different `followers`: "
                    "one pool has one follower prior"
                )
        return self


#: The quantities a calibration may learn the persistent score of (docs/calibration.md).
CALIBRATED_QUANTITIES = ("engagement_rate", "reach_rate", "conversion_rate", "fee")
#: The name of the shock's persistent part (the product's appeal) in a calibration.
SHOCK_NAME = "shock"
#: The start of a named creator's own effect in a calibration: ``@handle/quantity``
#: (MODEL.md §10), the posterior of their persistent own effect on its N(0, 1) scale.
CREATOR_PREFIX = "@"
#: Symmetry tolerance of a calibration's covariance, relative to its largest entry.
SYMMETRY_TOLERANCE = 1e-9
#: Added to the diagonal of a covariance that is positive semi-definite but singular.
CHOLESKY_JITTER = 1e-12


def _calibrated_name(value: str) -> str:
    """``tier/platform/quantity`` with a quantity a calibration learns, ``shock``, or a named
    creator's own effect ``@handle/quantity``; whether the tier and platform exist, and the
    form of a creator's name, are checked against the file (:func:`calibration_problems`)."""
    if value == SHOCK_NAME or value.startswith(CREATOR_PREFIX):
        return value
    parts = value.split("/")
    if len(parts) != 3 or not all(parts):
        raise PydanticCustomError(
            "calibrated_name",
            "{name} should be tier/platform/quantity (e.g. nano/instagram/engagement_rate) or "
            "shock",
            {"name": shown(value)},
        )
    if parts[2] not in CALIBRATED_QUANTITIES:
        raise PydanticCustomError(
            "calibrated_quantity",
            "{name}: a calibration learns the persistent part of {known}, not {quantity}{hint}",
            {
                "name": shown(value),
                "known": ", ".join(CALIBRATED_QUANTITIES),
                "quantity": shown(parts[2]),
                "hint": suggest(parts[2], CALIBRATED_QUANTITIES),
            },
        )
    return value


CalibratedName = Annotated[str, Field(strict=True), AfterValidator(_calibrated_name)]


class CalibrationData(Strict):
    """The observed data a calibration used (provenance)."""

    file: str
    sha256: str
    rows: NonNegativeInteger


class PersistentPosteriorSpec(Strict):
    """The joint Gaussian posterior of the persistent normal scores (MODEL.md §9): ``names``
    (``tier/platform/quantity`` or ``shock``), their ``mean`` and ``covariance``, and the fitted
    prior each score is relative to (``priors``: name -> ``repr`` of the Distribution)."""

    names: tuple[CalibratedName, ...] = Field(min_length=1)
    mean: tuple[Number, ...]
    covariance: tuple[tuple[Number, ...], ...]
    priors: dict[str, str] = Field(
        description="name -> the fitted prior the score is relative to, as Distribution repr"
    )


class CalibrationSpec(Strict):
    """A priors file's ``calibration`` block, written by ``campaign-sim calibrate``."""

    method: str
    date: str
    data: CalibrationData
    product: str | None = Field(None, description="whose persistent appeal `shock` is")
    persistent: PersistentPosteriorSpec | None = Field(
        None, description="absent when the data spoke to no persistent score"
    )
    aov: DistributionSpec | None = Field(None, description="replaces the economics.aov")
    quantities: list[dict[str, Any]] = Field(default_factory=list)
    untouched: list[str] = Field(default_factory=list)
    spread: dict[str, Annotated[PositiveNumber, Field(le=MAX_CREATOR_SPREAD)]] = Field(
        default_factory=dict,
        description="tier/platform/quantity -> the creators' spread the data learnt (replaces "
        "the prior's creator_spread for that pool)",
    )
    numerical_error: dict[str, Any] = Field(
        default_factory=dict, description="the method's stated error (importance sampling)"
    )
    notes: dict[str, str] = Field(
        default_factory=dict, description="why a quantity the data hold was not calibrated"
    )


def calibration_problems(priors: PriorsFile) -> list[Problem]:
    """What is wrong with ``priors``' calibration block beyond its types, each at its key path
    in the priors file: unknown tiers and platforms, a name given twice, a mean or covariance
    of the wrong size, a covariance that is not symmetric or not positive semi-definite, a
    name without its prior's repr (or a repr of no name; a named creator's ``@handle/quantity``
    needs none), a creator's name that is not ``@handle/quantity`` with a canonical handle and
    a quantity of :data:`~campaign_sim.random.streams.OWN_EFFECT_ROWS`."""
    calibration = priors.calibration
    if calibration is None:
        return []
    known = set(calibration.persistent.names) if calibration.persistent else set()
    stray = [
        Problem(
            f"calibration.spread.{name}",
            f"{shown(name)}: a named creator's own effect has no spread of its own (their "
            "pool's creator spread applies)"
            if name.startswith(CREATOR_PREFIX)
            else f"{shown(name)} has no persistent score in calibration.persistent.names: a "
            "spread is learnt with its level",
        )
        for name in calibration.spread
        if name not in known or name == SHOCK_NAME or name.startswith(CREATOR_PREFIX)
    ]
    if calibration.persistent is None:
        return stray
    at = "calibration.persistent"
    spec = calibration.persistent
    out: list[Problem] = []
    seen: dict[str, int] = {}
    platforms = sorted({p for t in priors.tiers.values() for p in t.platforms})
    for i, name in enumerate(spec.names):
        path = f"{at}.names[{i}]"
        if name in seen:
            out.append(Problem(path, f"{shown(name)} is given twice (also names[{seen[name]}])"))
            continue
        seen[name] = i
        if name == SHOCK_NAME:
            continue
        if name.startswith(CREATOR_PREFIX):
            wrong = _creator_name_problem(name)
            if wrong is not None:
                out.append(Problem(path, wrong))
            continue
        tier, platform, _ = name.split("/")
        if tier not in priors.tiers:
            out.append(
                Problem(
                    path,
                    f"{shown(name)}: no tier {shown(tier)} in the priors file"
                    f"{suggest(tier, priors.tiers)}; tiers: {', '.join(priors.tiers)}",
                )
            )
            continue
        declared = sorted(priors.tiers[tier].platforms) or platforms
        if platform not in declared:
            out.append(
                Problem(
                    path,
                    f"{shown(name)}: tier {shown(tier)} has no platform {shown(platform)}"
                    f"{suggest(platform, declared)}; its platforms: "
                    f"{', '.join(declared) or 'none'}",
                )
            )
    size = len(spec.names)
    if len(spec.mean) != size:
        out.append(
            Problem(
                f"{at}.mean", f"has {len(spec.mean)} values for {size} names: give one per name"
            )
        )
    rows = spec.covariance
    uneven = [i for i, row in enumerate(rows) if len(row) != size]
    if len(rows) != size or uneven:
        where = f"{at}.covariance" if len(rows) != size else f"{at}.covariance[{uneven[0]}]"
        got = f"{len(rows)} rows" if len(rows) != size else f"{len(rows[uneven[0]])} values"
        out.append(Problem(where, f"has {got}: the covariance is {size} x {size}, a row per name"))
    else:
        matrix = np.array(rows, dtype=float)
        scale = float(np.abs(matrix).max(initial=0.0))
        asymmetric = np.argwhere(
            np.abs(matrix - matrix.T) > SYMMETRY_TOLERANCE * max(scale, np.finfo(float).tiny)
        )
        if asymmetric.size:
            i, j = (int(k) for k in asymmetric[0])
            out.append(
                Problem(
                    f"{at}.covariance[{i}][{j}]",
                    f"{matrix[i, j]:g} differs from covariance[{j}][{i}] = {matrix[j, i]:g}: a "
                    "covariance is symmetric",
                )
            )
        elif cholesky_factor(matrix) is None:
            out.append(
                Problem(
                    f"{at}.covariance",
                    "not positive semi-definite: no joint Gaussian has these variances and "
                    "covariances (some combination of the names would have a negative variance)",
                )
            )
    for name in spec.names:
        if name not in spec.priors and not name.startswith(CREATOR_PREFIX):
            out.append(
                Problem(
                    f"{at}.priors",
                    f"no prior for {shown(name)}: give the repr of the fitted prior its score is "
                    "relative to",
                )
            )
    for key in spec.priors:
        if key not in seen:
            out.append(Problem(f"{at}.priors.{key}", f"{shown(key)} is not one of the names"))
    return out + stray


def _creator_name_problem(name: str) -> str | None:
    """What is wrong with a named creator's ``@handle/quantity`` (None: nothing)."""
    parts = name[len(CREATOR_PREFIX) :].split("/")
    if len(parts) != 2 or not all(parts):
        return (
            f"{shown(name)} should be @handle/quantity (e.g. @beanlab/engagement_rate): a named "
            "creator's own effect"
        )
    # Here, not at the top: random.streams loads scipy.stats, which `validate` never needs.
    from campaign_sim.random.streams import OWN_EFFECT_ROWS

    handle, quantity = parts
    if canonical_handle(handle) != handle:
        return (
            f"{shown(name)}: the handle should be written canonically, "
            f"{shown(canonical_handle(handle))} (lower case, no spaces, one @)"
        )
    if quantity not in OWN_EFFECT_ROWS:
        hint = suggest(quantity, OWN_EFFECT_ROWS)
        return (
            f"{shown(name)}: a named creator has a persistent own effect of "
            f"{', '.join(OWN_EFFECT_ROWS)}, not {shown(quantity)}{hint}"
        )
    return None


def cholesky_factor(covariance: np.ndarray) -> np.ndarray | None:
    """The lower Cholesky factor of a symmetric ``covariance`` (its symmetric part), with
    :data:`CHOLESKY_JITTER` on the diagonal if it is singular; None if it is not positive
    semi-definite."""
    matrix = (covariance + covariance.T) / 2
    if not np.all(np.isfinite(matrix)):
        return None
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        pass
    try:
        return np.linalg.cholesky(matrix + CHOLESKY_JITTER * np.eye(len(matrix)))
    except np.linalg.LinAlgError:
        return None


class PriorsFile(Strict):
    """A set of priors, such as the shipped ``article`` set."""

    name: str
    description: str | None = None
    shock_sigma: NonNegativeNumber = 0.0
    shock_persistent: Number = Field(
        0.5, ge=0, le=1, description="share of the shock's log-variance that persists"
    )
    shock_note: str | None = None
    followers_fee_spearman: Number = Field(
        0.0,
        gt=-1,
        lt=1,
        description="rank correlation of a creator's followers and fee within a pool",
    )
    followers_fee_note: str | None = None
    tiers: dict[str, TierPriors]
    stated: tuple[StatedFigure, ...] = Field(
        (), description="figures the sources state about whole mixes (`campaign-sim check`)"
    )
    calibration: CalibrationSpec | None = Field(
        None, description="the posterior of the persistent parts, from `campaign-sim calibrate`"
    )

    @field_validator("stated")
    @classmethod
    def _check_stated_names(cls, stated: tuple[StatedFigure, ...]) -> tuple[StatedFigure, ...]:
        names = [s.name for s in stated]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"stated figures need distinct names; repeated: {', '.join(twice)}")
        return stated
