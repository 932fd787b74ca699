"""Load a scenario file once, check it whole, and turn it into an immutable plan.

Everything past :func:`load_scenario` / :func:`scenario_from_dict` trusts the
:class:`~campaign_sim.scenario.plan.Scenario` it returns: every group's priors are resolved and
fitted, every budget is an amount.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import math
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from campaign_sim.creators.roster import Roster
from campaign_sim.errors import InputError, Problem, format_path, shown
from campaign_sim.notices import Notice
from campaign_sim.random.levels import creator_part_pearson, spearman_of_pearson
from campaign_sim.scenario.funnel import funnel_plan
from campaign_sim.scenario.plan import (
    GroupPlan,
    PersistentPosterior,
    Prior,
    Scenario,
    StrategyPlan,
)
from campaign_sim.scenario.priors_schema import (
    SHOCK_NAME,
    DistributionSpec,
    PriorsFile,
    TierPriors,
    calibration_problems,
    cholesky_factor,
)
from campaign_sim.scenario.reading import (  # read_yaml: re-exported for callers
    locate,
    problems_of,
    read_document,
    read_yaml,  # noqa: F401
)
from campaign_sim.scenario.resolve import (
    PriorTable,
    check_overrides,
    check_priors,
    fit,
    group_priors,
    load_priors_file,
    merge_priors,
)
from campaign_sim.scenario.rosters import (
    check_named,
    read_rosters,
    roster_digests,
    roster_groups,
    roster_pools,
)
from campaign_sim.scenario.schema import ScenarioFile
from campaign_sim.scenario.strict import suggest
from campaign_sim.scenario.warnings import InputWarning

__all__ = ["load_prior_set", "load_scenario", "scenario_from_dict", "using_priors"]

#: The priors file that replaces every scenario's ``priors.base`` while :func:`using_priors`
#: is active (``--priors FILE`` of a command that builds its scenarios through other code,
#: such as a sweep's points).
_PRIORS: contextvars.ContextVar[Path | None] = contextvars.ContextVar("priors", default=None)


@contextlib.contextmanager
def using_priors(priors: str | Path | None) -> Iterator[None]:
    """Within the block, every scenario loaded takes its base priors from ``priors`` (a path,
    relative to the current directory), as ``load_scenario(path, priors=...)`` does; None
    changes nothing."""
    if priors is None:
        yield
        return
    token = _PRIORS.set(_priors_path(priors))
    try:
        yield
    finally:
        _PRIORS.reset(token)


def _priors_path(priors: str | Path) -> Path:
    """``priors`` as an absolute path; a missing file is an error naming it."""
    path = Path.cwd() / Path(priors)
    try:
        found = path.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        why = "is a folder" if path.is_dir() else "no such file"
        raise InputError.single(priors, "(file)", f"--priors: {why}")
    return path


def _with_priors(data: dict[str, Any], priors: Path | None, *, in_place: bool) -> dict[str, Any]:
    """``data`` with ``priors.base`` set to ``priors`` (the scenario's per-tier overrides
    kept); ``in_place``: change ``data`` itself (a document just read, whose lines stay known
    for errors), else a copy (the caller's mapping is never changed)."""
    if priors is None:
        return data
    out = data if in_place else dict(data)
    stated = out.get("priors")
    if isinstance(stated, dict):
        if in_place:
            stated["base"] = str(priors)
        else:
            out["priors"] = {**stated, "base": str(priors)}
    elif stated is None:
        out["priors"] = {"base": str(priors)}
    return out  # a `priors` that is not a mapping is the schema's to report


def load_prior_set(base: str, relative_to: Path | None = None) -> tuple[Prior, ...]:
    """Every prior of a prior set (shipped name or path), fitted, for listings."""
    priors_file, origin, data = load_priors_file(base, relative_to)
    problems: list[Problem] = [
        Problem(f"{origin}: {p.path}", p.message) for p in calibration_problems(priors_file)
    ]
    merged, _ = merge_priors(priors_file, origin, {}, origin, problems)
    check_priors(merged, "engagements", None, problems, check_base=False)
    if problems:  # every prior that cannot be fitted, and every one its quantity rules out
        raise InputError(None, locate(problems, {}, {origin: data}))
    return tuple(p for tier in merged.values() for p in tier.values())


def load_scenario(path: str | Path, priors: str | Path | None = None) -> Scenario:
    """Read, validate and resolve a scenario file.

    ``priors``: a priors file (relative to the current directory) that replaces the scenario's
    ``priors.base``; the scenario's own per-tier overrides still apply (``--priors FILE``)."""
    chosen = _priors_path(priors) if priors is not None else _PRIORS.get()
    document = read_document(path)
    data = _with_priors(document.data, chosen, in_place=True)
    return _scenario(data, Path(path), document.problems)


def scenario_from_dict(
    data: dict[str, Any],
    *,
    source: str | Path | None = None,
    priors: str | Path | None = None,
) -> Scenario:
    """Validate a scenario given as a mapping (as read from YAML) and resolve its priors;
    ``priors`` as in :func:`load_scenario` (``data`` itself is not changed)."""
    chosen = _priors_path(priors) if priors is not None else _PRIORS.get()
    return _scenario(_with_priors(data, chosen, in_place=False), source, [])


def _scenario(data: dict[str, Any], source: str | Path | None, found: list[Problem]) -> Scenario:
    """The scenario of ``data``, or an InputError with every independent problem of it:
    ``found`` (duplicate keys), the schema's, the priors', and each group's."""
    problems = list(found)
    folder = Path(source).parent if source is not None else None
    try:
        model: ScenarioFile = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        problems += problems_of(exc, data)
        where = str(source) if source is not None else "(scenario)"
        problems += _beyond_the_schema(data, folder, where, problems)
        raise InputError(source, locate(problems, data)) from None
    try:
        base, base_origin, base_data = load_priors_file(model.priors.base, folder)
    except InputError as exc:
        if not problems:
            raise InputError(exc.source or source, exc.problems) from None
        raise InputError(source, locate(problems + _in(exc), data)) from None
    where = str(source) if source is not None else "(scenario)"
    in_base = [Problem(f"{base_origin}: {p.path}", p.message) for p in calibration_problems(base)]
    problems += in_base
    priors, platforms = merge_priors(base, base_origin, model.priors.tiers, where, problems)
    unfitted = len(problems) > len(found)  # a group of a tier whose prior failed is not planned
    rosters = read_rosters(model, folder, priors, platforms, problems)
    used = [
        (g.tier, g.platform)
        for s in model.strategies.values()
        for g in s.groups
        if g.tier is not None and g.platform is not None
    ]
    used += roster_pools(rosters)
    check_overrides(model.priors.tiers, base, used, where, problems)
    check_priors(
        priors,
        model.economics.conversion_base,
        where,
        problems,
        amplification=model.funnel.amplification,
    )
    aov = fit(model.economics.aov, "economics.aov", problems)
    shock = model.shock.sigma if model.shock.sigma is not None else base.shock_sigma
    shock_persistent = _shock_persistent(model, base)
    calibrated, stated_aov = None, aov
    if base.calibration is not None and not in_base:
        calibrated = _calibrated(base, base_origin, priors, shock, shock_persistent, problems)
        if base.calibration.aov is not None:
            aov = _calibrated_aov(base, base_origin, aov, problems)
    strategies = tuple(
        _plan_strategy(name, strategy, priors, platforms, problems, quiet=unfitted, rosters=rosters)
        for name, strategy in model.strategies.items()
    )
    check_named(strategies, problems)
    if base.calibration is not None and base.calibration.spread and not in_base:
        strategies = _with_spreads(strategies, base.calibration.spread, base_origin, problems)
    if aov is not None and aov.support()[0] < 0:
        problems.append(Problem("economics.aov", "an order value cannot be negative"))
    followers_fee = _followers_fee(model, base)
    _check_copulas(model, followers_fee, strategies, problems, base_origin)
    funnel = funnel_plan(
        model,
        problems,
        set().union(*platforms.values()),
        {g.platform for s in strategies for g in s.groups},
    )
    if problems:
        raise InputError(source, locate(problems, data, {base_origin: base_data}))
    _percent_like(model, where)
    if aov is not stated_aov:
        warnings.warn(
            f"{where}: economics.aov (P5-P95 {_range_text(stated_aov)}) is replaced by the "
            f"calibrated order value of {base_origin} (P5-P95 {_range_text(aov)})",
            Notice,
            stacklevel=3,
        )
    hashed = {"scenario": data, "priors": base_data}
    if rosters:  # a roster's rows are part of the scenario (absent otherwise: digests stay)
        hashed["rosters"] = roster_digests(rosters)
    canonical = json.dumps(hashed, sort_keys=True, default=str)
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
        shock_persistent=shock_persistent,
        rho_followers_fee=followers_fee,
        rho_engagement_conversion=model.correlations.engagement_conversion,
        strategies=strategies,
        priors=tuple(p for tier in priors.values() for p in tier.values()),
        priors_name=base.name,
        campaigns=model.simulation.campaigns,
        seed=model.simulation.seed,
        roi_target=model.simulation.roi_target,
        model=model,
        funnel=funnel,  # type: ignore[arg-type]
        calibrated=calibrated,
    )


