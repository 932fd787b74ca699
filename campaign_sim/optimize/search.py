"""Searching the plans (MODEL.md §11, docs/optimize.md "How the search works").

Two methods, chosen by the size of the space:

* **exhaustive**: when at most ``exhaustive`` plans within the bounds meet the linear
  constraints, every one of them is scored;
* **local search with restarts** otherwise: from each starting point (the plan hiring the
  fewest, each of the scenario's strategies as a plan, then random plans), move to the best
  neighbour (one decision up or down by a step; then one up and another down) while it is
  better; halve the step when no neighbour is; stop at a plan no neighbour at step 1
  improves (a local optimum). The search stops after every starting point has run; how many
  of them ended at the best plan is reported (one of many says: run more restarts).

Plans are compared by one rule (:func:`better`): a plan meeting every limit (tightened by
``tighten`` standard errors) beats one that does not; between two that meet them, the better
objective, unless the two are equal within :data:`campaign_sim.analysis.ties.RELATIVE`; then
the fewer creators hired, the lower mean cost, the smaller plan. Between two that do not, the
smaller total shortfall from the limits.

The restarts (or batches of plans) are the executor's items, so the search runs on local
processes or a Dask cluster, and a stopped search resumes from the items it finished.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from campaign_sim.analysis.ties import equal, snap
from campaign_sim.engine.executors import Executor, Processes, Serial
from campaign_sim.optimize.campaigns import CampaignSet
from campaign_sim.optimize.problem import OptimizationProblem
from campaign_sim.optimize.scores import batch_statistics

__all__ = [
    "Scored",
    "SearchResult",
    "better",
    "linear_feasible",
    "ranked",
    "score_plans",
    "search",
    "starting_points",
]

#: Values per outcome array when plans are scored together (plans x campaigns).
BATCH_VALUES = 1 << 19
#: Plans per item of an exhaustive search.
ITEM_PLANS = 512
#: Boxes with more plans than this are never listed (local search): 2 million plans of 8
#: decisions are 128 MB.
LISTED = 2_000_000


@dataclass(frozen=True)
class Scored:
    """One plan's in-sample statistics: estimates and standard errors by statistic name."""

    plan: tuple[int, ...]
    estimates: dict[str, float]
    errors: dict[str, float]

    def to_json(self) -> list:
        return [list(self.plan), self.estimates, self.errors]

    @classmethod
    def from_json(cls, value: list) -> Scored:
        return cls(tuple(value[0]), value[1], value[2])


@dataclass(frozen=True)
class SearchResult:
    """Every plan scored, best first, and how the search went."""

    scored: tuple[Scored, ...]
    method: str  # exhaustive | local search
    starts: int  # plans searched from (local search)
    found_by: int  # starting points whose local search ended at the best plan
    seconds: float
    resumed: int  # items read back from a stopped search


