"""Load a scenario file once, check it whole, and turn it into an immutable plan.

Everything past :func:`load_scenario` / :func:`scenario_from_dict` trusts the :class:`Scenario`
it returns: every group's priors are resolved and fitted, every budget is an amount.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from campaign_sim.errors import InputError, Problem, format_path
from campaign_sim.random import distributions as dist
from campaign_sim.scenario.schema import (
    QUANTITIES,
    SPEC_TAGS,
    PriorsFile,
    QuantityPriors,
    ScenarioFile,
    TierPriors,
    suggest,
)

__all__ = [
    "GroupPlan",
    "Prior",
    "Scenario",
    "StrategyPlan",
    "load_prior_set",
    "load_priors_file",
    "load_scenario",
    "read_yaml",
    "scenario_from_dict",
    "shipped_prior_sets",
]

RATE_QUANTITIES = (
    "fake_share",
    "delivery_probability",
    "engagement_rate",
    "reach_rate",
    "conversion_rate",
)
MONEY_QUANTITIES = ("fee", "overhead")


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


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping with ``yaml.safe_load``; errors name the file and the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(path, "(file)", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single(path, "(file)", f"cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError.single(path, where, f"not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise InputError.single(path, "(top level)", "expected a mapping of keys to values")
    return data


def validate(model: type[BaseModel], data: dict[str, Any], source: str | Path | None) -> Any:
    """Validate ``data`` against ``model``; every problem names its key path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, [_problem(error) for error in exc.errors()]) from None


def _problem(error: Any) -> Problem:
    loc = [p for p in error["loc"] if p not in SPEC_TAGS and not str(p).startswith("function-")]
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] not in ("unknown_key", "missing", "unknown_family", "missing_family") and (
        isinstance(value, (int, float, str)) and not isinstance(value, bool)
    ):
        message += f" (got {value!r})"
    return Problem(format_path(loc), message)


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
        if not path.exists():
            raise InputError.single(
                None,
                "priors.base",
                f"'{base}' is neither a shipped prior set ({', '.join(sorted(shipped))})"
                f" nor a file{suggest(base, shipped)}",
            )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None  # read_yaml reports it
    model, data = _read_priors(str(path), text)
    return model, str(path), data


@functools.lru_cache(maxsize=16)
def _read_priors(path: str, text: str | None) -> tuple[PriorsFile, dict]:
    """Parse and validate a priors file once per content (sweeps load it for every point).

    The returned mapping is shared between callers: read it, never change it.
    """
    data = read_yaml(path)
    return validate(PriorsFile, data, path), data


def load_prior_set(base: str, relative_to: Path | None = None) -> tuple[Prior, ...]:
    """Every prior of a prior set (shipped name or path), fitted, for listings."""
    priors_file, origin, _ = load_priors_file(base, relative_to)
    merged, _ = _merge_priors(priors_file, origin, {}, origin)
    problems: list[Problem] = []
    _check_priors(merged, "engagements", None, problems, check_base=False)
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
        priors, platforms = _merge_priors(base, base_origin, model.priors.tiers, where)
    except InputError as exc:
        raise InputError(source, exc.problems) from None
    problems: list[Problem] = []
    _check_priors(priors, model.economics.conversion_base, where, problems)
    aov = _build(model.economics.aov, "economics.aov", problems)
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


_StatedTable = dict[tuple[str | None, str], "_Stated"]


@dataclass(frozen=True)
class _Stated:
    spec: Any
    origin: str
    path: str  # key path inside `origin`


def _merge_priors(
    base: PriorsFile, base_origin: str, overrides: dict[str, TierPriors], where: str
) -> tuple[dict[str, dict[tuple[str | None, str], Prior]], dict[str, set[str]]]:
    """Tier -> {(platform or None, quantity): Prior}, overrides replacing whole quantities;
    and the platforms each tier declares."""
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
    problems: list[Problem] = []
    out: dict[str, dict[tuple[str | None, str], Prior]] = {}
    for tier, table in stated.items():
        out[tier] = {}
        for (on_platform, quantity), item in table.items():
            built = _build(
                item.spec, item.path, problems, origin=None if item.origin == where else item.origin
            )
            if built is not None:
                out[tier][(on_platform, quantity)] = Prior(
                    quantity=quantity,
                    tier=tier,
                    platform=on_platform,
                    dist=built,
                    sources=tuple((s.figure, s.source) for s in item.spec.sources),
                    note=item.spec.note,
                    assumption=item.spec.assumption,
                    base=item.spec.base,
                    origin=item.origin,
                    key_path=item.path,
                )
    if problems:
        raise InputError(None, problems)
    return out, platforms


def _state(
    table: _StatedTable, platform: str | None, priors: QuantityPriors, origin: str, path: str
) -> None:
    for quantity in QUANTITIES:
        spec = getattr(priors, quantity)
        if spec is not None:
            table[(platform, quantity)] = _Stated(spec, origin, f"{path}.{quantity}")


def _build(
    spec: Any, path: str, problems: list[Problem], origin: str | None = None
) -> dist.Distribution | None:
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


def _check_priors(
    priors: dict[str, dict[tuple[str | None, str], Prior]],
    conversion_base: str,
    scenario_origin: str | None,
    problems: list[Problem],
    *,
    check_base: bool = True,
) -> None:
    for table in priors.values():
        for prior in table.values():
            where = prior.location(scenario_origin)
            low, high = prior.dist.support()
            if prior.quantity in RATE_QUANTITIES and (low < 0 or high > 1):
                problems.append(
                    Problem(
                        where,
                        f"a {QUANTITIES[prior.quantity]} must lie in "
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
            if prior.quantity == "followers" and low <= 0:
                problems.append(Problem(where, "followers must be positive"))
            if prior.quantity == "delivery_probability" and not prior.dist.is_fixed:
                problems.append(
                    Problem(
                        where,
                        "a delivery probability is one number (a bare number or family: fixed)",
                    )
                )
            if (
                check_base
                and prior.quantity == "conversion_rate"
                and prior.base not in (None, conversion_base)
            ):
                problems.append(
                    Problem(
                        where,
                        f"this conversion rate is per {prior.base}, but the scenario's "
                        f"economics.conversion_base is {conversion_base}: give a conversion_rate "
                        f"prior with base: {conversion_base}",
                    )
                )


def _plan_strategy(
    name: str,
    strategy: Any,
    priors: dict[str, dict[tuple[str | None, str], Prior]],
    platforms: dict[str, set[str]],
    problems: list[Problem],
) -> StrategyPlan:
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