def _with_spreads(
    strategies: tuple[StrategyPlan, ...],
    spreads: dict[str, float],
    origin: str,
    problems: list[Problem],
) -> tuple[StrategyPlan, ...]:
    """Strategies whose groups take a calibrated creator spread (``tier/platform/quantity``
    -> tau) for their pool's level prior; a name that is no level prior of the scenario is an
    input error at ``calibration.spread``."""
    for name in spreads:
        tier, platform, quantity = ([*name.split("/"), "", ""])[:3]
        found = [
            g.priors.get(quantity)
            for s in strategies
            for g in s.groups
            if (g.tier, g.platform) == (tier, platform)
        ]
        if any(p is not None and p.describes != "level" for p in found):
            problems.append(
                Problem(
                    f"{origin}: calibration.spread.{name}",
                    "a creator spread belongs to a level prior; the scenario's is not one",
                )
            )

    def group(g: GroupPlan) -> GroupPlan:
        priors = {
            q: replace(p, creator_spread=float(spreads[f"{g.pool}/{q}"]))
            if f"{g.pool}/{q}" in spreads and p.describes == "level"
            else p
            for q, p in g.priors.items()
        }
        return replace(g, priors=priors)

    return tuple(replace(s, groups=tuple(group(g) for g in s.groups)) for s in strategies)


