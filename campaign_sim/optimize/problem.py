"""An optimisation problem, checked against its scenario (MODEL.md §11, docs/optimize.md).

:func:`make_problem` turns a scenario's ``optimize:`` section (or an optimisation file, or the
command line's options on top of either) into a :class:`Problem`: the decisions, the objective,
the limits on statistics of the simulated campaigns and the linear constraints (the budget on
expected or quoted fees, team hours, creators hired). Every problem is reported at its key
path with a did-you-mean; a problem no plan can meet says which constraint it is. What the
defaults chose is kept in :attr:`Problem.stated`, for the output to say.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import numpy as np

from campaign_sim.analysis.frontier import Goal, Limit, parse_goal, parse_limit
from campaign_sim.engine.draws import mean_hire
from campaign_sim.errors import InputError, Problem
from campaign_sim.optimize.decisions import Decision, team_capacity, team_hours
from campaign_sim.optimize.scores import Statistic, statistic, statistic_names
from campaign_sim.scenario.plan import GroupPlan, Scenario
from campaign_sim.scenario.resolve import group_priors
from campaign_sim.scenario.schema import Bounds, Optimize
from campaign_sim.scenario.strict import suggest

__all__ = ["Linear", "OptimizationProblem", "make_problem"]

_BASIS = re.compile(r"^p([1-9][0-9]?)$")


@dataclass(frozen=True)
class Linear:
    """``sum_d coefficients[d] * level[d] <= bound`` (or ``>=``): a constraint every plan's
    levels decide before any campaign is simulated."""

    name: str  # what it limits, in words
    key: str  # its key path
    coefficients: tuple[float, ...]
    op: str  # <= | >=
    bound: float
    unit: str = ""  # money | hours | creators

    def value(self, plans: np.ndarray) -> np.ndarray:
        return np.asarray(plans, dtype=float) @ np.asarray(self.coefficients)

    def holds(self, plans: np.ndarray) -> np.ndarray:
        value = self.value(plans)
        slack = 1e-9 * max(abs(self.bound), 1.0)
        return value <= self.bound + slack if self.op == "<=" else value >= self.bound - slack


@dataclass(frozen=True)
class SampleLimit:
    """A limit on a statistic of a plan's campaigns, tightened in-sample by ``tighten``
    standard errors (MODEL.md §11): ``estimate + tighten se <= bound`` (``>=``: minus)."""

    statistic: Statistic
    op: str
    bound: float
    key: str

    def margin(self, estimate: np.ndarray, se: np.ndarray, tighten: float) -> np.ndarray:
        """How far each plan is from meeting the limit (<= 0: met), in the statistic's units."""
        se = np.nan_to_num(se, nan=0.0)
        if self.op in ("<=", "<"):
            return estimate + tighten * se - self.bound
        return self.bound - (estimate - tighten * se)

    def __str__(self) -> str:
        return f"{self.statistic.name} {self.op} {self.bound:g}"


@dataclass(frozen=True)
class OptimizationProblem:
    """What to search, checked: decisions, objective, limits, settings."""

    decisions: tuple[Decision, ...]
    objective: Statistic
    maximise: bool
    limits: tuple[SampleLimit, ...]
    linear: tuple[Linear, ...]
    budget: float
    basis: str  # expected | quoted | pNN
    campaigns: int
    fresh_campaigns: int
    tighten: float
    restarts: int
    exhaustive: int
    runners_up: int
    default_risk: bool  # the P(loss) limit is the least risky strategy's (set when run)
    stated: tuple[str, ...] = field(default_factory=tuple)
    source: str | None = None

    def with_limits(self, limits: tuple[SampleLimit, ...], note: str) -> OptimizationProblem:
        return replace(self, limits=limits, default_risk=False, stated=(*self.stated, note))

    @property
    def statistics(self) -> tuple[Statistic, ...]:
        """Every statistic a candidate is scored on: the objective, the limits', then mean
        profit, P(loss), expected shortfall (the bad case), cost, creators and ROI."""
        seen: dict[str, Statistic] = {}
        for stat in (self.objective, *(lim.statistic for lim in self.limits)):
            seen.setdefault(stat.name, stat)
        reported = ("profit_mean", "prob_loss", "expected_shortfall", "cost_mean")
        for name in (*reported, "creators_mean", "roi_mean"):
            found = statistic(name, ("profit", "cost", "creators", "roi"))
            if found is not None:
                seen.setdefault(name, found)
        return tuple(seen.values())


