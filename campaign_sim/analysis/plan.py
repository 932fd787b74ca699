"""The plan before the run: who each group hires, what it costs against the budget, how long
the run will take.

The preview draws a few seed blocks with the engine's own code (:func:`draw_chunk`,
:func:`group_totals`), so it never drifts from what a run does: a budget group's creators are
the ones the run would hire in those campaigns. Counts and money are per campaign: means with
the P5 - P95 over the previewed campaigns. The budget buys creators as hiring does: their fees
with the agency commission and the tax on fees, and gifted creators' product cost (the cost
lines ``fees``, ``commission``, ``fee_tax``, ``product``); overhead and the fixed cost come on
top, and the preview says how often each passes the budget.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim.engine.draws import BUDGET_TOLERANCE, Layout, draw_chunk
from campaign_sim.engine.limits import check_run
from campaign_sim.engine.runner import chunks_of
from campaign_sim.engine.vectorized import chunk_outcomes, group_totals
from campaign_sim.random.streams import BLOCK
from campaign_sim.scenario.plan import GroupPlan, Scenario

__all__ = ["BUDGET_LINES", "PREVIEW_CAMPAIGNS", "Preview", "estimate_run", "group_label", "preview"]

#: Campaigns a preview draws: one seed block.
PREVIEW_CAMPAIGNS = BLOCK


#: What a strategy's budget buys, as cost lines: preview name -> the group total
#: (:func:`group_totals`). Fees exclude gifted creators, who cost their product instead.
BUDGET_LINES = {
    "fees": "fee",
    "commission": "commission",
    "fee_tax": "fee_tax",
    "product": "product",
}


def group_label(group: GroupPlan, index: int) -> str:
    """``nano/instagram #1``: the group's pool and its position in the strategy; a named
    creator's handle and pool, ``nano/instagram @beanlab``."""
    if group.creator is not None:
        return f"{group.pool} @{group.creator.handle}"
    return f"{group.pool} #{index + 1}"


@dataclass(frozen=True)
class Preview:
    """Per group and per strategy, what a run of the scenario will hire and spend."""

    scenario: Scenario
    campaigns: int  # previewed
    seed: int
    groups: pd.DataFrame  # a row per strategy group
    strategies: pd.DataFrame  # a row per strategy
    seconds_per_campaign: float  # the vectorized engine's, measured on the previewed blocks

    def estimate_seconds(self, campaigns: int, workers: int = 1) -> float:
        """Time to simulate ``campaigns`` campaigns (start-up and writing files aside)."""
        return campaigns * self.seconds_per_campaign / max(1, workers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "previewed_campaigns": self.campaigns,
            "seed": self.seed,
            "currency": self.scenario.currency,
            "seconds_per_campaign": self.seconds_per_campaign,
            "groups": self.groups.to_dict(orient="records"),
            "strategies": self.strategies.to_dict(orient="records"),
        }


def _hiring(group: GroupPlan) -> str:
    """``count``, ``budget``, ``named`` (a roster's candidate, always booked) or ``booked``
    (a roster's candidate booked while the roster group's budget lasts)."""
    if group.creator is not None:
        return "named" if group.booking is None else "booked"
    return "count" if group.count is not None else "budget"


def _fee_budget(group: GroupPlan) -> float:
    """The budget the group hires within (currency; NaN: none)."""
    budget = group.booking.budget if group.booking is not None else group.budget
    return budget if budget is not None else math.nan


def _spread(values: np.ndarray) -> dict[str, float]:
    p5, p95 = np.percentile(values, (5, 95))
    return {"mean": float(values.mean()), "p5": float(p5), "p95": float(p95)}


