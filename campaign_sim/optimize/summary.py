"""The optimiser's answer in words and as JSON: what to hire, what it is expected to make on
fresh campaigns against what the search saw, and how firm the choice is."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim.metrics import METRICS
from campaign_sim.optimize.run import OptimizeResult
from campaign_sim.optimize.scores import Statistic

__all__ = ["headline", "summary_dict", "value_text"]

Z95 = 1.959963984540054


def value_text(stat: Statistic, value: float, currency: str = "") -> str:
    """A statistic's value as the tables show it: probabilities and fractions as %, money
    with thousands separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    fraction = stat.kind == "mean" and METRICS[stat.metric].kind == "fraction"
    if stat.probability or fraction:
        return f"{value:.1%}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _row(result: OptimizeResult, role: str) -> pd.Series:
    return result.judged[result.judged["role"].str.startswith(role)].iloc[0]


def _with_interval(stat: Statistic, row: pd.Series, name: str | None = None) -> str:
    name = name or stat.name
    return (
        f"{value_text(stat, row[name])} [95% CI {value_text(stat, row[f'{name}_ci_low'])} – "
        f"{value_text(stat, row[f'{name}_ci_high'])}]"
    )


def headline(result: OptimizeResult) -> list[str]:
    """The answer, sentence by sentence."""
    problem = result.problem
    objective = problem.objective
    currency = result.scenario.currency
    chosen = _row(result, "chosen")
    fresh = f"{result.fresh_campaigns:,} fresh campaigns"
    profit = next(s for s in problem.statistics if s.name == "profit_mean")
    risk = next(s for s in problem.statistics if s.name == "prob_loss")
    lines = []
    hiring = result.judged[result.judged["plan"] != "nobody"]
    if not any(result.plan) and len(hiring):
        best = hiring.iloc[0]
        lines.append(
            f"No plan beats spending nothing: hiring nobody is the best plan (mean profit "
            f"{value_text(profit, 0.0 - result.scenario.fixed_cost)}). The best plan that hires, "
            f"{best['plan']}, makes {_with_interval(profit, best)} {currency} mean profit per "
            f"campaign on {fresh} (P(loss) {value_text(risk, best['prob_loss'])})."
        )
    elif not result.beats_nothing:
        lines.append(
            f"No plan beats spending nothing: the best plan found, {result.label}, makes "
            f"{_with_interval(profit, chosen)} {currency} mean profit per campaign on {fresh} "
            f"(P(loss) {value_text(risk, chosen['prob_loss'])}); hiring nobody makes "
            f"{value_text(profit, 0.0 - result.scenario.fixed_cost)}."
        )
    else:
        lines.append(
            f"Best plan ({'max' if problem.maximise else 'min'} {objective.name}): {result.label}."
        )
    lines.append(
        f"On {fresh} (seed blocks after the search's): {objective.name} "
        f"{_with_interval(objective, chosen)}; in-sample it was "
        f"{value_text(objective, chosen[f'{objective.name}_in_sample'])}."
    )
    for limit in problem.limits:
        name = limit.statistic.name
        met = limit.margin(np.array([chosen[name]]), np.zeros(1), 0.0)[0] <= 0
        lines.append(
            f"Limit {name} {limit.op} {value_text(limit.statistic, limit.bound)}: "
            f"{'met' if met else 'NOT met'} on the fresh campaigns, "
            f"{_with_interval(limit.statistic, chosen, name)} (in-sample "
            f"{value_text(limit.statistic, chosen[f'{name}_in_sample'])}, tightened by "
            f"{problem.tighten:g} se)."
        )
    others = result.judged.iloc[1:]
    tied = others[others["tied_with_chosen"].astype(bool)]
    if len(tied):
        shown = [plan if len(plan) <= 60 else plan[:57] + "…" for plan in tied["plan"].head(3)]
        lines.append(
            f"{len(tied)} other plan(s) are within Monte Carlo error of it on the fresh "
            f"campaigns (paired; judged.csv lists them): {'; '.join(shown)}"
            f"{'; …' if len(tied) > 3 else ''} — the choice is a region, not a point."
        )
    else:
        lines.append(
            "No runner-up is within Monte Carlo error of it on the fresh campaigns (paired "
            "differences)."
        )
    for row in result.judged[result.judged["role"].str.startswith("strategy")].itertuples():
        ahead = -row.difference
        lines.append(
            f"Against {row.plan}: {objective.name} {'+' if ahead >= 0 else ''}"
            f"{value_text(objective, ahead)} ± {value_text(objective, Z95 * row.difference_se)} "
            "for the chosen plan (95%, paired on the same campaigns)."
        )
    search = result.search
    how = (
        f"every one of {len(search.scored):,} plans scored"
        if search.method == "exhaustive"
        else f"local search from {search.starts} starting points ({search.found_by} ended at "
        f"this plan), {len(search.scored):,} plans scored"
    )
    lines.append(f"Search: {how} on {result.campaigns:,} campaigns.")
    if len(result.robustness):
        lines.append(_assumptions(result.robustness))
    if result.pilot is not None:
        p = result.pilot
        lines.append(
            f"A pilot of {p.creators} {p.pool} creators is worth {value_text(objective, p.value)} "
            f"± {value_text(objective, p.se)} of {objective.name} per campaign (perfect "
            f"information: {value_text(objective, p.perfect)}), against an expected cost of "
            f"{p.cost:,.0f} {currency}"
            + (
                f": it pays for itself over about {max(1, round(p.cost / p.value))} campaigns."
                if p.value > 0 and objective.metric == "profit"
                else "."
            )
        )
    lines.append("Defaults taken: " + "; ".join(problem.stated) + "." if problem.stated else "")
    return [line for line in lines if line]