def _range_text(distribution: Any) -> str:
    """A distribution's P5-P95, for a notice."""
    if distribution is None:
        return "?"
    low, high = (float(v) for v in distribution.ppf([0.05, 0.95]))
    return f"{low:,.4g}-{high:,.4g}"


def _calibrated(
    base: PriorsFile,
    origin: str,
    priors: PriorTable,
    shock: float,
    shock_persistent: float,
    problems: list[Problem],
) -> PersistentPosterior | None:
    """The posterior of a calibrated priors file, each name checked against the resolved
    scenario: its prior must be the one the file was calibrated against (the same fitted
    distribution, with a persistent part); ``shock`` needs a shock with a persistent part."""
    calibration = base.calibration
    assert calibration is not None
    spec = calibration.persistent
    if spec is None:
        return None
    before = len(problems)
    for i, name in enumerate(spec.names):
        path = f"{origin}: calibration.persistent.names[{i}]"
        if name == SHOCK_NAME:
            if shock <= 0 or shock_persistent <= 0:
                problems.append(
                    Problem(
                        path,
                        f"the scenario's shock has no persistent part to calibrate (sigma "
                        f"{shock:g}, persistent share {shock_persistent:g}): the file was "
                        "calibrated against a shock with one",
                    )
                )
            continue
        if name.startswith("@"):
            continue  # a named creator's own effect: used if the scenario books them
        tier, platform, quantity = name.split("/")
        table = priors.get(tier, {})
        prior = table.get((platform, quantity)) or table.get((None, quantity))
        expected = spec.priors[name]
        if prior is None:
            problems.append(
                Problem(
                    path,
                    f"{shown(name)}: the scenario has no {quantity} prior for {tier}/{platform}; "
                    f"the file was calibrated against {expected}",
                )
            )
            continue
        here = prior.location(None)
        if (
            not prior.pooled
            or prior.persistent <= 0
            or (prior.describes == "level" and prior.dist.is_fixed)
        ):
            problems.append(
                Problem(
                    path,
                    f"{shown(name)}: the scenario's prior ({here}) has no persistent part "
                    f"(persistent share {prior.persistent:g}); the file was calibrated against "
                    f"{expected} with one",
                )
            )
        elif prior.dist.key() != expected:
            problems.append(
                Problem(
                    path,
                    f"{shown(name)}: the file was calibrated against another prior, {expected}; "
                    f"the scenario's is {prior.dist!r} ({here}): calibrate again against it, or "
                    "leave out the override",
                )
            )
    if len(problems) > before:
        return None
    factor = cholesky_factor(np.array(spec.covariance, dtype=float))
    assert factor is not None  # checked by calibration_problems
    mean = np.array(spec.mean, dtype=float)
    return PersistentPosterior(spec.names, mean, factor, calibration.product)