def make_problem(
    scenario: Scenario, spec: Optimize, *, source: str | None = None, prefix: str = "optimize"
) -> OptimizationProblem:
    """The problem ``spec`` states for ``scenario`` (``source``: the file it was read from;
    ``prefix``: the key path of its section)."""
    where = source if source is not None else scenario.source
    prefix = f"{prefix}." if prefix else ""
    problems: list[Problem] = []
    stated: list[str] = []
    budget = _budget(scenario, spec, stated)
    decisions = _decisions(scenario, spec, budget, prefix, problems, stated)
    objective, maximise = _objective(scenario, spec, prefix, problems)
    limits = _limits(scenario, spec, prefix, problems)
    basis = spec.budget_basis or ("quoted" if spec.decide == "roster" else "expected")
    if basis not in ("expected", "quoted") and not _BASIS.match(basis):
        problems.append(
            Problem(
                f"{prefix}budget_basis",
                f"'{basis}' is not expected, quoted or pNN (a percentile from p1 to p99, e.g. "
                "p90)" + suggest(basis, ["expected", "quoted"]),
            )
        )
    if problems:
        raise InputError(where, problems)
    assert objective is not None and limits is not None
    if _BASIS.match(basis):
        spend = statistic(f"spend_{basis}", scenario.outcomes)
        assert spend is not None
        limits = (*limits, SampleLimit(spend, "<=", budget, f"{prefix}budget_basis"))
    linear = _linear(scenario, spec, decisions, budget, basis, prefix, stated)
    campaigns = spec.campaigns or scenario.campaigns
    problem = OptimizationProblem(
        decisions=decisions,
        objective=objective,
        maximise=maximise,
        limits=limits,
        linear=linear,
        budget=budget,
        basis=basis,
        campaigns=campaigns,
        fresh_campaigns=spec.fresh_campaigns or campaigns,
        tighten=spec.tighten,
        restarts=spec.restarts,
        exhaustive=spec.exhaustive,
        runners_up=spec.runners_up,
        default_risk=spec.limits is None,
        stated=tuple(stated),
        source=where,
    )
    _check_feasible(problem)
    return problem


def _budget(scenario: Scenario, spec: Optimize, stated: list[str]) -> float:
    """The budget: stated, else the largest strategy budget, else the largest expected spend."""
    if spec.budget is not None:
        return float(spec.budget)
    budgets = [s.budget for s in scenario.strategies if s.budget is not None]
    if budgets:
        stated.append(f"budget: the largest strategy budget, {max(budgets):,.0f}")
        return float(max(budgets))
    spends = [
        sum((g.budget or 0.0) + (g.count or 0) * mean_hire(g, scenario.funnel) for g in s.groups)
        for s in scenario.strategies
    ]
    stated.append(f"budget: the largest expected spend of a strategy, {max(spends):,.0f}")
    return float(max(spends))


def _pool_groups(scenario: Scenario) -> dict[str, GroupPlan]:
    """Every pool the strategies hire from (named creators' pools too), with its group."""
    pools: dict[str, GroupPlan] = {}
    for group in scenario.groups:
        if group.creator is None:
            pools.setdefault(group.pool, group)
    for group in scenario.groups:
        pools.setdefault(group.pool, group)
    return pools


def _priors_table(scenario: Scenario) -> dict:
    table: dict = {}
    for prior in scenario.priors:
        table.setdefault(prior.tier, {})[(prior.platform, prior.quantity)] = prior
    return table


def _available_pools(scenario: Scenario) -> list[str]:
    """Every tier/platform the priors cover."""
    table = _priors_table(scenario)
    platforms = sorted({p.platform for p in scenario.priors if p.platform is not None})
    return [f"{tier}/{platform}" for tier in table for platform in platforms]


