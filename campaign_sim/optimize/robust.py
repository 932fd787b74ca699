"""Does the chosen plan survive the model's assumptions? (issue 16 item 4, docs/optimize.md)

The pool levels and the creators' spread around them (MODEL.md §8) are partly assumptions:
``creator_spread`` is marked as one in the priors, and whether a range describes a pool's
level or its creators is a judgement (docs/priors.md). The chosen plan and the runners-up are
judged again on the same fresh campaigns under other settings:

* **as stated**: the scenario's priors;
* **creators half as spread**, **creators 1.5x as spread**: every ``creator_spread`` scaled
  (capped at the largest accepted);
* **no shared level**: every range read as describing creators, each drawn on their own (the
  model before levels: uncertainty about a tier treated as independent creator luck).

A row per setting and plan: its statistics, whether it meets the limits there (untightened),
and whether the chosen plan is still the best of them or tied with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from campaign_sim.engine.executors import Executor
from campaign_sim.optimize.campaigns import draw_campaign_set
from campaign_sim.optimize.decisions import capped, plan_label
from campaign_sim.optimize.fresh import _needed, judge, plan_outcomes
from campaign_sim.optimize.problem import OptimizationProblem
from campaign_sim.random.sampling import Sampling
from campaign_sim.scenario.plan import GroupPlan, Prior, Scenario
from campaign_sim.scenario.priors_schema import MAX_CREATOR_SPREAD

__all__ = ["ROBUST_OTHERS", "SETTINGS", "robustness_table"]

#: Runners-up judged beside the chosen plan under each setting.
ROBUST_OTHERS = 3


def _spread(factor: float) -> Callable[[Prior], Prior]:
    def change(prior: Prior) -> Prior:
        if prior.describes != "level":
            return prior
        return replace(prior, creator_spread=min(MAX_CREATOR_SPREAD, prior.creator_spread * factor))

    return change


def _no_level(prior: Prior) -> Prior:
    if prior.describes != "level":
        return prior
    return replace(prior, describes="creators", creator_spread=0.0, shared=0.0, persistent=0.0)


#: The settings, by name: how each changes a prior.
SETTINGS: dict[str, Callable[[Prior], Prior] | None] = {
    "as stated": None,
    "creators half as spread": _spread(0.5),
    "creators 1.5x as spread": _spread(1.5),
    "no shared level": _no_level,
}


def _group(group: GroupPlan, change: Callable[[Prior], Prior]) -> GroupPlan:
    return replace(group, priors={q: change(p) for q, p in group.priors.items()})


def robustness_table(
    scenario: Scenario,
    problem: OptimizationProblem,
    chosen: tuple[int, ...],
    others: list[tuple[int, ...]],
    *,
    seed: int,
    first: int,
    campaigns: int,
    sampling: Sampling,
    executor: Executor | None,
    chunk_size: int,
) -> pd.DataFrame:
    """The chosen plan (first) and ``others`` on fresh campaigns under each setting."""
    plans = [chosen, *[p for p in others if p != chosen][:ROBUST_OTHERS]]
    rows = []
    for name, change in SETTINGS.items():
        if change is not None and scenario.calibrated is not None:
            continue  # a calibration's persistent scores are for the stated priors
        decisions = capped(problem.decisions, plans)
        if change is not None:
            decisions = tuple(replace(d, group=_group(d.group, change)) for d in decisions)
        changed = replace(problem, decisions=decisions)
        fresh = draw_campaign_set(
            scenario,
            decisions,
            campaigns=campaigns,
            seed=seed,
            first=first,
            sampling=sampling,
            chunk_size=chunk_size,
            executor=executor,
        )
        outcomes = plan_outcomes(fresh, np.array(plans), _needed(problem.statistics))
        labels = tuple(plan_label(decisions, p) for p in plans)
        judged = judge(changed, outcomes, labels, roi_target=scenario.roi_target, sampling=sampling)
        objective = judged.estimates[problem.objective.name]
        signed = objective if problem.maximise else -objective
        best = int(np.nanargmax(signed))
        for i, label in enumerate(labels):
            row = {"setting": name, "plan": label, "chosen": i == 0}
            for stat, values in judged.estimates.items():
                row[stat] = float(values[i])
                row[f"{stat}_se"] = float(judged.errors[stat][i])
            row["meets_limits"] = all(
                float(
                    lim.margin(judged.estimates[lim.statistic.name][i : i + 1], np.zeros(1), 0.0)[0]
                )
                <= 0
                for lim in problem.limits
            )
            row["best_here"] = i == best
            row["chosen_tied_with_best"] = bool(judged.tied[best]) if i == 0 else None
            rows.append(row)
    return pd.DataFrame(rows)