def _calibrated_aov(base: PriorsFile, origin: str, aov: Any, problems: list[Problem]) -> Any:
    """The calibration's order value, which replaces the scenario's ``aov``."""
    assert base.calibration is not None and base.calibration.aov is not None
    found = fit(base.calibration.aov, "calibration.aov", problems, origin=origin)
    if found is None:
        return aov
    if found.support()[0] < 0:
        problems.append(Problem(f"{origin}: calibration.aov", "an order value cannot be negative"))
        return aov
    return found


def _followers_fee(model: ScenarioFile, base: PriorsFile) -> float:
    """The followers-fee rank correlation: the scenario's, else its prior set's."""
    stated = model.correlations.followers_fee
    return float(base.followers_fee_spearman if stated is None else stated)


def _shock_persistent(model: ScenarioFile, base: PriorsFile) -> float:
    """The shock's persistent share: the scenario's, else its prior set's."""
    stated = model.shock.persistent
    return float(base.shock_persistent if stated is None else stated)


#: The copulas between two quantities of one creator: (scenario key, lead, follower).
COPULAS = (
    ("followers_fee", "followers", "fee"),
    ("engagement_conversion", "engagement_rate", "conversion_rate"),
)


def _check_copulas(
    model: ScenarioFile,
    followers_fee: float,
    strategies: tuple,
    problems: list[Problem],
    base_origin: str,
) -> None:
    """A stated rank correlation that the priors' shared shares leave no room for: the
    creators' own parts would need a correlation beyond 1 (docs/model.md, Correlations). A
    followers-fee correlation the scenario leaves out is its prior set's (``base_origin``)."""
    for key, lead, follower in COPULAS:
        spearman = followers_fee if key == "followers_fee" else getattr(model.correlations, key)
        if spearman == 0:
            continue
        path, hint = f"correlations.{key}", ""
        if key == "followers_fee" and model.correlations.followers_fee is None:
            path = f"{base_origin}: followers_fee_spearman"
            hint = "; give another in the scenario's correlations.followers_fee"
        for strategy in strategies:
            for group in strategy.groups:
                if lead not in group.priors or follower not in group.priors:
                    continue
                a, b = group.priors[lead], group.priors[follower]
                r = creator_part_pearson(spearman, a.shared, b.shared)
                if abs(r) < 1:
                    continue
                most = spearman_of_pearson(math.sqrt((1 - a.shared) * (1 - b.shared)))
                problems.append(
                    Problem(
                        path,
                        f"a rank correlation of {spearman:g} cannot hold in {group.pool}: "
                        f"its {lead} and {follower} priors share {a.shared:g} and "
                        f"{b.shared:g} of their variance with the pool, which leaves room for "
                        f"at most ±{most:.3g}{hint}",
                    )
                )
                return


def _in(exc: InputError) -> list[Problem]:
    """The problems of another file (a priors file), each path prefixed by that file."""
    if exc.source is None:
        return list(exc.problems)
    return [Problem(f"{exc.source}: {p.path}", p.message, p.line) for p in exc.problems]


def _beyond_the_schema(
    data: Any, folder: Path | None, where: str, found: list[Problem]
) -> list[Problem]:
    """The checks past the schema, for a scenario that failed it, on the parts that passed it
    alone: the priors overrides of each tier that validates are fitted and checked, the order
    value is fitted, and every group's tier and platform are looked up. A prior that cannot
    be fitted or a misspelt tier is independent of a misspelt key elsewhere, and is reported in
    the same pass. Only problems at paths the schema did not already report."""
    priors = data.get("priors") if isinstance(data.get("priors"), dict) else {}
    base = priors.get("base", "article")
    if not isinstance(base, str):
        return []
    out: list[Problem] = []
    economics = data.get("economics")
    if isinstance(economics, dict) and "aov" in economics:
        try:
            aov = TypeAdapter(DistributionSpec).validate_python(economics["aov"])
        except ValidationError:
            pass
        else:
            fit(aov, "economics.aov", out)
    try:
        base_file, base_origin, _ = load_priors_file(base, folder)
    except InputError as exc:
        return out + ([] if any(p.path.startswith("priors") for p in found) else _in(exc))
    stated = priors.get("tiers")
    stated = stated if isinstance(stated, dict) else {}
    overrides = {}
    for tier, tier_priors in stated.items():
        try:
            overrides[str(tier)] = TierPriors.model_validate(tier_priors)
        except ValidationError:
            continue  # reported by the schema
    table, platforms = merge_priors(base_file, base_origin, overrides, where, out)
    check_priors(table, "engagements", where, out, check_base=False)
    strategies = data.get("strategies")
    for name, strategy in strategies.items() if isinstance(strategies, dict) else ():
        groups = strategy.get("groups") if isinstance(strategy, dict) else None
        for index, group in enumerate(groups if isinstance(groups, list) else []):
            if not isinstance(group, dict):
                continue
            tier, platform = group.get("tier"), group.get("platform")
            if isinstance(tier, str) and isinstance(platform, str):
                path = f"strategies.{format_path([name])}.groups[{index}]"
                out += _name_problems(path, tier, platform, platforms)
    seen = {p.path for p in found}
    return [
        p
        for p in out
        if not any(p.path == s or p.path.startswith((s + ".", s + "[")) for s in seen)
    ]