def _decisions(
    scenario: Scenario,
    spec: Optimize,
    budget: float,
    prefix: str,
    problems: list[Problem],
    stated: list[str],
) -> tuple[Decision, ...]:
    decisions: list[Decision] = []
    if spec.candidates is not None and spec.decide != "roster":
        problems.append(
            Problem(f"{prefix}candidates", "candidates are for decide: roster (add it)")
        )
    if spec.decide == "roster":
        decisions += _candidates(scenario, spec, prefix, problems, stated)
        if spec.cells is None:
            if not decisions and not problems:
                problems.append(Problem(f"{prefix}candidates", "no candidate to decide on"))
            return tuple(decisions)
    pools = _pool_groups(scenario)
    cells: dict[str, Bounds | None]
    if spec.cells is None:
        cells = {pool: None for pool, g in pools.items() if g.creator is None}
        stated.append(f"cells: the pools the strategies use ({', '.join(cells)})")
    else:
        cells = dict(spec.cells)
    if not cells:
        problems.append(Problem(f"{prefix}cells", "no pool to decide on: name at least one"))
    table = _priors_table(scenario)
    for pool, bounds in cells.items():
        key = f"{prefix}cells.{pool}"
        group = _pool_group(scenario, pool, pools, table, key, problems)
        if group is None:
            continue
        low = bounds.min if bounds is not None else 0
        if spec.decide == "shares":
            step = spec.share_step
            top = int(math.floor(1 / step + 1e-9))
            high = top if bounds is None or bounds.max is None else bounds.max
            if bounds is not None and bounds.max is not None and bounds.max > top:
                problems.append(
                    Problem(f"{key}.max", f"{bounds.max} steps of {step:g} is more than the budget")
                )
            decisions.append(Decision(pool, "share", group, low, high, step, budget))
            continue
        if bounds is not None and bounds.max is not None:
            high, bound = bounds.max, f"{key}.max"
        else:
            high = max(low, int(math.floor(budget / mean_hire(group, scenario.funnel))))
            bound = f"{prefix}budget" if spec.budget is not None else key
        decisions.append(Decision(pool, "count", group, low, high, bound_key=bound))
    if spec.decide == "shares" and not problems:
        stated.append(f"shares: steps of {spec.share_step:g} of the budget per pool")
    return tuple(decisions)


def _pool_group(
    scenario: Scenario,
    pool: str,
    pools: dict[str, GroupPlan],
    table: dict,
    key: str,
    problems: list[Problem],
) -> GroupPlan | None:
    """A count group template of ``pool``: the strategies' own, else the priors' tier and
    platform, one deliverable."""
    found = pools.get(pool)
    if found is not None and found.creator is None:
        return GroupPlan(found.tier, found.platform, found.deliverables, 1, None, found.priors)
    tier, _, platform = pool.partition("/")
    available = _available_pools(scenario)
    if not platform or tier not in table or pool not in available:
        problems.append(
            Problem(
                key,
                f"'{pool}' is not a pool (tier/platform) of the priors{suggest(pool, available)}",
            )
        )
        return None
    priors = group_priors(key, tier, platform, table, problems)
    if priors is None:
        return None
    deliverables = found.deliverables if found is not None else 1
    return GroupPlan(tier, platform, deliverables, 1, None, priors)


def _candidates(
    scenario: Scenario, spec: Optimize, prefix: str, problems: list[Problem], stated: list[str]
) -> list[Decision]:
    """One decision per roster candidate: book or not."""
    named = {g.creator.handle: g for g in scenario.groups if g.creator is not None}
    if not named:
        problems.append(
            Problem(
                f"{prefix}decide",
                "roster: the scenario books no roster candidates (add a group with `roster:`)",
            )
        )
        return []
    if spec.candidates is None:
        handles = list(named)
        stated.append(f"candidates: every roster candidate the strategies name ({len(handles)})")
    else:
        from campaign_sim.creators.handles import canonical_handle

        handles = []
        for i, written in enumerate(spec.candidates):
            handle = canonical_handle(written)
            if handle not in named:
                problems.append(
                    Problem(
                        f"{prefix}candidates[{i}]",
                        f"'{written}' is not a candidate of the scenario's rosters"
                        + suggest(handle, list(named)),
                    )
                )
            elif handle in handles:
                problems.append(Problem(f"{prefix}candidates[{i}]", f"'{written}' twice"))
            else:
                handles.append(handle)
    return [Decision(f"@{h}", "creator", named[h], 0, 1) for h in handles]


def _objective(
    scenario: Scenario, spec: Optimize, prefix: str, problems: list[Problem]
) -> tuple[Statistic | None, bool]:
    names = statistic_names(scenario.outcomes)
    key = f"{prefix}objective"
    text = spec.objective.strip()
    bare = ":" not in text
    try:
        goal: Goal = parse_goal(text, names, key)
    except InputError as exc:
        problems.extend(_reworded(exc.problems))
        return None, True
    found = statistic(goal.column, scenario.outcomes)
    assert found is not None
    if bare:
        if found.higher_is_better is None:
            problems.append(Problem(key, f"say max:{goal.column} or min:{goal.column}"))
            return None, True
        return found, found.higher_is_better
    return found, goal.maximise


