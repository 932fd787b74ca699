"""Plans judged on fresh campaigns, against the optimiser's curse (MODEL.md §11).

The search picks the plan whose in-sample statistics look best, so they flatter it. The chosen
plan, the runners-up, the frontier's plans and the plan hiring nobody are simulated again on
fresh seed blocks, disjoint from the search's, together with the scenario's own strategies
(common random numbers: the same campaigns for all); each is compared with the chosen plan by
the paired difference of the objective, and the plans the fresh campaigns cannot tell from
the best are marked tied (:func:`campaign_sim.analysis.ties.tied_paired`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from campaign_sim.analysis.ties import tied_paired
from campaign_sim.optimize.campaigns import CampaignSet
from campaign_sim.optimize.decisions import plan_label
from campaign_sim.optimize.problem import OptimizationProblem
from campaign_sim.optimize.scores import Statistic, batch_statistics
from campaign_sim.optimize.search import BATCH_VALUES
from campaign_sim.random.sampling import Sampling

__all__ = ["Judged", "judge", "strategy_outcomes"]

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Judged:
    """Plans' statistics on the fresh campaigns: ``estimates[name]``, ``errors[name]`` of
    shape (plans,), and the paired difference of the objective from the first plan."""

    labels: tuple[str, ...]
    estimates: dict[str, np.ndarray]
    errors: dict[str, np.ndarray]
    difference: np.ndarray  # objective minus the first plan's, per plan
    difference_se: np.ndarray
    tied: np.ndarray  # bool: tied with the first plan


def _needed(stats: tuple[Statistic, ...]) -> set[str]:
    metrics = {s.metric for s in stats if s.metric != "spend"} | {"profit", "roi"}
    if any(s.metric == "spend" for s in stats):
        metrics |= {"fees", "commission", "fee_tax", "product_cost"}
    return metrics


def plan_outcomes(
    campaign_set: CampaignSet, plans: np.ndarray, metrics: set[str]
) -> dict[str, np.ndarray]:
    """The ``metrics`` of each plan on the campaign set, shape (plans, campaigns)."""
    batch = max(1, BATCH_VALUES // campaign_set.campaigns)
    parts: dict[str, list[np.ndarray]] = {m: [] for m in metrics}
    for first in range(0, len(plans), batch):
        outcomes = campaign_set.outcomes(plans[first : first + batch])
        for metric in metrics:
            parts[metric].append(outcomes[metric])
    return {m: np.concatenate(p) for m, p in parts.items()}


def strategy_outcomes(
    values: dict[str, dict[str, np.ndarray]], names: list[str], metrics: set[str]
) -> dict[str, np.ndarray]:
    """Strategies' per-campaign outcomes (``values[strategy][metric]``) stacked like plans'."""
    return {m: np.stack([values[name][m] for name in names]) for m in metrics}


def judge(
    problem: OptimizationProblem,
    outcomes: dict[str, np.ndarray],
    labels: tuple[str, ...],
    *,
    roi_target: float,
    sampling: Sampling,
) -> Judged:
    """Statistics of every row of ``outcomes`` (row 0: the chosen plan) and each row's paired
    difference from row 0 on the objective."""
    stats = problem.statistics
    found = batch_statistics(outcomes, stats, roi_target=roi_target, sampling=sampling)
    estimates = {name: value[0] for name, value in found.items()}
    errors = {name: value[1] for name, value in found.items()}
    objective = problem.objective
    per_campaign = _per_campaign(objective, outcomes, roi_target)
    if per_campaign is not None:
        delta = per_campaign - per_campaign[0]
        paired = batch_statistics(
            {"delta": delta},
            (Statistic("delta_mean", None, "delta", "mean", ""),),
            roi_target=roi_target,
            sampling=sampling,
        )["delta_mean"]
        difference, difference_se = paired
    else:  # a tail or percentile: the two errors together (no paired error)
        value, se = estimates[objective.name], errors[objective.name]
        difference = value - value[0]
        difference_se = np.sqrt(se**2 + se[0] ** 2)
    best = estimates[objective.name][0]
    tied = np.array(
        [
            tied_paired(float(v), float(best), float(s) if i else math.inf)
            for i, (v, s) in enumerate(zip(estimates[objective.name], difference_se, strict=True))
        ]
    )
    return Judged(labels, estimates, errors, difference, difference_se, tied)


def _per_campaign(
    objective: Statistic, outcomes: dict[str, np.ndarray], roi_target: float
) -> np.ndarray | None:
    """The objective's per-campaign values, whose mean it is (None: it is not a mean)."""
    if objective.kind == "mean":
        return outcomes[objective.metric]
    if objective.name == "prob_loss":
        return (outcomes["profit"] < 0).astype(float)
    if objective.name == "prob_above_target":
        return (outcomes["roi"] > roi_target).astype(float)
    return None


def judged_frame(
    judged: Judged,
    roles: list[str],
    plans: list[tuple[int, ...] | None],
    problem: OptimizationProblem,
    in_sample: list[dict[str, float] | None],
) -> pd.DataFrame:
    """One row per judged plan: role, plan, each decision's level, every statistic in-sample
    and on the fresh campaigns with its 95% interval, the paired difference and the tie."""
    rows = []
    for i, label in enumerate(judged.labels):
        row: dict = {"role": roles[i], "plan": label}
        plan = plans[i]
        for d, decision in enumerate(problem.decisions):
            row[decision.name] = plan[d] if plan is not None else math.nan
        for name in judged.estimates:
            seen = in_sample[i]
            row[f"{name}_in_sample"] = math.nan if seen is None else seen[name]
            value, se = float(judged.estimates[name][i]), float(judged.errors[name][i])
            row[name] = value
            row[f"{name}_ci_low"] = value - Z95 * se
            row[f"{name}_ci_high"] = value + Z95 * se
        row["difference"] = float(judged.difference[i])
        row["difference_se"] = float(judged.difference_se[i])
        row["tied_with_chosen"] = bool(judged.tied[i])
        rows.append(row)
    return pd.DataFrame(rows)


def labels_of(problem: OptimizationProblem, plans: list[tuple[int, ...]]) -> tuple[str, ...]:
    return tuple(plan_label(problem.decisions, plan) for plan in plans)