def _assumptions(robustness: pd.DataFrame) -> str:
    """Whether the chosen plan stays the best (or tied) and meets the limits under the other
    assumption settings."""
    kept = robustness[robustness["chosen"] & (robustness["setting"] != "as stated")]
    holds = kept["meets_limits"].astype(bool) & (
        kept["best_here"].astype(bool) | kept["chosen_tied_with_best"].astype(bool)
    )
    text = (
        f"Assumptions: it stays the best (or tied) of the plans compared and meets the limits "
        f"under {int(holds.sum())} of {len(kept)} other settings"
    )
    failed = sorted(kept.loc[~holds, "setting"])
    return text + (f"; not under: {', '.join(failed)}." if failed else ".")


def summary_dict(result: OptimizeResult) -> dict[str, Any]:
    """The answer as JSON: the plan, its statistics in-sample and fresh, the search."""
    problem = result.problem
    chosen = _row(result, "chosen")
    stats = {}
    for stat in problem.statistics:
        name = stat.name
        stats[name] = {
            "in_sample": result.chosen.estimates[name],
            "in_sample_se": result.chosen.errors[name],
            "fresh": chosen[name],
            "fresh_ci": [chosen[f"{name}_ci_low"], chosen[f"{name}_ci_high"]],
        }
    return {
        "plan": result.label,
        "levels": {d.name: level for d, level in zip(problem.decisions, result.plan, strict=True)},
        "objective": f"{'max' if problem.maximise else 'min'}:{problem.objective.name}",
        "limits": [str(limit) for limit in problem.limits],
        "tighten_se": problem.tighten,
        "beats_spending_nothing": result.beats_nothing,
        "statistics": stats,
        "search": {
            "method": result.search.method,
            "plans_scored": len(result.search.scored),
            "starting_points": result.search.starts,
            "found_by": result.search.found_by,
            "seconds": round(result.search.seconds, 3),
        },
        "campaigns": result.campaigns,
        "fresh_campaigns": {"first": result.fresh_first, "count": result.fresh_campaigns},
        "seed": result.seed,
        "stated": list(problem.stated),
        "headline": headline(result),
    }
