"""How fast the optimiser scores plans (issue 16, docs/optimize.md "Speed").

Pinned problem: the coffee launch (scenarios/coffee-launch.yaml) with six count cells, nano
and micro on Instagram, TikTok and YouTube (0-40 creators each), objective mean profit,
limit P(loss), 10,000 campaigns. Measured in one process (one core):

* **count plans scored per second**: random plans scored in batches on the fixed campaign set
  (prefix sums, then the engine's campaign metrics: whole orders and every ratio);
* the same with an **expected-shortfall** limit (a partial sort per plan);
* **share plans** (budget shares per pool, hires read per level);
* the **baseline**, in the same run: a full simulation of each plan (``simulate`` of the
  plan as a strategy, the same numbers), plans per second;
* the **worked example**: ``campaign-sim optimize scenarios/coffee-launch.yaml --spec
  scenarios/optimize/coffee-600k.yaml`` end to end (a subprocess, both cores), seconds.

    python benchmarks/bench_optimize.py            # everything
    python benchmarks/bench_optimize.py --no-example
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from campaign_sim.engine.vectorized import simulate
from campaign_sim.optimize.campaigns import draw_campaign_set
from campaign_sim.optimize.decisions import plan_strategy
from campaign_sim.optimize.problem import make_problem
from campaign_sim.optimize.search import score_plans
from campaign_sim.scenario.loading import load_scenario
from campaign_sim.scenario.schema import Optimize

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "coffee-launch.yaml"
CAMPAIGNS = 10_000
CELLS = [
    f"{tier}/{platform}"
    for tier in ("nano", "micro")
    for platform in ("instagram", "tiktok", "youtube")
]
PLANS = 256
BASELINE_PLANS = 8


def problem_of(scenario, decide: str, limits: list[str]):  # type: ignore[no-untyped-def]
    cells = {cell: {"max": 40 if decide == "counts" else 20} for cell in CELLS}
    spec = Optimize(decide=decide, cells=cells, limits=limits, team_hours="unlimited")
    return make_problem(scenario, spec)


def random_plans(problem, count: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    low = np.array([d.low for d in problem.decisions])
    high = np.array([d.high for d in problem.decisions])
    return rng.integers(low, high + 1, size=(count, len(low)))


def rate(scenario, problem, label: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    campaign_set = draw_campaign_set(scenario, problem.decisions, campaigns=CAMPAIGNS, seed=1)
    drawn = time.perf_counter() - start
    plans = random_plans(problem, PLANS)
    score_plans(campaign_set, problem, plans[:8])  # warm
    start = time.perf_counter()
    score_plans(campaign_set, problem, plans)
    seconds = time.perf_counter() - start
    per_second = PLANS / seconds
    print(
        f"{label:<42} {per_second:>9,.0f} plans/s  ({seconds:.2f} s for {PLANS}; campaign set "
        f"drawn in {drawn:.1f} s)"
    )
    return per_second


def baseline(scenario, problem) -> float:  # type: ignore[no-untyped-def]
    plans = random_plans(problem, BASELINE_PLANS)
    start = time.perf_counter()
    for plan in plans:
        strategy = plan_strategy(problem.decisions, plan, "p", "p")
        simulate(replace(scenario, strategies=(strategy,)), campaigns=CAMPAIGNS, seed=1)
    seconds = time.perf_counter() - start
    per_second = BASELINE_PLANS / seconds
    print(
        f"{'baseline: a full simulation per plan':<42} {per_second:>9,.1f} plans/s  "
        f"({seconds:.2f} s for {BASELINE_PLANS})"
    )
    return per_second


def example() -> None:
    command = [
        sys.executable,
        "-m",
        "campaign_sim",
        "optimize",
        str(SCENARIO),
        "--spec",
        str(ROOT / "scenarios" / "optimize" / "coffee-600k.yaml"),
        "--workers",
        "2",
        "--quiet",
        "--format",
        "json",
        "--out",
        str(ROOT / "results" / "bench-optimize-example"),
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    print(f"{'worked example (CLI, 2 workers)':<42} {time.perf_counter() - start:>9.1f} s")


def main() -> None:
    scenario = load_scenario(SCENARIO)
    print(f"{CAMPAIGNS:,} campaigns, {len(CELLS)} count cells, one process")
    counts = problem_of(scenario, "counts", ["prob_loss <= 0.6"])
    fast = rate(scenario, counts, "count plans, mean profit, P(loss) limit")
    rate(
        scenario,
        problem_of(scenario, "counts", ["prob_loss <= 0.6", "expected_shortfall >= -1e6"]),
        "count plans + expected-shortfall limit",
    )
    rate(
        scenario, problem_of(scenario, "shares", ["prob_loss <= 0.6"]), "share plans (steps of 5%)"
    )
    slow = baseline(scenario, counts)
    print(f"prefix-sum scoring is {fast / slow:,.0f}x the full simulation per plan")
    if "--no-example" not in sys.argv:
        example()


if __name__ == "__main__":
    main()
