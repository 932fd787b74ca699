"""``optimize``: choose the plan, then judge it honestly (MODEL.md §11, docs/optimize.md).

1. The campaigns the search scores on (seed blocks from 0) are drawn once for the largest
   plan of every decision (:mod:`campaign_sim.optimize.campaigns`).
2. With no limit stated, the limit is P(loss) no worse than the scenario's least risky
   strategy's, on those same campaigns.
3. The search (:mod:`campaign_sim.optimize.search`) ranks every plan it scores; its limits
   are tightened by ``tighten`` standard errors in-sample.
4. Fresh campaigns, on the seed blocks after the search's, judge the chosen plan, the
   runners-up, the frontier's plans (the best plan as the P(loss) limit varies), the plan
   hiring nobody and the scenario's strategies (:mod:`campaign_sim.optimize.fresh`).
5. The chosen plan is judged again under other settings of the levels and creator-spread
   assumptions (:mod:`campaign_sim.optimize.robust`), and optionally on the timeline engine.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim.analysis.ties import equal
from campaign_sim.engine.draws import Layout, mean_hire
from campaign_sim.engine.executors import Executor, make_executor
from campaign_sim.engine.runner import DEFAULT_CHUNK, collect
from campaign_sim.engine.vectorized import Outcomes, outcomes_kernel
from campaign_sim.errors import InputError, Problem
from campaign_sim.optimize.campaigns import CampaignSet, check_memory, draw_campaign_set
from campaign_sim.optimize.decisions import capped, plan_label, plan_strategy
from campaign_sim.optimize.fresh import (
    Judged,
    _needed,
    judge,
    judged_frame,
    plan_outcomes,
    strategy_outcomes,
)
from campaign_sim.optimize.problem import OptimizationProblem, SampleLimit
from campaign_sim.optimize.scores import RISK
from campaign_sim.optimize.search import Scored, SearchResult, better, search, shortfall
from campaign_sim.random.sampling import Sampling
from campaign_sim.random.streams import BLOCK
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.strict import suggest

__all__ = ["OptimizeResult", "check_pilot", "optimize", "strategy_as_plan"]

#: P(loss) limits of the frontier, at most this many.
FRONTIER_POINTS = 9
#: A pilot's value: the best plans it may switch between, campaigns per brand, fewest brands
#: (hundreds: with few brands the posterior collapses onto one and the value is overstated).
PILOT_PLANS = 50
PILOT_HORIZON = 25
PILOT_BRANDS = 400


@dataclass(frozen=True)
class OptimizeResult:
    """What ``optimize`` found and how it holds up."""

    scenario: Scenario
    problem: OptimizationProblem
    search: SearchResult
    chosen: Scored  # in-sample
    judged: pd.DataFrame  # fresh campaigns: a row per judged plan (chosen first)
    frontier: pd.DataFrame  # a row per P(loss) limit
    robustness: pd.DataFrame  # a row per assumption setting and plan
    timeline: pd.DataFrame | None  # the chosen plan on the timeline engine
    pilot: Any  # campaign_sim.optimize.pilot.PilotValue or None
    beats_nothing: bool  # the chosen plan hires and its fresh mean profit beats hiring nobody's
    seed: int
    campaigns: int
    fresh_first: int
    fresh_campaigns: int
    sampling: Sampling
    executor: str
    seconds: float

    @property
    def plan(self) -> tuple[int, ...]:
        return self.chosen.plan

    @property
    def label(self) -> str:
        return plan_label(self.problem.decisions, self.chosen.plan)

    def plan_frame(self) -> pd.DataFrame:
        """The chosen plan: a row per decision with its level, what it means and its cost."""
        rows = []
        for decision, level in zip(self.problem.decisions, self.chosen.plan, strict=True):
            row = {"decision": decision.name, "kind": decision.kind, "level": level}
            if decision.kind == "share":
                row["share"] = level * decision.step
                row["budget"] = decision.share_budget(level)
            else:
                row["creators"] = level
                row["expected_fees"] = level * decision.expected_cost(self.scenario)
            rows.append(row)
        return pd.DataFrame(rows)

    def scored_frame(self) -> pd.DataFrame:
        """Every plan the search scored, best first, with its in-sample statistics."""
        rows = []
        for rank, scored in enumerate(self.search.scored, start=1):
            row: dict[str, Any] = {
                "rank": rank,
                "plan": plan_label(self.problem.decisions, scored.plan),
            }
            row |= {d.name: v for d, v in zip(self.problem.decisions, scored.plan, strict=True)}
            row["meets_limits"] = shortfall(self.problem, scored) == 0
            for name, value in scored.estimates.items():
                row[name] = value
                row[f"{name}_se"] = scored.errors[name]
            rows.append(row)
        return pd.DataFrame(rows)


def strategy_as_plan(
    scenario: Scenario, problem: OptimizationProblem, name: str
) -> tuple[int, ...]:
    """A strategy of the scenario as levels of the problem's decisions: its count groups'
    creators per pool plus what its budget groups buy on average; its budget per pool as
    shares; its booked candidates."""
    strategy = scenario.strategy(name)
    plan = []
    for decision in problem.decisions:
        level = 0.0
        for group in strategy.groups:
            if decision.kind == "creator":
                if group.creator is not None and f"@{group.creator.handle}" == decision.name:
                    level = 1
                continue
            if group.creator is not None or group.pool != decision.pool:
                continue
            if decision.kind == "share":
                spent = (
                    group.budget
                    if group.budget is not None
                    else (group.count or 0) * mean_hire(group, scenario.funnel)
                )
                level += spent / (decision.step * decision.budget)
            elif group.count is not None:
                level += group.count
            else:
                level += (group.budget or 0.0) / mean_hire(group, scenario.funnel)
        plan.append(int(round(level)))
    return tuple(plan)


def optimize(
    scenario: Scenario,
    problem: OptimizationProblem,
    *,
    seed: int | None = None,
    executor: Executor | str | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    store: Any = None,
    robust: bool = True,
    timeline_check: int = 0,
    pilot: tuple[str, int] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> OptimizeResult:
    """Search ``problem``'s plans for ``scenario`` and judge the chosen one on fresh campaigns.

    ``timeline_check``: campaigns of the timeline engine to run the chosen plan on (0: none);
    ``pilot``: (pool, creators) whose pilot's value to estimate; ``progress(stage, done,
    total)``. Raises :class:`InputError` naming the limit when no plan meets it.
    """
    started = time.perf_counter()
    seed = scenario.seed if seed is None else seed
    sampling = Sampling.of(scenario.model.simulation.sampling, scenario.model.simulation.antithetic)
    runner = (
        executor
        if isinstance(executor, Executor)
        else make_executor(executor, workers=workers, scheduler=scheduler)
    )
    try:
        return _optimize(
            scenario,
            problem,
            seed,
            sampling,
            runner,
            chunk_size,
            store,
            robust,
            timeline_check,
            pilot,
            progress,
            started,
        )
    finally:
        if not isinstance(executor, Executor):
            runner.close()


def _stage(
    progress: Callable[[str, int, int], None] | None, stage: str, total: int
) -> Callable[[int], None]:
    """A runner's progress (campaigns done per chunk) as ``progress(stage, done, total)``."""
    done = [0]

    def update(count: int) -> None:
        done[0] += count
        if progress is not None:
            progress(stage, done[0], total)

    return update