def _reworded(problems: list[Problem]) -> list[Problem]:
    """The frontier parser's problems in the optimiser's words (statistics, not columns)."""
    return [
        Problem(
            p.path,
            p.message.replace("no column", "no statistic").replace(
                " in the sweep table", " (campaign-sim optimize --help names them)"
            ),
        )
        for p in problems
    ]


def _limits(
    scenario: Scenario, spec: Optimize, prefix: str, problems: list[Problem]
) -> tuple[SampleLimit, ...] | None:
    names = statistic_names(scenario.outcomes)
    out = []
    for i, text in enumerate(spec.limits or []):
        key = f"{prefix}limits[{i}]"
        try:
            limit: Limit = parse_limit(text, names, key)
        except InputError as exc:
            problems.extend(_reworded(exc.problems))
            continue
        found = statistic(limit.column, scenario.outcomes)
        assert found is not None
        if found.probability and not 0 <= limit.value <= 1:
            problems.append(Problem(key, "a probability limit is between 0 and 1 (or 0%-100%)"))
            continue
        out.append(SampleLimit(found, limit.op, limit.value, key))
    return tuple(out)


def _linear(
    scenario: Scenario,
    spec: Optimize,
    decisions: tuple[Decision, ...],
    budget: float,
    basis: str,
    prefix: str,
    stated: list[str],
) -> tuple[Linear, ...]:
    """The budget (expected or quoted fees; shares add up to at most the budget), team hours
    and creators hired, as linear constraints on the levels."""
    out = []
    shares = [d for d in decisions if d.kind == "share"]
    hires = [_hires_per_level(scenario, d) for d in decisions]
    if shares:
        out.append(
            Linear("budget shares", f"{prefix}cells", tuple(d.step for d in decisions), "<=", 1.0)
        )
    if basis in ("expected", "quoted") and len(shares) < len(decisions):
        cost = [
            0.0
            if d.kind == "share"
            else d.quoted_cost(scenario)
            if basis == "quoted"
            else d.expected_cost(scenario)
            for d in decisions
        ]
        words = "quoted fees (expected where unquoted)" if basis == "quoted" else "expected fees"
        out.append(
            Linear(f"budget ({words})", f"{prefix}budget", tuple(cost), "<=", budget, "money")
        )
        stated.append(f"budget basis: {words} with commission and tax fit {budget:,.0f}")
    capacity = (
        team_capacity(scenario)
        if spec.team_hours == "timeline"
        else None
        if spec.team_hours == "unlimited"
        else float(spec.team_hours)
    )
    if capacity is not None:
        hours = tuple(h * team_hours(scenario, d) for d, h in zip(decisions, hires, strict=True))
        out.append(Linear("team hours", f"{prefix}team_hours", hours, "<=", capacity, "hours"))
        if spec.team_hours == "timeline":
            stated.append(
                f"team hours: at most {capacity:,.0f} manager-hours (timeline: managers x hours "
                "per day x window days)"
            )
    if spec.creators.min > 0:
        out.append(
            Linear("creators", f"{prefix}creators.min", tuple(hires), ">=", spec.creators.min)
        )
    if spec.creators.max is not None:
        out.append(
            Linear("creators", f"{prefix}creators.max", tuple(hires), "<=", spec.creators.max)
        )
    return tuple(out)


def _hires_per_level(scenario: Scenario, decision: Decision) -> float:
    """Creators one level hires: one for counts and candidates; for a share, the step's
    budget over a creator's expected cost (an expectation: hires vary by campaign)."""
    if decision.kind != "share":
        return 1.0
    return decision.step * decision.budget / mean_hire(decision.group, scenario.funnel)


def _check_feasible(problem: OptimizationProblem) -> None:
    """Refuse a problem whose linear constraints no plan within the bounds meets, naming the
    constraint."""
    low = np.array([d.low for d in problem.decisions])
    high = np.array([d.high for d in problem.decisions])
    for linear in problem.linear:
        coefficients = np.array(linear.coefficients)
        best = (
            np.where(coefficients > 0, low, high)
            if linear.op == "<="
            else np.where(coefficients > 0, high, low)
        )
        if not linear.holds(best[None, :])[0]:
            reach = float(linear.value(best[None, :])[0])
            side = "at least" if linear.op == "<=" else "at most"
            raise InputError.single(
                problem.source,
                linear.key,
                f"no plan within the cells' bounds meets the {linear.name} limit of "
                f"{linear.bound:,.6g}: the plans come to {side} {reach:,.6g}",
            )