def preview(
    scenario: Scenario, *, campaigns: int = PREVIEW_CAMPAIGNS, seed: int | None = None
) -> Preview:
    """Draw ``campaigns`` campaigns (the first of the run with ``seed``, default the
    scenario's) and summarize each group's hires, deliverables, fees, overhead and reach, and
    each strategy's total cost against its budget."""
    seed = scenario.seed if seed is None else seed
    check_run(scenario, campaigns=campaigns, chunk_size=campaigns)  # the draws must fit
    layout = Layout.of(scenario)
    sums_of: dict[tuple[str, int], dict[str, list[np.ndarray]]] = {}
    chunks = chunks_of(campaigns, campaigns)
    for chunk in chunks:
        draws = draw_chunk(scenario, layout, seed, chunk.block_list)
        for drawn, sums in group_totals(scenario, draws):
            store = sums_of.setdefault((drawn.slots.strategy, drawn.slots.index), {})
            for name, values in sums.items():
                store.setdefault(name, []).append(values)
    # Timed again once the quantile tables exist: what a run spends per campaign.
    started = time.perf_counter()
    chunk_outcomes(scenario, draw_chunk(scenario, layout, seed, chunks[0].block_list))
    seconds = (time.perf_counter() - started) / chunks[0].size
    group_rows, strategy_rows = [], []
    zero = np.zeros(campaigns)
    for strategy in scenario.strategies:
        lines = {line: np.zeros(campaigns) for line in BUDGET_LINES}
        overhead = np.zeros(campaigns)
        for index, group in enumerate(strategy.groups):
            sums = {k: np.concatenate(v) for k, v in sums_of[strategy.name, index].items()}
            for line, key in BUDGET_LINES.items():
                lines[line] += sums.get(key, zero)
            overhead += sums["overhead"]
            buys = np.sum([sums.get(key, zero) for key in BUDGET_LINES.values()], axis=0)
            group_rows.append(
                {
                    "strategy": strategy.name,
                    "group": group_label(group, index),
                    "hiring": _hiring(group),
                    "fee_budget": _fee_budget(group),
                    **{f"creators_{k}": v for k, v in _spread(sums["creators"]).items()},
                    "deliverables_mean": float(sums["creators"].mean()) * group.deliverables,
                    "delivered_mean": float(sums["delivered"].mean()),
                    **{f"fees_{k}": v for k, v in _spread(sums["fee"]).items()},
                    "commission_mean": float(sums.get("commission", zero).mean()),
                    "fee_tax_mean": float(sums.get("fee_tax", zero).mean()),
                    "gifted_mean": float(sums.get("gifted", zero).mean()),
                    "product_mean": float(sums.get("product", zero).mean()),
                    **{f"buys_{k}": v for k, v in _spread(buys).items()},
                    "overhead_mean": float(sums["overhead"].mean()),
                    "reach_mean": float(sums["R"].mean()),
                }
            )
        buys = np.sum(list(lines.values()), axis=0)  # fees, commission, tax, gifted product
        total = buys + overhead + scenario.fixed_cost
        budget = strategy.budget
        over = None if budget is None else budget * (1 + BUDGET_TOLERANCE)  # as hiring does
        strategy_rows.append(
            {
                "strategy": strategy.name,
                "label": strategy.label,
                "budget": budget if budget is not None else math.nan,
                "fees_mean": float(lines["fees"].mean()),
                **{
                    f"{line}_mean": float(lines[line].mean())
                    for line in BUDGET_LINES
                    if line != "fees"
                },
                **{f"buys_{k}": v for k, v in _spread(buys).items()},
                "overhead_mean": float(overhead.mean()),
                "fixed_cost": scenario.fixed_cost,
                **{f"total_{k}": v for k, v in _spread(total).items()},
                # "fees": what the budget buys (the fees with their commission and tax, and
                # gifted creators' product), as hiring counts it
                "prob_fees_over_budget": (
                    float(np.mean(buys > over)) if over is not None else math.nan
                ),
                "prob_total_over_budget": (
                    float(np.mean(total > over)) if over is not None else math.nan
                ),
            }
        )
    return Preview(
        scenario,
        campaigns,
        seed,
        pd.DataFrame(group_rows),
        pd.DataFrame(strategy_rows),
        seconds,
    )


def timeline_seconds_per_campaign(scenario: Scenario, campaigns: int = 96) -> float:
    """The timeline engine's time per campaign: two runs, of 32 and ``32 + campaigns``
    campaigns, so that what every run costs once (drawing whole seed blocks, the kernels)
    does not count as time per campaign."""
    from campaign_sim.engine.timeline import simulate_timeline

    times = []
    for count in (32, 32 + campaigns):
        started = time.perf_counter()
        simulate_timeline(scenario, campaigns=count)
        times.append(time.perf_counter() - started)
    return max(times[1] - times[0], 0.0) / campaigns


def estimate_run(
    seen: Preview, sweep: Any = None, *, campaigns: int | None = None, workers: int = 1
) -> dict[str, Any]:
    """How long the run of the previewed scenario (or of ``sweep``, a
    :class:`~campaign_sim.sweep.spec.Sweep` on it) will simulate, from the measured time per
    campaign (start-up, statistics and writing files aside: about a second more)."""
    if sweep is None:
        count = campaigns or seen.scenario.campaigns
        seconds = seen.estimate_seconds(count, workers)
        text = (
            f"A run of {count:,} campaigns × {len(seen.scenario.strategies)} strategies: "
            f"about {seconds:,.1f} s of simulation on {workers} worker(s) here."
        )
        out = {"points": 1, "campaigns": count, "workers": workers, "seconds": seconds}
        if "timeline" in seen.scenario.model.model_fields_set:  # written for the calendar
            calendar = timeline_seconds_per_campaign(seen.scenario) * count / max(1, workers)
            out["timeline_seconds"] = calendar
            text += f" On the calendar (campaign-sim timeline): about {calendar:,.1f} s."
        return {**out, "text": text}
    settings = sweep.settings
    count = campaigns or settings.campaigns or sweep.base.campaigns
    points = [sweep.points[0].scenario, sweep.points[-1].scenario]
    if settings.engine == "timeline":
        rate = float(np.mean([timeline_seconds_per_campaign(p) for p in points]))
    else:
        rate = float(np.mean([preview(p).seconds_per_campaign for p in points]))
    seconds = rate * count * len(sweep.points) / max(1, workers)
    text = (
        f"A sweep of {len(sweep.points):,} points × {count:,} campaigns ({settings.engine} "
        f"engine): about {seconds:,.1f} s of simulation on {workers} worker(s) here "
        "(measured on its first and last points)."
    )
    return {
        "points": len(sweep.points),
        "campaigns": count,
        "workers": workers,
        "seconds": seconds,
        "engine": settings.engine,
        "text": text,
    }