def _optimize(
    scenario: Scenario,
    problem: OptimizationProblem,
    seed: int,
    sampling: Sampling,
    runner: Executor,
    chunk_size: int,
    store: Any,
    robust: bool,
    timeline_check: int,
    pilot: tuple[str, int] | None,
    progress: Callable[[str, int, int], None] | None,
    started: float,
) -> OptimizeResult:
    campaigns = problem.campaigns
    names = [s.name for s in scenario.strategies]
    check_memory(
        scenario, problem.decisions, max(campaigns, problem.fresh_campaigns), problem.source
    )
    if problem.default_risk:
        in_sample = _strategies_on(scenario, seed, sampling, 0, campaigns, runner, chunk_size)
        problem = _default_limit(scenario, problem, in_sample, sampling)
    campaign_set = draw_campaign_set(
        scenario,
        problem.decisions,
        campaigns=campaigns,
        seed=seed,
        sampling=sampling,
        chunk_size=chunk_size,
        executor=runner,
        progress=_stage(progress, "drawing the campaigns", campaigns),
    )
    starts = [strategy_as_plan(scenario, problem, name) for name in names]
    found = search(
        campaign_set,
        problem,
        strategies=starts,
        seed=seed,
        executor=runner,
        store=store,
        progress=None if progress is None else lambda d, t: progress("searching", d, t),
    )
    chosen = found.scored[0]
    if shortfall(problem, chosen) > 0:
        raise _unmet(problem, found)
    fresh_first = -(-campaigns // BLOCK) * BLOCK
    fresh_n = problem.fresh_campaigns
    frontier_plans = _frontier_plans(problem, found)
    roles, plans, scored_in = _judged_plans(problem, found, frontier_plans)
    fresh_set = draw_campaign_set(
        scenario,
        capped(problem.decisions, plans),
        campaigns=fresh_n,
        seed=seed,
        first=fresh_first,
        sampling=sampling,
        chunk_size=chunk_size,
        executor=runner,
        progress=_stage(progress, "fresh campaigns", fresh_n),
    )
    strategies = _strategies_on(scenario, seed, sampling, fresh_first, fresh_n, runner, chunk_size)
    judged, table = _judge_all(
        scenario, problem, fresh_set, roles, plans, scored_in, strategies, names
    )
    frontier = _frontier_frame(problem, frontier_plans, table)
    # Hiring nobody makes minus the fixed cost in every campaign.
    nothing = -scenario.fixed_cost
    profit = float(table["profit_mean"].iloc[0])
    beats = any(chosen.plan) and profit > nothing and not equal(profit, nothing)
    robustness = pd.DataFrame()
    if robust:
        from campaign_sim.optimize.robust import robustness_table

        others = [p for role, p in zip(roles, plans, strict=True) if role == "runner-up"]
        robustness = robustness_table(
            scenario,
            problem,
            chosen.plan,
            others,
            seed=seed,
            first=fresh_first,
            campaigns=fresh_n,
            sampling=sampling,
            executor=runner,
            chunk_size=chunk_size,
        )
    timeline = (
        _timeline(scenario, problem, chosen.plan, seed, timeline_check, runner)
        if timeline_check
        else None
    )
    value = None
    if pilot is not None:
        value = _pilot(scenario, problem, found, pilot, seed, sampling, runner, chunk_size)
    return OptimizeResult(
        scenario=scenario,
        problem=problem,
        search=found,
        chosen=chosen,
        judged=table,
        frontier=frontier,
        robustness=robustness,
        timeline=timeline,
        pilot=value,
        beats_nothing=beats,
        seed=seed,
        campaigns=campaigns,
        fresh_first=fresh_first,
        fresh_campaigns=fresh_n,
        sampling=sampling,
        executor=runner.label,
        seconds=time.perf_counter() - started,
    )


def _strategies_on(
    scenario: Scenario,
    seed: int,
    sampling: Sampling,
    first: int,
    campaigns: int,
    runner: Executor,
    chunk_size: int,
) -> Outcomes:
    """The scenario's own strategies on campaigns ``first .. first + campaigns - 1``."""
    from functools import partial

    kernel = partial(outcomes_kernel, scenario, Layout.of(scenario), seed, sampling)
    arrays = collect(kernel, first + campaigns, chunk_size=chunk_size, executor=runner, start=first)
    return Outcomes.of(scenario, arrays, campaigns, seed, sampling)


def _default_limit(
    scenario: Scenario, problem: OptimizationProblem, outcomes: Outcomes, sampling: Sampling
) -> OptimizationProblem:
    """P(loss) no worse than the least risky strategy's, on the search's campaigns."""
    risk = {
        name: float(np.mean(outcomes.values[name]["profit"] < 0)) for name in outcomes.strategies
    }
    safest = min(risk, key=lambda name: (risk[name], name))
    limit = SampleLimit(RISK["prob_loss"], "<=", risk[safest], "optimize.limits")
    note = (
        f"limit: P(loss) <= {risk[safest]:.1%}, the least risky strategy's ({safest}), "
        f"tightened in-sample by {problem.tighten:g} standard error(s)"
    )
    return problem.with_limits((*problem.limits, limit), note)


def _unmet(problem: OptimizationProblem, found: SearchResult) -> InputError:
    """The error for a problem no scored plan meets: every limit the closest plan misses."""
    best = found.scored[0]
    label = plan_label(problem.decisions, best.plan)
    problems = []
    for limit in problem.limits:
        name = limit.statistic.name
        estimate, se = best.estimates[name], best.errors[name]
        margin = limit.margin(np.array([estimate]), np.array([se]), problem.tighten)[0]
        if margin > 0 or math.isnan(margin):
            problems.append(
                Problem(
                    limit.key,
                    f"no plan meets {limit} (tightened by {problem.tighten:g} standard "
                    f"error(s)): the closest, {label}, has {name} {estimate:.4g} (se "
                    f"{se:.2g}) after scoring {len(found.scored):,} plans",
                )
            )
    return InputError(problem.source, problems)


def _frontier_plans(
    problem: OptimizationProblem, found: SearchResult
) -> list[tuple[float, Scored]]:
    """The optimal plans as the P(loss) limit varies: among the scored plans meeting the other
    limits, those no other plan beats on both the objective and the tightened P(loss)
    (the best plan at a limit is always one of them), at most :data:`FRONTIER_POINTS`, spread
    evenly from the safest; each with the limit (its tightened P(loss)) from which it is the
    best. The problem's own P(loss) limit caps them."""
    others = tuple(lim for lim in problem.limits if lim.statistic.name != "prob_loss")
    stated = [lim.bound for lim in problem.limits if lim.statistic.name == "prob_loss"]
    base = replace(problem, limits=others)
    ok = [s for s in found.scored if shortfall(base, s) == 0]
    risk = {s.plan: s.estimates["prob_loss"] + problem.tighten * s.errors["prob_loss"] for s in ok}
    cap = min(stated) if stated else math.inf
    efficient: list[tuple[float, Scored]] = []
    for scored in sorted(ok, key=lambda s: (risk[s.plan], s.plan)):
        if risk[scored.plan] > cap:
            break
        if not efficient or better(base, scored, efficient[-1][1]):
            efficient.append((risk[scored.plan], scored))
    if len(efficient) <= FRONTIER_POINTS:
        return efficient
    picks = np.unique(np.linspace(0, len(efficient) - 1, FRONTIER_POINTS).round().astype(int))
    return [efficient[i] for i in picks]


def _judged_plans(
    problem: OptimizationProblem, found: SearchResult, frontier: list[tuple[float, Scored]]
) -> tuple[list[str], list[tuple[int, ...]], list[Scored | None]]:
    """The plans judged on fresh campaigns: the chosen one, the runners-up (the next best
    meeting the limits), the frontier's, the plan hiring nobody (when within the bounds)."""
    roles, plans = ["chosen"], [found.scored[0].plan]
    scored: list[Scored | None] = [found.scored[0]]
    for candidate in found.scored[1:]:
        if len([r for r in roles if r == "runner-up"]) >= problem.runners_up:
            break
        if shortfall(problem, candidate) == 0:
            roles.append("runner-up")
            plans.append(candidate.plan)
            scored.append(candidate)
    for _alpha, best in frontier:
        if best.plan not in plans:
            roles.append("frontier")
            plans.append(best.plan)
            scored.append(best)
    nobody = tuple(0 for _ in problem.decisions)
    if all(d.low == 0 for d in problem.decisions) and nobody not in plans:
        roles.append("nothing")
        plans.append(nobody)
        scored.append(next((s for s in found.scored if s.plan == nobody), None))
    elif nobody in plans:
        roles[plans.index(nobody)] += ", nothing" if roles[plans.index(nobody)] != "nothing" else ""
    return roles, plans, scored


def _judge_all(
    scenario: Scenario,
    problem: OptimizationProblem,
    fresh_set: CampaignSet,
    roles: list[str],
    plans: list[tuple[int, ...]],
    scored_in: list[Scored | None],
    strategies: Outcomes,
    names: list[str],
) -> tuple[Judged, pd.DataFrame]:
    metrics = _needed(problem.statistics)
    outcomes = plan_outcomes(fresh_set, np.array(plans), metrics)
    theirs = strategy_outcomes(strategies.values, names, metrics)
    stacked = {m: np.concatenate([outcomes[m], theirs[m]]) for m in metrics}
    labels = tuple(plan_label(problem.decisions, p) for p in plans) + tuple(
        scenario.strategy(n).label for n in names
    )
    judged = judge(
        problem, stacked, labels, roi_target=scenario.roi_target, sampling=fresh_set.sampling
    )
    all_roles = roles + [f"strategy {n}" for n in names]
    all_plans: list[tuple[int, ...] | None] = [*plans, *[None] * len(names)]
    in_sample = [None if s is None else s.estimates for s in scored_in] + [None] * len(names)
    return judged, judged_frame(judged, all_roles, all_plans, problem, in_sample)


def _frontier_frame(
    problem: OptimizationProblem, frontier: list[tuple[float, Scored]], table: pd.DataFrame
) -> pd.DataFrame:
    """A row per P(loss) limit: its best plan, in-sample and on the fresh campaigns."""
    rows = []
    objective = problem.objective.name
    for alpha, best in frontier:
        label = plan_label(problem.decisions, best.plan)
        fresh = table[table["plan"] == label].iloc[0]
        rows.append(
            {
                "prob_loss_limit": alpha,
                "plan": label,
                f"{objective}_in_sample": best.estimates[objective],
                "prob_loss_in_sample": best.estimates["prob_loss"],
                objective: fresh[objective],
                f"{objective}_ci_low": fresh[f"{objective}_ci_low"],
                f"{objective}_ci_high": fresh[f"{objective}_ci_high"],
                "prob_loss": fresh["prob_loss"],
                "prob_loss_ci_low": fresh["prob_loss_ci_low"],
                "prob_loss_ci_high": fresh["prob_loss_ci_high"],
            }
        )
    return pd.DataFrame(rows)


def _timeline(
    scenario: Scenario,
    problem: OptimizationProblem,
    plan: tuple[int, ...],
    seed: int,
    campaigns: int,
    runner: Executor,
) -> pd.DataFrame | None:
    """The chosen plan on the timeline engine (coordination, calendar, managers) beside its
    vectorized totals on the same campaigns."""
    from campaign_sim.engine.timeline import simulate_timeline
    from campaign_sim.engine.vectorized import simulate

    strategy = plan_strategy(problem.decisions, plan, "chosen", "chosen plan")
    if strategy is None:
        return None
    alone = replace(scenario, strategies=(strategy,))
    calendar = simulate_timeline(alone, campaigns=campaigns, seed=seed, executor=runner)
    plain = simulate(alone, campaigns=campaigns, seed=seed, executor=runner)
    rows = []
    for engine, profit, roi in (
        ("timeline", calendar.totals["chosen"]["profit"], calendar.totals["chosen"]["roi"]),
        ("vectorized", plain.values["chosen"]["profit"], plain.values["chosen"]["roi"]),
    ):
        rows.append(
            {
                "engine": engine,
                "campaigns": campaigns,
                "profit_mean": float(np.mean(profit)),
                "profit_se": float(np.std(profit, ddof=1) / math.sqrt(campaigns)),
                "roi_mean": float(np.mean(roi[np.isfinite(roi)])),
                "prob_loss": float(np.mean(profit < 0)),
            }
        )
    return pd.DataFrame(rows)


def check_pilot(scenario: Scenario, problem: OptimizationProblem, pilot: tuple[str, int]) -> None:
    """Refuse a pilot of a pool neither the plans nor the strategies use, or an objective whose
    value a pilot cannot be judged by (it must be a mean or a probability), naming ``--pilot``."""
    pools = sorted({d.pool for d in problem.decisions} | {g.pool for g in scenario.groups})
    pool = pilot[0]
    if pool not in pools:
        raise InputError.single(
            None,
            "--pilot",
            f"'{pool}' is not a pool the plans or strategies use{suggest(pool, pools)} "
            f"({', '.join(pools)})",
        )
    objective = problem.objective
    if objective.kind != "mean" and not objective.probability:
        raise InputError.single(
            None,
            "--pilot",
            f"a pilot's value needs an objective that is a mean or a probability, not "
            f"{objective.name}",
        )


def _pilot(
    scenario: Scenario,
    problem: OptimizationProblem,
    found: SearchResult,
    pilot: tuple[str, int],
    seed: int,
    sampling: Sampling,
    runner: Executor,
    chunk_size: int,
) -> Any:
    """The value of a pilot of ``pilot[1]`` creators of pool ``pilot[0]``
    (:mod:`campaign_sim.optimize.pilot`): over the best :data:`PILOT_PLANS` plans the search
    found meeting the limits, on brands of :data:`PILOT_HORIZON` campaigns sharing their
    persistent parts; the plan chosen now is the best of them on all the brands."""
    from campaign_sim.optimize.pilot import choose, value_of_pilot

    check_pilot(scenario, problem, pilot)
    pool, creators = pilot
    objective = problem.objective
    candidates = [s.plan for s in found.scored if shortfall(problem, s) == 0][:PILOT_PLANS]
    brands = max(PILOT_BRANDS, problem.campaigns // PILOT_HORIZON)
    brand_set = draw_campaign_set(
        scenario,
        capped(problem.decisions, candidates),
        campaigns=brands * PILOT_HORIZON,
        seed=seed,
        sampling=sampling,
        horizon=PILOT_HORIZON,
        chunk_size=chunk_size,
        executor=runner,
    )
    outcomes = plan_outcomes(brand_set, np.array(candidates), _needed(problem.statistics))
    if objective.name == "prob_loss":
        values = (outcomes["profit"] < 0).astype(float)
    elif objective.name == "prob_above_target":
        values = (outcomes["roi"] > scenario.roi_target).astype(float)
    else:
        values = np.nan_to_num(outcomes[objective.metric], nan=0.0, posinf=0.0, neginf=0.0)
    values = values if problem.maximise else -values
    limits = tuple(
        ((outcomes["profit"] < 0).astype(float), lim.bound)
        for lim in problem.limits
        if lim.statistic.name == "prob_loss"
    )
    current = choose(values, np.ones(values.shape[1]), limits)
    return value_of_pilot(
        scenario, brand_set, values, current, pool, creators, limits=limits, seed=seed
    )