def _name_problems(
    path: str, tier: str, platform: str, platforms: dict[str, set[str]]
) -> list[Problem]:
    """A group's tier and platform checked against the tiers (and their platforms) of its
    priors."""
    if tier not in platforms:
        return [
            Problem(
                f"{path}.tier",
                f"no priors for tier {shown(tier)}"
                f"{suggest(tier, platforms)}; known tiers: "
                f"{', '.join(platforms)}",
            )
        ]
    declared = sorted(platforms[tier])
    if platform not in declared:
        return [
            Problem(
                f"{path}.platform",
                f"tier {shown(tier)} has no priors for platform {shown(platform)}"
                f"{suggest(platform, declared)}; its platforms: "
                f"{', '.join(declared) or 'none'} (add it under "
                f"priors.tiers.{tier}.platforms)",
            )
        ]
    return []


def _percent_like(model: ScenarioFile, where: str) -> None:
    """Warn about a fraction that looks like a percentage: ``roi_target: 20`` meant as 20% is
    an ROI target of +2,000% (the other fractions are at most 1 already)."""
    target = model.simulation.roi_target
    if target > 1:
        warnings.warn(
            f"{where}: simulation.roi_target: {target:g} is a fraction, an ROI target of "
            f"+{100 * target:,.0f}%; for {target:g}% write {target / 100:g}",
            InputWarning,
            stacklevel=4,
        )


def _plan_strategy(
    name: str,
    strategy: Any,
    priors: PriorTable,
    platforms: dict[str, set[str]],
    problems: list[Problem],
    *,
    quiet: bool = False,
    rosters: dict[tuple[str, int], Roster] | None = None,
) -> StrategyPlan:
    """One strategy's plan: each group's priors resolved, its budget an amount that covers one
    creator's fee; a roster group's candidates as one-creator groups (``rosters``: the files
    read, by strategy and group index); what is wrong goes to ``problems``. ``quiet``: some
    prior failed to fit (already reported), so a group missing a prior says nothing more."""
    groups: list[GroupPlan] = []
    for index, group in enumerate(strategy.groups):
        path = f"strategies.{name}.groups[{index}]"
        if group.roster is not None:
            roster = (rosters or {}).get((name, index))
            if roster is not None:
                groups += roster_groups(
                    path, group, strategy.budget, roster, priors, problems, quiet=quiet
                )
            continue
        deliverables = group.deliverables or 1
        names = _name_problems(path, group.tier, group.platform, platforms)
        if names:
            problems += names
            continue
        resolved = group_priors(
            f"{path}.platform", group.tier, group.platform, priors, problems, quiet=quiet
        )
        if resolved is not None:
            budget = group.budget
            if group.share is not None:
                budget = group.share * strategy.budget
            if budget:  # a budget of 0 (share 0, e.g. in a sweep) hires no one, on purpose
                one_fee = float(resolved["fee"].dist.ppf(0.05)) * deliverables
                if budget < one_fee:
                    key = "share" if group.share is not None else "budget"
                    problems.append(
                        Problem(
                            f"{path}.{key}",
                            f"a budget of {budget:,.0f} is smaller than one creator's fee "
                            f"(P5 of {deliverables} x fee = {one_fee:,.0f}): it would hire "
                            "almost no one",
                        )
                    )
            groups.append(
                GroupPlan(group.tier, group.platform, deliverables, group.count, budget, resolved)
            )
    return StrategyPlan(name, strategy.label or name, strategy.budget, tuple(groups))