def score_plans(
    campaign_set: CampaignSet, problem: OptimizationProblem, plans: np.ndarray
) -> list[Scored]:
    """Each plan's statistics on the campaign set (exactly a full simulation's)."""
    plans = np.asarray(plans, dtype=np.int64).reshape(-1, len(problem.decisions))
    batch = max(1, BATCH_VALUES // campaign_set.campaigns)
    scenario = campaign_set.scenario
    out = []
    for first in range(0, plans.shape[0], batch):
        part = plans[first : first + batch]
        stats = batch_statistics(
            campaign_set.outcomes(part),
            problem.statistics,
            roi_target=scenario.roi_target,
            sampling=campaign_set.sampling,
        )
        for i, plan in enumerate(part):
            out.append(
                Scored(
                    tuple(int(v) for v in plan),
                    {name: float(value[0][i]) for name, value in stats.items()},
                    {name: float(value[1][i]) for name, value in stats.items()},
                )
            )
    return out


def shortfall(problem: OptimizationProblem, scored: Scored) -> float:
    """How far a plan is from meeting every limit, in units of each limit's scale (0: met)."""
    total = 0.0
    for limit in problem.limits:
        name = limit.statistic.name
        estimate = np.array([scored.estimates[name]])
        se = np.array([scored.errors[name]])
        margin = float(limit.margin(estimate, se, problem.tighten)[0])
        if math.isnan(margin):
            return math.inf
        scale = 1.0 if limit.statistic.probability else max(abs(limit.bound), 1.0)
        total += max(0.0, margin) / scale
    return total


def better(problem: OptimizationProblem, a: Scored, b: Scored) -> bool:
    """True when plan ``a`` is preferred to ``b`` (the module's rule)."""
    short_a, short_b = shortfall(problem, a), shortfall(problem, b)
    if (short_a == 0) != (short_b == 0):
        return short_a == 0
    if short_a > 0 and not equal(short_a, short_b):
        return short_a < short_b
    name = problem.objective.name
    obj_a, obj_b = _signed(problem, a.estimates[name]), _signed(problem, b.estimates[name])
    if not equal(obj_a, obj_b):
        return obj_a < obj_b
    return _resources(a) < _resources(b)


def _signed(problem: OptimizationProblem, value: float) -> float:
    """The objective as a number to minimise (undefined: worst)."""
    if math.isnan(value):
        return math.inf
    return -value if problem.maximise else value


def _resources(scored: Scored) -> tuple:
    return (scored.estimates["creators_mean"], scored.estimates["cost_mean"], scored.plan)


def ranked(problem: OptimizationProblem, scored: Iterable[Scored]) -> list[Scored]:
    """Plans best first by :func:`better`'s rule (equal numbers snapped together first)."""
    items = list(scored)
    if not items:
        return []
    name = problem.objective.name
    short = snap([shortfall(problem, s) for s in items])
    objective = snap([_signed(problem, s.estimates[name]) for s in items])
    creators = np.array([s.estimates["creators_mean"] for s in items])
    cost = np.array([s.estimates["cost_mean"] for s in items])
    plans = np.array([s.plan for s in items])
    keys = [plans[:, d] for d in range(plans.shape[1] - 1, -1, -1)]
    keys += [cost, creators, objective, short, short > 0]
    return [items[i] for i in np.lexsort(keys)]


def linear_feasible(problem: OptimizationProblem, plans: np.ndarray) -> np.ndarray:
    """Which plans are within the bounds and meet every linear constraint."""
    plans = np.asarray(plans).reshape(-1, len(problem.decisions))
    low = np.array([d.low for d in problem.decisions])
    high = np.array([d.high for d in problem.decisions])
    ok = ((plans >= low) & (plans <= high)).all(axis=1)
    for linear in problem.linear:
        ok &= linear.holds(plans)
    return np.asarray(ok)


def _box_size(problem: OptimizationProblem) -> int:
    return math.prod(d.levels for d in problem.decisions)


def _every_plan(problem: OptimizationProblem) -> np.ndarray:
    """Every plan within the bounds that meets the linear constraints."""
    ranges = [np.arange(d.low, d.high + 1) for d in problem.decisions]
    grid = np.stack(np.meshgrid(*ranges, indexing="ij"), axis=-1).reshape(-1, len(ranges))
    return grid[linear_feasible(problem, grid)]


def starting_points(
    problem: OptimizationProblem, strategies: list[tuple[int, ...]], seed: int
) -> list[tuple[int, ...]]:
    """The local search's starting points: the smallest plan, the strategies' plans (made
    feasible), then random plans (from ``seed``), ``restarts`` in all at least."""
    low = np.array([d.low for d in problem.decisions])
    starts: list[tuple[int, ...]] = []

    def add(plan: np.ndarray) -> None:
        repaired = _repaired(problem, plan)
        if repaired is not None and tuple(repaired) not in starts:
            starts.append(tuple(int(v) for v in repaired))

    add(low)
    for plan in strategies:
        add(np.array(plan))
    rng = np.random.default_rng([seed, 16])
    tries = 0
    while len(starts) < max(problem.restarts, 1) and tries < 50 * problem.restarts:
        tries += 1
        add(_random_plan(problem, rng))
    return starts


def _repaired(problem: OptimizationProblem, plan: np.ndarray) -> np.ndarray | None:
    """``plan`` clipped to the bounds and scaled down until the linear constraints hold."""
    low = np.array([d.low for d in problem.decisions])
    high = np.array([d.high for d in problem.decisions])
    plan = np.clip(np.asarray(plan, dtype=np.int64), low, high)
    for _ in range(64):
        if linear_feasible(problem, plan)[0]:
            return plan
        shrunk = np.maximum(low, np.floor(low + (plan - low) * 0.9).astype(np.int64))
        if (shrunk == plan).all():
            break
        plan = shrunk
    return plan if linear_feasible(problem, plan)[0] else None


def _random_plan(problem: OptimizationProblem, rng: np.random.Generator) -> np.ndarray:
    """Decisions in random order, each at a random level that keeps the plan feasible."""
    plan = np.array([d.low for d in problem.decisions], dtype=np.int64)
    for d in rng.permutation(len(problem.decisions)):
        decision = problem.decisions[d]
        top = decision.low
        for level in range(decision.low, decision.high + 1):
            trial = plan.copy()
            trial[d] = level
            if _upper_ok(problem, trial):
                top = level
            else:
                break
        plan[d] = rng.integers(decision.low, top + 1)
    return plan


def _upper_ok(problem: OptimizationProblem, plan: np.ndarray) -> bool:
    return all(bool(lin.holds(plan[None, :])[0]) for lin in problem.linear if lin.op == "<=")


def _neighbours(
    problem: OptimizationProblem, plan: tuple[int, ...], step: int, pairs: bool
) -> np.ndarray:
    """Plans one move from ``plan``: a decision up or down by ``step`` (clipped to its
    bounds), or (``pairs``) one up and another down; only feasible ones, ``plan`` excluded."""
    x = np.array(plan, dtype=np.int64)
    size = len(plan)
    moves = []
    for d in range(size):
        for sign in (1, -1):
            if not pairs:
                move = np.zeros(size, dtype=np.int64)
                move[d] = sign * step
                moves.append(move)
    if pairs:
        for d in range(size):
            for e in range(size):
                if d != e:
                    move = np.zeros(size, dtype=np.int64)
                    move[d], move[e] = step, -step
                    moves.append(move)
    if not moves:
        return np.empty((0, size), dtype=np.int64)
    low = np.array([d.low for d in problem.decisions])
    high = np.array([d.high for d in problem.decisions])
    candidates = np.unique(np.clip(x + np.array(moves), low, high), axis=0)
    candidates = candidates[(candidates != x).any(axis=1)]
    return candidates[linear_feasible(problem, candidates)]


def local_search(
    score: Callable[[np.ndarray], list[Scored]],
    problem: OptimizationProblem,
    start: tuple[int, ...],
) -> tuple[tuple[int, ...], dict[tuple[int, ...], Scored]]:
    """The local optimum reached from ``start``, and every plan scored on the way."""
    seen = {s.plan: s for s in score(np.array([start]))}
    current = start
    step = max(1, max(d.high - d.low for d in problem.decisions) // 4)
    while True:
        moved = False
        for pairs in (False, True):
            around = _neighbours(problem, current, step, pairs)
            new = [p for p in map(tuple, around.tolist()) if p not in seen]
            if new:
                seen |= {s.plan: s for s in score(np.array(new))}
            options = [seen[p] for p in map(tuple, around.tolist())]
            best = ranked(problem, options)[0] if options else None
            if best is not None and better(problem, best, seen[current]):
                current, moved = best.plan, True
                break
        if moved:
            continue
        if step == 1:
            return current, seen
        step = max(1, step // 2)


#: What forked workers inherit: the campaign set and the problem.
_FORKED: tuple[CampaignSet, OptimizationProblem] | None = None


def _restart_item(start: tuple[int, ...], shared: tuple | None = None) -> list:
    campaign_set, problem = shared if shared is not None else _FORKED  # type: ignore[misc]
    end, seen = local_search(partial(score_plans, campaign_set, problem), problem, start)
    return [list(end), [s.to_json() for s in seen.values()]]


def _batch_item(plans: tuple[tuple[int, ...], ...], shared: tuple | None = None) -> list:
    campaign_set, problem = shared if shared is not None else _FORKED  # type: ignore[misc]
    return [None, [s.to_json() for s in score_plans(campaign_set, problem, np.array(plans))]]


def search(
    campaign_set: CampaignSet,
    problem: OptimizationProblem,
    *,
    strategies: list[tuple[int, ...]],
    seed: int,
    executor: Executor | None = None,
    store: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Search the plans of ``problem`` on ``campaign_set``; ``strategies``: the scenario's
    strategies as plans (starting points); ``store``: a
    :class:`~campaign_sim.sweep.run.PointStore` of finished items (resume);
    ``progress(done, items)`` after each item."""
    started = time.perf_counter()
    executor = executor or Serial()
    size = _box_size(problem)
    every = _every_plan(problem) if size <= LISTED else None
    if every is not None and len(every) == 0:
        from campaign_sim.errors import InputError

        names = ", ".join(sorted({lin.name for lin in problem.linear}))
        raise InputError.single(
            problem.source,
            problem.linear[0].key if problem.linear else "optimize.cells",
            f"no plan within the cells' bounds meets every linear constraint together ({names})",
        )
    exhaustive = every is not None and len(every) <= problem.exhaustive
    if exhaustive:
        assert every is not None
        items: list = [
            tuple(map(tuple, every[i : i + ITEM_PLANS].tolist()))
            for i in range(0, len(every), ITEM_PLANS)
        ]
        work: Callable = _batch_item
    else:
        items = starting_points(problem, strategies, seed)
        work = _restart_item
    results = _run(executor, work, items, campaign_set, problem, store, progress)
    scored: dict[tuple[int, ...], Scored] = {}
    ends = []
    for index in range(len(items)):
        end, rows = results[index]
        for row in rows:
            found = Scored.from_json(row)
            scored.setdefault(found.plan, found)
        if end is not None:
            ends.append(tuple(end))
    order = ranked(problem, scored.values())
    best = order[0].plan
    return SearchResult(
        tuple(order),
        "exhaustive" if exhaustive else "local search",
        0 if exhaustive else len(items),
        len(items) if exhaustive else sum(end == best for end in ends),
        time.perf_counter() - started,
        sum(1 for i in range(len(items)) if store is not None and i in _resumed(store)),
    )


def _resumed(store: Any) -> set[int]:
    return getattr(store, "resumed", set())


def _run(
    executor: Executor,
    work: Callable,
    items: list,
    campaign_set: CampaignSet,
    problem: OptimizationProblem,
    store: Any,
    progress: Callable[[int, int], None] | None,
) -> dict[int, list]:
    """Every item's result by index: read back from ``store``, else run on ``executor``."""
    global _FORKED
    done: dict[int, list] = store.load(list(range(len(items)))) if store is not None else {}
    if store is not None:
        store.resumed = set(done)
    todo = [i for i in range(len(items)) if i not in done]
    forked = isinstance(executor, Processes) and executor.forks
    function = (
        partial(_indexed, work, items, None)
        if forked
        else partial(_indexed, work, items, (campaign_set, problem))
    )
    if progress is not None:
        progress(len(done), len(items))
    _FORKED = (campaign_set, problem) if forked else None
    try:
        runner = executor if len(todo) > 1 else Serial()
        for index, result in runner.map(function, todo):
            done[index] = result
            if store is not None:
                store.save(index, result)
            if progress is not None:
                progress(len(done), len(items))
    finally:
        _FORKED = None
    return done


def _indexed(work: Callable, items: list, shared: tuple | None, index: int) -> list:
    return work(items[index], shared)
