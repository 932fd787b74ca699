"""Prior sets: found by name or path, merged with a scenario's overrides, fitted and checked."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from campaign_sim.errors import InputError, Problem, shown
from campaign_sim.random import distributions as dist
from campaign_sim.random.levels import pearson_of_spearman
from campaign_sim.scenario.plan import Prior
from campaign_sim.scenario.priors_schema import (
    OPTIONAL_QUANTITIES,
    POOL_DEFAULTS,
    QUANTITIES,
    SCALES,
    PoolDefault,
    PoolUpdate,
    PriorsFile,
    QuantityPriors,
    TierPriors,
)
from campaign_sim.scenario.reading import MAX_FILE_BYTES, locate, problems_of, read_document
from campaign_sim.scenario.strict import suggest
from campaign_sim.scenario.warnings import UnusedOverrideWarning

__all__ = [
    "PriorTable",
    "group_priors",
    "check_overrides",
    "check_priors",
    "fit",
    "load_priors_file",
    "merge_priors",
    "shipped_prior_sets",
    "top_of",
]

RATE_QUANTITIES = (
    "fake_share",
    "delivery_probability",
    "engagement_rate",
    "reach_rate",
    "conversion_rate",
    "share_rate",
    "user_post_rate",
    "amplified_engagement_rate",
    "amplified_conversion_rate",
    "gifted_share",
)
MONEY_QUANTITIES = ("fee", "overhead", "gifted_cost")
#: Counts of people: never negative.
PEOPLE_QUANTITIES = ("reach_per_share", "reach_per_user_post")
#: Probabilities of one event per creator: one number, with no level or shared part.
ONE_NUMBER_QUANTITIES = ("delivery_probability", "gifted_share")
#: The world's population: no share, user post or niche reaches more people.
WORLD_POPULATION = 8e9
#: The most one creator's fee, overhead or product may cost, in any currency: beyond any
#: creator (a larger figure is a typo, and it overflows a campaign's cost).
MAX_CREATOR_COST = 1e12
#: Quantities with an upper bound on their P99: (bound, what it counts).
BOUNDED_QUANTITIES: dict[str, tuple[float, str]] = {
    "followers": (WORLD_POPULATION, "followers"),
    "reach_per_share": (WORLD_POPULATION, "people"),
    "reach_per_user_post": (WORLD_POPULATION, "people"),
    "fee": (MAX_CREATOR_COST, "a fee"),
    "overhead": (MAX_CREATOR_COST, "a creator's overhead"),
    "gifted_cost": (MAX_CREATOR_COST, "a gifted creator's cost"),
}

#: Tier -> {(platform, or None for every platform, quantity): prior}.
PriorTable = dict[str, dict[tuple[str | None, str], Prior]]


def shipped_prior_sets() -> dict[str, Path]:
    """Names of the prior sets that ship with campaign-sim, and their files."""
    folder = resources.files("campaign_sim.scenario") / "prior_sets"
    return {Path(str(f)).stem: Path(str(f)) for f in folder.iterdir() if str(f).endswith(".yaml")}


def load_priors_file(base: str, relative_to: Path | None) -> tuple[PriorsFile, str, dict]:
    """Load a prior set by shipped name or by path (relative to the scenario's folder)."""
    shipped = shipped_prior_sets()
    if base in shipped:
        path = shipped[base]
    else:
        path = (relative_to or Path.cwd()) / base
        try:
            found = path.exists()
        except (OSError, ValueError):  # a name too long for the file system, or with a NUL
            found = False
        if not found:
            raise InputError.single(
                None,
                "priors.base",
                f"{shown(base)} is neither a shipped prior set ({', '.join(sorted(shipped))})"
                f" nor a file{suggest(base, shipped)}",
            )
    try:
        with path.open("rb") as handle:  # the content is the cache key; at most what is read
            content: bytes | None = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        content = None  # read_document reports it
    model, data = _read_priors(str(path), content)
    return model, str(path), data


@functools.lru_cache(maxsize=16)
def _read_priors(path: str, content: bytes | None) -> tuple[PriorsFile, dict]:
    """Parse and validate a priors file once per content (sweeps load it for every point).

    The returned mapping is shared between callers: read it, never change it.
    """
    document = read_document(path)
    data = document.data
    try:
        model = PriorsFile.model_validate(data)
    except ValidationError as exc:
        problems = [*document.problems, *problems_of(exc, data)]
        problems += _fits_of_invalid(data, path, problems)
        raise InputError(path, locate(problems, data)) from None
    if document.problems:
        raise InputError(path, document.problems)
    return model, data


def _fits_of_invalid(data: dict, path: str, found: list[Problem]) -> list[Problem]:
    """For a priors file that failed validation, every tier that passes alone fitted and
    checked against its quantities (one pass: a prior that cannot be fitted is independent of
    a typo in another tier). Only problems at paths not already reported."""
    tiers = data.get("tiers")
    valid = {}
    for tier, stated in tiers.items() if isinstance(tiers, dict) else ():
        try:
            valid[str(tier)] = TierPriors.model_validate(stated)
        except ValidationError:
            continue  # reported by the schema
    out: list[Problem] = []
    table, _ = merge_priors(PriorsFile.model_construct(name="", tiers=valid), path, {}, path, out)
    check_priors(table, "engagements", path, out, check_base=False)
    seen = {p.path for p in found}
    return [p for p in out if not any(p.path.startswith(s) for s in seen)]


def check_overrides(
    overrides: dict[str, TierPriors],
    base: PriorsFile,
    used: Iterable[tuple[str, str]],
    where: str,
    problems: list[Problem],
) -> None:
    """Overrides that change nothing: a tier or platform that no group uses (``used``: every
    group's (tier, platform)). A name the priors set does not know either is a typo, added to
    ``problems`` with a did-you-mean; a real tier or platform that no group uses is an
    :class:`UnusedOverrideWarning` (``<where>: priors.tiers.macro: overrides a tier no
    strategy uses``)."""
    used = set(used)
    used_tiers = {tier for tier, _ in used}
    tiers = list(dict.fromkeys([*base.tiers, *sorted(used_tiers)]))
    platforms = list(
        dict.fromkeys(
            [p for t in base.tiers.values() for p in t.platforms] + sorted(p for _, p in used)
        )
    )
    for tier, tier_priors in overrides.items():
        path = f"priors.tiers.{tier}"
        if tier not in used_tiers:
            if tier in tiers:
                _unused(f"{where}: {path}: overrides a tier no strategy uses", used_tiers)
            else:
                problems.append(
                    Problem(
                        path,
                        f"no tier '{tier}' in the priors set '{base.name}' and no strategy uses "
                        f"it{suggest(tier, tiers)}; tiers: {', '.join(tiers)}",
                    )
                )
            continue
        on = sorted(p for t, p in used if t == tier)
        for platform in tier_priors.platforms:
            here = f"{path}.platforms.{platform}"
            if platform in on:
                continue
            if platform in platforms:
                warnings.warn(
                    f"{where}: {here}: overrides a platform no strategy uses for tier {tier} "
                    f"(its groups are on {', '.join(on)})",
                    UnusedOverrideWarning,
                    stacklevel=3,
                )
            else:
                problems.append(
                    Problem(
                        here,
                        f"no platform '{platform}' in the priors set '{base.name}' and no "
                        f"{tier} group is on it{suggest(platform, platforms)}; platforms: "
                        f"{', '.join(platforms)}",
                    )
                )


def _unused(message: str, used_tiers: set[str]) -> None:
    strategies_use = ", ".join(sorted(used_tiers)) or "none"
    warnings.warn(
        f"{message} (the strategies use {strategies_use})", UnusedOverrideWarning, stacklevel=4
    )


_StatedTable = dict[tuple[str | None, str], "_Stated"]


@dataclass(frozen=True)
class _Stated:
    spec: Any
    origin: str
    path: str  # key path inside `origin`


def merge_priors(
    base: PriorsFile,
    base_origin: str,
    overrides: dict[str, TierPriors],
    where: str,
    problems: list[Problem] | None = None,
) -> tuple[PriorTable, dict[str, set[str]]]:
    """Tier -> {(platform or None, quantity): Prior}, overrides replacing whole quantities;
    and the platforms each tier declares.

    A prior that cannot be fitted is left out of the table; why goes to ``problems`` if given
    (every such prior, then the caller's other checks), else it raises at once."""
    collect = problems is not None
    stated: dict[str, _StatedTable] = {}
    platforms: dict[str, set[str]] = {}
    for tiers, origin, prefix in (
        (base.tiers, base_origin, "tiers"),
        (overrides, where, "priors.tiers"),
    ):
        for tier, tier_priors in tiers.items():
            table = stated.setdefault(tier, {})
            platforms.setdefault(tier, set()).update(tier_priors.platforms)
            _state(table, None, tier_priors, origin, f"{prefix}.{tier}")
            for platform, platform_priors in tier_priors.platforms.items():
                _state(
                    table,
                    platform,
                    platform_priors,
                    origin,
                    f"{prefix}.{tier}.platforms.{platform}",
                )
    problems = problems if problems is not None else []
    out: PriorTable = {}
    for tier, table in stated.items():
        out[tier] = {}
        for (on_platform, quantity), item in table.items():
            if isinstance(item.spec, PoolUpdate):
                where_ = item.path if item.origin == where else f"{item.origin}: {item.path}"
                problems.append(
                    Problem(
                        where_,
                        f"changes only the pool keys of a {quantity} prior, but there is none "
                        f"for tier {tier} to change: give a distribution (`family`, ...)",
                    )
                )
                continue
            built = fit(
                item.spec, item.path, problems, origin=None if item.origin == where else item.origin
            )
            pool = _pool_model(item.spec, quantity, item.path, problems, item.origin, where)
            if built is not None and pool is not None:
                out[tier][(on_platform, quantity)] = Prior(
                    quantity=quantity,
                    tier=tier,
                    platform=on_platform,
                    dist=built,
                    sources=tuple((s.figure, s.source) for s in item.spec.sources),
                    note=item.spec.note,
                    describes_note=item.spec.describes_note,
                    assumption=item.spec.assumption,
                    base=item.spec.base,
                    origin=item.origin,
                    key_path=item.path,
                    **pool,
                )
        for quantity, value in OPTIONAL_QUANTITIES.items():
            if not any(q == quantity for _, q in out[tier]):
                out[tier][(None, quantity)] = _switched_off(tier, quantity, value, base_origin)
    if problems and not collect:
        raise InputError(None, problems)
    return out, platforms


def _switched_off(tier: str, quantity: str, value: float, origin: str) -> Prior:
    """The prior of a funnel quantity that a priors file leaves out: ``value`` for every
    creator, which switches its mechanism off."""
    return Prior(
        quantity=quantity,
        tier=tier,
        platform=None,
        dist=dist.Fixed(value),
        sources=(),
        note=f"not in {origin}: {value:g}, which switches this mechanism off",
        assumption=True,
        base=None,
        origin=origin,
        key_path=f"tiers.{tier}.{quantity}",
        describes="creators",
    )


def _state(
    table: _StatedTable, platform: str | None, priors: QuantityPriors, origin: str, path: str
) -> None:
    """Record in ``table`` each quantity that ``priors`` states, and where. An update of
    pool keys alone (:class:`PoolUpdate`) changes the prior it would replace: the entry for
    the same platform, else the tier's; with none, it is recorded as it is and reported."""
    for quantity in QUANTITIES:
        spec = getattr(priors, quantity)
        if spec is None:
            continue
        if isinstance(spec, PoolUpdate):
            under = table.get((platform, quantity)) or table.get((None, quantity))
            if under is not None and not isinstance(under.spec, PoolUpdate):
                spec = _updated(under.spec, spec)
        table[(platform, quantity)] = _Stated(spec, origin, f"{path}.{quantity}")


def _updated(spec: Any, update: PoolUpdate) -> Any:
    """``spec`` with ``update``'s pool keys; stating ``describes`` drops the other kind's keys
    the base prior had (a level's spread means nothing for creators, and back)."""
    changes = update.model_dump(exclude_unset=True, exclude={"family"})
    if "describes" in changes:
        for key in ("creator_spread", "level_is", "shared", "shared_spearman", "persistent"):
            changes.setdefault(key, None)
    for one, other in (("shared", "shared_spearman"), ("shared_spearman", "shared")):
        if one in changes:
            changes.setdefault(other, None)
    # Each value was validated in the update; what cannot go with the base prior's kind,
    # _pool_model reports at the update's key path.
    return spec.model_copy(update=changes)


def _pool_model(
    spec: Any, quantity: str, path: str, problems: list[Problem], origin: str, where: str
) -> dict[str, Any] | None:
    """What a prior describes, its creator spread, shared share and persistent share, with
    the quantity's defaults (:data:`POOL_DEFAULTS`) where it does not say; None after adding to
    ``problems`` a key that cannot apply."""
    default = POOL_DEFAULTS[quantity]
    describes = spec.describes or default.describes
    location = path if origin == where else f"{origin}: {path}"
    stated = [
        key
        for key in (
            "describes",
            "creator_spread",
            "level_is",
            "shared",
            "shared_spearman",
            "persistent",
        )
        if getattr(spec, key) is not None
    ]
    if quantity in ONE_NUMBER_QUANTITIES:
        if stated:
            problems.append(
                Problem(
                    f"{location}.{stated[0]}",
                    f"a {QUANTITIES[quantity]} is one number per creator: it has no level, "
                    "spread or shared part",
                )
            )
            return None
        return {"describes": "creators"}
    if describes == "level":
        if spec.shared is not None or spec.shared_spearman is not None:
            key = "shared" if spec.shared is not None else "shared_spearman"
            problems.append(
                Problem(
                    f"{location}.{key}",
                    f"this {quantity} prior describes the pool's level by default, which every "
                    "creator of the pool already shares: set `describes: creators` to give a "
                    "shared share, or `creator_spread` for how creators differ",
                )
            )
            return None
        spread = spec.creator_spread
        if spread is None and default.describes != "level" and spec.family != "fixed":
            problems.append(
                Problem(
                    f"{location}.describes",
                    f"this {quantity} level needs `creator_spread` (how creators differ around "
                    f"it, on the {SCALES[quantity]} scale): {quantity} describes creators by "
                    "default and has no default spread",
                )
            )
            return None
        if spread is None:
            # A bare number (or family: fixed) is every creator's value unless it says otherwise.
            spread = 0.0 if spec.family == "fixed" else default.creator_spread
        return {
            "describes": "level",
            "creator_spread": spread,
            "level_is": spec.level_is or "mean",
            "persistent": _persistent(spec, default, "level"),
        }
    if spec.creator_spread is not None or spec.level_is is not None:
        key = "creator_spread" if spec.creator_spread is not None else "level_is"
        problems.append(
            Problem(
                f"{location}.{key}",
                f"this {quantity} prior describes individual creators by default: its range is "
                "already their spread; set `describes: level` to spread creators around it",
            )
        )
        return None
    if spec.shared_spearman is not None:
        shared = pearson_of_spearman(spec.shared_spearman)
    elif spec.shared is not None:
        shared = spec.shared
    else:
        shared = default.shared if default.describes == "creators" else 0.0
    # A persistent share beside an explicit `shared: 0` is a switched-off factor (sweeps do
    # that); without any `shared`, it is a mistake.
    if shared == 0 and spec.persistent and spec.shared is None and spec.shared_spearman is None:
        problems.append(
            Problem(
                f"{location}.persistent",
                "nothing to split: this prior has no shared part (describes creators with "
                "shared 0); give `shared` first",
            )
        )
        return None
    persistent = _persistent(spec, default, "creators")
    return {"describes": "creators", "shared": shared, "persistent": persistent if shared else 0.0}


#: The persistent share of a level or shared factor whose quantity has no default of that kind.
OTHER_KIND_PERSISTENT = 0.5


def _persistent(spec: Any, default: PoolDefault, describes: str) -> float:
    if spec.persistent is not None:
        return float(spec.persistent)
    return default.persistent if default.describes == describes else OTHER_KIND_PERSISTENT


def fit(
    spec: Any, path: str, problems: list[Problem], origin: str | None = None
) -> dist.Distribution | None:
    """The distribution of a spec, or None after adding why it cannot be fitted to ``problems``
    (at ``path``, prefixed by ``origin``, the file, unless that is the scenario)."""
    try:
        return _fitted(spec)
    except dist.FitError as exc:
        where = f"{origin}: {path}" if origin else path
        problems.append(Problem(where, str(exc)))
        return None


@functools.lru_cache(maxsize=4096)
def _fitted(spec: Any) -> dist.Distribution:
    """Fit a (frozen, hashable) spec once: sweeps rebuild the same priors for every point."""
    return spec.build()


def top_of(distribution: dist.Distribution) -> float:
    """The 99th percentile of ``distribution``, for an upper bound on one without a finite
    support: inf where it overflows (a lognormal's huge sigma), refused like a huge value.
    A bounded one gives its upper bound (no scipy import: ``validate`` stays fast)."""
    high = distribution.support()[1]
    if math.isfinite(high):
        return float(high)
    with np.errstate(over="ignore"):
        return float(distribution.ppf(0.99))


def check_priors(
    priors: PriorTable,
    conversion_base: str,
    scenario_origin: str | None,
    problems: list[Problem],
    *,
    check_base: bool = True,
    amplification: bool = True,
) -> None:
    """Add to ``problems`` every prior that its quantity rules out (a rate outside [0, 1],
    negative money, ...), and, if ``check_base``, every conversion rate of another base."""
    for table in priors.values():
        for prior in table.values():
            where = prior.location(scenario_origin)
            low, high = prior.dist.support()
            if prior.quantity in RATE_QUANTITIES and (low < 0 or high > 1):
                what = f"a {QUANTITIES[prior.quantity]}"
                if prior.quantity in OPTIONAL_QUANTITIES:  # units that take no article
                    what = f"{prior.quantity} ({QUANTITIES[prior.quantity]})"
                problems.append(
                    Problem(
                        where,
                        f"{what} must lie in "
                        f"[0, 1], but {prior.dist.describe()} reaches "
                        f"[{low:g}, {high:g}]",
                    )
                )
            if prior.quantity in MONEY_QUANTITIES and low < 0:
                problems.append(
                    Problem(
                        where,
                        f"money cannot be negative, but "
                        f"{prior.dist.describe()} goes down to {low:g}",
                    )
                )
            if prior.quantity in PEOPLE_QUANTITIES and low < 0:
                problems.append(
                    Problem(
                        where,
                        f"people cannot be negative, but {prior.dist.describe()} "
                        f"goes down to {low:g}",
                    )
                )
            if prior.quantity in BOUNDED_QUANTITIES:
                most, what = BOUNDED_QUANTITIES[prior.quantity]
                top = top_of(prior.dist)
                if not top <= most:
                    problems.append(
                        Problem(
                            where,
                            f"{what} cannot exceed {most:g}, but {prior.dist.describe()} has "
                            f"a P99 of {top:g}",
                        )
                    )
            if prior.quantity == "followers" and low <= 0:
                problems.append(Problem(where, "followers must be positive"))
            if prior.quantity in ONE_NUMBER_QUANTITIES and not prior.dist.is_fixed:
                problems.append(
                    Problem(
                        where,
                        f"a {QUANTITIES[prior.quantity]} is one number (a bare number or "
                        "family: fixed)",
                    )
                )
            rated = prior.quantity == "conversion_rate" or (
                amplification
                and prior.quantity == "amplified_conversion_rate"
                and not (prior.dist.is_fixed and prior.dist.mean() == 0)
            )
            if check_base and rated and prior.base not in (None, conversion_base):
                problems.append(
                    Problem(
                        where,
                        f"this {prior.quantity.replace('_', ' ')} is per {prior.base}, but the "
                        f"scenario's economics.conversion_base is {conversion_base}: give a "
                        f"{prior.quantity} prior with base: {conversion_base}"
                        + (
                            " (or funnel.amplification: false)"
                            if prior.quantity == "amplified_conversion_rate"
                            else ""
                        ),
                    )
                )


def group_priors(
    path: str,
    tier: str,
    platform: str,
    priors: PriorTable,
    problems: list[Problem],
    *,
    quiet: bool = False,
) -> dict[str, Prior] | None:
    """Every quantity's prior for creators of ``tier`` on ``platform`` (the platform's own,
    else the tier's default), or None with a problem at ``path`` when one is missing
    (``quiet``: some prior failed to fit and was reported already, so say nothing more)."""
    table = priors.get(tier, {})
    resolved: dict[str, Prior] = {}
    for quantity in QUANTITIES:
        prior = table.get((platform, quantity)) or table.get((None, quantity))
        if prior is None:
            if not quiet:
                problems.append(
                    Problem(
                        path,
                        f"no {quantity} prior for tier '{tier}' on platform '{platform}': give "
                        f"one under priors.tiers.{tier} or priors.tiers.{tier}.platforms."
                        f"{platform}",
                    )
                )
            return None
        resolved[quantity] = prior
    return resolved
